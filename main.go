// Command aisync keeps the MCP servers, rules and permissions of a person's AI clients in
// step. One binary, several faces over one engine: the desktop app (no arguments), a headless
// server with the same web UI (serve), a one-shot pass (sync --once) and a thin CLI.
// This file only parses arguments and wires things together; backend/ decides.
//
// Built with -tags headless the binary has every face but the desktop one (see headless.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"aisync/backend/buildinfo"
	"aisync/backend/httpapi"
	"aisync/backend/logging"
	"aisync/backend/service"
	"aisync/backend/settings"
	"aisync/backend/telemetry"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// exit codes
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitConflict = 3 // sync finished but conflicts wait for the user
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "run headless: engine + HTTP API + web UI on 127.0.0.1", cmdServe},
		{"sync", "sync --once: run one full sync pass and exit", cmdSync},
		{"status", "print the sync state of every client", cmdStatus},
		{"clients", "list detected clients and their files", cmdClients},
		{"snapshots", "list recent snapshots", cmdSnapshots},
		{"apply", "apply a snapshot to clients: apply <snapshot-id> [--to a,b] [--dry-run]", cmdApply},
		{"logs", "print recent log entries", cmdLogs},
		{"conflicts", "list pending conflicts; conflicts resolve <id> <client-id|base>", cmdConflicts},
		{"projects", "projects [add|remove <dir>]: project folders synced besides the user scope", cmdProjects},
		{"backups", "backups <file> | backups restore <file> <backup>: the copies aisync kept of files it replaced", cmdBackups},
		{"secrets", "manage secrets in the OS keyring: set|get|delete|list|check", cmdSecrets},
		{"token", "print the API token for the local HTTP API", cmdToken},
		{"version", "print the version", cmdVersion},
		{"help", "show this help", cmdHelp},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if desktopApp == nil {
			fmt.Fprintln(stderr, "aisync: this is the headless build, without the desktop app.\n"+
				"Run 'aisync serve' for the server with the web UI, or 'aisync help' for every command.")
			return exitUsage
		}
		return desktopApp(stderr)
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	if name == "--version" || name == "-v" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "aisync: unknown flag %q (flags go after a command; see 'aisync help')\n", name)
	} else {
		fmt.Fprintf(stderr, "aisync: unknown command %q\n", name)
		if s := suggest(name); s != "" {
			fmt.Fprintf(stderr, "Did you mean %q?\n", s)
		}
		fmt.Fprintln(stderr, "Run 'aisync help' for the list of commands.")
	}
	return exitUsage
}

// suggest returns the command closest to a mistyped one (a prefix, or at most two edits).
func suggest(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			return c.name
		}
		if d := editDistance(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func cmdHelp(_ []string, stdout, _ io.Writer) int {
	bare := "open the desktop app (window, tray, engine, local API)"
	if desktopApp == nil {
		bare = "(no desktop app in this headless build: use 'aisync serve')"
	}
	fmt.Fprintf(stdout, `aisync %s: keep your AI clients' MCP servers, rules and permissions in sync.

Usage:
  aisync                 %s
  aisync <command> [flags]

Commands:
`, buildinfo.Version, bare)
	for _, c := range commands() {
		fmt.Fprintf(stdout, "  %-10s  %s\n", c.name, c.summary)
	}
	fmt.Fprint(stdout, `
Settings come from the environment and an optional .env file (see .env.example);
AISYNC_DATA_DIR moves aisync's own state (database, backups, exports, logs).
Run 'aisync <command> -h' for a command's flags.
`)
	return exitOK
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if !parse(fs, args) {
		return exitUsage
	}
	bi := buildinfo.Get()
	if *asJSON {
		printJSON(stdout, bi)
		return exitOK
	}
	variant := ""
	if desktopApp == nil {
		variant = " headless"
	}
	fmt.Fprintf(stdout, "aisync %s (%s) %s %s/%s%s\n", bi.Version, orDash(bi.Commit), bi.GoVersion, bi.OS, bi.Arch, variant)
	return exitOK
}

// newFlags makes a FlagSet that reports errors itself (ContinueOnError) and prints usage to
// stderr, so unknown flags give a clear message and a non-zero exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("aisync "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags and rejects stray positional arguments unless allowPositional.
func parse(fs *flag.FlagSet, args []string, allowPositional ...bool) bool {
	if err := fs.Parse(args); err != nil {
		return false // flag already printed the message and usage
	}
	if len(allowPositional) == 0 && fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

// boot loads settings and the logger and opens the service. Commands that only read may
// pass readOnly so the engine's background loops are not started.
func boot(stderr io.Writer, opts service.Options) (*service.Service, settings.Settings, func(), int) {
	st, err := settings.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		return nil, st, nil, exitUsage
	}
	format := st.LogFormat
	if opts.Quiet && format == "auto" {
		format = "json" // one-shot commands keep stdout/stderr for their own output
	}
	logger, closer, err := logging.New(logging.Options{Level: st.LogLevel, Format: format, Dir: st.LogDir()})
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		return nil, st, nil, exitFailure
	}
	slog.SetDefault(logger)
	// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
	shutdownTracing, err := telemetry.Start(context.Background(), st)
	if err != nil {
		logger.Warn("tracing not started", "err", err)
		shutdownTracing = func(context.Context) error { return nil }
	}
	svc, err := service.Open(context.Background(), st, logger, opts)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		closer.Close()
		return nil, st, nil, exitFailure
	}
	return svc, st, func() {
		svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		shutdownTracing(ctx)
		cancel()
		closer.Close()
	}, exitOK
}

// shutdownWait bounds how long a long-running face waits, once told to stop, for the engine
// and the API to finish what they were doing before the store closes.
const shutdownWait = 5 * time.Second

// workers are the goroutines of a long-running face that use the store: the engine, the
// local API. Shutdown cancels them and waits for them (wait) before it closes the store, so
// that nothing they are doing is still using it when it closes.
type workers struct{ wg sync.WaitGroup }

func (w *workers) Go(f func()) { w.wg.Go(f) }

// wait waits up to limit for every worker to return and reports whether they all did.
func (w *workers) wait(limit time.Duration) bool {
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(limit):
		slog.Warn("shutdown: the engine or the API did not stop in time; closing the store anyway", "waited", limit)
		return false
	}
}

// signalContext is cancelled on Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	port := fs.Int("port", -1, "port on 127.0.0.1 (0 picks a free port; default from AISYNC_PORT or 8765)")
	bind := fs.String("bind", "", "address to bind (default 127.0.0.1; anything else needs AISYNC_ALLOW_REMOTE_BIND=true)")
	noWatch := fs.Bool("no-watch", false, "serve the API and UI without watching client files")
	if !parse(fs, args) {
		return exitUsage
	}
	svc, st, closeAll, code := boot(stderr, service.Options{})
	if code != exitOK {
		return code
	}
	defer closeAll()
	if *port >= 0 {
		st.Port = *port
	}
	if *bind != "" {
		st.Bind = *bind
	}
	ctx, cancel := signalContext()
	defer cancel()

	ln, err := listen(st, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		return exitFailure
	}
	limitMemory(os.Getenv)
	go releaseAfterPasses(ctx, svc.Bus())
	srv := httpapi.New(svc, httpapi.Options{Logger: slog.Default()})
	errc := make(chan error, 2)
	var work workers
	defer func() { // before the deferred closeAll closes the store
		cancel()
		work.wait(shutdownWait)
	}()
	work.Go(func() { errc <- srv.Serve(ctx, ln) })
	if !*noWatch {
		work.Go(func() { errc <- svc.Run(ctx) })
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "aisync serving on %s\n", url)
	if tok, err := svc.EnsureAPIToken(); err == nil && tok.Generated {
		fmt.Fprintf(stdout, "An API token was generated and stored (%s). Print it with: aisync token\n", tok.Where)
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "aisync: %v\n", err)
			cancel()
			return exitFailure
		}
	}
	cancel()
	fmt.Fprintln(stderr, "aisync: shutting down")
	return exitOK
}

// listen binds the API listener, refusing non-loopback addresses unless explicitly allowed.
func listen(st settings.Settings, stderr io.Writer) (net.Listener, error) {
	host := st.Bind
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback {
		if !st.AllowRemoteBind {
			return nil, fmt.Errorf("refusing to listen on %s: the API controls your AI clients and is meant for this machine only; set AISYNC_ALLOW_REMOTE_BIND=true to override", host)
		}
		fmt.Fprintf(stderr, "aisync: WARNING: listening on %s, reachable from other machines\n", host)
	}
	return net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(st.Port)))
}

func cmdSync(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sync", stderr)
	once := fs.Bool("once", false, "run one full pass and exit (required; the continuous loop is 'aisync serve' or the desktop app)")
	only := fs.String("clients", "", "comma-separated client ids to sync (default: every detected client)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `file` (for go tool pprof)")
	if !parse(fs, args) {
		return exitUsage
	}
	if !*once {
		fmt.Fprintln(stderr, "aisync sync: pass --once for a single pass; for continuous sync run 'aisync serve' or the desktop app")
		return exitUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "aisync sync: %v\n", err)
			return exitUsage
		}
		defer stop()
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// One pass, then exit: the garbage goes with the process, so the collector waits
		// until the heap nears 128 MiB. A first pass of 1,000 servers into 5 clients
		// allocates about 45 MB and then never collects: 7% faster than collecting at
		// GOGC=400, and 10% less CPU (measured). A larger pass is collected near the limit.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(128 << 20)
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true, OneShot: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	ctx, cancel := signalContext()
	defer cancel()
	res, err := svc.SyncOnce(ctx, splitList(*only), "cli")
	if err != nil {
		fmt.Fprintf(stderr, "aisync: sync: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, res)
	} else {
		printSyncResult(stdout, res)
	}
	failed := len(res.Errors) > 0
	for _, c := range res.Clients {
		failed = failed || len(c.Errors) > 0
	}
	switch {
	case failed:
		return exitFailure
	case res.Conflicts > 0:
		return exitConflict
	}
	return exitOK
}

func printSyncResult(w io.Writer, res service.SyncResult) {
	fmt.Fprintf(w, "sync %s: %d client(s), %d file(s) written, %d snapshot(s), %d conflict(s) in %s\n",
		res.Status, len(res.Clients), res.FilesWritten, res.Snapshots, res.Conflicts, time.Duration(res.DurationMs)*time.Millisecond)
	ids := make([]string, 0, len(res.Clients))
	for id := range res.Clients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := res.Clients[id]
		fmt.Fprintf(w, "  %-15s %-8s servers=%d rules=%d permissions=%d written=%d\n", id, c.State, c.Servers, c.Rules, c.Permissions, c.Written)
		for _, m := range c.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", m)
		}
		for _, m := range c.Errors {
			fmt.Fprintf(w, "    error: %s\n", m)
		}
	}
	for _, m := range res.Errors {
		fmt.Fprintf(w, "error: %s\n", m)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// startCPUProfile starts writing a CPU profile to path and returns what stops it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
