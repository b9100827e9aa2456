package opencode

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/codex"
	"aisync/backend/unified"
)

// TestProjectAgentsMDAgreesWithCodex checks that opencode and Codex, which share a project's
// AGENTS.md, write it byte for byte alike: otherwise each sync would undo the other's write.
func TestProjectAgentsMDAgreesWithCodex(t *testing.T) {
	t.Parallel()
	env := clienttest.Env(t)
	scope := clients.ProjectScope(env.Home + "/proj")
	mine := endpoint(t, env, scope, clients.FormatMarkdown)
	var theirs clients.Endpoint
	for _, ep := range (&codex.Adapter{}).Endpoints(env, scope) {
		if ep.Format == clients.FormatMarkdown {
			theirs = ep
		}
	}
	if mine.Path != theirs.Path {
		t.Fatalf("opencode writes %s, codex %s", mine.Path, theirs.Path)
	}
	rules := map[string]unified.Rule{
		"style": {Name: "style", Activation: unified.ActivationAlways, Body: "Small functions."},
		"ts":    {Name: "ts", Activation: unified.ActivationGlob, Globs: []string{"*.ts"}, Body: "Strict."},
	}
	for _, start := range []string{"", "# Agents\r\n\r\nBe brief.\r\n", readFixture(t, "AGENTS.md")} {
		files := clients.Files{}
		if start != "" {
			files[mine.Path] = []byte(start)
		}
		a, _, err := (&Adapter{}).Encode(mine, files, unified.Config{Rules: rules})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := (&codex.Adapter{}).Encode(theirs, files, unified.Config{Rules: rules})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a[mine.Path], b[theirs.Path]) {
			t.Fatalf("opencode wrote\n%q\ncodex wrote\n%q", a[mine.Path], b[theirs.Path])
		}
		// And each reads what the other wrote as already in sync.
		again, _, _ := (&codex.Adapter{}).Encode(theirs, clients.Files{theirs.Path: a[mine.Path]}, unified.Config{Rules: rules})
		if len(again) != 0 {
			t.Fatalf("codex rewrote opencode's AGENTS.md: %q", again[theirs.Path])
		}
	}
}
