package rulefiles

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// benchFrontmatter is the frontmatter of a typical rule file, as in the sync benchmarks.
const benchFrontmatter = "description: Bench rule 0000\nalwaysApply: true\n"

// simpleFrontmatterCases are texts simpleFrontmatter must read exactly as yaml.v3 does
// (accept) or leave to yaml.v3 (!accept).
var simpleFrontmatterCases = []struct {
	in     string
	accept bool
}{
	// The common shapes.
	{benchFrontmatter, true},
	{"description: Bench rule 0000\nalwaysApply: false\n", true},
	{"a: b", true},
	{"a: b\n", true},
	{"alwaysApply: true", true},
	{"description: Use the helpers in src/lib for dates, (not) moment.js - see docs/x.md\n", true},
	// Keys with digits, underscores and hyphens; keys YAML 1.1 read as bools are strings.
	{"key1: v\nmy_key: v\nmy-key: v\nK-_9: v\nx-: v\nab__: v\n", true},
	{"yes: no\non: off\ny: n\nN: Y\nNo: Off\n", true},
	{"nullable: x\ntruex: y\nFalsey: z\n", true},
	// Values YAML 1.1 read as bools, and near-misses of the special words, are strings.
	{"a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\n", true},
	{"a: truex\nb: nullable\nc: Trueish\nd: NULLx\ne: true false\nf: null value\n", true},
	// Quoted values.
	{"key: 'x'", true},
	{"key: \"x\"", true},
	{"a: ''\nb: \"\"\n", true},
	{"a: ' x #y: z '\nb: \" x #y: z \"\n", true},
	{"a: '1.5'\nb: \"2024-01-01\"\nc: 'null'\nd: \"true\"\ne: '*.ts'\nf: \"[a]\"\n", true},
	{"a: 'C:\\dir\\x'\nb: 'say \"hi\"'\nc: \"don't\"\n", true},
	{"globs: \"src/**/*.{ts,tsx}\"\n", true},
	// Empty values are null, whatever spaces follow the ':'.
	{"key:", true},
	{"key:\n", true},
	{"key: ", true},
	{"a:\nb: c\n", true},
	{"a: \nb: c\n", true},
	{"a:    \nb: c\nd:", true},
	{"description:\nglobs:\nalwaysApply: false\n", true},
	// Blank lines, and spaces around values.
	{"\n\na: b\n\n\nc: d\n\n", true},
	{"  \n \na: b\n   \nc: d\n  ", true},
	{"a:\n  \nb: c\n", true},
	{"a: b \nc: d  \n", true},
	{"a: 'x' \nb: \"y\"   \nc: true  \nd: false ", true},
	{"a:    b\nc:  'x'\nd:   \"y\"\ne:  true\n", true},
	{"a: b  c\nd: e   f   g\n", true},
	// Plain values with the characters that only matter at the start of a value or before
	// a space (or only in flow context).
	{"a: don't say \"hi\"\n", true},
	{"a: x [b] {c} d, e\n", true},
	{"a: x & y * z ! w | v > u\n", true},
	{"a: x -- y --- z ... w - v ? u % t @s `r` ~q\n", true},
	{"a: x\\y\\\\z\n", true},
	{"a: x<<y\nb: x=y+z;w^v$u\n", true},
	{"a: x-\nb: x- y\nc: x?\n", true},
	// Sizes.
	{"a: " + strings.Repeat("word ", 500) + "end\n", true},
	{strings.Repeat("k", maxSimpleKey) + ": v\n", true},
	{manyKeys(maxSimpleEntries), true},

	// Empty: parseYAML's slow path returns nil for it.
	{"", false},
	{"\n\n", false},
	{"   \n  ", false},
	// Values that are not strings.
	{"key: null", false},
	{"key: Null", false},
	{"key: NULL", false},
	{"key: ~", false},
	{"key: True", false},
	{"key: TRUE", false},
	{"key: False", false},
	{"key: FALSE", false},
	{"key: 1.5", false},
	{"key: 12", false},
	{"key: -1", false},
	{"key: +1", false},
	{"key: .5", false},
	{"key: .inf", false},
	{"key: 0x1F", false},
	{"key: 2024-01-01", false},
	{"key: 1st", false},
	// Indicators, comments and YAML constructs.
	{"key: a: b", false},
	{"key: a:b", false},
	{"key: http://x", false},
	{"key: a:", false},
	{"key: a #c", false},
	{"key: a#c", false},
	{"key: #c", false},
	{"key: # c\n", false},
	{"# c\nkey: v\n", false},
	{"key: *alias", false},
	{"key: &a x", false},
	{"a: &x y\nb: *x\n", false},
	{"key: !!str x", false},
	{"key: !x y", false},
	{"key: [a]", false},
	{"key: {a: 1}", false},
	{"{a: 1}", false},
	{"key: |\n  x\n", false},
	{"key: >\n  x\n", false},
	{"key: -x", false},
	{"key: - x", false},
	{"key: .x", false},
	{"key: @x", false},
	{"key: `x`", false},
	{"key: %x", false},
	{"key: <<", false},
	{"<<: {a: b}\n", false},
	{"? a\n: b\n", false},
	{"- a\n", false},
	{"- a\n- b\n", false},
	{"---\na: b\n", false},
	{"a: b\n---\nc: d\n", false},
	{"a: b\n...\n", false},
	{"%YAML 1.2\n---\na: b\n", false},
	// Quoted values with quotes, escapes or text around them.
	{"key: 'x''y'", false},
	{"key: 'x", false},
	{"key: x'", true},
	{"key: '", false},
	{"key: \"", false},
	{"key: \"x", false},
	{"key: \"x\\ny\"", false},
	{"key: \"x\\\"y\"", false},
	{"key: \"a\"b\"", false},
	{"key: 'a' b", false},
	{"key: 'a' 'b'", false},
	{"key: \"x\" #c", false},
	{"key: 'x' # c", false},
	{"key: 'a\n  b'\n", false},
	// Layout.
	{"  key: v\n", false},
	{" a: b\n c: d\n", false},
	{"a: b\n  c: d\n", false},
	{"key: v\n  more\n", false},
	{"key: v\nmore text\n", false},
	{"key: v\nmore\n", false},
	{"key:\n  - a\n", false},
	{"key:\n  a: b\n", false},
	{"key : v", false},
	{"key:value", false},
	{"key:'x'", false},
	{"key", false},
	{"key\n", false},
	{": v", false},
	// Line breaks, tabs, control bytes and non-ASCII text.
	{"a: b\r\nc: d\r\n", false},
	{"a: b\rc: d\r", false},
	{"a: b\r", false},
	{"a:\tb", false},
	{"a: b\t", false},
	{"a: \tb", false},
	{"\ta: b", false},
	{"a: b\n\t\nc: d\n", false},
	{"a: b\x00", false},
	{"a: b\x7f", false},
	{"a: b\x1b[0m", false},
	{"a: café", false},
	{"clé: v", false},
	{"\ufeffa: b", false},
	{"a: b\u0085c: d", false},
	{"a: b\u2028c: d", false},
	{"a: \xff", false},
	// Keys.
	{"a: b\na: c\n", false},
	{"a: b\nc: d\na: e\n", false},
	{"true: x", false},
	{"True: x", false},
	{"FALSE: x", false},
	{"null: x", false},
	{"Null: x", false},
	{"~: x", false},
	{"1a: b", false},
	{"12: b", false},
	{"_a: b", false},
	{"-a: b", false},
	{"a.b: c", false},
	{"a b: c", false},
	{"'a': b", false},
	{"\"a\": b", false},
	{strings.Repeat("k", maxSimpleKey+1) + ": v\n", false},
	{strings.Repeat("k", 1100) + ": v\n", false},
	{manyKeys(maxSimpleEntries + 1), false},
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "key%d: value %d\n", i, i)
	}
	return b.String()
}

// dumpNode prints a node tree field by field, for failure messages.
func dumpNode(n *yaml.Node) string {
	if n == nil {
		return "<nil>"
	}
	var b strings.Builder
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		c := *n
		c.Content = nil
		fmt.Fprintf(&b, "%s%#v\n", strings.Repeat("  ", depth), c)
		for _, k := range n.Content {
			walk(k, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// checkSameAsYAML fails unless yaml.v3 reads in without error and builds the tree got.
func checkSameAsYAML(t *testing.T, in string, got *yaml.Node) {
	t.Helper()
	want, err := parseYAMLSlow(in)
	if err != nil {
		t.Fatalf("fast path accepted %q, which yaml.v3 rejects: %v", in, err.msg)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path and yaml.v3 disagree on %q\n--- fast ---\n%s--- yaml.v3 ---\n%s", in, dumpNode(got), dumpNode(want))
	}
	if viaParse, err := parseYAML(in); err != nil || !reflect.DeepEqual(viaParse, want) {
		t.Fatalf("parseYAML(%q) differs from yaml.v3 (err %v)", in, err)
	}
}

func TestSimpleFrontmatter(t *testing.T) {
	for _, tc := range simpleFrontmatterCases {
		got, ok := simpleFrontmatter(tc.in)
		if ok != tc.accept {
			t.Errorf("simpleFrontmatter(%q) accepted = %v, want %v", tc.in, ok, tc.accept)
			continue
		}
		if !ok {
			if got != nil {
				t.Errorf("simpleFrontmatter(%q) declined but returned a node", tc.in)
			}
			continue
		}
		t.Run("", func(t *testing.T) { checkSameAsYAML(t, tc.in, got) })
	}
}

// TestSimpleFrontmatterKinds pins what yaml.v3 builds for the shapes the fast path
// produces, so that a change in both (a yaml.v3 upgrade) is noticed.
func TestSimpleFrontmatterKinds(t *testing.T) {
	root, ok := simpleFrontmatter("\na: b\nc: true\nd:\ne: 'x'\nf:  \"y\" \n")
	if !ok {
		t.Fatal("declined")
	}
	type want struct {
		tag, value string
		style      yaml.Style
		line, col  int
	}
	wants := []want{
		{"!!str", "a", 0, 2, 1}, {"!!str", "b", 0, 2, 4},
		{"!!str", "c", 0, 3, 1}, {"!!bool", "true", 0, 3, 4},
		{"!!str", "d", 0, 4, 1}, {"!!null", "", 0, 4, 3},
		{"!!str", "e", 0, 5, 1}, {"!!str", "x", yaml.SingleQuotedStyle, 5, 4},
		{"!!str", "f", 0, 6, 1}, {"!!str", "y", yaml.DoubleQuotedStyle, 6, 5},
	}
	if root.Kind != yaml.MappingNode || root.Tag != "!!map" || root.Line != 2 || root.Column != 1 || len(root.Content) != len(wants) {
		t.Fatalf("mapping:\n%s", dumpNode(root))
	}
	for i, w := range wants {
		n := root.Content[i]
		if n.Kind != yaml.ScalarNode || n.Tag != w.tag || n.Value != w.value || n.Style != w.style || n.Line != w.line || n.Column != w.col {
			t.Errorf("node %d: got\n%swant %+v", i, dumpNode(n), w)
		}
	}
	checkSameAsYAML(t, "\na: b\nc: true\nd:\ne: 'x'\nf:  \"y\" \n", root)
}

// TestSimpleFrontmatterRandom builds many frontmatters from fragments that sit on both sides
// of the subset's edges and checks every one the fast path accepts against yaml.v3.
func TestSimpleFrontmatterRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// pick mostly takes from good (inside the subset), sometimes from bad (just outside).
	pick := func(good, bad []string) string {
		if len(bad) > 0 && rng.Intn(12) == 0 {
			return bad[rng.Intn(len(bad))]
		}
		return good[rng.Intn(len(good))]
	}
	var (
		keys     = []string{"a", "description", "alwaysApply", "globs", "k1", "my_key", "my-key", "x-", "yes", "on", "y", "Nope"}
		badKeys  = []string{"true", "Null", "_a", "1a", "a.b", "a b", "é", "~", "<<", " a", "'a'"}
		seps     = []string{":", ": ", ": ", ": ", ":  ", ":   "}
		badSeps  = []string{":\t", " :", "", "::", ":'"}
		firsts   = []string{"a", "Z", "t", "n", "f", "N", "'", `"`}
		badFirst = []string{"1", "-", ".", "*", "&", "!", "[", "{", "|", ">", "#", "@", "`", "~", " ", "%", "?", "\t"}
		chars    = []string{"a", "Z", "0", "9", " ", "  ", "_", "-", ".", ",", "/", "(", ")", "'", `"`, "*", "&", "!", "|", ">", "[", "]", "{", "}", "?", "%", "@", "`", "\\", "~", "<", "=", "+", ";", "#"}
		badChars = []string{":", "#", " #", ": ", "\t", "é", "\x00", "''"}
		words    = []string{"true", "false", "True", "FALSE", "null", "NULL", "yes", "off", "1.5", "2024-01-01", "0x1F", ".inf", ""}
		tails    = []string{"", "", "", " ", "  "}
		badTails = []string{"\t", " #c", "#c", "'", `"`, ":", ": x"}
		blanks   = []string{"", " ", "   "}
		badLines = []string{"\t", "- a", "  a: b", "---", "...", "# c", "  more", "more"}
		breaks   = []string{"\n"}
		badBreak = []string{"\r\n", "\r", "\u0085", "\u2028"}
	)
	value := func() string {
		if rng.Intn(4) == 0 {
			return pick(words, nil)
		}
		first := pick(firsts, badFirst)
		var b strings.Builder
		b.WriteString(first)
		for n := rng.Intn(12); n > 0; n-- {
			b.WriteString(pick(chars, badChars))
		}
		if (first == "'" || first == `"`) && rng.Intn(8) != 0 {
			b.WriteString(first)
		}
		return b.String()
	}
	accepted := 0
	const rounds = 50000
	for i := 0; i < rounds; i++ {
		var b strings.Builder
		for n := 1 + rng.Intn(5); n > 0; n-- {
			if rng.Intn(6) == 0 {
				b.WriteString(pick(blanks, badLines))
			} else {
				b.WriteString(pick(keys, badKeys) + pick(seps, badSeps) + value() + pick(tails, badTails))
			}
			if n > 1 || rng.Intn(2) == 0 {
				b.WriteString(pick(breaks, badBreak))
			}
		}
		in := b.String()
		if got, ok := simpleFrontmatter(in); ok {
			accepted++
			checkSameAsYAML(t, in, got)
		}
	}
	if accepted < rounds/20 {
		t.Fatalf("only %d of %d random frontmatters took the fast path: the generator no longer reaches it", accepted, rounds)
	}
	t.Logf("%d of %d random frontmatters took the fast path", accepted, rounds)
}

// FuzzSimpleFrontmatter checks that whatever the fast path accepts, yaml.v3 accepts too and
// reads as the same tree.
func FuzzSimpleFrontmatter(f *testing.F) {
	for _, tc := range simpleFrontmatterCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := simpleFrontmatter(in)
		if !ok {
			if got != nil {
				t.Fatalf("declined %q but returned a node", in)
			}
			return
		}
		checkSameAsYAML(t, in, got)
	})
}

// BenchmarkParseFrontmatter compares the fast path (parseYAML) with yaml.v3 (parseYAMLSlow)
// on the frontmatter of a typical rule file.
func BenchmarkParseFrontmatter(b *testing.B) {
	for _, bc := range []struct {
		name  string
		parse func(string) (*yaml.Node, *yamlError)
	}{{"fast", parseYAML}, {"slow", parseYAMLSlow}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n, err := bc.parse(benchFrontmatter); err != nil || n == nil || len(n.Content) != 4 {
					b.Fatal("bad parse")
				}
			}
		})
	}
}
