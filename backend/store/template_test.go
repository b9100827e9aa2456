package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

var updateTemplate = flag.Bool("update-template", false, "regenerate schema.db from the migrations")

// schemaOf lists a database's schema and the row count of each of its tables, the
// internal sqlite_* ones aside (PRAGMA optimize may or may not have written statistics).
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	mustNoErr(t, err)
	var out, tables []string
	for rows.Next() {
		var typ, name, tbl, text string
		mustNoErr(t, rows.Scan(&typ, &name, &tbl, &text))
		out = append(out, fmt.Sprintf("%s %s on %s: %s", typ, name, tbl, text))
		if typ == "table" && !bytes.Contains([]byte(text), []byte("VIRTUAL")) {
			tables = append(tables, name)
		}
	}
	mustNoErr(t, rows.Err())
	rows.Close()
	for _, name := range tables {
		var n int
		mustNoErr(t, db.QueryRow(`SELECT count(*) FROM "`+name+`"`).Scan(&n))
		if name == "schema_migrations" {
			continue // its applied_at times differ; appliedVersions compares its versions
		}
		out = append(out, fmt.Sprintf("rows in %s: %d", name, n))
	}
	var uv int
	mustNoErr(t, db.QueryRow(`PRAGMA user_version`).Scan(&uv))
	return append(out, fmt.Sprintf("user_version %d", uv))
}

func TestSchemaTemplate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	// What the migrations build on an empty file.
	migrated := filepath.Join(dir, "migrated.db")
	m, err := open(ctx, migrated, latestVersion(), false, false)
	mustNoErr(t, err)
	want, wantVersions := schemaOf(t, m.write), appliedVersions(t, m.write)

	if *updateTemplate {
		compact := filepath.Join(dir, "compact.db")
		_, err := m.write.ExecContext(ctx, `VACUUM INTO ?`, compact)
		mustNoErr(t, err)
		// VACUUM INTO writes a rollback-journal database; in WAL mode already, the copy
		// spares the first connection the switch.
		cdb, err := sql.Open("sqlite", "file:"+compact)
		mustNoErr(t, err)
		var mode string
		mustNoErr(t, cdb.QueryRow(`PRAGMA journal_mode = WAL`).Scan(&mode))
		mustNoErr(t, cdb.Close())
		if mode != "wal" {
			t.Fatalf("journal_mode = %q", mode)
		}
		raw, err := os.ReadFile(compact)
		mustNoErr(t, err)
		mustNoErr(t, os.WriteFile("schema.db", raw, 0o644))
		schemaTemplate = raw
		t.Logf("wrote schema.db: %d bytes", len(raw))
	}
	mustNoErr(t, m.Close())

	// The template itself, as it is embedded: no migration may have to run over it.
	raw := filepath.Join(dir, "template.db")
	mustNoErr(t, os.WriteFile(raw, schemaTemplate, 0o600))
	tdb, err := sql.Open("sqlite", "file:"+raw+"?mode=ro")
	mustNoErr(t, err)
	if got := schemaOf(t, tdb); !slices.Equal(got, want) {
		t.Errorf("the schema template differs from what the migrations build; run\n\tgo test ./backend/store -run TestSchemaTemplate -update-template\ntemplate: %q\nmigrations: %q", got, want)
	}
	if v := appliedVersions(t, tdb); len(v) != latestVersion() {
		t.Errorf("template has migrations %v, want 1..%d; run go test ./backend/store -run TestSchemaTemplate -update-template", v, latestVersion())
	}
	tdb.Close()

	// A new database made by Open, from the template.
	before := time.Now().Add(-time.Second)
	seededPath := filepath.Join(dir, "sub", "seeded.db")
	s, err := Open(ctx, seededPath)
	mustNoErr(t, err)
	defer s.Close()
	got, gotVersions := schemaOf(t, s.write), appliedVersions(t, s.write)
	if !slices.Equal(got, want) {
		t.Errorf("a database created from the template differs from one the migrations build:\nseeded: %q\nmigrations: %q", got, want)
	}
	if len(gotVersions) != len(wantVersions) {
		t.Errorf("seeded database has migrations %v, want %v", gotVersions, wantVersions)
	}
	for v, at := range gotVersions {
		ts, err := time.Parse(timeLayout, at)
		if err != nil || ts.Before(before) {
			t.Errorf("migration %d applied at %q; want the time the database was created (after %s)", v, at, before.UTC().Format(time.RFC3339))
		}
	}
	if fi, err := os.Stat(seededPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("seeded database mode: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	// It works as a store.
	p, err := s.AddProject(ctx, dir)
	mustNoErr(t, err)
	if p.Path == "" {
		t.Errorf("AddProject on a seeded database returned %+v", p)
	}
}

// A template one migration behind (a migration added without regenerating it) still gives
// a complete schema: migrate applies the rest.
func TestStaleTemplateIsMigratedForward(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(ctx, filepath.Join(dir, "old.db"), latestVersion()-1, false, false)
	mustNoErr(t, err)
	compact := filepath.Join(dir, "compact.db")
	_, err = old.write.ExecContext(ctx, `VACUUM INTO ?`, compact)
	mustNoErr(t, err)
	mustNoErr(t, old.Close())
	raw, err := os.ReadFile(compact)
	mustNoErr(t, err)
	saved := schemaTemplate
	schemaTemplate = raw
	defer func() { schemaTemplate = saved }()

	s, err := Open(ctx, filepath.Join(dir, "new.db"))
	mustNoErr(t, err)
	defer s.Close()
	if v := appliedVersions(t, s.write); len(v) != latestVersion() {
		t.Errorf("database from a stale template has migrations %v, want 1..%d", v, latestVersion())
	}
	m, err := open(ctx, filepath.Join(dir, "migrated.db"), latestVersion(), false, false)
	mustNoErr(t, err)
	defer m.Close()
	if got, want := schemaOf(t, s.write), schemaOf(t, m.write); !slices.Equal(got, want) {
		t.Errorf("schema from a stale template:\n%q\nwant\n%q", got, want)
	}
}

func TestSeedNeverReplacesAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aisync.db")
	mustNoErr(t, os.WriteFile(path, []byte("not a database"), 0o600))
	created, err := seed(path)
	mustNoErr(t, err)
	if created {
		t.Error("seed reported creating a database over an existing file")
	}
	if b, _ := os.ReadFile(path); string(b) != "not a database" {
		t.Errorf("seed changed an existing file: %q", b)
	}
}

func TestOpenNewDatabaseConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aisync.db")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path)
			if err == nil {
				_, err = s.AddProject(ctx, fmt.Sprintf("/p/%d", i))
				err = errors.Join(err, s.Close())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i, err)
		}
	}
	s, err := Open(ctx, path)
	mustNoErr(t, err)
	defer s.Close()
	ps, err := s.ListProjects(ctx)
	mustNoErr(t, err)
	if len(ps) != n {
		t.Errorf("%d projects after %d concurrent first opens, want %d: %+v", len(ps), n, n, ps)
	}
	dir, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range dir {
		if filepath.Ext(e.Name()) == ".tmp" {
			t.Errorf("left a temporary file behind: %s", e.Name())
		}
	}
}
