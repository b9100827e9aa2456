package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/settings"
	"aisync/backend/store"
)

// snapshotStore is the real store with a RecordSnapshot that can be made slow or failing,
// and the storing of the items' origins failing.
type snapshotStore struct {
	*store.SQLite
	fail        atomic.Bool
	failOrigins atomic.Bool
	delay       time.Duration
	// wroteFirst is set when the watched client file changed while the snapshot was being stored.
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

func (s *snapshotStore) PutSetting(ctx context.Context, key string, v any) error {
	if s.failOrigins.Load() && strings.HasPrefix(key, "engine.origins:") {
		return errors.New("database is locked")
	}
	return s.SQLite.PutSetting(ctx, key, v)
}

// The snapshot of a pass is stored while the endpoints are encoded, but no file is written
// before it is stored, and none at all (nor any endpoint state) when storing it, or the
// items' origins before it, fails.
func TestNoWriteBeforeTheSnapshotIsStored(t *testing.T) {
	t.Parallel()
	var st *snapshotStore
	h := newHarnessWith(t, settings.PolicyMerge, func(sq *store.SQLite) store.Store {
		st = &snapshotStore{SQLite: sq, delay: 30 * time.Millisecond}
		return st
	}, "alpha", "beta")
	st.watch = h.path("beta")
	ctx := context.Background()
	h.write("alpha", `{"servers":{"fetch":{"transport":"stdio","command":"uvx"}}}`)
	h.write("beta", `{"servers":{}}`)

	for _, failing := range []struct {
		what, err string
		flag      *atomic.Bool
	}{{"snapshot", "disk full", &st.fail}, {"origins", "database is locked", &st.failOrigins}} {
		failing.flag.Store(true)
		res := h.sync(TriggerCLI)
		failing.flag.Store(false)
		if len(res.Errors) == 0 || !strings.Contains(strings.Join(res.Errors, "\n"), failing.err) || res.FilesWritten != 0 || res.Snapshots != 0 {
			t.Fatalf("a pass whose %s failed: %+v", failing.what, res)
		}
		if data, _ := os.ReadFile(h.path("beta")); string(data) != `{"servers":{}}` {
			t.Fatalf("beta was written although the %s failed: %s", failing.what, data)
		}
		if states, _ := h.st.ListEndpointStates(ctx, clients.UserScope.ID()); len(states) != 0 {
			t.Fatalf("states recorded for a pass whose %s failed: %+v", failing.what, states)
		}
	}

	res := h.sync(TriggerCLI)
	if len(res.Errors) != 0 || res.Snapshots != 1 || len(res.SnapshotIDs) != 1 || res.FilesWritten != 1 {
		t.Fatalf("the next pass: %+v", res)
	}
	if st.wroteFirst.Load() {
		t.Fatal("beta was written while the snapshot was still being stored")
	}
	if got := h.servers("beta"); got["fetch"].Command != "uvx" {
		t.Fatalf("beta after the pass: %+v", got)
	}
	if states, _ := h.st.ListEndpointStates(ctx, clients.UserScope.ID()); len(states) != 2 {
		t.Fatalf("states after the pass: %d, want 2", len(states))
	}
}
