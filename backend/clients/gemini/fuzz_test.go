package gemini

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
)

// FuzzDecode feeds arbitrary bytes to both endpoints. Decoding must never panic, and whatever
// decodes must encode back to the very same bytes: a sync that changes nothing writes nothing.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(readFixture(f, "settings.json")))
	f.Add([]byte(readFixture(f, "GEMINI.md")))
	f.Add([]byte(`{"mcpServers":{"a":{"httpUrl":"u","url":"v","command":"c"},"b":{"url":"$X","type":"sse"}},"mcp":{"excluded":["A"," b "],"allowed":[]},"tools":{"allowed":["mcp_a_t","mcp_b_*","run_shell_command(x)"]}}`))
	f.Add([]byte("// only a comment\n"))
	f.Add([]byte(`{"mcpServers":[],"mcp":5,"tools":{"allowed":"x"}}`))
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
