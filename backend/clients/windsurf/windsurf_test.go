package windsurf

import (
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

var sample = unified.Config{
	Servers: map[string]unified.Server{
		"github": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-github"},
			Env: map[string]string{"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GITHUB_TOKEN}"}, Tools: unified.Tools{Deny: []string{"delete_repo"}}},
		"remote": {Transport: unified.TransportHTTP, URL: "https://mcp.example.com/mcp", Headers: map[string]string{"Authorization": "Bearer ${env:AUTH_TOKEN}"}},
		"off":    {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"검색", "🚀"}, Disabled: true},
	},
	Rules: map[string]unified.Rule{
		"ts":     {Activation: unified.ActivationGlob, Globs: []string{"src/**/*.ts"}, Description: "TS conventions", Body: "Strict mode."},
		"always": {Activation: unified.ActivationAlways, Body: "Be concise."},
		"sql":    {Activation: unified.ActivationAgent, Description: "When writing SQL", Body: "Prefer CTEs."},
		"manual": {Activation: unified.ActivationManual, Body: "Only when mentioned."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "mcp_config.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp_config.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"a\": {\"serverUrl\": \"x\"\n  }\n}"},
			{Match: "global_rules.md", Files: map[string]string{"": mcpjsontest.Read(t, "global_rules.md")},
				Keep: []string{"# Global rules", "Prefer small pull requests."}},
			{Match: ".windsurf/rules", Files: map[string]string{"go.md": "---\ntrigger: glob\nglobs: \"**/*.go\"\n---\ngofmt.\n"}},
		},
	})
}

func ep() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.codeium/windsurf/mcp_config.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "windsurf", Endpoint: ep(), Change: func(c *unified.Config) {
		f := c.Servers["figma"]
		if !f.Disabled || len(f.Tools.Deny) != 1 {
			t.Errorf("figma read as %+v", f)
		}
		f.Disabled = false
		c.Servers["figma"] = f
		g := c.Servers["github"]
		g.Tools.Deny = []string{"delete_repo"}
		c.Servers["github"] = g
		r := c.Servers["remote"]
		r.URL = "https://mcp.example.com/v2/mcp"
		c.Servers["remote"] = r
		c.Servers["new"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://new.example.com/mcp"}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	win := a.Endpoints(clients.Env{GOOS: "windows", Home: `C:\Users\me`}, clients.UserScope)
	if win[0].Path != `C:\Users\me\.codeium\windsurf\mcp_config.json` || win[1].Path != `C:\Users\me\.codeium\windsurf\memories\global_rules.md` {
		t.Errorf("windows: %s %s", win[0].Path, win[1].Path)
	}
	proj := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/src/app"))
	if len(proj) != 1 || proj[0].Path != "/src/app/.windsurf/rules" || proj[0].Has(unified.SectionServers) {
		t.Errorf("project: %+v", proj)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	out, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"allow": {Transport: unified.TransportStdio, Command: "x", Tools: unified.Tools{Allow: []string{"read"}}, ToolTimeoutMs: 5000},
		"input": {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"T": "${input:t}"}},
		"sse":   {Transport: unified.TransportSSE, URL: "https://x/sse"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:allow", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	if body := string(out[ep().Path]); !strings.Contains(body, `"serverUrl": "https://x/sse"`) || strings.Contains(body, "input") {
		t.Errorf("written:\n%s", body)
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "mcp_config.json"),
		`{"mcpServers":{"a":{"serverUrl":"u","url":"v"},"b":{"url":7,"command":"x"},"c":{"disabled":"yes","command":"y"}}}`)
}
