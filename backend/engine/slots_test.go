package engine

import (
	"sync"
	"testing"
	"time"
)

// TestSlotsServeMostWorkFirst holds the only slot while three jobs wait for it, and checks
// that they get it largest first, equal ones in the order they came, one at a time.
func TestSlotsServeMostWorkFirst(t *testing.T) {
	s := newSlots(1)
	release := s.acquire(0)
	var (
		mu      sync.Mutex
		order   []string
		running int
		wg      sync.WaitGroup
	)
	waitFor := func(n int) {
		for range 2000 {
			s.mu.Lock()
			k := len(s.waiting)
			s.mu.Unlock()
			if k == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("%d jobs waiting, want %d", len(s.waiting), n)
	}
	for i, job := range []struct {
		name string
		work int
	}{{"small-1", 5}, {"large", 10}, {"small-2", 5}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.acquire(job.work)
			mu.Lock()
			running++
			if running > 1 {
				t.Errorf("%d jobs hold the one slot", running)
			}
			order = append(order, job.name)
			running--
			mu.Unlock()
			r()
			r() // a second release gives nothing back
		}()
		waitFor(i + 1) // arrival order is the order of the loop
	}
	release()
	wg.Wait()
	if got, want := order, []string{"large", "small-1", "small-2"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("served %v, want %v", got, want)
	}
	if s.free != 1 || len(s.waiting) != 0 {
		t.Fatalf("after every release: %d free, %d waiting; want 1 and 0", s.free, len(s.waiting))
	}
}
