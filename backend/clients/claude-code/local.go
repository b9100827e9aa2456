package claudecode

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// localScope is the Codec of a project's servers. Claude Code reads them from two places,
// and so does this endpoint:
//
//   - the project's "local" entry in ~/.claude.json (projects["/abs/path"].mcpServers): the
//     endpoint's file, where `claude mcp add` puts a server by default;
//   - the project's shared .mcp.json (the endpoint's companion), committed with the
//     repository, whose servers Claude Code starts only once the user has approved them.
//
// A server is written back where it lives: one that .mcp.json lists stays there, every other
// one (a new server included) goes to the local entry. aisync never adds a server to the
// shared .mcp.json (a personal server, or a secret resolved from the keychain, would end up
// in the repository) and never copies .mcp.json's servers into the local entry (Claude Code
// would then start them without asking). When both list a name, Claude Code uses the local
// entry, and so does aisync; the .mcp.json entry is left as it is. Any server is switched off
// through projects["/abs/path"].disabledMcpServers, the list Claude Code's /mcp toggle
// writes.
type localScope struct {
	project string
	shared  string // the project's .mcp.json, or "" for an endpoint without it
}

// sharedServers is the dialect of a project's .mcp.json, whose servers are switched off
// from ~/.claude.json: an entry is written whether its server is on or off.
var sharedServers = func() mcpjson.Dialect {
	d := servers
	d.Disabled = mcpjson.DisabledElsewhere
	return d
}()

// dialect is the servers dialect for the project's entry as the document spells its key.
func (l localScope) dialect(doc *jsonedit.Doc) mcpjson.Dialect {
	key := projectKey(doc, l.project)
	d := servers.WithRoot("projects", key, "mcpServers")
	d.Disabled = mcpjson.DisabledListed
	d.DisabledList = []string{"projects", key, "disabledMcpServers"}
	return d
}

// Decode implements mcpjson.Codec: the servers of both places, the local entry's winning a
// name both list (as in Claude Code).
func (l localScope) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	doc, err := mcpjson.Parse(ep.Path, files[ep.Path], ep.Format)
	if err != nil {
		return unified.Config{}, nil, fmt.Errorf("decode claude code config: %w", err)
	}
	d := l.dialect(doc)
	srv, warns, err := d.DecodeDoc(doc)
	if err != nil {
		return unified.Config{}, warns, fmt.Errorf("decode claude code config %s (project %s): %w", ep.Path, l.project, err)
	}
	shared, err := l.parseShared(files)
	if err != nil || shared == nil {
		return unified.Config{Servers: srv}, warns, err
	}
	sh, w, err := sharedServers.DecodeDoc(shared)
	warns = append(warns, w...)
	if err != nil {
		return unified.Config{}, warns, fmt.Errorf("decode claude code config %s: %w", l.shared, err)
	}
	srv, w = l.merge(srv, sh, d.DisabledNames(doc))
	return unified.Config{Servers: srv}, append(warns, w...), nil
}

// parseShared parses the project's .mcp.json; nil when it does not exist.
func (l localScope) parseShared(files clients.Files) (*jsonedit.Doc, error) {
	data := files[l.shared]
	if l.shared == "" || data == nil {
		return nil, nil
	}
	doc, err := mcpjson.Parse(l.shared, data, clients.FormatJSON)
	if err != nil {
		return nil, fmt.Errorf("decode claude code config: %w", err)
	}
	return doc, nil
}

// merge adds the servers of .mcp.json to those of the local entry, switched off as ~/.claude.json
// says. A name in both is the local entry's; it warns when the two entries differ.
func (l localScope) merge(local, shared map[string]unified.Server, off map[string]bool) (map[string]unified.Server, []clients.Warning) {
	if local == nil {
		local = make(map[string]unified.Server, len(shared))
	}
	var warns []clients.Warning
	for _, name := range slices.Sorted(maps.Keys(shared)) {
		s := shared[name]
		if mine, both := local[name]; both {
			if !sameEntry(mine, s) {
				warns = append(warns, clients.Warning{Item: "server:" + name, Code: clients.WarnDroppedField,
					Message: fmt.Sprintf("The server %q is in both %s and this project's local servers in ~/.claude.json; Claude Code uses the local one, so aisync syncs that one and leaves the %s entry as it is.", name, l.shared, filepath.Base(l.shared))})
			}
			continue
		}
		s.Disabled = off[name]
		local[name] = s
	}
	return local, warns
}

// sameEntry reports whether two entries read the same, on or off.
func sameEntry(a, b unified.Server) bool {
	a.Disabled, b.Disabled = false, false
	return string(a.AppendJSON(nil)) == string(b.AppendJSON(nil))
}

// Encode implements mcpjson.Codec.
func (l localScope) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	e, warns, err := l.edit(ep, files, cfg)
	if err != nil {
		return nil, warns, err
	}
	return e.files(ep.Path, l.shared), warns, nil
}

// EncodeReadBack implements clients.ReadBackEncoder. The entries an edit did not touch read
// back as they were read before it, unless the edit changed which spelling of the project's
// path Claude Code reads (Windows: see projectKey); then the project is read again.
func (l localScope) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	e, warns, err := l.edit(ep, files, cfg)
	if err != nil {
		return nil, warns, unified.Config{}, err
	}
	out := e.files(ep.Path, l.shared)
	var srv map[string]unified.Server
	after := l.dialect(e.doc)
	if slices.Equal(after.Root, e.d.Root) {
		srv, err = e.local.ReadBack(e.doc)
	} else {
		srv, _, err = after.DecodeDoc(e.doc)
	}
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("read back %s: %w", ep.Path, err)
	}
	if e.shared != nil {
		sh, err := e.sharedEdit.ReadBack(e.shared)
		if err != nil {
			return nil, warns, unified.Config{}, fmt.Errorf("read back %s: %w", l.shared, err)
		}
		srv, _ = l.merge(srv, sh, after.DisabledNames(e.doc))
	}
	return out, warns, unified.Config{Servers: srv}, nil
}

// projectEdit is what an edit of a project's servers did: ~/.claude.json (doc, edited with
// dialect d) and, when the project has one, its .mcp.json.
type projectEdit struct {
	doc        *jsonedit.Doc
	d          mcpjson.Dialect
	local      *mcpjson.Edit
	shared     *jsonedit.Doc
	sharedEdit *mcpjson.Edit
}

// files is the edit's output: the files whose bytes changed.
func (e *projectEdit) files(path, shared string) clients.Files {
	out := clients.EditedFile(path, e.doc)
	if e.shared != nil && e.shared.Changed() {
		out[shared] = e.shared.Bytes()
	}
	return out
}

// edit parses the project's files and makes them hold cfg's servers, each where it lives
// (see localScope).
func (l localScope) edit(ep clients.Endpoint, files clients.Files, cfg unified.Config) (*projectEdit, []clients.Warning, error) {
	doc, err := mcpjson.Parse(ep.Path, files[ep.Path], ep.Format)
	if err != nil {
		return nil, nil, fmt.Errorf("encode claude code config: %w", err)
	}
	shared, err := l.parseShared(files)
	if err != nil {
		return nil, nil, err
	}
	e := &projectEdit{doc: doc, d: l.dialect(doc)}
	toLocal, toShared, onlyShared, err := l.split(e.d, doc, shared, cfg.Servers)
	if err != nil {
		return nil, nil, err
	}
	warns, local, err := e.d.EncodeDocEdit(doc, toLocal)
	if err != nil {
		return nil, warns, fmt.Errorf("encode claude code config %s (project %s): %w", ep.Path, l.project, err)
	}
	e.local = local
	if toShared == nil {
		return e, warns, nil
	}
	w, sharedEdit, err := sharedServers.EncodeDocEdit(shared, toShared)
	warns = append(warns, w...)
	if err != nil {
		return nil, warns, fmt.Errorf("encode claude code config %s: %w", l.shared, err)
	}
	if err := e.d.WriteDisabledList(doc, onlyShared); err != nil {
		return nil, warns, fmt.Errorf("encode claude code config %s (project %s): %w", ep.Path, l.project, err)
	}
	e.shared, e.sharedEdit = shared, sharedEdit
	return e, warns, nil
}

// split sorts the servers by where they go. Without a .mcp.json listing servers, all go to
// the local entry and toShared is nil. Otherwise toShared is what .mcp.json must hold: the
// servers only it lists, as cfg has them (also returned as onlyShared, whose on/off state
// ~/.claude.json keeps), and the entries of names both list, as they are.
func (l localScope) split(d mcpjson.Dialect, doc, shared *jsonedit.Doc, cfg map[string]unified.Server) (toLocal, toShared, onlyShared map[string]unified.Server, err error) {
	if shared == nil {
		return cfg, nil, nil, nil
	}
	inShared := set(shared.Keys(sharedServers.Root...))
	if len(inShared) == 0 {
		return cfg, nil, nil, nil
	}
	inLocal := set(doc.Keys(d.Root...))
	toLocal = make(map[string]unified.Server, len(cfg))
	toShared = make(map[string]unified.Server, len(inShared))
	onlyShared = make(map[string]unified.Server, len(inShared))
	var both []string
	for name, s := range cfg {
		switch {
		case !inShared[name]:
			toLocal[name] = s
		case inLocal[name]:
			toLocal[name] = s
			both = append(both, name)
		default:
			toShared[name], onlyShared[name] = s, s
		}
	}
	if len(both) > 0 {
		as, _, err := sharedServers.DecodeDoc(shared)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("decode claude code config %s: %w", l.shared, err)
		}
		for _, name := range both {
			if s, ok := as[name]; ok { // an entry aisync cannot read is left alone anyway
				toShared[name] = s
			}
		}
	}
	return toLocal, toShared, onlyShared, nil
}

func set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
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
