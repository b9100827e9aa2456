package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// scaleHome is a HOME with every adapter's user files plus project scopes, until there are
// ScaleGroups (client, scope) endpoint groups, each meant to hold ScaleServers servers and
// ScaleRules rules.
type scaleHome struct {
	h         *home
	groups    []string // "client@scope"
	userSrc   endpointInfo
	userRules string // client id whose user rule folder was seeded
	targets   []string
	names     map[string]string
	servers   []server
	edits     int // edits made to the probe server so far (its marker)
	firstPass *syncResult
}

var builtScale *scaleHome

type syncResult struct {
	Status       string `json:"status"`
	FilesWritten int    `json:"filesWritten"`
	Snapshots    int    `json:"snapshots"`
	Conflicts    int    `json:"conflicts"`
	DurationMs   int64  `json:"durationMs"`
	Errors       []string
	Clients      map[string]struct {
		State    string   `json:"state"`
		Servers  int      `json:"servers"`
		Rules    int      `json:"rules"`
		Written  int      `json:"written"`
		Errors   []string `json:"errors"`
		Warnings []string `json:"warnings"`
	} `json:"clients"`
}

func buildScaleHome(ctx context.Context, c *config) *scaleHome {
	if builtScale != nil {
		return builtScale
	}
	s := &scaleHome{h: newHome(c, "scale"), names: map[string]string{}}
	var candidates []string
	for i := 1; i <= 4; i++ {
		d := filepath.Join(s.h.Root, fmt.Sprintf("project-%d", i))
		must(os.MkdirAll(d, 0o755))
		candidates = append(candidates, d)
	}
	s.h.Projects = candidates
	list := s.h.discover(ctx, c.Bin)
	sort.SliceStable(list, func(i, j int) bool { return rankOf(list[i].ID) < rankOf(list[j].ID) })
	s.servers = append(benchServers("srv", c.ScaleServers), probe(0))

	// user scope: every adapter with a user servers file
	var user []clientInfo
	for _, cl := range list {
		if _, ok := cl.serversEndpoint(""); ok {
			user = append(user, cl)
		}
	}
	srcDone := false
	for _, cl := range user {
		ep, _ := cl.serversEndpoint("")
		if !srcDone && mcpServersFamily[cl.ID] {
			createServersFile(ep, mcpServersJSON("mcpServers", s.servers))
			s.userSrc, srcDone = ep, true
		} else {
			createServersFile(ep, nil)
			p := filepath.Clean(ep.Path)
			if _, dup := s.names[p]; !dup {
				s.targets = append(s.targets, p)
				s.names[p] = cl.ID
			}
		}
		s.groups = append(s.groups, cl.ID+"@user")
	}
	for _, cl := range user {
		if rd, ok := cl.rulesDir(""); ok && s.userRules == "" {
			must(os.MkdirAll(rd.Path, 0o755))
			for i := range c.ScaleRules {
				must(os.WriteFile(filepath.Join(rd.Path, fmt.Sprintf("bench-rule-%04d.md", i)), ruleFile(i), 0o644))
			}
			s.userRules = cl.ID
		}
	}
	// project scopes until there are enough groups
	var used []string
	for _, root := range candidates {
		if len(s.groups) >= c.ScaleGroups {
			break
		}
		used = append(used, root)
		first := true
		for _, cl := range list {
			if len(s.groups) >= c.ScaleGroups {
				break
			}
			ep, ok := cl.serversEndpoint(root)
			if !ok {
				continue
			}
			if first && mcpServersFamily[cl.ID] {
				createServersFile(ep, mcpServersJSON("mcpServers", s.servers))
				if rd, ok := cl.rulesDir(root); ok {
					must(os.MkdirAll(rd.Path, 0o755))
					for i := range c.ScaleRules {
						must(os.WriteFile(filepath.Join(rd.Path, fmt.Sprintf("bench-rule-%04d.mdc", i)), cursorRule(i), 0o644))
					}
				}
				first = false
			} else {
				createServersFile(ep, nil)
			}
			s.groups = append(s.groups, cl.ID+"@"+filepath.Base(root))
		}
	}
	s.h.Projects = used
	builtScale = s
	return s
}

func runScale(ctx context.Context, c *config) section {
	sec := section{Name: "scale"}
	s := buildScaleHome(ctx, c)
	data := map[string]any{"groups": s.groups}
	sec.Data = data
	logf("scale: %d endpoint groups (%s), %d servers, %d rules", len(s.groups), strings.Join(s.groups, ","), c.ScaleServers, c.ScaleRules)

	// the floor: each build serving an empty HOME
	builds := c.serveBuilds()
	floors := map[string]any{}
	data["emptyServe"] = floors
	for _, b := range builds {
		if m, top, ok := emptyServe(ctx, c, b); ok {
			sec.add("serve RSS with no client at all (the floor), "+b.Name, fmt.Sprintf("%.1f MB = %.1f anonymous + %.1f file-backed", mb(m.RSSKB), mb(m.AnonKB), mb(m.FileKB)), "", "")
			sec.note("Resident mappings of an idle %s server with no client: %s.", b.Name, strings.Join(top, ", "))
			floors[b.Key] = map[string]any{"rssKB": m.RSSKB, "anonKB": m.AnonKB, "fileKB": m.FileKB, "top": top}
		}
	}
	if c.HeadlessBin == "" {
		sec.note("No headless build to measure (build it with `make headless`, or pass --headless-bin): serve was measured with the desktop build only, which maps GTK and WebKitGTK.")
	}

	// first pass and no-change passes
	out, wall, err := s.h.command(ctx, c.Bin, 10*time.Minute, "sync", "--once", "--json")
	if err != nil {
		sec.Error = err.Error()
		return sec
	}
	var first syncResult
	must(json.Unmarshal(out, &first))
	s.firstPass = &first
	data["firstPass"] = map[string]any{"wallMs": ms(wall), "result": first}
	var walls, internal []float64
	for range 3 {
		out, w, err := s.h.command(ctx, c.Bin, 10*time.Minute, "sync", "--once", "--json")
		if err != nil {
			sec.Error = err.Error()
			return sec
		}
		var r syncResult
		must(json.Unmarshal(out, &r))
		walls = append(walls, ms(w))
		internal = append(internal, float64(r.DurationMs))
		if r.FilesWritten > 0 {
			var who []string
			for id, cr := range r.Clients {
				if cr.Written > 0 {
					who = append(who, fmt.Sprintf("%s (%d)", id, cr.Written))
				}
			}
			sort.Strings(who)
			sec.note("a no-change pass wrote %d file(s), expected 0: %s", r.FilesWritten, strings.Join(who, ", "))
		}
	}
	data["noChangePasses"] = map[string]any{"wallMs": walls, "internalMs": internal}
	groupsLine := fmt.Sprintf("%d groups × %d servers + %d rules", len(s.groups), c.ScaleServers, c.ScaleRules)
	sec.add("sync --once, first pass ("+groupsLine+")", fmt.Sprintf("%s ms wall (%d ms inside the pass), %d files written", f1(ms(wall)), first.DurationMs, first.FilesWritten), "", "")
	sec.add("sync --once, no-change pass (median of 3)", fmt.Sprintf("%s ms wall (%s ms inside the pass)", f1(median(walls)), f1(median(internal))), "", "")
	tb := table{Title: "First pass: what each client holds afterwards", Header: []string{"client", "state", "servers", "rules", "files written", "warnings", "errors"}}
	ids := make([]string, 0, len(first.Clients))
	for id := range first.Clients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		cr := first.Clients[id]
		tb.Rows = append(tb.Rows, []string{id, cr.State, fmt.Sprint(cr.Servers), fmt.Sprint(cr.Rules), fmt.Sprint(cr.Written), fmt.Sprint(len(cr.Warnings)), fmt.Sprint(len(cr.Errors))})
	}
	sec.Tables = append(sec.Tables, tb)
	sec.note("Groups (client@scope): %s. Per-client counts add up over the client's scopes. User rules were seeded in %s's rule folder, project rules in the first project's Cursor rules.", strings.Join(s.groups, ", "), s.userRules)
	for _, e := range first.Errors {
		sec.note("first pass error: %s", e)
	}

	// the server watching all of it, once per build
	serves := map[string]any{}
	data["serve"] = serves
	for _, b := range builds {
		d, err := s.serveAtScale(ctx, c, b, &sec)
		if err != nil {
			sec.Error = err.Error()
			return sec
		}
		serves[b.Key] = d
	}
	return sec
}

// serveBuild is one aisync build whose server the scale phase measures.
type serveBuild struct {
	Key  string // "headless" or "desktop", in results.json
	Name string // in the report
	Bin  string
	// Target: the ≤ 80 MB target is about this build's server, the headless one (the
	// desktop build's is reported beside it, or measured against the target when it is
	// the only build given).
	Target bool
}

// serveBuilds lists the headless build first (the one the RSS target is about: no GUI
// library mapped), then the desktop build, which serves the same but maps GTK and WebKitGTK.
func (c *config) serveBuilds() []serveBuild {
	desktop := serveBuild{Key: "desktop", Name: "desktop build (" + filepath.Base(c.Bin) + ")", Bin: c.Bin}
	if c.HeadlessBin == "" {
		desktop.Target = true
		return []serveBuild{desktop}
	}
	return []serveBuild{{Key: "headless", Name: "headless build (" + filepath.Base(c.HeadlessBin) + ")", Bin: c.HeadlessBin, Target: true}, desktop}
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// emptyServe measures a build's server on an empty HOME once its start-up settled.
func emptyServe(ctx context.Context, c *config, b serveBuild) (memInfo, []string, bool) {
	proc, err := startServe(ctx, b.Bin, newHome(c, "empty-"+b.Key), "empty-serve.stderr")
	if err != nil {
		return memInfo{}, nil, false
	}
	defer proc.stop()
	if _, err := proc.waitHealthy(60*time.Second, 10*time.Millisecond); err != nil {
		return memInfo{}, nil, false
	}
	waitCPUQuiet(proc.Pid, 30*time.Second)
	return procMem(proc.Pid), smapsTop(proc.Pid, 4), true
}

// serveAtScale runs a build's server on the scale HOME: memory and CPU once the start-up
// pass settled and over the quiet period, then the latency and peak memory of edits to one
// server of the source file. Edit numbers go on from the previous build's, so the targets
// never hold a marker ahead of the edit being timed.
func (s *scaleHome) serveAtScale(ctx context.Context, c *config, b serveBuild, sec *section) (map[string]any, error) {
	proc, err := startServe(ctx, b.Bin, s.h, "scale-serve-"+b.Key+".stderr")
	if err != nil {
		return nil, err
	}
	defer proc.stop()
	if _, err := proc.waitHealthy(60*time.Second, 10*time.Millisecond); err != nil {
		return nil, err
	}
	settle := waitCPUQuiet(proc.Pid, 3*time.Minute)
	m0, cpu0 := procMem(proc.Pid), procCPU(proc.Pid)
	t0 := time.Now()
	sleepCtx(ctx, c.Quiet)
	cpu1, m1 := procCPU(proc.Pid), procMem(proc.Pid)
	quiet := time.Since(t0)
	idle := (cpu1 - cpu0).Seconds()
	gm := proc.metrics(s.h.Token)

	// edits at scale: one server changes in a file of 500
	tr := newTracker(s.targets, c.Detect)
	defer tr.close()
	var lat []float64
	nEdits := pick(c.Quick, 5, 20)
	for i := 0; i < nEdits && ctx.Err() == nil; i++ {
		s.edits++
		seq := s.edits
		s.servers[len(s.servers)-1] = probe(seq)
		must(writeAtomic(s.userSrc.Path, mcpServersJSON("mcpServers", s.servers)))
		w := time.Now()
		if tr.waitAll(seq, 30*time.Second) {
			worst := time.Duration(0)
			for _, t := range s.targets {
				if at, ok := tr.arrival(t, seq); ok && at.Sub(w) > worst {
					worst = at.Sub(w)
				}
			}
			lat = append(lat, ms(worst))
		}
		time.Sleep(700 * time.Millisecond)
	}
	m2 := procMem(proc.Pid)
	proc.stop()
	editDist := newDist(lat)
	data := map[string]any{"bin": b.Bin, "settleSeconds": settle.Seconds(), "rssKBIdleStart": m0.RSSKB, "rssKBIdleEnd": m1.RSSKB, "rssAnonKBIdle": m1.AnonKB, "rssFileKBIdle": m1.FileKB,
		"hwmKBIdle": m1.HWMKB, "hwmKBAfterEdits": m2.HWMKB, "rssKBAfterEdits": m2.RSSKB, "quietSeconds": quiet.Seconds(), "idleCPUSeconds": idle,
		"editLatency": editDist, "editsLost": nEdits - len(lat)}
	target, idleStatus, peakStatus := "≤ 80 MB", atMost(mb(m1.HWMKB), 80), atMost(mb(m2.HWMKB), 80)
	if !b.Target {
		target, idleStatus, peakStatus = "(the headless build's)", "", ""
	}
	sec.add("serve RSS while watching (idle), "+b.Name, fmt.Sprintf("%.1f MB = %.1f anonymous + %.1f file-backed (binary, database); peak VmHWM %.1f MB", mb(m1.RSSKB), mb(m1.AnonKB), mb(m1.FileKB), mb(m1.HWMKB)), target, idleStatus)
	sec.add("serve peak RSS after edits at scale, "+b.Name, fmt.Sprintf("%.1f MB VmHWM, %.1f MB VmRSS", mb(m2.HWMKB), mb(m2.RSSKB)), target, peakStatus)
	sec.add(fmt.Sprintf("idle CPU over a quiet %.0f s, %s", quiet.Seconds(), b.Name), fmt.Sprintf("%.2f CPU-s (%.2f%% of one core)", idle, 100*idle/quiet.Seconds()), "", "")
	sec.add(fmt.Sprintf("edit one server in a %d-server file → %d other user-scope files, %s", c.ScaleServers, len(s.targets), b.Name), editDist.ms(), "", "")
	if gm != nil {
		mbf := func(k string) float64 { return gm[k] / (1 << 20) }
		sec.add("serve Go memory while idle (from /metrics), "+b.Name, fmt.Sprintf("heap in use %.1f MB, heap idle %.1f MB of which released %.1f MB, total from OS %.1f MB, %0.f GCs",
			mbf("go_memstats_heap_inuse_bytes"), mbf("go_memstats_heap_idle_bytes"), mbf("go_memstats_heap_released_bytes"), mbf("go_memstats_sys_bytes"), gm["go_gc_duration_seconds_count"]), "", "")
		data["goMemstatsIdle"] = gm
	}
	sec.note("%s: start-up pass settled (CPU < 2%% over 1 s) %.1f s after the server answered /healthz.", b.Name, settle.Seconds())
	if n := countLevel(proc.Stderr, "ERROR"); n > 0 {
		sec.note("the %s server logged %d error line(s), e.g. `%s`", b.Name, n, strings.Join(firstLines(proc.Stderr, "ERROR", 2), "` `"))
	}
	return data, nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func runStartup(ctx context.Context, c *config) section {
	sec := section{Name: "startup"}
	s := buildScaleHome(ctx, c)
	if s.firstPass == nil {
		if _, _, err := s.h.command(ctx, c.Bin, 10*time.Minute, "sync", "--once", "--json"); err != nil {
			sec.Error = err.Error()
			return sec
		}
	}
	// one unmeasured start warms the page cache
	var toHealthy, toURL []float64
	for i := 0; i <= c.Starts && ctx.Err() == nil; i++ {
		proc, err := startServe(ctx, c.Bin, s.h, fmt.Sprintf("startup-%d.stderr", i))
		if err != nil {
			sec.Error = err.Error()
			return sec
		}
		d, err := proc.waitHealthy(30*time.Second, 2*time.Millisecond)
		proc.stop()
		if err != nil {
			sec.Error = err.Error()
			return sec
		}
		if i > 0 {
			toHealthy = append(toHealthy, ms(d))
			toURL = append(toURL, ms(proc.ToURL))
		}
		time.Sleep(200 * time.Millisecond)
	}
	h, u := newDist(toHealthy), newDist(toURL)
	sec.Data = map[string]any{"toHealthz": h, "toURL": u, "groups": len(s.groups)}
	sec.add(fmt.Sprintf("`aisync serve` to GET /healthz 200, %d groups, warm (median of %d)", len(s.groups), h.N), fmt.Sprintf("%s ms (min %s, max %s)", f1(h.P50), f1(h.Min), f1(h.Max)), "≤ 300 ms", atMost(h.P50, 300))
	sec.add("`aisync serve` to its \"serving on\" line (median)", f1(u.P50)+" ms", "", "")
	return sec
}
