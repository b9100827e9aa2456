package store

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"aisync/backend/fsx"
)

// A new database starts as a copy of schema.db: an empty database that the migrations
// produced when it was generated, compacted with VACUUM and in WAL mode. It is embedded as it
// is (220 KiB, mostly empty pages) because inflating a compressed copy took half a
// millisecond of the start it is there to shorten. Creating the schema from the
// migrations instead means parsing and applying every file, most of a first start's time
// with the store (6.4 ms against 1.9 ms, measured; a first `aisync sync --once` of ten
// servers takes about 30 ms in all). migrate still runs over the copy, so a template one
// migration behind would only cost that migration; TestSchemaTemplate keeps it current
// and equal to what the migrations build, and regenerates it with -update-template.
//
//go:embed schema.db
var schemaTemplate []byte

// seed creates the database file at abs from the schema template when there is no file
// there. It never replaces one: the copy is written to a temporary file, fsynced and moved
// into place only if abs is still absent, so two processes starting at once cannot hand
// SQLite a half-written file. It reports whether it created the file; when it did not
// (the file exists, or the template cannot be used), the migrations build the schema.
func seed(abs string) (bool, error) {
	if _, err := os.Lstat(abs); !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if len(schemaTemplate) == 0 {
		return false, nil
	}
	err := fsx.WriteAtomic(abs, schemaTemplate, fsx.WriteOptions{ExpectAbsent: true, Perm: 0o600})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fsx.ErrChangedUnderneath):
		return false, nil // another process created it meanwhile: use that one
	}
	return false, fmt.Errorf("create database file: %w", err)
}

// stampSeeded records when the migrations of a seeded database were applied: now, as if
// they had just run, rather than when the template was generated.
func (s *SQLite) stampSeeded(ctx context.Context) error {
	_, err := s.write.ExecContext(ctx, `UPDATE schema_migrations SET applied_at = ?`, formatTime(s.now()))
	return err
}
