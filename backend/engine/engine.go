// Package engine is the sync loop: it watches every enabled client's files, turns each change
// into the unified model, merges it into the scope's hub three-way (settling conflicts by
// policy or queueing them for the user), records a snapshot with its diff, and writes the
// new state into every other client in that client's own format.
package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/merge"
	"aisync/backend/settings"
	"aisync/backend/store"
	"aisync/backend/telemetry"
	"aisync/backend/unified"
)

// Secrets turns secret values into ${secret:NAME} references after decoding and back into
// values before encoding, so that no secret value reaches the database, logs or events.
type Secrets interface {
	// Extract replaces secret-looking values in cfg with references (storing the values).
	Extract(cfg *unified.Config) error
	// Resolve replaces references in cfg with the stored values.
	Resolve(cfg *unified.Config) error
}

// noSecrets keeps values as they are (used when no keyring is configured).
type noSecrets struct{}

func (noSecrets) Extract(*unified.Config) error { return nil }
func (noSecrets) Resolve(*unified.Config) error { return nil }

// secretScanner is a Secrets whose Extract comes in two parts: Scan finds the secrets in a
// config, safe to run for several at once, and the function it returns names and stores
// them in that config. A pass scans each endpoint's config beside its decode, then runs
// those functions one endpoint after another, in order, so that names do not depend on
// which decode finished first (secrets.ConfigSecrets is one).
type secretScanner interface {
	Scan(cfg unified.Config) (extract func(*unified.Config) error)
}

// Options configure an Engine.
type Options struct {
	Store    store.Store
	Bus      *events.Bus
	Logger   *slog.Logger
	Env      clients.Env
	Adapters []clients.Adapter // default: clients.All()
	Settings settings.Settings
	Secrets  Secrets
	Backups  fsx.Backups
	Now      func() time.Time
}

// Engine runs sync passes. Passes are serialised; everything else is safe for concurrent use.
type Engine struct {
	st       store.Store
	bus      *events.Bus
	log      *slog.Logger
	env      clients.Env
	adapters []clients.Adapter
	set      settings.Settings
	secrets  Secrets
	backups  fsx.Backups
	now      func() time.Time

	mu        sync.Mutex // one pass at a time
	paused    atomic.Bool
	trigger   chan triggerReq
	statusMu  sync.RWMutex
	status    map[string]*ClientStatus
	warned    map[string]map[string]bool // endpoint id → warnings already reported
	retry     map[string]bool            // endpoints whose last write failed
	rendered  map[string]rendering       // endpoint id → what the last pass left in its files
	written   map[string]string          // file path → hash of the bytes this process last wrote there
	cpu       *slots                     // CPU slots of a pass's concurrent writers (see slot)
	metrics   *Metrics
	lastPass  atomic.Int64
	rewatchMu sync.Mutex
	rewatch   func()
}

// ClientStatus is the live state of one client, for the dashboard and /sync/status.
type ClientStatus struct {
	ClientID    string    `json:"clientId"`
	State       string    `json:"state"` // idle, syncing, ok, warning, error, disabled, not-detected
	LastSync    time.Time `json:"lastSync,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	Warnings    []string  `json:"warnings,omitempty"`
	Servers     int       `json:"servers"`
	Rules       int       `json:"rules"`
	Permissions int       `json:"permissions"`
}

// New makes an engine.
func New(o Options) *Engine {
	if o.Adapters == nil {
		o.Adapters = clients.All()
	}
	if o.Secrets == nil {
		o.Secrets = noSecrets{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Bus == nil {
		o.Bus = events.NewBus(200)
	}
	return &Engine{
		st: o.Store, bus: o.Bus, log: o.Logger, env: o.Env, adapters: o.Adapters, set: o.Settings,
		secrets: o.Secrets, backups: o.Backups, now: o.Now,
		trigger:  make(chan triggerReq, 16),
		status:   map[string]*ClientStatus{},
		warned:   map[string]map[string]bool{},
		retry:    map[string]bool{},
		rendered: map[string]rendering{},
		written:  map[string]string{},
		cpu:      newSlots(runtime.GOMAXPROCS(0)),
		metrics:  newMetrics(),
	}
}

// slot waits for one of the engine's CPU slots (as many as the Go scheduler runs at once)
// and returns its release. The files of a scope are written concurrently, so that a slow
// disk or a retried write holds up no other client; their encoding and decoding are CPU
// work that parses whole files, so they take turns in the slots. They would share the
// same cores anyway, and a pass at scale (16 files of 500 servers) held every parsed file
// at once: about half its peak heap. Waiters for a slot are served most work first (see
// slotFor), then in the order they came.
func (e *Engine) slot() (release func()) { return e.cpu.acquire(0) }

// slotFor is slot for a job of about work units (see encodeWork).
func (e *Engine) slotFor(work int) (release func()) { return e.cpu.acquire(work) }

// Bus is the engine's event bus.
func (e *Engine) Bus() *events.Bus { return e.bus }

// Metrics are the engine's counters.
func (e *Engine) Metrics() *Metrics { return e.metrics }

// Adapters returns the engine's adapters.
func (e *Engine) Adapters() []clients.Adapter { return e.adapters }

// Env is where the engine looks for client files.
func (e *Engine) Env() clients.Env { return e.env }

// SetPaused pauses or resumes automatic syncing (watch events are ignored while paused;
// manual triggers still run). Resuming runs a full pass at once, so edits made while paused
// are synced without waiting for the next rescan.
func (e *Engine) SetPaused(p bool) {
	was := e.paused.Swap(p)
	if was && !p {
		go func() {
			if _, err := e.SyncAll(context.Background(), TriggerManual, nil); err != nil {
				e.log.Error("sync after resume", "err", err)
			}
		}()
	}
	e.bus.Publish(events.Event{Type: events.StatusChanged, Msg: map[bool]string{true: "syncing paused", false: "syncing resumed"}[p], Data: map[string]any{"paused": p}})
}

// Paused reports whether automatic syncing is paused.
func (e *Engine) Paused() bool { return e.paused.Load() }

// Result is the outcome of a sync run.
type Result struct {
	SyncEventID  string                   `json:"syncEventId"`
	Status       string                   `json:"status"`
	Trigger      string                   `json:"trigger"`
	Clients      map[string]*ClientResult `json:"clients"`
	FilesWritten int                      `json:"filesWritten"`
	Snapshots    int                      `json:"snapshots"`
	SnapshotIDs  []string                 `json:"snapshotIds,omitempty"`
	Conflicts    int                      `json:"conflicts"`
	Errors       []string                 `json:"errors,omitempty"`
	DurationMs   int64                    `json:"durationMs"`
	started      bool
	// states are the endpoint states the pass's dispatches noted, stored when it ends, with
	// the run when it is recorded: one transaction instead of one per scope and the run's.
	states []store.StateWrite
}

// ClientResult is what a run did for one client.
type ClientResult struct {
	State       string   `json:"state"`
	Servers     int      `json:"servers"`
	Rules       int      `json:"rules"`
	Permissions int      `json:"permissions"`
	Written     int      `json:"written"`
	Warnings    []string `json:"warnings,omitempty"`
	Errors      []string `json:"errors,omitempty"`
}

func (r *Result) client(id string) *ClientResult {
	if r.Clients[id] == nil {
		r.Clients[id] = &ClientResult{State: "ok"}
	}
	return r.Clients[id]
}

// Client is an adapter together with its stored settings.
type Client struct {
	Adapter  clients.Adapter
	Row      store.Client
	Detected bool
}

// Clients detects the installed clients, records them, and returns them in priority order.
func (e *Engine) Clients(ctx context.Context) ([]Client, error) {
	rows, err := e.st.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Client{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	only := map[string]bool{}
	for _, id := range e.set.Clients {
		only[id] = true
	}
	var out []Client
	var changed []int // indexes in out of the rows to store
	for _, a := range e.adapters {
		if len(only) > 0 && !only[a.ID()] {
			continue
		}
		detected := false
		for _, p := range a.DetectPaths(e.env) {
			if _, err := os.Stat(p); err == nil {
				detected = true
				break
			}
		}
		row, ok := byID[a.ID()]
		status := map[bool]string{true: "detected", false: "not-detected"}[detected]
		if !ok || row.Status != status || row.Name != a.Name() {
			if !ok {
				row = store.Client{ID: a.ID(), Type: "ai-client", Priority: clients.DefaultPriority(a.ID()), Enabled: true}
			}
			row.Name, row.Status = a.Name(), status
			changed = append(changed, len(out))
		}
		out = append(out, Client{Adapter: a, Row: row, Detected: detected})
	}
	if len(changed) > 0 {
		rows := make([]store.Client, len(changed))
		for i, k := range changed {
			rows[i] = out[k].Row
		}
		if rows, err = e.st.UpsertClients(ctx, rows); err != nil {
			return nil, err
		}
		for i, k := range changed {
			out[k].Row = rows[i]
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row.Priority > out[j].Row.Priority })
	return out, nil
}

// Scopes returns the user scope and every registered project folder.
func (e *Engine) Scopes(ctx context.Context) ([]clients.Scope, error) {
	scopes := []clients.Scope{clients.UserScope}
	seen := map[string]bool{}
	projects, err := e.st.ListProjects(ctx)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range projects {
		paths = append(paths, p.Path)
	}
	paths = append(paths, e.set.Projects...)
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil || seen[abs] {
			continue
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			continue
		}
		seen[abs] = true
		scopes = append(scopes, clients.ProjectScope(abs))
	}
	return scopes, nil
}

// target is one endpoint in a pass.
type target struct {
	client Client
	ep     clients.Endpoint
	obs    Observation
	files  clients.Files
	err    error // read or decode error
	warns  []clients.Warning
	state  store.EndpointState
	hasSt  bool
	// unchanged: the files are the ones the stored base was recorded from, so they hold no
	// local change and were not decoded (obs.Local is nil); local() reads the base when
	// something needs the config after all.
	unchanged bool
	base      *unified.Config // local()'s decoded base
	// put is the state putState noted, taken by dispatch for the pass to store when it ends.
	put *store.StateWrite
	// extract stores the secrets a secretScanner found in obs.Local (nil: Secrets.Extract
	// does it all).
	extract func(*unified.Config) error
	// localCanon is obs.Local's canonical JSON once localCanonical made it.
	localCanon []byte
}

// localCanonical is obs.Local's canonical JSON (nil without obs.Local), made once: the file
// a pass starts from is compared with the hub and then recorded as its own base, and at a
// thousand servers each canonical encoding of it took over a millisecond.
func (t *target) localCanonical() []byte {
	if t.obs.Local == nil {
		return nil
	}
	if t.localCanon == nil {
		t.localCanon = t.obs.Local.Canonical()
	}
	return t.localCanon
}

// local is what the endpoint's files hold: the decoded files, or for unchanged files the
// stored base, decoded on first use (nil when neither is known).
func (t *target) local() *unified.Config {
	if t.obs.Local != nil || !t.unchanged {
		return t.obs.Local
	}
	if t.base == nil {
		var c unified.Config
		if json.Unmarshal(t.state.Base, &c) != nil {
			return nil
		}
		t.base = &c
	}
	return t.base
}

// Trigger names why a pass runs.
const (
	TriggerWatch    = "watch"
	TriggerStartup  = "startup"
	TriggerManual   = "manual"
	TriggerRescan   = "rescan"
	TriggerCLI      = "cli"
	TriggerResolve  = "conflict-resolved"
	TriggerRollback = "rollback"
)

// SyncAll runs one pass over every scope. When only names clients, just their changes are
// taken in; the result is still written to every enabled client.
func (e *Engine) SyncAll(ctx context.Context, trigger string, only []string) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if trigger == TriggerStartup || trigger == TriggerCLI {
		e.removeStaleTemps(ctx)
	}
	return e.syncLocked(ctx, trigger, passScope{read: setOf(only)})
}

// passScope narrows a pass: read limits whose changes are taken in, write limits which
// clients are written, scopes limits the scopes; nil means all.
type passScope struct {
	read, write map[string]bool
	scopes      map[string]bool
}

func setOf(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func (e *Engine) syncLocked(ctx context.Context, trigger string, ps passScope) (res Result, err error) {
	ctx, end := telemetry.Span(ctx, "aisync.sync", telemetry.String("trigger", trigger))
	defer func() {
		if err == nil {
			end(telemetry.Errors(res.Errors))
			return
		}
		end(err)
	}()
	return e.runPass(ctx, trigger, ps)
}

func (e *Engine) runPass(ctx context.Context, trigger string, ps passScope) (Result, error) {
	scopesFilter := ps.scopes
	start := e.now()
	res := Result{Trigger: trigger, Clients: map[string]*ClientResult{}, Status: string(store.SyncSucceeded)}
	cls, err := e.Clients(ctx)
	if err != nil {
		return res, err
	}
	scopes, err := e.Scopes(ctx)
	if err != nil {
		return res, err
	}
	var active []Client
	var gone []string
	for _, c := range cls {
		if ps.write != nil && !ps.write[c.Adapter.ID()] {
			continue
		}
		if !c.Row.Enabled {
			e.setStatus(c.Adapter.ID(), func(s *ClientStatus) { s.State = "disabled" })
			continue
		}
		if !c.Detected {
			e.setStatus(c.Adapter.ID(), func(s *ClientStatus) { s.State = "not-detected" })
			gone = append(gone, c.Adapter.ID())
			continue
		}
		active = append(active, c)
	}
	e.forgetClients(ctx, gone)
	did := false
	for _, sc := range scopes {
		if scopesFilter != nil && !scopesFilter[sc.ID()] {
			continue
		}
		changed, err := e.syncScope(ctx, sc, active, trigger, ps.read, &res)
		if err != nil {
			msg := fmt.Sprintf("sync of %s failed: %v", sc.ID(), err)
			res.Errors = append(res.Errors, msg)
			// The UI's warning banner reads the clients' last errors: a pass that failed
			// as a whole (a full disk, a broken database) must show there too.
			for _, c := range active {
				e.setStatus(c.Adapter.ID(), func(s *ClientStatus) { s.State = "error"; s.LastError = msg })
			}
			e.metrics.failures.Add(1)
			e.bus.Publish(events.Event{Type: events.Error, Scope: sc.ID(), Msg: msg})
		}
		did = did || changed
	}
	res.DurationMs = e.now().Sub(start).Milliseconds()
	switch {
	case len(res.Errors) > 0 && res.FilesWritten == 0 && res.Snapshots == 0:
		res.Status = string(store.SyncFailed)
	case len(res.Errors) > 0:
		res.Status = string(store.SyncPartial)
	}
	for _, cr := range res.Clients {
		if len(cr.Errors) > 0 {
			res.Status = string(store.SyncPartial)
			if cr.Written == 0 && res.FilesWritten == 0 && res.Snapshots == 0 && len(res.Clients) == 1 {
				res.Status = string(store.SyncFailed)
			}
		}
	}
	e.lastPass.Store(e.now().UnixNano())
	if did || trigger != TriggerWatch || len(res.Errors) > 0 {
		e.recordRun(ctx, &res, start)
	} else {
		e.saveStates(ctx, res.states)
		if res.started {
			// Nothing changed after all; close the "syncing" state without a history entry.
			e.bus.Publish(events.Event{Type: events.SyncFinished, Msg: "nothing to sync", Data: map[string]any{"status": res.Status, "trigger": trigger, "filesWritten": 0}})
		}
	}
	res.states = nil
	e.metrics.observeRun(res, e.now().Sub(start))
	return res, nil
}

// recordRun stores the SYNC_EVENT row and its EVENT_LOG summary and publishes sync.finished.
func (e *Engine) recordRun(ctx context.Context, res *Result, start time.Time) {
	level := store.LevelInfo
	if res.Status != string(store.SyncSucceeded) {
		level = store.LevelError
	}
	msg := fmt.Sprintf("sync %s (%s): %d file(s) written, %d snapshot(s), %d conflict(s)", res.Status, res.Trigger, res.FilesWritten, res.Snapshots, res.Conflicts)
	le := store.LogEntry{Event: events.SyncFinished, Level: level, Message: msg,
		Context: canonical(map[string]any{"trigger": res.Trigger, "durationMs": res.DurationMs, "filesWritten": res.FilesWritten, "snapshots": res.SnapshotIDs, "errors": res.Errors})}
	// The run is recorded once it is over, with its log entry, in one transaction; the
	// process log has the summary even when the database refuses it.
	e.noteLog(le)
	ev, err := e.st.RecordPass(ctx, res.states, store.SyncEvent{EventType: res.Trigger, TriggeredBy: res.Trigger, StartedAt: start.UTC(),
		ClientID: firstChangedClient(res), Status: store.SyncStatus(res.Status), Error: strings.Join(res.Errors, "; ")}, le)
	if err != nil {
		e.log.Error("record sync event", "err", err)
		e.saveStates(ctx, res.states) // the states on their own, should the run be what failed
		return
	}
	res.SyncEventID = ev.ID
	e.bus.Publish(events.Event{Type: events.SyncFinished, Msg: msg, Data: map[string]any{
		"syncEventId": ev.ID, "status": res.Status, "trigger": res.Trigger, "filesWritten": res.FilesWritten,
		"snapshots": res.Snapshots, "conflicts": res.Conflicts, "durationMs": res.DurationMs, "errors": res.Errors,
	}})
}

func firstChangedClient(res *Result) string {
	ids := make([]string, 0, len(res.Clients))
	for id, c := range res.Clients {
		if c.Written > 0 || len(c.Errors) > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// logEntry appends to EVENT_LOG (and slog).
func (e *Engine) logEntry(ctx context.Context, le store.LogEntry) {
	e.noteLog(le)
	if err := e.st.AppendLogs(ctx, le); err != nil {
		e.log.Error("append event log", "err", err)
	}
}

// noteLog is what logEntry does besides storing the entry: the process log and the
// per-level count.
func (e *Engine) noteLog(le store.LogEntry) {
	attrs := []any{"client", le.ClientID, "event", le.Event}
	switch le.Level {
	case store.LevelError:
		e.log.Error(le.Message, attrs...)
	case store.LevelWarn:
		e.log.Warn(le.Message, attrs...)
	default:
		e.log.Info(le.Message, attrs...)
	}
	e.metrics.logLevel(le.Level)
}

func (e *Engine) setStatus(id string, fn func(*ClientStatus)) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	s := e.status[id]
	if s == nil {
		s = &ClientStatus{ClientID: id, State: "idle"}
		e.status[id] = s
	}
	fn(s)
}

// Status returns the live state of every client.
func (e *Engine) Status() map[string]ClientStatus {
	e.statusMu.RLock()
	defer e.statusMu.RUnlock()
	out := make(map[string]ClientStatus, len(e.status))
	for k, v := range e.status {
		out[k] = *v
	}
	return out
}

// LastPass is when the last pass finished (zero if none).
func (e *Engine) LastPass() time.Time {
	n := e.lastPass.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// endpointsFor lists the endpoints of the active clients in one scope that the engine may
// read and write: for a project, only clients that have a file or folder in that project.
func (e *Engine) endpointsFor(sc clients.Scope, active []Client) []target {
	var out []target
	for _, c := range active {
		eps := c.Adapter.Endpoints(e.env, sc)
		if sc.Kind == clients.ScopeProject && !presentInProject(eps) {
			continue
		}
		for _, ep := range eps {
			out = append(out, target{client: c, ep: ep})
		}
	}
	return out
}

// presentInProject reports whether any endpoint file exists, or the parent folder of one
// inside the project exists (e.g. .cursor/ or .vscode/), meaning the client is used there.
func presentInProject(eps []clients.Endpoint) bool {
	for _, ep := range eps {
		// Instruction files at the project root (AGENTS.md, CLAUDE.md, GEMINI.md) are read
		// by several clients and written by aisync itself, so they do not show that one
		// particular client is used there.
		if ep.Format == clients.FormatMarkdown && filepath.Dir(ep.Path) == filepath.Clean(ep.Scope.Root) {
			continue
		}
		if _, err := os.Stat(ep.Path); err == nil {
			return true
		}
		dir := filepath.Dir(ep.Path)
		if dir != filepath.Clean(ep.Scope.Root) {
			if _, err := os.Stat(dir); err == nil {
				return true
			}
		}
	}
	return false
}

// read loads an endpoint's files.
func readEndpoint(ep clients.Endpoint) (clients.Files, error) {
	if ep.Format == clients.FormatRuleDir {
		m, err := fsx.ReadDir(ep.Path, ep.Pattern)
		return clients.Files(m), err
	}
	f := clients.Files{}
	for _, p := range append([]string{ep.Path}, ep.Companions...) {
		data, err := fsx.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if data != nil {
			f[p] = data
		}
	}
	return f, nil
}

// filesHash is one hash over an endpoint's files (path and content).
func filesHash(f clients.Files) string {
	if len(f) == 0 {
		return ""
	}
	h := sha256.New()
	for _, p := range f.Sorted() {
		fmt.Fprintf(h, "%s\x00%s\x00", p, fsx.Hash(f[p]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileMTime(ep clients.Endpoint, f clients.Files) time.Time {
	var t time.Time
	for p := range f {
		if fi, err := os.Stat(p); err == nil && fi.ModTime().After(t) {
			t = fi.ModTime()
		}
	}
	if t.IsZero() {
		if fi, err := os.Stat(ep.Path); err == nil {
			t = fi.ModTime()
		}
	}
	return t.UTC()
}

// allBlank reports whether an endpoint has no file or only empty ones.
func allBlank(f clients.Files) bool {
	for _, b := range f {
		if len(bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\ufeff")))) > 0 {
			return false
		}
	}
	return true
}

// decodeRetries are the pauses before reading a file again that did not parse: the writer
// may be in the middle of saving it.
var decodeRetries = []time.Duration{15 * time.Millisecond, 40 * time.Millisecond, 100 * time.Millisecond}

// observe reads one endpoint and decodes it, unless the bytes are the ones the stored base
// was recorded from: those hold no local change (t.unchanged), and nothing is decoded.
// The endpoints of a scope are observed concurrently; extractSecrets then finishes each
// decoded config, one endpoint at a time.
func (e *Engine) observe(ctx context.Context, t *target) {
	t.obs = Observation{Endpoint: t.ep, Priority: t.client.Row.Priority, Policy: t.client.Row.ConflictPolicy}
	for attempt := 0; ; attempt++ {
		files, err := readEndpoint(t.ep)
		if err != nil {
			t.err = err
			return
		}
		t.files = files
		t.obs.Hash = filesHash(files)
		main := files
		if len(t.ep.Companions) > 0 {
			main = clients.Files{t.ep.Path: files[t.ep.Path]}
		}
		t.obs.Missing = allBlank(main)
		t.obs.MTime = fileMTime(t.ep, files)
		if t.hasSt && t.state.Hash == t.obs.Hash && len(t.state.Base) > 0 {
			// Most endpoints of a pass: Reconcile has nothing to compare (Local stays nil),
			// and decoding the file or its base for every one of them was a large part of
			// what a pass cost and held at scale.
			t.unchanged, t.err = true, nil
			return
		}
		if t.obs.Missing && len(files) > 0 && t.hasSt && len(t.state.Base) > 2 && attempt < len(decodeRetries) {
			// An empty file where there was content: most likely a writer that truncates
			// before writing. Look again before taking it as "everything deleted".
			time.Sleep(decodeRetries[attempt])
			continue
		}
		release := e.slot()
		cfg, warns, err := decodeUTF8(t, files)
		if sc, ok := e.secrets.(secretScanner); ok && err == nil {
			t.extract = sc.Scan(cfg)
		}
		release()
		if err == nil {
			t.obs.Local, t.warns, t.err = &cfg, warns, nil // extractSecrets finishes it
			return
		}
		t.err = err
		if attempt >= len(decodeRetries) || ctx.Err() != nil {
			return
		}
		time.Sleep(decodeRetries[attempt])
	}
}

// extractSecrets finishes what observe decoded: the secret values in it go to the secret
// store and become references, and it is cut down to the endpoint's sections.
func (e *Engine) extractSecrets(t *target) {
	if t.obs.Local == nil || t.err != nil {
		return
	}
	cfg := *t.obs.Local
	t.obs.Local = nil
	extract := e.secrets.Extract
	if t.extract != nil {
		extract = t.extract
	}
	if err := extract(&cfg); err != nil {
		t.err = fmt.Errorf("store secrets of %s: %w", t.ep.Path, err)
		return
	}
	cfg = cfg.Select(t.ep.Sections...)
	cfg.Normalize()
	t.obs.Local, t.localCanon = &cfg, nil
}

// syncScope runs the sync loop for one scope and reports whether anything changed.
func (e *Engine) syncScope(ctx context.Context, sc clients.Scope, active []Client, trigger string, read map[string]bool, res *Result) (bool, error) {
	scope := sc.ID()
	targets := e.endpointsFor(sc, active)
	if len(targets) == 0 {
		return false, nil
	}
	states, err := e.st.ListEndpointStates(ctx, scope)
	if err != nil {
		return false, err
	}
	stateByID := map[string]store.EndpointState{}
	for _, s := range states {
		stateByID[s.EndpointID] = s
	}
	// The endpoints are read and decoded concurrently, their parsing in the CPU slots: a
	// first pass at scale decodes a large file and a folder of rules at once. Their secrets
	// are looked for beside the decodes too (secretScanner), but taken out one endpoint
	// after another, in order, so that the names given to them do not depend on which
	// decode finished first.
	var wg sync.WaitGroup
	prior := make([]*unified.Config, len(targets))
	for i := range targets {
		t := &targets[i]
		t.state, t.hasSt = stateByID[t.ep.ID()]
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.observe(ctx, t)
			if t.hasSt && len(t.state.Base) > 0 && !t.unchanged {
				defer e.slot()()
				var c unified.Config
				if json.Unmarshal(t.state.Base, &c) == nil {
					prior[i] = &c
				}
			}
		}()
	}
	wg.Wait()
	bases := map[string]Base{}
	confirmed := e.confirmedHashes(ctx)
	for i := range targets {
		t := &targets[i]
		e.extractSecrets(t)
		bases[t.ep.ID()] = Base{Hash: t.state.Hash, Config: prior[i], ConfirmedHash: confirmed[t.ep.ID()]}
	}

	// Fast path: nothing moved since the last pass (typically the echo of our own writes).
	if trigger == TriggerWatch {
		quiet := true
		for _, t := range targets {
			// An endpoint with no file and no state (a client file that does not exist and
			// cannot be created) has not moved either.
			unseenAndAbsent := !t.hasSt && t.obs.Hash == ""
			if t.err != nil || (!unseenAndAbsent && (!t.hasSt || t.state.Hash != t.obs.Hash)) || e.retryPending(t.ep.ID()) {
				quiet = false
				break
			}
		}
		if quiet {
			// A file held because it was emptied that is back exactly as it was is
			// unchanged since its stored state, yet its hold is still to be closed below.
			held := e.heldEndpoints(ctx, scope)
			for _, t := range targets {
				quiet = quiet && held[t.ep.ID()] == ""
			}
		}
		if quiet {
			return false, nil
		}
	}

	if !res.started {
		res.started = true
		e.bus.Publish(events.Event{Type: events.SyncStarted, Scope: scope, Msg: "sync started (" + trigger + ")", Data: map[string]any{"trigger": trigger}})
	}
	hub, hubSnap, err := e.hub(ctx, scope)
	if err != nil {
		return false, err
	}
	origins := e.origins(ctx, scope)
	tombs, err := e.st.ListTombstones(ctx, scope)
	if err != nil {
		return false, err
	}
	tombSet := map[string]bool{}
	for _, tb := range tombs {
		tombSet[tb.ItemKey] = true
	}
	pending, err := e.pendingConflicts(ctx, scope)
	if err != nil {
		return false, err
	}

	var obs []Observation
	skip := map[string]bool{}
	for _, t := range targets {
		cr := res.client(t.client.Adapter.ID())
		if t.err != nil {
			msg := t.err.Error()
			cr.Errors = append(cr.Errors, msg)
			cr.State = "error"
			e.reportOnce(ctx, t.ep, "error:"+msg, store.LevelError, "not propagating: "+msg, t.client.Adapter.ID())
			e.setStatus(t.client.Adapter.ID(), func(s *ClientStatus) { s.State = "error"; s.LastError = msg })
			continue
		}
		for _, w := range t.warns {
			msg := fmt.Sprintf("%s (%s): %s", t.client.Adapter.Name(), t.ep.Path, w.String())
			e.reportOnce(ctx, t.ep, "decode:"+w.String(), store.LevelWarn, msg, t.client.Adapter.ID())
			cr.Warnings = append(cr.Warnings, w.String())
		}
		if read != nil && !read[t.client.Adapter.ID()] {
			// Its changes wait for a pass that includes it; if it has any, it is not written
			// now either, so they are not overwritten.
			if !t.obs.Missing && (!t.hasSt || t.state.Hash != t.obs.Hash) {
				skip[t.ep.ID()] = true
			}
			continue
		}
		obs = append(obs, t.obs)
	}

	// A file held because it vanished (or lost every entry) that is back with entries was
	// recreated: merge it as if seen for the first time (a union, no deletions) and close
	// the hold, instead of diffing it against the state from before it vanished.
	if held := e.heldEndpoints(ctx, scope); len(held) > 0 {
		for _, t := range targets {
			cid := held[t.ep.ID()]
			// local(): a file back exactly as it was before it was emptied is unchanged
			// since its stored base, and not decoded.
			if l := t.local(); cid == "" || t.err != nil || l == nil || l.IsEmpty() {
				continue
			}
			b := bases[t.ep.ID()]
			b.Config = nil
			bases[t.ep.ID()] = b
			if _, err := e.st.ResolveConflict(ctx, cid, canonical(map[string]string{"choice": "file-returned"}), "aisync"); err == nil {
				e.logEntry(ctx, store.LogEntry{ClientID: t.client.Adapter.ID(), Event: events.ConflictResolved, Level: store.LevelInfo,
					Message: fmt.Sprintf("%s is back with entries; merged it without deleting anything", t.ep.Path),
					Context: canonical(map[string]any{"conflictId": cid, "path": t.ep.Path})})
				e.bus.Publish(events.Event{Type: events.ConflictResolved, Client: t.client.Adapter.ID(), Scope: scope, Msg: t.ep.Path + " is back", Data: map[string]any{"conflictId": cid}})
			}
		}
	}

	out := Reconcile(Input{Hub: hub, Origins: origins, Obs: obs, Bases: bases, Tombstones: tombSet, Pending: pending, Policy: e.set.ConflictPolicy, Now: e.now()})
	changed := out.Changed

	for _, d := range out.Decisions {
		e.logEntry(ctx, store.LogEntry{ClientID: d.Winner, Event: "conflict.auto-resolved", Level: store.LevelInfo,
			Message: fmt.Sprintf("%s changed by %s and %s; %s policy kept %s's version", d.Key, d.Winner, d.Loser, d.Policy, d.Winner),
			Context: canonical(map[string]any{"key": d.Key, "fields": d.Fields, "policy": d.Policy, "winner": d.Winner, "loser": d.Loser, "scope": scope})})
	}
	for _, c := range out.Conflicts {
		if err := e.createConflict(ctx, scope, c); err != nil {
			return changed, err
		}
		pending[c.Key] = Pending{ID: "new", Key: c.Key}
		res.Conflicts++
	}
	for _, id := range out.Suspicious {
		if err := e.holdSuspicious(ctx, scope, id, targets, bases); err != nil {
			return changed, err
		}
		res.Conflicts++
	}
	for k, by := range out.Tombstoned {
		_ = e.st.PutTombstone(ctx, store.Tombstone{Scope: scope, ItemKey: k, DeletedAt: e.now().UTC(), DeletedBy: by})
	}
	for _, k := range out.Untombstone {
		_ = e.st.DeleteTombstone(ctx, scope, k)
	}
	for _, k := range out.Resurrected {
		e.logEntry(ctx, store.LogEntry{Event: "tombstone.blocked", Level: store.LevelInfo,
			Message: fmt.Sprintf("%s was deleted earlier; a client that still had it did not bring it back", k), Context: canonical(map[string]any{"key": k, "scope": scope})})
	}

	newHub := out.Hub
	// Held endpoints are not written; read before the snapshot's transaction, which a
	// one-shot pass's single database connection would otherwise wait for.
	for id := range skip {
		out.Held[id] = true
	}
	for id := range e.heldEndpoints(ctx, scope) {
		out.Held[id] = true
	}
	// The new hub is stored as a snapshot while the endpoints are encoded from it. Storing it
	// holds one of the CPU slots, taken before any encode starts, so that it is not starved
	// by the encodes: the writes wait for it. No file is written before the snapshot is
	// stored (the writers wait at the gate), and none at all when storing it fails. The
	// items' origins are stored first, on the same slot (Reconcile changes an item's origin
	// only with the item, so only when there is a snapshot): at a thousand servers that took
	// 4 ms during which the other core had nothing to do.
	var (
		stored      *gate
		snap        store.Snapshot
		canons      = newHubCanon(newHub)
		snapshotted chan struct{} // closed when the snapshot's goroutine is done
	)
	if changed {
		by := strings.Join(out.ChangedBy, ",")
		if by == "" {
			by = trigger
		}
		stored = newGate()
		bases := sharedSections(targets, out.Held, pending)
		release := e.slot()
		snapshotted = make(chan struct{})
		go func() {
			defer close(snapshotted)
			defer release()
			err := e.saveOrigins(ctx, scope, out.Origins)
			if err == nil {
				snap, err = e.recordSnapshotOf(ctx, scope, hubSnap, hub, newHub, func() []byte { return canons.of(unified.AllSections) }, by, firstOr(out.ChangedBy, ""))
			}
			stored.open(err)
			if bp, ok := e.st.(store.BasePutter); ok && err == nil {
				// The bases most endpoints will record are the hub's sections: stored
				// now, beside the encodes, rather than when the pass is recorded at its
				// end (the writes need not wait for them). Should this fail, recording the
				// states stores them as before.
				_ = bp.PutBases(ctx, func() [][]byte {
					blobs := make([][]byte, len(bases))
					for i, sections := range bases {
						blobs[i] = canons.of(sections)
					}
					return blobs
				})
			}
		}()
	}

	// Dispatch: render the hub into every endpoint (writes happen only where bytes change).
	written := e.dispatch(ctx, sc, targets, newHub, canons, pending, out.Held, res, stored)
	if snapshotted != nil {
		<-snapshotted
	}
	if err := stored.wait(); err != nil {
		return changed, err
	}
	if stored != nil {
		// The snapshot is most of what a pass stores. Its log is copied into the database
		// now, while the pass records its run on the other core: started as soon as the
		// snapshot was stored, the copy took 4–5 ms of CPU from the encodes.
		if c, ok := e.st.(store.Checkpointer); ok {
			c.CheckpointSoon()
		}
		res.Snapshots++
		res.SnapshotIDs = append(res.SnapshotIDs, snap.ID)
	}
	if written > 0 {
		changed = true
	}
	return changed, nil
}

// sharedSections lists each set of sections that an endpoint to be written holds with no
// pending item, once: the hub's canonical form of those sections is then, as a rule, the
// endpoint's new base (see desiredFor and baseOf).
func sharedSections(targets []target, held map[string]bool, pending map[string]Pending) [][]unified.Section {
	seen := map[string]bool{}
	var out [][]unified.Section
	for i := range targets {
		t := &targets[i]
		if t.err != nil || held[t.ep.ID()] || seen[sectionsLabel(t.ep)] || pendingIn(pending, t.ep) {
			continue
		}
		seen[sectionsLabel(t.ep)] = true
		out = append(out, t.ep.Sections)
	}
	return out
}

// pendingIn reports whether a pending conflict is about an item of ep's sections.
func pendingIn(pending map[string]Pending, ep clients.Endpoint) bool {
	for k := range pending {
		if sec, _ := splitKey(k); ep.Has(sec) {
			return true
		}
	}
	return false
}

// gate holds writers back until something they depend on is done (see syncScope). A nil
// gate is open.
type gate struct {
	done chan struct{}
	err  error
}

func newGate() *gate { return &gate{done: make(chan struct{})} }

// open lets the writers through, or, with an error, tells them not to write.
func (g *gate) open(err error) {
	g.err = err
	close(g.done)
}

// wait blocks until the gate is open and returns the error it was opened with.
func (g *gate) wait() error {
	if g == nil {
		return nil
	}
	<-g.done
	return g.err
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// hub loads the latest unified state of a scope.
func (e *Engine) hub(ctx context.Context, scope string) (unified.Config, *store.Snapshot, error) {
	snap, err := e.st.LatestSnapshot(ctx, scope)
	if errors.Is(err, store.ErrNotFound) {
		return unified.Config{}, nil, nil
	}
	if err != nil {
		return unified.Config{}, nil, err
	}
	var c unified.Config
	if err := json.Unmarshal(snap.Payload, &c); err != nil {
		return unified.Config{}, nil, fmt.Errorf("decode snapshot %s: %w", snap.ID, err)
	}
	return c, &snap, nil
}

func (e *Engine) origins(ctx context.Context, scope string) map[string]Origin {
	m := map[string]Origin{}
	_ = e.st.GetSetting(ctx, "engine.origins:"+scope, &m)
	return m
}

func (e *Engine) saveOrigins(ctx context.Context, scope string, m map[string]Origin) error {
	return e.st.PutSetting(ctx, "engine.origins:"+scope, json.RawMessage(appendOrigins(nil, m)))
}

// appendOrigins writes m as encoding/json would. With a thousand servers the reflection
// and the map sorting of json.Marshal cost several times the appending itself.
func appendOrigins(b []byte, m map[string]Origin) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		o := m[k]
		if i > 0 {
			b = append(b, ',')
		}
		b = unified.AppendJSONString(b, k)
		b = append(b, `:{"client":`...)
		b = unified.AppendJSONString(b, o.Client)
		b = append(b, `,"priority":`...)
		b = strconv.AppendInt(b, int64(o.Priority), 10)
		b = append(b, `,"time":"`...)
		b = o.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `"}`...)
	}
	return append(b, '}')
}

// confirmedHashes are the hashes of the emptied files the user confirmed (a "suspicious"
// conflict resolved with confirm), by endpoint, read in one query for the whole pass.
func (e *Engine) confirmedHashes(ctx context.Context) map[string]string {
	stored, err := e.st.SettingsWithPrefix(ctx, confirmedKey)
	if err != nil {
		e.log.Warn("read confirmed emptied files", "err", err)
		return nil
	}
	out := make(map[string]string, len(stored))
	for key, raw := range stored {
		var h string
		if json.Unmarshal(raw, &h) == nil {
			out[strings.TrimPrefix(key, confirmedKey)] = h
		}
	}
	return out
}

// confirmedKey prefixes the setting that holds an endpoint's confirmed hash.
const confirmedKey = "engine.confirmed:"

func (e *Engine) pendingConflicts(ctx context.Context, scope string) (map[string]Pending, error) {
	list, err := e.st.ListConflicts(ctx, store.ConflictPending)
	if err != nil {
		return nil, err
	}
	out := map[string]Pending{}
	for _, c := range list {
		if c.Scope == scope && c.Kind != kindSuspicious {
			out[c.ItemKey] = Pending{ID: c.ID, Key: c.ItemKey}
		}
	}
	return out, nil
}

const kindSuspicious = "suspicious"

// heldEndpoints are endpoints with a pending "suspicious" conflict.
func (e *Engine) heldEndpoints(ctx context.Context, scope string) map[string]string {
	list, _ := e.st.ListConflicts(ctx, store.ConflictPending)
	out := map[string]string{}
	for _, c := range list {
		if c.Scope == scope && c.Kind == kindSuspicious {
			out[c.ItemKey] = c.ID
		}
	}
	return out
}

func (e *Engine) createConflict(ctx context.Context, scope string, c NewConflict) error {
	sides := make([]store.ConflictSide, 0, len(c.Sides))
	for _, s := range c.Sides {
		v := s.Value
		if v == nil {
			v = json.RawMessage("null")
		}
		sides = append(sides, store.ConflictSide{ClientID: s.Client, Value: v, MTime: s.MTime})
	}
	row, err := e.st.CreateConflict(ctx, store.Conflict{Scope: scope, ItemKey: c.Key, Kind: c.Kind, Status: store.ConflictPending, Base: c.Base, Sides: sides})
	if err != nil {
		return err
	}
	// Remember which endpoint held which side so that resolving can settle their bases.
	epSides := map[string]json.RawMessage{}
	for _, s := range c.Sides {
		if s.EndpointID != "" {
			epSides[s.EndpointID] = s.Value
		}
	}
	_ = e.st.PutSetting(ctx, "engine.conflict-sides:"+row.ID, epSides)
	var names []string
	for _, s := range c.Sides {
		names = append(names, s.Client)
	}
	msg := fmt.Sprintf("conflict on %s: changed differently by %s", c.Key, strings.Join(names, " and "))
	if len(c.Fields) > 0 && c.Fields[0] != "<deleted>" {
		msg += " (" + strings.Join(c.Fields, ", ") + ")"
	}
	e.logEntry(ctx, store.LogEntry{Event: events.ConflictCreated, Level: store.LevelWarn, Message: msg, ClientID: firstOr(names, ""),
		Context: canonical(map[string]any{"conflictId": row.ID, "key": c.Key, "scope": scope, "fields": c.Fields, "clients": names})})
	e.metrics.conflict()
	e.bus.Publish(events.Event{Type: events.ConflictCreated, Scope: scope, Msg: msg, Data: map[string]any{"conflictId": row.ID, "key": c.Key, "kind": c.Kind, "clients": names, "fields": c.Fields}})
	return nil
}

func (e *Engine) holdSuspicious(ctx context.Context, scope, endpointID string, targets []target, bases map[string]Base) error {
	if _, held := e.heldEndpoints(ctx, scope)[endpointID]; held {
		return nil
	}
	var t *target
	for i := range targets {
		if targets[i].ep.ID() == endpointID {
			t = &targets[i]
		}
	}
	if t == nil {
		return nil
	}
	var base json.RawMessage
	if b := bases[endpointID].Config; b != nil {
		base = canonical(b)
	}
	row, err := e.st.CreateConflict(ctx, store.Conflict{Scope: scope, ItemKey: endpointID, Kind: kindSuspicious, Status: store.ConflictPending, Base: base,
		Sides: []store.ConflictSide{{ClientID: t.client.Adapter.ID(), Value: json.RawMessage(`{}`), MTime: t.obs.MTime}}})
	if err != nil {
		return err
	}
	e.metrics.conflict()
	msg := fmt.Sprintf("%s suddenly lost all of its entries (%s); holding it until you confirm the deletion or restore it", t.client.Adapter.Name(), t.ep.Path)
	e.logEntry(ctx, store.LogEntry{ClientID: t.client.Adapter.ID(), Event: "file.suspicious", Level: store.LevelWarn, Message: msg,
		Context: canonical(map[string]any{"conflictId": row.ID, "path": t.ep.Path, "scope": scope, "hash": t.obs.Hash})})
	e.bus.Publish(events.Event{Type: events.ConflictCreated, Client: t.client.Adapter.ID(), Scope: scope, Msg: msg, Data: map[string]any{"conflictId": row.ID, "kind": kindSuspicious, "path": t.ep.Path}})
	return nil
}

// recordSnapshot stores the new hub with its structural and text diffs against its parent in
// one transaction. A scope's first snapshot has no parent, and no diffs: against the empty
// state they would only repeat the snapshot (at a thousand servers, 196 KB more to build,
// check and store on the first pass); Service.Diff derives them when they are asked for.
func (e *Engine) recordSnapshot(ctx context.Context, scope string, parent *store.Snapshot, before, after unified.Config, createdBy, clientID string) (store.Snapshot, error) {
	return e.recordSnapshotOf(ctx, scope, parent, before, after, after.Canonical, createdBy, clientID)
}

// recordSnapshotOf is recordSnapshot that asks payloadOf for after's canonical form once it
// has done what needs no payload: a pass shares the hub's canonical parts with the encodes
// (see hubCanon), and the first of them may be making the servers' part meanwhile.
func (e *Engine) recordSnapshotOf(ctx context.Context, scope string, parent *store.Snapshot, before, after unified.Config, payloadOf func() []byte, createdBy, clientID string) (store.Snapshot, error) {
	var diffs []store.SnapshotDiff
	if parent != nil || !before.IsEmpty() {
		patch, err := merge.StructurePatch(before, after)
		if err != nil {
			return store.Snapshot{}, fmt.Errorf("diff snapshot: %w", err)
		}
		diffs = append(diffs, store.SnapshotDiff{DiffPayload: patch, DiffFormat: store.DiffJSONPatch})
		if bodies := merge.BodyPatches(before, after); len(bodies) > 0 {
			diffs = append(diffs, store.SnapshotDiff{DiffPayload: canonical(bodies), DiffFormat: store.DiffTextPatch})
		}
	}
	changes := merge.Summarize(before, after)
	msg := fmt.Sprintf("new snapshot of %s by %s: %s", scope, createdBy, summarizeChanges(changes))
	payload := payloadOf()
	sum := sha256.Sum256(payload) // unified.Config.Hash, without marshalling the hub twice
	meta := store.SnapshotMeta{ID: store.NewID(), Scope: scope, ClientID: clientID, UnifiedHash: hex.EncodeToString(sum[:]), CreatedBy: createdBy,
		ServerCount: len(after.Servers), RuleCount: len(after.Rules), PermissionCount: len(after.Permissions.Allow) + len(after.Permissions.Ask) + len(after.Permissions.Deny)}
	if parent != nil {
		meta.ParentID = parent.ID
	}
	le := store.LogEntry{ClientID: clientID, Event: events.SnapshotCreated, Level: store.LevelInfo, Message: msg,
		Context: canonical(map[string]any{"snapshotId": meta.ID, "scope": scope, "hash": meta.UnifiedHash, "changes": logChanges(changes)})}
	// The snapshot and its log entry are stored together.
	snap, err := e.st.RecordSnapshot(ctx, store.Snapshot{SnapshotMeta: meta, Payload: payload}, diffs, le)
	if err != nil {
		return snap, err
	}
	e.noteLog(le)
	e.bus.Publish(events.Event{Type: events.SnapshotCreated, Client: clientID, Scope: scope, Msg: msg, Data: map[string]any{"snapshotId": snap.ID, "createdBy": createdBy, "changes": changes}})
	return snap, nil
}

// logChanges is how a snapshot's log entry keeps its changes: by section and operation, the
// names of the items added and removed and, for each one changed, its changed fields:
//
//	{"servers":{"added":["fetch","git"],"changed":{"time":["args"]}},"rules":{"removed":["style"]}}
//
// Every name stays searchable in the log. One {"section","key","op"} object per change made
// a first pass of a thousand servers and 200 rules log 62 KB, in 8,400 words for the search
// index to take in; grouped, it is 14 KB.
func logChanges(ch []merge.Change) json.RawMessage {
	b := []byte{'{'}
	for i := 0; i < len(ch); {
		sec := ch[i].Section
		if i > 0 {
			b = append(b, ',')
		}
		b = unified.AppendJSONString(b, string(sec))
		b = append(b, ':', '{')
		ops := 0
		for _, op := range []string{merge.OpAdded, merge.OpChanged, merge.OpRemoved} {
			n := 0
			for _, c := range ch[i:] {
				if c.Section != sec {
					break
				}
				if c.Op != op {
					continue
				}
				if n == 0 {
					if ops > 0 {
						b = append(b, ',')
					}
					ops++
					b = unified.AppendJSONString(b, op)
					b = append(b, ':')
					if op == merge.OpChanged {
						b = append(b, '{')
					} else {
						b = append(b, '[')
					}
				} else {
					b = append(b, ',')
				}
				n++
				b = unified.AppendJSONString(b, c.Key)
				if op == merge.OpChanged {
					b = append(b, ':', '[')
					for j, f := range c.Fields {
						if j > 0 {
							b = append(b, ',')
						}
						b = unified.AppendJSONString(b, f)
					}
					b = append(b, ']')
				}
			}
			if n > 0 && op == merge.OpChanged {
				b = append(b, '}')
			} else if n > 0 {
				b = append(b, ']')
			}
		}
		b = append(b, '}')
		for i < len(ch) && ch[i].Section == sec {
			i++
		}
	}
	return append(b, '}')
}

func summarizeChanges(ch []merge.Change) string {
	if len(ch) == 0 {
		return "no item changes"
	}
	var parts []string
	for i, c := range ch {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ch)-6))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", c.Op, c.Section, c.Key))
	}
	return strings.Join(parts, ", ")
}

// reportOnce logs a warning or error for an endpoint the first time it appears, so that a
// file that stays broken is not reported on every pass.
func (e *Engine) reportOnce(ctx context.Context, ep clients.Endpoint, key, level, msg, client string) {
	e.statusMu.Lock()
	seen := e.warned[ep.ID()]
	if seen == nil {
		seen = map[string]bool{}
		e.warned[ep.ID()] = seen
	}
	if seen[key] {
		e.statusMu.Unlock()
		return
	}
	seen[key] = true
	e.statusMu.Unlock()
	typ := events.Warning
	if level == store.LevelError {
		typ = events.Error
		e.metrics.failures.Add(1)
	}
	e.logEntry(ctx, store.LogEntry{ClientID: client, Event: typ, Level: level, Message: msg, Context: canonical(map[string]any{"path": ep.Path, "scope": ep.Scope.ID()})})
	e.bus.Publish(events.Event{Type: typ, Client: client, Scope: ep.Scope.ID(), Msg: msg, Data: map[string]any{"path": ep.Path}})
}

// forgetReports clears remembered warnings of an endpoint once it is healthy again.
func (e *Engine) forgetReports(ep clients.Endpoint, prefix string) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	for k := range e.warned[ep.ID()] {
		if strings.HasPrefix(k, prefix) {
			delete(e.warned[ep.ID()], k)
		}
	}
}

func (e *Engine) retryPending(id string) bool {
	e.statusMu.RLock()
	defer e.statusMu.RUnlock()
	return e.retry[id]
}

func (e *Engine) setRetry(id string, v bool) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	if v {
		e.retry[id] = true
	} else {
		delete(e.retry, id)
	}
}

// jitter returns d plus up to 20% random jitter.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// Secrets is the engine's secret handling (for redaction by the faces).
func (e *Engine) Secrets() Secrets { return e.secrets }

// decodeUTF8 refuses files that are not valid UTF-8 before the adapter sees them: every
// client format is UTF-8, and decoders would otherwise replace bad bytes with U+FFFD and
// propagate a mangled value.
func decodeUTF8(t *target, files clients.Files) (unified.Config, []clients.Warning, error) {
	for _, p := range files.Sorted() {
		if err := checkUTF8(p, files[p], t.ep.Format); err != nil {
			return unified.Config{}, nil, err
		}
	}
	return t.client.Adapter.Decode(t.ep, files)
}

func checkUTF8(path string, b []byte, f clients.Format) error {
	if utf8.Valid(b) {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return &clients.SyntaxError{Path: path, Line: line, Col: col, Format: f,
				Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x (the file must be UTF-8 text)", b[i])}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

// forgetClients drops what the engine remembers of clients that are no longer installed
// (their folder is gone): if one comes back, its files are merged as new (a union), not
// diffed against a state from before it was removed, which would delete everything the
// fresh files lack.
func (e *Engine) forgetClients(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	states, err := e.st.ListEndpointStates(ctx, "")
	if err != nil {
		return
	}
	gone := setOf(ids)
	for _, st := range states {
		if gone[st.ClientID] {
			if err := e.st.DeleteEndpointState(ctx, st.EndpointID); err == nil {
				e.log.Info("client no longer installed; forgot its files' state", "client", st.ClientID, "path", st.Path)
			}
		}
	}
}
