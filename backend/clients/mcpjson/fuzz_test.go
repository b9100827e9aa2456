package mcpjson

import (
	"bytes"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// FuzzDecode checks every dialect shape on arbitrary bytes: decoding never panics, and a
// file that decodes is left byte for byte as it is when what it decodes to is encoded back.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"mcpServers":{"a":{"command":"npx","args":["-y","x"],"env":{"K":"${K}"}}}}`,
		`{"mcpServers":{"a":{"transport":{"type":"stdio","command":"x"},"disabled":true,"timeout":0.5}}}`,
		`{"mcpServers":{"a":{"type":"local","command":"x","tools":[]},"b":{"url":"u","tools":["*","x"]}}}`,
		`{"projects":{"/p":{"mcpServers":{"a":{"command":"x"}},"disabledMcpServers":["a",1]}}}`,
		"{\n  // c\n  \"mcpServers\": {\"a\": {\"serverUrl\": \"https://x\", \"url\": 3, \"disabledTools\": [\"rm\"],},},\n}",
		`{"context_servers":{"a":{"command":"x","enabled":false,"timeout":60}}}`,
		`{"mcp":{"a":{"type":"local","command":["npx","-y"],"environment":{"A":"{env:A}"},"enabled":false}}}`,
		`{"mcpServers":{"a":{"httpUrl":"h","url":"u","headers":{"A":"$T ${U}"}}},"mcp":{"excluded":["a",2]}}`,
	} {
		f.Add([]byte(s))
	}
	listed := claudeLike.WithRoot("projects", "/p", "mcpServers")
	listed.Disabled = DisabledListed
	listed.DisabledList = []string{"projects", "/p", "disabledMcpServers"}
	dialects := []Dialect{claudeLike, cursorLike, clineLike, windsurfLike, copilotLike, desktopLike, zedLike, listed, opencodeLike, geminiLike}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range dialects {
			servers, _, err := d.DecodeFile("f", data, clients.FormatJSON)
			if err != nil {
				continue
			}
			norm := map[string]unified.Server{}
			for k, v := range servers {
				v.Normalize()
				norm[k] = v
			}
			out, _, err := d.EncodeFile("f", data, clients.FormatJSON, norm)
			if err != nil {
				t.Fatalf("%s: encode what decoded: %v", d.Name, err)
			}
			if !bytes.Equal(out, data) {
				t.Fatalf("%s: no-op encode changed\n%q\nto\n%q", d.Name, data, out)
			}
		}
	})
}
