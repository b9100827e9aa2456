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
// client groups × 500 servers + 200 rules: up to ~60 MB), while the idle server needs a few
// MB. Go keeps the freed pages for reuse, its background scavenger only returns pages that
// went untouched for a whole GC cycle, and an idle process runs one GC every two minutes:
// the garbage of the last pass and the pages it freed stay resident long after it. Measured
// at that scale (headless build): idle RSS 43 MB after the start-up pass and 59–65 MB after
// edits without this, 29 and 44 MB with it, at the same edit latency. The cost is one GC of
// the idle heap (about 10 ms) per burst of activity, off the sync path.
//
// A soft memory limit (debug.SetMemoryLimit) was measured too and left out: 64 MiB cut the
// peak RSS during edits at that scale from 130–145 to 93–98 MB (still above the 80 MB
// target), but the GC then runs several times as often during a pass: edit latency +8% on
// average and +13% at p90, CPU +8%, and a config much larger than that would make the GC
// run back to back. GOMEMLIMIT still works for whoever prefers memory over latency.
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
