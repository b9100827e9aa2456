package rulefiles

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"aisync/backend/clients"
)

// mdFile is one rule file cut into BOM, frontmatter and body. The frontmatter is kept as the
// lines YAML counts (YAML also breaks lines at a lone CR, NEL, LS and PS), so that node
// positions from the parser point at the right line when a key is rewritten in place.
type mdFile struct {
	path       string
	bom        string
	eol        string
	hasFM      bool
	open       string     // the opening "---" line with its line break
	lines      []string   // frontmatter lines, each with its line break
	lineStarts []int      // byte offset of each frontmatter line in fmText
	fmText     string     // the frontmatter between the delimiters
	close      string     // the closing "---" line with its line break, if any
	body       string     // everything after the closing line (the whole file without frontmatter)
	root       *yaml.Node // the top-level mapping; nil when the frontmatter holds no keys
	entries    []fmEntry  // top-level entries in file order
}

type fmEntry struct {
	key      string
	keyNode  *yaml.Node
	valNode  *yaml.Node
	position int // index in mdFile.entries
}

// parseFile splits a rule file. lenientKeys are the keys whose single-line values may be
// written the way Cursor writes them, unquoted even when YAML would not allow it
// ("globs: *.ts,*.tsx" starts with YAML's alias indicator).
func parseFile(path string, data []byte, frontmatter bool, lenientKeys []string) (*mdFile, error) {
	f := &mdFile{path: path}
	var text string
	f.bom, text = splitBOM(data)
	f.eol = detectEOL(text)
	f.body = text
	if !frontmatter {
		return f, nil
	}
	nl := strings.IndexByte(text, '\n')
	first := text
	if nl >= 0 {
		first = text[:nl]
	}
	if strings.TrimRight(first, " \t\r") != "---" {
		return f, nil
	}
	closeStart, closeEnd := -1, -1
	for pos := nl + 1; nl >= 0 && pos < len(text); {
		e := strings.IndexByte(text[pos:], '\n')
		line, next := text[pos:], len(text)
		if e >= 0 {
			line, next = text[pos:pos+e], pos+e+1
		}
		if strings.TrimRight(line, " \t\r") == "---" {
			closeStart, closeEnd = pos, next
			break
		}
		pos = next
	}
	if closeStart < 0 {
		return nil, &clients.SyntaxError{Path: path, Line: 1, Col: 1, Format: clients.FormatMarkdown,
			Msg: "the frontmatter opened with --- on line 1 is not closed; expected a line with ---"}
	}
	f.hasFM = true
	f.open, f.fmText, f.close, f.body = text[:nl+1], text[nl+1:closeStart], text[closeStart:closeEnd], text[closeEnd:]
	f.lines, f.lineStarts = splitYAMLLines(f.fmText)

	root, perr := parseYAML(f.fmText)
	if perr != nil {
		if fixed := lenientFix(f.lines, lenientKeys); fixed != f.fmText {
			// Report what is wrong besides the values the lenient reader forgives.
			root, perr = parseYAML(fixed)
			if perr != nil && perr.line == 0 {
				fixedLines, _ := splitYAMLLines(fixed)
				perr.line = locateError(fixedLines)
			}
		}
	}
	if perr != nil {
		if perr.line == 0 {
			perr.line = locateError(f.lines)
		}
		return nil, &clients.SyntaxError{Path: path, Line: f.fileLine(perr.line), Col: perr.col, Msg: "frontmatter: " + perr.msg, Format: clients.FormatYAML}
	}
	f.root = root
	if root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			k := root.Content[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			f.entries = append(f.entries, fmEntry{key: k.Value, keyNode: k, valNode: root.Content[i+1], position: len(f.entries)})
		}
	}
	return f, nil
}

// yamlError is a parse problem with the position the parser gave, if any (0 = unknown).
type yamlError struct {
	line, col int
	msg       string
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML returns the top-level mapping of a frontmatter, nil when it holds nothing. A
// frontmatter must be one YAML document and a mapping: anything else is not something a
// client reads as rule metadata, and aisync does not guess what was meant.
//
// The common simple frontmatter is read by simpleFrontmatter, which builds the same nodes
// yaml.v3 would; everything else goes to yaml.v3 (parseYAMLSlow).
func parseYAML(text string) (root *yaml.Node, yerr *yamlError) {
	if n, ok := simpleFrontmatter(text); ok {
		return n, nil
	}
	return parseYAMLSlow(text)
}

// parseYAMLSlow is parseYAML done by yaml.v3, for any text.
func parseYAMLSlow(text string) (root *yaml.Node, yerr *yamlError) {
	defer func() {
		// The parser is third-party code fed with user files; a panic in it must not take
		// the app down, and is as good as a syntax error for the user.
		if p := recover(); p != nil {
			root, yerr = nil, &yamlError{msg: fmt.Sprint("the YAML parser failed: ", p)}
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, toYAMLError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &yamlError{line: extra.Line, col: extra.Column, msg: "expected one YAML document, found a second one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, toYAMLError(err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, &yamlError{line: n.Line, col: n.Column, msg: "expected a mapping of keys to values"}
	}
	return n, nil
}

const (
	// maxSimpleKey bounds the keys simpleFrontmatter accepts, far below the 1024
	// characters YAML allows between the start of an implicit key and its ':'.
	maxSimpleKey = 128
	// maxSimpleEntries bounds the entries simpleFrontmatter accepts, which keeps its
	// search for duplicate keys cheap; a rule file has a handful.
	maxSimpleEntries = 32
)

// simpleFrontmatter is the fast path of parseYAML. yaml.v3 takes 10-20 µs (53 allocations)
// to decode even a two-line frontmatter ("description: …" and "alwaysApply: true"): about
// 4 ms of CPU for 200 rule files, on the critical path of every sync pass; this takes under
// 1 µs (BenchmarkParseFrontmatter). Almost every rule file has such a frontmatter, so for a
// small subset of YAML this builds, by hand, the very tree yaml.v3 builds: the same Kind,
// Style, Tag, Value, Line and Column on the mapping and on every key and value, and no
// anchors, aliases or comments (the tests and FuzzSimpleFrontmatter hold it to that). It
// reports false for anything else, and parseYAML then asks yaml.v3.
//
// The text it accepts:
//   - is printable ASCII (0x20-0x7E) in lines ended by "\n", the last one possibly
//     unterminated: no CR, tab, BOM, other control byte or non-ASCII byte;
//   - has lines that are blank (spaces only) or an entry "key:" at column 1, and at least
//     one entry;
//   - has at most maxSimpleEntries keys, which match [A-Za-z][A-Za-z0-9_-]*, are at most
//     maxSimpleKey bytes long, are not a word YAML reads as a bool or null (see
//     yamlSpecialWord), and are all different (what to make of a duplicate is left to
//     yaml.v3);
//   - has, after each ':', only spaces (the value is null) or at least one space, the value
//     and optional trailing spaces.
//
// A value is one of:
//   - true or false, exactly (a bool);
//   - a plain string that starts with a letter, holds no ':' or '#', and is not another
//     bool or null word (True, TRUE, False, FALSE, null, Null, NULL);
//   - a single-quoted string without ' inside, or a double-quoted string without " or \
//     inside.
//
// Multi-line values, lists, nested mappings, flow collections, anchors, aliases, tags,
// comments, numbers, dates and indentation are all outside it, and go to yaml.v3.
func simpleFrontmatter(text string) (*yaml.Node, bool) {
	var (
		nodes   []yaml.Node // the mapping, then a key and a value per line: never reallocated
		content []*yaml.Node
		line    int
	)
	for pos := 0; pos < len(text); {
		line++
		start, l := pos, text[pos:]
		if nl := strings.IndexByte(l, '\n'); nl >= 0 {
			l, pos = l[:nl], pos+nl+1
		} else {
			pos = len(text)
		}
		for i := 0; i < len(l); i++ {
			if l[i] < 0x20 || l[i] > 0x7e {
				return nil, false
			}
		}
		if strings.TrimLeft(l, " ") == "" {
			continue
		}
		k := 0
		for k < len(l) && isSimpleKeyByte(l[k], k == 0) {
			k++
		}
		if k == 0 || k > maxSimpleKey || k == len(l) || l[k] != ':' {
			return nil, false
		}
		key, rest := l[:k], l[k+1:]
		if yamlSpecialWord(key) || rest != "" && rest[0] != ' ' {
			return nil, false
		}
		if len(content) == 2*maxSimpleEntries {
			return nil, false
		}
		for i := 0; i < len(content); i += 2 {
			if content[i].Value == key {
				return nil, false
			}
		}
		v, ok := simpleValue(rest, line, k+2)
		if !ok {
			return nil, false
		}
		if nodes == nil {
			lines := strings.Count(text[start:], "\n") // lines left, this one included
			if !strings.HasSuffix(text, "\n") {
				lines++
			}
			n := 1 + 2*lines
			nodes = make([]yaml.Node, 1, n)
			nodes[0] = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Column: 1}
			content = make([]*yaml.Node, 0, n-1)
		}
		i := len(nodes)
		nodes = append(nodes, yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: line, Column: 1}, v)
		content = append(content, &nodes[i], &nodes[i+1])
	}
	if nodes == nil {
		return nil, false // nothing but blank lines: yaml.v3 reads that as an empty document
	}
	nodes[0].Content = content
	return &nodes[0], true
}

// simpleValue reads what follows the ':' of a simpleFrontmatter entry; col is the 1-based
// column just after the ':'.
func simpleValue(rest string, line, col int) (yaml.Node, bool) {
	v := yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col}
	val := strings.TrimLeft(rest, " ")
	if val == "" {
		v.Tag = "!!null" // yaml.v3 puts an empty value just after the ':'
		return v, true
	}
	v.Column += len(rest) - len(val)
	val = strings.TrimRight(val, " ")
	switch q := val[0]; {
	case q == '\'' || q == '"':
		if len(val) < 2 || val[len(val)-1] != q {
			return v, false
		}
		inner := val[1 : len(val)-1]
		if strings.IndexByte(inner, q) >= 0 || q == '"' && strings.IndexByte(inner, '\\') >= 0 {
			return v, false
		}
		v.Tag, v.Value, v.Style = "!!str", inner, yaml.SingleQuotedStyle
		if q == '"' {
			v.Style = yaml.DoubleQuotedStyle
		}
	case isLetter(q):
		if strings.ContainsAny(val, ":#") {
			return v, false
		}
		switch {
		case val == "true" || val == "false":
			v.Tag = "!!bool"
		case yamlSpecialWord(val):
			return v, false
		default:
			v.Tag = "!!str"
		}
		v.Value = val
	default:
		return v, false
	}
	return v, true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSimpleKeyByte(c byte, first bool) bool {
	return isLetter(c) || !first && ('0' <= c && c <= '9' || c == '_' || c == '-')
}

// yamlSpecialWord reports whether a plain scalar that starts with a letter is read by yaml.v3
// as something other than a string: its resolver knows these words only (yes, no, on and off
// are strings in YAML 1.2).
func yamlSpecialWord(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return true
	}
	return false
}

// toYAMLError keeps the parser's message but not its line: yaml.v3 reports the 0-based line
// where the enclosing construct began for some errors and the 1-based line of the problem for
// others, so locateError finds the line instead.
func toYAMLError(err error) *yamlError {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return &yamlError{msg: msg[len(m[0]):]}
	}
	return &yamlError{msg: strings.TrimPrefix(msg, "yaml: ")}
}

// locateError returns the 1-based line just after the longest prefix of lines that still
// parses: the line where the text stops being YAML. (The first failing prefix would blame the
// first line of a valid multi-line flow list.) It only serves the message; 0 means unknown.
func locateError(lines []string) int {
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	if len(lines) > 200 || size > 32<<10 {
		return 0 // it parses every prefix: keep that cheap
	}
	good := 0
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l)
		if _, err := parseYAML(b.String()); err == nil {
			good = i + 1
		}
	}
	if good >= len(lines) {
		return 0
	}
	return good + 1
}

// fileLine turns a 1-based frontmatter line (as YAML counts) into a 1-based file line.
func (f *mdFile) fileLine(yamlLine int) int {
	if yamlLine <= 0 {
		return 1 // unknown: point at the opening ---
	}
	off := len(f.fmText)
	if yamlLine-1 < len(f.lineStarts) {
		off = f.lineStarts[yamlLine-1]
	}
	return 2 + strings.Count(f.fmText[:off], "\n")
}

// splitYAMLLines cuts text at every line break YAML knows: CRLF, CR, LF, NEL, LS and PS.
func splitYAMLLines(text string) (lines []string, starts []int) {
	start := 0
	for i := 0; i < len(text); {
		n := 0
		switch {
		case text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n':
			n = 2
		case text[i] == '\r' || text[i] == '\n':
			n = 1
		case strings.HasPrefix(text[i:], "\u0085"):
			n = len("\u0085")
		case strings.HasPrefix(text[i:], "\u2028"), strings.HasPrefix(text[i:], "\u2029"):
			n = len("\u2028")
		}
		if n == 0 {
			i++
			continue
		}
		lines, starts = append(lines, text[start:i+n]), append(starts, start)
		i += n
		start = i
	}
	if start < len(text) {
		lines, starts = append(lines, text[start:]), append(starts, start)
	}
	return lines, starts
}

// splitTerminator separates a line from its line break.
func splitTerminator(line string) (content, term string) {
	for _, t := range []string{"\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"} {
		if strings.HasSuffix(line, t) {
			return line[:len(line)-len(t)], t
		}
	}
	return line, ""
}

// lenientFix single-quotes the top-level values of lenientKeys that do not parse as YAML on
// their own line, which is how Cursor's own reader treats them: as literal text.
func lenientFix(lines []string, lenientKeys []string) string {
	indent := rootIndent(lines)
	var b strings.Builder
	for _, l := range lines {
		content, term := splitTerminator(l)
		if len(content) < len(indent) || content[:len(indent)] != indent {
			b.WriteString(l)
			continue
		}
		content = content[len(indent):]
		key, rest, ok := strings.Cut(content, ":")
		val := strings.Trim(rest, " \t")
		if !ok || !contains(lenientKeys, key) || !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\t") || !lenientValue(key, val) {
			b.WriteString(l)
			continue
		}
		b.WriteString(indent + key + ": " + singleQuote(val) + term)
	}
	return b.String()
}

// rootIndent is the indentation of the first line that starts with a key, which is the
// indentation of the top-level keys.
func rootIndent(lines []string) string {
	for _, l := range lines {
		c, _ := splitTerminator(l)
		t := strings.TrimLeft(c, " ")
		if m := keyLineRE.FindString(t); m != "" {
			return c[:len(c)-len(t)]
		}
	}
	return ""
}

var keyLineRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*:`)

// lenientValue reports whether a value is read as literal text: it is not valid YAML on its
// own line, and it is not a quoted string or a flow list or mapping left open (those are
// typos to report, not text to guess at).
func lenientValue(key, val string) bool {
	if val == "" || strings.ContainsAny(val[:1], `'"|>`) ||
		val[0] == '[' && !strings.Contains(val, "]") || val[0] == '{' && !strings.Contains(val, "}") {
		return false
	}
	return !lineParses(key, val)
}

func singleQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// lineParses reports whether "key: val" alone is valid YAML. A value that is valid YAML is
// read as YAML even when its type is wrong ("globs: {a,b}" is a mapping, and an error), so
// that the lenient reader and a strict one never disagree about it.
func lineParses(key, val string) bool {
	root, err := parseYAML(key + ": " + val + "\n")
	return err == nil && root != nil && len(root.Content) == 2
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lookup finds the entry of a key. Two entries with the same key are an error, because
// clients disagree on which one wins.
func (f *mdFile) lookup(key string) (*fmEntry, error) {
	var found *fmEntry
	for i := range f.entries {
		e := &f.entries[i]
		if e.key != key {
			continue
		}
		if found != nil {
			return nil, f.nodeErr(e.keyNode, fmt.Sprintf("duplicate key %s (first on line %d)", key, f.fileLine(found.keyNode.Line)))
		}
		found = e
	}
	return found, nil
}

func (f *mdFile) nodeErr(n *yaml.Node, msg string) error {
	return &clients.SyntaxError{Path: f.path, Line: f.fileLine(n.Line), Col: n.Column, Msg: "frontmatter: " + msg, Format: clients.FormatYAML}
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// readString reads a text value; null and "" are absent.
func (f *mdFile) readString(key string) (string, bool, error) {
	e, err := f.lookup(key)
	if err != nil || e == nil {
		return "", false, err
	}
	n := resolve(e.valNode)
	if isNull(n) {
		return "", false, nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", false, f.nodeErr(e.valNode, fmt.Sprintf("%s must be text", key))
	}
	return n.Value, n.Value != "", nil
}

// readBool accepts the spellings people use (true/false, yes/no, on/off, quoted or not).
func (f *mdFile) readBool(key string) (val, present bool, err error) {
	e, err := f.lookup(key)
	if err != nil || e == nil {
		return false, false, err
	}
	n := resolve(e.valNode)
	if isNull(n) {
		return false, false, nil
	}
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			return true, true, nil
		case "false", "no", "off":
			return false, true, nil
		case "":
			return false, false, nil
		}
	}
	return false, false, f.nodeErr(e.valNode, fmt.Sprintf("%s must be true or false", key))
}

// readEnum reads one of allowed (matched case-insensitively, returned as spelled in allowed).
func (f *mdFile) readEnum(key string, allowed ...string) (string, bool, error) {
	s, ok, err := f.readString(key)
	if err != nil || !ok {
		return "", false, err
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a, true, nil
		}
	}
	e, _ := f.lookup(key)
	return "", false, f.nodeErr(e.valNode, fmt.Sprintf("%s is %q; expected one of %s", key, s, strings.Join(allowed, ", ")))
}

// readGlobs reads a glob string (split at commas when split is set) or a list of globs.
func (f *mdFile) readGlobs(key string, split bool) (globs []string, err error) {
	e, err := f.lookup(key)
	if err != nil || e == nil {
		return nil, err
	}
	n := resolve(e.valNode)
	switch {
	case isNull(n):
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		if split {
			return splitGlobs(n.Value), nil
		}
		return appendGlob(nil, n.Value), nil
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			it := resolve(item)
			if isNull(it) {
				continue
			}
			if it.Kind != yaml.ScalarNode {
				return nil, f.nodeErr(item, fmt.Sprintf("%s must be a list of glob strings", key))
			}
			globs = appendGlob(globs, it.Value)
		}
		return globs, nil
	}
	return nil, f.nodeErr(e.valNode, fmt.Sprintf("%s must be a glob string or a list of globs (quote a pattern that starts with { or [)", key))
}

// present reports whether an entry holds something (not null, "", or an empty list).
func present(e *fmEntry) bool {
	n := resolve(e.valNode)
	switch {
	case isNull(n):
		return false
	case n.Kind == yaml.ScalarNode:
		return n.Value != ""
	case n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode:
		return len(n.Content) > 0
	}
	return true
}

// op is what encoding does to one owned key.
type op int

const (
	opKeep         op = iota // leave the key as it is
	opDelete                 // the key must not hold a value
	opSet                    // the key must hold the value
	opSetIfMissing           // add the key with the value only if it is missing
)

type valueKind int

const (
	kindBool valueKind = iota
	kindString
	kindGlobs
)

// quoting is how a text value is written.
type quoting int

const (
	quotePlain  quoting = iota // plain if YAML reads it back as the same string, else "double-quoted"
	quoteDouble                // always "double-quoted"
	quoteBare                  // as Cursor writes it: unquoted whenever aisync reads it back the same
)

// globForm is how a list of globs is written.
type globForm int

const (
	formJoined   globForm = iota // one comma-separated string; with listFallback, a list where the file has one or where the string would not split back
	formSingle                   // a string for one glob, a list for more
	formListOnly                 // a list (a string only where the file has one and there is one glob)
)

type value struct {
	op           op
	kind         valueKind
	b            bool
	s            string
	globs        []string
	quote        quoting
	form         globForm
	split        bool // the dialect splits a glob string at commas when reading
	listFallback bool // formJoined: write a list when the string would not split back
}

func setBool(b bool) value { return value{op: opSet, kind: kindBool, b: b} }
func setString(s string, q quoting) value {
	return value{op: opSet, kind: kindString, s: s, quote: q}
}
func deleteKey() value { return value{op: opDelete} }

// setOrDelete sets a text key when s is non-empty and removes it otherwise.
func setOrDelete(s string, q quoting) value {
	if s == "" {
		return deleteKey()
	}
	return setString(s, q)
}

// readsAs is what the dialect will read back from the value.
func (v value) readsAs() []string {
	if v.kind == kindGlobs && v.form == formJoined && !v.listFallback {
		return splitGlobs(joinGlobs(v.globs))
	}
	return v.globs
}

// equal reports whether an existing entry already holds v, as the dialect reads it.
func (f *mdFile) equal(e *fmEntry, v value) (bool, error) {
	switch v.kind {
	case kindBool:
		b, ok, err := f.readBool(e.key)
		return ok && b == v.b, err
	case kindString:
		s, ok, err := f.readString(e.key)
		return ok && s == v.s, err
	default:
		g, err := f.readGlobs(e.key, v.split)
		return len(g) > 0 && sameGlobs(g, v.readsAs()), err
	}
}

// ErrNotEditable means a key aisync owns cannot be rewritten without rewriting text the user
// wrote around it: a frontmatter written as one flow mapping ({a: 1, b: 2}), a key that does
// not start its line (an explicit "? key"), or a value carrying a YAML anchor other keys may
// refer to. aisync then leaves the file alone and says why, rather than reformat the user's
// YAML; callers can tell the user to edit that file by hand.
var ErrNotEditable = errors.New("the frontmatter cannot be edited in place")

var errFlowFrontmatter = fmt.Errorf("%w: it is a flow mapping ({…}); write one key per line", ErrNotEditable)

func anchored(n *yaml.Node) bool {
	if n == nil {
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

type lineEdit struct {
	first, last int // inclusive range of frontmatter lines replaced
	repl        []string
}

// rewrite applies vals (in the dialect's key order) to the frontmatter and returns the new
// frontmatter lines. Keys that already hold the wanted value, unknown keys, comments and
// blank lines are left byte for byte; a changed key is rewritten on the lines it occupies, a
// new key is appended at the end.
func (f *mdFile) rewrite(order []string, vals map[string]value) (lines []string, changed bool, err error) {
	var (
		edits   []lineEdit
		appends []string
		indent  string // of the top-level keys, for the keys appended
	)
	if f.root != nil && len(f.root.Content) > 0 {
		if i := f.root.Content[0].Line - 1; i >= 0 && i < len(f.lines) {
			c, _ := splitTerminator(f.lines[i])
			indent = c[:len(c)-len(strings.TrimLeft(c, " "))]
		}
	}
	for _, key := range order {
		v, ok := vals[key]
		if !ok || v.op == opKeep {
			continue
		}
		e, err := f.lookup(key)
		if err != nil {
			return nil, false, err
		}
		switch {
		case e == nil && (v.op == opSet || v.op == opSetIfMissing):
			appends = append(appends, renderEntry(key, v, indent, f.eol, nil, "")...)
		case e == nil || v.op == opSetIfMissing:
		case v.op == opDelete:
			if !present(e) {
				continue
			}
			first, last, err := f.span(e)
			if err != nil {
				return nil, false, err
			}
			edits = append(edits, lineEdit{first: first, last: last})
		case v.op == opSet:
			eq, err := f.equal(e, v)
			if err != nil {
				return nil, false, err
			}
			if eq {
				continue
			}
			first, last, err := f.span(e)
			if err != nil {
				return nil, false, err
			}
			comment := ""
			if first == last {
				comment = e.valNode.LineComment
				if comment == "" {
					comment = e.keyNode.LineComment
				}
			}
			keyIndent := strings.Repeat(" ", e.keyNode.Column-1)
			edits = append(edits, lineEdit{first: first, last: last, repl: renderEntry(key, v, keyIndent, f.eol, resolve(e.valNode), comment)})
		}
	}
	if len(edits) == 0 && len(appends) == 0 {
		return f.lines, false, nil
	}
	if f.root != nil && f.root.Style&yaml.FlowStyle != 0 {
		return nil, false, errFlowFrontmatter
	}
	for i := 0; i < len(f.lines); i++ {
		var ed *lineEdit
		for j := range edits {
			if edits[j].first == i {
				ed = &edits[j]
			}
		}
		if ed == nil {
			lines = append(lines, f.lines[i])
			continue
		}
		lines = append(lines, ed.repl...)
		i = ed.last
	}
	if n := len(lines); n > 0 {
		if _, term := splitTerminator(lines[n-1]); term == "" {
			lines[n-1] += f.eol
		}
	}
	return append(lines, appends...), true, nil
}

// span is the range of frontmatter lines an entry occupies: from its key to the line before
// the next key, without the blank lines and comments at the end that belong to the next key.
func (f *mdFile) span(e *fmEntry) (first, last int, err error) {
	if anchored(e.keyNode) || anchored(e.valNode) {
		return 0, 0, fmt.Errorf("%w: the value of %s has an anchor (&name) other keys may use", ErrNotEditable, e.key)
	}
	first = e.keyNode.Line - 1
	if first < 0 || first >= len(f.lines) {
		return 0, 0, fmt.Errorf("edit %s: key %s is not where the parser put it", f.path, e.key)
	}
	content, _ := splitTerminator(f.lines[first])
	indent := len(content) - len(strings.TrimLeft(content, " "))
	if f.root.Style&yaml.FlowStyle != 0 {
		return 0, 0, errFlowFrontmatter
	}
	if e.keyNode.Column-1 != indent {
		return 0, 0, fmt.Errorf("%w: the key %s does not start its line", ErrNotEditable, e.key)
	}
	end := len(f.lines)
	if next := e.position + 1; next < len(f.entries) {
		end = f.entries[next].keyNode.Line - 1
	}
	last = end - 1
	for last > first {
		c, _ := splitTerminator(f.lines[last])
		t := strings.TrimLeft(c, " \t")
		if t != "" && !(strings.HasPrefix(t, "#") && len(c)-len(t) <= indent) {
			break
		}
		last--
	}
	return first, last, nil
}

// renderEntry writes "key: value" (or a block list) as frontmatter lines. existing is the
// value node being replaced, used to keep a list written as a list and a flow list as a flow
// list; comment is a line comment to keep.
func renderEntry(key string, v value, indent, eol string, existing *yaml.Node, comment string) []string {
	suffix := ""
	if comment != "" {
		suffix = " " + comment
	}
	switch v.kind {
	case kindBool:
		return []string{indent + key + ": " + strconv.FormatBool(v.b) + suffix + eol}
	case kindString:
		return []string{indent + key + ": " + quoteScalar(key, v.s, v.quote) + suffix + eol}
	}
	wasList := existing != nil && existing.Kind == yaml.SequenceNode
	wasString := existing != nil && existing.Kind == yaml.ScalarNode && !isNull(existing)
	asList := false
	switch v.form {
	case formJoined:
		asList = v.listFallback && (wasList || !joinExact(v.globs))
	case formSingle:
		asList = wasList || len(v.globs) != 1
	case formListOnly:
		asList = !(wasString && len(v.globs) == 1)
	}
	if !asList {
		s := joinGlobs(v.globs)
		return []string{indent + key + ": " + quoteScalar(key, s, v.quote) + suffix + eol}
	}
	items := make([]string, len(v.globs))
	for i, g := range v.globs {
		items[i] = strconv.Quote(g)
	}
	if wasList && existing.Style&yaml.FlowStyle != 0 {
		return []string{indent + key + ": [" + strings.Join(items, ", ") + "]" + suffix + eol}
	}
	out := []string{indent + key + ":" + suffix + eol}
	for _, it := range items {
		out = append(out, indent+"  - "+it+eol)
	}
	return out
}

// quoteScalar writes s as a YAML value that reads back as exactly s.
func quoteScalar(key, s string, q quoting) string {
	switch q {
	case quotePlain:
		if plainReadsBack(key, s, true) {
			return s
		}
	case quoteBare:
		if bareReadsBack(key, s) {
			return s
		}
	}
	return strconv.Quote(s)
}

// plainReadsBack reports whether "key: s" parses to the string s (tagged !!str when
// wantStr, so that other YAML readers see text and not a bool or number).
func plainReadsBack(key, s string, wantStr bool) bool {
	if s == "" || s != strings.TrimSpace(s) || !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	root, err := parseYAML(key + ": " + s + "\n")
	if err != nil || root == nil || len(root.Content) != 2 {
		return false
	}
	n := root.Content[1]
	return n.Kind == yaml.ScalarNode && n.Value == s && n.Tag != "!!null" && (!wantStr || n.Tag == "!!str") && n.LineComment == ""
}

// bareReadsBack reports whether s can be written unquoted and read back by the lenient reader.
func bareReadsBack(key, s string) bool {
	if plainReadsBack(key, s, false) {
		return true
	}
	if s == "" || s != strings.TrimSpace(s) || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	if !lenientValue(key, s) {
		return false
	}
	root, err := parseYAML(key + ": " + singleQuote(s) + "\n")
	return err == nil && root != nil && len(root.Content) == 2 && root.Content[1].Value == s
}
