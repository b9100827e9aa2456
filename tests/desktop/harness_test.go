// Package desktop holds the end-to-end tests of the desktop face: the real binary under
// Xvfb, its tray read and clicked over D-Bus through a fake StatusNotifierWatcher, its
// native conflict dialog answered with xdotool, and a clean shutdown on SIGTERM.
//
// They need AISYNC_BIN (the built binary) and DISPLAY (an X server, e.g. xvfb-run), plus
// dbus-daemon, xdotool and ImageMagick's import and convert. Each test starts its own
// private D-Bus session bus, so the tray host and the app share a bus nothing else uses.
// Screenshots go to AISYNC_SCREENSHOT_DIR (e.g. $PWD/docs/screenshots to refresh the
// README's), else to a temporary directory.
package desktop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aisync/backend/store"
)

// requirements skips the test unless the binary, a display and the tools are there.
func requirements(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("AISYNC_BIN")
	if bin == "" {
		t.Skip("AISYNC_BIN is not set: these tests run the real desktop binary; build it with `make build` and run " +
			"AISYNC_BIN=$PWD/build/bin/aisync GOFLAGS=-tags=webkit2_41 xvfb-run -a -s \"-screen 0 1280x800x24\" go test ./tests/desktop/ (scripts/test.sh does)")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("AISYNC_BIN=%s: %v", bin, err)
	}
	if os.Getenv("DISPLAY") == "" {
		t.Skip("DISPLAY is not set: the desktop tests need an X server; run them under xvfb-run -a -s \"-screen 0 1280x800x24\"")
	}
	for _, tool := range []string{"dbus-daemon", "xdotool", "import", "convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install dbus xdotool imagemagick): %v", tool, err)
		}
	}
	return bin
}

// startBus starts a private session bus and returns its address; it is killed at cleanup.
func startBus(t *testing.T) string {
	t.Helper()
	// A session bus without service activation: nothing (the accessibility bus, say) is
	// started on demand, so the bus's process group is all there is to stop.
	dir := t.TempDir()
	conf := filepath.Join(dir, "session.conf")
	writeFile(t, conf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`)
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("dbus-daemon output:\n%s", logs.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			addr <- strings.TrimSpace(sc.Text())
		}
		for sc.Scan() {
		}
	}()
	select {
	case a := <-addr:
		return a
	case <-done:
		t.Fatal("dbus-daemon exited before printing its address")
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon printed no address within 10s")
	}
	return ""
}

// home is a temporary HOME with two detected clients, Cursor (two servers) and Codex (an
// empty ~/.codex), and a private data directory.
type home struct {
	dir, data, tmp string
}

// cursorSeed is Cursor's mcp.json at the start.
const cursorSeed = `{"mcpServers": {
  "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]},
  "git": {"command": "uvx", "args": ["mcp-server-git"]}
}}
`

func newHome(t *testing.T) home {
	t.Helper()
	root := t.TempDir()
	h := home{dir: filepath.Join(root, "home"), data: filepath.Join(root, "data"), tmp: filepath.Join(root, "tmp")}
	for _, d := range []string{h.dir, h.tmp, filepath.Join(h.dir, ".cursor"), filepath.Join(h.dir, ".codex")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, h.cursorFile(), cursorSeed)
	return h
}

func (h home) cursorFile() string { return filepath.Join(h.dir, ".cursor", "mcp.json") }
func (h home) codexFile() string  { return filepath.Join(h.dir, ".codex", "config.toml") }
func (h home) dbPath() string     { return filepath.Join(h.data, "aisync.db") }

// app is the running desktop binary.
type app struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  string // stdout and stderr
	h    home

	stMu sync.Mutex
	st   *store.SQLite
}

// output is what the app printed so far.
func (a *app) output() string {
	b, _ := os.ReadFile(a.log)
	return string(b)
}

// startApp starts the desktop app (no arguments) on the given bus, in its own process
// group, with an environment that only points into h.
func startApp(t *testing.T, bin, bus string, h home) *app {
	t.Helper()
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AISYNC_"), strings.HasPrefix(k, "XDG_"), k == "HOME", k == "TMPDIR",
			k == "CODEX_HOME", k == "DBUS_SESSION_BUS_ADDRESS", k == "GOFLAGS":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+h.dir, "TMPDIR="+h.tmp,
		"XDG_CONFIG_HOME="+filepath.Join(h.dir, ".config"), "XDG_DATA_HOME="+filepath.Join(h.dir, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(h.dir, ".cache"),
		"DBUS_SESSION_BUS_ADDRESS="+bus,
		"AISYNC_DATA_DIR="+h.data, "AISYNC_ENV_FILE=", "AISYNC_SECRETS_BACKEND=file", "AISYNC_API_TOKEN=t",
		"AISYNC_PORT=0", "AISYNC_CONFLICT_POLICY=manual", "AISYNC_RESCAN_SECONDS=0", "NO_AT_BRIDGE=1",
	)
	cmd := exec.Command(bin)
	cmd.Dir = h.dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A file, not a pipe: WebKit's helper processes inherit it and live on for a few seconds
	// after the app exits, and Wait would wait for them to close a pipe.
	a := &app{t: t, cmd: cmd, done: make(chan struct{}), log: filepath.Join(filepath.Dir(h.dir), "app.log"), h: h}
	logf, err := os.Create(a.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { a.err = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		a.closeStore()
		if !a.exited() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-a.done
		}
		// WebKit's helper processes share the group; none may outlive the test.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if t.Failed() {
			t.Logf("app output:\n%s", a.output())
		}
	})
	return a
}

func (a *app) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// waitFor polls cond every 100 ms until it holds or timeout passes; cond returns whether it
// holds and, for the failure message, what it saw last.
func waitFor(t *testing.T, a *app, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		if a != nil && a.exited() {
			t.Fatalf("%s: the app exited (%v) while waiting; last seen: %s", what, a.err, last)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last seen: %s", what, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// run runs a helper command with a hard timeout and returns its trimmed stdout.
func run(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %s", name, timeout)
	}
	if err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// findWindow waits (bounded) for a visible window of the app whose name matches the regexp.
func findWindow(a *app, name string, timeout time.Duration) (string, error) {
	secs := fmt.Sprint(int(timeout.Seconds()))
	out, err := run(timeout+2*time.Second, "timeout", secs, "xdotool", "search", "--sync", "--all", "--onlyvisible",
		"--pid", fmt.Sprint(a.cmd.Process.Pid), "--name", name)
	if err != nil {
		return "", err
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		return "", fmt.Errorf("no window named %q", name)
	}
	return ids[0], nil
}

// windows lists the app's visible windows whose name matches the regexp, now.
func windows(a *app, name string) []string {
	out, _ := run(5*time.Second, "xdotool", "search", "--all", "--onlyvisible", "--pid", fmt.Sprint(a.cmd.Process.Pid), "--name", name)
	return strings.Fields(out)
}

// screenshot captures one window into dir/name and returns the path and the image's
// standard deviation (about 0 for a blank window).
func screenshot(t *testing.T, win, dir, name string) (string, float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	tmp := path + ".tmp.png"
	if _, err := run(20*time.Second, "timeout", "15", "import", "-window", win, tmp); err != nil {
		t.Fatalf("screenshot of window %s: %v", win, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	out, err := run(15*time.Second, "convert", path, "-format", "%[fx:standard_deviation]", "info:")
	if err != nil {
		t.Fatalf("measure %s: %v", path, err)
	}
	var sd float64
	fmt.Sscanf(out, "%g", &sd)
	return path, sd
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("AISYNC_SCREENSHOT_DIR"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	return t.TempDir()
}

// withStore runs fn on the app's database, opened once (WAL lets it be read beside the
// app) and only read. It is closed before the app is stopped and at cleanup.
func (a *app) withStore(fn func(*store.SQLite) error) error {
	a.stMu.Lock()
	defer a.stMu.Unlock()
	if a.st == nil {
		if _, err := os.Stat(a.h.dbPath()); err != nil {
			return err
		}
		st, err := openStore(a.h.dbPath())
		if err != nil {
			return err
		}
		a.st = st
	}
	return fn(a.st)
}

func (a *app) closeStore() {
	a.stMu.Lock()
	defer a.stMu.Unlock()
	if a.st != nil {
		a.st.Close()
		a.st = nil
	}
}

// checkClosedDB checks the database of an app that has exited: closed cleanly (the WAL
// checkpointed and removed) and intact.
func checkClosedDB(t *testing.T, h home) {
	t.Helper()
	if fi, err := os.Stat(h.dbPath() + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("the database's WAL (%d bytes) was left behind: the store was not closed", fi.Size())
	}
	st, err := openStore(h.dbPath())
	if err != nil {
		t.Fatalf("open the database after shutdown: %v", err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("database after shutdown: %v", err)
	}
}

func openStore(path string) (*store.SQLite, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return store.Open(ctx, path)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// groupGone waits (bounded) until no process of the app's process group is left: WebKit's
// web and network processes share it and outlive the app by a moment.
func groupGone(t *testing.T, pgid int) {
	t.Helper()
	start := time.Now()
	waitFor(t, nil, 10*time.Second, "no process of the app's group left (WebKit helpers)", func() (bool, string) {
		out, _ := run(5*time.Second, "pgrep", "-a", "-g", fmt.Sprint(pgid))
		return !groupAlive(pgid), out
	})
	t.Logf("the app's helper processes were gone %.2fs after it exited", time.Since(start).Seconds())
}

// groupAlive reports whether any process of the group pgid is left.
func groupAlive(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
