package copilotcli

import (
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

var sample = unified.Config{Servers: map[string]unified.Server{
	"serena": {Transport: unified.TransportStdio, Command: "uvx", Args: []string{"serena", "start-mcp-server"},
		Env: map[string]string{"API_KEY": "${env:MY_API_KEY}"}, Cwd: `C:\Users\me\src`, ToolTimeoutMs: 600000},
	"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/readonly",
		Headers: map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"}, Tools: unified.Tools{Allow: []string{"get_issue", "search_code"}}},
	"docs 검색": {Transport: unified.TransportSSE, URL: "https://docs.mcp.cloudflare.com/sse"},
}}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{{Match: "mcp-config.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp-config.json")},
			Invalid: "{\n  \"mcpServers\": {\n    \"a\": {\"type\": \"local\", \"command\": \"x\", \"tools\": [\"*\"]]\n  }\n}"}},
	})
}

func ep() clients.Endpoint {
	return (&Adapter{}).Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.UserScope)[0]
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "copilot", Endpoint: ep(), Change: func(c *unified.Config) {
		if got := c.Servers["cloudflare"].Tools.Allow; len(got) != 1 {
			t.Errorf("cloudflare tools: %v", got)
		}
		if got := c.Servers["scorecard"].ToolTimeoutMs; got != 600000 {
			t.Errorf("scorecard timeout: %d", got)
		}
		g := c.Servers["github"]
		g.Tools.Allow = []string{"get_issue"}
		c.Servers["github"] = g
		cf := c.Servers["cloudflare"]
		cf.Tools.Allow = nil
		c.Servers["cloudflare"] = cf
		c.Servers["fetch"] = unified.Server{Transport: unified.TransportStdio, Command: "uvx", Args: []string{"mcp-server-fetch"}}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	for _, tc := range []struct {
		env  clients.Env
		want string
	}{
		{clients.Env{GOOS: "linux", Home: "/home/me"}, "/home/me/.copilot/mcp-config.json"},
		{clients.Env{GOOS: "windows", Home: `C:\Users\me`}, `C:\Users\me\.copilot\mcp-config.json`},
		{clients.Env{GOOS: "darwin", Home: "/Users/me", Vars: map[string]string{"COPILOT_HOME": "/cfg/copilot"}}, "/cfg/copilot/mcp-config.json"},
	} {
		if got := a.Endpoints(tc.env, clients.UserScope)[0].Path; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.env.GOOS, got, tc.want)
		}
	}
	if a.Endpoints(clients.Env{GOOS: "linux", Home: "/h"}, clients.ProjectScope("/p")) != nil {
		t.Error("project endpoints")
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	out, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"off":   {Transport: unified.TransportStdio, Command: "x", Disabled: true},
		"deny":  {Transport: unified.TransportStdio, Command: "x", Tools: unified.Tools{Deny: []string{"rm"}}},
		"input": {Transport: unified.TransportHTTP, URL: "https://x", Headers: map[string]string{"A": "${input:a}"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:deny", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	body := string(out[ep().Path])
	if !strings.Contains(body, `"off"`) || !strings.Contains(body, `"tools": [`) || !strings.Contains(body, `"args": []`) {
		t.Errorf("written:\n%s", body)
	}
	// A switched-off server is listed where `copilot mcp disable` puts it.
	settings := string(out[settingsPath(ep())])
	if !strings.Contains(settings, `"disabledMcpServers"`) || !strings.Contains(settings, `"off"`) {
		t.Errorf("settings.json:\n%s", settings)
	}
}

func TestDisabledRoundTripKeepsOtherSettings(t *testing.T) {
	t.Parallel()
	e := ep()
	files := clients.Files{e.Path: []byte(`{"mcpServers":{"a":{"type":"local","command":"x","args":[],"tools":["*"]}}}`),
		settingsPath(e): []byte("{\n  \"theme\": \"dark\",\n  \"disabledMcpServers\": [\"a\", \"not-ours\"]\n}\n")}
	cfg, _, err := (&Adapter{}).Decode(e, files)
	if err != nil || !cfg.Servers["a"].Disabled {
		t.Fatalf("decode: %v %+v", err, cfg.Servers)
	}
	s := cfg.Servers["a"]
	s.Disabled = false
	cfg.Servers["a"] = s
	out, _, err := (&Adapter{}).Encode(e, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out[settingsPath(e)])
	if !strings.Contains(got, `"theme": "dark"`) || !strings.Contains(got, `"not-ours"`) || strings.Contains(got, `"a"`) {
		t.Fatalf("settings.json after enabling a:\n%s", got)
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "mcp-config.json"),
		`{"mcpServers":{"a":{"type":"stdio","command":"x","tools":[]},"b":{"type":"local","command":"y","tools":["*","z"]}}}`)
}
