package main

import (
	"context"
	"runtime/debug"
	"time"

	"aisync/backend/events"
)

// freeOSMemory is debug.FreeOSMemory; tests count the calls.
var freeOSMemory = debug.FreeOSMemory

// quietAfterPass is how long the engine must stay idle after a pass before the heap it left
// behind is returned to the OS: long enough that a burst of saves is one release, short
// enough that the idle server is small soon after the last change.
const quietAfterPass = 2 * time.Second

// releaseAfterPasses returns the memory sync passes left behind to the OS once the engine has
// been idle for quietAfterPass after a pass. It runs in the long-running faces (serve, the
// desktop app) until ctx ends.
//
// Why: a pass over many clients allocates a lot and briefly holds a large live heap (20
// client groups × 500 servers + 200 rules: ~200 MB allocated, up to ~50 MB live), while
// the idle server needs a few MB. Go keeps the freed pages for reuse, and its background
// scavenger only returns pages that went untouched for a whole GC cycle; an idle process
// runs one GC every two minutes, so the pages stay resident long after the pass. Measured
// at that scale (headless build): idle RSS 48–72 MB without this, 42–44 MB with it. The
// cost is one GC of the idle heap per burst of activity, off the sync path.
//
// A soft memory limit (debug.SetMemoryLimit, 64 MiB, raised after each GC to leave at least
// a quarter or a half of the live heap as headroom) was measured too and left out: it cut
// the peak RSS of passes at that scale from ~145 to 95–105 MB, but the GC then runs several
// times as often during a pass, and in interleaved runs the edit-to-all-clients latency was
// 18–90% higher at p90 (the median moved little). GOMEMLIMIT still works for whoever prefers
// memory over latency.
func releaseAfterPasses(ctx context.Context, bus *events.Bus) {
	sub := bus.Subscribe(64)
	defer sub.Close()
	quiet := time.NewTimer(quietAfterPass)
	quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			switch e.Type {
			case events.SyncStarted:
				quiet.Stop()
			case events.SyncFinished:
				quiet.Reset(quietAfterPass)
			}
		case <-quiet.C:
			freeOSMemory()
		}
	}
}
