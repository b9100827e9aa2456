package vscode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// parse reads mcp.json, which VS Code reads as JSONC: comments and trailing commas are
// allowed and jsonedit keeps both. A document whose top level is not an object is no
// configuration, so it is reported like a syntax error: aisync must not write into it.
func parse(path string, data []byte) (*jsonedit.Doc, error) {
	doc, err := jsonedit.Parse(data)
	if err != nil {
		var se *jsonedit.SyntaxError
		if errors.As(err, &se) {
			return nil, &clients.SyntaxError{Path: path, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: clients.FormatJSONC}
		}
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if doc.Keys() == nil {
		return nil, &clients.SyntaxError{Path: path, Line: 1, Col: 1, Msg: "the top level must be an object", Format: clients.FormatJSONC}
	}
	return doc, nil
}

// lookup reads the value at path: whether it is there, and its members when it is an object.
func lookup(doc *jsonedit.Doc, path ...string) (members map[string]json.RawMessage, exists, isObject bool) {
	raw, ok := doc.Get(path...)
	if !ok {
		return nil, false, false
	}
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, true, false
	}
	return members, true, true
}

// stringList reads a JSON array of strings; ok is false for anything else (null included).
func stringList(raw json.RawMessage) ([]string, bool) {
	var items []any
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// member is one member of an object written in a chosen order.
type member struct {
	key string
	val any
}

// object renders members in order, for new entries: json.Marshal would sort the keys, and a
// server reads best with its command or url first.
func object(ms []member) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(m.val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes like jsonedit does: <, > and & stay readable.
func marshal(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// canonical is the compact form of a JSON value with sorted keys, for comparing as data.
func canonical(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid:" + string(raw)
	}
	b, _ := marshal(v)
	return string(b)
}

func equalRaw(a, b json.RawMessage) bool { return canonical(a) == canonical(b) }

// equalJSON compares two Go values by their JSON form.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// cloneServer copies a server deeply enough that normalizing it does not touch the caller's.
func cloneServer(s unified.Server) unified.Server {
	c := unified.Config{Servers: map[string]unified.Server{"": s}}.Clone()
	return c.Servers[""]
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
