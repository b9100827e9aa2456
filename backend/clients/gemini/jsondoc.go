package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// parse reads a settings file with comments and trailing commas, as Gemini's own reader
// (strip-json-comments) does. A document whose top level is not an object is no settings
// file, so it is reported like a syntax error: aisync must not write into it.
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
	if line, col, found := trailingComma(data); found {
		return nil, &clients.SyntaxError{Path: path, Line: line, Col: col, Format: clients.FormatJSONC,
			Msg: "trailing comma: Gemini CLI reads comments but not trailing commas, and refuses the whole file"}
	}
	return doc, nil
}

// trailingComma finds a comma that closes an object or array. jsonedit accepts it (VS Code
// does), but Gemini CLI strips only comments before JSON.parse, so such a file does not load
// in Gemini and must not be synced from or written to as if it did.
func trailingComma(data []byte) (line, col int, found bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	comma := -1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			comma = -1
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			end := bytes.Index(data[i+2:], []byte("*/"))
			if end < 0 {
				return 0, 0, false
			}
			i += end + 3
		case c == ',':
			comma = i
		case c == '}' || c == ']':
			if comma >= 0 {
				line = 1 + bytes.Count(data[:comma], []byte("\n"))
				start := bytes.LastIndexByte(data[:comma], '\n') + 1
				return line, utf8.RuneCount(data[start:comma]) + 1, true
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			comma = -1
		}
	}
	return 0, 0, false
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

// keepOrder returns the set want in the order the existing list had it, new items last in
// sorted order, so that adding one entry does not reorder (or lose the comments of) a list.
func keepOrder(existing []string, want []string) []string {
	wanted := map[string]bool{}
	for _, s := range want {
		wanted[s] = true
	}
	out := []string{}
	seen := map[string]bool{}
	for _, s := range existing {
		if wanted[s] && !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	var rest []string
	for _, s := range want {
		if !seen[s] {
			rest = append(rest, s)
			seen[s] = true
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// cloneServer copies a server deeply enough that normalizing it does not touch the caller's.
func cloneServer(s unified.Server) unified.Server {
	c := unified.Config{Servers: map[string]unified.Server{"": s}}.Clone()
	return c.Servers[""]
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
