package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"aisync/backend/edit/jsonedit"
)

const conflictColumns = `id, scope, item_key, kind, status, base, sides, resolution,
	created_at, resolved_at, resolved_by`

// storedSide is a conflict side as kept in the sides column: {client_id, value, mtime}.
type storedSide struct {
	ClientID string          `json:"client_id"`
	Value    json.RawMessage `json:"value"`
	MTime    time.Time       `json:"mtime"`
}

// CreateConflict records a pending conflict.
func (s *SQLite) CreateConflict(ctx context.Context, c Conflict) (Conflict, error) {
	if c.Scope == "" || c.ItemKey == "" {
		return Conflict{}, fmt.Errorf("create conflict: %w: scope and item key are required", ErrInvalidArgument)
	}
	stored := make([]storedSide, len(c.Sides))
	for i, side := range c.Sides {
		value := side.Value
		if len(value) == 0 {
			value = json.RawMessage("null")
		}
		stored[i] = storedSide{ClientID: side.ClientID, Value: value, MTime: side.MTime.UTC()}
	}
	sides, err := json.Marshal(stored)
	if err != nil {
		return Conflict{}, fmt.Errorf("create conflict %s: encode sides: %w", c.ItemKey, err)
	}
	if c.ID == "" {
		c.ID = newID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	row := s.write.QueryRowContext(ctx, `INSERT INTO conflict (id, scope, item_key, kind, status, base,
		sides, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+conflictColumns,
		c.ID, c.Scope, c.ItemKey, c.Kind, ConflictPending, nullJSON(c.Base), string(sides), formatTime(c.CreatedAt))
	out, err := scanConflict(row)
	if err != nil {
		return Conflict{}, fmt.Errorf("create conflict %s: %w", c.ItemKey, err)
	}
	return out, nil
}

// ListConflicts returns the conflicts with status ("" for all), oldest first.
func (s *SQLite) ListConflicts(ctx context.Context, status ConflictStatus) ([]Conflict, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+conflictColumns+` FROM conflict
		WHERE ? = '' OR status = ? ORDER BY created_at, id`, status, status)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	out, err := collect(rows, scanConflict)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	return out, nil
}

// GetConflict returns one conflict.
func (s *SQLite) GetConflict(ctx context.Context, id string) (Conflict, error) {
	c, err := scanConflict(s.read.QueryRowContext(ctx, `SELECT `+conflictColumns+` FROM conflict WHERE id = ?`, id))
	if err != nil {
		return Conflict{}, fmt.Errorf("get conflict %q: %w", id, notFound(err))
	}
	return c, nil
}

// ResolveConflict records the decision on a pending conflict. The status test is part of
// the UPDATE, so two resolvers racing cannot both succeed.
func (s *SQLite) ResolveConflict(ctx context.Context, id string, resolution json.RawMessage, by string) (Conflict, error) {
	if len(resolution) == 0 || !jsonedit.StrictValid(resolution) {
		return Conflict{}, fmt.Errorf("resolve conflict %q: %w: resolution is not JSON", id, ErrInvalidArgument)
	}
	var out Conflict
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanConflict(tx.QueryRowContext(ctx, `UPDATE conflict
			SET status = ?, resolution = ?, resolved_at = ?, resolved_by = ?
			WHERE id = ? AND status = ? RETURNING `+conflictColumns,
			ConflictResolved, string(resolution), formatTime(s.now()), by, id, ConflictPending))
		if err != sql.ErrNoRows {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conflict WHERE id = ?)`, id).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return ErrConflictResolved
		}
		return ErrNotFound
	})
	if err != nil {
		return Conflict{}, fmt.Errorf("resolve conflict %q: %w", id, err)
	}
	return out, nil
}

func scanConflict(r rowScanner) (Conflict, error) {
	var c Conflict
	var base, resolution, resolvedAt sql.NullString
	var sides, created string
	err := r.Scan(&c.ID, &c.Scope, &c.ItemKey, &c.Kind, &c.Status, &base, &sides, &resolution,
		&created, &resolvedAt, &c.ResolvedBy)
	if err != nil {
		return Conflict{}, err
	}
	if base.Valid {
		c.Base = json.RawMessage(base.String)
	}
	if resolution.Valid {
		c.Resolution = json.RawMessage(resolution.String)
	}
	var stored []storedSide
	if err := json.Unmarshal([]byte(sides), &stored); err != nil {
		return Conflict{}, fmt.Errorf("decode conflict sides: %w", err)
	}
	c.Sides = make([]ConflictSide, len(stored))
	for i, side := range stored {
		c.Sides[i] = ConflictSide(side)
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Conflict{}, err
	}
	c.ResolvedAt, err = parseNullTime(resolvedAt)
	return c, err
}

// nullJSON stores an absent JSON value as NULL.
func nullJSON(v json.RawMessage) any {
	if len(v) == 0 {
		return nil
	}
	return string(v)
}
