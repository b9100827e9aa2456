package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aisync/backend/edit/jsonedit"
)

const (
	logColumns = `id, sync_event_id, client_id, event, level, message, context, timestamp`
	logSelect  = `seq, ` + logColumns
)

// appendBatch is how many rows one INSERT statement carries. Fewer, larger statements are
// what makes a batch fast; the bound keeps the statement well under SQLite's variable limit.
const appendBatch = 64

// AppendLogs inserts entries in one transaction.
func (s *SQLite) AppendLogs(ctx context.Context, entries ...LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	entries, err := checkLogs(entries)
	if err != nil {
		return fmt.Errorf("append logs: %w", err)
	}
	if err := s.inTxStmts(ctx, appendLogSQL, func(st *txStmts) error { return s.appendLogs(ctx, st, entries) }); err != nil {
		return fmt.Errorf("append logs: %w", err)
	}
	return nil
}

// checkLogs validates entries and returns them with their levels normalized, before a
// transaction starts. The caller's slice is never written to (callers may share it, and
// may be reading it concurrently): an entry whose level changes is normalized in a copy.
func checkLogs(entries []LogEntry) ([]LogEntry, error) {
	copied := false
	for i := range entries {
		e := entries[i]
		level, ok := normalizeLevel(e.Level)
		if !ok {
			return nil, fmt.Errorf("%w: entry %d has level %q", ErrInvalidArgument, i, e.Level)
		}
		if len(e.Context) > 0 && !jsonedit.StrictValid(e.Context) {
			return nil, fmt.Errorf("%w: entry %d context is not JSON", ErrInvalidArgument, i)
		}
		if level != e.Level {
			if !copied {
				entries, copied = slices.Clone(entries), true
			}
			entries[i].Level = level
		}
	}
	return entries, nil
}

// appendLogs inserts entries checked by checkLogs inside tx, and notes their words for
// the search (noteTerms).
func (s *SQLite) appendLogs(ctx context.Context, st *txStmts, entries []LogEntry) error {
	if s.schema < termsVersion {
		return s.insertLogs(ctx, st, entries) // a store that tests open at an older schema, to migrate later
	}
	words, ascii := asciiWords(entries)
	var last int64 // the highest rowid before the batch, for noteTerms
	if !ascii {
		if err := st.QueryRowContext(ctx, lastLogSQL).Scan(&last); err != nil {
			return fmt.Errorf("read the last entry: %w", err)
		}
	}
	if err := s.insertLogs(ctx, st, entries); err != nil {
		return err
	}
	return noteTerms(ctx, st, words, ascii, last)
}

// insertLogs inserts entries, appendBatch rows a statement.
func (s *SQLite) insertLogs(ctx context.Context, st *txStmts, entries []LogEntry) error {
	const perRow = 8
	args := make([]any, 0, min(len(entries), appendBatch)*perRow)
	now := s.now()
	for start := 0; start < len(entries); start += appendBatch {
		chunk := entries[start:min(start+appendBatch, len(entries))]
		args = args[:0]
		for _, e := range chunk {
			id, ts := e.ID, e.Timestamp
			if id == "" {
				id = newID()
			}
			if ts.IsZero() {
				ts = now
			}
			var context any
			if len(e.Context) > 0 {
				context = string(e.Context)
			}
			args = append(args, id, nullString(e.SyncEventID), nullString(e.ClientID), e.Event,
				e.Level, e.Message, context, formatTime(ts))
		}
		var err error
		if n := len(chunk); n == appendBatch || n > fewRows {
			_, err = st.ExecContext(ctx, insertLogsSQL(n), args...)
		} else {
			// A pass logs a row or two at a time: those go through the one-row statement
			// the writer keeps (see appendLogSQL) rather than a statement of their own.
			for i := 0; i < n && err == nil; i++ {
				_, err = st.ExecContext(ctx, insertLogSQL, args[i*perRow:(i+1)*perRow]...)
			}
		}
		if err != nil {
			return fmt.Errorf("insert entries %d-%d: %w", start, start+len(chunk)-1, err)
		}
	}
	return nil
}

// fewRows is the most rows appendLogs inserts one at a time.
const fewRows = 8

// insertLogSQL inserts one row; appendLogSQL is what appendLogs runs in every transaction.
var (
	insertLogSQL = insertLogsSQL(1)
	appendLogSQL = []string{insertLogSQL, addASCIITermsSQL}
)

func insertLogsSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO event_log (` + logColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

// normalizeLevel maps slog's level names (any case) to the stored ones.
func normalizeLevel(l string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(l)) {
	case "debug":
		return LevelDebug, true
	case "info", "":
		return LevelInfo, true
	case "warn", "warning":
		return LevelWarn, true
	case "error":
		return LevelError, true
	}
	return "", false
}

// ListLogs returns a page of log entries, newest first. Ties between equal timestamps are
// broken by insertion order (the rowid, seq), which is also what the cursor records.
func (s *SQLite) ListLogs(ctx context.Context, f LogFilter) (Page[LogEntry], error) {
	limit := clampLimit(f.Limit, 100)
	var items []logRow
	var err error
	if ftsQuery(f.Query) != "" {
		items, err = s.walkLogs(ctx, f, limit+1)
	} else {
		items, err = s.queryLogs(ctx, f, limit+1)
	}
	if err != nil {
		return Page[LogEntry]{}, fmt.Errorf("list logs: %w", err)
	}
	page := pageOf(items, limit, func(r logRow) string { return r.cursor() })
	out := Page[LogEntry]{Items: make([]LogEntry, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.LogEntry
	}
	return out, nil
}

// queryLogs is ListLogs without a text search, as one query: up to n rows after the
// cursor, newest first, read from whichever time index fits the filter.
func (s *SQLite) queryLogs(ctx context.Context, f LogFilter, n int) ([]logRow, error) {
	w, err := logWhere(f, true, textDrive)
	if err == nil {
		err = w.afterSeq("timestamp", "seq", f.Cursor)
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+logSelect+` FROM event_log`+w.sql()+
		` ORDER BY timestamp DESC, seq DESC LIMIT ?`, append(w.args, n)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanLogRow)
}

// StreamLogs calls fn for each matching entry, oldest first. The rows come from one query
// that SQLite steps through lazily, so only the current row is in memory; the read
// transaction it holds means the stream sees one consistent state of the log.
func (s *SQLite) StreamLogs(ctx context.Context, f LogFilter, fn func(LogEntry) error) error {
	text, err := s.textPlan(ctx, logMatch(f, true, ftsQuery(f.Query)))
	if err != nil {
		return fmt.Errorf("stream logs: %w", err)
	}
	w, err := logWhere(f, true, text)
	if err != nil {
		return fmt.Errorf("stream logs: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+logSelect+` FROM event_log`+w.sql()+
		` ORDER BY timestamp, seq`, w.args...)
	if err != nil {
		return fmt.Errorf("stream logs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanLogRow(rows)
		if err != nil {
			return fmt.Errorf("stream logs: %w", err)
		}
		if err := fn(r.LogEntry); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stream logs: %w", err)
	}
	return nil
}

// CountLogsByLevel counts matching entries per level.
func (s *SQLite) CountLogsByLevel(ctx context.Context, f LogFilter) (map[string]int64, error) {
	w, err := logWhere(f, false, textDrive)
	if err != nil {
		return nil, fmt.Errorf("count logs: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT level, COUNT(*) FROM event_log`+w.sql()+` GROUP BY level`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("count logs: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var level string
		var n int64
		if err := rows.Scan(&level, &n); err != nil {
			return nil, fmt.Errorf("count logs: %w", err)
		}
		out[level] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count logs: %w", err)
	}
	return out, nil
}

// logWhere turns a filter into conditions; withLevels is false where levels are the
// grouping rather than a filter.
func logWhere(f LogFilter, withLevels bool, text textMode) (where, error) {
	var w where
	if withLevels && len(f.Levels) > 0 {
		marks := make([]string, len(f.Levels))
		for i, l := range f.Levels {
			level, ok := normalizeLevel(l)
			if !ok || l == "" {
				return where{}, fmt.Errorf("%w: unknown level %q", ErrInvalidArgument, l)
			}
			marks[i] = "?"
			w.args = append(w.args, level)
		}
		w.conds = append(w.conds, "level IN ("+strings.Join(marks, ",")+")")
	}
	if f.ClientID != "" {
		w.add("client_id = ?", f.ClientID)
	}
	if f.Event != "" {
		w.add("event = ?", f.Event)
	}
	if f.SyncEventID != "" {
		w.add("sync_event_id = ?", f.SyncEventID)
	}
	w.timeRange("timestamp", f.Since, f.Until)
	// The text condition goes last so that SQLite tests the cheap column conditions first.
	if q := logMatch(f, withLevels, ftsQuery(f.Query)); q != "" {
		switch text {
		case textDrive:
			w.add("seq IN (SELECT rowid FROM event_log_fts WHERE event_log_fts MATCH ?)", q)
		case textFilter:
			// The unary + keeps SQLite from using the IN list as the way into the table.
			w.add("+seq IN (SELECT rowid FROM event_log_fts WHERE event_log_fts MATCH ?)", q)
		case textWalk:
			// walkLogs applies the text condition itself.
		}
	}
	return w, nil
}

// logRow is a log entry with its rowid, which the cursor needs.
type logRow struct {
	LogEntry
	seq int64
}

func (r logRow) cursor() string {
	return encodeCursor(formatTime(r.Timestamp), strconv.FormatInt(r.seq, 10))
}

// newer reports whether r sorts before o in a newest-first list.
func (r logRow) newer(o logRow) bool {
	if !r.Timestamp.Equal(o.Timestamp) {
		return r.Timestamp.After(o.Timestamp)
	}
	return r.seq > o.seq
}

func scanLogRow(r rowScanner) (logRow, error) {
	var e logRow
	var syncEvent, client, context sql.NullString
	var ts string
	err := r.Scan(&e.seq, &e.ID, &syncEvent, &client, &e.Event, &e.Level, &e.Message, &context, &ts)
	if err != nil {
		return logRow{}, err
	}
	e.SyncEventID, e.ClientID = syncEvent.String, client.String
	if context.Valid {
		e.Context = json.RawMessage(context.String)
	}
	e.Timestamp, err = parseTime(ts)
	return e, err
}
