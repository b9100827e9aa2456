package tomledit

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

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
