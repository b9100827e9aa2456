// Package tray is the system-tray face of the desktop app: an icon whose colour shows the
// sync state, a tooltip with the last sync time, and a menu (Sync now, Pause/Resume, Open
// dashboard, pending conflicts, recent errors, Start at login, Quit). The state and the menu
// are computed by pure functions of the service's status; only systray.go talks to the OS.
package tray

import (
	"embed"
	"fmt"
	"time"

	"aisync/backend/store"
)

//go:embed icons/*.png
var icons embed.FS

// State is what the icon shows.
type State string

const (
	StateIdle     State = "idle"
	StateSyncing  State = "syncing"
	StateWarning  State = "warning"
	StateConflict State = "conflict"
	StatePaused   State = "paused"
)

// Icon returns the PNG for a state.
func Icon(s State) []byte {
	b, err := icons.ReadFile("icons/" + string(s) + ".png")
	if err != nil {
		b, _ = icons.ReadFile("icons/idle.png")
	}
	return b
}

// Snapshot is everything the tray shows, gathered from the service.
type Snapshot struct {
	Syncing   bool
	Paused    bool
	LastSync  time.Time
	Conflicts []store.Conflict
	Errors    []string // most recent first
	AutoStart bool
}

// StateOf picks the icon state: conflicts beat warnings beat activity.
func StateOf(s Snapshot) State {
	switch {
	case len(s.Conflicts) > 0:
		return StateConflict
	case len(s.Errors) > 0:
		return StateWarning
	case s.Paused:
		return StatePaused
	case s.Syncing:
		return StateSyncing
	}
	return StateIdle
}

// Tooltip is the hover text (and the first, disabled menu line on Linux, where tray icons
// have no tooltips).
func Tooltip(s Snapshot, now time.Time) string {
	last := "never synced"
	if !s.LastSync.IsZero() {
		last = "last sync " + ago(now.Sub(s.LastSync)) + " (" + s.LastSync.Local().Format("15:04:05") + ")"
	}
	switch StateOf(s) {
	case StateConflict:
		return fmt.Sprintf("aisync: %d conflict(s) need you · %s", len(s.Conflicts), last)
	case StateWarning:
		return "aisync: " + s.Errors[0] + " · " + last
	case StatePaused:
		return "aisync: paused · " + last
	case StateSyncing:
		return "aisync: syncing…"
	}
	return "aisync: in sync · " + last
}

func ago(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh ago", int(d.Hours()))
}

// Item is one menu entry.
type Item struct {
	ID       string // "sync", "pause", "open", "conflict:<id>", "error:<n>", "autostart", "quit", "status"
	Title    string
	Checked  bool
	Checkbox bool
	Disabled bool
	Children []Item
}

// MaxListed is how many conflicts and errors the menu lists.
const MaxListed = 5

// Menu is the tray menu for a snapshot.
func Menu(s Snapshot, now time.Time) []Item {
	pause := Item{ID: "pause", Title: "Pause syncing"}
	if s.Paused {
		pause.Title = "Resume syncing"
	}
	items := []Item{
		{ID: "status", Title: Tooltip(s, now), Disabled: true},
		{ID: "sync", Title: "Sync now"},
		pause,
		{ID: "open", Title: "Open dashboard"},
	}
	conf := Item{ID: "conflicts", Title: fmt.Sprintf("Conflicts (%d)", len(s.Conflicts)), Disabled: len(s.Conflicts) == 0}
	for i, c := range s.Conflicts {
		if i == MaxListed {
			break
		}
		conf.Children = append(conf.Children, Item{ID: "conflict:" + c.ID, Title: ConflictTitle(c)})
	}
	errs := Item{ID: "errors", Title: fmt.Sprintf("Recent errors (%d)", len(s.Errors)), Disabled: len(s.Errors) == 0}
	for i, e := range s.Errors {
		if i == MaxListed {
			break
		}
		errs.Children = append(errs.Children, Item{ID: fmt.Sprintf("error:%d", i), Title: truncate(e, 90)})
	}
	items = append(items, conf, errs,
		Item{ID: "autostart", Title: "Start at login", Checkbox: true, Checked: s.AutoStart},
		Item{ID: "quit", Title: "Quit aisync"})
	return items
}

// ConflictTitle names the item and the clients of a conflict.
func ConflictTitle(c store.Conflict) string {
	var who string
	for i, s := range c.Sides {
		if i > 0 {
			who += " vs "
		}
		who += s.ClientID
	}
	if c.Kind == "suspicious" {
		return truncate("Emptied file: "+c.ItemKey, 90)
	}
	return truncate(c.ItemKey+" ("+who+")", 90)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
