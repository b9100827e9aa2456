package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/engine"
	"aisync/backend/store"
)

// binPath is the aisync binary under test (AISYNC_BIN); binary-based cases skip without it.
func binPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("AISYNC_BIN")
	if p == "" {
		t.Skip("AISYNC_BIN is not set: this case runs the real binary; build it with `make build` and set AISYNC_BIN=$PWD/build/bin/aisync (make test does)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("AISYNC_BIN=%s: %v", p, err)
	}
	return p
}

const apiToken = "reliability-test-token-0123456789abcdef"

// binHome is a temporary HOME and data dir for the real binary.
type binHome struct {
	t    testing.TB
	bin  string
	root string
	home string
	data string
	env  []string
	cred *syscall.Credential // run as this user (nil: as we are)
}

// newBinHome seeds the given clients' files under a fresh HOME. The directory is made
// traversable by everyone so that a case can run the binary as an unprivileged user.
func newBinHome(t testing.TB, ids []string, extraEnv ...string) *binHome {
	t.Helper()
	bin := binPath(t)
	root, err := os.MkdirTemp("", "aisync-reliability-*")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	must(t, os.Chmod(root, 0o755))
	h := &binHome{t: t, bin: bin, root: root, home: filepath.Join(root, "home"), data: filepath.Join(root, "data")}
	must(t, os.MkdirAll(h.home, 0o755))
	must(t, os.MkdirAll(h.data, 0o700))
	for _, id := range ids {
		for rel, content := range seeds[id] {
			writeFile(t, filepath.Join(h.home, rel), content)
		}
	}
	h.env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + h.home, "XDG_CONFIG_HOME=" + filepath.Join(h.home, ".config"),
		"AISYNC_DATA_DIR=" + h.data, "AISYNC_ENV_FILE=", "AISYNC_SECRETS_BACKEND=file", "AISYNC_API_TOKEN=" + apiToken,
		"AISYNC_RETRY_MAX=2", "AISYNC_RETRY_BASE_MS=5", "AISYNC_LOG_LEVEL=debug", "AISYNC_LOG_FORMAT=json",
	}
	h.env = append(h.env, extraEnv...)
	return h
}

// clientEnv is the Env the binary sees, for decoding its files here.
func (h *binHome) clientEnv() clients.Env {
	return clients.Env{GOOS: "linux", Home: h.home, XDGConfigHome: filepath.Join(h.home, ".config"), Vars: map[string]string{}}
}

func (h *binHome) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = h.env
	cmd.Dir = h.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: h.cred}
	return cmd
}

// syncOnce runs `aisync sync --once --json` and returns its result and exit code.
func (h *binHome) syncOnce(args ...string) (engine.Result, int, string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := h.command(ctx, append([]string{"sync", "--once", "--json"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("run aisync sync: %v", err)
	}
	var res engine.Result
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			h.t.Fatalf("aisync sync printed no JSON result (exit %d): %v\nstdout: %s\nstderr: %s", code, err, stdout.String(), stderr.String())
		}
	}
	return res, code, stderr.String()
}

// openStore opens the binary's database here (the binary must not be running).
func (h *binHome) openStore() *store.SQLite {
	h.t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(h.data, "aisync.db"))
	if err != nil {
		h.t.Fatalf("open the binary's database: %v", err)
	}
	return st
}

// server is a running `aisync serve`.
type server struct {
	t    testing.TB
	cmd  *exec.Cmd
	url  string
	done chan error
	out  *lockedBuffer
}

// serve starts `aisync serve --port 0` and waits for its URL.
func (h *binHome) serve(args ...string) *server {
	h.t.Helper()
	cmd := h.command(context.Background(), append([]string{"serve", "--port", "0"}, args...)...)
	pr, pw := io.Pipe()
	out := &lockedBuffer{}
	cmd.Stdout = io.MultiWriter(pw, out)
	cmd.Stderr = out
	must(h.t, cmd.Start())
	s := &server{t: h.t, cmd: cmd, done: make(chan error, 1), out: out}
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	h.t.Cleanup(func() { s.stop() })
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "aisync serving on "); ok {
				urlc <- strings.TrimSuffix(u, "/")
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case s.url = <-urlc:
	case err := <-s.done:
		h.t.Fatalf("aisync serve exited before serving: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		h.t.Fatalf("aisync serve printed no URL within 60s\n%s", out.String())
	}
	return s
}

// stop ends the server with SIGTERM (then SIGKILL after 15 s) and waits for it.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func doRequest(t testing.TB, c *http.Client, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// metrics parses the Prometheus text exposition into "name{labels}" → value.
func parseMetrics(text []byte) map[string]float64 {
	out := map[string]float64{}
	for _, line := range strings.Split(string(text), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out
}

// metricSum adds every series of a metric whose labels contain all the given pairs.
func metricSum(m map[string]float64, name string, labels ...string) float64 {
	var sum float64
	for k, v := range m {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(k, l) {
				ok = false
			}
		}
		if ok {
			sum += v
		}
	}
	return sum
}

// rssKB is a process's resident set size from /proc.
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// chownTree gives a tree to uid/gid (for runs as an unprivileged user).
func chownTree(t testing.TB, dir string, uid, gid int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	must(t, err)
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
