package codex

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/unified"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// sample is what Codex can hold without loss: every field it maps, references in the three
// places Codex has for them, extras, a Windows path and non-ASCII arguments.
func sample() unified.Config {
	return unified.Config{
		Servers: map[string]unified.Server{
			"db": {
				Transport: unified.TransportStdio,
				Command:   "npx",
				Args:      []string{"-y", "@acme/db-mcp", `C:\Users\me\Documents`, "données-ü-日本"},
				Env:       map[string]string{"LOG_LEVEL": "info", "PGPASSWORD": "${env:PGPASSWORD}"},
				Cwd:       "/home/me/work",
				Disabled:  true,
				// 1.5 s must come back as 1500 ms, not 1499.
				StartupTimeoutMs: 1500,
				ToolTimeoutMs:    120000,
				Tools:            unified.Tools{Deny: []string{"drop_table"}},
				Extras:           map[string]map[string]json.RawMessage{"codex": {"experimental_environment": raw(`"local"`), "required": raw(`true`)}},
			},
			"github": {
				Transport: unified.TransportHTTP,
				URL:       "https://api.githubcopilot.com/mcp/",
				Headers: map[string]string{
					"Authorization": "Bearer ${env:GITHUB_TOKEN}",
					"X-Api-Key":     "${env:ACME_KEY}",
					"X-Team":        "core",
				},
				ToolTimeoutMs: 45000,
				Tools:         unified.Tools{Allow: []string{"get_issue", "search_issues"}},
				Extras: map[string]map[string]json.RawMessage{"codex": {
					"default_tools_approval_mode": raw(`"prompt"`),
					"oauth":                       raw(`{"client_id":"aisync-test"}`),
					"scopes":                      raw(`["repo"]`),
					"tools":                       raw(`{"get_issue":{"approval_mode":"approve"}}`),
				}},
			},
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
				Match: ".codex/config.toml",
				Files: map[string]string{"": readFixture(t, "config.toml")},
				Keep: []string{"# Codex configuration — hand-written, keep the comments!", `model = "gpt-5-codex"`,
					"[profiles.fast]", "# cheaper", `[projects."/home/me/p"]`, `trust_level = "trusted"`,
					`[projects.'C:\Users\me\proj']`, "[sandbox_workspace_write]", "network_access = false"},
				Invalid: "model = \"x\"\n[mcp_servers.db\ncommand = \"npx\"\n",
			},
			{
				Match:   "AGENTS.md",
				Files:   map[string]string{"": readFixture(t, "AGENTS.md")},
				Keep:    []string{"# Project notes", "Run `make test` before every commit.", "## Hand-written footer"},
				Invalid: "<!-- aisync:begin -->\n<!-- aisync:rule name=\"x\" -->\nbody\n",
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
	a := &Adapter{}
	cases := []struct {
		name      string
		env       clients.Env
		scope     clients.Scope
		cfg, agts string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, clients.UserScope, "/home/u/.codex/config.toml", "/home/u/.codex/AGENTS.md"},
		{"codex-home", clients.Env{GOOS: "linux", Home: "/home/u", Vars: map[string]string{"CODEX_HOME": "/srv/codex"}}, clients.UserScope, "/srv/codex/config.toml", "/srv/codex/AGENTS.md"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\Zoë`, AppData: `C:\Users\Zoë\AppData\Roaming`}, clients.UserScope, `C:\Users\Zoë\.codex\config.toml`, `C:\Users\Zoë\.codex\AGENTS.md`},
		{"windows-project", clients.Env{GOOS: "windows", Home: `C:\Users\u`}, clients.ProjectScope(`D:\src\app`), `D:\src\app\.codex\config.toml`, `D:\src\app\AGENTS.md`},
		{"darwin-project", clients.Env{GOOS: "darwin", Home: "/Users/u"}, clients.ProjectScope("/Users/u/code/app"), "/Users/u/code/app/.codex/config.toml", "/Users/u/code/app/AGENTS.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := endpoint(t, c.env, c.scope, clients.FormatTOML).Path; got != c.cfg {
				t.Errorf("config = %s, want %s", got, c.cfg)
			}
			if got := endpoint(t, c.env, c.scope, clients.FormatMarkdown).Path; got != c.agts {
				t.Errorf("rules = %s, want %s", got, c.agts)
			}
		})
	}
	if got := a.DetectPaths(clients.Env{GOOS: "linux", Home: "/home/u"}); got[0] != "/home/u/.codex" {
		t.Errorf("detect = %v", got)
	}
}

// TestGolden edits the realistic fixture the way a sync would and compares the result with
// testdata/golden/<case>.toml; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	env := clienttest.Env(t)
	ep := endpoint(t, env, clients.UserScope, clients.FormatTOML)
	before := []byte(readFixture(t, "config.toml"))
	cases := []struct {
		name  string
		edit  func(c *unified.Config)
		warns []string // warning codes expected, in order
	}{
		{"add-servers", func(c *unified.Config) {
			c.Servers["linear"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${env:LINEAR_TOKEN}"}, StartupTimeoutMs: 30000}
			c.Servers["everything"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-everything"}, Env: map[string]string{"PORT": "3001", "HOME": "${env:HOME}"}}
		}, nil},
		{"edit-fields", func(c *unified.Config) {
			db := c.Servers["db"]
			db.Env = map[string]string{"PGHOST": "db.internal", "PGPASSWORD": "${env:PGPASSWORD}", "PGUSER": "${env:PGUSER}"}
			db.Args = append(db.Args, "--schema=public")
			db.StartupTimeoutMs = 30000
			db.Tools.Deny = nil
			c.Servers["db"] = db
			gh := c.Servers["github"]
			gh.Tools.Allow = append(gh.Tools.Allow, "list_pull_requests")
			gh.Headers["X-Team"] = "platform"
			delete(gh.Headers, "X-Api-Key")
			gh.ToolTimeoutMs = 60000
			gh.Extras["codex"]["scopes"] = raw(`["repo"]`)
			c.Servers["github"] = gh
		}, nil},
		{"switch-transport", func(c *unified.Config) {
			c.Servers["github"] = unified.Server{Transport: unified.TransportStdio, Command: "github-mcp-server", Args: []string{"stdio"},
				Env: map[string]string{"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"}, Extras: c.Servers["github"].Extras}
			db := c.Servers["db"]
			c.Servers["db"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://db.example.com/mcp", Cwd: db.Cwd, Tools: db.Tools}
		}, []string{clients.WarnDroppedField}},
		{"enable-disable-remove", func(c *unified.Config) {
			fs := c.Servers["fs_win"]
			fs.Disabled = false
			c.Servers["fs_win"] = fs
			db := c.Servers["db"]
			db.Disabled = true
			c.Servers["db"] = db
			delete(c.Servers, "github")
		}, nil},
		{"lossy-servers-skipped", func(c *unified.Config) {
			c.Servers["legacy-sse"] = unified.Server{Transport: unified.TransportSSE, URL: "https://sse.example.com/sse"}
			c.Servers["vscode-input"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://api.example.com/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${input:gh-token}"}}
			c.Servers["bad name"] = unified.Server{Transport: unified.TransportStdio, Command: "x"}
			// A server that was fine before now holds a reference Codex cannot express: the
			// old entry stays as it was.
			gh := c.Servers["github"]
			gh.URL = "https://${env:GH_HOST}/mcp/"
			c.Servers["github"] = gh
		}, []string{clients.WarnInvalidName, clients.WarnUnsupportedRef, clients.WarnUnsupportedTransport, clients.WarnUnsupportedRef}},
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
			golden(t, filepath.Join("testdata", "golden", c.name+".toml"), got)
			// What was written reads back as what was asked for, minus what Codex cannot hold.
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

func TestNoopKeepsEveryByte(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	env := clienttest.Env(t)
	ep := endpoint(t, env, clients.UserScope, clients.FormatTOML)
	files := clients.Files{ep.Path: []byte(readFixture(t, "config.toml"))}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil || len(warns) != 0 {
		t.Fatalf("decode: %v %v", err, warns)
	}
	if n := len(cfg.Servers); n != 3 {
		t.Fatalf("decoded %d servers, want 3", n)
	}
	db := cfg.Servers["db"]
	if db.StartupTimeoutMs != 20000 || db.Env["PGPASSWORD"] != "${env:PGPASSWORD}" || db.Env["PGHOST"] != "localhost" {
		t.Errorf("db = %+v", db)
	}
	gh := cfg.Servers["github"]
	if gh.Headers["Authorization"] != "Bearer ${env:GITHUB_TOKEN}" || gh.Headers["X-Api-Key"] != "${env:ACME_KEY}" || gh.ToolTimeoutMs != 45000 {
		t.Errorf("github = %+v", gh)
	}
	if string(gh.Extras["codex"]["tools"]) != `{"get_issue":{"approval_mode":"approve"}}` {
		t.Errorf("github extras = %s", gh.Extras["codex"]["tools"])
	}
	fs := cfg.Servers["fs_win"]
	if !fs.Disabled || fs.Command != `C:\Program Files\nodejs\npx.cmd` || fs.Args[3] != "日本語フォルダ" || fs.Env["APPDATA"] != "${env:APPDATA}" {
		t.Errorf("fs_win = %+v", fs)
	}
	out, _, err := a.Encode(ep, files, cfg)
	if err != nil || len(out) != 0 {
		t.Fatalf("no-op encode wrote %v (err %v)", out, err)
	}
}

func TestDecodeLeavesRejectedEntriesAlone(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatTOML)
	src := `[mcp_servers.mixed]
command = "x"
url = "https://x"

[mcp_servers.secret]
url = "https://x"
bearer_token = "literal"

[mcp_servers.remote_env]
command = "x"
env_vars = [{ name = "TOKEN", source = "remote" }]

[mcp_servers.no_tools]
command = "x"
enabled_tools = []

[mcp_servers.ok]
command = "x"
`
	files := clients.Files{ep.Path: []byte(src)}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Servers) != 1 || len(warns) != 4 {
		t.Fatalf("servers %v, warnings %v", cfg.ServerNames(), warns)
	}
	for _, w := range warns {
		if w.Code != clients.WarnUnsupportedEntry {
			t.Errorf("warning %v", w)
		}
	}
	// Removing "ok" from the hub must not touch the entries that were never synced.
	out, _, err := a.Encode(ep, files, unified.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(src, "\n[mcp_servers.ok]\ncommand = \"x\"\n", "", 1)
	if got := string(out[ep.Path]); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRulesShareAgentsMDFormat(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	env := clienttest.Env(t)
	ep := endpoint(t, env, clients.ProjectScope("/p"), clients.FormatMarkdown)
	if ep.Path != "/p/AGENTS.md" {
		t.Fatal(ep.Path)
	}
	files := clients.Files{ep.Path: []byte("# Mine\n")}
	out, _, err := a.Encode(ep, files, unified.Config{Rules: sample().Rules})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out[ep.Path]), "# Mine\n\n<!-- aisync:begin") {
		t.Fatalf("got %q", out[ep.Path])
	}
	cleared, _, err := a.Encode(ep, clients.Files{ep.Path: out[ep.Path]}, unified.Config{})
	if err != nil || string(cleared[ep.Path]) != "# Mine\n" {
		t.Fatalf("clearing gave %q, %v", cleared[ep.Path], err)
	}
	// A file aisync created holds nothing of the user's: it goes when its last rule goes.
	created, _, _ := a.Encode(ep, clients.Files{}, unified.Config{Rules: sample().Rules})
	gone, _, err := a.Encode(ep, created, unified.Config{})
	if b, ok := gone[ep.Path]; err != nil || !ok || b != nil {
		t.Fatalf("want the created file removed, got %q (present %v), %v", b, ok, err)
	}
}

// validName accepts exactly the names `codex mcp add` does: ^[A-Za-z0-9_-]+$.
func TestValidNameIsCodexPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	for _, name := range []string{"", "a", "srv-0001", "my_server", "A-Z_0-9", "has space", "dot.name", "ünï", "tab\t", "-", "_", "x/y", "a\n", "\x00", "ÿ", "Z9"} {
		if got, want := validName(name), pattern.MatchString(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
}
