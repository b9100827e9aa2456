package merge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"aisync/backend/unified"
)

// TestStructurePatchWithoutCommonItems: leaving out the servers and rules both sides share,
// and writing a first snapshot's patch directly (addAll), give exactly the patch jsondiff
// computes over the whole configs, for random pairs that add, remove and change items, empty
// a side, start from nothing, or change nothing.
func TestStructurePatchWithoutCommonItems(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	server := func() unified.Server {
		s := unified.Server{Transport: unified.TransportStdio, Command: []string{"npx", "node", "uvx"}[r.IntN(3)],
			Args: []string{fmt.Sprint(r.IntN(3))}}
		if r.IntN(3) == 0 {
			s = unified.Server{Transport: unified.TransportHTTP, URL: fmt.Sprintf("https://h/%d", r.IntN(3)), Disabled: r.IntN(2) == 0}
		}
		if r.IntN(3) == 0 {
			s.Env = map[string]string{"K": fmt.Sprint(r.IntN(3))}
		}
		return s
	}
	rule := func() unified.Rule {
		return unified.Rule{Name: "r", Activation: unified.ActivationAlways, Body: fmt.Sprintf("line %d\n", r.IntN(3))}
	}
	random := func() unified.Config {
		c := unified.Config{Servers: map[string]unified.Server{}, Rules: map[string]unified.Rule{}}
		for range r.IntN(6) {
			c.Servers[fmt.Sprintf("s%d", r.IntN(8))] = server()
		}
		for range r.IntN(3) {
			c.Rules[fmt.Sprintf("r%d", r.IntN(4))] = rule()
		}
		if r.IntN(3) == 0 {
			c.Permissions.Allow = []string{fmt.Sprint(r.IntN(2))}
		}
		return c
	}
	mutate := func(c unified.Config) unified.Config {
		out := c.Clone()
		if out.Servers == nil {
			out.Servers = map[string]unified.Server{}
		}
		for range r.IntN(4) {
			switch r.IntN(5) {
			case 0:
				if out.Servers == nil {
					out.Servers = map[string]unified.Server{}
				}
				out.Servers[fmt.Sprintf("s%d", r.IntN(8))] = server()
			case 1:
				for k := range out.Servers {
					delete(out.Servers, k)
					break
				}
			case 2:
				out.Servers = nil
			case 3:
				out.Rules = map[string]unified.Rule{fmt.Sprintf("r%d", r.IntN(4)): rule()}
			case 4:
				out.Permissions = unified.Permissions{}
			}
		}
		return out
	}
	reduced, direct := 0, 0
	for i := range 5000 {
		before := random()
		after := mutate(before)
		switch i % 4 {
		case 0:
			after = random()
		case 1: // a first snapshot (addAll), with the text and extras it must leave to jsondiff
			before = unified.Config{}
			for name, s := range after.Servers {
				switch r.IntN(6) {
				case 0:
					s.Extras = map[string]map[string]json.RawMessage{"zed": {"n": json.RawMessage(`1.50`)}}
				case 1:
					s.Command = "bad \xff <&> \u2028 é"
				case 2:
					s.Command, s.Args = "a <&> \u2028 é 日本 \"q\"", []string{"\t", "\x01"}
				case 3:
					s.StartupTimeoutMs = 1<<53 + int64(r.IntN(3))
				}
				after.Servers[name] = s
			}
		}
		got, err := StructurePatch(before, after)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jsondiffPatch(before, after)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d: before %s\nafter %s\npatch without common items %s\nwhole patch %s", i, before.Canonical(), after.Canonical(), got, want)
		}
		if b, a := withoutCommon(before, after); len(b.Servers) < len(before.Servers) || len(a.Rules) < len(after.Rules) {
			reduced++
		}
		if _, ok := addAll(before, after); ok {
			direct++
		}
	}
	if reduced < 1000 || direct < 500 {
		t.Fatalf("only %d cases left anything out, %d were written directly", reduced, direct)
	}
}
