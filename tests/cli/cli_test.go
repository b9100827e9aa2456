// Package cli runs the real aisync binary (AISYNC_BIN) against a temporary HOME: the faces
// of the one binary, their exit codes and messages, and a first sync that leaves every
// detected client with the union of what they had.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func bin(t *testing.T) string {
	t.Helper()
	b := os.Getenv("AISYNC_BIN")
	if b == "" {
		t.Skip("AISYNC_BIN is not set (make test sets it to build/bin/aisync)")
	}
	return b
}

type run struct {
	code           int
	stdout, stderr string
}

func aisync(t *testing.T, home string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin(t), args...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"AISYNC_DATA_DIR=" + filepath.Join(home, "aisync-data"), "AISYNC_ENV_FILE=", "AISYNC_SECRETS_BACKEND=file"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, out.String(), errb.String()}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"synk"}, 2, `Did you mean "sync"?`},
		{[]string{"--bogus"}, 2, `unknown flag "--bogus"`},
		{[]string{"sync", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"sync"}, 2, "pass --once"},
		{[]string{"version"}, 0, "aisync "},
		{[]string{"help"}, 0, "sync --once"},
	}
	for _, c := range cases {
		r := aisync(t, home, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.want) {
			t.Errorf("aisync %v: exit %d, output %q; want exit %d containing %q", c.args, r.code, r.stdout+r.stderr, c.code, c.want)
		}
	}
	cmd := exec.Command(bin(t), "status")
	cmd.Env = []string{"HOME=" + home, "AISYNC_ENV_FILE=", "AISYNC_CONFLICT_POLICY=coinflip"}
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "AISYNC_CONFLICT_POLICY") || !strings.Contains(string(out), "priority, newest, merge, manual") {
		t.Errorf("invalid setting: exit %d, %s", cmd.ProcessState.ExitCode(), out)
	}
}

// TestSyncOnceUnionThenNothing is the check: a first `aisync sync --once` leaves
// every detected client with the union of their servers and rules, prints what it did per
// client, exits 0; a second run changes nothing (no writes, no new snapshot).
func TestSyncOnceUnionThenNothing(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	write(t, filepath.Join(home, ".cursor", "mcp.json"), `{
  // my servers
  "mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}
}`)
	write(t, filepath.Join(home, ".codex", "config.toml"), "# codex\nmodel = \"o3\"\n\n[mcp_servers.git]\ncommand = \"uvx\"\nargs = [\"mcp-server-git\"]\n")
	write(t, filepath.Join(home, ".gemini", "settings.json"), `{"theme": "GitHub", "mcpServers": {"docs": {"httpUrl": "https://mcp.example.com/mcp"}}}`)
	write(t, filepath.Join(home, ".claude.json"), `{"numStartups": 3, "mcpServers": {}}`)
	write(t, filepath.Join(home, ".claude", "CLAUDE.md"), "# My notes\n\nBe concise.\n")

	r := aisync(t, home, "sync", "--once")
	if r.code != 0 {
		t.Fatalf("first run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, id := range []string{"claude-code", "codex", "cursor", "gemini"} {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("summary lacks %s:\n%s", id, r.stdout)
		}
	}
	check := func(file string, wants ...string) {
		b, _ := os.ReadFile(filepath.Join(home, file))
		for _, w := range wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q:\n%s", file, w, b)
			}
		}
	}
	check(".cursor/mcp.json", "// my servers", `"git"`, `"docs"`, `"fetch"`)
	check(".codex/config.toml", "# codex", `model = "o3"`, "[mcp_servers.fetch]", "[mcp_servers.docs]")
	check(".gemini/settings.json", `"theme": "GitHub"`, `"fetch"`, `"git"`)
	check(".claude.json", `"numStartups": 3`, `"fetch"`, `"git"`, `"docs"`)
	check(".claude/CLAUDE.md", "# My notes", "Be concise.")

	before := map[string][]byte{}
	for _, f := range []string{".cursor/mcp.json", ".codex/config.toml", ".gemini/settings.json", ".claude.json"} {
		before[f], _ = os.ReadFile(filepath.Join(home, f))
	}
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	r2 := aisync(t, home, "sync", "--once", "--json", "--cpuprofile", prof)
	if r2.code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}
	// --cpuprofile leaves a pprof profile (gzip-compressed protobuf) and no other output.
	if b, err := os.ReadFile(prof); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("--cpuprofile wrote no pprof profile to %s (%d bytes, %v)", prof, len(b), err)
	}
	var res struct {
		FilesWritten, Snapshots int
	}
	if err := json.Unmarshal([]byte(r2.stdout), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, r2.stdout)
	}
	if res.FilesWritten != 0 || res.Snapshots != 0 {
		t.Fatalf("second run changed things: %+v", res)
	}
	for f, b := range before {
		if now, _ := os.ReadFile(filepath.Join(home, f)); !bytes.Equal(now, b) {
			t.Errorf("%s changed on the second run", f)
		}
	}
	snaps := aisync(t, home, "snapshots", "--json")
	if strings.Count(snaps.stdout, `"unifiedHash"`) != 1 {
		t.Errorf("want exactly one snapshot:\n%s", snaps.stdout)
	}
}

// TestServeStartsAndStopsCleanly checks `aisync serve --port 0`: it prints its URL, answers
// /healthz, and exits 0 on SIGTERM.
func TestServeStartsAndStopsCleanly(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cmd := exec.Command(bin(t), "serve", "--port", "0")
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AISYNC_DATA_DIR=" + filepath.Join(home, "d"), "AISYNC_ENV_FILE=", "AISYNC_SECRETS_BACKEND=file", "AISYNC_API_TOKEN=x"}
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	buf := make([]byte, 4096)
	var got string
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(got, "serving on") && time.Now().Before(deadline) {
		n, err := out.Read(buf)
		got += string(buf[:n])
		if err != nil {
			break
		}
	}
	i := strings.Index(got, "http://127.0.0.1:")
	if i < 0 {
		t.Fatalf("no URL printed: %q", got)
	}
	url := strings.Fields(got[i:])[0]
	hc := exec.Command("curl", "-fsS", url+"healthz")
	if b, err := hc.CombinedOutput(); err != nil || !strings.Contains(string(b), "ok") {
		t.Fatalf("healthz: %v %s", err, b)
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v on SIGINT", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGINT")
	}
}
