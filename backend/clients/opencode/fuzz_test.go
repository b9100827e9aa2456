package opencode

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
)

// FuzzDecode feeds arbitrary bytes to both endpoints. Decoding must never panic, and whatever
// decodes must encode back to the very same bytes: a sync that changes nothing writes nothing.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(readFixture(f, "opencode.jsonc")))
	f.Add([]byte(readFixture(f, "AGENTS.md")))
	f.Add([]byte(`{"mcp":{"a":{"type":"local","command":["x","{file:y}"],"enabled":true},"b":{"enabled":false},"c":{"type":"remote","url":"{env:U}","timeout":1.5}},"permission":{"a_*":"deny","c_*":5,"bash":{"x *":"ask","* *":"allow"}}}`))
	f.Add([]byte(`{"permission":"allow","mcp":[]}`))
	f.Add([]byte(`{"permission":{"bash":true}}`))
	a := &Adapter{}
	eps := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/u"}, clients.UserScope)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ep := range eps {
			files := clients.Files{ep.Path: data}
			cfg, _, err := a.Decode(ep, files)
			if err != nil {
				continue
			}
			out, _, err := a.Encode(ep, files, cfg)
			if err != nil {
				t.Fatalf("%s: encoding what was decoded failed: %v", ep.Format, err)
			}
			for p, b := range out {
				if !bytes.Equal(b, data) {
					t.Fatalf("%s: encoding what was decoded changed %s:\n%q\n---\n%q", ep.Format, p, data, b)
				}
			}
		}
	})
}
