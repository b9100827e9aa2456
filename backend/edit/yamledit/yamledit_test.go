package yamledit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

func mustBytes(t *testing.T, d *Doc) string {
	t.Helper()
	b, err := d.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return string(b)
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// server is how an adapter would write a Continue server: a struct keeps
// the field order, where a map would come out sorted.
type server struct {
	Name    string            `yaml:"name"`
	Command string            `yaml:"command,omitempty"`
	Args    []string          `yaml:"args,omitempty"`
	Env     map[string]string `yaml:"env,omitempty"`
}

type extension struct {
	Enabled bool     `yaml:"enabled"`
	Type    string   `yaml:"type"`
	Name    string   `yaml:"name"`
	Cmd     string   `yaml:"cmd"`
	Args    []string `yaml:"args"`
	Timeout int      `yaml:"timeout"`
}

func TestUntouchedRoundTrip(t *testing.T) {
	t.Parallel()
	cont, goose := readFixture(t, "continue.yaml"), readFixture(t, "goose.yaml")
	cases := map[string]string{
		"empty":            "",
		"comment only":     "# nothing\n",
		"continue":         cont,
		"continue crlf":    crlf(cont),
		"continue bom":     "\ufeff" + cont,
		"goose":            goose,
		"goose bom crlf":   "\ufeff" + crlf(goose),
		"no final newline": "a: 1",
		"multi document":   "a: 1\n---\nb: 2\n",
		"odd formatting":   "a:    1\nb:\n    - x\n    -   y\nc: {  d: 1  }\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			if got := mustBytes(t, d); got != src {
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
	src := crlf(readFixture(t, "continue.yaml"))
	cases := []struct {
		name  string
		path  []any
		value any
	}{
		{"scalar", []any{"name"}, "my-assistant"},
		{"number as string stays", []any{"version"}, "0.0.1"},
		{"flow sequence", []any{"mcpServers", 1, "args"}, []string{"-y", "@acme/db-mcp"}},
		{"flow mapping", []any{"mcpServers", 1, "env"}, map[string]string{"PGPASSWORD": "${{ secrets.PGPASSWORD }}"}},
		{"whole item", []any{"mcpServers", 0, "requestOptions"}, map[string]any{"headers": map[string]any{"Authorization": "Bearer ${{ secrets.GITHUB_TOKEN }}"}}},
		{"int", []any{"mcpServers", 1, "connectionTimeout"}, 20000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			if err := d.Set(tc.path, tc.value); err != nil {
				t.Fatal(err)
			}
			if got := mustBytes(t, d); d.Changed() || got != src {
				t.Fatalf("document changed:\n%s", got)
			}
		})
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	d := mustParse(t, readFixture(t, "continue.yaml")+"anchors:\n  base: &b {x: 1}\n  use: *b\n")
	cases := []struct {
		name string
		path []any
		want string // the node's scalar value, or its kind for collections
		ok   bool
	}{
		{"top-level key", []any{"name"}, "my-assistant", true},
		{"sequence item field", []any{"mcpServers", 1, "name"}, "db", true},
		{"nested", []any{"mcpServers", 0, "requestOptions", "headers", "Authorization"}, "Bearer ${{ secrets.GITHUB_TOKEN }}", true},
		{"collection", []any{"mcpServers"}, "sequence", true},
		{"through alias", []any{"anchors", "use", "x"}, "1", true},
		{"missing key", []any{"nope"}, "", false},
		{"index out of range", []any{"mcpServers", 9}, "", false},
		{"negative index", []any{"mcpServers", -1}, "", false},
		{"key on sequence", []any{"mcpServers", "name"}, "", false},
		{"index on mapping", []any{0}, "", false},
		{"bad element type", []any{1.5}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, ok := d.Get(tc.path...)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			got := n.Value
			if n.Kind != yaml.ScalarNode {
				got = kindName(n)
			}
			if got != tc.want {
				t.Fatalf("Get = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("empty document", func(t *testing.T) {
		t.Parallel()
		if _, ok := mustParse(t, "").Get("a"); ok {
			t.Fatal("found a key in an empty document")
		}
	})
}

type edit func(*Doc) error

func set(path []any, v any) edit      { return func(d *Doc) error { return d.Set(path, v) } }
func del(path ...any) edit            { return func(d *Doc) error { return d.Delete(path...) } }
func appendTo(path []any, v any) edit { return func(d *Doc) error { return d.Append(path, v) } }
func p(s ...any) []any                { return s }

func TestEdits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		ops  []edit
		want string
	}{
		{
			name: "replace scalar keeps line comment and neighbours",
			src:  "a:   1   # one\n\nb: 2\n",
			ops:  []edit{set(p("a"), 5)},
			want: "a: 5 # one\n\nb: 2\n",
		},
		{
			name: "quoted style is kept",
			src:  "a: 'x'\nb: \"y\"\n",
			ops:  []edit{set(p("a"), "z"), set(p("b"), "@w")},
			want: "a: 'z'\nb: \"@w\"\n",
		},
		{
			name: "literal block stays literal for multi-line text",
			src:  "body: |\n  one\n  two\nz: 1\n",
			ops:  []edit{set(p("body"), "three\nfour\n")},
			want: "body: |\n  three\n  four\nz: 1\n",
		},
		{
			name: "flow style is kept",
			src:  "args: [a, b]\nenv: {A: \"1\"}\n",
			ops:  []edit{set(p("args"), []string{"a", "c", "d"}), set(p("env", "B"), "2")},
			want: "args: [a, c, d]\nenv: {A: \"1\", B: \"2\"}\n",
		},
		{
			name: "line comment of a scalar replaced by a mapping moves to the key",
			src:  "name: github # hosted\nz: 1\n",
			ops:  []edit{set(p("name"), map[string]string{"k": "v"})},
			want: "name: # hosted\n  k: v\nz: 1\n",
		},
		{
			name: "line comment of an item replaced by a mapping moves to its first value",
			src:  "l:\n  - a # c\n",
			ops:  []edit{set(p("l", 0), map[string]string{"k": "v"})},
			want: "l:\n  - k: v # c\n",
		},
		{
			name: "add key at end of mapping",
			src:  "# top\nouter:\n  a: 1 # c\n\nlast: x\n",
			ops:  []edit{set(p("outer", "b"), 2)},
			want: "# top\nouter:\n  a: 1 # c\n  b: 2\n\nlast: x\n",
		},
		{
			name: "add nested path creates mappings",
			src:  "a: 1\n",
			ops:  []edit{set(p("x", "y", "z"), true)},
			want: "a: 1\nx:\n  y:\n    z: true\n",
		},
		{
			name: "null value becomes a mapping",
			src:  "extensions:\nother: 1\n",
			ops:  []edit{set(p("extensions", "db", "enabled"), true)},
			want: "extensions:\n  db:\n    enabled: true\nother: 1\n",
		},
		{
			name: "empty document",
			src:  "",
			ops:  []edit{set(p("mcpServers"), []server{{Name: "db", Command: "npx"}})},
			want: "mcpServers:\n  - name: db\n    command: npx\n",
		},
		{
			name: "comment-only file keeps its comments",
			src:  "# Goose config\n\n",
			ops:  []edit{set(p("GOOSE_MODE"), "auto")},
			want: "# Goose config\n\nGOOSE_MODE: auto\n",
		},
		{
			name: "append creates a sequence",
			src:  "name: x\n",
			ops:  []edit{appendTo(p("mcpServers"), server{Name: "a", Command: "b"}), appendTo(p("mcpServers"), server{Name: "c", Command: "d"})},
			want: "name: x\nmcpServers:\n  - name: a\n    command: b\n  - name: c\n    command: d\n",
		},
		{
			name: "append to compact sequence keeps its column",
			src:  "list:\n- a\n- b\nz: 1\n",
			ops:  []edit{appendTo(p("list"), "c")},
			want: "list:\n- a\n- b\n- c\nz: 1\n",
		},
		{
			name: "append to root sequence",
			src:  "- a # first\n",
			ops:  []edit{appendTo(nil, "b")},
			want: "- a # first\n- b\n",
		},
		{
			name: "delete mapping entry with its head comment",
			src:  "a: 1\n# about b\nb:\n  c: 2\nd: 3\n",
			ops:  []edit{del("b")},
			want: "a: 1\nd: 3\n",
		},
		{
			name: "delete sequence item",
			src:  "l:\n  - a\n  # about b\n  - b\n  - c\n",
			ops:  []edit{del("l", 1)},
			want: "l:\n  - a\n  - c\n",
		},
		{
			name: "delete missing is a no-op",
			src:  "a: 1\n",
			ops:  []edit{del("b"), del("b", "c")},
			want: "a: 1\n",
		},
		{
			name: "delete out of range index is a no-op",
			src:  "l: [a]\n",
			ops:  []edit{del("l", 3)},
			want: "l: [a]\n",
		},
		{
			name: "four-space indentation is detected",
			src:  "outer:\n    a: 1\n",
			ops:  []edit{set(p("outer", "b"), map[string]int{"c": 1})},
			want: "outer:\n    a: 1\n    b:\n        c: 1\n",
		},
		{
			name: "replaced anchor keeps its name",
			src:  "base: &b {x: 1}\nuse: *b\n",
			ops:  []edit{set(p("base"), map[string]int{"x": 2})},
			want: "base: &b {x: 2}\nuse: *b\n",
		},
		{
			name: "item with dash on its own line is re-encoded whole",
			src:  "l:\n  -\n    a: 1\n    b: 2\n",
			ops:  []edit{set(p("l", 0, "b"), 3)},
			want: "l:\n  - a: 1\n    b: 3\n",
		},
		{
			name: "first key of an item changes",
			src:  "l:\n  - name: a # n\n    x: 1\n  - name: b\n",
			ops:  []edit{set(p("l", 0, "name"), "z"), del("l", 1, "name"), set(p("l", 1, "y"), 2)},
			want: "l:\n  - name: z # n\n    x: 1\n  - y: 2\n",
		},
		{
			name: "first key of an item removed",
			src:  "l:\n  - name: a\n    x: 1 # keep\n    y: 2\n",
			ops:  []edit{del("l", 0, "name")},
			want: "l:\n  - x: 1 # keep\n    y: 2\n",
		},
		{
			name: "crlf and bom are kept",
			src:  "\ufeffa: 1\r\nb:\r\n  c: 2\r\n",
			ops:  []edit{set(p("b", "d"), 3)},
			want: "\ufeffa: 1\r\nb:\r\n  c: 2\r\n  d: 3\r\n",
		},
		{
			name: "no final newline is kept",
			src:  "a: 1\nb: 2",
			ops:  []edit{set(p("a"), 3)},
			want: "a: 3\nb: 2",
		},
		{
			name: "documented: a re-encoded flow entry loses inner spaces, the rest stays",
			src:  "servers:\n  db:\n    env: { A: \"1\" }\n\n    args:\n    - x\n    - y   # why\nother: { k: v }\n",
			ops:  []edit{set(p("servers", "db", "env", "B"), "2")},
			want: "servers:\n  db:\n    env: {A: \"1\", B: \"2\"}\n\n    args:\n    - x\n    - y   # why\nother: { k: v }\n",
		},
		{
			name: "documented: a full re-encode normalises the whole file",
			src:  "a:\n- x\n\n- y   # c\nb: { k: v }\n---\nc: 1\n",
			ops:  []edit{set(p("b", "k"), "w")},
			want: "a:\n  - x\n  - y # c\nb: {k: w}\n---\nc: 1\n",
		},
		{
			name: "multi-document file is re-encoded",
			src:  "a:    1\n---\nb: 2\n",
			ops:  []edit{set(p("a"), 3)},
			want: "a: 3\n---\nb: 2\n",
		},
		{
			name: "flow root is re-encoded",
			src:  "{a: 1}\n",
			ops:  []edit{set(p("b"), 2)},
			want: "{a: 1, b: 2}\n",
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
			got := mustBytes(t, d)
			if got != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s\n(got %q)", got, tc.want, got)
			}
			if _, err := Parse([]byte(got)); err != nil {
				t.Fatalf("output does not parse: %v", err)
			}
		})
	}
}

func TestSetReplacesItemKeepingComments(t *testing.T) {
	t.Parallel()
	d := mustParse(t, readFixture(t, "continue.yaml"))
	err := d.Set(p("mcpServers", 1), server{Name: "db", Command: "uvx", Args: []string{"db-mcp"}})
	if err != nil {
		t.Fatal(err)
	}
	got := mustBytes(t, d)
	for _, want := range []string{"# Database tools.\n  - name: db\n    command: uvx\n", "  - name: github    # hosted\n", "# end of file\n", "Always answer in English.   # the team's language"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "PGPASSWORD") || strings.Contains(got, "connectionTimeout") {
		t.Errorf("fields missing from the new value were kept:\n%s", got)
	}
}

func TestChangeThroughGetIsSeen(t *testing.T) {
	t.Parallel()
	d := mustParse(t, "a: 1 # c\nb: 2\n")
	n, _ := d.Get("a")
	n.Value = "3"
	if !d.Changed() {
		t.Fatal("Changed() = false after editing a node from Get")
	}
	if got, want := mustBytes(t, d), "a: 3 # c\nb: 2\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	src := "name: x\nlist: [a]\nbase: &b {x: 1}\nuse: *b\n"
	cases := []struct {
		name string
		op   edit
		want error
	}{
		{"empty path set", set(nil, 1), ErrEmptyPath},
		{"empty path delete", del(), ErrEmptyPath},
		{"index on mapping", set(p(0), 1), ErrBadPath},
		{"key on sequence", set(p("list", "k"), 1), ErrBadPath},
		{"through a scalar", set(p("name", "k"), 1), ErrBadPath},
		{"delete through a scalar", del("name", "k"), ErrBadPath},
		{"float element", set(p(1.5), 1), ErrBadPath},
		{"create by index", set(p("new", 0), 1), ErrBadPath},
		{"index out of range", set(p("list", 5), 1), ErrIndex},
		{"append to scalar", appendTo(p("name"), 1), ErrNotSequence},
		{"through alias", set(p("use", "x"), 2), ErrAlias},
		{"unencodable", set(p("a"), make(chan int)), ErrUnsupportedValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := mustParse(t, src)
			err := tc.op(d)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got := mustBytes(t, d); d.Changed() || got != src {
				t.Fatalf("failed edit changed the document:\n%s", got)
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
		{"unclosed flow", "a: 1\nb: [\n", 2, 0},
		{"bad indentation", "a:\n  - b\n c: d\n", 2, 0},
		{"first line", "a: b: c\n", 1, 0},
		{"control character", "a: 1\nb: x\x01y\n", 2, 5},
		{"invalid utf-8", "a: 1\n\xffb: 2\n", 2, 1},
		{"tab indentation", "a:\n\tb: 1\n", 2, 0},
		{"duplicate key", "mcpServers:\n  - name: a\nmcpServers: []\n", 3, 0},
		{"bad tagged value", "a: 1\nb: !!int x\n", 2, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != tc.line || se.Col != tc.col || se.Msg == "" {
				t.Fatalf("got %d:%d %q, want %d:%d", se.Line, se.Col, se.Msg, tc.line, tc.col)
			}
		})
	}
}

// TestGolden runs whole-file scenarios on realistic Continue and Goose
// configs in every line-ending / BOM variant. Golden files hold the LF
// results and are rewritten with -update; each is also checked to differ
// from its input only around the edited entries.
func TestGolden(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		fixture string
		ops     []edit
	}{
		{"continue-add-server", "continue.yaml", []edit{
			appendTo(p("mcpServers"), server{Name: "files", Command: "uvx", Args: []string{"mcp-server-files", "--root", "/srv"}}),
		}},
		{"continue-change-args", "continue.yaml", []edit{
			set(p("mcpServers", 1, "args"), []string{"-y", "@acme/db-mcp@2"}),
			set(p("mcpServers", 1, "env", "PGUSER"), "app"),
		}},
		{"continue-replace-server", "continue.yaml", []edit{
			set(p("mcpServers", 0), map[string]any{"name": "github", "type": "streamable-http", "url": "https://example.test/mcp"}),
		}},
		{"continue-delete-server", "continue.yaml", []edit{del("mcpServers", 0)}},
		{"goose-add-extension", "goose.yaml", []edit{
			set(p("extensions", "files"), extension{Enabled: true, Type: "stdio", Name: "files", Cmd: "uvx", Args: []string{"mcp-server-files"}, Timeout: 300}),
		}},
		{"goose-toggle-and-edit", "goose.yaml", []edit{
			set(p("extensions", "db", "enabled"), true),
			set(p("extensions", "db", "available_tools"), []string{"query", "schema"}),
			set(p("extensions", "github", "headers", "Authorization"), "Bearer yyy"),
		}},
		{"goose-delete-extension", "goose.yaml", []edit{del("extensions", "github")}},
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
		base := readFixture(t, sc.fixture)
		golden := filepath.Join("testdata", "golden", sc.name+".yaml")
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
			if err := os.WriteFile(golden, []byte(mustBytes(t, d)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want := readFixture(t, filepath.Join("golden", sc.name+".yaml"))
		for _, v := range variants {
			t.Run(sc.name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				d := mustParse(t, v.conv(base))
				for i, op := range sc.ops {
					if err := op(d); err != nil {
						t.Fatalf("op %d: %v", i, err)
					}
				}
				if _, ok := d.splice(); !ok {
					t.Error("fell back to re-encoding the whole file")
				}
				if got := mustBytes(t, d); got != v.conv(want) {
					t.Fatalf("got:\n%s\nwant:\n%s", got, v.conv(want))
				}
			})
		}
	}
}

// TestCommentsSurviveEdits checks, over many edits, that no comment of the
// original file is lost unless its entry was deleted.
func TestCommentsSurviveEdits(t *testing.T) {
	t.Parallel()
	src := readFixture(t, "continue.yaml")
	d := mustParse(t, src)
	ops := []edit{
		set(p("models", 0, "roles"), []string{"chat"}),
		set(p("mcpServers", 0, "url"), "https://example.test/"),
		appendTo(p("rules"), "Be brief."),
		set(p("schema"), "v2"),
	}
	for _, op := range ops {
		if err := op(d); err != nil {
			t.Fatal(err)
		}
	}
	out := mustBytes(t, d)
	orig, _ := Parse([]byte(src))
	edited, err := Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := comments(edited.docs[0]), comments(orig.docs[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("comments = %q, want %q\n%s", got, want, out)
	}
	// Lines of entries that were not edited stay byte-identical.
	for _, line := range []string{"# Continue assistant config (hand-written).\n", "    env: { PGPASSWORD: \"${{ secrets.PGPASSWORD }}\" }\n", "  - name: github    # hosted\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("lost line %q", line)
		}
	}
	if bytes.Count([]byte(out), []byte("\n\n")) != bytes.Count([]byte(src), []byte("\n\n")) {
		t.Errorf("blank lines changed:\n%s", out)
	}
}

// TestEditEveryPath sets and deletes every path of the realistic fixtures
// and checks that each result reads back and was produced by splicing, not
// by re-encoding the whole file.
func TestEditEveryPath(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"continue.yaml", "goose.yaml"} {
		src := readFixture(t, fixture)
		base := mustParse(t, src)
		var paths [][]any
		var walk func(prefix []any, n *yaml.Node)
		walk = func(prefix []any, n *yaml.Node) {
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					path := append(append([]any{}, prefix...), n.Content[i].Value)
					paths = append(paths, path)
					walk(path, n.Content[i+1])
				}
			case yaml.SequenceNode:
				for i, c := range n.Content {
					path := append(append([]any{}, prefix...), i)
					paths = append(paths, path)
					walk(path, c)
				}
			}
		}
		walk(nil, base.root())
		for _, path := range paths {
			for _, v := range []any{"x", map[string]any{"k": "v"}} {
				t.Run(fixture+"/set"+pathString(path), func(t *testing.T) {
					d := mustParse(t, src)
					if err := d.Set(path, v); err != nil {
						t.Fatal(err)
					}
					checkSplicedReadsBack(t, d, path, v)
				})
			}
			t.Run(fixture+"/delete"+pathString(path), func(t *testing.T) {
				d := mustParse(t, src)
				if err := d.Delete(path...); err != nil {
					t.Fatal(err)
				}
				checkSplicedReadsBack(t, d, nil, nil)
			})
		}
	}
}

func checkSplicedReadsBack(t *testing.T, d *Doc, path []any, v any) {
	t.Helper()
	if _, ok := d.splice(); !ok {
		t.Error("fell back to re-encoding the whole file")
	}
	out := mustBytes(t, d)
	d2, err := Parse([]byte(out))
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if path == nil {
		return
	}
	got, ok := d2.Get(path...)
	want, _ := toNode(v)
	if !ok || !equalNodes(got, want) {
		t.Fatalf("Get = %v, want %v\n%s", got, want, out)
	}
}
