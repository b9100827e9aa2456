//go:build !headless

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/engine"
	"aisync/backend/secrets"
	"aisync/backend/service"
	"aisync/backend/settings"
	"aisync/backend/store"
)

// fakeDialogs answers conflict dialogs from a script and records what it was asked.
type fakeDialogs struct {
	mu      sync.Mutex
	answers []int
	asked   []string
	open    int
	maxOpen int
}

func (f *fakeDialogs) Choose(title, msg string, choices []string) (int, error) {
	f.mu.Lock()
	f.open++
	f.maxOpen = max(f.maxOpen, f.open)
	f.asked = append(f.asked, title+"\n"+msg+"\n"+strings.Join(choices, "|"))
	a := -1
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // a user takes a moment; others must queue meanwhile
	f.mu.Lock()
	f.open--
	f.mu.Unlock()
	return a, nil
}

func TestConflictDialogsQueueOneAtATimeAndResolve(t *testing.T) {
	home := t.TempDir()
	for _, d := range []string{".cursor", ".codex"} {
		os.MkdirAll(filepath.Join(home, d), 0o755)
	}
	write := func(rel, s string) { os.WriteFile(filepath.Join(home, rel), []byte(s), 0o644) }
	write(".cursor/mcp.json", `{"mcpServers":{"a":{"command":"x"},"b":{"command":"y"}}}`)
	set := settings.Settings{DataDir: t.TempDir(), ConflictPolicy: settings.PolicyManual, RetryMax: 1, RetryBase: time.Millisecond, BackupKeep: 3, TokenTTL: time.Hour}
	env := clients.Env{GOOS: runtime.GOOS, Home: home, Vars: map[string]string{}}
	svc, err := service.Open(context.Background(), set, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Options{Env: &env, Keyring: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if _, err := svc.SyncOnce(ctx, nil, engine.TriggerStartup); err != nil {
		t.Fatal(err)
	}
	// Both clients change both servers differently: two conflicts.
	write(".cursor/mcp.json", `{"mcpServers":{"a":{"command":"x1"},"b":{"command":"y1"}}}`)
	write(".codex/config.toml", "[mcp_servers.a]\ncommand = \"x2\"\n\n[mcp_servers.b]\ncommand = \"y2\"\n")
	fake := &fakeDialogs{answers: []int{0, 1}}
	d := newDesktop(&App{ctx: ctx, svc: svc}, svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.dialogs = fake
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.watch(wctx)
	time.Sleep(50 * time.Millisecond) // let watch subscribe
	if res, err := svc.SyncOnce(ctx, nil, engine.TriggerManual); err != nil || res.Conflicts != 2 {
		t.Fatalf("want 2 conflicts: %v %+v", err, res)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if pend, _ := svc.Conflicts(ctx, string(store.ConflictPending)); len(pend) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if pend, _ := svc.Conflicts(ctx, string(store.ConflictPending)); len(pend) != 0 {
		t.Fatalf("conflicts still pending: %+v", pend)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.maxOpen != 1 || len(fake.asked) != 2 {
		t.Fatalf("dialogs: max open %d, asked %d; want one at a time, two in all", fake.maxOpen, len(fake.asked))
	}
	if !strings.Contains(fake.asked[0], "servers/a") || !strings.Contains(fake.asked[0], "Keep ") || !strings.Contains(fake.asked[0], "Open in aisync") {
		t.Fatalf("first dialog: %q", fake.asked[0])
	}
	// The conflict rows are marked resolved before the re-sync writes the files: wait for
	// the files (bounded).
	var cursor, codex []byte
	agree := func() bool {
		cursor, _ = os.ReadFile(filepath.Join(home, ".cursor/mcp.json"))
		codex, _ = os.ReadFile(filepath.Join(home, ".codex/config.toml"))
		return strings.Contains(string(cursor), `"x1"`) == strings.Contains(string(codex), `"x1"`) &&
			strings.Contains(string(cursor), `"y1"`) == strings.Contains(string(codex), `"y1"`)
	}
	for end := time.Now().Add(10 * time.Second); !agree() && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
	}
	// The first answer kept the first side of servers/a, the second the second side of b;
	// both files now agree.
	for _, b := range [][]byte{cursor, codex} {
		if strings.Count(string(b), `"x1"`)+strings.Count(string(b), `"x2"`) != 1 || strings.Count(string(b), `"y1"`)+strings.Count(string(b), `"y2"`) != 1 {
			t.Fatalf("files do not agree:\ncursor: %s\ncodex: %s", cursor, codex)
		}
	}
	if (strings.Contains(string(cursor), `"x1"`)) != strings.Contains(string(codex), `"x1"`) || strings.Contains(string(cursor), `"y1"`) != strings.Contains(string(codex), `"y1"`) {
		t.Fatalf("files disagree:\ncursor: %s\ncodex: %s", cursor, codex)
	}
}

func TestDialogDismissedLeavesConflictPending(t *testing.T) {
	c := store.Conflict{ItemKey: "servers/github", Sides: []store.ConflictSide{{ClientID: "cursor"}, {ClientID: "codex"}}}
	title, msg, choices, res := conflictQuestion(c)
	if title != "aisync: conflict on servers/github" || !strings.Contains(msg, "Yes: keep cursor's version") || len(choices) != 3 || len(res) != 2 || res[1].Client != "codex" {
		t.Fatalf("question: %q %q %v %+v", title, msg, choices, res)
	}
	_, msg, _, res = conflictQuestion(store.Conflict{Kind: "suspicious", ItemKey: "cursor|user|/h/.cursor/mcp.json"})
	if !strings.Contains(msg, "no entries left") || res[0].Choice != "confirm" || res[1].Choice != "restore" {
		t.Fatalf("suspicious question: %q %+v", msg, res)
	}
}
