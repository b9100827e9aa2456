package jsonedit

import (
	"encoding/json"
	"reflect"
	"testing"
)

// checkBuild builds the object of ms and compares it with what AddMembers did before the
// builder: Object's bytes, read back by parseDocument.
func checkBuild(t *testing.T, ms []Member) {
	t.Helper()
	want, wantErr := Object(ms)
	got, n, err := build(ms, 0)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("build error %v, Object error %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if string(got) != string(want) {
		t.Fatalf("build wrote\n%s\nObject writes\n%s", got, want)
	}
	wantNode, err := parseDocument(want, nil)
	if err != nil {
		// Object wrote something the parser refuses (a raw value that is not JSON): build
		// must refuse it too.
		t.Fatalf("build accepted what the parser refuses (%v): %s", err, want)
	}
	if !reflect.DeepEqual(n, wantNode) {
		t.Fatalf("build's nodes differ from parseDocument's for\n%s", want)
	}
}

// TestBuilderMatchesParse holds the builder to Object's bytes and parseDocument's nodes for
// the values adapters put in new servers, and for the awkward ones: escapes, HTML
// characters, control bytes, non-ASCII and invalid UTF-8 in names and values, empty and nil
// lists and maps, raw JSON with spaces and comments, numbers, nested objects, and values only
// encoding/json knows.
func TestBuilderMatchesParse(t *testing.T) {
	t.Parallel()
	odd := []string{"", "plain", `C:\Program Files\node.exe`, `say "hi"`, "<b>&amp;</b>", "tab\there", "nl\nline",
		"\x00\x1f", "é日本🙂", "bad \xff utf-8", "\u2028\u2029", "${env:HOME}/x"}
	var servers []Member
	for i, s := range odd {
		servers = append(servers, Member{Key: s + "-srv", Val: Ordered{
			{Key: "type", Val: "stdio"},
			{Key: "command", Val: s},
			{Key: "args", Val: append([]string{"-y"}, odd[:i]...)},
			{Key: "env", Val: map[string]string{s: s, "PLAIN": "v", "Z": s + s}},
			{Key: "timeout", Val: int64(i * 1000)},
			{Key: "x-extra", Val: json.RawMessage(`{"keep": [1, 2.5e3, true, null], /* c */ "s": "\u00e9"}`)},
		}})
	}
	servers = append(servers,
		Member{Key: "empty", Val: Ordered{}},
		Member{Key: "nil lists", Val: Ordered{{Key: "args", Val: []string(nil)}, {Key: "env", Val: map[string]string(nil)}, {Key: "none", Val: nil}}},
		Member{Key: "empty lists", Val: Ordered{{Key: "args", Val: []string{}}, {Key: "env", Val: map[string]string{}}}},
		Member{Key: "other values", Val: Ordered{{Key: "b", Val: true}, {Key: "f", Val: 0.5}, {Key: "any", Val: []any{"a", 1, map[string]any{"k": []int{1}}}},
			{Key: "struct", Val: struct {
				A string `json:"a"`
				B []int  `json:"b,omitempty"`
			}{A: "<x>"}}}},
		Member{Key: "raw scalars", Val: Ordered{{Key: "n", Val: json.RawMessage(" 12 ")}, {Key: "s", Val: json.RawMessage(`"x"`)}, {Key: "o", Val: json.RawMessage(`{}`)}}},
		Member{Key: "nested", Val: Ordered{{Key: "a", Val: Ordered{{Key: "b", Val: Ordered{{Key: "c", Val: []string{"d"}}}}}}}},
	)
	checkBuild(t, servers)
	checkBuild(t, nil)
	checkBuild(t, []Member{{Key: "raw", Val: json.RawMessage(`"x"`)}}) // a whole server given encoded, as before

	// Values Object cannot encode are refused by both, and raw values that are not JSON by
	// the builder (Object writes them; AddMembers then refused them when reading them back).
	checkBuild(t, []Member{{Key: "bad", Val: Ordered{{Key: "ch", Val: make(chan int)}}}})
	for _, raw := range []string{``, `{`, `[1,]x`, `1 2`, `nul`} {
		if _, _, err := build([]Member{{Key: "k", Val: json.RawMessage(raw)}}, 0); err == nil {
			t.Errorf("build accepted the raw value %q", raw)
		}
	}
}

// FuzzBuilder checks the builder against Object and parseDocument for arbitrary names and
// strings.
func FuzzBuilder(f *testing.F) {
	f.Add("srv", "node", "-y", "K", "v")
	f.Add("a\"b", "C:\\x", "<&>", "\x00", "\xff")
	f.Fuzz(func(t *testing.T, name, command, arg, k, v string) {
		checkBuild(t, []Member{
			{Key: name, Val: Ordered{
				{Key: "command", Val: command},
				{Key: "args", Val: []string{arg, command}},
				{Key: "env", Val: map[string]string{k: v, name: arg}},
				{Key: k, Val: v},
			}},
			{Key: arg, Val: json.RawMessage(`{"` + "x" + `": 1}`)},
		})
	})
}
