package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/merge"
	"aisync/backend/par"
	"aisync/backend/settings"
	"aisync/backend/unified"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ep(client string) clients.Endpoint {
	return clients.Endpoint{Client: client, Scope: clients.UserScope, Path: "/h/" + client + ".json", Format: clients.FormatJSON,
		Sections: []unified.Section{unified.SectionServers, unified.SectionRules, unified.SectionPermissions}}
}

func cfg(servers map[string]unified.Server) *unified.Config {
	c := unified.Config{Servers: servers}
	c.Normalize()
	return &c
}

func srv(cmd string, args ...string) unified.Server {
	return unified.Server{Transport: unified.TransportStdio, Command: cmd, Args: args}
}

func obs(client string, prio int, mtime time.Time, c *unified.Config) Observation {
	return Observation{Endpoint: ep(client), Priority: prio, MTime: mtime, Local: c, Hash: "h-" + client}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	fetch := srv("uvx", "mcp-server-fetch")
	git := srv("uvx", "mcp-server-git")
	fetch2 := srv("uvx", "mcp-server-fetch", "--proxy")
	fetch3 := srv("uvx", "mcp-server-fetch", "--verbose")
	withCwd := fetch
	withCwd.Cwd = "/work"
	withCwdArgs := withCwd
	withCwdArgs.Args = fetch2.Args
	withEnv := fetch
	withEnv.Env = map[string]string{"LOG": "debug"}
	mergedArgsEnv := fetch2
	mergedArgsEnv.Env = map[string]string{"LOG": "debug"}

	cases := []struct {
		name          string
		in            Input
		wantHub       map[string]unified.Server
		wantConflicts int
		wantTomb      []string
		wantHeld      []string
		wantDecision  string // winner
	}{
		{
			name: "first sight unions both clients",
			in: Input{Obs: []Observation{
				obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch})),
				obs("codex", 70, t0, cfg(map[string]unified.Server{"git": git})),
			}},
			wantHub: map[string]unified.Server{"fetch": fetch, "git": git},
		},
		{
			name: "an edit in one client reaches the hub",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})}},
				Obs:   []Observation{obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2}))},
			},
			wantHub: map[string]unified.Server{"fetch": fetch2},
		},
		{
			name: "a field the client cannot hold survives its edit",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": withCwd}),
				Bases: map[string]Base{ep("claude-desktop").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})}},
				Obs:   []Observation{obs("claude-desktop", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2}))},
			},
			wantHub: map[string]unified.Server{"fetch": withCwdArgs},
		},
		{
			name: "different fields edited in two clients merge",
			in: Input{
				Hub: *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{
					ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})},
					ep("codex").ID():  {Config: cfg(map[string]unified.Server{"fetch": fetch})},
				},
				Obs: []Observation{
					obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2})),
					obs("codex", 70, t0, cfg(map[string]unified.Server{"fetch": withEnv})),
				},
				Policy: settings.PolicyMerge,
			},
			wantHub: map[string]unified.Server{"fetch": mergedArgsEnv},
		},
		{
			name: "same field edited differently is a conflict under merge",
			in: Input{
				Hub: *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{
					ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})},
					ep("codex").ID():  {Config: cfg(map[string]unified.Server{"fetch": fetch})},
				},
				Obs: []Observation{
					obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2})),
					obs("codex", 70, t0, cfg(map[string]unified.Server{"fetch": fetch3})),
				},
				Policy: settings.PolicyMerge,
			},
			wantHub:       map[string]unified.Server{"fetch": fetch},
			wantConflicts: 1,
		},
		{
			name: "priority policy lets the higher priority client win",
			in: Input{
				Hub: *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{
					ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})},
					ep("codex").ID():  {Config: cfg(map[string]unified.Server{"fetch": fetch})},
				},
				Obs: []Observation{
					obs("codex", 70, t0.Add(time.Second), cfg(map[string]unified.Server{"fetch": fetch3})),
					obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2})),
				},
				Policy: settings.PolicyPriority,
			},
			wantHub:      map[string]unified.Server{"fetch": fetch2},
			wantDecision: "cursor",
		},
		{
			name: "newest policy lets the latest edit win",
			in: Input{
				Hub: *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{
					ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})},
					ep("codex").ID():  {Config: cfg(map[string]unified.Server{"fetch": fetch})},
				},
				Obs: []Observation{
					obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2})),
					obs("codex", 70, t0.Add(time.Second), cfg(map[string]unified.Server{"fetch": fetch3})),
				},
				Policy: settings.PolicyNewest,
			},
			wantHub:      map[string]unified.Server{"fetch": fetch3},
			wantDecision: "codex",
		},
		{
			name: "a deletion propagates and leaves a tombstone",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": fetch, "git": git}),
				Bases: map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch, "git": git})}},
				Obs:   []Observation{obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch}))},
			},
			wantHub:  map[string]unified.Server{"fetch": fetch},
			wantTomb: []string{"servers/git"},
		},
		{
			name: "a stale client cannot resurrect a deleted server",
			in: Input{
				Hub:        *cfg(map[string]unified.Server{"fetch": fetch}),
				Tombstones: map[string]bool{"servers/git": true},
				Obs:        []Observation{obs("windsurf", 60, t0, cfg(map[string]unified.Server{"fetch": fetch, "git": git}))},
			},
			wantHub: map[string]unified.Server{"fetch": fetch},
		},
		{
			name: "a file that suddenly lost everything is held",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": fetch, "git": git}),
				Bases: map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch, "git": git}), Hash: "old"}},
				Obs:   []Observation{obs("cursor", 80, t0, cfg(nil))},
			},
			wantHub:  map[string]unified.Server{"fetch": fetch, "git": git},
			wantHeld: []string{ep("cursor").ID()},
		},
		{
			name: "a confirmed emptying is applied",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": fetch, "git": git}),
				Bases: map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch, "git": git}), ConfirmedHash: "h-cursor"}},
				Obs:   []Observation{obs("cursor", 80, t0, cfg(nil))},
			},
			wantHub:  map[string]unified.Server{},
			wantTomb: []string{"servers/fetch", "servers/git"},
		},
		{
			name: "delete in one client and edit in another is a conflict",
			in: Input{
				Hub: *cfg(map[string]unified.Server{"fetch": fetch, "git": git}),
				Bases: map[string]Base{
					ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch, "git": git})},
					ep("codex").ID():  {Config: cfg(map[string]unified.Server{"fetch": fetch, "git": git})},
				},
				Obs: []Observation{
					obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2, "git": git})),
					obs("codex", 70, t0, cfg(map[string]unified.Server{"git": git})),
				},
				Policy: settings.PolicyManual,
			},
			wantHub:       map[string]unified.Server{"fetch": fetch, "git": git},
			wantConflicts: 1,
		},
		{
			name: "an item with a pending conflict is left alone",
			in: Input{
				Hub:     *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases:   map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})}},
				Obs:     []Observation{obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch2}))},
				Pending: map[string]Pending{"servers/fetch": {ID: "c1", Key: "servers/fetch"}},
			},
			wantHub: map[string]unified.Server{"fetch": fetch},
		},
		{
			name: "echo of our own write changes nothing",
			in: Input{
				Hub:   *cfg(map[string]unified.Server{"fetch": fetch}),
				Bases: map[string]Base{ep("cursor").ID(): {Config: cfg(map[string]unified.Server{"fetch": fetch})}},
				Obs:   []Observation{obs("cursor", 80, t0, cfg(map[string]unified.Server{"fetch": fetch}))},
			},
			wantHub: map[string]unified.Server{"fetch": fetch},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.in.Policy == "" {
				c.in.Policy = settings.PolicyMerge
			}
			out := Reconcile(c.in)
			want := cfg(c.wantHub)
			if !out.Hub.Equal(*want) {
				t.Fatalf("hub:\n got %s\nwant %s", out.Hub.Canonical(), want.Canonical())
			}
			if len(out.Conflicts) != c.wantConflicts {
				t.Fatalf("conflicts = %+v, want %d", out.Conflicts, c.wantConflicts)
			}
			for _, k := range c.wantTomb {
				if _, ok := out.Tombstoned[k]; !ok {
					t.Errorf("no tombstone for %s: %v", k, out.Tombstoned)
				}
			}
			if len(out.Held) != len(c.wantHeld) {
				t.Errorf("held = %v, want %v", out.Held, c.wantHeld)
			}
			if c.wantDecision != "" && (len(out.Decisions) != 1 || out.Decisions[0].Winner != c.wantDecision) {
				t.Errorf("decisions = %+v, want winner %s", out.Decisions, c.wantDecision)
			}
			if out.Changed != !c.in.Hub.Equal(out.Hub) {
				t.Errorf("Changed = %v but hub equality says otherwise", out.Changed)
			}
		})
	}
}

func TestReconcileRuleBodiesMergeLineByLine(t *testing.T) {
	t.Parallel()
	base := unified.Rule{Name: "style", Activation: unified.ActivationAlways, Body: "one\ntwo\nthree\nfour\n"}
	a := base
	a.Body = "ONE\ntwo\nthree\nfour\n"
	b := base
	b.Body = "one\ntwo\nthree\nFOUR\n"
	mk := func(r unified.Rule) *unified.Config {
		c := unified.Config{Rules: map[string]unified.Rule{"style": r}}
		c.Normalize()
		return &c
	}
	out := Reconcile(Input{
		Hub:    *mk(base),
		Policy: settings.PolicyMerge,
		Bases:  map[string]Base{ep("cursor").ID(): {Config: mk(base)}, ep("codex").ID(): {Config: mk(base)}},
		Obs:    []Observation{obs("cursor", 80, t0, mk(a)), obs("codex", 70, t0, mk(b))},
	})
	if len(out.Conflicts) != 0 {
		t.Fatalf("conflicts: %+v", out.Conflicts)
	}
	if got := out.Hub.Rules["style"].Body; got != "ONE\ntwo\nthree\nFOUR\n" {
		t.Fatalf("body = %q", got)
	}
}

func TestReconcilePermissionsMoveBetweenLists(t *testing.T) {
	t.Parallel()
	mk := func(p unified.Permissions) *unified.Config {
		c := unified.Config{Permissions: p}
		c.Normalize()
		return &c
	}
	base := mk(unified.Permissions{Allow: []string{"shell:git", "mcp:github:*"}})
	local := mk(unified.Permissions{Allow: []string{"mcp:github:*"}, Deny: []string{"shell:git"}, Ask: []string{"fetch:example.com"}})
	out := Reconcile(Input{Hub: *base, Policy: settings.PolicyMerge, Bases: map[string]Base{ep("cursor").ID(): {Config: base}}, Obs: []Observation{obs("cursor", 80, t0, local)}})
	if !out.Hub.Equal(*local) {
		t.Fatalf("hub = %s", out.Hub.Canonical())
	}
}

// The hub Reconcile rebuilds from values it had already (rather than decoding their JSON
// again) is the same config the decode gives, and shares no memory with the configs it came
// from: a later change to the hub must not reach an endpoint's observation. With many servers
// (copies of the three shapes) the items are encoded and copied on two goroutines
// (par.Halves), which under -race also checks that the halves share nothing they write.
func TestFromItemsWithNotedValues(t *testing.T) {
	t.Parallel()
	for _, copies := range []int{1, par.From/3 + 1} {
		local := unified.Config{
			Servers:     map[string]unified.Server{},
			Rules:       map[string]unified.Rule{"style": {Name: "style", Activation: unified.ActivationGlob, Globs: []string{"*.go"}, Body: "b"}},
			Permissions: unified.Permissions{Allow: []string{"shell:git"}},
		}
		for i := range copies {
			sfx := ""
			if i > 0 {
				sfx = fmt.Sprint("-", i)
			}
			local.Servers["fetch"+sfx] = unified.Server{Transport: unified.TransportStdio, Command: "uvx", Args: []string{"mcp-server-fetch" + sfx},
				Env: map[string]string{"A": "1"}, Tools: unified.Tools{Allow: []string{"b", "a"}}}
			local.Servers["remote"+sfx] = unified.Server{Transport: unified.TransportHTTP, URL: "https://example.test/mcp" + sfx, Headers: map[string]string{"X": "y"}}
			local.Servers["extra"+sfx] = unified.Server{Transport: unified.TransportStdio, Command: "x",
				Extras: map[string]map[string]json.RawMessage{"cursor": {"k": json.RawMessage(`{ "a" : 1 }`)}}}
		}
		seen := decoded{}
		it := toItemsNoting(local, unified.AllSections, seen, 0)
		normal := local.Normalized()
		for name, srv := range normal.Servers {
			if want := srv.AppendJSON(nil); !bytes.Equal(it["servers/"+name], want) {
				t.Fatalf("%d copies: item of %s = %s, want %s", copies, name, it["servers/"+name], want)
			}
		}
		if len(it) != len(local.Servers)+2 {
			t.Fatalf("%d copies: %d items for %d servers", copies, len(it), len(local.Servers))
		}
		got, want := fromItemsWith(it, seen), fromItems(it)
		if !bytes.Equal(got.Canonical(), want.Canonical()) {
			t.Fatalf("%d copies: rebuilt hub differs from the decoded one:\n got %s\nwant %s", copies, got.Canonical(), want.Canonical())
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d copies: rebuilt hub differs in memory from the decoded one:\n got %#v\nwant %#v", copies, got, want)
		}
		before := local.Canonical()
		s := got.Servers["fetch"]
		s.Args[0], s.Env["A"], s.Tools.Allow[0] = "changed", "changed", "changed"
		got.Rules["style"].Globs[0] = "changed"
		got.Servers["remote"].Headers["X"] = "changed"
		if !bytes.Equal(local.Canonical(), before) {
			t.Fatalf("%d copies: changing the rebuilt hub changed the config it came from: %s", copies, local.Canonical())
		}
		// A value that is not the one noted (a merge's result) is decoded.
		it["servers/fetch"] = json.RawMessage(`{"transport":"stdio","command":"npx"}`)
		if c := fromItemsWith(it, seen); c.Servers["fetch"].Command != "npx" || len(c.Servers) != len(local.Servers) {
			t.Fatalf("%d copies: a changed item took the noted value: %+v", copies, c.Servers["fetch"])
		}
	}
}

// The origins are stored in the form encoding/json gives them, and read back with it:
// appendOrigins must write exactly that for any names and times.
func TestAppendOriginsIsJSONMarshal(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	m := map[string]Origin{
		"server:plain":                {Client: "cursor", Priority: 10, Time: time.Date(2026, 11, 27, 7, 5, 3, 123456789, time.UTC)},
		`server:"quoted" \ back`:      {Client: "claude-code", Priority: -3, Time: time.Date(2025, 1, 2, 3, 4, 5, 0, tokyo)},
		"rule:<html> & \u2028 é 日本":   {Client: "a\x00b", Priority: 0},
		"server:bad utf-8 \xff\xfe":   {Client: "\xc3", Priority: 1 << 40, Time: time.Unix(0, 1).In(tokyo)},
		"":                            {},
		"permission:allow:Bash(ls *)": {Client: "codex", Time: time.Now()},
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendOrigins(nil, m); string(got) != string(want) {
		t.Fatalf("appendOrigins:\n got %s\nwant %s", got, want)
	}
	if got := appendOrigins(nil, nil); string(got) != "{}" {
		t.Fatalf("no origins: %s", got)
	}
	var back map[string]Origin
	if err := json.Unmarshal(appendOrigins(nil, m), &back); err != nil || len(back) != len(m) {
		t.Fatalf("read back %d origins, err %v", len(back), err)
	}
}

// A snapshot's log entry keeps its changes grouped by section and operation, and nothing is
// lost on the way: for changes in Summarize's order (by section, then key), with names
// JSON has to escape, logChanges reads back through encoding/json as the same grouping.
func TestLogChangesGroupsEveryChange(t *testing.T) {
	t.Parallel()
	names := []string{"fetch", "a\"b", "srv-0001", "日本", "x<y>&z", "tab\there", ""}
	ops := []string{merge.OpAdded, merge.OpChanged, merge.OpRemoved}
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 300 {
		var ch []merge.Change
		for _, sec := range unified.AllSections {
			for i, name := range names {
				if r.IntN(3) == 0 {
					continue
				}
				c := merge.Change{Section: sec, Key: fmt.Sprint(name, i), Op: ops[r.IntN(len(ops))]}
				if c.Op == merge.OpChanged {
					c.Fields = []string{"command", "env"}[:r.IntN(3)]
				}
				ch = append(ch, c)
			}
		}
		want := map[string]map[string]any{}
		for _, c := range ch {
			sec := want[string(c.Section)]
			if sec == nil {
				sec = map[string]any{}
				want[string(c.Section)] = sec
			}
			if c.Op == merge.OpChanged {
				m, _ := sec[c.Op].(map[string]any)
				if m == nil {
					m = map[string]any{}
					sec[c.Op] = m
				}
				fields := []any{}
				for _, f := range c.Fields {
					fields = append(fields, f)
				}
				m[c.Key] = fields
				continue
			}
			list, _ := sec[c.Op].([]any)
			sec[c.Op] = append(list, c.Key)
		}
		raw := logChanges(ch)
		var got map[string]map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, raw)
		}
		if len(ch) == 0 {
			want = map[string]map[string]any{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d:\n got %s\nwant %v", round, raw, want)
		}
	}
}
