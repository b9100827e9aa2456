package mcpjson

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// Codec reads and writes one kind of endpoint. An adapter of this family picks a Codec per
// endpoint (servers, permissions, a rule folder, a file of managed rule blocks) and hands
// Decode and Encode to it.
type Codec = clients.Coder

var (
	_ Codec = Dialect{}
	_ Codec = PermissionLists{}
	_ Codec = RuleDir{}
	_ Codec = RuleBlocks{}
)

// Decode reads a single-file endpoint that holds servers.
func (d Dialect) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	servers, warns, err := d.DecodeFile(ep.Path, data, ep.Format)
	if err != nil {
		return unified.Config{}, warns, err
	}
	return unified.Config{Servers: servers}, warns, nil
}

// Encode writes cfg.Servers into a single-file endpoint. It returns the file only when its
// bytes change.
func (d Dialect) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data := files[ep.Path]
	out, warns, err := d.EncodeFile(ep.Path, data, ep.Format, cfg.Servers)
	if err != nil {
		return nil, warns, err
	}
	return changed(ep.Path, data, out), warns, nil
}

// EncodeReadBack implements clients.ReadBackEncoder: Encode, and the servers read from the
// edited document, which is what Decode reads from the bytes written.
func (d Dialect) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	var t *touched
	return EditReadBack(ep, files, func(data []byte) (doc *jsonedit.Doc, warns []clients.Warning, err error) {
		doc, warns, t, err = d.editFile(ep.Path, data, ep.Format, cfg.Servers)
		return doc, warns, err
	}, readBackFunc(func(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error) {
		srv, err := d.readBack(doc, t)
		return srv, nil, err
	}))
}

// readBackFunc is a DocDecoder made of a function.
type readBackFunc func(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error)

// DecodeDoc implements DocDecoder.
func (f readBackFunc) DecodeDoc(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error) {
	return f(doc)
}

// EditReadBack is the body of EncodeReadBack for a codec of one JSON file: edit parses the
// file and edits it, and the result is what Encode returns (the file, when its bytes
// change) with what dec decodes from the edited document. A file still missing afterwards
// reads back as nothing, as Decode reads a missing file.
func EditReadBack(ep clients.Endpoint, files clients.Files, edit func(data []byte) (*jsonedit.Doc, []clients.Warning, error), dec DocDecoder) (clients.Files, []clients.Warning, unified.Config, error) {
	data := files[ep.Path]
	doc, warns, err := edit(data)
	if err != nil {
		return nil, warns, unified.Config{}, err
	}
	out := clients.Files{}
	if doc.Changed() {
		out[ep.Path] = doc.Bytes()
	} else if data == nil {
		return out, warns, unified.Config{}, nil
	}
	srv, _, err := dec.DecodeDoc(doc)
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("read back %s: %w", ep.Path, err)
	}
	return out, warns, unified.Config{Servers: srv}, nil
}

// DocDecoder reads the servers of a parsed document (Dialect.DecodeDoc).
type DocDecoder interface {
	DecodeDoc(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error)
}

// EncodeReadBack implements clients.ReadBackEncoder for an adapter of this family with the
// endpoint's codec: the codec's own EncodeReadBack when it has one, otherwise its Encode
// followed by its Decode of the result.
func EncodeReadBack(c Codec, ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	if rb, ok := c.(clients.ReadBackEncoder); ok {
		return rb.EncodeReadBack(ep, files, cfg)
	}
	return clients.EncodeThenDecode(c, ep, files, cfg)
}

// changed returns the file as Encode output when its bytes differ from what it held; a nil
// result for a file that did not exist is nothing to write.
func changed(path string, before, after []byte) clients.Files {
	if after == nil || before != nil && string(before) == string(after) {
		return clients.Files{}
	}
	return clients.Files{path: after}
}
