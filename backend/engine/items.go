package engine

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"

	"aisync/backend/par"
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
	return toItemsNoting(c, sections, nil, 0)
}

// toItemsNoting is toItems that also notes in seen, when it is not nil, the value each
// server and rule item was made from (the first one for a key), for fromItemsWith.
func toItemsNoting(c unified.Config, sections []unified.Section, seen decoded, room int) items {
	c = c.Normalized() // only read here
	// Sized up front, for room items when the caller adds more (the hub, which a first pass
	// fills): growing it was a good part of a first pass's reconcile at scale.
	out := make(items, max(itemCount(c, sections), room))
	var a arena
	for _, s := range sections {
		switch s {
		case unified.SectionServers:
			// Encoded on two goroutines when there are many (reconciling a first pass of a
			// thousand servers took 5 ms on one core), then put into the maps here.
			names := slices.Collect(maps.Keys(c.Servers))
			raws := make([]json.RawMessage, len(names))
			par.Halves(len(names), func(lo, hi int) {
				var a arena
				for i := lo; i < hi; i++ {
					raws[i] = a.add(c.Servers[names[i]].AppendJSON)
				}
			})
			for i, name := range names {
				k := itemKey(s, name)
				out[k] = raws[i]
				if _, ok := seen[k]; !ok && seen != nil {
					srv := c.Servers[name]
					seen[k] = decodedItem{raw: raws[i], server: &srv}
				}
			}
		case unified.SectionRules:
			for name, r := range c.Rules {
				k := itemKey(s, name)
				raw := a.add(r.AppendJSON)
				out[k] = raw
				if _, ok := seen[k]; !ok && seen != nil {
					seen[k] = decodedItem{raw: raw, rule: &r}
				}
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

// arena holds the JSON of many items in a few large buffers instead of one small, grown
// buffer each.
type arena struct{ buf []byte }

// arenaChunk is the size of an arena's buffers; an item larger than what is left of one
// moves the rest of it to a new, larger one (the items already in it stay where they are).
const arenaChunk = 32 << 10

// add appends one item's JSON with appendJSON and returns it, its capacity cut to its length
// so that nothing appended to it can overwrite the next.
func (a *arena) add(appendJSON func([]byte) []byte) json.RawMessage {
	if cap(a.buf)-len(a.buf) < arenaChunk/16 {
		a.buf = make([]byte, 0, arenaChunk)
	}
	start := len(a.buf)
	a.buf = appendJSON(a.buf)
	return json.RawMessage(a.buf[start:len(a.buf):len(a.buf)])
}

// itemCount is how many items the given sections of c make.
func itemCount(c unified.Config, sections []unified.Section) int {
	n := 0
	for _, s := range sections {
		switch s {
		case unified.SectionServers:
			n += len(c.Servers)
		case unified.SectionRules:
			n += len(c.Rules)
		case unified.SectionPermissions:
			n += len(c.Permissions.Allow) + len(c.Permissions.Ask) + len(c.Permissions.Deny)
		}
	}
	return n
}

// decoded remembers, by item key, the value an item's JSON was made from, so that
// rebuilding a config from items does not decode JSON that was just encoded: a first pass
// of a thousand servers decoded every one of them again.
type decoded map[string]decodedItem

type decodedItem struct {
	raw    json.RawMessage
	server *unified.Server
	rule   *unified.Rule
}

// server is the server v stands for, when v is the JSON noted for key k. It is a copy:
// the config it came from keeps its own.
func (d decoded) server(k string, v json.RawMessage) (unified.Server, bool) {
	it, ok := d[k]
	if !ok || it.server == nil || len(it.server.Extras) > 0 || !bytes.Equal(it.raw, v) {
		return unified.Server{}, false // Extras' raw JSON comes back compacted from a decode
	}
	return it.server.Clone(), true
}

func (d decoded) rule(k string, v json.RawMessage) (unified.Rule, bool) {
	it, ok := d[k]
	if !ok || it.rule == nil || !bytes.Equal(it.raw, v) {
		return unified.Rule{}, false
	}
	r := *it.rule
	r.Globs = slices.Clone(r.Globs)
	if len(r.Globs) == 0 {
		r.Globs = nil
	}
	return r, true
}

// fromItems rebuilds a config from items.
func fromItems(in items) unified.Config { return fromItemsWith(in, nil) }

// fromItemsWith is fromItems that takes the values noted in seen instead of decoding
// their JSON again.
func fromItemsWith(in items, seen decoded) unified.Config {
	var c unified.Config
	var servers, rules int
	for k := range in {
		switch sectionOf(k) {
		case unified.SectionServers:
			servers++
		case unified.SectionRules:
			rules++
		}
	}
	if servers > 0 {
		c.Servers = make(map[string]unified.Server, servers)
	}
	if rules > 0 {
		c.Rules = make(map[string]unified.Rule, rules)
	}
	// The servers are copied from seen (or decoded) on two goroutines when there are many,
	// then put into the map here.
	keys := make([]string, 0, servers)
	for k := range in {
		if sectionOf(k) == unified.SectionServers {
			keys = append(keys, k)
		}
	}
	got := make([]unified.Server, len(keys))
	ok := make([]bool, len(keys))
	par.Halves(len(keys), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			got[i], ok[i] = seen.server(keys[i], in[keys[i]])
		}
	})
	for i, k := range keys {
		if !ok[i] && json.Unmarshal(in[k], &got[i]) != nil {
			continue
		}
		_, name := splitKey(k)
		c.Servers[name] = got[i]
	}
	for k, v := range in {
		sec, name := splitKey(k)
		switch sec {
		case unified.SectionServers:
			// done above
		case unified.SectionRules:
			r, ok := seen.rule(k, v)
			if !ok && json.Unmarshal(v, &r) != nil {
				continue
			}
			r.Name = name
			c.Rules[name] = r
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
