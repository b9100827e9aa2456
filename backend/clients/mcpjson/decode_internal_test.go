package mcpjson

import (
	"encoding/json"
	"testing"
)

// TestAsStringAgreesWithEncodingJSON checks the fast path for plain strings against
// encoding/json on strings that take it and strings that must not.
func TestAsStringAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{`""`, `"npx"`, `"héllo ✓"`, `"a\"b"`, `"tab\there"`, `"\u00e9"`, "\"bad \xff utf8\"", `"`, `"unterminated`, `12`, `null`} {
		got, ok := asString(json.RawMessage(raw))
		var want string
		wantOK := len(raw) > 0 && raw[0] == '"' && json.Unmarshal([]byte(raw), &want) == nil
		if ok != wantOK || got != want {
			t.Errorf("asString(%q) = %q, %v; encoding/json gives %q, %v", raw, got, ok, want, wantOK)
		}
	}
}
