package events

import "testing"

func TestPublishDeliversInOrderAndNeverBlocks(t *testing.T) {
	t.Parallel()
	b := NewBus(3)
	fast := b.Subscribe(10)
	slow := b.Subscribe(1)
	for i := 0; i < 5; i++ {
		b.Publish(Event{Type: SyncStarted})
	}
	for want := uint64(1); want <= 5; want++ {
		if e := <-fast.C; e.ID != want {
			t.Fatalf("got id %d want %d", e.ID, want)
		}
	}
	if b.Dropped() != 4 {
		t.Fatalf("dropped = %d, want 4 (slow subscriber buffer 1)", b.Dropped())
	}
	if r := b.Recent(); len(r) != 3 || r[0].ID != 3 {
		t.Fatalf("recent = %+v", r)
	}
	slow.Close()
	slow.Close() // idempotent
	if _, ok := <-slow.C; !ok {
		t.Fatal("buffered event lost on close")
	}
}
