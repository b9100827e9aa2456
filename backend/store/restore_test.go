package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestRestoreReplacesLiveDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	live, err := Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := live.AddProject(ctx, "/before"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := live.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := live.AddProject(ctx, "/after"); err != nil {
		t.Fatal(err)
	}
	if err := live.Restore(ctx, backup); err != nil {
		t.Fatal(err)
	}
	list, err := live.ListProjects(ctx)
	if err != nil || len(list) != 1 || list[0].Path != "/before" {
		t.Fatalf("projects after restore: %+v %v", list, err)
	}
	if err := live.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if err := live.Restore(ctx, live.Path()); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("restoring onto itself: %v", err)
	}
}
