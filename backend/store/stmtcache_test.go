package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The statements every pass runs stay prepared on the writer between transactions, and
// writers that run concurrently (one preparing them while another's transaction uses them)
// neither block each other for good nor lose a row. Rows inserted through a kept statement
// still reach the search index.
func TestWriterKeepsStatementsAcrossTransactions(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const workers, rounds = 6, 15
	concurrently(t, workers, func(w int) error {
		for r := range rounds {
			var err error
			if w%2 == 0 {
				entries := make([]LogEntry, 1+r%3)
				for i := range entries {
					entries[i] = LogEntry{Level: LevelInfo, Event: "test", Message: fmt.Sprintf("worker%d round%d entry%d kestrel", w, r, i)}
				}
				err = s.AppendLogs(ctx, entries...)
			} else {
				id := fmt.Sprintf("c|user|/h/%d-%d", w, r)
				err = s.PutEndpointStates(ctx, []StateWrite{{State: EndpointState{EndpointID: id, ClientID: "c", Scope: "user",
					Path: "/h/x", Base: []byte(fmt.Sprintf(`{"n":%d}`, r)), Hash: "h", WrittenHash: "h"}}})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})

	want := 0
	for w := 0; w < workers; w += 2 {
		for r := range rounds {
			want += 1 + r%3
		}
	}
	found, cursor := 0, ""
	for range 100 {
		page, err := s.ListLogs(ctx, LogFilter{Query: "kestrel", Limit: 1000, Cursor: cursor})
		mustNoErr(t, err)
		found += len(page.Items)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if found != want {
		t.Errorf("the search finds %d of the %d entries", found, want)
	}
	states, err := s.ListEndpointStates(ctx, "user")
	mustNoErr(t, err)
	if len(states) != workers/2*rounds {
		t.Errorf("%d endpoint states stored, want %d", len(states), workers/2*rounds)
	}
	for _, q := range append(append([]string{}, appendLogSQL...), putStateSQL...) {
		if s.stmts.get(q) == nil {
			t.Errorf("not kept on the writer: %.60s…", q)
		}
	}

	// A transaction that fails takes its rows with it and leaves the kept statements usable.
	snap := Snapshot{SnapshotMeta: SnapshotMeta{ID: "s1", Scope: "user", UnifiedHash: "x", CreatedBy: "test"}, Payload: []byte(`{}`)}
	_, err = s.RecordSnapshot(ctx, snap, nil, LogEntry{Level: LevelInfo, Message: "first osprey"})
	mustNoErr(t, err)
	if _, err := s.RecordSnapshot(ctx, snap, nil, LogEntry{Level: LevelInfo, Message: "second osprey"}); err == nil {
		t.Fatal("a snapshot with a duplicate id was stored")
	}
	mustNoErr(t, s.AppendLogs(ctx, LogEntry{Level: LevelInfo, Message: "third osprey"}))
	page, err := s.ListLogs(ctx, LogFilter{Query: "osprey"})
	mustNoErr(t, err)
	var got []string
	for _, e := range page.Items {
		got = append(got, e.Message)
	}
	if len(got) != 2 || got[0] != "third osprey" || got[1] != "first osprey" {
		t.Errorf("entries after a failed transaction = %q, want the third and the first", got)
	}
}

// A one-shot store reads through its writer's connection: what a sync pass does (reads,
// writes, a search, from several goroutines at once) completes and is there for the next
// process, which opens the file as usual.
func TestOneShotStoreSharesTheWritersConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aisync.db")
	s, err := OpenOneShot(ctx, path)
	mustNoErr(t, err)
	if s.read != s.write {
		t.Fatal("a one-shot store opened a pool of readers")
	}
	concurrently(t, 4, func(w int) error {
		for r := range 5 {
			id := fmt.Sprintf("c|user|/h/%d-%d", w, r)
			if err := s.PutEndpointStates(ctx, []StateWrite{{State: EndpointState{EndpointID: id, ClientID: "c", Scope: "user", Path: "/h/x", Hash: "h"}}}); err != nil {
				return err
			}
			if err := s.AppendLogs(ctx, LogEntry{Level: LevelInfo, Message: fmt.Sprintf("heron %d %d", w, r)}); err != nil {
				return err
			}
			if _, err := s.ListEndpointStates(ctx, "user"); err != nil {
				return err
			}
			if _, err := s.ListLogs(ctx, LogFilter{Query: "heron"}); err != nil {
				return err
			}
		}
		return nil
	})
	mustNoErr(t, s.Close())

	s2, err := Open(ctx, path)
	mustNoErr(t, err)
	defer s2.Close()
	states, err := s2.ListEndpointStates(ctx, "user")
	mustNoErr(t, err)
	page, err := s2.ListLogs(ctx, LogFilter{Query: "heron", Limit: 100})
	mustNoErr(t, err)
	if len(states) != 20 || len(page.Items) != 20 {
		t.Errorf("reopened: %d states and %d log entries, want 20 and 20", len(states), len(page.Items))
	}
}

// concurrently runs fn(0..n-1) at once and fails the test on the first error, or when they
// have not all returned within two minutes (a caller waiting for a connection another holds).
func concurrently(t *testing.T, n int, fn func(w int) error) {
	t.Helper()
	errs := make(chan error, n)
	for w := range n {
		go func() { errs <- fn(w) }()
	}
	deadline := time.After(2 * time.Minute)
	for range n {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("concurrent store calls did not finish: one is waiting for a connection another holds")
		}
	}
}

// CheckpointSoon copies a one-shot store's large log into the database file while the pass
// goes on writing, Close finishes the job (no log left behind, nothing lost), and a small
// log, or a long-running store's, is left to Close and SQLite.
func TestCheckpointSoon(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("kingfisher ", 60000) // 660 KB: a log past sideCheckpointFrom
	fileSize := func(path string) int64 {
		fi, err := os.Stat(path)
		mustNoErr(t, err)
		return fi.Size()
	}
	for _, tc := range []struct {
		oneShot bool
		value   string
	}{{true, big}, {false, big}, {true, big[:100_000]}} {
		oneShot, big := tc.oneShot, tc.value
		copies := oneShot && len(big) > sideCheckpointFrom
		path := filepath.Join(t.TempDir(), "aisync.db")
		open := Open
		if oneShot {
			open = OpenOneShot
		}
		s, err := open(ctx, path)
		mustNoErr(t, err)
		mustNoErr(t, s.PutSetting(ctx, "big", big))
		before := fileSize(path)
		s.CheckpointSoon()
		mustNoErr(t, s.PutSetting(ctx, "after", "written while it copies"))
		s.side.Wait()
		if grew := fileSize(path) > before+int64(len(big))/2; grew != copies {
			t.Errorf("one-shot %v, %d bytes: database file %d → %d bytes after CheckpointSoon", oneShot, len(big), before, fileSize(path))
		}
		mustNoErr(t, s.Close())
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
			t.Errorf("one-shot %v: the WAL (%d bytes) was left behind after Close", oneShot, fi.Size())
		}
		s2, err := Open(ctx, path)
		mustNoErr(t, err)
		var got, after string
		mustNoErr(t, s2.GetSetting(ctx, "big", &got))
		mustNoErr(t, s2.GetSetting(ctx, "after", &after))
		if got != big || after != "written while it copies" {
			t.Errorf("one-shot %v: reopened with %d and %q", oneShot, len(got), after)
		}
		mustNoErr(t, s2.Close())
	}
}
