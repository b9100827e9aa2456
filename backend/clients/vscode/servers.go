package vscode

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

const serversKey = "servers"

// knownKeys are the members of a servers entry that the unified model names (see the schema in
// microsoft/vscode src/vs/workbench/contrib/mcp/common/mcpConfiguration.ts); every other
// member (envFile, dev, sandboxEnabled, sandbox, gallery, …) is kept in Extras["vscode"].
var knownKeys = map[string]bool{
	"type": true, "command": true, "args": true, "env": true, "cwd": true, "url": true, "headers": true,
}

// inputRef finds VS Code input variables, ${input:id}: values VS Code prompts for and keeps
// in its secret storage, which no other client can ask for.
var inputRef = regexp.MustCompile(`\$\{input:([^}]*)\}`)

// entry is one servers member as found in the file.
type entry struct {
	raw map[string]json.RawMessage // nil when the member is not an object
	srv unified.Server             // normalized; valid only when ok
	ok  bool
}

func item(name string) string { return "server:" + name }

// readEntries decodes every server of mcp.json, except those of known: they are what
// editConfig has just written from those servers (see clients.ReadsBackAsIs).
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
		srv, problem := decodeEntry(m)
		if problem != "" {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: problem + "; the server is not synced and is left as it is."})
			entries[name] = entry{raw: m}
			continue
		}
		if ids := inputsUsed(srv); len(ids) > 0 {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedRef,
				Message: fmt.Sprintf("The server uses the VS Code input prompt %s, which other clients cannot ask for; it keeps working in VS Code, but other clients will not receive it until the value comes from an environment variable (${env:NAME}) instead.", strings.Join(ids, ", "))})
		}
		srv.Normalize()
		entries[name] = entry{raw: m, srv: srv, ok: true}
	}
	return entries, order, true, warns
}

// hasInputRef reports whether v may hold an input variable: what inputRef matches always
// contains this, and most values are looked at without the regular expression.
func hasInputRef(v string) bool { return strings.Contains(v, "${input:") }

// inputsUsed lists the ${input:…} references of a server, each once.
func inputsUsed(s unified.Server) []string {
	if !s.AnyString(hasInputRef) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	c := s
	c.Args = append([]string(nil), s.Args...)
	c.Env, c.Headers = unified.CloneMap(s.Env), unified.CloneMap(s.Headers)
	c.Strings(func(_, v string) string {
		for _, m := range inputRef.FindAllString(v, -1) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		return v
	})
	sort.Strings(out) // env and headers are maps: give the message one order
	return out
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

// strMap reads env or headers. VS Code's schema allows numbers in env; they are read as their
// text. A null env value (unset the variable) has no unified form.
func (f *fields) strMap(k string) map[string]string {
	raw, ok := f.m[k]
	if !ok {
		return nil
	}
	if out, ok := jsonedit.PlainStringMap(raw); ok {
		return out // the usual env: names and values that are plain strings
	}
	var m map[string]json.RawMessage
	if jsonedit.IsNull(raw) || json.Unmarshal(raw, &m) != nil {
		f.fail("%s is not an object", k)
		return nil
	}
	out := make(map[string]string, len(m))
	for _, mk := range jsonedit.SortedKeys(m) {
		v, ok := scalarText(m[mk])
		if !ok {
			f.fail("%s.%s is neither a string nor a number", k, mk)
			return nil
		}
		out[mk] = v
	}
	return out
}

func scalarText(raw json.RawMessage) (string, bool) {
	if s, ok := jsonedit.PlainString(raw); ok {
		return s, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && !jsonedit.IsNull(raw) {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil && !jsonedit.IsNull(raw) {
		return n.String(), true
	}
	return "", false
}

// decodeEntry reads an entry. VS Code's schema requires type; an entry without one is read
// by what it holds (command or url), as VS Code's own tolerant reader does.
func decodeEntry(m map[string]json.RawMessage) (unified.Server, string) {
	f := &fields{m: m}
	var s unified.Server
	t := f.str("type")
	switch {
	case t == "stdio", t == "" && f.has("command"):
		s.Transport = unified.TransportStdio
	case t == "http", t == "" && f.has("url"):
		s.Transport = unified.TransportHTTP
	case t == "sse":
		s.Transport = unified.TransportSSE
	case t == "":
		f.fail("it has no type, command or url")
	default:
		f.fail("type %q is not stdio, http or sse", t)
	}
	switch s.Transport {
	case unified.TransportStdio:
		s.Command = f.str("command")
		if s.Command == "" {
			f.fail("a stdio server needs a command")
		}
		s.Args = f.strs("args")
		s.Env = f.strMap("env")
		s.Cwd = f.str("cwd")
	case unified.TransportHTTP, unified.TransportSSE:
		s.URL = f.str("url")
		if s.URL == "" {
			f.fail("a remote server needs a url")
		}
		s.Headers = f.strMap("headers")
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
		return unified.Server{}, "VS Code entry: " + f.problem
	}
	return s, ""
}

// plan is a server in VS Code's terms; srv is what the file reads back as.
type plan struct {
	srv    unified.Server
	extras map[string]json.RawMessage
}

// planServer checks that VS Code can hold the server. ok is false when the server is not to
// be in the file: it cannot be expressed, or it is disabled (mcp.json has no way to say so).
func planServer(name string, s unified.Server, inputs map[string]bool) (p plan, warns []clients.Warning, ok bool) {
	warn := func(code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	const skip = " The server is not written to VS Code; an entry of that name already there is left as it is."
	if name == "" {
		warn(clients.WarnInvalidName, "A server needs a name.%s", skip)
		return plan{}, warns, false
	}
	if s.Disabled {
		warn(clients.WarnDroppedField, "VS Code's mcp.json cannot mark a server as disabled (VS Code keeps that in its own state), so the server is left out of this file while it is disabled and comes back when it is enabled.")
		return plan{}, warns, false
	}
	failed := false
	// check takes the field's name in two parts (env. and the variable), joined only for a
	// warning: a thousand servers' env values are checked on every encode.
	check := func(field, key, v string) {
		if failed {
			return
		}
		if hasInputRef(v) {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				if !inputs[m[1]] {
					warn(clients.WarnUnsupportedRef, "%s%s uses the input prompt %s, which this mcp.json does not declare in inputs; aisync never writes inputs it did not read.%s", field, key, m[0], skip)
					failed = true
					return
				}
			}
			v = inputRef.ReplaceAllString(v, "")
		}
		if _, ok, msg := envref.Encode(v, envref.EnvColon); !ok {
			warn(clients.WarnUnsupportedRef, "%s%s: %s.%s", field, key, msg, skip)
			failed = true
		}
	}
	p.srv = unified.Server{Transport: s.Transport}
	switch s.Transport {
	case unified.TransportStdio:
		if s.Command == "" {
			warn(clients.WarnUnsupportedEntry, "A stdio server needs a command.%s", skip)
			return plan{}, warns, false
		}
		check("command", "", s.Command)
		for _, a := range s.Args {
			check("args", "", a)
		}
		for _, k := range jsonedit.SortedKeys(s.Env) {
			check("env.", k, s.Env[k])
		}
		check("cwd", "", s.Cwd)
		p.srv.Command, p.srv.Args, p.srv.Env, p.srv.Cwd = s.Command, s.Args, unified.CloneMap(s.Env), s.Cwd
		if s.URL != "" || len(s.Headers) > 0 {
			warn(clients.WarnDroppedField, "VS Code has no url or headers for a stdio server; they are left out.")
		}
	case unified.TransportHTTP, unified.TransportSSE:
		if s.URL == "" {
			warn(clients.WarnUnsupportedEntry, "A remote server needs a url.%s", skip)
			return plan{}, warns, false
		}
		check("url", "", s.URL)
		for _, k := range jsonedit.SortedKeys(s.Headers) {
			check("headers.", k, s.Headers[k])
		}
		p.srv.URL, p.srv.Headers = s.URL, unified.CloneMap(s.Headers)
		if s.Command != "" || len(s.Args) > 0 || len(s.Env) > 0 || s.Cwd != "" {
			warn(clients.WarnDroppedField, "VS Code has no command, args, env or cwd for a remote server; they are left out.")
		}
	default:
		warn(clients.WarnUnsupportedTransport, "Unknown transport %q.%s", s.Transport, skip)
		return plan{}, warns, false
	}
	if failed {
		return plan{}, warns, false
	}
	if s.StartupTimeoutMs > 0 || s.ToolTimeoutMs > 0 {
		warn(clients.WarnDroppedField, "VS Code's mcp.json has no timeouts; they are left out.")
	}
	if !s.Tools.IsZero() {
		warn(clients.WarnDroppedField, "VS Code's mcp.json has no tool allow or deny list (tools are picked in the chat view); it is left out.")
	}
	for _, k := range jsonedit.SortedKeys(s.Extras[clientID]) {
		if knownKeys[k] {
			warn(clients.WarnDroppedField, "The extra VS Code field %s is also a field aisync manages; the extra copy is ignored.", k)
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

// newEntry is the object of a server that is not in the file yet, type first as VS Code
// writes it, for AddMembers to lay out.
func newEntry(p plan) jsonedit.Ordered {
	s := p.srv
	ms := jsonedit.Ordered{{Key: "type", Val: string(s.Transport)}}
	add := func(k string, present bool, v any) {
		if present {
			ms = append(ms, jsonedit.Member{Key: k, Val: v})
		}
	}
	add("command", s.Command != "", s.Command)
	add("args", len(s.Args) > 0, s.Args)
	add("env", len(s.Env) > 0, s.Env)
	add("cwd", s.Cwd != "", s.Cwd)
	add("url", s.URL != "", s.URL)
	add("headers", len(s.Headers) > 0, s.Headers)
	for _, k := range jsonedit.SortedKeys(p.extras) {
		add(k, true, p.extras[k])
	}
	return ms
}

// writeEntry makes an existing entry hold p, member group by member group; unchanged groups
// are not touched, and members of the other transport go.
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
		w.setOrDelete("type", true, string(want.Transport))
	}
	if differs(func(s *unified.Server) any { return s.Command }) {
		w.setOrDelete("command", want.Command != "", want.Command)
	}
	if differs(func(s *unified.Server) any { return s.Args }) {
		w.setOrDelete("args", len(want.Args) > 0, want.Args)
	}
	if differs(func(s *unified.Server) any { return s.Env }) {
		w.setOrDelete("env", len(want.Env) > 0, keepNumbers(e.raw["env"], want.Env))
	}
	if differs(func(s *unified.Server) any { return s.Cwd }) {
		w.setOrDelete("cwd", want.Cwd != "", want.Cwd)
	}
	if differs(func(s *unified.Server) any { return s.URL }) {
		w.setOrDelete("url", want.URL != "", want.URL)
	}
	if differs(func(s *unified.Server) any { return s.Headers }) {
		w.setOrDelete("headers", len(want.Headers) > 0, want.Headers)
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

// keepNumbers writes env values that are numbers in the file (VS Code allows "PORT": 8080) as
// numbers again when their text is unchanged.
func keepNumbers(raw json.RawMessage, env map[string]string) map[string]json.RawMessage {
	var old map[string]json.RawMessage
	_ = json.Unmarshal(raw, &old)
	out := make(map[string]json.RawMessage, len(env))
	for k, v := range env {
		if o, ok := old[k]; ok {
			if text, isScalar := scalarText(o); isScalar && text == v {
				out[k] = o
				continue
			}
		}
		b, _ := jsonedit.Marshal(v) // a string always marshals
		out[k] = b
	}
	return out
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

// declaredInputs reads the ids of the file's inputs, the only ${input:…} that may be written.
func declaredInputs(doc *jsonedit.Doc) map[string]bool {
	raw, ok := doc.Get("inputs")
	if !ok {
		return nil
	}
	var list []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := map[string]bool{}
	for _, in := range list {
		if in.ID != "" {
			out[in.ID] = true
		}
	}
	return out
}

func decodeConfig(path string, data []byte) (map[string]unified.Server, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	servers, warns := decodeDoc(path, doc, nil)
	return servers, warns, nil
}

// decodeDoc reads the servers of a parsed mcp.json, taking those of known as they are (see
// readEntries).
func decodeDoc(path string, doc *jsonedit.Doc, known map[string]unified.Server) (map[string]unified.Server, []clients.Warning) {
	entries, order, _, warns := readEntries(path, doc, known)
	var servers map[string]unified.Server
	for _, name := range order {
		if e := entries[name]; e.ok {
			if servers == nil {
				servers = make(map[string]unified.Server, len(order))
			}
			servers[name] = e.srv
		}
	}
	return servers, warns
}

func encodeConfig(path string, data []byte, servers map[string]unified.Server) ([]byte, bool, []clients.Warning, error) {
	doc, _, warns, err := editConfig(path, data, servers)
	if err != nil {
		return nil, false, warns, err
	}
	return doc.Bytes(), doc.Changed(), warns, nil
}

// editConfig parses mcp.json and makes it hold servers, returning the edited document and
// the servers it added that read back as they are (clients.ReadsBackAsIs), by name.
func editConfig(path string, data []byte, servers map[string]unified.Server) (*jsonedit.Doc, map[string]unified.Server, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, nil, nil, err
	}
	entries, order, usable, _ := readEntries(path, doc, nil)
	var warns []clients.Warning
	if !usable && len(servers) > 0 {
		return nil, nil, warns, fmt.Errorf("%s: %s is not an object, so no server can be written into it", path, serversKey)
	}
	inputs := declaredInputs(doc)
	plans := map[string]plan{}
	// plain are the servers planned without a warning that read back as they are; once the
	// entries that exist already are taken out, they are the new entries editConfig returns.
	var plain map[string]unified.Server
	for _, name := range jsonedit.SortedKeys(servers) {
		want := servers[name].Normalized() // read only: the plan copies what it changes
		p, w, ok := planServer(name, want, inputs)
		warns = append(warns, w...)
		if ok {
			plans[name] = p
			if len(w) == 0 && clients.ReadsBackAsIs(name, want) {
				if plain == nil {
					plain = make(map[string]unified.Server, len(servers))
				}
				plain[name] = want
			}
		} else if want.Disabled {
			plans[name] = plan{} // marks "leave it out of the file"
		}
	}
	for _, name := range order {
		e := entries[name]
		_, wanted := servers[name]
		p, planned := plans[name]
		disabled := planned && p.srv.Transport == ""
		if !e.ok || (wanted && !disabled) {
			continue
		}
		if err := doc.Delete(serversKey, name); err != nil {
			return nil, nil, warns, fmt.Errorf("remove server %s: %w", name, err)
		}
	}
	var added []jsonedit.Member // new servers, added in one edit after the loop
	for _, name := range jsonedit.SortedKeys(plans) {
		p := plans[name]
		if p.srv.Transport == "" {
			continue
		}
		e, exists := entries[name]
		switch {
		case exists && e.raw == nil:
			delete(plain, name) // not written
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The existing entry is not an object, so the server cannot be written there; it is left as it is."})
			continue
		case exists:
			delete(plain, name) // only new entries are taken as they are
			err = writeEntry(doc, name, e, p)
		default:
			added = append(added, jsonedit.Member{Key: name, Val: newEntry(p)})
		}
		if err != nil {
			return nil, nil, warns, fmt.Errorf("write server %s: %w", name, err)
		}
	}
	if err := doc.AddMembers([]string{serversKey}, added); err != nil {
		return nil, nil, warns, fmt.Errorf("add servers: %w", err)
	}
	return doc, plain, warns, nil
}
