// Package events is aisync's in-process event bus. The engine publishes; the Wails window,
// the SSE stream and the tray subscribe. A slow subscriber never blocks the engine: each
// has a bounded buffer and drops (and counts) what it cannot keep up with.
package events

import (
	"sync"
	"sync/atomic"
	"time"
)

// Event types.
const (
	SyncStarted      = "sync.started"
	SyncFinished     = "sync.finished"
	SyncProgress     = "sync.progress"
	SnapshotCreated  = "snapshot.created"
	ConflictCreated  = "conflict.created"
	ConflictResolved = "conflict.resolved"
	Warning          = "warning"
	Error            = "error"
	ClientChanged    = "client.changed"
	FileWritten      = "file.written"
	StatusChanged    = "status.changed"
)

// Event is one thing that happened. Data is JSON-encodable and never holds secret values.
type Event struct {
	ID     uint64         `json:"id"`
	Type   string         `json:"type"`
	Time   time.Time      `json:"time"`
	Client string         `json:"client,omitempty"`
	Scope  string         `json:"scope,omitempty"`
	Msg    string         `json:"message,omitempty"`
	Data   map[string]any `json:"data,omitempty"`
}

// Bus fans events out to subscribers.
type Bus struct {
	mu      sync.RWMutex
	subs    map[*Sub]struct{}
	seq     atomic.Uint64
	dropped atomic.Uint64
	recent  []Event // ring of the last events, for late subscribers (UI timeline)
	keep    int
}

// NewBus returns a bus that remembers the last keep events.
func NewBus(keep int) *Bus { return &Bus{subs: map[*Sub]struct{}{}, keep: keep} }

// Sub is one subscription.
type Sub struct {
	C    <-chan Event
	c    chan Event
	bus  *Bus
	once sync.Once
}

// Subscribe returns a subscription with a buffer of n events.
func (b *Bus) Subscribe(n int) *Sub {
	c := make(chan Event, n)
	s := &Sub{C: c, c: c, bus: b}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Close ends the subscription and closes its channel.
func (s *Sub) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.c)
	})
}

// Publish stamps and delivers an event to every subscriber without blocking.
func (b *Bus) Publish(e Event) Event {
	e.ID = b.seq.Add(1)
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b.mu.Lock()
	if b.keep > 0 {
		b.recent = append(b.recent, e)
		if len(b.recent) > b.keep {
			b.recent = append([]Event(nil), b.recent[len(b.recent)-b.keep:]...)
		}
	}
	for s := range b.subs {
		select {
		case s.c <- e:
		default:
			b.dropped.Add(1)
		}
	}
	b.mu.Unlock()
	return e
}

// Recent returns the remembered events, oldest first.
func (b *Bus) Recent() []Event {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]Event(nil), b.recent...)
}

// Dropped counts events a slow subscriber missed.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
