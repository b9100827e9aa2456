package rulefiles

import (
	"reflect"
	"strings"
	"testing"
)

func TestStemFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, stem string }{
		{"style", "style"},
		{"go-style_v1.2", "go-style_v1.2"},
		{"api/v2", "api%2Fv2"},
		{`win\path`, "win%5Cpath"},
		{"c:d*e?f", "c%3Ad%2Ae%3Ff"},
		{`"q"<a>|b`, "%22q%22%3Ca%3E%7Cb"},
		{".hidden", "%2Ehidden"},
		{"a.b.", "a.b."},
		{"100%", "100%25"},
		{"tab\tnew\nline", "tab%09new%0Aline"},
		{"CON", "%43ON"},
		{"nul.txt", "%6Eul.txt"},
		{"com1", "%63om1"},
		{"COM10", "COM10"},
		{"日本語 ✓", "日本語 ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stem, ok := stemFor(tt.name)
			if !ok || stem != tt.stem {
				t.Fatalf("stemFor = %q, %v; want %q", stem, ok, tt.stem)
			}
			if strings.ContainsAny(stem, `/\:*?"<>|`) || strings.HasPrefix(stem, ".") {
				t.Fatalf("unsafe stem %q", stem)
			}
			if back := nameFor(stem); back != tt.name {
				t.Fatalf("nameFor(%q) = %q, want %q", stem, back, tt.name)
			}
		})
	}
	if _, ok := stemFor(""); ok {
		t.Fatal("an empty name got a file name")
	}
}

func TestNameForHandWrittenFiles(t *testing.T) {
	t.Parallel()
	for stem, want := range map[string]string{
		"100%":    "100%",
		"50%off":  "50%off",
		"a%2fb":   "a/b",
		"%":       "%",
		"%4":      "%4",
		"plain":   "plain",
		"%41%42C": "ABC",
	} {
		if got := nameFor(stem); got != want {
			t.Errorf("nameFor(%q) = %q, want %q", stem, got, want)
		}
	}
}

func TestSplitGlobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"*.ts", []string{"*.ts"}},
		{"*.ts,*.tsx", []string{"*.ts", "*.tsx"}},
		{" src/** , docs/** ,", []string{"src/**", "docs/**"}},
		{"**/*.{ts,tsx},*.md", []string{"**/*.{ts,tsx}", "*.md"}},
		{"a/{b,{c,d}}/e,f", []string{"a/{b,{c,d}}/e", "f"}},
		{"}a,b", []string{"}a", "b"}},
		{"{a,b", []string{"{a,b"}},
	}
	for _, tt := range tests {
		if got := splitGlobs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitGlobs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeBody(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                       "",
		"\n\n":                   "",
		"a":                      "a",
		"a\n":                    "a",
		"\r\n\r\na\r\nb\r\n\r\n": "a\nb",
		"  indented\n\n":         "  indented",
		"a\r\r\nb\r":             "a\nb",
		"a\rb":                   "a\rb",
		"a\n\n\nb":               "a\n\n\nb",
		"\n  \n":                 "  ",
	}
	for in, want := range tests {
		got := NormalizeBody(in)
		if got != want {
			t.Errorf("NormalizeBody(%q) = %q, want %q", in, got, want)
		}
		if NormalizeBody(got) != got {
			t.Errorf("NormalizeBody is not idempotent on %q", in)
		}
	}
}

func TestSplitYAMLLines(t *testing.T) {
	t.Parallel()
	lines, starts := splitYAMLLines("a\r\nb\rc\nd\u0085e\u2028f")
	want := []string{"a\r\n", "b\r", "c\n", "d\u0085", "e\u2028", "f"}
	if !reflect.DeepEqual(lines, want) || !reflect.DeepEqual(starts, []int{0, 3, 5, 7, 10, 14}) {
		t.Fatalf("lines %q starts %v", lines, starts)
	}
}

func TestJoinPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ dir, want string }{
		{"/a/b", "/a/b/f.md"},
		{"/a/b/", "/a/b/f.md"},
		{`C:\a`, `C:\a\f.md`},
		{`C:\a\`, `C:\a\f.md`},
		{"", "f.md"},
	} {
		if got := joinPath(tt.dir, "f.md"); got != tt.want {
			t.Errorf("joinPath(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
}
