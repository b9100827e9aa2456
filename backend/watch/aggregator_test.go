package watch

import (
	"reflect"
	"testing"
	"time"
)

func TestAggregatorDebouncesPerPath(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	a := &Aggregator{Quiet: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}

	a.Add("/a", at(0))
	a.Add("/a", at(10)) // editor writes in two steps
	a.Add("/b", at(15))
	if got := a.Due(at(25)); len(got) != 0 {
		t.Fatalf("due at 25ms: %v, want nothing (a quiet only since 10ms)", got)
	}
	if next, ok := a.Next(); !ok || !next.Equal(at(30)) {
		t.Fatalf("next = %v %v, want 30ms", next, ok)
	}
	if got := a.Due(at(30)); !reflect.DeepEqual(got, []string{"/a"}) {
		t.Fatalf("due at 30ms: %v", got)
	}
	if got := a.Due(at(35)); !reflect.DeepEqual(got, []string{"/b"}) {
		t.Fatalf("due at 35ms: %v", got)
	}
	if _, ok := a.Next(); ok || a.Len() != 0 {
		t.Fatal("aggregator not empty")
	}
}

func TestAggregatorMaxDelayBoundsContinuousWrites(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	a := &Aggregator{Quiet: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}
	var due []string
	for ms := 0; ms <= 200 && len(due) == 0; ms += 10 {
		now := t0.Add(time.Duration(ms) * time.Millisecond)
		a.Add("/hot", now)
		due = a.Due(now)
		if len(due) > 0 && ms != 100 {
			t.Fatalf("flushed at %dms, want 100ms", ms)
		}
	}
	if len(due) != 1 {
		t.Fatal("a continuously written file was never flushed")
	}
}
