package cline

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
		"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
			Headers: map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"}, Tools: unified.Tools{Allow: []string{"search_issues"}}, ToolTimeoutMs: 30000},
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"}, Cwd: `C:\Users\me\src`,
			Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}"}, Disabled: true},
		"sse 검색": {Transport: unified.TransportSSE, URL: "http://localhost:8931/sse"},
	},
	Rules: map[string]unified.Rule{
		"go":     {Activation: unified.ActivationGlob, Globs: []string{"**/*.go"}, Body: "gofmt."},
		"always": {Activation: unified.ActivationAlways, Body: "Be concise."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "cline_mcp_settings.json", Files: map[string]string{"": mcpjsontest.Read(t, "cline_mcp_settings.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"db\": {\"command\": npx}\n  }\n}"},
			{Match: ".clinerules", Files: map[string]string{"testing.md": "---\npaths:\n  - \"**/*_test.go\"\n---\nTable tests.\n"}},
		},
	})
}

func ep() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.cline/data/settings/cline_mcp_settings.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "cline", Endpoint: ep(), Change: func(c *unified.Config) {
		want := map[string]unified.Transport{"github": "http", "db": "stdio", "old-sse": "sse", "legacy": "http", "from-cli": "stdio"}
		for n, tr := range want {
			if c.Servers[n].Transport != tr {
				t.Errorf("%s read as %s, want %s", n, c.Servers[n].Transport, tr)
			}
		}
		if c.Servers["github"].ToolTimeoutMs != 60000 || !c.Servers["db"].Disabled {
			t.Errorf("github/db read as %+v %+v", c.Servers["github"], c.Servers["db"])
		}
		cli := c.Servers["from-cli"]
		cli.Args = append(cli.Args, "--verbose")
		cli.Disabled = true
		c.Servers["from-cli"] = cli
		old := c.Servers["old-sse"]
		old.Tools.Allow = []string{"navigate"}
		c.Servers["old-sse"] = old
		g := c.Servers["github"]
		g.ToolTimeoutMs = 90000
		c.Servers["github"] = g
		c.Servers["new-http"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://new.example.com/mcp"}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	path := func(env clients.Env) string { return a.Endpoints(env, clients.UserScope)[0].Path }
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{nil, "/home/me/.cline/data/settings/cline_mcp_settings.json"},
		{map[string]string{"CLINE_DIR": "/opt/cline"}, "/opt/cline/data/settings/cline_mcp_settings.json"},
		{map[string]string{"CLINE_DIR": "/opt/cline", "CLINE_DATA_DIR": "/var/cline"}, "/var/cline/settings/cline_mcp_settings.json"},
		{map[string]string{"CLINE_DATA_DIR": "/var/cline", "CLINE_MCP_SETTINGS_PATH": "/etc/mcp.json"}, "/etc/mcp.json"},
	} {
		if got := path(clients.Env{GOOS: "linux", Home: "/home/me", Vars: tc.vars}); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.vars, got, tc.want)
		}
	}
	if got := path(clients.Env{GOOS: "windows", Home: `C:\Users\me`}); got != `C:\Users\me\.cline\data\settings\cline_mcp_settings.json` {
		t.Errorf("windows: %s", got)
	}
	proj := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/src/app"))
	if len(proj) != 1 || proj[0].Path != "/src/app/.clinerules" {
		t.Errorf("project: %+v", proj)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	out, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"deny":  {Transport: unified.TransportStdio, Command: "x", Tools: unified.Tools{Deny: []string{"rm"}}},
		"fast":  {Transport: unified.TransportStdio, Command: "x", ToolTimeoutMs: 200},
		"input": {Transport: unified.TransportHTTP, URL: "https://x/${input:host}"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:deny", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:fast", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	if body := string(out[ep().Path]); !strings.Contains(body, `"timeout": 1`) {
		t.Errorf("written:\n%s", body)
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "cline_mcp_settings.json"),
		`{"mcpServers":{"a":{"transport":{"type":"sse","url":"u","x":1},"timeout":0.0001}}}`)
}
