package jsonedit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Value helpers the JSON adapters share: reading members and string lists out of a Doc,
// rendering new objects with their members in a chosen order, and comparing JSON as data.

// LookupMembers reads the value at path: whether it is there, and its members when it is an object.
func LookupMembers(d *Doc, path ...string) (members map[string]json.RawMessage, exists, isObject bool) {
	raw, ok := d.Get(path...)
	if !ok {
		return nil, false, false
	}
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, true, false
	}
	return members, true, true
}

// StringList reads a JSON array of strings; ok is false for anything else (null included).
func StringList(raw json.RawMessage) ([]string, bool) {
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

// Member is one member of an object written in a chosen order.
type Member struct {
	Key string
	Val any
}

// Object renders members in order, for new entries: json.Marshal would sort the keys, and a
// server reads best with its command or url first.
func Object(ms []Member) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		v, err := Marshal(m.Val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Marshal encodes like Set does: <, > and & stay readable.
func Marshal(v any) (json.RawMessage, error) {
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

// Canonical is the compact form of a JSON value with sorted keys, for comparing as data.
func Canonical(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid:" + string(raw)
	}
	b, _ := Marshal(v)
	return string(b)
}

// EqualRaw compares two JSON values as data.
func EqualRaw(a, b json.RawMessage) bool { return Canonical(a) == Canonical(b) }

// EqualJSON compares two Go values by their JSON form.
func EqualJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// IsNull reports whether raw is the JSON null.
func IsNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
