package rulefiles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// The managed region is made of HTML comments, one per line, so that it is invisible in
// rendered Markdown and every client feeds the rule bodies to its model as plain text:
//
//	<!-- aisync:begin — managed by aisync; … -->
//	<!-- aisync:rule name="style" activation="glob" globs="src/**/*.ts,*.tsx" description="TS conventions" -->
//	body lines…
//	<!-- aisync:end-rule -->
//	<!-- aisync:end -->
//
// A marker is a line whose first non-blank text is "<!--", optional blanks and "aisync:";
// it must end with "-->" on the same line. Attribute values are double-quoted with the
// HTML escapes &amp; &quot; &lt; &gt; and &#N; for control characters, so any string
// (quotes, newlines, "-->", unicode) round-trips and no value can end the comment early.
// A body line that would read as a marker is written with one more '!' after "<!--"
// ("<!--! aisync:end -->"), and one '!' is removed when it is read back; the line stays an
// invisible comment either way.
const (
	markerOpen     = "<!--"
	markerTag      = "aisync:"
	markerClose    = "-->"
	regionBegin    = "<!-- aisync:begin — managed by aisync; edit rules here and they sync to your other AI clients -->"
	regionEnd      = "<!-- aisync:end -->"
	ruleEnd        = "<!-- aisync:end-rule -->"
	kwBegin        = "begin"
	kwEnd          = "end"
	kwRule         = "rule"
	kwEndRule      = "end-rule"
	expectedKwords = "begin, rule, end-rule or end"
)

// DecodeBlocks reads the rules of the managed region of a single Markdown file (CLAUDE.md,
// AGENTS.md, GEMINI.md, .github/copilot-instructions.md, global_rules.md, .goosehints).
// Text outside the region is the user's and is not looked at. A file without a region holds
// no rules. A region that does not parse is a *clients.SyntaxError naming the line and what
// was expected there: aisync never guesses where a rule ends.
func DecodeBlocks(path string, data []byte) (map[string]unified.Rule, []clients.Warning, error) {
	doc, err := parseBlocks(path, data)
	if err != nil {
		return nil, nil, fmt.Errorf("decode rule blocks: %w", err) // the SyntaxError names the file
	}
	rules := make(map[string]unified.Rule, len(doc.rules))
	for _, br := range doc.rules {
		rules[br.rule.Name] = br.rule
	}
	return rules, doc.warnings, nil
}

// EncodeBlocks makes the managed region of the file hold exactly rules and leaves every
// other byte alone. Rules already in the region keep their place (and, when unchanged, their
// bytes); new rules are appended in name order. Without a region, one is appended after a
// blank line; when no rules are left, the region and the blank line it brought are removed,
// so the file returns to the user's own bytes. Markers and rewritten bodies use the file's
// line ending; a BOM is kept. The result is nil only when data is nil and there are no rules.
func EncodeBlocks(path string, data []byte, rules map[string]unified.Rule) ([]byte, error) {
	doc, err := parseBlocks(path, data)
	if err != nil {
		return nil, fmt.Errorf("encode rule blocks: %w", err)
	}
	want := make(map[string]unified.Rule, len(rules))
	for name, r := range rules {
		if name == "" {
			return nil, fmt.Errorf("encode rule blocks into %s: a rule has an empty name", path)
		}
		n, err := normalizeRule(name, r)
		if err != nil {
			return nil, fmt.Errorf("encode rule blocks into %s: %w", path, err)
		}
		want[name] = n
	}
	if doc.sameRules(want) {
		return data, nil
	}
	switch {
	case doc.region == nil:
		return doc.insertRegion(want), nil
	case len(want) == 0:
		return doc.removeRegion(), nil
	default:
		return doc.rewriteRegion(want), nil
	}
}

// blockDoc is a parsed file: the user's text and, at most, one managed region.
type blockDoc struct {
	bom      string
	text     string // the file without its BOM
	region   *region
	rules    []blockRule // in file order
	warnings []clients.Warning
}

// region records byte offsets into blockDoc.text.
type region struct {
	start     int    // start of the begin line
	bodyStart int    // just after the begin line
	tailStart int    // start of the blank lines before the end line
	endStart  int    // start of the end line
	end       int    // just after the end line (and its line break, if any)
	endNL     bool   // whether the end line has a line break
	eol       string // line ending of the begin line: used for everything written inside
}

// blockRule is one rule block: gapStart..start are the blank lines before it, start..end the
// rule marker, body and end-rule marker with their line breaks.
type blockRule struct {
	rule                 unified.Rule
	gapStart, start, end int
}

type marker struct {
	keyword string
	attrs   string // text after the keyword, before "-->"
	attrCol int    // 0-based byte offset of attrs in the line
	col     int    // 0-based byte offset of "<!--" in the line
}

func parseBlocks(path string, data []byte) (*blockDoc, error) {
	doc := &blockDoc{}
	doc.bom, doc.text = splitBOM(data)
	text := doc.text
	synErr := func(line int, lineText string, off int, msg string) error {
		return &clients.SyntaxError{Path: path, Line: line, Col: runeCol(lineText, off), Msg: msg, Format: clients.FormatMarkdown}
	}

	const (
		outside = iota
		inRegion
		inRule
		after
	)
	state := outside
	var (
		reg        region
		beginLine  int
		cur        blockRule
		curLine    int
		curText    string
		body       []string
		prevEnd    int
		firstLines = map[string]int{}
	)
	lineNo := 0
	for pos := 0; pos < len(text); {
		lineNo++
		start := pos
		nl := strings.IndexByte(text[pos:], '\n')
		var raw string
		if nl < 0 {
			raw, pos = text[pos:], len(text)
		} else {
			raw, pos = text[pos:pos+nl], pos+nl+1
		}
		m, isMarker, problem := parseMarker(raw)
		if isMarker && problem != "" {
			return nil, synErr(lineNo, raw, m.col, problem)
		}
		if isMarker {
			switch m.keyword {
			case kwBegin, kwEnd, kwRule, kwEndRule:
			default:
				return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("unknown marker aisync:%s; expected %s", m.keyword, expectedKwords))
			}
		}
		switch state {
		case outside, after:
			if !isMarker {
				continue
			}
			if m.keyword == kwBegin && state == outside {
				state, beginLine = inRegion, lineNo
				reg = region{start: start, bodyStart: pos, eol: lineEOL(text, start, pos)}
				prevEnd = pos
				continue
			}
			if m.keyword == kwBegin {
				return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("a second aisync region; only one is allowed per file (the first begins on line %d)", beginLine))
			}
			return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("<!-- aisync:%s --> outside the aisync region; expected <!-- aisync:begin … --> first", m.keyword))
		case inRegion:
			if !isMarker {
				if strings.TrimSpace(raw) == "" {
					continue
				}
				return nil, synErr(lineNo, raw, len(raw)-len(strings.TrimLeft(raw, " \t")), "text inside the aisync region must be inside a rule; expected <!-- aisync:rule … --> or <!-- aisync:end -->")
			}
			switch m.keyword {
			case kwRule:
				r, warns, err := parseRuleAttrs(path, lineNo, raw, m)
				if err != nil {
					return nil, err
				}
				if first, dup := firstLines[r.Name]; dup {
					return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("duplicate rule name %q (first on line %d)", r.Name, first))
				}
				firstLines[r.Name] = lineNo
				doc.warnings = append(doc.warnings, warns...)
				cur = blockRule{rule: r, gapStart: prevEnd, start: start}
				curLine, curText, body = lineNo, raw, nil
				state = inRule
			case kwEnd:
				reg.tailStart, reg.endStart, reg.end, reg.endNL = prevEnd, start, pos, nl >= 0
				state = after
			case kwBegin:
				return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("expected <!-- aisync:end --> to close the region begun on line %d before another <!-- aisync:begin -->", beginLine))
			case kwEndRule:
				return nil, synErr(lineNo, raw, m.col, "<!-- aisync:end-rule --> without a rule; expected <!-- aisync:rule … --> or <!-- aisync:end -->")
			}
		case inRule:
			if !isMarker {
				body = append(body, unescapeBodyLine(raw))
				continue
			}
			if m.keyword != kwEndRule {
				return nil, synErr(lineNo, raw, m.col, fmt.Sprintf("expected <!-- aisync:end-rule --> to close rule %q (line %d) before <!-- aisync:%s -->", cur.rule.Name, curLine, m.keyword))
			}
			cur.rule.Body = NormalizeBody(strings.Join(body, "\n"))
			cur.end = pos
			doc.rules = append(doc.rules, cur)
			prevEnd = pos
			state = inRegion
		}
	}
	switch state {
	case inRegion:
		return nil, &clients.SyntaxError{Path: path, Line: beginLine, Col: 1, Format: clients.FormatMarkdown,
			Msg: fmt.Sprintf("the aisync region begun on line %d is not closed; expected <!-- aisync:end -->", beginLine)}
	case inRule:
		m, _, _ := parseMarker(curText)
		return nil, synErr(curLine, curText, m.col, fmt.Sprintf("rule %q (line %d) is not closed; expected <!-- aisync:end-rule -->", cur.rule.Name, curLine))
	case after:
		doc.region = &reg
	}
	return doc, nil
}

// lineEOL is the line break that ends the line text[start:next].
func lineEOL(text string, start, next int) string {
	if next-start >= 2 && text[next-2] == '\r' && text[next-1] == '\n' {
		return "\r\n"
	}
	return "\n"
}

// parseMarker says whether a line is a marker and, if it is one but malformed, what is wrong.
func parseMarker(raw string) (m marker, isMarker bool, problem string) {
	t := strings.TrimLeft(raw, " \t")
	m.col = len(raw) - len(t)
	if !strings.HasPrefix(t, markerOpen) {
		return m, false, ""
	}
	u := strings.TrimLeft(t[len(markerOpen):], " \t")
	if !strings.HasPrefix(u, markerTag) {
		return m, false, ""
	}
	kwStart := len(raw) - len(u) + len(markerTag)
	t = strings.TrimRight(t, " \t\r")
	if !strings.HasSuffix(t, markerClose) {
		return m, true, "an aisync marker must end with --> on the same line"
	}
	innerEnd := m.col + len(t) - len(markerClose)
	if innerEnd < kwStart {
		return m, true, "an aisync marker must end with --> on the same line"
	}
	inner := raw[kwStart:innerEnd]
	k := 0
	for k < len(inner) && (inner[k] >= 'a' && inner[k] <= 'z' || inner[k] == '-') {
		k++
	}
	m.keyword, m.attrs, m.attrCol = inner[:k], inner[k:], kwStart+k
	if m.keyword == "" {
		return m, true, fmt.Sprintf("expected a marker name after aisync: (%s)", expectedKwords)
	}
	if m.attrs != "" && m.attrs[0] != ' ' && m.attrs[0] != '\t' {
		return m, true, fmt.Sprintf("unknown marker aisync:%s; expected %s", strings.Fields(inner)[0], expectedKwords)
	}
	return m, true, ""
}

// markerLikeAt reports whether a body line would be read as a marker (or is an escaped
// one), i.e. "<!--", any number of '!', optional blanks and "aisync:";
// open is the offset just after "<!--".
func markerLikeAt(raw string) (open int, ok bool) {
	t := strings.TrimLeft(raw, " \t")
	if !strings.HasPrefix(t, markerOpen) {
		return 0, false
	}
	u := strings.TrimLeft(t[len(markerOpen):], "!")
	u = strings.TrimLeft(u, " \t")
	if !strings.HasPrefix(u, markerTag) {
		return 0, false
	}
	return len(raw) - len(t) + len(markerOpen), true
}

func escapeBodyLine(raw string) string {
	if at, ok := markerLikeAt(raw); ok {
		return raw[:at] + "!" + raw[at:]
	}
	return raw
}

func unescapeBodyLine(raw string) string {
	if at, ok := markerLikeAt(raw); ok && at < len(raw) && raw[at] == '!' {
		return raw[:at] + raw[at+1:]
	}
	return raw
}

// parseRuleAttrs reads name="…" activation="…" globs="…" description="…".
func parseRuleAttrs(path string, lineNo int, raw string, m marker) (unified.Rule, []clients.Warning, error) {
	fail := func(off int, msg string) error {
		return &clients.SyntaxError{Path: path, Line: lineNo, Col: runeCol(raw, m.attrCol+off), Msg: msg, Format: clients.FormatMarkdown}
	}
	var (
		r        = unified.Rule{Activation: unified.ActivationAlways}
		seen     = map[string]bool{}
		unknown  []string
		s        = m.attrs
		hasName  bool
		i        int
		warnings []clients.Warning
	)
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		ks := i
		for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '_') {
			i++
		}
		key := s[ks:i]
		if key == "" {
			return r, nil, fail(i, `expected an attribute such as name="…"`)
		}
		if i >= len(s) || s[i] != '=' {
			return r, nil, fail(i, fmt.Sprintf(`expected = after attribute %s`, key))
		}
		i++
		if i >= len(s) || s[i] != '"' {
			return r, nil, fail(i, fmt.Sprintf(`expected a double-quoted value for attribute %s`, key))
		}
		i++
		vs := i
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return r, nil, fail(vs-1, fmt.Sprintf(`the value of attribute %s has no closing "`, key))
		}
		val := s[vs : vs+q]
		i = vs + q + 1
		if i < len(s) && s[i] != ' ' && s[i] != '\t' {
			return r, nil, fail(i, "expected a space between attributes")
		}
		if seen[key] {
			return r, nil, fail(ks, fmt.Sprintf("attribute %s is given twice", key))
		}
		seen[key] = true
		switch key {
		case "name":
			r.Name, hasName = unescapeAttr(val), true
		case "activation":
			a := unified.Activation(unescapeAttr(val))
			switch a {
			case unified.ActivationAlways, unified.ActivationGlob, unified.ActivationAgent, unified.ActivationManual:
				r.Activation = a
			default:
				return r, nil, fail(vs, fmt.Sprintf("activation %q; expected always, glob, agent or manual", a))
			}
		case "globs":
			r.Globs = splitGlobAttr(val)
		case "description":
			r.Description = unescapeAttr(val)
		default:
			unknown = append(unknown, key)
		}
	}
	if !hasName || r.Name == "" {
		return r, nil, fail(0, `a rule needs a non-empty name="…"`)
	}
	for _, k := range unknown {
		warnings = append(warnings, clients.Warning{Item: ruleItem(r.Name), Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("The attribute %s on line %d of %s is not one aisync knows; it is ignored and will be dropped when the rule is rewritten.", k, lineNo, path)})
	}
	return r, warnings, nil
}

// escapeAttr makes a string safe inside a double-quoted attribute of an HTML comment.
func escapeAttr(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		writeAttrByte(&b, s[i])
	}
	return b.String()
}

func writeAttrByte(b *strings.Builder, c byte) {
	switch {
	case c == '&':
		b.WriteString("&amp;")
	case c == '"':
		b.WriteString("&quot;")
	case c == '<':
		b.WriteString("&lt;")
	case c == '>':
		b.WriteString("&gt;")
	case c < 0x20 || c == 0x7f:
		b.WriteString("&#" + strconv.Itoa(int(c)) + ";")
	default:
		b.WriteByte(c)
	}
}

// escapeGlobsAttr writes globs comma-separated. A comma that belongs to a glob is escaped
// unless it sits inside balanced braces ("*.{ts,tsx}" stays readable); a glob with
// unbalanced braces has its braces and commas escaped too, so that splitting the attribute by
// brace depth finds exactly the separators that were written.
func escapeGlobsAttr(globs []string) string {
	var b strings.Builder
	for gi, g := range globs {
		if gi > 0 {
			b.WriteByte(',')
		}
		balanced := bracesBalanced(g)
		depth := 0
		for i := 0; i < len(g); i++ {
			c := g[i]
			switch {
			case !balanced && c == '{':
				b.WriteString("&#123;")
			case !balanced && c == '}':
				b.WriteString("&#125;")
			case c == ',' && (!balanced || depth == 0):
				b.WriteString("&#44;")
			default:
				if c == '{' {
					depth++
				} else if c == '}' {
					depth--
				}
				writeAttrByte(&b, c)
			}
		}
	}
	return b.String()
}

// splitGlobAttr splits the raw attribute by brace depth before unescaping, so escaped commas
// stay inside their glob.
func splitGlobAttr(raw string) []string {
	var out []string
	for _, part := range splitGlobs(raw) {
		out = appendGlob(out, unescapeAttr(part))
	}
	return out
}

// unescapeAttr undoes escapeAttr. It is lenient with text it did not write: an '&' that does
// not start a known reference stays an '&'.
func unescapeAttr(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b.WriteByte(s[i])
			continue
		}
		semi := strings.IndexByte(s[i:], ';')
		if semi < 2 || semi > 12 {
			b.WriteByte('&')
			continue
		}
		ref := s[i+1 : i+semi]
		if r, ok := charRef(ref); ok {
			b.WriteString(r)
			i += semi
			continue
		}
		b.WriteByte('&')
	}
	return b.String()
}

func charRef(ref string) (string, bool) {
	switch ref {
	case "amp":
		return "&", true
	case "quot":
		return `"`, true
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "apos":
		return "'", true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return "", false
	}
	var (
		n   uint64
		err error
	)
	if ref[1] == 'x' || ref[1] == 'X' {
		n, err = strconv.ParseUint(ref[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(ref[1:], 10, 32)
	}
	if err != nil || n > utf8.MaxRune || n >= 0xD800 && n <= 0xDFFF {
		return "", false
	}
	if n < 0x80 {
		return string([]byte{byte(n)}), true
	}
	return string(rune(n)), true
}

// runeCol turns a byte offset in a line into a 1-based column counted in characters.
func runeCol(line string, off int) int {
	if off > len(line) {
		off = len(line)
	}
	if off < 0 {
		off = 0
	}
	return utf8.RuneCountInString(line[:off]) + 1
}

func (d *blockDoc) sameRules(want map[string]unified.Rule) bool {
	if len(d.rules) != len(want) {
		return false
	}
	for _, br := range d.rules {
		w, ok := want[br.rule.Name]
		if !ok || !sameRule(br.rule, w) {
			return false
		}
	}
	return true
}

func renderRule(r unified.Rule, eol string) string {
	var b strings.Builder
	b.WriteString(`<!-- aisync:rule name="` + escapeAttr(r.Name) + `" activation="` + string(r.Activation) + `"`)
	if len(r.Globs) > 0 {
		b.WriteString(` globs="` + escapeGlobsAttr(r.Globs) + `"`)
	}
	if r.Description != "" {
		b.WriteString(` description="` + escapeAttr(r.Description) + `"`)
	}
	b.WriteString(" -->" + eol)
	if r.Body != "" {
		for _, l := range strings.Split(r.Body, "\n") {
			b.WriteString(escapeBodyLine(l) + eol)
		}
	}
	b.WriteString(ruleEnd + eol)
	return b.String()
}

func sortedNames(rules map[string]unified.Rule) []string {
	names := make([]string, 0, len(rules))
	for n := range rules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// insertRegion appends a new region after one blank line. A file that does not end with a
// line break keeps not ending with one (the region's last line gets none), which is how
// removeRegion knows to give the user's last line back without a line break.
func (d *blockDoc) insertRegion(want map[string]unified.Rule) []byte {
	eol := detectEOL(d.text)
	var b strings.Builder
	b.WriteString(d.bom)
	b.WriteString(d.text)
	finalEOL := true
	switch {
	case d.text == "":
	case strings.HasSuffix(d.text, "\n"):
		b.WriteString(eol)
	default:
		b.WriteString(eol + eol)
		finalEOL = false
	}
	b.WriteString(regionBegin + eol)
	for _, name := range sortedNames(want) {
		b.WriteString(renderRule(want[name], eol))
	}
	b.WriteString(regionEnd)
	if finalEOL {
		b.WriteString(eol)
	}
	return []byte(b.String())
}

// removeRegion is the inverse of insertRegion: it also takes back the blank line (and, for
// a file that ended without a line break, the line break) that insertRegion added.
func (d *blockDoc) removeRegion() []byte {
	r := d.region
	before, rest := d.text[:r.start], d.text[r.end:]
	if r.endNL {
		if t, ok := strings.CutSuffix(before, r.eol); ok && strings.HasSuffix(t, "\n") {
			before = t
		}
	} else if t, ok := strings.CutSuffix(before, r.eol+r.eol); ok {
		before = t
	} else if t, ok := strings.CutSuffix(before, r.eol); ok {
		before = t
	}
	return []byte(d.bom + before + rest)
}

// rewriteRegion keeps the begin and end lines, the blank lines between blocks, and the bytes
// of every unchanged rule; it re-renders changed rules in place and appends new ones.
func (d *blockDoc) rewriteRegion(want map[string]unified.Rule) []byte {
	r := d.region
	var b strings.Builder
	b.WriteString(d.bom)
	b.WriteString(d.text[:r.bodyStart])
	done := make(map[string]bool, len(want))
	for _, br := range d.rules {
		w, ok := want[br.rule.Name]
		if !ok {
			continue
		}
		done[br.rule.Name] = true
		b.WriteString(d.text[br.gapStart:br.start])
		if sameRule(br.rule, w) {
			b.WriteString(d.text[br.start:br.end])
		} else {
			b.WriteString(renderRule(w, r.eol))
		}
	}
	for _, name := range sortedNames(want) {
		if !done[name] {
			b.WriteString(renderRule(want[name], r.eol))
		}
	}
	b.WriteString(d.text[r.tailStart:])
	return []byte(b.String())
}
