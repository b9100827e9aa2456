package opencode

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

const serversKey = "mcp"

// knownKeys are the members of an mcp entry that the unified model names (McpLocalConfig and
// McpRemoteConfig in opencode's config schema); every other member (oauth, …) is kept in
// Extras["opencode"].
var knownKeys = map[string]bool{
	"type": true, "command": true, "environment": true, "cwd": true,
	"url": true, "headers": true, "enabled": true, "timeout": true,
}

// remoteOnlyExtras are extra members that only a remote server has.
var remoteOnlyExtras = map[string]bool{"oauth": true}

// fileRef is opencode's {file:path} substitution, which is opencode's own and is written back
// to opencode untouched (envref refuses it for every other client).
var fileRef = regexp.MustCompile(`\{file:[^}]*\}`)

// entry is one mcp member as found in the file.
type entry struct {
	raw map[string]json.RawMessage // nil when the member is not an object
	srv unified.Server             // normalized; valid only when ok
	ok  bool
}

func item(name string) string { return "server:" + name }

func readEntries(path string, doc *jsonedit.Doc) (entries map[string]entry, order []string, usable bool, warns []clients.Warning) {
	entries = map[string]entry{}
	exists, isObject := doc.Lookup(serversKey)
	if !exists {
		return entries, nil, true, nil
	}
	if !isObject {
		return entries, nil, false, []clients.Warning{{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is not an object, so no MCP server can be read from it.", serversKey, path)}}
	}
	for _, name := range doc.Keys(serversKey) {
		order = append(order, name)
		m, _, isObj := jsonedit.LookupMembers(doc, serversKey, name)
		if !isObj {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The entry is not an object; it is left as it is."})
			entries[name] = entry{}
			continue
		}
		srv, problem := decodeEntry(m)
		if problem != "" {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: problem + "; the server is not synced and is left as it is."})
			entries[name] = entry{raw: m}
			continue
		}
		srv.Normalize()
		entries[name] = entry{raw: m, srv: srv, ok: true}
	}
	return entries, order, true, warns
}

// fields reads typed members of an entry and remembers the first problem.
type fields struct {
	m       map[string]json.RawMessage
	problem string
}

func (f *fields) fail(format string, args ...any) {
	if f.problem == "" {
		f.problem = fmt.Sprintf(format, args...)
	}
}

func (f *fields) has(k string) bool { _, ok := f.m[k]; return ok }

func (f *fields) str(k string) string {
	raw, ok := f.m[k]
	if !ok {
		return ""
	}
	if s, ok := jsonedit.PlainString(raw); ok {
		return s
	}
	var s string
	if jsonedit.IsNull(raw) || json.Unmarshal(raw, &s) != nil {
		f.fail("%s is not a string", k)
	}
	return s
}

func (f *fields) strMap(k string) map[string]string {
	raw, ok := f.m[k]
	if !ok {
		return nil
	}
	if m, ok := jsonedit.PlainStringMap(raw); ok {
		for mk, mv := range m {
			m[mk] = envref.Decode(mv, envref.BraceEnv)
		}
		return m
	}
	var m map[string]*string
	if jsonedit.IsNull(raw) || json.Unmarshal(raw, &m) != nil {
		f.fail("%s is not an object of strings", k)
		return nil
	}
	out := make(map[string]string, len(m))
	for _, mk := range jsonedit.SortedKeys(m) {
		mv := m[mk]
		if mv == nil {
			f.fail("%s.%s is null", k, mk)
			return nil
		}
		out[mk] = envref.Decode(*mv, envref.BraceEnv)
	}
	return out
}

// maxMillis keeps timeouts far from int64 overflow.
const maxMillis = 1e15

// decodeEntry reads an entry. opencode requires type ("local" or "remote") and a command
// that is an argv array; the unified command is argv[0] and the arguments the rest. An entry
// holding only "enabled" switches a server defined in another opencode config on or off; it
// defines no server, so it is not synced.
func decodeEntry(m map[string]json.RawMessage) (unified.Server, string) {
	f := &fields{m: m}
	var s unified.Server
	dec := func(v string) string { return envref.Decode(v, envref.BraceEnv) }
	switch t := f.str("type"); t {
	case "local":
		s.Transport = unified.TransportStdio
		var argv []*string
		if raw, ok := m["command"]; !ok || jsonedit.IsNull(raw) || json.Unmarshal(raw, &argv) != nil || len(argv) == 0 {
			f.fail("a local server needs command, a non-empty array of strings")
		}
		for i, a := range argv {
			if a == nil {
				f.fail("command holds a null")
				break
			}
			if i == 0 {
				s.Command = dec(*a)
			} else {
				s.Args = append(s.Args, dec(*a))
			}
		}
		if s.Command == "" && f.problem == "" {
			f.fail("the command is empty")
		}
		s.Env = f.strMap("environment")
		s.Cwd = dec(f.str("cwd"))
	case "remote":
		s.Transport = unified.TransportHTTP
		s.URL = dec(f.str("url"))
		if s.URL == "" && f.problem == "" {
			f.fail("a remote server needs a url")
		}
		s.Headers = f.strMap("headers")
	case "":
		if len(m) == 1 && f.has("enabled") {
			f.fail("the entry only switches a server defined in another opencode config on or off")
		} else {
			f.fail("it has no type (\"local\" or \"remote\"), which opencode requires")
		}
	default:
		f.fail("type %q is neither \"local\" nor \"remote\"", t)
	}
	if raw, ok := m["enabled"]; ok {
		var b bool
		if jsonedit.IsNull(raw) || json.Unmarshal(raw, &b) != nil {
			f.fail("enabled is not true or false")
		}
		s.Disabled = !b
	}
	if raw, ok := m["timeout"]; ok {
		var n float64
		if jsonedit.IsNull(raw) || json.Unmarshal(raw, &n) != nil || n <= 0 || n > maxMillis || n != math.Trunc(n) {
			f.fail("timeout is not a positive whole number of milliseconds")
		}
		s.ToolTimeoutMs = int64(n)
	}
	for k, raw := range m {
		if knownKeys[k] {
			continue
		}
		if s.Extras == nil {
			s.Extras = map[string]map[string]json.RawMessage{clientID: {}}
		}
		s.Extras[clientID][k] = json.RawMessage(jsonedit.Canonical(raw))
	}
	if f.problem != "" {
		return unified.Server{}, "opencode entry: " + f.problem
	}
	return s, ""
}

// plan is a server in opencode's terms (strings in {env:VAR} syntax); srv is what the file
// reads back as.
type plan struct {
	srv     unified.Server
	argv    []string
	env     map[string]string
	cwd     string
	url     string
	headers map[string]string
	extras  map[string]json.RawMessage
}

// planServer checks that opencode can hold the server and converts it. ok is false when it
// cannot be written at all; what opencode has no place for is dropped with a warning.
func planServer(name string, s unified.Server) (p plan, warns []clients.Warning, ok bool) {
	warn := func(code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	const skip = " The server is not written to opencode; an entry of that name already there is left as it is."
	if name == "" {
		warn(clients.WarnInvalidName, "A server needs a name.%s", skip)
		return plan{}, warns, false
	}
	failed := false
	enc := func(field, v string) (string, string) {
		if failed {
			return "", ""
		}
		if _, ok, msg := envref.Encode(fileRef.ReplaceAllString(v, ""), envref.BraceEnv); !ok {
			warn(clients.WarnUnsupportedRef, "%s: %s.%s", field, msg, skip)
			failed = true
			return "", ""
		}
		out := encodeKeepingFileRefs(v)
		if back := envref.Decode(out, envref.BraceEnv); back != v {
			warn(clients.WarnUnsupportedRef, "%s holds {env:…} text that opencode would expand.%s", field, skip)
			failed = true
			return "", ""
		}
		return out, v
	}
	encMap := func(field string, m map[string]string) (map[string]string, map[string]string) {
		if len(m) == 0 {
			return nil, nil
		}
		out, back := map[string]string{}, map[string]string{}
		for _, k := range jsonedit.SortedKeys(m) {
			out[k], back[k] = enc(field+"."+k, m[k])
		}
		return out, back
	}
	p.srv = unified.Server{Transport: s.Transport, Disabled: s.Disabled, ToolTimeoutMs: max(s.ToolTimeoutMs, 0)}
	switch s.Transport {
	case unified.TransportStdio:
		if s.Command == "" {
			warn(clients.WarnUnsupportedEntry, "A stdio server needs a command.%s", skip)
			return plan{}, warns, false
		}
		c, b := enc("command", s.Command)
		p.argv, p.srv.Command = []string{c}, b
		for _, a := range s.Args {
			c, b := enc("args", a)
			p.argv, p.srv.Args = append(p.argv, c), append(p.srv.Args, b)
		}
		p.env, p.srv.Env = encMap("env", s.Env)
		p.cwd, p.srv.Cwd = enc("cwd", s.Cwd)
		if s.URL != "" || len(s.Headers) > 0 {
			warn(clients.WarnDroppedField, "opencode has no url or headers for a local server; they are left out.")
		}
	case unified.TransportHTTP, unified.TransportSSE:
		if s.URL == "" {
			warn(clients.WarnUnsupportedEntry, "A remote server needs a url.%s", skip)
			return plan{}, warns, false
		}
		if s.Transport == unified.TransportSSE {
			warn(clients.WarnUnsupportedTransport, "opencode has one remote type and picks streamable HTTP or SSE itself; the server is written as remote and reads back as streamable HTTP.")
			p.srv.Transport = unified.TransportHTTP
		}
		p.url, p.srv.URL = enc("url", s.URL)
		p.headers, p.srv.Headers = encMap("headers", s.Headers)
		if s.Command != "" || len(s.Args) > 0 || len(s.Env) > 0 || s.Cwd != "" {
			warn(clients.WarnDroppedField, "opencode has no command, environment or cwd for a remote server; they are left out.")
		}
	default:
		warn(clients.WarnUnsupportedTransport, "Unknown transport %q.%s", s.Transport, skip)
		return plan{}, warns, false
	}
	if failed {
		return plan{}, warns, false
	}
	if s.StartupTimeoutMs > 0 {
		warn(clients.WarnDroppedField, "opencode has one timeout, per MCP request (timeout); the startup timeout is left out.")
	}
	if !s.Tools.IsZero() {
		warn(clients.WarnDroppedField, "opencode has no per-server tool list (its permission rules <server>_<tool> do that job); the allow/deny list is left out.")
	}
	for _, k := range jsonedit.SortedKeys(s.Extras[clientID]) {
		switch {
		case knownKeys[k]:
			warn(clients.WarnDroppedField, "The extra opencode field %s is also a field aisync manages; the extra copy is ignored.", k)
			continue
		case remoteOnlyExtras[k] && p.srv.Transport == unified.TransportStdio:
			warn(clients.WarnDroppedField, "opencode has no %s for a local server; it is left out.", k)
			continue
		}
		if p.extras == nil {
			p.extras = map[string]json.RawMessage{}
		}
		p.extras[k] = json.RawMessage(jsonedit.Canonical(s.Extras[clientID][k]))
	}
	if len(p.extras) > 0 {
		p.srv.Extras = map[string]map[string]json.RawMessage{clientID: p.extras}
	}
	p.srv.Normalize()
	return p, warns, true
}

// encodeKeepingFileRefs writes ${env:VAR} as {env:VAR} and leaves opencode's own {file:…}
// references as they are.
func encodeKeepingFileRefs(v string) string {
	locs := fileRef.FindAllStringIndex(v, -1)
	var out []byte
	last := 0
	for _, l := range locs {
		part, _, _ := envref.Encode(v[last:l[0]], envref.BraceEnv)
		out = append(out, part...)
		out = append(out, v[l[0]:l[1]]...)
		last = l[1]
	}
	part, _, _ := envref.Encode(v[last:], envref.BraceEnv)
	return string(append(out, part...))
}

func (p plan) typeName() string {
	if p.srv.Transport == unified.TransportStdio {
		return "local"
	}
	return "remote"
}

// newEntry renders a server that is not in the file yet, members in the order opencode's
// documentation shows them.
func newEntry(p plan) (json.RawMessage, error) {
	ms := []jsonedit.Member{{Key: "type", Val: p.typeName()}}
	add := func(k string, present bool, v any) {
		if present {
			ms = append(ms, jsonedit.Member{Key: k, Val: v})
		}
	}
	add("command", len(p.argv) > 0, p.argv)
	add("cwd", p.cwd != "", p.cwd)
	add("environment", len(p.env) > 0, p.env)
	add("url", p.url != "", p.url)
	add("headers", len(p.headers) > 0, p.headers)
	add("enabled", p.srv.Disabled, false)
	add("timeout", p.srv.ToolTimeoutMs > 0, p.srv.ToolTimeoutMs)
	for _, k := range jsonedit.SortedKeys(p.extras) {
		add(k, true, p.extras[k])
	}
	return jsonedit.Object(ms)
}

// writeEntry makes an existing entry hold p, member group by member group; unchanged groups
// are not touched, and members of the other type go (opencode's schema for each type is
// strict in older releases).
func writeEntry(doc *jsonedit.Doc, name string, e entry, p plan) error {
	var cur *unified.Server
	if e.ok {
		cur = &e.srv
	}
	want := p.srv
	w := &writer{doc: doc, name: name}
	differs := func(get func(s *unified.Server) any) bool {
		return cur == nil || !jsonedit.EqualJSON(get(cur), get(&want))
	}
	if differs(func(s *unified.Server) any { return s.Transport }) {
		w.setOrDelete("type", true, p.typeName())
	}
	if differs(func(s *unified.Server) any { return [2]any{s.Command, s.Args} }) {
		w.setOrDelete("command", len(p.argv) > 0, p.argv)
	}
	if differs(func(s *unified.Server) any { return s.Env }) {
		w.setOrDelete("environment", len(p.env) > 0, p.env)
	}
	if differs(func(s *unified.Server) any { return s.Cwd }) {
		w.setOrDelete("cwd", p.cwd != "", p.cwd)
	}
	if differs(func(s *unified.Server) any { return s.URL }) {
		w.setOrDelete("url", p.url != "", p.url)
	}
	if differs(func(s *unified.Server) any { return s.Headers }) {
		w.setOrDelete("headers", len(p.headers) > 0, p.headers)
	}
	if differs(func(s *unified.Server) any { return s.Disabled }) {
		// enabled defaults to true, so an enabled server simply loses the member.
		w.setOrDelete("enabled", want.Disabled, false)
	}
	if differs(func(s *unified.Server) any { return s.ToolTimeoutMs }) {
		w.setOrDelete("timeout", want.ToolTimeoutMs > 0, want.ToolTimeoutMs)
	}
	var curExtras map[string]json.RawMessage
	if cur != nil {
		curExtras = cur.Extras[clientID]
	}
	for _, k := range jsonedit.SortedKeys(curExtras) {
		if _, keep := p.extras[k]; !keep {
			w.setOrDelete(k, false, nil)
		}
	}
	for _, k := range jsonedit.SortedKeys(p.extras) {
		if old, ok := curExtras[k]; ok && jsonedit.EqualRaw(old, p.extras[k]) {
			continue
		}
		w.setOrDelete(k, true, p.extras[k])
	}
	return w.err
}

// writer sets and deletes members of one entry and keeps the first error.
type writer struct {
	doc  *jsonedit.Doc
	name string
	err  error
}

func (w *writer) setOrDelete(key string, present bool, v any) {
	if w.err != nil {
		return
	}
	if present {
		w.err = w.doc.Set([]string{serversKey, w.name, key}, v)
	} else {
		w.err = w.doc.Delete(serversKey, w.name, key)
	}
}
