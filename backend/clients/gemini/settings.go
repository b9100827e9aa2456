package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// enablementFile is where `gemini mcp disable <name>` records a disabled server, next to the
// user's settings.json. aisync reads it (a server listed there is disabled) but never writes
// it: it is Gemini's own state, keyed by lower-cased name.
const enablementFile = "mcp-server-enablement.json"

// gate is everything outside an entry that decides whether Gemini loads a server:
// mcp.excluded (what aisync writes for a disabled server), mcp.allowed (an allowlist that
// blocks every server it does not name) and the enablement file. Gemini compares the names
// case-insensitively and trimmed.
type gate struct {
	excluded   []string
	excludedOK bool // absent, or an array of strings aisync can edit
	allowed    []string
	allowedOK  bool
	mcpOK      bool // mcp is absent or an object
	fileOff    map[string]bool
}

func readGate(path string, doc *jsonedit.Doc, enablement []byte) (gate, []clients.Warning) {
	g := gate{excludedOK: true, allowedOK: true, mcpOK: true}
	var warns []clients.Warning
	if exists, isObj := doc.Lookup("mcp"); exists && !isObj {
		g.mcpOK, g.excludedOK, g.allowedOK = false, false, false
		warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("mcp in %s is not an object; which servers are disabled cannot be read or written.", path)})
	}
	if g.mcpOK {
		if raw, ok := doc.Get("mcp", "excluded"); ok {
			g.excluded, g.excludedOK = jsonedit.StringList(raw)
			if !g.excludedOK {
				warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
					Message: fmt.Sprintf("mcp.excluded in %s is not a list of server names; it is left as it is.", path)})
			}
		}
		if raw, ok := doc.Get("mcp", "allowed"); ok {
			g.allowed, g.allowedOK = jsonedit.StringList(raw)
			if !g.allowedOK {
				warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
					Message: fmt.Sprintf("mcp.allowed in %s is not a list of server names; it is left as it is.", path)})
			}
		}
	}
	if len(enablement) > 0 {
		var states map[string]struct {
			Enabled *bool `json:"enabled"`
		}
		if d, err := jsonedit.Parse(enablement); err != nil {
			warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry, Message: fmt.Sprintf("%s does not parse (%v); servers disabled with `gemini mcp disable` are not seen.", enablementFile, err)})
		} else if raw, _ := d.Get(); json.Unmarshal(raw, &states) == nil {
			for name, st := range states {
				if st.Enabled != nil && !*st.Enabled {
					if g.fileOff == nil {
						g.fileOff = map[string]bool{}
					}
					g.fileOff[lower(name)] = true
				}
			}
		}
	}
	return g, warns
}

func listHas(list []string, name string) bool {
	n := lower(name)
	for _, e := range list {
		if lower(e) == n {
			return true
		}
	}
	return false
}

func (g gate) isExcluded(name string) bool { return g.excludedOK && listHas(g.excluded, name) }

// blocked reports whether a non-empty mcp.allowed leaves the server out.
func (g gate) blocked(name string) bool {
	return g.allowedOK && len(g.allowed) > 0 && !listHas(g.allowed, name)
}

func (g gate) offInFile(name string) bool { return g.fileOff[lower(name)] }

func (g gate) disabled(name string) bool {
	return g.isExcluded(name) || g.blocked(name) || g.offInFile(name)
}

// enablementOf finds the enablement file among the files the engine passed, if any.
func enablementOf(files clients.Files) []byte {
	for p, b := range files {
		if strings.HasSuffix(strings.ReplaceAll(p, `\`, "/"), "/"+enablementFile) {
			return b
		}
	}
	return nil
}

func decodeSettings(path string, data, enablement []byte) (unified.Config, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return unified.Config{}, nil, err
	}
	cfg, warns := decodeDoc(path, doc, data, enablement, nil)
	return cfg, warns, nil
}

// decodeDoc reads settings.json parsed as doc from data, taking the servers of known as
// what their entries read back as (see readEntries).
func decodeDoc(path string, doc *jsonedit.Doc, data, enablement []byte, known map[string]unified.Server) (unified.Config, []clients.Warning) {
	entries, order, _, warns := readEntries(path, doc, known)
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		// aisync reads and keeps the BOM like every other editor, but Gemini's JSON.parse does
		// not, so the user should know why Gemini ignores the file.
		warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s starts with a byte order mark, which Gemini CLI refuses (it then reads none of the file); save it as UTF-8 without BOM.", path)})
	}
	g, w := readGate(path, doc, enablement)
	warns = append(warns, w...)
	var cfg unified.Config
	for _, name := range order {
		e := entries[name]
		if !e.ok {
			continue
		}
		if cfg.Servers == nil {
			cfg.Servers = make(map[string]unified.Server, len(order))
		}
		s := e.srv
		s.Disabled = g.disabled(name)
		cfg.Servers[name] = s
	}
	perms, w := decodePermissions(path, doc, order)
	cfg.Permissions = perms
	return cfg, append(warns, w...)
}

func encodeSettings(path string, data, enablement []byte, cfg unified.Config) ([]byte, bool, []clients.Warning, error) {
	doc, _, warns, err := editSettings(path, data, enablement, cfg)
	if err != nil {
		return nil, false, warns, err
	}
	return doc.Bytes(), doc.Changed(), warns, nil
}

// editSettings parses settings.json and makes it hold cfg, returning the edited document and
// the servers it added that read back as they are (clients.ReadsBackAsIs), by name.
func editSettings(path string, data, enablement []byte, cfg unified.Config) (*jsonedit.Doc, map[string]unified.Server, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, nil, nil, err
	}
	// What readEntries and readGate find wrong, Decode has already reported.
	entries, order, usable, _ := readEntries(path, doc, nil)
	var warns []clients.Warning
	if !usable && len(cfg.Servers) > 0 {
		return nil, nil, warns, fmt.Errorf("%s: %s is not an object, so no server can be written into it", path, serversKey)
	}
	g, _ := readGate(path, doc, enablement)
	var removed []string
	for _, name := range order {
		if _, keep := cfg.Servers[name]; keep || !entries[name].ok {
			continue
		}
		if err := doc.Delete(serversKey, name); err != nil {
			return nil, nil, warns, fmt.Errorf("remove server %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	written := map[string]bool{}
	var added []jsonedit.Member // new servers, added in one edit after the loop
	var known map[string]unified.Server
	for _, name := range jsonedit.SortedKeys(cfg.Servers) {
		want := cfg.Servers[name].Normalized() // read only: the plan copies what it changes
		p, w, ok := planServer(name, want)
		warns = append(warns, w...)
		if !ok {
			continue
		}
		e, exists := entries[name]
		switch {
		case exists && e.raw == nil:
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The existing entry is not an object, so the server cannot be written there; it is left as it is."})
			continue
		case exists:
			err = writeEntry(doc, name, e, p)
		default:
			added = append(added, jsonedit.Member{Key: name, Val: newEntry(p)})
			if len(w) == 0 && clients.ReadsBackAsIs(name, want) {
				if known == nil {
					known = make(map[string]unified.Server, len(cfg.Servers))
				}
				known[name] = want
			}
		}
		if err != nil {
			return nil, nil, warns, fmt.Errorf("write server %s: %w", name, err)
		}
		written[name] = want.Disabled
	}
	if err := doc.AddMembers([]string{serversKey}, added); err != nil {
		return nil, nil, warns, fmt.Errorf("add servers: %w", err)
	}
	w, err := writeGate(doc, g, written, removed)
	warns = append(warns, w...)
	if err != nil {
		return nil, nil, warns, err
	}
	w, err = writePermissions(path, doc, doc.Keys(serversKey), cfg.Permissions)
	warns = append(warns, w...)
	if err != nil {
		return nil, nil, warns, err
	}
	return doc, known, warns, nil
}

// writeGate records which written servers are disabled. A disabled server is added to
// mcp.excluded; an enabled one is taken out of it (and added to a non-empty mcp.allowed that
// would block it). A removed server leaves mcp.excluded too, so that re-adding a server of
// that name later does not find it disabled.
func writeGate(doc *jsonedit.Doc, g gate, written map[string]bool, removed []string) ([]clients.Warning, error) {
	var warns []clients.Warning
	drop := map[string]bool{}
	var addExcluded, addAllowed []string
	for _, name := range jsonedit.SortedKeys(written) {
		wantOff := written[name]
		switch {
		case wantOff && !g.disabled(name):
			addExcluded = append(addExcluded, name)
		case !wantOff && g.disabled(name):
			if g.isExcluded(name) {
				drop[lower(name)] = true
			}
			if g.blocked(name) {
				addAllowed = append(addAllowed, name)
			}
			if g.offInFile(name) {
				warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnDroppedField,
					Message: fmt.Sprintf("The server was turned off with `gemini mcp disable`, which aisync does not undo; run `gemini mcp enable %s` to turn it on.", name)})
			}
		}
	}
	for _, name := range removed {
		if g.isExcluded(name) {
			drop[lower(name)] = true
		}
	}
	if len(drop) > 0 || len(addExcluded) > 0 {
		if !g.excludedOK {
			warns = append(warns, clients.Warning{Code: clients.WarnDroppedField,
				Message: "mcp.excluded cannot be edited, so which servers are disabled is not written."})
		} else {
			var list []string
			for _, e := range g.excluded {
				if !drop[lower(e)] {
					list = append(list, e)
				}
			}
			list = append(list, addExcluded...)
			if err := setList(doc, []string{"mcp", "excluded"}, list); err != nil {
				return warns, err
			}
		}
	}
	if len(addAllowed) > 0 {
		if err := setList(doc, []string{"mcp", "allowed"}, append(append([]string{}, g.allowed...), addAllowed...)); err != nil {
			return warns, err
		}
	}
	return warns, nil
}

// setList writes a list of strings, or removes it when it is empty together with an object
// above it that only held it, so that aisync does not leave "mcp": {} behind.
func setList(doc *jsonedit.Doc, path []string, list []string) error {
	if len(list) > 0 {
		if err := doc.Set(path, list); err != nil {
			return fmt.Errorf("write %s: %w", strings.Join(path, "."), err)
		}
		return nil
	}
	if err := doc.Delete(path...); err != nil {
		return fmt.Errorf("remove %s: %w", strings.Join(path, "."), err)
	}
	parent := path[:len(path)-1]
	if keys := doc.Keys(parent...); keys != nil && len(keys) == 0 && len(parent) > 0 {
		if err := doc.Delete(parent...); err != nil {
			return fmt.Errorf("remove %s: %w", strings.Join(parent, "."), err)
		}
	}
	return nil
}

// shellPattern is how tools.allowed names a shell command prefix; ShellTool is an alias
// Gemini accepts for run_shell_command.
var shellPattern = regexp.MustCompile(`^(?:run_shell_command|ShellTool)\((.+)\)$`)

// permOf maps a tools.allowed entry to the unified grammar. An MCP tool is mcp_<server>_<tool>;
// since server and tool names may both hold "_", the entry is only read when exactly one
// server of the file fits. Everything else stays Gemini's own and is left untouched.
func permOf(e string, servers []string) (string, bool) {
	if m := shellPattern.FindStringSubmatch(e); m != nil {
		return "shell:" + m[1], true
	}
	rest, ok := strings.CutPrefix(e, "mcp_")
	if !ok {
		return "", false
	}
	var found string
	n := 0
	for _, s := range servers {
		if tool, ok := strings.CutPrefix(rest, s+"_"); ok && tool != "" && s != "" {
			found = "mcp:" + s + ":" + tool
			n++
		}
	}
	return found, n == 1
}

// entryOf is the inverse of permOf.
func entryOf(p string) (string, bool) {
	switch {
	case strings.HasPrefix(p, "shell:"):
		return "run_shell_command(" + strings.TrimPrefix(p, "shell:") + ")", true
	case strings.HasPrefix(p, "mcp:"):
		server, tool, ok := strings.Cut(strings.TrimPrefix(p, "mcp:"), ":")
		return "mcp_" + server + "_" + tool, ok
	}
	return "", false
}

func decodePermissions(path string, doc *jsonedit.Doc, servers []string) (unified.Permissions, []clients.Warning) {
	var perms unified.Permissions
	raw, ok := doc.Get("tools", "allowed")
	if !ok {
		return perms, nil
	}
	list, ok := jsonedit.StringList(raw)
	if !ok {
		return perms, []clients.Warning{{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("tools.allowed in %s is not a list of strings; it is left as it is.", path)}}
	}
	for _, e := range list {
		if p, ok := permOf(e, servers); ok {
			perms.Allow = append(perms.Allow, p)
		}
	}
	return perms, nil
}

// writePermissions makes tools.allowed hold the allowed permissions Gemini can express,
// leaving every entry it does not map (built-in tools, ambiguous MCP names) where it is.
// Gemini has no list for ask or deny in tools.allowed.
func writePermissions(path string, doc *jsonedit.Doc, servers []string, perms unified.Permissions) ([]clients.Warning, error) {
	var warns []clients.Warning
	unmapped := func(p, why string) {
		warns = append(warns, clients.Warning{Item: "permission:" + p, Code: clients.WarnUnmappedPermission, Message: why})
	}
	for _, p := range perms.Ask {
		unmapped(p, "Gemini CLI asks before any tool that is not allowed, but has no setting that asks for one tool; the entry is not written.")
	}
	for _, p := range perms.Deny {
		unmapped(p, "Gemini CLI's tools.allowed has no deny list (deny rules live in its policy files); the entry is not written.")
	}
	want := map[string]bool{}
	var add []string
	for _, p := range perms.Allow {
		e, ok := entryOf(p)
		if back, readable := permOf(e, servers); !ok || !readable || back != p {
			unmapped(p, "Gemini CLI has no unambiguous tools.allowed entry for it (only shell:<prefix> and mcp:<server>:<tool> of a server in this file); the entry is not written.")
			continue
		}
		if !want[p] {
			want[p] = true
			add = append(add, e)
		}
	}
	raw, exists := doc.Get("tools", "allowed")
	var existing []string
	if exists {
		var ok bool
		if existing, ok = jsonedit.StringList(raw); !ok {
			if len(want) > 0 {
				warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
					Message: fmt.Sprintf("tools.allowed in %s is not a list of strings, so no permission is written.", path)})
			}
			return warns, nil
		}
	}
	if there, isObj := doc.Lookup("tools"); there && !isObj {
		if len(want) > 0 {
			warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("tools in %s is not an object, so no permission is written.", path)})
		}
		return warns, nil
	}
	var list []string
	done := map[string]bool{}
	changed := false
	for _, e := range existing {
		p, mapped := permOf(e, servers)
		if mapped && !want[p] {
			changed = true
			continue
		}
		if mapped {
			done[p] = true
		}
		list = append(list, e)
	}
	var fresh []string
	for _, e := range add {
		if p, _ := permOf(e, servers); !done[p] {
			fresh = append(fresh, e)
		}
	}
	sort.Strings(fresh)
	if len(fresh) > 0 {
		changed = true
		list = append(list, fresh...)
	}
	if !changed {
		return warns, nil
	}
	return warns, setList(doc, []string{"tools", "allowed"}, list)
}
