// Package yamlnode holds the yaml.Node helpers the YAML-based adapters (Continue, Goose)
// share: typed reads of scalars, sequences and mappings that refuse to guess, and
// conversions to and from JSON for Extras.
package yamlnode

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"gopkg.in/yaml.v3"

	"aisync/backend/clients"
	"aisync/backend/edit/yamledit"
)

// Parse reads config.yaml; a file that does not parse is a *clients.SyntaxError.
func Parse(path string, data []byte) (*yamledit.Doc, error) {
	doc, err := yamledit.Parse(data)
	if err != nil {
		var se *yamledit.SyntaxError
		if errors.As(err, &se) {
			return nil, &clients.SyntaxError{Path: path, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: clients.FormatYAML}
		}
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return doc, nil
}

// Pair is one key and value of a mapping.
type Pair struct {
	Key string
	Val *yaml.Node
}

// Pairs lists a mapping's entries in order. It fails for what the editor cannot address by
// Key: a key that is not a plain string, and YAML merge keys (<<), whose fields would read
// as this entry's but live elsewhere.
func Pairs(n *yaml.Node) ([]Pair, string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, "it is not a mapping"
	}
	out := make([]Pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, "it has a key that is not a string"
		}
		if k.Value == "<<" {
			return nil, "it merges another mapping (<<)"
		}
		out = append(out, Pair{k.Value, n.Content[i+1]})
	}
	return out, ""
}

// Lookup returns the value of key in a mapping without following aliases, so callers can
// tell an alias (which must not be edited through) from a value.
func Lookup(m *yaml.Node, key string) (*yaml.Node, bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1], true
		}
	}
	return nil, false
}

func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// AsString reads a string scalar. Numbers and booleans are not strings: the clients' schemas
// reject them where they want text, so such an entry is left alone rather than guessed at.
func AsString(n *yaml.Node) (string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

func AsStrings(n *yaml.Node) ([]string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, ok := AsString(c)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func AsStringMap(n *yaml.Node) (map[string]string, bool) {
	ps, problem := Pairs(Resolve(n))
	if problem != "" {
		return nil, false
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		s, ok := AsString(p.Val)
		if !ok {
			return nil, false
		}
		if _, dup := out[p.Key]; dup {
			return nil, false
		}
		out[p.Key] = s
	}
	return out, true
}

// AsNumber reads an integer or float scalar.
func AsNumber(n *yaml.Node) (float64, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// ToJSON converts a YAML value to JSON for Server.Extras. It fails for what JSON cannot
// hold (non-string keys, NaN), and such an entry is left alone.
func ToJSON(n *yaml.Node) (json.RawMessage, bool) {
	var v any
	if err := SafeDecode(n, &v); err != nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return b, true
}

func SafeDecode(n *yaml.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode yaml value: %v", r)
		}
	}()
	return n.Decode(v)
}

// FromJSON turns an extra back into a value yamledit can write.
func FromJSON(raw json.RawMessage) (any, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return v, true
}

func EqualJSON(a, b json.RawMessage) bool {
	x, ok1 := FromJSON(a)
	y, ok2 := FromJSON(b)
	if !ok1 || !ok2 {
		return string(a) == string(b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// Mapping builds a block mapping with keys in the given order, for new entries.
func Mapping(kv ...any) (*yaml.Node, error) {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		var v yaml.Node
		if err := v.Encode(kv[i+1]); err != nil {
			return nil, fmt.Errorf("encode %v: %w", kv[i], err)
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[i].(string)}
		for _, r := range k.Value {
			if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
				k.Style = yaml.DoubleQuotedStyle // a plain or block key with a line break does not read back
				break
			}
		}
		m.Content = append(m.Content, k, &v)
	}
	return m, nil
}

// Anchored reports whether a node or anything inside it carries an anchor (&name): editing
// it would change every alias of it elsewhere in the file too.
func Anchored(n *yaml.Node) bool {
	if n == nil || n.Kind == yaml.AliasNode {
		return false
	}
	if n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if Anchored(c) {
			return true
		}
	}
	return false
}
