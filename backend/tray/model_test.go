package tray

import (
	"strings"
	"testing"
	"time"

	"aisync/backend/store"
)

func TestStateAndMenu(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	conflict := store.Conflict{ID: "c1", ItemKey: "servers/github", Sides: []store.ConflictSide{{ClientID: "cursor"}, {ClientID: "codex"}}}
	cases := []struct {
		name  string
		snap  Snapshot
		state State
		tip   string
	}{
		{"idle", Snapshot{LastSync: now.Add(-90 * time.Second)}, StateIdle, "in sync · last sync 1m ago"},
		{"never", Snapshot{}, StateIdle, "never synced"},
		{"syncing", Snapshot{Syncing: true}, StateSyncing, "syncing"},
		{"paused", Snapshot{Paused: true, Syncing: true}, StatePaused, "paused"},
		{"warning", Snapshot{Errors: []string{"write ~/.codex/config.toml: permission denied"}}, StateWarning, "permission denied"},
		{"conflict beats warning", Snapshot{Errors: []string{"x"}, Conflicts: []store.Conflict{conflict}}, StateConflict, "1 conflict(s) need you"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := StateOf(c.snap); got != c.state {
				t.Fatalf("state = %s, want %s", got, c.state)
			}
			if tip := Tooltip(c.snap, now); !strings.Contains(tip, c.tip) {
				t.Fatalf("tooltip %q lacks %q", tip, c.tip)
			}
			if len(Icon(c.state)) < 100 {
				t.Fatal("no icon for state")
			}
		})
	}
	menu := Menu(Snapshot{Paused: true, AutoStart: true, Conflicts: []store.Conflict{conflict}}, now)
	ids := map[string]Item{}
	for _, it := range menu {
		ids[it.ID] = it
	}
	for _, want := range []string{"status", "sync", "pause", "open", "conflicts", "errors", "autostart", "quit"} {
		if _, ok := ids[want]; !ok {
			t.Errorf("menu lacks %s", want)
		}
	}
	if ids["pause"].Title != "Resume syncing" || !ids["autostart"].Checked || !ids["errors"].Disabled {
		t.Fatalf("menu = %+v", menu)
	}
	if ch := ids["conflicts"].Children; len(ch) != 1 || ch[0].ID != "conflict:c1" || ch[0].Title != "servers/github (cursor vs codex)" {
		t.Fatalf("conflict entries = %+v", ch)
	}
}
