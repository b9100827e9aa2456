package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"

	"modernc.org/sqlite"
)

// Restore replaces the whole content of the live database with the database file at
// srcPath through SQLite's online backup API, in one step: readers see either the old or
// the new content, never a mix. The caller validates the source first (IntegrityCheck on
// a separately opened copy). An older schema is migrated forward afterwards.
func (s *SQLite) Restore(ctx context.Context, srcPath string) error {
	abs, err := filepath.Abs(srcPath)
	if err != nil {
		return fmt.Errorf("restore store: %w", err)
	}
	if abs == s.path {
		return fmt.Errorf("restore store: %w: source is the database itself", ErrInvalidArgument)
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("restore store: %w", err)
	}
	src := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "mode=ro"}).String()
	err = conn.Raw(func(dc any) error {
		rc, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the SQLite driver has no backup API (%T)", dc)
		}
		b, err := rc.NewRestore(src)
		if err != nil {
			return err
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	conn.Close()
	if err != nil {
		return fmt.Errorf("restore store: %w", err)
	}
	// Readers may hold pages of the old content in their caches; new connections see the
	// restored file.
	if s.read != s.write {
		s.read.SetMaxIdleConns(0)
		s.read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	}
	if err := s.migrate(ctx, latestVersion()); err != nil {
		return fmt.Errorf("restore store: %w", err)
	}
	return nil
}
