package jsonedit

import (
	"bytes"
	"encoding/json"
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

// TestSetTakesCompactRawAsTheEncoderWould: a json.RawMessage given to Set comes out as
// encoding/json would write it, whether it is taken as it is (compact) or not.
func TestSetTakesCompactRawAsTheEncoderWould(t *testing.T) {
	raws := []string{
		`{"a":1,"b":[1,2],"c":{"d":"e f"}}`, `{"s":"a, } ] / \" \\ x"}`, `[]`, `"x"`, `12.5e3`, `true`, `null`,
		`{"a": 1}`, "{\"a\":1}\n", `{"a":1,}`, `[1,]`, `{"a":1/*c*/}`, "\uFEFF{}", `{"a":"tab	"}`, `{"x":"\u2028 <&>"}`,
		`{"unterminated":"`, `{"a":}`, `01`, ``,
	}
	for _, r := range raws {
		got, gotErr := marshal(json.RawMessage(r))
		want, wantErr := marshalEncoder(json.RawMessage(r))
		if (gotErr == nil) != (wantErr == nil) && gotErr == nil {
			// Taken as it is: what the encoder refuses must still be refused when read.
			if _, err := parseDocument(got, nil); err == nil {
				t.Errorf("%q: taken as it is and read, but the encoder refuses it: %v", r, wantErr)
			}
			continue
		}
		if gotErr == nil && !bytes.Equal(got, want) {
			t.Errorf("%q: marshal gives %s, the encoder %s", r, got, want)
		}
	}
	if !compactJSON([]byte(`{"a":[1,{"b":"c"}]}`)) || compactJSON([]byte(`{"a": 1}`)) {
		t.Error("compactJSON misjudges a plain case")
	}
}
