// Command aisyncbench measures aisync from the outside: it drives the real binary against
// temporary HOME folders (propagation latency, bursts, scale, start-up), fills a database with
// a million log rows through the store and service packages, and times rulesync and ruler
// next to `aisync sync --once` on the same inputs. It prints a Markdown report and writes it,
// with the raw numbers as JSON, to the output folder. It never fails because a number is
// slow: targets are reported as met or missed. See bench/README.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	Bin          string
	HeadlessBin  string // the build without the desktop app; "" when there is none to measure
	Out          string
	Quick        bool
	Only         map[string]bool
	Edits        int // per write mode
	BurstEdits   int
	BurstWindow  time.Duration
	Quiet        time.Duration
	ScaleServers int
	ScaleRules   int
	ScaleGroups  int
	Starts       int
	LogRows      int
	LogQueries   int
	PeerSizes    []int
	PeerRuns     int
	PeersDir     string
	CompareBin   string // a second aisync binary for the compare phase; "" skips it
	CompareRuns  int
	GoBench      string
	Detect       string
	Keep         bool
	Seed         uint64
	Work         string // temporary root for every HOME of this run
}

var phases = []string{"latency", "burst", "scale", "startup", "logs", "peers", "compare"}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "logs-worker" {
		os.Exit(logsWorker(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("aisyncbench", flag.ContinueOnError)
	var c config
	var only, sizes string
	var quietSec int
	fs.StringVar(&c.Bin, "bin", "build/bin/aisync", "the aisync binary to measure")
	fs.StringVar(&c.HeadlessBin, "headless-bin", "", "the headless build (-tags headless) whose serve the scale phase measures next to --bin's (default: --bin's path + \"-headless\", when that file exists)")
	fs.StringVar(&c.Out, "out", "build/bench", "where results.md and results.json go")
	fs.BoolVar(&c.Quick, "quick", false, "smaller runs (a few minutes): fewer edits, 10 s quiet period, fewer log rows and peer sizes")
	fs.StringVar(&only, "only", "", "comma-separated phases to run: "+strings.Join(phases, ","))
	fs.IntVar(&c.Edits, "edits", 0, "edits per write mode in the latency phase (default 500, quick 100)")
	fs.IntVar(&c.BurstEdits, "burst-edits", 1000, "edits in the burst phase")
	fs.DurationVar(&c.BurstWindow, "burst-window", 5*time.Second, "time over which the burst edits are spread")
	fs.IntVar(&quietSec, "quiet-seconds", 0, "idle-CPU measurement period (default 60, quick 10; env BENCH_QUIET_SECONDS)")
	fs.IntVar(&c.ScaleServers, "scale-servers", 500, "MCP servers per client in the scale phase")
	fs.IntVar(&c.ScaleRules, "scale-rules", 200, "rules per client in the scale phase")
	fs.IntVar(&c.ScaleGroups, "scale-groups", 20, "client endpoint groups in the scale phase (adapters, then project scopes)")
	fs.IntVar(&c.Starts, "starts", 10, "start-up measurements")
	fs.IntVar(&c.LogRows, "log-rows", 0, "EVENT_LOG rows (default 1000000, quick 200000)")
	fs.IntVar(&c.LogQueries, "log-queries", 200, "filtered log pages to time")
	fs.StringVar(&sizes, "peer-sizes", "", "server counts for the side-by-side runs (default 10,100,1000; quick 10,100)")
	fs.IntVar(&c.PeerRuns, "peer-runs", 9, "runs per tool and size in the side-by-side phase")
	fs.StringVar(&c.PeersDir, "peers", "bench/peers", "folder with node_modules holding rulesync and ruler")
	fs.StringVar(&c.CompareBin, "compare-bin", "", "another aisync binary (an earlier build, say) to time against the one the peers phase runs, alternating, in the compare phase, which runs only with this flag")
	fs.IntVar(&c.CompareRuns, "compare-runs", 30, "rounds per size in the compare phase (each runs both binaries once)")
	fs.StringVar(&c.GoBench, "go-bench", "", "output of `go test -bench` to append to the report")
	fs.StringVar(&c.Detect, "detect", "fsnotify", "how the harness sees a target file change: fsnotify (plus a 25 ms safety poll) or poll (1 ms loop)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary HOME folders")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for the edit schedule")
	var extraEnv string
	fs.StringVar(&extraEnv, "aisync-env", "", "extra KEY=VALUE settings for every aisync process, comma-separated (experiments: GOGC, GOMEMLIMIT, AISYNC_DEBOUNCE_MS; the report says so)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, kv := range strings.Split(extraEnv, ",") {
		if kv = strings.TrimSpace(kv); strings.Contains(kv, "=") {
			aisyncExtraEnv = append(aisyncExtraEnv, kv)
		}
	}
	if c.Edits == 0 {
		c.Edits = pick(c.Quick, 100, 500)
	}
	if quietSec == 0 {
		if v, err := strconv.Atoi(os.Getenv("BENCH_QUIET_SECONDS")); err == nil && v > 0 {
			quietSec = v
		} else {
			quietSec = pick(c.Quick, 10, 60)
		}
	}
	c.Quiet = time.Duration(quietSec) * time.Second
	if c.LogRows == 0 {
		c.LogRows = pick(c.Quick, 200_000, 1_000_000)
	}
	if sizes == "" {
		sizes = map[bool]string{true: "10,100", false: "10,100,1000"}[c.Quick]
	}
	for _, s := range strings.Split(sizes, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			c.PeerSizes = append(c.PeerSizes, n)
		}
	}
	if c.Quick && c.PeerRuns > 3 {
		c.PeerRuns = 3
	}
	c.Only = map[string]bool{}
	for _, p := range strings.Split(only, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.Only[p] = true
		}
	}
	var err error
	if c.Bin, err = filepath.Abs(c.Bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := os.Stat(c.Bin); err != nil {
		fmt.Fprintf(os.Stderr, "aisyncbench: %v (build it with `make build`)\n", err)
		return 2
	}
	if c.HeadlessBin == "" {
		if _, err := os.Stat(c.Bin + "-headless"); err == nil {
			c.HeadlessBin = c.Bin + "-headless"
		}
	} else if c.HeadlessBin, err = filepath.Abs(c.HeadlessBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	} else if _, err := os.Stat(c.HeadlessBin); err != nil {
		fmt.Fprintf(os.Stderr, "aisyncbench: %v (build it with `make headless`)\n", err)
		return 2
	}
	if c.CompareBin != "" {
		if c.CompareBin, err = filepath.Abs(c.CompareBin); err == nil {
			_, err = os.Stat(c.CompareBin)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "aisyncbench: --compare-bin: %v\n", err)
			return 2
		}
	}
	c.Out, _ = filepath.Abs(c.Out)
	c.PeersDir, _ = filepath.Abs(c.PeersDir)
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c.Work, err = os.MkdirTemp("", "aisync-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	defer func() {
		stopAll()
		if !c.Keep {
			os.RemoveAll(c.Work)
		} else {
			logf("kept %s", c.Work)
		}
	}()

	rep := &report{Started: time.Now(), Machine: describeMachine(c.Bin), Config: c.public()}
	logf("machine: %s", rep.Machine.Line())
	for _, p := range phases {
		if len(c.Only) > 0 && !c.Only[p] || p == "compare" && c.CompareBin == "" {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		logf("=== %s", p)
		start := time.Now()
		sec := runPhase(ctx, &c, p)
		sec.Seconds = time.Since(start).Seconds()
		rep.Sections = append(rep.Sections, sec)
		logf("=== %s done in %s", p, time.Since(start).Round(time.Second))
	}
	rep.Finished = time.Now()
	rep.LoadEnd = loadAvg()
	if c.GoBench != "" {
		if b, err := os.ReadFile(c.GoBench); err == nil {
			rep.GoBench = string(b)
		}
	}
	md := rep.markdown()
	if err := os.WriteFile(filepath.Join(c.Out, "results.md"), []byte(md), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(c.Out, "results.json"), append(js, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	fmt.Println(md)
	logf("wrote %s and %s", filepath.Join(c.Out, "results.md"), filepath.Join(c.Out, "results.json"))
	return 0
}

func runPhase(ctx context.Context, c *config, p string) (sec section) {
	defer func() {
		if r := recover(); r != nil {
			sec = section{Name: p, Error: fmt.Sprint(r)}
		}
		stopAll()
	}()
	switch p {
	case "latency":
		return runLatency(ctx, c)
	case "burst":
		return runBurst(ctx, c)
	case "scale":
		return runScale(ctx, c)
	case "startup":
		return runStartup(ctx, c)
	case "logs":
		return runLogs(ctx, c)
	case "peers":
		return runPeers(ctx, c)
	case "compare":
		return runCompare(ctx, c)
	}
	return section{Name: p, Error: "unknown phase"}
}

func (c config) public() map[string]any {
	return map[string]any{
		"bin": c.Bin, "headlessBin": c.HeadlessBin, "quick": c.Quick, "editsPerMode": c.Edits, "burstEdits": c.BurstEdits,
		"burstWindow": c.BurstWindow.String(), "quietPeriod": c.Quiet.String(), "scaleServers": c.ScaleServers,
		"scaleRules": c.ScaleRules, "scaleGroups": c.ScaleGroups, "starts": c.Starts, "logRows": c.LogRows,
		"logQueries": c.LogQueries, "peerSizes": c.PeerSizes, "peerRuns": c.PeerRuns, "detect": c.Detect, "seed": c.Seed,
		"aisyncEnv": aisyncExtraEnv, "compareBin": c.CompareBin, "compareRuns": c.CompareRuns,
	}
}

func pick(quick bool, q, full int) int {
	if quick {
		return q
	}
	return full
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}
