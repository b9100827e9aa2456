package tomledit

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// exprKind tells the kinds of top-level lines apart.
type exprKind int

const (
	exprComment exprKind = iota
	exprKeyValue
	exprTable
	exprArrayTable
)

// expr is one top-level expression of the document with the byte spans the
// editor needs. go-toml's unstable parser gives ranges for keys and scalars
// only, so the spans of whole lines, headers and container values are
// derived here from those anchors.
type expr struct {
	kind exprKind
	// lineStart and lineEnd cover the whole lines of the expression,
	// including indentation, a trailing comment and the line break.
	lineStart, lineEnd int
	// path is the table path of a header, or the full path of a key-value
	// (its table's path followed by its dotted key).
	path []string
	// table is the header a key-value belongs to (-1 for the root table).
	table int
	// keyLen is the number of dotted parts of a key-value's own key.
	keyLen int
	// val is the value of a key-value.
	val value
}

// value is the byte span of a value plus, for inline tables, its entries.
type value struct {
	kind       unstable.Kind
	start, end int
	literal    bool // a single-line 'literal string'
	inline     *inlineTable
}

// inlineTable is an inline table value `{ k = v, … }` and its entries.
type inlineTable struct {
	path       []string
	start, end int // from '{' to just past '}'
	entries    []inlineEntry
}

// inlineEntry is one key-value inside an inline table.
type inlineEntry struct {
	path       []string // full path from the document root
	start, end int      // from the key's first byte to the value's last
	val        value
}

// index is the parsed layout of a document.
type index struct {
	exprs []expr
}

// buildIndex walks the document with go-toml's unstable parser. It assumes
// the document already passed a full decode, so parser errors here are
// reported but not expected.
func buildIndex(src []byte) (*index, error) {
	p := unstable.Parser{KeepComments: true}
	p.Reset(src)
	// A document has at most about one expression per line; sized for that, the list is
	// not copied as it grows (for a file of a thousand servers that copying was a third
	// of indexing it).
	ix := &index{exprs: make([]expr, 0, bytes.Count(src, []byte{'\n'})+1)}
	ns := &names{}
	curTable := -1
	var curPath []string
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Comment:
			start := int(n.Raw.Offset)
			ix.exprs = append(ix.exprs, expr{
				kind:      exprComment,
				lineStart: lineStart(src, start),
				lineEnd:   lineEnd(src, start),
				table:     curTable,
			})
		case unstable.Table, unstable.ArrayTable:
			keys, first, last := ns.keyParts(n.Key())
			kind := exprTable
			if n.Kind == unstable.ArrayTable {
				kind = exprArrayTable
			}
			ix.exprs = append(ix.exprs, expr{
				kind:      kind,
				lineStart: lineStart(src, first),
				lineEnd:   lineEnd(src, last),
				path:      keys,
				table:     -1,
			})
			curTable = len(ix.exprs) - 1
			curPath = keys
		case unstable.KeyValue:
			keys, first, keyEnd := ns.keyParts(n.Key())
			full := ns.concat(curPath, keys)
			val, err := valueOf(src, n, full, keyEnd, ns)
			if err != nil {
				return nil, err
			}
			ix.exprs = append(ix.exprs, expr{
				kind:      exprKeyValue,
				lineStart: lineStart(src, first),
				lineEnd:   lineEnd(src, val.end),
				path:      full,
				table:     curTable,
				keyLen:    len(keys),
				val:       val,
			})
		}
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("index document: %w", err)
	}
	return ix, nil
}

// spliced is the index of the document after n bytes of new tables are inserted at pos, a
// line start of src, the document ix indexes; head is what headers returned for them: the
// expressions before pos followed by the new ones. It is what buildIndex reads there when
// the text lands at a section boundary: ok is false when it might not be (pos ends a last
// line without a line break, which the text's first line break then ends too, or a key
// follows pos before any header, which would move into the last new table), and the
// caller indexes the new document instead.
func (ix *index) spliced(src []byte, pos, n int, head []expr) (out *index, ok bool) {
	if len(head) == 0 || (pos > 0 && src[pos-1] != '\n') {
		return nil, false
	}
	k := sort.Search(len(ix.exprs), func(i int) bool { return ix.exprs[i].lineStart >= pos })
	if k > 0 && ix.exprs[k-1].lineEnd > pos {
		return nil, false
	}
	added := len(head) - k
	lastHeader := -1
	for i := k; i < len(head); i++ {
		if head[i].kind == exprTable {
			lastHeader = i
		}
	}
	exprs := head
	header := false // whether an old header came after the new text yet
	for _, e := range ix.exprs[k:] {
		switch {
		case e.kind == exprTable || e.kind == exprArrayTable:
			header = true
		case !header && e.kind == exprKeyValue:
			return nil, false
		case !header:
			e.table = lastHeader // a comment after the new tables is read as theirs
		default:
			e.table += added
		}
		e.lineStart += n
		e.lineEnd += n
		if e.kind == exprKeyValue {
			e.val = shiftValue(e.val, n)
		}
		exprs = append(exprs, e)
	}
	return &index{exprs: exprs}, true
}

// names gives each distinct key name of a document one string: the same few names (a
// servers table's "command", "args", "env") come back for every entry. The paths built
// from them are cut from shared blocks (arena) instead of allocated one by one.
type names struct {
	m     map[string]string
	arena []string
}

func (ns *names) name(b []byte) string {
	if s, ok := ns.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if ns.m == nil {
		ns.m = map[string]string{}
	}
	ns.m[s] = s
	return s
}

// room makes sure the arena can take n more strings after its last from, moving those
// (the path being built) to a new block when it cannot.
func (ns *names) room(from, n int) int {
	if cap(ns.arena)-len(ns.arena) >= n {
		return from
	}
	cur := ns.arena[from:]
	ns.arena = append(make([]string, 0, max(512, 2*(len(cur)+n))), cur...)
	return 0
}

// cut returns the arena's strings from start on as a path of their own: its capacity
// ends with it, so that appending to it never writes into the next path.
func (ns *names) cut(start int) []string {
	return ns.arena[start:len(ns.arena):len(ns.arena)]
}

// keyParts returns the decoded parts of a (dotted) key and the offsets of
// its first and one past its last byte.
func (ns *names) keyParts(it unstable.Iterator) (parts []string, first, last int) {
	first = -1
	start := len(ns.arena)
	for it.Next() {
		k := it.Node()
		start = ns.room(start, 1)
		ns.arena = append(ns.arena, ns.name(k.Data))
		if first < 0 {
			first = int(k.Raw.Offset)
		}
		last = int(k.Raw.Offset + k.Raw.Length)
	}
	if first < 0 {
		return nil, first, last
	}
	return ns.cut(start), first, last
}

// concat is concat with the result in the arena.
func (ns *names) concat(a, b []string) []string {
	start := ns.room(len(ns.arena), len(a)+len(b))
	ns.arena = append(append(ns.arena, a...), b...)
	return ns.cut(start)
}

// valueOf derives the span of a key-value's value. The end comes from the
// key-value's own range; the start is found by skipping `ws = ws` after the
// last key part (which ends at keyEnd), because arrays and inline tables carry
// no range of their own.
func valueOf(src []byte, kv *unstable.Node, full []string, keyEnd int, ns *names) (value, error) {
	end := int(kv.Raw.Offset + kv.Raw.Length)
	i := skipSpace(src, keyEnd)
	if i >= len(src) || src[i] != '=' {
		return value{}, fmt.Errorf("index key %s: no '=' after key", joinKey(full))
	}
	start := skipSpace(src, i+1)
	v := kv.Value()
	val := value{kind: v.Kind, start: start, end: end}
	switch v.Kind {
	case unstable.String:
		val.literal = src[start] == '\'' && !strings.HasPrefix(string(src[start:end]), "'''")
	case unstable.InlineTable:
		t, err := inlineOf(src, v, full, ns)
		if err != nil {
			return value{}, err
		}
		t.start, t.end = start, end
		val.inline = t
	}
	return val, nil
}

// inlineOf indexes the entries of an inline table.
func inlineOf(src []byte, n *unstable.Node, path []string, ns *names) (*inlineTable, error) {
	t := &inlineTable{path: path}
	it := n.Children()
	for it.Next() {
		c := it.Node()
		if c.Kind != unstable.KeyValue {
			continue
		}
		keys, first, keyEnd := ns.keyParts(c.Key())
		full := ns.concat(path, keys)
		val, err := valueOf(src, c, full, keyEnd, ns)
		if err != nil {
			return nil, err
		}
		t.entries = append(t.entries, inlineEntry{path: full, start: first, end: val.end, val: val})
	}
	return t, nil
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// lineStart returns the offset of the first byte of the line holding pos.
func lineStart(src []byte, pos int) int {
	for pos > 0 && src[pos-1] != '\n' {
		pos--
	}
	return pos
}

// lineEnd returns the offset just past the line break of the line holding
// pos, or the end of the document on its last line.
func lineEnd(src []byte, pos int) int {
	for pos < len(src) {
		if src[pos] == '\n' {
			return pos + 1
		}
		pos++
	}
	return len(src)
}

func concat(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func hasPrefix(path, prefix []string) bool {
	if len(path) < len(prefix) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}

func equalPath(a, b []string) bool {
	return len(a) == len(b) && hasPrefix(a, b)
}

// childrenSeen records where each child of the table at parent is first mentioned, which is
// what gives keys their document order. It walks the document once for the one table asked
// about: the positions of every prefix of every path, built as strings, were most of reading
// a servers table of a thousand entries. hint is how many children there are.
func (ix *index) childrenSeen(parent []string, hint int) map[string]int {
	seen := make(map[string]int, hint)
	note := func(path []string, pos int) {
		if len(path) > len(parent) && hasPrefix(path, parent) {
			if _, ok := seen[path[len(parent)]]; !ok {
				seen[path[len(parent)]] = pos
			}
		}
	}
	var noteInline func(t *inlineTable)
	noteInline = func(t *inlineTable) {
		for _, e := range t.entries {
			note(e.path, e.start)
			if e.val.inline != nil {
				noteInline(e.val.inline)
			}
		}
	}
	for _, e := range ix.exprs {
		switch e.kind {
		case exprTable, exprArrayTable, exprKeyValue:
			note(e.path, e.lineStart)
			if e.val.inline != nil {
				noteInline(e.val.inline)
			}
		}
	}
	return seen
}

// header returns the index of the [path] header, or -1.
func (ix *index) header(path []string) int {
	for i, e := range ix.exprs {
		if e.kind == exprTable && equalPath(e.path, path) {
			return i
		}
	}
	return -1
}

// findKeyValue returns the top-level key-value whose full path is path.
func (ix *index) findKeyValue(path []string) (int, bool) {
	for i, e := range ix.exprs {
		if e.kind == exprKeyValue && equalPath(e.path, path) {
			return i, true
		}
	}
	return -1, false
}

// findInline finds the innermost inline-table entry whose full path is a
// prefix of path (or equal to it when exact), searching through every
// top-level key-value with an inline table value.
func (ix *index) findInline(path []string) (table *inlineTable, entry *inlineEntry) {
	var walk func(t *inlineTable) (*inlineTable, *inlineEntry)
	walk = func(t *inlineTable) (*inlineTable, *inlineEntry) {
		for i := range t.entries {
			e := &t.entries[i]
			if equalPath(e.path, path) {
				return t, e
			}
			if e.val.inline != nil && hasPrefix(path, e.path) {
				if tt, ee := walk(e.val.inline); tt != nil {
					return tt, ee
				}
				return e.val.inline, nil
			}
		}
		return nil, nil
	}
	for _, e := range ix.exprs {
		if e.kind == exprKeyValue && e.val.inline != nil && hasPrefix(path, e.path) && len(path) > len(e.path) {
			if t, en := walk(e.val.inline); t != nil {
				return t, en
			}
			return e.val.inline, nil
		}
	}
	return nil, nil
}

// lastKeyOf returns the index of the last key-value of the block that starts
// at header h (or of the root block for h == -1), or -1 when it has none.
func (ix *index) lastKeyOf(h int) int {
	last := -1
	// A block's key-values come between its header and the next header, so
	// the scan stops there: callers ask this for every table of a document.
	for i := h + 1; i < len(ix.exprs); i++ {
		e := ix.exprs[i]
		if e.kind == exprTable || e.kind == exprArrayTable {
			break
		}
		if e.kind == exprKeyValue && e.table == h {
			last = i
		}
	}
	return last
}

// sectionEnd returns the offset just past the last content line of the
// section opened by header h: its last key-value, or the header itself.
// Blank lines and comments after that belong to whatever follows.
func (ix *index) sectionEnd(h int) int {
	if k := ix.lastKeyOf(h); k >= 0 {
		return ix.exprs[k].lineEnd
	}
	return ix.exprs[h].lineEnd
}

// attachedStart returns where the comment lines directly above expression
// i begin (no blank line in between), or its own line start.
func (ix *index) attachedStart(i int) int {
	start := ix.exprs[i].lineStart
	for j := i - 1; j >= 0; j-- {
		e := ix.exprs[j]
		if e.kind != exprComment || e.lineEnd != start {
			break
		}
		start = e.lineStart
	}
	return start
}
