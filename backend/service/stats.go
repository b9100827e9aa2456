package service

import (
	"context"
	"time"

	"aisync/backend/store"
)

// RunPoint is one sync run for the dashboard charts.
type RunPoint struct {
	Time       time.Time `json:"time"`
	DurationMs int64     `json:"durationMs"`
	Status     string    `json:"status"`
	Trigger    string    `json:"trigger"`
	ClientID   string    `json:"clientId,omitempty"`
}

// Stats are the monitoring indicators of the seed's §4.4 for the dashboard.
type Stats struct {
	Runs         []RunPoint       `json:"runs"` // oldest first
	SuccessRate  float64          `json:"successRate"`
	AvgLatencyMs float64          `json:"avgLatencyMs"`
	PerClient    map[string]int64 `json:"perClient"` // log entries per client
	Levels       map[string]int64 `json:"levels"`
	Retries      int64            `json:"retries"`
	Failures     int64            `json:"failures"`
}

// Stats summarises the last runs (at most 200) and the log.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	page, err := s.SyncEvents(ctx, 200, "")
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Runs: make([]RunPoint, 0, len(page.Items)), PerClient: map[string]int64{}}
	ok, total := 0, 0
	var sum int64
	for i := len(page.Items) - 1; i >= 0; i-- {
		e := page.Items[i]
		st.Runs = append(st.Runs, RunPoint{Time: e.StartedAt, DurationMs: e.DurationMS, Status: string(e.Status), Trigger: e.EventType, ClientID: e.ClientID})
		total++
		sum += e.DurationMS
		if e.Status == "succeeded" {
			ok++
		}
	}
	if total > 0 {
		st.SuccessRate = float64(ok) / float64(total)
		st.AvgLatencyMs = float64(sum) / float64(total)
	}
	if st.Levels, err = s.st.CountLogsByLevel(ctx, store.LogFilter{}); err != nil {
		return st, err
	}
	cls, err := s.eng.Clients(ctx)
	if err != nil {
		return st, err
	}
	for _, c := range cls {
		if !c.Detected {
			continue
		}
		counts, err := s.st.CountLogsByLevel(ctx, store.LogFilter{ClientID: c.Adapter.ID()})
		if err != nil {
			return st, err
		}
		var n int64
		for _, v := range counts {
			n += v
		}
		st.PerClient[c.Adapter.ID()] = n
	}
	m := s.eng.Metrics().Counts()
	st.Retries, st.Failures = m.Retries, m.Failures
	return st, nil
}
