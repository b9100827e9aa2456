package tomledit

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// errWrongResult guards the editor against its own bugs: an edit that
// parses but does not read back as requested is rolled back.
var errWrongResult = errors.New("edit did not produce the requested value")

// Set writes value at path, touching as few bytes as it can:
//
//   - an equal value already there leaves the document untouched;
//   - an existing key gets only its value replaced, keeping its position and
//     any comment on its line (a 'literal string' stays literal when the new
//     text allows it);
//   - a map set over an existing table updates that table key by key, so
//     the keys that stay keep their formatting;
//   - a missing key is added after the last key of the table that owns it,
//     which may be a [header] table, a table made of dotted keys or an
//     inline table; when the owning table does not exist yet, a [table]
//     header is added after its last sibling table, or at the end. A map
//     set where no table exists yet becomes a [table] of its own
//     (Set(["mcp_servers", "new"], fields) writes [mcp_servers.new]).
//
// New keys of a map are written in sorted order; to choose the order of a
// new table's keys, set them one by one.
//
// Values may be strings, bools, integers, floats, go-toml date/time values,
// slices and string-keyed maps of those. Where a map is the value of a key it
// is written as an inline table, `{ K = "v", K2 = "w" }`.
func (d *Doc) Set(path []string, value any) error {
	if len(path) == 0 {
		return fmt.Errorf("set value: %w", ErrEmptyPath)
	}
	for _, k := range path {
		if !utf8.ValidString(k) {
			return fmt.Errorf("set %s: %w: key is not valid UTF-8", joinKey(path), ErrUnsupportedValue)
		}
	}
	v, err := normalize(value)
	if err != nil {
		return fmt.Errorf("set %s: %w", joinKey(path), err)
	}
	saved := *d
	if err := d.set(path, v); err != nil {
		*d = saved
		return fmt.Errorf("set %s: %w", joinKey(path), err)
	}
	if got, ok, _ := lookup(d.data, path); !ok || !equalValues(v, got) {
		*d = saved
		return fmt.Errorf("set %s: %w", joinKey(path), errWrongResult)
	}
	return nil
}

// Delete removes the key or table at path. A key goes with its whole line,
// including a comment on that line; a table goes with its header, its keys,
// every sub-table and the comment lines directly above each removed header.
// A missing path is not an error, because the goal (the path is absent) is
// already met.
func (d *Doc) Delete(path ...string) error {
	if len(path) == 0 {
		return fmt.Errorf("delete value: %w", ErrEmptyPath)
	}
	_, ok, err := lookup(d.data, path)
	if err != nil {
		return fmt.Errorf("delete %s: %w", joinKey(path), err)
	}
	if !ok {
		return nil
	}
	saved := *d
	if err := d.delete(path); err != nil {
		*d = saved
		return fmt.Errorf("delete %s: %w", joinKey(path), err)
	}
	if _, ok, _ := lookup(d.data, path); ok {
		*d = saved
		return fmt.Errorf("delete %s: %w", joinKey(path), errWrongResult)
	}
	return nil
}

// splice replaces src[start:end] with text and reloads the document. The
// reload is the safety net: it re-validates the whole file.
func (d *Doc) splice(start, end int, text string) error {
	if string(d.src[start:end]) == text {
		return nil
	}
	out := make([]byte, 0, len(d.src)-(end-start)+len(text))
	out = append(out, d.src[:start]...)
	out = append(out, text...)
	out = append(out, d.src[end:]...)
	if err := d.load(out); err != nil {
		return fmt.Errorf("edit produced invalid TOML: %w", err)
	}
	d.changed = true
	return nil
}

func (d *Doc) set(path []string, v any) error {
	cur, exists, err := lookup(d.data, path)
	if err != nil {
		return err
	}
	if exists {
		if equalValues(v, cur) {
			return nil
		}
		newMap, isMap := v.(map[string]any)
		curMap, curIsMap := cur.(map[string]any)
		if isMap && curIsMap {
			return d.syncTable(path, curMap, newMap)
		}
		if i, ok := d.ix.findKeyValue(path); ok {
			val := d.ix.exprs[i].val
			return d.splice(val.start, val.end, render(v, val.literal))
		}
		if _, e := d.ix.findInline(path); e != nil {
			return d.splice(e.val.start, e.val.end, render(v, e.val.literal))
		}
		// A [table] or [[array]] is being replaced by a different kind of
		// value: remove it, then add the value as a new key.
		if err := d.delete(path); err != nil {
			return err
		}
	}
	return d.insert(path, v)
}

// syncTable makes the table at path hold exactly the keys of want, editing
// key by key so that untouched keys and their comments survive.
func (d *Doc) syncTable(path []string, have, want map[string]any) error {
	var gone []string
	for k := range have {
		if _, ok := want[k]; !ok {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		if err := d.delete(concat(path, []string{k})); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := d.set(concat(path, []string{k}), want[k]); err != nil {
			return err
		}
	}
	return nil
}

// insert adds a missing path. It finds the deepest existing table on the
// path and writes the rest of the path where that table's keys live.
func (d *Doc) insert(path []string, v any) error {
	owner := path[:len(path)-1]
	r := 0
	for r < len(owner) {
		sub, ok, _ := lookup(d.data, path[:r+1])
		if !ok {
			break
		}
		if _, isMap := sub.(map[string]any); !isMap {
			return fmt.Errorf("%s: %w", joinKey(path[:r+1]), ErrNotTable)
		}
		r++
	}
	found := path[:r]
	if r == 0 {
		if len(owner) == 0 {
			return d.insertRootKey(path[0], v)
		}
		return d.insertTable(path, v)
	}
	if t := d.inlineHolding(found); t != nil {
		return d.insertInline(t, path, r, v)
	}
	if h := d.ix.header(found); h >= 0 {
		if r == len(owner) {
			return d.insertLine(d.ix.sectionEnd(h), d.indentOf(d.ix.lastKeyOf(h), h), quoteKey(path[r])+" = "+render(v, false))
		}
		return d.insertTable(path, v)
	}
	if k := d.lastDottedDefining(found); k >= 0 {
		e := d.ix.exprs[k]
		table := e.path[:len(e.path)-e.keyLen]
		return d.insertLine(e.lineEnd, d.indentOf(k, k), joinKey(path[len(table):])+" = "+render(v, false))
	}
	// The table exists only implicitly, through headers of its sub-tables,
	// so a header of its own may still be added.
	return d.insertTable(path, v)
}

// inlineHolding returns the inline table that holds the table at path (the
// table itself or, for dotted keys inside braces, an enclosing one).
func (d *Doc) inlineHolding(path []string) *inlineTable {
	if i, ok := d.ix.findKeyValue(path); ok {
		return d.ix.exprs[i].val.inline
	}
	t, e := d.ix.findInline(path)
	if e != nil {
		return e.val.inline
	}
	return t
}

// insertInline adds path to inline table t, of which path[:r] exists.
func (d *Doc) insertInline(t *inlineTable, path []string, r int, v any) error {
	var key string
	if r > len(t.path) {
		key = joinKey(path[len(t.path):])
	} else {
		for i := len(path) - 1; i > r; i-- {
			v = map[string]any{path[i]: v}
		}
		key = quoteKey(path[r])
	}
	kv := key + " = " + render(v, false)
	if len(t.entries) == 0 {
		return d.splice(t.start, t.end, "{ "+kv+" }")
	}
	last := t.entries[len(t.entries)-1].end
	return d.splice(last, last, ", "+kv)
}

// lastDottedDefining returns the last top-level key-value whose dotted key
// defines the table at path (as `b.c = 1` defines b), or -1.
func (d *Doc) lastDottedDefining(path []string) int {
	last := -1
	for i, e := range d.ix.exprs {
		if e.kind == exprKeyValue && len(e.path) > len(path) && hasPrefix(e.path, path) && len(e.path)-e.keyLen < len(path) {
			last = i
		}
	}
	return last
}

// insertRootKey adds a key to the root table, which ends at the first header.
func (d *Doc) insertRootKey(key string, v any) error {
	line := quoteKey(key) + " = " + render(v, false)
	if k := d.ix.lastKeyOf(-1); k >= 0 {
		return d.insertLine(d.ix.exprs[k].lineEnd, d.indentOf(k, k), line)
	}
	for i, e := range d.ix.exprs {
		if e.kind == exprTable || e.kind == exprArrayTable {
			pos := d.ix.attachedStart(i)
			text := line + d.eol
			if !blankLineAt(d.src, pos) {
				text += d.eol
			}
			return d.splice(pos, pos, text)
		}
	}
	return d.insertLine(len(d.src), "", line)
}

// insertTable adds path under a new [table] header. A non-empty map becomes
// the table itself ([mcp_servers.new] with one line per key, in sorted
// order), which is how Codex configs are written; anything else becomes a
// key of a new header for its owner.
func (d *Doc) insertTable(path []string, v any) error {
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = quoteKey(k) + " = " + render(m[k], false)
		}
		return d.insertHeader(path, lines)
	}
	return d.insertHeader(path[:len(path)-1], []string{quoteKey(path[len(path)-1]) + " = " + render(v, false)})
}

// insertHeader adds a new [table] with the given key lines. It goes after
// the last table that shares its parent, so that [mcp_servers.new] lands
// next to the other servers, or at the end of the document.
func (d *Doc) insertHeader(table []string, lines []string) error {
	return d.insertHeaders(table[:len(table)-1], []section{{table: table, lines: lines}})
}

// section is a [table] header and its key lines, not yet in the document. AddTables also
// gives each line's key path, its value as buildIndex records it (offsets from the line's
// start) and its normalized value, so that the new lines are indexed as they are written
// and plain ones need no decoding (see addHeaders).
type section struct {
	table []string
	lines []string
	paths [][]string // the full path of each line's key
	vals  []value
	data  []any // each line's value, normalized
}

// insertHeaders adds new [table]s that share the parent table parent, in
// order and separated by blank lines, in one splice: where insertHeader
// would put the first one.
func (d *Doc) insertHeaders(parent []string, secs []section) error {
	pos, text, _ := d.headers(parent, secs)
	return d.splice(pos, pos, text)
}

// headers returns the text of new [table]s under parent and where it goes. When every
// section has its keys and values (AddTables), it also returns the start of the new
// document's index (for spliced): the expressions before pos, then the text's as
// buildIndex reads them.
func (d *Doc) headers(parent []string, secs []section) (int, string, []expr) {
	pos := len(d.src)
	if len(parent) > 0 {
		last := -1
		for i, e := range d.ix.exprs {
			if (e.kind == exprTable || e.kind == exprArrayTable) && hasPrefix(e.path, parent) {
				last = i
			}
		}
		if last >= 0 {
			pos = d.ix.sectionEnd(last)
		}
	}
	var b strings.Builder
	size := 0
	indexed := true
	for _, s := range secs {
		size += 2*len(d.eol) + 2
		for _, k := range s.table {
			size += len(k) + 3
		}
		for _, l := range s.lines {
			size += len(l) + len(d.eol)
		}
		indexed = indexed && len(s.paths) == len(s.lines) && len(s.vals) == len(s.lines)
	}
	b.Grow(size + 3*len(d.eol))
	if pos == len(d.src) && pos > 0 && d.src[pos-1] != '\n' {
		b.WriteString(d.eol + d.eol)
	} else if pos > 0 && !blankLineBefore(d.src, pos) {
		b.WriteString(d.eol)
	}
	// Indexed, the expressions are the document's before pos and then the text's, at their
	// offsets in the new document: spliced adds the rest.
	var exprs []expr
	if indexed {
		n := len(d.ix.exprs)
		for _, s := range secs {
			n += 1 + len(s.lines)
		}
		k := sort.Search(len(d.ix.exprs), func(i int) bool { return d.ix.exprs[i].lineStart >= pos })
		exprs = append(make([]expr, 0, n), d.ix.exprs[:k]...)
	}
	for i, s := range secs {
		if i > 0 {
			b.WriteString(d.eol)
		}
		start := pos + b.Len()
		b.WriteByte('[')
		b.WriteString(joinKey(s.table))
		b.WriteByte(']')
		b.WriteString(d.eol)
		header := len(exprs)
		if indexed {
			exprs = append(exprs, expr{kind: exprTable, lineStart: start, lineEnd: pos + b.Len(), path: s.table, table: -1})
		}
		for j, l := range s.lines {
			start := pos + b.Len()
			b.WriteString(l)
			b.WriteString(d.eol)
			if indexed {
				val := s.vals[j]
				val.shift(start) // the section's own value, not shared: moved where it is
				exprs = append(exprs, expr{kind: exprKeyValue, lineStart: start, lineEnd: pos + b.Len(),
					path: s.paths[j], table: header, keyLen: 1, val: val})
			}
		}
	}
	if pos < len(d.src) && !blankLineAt(d.src, pos) {
		b.WriteString(d.eol)
	}
	return pos, b.String(), exprs
}

// shift moves v's offsets, and its inline tables', by delta, in place.
func (v *value) shift(delta int) {
	v.start += delta
	v.end += delta
	if t := v.inline; t != nil {
		t.start += delta
		t.end += delta
		for i := range t.entries {
			t.entries[i].start += delta
			t.entries[i].end += delta
			t.entries[i].val.shift(delta)
		}
	}
}

// shiftValue returns v with its offsets moved by delta. Its inline tables are copied,
// since an index may share them with the index of the document a rollback restores.
func shiftValue(v value, delta int) value {
	v.inline = v.inline.clone()
	v.shift(delta)
	return v
}

// clone is a deep copy of t (nil for nil).
func (t *inlineTable) clone() *inlineTable {
	if t == nil {
		return nil
	}
	c := *t
	if t.entries != nil {
		c.entries = make([]inlineEntry, len(t.entries))
		for i, e := range t.entries {
			e.val.inline = e.val.inline.clone()
			c.entries[i] = e
		}
	}
	return &c
}

// addHeaders is insertHeaders for AddTables, without decoding or indexing the whole
// document again. go-toml's decoder checks each new table against every table seen before
// it under the same parent, so decoding a file of a thousand servers took most of writing
// it (quadratic in the number of servers), and reading its layout again took a fifth of
// what remained. The new tables are new names under a parent that is absent or a [header]
// table (AddTables checked both), each written as a header and its key lines, and all of
// them land together at a section boundary, which only comments and headers follow; a
// table's meaning then depends only on its own text. So each one's keys are decoded on
// their own, still by go-toml (unless they read back as their values by construction, see
// plainTable), and put into the decoded data; headers with a quoted part are read back by
// the layout parser (checkHeaders); and the lines are indexed as they are written: the old
// expressions keep their places, moved past the new text. Where the boundary is unusual
// (text follows pos on its line, or a key follows it before any header) the new document
// is indexed by the layout parser instead. TestAddTablesReadsLikeADecode,
// TestAddTablesIndexesAsWritten and FuzzTOMLAddTables hold this to a full decode and to
// buildIndex.
func (d *Doc) addHeaders(parent []string, secs []section) error {
	tables := make([]map[string]any, len(secs))
	var b bytes.Buffer
	for i, s := range secs {
		if t, ok := s.plainTable(); ok {
			tables[i] = t
			continue
		}
		b.Reset()
		for _, l := range s.lines {
			b.WriteString(l)
			b.WriteString(d.eol)
		}
		m := map[string]any{}
		if err := toml.Unmarshal(b.Bytes(), &m); err != nil {
			return fmt.Errorf("edit produced invalid TOML: [%s]: %w", joinKey(s.table), syntaxError(b.Bytes(), err))
		}
		tables[i] = m
	}
	pos, text, head := d.headers(parent, secs)
	if head != nil && !allBare(secs) {
		if err := checkHeaders(text, secs); err != nil {
			return err
		}
	}
	out := make([]byte, 0, len(d.src)+len(text))
	out = append(append(append(out, d.src[:pos]...), text...), d.src[pos:]...)
	ix, ok := d.ix.spliced(d.src, pos, len(text), head)
	if !ok {
		var err error
		if ix, err = buildIndex(out); err != nil {
			return fmt.Errorf("edit produced invalid TOML: %w", syntaxError(out, err))
		}
	}
	added := 0
	for _, s := range secs {
		added += 1 + len(s.lines)
	}
	if len(ix.exprs) != len(d.ix.exprs)+added {
		return fmt.Errorf("add tables: %d expressions instead of %d: %w", len(ix.exprs), len(d.ix.exprs)+added, errWrongResult)
	}
	// The data is shared with the Doc saved for a rollback: copy the maps on the way to the
	// parent instead of changing them.
	data := maps.Clone(d.data)
	cur := data
	for _, p := range parent {
		sub, _ := cur[p].(map[string]any)
		sub = maps.Clone(sub)
		if sub == nil {
			sub = map[string]any{}
		}
		cur[p], cur = sub, sub
	}
	for i, s := range secs {
		cur[s.table[len(s.table)-1]] = tables[i]
	}
	d.src, d.data, d.ix, d.changed = out, data, ix, true
	return nil
}

// allBare reports whether every part of every section's table name is a bare key, whose
// header `[a.b]` cannot be read any other way.
func allBare(secs []section) bool {
	for _, s := range secs {
		for _, k := range s.table {
			if !isBareKey(k) {
				return false
			}
		}
	}
	return true
}

// plainTable is the decoded table of a section whose lines read back as their values by
// construction: bare keys, each once, set to integers, booleans, strings of printable ASCII
// without quotes or backslashes, and arrays and inline tables (bare keys) of those, which
// renderValue writes verbatim between quotes, brackets and braces. Decoding a thousand such
// sections with go-toml one by one was a third of adding them; any other section is still
// decoded. checkDecoded holds the result to a full decode in every AddTables test and fuzz
// run.
func (s section) plainTable() (map[string]any, bool) {
	if len(s.data) != len(s.lines) || len(s.paths) != len(s.lines) {
		return nil, false
	}
	t := make(map[string]any, len(s.data))
	for i, v := range s.data {
		k := s.paths[i][len(s.paths[i])-1]
		if _, dup := t[k]; dup || !isBareKey(k) || !plainValue(v, true) {
			return nil, false
		}
		t[k] = v
	}
	return t, true
}

// plainValue reports whether the normalized value v is written as its own text (see
// plainTable); containers only at the top: top is false for what is inside one.
func plainValue(v any, top bool) bool {
	switch x := v.(type) {
	case bool, int64:
		return true
	case string:
		for i := 0; i < len(x); i++ {
			if c := x[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	case []any:
		if !top {
			return false
		}
		for _, e := range x {
			if !plainValue(e, false) {
				return false
			}
		}
		return true
	case map[string]any:
		if !top {
			return false
		}
		for k, e := range x {
			if !isBareKey(k) || !plainValue(e, false) {
				return false
			}
		}
		return true
	}
	return false
}

// checkHeaders reads the headers of text, the new tables headers wrote for secs, with the
// layout parser: each must name its section's table. The keys under them were decoded
// (addHeaders), so this is what is left to check of text when it is indexed as written
// rather than parsed; headers of bare keys only (allBare) need no reading.
func checkHeaders(text string, secs []section) error {
	var p unstable.Parser
	p.Reset([]byte(text))
	i := 0
	for p.NextExpression() {
		n := p.Expression()
		if n.Kind != unstable.Table {
			continue
		}
		var parts []string
		for it := n.Key(); it.Next(); {
			parts = append(parts, string(it.Node().Data))
		}
		if i >= len(secs) || !slices.Equal(parts, secs[i].table) {
			return fmt.Errorf("add tables: header %d reads as %s: %w", i+1, joinKey(parts), errWrongResult)
		}
		i++
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("edit produced invalid TOML: %w", syntaxError([]byte(text), err))
	}
	if i != len(secs) {
		return fmt.Errorf("add tables: %d headers instead of %d: %w", i, len(secs), errWrongResult)
	}
	return nil
}

// KeyValue is one key of a Table, with a value Set would accept.
type KeyValue struct {
	Key   string
	Value any
}

// Table is a table for AddTables: its name under the parent, and its keys
// in the order they are to be written.
type Table struct {
	Name string
	Keys []KeyValue
}

// AddTables adds tables that do not exist yet under parent, each as a
// [parent.name] header with one line per key in the given order, next to
// parent's other sub-tables, exactly as setting their keys one by one
// would. It edits and re-validates the document once instead of once per
// key, which is what makes writing hundreds of servers into a Codex config
// linear rather than quadratic. A table without keys is not written, since
// Set would not create it either. When parent is not a plain [header]
// table (an inline table, dotted keys, a value) or a table already exists,
// the keys are set one by one instead, which handles every layout.
func (d *Doc) AddTables(parent []string, tables []Table) error {
	secs := make([]section, 0, len(tables))
	added := make([]Table, 0, len(tables)) // the tables with keys, in the order of secs
	want := make([][]any, 0, len(tables))  // their normalized values
	for i, p := range parent {
		if !utf8.ValidString(p) {
			return fmt.Errorf("add tables under %s: %w: key is not valid UTF-8", joinKey(parent[:i+1]), ErrUnsupportedValue)
		}
	}
	batch := d.headerParent(parent)
	named := make(map[string]bool, len(tables))
	var ns names // the new keys' paths, cut from shared blocks
	for _, t := range tables {
		if len(t.Keys) == 0 {
			continue
		}
		if named[t.Name] {
			batch = false // a name given twice: its keys are set into one table, one by one
		}
		named[t.Name] = true
		path := concat(parent, []string{t.Name})
		if !utf8.ValidString(t.Name) {
			return fmt.Errorf("add %s: %w: key is not valid UTF-8", joinKey(path), ErrUnsupportedValue)
		}
		s := section{table: path, lines: make([]string, 0, len(t.Keys)), paths: make([][]string, 0, len(t.Keys)), vals: make([]value, 0, len(t.Keys))}
		vals := make([]any, 0, len(t.Keys))
		for _, kv := range t.Keys {
			if !utf8.ValidString(kv.Key) {
				return fmt.Errorf("set %s: %w: key is not valid UTF-8", joinKey(concat(path, []string{kv.Key})), ErrUnsupportedValue)
			}
			v, err := normalize(kv.Value)
			if err != nil {
				return fmt.Errorf("set %s: %w", joinKey(concat(path, []string{kv.Key})), err)
			}
			line, full, val := renderKeyValue(path, kv.Key, v, &ns)
			s.lines, s.paths, s.vals = append(s.lines, line), append(s.paths, full), append(s.vals, val)
			vals = append(vals, v)
		}
		s.data = vals
		if _, exists, _ := lookup(d.data, path); exists {
			batch = false
		}
		secs, added, want = append(secs, s), append(added, t), append(want, vals)
	}
	if len(secs) == 0 {
		return nil
	}
	saved := *d
	if !batch {
		for _, t := range tables {
			for _, kv := range t.Keys {
				if err := d.Set(concat(parent, []string{t.Name, kv.Key}), kv.Value); err != nil {
					*d = saved
					return err
				}
			}
		}
		return nil
	}
	if err := d.addHeaders(parent, secs); err != nil {
		*d = saved
		return fmt.Errorf("add tables under %s: %w", joinKey(parent), err)
	}
	for i, t := range added {
		tv, _, _ := lookup(d.data, secs[i].table)
		table, _ := tv.(map[string]any)
		for j, kv := range t.Keys {
			if got, ok := table[kv.Key]; !ok || !equalValues(want[i][j], got) {
				*d = saved
				return fmt.Errorf("set %s: %w", joinKey(concat(secs[i].table, []string{kv.Key})), errWrongResult)
			}
		}
	}
	return nil
}

// headerParent reports whether new [parent.name] headers can be added for
// parent: it is absent, or a table defined only by [headers], not by an
// inline table or dotted keys (whose sub-tables Set writes in place).
func (d *Doc) headerParent(parent []string) bool {
	if len(parent) == 0 {
		return false
	}
	v, ok, err := lookup(d.data, parent)
	if err != nil {
		return false
	}
	if !ok {
		for r := 1; r < len(parent); r++ {
			if sub, ok, _ := lookup(d.data, parent[:r]); ok && !d.headerTable(parent[:r], sub) {
				return false
			}
		}
		return true
	}
	return d.headerTable(parent, v)
}

// headerTable reports whether v, the value at path, is a table that is not
// written inline or with dotted keys.
func (d *Doc) headerTable(path []string, v any) bool {
	if _, isMap := v.(map[string]any); !isMap {
		return false
	}
	return d.inlineHolding(path) == nil && d.lastDottedDefining(path) < 0
}

// insertLine inserts one line at pos, which is a line start or the end of
// the document.
func (d *Doc) insertLine(pos int, indent, line string) error {
	if pos == len(d.src) && pos > 0 && d.src[pos-1] != '\n' {
		return d.splice(pos, pos, d.eol+indent+line)
	}
	return d.splice(pos, pos, indent+line+d.eol)
}

// indentOf returns the indentation of expression i, falling back to
// expression j, so that added keys line up with their neighbours.
func (d *Doc) indentOf(i, j int) string {
	if i < 0 {
		i = j
	}
	if i < 0 {
		return ""
	}
	start := d.ix.exprs[i].lineStart
	end := skipSpace(d.src, start)
	return string(d.src[start:end])
}

func (d *Doc) delete(path []string) error {
	type span struct{ start, end int }
	var spans []span
	for i, e := range d.ix.exprs {
		switch e.kind {
		case exprKeyValue:
			if hasPrefix(e.path, path) {
				spans = append(spans, span{e.lineStart, e.lineEnd})
			}
		case exprTable, exprArrayTable:
			if hasPrefix(e.path, path) {
				spans = append(spans, span{d.ix.attachedStart(i), d.ix.sectionEnd(i)})
			}
		}
	}
	if len(spans) == 0 {
		return d.deleteInline(path)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	src := d.src
	for i := len(merged) - 1; i >= 0; i-- {
		src = removeLines(src, merged[i].start, merged[i].end)
	}
	if err := d.load(src); err != nil {
		return fmt.Errorf("edit produced invalid TOML: %w", err)
	}
	d.changed = true
	return nil
}

// deleteInline removes a path that lives inside an inline table.
func (d *Doc) deleteInline(path []string) error {
	t, _ := d.ix.findInline(path)
	if t == nil {
		return fmt.Errorf("locate %s: %w", joinKey(path), errWrongResult)
	}
	var hits []int
	for i, e := range t.entries {
		if hasPrefix(e.path, path) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 1 {
		i, n := hits[0], len(t.entries)
		switch {
		case n == 1:
			return d.splice(t.start, t.end, "{}")
		case i < n-1:
			return d.splice(t.entries[i].start, t.entries[i+1].start, "")
		default:
			return d.splice(t.entries[i-1].end, t.entries[i].end, "")
		}
	}
	// Several dotted entries make up the path: write the table anew.
	v, _, _ := lookup(d.data, t.path)
	m, _ := deepCopy(v).(map[string]any)
	parent := m
	for _, p := range path[len(t.path) : len(path)-1] {
		parent, _ = parent[p].(map[string]any)
	}
	if parent == nil {
		return fmt.Errorf("locate %s: %w", joinKey(path), errWrongResult)
	}
	delete(parent, path[len(path)-1])
	return d.splice(t.start, t.end, render(m, false))
}

// removeLines cuts src[start:end] (whole lines) and tidies the blank lines
// around the cut, so that removing a table between two blank lines leaves
// one blank line, and removing the last table leaves no trailing blank.
func removeLines(src []byte, start, end int) []byte {
	after := end
	for after < len(src) && blankLineAt(src, after) {
		after = lineEnd(src, after)
	}
	switch {
	case after == len(src):
		for start > 0 && blankLineBefore(src, start) {
			start = lineStart(src, start-1)
		}
		end = after
	case start == 0 || blankLineBefore(src, start):
		end = after
	}
	out := make([]byte, 0, len(src)-(end-start))
	out = append(out, src[:start]...)
	return append(out, src[end:]...)
}

// blankLineAt reports whether the line starting at pos holds only spaces.
func blankLineAt(src []byte, pos int) bool {
	if pos >= len(src) {
		return false
	}
	end := lineEnd(src, pos)
	return len(bytes.TrimSpace(src[pos:end])) == 0
}

// blankLineBefore reports whether the line ending just before pos (a line
// start) holds only spaces.
func blankLineBefore(src []byte, pos int) bool {
	if pos == 0 {
		return false
	}
	return len(strings.TrimSpace(string(src[lineStart(src, pos-1):pos]))) == 0
}
