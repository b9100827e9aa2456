package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// exporter sends spans to an OTLP/HTTP collector in OTLP's JSON encoding, which the
// specification defines beside protobuf and collectors accept on the same /v1/traces path.
// It replaces the OpenTelemetry protobuf exporter: protocol buffers and gRPC, which that
// exporter brings along, added about a millisecond to the start of every aisync command,
// while aisync exports a few spans per sync pass.
//
// It reads the exporter's standard variables, the TRACES_ one before the general one:
// OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _TIMEOUT (milliseconds, default 10 s), _COMPRESSION
// (gzip or none), _CERTIFICATE (a PEM file of CAs to trust), and _CLIENT_CERTIFICATE with
// _CLIENT_KEY (PEM files for mutual TLS). A collector that answers 429, 502, 503 or 504 is
// asked again after a pause (its Retry-After when it gives one) until the timeout.
type exporter struct {
	url     string
	client  *http.Client
	headers http.Header
	gzip    bool
	timeout time.Duration

	mu      sync.Mutex
	stopped bool
}

var _ sdktrace.SpanExporter = (*exporter)(nil)

// newExporter makes the exporter for the collector URL traces (…/v1/traces).
func newExporter(traces string, getenv func(string) string) (*exporter, error) {
	env := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	e := &exporter{url: traces, headers: http.Header{}, timeout: 10 * time.Second}
	if v := env("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_TIMEOUT=%q: want a positive number of milliseconds", v)
		}
		e.timeout = time.Duration(ms) * time.Millisecond
	}
	switch v := strings.ToLower(env("COMPRESSION")); v {
	case "", "none":
	case "gzip":
		e.gzip = true
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_COMPRESSION=%q: want gzip or none", v)
	}
	if v := env("HEADERS"); v != "" {
		for _, kv := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %q is not key=value", kv)
			}
			if dec, err := url.QueryUnescape(strings.TrimSpace(val)); err == nil {
				val = dec
			}
			e.headers.Set(k, val)
		}
	}
	tlsConf, err := tlsConfig(env)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConf != nil {
		tr.TLSClientConfig = tlsConf
	}
	e.client = &http.Client{Transport: tr}
	return e, nil
}

// tlsConfig is the TLS set-up the certificate variables ask for, or nil for the defaults.
func tlsConfig(env func(string) string) (*tls.Config, error) {
	ca, cert, key := env("CERTIFICATE"), env("CLIENT_CERTIFICATE"), env("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE: no PEM certificate in %s", ca)
		}
		conf.RootCAs = pool
	}
	if cert != "" || key != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and _CLIENT_KEY: %w", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

// ExportSpans implements sdktrace.SpanExporter.
func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped || len(spans) == 0 {
		return nil
	}
	body, err := json.Marshal(exportRequest(spans))
	if err != nil {
		return fmt.Errorf("encode spans: %w", err)
	}
	if e.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body) //nolint:errcheck // a bytes.Buffer does not fail
		if err := zw.Close(); err != nil {
			return fmt.Errorf("compress spans: %w", err)
		}
		body = b.Bytes()
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		retry, err := e.post(ctx, body)
		if err == nil || retry < 0 {
			return err
		}
		if retry == 0 {
			retry = time.Duration(200<<min(attempt, 5)) * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %v)", err, ctx.Err())
		case <-time.After(retry):
		}
	}
}

// post sends one request. retry is how long to wait before trying again (0: pick a pause)
// or negative when trying again would not help.
func (e *exporter) post(ctx context.Context, body []byte) (retry time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	for k, v := range e.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if e.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("send spans to %s: %w", e.url, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusBadGateway ||
		resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			retry = time.Duration(s) * time.Second
		}
		return retry, fmt.Errorf("send spans to %s: %s", e.url, resp.Status)
	}
	return -1, fmt.Errorf("send spans to %s: %s: %s", e.url, resp.Status, strings.TrimSpace(string(msg)))
}

// Shutdown implements sdktrace.SpanExporter: later exports are dropped.
func (e *exporter) Shutdown(context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.client.CloseIdleConnections()
	return nil
}

// The OTLP JSON encoding of ExportTraceServiceRequest: protobuf's JSON mapping with field
// names in lowerCamelCase, 64-bit integers as strings, enums as numbers, and trace and span
// IDs in hex (not base64).
type (
	otlpRequest struct {
		ResourceSpans []otlpResourceSpans `json:"resourceSpans"`
	}
	otlpResourceSpans struct {
		Resource   otlpResource     `json:"resource"`
		ScopeSpans []otlpScopeSpans `json:"scopeSpans"`
	}
	otlpResource struct {
		Attributes []otlpKeyValue `json:"attributes,omitempty"`
	}
	otlpScopeSpans struct {
		Scope otlpScope  `json:"scope"`
		Spans []otlpSpan `json:"spans"`
	}
	otlpScope struct {
		Name    string `json:"name,omitempty"`
		Version string `json:"version,omitempty"`
	}
	otlpSpan struct {
		TraceID                string         `json:"traceId"`
		SpanID                 string         `json:"spanId"`
		ParentSpanID           string         `json:"parentSpanId,omitempty"`
		TraceState             string         `json:"traceState,omitempty"`
		Name                   string         `json:"name"`
		Kind                   int            `json:"kind"`
		StartTimeUnixNano      string         `json:"startTimeUnixNano"`
		EndTimeUnixNano        string         `json:"endTimeUnixNano"`
		Attributes             []otlpKeyValue `json:"attributes,omitempty"`
		DroppedAttributesCount int            `json:"droppedAttributesCount,omitempty"`
		Events                 []otlpEvent    `json:"events,omitempty"`
		DroppedEventsCount     int            `json:"droppedEventsCount,omitempty"`
		Links                  []otlpLink     `json:"links,omitempty"`
		DroppedLinksCount      int            `json:"droppedLinksCount,omitempty"`
		Status                 otlpStatus     `json:"status"`
	}
	otlpEvent struct {
		TimeUnixNano string         `json:"timeUnixNano"`
		Name         string         `json:"name"`
		Attributes   []otlpKeyValue `json:"attributes,omitempty"`
	}
	otlpLink struct {
		TraceID    string         `json:"traceId"`
		SpanID     string         `json:"spanId"`
		Attributes []otlpKeyValue `json:"attributes,omitempty"`
	}
	otlpStatus struct {
		Code    int    `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}
	otlpKeyValue struct {
		Key   string    `json:"key"`
		Value otlpValue `json:"value"`
	}
	otlpValue struct {
		StringValue *string     `json:"stringValue,omitempty"`
		BoolValue   *bool       `json:"boolValue,omitempty"`
		IntValue    *string     `json:"intValue,omitempty"`
		DoubleValue *float64    `json:"doubleValue,omitempty"`
		ArrayValue  *otlpValues `json:"arrayValue,omitempty"`
	}
	otlpValues struct {
		Values []otlpValue `json:"values"`
	}
)

// exportRequest groups spans by resource and instrumentation scope.
func exportRequest(spans []sdktrace.ReadOnlySpan) otlpRequest {
	var req otlpRequest
	resIndex := map[string]int{}
	scopeIndex := map[[2]string]map[string]int{}
	for _, s := range spans {
		resKey := ""
		var resAttrs []attribute.KeyValue
		if r := s.Resource(); r != nil {
			resKey, resAttrs = r.Encoded(attribute.DefaultEncoder()), r.Attributes()
		}
		ri, ok := resIndex[resKey]
		if !ok {
			ri = len(req.ResourceSpans)
			resIndex[resKey] = ri
			req.ResourceSpans = append(req.ResourceSpans, otlpResourceSpans{Resource: otlpResource{Attributes: keyValues(resAttrs)}})
		}
		sc := s.InstrumentationScope()
		sk := [2]string{sc.Name, sc.Version}
		if scopeIndex[sk] == nil {
			scopeIndex[sk] = map[string]int{}
		}
		rs := &req.ResourceSpans[ri]
		si, ok := scopeIndex[sk][resKey]
		if !ok {
			si = len(rs.ScopeSpans)
			scopeIndex[sk][resKey] = si
			rs.ScopeSpans = append(rs.ScopeSpans, otlpScopeSpans{Scope: otlpScope{Name: sc.Name, Version: sc.Version}})
		}
		rs.ScopeSpans[si].Spans = append(rs.ScopeSpans[si].Spans, otlpSpanOf(s))
	}
	return req
}

func otlpSpanOf(s sdktrace.ReadOnlySpan) otlpSpan {
	sc := s.SpanContext()
	out := otlpSpan{
		TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(),
		TraceState: sc.TraceState().String(), Name: s.Name(), Kind: int(s.SpanKind()),
		StartTimeUnixNano: unixNano(s.StartTime()), EndTimeUnixNano: unixNano(s.EndTime()),
		Attributes: keyValues(s.Attributes()), DroppedAttributesCount: s.DroppedAttributes(),
		DroppedEventsCount: s.DroppedEvents(), DroppedLinksCount: s.DroppedLinks(),
	}
	if p := s.Parent(); p.SpanID().IsValid() {
		out.ParentSpanID = p.SpanID().String()
	}
	for _, ev := range s.Events() {
		out.Events = append(out.Events, otlpEvent{TimeUnixNano: unixNano(ev.Time), Name: ev.Name, Attributes: keyValues(ev.Attributes)})
	}
	for _, l := range s.Links() {
		out.Links = append(out.Links, otlpLink{TraceID: l.SpanContext.TraceID().String(),
			SpanID: l.SpanContext.SpanID().String(), Attributes: keyValues(l.Attributes)})
	}
	switch st := s.Status(); st.Code {
	case codes.Ok:
		out.Status = otlpStatus{Code: 1}
	case codes.Error:
		out.Status = otlpStatus{Code: 2, Message: st.Description}
	}
	return out
}

func unixNano(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixNano(), 10)
}

func keyValues(kvs []attribute.KeyValue) []otlpKeyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]otlpKeyValue, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, otlpKeyValue{Key: string(kv.Key), Value: valueOf(kv.Value)})
	}
	return out
}

func valueOf(v attribute.Value) otlpValue {
	str := func(s string) otlpValue { return otlpValue{StringValue: &s} }
	boolean := func(b bool) otlpValue { return otlpValue{BoolValue: &b} }
	integer := func(i int64) otlpValue { s := strconv.FormatInt(i, 10); return otlpValue{IntValue: &s} }
	double := func(f float64) otlpValue { return otlpValue{DoubleValue: &f} }
	array := func(vs []otlpValue) otlpValue { return otlpValue{ArrayValue: &otlpValues{Values: vs}} }
	switch v.Type() {
	case attribute.BOOL:
		return boolean(v.AsBool())
	case attribute.INT64:
		return integer(v.AsInt64())
	case attribute.FLOAT64:
		return double(v.AsFloat64())
	case attribute.BOOLSLICE:
		return array(mapSlice(v.AsBoolSlice(), boolean))
	case attribute.INT64SLICE:
		return array(mapSlice(v.AsInt64Slice(), integer))
	case attribute.FLOAT64SLICE:
		return array(mapSlice(v.AsFloat64Slice(), double))
	case attribute.STRINGSLICE:
		return array(mapSlice(v.AsStringSlice(), str))
	}
	return str(v.Emit())
}

func mapSlice[T any](in []T, f func(T) otlpValue) []otlpValue {
	out := make([]otlpValue, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}
