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
// Why: a pass over many clients allocates a lot and briefly holds a larger live heap (20
// client groups × 500 servers + 200 rules: up to ~20 MB), while the idle server needs a few
// MB. Go keeps the freed pages for reuse, its background scavenger only returns pages that
// went untouched for a whole GC cycle, and an idle process runs one GC every two minutes:
// the garbage of the last pass and the pages it freed stay resident long after it. Measured
// at that scale (headless build, when a pass still held up to ~60 MB): idle RSS 43 MB after
// the start-up pass and 59–65 MB after edits without this, 29 and 44 MB with it, at the same
// edit latency. The cost is one GC of the idle heap (a few ms) per burst of activity, off
// the sync path.
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

// defaultMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) of the
// long-running faces when GOMEMLIMIT is not set.
//
// Why: between collections Go lets the heap grow to twice what the last one found live
// (GOGC=100), so a pass's peak memory is about twice its live heap. At 20 client groups ×
// 500 servers + 200 rules a pass holds up to ~20 MB live and the headless server peaked at
// 76–82 MB RSS during edits (the target is 80 MB); with this limit the collector runs
// earlier only around that peak: 73–76 MB, at the same edit latency (p50 204–234 ms against
// 219–286 ms without, in alternating runs). 48 MiB gave 71–73 MB but ~10% slower edits.
// Smaller setups never come near the limit. A setup so large that a pass holds more than
// the limit makes the collector run often during its passes (Go caps that at half the CPU),
// not fail; GOMEMLIMIT (a size, or "off") overrides it.
const defaultMemoryLimit = 52 << 20

// limitMemory applies defaultMemoryLimit unless the GOMEMLIMIT environment variable chose one.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
