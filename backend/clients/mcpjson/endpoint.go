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
	return EditReadBack(ep, files, func(data []byte) (*jsonedit.Doc, []clients.Warning, ReadBack, error) {
		doc, warns, t, err := d.editFile(ep.Path, data, ep.Format, cfg.Servers)
		return doc, warns, func(doc *jsonedit.Doc) (map[string]unified.Server, error) { return d.readBack(doc, t) }, err
	})
}

// ReadBack reads the servers of a document that an edit has just changed, as DecodeDoc would.
type ReadBack func(doc *jsonedit.Doc) (map[string]unified.Server, error)

// EditReadBack is the body of EncodeReadBack for a codec of one JSON file: edit parses the
// file, edits it and says how to read it back, and the result is what Encode returns (the
// file, when its bytes change) with what the edited document reads back as. A file still
// missing afterwards reads back as nothing, as Decode reads a missing file.
func EditReadBack(ep clients.Endpoint, files clients.Files, edit func(data []byte) (*jsonedit.Doc, []clients.Warning, ReadBack, error)) (clients.Files, []clients.Warning, unified.Config, error) {
	data := files[ep.Path]
	doc, warns, read, err := edit(data)
	if err != nil {
		return nil, warns, unified.Config{}, err
	}
	out := clients.EditedFile(ep.Path, doc)
	if len(out) == 0 && data == nil {
		return out, warns, unified.Config{}, nil
	}
	srv, err := read(doc)
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("read back %s: %w", ep.Path, err)
	}
	return out, warns, unified.Config{Servers: srv}, nil
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
