package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/clients"
	_ "aisync/backend/clients/all"
	_ "aisync/backend/clients/continuedev" // YAML; registered here until clients/all lists it
	"aisync/backend/engine"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/settings"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// seeds are realistic first files per client: each holds one server of its own and things
// the user wrote by hand (comments, unknown keys) that must survive every write.
var seeds = map[string]map[string]string{
	"cursor": {".cursor/mcp.json": `{
  // cursor's own comment
  "mcpServers": {
    "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}
  },
  "cursorOnly": {"keep": true}
}
`},
	"codex": {".codex/config.toml": `# Codex configuration, hand-written: keep the comments!
model = "gpt-5-codex"

[mcp_servers.git]
command = "uvx"
args = ["mcp-server-git", "--repository", "/srv/repo"]
`},
	"gemini": {".gemini/settings.json": `{
  // Gemini settings
  "theme": "GitHub",
  "mcpServers": {}
}
`},
	"windsurf": {".codeium/windsurf/mcp_config.json": `{
  "mcpServers": {
    "docs": {"serverUrl": "https://mcp.example.com/mcp"}
  }
}
`},
	"continue": {".continue/config.yaml": `# Continue config, edited by hand
name: My Assistant
version: 1.0.0
schema: v1
mcpServers:
  - name: sqlite
    command: npx
    args: ["-y", "mcp-sqlite", "/tmp/db.sqlite"]
`},
	"claude-code": {".claude.json": `{
  "numStartups": 7,
  "mcpServers": {}
}
`},
	"copilot-cli": {".copilot/mcp-config.json": `{"mcpServers": {}}
`},
	"kiro": {".kiro/settings/mcp.json": `{"mcpServers": {}}
`},
	"amazonq": {".aws/amazonq/mcp.json": `{"mcpServers": {}}
`},
	"vscode": {".config/Code/User/mcp.json": `{
  // VS Code user MCP servers
  "servers": {},
  "inputs": []
}
`},
	"claude-desktop": {".config/Claude/claude_desktop_config.json": `{"mcpServers": {}, "globalShortcut": "Ctrl+Space"}
`},
	"opencode": {".config/opencode/opencode.json": `{
  "$schema": "https://opencode.ai/config.json",
  "mcp": {}
}
`},
}

// rig is the real engine with the real adapters and a real SQLite store, over a temporary
// HOME. Only the clients it is given are detected (their folders exist).
type rig struct {
	t       testing.TB
	root    string
	home    string
	data    string
	env     clients.Env
	set     settings.Settings
	st      *store.SQLite
	eng     *engine.Engine
	ids     []string
	logs    *logCapture
	backups fsx.Backups
}

type rigOption func(*rigConfig)

type rigConfig struct {
	env      map[string]string
	noSeed   bool
	dataDir  string
	adapters []clients.Adapter
}

func withEnv(k, v string) rigOption { return func(c *rigConfig) { c.env[k] = v } }
func withoutSeeds() rigOption       { return func(c *rigConfig) { c.noSeed = true } }
func withDataDir(d string) rigOption {
	return func(c *rigConfig) { c.dataDir = d }
}

// newRig makes a temporary HOME with the seed files of the given clients and an engine over it.
func newRig(t testing.TB, ids []string, opts ...rigOption) *rig {
	t.Helper()
	cfg := rigConfig{env: map[string]string{}}
	for _, o := range opts {
		o(&cfg)
	}
	root := t.TempDir()
	home := filepath.Join(root, "home")
	data := filepath.Join(root, "data")
	if cfg.dataDir != "" {
		data = cfg.dataDir
	}
	must(t, os.MkdirAll(home, 0o755))
	must(t, os.MkdirAll(data, 0o700))
	if !cfg.noSeed {
		for _, id := range ids {
			for rel, content := range seeds[id] {
				writeFile(t, filepath.Join(home, rel), content)
			}
		}
	}
	vars := map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "AISYNC_DATA_DIR": data,
		"AISYNC_ENV_FILE": "", "AISYNC_RETRY_MAX": "2", "AISYNC_RETRY_BASE_MS": "5",
		"AISYNC_DEBOUNCE_MS": "20", "AISYNC_RESCAN_SECONDS": "0", "AISYNC_LOG_LEVEL": "debug",
		"AISYNC_SECRETS_BACKEND": "file", "AISYNC_CLIENTS": strings.Join(ids, ","),
	}
	for k, v := range cfg.env {
		vars[k] = v
	}
	set, err := settings.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	must(t, err)
	st, err := store.Open(context.Background(), set.DBPath())
	must(t, err)
	t.Cleanup(func() { st.Close() })
	logs := &logCapture{}
	env := clients.Env{GOOS: "linux", Home: home, XDGConfigHome: filepath.Join(home, ".config"), Vars: map[string]string{}}
	var adapters []clients.Adapter
	for _, id := range ids {
		a, ok := clients.Get(id)
		if !ok {
			t.Fatalf("no adapter %q", id)
		}
		adapters = append(adapters, a)
	}
	if cfg.adapters != nil {
		adapters = cfg.adapters
	}
	backups := fsx.Backups{Dir: set.BackupDir(), Keep: set.BackupKeep}
	eng := engine.New(engine.Options{
		Store: st, Bus: events.NewBus(500), Logger: slog.New(logs), Env: env,
		Adapters: adapters, Settings: set, Backups: backups,
	})
	return &rig{t: t, root: root, home: home, data: data, env: env, set: set, st: st, eng: eng, ids: ids, logs: logs, backups: backups}
}

// sync runs one pass as a manual trigger would.
func (r *rig) sync() engine.Result {
	r.t.Helper()
	res, err := r.eng.SyncAll(context.Background(), engine.TriggerManual, nil)
	if err != nil {
		r.t.Fatalf("sync: %v", err)
	}
	return res
}

// serve runs the live loop (watching) until the test ends.
func (r *rig) serve() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.eng.Serve(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			r.t.Errorf("engine did not stop within 30s")
		}
	})
}

// serversPath is the file of a client's MCP servers in the user scope.
func (r *rig) serversPath(id string) string {
	ep := r.endpoint(id, unified.SectionServers)
	return ep.Path
}

func (r *rig) endpoint(id string, s unified.Section) clients.Endpoint {
	ep, ok := endpointOf(r.env, id, s)
	if !ok {
		r.t.Fatalf("%s has no %s endpoint", id, s)
	}
	return ep
}

// endpointOf is a client's single-file endpoint holding a section in the user scope.
func endpointOf(env clients.Env, id string, s unified.Section) (clients.Endpoint, bool) {
	a, ok := clients.Get(id)
	if !ok {
		return clients.Endpoint{}, false
	}
	for _, ep := range a.Endpoints(env, clients.UserScope) {
		if ep.Has(s) && ep.Format != clients.FormatRuleDir {
			return ep, true
		}
	}
	return clients.Endpoint{}, false
}

// serversEndpoint is a client's servers file in the user scope.
func serversEndpoint(env clients.Env, id string) clients.Endpoint {
	ep, _ := endpointOf(env, id, unified.SectionServers)
	return ep
}

// servers decodes a client's servers file with its own adapter; a file that does not parse
// fails the test (it would be a corrupted file).
func (r *rig) servers(id string) map[string]unified.Server {
	r.t.Helper()
	cfg, err := decodeEndpoint(id, r.endpoint(id, unified.SectionServers))
	if err != nil {
		r.t.Fatalf("%s: file does not parse: %v", id, err)
	}
	return cfg.Servers
}

// decodeEndpoint reads and decodes one endpoint the way the engine does.
func decodeEndpoint(id string, ep clients.Endpoint) (unified.Config, error) {
	a, ok := clients.Get(id)
	if !ok {
		return unified.Config{}, fmt.Errorf("no adapter %s", id)
	}
	files := clients.Files{}
	if ep.Format == clients.FormatRuleDir {
		m, err := fsx.ReadDir(ep.Path, ep.Pattern)
		if err != nil {
			return unified.Config{}, err
		}
		files = clients.Files(m)
	} else {
		data, err := fsx.ReadFile(ep.Path)
		if err != nil {
			return unified.Config{}, err
		}
		if data != nil {
			files[ep.Path] = data
		}
	}
	cfg, _, err := a.Decode(ep, files)
	return cfg, err
}

// names lists server names, sorted.
func names(m map[string]unified.Server) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tree is every file under a directory: regular files by content, symlinks as "-> target",
// directories as "<dir>". Temporary files of an interrupted write are listed apart.
type tree map[string]string

func snapshotTree(t testing.TB, dir string) tree {
	t.Helper()
	out := tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "-> " + target
		case d.IsDir():
			out[rel] = "<dir>"
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				out[rel] = "<unreadable: " + err.Error() + ">"
				return nil
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return out
}

// tempFiles lists leftovers of interrupted atomic writes.
func (tr tree) tempFiles() []string {
	var out []string
	for p := range tr {
		if isTempFile(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func isTempFile(p string) bool {
	return strings.Contains(filepath.Base(p), ".aisync-") && strings.HasSuffix(p, ".tmp")
}

// diffTrees describes how b differs from a (for failure messages).
func diffTrees(a, b tree) []string {
	var out []string
	for p, va := range a {
		vb, ok := b[p]
		switch {
		case !ok:
			out = append(out, "removed "+p)
		case va != vb:
			out = append(out, "changed "+p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, "added "+p)
		}
	}
	sort.Strings(out)
	return out
}

// errorLogs are the EVENT_LOG entries of level error, optionally of one client.
func (r *rig) errorLogs(client string) []store.LogEntry {
	r.t.Helper()
	return errorLogs(r.t, r.st, client)
}

func errorLogs(t testing.TB, st store.Store, client string) []store.LogEntry {
	t.Helper()
	page, err := st.ListLogs(context.Background(), store.LogFilter{Levels: []string{store.LevelError}, ClientID: client, Limit: 1000})
	if err != nil {
		t.Fatalf("list logs: %v", err)
	}
	return page.Items
}

// checkDB asserts the database invariants that must hold at any moment, even right after a
// crash: the integrity check passes, every snapshot has its diff rows, every payload hashes
// to its recorded hash, and every parent exists.
func checkDB(t testing.TB, st store.Store) (snapshots int) {
	t.Helper()
	ctx := context.Background()
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check: %v", err)
	}
	var metas []store.SnapshotMeta
	cursor := ""
	for range 10000 {
		page, err := st.ListSnapshots(ctx, store.SnapshotFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			t.Fatalf("list snapshots: %v", err)
		}
		metas = append(metas, page.Items...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	ids := map[string]bool{}
	for _, m := range metas {
		ids[m.ID] = true
	}
	for _, m := range metas {
		// A scope's first snapshot has no parent and stores no diff (against the empty state
		// it would repeat the snapshot); any other is stored with its diffs, in one
		// transaction.
		diffs, err := st.GetDiffs(ctx, m.ID)
		if err != nil || (len(diffs) == 0 && m.ParentID != "") {
			t.Errorf("snapshot %s has no diff rows (%v): half-recorded", m.ID, err)
		}
		for _, d := range diffs {
			if !json.Valid(d.DiffPayload) {
				t.Errorf("snapshot %s: diff %s is not JSON", m.ID, d.ID)
			}
		}
		snap, err := st.GetSnapshot(ctx, m.ID)
		if err != nil {
			t.Errorf("get snapshot %s: %v", m.ID, err)
			continue
		}
		var c unified.Config
		if err := json.Unmarshal(snap.Payload, &c); err != nil {
			t.Errorf("snapshot %s payload does not decode: %v", m.ID, err)
		} else if c.Hash() != m.UnifiedHash || fsx.Hash(snap.Payload) != m.UnifiedHash {
			t.Errorf("snapshot %s: payload hash %s, recorded %s", m.ID, c.Hash(), m.UnifiedHash)
		}
		if m.ParentID != "" && !ids[m.ParentID] {
			t.Errorf("snapshot %s: parent %s is missing", m.ID, m.ParentID)
		}
	}
	return len(metas)
}

// logCapture is a slog handler that keeps every record (debug included) for assertions.
type logCapture struct {
	mu      sync.Mutex
	records []string
	attrs   []slog.Attr
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	l.mu.Lock()
	if len(l.records) < 100000 {
		l.records = append(l.records, b.String())
	}
	l.mu.Unlock()
	if os.Getenv("AISYNC_TEST_LOG") != "" {
		fmt.Fprintln(os.Stderr, b.String())
	}
	return nil
}
func (l *logCapture) WithAttrs(as []slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler         { return l }

// count returns how many records contain s.
func (l *logCapture) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if strings.Contains(r, s) {
			n++
		}
	}
	return n
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(content), 0o644))
}

// writeAtomic replaces a file the way careful editors do (temp file + rename).
func writeAtomic(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".editor-tmp"
	must(t, os.WriteFile(tmp, data, 0o644))
	must(t, os.Rename(tmp, path))
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// sameBytes reports whether a file holds exactly want.
func sameBytes(path string, want []byte) bool {
	got, err := os.ReadFile(path)
	return err == nil && bytes.Equal(got, want)
}

// serversSafeMap is a client's servers, or nil while its file is missing or broken.
func (r *rig) serversSafeMap(id string) map[string]unified.Server {
	cfg, _ := decodeEndpoint(id, r.endpoint(id, unified.SectionServers))
	return cfg.Servers
}
