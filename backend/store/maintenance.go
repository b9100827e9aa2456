package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IntegrityCheck runs SQLite's integrity check, the foreign key check and the full-text
// index's own check (which compares the index with the log it indexes). Problems are
// reported as one error wrapping ErrIntegrity.
func (s *SQLite) IntegrityCheck(ctx context.Context) error {
	var problems []string
	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("check integrity: %w", err)
	}
	results, err := collect(rows, scanString)
	if err != nil {
		return fmt.Errorf("check integrity: %w", err)
	}
	for _, msg := range results {
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}

	rows, err = s.read.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	violations, err := collect(rows, func(r rowScanner) (string, error) {
		var table, parent string
		var rowid, fk any
		if err := r.Scan(&table, &rowid, &parent, &fk); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s row %v references a missing %s row", table, rowid, parent), nil
	})
	if err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	problems = append(problems, violations...)

	// The FTS5 check is phrased as an INSERT, which the read-only connections refuse, so it
	// goes through the writer; it changes nothing but holds up writes while it reads the
	// index.
	if _, err := s.write.ExecContext(ctx,
		`INSERT INTO event_log_fts (event_log_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		problems = append(problems, "log search index: "+err.Error())
	}

	if len(problems) > 0 {
		const shown = 20
		more := ""
		if len(problems) > shown {
			more = fmt.Sprintf(" (and %d more)", len(problems)-shown)
			problems = problems[:shown]
		}
		return fmt.Errorf("check integrity: %w: %s%s", ErrIntegrity, strings.Join(problems, "; "), more)
	}
	return nil
}

// Backup writes a consistent copy of the database to destPath with VACUUM INTO, which
// reads from a snapshot and so does not stop writers. The copy is also compacted. The copy is written next to destPath,
// synced, and renamed over it, so destPath is never a half-written database.
func (s *SQLite) Backup(ctx context.Context, destPath string) error {
	dest, err := filepath.Abs(destPath)
	if err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	if dest == s.path {
		return fmt.Errorf("back up store: %w: destination is the database itself", ErrInvalidArgument)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants to create the file itself.
	if err := os.Remove(tmpPath); err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	defer os.Remove(tmpPath) // a no-op once renamed

	// VACUUM INTO only reads this database, but the read pool's query_only forbids it, and
	// the writer would hold up every write for the length of the copy; so it gets a
	// connection of its own.
	side, err := sql.Open("sqlite", dsn(s.path, roleSide))
	if err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	defer side.Close()
	if _, err := side.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	if err := os.Rename(tmpPath, dest); err != nil {
		return fmt.Errorf("back up store: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: makes the rename durable where directories can be synced
		d.Close()
	}
	return nil
}

// syncFile makes the file private and flushes it to disk; VACUUM INTO does neither.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
