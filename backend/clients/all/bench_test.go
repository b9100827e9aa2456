package all_test

// Benchmarks of what a first pass at scale costs each adapter: encoding 100 and 1,000
// servers into a client's empty servers file, with the read-back the engine records as the
// endpoint's base (go test -run '^$' -bench EncodeReadBack -cpuprofile cpu.prof
// ./backend/clients/all).

import (
	"fmt"
	"testing"

	"aisync/backend/clients"
	_ "aisync/backend/clients/all"
	"aisync/backend/unified"
)

func benchServers(n int) map[string]unified.Server {
	m := make(map[string]unified.Server, n)
	for i := range n {
		m[fmt.Sprintf("srv-%04d", i)] = unified.Server{
			Transport: unified.TransportStdio, Command: "node",
			Args: []string{fmt.Sprintf("servers/srv-%d.js", i), "--port", fmt.Sprint(9000 + i)},
			Env:  map[string]string{"INDEX": fmt.Sprint(i), "MODE": "bench"},
		}
	}
	return m
}

// BenchmarkEncodeReadBack encodes 100 and 1,000 stdio servers into each peer-benchmark
// client's project servers file, empty at the start, and reads the result back.
func BenchmarkEncodeReadBack(b *testing.B) {
	env := clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/home/u/.config", Vars: map[string]string{}}
	scope := clients.Scope{Kind: clients.ScopeProject, Root: "/work/p"}
	for _, n := range []int{100, 1000} {
		cfg := unified.Config{Servers: benchServers(n)}
		cfg.Normalize()
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) { benchEncodeReadBack(b, env, scope, cfg) })
	}
}

func benchEncodeReadBack(b *testing.B, env clients.Env, scope clients.Scope, cfg unified.Config) {
	for _, id := range []string{"claude-code", "cursor", "vscode", "gemini", "codex"} {
		a, ok := clients.Get(id)
		if !ok {
			b.Fatalf("no adapter %s", id)
		}
		for _, ep := range a.Endpoints(env, scope) {
			if !ep.Has(unified.SectionServers) || ep.Format == clients.FormatRuleDir {
				continue
			}
			empty := []byte("{}\n")
			if ep.Format == clients.FormatTOML {
				empty = []byte{}
			}
			name := id + "/" + ep.Path[len("/"):]
			if ep.Key != "" {
				name = id + "/local"
			}
			b.Run(name, func(b *testing.B) {
				rb, ok := a.(clients.ReadBackEncoder)
				if !ok {
					b.Skip("no EncodeReadBack")
				}
				in := clients.Files{ep.Path: empty}
				for b.Loop() {
					out, _, back, err := rb.EncodeReadBack(ep, in, cfg)
					if err != nil {
						b.Fatal(err)
					}
					if len(out[ep.Path]) == 0 || len(back.Servers) != len(cfg.Servers) {
						b.Fatalf("wrote %d bytes, read back %d servers", len(out[ep.Path]), len(back.Servers))
					}
				}
			})
		}
	}
}

// BenchmarkDecode reads back 1,000 servers from each peer-benchmark client's project
// servers file, as written by its encode: what a pass costs to observe a large file.
func BenchmarkDecode(b *testing.B) {
	env := clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/home/u/.config", Vars: map[string]string{}}
	scope := clients.Scope{Kind: clients.ScopeProject, Root: "/work/p"}
	cfg := unified.Config{Servers: benchServers(1000)}
	cfg.Normalize()
	for _, id := range []string{"claude-code", "cursor", "vscode", "gemini", "codex"} {
		a, _ := clients.Get(id)
		for _, ep := range a.Endpoints(env, scope) {
			if !ep.Has(unified.SectionServers) || ep.Format == clients.FormatRuleDir {
				continue
			}
			in := clients.Files{ep.Path: []byte("{}\n")}
			if ep.Format == clients.FormatTOML {
				in[ep.Path] = []byte{}
			}
			out, _, err := a.Encode(ep, in, cfg)
			if err != nil {
				b.Fatal(err)
			}
			files := clients.Files{ep.Path: out[ep.Path]}
			for p, data := range out {
				files[p] = data
			}
			name := id
			if ep.Key != "" {
				name += "/local"
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(files[ep.Path])))
				for b.Loop() {
					got, _, err := a.Decode(ep, files)
					if err != nil || len(got.Servers) != len(cfg.Servers) {
						b.Fatalf("decoded %d servers: %v", len(got.Servers), err)
					}
				}
			})
		}
	}
}
