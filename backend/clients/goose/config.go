package goose

import (
	"aisync/backend/clients/yamlnode"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/yamledit"
	"aisync/backend/unified"
)

const extensionsKey = "extensions"

// typeOf spells the transports Goose runs the way its config does.
var typeOf = map[unified.Transport]string{
	unified.TransportStdio: "stdio",
	unified.TransportHTTP:  "streamable_http",
}

// notServers are extension types Goose provides itself; they are not MCP servers a user
// configured, so they are left alone without a warning.
var notServers = map[string]bool{"builtin": true, "platform": true, "frontend": true, "inline_python": true}

// The keys the model owns, per kind of extension (Goose's ExtensionConfig variants). Every
// other key (bundled, display_name, …) is kept in Extras["goose"].
var (
	stdioKeys = map[string]bool{"enabled": true, "type": true, "name": true, "description": true, "cmd": true, "args": true,
		"envs": true, "env_keys": true, "timeout": true, "available_tools": true}
	httpKeys = map[string]bool{"enabled": true, "type": true, "name": true, "description": true, "uri": true, "headers": true,
		"envs": true, "env_keys": true, "timeout": true, "available_tools": true}
)

// disallowedEnv are the variables Goose refuses to let an extension override (Envs::
// DISALLOWED_KEYS in crates/goose/src/agents/extension.rs), compared case-insensitively.
var disallowedEnv = map[string]bool{}

func init() {
	for _, k := range []string{"PATH", "PATHEXT", "SystemRoot", "windir", "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT",
		"LD_DEBUG", "LD_BIND_NOW", "LD_ASSUME_KERNEL", "DYLD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_FRAMEWORK_PATH",
		"PYTHONPATH", "PYTHONHOME", "NODE_OPTIONS", "RUBYOPT", "GEM_PATH", "GEM_HOME", "CLASSPATH", "GO111MODULE", "GOROOT",
		"APPINIT_DLLS", "SESSIONNAME", "ComSpec", "TEMP", "TMP", "LOCALAPPDATA", "USERPROFILE", "HOMEDRIVE", "HOMEPATH"} {
		disallowedEnv[strings.ToLower(k)] = true
	}
}

// nameToKey is Goose's name_to_key: the name without whitespace, lowercased.
func nameToKey(name string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, name))
}

func item(name string) string { return "server:" + name }

// entry is one member of the extensions map.
type entry struct {
	key  string
	node *yaml.Node
	keys map[string]bool
	name string
	typ  string
	srv  unified.Server // valid when ok
	ok   bool
	why  string // why it is not read, when not ok and not one of Goose's own extensions
	// envKeys and tools are env_keys and available_tools as the file lists them, so that
	// adding a name keeps the user's order.
	envKeys, tools []string
}

type state struct {
	usable  bool
	root    *yaml.Node // the extensions mapping, nil when absent
	entries []*entry
	byName  map[string][]*entry
	byKey   map[string]*entry
	warns   []clients.Warning
}

func read(path string, doc *yamledit.Doc) *state {
	st := &state{usable: true, byName: map[string][]*entry{}, byKey: map[string]*entry{}}
	root, ok := doc.Get()
	if !ok || yamlnode.IsNull(root) {
		return st
	}
	if root.Kind != yaml.MappingNode {
		st.usable = false
		st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s is not a mapping, so no extension can be read from it or written to it.", path)})
		return st
	}
	m, found := yamlnode.Lookup(root, extensionsKey)
	if !found || (m.Kind != yaml.AliasNode && yamlnode.IsNull(m)) {
		return st
	}
	if m.Kind != yaml.MappingNode {
		st.usable = false
		st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is not a plain mapping, so its extensions are neither read nor written.", extensionsKey, path)})
		return st
	}
	st.root = m
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		e := &entry{}
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			// Goose skips such an entry; so does aisync, and it never writes under that key.
			st.entries = append(st.entries, e)
			continue
		}
		e.key = k.Value
		readEntry(e, m.Content[i+1])
		st.entries = append(st.entries, e)
		st.byKey[e.key] = e
		if e.name != "" {
			st.byName[e.name] = append(st.byName[e.name], e)
		}
	}
	for _, e := range st.entries {
		switch {
		case e.key == "":
		case e.name != "" && len(st.byName[e.name]) > 1:
			e.ok = false
			if st.byName[e.name][0] == e {
				st.warns = append(st.warns, clients.Warning{Item: item(e.name), Code: clients.WarnInvalidName,
					Message: fmt.Sprintf("%d Goose extensions are named %q; none of them is synced, and they are left as they are.", len(st.byName[e.name]), e.name)})
			}
		case e.ok, notServers[e.typ] && e.why == "":
		case e.typ == "sse":
			st.warns = append(st.warns, clients.Warning{Item: item(label(e)), Code: clients.WarnUnsupportedTransport,
				Message: fmt.Sprintf("The Goose extension %q uses SSE, which Goose no longer runs; it is left as it is and not synced.", label(e))})
		default:
			st.warns = append(st.warns, clients.Warning{Item: item(label(e)), Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("The Goose extension %q cannot be read (%s); it is left as it is and not synced.", label(e), e.why)})
		}
	}
	return st
}

func label(e *entry) string {
	if e.name != "" {
		return e.name
	}
	return e.key
}

// readEntry reads one extension the way Goose's ExtensionEntry deserializes it.
func readEntry(e *entry, n *yaml.Node) {
	if v, ok := yamlnode.Lookup(yamlnode.Resolve(n), "name"); ok {
		e.name, _ = yamlnode.AsString(v)
	}
	if v, ok := yamlnode.Lookup(yamlnode.Resolve(n), "type"); ok {
		e.typ, _ = yamlnode.AsString(v)
	}
	if n.Kind == yaml.AliasNode {
		e.why = "it is an alias of another entry"
		return
	}
	ps, problem := yamlnode.Pairs(n)
	if problem != "" {
		e.why = problem
		return
	}
	if notServers[e.typ] || e.typ == "sse" {
		return
	}
	e.node = n
	e.keys = map[string]bool{}
	vals := map[string]*yaml.Node{}
	for _, p := range ps {
		e.keys[p.Key] = true
		vals[p.Key] = p.Val
	}
	fail := func(format string, args ...any) { e.why = fmt.Sprintf(format, args...) }
	s := &e.srv
	switch e.typ {
	case "stdio":
		s.Transport = unified.TransportStdio
	case "streamable_http":
		s.Transport = unified.TransportHTTP
	case "":
		fail("it has no type")
		return
	default:
		fail("Goose's %q extensions have no equivalent", e.typ)
		return
	}
	if e.name == "" {
		fail("it has no name")
		return
	}
	if yamlnode.Anchored(n) {
		fail("it holds an anchor (&name) that other parts of the file refer to")
		return
	}
	stdio := s.Transport == unified.TransportStdio
	owned := httpKeys
	if stdio {
		owned = stdioKeys
	}
	enabled, ok := vals["enabled"]
	if !ok {
		fail("it has no enabled flag, so Goose skips it")
		return
	}
	var on bool
	if b := yamlnode.Resolve(enabled); b.Kind != yaml.ScalarNode || b.ShortTag() != "!!bool" || b.Decode(&on) != nil {
		fail("its enabled flag is not true or false")
		return
	}
	s.Disabled = !on
	if stdio {
		cmd, ok := yamlnode.AsString(vals["cmd"])
		if !ok || cmd == "" {
			fail("it has no cmd")
			return
		}
		args, ok := yamlnode.AsStrings(vals["args"])
		if !ok {
			fail("its args are missing or not a list of strings, so Goose skips it")
			return
		}
		s.Command, s.Args = cmd, args
	} else {
		uri, ok := yamlnode.AsString(vals["uri"])
		if !ok || uri == "" {
			fail("it has no uri")
			return
		}
		s.URL = uri
		if _, ok := vals["description"]; !ok {
			fail("it has no description, so Goose skips it")
			return
		}
		if v, ok := vals["headers"]; ok {
			h, ok := yamlnode.AsStringMap(v)
			if !ok {
				fail("its headers are not a mapping of strings")
				return
			}
			s.Headers = h
		}
	}
	extras := map[string]json.RawMessage{}
	if v, ok := vals["description"]; ok && !yamlnode.IsNull(v) {
		d, ok := yamlnode.AsString(v)
		if !ok {
			fail("its description is not a string")
			return
		}
		if d != "" {
			extras["description"], _ = json.Marshal(d)
		}
	}
	if v, ok := vals["envs"]; ok {
		m, ok := yamlnode.AsStringMap(v)
		if !ok {
			fail("its envs are not a mapping of strings")
			return
		}
		s.Env = m
	}
	if v, ok := vals["env_keys"]; ok {
		keys, ok := yamlnode.AsStrings(v)
		if !ok {
			fail("its env_keys are not a list of names")
			return
		}
		e.envKeys = keys
		for _, k := range keys {
			if _, explicit := s.Env[k]; explicit || k == "" {
				continue // an explicit value is what the extension gets
			}
			if s.Env == nil {
				s.Env = map[string]string{}
			}
			s.Env[k] = unified.EnvRef(k)
		}
	}
	if v, ok := vals["timeout"]; ok && !yamlnode.IsNull(v) {
		f, ok := yamlnode.AsNumber(v)
		if !ok || f <= 0 || f != math.Trunc(f) || f > 1e12 {
			fail("its timeout is not a whole number of seconds")
			return
		}
		s.ToolTimeoutMs = int64(f) * 1000
	}
	if v, ok := vals["available_tools"]; ok {
		tools, ok := yamlnode.AsStrings(v)
		if !ok {
			fail("its available_tools are not a list of names")
			return
		}
		s.Tools.Allow, e.tools = tools, tools
	}
	for _, p := range ps {
		if owned[p.Key] {
			continue
		}
		raw, ok := yamlnode.ToJSON(p.Val)
		if !ok {
			fail("its %s cannot be kept", p.Key)
			return
		}
		extras[p.Key] = raw
	}
	if len(extras) > 0 {
		s.Extras = map[string]map[string]json.RawMessage{ID: extras}
	}
	s.Normalize()
	e.ok = true
}

func decodeConfig(path string, data []byte) (map[string]unified.Server, []clients.Warning, error) {
	doc, err := yamlnode.Parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	st := read(path, doc)
	var out map[string]unified.Server
	for _, e := range st.entries {
		if !e.ok {
			continue
		}
		if out == nil {
			out = map[string]unified.Server{}
		}
		out[e.name] = e.srv
	}
	return out, st.warns, nil
}

// plan is a unified server in Goose's terms: envs holds the literal values, envKeys the
// variables passed on by name; srv is what reading the written entry gives back.
type plan struct {
	srv     unified.Server
	envs    map[string]string
	envKeys []string
}

// planServer checks that Goose can hold s and works out its keys. ok is false (with the
// reason as a warning) when the server cannot be written at all; fields Goose has no place
// for are dropped with a warning.
func planServer(name string, s unified.Server, cur *unified.Server, leftAsIs string) (plan, []clients.Warning, bool) {
	var warns []clients.Warning
	warn := func(code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if typeOf[s.Transport] == "" {
		what := fmt.Sprintf("%q", s.Transport)
		if s.Transport == unified.TransportSSE {
			what = "SSE"
		}
		warn(clients.WarnUnsupportedTransport, "Goose cannot run %s servers; %q is not written%s.", what, name, leftAsIs)
		return plan{}, warns, false
	}
	stdio := s.Transport == unified.TransportStdio
	literal := func(field, v string) bool {
		if _, ok, msg := envref.Encode(v, envref.None); !ok {
			warn(clients.WarnUnsupportedRef, "%s: %s; Goose expands no references in strings, so %q is not written%s.", field, msg, name, leftAsIs)
			return false
		}
		return true
	}
	p := plan{srv: s.Clone()}
	if stdio {
		if !literal("cmd", s.Command) {
			return plan{}, warns, false
		}
		for _, a := range s.Args {
			if !literal("args", a) {
				return plan{}, warns, false
			}
		}
	} else {
		if !literal("uri", s.URL) {
			return plan{}, warns, false
		}
		for _, h := range sortedKeys(s.Headers) {
			if !literal("headers."+h, s.Headers[h]) {
				return plan{}, warns, false
			}
		}
	}
	var refused []string
	for _, k := range sortedKeys(s.Env) {
		v := s.Env[k]
		if old, had := curEnv(cur)[k]; disallowedEnv[strings.ToLower(k)] && !(had && old == v) {
			// One the file already holds is the user's own business and stays.
			refused = append(refused, k)
			delete(p.srv.Env, k)
			continue
		}
		if ref, whole := envref.IsWholeRef(v); whole && ref == k {
			p.envKeys = append(p.envKeys, k)
			continue
		}
		if ref, whole := envref.IsWholeRef(v); whole {
			warn(clients.WarnUnsupportedRef, "env.%s is ${env:%s}; Goose can only pass a variable on under its own name (env_keys: [%s]), so %q is not written%s.", k, ref, ref, name, leftAsIs)
			return plan{}, warns, false
		}
		if !literal("env."+k, v) {
			return plan{}, warns, false
		}
		if p.envs == nil {
			p.envs = map[string]string{}
		}
		p.envs[k] = v
	}
	if len(refused) > 0 {
		warn(clients.WarnDroppedField, "Goose does not let an extension set %s; %s left out of %q.", strings.Join(refused, ", "), plural(len(refused), "it is", "they are"), name)
	}
	drop := func(field, why string) {
		warn(clients.WarnDroppedField, "Goose %s; the %s of %q is not written.", why, field, name)
	}
	if s.Cwd != "" {
		drop("working directory", "has no working directory for extensions")
		p.srv.Cwd = ""
	}
	if s.StartupTimeoutMs > 0 {
		drop("start-up timeout", "has no start-up timeout")
		p.srv.StartupTimeoutMs = 0
	}
	if len(s.Tools.Deny) > 0 {
		drop("tool deny list", "has no tool deny list (available_tools is an allow list)")
		p.srv.Tools.Deny = nil
	}
	if stdio {
		if len(s.Headers) > 0 {
			drop("headers", "sends no headers to a stdio extension")
			p.srv.Headers = nil
		}
		if s.URL != "" {
			drop("URL", "has no URL for a stdio extension")
			p.srv.URL = ""
		}
	} else if s.Command != "" || len(s.Args) > 0 {
		drop("command", "runs no command for a streamable_http extension")
		p.srv.Command, p.srv.Args = "", nil
	}
	p.srv.Normalize()
	return p, warns, true
}

func curEnv(s *unified.Server) map[string]string {
	if s == nil {
		return nil
	}
	return s.Env
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// encodeConfig makes config.yaml hold servers, key by key. Extensions aisync cannot read,
// and Goose's own, are never touched; removed servers go with their comments; new ones are
// added at the end in name order. It returns data itself when nothing changes, nil when
// there was no file and nothing to write.
func encodeConfig(path string, data []byte, servers map[string]unified.Server) ([]byte, []clients.Warning, error) {
	doc, err := yamlnode.Parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	st := read(path, doc)
	var warns []clients.Warning
	if !st.usable {
		if len(servers) > 0 {
			warns = append(warns, st.warns...)
		}
		return data, warns, nil
	}
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	sort.Strings(names)

	cur := map[string]unified.Server{}
	for _, e := range st.entries {
		if e.ok {
			cur[e.name] = e.srv
		}
	}
	taken := map[string]bool{}
	for k := range st.byKey {
		taken[k] = true
	}
	for _, e := range st.entries {
		if _, keep := servers[e.name]; e.ok && !keep {
			if err := doc.Delete(extensionsKey, e.key); err != nil {
				return nil, warns, fmt.Errorf("remove extension %s: %w", e.key, err)
			}
			delete(taken, e.key)
		}
	}
	for _, name := range names {
		want := servers[name].Clone()
		want.Normalize()
		es := st.byName[name]
		var e *entry
		if len(es) == 1 {
			e = es[0]
		}
		leftAsIs := ""
		if len(es) > 0 {
			leftAsIs = ", and its current entry is left as it is"
		}
		switch {
		case name == "" || nameToKey(name) == "":
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnInvalidName,
				Message: "Goose keys extensions by their name without spaces; an empty name cannot be written."})
			continue
		case len(es) > 1 || e != nil && !e.ok:
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("Goose already has an extension named %q that aisync cannot sync; it is left as it is.", name)})
			continue
		}
		if w := wholeSeconds(name, &want, cur); w != nil {
			warns = append(warns, *w)
		}
		var curSrv *unified.Server
		if e != nil {
			curSrv = &e.srv
		}
		p, w, ok := planServer(name, want, curSrv, leftAsIs)
		warns = append(warns, w...)
		if !ok {
			continue
		}
		if e != nil {
			if err := editEntry(doc, e, p); err != nil {
				return nil, warns, fmt.Errorf("write extension %s: %w", e.key, err)
			}
			continue
		}
		key := nameToKey(name)
		if taken[key] {
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("Goose would keep %q under the key %q, which another extension already uses; it is not written.", name, key)})
			continue
		}
		taken[key] = true
		n, err := newEntry(name, p)
		if err != nil {
			return nil, warns, fmt.Errorf("write extension %s: %w", key, err)
		}
		if err := doc.Set([]any{extensionsKey, key}, n); err != nil {
			return nil, warns, fmt.Errorf("write extension %s: %w", key, err)
		}
	}
	if !doc.Changed() {
		return data, warns, nil
	}
	out, err := doc.Bytes()
	if err != nil {
		return nil, warns, fmt.Errorf("render %s: %w", path, err)
	}
	return out, warns, nil
}

// wholeSeconds rounds a tool timeout to the whole seconds Goose parses. One the file already
// holds is left as it is.
func wholeSeconds(name string, s *unified.Server, cur map[string]unified.Server) *clients.Warning {
	ms := s.ToolTimeoutMs
	if ms <= 0 || ms%1000 == 0 {
		return nil
	}
	if c, ok := cur[name]; ok && c.ToolTimeoutMs == ms {
		return nil
	}
	secs := max((ms+500)/1000, 1)
	s.ToolTimeoutMs = secs * 1000
	return &clients.Warning{Item: item(name), Code: clients.WarnDroppedField,
		Message: fmt.Sprintf("Goose takes timeouts in whole seconds; the timeout of %q (%d ms) is written as %d s.", name, ms, secs)}
}

// editEntry makes one extension hold p, key by key: a key whose meaning does not change is
// not touched, so its spelling and comments stay.
func editEntry(doc *yamledit.Doc, e *entry, p plan) error {
	cur, want := e.srv, p.srv
	stdio := want.Transport == unified.TransportStdio
	same := cur.Transport == want.Transport
	var err error
	set := func(k string, v any) {
		if err == nil {
			err = doc.Set([]any{extensionsKey, e.key, k}, v)
		}
	}
	del := func(k string) {
		if err == nil && e.keys[k] {
			err = doc.Delete(extensionsKey, e.key, k)
		}
	}
	// emptyOrDel empties a list or map member that is there (Goose writes them all) and
	// leaves a missing one missing.
	emptyOrDel := func(k string, empty any) {
		if e.keys[k] {
			set(k, empty)
		}
	}
	if !same {
		set("type", typeOf[want.Transport])
	}
	if cur.Disabled != want.Disabled {
		set("enabled", !want.Disabled)
	}
	if stdio {
		if !same || cur.Command != want.Command {
			set("cmd", want.Command)
		}
		if !same || !equalStrings(cur.Args, want.Args) || !e.keys["args"] {
			set("args", nonNil(want.Args))
		}
	} else {
		if !same || cur.URL != want.URL {
			set("uri", want.URL)
		}
		if !same || !equalMaps(cur.Headers, want.Headers) {
			if len(want.Headers) > 0 {
				set("headers", want.Headers)
			} else {
				emptyOrDel("headers", map[string]string{})
			}
		}
		if !e.keys["description"] {
			set("description", "")
		}
	}
	if !equalMaps(cur.Env, want.Env) {
		if len(p.envs) > 0 {
			set("envs", p.envs)
		} else {
			emptyOrDel("envs", map[string]string{})
		}
		if keys := keepOrder(e.envKeys, p.envKeys); len(keys) > 0 {
			set("env_keys", keys)
		} else {
			emptyOrDel("env_keys", []string{})
		}
	}
	if cur.ToolTimeoutMs != want.ToolTimeoutMs {
		if want.ToolTimeoutMs > 0 {
			set("timeout", want.ToolTimeoutMs/1000)
		} else {
			del("timeout")
		}
	}
	if !sameSet(cur.Tools.Allow, want.Tools.Allow) {
		if len(want.Tools.Allow) > 0 {
			set("available_tools", keepOrder(e.tools, want.Tools.Allow))
		} else {
			emptyOrDel("available_tools", []string{})
		}
	}
	curX, wantX := cur.Extras[ID], want.Extras[ID]
	if d, c := wantX["description"], curX["description"]; !yamlnode.EqualJSON(d, c) {
		if v, ok := yamlnode.FromJSON(d); ok && d != nil {
			set("description", v)
		} else if e.keys["description"] {
			set("description", "")
		}
	}
	owned := httpKeys
	if stdio {
		owned = stdioKeys
	}
	for _, pr := range mustPairs(e.node) {
		if owned[pr.Key] {
			continue
		}
		if _, keep := wantX[pr.Key]; !keep {
			del(pr.Key)
		}
	}
	for _, k := range sortedKeys(wantX) {
		if owned[k] {
			continue
		}
		if old, ok := curX[k]; ok && yamlnode.EqualJSON(old, wantX[k]) && e.keys[k] {
			continue
		}
		if v, ok := yamlnode.FromJSON(wantX[k]); ok {
			set(k, v)
		}
	}
	return err
}

func mustPairs(n *yaml.Node) []yamlnode.Pair {
	ps, _ := yamlnode.Pairs(n)
	return ps
}

// newEntry builds an extension in the order Goose itself writes its fields.
func newEntry(name string, p plan) (*yaml.Node, error) {
	s := p.srv
	desc := any("")
	if v, ok := yamlnode.FromJSON(s.Extras[ID]["description"]); ok && s.Extras[ID]["description"] != nil {
		desc = v
	}
	kv := []any{"enabled", !s.Disabled, "type", typeOf[s.Transport], "name", name, "description", desc}
	owned := httpKeys
	if s.Transport == unified.TransportStdio {
		owned = stdioKeys
		kv = append(kv, "cmd", s.Command, "args", nonNil(s.Args))
	} else {
		kv = append(kv, "uri", s.URL)
	}
	if len(p.envs) > 0 {
		kv = append(kv, "envs", p.envs)
	}
	if len(p.envKeys) > 0 {
		kv = append(kv, "env_keys", p.envKeys)
	}
	if len(s.Headers) > 0 {
		kv = append(kv, "headers", s.Headers)
	}
	if s.ToolTimeoutMs > 0 {
		kv = append(kv, "timeout", s.ToolTimeoutMs/1000)
	}
	for _, k := range sortedKeys(s.Extras[ID]) {
		if owned[k] {
			continue
		}
		if v, ok := yamlnode.FromJSON(s.Extras[ID][k]); ok {
			kv = append(kv, k, v)
		}
	}
	if len(s.Tools.Allow) > 0 {
		kv = append(kv, "available_tools", s.Tools.Allow)
	}
	return yamlnode.Mapping(kv...)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// keepOrder returns want (a set) in the order the existing list had it, new names last in
// sorted order, so that adding one name does not reorder the user's list.
func keepOrder(existing, want []string) []string {
	wanted := map[string]bool{}
	for _, s := range want {
		wanted[s] = true
	}
	out := []string{}
	seen := map[string]bool{}
	for _, s := range existing {
		if wanted[s] && !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	var rest []string
	for _, s := range want {
		if !seen[s] {
			rest = append(rest, s)
			seen[s] = true
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func sameSet(a, b []string) bool {
	return strings.Join(keepOrder(nil, a), "\x00") == strings.Join(keepOrder(nil, b), "\x00")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
