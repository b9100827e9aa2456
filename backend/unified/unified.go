// Package unified is the one model every client's configuration is converted to and from:
// MCP servers, rules and permissions, with env and secret references in one syntax.
// It is pure and uses only the standard library, so every other package can depend on it.
package unified

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"sort"
)

// Transport is how a client talks to an MCP server.
type Transport string

const (
	TransportStdio Transport = "stdio"
	TransportHTTP  Transport = "http" // streamable HTTP
	TransportSSE   Transport = "sse"
)

// Activation says when a rule applies.
type Activation string

const (
	ActivationAlways Activation = "always"
	ActivationGlob   Activation = "glob"
	ActivationAgent  Activation = "agent"  // the model decides from the description
	ActivationManual Activation = "manual" // only when the user mentions it
)

// Section names one of the three parts of a configuration. An endpoint (a client file)
// usually holds only one or two of them.
type Section string

const (
	SectionServers     Section = "servers"
	SectionRules       Section = "rules"
	SectionPermissions Section = "permissions"
)

// AllSections lists the sections in a stable order.
var AllSections = []Section{SectionServers, SectionRules, SectionPermissions}

// Config is the unified state of one scope (the user's home, or one project folder).
type Config struct {
	Servers     map[string]Server `json:"servers,omitempty"`
	Rules       map[string]Rule   `json:"rules,omitempty"`
	Permissions Permissions       `json:"permissions,omitzero"`
}

// Server is one MCP server definition.
//
// Strings may hold references: ${env:NAME} (an environment variable the client expands)
// and ${secret:NAME} (a value kept in the OS keyring, resolved only when a file is written).
type Server struct {
	Transport Transport         `json:"transport"`
	Command   string            `json:"command,omitempty"`
	Args      []string          `json:"args,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`
	URL       string            `json:"url,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	// Disabled is the inverse of "enabled" so that the zero value is the common case.
	Disabled bool `json:"disabled,omitempty"`
	// StartupTimeoutMs and ToolTimeoutMs are in milliseconds whatever unit the client uses.
	StartupTimeoutMs int64 `json:"startupTimeoutMs,omitempty"`
	ToolTimeoutMs    int64 `json:"toolTimeoutMs,omitempty"`
	Tools            Tools `json:"tools,omitzero"`
	// Extras holds per-client fields this model does not name, keyed by client id and then
	// by the client's own field name, so a round trip never drops them.
	Extras map[string]map[string]json.RawMessage `json:"extras,omitempty" ts_type:"Record<string, Record<string, any>>"`
}

// Tools is a per-server tool filter. Allow empty means every tool is allowed.
type Tools struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// Rule is one rule / instruction document.
type Rule struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Activation  Activation `json:"activation"`
	Globs       []string   `json:"globs,omitempty"`
	Body        string     `json:"body"`
}

// Permissions are tool permissions in one grammar:
//
//	mcp:<server>:<tool>   mcp:<server>:*   shell:<command prefix>   read:<glob>
//	write:<glob>          fetch:<domain>   tool:<client-neutral tool name>
type Permissions struct {
	Allow []string `json:"allow,omitempty"`
	Ask   []string `json:"ask,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// IsZero reports whether there are no permission entries at all.
func (p Permissions) IsZero() bool { return len(p.Allow) == 0 && len(p.Ask) == 0 && len(p.Deny) == 0 }

// IsEmpty reports whether c holds no server, rule or permission.
func (c Config) IsEmpty() bool {
	return len(c.Servers) == 0 && len(c.Rules) == 0 && c.Permissions.IsZero()
}

// IsZero reports whether the filter is empty.
func (t Tools) IsZero() bool { return len(t.Allow) == 0 && len(t.Deny) == 0 }

// Clone returns a deep copy, so callers can change it without touching the original. Like
// a JSON round trip, it leaves empty collections nil; unlike one, it costs a few allocations
// per server rather than an encode and a decode of the whole config (the engine clones every
// scope's state on every pass).
func (c Config) Clone() Config {
	out := Config{Permissions: Permissions{
		Allow: cloneSlice(c.Permissions.Allow),
		Ask:   cloneSlice(c.Permissions.Ask),
		Deny:  cloneSlice(c.Permissions.Deny),
	}}
	if len(c.Servers) > 0 {
		out.Servers = make(map[string]Server, len(c.Servers))
		for k, s := range c.Servers {
			out.Servers[k] = s.Clone()
		}
	}
	if len(c.Rules) > 0 {
		out.Rules = make(map[string]Rule, len(c.Rules))
		for k, r := range c.Rules {
			r.Globs = cloneSlice(r.Globs)
			out.Rules[k] = r
		}
	}
	return out
}

// Clone returns a deep copy of the server.
func (s Server) Clone() Server {
	s.Args = cloneSlice(s.Args)
	s.Env = CloneMap(s.Env)
	s.Headers = CloneMap(s.Headers)
	s.Tools = Tools{Allow: cloneSlice(s.Tools.Allow), Deny: cloneSlice(s.Tools.Deny)}
	if len(s.Extras) == 0 {
		s.Extras = nil
		return s
	}
	extras := make(map[string]map[string]json.RawMessage, len(s.Extras))
	for client, fields := range s.Extras {
		if fields == nil {
			extras[client] = nil
			continue
		}
		m := make(map[string]json.RawMessage, len(fields))
		for k, raw := range fields {
			m[k] = cloneSlice(raw)
		}
		extras[client] = m
	}
	s.Extras = extras
	return s
}

func cloneSlice[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return append(S(nil), s...)
}

// CloneMap copies a string map, leaving an empty one nil.
func CloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Normalize puts a config in canonical form: nil and empty collections are the same,
// permission lists are sorted and de-duplicated, rule names match their keys.
func (c *Config) Normalize() {
	if len(c.Servers) == 0 {
		c.Servers = nil
	}
	for name, s := range c.Servers {
		s.Normalize()
		c.Servers[name] = s
	}
	if len(c.Rules) == 0 {
		c.Rules = nil
	}
	for name, r := range c.Rules {
		r.Name = name
		if r.Activation == "" {
			r.Activation = ActivationAlways
		}
		if len(r.Globs) == 0 {
			r.Globs = nil
		}
		c.Rules[name] = r
	}
	c.Permissions.Allow = sortedSet(c.Permissions.Allow)
	c.Permissions.Ask = sortedSet(c.Permissions.Ask)
	c.Permissions.Deny = sortedSet(c.Permissions.Deny)
}

// PlainStdio reports whether s is a stdio server made of a command, its arguments and its
// environment and nothing else: no working directory, URL, headers, timeouts, tool lists,
// client-specific extras, and not disabled. It is the common shape of a server, and the one
// whose entry every client writes with the same three fields (see clients.ReadsBackAsIs).
// TestPlainStdioLooksAtEveryField keeps it in step with the fields of Server.
func (s Server) PlainStdio() bool {
	return (s.Transport == TransportStdio || s.Transport == "" && s.URL == "") && s.Command != "" &&
		s.Cwd == "" && s.URL == "" && len(s.Headers) == 0 && !s.Disabled && s.StartupTimeoutMs == 0 && s.ToolTimeoutMs == 0 &&
		len(s.Tools.Allow) == 0 && len(s.Tools.Deny) == 0 && len(s.Extras) == 0
}

// Normalized returns s normalized and leaves s as it was. Unlike Clone it shares s's args,
// env, headers and extras (Normalize replaces them or leaves them; it only deletes from
// Extras, which is then copied), so the result is for reading: the adapters plan a
// thousand servers from the hub this way without copying each.
func (s Server) Normalized() Server {
	for _, v := range s.Extras {
		if len(v) == 0 {
			s.Extras = maps.Clone(s.Extras)
			break
		}
	}
	s.Normalize()
	return s
}

// Normalize puts a server in canonical form.
func (s *Server) Normalize() {
	if s.Transport == "" {
		if s.URL != "" {
			s.Transport = TransportHTTP
		} else {
			s.Transport = TransportStdio
		}
	}
	if len(s.Args) == 0 {
		s.Args = nil
	}
	if len(s.Env) == 0 {
		s.Env = nil
	}
	if len(s.Headers) == 0 {
		s.Headers = nil
	}
	if len(s.Extras) == 0 {
		s.Extras = nil
	}
	for k, v := range s.Extras {
		if len(v) == 0 {
			delete(s.Extras, k)
		}
	}
	if len(s.Extras) == 0 {
		s.Extras = nil
	}
	s.Tools.Allow = sortedSet(s.Tools.Allow)
	s.Tools.Deny = sortedSet(s.Tools.Deny)
}

func sortedSet(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Canonical returns the canonical JSON of the config: normalized, map keys sorted
// (encoding/json sorts them), no insignificant whitespace.
func (c Config) Canonical() []byte {
	n := c.Normalized()
	return appendConfig(make([]byte, 0, canonicalSize(n)), n)
}

// CanonicalPart is the member of c's canonical form that holds section s (`"servers":{…}`),
// nil when the section is empty. JoinCanonical puts the canonical form of a selection of
// sections together from their parts instead of encoding them again: a pass wants the hub's
// servers for every endpoint that holds servers, and all of the hub for its snapshot, and at
// a thousand servers each encoding of them took over a millisecond.
func (c Config) CanonicalPart(s Section) []byte {
	n := c.Normalized()
	var z int
	switch s {
	case SectionServers:
		if len(n.Servers) > 0 {
			return appendObject(make([]byte, 0, canonicalSize(Config{Servers: n.Servers})), &z, "servers", n.Servers, appendServer)
		}
	case SectionRules:
		if len(n.Rules) > 0 {
			return appendObject(make([]byte, 0, canonicalSize(Config{Rules: n.Rules})), &z, "rules", n.Rules, appendRule)
		}
	case SectionPermissions:
		return appendPermissions(nil, &z, n.Permissions)
	}
	return nil
}

// JoinCanonical is the canonical form of the config whose sections' parts (CanonicalPart)
// are given, in the order of AllSections; a nil part is an empty section.
func JoinCanonical(parts ...[]byte) []byte {
	size := 2
	for _, part := range parts {
		size += len(part) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for _, part := range parts {
		if len(part) == 0 {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, part...)
	}
	return append(b, '}')
}

// canonicalSize estimates the length of c's canonical form, so that a thousand servers are
// written into one buffer instead of one that doubles a dozen times.
func canonicalSize(c Config) int {
	size := 64
	for name, s := range c.Servers {
		size += len(name) + len(s.Command) + len(s.Cwd) + len(s.URL) + 56
		for _, a := range s.Args {
			size += len(a) + 3
		}
		for k, v := range s.Env {
			size += len(k) + len(v) + 6
		}
		for k, v := range s.Headers {
			size += len(k) + len(v) + 6
		}
	}
	for name, r := range c.Rules {
		size += 2*len(name) + len(r.Description) + len(r.Body) + len(r.Body)/16 + 60
	}
	return size
}

// Normalized returns c in normal form for reading: c itself when it already encodes as its
// normalized form, a normalized copy otherwise. The result may share memory with c.
func (c Config) Normalized() Config {
	if c.normalForm() {
		return c
	}
	n := c.Clone()
	n.Normalize()
	return n
}

// normalForm reports whether c already encodes as its normalized form, so that Canonical
// can skip the copy Normalize would need: configs on the engine's hot path are normalized,
// and copying a thousand servers only to find nothing to change showed in profiles. Empty
// and nil collections encode alike (omitempty), so only the rest of Normalize matters.
func (c Config) normalForm() bool {
	for _, s := range c.Servers {
		if s.Transport == "" || !strictlySorted(s.Tools.Allow) || !strictlySorted(s.Tools.Deny) {
			return false
		}
		for _, fields := range s.Extras {
			if len(fields) == 0 {
				return false
			}
		}
	}
	for name, r := range c.Rules {
		if r.Name != name || r.Activation == "" {
			return false
		}
	}
	p := c.Permissions
	return strictlySorted(p.Allow) && strictlySorted(p.Ask) && strictlySorted(p.Deny)
}

func strictlySorted(list []string) bool {
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			return false
		}
	}
	return true
}

// Hash is the hex SHA-256 of the canonical JSON.
func (c Config) Hash() string {
	sum := sha256.Sum256(c.Canonical())
	return hex.EncodeToString(sum[:])
}

// Equal reports whether two configs are the same after normalization.
func (c Config) Equal(o Config) bool { return string(c.Canonical()) == string(o.Canonical()) }

// Only returns a copy of c holding only the given sections.
func (c Config) Only(sections ...Section) Config {
	return c.Select(sections...).Clone()
}

// Select returns c holding only the given sections, sharing memory with c: for reading, or
// for a c that nothing else holds. Only is the copy.
func (c Config) Select(sections ...Section) Config {
	var part Config
	for _, s := range sections {
		switch s {
		case SectionServers:
			part.Servers = c.Servers
		case SectionRules:
			part.Rules = c.Rules
		case SectionPermissions:
			part.Permissions = c.Permissions
		}
	}
	return part
}

// ServerNames returns the server names sorted.
func (c Config) ServerNames() []string {
	names := make([]string, 0, len(c.Servers))
	for n := range c.Servers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RuleNames returns the rule names sorted.
func (c Config) RuleNames() []string {
	names := make([]string, 0, len(c.Rules))
	for n := range c.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
