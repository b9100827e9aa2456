// Package watch turns raw file-system notifications into "these paths changed" batches.
// The Aggregator is pure logic driven by an injected clock, so the debouncing rules are
// tested without timers; Watcher wraps fsnotify on the parent directories of the files,
// because editors replace files by rename and files appear and disappear.
package watch

import (
	"sort"
	"time"
)

// Aggregator debounces change notifications per path: a path is due once it has been quiet
// for Quiet, or at the latest MaxDelay after its first notification (so a file that is
// rewritten continuously is still synced).
type Aggregator struct {
	Quiet    time.Duration
	MaxDelay time.Duration
	pending  map[string]entry
}

type entry struct{ first, last time.Time }

// Add records a notification for path at now.
func (a *Aggregator) Add(path string, now time.Time) {
	if a.pending == nil {
		a.pending = map[string]entry{}
	}
	e, ok := a.pending[path]
	if !ok {
		e.first = now
	}
	e.last = now
	a.pending[path] = e
}

func (a *Aggregator) dueAt(e entry) time.Time {
	t := e.last.Add(a.Quiet)
	if a.MaxDelay > 0 {
		if limit := e.first.Add(a.MaxDelay); limit.Before(t) {
			t = limit
		}
	}
	return t
}

// Due removes and returns the paths that are due at now, sorted.
func (a *Aggregator) Due(now time.Time) []string {
	var out []string
	for p, e := range a.pending {
		if !a.dueAt(e).After(now) {
			out = append(out, p)
			delete(a.pending, p)
		}
	}
	sort.Strings(out)
	return out
}

// Next returns when the earliest pending path becomes due; ok is false when none is pending.
func (a *Aggregator) Next() (t time.Time, ok bool) {
	for _, e := range a.pending {
		d := a.dueAt(e)
		if !ok || d.Before(t) {
			t, ok = d, true
		}
	}
	return t, ok
}

// Len is the number of pending paths.
func (a *Aggregator) Len() int { return len(a.pending) }
