// Package tomledit edits TOML documents in place, changing only the bytes of
// the keys and tables it is asked to change.
//
// Client configs such as Codex's ~/.codex/config.toml are written by hand:
// they carry comments, blank lines, a chosen key order and tables that
// aisync knows nothing about. Decoding them and marshalling them back would
// lose all of that, so a Doc keeps the original bytes and splices edits into
// them, using the byte ranges that go-toml's unstable parser reports.
//
// Every edit is checked by decoding the result with go-toml; an edit that
// would leave an invalid document, or a value that does not read back as
// written, is rolled back and reported as an error. Values are always
// written in TOML 1.0 syntax on one line (inline tables for maps), because
// Codex reads the file with a TOML 1.0 parser.
//
// Paths are lists of raw key names: []string{"mcp_servers", "my.server"}
// names the table written as [mcp_servers."my.server"]; names are never
// split on dots. Arrays of tables ([[x]]) can be read and deleted as a
// whole, but paths cannot reach inside them.
package tomledit

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// ErrNotTable is returned when a path runs through a value that is not a
// table, such as a string or an array of tables, so there is nowhere to put
// the rest of the path.
var ErrNotTable = errors.New("not a table")

// ErrEmptyPath is returned by Set and Delete when the path has no elements;
// the root table cannot be replaced or removed as a whole.
var ErrEmptyPath = errors.New("empty path")

var bom = []byte("\xef\xbb\xbf")

// SyntaxError reports where a document fails to parse. Line and Col are
// 1-based; Col counts bytes, and a byte-order mark is not counted.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Doc is a TOML document being edited. It is not safe for concurrent use.
type Doc struct {
	bom     bool
	eol     string
	src     []byte // the document without its byte-order mark
	data    map[string]any
	ix      *index
	changed bool
}

// Parse reads a TOML document. The whole document is validated with go-toml,
// so that later edits start from something Codex itself would accept. Empty
// input is a valid, empty document.
func Parse(data []byte) (*Doc, error) {
	d := &Doc{eol: "\n"}
	src := data
	if bytes.HasPrefix(src, bom) {
		d.bom = true
		src = src[len(bom):]
	}
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		d.eol = "\r\n"
	}
	if err := d.load(bytes.Clone(src)); err != nil {
		return nil, err
	}
	return d, nil
}

// load makes src the current content, decoding and indexing it.
func (d *Doc) load(src []byte) error {
	data := map[string]any{}
	if err := toml.Unmarshal(src, &data); err != nil {
		return syntaxError(src, err)
	}
	ix, err := buildIndex(src)
	if err != nil {
		return syntaxError(src, err)
	}
	d.src, d.data, d.ix = src, data, ix
	return nil
}

// syntaxError turns go-toml's errors into a SyntaxError with a position.
func syntaxError(src []byte, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &SyntaxError{Line: line, Col: col, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	}
	var pe *unstable.ParserError
	if errors.As(err, &pe) {
		line, col := 1, 1
		if off := cap(src) - cap(pe.Highlight); pe.Highlight != nil && off >= 0 && off <= len(src) {
			line = 1 + bytes.Count(src[:off], []byte("\n"))
			col = off - lineStart(src, off) + 1
		}
		return &SyntaxError{Line: line, Col: col, Msg: pe.Message}
	}
	return &SyntaxError{Line: 1, Col: 1, Msg: err.Error()}
}

// Bytes returns the document. An unedited document is returned exactly as
// it was given to Parse, including its byte-order mark and line endings.
func (d *Doc) Bytes() []byte {
	out := make([]byte, 0, len(d.src)+len(bom))
	if d.bom {
		out = append(out, bom...)
	}
	return append(out, d.src...)
}

// Changed reports whether any edit altered the document, so callers can
// skip writing a file that would come out identical.
func (d *Doc) Changed() bool { return d.changed }

// Get returns the decoded value at path: map[string]any for tables, []any
// for arrays, and string, int64, float64, bool or go-toml's time types for
// scalars. The result is a copy, so changing it does not change the Doc.
func (d *Doc) Get(path ...string) (any, bool) {
	v, ok, err := lookup(d.data, path)
	if err != nil || !ok {
		return nil, false
	}
	return deepCopy(v), true
}

// View is Get without the copy, for reading a value the caller does not change. Edits never
// change decoded values in place (each decodes anew or puts new ones beside the old), so a
// value viewed before an edit still holds what it held.
func (d *Doc) View(path ...string) (any, bool) {
	v, ok, err := lookup(d.data, path)
	if err != nil || !ok {
		return nil, false
	}
	return v, true
}

// Lookup reports whether there is a value at path and whether it is a table, without the
// copy Get makes (of a thousand servers, when the path is their table).
func (d *Doc) Lookup(path ...string) (exists, isTable bool) {
	v, ok, err := lookup(d.data, path)
	if err != nil || !ok {
		return false, false
	}
	_, isTable = v.(map[string]any)
	return true, isTable
}

// TableNames returns the names of the sub-tables of the table at path, in
// the order they first appear in the file, however they were written:
// [a.b] headers, dotted keys or inline tables. For Codex,
// TableNames("mcp_servers") lists the configured servers.
func (d *Doc) TableNames(path ...string) []string {
	return d.keys(path, true)
}

// Keys returns every key of the table at path in document order, so that
// adapters can keep fields they do not understand in their original place.
func (d *Doc) Keys(path ...string) []string {
	return d.keys(path, false)
}

func (d *Doc) keys(path []string, tablesOnly bool) []string {
	v, ok, err := lookup(d.data, path)
	if err != nil || !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	// Each name's position is looked up once, not at every comparison of the sort: a
	// servers table of a thousand entries made this most of reading the document.
	seen := d.ix.childrenSeen(path, len(m))
	type named struct {
		name string
		pos  int
	}
	list := make([]named, 0, len(m))
	for k, sub := range m {
		if _, isTable := sub.(map[string]any); isTable || !tablesOnly {
			pos, ok := seen[k]
			if !ok {
				pos = len(d.src) + 1
			}
			list = append(list, named{k, pos})
		}
	}
	slices.SortFunc(list, func(a, b named) int {
		if a.pos != b.pos {
			return cmp.Compare(a.pos, b.pos)
		}
		return strings.Compare(a.name, b.name)
	})
	names := make([]string, 0, len(list))
	for _, n := range list {
		names = append(names, n.name)
	}
	return names
}

// lookup walks decoded data. It reports ErrNotTable when the path runs
// through something other than a table before its last element.
func lookup(data map[string]any, path []string) (any, bool, error) {
	var cur any = data
	for i, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, fmt.Errorf("%s: %w", joinKey(path[:i]), ErrNotTable)
		}
		cur, ok = m[p]
		if !ok {
			return nil, false, nil
		}
	}
	return cur, true, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
