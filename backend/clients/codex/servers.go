package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/tomledit"
	"aisync/backend/unified"
)

const serversKey = "mcp_servers"

// validName reports whether name is what `codex mcp add` accepts: ^[A-Za-z0-9_-]+$. Codex
// builds tool names from server names, so aisync does not write a name it would refuse to
// create. (A loop: the regular expression was a tenth of planning a thousand servers.)
func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return name != ""
}

// bearerPattern is the only Authorization header Codex can express (bearer_token_env_var).
var bearerPattern = regexp.MustCompile(`^Bearer \$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$`)

// The keys of a server table that the unified model names. Everything else in the table is
// kept in Extras["codex"]. bearer_token is listed because Codex rejects it (secrets must come
// from the environment), so an entry holding it is left alone rather than synced.
var knownKeys = map[string]bool{
	"command": true, "args": true, "env": true, "env_vars": true, "cwd": true,
	"url": true, "bearer_token_env_var": true, "http_headers": true, "env_http_headers": true,
	"bearer_token": true, "enabled": true, "startup_timeout_sec": true, "startup_timeout_ms": true,
	"tool_timeout_sec": true, "enabled_tools": true, "disabled_tools": true,
}

// httpOnlyExtras are extra keys Codex refuses on a stdio server ("oauth is not supported for
// stdio"; http_headers_helper is newer than the schema in CLIENTS.md, seen in codex-cli
// 0.169); they are dropped when a server is written as stdio.
var httpOnlyExtras = map[string]bool{"oauth": true, "oauth_resource": true, "http_headers_helper": true}

// entry is one [mcp_servers.<name>] table as found in the file.
type entry struct {
	raw map[string]any // nil when the value is not a table
	srv unified.Server // normalized; valid only when ok
	ok  bool           // false: Codex would reject it or the model cannot hold it; left alone
}

func parse(path string, data []byte) (*tomledit.Doc, error) {
	doc, err := tomledit.Parse(data)
	if err != nil {
		var se *tomledit.SyntaxError
		if errors.As(err, &se) {
			return nil, &clients.SyntaxError{Path: path, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: clients.FormatTOML}
		}
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return doc, nil
}

func item(name string) string { return "server:" + name }

// readEntries decodes every server table. usable reports whether mcp_servers is usable:
// absent or a table. The tables of known are not read: they are what editConfig has just
// written from those servers (see clients.ReadsBackAsIs).
func readEntries(path string, doc *tomledit.Doc, known map[string]unified.Server) (entries map[string]entry, usable bool, warns []clients.Warning) {
	entries = map[string]entry{}
	exists, isTable := doc.Lookup(serversKey)
	if !exists {
		return entries, true, nil
	}
	if !isTable {
		return entries, false, []clients.Warning{{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is not a table, so no MCP server can be read from it.", serversKey, path)}}
	}
	names := doc.Keys(serversKey)
	entries = make(map[string]entry, len(names))
	for _, name := range names {
		e, w := readEntry(doc, name, known)
		warns = append(warns, w...)
		entries[name] = e
	}
	return entries, true, warns
}

// readEntry decodes the table of one server (see readEntries).
func readEntry(doc *tomledit.Doc, name string, known map[string]unified.Server) (entry, []clients.Warning) {
	if s, ok := known[name]; ok {
		return entry{srv: s, ok: true}, nil
	}
	raw, _ := doc.View(serversKey, name) // read only: decodeEntry copies what it keeps
	t, isTable := raw.(map[string]any)
	if !isTable {
		return entry{}, []clients.Warning{{Item: item(name), Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s.%s is not a table; it is left as it is.", serversKey, name)}}
	}
	srv, problem := decodeEntry(t)
	if problem != "" {
		return entry{raw: t}, []clients.Warning{{Item: item(name), Code: clients.WarnUnsupportedEntry,
			Message: problem + "; the server is not synced and is left as it is."}}
	}
	srv.Normalize()
	return entry{raw: t, srv: srv, ok: true}, nil
}

// readServers is serversOf(readEntries(…)) without the entries: what an edited document
// reads back as, where a first pass knows nearly every server already (known).
func readServers(doc *tomledit.Doc, known map[string]unified.Server) map[string]unified.Server {
	if exists, isTable := doc.Lookup(serversKey); !exists || !isTable {
		return nil
	}
	var servers map[string]unified.Server
	for _, name := range doc.Keys(serversKey) {
		if e, _ := readEntry(doc, name, known); e.ok {
			if servers == nil {
				servers = make(map[string]unified.Server, len(known))
			}
			servers[name] = e.srv
		}
	}
	return servers
}

func decodeConfig(path string, data []byte) (map[string]unified.Server, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	entries, _, warns := readEntries(path, doc, nil)
	return serversOf(entries), warns, nil
}

// fields reads typed values out of a decoded table and remembers the first problem.
type fields struct {
	t       map[string]any
	problem string
}

func (f *fields) fail(format string, args ...any) {
	if f.problem == "" {
		f.problem = fmt.Sprintf(format, args...)
	}
}

func (f *fields) str(k string) string {
	v, ok := f.t[k]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.fail("%s is not a string", k)
	}
	return s
}

func (f *fields) has(k string) bool { _, ok := f.t[k]; return ok }

func (f *fields) strs(k string) []string {
	v, ok := f.t[k]
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		f.fail("%s is not a list of strings", k)
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			f.fail("%s is not a list of strings", k)
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (f *fields) strMap(k string) map[string]string {
	v, ok := f.t[k]
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.fail("%s is not a table of strings", k)
		return nil
	}
	out := make(map[string]string, len(m))
	for _, mk := range sortedKeys(m) {
		s, ok := m[mk].(string)
		if !ok {
			f.fail("%s.%s is not a string", k, mk)
			return nil
		}
		out[mk] = s
	}
	return out
}

// maxSeconds keeps a timeout's milliseconds inside int64 with room to spare.
const maxSeconds = 1e12

// millis reads a timeout given in seconds (an integer or a float) as milliseconds.
func (f *fields) millis(k string) int64 {
	v, ok := f.t[k]
	if !ok {
		return 0
	}
	var sec float64
	switch x := v.(type) {
	case int64:
		sec = float64(x)
	case float64:
		sec = x
	default:
		f.fail("%s is not a number", k)
		return 0
	}
	if math.IsNaN(sec) || sec < 0 || sec > maxSeconds {
		f.fail("%s = %v is not a usable number of seconds", k, v)
		return 0
	}
	return int64(math.Round(sec * 1000))
}

// envVarNames reads env_vars: names, or {name, source} tables. Only variables forwarded from
// the local environment mean "${env:NAME}"; a remote source has no unified equivalent.
func (f *fields) envVarNames() []string {
	v, ok := f.t["env_vars"]
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		f.fail("env_vars is not a list")
		return nil
	}
	var out []string
	for _, e := range arr {
		name, ok := envVarName(e)
		if !ok {
			f.fail("env_vars holds an entry aisync cannot read (only names and {name, source = \"local\"} are synced)")
			return nil
		}
		out = append(out, name)
	}
	return out
}

func envVarName(e any) (string, bool) {
	switch x := e.(type) {
	case string:
		return x, x != ""
	case map[string]any:
		name, ok := x["name"].(string)
		if !ok || name == "" {
			return "", false
		}
		for k, v := range x {
			switch k {
			case "name":
			case "source":
				if v != "local" {
					return "", false
				}
			default:
				return "", false
			}
		}
		return name, true
	}
	return "", false
}

// decodeEntry reads one server table the way Codex does (see RawMcpServerConfig in
// codex-rs/config/src/mcp_types.rs). It returns a problem instead of a server when Codex
// would reject the table or the model cannot hold it.
func decodeEntry(t map[string]any) (unified.Server, string) {
	f := &fields{t: t}
	var s unified.Server
	command, url := f.str("command"), f.str("url")
	if f.has("bearer_token") {
		f.fail("bearer_token is rejected by Codex (use bearer_token_env_var)")
	}
	switch {
	case f.has("command"):
		for _, k := range []string{"url", "bearer_token_env_var", "http_headers", "env_http_headers"} {
			if f.has(k) {
				f.fail("Codex rejects %s on a stdio server", k)
			}
		}
		for _, k := range sortedKeys(httpOnlyExtras) {
			if f.has(k) {
				f.fail("Codex rejects %s on a stdio server", k)
			}
		}
		s.Transport, s.Command = unified.TransportStdio, command
		s.Args = f.strs("args")
		s.Cwd = f.str("cwd")
		env := f.strMap("env")
		for _, name := range f.envVarNames() {
			if _, explicit := env[name]; explicit {
				continue // an explicit value is what the server gets
			}
			if env == nil {
				env = map[string]string{}
			}
			env[name] = unified.EnvRef(name)
		}
		s.Env = env
	case f.has("url"):
		for _, k := range []string{"args", "env", "env_vars", "cwd"} {
			if f.has(k) {
				f.fail("Codex rejects %s on a streamable HTTP server", k)
			}
		}
		s.Transport, s.URL = unified.TransportHTTP, url
		headers := f.strMap("http_headers")
		for h, name := range f.strMap("env_http_headers") {
			if headers == nil {
				headers = map[string]string{}
			}
			headers[h] = unified.EnvRef(name)
		}
		if name := f.str("bearer_token_env_var"); f.has("bearer_token_env_var") {
			if headers == nil {
				headers = map[string]string{}
			}
			headers["Authorization"] = "Bearer " + unified.EnvRef(name)
		}
		s.Headers = headers
	default:
		f.fail("it has neither command nor url, which Codex rejects")
	}
	if e, ok := t["enabled"]; ok {
		b, isBool := e.(bool)
		if !isBool {
			f.fail("enabled is not true or false")
		}
		s.Disabled = !b
	}
	if f.has("startup_timeout_sec") {
		s.StartupTimeoutMs = f.millis("startup_timeout_sec")
	} else if v, ok := t["startup_timeout_ms"]; ok {
		ms, isInt := v.(int64)
		if !isInt || ms < 0 {
			f.fail("startup_timeout_ms is not a number of milliseconds")
		}
		s.StartupTimeoutMs = ms
	}
	s.ToolTimeoutMs = f.millis("tool_timeout_sec")
	s.Tools.Allow = f.strs("enabled_tools")
	if f.has("enabled_tools") && len(s.Tools.Allow) == 0 && f.problem == "" {
		f.fail("enabled_tools = [] turns every tool off, which the unified model cannot express")
	}
	s.Tools.Deny = f.strs("disabled_tools")
	extras, err := extrasOf(t)
	if err != nil {
		f.fail("%v", err)
	}
	if len(extras) > 0 {
		s.Extras = map[string]map[string]json.RawMessage{}
		s.Extras[clientID] = extras
	}
	if f.problem != "" {
		return unified.Server{}, "Codex entry: " + f.problem
	}
	return s, ""
}

// plan is a unified server turned into Codex's keys, and srv what reading those keys back
// gives: the two agree by construction, so comparing srv with what the file holds tells which
// keys need writing.
type plan struct {
	srv        unified.Server
	stdio      bool
	env        map[string]string
	envVars    []string
	headers    map[string]string
	envHeaders map[string]string
	bearer     string
	extras     map[string]any
}

// planServer checks that Codex can hold the server and computes its keys. It returns false
// (with the reason as a warning) when the server cannot be written at all; fields Codex has no
// place for are dropped with a warning and the rest is written.
func planServer(name string, s unified.Server) (plan, []clients.Warning, bool) {
	var warns []clients.Warning
	warn := func(code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	skip := " The server is not written to Codex; an entry of that name already there is left as it is."
	if !validName(name) {
		warn(clients.WarnInvalidName, "Codex only accepts server names made of letters, digits, - and _.%s", skip)
		return plan{}, warns, false
	}
	p := plan{srv: unified.Server{Transport: s.Transport, Disabled: s.Disabled, Tools: s.Tools}}
	literal := func(field, v string) bool {
		if _, ok, msg := envref.Encode(v, envref.None); !ok {
			warn(clients.WarnUnsupportedRef, "%s: %s; Codex expands no references in strings.%s", field, msg, skip)
			return false
		}
		return true
	}
	switch s.Transport {
	case unified.TransportSSE:
		warn(clients.WarnUnsupportedTransport, "Codex has no SSE transport (only stdio and streamable HTTP).%s", skip)
		return plan{}, warns, false
	case unified.TransportStdio:
		p.stdio = true
		if s.Command == "" {
			warn(clients.WarnUnsupportedEntry, "A stdio server needs a command.%s", skip)
			return plan{}, warns, false
		}
		if !literal("command", s.Command) || !literal("cwd", s.Cwd) {
			return plan{}, warns, false
		}
		for _, a := range s.Args {
			if !literal("args", a) {
				return plan{}, warns, false
			}
		}
		p.srv.Command, p.srv.Args, p.srv.Cwd = s.Command, s.Args, s.Cwd
		for _, k := range sortedKeys(s.Env) {
			v := s.Env[k]
			if ref, whole := envref.IsWholeRef(v); whole && ref == k {
				p.envVars = append(p.envVars, k)
				continue
			}
			if ref, whole := envref.IsWholeRef(v); whole {
				warn(clients.WarnUnsupportedRef, "env.%s is ${env:%s}; Codex can only pass a variable on under its own name (env_vars = [\"%s\"]).%s", k, ref, ref, skip)
				return plan{}, warns, false
			}
			if !literal("env."+k, v) {
				return plan{}, warns, false
			}
			if p.env == nil {
				p.env = map[string]string{}
			}
			p.env[k] = v
		}
		p.srv.Env = s.Env // read only, as the rest of p.srv
		if len(s.Headers) > 0 {
			warn(clients.WarnDroppedField, "Codex has no headers for a stdio server; they are left out.")
		}
		if s.URL != "" {
			warn(clients.WarnDroppedField, "A stdio server has no url in Codex; it is left out.")
		}
	case unified.TransportHTTP:
		if s.URL == "" {
			warn(clients.WarnUnsupportedEntry, "A streamable HTTP server needs a url.%s", skip)
			return plan{}, warns, false
		}
		if !literal("url", s.URL) {
			return plan{}, warns, false
		}
		p.srv.URL = s.URL
		for _, h := range sortedKeys(s.Headers) {
			v := s.Headers[h]
			if m := bearerPattern.FindStringSubmatch(v); m != nil && strings.EqualFold(h, "Authorization") && p.bearer == "" {
				p.bearer = m[1]
				continue
			}
			if ref, whole := envref.IsWholeRef(v); whole {
				if p.envHeaders == nil {
					p.envHeaders = map[string]string{}
				}
				p.envHeaders[h] = ref
				continue
			}
			if !literal("headers."+h, v) {
				return plan{}, warns, false
			}
			if p.headers == nil {
				p.headers = map[string]string{}
			}
			p.headers[h] = v
		}
		p.srv.Headers = unified.CloneMap(p.headers)
		for h, ref := range p.envHeaders {
			if p.srv.Headers == nil {
				p.srv.Headers = map[string]string{}
			}
			p.srv.Headers[h] = unified.EnvRef(ref)
		}
		if p.bearer != "" {
			if p.srv.Headers == nil {
				p.srv.Headers = map[string]string{}
			}
			p.srv.Headers["Authorization"] = "Bearer " + unified.EnvRef(p.bearer)
		}
		if s.Command != "" || len(s.Args) > 0 || len(s.Env) > 0 || s.Cwd != "" {
			warn(clients.WarnDroppedField, "Codex has no command, args, env or cwd for a streamable HTTP server; they are left out.")
		}
	default:
		warn(clients.WarnUnsupportedTransport, "Unknown transport %q.%s", s.Transport, skip)
		return plan{}, warns, false
	}
	if s.StartupTimeoutMs < 0 || s.ToolTimeoutMs < 0 {
		warn(clients.WarnDroppedField, "A negative timeout is left out.")
	}
	p.srv.StartupTimeoutMs = max(s.StartupTimeoutMs, 0)
	p.srv.ToolTimeoutMs = max(s.ToolTimeoutMs, 0)
	var extras map[string]json.RawMessage // made for the first extra field
	for _, k := range sortedKeys(s.Extras[clientID]) {
		raw := s.Extras[clientID][k]
		switch {
		case knownKeys[k]:
			warn(clients.WarnDroppedField, "The extra Codex field %s is also a field aisync manages; the extra copy is ignored.", k)
			continue
		case p.stdio && httpOnlyExtras[k]:
			warn(clients.WarnDroppedField, "Codex rejects %s on a stdio server; it is left out.", k)
			continue
		}
		v, err := fromJSON(raw)
		if err != nil {
			warn(clients.WarnDroppedField, "The Codex field %s cannot be written as TOML (%v); it is left out.", k, err)
			continue
		}
		if p.extras == nil {
			p.extras = map[string]any{}
		}
		p.extras[k] = v
		if extras == nil {
			extras = map[string]json.RawMessage{}
		}
		extras[k] = raw
	}
	if len(extras) > 0 {
		p.srv.Extras = map[string]map[string]json.RawMessage{clientID: extras}
	}
	p.srv.Normalize()
	return p, warns, true
}

func encodeConfig(path string, data []byte, servers map[string]unified.Server) ([]byte, bool, []clients.Warning, error) {
	doc, _, warns, err := editConfig(path, data, servers)
	if err != nil || !doc.Changed() {
		return nil, false, warns, err
	}
	return doc.Bytes(), true, warns, nil
}

// serversOf collects the servers read from a document, as decodeConfig returns them.
func serversOf(entries map[string]entry) map[string]unified.Server {
	var servers map[string]unified.Server
	for name, e := range entries {
		if !e.ok {
			continue
		}
		if servers == nil {
			servers = make(map[string]unified.Server, len(entries))
		}
		servers[name] = e.srv
	}
	return servers
}

// editConfig parses config.toml and makes it hold servers, returning the edited document and
// the servers it added that read back as they are (clients.ReadsBackAsIs), by name.
func editConfig(path string, data []byte, servers map[string]unified.Server) (*tomledit.Doc, map[string]unified.Server, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, nil, nil, err
	}
	// What readEntries finds wrong, Decode has already reported.
	entries, usable, _ := readEntries(path, doc, nil)
	var warns []clients.Warning
	if !usable {
		if len(servers) == 0 {
			return doc, nil, warns, nil
		}
		return nil, nil, warns, fmt.Errorf("%s: %s is not a table, so no server can be written into it", path, serversKey)
	}
	for _, name := range sortedKeys(entries) {
		if _, keep := servers[name]; keep || !entries[name].ok {
			continue
		}
		if err := doc.Delete(serversKey, name); err != nil {
			return nil, nil, warns, fmt.Errorf("remove server %s: %w", name, err)
		}
	}
	var added []tomledit.Table
	var known map[string]unified.Server
	for _, name := range sortedKeys(servers) {
		want := servers[name].Normalized() // read only: the plan copies what it changes
		p, w, ok := planServer(name, want)
		warns = append(warns, w...)
		if !ok {
			continue
		}
		e, exists := entries[name]
		if exists && e.raw == nil {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("%s.%s is not a table, so the server cannot be written there; it is left as it is.", serversKey, name)})
			continue
		}
		if !exists {
			added = append(added, tomledit.Table{Name: name, Keys: newEntry(name, p)})
			if len(w) == 0 && clients.ReadsBackAsIs(name, want) {
				if known == nil {
					known = make(map[string]unified.Server, len(servers))
				}
				known[name] = want
			}
			continue
		}
		if err := writeEntry(doc, name, e, p); err != nil {
			return nil, nil, warns, fmt.Errorf("write server %s: %w", name, err)
		}
	}
	// New servers go in with one edit of the document, not one per key.
	if err := doc.AddTables([]string{serversKey}, added); err != nil {
		return nil, nil, warns, fmt.Errorf("add servers: %w", err)
	}
	return doc, known, warns, nil
}

// newEntry returns the keys of a server that is not in the file yet, in the order
// writeEntry would set them.
func newEntry(name string, p plan) []tomledit.KeyValue {
	keys := make([]tomledit.KeyValue, 0, 4) // command, args, env and one more, as a rule
	w := &writer{name: name, add: func(k string, v any) { keys = append(keys, tomledit.KeyValue{Key: k, Value: v}) }}
	w.write(entry{}, p)
	return keys
}

// writeEntry makes the table of one server hold p, key group by key group. A group whose
// meaning is unchanged is not touched at all, so the user's spelling of it survives (an env
// sub-table, startup_timeout_ms, an integer number of seconds, a {name = …} env_vars entry).
// Keys of the other transport go, because Codex rejects a table that mixes them.
func writeEntry(doc *tomledit.Doc, name string, e entry, p plan) error {
	w := &writer{doc: doc, name: name}
	w.write(e, p)
	return w.err
}

func (w *writer) write(e entry, p plan) {
	var cur *unified.Server
	if e.ok {
		cur = &e.srv
	}
	want := p.srv
	differs := func(get func(s *unified.Server) any) bool {
		return cur == nil || !equalJSON(get(cur), get(&want))
	}
	if differs(func(s *unified.Server) any { return s.Command }) {
		w.setOrDelete("command", want.Command != "", want.Command)
	}
	if differs(func(s *unified.Server) any { return s.Args }) {
		w.setOrDelete("args", len(want.Args) > 0, want.Args)
	}
	if differs(func(s *unified.Server) any { return s.Env }) {
		w.setOrDelete("env", len(p.env) > 0, p.env)
		w.setOrDelete("env_vars", len(p.envVars) > 0, keepForms(e.raw["env_vars"], p.envVars))
	}
	if differs(func(s *unified.Server) any { return s.Cwd }) {
		w.setOrDelete("cwd", want.Cwd != "", want.Cwd)
	}
	if differs(func(s *unified.Server) any { return s.URL }) {
		w.setOrDelete("url", want.URL != "", want.URL)
	}
	if differs(func(s *unified.Server) any { return s.Headers }) {
		w.setOrDelete("bearer_token_env_var", p.bearer != "", p.bearer)
		w.setOrDelete("http_headers", len(p.headers) > 0, p.headers)
		w.setOrDelete("env_http_headers", len(p.envHeaders) > 0, p.envHeaders)
		w.setOrDelete("bearer_token", false, nil)
	}
	if differs(func(s *unified.Server) any { return s.StartupTimeoutMs }) {
		w.setOrDelete("startup_timeout_sec", want.StartupTimeoutMs > 0, seconds(want.StartupTimeoutMs))
		w.setOrDelete("startup_timeout_ms", false, nil)
	}
	if differs(func(s *unified.Server) any { return s.ToolTimeoutMs }) {
		w.setOrDelete("tool_timeout_sec", want.ToolTimeoutMs > 0, seconds(want.ToolTimeoutMs))
	}
	if differs(func(s *unified.Server) any { return s.Tools.Allow }) {
		w.setOrDelete("enabled_tools", len(want.Tools.Allow) > 0, keepOrder(e.raw["enabled_tools"], want.Tools.Allow))
	}
	if differs(func(s *unified.Server) any { return s.Tools.Deny }) {
		w.setOrDelete("disabled_tools", len(want.Tools.Deny) > 0, keepOrder(e.raw["disabled_tools"], want.Tools.Deny))
	}
	if differs(func(s *unified.Server) any { return s.Disabled }) {
		// enabled defaults to true, so an enabled server simply loses the key.
		w.setOrDelete("enabled", want.Disabled, false)
	}
	var curExtras map[string]json.RawMessage
	if cur != nil {
		curExtras = cur.Extras[clientID]
	}
	wantExtras := want.Extras[clientID]
	for _, k := range sortedKeys(curExtras) {
		if _, keep := wantExtras[k]; !keep {
			w.setOrDelete(k, false, nil)
		}
	}
	for _, k := range sortedKeys(wantExtras) {
		if old, ok := curExtras[k]; ok && equalRaw(old, wantExtras[k]) {
			continue
		}
		w.setOrDelete(k, true, p.extras[k])
	}
}

// writer sets and deletes keys of one server table and keeps the first error. With add
// set it only collects the keys to set, for a table that does not exist yet.
type writer struct {
	doc  *tomledit.Doc
	name string
	add  func(key string, v any)
	err  error
}

func (w *writer) setOrDelete(key string, present bool, v any) {
	if w.add != nil {
		if present {
			w.add(key, v)
		}
		return
	}
	if w.err != nil {
		return
	}
	path := []string{serversKey, w.name, key}
	if present {
		w.err = w.doc.Set(path, v)
	} else {
		w.err = w.doc.Delete(path...)
	}
}

// seconds converts milliseconds to the float seconds Codex reads.
func seconds(ms int64) float64 { return float64(ms) / 1000 }

// keepOrder returns want (a set) in the order the existing list had it, new items last in
// sorted order, so that adding one tool does not reorder the user's list.
func keepOrder(existing any, want []string) []string {
	wanted := map[string]bool{}
	for _, s := range want {
		wanted[s] = true
	}
	var out []string
	seen := map[string]bool{}
	if arr, ok := existing.([]any); ok {
		for _, e := range arr {
			if s, ok := e.(string); ok && wanted[s] && !seen[s] {
				out = append(out, s)
				seen[s] = true
			}
		}
	}
	rest := []string{}
	for _, s := range want {
		if !seen[s] {
			rest = append(rest, s)
			seen[s] = true
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// keepForms is keepOrder for env_vars, whose entries may be {name = …, source = "local"}
// tables: an entry that stays keeps its form.
func keepForms(existing any, names []string) []any {
	if len(names) == 0 {
		return nil
	}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	var out []any
	seen := map[string]bool{}
	if arr, ok := existing.([]any); ok {
		for _, e := range arr {
			if n, ok := envVarName(e); ok && wanted[n] && !seen[n] {
				out = append(out, e)
				seen[n] = true
			}
		}
	}
	var rest []string
	for _, n := range names {
		if !seen[n] {
			rest = append(rest, n)
			seen[n] = true
		}
	}
	sort.Strings(rest)
	for _, n := range rest {
		out = append(out, n)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
