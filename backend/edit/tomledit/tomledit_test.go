package tomledit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

// checkValid asserts the invariant every edit must keep: the output parses
// with go-toml and with Parse.
func checkValid(t *testing.T, out []byte) {
	t.Helper()
	var m map[string]any
	if err := toml.Unmarshal(bytes.TrimPrefix(out, bom), &m); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if _, err := Parse(out); err != nil {
		t.Fatalf("output does not re-parse: %v\n%s", err, out)
	}
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestUntouchedRoundTrip(t *testing.T) {
	t.Parallel()
	codex := string(readFixture(t, "codex.toml"))
	cases := map[string]string{
		"empty":              "",
		"only comment":       "# nothing here",
		"no final newline":   "a = 1",
		"codex":              codex,
		"codex crlf":         crlf(codex),
		"codex bom":          "\ufeff" + codex,
		"codex bom crlf":     "\ufeff" + crlf(codex),
		"odd spacing":        "  a   =   1   # c\n\n\n[ t . u ]\n\tb=2\n",
		"multiline strings":  "s = \"\"\"\nline\n\"\"\"\nl = '''\nraw\n'''\n",
		"toml 1.1 multiline": "t = {\n  a = 1, # one\n  b = 2,\n}\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			if got := d.Bytes(); string(got) != src {
				t.Fatalf("Bytes() = %q, want %q", got, src)
			}
			if d.Changed() {
				t.Fatal("Changed() = true on an untouched document")
			}
		})
	}
}

func TestSetEqualValueLeavesBytes(t *testing.T) {
	t.Parallel()
	src := crlf(string(readFixture(t, "codex.toml")))
	cases := []struct {
		name  string
		path  []string
		value any
	}{
		{"string", []string{"model"}, "gpt-5-codex"},
		{"literal string", []string{"sandbox_mode"}, "workspace-write"},
		{"float written as float", []string{"mcp_servers", "github", "tool_timeout_sec"}, 45.0},
		{"int", []string{"mcp_servers", "db", "startup_timeout_sec"}, 20},
		{"string slice", []string{"mcp_servers", "db", "args"}, []string{"-y", "@acme/db-mcp"}},
		{"multi-line array", []string{"mcp_servers", "files", "args"}, []any{"mcp-server-files", "--root", "/home/me"}},
		{"inline table", []string{"mcp_servers", "db", "env"}, map[string]string{"LOG_LEVEL": "info"}},
		{"header table", []string{"mcp_servers", "files", "env"}, map[string]any{"FILES_LOG": "debug"}},
		{"quoted name", []string{"mcp_servers", "名前", "command"}, "namae"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			if err := d.Set(tc.path, tc.value); err != nil {
				t.Fatal(err)
			}
			if d.Changed() || string(d.Bytes()) != src {
				t.Fatalf("document changed:\n%s", d.Bytes())
			}
		})
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	d := mustParse(t, string(readFixture(t, "codex.toml")))
	cases := []struct {
		name string
		path []string
		want any
		ok   bool
	}{
		{"root string", []string{"model"}, "gpt-5-codex", true},
		{"literal", []string{"sandbox_mode"}, "workspace-write", true},
		{"float", []string{"mcp_servers", "github", "tool_timeout_sec"}, 45.0, true},
		{"int", []string{"mcp_servers", "db", "startup_timeout_sec"}, int64(20), true},
		{"array", []string{"mcp_servers", "db", "args"}, []any{"-y", "@acme/db-mcp"}, true},
		{"inline table", []string{"mcp_servers", "db", "env"}, map[string]any{"LOG_LEVEL": "info"}, true},
		{"inside inline table", []string{"mcp_servers", "github", "http_headers", "X-Team"}, "core", true},
		{"dotted name is one key", []string{"mcp_servers", "my.server", "command"}, "my-server", true},
		{"dotted name is not split", []string{"mcp_servers", "my", "server"}, nil, false},
		{"unicode name", []string{"mcp_servers", "名前", "command"}, "namae", true},
		{"project path key", []string{"projects", "/home/me/p", "trust_level"}, "trusted", true},
		{"sub-table", []string{"mcp_servers", "db", "tools", "query"}, map[string]any{"approval_mode": "approve"}, true},
		{"missing", []string{"mcp_servers", "nope"}, nil, false},
		{"through a scalar", []string{"model", "x"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := d.Get(tc.path...)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Get(%q) = %#v, %v; want %#v, %v", tc.path, got, ok, tc.want, tc.ok)
			}
		})
	}
	t.Run("result is a copy", func(t *testing.T) {
		t.Parallel()
		d := mustParse(t, "[a]\nb = 1\n")
		m, _ := d.Get("a")
		m.(map[string]any)["b"] = int64(2)
		if err := d.Set([]string{"a", "b"}, 2); err != nil {
			t.Fatal(err)
		}
		if !d.Changed() {
			t.Fatal("mutating Get's result leaked into the document")
		}
	})
}

func TestTableNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		path []string
		want []string
	}{
		{"codex servers", string(readFixture(t, "codex.toml")), []string{"mcp_servers"}, []string{"github", "db", "files", "my.server", "名前"}},
		{"sub-tables of a server", string(readFixture(t, "codex.toml")), []string{"mcp_servers", "db"}, []string{"env", "tools"}},
		{"root", string(readFixture(t, "codex.toml")), nil, []string{"profiles", "projects", "mcp_servers"}},
		{
			"headers dotted and inline mixed",
			"[mcp_servers]\nz.command = \"a\"\ny = { command = \"b\" }\n\n[mcp_servers.x]\ncommand = \"c\"\n\n[mcp_servers.a.env]\nK = \"v\"\n",
			[]string{"mcp_servers"},
			[]string{"z", "y", "x", "a"},
		},
		{"dotted at root", "mcp_servers.b.command = \"x\"\nmcp_servers.a.command = \"y\"\n", []string{"mcp_servers"}, []string{"b", "a"}},
		{"inline at root", "mcp_servers = { q = { command = \"x\" }, p = { url = \"u\" } }\n", []string{"mcp_servers"}, []string{"q", "p"}},
		{"array of tables is not a table", "[[a.b]]\nx = 1\n[a.c]\n", []string{"a"}, []string{"c"}},
		{"missing", "a = 1\n", []string{"nope"}, nil},
		{"scalar", "a = 1\n", []string{"a"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, tc.src)
			if got := d.TableNames(tc.path...); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("TableNames(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
	t.Run("keys in document order", func(t *testing.T) {
		t.Parallel()
		d := mustParse(t, "[s]\nz = 1\na = 2\nm.x = 3\n[s.b]\n")
		if got, want := d.Keys("s"), []string{"z", "a", "m", "b"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Keys = %q, want %q", got, want)
		}
	})
}

type edit func(*Doc) error

func set(path []string, v any) edit { return func(d *Doc) error { return d.Set(path, v) } }
func del(path ...string) edit       { return func(d *Doc) error { return d.Delete(path...) } }
func p(s ...string) []string        { return s }

func TestEdits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		ops  []edit
		want string
	}{
		{
			name: "replace value keeps trailing comment",
			src:  "a = \"x\"   # keep me\nb = 2\n",
			ops:  []edit{set(p("a"), "y")},
			want: "a = \"y\"   # keep me\nb = 2\n",
		},
		{
			name: "replace literal string stays literal",
			src:  "cmd = 'C:\\tools\\x.exe'\n",
			ops:  []edit{set(p("cmd"), `C:\tools\y.exe`)},
			want: "cmd = 'C:\\tools\\y.exe'\n",
		},
		{
			name: "literal string that cannot stay literal",
			src:  "cmd = 'a'\n",
			ops:  []edit{set(p("cmd"), "it's")},
			want: "cmd = \"it's\"\n",
		},
		{
			name: "escaping",
			src:  "",
			ops:  []edit{set(p("s"), "q\"b\\t\tn\nu\x01é")},
			want: "s = \"q\\\"b\\\\t\\tn\\nu\\u0001é\"\n",
		},
		{
			name: "type change",
			src:  "a = 1 # n\n",
			ops:  []edit{set(p("a"), []any{"x", int64(2), true, 1.5})},
			want: "a = [\"x\", 2, true, 1.5] # n\n",
		},
		{
			name: "multi-line array replaced by one line",
			src:  "args = [\n  \"a\",\n  \"b\",\n] # c\nx = 1\n",
			ops:  []edit{set(p("args"), []string{"z"})},
			want: "args = [\"z\"] # c\nx = 1\n",
		},
		{
			name: "add key after last key of table, before blank and comment",
			src:  "[a]\nx = 1\n\n# about b\n[b]\ny = 2\n",
			ops:  []edit{set(p("a", "z"), "new")},
			want: "[a]\nx = 1\nz = \"new\"\n\n# about b\n[b]\ny = 2\n",
		},
		{
			name: "add key to empty table",
			src:  "[a]\n\n[b]\n",
			ops:  []edit{set(p("a", "k"), true)},
			want: "[a]\nk = true\n\n[b]\n",
		},
		{
			name: "add key keeps indentation",
			src:  "[a]\n  x = 1\n",
			ops:  []edit{set(p("a", "y"), 2)},
			want: "[a]\n  x = 1\n  y = 2\n",
		},
		{
			name: "add root key before first table",
			src:  "model = \"o3\"\n\n[a]\nx = 1\n",
			ops:  []edit{set(p("approval_policy"), "never")},
			want: "model = \"o3\"\napproval_policy = \"never\"\n\n[a]\nx = 1\n",
		},
		{
			name: "add root key when root has none",
			src:  "# header\n\n[a]\nx = 1\n",
			ops:  []edit{set(p("model"), "o3")},
			want: "# header\n\nmodel = \"o3\"\n\n[a]\nx = 1\n",
		},
		{
			name: "add key at end without final newline",
			src:  "a = 1",
			ops:  []edit{set(p("b"), 2)},
			want: "a = 1\nb = 2",
		},
		{
			name: "new table at end",
			src:  "model = \"o3\"\n",
			ops:  []edit{set(p("mcp_servers", "x", "command"), "npx"), set(p("mcp_servers", "x", "args"), []string{"-y", "pkg"})},
			want: "model = \"o3\"\n\n[mcp_servers.x]\ncommand = \"npx\"\nargs = [\"-y\", \"pkg\"]\n",
		},
		{
			name: "new table into empty document",
			src:  "",
			ops:  []edit{set(p("mcp_servers", "x", "command"), "npx")},
			want: "[mcp_servers.x]\ncommand = \"npx\"\n",
		},
		{
			name: "new table after document without final newline",
			src:  "a = 1",
			ops:  []edit{set(p("t", "k"), 1)},
			want: "a = 1\n\n[t]\nk = 1\n",
		},
		{
			name: "new table goes after its siblings",
			src:  "[mcp_servers.a]\ncommand = \"a\"\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[profiles.p]\nmodel = \"m\"\n",
			ops:  []edit{set(p("mcp_servers", "b", "command"), "b")},
			want: "[mcp_servers.a]\ncommand = \"a\"\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[mcp_servers.b]\ncommand = \"b\"\n\n[profiles.p]\nmodel = \"m\"\n",
		},
		{
			name: "new sibling table without blank lines around",
			src:  "[s.a]\nx = 1\n[z]\ny = 2\n",
			ops:  []edit{set(p("s", "b", "x"), 2)},
			want: "[s.a]\nx = 1\n\n[s.b]\nx = 2\n\n[z]\ny = 2\n",
		},
		{
			name: "map for a missing table becomes a header table",
			src:  "model = \"o3\"\n\n[mcp_servers.a]\ncommand = \"a\"\n\n[profiles.p]\n",
			ops:  []edit{set(p("mcp_servers", "b"), map[string]any{"command": "npx", "args": []string{"-y"}, "env": map[string]string{"K": "v"}})},
			want: "model = \"o3\"\n\n[mcp_servers.a]\ncommand = \"a\"\n\n[mcp_servers.b]\nargs = [\"-y\"]\ncommand = \"npx\"\nenv = { K = \"v\" }\n\n[profiles.p]\n",
		},
		{
			name: "map under an existing header table stays inline",
			src:  "[mcp_servers]\na = { command = \"a\" }\n",
			ops:  []edit{set(p("mcp_servers", "b"), map[string]any{"command": "b"})},
			want: "[mcp_servers]\na = { command = \"a\" }\nb = { command = \"b\" }\n",
		},
		{
			name: "quoted table names",
			src:  "",
			ops:  []edit{set(p("mcp_servers", "my.server", "command"), "a"), set(p("mcp_servers", "名前", "command"), "b"), set(p("mcp_servers", "", "x"), 1)},
			want: "[mcp_servers.\"my.server\"]\ncommand = \"a\"\n\n[mcp_servers.\"名前\"]\ncommand = \"b\"\n\n[mcp_servers.\"\"]\nx = 1\n",
		},
		{
			name: "quoted key",
			src:  "[h]\n",
			ops:  []edit{set(p("h", "X-Api Key"), "v")},
			want: "[h]\n\"X-Api Key\" = \"v\"\n",
		},
		{
			name: "map value becomes sorted inline table",
			src:  "[mcp_servers.db]\ncommand = \"npx\"\n",
			ops:  []edit{set(p("mcp_servers", "db", "env"), map[string]string{"B": "2", "A": "1", "x y": "3"})},
			want: "[mcp_servers.db]\ncommand = \"npx\"\nenv = { A = \"1\", B = \"2\", \"x y\" = \"3\" }\n",
		},
		{
			name: "empty map and slice",
			src:  "",
			ops:  []edit{set(p("e"), map[string]any{}), set(p("s"), []string{})},
			want: "e = {}\ns = []\n",
		},
		{
			name: "add to inline table",
			src:  "env = { A = \"1\" } # c\n",
			ops:  []edit{set(p("env", "B"), "2")},
			want: "env = { A = \"1\", B = \"2\" } # c\n",
		},
		{
			name: "add to empty inline table",
			src:  "env = {}\n",
			ops:  []edit{set(p("env", "B"), "2")},
			want: "env = { B = \"2\" }\n",
		},
		{
			name: "replace inside inline table",
			src:  "env = { A = \"1\", B = '2' }\n",
			ops:  []edit{set(p("env", "B"), "3")},
			want: "env = { A = \"1\", B = '3' }\n",
		},
		{
			name: "nested path into inline table",
			src:  "[mcp_servers]\nx = { command = \"a\" }\n",
			ops:  []edit{set(p("mcp_servers", "x", "env", "K"), "v")},
			want: "[mcp_servers]\nx = { command = \"a\", env = { K = \"v\" } }\n",
		},
		{
			name: "set map over inline table edits keys",
			src:  "env = { A = \"1\", B = \"2\" }\n",
			ops:  []edit{set(p("env"), map[string]string{"A": "1", "C": "3"})},
			want: "env = { A = \"1\", C = \"3\" }\n",
		},
		{
			name: "set map over header table edits keys and keeps comments",
			src:  "[s.env]\n# why A\nA = \"1\"\nB = \"2\" # b\n",
			ops:  []edit{set(p("s", "env"), map[string]string{"A": "1", "B": "9", "C": "3"})},
			want: "[s.env]\n# why A\nA = \"1\"\nB = \"9\" # b\nC = \"3\"\n",
		},
		{
			name: "dotted keys grow as dotted keys",
			src:  "[mcp_servers]\nx.command = \"a\"\nx.args = []\n\n[other]\n",
			ops:  []edit{set(p("mcp_servers", "x", "cwd"), "/w"), set(p("mcp_servers", "x", "env", "K"), "v")},
			want: "[mcp_servers]\nx.command = \"a\"\nx.args = []\nx.cwd = \"/w\"\nx.env.K = \"v\"\n\n[other]\n",
		},
		{
			name: "sub-table header for deeper path",
			src:  "[mcp_servers.x]\ncommand = \"a\"\n\n[profiles.p]\n",
			ops:  []edit{set(p("mcp_servers", "x", "env", "K"), "v")},
			want: "[mcp_servers.x]\ncommand = \"a\"\n\n[mcp_servers.x.env]\nK = \"v\"\n\n[profiles.p]\n",
		},
		{
			name: "implicit table gets its own header",
			src:  "[a.b]\nx = 1\n",
			ops:  []edit{set(p("a", "k"), 2)},
			want: "[a.b]\nx = 1\n\n[a]\nk = 2\n",
		},
		{
			name: "replace a table by a scalar",
			src:  "[t]\nx = 1\n[t.u]\ny = 2\n\n[z]\n",
			ops:  []edit{set(p("t"), "s")},
			want: "t = \"s\"\n\n[z]\n",
		},
		{
			name: "floats",
			src:  "",
			ops:  []edit{set(p("a"), 20.0), set(p("b"), 1e21), set(p("c"), -0.5), set(p("d"), 3e-9)},
			want: "a = 20.0\nb = 1e+21\nc = -0.5\nd = 3e-09\n",
		},
		{
			name: "crlf is kept for new lines",
			src:  "a = 1\r\n\r\n[t]\r\nx = 1\r\n",
			ops:  []edit{set(p("t", "y"), 2), set(p("n", "k"), 3), set(p("b"), 4)},
			want: "a = 1\r\nb = 4\r\n\r\n[t]\r\nx = 1\r\ny = 2\r\n\r\n[n]\r\nk = 3\r\n",
		},
		{
			name: "bom is kept",
			src:  "\ufeffa = 1\n",
			ops:  []edit{set(p("a"), 2)},
			want: "\ufeffa = 2\n",
		},
		{
			name: "delete key with its comment",
			src:  "a = 1\nb = 2 # gone\nc = 3\n",
			ops:  []edit{del("b")},
			want: "a = 1\nc = 3\n",
		},
		{
			name: "delete multi-line key",
			src:  "a = [\n 1,\n 2,\n]\nb = 2\n",
			ops:  []edit{del("a")},
			want: "b = 2\n",
		},
		{
			name: "delete missing is a no-op",
			src:  "a = 1\n",
			ops:  []edit{del("b"), del("b", "c")},
			want: "a = 1\n",
		},
		{
			name: "delete table with sub-tables and attached comments",
			src:  "x = 1\n\n# about s\n[s]\na = 1\n\n[t]\nb = 2\n\n# about s.u\n[s.u]\nc = 3\n\n[s.u.v]\nd = 4\n\n# detached note\n\n[w]\n",
			ops:  []edit{del("s")},
			want: "x = 1\n\n[t]\nb = 2\n\n# detached note\n\n[w]\n",
		},
		{
			name: "delete last table leaves no trailing blank line",
			src:  "[a]\nx = 1\n\n[b]\ny = 2\n",
			ops:  []edit{del("b")},
			want: "[a]\nx = 1\n",
		},
		{
			name: "delete first table",
			src:  "[a]\nx = 1\n\n[b]\ny = 2\n",
			ops:  []edit{del("a")},
			want: "[b]\ny = 2\n",
		},
		{
			name: "delete dotted-key table",
			src:  "[s]\nx.a = 1\ny = 2\nx.b = 3\n",
			ops:  []edit{del("s", "x")},
			want: "[s]\ny = 2\n",
		},
		{
			name: "delete array of tables",
			src:  "[[a]]\nx = 1\n\n[[a]]\nx = 2\n\n[b]\n",
			ops:  []edit{del("a")},
			want: "[b]\n",
		},
		{
			name: "delete from inline table",
			src:  "e = { A = 1, B = 2, C = 3 }\nf = { A = 1, B = 2 }\ng = { A = 1 }\n",
			ops:  []edit{del("e", "B"), del("f", "B"), del("g", "A")},
			want: "e = { A = 1, C = 3 }\nf = { A = 1 }\ng = {}\n",
		},
		{
			name: "delete dotted entries of inline table",
			src:  "e = { a.x = 1, a.y = 2, b = 3 }\n",
			ops:  []edit{del("e", "a")},
			want: "e = { b = 3 }\n",
		},
		{
			name: "delete crlf",
			src:  "a = 1\r\n\r\n[t]\r\nx = 1\r\n\r\n[u]\r\n",
			ops:  []edit{del("t")},
			want: "a = 1\r\n\r\n[u]\r\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, tc.src)
			for i, op := range tc.ops {
				if err := op(d); err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
			}
			got := string(d.Bytes())
			if got != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s\n(got %q)", got, tc.want, got)
			}
			checkValid(t, d.Bytes())
			if d.Changed() != (tc.src != tc.want) {
				t.Fatalf("Changed() = %v", d.Changed())
			}
		})
	}
}

func TestSetReadsBack(t *testing.T) {
	t.Parallel()
	values := map[string]any{
		"string":  "plain",
		"unicode": "名前 ✓",
		"control": "a\x00b\x7fc",
		"int":     -42,
		"uint8":   uint8(7),
		"float":   0.1,
		"bool":    false,
		"nested":  map[string]any{"a": []any{int64(1), "x", map[string]any{"k": true}}, "b.c": "dot"},
		"strs":    []string{"a", "b"},
		"ints":    []int{1, 2},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, string(readFixture(t, "codex.toml")))
			path := p("mcp_servers", "db", name)
			if err := d.Set(path, v); err != nil {
				t.Fatal(err)
			}
			want, _ := normalize(v)
			got, ok := d.Get(path...)
			if !ok || !equalValues(want, got) {
				t.Fatalf("Get = %#v, want %#v", got, want)
			}
			checkValid(t, d.Bytes())
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	src := "model = \"o3\"\n[[arr]]\nx = 1\n"
	cases := []struct {
		name string
		op   edit
		want error
	}{
		{"empty path set", set(nil, 1), ErrEmptyPath},
		{"empty path delete", del(), ErrEmptyPath},
		{"nil value", set(p("a"), nil), ErrUnsupportedValue},
		{"nil in slice", set(p("a"), []any{nil}), ErrUnsupportedValue},
		{"channel", set(p("a"), make(chan int)), ErrUnsupportedValue},
		{"int-keyed map", set(p("a"), map[int]string{1: "x"}), ErrUnsupportedValue},
		{"invalid utf-8", set(p("a"), "\xff"), ErrUnsupportedValue},
		{"uint overflow", set(p("a"), uint64(1<<63)), ErrUnsupportedValue},
		{"through a scalar", set(p("model", "x"), 1), ErrNotTable},
		{"into array of tables", set(p("arr", "x"), 1), ErrNotTable},
		{"delete through a scalar", del("model", "x"), ErrNotTable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			err := tc.op(d)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if d.Changed() || string(d.Bytes()) != src {
				t.Fatalf("failed edit changed the document:\n%s", d.Bytes())
			}
		})
	}
}

func TestSyntaxError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		src       string
		line, col int
	}{
		{"bad value", "a = 1\nb = 'é' x\n", 2, 10},
		{"duplicate key", "a = 1\na = 2\n", 2, 1},
		{"unclosed header", "[mcp_servers.x\ncommand = 1\n", 1, 15},
		{"crlf", "a = 1\r\nb = = 2\r\n", 2, 5},
		{"bom", "\ufeffa = 1\nb\n", 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != tc.line || se.Col != tc.col {
				t.Fatalf("position = %d:%d, want %d:%d (%v)", se.Line, se.Col, tc.line, tc.col, err)
			}
			if !strings.HasPrefix(err.Error(), "line ") || se.Msg == "" {
				t.Fatalf("Error() = %q", err)
			}
		})
	}
}

// TestCodexGolden runs whole-file scenarios on a realistic Codex config in
// every line-ending / BOM variant; golden files hold the LF results and are
// rewritten with -update.
func TestCodexGolden(t *testing.T) {
	t.Parallel()
	base := string(readFixture(t, "codex.toml"))
	scenarios := []struct {
		name string
		ops  []edit
	}{
		{"add-server", []edit{
			set(p("mcp_servers", "everything", "command"), "npx"),
			set(p("mcp_servers", "everything", "args"), []string{"-y", "@modelcontextprotocol/server-everything"}),
			set(p("mcp_servers", "everything", "env"), map[string]string{"PORT": "3001"}),
			set(p("mcp_servers", "everything", "enabled"), false),
		}},
		{"change-args", []edit{
			set(p("mcp_servers", "db", "args"), []string{"-y", "@acme/db-mcp@2"}),
			set(p("mcp_servers", "files", "args"), []string{"mcp-server-files", "--root", "/srv"}),
		}},
		{"change-env", []edit{
			set(p("mcp_servers", "db", "env"), map[string]string{"LOG_LEVEL": "debug", "PGHOST": "db"}),
			set(p("mcp_servers", "files", "env"), map[string]string{"FILES_LOG": "info"}),
		}},
		{"delete-server", []edit{del("mcp_servers", "db")}},
		{"delete-all-servers", []edit{del("mcp_servers")}},
		{"delete-unicode-and-dotted", []edit{del("mcp_servers", "名前"), del("mcp_servers", "my.server")}},
		{"rename-by-copy", []edit{
			set(p("mcp_servers", "my.server2", "command"), "my-server"),
			del("mcp_servers", "my.server"),
		}},
	}
	variants := []struct {
		name string
		conv func(string) string
	}{
		{"lf", func(s string) string { return s }},
		{"crlf", crlf},
		{"bom", func(s string) string { return "\ufeff" + s }},
		{"bom-crlf", func(s string) string { return "\ufeff" + crlf(s) }},
	}
	for _, sc := range scenarios {
		golden := filepath.Join("testdata", "golden", sc.name+".toml")
		if *update {
			d := mustParse(t, base)
			for _, op := range sc.ops {
				if err := op(d); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, d.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want := string(readFixture(t, filepath.Join("golden", sc.name+".toml")))
		for _, v := range variants {
			t.Run(sc.name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				d := mustParse(t, v.conv(base))
				for i, op := range sc.ops {
					if err := op(d); err != nil {
						t.Fatalf("op %d: %v", i, err)
					}
				}
				if got := string(d.Bytes()); got != v.conv(want) {
					t.Fatalf("got:\n%s\nwant:\n%s", got, v.conv(want))
				}
				checkValid(t, d.Bytes())
			})
		}
	}
}

// TestEditEveryPath sets and deletes every path of a few differently
// written documents, checking after each edit that the document parses,
// reads back the edit, and keeps every line it did not need to touch.
func TestEditEveryPath(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"codex":   string(readFixture(t, "codex.toml")),
		"dotted":  "[mcp_servers]\nx.command = \"a\"\nx.env.K = \"v\"\ny = { command = \"b\", env = { K = \"v\" } }\n\n[mcp_servers.z.env]\nQ = 1\n",
		"rootish": "mcp_servers.a.command = \"a\" # c\nmodel = 'm'\n\n[[arr]]\nx = 1\n",
	}
	values := []any{"x", map[string]any{"k": "v"}, []string{"a"}}
	for name, src := range docs {
		base := mustParse(t, src)
		var paths [][]string
		var walk func(prefix []string, v any)
		walk = func(prefix []string, v any) {
			m, ok := v.(map[string]any)
			if !ok {
				return
			}
			for k, sub := range m {
				p := concat(prefix, []string{k})
				paths = append(paths, p, concat(p, []string{"new"}))
				walk(p, sub)
			}
		}
		walk(nil, base.data)
		for _, path := range paths {
			for vi, v := range values {
				t.Run(name+"/set/"+strings.Join(path, "/")+"/"+string(rune('a'+vi)), func(t *testing.T) {
					d := mustParse(t, src)
					if err := d.Set(path, v); err != nil {
						if errors.Is(err, ErrNotTable) {
							return
						}
						t.Fatal(err)
					}
					checkValid(t, d.Bytes())
					// Replacing a table legitimately drops its lines; any
					// other Set rewrites at most the line of its key.
					if old, ok := base.Get(path...); !ok || !holdsTable(old) {
						allowed := 1
						if i, ok := base.ix.findKeyValue(path); ok {
							e := base.ix.exprs[i]
							allowed = strings.Count(src[e.lineStart:e.lineEnd], "\n")
						}
						checkKeptLines(t, src, string(d.Bytes()), allowed)
					}
				})
			}
			t.Run(name+"/delete/"+strings.Join(path, "/"), func(t *testing.T) {
				d := mustParse(t, src)
				if err := d.Delete(path...); err != nil {
					if errors.Is(err, ErrNotTable) {
						return
					}
					t.Fatal(err)
				}
				if _, ok := d.Get(path...); ok {
					t.Fatal("path still present")
				}
				checkValid(t, d.Bytes())
			})
		}
	}
}

func holdsTable(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range x {
			if holdsTable(e) {
				return true
			}
		}
	}
	return false
}

// checkKeptLines asserts that a Set removed no line of the original other
// than the ones of the value it replaced.
func checkKeptLines(t *testing.T, before, after string, allowed int) {
	t.Helper()
	have := map[string]int{}
	for _, l := range strings.SplitAfter(after, "\n") {
		have[l]++
	}
	missing := 0
	for _, l := range strings.SplitAfter(before, "\n") {
		if have[l] > 0 {
			have[l]--
			continue
		}
		missing++
	}
	if missing > max(allowed, 1) {
		t.Fatalf("%d original lines changed:\n%s", missing, after)
	}
}

// Lookup says what Get finds, without copying it.
func TestLookup(t *testing.T) {
	doc, err := Parse([]byte("model = \"o3\"\n[mcp_servers.a]\ncommand = \"x\"\n[empty]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path            []string
		exists, isTable bool
	}{
		{[]string{"mcp_servers"}, true, true},
		{[]string{"mcp_servers", "a"}, true, true},
		{[]string{"mcp_servers", "a", "command"}, true, false},
		{[]string{"empty"}, true, true},
		{[]string{"model"}, true, false},
		{[]string{"model", "x"}, false, false},
		{[]string{"missing"}, false, false},
	} {
		exists, isTable := doc.Lookup(tt.path...)
		v, got := doc.Get(tt.path...)
		_, gotTable := v.(map[string]any)
		if exists != tt.exists || isTable != tt.isTable || exists != got || isTable != gotTable {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v (Get: %v, table %v)", tt.path, exists, isTable, tt.exists, tt.isTable, got, gotTable)
		}
	}
}

// A value viewed before an edit still holds what it held after it: edits never change
// decoded values in place (codex reads its servers through View and keeps them).
func TestViewIsNotChangedByEdits(t *testing.T) {
	t.Parallel()
	d := mustParse(t, "[mcp_servers.a]\ncommand = \"x\"\nargs = [\"1\"]\n")
	v, ok := d.View("mcp_servers", "a")
	got, _ := d.Get("mcp_servers", "a")
	if !ok || !reflect.DeepEqual(v, got) {
		t.Fatalf("View = %v, %v; Get = %v", v, ok, got)
	}
	if err := d.Set([]string{"mcp_servers", "a", "command"}, "y"); err != nil {
		t.Fatal(err)
	}
	if err := d.Set([]string{"mcp_servers", "a", "args"}, []string{"2"}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddTables([]string{"mcp_servers"}, []Table{{Name: "b", Keys: []KeyValue{{"command", "z"}}}}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, got) {
		t.Fatalf("the viewed value changed with the edits: %v", v)
	}
	if now, _ := d.View("mcp_servers", "a", "command"); now != "y" {
		t.Fatalf("View after the edit = %v", now)
	}
}
