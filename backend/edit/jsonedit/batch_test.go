package jsonedit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBatchInsertMatchesOneByOne checks that a Set adding many members (or elements) at
// once, which inserts them in one edit, writes byte for byte what adding them one at a time
// writes, in every layout a file may have.
func TestBatchInsertMatchesOneByOne(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"empty object":          `{"s": {}}`,
		"empty multi-line":      "{\n  \"s\": {\n  }\n}\n",
		"comment inside":        "{\n  \"s\": {\n    // servers go here\n  }\n}\n",
		"comment inside inline": `{"s": { /* none */ }}`,
		"one line":              `{"s": {"a": {"command": "x"}}}`,
		"multi-line":            "{\n  \"s\": {\n    \"a\": {\"command\": \"x\"}\n  }\n}\n",
		"trailing comma":        "{\n  \"s\": {\n    \"a\": {\"command\": \"x\"}, // keep\n  },\n}\n",
		"comment after last":    "{\n  \"s\": {\n    \"a\": {\"command\": \"x\"} // keep\n  }\n}\n",
		"tabs crlf":             "{\r\n\t\"s\": {\r\n\t\t\"a\": {\"command\": \"x\"}\r\n\t}\r\n}\r\n",
		"minified":              `{"s":{"a":{"command":"x"}}}`,
		"minified empty":        `{"s":{}}`,
	}
	add := []string{"b", "c", "d"}
	for name, src := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			one := mustParseDoc(t, src)
			for _, n := range add {
				if err := one.Set([]string{"s", n}, map[string]any{"command": "npx", "args": []string{n}}); err != nil {
					t.Fatalf("Set one: %v", err)
				}
			}
			batch := mustParseDoc(t, src)
			raw, _ := batch.Get("s")
			var cur map[string]any
			if err := json.Unmarshal(raw, &cur); err != nil {
				t.Fatal(err)
			}
			for _, n := range add {
				cur[n] = map[string]any{"command": "npx", "args": []string{n}}
			}
			if err := batch.Set([]string{"s"}, cur); err != nil {
				t.Fatalf("Set all: %v", err)
			}
			if string(batch.Bytes()) != string(one.Bytes()) {
				t.Fatalf("adding at once wrote\n%s\none at a time wrote\n%s", batch.Bytes(), one.Bytes())
			}
		})
	}
	lists := map[string]string{
		"empty list":     `{"l": []}`,
		"one-line list":  `{"l": ["a"]}`,
		"multi-line":     "{\n  \"l\": [\n    \"a\" // first\n  ]\n}\n",
		"trailing comma": "{\n  \"l\": [\n    \"a\",\n  ]\n}\n",
	}
	for name, src := range lists {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			one := mustParseDoc(t, src)
			want := []string{"a"}
			for i := range 3 {
				want = append(want, fmt.Sprint("n", i))
				if err := one.Set([]string{"l"}, want); err != nil {
					t.Fatalf("Set one: %v", err)
				}
			}
			batch := mustParseDoc(t, src)
			if err := batch.Set([]string{"l"}, want); err != nil {
				t.Fatalf("Set all: %v", err)
			}
			if string(batch.Bytes()) != string(one.Bytes()) {
				t.Fatalf("adding at once wrote\n%s\none at a time wrote\n%s", batch.Bytes(), one.Bytes())
			}
		})
	}
}

func mustParseDoc(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

// TestAddMembersMatchesSet checks AddMembers against setting the members one by one, in
// files with and without the object, and that a failing member leaves the file as it was.
func TestAddMembersMatchesSet(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"empty file":       "",
		"comment only":     "// settings\n",
		"empty object":     "{}\n",
		"no servers":       "{\n  \"theme\": \"dark\" // mine\n}\n",
		"servers":          "{\n  \"servers\": {\n    \"a\": {\"command\": \"x\"}\n  }\n}\n",
		"servers one line": `{"servers": {"a": {"command": "x"}}, "z": 1}`,
		"minified":         `{"theme":"dark"}`,
		"crlf tabs":        "{\r\n\t\"theme\": \"dark\",\r\n}\r\n",
		"member exists":    "{\n  \"servers\": {\n    \"c\": {\"command\": \"old\"}\n  }\n}\n",
	}
	ms := []Member{
		{"b", json.RawMessage(`{"command":"npx","args":["-y","b"]}`)},
		{"c", map[string]any{"url": "https://example.test/mcp"}},
		{"d.e", json.RawMessage(`{"command":"d"}`)},
	}
	for name, src := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			one := mustParseDoc(t, src)
			for _, m := range ms {
				if err := one.Set([]string{"servers", m.Key}, m.Val); err != nil {
					t.Fatalf("Set: %v", err)
				}
			}
			got := mustParseDoc(t, src)
			if err := got.AddMembers([]string{"servers"}, ms); err != nil {
				t.Fatalf("AddMembers: %v", err)
			}
			if string(got.Bytes()) != string(one.Bytes()) {
				t.Fatalf("AddMembers wrote\n%s\nSet one by one wrote\n%s", got.Bytes(), one.Bytes())
			}
			checkEdit(t, []byte(src), got) // its nodes too: into an empty object they are not parsed
			checkEdit(t, []byte(src), one)
		})
	}
	src := "{\n  \"servers\": 3\n}\n"
	d := mustParseDoc(t, src)
	if err := d.AddMembers([]string{"servers"}, ms); !errors.Is(err, ErrNotObject) {
		t.Fatalf("AddMembers into a number: err = %v, want ErrNotObject", err)
	}
	d = mustParseDoc(t, "{}")
	if err := d.AddMembers([]string{"servers"}, []Member{{"a", 1}, {"b", make(chan int)}}); err == nil {
		t.Fatal("AddMembers with a value that cannot be encoded succeeded")
	}
	if string(d.Bytes()) != "{}" || d.Changed() {
		t.Fatalf("a failed AddMembers changed the document to %s", d.Bytes())
	}
}

// TestLookupInLargeObjects checks that objects big enough to be indexed still answer with
// the last of repeated names, as JSON.parse does.
func TestLookupInLargeObjects(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		fmt.Fprintf(&b, "%q: %d, ", fmt.Sprint("k", i), i)
	}
	b.WriteString(`"k7": "last"}`)
	d := mustParseDoc(t, b.String())
	if got, _ := d.Get("k7"); string(got) != `"last"` {
		t.Fatalf("k7 = %s, want the last of the repeated members", got)
	}
	if got, _ := d.Get("k39"); string(got) != "39" {
		t.Fatalf("k39 = %s", got)
	}
	if _, ok := d.Get("k40"); ok {
		t.Fatal("a missing member was found")
	}
}
