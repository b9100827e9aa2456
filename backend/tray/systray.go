//go:build !darwin

package tray

import (
	"context"
	"sync"
	"time"

	"github.com/getlantern/systray"
)

// Actions are what the menu does; the desktop app implements them over the service.
type Actions interface {
	SyncNow()
	SetPaused(paused bool)
	OpenDashboard()
	OpenConflict(id string)
	ShowError(msg string)
	SetAutoStart(on bool) error
	Quit()
}

// Supported reports whether this build has a tray (false on macOS, where getlantern/systray
// and Wails clash at link time; a companion tray process is the plan there).
const Supported = true

// Tray drives the system tray icon and menu.
type Tray struct {
	src func() Snapshot
	act Actions
	mu  sync.Mutex
	// paint serialises drawing with the toggles: a draw that read the state before a
	// toggle changed it must not apply that stale state after the toggle's own check mark
	// (the next click would then flip the wrong way).
	paint   sync.Mutex
	items   map[string]*systray.MenuItem
	slots   map[string][]*systray.MenuItem // "conflicts", "errors" → sub-items
	last    Snapshot
	ready   chan struct{}
	refresh chan struct{}
}

// Register sets up the tray on the main thread's GTK loop; it must be called before
// wails.Run (which then runs the loop). src is called whenever the tray refreshes.
func Register(src func() Snapshot, act Actions) *Tray {
	t := &Tray{src: src, act: act, items: map[string]*systray.MenuItem{}, slots: map[string][]*systray.MenuItem{},
		ready: make(chan struct{}), refresh: make(chan struct{}, 1)}
	systray.Register(t.onReady, nil)
	return t
}

// Refresh asks the tray to redraw from a fresh snapshot (cheap; coalesced).
func (t *Tray) Refresh() {
	select {
	case t.refresh <- struct{}{}:
	default:
	}
}

// Run redraws on Refresh calls (and once a minute, for the "last sync … ago" text) until
// ctx ends.
func (t *Tray) Run(ctx context.Context) {
	select {
	case <-t.ready:
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		t.draw()
		select {
		case <-ctx.Done():
			return
		case <-t.refresh:
		case <-tick.C:
		}
	}
}

func (t *Tray) onReady() {
	systray.SetIcon(Icon(StateIdle))
	systray.SetTitle("")
	systray.SetTooltip("aisync")
	for _, it := range Menu(Snapshot{}, time.Now()) {
		switch it.ID {
		case "conflicts", "errors":
			if it.ID == "conflicts" {
				systray.AddSeparator()
			}
			parent := systray.AddMenuItem(it.Title, "")
			t.items[it.ID] = parent
			for i := 0; i < MaxListed; i++ {
				sub := parent.AddSubMenuItem("", "")
				sub.Hide()
				t.slots[it.ID] = append(t.slots[it.ID], sub)
				go t.clicks(sub, it.ID, i)
			}
		case "autostart":
			systray.AddSeparator()
			m := systray.AddMenuItemCheckbox(it.Title, "Start aisync when you log in", it.Checked)
			t.items[it.ID] = m
			go t.clicks(m, it.ID, 0)
		default:
			m := systray.AddMenuItem(it.Title, "")
			if it.Disabled {
				m.Disable()
			}
			t.items[it.ID] = m
			go t.clicks(m, it.ID, 0)
		}
	}
	close(t.ready)
}

func (t *Tray) clicks(m *systray.MenuItem, id string, slot int) {
	for range m.ClickedCh {
		t.mu.Lock()
		last := t.last
		t.mu.Unlock()
		switch id {
		case "sync":
			go t.act.SyncNow()
		case "pause":
			go t.act.SetPaused(!t.src().Paused) // the engine's state, not the menu's last draw
		case "open":
			t.act.OpenDashboard()
		case "conflicts":
			if slot < len(last.Conflicts) {
				t.act.OpenConflict(last.Conflicts[slot].ID)
			}
		case "errors":
			if slot < len(last.Errors) {
				t.act.ShowError(last.Errors[slot])
			}
		case "autostart":
			// The entry on disk decides, not the check mark, which a draw may be changing.
			t.paint.Lock()
			on := !t.src().AutoStart
			if err := t.act.SetAutoStart(on); err == nil {
				if on {
					m.Check()
				} else {
					m.Uncheck()
				}
			}
			t.paint.Unlock()
		case "quit":
			t.act.Quit()
		}
		t.Refresh()
	}
}

// draw applies the current snapshot to the icon and the menu.
func (t *Tray) draw() {
	t.paint.Lock()
	defer t.paint.Unlock()
	s := t.src()
	t.mu.Lock()
	t.last = s
	t.mu.Unlock()
	now := time.Now()
	systray.SetIcon(Icon(StateOf(s)))
	systray.SetTooltip(Tooltip(s, now))
	for _, it := range Menu(s, now) {
		m := t.items[it.ID]
		if m == nil {
			continue
		}
		m.SetTitle(it.Title)
		if it.Disabled && it.ID != "status" {
			m.Disable()
		} else if it.ID != "status" {
			m.Enable()
		}
		if it.Checkbox {
			if it.Checked {
				m.Check()
			} else {
				m.Uncheck()
			}
		}
		if slots, ok := t.slots[it.ID]; ok {
			for i, sub := range slots {
				if i < len(it.Children) {
					sub.SetTitle(it.Children[i].Title)
					sub.Show()
				} else {
					sub.Hide()
				}
			}
		}
	}
}
