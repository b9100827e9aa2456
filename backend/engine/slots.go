package engine

import (
	"cmp"
	"slices"
	"sync"
)

// slots are the engine's CPU slots (see Engine.slot): a counting semaphore whose waiters are
// served most work first, then in the order they came. A pass encodes every endpoint of a
// scope at once and the slots take them in turn; served in arrival order, which the
// scheduler makes close to random, a first pass of 1,000 servers now and then left Codex's
// file (the slowest to encode) for last and ran it alone on one core while the other idled.
// Served largest first, the encodes share the cores evenly (longest processing time first).
type slots struct {
	mu      sync.Mutex
	free    int
	seq     uint64
	waiting []*slotWaiter // sorted: most work first, then arrival
}

type slotWaiter struct {
	work  int
	seq   uint64
	ready chan struct{}
}

func newSlots(n int) *slots { return &slots{free: max(n, 1)} }

// acquire waits for a slot for a job of about work units and returns its release, which
// does nothing after its first call.
func (s *slots) acquire(work int) (release func()) {
	var once sync.Once
	release = func() { once.Do(s.release) }
	s.mu.Lock()
	if s.free > 0 && len(s.waiting) == 0 {
		s.free--
		s.mu.Unlock()
		return release
	}
	s.seq++
	w := &slotWaiter{work: work, seq: s.seq, ready: make(chan struct{})}
	i, _ := slices.BinarySearchFunc(s.waiting, w, func(a, b *slotWaiter) int {
		if a.work != b.work {
			return cmp.Compare(b.work, a.work) // more work first
		}
		return cmp.Compare(a.seq, b.seq)
	})
	s.waiting = slices.Insert(s.waiting, i, w)
	s.mu.Unlock()
	<-w.ready
	return release
}

// release hands the slot to the first waiter, or frees it.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	w := s.waiting[0]
	s.waiting = slices.Delete(s.waiting, 0, 1)
	close(w.ready)
}
