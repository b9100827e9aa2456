// Package reliability drives the real engine (in process) and the real binary (AISYNC_BIN)
// through file faults, bad input, crashes and load, and checks after every case that each
// client file and the database are in a state the user can live with: nothing they wrote is
// lost, nothing is torn, every failure is visible.
//
// Quick variants run in `make test`; AISYNC_SOAK=1 (`make soak`) makes the crash loop, the
// load test and the soak tests long. AISYNC_RELIABILITY_RESULTS=<file> writes the figures of
// the run (faults injected, inputs tried, crash loops survived, load held, what was lost) to
// that file as Markdown.
package reliability

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// soak reports whether the long variants are wanted.
func soak() bool { return os.Getenv("AISYNC_SOAK") == "1" }

// pick returns quick in the normal run and long under AISYNC_SOAK=1.
func pick[T any](quick, long T) T {
	if soak() {
		return long
	}
	return quick
}

// report collects the figures of a run for RESULTS.md. Tests add rows; TestMain writes them.
var report = &results{sections: map[string]*section{}}

type section struct {
	title  string
	header []string
	rows   [][]string
	notes  []string
}

type results struct {
	mu       sync.Mutex
	order    []string
	sections map[string]*section
}

// table declares a section with its column names (idempotent).
func (r *results) table(key, title string, header ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.sections[key]; ok {
		return
	}
	r.order = append(r.order, key)
	r.sections[key] = &section{title: title, header: header}
}

// row appends one row to a section.
func (r *results) row(key string, cells ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sections[key]
	if s == nil {
		return
	}
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = strings.ReplaceAll(fmt.Sprint(c), "|", `\|`)
		row[i] = strings.ReplaceAll(row[i], "\n", " ")
	}
	s.rows = append(s.rows, row)
}

// note adds a sentence under a section's table.
func (r *results) note(key, format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.sections[key]; s != nil {
		s.notes = append(s.notes, fmt.Sprintf(format, a...))
	}
}

func (r *results) markdown(elapsed time.Duration, code int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	mode := "quick (`make test`)"
	if soak() {
		mode = "soak (`make soak`, AISYNC_SOAK=1)"
	}
	outcome := "all selected tests passed"
	if code != 0 {
		outcome = "some tests FAILED (see the test output; failing tests document open bugs)"
	}
	fmt.Fprintf(&b, "## Run of %s: %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), mode)
	fmt.Fprintf(&b, "%s, %s/%s, %d CPUs, race detector: %v, binary: %s; wall time %s; %s.\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), raceEnabled, binaryNote(), elapsed.Round(time.Second), outcome)
	for _, k := range r.order {
		s := r.sections[k]
		if len(s.rows) == 0 && len(s.notes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "### %s\n\n", s.title)
		if len(s.rows) > 0 {
			rows := s.rows
			sort.SliceStable(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
			b.WriteString("| " + strings.Join(s.header, " | ") + " |\n")
			b.WriteString("|" + strings.Repeat(" --- |", len(s.header)) + "\n")
			for _, row := range rows {
				b.WriteString("| " + strings.Join(row, " | ") + " |\n")
			}
			b.WriteString("\n")
		}
		for _, n := range s.notes {
			b.WriteString(n + "\n\n")
		}
	}
	return b.String()
}

func binaryNote() string {
	if os.Getenv("AISYNC_BIN") == "" {
		return "not set (binary cases skipped)"
	}
	return "AISYNC_BIN"
}

func TestMain(m *testing.M) {
	start := time.Now()
	code := m.Run()
	if path := os.Getenv("AISYNC_RELIABILITY_RESULTS"); path != "" {
		if err := os.WriteFile(path, []byte(report.markdown(time.Since(start), code)), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "write %s: %v\n", path, err)
		}
	}
	os.Exit(code)
}
