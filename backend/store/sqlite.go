package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite is the Store kept in one SQLite file in WAL mode. Writes go through a single
// connection (SQLite allows one writer at a time anyway, and queueing in database/sql is
// cheaper and fairer than retrying on SQLITE_BUSY); reads use a separate pool of read-only
// connections, which WAL lets run alongside the writer without blocking on it.
type SQLite struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	stmts stmtCache // statements kept on the writer (see inTxStmts)

	search searchTuning
	schema int // the schema version the store migrated to (older only in tests)

	oneShot bool           // opened by OpenOneShot
	side    sync.WaitGroup // CheckpointSoon's checkpoint, which Close waits for
}

// A Checkpointer can start copying its write-ahead log into the database before it closes
// (see SQLite.CheckpointSoon).
type Checkpointer interface {
	CheckpointSoon()
}

var _ Checkpointer = (*SQLite)(nil)

// sideCheckpointFrom is the size of the write-ahead log from which CheckpointSoon copies it
// before Close.
const sideCheckpointFrom = 256 << 10

// CheckpointSoon starts copying the write-ahead log into the database in the background,
// from a connection of its own, when the store was opened for one pass (OpenOneShot) and
// the log holds at least sideCheckpointFrom bytes; otherwise it does nothing, and Close (or,
// in a long-running store, SQLite as the log grows) checkpoints. Close waits for it.
//
// Why: the last connection's Close checkpoints the whole log, and syncs the log and the
// database to disk first. At the end of a one-pass command that was the slowest step after
// the pass itself (5 ms after a first pass of a thousand servers, mostly waiting for the
// disk). Started once the pass's files are written, most of it happens while the pass
// records its run, and Close has only the rest of the pass to copy. The checkpoint is
// PASSIVE: it waits for no reader or writer, and what it leaves is Close's to do. Its
// error is dropped for the same reason. A small log is left to Close: the side connection
// costs more than its checkpoint (a file open and a schema parse, 2–3 ms at 10 and 100
// servers, whose logs hold 90–130 KB then; 465 KB at 1000).
func (s *SQLite) CheckpointSoon() {
	if !s.oneShot {
		return
	}
	if fi, err := os.Stat(s.path + "-wal"); err != nil || fi.Size() < sideCheckpointFrom {
		return
	}
	s.side.Add(1)
	go func() {
		defer s.side.Done()
		db, err := sql.Open("sqlite", dsn(s.path, roleSide))
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}()
}

var _ Store = (*SQLite)(nil)

// Open opens (creating if needed) the database at path and migrates it to the latest
// schema. A new file is created with mode 0600 and its directory with 0700, because the
// database holds the user's configuration history. It refuses, with ErrSchemaTooNew, a
// database migrated by a newer aisync.
func Open(ctx context.Context, path string) (*SQLite, error) {
	return open(ctx, path, latestVersion(), true, false)
}

// OpenOneShot is Open for a command that runs one sync pass and exits: its reads share the
// writer's connection instead of a pool of read-only ones. A reader costs a connection
// (opening the file and parsing the schema, then closing it) that such a command barely
// uses: about 1 ms of a 20 ms `aisync sync --once`, measured. Reads then wait for writes,
// which a single pass does one after the other anyway.
func OpenOneShot(ctx context.Context, path string) (*SQLite, error) {
	return open(ctx, path, latestVersion(), true, true)
}

// open is Open with the schema version to migrate to, so tests can build old databases,
// whether a new file may start from the schema template (see seed), and whether reads use
// the writer's connection (OpenOneShot).
func open(ctx context.Context, path string, target int, fromTemplate, oneConn bool) (*SQLite, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open store: %w: need a file path, got %q", ErrInvalidArgument, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open store: create directory: %w", err)
	}
	seeded := false
	if fromTemplate {
		if seeded, err = seed(abs); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	// SQLite would create the file with the umask's mode; create it first so that it, and
	// the -wal and -shm files SQLite derives from it, are private.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store: create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open store: create database file: %w", err)
	}

	s := &SQLite{path: abs, now: time.Now, search: defaultSearchTuning, schema: target}
	s.write, err = sql.Open("sqlite", dsn(abs, roleWrite))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)

	if err := s.migrate(ctx, target); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if oneConn {
		if err := s.finishOpen(ctx, seeded); err != nil {
			s.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
		s.read, s.oneShot = s.write, true
		return s, nil
	}
	// While the writer finishes opening (finishOpen), the reader pool makes its first
	// connection: opening the file and reading the schema (which SQLite parses at a
	// connection's first statement) take about as long, and the two connections are separate.
	s.read, err = sql.Open("sqlite", dsn(abs, roleRead))
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	s.read.SetMaxOpenConns(readers)
	s.read.SetMaxIdleConns(readers)
	s.read.SetConnMaxIdleTime(5 * time.Minute)
	warm := make(chan error, 1)
	go func() {
		var n int
		warm <- s.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	}()
	err = s.finishOpen(ctx, seeded)
	if werr := <-warm; err == nil && werr != nil {
		err = fmt.Errorf("reader: %w", werr)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// finishOpen stamps a database made from the template and refreshes the query planner's
// statistics where they are missing or stale, reading a bounded sample so that this stays
// quick on a large log (SQLite's advice for long-lived connections; Close does it again).
// A database just made from the template holds no rows to gather statistics on.
func (s *SQLite) finishOpen(ctx context.Context, seeded bool) error {
	if seeded {
		return s.stampSeeded(ctx)
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

// connRole says what a connection is for.
type connRole int

const (
	roleWrite connRole = iota // the single writer
	roleRead                  // the read pool: query_only, so a read path cannot write
	roleSide                  // a one-off connection for VACUUM INTO, which query_only forbids
)

// dsn builds the driver's connection string. The path goes into a file: URI so that
// characters such as '?' and '#' in it are escaped rather than read as URI syntax.
func dsn(abs string, role connRole) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:///C:/...
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	switch role {
	case roleRead:
		q.Add("_pragma", "query_only(1)")
	case roleWrite:
		// Take the write lock at BEGIN: a deferred transaction that upgrades from read to
		// write can fail with SQLITE_BUSY without waiting for busy_timeout.
		q.Set("_txlock", "immediate")
		// Keep statement journals (needed by the multi-row log inserts) in memory, and
		// shrink the WAL file back after a checkpoint instead of leaving it at its peak.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", "journal_size_limit(67108864)")
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}).String()
}

// Path is the absolute path of the database file.
func (s *SQLite) Path() string { return s.path }

// Close lets SQLite refresh its query planner statistics and closes both pools. It does so
// after every session, however short: leaving a CLI command's changes to the next Open's
// optimize (which also looks at the search index's own tables) was measured to make filtered
// log pages 2 to 4 times slower on a large log.
func (s *SQLite) Close() error {
	s.side.Wait() // CheckpointSoon's connection closes before the writer's, the last one
	var errs []error
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
		// database/sql's Close closes idle connections only; one still lent to a read that
		// is under way closes when that read gives it back. SQLite checkpoints the WAL and
		// removes it when the last connection to the file closes, so the writer's close
		// must come after those: a process that exits with a reader still open leaves the
		// WAL behind.
		if n := drain(s.read, closeDrain); n > 0 {
			errs = append(errs, fmt.Errorf("%d read connection(s) still in use after %s", n, closeDrain))
		}
	}
	if s.write != nil {
		s.stmts.close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.write.ExecContext(ctx, "PRAGMA analysis_limit = 400; PRAGMA optimize")
		cancel()
		errs = append(errs, err, s.write.Close())
		if n := drain(s.write, closeDrain); n > 0 {
			errs = append(errs, fmt.Errorf("the write connection is still in use after %s", closeDrain))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// closeDrain bounds how long Close waits for connections that were in use when it began.
const closeDrain = 3 * time.Second

// drain waits, up to limit, until a closed pool's last connection has been given back and
// closed, and returns how many are still open. database/sql has no way to wait for that, so
// this looks at the pool's count every few milliseconds; it runs once, at close.
func drain(db *sql.DB, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		n := db.Stats().OpenConnections
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Ping checks that both the writer and a reader answer.
func (s *SQLite) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (s *SQLite) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// txStmts runs a transaction's statements, each prepared once however many rows it runs
// for: database/sql with this driver otherwise parses the SQL on every call, and SQLite's
// parser was about a fifth of a small sync pass's CPU.
type txStmts struct {
	tx    *sql.Tx
	m     map[string]*sql.Stmt
	cache *stmtCache // statements kept on the writer connection, or nil
}

// execer is what runs a statement: a transaction, or its txStmts.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func prepareOnce(tx *sql.Tx) *txStmts { return &txStmts{tx: tx, m: map[string]*sql.Stmt{}} }

// stmt is q prepared in the transaction, or nil when it does not prepare (running it
// through the transaction then reports why). A statement the store keeps on the writer
// connection is not prepared again.
func (t *txStmts) stmt(ctx context.Context, q string) *sql.Stmt {
	if st, ok := t.m[q]; ok {
		return st
	}
	var st *sql.Stmt
	if kept := t.cache.get(q); kept != nil {
		st = t.tx.StmtContext(ctx, kept)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil
		}
	}
	t.m[q] = st
	return st
}

// QueryRowContext is tx.QueryRowContext with q prepared once.
func (t *txStmts) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// QueryContext is tx.QueryContext with q prepared once.
func (t *txStmts) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// ExecContext is tx.ExecContext with q prepared once.
func (t *txStmts) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// close releases the transaction's statements (not the ones the writer keeps); the
// transaction goes on.
func (t *txStmts) close() {
	for _, st := range t.m {
		st.Close()
	}
}

// stmtCache keeps the statements every sync pass runs prepared on the writer connection
// for the life of the store, so that a pass does not parse them again: the log insert,
// for one, also compiles the search index's triggers, and a short pass prepared it up to
// three times.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// keep prepares the queries not kept yet on db (the writer, whose one connection must be
// free: no transaction of this goroutine may be open). The lock is not held while
// preparing, which waits for that connection: a transaction holding it may be looking up
// its statements here. A query that does not prepare is left to the transaction, which
// reports why.
func (c *stmtCache) keep(ctx context.Context, db *sql.DB, queries []string) {
	for _, q := range queries {
		if c.get(q) != nil {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.m[q] == nil {
			if c.m == nil {
				c.m = map[string]*sql.Stmt{}
			}
			c.m[q], st = st, nil
		}
		c.mu.Unlock()
		if st != nil {
			st.Close() // another caller kept it first
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// inTxStmts runs fn in a write transaction like inTx, with queries (those fn runs in every
// call) kept prepared on the writer across transactions.
func (s *SQLite) inTxStmts(ctx context.Context, queries []string, fn func(*txStmts) error) error {
	s.stmts.keep(ctx, s.write, queries)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st := &txStmts{tx: tx, m: map[string]*sql.Stmt{}, cache: &s.stmts}
		defer st.close()
		return fn(st)
	})
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// newID returns a time-ordered (version 7) uuid, so that ids created close together sit
// close together in indexes.
// NewID is a new row ID, time-ordered (UUIDv7), for a caller that needs an ID before the
// row is stored (a snapshot whose log entry names it).
func NewID() string { return newID() }

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction. Fixed width is what makes
// the text sort in time order (time.RFC3339Nano drops trailing zeros, so "…:05Z" would sort
// after "…:05.1Z"); time.Parse with time.RFC3339Nano still reads it.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	return t.UTC(), nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// nullString stores "" as NULL, for optional foreign keys and optional columns.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

// clampLimit applies a list's default and maximum page size.
func clampLimit(limit, def int) int {
	switch {
	case limit <= 0:
		return def
	case limit > maxPageSize:
		return maxPageSize
	}
	return limit
}

const maxPageSize = 1000
