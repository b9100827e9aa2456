// Package yamledit edits YAML documents through yaml.v3's node tree while
// keeping as much of the original text as it can.
//
// Continue's config.yaml and Goose's config.yaml are written by hand (or, for
// Goose, by the app) and carry comments, blank lines and key order that a
// plain decode/encode round trip would destroy. A Doc therefore keeps the
// original bytes next to the node tree:
//
//   - an untouched document is returned byte for byte;
//   - after edits, only the entries that changed are re-encoded: an entry is
//     a key/value pair of a block mapping or an item of a block sequence, at
//     the deepest level where the original layout can be followed, and every
//     other line is copied from the original, including blank lines and
//     comments;
//   - the result is parsed again and compared with the edited tree (values
//     and comments); if splicing cannot be done safely, the whole document is
//     re-encoded by yaml.v3 instead.
//
// Re-encoded entries follow yaml.v3's formatting, which differs from
// hand-written YAML in ways this package cannot prevent:
//
//   - nested levels use one indentation step, detected from the file (2 or
//     4 spaces, 2 when the file has no nesting); a sequence inside a
//     re-encoded entry is indented below its key even if the file wrote
//     `key:` and `- item` in the same column;
//   - flow collections lose the spaces inside braces: `{ a: 1 }` becomes
//     `{a: 1}`;
//   - blank lines inside a re-encoded entry are dropped, and a comment is
//     written with one space before it (`key: v # c`);
//   - a scalar keeps its quoting style when the value is replaced by Set,
//     but new values get yaml.v3's choice (plain when possible, otherwise
//     double quotes);
//   - when the whole document has to be re-encoded (a new document, several
//     documents in one file, a layout the splicer does not follow), all of
//     the above applies to the whole file;
//   - yaml.v3 mis-writes a few odd values (a string made only of line
//     breaks, an empty null key); re-encoded text is therefore read back and,
//     if it differs, written again with every string double-quoted. Bytes
//     returns ErrNoRoundTrip rather than text that reads back differently.
//
// Line endings (LF or CRLF) and a UTF-8 byte-order mark are preserved.
//
// Get, Set, Delete and Append work on the first document of a file; later
// documents (after `---`) are kept as they are.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Errors callers can branch on.
var (
	// ErrEmptyPath is returned by Set and Delete for an empty path: the
	// document root is not replaced or removed as a whole.
	ErrEmptyPath = errors.New("empty path")
	// ErrBadPath is returned for a path element that is neither a string
	// (mapping key) nor an int (sequence index), or that does not fit the
	// node it is applied to (a key on a sequence, an index on a mapping, a
	// step through a scalar).
	ErrBadPath = errors.New("bad path")
	// ErrIndex is returned for a sequence index outside the sequence.
	ErrIndex = errors.New("index out of range")
	// ErrNotSequence is returned by Append when the node at the path exists
	// and is not a sequence.
	ErrNotSequence = errors.New("not a sequence")
	// ErrUnsupportedValue is returned by Set and Append for Go values
	// yaml.v3 cannot encode, such as channels and functions.
	ErrUnsupportedValue = errors.New("unsupported value")
	// ErrNoRoundTrip is returned by Bytes when yaml.v3 writes text that
	// does not read back as the edited document (it has emitter bugs for
	// some unusual keys and scalars); nothing is returned rather than a
	// file with different content.
	ErrNoRoundTrip = errors.New("encoded document does not read back as edited")
	// ErrAlias is returned when an edit would go through an alias (*name):
	// changing it would silently change the anchored node elsewhere.
	ErrAlias = errors.New("path goes through an alias")
)

var bom = []byte("\xef\xbb\xbf")

// SyntaxError reports where a document fails to parse. Line is 1-based.
// yaml.v3 reports lines only, so Col is 0 (unknown) except for errors this
// package locates itself: a byte YAML does not allow, or a scalar that does
// not decode (`!!int x`). Documents yaml.v3 parses but cannot decode, such
// as ones with duplicate keys, are rejected too, because the clients that
// read these files reject them.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Doc is a YAML file being edited. It is not safe for concurrent use.
type Doc struct {
	src    []byte // the input, exactly as given
	bom    bool
	crlf   bool
	text   []byte // the input without BOM, with LF line endings
	indent int

	orig   []*yaml.Node // documents as parsed; never changed
	docs   []*yaml.Node // documents being edited
	origOf map[*yaml.Node]*yaml.Node
}

// Parse reads a YAML file (possibly several documents). Empty input is a
// valid file with no document; the first Set creates one.
func Parse(data []byte) (*Doc, error) {
	d := &Doc{src: bytes.Clone(data)}
	text := data
	if bytes.HasPrefix(text, bom) {
		d.bom = true
		text = text[len(bom):]
	}
	if i := bytes.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		d.crlf = true
	}
	d.text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	orig, err := decodeAll(d.text)
	if err != nil {
		return nil, err
	}
	d.orig = orig
	d.indent = detectIndent(d.text)
	d.docs, d.origOf = copyDocs(d.orig)
	return d, nil
}

// decodeAll parses every document of a stream. yaml.v3 reports its own
// failures through panics that it recovers; the extra recover here turns any
// other panic on hostile input into an error instead of a crash.
func decodeAll(text []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("yaml parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, syntaxError(text, err)
		}
		// yaml.v3 builds nodes for documents it cannot decode, such as
		// ones with duplicate keys; the clients reading these files reject
		// them, and so does Parse.
		var v any
		if err := n.Decode(&v); err != nil {
			if line, col := badScalar(&n); line > 0 {
				return nil, &SyntaxError{Line: line, Col: col, Msg: strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")}
			}
			return nil, syntaxError(text, err)
		}
		docs = append(docs, &n)
	}
}

// badScalar finds the first scalar that does not decode on its own (such
// as `!!int x`), because yaml.v3 reports those errors without a position.
func badScalar(n *yaml.Node) (line, col int) {
	if n.Kind == yaml.ScalarNode {
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Line, n.Column
		}
	}
	for _, c := range n.Content {
		if line, col := badScalar(c); line > 0 {
			return line, col
		}
	}
	return 0, 0
}

var lineRE = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 error string into a SyntaxError. yaml.v3
// leaves the line out for errors on the first line, and reports bad bytes
// without any position, so those are located here.
func syntaxError(text []byte, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = "yaml: " + te.Errors[0]
	}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &SyntaxError{Line: line, Msg: m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if off := firstBadChar(text); off >= 0 {
		line := 1 + bytes.Count(text[:off], []byte("\n"))
		col := off - (bytes.LastIndexByte(text[:off], '\n') + 1) + 1
		return &SyntaxError{Line: line, Col: col, Msg: msg}
	}
	return &SyntaxError{Line: 1, Msg: msg}
}

// firstBadChar returns the offset of the first byte YAML does not allow
// (invalid UTF-8 or a control character), or -1.
func firstBadChar(text []byte) int {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return i
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0xd800 && r < 0xe000) || r == 0xfffe || r == 0xffff:
			return i
		}
		i += size
	}
	return -1
}

// copyDocs deep-copies the parsed documents and remembers which copy came
// from which original node. The splicer uses that link to find the original
// text of every entry that is still unchanged.
func copyDocs(orig []*yaml.Node) ([]*yaml.Node, map[*yaml.Node]*yaml.Node) {
	origOf := map[*yaml.Node]*yaml.Node{}
	copyOf := map[*yaml.Node]*yaml.Node{}
	var cp func(n *yaml.Node) *yaml.Node
	cp = func(n *yaml.Node) *yaml.Node {
		if n == nil {
			return nil
		}
		if c, ok := copyOf[n]; ok {
			return c
		}
		c := &yaml.Node{}
		*c = *n
		copyOf[n] = c
		origOf[c] = n
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, ch := range n.Content {
			c.Content[i] = cp(ch)
		}
		return c
	}
	docs := make([]*yaml.Node, len(orig))
	for i, n := range orig {
		docs[i] = cp(n)
	}
	// Aliases point at anchored nodes; point the copies at the copies.
	for c := range origOf {
		if c.Alias != nil {
			c.Alias = cp(c.Alias)
		}
	}
	return docs, origOf
}

// Changed reports whether the tree differs from the parsed input, so callers
// can skip writing a file that would come out identical. It compares trees
// rather than tracking calls, so a node changed through Get counts too.
func (d *Doc) Changed() bool {
	if len(d.docs) != len(d.orig) {
		return true
	}
	for i := range d.docs {
		if !d.same(d.docs[i], d.orig[i]) {
			return true
		}
	}
	return false
}

// same reports whether n is the unchanged copy of o, comments and styles
// included.
func (d *Doc) same(n, o *yaml.Node) bool {
	if n == nil || o == nil {
		return n == o
	}
	if d.origOf[n] != o || n.Kind != o.Kind || n.Style != o.Style || n.Tag != o.Tag ||
		n.Value != o.Value || n.Anchor != o.Anchor || n.HeadComment != o.HeadComment ||
		n.LineComment != o.LineComment || n.FootComment != o.FootComment ||
		len(n.Content) != len(o.Content) {
		return false
	}
	if (n.Alias == nil) != (o.Alias == nil) || (n.Alias != nil && d.origOf[n.Alias] != o.Alias) {
		return false
	}
	for i := range n.Content {
		if !d.same(n.Content[i], o.Content[i]) {
			return false
		}
	}
	return true
}

// root returns the content node of the first document, or nil.
func (d *Doc) root() *yaml.Node {
	if len(d.docs) == 0 || len(d.docs[0].Content) == 0 {
		return nil
	}
	return d.docs[0].Content[0]
}

// Get returns the node at path: strings are mapping keys, ints are sequence
// indexes; aliases are followed. The node belongs to the Doc: read it, and
// change the document through Set, Delete and Append.
func (d *Doc) Get(path ...any) (*yaml.Node, bool) {
	n := d.root()
	for _, p := range path {
		if n == nil {
			return nil, false
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		_, i, err := child(n, p)
		if err != nil || i < 0 {
			return nil, false
		}
		if n.Kind == yaml.MappingNode {
			n = n.Content[i+1]
		} else {
			n = n.Content[i]
		}
	}
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n, n != nil
}

// child finds path element p in collection n. For a mapping it returns the
// index of the key node in Content, for a sequence the item index; -1 when
// absent.
func child(n *yaml.Node, p any) (key string, i int, err error) {
	switch p := p.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return "", -1, fmt.Errorf("%w: key %q on a %s", ErrBadPath, p, kindName(n))
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			k := n.Content[j]
			if k.Kind == yaml.ScalarNode && k.Value == p {
				return p, j, nil
			}
		}
		return p, -1, nil
	case int:
		if n.Kind != yaml.SequenceNode {
			return "", -1, fmt.Errorf("%w: index %d on a %s", ErrBadPath, p, kindName(n))
		}
		if p < 0 || p >= len(n.Content) {
			return "", -1, fmt.Errorf("%w: %d of %d", ErrIndex, p, len(n.Content))
		}
		return "", p, nil
	}
	return "", -1, fmt.Errorf("%w: element %v is a %T, want string or int", ErrBadPath, p, p)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.DocumentNode:
		return "document"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "node"
}

func pathString(path []any) string {
	var b strings.Builder
	for i, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

// toNode converts a Go value to a node. Nodes passed in are copied, so the
// caller's tree and the document never share nodes.
func toNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case *yaml.Node:
		if x == nil {
			return nil, fmt.Errorf("encode value: nil node")
		}
		docs, _ := copyDocs([]*yaml.Node{x})
		n := docs[0]
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			n = n.Content[0]
		}
		if err := checkText(n); err != nil {
			return nil, err
		}
		return n, nil
	case yaml.Node:
		return toNode(&x)
	}
	var n yaml.Node
	if err := encodeValue(&n, v); err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	if err := checkText(&n); err != nil {
		return nil, err
	}
	return &n, nil
}

// checkText rejects node text that yaml.v3 would refuse to write, so the
// error shows up at Set rather than later in Bytes.
func checkText(n *yaml.Node) error {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n == nil || seen[n] {
			return nil
		}
		seen[n] = true
		if !utf8.ValidString(n.Value) || !utf8.ValidString(n.Tag) || !utf8.ValidString(n.Anchor) {
			return fmt.Errorf("%w: text is not valid UTF-8", ErrUnsupportedValue)
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(n)
}

// checkPath rejects path elements that cannot be written as keys.
func checkPath(path []any) error {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if !utf8.ValidString(p) {
				return fmt.Errorf("%w: key is not valid UTF-8", ErrUnsupportedValue)
			}
		case int:
		default:
			return fmt.Errorf("%w: element %v is a %T, want string or int", ErrBadPath, p, p)
		}
	}
	return nil
}

// encodeValue wraps Node.Encode, which panics (rather than failing) on
// values such as channels and functions.
func encodeValue(n *yaml.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrUnsupportedValue, r)
		}
	}()
	return n.Encode(v)
}

// decoded returns the plain Go value of a node, used to decide whether an
// edit changes anything.
func decoded(n *yaml.Node) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode node: %v", r)
		}
	}()
	err = n.Decode(&v)
	return v, err
}

func equalNodes(a, b *yaml.Node) bool {
	av, err1 := decoded(a)
	bv, err2 := decoded(b)
	return err1 == nil && err2 == nil && sameValue(av, bv)
}

// sameValue is reflect.DeepEqual except that NaN equals NaN, so that a file
// holding .nan is not rewritten by every Set.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || x != x && y != y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
