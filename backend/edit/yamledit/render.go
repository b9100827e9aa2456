package yamledit

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Bytes returns the document. An unchanged document is returned exactly as
// it was given to Parse. A changed one keeps the original text of every
// entry that did not change (see the package documentation for what happens
// to the ones that did), its line endings and its byte-order mark.
func (d *Doc) Bytes() ([]byte, error) {
	if !d.Changed() {
		return bytes.Clone(d.src), nil
	}
	out, ok := d.splice()
	if !ok {
		out, ok = d.appendToEmpty()
	}
	if !ok {
		var err error
		if out, err = d.encodeAll(); err != nil {
			return nil, err
		}
	}
	// Keep a missing final newline missing, unless the last value needs it
	// (a block scalar's text ends with that newline).
	if len(d.text) > 0 && d.text[len(d.text)-1] != '\n' && len(out) > 0 && out[len(out)-1] == '\n' && d.valuesReadBack(out[:len(out)-1]) {
		out = out[:len(out)-1]
	}
	if d.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if d.bom {
		out = append(bytes.Clone(bom), out...)
	}
	return out, nil
}

// appendToEmpty handles a file that had no content, only comments, blank
// lines or a `---` marker: those lines are kept and the new content is
// written after them, instead of being dropped by a full re-encode.
func (d *Doc) appendToEmpty() ([]byte, bool) {
	for _, o := range d.orig {
		if len(o.Content) > 0 {
			return nil, false
		}
	}
	if len(d.docs) != 1 {
		return nil, false
	}
	for _, l := range splitLines(d.text) {
		if t := strings.TrimSpace(l); t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			return nil, false
		}
	}
	body, err := d.encodeAll()
	if err != nil {
		return nil, false
	}
	out := bytes.Clone(d.text)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, body...)
	if !d.valuesReadBack(out) {
		return nil, false
	}
	return out, true
}

// encodeAll re-encodes every document with yaml.v3, the fallback when the
// original layout cannot be followed. The result is checked; when yaml.v3
// writes something that reads back differently (it has emitter bugs for
// some odd strings, such as one made only of line breaks), it is encoded
// again with every string double-quoted, which always reads back.
func (d *Doc) encodeAll() ([]byte, error) {
	for _, strict := range []bool{false, true} {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(d.indent)
		for _, doc := range d.docs {
			if len(doc.Content) == 0 {
				continue
			}
			if err := encodeSafely(enc, encodable(doc, strict)); err != nil {
				return nil, fmt.Errorf("encode yaml: %w", err)
			}
		}
		if err := encodeSafely(enc, nil); err != nil {
			return nil, fmt.Errorf("encode yaml: %w", err)
		}
		if d.valuesReadBack(b.Bytes()) {
			return b.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("encode yaml: %w", ErrNoRoundTrip)
}

// encodeSafely encodes n (or closes the encoder for nil), turning a panic
// inside yaml.v3 into an error.
func encodeSafely(enc *yaml.Encoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml encoder failed: %v", r)
		}
	}()
	if n == nil {
		return enc.Close()
	}
	return enc.Encode(n)
}

// encodeNode encodes one node (an entry wrapped in a one-entry collection),
// checked and retried like encodeAll. Entries holding aliases are not
// checked here, since their anchors live elsewhere in the file; the check of
// the whole spliced file covers them.
func (d *Doc) encodeNode(n *yaml.Node) (string, bool) {
	want, err := decoded(n)
	if err != nil {
		return "", false
	}
	for _, strict := range []bool{false, true} {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(d.indent)
		if encodeSafely(enc, encodable(n, strict)) != nil || encodeSafely(enc, nil) != nil {
			return "", false
		}
		if hasAlias(n) {
			return b.String(), true
		}
		docs, err := decodeAll(b.Bytes())
		if err != nil || len(docs) != 1 {
			continue
		}
		if got, err := decoded(docs[0]); err == nil && sameValue(want, got) {
			return b.String(), true
		}
	}
	return "", false
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// encodable returns a copy of n that steers around yaml.v3 emitter bugs:
// an empty null (`? ` as a key, `{a}` in a flow collection) is written as an
// empty quoted string or dropped altogether, so it is spelled ~ instead,
// which reads back as the same null. Empty nulls as block values (`key:`)
// come out right and are kept. With strict, every string is double-quoted.
func encodable(n *yaml.Node, strict bool) *yaml.Node {
	docs, _ := copyDocs([]*yaml.Node{n})
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if strict && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
			n.Style = yaml.DoubleQuotedStyle
		}
		for i, c := range n.Content {
			isKey := n.Kind == yaml.MappingNode && i%2 == 0
			if isNull(c) && c.Value == "" && (isKey || n.Style&yaml.FlowStyle != 0) {
				c.Value = nullSpelling(n)
			}
			walk(c)
		}
	}
	walk(docs[0])
	return docs[0]
}

// nullSpelling picks a spelling of null that no key of mapping m uses:
// yaml.v3 rejects `~:` next to `"~":` as a duplicate key.
func nullSpelling(m *yaml.Node) string {
	used := map[string]bool{}
	if m.Kind == yaml.MappingNode {
		for i := 0; i < len(m.Content); i += 2 {
			used[m.Content[i].Value] = true
		}
	}
	for _, s := range []string{"~", "null", "Null", "NULL"} {
		if !used[s] {
			return s
		}
	}
	return "~"
}

// splicer rebuilds a document from original lines and re-encoded entries.
type splicer struct {
	d     *Doc
	lines []string // original lines, each with its "\n" (the last may lack it)
}

// splice rebuilds the single document of the file, copying the original
// lines of unchanged entries. It reports false when the layout is one it
// does not follow, or when the result does not read back as the edited tree
// (values and comments); the caller then re-encodes everything.
func (d *Doc) splice() ([]byte, bool) {
	if len(d.docs) != 1 || len(d.orig) != 1 {
		return nil, false
	}
	doc, odoc := d.docs[0], d.orig[0]
	if !sameFields(doc, odoc) || len(doc.Content) != 1 || len(odoc.Content) != 1 {
		return nil, false
	}
	root, oroot := doc.Content[0], odoc.Content[0]
	if d.origOf[root] != oroot || !isBlock(oroot) || !sameFields(root, oroot) {
		return nil, false
	}
	s := &splicer{d: d, lines: splitLines(d.text)}
	starts, ok := s.entryStarts(oroot)
	if !ok {
		return nil, false
	}
	from := starts[0]
	to, ok := s.footStart(doc.FootComment, root.FootComment)
	if !ok || to <= from {
		return nil, false
	}
	body, ok := s.collection(root, oroot, from, to, "")
	if !ok {
		return nil, false
	}
	var b strings.Builder
	for _, l := range s.lines[:from] {
		b.WriteString(l)
	}
	b.WriteString(body)
	for _, l := range s.lines[to:] {
		b.WriteString(l)
	}
	out := []byte(b.String())
	if !d.readsBack(out) {
		return nil, false
	}
	return out, true
}

// valuesReadBack checks that out decodes to the same values as the edited
// documents, so that a yaml.v3 emitter quirk surfaces as an error instead of
// a silently different config file.
func (d *Doc) valuesReadBack(out []byte) bool {
	docs, err := decodeAll(out)
	if err != nil {
		return false
	}
	var want []*yaml.Node
	for _, doc := range d.docs {
		if len(doc.Content) > 0 {
			want = append(want, doc)
		}
	}
	if len(docs) != len(want) {
		return false
	}
	for i := range docs {
		a, err1 := decoded(want[i])
		b, err2 := decoded(docs[i])
		if err1 != nil || err2 != nil || !sameValue(a, b) {
			return false
		}
	}
	return true
}

// readsBack checks a spliced result against the edited tree: same values,
// same comments. Splicing is a heuristic over yaml.v3's comment placement;
// this check is what makes it safe.
func (d *Doc) readsBack(out []byte) bool {
	docs, err := decodeAll(out)
	if err != nil || len(docs) != 1 {
		return false
	}
	want, err1 := decoded(d.docs[0])
	got, err2 := decoded(docs[0])
	if err1 != nil || err2 != nil || !sameValue(want, got) {
		return false
	}
	return reflect.DeepEqual(comments(d.docs[0]), comments(docs[0]))
}

// comments lists every comment line in a tree, sorted, so that two trees can
// be compared regardless of which node yaml.v3 attached a comment to.
func comments(n *yaml.Node) []string {
	var out []string
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	sort.Strings(out)
	return out
}

// collection renders the entries of block collection cur, whose original o
// had its entries on lines [from, to). dash is set when the collection is a
// sequence item (`  - name: x`): the first entry must then start with it and
// no other entry may.
func (s *splicer) collection(cur, o *yaml.Node, from, to int, dash string) (string, bool) {
	starts, ok := s.entryStarts(o)
	if !ok || starts[0] != from || len(entries(cur)) == 0 {
		return "", false
	}
	n := len(starts)
	bodyEnd := make([]int, n)
	trail := make([]int, n)
	for i := range starts {
		end := to
		if i+1 < n {
			end = starts[i+1]
		}
		if end <= starts[i] {
			return "", false
		}
		be := end
		for be > starts[i]+1 && strings.TrimSpace(s.lines[be-1]) == "" {
			be--
		}
		bodyEnd[i], trail[i] = be, end-be
	}
	gap := 0
	if n >= 2 {
		gap = trail[0]
	}
	index := map[*yaml.Node]int{}
	for i, e := range entries(o) {
		index[e] = i
	}
	indent := strings.Repeat(" ", column(o)-1)
	var b strings.Builder
	curEntries := entries(cur)
	for j, e := range curEntries {
		i, isOrig := index[s.d.origOf[e]]
		var text string
		if isOrig {
			text, ok = s.original(cur, o, j, i, starts[i], bodyEnd[i])
		}
		if !isOrig || !ok {
			text, ok = s.encodeEntry(cur, j, indent)
			if !ok {
				return "", false
			}
		}
		if dash != "" {
			want, other := strings.Repeat(" ", len(dash)), dash
			if j == 0 {
				want, other = dash, want
			}
			switch {
			case strings.HasPrefix(text, want):
			case strings.HasPrefix(text, other):
				text = want + text[len(other):]
			default:
				return "", false
			}
		}
		b.WriteString(text)
		if !strings.HasSuffix(text, "\n") {
			b.WriteByte('\n')
		}
		sep := gap
		switch {
		case j == len(curEntries)-1:
			sep = trail[n-1]
		case isOrig && i != n-1:
			sep = trail[i]
		}
		b.WriteString(strings.Repeat("\n", sep))
	}
	return b.String(), true
}

// original renders cur's entry j from the original entry i (lines
// [start, end)): verbatim when unchanged, or with its key line kept and its
// block value spliced recursively when only the value's entries changed.
func (s *splicer) original(cur, o *yaml.Node, j, i, start, end int) (string, bool) {
	if cur.Kind == yaml.SequenceNode {
		it, oit := cur.Content[j], o.Content[i]
		if s.d.same(it, oit) {
			return strings.Join(s.lines[start:end], ""), true
		}
		// A block mapping item whose first key shares the dash line
		// (`- name: db`) is spliced key by key, like any mapping.
		if s.d.origOf[it] != oit || oit.Kind != yaml.MappingNode || !isBlock(oit) || !sameFields(it, oit) {
			return "", false
		}
		childStarts, good := s.entryStarts(oit)
		if !good || childStarts[0] != oit.Line-1 || childStarts[0] < start {
			return "", false
		}
		first := s.lines[childStarts[0]]
		if column(oit)-1 > len(first) {
			return "", false
		}
		dash := first[:column(oit)-1]
		if strings.TrimSpace(dash) != "-" {
			return "", false
		}
		body, good := s.collection(it, oit, childStarts[0], end, dash)
		if !good {
			return "", false
		}
		return strings.Join(s.lines[start:childStarts[0]], "") + body, true
	}
	k, v := cur.Content[2*j], cur.Content[2*j+1]
	okey, ov := o.Content[2*i], o.Content[2*i+1]
	if !s.d.same(k, okey) {
		return "", false
	}
	if s.d.same(v, ov) {
		return strings.Join(s.lines[start:end], ""), true
	}
	if s.d.origOf[v] != ov || !isBlock(ov) || !sameFields(v, ov) {
		return "", false
	}
	childStarts, good := s.entryStarts(ov)
	if !good || childStarts[0] <= okey.Line-1 || childStarts[0] >= end {
		return "", false
	}
	body, good := s.collection(v, ov, childStarts[0], end, "")
	if !good {
		return "", false
	}
	return strings.Join(s.lines[start:childStarts[0]], "") + body, true
}

// encodeEntry re-encodes cur's entry j on its own and indents it to the
// collection's column.
func (s *splicer) encodeEntry(cur *yaml.Node, j int, indent string) (string, bool) {
	tmp := &yaml.Node{Kind: cur.Kind, Tag: cur.Tag}
	if cur.Kind == yaml.MappingNode {
		tmp.Content = cur.Content[2*j : 2*j+2]
	} else {
		tmp.Content = cur.Content[j : j+1]
	}
	text, ok := s.d.encodeNode(tmp)
	if !ok {
		return "", false
	}
	if indent == "" {
		return text, true
	}
	lines := splitLines([]byte(text))
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, ""), true
}

// entryStarts returns the first line (0-based) of each entry of block
// collection o, counting the comment lines yaml.v3 attached above it. It
// reports false for layouts it cannot follow, such as an item whose dash is
// on an earlier line than its content.
func (s *splicer) entryStarts(o *yaml.Node) ([]int, bool) {
	es := entries(o)
	if len(es) == 0 {
		return nil, false
	}
	starts := make([]int, len(es))
	prev := -1
	for i, e := range es {
		line := e.Line - 1
		if line < 0 || line >= len(s.lines) || line <= prev {
			return nil, false
		}
		if o.Kind == yaml.MappingNode {
			if e.Column != column(o) {
				return nil, false
			}
		} else {
			l := s.lines[line]
			if o.Column < 1 || len(l) < o.Column || l[o.Column-1] != '-' {
				return nil, false
			}
		}
		start := line
		if e.HeadComment != "" {
			start -= strings.Count(e.HeadComment, "\n") + 1
			if start <= prev {
				return nil, false
			}
			for _, l := range s.lines[start:line] {
				if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
					return nil, false
				}
			}
		}
		starts[i] = start
		prev = line
	}
	return starts, true
}

// footStart returns the first line of the comments at the end of the file
// that belong to the document rather than to its last entry.
func (s *splicer) footStart(foots ...string) (int, bool) {
	want := 0
	for _, f := range foots {
		for _, l := range strings.Split(f, "\n") {
			if strings.TrimSpace(l) != "" {
				want++
			}
		}
	}
	if want == 0 {
		return len(s.lines), true
	}
	i := len(s.lines)
	for want > 0 {
		if i == 0 {
			return 0, false
		}
		t := strings.TrimSpace(s.lines[i-1])
		switch {
		case t == "":
		case strings.HasPrefix(t, "#"):
			want--
		default:
			return 0, false
		}
		i--
	}
	return i, true
}

// entries returns the key nodes of a mapping or the items of a sequence:
// the nodes that identify its entries.
func entries(n *yaml.Node) []*yaml.Node {
	if n.Kind != yaml.MappingNode {
		return n.Content
	}
	keys := make([]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i])
	}
	return keys
}

// column returns the 1-based column of a block collection's entries. A
// mapping's own position is that of its anchor or tag when it has one, so
// its first key is used instead.
func column(o *yaml.Node) int {
	if o.Kind == yaml.MappingNode && len(o.Content) > 0 {
		return o.Content[0].Column
	}
	return o.Column
}

func isBlock(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0
}

// sameFields compares a node's own presentation, not its children.
func sameFields(n, o *yaml.Node) bool {
	return n.Kind == o.Kind && n.Style == o.Style && n.Tag == o.Tag && n.Anchor == o.Anchor &&
		n.HeadComment == o.HeadComment && n.LineComment == o.LineComment && n.FootComment == o.FootComment
}

func splitLines(text []byte) []string {
	var lines []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, string(text))
			break
		}
		lines = append(lines, string(text[:i+1]))
		text = text[i+1:]
	}
	return lines
}

// detectIndent finds the indentation step the file uses for nested
// mappings, so that re-encoded entries match it. It looks at `key:` lines
// followed by a deeper line and takes the most common step.
func detectIndent(text []byte) int {
	lines := splitLines(text)
	counts := map[int]int{}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "- ") || !strings.HasSuffix(t, ":") {
			continue
		}
		ind := len(l) - len(strings.TrimLeft(l, " "))
		for _, next := range lines[i+1:] {
			nt := strings.TrimSpace(next)
			if nt == "" || strings.HasPrefix(nt, "#") {
				continue
			}
			if step := len(next) - len(strings.TrimLeft(next, " ")) - ind; step > 0 {
				counts[step]++
			}
			break
		}
	}
	best, bestN := 2, 0
	for step, n := range counts {
		if step < 2 || step > 8 {
			continue
		}
		if n > bestN || n == bestN && step < best {
			best, bestN = step, n
		}
	}
	return best
}
