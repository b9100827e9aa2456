package tomledit

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// TestAddTablesMatchesSet checks that AddTables writes byte for byte what setting the
// same keys one by one writes, whatever the layout around the new tables, and that the
// tables read back.
func TestAddTablesMatchesSet(t *testing.T) {
	t.Parallel()
	codex := string(readFixture(t, "codex.toml"))
	docs := map[string]string{
		"empty":                "",
		"comment only":         "# my config\n",
		"no final newline":     "model = \"o3\"",
		"codex":                codex,
		"codex crlf":           crlf(codex),
		"codex bom":            "\ufeff" + codex,
		"servers then other":   "[mcp_servers.a]\ncommand = \"a\"\n\n[tui]\nnotifications = true\n",
		"servers header":       "[mcp_servers]\n\n[mcp_servers.a]\ncommand = \"a\"\n",
		"no blank before next": "[mcp_servers.a]\ncommand = \"a\"\n[profiles.x]\nmodel = \"y\"\n",
		"inline servers":       "mcp_servers = { a = { command = \"a\" } }\n",
		"dotted servers":       "mcp_servers.a.command = \"a\"\n",
		"table exists":         "[mcp_servers.new-one]\ncommand = \"old\"\n",
	}
	tables := []Table{
		{Name: "new-one", Keys: []KeyValue{{"command", "npx"}, {"args", []string{"-y", "pkg"}}, {"env", map[string]any{"MODE": "x"}}}},
		{Name: "empty", Keys: nil},
		{Name: "with.dot", Keys: []KeyValue{{"url", "https://example.test/mcp"}, {"enabled", false}}},
	}
	for name, src := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			seq := mustParse(t, src)
			for _, tb := range tables {
				for _, kv := range tb.Keys {
					if err := seq.Set([]string{"mcp_servers", tb.Name, kv.Key}, kv.Value); err != nil {
						t.Fatalf("Set: %v", err)
					}
				}
			}
			got := mustParse(t, src)
			if err := got.AddTables([]string{"mcp_servers"}, tables); err != nil {
				t.Fatalf("AddTables: %v", err)
			}
			if string(got.Bytes()) != string(seq.Bytes()) {
				t.Fatalf("AddTables wrote\n%s\nSet one by one wrote\n%s", got.Bytes(), seq.Bytes())
			}
			checkValid(t, got.Bytes())
			checkDecoded(t, got)
			if !got.Changed() {
				t.Error("Changed() = false after adding tables")
			}
		})
	}
}

func TestAddTablesErrors(t *testing.T) {
	t.Parallel()
	src := "model = \"o3\"\n"
	d := mustParse(t, src)
	err := d.AddTables([]string{"mcp_servers"}, []Table{{Name: "a", Keys: []KeyValue{{"command", "x"}}}, {Name: "b", Keys: []KeyValue{{"bad", struct{}{}}}}})
	if !errors.Is(err, ErrUnsupportedValue) {
		t.Fatalf("AddTables with an unsupported value: err = %v, want ErrUnsupportedValue", err)
	}
	if string(d.Bytes()) != src || d.Changed() {
		t.Fatalf("a failed AddTables changed the document:\n%s", d.Bytes())
	}
	d = mustParse(t, "mcp_servers = 3\n")
	if err := d.AddTables([]string{"mcp_servers"}, []Table{{Name: "a", Keys: []KeyValue{{"command", "x"}}}}); !errors.Is(err, ErrNotTable) {
		t.Fatalf("AddTables under a value: err = %v, want ErrNotTable", err)
	}
	if err := mustParse(t, "").AddTables([]string{"s"}, []Table{{Name: "a\xff", Keys: []KeyValue{{"k", 1}}}}); !errors.Is(err, ErrUnsupportedValue) {
		t.Fatalf("AddTables with invalid UTF-8: err = %v", err)
	}
}

// checkDecoded asserts that what a Doc holds as decoded data is what go-toml decodes from
// its bytes: AddTables decodes only the tables it adds and puts them into the data it had.
func checkDecoded(t *testing.T, d *Doc) {
	t.Helper()
	want := map[string]any{}
	if err := toml.Unmarshal(bytes.TrimPrefix(d.Bytes(), bom), &want); err != nil {
		t.Fatalf("output does not decode: %v\n%s", err, d.Bytes())
	}
	if !reflect.DeepEqual(d.data, want) {
		t.Fatalf("the document's data differs from a full decode of\n%s\nhave %v\nwant %v", d.Bytes(), d.data, want)
	}
	ix, err := buildIndex(d.src)
	if err != nil {
		t.Fatalf("output does not index: %v", err)
	}
	if !reflect.DeepEqual(d.ix, ix) {
		for i := range min(len(d.ix.exprs), len(ix.exprs)) {
			if !reflect.DeepEqual(d.ix.exprs[i], ix.exprs[i]) {
				t.Fatalf("the document's index differs from buildIndex of\n%s\nat expression %d:\nhave %+v\nwant %+v", d.Bytes(), i, d.ix.exprs[i], ix.exprs[i])
			}
		}
		t.Fatalf("the document's index has %d expressions, buildIndex %d", len(d.ix.exprs), len(ix.exprs))
	}
}

// TestAddTablesReadsLikeADecode adds a thousand servers, and then more, to a Codex config
// and checks the decoded data against a full decode, and that a failed check rolls back.
func TestAddTablesReadsLikeADecode(t *testing.T) {
	t.Parallel()
	d := mustParse(t, string(readFixture(t, "codex.toml")))
	var tables []Table
	for i := range 1000 {
		tables = append(tables, Table{Name: fmt.Sprintf("srv-%04d", i), Keys: []KeyValue{
			{"command", "node"}, {"args", []string{fmt.Sprintf("s%d.js", i), "--port"}},
			{"env", map[string]any{"INDEX": fmt.Sprint(i), "MODE": "bench"}}, {"enabled", i%2 == 0}, {"startup_timeout_sec", int64(i)}}})
	}
	if err := d.AddTables([]string{"mcp_servers"}, tables); err != nil {
		t.Fatal(err)
	}
	checkDecoded(t, d)
	if err := d.AddTables([]string{"mcp_servers"}, []Table{{Name: "late", Keys: []KeyValue{{"url", "https://example.test"}}}}); err != nil {
		t.Fatal(err)
	}
	checkDecoded(t, d)
	if got := d.TableNames("mcp_servers"); len(got) < 1001 || got[len(got)-1] != "late" {
		t.Fatalf("TableNames ends with %q, want the new table last", got[len(got)-1])
	}

	// Under a parent that does not exist yet, and under a nested one.
	for _, parent := range [][]string{{"new_parent"}, {"profiles", "p", "servers"}} {
		d := mustParse(t, "model = \"o3\"\n\n[profiles.p]\nmodel = \"x\"\n")
		if err := d.AddTables(parent, tables[:3]); err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, d)
	}

	// A key given twice in one table is refused, and nothing changes.
	d = mustParse(t, "")
	err := d.AddTables([]string{"s"}, []Table{{Name: "a", Keys: []KeyValue{{"k", 1}, {"k", 2}}}})
	var se *SyntaxError
	if !errors.As(err, &se) || len(d.Bytes()) != 0 || d.Changed() {
		t.Fatalf("AddTables with a repeated key: err = %v, document %q", err, d.Bytes())
	}
	// A table named twice gets both tables' keys, as setting them one by one does.
	d = mustParse(t, "")
	if err := d.AddTables([]string{"s"}, []Table{{Name: "a", Keys: []KeyValue{{"k", 1}}}, {Name: "a", Keys: []KeyValue{{"j", 2}}}}); err != nil {
		t.Fatal(err)
	}
	checkDecoded(t, d)
	if v, _ := d.Get("s", "a", "j"); v != int64(2) {
		t.Fatalf("s.a.j = %v, want 2", v)
	}
}

// TestAddTablesIndexesAsWritten checks the index AddTables builds for its new lines, without
// reading the document again, against buildIndex of the result: for every kind of value
// Set writes, and for new tables landing in an empty file, at the end of one, and between
// sections with comments and other tables after them. It also checks that those layouts do
// take that way (spliced), and that the ones it leaves to buildIndex are refused by it.
func TestAddTablesIndexesAsWritten(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 11, 27, 8, 30, 0, 123000000, time.FixedZone("", 9*3600))
	tables := []Table{
		{Name: "plain", Keys: []KeyValue{{"command", "npx"}, {"args", []string{"-y", `C:\Tools\srv.js`, "it's \"quoted\""}}}},
		{Name: "with.dot and ünï", Keys: []KeyValue{
			{"env", map[string]any{"A": "1", "B.C": "x\ty", "nested": map[string]any{"deep": int64(2), "list": []any{"a", map[string]any{"k": true}}}}},
			{"empty", map[string]any{}},
			{"enabled", false}, {"timeout", int64(-30)}, {"ratio", 0.25}, {"big", 1e300}, {"inf", math.Inf(1)},
			{"when", when}, {"day", toml.LocalDate{Year: 2026, Month: 11, Day: 27}},
			{"at", toml.LocalTime{Hour: 8, Minute: 30}}, {"local", toml.LocalDateTime{LocalDate: toml.LocalDate{Year: 2026, Month: 1, Day: 2}, LocalTime: toml.LocalTime{Hour: 3}}},
			{"mixed", []any{int64(1), "two", []any{3.5}}},
		}},
	}
	for _, tc := range []struct {
		name, src string
		spliced   bool
	}{
		{"empty file", "", true},
		{"settings only", "model = \"o3\" # the model\n", true},
		{"last section", "model = \"o3\"\n\n[mcp_servers.old]\ncommand = \"x\"\n", true},
		{"between sections", "[mcp_servers.old] # first\ncommand = \"x\"\nenv = { K = \"v\" }\n# about the next one\n\n[profiles.p]\nmodel = \"y\"\nenv = { A = { B = 1 }, C = [{ D = 2 }] }\n# last\n", true},
		{"windows line breaks", "\ufeffmodel = 'o3'\r\n\r\n[mcp_servers.old]\r\ncommand = 'x'\r\n\r\n[other]\r\nk = 1\r\n", true},
		{"no line break at the end", "model = \"o3\"", false},
		{"old table last, no line break", "[mcp_servers.old]\ncommand = \"x\"", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.src)
			before := *d
			if err := d.AddTables([]string{"mcp_servers"}, tables); err != nil {
				t.Fatal(err)
			}
			checkDecoded(t, d) // data and index against a full decode and buildIndex
			// The document as it was (what a rollback restores) still has its own index.
			if ix, err := buildIndex(before.src); err != nil || !reflect.DeepEqual(before.ix, ix) {
				t.Fatalf("AddTables changed the index of the document before it (err %v)", err)
			}

			// The same edit, one step at a time: is the splice used, and is it right?
			secs := make([]section, 0, len(tables))
			var ns names
			for _, tb := range tables {
				path := []string{"mcp_servers", tb.Name}
				s := section{table: path}
				for _, kv := range tb.Keys {
					v, err := normalize(kv.Value)
					if err != nil {
						t.Fatal(err)
					}
					line, full, val := renderKeyValue(path, kv.Key, v, &ns)
					s.lines, s.paths, s.vals = append(s.lines, line), append(s.paths, full), append(s.vals, val)
				}
				secs = append(secs, s)
			}
			pos, text, head := before.headers([]string{"mcp_servers"}, secs)
			ix, ok := before.ix.spliced(before.src, pos, len(text), head)
			if ok != tc.spliced {
				t.Fatalf("spliced: ok = %v, want %v", ok, tc.spliced)
			}
			if ok && !reflect.DeepEqual(ix, d.ix) {
				t.Fatal("spliced index differs from the document's")
			}
		})
	}
}
