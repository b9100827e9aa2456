package rulefiles

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/<name>, or rewrites the file when -update is set.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// norm normalizes every rule of a map the way the codecs do, for comparisons.
func norm(t testing.TB, rules map[string]unified.Rule) map[string]unified.Rule {
	t.Helper()
	out := make(map[string]unified.Rule, len(rules))
	for name, r := range rules {
		n, err := normalizeRule(name, r)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func equalRules(a, b map[string]unified.Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for name, r := range a {
		o, ok := b[name]
		if !ok || !sameRule(r, o) {
			return false
		}
	}
	return true
}

func assertRules(t testing.TB, got, want map[string]unified.Rule) {
	t.Helper()
	if !equalRules(got, want) {
		t.Fatalf("rules differ:\n got: %#v\nwant: %#v", got, want)
	}
}

func warnCodes(ws []clients.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	sort.Strings(out)
	return out
}

func assertWarnCodes(t testing.TB, got []clients.Warning, want ...string) {
	t.Helper()
	sort.Strings(want)
	if g := warnCodes(got); !reflect.DeepEqual(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Fatalf("warnings %v, want codes %v", got, want)
	}
}

// syntaxErr asserts that err wraps a *clients.SyntaxError at line:col whose message holds msg.
func syntaxErr(t *testing.T, err error, path string, line, col int, msg string) {
	t.Helper()
	var se *clients.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *clients.SyntaxError", err, err)
	}
	if se.Path != path || se.Line != line || (col >= 0 && se.Col != col) || !strings.Contains(se.Msg, msg) {
		t.Fatalf("syntax error %q at %s:%d:%d, want %s:%d:%d containing %q", se.Msg, se.Path, se.Line, se.Col, path, line, col, msg)
	}
}

func rule(act unified.Activation, desc string, globs []string, body string) unified.Rule {
	return unified.Rule{Activation: act, Description: desc, Globs: globs, Body: body}
}

const (
	always = unified.ActivationAlways
	glob   = unified.ActivationGlob
	agent  = unified.ActivationAgent
	manual = unified.ActivationManual
)
