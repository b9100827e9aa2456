package jsonedit

import (
	"bytes"
	"testing"
)

// TestMarshalFastPathMatchesEncoder: the values Marshal writes directly come out as the
// encoder (without HTML escaping) writes them, and everything else is left to the encoder.
func TestMarshalFastPathMatchesEncoder(t *testing.T) {
	texts := []string{"", "npx", "a && b <c>", "-y", "@scope/pkg@1.2.3", "C:\\Tools", `say "hi"`, "tab\t", "é", "日本", "\u2028", "\xff", "~/.x/$HOME", "{env:X}", "${secret:a.b}", "\x7f", " "}
	values := []any{nil, true, false, 12, []string(nil), []string{}, map[string]string(nil), map[string]string{}}
	for _, a := range texts {
		values = append(values, a, []string{a}, map[string]string{a: "v"}, map[string]string{"K": a})
		for _, b := range texts[:6] {
			values = append(values, []string{a, b}, map[string]string{a: b, b: a})
		}
	}
	fast := 0
	for _, v := range values {
		want, err := marshalEncoder(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Marshal(v); err != nil || !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v) = %s, %v; encoder gives %s", v, got, err, want)
		}
		if _, ok := marshalPlain(v); ok {
			fast++
		}
	}
	if fast < len(values)/3 {
		t.Fatalf("only %d of %d values took the fast path", fast, len(values))
	}
}
