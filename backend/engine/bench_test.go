package engine_test

// Benchmarks of one sync pass over real adapters in a temporary HOME. They are the place to
// profile the engine (go test -run '^$' -bench SyncPass -cpuprofile cpu.prof ./backend/engine),
// since the binary has no profiling endpoint. scripts/bench.sh runs them; bench/README.md
// says how to read them.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"aisync/backend/clients"
	_ "aisync/backend/clients/all"
	"aisync/backend/engine"
	"aisync/backend/fsx"
	"aisync/backend/settings"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// benchOrder is the order in which adapters are enabled; the first one is the source.
var benchOrder = []string{"cursor", "claude-code", "vscode", "codex", "gemini", "windsurf", "copilot-cli",
	"opencode", "cline", "kiro", "amazonq", "roo", "claude-desktop"}

type benchSetup struct {
	home, data string
	env        clients.Env
	adapters   []clients.Adapter
	source     string // the Cursor file edits go into
	eng        *engine.Engine
	st         *store.SQLite
}

func serversEndpoint(a clients.Adapter, env clients.Env) (clients.Endpoint, bool) {
	for _, ep := range a.Endpoints(env, clients.UserScope) {
		if ep.Format != clients.FormatRuleDir && ep.Has(unified.SectionServers) {
			return ep, true
		}
	}
	return clients.Endpoint{}, false
}

func benchJSON(servers, seq int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"mcpServers\": {")
	for i := 0; i <= servers; i++ {
		name, args := fmt.Sprintf("srv-%04d", i), []string{fmt.Sprintf("servers/%d.js", i), "--port", fmt.Sprint(9000 + i)}
		if i == servers {
			name, args = "bench-probe", []string{"probe.js", fmt.Sprintf("bench-seq-%06d", seq)}
		}
		v, _ := json.MarshalIndent(map[string]any{"command": "node", "args": args, "env": map[string]string{"MODE": "bench"}}, "    ", "  ")
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    %q: %s", name, v)
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

// newBenchSetup makes a HOME with n clients, the source holding servers servers (+ a probe)
// and, when rules > 0, that many rule files in the first rule folder among the clients.
func newBenchSetup(b *testing.B, n, servers, rules int) *benchSetup {
	b.Helper()
	s := &benchSetup{home: b.TempDir(), data: b.TempDir()}
	s.env = clients.Env{GOOS: "linux", Home: s.home, XDGConfigHome: filepath.Join(s.home, ".config"), Vars: map[string]string{}}
	for _, id := range benchOrder {
		if len(s.adapters) == n {
			break
		}
		a, ok := clients.Get(id)
		if !ok {
			continue
		}
		ep, ok := serversEndpoint(a, s.env)
		if !ok {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(ep.Path), 0o755); err != nil {
			b.Fatal(err)
		}
		content := []byte("{}\n")
		switch {
		case len(s.adapters) == 0:
			content, s.source = benchJSON(servers, 0), ep.Path
		case ep.Format == clients.FormatTOML || ep.Format == clients.FormatYAML:
			content = nil
		}
		if err := os.WriteFile(ep.Path, content, 0o644); err != nil {
			b.Fatal(err)
		}
		s.adapters = append(s.adapters, a)
	}
	if rules > 0 {
		for _, a := range s.adapters {
			var dir string
			for _, ep := range a.Endpoints(s.env, clients.UserScope) {
				if ep.Format == clients.FormatRuleDir {
					dir = ep.Path
				}
			}
			if dir == "" {
				continue
			}
			os.MkdirAll(dir, 0o755)
			for i := range rules {
				body := fmt.Sprintf("# Rule %04d\n\nWhen working on module %d, prefer small functions and explicit errors.\n", i, i)
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench-rule-%04d.md", i)), []byte(body), 0o644)
			}
			break
		}
	}
	set, err := settings.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"AISYNC_DATA_DIR": s.data, "AISYNC_ENV_FILE": ""}[k]
		return v, ok
	})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), set.DBPath())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s.st = st
	s.eng = engine.New(engine.Options{Store: st, Env: s.env, Adapters: s.adapters, Settings: set,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backups: fsx.Backups{Dir: set.BackupDir(), Keep: set.BackupKeep}})
	return s
}

// sync runs one pass. The pass carries the profiler label pass=<trigger>, which goroutines it
// starts inherit, so `go tool pprof -tagfocus pass=watch` keeps the timed passes and drops
// the set-up.
func (s *benchSetup) sync(b *testing.B, trigger string) engine.Result {
	var res engine.Result
	var err error
	pprof.Do(context.Background(), pprof.Labels("pass", trigger), func(ctx context.Context) {
		res, err = s.eng.SyncAll(ctx, trigger, nil)
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Errors) > 0 {
		b.Fatalf("sync: %v", res.Errors)
	}
	return res
}

// BenchmarkSyncPass times one pass of the engine over n real adapters (in-process, no
// watcher and no process start-up):
//   - first: an empty database, every other client's file written;
//   - one-edit: the source changes one server, the pass writes every other file (what a
//     watch event costs, minus the debounce);
//   - no-change: a rescan that finds nothing to do;
//   - echo: the watch pass that follows our own writes (the fast path).
func BenchmarkSyncPass(b *testing.B) {
	for _, sz := range []struct{ clients, servers, rules int }{{10, 20, 0}, {10, 500, 0}, {13, 500, 200}, {5, 1000, 200}} {
		name := fmt.Sprintf("clients=%d/servers=%d/rules=%d", sz.clients, sz.servers, sz.rules)
		b.Run(name+"/first", func(b *testing.B) {
			written := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := newBenchSetup(b, sz.clients, sz.servers, sz.rules)
				b.StartTimer()
				written = s.sync(b, engine.TriggerCLI).FilesWritten
			}
			b.ReportMetric(float64(written), "files/op")
		})
		b.Run(name+"/one-edit", func(b *testing.B) {
			s := newBenchSetup(b, sz.clients, sz.servers, sz.rules)
			s.sync(b, engine.TriggerStartup)
			written := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := os.WriteFile(s.source, benchJSON(sz.servers, i+1), 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				written = s.sync(b, engine.TriggerWatch).FilesWritten
			}
			b.StopTimer()
			if written != len(s.adapters)-1 {
				b.Fatalf("an edit wrote %d files, want %d", written, len(s.adapters)-1)
			}
			b.ReportMetric(float64(written), "files/op")
			// Untimed: the most live heap one more edit's pass holds at once, which with
			// GOGC sets the process's peak memory.
			if err := os.WriteFile(s.source, benchJSON(sz.servers, b.N+1), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(peakLiveMB(func() { s.sync(b, engine.TriggerWatch) }), "peak-live-MB")
		})
		b.Run(name+"/no-change", func(b *testing.B) {
			s := newBenchSetup(b, sz.clients, sz.servers, sz.rules)
			s.sync(b, engine.TriggerStartup)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if n := s.sync(b, engine.TriggerRescan).FilesWritten; n != 0 {
					b.Fatalf("a no-change pass wrote %d files", n)
				}
			}
		})
		b.Run(name+"/echo", func(b *testing.B) {
			s := newBenchSetup(b, sz.clients, sz.servers, sz.rules)
			s.sync(b, engine.TriggerStartup)
			s.sync(b, engine.TriggerWatch) // the echo of the start-up writes
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.sync(b, engine.TriggerWatch)
			}
		})
	}
}

// peakLiveMB runs f with the collector running almost continuously (GOGC=5) and returns the
// most heap found live during f, above what was live before it, in MB. A poller reads the
// live heap of each collection every 100 µs; that is precise enough to compare passes.
func peakLiveMB(f func()) float64 {
	live := func() uint64 {
		sm := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sm)
		return sm[0].Value.Uint64()
	}
	runtime.GC()
	base := live()
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if v := live(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return float64(p-base) / 1e6
	}
	return 0
}
