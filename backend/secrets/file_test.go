package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/settings"
)

func fileSettings(t *testing.T) settings.Settings {
	return settings.Settings{
		SecretServiceName: "aisync", APITokenKey: "api-token", AdminPasswordKey: "admin-password",
		SecretsBackend: BackendFile, DataDir: filepath.Join(t.TempDir(), "nested", "aisync"),
	}
}

func TestFileBackend(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	kr, err := Open(set)
	if err != nil {
		t.Fatal(err)
	}
	if kr.Backend() != BackendFile {
		t.Errorf("Backend = %q", kr.Backend())
	}
	w, ok := kr.(interface{ Warning() string })
	if !ok || !strings.Contains(w.Warning(), "UNENCRYPTED") || !strings.Contains(w.Warning(), set.SecretsFile()) {
		t.Errorf("Warning() should say the file is unencrypted and where it is")
	}
	if _, err := kr.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get from a store with no file yet = %v", err)
	}
	if names, err := kr.List(); err != nil || len(names) != 0 {
		t.Errorf("List = %v, %v", names, err)
	}
	if err := kr.Set("github.env.GITHUB_TOKEN", fakeGitHub); err != nil {
		t.Fatal(err)
	}
	if err := kr.Set("admin-password", "pa\"ss\nword ✓"); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{set.SecretsFile(): 0o600, set.DataDir: 0o700} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode().Perm(), err, want)
			}
		}
	}
	data, _ := os.ReadFile(set.SecretsFile())
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil || m["admin-password"] != "pa\"ss\nword ✓" {
		t.Errorf("file is not the JSON map: %v %v", m, err)
	}
	if got, err := kr.Get("admin-password"); err != nil || got != "pa\"ss\nword ✓" {
		t.Errorf("Get = %q, %v", got, err)
	}
	if names, _ := kr.List(); !slices.Equal(names, []string{"admin-password", "github.env.GITHUB_TOKEN"}) {
		t.Errorf("List = %v", names)
	}
	if err := kr.Delete("admin-password"); err != nil {
		t.Fatal(err)
	}
	if err := kr.Delete("admin-password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v", err)
	}
	if err := kr.Set("bad", "\xff\xfe"); err == nil {
		t.Error("Set of invalid UTF-8 should fail rather than store a different value")
	}
	if err := kr.Set("__index__", "x"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Set of a reserved name = %v", err)
	}
	entries, _ := os.ReadDir(set.DataDir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %v, want only secrets.json (no temp files left)", entries)
	}
}

func TestFileBackendRestrictsWidenedFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	t.Parallel()
	set := fileSettings(t)
	if err := os.MkdirAll(set.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(set.SecretsFile(), []byte(`{"a":"b"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	kr, err := Open(set)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(set.SecretsFile()); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Open = %v, want 0600", fi.Mode().Perm())
	}
	if v, _ := kr.Get("a"); v != "b" {
		t.Errorf("Get = %q", v)
	}
}

func TestFileBackendCorruptFile(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	_ = os.MkdirAll(set.DataDir, 0o700)
	_ = os.WriteFile(set.SecretsFile(), []byte(`{"admin-password": "supersecretvalue"`), 0o600)
	_, err := Open(set)
	if err == nil || !strings.Contains(err.Error(), set.SecretsFile()) {
		t.Fatalf("Open of a truncated file = %v, want an error naming it", err)
	}
	if strings.Contains(err.Error(), "supersecretvalue") {
		t.Errorf("error leaks the value: %v", err)
	}
}

// TestFileBackendAtomicWrites has readers parse the file while writers replace it: thanks
// to temp file + rename a reader never sees a torn or empty file.
func TestFileBackendAtomicWrites(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	kr, err := Open(set)
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Set("seed", "x"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var torn int
	var mu sync.Mutex
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				time.Sleep(time.Millisecond)
				data, err := os.ReadFile(set.SecretsFile())
				var m map[string]string
				if err != nil || json.Unmarshal(data, &m) != nil || m["seed"] != "x" {
					mu.Lock()
					torn++
					mu.Unlock()
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 15 {
				if err := kr.Set(fmt.Sprintf("w%d-%d", w, i), strings.Repeat("v", 200+i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if torn > 0 {
		t.Errorf("readers saw %d torn or missing files", torn)
	}
	if names, _ := kr.List(); len(names) != 1+4*15 {
		t.Errorf("List has %d names, want %d (a write was lost)", len(names), 1+4*15)
	}
}
