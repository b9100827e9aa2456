package service

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/logging"
	"aisync/backend/secrets"
	"aisync/backend/settings"
)

// TestSecretValuesNeverLeaveTheKeyring syncs a server carrying an API key and a bearer token
// from Cursor to Codex and Gemini through the real OS keyring (gnome-keyring under
// dbus-run-session in `make test`), then greps every place aisync writes — the SQLite files,
// the log files, a log export and a backup archive — for the values.
func TestSecretValuesNeverLeaveTheKeyring(t *testing.T) {
	home := t.TempDir()
	data := t.TempDir()
	set := settings.Settings{
		DataDir: data, ConflictPolicy: settings.PolicyMerge, Debounce: 10 * time.Millisecond, RetryMax: 1, RetryBase: time.Millisecond,
		BackupKeep: 5, TokenTTL: time.Hour, SecretsBackend: "keyring",
		SecretServiceName: fmt.Sprintf("aisync-test-%d", time.Now().UnixNano()),
		APITokenKey:       "api-token", AdminPasswordKey: "admin-password",
	}
	kr, err := secrets.Open(set)
	if errors.Is(err, secrets.ErrNoSecretService) && os.Getenv("AISYNC_REQUIRE_KEYRING") == "" {
		t.Skipf("no Secret Service here (run under `make test`, which starts gnome-keyring): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	const apiKey = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	const bearer = "ghp_Q3xV9rT2mK8pL5nW7yZ4aB6cD1eF0gH2jI"
	for _, d := range []string{".cursor", ".codex", ".gemini"} {
		os.MkdirAll(filepath.Join(home, d), 0o755)
	}
	os.WriteFile(filepath.Join(home, ".cursor", "mcp.json"), []byte(`{"mcpServers":{
  "search": {"command": "npx", "args": ["-y", "@acme/search-mcp"], "env": {"ACME_API_KEY": "`+apiKey+`", "LOG_LEVEL": "info"}},
  "github": {"url": "https://api.githubcopilot.com/mcp/", "headers": {"Authorization": "Bearer `+bearer+`"}}
}}`), 0o600)

	log, closer, err := logging.New(logging.Options{Level: "debug", Format: "json", Dir: set.LogDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	env := clients.Env{GOOS: runtime.GOOS, Home: home, XDGConfigHome: filepath.Join(home, ".config"), Vars: map[string]string{}}
	svc, err := Open(context.Background(), set, log, Options{Env: &env, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	defer func() {
		names, _ := kr.List()
		for _, n := range names {
			kr.Delete(n)
		}
	}()
	ctx := context.Background()
	res, err := svc.SyncOnce(ctx, nil, "test")
	if err != nil || res.Snapshots != 1 {
		t.Fatalf("sync: %v %+v", err, res)
	}

	// The clients get the literal values, exactly as the user had them.
	codex, _ := os.ReadFile(filepath.Join(home, ".codex", "config.toml"))
	gemini, _ := os.ReadFile(filepath.Join(home, ".gemini", "settings.json"))
	if !strings.Contains(string(codex), apiKey) || !strings.Contains(string(gemini), apiKey) || !strings.Contains(string(gemini), "Bearer "+bearer) {
		t.Fatalf("targets lack the literal values:\ncodex:\n%s\ngemini:\n%s", codex, gemini)
	}
	// The unified state holds references only.
	snaps, _ := svc.Snapshots(ctx, SnapshotFilter{})
	view, _ := svc.Snapshot(ctx, snaps.Items[0].ID)
	if v := view.Config.Servers["search"].Env["ACME_API_KEY"]; !strings.HasPrefix(v, "${secret:") {
		t.Fatalf("snapshot holds %q, want a ${secret:…} reference", v)
	}
	if v := view.Config.Servers["github"].Headers["Authorization"]; !strings.HasPrefix(v, "Bearer ${secret:") {
		t.Fatalf("snapshot header = %q", v)
	}
	// A no-change pass stays a no-change pass (references resolve to the same bytes).
	if res, _ := svc.SyncOnce(ctx, nil, "test"); res.FilesWritten != 0 || res.Snapshots != 0 {
		t.Fatalf("second pass wrote: %+v", res)
	}

	export, err := svc.ExportLogs(ctx, LogFilter{}, FormatJSONL)
	if err != nil || export.RowCount == 0 {
		t.Fatalf("export: %v %+v", err, export)
	}
	backup, err := svc.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	archived := untar(t, backup.Path)
	svc.Close()
	closer.Close()

	places := map[string][]byte{"backup archive (unpacked)": archived}
	filepath.Walk(data, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !strings.HasSuffix(p, ".tar.gz") {
			b, _ := os.ReadFile(p)
			places[p] = b
		}
		return nil
	})
	for _, want := range []string{"aisync.db", "aisync.log", "logs-"} {
		found := false
		for p := range places {
			found = found || strings.Contains(filepath.Base(p), want)
		}
		if !found {
			t.Fatalf("nothing named %s* was written to check", want)
		}
	}
	for where, b := range places {
		for _, secret := range []string{apiKey, bearer} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("secret value found in %s", where)
			}
		}
	}
}

func untar(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var all bytes.Buffer
	for {
		_, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, tr)
	}
	if all.Len() == 0 {
		t.Fatal("empty backup")
	}
	return all.Bytes()
}
