package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"aisync/backend/settings"
)

// collector is a fake OTLP/HTTP trace collector on 127.0.0.1.
type collector struct {
	mu    sync.Mutex
	paths []string
	spans []*tracepb.Span
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Write(out)
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

func TestExportsSpansToTheCollector(t *testing.T) {
	c := &collector{}
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
	_, endWrite := Span(ctx, "aisync.write", String("client", "cursor"), Int("bytes", 42))
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.paths) == 0 || c.paths[0] != "/v1/traces" {
		t.Fatalf("collector paths = %v", c.paths)
	}
	byName := map[string]*tracepb.Span{}
	for _, s := range c.spans {
		byName[s.Name] = s
	}
	pass, write := byName["aisync.sync"], byName["aisync.write"]
	if pass == nil || write == nil {
		t.Fatalf("spans = %v", c.spans)
	}
	if string(write.ParentSpanId) != string(pass.SpanId) || string(write.TraceId) != string(pass.TraceId) {
		t.Error("the write span is not a child of the pass span")
	}
	if write.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || write.Status.GetMessage() != "write /x: permission denied" {
		t.Errorf("write span status = %v", write.Status)
	}
	if pass.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("pass span failed: %v", pass.Status)
	}
}

func TestErrors(t *testing.T) {
	if Errors(nil) != nil {
		t.Fatal("no texts must be nil")
	}
	if err := Errors([]string{"a", "b"}); err == nil || err.Error() != "a\nb" {
		t.Fatalf("got %v", err)
	}
}
