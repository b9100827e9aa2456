package jsonedit

import (
	"bytes"
	"strings"
)

// style is how a file is written, learnt once from the document as the user left it, so that
// whatever an edit adds looks as if the user had typed it.
type style struct {
	nl       string // line ending: "\n" or "\r\n"
	unit     string // one level of indentation: "\t", "  ", "    ", ...
	preColon string // what goes between a member name and its ':'
	colon    string // what goes between ':' and the value
	comma    string // what follows a ',' when values share a line
	minified bool   // the whole document is on one line, so new content stays on it too
	trailing bool   // most multi-line containers end with a comma (JSONC style)
	// inlineLists: most arrays of plain values are written on one line (`"args": ["-y",
	// "pkg"]`), as people write them by hand; JSON.stringify puts every element on its own line.
	inlineLists bool
}

// maxIndentSamples bounds the work of guessing the indentation unit on huge files; a few
// dozen containers already show the habit.
const maxIndentSamples = 200

// detectStyle reads the habits of a document. A file without evidence for some habit gets
// the defaults of VS Code and most formatters: LF, two spaces, `"name": value`.
func detectStyle(src []byte, root *node) *style {
	st := &style{nl: "\n", unit: "  ", colon: " ", comma: " "}
	if crlf := bytes.Count(src, []byte("\r\n")); crlf > bytes.Count(src, []byte("\n"))-crlf {
		st.nl = "\r\n" // most lines end in CRLF; a mixed file follows its majority
	}
	if root == nil {
		return st
	}
	w := styleWalker{src: src, counts: map[string]int{}}
	w.walk(root)
	if w.colonFound {
		st.preColon, st.colon = w.preColon, w.colon
	}
	switch {
	case w.commaFound:
		st.comma = w.comma
	case st.colon == "":
		st.comma = ""
	}
	best := 0
	for _, d := range w.order {
		if w.counts[d] > best {
			best, st.unit = w.counts[d], d
		}
	}
	st.trailing = w.trailing > w.plain
	st.inlineLists = w.inlineLists > w.multiLists
	st.minified = (root.kind == kindObject || root.kind == kindArray) && hasContent(src, root) &&
		bytes.IndexByte(src[root.start:root.end], '\n') < 0
	return st
}

type styleWalker struct {
	src                     []byte
	counts                  map[string]int
	order                   []string
	samples                 int
	colonFound, commaFound  bool
	preColon, colon, comma  string
	trailing, plain         int // multi-line containers with and without a trailing comma
	inlineLists, multiLists int // arrays of scalars on one line and on several
}

func (w *styleWalker) done() bool {
	return w.samples >= maxIndentSamples && w.colonFound && w.commaFound &&
		w.inlineLists+w.multiLists >= maxIndentSamples
}

// scalarList reports whether n is a non-empty array of strings, numbers, booleans and nulls.
func scalarList(n *node) bool {
	if n.kind != kindArray || len(n.elems) == 0 {
		return false
	}
	for _, e := range n.elems {
		if e.value.kind == kindObject || e.value.kind == kindArray {
			return false
		}
	}
	return true
}

func (w *styleWalker) walk(n *node) {
	if w.done() {
		return
	}
	src := w.src
	var first, lastComma int
	switch {
	case len(n.members) > 0:
		first, lastComma = n.members[0].keyStart, n.members[len(n.members)-1].comma
	case len(n.elems) > 0:
		first, lastComma = n.elems[0].value.start, n.elems[len(n.elems)-1].comma
	default:
		return
	}
	if n.kind == kindArray && scalarList(n) && w.inlineLists+w.multiLists < maxIndentSamples {
		if bytes.IndexByte(src[n.start:n.end], '\n') < 0 {
			w.inlineLists++
		} else {
			w.multiLists++
		}
	}
	if firstOnLine(src, n.end-1) {
		if lastComma >= 0 {
			w.trailing++
		} else {
			w.plain++
		}
	}
	if w.samples < maxIndentSamples && firstOnLine(src, first) {
		child, parent := lineIndent(src, first), lineIndent(src, n.start)
		if len(child) > len(parent) && strings.HasPrefix(child, parent) {
			d := child[len(parent):]
			if w.counts[d] == 0 {
				w.order = append(w.order, d)
			}
			w.counts[d]++
			w.samples++
		}
	}
	for i, m := range n.members {
		if !w.colonFound {
			pre, post := src[m.keyEnd:m.colon], src[m.colon+1:m.value.start]
			if onlyHSpace(pre) && onlyHSpace(post) {
				w.colonFound, w.preColon, w.colon = true, string(pre), string(post)
			}
		}
		if !w.commaFound && m.comma >= 0 && i+1 < len(n.members) {
			w.sampleComma(m.comma, n.members[i+1].keyStart)
		}
		w.walk(m.value)
	}
	for i, e := range n.elems {
		if !w.commaFound && e.comma >= 0 && i+1 < len(n.elems) {
			w.sampleComma(e.comma, n.elems[i+1].value.start)
		}
		w.walk(e.value)
	}
}

func (w *styleWalker) sampleComma(comma, next int) {
	if gap := w.src[comma+1 : next]; onlyHSpace(gap) {
		w.commaFound, w.comma = true, string(gap)
	}
}

// localSeps picks the separators for content written inside the given containers (nearest
// first), because one file can mix `{"a":1}` and `{ "a": 1 }` and an insertion should match
// its neighbours.
func localSeps(src []byte, st *style, containers ...*node) (preColon, colon, comma string) {
	preColon, colon, comma = st.preColon, st.colon, st.comma
	var haveColon, haveComma bool
	for _, c := range containers {
		if c == nil {
			continue
		}
		for i, m := range c.members {
			if !haveColon {
				pre, post := src[m.keyEnd:m.colon], src[m.colon+1:m.value.start]
				if onlyHSpace(pre) && onlyHSpace(post) {
					haveColon, preColon, colon = true, string(pre), string(post)
				}
			}
			if !haveComma && m.comma >= 0 && i+1 < len(c.members) {
				if gap := src[m.comma+1 : c.members[i+1].keyStart]; onlyHSpace(gap) {
					haveComma, comma = true, string(gap)
				}
			}
		}
		for i, e := range c.elems {
			if !haveComma && e.comma >= 0 && i+1 < len(c.elems) {
				if gap := src[e.comma+1 : c.elems[i+1].value.start]; onlyHSpace(gap) {
					haveComma, comma = true, string(gap)
				}
			}
		}
	}
	if !haveComma && haveColon && colon == "" {
		comma = ""
	}
	return preColon, colon, comma
}

// layout says how to print a new value: the file's style, plus whether this spot of the file
// is written on one line.
type layout struct {
	st       *style
	inline   bool
	preColon string
	colon    string
	comma    string
}

func newLayout(src []byte, st *style, inline bool, context ...*node) layout {
	pre, colon, comma := localSeps(src, st, context...)
	return layout{st: st, inline: inline, preColon: pre, colon: colon, comma: comma}
}

// write prints the value n of src (compact JSON from encoding/json) with the first line
// continuing the current one and later lines indented from prefix.
func (l layout) write(b *bytes.Buffer, src []byte, n *node, prefix string) {
	l.trace(b, src, n, prefix, nil)
}

// member prints `"name": value`; key is an already quoted JSON string.
func (l layout) member(b *bytes.Buffer, key, src []byte, value *node, prefix string) {
	l.traceMember(b, key, src, value, prefix, nil)
}

// tracer makes a layout record what it writes as the parser would read it: nodes whose
// offsets are those of the document in which the buffer's first byte lands at base. An
// insertion into an empty container builds the new document's nodes this way instead of
// reading the whole document again (see insertItems).
type tracer struct {
	base int
}

// trace is write; with a tracer it also returns the node of what it wrote. That node is n
// itself, its offsets (and its children's) moved to where they were written: the values an
// edit inserts are read or built for that edit alone, and taking their nodes over, instead
// of copying them, saves 1.2 of the 5.7 MB a JSON client allocated to write and read back a
// thousand new servers.
func (l layout) trace(b *bytes.Buffer, src []byte, n *node, prefix string, t *tracer) *node {
	start := b.Len()
	var out *node
	if t != nil {
		out = n
		defer func() { out.start, out.end, out.index = t.base+start, t.base+b.Len(), nil }()
	}
	open, close := byte('{'), byte('}')
	count := len(n.members)
	switch n.kind {
	case kindArray:
		open, close, count = '[', ']', len(n.elems)
	case kindObject:
	default:
		b.Write(src[n.start:n.end])
		return out
	}
	b.WriteByte(open)
	if count == 0 {
		b.WriteByte(close)
		return out
	}
	if l.st.inlineLists && scalarList(n) {
		l.inline = true // l is a copy: only this list is affected
	}
	// comma records, with a tracer, where the comma after item i went.
	comma := func(i int) {
		if t == nil {
			return
		}
		if pos := t.base + b.Len(); n.kind == kindObject {
			out.members[i].comma = pos
		} else {
			out.elems[i].comma = pos
		}
	}
	inner := prefix + l.st.unit
	for i := 0; i < count; i++ {
		if i > 0 {
			comma(i - 1)
			b.WriteByte(',')
			if l.inline {
				b.WriteString(l.comma)
			}
		}
		if !l.inline {
			b.WriteString(l.st.nl)
			b.WriteString(inner)
		}
		if n.kind == kindObject {
			m := n.members[i]
			mv := l.traceMember(b, src[m.keyStart:m.keyEnd], src, m.value, inner, t)
			if t != nil {
				mv.name = m.name
				out.members[i] = mv
			}
		} else {
			v := l.trace(b, src, n.elems[i].value, inner, t)
			if t != nil {
				out.elems[i] = element{value: v, comma: -1}
			}
		}
	}
	if !l.inline {
		if l.st.trailing {
			comma(count - 1)
			b.WriteByte(',')
		}
		b.WriteString(l.st.nl)
		b.WriteString(prefix)
	}
	b.WriteByte(close)
	return out
}

// traceMember is member; with a tracer it also returns the member it wrote, without its
// name (the caller knows it).
func (l layout) traceMember(b *bytes.Buffer, key, src []byte, value *node, prefix string, t *tracer) member {
	var m member
	if t != nil {
		m.keyStart = t.base + b.Len()
		m.keyEnd = m.keyStart + len(key)
		m.comma = -1
	}
	b.Write(key)
	b.WriteString(l.preColon)
	if t != nil {
		m.colon = t.base + b.Len()
	}
	b.WriteByte(':')
	b.WriteString(l.colon)
	m.value = l.trace(b, src, value, prefix, t)
	return m
}

// Small byte-level helpers. Offsets are into the whole source, which may start with a BOM;
// the BOM is never part of the first line's indentation.

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isHSpace(c byte) bool { return c == ' ' || c == '\t' }

func onlySpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

func onlyHSpace(b []byte) bool {
	for _, c := range b {
		if !isHSpace(c) {
			return false
		}
	}
	return true
}

// lineStart is the offset where the line holding pos begins.
func lineStart(src []byte, pos int) int {
	i := bytes.LastIndexByte(src[:pos], '\n') + 1
	if i == 0 && bytes.HasPrefix(src, bom) && pos >= len(bom) {
		return len(bom)
	}
	return i
}

// lineIndent is the leading whitespace of the line holding pos.
func lineIndent(src []byte, pos int) string {
	i := lineStart(src, pos)
	j := i
	for j < len(src) && isHSpace(src[j]) {
		j++
	}
	return string(src[i:j])
}

// firstOnLine reports whether only indentation precedes pos on its line. It looks back only
// over spaces, so it costs nothing on minified files.
func firstOnLine(src []byte, pos int) bool {
	i := pos - 1
	for i >= 0 && isHSpace(src[i]) {
		i--
	}
	if i < 0 || src[i] == '\n' {
		return true
	}
	return i == len(bom)-1 && bytes.HasPrefix(src, bom)
}

// skipLineTrivia skips spaces and comments that end on the current line, stopping at the
// line ending, at a block comment that spans lines, or at anything else.
func skipLineTrivia(src []byte, pos int) int {
	for pos < len(src) {
		switch c := src[pos]; {
		case isHSpace(c):
			pos++
		case c == '/' && pos+1 < len(src) && src[pos+1] == '/':
			i := bytes.IndexByte(src[pos:], '\n')
			if i < 0 {
				return len(src)
			}
			pos += i
			if src[pos-1] == '\r' {
				pos--
			}
			return pos
		case c == '/' && pos+1 < len(src) && src[pos+1] == '*':
			i := bytes.Index(src[pos+2:], []byte("*/"))
			if i < 0 || bytes.IndexByte(src[pos+2:pos+2+i], '\n') >= 0 {
				return pos
			}
			pos += 2 + i + 2
		default:
			return pos
		}
	}
	return pos
}

// eolLen is the length of the line ending at pos (0 at the end of input), or -1 when pos is
// not at the end of a line.
func eolLen(src []byte, pos int) int {
	switch {
	case pos == len(src):
		return 0
	case src[pos] == '\n':
		return 1
	case src[pos] == '\r' && pos+1 < len(src) && src[pos+1] == '\n':
		return 2
	}
	return -1
}

// backHSpace moves pos back over spaces and tabs.
func backHSpace(src []byte, pos int) int {
	for pos > 0 && isHSpace(src[pos-1]) {
		pos--
	}
	return pos
}

func skipHSpace(src []byte, pos int) int {
	for pos < len(src) && isHSpace(src[pos]) {
		pos++
	}
	return pos
}
