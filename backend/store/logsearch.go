package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// textMode is how a full-text condition joins the rest of a log query.
//
// SQLite keeps no statistics on how many rows a search term matches, so left to itself it
// always starts from the search results, fetches every matching row and sorts them: quick
// for a rare word, but for a word in every fifth entry of a million-row log that is 200,000
// row lookups and a sort to show one page. Asking the search index about each row of the
// time index instead costs far more per row (every probe sets up a new full-text cursor).
//
// So a page of a search (ListLogs) walks the search results newest rowid first and stops
// as soon as the page is certain (walkLogs). The search index holds each entry's level and
// client as terms (migration 0004), so with those filters the walk reads only entries that
// pass them, however rare the combination. A full listing (StreamLogs) visits every match
// anyway, and picks one of two single queries by the number of matches (textPlan).
type textMode int

const (
	// textDrive is one query that starts from the search results: for rare words.
	textDrive textMode = iota
	// textFilter is one query that walks the time index and checks each row against the
	// search results, gathered once: for visiting every match in order, as StreamLogs does.
	textFilter
	// textWalk leaves the text out of the conditions, for walkLogs, which applies it itself.
	textWalk
)

// searchTuning sets the text search thresholds; it is per store so that tests can force
// either plan on small logs.
type searchTuning struct {
	driveMax int // matches below which textDrive wins
}

var defaultSearchTuning = searchTuning{driveMax: 2000}

// textPlan picks how a full listing joins the search match: textDrive when it matches fewer
// than driveMax entries, textFilter otherwise.
func (s *SQLite) textPlan(ctx context.Context, match string) (textMode, error) {
	if match == "" {
		return textDrive, nil
	}
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM event_log_fts
		WHERE event_log_fts MATCH ? LIMIT ?)`, match, s.search.driveMax).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count text matches: %w", err)
	}
	if n < s.search.driveMax {
		return textDrive, nil
	}
	return textFilter, nil
}

// walkLogs returns the newest want entries that match f (text included) after f.Cursor.
//
// It reads the search results from the highest rowid down, in one query (so that a prefix
// that spellPrefixes leaves to FTS5, whose result list FTS5 assembles in full before
// returning the first entry, is assembled once), looks up the row of each for the
// conditions the index does not decide, and keeps the best want candidates by (timestamp, seq). Rowids follow insertion order and
// timestamps nearly do, so the newest matches come early; but a late insert can carry an
// old timestamp, so the walk stops only when walkDone shows that no row below the current
// rowid could still beat the candidates. That check is cheap, but it is a query, so after a
// check that fails the walk reads as many results again before the next. If timestamps were
// badly out of order the walk would read all the matches, which is what a single query does
// anyway. The query and the checks run in one read transaction, so they see one state of
// the log, and so does the spelling of prefixes.
func (s *SQLite) walkLogs(ctx context.Context, f LogFilter, want int) ([]logRow, error) {
	w, err := logWhere(f, true, textWalk)
	if err == nil {
		err = w.afterSeq("timestamp", "seq", f.Cursor)
	}
	if err != nil {
		return nil, err
	}

	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// A search result whose row fails the other conditions comes back with NULLs, so that
	// the walk still learns how far it got.
	query := `SELECT event_log_fts.rowid, ` + qualify(logSelect, "event_log.") + ` FROM event_log_fts
		LEFT JOIN event_log ON event_log.seq = event_log_fts.rowid`
	if len(w.conds) > 0 {
		query += ` AND ` + strings.Join(w.conds, " AND ")
	}
	query += ` WHERE event_log_fts MATCH ? ORDER BY event_log_fts.rowid DESC`
	words, err := spellPrefixes(ctx, tx, searchWords(f.Query))
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, query, append(slices.Clip(w.args), logMatch(f, true, words))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var best []logRow
	read, nextCheck := 0, 0
	for rows.Next() {
		p, r, ok, err := scanWalkRow(rows)
		if err != nil {
			return nil, err
		}
		read++
		if ok {
			best = addBest(best, r, want)
		}
		// Without want candidates or a Since there is no lower bound in time to check
		// against: any older row could still enter the page.
		if read >= nextCheck && (len(best) >= want || !f.Since.IsZero()) {
			done, err := walkDone(ctx, tx, p, best, want, f.Since, w)
			if err != nil || done {
				return best, err
			}
			nextCheck = 2 * read
		}
	}
	return best, rows.Err()
}

// scanWalkRow reads one row of walkLogs' query: the search result's rowid, and its entry if
// the entry passed the other conditions (ok).
func scanWalkRow(rows *sql.Rows) (rowid int64, e logRow, ok bool, err error) {
	var seq sql.NullInt64
	var id, syncEvent, client, event, level, message, context, ts sql.NullString
	if err := rows.Scan(&rowid, &seq, &id, &syncEvent, &client, &event, &level, &message, &context, &ts); err != nil {
		return 0, logRow{}, false, err
	}
	if !seq.Valid {
		return rowid, logRow{}, false, nil
	}
	e = logRow{seq: seq.Int64, LogEntry: LogEntry{ID: id.String, SyncEventID: syncEvent.String,
		ClientID: client.String, Event: event.String, Level: level.String, Message: message.String}}
	if context.Valid {
		e.Context = []byte(context.String)
	}
	if e.Timestamp, err = parseTime(ts.String); err != nil {
		return 0, logRow{}, false, err
	}
	return rowid, e, true, nil
}

// addBest inserts r into best, which is sorted newest first and keeps at most want rows.
func addBest(best []logRow, r logRow, want int) []logRow {
	if len(best) >= want && !r.newer(best[want-1]) {
		return best
	}
	i, _ := slices.BinarySearchFunc(best, r, func(e, t logRow) int {
		if e.newer(t) {
			return -1
		}
		return 1
	})
	best = slices.Insert(best, i, r)
	return best[:min(len(best), want)]
}

// walkDone reports whether no row below rowid p can enter the page any more: none that
// passes w (the conditions on the row's columns, cursor included) is newer than the want-th
// candidate and from since on. The caller makes sure that there is such a lower bound (want
// candidates, or since).
//
// The rows that event_log_out_of_order does not list are in time order (migration 0005), so
// none of those below p is newer than the first of them at or above p, the fence: if the
// fence is below the lower bound, so are they. The listed rows below p above the bound are
// few (the table's time index finds them) and are looked up, to drop those that fail w;
// whether they match the text is left open. So the answer may be a cautious "not yet": when
// such a listed row remains, or when the fence is newer than the bound, or there is none.
func walkDone(ctx context.Context, tx *sql.Tx, p int64, best []logRow, want int, since time.Time, w where) (bool, error) {
	var listed where
	listed.add("seq < ?", p)
	var below []string // what puts the fence below the lower bound, ORed
	var belowArgs []any
	if len(best) >= want {
		last := best[want-1]
		listed.add("(timestamp, seq) > (?, ?)", formatTime(last.Timestamp), last.seq)
		below = append(below, "(timestamp, seq) <= (?, ?)")
		belowArgs = append(belowArgs, formatTime(last.Timestamp), last.seq)
	}
	if !since.IsZero() {
		listed.add("timestamp >= ?", formatTime(since))
		below = append(below, "timestamp < ?")
		belowArgs = append(belowArgs, formatTime(since))
	}
	// The listed rows that could still enter the page. The lower bound in time is what keeps
	// them few, whatever the number listed below p, so the time index is the way in.
	strays := w
	strays.conds = append(slices.Clip(w.conds), "seq IN (SELECT seq FROM event_log_out_of_order"+
		" INDEXED BY event_log_out_of_order_timestamp"+listed.sql()+")")
	strays.args = append(slices.Clip(w.args), listed.args...)

	var fenced sql.NullBool
	var stray bool
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT `+strings.Join(below, " OR ")+` FROM event_log
			WHERE seq >= ? AND NOT EXISTS (SELECT 1 FROM event_log_out_of_order AS o WHERE o.seq = event_log.seq)
			ORDER BY seq LIMIT 1),
		EXISTS (SELECT 1 FROM event_log`+strays.sql()+`)`,
		append(append(belowArgs, p), strays.args...)...).Scan(&fenced, &stray)
	return fenced.Valid && fenced.Bool && !stray, err
}

// qualify prefixes each column of a comma-separated list with table.
func qualify(columns, table string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = table + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// logMatch is the FTS5 expression for f's text search, or "" if f has none, with the words
// already rendered (ftsQuery, or spellPrefixes for a page). The client and (withLevels) the
// levels become the tags terms of migrations 0004 and 0008, put first, which lets FTS5
// start from the shorter lists: with both, the pair terms, whose lists hold exactly the
// entries of that client at those levels. They narrow the results but do not decide them,
// since the same terms could occur in a message, so the queries keep their level and client
// conditions too. Levels must be valid (logWhere checks them).
func logMatch(f LogFilter, withLevels bool, words string) string {
	if words == "" {
		return ""
	}
	var levels []string
	if withLevels {
		for _, l := range f.Levels {
			if level, _ := normalizeLevel(l); !slices.Contains(levels, level) {
				levels = append(levels, level)
			}
		}
		if len(levels) == 4 { // all four levels filter nothing
			levels = nil
		}
	}
	var parts []string
	client := strings.ToUpper(hex.EncodeToString([]byte(f.ClientID)))
	switch {
	case f.ClientID != "" && len(levels) > 0:
		pairs := make([]string, len(levels))
		for i, level := range levels {
			pairs[i] = `"` + tagMark + "k" + level + client + `"`
		}
		parts = append(parts, "("+strings.Join(pairs, " OR ")+")")
	case f.ClientID != "":
		parts = append(parts, `"`+tagMark+"c"+client+`"`)
	case len(levels) > 0:
		terms := make([]string, len(levels))
		for i, level := range levels {
			terms[i] = `"` + tagMark + "l" + level + `"`
		}
		parts = append(parts, "("+strings.Join(terms, " OR ")+")")
	}
	parts = append(parts, "("+words+")")
	return strings.Join(parts, " AND ")
}

// tagMark starts every tags term (migration 0004). It is a private-use character, which the
// tokenizer keeps as part of a word, and searchWords reads it as a space, so that no search
// word can match a tags term, or a prefix search assemble their lists.
const tagMark = "\uE000"

// searchWord is one word of what a user typed: its text, and whether it ended in * (a
// prefix search).
type searchWord struct {
	text   string
	prefix bool
}

// phrase is w as a quoted FTS5 phrase, so that punctuation and FTS5 operators in it are
// plain text, with the * of a prefix search after it.
func (w searchWord) phrase() string {
	p := `"` + strings.ReplaceAll(w.text, `"`, `""`) + `"`
	if w.prefix {
		p += "*"
	}
	return p
}

// searchWords splits what a user typed into words. Words with nothing searchable in them
// are dropped; tagMark separates words.
func searchWords(q string) []searchWord {
	var out []searchWord
	for _, word := range strings.Fields(strings.ReplaceAll(q, tagMark, " ")) {
		prefix := strings.HasSuffix(word, "*")
		word = strings.TrimRight(word, "*")
		if !strings.ContainsFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		out = append(out, searchWord{text: word, prefix: prefix})
	}
	return out
}

// ftsQuery turns what a user typed into an FTS5 query that cannot be a syntax error: each
// word becomes a quoted phrase, and the phrases must all match. An empty result means no
// text condition.
func ftsQuery(q string) string {
	return joinPhrases(searchWords(q), nil)
}

// joinPhrases renders words as FTS5 phrases that must all match, each word by spell if it
// has a spelling there and by its phrase otherwise. The AND is spelled out: FTS5 reads two
// phrases side by side as both, but not a phrase beside a parenthesized group.
func joinPhrases(words []searchWord, spell map[searchWord]string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		if sp, ok := spell[w]; ok {
			parts[i] = sp
		} else {
			parts[i] = w.phrase()
		}
	}
	return strings.Join(parts, " AND ")
}

// maxSpelled is the most words a prefix search is spelled out as; a prefix with more keeps
// FTS5's own prefix search.
const maxSpelled = 32

// spellPrefixes renders words for a page of a search (walkLogs), with each prefix search
// spelled out as the words of the log it stands for, read from event_log_terms (migration
// 0008) in q's transaction: "write"* becomes ("write" OR "writes"). FTS5 gathers the full
// result lists of a prefix's words before it returns the first entry; the words themselves
// it reads lazily, newest first, so a page stops early as it does for a plain word.
//
// A word is spelled out only when its text is ASCII, where the tokenizer's work is plain
// (letters and digits make words, everything else separates them, and letters fold to lower
// case), so that the store can find the word the prefix is; and when it stands for between
// one and maxSpelled words. Any other keeps its phrase: the same entries, found more slowly.
func spellPrefixes(ctx context.Context, tx *sql.Tx, words []searchWord) (string, error) {
	spell := map[searchWord]string{}
	for _, w := range words {
		if _, done := spell[w]; done || !w.prefix {
			continue
		}
		spell[w] = w.phrase() // unless spelled out below
		tokens, ok := asciiTokens(w.text)
		if !ok {
			continue
		}
		last := tokens[len(tokens)-1]
		end := last[:len(last)-1] + string(last[len(last)-1]+1) // last is ASCII letters and digits
		rows, err := tx.QueryContext(ctx, `SELECT term FROM event_log_terms WHERE term >= ? AND term < ?
			ORDER BY term LIMIT ?`, last, end, maxSpelled+1)
		if err != nil {
			return "", fmt.Errorf("spell %q: %w", w.text+"*", err)
		}
		terms, err := collect(rows, scanString)
		if err != nil {
			return "", fmt.Errorf("spell %q: %w", w.text+"*", err)
		}
		if len(terms) == 0 || len(terms) > maxSpelled {
			continue
		}
		// The phrase's other words stay in front: "file.writ"* is the phrase "file" then a
		// word starting with "writ", so it becomes ("file write" OR "file written").
		lead := strings.Join(tokens[:len(tokens)-1], " ")
		alts := make([]string, len(terms))
		for i, t := range terms {
			alts[i] = `"` + strings.TrimSpace(lead+" "+t) + `"`
		}
		spell[w] = "(" + strings.Join(alts, " OR ") + ")"
	}
	return joinPhrases(words, spell), nil
}

// asciiTokens is how the search index's tokenizer splits an ASCII text into words
// (appendASCIIWords). ok is false for text that is not ASCII or holds no word.
func asciiTokens(text string) (tokens []string, ok bool) {
	tokens, ok = appendASCIIWords(nil, text)
	return tokens, ok && len(tokens) > 0
}
