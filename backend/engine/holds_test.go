package engine

import (
	"fmt"
	"maps"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// countingAdapter counts Encode calls; with stdioOnly it cannot express HTTP servers, like
// a client whose file reads back as less than it was given.
type countingAdapter struct {
	fakeAdapter
	stdioOnly bool
	encodes   *atomic.Int32
}

func (c countingAdapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	c.encodes.Add(1)
	var warns []clients.Warning
	if c.stdioOnly {
		cfg.Servers = maps.Clone(cfg.Servers)
		maps.DeleteFunc(cfg.Servers, func(name string, s unified.Server) bool {
			if s.Transport != unified.TransportHTTP {
				return false
			}
			warns = append(warns, clients.Warning{Item: "server:" + name, Code: clients.WarnUnsupportedTransport, Message: "no HTTP here"})
			return true
		})
	}
	out, _, err := c.fakeAdapter.Encode(ep, files, cfg)
	return out, warns, err
}

// TestPassLeavesFilesThatHoldTheState checks that a pass does not re-render files that
// already hold the state (not even for a client that cannot express all of it), and does
// as soon as the state or the file changes.
func TestPassLeavesFilesThatHoldTheState(t *testing.T) {
	h := newHarness(t, "newest", "a", "b", "c")
	full, lossy := &atomic.Int32{}, &atomic.Int32{}
	h.eng.adapters = []clients.Adapter{fakeAdapter{"a"},
		countingAdapter{fakeAdapter{"b"}, false, full}, countingAdapter{fakeAdapter{"c"}, true, lossy}}
	h.write("a", `{"servers": {"local": {"command": "npx"}, "remote": {"url": "https://example.test/mcp"}}}`)
	h.sync(TriggerCLI)
	if got := names(h.servers("c")); got != "[local]" {
		t.Fatalf("the stdio-only client holds %s, want local", got)
	}
	if got := names(h.servers("b")); got != "[local remote]" {
		t.Fatalf("b holds %s", got)
	}
	before := [2]int32{full.Load(), lossy.Load()}
	for range 3 {
		res := h.sync(TriggerRescan)
		if res.FilesWritten != 0 {
			t.Fatalf("a pass with nothing to do wrote %d files", res.FilesWritten)
		}
		if w := res.Clients["c"].Warnings; len(w) != 1 || !strings.Contains(w[0], "no HTTP here") {
			t.Fatalf("a pass that left c alone lost the warning of its encode: %v", w)
		}
	}
	if after := [2]int32{full.Load(), lossy.Load()}; after != before {
		t.Fatalf("passes with nothing to do encoded the files again: %v → %v encodes (b, c)", before, after)
	}

	// A new engine over the same database (the next `sync --once`) knows from the stored
	// base that b holds the state; c, which reads back as less, is rendered once to check.
	h.eng = New(Options{Store: h.st, Bus: h.bus, Logger: testLogger(), Env: h.eng.env, Settings: h.eng.set, Backups: h.eng.backups,
		Adapters: []clients.Adapter{fakeAdapter{"a"}, countingAdapter{fakeAdapter{"b"}, false, full}, countingAdapter{fakeAdapter{"c"}, true, lossy}}})
	h.sync(TriggerCLI)
	if full.Load() != before[0] {
		t.Fatalf("a fresh engine encoded b, whose file already reads back as the state")
	}

	// A change anywhere is rendered again.
	h.write("a", `{"servers": {"local": {"command": "npx", "args": ["-y"]}, "remote": {"url": "https://example.test/mcp"}}}`)
	h.sync(TriggerWatch)
	if s := h.servers("c")["local"]; len(s.Args) != 1 {
		t.Fatalf("the edit did not reach the stdio-only client: %+v", s)
	}
	// A hand edit of b reaches the others; b itself, which the pass decoded as the new
	// state, is not encoded again and keeps the user's bytes as they are.
	n := full.Load()
	edit := `{"servers": {"local": {"command": "npx", "args": ["-y"]}}, "other": 1}`
	h.write("b", edit)
	h.sync(TriggerWatch)
	if got := names(h.servers("a")); got != "[local]" {
		t.Fatalf("after removing remote in b, a holds %s", got)
	}
	if got, _ := os.ReadFile(h.path("b")); string(got) != edit {
		t.Fatalf("b was rewritten although it holds the state:\n%s", got)
	}
	if full.Load() != n {
		t.Fatal("b was encoded although the pass had just decoded it as the state")
	}
}

// TestBackupsKeepTheUsersBytes checks that a write backs up the bytes it replaces when the
// user (or another program) wrote them, but not aisync's own output of an earlier pass,
// so that a series of syncs does not rotate the user's version out of the backups.
func TestBackupsKeepTheUsersBytes(t *testing.T) {
	h := newHarness(t, "newest", "a", "b")
	user := `{"servers": {}, "mine": "kept"}` + "\n"
	h.write("b", user)
	count := func() int {
		list, err := h.eng.backups.List(h.path("b"))
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	for i := range 3 {
		h.write("a", fmt.Sprintf(`{"servers": {"s": {"command": "v%d"}}}`, i))
		h.sync(TriggerWatch)
		if got := h.servers("b")["s"].Command; got != fmt.Sprint("v", i) {
			t.Fatalf("pass %d: b has %q", i, got)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("after three syncs into b, %d backups of it, want 1 (the user's file)", n)
	}
	list, _ := h.eng.backups.List(h.path("b"))
	if got, _ := os.ReadFile(list[0]); string(got) != user {
		t.Fatalf("the backup holds %q, want the user's bytes %q", got, user)
	}
	// The user edits b; the next write into it backs that edit up.
	h.write("b", `{"servers": {"s": {"command": "v2"}}, "mine": "edited"}`+"\n")
	h.write("a", `{"servers": {"s": {"command": "v3"}}}`)
	h.sync(TriggerWatch)
	h.sync(TriggerWatch)
	if n := count(); n != 2 {
		t.Fatalf("after the user's edit and another sync, %d backups, want 2", n)
	}
}
