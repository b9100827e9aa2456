package goose

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"gopkg.in/yaml.v3"

	"aisync/backend/clients"
	"aisync/backend/edit/yamledit"
)

// parse reads config.yaml; a file that does not parse is a *clients.SyntaxError.
func parse(path string, data []byte) (*yamledit.Doc, error) {
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

// pair is one key and value of a mapping.
type pair struct {
	key string
	val *yaml.Node
}

// pairs lists a mapping's entries in order. It fails for what the editor cannot address by
// key: a key that is not a plain string, and YAML merge keys (<<), whose fields would read
// as this entry's but live elsewhere.
func pairs(n *yaml.Node) ([]pair, string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, "it is not a mapping"
	}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, "it has a key that is not a string"
		}
		if k.Value == "<<" {
			return nil, "it merges another mapping (<<)"
		}
		out = append(out, pair{k.Value, n.Content[i+1]})
	}
	return out, ""
}

// lookup returns the value of key in a mapping without following aliases, so callers can
// tell an alias (which must not be edited through) from a value.
func lookup(m *yaml.Node, key string) (*yaml.Node, bool) {
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

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// asString reads a string scalar. Numbers and booleans are not strings: Goose's config types
// reject them where they want text, so such an entry is left alone rather than guessed at.
func asString(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

func asStrings(n *yaml.Node) ([]string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, ok := asString(c)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func asStringMap(n *yaml.Node) (map[string]string, bool) {
	ps, problem := pairs(resolve(n))
	if problem != "" {
		return nil, false
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		s, ok := asString(p.val)
		if !ok {
			return nil, false
		}
		if _, dup := out[p.key]; dup {
			return nil, false
		}
		out[p.key] = s
	}
	return out, true
}

// asNumber reads an integer or float scalar.
func asNumber(n *yaml.Node) (float64, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// toJSON converts a YAML value to JSON for Server.Extras. It fails for what JSON cannot
// hold (non-string keys, NaN), and such an entry is left alone.
func toJSON(n *yaml.Node) (json.RawMessage, bool) {
	var v any
	if err := safeDecode(n, &v); err != nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return b, true
}

func safeDecode(n *yaml.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode yaml value: %v", r)
		}
	}()
	return n.Decode(v)
}

// fromJSON turns an extra back into a value yamledit can write.
func fromJSON(raw json.RawMessage) (any, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return v, true
}

func equalJSON(a, b json.RawMessage) bool {
	x, ok1 := fromJSON(a)
	y, ok2 := fromJSON(b)
	if !ok1 || !ok2 {
		return string(a) == string(b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// mapping builds a block mapping with keys in the given order, for new entries.
func mapping(kv ...any) (*yaml.Node, error) {
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

// anchored reports whether a node or anything inside it carries an anchor (&name): editing
// it would change every alias of it elsewhere in the file too.
func anchored(n *yaml.Node) bool {
	if n == nil || n.Kind == yaml.AliasNode {
		return false
	}
	if n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if anchored(c) {
			return true
		}
	}
	return false
}
