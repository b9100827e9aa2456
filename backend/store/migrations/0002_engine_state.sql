-- What the sync engine needs beyond the ERD: per-client switches, the conflict queue,
-- deletion tombstones, each endpoint's base (the last state read from or written to it),
-- export history, settings and the registered project folders.

ALTER TABLE client ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
ALTER TABLE client ADD COLUMN conflict_policy TEXT NOT NULL DEFAULT '';

CREATE TABLE conflict (
    id          TEXT PRIMARY KEY NOT NULL,
    scope       TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved')),
    base        TEXT CHECK (base IS NULL OR json_valid(base)),
    sides       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sides) AND json_type(sides) = 'array'),
    resolution  TEXT CHECK (resolution IS NULL OR json_valid(resolution)),
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    CHECK ((status = 'pending') = (resolved_at IS NULL))
) STRICT;

CREATE INDEX conflict_status_created ON conflict (status, created_at, id);
CREATE INDEX conflict_scope_item ON conflict (scope, item_key);

CREATE TABLE tombstone (
    scope      TEXT NOT NULL,
    item_key   TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    deleted_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scope, item_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE endpoint_state (
    endpoint_id  TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL DEFAULT '',
    path         TEXT NOT NULL DEFAULT '',
    base         TEXT CHECK (base IS NULL OR json_valid(base)),
    hash         TEXT NOT NULL DEFAULT '',
    written_hash TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX endpoint_state_scope ON endpoint_state (scope, endpoint_id);

CREATE TABLE export (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    format      TEXT NOT NULL,
    path        TEXT NOT NULL DEFAULT '',
    filter      TEXT CHECK (filter IS NULL OR json_valid(filter)),
    row_count   INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    error       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX export_created ON export (created_at, id);

CREATE TABLE setting (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE project (
    path     TEXT PRIMARY KEY NOT NULL,
    added_at TEXT NOT NULL
) STRICT;
