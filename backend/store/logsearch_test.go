package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// refEntry is a log row as the reference filter sees it.
type refEntry struct {
	LogEntry
	seq    int64
	tokens []string // the words of message and context, as the search index splits them
}

// refLog reads every row of the log, for filtering in Go.
func refLog(t *testing.T, s *SQLite) []refEntry {
	t.Helper()
	rows, err := s.read.Query(`SELECT ` + logSelect + ` FROM event_log`)
	mustNoErr(t, err)
	all, err := collect(rows, scanLogRow)
	mustNoErr(t, err)
	out := make([]refEntry, len(all))
	for i, r := range all {
		split := func(r rune) bool { return !unicode.In(r, unicode.L, unicode.N, unicode.Co) }
		tokens := strings.FieldsFunc(strings.ToLower(r.Message+" "+string(r.Context)), split)
		out[i] = refEntry{LogEntry: r.LogEntry, seq: r.seq, tokens: tokens}
	}
	return out
}

// refFilter is the reference for a filter: the matching entries, newest first. Words are
// ASCII, or a private-use character and ASCII, each one token, so that splitting on anything
// but letters, digits and private-use characters is how the search index sees them too; in
// a query, tagMark is a space.
func refFilter(all []refEntry, f LogFilter, withLevels bool) []refEntry {
	var out []refEntry
	for _, e := range all {
		if withLevels && len(f.Levels) > 0 && !slices.Contains(f.Levels, e.Level) ||
			f.ClientID != "" && e.ClientID != f.ClientID ||
			f.Event != "" && e.Event != f.Event ||
			!f.Since.IsZero() && e.Timestamp.Before(f.Since) ||
			!f.Until.IsZero() && !e.Timestamp.Before(f.Until) {
			continue
		}
		matches := true
		for _, w := range strings.Fields(strings.ToLower(strings.ReplaceAll(f.Query, tagMark, " "))) {
			prefix := strings.HasSuffix(w, "*")
			w = strings.TrimSuffix(w, "*")
			matches = matches && slices.ContainsFunc(e.tokens, func(tok string) bool {
				return tok == w || prefix && strings.HasPrefix(tok, w)
			})
		}
		if matches {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b refEntry) int {
		return -cmp.Or(a.Timestamp.Compare(b.Timestamp), cmp.Compare(a.seq, b.seq))
	})
	return out
}

// TestLogQueriesMatchReference checks every way the store answers a log filter against
// filtering all rows in Go: pages without a search (one query on a time index) and with
// one (the walk over the search results, from the top and from random cursors), full
// listings by either plan, and counts by level. The log is built to be awkward: runs of
// equal timestamps, backfills carrying old timestamps and entries stamped ahead of time
// among in-order ones, deleted rows, entries without a client or with one that is not a
// plain word, and messages that contain the very terms the search index uses for levels
// and clients.
func TestLogQueriesMatchReference(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"alpha", "alphabet", "beta", "gamma", "delta", "linfo", "lerror", "c637572736F72",
		tagMark + "linfo", tagMark + "c637572736F72"} // the search index's level and client terms
	clients := []string{"cursor", "codex", "zed", "claude-code", "", "a b/ü"}
	levels := []string{LevelDebug, LevelInfo, LevelWarn, LevelError}
	events := []string{"sync.started", "write.failed"}

	n := 0
	entry := func(ts time.Time) LogEntry {
		n++
		var msg []string
		for range 1 + r.IntN(3) {
			msg = append(msg, words[r.IntN(len(words))])
		}
		e := LogEntry{ID: fmt.Sprintf("e%05d", n), Level: levels[r.IntN(len(levels))],
			ClientID: clients[r.IntN(len(clients))], Event: events[r.IntN(len(events))],
			Message: strings.Join(msg, []string{" ", ": ", "/"}[r.IntN(3)]), Timestamp: ts}
		if r.IntN(3) == 0 {
			e.Context = []byte(fmt.Sprintf(`{"k":%q}`, words[r.IntN(len(words))]))
		}
		return e
	}
	at := func(from, count int, ts func(i int) time.Duration) {
		var batch []LogEntry
		for i := range count {
			batch = append(batch, entry(t0.Add(ts(from+i))))
		}
		mustNoErr(t, s.AppendLogs(ctx, batch...))
	}
	inOrder := func(i int) time.Duration { return time.Duration(i/3) * time.Second } // runs of 3
	backfill := func(upTo int) func(int) time.Duration {
		return func(int) time.Duration { return time.Duration(r.IntN(upTo)) * time.Second }
	}
	ahead := func(d time.Duration) func(int) time.Duration {
		return func(i int) time.Duration { return inOrder(i) + d }
	}
	at(0, 2400, inOrder)
	at(0, 150, backfill(800))
	at(2400, 1, ahead(time.Hour)) // listed itself, not the entries after it
	at(2401, 900, inOrder)
	at(0, 150, backfill(1100))
	at(3301, 3, ahead(time.Minute))
	at(3304, 300, inOrder)
	_, err := s.write.Exec(`DELETE FROM event_log WHERE seq % 97 = 0`)
	mustNoErr(t, err)
	checkOutOfOrder(t, s, 330)
	all := refLog(t, s)

	randomFilter := func() LogFilter {
		var f LogFilter
		for _, l := range levels {
			if r.IntN(3) == 0 {
				f.Levels = append(f.Levels, l)
			}
		}
		if r.IntN(4) > 0 {
			f.ClientID = append(clients[:4:4], "a b/ü", "nobody")[r.IntN(6)]
		}
		if r.IntN(8) == 0 {
			f.Event = events[r.IntN(len(events))]
		}
		if r.IntN(6) == 0 {
			f.Since = t0.Add(time.Duration(r.IntN(1100)) * time.Second)
		}
		if r.IntN(6) == 0 {
			f.Until = t0.Add(time.Duration(100+r.IntN(1100)) * time.Second)
		}
		queries := []string{"", "alpha", "alpha*", "beta gamma", "linfo", "lerror", "c637572736F72", "c6*", "l*",
			"delta nothing", tagMark + "linfo", tagMark + "c637572736F72", tagMark + "l*"}
		f.Query = queries[r.IntN(len(queries))]
		f.Limit = 1 + r.IntN(30)
		return f
	}

	cases := 400
	if raceEnabled {
		cases = 40 // the same first 40 of the seeded sequence; all 400 run without the detector
	}
	for i := range cases {
		f := randomFilter()
		want := refFilter(all, f, true)
		name := fmt.Sprintf("%d/levels=%v/client=%q/event=%q/since=%v/until=%v/q=%q/limit=%d", i, f.Levels, f.ClientID,
			f.Event, !f.Since.IsZero(), !f.Until.IsZero(), f.Query, f.Limit)
		t.Run(name, func(t *testing.T) {
			// Pages, from the top or from a random row's place (which may be filtered out,
			// or deleted).
			start := 0
			if r.IntN(2) == 0 {
				c := all[r.IntN(len(all))]
				if r.IntN(10) == 0 {
					c.seq += 97 - c.seq%97 // a deleted row
				}
				f.Cursor = encodeCursor(formatTime(c.Timestamp), fmt.Sprint(c.seq))
				start, _ = slices.BinarySearchFunc(want, c, func(e, c refEntry) int {
					return -cmp.Or(e.Timestamp.Compare(c.Timestamp), cmp.Compare(e.seq, c.seq))
				})
				for start < len(want) && want[start].seq == c.seq {
					start++
				}
			}
			for page := 0; page < 5; page++ {
				p, err := s.ListLogs(ctx, f)
				mustNoErr(t, err)
				end := min(start+f.Limit, len(want))
				if got, exp := ids(p.Items), refIDs(want[start:end]); !slices.Equal(got, exp) {
					t.Fatalf("page %d: got %v, want %v", page, got, exp)
				}
				if (p.NextCursor != "") != (end < len(want)) {
					t.Fatalf("page %d: next cursor %q with %d of %d entries listed", page, p.NextCursor, end, len(want))
				}
				if p.NextCursor == "" {
					break
				}
				f.Cursor, start = p.NextCursor, end
			}

			// Full listings, oldest first, by each plan.
			exp := refIDs(want)
			slices.Reverse(exp)
			for _, driveMax := range []int{0, 1 << 30} {
				s.search.driveMax = driveMax
				var got []string
				mustNoErr(t, s.StreamLogs(ctx, f, func(e LogEntry) error {
					got = append(got, e.ID)
					return nil
				}))
				if !slices.Equal(got, exp) {
					t.Errorf("stream with driveMax %d: got %d entries, want %d", driveMax, len(got), len(exp))
				}
			}
			s.search = defaultSearchTuning

			counts, err := s.CountLogsByLevel(ctx, f)
			mustNoErr(t, err)
			wantCounts := map[string]int64{}
			for _, e := range refFilter(all, f, false) {
				wantCounts[e.Level]++
			}
			if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
				t.Errorf("counts = %v, want %v", counts, wantCounts)
			}
		})
	}
}

// checkOutOfOrder checks that the log entries that event_log_out_of_order does not list are
// in time order, and that it lists at most max entries, each with its timestamp.
func checkOutOfOrder(t *testing.T, s *SQLite, max int) {
	t.Helper()
	rows, err := s.read.Query(`SELECT e.seq, e.timestamp, o.timestamp FROM event_log AS e
		LEFT JOIN event_log_out_of_order AS o USING (seq) ORDER BY e.seq`)
	mustNoErr(t, err)
	defer rows.Close()
	var listed int
	var prev string
	for rows.Next() {
		var seq int64
		var ts string
		var listedTS *string
		mustNoErr(t, rows.Scan(&seq, &ts, &listedTS))
		switch {
		case listedTS != nil:
			listed++
			if *listedTS != ts {
				t.Errorf("row %d listed at %s, has %s", seq, *listedTS, ts)
			}
		case ts < prev:
			t.Fatalf("row %d at %s is not listed but older than an earlier unlisted row at %s", seq, ts, prev)
		default:
			prev = ts
		}
	}
	mustNoErr(t, rows.Err())
	var orphans int
	mustNoErr(t, s.read.QueryRow(`SELECT count(*) FROM event_log_out_of_order
		WHERE seq NOT IN (SELECT seq FROM event_log)`).Scan(&orphans))
	if listed > max || orphans > 0 {
		t.Errorf("%d rows listed as out of order (want at most %d), %d of deleted rows", listed, max, orphans)
	}
}

// allPages lists up to 30 pages and returns the ids in order, with a marker at page breaks
// so that two listings agree only if their pages do.
func allPages(t *testing.T, f LogFilter, list func(LogFilter) (Page[LogEntry], error)) []string {
	t.Helper()
	var ids []string
	for range 30 {
		p, err := list(f)
		mustNoErr(t, err)
		for _, e := range p.Items {
			ids = append(ids, e.ID)
		}
		ids = append(ids, "|")
		if p.NextCursor == "" {
			return ids
		}
		f.Cursor = p.NextCursor
	}
	return ids
}

func ids(es []LogEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func refIDs(es []refEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestFTSQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"github", `"github"`},
		{"  two   words ", `"two" AND "words"`},
		{"pre*", `"pre"*`},
		{`say "hi"`, `"say" AND """hi"""`},
		{"a AND b OR NOT c", `"a" AND "AND" AND "b" AND "OR" AND "NOT" AND "c"`},
		{"- * ()", ""},
		{"", ""},
		{"~/.cursor/mcp.json", `"~/.cursor/mcp.json"`},
		{"café", `"café"`},
		{tagMark + "linfo a" + tagMark + "b", `"linfo" AND "a" AND "b"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := ftsQuery(tc.in); got != tc.want {
				t.Errorf("ftsQuery(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestLogMatch(t *testing.T) {
	for _, tc := range []struct {
		f          LogFilter
		withLevels bool
		want       string
	}{
		{LogFilter{}, true, ""},
		{LogFilter{Levels: []string{"error"}, ClientID: "cursor"}, true, ""},
		{LogFilter{Query: "git*"}, true, `("git"*)`},
		{LogFilter{Query: "a b", ClientID: "cursor", Levels: []string{"WARNING", "error", "warn"}}, true,
			"(\"\uE000kwarn637572736F72\" OR \"\uE000kerror637572736F72\") AND (\"a\" AND \"b\")"},
		{LogFilter{Query: "a", ClientID: "cursor", Levels: []string{"error"}}, false,
			"\"\uE000c637572736F72\" AND (\"a\")"},
		{LogFilter{Query: "a", ClientID: "cursor", Levels: []string{"debug", "info", "warn", "error"}}, true,
			"\"\uE000c637572736F72\" AND (\"a\")"},
		{LogFilter{Query: "a", Levels: []string{"info", "INFO"}}, true, "(\"\uE000linfo\") AND (\"a\")"},
		{LogFilter{Query: "a", Levels: []string{"debug", "info", "warn", "error"}}, true, `("a")`},
	} {
		if got := logMatch(tc.f, tc.withLevels, ftsQuery(tc.f.Query)); got != tc.want {
			t.Errorf("logMatch(%+v, %v) = %s, want %s", tc.f, tc.withLevels, got, tc.want)
		}
	}
}
