package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

type burstResult struct {
	Clients          []string       `json:"clients"`
	Source           string         `json:"source"`
	Edits            int            `json:"edits"`
	WrittenInMs      float64        `json:"burstDurationMs"`
	Converged        bool           `json:"converged"`
	ConvergeMs       float64        `json:"convergeAfterLastEditMs"`
	WritesPerTarget  map[string]int `json:"writesPerTarget"`
	EchoWrites       int            `json:"writesDuringQuietWindow"`
	FinalOK          int            `json:"targetsWithLastEditAndAllServers"`
	Targets          int            `json:"targets"`
	SourceFinal      int            `json:"sourceFinalMarker"`
	Snapshots        int            `json:"snapshotsDuringBurst"`
	WatchPasses      float64        `json:"watchPasses"`
	Problems         []string       `json:"problems,omitempty"`
	ServerErrorLines []string       `json:"serverErrors,omitempty"`
}

var bgNameRE = regexp.MustCompile(`bench-bg-\d{4}`)

func distinctBG(b []byte) int {
	set := map[string]bool{}
	for _, m := range bgNameRE.FindAll(b, -1) {
		set[string(m)] = true
	}
	return len(set)
}

func runBurst(ctx context.Context, c *config) section {
	sec := section{Name: "burst"}
	r, err := burst(ctx, c)
	sec.Data = r
	if err != nil {
		sec.Error = err.Error()
		return sec
	}
	conv := "did not converge within 60 s"
	if r.Converged {
		conv = fmt.Sprintf("%s ms after the last edit", f1(r.ConvergeMs))
	}
	status := "met"
	if !r.Converged || r.FinalOK != r.Targets || r.SourceFinal != r.Edits {
		status = "MISSED"
	}
	sec.add(fmt.Sprintf("%d edits in %.1f s (atomic), %d targets: converged", r.Edits, r.WrittenInMs/1000, r.Targets), conv, "converges, last edit everywhere", status)
	sec.add("no lost update", fmt.Sprintf("%d/%d targets hold the last edit and all %d other servers; source still holds edit %d", r.FinalOK, r.Targets, 20, r.SourceFinal), "all", atLeast(float64(r.FinalOK), float64(r.Targets)))
	var ws []float64
	for _, n := range r.WritesPerTarget {
		ws = append(ws, float64(n))
	}
	d := newDist(ws)
	sec.add("writes per target file", fmt.Sprintf("median %.0f, max %.0f (for %d edits; %d snapshots, %.0f watch passes)", d.P50, d.Max, r.Edits, r.Snapshots, r.WatchPasses), "≤ edits (coalesced)", atMost(d.Max, float64(r.Edits)))
	sec.add("no echo loop", fmt.Sprintf("%d writes in the 3 s after convergence", r.EchoWrites), "0", atMost(float64(r.EchoWrites), 0))
	tb := table{Title: "Writes per target during the burst", Header: []string{"client", "file replacements + write events"}}
	ids := make([]string, 0, len(r.WritesPerTarget))
	for id := range r.WritesPerTarget {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		tb.Rows = append(tb.Rows, []string{id, fmt.Sprint(r.WritesPerTarget[id])})
	}
	sec.Tables = append(sec.Tables, tb)
	for _, p := range r.Problems {
		sec.note("%s", p)
	}
	for _, l := range r.ServerErrorLines {
		sec.note("server error: `%s`", l)
	}
	return sec
}

func burst(ctx context.Context, c *config) (burstResult, error) {
	var r burstResult
	p, err := setupPropagation(ctx, c, "burst", 10, 20)
	if p != nil {
		defer p.close()
	}
	if err != nil {
		return r, err
	}
	r.Clients, r.Source, r.Edits, r.Targets = p.clientIDs(), p.srcID, c.BurstEdits, len(p.targets)
	logf("burst: %d edits over %s into %s, %d targets", c.BurstEdits, c.BurstWindow, p.srcID, len(p.targets))
	before := p.tr.counts()
	gap := c.BurstWindow / time.Duration(c.BurstEdits)
	start := time.Now()
	for i := 1; i <= c.BurstEdits; i++ {
		if d := time.Until(start.Add(time.Duration(i-1) * gap)); d > 0 {
			time.Sleep(d)
		}
		must(writeAtomic(p.source.Path, p.content(i)))
	}
	last := time.Now()
	r.WrittenInMs = ms(last.Sub(start))
	r.Converged = p.tr.waitAll(c.BurstEdits, 60*time.Second)
	if r.Converged {
		worst := time.Duration(0)
		for _, t := range p.targets {
			if at, ok := p.tr.arrival(t, c.BurstEdits); ok && at.Sub(last) > worst {
				worst = at.Sub(last)
			}
		}
		r.ConvergeMs = ms(worst)
	}
	mid := p.tr.counts()
	time.Sleep(3 * time.Second)
	after := p.tr.counts()
	r.WritesPerTarget = map[string]int{}
	for _, t := range p.targets {
		r.WritesPerTarget[p.names[t]] = mid[t][0] - before[t][0] + mid[t][1] - before[t][1]
		r.EchoWrites += after[t][0] - mid[t][0] + after[t][1] - mid[t][1]
	}
	for _, t := range p.targets {
		b, _ := os.ReadFile(t)
		m, n := maxMarker(b), distinctBG(b)
		if m == c.BurstEdits && n == len(p.bg) {
			r.FinalOK++
		} else {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: holds edit %d and %d of %d other servers", p.names[t], m, n, len(p.bg)))
		}
	}
	src, _ := os.ReadFile(p.source.Path)
	r.SourceFinal = maxMarker(src)
	m := p.proc.metrics(p.h.Token)
	for k, v := range m {
		if strings.HasPrefix(k, "aisync_sync_runs_total{") && strings.Contains(k, `trigger="watch"`) {
			r.WatchPasses += v
		}
	}
	p.proc.stop()
	r.ServerErrorLines = firstLines(p.proc.Stderr, "ERROR", 5)
	out, _, err := p.h.command(ctx, c.Bin, time.Minute, "snapshots", "--json", "--limit", "1000", "--scope", "user")
	if err == nil {
		var page struct {
			Items []struct {
				CreatedAt time.Time `json:"createdAt"`
			} `json:"items"`
		}
		if json.Unmarshal(out, &page) == nil {
			for _, s := range page.Items {
				if !s.CreatedAt.Before(start.Add(-time.Second)) {
					r.Snapshots++
				}
			}
		}
	}
	logf("burst: converged=%v in %.0f ms after the last edit; writes per target %v; echo %d", r.Converged, r.ConvergeMs, r.WritesPerTarget, r.EchoWrites)
	return r, nil
}
