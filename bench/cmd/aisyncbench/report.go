package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

type report struct {
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Machine  machine        `json:"machine"`
	LoadEnd  string         `json:"loadAverageAtEnd"`
	Config   map[string]any `json:"config"`
	Sections []section      `json:"sections"`
	GoBench  string         `json:"goBench,omitempty"`
}

// section is one phase: summary rows for the main table, detail tables, notes and raw data.
type section struct {
	Name    string   `json:"name"`
	Rows    []row    `json:"rows"`
	Tables  []table  `json:"tables,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	Data    any      `json:"data,omitempty"`
	Error   string   `json:"error,omitempty"`
	Seconds float64  `json:"seconds"`
}

type row struct {
	Metric string `json:"metric"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
	Status string `json:"status,omitempty"` // met, MISSED, or empty for information
}

type table struct {
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

func (s *section) add(metric, value, target, status string) {
	s.Rows = append(s.Rows, row{metric, value, target, status})
}

func (s *section) note(format string, a ...any) { s.Notes = append(s.Notes, fmt.Sprintf(format, a...)) }

// atMost reports whether v meets a "≤ limit" target.
func atMost(v, limit float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if v <= limit {
		return "met"
	}
	return "MISSED"
}

func atLeast(v, limit float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if v >= limit {
		return "met"
	}
	return "MISSED"
}

// ---- distributions

type dist struct {
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func newDist(xs []float64) dist {
	if len(xs) == 0 {
		nan := math.NaN()
		return dist{Min: nan, P50: nan, P90: nan, P99: nan, Max: nan, Mean: nan}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return dist{N: len(s), Min: s[0], P50: pct(s, 50), P90: pct(s, 90), P99: pct(s, 99), Max: s[len(s)-1], Mean: sum / float64(len(s))}
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	r := int(math.Ceil(p / 100 * float64(len(sorted))))
	if r < 1 {
		r = 1
	}
	return sorted[r-1]
}

func median(xs []float64) float64 { return newDist(xs).P50 }

func (d dist) ms() string {
	if d.N == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s · max %s ms (n=%d)", f1(d.P50), f1(d.P90), f1(d.P99), f1(d.Max), d.N)
}

func f1(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MarshalJSON writes NaN as null.
func (d dist) MarshalJSON() ([]byte, error) {
	m := map[string]any{"n": d.N}
	for k, v := range map[string]float64{"min": d.Min, "p50": d.P50, "p90": d.P90, "p99": d.P99, "max": d.Max, "mean": d.Mean} {
		if math.IsNaN(v) {
			m[k] = nil
		} else {
			m[k] = math.Round(v*1000) / 1000
		}
	}
	return json.Marshal(m)
}

// ---- machine

type machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	RAM       string `json:"ram"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"goVersion"`
	Aisync    string `json:"aisync"`
	Node      string `json:"node,omitempty"`
	LoadStart string `json:"loadAverageAtStart"`
}

func (m machine) Line() string {
	s := fmt.Sprintf("%s, %d cores, %s RAM, Linux %s, %s, aisync %s, load average %s at start", m.CPU, m.Cores, m.RAM, m.Kernel, m.GoVersion, m.Aisync, m.LoadStart)
	if m.Node != "" {
		s += ", node " + m.Node
	}
	return s
}

func describeMachine(bin string) machine {
	m := machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: loadAvg()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if n, _ := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); n == 1 {
				m.RAM = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command(bin, "version").Output(); err == nil {
		m.Aisync = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "aisync "))
	}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		if f := strings.Fields(string(out)); len(f) >= 3 {
			m.GoVersion = f[2]
		}
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(out))
	}
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// ---- Markdown

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# aisync benchmark results\n\n")
	fmt.Fprintf(&b, "**Machine:** %s; load average %s at the end. Run %s, %s.\n\n",
		r.Machine.Line(), r.LoadEnd, r.Started.Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second))
	fmt.Fprintf(&b, "Settings: aisync defaults (debounce 20 ms, merge policy), except `AISYNC_SECRETS_BACKEND=file` "+
		"(no keyring in a temporary HOME) and `AISYNC_DATA_DIR` beside the temporary HOME. Times are wall-clock on a shared "+
		"machine; prefer the medians. A target is reported, never enforced.\n\n")
	if len(aisyncExtraEnv) > 0 {
		fmt.Fprintf(&b, "**Not default:** every aisync process ran with %s.\n\n", strings.Join(aisyncExtraEnv, " "))
	}
	b.WriteString("| area | metric | result | target | status |\n| --- | --- | --- | --- | --- |\n")
	for _, s := range r.Sections {
		if s.Error != "" {
			fmt.Fprintf(&b, "| %s | (phase failed) | %s | | error |\n", s.Name, mdCell(s.Error))
		}
		for _, row := range s.Rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s.Name, mdCell(row.Metric), mdCell(row.Value), mdCell(row.Target), row.Status)
		}
	}
	b.WriteString("\n")
	for _, s := range r.Sections {
		if len(s.Tables) == 0 && len(s.Notes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s (%.0f s)\n\n", s.Name, s.Seconds)
		for _, t := range s.Tables {
			if t.Title != "" {
				fmt.Fprintf(&b, "**%s**\n\n", t.Title)
			}
			b.WriteString("| " + strings.Join(t.Header, " | ") + " |\n")
			b.WriteString("|" + strings.Repeat(" --- |", len(t.Header)) + "\n")
			for _, r := range t.Rows {
				cells := make([]string, len(r))
				for i, c := range r {
					cells[i] = mdCell(c)
				}
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
			b.WriteString("\n")
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	if r.GoBench != "" {
		b.WriteString("## Go benchmarks (`go test -bench`)\n\n```\n")
		b.WriteString(strings.TrimSpace(r.GoBench))
		b.WriteString("\n```\n")
	}
	return b.String()
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}
