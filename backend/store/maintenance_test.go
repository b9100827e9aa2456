package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// A second Store on the same file stands for a second aisync process (the CLI while the
	// app runs): its writes contend for SQLite's file lock, which busy_timeout waits out.
	other, err := Open(ctx, s.Path())
	mustNoErr(t, err)
	defer other.Close()

	const writers, rounds, perBatch = 8, 25, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds*4)
	for w := range writers {
		st := s
		if w%2 == 1 {
			st = other
		}
		wg.Go(func() {
			for r := range rounds {
				batch := make([]LogEntry, perBatch)
				for i := range batch {
					batch[i] = LogEntry{Level: "info", ClientID: fmt.Sprintf("w%d", w), Message: "concurrent write"}
				}
				errs <- st.AppendLogs(ctx, batch...)
				_, err := st.UpsertClient(ctx, Client{ID: fmt.Sprintf("client-%d", w), Status: fmt.Sprint(r)})
				errs <- err
				errs <- st.PutSetting(ctx, fmt.Sprintf("setting-%d", w), r)
				_, err = st.ListLogs(ctx, LogFilter{ClientID: fmt.Sprintf("w%d", w), Limit: 5})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	counts, err := s.CountLogsByLevel(ctx, LogFilter{})
	mustNoErr(t, err)
	if want := int64(writers * rounds * perBatch); counts[LevelInfo] != want {
		t.Errorf("stored %d entries, want %d", counts[LevelInfo], want)
	}
	clients, err := s.ListClients(ctx)
	mustNoErr(t, err)
	if len(clients) != writers {
		t.Errorf("%d clients, want %d", len(clients), writers)
	}
	mustNoErr(t, s.IntegrityCheck(ctx))
}

func TestIntegrityCheck(t *testing.T) {
	ctx := context.Background()

	t.Run("healthy database passes", func(t *testing.T) {
		s := openTest(t)
		seedLogs(t, s)
		mustNoErr(t, s.IntegrityCheck(ctx))
	})

	t.Run("dangling foreign key is reported", func(t *testing.T) {
		s := openTest(t)
		// Write behind the store's back with foreign keys off, as a buggy older version or a
		// hand edit might.
		raw, err := sql.Open("sqlite", s.Path())
		mustNoErr(t, err)
		defer raw.Close()
		_, err = raw.Exec(`INSERT INTO client_endpoint (id, client_id, path, config_type)
			VALUES ('e1', 'ghost', '/x', 'mcp')`)
		mustNoErr(t, err)

		err = s.IntegrityCheck(ctx)
		if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "client_endpoint") {
			t.Errorf("err = %v, want ErrIntegrity naming client_endpoint", err)
		}
	})

	t.Run("search index out of step is reported", func(t *testing.T) {
		s := openTest(t)
		seedLogs(t, s)
		raw, err := sql.Open("sqlite", s.Path())
		mustNoErr(t, err)
		defer raw.Close()
		_, err = raw.Exec(`DROP TRIGGER event_log_fts_update; UPDATE event_log SET message = 'changed' WHERE id = 'log-0'`)
		mustNoErr(t, err)

		if err := s.IntegrityCheck(ctx); !errors.Is(err, ErrIntegrity) {
			t.Errorf("err = %v, want ErrIntegrity", err)
		}
	})
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	seedLogs(t, s)
	_, err := s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "user", UnifiedHash: "h"},
		Payload: json.RawMessage(`{"servers":{}}`)}, nil)
	mustNoErr(t, err)

	dest := filepath.Join(t.TempDir(), "backups", "aisync-backup.db")
	for round := range 2 { // the second round replaces the first backup
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			mustNoErr(t, s.Backup(ctx, dest))
			if runtime.GOOS != "windows" {
				fi, err := os.Stat(dest)
				mustNoErr(t, err)
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("backup mode = %v, want 0600", fi.Mode().Perm())
				}
			}
			copy, err := Open(ctx, dest)
			mustNoErr(t, err)
			defer copy.Close()
			mustNoErr(t, copy.IntegrityCheck(ctx))
			if _, err := copy.LatestSnapshot(ctx, "user"); err != nil {
				t.Errorf("snapshot missing from backup: %v", err)
			}
			page, err := copy.ListLogs(ctx, LogFilter{Query: "github"})
			mustNoErr(t, err)
			if len(page.Items) != 2 {
				t.Errorf("search in backup found %d entries, want 2", len(page.Items))
			}
			leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".*tmp-*"))
			if len(leftovers) != 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
		})
	}

	t.Run("refuses to overwrite the live database", func(t *testing.T) {
		if err := s.Backup(ctx, s.Path()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("err = %v, want ErrInvalidArgument", err)
		}
	})
}

// statTables lists the tables sqlite_stat1 holds statistics for, read without Open (which
// would gather them itself).
func statTables(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	mustNoErr(t, err)
	defer db.Close()
	out := map[string]bool{}
	rows, err := db.Query(`SELECT tbl FROM sqlite_stat1`)
	if err != nil {
		return out // no statistics table yet
	}
	defer rows.Close()
	for rows.Next() {
		var tbl string
		mustNoErr(t, rows.Scan(&tbl))
		out[tbl] = true
	}
	return out
}

// Close gathers the statistics of the log it wrote, as the log's queries need them: left to
// the next Open, filtered pages were 2 to 4 times slower on a large log.
func TestCloseGathersStatistics(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path)
	mustNoErr(t, err)
	batch := make([]LogEntry, 10_000)
	for i := range batch {
		batch[i] = LogEntry{Level: "info", ClientID: "cursor", Event: "sync.finished", Message: fmt.Sprintf("row %d", i)}
	}
	mustNoErr(t, s.AppendLogs(ctx, batch...))
	mustNoErr(t, s.Close())
	if !statTables(t, path)["event_log"] {
		t.Errorf("%d rows appended: no statistics of event_log after Close", len(batch))
	}
}

// A read still under way when Close begins (the window or the API answering as the app
// quits) must not keep the database open past Close: SQLite removes the WAL only when the
// last connection closes, and a process that exits with one open leaves it behind.
func TestCloseWaitsForReadsUnderWay(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path)
	mustNoErr(t, err)
	mustNoErr(t, s.AppendLogs(ctx, LogEntry{Level: "info", ClientID: "cursor", Event: "sync.finished", Message: "row"}))
	rows, err := s.read.QueryContext(ctx, `SELECT message FROM event_log`)
	mustNoErr(t, err)
	if !rows.Next() {
		t.Fatal("no row")
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a read still held its connection", err)
	case <-time.After(100 * time.Millisecond):
	}
	rows.Close() // the read finishes
	select {
	case err := <-closed:
		mustNoErr(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return after the read finished")
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("the WAL (%d bytes) was left behind after Close", fi.Size())
	}
}
