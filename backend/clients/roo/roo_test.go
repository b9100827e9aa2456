package roo

import (
	"encoding/json"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

var sample = unified.Config{
	Servers: map[string]unified.Server{
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"}, Cwd: "${workspaceFolder}",
			Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}"}, Tools: unified.Tools{Allow: []string{"query"}, Deny: []string{"drop_table"}},
			ToolTimeoutMs: 120000, Extras: map[string]map[string]json.RawMessage{ID: {"watchPaths": json.RawMessage(`["${workspaceFolder}/schema.sql"]`)}}},
		"context7": {Transport: unified.TransportHTTP, URL: "https://mcp.context7.com/mcp", Headers: map[string]string{"CONTEXT7_API_KEY": "${env:CONTEXT7_API_KEY}"},
			Tools: unified.Tools{Allow: []string{"*"}}},
		"sse 검색": {Transport: unified.TransportSSE, URL: "http://localhost:3000/sse", Disabled: true},
	},
	Rules: map[string]unified.Rule{"style": {Activation: unified.ActivationAlways, Body: "Small functions.\n\nNo globals."}},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "mcp_settings.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp_settings.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"db\": {\"type\": \"stdio\",, \"command\": \"x\"}\n  }\n}"},
			{Match: ".roo/mcp.json", Files: map[string]string{"": `{"mcpServers": {"p": {"type": "stdio", "command": "x"}}}`}},
			{Match: ".roo/rules", Files: map[string]string{"01-general.md": "Write tests first.\n"}},
		},
	})
}

func ep() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "roo", Endpoint: ep(), Change: func(c *unified.Config) {
		if c.Servers["old"].Transport != unified.TransportSSE || c.Servers["db"].ToolTimeoutMs != 120000 {
			t.Errorf("read as %+v", c.Servers)
		}
		db := c.Servers["db"]
		db.Tools.Deny = append(db.Tools.Deny, "truncate")
		c.Servers["db"] = db
		old := c.Servers["old"]
		old.Transport = unified.TransportHTTP
		old.URL = "http://localhost:3000/mcp"
		c.Servers["old"] = old
		c.Servers["new"] = unified.Server{Transport: unified.TransportStdio, Command: "uvx", Args: []string{"mcp-server-time"}}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	for _, tc := range []struct {
		env  clients.Env
		want string
	}{
		{clients.Env{GOOS: "linux", Home: "/home/me"}, "/home/me/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"},
		{clients.Env{GOOS: "darwin", Home: "/Users/me"}, "/Users/me/Library/Application Support/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"},
		{clients.Env{GOOS: "windows", Home: `C:\Users\me`, AppData: `C:\Users\me\AppData\Roaming`}, `C:\Users\me\AppData\Roaming\Code\User\globalStorage\rooveterinaryinc.roo-cline\settings\mcp_settings.json`},
	} {
		if got := a.Endpoints(tc.env, clients.UserScope)[0].Path; got != tc.want {
			t.Errorf("%s: %s", tc.env.GOOS, got)
		}
	}
	proj := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/src/app"))
	if proj[0].Path != "/src/app/.roo/mcp.json" || proj[1].Path != "/src/app/.roo/rules" {
		t.Errorf("project: %s %s", proj[0].Path, proj[1].Path)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	_, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"start": {Transport: unified.TransportStdio, Command: "x", StartupTimeoutMs: 1000, ToolTimeoutMs: 7200000},
		"hdr":   {Transport: unified.TransportStdio, Command: "x", Headers: map[string]string{"A": "b"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:start", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:hdr", clients.WarnDroppedField)
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "mcp_settings.json"))
}
