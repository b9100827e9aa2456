package secrets

import (
	"fmt"
	"testing"

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
