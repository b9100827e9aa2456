package gemini

import (
	"aisync/backend/edit/jsonedit"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/unified"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// sample is what Gemini CLI holds without loss: all three transports, references, a
// disabled server, extras, Windows paths and non-ASCII text, and the permissions it maps.
func sample() unified.Config {
	return unified.Config{
		Servers: map[string]unified.Server{
			"db": {
				Transport:     unified.TransportStdio,
				Command:       `C:\Program Files\nodejs\npx.cmd`,
				Args:          []string{"-y", "@acme/db-mcp", "--dsn", "postgres://${env:DB_HOST}/app", "données-日本"},
				Env:           map[string]string{"PGPASSWORD": "${env:PGPASSWORD}", "LOG_LEVEL": "info"},
				Cwd:           `C:\work\tools`,
				ToolTimeoutMs: 60000,
				Tools:         unified.Tools{Allow: []string{"query", "schema"}, Deny: []string{"drop_table"}},
				Extras:        map[string]map[string]json.RawMessage{"gemini": {"description": raw(`"Postgres (read-only)"`), "trust": raw(`true`)}},
			},
			"github": {
				Transport: unified.TransportHTTP,
				URL:       "https://api.githubcopilot.com/mcp/",
				Headers:   map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"},
				Tools:     unified.Tools{Allow: []string{"search_issues"}},
				Extras:    map[string]map[string]json.RawMessage{"gemini": {"oauth": raw(`{"enabled":false}`)}},
			},
			"legacy": {Transport: unified.TransportSSE, URL: "http://localhost:8080/sse", Disabled: true},
		},
		Permissions: unified.Permissions{Allow: []string{"mcp:github:search_issues", "mcp:db:*", "shell:git status", "shell:npm run test"}},
		Rules: map[string]unified.Rule{
			"style": {Name: "style", Activation: unified.ActivationAlways, Body: "Prefer small functions.\nNo global state."},
			"ts":    {Name: "ts", Activation: unified.ActivationGlob, Globs: []string{"src/**/*.ts"}, Description: "TypeScript", Body: "Use strict mode."},
		},
	}
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample(),
		Fixtures: []clienttest.Fixture{
			{
				Match: ".gemini/settings.json",
				Files: map[string]string{"": readFixture(t, "settings.json")},
				Keep: []string{"// Gemini CLI settings — edited by hand, comments are fine here", `"$schema"`,
					`"theme": "GitHub" // dark themes hurt my eyes`, `"vimMode": true`, "/* MCP servers: github is the Copilot endpoint */",
					`"read_file"`, `"sandbox": false`, `"fileName": ["AGENTS.md", "GEMINI.md"]`},
				Invalid: "{\n  \"mcpServers\": {\n    \"a\": { \"command\": \"x\" }\n  ,\n}\n",
			},
			{
				Match:   "GEMINI.md",
				Files:   map[string]string{"": readFixture(t, "GEMINI.md")},
				Keep:    []string{"# Gemini notes", "Answer in English."},
				Invalid: "<!-- aisync:begin -->\n<!-- aisync:bogus -->\n<!-- aisync:end -->\n",
			},
		},
	})
}

func endpoint(t testing.TB, env clients.Env, scope clients.Scope, format clients.Format) clients.Endpoint {
	t.Helper()
	for _, ep := range (&Adapter{}).Endpoints(env, scope) {
		if ep.Format == format {
			return ep
		}
	}
	t.Fatalf("no %s endpoint", format)
	return clients.Endpoint{}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		env           clients.Env
		scope         clients.Scope
		settings, gmd string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, clients.UserScope, "/home/u/.gemini/settings.json", "/home/u/.gemini/GEMINI.md"},
		{"gemini-cli-home-is-the-parent", clients.Env{GOOS: "linux", Home: "/home/u", Vars: map[string]string{"GEMINI_CLI_HOME": "/tmp/gh"}}, clients.UserScope, "/tmp/gh/.gemini/settings.json", "/tmp/gh/.gemini/GEMINI.md"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\Zoë`}, clients.UserScope, `C:\Users\Zoë\.gemini\settings.json`, `C:\Users\Zoë\.gemini\GEMINI.md`},
		{"project", clients.Env{GOOS: "darwin", Home: "/Users/u"}, clients.ProjectScope("/Users/u/app"), "/Users/u/app/.gemini/settings.json", "/Users/u/app/GEMINI.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := endpoint(t, c.env, c.scope, clients.FormatJSONC).Path; got != c.settings {
				t.Errorf("settings = %s, want %s", got, c.settings)
			}
			if got := endpoint(t, c.env, c.scope, clients.FormatMarkdown).Path; got != c.gmd {
				t.Errorf("rules = %s, want %s", got, c.gmd)
			}
		})
	}
}

func TestDecodeFixture(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	files := clients.Files{ep.Path: []byte(readFixture(t, "settings.json"))}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil || len(warns) != 0 {
		t.Fatalf("decode: %v %v", err, warns)
	}
	gh := cfg.Servers["github"]
	if gh.Transport != unified.TransportHTTP || gh.URL != "https://api.githubcopilot.com/mcp/" || gh.Headers["Authorization"] != "Bearer ${env:GITHUB_TOKEN}" || gh.ToolTimeoutMs != 30000 {
		t.Errorf("github = %+v", gh)
	}
	db := cfg.Servers["db"]
	if db.Env["PGPASSWORD"] != "${env:PGPASSWORD}" || db.Args[3] != "postgres://${env:DB_HOST}/app" || string(db.Extras["gemini"]["description"]) != `"Postgres (read-only)"` {
		t.Errorf("db = %+v", db)
	}
	if cfg.Servers["legacy"].Transport != unified.TransportSSE || !cfg.Servers["experimental"].Disabled || cfg.Servers["db"].Disabled {
		t.Errorf("servers = %+v", cfg.Servers)
	}
	want := []string{"mcp:github:search_issues", "shell:git status"}
	cfg.Normalize()
	if strings.Join(cfg.Permissions.Allow, "|") != strings.Join(want, "|") {
		t.Errorf("allow = %v, want %v", cfg.Permissions.Allow, want)
	}
	out, _, err := a.Encode(ep, files, cfg)
	if err != nil || len(out) != 0 {
		t.Fatalf("no-op encode wrote %q (err %v)", out[ep.Path], err)
	}
}

// TestGolden edits the realistic fixture the way a sync would and compares the result with
// testdata/golden/<case>.json; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	before := []byte(readFixture(t, "settings.json"))
	cases := []struct {
		name  string
		edit  func(c *unified.Config)
		warns []string
	}{
		{"add-servers", func(c *unified.Config) {
			c.Servers["linear"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${env:LINEAR_TOKEN}"}, ToolTimeoutMs: 20000}
			c.Servers["everything"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-everything"}, Env: map[string]string{"PORT": "3001"}, Disabled: true}
			c.Servers["events"] = unified.Server{Transport: unified.TransportSSE, URL: "https://events.example.com/sse"}
		}, nil},
		{"edit-fields", func(c *unified.Config) {
			gh := c.Servers["github"]
			gh.URL = "https://api.githubcopilot.com/mcp/v2/"
			gh.Tools.Allow = append(gh.Tools.Allow, "list_pull_requests")
			c.Servers["github"] = gh
			db := c.Servers["db"]
			db.Env["PGUSER"] = "${env:PGUSER}"
			db.ToolTimeoutMs = 90000
			c.Servers["db"] = db
		}, nil},
		{"disable-enable-remove", func(c *unified.Config) {
			ex := c.Servers["experimental"]
			ex.Disabled = false
			c.Servers["experimental"] = ex
			db := c.Servers["db"]
			db.Disabled = true
			c.Servers["db"] = db
			delete(c.Servers, "legacy")
		}, nil},
		{"switch-transport", func(c *unified.Config) {
			lg := c.Servers["legacy"]
			lg.Transport, lg.URL = unified.TransportHTTP, "http://localhost:8080/mcp"
			c.Servers["legacy"] = lg
			c.Servers["db"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://db.example.com/mcp", Extras: c.Servers["db"].Extras}
		}, nil},
		{"permissions", func(c *unified.Config) {
			c.Permissions = unified.Permissions{
				Allow: []string{"mcp:github:search_issues", "mcp:db:query", "shell:npm run test", "read:src/**"},
				Deny:  []string{"shell:rm -rf"},
			}
		}, []string{clients.WarnUnmappedPermission, clients.WarnUnmappedPermission}},
		{"lossy", func(c *unified.Config) {
			c.Servers["vscode-input"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://api.example.com/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${input:gh-token}"}}
			c.Servers["dollar"] = unified.Server{Transport: unified.TransportStdio, Command: "run", Env: map[string]string{"PASSWORD": "pa$word"}}
			c.Servers["slow"] = unified.Server{Transport: unified.TransportStdio, Command: "slow-mcp", StartupTimeoutMs: 30000}
		}, []string{clients.WarnUnsupportedRef, clients.WarnDroppedField, clients.WarnUnsupportedRef}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files := clients.Files{ep.Path: before}
			cfg, _, err := a.Decode(ep, files)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(&cfg)
			out, warns, err := a.Encode(ep, files, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range warns {
				codes = append(codes, w.Code)
			}
			if strings.Join(codes, ",") != strings.Join(c.warns, ",") {
				t.Errorf("warnings = %v, want codes %v", warns, c.warns)
			}
			got, ok := out[ep.Path]
			if !ok {
				got = before
			}
			golden(t, filepath.Join("testdata", "golden", c.name+".json"), got)
			back, _, err := a.Decode(ep, clients.Files{ep.Path: got})
			if err != nil {
				t.Fatalf("written file does not decode: %v", err)
			}
			again, _, err := a.Encode(ep, clients.Files{ep.Path: got}, back)
			if err != nil || len(again) != 0 {
				t.Fatalf("re-encoding what was read changed the file: %v %q", err, again[ep.Path])
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTrailingCommaIsASyntaxError(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	src := "{\n  // a comma in a \"string,]\" or a comment ,} is fine\n  \"a\": [1, 2],\n  \"b\": { \"c\": \",}\" },\n}\n"
	_, _, err := a.Decode(ep, clients.Files{ep.Path: []byte(src)})
	var se *clients.SyntaxError
	if !errors.As(err, &se) || se.Line != 4 || se.Col != 21 {
		t.Fatalf("err = %v (%+v), want a syntax error at 4:21", err, se)
	}
	ok := strings.Replace(src, "},\n}", "}\n}", 1)
	if _, _, err := a.Decode(ep, clients.Files{ep.Path: []byte(ok)}); err != nil {
		t.Fatal(err)
	}
}

func TestDisabledStateSources(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	env := clienttest.Env(t)
	ep := endpoint(t, env, clients.UserScope, clients.FormatJSONC)
	enablementPath := filepath.Join(filepath.Dir(ep.Path), enablementFile)
	src := `{
  "mcpServers": {
    "a": { "command": "a" },
    "b": { "command": "b" },
    "c": { "command": "c" },
    "d": { "command": "d" }
  },
  "mcp": { "allowed": ["a", "B", "d"], "excluded": [" D "] }
}
`
	files := clients.Files{ep.Path: []byte(src), enablementPath: []byte(`{"b": {"enabled": false}}`)}
	cfg, _, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for n, s := range cfg.Servers {
		got[n] = s.Disabled
	}
	// a: allowed; b: off in the enablement file; c: not in the allowlist; d: excluded.
	if want := map[string]bool{"a": false, "b": true, "c": true, "d": true}; !jsonedit.EqualJSON(got, want) {
		t.Fatalf("disabled = %v, want %v", got, want)
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		s := cfg.Servers[n]
		s.Disabled = n == "a"
		cfg.Servers[n] = s
	}
	out, warns, err := a.Encode(ep, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, touched := out[enablementPath]; touched {
		t.Fatal("the enablement file is Gemini's own and must never be written")
	}
	if len(warns) != 1 || warns[0].Item != "server:b" {
		t.Fatalf("warnings = %v, want one telling that b can only be enabled in Gemini", warns)
	}
	wantSrc := `{
  "mcpServers": {
    "a": { "command": "a" },
    "b": { "command": "b" },
    "c": { "command": "c" },
    "d": { "command": "d" }
  },
  "mcp": { "allowed": ["a", "B", "d", "c"], "excluded": ["a"] }
}
`
	if string(out[ep.Path]) != wantSrc {
		t.Fatalf("got\n%s\nwant\n%s", out[ep.Path], wantSrc)
	}
}

func TestPermissionNamesMustBeUnambiguous(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	src := `{
  "mcpServers": { "a": { "command": "a" }, "a_b": { "command": "ab" } },
  "tools": { "allowed": ["mcp_a_b_c", "mcp_a_x", "mcp_zz_y", "ShellTool(ls -la)"] }
}
`
	files := clients.Files{ep.Path: []byte(src)}
	cfg, _, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Normalize()
	if got := strings.Join(cfg.Permissions.Allow, "|"); got != "mcp:a:x|shell:ls -la" {
		t.Fatalf("allow = %s", got)
	}
	cfg.Permissions.Allow = append(cfg.Permissions.Allow, "mcp:a_b:d", "mcp:a:b_d")
	out, warns, err := a.Encode(ep, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 {
		t.Fatalf("warnings = %v, want the two ambiguous ones", warns)
	}
	if len(out) != 0 {
		t.Fatalf("nothing expressible changed, yet the file was rewritten:\n%s", out[ep.Path])
	}
}
