package engine

import (
	"fmt"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// BenchmarkReconcile is a first pass at scale: one client's 1,000 servers and 200 rules
// merged into an empty hub, with four other clients that hold nothing yet.
func BenchmarkReconcile(b *testing.B) {
	local := unified.Config{Servers: map[string]unified.Server{}, Rules: map[string]unified.Rule{}}
	for i := range 1000 {
		local.Servers[fmt.Sprintf("srv-%04d", i)] = unified.Server{Transport: unified.TransportStdio, Command: "node",
			Args: []string{fmt.Sprintf("servers/srv-%d.js", i), "--port", fmt.Sprint(9000 + i)},
			Env:  map[string]string{"INDEX": fmt.Sprint(i), "MODE": "bench"}}
	}
	for i := range 200 {
		local.Rules[fmt.Sprintf("rule-%04d", i)] = unified.Rule{Body: fmt.Sprintf("# Rule %d\n\nPrefer small functions.\n", i)}
	}
	local.Normalize()
	sections := []unified.Section{unified.SectionServers, unified.SectionRules}
	obs := []Observation{{Endpoint: clients.Endpoint{Client: "cursor", Path: "/p/.cursor/mcp.json", Sections: sections}, Local: &local, MTime: time.Unix(1, 0)}}
	for _, id := range []string{"claude-code", "codex", "gemini", "vscode"} {
		obs = append(obs, Observation{Endpoint: clients.Endpoint{Client: id, Path: "/p/" + id, Sections: sections}, Local: &unified.Config{}, Missing: true})
	}
	for b.Loop() {
		out := Reconcile(Input{Obs: obs, Bases: map[string]Base{}, Policy: "merge", Now: time.Unix(2, 0)})
		if len(out.Hub.Servers) != 1000 {
			b.Fatalf("hub has %d servers", len(out.Hub.Servers))
		}
	}
}
