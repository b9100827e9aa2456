package jsonedit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Set puts value at path, creating missing objects on the way, and touches as few bytes as
// it can:
//
//   - A value that is already there and equal as data (objects compared as maps, arrays in
//     order, numbers by value, strings after unescaping) is left exactly as written, so a sync
//     that changes nothing writes nothing.
//   - A different value replaces only its own bytes; the member keeps its place and the
//     comments around it. When both the old and the new value are objects (or arrays), the
//     change is made member by member (element by element), so comments and formatting inside
//     survive too, and only the parts that differ are rewritten.
//   - A missing member is appended to its object, printed in the file's own style: its
//     indentation unit and line ending, on one line when the object is written on one line,
//     with a trailing comma when the object's last member has one.
//
// value is encoded as json.Marshal would encode it (a json.RawMessage is taken as is),
// except that <, > and & are not escaped: these files are read by people, and "a && b" in a
// command should stay readable. New objects list their members in encoding/json's order
// (struct fields in declaration order, map keys sorted); pass a struct or a json.RawMessage
// to choose the order. Setting below a value that is not an object fails with ErrNotObject.
// An empty path replaces the whole document.
func (d *Doc) Set(path []string, value any) error {
	raw, err := marshal(value)
	if err != nil {
		return fmt.Errorf("set %s: encode value: %w", describe(path), err)
	}
	vn, err := parseDocument(raw, nil) // never empty; valid unless a json.RawMessage was not
	if err != nil {
		if _, isRaw := value.(json.RawMessage); isRaw {
			return fmt.Errorf("set %s: encode value: %w", describe(path), err)
		}
		return fmt.Errorf("set %s: read encoded value: %w", describe(path), err)
	}
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = canonicalName(p)
	}
	if err := d.set(path, names, raw, vn); err != nil {
		return fmt.Errorf("set %s: %w", describe(path), err)
	}
	return nil
}

func (d *Doc) set(path, names []string, raw []byte, vn *node) error {
	st := d.style()
	if d.root == nil {
		return d.setEmpty(names, raw, vn)
	}
	var parent *node
	cur := d.root
	for i, name := range names {
		if cur.kind != kindObject {
			return fmt.Errorf("value at %s is %s, %w", describe(path[:i]), cur.kind, ErrNotObject)
		}
		m := cur.lookup(name)
		if m == nil {
			wsrc, wn, err := wrap(names[i+1:], raw, vn)
			if err != nil {
				return err
			}
			return d.insertItem(cur, len(cur.members), quote(name), wsrc, wn)
		}
		parent, cur = cur, m.value
	}
	if equalValues(d.src, cur, raw, vn) {
		return nil
	}
	if !mergeable(d.src, cur, vn) {
		return d.replaceValue(parent, cur, raw, vn)
	}
	// Merge inside a copy of just this value, so that the many small edits of a merge each
	// re-read only the value and not a possibly huge file. The copy starts with the line's
	// indentation so that new lines inside it are indented as they would be in place.
	indent := lineIndent(d.src, cur.start)
	frag := make([]byte, 0, len(indent)+cur.end-cur.start)
	frag = append(append(frag, indent...), d.src[cur.start:cur.end]...)
	froot, err := parseDocument(frag, nil)
	if err != nil {
		return fmt.Errorf("read value copy (a jsonedit bug): %w", err)
	}
	sub := &Doc{src: frag, root: froot, st: st}
	if err := sub.merge(nil, raw, vn); err != nil {
		return err
	}
	return d.apply(edit{cur.start, cur.end, sub.src[len(indent):]})
}

// setEmpty writes the first value into a document that has none yet.
func (d *Doc) setEmpty(names []string, raw []byte, vn *node) error {
	if len(names) == 0 && vn.kind == kindObject && len(vn.members) == 0 {
		return nil // the empty document already is an empty object
	}
	vsrc, v, err := wrap(names, raw, vn)
	if err != nil {
		return err
	}
	st := d.style()
	var b bytes.Buffer
	body := d.src
	if bytes.HasPrefix(body, bom) {
		b.Write(bom)
		body = body[len(bom):]
	}
	if !onlySpace(body) { // keep the comments of a commented-out template
		b.Write(body)
		if !bytes.HasSuffix(body, []byte("\n")) {
			b.WriteString(st.nl)
		}
	}
	layout{st: st, preColon: st.preColon, colon: st.colon, comma: st.comma}.write(&b, vsrc, v, "")
	b.WriteString(st.nl)
	return d.apply(edit{0, len(d.src), b.Bytes()})
}

// Delete removes the member at path together with its comma, the comments after it on its
// line, and its line(s) when it had them to itself, so no blank line or dangling comma is
// left behind. Comment lines above the member are kept: they may describe more than it. If
// the name is repeated, every member with that name goes, so the member is really gone and
// not replaced by an older duplicate. A path that leads nowhere is not an error: the member
// is already absent.
func (d *Doc) Delete(path ...string) error {
	if len(path) == 0 {
		return fmt.Errorf("delete document root: %w", ErrEmptyPath)
	}
	parentPath, name := path[:len(path)-1], canonicalName(path[len(path)-1])
	d.style() // learn the habits before the first edit changes the evidence
	for {
		parent, ok := d.find(parentPath)
		if !ok || parent == nil || parent.kind != kindObject {
			return nil
		}
		i := lastIndex(parent, name)
		if i < 0 {
			return nil
		}
		if err := d.deleteItem(parent, i); err != nil {
			return fmt.Errorf("delete %s: %w", describe(path), err)
		}
	}
}

func lastIndex(obj *node, name string) int {
	for i := len(obj.members) - 1; i >= 0; i-- {
		if obj.members[i].name == name {
			return i
		}
	}
	return -1
}

// marshal encodes like json.Marshal but leaves <, > and & readable. A json.RawMessage
// that is already compact is taken as it is: the encoder would only copy it (after checking
// it, which parseDocument does next), and a servers object of a thousand entries passes
// through here whole.
func marshal(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if compactJSON(raw) {
			return raw, nil
		}
		return marshalEncoder(raw) // compacted, and refused unless strict JSON
	}
	return Marshal(v)
}

// compactJSON reports whether raw has nothing json.Compact would remove or that strict JSON
// refuses though this package reads it (whitespace, control bytes, comments, a trailing
// comma or a byte order mark). Whether it is valid JSON is left to parseDocument.
func compactJSON(raw []byte) bool {
	if len(raw) == 0 || raw[0] == 0xEF {
		return false
	}
	inString, escaped := false, false
	for i, c := range raw {
		switch {
		case c < 0x20:
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '/':
			return false
		case c == ',' && i+1 < len(raw) && (raw[i+1] == '}' || raw[i+1] == ']'):
			return false
		}
	}
	return !inString
}

// quote writes name as a JSON string.
func quote(name string) []byte {
	b, _ := marshal(name) // a string always encodes
	return b
}

// wrap nests the value in objects named by names, for creating missing intermediate
// objects: wrap(["a","b"], 1) is {"a":{"b":1}}. The new objects' nodes are made here and
// vn's offsets are moved into the new text (vn is the caller's to give away), instead of
// reading the whole value again: a new project's thousand servers pass through here.
func wrap(names []string, raw []byte, vn *node) ([]byte, *node, error) {
	if len(names) == 0 {
		return raw, vn, nil
	}
	var b bytes.Buffer
	keys := make([]int, len(names)) // where each name's quoted key starts
	for i, n := range names {
		b.WriteByte('{')
		keys[i] = b.Len()
		b.Write(quote(n))
		b.WriteByte(':')
	}
	off := b.Len()
	b.Write(raw)
	b.Write(bytes.Repeat([]byte{'}'}, len(names)))
	src := b.Bytes()
	if len(names)+depth(vn) > maxDepth {
		// Let the parser say so, with the position of the first byte too deep.
		if _, err := parseDocument(src, nil); err != nil {
			return nil, nil, fmt.Errorf("nest value in %d new objects: %w", len(names), err)
		}
	}
	shift(vn, off)
	inner := vn
	for i := len(names) - 1; i >= 0; i-- {
		keyEnd := off
		if i+1 < len(names) {
			keyEnd = keys[i+1] - 2 // before the ':' and the next '{'
		} else {
			keyEnd-- // before the ':'
		}
		o := &node{kind: kindObject, start: keys[i] - 1, end: len(src) - i}
		o.members = []member{{name: names[i], keyStart: keys[i], keyEnd: keyEnd, colon: keyEnd, value: inner, comma: -1}}
		inner = o
	}
	return src, inner, nil
}

// shift moves every offset of n and what it holds by off.
func shift(n *node, off int) {
	n.start += off
	n.end += off
	for i := range n.members {
		m := &n.members[i]
		m.keyStart += off
		m.keyEnd += off
		m.colon += off
		if m.comma >= 0 {
			m.comma += off
		}
		shift(m.value, off)
	}
	for i := range n.elems {
		e := &n.elems[i]
		if e.comma >= 0 {
			e.comma += off
		}
		shift(e.value, off)
	}
	n.index = nil
}

// depth is how deeply n nests objects and arrays: 0 for a scalar.
func depth(n *node) int {
	d := 0
	for _, m := range n.members {
		d = max(d, depth(m.value))
	}
	for _, e := range n.elems {
		d = max(d, depth(e.value))
	}
	if n.kind == kindObject || n.kind == kindArray {
		d++
	}
	return d
}

// mergeable reports whether old can be turned into new piece by piece instead of being
// replaced, which keeps the comments and layout inside old.
func mergeable(src []byte, old, vn *node) bool {
	return old.kind == vn.kind && (old.kind == kindObject || old.kind == kindArray) && hasContent(src, old)
}

// step is one hop of a path inside a merge: a member name, or an array index when index >= 0.
type step struct {
	name  string
	index int
}

func with(steps []step, s step) []step {
	return append(steps[:len(steps):len(steps)], s)
}

// resolve follows steps that are known to exist and returns the value and its container.
func (d *Doc) resolve(steps []step) (parent, n *node) {
	n = d.root
	for _, s := range steps {
		parent = n
		if s.index >= 0 {
			n = n.elems[s.index].value
		} else {
			n = n.lookup(s.name).value
		}
	}
	return parent, n
}

// merge makes the value at steps equal to vn with the fewest, most local edits. Every edit
// re-reads the document, so each step sees fresh offsets.
func (d *Doc) merge(steps []step, vsrc []byte, vn *node) error {
	parent, old := d.resolve(steps)
	if equalValues(d.src, old, vsrc, vn) {
		return nil
	}
	if !mergeable(d.src, old, vn) {
		return d.replaceValue(parent, old, vsrc, vn)
	}
	if old.kind == kindArray {
		return d.mergeArray(steps, old, vsrc, vn)
	}
	want := vn.effective()
	for _, name := range old.names() {
		if _, ok := want[name]; ok {
			continue
		}
		for {
			_, obj := d.resolve(steps)
			i := lastIndex(obj, name)
			if i < 0 {
				break
			}
			if err := d.deleteItem(obj, i); err != nil {
				return err
			}
		}
	}
	// New members are appended in runs, one edit per run of consecutive new names.
	var run []newItem
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		_, obj := d.resolve(steps)
		err := d.insertItems(obj, len(obj.members), vsrc, run)
		run = run[:0]
		return err
	}
	for _, name := range vn.names() {
		_, obj := d.resolve(steps)
		if obj.lookup(name) == nil {
			run = append(run, newItem{quote(name), want[name]})
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if err := d.merge(with(steps, step{name: name, index: -1}), vsrc, want[name]); err != nil {
			return err
		}
	}
	return flush()
}

// maxDiffCells bounds the table of the array diff; longer arrays are diffed by common head
// and tail only, which is linear.
const maxDiffCells = 1 << 18

// gap is a run of old elements [o, o+a) that the new array replaces with [n, n+b).
type gap struct{ o, a, n, b int }

// mergeArray edits an array into the new one with a longest-common-subsequence diff: equal
// elements are kept untouched, so that adding or removing one entry of a commented list
// (permissions, args) keeps every other entry's comments next to it. Where old elements are
// replaced by new ones, they are merged pairwise (keeping their position and comments) and
// the rest deleted or inserted.
func (d *Doc) mergeArray(steps []step, old *node, vsrc []byte, vn *node) error {
	oe, ne := len(old.elems), len(vn.elems)
	eq := func(i, j int) bool {
		return equalValues(d.src, old.elems[i].value, vsrc, vn.elems[j].value)
	}
	head := 0
	for head < oe && head < ne && eq(head, head) {
		head++
	}
	tail := 0
	for tail < oe-head && tail < ne-head && eq(oe-1-tail, ne-1-tail) {
		tail++
	}
	gaps := diffGaps(head, oe-head-tail, head, ne-head-tail, eq)
	for g := len(gaps) - 1; g >= 0; g-- { // from the end, so earlier indices stay valid
		gp := gaps[g]
		paired := min(gp.a, gp.b)
		for k := 0; k < paired; k++ {
			if err := d.merge(with(steps, step{index: gp.o + k}), vsrc, vn.elems[gp.n+k].value); err != nil {
				return err
			}
		}
		for k := gp.a - 1; k >= paired; k-- {
			_, arr := d.resolve(steps)
			if err := d.deleteItem(arr, gp.o+k); err != nil {
				return err
			}
		}
		if paired < gp.b {
			news := make([]newItem, 0, gp.b-paired)
			for k := paired; k < gp.b; k++ {
				news = append(news, newItem{vn: vn.elems[gp.n+k].value})
			}
			_, arr := d.resolve(steps)
			if err := d.insertItems(arr, gp.o+paired, vsrc, news); err != nil {
				return err
			}
		}
	}
	return nil
}

// diffGaps aligns old[o0:o0+om] with new[n0:n0+nm] and returns the runs that differ.
func diffGaps(o0, om, n0, nm int, eq func(i, j int) bool) []gap {
	if om == 0 && nm == 0 {
		return nil
	}
	if om == 0 || nm == 0 || (om+1)*(nm+1) > maxDiffCells {
		return []gap{{o0, om, n0, nm}}
	}
	// lcs[i*(nm+1)+j] is the length of the longest common subsequence of old[i:] and new[j:].
	w := nm + 1
	lcs := make([]int32, (om+1)*w)
	same := make([]bool, om*nm)
	for i := om - 1; i >= 0; i-- {
		for j := nm - 1; j >= 0; j-- {
			if eq(o0+i, n0+j) {
				same[i*nm+j] = true
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var gaps []gap
	var cur *gap
	open := func(i, j int) {
		if cur == nil {
			gaps = append(gaps, gap{o: o0 + i, n: n0 + j})
			cur = &gaps[len(gaps)-1]
		}
	}
	i, j := 0, 0
	for i < om || j < nm {
		switch {
		case i < om && j < nm && same[i*nm+j]:
			cur = nil
			i, j = i+1, j+1
		case j >= nm || (i < om && lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			open(i, j)
			cur.a++
			i++
		default:
			open(i, j)
			cur.b++
			j++
		}
	}
	return gaps
}

// replaceValue overwrites the bytes of old with vn printed to fit where old stood.
func (d *Doc) replaceValue(parent, old *node, vsrc []byte, vn *node) error {
	src, st := d.src, d.style()
	var inline bool
	var context []*node
	switch {
	case len(old.members) > 0 || len(old.elems) > 0:
		// The user chose how this very value is laid out; keep that choice.
		inline = bytes.IndexByte(src[old.start:old.end], '\n') < 0
		context = append(context, old, parent)
	case parent != nil:
		inline = bytes.IndexByte(src[parent.start:parent.end], '\n') < 0
		context = append(context, parent)
	default:
		inline = st.minified
	}
	var b bytes.Buffer
	newLayout(src, st, inline, context...).write(&b, vsrc, vn, lineIndent(src, old.start))
	return d.apply(edit{old.start, old.end, b.Bytes()})
}

// item is a member or an array element seen as a slice of the container: from its first
// byte (a member's name) to its value's last byte, plus the comma after it.
type item struct {
	start, end, comma int
}

func items(c *node) []item {
	out := make([]item, 0, len(c.members)+len(c.elems))
	for _, m := range c.members {
		out = append(out, item{m.keyStart, m.value.end, m.comma})
	}
	for _, e := range c.elems {
		out = append(out, item{e.value.start, e.value.end, e.comma})
	}
	return out
}

// newItem is a member (key != nil, already quoted) or an element to insert; its value is
// the node vn of the encoded source it comes with.
type newItem struct {
	key []byte
	vn  *node
}

// insertItem adds a member (key != nil) or an element to container c before item at
// (at == number of items appends).
func (d *Doc) insertItem(c *node, at int, key, vsrc []byte, vn *node) error {
	return d.insertItems(c, at, vsrc, []newItem{{key, vn}})
}

// insertItems adds consecutive new items to container c before item at (at == number of
// items appends), all of whose values are nodes of vsrc. They are laid out exactly as
// inserting them one after the other would lay them out, but the document is edited and
// re-read once, so that adding hundreds of servers to a file costs one parse, not hundreds.
func (d *Doc) insertItems(c *node, at int, vsrc []byte, news []newItem) error {
	src, st := d.src, d.style()
	its := items(c)
	open, close := c.start, c.end-1
	var b bytes.Buffer
	b.Grow(laidOutSize(vsrc, st, lineIndent(src, open)))
	// With a tracer (tr), put and trailingComma also record the items they write, for
	// container c as the parser would read it (in mems or elems).
	var (
		tr    *tracer
		mems  []member
		elems []element
	)
	comma := func() {
		if tr == nil {
			return
		}
		if pos := tr.base + b.Len(); c.kind == kindObject {
			mems[len(mems)-1].comma = pos
		} else {
			elems[len(elems)-1].comma = pos
		}
	}
	// put writes the new items with sep (which starts with the comma) between them.
	put := func(l layout, prefix, sep string) {
		for i, it := range news {
			if i > 0 {
				comma()
				b.WriteString(sep)
			}
			switch {
			case it.key != nil:
				m := l.traceMember(&b, it.key, vsrc, it.vn, prefix, tr)
				if tr != nil {
					m.name = unquote(it.key)
					mems = append(mems, m)
				}
			case tr != nil:
				elems = append(elems, element{value: l.trace(&b, vsrc, it.vn, prefix, tr), comma: -1})
			default:
				l.write(&b, vsrc, it.vn, prefix)
			}
		}
	}
	multi := newLayout(src, st, false, c)
	// An empty container shows no habit of its own, so a new item in it follows the file.
	trailingComma := func() {
		if st.trailing {
			comma()
			b.WriteByte(',')
		}
	}

	if len(its) == 0 {
		inner := src[open+1 : close]
		switch {
		case onlySpace(inner) && st.minified:
			l := newLayout(src, st, true, c)
			put(l, "", ","+l.comma)
			return d.apply(edit{open + 1, close, b.Bytes()})
		case st.minified:
			// Only comments inside, on a one-line document: stay on the line, after them.
			p := backHSpace(src, close)
			b.WriteByte(' ')
			l := newLayout(src, st, true, c)
			put(l, "", ","+l.comma)
			return d.apply(edit{p, p, b.Bytes()})
		case onlySpace(inner):
			// `{}`, `{ }` and `{\n}` all become a properly indented block. What is written
			// is read as it is written (a tracer), and the document's nodes are rebuilt
			// around it instead of parsed again: a first pass puts every server into an
			// empty object this way.
			tr = &tracer{base: open + 1}
			if c.kind == kindObject {
				mems = make([]member, 0, len(news))
			} else {
				elems = make([]element, 0, len(news))
			}
			outer := lineIndent(src, open)
			if firstOnLine(src, close) {
				outer = lineIndent(src, close)
			}
			b.WriteString(st.nl)
			b.WriteString(outer + st.unit)
			put(multi, outer+st.unit, ","+st.nl+outer+st.unit)
			trailingComma()
			b.WriteString(st.nl)
			b.WriteString(outer)
			filled := node{kind: c.kind, start: c.start, end: c.end + b.Len() - (close - open - 1), members: mems, elems: elems}
			return d.applyInto(edit{open + 1, close, b.Bytes()}, c, &filled)
		case firstOnLine(src, close):
			// Only comments inside: add a line above the closing bracket, below them.
			outer := lineIndent(src, close)
			b.WriteString(outer + st.unit)
			put(multi, outer+st.unit, ","+st.nl+outer+st.unit)
			trailingComma()
			b.WriteString(st.nl)
			ls := lineStart(src, close)
			return d.apply(edit{ls, ls, b.Bytes()})
		default:
			outer := lineIndent(src, open)
			p := backHSpace(src, close)
			b.WriteString(st.nl)
			b.WriteString(outer + st.unit)
			put(multi, outer+st.unit, ","+st.nl+outer+st.unit)
			trailingComma()
			b.WriteString(st.nl)
			b.WriteString(outer)
			return d.apply(edit{p, close, b.Bytes()})
		}
	}

	if bytes.IndexByte(src[open:close], '\n') < 0 {
		l := newLayout(src, st, true, c)
		if at < len(its) {
			put(l, "", ","+l.comma)
			b.WriteByte(',')
			b.WriteString(l.comma)
			return d.apply(edit{its[at].start, its[at].start, b.Bytes()})
		}
		last := its[len(its)-1]
		if last.comma >= 0 {
			b.WriteString(l.comma)
			put(l, "", ","+l.comma)
			b.WriteByte(',')
			return d.apply(edit{last.comma + 1, last.comma + 1, b.Bytes()})
		}
		b.WriteByte(',')
		b.WriteString(l.comma)
		put(l, "", ","+l.comma)
		return d.apply(edit{last.end, last.end, b.Bytes()})
	}

	if at < len(its) {
		s := its[at].start
		indent := lineIndent(src, s)
		if firstOnLine(src, s) {
			b.WriteString(indent)
			put(multi, indent, ","+st.nl+indent)
			b.WriteByte(',')
			b.WriteString(st.nl)
			ls := lineStart(src, s)
			return d.apply(edit{ls, ls, b.Bytes()})
		}
		put(multi, indent, ","+multi.comma)
		b.WriteByte(',')
		b.WriteString(multi.comma)
		return d.apply(edit{s, s, b.Bytes()})
	}

	indent := itemIndent(src, st, c, its)
	last := its[len(its)-1]
	if last.comma >= 0 {
		// Trailing-comma style: the new last item gets one too.
		p := last.comma + 1
		if t := skipLineTrivia(src, p); eolLen(src, t) >= 0 {
			p = t
		}
		b.WriteString(st.nl)
		b.WriteString(indent)
		put(multi, indent, ","+st.nl+indent)
		b.WriteByte(',')
		return d.apply(edit{p, p, b.Bytes()})
	}
	// The comma goes right after the old last value, before any comment on its line; the new
	// item goes after that comment.
	p := last.end
	t := skipLineTrivia(src, p)
	if eolLen(src, t) < 0 {
		t = p
	}
	b.WriteString(st.nl)
	b.WriteString(indent)
	put(multi, indent, ","+st.nl+indent)
	if t == p {
		return d.apply(edit{p, p, append([]byte{','}, b.Bytes()...)})
	}
	return d.apply(edit{p, p, []byte{','}}, edit{t, t, b.Bytes()})
}

// laidOutSize estimates the size of the compact vsrc once laid out in style st, below an
// object indented by outer: each comma and opening bracket may start a new line, indented
// to its depth. The new items' buffer starts that big: a thousand servers grew it a dozen
// times, copying it each time.
func laidOutSize(vsrc []byte, st *style, outer string) int {
	size := len(vsrc) + 64
	line := len(st.nl) + len(outer) + 1 // a line break, the indentation, a space after ':'
	depth, inString := 1, false
	for i := 0; i < len(vsrc); i++ {
		c := vsrc[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			size += line + depth*len(st.unit)
		case c == '}' || c == ']':
			depth--
			size += line + depth*len(st.unit)
		case c == ',':
			size += line + depth*len(st.unit)
		}
	}
	return size
}

// itemIndent is the indentation of the container's items, taken from the last item that
// starts its own line, so a new item lines up with its neighbours even in odd layouts.
func itemIndent(src []byte, st *style, c *node, its []item) string {
	for i := len(its) - 1; i >= 0; i-- {
		if firstOnLine(src, its[i].start) {
			return lineIndent(src, its[i].start)
		}
	}
	return lineIndent(src, c.start) + st.unit
}

// deleteItem removes item i of container c with the comma that separates it, the comments
// after it on its last line, and its lines when it had them to itself. A container left with
// only whitespace inside collapses to {} or [].
func (d *Doc) deleteItem(c *node, i int) error {
	src := d.src
	its := items(c)
	it := its[i]
	last := i == len(its)-1
	s, e := it.start, it.end
	if it.comma >= 0 {
		e = it.comma + 1
	}
	var extra []edit
	t := skipLineTrivia(src, e)
	if n := eolLen(src, t); n >= 0 && firstOnLine(src, s) {
		s, e = lineStart(src, s), t+n
		if it.comma < 0 && i > 0 {
			// The item before becomes the last one; a strict file must lose its comma.
			pc := its[i-1].comma
			extra = append(extra, edit{pc, pc + 1, nil})
		}
	} else if it.comma >= 0 {
		if last && i > 0 {
			s = its[i-1].comma + 1 // keep the trailing-comma style on the new last item
		} else {
			e = skipHSpace(src, e)
			if eolLen(src, e) >= 0 {
				s = backHSpace(src, s)
			}
		}
	} else if i > 0 {
		s = its[i-1].comma
	}
	// A removal that leaves its line holding only indentation takes the line too.
	if ls, t := lineStart(src, s), skipHSpace(src, e); ls < s && onlyHSpace(src[ls:s]) {
		if n := eolLen(src, t); n > 0 {
			s, e = ls, t+n
		}
	}
	open, close := c.start+1, c.end-1
	if len(its) == 1 && onlySpace(src[open:s]) && onlySpace(src[e:close]) {
		return d.apply(edit{open, close, nil})
	}
	return d.apply(append(extra, edit{s, e, nil})...)
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       []byte
}

// applyInto is apply for one edit inside container old (and nowhere else), whose new node,
// with the edit's text already in it, is filled: the other nodes are those of the document
// before, the ones after the edit moved by the change in length, copied where they change.
// checkEdit, which the edit tests and fuzz targets run, holds the result to what apply would
// have parsed.
func (d *Doc) applyInto(e edit, old, filled *node) error {
	out := make([]byte, 0, len(d.src)+len(e.text)-(e.end-e.start))
	out = append(append(append(out, d.src[:e.start]...), e.text...), d.src[e.end:]...)
	d.root = rebuilt(d.root, old, filled, e.end, len(e.text)-(e.end-e.start))
	d.src = out
	return nil
}

// rebuilt returns n with container old replaced by filled and every offset at or after at
// moved by delta. Nodes that end before at are shared, the others copied.
func rebuilt(n, old, filled *node, at, delta int) *node {
	if n == old {
		return filled
	}
	if n.end <= at { // before the edit: the container old ends after it, so not in here
		return n
	}
	c := *n
	c.index = nil
	move := func(p int) int {
		if p >= at {
			return p + delta
		}
		return p
	}
	c.start, c.end = move(n.start), move(n.end)
	if n.members != nil {
		c.members = make([]member, len(n.members))
		for i, m := range n.members {
			m.keyStart, m.keyEnd, m.colon = move(m.keyStart), move(m.keyEnd), move(m.colon)
			if m.comma >= 0 {
				m.comma = move(m.comma)
			}
			m.value = rebuilt(m.value, old, filled, at, delta)
			c.members[i] = m
		}
	}
	if n.elems != nil {
		c.elems = make([]element, len(n.elems))
		for i, el := range n.elems {
			if el.comma >= 0 {
				el.comma = move(el.comma)
			}
			el.value = rebuilt(el.value, old, filled, at, delta)
			c.elems[i] = el
		}
	}
	return &c
}

// apply splices non-overlapping edits into the document in one pass and re-reads the result.
// Re-reading keeps every offset right for the next edit, and it is the last line of defence:
// an edit that would produce a document that does not parse is refused, leaving the document
// as it was.
func (d *Doc) apply(edits ...edit) error {
	slices.SortStableFunc(edits, func(a, b edit) int { return cmp.Compare(a.start, b.start) })
	size := len(d.src)
	for _, e := range edits {
		size += len(e.text) - (e.end - e.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, e := range edits {
		out = append(out, d.src[last:e.start]...)
		out = append(out, e.text...)
		last = e.end
	}
	out = append(out, d.src[last:]...)
	root, err := parseDocument(out, nil)
	if err != nil {
		return fmt.Errorf("check edited document: %w", err)
	}
	d.src, d.root = out, root
	return nil
}
