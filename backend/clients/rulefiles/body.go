// Package rulefiles holds the rules codecs that every client adapter shares: managed blocks
// inside one Markdown file (CLAUDE.md, AGENTS.md, GEMINI.md, …) and directories of rule files
// with a per-client YAML frontmatter dialect (.cursor/rules/*.mdc, .windsurf/rules/*.md, …).
//
// Both codecs edit in place: whatever aisync does not own (the user's own text, unknown
// frontmatter keys, comments, line endings, a BOM) survives byte for byte, and encoding the
// rules a file already holds gives back the very same bytes, so a sync never rewrites a file
// for nothing and never fights the user's editor.
package rulefiles

import (
	"bytes"
	"fmt"
	"strings"

	"aisync/backend/unified"
)

const utf8BOM = "\uFEFF"

// NormalizeBody is the canonical form of a rule body in the unified model: line feeds only
// (a carriage return before a line break is dropped) and no empty lines at the start or the
// end. Every client pads bodies differently (a blank line after the frontmatter, one or two
// trailing newlines, CRLF on Windows); none of that is content, and if it were kept the same
// rule would look changed every time it crossed from one client to another.
func NormalizeBody(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	start, end := 0, len(lines)
	for start < end && lines[start] == "" {
		start++
	}
	for end > start && lines[end-1] == "" {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}

// splitBOM separates a UTF-8 byte order mark so that parsers never see it and writers can
// put it back.
func splitBOM(data []byte) (bom string, text string) {
	if bytes.HasPrefix(data, []byte(utf8BOM)) {
		return utf8BOM, string(data[len(utf8BOM):])
	}
	return "", string(data)
}

// detectEOL is the line ending of the first line that has one; a file without any line
// break gets "\n".
func detectEOL(text string) string {
	i := strings.IndexByte(text, '\n')
	if i > 0 && text[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// withEOL writes a "\n"-separated text with the file's own line ending.
func withEOL(s, eol string) string {
	if eol == "\n" {
		return s
	}
	return strings.ReplaceAll(s, "\n", eol)
}

// normalizeRule puts a rule in the form the codecs compare and write: the map key is the
// name, an empty activation means always, globs are trimmed and non-empty, the body is
// normalized. An unknown activation is a programming error upstream, so it is an error here
// rather than a guess.
func normalizeRule(name string, r unified.Rule) (unified.Rule, error) {
	r.Name = name
	switch r.Activation {
	case "":
		r.Activation = unified.ActivationAlways
	case unified.ActivationAlways, unified.ActivationGlob, unified.ActivationAgent, unified.ActivationManual:
	default:
		return unified.Rule{}, fmt.Errorf("rule %q: unknown activation %q", name, r.Activation)
	}
	r.Globs = normalizeGlobs(r.Globs)
	r.Body = NormalizeBody(r.Body)
	return r, nil
}

// sameRule compares two normalized rules.
func sameRule(a, b unified.Rule) bool {
	if a.Name != b.Name || a.Description != b.Description || a.Activation != b.Activation || a.Body != b.Body {
		return false
	}
	return sameGlobs(a.Globs, b.Globs)
}

func sameGlobs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func ruleItem(name string) string { return "rule:" + name }
