package rulefiles

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// threeRules covers every activation and the escapes a user is likely to type.
var threeRules = map[string]unified.Rule{
	"go-style": rule(glob, `Go "house" style`, []string{"**/*.go", "cmd/**/*.{go,mod}"}, "Wrap errors with %w.\n\nName receivers with one letter."),
	"commits":  rule(always, "", nil, "Write commit subjects in the imperative mood."),
	"release":  rule(manual, "", nil, "1. Bump the version.\n2. Tag it."),
	"db-tips":  rule(agent, "Read when touching SQL", nil, "Use keyset pagination."),
}

func TestDecodeBlocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		want  map[string]unified.Rule
		warns []string
	}{
		{name: "no region", in: "# Project\n\nJust text.\n", want: map[string]unified.Rule{}},
		{name: "empty file", in: "", want: map[string]unified.Rule{}},
		{name: "empty region", in: "x\n\n" + regionBegin + "\n" + regionEnd + "\n", want: map[string]unified.Rule{}},
		{
			name: "every activation",
			in: "intro\n\n<!-- aisync:begin -->\n" +
				"<!-- aisync:rule name=\"a\" activation=\"always\" -->\nA\n<!-- aisync:end-rule -->\n" +
				"<!-- aisync:rule name=\"g\" activation=\"glob\" globs=\"src/**/*.ts, *.tsx\" -->\nG\n<!-- aisync:end-rule -->\n" +
				"<!-- aisync:rule name=\"d\" activation=\"agent\" description=\"when SQL\" -->\nD\n<!-- aisync:end-rule -->\n" +
				"<!-- aisync:rule name=\"m\" activation=\"manual\" -->\nM\n<!-- aisync:end-rule -->\n" +
				"<!-- aisync:end -->\noutro\n",
			want: map[string]unified.Rule{
				"a": rule(always, "", nil, "A"),
				"g": rule(glob, "", []string{"src/**/*.ts", "*.tsx"}, "G"),
				"d": rule(agent, "when SQL", nil, "D"),
				"m": rule(manual, "", nil, "M"),
			},
		},
		{
			name: "activation defaults to always and blank lines between rules are fine",
			in:   "<!-- aisync:begin -->\n\n<!-- aisync:rule name=\"x\" -->\n\n\nbody\n\n<!-- aisync:end-rule -->\n\n<!-- aisync:end -->",
			want: map[string]unified.Rule{"x": rule(always, "", nil, "body")},
		},
		{
			name: "escaped attributes",
			in: "<!-- aisync:begin -->\n<!-- aisync:rule name=\"a &quot;b&quot; &lt;c&gt; &amp; d\" description=\"line1&#10;line2&#9;&#x2713; &bogus; & done\" -->\n" +
				"<!-- aisync:end-rule -->\n<!-- aisync:end -->\n",
			want: map[string]unified.Rule{`a "b" <c> & d`: rule(always, "line1\nline2\t✓ &bogus; & done", nil, "")},
		},
		{
			name: "escaped glob commas and braces",
			in:   "<!-- aisync:begin -->\n<!-- aisync:rule name=\"g\" activation=\"glob\" globs=\"*.{ts,tsx},a&#44;b,&#123;x&#44;y\" -->\n<!-- aisync:end-rule -->\n<!-- aisync:end -->\n",
			want: map[string]unified.Rule{"g": rule(glob, "", []string{"*.{ts,tsx}", "a,b", "{x,y"}, "")},
		},
		{
			name: "escaped marker lines in a body",
			in: "<!-- aisync:begin -->\n<!-- aisync:rule name=\"m\" -->\n<!--! aisync:end-rule -->\n  <!--!!aisync:end -->\n<!--!x not a marker -->\n" +
				"<!-- aisync:end-rule -->\n<!-- aisync:end -->\n",
			want: map[string]unified.Rule{"m": rule(always, "", nil, "<!-- aisync:end-rule -->\n  <!--!aisync:end -->\n<!--!x not a marker -->")},
		},
		{
			name: "CRLF and BOM",
			in:   utf8BOM + "# T\r\n\r\n<!-- aisync:begin -->\r\n<!-- aisync:rule name=\"c\" -->\r\nline 1\r\nline 2\r\n<!-- aisync:end-rule -->\r\n<!-- aisync:end -->\r\n",
			want: map[string]unified.Rule{"c": rule(always, "", nil, "line 1\nline 2")},
		},
		{
			name:  "unknown attribute is a warning",
			in:    "<!-- aisync:begin -->\n<!-- aisync:rule name=\"u\" priority=\"3\" -->\nx\n<!-- aisync:end-rule -->\n<!-- aisync:end -->\n",
			want:  map[string]unified.Rule{"u": rule(always, "", nil, "x")},
			warns: []string{clients.WarnUnsupportedEntry},
		},
		{
			name: "markers are found with extra blanks and without spaces",
			in:   "  <!--aisync:begin-->\n\t<!--   aisync:rule name=\"s\"-->\nx\n<!--aisync:end-rule-->  \n<!--aisync:end-->\n",
			want: map[string]unified.Rule{"s": rule(always, "", nil, "x")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, err := DecodeBlocks("CLAUDE.md", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			assertRules(t, got, norm(t, tt.want))
			assertWarnCodes(t, warns, tt.warns...)
			// Whatever decodes must re-encode to the same bytes.
			out, err := EncodeBlocks("CLAUDE.md", []byte(tt.in), got)
			if err != nil || !bytes.Equal(out, []byte(tt.in)) {
				t.Fatalf("no-op encode changed the file (err %v):\n%q\n%q", err, out, tt.in)
			}
		})
	}
}

func TestDecodeBlocksSyntaxErrors(t *testing.T) {
	t.Parallel()
	const b, e = "<!-- aisync:begin -->\n", "<!-- aisync:end -->\n"
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{name: "begin without end", in: "text\n" + b + "<!-- aisync:rule name=\"a\" -->\nx\n<!-- aisync:end-rule -->\n", line: 2, col: 1, msg: "expected <!-- aisync:end -->"},
		{name: "rule without end-rule at end of file", in: b + "\n<!-- aisync:rule name=\"a\" -->\nx\n", line: 3, col: 1, msg: `rule "a" (line 3) is not closed; expected <!-- aisync:end-rule -->`},
		{name: "rule without end-rule before end", in: b + "<!-- aisync:rule name=\"a\" -->\nx\n" + e, line: 4, col: 1, msg: `expected <!-- aisync:end-rule --> to close rule "a" (line 2)`},
		{name: "rule inside rule", in: b + "<!-- aisync:rule name=\"a\" -->\n  <!-- aisync:rule name=\"b\" -->\n", line: 3, col: 3, msg: "expected <!-- aisync:end-rule -->"},
		{name: "end-rule without rule", in: b + "<!-- aisync:end-rule -->\n" + e, line: 2, col: 1, msg: "without a rule"},
		{name: "second region", in: b + e + "\n" + b + e, line: 4, col: 1, msg: "a second aisync region"},
		{name: "nested begin", in: b + b + e, line: 2, col: 1, msg: "expected <!-- aisync:end --> to close the region begun on line 1"},
		{name: "end outside the region", in: "hello\n" + e, line: 2, col: 1, msg: "outside the aisync region"},
		{name: "rule outside the region", in: "<!-- aisync:rule name=\"a\" -->\n", line: 1, col: 1, msg: "outside the aisync region"},
		{name: "text between rules", in: b + "stray text\n" + e, line: 2, col: 1, msg: "must be inside a rule"},
		{name: "unknown marker", in: "<!-- aisync:bgin -->\n", line: 1, col: 1, msg: "unknown marker aisync:bgin"},
		{name: "unknown marker with suffix", in: "<!-- aisync:rules -->\n", line: 1, col: 1, msg: "unknown marker aisync:rules"},
		{name: "marker without closing on its line", in: "<!-- aisync:begin\n-->\n", line: 1, col: 1, msg: "must end with -->"},
		{name: "unquoted attribute", in: b + "<!-- aisync:rule name=x -->\n", line: 2, col: 23, msg: "expected a double-quoted value for attribute name"},
		{name: "unterminated attribute", in: b + "<!-- aisync:rule name=\"x -->\n", line: 2, col: 23, msg: `has no closing "`},
		{name: "duplicate attribute", in: b + "<!-- aisync:rule name=\"x\" name=\"y\" -->\n", line: 2, col: 27, msg: "given twice"},
		{name: "missing name", in: b + "<!-- aisync:rule activation=\"always\" -->\n", line: 2, col: 17, msg: "needs a non-empty name"},
		{name: "bad activation", in: b + "<!-- aisync:rule name=\"x\" activation=\"sometimes\" -->\n", line: 2, col: 39, msg: `activation "sometimes"`},
		{name: "duplicate rule name", in: b + "<!-- aisync:rule name=\"x\" -->\n<!-- aisync:end-rule -->\n<!-- aisync:rule name=\"x\" -->\n<!-- aisync:end-rule -->\n" + e, line: 4, col: 1, msg: `duplicate rule name "x" (first on line 2)`},
		{name: "column counts characters", in: b + "<!-- aisync:rule name=\"ü\" x -->\n", line: 2, col: 28, msg: "expected = after attribute x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := DecodeBlocks("AGENTS.md", []byte(tt.in))
			syntaxErr(t, err, "AGENTS.md", tt.line, tt.col, tt.msg)
			// Encoding must refuse too, and must not return bytes that could be written.
			out, err := EncodeBlocks("AGENTS.md", []byte(tt.in), threeRules)
			if out != nil {
				t.Fatalf("EncodeBlocks returned bytes for a malformed region")
			}
			syntaxErr(t, err, "AGENTS.md", tt.line, tt.col, tt.msg)
		})
	}
}

func TestEncodeBlocksGolden(t *testing.T) {
	t.Parallel()
	claude := readTestdata(t, "blocks/claude.md")
	agents := readTestdata(t, "blocks/agents_bom.md")
	tests := []struct {
		name   string
		in     []byte
		rules  map[string]unified.Rule
		golden string
	}{
		{name: "insert into CLAUDE.md", in: claude, rules: threeRules, golden: "blocks/claude_insert.golden"},
		{name: "insert into a CRLF AGENTS.md with BOM and no final newline", in: agents, rules: threeRules, golden: "blocks/agents_insert.golden"},
		{name: "create a new file", in: nil, rules: threeRules, golden: "blocks/new_file.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := EncodeBlocks("f.md", tt.in, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, out)
			if !bytes.HasPrefix(out, tt.in) {
				t.Fatalf("the user's text was not kept as the prefix of the file")
			}
			got, _, err := DecodeBlocks("f.md", out)
			if err != nil {
				t.Fatal(err)
			}
			assertRules(t, got, norm(t, tt.rules))
			// Same rules again: byte-identical.
			again, err := EncodeBlocks("f.md", out, tt.rules)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("re-encoding the same rules changed the file (err %v)", err)
			}
			// No rules: the user's bytes come back exactly.
			back, err := EncodeBlocks("f.md", out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, tt.in) && !(len(tt.in) == 0 && len(back) == 0) {
				t.Fatalf("removing every rule did not restore the file:\n got %q\nwant %q", back, tt.in)
			}
		})
	}
}

func TestEncodeBlocksCRLF(t *testing.T) {
	t.Parallel()
	out, err := EncodeBlocks("AGENTS.md", readTestdata(t, "blocks/agents_bom.md"), threeRules)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte(utf8BOM)) {
		t.Fatal("BOM lost")
	}
	if n := bytes.Count(out, []byte("\n")); n != bytes.Count(out, []byte("\r\n")) {
		t.Fatalf("a line feed without carriage return was written into a CRLF file:\n%q", out)
	}
	if bytes.HasSuffix(out, []byte("\n")) {
		t.Fatal("a file without a final newline got one")
	}
}

func TestEncodeBlocksRestoresUserBytes(t *testing.T) {
	t.Parallel()
	inputs := map[string]string{
		"empty":                 "",
		"BOM only":              utf8BOM,
		"one line with newline": "# Title\n",
		"no final newline":      "# Title\n\nlast line",
		"trailing blank lines":  "# Title\n\n\n",
		"only a newline":        "\n",
		"CRLF":                  "a\r\nb\r\n",
		"CRLF no final newline": "a\r\nb",
		"lone CR at the end":    "text\r",
		"mixed endings":         "a\r\nb\n",
		"realistic CLAUDE.md":   string(readTestdata(t, "blocks/claude.md")),
		"escaped markers":       "<!--! aisync:begin -->\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			with, err := EncodeBlocks("f.md", []byte(in), threeRules)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := DecodeBlocks("f.md", with)
			if err != nil {
				t.Fatal(err)
			}
			assertRules(t, got, norm(t, threeRules))
			back, err := EncodeBlocks("f.md", with, map[string]unified.Rule{})
			if err != nil {
				t.Fatal(err)
			}
			if string(back) != in {
				t.Fatalf("got %q, want %q", back, in)
			}
		})
	}
}

func TestEncodeBlocksEdits(t *testing.T) {
	t.Parallel()
	// A region as a user might leave it: rules out of name order, blank lines between them,
	// hand-written markers, and user text after the region.
	const before = "# Notes\n\n<!-- aisync:begin (hand edited) -->\n\n" +
		"<!-- aisync:rule name=\"zeta\" activation=\"always\" -->\nZ\n<!-- aisync:end-rule -->\n\n" +
		"<!--aisync:rule name=\"alpha\"-->\nA\n<!--aisync:end-rule-->\n\n" +
		"<!-- aisync:rule name=\"mid\" activation=\"always\" -->\nM\n<!-- aisync:end-rule -->\n\n" +
		"<!-- aisync:end -->\n\nFooter text.\n"
	rules := map[string]unified.Rule{
		"zeta":  rule(always, "", nil, "Z"),
		"alpha": rule(always, "", nil, "A changed"),
		"beta":  rule(glob, "", []string{"*.go"}, "B"),
		"aaa":   rule(always, "", nil, "new first by name"),
	}
	const want = "# Notes\n\n<!-- aisync:begin (hand edited) -->\n\n" +
		"<!-- aisync:rule name=\"zeta\" activation=\"always\" -->\nZ\n<!-- aisync:end-rule -->\n\n" +
		"<!-- aisync:rule name=\"alpha\" activation=\"always\" -->\nA changed\n<!-- aisync:end-rule -->\n" +
		"<!-- aisync:rule name=\"aaa\" activation=\"always\" -->\nnew first by name\n<!-- aisync:end-rule -->\n" +
		"<!-- aisync:rule name=\"beta\" activation=\"glob\" globs=\"*.go\" -->\nB\n<!-- aisync:end-rule -->\n\n" +
		"<!-- aisync:end -->\n\nFooter text.\n"
	out, err := EncodeBlocks("f.md", []byte(before), rules)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
	// Removing every rule removes the whole region but keeps the footer.
	back, err := EncodeBlocks("f.md", out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(back) != "# Notes\n\nFooter text.\n" {
		t.Fatalf("got %q", back)
	}
}

func TestEncodeBlocksRoundTripsAnyValue(t *testing.T) {
	t.Parallel()
	rules := map[string]unified.Rule{
		`quote"s & <tags> --> end`: rule(agent, "line1\nline2\r\n\ttab \x00 nul \x7f -- >", nil, "body"),
		"unicode ✓ 日本語 \u2028":     rule(always, "emoji 😀 and \u0085", nil, "ünïcödé"),
		"globs":                    rule(glob, "", []string{"src/**/*.{ts,tsx}", "a,b", "{unbalanced,", "}x,y{", "&amp;", `"q"`, "x>y", "a{b,c}d,e"}, ""),
		"marker bodies": rule(always, "", nil, "<!-- aisync:end -->\n  <!-- aisync:rule name=\"x\" -->\n<!--! aisync:end-rule -->\n<!--!!aisync:begin -->\n"+
			"<!-- aisync:begin\n<!--\taisync:end-->"),
		"empty body":          rule(manual, "", nil, ""),
		"padded body":         rule(always, "", nil, "\n\n  indented first\n\ttab\n\n\n"),
		"crlf body":           rule(always, "", nil, "a\r\nb\r\n\r\n"),
		"lone cr":             rule(always, "", nil, "a\rb"),
		"glob without globs":  rule(glob, "d", nil, "x"),
		"always with globs":   rule(always, "", []string{"kept.md"}, "x"),
		"invalid \xff utf-8":  rule(always, "\xfe", nil, "\xff"),
		"name with &#10; ref": rule(always, "&#10;", nil, "x"),
	}
	for _, data := range [][]byte{nil, []byte("user\r\ntext\r\n"), readTestdata(t, "blocks/claude.md")} {
		out, err := EncodeBlocks("f.md", data, rules)
		if err != nil {
			t.Fatal(err)
		}
		got, warns, err := DecodeBlocks("f.md", out)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		assertWarnCodes(t, warns)
		assertRules(t, got, norm(t, rules))
	}
}

func TestEncodeBlocksErrors(t *testing.T) {
	t.Parallel()
	if _, err := EncodeBlocks("f.md", nil, map[string]unified.Rule{"x": {Activation: "often"}}); err == nil || !strings.Contains(err.Error(), `unknown activation "often"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := EncodeBlocks("f.md", nil, map[string]unified.Rule{"": {Body: "x"}}); err == nil {
		t.Fatal("an empty rule name was accepted")
	}
	var se *clients.SyntaxError
	_, err := EncodeBlocks("f.md", []byte("<!-- aisync:begin -->\n"), nil)
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodeBlocksNilStaysNil(t *testing.T) {
	t.Parallel()
	out, err := EncodeBlocks("f.md", nil, nil)
	if err != nil || out != nil {
		t.Fatalf("got %q, %v", out, err)
	}
}
