package jsonedit

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds nesting so that a hostile or corrupt file cannot exhaust the stack; it is
// the same limit encoding/json applies, so anything json.Unmarshal reads, Parse reads too.
const maxDepth = 10000

// bom is the UTF-8 byte order mark. Some Windows editors write it; it is kept on output.
var bom = []byte{0xEF, 0xBB, 0xBF}

// SyntaxError reports where a document stops being JSON/JSONC and what would have been
// accepted there, so that a user can be told exactly which character of their file to fix.
type SyntaxError struct {
	// Line is the 1-based line number.
	Line int
	// Col is the 1-based column, counted in Unicode characters (a tab counts as one), which is
	// what editors show in their status bar. A leading byte order mark is not counted.
	Col int
	// Msg says what was expected and what was found instead.
	Msg string
	// Offset is the 0-based byte offset of the problem in the input, for tools that want to
	// point into the raw bytes.
	Offset int
}

// Error formats the position the way editors and compilers do, so the message can be shown
// to a user as is.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

type kind uint8

const (
	kindObject kind = iota + 1
	kindArray
	kindString
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// String names a kind the way a user would, for error messages.
func (k kind) String() string {
	switch k {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindTrue, kindFalse:
		return "a boolean"
	case kindNull:
		return "null"
	}
	return "nothing"
}

// node is one value of the document. It records byte offsets into the source instead of
// decoded values because edits are splices of the source: everything between the offsets
// an edit touches is left exactly as the user wrote it.
type node struct {
	kind    kind
	start   int // offset of the first byte of the value
	end     int // offset just past the last byte of the value
	members []member
	elems   []element
	// index maps a name to its last member, built by the first lookup in a large object
	// (members never change after parsing: an edit re-parses).
	index map[string]int
}

// member is one "name": value pair of an object.
type member struct {
	name     string // unescaped, with invalid UTF-8 replaced as encoding/json does
	keyStart int    // offset of the opening quote of the name
	keyEnd   int    // offset just past the closing quote
	colon    int
	value    *node
	comma    int // offset of the comma after the value, or -1
}

// element is one value of an array.
type element struct {
	value *node
	comma int // offset of the comma after the value, or -1
}

// parser is a recursive-descent JSONC reader that records offsets rather than building Go
// values.
type parser struct {
	src   []byte
	pos   int
	depth int
	// onComment, when set, sees the byte range of every comment; tests use it to check that
	// edits never lose one.
	onComment func(start, end int)
	// Allocation matters on multi-megabyte files (~/.claude.json): nodes come from slabs,
	// and members and elements gather on shared stacks and are copied out once per container
	// at their final size.
	slab   nodeSlab
	mstack []member
	estack []element
}

// memberName is string(b), without an allocation for the names every server entry of a
// client's file repeats: a file of a thousand servers has thousands of them.
func memberName(b []byte) string {
	switch string(b) { // compared in place, not converted
	case "command":
		return "command"
	case "args":
		return "args"
	case "env":
		return "env"
	case "type":
		return "type"
	case "url":
		return "url"
	case "headers":
		return "headers"
	case "cwd":
		return "cwd"
	case "disabled":
		return "disabled"
	case "enabled":
		return "enabled"
	}
	return string(b)
}

func (p *parser) newNode(k kind, start, end int) *node { return p.slab.node(k, start, end) }

// nodeSlab hands out nodes from blocks of 256, one allocation per block instead of per node.
type nodeSlab []node

func (s *nodeSlab) node(k kind, start, end int) *node {
	if len(*s) == cap(*s) {
		*s = make([]node, 0, 256)
	}
	*s = append(*s, node{kind: k, start: start, end: end})
	return &(*s)[len(*s)-1]
}

// parseDocument parses src, which may start with a byte order mark. A document holding only
// whitespace and comments has a nil root: it stands for an empty object.
func parseDocument(src []byte, onComment func(start, end int)) (*node, error) {
	p := parser{src: src, onComment: onComment}
	if bytes.HasPrefix(src, bom) {
		p.pos = len(bom)
	}
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.pos == len(src) {
		return nil, nil
	}
	root, err := p.parseValue("expected value")
	if err != nil {
		return nil, err
	}
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.pos != len(src) {
		return nil, p.errorf(p.pos, "expected end of input after the top-level value, found %s", p.found(p.pos))
	}
	return root, nil
}

// errorf builds a SyntaxError for byte offset pos.
func (p *parser) errorf(pos int, format string, args ...any) *SyntaxError {
	line, col := position(p.src, pos)
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Offset: pos}
}

// position converts a byte offset to a 1-based line and character column.
func position(src []byte, pos int) (line, col int) {
	before := src[:pos]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	if start == 0 && bytes.HasPrefix(src, bom) && pos >= len(bom) {
		start = len(bom)
	}
	return line, 1 + utf8.RuneCount(src[start:pos])
}

// found describes the input at pos for an error message.
func (p *parser) found(pos int) string {
	if pos >= len(p.src) {
		return "end of input"
	}
	r, size := utf8.DecodeRune(p.src[pos:])
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf("byte 0x%02x", p.src[pos])
	case r == '\n' || r == '\r':
		return "end of line"
	}
	return strconv.QuoteRune(r)
}

// skipSpace skips whitespace and comments, the only things JSONC allows between tokens.
func (p *parser) skipSpace() error {
	src := p.src
	for p.pos < len(src) {
		switch src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		case '/':
			start := p.pos
			switch {
			case p.pos+1 < len(src) && src[p.pos+1] == '/':
				i := bytes.IndexByte(src[p.pos+2:], '\n')
				if i < 0 {
					p.pos = len(src)
				} else {
					p.pos += 2 + i
				}
			case p.pos+1 < len(src) && src[p.pos+1] == '*':
				i := bytes.Index(src[p.pos+2:], []byte("*/"))
				if i < 0 {
					return p.errorf(start, "unterminated block comment: expected '*/' before end of input")
				}
				p.pos += 2 + i + 2
			default:
				return p.errorf(start, "expected '/' or '*' after '/' to start a comment, found %s", p.found(start+1))
			}
			if p.onComment != nil {
				p.onComment(start, p.pos)
			}
		default:
			return nil
		}
	}
	return nil
}

// parseValue parses the value at p.pos; expected is the error message prefix used when no
// value starts there, so that the message fits the context ("expected value or ']'").
func (p *parser) parseValue(expected string) (*node, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "%s, found end of input", expected)
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.parseObject()
	case c == '[':
		return p.parseArray()
	case c == '"':
		end, _, err := p.scanString()
		if err != nil {
			return nil, err
		}
		p.pos = end
		return p.newNode(kindString, start, end), nil
	case c == '-' || (c >= '0' && c <= '9'):
		if err := p.scanNumber(); err != nil {
			return nil, err
		}
		return p.newNode(kindNumber, start, p.pos), nil
	case c == 't':
		return p.literal("true", kindTrue)
	case c == 'f':
		return p.literal("false", kindFalse)
	case c == 'n':
		return p.literal("null", kindNull)
	}
	return nil, p.errorf(p.pos, "%s, found %s", expected, p.found(p.pos))
}

func (p *parser) literal(word string, k kind) (*node, error) {
	if !bytes.HasPrefix(p.src[p.pos:], []byte(word)) {
		return nil, p.errorf(p.pos, "expected %s, found %s", word, p.foundWord(p.pos))
	}
	start := p.pos
	p.pos += len(word)
	return p.newNode(k, start, p.pos), nil
}

// foundWord quotes the letters at pos, so that `tru` or `True` is shown whole.
func (p *parser) foundWord(pos int) string {
	end := pos
	for end < len(p.src) && end-pos < 20 {
		c := p.src[end]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			break
		}
		end++
	}
	if end == pos {
		return p.found(pos)
	}
	return strconv.Quote(string(p.src[pos:end]))
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(pos, "exceeded the maximum nesting depth of %d", maxDepth)
	}
	return nil
}

func (p *parser) parseObject() (*node, error) {
	n := p.newNode(kindObject, p.pos, 0)
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	p.pos++
	base := len(p.mstack)
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			break
		}
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf(p.pos, "expected member name or '}', found %s", p.found(p.pos))
		}
		m := member{keyStart: p.pos, comma: -1}
		end, plain, err := p.scanString()
		if err != nil {
			return nil, err
		}
		m.keyEnd = end
		if plain {
			m.name = memberName(p.src[m.keyStart+1 : end-1])
		} else {
			m.name = unquote(p.src[m.keyStart:end])
		}
		p.pos = end
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf(p.pos, "expected ':' after member name, found %s", p.found(p.pos))
		}
		m.colon = p.pos
		p.pos++
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if m.value, err = p.parseValue("expected value after ':'"); err != nil {
			return nil, err
		}
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			m.comma = p.pos
			p.pos++
			p.mstack = append(p.mstack, m)
			continue
		}
		p.mstack = append(p.mstack, m)
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			return nil, p.errorf(p.pos, "expected ',' or '}' after object member, found %s", p.found(p.pos))
		}
		break
	}
	if len(p.mstack) > base {
		n.members = slices.Clone(p.mstack[base:])
		p.mstack = p.mstack[:base]
	}
	p.pos++
	p.depth--
	n.end = p.pos
	return n, nil
}

func (p *parser) parseArray() (*node, error) {
	n := p.newNode(kindArray, p.pos, 0)
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	p.pos++
	base := len(p.estack)
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			break
		}
		v, err := p.parseValue("expected value or ']'")
		if err != nil {
			return nil, err
		}
		e := element{value: v, comma: -1}
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			e.comma = p.pos
			p.pos++
			p.estack = append(p.estack, e)
			continue
		}
		p.estack = append(p.estack, e)
		if p.pos >= len(p.src) || p.src[p.pos] != ']' {
			return nil, p.errorf(p.pos, "expected ',' or ']' after array element, found %s", p.found(p.pos))
		}
		break
	}
	if len(p.estack) > base {
		n.elems = slices.Clone(p.estack[base:])
		p.estack = p.estack[:base]
	}
	p.pos++
	p.depth--
	n.end = p.pos
	return n, nil
}

// scanString checks the string starting at p.pos (an opening quote) and returns the offset
// just past its closing quote. plain reports that the string holds only printable ASCII and
// no escapes, so its contents are its value.
func (p *parser) scanString() (end int, plain bool, err error) {
	src := p.src
	plain = true
	for i := p.pos + 1; i < len(src); {
		c := src[i]
		switch {
		case c == '"':
			return i + 1, plain, nil
		case c == '\\':
			plain = false
			if i+1 >= len(src) {
				return 0, false, p.errorf(i+1, "expected escape character after '\\', found end of input")
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for j := i + 2; j < i+6; j++ {
					if j >= len(src) || !isHex(src[j]) {
						return 0, false, p.errorf(j, "expected 4 hexadecimal digits after '\\u', found %s", p.found(j))
					}
				}
				i += 6
			default:
				return 0, false, p.errorf(i, "invalid escape sequence '\\%s' in string (valid are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", p.escapeChar(i+1))
			}
		case c == '\n' || c == '\r':
			return 0, false, p.errorf(i, "expected '\"' to end the string before the end of the line")
		case c < 0x20:
			return 0, false, p.errorf(i, "invalid control character %s in string (write it as an escape sequence)", p.found(i))
		case c >= utf8.RuneSelf:
			plain = false
			i++
		default:
			i++
		}
	}
	return 0, false, p.errorf(len(src), "expected '\"' to end the string, found end of input")
}

func (p *parser) escapeChar(pos int) string {
	r, size := utf8.DecodeRune(p.src[pos:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("\\x%02x", p.src[pos])
	}
	return string(r)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber checks the strict JSON number grammar, which is also what JSONC readers
// (VS Code, Zed) accept: no leading '+', no leading zeros, no hex, no NaN.
func (p *parser) scanNumber() error {
	src := p.src
	i := p.pos
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
		if i < len(src) && isDigit(src[i]) {
			return p.errorf(i-1, "invalid number: leading zeros are not allowed")
		}
	case i < len(src) && isDigit(src[i]):
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	default:
		return p.errorf(i, "expected digit after '-', found %s", p.found(i))
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || !isDigit(src[i]) {
			return p.errorf(i, "expected digit after '.' in number, found %s", p.found(i))
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || !isDigit(src[i]) {
			return p.errorf(i, "expected digit in number exponent, found %s", p.found(i))
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	p.pos = i
	return nil
}
