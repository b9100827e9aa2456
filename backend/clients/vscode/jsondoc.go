package vscode

import (
	"errors"
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
)

// parse reads mcp.json, which VS Code reads as JSONC: comments and trailing commas are
// allowed and jsonedit keeps both. A document whose top level is not an object is no
// configuration, so it is reported like a syntax error: aisync must not write into it.
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
	return doc, nil
}
