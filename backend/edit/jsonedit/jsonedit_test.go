package jsonedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func readFiles(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/files/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func TestParseKeepsBytes(t *testing.T) {
	t.Parallel()
	cases := readFiles(t)
	for name, in := range map[string]string{
		"one line with spaces":   `{ "a" : 1 , "b" : [ 1 , 2 ] }`,
		"nested empty":           `{"a":{},"b":[],"c":[{}],"d":{"e":[[]]}}`,
		"comment only":           "// nothing yet\n/* really */\n",
		"bom only":               "\xef\xbb\xbf",
		"top level array":        `[1, "two", {"three": 3}, [4], null, true, false, -0.5e+10]`,
		"top level string":       `"just a string"`,
		"comment between tokens": `{/*a*/"k"/*b*/:/*c*/1/*d*/,/*e*/}//f`,
		"escaped keys":           `{"a\"b": 1, "\u00e9": 2, "a/b": 3, "": 4, "~": 5, "\ud83d\ude00": 6}`,
		"no newline at end":      "{\n  \"a\": 1\n}",
		"trailing commas":        `{"a": [1, 2,], "b": {"c": 1,},}`,
		"crlf":                   "{\r\n\t\"a\": 1\r\n}\r\n",
		"lone CR":                "{\r\"a\": 1\r}",
	} {
		cases[name] = []byte(in)
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := d.Bytes(); !bytes.Equal(got, in) {
				t.Fatalf("Bytes() changed an untouched document:\n%q\n%q", in, got)
			}
			if d.Changed() {
				t.Fatal("Changed() on an untouched document")
			}
			if err := Valid(in); err != nil {
				t.Fatalf("Valid: %v", err)
			}
			all, ok := d.Get()
			if !ok || !json.Valid(all) {
				t.Fatalf("Get() = %s, %v", all, ok)
			}
			if json.Valid(in) && !sameJSON(t, in, all) {
				t.Fatalf("Get() = %s, encoding/json reads %s", all, in)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, `expected ',' or '}' after object member, found '"'`},
		{"missing colon", `{"a" 1}`, 1, 6, `expected ':' after member name, found '1'`},
		{"unquoted key", "{\n\tfoo: 1\n}", 2, 2, `expected member name or '}', found 'f'`},
		{"single quotes", `{'a': 1}`, 1, 2, `expected member name or '}', found '\''`},
		{"unclosed object", "{\n  \"a\": 1,\n", 3, 1, `expected member name or '}', found end of input`},
		{"unclosed array", `{"a": [1, 2`, 1, 12, `expected ',' or ']' after array element, found end of input`},
		{"missing value", `{"a": }`, 1, 7, `expected value after ':', found '}'`},
		{"double comma", `[1,,2]`, 1, 4, `expected value or ']', found ','`},
		{"unterminated string", "{\"a\": \"abc\n}", 1, 11, `expected '"' to end the string before the end of the line`},
		{"string at eof", `{"a": "abc`, 1, 11, `expected '"' to end the string, found end of input`},
		{"bad escape", `{"a": "\x"}`, 1, 8, `invalid escape sequence '\x' in string`},
		{"bad unicode escape", `{"a": "\u12G4"}`, 1, 12, `expected 4 hexadecimal digits after '\u', found 'G'`},
		{"control char", "{\"a\": \"\x01\"}", 1, 8, `invalid control character`},
		{"unterminated comment", "{\n  /* never closed\n}", 2, 3, `unterminated block comment`},
		{"lone slash", `{"a": 1 / 2}`, 1, 9, `expected '/' or '*' after '/' to start a comment, found ' '`},
		{"leading zero", `{"a": 01}`, 1, 7, `leading zeros are not allowed`},
		{"bare dot", `{"a": 1.}`, 1, 9, `expected digit after '.' in number, found '}'`},
		{"bad exponent", `{"a": 1e}`, 1, 9, `expected digit in number exponent, found '}'`},
		{"plus sign", `{"a": +1}`, 1, 7, `expected value after ':', found '+'`},
		{"minus alone", `[-]`, 1, 3, `expected digit after '-', found ']'`},
		{"misspelt literal", `{"a": True}`, 1, 7, `expected value after ':', found 'T'`},
		{"truncated literal", `{"a": tru}`, 1, 7, `expected true, found "tru"`},
		{"two values", "{}\n{}", 2, 1, `expected end of input after the top-level value, found '{'`},
		{"column counts characters", "{\"é😀\": 1 2}", 1, 10, `expected ',' or '}' after object member, found '2'`},
		{"bom is not a column", "\xef\xbb\xbf{,}", 1, 2, `expected member name or '}', found ','`},
		{"crlf lines", "{\r\n  \"a\": 1,\r\n  \"b\"\r\n}", 4, 1, `expected ':' after member name, found '}'`},
		{"invalid utf8 outside strings", "{\xff}", 1, 2, `found byte 0xff`},
		{"utf16 bom", "\xff\xfe{\x00}\x00", 1, 1, `expected value, found byte 0xff`},
		{"too deep", strings.Repeat("[", maxDepth+1), 1, maxDepth + 1, `exceeded the maximum nesting depth`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("Parse(%q) = line %d col %d %q, want line %d col %d containing %q",
					tt.in, se.Line, se.Col, se.Msg, tt.line, tt.col, tt.msg)
			}
			if want := "line "; !strings.HasPrefix(se.Error(), want) || !strings.HasSuffix(se.Error(), se.Msg) {
				t.Fatalf("Error() = %q", se.Error())
			}
			if err := Valid([]byte(tt.in)); err == nil || err.Error() != se.Error() {
				t.Fatalf("Valid = %v, want %v", err, se)
			}
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	t.Parallel()
	err := &SyntaxError{Line: 3, Col: 7, Msg: "expected ':' after member name, found '1'"}
	if got, want := err.Error(), "line 3, column 7: expected ':' after member name, found '1'"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	const doc = `// settings
{
  "a": {"b": {"c": [1, 2,], /* note */ "d": "x"},},
  "a.b": 2,
  "/home/me/proj": {"mcpServers": {}},
  "caf\u00e9": "escaped name",
  "quote\"d": true,
  "": "empty name",
  "dup": 1,
  "dup": {"second": true},
  "n": 1.50e1,
}`
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path []string
		want string
		ok   bool
	}{
		{[]string{"a", "b", "c"}, `[1,2]`, true},
		{[]string{"a", "b"}, `{"c":[1,2],"d":"x"}`, true},
		{[]string{"a.b"}, `2`, true},
		{[]string{"/home/me/proj", "mcpServers"}, `{}`, true},
		{[]string{"café"}, `"escaped name"`, true},
		{[]string{`quote"d`}, `true`, true},
		{[]string{""}, `"empty name"`, true},
		{[]string{"dup"}, `{"second":true}`, true},
		{[]string{"n"}, `1.50e1`, true},
		{[]string{"a", "b", "c", "0"}, ``, false},
		{[]string{"missing"}, ``, false},
		{[]string{"a", "missing", "x"}, ``, false},
		{[]string{"n", "x"}, ``, false},
	}
	for _, tt := range tests {
		t.Run(pointer(tt.path), func(t *testing.T) {
			got, ok := d.Get(tt.path...)
			if ok != tt.ok || string(got) != tt.want {
				t.Fatalf("Get(%q) = %s, %v; want %s, %v", tt.path, got, ok, tt.want, tt.ok)
			}
			if ok {
				var v any
				if err := json.Unmarshal(got, &v); err != nil {
					t.Fatalf("json.Unmarshal(Get) = %v", err)
				}
			}
		})
	}
}

func TestGetEmptyDocument(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "  \n", "// only a comment\n", "\xef\xbb\xbf"} {
		d, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got, ok := d.Get(); !ok || string(got) != "{}" {
			t.Fatalf("Get() on %q = %s, %v; want {}", in, got, ok)
		}
		if got, ok := d.Get("a"); ok {
			t.Fatalf("Get(a) on %q = %s", in, got)
		}
		if got := d.Keys(); got == nil || len(got) != 0 {
			t.Fatalf("Keys() on %q = %#v, want empty", in, got)
		}
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	d, err := Parse([]byte(`{"z": 1, "a": {"y": 1, "x": [1]}, "m": 2, "z": 3, "\u00e9": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path []string
		want []string
	}{
		{"root in document order, duplicates once", nil, []string{"z", "a", "m", "é"}},
		{"nested", []string{"a"}, []string{"y", "x"}},
		{"array is not an object", []string{"a", "x"}, nil},
		{"scalar is not an object", []string{"m"}, nil},
		{"missing", []string{"q"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Keys(tt.path...); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Keys(%q) = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"none", `{"a": 1, "b": {"a": 1}}`, nil},
		{"top level", `{"a": 1, "b": 2, "a": 3, "a": 4}`, []string{"/a"}},
		{"nested and escaped", `{"s": {"x/y": 1, "x\/y": 2}, "l": [{"k": 1, "k": 2}]}`, []string{"/s/x~1y", "/l/0/k"}},
		{"claude project path", `{"projects": {"/home/me": {}, "/home/me": {}}}`, []string{"/projects/~1home~1me"}},
		{"three times, listed once", `{"s": {"a": 1, "b": 2, "a": 3, "a": 4, "b": 5}}`, []string{"/s/a", "/s/b"}},
		{"large object", `{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"k":0,"l":0,"m":0,"n":0,"o":0,"p":0,"q":0,"c":1,"c":2}`, []string{"/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Duplicates(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Duplicates() = %#v, want %#v", got, tt.want)
			}
			if got, want := d.Duplicates(), duplicatesByCount(d); !reflect.DeepEqual(got, want) {
				t.Fatalf("Duplicates() = %#v, counting every object's names: %#v", got, want)
			}
		})
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		path  []string
		value any
		want  string
	}{
		{
			name: "replace nested value keeping comments around it",
			in: `{
  // servers
  "mcpServers": {
    "x": {
      "command": "npx", // runner
      /* the package */
      "args": ["-y", "pkg"]
    }
  }
}
`,
			path:  []string{"mcpServers", "x", "command"},
			value: "bunx",
			want: `{
  // servers
  "mcpServers": {
    "x": {
      "command": "bunx", // runner
      /* the package */
      "args": ["-y", "pkg"]
    }
  }
}
`,
		},
		{
			name:  "add to empty object",
			in:    `{}`,
			path:  []string{"a"},
			value: 1,
			want:  "{\n  \"a\": 1\n}",
		},
		{
			name:  "add to empty object on two lines",
			in:    "{\n}\n",
			path:  []string{"a"},
			value: 1,
			want:  "{\n  \"a\": 1\n}\n",
		},
		{
			name:  "add to empty object with a comment inside",
			in:    "{\n  // add servers here\n}\n",
			path:  []string{"a"},
			value: true,
			want:  "{\n  // add servers here\n  \"a\": true\n}\n",
		},
		{
			name:  "add to nested empty object",
			in:    "{\n  \"servers\": {},\n  \"x\": 1\n}",
			path:  []string{"servers", "s"},
			value: map[string]any{"command": "npx"},
			want:  "{\n  \"servers\": {\n    \"s\": {\n      \"command\": \"npx\"\n    }\n  },\n  \"x\": 1\n}",
		},
		{
			name:  "add to multi-line object",
			in:    "{\n  \"a\": 1,\n  \"b\": 2\n}\n",
			path:  []string{"c"},
			value: []string{"x", "y"},
			want:  "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": [\n    \"x\",\n    \"y\"\n  ]\n}\n",
		},
		{
			name:  "add after a trailing line comment",
			in:    "{\n  \"a\": 1 // first\n}",
			path:  []string{"b"},
			value: 2,
			want:  "{\n  \"a\": 1, // first\n  \"b\": 2\n}",
		},
		{
			name:  "add keeps trailing comma style",
			in:    "{\n\t\"a\": 1,\n}",
			path:  []string{"b"},
			value: 2,
			want:  "{\n\t\"a\": 1,\n\t\"b\": 2,\n}",
		},
		{
			name:  "add keeps trailing comma style after a comment",
			in:    "{\n\t\"a\": 1, // one\n\t// \"old\": 0,\n}",
			path:  []string{"b"},
			value: 2,
			want:  "{\n\t\"a\": 1, // one\n\t\"b\": 2,\n\t// \"old\": 0,\n}",
		},
		{
			name:  "add inline",
			in:    `{"a": 1}`,
			path:  []string{"b"},
			value: 2,
			want:  `{"a": 1, "b": 2}`,
		},
		{
			name:  "add inline minified",
			in:    `{"a":1,"b":{"c":[1]}}`,
			path:  []string{"b", "d"},
			value: map[string]any{"e": []int{1, 2}},
			want:  `{"a":1,"b":{"c":[1],"d":{"e":[1,2]}}}`,
		},
		{
			name:  "add into minified empty object stays on one line",
			in:    `{"a":1,"b":{}}`,
			path:  []string{"b", "c"},
			value: 2,
			want:  `{"a":1,"b":{"c":2}}`,
		},
		{
			name:  "add inline with padding",
			in:    `{ "a": 1 }`,
			path:  []string{"b"},
			value: "two",
			want:  `{ "a": 1, "b": "two" }`,
		},
		{
			name:  "add nested missing objects",
			in:    "{\n    \"theme\": \"dark\"\n}\n",
			path:  []string{"mcp", "servers", "s"},
			value: map[string]any{"url": "https://x"},
			want:  "{\n    \"theme\": \"dark\",\n    \"mcp\": {\n        \"servers\": {\n            \"s\": {\n                \"url\": \"https://x\"\n            }\n        }\n    }\n}\n",
		},
		{
			name:  "add to tab indented nested object",
			in:    "{\n\t\"s\": {\n\t\t\"a\": 1\n\t}\n}",
			path:  []string{"s", "b"},
			value: map[string]int{"x": 1},
			want:  "{\n\t\"s\": {\n\t\t\"a\": 1,\n\t\t\"b\": {\n\t\t\t\"x\": 1\n\t\t}\n\t}\n}",
		},
		{
			name:  "add with CRLF and BOM",
			in:    "\xef\xbb\xbf{\r\n  \"a\": 1\r\n}\r\n",
			path:  []string{"b", "c"},
			value: 2,
			want:  "\xef\xbb\xbf{\r\n  \"a\": 1,\r\n  \"b\": {\r\n    \"c\": 2\r\n  }\r\n}\r\n",
		},
		{
			name:  "add after CRLF line comment",
			in:    "{\r\n  \"a\": 1 // one\r\n}",
			path:  []string{"b"},
			value: 2,
			want:  "{\r\n  \"a\": 1, // one\r\n  \"b\": 2\r\n}",
		},
		{
			name:  "replace with multi-line value at depth",
			in:    "{\n  \"s\": {\n    \"x\": null, // was null\n    \"y\": 1\n  }\n}",
			path:  []string{"s", "x"},
			value: map[string]any{"command": "npx", "args": []string{"a"}},
			want:  "{\n  \"s\": {\n    \"x\": {\n      \"args\": [\n        \"a\"\n      ],\n      \"command\": \"npx\"\n    }, // was null\n    \"y\": 1\n  }\n}",
		},
		{
			name:  "replace keeps an inline container inline",
			in:    "{\n  \"args\": [\"-y\", \"pkg\"]\n}",
			path:  []string{"args"},
			value: []string{"-y", "pkg", "--flag"},
			want:  "{\n  \"args\": [\"-y\", \"pkg\", \"--flag\"]\n}",
		},
		{
			name:  "replace object member by member keeps comments inside",
			in:    "{\n  \"x\": {\n    // how to start it\n    \"command\": \"npx\",\n    \"args\": [\"a\"], // args\n    \"old\": true\n  }\n}",
			path:  []string{"x"},
			value: map[string]any{"command": "npx", "args": []string{"b"}, "env": map[string]string{}},
			want:  "{\n  \"x\": {\n    // how to start it\n    \"command\": \"npx\",\n    \"args\": [\"b\"], // args\n    \"env\": {}\n  }\n}",
		},
		{
			name:  "array edit keeps element comments",
			in:    "{\n  \"allow\": [\n    \"Bash(ls)\", // listing\n    \"Bash(rm)\", // dangerous\n    \"Read(*)\" // reading\n  ]\n}",
			path:  []string{"allow"},
			value: []string{"Bash(ls)", "Read(*)", "Write(*)"},
			want:  "{\n  \"allow\": [\n    \"Bash(ls)\", // listing\n    \"Read(*)\", // reading\n    \"Write(*)\"\n  ]\n}",
		},
		{
			name:  "array insert in the middle",
			in:    "{\n  \"a\": [\n    1,\n    3\n  ]\n}",
			path:  []string{"a"},
			value: []int{1, 2, 3},
			want:  "{\n  \"a\": [\n    1,\n    2,\n    3\n  ]\n}",
		},
		{
			name:  "replace scalar with different type",
			in:    `{"a": "1", "b": 2}`,
			path:  []string{"a"},
			value: 1,
			want:  `{"a": 1, "b": 2}`,
		},
		{
			name:  "replace value of last duplicate",
			in:    `{"a": 1, "a": 2}`,
			path:  []string{"a"},
			value: 3,
			want:  `{"a": 1, "a": 3}`,
		},
		{
			name:  "unicode and escaped names are matched after unescaping",
			in:    "{\n  \"caf\\u00e9\": 1,\n  \"a\\\"b\": 1\n}",
			path:  []string{"café"},
			value: 2,
			want:  "{\n  \"caf\\u00e9\": 2,\n  \"a\\\"b\": 1\n}",
		},
		{
			name:  "new names are escaped",
			in:    "{}",
			path:  []string{"a\"b\\c\n", "/home/me/proj", "日本", ""},
			value: "<&>",
			want:  "{\n  \"a\\\"b\\\\c\\n\": {\n    \"/home/me/proj\": {\n      \"日本\": {\n        \"\": \"<&>\"\n      }\n    }\n  }\n}",
		},
		{
			name:  "raw message",
			in:    "{\n  \"a\": 1\n}",
			path:  []string{"b"},
			value: json.RawMessage(` { "z" : [ 1 , 2 ] , "y" : null } `),
			want:  "{\n  \"a\": 1,\n  \"b\": {\n    \"z\": [\n      1,\n      2\n    ],\n    \"y\": null\n  }\n}",
		},
		{
			name:  "empty file",
			in:    "",
			path:  []string{"mcpServers", "x"},
			value: map[string]string{"command": "npx"},
			want:  "{\n  \"mcpServers\": {\n    \"x\": {\n      \"command\": \"npx\"\n    }\n  }\n}\n",
		},
		{
			name:  "whitespace only file",
			in:    "\n\n",
			path:  []string{"a"},
			value: 1,
			want:  "{\n  \"a\": 1\n}\n",
		},
		{
			name:  "comment only file keeps the comment",
			in:    "// my settings",
			path:  []string{"a"},
			value: 1,
			want:  "// my settings\n{\n  \"a\": 1\n}\n",
		},
		{
			name:  "bom only file keeps the bom",
			in:    "\xef\xbb\xbf",
			path:  []string{"a"},
			value: 1,
			want:  "\xef\xbb\xbf{\n  \"a\": 1\n}\n",
		},
		{
			name:  "invalid UTF-8 in a name is matched the way encoding/json writes it",
			in:    "{\"\xff\": 1}",
			path:  []string{"\xff"},
			value: 2,
			want:  "{\"\xff\": 2}",
		},
		{
			name:  "lone surrogate in a name",
			in:    `{"\ud800": 1}`,
			path:  []string{"\ufffd"},
			value: 2,
			want:  `{"\ud800": 2}`,
		},
		{
			name:  "replace whole document",
			in:    "// head\n{\"a\": 1}\n",
			path:  nil,
			value: map[string]int{"b": 2},
			want:  "// head\n{\"b\": 2}\n",
		},
		{
			name:  "object written over several lines with closing brace after the last member",
			in:    "{\n  \"a\": 1}",
			path:  []string{"b"},
			value: 2,
			want:  "{\n  \"a\": 1,\n  \"b\": 2}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			before, _ := d.Get(tt.path...)
			if err := d.Set(tt.path, tt.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got := d.Bytes()
			if string(got) != tt.want {
				t.Fatalf("Set(%q, %v) on\n%s\ngot:\n%s\nwant:\n%s", tt.path, tt.value, tt.in, got, tt.want)
			}
			if !d.Changed() {
				t.Fatal("Changed() = false after a change")
			}
			checkEdit(t, []byte(tt.in), d)
			checkSet(t, d, tt.path, tt.value)
			if before == nil { // pure insertion: every comment must survive, in order
				if a, b := commentsOf(t, []byte(tt.in)), commentsOf(t, got); !slices.Equal(a, b) {
					t.Fatalf("comments changed: %q -> %q", a, b)
				}
			}
		})
	}
}

func TestSetEqualIsNoOp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		path  []string
		value any
	}{
		{"array formatting differs", `{"a": [ 1, 2 ]}`, []string{"a"}, []int{1, 2}},
		{"array with trailing comma and comment", "{\"a\": [1, /* two */ 2,]}", []string{"a"}, json.RawMessage(`[1,2]`)},
		{"object key order differs", `{"a": {"y": 1, "x": 2}}`, []string{"a"}, map[string]int{"x": 2, "y": 1}},
		{"number spelling differs", `{"a": 1.0, "b": 1e2, "c": -0, "d": 0.10}`, nil, map[string]float64{"a": 1, "b": 100, "c": 0, "d": 0.1}},
		{"big integers", `{"a": 12345678901234567890123}`, []string{"a"}, json.RawMessage(`12345678901234567890123`)},
		{"string escapes differ", `{"a": "caf\u00e9 \/ \"q\""}`, []string{"a"}, `café / "q"`},
		{"html characters", `{"a": "x && y < z"}`, []string{"a"}, "x && y < z"},
		{"empty object in empty document", ``, nil, map[string]any{}},
		{"nested struct", "{\n  // c\n  \"s\": {\"command\": \"npx\", \"args\": [\"a\"],}\n}", []string{"s"}, struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		}{"npx", []string{"a"}}},
		{"null", `{"a": null}`, []string{"a"}, nil},
		{"bool", `{"a": true}`, []string{"a"}, true},
		{"duplicates: the last one counts", `{"a": 1, "a": 2}`, []string{"a"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Set(tt.path, tt.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if d.Changed() || string(d.Bytes()) != tt.in {
				t.Fatalf("Set of an equal value changed the document:\n%s", d.Bytes())
			}
		})
	}
}

func TestSetNotEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		value any
	}{
		{"array order matters", `{"a": [1, 2]}`, []int{2, 1}},
		{"big integers differ in the last digit", `{"a": 12345678901234567890}`, json.RawMessage(`12345678901234567891`)},
		{"number and string", `{"a": 1}`, "1"},
		{"extra member", `{"a": {"x": 1}}`, map[string]int{"x": 1, "y": 2}},
		{"null and empty object", `{"a": null}`, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Set([]string{"a"}, tt.value); err != nil {
				t.Fatal(err)
			}
			if !d.Changed() {
				t.Fatalf("Set of a different value left %s unchanged", tt.in)
			}
			checkEdit(t, []byte(tt.in), d)
			checkSet(t, d, []string{"a"}, tt.value)
		})
	}
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		path  []string
		value any
		is    error
		msg   string
	}{
		{"intermediate is a string", `{"a": "x"}`, []string{"a", "b"}, 1, ErrNotObject, `set "/a/b": value at "/a" is a string, not an object`},
		{"intermediate is an array", `{"a": [1]}`, []string{"a", "0"}, 1, ErrNotObject, `value at "/a" is an array, not an object`},
		{"intermediate is null", `{"a": null}`, []string{"a", "b", "c"}, 1, ErrNotObject, `value at "/a" is null, not an object`},
		{"root is an array", `[1]`, []string{"a"}, 1, ErrNotObject, `value at document root is an array, not an object`},
		{"value cannot be encoded", `{}`, []string{"a"}, make(chan int), nil, `set "/a": encode value: json: unsupported type: chan int`},
		{"invalid raw message", `{}`, []string{"a"}, json.RawMessage(`{`), nil, `set "/a": encode value:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			err = d.Set(tt.path, tt.value)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Set error = %v, want %v containing %q", err, tt.is, tt.msg)
			}
			if d.Changed() {
				t.Fatal("a failed Set changed the document")
			}
		})
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	const three = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n"
	tests := []struct {
		name string
		in   string
		path []string
		want string
	}{
		{"first member", three, []string{"a"}, "{\n  \"b\": 2,\n  \"c\": 3\n}\n"},
		{"middle member", three, []string{"b"}, "{\n  \"a\": 1,\n  \"c\": 3\n}\n"},
		{"last member", three, []string{"c"}, "{\n  \"a\": 1,\n  \"b\": 2\n}\n"},
		{"only member", "{\n  \"a\": 1\n}\n", []string{"a"}, "{}\n"},
		{"only member inline", `{"s": {"a": 1}, "t": 2}`, []string{"s", "a"}, `{"s": {}, "t": 2}`},
		{"only member with comment above", "{\n  // servers\n  \"a\": 1\n}", []string{"a"}, "{\n  // servers\n}"},
		{"same-line comment goes with the member", "{\n  \"a\": 1, // about a\n  \"b\": 2 // about b\n}", []string{"b"}, "{\n  \"a\": 1 // about a\n}"},
		{"comment lines around stay", "{\n  \"a\": 1,\n  // about b\n  \"b\": 2,\n  /* after */\n  \"c\": 3\n}", []string{"b"}, "{\n  \"a\": 1,\n  // about b\n  /* after */\n  \"c\": 3\n}"},
		{"multi-line member", "{\n  \"a\": {\n    \"x\": [\n      1\n    ]\n  },\n  \"b\": 2\n}", []string{"a"}, "{\n  \"b\": 2\n}"},
		{"nested member", "{\n\t\"s\": {\n\t\t\"x\": 1,\n\t\t\"y\": 2\n\t}\n}", []string{"s", "y"}, "{\n\t\"s\": {\n\t\t\"x\": 1\n\t}\n}"},
		{"inline first", `{"a": 1, "b": 2, "c": 3}`, []string{"a"}, `{"b": 2, "c": 3}`},
		{"inline middle", `{"a": 1, "b": 2, "c": 3}`, []string{"b"}, `{"a": 1, "c": 3}`},
		{"inline last", `{"a": 1, "b": 2, "c": 3}`, []string{"c"}, `{"a": 1, "b": 2}`},
		{"inline last with trailing comma", `{"a": 1, "b": 2,}`, []string{"b"}, `{"a": 1,}`},
		{"minified", `{"a":1,"b":{"c":2,"d":3}}`, []string{"b", "c"}, `{"a":1,"b":{"d":3}}`},
		{"trailing comma style kept", "{\n  \"a\": 1,\n  \"b\": 2,\n}", []string{"b"}, "{\n  \"a\": 1,\n}"},
		{"crlf", "{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n", []string{"b"}, "{\r\n  \"a\": 1\r\n}\r\n"},
		{"crlf with comment", "{\r\n  \"a\": 1, // x\r\n  \"b\": 2 // y\r\n}\r\n", []string{"a"}, "{\r\n  \"b\": 2 // y\r\n}\r\n"},
		{"all duplicates", "{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}", []string{"a"}, "{\n  \"b\": 2\n}"},
		{"escaped name", `{"caf\u00e9": 1, "x": 2}`, []string{"café"}, `{"x": 2}`},
		{"claude project key", "{\n  \"projects\": {\n    \"/home/me/a\": {},\n    \"/home/me/b\": {}\n  }\n}", []string{"projects", "/home/me/a"}, "{\n  \"projects\": {\n    \"/home/me/b\": {}\n  }\n}"},
		{"member not alone on its first line", "{ \"a\": 1,\n  \"b\": 2 }", []string{"a"}, "{\n  \"b\": 2 }"},
		{"comma-first style, first", "{\n  \"a\": 1\n  , \"b\": 2\n  , \"c\": 3\n}", []string{"a"}, "{\n  \"b\": 2\n  , \"c\": 3\n}"},
		{"comma-first style, last", "{\n  \"a\": 1\n  , \"b\": 2\n}", []string{"b"}, "{\n  \"a\": 1\n}"},
		{"block comment spanning lines after the member", "{\n  \"a\": 1, /* about\n  a */\n  \"b\": 2\n}", []string{"a"}, "{\n  /* about\n  a */\n  \"b\": 2\n}"},
		{"value spanning lines with comments inside", "{\n  \"a\": [\n    1, // one\n    2\n  ], // list\n  \"b\": 2\n}", []string{"a"}, "{\n  \"b\": 2\n}"},
		{"missing member", three, []string{"z"}, three},
		{"missing parent", three, []string{"z", "y"}, three},
		{"parent not an object", three, []string{"a", "y"}, three},
		{"empty document", "", []string{"a"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Delete(tt.path...); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if got := string(d.Bytes()); got != tt.want {
				t.Fatalf("Delete(%q) on\n%s\ngot:\n%s\nwant:\n%s", tt.path, tt.in, got, tt.want)
			}
			if d.Changed() != (tt.in != tt.want) {
				t.Fatalf("Changed() = %v", d.Changed())
			}
			checkEdit(t, []byte(tt.in), d)
			if _, ok := d.Get(tt.path...); ok {
				t.Fatalf("Get(%q) still finds a value after Delete", tt.path)
			}
		})
	}
}

func TestDeleteRoot(t *testing.T) {
	t.Parallel()
	d, err := Parse([]byte(`{"a": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(); !errors.Is(err, ErrEmptyPath) {
		t.Fatalf("Delete() = %v, want ErrEmptyPath", err)
	}
}

// TestEditSequence runs several edits on one document, as an adapter syncing a file would,
// and checks the invariants after each.
func TestEditSequence(t *testing.T) {
	t.Parallel()
	in := []byte("\xef\xbb\xbf// user settings\r\n{\r\n\t\"editor.fontSize\": 14, // px\r\n\t\"mcp\": {\r\n\t\t\"servers\": {\r\n\t\t\t// mine\r\n\t\t\t\"a\": {\"command\": \"a\"},\r\n\t\t},\r\n\t},\r\n}\r\n")
	d, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		path  []string
		value any // nil means delete
	}{
		{[]string{"mcp", "servers", "b"}, map[string]any{"command": "b", "args": []string{"--x"}}},
		{[]string{"mcp", "servers", "a", "command"}, "a2"},
		{[]string{"mcp", "servers", "a"}, nil},
		{[]string{"mcp", "inputs"}, []any{}},
		{[]string{"mcp", "servers", "b", "env", "TOKEN"}, "${input:token}"},
		{[]string{"mcp", "servers", "b"}, nil},
		{[]string{"mcp", "servers", "c"}, map[string]string{"url": "https://c"}},
	}
	for _, s := range steps {
		if s.value == nil {
			if err := d.Delete(s.path...); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := d.Set(s.path, s.value); err != nil {
				t.Fatal(err)
			}
			checkSet(t, d, s.path, s.value)
		}
		checkEdit(t, in, d)
	}
	want := "\xef\xbb\xbf// user settings\r\n{\r\n\t\"editor.fontSize\": 14, // px\r\n\t\"mcp\": {\r\n\t\t\"servers\": {\r\n\t\t\t// mine\r\n\t\t\t\"c\": {\r\n\t\t\t\t\"url\": \"https://c\",\r\n\t\t\t},\r\n\t\t},\r\n\t\t\"inputs\": [],\r\n\t},\r\n}\r\n"
	if got := string(d.Bytes()); got != want {
		t.Fatalf("got:\n%q\nwant:\n%q", got, want)
	}
}

// TestRealFiles makes typical adapter edits on realistic client files and compares with
// golden files; run with -update to rewrite them after an intended change.
func TestRealFiles(t *testing.T) {
	t.Parallel()
	server := map[string]any{"command": "npx", "args": []string{"-y", "@acme/mcp"}, "env": map[string]string{"TOKEN": "${TOKEN}"}}
	type op struct {
		path  []string
		value any // nil means delete
	}
	tests := []struct {
		file string
		ops  []op
	}{
		{"vscode-mcp.jsonc", []op{
			{[]string{"servers", "acme"}, server},
			{[]string{"servers", "filesystem", "args"}, []string{"-y", "@modelcontextprotocol/server-filesystem", "${workspaceFolder}", "/tmp"}},
			{[]string{"servers", "github"}, nil},
		}},
		{"cursor-mcp.json", []op{
			{[]string{"mcpServers", "linear"}, nil},
			{[]string{"mcpServers", "acme"}, server},
			{[]string{"mcpServers", "postgres", "env", "PGPASSWORD"}, "${env:PGPASSWORD}"},
		}},
		{"gemini-settings-4space.json", []op{
			{[]string{"mcpServers", "pythonTools", "timeout"}, 30000},
			{[]string{"mcpServers", "acme"}, server},
		}},
		{"zed-settings.jsonc", []op{
			{[]string{"context_servers", "acme"}, map[string]any{"source": "custom", "command": "npx", "args": []string{"@acme/mcp"}, "env": map[string]string{}}},
			{[]string{"context_servers", "mcp-server-github", "env", "GITHUB_TOKEN"}, "x"},
		}},
		{"claude-desktop-crlf-bom.json", []op{
			{[]string{"mcpServers", "acme"}, server},
			{[]string{"mcpServers", "fetch"}, nil},
		}},
		{"claude.json", []op{
			{[]string{"projects", "/home/me/proj", "mcpServers", "acme"}, server},
			{[]string{"mcpServers", "playwright", "args"}, []string{"@playwright/mcp@latest", "--headless"}},
		}},
		{"minified.json", []op{
			{[]string{"mcpServers", "c"}, server},
			{[]string{"mcpServers", "a"}, nil},
		}},
		{"opencode.jsonc", []op{
			{[]string{"mcp", "acme"}, map[string]any{"type": "local", "command": []string{"npx", "@acme/mcp"}}},
		}},
		{"empty.json", []op{
			{[]string{"mcpServers", "acme"}, server},
		}},
		{"emptyobj.json", []op{
			{[]string{"mcpServers", "acme"}, server},
		}},
		{"emptyobj-nl.json", []op{
			{[]string{"mcpServers", "acme"}, server},
		}},
		{"whitespace.json", []op{
			{[]string{"servers"}, map[string]any{}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(filepath.Join("testdata/files", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range tt.ops {
				if o.value == nil {
					if err := d.Delete(o.path...); err != nil {
						t.Fatal(err)
					}
				} else {
					if err := d.Set(o.path, o.value); err != nil {
						t.Fatal(err)
					}
					checkSet(t, d, o.path, o.value)
				}
				checkEdit(t, in, d)
			}
			checkGolden(t, filepath.Join("testdata/golden", tt.file), d.Bytes())
		})
	}
}

func TestDetectStyle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want style
	}{
		{"default", ``, style{nl: "\n", unit: "  ", colon: " ", comma: " "}},
		{"two spaces", "{\n  \"a\": {\n    \"b\": [\n      1\n    ]\n  }\n}", style{nl: "\n", unit: "  ", colon: " ", comma: " "}},
		{"four spaces", "{\n    \"a\": {\n        \"b\": 1\n    }\n}", style{nl: "\n", unit: "    ", colon: " ", comma: " "}},
		{"tabs and crlf", "{\r\n\t\"a\": {\r\n\t\t\"b\": 1\r\n\t}\r\n}\r\n", style{nl: "\r\n", unit: "\t", colon: " ", comma: " "}},
		{"minified", `{"a":{"b":[1,2]}}`, style{nl: "\n", unit: "  ", comma: "", minified: true, inlineLists: true}},
		{"spaced colons", "{\n  \"a\" : 1,\n  \"b\" : [1,  2]\n}", style{nl: "\n", unit: "  ", preColon: " ", colon: " ", comma: "  ", inlineLists: true}},
		{"trailing commas", "{\n  \"a\": [\n    1,\n  ],\n  \"b\": 2,\n}", style{nl: "\n", unit: "  ", colon: " ", comma: " ", trailing: true}},
		{"indent under a deep first line", "{\"x\": {\n  \"a\": 1\n}}", style{nl: "\n", unit: "  ", colon: " ", comma: " "}},
		{"mostly crlf", "{\r\n  \"a\": 1,\r\n  \"b\": 2\n}\r\n", style{nl: "\r\n", unit: "  ", colon: " ", comma: " "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := *d.style(); got != tt.want {
				t.Fatalf("detectStyle = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSetArrays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		value any
		want  string
	}{
		{"insert in the middle of an inline array", `{"a": [1, 3]}`, []int{1, 2, 3}, `{"a": [1, 2, 3]}`},
		{"append to an inline array with trailing comma", `{"a": [1, 2,]}`, []int{1, 2, 3}, `{"a": [1, 2, 3,]}`},
		{"remove from an inline array", `{"a": [1, 2, 3]}`, []int{1, 3}, `{"a": [1, 3]}`},
		{"remove everything", "{\n  \"a\": [\n    1,\n    2\n  ]\n}", []int{}, "{\n  \"a\": []\n}"},
		{"add to an array holding only a comment", "{\n  \"a\": [\n    // none yet\n  ]\n}", []string{"x"}, "{\n  \"a\": [\n    // none yet\n    \"x\"\n  ]\n}"},
		{"change one element keeps the others' comments", "{\n  \"a\": [\n    \"x\", // keep x\n    \"y\", // about y\n    \"z\" // keep z\n  ]\n}", []string{"x", "Y", "z"}, "{\n  \"a\": [\n    \"x\", // keep x\n    \"Y\", // about y\n    \"z\" // keep z\n  ]\n}"},
		{"objects in arrays are merged", "{\n  \"a\": [\n    {\"name\": \"s\", /* c */ \"url\": \"u\"}\n  ]\n}", []map[string]string{{"name": "s", "url": "v"}}, "{\n  \"a\": [\n    {\"name\": \"s\", /* c */ \"url\": \"v\"}\n  ]\n}"},
		{"replace scalar by array", `{"a": 1}`, []int{1}, `{"a": [1]}`},
		{"insert before an element that shares its line", "{\n  \"a\": [\n    1, 3\n  ]\n}", []int{1, 2, 3}, "{\n  \"a\": [\n    1, 2, 3\n  ]\n}"},
		{"insert into a one-line array holding a comment", `{"a": [ /* none */ ]}`, []int{1}, `{"a": [ /* none */ 1 ]}`},
		{"insert into a multi-line array holding a comment on the bracket's line", "{\n  \"a\": [ /* none */ ]\n}", []int{1}, "{\n  \"a\": [ /* none */\n    1\n  ]\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Set([]string{"a"}, tt.value); err != nil {
				t.Fatal(err)
			}
			if got := string(d.Bytes()); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			checkEdit(t, []byte(tt.in), d)
			checkSet(t, d, []string{"a"}, tt.value)
		})
	}
}

func TestSetTooDeep(t *testing.T) {
	t.Parallel()
	d, err := Parse([]byte(`{"a": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	path := make([]string, maxDepth+1)
	for i := range path {
		path[i] = "x"
	}
	var se *SyntaxError
	if err := d.Set(path, 1); !errors.As(err, &se) || !strings.Contains(err.Error(), "nesting depth") {
		t.Fatalf("Set below %d levels = %v, want a nesting depth error", maxDepth, err)
	}
	deep := json.RawMessage(strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1))
	if err := d.Set([]string{"b", "c"}, deep); err == nil {
		t.Fatal("Set of a value that makes the document too deep succeeded")
	}
	if d.Changed() {
		t.Fatal("a failed Set changed the document")
	}
}

// Members and Lookup read what Keys, Get and encoding/json read, in one walk: checked on every
// object of the real files in testdata and on the edge cases (repeated names, comments,
// empty documents, null, arrays).
func TestMembersAndLookupAgreeWithKeysAndGet(t *testing.T) {
	t.Parallel()
	docs := map[string][]byte{
		"edge":  []byte(`{"z": 1, "a": {"y": /* c */ 1, "x": [1,],}, "m": null, "z": {"k": "v"}, "\u00e9": "s", "e": {}}`),
		"empty": []byte("// nothing\n"),
	}
	files, err := filepath.Glob(filepath.Join("testdata", "files", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(f)] = b
	}
	for name, src := range docs {
		d, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var walk func(path []string)
		checked := 0
		walk = func(path []string) {
			keys, vals, ok := d.Members(path...)
			exists, isObject := d.Lookup(path...)
			raw, got := d.Get(path...)
			if exists != got {
				t.Errorf("%s %q: Lookup exists = %v, Get found = %v", name, path, exists, got)
			}
			var viaJSON map[string]json.RawMessage
			wantObject := got && json.Unmarshal(raw, &viaJSON) == nil && viaJSON != nil
			if isObject != wantObject || ok != wantObject {
				t.Errorf("%s %q: Lookup isObject = %v, Members ok = %v; encoding/json reads an object: %v", name, path, isObject, ok, wantObject)
			}
			if _, _, vok := d.MemberValues(path...); vok != ok {
				t.Errorf("%s %q: MemberValues ok = %v, Members ok = %v", name, path, vok, ok)
			}
			members, lmExists, lmObject := LookupMembers(d, path...)
			if lmExists != exists || lmObject != wantObject || !reflect.DeepEqual(members, viaJSON) {
				t.Errorf("%s %q: LookupMembers = %v, %v, %v; want %v, %v, %v", name, path, members, lmExists, lmObject, viaJSON, exists, wantObject)
			}
			if !ok {
				return
			}
			checked++
			if want := d.Keys(path...); !reflect.DeepEqual(keys, want) {
				t.Errorf("%s %q: Members keys = %q, Keys = %q", name, path, keys, want)
			}
			vkeys, values, vok := d.MemberValues(path...)
			if !vok || !reflect.DeepEqual(vkeys, keys) || len(values) != len(keys) {
				t.Errorf("%s %q: MemberValues = %q, %d values, %v; Members keys %q", name, path, vkeys, len(values), vok, keys)
			} else {
				for i, k := range keys {
					// Each value read through MemberValues is the one Members and Value give.
					sub := append(slices.Clone(path), k)
					v, found := d.Value(sub...)
					if values[i].Kind() != vals[k][0] || !found || v.Kind() != vals[k][0] {
						t.Errorf("%s %q: MemberValues[%q] kind %q, Value kind %q (found %v); Members value %s", name, path, k, values[i].Kind(), v.Kind(), found, vals[k])
					}
					ks, vs, ok := values[i].Members()
					wk, wv, wok := d.Members(sub...)
					if ok != wok || !reflect.DeepEqual(ks, wk) || !reflect.DeepEqual(vs, wv) {
						t.Errorf("%s %q: Value.Members = %q, %v, %v; Members = %q, %v, %v", name, sub, ks, vs, ok, wk, wv, wok)
					}
					for _, kk := range wk {
						mv, ok := values[i].Member(kk)
						if !ok || mv.Kind() != wv[kk][0] {
							t.Errorf("%s %q: Value.Member(%q) kind %q, %v; Members value %s", name, sub, kk, mv.Kind(), ok, wv[kk])
						}
					}
					if _, ok := values[i].Member("no such member \x00"); ok {
						t.Errorf("%s %q: Value.Member finds a member that is not there", name, sub)
					}
				}
			}
			if !reflect.DeepEqual(vals, viaJSON) {
				t.Errorf("%s %q: Members values = %v, encoding/json = %v", name, path, vals, viaJSON)
			}
			for _, k := range keys {
				if v, _ := d.Get(append(slices.Clone(path), k)...); !bytes.Equal(v, vals[k]) {
					t.Errorf("%s %q: Members[%q] = %s, Get = %s", name, path, k, vals[k], v)
				}
				walk(append(slices.Clone(path), k))
			}
		}
		walk(nil)
		walk([]string{"missing", "path"})
		if checked == 0 {
			t.Errorf("%s: no object checked", name)
		}
	}
}

// duplicatesByCount is Duplicates as it was written first, counting every object's names in a
// map: the reference for the pairwise comparison small objects get.
func duplicatesByCount(d *Doc) []string {
	if d.root == nil {
		return nil
	}
	var out, path []string
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case kindObject:
			count := map[string]int{}
			for _, m := range n.members {
				count[m.name]++
				if count[m.name] == 2 {
					out = append(out, pointer(append(path, m.name)))
				}
			}
			for _, m := range n.members {
				path = append(path, m.name)
				walk(m.value)
				path = path[:len(path)-1]
			}
		case kindArray:
			for i, e := range n.elems {
				path = append(path, strconv.Itoa(i))
				walk(e.value)
				path = path[:len(path)-1]
			}
		}
	}
	walk(d.root)
	return out
}
