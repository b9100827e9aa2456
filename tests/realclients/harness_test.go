package realclients

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// cmdTimeout bounds every run of a real client; the whole process group is killed after it.
const cmdTimeout = 60 * time.Second

// binDir is the node_modules/.bin directory holding the real clients (a relative path is
// taken from this package's directory, where go test runs).
var binDir = func() string {
	d := os.Getenv("AISYNC_REALCLIENTS_DIR")
	if d == "" {
		return ""
	}
	if abs, err := filepath.Abs(d); err == nil {
		return abs
	}
	return d
}()

// need returns the path of one CLI of binDir. It skips the test when AISYNC_REALCLIENTS_DIR
// is unset and fails it when the variable is set but the CLI is not installed there.
func need(t *testing.T, name string) string {
	t.Helper()
	if binDir == "" {
		t.Skip("AISYNC_REALCLIENTS_DIR is not set: run scripts/realclients.sh, then " +
			"AISYNC_REALCLIENTS_DIR=$PWD/tests/realclients/node_modules/.bin go test ./tests/realclients/")
	}
	p := filepath.Join(binDir, name)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("AISYNC_REALCLIENTS_DIR=%s is set but %s is not an installed executable (%v): run scripts/realclients.sh", binDir, name, err)
	}
	return p
}

// adapter returns a registered adapter, failing the test when it is missing.
func adapter(t *testing.T, id string) clients.Adapter {
	t.Helper()
	a, ok := clients.Get(id)
	if !ok {
		t.Fatalf("no adapter %q is registered (is it imported by backend/clients/all?)", id)
	}
	return a
}

// sandbox is a temporary home for one client run: HOME and every XDG directory inside it,
// plus the client's own relocation variables, so nothing of the real user is read or written.
type sandbox struct {
	t    *testing.T
	home string
	work string            // a project folder inside home; the clients run from here
	vars map[string]string // the whole environment of the client processes
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	home := t.TempDir()
	sb := &sandbox{t: t, home: home, work: filepath.Join(home, "work", "proj")}
	vars := map[string]string{
		"HOME":            home,
		"USER":            "aisync",
		"LOGNAME":         "aisync",
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"TMPDIR":          filepath.Join(home, "tmp"),
		"PATH":            binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"LANG":            "C.UTF-8",
		"NO_COLOR":        "1",
		"TERM":            "dumb",
	}
	sb.vars = vars
	for _, k := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR"} {
		sb.mkdir(vars[k])
	}
	sb.mkdir(sb.work)
	return sb
}

// set adds client variables to the environment.
func (sb *sandbox) set(kv ...string) *sandbox {
	for i := 0; i+1 < len(kv); i += 2 {
		sb.vars[kv[i]] = kv[i+1]
	}
	return sb
}

func (sb *sandbox) mkdir(dir string) {
	sb.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		sb.t.Fatal(err)
	}
}

// env is what the adapters see: the same variables the clients get.
func (sb *sandbox) env() clients.Env {
	return clients.EnvFrom(runtime.GOOS, func(k string) string { return sb.vars[k] })
}

func (sb *sandbox) environ() []string {
	out := make([]string, 0, len(sb.vars))
	for k, v := range sb.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// result is one finished client run.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout\n%s\n--- stderr\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// run runs a CLI from the project folder with the sandbox environment and no stdin. It fails
// the test if the process cannot start or outlives cmdTimeout; a non-zero exit is returned.
func (sb *sandbox) run(prog string, args ...string) result {
	sb.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = sb.work
	cmd.Env = sb.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if cmd.Process != nil {
		// MCP servers the client started for a health check must not outlive it.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), took: took}
	label := filepath.Base(prog) + " " + strings.Join(args, " ")
	if ctx.Err() != nil {
		res.code = -1
		sb.t.Fatalf("%s: killed after %s (timeout)\n%s", label, cmdTimeout, res)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		sb.t.Fatalf("%s: %v\n%s", label, err, res)
	}
	sb.t.Logf("ran %s (%s, exit %d)", label, took.Round(time.Millisecond), res.code)
	return res
}

// mustRun is run for commands that have to succeed.
func (sb *sandbox) mustRun(prog string, args ...string) result {
	sb.t.Helper()
	r := sb.run(prog, args...)
	if r.code != 0 {
		sb.t.Fatalf("%s %s failed: %s", filepath.Base(prog), strings.Join(args, " "), r)
	}
	return r
}

// endpoint picks the adapter's servers endpoint for the scope (pick chooses among several).
func (sb *sandbox) endpoint(a clients.Adapter, scope clients.Scope, pick func(clients.Endpoint) bool) clients.Endpoint {
	sb.t.Helper()
	var found []clients.Endpoint
	for _, ep := range a.Endpoints(sb.env(), scope) {
		if ep.Has(unified.SectionServers) && (pick == nil || pick(ep)) {
			found = append(found, ep)
		}
	}
	if len(found) != 1 {
		sb.t.Fatalf("%s: want one servers endpoint for scope %s, got %+v", a.ID(), scope.ID(), found)
	}
	return found[0]
}

// read returns the existing files of the endpoint (its companions too) plus any extra files.
func (sb *sandbox) read(ep clients.Endpoint, extra ...string) clients.Files {
	sb.t.Helper()
	files := clients.Files{}
	for _, p := range append(append([]string{ep.Path}, ep.Companions...), extra...) {
		data, err := os.ReadFile(p)
		switch {
		case err == nil:
			files[p] = data
		case errors.Is(err, fs.ErrNotExist):
		default:
			sb.t.Fatal(err)
		}
	}
	return files
}

// encode writes cfg through the adapter's endpoint into the sandbox, as the sync engine would.
func (sb *sandbox) encode(a clients.Adapter, ep clients.Endpoint, cfg unified.Config) []clients.Warning {
	sb.t.Helper()
	out, warns, err := a.Encode(ep, sb.read(ep), cfg)
	if err != nil {
		sb.t.Fatalf("%s: encode %s: %v", a.ID(), ep.Path, err)
	}
	for _, p := range out.Sorted() {
		if out[p] == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				sb.t.Fatal(err)
			}
			continue
		}
		sb.mkdir(filepath.Dir(p))
		if err := os.WriteFile(p, out[p], 0o600); err != nil {
			sb.t.Fatal(err)
		}
		sb.t.Logf("%s wrote %s:\n%s", a.ID(), p, out[p])
	}
	for _, w := range warns {
		sb.t.Logf("%s warning: %s [%s]", a.ID(), w, w.Code)
	}
	return warns
}

// decode reads the endpoint back through the adapter.
func (sb *sandbox) decode(a clients.Adapter, ep clients.Endpoint, extra ...string) unified.Config {
	sb.t.Helper()
	files := sb.read(ep, extra...)
	for p, data := range files {
		sb.t.Logf("%s wrote %s:\n%s", a.ID(), p, data)
	}
	cfg, warns, err := a.Decode(ep, files)
	if err != nil {
		sb.t.Fatalf("%s: decode %s: %v", a.ID(), ep.Path, err)
	}
	for _, w := range warns {
		sb.t.Logf("%s decode warning: %s [%s]", a.ID(), w, w.Code)
	}
	return cfg
}

// checkNoop re-encodes what was just decoded: nothing may change, byte for byte, in a file
// the real client wrote.
func (sb *sandbox) checkNoop(a clients.Adapter, ep clients.Endpoint, cfg unified.Config) {
	sb.t.Helper()
	before := sb.read(ep)
	out, _, err := a.Encode(ep, before, cfg)
	if err != nil {
		sb.t.Errorf("%s: re-encoding the config just decoded from %s: %v", a.ID(), ep.Path, err)
		return
	}
	for _, p := range out.Sorted() {
		if !bytes.Equal(out[p], before[p]) {
			sb.t.Errorf("%s: re-encoding the unchanged config rewrites %s (the client's own file):\n--- before\n%s\n--- after\n%s",
				a.ID(), p, before[p], out[p])
		}
	}
}

// addServer adds one server through the adapter to the servers already in the endpoint's
// file, as a sync into a file the client wrote would.
func (sb *sandbox) addServer(a clients.Adapter, ep clients.Endpoint, cfg unified.Config, name string, s unified.Server) {
	sb.t.Helper()
	next := cfg.Clone()
	if next.Servers == nil {
		next.Servers = map[string]unified.Server{}
	}
	next.Servers[name] = s
	sb.encode(a, ep, next)
}

// checkNames checks that a client lists exactly these servers.
func checkNames(t *testing.T, client string, got map[string]listed, want ...string) {
	t.Helper()
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	w := union(want, nil)
	if !reflect.DeepEqual(names, w) {
		t.Errorf("%s lists %v, want %v", client, names, w)
	}
}

// hasWarning reports whether a warning with the code is about the server.
func hasWarning(warns []clients.Warning, code, server string) bool {
	for _, w := range warns {
		if w.Code == code && w.Item == "server:"+server {
			return true
		}
	}
	return false
}

// checkDecoded compares what the adapter decoded with the servers the client was told to add.
func checkDecoded(t *testing.T, client string, got unified.Config, want map[string]unified.Server) {
	t.Helper()
	g := unified.Config{Servers: got.Servers}
	w := unified.Config{Servers: want}
	g.Normalize()
	w.Normalize()
	for _, name := range union(g.ServerNames(), w.ServerNames()) {
		gs, gok := g.Servers[name]
		ws, wok := w.Servers[name]
		switch {
		case !gok:
			t.Errorf("%s added %q but our adapter did not decode it", client, name)
		case !wok:
			t.Errorf("our adapter decoded a server %q that %s was not told to add: %s", name, client, js(gs))
		case !reflect.DeepEqual(gs, ws):
			t.Errorf("server %q added by %s decodes wrong:\n got  %s\n want %s", name, client, js(gs), js(ws))
		}
	}
}

// listed is what a client shows for one server; each parser fills what its client prints.
type listed struct {
	Transport string            `json:"transport,omitempty"` // stdio, http or sse
	Command   string            `json:"command,omitempty"`
	Args      []string          `json:"args,omitempty"`
	CmdLine   string            `json:"cmdLine,omitempty"` // command and args joined by spaces (text outputs)
	Env       map[string]string `json:"env,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`
	URL       string            `json:"url,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	BearerEnv string            `json:"bearerEnv,omitempty"`
	StartupMs int64             `json:"startupMs,omitempty"`
	ToolMs    int64             `json:"toolMs,omitempty"` // per-call timeout
	Allow     []string          `json:"allow,omitempty"`  // tools
	Deny      []string          `json:"deny,omitempty"`
	Enabled   bool              `json:"enabled"`
	Status    string            `json:"status,omitempty"` // the client's own word (Connected, disabled, …)
}

// checkListed compares a client's listing with what we meant, server by server.
func checkListed(t *testing.T, client string, got, want map[string]listed) {
	t.Helper()
	var names []string
	for n := range got {
		names = append(names, n)
	}
	for n := range want {
		names = append(names, n)
	}
	for _, name := range union(names, nil) {
		g, gok := got[name]
		w, wok := want[name]
		switch {
		case !gok:
			t.Errorf("%s does not list %q: our adapter left it out, or the client dropped or rejected it (want %s)", client, name, js(w))
		case !wok:
			t.Errorf("%s lists %q, which we did not mean to write: %s", client, name, js(g))
		case js(g) != js(w):
			t.Errorf("%s reads %q differently from what we meant:\n got  %s\n want %s", client, name, js(g), js(w))
		}
	}
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// mustJSON decodes a client's JSON output, failing with the whole output when it does not parse.
func mustJSON(t *testing.T, client string, r result, v any) {
	t.Helper()
	out := strings.TrimSpace(r.stdout)
	// Tolerate banner lines before the document.
	if i := strings.IndexAny(out, "[{"); i > 0 {
		out = out[i:]
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s: output is not the JSON we expected (%v):\n%s", client, err, r)
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// lines returns the output lines without colour codes, carriage returns or trailing blanks.
func lines(s string) []string {
	s = ansi.ReplaceAllString(s, "")
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := strings.TrimRight(strings.ReplaceAll(sc.Text(), "\r", ""), " \t")
		if i := strings.LastIndex(l, "\r"); i >= 0 {
			l = l[i+1:]
		}
		out = append(out, l)
	}
	return out
}

// ---- the MCP "everything" server, for clients that connect to what they list ----

type everythingServer struct {
	cmd *exec.Cmd
	url string
}

var everything struct {
	sync.Mutex
	servers map[string]*everythingServer // by transport: "streamableHttp", "sse"
}

// everythingURL starts (once per test binary) `mcp-server-everything <mode>` on a free
// port of 127.0.0.1 and returns the URL of its MCP endpoint.
func everythingURL(t *testing.T, mode string) string {
	t.Helper()
	prog := need(t, "mcp-server-everything")
	everything.Lock()
	defer everything.Unlock()
	if s, ok := everything.servers[mode]; ok {
		return s.url
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startEverything(prog, mode)
		if err == nil {
			if everything.servers == nil {
				everything.servers = map[string]*everythingServer{}
			}
			everything.servers[mode] = s
			t.Logf("mcp-server-everything %s listening at %s", mode, s.url)
			return s.url
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return ""
}

// startEverything starts one server on a port that was free a moment ago and waits (45 s at
// most) until it accepts connections.
func startEverything(prog, mode string) (*everythingServer, error) {
	path := map[string]string{"streamableHttp": "/mcp", "sse": "/sse"}[mode]
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(prog, mode)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return nil, fmt.Errorf("mcp-server-everything %s exited: %s", mode, logs.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return &everythingServer{cmd: cmd, url: "http://" + addr + path}, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return nil, fmt.Errorf("mcp-server-everything %s did not listen on %s within 45s: %s", mode, addr, logs.String())
}

// syncBuffer is a bytes.Buffer that a child process and the test may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func stopEverything() {
	everything.Lock()
	defer everything.Unlock()
	for _, s := range everything.servers {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	everything.servers = nil
}

// TestMain raises -test.parallel (default GOMAXPROCS, 2 on the CI machines): the tests spend
// their time waiting for client processes, and running them two at a time would triple the
// suite's wall time. An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "4")
	}
	code := m.Run()
	stopEverything()
	os.Exit(code)
}
