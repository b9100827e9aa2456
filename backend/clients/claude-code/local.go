package claudecode

import (
	"fmt"
	"slices"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// localScope is the Codec of a project's "local" servers in ~/.claude.json:
// projects["/abs/path"].mcpServers, switched off through projects["/abs/path"].disabledMcpServers
// (the list Claude Code's /mcp toggle writes).
type localScope struct{ project string }

// dialect is the servers dialect for the project's entry as the document spells its key.
func (l localScope) dialect(doc *jsonedit.Doc) mcpjson.Dialect {
	key := projectKey(doc, l.project)
	d := servers.WithRoot("projects", key, "mcpServers")
	d.Disabled = mcpjson.DisabledListed
	d.DisabledList = []string{"projects", key, "disabledMcpServers"}
	return d
}

// Decode implements mcpjson.Codec.
func (l localScope) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	doc, err := mcpjson.Parse(ep.Path, data, ep.Format)
	if err != nil {
		return unified.Config{}, nil, fmt.Errorf("decode claude code config: %w", err)
	}
	srv, warns, err := l.dialect(doc).DecodeDoc(doc)
	if err != nil {
		return unified.Config{}, warns, fmt.Errorf("decode claude code config %s (project %s): %w", ep.Path, l.project, err)
	}
	return unified.Config{Servers: srv}, warns, nil
}

// Encode implements mcpjson.Codec.
func (l localScope) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	doc, warns, _, _, err := l.edit(ep, files[ep.Path], cfg)
	if err != nil {
		return nil, warns, err
	}
	return clients.EditedFile(ep.Path, doc), warns, nil
}

// EncodeReadBack implements clients.ReadBackEncoder. The entries the edit did not touch
// read back as they were read before it, unless the edit changed which spelling of the
// project's path Claude Code reads (Windows: see projectKey); then the project is read again.
func (l localScope) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	return mcpjson.EditReadBack(ep, files, func(data []byte) (*jsonedit.Doc, []clients.Warning, mcpjson.ReadBack, error) {
		doc, warns, before, edit, err := l.edit(ep, data, cfg)
		return doc, warns, func(doc *jsonedit.Doc) (map[string]unified.Server, error) {
			if after := l.dialect(doc); edit.Partial() && slices.Equal(after.Root, before.Root) {
				return edit.ReadBack(doc)
			}
			srv, _, err := l.DecodeDoc(doc)
			return srv, err
		}, err
	})
}

// DecodeDoc reads the project's servers from a parsed ~/.claude.json.
func (l localScope) DecodeDoc(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error) {
	return l.dialect(doc).DecodeDoc(doc)
}

// edit parses ~/.claude.json and makes the project's entry hold cfg's servers, with the
// dialect it used (the spelling of the project's key it found).
func (l localScope) edit(ep clients.Endpoint, data []byte, cfg unified.Config) (*jsonedit.Doc, []clients.Warning, mcpjson.Dialect, *mcpjson.Edit, error) {
	doc, err := mcpjson.Parse(ep.Path, data, ep.Format)
	if err != nil {
		return nil, nil, mcpjson.Dialect{}, nil, fmt.Errorf("encode claude code config: %w", err)
	}
	d := l.dialect(doc)
	warns, edit, err := d.EncodeDocEdit(doc, cfg.Servers)
	if err != nil {
		return nil, warns, d, nil, fmt.Errorf("encode claude code config %s (project %s): %w", ep.Path, l.project, err)
	}
	return doc, warns, d, edit, nil
}

// projectKey finds the member of "projects" that Claude Code uses for the folder. On Windows
// Claude Code keys projects by the path with forward slashes, and the same folder can appear
// under several spellings (drive letter case, backslashes); the one that already holds
// servers wins, then the exact forward-slash spelling, then the first match. A folder with
// no entry yet gets the spelling Claude Code itself would write.
func projectKey(doc *jsonedit.Doc, root string) string {
	if !windowsPath(root) {
		return root
	}
	want := strings.ReplaceAll(root, `\`, "/")
	var exact, first, withServers string
	for _, k := range doc.Keys("projects") {
		if !strings.EqualFold(strings.ReplaceAll(k, `\`, "/"), want) {
			continue
		}
		if first == "" {
			first = k
		}
		if k == want && exact == "" {
			exact = k
		}
		if keys := doc.Keys("projects", k, "mcpServers"); len(keys) > 0 && withServers == "" {
			withServers = k
		}
	}
	for _, k := range []string{withServers, exact, first} {
		if k != "" {
			return k
		}
	}
	return want
}

// windowsPath reports whether a project root is a Windows path ("C:\…", "C:/…", "\\server\…").
func windowsPath(p string) bool {
	if len(p) >= 2 && p[1] == ':' && (p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z') {
		return true
	}
	return strings.HasPrefix(p, `\\`)
}
