package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/settings"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// snapshotStore is the real store with a RecordSnapshot that can be made slow or failing.
type snapshotStore struct {
	*store.SQLite
	fail  atomic.Bool
	delay time.Duration
	// wroteFirst is set when a client file changed while the snapshot was being stored.
	watch      string
	wroteFirst atomic.Bool
}

func (s *snapshotStore) RecordSnapshot(ctx context.Context, snap store.Snapshot, diffs []store.SnapshotDiff, logs ...store.LogEntry) (store.Snapshot, error) {
	before, _ := os.ReadFile(s.watch)
	time.Sleep(s.delay)
	if after, _ := os.ReadFile(s.watch); string(after) != string(before) {
		s.wroteFirst.Store(true)
	}
	if s.fail.Load() {
		return store.Snapshot{}, errors.New("disk full")
	}
	return s.SQLite.RecordSnapshot(ctx, snap, diffs, logs...)
}

// The snapshot of a pass is stored while the endpoints are encoded, but no file is written
// before it is stored, and none at all (nor any endpoint state) when storing it fails.
func TestNoWriteBeforeTheSnapshotIsStored(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	sq, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "aisync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	for _, id := range []string{"alpha", "beta"} {
		os.MkdirAll(filepath.Join(home, "."+id), 0o755)
	}
	beta := filepath.Join(home, ".beta", "servers.json")
	st := &snapshotStore{SQLite: sq, delay: 30 * time.Millisecond, watch: beta}
	eng := New(Options{
		Store: st, Bus: events.NewBus(100), Logger: testLogger(),
		Env:      clients.Env{GOOS: "linux", Home: home},
		Adapters: []clients.Adapter{fakeAdapter{"alpha"}, fakeAdapter{"beta"}},
		Settings: settings.Settings{ConflictPolicy: settings.PolicyMerge, Debounce: 5 * time.Millisecond, RetryMax: 2, RetryBase: 2 * time.Millisecond},
		Backups:  fsx.Backups{Dir: filepath.Join(t.TempDir(), "backups"), Keep: 5},
	})
	ctx := context.Background()
	os.WriteFile(filepath.Join(home, ".alpha", "servers.json"), []byte(`{"servers":{"fetch":{"transport":"stdio","command":"uvx"}}}`), 0o644)
	os.WriteFile(beta, []byte(`{"servers":{}}`), 0o644)

	st.fail.Store(true)
	res, err := eng.SyncAll(ctx, TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) == 0 || !strings.Contains(strings.Join(res.Errors, "\n"), "disk full") || res.FilesWritten != 0 || res.Snapshots != 0 {
		t.Fatalf("a pass whose snapshot failed: %+v", res)
	}
	if data, _ := os.ReadFile(beta); string(data) != `{"servers":{}}` {
		t.Fatalf("beta was written although the snapshot failed: %s", data)
	}
	if states, _ := sq.ListEndpointStates(ctx, clients.UserScope.ID()); len(states) != 0 {
		t.Fatalf("states recorded for a pass that failed: %+v", states)
	}

	st.fail.Store(false)
	res, err = eng.SyncAll(ctx, TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || res.Snapshots != 1 || len(res.SnapshotIDs) != 1 || res.FilesWritten != 1 {
		t.Fatalf("the next pass: %+v", res)
	}
	if st.wroteFirst.Load() {
		t.Fatal("beta was written while the snapshot was still being stored")
	}
	var got struct{ Servers map[string]unified.Server }
	data, _ := os.ReadFile(beta)
	if err := json.Unmarshal(data, &got); err != nil || got.Servers["fetch"].Command != "uvx" {
		t.Fatalf("beta after the pass: %s (%v)", data, err)
	}
	if states, _ := sq.ListEndpointStates(ctx, clients.UserScope.ID()); len(states) != 2 {
		t.Fatalf("states after the pass: %d, want 2", len(states))
	}
}
