package engine

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"aisync/backend/unified"
)

// An item is the unit of change and of conflict: one server, one rule or one permission
// entry. Its key is "<section>/<name>" ("servers/github", "rules/style",
// "permissions/shell:git") and its value the canonical JSON of the thing (for a permission
// entry: the list it is in, "allow", "ask" or "deny").
type items map[string]json.RawMessage

func itemKey(s unified.Section, name string) string { return string(s) + "/" + name }

// splitKey is the inverse of itemKey; names may contain slashes.
func splitKey(k string) (unified.Section, string) {
	s, name, _ := strings.Cut(k, "/")
	return unified.Section(s), name
}

func canonical(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("engine: marshal item: " + err.Error())
	}
	return b
}

// toItems flattens the given sections of a config into items.
func toItems(c unified.Config, sections []unified.Section) items {
	c = c.Normalized() // only read here
	out := items{}
	for _, s := range sections {
		switch s {
		case unified.SectionServers:
			for name, srv := range c.Servers {
				out[itemKey(s, name)] = canonical(srv)
			}
		case unified.SectionRules:
			for name, r := range c.Rules {
				out[itemKey(s, name)] = canonical(r)
			}
		case unified.SectionPermissions:
			for list, entries := range map[string][]string{"allow": c.Permissions.Allow, "ask": c.Permissions.Ask, "deny": c.Permissions.Deny} {
				for _, e := range entries {
					out[itemKey(s, e)] = canonical(list)
				}
			}
		}
	}
	return out
}

// fromItems rebuilds a config from items.
func fromItems(in items) unified.Config {
	var c unified.Config
	for k, v := range in {
		sec, name := splitKey(k)
		switch sec {
		case unified.SectionServers:
			var s unified.Server
			if json.Unmarshal(v, &s) == nil {
				if c.Servers == nil {
					c.Servers = map[string]unified.Server{}
				}
				c.Servers[name] = s
			}
		case unified.SectionRules:
			var r unified.Rule
			if json.Unmarshal(v, &r) == nil {
				if c.Rules == nil {
					c.Rules = map[string]unified.Rule{}
				}
				r.Name = name
				c.Rules[name] = r
			}
		case unified.SectionPermissions:
			var list string
			_ = json.Unmarshal(v, &list)
			switch list {
			case "allow":
				c.Permissions.Allow = append(c.Permissions.Allow, name)
			case "ask":
				c.Permissions.Ask = append(c.Permissions.Ask, name)
			case "deny":
				c.Permissions.Deny = append(c.Permissions.Deny, name)
			}
		}
	}
	c.Normalize()
	return c
}

func (it items) keys() []string {
	out := make([]string, 0, len(it))
	for k := range it {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (it items) clone() items {
	out := make(items, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

func sameValue(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return bytes.Equal(a, b)
}

func sectionOf(k string) unified.Section { s, _ := splitKey(k); return s }

// kindOf is the singular noun used in conflicts and messages.
func kindOf(k string) string {
	switch sectionOf(k) {
	case unified.SectionServers:
		return "server"
	case unified.SectionRules:
		return "rule"
	default:
		return "permission"
	}
}

// fields flattens an item's JSON object into dotted field paths so that two versions can be
// merged field by field. Arrays are single fields: a list of args is one value.
func fields(v json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	if v == nil {
		return out
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil {
		out[""] = v // a scalar item (a permission's list)
		return out
	}
	var walk func(prefix string, o map[string]json.RawMessage)
	walk = func(prefix string, o map[string]json.RawMessage) {
		for k, raw := range o {
			var sub map[string]json.RawMessage
			if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &sub) == nil {
				walk(prefix+k+"\x00", sub)
				continue
			}
			out[prefix+k] = raw
		}
	}
	walk("", obj)
	return out
}

// unfields is the inverse of fields.
func unfields(f map[string]json.RawMessage) json.RawMessage {
	if v, ok := f[""]; ok && len(f) == 1 {
		return v
	}
	root := map[string]any{}
	for path, raw := range f {
		parts := strings.Split(path, "\x00")
		m := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = raw
	}
	return canonical(root)
}

// fieldName turns an internal field path into the dotted name shown to users.
func fieldName(p string) string { return strings.ReplaceAll(p, "\x00", ".") }
