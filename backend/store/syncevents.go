package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

const syncEventColumns = `id, client_id, event_type, status, started_at, finished_at,
	triggered_by, error, duration_ms`

// StartSyncEvent records a running sync event.
func (s *SQLite) StartSyncEvent(ctx context.Context, e SyncEvent) (SyncEvent, error) {
	if e.EventType == "" {
		return SyncEvent{}, fmt.Errorf("start sync event: %w: empty event type", ErrInvalidArgument)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.StartedAt.IsZero() {
		e.StartedAt = s.now()
	}
	row := s.write.QueryRowContext(ctx, `INSERT INTO sync_event (id, client_id, event_type, status,
		started_at, triggered_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING `+syncEventColumns,
		e.ID, nullString(e.ClientID), e.EventType, SyncRunning, formatTime(e.StartedAt), e.TriggeredBy)
	out, err := scanSyncEvent(row)
	if err != nil {
		return SyncEvent{}, fmt.Errorf("start sync event: %w", err)
	}
	return out, nil
}

const insertSyncEventSQL = `INSERT INTO sync_event (id, client_id, event_type, status,
			started_at, finished_at, triggered_by, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + syncEventColumns

var recordSyncEventSQL = []string{insertSyncEventSQL, insertLogSQL}

// RecordSyncEvent stores a sync run that is over, with its log entries, in one transaction:
// what StartSyncEvent, FinishSyncEvent and AppendLogs store for a run recorded once it has
// ended. ID is filled in if empty, FinishedAt and DurationMS from now if zero.
func (s *SQLite) RecordSyncEvent(ctx context.Context, e SyncEvent, logs ...LogEntry) (SyncEvent, error) {
	return s.RecordPass(ctx, nil, e, logs...)
}

// RecordPass stores what a sync pass leaves behind in one transaction, all or none: its
// endpoints' states as PutEndpointStates stores them, and the run with its log entries as
// RecordSyncEvent stores it.
func (s *SQLite) RecordPass(ctx context.Context, states []StateWrite, e SyncEvent, logs ...LogEntry) (SyncEvent, error) {
	if e.EventType == "" {
		return SyncEvent{}, fmt.Errorf("record sync event: %w: empty event type", ErrInvalidArgument)
	}
	if e.Status == SyncRunning || e.Status == "" {
		return SyncEvent{}, fmt.Errorf("record sync event: %w: status %q is not final", ErrInvalidArgument, e.Status)
	}
	logs, err := checkLogs(logs)
	if err != nil {
		return SyncEvent{}, fmt.Errorf("record sync event: log: %w", err)
	}
	if err := s.checkStates(states); err != nil {
		return SyncEvent{}, fmt.Errorf("record sync event: %w", err)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.StartedAt.IsZero() {
		e.StartedAt = s.now()
	}
	if e.FinishedAt.IsZero() {
		e.FinishedAt = s.now()
	}
	if e.DurationMS == 0 {
		e.DurationMS = max(e.FinishedAt.Sub(e.StartedAt).Milliseconds(), 0)
	}
	logs = slices.Clone(logs) // linked to the run in a copy: the caller's entries stay as given
	for i := range logs {
		logs[i].SyncEventID = e.ID
	}
	hot := recordSyncEventSQL
	if len(states) > 0 {
		hot = recordPassSQL
	}
	var out SyncEvent
	err = s.inTxStmts(ctx, hot, func(tx *txStmts) error {
		if err := putStates(ctx, tx, states, s.oneShot); err != nil {
			return err
		}
		var err error
		out, err = scanSyncEvent(tx.QueryRowContext(ctx, insertSyncEventSQL,
			e.ID, nullString(e.ClientID), e.EventType, e.Status, formatTime(e.StartedAt), formatTime(e.FinishedAt),
			e.TriggeredBy, e.Error, e.DurationMS))
		if err != nil {
			return err
		}
		return s.appendLogs(ctx, tx, logs)
	})
	if err != nil {
		return SyncEvent{}, fmt.Errorf("record sync event: %w", err)
	}
	return out, nil
}

var recordPassSQL = append(append([]string{}, putStateSQL...), recordSyncEventSQL...)

// FinishSyncEvent records how a running sync event ended.
func (s *SQLite) FinishSyncEvent(ctx context.Context, id string, status SyncStatus, errText string) (SyncEvent, error) {
	if status == SyncRunning || status == "" {
		return SyncEvent{}, fmt.Errorf("finish sync event %q: %w: status %q is not final", id, ErrInvalidArgument, status)
	}
	var out SyncEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanSyncEvent(tx.QueryRowContext(ctx, `SELECT `+syncEventColumns+` FROM sync_event WHERE id = ?`, id))
		if err != nil {
			return notFound(err)
		}
		if cur.Status != SyncRunning {
			return fmt.Errorf("%w: status is %s", ErrAlreadyFinished, cur.Status)
		}
		finished := s.now()
		duration := max(finished.Sub(cur.StartedAt).Milliseconds(), 0)
		out, err = scanSyncEvent(tx.QueryRowContext(ctx, `UPDATE sync_event
			SET status = ?, finished_at = ?, error = ?, duration_ms = ?
			WHERE id = ? RETURNING `+syncEventColumns,
			status, formatTime(finished), errText, duration, id))
		return err
	})
	if err != nil {
		return SyncEvent{}, fmt.Errorf("finish sync event %q: %w", id, err)
	}
	return out, nil
}

// GetSyncEvent returns one sync event.
func (s *SQLite) GetSyncEvent(ctx context.Context, id string) (SyncEvent, error) {
	e, err := scanSyncEvent(s.read.QueryRowContext(ctx, `SELECT `+syncEventColumns+` FROM sync_event WHERE id = ?`, id))
	if err != nil {
		return SyncEvent{}, fmt.Errorf("get sync event %q: %w", id, notFound(err))
	}
	return e, nil
}

// ListSyncEvents returns a page of sync events, newest first.
func (s *SQLite) ListSyncEvents(ctx context.Context, f SyncEventFilter) (Page[SyncEvent], error) {
	var w where
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if f.EventType != "" {
		w.add("event_type = ?", f.EventType)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	w.timeRange("started_at", f.Since, f.Until)
	if err := w.after("started_at", "id", f.Cursor); err != nil {
		return Page[SyncEvent]{}, fmt.Errorf("list sync events: %w", err)
	}
	limit := clampLimit(f.Limit, 50)
	rows, err := s.read.QueryContext(ctx, `SELECT `+syncEventColumns+` FROM sync_event`+w.sql()+
		` ORDER BY started_at DESC, id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return Page[SyncEvent]{}, fmt.Errorf("list sync events: %w", err)
	}
	items, err := collect(rows, scanSyncEvent)
	if err != nil {
		return Page[SyncEvent]{}, fmt.Errorf("list sync events: %w", err)
	}
	return pageOf(items, limit, func(e SyncEvent) string { return encodeCursor(formatTime(e.StartedAt), e.ID) }), nil
}

func scanSyncEvent(r rowScanner) (SyncEvent, error) {
	var e SyncEvent
	var client, finished sql.NullString
	var started string
	var duration sql.NullInt64
	err := r.Scan(&e.ID, &client, &e.EventType, &e.Status, &started, &finished,
		&e.TriggeredBy, &e.Error, &duration)
	if err != nil {
		return SyncEvent{}, err
	}
	e.ClientID, e.DurationMS = client.String, duration.Int64
	if e.StartedAt, err = parseTime(started); err != nil {
		return SyncEvent{}, err
	}
	e.FinishedAt, err = parseNullTime(finished)
	return e, err
}
