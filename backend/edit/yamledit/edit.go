package yamledit

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Set writes value at path. Like tomledit.Set it touches as little as it
// can: an equal value leaves the document untouched; a mapping set over a
// mapping (or a sequence over a sequence) is applied entry by entry, so
// entries that stay keep their comments and order; a replaced node keeps its
// comments, its anchor, a quoted or block scalar style and a flow style;
// missing mapping keys are added at the end of their mapping, creating
// intermediate mappings as needed.
//
// value may be any Go value yaml.v3 can encode, or a *yaml.Node (copied)
// when the caller wants to choose styles, key order or comments.
func (d *Doc) Set(path []any, value any) error {
	if len(path) == 0 {
		return fmt.Errorf("set value: %w", ErrEmptyPath)
	}
	if err := checkPath(path); err != nil {
		return fmt.Errorf("set %s: %w", pathString(path), err)
	}
	nv, err := toNode(value)
	if err != nil {
		return fmt.Errorf("set %s: %w", pathString(path), err)
	}
	if err := d.set(path, nv); err != nil {
		return fmt.Errorf("set %s: %w", pathString(path), err)
	}
	return nil
}

func (d *Doc) set(path []any, nv *yaml.Node) error {
	parent, err := d.container(path, len(path)-1, true)
	if err != nil {
		return err
	}
	last := path[len(path)-1]
	key, i, err := child(parent, last)
	if err != nil {
		return err
	}
	if i < 0 {
		parent.Content = append(parent.Content, keyNode(key), nv)
		return nil
	}
	var keyN *yaml.Node
	if parent.Kind == yaml.MappingNode {
		keyN = parent.Content[i]
		i++
	}
	replace(parent.Content[i], nv, keyN)
	return nil
}

// Delete removes the mapping entry or sequence item at path, together with
// the comments attached to it. A missing path is not an error: the goal (the
// path is absent) is already met.
func (d *Doc) Delete(path ...any) error {
	if len(path) == 0 {
		return fmt.Errorf("delete value: %w", ErrEmptyPath)
	}
	parent, err := d.container(path, len(path)-1, false)
	if err != nil {
		return fmt.Errorf("delete %s: %w", pathString(path), err)
	}
	if parent == nil {
		return nil
	}
	_, i, err := child(parent, path[len(path)-1])
	if err != nil {
		if _, isIndex := path[len(path)-1].(int); isIndex && parent.Kind == yaml.SequenceNode {
			return nil // an index past the end is as absent as a missing key
		}
		return fmt.Errorf("delete %s: %w", pathString(path), err)
	}
	switch {
	case i < 0:
	case parent.Kind == yaml.MappingNode:
		parent.Content = append(parent.Content[:i:i], parent.Content[i+2:]...)
	default:
		parent.Content = append(parent.Content[:i:i], parent.Content[i+1:]...)
	}
	return nil
}

// Append adds value at the end of the sequence at path, creating a block
// sequence when the path is missing. An empty path means the root.
func (d *Doc) Append(path []any, value any) error {
	if err := checkPath(path); err != nil {
		return fmt.Errorf("append to %s: %w", pathString(path), err)
	}
	nv, err := toNode(value)
	if err != nil {
		return fmt.Errorf("append to %s: %w", pathString(path), err)
	}
	seq, err := d.container(path, len(path), false)
	if err != nil {
		return fmt.Errorf("append to %s: %w", pathString(path), err)
	}
	if seq == nil || isNull(seq) {
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}}
		if len(path) == 0 {
			d.setRoot(s)
			return nil
		}
		if err := d.set(path, s); err != nil {
			return fmt.Errorf("append to %s: %w", pathString(path), err)
		}
		return nil
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("append to %s: %w", pathString(path), ErrNotSequence)
	}
	seq.Content = append(seq.Content, nv)
	return nil
}

// container walks path[:upto] from the root and returns the collection it
// ends on. With create, missing mapping keys (and a missing or null root)
// are created as block mappings; that is only allowed when every remaining
// element of path is a key, so a failed Set never leaves half-built
// mappings behind. Without create, a missing step returns nil.
func (d *Doc) container(path []any, upto int, create bool) (*yaml.Node, error) {
	canCreate := func(from int) error {
		for _, p := range path[from:] {
			if _, ok := p.(string); !ok {
				return fmt.Errorf("%w: cannot create %s: sequence items are added with Append", ErrBadPath, pathString(path[:from+1]))
			}
		}
		return nil
	}
	n := d.root()
	if n == nil || isNull(n) {
		if !create {
			return nil, nil
		}
		if err := canCreate(0); err != nil {
			return nil, err
		}
		n = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		d.setRoot(n)
	}
	for step := 0; step < upto; step++ {
		if n.Kind == yaml.AliasNode {
			return nil, ErrAlias
		}
		key, i, err := child(n, path[step])
		if err != nil {
			if !create && errors.Is(err, ErrIndex) {
				return nil, nil
			}
			return nil, err
		}
		if i < 0 {
			if !create {
				return nil, nil
			}
			if err := canCreate(step); err != nil {
				return nil, err
			}
			m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, keyNode(key), m)
			n = m
			continue
		}
		if n.Kind == yaml.MappingNode {
			i++
		}
		next := n.Content[i]
		if create && isNull(next) && step+1 <= len(path)-1 {
			// `key:` with nothing after it is a null; turn it into the
			// mapping the path needs.
			if err := canCreate(step + 1); err != nil {
				return nil, err
			}
			*next = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: next.HeadComment, LineComment: next.LineComment, FootComment: next.FootComment}
		}
		n = next
	}
	if n.Kind == yaml.AliasNode {
		return nil, ErrAlias
	}
	return n, nil
}

func (d *Doc) setRoot(n *yaml.Node) {
	if len(d.docs) == 0 {
		d.docs = []*yaml.Node{{Kind: yaml.DocumentNode}}
	}
	doc := d.docs[0]
	if len(doc.Content) == 0 {
		doc.Content = []*yaml.Node{n}
		return
	}
	old := doc.Content[0]
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	doc.Content[0] = n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// keyNode makes a key for a new mapping entry. Keys holding line breaks or
// other control characters are double-quoted: yaml.v3 would otherwise write
// them as block scalars in key position, which do not read back.
func keyNode(key string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			n.Style = yaml.DoubleQuotedStyle
			break
		}
	}
	return n
}

// replace makes old hold nv. It works in place so that aliases pointing at
// old, and the link to the original node, survive. key is old's mapping key,
// or nil for a sequence item.
func replace(old, nv, key *yaml.Node) {
	if equalNodes(old, nv) {
		return
	}
	switch {
	case old.Kind == yaml.MappingNode && nv.Kind == yaml.MappingNode:
		syncMapping(old, nv)
		return
	case old.Kind == yaml.SequenceNode && nv.Kind == yaml.SequenceNode:
		syncSequence(old, nv)
		return
	}
	keepLook(old, nv)
	anchor := old.Anchor
	*old = *nv
	if anchor != "" && old.Kind != yaml.AliasNode {
		old.Anchor = anchor
	}
	moveLineComment(old, key)
}

// moveLineComment finds a place for the line comment of a scalar that was
// replaced by a block collection: yaml.v3 does not write line comments of
// block collections, so it goes on the key (`name: # c`), or else on the
// first entry.
func moveLineComment(n, key *yaml.Node) {
	if n.LineComment == "" || n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 ||
		(n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode) {
		return
	}
	c := n.LineComment
	n.LineComment = ""
	if key != nil && key.LineComment == "" {
		key.LineComment = c
		return
	}
	first := n.Content[0]
	if n.Kind == yaml.MappingNode {
		first = n.Content[1]
	}
	if first.Kind == yaml.ScalarNode && first.LineComment == "" {
		first.LineComment = c
		return
	}
	n.Content[0].HeadComment = strings.TrimPrefix(n.Content[0].HeadComment+"\n"+c, "\n")
}

// syncMapping edits old into nv key by key, keeping old's key order, key
// nodes and comments for the keys that stay.
func syncMapping(old, nv *yaml.Node) {
	want := map[string]bool{}
	for j := 0; j+1 < len(nv.Content); j += 2 {
		if k := nv.Content[j]; k.Kind == yaml.ScalarNode {
			want[k.Value] = true
		}
	}
	kept := old.Content[:0:0]
	for j := 0; j+1 < len(old.Content); j += 2 {
		if k := old.Content[j]; k.Kind != yaml.ScalarNode || want[k.Value] {
			kept = append(kept, old.Content[j], old.Content[j+1])
		}
	}
	old.Content = kept
	for j := 0; j+1 < len(nv.Content); j += 2 {
		k, v := nv.Content[j], nv.Content[j+1]
		found := -1
		if k.Kind == yaml.ScalarNode {
			for m := 0; m+1 < len(old.Content); m += 2 {
				if ok := old.Content[m]; ok.Kind == yaml.ScalarNode && ok.Value == k.Value {
					found = m
					break
				}
			}
		}
		if found < 0 {
			old.Content = append(old.Content, k, v)
			continue
		}
		copyComments(old.Content[found], k)
		replace(old.Content[found+1], v, old.Content[found])
	}
	copyComments(old, nv)
}

// syncSequence edits old into nv item by item.
func syncSequence(old, nv *yaml.Node) {
	n := min(len(old.Content), len(nv.Content))
	for i := 0; i < n; i++ {
		replace(old.Content[i], nv.Content[i], nil)
	}
	if len(old.Content) > len(nv.Content) {
		old.Content = old.Content[:len(nv.Content):len(nv.Content)]
	}
	old.Content = append(old.Content, nv.Content[n:]...)
	copyComments(old, nv)
}

// copyComments moves comments the caller put on a new node onto the node
// that stays.
func copyComments(dst, src *yaml.Node) {
	if src.HeadComment != "" {
		dst.HeadComment = src.HeadComment
	}
	if src.LineComment != "" {
		dst.LineComment = src.LineComment
	}
	if src.FootComment != "" {
		dst.FootComment = src.FootComment
	}
}

// keepLook carries the presentation of old over to its replacement:
// comments, quoting of strings, block scalars for multi-line strings and
// flow style of collections.
func keepLook(old, nv *yaml.Node) {
	if nv.HeadComment == "" {
		nv.HeadComment = old.HeadComment
	}
	if nv.LineComment == "" {
		nv.LineComment = old.LineComment
	}
	if nv.FootComment == "" {
		nv.FootComment = old.FootComment
	}
	switch {
	case old.Kind == yaml.ScalarNode && nv.Kind == yaml.ScalarNode && nv.Tag == "!!str":
		// yaml.v3 picks a quoting style for new strings (single quotes for
		// '@scope/pkg', none for plain words); the file's choice wins where
		// the emitter can honour it, and it falls back by itself where not.
		quoted := yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle
		block := yaml.LiteralStyle | yaml.FoldedStyle
		switch {
		case old.Style&quoted != 0 && nv.Style&block == 0:
			nv.Style = old.Style & quoted
		case old.Style&block != 0 && nv.Style == 0 && containsNewline(nv.Value):
			nv.Style = old.Style & block
		}
	case old.Kind == nv.Kind && old.Kind != yaml.ScalarNode && old.Style&yaml.FlowStyle != 0:
		nv.Style |= yaml.FlowStyle
	}
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}
