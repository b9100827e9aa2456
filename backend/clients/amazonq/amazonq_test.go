package amazonq

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
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}"}, ToolTimeoutMs: 120000},
		"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
			Headers: map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"}, Disabled: true},
		"검색": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"🔍"}},
	},
	Rules: map[string]unified.Rule{"conventions": {Activation: unified.ActivationAlways, Body: "Use the AWS SDK v3."}},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "mcp.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"db\": {\"command\": \"npx\" \"args\": []}\n  }\n}"},
			{Match: ".amazonq/rules", Files: map[string]string{"security.md": "Never log credentials.\n"}},
		},
	})
}

func ep() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.aws/amazonq/mcp.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "amazonq", Endpoint: ep(), Change: func(c *unified.Config) {
		if c.Servers["db"].ToolTimeoutMs != 120000 || !c.Servers["github"].Disabled {
			t.Errorf("read as %+v", c.Servers)
		}
		db := c.Servers["db"]
		db.ToolTimeoutMs = 30000
		c.Servers["db"] = db
		c.Servers["remote"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.example.com/mcp"}
	}})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	if got := a.Endpoints(clients.Env{GOOS: "windows", Home: `C:\Users\me`}, clients.UserScope)[0].Path; got != `C:\Users\me\.aws\amazonq\mcp.json` {
		t.Errorf("windows: %s", got)
	}
	proj := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/src/app"))
	if proj[0].Path != "/src/app/.amazonq/mcp.json" || proj[1].Path != "/src/app/.amazonq/rules" {
		t.Errorf("project: %s %s", proj[0].Path, proj[1].Path)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	out, warns, err := (&Adapter{}).Encode(ep(), clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"sse":   {Transport: unified.TransportSSE, URL: "https://x/sse"},
		"tools": {Transport: unified.TransportStdio, Command: "x", Tools: unified.Tools{Allow: []string{"a"}}, Cwd: "/w"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:sse", clients.WarnUnsupportedTransport)
	mcpjsontest.RequireWarning(t, warns, "server:tools", clients.WarnDroppedField)
	if body := string(out[ep().Path]); strings.Contains(body, "sse") {
		t.Errorf("written:\n%s", body)
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{ep()}, mcpjsontest.Read(f, "mcp.json"))
}
