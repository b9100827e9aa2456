package mcpjson

import (
	"encoding/json"
	"fmt"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// Grammar translates one client's permission entries to and from the unified grammar
// (mcp:<server>:<tool>, shell:<prefix>, read:<glob>, write:<glob>, fetch:<domain>, …).
type Grammar struct {
	// Decode returns the unified entry for a native one; ok false means the entry has no
	// unified form and stays the user's: it is neither read nor ever removed.
	Decode func(native string) (string, bool)
	// Encode returns the native entry for a unified one; ok false means the client cannot
	// say it (the entry is skipped with WarnUnmappedPermission). Decode(Encode(u)) must be u.
	Encode func(unified string) (string, bool)
}

// PermissionLists says where a client keeps its allow, ask and deny lists: member paths from
// the document root, nil when the client has no such list.
type PermissionLists struct {
	Client, Name     string
	Allow, Ask, Deny []string
	Grammar          Grammar
}

type permList struct {
	name string
	path []string
	get  func(*unified.Permissions) *[]string
}

func (p PermissionLists) lists() []permList {
	return []permList{
		{"allow", p.Allow, func(x *unified.Permissions) *[]string { return &x.Allow }},
		{"ask", p.Ask, func(x *unified.Permissions) *[]string { return &x.Ask }},
		{"deny", p.Deny, func(x *unified.Permissions) *[]string { return &x.Deny }},
	}
}

// DecodeDoc reads the entries that have a unified form.
func (p PermissionLists) DecodeDoc(doc *jsonedit.Doc) (unified.Permissions, error) {
	var out unified.Permissions
	if err := objectDoc(doc); err != nil {
		return out, err
	}
	for _, l := range p.lists() {
		if l.path == nil {
			continue
		}
		items, _, err := readList(doc, l.path)
		if err != nil {
			return out, err
		}
		dst := l.get(&out)
		for _, it := range items {
			if s, ok := asString(it); ok {
				if u, ok := p.Grammar.Decode(s); ok {
					*dst = append(*dst, u)
				}
			}
		}
	}
	return out, nil
}

// EncodeDoc makes each list hold perms. Entries without a unified form are kept where they
// are; entries with one are kept when still wanted and removed when not; wanted entries
// that are missing are appended. An entry the client cannot express is reported.
func (p PermissionLists) EncodeDoc(doc *jsonedit.Doc, perms unified.Permissions) ([]clients.Warning, error) {
	var warns []clients.Warning
	if err := objectDoc(doc); err != nil {
		return nil, err
	}
	for _, l := range p.lists() {
		want := *l.get(&perms)
		if l.path == nil {
			for _, u := range want {
				warns = append(warns, clients.Warning{Item: "permission:" + u, Code: clients.WarnUnmappedPermission,
					Message: fmt.Sprintf("%s has no %s list; %q is not written.", p.Name, l.name, u)})
			}
			continue
		}
		items, exists, err := readList(doc, l.path)
		if err != nil {
			return warns, err
		}
		// An entry already in the file that reads as a wanted one stays, whatever its
		// spelling; only missing ones need a native form.
		wanted := map[string]bool{}
		for _, u := range want {
			wanted[u] = true
		}
		have := map[string]bool{}
		out := make([]json.RawMessage, 0, len(items)+len(want))
		changed := false
		for _, it := range items {
			if s, ok := asString(it); ok {
				if u, ok := p.Grammar.Decode(s); ok {
					if !wanted[u] {
						changed = true
						continue
					}
					have[u] = true
				}
			}
			out = append(out, it)
		}
		for _, u := range want {
			if have[u] {
				continue
			}
			have[u] = true
			native, ok := p.Grammar.Encode(u)
			if !ok {
				warns = append(warns, clients.Warning{Item: "permission:" + u, Code: clients.WarnUnmappedPermission,
					Message: fmt.Sprintf("%s has no way to say %q; it is not written to its %s list.", p.Name, u, l.name)})
				continue
			}
			out = append(out, marshal(native))
			changed = true
		}
		if !changed || (!exists && len(out) == 0) {
			continue
		}
		if err := doc.Set(l.path, out); err != nil {
			return warns, fmt.Errorf("write %s: %w", strings.Join(l.path, "."), err)
		}
	}
	return warns, nil
}

// objectDoc checks that the document is an object, the only shape a settings file has.
func objectDoc(doc *jsonedit.Doc) error {
	if _, isObject := doc.Lookup(); isObject {
		return nil // without Get, which would copy the whole document to look at its first byte
	}
	top, _ := doc.Get()
	return fmt.Errorf("the file holds %s, not an object", kindOf(top))
}

// readList reads the array at path; a missing member or null is an empty list.
func readList(doc *jsonedit.Doc, path []string) ([]json.RawMessage, bool, error) {
	raw, ok := doc.Get(path...)
	if !ok || string(raw) == "null" {
		if !ok && len(path) > 1 {
			if praw, pok := doc.Get(path[:len(path)-1]...); pok && string(praw) != "null" && (len(praw) == 0 || praw[0] != '{') {
				return nil, false, fmt.Errorf("%s is %s, not an object", strings.Join(path[:len(path)-1], "."), kindOf(praw))
			}
		}
		return nil, ok, nil
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, true, fmt.Errorf("%s is %s, not a list", strings.Join(path, "."), kindOf(raw))
	}
	return items, true, nil
}

// Decode reads a single-file endpoint that holds permissions.
func (p PermissionLists) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	doc, err := Parse(ep.Path, data, ep.Format)
	if err != nil {
		return unified.Config{}, nil, fmt.Errorf("decode %s permissions: %w", p.Client, err)
	}
	perms, err := p.DecodeDoc(doc)
	if err != nil {
		return unified.Config{}, nil, fmt.Errorf("decode %s permissions in %s: %w", p.Client, ep.Path, err)
	}
	return unified.Config{Permissions: perms}, nil, nil
}

// Encode writes cfg.Permissions into a single-file endpoint.
func (p PermissionLists) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data := files[ep.Path]
	doc, err := Parse(ep.Path, data, ep.Format)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s permissions: %w", p.Client, err)
	}
	warns, err := p.EncodeDoc(doc, cfg.Permissions)
	if err != nil {
		return nil, warns, fmt.Errorf("encode %s permissions in %s: %w", p.Client, ep.Path, err)
	}
	if !doc.Changed() {
		return clients.Files{}, warns, nil
	}
	return clients.Files{ep.Path: doc.Bytes()}, warns, nil
}
