package watch

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports changed paths under a set of watched directories, debounced.
type Watcher struct {
	fs   *fsnotify.Watcher
	agg  Aggregator
	log  *slog.Logger
	out  chan []string
	mu   sync.Mutex
	dirs map[string]bool
}

// New starts a watcher; changed-path batches arrive on C().
func New(quiet, maxDelay time.Duration, log *slog.Logger) (*Watcher, error) {
	f, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	return &Watcher{fs: f, agg: Aggregator{Quiet: quiet, MaxDelay: maxDelay}, log: log, out: make(chan []string, 16), dirs: map[string]bool{}}, nil
}

// C delivers batches of changed paths.
func (w *Watcher) C() <-chan []string { return w.out }

// Watch makes the set of watched directories equal to dirs (missing ones are skipped and can
// be added later, when they appear).
func (w *Watcher) Watch(dirs []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	want := map[string]bool{}
	for _, d := range dirs {
		d = filepath.Clean(d)
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			want[d] = true
		}
	}
	for d := range w.dirs {
		if !want[d] {
			_ = w.fs.Remove(d)
			delete(w.dirs, d)
		}
	}
	for d := range want {
		if w.dirs[d] {
			continue
		}
		if err := w.fs.Add(d); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.log.Warn("watch directory", "dir", d, "err", err)
			}
			continue
		}
		w.dirs[d] = true
	}
}

// Watched returns the watched directories.
func (w *Watcher) Watched() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		out = append(out, d)
	}
	return out
}

// Serve runs until ctx ends.
func (w *Watcher) Serve(ctx context.Context) error {
	defer w.fs.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	arm := func() {
		if next, ok := w.agg.Next(); ok {
			d := time.Until(next)
			if d < 0 {
				d = 0
			}
			timer.Reset(d)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-w.fs.Events:
			if !ok {
				return nil
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			w.agg.Add(ev.Name, time.Now())
			timer.Stop()
			arm()
		case err, ok := <-w.fs.Errors:
			if !ok {
				return nil
			}
			w.log.Warn("file watcher", "err", err)
		case <-timer.C:
			if due := w.agg.Due(time.Now()); len(due) > 0 {
				select {
				case w.out <- due:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			arm()
		}
	}
}
