package codex

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
)

// FuzzDecode feeds arbitrary bytes to both endpoints. Decoding must never panic, and whatever
// decodes must encode back to the very same bytes: a sync that changes nothing writes nothing.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(readFixture(f, "config.toml")))
	f.Add([]byte(readFixture(f, "AGENTS.md")))
	f.Add([]byte("[mcp_servers.a]\ncommand = \"x\"\nenv = { A = \"${env:B}\" }\nstartup_timeout_sec = 0.0015\n"))
	f.Add([]byte("mcp_servers = { a = { url = \"u\", env_http_headers = { H = \"V\" }, tools = { t = { approval_mode = \"auto\" } } } }\n"))
	f.Add([]byte("[mcp_servers.'x y']\ncommand = \"c\"\nenabled = true\nwhen = 1979-05-27T07:32:00Z\n"))
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
