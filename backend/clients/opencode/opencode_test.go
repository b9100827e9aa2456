package opencode

import (
	"bytes"
	"encoding/json"
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

// sample is what opencode holds without loss: local and remote servers, references, a cwd, a
// disabled server, oauth extras, Windows paths and non-ASCII text, and the permissions it maps.
func sample() unified.Config {
	return unified.Config{
		Servers: map[string]unified.Server{
			"db": {
				Transport:     unified.TransportStdio,
				Command:       "npx",
				Args:          []string{"-y", "@acme/db-mcp", `C:\Tools\données`, "日本語"},
				Env:           map[string]string{"PGPASSWORD": "${env:PGPASSWORD}", "LOG_LEVEL": "info"},
				Cwd:           "/srv/db",
				ToolTimeoutMs: 20000,
			},
			"github": {
				Transport: unified.TransportHTTP,
				URL:       "https://api.githubcopilot.com/mcp/",
				Headers:   map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"},
				Disabled:  true,
				Extras:    map[string]map[string]json.RawMessage{"opencode": {"oauth": raw(`false`)}},
			},
			"linear": {
				Transport: unified.TransportHTTP,
				URL:       "https://mcp.linear.app/mcp",
				Extras:    map[string]map[string]json.RawMessage{"opencode": {"oauth": raw(`{"clientId":"aisync","scope":"read"}`)}},
			},
		},
		Permissions: unified.Permissions{
			Allow: []string{"mcp:db:*", "shell:git", "shell:npm run"},
			Ask:   []string{"mcp:linear:*"},
			Deny:  []string{"mcp:github:*", "shell:rm"},
		},
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
				Match: "opencode.json",
				Files: map[string]string{"": readFixture(t, "opencode.jsonc")},
				Keep: []string{`"$schema": "https://opencode.ai/config.json"`, "// Personal opencode config — synced by hand until now",
					`"model": "anthropic/claude-sonnet-4-5"`, `"description": "Reviews code"`, `"permission": { "edit": "deny" }`,
					`"edit": "ask"`, `"github_delete_*": "deny"`, `"*": "ask"`, `"instructions": ["CONTRIBUTING.md"]`},
				Invalid: "{\n  \"mcp\": {\n    \"a\": { \"type\": \"local\", \"command\": [\"x\"] }\n  }}\n}\n",
			},
			{
				Match:   "AGENTS.md",
				Files:   map[string]string{"": readFixture(t, "AGENTS.md")},
				Keep:    []string{"# Agents", "Use the `review` agent before merging."},
				Invalid: "<!-- aisync:begin -->\n<!-- aisync:end-rule -->\n",
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
		name       string
		env        clients.Env
		scope      clients.Scope
		cfg, rules string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, clients.UserScope, "/home/u/.config/opencode/opencode.json", "/home/u/.config/opencode/AGENTS.md"},
		{"xdg", clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/xdg"}, clients.UserScope, "/xdg/opencode/opencode.json", "/xdg/opencode/AGENTS.md"},
		{"darwin-uses-xdg-layout", clients.Env{GOOS: "darwin", Home: "/Users/u"}, clients.UserScope, "/Users/u/.config/opencode/opencode.json", "/Users/u/.config/opencode/AGENTS.md"},
		{"windows-uses-xdg-layout", clients.Env{GOOS: "windows", Home: `C:\Users\Zoë`, AppData: `C:\Users\Zoë\AppData\Roaming`}, clients.UserScope, `C:\Users\Zoë\.config\opencode\opencode.json`, `C:\Users\Zoë\.config\opencode\AGENTS.md`},
		{"opencode-config", clients.Env{GOOS: "linux", Home: "/home/u", Vars: map[string]string{"OPENCODE_CONFIG": "/etc/oc/custom.json"}}, clients.UserScope, "/etc/oc/custom.json", "/home/u/.config/opencode/AGENTS.md"},
		{"project", clients.Env{GOOS: "windows", Home: `C:\Users\u`}, clients.ProjectScope(`D:\src\app`), `D:\src\app\opencode.json`, `D:\src\app\AGENTS.md`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := endpoint(t, c.env, c.scope, clients.FormatJSONC).Path; got != c.cfg {
				t.Errorf("config = %s, want %s", got, c.cfg)
			}
			if got := endpoint(t, c.env, c.scope, clients.FormatMarkdown).Path; got != c.rules {
				t.Errorf("rules = %s, want %s", got, c.rules)
			}
		})
	}
	t.Run("jsonc-when-it-exists", func(t *testing.T) {
		t.Parallel()
		env := clienttest.Env(t)
		dir := filepath.Join(env.XDGConfigHome, "opencode")
		proj := filepath.Join(env.Home, "proj")
		for _, d := range []string{dir, proj} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, "opencode.jsonc"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := endpoint(t, env, clients.UserScope, clients.FormatJSONC).Path; got != filepath.Join(dir, "opencode.jsonc") {
			t.Errorf("user config = %s", got)
		}
		if got := endpoint(t, env, clients.ProjectScope(proj), clients.FormatJSONC).Path; got != filepath.Join(proj, "opencode.jsonc") {
			t.Errorf("project config = %s", got)
		}
	})
}

func TestDecodeFixture(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	files := clients.Files{ep.Path: []byte(readFixture(t, "opencode.jsonc"))}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil || len(warns) != 0 {
		t.Fatalf("decode: %v %v", err, warns)
	}
	db := cfg.Servers["db"]
	if db.Command != "npx" || strings.Join(db.Args, " ") != "-y @acme/db-mcp" || db.Env["PGPASSWORD"] != "${env:PGPASSWORD}" || db.ToolTimeoutMs != 20000 {
		t.Errorf("db = %+v", db)
	}
	gh := cfg.Servers["github"]
	if !gh.Disabled || gh.Transport != unified.TransportHTTP || gh.Headers["Authorization"] != "Bearer ${env:GITHUB_TOKEN}" || string(gh.Extras["opencode"]["oauth"]) != "false" {
		t.Errorf("github = %+v", gh)
	}
	if n := cfg.Servers["notes"]; n.Args[2] != `Z:\Notizen\Übersicht` {
		t.Errorf("notes = %+v", n)
	}
	cfg.Normalize()
	got, _ := json.Marshal(cfg.Permissions)
	if string(got) != `{"allow":["shell:git"],"ask":["mcp:db:*"],"deny":["shell:rm"]}` {
		t.Errorf("permissions = %s", got)
	}
	out, _, err := a.Encode(ep, files, cfg)
	if err != nil || len(out) != 0 {
		t.Fatalf("no-op encode wrote %q (%v)", out[ep.Path], err)
	}
}

// TestGolden edits the realistic fixture the way a sync would and compares the result with
// testdata/golden/<case>.jsonc; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	before := []byte(readFixture(t, "opencode.jsonc"))
	cases := []struct {
		name  string
		edit  func(c *unified.Config)
		warns []string
	}{
		{"add-servers", func(c *unified.Config) {
			c.Servers["linear"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${env:LINEAR_TOKEN}"}, ToolTimeoutMs: 15000}
			c.Servers["events"] = unified.Server{Transport: unified.TransportSSE, URL: "https://events.example.com/sse"}
			c.Servers["everything"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-everything"}, Env: map[string]string{"PORT": "3001"}, Cwd: "/tmp", Disabled: true}
		}, []string{clients.WarnUnsupportedTransport}},
		{"edit-fields", func(c *unified.Config) {
			db := c.Servers["db"]
			db.Args = append(db.Args, "--read-only")
			db.Env["PGUSER"] = "${env:PGUSER}"
			db.ToolTimeoutMs = 30000
			c.Servers["db"] = db
			gh := c.Servers["github"]
			gh.Disabled = false
			gh.Extras = nil
			c.Servers["github"] = gh
		}, nil},
		{"switch-transport-remove", func(c *unified.Config) {
			c.Servers["github"] = unified.Server{Transport: unified.TransportStdio, Command: "github-mcp-server", Args: []string{"stdio"},
				Env: map[string]string{"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"}, Extras: c.Servers["github"].Extras}
			delete(c.Servers, "notes")
		}, []string{clients.WarnDroppedField}},
		{"permissions", func(c *unified.Config) {
			c.Permissions = unified.Permissions{
				Allow: []string{"shell:git", "shell:npm run", "mcp:github:*", "read:src/**"},
				Deny:  []string{"mcp:db:*", "mcp:github:create_issue"},
			}
		}, []string{clients.WarnUnmappedPermission, clients.WarnUnmappedPermission, clients.WarnUnmappedPermission}},
		{"lossy", func(c *unified.Config) {
			c.Servers["slow"] = unified.Server{Transport: unified.TransportStdio, Command: "slow", StartupTimeoutMs: 20000,
				Tools: unified.Tools{Allow: []string{"a"}}}
			c.Servers["vscode-input"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://x.example.com/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${input:token}"}}
			c.Servers["literal"] = unified.Server{Transport: unified.TransportStdio, Command: "echo", Args: []string{"{env:NOT_A_REF}"}}
		}, []string{clients.WarnUnsupportedRef, clients.WarnDroppedField, clients.WarnDroppedField, clients.WarnUnsupportedRef}},
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
			golden(t, filepath.Join("testdata", "golden", c.name+".jsonc"), got)
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

func TestPermissionShapes(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	cases := []struct {
		name, in, want string
		perms          unified.Permissions
	}{
		{"string-becomes-object", `{ "permission": "ask" }`, `{ "permission": {"*": "ask", "bash": {"git *": "allow"}} }`,
			unified.Permissions{Allow: []string{"shell:git"}}},
		{"bash-string-becomes-object", "{\n  \"permission\": {\n    \"bash\": \"deny\"\n  }\n}\n", "{\n  \"permission\": {\n    \"bash\": {\n      \"*\": \"deny\",\n      \"ls *\": \"allow\"\n    }\n  }\n}\n",
			unified.Permissions{Allow: []string{"shell:ls"}}},
		{"created", "{\n  \"x\": 1\n}\n", "{\n  \"x\": 1,\n  \"permission\": {\n    \"bash\": {\n      \"git *\": \"allow\"\n    }\n  }\n}\n",
			unified.Permissions{Allow: []string{"shell:git"}}},
		{"only-emptied-objects-go", "{\n  \"permission\": {\n    \"bash\": {\n      \"git *\": \"allow\"\n    },\n    \"webfetch\": \"ask\"\n  }\n}\n",
			"{\n  \"permission\": {\n    \"webfetch\": \"ask\"\n  }\n}\n", unified.Permissions{}},
		{"emptied-objects-go", `{ "permission": { "bash": { "git *": "allow" } }, "x": 1 }`, `{ "x": 1 }`, unified.Permissions{}},
		{"action-changes-in-place", `{ "permission": { "bash": { "git *": "allow" } } }`, `{ "permission": { "bash": { "git *": "deny" } } }`,
			unified.Permissions{Deny: []string{"shell:git"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files := clients.Files{ep.Path: []byte(c.in)}
			out, warns, err := a.Encode(ep, files, unified.Config{Permissions: c.perms})
			if err != nil || len(warns) != 0 {
				t.Fatalf("%v %v", err, warns)
			}
			got, ok := out[ep.Path]
			if !ok {
				got = files[ep.Path]
			}
			if string(got) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestFileReferencesStayOpencodes(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	src := `{"mcp": {"notes": {"type": "local", "command": ["node", "{file:~/.notes-path}"], "environment": {"TOKEN": "{env:NOTES_TOKEN}"}}}}`
	files := clients.Files{ep.Path: []byte(src)}
	cfg, _, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Servers["notes"]
	if n.Args[0] != "{file:~/.notes-path}" || n.Env["TOKEN"] != "${env:NOTES_TOKEN}" {
		t.Fatalf("notes = %+v", n)
	}
	n.Env["MODE"] = "ro"
	cfg.Servers["notes"] = n
	out, warns, err := a.Encode(ep, files, cfg)
	if err != nil || len(warns) != 0 {
		t.Fatalf("%v %v", err, warns)
	}
	if want := `{"mcp": {"notes": {"type": "local", "command": ["node", "{file:~/.notes-path}"], "environment": {"TOKEN": "{env:NOTES_TOKEN}", "MODE": "ro"}}}}`; string(out[ep.Path]) != want {
		t.Fatalf("got %s", out[ep.Path])
	}
}

func TestToggleOnlyEntryIsLeftAlone(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.ProjectScope("/p"), clients.FormatJSONC)
	src := `{"mcp": {"github": {"enabled": false}}}`
	files := clients.Files{ep.Path: []byte(src)}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil || len(cfg.Servers) != 0 || len(warns) != 1 || warns[0].Code != clients.WarnUnsupportedEntry {
		t.Fatalf("cfg %v warns %v err %v", cfg.Servers, warns, err)
	}
	out, _, err := a.Encode(ep, files, unified.Config{})
	if err != nil || len(out) != 0 {
		t.Fatalf("the toggle entry was touched: %q %v", out[ep.Path], err)
	}
	// Even when the project's hub has a server of that name (from another client), the switch
	// stays: replacing it would turn a server the user switched off in this project on.
	hub := unified.Config{Servers: map[string]unified.Server{"github": {Transport: unified.TransportHTTP, URL: "https://x"}}}
	out, warns, err = a.Encode(ep, files, hub)
	if err != nil || len(out) != 0 || len(warns) != 1 {
		t.Fatalf("the toggle entry was touched: %q %v %v", out[ep.Path], warns, err)
	}
}
