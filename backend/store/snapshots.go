package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"aisync/backend/edit/jsonedit"
)

const snapshotMetaColumns = `id, scope, client_id, parent_id, unified_hash,
	server_count, rule_count, permission_count, created_at, created_by`

// The statements RecordSnapshot runs every time.
const (
	insertSnapshotSQL = `INSERT INTO config_snapshot (id, scope, client_id, parent_id,
			unified_hash, payload, server_count, rule_count, permission_count, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertDiffSQL = `INSERT INTO snapshot_diff (id, snapshot_id, diff_payload,
			diff_format, created_at) VALUES (?, ?, ?, ?, ?)`
	parentSnapshotSQL = `SELECT id FROM config_snapshot WHERE scope = ?
				ORDER BY created_at DESC, id DESC LIMIT 1`
)

var recordSnapshotSQL = []string{insertSnapshotSQL, insertDiffSQL, insertLogSQL}

// RecordSnapshot stores snap and its diffs atomically. When snap.ParentID is empty the
// parent is the scope's latest snapshot, read in the same transaction so that concurrent
// recorders still form a chain.
func (s *SQLite) RecordSnapshot(ctx context.Context, snap Snapshot, diffs []SnapshotDiff, logs ...LogEntry) (Snapshot, error) {
	if snap.Scope == "" {
		return Snapshot{}, fmt.Errorf("record snapshot: %w: empty scope", ErrInvalidArgument)
	}
	if !jsonedit.StrictValid(snap.Payload) {
		return Snapshot{}, fmt.Errorf("record snapshot: %w: payload is not JSON", ErrInvalidArgument)
	}
	for i, d := range diffs {
		if !jsonedit.StrictValid(d.DiffPayload) {
			return Snapshot{}, fmt.Errorf("record snapshot: %w: diff %d (%s) is not JSON", ErrInvalidArgument, i, d.DiffFormat)
		}
	}
	logs, err := checkLogs(logs)
	if err != nil {
		return Snapshot{}, fmt.Errorf("record snapshot: log: %w", err)
	}
	if snap.ID == "" {
		snap.ID = newID()
	}
	if snap.CreatedAt.IsZero() {
		snap.CreatedAt = s.now()
	}
	snap.CreatedAt = snap.CreatedAt.UTC()
	created := formatTime(snap.CreatedAt)

	err = s.inTxStmts(ctx, recordSnapshotSQL, func(tx *txStmts) error {
		if snap.ParentID == "" {
			err := tx.QueryRowContext(ctx, parentSnapshotSQL, snap.Scope).Scan(&snap.ParentID)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("find parent: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, insertSnapshotSQL,
			snap.ID, snap.Scope, nullString(snap.ClientID), nullString(snap.ParentID), snap.UnifiedHash,
			string(snap.Payload), snap.ServerCount, snap.RuleCount, snap.PermissionCount, created, snap.CreatedBy)
		if err != nil {
			return err
		}
		if err := s.appendLogs(ctx, tx, logs); err != nil {
			return fmt.Errorf("log: %w", err)
		}
		for i, d := range diffs {
			if d.ID == "" {
				d.ID = newID()
			}
			if _, err := tx.ExecContext(ctx, insertDiffSQL, d.ID, snap.ID, string(d.DiffPayload), string(d.DiffFormat), created); err != nil {
				return fmt.Errorf("insert diff %d (%s): %w", i, d.DiffFormat, err)
			}
		}
		return nil
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("record snapshot for %s: %w", snap.Scope, err)
	}
	return snap, nil
}

// GetSnapshot returns one snapshot with its payload.
func (s *SQLite) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+snapshotMetaColumns+`, payload
		FROM config_snapshot WHERE id = ?`, id)
	snap, err := scanSnapshot(row)
	if err != nil {
		return Snapshot{}, fmt.Errorf("get snapshot %q: %w", id, notFound(err))
	}
	return snap, nil
}

// LatestSnapshot returns the newest snapshot of scope.
func (s *SQLite) LatestSnapshot(ctx context.Context, scope string) (Snapshot, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+snapshotMetaColumns+`, payload
		FROM config_snapshot WHERE scope = ? ORDER BY created_at DESC, id DESC LIMIT 1`, scope)
	snap, err := scanSnapshot(row)
	if err != nil {
		return Snapshot{}, fmt.Errorf("get latest snapshot of %s: %w", scope, notFound(err))
	}
	return snap, nil
}

// ListSnapshots returns a page of snapshot metadata, newest first.
func (s *SQLite) ListSnapshots(ctx context.Context, f SnapshotFilter) (Page[SnapshotMeta], error) {
	var w where
	if f.Scope != "" {
		w.add("scope = ?", f.Scope)
	}
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	w.timeRange("created_at", f.Since, f.Until)
	if err := w.after("created_at", "id", f.Cursor); err != nil {
		return Page[SnapshotMeta]{}, fmt.Errorf("list snapshots: %w", err)
	}
	limit := clampLimit(f.Limit, 50)
	rows, err := s.read.QueryContext(ctx, `SELECT `+snapshotMetaColumns+` FROM config_snapshot`+
		w.sql()+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return Page[SnapshotMeta]{}, fmt.Errorf("list snapshots: %w", err)
	}
	items, err := collect(rows, scanSnapshotMeta)
	if err != nil {
		return Page[SnapshotMeta]{}, fmt.Errorf("list snapshots: %w", err)
	}
	return pageOf(items, limit, func(m SnapshotMeta) string { return encodeCursor(formatTime(m.CreatedAt), m.ID) }), nil
}

// GetDiffs returns the diffs of a snapshot.
func (s *SQLite) GetDiffs(ctx context.Context, snapshotID string) ([]SnapshotDiff, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.id, d.snapshot_id, d.diff_payload, d.diff_format, d.created_at
		FROM config_snapshot s LEFT JOIN snapshot_diff d ON d.snapshot_id = s.id
		WHERE s.id = ? ORDER BY d.rowid`, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("get diffs of snapshot %q: %w", snapshotID, err)
	}
	defer rows.Close()
	found := false
	out := []SnapshotDiff{}
	for rows.Next() {
		found = true
		var id, snapID, payload, format, created sql.NullString
		if err := rows.Scan(&id, &snapID, &payload, &format, &created); err != nil {
			return nil, fmt.Errorf("get diffs of snapshot %q: %w", snapshotID, err)
		}
		if !id.Valid {
			continue // the snapshot exists but has no diffs
		}
		t, err := parseTime(created.String)
		if err != nil {
			return nil, fmt.Errorf("get diffs of snapshot %q: %w", snapshotID, err)
		}
		out = append(out, SnapshotDiff{ID: id.String, SnapshotID: snapID.String,
			DiffPayload: json.RawMessage(payload.String), DiffFormat: DiffFormat(format.String), CreatedAt: t})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get diffs of snapshot %q: %w", snapshotID, err)
	}
	if !found {
		return nil, fmt.Errorf("get diffs of snapshot %q: %w", snapshotID, ErrNotFound)
	}
	return out, nil
}

func scanSnapshotMeta(r rowScanner) (SnapshotMeta, error) {
	var m SnapshotMeta
	var client, parent sql.NullString
	var created string
	err := r.Scan(&m.ID, &m.Scope, &client, &parent, &m.UnifiedHash,
		&m.ServerCount, &m.RuleCount, &m.PermissionCount, &created, &m.CreatedBy)
	if err != nil {
		return SnapshotMeta{}, err
	}
	m.ClientID, m.ParentID = client.String, parent.String
	m.CreatedAt, err = parseTime(created)
	return m, err
}

func scanSnapshot(r rowScanner) (Snapshot, error) {
	var m SnapshotMeta
	var client, parent sql.NullString
	var created, payload string
	err := r.Scan(&m.ID, &m.Scope, &client, &parent, &m.UnifiedHash,
		&m.ServerCount, &m.RuleCount, &m.PermissionCount, &created, &m.CreatedBy, &payload)
	if err != nil {
		return Snapshot{}, err
	}
	m.ClientID, m.ParentID = client.String, parent.String
	if m.CreatedAt, err = parseTime(created); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{SnapshotMeta: m, Payload: json.RawMessage(payload)}, nil
}

// pageOf trims the extra row a list query fetched to learn whether another page exists.
func pageOf[T any](items []T, limit int, key func(T) string) Page[T] {
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	return Page[T]{Items: items, NextCursor: key(items[limit-1])}
}
