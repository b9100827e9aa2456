package opencode

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// TestRealOpencode writes the sample and every golden file as the user's opencode.jsonc in a
// temporary home and reads opencode's resolved configuration back (`opencode debug config`,
// which validates the file and connects to nothing). It runs only when AISYNC_OPENCODE names
// the opencode binary, e.g.
//
//	AISYNC_OPENCODE=$(command -v opencode) go test -run TestRealOpencode ./backend/clients/opencode/
func TestRealOpencode(t *testing.T) {
	bin := os.Getenv("AISYNC_OPENCODE")
	if bin == "" {
		t.Skip("set AISYNC_OPENCODE to the opencode binary to check the output against the real CLI")
	}
	a := &Adapter{}
	home := t.TempDir()
	ep := endpoint(t, clients.Env{GOOS: runtime.GOOS, Home: home}, clients.UserScope, clients.FormatJSONC)
	out, _, err := a.Encode(ep, clients.Files{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"sample": out[ep.Path]}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.jsonc"))
	for _, g := range append(goldens, filepath.Join("testdata", "opencode.jsonc")) {
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
			dir, work := filepath.Join(home, ".config", "opencode"), filepath.Join(home, "work")
			for _, d := range []string{dir, work} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "opencode.jsonc"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "debug", "config")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
				"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
				"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"), "OPENCODE_DISABLE_AUTOUPDATE=1", "OPENCODE_DISABLE_MODELS_FETCH=1")
			stdout, err := cmd.Output()
			if err != nil {
				t.Fatalf("opencode rejected the file: %v\n%s", err, data)
			}
			var resolved struct {
				MCP        json.RawMessage `json:"mcp"`
				Permission json.RawMessage `json:"permission"`
			}
			if err := json.Unmarshal(stdout, &resolved); err != nil {
				t.Fatalf("opencode output: %v\n%s", err, stdout)
			}
			doc := map[string]json.RawMessage{}
			if len(resolved.MCP) > 0 && string(resolved.MCP) != "null" {
				doc["mcp"] = resolved.MCP
			}
			if len(resolved.Permission) > 0 && string(resolved.Permission) != "null" {
				doc["permission"] = resolved.Permission
			}
			b, _ := json.Marshal(doc)
			seen, _, err := a.Decode(clients.Endpoint{Path: "r", Format: clients.FormatJSONC}, clients.Files{"r": b})
			if err != nil {
				t.Fatal(err)
			}
			want, _, _ := a.Decode(clients.Endpoint{Path: "f", Format: clients.FormatJSONC}, clients.Files{"f": data})
			// opencode substitutes and redacts environment and header values; the rest must agree.
			strip := func(c unified.Config) unified.Config {
				for n, s := range c.Servers {
					s.Env, s.Headers = nil, nil
					c.Servers[n] = s
				}
				return c
			}
			if !strip(seen).Equal(strip(want)) {
				t.Errorf("opencode resolves\n%s\naisync reads\n%s", strip(seen).Canonical(), strip(want).Canonical())
			}
		})
	}
}
