package gemini

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"aisync/backend/clients"
)

// listLine is one server in `gemini mcp list`: status mark, name, what it runs or connects
// to, the transport, and the status.
var listLine = regexp.MustCompile(`^\S+ (.+?): (.*) \((stdio|http|sse)\) - (\w+)$`)

// TestRealGemini writes the sample and every golden file as the user's settings.json in a
// temporary home and asks the real CLI what it sees (`gemini mcp list`, with the workspace
// untrusted so that nothing is spawned). It runs only when AISYNC_GEMINI names the gemini
// binary, e.g.
//
//	AISYNC_GEMINI=$(command -v gemini) go test -run TestRealGemini ./backend/clients/gemini/
func TestRealGemini(t *testing.T) {
	bin := os.Getenv("AISYNC_GEMINI")
	if bin == "" {
		t.Skip("set AISYNC_GEMINI to the gemini binary to check the output against the real CLI")
	}
	a := &Adapter{}
	home := t.TempDir()
	ep := endpoint(t, clients.Env{GOOS: runtime.GOOS, Home: home}, clients.UserScope, clients.FormatJSONC)
	out, _, err := a.Encode(ep, clients.Files{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"sample": out[ep.Path]}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, g := range append(goldens, filepath.Join("testdata", "settings.json")) {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(g)] = b
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			dir, work := filepath.Join(home, ".gemini"), filepath.Join(home, "work")
			for _, d := range []string{dir, work} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "settings.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "mcp", "list")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "HOME="+home, "GEMINI_CLI_HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
				"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
				"GEMINI_CLI_NO_RELAUNCH=true", "NO_COLOR=1", "GEMINI_CLI_TRUST_WORKSPACE=false")
			output, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("gemini rejected the file: %v\n%s\n%s", err, output, data)
			}
			if regexp.MustCompile(`Invalid configuration|Error in`).Match(output) {
				t.Fatalf("gemini found the settings invalid:\n%s\n%s", output, data)
			}
			want, _, err := a.Decode(clients.Endpoint{Path: "s", Format: clients.FormatJSONC}, clients.Files{"s": data})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, line := range regexp.MustCompile(`\r?\n`).Split(string(output), -1) {
				m := listLine.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				name, transport, status := m[1], m[3], m[4]
				seen[name] = true
				s, ok := want.Servers[name]
				if !ok {
					t.Errorf("gemini lists %s, which aisync does not read", name)
					continue
				}
				if transport != string(s.Transport) {
					t.Errorf("%s: gemini sees %s, aisync %s", name, transport, s.Transport)
				}
				if (status == "Blocked") != s.Disabled {
					t.Errorf("%s: gemini status %s, aisync disabled=%v", name, status, s.Disabled)
				}
			}
			for name := range want.Servers {
				if !seen[name] {
					t.Errorf("aisync reads %s, which gemini does not list:\n%s", name, output)
				}
			}
		})
	}
}
