package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// Every index is visited exactly once, in two ranges that meet, whatever n; below From (or on
// one processor) in one call.
func TestHalvesVisitsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, From - 1, From, From + 1, 3*From + 7} {
		seen := make([]int32, n)
		var calls atomic.Int32
		Halves(n, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, c)
			}
		}
		want := int32(1)
		if n >= From && runtime.GOMAXPROCS(0) > 1 {
			want = 2
		}
		if calls.Load() != want {
			t.Fatalf("n=%d: %d calls, want %d", n, calls.Load(), want)
		}
	}
}
