package mcpjson

import (
	"aisync/backend/clients"
	"aisync/backend/unified"
)

// Codec reads and writes one kind of endpoint. An adapter of this family picks a Codec per
// endpoint (servers, permissions, a rule folder, a file of managed rule blocks) and hands
// Decode and Encode to it.
type Codec interface {
	Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error)
	Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error)
}

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

// changed returns the file as Encode output when its bytes differ from what it held; a nil
// result for a file that did not exist is nothing to write.
func changed(path string, before, after []byte) clients.Files {
	if after == nil || before != nil && string(before) == string(after) {
		return clients.Files{}
	}
	return clients.Files{path: after}
}
