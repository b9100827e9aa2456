package codex

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// TestRealCodex writes the sample and every golden file into a temporary CODEX_HOME and asks
// the real CLI what it sees (`codex mcp list --json`, which reads the file and spawns
// nothing). It runs only when AISYNC_CODEX names the codex binary, e.g.
//
//	AISYNC_CODEX=$(command -v codex) go test -run TestRealCodex ./backend/clients/codex/
func TestRealCodex(t *testing.T) {
	bin := os.Getenv("AISYNC_CODEX")
	if bin == "" {
		t.Skip("set AISYNC_CODEX to the codex binary to check the output against the real CLI")
	}
	a := &Adapter{}
	files := map[string][]byte{}
	home := t.TempDir()
	env := clients.Env{GOOS: runtime.GOOS, Home: home, Vars: map[string]string{"CODEX_HOME": filepath.Join(home, ".codex")}}
	ep := endpoint(t, env, clients.UserScope, clients.FormatTOML)
	out, _, err := a.Encode(ep, clients.Files{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	files["sample"] = out[ep.Path]
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.toml"))
	for _, g := range append(goldens, filepath.Join("testdata", "config.toml")) {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(g)] = b
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			codexHome := filepath.Join(home, ".codex")
			if err := os.MkdirAll(codexHome, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(codexHome, "config.toml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "mcp", "list", "--json")
			cmd.Env = append(os.Environ(), "HOME="+home, "CODEX_HOME="+codexHome, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
			stdout, err := cmd.Output()
			if err != nil {
				t.Fatalf("codex rejected the file: %v\n%s", err, data)
			}
			var listed []struct {
				Name      string `json:"name"`
				Enabled   bool   `json:"enabled"`
				Transport struct {
					Type    string   `json:"type"`
					Command string   `json:"command"`
					Args    []string `json:"args"`
					URL     string   `json:"url"`
				} `json:"transport"`
				Startup *float64 `json:"startup_timeout_sec"`
				Tool    *float64 `json:"tool_timeout_sec"`
			}
			if err := json.Unmarshal(stdout, &listed); err != nil {
				t.Fatalf("codex output: %v\n%s", err, stdout)
			}
			want, _, err := a.Decode(clients.Endpoint{Path: "c", Format: clients.FormatTOML}, clients.Files{"c": data})
			if err != nil {
				t.Fatal(err)
			}
			if len(listed) != len(want.Servers) {
				t.Fatalf("codex lists %d servers, aisync reads %d", len(listed), len(want.Servers))
			}
			for _, l := range listed {
				s, ok := want.Servers[l.Name]
				if !ok {
					t.Errorf("codex lists %s, which aisync does not read", l.Name)
					continue
				}
				typ := map[unified.Transport]string{unified.TransportStdio: "stdio", unified.TransportHTTP: "streamable_http"}[s.Transport]
				if l.Enabled == s.Disabled || l.Transport.Type != typ || l.Transport.Command != s.Command ||
					strings.Join(l.Transport.Args, "\x00") != strings.Join(s.Args, "\x00") || l.Transport.URL != s.URL {
					t.Errorf("%s: codex sees %+v, aisync %+v", l.Name, l, s)
				}
				if ms(l.Startup) != s.StartupTimeoutMs || ms(l.Tool) != s.ToolTimeoutMs {
					t.Errorf("%s: timeouts %v/%v s, aisync %d/%d ms", l.Name, l.Startup, l.Tool, s.StartupTimeoutMs, s.ToolTimeoutMs)
				}
			}
		})
	}
}

func ms(sec *float64) int64 {
	if sec == nil {
		return 0
	}
	return int64(*sec*1000 + 0.5)
}
