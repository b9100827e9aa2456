package mcpjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"aisync/backend/edit/jsonedit"
	"aisync/backend/par"
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

// A servers object large enough to be read on two goroutines (readEntries) gives the entries,
// in order, that reading them one by one gives; under -race this also checks that the two
// halves share nothing they write. The entries cycle through the shapes the codec meets:
// plain, remote, odd members kept as extras, references, repeated names, nested transports,
// and values that are not objects.
func TestReadEntriesOnTwoGoroutines(t *testing.T) {
	shapes := []string{
		`{"command":"npx","args":["-y","pkg-%d"],"env":{"TOKEN":"${env:TOKEN_%d}"}}`,
		`{"type":"http","url":"https://example.com/%d","headers":{"X":"%d"}}`,
		`{"command":"node","args":["s%d.js"],"theme":{"odd":%d},"disabled":true,"timeout":30}`,
		`"not an object %d %d"`,
		`{"transport":{"type":"stdio","command":"uvx","args":["m%d"]},"autoApprove":["t%d"]}`,
		`{"url":"https://x/%d","cwd":"/w/%d","unknown":[1,2]}`,
	}
	for _, d := range []Dialect{claudeLike, clineLike, cursorLike, opencodeLike} {
		var b strings.Builder
		b.WriteString(`{"` + d.Root[0] + `": {`)
		n := par.From + 101
		for i := range n {
			if i > 0 {
				b.WriteString(",\n")
			}
			name := fmt.Sprintf("srv-%04d", i)
			if i%97 == 5 {
				name = "srv-0001" // a repeated name: the last value counts, at the first place
			}
			fmt.Fprintf(&b, "  %q: ", name)
			fmt.Fprintf(&b, shapes[i%len(shapes)], i, i)
		}
		b.WriteString("}}")
		doc, err := jsonedit.Parse([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		names, vals, ok := doc.MemberValues(d.Root...)
		if !ok || len(names) < par.From {
			t.Fatalf("%s: %d entries, %v", d.Client, len(names), ok)
		}
		got := d.readEntries(names, vals)
		for i, name := range names {
			if want := d.readEntry(name, vals[i]); !reflect.DeepEqual(got[i], want) {
				t.Fatalf("%s: entry %d (%s) read on two goroutines:\n%+v\none by one:\n%+v", d.Client, i, name, got[i], want)
			}
		}
		servers, _, err := d.DecodeDoc(doc)
		if err != nil || len(servers) == 0 {
			t.Fatalf("%s: DecodeDoc = %d servers, %v", d.Client, len(servers), err)
		}
	}
}
