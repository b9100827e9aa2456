// Package metrics keeps aisync's counters and histograms and serves them, with the figures of
// the process and the Go runtime, in the Prometheus text exposition format (version 0.0.4),
// which every Prometheus-compatible scraper reads.
//
// It stands in for the Prometheus client library, which aisync used before: that library
// brings protocol buffers, procfs and a registry of its own, and their start-up cost every
// aisync command about a millisecond (measured on `aisync version`), while aisync needs a
// handful of series.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// family is one metric family of a Registry.
type family interface {
	write(w *bufio.Writer)
}

// Registry holds metric families and writes them in the order they were made, followed by
// the process and runtime families. It is an http.Handler for /metrics.
type Registry struct {
	mu       sync.Mutex
	names    map[string]bool
	families []family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{names: map[string]bool{}} }

func (r *Registry) add(name string, f family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		panic("metrics: " + name + " registered twice")
	}
	r.names[name] = true
	r.families = append(r.families, f)
}

// Counter makes and registers a counter without labels.
func (r *Registry) Counter(name, help string) *Counter {
	c := &Counter{}
	r.add(name, &counterFamily{name: name, help: help, single: c})
	return c
}

// CounterVec makes and registers a counter with the given label names.
func (r *Registry) CounterVec(name, help string, labels ...string) *CounterVec {
	v := &CounterVec{labels: labels, series: map[string]*labelled{}}
	r.add(name, &counterFamily{name: name, help: help, vec: v})
	return v
}

// Histogram makes and registers a histogram with the given bucket upper bounds, which must
// be increasing; the +Inf bucket is implied.
func (r *Registry) Histogram(name, help string, buckets []float64) *Histogram {
	if !slices.IsSorted(buckets) {
		panic("metrics: " + name + " buckets are not increasing")
	}
	h := &Histogram{name: name, help: help, upper: slices.Clone(buckets), counts: make([]uint64, len(buckets))}
	r.add(name, h)
	return h
}

// ServeHTTP writes every family.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	r.Expose(w) //nolint:errcheck // the client went away
}

// Expose writes every family to out in the text exposition format.
func (r *Registry) Expose(out io.Writer) error {
	w := bufio.NewWriter(out)
	r.mu.Lock()
	fams := slices.Clone(r.families)
	r.mu.Unlock()
	for _, f := range fams {
		f.write(w)
	}
	writeProcess(w)
	writeRuntime(w)
	return w.Flush()
}

// Counter is a float counter that only goes up. It is safe for concurrent use.
type Counter struct{ bits atomic.Uint64 }

// Add adds v, which must not be negative (a negative v is ignored, as a counter never goes
// down).
func (c *Counter) Add(v float64) {
	if !(v >= 0) {
		return
	}
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Inc adds one.
func (c *Counter) Inc() { c.Add(1) }

// Value is the count so far.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// CounterVec is a counter per combination of label values.
type CounterVec struct {
	labels []string
	mu     sync.Mutex
	series map[string]*labelled
}

type labelled struct {
	values []string
	c      Counter
}

// With returns the counter of the given label values, one per label name, making it on
// first use.
func (v *CounterVec) With(values ...string) *Counter {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metrics: %d label values for labels %v", len(values), v.labels))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.series[key]
	if !ok {
		s = &labelled{values: slices.Clone(values)}
		v.series[key] = s
	}
	return &s.c
}

type counterFamily struct {
	name, help string
	single     *Counter
	vec        *CounterVec
}

func (f *counterFamily) write(w *bufio.Writer) {
	header(w, f.name, f.help, "counter")
	if f.single != nil {
		sample(w, f.name, "", f.single.Value())
		return
	}
	f.vec.mu.Lock()
	keys := make([]string, 0, len(f.vec.series))
	for k := range f.vec.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	type row struct {
		labels string
		v      float64
	}
	rows := make([]row, 0, len(keys))
	for _, k := range keys {
		s := f.vec.series[k]
		rows = append(rows, row{labelText(f.vec.labels, s.values), s.c.Value()})
	}
	f.vec.mu.Unlock()
	for _, r := range rows {
		sample(w, f.name, r.labels, r.v)
	}
}

// Histogram counts observations in buckets, with their sum and count.
type Histogram struct {
	name, help string
	upper      []float64
	mu         sync.Mutex
	counts     []uint64 // per bucket, not cumulative
	sum        float64
	count      uint64
}

// Observe records one observation.
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.upper, v) // the first bound >= v
	h.mu.Lock()
	if i < len(h.counts) {
		h.counts[i]++
	}
	h.sum += v
	h.count++
	h.mu.Unlock()
}

func (h *Histogram) write(w *bufio.Writer) {
	h.mu.Lock()
	counts, sum, count := slices.Clone(h.counts), h.sum, h.count
	h.mu.Unlock()
	header(w, h.name, h.help, "histogram")
	var cum uint64
	for i, le := range h.upper {
		cum += counts[i]
		sample(w, h.name+"_bucket", `{le="`+formatFloat(le)+`"}`, float64(cum))
	}
	sample(w, h.name+"_bucket", `{le="+Inf"}`, float64(count))
	sample(w, h.name+"_sum", "", sum)
	sample(w, h.name+"_count", "", float64(count))
}

func header(w *bufio.Writer, name, help, typ string) {
	w.WriteString("# HELP ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(helpEscaper.Replace(help))
	w.WriteString("\n# TYPE ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(typ)
	w.WriteByte('\n')
}

func sample(w *bufio.Writer, name, labels string, v float64) {
	w.WriteString(name)
	w.WriteString(labels)
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// labelText is {name="value",...} with the names in the order given.
func labelText(names, values []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(values[i]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, +1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// started stands for the process's start: the package is initialized as the program starts.
var started = time.Now()

// writeProcess writes the process's CPU time, memory, open files and start time, as the
// Prometheus client's process collector names them, where the platform reports them.
func writeProcess(w *bufio.Writer) {
	if cpu, ok := cpuSeconds(); ok {
		header(w, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter")
		sample(w, "process_cpu_seconds_total", "", cpu)
	}
	if rss, vsize, ok := memoryBytes(); ok {
		header(w, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge")
		sample(w, "process_resident_memory_bytes", "", float64(rss))
		if vsize > 0 {
			header(w, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge")
			sample(w, "process_virtual_memory_bytes", "", float64(vsize))
		}
	}
	if n, ok := openFDs(); ok {
		header(w, "process_open_fds", "Number of open file descriptors.", "gauge")
		sample(w, "process_open_fds", "", float64(n))
	}
	header(w, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge")
	sample(w, "process_start_time_seconds", "", float64(started.UnixNano())/1e9)
}

// runtimeSeries are the go_* series written from runtime/metrics, under the names the
// Prometheus client's Go collector gave them (dashboards and aisync's own benchmark read
// them): each is the sum of the runtime/metrics values listed, times scale.
var runtimeSeries = []struct {
	name, help, typ string
	keys            []string
	scale           float64
}{
	{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", "gauge",
		[]string{"/memory/classes/heap/objects:bytes"}, 1},
	{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", "gauge",
		[]string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}, 1},
	{"go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", "gauge",
		[]string{"/memory/classes/heap/free:bytes", "/memory/classes/heap/released:bytes"}, 1},
	{"go_memstats_heap_released_bytes", "Number of heap bytes released to the OS.", "gauge",
		[]string{"/memory/classes/heap/released:bytes"}, 1},
	{"go_memstats_sys_bytes", "Number of bytes obtained from the system.", "gauge",
		[]string{"/memory/classes/total:bytes"}, 1},
	{"go_gc_heap_goal_bytes", "Heap size target for the end of the GC cycle.", "gauge",
		[]string{"/gc/heap/goal:bytes"}, 1},
	{"go_gc_cpu_seconds_total", "Estimated CPU time spent in the garbage collector.", "counter",
		[]string{"/cpu/classes/gc/total:cpu-seconds"}, 1},
}

// writeRuntime writes the Go runtime's figures: goroutines, threads, heap and collector.
func writeRuntime(w *bufio.Writer) {
	header(w, "go_goroutines", "Number of goroutines that currently exist.", "gauge")
	sample(w, "go_goroutines", "", float64(runtime.NumGoroutine()))
	header(w, "go_threads", "Number of OS threads created.", "gauge")
	sample(w, "go_threads", "", float64(pprof.Lookup("threadcreate").Count()))
	header(w, "go_info", "Information about the Go environment.", "gauge")
	sample(w, "go_info", labelText([]string{"version"}, []string{runtime.Version()}), 1)

	index := map[string]int{}
	var ss []rtmetrics.Sample
	key := func(k string) {
		if _, ok := index[k]; !ok {
			index[k] = len(ss)
			ss = append(ss, rtmetrics.Sample{Name: k})
		}
	}
	for _, r := range runtimeSeries {
		for _, k := range r.keys {
			key(k)
		}
	}
	key("/gc/cycles/total:gc-cycles")
	key("/cpu/classes/gc/pause:cpu-seconds")
	rtmetrics.Read(ss)
	value := func(k string) (float64, bool) {
		switch v := ss[index[k]].Value; v.Kind() {
		case rtmetrics.KindUint64:
			return float64(v.Uint64()), true
		case rtmetrics.KindFloat64:
			return v.Float64(), true
		}
		return 0, false // not in this Go version
	}
	for _, r := range runtimeSeries {
		sum, ok := 0.0, true
		for _, k := range r.keys {
			v, found := value(k)
			sum, ok = sum+v, ok && found
		}
		if ok {
			header(w, r.name, r.help, r.typ)
			sample(w, r.name, "", sum*r.scale)
		}
	}
	// The collector's pauses as the Prometheus client's summary names them (without its
	// quantiles): the count of completed cycles and the time the program stood still, which
	// the runtime reports as CPU time across every P.
	cycles, okCycles := value("/gc/cycles/total:gc-cycles")
	pause, okPause := value("/cpu/classes/gc/pause:cpu-seconds")
	if okCycles && okPause {
		header(w, "go_gc_duration_seconds", "Wall-clock time the garbage collector stopped the program, and the number of cycles.", "summary")
		sample(w, "go_gc_duration_seconds_sum", "", pause/float64(runtime.GOMAXPROCS(0)))
		sample(w, "go_gc_duration_seconds_count", "", cycles)
	}
}
