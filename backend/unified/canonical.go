package unified

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// appendConfig appends c as encoding/json would marshal it, byte for byte: struct fields in
// order with their omitempty and omitzero rules, map keys sorted, strings escaped as
// json.Marshal escapes them. A pass at scale marshals the hub and every endpoint's base (a
// thousand servers each), and encoding/json's reflection was the largest part of that. The
// rare values this does not write itself (strings that need escaping, the raw JSON of
// Extras) still go through encoding/json. TestCanonicalMatchesEncodingJSON holds it to that.
func appendConfig(b []byte, c Config) []byte {
	n := 0
	b = append(b, '{')
	b = appendObject(b, &n, "servers", c.Servers, appendServer)
	b = appendObject(b, &n, "rules", c.Rules, appendRule)
	b = appendPermissions(b, &n, c.Permissions)
	return append(b, '}')
}

// AppendJSON appends s as encoding/json would marshal it (see appendConfig): the form the
// engine compares one server in.
func (s Server) AppendJSON(b []byte) []byte { return appendServer(b, s) }

// AppendJSON appends r as encoding/json would marshal it (see appendConfig).
func (r Rule) AppendJSON(b []byte) []byte { return appendRule(b, r) }

func appendServer(b []byte, s Server) []byte {
	n := 0
	b = append(b, '{')
	b = appendKey(b, &n, "transport")
	b = appendString(b, string(s.Transport))
	b = appendText(b, &n, "command", s.Command)
	b = appendList(b, &n, "args", s.Args)
	b = appendMap(b, &n, "env", s.Env)
	b = appendText(b, &n, "cwd", s.Cwd)
	b = appendText(b, &n, "url", s.URL)
	b = appendMap(b, &n, "headers", s.Headers)
	if s.Disabled {
		b = append(appendKey(b, &n, "disabled"), "true"...)
	}
	b = appendInt(b, &n, "startupTimeoutMs", s.StartupTimeoutMs)
	b = appendInt(b, &n, "toolTimeoutMs", s.ToolTimeoutMs)
	b = appendTools(b, &n, s.Tools)
	b = appendExtras(b, &n, s.Extras)
	return append(b, '}')
}

func appendRule(b []byte, r Rule) []byte {
	n := 0
	b = append(b, '{')
	b = appendKey(b, &n, "name")
	b = appendString(b, r.Name)
	b = appendText(b, &n, "description", r.Description)
	b = appendKey(b, &n, "activation")
	b = appendString(b, string(r.Activation))
	b = appendList(b, &n, "globs", r.Globs)
	b = appendKey(b, &n, "body")
	b = appendString(b, r.Body)
	return append(b, '}')
}

// appendExtras writes an omitempty Extras map, keys sorted at both levels.
func appendExtras(b []byte, n *int, extras map[string]map[string]json.RawMessage) []byte {
	return appendObject(b, n, "extras", extras, func(b []byte, fields map[string]json.RawMessage) []byte {
		if fields == nil {
			return append(b, "null"...)
		}
		return appendSorted(b, fields, appendJSON)
	})
}

// appendTools writes an omitzero Tools.
func appendTools(b []byte, n *int, t Tools) []byte {
	if t.IsZero() {
		return b
	}
	b = appendKey(b, n, "tools")
	m := 0
	b = append(b, '{')
	b = appendList(b, &m, "allow", t.Allow)
	b = appendList(b, &m, "deny", t.Deny)
	return append(b, '}')
}

// appendInt writes an omitempty integer member.
func appendInt(b []byte, n *int, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(appendKey(b, n, key), v, 10)
}

// appendKey writes the name of an object's next member; n counts the members so far.
func appendKey(b []byte, n *int, key string) []byte {
	if *n > 0 {
		b = append(b, ',')
	}
	*n++
	b = append(b, '"')
	b = append(b, key...) // the keys here are Go identifiers: nothing to escape
	return append(b, '"', ':')
}

// appendText writes an omitempty string member.
func appendText(b []byte, n *int, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(appendKey(b, n, key), v)
}

// appendList writes an omitempty list of strings.
func appendList(b []byte, n *int, key string, list []string) []byte {
	if len(list) == 0 {
		return b
	}
	b = appendKey(b, n, key)
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendMap writes an omitempty map of strings, keys sorted.
func appendMap(b []byte, n *int, key string, m map[string]string) []byte {
	return appendObject(b, n, key, m, appendString)
}

// appendObject writes an omitempty map, keys sorted, each value with item.
func appendObject[V any](b []byte, n *int, key string, m map[string]V, item func([]byte, V) []byte) []byte {
	if len(m) == 0 {
		return b
	}
	return appendSorted(appendKey(b, n, key), m, item)
}

// appendSorted writes a map as a JSON object, keys sorted, each value with item.
func appendSorted[V any](b []byte, m map[string]V, item func([]byte, V) []byte) []byte {
	b = append(b, '{')
	var small [8]string // most maps here are a server's few env vars or headers: no allocation
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = item(b, m[k])
	}
	return append(b, '}')
}

// appendPermissions writes an omitzero Permissions.
func appendPermissions(b []byte, n *int, p Permissions) []byte {
	if p.IsZero() {
		return b
	}
	b = appendKey(b, n, "permissions")
	m := 0
	b = append(b, '{')
	b = appendList(b, &m, "allow", p.Allow)
	b = appendList(b, &m, "ask", p.Ask)
	b = appendList(b, &m, "deny", p.Deny)
	return append(b, '}')
}

// AppendJSONString appends s as a JSON string, exactly as encoding/json writes it.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

// appendString writes s as a JSON string. Printable ASCII that json.Marshal leaves alone is
// copied; anything else (quotes, backslashes, control characters, <, > and &, which
// json.Marshal escapes for HTML, and non-ASCII text with its invalid-UTF-8 and U+2028 rules)
// is left to encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSON writes raw JSON as json.Marshal writes a json.RawMessage (compacted, HTML
// characters escaped). Raw JSON here comes from a decoded file, so it is valid.
func appendJSON(b []byte, raw json.RawMessage) []byte {
	out, err := json.Marshal(raw)
	if err != nil {
		panic("unified: marshal extra field: " + err.Error())
	}
	return append(b, out...)
}

// SortedJSON is c's canonical JSON with the members of every object in key order, as
// encoding/json writes the same document decoded into map[string]any: the form JSON diff
// tools give values in. Raw extras are not rewritten, so configs with extras (and
// timeouts beyond 2^53, which such a round trip rounds) may differ from that round trip.
func (c Config) SortedJSON() []byte {
	c = c.Normalized()
	n := 0
	b := append(make([]byte, 0, canonicalSize(c)), '{')
	b = appendPermissions(b, &n, c.Permissions)
	b = appendObject(b, &n, "rules", c.Rules, appendSortedRule)
	b = appendObject(b, &n, "servers", c.Servers, appendSortedServer)
	return append(b, '}')
}

func appendSortedRule(b []byte, r Rule) []byte {
	n := 0
	b = append(b, '{')
	b = appendKey(b, &n, "activation")
	b = appendString(b, string(r.Activation))
	b = appendKey(b, &n, "body")
	b = appendString(b, r.Body)
	b = appendText(b, &n, "description", r.Description)
	b = appendList(b, &n, "globs", r.Globs)
	b = appendKey(b, &n, "name")
	b = appendString(b, r.Name)
	return append(b, '}')
}

func appendSortedServer(b []byte, s Server) []byte {
	n := 0
	b = append(b, '{')
	b = appendList(b, &n, "args", s.Args)
	b = appendText(b, &n, "command", s.Command)
	b = appendText(b, &n, "cwd", s.Cwd)
	if s.Disabled {
		b = append(appendKey(b, &n, "disabled"), "true"...)
	}
	b = appendMap(b, &n, "env", s.Env)
	b = appendExtras(b, &n, s.Extras)
	b = appendMap(b, &n, "headers", s.Headers)
	b = appendInt(b, &n, "startupTimeoutMs", s.StartupTimeoutMs)
	b = appendInt(b, &n, "toolTimeoutMs", s.ToolTimeoutMs)
	b = appendTools(b, &n, s.Tools)
	b = appendKey(b, &n, "transport")
	b = appendString(b, string(s.Transport))
	b = appendText(b, &n, "url", s.URL)
	return append(b, '}')
}

// SameCanonical reports, without encoding either, that c and o have the same canonical
// JSON. It compares configs that are both in normal form (as the engine's are) field by
// field; it answers false when they differ, and also when one of them is not in normal
// form, so a false is "encode them to know". A first pass at 1,000 servers spent a tenth
// of its time encoding what each client's file read back as, only to find the config it
// had just written.
func (c Config) SameCanonical(o Config) bool {
	if !c.normalForm() || !o.normalForm() || len(c.Servers) != len(o.Servers) || len(c.Rules) != len(o.Rules) {
		return false
	}
	p, q := c.Permissions, o.Permissions
	if !slices.Equal(p.Allow, q.Allow) || !slices.Equal(p.Ask, q.Ask) || !slices.Equal(p.Deny, q.Deny) {
		return false
	}
	for name, a := range c.Servers {
		b, ok := o.Servers[name]
		if !ok || !a.sameAs(b) {
			return false
		}
	}
	for name, a := range c.Rules {
		b, ok := o.Rules[name]
		if !ok || a.Name != b.Name || a.Description != b.Description || a.Activation != b.Activation ||
			a.Body != b.Body || !slices.Equal(a.Globs, b.Globs) {
			return false
		}
	}
	return true
}

// sameAs compares two servers of configs in normal form as their encodings would. Raw
// extras count as the same only when their bytes are (json.Marshal compacts them, so other
// spellings may encode alike; those answer false, which is always safe).
func (s Server) sameAs(o Server) bool {
	if s.Transport != o.Transport || s.Command != o.Command || s.Cwd != o.Cwd || s.URL != o.URL ||
		s.Disabled != o.Disabled || s.StartupTimeoutMs != o.StartupTimeoutMs || s.ToolTimeoutMs != o.ToolTimeoutMs ||
		!slices.Equal(s.Args, o.Args) || !maps.Equal(s.Env, o.Env) || !maps.Equal(s.Headers, o.Headers) ||
		!slices.Equal(s.Tools.Allow, o.Tools.Allow) || !slices.Equal(s.Tools.Deny, o.Tools.Deny) || len(s.Extras) != len(o.Extras) {
		return false
	}
	for client, fields := range s.Extras {
		other, ok := o.Extras[client]
		if !ok || len(fields) != len(other) {
			return false
		}
		for k, v := range fields {
			w, ok := other[k]
			if !ok || string(v) != string(w) || v == nil || w == nil {
				return false
			}
		}
	}
	return true
}
