package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serveProc is a running `aisync serve --port 0`.
type serveProc struct {
	cmd      *exec.Cmd
	Pid      int
	URL      string
	Started  time.Time
	ToURL    time.Duration // exec → "aisync serving on" line
	Stderr   string        // path of the captured stderr
	waitErr  chan error
	stopOnce sync.Once
}

var (
	liveMu sync.Mutex
	live   = map[int]*serveProc{}
)

// stopAll stops every serve process this harness started (by pid, never by name).
func stopAll() {
	liveMu.Lock()
	procs := make([]*serveProc, 0, len(live))
	for _, p := range live {
		procs = append(procs, p)
	}
	liveMu.Unlock()
	for _, p := range procs {
		p.stop()
	}
}

var httpClient = &http.Client{Timeout: 2 * time.Second}

// startServe starts the server with a free port and waits for its URL line (bounded).
func startServe(ctx context.Context, bin string, h *home, stderrName string) (*serveProc, error) {
	cmd := exec.Command(bin, "serve", "--port", "0")
	cmd.Env = h.env()
	cmd.Dir = h.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	errPath := filepath.Join(h.Root, stderrName)
	ef, err := os.Create(errPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = ef
	out, err := cmd.StdoutPipe()
	if err != nil {
		ef.Close()
		return nil, err
	}
	p := &serveProc{cmd: cmd, Stderr: errPath, waitErr: make(chan error, 1)}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		ef.Close()
		return nil, err
	}
	p.Pid = cmd.Process.Pid
	liveMu.Lock()
	live[p.Pid] = p
	liveMu.Unlock()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "aisync serving on "); ok && !sent {
				urlc <- strings.TrimSpace(u)
				sent = true
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { p.waitErr <- cmd.Wait(); ef.Close() }()
	select {
	case u := <-urlc:
		p.URL = u
		p.ToURL = time.Since(p.Started)
		return p, nil
	case err := <-p.waitErr:
		p.waitErr <- err
		p.forget()
		return nil, fmt.Errorf("aisync serve exited before serving: %v: %s", err, tail(readFile(errPath), 800))
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("aisync serve printed no URL within 60 s: %s", tail(readFile(errPath), 800))
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

func (p *serveProc) forget() {
	liveMu.Lock()
	delete(live, p.Pid)
	liveMu.Unlock()
}

// stop sends SIGTERM and waits up to 15 s, then SIGKILL; only this process, by its pid.
func (p *serveProc) stop() {
	p.stopOnce.Do(func() {
		defer p.forget()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.waitErr:
			p.waitErr <- err
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			err := <-p.waitErr
			p.waitErr <- err
		}
	})
}

// waitHealthy polls GET /healthz until 200 (bounded); poll is the pause between tries.
func (p *serveProc) waitHealthy(timeout, poll time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := httpClient.Get(p.URL + "healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.Started), nil
			}
		}
		time.Sleep(poll)
	}
	return 0, errors.New("healthz did not answer 200 in time")
}

// metrics fetches /metrics with the bench API token.
func (p *serveProc) metrics(token string) map[string]float64 {
	req, _ := http.NewRequest(http.MethodGet, p.URL+"metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "aisync_") && !strings.HasPrefix(line, "go_memstats_") && !strings.HasPrefix(line, "go_gc_duration_seconds_count") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// ---- /proc

type memInfo struct{ RSSKB, HWMKB, AnonKB, FileKB int64 }

func procMem(pid int) memInfo {
	var m memInfo
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fmt.Sscanf(sc.Text(), "VmRSS: %d kB", &m.RSSKB)
		fmt.Sscanf(sc.Text(), "VmHWM: %d kB", &m.HWMKB)
		fmt.Sscanf(sc.Text(), "RssAnon: %d kB", &m.AnonKB)
		fmt.Sscanf(sc.Text(), "RssFile: %d kB", &m.FileKB)
	}
	return m
}

// clockTick is USER_HZ, 100 on every Linux architecture Go supports.
const clockTick = 100

// procCPU is utime+stime of a process.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// fields after the command name, which is in parentheses and may hold spaces
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	// f[0] is field 3 (state); utime is field 14, stime field 15
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick
}

// waitCPUQuiet waits until the process used less than 2% CPU over a 1 s window, so that a
// measurement starts after the start-up pass (bounded by timeout).
func waitCPUQuiet(pid int, timeout time.Duration) time.Duration {
	start := time.Now()
	prev := procCPU(pid)
	for time.Since(start) < timeout {
		time.Sleep(time.Second)
		cur := procCPU(pid)
		if cur-prev <= 20*time.Millisecond {
			return time.Since(start)
		}
		prev = cur
	}
	return time.Since(start)
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// countLogLines counts stderr lines of the server at a level ("level=ERROR" in text format).
func countLevel(path, level string) int {
	n := 0
	for _, l := range strings.Split(readFile(path), "\n") {
		if strings.Contains(l, "level="+level) || strings.Contains(l, `"level":"`+level+`"`) {
			n++
		}
	}
	return n
}

func firstLines(path, level string, n int) []string {
	var out []string
	for _, l := range strings.Split(readFile(path), "\n") {
		if strings.Contains(l, "level="+level) || strings.Contains(l, `"level":"`+level+`"`) {
			out = append(out, tail(l, 300))
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// smapsTop lists the mappings with the most resident memory (file name or [anon]).
func smapsTop(pid, n int) []string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return nil
	}
	defer f.Close()
	rss := map[string]int64{}
	cur := "[anon]"
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			cur = "[anon]"
			if len(fields) >= 6 {
				cur = fields[5]
			}
			continue
		}
		var kb int64
		if n, _ := fmt.Sscanf(line, "Rss: %d kB", &kb); n == 1 {
			rss[cur] += kb
		}
	}
	type kv struct {
		k string
		v int64
	}
	var all []kv
	var libs int64
	for k, v := range rss {
		all = append(all, kv{k, v})
		if strings.Contains(k, ".so") {
			libs += v
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	out := []string{fmt.Sprintf("shared libraries %.1f MB in all", float64(libs)/1024)}
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, fmt.Sprintf("%s %.1f MB", filepath.Base(all[i].k), float64(all[i].v)/1024))
	}
	return out
}
