// Package fsx is all of aisync's file access to client files: reading an endpoint's files,
// atomic replacement (temp file + fsync + rename, mode kept), rotated backups of the bytes
// a write replaces, and a per-path lock so two writers in this process never interleave.
package fsx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrChangedUnderneath means the file changed between our read and our write: another
// program wrote it. The caller re-reads and tries again instead of clobbering that write.
var ErrChangedUnderneath = errors.New("file changed while writing")

// Hash is the hex SHA-256 of data; "" stands for "file absent".
func Hash(data []byte) string {
	if data == nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ReadFile reads a file; a missing file is (nil, nil) so callers can tell "absent" from "empty".
// A directory or other non-regular file where a file is expected is an error.
func ReadFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// ReadDir reads the regular files of dir whose base name matches pattern (path.Match
// syntax). A missing directory yields an empty map.
func ReadDir(dir, pattern string) (map[string][]byte, error) {
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dir %s: %w", dir, err)
	}
	for _, e := range entries {
		if ok, _ := filepath.Match(pattern, e.Name()); !ok || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		if data != nil {
			out[p] = data
		}
	}
	return out, nil
}

var locks sync.Map // path → *sync.Mutex

// Lock serialises writers of one path inside this process and returns the unlock func.
func Lock(path string) func() {
	m, _ := locks.LoadOrStore(filepath.Clean(path), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// WriteOptions tune WriteAtomic.
type WriteOptions struct {
	// ExpectHash, when set, is the hash of the bytes the caller based its edit on; if the
	// file on disk no longer has it just before the rename, the write is abandoned with
	// ErrChangedUnderneath. Use Hash(nil) ("") with ExpectAbsent for "file must not exist".
	ExpectHash   string
	ExpectAbsent bool
	// Perm is the mode for a new file; an existing file keeps its mode.
	Perm fs.FileMode
	// Sync disables fsync when false only in benchmarks; production always syncs.
	NoSync bool
	// BeforeReplace, when set, runs once the new bytes are safely in the temporary file and
	// before they replace path; an error abandons the write and is returned. The engine
	// waits there for the backup of the old bytes, which it writes meanwhile, so the two
	// fsyncs overlap instead of adding up while a backup still always exists before the
	// file is replaced.
	BeforeReplace func() error
}

// WriteAtomic replaces path with data so that a reader (or a crash) sees either the old
// bytes or the new ones, never a mix: the data goes to a temporary file in the same
// directory, is fsynced, gets the old file's mode, and is renamed over the target; then the
// directory is fsynced. The parent directory must exist: aisync never creates a client's
// directory.
func WriteAtomic(path string, data []byte, opt WriteOptions) error {
	dir := filepath.Dir(path)
	perm := opt.Perm
	if perm == 0 {
		perm = 0o644
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		// Write through the link so the user's link stays a link.
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("write %s: resolve symlink: %w", path, err)
		}
		return WriteAtomic(target, data, opt)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file (%s)", path, fi.Mode().Type())
	case err == nil:
		perm = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".aisync-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !opt.NoSync {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("write %s: sync: %w", path, err)
		}
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: chmod: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if opt.BeforeReplace != nil {
		if err := opt.BeforeReplace(); err != nil {
			return err
		}
	}
	if err := replace(tmpName, path, opt); err != nil {
		if errors.Is(err, ErrChangedUnderneath) {
			os.Remove(tmpName)
			ok = true
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	if !opt.NoSync {
		syncDir(dir)
	}
	return nil
}

// Remove deletes a file (used when a rule file is deleted everywhere); missing is fine.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

func (o WriteOptions) guarded() bool { return o.ExpectHash != "" || o.ExpectAbsent }

// replaceChecked is the portable replace: check the expected bytes, then rename.
func replaceChecked(tmp, path string, opt WriteOptions) error {
	if opt.guarded() {
		cur, err := ReadFile(path)
		if err != nil {
			return err
		}
		if Hash(cur) != opt.ExpectHash {
			return ErrChangedUnderneath
		}
	}
	return os.Rename(tmp, path)
}

// mkdirAllSynced is os.MkdirAll that also makes each folder it creates durable, by syncing
// the folder that holds it (as a rename is made durable): otherwise a crash soon after a
// first backup could lose the new folder, and the backup in it, on filesystems that do not
// order directory entries on their own.
func mkdirAllSynced(dir string, perm os.FileMode) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &os.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSynced(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, perm); err != nil {
		// Another writer may have created it in the meantime; its entry is synced below
		// all the same, since that writer's sync may not have finished.
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return err
		}
	}
	syncDir(parent)
	return nil
}

// syncDir makes the renames done in dir so far durable. Writes of several files into one
// folder (a rule folder on a first pass, a project's root) share fsyncs of it: a caller
// whose rename is covered by an fsync that started after it waits for that one instead of
// starting its own (group commit), so N concurrent writes cost about two fsyncs, not N.
func syncDir(dir string) {
	v, _ := dirSyncs.LoadOrStore(filepath.Clean(dir), &dirSync{})
	d := v.(*dirSync)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.mu)
	}
	need := d.started + 1 // any fsync that starts from now on covers the caller's rename
	for d.done < need {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		gen := d.started
		d.mu.Unlock()
		if f, err := os.Open(dir); err == nil {
			_ = f.Sync() // best effort: not every filesystem supports it
			f.Close()
		}
		d.mu.Lock()
		d.running, d.done = false, gen
		d.cond.Broadcast()
	}
}

// dirSyncs holds a dirSync per folder.
var dirSyncs sync.Map

// dirSync counts the fsyncs of one folder: started is how many began, done the number of
// the last one that finished.
type dirSync struct {
	mu            sync.Mutex
	cond          *sync.Cond
	running       bool
	started, done uint64
}

// Backups keeps copies of the bytes aisync replaces, so any write can be undone.
// Files live under Dir/<sanitised original path>/<UTC timestamp>.bak, newest Keep kept.
type Backups struct {
	Dir  string
	Keep int
	Now  func() time.Time
}

// Save stores data as the newest backup of path and prunes old ones. An identical newest
// backup is not duplicated.
func (b Backups) Save(path string, data []byte) (string, error) {
	if data == nil {
		return "", nil
	}
	dir := filepath.Join(b.Dir, sanitise(path))
	if err := mkdirAllSynced(dir, 0o700); err != nil {
		return "", fmt.Errorf("back up %s: %w", path, err)
	}
	list, _ := b.List(path)
	if len(list) > 0 {
		if prev, err := os.ReadFile(list[0]); err == nil && bytes.Equal(prev, data) {
			return list[0], nil
		}
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	name := filepath.Join(dir, now().UTC().Format("20060102T150405.000000000Z")+".bak")
	if err := WriteAtomic(name, data, WriteOptions{Perm: 0o600}); err != nil {
		return "", fmt.Errorf("back up %s: %w", path, err)
	}
	keep := b.Keep
	if keep <= 0 {
		keep = 20
	}
	list, _ = b.List(path)
	for _, old := range list[min(keep, len(list)):] {
		os.Remove(old)
	}
	return name, nil
}

// List returns the backups of path, newest first.
func (b Backups) List(path string) ([]string, error) {
	dir := filepath.Join(b.Dir, sanitise(path))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups of %s: %w", path, err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".bak") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

// Restore writes the backup back to path atomically (after backing up the current bytes).
func (b Backups) Restore(path, backup string) error {
	data, err := os.ReadFile(backup)
	if err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	cur, err := ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := b.Save(path, cur); err != nil {
		return err
	}
	return WriteAtomic(path, data, WriteOptions{})
}

func sanitise(p string) string {
	r := strings.NewReplacer("/", "_", `\`, "_", ":", "_")
	return r.Replace(strings.TrimLeft(filepath.Clean(p), `/\`))
}
