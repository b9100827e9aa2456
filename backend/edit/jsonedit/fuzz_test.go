package jsonedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func addSeedFiles(f *testing.F, add func(data []byte)) {
	paths, _ := filepath.Glob("testdata/files/*")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
	for _, s := range []string{
		"", "{}", "{\n}", "[]", `"x"`, "// c", "{,}", `{"a":1,}`, "{\r\n\t\"a\": [1, 2,],\r\n}",
		"\xef\xbb\xbf{}", `{"a": {"b": {"c": {}}}}`, `{"a": 1 /* x */, "b": [ /* y */ ], "c": { // z` + "\n}}",
		`{"\ud800": 1, "\u00e9": 2}`, "{\"a\": 1e999, \"b\": -0.0e-0}", `{"a":1,"a":{"b":2}}`,
	} {
		add([]byte(s))
	}
}

// FuzzParse checks that Parse never panics, agrees with encoding/json on strict JSON, gives
// back untouched input byte for byte, and that a Set can always be read back.
func FuzzParse(f *testing.F) {
	addSeedFiles(f, func(b []byte) { f.Add(b) })
	f.Fuzz(fuzzParse)
}

func fuzzParse(t *testing.T, data []byte) {
	d, err := Parse(data)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 || se.Msg == "" {
			t.Fatalf("Parse error %#v is not a usable *SyntaxError", err)
		}
		if json.Valid(data) {
			t.Fatalf("Parse rejects valid JSON %q: %v", data, err)
		}
		return
	}
	if !bytes.Equal(d.Bytes(), data) || d.Changed() {
		t.Fatalf("untouched document changed: %q -> %q", data, d.Bytes())
	}
	all, ok := d.Get()
	if !ok || !json.Valid(all) {
		t.Fatalf("Get() = %q, %v", all, ok)
	}
	if json.Valid(data) && !sameJSON(t, data, all) {
		t.Fatalf("Get() = %s, but encoding/json reads %s", all, data)
	}
	if got, want := d.Duplicates(), duplicatesByCount(d); !reflect.DeepEqual(got, want) {
		t.Fatalf("Duplicates() = %q, counting names: %q\n%q", got, want, data)
	}
	if d.root != nil && d.root.kind != kindObject {
		if err := d.Set([]string{"x"}, 1); !errors.Is(err, ErrNotObject) {
			t.Fatalf("Set under a non-object root = %v", err)
		}
		return
	}
	key := []string{"fuzz\x00\"<key>"}
	_, existed := d.Get(key...)
	keys := d.Keys()
	value := map[string]any{"a": []any{1, "two", nil}, "b": map[string]any{}}
	if err := d.Set(key, value); err != nil {
		t.Fatalf("Set: %v\n%q", err, data)
	}
	checkEdit(t, data, d)
	checkSet(t, d, key, value)
	if !existed && !slices.Equal(commentsOf(t, data), commentsOf(t, d.Bytes())) {
		t.Fatalf("insertion lost comments:\n%q\n%q", data, d.Bytes())
	}
	for _, k := range keys {
		if k == key[0] {
			continue
		}
		before, _ := mustParse(t, data).Get(k)
		after, _ := d.Get(k)
		if !bytes.Equal(before, after) {
			t.Fatalf("Set changed unrelated member %q: %s -> %s", k, before, after)
		}
	}
}

func mustParse(t testing.TB, data []byte) *Doc {
	t.Helper()
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// FuzzEdit applies a Set or Delete at a fuzzed path and checks that it did exactly that:
// the target changed as asked, siblings did not, the document still parses, a repeated Set
// is a no-op, and undoing the edit gives back the same data.
func FuzzEdit(f *testing.F) {
	addSeedFiles(f, func(b []byte) {
		f.Add(b, "mcpServers/x", `{"command":"npx","args":["-y","p"]}`, false)
		f.Add(b, "servers/filesystem/args", `["-y","p","${workspaceFolder}"]`, false)
		f.Add(b, "mcpServers/a", ``, true)
	})
	nested := []byte("{\n  // head\n  \"a\": {\n    \"x\": [1, /* one */ 2, 3], // xs\n    \"y\": {\"p\": 1, \"q\": [\n      \"s\", // s\n      \"t\",\n    ]},\n  },\n  \"b\": [] // tail\n}\n")
	for _, c := range []struct{ path, value string }{
		{"a", `{"x":[1,3],"y":{"q":["t","u"]},"z":null}`},
		{"a/x", `[0,1,2,3,4]`},
		{"a/y/q", `["u","s"]`},
		{"b", `[{"k":[]}]`},
		{"a", `[]`},
		{"a/y", `{}`},
	} {
		f.Add(nested, c.path, c.value, false)
	}
	f.Fuzz(fuzzEdit)
}

func fuzzEdit(t *testing.T, data []byte, path, value string, del bool) {
	d, err := Parse(data)
	if err != nil {
		return
	}
	names := strings.Split(path, "/")
	if len(names) > 5 {
		names = names[:5]
	}
	var v any = json.RawMessage(value)
	if !json.Valid([]byte(value)) {
		v = value
	}
	orig, _ := d.Get()
	parent, last := names[:len(names)-1], names[len(names)-1]
	siblings := map[string][]byte{}
	for _, k := range d.Keys(parent...) {
		if canonicalName(k) != canonicalName(last) {
			siblings[k], _ = d.Get(append(slices.Clone(parent), k)...)
		}
	}
	old, existed := d.Get(names...)
	_, parentExisted := d.Get(parent...)

	if del {
		if err := d.Delete(names...); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, ok := d.Get(names...); ok {
			t.Fatalf("Delete(%q) left a value:\n%s", names, d.Bytes())
		}
		if !existed && d.Changed() {
			t.Fatalf("Delete of a missing member changed the document")
		}
	} else {
		err := d.Set(names, v)
		if errors.Is(err, ErrNotObject) {
			if d.Changed() {
				t.Fatal("failed Set changed the document")
			}
			return
		}
		if err != nil {
			t.Fatalf("Set: %v", err)
		}
		checkSet(t, d, names, v)
		if !existed && !slices.Equal(commentsOf(t, data), commentsOf(t, d.Bytes())) {
			t.Fatalf("insertion lost comments:\n%q\n%q", data, d.Bytes())
		}
		once := d.Bytes()
		if err := d.Set(names, v); err != nil || !bytes.Equal(once, d.Bytes()) {
			t.Fatalf("repeated Set is not a no-op (%v):\n%s\n%s", err, once, d.Bytes())
		}
	}
	checkEdit(t, data, d)
	for k, before := range siblings {
		after, _ := d.Get(append(slices.Clone(parent), k)...)
		if !bytes.Equal(before, after) {
			t.Fatalf("edit of %q changed sibling %q: %s -> %s", names, k, before, after)
		}
	}

	// Undo and compare the data with the original.
	switch {
	case !del && existed:
		err = d.Set(names, json.RawMessage(old))
	case !del && parentExisted:
		err = d.Delete(names...)
	case del && existed && parentExisted:
		err = d.Set(names, json.RawMessage(old))
	default:
		return
	}
	if err != nil {
		t.Fatalf("undo: %v", err)
	}
	checkEdit(t, data, d)
	if now, _ := d.Get(); !sameJSON(t, orig, now) {
		t.Fatalf("undo did not restore the data:\n%s\n%s", orig, now)
	}
}
