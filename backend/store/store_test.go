package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// openTest opens a fresh database in a temporary directory, closed when the test ends.
func openTest(t testing.TB) *SQLite {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "aisync.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testClock is a clock that moves forward by step every time it is read, so that rows
// created one after the other have distinct, ordered times.
type testClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func useClock(s *SQLite, start time.Time, step time.Duration) *testClock {
	c := &testClock{t: start, step: step}
	s.now = c.now
	return c
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func appliedVersions(t *testing.T, db *sql.DB) map[int]string {
	t.Helper()
	rows, err := db.Query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	mustNoErr(t, err)
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		mustNoErr(t, rows.Scan(&v, &at))
		out[v] = at
	}
	mustNoErr(t, rows.Err())
	return out
}

func tableNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT LIKE 'event_log_fts_%' ORDER BY name`)
	mustNoErr(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		mustNoErr(t, rows.Scan(&n))
		names = append(names, n)
	}
	return names
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()

	t.Run("fresh database gets every migration once", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fresh.db")
		s, err := Open(ctx, path)
		mustNoErr(t, err)
		first := appliedVersions(t, s.write)
		if len(first) != latestVersion() || latestVersion() < 3 {
			t.Fatalf("applied %v, want versions 1..%d", first, latestVersion())
		}
		want := []string{"base_blob", "client", "client_endpoint", "config_snapshot", "conflict", "endpoint_state",
			"event_log", "event_log_fts", "event_log_out_of_order", "event_log_terms", "export", "project", "schema_migrations", "setting",
			"snapshot_diff", "sync_event", "tombstone"}
		if got := tableNames(t, s.write); !slices.Equal(got, want) {
			t.Errorf("tables = %v, want %v", got, want)
		}
		mustNoErr(t, s.Close())

		s, err = Open(ctx, path)
		mustNoErr(t, err)
		defer s.Close()
		if again := appliedVersions(t, s.write); !mapsEqual(first, again) {
			t.Errorf("reopening changed schema_migrations: %v -> %v", first, again)
		}
	})

	t.Run("version 1 database is migrated forward and keeps its data", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		old, err := open(ctx, path, 1, false, false)
		mustNoErr(t, err)
		if v := appliedVersions(t, old.write); len(v) != 1 {
			t.Fatalf("old database at versions %v, want only 1", v)
		}
		_, err = old.write.Exec(`INSERT INTO client (id, name, type, status, priority, created_at, updated_at)
			VALUES ('cursor', 'Cursor', 'ide', 'detected', 7, ?, ?)`, formatTime(t0), formatTime(t0))
		mustNoErr(t, err)
		_, err = old.write.Exec(`INSERT INTO event_log (id, client_id, event, level, message, context, timestamp)
			VALUES ('log-1', 'cursor', 'sync.finished', 'info', 'wrote mcp.json for cursor', '{"server":"github"}', ?)`,
			formatTime(t0))
		mustNoErr(t, err)
		mustNoErr(t, old.Close())

		s, err := Open(ctx, path)
		mustNoErr(t, err)
		defer s.Close()
		if v := appliedVersions(t, s.write); len(v) != latestVersion() {
			t.Fatalf("versions after reopening = %v, want 1..%d", v, latestVersion())
		}
		c, err := s.GetClient(ctx, "cursor")
		mustNoErr(t, err)
		if c.Name != "Cursor" || c.Priority != 7 || !c.Enabled || c.ConflictPolicy != "" {
			t.Errorf("migrated client = %+v, want the old row with enabled defaulting to true", c)
		}
		// The search index added later covers rows written before it existed.
		page, err := s.ListLogs(ctx, LogFilter{Query: "github"})
		mustNoErr(t, err)
		if len(page.Items) != 1 || page.Items[0].ID != "log-1" {
			t.Errorf("search over migrated log = %+v, want log-1", page.Items)
		}
		mustNoErr(t, s.IntegrityCheck(ctx))
	})

	// Version 4 rebuilt the search index with level and client terms, and version 5 listed
	// the entries out of time order, for a log that was already there.
	for _, tc := range []struct {
		name   string
		ts     func(i int) time.Duration
		listed int
	}{
		{"in order", func(i int) time.Duration { return time.Duration(i) * time.Second }, 0},
		{"one stamped ahead", func(i int) time.Duration {
			if i == 10 {
				return time.Hour
			}
			return time.Duration(i) * time.Second
		}, 1},
		{"late arrivals", func(i int) time.Duration {
			if i >= 195 {
				return time.Duration(i-190) * time.Second
			}
			return time.Duration(i) * time.Second
		}, 5},
	} {
		t.Run("version 3 log with entries "+tc.name+" is migrated forward", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v3.db")
			old, err := open(ctx, path, 3, false, false)
			mustNoErr(t, err)
			levels := []string{LevelDebug, LevelInfo, LevelWarn, LevelError}
			clients := []string{"cursor", "codex", ""}
			var batch []LogEntry
			for i := range 200 {
				batch = append(batch, LogEntry{ID: fmt.Sprintf("log-%03d", i), Level: levels[i%4], ClientID: clients[i%3],
					Message: []string{"wrote github", "read github", "skipped linear"}[i%5%3], Timestamp: t0.Add(tc.ts(i))})
			}
			mustNoErr(t, old.AppendLogs(ctx, batch...))
			mustNoErr(t, old.Close())

			s, err := Open(ctx, path)
			mustNoErr(t, err)
			defer s.Close()
			checkOutOfOrder(t, s, tc.listed)
			mustNoErr(t, s.IntegrityCheck(ctx))
			all := refLog(t, s)
			for _, f := range []LogFilter{
				{Query: "github", Levels: []string{LevelWarn, LevelError}, ClientID: "codex", Limit: 7},
				{Query: "linear", ClientID: "cursor", Limit: 7},
				{Query: "git*", Levels: []string{LevelInfo}, Limit: 7},
			} {
				want := refIDs(refFilter(all, f, true))
				got := allPages(t, f, func(f LogFilter) (Page[LogEntry], error) { return s.ListLogs(ctx, f) })
				if got = slices.DeleteFunc(got, func(id string) bool { return id == "|" }); !slices.Equal(got, want) {
					t.Errorf("%+v: got %v, want %v", f, got, want)
				}
			}

			// The new triggers keep the index and the list up to date through updates and
			// deletes, which 'integrity-check' compares against the log itself.
			_, err = s.write.Exec(`UPDATE event_log SET level = 'error', client_id = 'zed', timestamp = ?
				WHERE id = 'log-001'`, formatTime(t0))
			mustNoErr(t, err)
			_, err = s.write.Exec(`DELETE FROM event_log WHERE id IN ('log-010', 'log-100', 'log-196')`)
			mustNoErr(t, err)
			mustNoErr(t, s.IntegrityCheck(ctx))
			checkOutOfOrder(t, s, tc.listed+1)
			p, err := s.ListLogs(ctx, LogFilter{Query: "github", Levels: []string{LevelError}, ClientID: "zed"})
			mustNoErr(t, err)
			if got := ids(p.Items); !slices.Equal(got, []string{"log-001"}) {
				t.Errorf("search for the updated entry found %v", got)
			}
		})
	}

	t.Run("database from a newer program is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "newer.db")
		s, err := Open(ctx, path)
		mustNoErr(t, err)
		_, err = s.write.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			latestVersion()+1, formatTime(t0))
		mustNoErr(t, err)
		mustNoErr(t, s.Close())

		_, err = Open(ctx, path)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Open newer database: err = %v, want ErrSchemaTooNew", err)
		}
	})

	t.Run("embedded files are numbered without gaps", func(t *testing.T) {
		if _, err := loadMigrations(migrationFiles); err != nil {
			t.Fatal(err)
		}
	})

	for _, tc := range []struct {
		name  string
		files fstest.MapFS
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/001_b.sql": {}}},
		{"unnumbered", fstest.MapFS{"migrations/init.sql": {}}},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": {}}},
	} {
		t.Run("loader rejects "+tc.name, func(t *testing.T) {
			if _, err := loadMigrations(tc.files); err == nil {
				t.Error("loadMigrations succeeded, want an error")
			}
		})
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("creates a private file and directory", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("unix permissions")
		}
		dir := filepath.Join(t.TempDir(), "data", "aisync")
		s, err := Open(ctx, filepath.Join(dir, "aisync.db"))
		mustNoErr(t, err)
		defer s.Close()
		for path, want := range map[string]os.FileMode{dir: 0o700, s.Path(): 0o600, s.Path() + "-wal": 0o600} {
			fi, err := os.Stat(path)
			mustNoErr(t, err)
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode = %v, want %v", path, got, want)
			}
		}
	})

	t.Run("connection settings", func(t *testing.T) {
		s := openTest(t)
		for _, db := range []*sql.DB{s.write, s.read} {
			for pragma, want := range map[string]string{
				"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1", "synchronous": "1",
			} {
				var got string
				mustNoErr(t, db.QueryRow("PRAGMA "+pragma).Scan(&got))
				if got != want {
					t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
				}
			}
		}
		mustNoErr(t, s.Ping(ctx))
	})

	t.Run("path with URI characters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a b?c#d%e.db")
		s, err := Open(ctx, path)
		mustNoErr(t, err)
		defer s.Close()
		mustNoErr(t, s.PutSetting(ctx, "k", 1))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database not at the given path: %v", err)
		}
	})

	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		t.Run("rejects "+path, func(t *testing.T) {
			if _, err := Open(ctx, path); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("Open(%q) err = %v, want ErrInvalidArgument", path, err)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var v string
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"GetClient", func() error { _, err := s.GetClient(ctx, "nope"); return err }},
		{"UpdateClient", func() error { _, err := s.UpdateClient(ctx, "nope", ClientPatch{}); return err }},
		{"GetSnapshot", func() error { _, err := s.GetSnapshot(ctx, "nope"); return err }},
		{"LatestSnapshot", func() error { _, err := s.LatestSnapshot(ctx, "user"); return err }},
		{"GetDiffs", func() error { _, err := s.GetDiffs(ctx, "nope"); return err }},
		{"GetSyncEvent", func() error { _, err := s.GetSyncEvent(ctx, "nope"); return err }},
		{"FinishSyncEvent", func() error { _, err := s.FinishSyncEvent(ctx, "nope", SyncSucceeded, ""); return err }},
		{"GetConflict", func() error { _, err := s.GetConflict(ctx, "nope"); return err }},
		{"ResolveConflict", func() error { _, err := s.ResolveConflict(ctx, "nope", []byte(`1`), "user"); return err }},
		{"DeleteTombstone", func() error { return s.DeleteTombstone(ctx, "user", "servers/x") }},
		{"GetEndpointState", func() error { _, err := s.GetEndpointState(ctx, "nope"); return err }},
		{"DeleteEndpointState", func() error { return s.DeleteEndpointState(ctx, "nope") }},
		{"GetExport", func() error { _, err := s.GetExport(ctx, "nope"); return err }},
		{"FinishExport", func() error {
			_, err := s.FinishExport(ctx, "nope", ExportResult{Status: ExportSucceeded})
			return err
		}},
		{"GetSetting", func() error { return s.GetSetting(ctx, "nope", &v) }},
		{"RemoveProject", func() error { return s.RemoveProject(ctx, "/nope") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
}
