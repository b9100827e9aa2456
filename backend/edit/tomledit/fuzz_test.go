package tomledit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, add func([]byte)) {
	for _, s := range []string{
		"",
		"a = 1",
		"a = 1\r\n[t]\r\nb = 'x'\r\n",
		"\ufeff[t]\nx = { a = 1, b = [1, 2] }\n",
		"t = {\n a = 1, # c\n}\n",
		"[[a]]\nx = 1\n[a.b]\n",
		"[a]\nb.c = 1\n[a.b.d]\n",
		"s = \"\"\"\n[not]\n\"\"\"\n",
	} {
		add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "codex.toml")); err == nil {
		add(b)
	}
}

// FuzzTOMLParse checks that Parse never panics and that an untouched
// document comes back byte for byte.
func FuzzTOMLParse(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		if !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("untouched round trip changed the bytes")
		}
		for _, name := range d.TableNames() {
			d.TableNames(name)
			d.Get(name)
		}
	})
}

// FuzzTOMLEdit applies one Set or Delete to a fuzzed document and checks that
// the result still parses, reads back the value, and that failed edits leave
// the document alone.
func FuzzTOMLEdit(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b, "mcp_servers", "x", "v", uint8(0)) })
	f.Add([]byte("[mcp_servers.x]\ncommand = 'a'\n"), "mcp_servers", "x", "b", uint8(3))
	f.Add([]byte("env = { A = \"1\" }\n"), "env", "B", "2", uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, k1, k2, s string, op uint8) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		path := []string{k1, k2}
		switch {
		case op&4 != 0:
			path = path[:1]
		case op&8 != 0:
			path = append(path, s)
		}
		var value any
		switch op % 4 {
		case 0:
			value = s
		case 1:
			value = map[string]string{k2: s}
		case 2:
			value = []string{s, k1}
		case 3:
			value = nil // Delete
		}
		if value == nil {
			err = d.Delete(path...)
		} else {
			err = d.Set(path, value)
		}
		out := d.Bytes()
		if err != nil {
			if !bytes.Equal(out, data) {
				t.Fatalf("failed edit (%v) changed the document", err)
			}
			// Only caller mistakes may fail; anything else is an edit the
			// package should have been able to make.
			if !errors.Is(err, ErrNotTable) && !errors.Is(err, ErrUnsupportedValue) {
				t.Fatalf("edit failed on a valid document: %v\n%q", err, data)
			}
			return
		}
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("edited document does not parse: %v\n%q", err, out)
		}
		got, ok := d2.Get(path...)
		if value == nil {
			if ok {
				t.Fatalf("deleted path still present: %#v", got)
			}
			return
		}
		want, _ := normalize(value)
		if !ok || !equalValues(want, got) {
			t.Fatalf("Get after Set = %#v, want %#v\n%q", got, want, out)
		}
		if !d.Changed() && !bytes.Equal(out, data) {
			t.Fatalf("bytes changed but Changed() is false")
		}
	})
}

// FuzzTOMLAddTables adds two tables under a fuzzed parent of a fuzzed document: either the
// document is left exactly as it was, or its decoded data is what a full decode of the new
// bytes gives (AddTables decodes only the new tables), and the new keys read back.
func FuzzTOMLAddTables(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b, "mcp_servers", "x", "y", "v") })
	f.Add([]byte("[mcp_servers.x]\ncommand = 'a'\n"), "mcp_servers", "y", "z", "v")
	f.Add([]byte("[[mcp_servers]]\n"), "mcp_servers", "y", "z", "v")
	f.Add([]byte("[a]\n[a.b]\nk=1\n[c]\n"), "a", "b", "d", "\"")
	f.Fuzz(func(t *testing.T, data []byte, parent, n1, n2, s string) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		err = d.AddTables([]string{parent}, []Table{
			{Name: n1, Keys: []KeyValue{{"command", s}, {"args", []string{s, n2}}}},
			{Name: n2, Keys: []KeyValue{{"env", map[string]any{n1: s}}}},
		})
		if err != nil {
			if !bytes.Equal(d.Bytes(), data) || d.Changed() {
				t.Fatalf("failed AddTables (%v) changed the document", err)
			}
			return
		}
		checkDecoded(t, d)
		if v, ok := d.Get(parent, n1, "command"); n1 != n2 && (!ok || v != s) {
			t.Fatalf("%s.%s.command = %v, %v; want %q", parent, n1, v, ok, s)
		}
	})
}
