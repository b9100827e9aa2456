package reliability

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/httpapi"
)

func init() {
	report.table("load", "Load on the local API (127.0.0.1, bearer token, files changing meanwhile)",
		"target", "clients × duration", "requests (ok / 429 / 401 as intended)", "unexpected", "p50 / p99 latency", "p99 per route (status, logs, trigger)", "RSS first third → last third (max)", "goroutines before → after", "lost")
}

// loadTarget is a running API under load: its URL and how to read its resources.
type loadTarget struct {
	name       string
	url        string
	rss        func() int64 // kB
	goroutines func() int
}

type loadOp struct {
	name   string
	method string
	path   string
	body   []byte
	token  string
	want   int // the intended status besides 429
}

var loadOps = []struct {
	weight int
	op     loadOp
}{
	{45, loadOp{"status", http.MethodGet, "/api/v1/sync/status", nil, apiToken, 200}},
	{35, loadOp{"logs", http.MethodGet, "/api/v1/logs?limit=50", nil, apiToken, 200}},
	{15, loadOp{"trigger", http.MethodPost, "/api/v1/sync/trigger", []byte(`{}`), apiToken, 200}},
	{5, loadOp{"bad-token", http.MethodGet, "/api/v1/sync/status", nil, "wrong-token", 401}},
}

// runLoad hammers the target with n bounded clients for d while a client file keeps
// changing, then checks for unexpected answers, memory growth and leaked goroutines.
func runLoad(t *testing.T, tg loadTarget, editPath string, n int, d time.Duration) {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	// Warm up, then take the idle baseline.
	for range 5 {
		if code, _ := doRequest(t, client, http.MethodGet, tg.url+"/api/v1/sync/status", apiToken, nil); code != 200 {
			t.Fatalf("warm-up: status %d", code)
		}
	}
	tr.CloseIdleConnections()
	time.Sleep(500 * time.Millisecond)
	gBefore := tg.goroutines()

	var (
		mu         sync.Mutex
		lat        = map[string][]time.Duration{}
		all        []time.Duration
		codes      = map[int]int{}
		unexpected []string
		ok, r429   atomic.Int64
		r401       atomic.Int64
	)
	total := 0
	for _, o := range loadOps {
		total += o.weight
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for time.Now().Before(deadline) {
				k := rng.IntN(total)
				var op loadOp
				for _, o := range loadOps {
					if k < o.weight {
						op = o.op
						break
					}
					k -= o.weight
				}
				var body io.Reader
				if op.body != nil {
					body = bytes.NewReader(op.body)
				}
				req, _ := http.NewRequest(op.method, tg.url+op.path, body)
				req.Header.Set("Authorization", "Bearer "+op.token)
				if op.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := client.Do(req)
				el := time.Since(start)
				code := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				codes[code]++
				switch {
				case err != nil:
					unexpected = append(unexpected, fmt.Sprintf("%s: %v", op.name, err))
				case code == op.want:
					lat[op.name] = append(lat[op.name], el)
					all = append(all, el)
					if code == 401 {
						r401.Add(1)
					} else {
						ok.Add(1)
					}
				case code == http.StatusTooManyRequests:
					r429.Add(1)
				default:
					unexpected = append(unexpected, fmt.Sprintf("%s: HTTP %d", op.name, code))
				}
				mu.Unlock()
			}
		}()
	}
	// The files change meanwhile (bounded by the deadline), and memory is sampled.
	var rss []int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		orig := readFile(t, editPath)
		for i := 0; time.Now().Before(deadline); i++ {
			edited := bytes.Replace(orig, []byte(`"mcpServers": {`), []byte(fmt.Sprintf(`"mcpServers": {"load-%d": {"command": "load"}, `, i%5)), 1)
			os.WriteFile(editPath+".tmp", edited, 0o644)
			os.Rename(editPath+".tmp", editPath)
			rss = append(rss, tg.rss())
			time.Sleep(250 * time.Millisecond)
		}
	}()
	wg.Wait()
	tr.CloseIdleConnections()

	// Goroutines settle back (bounded wait).
	gAfter := tg.goroutines()
	for i := 0; i < 100 && gAfter > gBefore+3; i++ {
		time.Sleep(100 * time.Millisecond)
		gAfter = tg.goroutines()
	}
	if gAfter > gBefore+3 {
		t.Errorf("goroutine leak: %d before, %d after the load", gBefore, gAfter)
	}
	third := max(len(rss)/3, 1)
	firstMax, lastMax := slices.Max(rss[:third]), slices.Max(rss[len(rss)-third:])
	if lastMax > firstMax+firstMax/4+16*1024 {
		t.Errorf("memory grows under steady load: RSS max %d kB in the first third, %d kB in the last", firstMax, lastMax)
	}
	if len(unexpected) > 0 {
		t.Errorf("%d unexpected answers, e.g. %v", len(unexpected), unexpected[:min(5, len(unexpected))])
	}
	if ok.Load() == 0 {
		t.Fatalf("no successful request")
	}
	p := func(ds []time.Duration, q float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		s := slices.Clone(ds)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[min(len(s)-1, int(float64(len(s))*q))].Round(100 * time.Microsecond)
	}
	reqs := ok.Load() + r429.Load() + r401.Load() + int64(len(unexpected))
	t.Logf("%s: %d requests in %s (%.0f/s): %v; p50 %s p99 %s; RSS %d→%d kB; goroutines %d→%d",
		tg.name, reqs, d, float64(reqs)/d.Seconds(), codes, p(all, .5), p(all, .99), firstMax, lastMax, gBefore, gAfter)
	report.row("load", tg.name, fmt.Sprintf("%d × %s", n, d),
		fmt.Sprintf("%d (%d / %d / %d)", reqs, ok.Load(), r429.Load(), r401.Load()), len(unexpected),
		fmt.Sprintf("%s / %s", p(all, .5), p(all, .99)),
		fmt.Sprintf("%s, %s, %s", p(lat["status"], .99), p(lat["logs"], .99), p(lat["trigger"], .99)),
		fmt.Sprintf("%d → %d MB", firstMax/1024, lastMax/1024), fmt.Sprintf("%d → %d", gBefore, gAfter), "nothing")
}

// TestLoadAPIBinary loads the real binary's API (`aisync serve`).
func TestLoadAPIBinary(t *testing.T) {
	h := newBinHome(t, faultClients)
	s := h.serve()
	tg := loadTarget{
		name: "aisync serve (binary)", url: s.url,
		rss: func() int64 { return rssKB(s.pid()) },
		goroutines: func() int {
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
			code, body := doRequest(t, c, http.MethodGet, s.url+"/metrics", apiToken, nil)
			if code != 200 {
				t.Fatalf("/metrics: %d", code)
			}
			// The scrape's own connection goroutines are gone once it is closed.
			return int(parseMetrics(body)["go_goroutines"])
		},
	}
	runLoad(t, tg, filepath.Join(h.home, ".cursor", "mcp.json"), pick(10, 50), pick(10*time.Second, 60*time.Second))
	checkFilesParse(t, h)
}

// TestLoadAPIInProcess loads the API in this process (runs without AISYNC_BIN too).
func TestLoadAPIInProcess(t *testing.T) {
	a := newAPIRig(t, faultClients, true, httpapi.Options{})
	tg := loadTarget{
		name: "API in process (race detector: " + fmt.Sprint(raceEnabled) + ")", url: a.url,
		rss:        func() int64 { return rssKB(os.Getpid()) },
		goroutines: runtime.NumGoroutine,
	}
	runLoad(t, tg, filepath.Join(a.home, ".cursor", "mcp.json"), pick(10, 50), pick(5*time.Second, 60*time.Second))
}

func checkFilesParse(t *testing.T, h *binHome) {
	t.Helper()
	env := h.clientEnv()
	for _, id := range faultClients {
		if _, err := decodeEndpoint(id, serversEndpoint(env, id)); err != nil {
			t.Errorf("%s does not parse after the load: %v", id, err)
		}
	}
}
