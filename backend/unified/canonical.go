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
	b = append(b, '{')
	n := 0
	if len(c.Servers) > 0 {
		b = appendKey(b, &n, "servers")
		b = append(b, '{')
		for i, name := range slices.Sorted(maps.Keys(c.Servers)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = appendServer(b, c.Servers[name])
		}
		b = append(b, '}')
	}
	if len(c.Rules) > 0 {
		b = appendKey(b, &n, "rules")
		b = append(b, '{')
		for i, name := range slices.Sorted(maps.Keys(c.Rules)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = appendRule(b, c.Rules[name])
		}
		b = append(b, '}')
	}
	if !c.Permissions.IsZero() {
		b = appendKey(b, &n, "permissions")
		m := 0
		b = append(b, '{')
		b = appendList(b, &m, "allow", c.Permissions.Allow)
		b = appendList(b, &m, "ask", c.Permissions.Ask)
		b = appendList(b, &m, "deny", c.Permissions.Deny)
		b = append(b, '}')
	}
	return append(b, '}')
}

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
		b = appendKey(b, &n, "disabled")
		b = append(b, "true"...)
	}
	if s.StartupTimeoutMs != 0 {
		b = appendKey(b, &n, "startupTimeoutMs")
		b = strconv.AppendInt(b, s.StartupTimeoutMs, 10)
	}
	if s.ToolTimeoutMs != 0 {
		b = appendKey(b, &n, "toolTimeoutMs")
		b = strconv.AppendInt(b, s.ToolTimeoutMs, 10)
	}
	if !s.Tools.IsZero() {
		b = appendKey(b, &n, "tools")
		m := 0
		b = append(b, '{')
		b = appendList(b, &m, "allow", s.Tools.Allow)
		b = appendList(b, &m, "deny", s.Tools.Deny)
		b = append(b, '}')
	}
	if len(s.Extras) > 0 {
		b = appendKey(b, &n, "extras")
		b = append(b, '{')
		for i, client := range slices.Sorted(maps.Keys(s.Extras)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, client)
			b = append(b, ':')
			fields := s.Extras[client]
			if fields == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '{')
			for j, k := range slices.Sorted(maps.Keys(fields)) {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, k)
				b = append(b, ':')
				b = appendJSON(b, fields[k])
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
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
	if len(m) == 0 {
		return b
	}
	b = appendKey(b, n, key)
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

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
