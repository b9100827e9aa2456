package jsonedit

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// checkGolden compares got with a golden file, or rewrites the file under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// commentsOf lists the comments of a document in order, to check that edits keep them.
func commentsOf(t testing.TB, src []byte) []string {
	t.Helper()
	var out []string
	if _, err := parseDocument(src, func(s, e int) { out = append(out, string(src[s:e])) }); err != nil {
		t.Fatalf("parse for comments: %v\n%s", err, src)
	}
	return out
}

// decode unmarshals standard JSON into generic Go values for semantic comparison.
func decode(t testing.TB, raw []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return normalizeNumbers(v)
}

// normalizeNumbers turns json.Number into float64 where that is exact enough for tests, so
// that 1 and 1.0 compare equal.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return string(x)
		}
		return f
	}
	return v
}

func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(decode(t, a), decode(t, b))
}

// checkEdit asserts what must hold after every edit: the result parses with this package
// (and with encoding/json when the input was strict JSON), and a fresh parse sees the same
// values as the edited Doc.
func checkEdit(t testing.TB, before []byte, d *Doc) {
	t.Helper()
	after := d.Bytes()
	d2, err := Parse(after)
	if err != nil {
		t.Fatalf("edited document does not parse: %v\n%s", err, after)
	}
	if json.Valid(before) && !json.Valid(after) {
		t.Fatalf("strict JSON input became invalid JSON:\n%s", after)
	}
	if err := sameTree(d.root, d2.root); err != nil {
		t.Fatalf("the edited document's nodes are not what the parser reads (%v):\n%s", err, after)
	}
	g1, _ := d.Get()
	g2, _ := d2.Get()
	if !json.Valid(g1) {
		t.Fatalf("Get() is not valid JSON: %s", g1)
	}
	if !bytes.Equal(g1, g2) {
		t.Fatalf("Doc and a fresh parse disagree:\n%s\n%s", g1, g2)
	}
	if bytes.HasPrefix(before, bom) != bytes.HasPrefix(after, bom) {
		t.Fatalf("byte order mark lost or added:\n%q", after)
	}
	crlf := func(b []byte) bool {
		n := bytes.Count(b, []byte("\r\n"))
		return n > 0 && n == bytes.Count(b, []byte("\n"))
	}
	if crlf(before) && !crlf(after) {
		t.Fatalf("CRLF file got LF line endings:\n%q", after)
	}
}

// checkSet asserts that Get returns what was set.
func checkSet(t testing.TB, d *Doc, path []string, value any) {
	t.Helper()
	want, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := d.Get(path...)
	if !ok {
		t.Fatalf("Get(%q) finds nothing after Set\n%s", path, d.Bytes())
	}
	if !sameJSON(t, got, want) {
		t.Fatalf("Get(%q) = %s after setting %s", path, got, want)
	}
}

// sameTree compares two node trees field by field, leaving out the lookup indexes built
// on demand: an edit may build the new document's nodes instead of parsing it again.
func sameTree(a, b *node) error {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil || b == nil:
		return fmt.Errorf("node %v against %v", a, b)
	case a.kind != b.kind || a.start != b.start || a.end != b.end:
		return fmt.Errorf("%s at %d-%d against %s at %d-%d", a.kind, a.start, a.end, b.kind, b.start, b.end)
	case len(a.members) != len(b.members) || len(a.elems) != len(b.elems):
		return fmt.Errorf("%d members and %d elements at %d against %d and %d", len(a.members), len(a.elems), a.start, len(b.members), len(b.elems))
	}
	for i, m := range a.members {
		n := b.members[i]
		if m.name != n.name || m.keyStart != n.keyStart || m.keyEnd != n.keyEnd || m.colon != n.colon || m.comma != n.comma {
			return fmt.Errorf("member %+v against %+v", m, n)
		}
		if err := sameTree(m.value, n.value); err != nil {
			return err
		}
	}
	for i, e := range a.elems {
		if e.comma != b.elems[i].comma {
			return fmt.Errorf("element comma %d against %d", e.comma, b.elems[i].comma)
		}
		if err := sameTree(e.value, b.elems[i].value); err != nil {
			return err
		}
	}
	return nil
}
