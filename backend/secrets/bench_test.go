package secrets

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"aisync/backend/par"
	"aisync/backend/unified"
)

// BenchmarkExtract is what a first pass at scale pays to look for secrets in one client's
// servers: 1,000 stdio servers with paths, flags, ports and plain env values, none of them
// secret, plus the realistic config's servers (keys in env, args, URLs and headers).
func BenchmarkExtract(b *testing.B) {
	base := realistic()
	for i := range 1000 {
		base.Servers[fmt.Sprintf("srv-%04d", i)] = unified.Server{
			Transport: unified.TransportStdio, Command: "node",
			Args: []string{fmt.Sprintf("servers/srv-%d.js", i), "--port", fmt.Sprint(9000 + i)},
			Env:  map[string]string{"INDEX": fmt.Sprint(i), "MODE": "bench"},
		}
	}
	cs := NewConfigSecrets(NewMemory(), quietLog())
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			_ = cs.Scan(base)
		}
	})
	b.Run("copy+extract", func(b *testing.B) {
		for b.Loop() {
			cfg := copyConfig(base)
			if err := cs.Extract(&cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Scanning a config large enough for two goroutines (scanConfig) finds what scanning its
// servers one after another finds; under -race this also checks that the halves share
// nothing they write. Every tenth server holds secrets where the realistic config has them.
func TestScanConfigOnTwoGoroutines(t *testing.T) {
	cfg := realistic()
	real := slices.Collect(maps.Values(cfg.Servers))
	for i := range par.From + 77 {
		s := unified.Server{Transport: unified.TransportStdio, Command: "node",
			Args: []string{fmt.Sprintf("servers/srv-%d.js", i), "--port", fmt.Sprint(9000 + i)},
			Env:  map[string]string{"INDEX": fmt.Sprint(i)}}
		if i%10 == 0 {
			s = real[(i/10)%len(real)]
		}
		cfg.Servers[fmt.Sprintf("srv-%04d", i)] = s
	}
	got := scanConfig(cfg)
	want := map[string]*found{}
	for name, s := range cfg.Servers {
		if f := scanServer(s); f != nil {
			want[name] = f
		}
	}
	if len(want) == 0 {
		t.Fatal("the test config holds no secret")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scanned on two goroutines: %d servers with secrets; one after another: %d", len(got), len(want))
	}
}
