//go:build unix && !linux

package metrics

func cpuSeconds() (float64, bool) { return rusageSeconds() }

// memoryBytes is not reported here: without cgo, macOS and the BSDs give no current
// resident size (getrusage's is the peak). go_memstats_sys_bytes shows what Go holds.
func memoryBytes() (rss, vsize uint64, ok bool) { return 0, 0, false }

func openFDs() (int, bool) { return 0, false }
