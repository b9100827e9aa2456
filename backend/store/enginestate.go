package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"aisync/backend/edit/jsonedit"
)

// PutTombstone inserts or replaces the tombstone of (t.Scope, t.ItemKey).
func (s *SQLite) PutTombstone(ctx context.Context, t Tombstone) error {
	if t.Scope == "" || t.ItemKey == "" {
		return fmt.Errorf("put tombstone: %w: scope and item key are required", ErrInvalidArgument)
	}
	if t.DeletedAt.IsZero() {
		t.DeletedAt = s.now()
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO tombstone (scope, item_key, deleted_at, deleted_by)
		VALUES (?, ?, ?, ?) ON CONFLICT (scope, item_key) DO UPDATE SET
		deleted_at = excluded.deleted_at, deleted_by = excluded.deleted_by`,
		t.Scope, t.ItemKey, formatTime(t.DeletedAt), t.DeletedBy)
	if err != nil {
		return fmt.Errorf("put tombstone %s %s: %w", t.Scope, t.ItemKey, err)
	}
	return nil
}

// DeleteTombstone forgets a deletion, e.g. because the item was added again on purpose.
func (s *SQLite) DeleteTombstone(ctx context.Context, scope, itemKey string) error {
	err := s.deleteOne(ctx, `DELETE FROM tombstone WHERE scope = ? AND item_key = ?`, scope, itemKey)
	if err != nil {
		return fmt.Errorf("delete tombstone %s %s: %w", scope, itemKey, err)
	}
	return nil
}

// ListTombstones returns the tombstones of scope, or all of them when scope is "".
func (s *SQLite) ListTombstones(ctx context.Context, scope string) ([]Tombstone, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT scope, item_key, deleted_at, deleted_by FROM tombstone
		WHERE ? = '' OR scope = ? ORDER BY scope, item_key`, scope, scope)
	if err != nil {
		return nil, fmt.Errorf("list tombstones: %w", err)
	}
	out, err := collect(rows, func(r rowScanner) (Tombstone, error) {
		var t Tombstone
		var deleted string
		if err := r.Scan(&t.Scope, &t.ItemKey, &deleted, &t.DeletedBy); err != nil {
			return Tombstone{}, err
		}
		var err error
		t.DeletedAt, err = parseTime(deleted)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tombstones: %w", err)
	}
	return out, nil
}

// endpointStateSelect reads endpoint states with their bases, which live in base_blob.
const endpointStateSelect = `SELECT es.endpoint_id, es.client_id, es.scope, es.path, b.body, es.hash,
	es.written_hash, es.updated_at FROM endpoint_state es LEFT JOIN base_blob b ON b.hash = es.base_hash`

// GetEndpointState returns the engine's base for one endpoint.
func (s *SQLite) GetEndpointState(ctx context.Context, endpointID string) (EndpointState, error) {
	st, err := scanEndpointState(s.read.QueryRowContext(ctx, endpointStateSelect+` WHERE es.endpoint_id = ?`, endpointID))
	if err != nil {
		return EndpointState{}, fmt.Errorf("get endpoint state %q: %w", endpointID, notFound(err))
	}
	return st, nil
}

// PutEndpointState inserts or replaces the state of st.EndpointID; UpdatedAt is set to now
// when zero. The base is stored once per distinct content (see migration 0006): endpoints
// that read back as the same config share one blob, and the blob an endpoint stops
// referring to is deleted when no other endpoint refers to it.
func (s *SQLite) PutEndpointState(ctx context.Context, st EndpointState) error {
	return s.PutEndpointStates(ctx, []StateWrite{{State: st}})
}

// PutEndpointStates records what a pass learnt about several endpoints in one transaction,
// all or none: each state as PutEndpointState stores it and, where given, the endpoint's
// row as UpsertEndpoint stores it. A pass used to commit twice per endpoint.
func (s *SQLite) PutEndpointStates(ctx context.Context, ws []StateWrite) error {
	if err := s.checkStates(ws); err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	return s.inTxStmts(ctx, putStateSQL, func(st *txStmts) error { return putStates(ctx, st, ws, s.oneShot) })
}

// A BasePutter can store bases before the endpoint states that refer to them (see
// SQLite.PutBases).
type BasePutter interface {
	PutBases(ctx context.Context, blobs func() [][]byte) error
}

var _ BasePutter = (*SQLite)(nil)

// PutBases stores the blobs (canonical JSON) that blobs returns as bases ahead of the
// endpoint states that are to refer to them, in a store opened for one pass (OpenOneShot), so
// that the pass stores its large bases while it encodes its files instead of in the
// transaction that records the pass at its end: at a thousand servers, 170 KB of JSON to
// check and insert, about 2.5 ms of the command's last, serial step. PutStates then finds
// them stored. It first removes the blobs no endpoint state refers to, so that those a pass
// leaves behind when it fails before recording its states go with the next one. A
// long-running store does nothing here (and does not call blobs): its passes' files are
// written before their states are recorded anyway, and the time taken beside the encodes
// would be taken from them.
func (s *SQLite) PutBases(ctx context.Context, blobs func() [][]byte) error {
	if !s.oneShot {
		return nil
	}
	list := blobs()
	for _, b := range list {
		if len(b) > 0 && !jsonedit.StrictValid(b) {
			return fmt.Errorf("put bases: %w: base is not JSON", ErrInvalidArgument)
		}
	}
	return s.inTxStmts(ctx, putBasesSQL, func(st *txStmts) error {
		if _, err := st.ExecContext(ctx, sweepBasesSQL); err != nil {
			return fmt.Errorf("put bases: %w", err)
		}
		for _, b := range list {
			if len(b) == 0 {
				continue
			}
			sum := sha256.Sum256(b)
			if _, err := st.ExecContext(ctx, insertBaseSQL, hex.EncodeToString(sum[:]), string(b)); err != nil {
				return fmt.Errorf("put bases: %w", err)
			}
		}
		return nil
	})
}

// checkStates validates ws and fills in what may be left out, before a transaction starts.
func (s *SQLite) checkStates(ws []StateWrite) error {
	for i := range ws {
		if ws[i].State.EndpointID == "" {
			return fmt.Errorf("put endpoint state: %w: empty endpoint id", ErrInvalidArgument)
		}
		if ws[i].State.UpdatedAt.IsZero() {
			ws[i].State.UpdatedAt = s.now()
		}
		if e := ws[i].Endpoint; e != nil {
			if err := s.prepareEndpoint(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// putStates is PutEndpointStates inside a transaction.
// ahead says that PutBases may have stored some of the bases already.
func putStates(ctx context.Context, st *txStmts, ws []StateWrite, ahead bool) error {
	bases, err := baseHashes(ctx, st, ws, ahead)
	if err != nil {
		return fmt.Errorf("read endpoint states: %w", err)
	}
	for _, w := range ws {
		if err := putEndpointState(ctx, st, w.State, bases); err != nil {
			return fmt.Errorf("put endpoint state %q: %w", w.State.EndpointID, err)
		}
		if w.Endpoint != nil {
			if _, err := upsertEndpoint(ctx, st, *w.Endpoint); err != nil {
				return err
			}
		}
	}
	return nil
}

// The statements of putEndpointState and upsertEndpoint, which every sync pass runs.
const (
	// The ids come as one JSON array, so that one statement serves any number of them.
	selectBaseHashesSQL = `SELECT endpoint_id, base_hash FROM endpoint_state
		WHERE endpoint_id IN (SELECT value FROM json_each(?)) AND base_hash IS NOT NULL`
	insertBaseSQL = `INSERT INTO base_blob (hash, body) SELECT ?1, ?2
			WHERE NOT EXISTS (SELECT 1 FROM base_blob WHERE hash = ?1)`
	upsertStateSQL = `INSERT INTO endpoint_state (endpoint_id, client_id, scope, path, base_hash,
		hash, written_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id) DO UPDATE SET
		client_id = excluded.client_id, scope = excluded.scope, path = excluded.path,
		base_hash = excluded.base_hash, hash = excluded.hash, written_hash = excluded.written_hash,
		updated_at = excluded.updated_at`
	dropBaseSQL = `DELETE FROM base_blob WHERE hash = ?1
		AND NOT EXISTS (SELECT 1 FROM endpoint_state WHERE base_hash = ?1)`
	// The hashes of those bases that are stored already (PutBases), as one JSON array.
	storedBasesSQL = `SELECT hash FROM base_blob WHERE hash IN (SELECT value FROM json_each(?))`
	sweepBasesSQL  = `DELETE FROM base_blob WHERE hash NOT IN
		(SELECT base_hash FROM endpoint_state WHERE base_hash IS NOT NULL)`
)

var putBasesSQL = []string{sweepBasesSQL, insertBaseSQL}

var putStateSQL = []string{selectBaseHashesSQL, storedBasesSQL, insertBaseSQL, upsertStateSQL, dropBaseSQL, upsertEndpointSQL}

// stateBases is what putStates knows, inside its transaction, of the bases endpoints refer
// to: each endpoint's base hash (absent: none), the blobs this transaction stored, and the
// hashes of the bases it was given, by the memory that holds them.
type stateBases struct {
	old    map[string]string
	stored map[string]bool
	hashed map[baseBytes]string
}

// baseBytes identifies a base by where it is in memory. The engine gives the endpoints that
// read back as the same config one shared slice (a thousand servers: 150 KB for each of
// five endpoints), which is then hashed once instead of once per endpoint.
type baseBytes struct {
	first *byte
	n     int
}

// hash is the SHA-256 (hex) of base, which is not empty.
func (b stateBases) hash(base []byte) string {
	k := baseBytes{&base[0], len(base)}
	if h, ok := b.hashed[k]; ok {
		return h
	}
	sum := sha256.Sum256(base)
	h := hex.EncodeToString(sum[:])
	b.hashed[k] = h
	return h
}

// baseHashes reads the base hash of every endpoint in ws with one query (a query per
// endpoint cost more than the rest of storing a pass's states).
func baseHashes(ctx context.Context, tx *txStmts, ws []StateWrite, ahead bool) (stateBases, error) {
	b := stateBases{old: make(map[string]string, len(ws)), stored: map[string]bool{}, hashed: map[baseBytes]string{}}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.State.EndpointID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return b, err
	}
	rows, err := tx.QueryContext(ctx, selectBaseHashesSQL, string(list))
	if err != nil {
		return b, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, hash string
		if err := rows.Scan(&id, &hash); err != nil {
			return b, err
		}
		b.old[id] = hash
	}
	if err := rows.Err(); err != nil {
		return b, err
	}
	rows.Close()
	if !ahead {
		return b, nil
	}
	// The new bases PutBases stored already are not checked and written again.
	var hashes []string
	for _, w := range ws {
		if len(w.State.Base) > 0 {
			hashes = append(hashes, b.hash(w.State.Base))
		}
	}
	if len(hashes) == 0 {
		return b, nil
	}
	if list, err = json.Marshal(hashes); err != nil {
		return b, err
	}
	stored, err := tx.QueryContext(ctx, storedBasesSQL, string(list))
	if err != nil {
		return b, err
	}
	have, err := collect(stored, scanString)
	for _, hash := range have {
		b.stored[hash] = true
	}
	return b, err
}

// putEndpointState is PutEndpointState inside a transaction; bases says which base the
// endpoint referred to and is kept up to date.
func putEndpointState(ctx context.Context, tx *txStmts, st EndpointState, bases stateBases) error {
	var key any // NULL: no base (nil or empty, as before bases were shared)
	var hash string
	if len(st.Base) > 0 {
		hash = bases.hash(st.Base)
		key = hash
	}
	old, hadOld := bases.old[st.EndpointID]
	if key != nil && old != hash && !bases.stored[hash] {
		// Checked and written only when absent, so that a shared base is not checked again.
		if !jsonedit.StrictValid(st.Base) {
			return fmt.Errorf("%w: base is not JSON", ErrInvalidArgument)
		}
		if _, err := tx.ExecContext(ctx, insertBaseSQL, key, string(st.Base)); err != nil {
			return err
		}
		bases.stored[hash] = true
	}
	if _, err := tx.ExecContext(ctx, upsertStateSQL,
		st.EndpointID, st.ClientID, st.Scope, st.Path, key, st.Hash, st.WrittenHash, formatTime(st.UpdatedAt)); err != nil {
		return err
	}
	if key != nil {
		bases.old[st.EndpointID] = hash
	} else {
		delete(bases.old, st.EndpointID)
	}
	if hadOld && old != hash {
		delete(bases.stored, old) // it may be gone now: a later state that needs it stores it again
		return dropBaseIfUnused(ctx, tx, old)
	}
	return nil
}

// dropBaseIfUnused deletes the blob key when no endpoint refers to it.
func dropBaseIfUnused(ctx context.Context, tx execer, key string) error {
	_, err := tx.ExecContext(ctx, dropBaseSQL, key)
	return err
}

// ListEndpointStates returns the states of scope, or all of them when scope is "".
func (s *SQLite) ListEndpointStates(ctx context.Context, scope string) ([]EndpointState, error) {
	rows, err := s.read.QueryContext(ctx, endpointStateSelect+` WHERE ? = '' OR es.scope = ? ORDER BY es.endpoint_id`, scope, scope)
	if err != nil {
		return nil, fmt.Errorf("list endpoint states: %w", err)
	}
	out, err := collect(rows, scanEndpointState)
	if err != nil {
		return nil, fmt.Errorf("list endpoint states: %w", err)
	}
	return out, nil
}

// DeleteEndpointState forgets an endpoint's base, e.g. when its client is disabled.
func (s *SQLite) DeleteEndpointState(ctx context.Context, endpointID string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var old sql.NullString
		err := tx.QueryRowContext(ctx, `DELETE FROM endpoint_state WHERE endpoint_id = ? RETURNING base_hash`, endpointID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || !old.Valid {
			return err
		}
		return dropBaseIfUnused(ctx, tx, old.String)
	})
	if err != nil {
		return fmt.Errorf("delete endpoint state %q: %w", endpointID, err)
	}
	return nil
}

func scanEndpointState(r rowScanner) (EndpointState, error) {
	var st EndpointState
	var base sql.NullString
	var updated string
	err := r.Scan(&st.EndpointID, &st.ClientID, &st.Scope, &st.Path, &base, &st.Hash, &st.WrittenHash, &updated)
	if err != nil {
		return EndpointState{}, err
	}
	if base.Valid {
		st.Base = json.RawMessage(base.String)
	}
	st.UpdatedAt, err = parseTime(updated)
	return st, err
}

// deleteOne runs a DELETE and reports ErrNotFound when it removed nothing.
func (s *SQLite) deleteOne(ctx context.Context, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
