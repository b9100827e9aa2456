package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

const endpointStateColumns = `endpoint_id, client_id, scope, path, base, hash, written_hash, updated_at`

// GetEndpointState returns the engine's base for one endpoint.
func (s *SQLite) GetEndpointState(ctx context.Context, endpointID string) (EndpointState, error) {
	st, err := scanEndpointState(s.read.QueryRowContext(ctx,
		`SELECT `+endpointStateColumns+` FROM endpoint_state WHERE endpoint_id = ?`, endpointID))
	if err != nil {
		return EndpointState{}, fmt.Errorf("get endpoint state %q: %w", endpointID, notFound(err))
	}
	return st, nil
}

// PutEndpointState inserts or replaces the state of st.EndpointID; UpdatedAt is set to now
// when zero.
func (s *SQLite) PutEndpointState(ctx context.Context, st EndpointState) error {
	if st.EndpointID == "" {
		return fmt.Errorf("put endpoint state: %w: empty endpoint id", ErrInvalidArgument)
	}
	if st.UpdatedAt.IsZero() {
		st.UpdatedAt = s.now()
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO endpoint_state (`+endpointStateColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id) DO UPDATE SET
		client_id = excluded.client_id, scope = excluded.scope, path = excluded.path,
		base = excluded.base, hash = excluded.hash, written_hash = excluded.written_hash,
		updated_at = excluded.updated_at`,
		st.EndpointID, st.ClientID, st.Scope, st.Path, nullJSON(st.Base), st.Hash, st.WrittenHash,
		formatTime(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put endpoint state %q: %w", st.EndpointID, err)
	}
	return nil
}

// ListEndpointStates returns the states of scope, or all of them when scope is "".
func (s *SQLite) ListEndpointStates(ctx context.Context, scope string) ([]EndpointState, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+endpointStateColumns+` FROM endpoint_state
		WHERE ? = '' OR scope = ? ORDER BY endpoint_id`, scope, scope)
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
	if err := s.deleteOne(ctx, `DELETE FROM endpoint_state WHERE endpoint_id = ?`, endpointID); err != nil {
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
