package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"aisync/backend/events"
)

func TestOpenAPIListsEveryRoute(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	r := a.do(http.MethodGet, "/api/v1/openapi.json", nil, noAuthHeader())
	a.mustStatus(r, http.StatusOK)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	want := map[string][]string{
		"/api/v1/auth/token":                 {"post"},
		"/api/v1/auth/logout":                {"post"},
		"/api/v1/auth/session":               {"get"},
		"/api/v1/version":                    {"get"},
		"/api/v1/stats":                      {"get"},
		"/api/v1/config/snapshots":           {"get"},
		"/api/v1/config/snapshots/{id}":      {"get"},
		"/api/v1/config/snapshots/{id}/diff": {"get"},
		"/api/v1/config/apply":               {"post"},
		"/api/v1/sync/status":                {"get"},
		"/api/v1/sync/trigger":               {"post"},
		"/api/v1/sync/pause":                 {"post"},
		"/api/v1/sync/events":                {"get"},
		"/api/v1/logs":                       {"get"},
		"/api/v1/logs/export":                {"post"},
		"/api/v1/exports":                    {"get"},
		"/api/v1/exports/{id}/download":      {"get"},
		"/api/v1/clients":                    {"get"},
		"/api/v1/clients/{id}":               {"get", "patch"},
		"/api/v1/conflicts":                  {"get"},
		"/api/v1/conflicts/{id}":             {"get"},
		"/api/v1/conflicts/{id}/resolve":     {"post"},
		"/api/v1/backup":                     {"post"},
		"/api/v1/restore":                    {"post"},
		"/api/v1/projects":                   {"get", "post", "delete"},
		"/api/v1/events":                     {"get"},
		"/healthz":                           {"get"},
		"/metrics":                           {"get"},
	}
	for path, methods := range want {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("OpenAPI lacks %s %s", strings.ToUpper(m), path)
			}
		}
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("OpenAPI has %d paths, the test knows %d", len(doc.Paths), len(want))
	}
	// Security is declared, and the public routes opt out.
	var sec struct {
		Security   []map[string][]string `json:"security"`
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	r.json(t, &sec)
	if len(sec.Security) == 0 || sec.Components.SecuritySchemes["bearer"] == nil {
		t.Error("no global security requirement")
	}
	if s := sec.Paths["/healthz"]["get"].Security; len(s) != 1 || len(s[0]) != 0 {
		t.Errorf("/healthz security %v", s)
	}

	docs := a.do(http.MethodGet, "/api/v1/docs", nil, noAuthHeader())
	a.mustStatus(docs, http.StatusOK)
	if !strings.HasPrefix(docs.header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs Content-Type %q", docs.header.Get("Content-Type"))
	}
	a.mustStatus(a.do(http.MethodGet, "/api/v1/openapi.yaml", nil, noAuthHeader()), http.StatusOK)
}

func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	svc := newService(t, "")
	var logs bytes.Buffer
	var mu sync.Mutex
	srv := New(svc, Options{Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	h := srv.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	ts := httptest.NewServer(h)
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/anything", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := response{status: resp.StatusCode, header: resp.Header, body: body}
	if r.status != http.StatusInternalServerError {
		t.Fatalf("status %d", r.status)
	}
	if p := r.problem(t); strings.Contains(p.Detail, "boom") {
		t.Fatalf("the panic value leaked to the client: %s", body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("panic not logged with its stack: %s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	svc := newService(t, "")
	srv := New(svc, Options{MaxInFlight: 2, Logger: quietLogger()})
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	h := srv.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		entered <- struct{}{}
		<-release
	}))
	ts := httptest.NewServer(h)
	defer ts.Close()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock() // runs before ts.Close, which waits for the blocked handlers
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := ts.Client().Get(ts.URL + "/api/v1/version"); err == nil {
				resp.Body.Close()
			}
		}()
	}
	for range 2 {
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatal("requests did not start")
		}
	}
	resp, err := ts.Client().Get(ts.URL + "/api/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third request: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Health checks are never refused.
	resp, err = ts.Client().Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	unblock()
	wg.Wait()
	if resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("/healthz was limited")
	}
}

func TestNotBuiltUI(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(staticHandler(fstest.MapFS{}, false))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "make frontend") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// TestServeShutdownNoLeak runs the real Serve on 127.0.0.1: requests and open event streams
// work, cancelling the context ends the streams and Serve, and no goroutine is left behind.
func TestServeShutdownNoLeak(t *testing.T) {
	svc := newService(t, "")
	srv := New(svc, Options{Logger: quietLogger(), Heartbeat: 20 * time.Millisecond})
	time.Sleep(50 * time.Millisecond) // let the service's own start-up goroutines settle
	before := runtime.NumGoroutine()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	tr := &http.Transport{}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for range 20 {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/sync/status", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	// Three streams: two stay open until shutdown, one is closed by its client.
	var bodies []io.ReadCloser
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, base+eventsPath, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		if _, err := resp.Body.Read(buf); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, resp.Body)
	}
	bodies[2].Close()
	svc.Bus().Publish(events.Event{Type: events.Warning, Msg: "before shutdown"})

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
	for _, b := range bodies[:2] {
		done := make(chan error, 1)
		go func() { _, err := io.Copy(io.Discard, b); done <- err }()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Logf("stream ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("an event stream stayed open after shutdown")
		}
		b.Close()
	}
	tr.CloseIdleConnections()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines: %d before, %d after shutdown\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
