package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"

	"aisync/backend/fsx"
)

// fileKeyring is the documented fallback for machines without an OS keyring: a JSON object
// of name → value in one file that only its owner can read (0600, in a 0700 directory).
// The values are not encrypted; Warning says so.
type fileKeyring struct {
	path string
	mu   sync.Mutex // one read-modify-write at a time within this process
}

func openFile(path string) (*fileKeyring, error) {
	f := &fileKeyring{path: path}
	if _, err := f.read(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		// Someone widened it (a copy, an editor); secrets must not stay readable by others.
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("open secrets file: restrict %s to its owner: %w", path, err)
		}
	}
	return f, nil
}

func (f *fileKeyring) Backend() string { return BackendFile }

// Warning is the one-line notice callers log or print once: the values are in a plain file.
func (f *fileKeyring) Warning() string {
	return fmt.Sprintf("secrets are stored UNENCRYPTED in %s (AISYNC_SECRETS_BACKEND=file); anyone who can read that file as you can read them", f.path)
}

func (f *fileKeyring) Get(key string) (string, error) {
	if err := ValidName(key); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return "", err
	}
	v, ok := m[key]
	if !ok {
		return "", fmt.Errorf("read secret %s: %w", key, ErrNotFound)
	}
	return v, nil
}

func (f *fileKeyring) Set(key, value string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	if !utf8.ValidString(value) {
		// JSON would silently replace the invalid bytes and hand back a different value.
		return fmt.Errorf("store secret %s: the value is not valid UTF-8", key)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	if old, ok := m[key]; ok && old == value {
		return nil
	}
	m[key] = value
	return f.write(m)
}

func (f *fileKeyring) Delete(key string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	if _, ok := m[key]; !ok {
		return fmt.Errorf("delete secret %s: %w", key, ErrNotFound)
	}
	delete(m, key)
	return f.write(m)
}

func (f *fileKeyring) List() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(m)), nil
}

// read returns the stored map; a missing file is an empty store.
func (f *fileKeyring) read() (map[string]string, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file: %w", err)
	}
	m := map[string]string{}
	if len(bytes.TrimSpace(data)) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(data, &m); err != nil {
		// encoding/json quotes at most one character of the input, so no value leaks here.
		return nil, fmt.Errorf("read secrets file %s: want a JSON object of name to value: %w", f.path, err)
	}
	return m, nil
}

// write replaces the file atomically (temp file, fsync, rename, fsync of the directory), so
// a crash leaves either the old secrets or the new ones, never a torn file.
func (f *fileKeyring) write(m map[string]string) error {
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	data = append(data, '\n')
	if fi, err := os.Stat(f.path); err == nil && fi.Mode().Perm() != 0o600 {
		// fsx keeps an existing file's mode; this file is always owner-only.
		if err := os.Chmod(f.path, 0o600); err != nil {
			return fmt.Errorf("write secrets file: %w", err)
		}
	}
	if err := fsx.WriteAtomic(f.path, data, fsx.WriteOptions{Perm: 0o600}); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	return nil
}
