package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestWalkMatchesSingleQuery checks the chunked search walk against the plain single query
// on a log whose timestamps are out of insertion order in the ways a real one can be:
// entries sharing a timestamp, and late inserts carrying old timestamps (a backfill, a
// second process with a slow batch).
func TestWalkMatchesSingleQuery(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"alpha", "beta", "gamma", "delta"}
	clients := []string{"cursor", "codex", "zed"}
	levels := []string{LevelDebug, LevelInfo, LevelWarn, LevelError}

	entry := func(i int, ts time.Time) LogEntry {
		msg := words[r.IntN(len(words))]
		if r.IntN(3) == 0 {
			msg += " " + words[r.IntN(len(words))]
		}
		return LogEntry{ID: fmt.Sprintf("e%05d", i), Level: levels[r.IntN(len(levels))],
			ClientID: clients[r.IntN(len(clients))], Message: msg, Timestamp: ts}
	}
	var batch []LogEntry
	for i := range 600 {
		batch = append(batch, entry(i, t0.Add(time.Duration(i/3)*time.Second)))
	}
	mustNoErr(t, s.AppendLogs(ctx, batch...))
	batch = batch[:0]
	for i := 600; i < 750; i++ { // late inserts, scattered over the whole time range
		batch = append(batch, entry(i, t0.Add(time.Duration(r.IntN(200))*time.Second)))
	}
	mustNoErr(t, s.AppendLogs(ctx, batch...))

	filters := []LogFilter{
		{Query: "alpha"},
		{Query: "alpha beta"},
		{Query: "gam*"},
		{Query: "delta", Levels: []string{LevelError}},
		{Query: "beta", ClientID: "zed", Levels: []string{LevelWarn, LevelError}},
		{Query: "gamma", Since: t0.Add(100 * time.Second)},
		{Query: "alpha", Until: t0.Add(150 * time.Second)},
		{Query: "delta", Since: t0.Add(50 * time.Second), Until: t0.Add(60 * time.Second)},
		{Query: "beta", Since: t0.Add(180 * time.Second), ClientID: "codex"},
		{Query: "nothing-matches"},
	}
	for _, f := range filters {
		for _, limit := range []int{2, 25} {
			name := fmt.Sprintf("%s/%v/%s/since=%v/until=%v/limit=%d", f.Query, f.Levels, f.ClientID,
				!f.Since.IsZero(), !f.Until.IsZero(), limit)
			t.Run(name, func(t *testing.T) {
				f := f
				f.Limit = limit
				want := allPages(t, f, func(f LogFilter) (Page[LogEntry], error) {
					s.search = defaultSearchTuning
					s.search.driveMax = 1 << 30 // always the single query
					return s.ListLogs(ctx, f)
				})
				got := allPages(t, f, func(f LogFilter) (Page[LogEntry], error) {
					s.search = searchTuning{driveMax: 0, firstChunk: 3, maxChunk: 24} // always the walk
					return s.ListLogs(ctx, f)
				})
				if !slices.Equal(got, want) {
					t.Errorf("walk listed %d entries, single query %d; first difference at %d",
						len(got), len(want), firstDiff(got, want))
				}
			})
		}
	}
	s.search = defaultSearchTuning
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

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFTSQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"github", `"github"`},
		{"  two   words ", `"two" "words"`},
		{"pre*", `"pre"*`},
		{`say "hi"`, `"say" """hi"""`},
		{"a AND b OR NOT c", `"a" "AND" "b" "OR" "NOT" "c"`},
		{"- * ()", ""},
		{"", ""},
		{"~/.cursor/mcp.json", `"~/.cursor/mcp.json"`},
		{"café", `"café"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := ftsQuery(tc.in); got != tc.want {
				t.Errorf("ftsQuery(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
