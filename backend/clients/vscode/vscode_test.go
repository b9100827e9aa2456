package vscode

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

// sampleServers is what mcp.json holds without loss.
func sampleServers() map[string]unified.Server {
	return map[string]unified.Server{
		"fetch": {
			Transport: unified.TransportStdio,
			Command:   "uvx",
			Args:      []string{"mcp-server-fetch", "--user-agent=aisync/日本語"},
			Env:       map[string]string{"HTTP_PROXY": "${env:HTTP_PROXY}", "LANG": "fr_FR.UTF-8"},
			Cwd:       "${workspaceFolder}",
			Extras:    map[string]map[string]json.RawMessage{"vscode": {"envFile": raw(`"${workspaceFolder}/.env"`), "sandboxEnabled": raw(`true`)}},
		},
		"win": {Transport: unified.TransportStdio, Command: `C:\Tools\mcp server.exe`, Args: []string{`D:\data\données`}},
		"github": {
			Transport: unified.TransportHTTP,
			URL:       "https://api.githubcopilot.com/mcp/",
			Headers:   map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"},
		},
		"events": {Transport: unified.TransportSSE, URL: "http://localhost:3001/sse"},
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

var mcpFixture = clienttest.Fixture{
	Match: "mcp.json",
	Keep: []string{"// Inputs are prompted once and stored by VS Code", `"id": "gh-token"`, `"description": "GitHub PAT"`,
		`"password": true`, "/* a local dev server */"},
	Invalid: "{\n  \"servers\": {\n    \"a\": { \"type\": \"stdio\" \"command\": \"x\" }\n  }\n}\n",
}

// onlyFormat shows the suite one kind of endpoint. VS Code's two rule endpoints split the
// rules by activation (always-on ones in copilot-instructions.md, the others in
// .github/instructions), so no single sample is held whole by both; each is checked with
// the rules it holds.
type onlyFormat struct {
	*Adapter
	format clients.Format
}

func (o onlyFormat) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	var out []clients.Endpoint
	for _, ep := range o.Adapter.Endpoints(env, scope) {
		if ep.Format == o.format {
			out = append(out, ep)
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	mcp := mcpFixture
	mcp.Files = map[string]string{"": readFixture(t, "mcp.json")}
	t.Run("servers", func(t *testing.T) {
		clienttest.Run(t, onlyFormat{&Adapter{}, clients.FormatJSONC}, clienttest.Options{
			Sample:   unified.Config{Servers: sampleServers()},
			Fixtures: []clienttest.Fixture{mcp},
		})
	})
	t.Run("copilot-instructions", func(t *testing.T) {
		clienttest.Run(t, onlyFormat{&Adapter{}, clients.FormatMarkdown}, clienttest.Options{
			Sample: unified.Config{Rules: map[string]unified.Rule{
				"style":   {Name: "style", Activation: unified.ActivationAlways, Body: "Prefer small functions.\nNo global state."},
				"testing": {Name: "testing", Activation: unified.ActivationAlways, Description: "Tests", Body: "Table tests, t.Parallel()."},
			}},
			Fixtures: []clienttest.Fixture{{
				Match:   ".github/copilot-instructions.md",
				Files:   map[string]string{"": readFixture(t, "copilot-instructions.md")},
				Keep:    []string{"# Copilot instructions for this repository", "run `make test` before proposing changes."},
				Invalid: "<!-- aisync:begin -->\n<!-- aisync:rule -->\n<!-- aisync:end -->\n",
			}},
			Scopes: []clients.Scope{clients.ProjectScope("/home/u/proj")},
		})
	})
	t.Run("instructions", func(t *testing.T) {
		clienttest.Run(t, onlyFormat{&Adapter{}, clients.FormatRuleDir}, clienttest.Options{
			Sample: unified.Config{Rules: map[string]unified.Rule{
				"ts":     {Name: "ts", Activation: unified.ActivationGlob, Globs: []string{"**/*.ts", "**/*.tsx"}, Description: "TypeScript", Body: "Use strict mode."},
				"review": {Name: "review", Activation: unified.ActivationAgent, Description: "Code review checklist", Body: "Check error wrapping."},
				"adhoc":  {Name: "adhoc", Activation: unified.ActivationManual, Body: "Only when asked."},
			}},
			Fixtures: []clienttest.Fixture{{
				Match: ".github/instructions",
				Files: map[string]string{
					"ts.instructions.md":   readFixture(t, "instructions/ts.instructions.md"),
					"docs.instructions.md": readFixture(t, "instructions/docs.instructions.md"),
				},
				// Nothing in a rule folder survives removing every rule: each file is a rule.
				Invalid: "---\napplyTo: [unclosed\n---\nbody\n",
			}},
			Scopes: []clients.Scope{clients.ProjectScope("/home/u/proj")},
		})
	})
	// The whole adapter, every endpoint at once, with nothing that needs splitting.
	t.Run("all-endpoints", func(t *testing.T) {
		clienttest.Run(t, &Adapter{}, clienttest.Options{Sample: unified.Config{Servers: sampleServers()}, Fixtures: []clienttest.Fixture{mcp}})
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
		name string
		env  clients.Env
		want string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, "/home/u/.config/Code/User/mcp.json"},
		{"linux-xdg", clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/xdg"}, "/xdg/Code/User/mcp.json"},
		{"darwin", clients.Env{GOOS: "darwin", Home: "/Users/u"}, "/Users/u/Library/Application Support/Code/User/mcp.json"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\Zoë`, AppData: `C:\Users\Zoë\AppData\Roaming`}, `C:\Users\Zoë\AppData\Roaming\Code\User\mcp.json`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := endpoint(t, c.env, clients.UserScope, clients.FormatJSONC).Path; got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	win := clients.Env{GOOS: "windows", Home: `C:\Users\u`}
	eps := (&Adapter{}).Endpoints(win, clients.ProjectScope(`D:\src\app`))
	var got []string
	for _, ep := range eps {
		got = append(got, ep.Path)
	}
	want := `D:\src\app\.vscode\mcp.json|D:\src\app\.github\copilot-instructions.md|D:\src\app\.github\instructions`
	if strings.Join(got, "|") != want {
		t.Errorf("project endpoints = %v", got)
	}
}

func TestDecodeFixtureWarnsAboutInputs(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	files := clients.Files{ep.Path: []byte(readFixture(t, "mcp.json"))}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].Item != "server:github" || warns[0].Code != clients.WarnUnsupportedRef ||
		!strings.Contains(warns[0].Message, "input prompt ${input:gh-token}, which other clients cannot ask for") {
		t.Fatalf("warnings = %v", warns)
	}
	if gh := cfg.Servers["github"]; gh.Headers["Authorization"] != "Bearer ${input:gh-token}" {
		t.Errorf("the input reference must be kept for VS Code: %+v", gh)
	}
	if f := cfg.Servers["fetch"]; f.Env["PORT"] != "8080" || string(f.Extras["vscode"]["envFile"]) != `"${workspaceFolder}/.env"` {
		t.Errorf("fetch = %+v", f)
	}
	if p := cfg.Servers["playwright"]; p.Transport != unified.TransportStdio || string(p.Extras["vscode"]["dev"]) != `{"debug":{"type":"node"},"watch":"src/**/*.ts"}` {
		t.Errorf("playwright = %+v", p)
	}
	out, _, err := a.Encode(ep, files, cfg)
	if err != nil || len(out) != 0 {
		t.Fatalf("no-op encode wrote %q (%v)", out[ep.Path], err)
	}
}

// TestGolden edits the realistic fixture the way a sync would and compares the result with
// testdata/golden/<case>.json; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := endpoint(t, clienttest.Env(t), clients.UserScope, clients.FormatJSONC)
	before := []byte(readFixture(t, "mcp.json"))
	cases := []struct {
		name  string
		edit  func(c *unified.Config)
		warns []string
	}{
		{"add-servers", func(c *unified.Config) {
			c.Servers["linear"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${env:LINEAR_TOKEN}"}}
			c.Servers["gh-copy"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://example.com/mcp",
				Headers: map[string]string{"Authorization": "Bearer ${input:gh-token}"}}
			c.Servers["needs-prompt"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://example.com/mcp",
				Headers: map[string]string{"X-Key": "${input:other-key}"}}
			c.Servers["everything"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-everything"}}
		}, []string{clients.WarnUnsupportedRef}},
		{"edit-fields", func(c *unified.Config) {
			f := c.Servers["fetch"]
			f.Env["NO_PROXY"] = "localhost"
			f.Args = append(f.Args, "--ignore-robots-txt")
			c.Servers["fetch"] = f
			p := c.Servers["playwright"]
			p.Extras["vscode"]["dev"] = raw(`{"watch":"src/**/*.ts"}`)
			c.Servers["playwright"] = p
		}, nil},
		{"disable-remove", func(c *unified.Config) {
			p := c.Servers["playwright"]
			p.Disabled = true
			c.Servers["playwright"] = p
			delete(c.Servers, "legacy-events")
		}, []string{clients.WarnDroppedField}},
		{"switch-transport", func(c *unified.Config) {
			e := c.Servers["legacy-events"]
			e.Transport, e.URL = unified.TransportHTTP, "http://localhost:3001/mcp"
			c.Servers["legacy-events"] = e
			c.Servers["fetch"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://fetch.example.com/mcp", Extras: c.Servers["fetch"].Extras}
		}, nil},
		{"lossy", func(c *unified.Config) {
			c.Servers["slow"] = unified.Server{Transport: unified.TransportStdio, Command: "slow", StartupTimeoutMs: 20000,
				Tools: unified.Tools{Deny: []string{"drop"}}}
			c.Servers["defaulted"] = unified.Server{Transport: unified.TransportStdio, Command: "db", Args: []string{"${DB_URL:-postgres://localhost}"}}
		}, []string{clients.WarnUnsupportedRef, clients.WarnDroppedField, clients.WarnDroppedField}},
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

// TestInstructionFileEditedInPlace checks that changing a rule keeps what aisync does not
// own in its file: excludeAgent, the key order, the blank line after the frontmatter.
func TestInstructionFileEditedInPlace(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	dir := endpoint(t, clienttest.Env(t), clients.ProjectScope("/p"), clients.FormatRuleDir)
	p := dir.Path + "/ts.instructions.md"
	files := clients.Files{p: []byte(readFixture(t, "instructions/ts.instructions.md"))}
	cfg, _, err := a.Decode(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	ts := cfg.Rules["ts"]
	if ts.Activation != unified.ActivationGlob || strings.Join(ts.Globs, ",") != "**/*.ts,**/*.tsx" || ts.Description != "TypeScript conventions" {
		t.Fatalf("ts = %+v", ts)
	}
	ts.Globs = []string{"src/**/*.ts"}
	cfg.Rules["ts"] = ts
	out, _, err := a.Encode(dir, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(readFixture(t, "instructions/ts.instructions.md"), `applyTo: "**/*.ts,**/*.tsx"`, `applyTo: "src/**/*.ts"`, 1)
	if string(out[p]) != want {
		t.Fatalf("got\n%s\nwant\n%s", out[p], want)
	}
}

// TestRulesHaveOneHome checks the split between the two rule endpoints: always-on rules in
// copilot-instructions.md, the rest in .github/instructions, and a rule that changes
// activation moving from one to the other without being lost or doubled.
func TestRulesHaveOneHome(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	scope := clients.ProjectScope("/p")
	env := clienttest.Env(t)
	md := endpoint(t, env, scope, clients.FormatMarkdown)
	dir := endpoint(t, env, scope, clients.FormatRuleDir)
	rules := map[string]unified.Rule{
		"style": {Name: "style", Activation: unified.ActivationAlways, Body: "Small functions."},
		"ts":    {Name: "ts", Activation: unified.ActivationGlob, Globs: []string{"**/*.ts"}, Body: "Strict."},
	}
	mdFiles, _, err := a.Encode(md, clients.Files{}, unified.Config{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	dirFiles, _, err := a.Encode(dir, clients.Files{}, unified.Config{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	mdCfg, _, _ := a.Decode(md, mdFiles)
	dirCfg, _, _ := a.Decode(dir, dirFiles)
	if strings.Join(mdCfg.RuleNames(), ",") != "style" || strings.Join(dirCfg.RuleNames(), ",") != "ts" {
		t.Fatalf("md holds %v, dir holds %v", mdCfg.RuleNames(), dirCfg.RuleNames())
	}
	if got := string(dirFiles["/p/.github/instructions/ts.instructions.md"]); got != "---\napplyTo: \"**/*.ts\"\n---\nStrict.\n" {
		t.Errorf("ts file = %q", got)
	}
	// ts becomes always-on: it leaves the folder (with a warning) and joins the block.
	ts := rules["ts"]
	ts.Activation, ts.Globs = unified.ActivationAlways, nil
	rules["ts"] = ts
	out, warns, err := a.Encode(dir, dirFiles, unified.Config{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := out["/p/.github/instructions/ts.instructions.md"]; !ok || b != nil || len(warns) != 1 {
		t.Fatalf("want ts.instructions.md deleted with one warning, got %q %v", b, warns)
	}
	out, _, _ = a.Encode(md, mdFiles, unified.Config{Rules: rules})
	mdCfg, _, _ = a.Decode(md, out)
	if strings.Join(mdCfg.RuleNames(), ",") != "style,ts" {
		t.Fatalf("md holds %v", mdCfg.RuleNames())
	}
}
