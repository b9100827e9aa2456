package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAppendLogs(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Millisecond)

	t.Run("fills in ids, times and normalises levels", func(t *testing.T) {
		in := []LogEntry{
			{Level: "WARNING", Message: "a"},
			{Level: "", Message: "b", Context: json.RawMessage(`{"k":1}`)},
			{Level: "Error", Message: "c", ClientID: "cursor", Event: "sync.failed"},
		}
		mustNoErr(t, s.AppendLogs(ctx, in...))
		// The caller's entries are not written to: callers may share them across goroutines.
		if in[0].Level != "WARNING" || in[1].Level != "" || in[2].Level != "Error" {
			t.Errorf("AppendLogs changed the caller's entries: %+v", in)
		}
		page, err := s.ListLogs(ctx, LogFilter{})
		mustNoErr(t, err)
		if len(page.Items) != 3 {
			t.Fatalf("listed %d entries, want 3", len(page.Items))
		}
		levels := map[string]string{}
		for _, e := range page.Items {
			if e.ID == "" || e.Timestamp.IsZero() {
				t.Errorf("entry not filled in: %+v", e)
			}
			levels[e.Message] = e.Level
		}
		if levels["a"] != LevelWarn || levels["b"] != LevelInfo || levels["c"] != LevelError {
			t.Errorf("levels = %v", levels)
		}
	})

	t.Run("no entries is a no-op", func(t *testing.T) {
		mustNoErr(t, s.AppendLogs(ctx))
	})

	t.Run("one bad entry rejects the batch", func(t *testing.T) {
		for name, bad := range map[string]LogEntry{
			"level":   {Level: "fatal", Message: "x"},
			"context": {Level: "info", Message: "x", Context: json.RawMessage(`{`)},
		} {
			err := s.AppendLogs(ctx, LogEntry{Message: "fine"}, bad)
			if !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
			}
		}
		// A database-level failure (an unknown sync event) in the middle of a large batch
		// rolls back the rows before it too.
		batch := make([]LogEntry, 200)
		for i := range batch {
			batch[i] = LogEntry{Message: "batch"}
		}
		batch[150].SyncEventID = "no-such-event"
		if err := s.AppendLogs(ctx, batch...); err == nil {
			t.Fatal("batch with a dangling sync event id was stored")
		}
		page, err := s.ListLogs(ctx, LogFilter{Query: "batch"})
		mustNoErr(t, err)
		if len(page.Items) != 0 {
			t.Errorf("%d rows of the failed batch remain", len(page.Items))
		}
	})

	t.Run("large batch spans several statements", func(t *testing.T) {
		batch := make([]LogEntry, 3*appendBatch+5)
		for i := range batch {
			batch[i] = LogEntry{Message: fmt.Sprintf("bulk %d", i), Event: "bulk"}
		}
		mustNoErr(t, s.AppendLogs(ctx, batch...))
		counts, err := s.CountLogsByLevel(ctx, LogFilter{Event: "bulk"})
		mustNoErr(t, err)
		if counts[LevelInfo] != int64(len(batch)) {
			t.Errorf("stored %v, want %d info rows", counts, len(batch))
		}
	})
}

// seedLogs writes a small, varied log for the filter tests.
func seedLogs(t *testing.T, s *SQLite) []LogEntry {
	t.Helper()
	ctx := context.Background()
	_, err := s.UpsertClient(ctx, Client{ID: "cursor"})
	mustNoErr(t, err)
	ev, err := s.StartSyncEvent(ctx, SyncEvent{ClientID: "cursor", EventType: "watch"})
	mustNoErr(t, err)
	entries := []LogEntry{
		{Level: "info", ClientID: "cursor", Event: "sync.started", SyncEventID: ev.ID, Message: "sync started for cursor"},
		{Level: "warn", ClientID: "codex", Event: "sync.skipped", Message: "codex cannot express SSE server",
			Context: json.RawMessage(`{"server":"linear","transport":"sse"}`)},
		{Level: "error", ClientID: "cursor", Event: "write.failed", SyncEventID: ev.ID,
			Message: "write ~/.cursor/mcp.json: permission denied", Context: json.RawMessage(`{"server":"github"}`)},
		{Level: "info", ClientID: "zed", Event: "sync.finished", Message: "wrote settings.json (github, linear)"},
		{Level: "debug", ClientID: "cursor", Event: "watch.event", Message: "debounced 3 events"},
		{Level: "error", ClientID: "codex", Event: "parse.failed", Message: "decode codex config: toml: line 3"},
		{Level: "info", Message: "Résumé of the café sync"},
	}
	for i := range entries {
		entries[i].ID = fmt.Sprintf("log-%d", i)
		entries[i].Timestamp = t0.Add(time.Duration(i) * time.Minute)
	}
	mustNoErr(t, s.AppendLogs(ctx, entries...))
	return entries
}

func TestListLogsFilters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	entries := seedLogs(t, s)

	tests := []struct {
		name   string
		filter LogFilter
		want   []int // indexes into entries, newest first
	}{
		{"all", LogFilter{}, []int{6, 5, 4, 3, 2, 1, 0}},
		{"one level", LogFilter{Levels: []string{"error"}}, []int{5, 2}},
		{"levels any case", LogFilter{Levels: []string{"WARN", "Debug"}}, []int{4, 1}},
		{"client", LogFilter{ClientID: "cursor"}, []int{4, 2, 0}},
		{"event", LogFilter{Event: "sync.skipped"}, []int{1}},
		{"sync event", LogFilter{SyncEventID: entries[0].SyncEventID}, []int{2, 0}},
		{"since until", LogFilter{Since: t0.Add(2 * time.Minute), Until: t0.Add(4 * time.Minute)}, []int{3, 2}},
		{"text", LogFilter{Query: "github"}, []int{3, 2}},
		{"text in context", LogFilter{Query: "sse"}, []int{1}},
		{"text all words", LogFilter{Query: "github permission"}, []int{2}},
		{"text prefix", LogFilter{Query: "linea*"}, []int{3, 1}},
		{"text case and accents", LogFilter{Query: "RESUME cafe"}, []int{6}},
		{"text with path punctuation", LogFilter{Query: "~/.cursor/mcp.json"}, []int{2}},
		{"text with FTS syntax is literal", LogFilter{Query: `codex" (config*`}, []int{5}},
		{"FTS operators are plain words", LogFilter{Query: "codex OR zed"}, nil},
		{"text of punctuation only is ignored", LogFilter{Query: `- " *`}, []int{6, 5, 4, 3, 2, 1, 0}},
		{"text no match", LogFilter{Query: "kubernetes"}, nil},
		{"level client text", LogFilter{Levels: []string{"error", "warn"}, ClientID: "codex", Query: "codex"}, []int{5, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListLogs(ctx, tc.filter)
			mustNoErr(t, err)
			var got, want []string
			for _, e := range page.Items {
				got = append(got, e.ID)
			}
			for _, i := range tc.want {
				want = append(want, entries[i].ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}

	t.Run("entries round trip", func(t *testing.T) {
		page, err := s.ListLogs(ctx, LogFilter{Event: "write.failed"})
		mustNoErr(t, err)
		got, want := page.Items[0], entries[2]
		want.Level = LevelError
		if got.ID != want.ID || got.SyncEventID != want.SyncEventID || got.ClientID != want.ClientID ||
			got.Message != want.Message || string(got.Context) != string(want.Context) || !got.Timestamp.Equal(want.Timestamp) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})

	t.Run("bad cursor", func(t *testing.T) {
		for _, c := range []string{"%%", encodeCursor(formatTime(t0), "snap-01")} {
			for _, q := range []string{"", "github"} {
				if _, err := s.ListLogs(ctx, LogFilter{Cursor: c, Query: q}); !errors.Is(err, ErrInvalidCursor) {
					t.Errorf("cursor %q, query %q: err = %v, want ErrInvalidCursor", c, q, err)
				}
			}
		}
	})

	t.Run("unknown level is refused", func(t *testing.T) {
		if _, err := s.ListLogs(ctx, LogFilter{Levels: []string{"fatal"}}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("err = %v, want ErrInvalidArgument", err)
		}
	})

	t.Run("count by level", func(t *testing.T) {
		for _, tc := range []struct {
			filter LogFilter
			want   map[string]int64
		}{
			{LogFilter{}, map[string]int64{"debug": 1, "info": 3, "warn": 1, "error": 2}},
			{LogFilter{ClientID: "codex"}, map[string]int64{"warn": 1, "error": 1}},
			{LogFilter{Query: "github", Levels: []string{"info"}}, map[string]int64{"info": 1, "error": 1}},
		} {
			got, err := s.CountLogsByLevel(ctx, tc.filter)
			mustNoErr(t, err)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("CountLogsByLevel(%+v) = %v, want %v", tc.filter, got, tc.want)
			}
		}
	})
}

func TestListLogsKeysetPagination(t *testing.T) {
	ctx := context.Background()
	// 250 entries in groups of five sharing a timestamp, so that pages often end inside a
	// group and only the id tie-break keeps them apart.
	var originals []LogEntry
	for i := range 250 {
		originals = append(originals, LogEntry{
			ID: fmt.Sprintf("orig-%03d", i), Level: []string{"info", "warn"}[i%2], ClientID: "cursor",
			Message: "original entry", Timestamp: t0.Add(time.Duration(i/5) * time.Second),
		})
	}

	for _, tc := range []struct {
		name   string
		filter LogFilter
		want   int
	}{
		{"unfiltered", LogFilter{}, 250},
		{"level", LogFilter{Levels: []string{"warn"}}, 125},
		{"client and text", LogFilter{ClientID: "cursor", Query: "original"}, 250},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTest(t)
			mustNoErr(t, s.AppendLogs(ctx, originals...))
			f := tc.filter
			f.Limit = 17
			seen := map[string]bool{}
			var order []LogEntry
			for page := 0; ; page++ {
				if page > 100 {
					t.Fatal("pagination does not end")
				}
				p, err := s.ListLogs(ctx, f)
				mustNoErr(t, err)
				if len(p.Items) > f.Limit {
					t.Fatalf("page of %d items, limit %d", len(p.Items), f.Limit)
				}
				for _, e := range p.Items {
					if seen[e.ID] {
						t.Fatalf("page %d: %s listed twice", page, e.ID)
					}
					seen[e.ID] = true
					order = append(order, e)
				}
				// Writers keep going between pages: newer entries, and entries with the
				// same timestamp as the cursor, which rank as newer because ties go by
				// insertion order. Both belong before the cursor and must not appear.
				mustNoErr(t, s.AppendLogs(ctx,
					LogEntry{ID: fmt.Sprintf("new-%s-%d", tc.name, page), Level: "warn", ClientID: "cursor",
						Message: "original entry, but newer", Timestamp: t0.Add(time.Hour)},
					LogEntry{ID: fmt.Sprintf("zzz-%s-%d", tc.name, page), Level: "warn", ClientID: "cursor",
						Message: "original entry, same time", Timestamp: lastOf(order).Timestamp},
				))
				if p.NextCursor == "" {
					break
				}
				f.Cursor = p.NextCursor
			}
			origSeen := 0
			for id := range seen {
				if strings.HasPrefix(id, "orig-") {
					origSeen++
				} else {
					t.Errorf("entry %s written after the listing began was listed", id)
				}
			}
			if origSeen != tc.want {
				t.Errorf("listed %d original entries, want %d", origSeen, tc.want)
			}
			// The originals were inserted in id order, so among equal timestamps insertion
			// order and id order agree.
			for i := 1; i < len(order); i++ {
				if !older(order[i].Timestamp, order[i].ID, order[i-1].Timestamp, order[i-1].ID) {
					t.Fatalf("not newest first at %d: %s after %s", i, order[i].ID, order[i-1].ID)
				}
			}
		})
	}
}

func lastOf(es []LogEntry) LogEntry {
	if len(es) == 0 {
		return LogEntry{Timestamp: t0}
	}
	return es[len(es)-1]
}

func TestStreamLogs(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	total := 100_000
	if raceEnabled {
		total = 10_000 // too few rows to tell streaming from holding them: see below
	}
	// Each row carries ~350 bytes of text, so holding all of them as LogEntry values would
	// take well over the 50 MiB bound asserted below, while streaming stays at a few MiB.
	padding := strings.Repeat("x", 300)
	batch := make([]LogEntry, 0, 5000)
	for i := range total {
		level := "info"
		if i%10 == 0 {
			level = "error"
		}
		batch = append(batch, LogEntry{
			Level: level, ClientID: "cursor", Event: "stream",
			Message:   fmt.Sprintf("entry %d of the stream test", i),
			Context:   json.RawMessage(`{"pad":"` + padding + `"}`),
			Timestamp: t0.Add(time.Duration(i) * time.Millisecond),
		})
		if len(batch) == cap(batch) {
			mustNoErr(t, s.AppendLogs(ctx, batch...))
			batch = batch[:0]
		}
	}
	t.Run("all rows oldest first in flat memory", func(t *testing.T) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		var peak uint64
		n := 0
		var prev time.Time
		err := s.StreamLogs(ctx, LogFilter{Event: "stream"}, func(e LogEntry) error {
			if e.Timestamp.Before(prev) {
				return fmt.Errorf("row %d out of order", n)
			}
			prev = e.Timestamp
			n++
			if n%5000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return nil
		})
		mustNoErr(t, err)
		if n != total {
			t.Fatalf("streamed %d rows, want %d", n, total)
		}
		growth := int64(peak) - int64(base)
		t.Logf("heap: base %.1f MiB, peak %.1f MiB, growth %.1f MiB over %d rows",
			mib(base), mib(peak), float64(growth)/(1<<20), n)
		if !raceEnabled && growth > 50<<20 { // the bound needs 100,000 rows
			t.Errorf("heap grew by %.1f MiB while streaming, want < 50 MiB", float64(growth)/(1<<20))
		}
	})

	t.Run("filters apply", func(t *testing.T) {
		n := 0
		err := s.StreamLogs(ctx, LogFilter{Levels: []string{"error"}, Query: "entry", Limit: 1}, func(LogEntry) error {
			n++
			return nil
		})
		mustNoErr(t, err)
		if n != total/10 {
			t.Errorf("streamed %d error rows, want %d (Limit is ignored)", n, total/10)
		}
	})

	t.Run("callback error stops the stream", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.StreamLogs(ctx, LogFilter{}, func(LogEntry) error {
			n++
			if n == 10 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 10 {
			t.Errorf("err = %v after %d rows, want stop after 10", err, n)
		}
	})

	t.Run("cancelled context stops the stream", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := s.StreamLogs(cctx, LogFilter{}, func(LogEntry) error {
			n++
			if n == 100 {
				cancel()
			}
			return nil
		})
		if err == nil || n >= total {
			t.Errorf("err = %v after %d rows, want a cancellation error", err, n)
		}
	})
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
