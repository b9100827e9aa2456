package kiro

import (
	"encoding/json"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

var sample = unified.Config{
	Servers: map[string]unified.Server{
		"web-search": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-brave-search"},
			Env: map[string]string{"BRAVE_API_KEY": "${env:BRAVE_API_KEY}"}, Tools: unified.Tools{Allow: []string{"brave_web_search"}}},
		"api": {Transport: unified.TransportHTTP, URL: "https://api.example.com/mcp", Headers: map[string]string{"Authorization": "Bearer ${env:API_TOKEN}"},
			Env: map[string]string{"REGION": "eu"}, Tools: unified.Tools{Deny: []string{"delete"}},
			Extras: map[string]map[string]json.RawMessage{ID: {"oauthScopes": json.RawMessage(`["scope1"]`)}}},
		"검색": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Disabled: true},
	},
	Rules: map[string]unified.Rule{
		"product": {Activation: unified.ActivationAlways, Body: "Our users are developers."},
		"api":     {Activation: unified.ActivationGlob, Globs: []string{"app/api/**/*"}, Body: "REST conventions."},
		"deploy":  {Activation: unified.ActivationManual, Body: "Deploy steps."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "settings/mcp.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\", \"args\": [}\n  }\n}"},
			{Match: "steering", Files: map[string]string{"tech.md": "---\ninclusion: always\n---\nGo 1.26, SQLite.\n"}},
		},
	})
}

func ep() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.kiro/settings/mcp.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "kiro", Endpoint: ep(), Change: func(c *unified.Config) {
		if !c.Servers["aws-docs"].Disabled || len(c.Servers["web-search"].Tools.Allow) != 1 {
			t.Errorf("read as %+v", c.Servers)
		}
		w := c.Servers["web-search"]
		w.Tools.Allow = append(w.Tools.Allow, "brave_local_search")
		c.Servers["web-search"] = w
		a := c.Servers["aws-docs"]
		a.Disabled = false
		c.Servers["aws-docs"] = a
		c.Servers["new"] = unified.Server{Transport: unified.TransportStdio, Command: "uvx", Env: map[string]string{"T": "${env:T}"}}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	user := a.Endpoints(clients.Env{GOOS: "windows", Home: `C:\Users\me`}, clients.UserScope)
	proj := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/src/app"))
	got := []string{user[0].Path, user[1].Path, proj[0].Path, proj[1].Path}
	want := []string{`C:\Users\me\.kiro\settings\mcp.json`, `C:\Users\me\.kiro\steering`, "/src/app/.kiro/settings/mcp.json", "/src/app/.kiro/steering"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v", got)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	_, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"cwd":   {Transport: unified.TransportStdio, Command: "x", Cwd: "/w", ToolTimeoutMs: 9000},
		"input": {Transport: unified.TransportStdio, Command: "x", Args: []string{"${input:x}"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:cwd", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "mcp.json"))
}
