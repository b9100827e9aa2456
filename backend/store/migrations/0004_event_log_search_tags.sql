-- The full-text index also carries each entry's level and client, as terms of a third
-- column, tags, so that a search with a level or client filter is answered by the index
-- alone: FTS5 intersects the term lists, skipping through the long ones, and returns only
-- the entries that pass all of them, newest rowid first. Checking the level and client of
-- every entry that has the search word instead costs a row lookup each, and for a word in
-- every entry and a filter that keeps one in 500 that is 50,000 lookups for one page.
--
-- The terms are 'l' || level and 'c' || hex(client_id) (hex keeps any client id one token,
-- exactly, whatever punctuation it has), each led by U+E000; an entry without a client has
-- no c term. U+E000 is a private-use character, which the tokenizer keeps as part of a
-- word, and which the store's search reads as a space (ftsQuery in logsearch.go), so no
-- search word can match a tags term and no prefix search ("lin*") assembles their lists.
-- The other way round, a tags term that also occurs in a message only makes a candidate
-- that the level and client conditions in SQL then drop.
--
-- FTS5 cannot add a column, so the index is rebuilt. It stays external-content: the content
-- it re-reads (for 'rebuild' and 'integrity-check') is the view below, whose tags
-- expression the triggers repeat; the two must agree, or 'delete' would remove terms that
-- were never added.

DROP TRIGGER event_log_fts_insert;
DROP TRIGGER event_log_fts_delete;
DROP TRIGGER event_log_fts_update;
DROP TABLE event_log_fts;

CREATE VIEW event_log_search AS
SELECT seq, message, context, char(57344) || 'l' || level || coalesce(' ' || char(57344) || 'c' || hex(client_id), '') AS tags
FROM event_log;

CREATE VIRTUAL TABLE event_log_fts USING fts5(
    message,
    context,
    tags,
    content = 'event_log_search',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER event_log_fts_insert AFTER INSERT ON event_log BEGIN
    INSERT INTO event_log_fts (rowid, message, context, tags)
    VALUES (new.seq, new.message, new.context, char(57344) || 'l' || new.level || coalesce(' ' || char(57344) || 'c' || hex(new.client_id), ''));
END;

CREATE TRIGGER event_log_fts_delete AFTER DELETE ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context, tags)
    VALUES ('delete', old.seq, old.message, old.context, char(57344) || 'l' || old.level || coalesce(' ' || char(57344) || 'c' || hex(old.client_id), ''));
END;

CREATE TRIGGER event_log_fts_update AFTER UPDATE OF seq, message, context, level, client_id ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context, tags)
    VALUES ('delete', old.seq, old.message, old.context, char(57344) || 'l' || old.level || coalesce(' ' || char(57344) || 'c' || hex(old.client_id), ''));
    INSERT INTO event_log_fts (rowid, message, context, tags)
    VALUES (new.seq, new.message, new.context, char(57344) || 'l' || new.level || coalesce(' ' || char(57344) || 'c' || hex(new.client_id), ''));
END;

INSERT INTO event_log_fts (event_log_fts) VALUES ('rebuild');
