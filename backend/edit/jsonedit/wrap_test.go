package jsonedit

import (
	"reflect"
	"testing"
)

// wrap builds the new objects' nodes itself instead of parsing the nested text: the tree it
// returns must be the one the parser reads from that text, offsets and names included.
func TestWrapMatchesParse(t *testing.T) {
	t.Parallel()
	values := []string{`1`, `"s"`, `null`, `{}`, `[]`, `{"a":[1,{"b":null}],"c":"d"}`, `[[],[{}],"x",-1.5e3]`}
	names := [][]string{{"a"}, {"projects", "/home/u/my project", "mcpServers"}, {"q\"uote", "back\\slash", "ctl\u0001", "é", "<&>"}, {""}}
	for _, v := range values {
		for _, ns := range names {
			vn, err := parseDocument([]byte(v), nil)
			if err != nil {
				t.Fatal(err)
			}
			src, got, err := wrap(ns, []byte(v), vn)
			if err != nil {
				t.Fatalf("wrap(%q, %s): %v", ns, v, err)
			}
			want, err := parseDocument(src, nil)
			if err != nil {
				t.Fatalf("wrap(%q, %s) wrote %s, which does not parse: %v", ns, v, src, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("wrap(%q, %s) = %s: its tree differs from the parser's", ns, v, src)
			}
		}
	}
}
