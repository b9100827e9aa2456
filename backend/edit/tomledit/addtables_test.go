package tomledit

import (
	"errors"
	"testing"
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
