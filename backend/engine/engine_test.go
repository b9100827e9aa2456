package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/settings"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// fakeAdapter keeps servers in <home>/.<id>/servers.json as {"servers": {...}, "other": ...}
// and keeps any other top-level key, like a real adapter keeps unknown keys.
type fakeAdapter struct{ id string }

func (f fakeAdapter) ID() string   { return f.id }
func (f fakeAdapter) Name() string { return strings.ToUpper(f.id) }
func (f fakeAdapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{Servers: true, Transports: []unified.Transport{unified.TransportStdio, unified.TransportHTTP}}
}
func (f fakeAdapter) DetectPaths(env clients.Env) []string {
	return []string{filepath.Join(env.Home, "."+f.id)}
}
func (f fakeAdapter) Endpoints(env clients.Env, sc clients.Scope) []clients.Endpoint {
	if sc.Kind != clients.ScopeUser {
		return nil
	}
	return []clients.Endpoint{{Client: f.id, Scope: sc, Path: filepath.Join(env.Home, "."+f.id, "servers.json"), Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}}
}
func (f fakeAdapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data := files[ep.Path]
	if len(data) == 0 {
		return unified.Config{}, nil, nil
	}
	var doc struct {
		Servers map[string]unified.Server `json:"servers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return unified.Config{}, nil, &clients.SyntaxError{Path: ep.Path, Line: 1, Col: 1, Msg: err.Error(), Format: clients.FormatJSON}
	}
	return unified.Config{Servers: doc.Servers}, nil, nil
}
func (f fakeAdapter) Encode(ep clients.Endpoint, files clients.Files, c unified.Config) (clients.Files, []clients.Warning, error) {
	doc := map[string]any{}
	if data := files[ep.Path]; len(data) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, nil, err
		}
	}
	servers := c.Normalized().Servers // c is shared with the other endpoints: only read
	if servers == nil {
		servers = map[string]unified.Server{}
	}
	doc["servers"] = servers
	b, _ := json.MarshalIndent(doc, "", "  ")
	b = append(b, '\n')
	if string(b) == string(files[ep.Path]) {
		return clients.Files{}, nil, nil
	}
	return clients.Files{ep.Path: b}, nil, nil
}

type harness struct {
	t    *testing.T
	home string
	eng  *Engine
	st   *store.SQLite
	bus  *events.Bus
}

func newHarness(t *testing.T, policy string, ids ...string) *harness {
	t.Helper()
	return newHarnessWith(t, policy, nil, ids...)
}

// newHarnessWith is newHarness with the engine's store wrapped by wrap (nil: the store
// itself), for tests that make the store slow or failing.
func newHarnessWith(t *testing.T, policy string, wrap func(*store.SQLite) store.Store, ids ...string) *harness {
	t.Helper()
	home := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "aisync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var adapters []clients.Adapter
	for _, id := range ids {
		adapters = append(adapters, fakeAdapter{id})
		os.MkdirAll(filepath.Join(home, "."+id), 0o755)
	}
	var engStore store.Store = st
	if wrap != nil {
		engStore = wrap(st)
	}
	bus := events.NewBus(100)
	eng := New(Options{
		Store: engStore, Bus: bus, Logger: testLogger(),
		Env:      clients.Env{GOOS: "linux", Home: home},
		Adapters: adapters,
		Settings: settings.Settings{ConflictPolicy: policy, Debounce: 5 * time.Millisecond, RetryMax: 2, RetryBase: 2 * time.Millisecond},
		Backups:  fsx.Backups{Dir: filepath.Join(t.TempDir(), "backups"), Keep: 5},
	})
	return &harness{t: t, home: home, eng: eng, st: st, bus: bus}
}

func (h *harness) path(id string) string { return filepath.Join(h.home, "."+id, "servers.json") }

func (h *harness) write(id, content string) {
	h.t.Helper()
	if err := os.WriteFile(h.path(id), []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) servers(id string) map[string]unified.Server {
	h.t.Helper()
	data, err := os.ReadFile(h.path(id))
	if err != nil {
		return nil
	}
	var doc struct {
		Servers map[string]unified.Server `json:"servers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		h.t.Fatalf("%s does not parse: %v\n%s", id, err, data)
	}
	return doc.Servers
}

func (h *harness) sync(trigger string) Result {
	h.t.Helper()
	res, err := h.eng.SyncAll(context.Background(), trigger, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func names(m map[string]unified.Server) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return fmt.Sprint(sortStrings(out))
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestSyncUnionThenIdempotent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"fetch":{"transport":"stdio","command":"uvx","args":["mcp-server-fetch"]}},"theme":"dark"}`)
	h.write("beta", `{"servers":{"git":{"transport":"stdio","command":"uvx","args":["mcp-server-git"]}}}`)
	res := h.sync(TriggerCLI)
	if res.Snapshots != 1 || res.FilesWritten != 3 {
		t.Fatalf("first pass: %+v", res)
	}
	for _, id := range []string{"alpha", "beta", "gamma"} {
		if got := names(h.servers(id)); got != "[fetch git]" {
			t.Fatalf("%s has %s", id, got)
		}
	}
	if data, _ := os.ReadFile(h.path("alpha")); !strings.Contains(string(data), `"theme": "dark"`) {
		t.Fatalf("unknown key lost: %s", data)
	}
	res = h.sync(TriggerCLI)
	if res.Snapshots != 0 || res.FilesWritten != 0 {
		t.Fatalf("second pass changed things: %+v", res)
	}
	page, _ := h.st.ListSnapshots(context.Background(), store.SnapshotFilter{})
	if len(page.Items) != 1 {
		t.Fatalf("snapshots = %d", len(page.Items))
	}
	// The scope's first snapshot has no parent and stores no diff (it would repeat the
	// snapshot); a later one stores its JSON Patch against its parent (below).
	if diffs, err := h.st.GetDiffs(context.Background(), page.Items[0].ID); err != nil || len(diffs) != 0 {
		t.Fatalf("first snapshot's diffs = %+v, %v; want none", diffs, err)
	}
	// The snapshot is the hub: its payload decodes to what the clients hold, and its hash
	// is that config's.
	snap, err := h.st.GetSnapshot(context.Background(), page.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var hub unified.Config
	if err := json.Unmarshal(snap.Payload, &hub); err != nil {
		t.Fatal(err)
	}
	if names(hub.Servers) != "[fetch git]" || snap.UnifiedHash != hub.Hash() || snap.ServerCount != 2 {
		t.Fatalf("snapshot %s holds %s with hash %s (its config's: %s)", snap.ID, snap.Payload, snap.UnifiedHash, hub.Hash())
	}
	h.write("gamma", `{"servers":{"fetch":{"transport":"stdio","command":"uvx","args":["mcp-server-fetch"]},"git":{"transport":"stdio","command":"uvx","args":["mcp-server-git"]},"time":{"transport":"stdio","command":"uvx","args":["mcp-server-time"]}}}`)
	if res := h.sync(TriggerCLI); res.Snapshots != 1 {
		t.Fatalf("an added server made %d snapshots", res.Snapshots)
	}
	page, _ = h.st.ListSnapshots(context.Background(), store.SnapshotFilter{})
	diffs, _ := h.st.GetDiffs(context.Background(), page.Items[0].ID)
	if len(page.Items) != 2 || page.Items[0].ParentID == "" || len(diffs) != 1 || diffs[0].DiffFormat != store.DiffJSONPatch ||
		!strings.Contains(string(diffs[0].DiffPayload), `"path":"/servers/time"`) {
		t.Fatalf("second snapshot %+v: diffs = %+v", page.Items[0], diffs)
	}
}

// Scenario A: an edit in one client appears in all others and a success event is published.
func TestScenarioAEditPropagates(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyPriority, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"fetch":{"transport":"stdio","command":"uvx"}}}`)
	h.sync(TriggerStartup)
	sub := h.bus.Subscribe(100)
	defer sub.Close()
	h.write("beta", `{"servers":{"fetch":{"transport":"stdio","command":"uvx"},"docs":{"transport":"http","url":"https://mcp.example.com/mcp"}}}`)
	res := h.sync(TriggerWatch)
	if res.Status != string(store.SyncSucceeded) || res.Snapshots != 1 {
		t.Fatalf("result: %+v", res)
	}
	for _, id := range []string{"alpha", "gamma"} {
		if s := h.servers(id)["docs"]; s.URL != "https://mcp.example.com/mcp" {
			t.Fatalf("%s did not get docs: %+v", id, h.servers(id))
		}
	}
	var sawSuccess bool
	for len(sub.C) > 0 {
		e := <-sub.C
		if e.Type == events.SyncFinished && e.Data["status"] == "succeeded" {
			sawSuccess = true
		}
	}
	if !sawSuccess {
		t.Fatal("no sync.finished success event")
	}
}

// Scenario B: two clients edited while aisync was stopped; the user picks one; all converge.
func TestScenarioBConflictAndResolution(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyManual, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"db":{"transport":"stdio","command":"npx","args":["db-mcp"]}}}`)
	h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{"db":{"transport":"stdio","command":"npx","args":["db-mcp","--read-only"]}}}`)
	h.write("beta", `{"servers":{"db":{"transport":"stdio","command":"npx","args":["db-mcp","--port","5433"]}}}`)
	res := h.sync(TriggerStartup)
	if res.Conflicts != 1 {
		t.Fatalf("conflicts = %d (%+v)", res.Conflicts, res)
	}
	// Nothing is written for the key until the user decides: each client keeps its edit.
	if got := h.servers("alpha")["db"].Args; len(got) != 2 {
		t.Fatalf("alpha overwritten before resolution: %v", got)
	}
	if got := h.servers("beta")["db"].Args; len(got) != 3 {
		t.Fatalf("beta overwritten before resolution: %v", got)
	}
	list, _ := h.st.ListConflicts(context.Background(), store.ConflictPending)
	if len(list) != 1 || list[0].ItemKey != "servers/db" || len(list[0].Sides) < 2 {
		t.Fatalf("conflict rows: %+v", list)
	}
	if _, err := h.eng.ResolveConflict(context.Background(), list[0].ID, Resolution{Choice: ChooseClient, Client: "beta"}, "test"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"alpha", "beta", "gamma"} {
		if got := h.servers(id)["db"].Args; fmt.Sprint(got) != "[db-mcp --port 5433]" {
			t.Fatalf("%s after resolution: %v", id, got)
		}
	}
	if _, err := h.eng.ResolveConflict(context.Background(), list[0].ID, Resolution{Choice: ChooseClient, Client: "beta"}, "test"); err == nil {
		t.Fatal("resolving twice succeeded")
	}
	if res := h.sync(TriggerManual); res.Conflicts != 0 || res.FilesWritten != 0 {
		t.Fatalf("not converged: %+v", res)
	}
}

// Scenario C: a target without write permission is retried, then logged as an error, while
// the other clients still sync.
func TestScenarioCPermissionDenied(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions; covered by the fake-writer test")
	}
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	h.sync(TriggerStartup)
	os.Chmod(filepath.Dir(h.path("gamma")), 0o555)
	defer os.Chmod(filepath.Dir(h.path("gamma")), 0o755)
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`)
	res := h.sync(TriggerWatch)
	if _, ok := h.servers("beta")["b"]; !ok {
		t.Fatal("beta did not sync while gamma failed")
	}
	if len(res.Clients["gamma"].Errors) == 0 {
		t.Fatalf("no error for gamma: %+v", res.Clients["gamma"])
	}
	logs, _ := h.st.ListLogs(context.Background(), store.LogFilter{Levels: []string{store.LevelError}, ClientID: "gamma"})
	if len(logs.Items) == 0 || !strings.Contains(logs.Items[0].Message, "gave up after 3 attempts") {
		t.Fatalf("error log: %+v", logs.Items)
	}
	if h.eng.Metrics().Counts().Retries < 2 {
		t.Fatalf("retries = %d", h.eng.Metrics().Counts().Retries)
	}
}

func TestHalfWrittenFileIsNeverPropagated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	h.sync(TriggerStartup)
	before, _ := os.ReadFile(h.path("beta"))
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","comm`)
	res := h.sync(TriggerWatch)
	after, _ := os.ReadFile(h.path("beta"))
	if string(before) != string(after) {
		t.Fatal("a half-written file was propagated")
	}
	if got, _ := os.ReadFile(h.path("alpha")); !strings.HasSuffix(string(got), `"comm`) {
		t.Fatal("the broken file was overwritten")
	}
	if len(res.Clients["alpha"].Errors) == 0 {
		t.Fatal("no error reported for the broken file")
	}
}

func TestDeletionPropagatesAndStaleClientCannotResurrect(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`)
	h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	h.sync(TriggerWatch)
	if _, ok := h.servers("beta")["b"]; ok {
		t.Fatal("deletion did not propagate")
	}
	// A client aisync has never seen shows up with the deleted server.
	h2 := &harness{t: t, home: h.home, st: h.st, bus: h.bus}
	os.MkdirAll(filepath.Join(h.home, ".delta"), 0o755)
	h2.write("delta", `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`)
	h.eng.adapters = append(h.eng.adapters, fakeAdapter{"delta"})
	h.sync(TriggerRescan)
	for _, id := range []string{"alpha", "beta", "delta"} {
		if _, ok := h.servers(id)["b"]; ok {
			t.Fatalf("%s has the deleted server again", id)
		}
	}
}

func TestSuspiciousEmptyFileIsHeldUntilConfirmed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`)
	h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{}}`)
	res := h.sync(TriggerWatch)
	if res.Conflicts != 1 || len(h.servers("beta")) != 2 {
		t.Fatalf("emptying was not held: %+v beta=%v", res, h.servers("beta"))
	}
	list, _ := h.st.ListConflicts(context.Background(), store.ConflictPending)
	if len(list) != 1 || list[0].Kind != "suspicious" {
		t.Fatalf("conflicts: %+v", list)
	}
	if _, err := h.eng.ResolveConflict(context.Background(), list[0].ID, Resolution{Choice: ChooseConfirm}, "test"); err != nil {
		t.Fatal(err)
	}
	if got := h.servers("beta"); len(got) != 0 {
		t.Fatalf("confirmed deletion not propagated: %v", got)
	}
}

// A held file that comes back exactly as it was before it was emptied (an editor's undo, a
// restore from a backup) closes the hold, and its later edits propagate again.
func TestHeldFileBackAsItWasClosesTheHold(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	before := `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`
	h.write("alpha", before)
	h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{}}`)
	if res := h.sync(TriggerWatch); res.Conflicts != 1 {
		t.Fatalf("emptying was not held: %+v", res)
	}
	h.write("alpha", before)
	h.sync(TriggerWatch)
	if list, _ := h.st.ListConflicts(context.Background(), store.ConflictPending); len(list) != 0 {
		t.Fatalf("the hold stayed after the file came back: %+v", list)
	}
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a2"},"b":{"transport":"stdio","command":"b"}}}`)
	h.sync(TriggerWatch)
	if got := h.servers("beta")["a"].Command; got != "a2" {
		t.Fatalf("an edit after the file came back did not propagate: beta has a=%q", got)
	}
}

func TestRollbackDryRunThenApply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	first := h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a2"}}}`)
	h.sync(TriggerWatch)
	dry, err := h.eng.Apply(context.Background(), first.SnapshotIDs[0], nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Diffs) != 2 || h.servers("beta")["a"].Command != "a2" {
		t.Fatalf("dry run: %+v (beta=%v)", dry.Diffs, h.servers("beta"))
	}
	if _, err := h.eng.Apply(context.Background(), first.SnapshotIDs[0], []string{"beta"}, false); err != nil {
		t.Fatal(err)
	}
	if h.servers("beta")["a"].Command != "a" {
		t.Fatalf("rollback not applied to beta: %v", h.servers("beta"))
	}
}

// The live loop: a file edit reaches the other clients without a manual trigger, our own
// writes do not echo back, and many rapid edits converge on the last one.
func TestServeWatchesAndConverges(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"s":{"transport":"stdio","command":"v0"}}}`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.eng.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return h.servers("gamma")["s"].Command == "v0" })
	t.Log("startup ok")

	for i := 1; i <= 200; i++ {
		h.write("alpha", fmt.Sprintf(`{"servers":{"s":{"transport":"stdio","command":"v%d"}}}`, i))
		if i%20 == 0 {
			time.Sleep(3 * time.Millisecond)
		}
	}
	waitFor(t, func() bool {
		return h.servers("beta")["s"].Command == "v200" && h.servers("gamma")["s"].Command == "v200"
	})
	// No echo loop: once converged, nothing more is written.
	time.Sleep(100 * time.Millisecond)
	before, _ := h.st.ListSnapshots(context.Background(), store.SnapshotFilter{Limit: 1000})
	time.Sleep(150 * time.Millisecond)
	after, _ := h.st.ListSnapshots(context.Background(), store.SnapshotFilter{Limit: 1000})
	if len(after.Items) != len(before.Items) {
		t.Fatalf("snapshots keep growing after convergence: %d → %d", len(before.Items), len(after.Items))
	}
	if got := h.servers("alpha")["s"].Command; got != "v200" {
		t.Fatalf("alpha's last edit lost: %s", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}

func testLogger() *slog.Logger {
	if os.Getenv("AISYNC_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestSyncOfOneClientReachesOthersButNeverOverwritesUnreadEdits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a2"}}}`)
	h.write("gamma", `{"servers":{"a":{"transport":"stdio","command":"a"},"g":{"transport":"stdio","command":"g"}}}`)
	if _, err := h.eng.SyncAll(context.Background(), TriggerManual, []string{"alpha"}); err != nil {
		t.Fatal(err)
	}
	if h.servers("beta")["a"].Command != "a2" {
		t.Fatalf("beta did not get alpha's change: %v", h.servers("beta"))
	}
	if _, ok := h.servers("gamma")["g"]; !ok {
		t.Fatal("gamma's own unsynced edit was overwritten")
	}
	h.sync(TriggerManual)
	if _, ok := h.servers("beta")["g"]; !ok || h.servers("gamma")["a"].Command != "a2" {
		t.Fatalf("full pass did not converge: beta=%v gamma=%v", h.servers("beta"), h.servers("gamma"))
	}
}

func TestRollbackDryRunListsOnlyTargets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta", "gamma")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	first := h.sync(TriggerStartup)
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a2"}}}`)
	h.sync(TriggerWatch)
	dry, err := h.eng.Apply(context.Background(), first.SnapshotIDs[0], []string{"beta"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Diffs) != 1 || dry.Diffs[0].Client != "beta" {
		t.Fatalf("dry run for beta listed: %+v", dry.Diffs)
	}
	if _, err := h.eng.Apply(context.Background(), first.SnapshotIDs[0], []string{"nope"}, true); err == nil {
		t.Fatal("unknown target accepted")
	}
}

func TestMissingFileIsHeldAndARecreatedFileMergesWithoutDeleting(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"},"b":{"transport":"stdio","command":"b"}}}`)
	h.sync(TriggerStartup)
	os.Remove(h.path("alpha"))
	if res := h.sync(TriggerWatch); res.Conflicts != 1 || len(h.servers("beta")) != 2 {
		t.Fatalf("deleted file not held: %+v beta=%v", res, h.servers("beta"))
	}
	h.write("alpha", `{"servers":{"c":{"transport":"stdio","command":"c"}}}`) // a fresh file
	h.sync(TriggerWatch)
	for _, id := range []string{"alpha", "beta"} {
		if got := names(h.servers(id)); got != "[a b c]" {
			t.Fatalf("%s = %s, want the union", id, got)
		}
	}
	if list, _ := h.st.ListConflicts(context.Background(), store.ConflictPending); len(list) != 0 {
		t.Fatalf("hold not closed: %+v", list)
	}
}

func TestInvalidUTF8IsASyntaxErrorAndNotPropagated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha", "beta")
	h.write("alpha", `{"servers":{"a":{"transport":"stdio","command":"a"}}}`)
	h.sync(TriggerStartup)
	h.write("alpha", "{\"servers\":{\"a\":{\"transport\":\"stdio\",\"command\":\"a\xff\"}}}")
	res := h.sync(TriggerWatch)
	if h.servers("beta")["a"].Command != "a" {
		t.Fatal("a mangled value propagated")
	}
	if errs := res.Clients["alpha"].Errors; len(errs) == 0 || !strings.Contains(errs[0], "invalid UTF-8 byte 0xff") || !strings.Contains(errs[0], ":1:") {
		t.Fatalf("errors = %v", errs)
	}
}
