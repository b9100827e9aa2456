package rulefiles

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

var allDialects = []Dialect{Cursor, Windsurf, Copilot, ClaudeRules, Kiro, Continue, Cline, Plain}

const dir = "/proj/rules"

func one(d Dialect, name string, data string) clients.Files {
	return clients.Files{dir + "/" + name + d.Ext: []byte(data)}
}

func decodeOne(t *testing.T, d Dialect, data string) (unified.Rule, []clients.Warning) {
	t.Helper()
	rules, warns, err := d.DecodeDir(one(d, "r", data))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := rules["r"]
	if !ok || len(rules) != 1 {
		t.Fatalf("rules = %#v", rules)
	}
	return r, warns
}

func TestDialectDecode(t *testing.T) {
	t.Parallel()
	ts, md := []string{"*.ts", "*.tsx"}, []string{"src/**/*.{ts,tsx}", "docs/**"}
	tests := []struct {
		name    string
		dialect Dialect
		in      string
		want    unified.Rule
		warns   []string
	}{
		{"cursor always", Cursor, "---\ndescription: Shown in the picker\nglobs:\nalwaysApply: true\n---\nBody\n", rule(always, "Shown in the picker", nil, "Body"), nil},
		{"cursor always ignores globs", Cursor, "---\nglobs: *.go\nalwaysApply: true\n---\nBody\n", rule(always, "", nil, "Body"), nil},
		{"cursor glob written unquoted by Cursor", Cursor, "---\ndescription:\nglobs: *.ts,*.tsx\nalwaysApply: false\n---\nBody\n", rule(glob, "", ts, "Body"), nil},
		{"cursor glob with spaces and braces", Cursor, "---\nglobs: src/**/*.{ts,tsx}, docs/**\n---\nBody", rule(glob, "", md, "Body"), nil},
		{"cursor glob list", Cursor, "---\nglobs: [\"*.ts\", \"*.tsx\"]\n---\n", rule(glob, "", ts, ""), nil},
		{"cursor glob block list", Cursor, "---\nglobs:\n  - \"*.ts\"\n  - \"*.tsx\"\n---\n", rule(glob, "", ts, ""), nil},
		{"cursor agent", Cursor, "---\ndescription: Use when: writing SQL\nalwaysApply: false\n---\nBody\n", rule(agent, "Use when: writing SQL", nil, "Body"), nil},
		{"cursor manual", Cursor, "---\ndescription:\nglobs:\nalwaysApply: false\n---\nBody\n", rule(manual, "", nil, "Body"), nil},
		{"cursor without frontmatter is manual", Cursor, "Just text\n", rule(manual, "", nil, "Just text"), nil},
		{"cursor quoted bool", Cursor, "---\nalwaysApply: \"True\"\n---\n", rule(always, "", nil, ""), nil},

		{"windsurf always_on", Windsurf, "---\ntrigger: always_on\n---\nB\n", rule(always, "", nil, "B"), nil},
		{"windsurf glob", Windsurf, "---\ntrigger: glob\nglobs: src/**/*.ts\ndescription: TS conventions\n---\nB\n", rule(glob, "TS conventions", []string{"src/**/*.ts"}, "B"), nil},
		{"windsurf model_decision", Windsurf, "---\ntrigger: model_decision\ndescription: When testing\n---\nB\n", rule(agent, "When testing", nil, "B"), nil},
		{"windsurf manual", Windsurf, "---\ntrigger: manual\n---\nB\n", rule(manual, "", nil, "B"), nil},
		{"windsurf no trigger with globs", Windsurf, "---\nglobs: \"*.py\"\n---\nB\n", rule(glob, "", []string{"*.py"}, "B"), nil},
		{"windsurf no frontmatter", Windsurf, "B\n", rule(always, "", nil, "B"), nil},

		{"copilot applyTo ** is always", Copilot, "---\napplyTo: \"**\"\n---\nB\n", rule(always, "", nil, "B"), nil},
		{"copilot applyTo globs", Copilot, "---\ndescription: TS\napplyTo: \"**/*.ts,**/*.tsx\"\n---\nB\n", rule(glob, "TS", []string{"**/*.ts", "**/*.tsx"}, "B"), nil},
		{"copilot unquoted applyTo", Copilot, "---\napplyTo: **/*.py\n---\nB\n", rule(glob, "", []string{"**/*.py"}, "B"), nil},
		{"copilot description only is agent", Copilot, "---\nname: Python\ndescription: Python standards\n---\nB\n", rule(agent, "Python standards", nil, "B"), nil},
		{"copilot nothing is manual", Copilot, "B\n", rule(manual, "", nil, "B"), nil},

		{"claude paths list", ClaudeRules, "---\npaths:\n  - \"src/api/**/*.ts\"\n  - \"lib/**\"\n---\nB\n", rule(glob, "", []string{"src/api/**/*.ts", "lib/**"}, "B"), nil},
		{"claude paths string", ClaudeRules, "---\npaths: src/**/*.ts\n---\nB\n", rule(glob, "", []string{"src/**/*.ts"}, "B"), nil},
		{"claude no paths", ClaudeRules, "# Always\n\nB\n", rule(always, "", nil, "# Always\n\nB"), nil},

		{"kiro default is always", Kiro, "---\ntitle: x\n---\nB\n", rule(always, "", nil, "B"), nil},
		{"kiro always", Kiro, "---\ninclusion: always\n---\nB\n", rule(always, "", nil, "B"), nil},
		{"kiro fileMatch", Kiro, "---\ninclusion: fileMatch\nfileMatchPattern: \"components/**/*.tsx\"\n---\nB\n", rule(glob, "", []string{"components/**/*.tsx"}, "B"), nil},
		{"kiro fileMatch list", Kiro, "---\ninclusion: fileMatch\nfileMatchPattern: [\"*.ts\", \"*.tsx\"]\n---\nB\n", rule(glob, "", ts, "B"), nil},
		{"kiro manual", Kiro, "---\ninclusion: manual\n---\nB\n", rule(manual, "", nil, "B"), nil},
		{"kiro auto", Kiro, "---\ninclusion: auto\nname: api\ndescription: API design\n---\nB\n", rule(agent, "API design", nil, "B"), nil},

		{"continue alwaysApply", Continue, "---\nname: Style\nalwaysApply: true\n---\nB\n", rule(always, "", nil, "B"), nil},
		{"continue globs string is one pattern", Continue, "---\nglobs: \"**/*.{ts,tsx}\"\n---\nB\n", rule(glob, "", []string{"**/*.{ts,tsx}"}, "B"), nil},
		{"continue globs list", Continue, "---\nglobs: [\"src/**/*.ts\", \"tests/**/*.ts\"]\nalwaysApply: false\n---\nB\n", rule(glob, "", []string{"src/**/*.ts", "tests/**/*.ts"}, "B"), nil},
		{"continue agent", Continue, "---\ndescription: Pull in for SQL\nalwaysApply: false\n---\nB\n", rule(agent, "Pull in for SQL", nil, "B"), nil},
		{"continue manual", Continue, "---\nalwaysApply: false\n---\nB\n", rule(manual, "", nil, "B"), nil},
		{"continue nothing is always", Continue, "B\n", rule(always, "", nil, "B"), nil},
		{"continue regex is a warning", Continue, "---\nregex: \"^import\"\n---\nB\n", rule(always, "", nil, "B"), []string{clients.WarnUnsupportedEntry}},

		{"cline paths", Cline, "---\npaths: [\"src/**\"]\n---\nB\n", rule(glob, "", []string{"src/**"}, "B"), nil},
		{"cline always", Cline, "B\n", rule(always, "", nil, "B"), nil},

		{"plain keeps a frontmatter as text", Plain, "---\ntrigger: glob\n---\nB\n", rule(always, "", nil, "---\ntrigger: glob\n---\nB"), nil},
		{"plain", Plain, "\n\nB\n\n", rule(always, "", nil, "B"), nil},

		{"CRLF and BOM", Cursor, utf8BOM + "---\r\ndescription: d\r\nalwaysApply: true\r\n---\r\n\r\nline 1\r\nline 2\r\n", rule(always, "d", nil, "line 1\nline 2"), nil},
		{"empty frontmatter", Cursor, "---\n---\nB", rule(manual, "", nil, "B"), nil},
		{"comment-only frontmatter", Windsurf, "---\n# nothing here\n---\nB", rule(always, "", nil, "B"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns := decodeOne(t, tt.dialect, tt.in)
			want, _ := normalizeRule("r", tt.want)
			if !sameRule(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
			assertWarnCodes(t, warns, tt.warns...)
			// Encoding what was decoded changes nothing.
			files := one(tt.dialect, "r", tt.in)
			out, _, err := tt.dialect.EncodeDir(dir, files, map[string]unified.Rule{"r": got})
			if err != nil || len(out) != 0 {
				t.Fatalf("no-op encode returned %v, %v", out, err)
			}
		})
	}
}

// TestDialectRoundTrip writes every activation (and the awkward combinations) into a new
// file of every dialect and reads it back: what comes back is the rule, or its documented
// closest form together with a warning for each thing lost.
func TestDialectRoundTrip(t *testing.T) {
	t.Parallel()
	globs := []string{"src/**/*.{ts,tsx}", "*.md"}
	inputs := []struct {
		name string
		r    unified.Rule
	}{
		{"always", rule(always, "D", nil, "body")},
		{"glob", rule(glob, "D", globs, "body")},
		{"agent", rule(agent, "D", nil, "body")},
		{"manual", rule(manual, "", nil, "body")},
		{"manual with description", rule(manual, "D", nil, "body")},
		{"agent without description", rule(agent, "", nil, "body")},
		{"glob without globs", rule(glob, "D", nil, "body")},
		{"always with globs", rule(always, "", []string{"x"}, "body")},
	}
	const drop = clients.WarnDroppedField
	type want struct {
		act   unified.Activation
		desc  string
		globs []string
		warns []string
	}
	exact := func(r unified.Rule) want { return want{r.Activation, r.Description, r.Globs, nil} }
	// Per dialect, per input name: only what differs from an exact round trip.
	lossy := map[string]map[string]want{
		"cursor": {
			"manual with description":   {manual, "", nil, []string{drop}},
			"agent without description": {manual, "", nil, []string{drop}},
			"glob without globs":        {agent, "D", nil, []string{drop}},
			"always with globs":         {always, "", nil, []string{drop}},
		},
		"windsurf": {"always with globs": {always, "", nil, []string{drop}}},
		"kiro":     {"always with globs": {always, "", nil, []string{drop}}},
		"claude": {
			"agent":                     {always, "D", nil, []string{drop}},
			"manual":                    {always, "", nil, []string{drop}},
			"manual with description":   {always, "D", nil, []string{drop}},
			"agent without description": {always, "", nil, []string{drop}},
			"glob without globs":        {always, "D", nil, []string{drop}},
			"always with globs":         {always, "", nil, []string{drop}},
		},
		"plain": {
			"always":                    {always, "", nil, []string{drop}},
			"glob":                      {always, "", nil, []string{drop, drop, drop}},
			"agent":                     {always, "", nil, []string{drop, drop}},
			"manual":                    {always, "", nil, []string{drop}},
			"manual with description":   {always, "", nil, []string{drop, drop}},
			"agent without description": {always, "", nil, []string{drop}},
			"glob without globs":        {always, "", nil, []string{drop, drop}},
			"always with globs":         {always, "", nil, []string{drop}},
		},
	}
	lossy["copilot"], lossy["continue"], lossy["cline"] = lossy["cursor"], lossy["cursor"], lossy["claude"]
	for _, d := range allDialects {
		for _, in := range inputs {
			t.Run(d.Name+"/"+in.name, func(t *testing.T) {
				t.Parallel()
				w, ok := lossy[d.Name][in.name]
				if !ok {
					w = exact(in.r)
				}
				rules := map[string]unified.Rule{"r": in.r}
				files, warns, err := d.EncodeDir(dir, nil, rules)
				if err != nil {
					t.Fatal(err)
				}
				assertWarnCodes(t, warns, w.warns...)
				got, _, err := d.DecodeDir(files)
				if err != nil {
					t.Fatalf("%v\n%s", err, files[dir+"/r"+d.Ext])
				}
				wantRule, _ := normalizeRule("r", rule(w.act, w.desc, w.globs, in.r.Body))
				if !sameRule(got["r"], wantRule) {
					t.Fatalf("got  %#v\nwant %#v\nfile:\n%s", got["r"], wantRule, files[dir+"/r"+d.Ext])
				}
				// Writing the same rule again changes nothing (the lossy form is stable).
				again, warns2, err := d.EncodeDir(dir, files, rules)
				if err != nil || len(again) != 0 {
					t.Fatalf("second encode returned %v, %v", again, err)
				}
				assertWarnCodes(t, warns2, w.warns...)
			})
		}
	}
}

func TestDialectEditInPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dialect Dialect
		before  string
		rule    unified.Rule
		after   string
	}{
		{
			name:    "cursor keeps comments, unknown keys and their order",
			dialect: Cursor,
			before: "---\n# Cursor rule for TypeScript\ndescription: Old text   # shown in the picker\nglobs: *.ts\npriority: 3            # not a Cursor key\n" +
				"alwaysApply: false\ntags: [a, b]\n---\n\nBody line 1\nBody line 2\n\n",
			rule: rule(glob, "New text", []string{"*.ts", "*.tsx"}, "Body line 1\nchanged line 2"),
			after: "---\n# Cursor rule for TypeScript\ndescription: New text # shown in the picker\nglobs: *.ts,*.tsx\npriority: 3            # not a Cursor key\n" +
				"alwaysApply: false\ntags: [a, b]\n---\n\nBody line 1\nchanged line 2\n\n",
		},
		{
			name:    "cursor body only keeps the frontmatter bytes",
			dialect: Cursor,
			before:  "---\nalwaysApply:   yes\ndescription:  'quoted'\n---\nold",
			rule:    rule(always, "quoted", nil, "new"),
			after:   "---\nalwaysApply:   yes\ndescription:  'quoted'\n---\nnew",
		},
		{
			name:    "cursor keeps a list a list",
			dialect: Cursor,
			before:  "---\nglobs:\n  - a\n  - b\n# trailing comment\n---\nB\n",
			rule:    rule(glob, "", []string{"a", "c"}, "B"),
			after:   "---\nglobs:\n  - \"a\"\n  - \"c\"\n# trailing comment\nalwaysApply: false\n---\nB\n",
		},
		{
			name:    "cursor writes a list when a glob holds a comma",
			dialect: Cursor,
			before:  "---\nalwaysApply: true\n---\nB\n",
			rule:    rule(glob, "", []string{"weird,name.md"}, "B"),
			after:   "---\nalwaysApply: false\nglobs:\n  - \"weird,name.md\"\n---\nB\n",
		},
		{
			name:    "cursor always to agent removes globs",
			dialect: Cursor,
			before:  "---\ndescription: keep\nglobs: *.go\nalwaysApply: true\n---\nB\n",
			rule:    rule(agent, "keep", nil, "B"),
			after:   "---\ndescription: keep\nalwaysApply: false\n---\nB\n",
		},
		{
			name:    "windsurf CRLF and BOM",
			dialect: Windsurf,
			before:  utf8BOM + "---\r\ntrigger: always_on\r\nauthor: me\r\n---\r\nline 1\r\nline 2\r\n",
			rule:    rule(glob, "TS", []string{"src/**/*.ts"}, "line 1\nline 2\nline 3"),
			after:   utf8BOM + "---\r\ntrigger: glob\r\nauthor: me\r\ndescription: TS\r\nglobs: src/**/*.ts\r\n---\r\nline 1\r\nline 2\r\nline 3\r\n",
		},
		{
			name:    "copilot keeps name and excludeAgent",
			dialect: Copilot,
			before:  "---\nname: 'Python Standards'\ndescription: 'Coding conventions for Python files'\napplyTo: '**/*.py'\nexcludeAgent: code-review\n---\n# Python\n",
			rule:    rule(glob, "Coding conventions for Python files", []string{"**/*.py", "**/*.pyi"}, "# Python"),
			after:   "---\nname: 'Python Standards'\ndescription: 'Coding conventions for Python files'\napplyTo: \"**/*.py,**/*.pyi\"\nexcludeAgent: code-review\n---\n# Python\n",
		},
		{
			name:    "claude adds a frontmatter",
			dialect: ClaudeRules,
			before:  "# API rules\n\n- Validate input.\n",
			rule:    rule(glob, "", []string{"src/api/**/*.ts"}, "# API rules\n\n- Validate input."),
			after:   "---\npaths:\n  - \"src/api/**/*.ts\"\n---\n# API rules\n\n- Validate input.\n",
		},
		{
			name:    "claude removes the frontmatter it emptied",
			dialect: ClaudeRules,
			before:  "---\npaths:\n  - \"src/api/**/*.ts\"\n---\n# API rules\n",
			rule:    rule(always, "", nil, "# API rules"),
			after:   "# API rules\n",
		},
		{
			name:    "claude keeps a string a string",
			dialect: ClaudeRules,
			before:  "---\npaths: src/**\n---\nB\n",
			rule:    rule(glob, "", []string{"lib/**"}, "B"),
			after:   "---\npaths: \"lib/**\"\n---\nB\n",
		},
		{
			name:    "kiro auto adds a name",
			dialect: Kiro,
			before:  "---\ninclusion: always\n---\nB\n",
			rule:    rule(agent, "API design", nil, "B"),
			after:   "---\ninclusion: auto\nname: r\ndescription: API design\n---\nB\n",
		},
		{
			name:    "continue keeps regex and name",
			dialect: Continue,
			before:  "---\nname: Imports\nregex: \"^import\"\nalwaysApply: true\n---\nB\n",
			rule:    rule(glob, "", []string{"**/*.ts"}, "B"),
			after:   "---\nname: Imports\nregex: \"^import\"\nalwaysApply: false\nglobs: \"**/*.ts\"\n---\nB\n",
		},
		{
			name:    "body starting with --- keeps an empty frontmatter",
			dialect: ClaudeRules,
			before:  "old\n",
			rule:    rule(always, "", nil, "---\ntitle: not yaml\n---\nrest"),
			after:   "---\n---\n---\ntitle: not yaml\n---\nrest\n",
		},
		{
			name:    "plain",
			dialect: Plain,
			before:  utf8BOM + "\r\nold\r\n",
			rule:    rule(always, "", nil, "new 1\nnew 2"),
			after:   utf8BOM + "\r\nnew 1\r\nnew 2\r\n",
		},
		{
			name:    "frontmatter at end of file",
			dialect: Cursor,
			before:  "---\nalwaysApply: true\n---",
			rule:    rule(always, "", nil, "now a body"),
			after:   "---\nalwaysApply: true\n---\nnow a body\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := one(tt.dialect, "r", tt.before)
			out, _, err := tt.dialect.EncodeDir(dir, files, map[string]unified.Rule{"r": tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			p := dir + "/r" + tt.dialect.Ext
			if len(out) != 1 || out[p] == nil {
				t.Fatalf("out = %v", out)
			}
			if string(out[p]) != tt.after {
				t.Fatalf("got:\n%q\nwant:\n%q", out[p], tt.after)
			}
		})
	}
}

func TestDialectSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		dialect   Dialect
		in        string
		line, col int
		msg       string
	}{
		{"unclosed frontmatter", Cursor, "---\ndescription: x\nbody\n", 1, 1, "not closed"},
		{"invalid YAML", Windsurf, "---\ntrigger: glob\nglobs: [unclosed\n---\nB\n", 3, 0, "did not find expected ',' or ']'"},
		{"invalid YAML without a line from the parser", Cursor, "---\ndescription: ok\nfoo: bar: baz\n---\n", 3, 0, "mapping values are not allowed"},
		{"unknown key with an alias is not forgiven", Cursor, "---\nfoo: *bar\n---\n", 2, 0, "frontmatter"},
		{"tabs", Copilot, "---\napplyTo: x\n\tdescription: y\n---\n", 3, 0, "frontmatter"},
		{"a list is not a frontmatter", Cursor, "---\n- a\n- b\n---\n", 2, 1, "expected a mapping"},
		{"two documents", Cursor, "---\na: 1\n--- # second\nb: 2\n---\n", 3, 1, "second one"},
		{"broken second document", Cursor, "---\na: 1\n...\n--- b: 2\n---\n", 4, 0, "mapping values are not allowed"},
		{"unclosed flow list is not read as a glob", Cursor, "---\nglobs: [*.ts, *.tsx\n---\n", 2, 0, "frontmatter"},
		{"error after a multi-line flow list", Windsurf, "---\nglobs: [\n  \"a\",\n  \"b\"\n]\nfoo: x: y\n---\n", 6, 0, "mapping values are not allowed"},
		{"lenient globs do not hide another error", Cursor, "---\nglobs: *.ts\nfoo: bar: baz\n---\n", 3, 0, "mapping values are not allowed"},
		{"bad bool", Cursor, "---\ndescription: d\nalwaysApply: maybe\n---\n", 3, 14, "alwaysApply must be true or false"},
		{"bad trigger", Windsurf, "---\ntrigger: sometimes\n---\n", 2, 10, `trigger is "sometimes"; expected one of always_on, glob, model_decision, manual`},
		{"bad inclusion", Kiro, "---\ninclusion: often\n---\n", 2, 12, "expected one of always, fileMatch, manual, auto"},
		{"duplicate owned key", Copilot, "---\napplyTo: a\ndescription: d\napplyTo: b\n---\n", 4, 1, "duplicate key applyTo (first on line 2)"},
		{"globs as a mapping", Continue, "---\nglobs: {a: b}\n---\n", 2, 8, "must be a glob string or a list"},
		{"globs list of lists", ClaudeRules, "---\npaths:\n  - [a]\n---\n", 3, 5, "must be a list of glob strings"},
		{"description as a list", Cursor, "---\ndescription: [a]\n---\n", 2, 14, "description must be text"},
		{"line after a BOM and CRLF", Cursor, utf8BOM + "---\r\n\r\nalwaysApply: 7\r\n---\r\n", 3, 14, "alwaysApply must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := dir + "/r" + tt.dialect.Ext
			_, _, err := tt.dialect.DecodeDir(clients.Files{path: []byte(tt.in)})
			syntaxErr(t, err, path, tt.line, tt.col, tt.msg)
			out, _, err := tt.dialect.EncodeDir(dir, clients.Files{path: []byte(tt.in)}, map[string]unified.Rule{"r": rule(always, "", nil, "x")})
			if out != nil {
				t.Fatalf("EncodeDir returned files for a broken one: %v", out)
			}
			syntaxErr(t, err, path, tt.line, tt.col, tt.msg)
		})
	}
}

func TestDialectFlowFrontmatter(t *testing.T) {
	t.Parallel()
	files := one(Cursor, "r", "---\n{description: d, alwaysApply: true}\n---\nB\n")
	rules, _, err := Cursor.DecodeDir(files)
	if err != nil {
		t.Fatal(err)
	}
	assertRules(t, rules, norm(t, map[string]unified.Rule{"r": rule(always, "d", nil, "B")}))
	// The body can change without touching the frontmatter…
	out, _, err := Cursor.EncodeDir(dir, files, map[string]unified.Rule{"r": rule(always, "d", nil, "B2")})
	if err != nil || string(out[dir+"/r.mdc"]) != "---\n{description: d, alwaysApply: true}\n---\nB2\n" {
		t.Fatalf("got %q, %v", out[dir+"/r.mdc"], err)
	}
	// …but a key cannot be edited in place.
	_, _, err = Cursor.EncodeDir(dir, files, map[string]unified.Rule{"r": rule(manual, "", nil, "B")})
	if !errors.Is(err, ErrNotEditable) {
		t.Fatalf("err = %v", err)
	}
}

func TestDialectAnchoredValue(t *testing.T) {
	t.Parallel()
	files := one(Windsurf, "r", "---\ntrigger: always_on\ndescription: &d shared text\nnote: *d\n---\nB\n")
	rules, _, err := Windsurf.DecodeDir(files)
	if err != nil {
		t.Fatal(err)
	}
	assertRules(t, rules, norm(t, map[string]unified.Rule{"r": rule(always, "shared text", nil, "B")}))
	// Changing the trigger is fine; changing the anchored description is refused.
	out, _, err := Windsurf.EncodeDir(dir, files, map[string]unified.Rule{"r": rule(manual, "shared text", nil, "B")})
	if err != nil || !strings.Contains(string(out[dir+"/r.md"]), "trigger: manual\ndescription: &d shared text\nnote: *d\n") {
		t.Fatalf("got %q, %v", out[dir+"/r.md"], err)
	}
	_, _, err = Windsurf.EncodeDir(dir, files, map[string]unified.Rule{"r": rule(always, "new", nil, "B")})
	if !errors.Is(err, ErrNotEditable) || !strings.Contains(err.Error(), "anchor") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodeDirFiles(t *testing.T) {
	t.Parallel()
	existing := clients.Files{
		dir + "/keep.mdc":   []byte("---\nalwaysApply: true\n---\nkeep\n"),
		dir + "/change.mdc": []byte("---\nalwaysApply: true\n---\nold\n"),
		dir + "/gone.mdc":   []byte("---\nalwaysApply: true\n---\ngone\n"),
		dir + "/README.md":  []byte("not a rule"),
		dir + "/absent.mdc": nil,
	}
	rules := map[string]unified.Rule{
		"keep":   rule(always, "", nil, "keep"),
		"change": rule(always, "", nil, "new"),
		"added":  rule(agent, "d", nil, "added"),
		"a/b:c":  rule(always, "", nil, "unsafe name"),
		".dot":   rule(always, "", nil, "hidden"),
		"CON":    rule(always, "", nil, "device"),
	}
	out, warns, err := Cursor.EncodeDir(dir, existing, rules)
	if err != nil {
		t.Fatal(err)
	}
	assertWarnCodes(t, warns)
	wantPaths := []string{dir + "/%2Edot.mdc", dir + "/%43ON.mdc", dir + "/a%2Fb%3Ac.mdc", dir + "/added.mdc", dir + "/change.mdc", dir + "/gone.mdc"}
	if got := out.Sorted(); strings.Join(got, " ") != strings.Join(wantPaths, " ") {
		t.Fatalf("paths %v, want %v", got, wantPaths)
	}
	if out[dir+"/gone.mdc"] != nil {
		t.Fatal("gone.mdc is not deleted")
	}
	// Apply the change and read it back: the names round-trip.
	got, warns, err := Cursor.DecodeDir(clients.Apply(existing, out))
	if err != nil {
		t.Fatal(err)
	}
	assertWarnCodes(t, warns, clients.WarnUnsupportedEntry) // README.md
	assertRules(t, got, norm(t, rules))
}

func TestEncodeDirNames(t *testing.T) {
	t.Parallel()
	t.Run("too long", func(t *testing.T) {
		t.Parallel()
		out, warns, err := Plain.EncodeDir(dir, nil, map[string]unified.Rule{strings.Repeat("x", 253): {Body: "b"}})
		if err != nil || len(out) != 0 {
			t.Fatalf("%v %v", out, err)
		}
		assertWarnCodes(t, warns, clients.WarnInvalidName)
	})
	t.Run("differs only in case from an existing file", func(t *testing.T) {
		t.Parallel()
		files := clients.Files{dir + "/Style.md": []byte("x\n")}
		out, warns, err := Plain.EncodeDir(dir, files, map[string]unified.Rule{"style": {Body: "y"}})
		if err != nil {
			t.Fatal(err)
		}
		// The old file goes; the new one waits for the next pass, so a case-insensitive
		// file system never sees a write and a delete of the same file at once.
		if len(out) != 1 || out[dir+"/Style.md"] != nil {
			t.Fatalf("out = %v", out)
		}
		assertWarnCodes(t, warns, clients.WarnInvalidName)
	})
	t.Run("two new rules that differ only in case", func(t *testing.T) {
		t.Parallel()
		out, warns, err := Plain.EncodeDir(dir, nil, map[string]unified.Rule{"A": {Body: "1"}, "a": {Body: "2"}})
		if err != nil || len(out) != 1 || out[dir+"/A.md"] == nil {
			t.Fatalf("%v %v", out, err)
		}
		assertWarnCodes(t, warns, clients.WarnInvalidName)
	})
	t.Run("two files with one name", func(t *testing.T) {
		t.Parallel()
		files := clients.Files{dir + "/AA.md": []byte("first\n"), dir + "/A%41.md": []byte("second\n")}
		rules, warns, err := Plain.DecodeDir(files)
		if err != nil || len(rules) != 1 || rules["AA"].Body != "second" {
			t.Fatalf("%v %v", rules, err)
		}
		assertWarnCodes(t, warns, clients.WarnInvalidName)
		out, _, err := Plain.EncodeDir(dir, files, rules)
		if err != nil || len(out) != 0 {
			t.Fatalf("the ignored duplicate was touched: %v %v", out, err)
		}
	})
	t.Run("file without a name", func(t *testing.T) {
		t.Parallel()
		rules, warns, err := Cursor.DecodeDir(clients.Files{dir + "/.mdc": []byte("x")})
		if err != nil || len(rules) != 0 {
			t.Fatalf("%v %v", rules, err)
		}
		assertWarnCodes(t, warns, clients.WarnInvalidName)
	})
	t.Run("Windows directory", func(t *testing.T) {
		t.Parallel()
		out, _, err := Copilot.EncodeDir(`C:\proj\.github\instructions`, nil, map[string]unified.Rule{"py": {Body: "b"}})
		if err != nil || out[`C:\proj\.github\instructions\py.instructions.md`] == nil {
			t.Fatalf("%v %v", out.Sorted(), err)
		}
	})
	t.Run("extension matched without case", func(t *testing.T) {
		t.Parallel()
		rules, _, err := Cursor.DecodeDir(clients.Files{dir + "/Up.MDC": []byte("---\nalwaysApply: true\n---\nx")})
		if err != nil || rules["Up"].Body != "x" {
			t.Fatalf("%v %v", rules, err)
		}
	})
}

func TestCursorBareGlobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		globs []string
		line  string
	}{
		{[]string{"*.ts", "*.tsx"}, "globs: *.ts,*.tsx"},
		{[]string{"**/*"}, "globs: **/*"},
		{[]string{"src/**/*.{ts,tsx}"}, "globs: src/**/*.{ts,tsx}"},
		{[]string{"{a,b}/*.go"}, "globs: {a,b}/*.go"},
		{[]string{"[abc]*.go"}, "globs: [abc]*.go"},
		{[]string{"{a,b}"}, `globs: "{a,b}"`},
		{[]string{"[a]"}, `globs: "[a]"`},
		{[]string{"true"}, "globs: true"},
		{[]string{"null"}, `globs: "null"`},
		{[]string{"'quoted'"}, `globs: "'quoted'"`},
		{[]string{"a #b"}, `globs: "a #b"`},
		{[]string{"*.md", "a,b"}, "globs:\n  - \"*.md\"\n  - \"a,b\""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			out, _, err := Cursor.EncodeDir(dir, nil, map[string]unified.Rule{"r": rule(glob, "", tt.globs, "B")})
			if err != nil {
				t.Fatal(err)
			}
			data := string(out[dir+"/r.mdc"])
			if want := "---\n" + tt.line + "\nalwaysApply: false\n---\nB\n"; data != want {
				t.Fatalf("got %q, want %q", data, want)
			}
		})
	}
}

func TestDecodeDirSkipsAbsentAndForeignFiles(t *testing.T) {
	t.Parallel()
	rules, warns, err := Copilot.DecodeDir(clients.Files{
		dir + "/a.instructions.md":    []byte("---\napplyTo: \"**\"\n---\nA"),
		dir + "/notes.md":             []byte("not a Copilot instructions file"),
		dir + "/gone.instructions.md": nil,
	})
	if err != nil || len(rules) != 1 {
		t.Fatalf("%v %v", rules, err)
	}
	assertWarnCodes(t, warns, clients.WarnUnsupportedEntry)
}

func TestEncodeDirInvalidActivation(t *testing.T) {
	t.Parallel()
	_, _, err := Kiro.EncodeDir(dir, nil, map[string]unified.Rule{"r": {Activation: "weekly"}})
	if err == nil {
		t.Fatal("an unknown activation was accepted")
	}
}

func TestEncodeDirInvalidUTF8(t *testing.T) {
	t.Parallel()
	in := map[string]unified.Rule{"r": rule(glob, "bad \xff byte", []string{"a\xfe.md"}, "body \xff kept")}
	out, warns, err := Windsurf.EncodeDir(dir, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	assertWarnCodes(t, warns, clients.WarnDroppedField, clients.WarnDroppedField)
	got, _, err := Windsurf.DecodeDir(out)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := normalizeRule("r", rule(glob, "bad \uFFFD byte", []string{"a\uFFFD.md"}, "body \xff kept"))
	if !sameRule(got["r"], want) {
		t.Fatalf("got %#v", got["r"])
	}
	if !bytes.Contains(out[dir+"/r.md"], []byte("body \xff kept")) {
		t.Fatal("the body's bytes were changed")
	}
}
