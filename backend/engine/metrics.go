package engine

import (
	"sync/atomic"
	"time"

	"aisync/backend/metrics"
)

// Metrics are the seed's monitoring indicators (§4.4): sync success and failure, latency,
// per-client events and retries, log level counts, plus process CPU and memory.
type Metrics struct {
	// Registry serves them in the Prometheus text format (GET /metrics).
	Registry *metrics.Registry

	runs          *metrics.CounterVec
	latency       *metrics.Histogram
	clientEvents  *metrics.CounterVec
	clientRetries *metrics.CounterVec
	logLevels     *metrics.CounterVec
	writes        *metrics.Counter
	conflictsC    *metrics.Counter

	// Plain counters the API and tray read without parsing Prometheus output.
	retries   atomic.Int64
	failures  atomic.Int64
	conflicts atomic.Int64
	succeeded atomic.Int64
	failed    atomic.Int64
}

func newMetrics() *Metrics {
	r := metrics.NewRegistry()
	return &Metrics{
		Registry: r,
		runs:     r.CounterVec("aisync_sync_runs_total", "Sync runs by trigger and status.", "trigger", "status"),
		latency: r.Histogram("aisync_sync_duration_seconds", "Duration of sync runs that changed something.",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}),
		clientEvents:  r.CounterVec("aisync_client_events_total", "Per-client sync outcomes (written, error, warning).", "client", "outcome"),
		clientRetries: r.CounterVec("aisync_client_retries_total", "Write retries per client.", "client"),
		logLevels:     r.CounterVec("aisync_log_entries_total", "Event log entries by level.", "level"),
		writes:        r.Counter("aisync_files_written_total", "Client files written."),
		conflictsC:    r.Counter("aisync_conflicts_total", "Conflicts that needed the user."),
	}
}

func (m *Metrics) observeRun(res Result, d time.Duration) {
	m.runs.With(res.Trigger, res.Status).Inc()
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
			m.clientEvents.With(id, "written").Add(float64(c.Written))
		}
		if len(c.Errors) > 0 {
			m.clientEvents.With(id, "error").Add(float64(len(c.Errors)))
		}
	}
}

func (m *Metrics) clientRetry(client string) { m.clientRetries.With(client).Inc() }

// conflict counts a conflict that needs the user (an item or a held file).
func (m *Metrics) conflict() {
	m.conflicts.Add(1)
	m.conflictsC.Inc()
}
func (m *Metrics) logLevel(level string) { m.logLevels.With(level).Inc() }

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
