package continuedev

import (
	"aisync/backend/clients/yamlnode"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/yamledit"
	"aisync/backend/unified"
)

const serversKey = "mcpServers"

// typeOf spells each transport the way Continue's schema does.
var typeOf = map[unified.Transport]string{
	unified.TransportStdio: "stdio",
	unified.TransportHTTP:  "streamable-http",
	unified.TransportSSE:   "sse",
}

// The keys the model owns, per kind of entry. Every other key of an entry is kept in
// Extras["continue"] (serverName, faviconUrl, apiKey, …) and written back as it was.
var (
	stdioKeys  = map[string]bool{"name": true, "type": true, "command": true, "args": true, "env": true, "cwd": true, "connectionTimeout": true}
	remoteKeys = map[string]bool{"name": true, "type": true, "url": true, "requestOptions": true, "connectionTimeout": true}
)

// roExtra is the Extras key that holds the members of requestOptions other than headers
// (proxy, TLS and timeout settings), so that editing the headers keeps them.
const roExtra = "requestOptions"

func item(name string) string { return "server:" + name }

// entry is one item of the mcpServers list.
type entry struct {
	index int
	node  *yaml.Node // the item's mapping; nil when it is not one
	keys  map[string]bool
	name  string
	srv   unified.Server // valid when ok
	ok    bool
	why   string // why it is not read, when not ok
	hub   string // the block a "uses:" item pulls in
	// raw holds the strings as the file spells them (before ${{ secrets.X }} became
	// ${env:X}), so that an unchanged value keeps its spelling when its neighbours change.
	rawArgs    []string
	rawEnv     map[string]string
	rawHeaders map[string]string
}

// state is what config.yaml holds for the codec.
type state struct {
	usable  bool // the document and its mcpServers have a shape aisync can edit
	entries []*entry
	byName  map[string]*entry
	warns   []clients.Warning
}

func read(path string, doc *yamledit.Doc) *state {
	st := &state{usable: true, byName: map[string]*entry{}}
	root, ok := doc.Get()
	if !ok || yamlnode.IsNull(root) {
		return st
	}
	if root.Kind != yaml.MappingNode {
		st.usable = false
		st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s is not a mapping, so no MCP server can be read from it or written to it.", path)})
		return st
	}
	seq, found := yamlnode.Lookup(root, serversKey)
	if !found || (seq.Kind != yaml.AliasNode && yamlnode.IsNull(seq)) {
		return st
	}
	if seq.Kind != yaml.SequenceNode {
		st.usable = false
		st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is not a plain list, so its MCP servers are neither read nor written.", serversKey, path)})
		return st
	}
	count := map[string]int{}
	for i, n := range seq.Content {
		e := &entry{index: i}
		readEntry(e, n)
		st.entries = append(st.entries, e)
		if e.name != "" {
			count[e.name]++
			st.byName[e.name] = e
		}
	}
	for _, e := range st.entries {
		switch {
		case e.hub != "":
			st.warns = append(st.warns, clients.Warning{Item: item(e.hub), Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("The hub block %q in %s is not synced; it is left as it is.", e.hub, serversKey)})
		case e.name != "" && count[e.name] > 1:
			e.ok = false
			if st.byName[e.name] == e { // one warning per name
				st.warns = append(st.warns, clients.Warning{Item: item(e.name), Code: clients.WarnInvalidName,
					Message: fmt.Sprintf("Continue's config lists %q %d times; none of them is synced, and they are left as they are.", e.name, count[e.name])})
			}
		case !e.ok && e.name != "":
			st.warns = append(st.warns, clients.Warning{Item: item(e.name), Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("The Continue server %q cannot be read (%s); it is left as it is and not synced.", e.name, e.why)})
		case !e.ok:
			st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("Item %d of %s cannot be read (%s); it is left as it is.", e.index+1, serversKey, e.why)})
		}
	}
	return st
}

// readEntry reads one item the way Continue's schema does: a command makes a stdio server
// (type stdio is optional), a url a remote one (type sse or streamable-http; without a type
// Continue tries streamable HTTP first, so it reads as HTTP).
func readEntry(e *entry, n *yaml.Node) {
	// The name is read first, so that an item that cannot be read still keeps its name
	// taken: aisync never appends a second item of the same name next to it.
	if v, ok := yamlnode.Lookup(yamlnode.Resolve(n), "name"); ok {
		e.name, _ = yamlnode.AsString(v)
	}
	if n.Kind == yaml.AliasNode {
		e.why = "it is an alias of another item"
		return
	}
	ps, problem := yamlnode.Pairs(n)
	if problem != "" {
		e.why = problem
		return
	}
	e.node = n
	e.keys = map[string]bool{}
	vals := map[string]*yaml.Node{}
	for _, p := range ps {
		if e.keys[p.Key] {
			e.why = fmt.Sprintf("it has %s twice", p.Key)
			return
		}
		e.keys[p.Key] = true
		vals[p.Key] = p.Val
	}
	if v, ok := vals["uses"]; ok {
		e.hub, _ = yamlnode.AsString(v)
		if e.hub == "" {
			e.hub = "(unnamed)"
		}
		e.why = "it is a hub block"
		return
	}
	if e.name == "" {
		e.why = "it has no name"
		return
	}
	if yamlnode.Anchored(n) {
		e.why = "it holds an anchor (&name) that other parts of the file refer to"
		return
	}
	s := &e.srv
	fail := func(format string, args ...any) { e.why = fmt.Sprintf(format, args...) }

	str := func(k string) (string, bool) {
		v, ok := vals[k]
		if !ok {
			return "", true
		}
		x, isStr := yamlnode.AsString(v)
		if !isStr {
			fail("its %s is not a string", k)
		}
		return x, isStr
	}
	typ, ok := str("type")
	if !ok {
		return
	}
	command, ok := str("command")
	if !ok {
		return
	}
	url, ok := str("url")
	if !ok {
		return
	}
	_, hasType := vals["type"]
	switch {
	case typ == "stdio" || !hasType && command != "":
		s.Transport = unified.TransportStdio
	case typ == "sse":
		s.Transport = unified.TransportSSE
	case typ == "streamable-http" || !hasType && url != "":
		s.Transport = unified.TransportHTTP
	case hasType:
		fail("Continue's %q transport has no equivalent", typ)
		return
	default:
		fail("it has neither a command nor a url")
		return
	}
	stdio := s.Transport == unified.TransportStdio
	if stdio && command == "" {
		fail("a stdio server needs a command")
		return
	}
	if !stdio && url == "" {
		fail("a remote server needs a url")
		return
	}
	owned := remoteKeys
	if stdio {
		owned = stdioKeys
	}
	extras := map[string]json.RawMessage{}
	for _, p := range ps {
		k, v := p.Key, p.Val
		if !owned[k] {
			raw, ok := yamlnode.ToJSON(v)
			if !ok {
				fail("its %s cannot be kept", k)
				return
			}
			extras[k] = raw
			continue
		}
		switch k {
		case "command":
			s.Command = command
		case "url":
			s.URL = url
		case "args":
			list, ok := yamlnode.AsStrings(v)
			if !ok {
				fail("its args are not a list of strings")
				return
			}
			s.Args, e.rawArgs = list, append([]string(nil), list...)
		case "env":
			m, ok := yamlnode.AsStringMap(v)
			if !ok {
				fail("its env is not a mapping of strings")
				return
			}
			s.Env, e.rawEnv = m, maps.Clone(m)
		case "cwd":
			if s.Cwd, ok = str("cwd"); !ok {
				return
			}
		case "connectionTimeout":
			f, ok := yamlnode.AsNumber(v)
			if !ok || f <= 0 || f > 1e15 || math.Round(f) == 0 {
				fail("its connectionTimeout is not a positive number of milliseconds")
				return
			}
			s.StartupTimeoutMs = int64(math.Round(f))
		case "requestOptions":
			if yamlnode.IsNull(v) {
				raw, _ := yamlnode.ToJSON(v)
				extras[roExtra] = raw
				continue
			}
			ps, problem := yamlnode.Pairs(yamlnode.Resolve(v))
			if problem != "" {
				fail("its requestOptions: %s", problem)
				return
			}
			rest := map[string]json.RawMessage{}
			for _, rp := range ps {
				if rp.Key == "headers" {
					h, ok := yamlnode.AsStringMap(rp.Val)
					if !ok {
						fail("its requestOptions.headers is not a mapping of strings")
						return
					}
					s.Headers, e.rawHeaders = h, maps.Clone(h)
					continue
				}
				raw, ok := yamlnode.ToJSON(rp.Val)
				if !ok {
					fail("its requestOptions.%s cannot be kept", rp.Key)
					return
				}
				rest[rp.Key] = raw
			}
			if len(rest) > 0 || len(ps) == 0 {
				b, _ := json.Marshal(rest)
				extras[roExtra] = b
			}
		}
	}
	if len(extras) > 0 {
		s.Extras = map[string]map[string]json.RawMessage{ID: extras}
	}
	envref.DecodeServer(s, envref.ContinueSecrets)
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

// encodeConfig makes config.yaml hold servers. Items are edited key by key (a key whose
// meaning does not change keeps its bytes and comments), removed items go with their
// comments, new ones are appended in name order, and items aisync cannot read are never
// touched. It returns data itself when nothing changes, nil when there was no file and
// nothing to write.
func encodeConfig(path string, data []byte, servers map[string]unified.Server) ([]byte, []clients.Warning, error) {
	doc, err := yamlnode.Parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	st := read(path, doc)
	var warns []clients.Warning
	warn := func(name, code, format string, args ...any) {
		warns = append(warns, clients.Warning{Item: item(name), Code: code, Message: fmt.Sprintf(format, args...)})
	}
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

	type edit struct {
		e         *entry
		want, enc unified.Server
	}
	var edits []edit
	var adds []string
	encoded := map[string]unified.Server{}
	remove := map[int]bool{}
	for _, e := range st.entries {
		if _, keep := servers[e.name]; e.ok && !keep {
			remove[e.index] = true
		}
	}
	for _, name := range names {
		want := servers[name].Clone()
		want.Normalize()
		e := st.byName[name]
		leftAsIs := ""
		if e != nil {
			leftAsIs = ", and its current entry is left as it is"
		}
		switch {
		case name == "":
			warn(name, clients.WarnInvalidName, "A server with an empty name cannot be written to Continue.")
			continue
		case e != nil && !e.ok:
			warn(name, clients.WarnUnsupportedEntry, "Continue's config already has an entry %q that aisync cannot read; it is left as it is.", name)
			continue
		case typeOf[want.Transport] == "":
			warn(name, clients.WarnUnsupportedTransport, "Continue cannot run %q servers; %q is not written%s.", want.Transport, name, leftAsIs)
			continue
		case want.Disabled:
			warn(name, clients.WarnDroppedField, "%q is disabled, and Continue has no way to keep a server switched off; it is left out of config.yaml until it is enabled again.", name)
			if e != nil {
				remove[e.index] = true
			}
			continue
		}
		enc := want.Clone()
		if problems := envref.EncodeServer(&enc, envref.ContinueSecrets); len(problems) > 0 {
			warn(name, clients.WarnUnsupportedRef, "Continue cannot express %s; %q is not written%s.", strings.Join(problems, "; "), name, leftAsIs)
			continue
		}
		warns = append(warns, dropped(name, want)...)
		encoded[name] = enc
		if e != nil {
			edits = append(edits, edit{e, want, enc})
		} else {
			adds = append(adds, name)
		}
	}
	for _, ed := range edits {
		if err := editEntry(doc, ed.e, ed.want, ed.enc); err != nil {
			return nil, warns, fmt.Errorf("write server %s: %w", ed.e.name, err)
		}
	}
	idx := make([]int, 0, len(remove))
	for i := range remove {
		idx = append(idx, i)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(idx)))
	for _, i := range idx {
		if err := doc.Delete(serversKey, i); err != nil {
			return nil, warns, fmt.Errorf("remove item %d of %s: %w", i+1, serversKey, err)
		}
	}
	if len(adds) > 0 {
		if root, ok := doc.Get(); !ok || yamlnode.IsNull(root) {
			// A new config.yaml needs the header Continue's schema requires.
			for _, kv := range [][2]string{{"name", "Local Config"}, {"version", "1.0.0"}, {"schema", "v1"}} {
				if err := doc.Set([]any{kv[0]}, kv[1]); err != nil {
					return nil, warns, fmt.Errorf("write %s: %w", kv[0], err)
				}
			}
		}
	}
	for _, name := range adds {
		n, err := newEntry(name, servers[name], encoded[name])
		if err != nil {
			return nil, warns, fmt.Errorf("write server %s: %w", name, err)
		}
		if err := doc.Append([]any{serversKey}, n); err != nil {
			return nil, warns, fmt.Errorf("write server %s: %w", name, err)
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

// dropped lists the fields of s that Continue has no key for.
func dropped(name string, s unified.Server) []clients.Warning {
	var out []clients.Warning
	drop := func(field, why string) {
		out = append(out, clients.Warning{Item: item(name), Code: clients.WarnDroppedField,
			Message: fmt.Sprintf("Continue %s; the %s of %q is not written.", why, field, name)})
	}
	stdio := s.Transport == unified.TransportStdio
	if stdio {
		if len(s.Headers) > 0 {
			drop("headers", "sends no headers to a stdio server")
		}
		if s.URL != "" {
			drop("URL", "has no URL for a stdio server")
		}
	} else {
		if s.Command != "" || len(s.Args) > 0 {
			drop("command", "runs no command for a remote server")
		}
		if len(s.Env) > 0 {
			drop("environment", "has no environment for a remote server")
		}
		if s.Cwd != "" {
			drop("working directory", "has no working directory for a remote server")
		}
	}
	if s.ToolTimeoutMs > 0 {
		drop("tool timeout", "has no per-server tool timeout")
	}
	if len(s.Tools.Allow) > 0 || len(s.Tools.Deny) > 0 {
		drop("tool allow/deny list", "has no per-server tool filter")
	}
	return out
}

// requestOptions is the value of requestOptions for a remote server: the members kept in
// Extras plus the headers. ok is false when there is nothing to write.
func requestOptions(want, enc unified.Server, rawHeaders map[string]string, cur unified.Server) (map[string]any, bool) {
	out := map[string]any{}
	if raw, ok := want.Extras[ID][roExtra]; ok {
		if v, ok := yamlnode.FromJSON(raw); ok {
			if m, ok := v.(map[string]any); ok {
				for k, x := range m {
					if k != "headers" {
						out[k] = x
					}
				}
			}
		}
	}
	if len(want.Headers) > 0 {
		out["headers"] = keepSpelling(cur.Headers, want.Headers, enc.Headers, rawHeaders)
	}
	return out, len(out) > 0
}

// editEntry makes one item hold want, key by key.
func editEntry(doc *yamledit.Doc, e *entry, want, enc unified.Server) error {
	cur := e.srv
	stdio := want.Transport == unified.TransportStdio
	same := (cur.Transport == unified.TransportStdio) == stdio // same kind of entry
	var err error
	set := func(k string, v any) {
		if err == nil {
			err = doc.Set([]any{serversKey, e.index, k}, v)
		}
	}
	del := func(k string) {
		if err == nil && e.keys[k] {
			err = doc.Delete(serversKey, e.index, k)
		}
	}
	switch {
	case e.keys["type"] && cur.Transport != want.Transport:
		set("type", typeOf[want.Transport])
	case !e.keys["type"] && !stdio && !(cur.Transport == unified.TransportHTTP && want.Transport == unified.TransportHTTP):
		set("type", typeOf[want.Transport])
	}
	if stdio {
		if !same || cur.Command != want.Command || !e.keys["command"] {
			set("command", enc.Command)
		}
		switch {
		case len(want.Args) > 0:
			if !same || !equalStrings(cur.Args, want.Args) || !e.keys["args"] {
				set("args", keepListSpelling(cur.Args, want.Args, enc.Args, e.rawArgs, same))
			}
		case same && len(cur.Args) > 0:
			del("args")
		}
		switch {
		case len(want.Env) > 0:
			if !same || !equalMaps(cur.Env, want.Env) || !e.keys["env"] {
				var curEnv map[string]string
				if same {
					curEnv = cur.Env
				}
				set("env", keepSpelling(curEnv, want.Env, enc.Env, e.rawEnv))
			}
		case same && len(cur.Env) > 0:
			del("env")
		}
		switch {
		case want.Cwd != "":
			if !same || cur.Cwd != want.Cwd || !e.keys["cwd"] {
				set("cwd", enc.Cwd)
			}
		case same && cur.Cwd != "":
			del("cwd")
		}
	} else {
		if !same || cur.URL != want.URL || !e.keys["url"] {
			set("url", enc.URL)
		}
		curRO, wantRO := cur.Extras[ID][roExtra], want.Extras[ID][roExtra]
		unchanged := same && equalMaps(cur.Headers, want.Headers) && (curRO == nil) == (wantRO == nil) && (curRO == nil || yamlnode.EqualJSON(curRO, wantRO))
		if !unchanged {
			var curHeaders map[string]string
			if same {
				curHeaders = cur.Headers
			}
			if v, ok := requestOptions(want, enc, e.rawHeaders, unified.Server{Headers: curHeaders}); ok {
				set("requestOptions", v)
			} else {
				del("requestOptions")
			}
		}
	}
	switch {
	case want.StartupTimeoutMs > 0:
		if cur.StartupTimeoutMs != want.StartupTimeoutMs || !e.keys["connectionTimeout"] {
			set("connectionTimeout", want.StartupTimeoutMs)
		}
	case cur.StartupTimeoutMs > 0:
		del("connectionTimeout")
	}

	owned := remoteKeys
	if stdio {
		owned = stdioKeys
	}
	curX, wantX := cur.Extras[ID], want.Extras[ID]
	for _, p := range mustPairs(e.node) {
		if owned[p.Key] {
			continue
		}
		if _, keep := wantX[p.Key]; !keep {
			del(p.Key)
		}
	}
	keys := make([]string, 0, len(wantX))
	for k := range wantX {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if owned[k] || k == roExtra && !stdio {
			continue
		}
		if old, ok := curX[k]; ok && yamlnode.EqualJSON(old, wantX[k]) && e.keys[k] {
			continue
		}
		v, ok := yamlnode.FromJSON(wantX[k])
		if !ok {
			continue
		}
		set(k, v)
	}
	return err
}

func mustPairs(n *yaml.Node) []yamlnode.Pair {
	ps, _ := yamlnode.Pairs(n)
	return ps
}

// newEntry builds the item for a new server, keys in the order Continue's docs write them.
func newEntry(name string, want, enc unified.Server) (*yaml.Node, error) {
	kv := []any{"name", name}
	if want.Transport == unified.TransportStdio {
		kv = append(kv, "command", enc.Command)
		if len(enc.Args) > 0 {
			kv = append(kv, "args", enc.Args)
		}
		if len(enc.Env) > 0 {
			kv = append(kv, "env", enc.Env)
		}
		if enc.Cwd != "" {
			kv = append(kv, "cwd", enc.Cwd)
		}
	} else {
		kv = append(kv, "type", typeOf[want.Transport], "url", enc.URL)
		if ro, ok := requestOptions(want, enc, nil, unified.Server{}); ok {
			kv = append(kv, "requestOptions", ro)
		}
	}
	if want.StartupTimeoutMs > 0 {
		kv = append(kv, "connectionTimeout", want.StartupTimeoutMs)
	}
	owned := remoteKeys
	if want.Transport == unified.TransportStdio {
		owned = stdioKeys
	}
	extras := want.Extras[ID]
	keys := make([]string, 0, len(extras))
	for k := range extras {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if owned[k] || k == roExtra && want.Transport != unified.TransportStdio {
			continue
		}
		if v, ok := yamlnode.FromJSON(extras[k]); ok {
			kv = append(kv, k, v)
		}
	}
	return yamlnode.Mapping(kv...)
}

// keepSpelling returns the map to write: values whose meaning did not change keep the
// file's spelling (${{secrets.X}} stays without spaces), the others are the new ones.
func keepSpelling(cur, want, enc, raw map[string]string) map[string]string {
	out := make(map[string]string, len(want))
	for k := range want {
		if c, ok := cur[k]; ok && c == want[k] {
			if r, ok := raw[k]; ok {
				out[k] = r
				continue
			}
		}
		out[k] = enc[k]
	}
	return out
}

func keepListSpelling(cur, want, enc, raw []string, same bool) []string {
	out := make([]string, len(want))
	for i := range want {
		if same && i < len(cur) && i < len(raw) && cur[i] == want[i] {
			out[i] = raw[i]
		} else {
			out[i] = enc[i]
		}
	}
	return out
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
