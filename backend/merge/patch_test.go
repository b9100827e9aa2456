package merge

import (
	"encoding/json"
	"errors"
	"math/rand"
	"strings"
	"testing"

	"aisync/backend/unified"
)

func sampleConfig() unified.Config {
	return unified.Config{
		Servers: map[string]unified.Server{
			"github": *srv(nil),
			"docs":   {Transport: unified.TransportHTTP, URL: "https://docs.example/mcp", Headers: map[string]string{"Authorization": "Bearer ${secret:docs}"}},
		},
		Rules: map[string]unified.Rule{
			"style": *rule(nil),
			"tests": {Name: "tests", Activation: unified.ActivationAlways, Body: strings.Repeat("Write table tests.\n", 50)},
		},
		Permissions: unified.Permissions{Allow: []string{"mcp:github:*"}, Deny: []string{"shell:rm -rf"}},
	}
}

func TestStructurePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*unified.Config)
	}{
		{name: "equal configs", edit: func(*unified.Config) {}},
		{name: "server field", edit: func(c *unified.Config) {
			s := c.Servers["github"]
			s.Command = "node"
			s.Args = append([]string{"--inspect"}, s.Args...)
			s.Env["NEW"] = "1"
			c.Servers["github"] = s
		}},
		{name: "server added and removed", edit: func(c *unified.Config) {
			delete(c.Servers, "docs")
			c.Servers["a/b~c"] = unified.Server{Command: "weird-name"} // JSON Pointer escaping
		}},
		{name: "rule body and fields", edit: func(c *unified.Config) {
			r := c.Rules["style"]
			r.Body = strings.Replace(r.Body, "gofmt", "gofumpt", 1)
			r.Globs = nil
			c.Rules["style"] = r
		}},
		{name: "rule renamed", edit: func(c *unified.Config) {
			c.Rules["testing"] = c.Rules["tests"]
			delete(c.Rules, "tests")
		}},
		{name: "permissions moved", edit: func(c *unified.Config) {
			c.Permissions = unified.Permissions{Ask: []string{"mcp:github:*"}, Deny: []string{"shell:rm -rf", "fetch:*"}}
		}},
		{name: "everything removed", edit: func(c *unified.Config) { *c = unified.Config{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, after := sampleConfig(), sampleConfig()
			tt.edit(&after)
			patch, err := StructurePatch(before, after)
			if err != nil {
				t.Fatalf("StructurePatch: %v", err)
			}
			if before.Equal(after) && string(patch) != "[]" {
				t.Fatalf("patch for equal configs = %s, want []", patch)
			}
			if strings.Contains(string(patch), "Write table tests") {
				t.Errorf("structure patch carries a rule body: %s", patch)
			}
			got, err := ApplyStructurePatch(before, patch)
			if err != nil {
				t.Fatalf("ApplyStructurePatch: %v\npatch %s", err, patch)
			}
			// Bodies unknown to before stay placeholders; BodyPatches fill them in.
			for name, r := range got.Rules {
				if strings.HasPrefix(r.Body, bodyHashPrefix) {
					if r.Body != bodyHash(after.Rules[name].Body) {
						t.Errorf("rule %s: placeholder %s is not the hash of the new body", name, r.Body)
					}
					body, err := ApplyBodyPatch(before.Rules[name].Body, BodyPatches(before, after)[name])
					if err != nil {
						t.Fatalf("ApplyBodyPatch: %v", err)
					}
					r.Body = body
					got.Rules[name] = r
				}
			}
			if !got.Equal(after) {
				t.Errorf("before + patch =\n%s\nwant\n%s\npatch %s", got.Canonical(), after.Canonical(), patch)
			}
		})
	}
}

func TestStructurePatchOfEquivalentConfigsIsEmpty(t *testing.T) {
	t.Parallel()
	a := sampleConfig()
	b := sampleConfig()
	b.Permissions.Allow = []string{"mcp:github:*", "mcp:github:*"}
	s := b.Servers["github"]
	s.Tools.Allow = []string{"list_issues", "create_issue"}
	b.Servers["github"] = s
	patch, err := StructurePatch(a, b)
	if err != nil || string(patch) != "[]" {
		t.Fatalf("StructurePatch = %s, %v; want [] (normalized configs are equal)", patch, err)
	}
}

func TestApplyStructurePatchErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, patch string }{
		{"not JSON", `{`},
		{"path missing", `[{"op":"remove","path":"/servers/nope"}]`},
		{"wrong type", `[{"op":"replace","path":"/servers","value":[1]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ApplyStructurePatch(sampleConfig(), json.RawMessage(tt.patch)); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestBodyPatches(t *testing.T) {
	t.Parallel()
	before := sampleConfig()
	after := sampleConfig()
	style := after.Rules["style"]
	style.Body = strings.Replace(style.Body, "Use gofmt.\n", "Use gofumpt.\nRun vet.\n", 1)
	after.Rules["style"] = style
	after.Rules["new"] = unified.Rule{Body: "fresh\n"}
	delete(after.Rules, "tests")
	before.Rules["untouched"] = unified.Rule{Body: "same"}
	after.Rules["untouched"] = unified.Rule{Body: "same", Description: "changed"}

	patches := BodyPatches(before, after)
	want := map[string]string{
		"style": "@@ -1,5 +1,6 @@\n # Style\n \n-Use gofmt.\n+Use gofumpt.\n+Run vet.\n Wrap errors with %w.\n No util packages.\n",
		"new":   "@@ -0,0 +1,1 @@\n+fresh\n",
		"tests": "@@ -1,50 +0,0 @@\n" + strings.Repeat("-Write table tests.\n", 50),
	}
	if len(patches) != len(want) {
		t.Fatalf("patched rules = %v, want style, new, tests", patches)
	}
	for name, w := range want {
		if patches[name] != w {
			t.Errorf("patch for %s =\n%s\nwant\n%s", name, patches[name], w)
		}
		got, err := ApplyBodyPatch(before.Rules[name].Body, patches[name])
		if err != nil || got != after.Rules[name].Body {
			t.Errorf("ApplyBodyPatch(%s) = %q, %v; want %q", name, got, err, after.Rules[name].Body)
		}
	}
	if got := BodyPatches(before, before); got == nil || len(got) != 0 {
		t.Errorf("BodyPatches of equal configs = %#v, want an empty map", got)
	}
}

func TestBodyPatchFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new, want string
	}{
		{name: "equal", old: "a\n", new: "a\n", want: ""},
		{name: "from empty", old: "", new: "a\nb", want: "@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"},
		{
			name: "final newline added",
			old:  "a\nb", new: "a\nb\n",
			want: "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			name: "two hunks far apart",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			new:  "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			want: "@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			name: "close changes share a hunk",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n",
			new:  "one\n2\n3\n4\n5\n6\n7\neight\n",
			want: "@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
		},
		{
			name: "CRLF lines keep their ending",
			old:  "a\r\nb\r\n", new: "a\r\nc\r\n",
			want: "@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := unifiedDiff(tt.old, tt.new)
			if got != tt.want {
				t.Errorf("patch =\n%q\nwant\n%q", got, tt.want)
			}
			back, err := ApplyBodyPatch(tt.old, got)
			if err != nil || back != tt.new {
				t.Errorf("ApplyBodyPatch = %q, %v; want %q", back, err, tt.new)
			}
		})
	}
}

func TestBodyPatchRoundTripRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(99))
	for i := 0; i < 2000; i++ {
		old := randomText(r)
		new := mutate(r, old)
		if r.Intn(4) == 0 {
			new = mutate(r, mutate(r, new))
		}
		patch := unifiedDiff(old, new)
		got, err := ApplyBodyPatch(old, patch)
		if err != nil || got != new {
			t.Fatalf("round trip of %q -> %q via\n%s\n= %q, %v", old, new, patch, got, err)
		}
	}
}

func TestApplyBodyPatchErrors(t *testing.T) {
	t.Parallel()
	const text = "1\n2\n3\n"
	tests := []struct {
		name, patch string
		want        error
	}{
		{"context differs", "@@ -1,2 +1,2 @@\n 1\n-X\n+Y\n", ErrPatchMismatch},
		{"past the end", "@@ -9,1 +9,1 @@\n-9\n+nine\n", ErrPatchMismatch},
		{"hunks out of order", "@@ -3,1 +3,1 @@\n-3\n+c\n@@ -1,1 +1,1 @@\n-1\n+a\n", ErrPatchMismatch},
		{"not a hunk header", "--- a\n+++ b\n", ErrMalformedPatch},
		{"bad numbers", "@@ -x,1 +1,1 @@\n-1\n+a\n", ErrMalformedPatch},
		{"short hunk", "@@ -1,2 +1,2 @@\n-1\n+a\n", ErrMalformedPatch},
		{"stray line", "@@ -1,1 +1,1 @@\n*1\n+a\n", ErrMalformedPatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ApplyBodyPatch(text, tt.patch)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestApplyBodyPatchAcceptsDiffVariants(t *testing.T) {
	t.Parallel()
	// diff -u writes a one-line range without ",1"; some editors strip the space of an
	// empty context line.
	got, err := ApplyBodyPatch("a\n\nb\n", "@@ -1,3 +1,3 @@ section\n-a\n+A\n\n b\n")
	if err != nil || got != "A\n\nb\n" {
		t.Fatalf("ApplyBodyPatch = %q, %v", got, err)
	}
	got, err = ApplyBodyPatch("a\nb\n", "@@ -2 +2 @@\n-b\n+B\n")
	if err != nil || got != "a\nB\n" {
		t.Fatalf("ApplyBodyPatch = %q, %v", got, err)
	}
}
