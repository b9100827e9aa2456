package desktop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/pelletier/go-toml/v2"

	"aisync/backend/store"
)

const itemIface = "org.kde.StatusNotifierItem"

// trayClient talks to the app's StatusNotifierItem and its dbusmenu like a panel does.
type trayClient struct {
	item dbus.BusObject
	menu dbus.BusObject
}

func (c trayClient) props() (map[string]dbus.Variant, error) {
	var p map[string]dbus.Variant
	err := c.item.Call("org.freedesktop.DBus.Properties.GetAll", 0, itemIface).Store(&p)
	return p, err
}

func (c trayClient) layout(t *testing.T) *menuItem {
	t.Helper()
	m, _, err := getLayout(c.menu)
	if err != nil {
		t.Fatalf("com.canonical.dbusmenu.GetLayout: %v", err)
	}
	return m
}

// waitMenu waits until the menu satisfies cond and returns it.
func (c trayClient) waitMenu(t *testing.T, a *app, what string, cond func(*menuItem) bool) *menuItem {
	t.Helper()
	var m *menuItem
	waitFor(t, a, 15*time.Second, what, func() (bool, string) {
		var err error
		m, _, err = getLayout(c.menu)
		if err != nil {
			return false, err.Error()
		}
		return cond(m), "\n" + m.tree()
	})
	return m
}

// clickLabel clicks the item with that label.
func (c trayClient) clickLabel(t *testing.T, label string) {
	t.Helper()
	it := c.layout(t).byLabel(label)
	if it == nil {
		t.Fatalf("no menu item %q in\n%s", label, c.layout(t).tree())
	}
	if err := click(c.menu, it.ID); err != nil {
		t.Fatalf("click %q (id %d): %v", label, it.ID, err)
	}
}

// iconState names the tray icon the item shows now, by comparing the PNG it points at with
// backend/tray/icons/*.png.
func (c trayClient) iconState() string {
	p, err := c.props()
	if err != nil {
		return "GetAll: " + err.Error()
	}
	name, _ := p["IconName"].Value().(string)
	if theme, _ := p["IconThemePath"].Value().(string); theme != "" && !filepath.IsAbs(name) {
		name = filepath.Join(theme, name+".png")
	}
	got, err := os.ReadFile(name)
	if err != nil {
		return fmt.Sprintf("icon %q: %v", name, err)
	}
	for _, s := range []string{"idle", "syncing", "warning", "conflict", "paused"} {
		want, err := os.ReadFile(filepath.Join("..", "..", "backend", "tray", "icons", s+".png"))
		if err == nil && bytes.Equal(got, want) {
			return s
		}
	}
	return "unknown icon " + name
}

func (c trayClient) waitIcon(t *testing.T, a *app, state string) {
	t.Helper()
	waitFor(t, a, 10*time.Second, "tray icon "+state, func() (bool, string) {
		s := c.iconState()
		return s == state, s
	})
}

// connectTray waits for the app's item to register with the watcher and to have an icon,
// and returns a client for it and its properties.
func connectTray(t *testing.T, w *fakeWatcher, a *app) (trayClient, map[string]dbus.Variant) {
	t.Helper()
	var full string
	select {
	case full = <-w.reg:
	case <-a.done:
		t.Fatalf("the app exited before registering a tray item: %v", a.err)
	case <-time.After(30 * time.Second):
		t.Fatalf("no StatusNotifierItem registered with the watcher within 30s (registered: %v)", w.Registered())
	}
	name, path := splitItem(full)
	tc := trayClient{item: w.conn.Object(name, path)}
	// The icon is set from the GTK loop's idle queue, shortly after the registration.
	var p map[string]dbus.Variant
	waitFor(t, a, 10*time.Second, "the item's icon", func() (bool, string) {
		var err error
		p, err = tc.props()
		if err != nil {
			return false, fmt.Sprintf("read %s properties of %s: %v", itemIface, full, err)
		}
		icon, _ := p["IconName"].Value().(string)
		pix, _ := p["IconPixmap"].Value().([][]any)
		return icon != "" || len(pix) > 0, "neither IconName nor IconPixmap"
	})
	menuPath, _ := p["Menu"].Value().(dbus.ObjectPath)
	if !menuPath.IsValid() || menuPath == "/" {
		t.Fatalf("Menu = %q, want the dbusmenu object path", menuPath)
	}
	tc.menu = w.conn.Object(name, menuPath)
	return tc, p
}

// serverArgs reads the args of one server from a client's file (nil if it is absent).
func serverArgs(h home, client, name string) ([]string, error) {
	type server struct {
		Args []any `json:"args" toml:"args"`
	}
	var doc struct {
		Cursor map[string]server `json:"mcpServers"`
		Codex  map[string]server `toml:"mcp_servers"`
	}
	var servers map[string]server
	switch client {
	case "cursor":
		b, err := os.ReadFile(h.cursorFile())
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", h.cursorFile(), err)
		}
		servers = doc.Cursor
	case "codex":
		b, err := os.ReadFile(h.codexFile())
		if err != nil {
			return nil, err
		}
		if err := toml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", h.codexFile(), err)
		}
		servers = doc.Codex
	}
	s, ok := servers[name]
	if !ok {
		return nil, nil
	}
	out := []string{}
	for _, a := range s.Args {
		out = append(out, fmt.Sprint(a))
	}
	return out, nil
}

// editArgs rewrites one server's args in a client's file, keeping the rest of the file.
func editArgs(t *testing.T, h home, client, name string, args []string) {
	t.Helper()
	path, key := h.cursorFile(), "mcpServers"
	unmarshal, marshal := json.Unmarshal, func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
	if client == "codex" {
		path, key, unmarshal, marshal = h.codexFile(), "mcp_servers", toml.Unmarshal, toml.Marshal
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	servers, _ := doc[key].(map[string]any)
	srv, _ := servers[name].(map[string]any)
	if srv == nil {
		t.Fatalf("no server %s in %s:\n%s", name, path, b)
	}
	srv["args"] = args
	out, err := marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(out)+"\n")
}

// syncEvents lists the app's sync runs started by a trigger.
func syncEvents(a *app, trigger string) ([]store.SyncEvent, error) {
	var out []store.SyncEvent
	err := a.withStore(func(st *store.SQLite) error {
		p, err := st.ListSyncEvents(context.Background(), store.SyncEventFilter{EventType: trigger, Limit: 100})
		out = p.Items
		return err
	})
	return out, err
}

// conflictSession makes and answers conflicts in the running app.
type conflictSession struct {
	a     *app
	h     home
	tc    trayClient
	shots string
	round int
}

// args is what a client wrote for a server in the current round.
func (cs *conflictSession) args(client, name string) []string {
	return []string{"mcp-server-" + name, fmt.Sprintf("--%s-%d", client, cs.round)}
}

// setPaused clicks Pause syncing or Resume syncing and waits for the menu to follow.
func (cs *conflictSession) setPaused(t *testing.T, paused bool) {
	t.Helper()
	click, then, status := "Pause syncing", "Resume syncing", "aisync: paused"
	if !paused {
		click, then, status = then, click, "aisync: "
	}
	cs.tc.clickLabel(t, click)
	cs.tc.waitMenu(t, cs.a, "menu shows "+then, func(m *menuItem) bool {
		return m.byLabel(then) != nil && m.byLabel(click) == nil && strings.HasPrefix(m.Children[0].Label(), status)
	})
	if paused {
		cs.tc.waitIcon(t, cs.a, "paused")
	}
}

// disagree makes Cursor and Codex change the same servers differently while syncing is
// paused, then clicks Sync now: with the manual policy, a conflict per server.
func (cs *conflictSession) disagree(t *testing.T, names ...string) {
	t.Helper()
	cs.round++
	for _, client := range []string{"cursor", "codex"} {
		for _, name := range names {
			editArgs(t, cs.h, client, name, cs.args(client, name))
		}
	}
	time.Sleep(300 * time.Millisecond) // let the watcher see (and, paused, drop) the writes
	cs.tc.clickLabel(t, "Sync now")
}

// pending waits for n pending conflicts between cursor and codex.
func (cs *conflictSession) pending(t *testing.T, n int) []store.Conflict {
	t.Helper()
	var list []store.Conflict
	waitFor(t, cs.a, 15*time.Second, fmt.Sprintf("%d pending conflict(s)", n), func() (bool, string) {
		err := cs.a.withStore(func(st *store.SQLite) error {
			var err error
			list, err = st.ListConflicts(context.Background(), store.ConflictPending)
			return err
		})
		return err == nil && len(list) == n, fmt.Sprintf("%+v %v", list, err)
	})
	for _, c := range list {
		if len(c.Sides) != 2 {
			t.Fatalf("conflict sides = %+v, want cursor and codex", c.Sides)
		}
		t.Logf("conflict %s on %s: sides %s, %s", c.ID, c.ItemKey, c.Sides[0].ClientID, c.Sides[1].ClientID)
	}
	return list
}

// dialog waits for the conflict's dialog and returns its window.
func (cs *conflictSession) dialog(t *testing.T, c store.Conflict) string {
	t.Helper()
	win, err := findWindow(cs.a, "^aisync: conflict on "+regexp.QuoteMeta(c.ItemKey)+"$", 20*time.Second)
	if err != nil {
		t.Fatalf("no conflict dialog for %s: %v", c.ItemKey, err)
	}
	return win
}

// answer focuses the dialog, types keys into it and waits for it to close.
func (cs *conflictSession) answer(t *testing.T, win string, c store.Conflict, keys ...string) {
	t.Helper()
	if _, err := run(10*time.Second, "xdotool", "windowfocus", "--sync", win); err != nil {
		t.Fatalf("focus the dialog: %v", err)
	}
	if _, err := run(10*time.Second, "xdotool", append([]string{"key", "--delay", "50"}, keys...)...); err != nil {
		t.Fatalf("press %v: %v", keys, err)
	}
	title := "^aisync: conflict on " + regexp.QuoteMeta(c.ItemKey) + "$"
	waitFor(t, cs.a, 10*time.Second, "the dialog closes", func() (bool, string) {
		return len(windows(cs.a, title)) == 0, "still open"
	})
}

// resolved waits for the conflict to be resolved from the dialog and for both files to
// carry the chosen client's args; it returns the chosen client.
func (cs *conflictSession) resolved(t *testing.T, c store.Conflict) string {
	t.Helper()
	var r store.Conflict
	waitFor(t, cs.a, 15*time.Second, "the conflict resolved in the database", func() (bool, string) {
		err := cs.a.withStore(func(st *store.SQLite) error {
			var err error
			r, err = st.GetConflict(context.Background(), c.ID)
			return err
		})
		return err == nil && r.Status == store.ConflictResolved, fmt.Sprintf("%s %v", r.Status, err)
	})
	var res struct {
		Choice string `json:"choice"`
		Client string `json:"client"`
	}
	_ = json.Unmarshal(r.Resolution, &res)
	t.Logf("%s: resolution %s by %q", c.ItemKey, r.Resolution, r.ResolvedBy)
	if r.ResolvedBy != "dialog" || res.Choice != "client" || (res.Client != "cursor" && res.Client != "codex") {
		t.Fatalf("resolution %s by %q, want a client's version chosen by \"dialog\"", r.Resolution, r.ResolvedBy)
	}
	name := strings.TrimPrefix(c.ItemKey, "servers/")
	want := cs.args(res.Client, name)
	waitFor(t, cs.a, 15*time.Second, "both files converge on "+res.Client+"'s "+name, func() (bool, string) {
		ca, err1 := serverArgs(cs.h, "cursor", name)
		xa, err2 := serverArgs(cs.h, "codex", name)
		return slices.Equal(ca, want) && slices.Equal(xa, want), fmt.Sprintf("cursor %q %v, codex %q %v", ca, err1, xa, err2)
	})
	return res.Client
}

// TestDesktop drives the real desktop app end to end: the tray over D-Bus, the native
// conflict dialog with xdotool, and a clean shutdown.
func TestDesktop(t *testing.T) {
	bin := requirements(t)
	began := time.Now()
	shots := screenshotDir(t)
	bus := startBus(t)
	w, err := startWatcher(bus)
	if err != nil {
		t.Fatalf("fake StatusNotifierWatcher: %v", err)
	}
	t.Cleanup(w.Close)
	h := newHome(t)
	a := startApp(t, bin, bus, h)
	phase := func(name string) { t.Logf("%-34s %6.1fs", name, time.Since(began).Seconds()) }

	// Start-up reconciliation copies Cursor's servers into the (empty) Codex.
	waitFor(t, a, 30*time.Second, "start-up sync copies Cursor's servers to Codex", func() (bool, string) {
		f, err1 := serverArgs(h, "codex", "fetch")
		g, err2 := serverArgs(h, "codex", "git")
		return slices.Equal(f, []string{"mcp-server-fetch"}) && slices.Equal(g, []string{"mcp-server-git"}), fmt.Sprint(f, err1, g, err2)
	})
	phase("start-up sync done")

	var tc trayClient
	ok := t.Run("tray", func(t *testing.T) {
		var p map[string]dbus.Variant
		tc, p = connectTray(t, w, a)
		phase("tray item registered")
		keys := []string{}
		for k, v := range p {
			if k != "IconPixmap" && k != "AttentionIconPixmap" {
				keys = append(keys, fmt.Sprintf("%s=%v", k, v))
			}
		}
		slices.Sort(keys)
		t.Logf("item %s %s: %s", tc.item.Destination(), tc.item.Path(), strings.Join(keys, " "))
		if s, _ := p["Status"].Value().(string); s != "Active" {
			t.Errorf("Status = %q, want Active", s)
		}
		menuPath := tc.menu.Path()

		want := []string{"Sync now", "Pause syncing", "Open dashboard", "Start at login", "Quit aisync"}
		m := tc.waitMenu(t, a, "menu with every action", func(m *menuItem) bool {
			for _, l := range want {
				if it := m.byLabel(l); it == nil || !it.Visible() {
					return false
				}
			}
			return m.find(func(s string) bool { return strings.HasPrefix(s, "aisync: ") }) != nil
		})
		phase("menu read")
		status := m.Children[0]
		if !strings.HasPrefix(status.Label(), "aisync: in sync") || status.Enabled() {
			t.Errorf("first item = %q (enabled %v), want the disabled status line \"aisync: in sync · …\"", status.Label(), status.Enabled())
		}
		for _, l := range []string{"Conflicts (0)", "Recent errors (0)"} {
			if it := m.byLabel(l); it == nil || it.Enabled() {
				t.Errorf("want a disabled %q item; menu:\n%s", l, m.tree())
			}
		}
		if it := m.byLabel("Start at login"); it.Toggle() != "off" {
			t.Errorf("Start at login: toggle %q, want an unchecked checkbox", it.Toggle())
		}
		wantOrder := []string{status.Label(), "Sync now", "Pause syncing", "Open dashboard", "Conflicts (0)", "Recent errors (0)", "Start at login", "Quit aisync"}
		if got := m.labels(); !slices.Equal(got, wantOrder) {
			t.Errorf("top-level labels = %q, want %q", got, wantOrder)
		}
		tc.waitIcon(t, a, "idle")
		tree := m.tree()
		t.Logf("tray menu:\n%s", tree)
		doc := "# aisync tray menu, as read over D-Bus (com.canonical.dbusmenu.GetLayout on " + string(menuPath) + ")\n" +
			"# [id] label (state); written by tests/desktop\n" + tree
		if err := os.WriteFile(filepath.Join(shots, "tray-menu.txt"), []byte(doc), 0o644); err != nil {
			t.Errorf("save the menu: %v", err)
		}

		// Sync now runs a pass recorded with the trigger "tray".
		before, err := syncEvents(a, "tray")
		if err != nil || len(before) != 0 {
			t.Fatalf("tray sync runs before the click: %v %v", before, err)
		}
		tc.clickLabel(t, "Sync now")
		waitFor(t, a, 15*time.Second, "a sync run with trigger \"tray\" in the database", func() (bool, string) {
			ev, err := syncEvents(a, "tray")
			return err == nil && len(ev) == 1 && ev[0].Status == store.SyncSucceeded, fmt.Sprintf("%+v %v", ev, err)
		})
		phase("Sync now clicked, run recorded")
	})
	if !ok {
		t.FailNow()
	}

	cs := &conflictSession{a: a, h: h, tc: tc, shots: shots}

	ok = t.Run("conflict dialog Yes", func(t *testing.T) {
		cs.setPaused(t, true)
		phase("paused from the tray")
		cs.disagree(t, "fetch")
		c := cs.pending(t, 1)[0]
		win := cs.dialog(t, c)
		phase("conflict created, dialog shown")

		// Meanwhile the tray lists the conflict and shows the conflict icon.
		entry := c.ItemKey + " (" + c.Sides[0].ClientID + " vs " + c.Sides[1].ClientID + ")"
		m := tc.waitMenu(t, a, "tray lists the conflict", func(m *menuItem) bool {
			cm := m.byLabel("Conflicts (1)")
			if cm == nil || !cm.Enabled() {
				return false
			}
			sub := cm.find(func(s string) bool { return s == entry })
			return sub != nil && sub.Visible() && strings.HasPrefix(m.Children[0].Label(), "aisync: 1 conflict(s) need you")
		})
		tc.waitIcon(t, a, "conflict")
		t.Logf("tray menu with a pending conflict:\n%s", m.tree())
		f, err := os.OpenFile(filepath.Join(shots, "tray-menu.txt"), os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("\n# the same menu while paused, with a pending conflict\n" + m.tree())
			f.Close()
		}
		if err != nil {
			t.Errorf("save the menu: %v", err)
		}

		time.Sleep(500 * time.Millisecond) // let GTK paint the dialog
		path, sd := screenshot(t, win, shots, "conflict-dialog.png")
		t.Logf("dialog screenshot %s (stddev %.3f)", path, sd)
		if sd < 0.02 {
			t.Errorf("the dialog screenshot looks blank (stddev %.3f)", sd)
		}

		// Alt+Y is the _Yes button: keep the first side's version.
		cs.answer(t, win, c, "alt+y")
		phase("dialog answered Yes")
		if got := cs.resolved(t, c); got != c.Sides[0].ClientID {
			t.Errorf("Yes kept %s's version, want %s's (the first side, as the dialog says)", got, c.Sides[0].ClientID)
		}
		phase("files converged")
	})
	if !ok {
		t.FailNow()
	}

	t.Run("conflict dialog No", func(t *testing.T) {
		cs.disagree(t, "fetch")
		c := cs.pending(t, 1)[0]
		cs.answer(t, cs.dialog(t, c), c, "alt+n")
		if got := cs.resolved(t, c); got != c.Sides[1].ClientID {
			t.Errorf("No kept %s's version, want %s's (the second side, as the dialog says)", got, c.Sides[1].ClientID)
		}
		phase("dialog answered No, converged")
	})

	t.Run("conflict dialog Return", func(t *testing.T) {
		// desktop.go asks for choices[0] (Yes) as the default button, but Wails v2 ignores
		// DefaultButton on Linux, and GTK focuses the first button of its Yes/No dialog: No.
		cs.disagree(t, "fetch")
		c := cs.pending(t, 1)[0]
		cs.answer(t, cs.dialog(t, c), c, "Return")
		got := cs.resolved(t, c)
		side := map[string]string{c.Sides[0].ClientID: "Yes (first side)", c.Sides[1].ClientID: "No (second side)"}[got]
		t.Logf("Return answered %s: kept %s's version", side, got)
		phase("dialog answered Return, converged")
	})

	t.Run("dialogs one at a time", func(t *testing.T) {
		cs.disagree(t, "fetch", "git")
		list := cs.pending(t, 2)
		tc.waitMenu(t, a, "tray lists both conflicts", func(m *menuItem) bool {
			cm := m.byLabel("Conflicts (2)")
			return cm != nil && cm.Enabled()
		})
		for i, key := range []string{"alt+y", "alt+n"} {
			win, err := findWindow(a, "^aisync: conflict on ", 20*time.Second)
			if err != nil {
				t.Fatalf("dialog %d: %v", i+1, err)
			}
			time.Sleep(300 * time.Millisecond)
			if n := len(windows(a, "^aisync: conflict on ")); n != 1 {
				t.Errorf("%d conflict dialogs open at once, want one at a time", n)
			}
			title, _ := run(5*time.Second, "xdotool", "getwindowname", win)
			var c store.Conflict
			for _, x := range list {
				if title == "aisync: conflict on "+x.ItemKey {
					c = x
				}
			}
			if c.ID == "" {
				t.Fatalf("dialog %q is for none of %+v", title, list)
			}
			cs.answer(t, win, c, key)
			want := c.Sides[i].ClientID
			if got := cs.resolved(t, c); got != want {
				t.Errorf("%s on %s kept %s's version, want %s's", key, c.ItemKey, got, want)
			}
		}
		phase("two queued dialogs answered")
	})

	t.Run("window", func(t *testing.T) {
		cs.setPaused(t, false)
		tc.waitIcon(t, a, "idle")
		tc.clickLabel(t, "Open dashboard")
		win, err := findWindow(a, "^aisync$", 20*time.Second)
		if err != nil {
			t.Fatalf("no main window: %v", err)
		}
		time.Sleep(4500 * time.Millisecond) // the window's toasts for the tray's syncs last 4 s
		path, sd := screenshot(t, win, shots, "desktop.png")
		t.Logf("window screenshot %s (stddev %.3f)", path, sd)
		if sd < 0.02 {
			t.Errorf("the main window looks blank (stddev %.3f)", sd)
		}
		phase("window screenshot")
	})

	t.Run("conflict dialog closed", func(t *testing.T) {
		// Closing the dialog (Escape) leaves the conflict pending for the window to show.
		cs.setPaused(t, true)
		cs.disagree(t, "fetch")
		c := cs.pending(t, 1)[0]
		cs.answer(t, cs.dialog(t, c), c, "Escape")
		time.Sleep(time.Second)
		err := a.withStore(func(st *store.SQLite) error {
			r, err := st.GetConflict(context.Background(), c.ID)
			if err == nil && r.Status != store.ConflictPending {
				err = fmt.Errorf("status %s, resolution %s", r.Status, r.Resolution)
			}
			return err
		})
		if err != nil {
			t.Errorf("after closing the dialog the conflict should stay pending: %v", err)
		}
		for _, client := range []string{"cursor", "codex"} {
			got, _ := serverArgs(h, client, "fetch")
			if want := cs.args(client, "fetch"); !slices.Equal(got, want) {
				t.Errorf("closing the dialog changed %s's file: args %q, want %q", client, got, want)
			}
		}
		if _, err := findWindow(a, "^aisync$", 10*time.Second); err != nil {
			t.Errorf("closing the dialog should show the window: %v", err)
		}
		cs.setPaused(t, false)
		tc.waitIcon(t, a, "conflict")
		phase("dialog closed, conflict pending")
	})

	t.Run("shutdown", func(t *testing.T) {
		a.closeStore() // the app's own close checkpoints the WAL; nobody else holds the file
		pid := a.cmd.Process.Pid
		sent := time.Now()
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the app did not exit within 10s of SIGTERM")
		}
		took := time.Since(sent)
		t.Logf("exited %.2fs after SIGTERM: %v", took.Seconds(), a.err)
		if a.err != nil {
			t.Errorf("exit status after SIGTERM: %v, want 0", a.err)
		}
		if took > 5*time.Second {
			t.Errorf("shutdown took %s, want under 5s", took)
		}
		groupGone(t, pid)
		checkClosedDB(t, h)
		phase("clean shutdown")
	})

	out := a.output()
	switch {
	case strings.Contains(out, "panic:"):
		t.Errorf("the app panicked:\n%s", out)
	case strings.Contains(out, "gtk_main_quit: assertion"):
		// Wails' own SIGTERM handler and runDesktop's both quit; the second must not reach GTK.
		t.Errorf("the app quit GTK's main loop twice:\n%s", out)
	case strings.Contains(out, "CRITICAL"):
		t.Logf("app output has GTK criticals:\n%s", out)
	}
}
