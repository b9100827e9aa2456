package engine

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the seed's monitoring indicators (§4.4): sync success and failure, latency,
// per-client events and retries, log level counts, plus process CPU and memory.
type Metrics struct {
	Registry *prometheus.Registry

	runs          *prometheus.CounterVec
	latency       prometheus.Histogram
	clientEvents  *prometheus.CounterVec
	clientRetries *prometheus.CounterVec
	logLevels     *prometheus.CounterVec
	writes        prometheus.Counter
	conflictsC    prometheus.Counter

	// Plain counters the API and tray read without parsing Prometheus output.
	retries   atomic.Int64
	failures  atomic.Int64
	conflicts atomic.Int64
	succeeded atomic.Int64
	failed    atomic.Int64
}

func newMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aisync_sync_runs_total", Help: "Sync runs by trigger and status."}, []string{"trigger", "status"})
	m.latency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "aisync_sync_duration_seconds", Help: "Duration of sync runs that changed something.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}})
	m.clientEvents = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aisync_client_events_total", Help: "Per-client sync outcomes (written, error, warning)."}, []string{"client", "outcome"})
	m.clientRetries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aisync_client_retries_total", Help: "Write retries per client."}, []string{"client"})
	m.logLevels = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aisync_log_entries_total", Help: "Event log entries by level."}, []string{"level"})
	m.writes = prometheus.NewCounter(prometheus.CounterOpts{Name: "aisync_files_written_total", Help: "Client files written."})
	m.conflictsC = prometheus.NewCounter(prometheus.CounterOpts{Name: "aisync_conflicts_total", Help: "Conflicts that needed the user."})
	m.Registry.MustRegister(m.runs, m.latency, m.clientEvents, m.clientRetries, m.logLevels, m.writes, m.conflictsC,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	return m
}

func (m *Metrics) observeRun(res Result, d time.Duration) {
	m.runs.WithLabelValues(res.Trigger, res.Status).Inc()
	if res.Status == "succeeded" {
		m.succeeded.Add(1)
	} else {
		m.failed.Add(1)
	}
	if res.FilesWritten > 0 || res.Snapshots > 0 {
		m.latency.Observe(d.Seconds())
	}
	m.writes.Add(float64(res.FilesWritten))
	for id, c := range res.Clients {
		if c.Written > 0 {
			m.clientEvents.WithLabelValues(id, "written").Add(float64(c.Written))
		}
		if len(c.Errors) > 0 {
			m.clientEvents.WithLabelValues(id, "error").Add(float64(len(c.Errors)))
		}
	}
}

func (m *Metrics) clientRetry(client string) { m.clientRetries.WithLabelValues(client).Inc() }

// conflict counts a conflict that needs the user (an item or a held file).
func (m *Metrics) conflict() {
	m.conflicts.Add(1)
	m.conflictsC.Inc()
}
func (m *Metrics) logLevel(level string) { m.logLevels.WithLabelValues(level).Inc() }

// Counts is a summary for the dashboard.
type Counts struct {
	RunsSucceeded int64 `json:"runsSucceeded"`
	RunsFailed    int64 `json:"runsFailed"`
	Retries       int64 `json:"retries"`
	Failures      int64 `json:"failures"`
	Conflicts     int64 `json:"conflicts"`
}

// Counts returns the plain counters.
func (m *Metrics) Counts() Counts {
	return Counts{RunsSucceeded: m.succeeded.Load(), RunsFailed: m.failed.Load(), Retries: m.retries.Load(), Failures: m.failures.Load(), Conflicts: m.conflicts.Load()}
}
