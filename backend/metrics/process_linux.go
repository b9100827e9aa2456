package metrics

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

func cpuSeconds() (float64, bool) { return rusageSeconds() }

// memoryBytes reads the resident and virtual sizes from /proc/self/statm (in pages).
func memoryBytes() (rss, vsize uint64, ok bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, 0, false
	}
	size, err1 := strconv.ParseUint(string(f[0]), 10, 64)
	res, err2 := strconv.ParseUint(string(f[1]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	page := uint64(syscall.Getpagesize())
	return res * page, size * page, true
}

func openFDs() (int, bool) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, false
	}
	return len(names) - 1, true // less the one just opened to list them
}
