package zed

import (
	"encoding/json"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

// sample is what Zed can hold without loss in every endpoint.
var sample = unified.Config{
	Servers: map[string]unified.Server{
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env: map[string]string{"PGHOST": "localhost"}, ToolTimeoutMs: 120000,
			Extras: map[string]map[string]json.RawMessage{ID: {"remote": json.RawMessage(`false`)}}},
		"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
			Headers: map[string]string{"Authorization": "Bearer ghp_example"}, Disabled: true},
		"검색 🔍": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--이름", "🚀"}},
	},
	Permissions: unified.Permissions{
		Allow: []string{"mcp:db:query"},
		Ask:   []string{"mcp:github:create_issue"},
		Deny:  []string{"mcp:github:delete_repo", "mcp:검색 🔍:삭제"},
	},
	Rules: map[string]unified.Rule{
		"always": {Activation: unified.ActivationAlways, Body: "Be concise."},
		"go":     {Activation: unified.ActivationGlob, Globs: []string{"**/*.go"}, Description: "Go", Body: "Run gofmt."},
		"규칙":     {Activation: unified.ActivationManual, Body: "한국어로 답하세요."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "config/zed/settings.json", Files: map[string]string{"": mcpjsontest.Read(t, "settings.json")},
				Keep: []string{`"vim_mode": true`, `"dark": "One Dark",`, `// MCP servers ("context servers")`,
					`// installed from the extension gallery`, `"postgres-context-server"`, `"database_url": "postgresql://localhost/dev",`,
					`"always_allow": [{ "pattern": "^cargo\\s+(build|test)" }],`, `"default_model"`},
				Invalid: "{\n  \"context_servers\": {\n    \"a\": {\"url\": https://x}\n  }\n}"},
			{Match: ".zed/settings.json", Files: map[string]string{"": mcpjsontest.Read(t, "project-settings.json")},
				Keep:    []string{`"tab_size": 2,`, `// Folder-specific settings`, `"format_on_save": "on",`},
				Invalid: "{\n  \"tab_size\": 2\n  \"x\": 1\n}"},
			{Match: ".rules", Files: map[string]string{"": mcpjsontest.Read(t, "rules")},
				Keep:    []string{"Always run `make check` before committing.\nPrefer small pull requests.\n"},
				Invalid: "Notes\n<!-- aisync:begin — managed by aisync -->\n<!-- aisync:rule name=\"x\" activation=\"always\" -->\nbody\n"},
		},
	})
}

func userEP() clients.Endpoint {
	return (&Adapter{}).Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.UserScope)[0]
}

func projectEPs() []clients.Endpoint {
	return (&Adapter{}).Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/home/me/proj"))
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	for _, tc := range []struct {
		name string
		env  clients.Env
		want string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, "/home/u/.config/zed/settings.json"},
		{"linux-xdg", clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/xdg"}, "/xdg/zed/settings.json"},
		{"darwin-ignores-xdg", clients.Env{GOOS: "darwin", Home: "/Users/u", XDGConfigHome: "/xdg"}, "/Users/u/.config/zed/settings.json"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\u`, AppData: `C:\Users\u\AppData\Roaming`}, `C:\Users\u\AppData\Roaming\Zed\settings.json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eps := a.Endpoints(tc.env, clients.UserScope)
			if len(eps) != 1 || eps[0].Path != tc.want || !eps[0].Has(unified.SectionPermissions) {
				t.Fatalf("endpoints = %+v, want %s with permissions", eps, tc.want)
			}
		})
	}
	eps := projectEPs()
	if len(eps) != 2 || eps[0].Path != "/home/me/proj/.zed/settings.json" || eps[0].Has(unified.SectionPermissions) || eps[0].ExistingOnly ||
		eps[1].Path != "/home/me/proj/.rules" || !eps[1].Has(unified.SectionRules) || !eps[1].ExistingOnly {
		t.Fatalf("project endpoints = %+v", eps)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	cfg, warns, err := (&Adapter{}).Decode(userEP(), clients.Files{userEP().Path: []byte(mcpjsontest.Read(t, "settings.json"))})
	if err != nil {
		t.Fatal(err)
	}
	want := unified.Config{
		Servers: map[string]unified.Server{
			"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
				Env: map[string]string{"PGHOST": "localhost"}, ToolTimeoutMs: 120000,
				Extras: map[string]map[string]json.RawMessage{ID: {"remote": json.RawMessage(`false`)}}},
			"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
				Headers: map[string]string{"Authorization": "Bearer ghp_example"}, Disabled: true},
			"filesystem": {Transport: unified.TransportStdio, Command: "npx",
				Args:   []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/me/src"},
				Extras: map[string]map[string]json.RawMessage{ID: {"source": json.RawMessage(`"custom"`), "settings": json.RawMessage(`{}`)}}},
		},
		Permissions: unified.Permissions{Allow: []string{"mcp:db:query"}, Deny: []string{"mcp:github:delete_repo"}},
	}
	if !cfg.Equal(want) {
		t.Errorf("decoded:\n got %s\nwant %s", cfg.Canonical(), want.Canonical())
	}
	mcpjsontest.RequireWarning(t, warns, "server:postgres-context-server", clients.WarnUnsupportedEntry)
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "extension") {
		t.Errorf("warnings: %v", warns)
	}
}

func TestDecodeOddEntries(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEP()
	for _, tc := range []struct {
		name, in  string
		servers   []string
		warnItems []string
	}{
		{"legacy with unknown command member", `{"context_servers":{"a":{"command":{"path":"x","cwd":"/w"}}}}`, nil, []string{"server:a"}},
		{"command object and url is remote", `{"context_servers":{"a":{"command":{"path":"x"},"url":"https://x"}}}`, []string{"a"}, nil},
		{"legacy without path", `{"context_servers":{"a":{"command":{"args":["x"]}}}}`, nil, []string{"server:a"}},
		{"legacy ok", `{"context_servers":{"a":{"command":{"path":"x","timeout":30}}}}`, []string{"a"}, nil},
		{"extension enabled only", `{"context_servers":{"ext":{"enabled":true}}}`, nil, []string{"server:ext"}},
		{"context_servers null", `{"context_servers":null}`, nil, nil},
		{"tool_permissions not an object", `{"agent":{"tool_permissions":[]}}`, nil, []string{""}},
		{"mcp wildcard rule is not read", `{"agent":{"tool_permissions":{"tools":{"mcp:a:*":{"default":"allow"}}}}}`, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, warns, err := a.Decode(ep, clients.Files{ep.Path: []byte(tc.in)})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(cfg.ServerNames(), ","); got != strings.Join(tc.servers, ",") {
				t.Errorf("servers = %q, want %q", got, strings.Join(tc.servers, ","))
			}
			if !cfg.Permissions.IsZero() {
				t.Errorf("permissions = %+v", cfg.Permissions)
			}
			for _, it := range tc.warnItems {
				found := false
				for _, w := range warns {
					found = found || w.Item == it
				}
				if !found {
					t.Errorf("no warning for %q: %v", it, warns)
				}
			}
			if len(tc.warnItems) == 0 && len(warns) > 0 {
				t.Errorf("unexpected warnings: %v", warns)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	a := &Adapter{}
	ep := userEP()
	warns := mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "settings", Endpoint: ep, Change: func(c *unified.Config) {
		db := c.Servers["db"]
		db.Args = append(db.Args, "--read-only")
		db.Env["PGUSER"] = "app"
		c.Servers["db"] = db
		gh := c.Servers["github"]
		gh.Disabled = false
		c.Servers["github"] = gh
		fs := c.Servers["filesystem"]
		fs.Args[2] = "/home/me/work"
		fs.ToolTimeoutMs = 45000
		c.Servers["filesystem"] = fs
		c.Servers["linear"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp"}
		c.Permissions = unified.Permissions{Allow: []string{"mcp:db:query", "mcp:linear:list_issues"}, Ask: []string{"mcp:db:drop"}}
	}})
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}

	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "legacy", Endpoint: ep, Change: func(c *unified.Config) {
		fs := c.Servers["filesystem"]
		fs.Args = fs.Args[:2]
		fs.Disabled = true
		c.Servers["filesystem"] = fs
		p := c.Servers["puppeteer"]
		p.Disabled = false
		p.Env = nil
		p.ToolTimeoutMs = 30000
		c.Servers["puppeteer"] = p
		r := c.Servers["old-remote"]
		r.Transport, r.Command, r.URL = unified.TransportHTTP, "", "https://old.example.com/mcp"
		c.Servers["old-remote"] = r
	}})

	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "project-new", Endpoint: projectEPs()[0], Missing: true, Change: func(c *unified.Config) {
		c.Servers = map[string]unified.Server{"docs": {Transport: unified.TransportHTTP, URL: "https://mcp.example.com/mcp"}}
	}})

	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "rules", Endpoint: projectEPs()[1], Change: func(c *unified.Config) {
		c.Rules = map[string]unified.Rule{
			"style": {Activation: unified.ActivationAlways, Body: "Use gofmt."},
			"tests": {Activation: unified.ActivationGlob, Globs: []string{"**/*_test.go"}, Description: "Tests", Body: "Table tests, named subtests."},
		}
	}})
}

func TestRules(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := projectEPs()[1]
	rules := map[string]unified.Rule{"style": {Activation: unified.ActivationAlways, Body: "Use gofmt."}}

	if !ep.ExistingOnly {
		t.Fatal(".rules must only be written when the project has one")
	}
	out, _, err := a.Encode(ep, clients.Files{ep.Path: {}}, unified.Config{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := a.Decode(ep, out)
	if err != nil || !got.Equal(unified.Config{Rules: rules}) {
		t.Fatalf("round trip through an empty .rules: %s %v", got.Canonical(), err)
	}
	cleared, _, err := a.Encode(ep, out, unified.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := cleared[ep.Path]; !ok || b == nil || len(b) != 0 {
		t.Fatalf("clearing the rules must leave the (empty) .rules in place: %q", b)
	}
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEP()
	in := []byte(`{"context_servers":{"ext":{"settings":{"k":1}}}}`)
	out, warns, err := a.Encode(ep, clients.Files{ep.Path: in}, unified.Config{
		Servers: map[string]unified.Server{
			"sse":   {Transport: unified.TransportSSE, URL: "https://x/sse"},
			"ref":   {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"TOKEN": "${env:TOKEN}"}},
			"cwd":   {Transport: unified.TransportStdio, Command: "x", Cwd: "/w", StartupTimeoutMs: 5000, Tools: unified.Tools{Allow: []string{"a"}}},
			"fast":  {Transport: unified.TransportStdio, Command: "x", ToolTimeoutMs: 300},
			"ext":   {Transport: unified.TransportStdio, Command: "x"},
			"input": {Transport: unified.TransportHTTP, URL: "https://x", Headers: map[string]string{"A": "${input:tok}"}},
		},
		Permissions: unified.Permissions{
			Allow: []string{"shell:git", "mcp:a:*", "mcp:a:b", "tool:Task"},
			Deny:  []string{"mcp:a:b"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:sse", clients.WarnUnsupportedTransport)
	mcpjsontest.RequireWarning(t, warns, "server:ref", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:cwd", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:fast", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:ext", clients.WarnUnsupportedEntry)
	for _, p := range []string{"shell:git", "mcp:a:*", "tool:Task", "mcp:a:b"} {
		mcpjsontest.RequireWarning(t, warns, "permission:"+p, clients.WarnUnmappedPermission)
	}
	body := string(out[ep.Path])
	for _, s := range []string{`"sse"`, `"ref"`, `"input"`, `"mcp:a:*"`} {
		if strings.Contains(body, s) {
			t.Errorf("%s was written:\n%s", s, body)
		}
	}
	for _, s := range []string{`"ext":{"settings":{"k":1}}`, `"mcp:a:b":{"default":"deny"}`, `"fast":{"command":"x","timeout":1}`} {
		if !strings.Contains(body, s) {
			t.Errorf("missing %s:\n%s", s, body)
		}
	}
}

func TestPermissionsLeaveOtherRulesAlone(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEP()
	in := `{
  "agent": {
    "tool_permissions": {
      "tools": {
        "mcp:db:query": { "default": "allow", "always_allow": [{ "pattern": "x" }] },
        "mcp:db:drop": { "default": "deny" },
        "edit_file": { "default": "confirm" }
      }
    }
  }
}
`
	out, _, err := a.Encode(ep, clients.Files{ep.Path: []byte(in)}, unified.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "agent": {
    "tool_permissions": {
      "tools": {
        "mcp:db:query": { "always_allow": [{ "pattern": "x" }] },
        "edit_file": { "default": "confirm" }
      }
    }
  }
}
`
	if got := string(out[ep.Path]); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// Emptying what aisync created removes the objects it created.
	created, _, err := a.Encode(ep, clients.Files{ep.Path: []byte("{\n  \"vim_mode\": true\n}\n")},
		unified.Config{Permissions: unified.Permissions{Allow: []string{"mcp:db:query"}}})
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := a.Encode(ep, created, unified.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(back[ep.Path]); got != "{\n  \"vim_mode\": true\n}\n" {
		t.Errorf("after removing the only rule:\n%s", got)
	}
}

func FuzzDecode(f *testing.F) {
	eps := append([]clients.Endpoint{userEP()}, projectEPs()...)
	mcpjsontest.Fuzz(f, &Adapter{}, eps,
		mcpjsontest.Read(f, "settings.json"), mcpjsontest.Read(f, "project-settings.json"), mcpjsontest.Read(f, "rules"),
		`{"context_servers":{"a":{"command":{"path":"x","args":["y"],"env":null,"timeout":1.5},"enabled":"no","source":"custom"}}}`,
		`{"context_servers":{"a":{"command":"x","timeout":0.25},"b":{"url":"u","headers":{"A":"${env:B}"}}},"agent":{"tool_permissions":{"tools":{"mcp:a:b":null,"mcp:a:c":{"default":"confirm"}}}}}`,
		`{"agent":null,"context_servers":{"e":{"enabled":false,"remote":true,"settings":[]}}}`,
	)
}
