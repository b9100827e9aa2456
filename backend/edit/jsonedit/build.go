package jsonedit

import (
	"encoding/json"
	"fmt"
)

// Ordered is an object whose members are written in the given order, as Object writes them.
// A new server given to AddMembers as Ordered (rather than as the bytes Object makes of it)
// is laid out without being encoded and read back first.
type Ordered []Member

// builder writes values as compact JSON, byte for byte as Object and Marshal do, and builds
// as it goes the nodes parseDocument would read from what it wrote. AddMembers lays new
// members out from those nodes: adding a thousand servers to a file encoded them, then read
// the encoded text back for its nodes, which took a fifth of writing them. Strings, lists
// and maps of strings and Ordered objects are written directly; any other value is encoded
// by Marshal and read back in place by the parser. TestBuilderMatchesParse and FuzzBuilder
// hold the two ways to the same bytes and nodes.
type builder struct {
	buf   []byte
	slab  nodeSlab
	depth int
	p     parser // reads raw values in place
}

// build writes the object of ms and returns its bytes and node.
func build(ms []Member, sizeHint int) ([]byte, *node, error) {
	b := &builder{buf: make([]byte, 0, sizeHint)}
	n, err := b.object(ms)
	if err != nil {
		return nil, nil, err
	}
	return b.buf, n, nil
}

func (b *builder) value(v any) (*node, error) {
	switch x := v.(type) {
	case json.RawMessage:
		return b.raw(x)
	case Ordered:
		return b.object(x)
	case string:
		return b.str(x)
	case []string:
		if x != nil {
			return b.strings(x)
		}
	case map[string]string:
		if x != nil {
			return b.stringMap(x)
		}
	}
	raw, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	return b.raw(raw)
}

// raw appends JSON as it is (Object does not compact it) and reads it where it landed.
func (b *builder) raw(raw []byte) (*node, error) {
	start := len(b.buf)
	b.buf = append(b.buf, raw...)
	b.p.src, b.p.pos, b.p.depth = b.buf, start, b.depth
	if err := b.p.skipSpace(); err != nil {
		return nil, err
	}
	n, err := b.p.parseValue("expected value")
	if err != nil {
		return nil, err
	}
	if err := b.p.skipSpace(); err != nil {
		return nil, err
	}
	if b.p.pos != len(b.buf) {
		return nil, b.p.errorf(b.p.pos, "expected ',' or '}' after object member, found %s", b.p.found(b.p.pos))
	}
	return n, nil
}

func (b *builder) str(s string) (*node, error) {
	start := len(b.buf)
	if out, ok := appendPlain(b.buf, s); ok {
		b.buf = out
		return b.slab.node(kindString, start, len(b.buf)), nil
	}
	q, err := Marshal(s)
	if err != nil {
		return nil, err
	}
	b.buf = append(b.buf, q...)
	return b.slab.node(kindString, start, len(b.buf)), nil
}

// key writes a member name and returns the name as the parser reads it back.
func (b *builder) key(k string) (string, error) {
	if out, ok := appendPlain(b.buf, k); ok {
		b.buf = out
		return k, nil
	}
	q, err := Marshal(k)
	if err != nil {
		return "", err
	}
	b.buf = append(b.buf, q...)
	return unquote(q), nil
}

func (b *builder) strings(list []string) (*node, error) {
	n := b.slab.node(kindArray, len(b.buf), 0)
	b.buf = append(b.buf, '[')
	if len(list) > 0 {
		n.elems = make([]element, len(list))
	}
	for i, s := range list {
		if i > 0 {
			n.elems[i-1].comma = b.comma()
		}
		v, err := b.str(s)
		if err != nil {
			return nil, err
		}
		n.elems[i] = element{value: v, comma: -1}
	}
	b.buf = append(b.buf, ']')
	n.end = len(b.buf)
	return n, nil
}

// comma writes the comma between two items and returns where it went.
func (b *builder) comma() int {
	b.buf = append(b.buf, ',')
	return len(b.buf) - 1
}

func (b *builder) stringMap(m map[string]string) (*node, error) {
	keys := SortedKeys(m)
	ms := make(Ordered, len(keys))
	for i, k := range keys {
		ms[i] = Member{Key: k, Val: m[k]}
	}
	return b.object(ms)
}

func (b *builder) object(ms []Member) (*node, error) {
	n := b.slab.node(kindObject, len(b.buf), 0)
	b.buf = append(b.buf, '{')
	b.depth++
	if len(ms) > 0 {
		n.members = make([]member, len(ms))
	}
	for i, m := range ms {
		if i > 0 {
			n.members[i-1].comma = b.comma()
		}
		mem := member{keyStart: len(b.buf), comma: -1}
		name, err := b.key(m.Key)
		if err != nil {
			return nil, err
		}
		mem.name, mem.keyEnd, mem.colon = name, len(b.buf), len(b.buf)
		b.buf = append(b.buf, ':')
		if mem.value, err = b.value(m.Val); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Key, err)
		}
		n.members[i] = mem
	}
	b.depth--
	b.buf = append(b.buf, '}')
	n.end = len(b.buf)
	return n, nil
}
