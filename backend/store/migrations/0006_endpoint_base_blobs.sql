-- An endpoint's base (the canonical config its files read back as, for three-way merges) is
-- stored once per distinct content instead of once per endpoint. After a pass most
-- endpoints of a scope read back as the same config: at 1,000 servers that was six copies
-- of about 130 KB, each one validated as JSON and written twice (WAL, then checkpoint).
-- base_blob is keyed by the hex SHA-256 of the body, computed by the store. The bases
-- already stored move into blobs keyed 'legacy:' || endpoint_id; an endpoint's next write
-- replaces its key, and a blob no endpoint refers to any more is deleted.
CREATE TABLE base_blob (
    hash TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body))
) STRICT;

INSERT INTO base_blob (hash, body)
    SELECT 'legacy:' || endpoint_id, base FROM endpoint_state WHERE base IS NOT NULL;

CREATE TABLE endpoint_state_new (
    endpoint_id  TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL DEFAULT '',
    path         TEXT NOT NULL DEFAULT '',
    base_hash    TEXT REFERENCES base_blob(hash),
    hash         TEXT NOT NULL DEFAULT '',
    written_hash TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL
) STRICT;

INSERT INTO endpoint_state_new (endpoint_id, client_id, scope, path, base_hash, hash, written_hash, updated_at)
    SELECT endpoint_id, client_id, scope, path,
           CASE WHEN base IS NULL THEN NULL ELSE 'legacy:' || endpoint_id END,
           hash, written_hash, updated_at
    FROM endpoint_state;

DROP TABLE endpoint_state;
ALTER TABLE endpoint_state_new RENAME TO endpoint_state;
CREATE INDEX endpoint_state_scope ON endpoint_state (scope, endpoint_id);
CREATE INDEX endpoint_state_base ON endpoint_state (base_hash);
