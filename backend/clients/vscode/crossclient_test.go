package vscode

import (
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/codex"
	"aisync/backend/clients/gemini"
)

// TestInputPromptsDoNotLeave takes the servers of a real mcp.json into Codex and Gemini CLI:
// the one whose header is a VS Code input prompt must be refused with a warning by each (it
// would be sent literally), and the others written.
func TestInputPromptsDoNotLeave(t *testing.T) {
	t.Parallel()
	env := clienttest.Env(t)
	src := endpoint(t, env, clients.UserScope, clients.FormatJSONC)
	cfg, _, err := (&Adapter{}).Decode(src, clients.Files{src.Path: []byte(readFixture(t, "mcp.json"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []clients.Adapter{&codex.Adapter{}, &gemini.Adapter{}} {
		t.Run(target.ID(), func(t *testing.T) {
			t.Parallel()
			var ep clients.Endpoint
			for _, e := range target.Endpoints(env, clients.UserScope) {
				if e.Has("servers") {
					ep = e
				}
			}
			out, warns, err := target.Encode(ep, clients.Files{}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range warns {
				if w.Item == "server:github" && w.Code == clients.WarnUnsupportedRef && strings.Contains(w.Message, "${input:gh-token}") {
					found = true
				}
			}
			if !found {
				t.Errorf("no unsupported-ref warning for github: %v", warns)
			}
			back, _, err := target.Decode(ep, out)
			if err != nil {
				t.Fatal(err)
			}
			if _, leaked := back.Servers["github"]; leaked {
				t.Error("the server with an input prompt was written")
			}
			if _, ok := back.Servers["playwright"]; !ok {
				t.Errorf("playwright was not written to %s: %v", target.ID(), warns)
			}
		})
	}
}
