package mcpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
)

// Parse reads a client's JSON or JSONC file. A file that does not parse is a
// *clients.SyntaxError that names the file, the line and the column, so the user can be told
// exactly where to look.
func Parse(path string, data []byte, format clients.Format) (*jsonedit.Doc, error) {
	doc, err := jsonedit.Parse(data)
	if err == nil {
		return doc, nil
	}
	var se *jsonedit.SyntaxError
	if errors.As(err, &se) {
		return nil, &clients.SyntaxError{Path: path, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: format}
	}
	return nil, fmt.Errorf("read %s: %w", path, err)
}

// object is a JSON object under construction that keeps its members in order, so that an
// entry rebuilt from the file lists its members where the file had them and jsonedit's
// member-by-member merge sees only the members that really changed.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func newObject() *object { return &object{vals: map[string]json.RawMessage{}} }

// readObject reads the object at path in document order; ok is false when there is no
// object there.
func readObject(doc *jsonedit.Doc, path []string) (*object, bool) {
	keys, vals, ok := doc.Members(path...)
	if !ok {
		return nil, false
	}
	return &object{keys: keys, vals: vals}, true
}

// objectOf reads the object v in document order; ok is false when v is not an object.
func objectOf(v jsonedit.Value) (*object, bool) {
	keys, vals, ok := v.Members()
	if !ok {
		return nil, false
	}
	return &object{keys: keys, vals: vals}, true
}

// reserve makes room for n more members, so that setting a thousand servers does not grow
// the object a member at a time.
func (o *object) reserve(n int) {
	if n <= 0 {
		return
	}
	o.keys = slices.Grow(o.keys, n)
	if len(o.vals) == 0 {
		o.vals = make(map[string]json.RawMessage, n)
	}
}

func (o *object) has(k string) bool { _, ok := o.vals[k]; return ok }

func (o *object) get(k string) (json.RawMessage, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) set(k string, v json.RawMessage) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// raw renders the object as compact JSON in member order.
func (o *object) raw() json.RawMessage {
	size := 2
	for k, v := range o.vals {
		size += len(k) + len(v) + 4 // quotes, colon, comma; a name that needs escapes grows it
	}
	var b bytes.Buffer
	b.Grow(size)
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(marshal(k))
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// marshal encodes a value as JSON without HTML escaping: these files are read by people,
// and "a && b" in an argument should stay readable (jsonedit.Marshal, which writes plain
// strings, lists and maps of strings directly).
func marshal(v any) json.RawMessage {
	b, err := jsonedit.Marshal(v)
	if err != nil {
		// Only strings, string slices, string maps and numbers are encoded here.
		panic("mcpjson: encode value: " + err.Error())
	}
	return b
}
