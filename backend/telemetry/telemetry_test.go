package telemetry

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/settings"
)

// The parts of OTLP's JSON encoding the tests read, declared here from the specification
// rather than taken from the exporter, so that a wrong field name fails them.
type (
	jsonRequest struct {
		ResourceSpans []struct {
			Resource struct {
				Attributes []jsonKeyValue `json:"attributes"`
			} `json:"resource"`
			ScopeSpans []struct {
				Scope struct {
					Name string `json:"name"`
				} `json:"scope"`
				Spans []jsonSpan `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	jsonSpan struct {
		TraceID           string         `json:"traceId"`
		SpanID            string         `json:"spanId"`
		ParentSpanID      string         `json:"parentSpanId"`
		Name              string         `json:"name"`
		Kind              int            `json:"kind"`
		StartTimeUnixNano string         `json:"startTimeUnixNano"`
		EndTimeUnixNano   string         `json:"endTimeUnixNano"`
		Attributes        []jsonKeyValue `json:"attributes"`
		Events            []struct {
			Name string `json:"name"`
		} `json:"events"`
		Status struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
	}
	jsonKeyValue struct {
		Key   string `json:"key"`
		Value struct {
			StringValue *string `json:"stringValue"`
			IntValue    *string `json:"intValue"`
			BoolValue   *bool   `json:"boolValue"`
		} `json:"value"`
	}
)

// collector is a fake OTLP/HTTP trace collector on 127.0.0.1. It answers the first
// failFirst requests with 503.
type collector struct {
	mu        sync.Mutex
	failFirst int
	requests  int
	paths     []string
	headers   []http.Header
	resources [][]jsonKeyValue
	scopes    []string
	spans     []jsonSpan
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if c.requests <= c.failFirst {
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	var req jsonRequest
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.paths = append(c.paths, r.URL.Path)
	c.headers = append(c.headers, r.Header.Clone())
	for _, rs := range req.ResourceSpans {
		c.resources = append(c.resources, rs.Resource.Attributes)
		for _, ss := range rs.ScopeSpans {
			c.scopes = append(c.scopes, ss.Scope.Name)
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("{}"))
}

func attr(kvs []jsonKeyValue, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value; {
		case v.StringValue != nil:
			return *v.StringValue, true
		case v.IntValue != nil:
			return *v.IntValue, true
		case v.BoolValue != nil:
			if *v.BoolValue {
				return "true", true
			}
			return "false", true
		}
	}
	return "", false
}

func TestOffWithoutEndpoint(t *testing.T) {
	shutdown, err := Start(context.Background(), settings.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if Enabled() {
		t.Fatal("enabled without an endpoint")
	}
	ctx, end := Span(context.Background(), "aisync.sync")
	if ctx == nil {
		t.Fatal("nil context")
	}
	end(errors.New("ignored"))
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRejectsABadEndpoint(t *testing.T) {
	for _, ep := range []string{"localhost:4318", "ftp://127.0.0.1", "http://"} {
		if _, err := Start(context.Background(), settings.Settings{OTLPEndpoint: ep}); err == nil {
			t.Errorf("%q accepted", ep)
		}
	}
}

// export runs one pass span with a failed write span under it against a collector and
// returns what the collector received.
func export(t *testing.T, c *collector) {
	t.Helper()
	srv := httptest.NewServer(c)
	defer srv.Close()
	shutdown, err := Start(context.Background(), settings.Settings{OTLPEndpoint: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if !Enabled() {
		t.Fatal("not enabled")
	}
	ctx, endPass := Span(context.Background(), "aisync.sync", String("trigger", "test"))
	_, endWrite := Span(ctx, "aisync.write", String("client", "cursor"), Int("bytes", 42), Bool("created", true))
	endWrite(errors.New("write /x: permission denied"))
	endPass(Errors(nil))
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if Enabled() {
		t.Fatal("still enabled after shutdown")
	}
}

func TestExportsSpansToTheCollector(t *testing.T) {
	c := &collector{}
	export(t, c)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.paths) == 0 || c.paths[0] != "/v1/traces" {
		t.Fatalf("collector paths = %v", c.paths)
	}
	if v, _ := attr(c.resources[0], "service.name"); v != "aisync" || len(c.scopes) == 0 || c.scopes[0] != "aisync" {
		t.Errorf("resource %v, scopes %v: want service.name aisync and scope aisync", c.resources, c.scopes)
	}
	byName := map[string]jsonSpan{}
	for _, s := range c.spans {
		byName[s.Name] = s
	}
	pass, write := byName["aisync.sync"], byName["aisync.write"]
	if pass.SpanID == "" || write.SpanID == "" {
		t.Fatalf("spans = %+v", c.spans)
	}
	// IDs are hex in OTLP's JSON: 32 and 16 digits.
	if len(pass.TraceID) != 32 || len(pass.SpanID) != 16 || pass.ParentSpanID != "" {
		t.Errorf("pass span ids: trace %q span %q parent %q", pass.TraceID, pass.SpanID, pass.ParentSpanID)
	}
	if write.ParentSpanID != pass.SpanID || write.TraceID != pass.TraceID {
		t.Error("the write span is not a child of the pass span")
	}
	if write.Status.Code != 2 || write.Status.Message != "write /x: permission denied" {
		t.Errorf("write span status = %+v, want code 2 (error) with the message", write.Status)
	}
	if len(write.Events) != 1 || write.Events[0].Name != "exception" {
		t.Errorf("write span events = %+v, want the recorded error", write.Events)
	}
	if pass.Status.Code == 2 {
		t.Errorf("pass span failed: %+v", pass.Status)
	}
	for key, want := range map[string]string{"client": "cursor", "bytes": "42", "created": "true"} {
		if v, ok := attr(write.Attributes, key); v != want {
			t.Errorf("write span attribute %s = %q (%v), want %q", key, v, ok, want)
		}
	}
	if write.Kind != 1 || write.StartTimeUnixNano == "" || write.EndTimeUnixNano < write.StartTimeUnixNano {
		t.Errorf("write span kind %d, times %s..%s", write.Kind, write.StartTimeUnixNano, write.EndTimeUnixNano)
	}
}

// The standard variables reach the collector: headers, gzip, and a busy collector is asked
// again.
func TestExporterVariables(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-team=tools,authorization=Bearer%20abc")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip")
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "5000")
	c := &collector{failFirst: 1}
	export(t, c)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.requests != 2 || len(c.spans) != 2 {
		t.Fatalf("%d requests, %d spans: want the 503 answered by a second try with both spans", c.requests, len(c.spans))
	}
	h := c.headers[0]
	if h.Get("X-Team") != "tools" || h.Get("Authorization") != "Bearer abc" || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("headers = %v", h)
	}

	for name, v := range map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "soon", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd",
		"OTEL_EXPORTER_OTLP_HEADERS": "novalue", "OTEL_EXPORTER_OTLP_CERTIFICATE": "/no/such/ca.pem"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, v)
			if _, err := newExporter("http://127.0.0.1:4318/v1/traces", func(k string) string {
				if k == name {
					return v
				}
				return ""
			}); err == nil {
				t.Errorf("%s=%s accepted", name, v)
			}
		})
	}
}

// A collector that refuses the request (400) is not asked again, and the error says why.
func TestExporterReportsARefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad payload", http.StatusBadRequest)
	}))
	defer srv.Close()
	e, err := newExporter(srv.URL+"/v1/traces", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	retry, err := e.post(context.Background(), []byte("{}"))
	if err == nil || !containsAll(err.Error(), "400", "bad payload") {
		t.Errorf("err = %v, want the status and the collector's message", err)
	}
	if retry >= 0 {
		t.Errorf("retry = %v after a 400, want none", retry)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestErrors(t *testing.T) {
	if Errors(nil) != nil {
		t.Fatal("no texts must be nil")
	}
	if err := Errors([]string{"a", "b"}); err == nil || err.Error() != "a\nb" {
		t.Fatalf("got %v", err)
	}
}
