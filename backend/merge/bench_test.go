package merge

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"aisync/backend/unified"
)

// longRule is a 2,000-line rule body with a's edits in the first half and b's in the second,
// about one every 50 lines: a large hand-written rule file edited in two clients.
func longRule() (base, a, b string) {
	var bl, al, xl []string
	for i := 0; i < 2000; i++ {
		line := fmt.Sprintf("- rule %d: prefer clear names and small functions\n", i)
		if i%25 == 0 {
			line = "\n"
		}
		bl = append(bl, line)
		switch {
		case i%50 == 7 && i < 1000:
			al = append(al, fmt.Sprintf("- rule %d: edited in client a\n", i))
		case i%50 == 7:
			xl = append(xl, fmt.Sprintf("- rule %d: edited in client b\n", i))
		}
		if !(i%50 == 7 && i < 1000) {
			al = append(al, line)
		}
		if !(i%50 == 7 && i >= 1000) {
			xl = append(xl, line)
		}
	}
	return strings.Join(bl, ""), strings.Join(al, ""), strings.Join(xl, "")
}

func BenchmarkText3(b *testing.B) {
	base, x, y := longRule()
	if _, ok := Text3(base, x, y); !ok {
		b.Fatal("benchmark merge conflicts")
	}
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		Text3(base, x, y)
	}
}

func BenchmarkServer(b *testing.B) {
	base := srv(func(s *unified.Server) {
		s.Headers = map[string]string{"X-Trace": "1"}
		s.Extras["cursor"] = map[string]json.RawMessage{"autoApprove": json.RawMessage(`["list_issues"]`)}
	})
	x := srv(func(s *unified.Server) { s.Env["X"] = "1"; s.Tools.Allow = append(s.Tools.Allow, "search") })
	y := srv(func(s *unified.Server) {
		s.Env["LOG"] = "debug"
		s.Extras["claude"]["type"] = json.RawMessage(`"http"`)
	})
	b.ReportAllocs()
	for b.Loop() {
		Server(base, x, y)
	}
}
