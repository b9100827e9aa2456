package vscode

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// settled reports whether every rule decoded from a rule endpoint belongs there.
func settled(ep clients.Endpoint, cfg unified.Config) bool {
	for _, r := range cfg.Rules {
		if isAlways(r) != (ep.Format == clients.FormatMarkdown) {
			return false
		}
	}
	return true
}

// FuzzDecode feeds arbitrary bytes to every endpoint (as the one file of the instructions
// folder for the rule directory). Decoding must never panic, and whatever decodes must
// encode back to the very same bytes: a sync that changes nothing writes nothing.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(readFixture(f, "mcp.json")))
	f.Add([]byte(readFixture(f, "copilot-instructions.md")))
	f.Add([]byte(readFixture(f, "instructions/ts.instructions.md")))
	f.Add([]byte(`{"servers":{"a":{"command":"x","env":{"N":1e3,"M":null}},"b":{"type":"sse"},"c":{"type":"http","url":"${input:x}"}},"inputs":[{"id":"x"}]}`))
	f.Add([]byte(`{"servers":[1,2],}`))
	a := &Adapter{}
	eps := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/u"}, clients.ProjectScope("/home/u/p"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ep := range eps {
			p := ep.Path
			if ep.Format == clients.FormatRuleDir {
				p += "/fuzz.instructions.md"
			}
			files := clients.Files{p: data}
			cfg, _, err := a.Decode(ep, files)
			if err != nil {
				continue
			}
			if !settled(ep, cfg) {
				// A rule in the wrong one of the two rule endpoints moves to the other one
				// (see scopedRules), so only a file holding its own share is stable.
				continue
			}
			out, _, err := a.Encode(ep, files, cfg)
			if err != nil {
				t.Fatalf("%s: encoding what was decoded failed: %v", ep.Format, err)
			}
			for q, b := range out {
				if !bytes.Equal(b, files[q]) {
					t.Fatalf("%s: encoding what was decoded changed %s:\n%q\n---\n%q", ep.Format, q, files[q], b)
				}
			}
		}
	})
}
