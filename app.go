//go:build !headless

package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wailsruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"aisync/backend/buildinfo"
	"aisync/backend/engine"
	"aisync/backend/events"
	"aisync/backend/httpapi"
	"aisync/backend/service"
	"aisync/backend/store"
	"aisync/backend/tray"
	"aisync/frontend"
)

//go:embed build/appicon.png
var appIcon []byte

// App is the one struct bound to the frontend: every exported method becomes a typed
// function in frontend/wailsjs/go/main/App.js. Methods only delegate to the service layer,
// the same one the HTTP API uses, so the window and a browser behave alike.
type App struct {
	ctx     context.Context
	svc     *service.Service
	log     *slog.Logger
	desktop *desktop
}

func newApp(svc *service.Service, log *slog.Logger) *App {
	return &App{ctx: context.Background(), svc: svc, log: log}
}

// startup runs when the window exists: from here on engine events reach the frontend.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	sub := a.svc.Bus().Subscribe(256)
	go func() {
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.C:
				if !ok {
					return
				}
				wailsruntime.EventsEmit(ctx, "aisync:event", e)
			}
		}
	}()
}

// Version reports the build.
func (a *App) Version() buildinfo.Info { return buildinfo.Get() }

// RecentEvents returns the events the bus remembers, oldest first.
func (a *App) RecentEvents() []events.Event { return a.svc.Bus().Recent() }

// Status reports every client's sync state and pending conflicts.
func (a *App) Status() (service.StatusReport, error) { return a.svc.Status(a.ctx) }

// Stats returns the monitoring indicators for the dashboard charts.
func (a *App) Stats() (service.Stats, error) { return a.svc.Stats(a.ctx) }

// Clients lists every known client.
func (a *App) Clients() ([]service.ClientInfo, error) { return a.svc.Clients(a.ctx) }

// Client returns one client.
func (a *App) Client(id string) (service.ClientInfo, error) { return a.svc.Client(a.ctx, id) }

// UpdateClient changes a client's settings.
func (a *App) UpdateClient(id string, p service.ClientPatch) (service.ClientInfo, error) {
	return a.svc.UpdateClient(a.ctx, id, p)
}

// TriggerSync runs a sync now for the given clients (all when empty).
func (a *App) TriggerSync(clientIDs []string) (service.SyncResult, error) {
	return a.svc.SyncOnce(a.ctx, clientIDs, engine.TriggerManual)
}

// SetPaused pauses or resumes automatic syncing.
func (a *App) SetPaused(paused bool) { a.svc.SetPaused(paused) }

// SnapshotPage is one page of snapshots (a named type: Wails cannot bind generic types).
type SnapshotPage struct {
	Items      []store.SnapshotMeta `json:"items"`
	NextCursor string               `json:"nextCursor,omitempty"`
}

// LogPage is one page of log entries.
type LogPage struct {
	Items      []store.LogEntry `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// Snapshots lists snapshots, newest first.
func (a *App) Snapshots(f service.SnapshotFilter) (SnapshotPage, error) {
	p, err := a.svc.Snapshots(a.ctx, f)
	return SnapshotPage(p), err
}

// Snapshot returns one snapshot.
func (a *App) Snapshot(id string) (service.SnapshotView, error) { return a.svc.Snapshot(a.ctx, id) }

// Diff compares a snapshot with its parent or with another snapshot.
func (a *App) Diff(id, against string) (service.SnapshotDiff, error) {
	return a.svc.Diff(a.ctx, id, against)
}

// Apply applies a snapshot to clients (dryRun previews).
func (a *App) Apply(snapshotID string, targets []string, dryRun bool) (engine.ApplyResult, error) {
	return a.svc.Apply(a.ctx, snapshotID, targets, dryRun)
}

// Logs pages through the event log.
func (a *App) Logs(f service.LogFilter) (LogPage, error) {
	p, err := a.svc.Logs(a.ctx, f)
	return LogPage(p), err
}

// ExportInfo is one entry of the export history ("Export" is reserved in the generated
// TypeScript, so the binding uses this name).
type ExportInfo store.Export

// ExportLogs exports matching log entries to the export store.
func (a *App) ExportLogs(f service.LogFilter, format string) (ExportInfo, error) {
	e, err := a.svc.ExportLogs(a.ctx, f, format)
	return ExportInfo(e), err
}

// Exports lists the export history.
func (a *App) Exports() ([]ExportInfo, error) {
	list, err := a.svc.Exports(a.ctx, 200)
	out := make([]ExportInfo, len(list))
	for i, e := range list {
		out[i] = ExportInfo(e)
	}
	return out, err
}

// Conflicts lists conflicts by status ("pending", "resolved" or "" for all).
func (a *App) Conflicts(status string) ([]store.Conflict, error) {
	return a.svc.Conflicts(a.ctx, status)
}

// ResolveConflict applies the user's decision and re-syncs.
func (a *App) ResolveConflict(id string, r service.Resolution) (service.SyncResult, error) {
	return a.svc.ResolveConflict(a.ctx, id, r, "user")
}

// Backup writes a whole-state backup archive.
func (a *App) Backup() (ExportInfo, error) {
	e, err := a.svc.Backup(a.ctx)
	return ExportInfo(e), err
}

// Restore replaces the state from a backup archive chosen in a native file dialog.
func (a *App) Restore() (bool, error) {
	path, err := wailsruntime.OpenFileDialog(a.ctx, wailsruntime.OpenDialogOptions{Title: "Restore aisync backup",
		Filters: []wailsruntime.FileFilter{{DisplayName: "aisync backups (*.tar.gz)", Pattern: "*.tar.gz"}}})
	if err != nil || path == "" {
		return false, err
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return true, a.svc.Restore(a.ctx, f)
}

// Projects lists registered project folders.
func (a *App) Projects() ([]store.Project, error) { return a.svc.Projects(a.ctx) }

// AddProject registers a project folder; an empty path opens a native folder picker.
func (a *App) AddProject(path string) (store.Project, error) {
	if path == "" {
		p, err := wailsruntime.OpenDirectoryDialog(a.ctx, wailsruntime.OpenDialogOptions{Title: "Add a project folder"})
		if err != nil || p == "" {
			return store.Project{}, err
		}
		path = p
	}
	return a.svc.AddProject(a.ctx, path)
}

// RemoveProject stops syncing a project folder.
func (a *App) RemoveProject(path string) error { return a.svc.RemoveProject(a.ctx, path) }

// ExportPath returns the path of a finished export so the window can reveal it.
func (a *App) ExportPath(id string) (string, error) {
	rec, f, err := a.svc.ExportFile(a.ctx, id)
	if err != nil {
		return "", err
	}
	f.Close()
	return rec.Path, nil
}

// OpenPath shows a file or folder in the OS file manager.
func (a *App) OpenPath(path string) error {
	if _, err := os.Stat(path); err != nil {
		path = filepath.Dir(path)
	}
	var cmd *exec.Cmd
	switch goruntime.GOOS {
	case "darwin":
		cmd = exec.Command("open", "-R", path)
	case "windows":
		cmd = exec.Command("explorer", "/select,", path)
	default:
		if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
			path = filepath.Dir(path)
		}
		cmd = exec.Command("xdg-open", path)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	go cmd.Wait()
	return nil
}

// The tray (Linux, Windows) needs the main goroutine on the main OS thread.
func init() { goruntime.LockOSThread() }

// desktopApp is what a bare `aisync` runs; the headless build has none (headless.go).
var desktopApp = runDesktop

// runDesktop is the default face: the window, the tray, the engine and the local HTTP API.
func runDesktop(stderr io.Writer) int {
	svc, st, closeAll, code := boot(stderr, service.Options{})
	if code != exitOK {
		return code
	}
	defer closeAll()
	ctx, cancel := signalContext()
	// When the window's loop ends (quit, Ctrl-C, SIGTERM), stop the engine and the API and
	// wait for them before closeAll closes the store.
	var work workers
	defer work.wait(shutdownWait)
	defer cancel()
	limitMemory(os.Getenv)
	go releaseAfterPasses(ctx, svc.Bus())

	// The local API runs beside the window so scripts and a browser can reach the same
	// engine; a busy port is not fatal for the desktop app.
	if ln, err := listen(st, stderr); err == nil {
		srv := httpapi.New(svc, httpapi.Options{Logger: slog.Default()})
		work.Go(func() { srv.Serve(ctx, ln) })
	} else {
		slog.Warn("local API not started", "err", err)
	}
	work.Go(func() {
		if err := svc.Run(ctx); err != nil && ctx.Err() == nil {
			slog.Error("engine stopped", "err", err)
		}
	})

	app := newApp(svc, slog.Default())
	d := newDesktop(app, svc, slog.Default())
	app.desktop = d
	// The tray registers on the main thread before wails.Run, whose GTK loop then drives it.
	d.tray = tray.Register(d.snapshot, d)
	go d.tray.Run(ctx)
	go d.watch(ctx)
	go func() {
		<-ctx.Done() // Ctrl-C or SIGTERM: close the window cleanly
		d.quitting.Store(true)
		if app.ctx != nil {
			wailsruntime.Quit(app.ctx)
		}
	}()
	geo, remembered := d.loadGeometry()
	err := wails.Run(&options.App{
		Title:            "aisync",
		Width:            geo.W,
		Height:           geo.H,
		MinWidth:         640,
		MinHeight:        480,
		AssetServer:      &assetserver.Options{Assets: frontend.Assets()},
		BackgroundColour: &options.RGBA{R: 247, G: 247, B: 251, A: 1},
		OnStartup: func(c context.Context) {
			app.startup(c)
			if remembered {
				wailsruntime.WindowSetPosition(c, geo.X, geo.Y)
			}
		},
		OnBeforeClose:      d.beforeClose,
		SingleInstanceLock: d.singleInstance(),
		Bind:               []any{app},
		EnumBind:           enumBindings(),
		Linux:              &linux.Options{ProgramName: "aisync", Icon: appIcon},
	})
	if err != nil {
		fmt.Fprintf(stderr, "aisync: desktop window: %v\n(no display? run 'aisync serve' for the headless server and web UI)\n", err)
		return exitFailure
	}
	return exitOK
}

// AutoStart reports whether aisync starts at login.
func (a *App) AutoStart() bool { return a.desktop != nil && a.desktop.autostartEntry().Enabled() }

// SetAutoStart turns start at login on or off.
func (a *App) SetAutoStart(on bool) error {
	if a.desktop == nil {
		return fmt.Errorf("start at login is only available in the desktop app")
	}
	err := a.desktop.SetAutoStart(on)
	if a.desktop.tray != nil {
		a.desktop.tray.Refresh()
	}
	return err
}

// Conflict policies and sync states, exported to TypeScript as enums.
type ConflictPolicy string

// AllConflictPolicies is bound as a TypeScript enum.
var AllConflictPolicies = []struct {
	Value  ConflictPolicy
	TSName string
}{
	{"priority", "Priority"}, {"newest", "Newest"}, {"merge", "Merge"}, {"manual", "Manual"},
}

func enumBindings() []any { return []any{AllConflictPolicies} }
