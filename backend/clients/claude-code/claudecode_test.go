package claudecode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

// sample is what Claude Code holds faithfully in every endpoint: servers of all three
// transports with env references, unicode names and a Windows path, one Claude-only member
// (kept in Extras), always-on and glob rules, and permissions of every mappable kind.
var sample = unified.Config{
	Servers: map[string]unified.Server{
		"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
			Headers:       map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"},
			ToolTimeoutMs: 60000,
			Extras:        map[string]map[string]json.RawMessage{ID: {"alwaysLoad": json.RawMessage("true")}}},
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp", "${env:DB_URL}"},
			Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}"}},
		"검색":         {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--query", "🔍 검색 \"quoted\" && <tag>"}},
		"legacy-sse": {Transport: unified.TransportSSE, URL: "https://mcp.example.com/sse"},
	},
	Rules: map[string]unified.Rule{
		"style": {Activation: unified.ActivationGlob, Globs: []string{"src/**/*.ts"}, Description: "TS conventions", Body: "Use strict TypeScript."},
		"tone":  {Activation: unified.ActivationAlways, Body: "Answer briefly.\n\n- in English"},
	},
	Permissions: unified.Permissions{
		Allow: []string{"mcp:github:*", "mcp:github:get_issue", "shell:npm run test", "read:./src/**", "fetch:github.com"},
		Ask:   []string{"shell:git push"},
		Deny:  []string{"read:./.env", "write:./secrets/**"},
	},
}

func TestConformance(t *testing.T) {
	claudeJSON := mcpjsontest.Read(t, "claude.json")
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "/.claude.json", Files: map[string]string{"": claudeJSON},
				Keep: []string{`"numStartups": 412`, `"oauthAccount": {`, `"tipsHistory"`, `app step 5: refactor the \"store\" package`,
					`"realtime": {`, `"type": "ws"`, `"lastSessionId": "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"`,
					`"disabledMcpServers": [`, `"C:/Users/me/src/win-app": {`},
				Invalid: "{\n  \"numStartups\": 3,\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"}\n    \"b\": {}\n  }\n}\n"},
			{Match: "/.mcp.json", Files: map[string]string{"": mcpjsontest.Read(t, "mcp.json")},
				Invalid: `{"mcpServers": {"a": {"command": "x"}`},
			{Match: "/settings.json", Files: map[string]string{"": mcpjsontest.Read(t, "settings.json")},
				Keep: []string{`"WebSearch"`, `"Bash(ls)"`, `"mcp__*"`, `"additionalDirectories": ["../lib"]`, `"defaultMode": "acceptEdits"`,
					`"hooks"`, `"$schema"`},
				Invalid: "{\n  \"permissions\": {\n    \"allow\": [\"Bash(ls)\" \"Read(x)\"]\n  }\n}"},
			{Match: "/CLAUDE.md", Files: map[string]string{"": mcpjsontest.Read(t, "CLAUDE.md")},
				Keep:    []string{"# My global instructions", "I write Go and TypeScript.", "- never commit secrets"},
				Invalid: "<!-- aisync:begin -->\n<!-- aisync:rule name=\"x\" -->\nbody\n"},
			{Match: "/.claude/rules", Files: map[string]string{
				"testing.md": "---\npaths:\n  - \"**/*_test.go\"\nowner: me\n---\nTable tests, t.Parallel where safe.\n",
				"plain.md":   "Always wrap errors with %w.\n",
			}},
		},
	})
}

func TestEndpointPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	paths := func(env clients.Env, sc clients.Scope) []string {
		var out []string
		for _, ep := range a.Endpoints(env, sc) {
			p := ep.Path
			if ep.Key != "" {
				p += "#" + ep.Key
			}
			for _, c := range ep.Companions {
				p += " + " + c
			}
			out = append(out, p)
		}
		return out
	}
	tests := []struct {
		name  string
		env   clients.Env
		scope clients.Scope
		want  []string
	}{
		{"linux user", clients.Env{GOOS: "linux", Home: "/home/me"}, clients.UserScope,
			[]string{"/home/me/.claude.json", "/home/me/.claude/settings.json", "/home/me/.claude/CLAUDE.md"}},
		{"windows user", clients.Env{GOOS: "windows", Home: `C:\Users\me`}, clients.UserScope,
			[]string{`C:\Users\me\.claude.json`, `C:\Users\me\.claude\settings.json`, `C:\Users\me\.claude\CLAUDE.md`}},
		{"relocated", clients.Env{GOOS: "darwin", Home: "/Users/me", Vars: map[string]string{"CLAUDE_CONFIG_DIR": "/cfg/claude"}}, clients.UserScope,
			[]string{"/cfg/claude/.claude.json", "/cfg/claude/settings.json", "/cfg/claude/CLAUDE.md"}},
		{"project", clients.Env{GOOS: "linux", Home: "/home/me"}, clients.ProjectScope("/home/me/src/app"),
			[]string{"/home/me/.claude.json#projects//home/me/src/app + /home/me/src/app/.mcp.json",
				"/home/me/src/app/.claude/settings.json", "/home/me/src/app/.claude/rules"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := paths(tc.env, tc.scope); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func userEP(path string) clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: path, Format: clients.FormatJSON,
		Sections: []unified.Section{unified.SectionServers}}
}

func localEP(path, root string) clients.Endpoint {
	ep := userEP(path)
	ep.Scope, ep.Key = clients.ProjectScope(root), localKey+root
	return ep
}

// projectEP is a project's servers endpoint as Endpoints makes it: the local entry in
// ~/.claude.json with the project's .mcp.json as its companion.
func projectEP(path, root string) clients.Endpoint {
	ep := localEP(path, root)
	ep.Companions = []string{root + "/.mcp.json"}
	return ep
}

func TestGolden(t *testing.T) {
	a := &Adapter{}
	t.Run("user-servers", func(t *testing.T) {
		warns := mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "user-claude", Endpoint: userEP("/home/me/.claude.json"),
			Change: func(c *unified.Config) {
				db := c.Servers["db"]
				db.Args = append(db.Args, "--read-only")
				db.ToolTimeoutMs = 45000
				c.Servers["db"] = db
				delete(c.Servers, "linear")
				c.Servers["fetch"] = unified.Server{Transport: unified.TransportStdio, Command: "uvx", Args: []string{"mcp-server-fetch"},
					Env: map[string]string{"HTTP_PROXY": "${env:HTTP_PROXY}"}}
			}})
		if len(warns) != 0 {
			t.Errorf("warnings: %v", warns)
		}
	})
	t.Run("local-scope", func(t *testing.T) {
		mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "local-claude", Endpoint: localEP("/home/me/.claude.json", "/home/me/src/app"),
			Change: func(c *unified.Config) {
				s := c.Servers["sentry"]
				s.Disabled = false // switched back on: leaves disabledMcpServers
				c.Servers["sentry"] = s
				l := c.Servers["local-db"]
				l.Disabled = true
				c.Servers["local-db"] = l
				c.Servers["github"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/"}
			}})
	})
	t.Run("local-scope-new-project", func(t *testing.T) {
		mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "local-new-project", Endpoint: localEP("/home/me/.claude.json", "/home/me/src/new"),
			Change: func(c *unified.Config) {
				c.Servers = map[string]unified.Server{"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"}}}
			}})
	})
	t.Run("local-scope-windows", func(t *testing.T) {
		// The project has two spellings in the file; the one holding servers is used.
		mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "local-windows", Endpoint: localEP(`C:\Users\me\.claude.json`, `C:\Users\me\src\win-app`),
			Change: func(c *unified.Config) {
				if _, ok := c.Servers["fs"]; !ok {
					t.Fatal("the forward-slash project entry was not found")
				}
				c.Servers["git"] = unified.Server{Transport: unified.TransportStdio, Command: `C:\Program Files\Git\bin\git-mcp.exe`}
			}})
	})
	t.Run("permissions", func(t *testing.T) {
		ep := clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.claude/settings.json",
			Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionPermissions}}
		mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "settings", Endpoint: ep,
			Change: func(c *unified.Config) {
				c.Permissions.Allow = []string{"mcp:github:*", "shell:npm run test", "shell:go test", "read:./src/**", "write:./docs/**"}
				c.Permissions.Ask = nil
				c.Permissions.Deny = append(c.Permissions.Deny, "fetch:evil.example.com")
			}})
	})
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEP("/home/me/.claude.json")
	cfg := unified.Config{Servers: map[string]unified.Server{
		"workspace": {Transport: unified.TransportStdio, Command: "x"},
		"prompted":  {Transport: unified.TransportHTTP, URL: "https://x", Headers: map[string]string{"Authorization": "Bearer ${input:token}"}},
		"off":       {Transport: unified.TransportStdio, Command: "y", Disabled: true},
		"filtered":  {Transport: unified.TransportStdio, Command: "z", Tools: unified.Tools{Allow: []string{"read"}}, StartupTimeoutMs: 5000},
		"defaulted": {Transport: unified.TransportStdio, Command: "w", Args: []string{"${DB:-postgres://localhost}"}},
	}}
	out, warns, err := a.Encode(ep, clients.Files{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:workspace", clients.WarnInvalidName)
	mcpjsontest.RequireWarning(t, warns, "server:prompted", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:off", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:filtered", clients.WarnDroppedField)
	body := string(out[ep.Path])
	for _, gone := range []string{`"workspace"`, `"prompted"`, `"off"`} {
		if strings.Contains(body, gone) {
			t.Errorf("%s was written:\n%s", gone, body)
		}
	}
	for _, kept := range []string{`"filtered"`, `"${DB:-postgres://localhost}"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("%s is missing:\n%s", kept, body)
		}
	}

	perms := clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/home/me/.claude/settings.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionPermissions}}
	_, warns, err = a.Encode(perms, clients.Files{}, unified.Config{Permissions: unified.Permissions{
		Allow: []string{"tool:WebSearch", "mcp:my.server:x", "mcp:*:x", "shell:"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"tool:WebSearch", "mcp:my.server:x", "mcp:*:x", "shell:"} {
		mcpjsontest.RequireWarning(t, warns, "permission:"+p, clients.WarnUnmappedPermission)
	}
}

func TestPermissionMapping(t *testing.T) {
	t.Parallel()
	both := []struct{ claude, unified string }{
		{"mcp__github__get_issue", "mcp:github:get_issue"},
		{"mcp__github", "mcp:github:*"},
		{"mcp__my-srv__get_*", "mcp:my-srv:get_*"},
		{"mcp__srv__a__b", "mcp:srv:a__b"},
		{"mcp___x__t", "mcp:_x:t"},
		{"Bash(npm run test:*)", "shell:npm run test"},
		{"Bash(go test ./...:*)", "shell:go test ./..."},
		{"Read(./src/**)", "read:./src/**"},
		{"Read(~/.zshrc)", "read:~/.zshrc"},
		{"Edit(docs/**)", "write:docs/**"},
		{"WebFetch(domain:github.com)", "fetch:github.com"},
	}
	for _, tc := range both {
		if got, ok := fromClaude(tc.claude); !ok || got != tc.unified {
			t.Errorf("fromClaude(%q) = %q, %v; want %q", tc.claude, got, ok, tc.unified)
		}
		if got, ok := toClaude(tc.unified); !ok || got != tc.claude {
			t.Errorf("toClaude(%q) = %q, %v; want %q", tc.unified, got, ok, tc.claude)
		}
	}
	readOnly := []struct{ claude, unified string }{
		{"mcp__github__*", "mcp:github:*"},
		{"Bash(git diff *)", "shell:git diff"},
		{"Write(./out/**)", "write:./out/**"},
	}
	for _, tc := range readOnly {
		if got, ok := fromClaude(tc.claude); !ok || got != tc.unified {
			t.Errorf("fromClaude(%q) = %q, %v; want %q", tc.claude, got, ok, tc.unified)
		}
	}
	for _, native := range []string{"Bash", "Bash(ls)", "Bash(git * main)", "Bash(:*)", "WebSearch", "Read", "mcp__*", "mcp__", "mcp__a__",
		"WebFetch(https://x)", "Task(Explore)", "mcp__a.b__c", "mcp__srv__x(y)"} {
		if got, ok := fromClaude(native); ok {
			t.Errorf("fromClaude(%q) = %q; want no unified form", native, got)
		}
	}
	for _, u := range []string{"tool:Task", "mcp:*:x", "mcp:a__b:c", "mcp:srv_:c", "mcp:srv:", "shell:", "shell: padded", "shell:rm *",
		"read:", "fetch:", "read:a\nb", "mcp:검색:x"} {
		if got, ok := toClaude(u); ok {
			t.Errorf("toClaude(%q) = %q; want none", u, got)
		}
	}
}

func FuzzDecode(f *testing.F) {
	eps := []clients.Endpoint{
		userEP("/home/me/.claude.json"),
		localEP("/home/me/.claude.json", "/home/me/src/app"),
		localEP(`C:\Users\me\.claude.json`, `C:\Users\me\src\win-app`),
		projectEP("/home/me/.claude.json", "/p"),
		{Client: ID, Scope: clients.UserScope, Path: "/home/me/.claude/settings.json", Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionPermissions}},
	}
	mcpjsontest.Fuzz(f, &Adapter{}, eps,
		mcpjsontest.Read(f, "claude.json"), mcpjsontest.Read(f, "mcp.json"), mcpjsontest.Read(f, "settings.json"),
		`{"projects":{"/home/me/src/app":{"mcpServers":{"a":{"command":"x"}},"disabledMcpServers":["a","b",3]}}}`,
		`{"permissions":{"allow":["mcp__a","mcp__a__*","Bash(x:*)","Bash(x *)"],"deny":[null,{}]}}`)
}

// A Windows project listed under two spellings: removing the last server of the one Claude
// Code reads moves it to the other, and what the edit reads back follows, as Decode does.
func TestLocalReadBackFollowsTheSpellingClaudeReads(t *testing.T) {
	a := &Adapter{}
	ep := localEP(`C:\Users\me\.claude.json`, `C:\p`)
	files := clients.Files{ep.Path: []byte(`{"projects": {"C:/p": {"mcpServers": {"a": {"command": "x"}}}, "c:/p": {"mcpServers": {"b": {"command": "y"}}}}}`)}
	for _, cfg := range []unified.Config{{}, {Servers: map[string]unified.Server{"a": {Transport: unified.TransportStdio, Command: "z"}}}} {
		out, _, back, err := a.EncodeReadBack(ep, files, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := a.Decode(ep, clients.Apply(files, out))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := back.Canonical(), want.Canonical(); !bytes.Equal(got, want) {
			t.Errorf("servers %v: read back %s, Decode gives %s", cfg.Servers, got, want)
		}
	}
}
