package reliability

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aisync/backend/httpapi"
)

// backend/httpapi exports no request decoders (huma decodes and validates every body from
// the operation's Go types), so the fuzz targets go through the complete handler, middleware
// included, exactly as a request from the network would. Routes that register project
// folders are left out: a fuzzed path could point aisync at a real folder of this machine.

// fuzzHandler is one API over a temporary HOME, shared by every input of a fuzz target.
func fuzzHandler(f *testing.F) http.Handler {
	return newAPIRig(f, []string{"cursor", "codex"}, false, httpapi.Options{MaxInFlight: 1024}).srv.Handler()
}

// fuzzRoutes are the routes that decode a request body or query.
var fuzzRoutes = []struct{ method, path string }{
	{http.MethodPost, "/api/v1/sync/trigger"},
	{http.MethodPost, "/api/v1/sync/pause"},
	{http.MethodPost, "/api/v1/config/apply"},
	{http.MethodPost, "/api/v1/conflicts/x/resolve"},
	{http.MethodPatch, "/api/v1/clients/cursor"},
	{http.MethodPost, "/api/v1/logs/export"},
	{http.MethodPost, "/api/v1/auth/token"},
	{http.MethodPost, "/api/v1/restore"},
	{http.MethodGet, "/api/v1/logs"},
	{http.MethodGet, "/api/v1/config/snapshots"},
	{http.MethodGet, "/api/v1/sync/events"},
}

// checkAnswer fails on a server error or a malformed problem body.
func checkAnswer(t *testing.T, method, target string, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s %s with %q: HTTP %d: %s", method, target, body, rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 && strings.Contains(rec.Header().Get("Content-Type"), "json") && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s: HTTP %d with a body that is not JSON: %q", method, target, rec.Code, rec.Body.String())
	}
}

// FuzzAPIRequestBody sends arbitrary bytes as the JSON body of every decoding route.
func FuzzAPIRequestBody(f *testing.F) {
	h := fuzzHandler(f)
	for _, seed := range []string{
		`{}`, `{"clients": ["cursor"]}`, `{"clients": ["nope"]}`, `{"clients": "cursor"}`, `{"paused": true}`, `{"paused": "yes"}`,
		`{"snapshotId": "x", "dryRun": true}`, `{"choice": "client", "client": "cursor"}`, `{"choice": "value", "value": {"a": 1}}`,
		`{"enabled": false, "priority": 5000}`, `{"conflictPolicy": "coinflip"}`, `{"format": "csv", "levels": ["error", "loud"]}`,
		`{"password": "x"}`, `null`, `[]`, `"`, `{"clients": [` + strings.Repeat(`"cursor",`, 200) + `"cursor"]}`,
		strings.Repeat("[", 10000), "\x00\xff\xfe", `{"a":` + strings.Repeat(" ", 1<<10) + `1}`,
	} {
		for i := range fuzzRoutes {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Host = "127.0.0.1"
		req.Header.Set("Authorization", "Bearer "+apiToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, r.method, r.path, body, rec)
	})
}

// FuzzAPIQuery sends arbitrary query strings, headers and paths.
func FuzzAPIQuery(f *testing.F) {
	h := fuzzHandler(f)
	for _, seed := range [][3]string{
		{"/api/v1/logs", "level=error&limit=10", "Bearer " + apiToken},
		{"/api/v1/logs", "level=loud&limit=0&cursor=%ff", "Bearer " + apiToken},
		{"/api/v1/logs", "since=yesterday&until=2020-01-01T00:00:00Z&q=a*+b", "Bearer " + apiToken},
		{"/api/v1/config/snapshots", "limit=100000&cursor=" + strings.Repeat("A", 2000), "Bearer " + apiToken},
		{"/api/v1/sync/events", "unknown=1", "Bearer " + apiToken},
		{"/api/v1/config/snapshots/..%2f..%2fetc/diff", "against=x", "Bearer " + apiToken},
		{"/api/v1/exports/x/download", "", "Bearer " + apiToken},
		{"/api/v1/sync/status", "", "Basic Zm9vOmJhcg=="},
		{"/api/v1/sync/status", "", "Bearer"},
		{"/metrics", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, path, query, auth string) {
		if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/api/v1/projects") || strings.ContainsAny(path, " ?#\x00") {
			return
		}
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path+"?"+query, nil)
		if err != nil {
			return
		}
		req.Host = "127.0.0.1"
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, http.MethodGet, path+"?"+query, nil, rec)
	})
}
