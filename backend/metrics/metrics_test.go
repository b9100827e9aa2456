package metrics

import (
	"bytes"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parse reads the registry's output with Prometheus's own text parser, so that what a
// scraper reads is what the tests check.
func parse(t *testing.T, r *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus cannot parse the output: %v\n%s", err, rec.Body.String())
	}
	return fams
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestExpositionParsesAsPrometheus(t *testing.T) {
	r := NewRegistry()
	runs := r.CounterVec("test_runs_total", "Runs by trigger and status.\nSecond line with a \\ backslash.", "trigger", "status")
	files := r.Counter("test_files_total", "Files.")
	lat := r.Histogram("test_duration_seconds", "Durations.", []float64{0.01, 0.1, 1})

	runs.With("watch", "succeeded").Inc()
	runs.With("watch", "succeeded").Add(2)
	runs.With(`odd "quoted" \ value`+"\nnewline", "failed").Inc()
	runs.With("cli", "failed").Add(-5) // ignored: counters never go down
	files.Add(1.5)
	for _, v := range []float64{0.005, 0.01, 0.05, 0.5, 3} {
		lat.Observe(v)
	}

	fams := parse(t, r)
	f := fams["test_runs_total"]
	if f.GetType() != dto.MetricType_COUNTER || !strings.Contains(f.GetHelp(), "\n") {
		t.Errorf("runs family = %v", f)
	}
	got := map[string]float64{}
	for _, m := range f.GetMetric() {
		l := labels(m)
		got[l["trigger"]+"/"+l["status"]] = m.GetCounter().GetValue()
	}
	want := map[string]float64{"watch/succeeded": 3, `odd "quoted" \ value` + "\nnewline/failed": 1, "cli/failed": 0}
	if len(got) != len(want) {
		t.Errorf("runs = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("runs[%q] = %v, want %v", k, got[k], v)
		}
	}
	if v := fams["test_files_total"].GetMetric()[0].GetCounter().GetValue(); v != 1.5 {
		t.Errorf("files = %v", v)
	}

	h := fams["test_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 5 || h.GetSampleSum() != 0.005+0.01+0.05+0.5+3 {
		t.Errorf("histogram count %d sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	cum := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	// Buckets are cumulative and a value on a bound falls in that bound's bucket.
	if cum[0.01] != 2 || cum[0.1] != 3 || cum[1] != 4 {
		t.Errorf("buckets = %v, want 0.01:2 0.1:3 1:4", cum)
	}

	for _, name := range []string{"go_goroutines", "go_threads", "go_info", "go_memstats_alloc_bytes", "go_memstats_sys_bytes",
		"go_memstats_heap_inuse_bytes", "go_memstats_heap_idle_bytes", "go_memstats_heap_released_bytes", "go_gc_duration_seconds",
		"process_start_time_seconds"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	gauge := func(name string) float64 { return fams[name].GetMetric()[0].GetGauge().GetValue() }
	if inuse, sys := gauge("go_memstats_heap_inuse_bytes"), gauge("go_memstats_sys_bytes"); inuse <= 0 || inuse > sys {
		t.Errorf("heap in use %v of %v bytes from the OS", inuse, sys)
	}
	if gauge("go_memstats_heap_released_bytes") > gauge("go_memstats_heap_idle_bytes") {
		t.Error("more heap released than idle")
	}
	runtime.GC()
	if n := parse(t, r)["go_gc_duration_seconds"].GetMetric()[0].GetSummary().GetSampleCount(); n < 1 {
		t.Errorf("go_gc_duration_seconds count %d after a collection", n)
	}
	if g := fams["go_goroutines"].GetMetric()[0].GetGauge().GetValue(); g < 1 {
		t.Errorf("go_goroutines = %v", g)
	}
	if runtime.GOOS == "linux" {
		for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"} {
			if fams[name] == nil {
				t.Fatalf("no %s on linux", name)
			}
		}
		if rss := fams["process_resident_memory_bytes"].GetMetric()[0].GetGauge().GetValue(); rss < 1<<20 {
			t.Errorf("resident memory %v bytes", rss)
		}
	}
}

func TestCountersUnderConcurrency(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("test_total", "x")
	v := r.CounterVec("test_by_total", "x", "k")
	h := r.Histogram("test_seconds", "x", []float64{1})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.Inc()
				v.With([]string{"a", "b"}[g%2]).Add(0.5)
				h.Observe(0.5)
			}
		}()
	}
	// Scrapes while they count.
	for range 5 {
		parse(t, r)
	}
	wg.Wait()
	if c.Value() != 8000 || v.With("a").Value() != 2000 || v.With("b").Value() != 2000 {
		t.Errorf("counts %v %v %v", c.Value(), v.With("a").Value(), v.With("b").Value())
	}
	if hist := parse(t, r)["test_seconds"].GetMetric()[0].GetHistogram(); hist.GetSampleCount() != 8000 {
		t.Errorf("histogram count %d", hist.GetSampleCount())
	}
}

func TestRegisteringANameTwicePanics(t *testing.T) {
	r := NewRegistry()
	r.Counter("dup_total", "x")
	defer func() {
		if recover() == nil {
			t.Error("a second dup_total was accepted")
		}
	}()
	r.CounterVec("dup_total", "x", "k")
}
