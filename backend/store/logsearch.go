package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// textMode is how a full-text condition joins the rest of a log query.
//
// SQLite keeps no statistics on how many rows a search term matches, so left to itself it
// always starts from the search results, fetches every matching row and sorts them: quick
// for a rare word, but for a word in every fifth entry of a million-row log that is 200,000
// row lookups and a sort to show one page. Asking the search index about each row of the
// time index instead costs far more per row (every probe sets up a new full-text cursor).
// So the store counts the matches, stopping at a threshold, and for more than that walks
// the search results newest-rowid first in growing chunks (walkLogs), which finds a page of
// a common word after a few hundred lookups.
type textMode int

const (
	// textDrive is one query that starts from the search results: for rare words.
	textDrive textMode = iota
	// textFilter is one query that walks the time index and checks each row against the
	// search results, gathered once: for visiting every match in order, as StreamLogs does.
	textFilter
	// textWalk is walkLogs: for a page of a common word.
	textWalk
)

// searchTuning sets the text search thresholds; it is per store so that tests can force
// the walk on small logs.
type searchTuning struct {
	driveMax   int // matches below which textDrive wins
	firstChunk int // search results fetched in walkLogs' first step
	maxChunk   int // the most fetched in one step (each step doubles)
}

var defaultSearchTuning = searchTuning{driveMax: 2000, firstChunk: 256, maxChunk: 8192}

// textPlan picks how to join the search for query: textDrive when it matches fewer than
// driveMax entries, common otherwise.
func (s *SQLite) textPlan(ctx context.Context, query string, common textMode) (textMode, error) {
	q := ftsQuery(query)
	if q == "" {
		return textDrive, nil
	}
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM event_log_fts
		WHERE event_log_fts MATCH ? LIMIT ?)`, q, s.search.driveMax).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count text matches: %w", err)
	}
	if n < s.search.driveMax {
		return textDrive, nil
	}
	return common, nil
}

// walkLogs returns the newest want entries that match f (text included) after f.Cursor.
//
// It reads the search results from the highest rowid down, in chunks, keeping the best
// want candidates by (timestamp, seq). Rowids follow insertion order and timestamps nearly
// do, so the newest matches come early; but a late insert can carry an old timestamp, so
// the walk stops only when no row below the current rowid could still beat the candidates:
// a question the time index answers by looking at the rows newer than the last candidate,
// whatever their level, client or text. If timestamps were badly out of order the walk
// would read all the matches, which is what a single query does anyway. All steps run in
// one read transaction, so they see one state of the log.
func (s *SQLite) walkLogs(ctx context.Context, f LogFilter, want int) ([]logRow, error) {
	q := ftsQuery(f.Query)
	w, err := logWhere(f, true, textWalk)
	if err != nil {
		return nil, err
	}
	var cur *cursor
	var curSeq int64
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		if curSeq, err = strconv.ParseInt(c.I, 10, 64); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
		}
		cur = &c
		w.add("(timestamp, seq) < (?, ?)", c.T, curSeq)
	}

	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// Each step fetches a chunk of search results below rowid p, joined to the rows that
	// pass the other conditions; a result whose row fails them comes back with NULLs, so
	// that the step still learns how far it got.
	step := `SELECT m.r, ` + qualify(logSelect, "event_log.") + ` FROM (SELECT rowid AS r FROM event_log_fts
		WHERE event_log_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?) AS m
		LEFT JOIN event_log ON event_log.seq = m.r`
	if len(w.conds) > 0 {
		step += ` AND ` + strings.Join(w.conds, " AND ")
	}

	var best []logRow
	p, chunk := int64(math.MaxInt64), s.search.firstChunk
	for {
		found, got, lowest, err := walkStep(ctx, tx, step, append([]any{q, p, chunk}, w.args...))
		if err != nil {
			return nil, err
		}
		best = mergeBest(best, found, want)
		if got < chunk {
			return best, nil // the search results are exhausted
		}
		p = lowest
		done, err := walkDone(ctx, tx, p, best, want, f, cur, curSeq)
		if err != nil || done {
			return best, err
		}
		chunk = min(chunk*2, s.search.maxChunk)
	}
}

// walkStep runs one step of walkLogs. It returns the rows that passed, how many search
// results the step read, and the lowest rowid among them.
func walkStep(ctx context.Context, tx *sql.Tx, query string, args []any) (found []logRow, got int, lowest int64, err error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	lowest = math.MaxInt64
	for rows.Next() {
		var r int64
		var seq sql.NullInt64
		var id, syncEvent, client, event, level, message, context, ts sql.NullString
		if err := rows.Scan(&r, &seq, &id, &syncEvent, &client, &event, &level, &message, &context, &ts); err != nil {
			return nil, 0, 0, err
		}
		got++
		lowest = min(lowest, r)
		if !seq.Valid {
			continue // a search result whose row fails the other conditions
		}
		e := logRow{seq: seq.Int64, LogEntry: LogEntry{ID: id.String, SyncEventID: syncEvent.String,
			ClientID: client.String, Event: event.String, Level: level.String, Message: message.String}}
		if context.Valid {
			e.Context = []byte(context.String)
		}
		if e.Timestamp, err = parseTime(ts.String); err != nil {
			return nil, 0, 0, err
		}
		found = append(found, e)
	}
	return found, got, lowest, rows.Err()
}

// mergeBest keeps the newest want rows of best and more.
func mergeBest(best, more []logRow, want int) []logRow {
	best = append(best, more...)
	slices.SortFunc(best, func(a, b logRow) int {
		switch {
		case a.newer(b):
			return -1
		case b.newer(a):
			return 1
		}
		return 0
	})
	return best[:min(len(best), want)]
}

// walkDone reports whether any row below rowid p could still enter the top want: a row
// after the cursor, before Until, from Since on, and newer than the want-th candidate. It
// asks the time index about all rows in that time range whatever their other columns, so
// the answer may be a cautious "not yet". With no lower bound in time (fewer than want
// candidates and no Since) it would have to read the whole index, so the walk goes on.
func walkDone(ctx context.Context, tx *sql.Tx, p int64, best []logRow, want int, f LogFilter, cur *cursor, curSeq int64) (bool, error) {
	var w where
	// The unary + keeps SQLite from answering by the rowid range, which is the whole log
	// below p.
	w.add("+seq < ?", p)
	bounded := false
	if len(best) >= want {
		last := best[want-1]
		w.add("(timestamp, seq) > (?, ?)", formatTime(last.Timestamp), last.seq)
		bounded = true
	}
	if !f.Since.IsZero() {
		w.add("timestamp >= ?", formatTime(f.Since))
		bounded = true
	}
	if !bounded {
		return false, nil
	}
	if !f.Until.IsZero() {
		w.add("timestamp < ?", formatTime(f.Until))
	}
	if cur != nil {
		w.add("(timestamp, seq) < (?, ?)", cur.T, curSeq)
	}
	var more bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM event_log INDEXED BY event_log_timestamp`+
		w.sql()+`)`, w.args...).Scan(&more)
	return !more, err
}

// qualify prefixes each column of a comma-separated list with table.
func qualify(columns, table string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = table + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// ftsQuery turns what a user typed into an FTS5 query that cannot be a syntax error: each
// word becomes a quoted phrase (so punctuation and FTS5 operators are plain text), the
// phrases must all match, and a trailing * keeps its meaning of a prefix match. Words with
// nothing searchable in them are dropped; an empty result means no text condition.
func ftsQuery(q string) string {
	var parts []string
	for _, word := range strings.Fields(q) {
		prefix := strings.HasSuffix(word, "*")
		word = strings.TrimRight(word, "*")
		if !strings.ContainsFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		p := `"` + strings.ReplaceAll(word, `"`, `""`) + `"`
		if prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
