// Package telemetry exports OpenTelemetry traces of aisync's sync passes over OTLP/HTTP
// (JSON). It is off unless OTEL_EXPORTER_OTLP_ENDPOINT (settings.OTLPEndpoint) names a
// collector; while it is off, Span costs next to nothing, so callers never need to check.
//
// Wiring: call Start once after the settings are loaded and defer the shutdown it returns
// (it flushes the spans still buffered); wrap work in Span:
//
//	ctx, end := telemetry.Span(ctx, "aisync.sync", telemetry.String("trigger", trigger))
//	defer func() { end(err) }()
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"aisync/backend/buildinfo"
	"aisync/backend/settings"
)

// tracerName is the instrumentation scope of every aisync span.
const tracerName = "aisync"

// Attr is one span attribute.
type Attr = attribute.KeyValue

// String is a string attribute.
func String(k, v string) Attr { return attribute.String(k, v) }

// Int is an integer attribute.
func Int(k string, v int) Attr { return attribute.Int(k, v) }

// Bool is a boolean attribute.
func Bool(k string, v bool) Attr { return attribute.Bool(k, v) }

var (
	mu      sync.Mutex
	tracer  trace.Tracer = noop.NewTracerProvider().Tracer(tracerName)
	enabled bool
)

// Enabled reports whether spans are being exported.
func Enabled() bool {
	mu.Lock()
	defer mu.Unlock()
	return enabled
}

// Start turns tracing on when set.OTLPEndpoint is set: spans are batched and sent to
// <endpoint>/v1/traces over OTLP/HTTP in OTLP's JSON encoding, as the OpenTelemetry
// specification says for OTEL_EXPORTER_OTLP_ENDPOINT; the exporter's other standard
// variables (headers, timeout, compression, certificates) apply as usual (see exporter).
// The returned shutdown flushes what is buffered and turns tracing off again. With no
// endpoint, Start does nothing and shutdown is a no-op.
func Start(ctx context.Context, set settings.Settings) (shutdown func(context.Context) error, err error) {
	endpoint := strings.TrimSpace(set.OTLPEndpoint)
	if endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT=%q: want an http:// or https:// URL of an OTLP collector, e.g. http://127.0.0.1:4318", endpoint)
	}
	traces := strings.TrimRight(endpoint, "/") + "/v1/traces"
	exp, err := newExporter(traces, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("start trace exporter for %s: %w", traces, err)
	}
	bi := buildinfo.Get()
	res := resource.NewSchemaless(
		attribute.String("service.name", "aisync"),
		attribute.String("service.version", bi.Version),
	)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(2*time.Second)),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	mu.Lock()
	tracer, enabled = tp.Tracer(tracerName), true
	mu.Unlock()

	var once sync.Once
	return func(ctx context.Context) error {
		var err error
		once.Do(func() {
			mu.Lock()
			tracer, enabled = noop.NewTracerProvider().Tracer(tracerName), false
			mu.Unlock()
			err = tp.Shutdown(ctx)
			if err != nil {
				err = fmt.Errorf("flush traces to %s: %w", traces, err)
			}
		})
		return err
	}, nil
}

// Span starts a span named name as a child of the span in ctx (if any) and returns the
// context that carries it and the function that ends it. Pass end the outcome: a non-nil
// error marks the span failed and records the error.
func Span(ctx context.Context, name string, attrs ...Attr) (context.Context, func(error)) {
	mu.Lock()
	t := tracer
	mu.Unlock()
	ctx, span := t.Start(ctx, name, trace.WithAttributes(attrs...))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

// Errors joins error texts (such as a sync result's per-client errors) into one error for
// Span's end function; no texts is nil.
func Errors(texts []string) error {
	if len(texts) == 0 {
		return nil
	}
	errs := make([]error, len(texts))
	for i, s := range texts {
		errs[i] = errors.New(s)
	}
	return errors.Join(errs...)
}
