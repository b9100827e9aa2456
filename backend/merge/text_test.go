package merge

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestText3(t *testing.T) {
	t.Parallel()
	const base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
	tests := []struct {
		name       string
		base, a, b string
		want       string
		wantOK     bool
	}{
		{name: "all empty", wantOK: true},
		{name: "unchanged", base: base, a: base, b: base, want: base, wantOK: true},
		{
			name: "edit at start on a, end on b",
			base: base, a: "one\n2\n3\n4\n5\n6\n7\n8\n9\n", b: "1\n2\n3\n4\n5\n6\n7\n8\nnine\n",
			want: "one\n2\n3\n4\n5\n6\n7\n8\nnine\n", wantOK: true,
		},
		{
			name: "edit in the middle on a, start and end on b",
			base: base, a: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", b: "zero\n1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n",
			want: "zero\n1\n2\n3\n4\nfive\n6\n7\n8\n9\nten\n", wantOK: true,
		},
		{
			name: "deletions on both sides in different places",
			base: base, a: "1\n3\n4\n5\n6\n7\n8\n9\n", b: "1\n2\n3\n4\n5\n6\n7\n9\n",
			want: "1\n3\n4\n5\n6\n7\n9\n", wantOK: true,
		},
		{
			name: "adjacent edits that only touch",
			base: base, a: "1\n2\nthree\n4\n5\n6\n7\n8\n9\n", b: "1\n2\n3\nfour\n5\n6\n7\n8\n9\n",
			want: "1\n2\nthree\nfour\n5\n6\n7\n8\n9\n", wantOK: true,
		},
		{
			name: "insertion right before a line the other side changed",
			base: base, a: "1\n2\nnew\n3\n4\n5\n6\n7\n8\n9\n", b: "1\n2\nthree\n4\n5\n6\n7\n8\n9\n",
			want: "1\n2\nnew\nthree\n4\n5\n6\n7\n8\n9\n", wantOK: true,
		},
		{
			name: "identical edits are applied once",
			base: base, a: "1\n2\nthree\n4\n5\n6\n7\n8\n9\n", b: "1\n2\nthree\n4\n5\n6\n7\nEIGHT\n9\n",
			want: "1\n2\nthree\n4\n5\n6\n7\nEIGHT\n9\n", wantOK: true,
		},
		{
			name: "identical whole texts",
			base: base, a: "x\n", b: "x\n",
			want: "x\n", wantOK: true,
		},
		{
			name: "overlapping edits that end the same are applied once",
			base: "a\nb\nc\nd\n", a: "a\nX\nY\nd\n", b: "a\nX\nY\nd\ne\n",
			want: "a\nX\nY\nd\ne\n", wantOK: true,
		},
		{
			name: "overlapping edits conflict",
			base: "1\n2\n3\n", a: "1\nA\n3\n", b: "1\nB\n3\n",
			want: "1\n<<<<<<< a\nA\n||||||| base\n2\n=======\nB\n>>>>>>> b\n3\n",
		},
		{
			name: "partly overlapping ranges conflict as one region",
			base: base, a: "1\n2\nX\nX\n5\n6\n7\n8\n9\n", b: "1\n2\n3\nY\nY\n6\n7\n8\nnine\n",
			want: "1\n2\n<<<<<<< a\nX\nX\n5\n||||||| base\n3\n4\n5\n=======\n3\nY\nY\n>>>>>>> b\n6\n7\n8\nnine\n",
		},
		{
			name: "delete against edit of the same line conflicts",
			base: "1\n2\n3\n", a: "1\n3\n", b: "1\ntwo\n3\n",
			want: "1\n<<<<<<< a\n||||||| base\n2\n=======\ntwo\n>>>>>>> b\n3\n",
		},
		{
			name: "insertions at the same point conflict",
			base: "1\n2\n", a: "1\nfrom a\n2\n", b: "1\nfrom b\n2\n",
			want: "1\n<<<<<<< a\nfrom a\n||||||| base\n=======\nfrom b\n>>>>>>> b\n2\n",
		},
		{
			name: "identical insertions at the same point",
			base: "1\n2\n", a: "1\nsame\n2\n", b: "1\nsame\n2\n3\n",
			want: "1\nsame\n2\n3\n", wantOK: true,
		},
		{
			name: "appends at the end conflict",
			base: "1\n", a: "1\na\n", b: "1\nb\n",
			want: "1\n<<<<<<< a\na\n||||||| base\n=======\nb\n>>>>>>> b\n",
		},
		{
			name: "insertion inside a range the other side changed conflicts",
			base: "1\n2\n3\n4\n", a: "1\n2\nnew\n3\n4\n", b: "1\nX\nY\n4\n",
			want: "1\n<<<<<<< a\n2\nnew\n3\n||||||| base\n2\n3\n=======\nX\nY\n>>>>>>> b\n4\n",
		},
		{
			name: "empty base, different additions",
			base: "", a: "a\n", b: "b\n",
			want: "<<<<<<< a\na\n||||||| base\n=======\nb\n>>>>>>> b\n",
		},
		{
			name: "one side empties the text",
			base: base, a: "", b: base,
			want: "", wantOK: true,
		},
		{
			name: "emptied against an edit conflicts",
			base: "1\n2\n", a: "", b: "1\n2!\n",
			want: "<<<<<<< a\n||||||| base\n1\n2\n=======\n1\n2!\n>>>>>>> b\n",
		},
		{
			name: "no trailing newline, edits apart",
			base: "1\n2\n3\n4\n5", a: "one\n2\n3\n4\n5", b: "1\n2\n3\n4\nfive",
			want: "one\n2\n3\n4\nfive", wantOK: true,
		},
		{
			name: "appending to a text without trailing newline",
			base: "1\n2\n3\n4", a: "one\n2\n3\n4", b: "1\n2\n3\n4\n5\n",
			want: "one\n2\n3\n4\n5\n", wantOK: true,
		},
		{
			name: "adding the final newline is an edit of the last line",
			base: "1\n2\n3\n4", a: "1\n2\n3\n4\n", b: "one\n2\n3\n4",
			want: "one\n2\n3\n4\n", wantOK: true,
		},
		{
			name: "both append to a text without trailing newline",
			base: "1\n2", a: "1\n2\na", b: "1\n2\nb",
			want: "1\n<<<<<<< a\n2\na\n||||||| base\n2\n=======\n2\nb\n>>>>>>> b\n",
		},
		{
			name: "CRLF edits apart stay CRLF",
			base: "1\r\n2\r\n3\r\n4\r\n5\r\n", a: "one\r\n2\r\n3\r\n4\r\n5\r\n", b: "1\r\n2\r\n3\r\n4\r\nfive\r\n",
			want: "one\r\n2\r\n3\r\n4\r\nfive\r\n", wantOK: true,
		},
		{
			name: "CRLF conflict markers use CRLF",
			base: "1\r\n2\r\n", a: "1\r\nA\r\n", b: "1\r\nB\r\n",
			want: "1\r\n<<<<<<< a\r\nA\r\n||||||| base\r\n2\r\n=======\r\nB\r\n>>>>>>> b\r\n",
		},
		{
			name: "one side switches to CRLF, the other edits",
			base: "1\n2\n3\n4\n", a: "1\r\n2\r\n3\r\n4\r\n", b: "1\n2\nthree\n4\n",
			want: "1\r\n2\r\nthree\r\n4\r\n", wantOK: true,
		},
		{
			name: "one side switches to LF, the other edits",
			base: "1\r\n2\r\n3\r\n", a: "ONE\r\n2\r\n3\r\n", b: "1\n2\n3\n",
			want: "ONE\n2\n3\n", wantOK: true,
		},
		{
			name: "CRLF without trailing newline",
			base: "1\r\n2\r\n3\r\n4", a: "1\r\n2\r\n3\r\nfour", b: "one\r\n2\r\n3\r\n4",
			want: "one\r\n2\r\n3\r\nfour", wantOK: true,
		},
		{
			name: "mixed endings merge byte for byte",
			base: "1\r\n2\n3\n4\n5\r\n", a: "one\r\n2\n3\n4\n5\r\n", b: "1\r\n2\n3\n4\nfive\r\n",
			want: "one\r\n2\n3\n4\nfive\r\n", wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Text3(tt.base, tt.a, tt.b)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Text3 = %q, %v\nwant    %q, %v", got, ok, tt.want, tt.wantOK)
			}
			// Swapping the sides changes only the labels of a conflict.
			swapped, sok := Text3(tt.base, tt.b, tt.a)
			if sok != ok || (ok && swapped != got) {
				t.Errorf("Text3 with sides swapped = %q, %v", swapped, sok)
			}
		})
	}
}

// randomText builds a text from a small set of lines, so that repeated lines make the line
// diff's alignment ambiguous, with LF, CRLF or mixed endings and sometimes no final newline.
func randomText(r *rand.Rand) string {
	words := []string{"a", "b", "c", "", "  ", "a b", "<<<<<<< a", "é"}
	n := r.Intn(12)
	endings := []string{"\n", "\r\n"}
	style := r.Intn(3) // 0 LF, 1 CRLF, 2 mixed
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteString(words[r.Intn(len(words))])
		if i == n-1 && r.Intn(3) == 0 {
			break
		}
		switch style {
		case 2:
			sb.WriteString(endings[r.Intn(2)])
		default:
			sb.WriteString(endings[style])
		}
	}
	return sb.String()
}

// mutate edits a text line by line: deletes, replaces, inserts, or switches line endings.
func mutate(r *rand.Rand, s string) string {
	lines := splitLines(s)
	for k := r.Intn(4); k >= 0; k-- {
		switch op := r.Intn(5); {
		case op == 0 && len(lines) > 0:
			i := r.Intn(len(lines))
			lines = append(lines[:i], lines[i+1:]...)
		case op == 1 && len(lines) > 0:
			lines[r.Intn(len(lines))] = fmt.Sprintf("r%d\n", r.Intn(3))
		case op == 2:
			i := r.Intn(len(lines) + 1)
			lines = append(lines[:i], append([]string{fmt.Sprintf("i%d\n", r.Intn(3))}, lines[i:]...)...)
		case op == 3:
			return strings.ReplaceAll(toLF(strings.Join(lines, "")), "\n", "\r\n")
		}
	}
	return strings.Join(lines, "")
}

// checkText3Identities is shared by the property test and the fuzz target: merging with an
// unchanged side gives the other side, and a conflict never goes unreported or unmarked.
func checkText3Identities(t *testing.T, base, a, b string) {
	t.Helper()
	for _, f := range []struct {
		name string
		fn   func(base, a, b string) (string, bool)
	}{{"Text3", Text3}, {"text3", text3}} {
		if got, ok := f.fn(base, a, base); !ok || got != a {
			t.Fatalf("%s(base, a, base) = %q, %v; want a = %q (base %q)", f.name, got, ok, a, base)
		}
		if got, ok := f.fn(base, base, b); !ok || got != b {
			t.Fatalf("%s(base, base, b) = %q, %v; want b = %q (base %q)", f.name, got, ok, b, base)
		}
		if got, ok := f.fn(a, a, a); !ok || got != a {
			t.Fatalf("%s(x, x, x) = %q, %v; want %q", f.name, got, ok, a)
		}
		if got, ok := f.fn(base, a, a); !ok || got != a {
			t.Fatalf("%s(base, x, x) = %q, %v; want %q", f.name, got, ok, a)
		}
		m1, ok1 := f.fn(base, a, b)
		m2, ok2 := f.fn(base, b, a)
		if ok1 != ok2 || (ok1 && m1 != m2) {
			t.Fatalf("%s not symmetric: (a, b) = %q, %v; (b, a) = %q, %v", f.name, m1, ok1, m2, ok2)
		}
		if !ok1 && !strings.Contains(m1, markerSep) {
			t.Fatalf("%s conflict without markers: %q", f.name, m1)
		}
	}
}

func TestText3Properties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(20240611))
	for i := 0; i < 3000; i++ {
		base := randomText(r)
		a, b := mutate(r, base), mutate(r, base)
		if r.Intn(5) == 0 {
			a = randomText(r)
		}
		checkText3Identities(t, base, a, b)
	}
}

// TestText3DisjointEdits checks merges whose answer is known: both sides edit a text of
// distinct lines, a only in its first third and b only in its last third.
func TestText3DisjointEdits(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(7))
	for iter := 0; iter < 500; iter++ {
		var base []string
		for i := 0; i < 30; i++ {
			base = append(base, fmt.Sprintf("line %d\n", i))
		}
		edit := func(part []string, tag string) []string {
			out := append([]string(nil), part...)
			for k := 0; k < 1+r.Intn(4); k++ {
				fresh := fmt.Sprintf("%s %d.%d\n", tag, iter, k)
				switch i := r.Intn(len(out) + 1); {
				case r.Intn(3) == 0 && i < len(out):
					out = append(out[:i], out[i+1:]...)
				case r.Intn(2) == 0 && i < len(out):
					out[i] = fresh
				default:
					out = append(out[:i], append([]string{fresh}, out[i:]...)...)
				}
			}
			return out
		}
		headA, tailB := edit(base[:10], "a"), edit(base[20:], "b")
		a := strings.Join(append(append([]string(nil), headA...), base[10:]...), "")
		b := strings.Join(append(append([]string(nil), base[:20]...), tailB...), "")
		want := strings.Join(headA, "") + strings.Join(base[10:20], "") + strings.Join(tailB, "")
		baseText := strings.Join(base, "")
		if got, ok := text3(baseText, a, b); !ok || got != want {
			t.Fatalf("iteration %d: text3 = %q, %v\nwant %q", iter, got, ok, want)
		}
	}
}

func FuzzText3(f *testing.F) {
	seeds := [][3]string{
		{"", "", ""},
		{"1\n2\n3\n", "1\nA\n3\n", "1\nB\n3\n"},
		{"1\n2\n", "1\nx\n2\n", "1\ny\n2\n"},
		{"1\r\n2\r\n", "1\r\nA\r\n", "1\n2\n"},
		{"1\n2", "1\n2\n", "0\n1\n2"},
		{"a\nb\nc\n", "a\nc\n", "a\nb\nc\nd"},
		{"x", "", "y"},
		{"\r\n\r", "\r", "\n\r\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, base, a, b string) {
		if len(base)+len(a)+len(b) > 4096 {
			t.Skip("keep inputs small; size adds nothing to what is tested here")
		}
		checkText3Identities(t, base, a, b)
	})
}
