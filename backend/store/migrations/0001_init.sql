-- The seed's ERD (design document §2.1): clients, their config files, the unified snapshots
-- they produce with their diffs, sync runs and the structured log that details them.
-- Conventions: ids are TEXT (uuids, except client ids which are adapter names), JSON is TEXT
-- checked with json_valid, timestamps are fixed-width UTC RFC 3339 TEXT so that they sort.

CREATE TABLE client (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT '',
    priority   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE client_endpoint (
    id          TEXT PRIMARY KEY NOT NULL,
    client_id   TEXT NOT NULL REFERENCES client(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    config_type TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL DEFAULT '',
    last_seen   TEXT,
    UNIQUE (client_id, path, config_type)
) STRICT;

CREATE TABLE config_snapshot (
    id               TEXT PRIMARY KEY NOT NULL,
    scope            TEXT NOT NULL,
    client_id        TEXT REFERENCES client(id) ON DELETE SET NULL,
    parent_id        TEXT REFERENCES config_snapshot(id) ON DELETE SET NULL,
    unified_hash     TEXT NOT NULL,
    payload          TEXT NOT NULL CHECK (json_valid(payload)),
    server_count     INTEGER NOT NULL DEFAULT 0,
    rule_count       INTEGER NOT NULL DEFAULT 0,
    permission_count INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL DEFAULT ''
) STRICT;

-- Lists are newest first; SQLite walks these ascending indexes backwards for that. (A DESC
-- index would take its inserts at the left edge, which splits pages in half and leaves them
-- half empty.)
CREATE INDEX config_snapshot_scope_created ON config_snapshot (scope, created_at, id);
CREATE INDEX config_snapshot_created ON config_snapshot (created_at, id);
CREATE INDEX config_snapshot_client_created ON config_snapshot (client_id, created_at, id);
CREATE INDEX config_snapshot_parent ON config_snapshot (parent_id);

CREATE TABLE snapshot_diff (
    id           TEXT PRIMARY KEY NOT NULL,
    snapshot_id  TEXT NOT NULL REFERENCES config_snapshot(id) ON DELETE CASCADE,
    diff_payload TEXT NOT NULL CHECK (json_valid(diff_payload)),
    diff_format  TEXT NOT NULL CHECK (diff_format IN ('json-patch', 'json-merge-patch', 'text-patch')),
    created_at   TEXT NOT NULL
) STRICT;

CREATE INDEX snapshot_diff_snapshot ON snapshot_diff (snapshot_id);

CREATE TABLE sync_event (
    id           TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT REFERENCES client(id) ON DELETE SET NULL,
    event_type   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    triggered_by TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    duration_ms  INTEGER
) STRICT;

CREATE INDEX sync_event_started ON sync_event (started_at, id);
CREATE INDEX sync_event_client_started ON sync_event (client_id, started_at, id);

-- seq is the rowid: it is stable across VACUUM, so the full-text index added in 0003 can
-- point at rows, and it breaks ties between equal timestamps in insertion order. Every index
-- ends with the rowid implicitly, so (timestamp) already orders by (timestamp, seq) without
-- repeating the 36-byte uuid in each index. id is the ERD's uuid.
CREATE TABLE event_log (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    sync_event_id TEXT REFERENCES sync_event(id) ON DELETE SET NULL,
    client_id     TEXT,
    event         TEXT NOT NULL DEFAULT '',
    level         TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
    message       TEXT NOT NULL,
    context       TEXT CHECK (context IS NULL OR json_valid(context)),
    timestamp     TEXT NOT NULL
) STRICT;

CREATE INDEX event_log_timestamp ON event_log (timestamp);
CREATE INDEX event_log_level_timestamp ON event_log (level, timestamp);
CREATE INDEX event_log_client_timestamp ON event_log (client_id, timestamp);
CREATE INDEX event_log_sync_event ON event_log (sync_event_id);
