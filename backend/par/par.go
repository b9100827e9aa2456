// Package par splits the work of a large first pass between two cores.
//
// A first pass at scale reads, checks and reconciles a thousand servers in steps that run
// one after the other, each on one core while the other has nothing to do (the decode of the
// file the pass starts from, its secret scan, Reconcile). Those steps go over independent
// items, so each can give half of its items to a second goroutine.
package par

import "runtime"

// From is the number of items from which Halves splits them: below it the second
// goroutine costs more than it saves.
const From = 512

// Halves calls f(0, n/2) and f(n/2, n) at once, on two goroutines, and returns when both
// are done; with fewer than From items, or one processor, it calls f(0, n). f must only
// write what belongs to its range.
func Halves(n int, f func(lo, hi int)) {
	if n < From || runtime.GOMAXPROCS(0) < 2 {
		f(0, n)
		return
	}
	half := n / 2
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(half, n)
	}()
	f(0, half)
	<-done
}
