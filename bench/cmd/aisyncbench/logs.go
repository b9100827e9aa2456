package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"time"

	"aisync/backend/service"
	"aisync/backend/settings"
	"aisync/backend/store"
)

type logsResult struct {
	Rows          int         `json:"rows"`
	InsertSeconds float64     `json:"insertSeconds"`
	DBBytes       int64       `json:"dbBytes"`
	Query         dist        `json:"filteredPageMs"`
	QueryRows     float64     `json:"meanRowsPerPage"`
	Slowest       []slowQuery `json:"slowestQueries"`
	Exports       []exportResult
}

type slowQuery struct {
	Filter string  `json:"filter"`
	Ms     float64 `json:"ms"`
	Rows   int     `json:"rows"`
}

type exportResult struct {
	Filter      string  `json:"filter"`
	Rows        int64   `json:"rows"`
	Bytes       int64   `json:"bytes"`
	Seconds     float64 `json:"seconds"`
	RSSBeforeKB int64   `json:"rssBeforeKB"`
	PeakRSSKB   int64   `json:"peakRSSKB"`
	PeakHeap    uint64  `json:"peakHeapBytes"`
}

func runLogs(ctx context.Context, c *config) section {
	sec := section{Name: "logs"}
	dir := filepath.Join(c.Work, "logs")
	must(os.MkdirAll(dir, 0o755))
	self, err := os.Executable()
	must(err)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, self, "logs-worker", "--dir", dir, "--rows", fmt.Sprint(c.LogRows), "--queries", fmt.Sprint(c.LogQueries))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		sec.Error = fmt.Sprintf("logs worker: %v", err)
		return sec
	}
	var r logsResult
	must(json.Unmarshal(out, &r))
	sec.Data = r
	sec.add(fmt.Sprintf("insert %d EVENT_LOG rows (store.AppendLogs, 10k per call)", r.Rows), fmt.Sprintf("%.1f s (%.0f rows/s), database %.0f MB", r.InsertSeconds, float64(r.Rows)/r.InsertSeconds, float64(r.DBBytes)/(1<<20)), "", "")
	sec.add(fmt.Sprintf("filtered page (level + client + text, 100 rows) over %d queries", r.Query.N), r.Query.ms(), "p99 ≤ 20 ms", atMost(r.Query.P99, 20))
	tb := table{Title: "CSV export through service.ExportLogs", Header: []string{"filter", "rows", "MB written", "time (s)", "RSS before (MB)", "peak RSS (MB)", "peak Go heap (MB)"}}
	for _, e := range r.Exports {
		tb.Rows = append(tb.Rows, []string{e.Filter, fmt.Sprint(e.Rows), fmt.Sprintf("%.0f", float64(e.Bytes)/(1<<20)), fmt.Sprintf("%.1f", e.Seconds),
			fmt.Sprintf("%.0f", float64(e.RSSBeforeKB)/1024), fmt.Sprintf("%.0f", float64(e.PeakRSSKB)/1024), fmt.Sprintf("%.0f", float64(e.PeakHeap)/(1<<20))})
	}
	sec.Tables = append(sec.Tables, tb)
	if n := len(r.Exports); n > 0 {
		full := r.Exports[n-1]
		sec.add(fmt.Sprintf("CSV export of all %d rows", full.Rows), fmt.Sprintf("%.1f s, %.0f MB", full.Seconds, float64(full.Bytes)/(1<<20)), "≤ 10 s", atMost(full.Seconds, 10))
		flat := "—"
		status := ""
		if n > 1 {
			small := r.Exports[0]
			flat = fmt.Sprintf("peak heap %.0f MB for %d rows vs %.0f MB for %d rows; peak RSS %.0f vs %.0f MB",
				float64(full.PeakHeap)/(1<<20), full.Rows, float64(small.PeakHeap)/(1<<20), small.Rows, float64(full.PeakRSSKB)/1024, float64(small.PeakRSSKB)/1024)
			// flat: 20x the rows may cost at most 1.5x the heap (plus 16 MB of slack)
			status = atMost(float64(full.PeakHeap), 1.5*float64(small.PeakHeap)+16<<20)
		}
		sec.add("export memory is flat", flat, "heap does not grow with rows", status)
	}
	for _, q := range r.Slowest {
		sec.note("slow page: %s → %d rows in %s ms", q.Filter, q.Rows, f1(q.Ms))
	}
	sec.note("Rows: levels 30%% debug, 55%% info, 10%% warn, 5%% error; 12 clients with skewed frequencies; messages name a server and a path; ~7 s apart. " +
		"Queries rotate over level sets, clients and search words; 10 warm-up queries after reopening the database are not counted. " +
		"Peak RSS is VmHWM of the worker process, reset through /proc/self/clear_refs before each export.")
	return sec
}

// ---- the worker, a separate process so that its memory is measured alone

var (
	logClients = []string{"claude-code", "cursor", "vscode", "codex", "gemini", "windsurf", "cline", "roo", "zed", "opencode", "continue", "kiro"}
	logServers = []string{"github", "linear", "postgres", "sentry", "slack", "notion", "filesystem", "puppeteer", "memory", "fetch", "brave-search", "jira", "figma", "stripe", "supabase", "redis"}
	logEvents  = []string{"sync.started", "sync.finished", "watch.event", "file.written", "write.failed", "parse.failed", "conflict.created", "conflict.resolved", "server.skipped", "echo.ignored"}
)

func logEntry(r *rand.Rand, i int, t0 time.Time) store.LogEntry {
	level := store.LevelInfo
	switch p := r.IntN(100); {
	case p < 30:
		level = store.LevelDebug
	case p < 85:
		level = store.LevelInfo
	case p < 95:
		level = store.LevelWarn
	default:
		level = store.LevelError
	}
	client := logClients[min(r.IntN(len(logClients))*r.IntN(2)+r.IntN(3), len(logClients)-1)]
	srv := logServers[min(int(r.ExpFloat64()*3), len(logServers)-1)]
	ev := logEvents[r.IntN(len(logEvents))]
	msg := fmt.Sprintf("%s: %s server %s in %s (%d ms)", ev, client, srv, "/home/u/.config/"+client+"/mcp.json", r.IntN(500))
	ctxJSON, _ := json.Marshal(map[string]any{"server": srv, "attempt": r.IntN(4), "scope": "user"})
	return store.LogEntry{Level: level, ClientID: client, Event: ev, Message: msg, Context: ctxJSON, Timestamp: t0.Add(time.Duration(i) * 7 * time.Second)}
}

func logsWorker(args []string) int {
	fs := flag.NewFlagSet("logs-worker", flag.ContinueOnError)
	dir := fs.String("dir", "", "data dir")
	rows := fs.Int("rows", 1_000_000, "rows")
	queries := fs.Int("queries", 200, "queries")
	if fs.Parse(args) != nil || *dir == "" {
		return 2
	}
	env := map[string]string{"AISYNC_DATA_DIR": *dir, "AISYNC_SECRETS_BACKEND": "file", "AISYNC_ENV_FILE": "", "HOME": *dir}
	st, err := settings.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	must(err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	open := func() *service.Service {
		svc, err := service.Open(ctx, st, log, service.Options{Quiet: true})
		must(err)
		return svc
	}
	var res logsResult
	svc := open()
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	batch := make([]store.LogEntry, 0, 10_000)
	for i := range *rows {
		batch = append(batch, logEntry(r, i, t0))
		if len(batch) == cap(batch) || i == *rows-1 {
			must(svc.Store().AppendLogs(ctx, batch...))
			batch = batch[:0]
		}
		if i > 0 && i%200_000 == 0 {
			logf("logs: %d rows in %s", i, time.Since(start).Round(time.Second))
		}
	}
	res.Rows, res.InsertSeconds = *rows, time.Since(start).Seconds()
	must(svc.Close()) // as a restart would; Close runs PRAGMA optimize
	if fi, err := os.Stat(st.DBPath()); err == nil {
		res.DBBytes = fi.Size()
	}
	svc = open()
	defer svc.Close()

	levelSets := [][]string{{store.LevelError}, {store.LevelWarn, store.LevelError}, {store.LevelInfo}, {store.LevelDebug, store.LevelInfo}}
	words := []string{"github", "postgres", "sync", "write*", "slack", "mcp", "sentry", "fetch"}
	qr := rand.New(rand.NewPCG(5, 6))
	var lat []float64
	var all []slowQuery
	total := 0
	for i := -10; i < *queries; i++ {
		f := service.LogFilter{Levels: levelSets[qr.IntN(len(levelSets))], ClientID: logClients[qr.IntN(len(logClients))], Query: words[qr.IntN(len(words))], Limit: 100}
		t := time.Now()
		p, err := svc.Logs(ctx, f)
		d := time.Since(t)
		must(err)
		if i >= 0 {
			lat = append(lat, ms(d))
			total += len(p.Items)
			all = append(all, slowQuery{fmt.Sprintf("levels=%s client=%s q=%s", strings.Join(f.Levels, ","), f.ClientID, f.Query), ms(d), len(p.Items)})
		}
	}
	res.Query = newDist(lat)
	sort.Slice(all, func(i, j int) bool { return all[i].Ms > all[j].Ms })
	res.Slowest = all[:min(8, len(all))]
	res.QueryRows = float64(total) / float64(max(1, len(lat)))

	for _, ex := range []struct {
		name string
		f    service.LogFilter
	}{
		{"level=error (~5% of rows)", service.LogFilter{Levels: []string{store.LevelError}}},
		{"all rows", service.LogFilter{}},
	} {
		runtime.GC()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		before := procMem(os.Getpid())
		var peakRSS int64
		var peakHeap uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			tk := time.NewTicker(10 * time.Millisecond)
			defer tk.Stop()
			for {
				metrics.Read(sample)
				if v := sample[0].Value.Uint64(); v > peakHeap {
					peakHeap = v
				}
				select {
				case <-stop:
					return
				case <-tk.C:
				}
			}
		}()
		t := time.Now()
		rec, err := svc.ExportLogs(ctx, ex.f, service.FormatCSV)
		d := time.Since(t)
		close(stop)
		wg.Wait()
		must(err)
		after := procMem(os.Getpid())
		peakRSS = after.HWMKB
		res.Exports = append(res.Exports, exportResult{Filter: ex.name, Rows: rec.RowCount, Bytes: rec.Bytes, Seconds: d.Seconds(), RSSBeforeKB: before.RSSKB, PeakRSSKB: peakRSS, PeakHeap: peakHeap})
		os.Remove(rec.Path)
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}
