//go:build !headless

package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wailsapp/wails/v2/pkg/options"
	wailsruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"aisync/backend/autostart"
	"aisync/backend/events"
	"aisync/backend/service"
	"aisync/backend/store"
	"aisync/backend/tray"
)

// desktop is the glue of the desktop face: the tray's actions, the queue of native conflict
// dialogs, start at login, and the window's remembered geometry. Everything it does goes
// through the same service methods as the API.
type desktop struct {
	app      *App
	svc      *service.Service
	log      *slog.Logger
	tray     *tray.Tray
	dialogs  Dialogs
	quitting atomic.Bool
	closing  atomic.Bool // the window is closing for good: later close requests are moot
	syncing  atomic.Bool

	mu      sync.Mutex
	queue   []string // conflict ids waiting for a dialog
	showing bool
	errors  []string
}

// Dialogs asks the user a question natively. The real one uses Wails' message dialogs; tests
// use a fake.
type Dialogs interface {
	// Choose shows a question with up to three choices and returns the index of the one
	// picked, or -1 when the dialog was dismissed.
	Choose(title, message string, choices []string) (int, error)
}

// wailsDialogs maps choices onto Wails' MessageDialog: macOS shows the buttons by name; GTK
// and Windows only offer Yes/No, so the first two choices become Yes and No (the message
// says which is which) and closing the dialog means the third.
type wailsDialogs struct{ ctx func() context.Context }

func (w wailsDialogs) Choose(title, message string, choices []string) (int, error) {
	// GTK takes the message as a printf format: a '%' in a server name must not be read as
	// a directive.
	if runtime.GOOS == "linux" {
		message = strings.ReplaceAll(message, "%", "%%")
	}
	opts := wailsruntime.MessageDialogOptions{Type: wailsruntime.QuestionDialog, Title: title, Message: message, Buttons: choices}
	if len(choices) > 0 {
		opts.DefaultButton = choices[0]
	}
	if len(choices) > 2 {
		opts.CancelButton = choices[2]
	}
	ans, err := wailsruntime.MessageDialog(w.ctx(), opts)
	if err != nil {
		return -1, err
	}
	switch ans {
	case "Yes":
		return 0, nil
	case "No":
		return 1, nil
	}
	for i, c := range choices {
		if c == ans {
			return i, nil
		}
	}
	return -1, nil
}

func newDesktop(app *App, svc *service.Service, log *slog.Logger) *desktop {
	d := &desktop{app: app, svc: svc, log: log}
	d.dialogs = wailsDialogs{ctx: func() context.Context { return app.ctx }}
	return d
}

func (d *desktop) autostartEntry() autostart.Entry {
	exe, _ := os.Executable()
	if abs, err := filepath.EvalSymlinks(exe); err == nil {
		exe = abs
	}
	return autostart.Entry{GOOS: runtime.GOOS, Home: os.Getenv("HOME"), XDGConfigHome: os.Getenv("XDG_CONFIG_HOME"), Exe: exe}
}

// snapshot gathers what the tray shows.
func (d *desktop) snapshot() tray.Snapshot {
	ctx := context.Background()
	pend, _ := d.svc.Conflicts(ctx, string(store.ConflictPending))
	d.mu.Lock()
	errs := append([]string(nil), d.errors...)
	d.mu.Unlock()
	return tray.Snapshot{Syncing: d.syncing.Load(), Paused: d.svc.Engine().Paused(), LastSync: d.svc.Engine().LastPass(),
		Conflicts: pend, Errors: errs, AutoStart: d.autostartEntry().Enabled()}
}

// watch follows the event bus: it keeps recent errors for the tray, queues conflict dialogs
// and refreshes the tray.
func (d *desktop) watch(ctx context.Context) {
	sub := d.svc.Bus().Subscribe(256)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			switch e.Type {
			case events.SyncStarted:
				d.syncing.Store(true)
			case events.SyncFinished:
				d.syncing.Store(false)
				d.forgetSolvedErrors()
			case events.Error:
				d.mu.Lock()
				d.errors = append([]string{e.Msg}, d.errors...)
				if len(d.errors) > tray.MaxListed {
					d.errors = d.errors[:tray.MaxListed]
				}
				d.mu.Unlock()
			case events.ConflictCreated:
				if id, _ := e.Data["conflictId"].(string); id != "" {
					d.enqueue(id)
				}
			}
			if d.tray != nil {
				d.tray.Refresh()
			}
		}
	}
}

// forgetSolvedErrors drops the tray's errors once no client is failing any more, so the
// icon and the status line do not stay on "warning" for a problem that is gone (the log
// keeps the history). The engine's client status is what the dashboard's banner reads too.
func (d *desktop) forgetSolvedErrors() {
	for _, s := range d.svc.Engine().Status() {
		if s.State == "error" || s.LastError != "" {
			return
		}
	}
	d.mu.Lock()
	d.errors = nil
	d.mu.Unlock()
}

// enqueue adds a conflict to the dialog queue; dialogs never stack: one at a time.
func (d *desktop) enqueue(id string) {
	d.mu.Lock()
	d.queue = append(d.queue, id)
	start := !d.showing
	d.showing = true
	d.mu.Unlock()
	if start {
		go d.drain()
	}
}

func (d *desktop) drain() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 || d.quitting.Load() {
			d.showing = false
			d.mu.Unlock()
			return
		}
		id := d.queue[0]
		d.queue = d.queue[1:]
		d.mu.Unlock()
		d.ask(id)
	}
}

// ask shows the native dialog for one conflict and acts on the answer.
func (d *desktop) ask(id string) {
	ctx := context.Background()
	c, err := d.svc.Conflict(ctx, id)
	if err != nil || c.Status != store.ConflictPending {
		return // resolved meanwhile (in the UI or the API)
	}
	title, msg, choices, resolutions := conflictQuestion(c)
	idx, err := d.dialogs.Choose(title, msg, choices)
	if err != nil {
		d.log.Warn("conflict dialog", "err", err)
		return
	}
	if idx >= 0 && idx < len(resolutions) {
		if _, err := d.svc.ResolveConflict(ctx, id, resolutions[idx], "dialog"); err != nil {
			d.log.Warn("resolve from dialog", "conflict", id, "err", err)
		}
		return
	}
	d.OpenConflict(id)
}

// conflictQuestion words the dialog for a conflict: which item, which clients, and what
// each answer does.
func conflictQuestion(c store.Conflict) (title, msg string, choices []string, res []service.Resolution) {
	if c.Kind == "suspicious" {
		return "aisync: a file lost all of its entries",
			fmt.Sprintf("%s suddenly has no entries left.\n\nYes: it was on purpose, delete them everywhere\nNo: restore them in that file\nClose: decide later in aisync", c.ItemKey),
			[]string{"Delete everywhere", "Restore", "Open in aisync"},
			[]service.Resolution{{Choice: "confirm"}, {Choice: "restore"}}
	}
	var a, b string
	if len(c.Sides) > 0 {
		a = c.Sides[0].ClientID
	}
	if len(c.Sides) > 1 {
		b = c.Sides[1].ClientID
	}
	title = "aisync: conflict on " + c.ItemKey
	msg = fmt.Sprintf("%s was changed differently in %s and %s.\n\nYes: keep %s's version\nNo: keep %s's version\nClose: compare them in aisync",
		strings.TrimPrefix(c.ItemKey, ""), a, b, a, b)
	return title, msg, []string{"Keep " + a, "Keep " + b, "Open in aisync"},
		[]service.Resolution{{Choice: "client", Client: a}, {Choice: "client", Client: b}}
}

// Tray actions.

func (d *desktop) SyncNow() {
	if _, err := d.svc.SyncOnce(context.Background(), nil, "tray"); err != nil {
		d.log.Warn("sync from tray", "err", err)
	}
}
func (d *desktop) SetPaused(p bool) { d.svc.SetPaused(p) }
func (d *desktop) OpenDashboard()   { d.show("/") }
func (d *desktop) OpenConflict(id string) {
	d.show("/conflicts/" + id)
}
func (d *desktop) ShowError(msg string) { d.show("/logs?level=error") }
func (d *desktop) SetAutoStart(on bool) error {
	err := d.autostartEntry().Set(on)
	if err != nil {
		d.log.Warn("start at login", "err", err)
	}
	return err
}
func (d *desktop) Quit() {
	d.quitting.Store(true)
	if d.app.ctx != nil {
		wailsruntime.Quit(d.app.ctx)
	}
}

func (d *desktop) show(route string) {
	if d.app.ctx == nil {
		return
	}
	wailsruntime.WindowShow(d.app.ctx)
	wailsruntime.WindowUnminimise(d.app.ctx)
	wailsruntime.EventsEmit(d.app.ctx, "aisync:navigate", route)
}

// geometry is the window's remembered size and position.
type geometry struct{ W, H, X, Y int }

const geometryKey = "desktop.window"

func (d *desktop) loadGeometry() (geometry, bool) {
	var g geometry
	if err := d.svc.Store().GetSetting(context.Background(), geometryKey, &g); err != nil || g.W < 400 || g.H < 300 {
		return geometry{W: 1280, H: 800}, false
	}
	return g, true
}

func (d *desktop) saveGeometry(ctx context.Context) {
	w, h := wailsruntime.WindowGetSize(ctx)
	x, y := wailsruntime.WindowGetPosition(ctx)
	if w >= 400 && h >= 300 {
		_ = d.svc.Store().PutSetting(context.Background(), geometryKey, geometry{W: w, H: h, X: x, Y: y})
	}
}

// beforeClose hides the window instead of quitting, so syncing goes on in the background;
// Quit (tray, menu) really quits. Only the first quit goes through: on SIGTERM both Wails'
// own signal handler and runDesktop's ask to quit, and a second gtk_main_quit after the
// loop has ended is a Gtk-CRITICAL (and saving the geometry then would wait forever for
// the finished main loop).
func (d *desktop) beforeClose(ctx context.Context) bool {
	if d.closing.Load() {
		return true
	}
	d.saveGeometry(ctx)
	if d.quitting.Load() || !tray.Supported {
		return d.closing.Swap(true)
	}
	wailsruntime.WindowHide(ctx)
	return true
}

func (d *desktop) singleInstance() *options.SingleInstanceLock {
	return &options.SingleInstanceLock{
		UniqueId: "app.aisync.desktop",
		OnSecondInstanceLaunch: func(options.SecondInstanceData) {
			d.show("/")
		},
	}
}
