package jsonedit

import (
	"encoding/json"
	"strings"
	"testing"
)

var validCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
	`"\u00e9\n\t\"\\\/"`, "\"caf\xc3\xa9\"", "\"\xff\xfe\"", `{"a":1,"a":2}`, "\t\r\n[\n]\n",
	// what is not JSON
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`,
	`tru`, `nul`, `truex`, `[1 2]`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", `// c` + "\n1", `/* */ 1`,
	`1 2`, `{}{}`, `[1]]`, `"a"b`, `NaN`, `Infinity`, `[-]`, `{"a":1 "b":2}`, `[,1]`,
}

// TestValidAgreesWithEncodingJSON checks StrictValid against encoding/json.Valid on hand-picked
// valid and invalid documents, deep nesting included.
func TestValidAgreesWithEncodingJSON(t *testing.T) {
	cases := append([]string{}, validCases...)
	cases = append(cases, strings.Repeat("[", maxDepth)+strings.Repeat("]", maxDepth), strings.Repeat("[", maxDepth+1)+strings.Repeat("]", maxDepth+1),
		strings.Repeat(`{"a":`, maxDepth)+"1"+strings.Repeat("}", maxDepth), strings.Repeat(`{"a":`, maxDepth+1)+"1"+strings.Repeat("}", maxDepth+1))
	valid := 0
	for _, c := range cases {
		want := json.Valid([]byte(c))
		if got := StrictValid([]byte(c)); got != want {
			t.Errorf("StrictValid(%.60q) = %v, encoding/json says %v", c, got, want)
		}
		if want {
			valid++
		}
	}
	if valid < 15 || valid > len(cases)-30 {
		t.Fatalf("%d of %d cases valid: the list should hold both kinds", valid, len(cases))
	}
}

// FuzzValid holds StrictValid to encoding/json.Valid on arbitrary bytes.
func FuzzValid(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	f.Add(bigClaudeJSON(4 << 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := StrictValid(data), json.Valid(data); got != want {
			t.Fatalf("StrictValid(%q) = %v, encoding/json says %v", data, got, want)
		}
	})
}

func BenchmarkValid1MB(b *testing.B) {
	data := bigClaudeJSON(1 << 20)
	b.SetBytes(int64(len(data)))
	b.Run("jsonedit", func(b *testing.B) {
		for b.Loop() {
			if !StrictValid(data) {
				b.Fatal("not valid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("not valid")
			}
		}
	})
}
