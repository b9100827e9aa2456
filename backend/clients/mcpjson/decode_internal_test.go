package mcpjson

import (
	"encoding/json"
	"reflect"
	"testing"

	"aisync/backend/edit/jsonedit"
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

// The fast paths for lists and maps of plain strings must read exactly what the general path
// reads, and leave everything else to it.
func TestPlainListsAndMapsAgreeWithTheGeneralPath(t *testing.T) {
	lists := []string{`[]`, `["npx"]`, `["-y","@scope/pkg","--port","8080"]`, `["héllo ✓",""]`, `["a\"b"]`, `["tab\there","x"]`,
		`["x",]`, `[,]`, `["x" ,"y"]`, `[ "x"]`, `["x",1,true]`, `[1]`, `[null]`, `[["x"]]`, `["x"`, `"x"]`, "[\"bad \xff\"]", `[""]`, `[","]`, `["]"]`, `["a","b",""]`}
	for _, raw := range lists {
		var items []json.RawMessage
		wantOK := json.Unmarshal([]byte(raw), &items) == nil
		var want []string
		if wantOK {
			want = []string{}
			for _, it := range items {
				s, ok := scalar(it)
				if !ok {
					wantOK, want = false, nil
					break
				}
				want = append(want, s)
			}
		}
		got, ok := asStrings(json.RawMessage(raw))
		if ok != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("asStrings(%s) = %q, %v; the general path gives %q, %v", raw, got, ok, want, wantOK)
		}
		if fast, fok := jsonedit.PlainStrings([]byte(raw)); fok && (!wantOK || !reflect.DeepEqual(fast, want)) {
			t.Errorf("PlainStrings(%s) = %q, accepted; the general path gives %q, %v", raw, fast, want, wantOK)
		}
	}
	maps := []string{`{}`, `{"A":"1"}`, `{"A":"1","B":"two words"}`, `{"A":"1","A":"2"}`, `{"A":1}`, `{"A":true,"B":"x"}`, `{"A":"1",}`,
		`{"A" :"1"}`, `{"A":"a\"b"}`, `{"A\u0041":"x"}`, `{"A":"x"`, `{"A"}`, `{"A":}`, `{:"x"}`, `{"A":"x","B"}`, `{"A":null}`, `{"":""}`, `{"A":"}"}`, `{"A":",","B":":"}`}
	for _, raw := range maps {
		var items map[string]json.RawMessage
		wantOK := json.Unmarshal([]byte(raw), &items) == nil
		var want map[string]string
		if wantOK {
			want = map[string]string{}
			for k, it := range items {
				s, ok := scalar(it)
				if !ok {
					wantOK, want = false, nil
					break
				}
				want[k] = s
			}
		}
		got, ok := asStringMap(json.RawMessage(raw))
		if ok != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("asStringMap(%s) = %q, %v; the general path gives %q, %v", raw, got, ok, want, wantOK)
		}
		if fast, fok := jsonedit.PlainStringMap([]byte(raw)); fok && (!wantOK || !reflect.DeepEqual(fast, want)) {
			t.Errorf("PlainStringMap(%s) = %q, accepted; the general path gives %q, %v", raw, fast, want, wantOK)
		}
	}
}
