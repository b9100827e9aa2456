package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTrayErrorsAutostartQuit covers the rest of the tray on a fresh app: a broken client
// file shows under "Recent errors" with the warning icon, "Start at login" writes and
// removes the XDG autostart entry, and "Quit aisync" ends the app cleanly.
func TestTrayErrorsAutostartQuit(t *testing.T) {
	bin := requirements(t)
	bus := startBus(t)
	w, err := startWatcher(bus)
	if err != nil {
		t.Fatalf("fake StatusNotifierWatcher: %v", err)
	}
	t.Cleanup(w.Close)
	h := newHome(t)
	a := startApp(t, bin, bus, h)
	tc, _ := connectTray(t, w, a)
	tc.waitMenu(t, a, "the menu in sync", func(m *menuItem) bool {
		return len(m.Children) > 0 && strings.HasPrefix(m.Children[0].Label(), "aisync: in sync")
	})

	t.Run("recent errors", func(t *testing.T) {
		writeFile(t, h.cursorFile(), `{"mcpServers": {"fetch": {"command": "uvx",,}}`)
		m := tc.waitMenu(t, a, "the error listed in the tray", func(m *menuItem) bool {
			e := m.byLabel("Recent errors (1)")
			return e != nil && e.Enabled() && e.find(func(s string) bool { return strings.Contains(s, "decode cursor config") }) != nil
		})
		e := m.byLabel("Recent errors (1)")
		t.Logf("status line %q; error entry %q", m.Children[0].Label(), e.find(func(s string) bool { return strings.Contains(s, "decode cursor config") }).Label())
		if !strings.HasPrefix(m.Children[0].Label(), "aisync: ") || !strings.Contains(m.Children[0].Label(), "mcp.json") {
			t.Errorf("status line %q, want the error", m.Children[0].Label())
		}
		tc.waitIcon(t, a, "warning")

		// Fixing the file makes the client healthy again; the tray must not stay on the
		// warning state for an error that is gone.
		writeFile(t, h.cursorFile(), cursorSeed)
		tc.clickLabel(t, "Sync now")
		deadline := time.Now().Add(5 * time.Second)
		state := ""
		for time.Now().Before(deadline) {
			if state = tc.iconState(); state == "idle" {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		m = tc.layout(t)
		t.Logf("after the fix: icon %s, status line %q", state, m.Children[0].Label())
		if state != "idle" {
			t.Errorf("the tray still shows %q 5s after the broken file was fixed and synced (status line %q)", state, m.Children[0].Label())
		}
	})

	t.Run("start at login", func(t *testing.T) {
		entry := filepath.Join(h.dir, ".config", "autostart", "aisync.desktop")
		tc.clickLabel(t, "Start at login")
		tc.waitMenu(t, a, "Start at login checked", func(m *menuItem) bool {
			it := m.byLabel("Start at login")
			return it != nil && it.Toggle() == "on"
		})
		// GTK ticks the box as soon as it is clicked; the entry follows from the app.
		var b []byte
		waitFor(t, a, 5*time.Second, "the autostart entry "+entry, func() (bool, string) {
			var err error
			b, err = os.ReadFile(entry)
			return err == nil, fmt.Sprint(err)
		})
		if !strings.Contains(string(b), "Exec=") || !strings.Contains(string(b), filepath.Base(a.cmd.Path)) {
			t.Errorf("autostart entry %s:\n%s", entry, b)
		}
		tc.clickLabel(t, "Start at login")
		tc.waitMenu(t, a, "Start at login unchecked", func(m *menuItem) bool {
			it := m.byLabel("Start at login")
			return it != nil && it.Toggle() == "off"
		})
		waitFor(t, a, 5*time.Second, "the autostart entry removed", func() (bool, string) {
			_, err := os.Stat(entry)
			return os.IsNotExist(err), fmt.Sprint(err)
		})
		tc.waitMenu(t, a, "Start at login still unchecked", func(m *menuItem) bool {
			it := m.byLabel("Start at login")
			return it != nil && it.Toggle() == "off"
		})
	})

	t.Run("quit", func(t *testing.T) {
		pid := a.cmd.Process.Pid
		clicked := time.Now()
		tc.clickLabel(t, "Quit aisync")
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the app did not exit within 10s of Quit aisync")
		}
		t.Logf("exited %.2fs after Quit: %v", time.Since(clicked).Seconds(), a.err)
		if a.err != nil {
			t.Errorf("exit status after Quit: %v, want 0", a.err)
		}
		groupGone(t, pid)
		checkClosedDB(t, h)
	})
}
