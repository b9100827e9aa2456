package gemini

import (
	"encoding/json"
	"fmt"
	"math"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

const serversKey = "mcpServers"

// knownKeys are the members of an mcpServers entry that the unified model names (see
// MCPServerConfig in gemini-cli packages/core/src/config/config.ts); every other member is
// kept in Extras["gemini"] (trust, description, oauth, authProviderType, tcp, …).
var knownKeys = map[string]bool{
	"command": true, "args": true, "env": true, "cwd": true,
	"url": true, "httpUrl": true, "type": true, "headers": true,
	"timeout": true, "includeTools": true, "excludeTools": true,
}

// entry is one mcpServers member as found in the file.
type entry struct {
	raw map[string]json.RawMessage // nil when the member is not an object
	srv unified.Server             // normalized; valid only when ok
	ok  bool                       // false: the model cannot hold it; left alone
}

func item(name string) string { return "server:" + name }

// readEntries decodes every server. usable is false when mcpServers is there but is not an
// object, so nothing can be read from or written to it. The entries of known are not read:
// they are what editSettings has just written from those servers (see clients.ReadsBackAsIs).
func readEntries(path string, doc *jsonedit.Doc, known map[string]unified.Server) (entries map[string]entry, order []string, usable bool, warns []clients.Warning) {
	entries = map[string]entry{}
	exists, isObject := doc.Lookup(serversKey)
	if !exists {
		return entries, nil, true, nil
	}
	if !isObject {
		return entries, nil, false, []clients.Warning{{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is not an object, so no MCP server can be read from it.", serversKey, path)}}
	}
	order = doc.Keys(serversKey)
	entries = make(map[string]entry, len(order))
	for _, name := range order {
		if s, ok := known[name]; ok {
			entries[name] = entry{srv: s, ok: true}
			continue
		}
		m, _, isObj := jsonedit.LookupMembers(doc, serversKey, name)
		if !isObj {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The entry is not an object; it is left as it is."})
			entries[name] = entry{}
			continue
		}
		srv, problem, w := decodeEntry(name, m)
		warns = append(warns, w...)
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

func (f *fields) strs(k string) []string {
	raw, ok := f.m[k]
	if !ok {
		return nil
	}
	out, ok := jsonedit.StringList(raw)
	if !ok {
		f.fail("%s is not a list of strings", k)
	}
	return out
}

func (f *fields) strMap(k string) map[string]string {
	raw, ok := f.m[k]
	if !ok {
		return nil
	}
	if m, ok := jsonedit.PlainStringMap(raw); ok {
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
		out[mk] = *mv
	}
	return out
}

// maxMillis keeps timeouts far from int64 overflow.
const maxMillis = 1e15

func (f *fields) millis(k string) int64 {
	raw, ok := f.m[k]
	if !ok {
		return 0
	}
	var n float64
	if jsonedit.IsNull(raw) || json.Unmarshal(raw, &n) != nil || n < 0 || n > maxMillis || math.IsNaN(n) {
		f.fail("%s is not a number of milliseconds", k)
		return 0
	}
	return int64(math.Round(n))
}

// decodeEntry reads an entry the way Gemini CLI picks its transport: httpUrl first, then
// url (type "sse" or "http"; no type is auto-detected, tried as streamable HTTP first), then
// command. Members of the transport Gemini does not use for the entry are ignored, as Gemini
// ignores them. Every string may hold $VAR or ${VAR}.
func decodeEntry(name string, m map[string]json.RawMessage) (unified.Server, string, []clients.Warning) {
	f := &fields{m: m}
	var s unified.Server
	var warns []clients.Warning
	dec := envref.DecodeBare
	switch {
	case f.has("httpUrl"):
		s.Transport, s.URL = unified.TransportHTTP, dec(f.str("httpUrl"))
		s.Headers = decodeMap(f.strMap("headers"))
		if f.has("url") || f.has("command") {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The entry has httpUrl and also url or command; Gemini uses httpUrl and ignores the others, and so does aisync."})
		}
	case f.has("url"):
		switch t := f.str("type"); t {
		case "", "http":
			s.Transport = unified.TransportHTTP
		case "sse":
			s.Transport = unified.TransportSSE
		default:
			f.fail("type %q is neither \"sse\" nor \"http\"", t)
		}
		s.URL = dec(f.str("url"))
		s.Headers = decodeMap(f.strMap("headers"))
		if f.has("command") {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The entry has both url and command; Gemini uses url and ignores command, and so does aisync."})
		}
	case f.has("command"):
		s.Transport, s.Command = unified.TransportStdio, dec(f.str("command"))
		for _, a := range f.strs("args") {
			s.Args = append(s.Args, dec(a))
		}
		s.Env = decodeMap(f.strMap("env"))
		s.Cwd = dec(f.str("cwd"))
	default:
		f.fail("it has no command, url or httpUrl")
	}
	s.ToolTimeoutMs = f.millis("timeout")
	s.Tools.Allow = f.strs("includeTools")
	s.Tools.Deny = f.strs("excludeTools")
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
		return unified.Server{}, "Gemini entry: " + f.problem, warns
	}
	return s, "", warns
}

func decodeMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = envref.DecodeBare(v)
	}
	return out
}

// plan is a unified server in Gemini's terms (strings already in Gemini's syntax) and srv,
// what Gemini's file reads back as; comparing srv with the file tells which members to write.
type plan struct {
	srv     unified.Server
	command string
	args    []string
	env     map[string]string
	cwd     string
	url     string
	headers map[string]string
	extras  map[string]json.RawMessage
}

// planServer checks that Gemini can hold the server and converts it. ok is false when the
// server cannot be written at all; fields Gemini has no place for are dropped with a warning.
func planServer(name string, s unified.Server) (p plan, warns []clients.Warning, ok bool) {
	warn := func(code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	const skip = " The server is not written to Gemini CLI; an entry of that name already there is left as it is."
	if name == "" {
		warn(clients.WarnInvalidName, "A server needs a name.%s", skip)
		return plan{}, warns, false
	}
	// enc converts a string to Gemini's syntax and checks that Gemini reads it back unchanged:
	// Gemini expands $NAME everywhere, so a literal "$x" from another client would change.
	failed := false
	// The field is named in two parts (env. and the variable), joined only for a warning.
	encKey := func(field, key, v string) (string, string) {
		if failed {
			return "", ""
		}
		out, ok, msg := envref.Encode(v, envref.DollarBrace)
		if !ok {
			warn(clients.WarnUnsupportedRef, "%s%s: %s.%s", field, key, msg, skip)
			failed = true
			return "", ""
		}
		back := envref.DecodeBare(out)
		if back != v {
			warn(clients.WarnUnsupportedRef, "%s%s holds a $ that Gemini CLI would expand as a variable.%s", field, key, skip)
			failed = true
			return "", ""
		}
		return out, back
	}
	enc := func(field, v string) (string, string) { return encKey(field, "", v) }
	encMap := func(field string, m map[string]string) (map[string]string, map[string]string) {
		if len(m) == 0 {
			return nil, nil
		}
		out, back := make(map[string]string, len(m)), make(map[string]string, len(m))
		prefix := field + "."
		for _, k := range jsonedit.SortedKeys(m) {
			out[k], back[k] = encKey(prefix, k, m[k])
		}
		return out, back
	}
	p.srv = unified.Server{Transport: s.Transport, Disabled: s.Disabled, ToolTimeoutMs: max(s.ToolTimeoutMs, 0), Tools: s.Tools}
	switch s.Transport {
	case unified.TransportStdio:
		if s.Command == "" {
			warn(clients.WarnUnsupportedEntry, "A stdio server needs a command.%s", skip)
			return plan{}, warns, false
		}
		p.command, p.srv.Command = enc("command", s.Command)
		if len(s.Args) > 0 {
			p.args, p.srv.Args = make([]string, 0, len(s.Args)), make([]string, 0, len(s.Args))
		}
		for _, a := range s.Args {
			c, b := enc("args", a)
			p.args, p.srv.Args = append(p.args, c), append(p.srv.Args, b)
		}
		p.env, p.srv.Env = encMap("env", s.Env)
		p.cwd, p.srv.Cwd = enc("cwd", s.Cwd)
		if len(s.Headers) > 0 || s.URL != "" {
			warn(clients.WarnDroppedField, "Gemini CLI has no url or headers for a stdio server; they are left out.")
		}
	case unified.TransportHTTP, unified.TransportSSE:
		if s.URL == "" {
			warn(clients.WarnUnsupportedEntry, "A remote server needs a url.%s", skip)
			return plan{}, warns, false
		}
		p.url, p.srv.URL = enc("url", s.URL)
		p.headers, p.srv.Headers = encMap("headers", s.Headers)
		if s.Command != "" || len(s.Args) > 0 || len(s.Env) > 0 || s.Cwd != "" {
			warn(clients.WarnDroppedField, "Gemini CLI has no command, args, env or cwd for a remote server; they are left out.")
		}
	default:
		warn(clients.WarnUnsupportedTransport, "Unknown transport %q.%s", s.Transport, skip)
		return plan{}, warns, false
	}
	if failed {
		return plan{}, warns, false
	}
	if s.StartupTimeoutMs > 0 {
		warn(clients.WarnDroppedField, "Gemini CLI has no startup timeout (its timeout is per tool call); it is left out.")
	}
	for _, k := range jsonedit.SortedKeys(s.Extras[clientID]) {
		if knownKeys[k] {
			warn(clients.WarnDroppedField, "The extra Gemini field %s is also a field aisync manages; the extra copy is ignored.", k)
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

// newEntry is the object of a server that is not in the file yet, members in a natural
// order, for AddMembers to lay out.
func newEntry(p plan) jsonedit.Ordered {
	var ms jsonedit.Ordered
	add := func(k string, present bool, v any) {
		if present {
			ms = append(ms, jsonedit.Member{Key: k, Val: v})
		}
	}
	switch p.srv.Transport {
	case unified.TransportStdio:
		add("command", true, p.command)
		add("args", len(p.args) > 0, p.args)
		add("env", len(p.env) > 0, p.env)
		add("cwd", p.cwd != "", p.cwd)
	default:
		add("url", true, p.url)
		add("type", true, string(p.srv.Transport))
		add("headers", len(p.headers) > 0, p.headers)
	}
	add("timeout", p.srv.ToolTimeoutMs > 0, p.srv.ToolTimeoutMs)
	add("includeTools", len(p.srv.Tools.Allow) > 0, p.srv.Tools.Allow)
	add("excludeTools", len(p.srv.Tools.Deny) > 0, p.srv.Tools.Deny)
	for _, k := range jsonedit.SortedKeys(p.extras) {
		add(k, true, p.extras[k])
	}
	return ms
}

// writeEntry makes an existing entry hold p, member group by member group. A group whose
// meaning is unchanged is not touched, so the user's spelling survives ($VAR instead of
// ${VAR}, httpUrl instead of url + type, the order of a tool list). Members of the other
// transport go, so that Gemini does not pick the old transport by precedence.
func writeEntry(doc *jsonedit.Doc, name string, e entry, p plan) error {
	var cur *unified.Server
	if e.ok {
		cur = &e.srv
	}
	p = keepSpelling(e.raw, p)
	want := p.srv
	w := &writer{doc: doc, name: name}
	differs := func(get func(s *unified.Server) any) bool {
		return cur == nil || !jsonedit.EqualJSON(get(cur), get(&want))
	}
	_, hasType := e.raw["type"]
	_, hasHTTPURL := e.raw["httpUrl"]
	if differs(func(s *unified.Server) any { return [2]string{string(s.Transport), s.URL} }) {
		switch want.Transport {
		case unified.TransportStdio:
			w.setOrDelete("url", false, nil)
			w.setOrDelete("httpUrl", false, nil)
			w.setOrDelete("type", false, nil)
		case unified.TransportHTTP:
			if hasHTTPURL {
				w.setOrDelete("httpUrl", true, p.url)
				break
			}
			w.setOrDelete("url", true, p.url)
			if hasType || cur == nil || cur.Transport != unified.TransportHTTP {
				w.setOrDelete("type", true, "http")
			}
		case unified.TransportSSE:
			w.setOrDelete("httpUrl", false, nil)
			w.setOrDelete("url", true, p.url)
			w.setOrDelete("type", true, "sse")
		}
	}
	if differs(func(s *unified.Server) any { return s.Command }) {
		w.setOrDelete("command", p.command != "", p.command)
	}
	if differs(func(s *unified.Server) any { return s.Args }) {
		w.setOrDelete("args", len(p.args) > 0, p.args)
	}
	if differs(func(s *unified.Server) any { return s.Env }) {
		w.setOrDelete("env", len(p.env) > 0, p.env)
	}
	if differs(func(s *unified.Server) any { return s.Cwd }) {
		w.setOrDelete("cwd", p.cwd != "", p.cwd)
	}
	if differs(func(s *unified.Server) any { return s.Headers }) {
		w.setOrDelete("headers", len(p.headers) > 0, p.headers)
	}
	if differs(func(s *unified.Server) any { return s.ToolTimeoutMs }) {
		w.setOrDelete("timeout", want.ToolTimeoutMs > 0, want.ToolTimeoutMs)
	}
	if differs(func(s *unified.Server) any { return s.Tools.Allow }) {
		old, _ := jsonedit.StringList(e.raw["includeTools"])
		w.setOrDelete("includeTools", len(want.Tools.Allow) > 0, keepOrder(old, want.Tools.Allow))
	}
	if differs(func(s *unified.Server) any { return s.Tools.Deny }) {
		old, _ := jsonedit.StringList(e.raw["excludeTools"])
		w.setOrDelete("excludeTools", len(want.Tools.Deny) > 0, keepOrder(old, want.Tools.Deny))
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

// keepSpelling reuses the file's own text for every string that already reads as wanted, so
// that changing one env value does not turn the user's $PGPASSWORD next to it into
// ${PGPASSWORD}.
func keepSpelling(raw map[string]json.RawMessage, p plan) plan {
	if old, ok := jsonedit.StringList(raw["args"]); ok {
		args := append([]string(nil), p.args...)
		for i := range args {
			if i < len(old) && envref.DecodeBare(old[i]) == p.srv.Args[i] {
				args[i] = old[i]
			}
		}
		p.args = args
	}
	reuse := func(key string, client, decoded map[string]string) map[string]string {
		var old map[string]string
		if json.Unmarshal(raw[key], &old) != nil || len(client) == 0 {
			return client
		}
		out := make(map[string]string, len(client))
		for k, v := range client {
			if o, ok := old[k]; ok && envref.DecodeBare(o) == decoded[k] {
				v = o
			}
			out[k] = v
		}
		return out
	}
	p.env = reuse("env", p.env, p.srv.Env)
	p.headers = reuse("headers", p.headers, p.srv.Headers)
	return p
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
