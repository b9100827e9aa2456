package mcpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	var b bytes.Buffer
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
// and "a && b" in an argument should stay readable. Strings, lists and maps of strings that
// need no escaping (nearly all of them) are written directly: a pass encodes every member of
// every server of every client, and an encoder per value showed in profiles.
// TestMarshalFastPathMatchesEncoder holds the two ways to the same bytes.
func marshal(v any) json.RawMessage {
	if b, ok := marshalPlain(v); ok {
		return b
	}
	return marshalEncoder(v)
}

// marshalPlain writes v when it is a string, a list or a map of strings, all printable ASCII
// without quotes or backslashes; ok is false otherwise.
func marshalPlain(v any) (json.RawMessage, bool) {
	switch x := v.(type) {
	case string:
		return appendPlain(nil, x)
	case []string:
		if x == nil {
			return json.RawMessage("null"), true
		}
		b := []byte{'['}
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendPlain(b, s); !ok {
				return nil, false
			}
		}
		return append(b, ']'), true
	case map[string]string:
		if x == nil {
			return json.RawMessage("null"), true
		}
		b := []byte{'{'}
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendPlain(b, k); !ok {
				return nil, false
			}
			b = append(b, ':')
			if b, ok = appendPlain(b, x[k]); !ok {
				return nil, false
			}
		}
		return append(b, '}'), true
	}
	return nil, false
}

// appendPlain appends s quoted when it is printable ASCII without a quote or a backslash.
func appendPlain(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

func marshalEncoder(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only strings, string slices, string maps and numbers are encoded here.
		panic("mcpjson: encode value: " + err.Error())
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
