// Package logging sets up log/slog: readable text on stderr while developing, JSON lines in
// a size-rotated file under the data dir in production (a desktop app has no terminal).
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// Options select the handler.
type Options struct {
	Level  string // debug, info, warn, error
	Format string // text (stderr), json (file), auto (text when stderr is a terminal)
	Dir    string // where json logs go
	// MaxBytes rotates the file when it grows past this size; Keep rotated files are kept.
	MaxBytes int64
	Keep     int
}

// New returns the logger and a closer for its file.
func New(o Options) (*slog.Logger, io.Closer, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(o.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	format := o.Format
	if format == "" || format == "auto" {
		format = "json"
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	hopts := &slog.HandlerOptions{Level: lvl}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, hopts)), io.NopCloser(nil), nil
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create log dir: %w", err)
	}
	w := &RotatingFile{Path: filepath.Join(o.Dir, "aisync.log"), MaxBytes: o.MaxBytes, Keep: o.Keep}
	if w.MaxBytes == 0 {
		w.MaxBytes = 10 << 20
	}
	if w.Keep == 0 {
		w.Keep = 5
	}
	return slog.New(slog.NewJSONHandler(w, hopts)), w, nil
}

// RotatingFile is an io.Writer that renames the file to .1, .2, … when it gets too big.
type RotatingFile struct {
	Path     string
	MaxBytes int64
	Keep     int

	mu   sync.Mutex
	f    *os.File
	size int64
}

func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	if r.size+int64(len(p)) > r.MaxBytes && r.size > 0 {
		r.rotate()
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *RotatingFile) open() error {
	f, err := os.OpenFile(r.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	fi, _ := f.Stat()
	r.f, r.size = f, fi.Size()
	return nil
}

func (r *RotatingFile) rotate() {
	r.f.Close()
	for i := r.Keep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.Path, i), fmt.Sprintf("%s.%d", r.Path, i+1))
	}
	os.Rename(r.Path, r.Path+".1")
	if err := r.open(); err != nil {
		r.f, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
}

// Close closes the file.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
