package jsonedit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"unicode/utf8"
)

// Value helpers the JSON adapters share: reading members and string lists out of a Doc,
// rendering new objects with their members in a chosen order, and comparing JSON as data.

// LookupMembers reads the value at path: whether it is there, and its members when it is an object.
func LookupMembers(d *Doc, path ...string) (members map[string]json.RawMessage, exists, isObject bool) {
	if exists, isObject = d.Lookup(path...); !isObject {
		return nil, exists, false
	}
	_, members, _ = d.Members(path...)
	return members, true, true
}

// StringList reads a JSON array of strings; ok is false for anything else (null included).
func StringList(raw json.RawMessage) ([]string, bool) {
	if list, ok := PlainStrings(raw); ok {
		return list, true
	}
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

// PlainString reads a JSON string that means its own bytes (no escape, no control
// character, valid UTF-8), the common case, without encoding/json; ok is false for anything
// else, which the caller reads the general way.
func PlainString(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && plainJSONString(raw[1:len(raw)-1]) {
		return string(raw[1 : len(raw)-1]), true
	}
	return "", false
}

// PlainStrings reads a compact array of plain strings (see PlainString), the form of nearly
// every args list as Get and Members hand it over, without encoding/json; for anything else
// ok is false and the caller reads the value the general way. Decoding every entry of a
// large file through encoding/json was a tenth of a sync pass at scale.
func PlainStrings(raw []byte) ([]string, bool) {
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return nil, false
	}
	out := []string{}
	for body := raw[1 : len(raw)-1]; len(body) > 0; {
		s, rest, ok := plainToken(body)
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if body, ok = nextItem(rest); !ok {
			return nil, false
		}
	}
	return out, true
}

// PlainStringMap is PlainStrings for a compact object of plain strings (an env or headers
// map). A repeated name keeps its last value, as with encoding/json.
func PlainStringMap(raw []byte) (map[string]string, bool) {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, false
	}
	out := map[string]string{}
	for body := raw[1 : len(raw)-1]; len(body) > 0; {
		k, rest, ok := plainToken(body)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return nil, false
		}
		v, rest, ok := plainToken(rest[1:])
		if !ok {
			return nil, false
		}
		out[k] = v
		if body, ok = nextItem(rest); !ok {
			return nil, false
		}
	}
	return out, true
}

// plainToken reads the plain string at the start of b and returns what follows it.
func plainToken(b []byte) (s string, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != '"' {
		return "", nil, false
	}
	end := bytes.IndexByte(b[1:], '"') + 1
	if end == 0 || !plainJSONString(b[1:end]) {
		return "", nil, false
	}
	return string(b[1:end]), b[end+1:], true
}

// nextItem steps over the comma between two items: rest is empty after the last item, and
// anything but a comma followed by more is not the compact form.
func nextItem(rest []byte) ([]byte, bool) {
	switch {
	case len(rest) == 0:
		return nil, true
	case rest[0] == ',' && len(rest) > 1:
		return rest[1:], true
	}
	return nil, false
}

// plainJSONString reports whether b, the inside of a JSON string, means itself: no escape,
// no quote, no control character, valid UTF-8.
func plainJSONString(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
	}
	return utf8.Valid(b)
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
	b.Grow(objectSize(ms))
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

// objectSize estimates the encoded size of the object of ms, for its buffer.
func objectSize(ms []Member) int {
	size := 2
	for _, m := range ms {
		size += len(m.Key) + 4
		switch x := m.Val.(type) {
		case json.RawMessage:
			size += len(x) // the servers of a new file, each already encoded
		case Ordered:
			size += objectSize(x)
		case string:
			size += len(x)
		case []string:
			for _, s := range x {
				size += len(s) + 3
			}
		case map[string]string:
			for k, v := range x {
				size += len(k) + len(v) + 6
			}
		}
	}
	return size
}

// Marshal encodes like Set does: <, > and & stay readable. Strings, lists and maps of
// strings that need no escaping (nearly all of them) are written directly: a pass encodes
// every member of every server of every client, and an encoder per value showed in
// profiles. TestMarshalFastPathMatchesEncoder holds the two ways to the same bytes.
func Marshal(v any) (json.RawMessage, error) {
	switch x := v.(type) {
	case json.RawMessage:
		return x, nil
	case Ordered:
		return Object(x)
	}
	if b, ok := marshalPlain(v); ok {
		return b, nil
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
		for i, k := range SortedKeys(x) {
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

// marshalEncoder is Marshal through encoding/json.
func marshalEncoder(v any) (json.RawMessage, error) {
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

// EqualJSON compares two Go values by their JSON form. Values that are deeply equal are
// equal without encoding them: adapters compare every field of every server this way.
func EqualJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// IsNull reports whether raw is the JSON null.
func IsNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m)) // one allocation: slices.Sorted(maps.Keys) grows its slice
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AddMembers adds members that the object at path does not have yet, in order, writing what
// setting them one by one would write (the object is created when missing), but with one
// edit of the document instead of one per member, so that adding hundreds of servers to a
// file reads it once rather than hundreds of times. A member that already exists, or a path
// that is not an object, is set one by one instead, which handles every case Set does. On
// error the document is left as it was.
func (d *Doc) AddMembers(path []string, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	saved := *d
	if err := d.addMembers(path, ms); err != nil {
		*d = saved
		return err
	}
	return nil
}

func (d *Doc) addMembers(path []string, ms []Member) error {
	obj, ok := d.find(path)
	if !ok && len(path) > 0 {
		// Create the object, then fill it: the same layout as a first Set of a member.
		if err := d.Set(path, json.RawMessage("{}")); err != nil {
			return err
		}
		obj, ok = d.find(path)
	}
	batch := ok && obj.kind == kindObject
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		name := canonicalName(m.Key)
		if batch && (seen[name] || obj.lookup(name) != nil) {
			batch = false
		}
		seen[name] = true
	}
	if !batch {
		for _, m := range ms {
			if err := d.Set(append(slices.Clip(path), m.Key), m.Val); err != nil {
				return err
			}
		}
		return nil
	}
	raw, vn, err := build(ms, objectSize(ms))
	if err != nil {
		return fmt.Errorf("set %s: encode value: %w", describe(path), err)
	}
	news := make([]newItem, len(vn.members))
	for i, m := range vn.members {
		news[i] = newItem{key: raw[m.keyStart:m.keyEnd], vn: m.value}
	}
	if err := d.insertItems(obj, len(obj.members), raw, news); err != nil {
		return fmt.Errorf("set %s: %w", describe(path), err)
	}
	return nil
}
