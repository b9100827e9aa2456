//go:build unix

package store

import (
	"syscall"
	"time"
)

// processCPUTime is the user+system CPU time of the whole process. Benchmarks report it next
// to wall time because on a shared machine wall time mostly measures the neighbours.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
