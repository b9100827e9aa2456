package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/events"
)

// A build without the desktop app (-tags headless) says so on a bare `aisync` and points to
// `serve`, and its help and version say which build it is.
func TestWithoutDesktopBareCommandPointsToServe(t *testing.T) {
	saved := desktopApp
	desktopApp = nil
	t.Cleanup(func() { desktopApp = saved })

	var stdout, stderr bytes.Buffer
	if code := run(nil, &stdout, &stderr); code != exitUsage {
		t.Fatalf("bare aisync exited %d, want %d", code, exitUsage)
	}
	if msg := stderr.String(); !strings.Contains(msg, "headless build, without the desktop app") || !strings.Contains(msg, "aisync serve") {
		t.Fatalf("bare aisync said %q", msg)
	}
	stdout.Reset()
	if code := run([]string{"help"}, &stdout, io.Discard); code != exitOK || !strings.Contains(stdout.String(), "no desktop app in this headless build") {
		t.Fatalf("help (%d): %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"version"}, &stdout, io.Discard); code != exitOK || !strings.HasSuffix(strings.TrimSpace(stdout.String()), " headless") {
		t.Fatalf("version (%d): %q", code, stdout.String())
	}
}

// The freed heap goes back to the OS once quietAfterPass has passed after the last pass of a
// burst, not during a pass and not once per pass.
func TestReleaseAfterPassesWaitsForCalm(t *testing.T) {
	var released atomic.Int32
	saved := freeOSMemory
	freeOSMemory = func() { released.Add(1) }
	t.Cleanup(func() { freeOSMemory = saved })
	bus := events.NewBus(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { releaseAfterPasses(ctx, bus); close(done) }()
	time.Sleep(20 * time.Millisecond) // let it subscribe

	for range 5 { // a burst of passes, closer together than quietAfterPass
		bus.Publish(events.Event{Type: events.SyncStarted})
		bus.Publish(events.Event{Type: events.SyncFinished})
		time.Sleep(quietAfterPass / 10)
	}
	bus.Publish(events.Event{Type: events.SyncStarted}) // a pass still running: no release
	time.Sleep(quietAfterPass + quietAfterPass/2)
	if n := released.Load(); n != 0 {
		t.Fatalf("memory released %d times during a burst and a running pass", n)
	}
	bus.Publish(events.Event{Type: events.SyncFinished})
	for deadline := time.Now().Add(quietAfterPass + 3*time.Second); released.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(quietAfterPass / 4)
	if n := released.Load(); n != 1 {
		t.Fatalf("memory released %d times after the burst, want once", n)
	}
	cancel()
	<-done
}

// The long-running faces get the default soft memory limit unless GOMEMLIMIT chose one.
func TestLimitMemoryDefaultsUnlessGOMEMLIMIT(t *testing.T) {
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	debug.SetMemoryLimit(math.MaxInt64)

	limitMemory(func(k string) string { return map[string]string{"GOMEMLIMIT": "off"}[k] })
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("GOMEMLIMIT=off: the limit became %d", got)
	}
	limitMemory(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Fatalf("no GOMEMLIMIT: limit %d, want %d", got, defaultMemoryLimit)
	}
}
