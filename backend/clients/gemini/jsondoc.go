package gemini

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
)

// parse reads a settings file with comments and trailing commas, as Gemini's own reader
// (strip-json-comments) does. A document whose top level is not an object is no settings
// file, so it is reported like a syntax error: aisync must not write into it.
func parse(path string, data []byte) (*jsonedit.Doc, error) {
	doc, err := jsonedit.Parse(data)
	if err != nil {
		var se *jsonedit.SyntaxError
		if errors.As(err, &se) {
			return nil, &clients.SyntaxError{Path: path, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: clients.FormatJSONC}
		}
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if doc.Keys() == nil {
		return nil, &clients.SyntaxError{Path: path, Line: 1, Col: 1, Msg: "the top level must be an object", Format: clients.FormatJSONC}
	}
	if line, col, found := trailingComma(data); found {
		return nil, &clients.SyntaxError{Path: path, Line: line, Col: col, Format: clients.FormatJSONC,
			Msg: "trailing comma: Gemini CLI reads comments but not trailing commas, and refuses the whole file"}
	}
	return doc, nil
}

// trailingComma finds a comma that closes an object or array. jsonedit accepts it (VS Code
// does), but Gemini CLI strips only comments before JSON.parse, so such a file does not load
// in Gemini and must not be synced from or written to as if it did.
func trailingComma(data []byte) (line, col int, found bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	comma := -1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			comma = -1
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			end := bytes.Index(data[i+2:], []byte("*/"))
			if end < 0 {
				return 0, 0, false
			}
			i += end + 3
		case c == ',':
			comma = i
		case c == '}' || c == ']':
			if comma >= 0 {
				line = 1 + bytes.Count(data[:comma], []byte("\n"))
				start := bytes.LastIndexByte(data[:comma], '\n') + 1
				return line, utf8.RuneCount(data[start:comma]) + 1, true
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			comma = -1
		}
	}
	return 0, 0, false
}

// keepOrder returns the set want in the order the existing list had it, new items last in
// sorted order, so that adding one entry does not reorder (or lose the comments of) a list.
func keepOrder(existing []string, want []string) []string {
	wanted := map[string]bool{}
	for _, s := range want {
		wanted[s] = true
	}
	out := []string{}
	seen := map[string]bool{}
	for _, s := range existing {
		if wanted[s] && !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	var rest []string
	for _, s := range want {
		if !seen[s] {
			rest = append(rest, s)
			seen[s] = true
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
