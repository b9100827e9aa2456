package rulefiles

import (
	"bytes"
	"errors"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// fuzzRule is added to whatever a fuzzed file holds: it exercises every escape.
var fuzzRule = rule(glob, "a \"quoted\" --> <x> & \n description", []string{"src/**/*.{go,mod}", "a,b", "{odd"}, "<!-- aisync:end -->\nbody\r\n")

// FuzzDecodeBlocks checks, for any file and any text used as a rule's name, description,
// glob and body, that DecodeBlocks never panics, that a file that does not parse is
// refused by both directions with a *clients.SyntaxError, and that for a file that parses:
// encoding its own rules gives the same bytes, adding and changing rules reads back exactly
// and is idempotent, and removing every rule from a file that had no region restores it.
func FuzzDecodeBlocks(f *testing.F) {
	for _, seed := range []string{
		"",
		"# Title\n\nText without a region.",
		string(readTestdata(f, "blocks/claude.md")),
		string(readTestdata(f, "blocks/claude_insert.golden")),
		string(readTestdata(f, "blocks/agents_insert.golden")),
		"<!-- aisync:begin -->\r\n<!-- aisync:rule name=\"a\" activation=\"glob\" globs=\"*.{a,b},c&#44;d\" -->\r\n<!--! aisync:end -->\r\n<!-- aisync:end-rule -->\r\n<!-- aisync:end -->",
		"<!-- aisync:begin -->\n<!-- aisync:rule name=\"x\" -->\n",
		"text\r",
	} {
		f.Add([]byte(seed), "t\"ext --> & <x>\n,{a,b}")
	}
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		const path = "CLAUDE.md"
		rules, _, err := DecodeBlocks(path, data)
		if err != nil {
			var se *clients.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("decode error is not a SyntaxError: %v", err)
			}
			if out, err := EncodeBlocks(path, data, map[string]unified.Rule{"x": {Body: "y"}}); err == nil || out != nil {
				t.Fatalf("encode accepted a file decode refused")
			}
			return
		}
		out, err := EncodeBlocks(path, data, rules)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("no-op encode changed the file (err %v):\n%q\n%q", err, out, data)
		}

		mod := map[string]unified.Rule{"fuzz added": fuzzRule}
		if text != "" {
			mod["fuzz "+text] = rule(unified.ActivationGlob, text, []string{text, "x"}, text)
		}
		first := true
		for name, r := range rules {
			if first {
				r.Body += "\nchanged"
				r.Activation, r.Description = unified.ActivationAgent, "changed"
				first = false
			}
			mod[name] = r
		}
		out2, err := EncodeBlocks(path, data, mod)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := DecodeBlocks(path, out2)
		if err != nil {
			t.Fatalf("%v\n%q", err, out2)
		}
		assertRules(t, got, norm(t, mod))
		out3, err := EncodeBlocks(path, out2, mod)
		if err != nil || !bytes.Equal(out3, out2) {
			t.Fatalf("encode is not idempotent (err %v)", err)
		}

		empty, err := EncodeBlocks(path, out2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := DecodeBlocks(path, empty); err != nil || len(got) != 0 {
			t.Fatalf("rules left after removing all: %v %v", got, err)
		}
		if doc, _ := parseBlocks(path, data); doc.region == nil && !bytes.Equal(empty, data) && !(len(data) == 0 && len(empty) == 0) {
			t.Fatalf("removing the region did not restore the file:\n got %q\nwant %q", empty, data)
		}
	})
}

// FuzzDecodeDir checks every dialect, for any file and any text used as a description and a
// glob: decoding never panics, a refused file is refused by
// both directions, encoding the decoded rule changes nothing, and writing each activation
// (with a changed body) reads back as the dialect's documented form and is idempotent.
func FuzzDecodeDir(f *testing.F) {
	seeds := []string{
		"---\ndescription: d\nglobs: *.ts,*.tsx\nalwaysApply: false\n---\nBody\n",
		"---\n# c\ndescription: Old   # shown\nglobs:\n  - a\n  - b\npriority: 3\n---\n\nB\n\n",
		utf8BOM + "---\r\ntrigger: glob\r\nglobs: src/**/*.ts\r\n---\r\nx\r\n",
		"---\napplyTo: \"**/*.ts,**/*.tsx\"\nname: n\n---\n# T\n",
		"---\npaths: [\"src/**\"]\n---\n",
		"---\ninclusion: fileMatch\nfileMatchPattern: [\"*.ts\"]\n---\nB",
		"---\nname: n\nregex: x\nglobs: \"**/*.{ts,tsx}\"\nalwaysApply: false\n---\nB",
		"---\n{description: d}\n---\n",
		"---\n---\n---\n",
		"no frontmatter",
		"---\nglobs: [unclosed\n---\n",
	}
	for i, s := range seeds {
		for d := range allDialects {
			if d%2 == i%2 || i < 2 {
				f.Add([]byte(s), uint8(d), "fuzz: \"description\"")
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, text string) {
		d := allDialects[int(which)%len(allDialects)]
		path := dir + "/x" + d.Ext
		files := clients.Files{path: data}
		rules, _, err := d.DecodeDir(files)
		if err != nil {
			var se *clients.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("decode error is not a SyntaxError: %v", err)
			}
			if out, _, err := d.EncodeDir(dir, files, rules); err == nil || out != nil {
				t.Fatal("encode accepted a file decode refused")
			}
			return
		}
		out, _, err := d.EncodeDir(dir, files, rules)
		if err != nil || len(out) != 0 {
			t.Fatalf("no-op encode returned %q, %v", out, err)
		}
		base := rules["x"]
		for _, act := range []unified.Activation{unified.ActivationAlways, unified.ActivationGlob, unified.ActivationAgent, unified.ActivationManual} {
			r := base
			r.Activation, r.Body = act, base.Body+"\nfuzz\r\n"
			if act == unified.ActivationGlob {
				r.Globs = []string{"src/**/*.{go,mod}", text, "*.md"}
			} else {
				r.Globs = nil
			}
			if act == unified.ActivationAgent {
				r.Description = text
			}
			want := map[string]unified.Rule{"x": r}
			out, _, err := d.EncodeDir(dir, files, want)
			if errors.Is(err, ErrNotEditable) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", act, err)
			}
			next := clients.Files{path: data}
			for p, b := range out {
				next[p] = b
			}
			got, _, err := d.DecodeDir(next)
			if err != nil {
				t.Fatalf("%s: %v\n%q", act, err, next[path])
			}
			n, _ := normalizeRule("x", r)
			_, expect, _ := d.project(n)
			if !sameRule(got["x"], expect) {
				t.Fatalf("%s: got %#v\nwant %#v\nfile %q", act, got["x"], expect, next[path])
			}
			again, _, err := d.EncodeDir(dir, next, want)
			if err != nil || len(again) != 0 {
				t.Fatalf("%s: encode is not idempotent: %q %v", act, again, err)
			}
		}
	})
}
