package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"aisync/backend/engine"
	"aisync/backend/merge"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// SnapshotFilter selects snapshots.
type SnapshotFilter struct {
	Scope    string    `json:"scope,omitempty"`
	ClientID string    `json:"client,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Until    time.Time `json:"until,omitzero"`
	Limit    int       `json:"limit,omitempty"`
	Cursor   string    `json:"cursor,omitempty"`
}

// Snapshots lists snapshot metadata, newest first, one page at a time.
func (s *Service) Snapshots(ctx context.Context, f SnapshotFilter) (store.Page[store.SnapshotMeta], error) {
	p, err := s.st.ListSnapshots(ctx, store.SnapshotFilter{Scope: f.Scope, ClientID: f.ClientID, Since: f.Since, Until: f.Until, Limit: f.Limit, Cursor: f.Cursor})
	if errors.Is(err, store.ErrInvalidCursor) {
		return p, fmt.Errorf("%w: cursor: %v", ErrInvalid, err)
	}
	if p.Items == nil {
		p.Items = []store.SnapshotMeta{}
	}
	return p, err
}

// SnapshotView is a snapshot with its decoded state (secrets are references, never values).
type SnapshotView struct {
	store.SnapshotMeta
	Config unified.Config `json:"config"`
}

// Snapshot returns one snapshot.
func (s *Service) Snapshot(ctx context.Context, id string) (SnapshotView, error) {
	snap, err := s.st.GetSnapshot(ctx, id)
	if err != nil {
		return SnapshotView{}, err
	}
	var c unified.Config
	if err := json.Unmarshal(snap.Payload, &c); err != nil {
		return SnapshotView{}, fmt.Errorf("decode snapshot %s: %w", id, err)
	}
	return SnapshotView{SnapshotMeta: snap.SnapshotMeta, Config: c}, nil
}

// SnapshotDiff is the difference between two snapshots.
type SnapshotDiff struct {
	From        string               `json:"from,omitempty"` // empty: the empty state
	To          string               `json:"to"`
	Changes     []merge.Change       `json:"changes"`
	JSONPatch   json.RawMessage      `json:"jsonPatch"`
	BodyPatches map[string]string    `json:"bodyPatches,omitempty"`
	Stored      []store.SnapshotDiff `json:"stored,omitempty"` // the SNAPSHOT_DIFF rows of "to" (none for a scope's first snapshot, whose diff is the snapshot itself)
	Before      unified.Config       `json:"before"`
	After       unified.Config       `json:"after"`
}

// Diff compares a snapshot with its parent, or with against when given.
func (s *Service) Diff(ctx context.Context, id, against string) (SnapshotDiff, error) {
	to, err := s.Snapshot(ctx, id)
	if err != nil {
		return SnapshotDiff{}, err
	}
	fromID := against
	if fromID == "" {
		fromID = to.ParentID
	}
	var before unified.Config
	if fromID != "" {
		from, err := s.Snapshot(ctx, fromID)
		if err != nil {
			return SnapshotDiff{}, err
		}
		before = from.Config
	}
	patch, err := merge.StructurePatch(before, to.Config)
	if err != nil {
		return SnapshotDiff{}, err
	}
	d := SnapshotDiff{From: fromID, To: id, Changes: merge.Summarize(before, to.Config), JSONPatch: patch, BodyPatches: merge.BodyPatches(before, to.Config), Before: before, After: to.Config}
	if d.Changes == nil {
		d.Changes = []merge.Change{}
	}
	if against == "" {
		if d.Stored, err = s.st.GetDiffs(ctx, id); err != nil {
			return d, err
		}
	}
	return d, nil
}

// Apply applies a snapshot to target clients (rollback); dryRun previews per-file diffs.
func (s *Service) Apply(ctx context.Context, snapshotID string, targets []string, dryRun bool) (engine.ApplyResult, error) {
	r, err := s.eng.Apply(ctx, snapshotID, targets, dryRun)
	if errors.Is(err, engine.ErrBadResolution) {
		return r, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return r, err
}

// LogFilter selects log entries.
type LogFilter struct {
	Levels   []string  `json:"levels,omitempty"`
	ClientID string    `json:"client,omitempty"`
	Event    string    `json:"event,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Until    time.Time `json:"until,omitzero"`
	Query    string    `json:"q,omitempty"`
	Limit    int       `json:"limit,omitempty"`
	Cursor   string    `json:"cursor,omitempty"`
}

func (f LogFilter) store() store.LogFilter {
	return store.LogFilter{Levels: f.Levels, ClientID: f.ClientID, Event: f.Event, Since: f.Since, Until: f.Until, Query: f.Query, Limit: f.Limit, Cursor: f.Cursor}
}

// Logs pages through the event log, newest first.
func (s *Service) Logs(ctx context.Context, f LogFilter) (store.Page[store.LogEntry], error) {
	for _, l := range f.Levels {
		switch l {
		case store.LevelDebug, store.LevelInfo, store.LevelWarn, store.LevelError:
		default:
			return store.Page[store.LogEntry]{}, fmt.Errorf("%w: level %q: want debug, info, warn or error", ErrInvalid, l)
		}
	}
	p, err := s.st.ListLogs(ctx, f.store())
	if errors.Is(err, store.ErrInvalidCursor) || errors.Is(err, store.ErrInvalidArgument) {
		return p, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if p.Items == nil {
		p.Items = []store.LogEntry{}
	}
	return p, err
}

// LogLevels counts entries per level (for the dashboard).
func (s *Service) LogLevels(ctx context.Context) (map[string]int64, error) {
	return s.st.CountLogsByLevel(ctx, store.LogFilter{})
}

// SyncEvents pages through sync runs, newest first.
func (s *Service) SyncEvents(ctx context.Context, limit int, cursor string) (store.Page[store.SyncEvent], error) {
	p, err := s.st.ListSyncEvents(ctx, store.SyncEventFilter{Limit: limit, Cursor: cursor})
	if p.Items == nil {
		p.Items = []store.SyncEvent{}
	}
	return p, err
}

// Conflicts lists conflicts by status ("" = all).
func (s *Service) Conflicts(ctx context.Context, status string) ([]store.Conflict, error) {
	switch status {
	case "", string(store.ConflictPending), string(store.ConflictResolved):
	default:
		return nil, fmt.Errorf("%w: status must be pending or resolved", ErrInvalid)
	}
	list, err := s.st.ListConflicts(ctx, store.ConflictStatus(status))
	if list == nil {
		list = []store.Conflict{}
	}
	return list, err
}

// Conflict returns one conflict.
func (s *Service) Conflict(ctx context.Context, id string) (store.Conflict, error) {
	return s.st.GetConflict(ctx, id)
}

// Resolution is the user's decision on a conflict.
type Resolution = engine.Resolution

// ResolveConflict applies the decision and re-syncs the scope.
func (s *Service) ResolveConflict(ctx context.Context, id string, r Resolution, by string) (SyncResult, error) {
	res, err := s.eng.ResolveConflict(ctx, id, r, by)
	if errors.Is(err, engine.ErrBadResolution) {
		return res, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return res, err
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
