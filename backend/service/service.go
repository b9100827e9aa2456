// Package service holds aisync's use-cases. The Wails bindings (app.go), the HTTP API
// (backend/httpapi) and the CLI (main.go) all call these methods, so every face behaves the
// same and nothing is implemented twice.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"

	"aisync/backend/buildinfo"
	"aisync/backend/clients"
	_ "aisync/backend/clients/all" // register every adapter
	"aisync/backend/engine"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/secrets"
	"aisync/backend/settings"
	"aisync/backend/store"
)

// Options tune Open.
type Options struct {
	// Quiet is for one-shot CLI commands: logs go to the log file, not the terminal.
	Quiet bool
	// OneShot is for a command that runs one sync pass and exits: the store reads through
	// its writer's connection (store.OpenOneShot) instead of opening a pool of readers.
	OneShot bool
	// Env overrides where client files are looked for (tests); default: this process's env.
	Env *clients.Env
	// Secrets overrides the secret handling (tests); default: from settings.
	Secrets engine.Secrets
	// Keyring overrides the secret store for tokens (tests).
	Keyring Keyring
}

// Keyring stores aisync's own secrets (API token, admin password, extracted config secrets).
type Keyring = secrets.Keyring

// Service is the application core: settings, store, event bus and engine.
type Service struct {
	set     settings.Settings
	log     *slog.Logger
	st      store.Store
	bus     *events.Bus
	eng     *engine.Engine
	keyring Keyring
	started time.Time

	tokMu sync.Mutex
	tok   string
	tokAt time.Time
}

// Open creates the data dir, opens the database and builds the engine.
func Open(ctx context.Context, set settings.Settings, log *slog.Logger, opt Options) (*Service, error) {
	if err := os.MkdirAll(set.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	openStore := store.Open
	if opt.OneShot {
		openStore = store.OpenOneShot
	}
	st, err := openStore(ctx, set.DBPath())
	if err != nil {
		return nil, err
	}
	env := clients.EnvFrom(runtime.GOOS, os.Getenv)
	if opt.Env != nil {
		env = *opt.Env
	}
	bus := events.NewBus(200)
	kr := opt.Keyring
	if kr == nil {
		kr = newKeyring(set, log)
	}
	sec := opt.Secrets
	if sec == nil {
		sec = newConfigSecrets(set, kr, log)
	}
	s := &Service{set: set, log: log, st: st, bus: bus, keyring: kr, started: time.Now()}
	s.eng = engine.New(engine.Options{
		Store: st, Bus: bus, Logger: log, Env: env, Settings: set, Secrets: sec,
		Backups: fsx.Backups{Dir: set.BackupDir(), Keep: set.BackupKeep},
	})
	for _, p := range set.Projects {
		if _, err := st.AddProject(ctx, p); err != nil {
			log.Warn("register project from settings", "path", p, "err", err)
		}
	}
	return s, nil
}

// Close releases the database.
func (s *Service) Close() error { return s.st.Close() }

// Bus is the event bus (window, SSE, tray).
func (s *Service) Bus() *events.Bus { return s.bus }

// Engine exposes the engine (metrics, pause) to the faces.
func (s *Service) Engine() *engine.Engine { return s.eng }

// Store exposes the store for health checks and exports.
func (s *Service) Store() store.Store { return s.st }

// Settings returns the effective settings.
func (s *Service) Settings() settings.Settings { return s.set }

// Run is the long-running engine loop (watching, debouncing, rescans).
func (s *Service) Run(ctx context.Context) error { return s.eng.Serve(ctx) }

// SyncResult is what one sync run did.
type SyncResult = engine.Result

// SyncOnce runs one full pass over the given clients (all when empty).
func (s *Service) SyncOnce(ctx context.Context, only []string, trigger string) (SyncResult, error) {
	for _, id := range only {
		if _, ok := clients.Get(id); !ok {
			return SyncResult{}, fmt.Errorf("%w: unknown client %q (see 'aisync clients')", ErrInvalid, id)
		}
	}
	if trigger == "" {
		trigger = engine.TriggerManual
	}
	return s.eng.SyncAll(ctx, trigger, only)
}

// ErrInvalid marks a request the caller got wrong (a 400/422 for the API).
var ErrInvalid = errors.New("invalid request")

// Version is the build.
func (s *Service) Version() buildinfo.Info { return buildinfo.Get() }

// Health checks the database.
func (s *Service) Health(ctx context.Context) error { return s.st.Ping(ctx) }

// ClientInfo describes one client for the UI and API.
type ClientInfo struct {
	ID             string               `json:"id"`
	Name           string               `json:"name"`
	Detected       bool                 `json:"detected"`
	Enabled        bool                 `json:"enabled"`
	Priority       int                  `json:"priority"`
	ConflictPolicy string               `json:"conflictPolicy,omitempty"`
	Capabilities   clients.Capabilities `json:"capabilities"`
	Endpoints      []EndpointInfo       `json:"endpoints"`
	Status         engine.ClientStatus  `json:"status"`
	Version        string               `json:"version,omitempty"`
}

// EndpointInfo is one file of a client.
type EndpointInfo struct {
	ID       string   `json:"id"`
	Scope    string   `json:"scope"`
	Path     string   `json:"path"`
	Format   string   `json:"format"`
	Sections []string `json:"sections"`
	Exists   bool     `json:"exists"`
	// Companions are further files read and written with Path (Claude Code's project
	// .mcp.json, the Copilot CLI's settings.json).
	Companions []FileInfo `json:"companions,omitempty"`
}

// FileInfo is a file and whether it exists.
type FileInfo struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
}

// Clients lists every known client (detected or not), highest priority first.
func (s *Service) Clients(ctx context.Context) ([]ClientInfo, error) {
	cls, err := s.eng.Clients(ctx)
	if err != nil {
		return nil, err
	}
	scopes, err := s.eng.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	status := s.eng.Status()
	out := make([]ClientInfo, 0, len(cls))
	for _, c := range cls {
		ci := ClientInfo{ID: c.Adapter.ID(), Name: c.Adapter.Name(), Detected: c.Detected, Enabled: c.Row.Enabled,
			Priority: c.Row.Priority, ConflictPolicy: c.Row.ConflictPolicy, Capabilities: c.Adapter.Capabilities(), Status: status[c.Adapter.ID()]}
		if ci.Status.ClientID == "" {
			ci.Status = engine.ClientStatus{ClientID: ci.ID, State: "idle"}
			switch {
			case !c.Detected:
				ci.Status.State = "not-detected"
			case !c.Row.Enabled:
				ci.Status.State = "disabled"
			}
		}
		if v, ok := c.Adapter.(interface{ Version(clients.Env) string }); ok {
			ci.Version = v.Version(s.eng.Env())
		}
		for _, sc := range scopes {
			for _, ep := range c.Adapter.Endpoints(s.eng.Env(), sc) {
				_, err := os.Stat(ep.Path)
				secs := make([]string, len(ep.Sections))
				for i, x := range ep.Sections {
					secs[i] = string(x)
				}
				info := EndpointInfo{ID: ep.ID(), Scope: sc.ID(), Path: ep.Path, Format: string(ep.Format), Sections: secs, Exists: err == nil}
				for _, p := range ep.Companions {
					_, err := os.Stat(p)
					info.Companions = append(info.Companions, FileInfo{Path: p, Exists: err == nil})
				}
				ci.Endpoints = append(ci.Endpoints, info)
			}
		}
		out = append(out, ci)
	}
	return out, nil
}

// Client returns one client.
func (s *Service) Client(ctx context.Context, id string) (ClientInfo, error) {
	all, err := s.Clients(ctx)
	if err != nil {
		return ClientInfo{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return ClientInfo{}, fmt.Errorf("client %q: %w", id, store.ErrNotFound)
}

// ClientPatch changes a client's settings; nil fields stay.
type ClientPatch struct {
	Enabled        *bool   `json:"enabled,omitempty"`
	Priority       *int    `json:"priority,omitempty" minimum:"0" maximum:"1000"`
	ConflictPolicy *string `json:"conflictPolicy,omitempty" enum:"priority,newest,merge,manual,"`
}

// UpdateClient changes a client's settings; enabling a client syncs it right away.
func (s *Service) UpdateClient(ctx context.Context, id string, p ClientPatch) (ClientInfo, error) {
	if _, ok := clients.Get(id); !ok {
		return ClientInfo{}, fmt.Errorf("client %q: %w", id, store.ErrNotFound)
	}
	if _, err := s.eng.Clients(ctx); err != nil { // make sure the row exists
		return ClientInfo{}, err
	}
	if p.ConflictPolicy != nil && *p.ConflictPolicy != "" && !validPolicy(*p.ConflictPolicy) {
		return ClientInfo{}, fmt.Errorf("%w: conflictPolicy must be one of priority, newest, merge, manual (or empty to inherit)", ErrInvalid)
	}
	if _, err := s.st.UpdateClient(ctx, id, store.ClientPatch{Enabled: p.Enabled, Priority: p.Priority, ConflictPolicy: p.ConflictPolicy}); err != nil {
		return ClientInfo{}, err
	}
	s.bus.Publish(events.Event{Type: events.ClientChanged, Client: id, Msg: "client settings changed"})
	s.eng.Rewatch()
	return s.Client(ctx, id)
}

func validPolicy(p string) bool {
	for _, x := range settings.Policies {
		if x == p {
			return true
		}
	}
	return false
}

// StatusReport is the state of the whole app.
type StatusReport struct {
	Version          buildinfo.Info        `json:"version"`
	Paused           bool                  `json:"paused"`
	LastSync         time.Time             `json:"lastSync,omitzero"`
	PendingConflicts int                   `json:"pendingConflicts"`
	Clients          []engine.ClientStatus `json:"clients"`
	Counts           engine.Counts         `json:"counts"`
	UptimeSeconds    int64                 `json:"uptimeSeconds"`
	DataDir          string                `json:"dataDir"`
}

// Status reports every client's sync state and the pending conflicts.
func (s *Service) Status(ctx context.Context) (StatusReport, error) {
	cls, err := s.Clients(ctx)
	if err != nil {
		return StatusReport{}, err
	}
	pend, err := s.st.ListConflicts(ctx, store.ConflictPending)
	if err != nil {
		return StatusReport{}, err
	}
	r := StatusReport{Version: buildinfo.Get(), Paused: s.eng.Paused(), LastSync: s.eng.LastPass(), PendingConflicts: len(pend),
		Counts: s.eng.Metrics().Counts(), UptimeSeconds: int64(time.Since(s.started).Seconds()), DataDir: s.set.DataDir}
	for _, c := range cls {
		r.Clients = append(r.Clients, c.Status)
	}
	sort.Slice(r.Clients, func(i, j int) bool { return r.Clients[i].ClientID < r.Clients[j].ClientID })
	return r, nil
}

// SetPaused pauses or resumes automatic syncing.
func (s *Service) SetPaused(p bool) { s.eng.SetPaused(p) }

// Projects lists registered project folders.
func (s *Service) Projects(ctx context.Context) ([]store.Project, error) {
	return s.st.ListProjects(ctx)
}

// AddProject registers a project folder as a scope and syncs it.
func (s *Service) AddProject(ctx context.Context, path string) (store.Project, error) {
	if path == "" {
		return store.Project{}, fmt.Errorf("%w: path is required", ErrInvalid)
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return store.Project{}, fmt.Errorf("%w: %s is not a folder", ErrInvalid, path)
	}
	p, err := s.st.AddProject(ctx, absPath(path))
	if err != nil {
		return p, err
	}
	s.eng.Rewatch()
	s.bus.Publish(events.Event{Type: events.ClientChanged, Msg: "project added: " + p.Path})
	return p, nil
}

// RemoveProject stops syncing a project folder (its files are left as they are).
func (s *Service) RemoveProject(ctx context.Context, path string) error {
	if err := s.st.RemoveProject(ctx, absPath(path)); err != nil {
		return err
	}
	s.eng.Rewatch()
	s.bus.Publish(events.Event{Type: events.ClientChanged, Msg: "project removed: " + path})
	return nil
}
