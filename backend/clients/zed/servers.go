package zed

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

const serversKey = "context_servers"

// servers is Zed's flavour of the shared codec: entries are untagged (a command means stdio,
// a url streamable HTTP; there is no SSE), "enabled": false switches one off, and "timeout"
// is the per-server tool-call timeout in whole seconds. Members the model does not name
// ("remote", "oauth", "source") are kept in Extras["zed"].
var servers = mcpjson.Dialect{
	Client: ID, Name: "Zed", Root: []string{serversKey}, Syntax: envref.None,
	Types:      map[unified.Transport]string{unified.TransportStdio: "", unified.TransportHTTP: ""},
	URLDefault: unified.TransportHTTP, URLFields: []string{"url"}, Headers: true,
	Disabled: mcpjson.EnabledFlag, DisabledKey: "enabled",
	Timeout: mcpjson.Timeout{Field: "timeout", UnitMs: 1000, Min: 1},
}

func item(name string) string { return "server:" + name }

// legacyEntry is a server in the older form Zed still reads:
//
//	"name": { "source": "custom", "command": { "path": "npx", "args": [...], "env": {...} } }
//
// The shared codec cannot read it (its command is an object), so this file reads and edits
// it, keeping the form: Zed's docs and older installs still write it this way.
type legacyEntry struct {
	server unified.Server // valid when ok
	ok     bool
	why    string // why it cannot be read, when not ok
	// raw are the members of the command object as found, for keeping their bytes when
	// their meaning does not change (an "env": null, a timeout of 60.0).
	raw map[string]json.RawMessage
}

// entryKind tells the untagged variants apart the way Zed's settings loader does.
func entryKind(raw json.RawMessage) string {
	var top map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &top) != nil {
		return "other"
	}
	cmd, hasCmd := top["command"]
	_, hasURL := top["url"]
	switch {
	case hasCmd && len(cmd) > 0 && cmd[0] == '{' && !hasURL:
		// With a url as well, Zed reads the entry as a remote server and ignores the
		// command object, and so does the shared codec (it keeps the object as an extra).
		return "legacy"
	case !hasCmd && !hasURL:
		// Everything in Zed's Extension variant is optional, so an entry with neither a
		// command nor a url is a server some installed extension provides.
		return "extension"
	}
	return "other"
}

// readLegacy reads every entry in the older form, by name.
func readLegacy(doc *jsonedit.Doc) map[string]*legacyEntry {
	out := map[string]*legacyEntry{}
	for _, name := range doc.Keys(serversKey) {
		raw, _ := doc.Get(serversKey, name)
		if entryKind(raw) != "legacy" {
			continue
		}
		out[name] = readLegacyEntry(doc, name, raw)
	}
	return out
}

func readLegacyEntry(doc *jsonedit.Doc, name string, raw json.RawMessage) *legacyEntry {
	e := &legacyEntry{raw: map[string]json.RawMessage{}}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top) // entryKind checked it is an object
	s := unified.Server{Transport: unified.TransportStdio}
	extras := map[string]json.RawMessage{}
	for k, v := range top {
		switch k {
		case "command":
		case "enabled":
			switch string(v) {
			case "true":
			case "false":
				s.Disabled = true
			default:
				extras[k] = v
			}
		default:
			extras[k] = v
		}
	}
	for _, k := range doc.Keys(serversKey, name, "command") {
		v, _ := doc.Get(serversKey, name, "command", k)
		e.raw[k] = v
		switch k {
		case "path":
			if err := json.Unmarshal(v, &s.Command); err != nil || v[0] != '"' || s.Command == "" {
				e.why = "command.path is not a program name"
				return e
			}
		case "args":
			if err := json.Unmarshal(v, &s.Args); err != nil || v[0] != '[' {
				e.why = "command.args is not a list of strings"
				return e
			}
		case "env":
			if string(v) == "null" {
				continue
			}
			if err := json.Unmarshal(v, &s.Env); err != nil || v[0] != '{' {
				e.why = "command.env is not an object of strings"
				return e
			}
		case "timeout":
			var n float64
			if err := json.Unmarshal(v, &n); err != nil || n <= 0 || math.IsInf(n, 0) || n > 1e12 {
				e.why = "command.timeout is not a number of seconds"
				return e
			}
			s.ToolTimeoutMs = int64(math.Round(n * 1000))
		default:
			e.why = fmt.Sprintf("command.%s is not something aisync knows how to keep", k)
			return e
		}
	}
	if s.Command == "" {
		e.why = "its command object has no path"
		return e
	}
	if s.ToolTimeoutMs == 0 && e.raw["timeout"] != nil {
		e.why = "command.timeout is too small to keep"
		return e
	}
	if len(extras) > 0 {
		s.Extras = map[string]map[string]json.RawMessage{ID: extras}
	}
	s.Normalize()
	e.server, e.ok = s, true
	return e
}

// decodeSettings reads one settings.json: the servers of both forms and, for the user's
// file, the MCP tool permissions.
func decodeSettings(ep clients.Endpoint, data []byte) (unified.Config, []clients.Warning, error) {
	doc, err := mcpjson.Parse(ep.Path, data, ep.Format)
	if err != nil {
		return unified.Config{}, nil, err
	}
	var cfg unified.Config
	var warns []clients.Warning
	if ep.Has(unified.SectionServers) {
		srvs, w, err := decodeServers(doc)
		if err != nil {
			return unified.Config{}, w, fmt.Errorf("%s: %w", ep.Path, err)
		}
		warns = append(warns, w...)
		if len(srvs) > 0 {
			cfg.Servers = srvs
		}
	}
	if ep.Has(unified.SectionPermissions) {
		perms, w := decodePermissions(doc)
		warns = append(warns, w...)
		cfg.Permissions = perms
	}
	return cfg, warns, nil
}

func decodeServers(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error) {
	srvs, w, err := servers.DecodeDoc(doc)
	if err != nil {
		return nil, w, err
	}
	legacy := readLegacy(doc)
	var warns []clients.Warning
	for _, x := range w {
		name := strings.TrimPrefix(x.Item, "server:")
		if x.Code != clients.WarnUnsupportedEntry || x.Item == name {
			warns = append(warns, x)
			continue
		}
		raw, _ := doc.Get(serversKey, name)
		switch entryKind(raw) {
		case "legacy":
			if l := legacy[name]; l != nil && !l.ok {
				x.Message = fmt.Sprintf("The Zed server %q cannot be read (%s); it is left as it is and not synced.", name, l.why)
				warns = append(warns, x)
			}
		case "extension":
			x.Message = fmt.Sprintf("The Zed server %q is provided by a Zed extension (it has settings but no command or url); it is left as it is and not synced.", name)
			warns = append(warns, x)
		default:
			warns = append(warns, x)
		}
	}
	for name, l := range legacy {
		if l.ok {
			srvs[name] = l.server
		}
	}
	return srvs, warns, nil
}

// encodeSettings makes one settings.json hold cfg, editing it in place. It returns data
// itself when nothing changes, and nil when there was no file and nothing to write.
func encodeSettings(ep clients.Endpoint, data []byte, cfg unified.Config) ([]byte, []clients.Warning, error) {
	doc, err := mcpjson.Parse(ep.Path, data, ep.Format)
	if err != nil {
		return nil, nil, err
	}
	var warns []clients.Warning
	if ep.Has(unified.SectionServers) {
		w, err := encodeServers(doc, cfg.Servers)
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, fmt.Errorf("%s: %w", ep.Path, err)
		}
	}
	if ep.Has(unified.SectionPermissions) {
		w, err := encodePermissions(doc, cfg.Permissions)
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, fmt.Errorf("%s: %w", ep.Path, err)
		}
	}
	if !doc.Changed() {
		return data, warns, nil
	}
	return doc.Bytes(), warns, nil
}

func encodeServers(doc *jsonedit.Doc, wanted map[string]unified.Server) ([]clients.Warning, error) {
	cur, _, err := servers.DecodeDoc(doc)
	if err != nil {
		return nil, err
	}
	legacy := readLegacy(doc)
	for name, l := range legacy {
		if l.ok {
			cur[name] = l.server
		}
	}
	want := make(map[string]unified.Server, len(wanted))
	for name, s := range wanted {
		s.Normalize()
		want[name] = s
	}
	warns := wholeSeconds(want, cur)

	flat := map[string]unified.Server{}
	for name, s := range want {
		if l := legacy[name]; l == nil || !l.ok {
			flat[name] = s
		}
	}
	names := make([]string, 0, len(legacy))
	for name := range legacy {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l := legacy[name]
		if !l.ok {
			continue // the shared codec reports it if it is wanted, and leaves it alone
		}
		s, keep := want[name]
		switch {
		case !keep:
			if err := doc.Delete(serversKey, name); err != nil {
				return warns, fmt.Errorf("remove server %s: %w", name, err)
			}
		case s.Transport == unified.TransportHTTP:
			// The older form has no URL: the entry is replaced by a new one in today's form.
			if err := doc.Delete(serversKey, name); err != nil {
				return warns, fmt.Errorf("replace server %s: %w", name, err)
			}
			flat[name] = s
		case s.Transport != unified.TransportStdio:
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedTransport,
				Message: fmt.Sprintf("Zed cannot run %s servers; %q is not written, and its current entry is left as it is.", s.Transport, name)})
		default:
			w, err := editLegacy(doc, name, l, s)
			warns = append(warns, w...)
			if err != nil {
				return warns, err
			}
		}
	}
	w, err := servers.EncodeDoc(doc, flat)
	return append(warns, w...), err
}

// wholeSeconds rounds tool timeouts to whole seconds, the only unit Zed parses (an integer
// number of seconds). A timeout the file already holds is left as it is, so a file with a
// fractional timeout is not rewritten by a sync that changes nothing.
func wholeSeconds(want, cur map[string]unified.Server) []clients.Warning {
	var warns []clients.Warning
	for name, s := range want {
		ms := s.ToolTimeoutMs
		if ms <= 0 || ms%1000 == 0 {
			continue
		}
		if c, ok := cur[name]; ok && c.ToolTimeoutMs == ms {
			continue
		}
		secs := max((ms+500)/1000, 1)
		s.ToolTimeoutMs = secs * 1000
		want[name] = s
		warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnDroppedField,
			Message: fmt.Sprintf("Zed takes timeouts in whole seconds; the timeout of %q (%d ms) is written as %d s.", name, ms, secs)})
	}
	return warns
}

// editLegacy makes an entry in the older form hold want, member by member: jsonedit leaves
// every member whose value does not change exactly as written.
func editLegacy(doc *jsonedit.Doc, name string, l *legacyEntry, want unified.Server) ([]clients.Warning, error) {
	var warns []clients.Warning
	enc := want.Clone()
	if problems := envref.EncodeServer(&enc, envref.None); len(problems) > 0 {
		return []clients.Warning{{Item: item(name), Code: clients.WarnUnsupportedRef,
			Message: fmt.Sprintf("Zed cannot express %s; %q is not written, and its current entry is left as it is.", strings.Join(problems, "; "), name)}}, nil
	}
	drop := func(what string) {
		warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnDroppedField,
			Message: fmt.Sprintf("Zed has no %s for a stdio server; the %s of %q is not written.", what, what, name)})
	}
	if want.Cwd != "" {
		drop("working directory")
	}
	if len(want.Headers) > 0 {
		drop("headers")
	}
	if want.URL != "" {
		drop("URL")
	}
	if want.StartupTimeoutMs > 0 {
		drop("start-up timeout")
	}
	if len(want.Tools.Allow) > 0 || len(want.Tools.Deny) > 0 {
		drop("tool allow/deny list")
	}

	cur := l.server
	members := map[string]json.RawMessage{"path": marshal(enc.Command)}
	if len(want.Args) > 0 {
		members["args"] = marshal(enc.Args)
	}
	switch {
	case len(want.Env) > 0:
		members["env"] = marshal(enc.Env)
	case len(cur.Env) == 0 && l.raw["env"] != nil:
		members["env"] = l.raw["env"] // an empty or null env the user wrote stays
	}
	switch {
	case want.ToolTimeoutMs > 0 && want.ToolTimeoutMs == cur.ToolTimeoutMs && l.raw["timeout"] != nil:
		members["timeout"] = l.raw["timeout"]
	case want.ToolTimeoutMs > 0:
		members["timeout"] = json.RawMessage(fmt.Sprint(want.ToolTimeoutMs / 1000))
	}
	order := doc.Keys(serversKey, name, "command")
	for _, k := range []string{"path", "args", "env", "timeout"} {
		if _, had := l.raw[k]; !had {
			order = append(order, k)
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for _, k := range order {
		v, ok := members[k]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(marshal(k))
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	if err := doc.Set([]string{serversKey, name, "command"}, json.RawMessage(b.String())); err != nil {
		return warns, fmt.Errorf("write server %s: %w", name, err)
	}

	switch {
	case want.Disabled && !cur.Disabled:
		if err := doc.Set([]string{serversKey, name, "enabled"}, false); err != nil {
			return warns, fmt.Errorf("write server %s: %w", name, err)
		}
	case !want.Disabled && cur.Disabled:
		if err := doc.Set([]string{serversKey, name, "enabled"}, true); err != nil {
			return warns, fmt.Errorf("write server %s: %w", name, err)
		}
	}

	curX, wantX := cur.Extras[ID], want.Extras[ID]
	for _, k := range sortedKeys(curX) {
		if _, keep := wantX[k]; !keep {
			if err := doc.Delete(serversKey, name, k); err != nil {
				return warns, fmt.Errorf("write server %s: %w", name, err)
			}
		}
	}
	for _, k := range sortedKeys(wantX) {
		v := wantX[k]
		if k == "command" || k == "url" || (k == "enabled" && isBool(v)) || !json.Valid(v) {
			continue // the model says what these are
		}
		if old, ok := curX[k]; ok && equalJSON(old, v) {
			continue
		}
		if err := doc.Set([]string{serversKey, name, k}, v); err != nil {
			return warns, fmt.Errorf("write server %s: %w", name, err)
		}
	}
	return warns, nil
}

func isBool(v json.RawMessage) bool { return string(v) == "true" || string(v) == "false" }

func equalJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// marshal encodes a value as JSON without HTML escaping, as people read these files.
func marshal(v any) json.RawMessage {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("zed: encode value: " + err.Error()) // only strings, lists and maps of strings
	}
	return json.RawMessage(strings.TrimRight(b.String(), "\n"))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
