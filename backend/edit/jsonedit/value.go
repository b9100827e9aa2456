package jsonedit

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// unquote decodes a JSON string literal (quotes included) that the parser has already
// checked. Lone surrogates and invalid UTF-8 become U+FFFD one byte at a time, exactly as
// encoding/json decodes them, so that names match what json.Unmarshal would see.
func unquote(lit []byte) string {
	s := lit[1 : len(lit)-1]
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch s[i+1] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s[i+2 : i+6])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(s[i+2:i+6])); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default: // '"', '\\', '/'
				b.WriteByte(s[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b.WriteRune(r) // RuneError for an invalid byte, as encoding/json does
			i += size
		}
	}
	return b.String()
}

func hex4(h []byte) rune {
	v, _ := strconv.ParseUint(string(h), 16, 32)
	return rune(v)
}

// canonicalName maps a caller's path element to the form names take after decoding, so that
// a name holding invalid UTF-8 still finds the member json.Marshal would write for it.
func canonicalName(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// lookup returns the member that JSON.parse and json.Unmarshal would use for name: the last
// one, when a name is repeated.
func (n *node) lookup(name string) *member {
	if len(n.members) <= indexFrom {
		for i := len(n.members) - 1; i >= 0; i-- {
			if n.members[i].name == name {
				return &n.members[i]
			}
		}
		return nil
	}
	if n.index == nil {
		n.index = make(map[string]int, len(n.members))
		for i, m := range n.members {
			n.index[m.name] = i
		}
	}
	if i, ok := n.index[name]; ok {
		return &n.members[i]
	}
	return nil
}

// indexFrom is the member count above which lookups use a map: looking up every server of
// a file with a thousand of them one by one is otherwise quadratic.
const indexFrom = 16

// names lists the distinct member names in order of first appearance, which is the key order
// JavaScript gives an object parsed from the same text.
func (n *node) names() []string {
	out := make([]string, 0, len(n.members))
	seen := make(map[string]bool, len(n.members))
	for _, m := range n.members {
		if !seen[m.name] {
			seen[m.name] = true
			out = append(out, m.name)
		}
	}
	return out
}

// effective maps each name to the value JSON.parse would keep for it (the last one).
func (n *node) effective() map[string]*node {
	out := make(map[string]*node, len(n.members))
	for _, m := range n.members {
		out[m.name] = m.value
	}
	return out
}

// hasContent reports whether a container holds anything between its brackets besides
// whitespace: members, elements or comments.
func hasContent(src []byte, n *node) bool {
	if len(n.members) > 0 || len(n.elems) > 0 {
		return true
	}
	return !onlySpace(src[n.start+1 : n.end-1])
}

// equalValues compares two values as data: object member order does not matter (objects are
// maps), array order does, strings compare after unescaping and numbers by exact decimal
// value. It decides whether a Set can leave the user's bytes alone.
func equalValues(asrc []byte, a *node, bsrc []byte, b *node) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindString:
		ra, rb := asrc[a.start:a.end], bsrc[b.start:b.end]
		return bytes.Equal(ra, rb) || unquote(ra) == unquote(rb)
	case kindNumber:
		return equalNumbers(asrc[a.start:a.end], bsrc[b.start:b.end])
	case kindArray:
		if len(a.elems) != len(b.elems) {
			return false
		}
		for i := range a.elems {
			if !equalValues(asrc, a.elems[i].value, bsrc, b.elems[i].value) {
				return false
			}
		}
		return true
	case kindObject:
		ma, mb := a.effective(), b.effective()
		if len(ma) != len(mb) {
			return false
		}
		for name, va := range ma {
			vb, ok := mb[name]
			if !ok || !equalValues(asrc, va, bsrc, vb) {
				return false
			}
		}
		return true
	}
	return true // true, false, null
}

// equalNumbers compares two JSON number literals by value without rounding through float64,
// so 1, 1.0 and 10e-1 are equal while two large integers that differ in the last digit
// are not.
func equalNumbers(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	na, oka := canonicalNumber(a)
	nb, okb := canonicalNumber(b)
	return oka && okb && na == nb
}

type decimal struct {
	neg    bool
	digits string // significant digits, no leading or trailing zeros; "" for zero
	exp    int64  // value = 0.digits × 10^exp
}

// canonicalNumber rewrites a checked JSON number literal as sign, significant digits and
// exponent. Exponents too large to hold are reported as not ok, and such literals are then
// only equal to themselves byte for byte.
func canonicalNumber(lit []byte) (decimal, bool) {
	var d decimal
	i := 0
	if lit[0] == '-' {
		d.neg = true
		i++
	}
	intStart := i
	for i < len(lit) && isDigit(lit[i]) {
		i++
	}
	intPart := lit[intStart:i]
	var frac []byte
	if i < len(lit) && lit[i] == '.' {
		j := i + 1
		for i = j; i < len(lit) && isDigit(lit[i]); i++ {
		}
		frac = lit[j:i]
	}
	var exp int64
	if i < len(lit) {
		e := lit[i+1:]
		if len(e) > 0 && (e[0] == '+' || e[0] == '-') {
			e = e[1:]
		}
		if len(e) > 15 {
			return d, false
		}
		v, err := strconv.ParseInt(string(lit[i+1:]), 10, 64)
		if err != nil {
			return d, false
		}
		exp = v
	}
	all := make([]byte, 0, len(intPart)+len(frac))
	all = append(all, intPart...)
	all = append(all, frac...)
	point := int64(len(intPart))
	lead := 0
	for lead < len(all) && all[lead] == '0' {
		lead++
	}
	all = all[lead:]
	point -= int64(lead)
	all = bytes.TrimRight(all, "0")
	if len(all) == 0 {
		return decimal{}, true // zero, whatever its sign: -0 == 0 in JSON consumers
	}
	d.digits = string(all)
	d.exp = point + exp
	return d, true
}

// writeCompact writes the value as standard JSON: comments and insignificant whitespace are
// dropped, trailing commas disappear, and tokens are copied byte for byte (the parser has
// already checked that they are valid JSON tokens).
func writeCompact(b *bytes.Buffer, src []byte, n *node) {
	switch n.kind {
	case kindObject:
		b.WriteByte('{')
		for i, m := range n.members {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(src[m.keyStart:m.keyEnd])
			b.WriteByte(':')
			writeCompact(b, src, m.value)
		}
		b.WriteByte('}')
	case kindArray:
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCompact(b, src, e.value)
		}
		b.WriteByte(']')
	default:
		b.Write(src[n.start:n.end])
	}
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer renders a path as a JSON Pointer (RFC 6901) for messages and Duplicates.
func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(p))
	}
	return b.String()
}

// describe names a path for an error message; the root has the empty pointer, which would
// read badly, and absurdly long paths are shortened so the message stays readable.
func describe(path []string) string {
	if len(path) == 0 {
		return "document root"
	}
	p := pointer(path)
	if len(p) > 200 {
		p = strings.ToValidUTF8(p[:120], "") + "…" + strings.ToValidUTF8(p[len(p)-60:], "")
	}
	return strconv.Quote(p)
}
