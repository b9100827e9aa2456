package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// tracker watches target files and records when each first held each edit: every edit puts
// marker(seq) into the probe server, and a target "holds edit N" once it shows a marker ≥ N
// (a later edit carries every earlier one with it). It also counts the file replacements
// and writes it sees, to spot lost updates and echo loops.
type tracker struct {
	targets map[string]*targetState
	order   []string
	w       *fsnotify.Watcher
	poll    time.Duration
	stop    chan struct{}
	done    sync.WaitGroup
	mu      sync.Mutex
	errs    int
}

type targetState struct {
	path    string
	max     int
	obs     []observation
	creates int // file replaced or created (rename into place, or create)
	writes  int // write events (in-place writes)
	viaPoll int // increases first seen by the safety poll rather than by an event
	reads   int
}

type observation struct {
	at  time.Time
	seq int
}

var markerRE = regexp.MustCompile(`bench-seq-(\d{6})`)

func maxMarker(b []byte) int {
	best := -1
	for _, m := range markerRE.FindAllSubmatch(b, -1) {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n > best {
			best = n
		}
	}
	return best
}

// newTracker starts watching. mode "fsnotify" reacts to events and polls every 25 ms as a
// safety net; mode "poll" reads every target in a 1 ms loop.
func newTracker(paths []string, mode string) *tracker {
	t := &tracker{targets: map[string]*targetState{}, stop: make(chan struct{})}
	dirs := map[string]bool{}
	for _, p := range paths {
		p = filepath.Clean(p)
		t.targets[p] = &targetState{path: p, max: -1}
		t.order = append(t.order, p)
		dirs[filepath.Dir(p)] = true
	}
	for _, st := range t.targets {
		t.check(st, false)
	}
	if mode == "poll" {
		t.poll = time.Millisecond
	} else {
		t.poll = 25 * time.Millisecond
		w, err := fsnotify.NewWatcher()
		must(err)
		for d := range dirs {
			must(w.Add(d))
		}
		t.w = w
		t.done.Add(1)
		go t.events()
	}
	t.done.Add(1)
	go t.poller()
	return t
}

func (t *tracker) events() {
	defer t.done.Done()
	for {
		select {
		case <-t.stop:
			return
		case ev, ok := <-t.w.Events:
			if !ok {
				return
			}
			st := t.targets[filepath.Clean(ev.Name)]
			if st == nil {
				continue
			}
			t.mu.Lock()
			if ev.Has(fsnotify.Create) {
				st.creates++
			}
			if ev.Has(fsnotify.Write) {
				st.writes++
			}
			t.mu.Unlock()
			if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write) {
				t.check(st, false)
			}
		case <-t.w.Errors:
			t.mu.Lock()
			t.errs++
			t.mu.Unlock()
		}
	}
}

func (t *tracker) poller() {
	defer t.done.Done()
	tk := time.NewTicker(t.poll)
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tk.C:
			for _, p := range t.order {
				t.check(t.targets[p], t.w != nil)
			}
		}
	}
}

func (t *tracker) check(st *targetState, viaPoll bool) {
	b, err := os.ReadFile(st.path)
	now := time.Now()
	if err != nil {
		return
	}
	seq := maxMarker(b)
	t.mu.Lock()
	defer t.mu.Unlock()
	st.reads++
	if seq > st.max {
		st.max = seq
		st.obs = append(st.obs, observation{now, seq})
		if viaPoll {
			st.viaPoll++
		}
	}
}

func (t *tracker) close() {
	close(t.stop)
	if t.w != nil {
		t.w.Close()
	}
	t.done.Wait()
}

// minMax is the lowest marker any target holds now.
func (t *tracker) minMax() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	lo := int(^uint(0) >> 1)
	for _, st := range t.targets {
		lo = min(lo, st.max)
	}
	return lo
}

// waitAll waits until every target holds seq (bounded); it polls the recorded state only.
func (t *tracker) waitAll(seq int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if t.minMax() >= seq {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return t.minMax() >= seq
}

// arrival is when a target first held seq.
func (t *tracker) arrival(path string, seq int) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range t.targets[path].obs {
		if o.seq >= seq {
			return o.at, true
		}
	}
	return time.Time{}, false
}

// counts returns replacements+writes per target, in order.
func (t *tracker) counts() map[string][2]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string][2]int{}
	for p, st := range t.targets {
		out[p] = [2]int{st.creates, st.writes}
	}
	return out
}

func (t *tracker) viaPoll() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, st := range t.targets {
		n += st.viaPoll
	}
	return n
}

// ---- how editors write

func writeAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".bench~")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// calibrate measures the harness's own detection delay: it replaces a file itself and times
// how long the tracker takes to see the new marker.
func calibrate(dir, mode string, n int) dist {
	p := filepath.Join(dir, "calibration.json")
	must(os.MkdirAll(dir, 0o755))
	must(os.WriteFile(p, []byte(marker(0)), 0o644))
	t := newTracker([]string{p}, mode)
	defer t.close()
	var lat []float64
	for i := 1; i <= n; i++ {
		w := time.Now()
		must(writeAtomic(p, []byte(`{"x": "`+marker(i)+`"}`)))
		if t.waitAll(i, 2*time.Second) {
			if at, ok := t.arrival(p, i); ok {
				lat = append(lat, ms(at.Sub(w)))
			}
		}
		time.Sleep(3 * time.Millisecond)
	}
	return newDist(lat)
}
