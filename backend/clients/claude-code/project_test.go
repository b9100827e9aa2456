package claudecode

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// A project's servers live in two files. Each is written back where it lives; a new one goes
// to the local entry; .mcp.json never gains a server and its servers are never copied into
// the local entry; a name in both is the local entry's, and the .mcp.json entry is left alone.
func TestProjectServersStayWhereTheyLive(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := projectEP("/home/me/.claude.json", "/home/me/src/app")
	shared := ep.Companions[0]
	teamBoth := `"both": {"command": "team-version"}`
	files := clients.Files{
		ep.Path: []byte(`{
  "numStartups": 7,
  "projects": {
    "/home/me/src/app": {
      "history": [],
      "mcpServers": {
        "mine": {"type": "stdio", "command": "my-tool", "env": {"TOKEN": "${MY_TOKEN}"}},
        "both": {"type": "stdio", "command": "my-version"}
      },
      "disabledMcpServers": ["some-connector"]
    }
  }
}
`),
		shared: []byte("{\n  // the team's servers\n  \"mcpServers\": {\n" +
			`    "team": {"command": "npx", "args": ["-y", "@acme/team-mcp"]},` + "\n    " + teamBoth + ",\n" +
			`    "docs": {"type": "http", "url": "https://docs.example.com/mcp"}` + "\n  }\n}\n"),
	}

	cfg, warns, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(cfg.Servers)); !slices.Equal(got, []string{"both", "docs", "mine", "team"}) {
		t.Fatalf("decoded %v", got)
	}
	if cfg.Servers["both"].Command != "my-version" {
		t.Errorf("a name in both files reads as %q; Claude Code uses the local entry", cfg.Servers["both"].Command)
	}
	mcpjsontest.RequireWarning(t, warns, "server:both", clients.WarnDroppedField)

	cfg.Servers["fresh"] = unified.Server{Transport: unified.TransportStdio, Command: "fresh-tool"}
	team := cfg.Servers["team"]
	team.Args, team.Disabled = []string{"-y", "@acme/team-mcp@2"}, true
	cfg.Servers["team"] = team
	delete(cfg.Servers, "docs")
	both := cfg.Servers["both"]
	both.Args = []string{"--v2"}
	cfg.Servers["both"] = both
	cfg.Normalize()

	out, _, err := a.Encode(ep, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	after := clients.Apply(files, out)
	sharedDoc, localDoc := parse(t, after[shared]), parse(t, after[ep.Path])
	if got := sharedDoc.Keys("mcpServers"); !slices.Equal(got, []string{"team", "both"}) {
		t.Errorf(".mcp.json lists %v; want team and both (docs removed, nothing added)", got)
	}
	if !strings.Contains(string(after[shared]), "@acme/team-mcp@2") || !strings.Contains(string(after[shared]), "// the team's servers") {
		t.Errorf(".mcp.json lost its comment or did not take the change:\n%s", after[shared])
	}
	if !strings.Contains(string(after[shared]), teamBoth) {
		t.Errorf("the .mcp.json entry of a name the local entry also has changed:\n%s", after[shared])
	}
	if got := localDoc.Keys("projects", "/home/me/src/app", "mcpServers"); !slices.Equal(got, []string{"mine", "both", "fresh"}) {
		t.Errorf("the local entry lists %v; want mine, both and the new fresh", got)
	}
	if got := string(mustGet(t, localDoc, "projects", "/home/me/src/app", "disabledMcpServers")); got != `["some-connector","team"]` {
		t.Errorf("disabledMcpServers = %s; want the user's name kept and team added", got)
	}
	if !strings.Contains(string(after[ep.Path]), `"numStartups": 7`) || !strings.Contains(string(after[ep.Path]), `"history": []`) {
		t.Errorf("~/.claude.json lost members:\n%s", after[ep.Path])
	}

	back, _, err := a.Decode(ep, after)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Servers, cfg.Servers) {
		t.Errorf("read back\n%+v\nwant\n%+v", back.Servers, cfg.Servers)
	}
	rbOut, _, rb, err := a.EncodeReadBack(ep, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rbOut, out) || !reflect.DeepEqual(rb.Servers, back.Servers) {
		t.Errorf("EncodeReadBack differs from Encode then Decode:\n%+v\nwant\n%+v", rb.Servers, back.Servers)
	}
	if again, _, err := a.Encode(ep, after, cfg); err != nil || len(again) != 0 {
		t.Errorf("encoding the same servers again wrote %d files (%v)", len(again), err)
	}

	// Switching the .mcp.json server back on takes it off the list; the list survives.
	team.Disabled = false
	cfg.Servers["team"] = team
	out, _, err = a.Encode(ep, after, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out[shared]; ok {
		t.Errorf("switching a .mcp.json server on rewrote .mcp.json:\n%s", out[shared])
	}
	if got := string(mustGet(t, parse(t, out[ep.Path]), "projects", "/home/me/src/app", "disabledMcpServers")); got != `["some-connector"]` {
		t.Errorf("disabledMcpServers = %s", got)
	}
}

// Without a .mcp.json, or with one that lists no server, every server goes to the local
// entry and no .mcp.json is written.
func TestProjectServersWithoutSharedFile(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := projectEP("/home/me/.claude.json", "/p")
	cfg := unified.Config{Servers: map[string]unified.Server{
		"a": {Transport: unified.TransportStdio, Command: "a"},
		"b": {Transport: unified.TransportHTTP, URL: "https://b.example.com/mcp", Disabled: true},
	}}
	for name, files := range map[string]clients.Files{
		"no .mcp.json":    {},
		"empty .mcp.json": {ep.Companions[0]: []byte("{}\n")},
		"no servers":      {ep.Companions[0]: []byte(`{"mcpServers": {}}`)},
	} {
		out, warns, rb, err := a.EncodeReadBack(ep, files, cfg)
		if err != nil || len(warns) != 0 {
			t.Fatalf("%s: %v %v", name, warns, err)
		}
		if _, ok := out[ep.Companions[0]]; ok || len(out) != 1 {
			t.Errorf("%s: wrote %v; want only ~/.claude.json", name, slices.Sorted(maps.Keys(out)))
		}
		doc := parse(t, out[ep.Path])
		if got := doc.Keys("projects", "/p", "mcpServers"); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("%s: local entry lists %v", name, got)
		}
		if !reflect.DeepEqual(rb.Servers, cfg.Servers) {
			t.Errorf("%s: read back %+v", name, rb.Servers)
		}
	}
}

// The team's .mcp.json is edited in place, as the golden file says, and ~/.claude.json is not
// touched when nothing goes there.
func TestProjectSharedFileGolden(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := projectEP("/home/me/.claude.json", "/home/me/src/app")
	before, err := os.ReadFile(filepath.Join("testdata", "golden", "project-mcp.before.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "project-mcp.after.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := clients.Files{ep.Companions[0]: before}
	cfg, _, err := a.Decode(ep, files)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Servers["playwright"]
	p.Args = []string{"@playwright/mcp@latest"}
	cfg.Servers["playwright"] = p
	delete(cfg.Servers, "docs")
	out, _, err := a.Encode(ep, files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[ep.Companions[0]]) != string(want) {
		t.Errorf(".mcp.json:\n%s\nwant\n%s", out[ep.Companions[0]], want)
	}
	if _, ok := out[ep.Path]; ok {
		t.Errorf("~/.claude.json was written:\n%s", out[ep.Path])
	}
}

// A .mcp.json that does not parse stops the endpoint with its position, before anything is
// written.
func TestProjectSharedFileSyntaxError(t *testing.T) {
	t.Parallel()
	ep := projectEP("/home/me/.claude.json", "/p")
	files := clients.Files{ep.Companions[0]: []byte("{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"}\n    \"b\": {}\n  }\n}\n")}
	for _, err := range []error{
		func() error { _, _, err := (&Adapter{}).Decode(ep, files); return err }(),
		func() error { _, _, err := (&Adapter{}).Encode(ep, files, unified.Config{}); return err }(),
	} {
		var se *clients.SyntaxError
		if !errors.As(err, &se) || se.Path != ep.Companions[0] || se.Line != 4 {
			t.Errorf("got %v; want a syntax error at %s line 4", err, ep.Companions[0])
		}
	}
}

func parse(t *testing.T, b []byte) *jsonedit.Doc {
	t.Helper()
	doc, err := jsonedit.Parse(b)
	if err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	return doc
}

func mustGet(t *testing.T, doc *jsonedit.Doc, path ...string) []byte {
	t.Helper()
	raw, ok := doc.Get(path...)
	if !ok {
		t.Fatalf("no %v", path)
	}
	var b strings.Builder
	for _, c := range string(raw) {
		if c != ' ' && c != '\n' {
			b.WriteRune(c)
		}
	}
	return []byte(b.String())
}
