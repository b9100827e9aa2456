// Package jsonedit edits JSON and JSONC files in place without disturbing what the user wrote.
//
// Client config files are shared with their owners: people keep comments, commented-out
// servers, their own key order, tabs or four-space indents, trailing commas, CRLF line endings
// and a byte order mark in them, and clients such as Claude Code keep large unrelated state in
// the same file. Decoding into Go values and encoding again would throw all of that away. A Doc
// instead keeps the original bytes and a map of where every value lies in them; an edit splices
// new bytes over exactly the value it changes, formatted the way the surrounding file is, and
// everything else comes back byte for byte.
//
// The accepted language is JSON plus // and /* */ comments and trailing commas (the JSONC of
// VS Code, Zed and opencode). Strict JSON files stay strict: an edit only writes a trailing
// comma where the file already uses them.
package jsonedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// ErrNotObject is returned by Set when a path runs through a value that is not an object,
// so that callers can tell a file whose shape they do not understand from a failed write.
var ErrNotObject = errors.New("not an object")

// ErrEmptyPath is returned by Delete when asked to delete the document itself, which would
// leave a file that is no longer a config file; the caller should remove the file instead.
var ErrEmptyPath = errors.New("empty path")

// Doc is a JSON/JSONC document edited in place. A Doc is not safe for concurrent use.
type Doc struct {
	orig []byte
	src  []byte
	root *node  // nil while the document holds no value (empty, whitespace or comments only)
	st   *style // learnt on the first edit, from the document as the user wrote it
}

// Parse reads a JSON or JSONC document. Comments and trailing commas are always accepted,
// because the same adapter code reads strict JSON files and JSONC files and a strict file
// that a user has annotated should not stop a sync. Input that is empty or holds only
// whitespace and comments is an empty object document, so a client whose config file was
// just created can be written to. Repeated member names are accepted as JSON.parse accepts
// them (the last one wins) and reported by Duplicates. A malformed document yields a
// *SyntaxError.
func Parse(data []byte) (*Doc, error) {
	src := bytes.Clone(data)
	root, err := parseDocument(src, nil)
	if err != nil {
		return nil, err
	}
	// Edits never write into src; they build a new buffer, so orig and src can share it.
	return &Doc{orig: src, src: src, root: root}, nil
}

// Valid checks a document the way Parse would, for callers that only need to know whether a
// file can be read (for example before propagating a change made by another program that
// may still be writing it).
func Valid(data []byte) error {
	_, err := parseDocument(data, nil)
	return err
}

// Bytes returns the document. An unedited document returns the input byte for byte; an
// edited one differs only where values were set or deleted. The result is a copy.
func (d *Doc) Bytes() []byte {
	return bytes.Clone(d.src)
}

// Changed reports whether Bytes differs from the parsed input, so that callers write files
// (and wake up file watchers and the client) only when something really changed.
func (d *Doc) Changed() bool {
	return !bytes.Equal(d.src, d.orig)
}

// Get returns the value at the path of member names as standard JSON: comments and trailing
// commas are removed so that json.Unmarshal accepts it. When a name is repeated, the last
// member is used, as JSON.parse would. An empty document is an empty object.
func (d *Doc) Get(path ...string) (json.RawMessage, bool) {
	n, ok := d.find(path)
	if !ok {
		return nil, false
	}
	if n == nil {
		return json.RawMessage("{}"), true
	}
	var b bytes.Buffer
	b.Grow(n.end - n.start)
	writeCompact(&b, d.src, n)
	return b.Bytes(), true
}

// Keys returns the member names of the object at path in document order, each name once
// (at its first position), or nil when there is no object there. Adapters use it to walk
// maps such as mcpServers without decoding entries they do not understand.
func (d *Doc) Keys(path ...string) []string {
	n, ok := d.find(path)
	switch {
	case !ok:
		return nil
	case n == nil:
		return []string{}
	case n.kind != kindObject:
		return nil
	}
	return n.names()
}

// Members reads the object at path in one walk: its member names in document order, each
// once (as Keys gives them), and each one's value as Get would return it (the last one, for
// a repeated name). ok is false when there is no object there. Reading a large servers
// object member by member through Keys and Get found every member from the root again.
func (d *Doc) Members(path ...string) (keys []string, vals map[string]json.RawMessage, ok bool) {
	n, found := d.find(path)
	switch {
	case !found:
		return nil, nil, false
	case n == nil:
		return []string{}, map[string]json.RawMessage{}, true
	case n.kind != kindObject:
		return nil, nil, false
	}
	keys, vals = d.members(n)
	return keys, vals, true
}

// members is Members of the object n.
func (d *Doc) members(n *node) (keys []string, vals map[string]json.RawMessage) {
	keys = make([]string, 0, len(n.members))
	vals = make(map[string]json.RawMessage, len(n.members))
	// Every value is written, compact, into one buffer: one allocation instead of one per
	// member. The values written compact are never longer than the object's text, so the
	// buffer never moves and each value is sliced out as soon as it is written.
	var b bytes.Buffer
	b.Grow(n.end - n.start)
	for _, m := range n.members {
		start := b.Len()
		writeCompact(&b, d.src, m.value)
		if _, seen := vals[m.name]; !seen {
			keys = append(keys, m.name)
		}
		all := b.Bytes()
		vals[m.name] = all[start:len(all):len(all)] // full slice: appending to one copies it
	}
	return keys, vals
}

// Value is one value of a parsed document, found once and then read without looking it up
// by name again. Reading a large servers object entry by entry through Members found every
// entry from the root again and wrote the whole object out compact first, only to look at
// each entry on its own. A Value is valid until the document is edited. Reading different
// Values from several goroutines at once is safe; reading one from several is not.
type Value struct {
	d *Doc
	n *node
}

// MemberValues is Members with each value left where it is: the member names of the object
// at path in the order Members gives them, and each one's value (the last one, for a
// repeated name).
func (d *Doc) MemberValues(path ...string) (keys []string, vals []Value, ok bool) {
	n, found := d.find(path)
	switch {
	case !found:
		return nil, nil, false
	case n == nil:
		return []string{}, []Value{}, true
	case n.kind != kindObject:
		return nil, nil, false
	}
	keys = make([]string, 0, len(n.members))
	vals = make([]Value, 0, len(n.members))
	if n.uniqueNames() {
		for _, m := range n.members {
			keys = append(keys, m.name)
			vals = append(vals, Value{d, m.value})
		}
		return keys, vals, true
	}
	seen := make(map[string]bool, len(n.members))
	for _, m := range n.members {
		if !seen[m.name] {
			seen[m.name] = true
			keys = append(keys, m.name)
			vals = append(vals, Value{d, n.lookup(m.name).value}) // the last value wins
		}
	}
	return keys, vals, true
}

// Value returns the value at path, as Get finds it. A document holding nothing has no value.
func (d *Doc) Value(path ...string) (Value, bool) {
	n, ok := d.find(path)
	if !ok || n == nil {
		return Value{}, false
	}
	return Value{d, n}, true
}

// Kind is the first byte of the value: '{', '[', '"', 't', 'f', 'n', or the first byte of a
// number; 0 for the zero Value.
func (v Value) Kind() byte {
	if v.n == nil {
		return 0
	}
	return v.d.src[v.n.start]
}

// Members is Doc.Members of this value.
func (v Value) Members() (keys []string, vals map[string]json.RawMessage, ok bool) {
	if v.n == nil || v.n.kind != kindObject {
		return nil, nil, false
	}
	keys, vals = v.d.members(v.n)
	return keys, vals, true
}

// Member is the value of the member name of this object (the last one, for a repeated
// name); ok is false when this is not an object or has no such member.
func (v Value) Member(name string) (Value, bool) {
	if v.n == nil || v.n.kind != kindObject {
		return Value{}, false
	}
	m := v.n.lookup(canonicalName(name))
	if m == nil {
		return Value{}, false
	}
	return Value{v.d, m.value}, true
}

// uniqueNames reports whether no member name of the object appears twice.
func (n *node) uniqueNames() bool {
	if len(n.members) > indexFrom {
		n.lookup(n.members[0].name) // builds the index, one entry per name
		return len(n.index) == len(n.members)
	}
	for i := range n.members {
		for j := range i {
			if n.members[j].name == n.members[i].name {
				return false
			}
		}
	}
	return true
}

// Lookup reports whether there is a value at path and whether it is an object, without
// reading it.
func (d *Doc) Lookup(path ...string) (exists, isObject bool) {
	n, found := d.find(path)
	return found, found && (n == nil || n.kind == kindObject)
}

// Duplicates lists, as JSON Pointers, the members whose name appears more than once in the
// same object. Clients disagree about which duplicate wins, so callers should warn the user
// instead of silently syncing one of them.
func (d *Doc) Duplicates() []string {
	if d.root == nil {
		return nil
	}
	var out, path []string
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case kindObject:
			switch {
			case len(n.members) > indexFrom:
				count := make(map[string]int, len(n.members))
				for _, m := range n.members {
					count[m.name]++
					if count[m.name] == 2 {
						out = append(out, pointer(append(path, m.name)))
					}
				}
			case len(n.members) > 1:
				// A small object (every server entry of a large file) is compared pairwise:
				// a map per entry was most of this walk's cost.
				for i, m := range n.members {
					count := 0
					for _, o := range n.members[:i+1] {
						if o.name == m.name {
							count++
						}
					}
					if count == 2 { // its second appearance, as with the map above
						out = append(out, pointer(append(path, m.name)))
					}
				}
			}
			for _, m := range n.members {
				path = append(path, m.name)
				walk(m.value)
				path = path[:len(path)-1]
			}
		case kindArray:
			for i, e := range n.elems {
				path = append(path, strconv.Itoa(i))
				walk(e.value)
				path = path[:len(path)-1]
			}
		}
	}
	walk(d.root)
	return out
}

// find returns the node at path. ok is false when the path does not lead to a value; a nil
// node with ok true is the root of an empty document.
func (d *Doc) find(path []string) (*node, bool) {
	if d.root == nil {
		return nil, len(path) == 0
	}
	n := d.root
	for _, name := range path {
		if n.kind != kindObject {
			return nil, false
		}
		m := n.lookup(canonicalName(name))
		if m == nil {
			return nil, false
		}
		n = m.value
	}
	return n, true
}

func (d *Doc) style() *style {
	if d.st == nil {
		d.st = detectStyle(d.src, d.root)
	}
	return d.st
}
