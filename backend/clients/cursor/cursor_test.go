package cursor

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
		"docs": {Transport: unified.TransportHTTP, URL: "https://mcp.example.com/mcp",
			Headers: map[string]string{"Authorization": "Bearer ${env:DOCS_TOKEN}"}},
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env:    map[string]string{"PGPASSWORD": "${env:PGPASSWORD}"},
			Extras: map[string]map[string]json.RawMessage{ID: {"envFile": json.RawMessage(`".env"`)}}},
		"검색": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"🔍"}},
	},
	Rules: map[string]unified.Rule{
		"react":  {Activation: unified.ActivationGlob, Globs: []string{"src/components/**/*.tsx", "src/hooks/**/*.ts"}, Description: "React conventions", Body: "Use function components."},
		"always": {Activation: unified.ActivationAlways, Body: "Be concise."},
		"db":     {Activation: unified.ActivationAgent, Description: "When touching SQL", Body: "Prefer CTEs."},
		"manual": {Activation: unified.ActivationManual, Body: "Only when asked."},
	},
	Permissions: unified.Permissions{
		Allow: []string{"shell:git", "read:src/**", "mcp:datadog:*", "mcp:github:get_issue", "fetch:github.com"},
		Deny:  []string{"shell:rm", "write:**/.env*"},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: ".cursor/mcp.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp.json")},
				Invalid: "{\n  \"mcpServers\": {\n    \"a\": {\"url\": https://x}\n  }\n}"},
			{Match: "cli-config.json", Files: map[string]string{"": mcpjsontest.Read(t, "cli-config.json")},
				Keep: []string{`"version": 1`, `"vimMode": false`, `"Mcp(*:delete_repo)"`, `"modelId": "auto"`}},
			{Match: "cli.json", Files: map[string]string{"": `{"permissions": {"allow": ["Shell(npm)"]}}`}},
			{Match: ".cursor/rules", Files: map[string]string{
				"style.mdc": "---\ndescription: Style\nglobs: *.go\nalwaysApply: false\n---\ngofmt everything.\n",
			}},
		},
	})
}

func ep(path string, s unified.Section) clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: path, Format: clients.FormatJSON, Sections: []unified.Section{s}}
}

func TestGolden(t *testing.T) {
	a := &Adapter{}
	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "cursor-mcp", Endpoint: ep("/home/me/.cursor/mcp.json", unified.SectionServers),
		Change: func(c *unified.Config) {
			if c.Servers["local"].Extras[ID]["envFile"] == nil {
				t.Error("envFile was not kept in Extras")
			}
			d := c.Servers["docs"]
			d.Headers["X-Team"] = "core"
			c.Servers["docs"] = d
			c.Servers["sse"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://sse.example.com/sse"}
		}})
	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "cli-config", Endpoint: ep("/home/me/.cursor/cli-config.json", unified.SectionPermissions),
		Change: func(c *unified.Config) {
			c.Permissions.Allow = []string{"shell:git", "mcp:datadog:*", "shell:go"}
			c.Permissions.Deny = append(c.Permissions.Deny, "fetch:evil.example.com")
		}})
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	e := ep("/home/me/.cursor/mcp.json", unified.SectionServers)
	out, warns, err := a.Encode(e, clients.Files{}, unified.Config{Servers: map[string]unified.Server{
		"off":    {Transport: unified.TransportStdio, Command: "x", Disabled: true},
		"input":  {Transport: unified.TransportHTTP, URL: "https://x", Headers: map[string]string{"Authorization": "${input:token}"}},
		"sse":    {Transport: unified.TransportSSE, URL: "https://x/sse"},
		"cwd":    {Transport: unified.TransportStdio, Command: "x", Cwd: "/w", Tools: unified.Tools{Deny: []string{"rm"}}},
		"dollar": {Transport: unified.TransportStdio, Command: "x", Args: []string{"${DB:-x}"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:off", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:cwd", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:dollar", clients.WarnUnsupportedRef)
	body := string(out[e.Path])
	if strings.Contains(body, `"off"`) || strings.Contains(body, "input") || !strings.Contains(body, `"url": "https://x/sse"`) {
		t.Errorf("written:\n%s", body)
	}
	_, warns, err = a.Encode(ep("/home/me/.cursor/cli-config.json", unified.SectionPermissions), clients.Files{},
		unified.Config{Permissions: unified.Permissions{Ask: []string{"shell:git push"}, Allow: []string{"tool:Task", "mcp:*:x"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"shell:git push", "tool:Task", "mcp:*:x"} {
		mcpjsontest.RequireWarning(t, warns, "permission:"+p, clients.WarnUnmappedPermission)
	}
}

func TestPermissionMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cursor, unified string }{
		{"Shell(git)", "shell:git"}, {"Shell(npm run build)", "shell:npm run build"}, {"Read(src/**)", "read:src/**"},
		{"Write(**/.env*)", "write:**/.env*"}, {"Mcp(datadog:*)", "mcp:datadog:*"}, {"Mcp(linear:list_issues)", "mcp:linear:list_issues"},
		{"WebFetch(github.com)", "fetch:github.com"},
	} {
		if got, ok := fromCursor(tc.cursor); !ok || got != tc.unified {
			t.Errorf("fromCursor(%q) = %q, %v", tc.cursor, got, ok)
		}
		if got, ok := toCursor(tc.unified); !ok || got != tc.cursor {
			t.Errorf("toCursor(%q) = %q, %v", tc.unified, got, ok)
		}
	}
	for _, native := range []string{"Shell", "Shell()", "Mcp(*:tool)", "Mcp(a)", "Shell(rm *)", "Grep(x)"} {
		if got, ok := fromCursor(native); ok {
			t.Errorf("fromCursor(%q) = %q", native, got)
		}
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{
		ep("/home/me/.cursor/mcp.json", unified.SectionServers), ep("/home/me/.cursor/cli-config.json", unified.SectionPermissions),
	}, mcpjsontest.Read(f, "mcp.json"), mcpjsontest.Read(f, "cli-config.json"))
}
