package yamledit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(add func([]byte)) {
	for _, s := range []string{
		"",
		"a: 1",
		"a: 1\r\nb:\r\n  - x\r\n",
		"\ufeffl:\n- a # c\n- b\n",
		"base: &b {x: 1}\nuse: *b\n",
		"a: 1\n---\nb: 2\n",
		"# head\n\nk: |\n  text\n\n# foot\n",
		"- name: x\n  v: 1\n-\n  name: y\n",
	} {
		add([]byte(s))
	}
	for _, name := range []string{"continue.yaml", "goose.yaml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			add(b)
		}
	}
}

// FuzzYAMLParse checks that Parse never panics, that an untouched document
// comes back byte for byte, and that a Set on whatever parsed still yields
// a document that parses and holds the value.
func FuzzYAMLParse(f *testing.F) {
	addSeeds(func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Fatalf("error without a line: %#v", err)
			}
			return
		}
		out, err := d.Bytes()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("untouched round trip changed the bytes (err %v)", err)
		}
		checkSet(t, d, []any{"aisync", "probe"}, "v")
	})
}

// FuzzYAMLEdit applies one edit at a fuzzed path to the realistic fixtures
// and other seeds.
func FuzzYAMLEdit(f *testing.F) {
	addSeeds(func(b []byte) { f.Add(b, "mcpServers", 1, "args", "x", uint8(0)) })
	f.Fuzz(func(t *testing.T, data []byte, k1 string, i int, k2, s string, op uint8) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		path := []any{k1, i % 4, k2}
		if op&8 != 0 {
			path = []any{k1, k2}
		}
		var value any = s
		switch op % 4 {
		case 1:
			value = map[string]any{k2: s, "n": i}
		case 2:
			value = []string{s, k1}
		case 3:
			if err := d.Delete(path...); err != nil {
				return
			}
			out, err := d.Bytes()
			if err != nil {
				t.Fatalf("Bytes after Delete: %v", err)
			}
			d2, err := Parse(out)
			if err != nil {
				t.Fatalf("deleted document does not parse: %v\n%q", err, out)
			}
			if _, ok := d2.Get(path...); ok {
				t.Fatalf("deleted path still present\n%q", out)
			}
			return
		}
		checkSet(t, d, path, value)
	})
}

func checkSet(t *testing.T, d *Doc, path []any, value any) {
	t.Helper()
	if err := d.Set(path, value); err != nil {
		if d.Changed() {
			t.Fatalf("failed Set (%v) changed the document", err)
		}
		return
	}
	out, err := d.Bytes()
	if err != nil {
		t.Fatalf("Bytes after Set: %v", err)
	}
	d2, err := Parse(out)
	if err != nil {
		t.Fatalf("edited document does not parse: %v\n%q", err, out)
	}
	got, ok := d2.Get(path...)
	want, _ := toNode(value)
	if !ok || !equalNodes(got, want) {
		t.Fatalf("Get after Set = %v, want %v\n%q", got, want, out)
	}
}
