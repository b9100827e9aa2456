package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/secrets"
	"aisync/backend/service"
	"aisync/backend/settings"
)

const (
	testToken    = "tok"
	testPassword = "pw"
)

// memKeyring is an in-memory service.Keyring; a missing key is secrets.ErrNotFound.
type memKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func newMemKeyring() *memKeyring { return &memKeyring{m: map[string]string{}} }

var errMissing = secrets.ErrNotFound

func (k *memKeyring) Get(key string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return "", errMissing
	}
	return v, nil
}

func (k *memKeyring) Set(key, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = value
	return nil
}

func (k *memKeyring) Delete(key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[key]; !ok {
		return errMissing
	}
	delete(k.m, key)
	return nil
}

func (k *memKeyring) List() ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]string, 0, len(k.m))
	for n := range k.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func (k *memKeyring) Backend() string { return "memory" }

// testLogger sends the service's and server's logs to the test log (only shown on failure).
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// newService opens a real service on a temporary data dir and HOME.
func newService(t testing.TB, home string) *service.Service {
	t.Helper()
	if home == "" {
		home = t.TempDir()
	}
	set := settings.Settings{
		Port: 0, Bind: "127.0.0.1", DataDir: t.TempDir(), LogLevel: "debug", LogFormat: "text",
		Debounce: 20 * time.Millisecond, ConflictPolicy: settings.PolicyMerge,
		RetryMax: 2, RetryBase: 5 * time.Millisecond, BackupKeep: 5,
		SecretServiceName: "aisync-test", APITokenKey: "api-token", AdminPasswordKey: "admin-password",
		SecretsBackend: "keyring", AdminPassword: testPassword, APIToken: testToken, TokenTTL: time.Hour,
	}
	env := &clients.Env{GOOS: runtime.GOOS, Home: home, XDGConfigHome: filepath.Join(home, ".config")}
	svc, err := service.Open(context.Background(), set, quietLogger(), service.Options{Env: env, Keyring: newMemKeyring()})
	if err != nil {
		t.Fatalf("open service: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// quietLogger drops the service's own logs: the engine logs from goroutines that may
// outlive a test, and testing.T must not be used after the test ends.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testAPI struct {
	t   testing.TB
	svc *service.Service
	srv *Server
	ts  *httptest.Server
}

// newTestAPI serves a fresh service through the complete handler on 127.0.0.1.
func newTestAPI(t testing.TB, opt Options) *testAPI {
	t.Helper()
	return newTestAPIFor(t, newService(t, ""), opt)
}

func newTestAPIFor(t testing.TB, svc *service.Service, opt Options) *testAPI {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = quietLogger()
	}
	srv := New(svc, opt)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testAPI{t: t, svc: svc, srv: srv, ts: ts}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem is an RFC 9457 body as huma writes it.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

func (r response) problem(t testing.TB) problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.body)
	}
	var p problem
	r.json(t, &p)
	if p.Status != r.status {
		t.Fatalf("problem status %d != HTTP status %d", p.Status, r.status)
	}
	return p
}

// wantField asserts a 422 that names location (exactly or as a prefix) in its errors.
func (r response) wantField(t testing.TB, location string) problem {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422; body %s", r.status, r.body)
	}
	p := r.problem(t)
	for _, e := range p.Errors {
		if e.Location == location || strings.HasPrefix(e.Location, location+".") || strings.HasPrefix(e.Location, location+"[") ||
			(e.Location == "body" && strings.Contains(e.Message, strings.TrimPrefix(location, "body."))) {
			if e.Message == "" {
				t.Fatalf("error at %s has no reason: %s", location, r.body)
			}
			return p
		}
	}
	t.Fatalf("422 does not name %s: %s", location, r.body)
	return p
}

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }
func withHost(h string) reqOpt      { return func(r *http.Request) { r.Host = h } }
func noAuthHeader() reqOpt          { return func(r *http.Request) { r.Header.Del("Authorization") } }
func withCookies(cs []*http.Cookie) reqOpt {
	return func(r *http.Request) {
		r.Header.Del("Authorization")
		for _, c := range cs {
			r.AddCookie(c)
		}
	}
}

// do sends a request with the API token; body may be nil, []byte, string or a value to
// encode as JSON.
func (a *testAPI) do(method, path string, body any, opts ...reqOpt) response {
	a.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, a.ts.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for _, o := range opts {
		o(req)
	}
	resp, err := a.ts.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

func (a *testAPI) mustStatus(r response, want int) {
	a.t.Helper()
	if r.status != want {
		a.t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
