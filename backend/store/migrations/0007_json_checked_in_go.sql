-- The JSON columns that a first pass at scale fills with hundreds of kilobytes (a snapshot's
-- payload and diffs, the endpoints' bases, the engine's settings) are no longer checked by
-- SQLite's json_valid: the store checks them before writing them (jsonedit.StrictValid in
-- RecordSnapshot and putEndpointState; PutSetting writes what json.Marshal made). SQLite's
-- check ran over the same bytes as the store's, at about 100 MB/s here: 6 ms of CPU in a
-- first pass of 1,000 servers. StrictValid reads about 500 MB/s. The other JSON columns,
-- all small, keep their checks.
--
-- ALTER TABLE cannot drop a CHECK constraint, and rebuilding these tables would copy every
-- snapshot (and dropping config_snapshot with foreign keys on would delete its diffs).
-- SQLite documents the in-place way for removing CHECK constraints: edit the CREATE TABLE
-- text in sqlite_schema under writable_schema, which changes no stored row, then increment
-- schema_version so that every connection reads the schema again (migrate does that after
-- this file, see schemaEdits). Each replace matches its table's constraint exactly once;
-- TestMigrationDropsJSONChecks checks the result.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (json_valid(payload))', '')
    WHERE type = 'table' AND name = 'config_snapshot';
UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (json_valid(diff_payload))', '')
    WHERE type = 'table' AND name = 'snapshot_diff';
UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (json_valid(body))', '')
    WHERE type = 'table' AND name = 'base_blob';
UPDATE sqlite_schema SET sql = replace(sql, ' CHECK (json_valid(value))', '')
    WHERE type = 'table' AND name = 'setting';

PRAGMA writable_schema = OFF;
