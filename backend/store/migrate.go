package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The schema is a sequence of numbered SQL files, applied in order, each in its own
// transaction together with its row in schema_migrations. A released file is never edited;
// a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations parses the embedded files. Names are NNNN_description.sql and the numbers must
// run 1, 2, 3… without gaps, which a test checks; a violation is a programming error.
var migrations = mustLoadMigrations(migrationFiles)

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err)
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("load migration %s: name must be NNNN_description.sql", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

func latestVersion() int { return len(migrations) }

// migrate brings the schema up to target. Each step re-reads the current version inside
// its own write transaction, so two processes opening the same file at once do not apply a
// migration twice.
func (s *SQLite) migrate(ctx context.Context, target int) error {
	const bootstrap = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`
	if _, err := s.write.ExecContext(ctx, bootstrap); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	current, err := schemaVersion(ctx, s.write)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	if current > latestVersion() {
		return fmt.Errorf("migrate schema: %w: database is at version %d, this program knows up to %d",
			ErrSchemaTooNew, current, latestVersion())
	}
	for _, m := range migrations {
		if m.version > target {
			break
		}
		if m.version <= current {
			continue
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			v, err := schemaVersion(ctx, tx)
			if err != nil || v >= m.version {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if schemaEdits[m.version] {
				if err := bumpSchemaVersion(ctx, tx); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.version, formatTime(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// schemaEdits are the migrations that edit CREATE statements in sqlite_schema in place
// (see 0007). After one, migrate increments SQLite's schema_version in the same transaction,
// which tells every connection, this one included, to read the schema again: the last step
// of the procedure SQLite documents for such edits. A SQL file cannot do it, because the new
// value is the old one plus one.
var schemaEdits = map[int]bool{7: true}

func bumpSchemaVersion(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema_version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA schema_version = %d`, v+1)); err != nil {
		return fmt.Errorf("bump schema_version: %w", err)
	}
	return nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryRower) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
