-- Log entries out of time order. Rowids follow insertion order and timestamps nearly do,
-- which is what lets a text search read its results newest rowid first and stop early
-- (walkLogs in logsearch.go); "nearly" is this table. It lists entries such that all the
-- others are in order: none has an older timestamp than an unlisted entry with a lower
-- rowid. So the question "could any entry below rowid p be newer than t?" takes one unlisted
-- entry at or above p and the listed entries newer than t to answer, where it would
-- otherwise take a scan of the time index from t to the newest entry.
--
-- Listing an entry that is in order is harmless (it is only checked more carefully); the
-- point is to list few. An update of a timestamp or rowid, which nothing does today, simply
-- lists the entry.

CREATE TABLE event_log_out_of_order (
    seq       INTEGER PRIMARY KEY,
    timestamp TEXT NOT NULL
) STRICT;

CREATE INDEX event_log_out_of_order_timestamp ON event_log_out_of_order (timestamp);

-- A new entry is out of order if the log holds a newer timestamp or a higher rowid (the new
-- row is already in event_log, so the maxima include it). Usually that is a late arrival (a
-- backfill, a second process with a slow batch), and the new entry is listed. But when at
-- most 8 entries are newer (one was stamped ahead of time, or the clock went back for a
-- moment) those are listed instead: listing the new entry would leave them in place as the
-- mark every later entry falls behind, until real time caught up with them.
CREATE TRIGGER event_log_out_of_order_insert AFTER INSERT ON event_log
WHEN new.timestamp < (SELECT max(timestamp) FROM event_log) OR new.seq < (SELECT max(seq) FROM event_log)
BEGIN
    INSERT OR IGNORE INTO event_log_out_of_order (seq, timestamp)
    SELECT seq, timestamp FROM event_log
    WHERE timestamp > new.timestamp
        AND new.seq = (SELECT max(seq) FROM event_log)
        AND (SELECT count(*) FROM (SELECT 1 FROM event_log WHERE timestamp > new.timestamp LIMIT 9)) <= 8;
    INSERT OR IGNORE INTO event_log_out_of_order (seq, timestamp)
    SELECT new.seq, new.timestamp
    WHERE new.seq < (SELECT max(seq) FROM event_log)
        OR (SELECT count(*) FROM (SELECT 1 FROM event_log WHERE timestamp > new.timestamp LIMIT 9)) > 8;
END;

CREATE TRIGGER event_log_out_of_order_delete AFTER DELETE ON event_log BEGIN
    DELETE FROM event_log_out_of_order WHERE seq = old.seq;
END;

CREATE TRIGGER event_log_out_of_order_update AFTER UPDATE OF seq, timestamp ON event_log BEGIN
    DELETE FROM event_log_out_of_order WHERE seq = old.seq;
    INSERT OR REPLACE INTO event_log_out_of_order (seq, timestamp) VALUES (new.seq, new.timestamp);
END;

-- The entries already in the log. Either of two sets leaves the rest in order: the entries
-- older than some entry before them (late arrivals), or those newer than some entry after
-- them (stamped ahead). The smaller one is listed.
WITH m AS MATERIALIZED (
    SELECT seq,
        timestamp < max(timestamp) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS arrived_late,
        timestamp > min(timestamp) OVER (ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS stamped_ahead
    FROM event_log
)
INSERT INTO event_log_out_of_order (seq, timestamp)
SELECT e.seq, e.timestamp FROM m JOIN event_log AS e USING (seq)
WHERE CASE WHEN (SELECT total(arrived_late) <= total(stamped_ahead) FROM m) THEN m.arrived_late ELSE m.stamped_ahead END;
