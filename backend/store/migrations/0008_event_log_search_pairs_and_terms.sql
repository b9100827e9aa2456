-- Two things that make a page of a text search with a level and a client filter quick on a
-- large log (walkLogs in logsearch.go), measured on a million entries:
--
-- 1. A tags term for the pair of level and client, 'k' || level || hex(client_id), beside
--    the level's and the client's own (migration 0004). A search with both filters used to
--    intersect the client's list and the level's list, each with tens of thousands of
--    entries, to find the few thousand they share; the pair's term lists exactly those.
--    One error-level client and a word: 6.1 ms → 2.7 ms for the search index's part.
--    (The level names are fixed and none is a prefix of another, and hex digits follow,
--    so a pair term names one level and one client.)
--
-- 2. event_log_terms: every word the search index holds for the message and context
--    columns. FTS5 answers a prefix search ("write*") by gathering the full result lists of
--    all the words with that prefix before it returns the first entry: 5-9 ms for one word
--    in every tenth entry, however few entries the page needs. With the words at hand, the
--    store spells a prefix out as the words it stands for ("write" OR "writes"), which FTS5
--    reads lazily, newest first, like any word. The store adds a batch's words in the same
--    transaction as the batch (appendLogs), tokenized by FTS5 itself in a temporary table
--    with the same tokenizer, so the list is exact; here it starts from the index's own
--    vocabulary. Words of entries deleted later stay, and match nothing.
--
-- FTS5 cannot change a column's contents in place, so the index is rebuilt, as in 0004:
-- the view and the triggers change together.

DROP TRIGGER event_log_fts_insert;
DROP TRIGGER event_log_fts_delete;
DROP TRIGGER event_log_fts_update;
DROP TABLE event_log_fts;
DROP VIEW event_log_search;

CREATE VIEW event_log_search AS
SELECT seq, message, context,
    char(57344) || 'l' || level || coalesce(' ' || char(57344) || 'c' || hex(client_id) || ' ' || char(57344) || 'k' || level || hex(client_id), '') AS tags
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
    VALUES (new.seq, new.message, new.context,
        char(57344) || 'l' || new.level || coalesce(' ' || char(57344) || 'c' || hex(new.client_id) || ' ' || char(57344) || 'k' || new.level || hex(new.client_id), ''));
END;

CREATE TRIGGER event_log_fts_delete AFTER DELETE ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context, tags)
    VALUES ('delete', old.seq, old.message, old.context,
        char(57344) || 'l' || old.level || coalesce(' ' || char(57344) || 'c' || hex(old.client_id) || ' ' || char(57344) || 'k' || old.level || hex(old.client_id), ''));
END;

CREATE TRIGGER event_log_fts_update AFTER UPDATE OF seq, message, context, level, client_id ON event_log BEGIN
    INSERT INTO event_log_fts (event_log_fts, rowid, message, context, tags)
    VALUES ('delete', old.seq, old.message, old.context,
        char(57344) || 'l' || old.level || coalesce(' ' || char(57344) || 'c' || hex(old.client_id) || ' ' || char(57344) || 'k' || old.level || hex(old.client_id), ''));
    INSERT INTO event_log_fts (rowid, message, context, tags)
    VALUES (new.seq, new.message, new.context,
        char(57344) || 'l' || new.level || coalesce(' ' || char(57344) || 'c' || hex(new.client_id) || ' ' || char(57344) || 'k' || new.level || hex(new.client_id), ''));
END;

INSERT INTO event_log_fts (event_log_fts) VALUES ('rebuild');

CREATE TABLE event_log_terms (
    term TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.event_log_fts_vocab USING fts5vocab(main, event_log_fts, row);

INSERT INTO event_log_terms (term)
SELECT term FROM temp.event_log_fts_vocab WHERE substr(term, 1, 1) <> char(57344);

DROP TABLE temp.event_log_fts_vocab;
