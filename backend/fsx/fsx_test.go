package fsx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteAtomicKeepsModeAndReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "mcp.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("new"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "new" {
		t.Fatalf("content = %q", got)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600 kept", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) != 0 {
		t.Fatalf("temp files left behind: %v", left)
	}
}

func TestWriteAtomicDetectsConcurrentWriter(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(p, []byte("v1"), 0o644)
	based := Hash([]byte("v1"))
	os.WriteFile(p, []byte("v2 by the client"), 0o644) // the client wrote meanwhile
	err := WriteAtomic(p, []byte("ours"), WriteOptions{ExpectHash: based})
	if !errors.Is(err, ErrChangedUnderneath) {
		t.Fatalf("err = %v, want ErrChangedUnderneath", err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "v2 by the client" {
		t.Fatalf("the client's write was clobbered: %q", got)
	}
}

func TestWriteAtomicThroughSymlinkKeepsLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	os.WriteFile(real, []byte("a"), 0o644)
	if err := os.Symlink(real, link); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	if err := WriteAtomic(link, []byte("b"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("link was replaced by a regular file")
	}
	if got, _ := os.ReadFile(real); string(got) != "b" {
		t.Fatalf("target = %q", got)
	}
}

func TestWriteAtomicRefusesDirectoryAndMissingParent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteAtomic(dir, []byte("x"), WriteOptions{}); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if err := WriteAtomic(filepath.Join(dir, "nope", "f.json"), []byte("x"), WriteOptions{}); err == nil {
		t.Fatal("write created a missing client directory")
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("client directory was created")
	}
}

func TestReadFileAbsentVersusEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got, err := ReadFile(filepath.Join(dir, "missing"))
	if err != nil || got != nil {
		t.Fatalf("missing: %v %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644)
	got, err = ReadFile(filepath.Join(dir, "empty"))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty: %#v %v", got, err)
	}
	if _, err := ReadFile(dir); err == nil {
		t.Fatal("reading a directory as a file succeeded")
	}
}

func TestBackupsRotateAndRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "cfg.json")
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := Backups{Dir: filepath.Join(dir, "backups"), Keep: 3, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	for _, v := range []string{"v1", "v2", "v2", "v3", "v4", "v5"} {
		if _, err := b.Save(p, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := b.List(p)
	if len(list) != 3 {
		t.Fatalf("kept %d backups, want 3", len(list))
	}
	if got, _ := os.ReadFile(list[0]); string(got) != "v5" {
		t.Fatalf("newest = %q", got)
	}
	os.WriteFile(p, []byte("current"), 0o644)
	if err := b.Restore(p, list[2]); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != "v3" {
		t.Fatalf("restored = %q", got)
	}
	list, _ = b.List(p)
	if got, _ := os.ReadFile(list[0]); string(got) != "current" {
		t.Fatalf("restore did not back up the replaced bytes: newest = %q", got)
	}
}

// The first backups of many files at once all land, each in its own new folder under a
// backups folder none of them found, and a backups path that is a file is a clear error.
func TestBackupsFirstSaveCreatesFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := Backups{Dir: filepath.Join(dir, "data", "backups")}
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.Save(filepath.Join(dir, fmt.Sprintf("cfg-%d.json", i)), []byte(fmt.Sprint(i)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		list, _ := b.List(filepath.Join(dir, fmt.Sprintf("cfg-%d.json", i)))
		if len(list) != 1 {
			t.Fatalf("file %d has %d backups, want 1", i, len(list))
		}
		if got, _ := os.ReadFile(list[0]); string(got) != fmt.Sprint(i) {
			t.Fatalf("backup %d holds %q", i, got)
		}
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	blocked := Backups{Dir: plain} // a file, not a folder
	if _, err := blocked.Save(filepath.Join(dir, "x.json"), []byte("x")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("saving under a file: %v; want a not-a-directory error", err)
	}
}

func TestWriteAtomicLeavesNoTempFilesOnSuccessOrConflict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	os.WriteFile(p, []byte("one"), 0o644)
	if err := WriteAtomic(p, []byte("two"), WriteOptions{ExpectHash: Hash([]byte("one"))}); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("three"), WriteOptions{ExpectHash: Hash([]byte("stale"))}); !errors.Is(err, ErrChangedUnderneath) {
		t.Fatalf("err = %v", err)
	}
	if err := WriteAtomic(filepath.Join(dir, "new.json"), []byte("x"), WriteOptions{ExpectAbsent: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("y"), WriteOptions{ExpectAbsent: true}); !errors.Is(err, ErrChangedUnderneath) {
		t.Fatalf("expect-absent over an existing file: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "two" {
		t.Fatalf("content = %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files left: %v", names)
	}
}

// TestWriteAtomicBeforeReplace checks the hook runs once, before the file is replaced, and
// that its error abandons the write without leaving a temporary file.
func TestWriteAtomicBeforeReplace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	os.WriteFile(p, []byte("one"), 0o644)
	calls := 0
	err := WriteAtomic(p, []byte("two"), WriteOptions{ExpectHash: Hash([]byte("one")), BeforeReplace: func() error {
		calls++
		if got, _ := os.ReadFile(p); string(got) != "one" {
			t.Errorf("the file was replaced before the hook ran: %q", got)
		}
		return nil
	}})
	if err != nil || calls != 1 {
		t.Fatalf("err = %v, hook calls = %d", err, calls)
	}
	stop := errors.New("backup failed")
	err = WriteAtomic(p, []byte("three"), WriteOptions{ExpectHash: Hash([]byte("two")), BeforeReplace: func() error { return stop }})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the hook's error", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "two" {
		t.Fatalf("an abandoned write changed the file to %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("an abandoned write left %d files", len(entries))
	}
}

// Writes into one folder share its fsyncs, yet every write waits for an fsync that began
// after its rename: one after another, each has its own; at once, they share a few.
func TestDirectoryFsyncsAreShared(t *testing.T) {
	dir := t.TempDir()
	fsyncs := func() int64 { // the fsyncs of the folder begun so far
		v, ok := dirSyncs.Load(filepath.Clean(dir))
		if !ok {
			return 0
		}
		d := v.(*dirSync)
		d.mu.Lock()
		defer d.mu.Unlock()
		return int64(d.started)
	}
	for i := range 3 {
		if err := WriteAtomic(filepath.Join(dir, fmt.Sprintf("seq-%d.json", i)), []byte("{}"), WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := fsyncs(); n != 3 {
		t.Fatalf("3 writes one after another: %d fsyncs of the folder, want one each", n)
	}

	const writers = 64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- WriteAtomic(filepath.Join(dir, fmt.Sprintf("rule-%02d.md", i)), []byte("# rule\n"), WriteOptions{})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n := fsyncs() - 3
	if n < 1 || n >= writers {
		t.Errorf("%d concurrent writes: %d fsyncs of the folder, want fewer than one each", writers, n)
	}
	t.Logf("%d concurrent writes into one folder: %d fsyncs", writers, n)

	// The rule behind it: a caller never takes an fsync that was already running when it
	// came as covering its rename.
	d, _ := dirSyncs.Load(filepath.Clean(dir))
	ds := d.(*dirSync)
	ds.mu.Lock()
	ds.running, ds.started = true, ds.started+1 // an fsync "in flight" since before the call
	inFlight := ds.started
	ds.mu.Unlock()
	returned := make(chan struct{})
	go func() { syncDir(dir); close(returned) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-returned:
		t.Fatal("syncDir returned on an fsync that began before it was called")
	default:
	}
	ds.mu.Lock()
	ds.running, ds.done = false, inFlight // the old one ends; the waiter must start its own
	ds.cond.Broadcast()
	ds.mu.Unlock()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("syncDir did not return after its own fsync")
	}
	if ds.done <= inFlight {
		t.Errorf("done = %d, want an fsync after %d", ds.done, inFlight)
	}
}
