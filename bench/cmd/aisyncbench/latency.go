package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// mcpServersFamily are clients whose servers file is {"mcpServers": {...}} at the top level,
// so the harness can write it as an editor would.
var mcpServersFamily = map[string]bool{"cursor": true, "claude-code": true, "windsurf": true, "copilot-cli": true,
	"cline": true, "kiro": true, "amazonq": true, "roo": true, "claude-desktop": true}

// propagation is one set-up of N clients with one source file under `aisync serve`.
type propagation struct {
	h       *home
	chosen  []clientInfo
	source  endpointInfo
	srcID   string
	targets []string
	names   map[string]string // target path → client id
	bg      []server
	proc    *serveProc
	tr      *tracker
}

func (p *propagation) content(seq int) []byte {
	return mcpServersJSON("mcpServers", append(append([]server(nil), p.bg...), probe(seq)))
}

// setupPropagation makes a HOME with n clients (source first), starts the server and waits
// until every target holds marker 0.
func setupPropagation(ctx context.Context, c *config, name string, n, bgServers int) (*propagation, error) {
	p := &propagation{h: newHome(c, name), names: map[string]string{}, bg: benchServers("bench-bg", bgServers)}
	list := p.h.discover(ctx, c.Bin)
	p.chosen = chooseClients(list, n)
	si := -1
	for i, cl := range p.chosen {
		if mcpServersFamily[cl.ID] {
			si = i
			break
		}
	}
	if si < 0 {
		return nil, fmt.Errorf("no client with an mcpServers file among %d adapters", len(list))
	}
	p.chosen[0], p.chosen[si] = p.chosen[si], p.chosen[0]
	p.srcID = p.chosen[0].ID
	p.source, _ = p.chosen[0].serversEndpoint("")
	for i, cl := range p.chosen {
		ep, _ := cl.serversEndpoint("")
		if i == 0 {
			createServersFile(ep, p.content(0))
			continue
		}
		createServersFile(ep, nil)
		if _, dup := p.names[filepath.Clean(ep.Path)]; dup {
			continue
		}
		p.targets = append(p.targets, filepath.Clean(ep.Path))
		p.names[filepath.Clean(ep.Path)] = cl.ID
	}
	p.tr = newTracker(p.targets, c.Detect)
	proc, err := startServe(ctx, c.Bin, p.h, name+".stderr")
	if err != nil {
		return p, err
	}
	p.proc = proc
	if _, err := proc.waitHealthy(60*time.Second, 5*time.Millisecond); err != nil {
		return p, err
	}
	if !p.tr.waitAll(0, 90*time.Second) {
		var missing []string
		for _, t := range p.targets {
			if _, ok := p.tr.arrival(t, 0); !ok {
				missing = append(missing, p.names[t])
			}
		}
		return p, fmt.Errorf("initial sync did not reach %s within 90 s; server log: %s", strings.Join(missing, ", "), tail(readFile(proc.Stderr), 600))
	}
	time.Sleep(500 * time.Millisecond)
	return p, nil
}

func (p *propagation) close() {
	if p.proc != nil {
		p.proc.stop()
	}
	if p.tr != nil {
		p.tr.close()
	}
}

func (p *propagation) clientIDs() []string {
	var ids []string
	for _, cl := range p.chosen {
		ids = append(ids, cl.ID)
	}
	return ids
}

type latencyModeResult struct {
	Mode         string             `json:"mode"`
	Source       string             `json:"source"`
	Clients      []string           `json:"clients"`
	Edits        int                `json:"edits"`
	BackToBack   int                `json:"backToBack"`
	AllTargets   dist               `json:"allTargets"`
	Isolated     dist               `json:"isolatedEdits"`
	FirstTarget  dist               `json:"firstTarget"`
	PerClient    map[string]dist    `json:"perClient"`
	Lost         int                `json:"lostEdits"`
	EchoWrites   int                `json:"writesDuringQuietWindow"`
	ViaPoll      int                `json:"arrivalsSeenOnlyByPoll"`
	Metrics      map[string]float64 `json:"engineMetrics,omitempty"`
	CPUPerEditMs float64            `json:"serveCPUPerEditMs"`
	ServerErrors int                `json:"serverErrorLines"`
	Error        string             `json:"error,omitempty"`
}

func runLatency(ctx context.Context, c *config) section {
	sec := section{Name: "latency"}
	cal := calibrate(filepath.Join(c.Work, "calibration"), c.Detect, 200)
	sec.note("Harness detection overhead (%s; the harness replaces a file and times its own tracker): %s.", c.Detect, cal.ms())
	var results []latencyModeResult
	for i, mode := range []string{"atomic", "in-place"} {
		if ctx.Err() != nil {
			break
		}
		r := latencyMode(ctx, c, mode, uint64(i))
		results = append(results, r)
		name := fmt.Sprintf("%s write, %d clients", mode, len(r.Clients))
		if r.Error != "" {
			sec.add(name, "error: "+r.Error, "", "error")
			continue
		}
		sec.add(name+": p50 to all targets", f1(r.AllTargets.P50)+" ms", "≤ 50 ms", atMost(r.AllTargets.P50, 50))
		sec.add(name+": p99 to all targets", f1(r.AllTargets.P99)+" ms", "≤ 150 ms", atMost(r.AllTargets.P99, 150))
		sec.add(name+": lost edits / echo writes", fmt.Sprintf("%d / %d", r.Lost, r.EchoWrites), "0 / 0", atMost(float64(r.Lost+r.EchoWrites), 0))
	}
	head := []string{"write", "edits (back-to-back)", "to all targets (ms)", "isolated edits only (ms)", "first target p50 (ms)", "engine passes (watch)", "mean pass (ms)", "serve CPU per edit (ms)"}
	tb := table{Title: "Propagation latency: source file written → every other client's file holds the edit", Header: head}
	for _, r := range results {
		if r.Error != "" {
			continue
		}
		runs, dur := 0.0, 0.0
		for k, v := range r.Metrics {
			if strings.HasPrefix(k, "aisync_sync_runs_total{") && strings.Contains(k, `trigger="watch"`) {
				runs += v
			}
		}
		if cnt := r.Metrics["aisync_sync_duration_seconds_count"]; cnt > 0 {
			dur = r.Metrics["aisync_sync_duration_seconds_sum"] / cnt * 1000
		}
		tb.Rows = append(tb.Rows, []string{r.Mode, fmt.Sprintf("%d (%d)", r.Edits, r.BackToBack), r.AllTargets.ms(), r.Isolated.ms(), f1(r.FirstTarget.P50), fmt.Sprint(runs), f1(dur), f1(r.CPUPerEditMs)})
	}
	sec.Tables = append(sec.Tables, tb)
	for _, r := range results {
		if r.Error != "" || len(r.PerClient) == 0 {
			continue
		}
		pt := table{Title: "Per target client, " + r.Mode + " write (source " + r.Source + ")", Header: []string{"client", "p50 ms", "p90 ms", "p99 ms", "max ms"}}
		ids := make([]string, 0, len(r.PerClient))
		for id := range r.PerClient {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			d := r.PerClient[id]
			pt.Rows = append(pt.Rows, []string{id, f1(d.P50), f1(d.P90), f1(d.P99), f1(d.Max)})
		}
		sec.Tables = append(sec.Tables, pt)
		if r.ViaPoll > 0 {
			sec.note("%s: %d of the recorded arrivals came from the 25 ms safety poll reading the file before the fsnotify handler did (a poll can only make a detection earlier, so this never inflates a latency).", r.Mode, r.ViaPoll)
		}
		if r.ServerErrors > 0 {
			sec.note("%s: the server logged %d error line(s).", r.Mode, r.ServerErrors)
		}
	}
	sec.note("Edits: %d per write mode; about 30%% written back to back (no pause), the rest spaced 50–300 ms at random (seed %d). "+
		"An edit has arrived at a target once the target holds its marker or a later one. \"Isolated\" edits had ≥ 50 ms of quiet before and after them.", c.Edits, c.Seed)
	sec.Data = map[string]any{"calibration": cal, "modes": results}
	return sec
}

func latencyMode(ctx context.Context, c *config, mode string, salt uint64) (r latencyModeResult) {
	r.Mode = mode
	p, err := setupPropagation(ctx, c, "latency-"+strings.ReplaceAll(mode, "-", ""), 10, 20)
	if p != nil {
		defer p.close()
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Source, r.Clients = p.srcID, p.clientIDs()
	logf("latency %s: %d clients (%s), source %s, %d edits", mode, len(p.chosen), strings.Join(r.Clients, ","), p.source.Path, c.Edits)
	write := writeAtomic
	if mode == "in-place" {
		write = writeInPlace
	}
	rng := rand.New(rand.NewPCG(c.Seed, 100+salt))
	gaps := make([]time.Duration, c.Edits+2)
	for i := 1; i <= c.Edits; i++ {
		if rng.Float64() >= 0.3 {
			gaps[i] = time.Duration(50+rng.IntN(251)) * time.Millisecond
		}
	}
	gaps[c.Edits+1] = time.Second
	written := make([]time.Time, c.Edits+1)
	cpu0 := procCPU(p.proc.Pid)
	for i := 1; i <= c.Edits; i++ {
		if ctx.Err() != nil {
			r.Error = "interrupted"
			return r
		}
		if gaps[i] == 0 {
			r.BackToBack++
		}
		time.Sleep(gaps[i])
		must(write(p.source.Path, p.content(i)))
		written[i] = time.Now()
	}
	r.Edits = c.Edits
	p.tr.waitAll(c.Edits, 30*time.Second)
	before := p.tr.counts()
	time.Sleep(2 * time.Second)
	after := p.tr.counts()
	for path, a := range after {
		b := before[path]
		r.EchoWrites += a[0] - b[0] + a[1] - b[1]
	}
	r.CPUPerEditMs = ms(procCPU(p.proc.Pid)-cpu0) / float64(c.Edits)
	r.Metrics = p.proc.metrics(p.h.Token)
	r.ViaPoll = p.tr.viaPoll()
	p.proc.stop()
	r.ServerErrors = countLevel(p.proc.Stderr, "ERROR")

	var all, iso, first []float64
	per := map[string][]float64{}
	for i := 1; i <= c.Edits; i++ {
		worst, best := time.Duration(-1), time.Duration(-1)
		lost := false
		for _, t := range p.targets {
			at, ok := p.tr.arrival(t, i)
			if !ok {
				lost = true
				continue
			}
			d := at.Sub(written[i])
			per[p.names[t]] = append(per[p.names[t]], ms(d))
			if d > worst {
				worst = d
			}
			if best < 0 || d < best {
				best = d
			}
		}
		if lost {
			r.Lost++
			continue
		}
		all = append(all, ms(worst))
		first = append(first, ms(best))
		if gaps[i] >= 50*time.Millisecond && gaps[i+1] >= 50*time.Millisecond {
			iso = append(iso, ms(worst))
		}
	}
	r.AllTargets, r.Isolated, r.FirstTarget = newDist(all), newDist(iso), newDist(first)
	r.PerClient = map[string]dist{}
	for id, xs := range per {
		r.PerClient[id] = newDist(xs)
	}
	logf("latency %s: all targets %s; lost %d, echo writes %d", mode, r.AllTargets.ms(), r.Lost, r.EchoWrites)
	return r
}
