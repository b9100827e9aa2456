-- Full-text search over log messages and their JSON context. The index is external-content
-- (it stores no copy of the text) and is kept in step with event_log by triggers; rows that
-- existed before this migration are indexed by the 'rebuild' command.

CREATE VIRTUAL TABLE event_log_fts USING fts5(
    message,
    context,
    content = 'event_log',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER event_log_fts_insert AFTER INSERT ON event_log BEGIN
    INSERT INTO event_log_fts (rowid, message, context) VALUES (new.seq, new.message, new.context);
END;

CREATE TRIGGER event_log_fts_delete AFTER DELETE ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context)
    VALUES ('delete', old.seq, old.message, old.context);
END;

CREATE TRIGGER event_log_fts_update AFTER UPDATE OF message, context ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context)
    VALUES ('delete', old.seq, old.message, old.context);
    INSERT INTO event_log_fts (rowid, message, context) VALUES (new.seq, new.message, new.context);
END;

INSERT INTO event_log_fts (event_log_fts) VALUES ('rebuild');
