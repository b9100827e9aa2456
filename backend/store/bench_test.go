package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The million-row database is built at most once per test binary, and only when a
// benchmark asks for it, so ordinary `go test` runs never pay for it. Setting
// AISYNC_BENCH_DB to a file path keeps the database there and reuses it on later runs.
var bigLog struct {
	once sync.Once
	dir  string
	path string
	err  error
}

const bigLogRows = 1_000_000

func TestMain(m *testing.M) {
	code := m.Run()
	if bigLog.dir != "" {
		os.RemoveAll(bigLog.dir)
	}
	os.Exit(code)
}

var (
	benchClients = []string{"claude-code", "cursor", "vscode", "codex", "gemini", "windsurf",
		"cline", "roo", "zed", "opencode", "continue", "kiro"}
	benchServers = []string{"github", "linear", "postgres", "sentry", "slack", "notion", "filesystem",
		"puppeteer", "memory", "fetch", "brave-search", "jira", "figma", "stripe", "supabase", "redis"}
	benchEvents = []string{"sync.started", "sync.finished", "watch.event", "write.done", "write.failed",
		"parse.failed", "conflict.detected", "conflict.resolved", "server.skipped", "echo.ignored"}
)

// benchEntry makes the i-th row of a plausible log: mostly debug and info, a few warnings
// and errors, clients and servers with skewed frequencies, a message and a JSON context.
func benchEntry(r *rand.Rand, i int, start time.Time) LogEntry {
	level := LevelInfo
	switch p := r.IntN(100); {
	case p < 30:
		level = LevelDebug
	case p < 85:
		level = LevelInfo
	case p < 95:
		level = LevelWarn
	default:
		level = LevelError
	}
	client := benchClients[min(r.IntN(len(benchClients))*r.IntN(2)+r.IntN(3), len(benchClients)-1)]
	server := benchServers[min(int(r.ExpFloat64()*3), len(benchServers)-1)]
	if i < bigLogRows/10 && r.IntN(2) == 0 {
		server = "legacy-gateway" // common, but only in the oldest tenth of the log
	}
	event := benchEvents[r.IntN(len(benchEvents))]
	msg := fmt.Sprintf("%s: %s server %s in %s (%d ms)", event, client, server, "/home/u/.config/"+client+"/mcp.json", r.IntN(500))
	ctx, _ := json.Marshal(map[string]any{"server": server, "attempt": r.IntN(4), "scope": "user"})
	return LogEntry{
		Level: level, ClientID: client, Event: event, Message: msg, Context: ctx,
		Timestamp: start.Add(time.Duration(i) * 7 * time.Second), // ~80 days
	}
}

func buildBigLog(b *testing.B) string {
	b.Helper()
	bigLog.once.Do(func() {
		if keep := os.Getenv("AISYNC_BENCH_DB"); keep != "" {
			bigLog.path = keep
			if _, err := os.Stat(keep); err == nil {
				return
			}
		} else {
			bigLog.dir, bigLog.err = os.MkdirTemp("", "aisync-store-bench-")
			if bigLog.err != nil {
				return
			}
			bigLog.path = filepath.Join(bigLog.dir, "big.db")
		}
		ctx := context.Background()
		s, err := Open(ctx, bigLog.path)
		if err != nil {
			bigLog.err = err
			return
		}
		started := time.Now()
		r := rand.New(rand.NewPCG(1, 2))
		batch := make([]LogEntry, 0, 10_000)
		for i := range bigLogRows {
			batch = append(batch, benchEntry(r, i, t0))
			if len(batch) == cap(batch) {
				if bigLog.err = s.AppendLogs(ctx, batch...); bigLog.err != nil {
					s.Close()
					return
				}
				batch = batch[:0]
			}
		}
		// Close runs PRAGMA optimize, which gathers the statistics a long-lived database
		// would have.
		bigLog.err = s.Close()
		fi, _ := os.Stat(bigLog.path)
		fmt.Fprintf(os.Stderr, "built %d-row log in %v (%d MiB)\n", bigLogRows, time.Since(started).Round(time.Second), fi.Size()>>20)
	})
	if bigLog.err != nil {
		b.Fatalf("build benchmark database: %v", bigLog.err)
	}
	return bigLog.path
}

// reportCPU adds the process CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	if end := processCPUTime(); end > 0 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkAppendLogs(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s := openTest(b)
			r := rand.New(rand.NewPCG(3, 4))
			batch := make([]LogEntry, size)
			n := 0
			cpu := processCPUTime()
			for b.Loop() {
				for i := range batch {
					batch[i] = benchEntry(r, n, t0)
					n++
				}
				if err := s.AppendLogs(ctx, batch...); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	// The entry a first pass of 1,000 servers logs for its snapshot, whose context names
	// every server (about 2,400 words), into a new log, with the log's words noted for the
	// search (as the store does) and without (as at schema 7): what noting them costs.
	var names []string
	for i := range 1000 {
		names = append(names, fmt.Sprintf("bench-server-%04d", i))
	}
	big := LogEntry{Level: LevelInfo, ClientID: "cursor", Event: "snapshot.created", Message: "snapshot of user: 1000 changes",
		Context: []byte(`{"changes":{"servers":{"add":["` + strings.Join(names, `","`) + `"]}}}`)}
	for _, terms := range []bool{true, false} {
		b.Run(fmt.Sprintf("snapshot-entry/terms=%v", terms), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := openTest(b)
				if !terms {
					s.schema = termsVersion - 1
				}
				b.StartTimer()
				if err := s.AppendLogs(ctx, big); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListLogs(b *testing.B) {
	ctx := context.Background()
	s := openBigLog(b)

	// A cursor some way down the unfiltered list, for the deep-page case.
	deep := LogFilter{Limit: 100}
	for range 50 {
		p, err := s.ListLogs(ctx, deep)
		if err != nil {
			b.Fatal(err)
		}
		deep.Cursor = p.NextCursor
	}

	for _, bc := range []struct {
		name   string
		filter LogFilter
	}{
		{"first page", LogFilter{Limit: 100}},
		{"page 51 by cursor", deep},
		{"level", LogFilter{Levels: []string{LevelError}, Limit: 100}},
		{"level+client", LogFilter{Levels: []string{LevelError, LevelWarn}, ClientID: "cursor", Limit: 100}},
		{"level+client+text", LogFilter{Levels: []string{LevelError, LevelWarn}, ClientID: "cursor", Query: "github", Limit: 100}},
		{"level+client+rare text", LogFilter{Levels: []string{LevelError}, ClientID: "zed", Query: "stripe", Limit: 100}},
		{"text common", LogFilter{Query: "sync", Limit: 100}},
		{"text prefix", LogFilter{Query: "confl*", Limit: 100}},
		{"text only in old rows", LogFilter{Query: "legacy", Limit: 100}},
		{"level+text only in old rows", LogFilter{Levels: []string{LevelError}, Query: "legacy", Limit: 100}},
		{"client+since", LogFilter{ClientID: "codex", Since: t0.Add(40 * 24 * time.Hour), Limit: 100}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rows := 0
			cpu := processCPUTime()
			for b.Loop() {
				p, err := s.ListLogs(ctx, bc.filter)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(p.Items)
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(rows), "rows/page")
		})
	}
}

func BenchmarkCountLogsByLevel(b *testing.B) {
	ctx := context.Background()
	s := openBigLog(b)
	for _, bc := range []struct {
		name   string
		filter LogFilter
	}{
		{"last day", LogFilter{Since: t0.Add(bigLogRows*7*time.Second - 24*time.Hour)}},
		{"client", LogFilter{ClientID: "cursor"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountLogsByLevel(ctx, bc.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStreamLogs(b *testing.B) {
	ctx := context.Background()
	s := openBigLog(b)
	for b.Loop() {
		n := 0
		err := s.StreamLogs(ctx, LogFilter{Levels: []string{LevelWarn, LevelError}}, func(LogEntry) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "rows/op")
	}
}

// BenchmarkListLogsFiltered is the filtered page of the log screen: a level set, a client
// and a search word together, rotating over every combination of the ones aisyncbench
// times, so that the rare combinations, which make the slowest pages, are all in the
// distribution. It reports latency percentiles over all pages and logs the slowest.
func BenchmarkListLogsFiltered(b *testing.B) {
	ctx := context.Background()
	s := openBigLog(b)
	levelSets := [][]string{{LevelError}, {LevelWarn, LevelError}, {LevelInfo}, {LevelDebug, LevelInfo}}
	words := []string{"github", "postgres", "sync", "write*", "slack", "mcp", "sentry", "fetch"}
	var filters []LogFilter
	for _, levels := range levelSets {
		for _, client := range benchClients {
			for _, word := range words {
				filters = append(filters, LogFilter{Levels: levels, ClientID: client, Query: word, Limit: 100})
			}
		}
	}
	type timing struct {
		d time.Duration
		f LogFilter
	}
	var times []timing
	cpu := processCPUTime()
	for b.Loop() {
		f := filters[len(times)%len(filters)]
		start := time.Now()
		if _, err := s.ListLogs(ctx, f); err != nil {
			b.Fatal(err)
		}
		times = append(times, timing{time.Since(start), f})
	}
	reportCPU(b, cpu)
	slices.SortFunc(times, func(a, b timing) int { return cmp.Compare(a.d, b.d) })
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].d) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	for _, t := range times[max(0, len(times)-3):] {
		b.Logf("slow: %v levels=%v client=%s q=%s", t.d.Round(time.Microsecond), t.f.Levels, t.f.ClientID, t.f.Query)
	}
}

// openBigLog opens the shared benchmark log (buildBigLog), closed when b ends.
func openBigLog(b *testing.B) *SQLite {
	s, err := Open(context.Background(), buildBigLog(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}
