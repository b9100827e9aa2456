package mcpjson_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"aisync/backend/clients"
	amazonq "aisync/backend/clients/amazonq"
	claudecode "aisync/backend/clients/claude-code"
	claudedesktop "aisync/backend/clients/claude-desktop"
	cline "aisync/backend/clients/cline"
	copilotcli "aisync/backend/clients/copilot-cli"
	cursor "aisync/backend/clients/cursor"
	kiro "aisync/backend/clients/kiro"
	roo "aisync/backend/clients/roo"
	windsurf "aisync/backend/clients/windsurf"
	"aisync/backend/unified"
)

var updateCross = flag.Bool("update-cross", false, "rewrite testdata/crossclient")

// hub is one scope's servers as aisync holds them, with everything the family disagrees
// about: three transports, env references in every string kind, a VS Code input prompt, a
// disabled server, timeouts, tool lists, a Windows path and unicode.
var hub = map[string]unified.Server{
	"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp", "--url=${env:DB_URL}"},
		Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}", "LOG": "info"}, Cwd: "/srv/db", ToolTimeoutMs: 30000,
		Tools: unified.Tools{Allow: []string{"query"}, Deny: []string{"drop_table"}}},
	"github": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
		Headers: map[string]string{"Authorization": "Bearer ${env:GITHUB_TOKEN}"}},
	"linear": {Transport: unified.TransportSSE, URL: "https://mcp.linear.app/sse"},
	"off":    {Transport: unified.TransportStdio, Command: "uvx", Args: []string{"mcp-server-time"}, Disabled: true},
	"검색":     {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"🔍"}},
	"prompt": {Transport: unified.TransportHTTP, URL: "https://x.example.com/mcp",
		Headers: map[string]string{"Authorization": "Bearer ${input:token}"}},
}

func TestEveryClientOfTheFamily(t *testing.T) {
	env := clients.Env{GOOS: "linux", Home: "/home/me", Vars: map[string]string{}}
	for _, a := range []clients.Adapter{&amazonq.Adapter{}, &claudecode.Adapter{}, &claudedesktop.Adapter{}, &cline.Adapter{},
		&copilotcli.Adapter{}, &cursor.Adapter{}, &kiro.Adapter{}, &roo.Adapter{}, &windsurf.Adapter{}} {
		t.Run(a.ID(), func(t *testing.T) {
			var ep clients.Endpoint
			for _, e := range a.Endpoints(env, clients.UserScope) {
				if e.Has(unified.SectionServers) {
					ep = e
					break
				}
			}
			out, warns, err := a.Encode(ep, clients.Files{}, unified.Config{Servers: hub})
			if err != nil {
				t.Fatal(err)
			}
			written := out[ep.Path]
			var report strings.Builder
			report.Write(written)
			report.WriteString("\n--- warnings\n")
			var lines []string
			for _, w := range warns {
				lines = append(lines, w.Item+" ["+w.Code+"] "+w.Message)
			}
			sort.Strings(lines)
			report.WriteString(strings.Join(lines, "\n") + "\n")
			golden := filepath.Join("testdata", "crossclient", a.ID()+".txt")
			if *updateCross {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(report.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-cross)", err)
			}
			if report.String() != string(want) {
				t.Errorf("differs from %s:\n%s", golden, report.String())
			}

			// What was written reads back as the hub's servers, as far as the client can
			// say them; nothing is written that the hub did not say.
			back, _, err := a.Decode(ep, out)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range back.Servers {
				want := hub[name]
				if got.Command != want.Command || strings.Join(got.Args, " ") != strings.Join(want.Args, " ") ||
					got.URL != want.URL || !sameMap(got.Env, want.Env) || got.Disabled != want.Disabled {
					b1, _ := json.Marshal(got)
					b2, _ := json.Marshal(want)
					t.Errorf("%s reads back as\n%s\nwant\n%s", name, b1, b2)
				}
				if got.Transport != want.Transport && !(want.Transport == unified.TransportSSE && got.Transport == unified.TransportHTTP) {
					t.Errorf("%s: transport %s, want %s", name, got.Transport, want.Transport)
				}
			}
			if _, ok := back.Servers["prompt"]; ok {
				t.Error("a server with ${input:…} was written")
			}
		})
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
