package all_test

import (
	"bytes"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/unified"
)

// FuzzReadsBackAsIs writes servers made from arbitrary strings into every adapter's servers
// files, new and next to an entry already there, and holds what EncodeReadBack says the
// files read back as to what Decode reads from them. Adapters take the servers that
// clients.ReadsBackAsIs accepts as their own read-back without decoding them; a string that
// some client writes or reads otherwise would show here as a difference.
func FuzzReadsBackAsIs(f *testing.F) {
	f.Add("srv", "node", "index.js", "--flag=1", "API_KEY", "value")
	f.Add("name with space", `C:\Program Files\node.exe`, `"quoted"`, "", "lower", "é")
	f.Add("x.y", "/bin/sh", "-c", "echo $HOME", "A", "${env:TOKEN}")
	f.Add("日本", "cmd\x00nul", "tab\tand\nnewline", "\xff", "K-1", "'single' # hash")
	f.Add("a\"b", "[table]", "key = value", "\u2028", "1X", "\\")
	env := clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/home/u/.config", Vars: map[string]string{}}
	type target struct {
		a  clients.Adapter
		rb clients.ReadBackEncoder
		ep clients.Endpoint
	}
	var targets []target
	for _, a := range clients.All() {
		rb, ok := a.(clients.ReadBackEncoder)
		if !ok {
			continue
		}
		for _, sc := range []clients.Scope{clients.UserScope, clients.ProjectScope("/home/u/work/p")} {
			for _, ep := range a.Endpoints(env, sc) {
				if ep.Has(unified.SectionServers) && ep.Format != clients.FormatRuleDir {
					targets = append(targets, target{a, rb, ep})
				}
			}
		}
	}
	if len(targets) < 10 {
		f.Fatalf("%d servers files", len(targets))
	}
	f.Fuzz(func(t *testing.T, name, command, arg1, arg2, key, value string) {
		fuzzed := unified.Server{Transport: unified.TransportStdio, Command: command, Args: []string{arg1, arg2}, Env: map[string]string{key: value}}
		cfg := unified.Config{Servers: map[string]unified.Server{name: fuzzed, name + "-2": {Transport: unified.TransportStdio, Command: value, Args: []string{key}}}}
		for n, s := range clienttest.PlainServers() {
			cfg.Servers["p-"+strings.ReplaceAll(n, " ", "-")] = s
		}
		cfg = cfg.Normalized()
		for _, tg := range targets {
			// An existing file with one entry: a few new servers go in one by one, many as a whole.
			one := unified.Config{Servers: map[string]unified.Server{"existing": {Transport: unified.TransportStdio, Command: "node"}}}
			existing, _, err := tg.a.Encode(tg.ep, clients.Files{}, one)
			if err != nil {
				t.Fatalf("%s %s: %v", tg.a.ID(), tg.ep.Path, err)
			}
			small := unified.Config{Servers: map[string]unified.Server{name: fuzzed, "existing": one.Servers["existing"]}}.Normalized()
			for _, c := range []struct {
				files clients.Files
				cfg   unified.Config
			}{{clients.Files{}, cfg}, {existing, cfg}, {existing, small}} {
				out, _, back, err := tg.rb.EncodeReadBack(tg.ep, c.files, c.cfg)
				if err != nil {
					continue // a string the format cannot hold: Encode refuses it too
				}
				want, _, err := tg.a.Decode(tg.ep, clients.Apply(c.files, out))
				if err != nil {
					t.Fatalf("%s %s: decode what was written: %v", tg.a.ID(), tg.ep.Path, err)
				}
				got, wantC := back.Select(tg.ep.Sections...).Canonical(), want.Select(tg.ep.Sections...).Canonical()
				if !bytes.Equal(got, wantC) {
					t.Fatalf("%s %s: read back\n%s\nDecode reads\n%s", tg.a.ID(), tg.ep.Path, got, wantC)
				}
			}
		}
	})
}
