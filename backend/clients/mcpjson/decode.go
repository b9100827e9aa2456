package mcpjson

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/par"
	"aisync/backend/unified"
)

// entry is one member of the servers object as the codec read it.
type entry struct {
	name   string
	obj    *object // the entry's members; nil when the entry is not an object
	inner  *object // the Nested object, for an entry in the nested form
	ok     bool    // the entry was read into the model
	why    string  // why it was not
	server unified.Server
	// typeKey and urlKey are the members the transport and the URL were read from.
	typeKey, urlKey string
}

// state is the servers object of one document.
type state struct {
	exists  bool // the root member holds an object
	root    *object
	entries []*entry
	byName  map[string]*entry
	warns   []clients.Warning
}

// DecodeFile reads the servers of one file. A file that does not parse is a
// *clients.SyntaxError.
func (d Dialect) DecodeFile(path string, data []byte, format clients.Format) (map[string]unified.Server, []clients.Warning, error) {
	doc, err := Parse(path, data, format)
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s config: %w", d.Client, err)
	}
	servers, warns, err := d.DecodeDoc(doc)
	if err != nil {
		return nil, warns, fmt.Errorf("decode %s config %s: %w", d.Client, path, err)
	}
	return servers, warns, nil
}

// DecodeDoc reads the servers of a parsed document. Entries the model cannot hold (not an
// object, an unknown transport, neither a command nor a URL) are reported with
// WarnUnsupportedEntry and left out; Encode leaves them alone too.
func (d Dialect) DecodeDoc(doc *jsonedit.Doc) (map[string]unified.Server, []clients.Warning, error) {
	st, err := d.read(doc, false)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]unified.Server, len(st.entries))
	for _, e := range st.entries {
		if e.ok {
			out[e.name] = e.server
		}
	}
	return out, st.warns, nil
}

// read reads the servers object of doc. Only an encode needs the object's members as values
// (values: true); a decode looks at each entry on its own, and writing the whole object
// out compact first was a fifth of what decoding a large file cost.
func (d Dialect) read(doc *jsonedit.Doc, values bool) (*state, error) {
	st := &state{root: newObject(), byName: map[string]*entry{}}
	var vals []jsonedit.Value // the entries' values
	if err := objectDoc(doc); err != nil {
		return nil, err
	}
	ok, isObject := doc.Lookup(d.Root...)
	if ok && !isObject {
		// Only a value that is not an object is written out, for the error (or as null).
		if raw, _ := doc.Get(d.Root...); string(raw) != "null" {
			return nil, fmt.Errorf("%s is %s, not an object of servers", strings.Join(d.Root, "."), kindOf(raw))
		}
	} else if ok {
		st.exists = true
		if values {
			st.root, _ = readObject(doc, d.Root)
		}
		st.root.keys, vals, _ = doc.MemberValues(d.Root...)
	} else if len(d.Root) > 1 {
		// A parent that is not an object means a file shaped in a way we do not understand.
		if praw, pok := doc.Get(d.Root[:len(d.Root)-1]...); pok && string(praw) != "null" && (len(praw) == 0 || praw[0] != '{') {
			return nil, fmt.Errorf("%s is %s, not an object", strings.Join(d.Root[:len(d.Root)-1], "."), kindOf(praw))
		}
	}
	for _, dup := range doc.Duplicates() {
		switch {
		case strings.HasPrefix(dup, pointer(d.Root)+"/") && strings.Count(dup[len(pointer(d.Root)):], "/") == 1:
			name := unpointer(dup[len(pointer(d.Root))+1:])
			st.warns = append(st.warns, clients.Warning{Item: "server:" + name, Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("The server %q is defined more than once in this file; clients disagree about which one counts, so only the last one is synced.", name)})
		case strings.HasPrefix(pointer(d.Root)+"/", dup+"/"):
			// The servers' own container (or one of its parents) appears twice: every
			// server of the first copy is invisible to the client and to aisync.
			st.warns = append(st.warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("%q appears more than once in this file; only the last copy is read, so the servers in the earlier one are ignored.", unpointer(strings.TrimPrefix(dup, "/")))})
		}
	}
	var disabled map[string]bool
	if d.Disabled == DisabledListed {
		disabled = d.disabledSet(doc)
	}
	st.entries = d.readEntries(st.root.keys, vals)
	st.byName = make(map[string]*entry, len(st.entries))
	for _, e := range st.entries {
		name := e.name
		if e.ok && disabled != nil {
			e.server.Disabled = disabled[name]
		}
		if !e.ok {
			st.warns = append(st.warns, clients.Warning{Item: "server:" + name, Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("The %s server %q cannot be read (%s); it is left as it is and not synced.", d.Name, name, e.why)})
		}
		st.byName[name] = e
	}
	return st, nil
}

// readEntries reads the entries names of the servers object, whose values are vals, in order.
// A large object's entries are read on two goroutines (par.Halves): reading the entries of a
// thousand servers was most of decoding the file, and on a first pass it is the longest step
// before anything can be merged, while the other core is done with the rule files early.
// Each entry is a value of its own (jsonedit.Value), which two goroutines may read at once;
// everything else readEntry touches is its own.
func (d Dialect) readEntries(names []string, vals []jsonedit.Value) []*entry {
	out := make([]*entry, len(names))
	par.Halves(len(names), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = d.readEntry(names[i], vals[i])
		}
	})
	return out
}

// DisabledNames is the set of server names the dialect's disabled list in doc switches off
// (empty unless the dialect is DisabledListed).
func (d Dialect) DisabledNames(doc *jsonedit.Doc) map[string]bool {
	if d.Disabled != DisabledListed {
		return map[string]bool{}
	}
	return d.disabledSet(doc)
}

// disabledSet is the set of server names the document's DisabledList switches off.
func (d Dialect) disabledSet(doc *jsonedit.Doc) map[string]bool {
	disabled := map[string]bool{}
	if raw, ok := doc.Get(d.DisabledList...); ok {
		var list []any
		if json.Unmarshal(raw, &list) == nil {
			for _, v := range list {
				if s, ok := v.(string); ok {
					disabled[s] = true
				}
			}
		}
	}
	return disabled
}

// readEntry reads the entry name, whose value is v.
func (d Dialect) readEntry(name string, v jsonedit.Value) *entry {
	e := &entry{name: name}
	if v.Kind() != '{' {
		e.why = "it is " + kindOfByte(v.Kind()) + ", not an object"
		return e
	}
	e.obj, _ = objectOf(v)
	src := e.obj
	if d.Nested != "" {
		if raw, ok := e.obj.get(d.Nested); ok {
			if len(raw) == 0 || raw[0] != '{' {
				e.why = fmt.Sprintf("its %q member is %s, not an object", d.Nested, kindOf(raw))
				return e
			}
			inner, _ := v.Member(d.Nested)
			e.inner, _ = objectOf(inner)
			src = e.inner
		}
	}
	s := &e.server
	var extras map[string]json.RawMessage // made for the first member kept
	// keep puts a member the model cannot hold into Extras, so it is written back as it was.
	// Inside a nested transport object there is no room for that; the entry is not read.
	bad := ""
	keep := func(o *object, k string) {
		if o == e.inner {
			if bad == "" {
				bad = fmt.Sprintf("%s.%s has a value aisync does not understand", d.Nested, k)
			}
			return
		}
		putExtra(&extras, k, o.vals[k])
	}

	// The transport: named by the first type member present, else inferred.
	for _, f := range d.TypeFields {
		v, ok := src.get(f)
		if !ok {
			continue
		}
		str, isStr := asString(v)
		if !isStr {
			e.why = fmt.Sprintf("its %q member is %s, not a string", f, kindOf(v))
			return e
		}
		t, known := d.readType(str)
		if !known {
			e.why = fmt.Sprintf("%s does not run %q servers", d.Name, str)
			return e
		}
		s.Transport, e.typeKey = t, f
		break
	}
	if v, ok := src.get("command"); ok {
		if d.CommandArgv {
			if argv, isList := asStrings(v); isList && len(argv) > 0 && argv[0] != "" {
				s.Command, s.Args = argv[0], argv[1:]
			}
		} else if str, isStr := asString(v); isStr && str != "" {
			s.Command = str
		}
	}
	for _, f := range d.URLFields {
		if v, ok := src.get(f); ok {
			if str, isStr := asString(v); isStr && str != "" {
				s.URL, e.urlKey = str, f
				break
			}
		}
	}
	if s.Transport == "" {
		switch {
		case s.Command != "":
			s.Transport = unified.TransportStdio
		case s.URL != "":
			s.Transport = d.urlDefault(e.urlKey)
		default:
			e.why = "it has neither a command nor a URL"
			return e
		}
	}
	if !d.Supports(s.Transport) {
		e.why = fmt.Sprintf("%s does not run %s servers", d.Name, s.Transport)
		return e
	}
	stdio := s.Transport == unified.TransportStdio
	if stdio && s.Command == "" {
		e.why = "a stdio server needs a command"
		return e
	}
	if !stdio && s.URL == "" {
		e.why = "a remote server needs a URL"
		return e
	}

	for _, k := range src.keys {
		v := src.vals[k]
		switch {
		case contains(d.TypeFields, k):
			// The active type member was read above; a second, legacy one is left in place.
		case k == "command":
			if !stdio || s.Command == "" {
				keep(src, k)
			}
		case contains(d.URLFields, k):
			switch {
			case stdio:
				keep(src, k)
			case k != e.urlKey:
				// An alternative URL member the client ignores while the active one is set:
				// left in place, and removed with the others if the server becomes stdio.
			}
		case k == "args" && !d.CommandArgv:
			if list, ok := asStrings(v); ok && stdio {
				s.Args = list
			} else {
				keep(src, k)
			}
		case k == d.envKey():
			if m, ok := asStringMap(v); ok && (stdio || d.RemoteEnv) {
				s.Env = m
			} else {
				keep(src, k)
			}
		case k == "cwd" && d.Cwd:
			if str, ok := asString(v); ok && stdio {
				s.Cwd = str
			} else {
				keep(src, k)
			}
		case k == "headers" && d.Headers:
			if m, ok := asStringMap(v); ok && !stdio {
				s.Headers = m
			} else {
				keep(src, k)
			}
		default:
			if src == e.inner {
				continue // unknown members inside the nested object stay where they are
			}
			d.readEntryMember(e, k, v, &extras)
		}
	}
	if e.inner != nil {
		for _, k := range e.obj.keys {
			if k != d.Nested {
				d.readEntryMember(e, k, e.obj.vals[k], &extras)
			}
		}
	}
	if bad != "" {
		e.why = bad
		return e
	}
	if len(extras) > 0 {
		s.Extras = map[string]map[string]json.RawMessage{d.Client: extras}
	}
	decodeRefs(s, d)
	e.ok = true
	return e
}

// readEntryMember reads the members that describe the entry rather than how to reach it.
func (d Dialect) readEntryMember(e *entry, k string, v json.RawMessage, extras *map[string]json.RawMessage) {
	s := &e.server
	switch {
	case (d.Disabled == DisabledFlag || d.Disabled == EnabledFlag) && k == d.DisabledKey:
		b, ok := asBool(v)
		if !ok {
			putExtra(extras, k, v)
			return
		}
		s.Disabled = b == (d.Disabled == DisabledFlag)
	case d.Timeout.Field != "" && k == d.Timeout.Field:
		n, ok := asNumber(v)
		if !ok || n <= 0 || n*float64(d.Timeout.UnitMs) > math.MaxInt64/2 {
			putExtra(extras, k, v)
			return
		}
		s.ToolTimeoutMs = int64(math.Round(n * float64(d.Timeout.UnitMs)))
		if s.ToolTimeoutMs == 0 {
			putExtra(extras, k, v)
		}
	case d.AllowField != "" && k == d.AllowField:
		list, ok := asStringsOnly(v)
		switch {
		case !ok:
			putExtra(extras, k, v)
		case d.AllowAll != "" && contains(list, d.AllowAll):
			// every tool: the model's empty allow list
		case d.AllowAll != "" && len(list) == 0:
			// "no tool at all" has no unified form; it is kept for this client only
			putExtra(extras, k, v)
		default:
			s.Tools.Allow = list
		}
	case d.DenyField != "" && k == d.DenyField:
		if list, ok := asStringsOnly(v); ok {
			s.Tools.Deny = list
		} else {
			putExtra(extras, k, v)
		}
	case d.Nested != "" && k == d.Nested:
	default:
		putExtra(extras, k, v)
	}
}

// putExtra keeps a member the model cannot hold, making the map on first use: most entries
// have none.
func putExtra(extras *map[string]json.RawMessage, k string, v json.RawMessage) {
	if *extras == nil {
		*extras = map[string]json.RawMessage{}
	}
	(*extras)[k] = v
}

// decodeRefs turns the client's environment references into unified syntax.
func decodeRefs(s *unified.Server, d Dialect) {
	if d.BareVars {
		s.Strings(func(_, v string) string { return envref.DecodeBare(v) })
		return
	}
	envref.DecodeServer(s, d.Syntax)
}

func asString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if s, ok := jsonedit.PlainString(raw); ok {
		return s, true // the common case, without encoding/json
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

func asBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func asNumber(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	return n, err == nil && !math.IsInf(n, 0) && !math.IsNaN(n)
}

// scalar reads a string, number or boolean as the text a process would receive; clients
// pass "PORT": 8080 to the server as "8080".
func scalar(raw json.RawMessage) (string, bool) {
	if s, ok := asString(raw); ok {
		return s, true
	}
	if _, ok := asBool(raw); ok {
		return string(raw), true
	}
	if _, ok := asNumber(raw); ok {
		return string(raw), true
	}
	return "", false
}

func asStrings(raw json.RawMessage) ([]string, bool) {
	if list, ok := jsonedit.PlainStrings(raw); ok {
		return list, true
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := scalar(it)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// asStringsOnly reads a list of tool names, which are always strings.
func asStringsOnly(raw json.RawMessage) ([]string, bool) {
	if list, ok := jsonedit.PlainStrings(raw); ok {
		return list, true
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := asString(it)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func asStringMap(raw json.RawMessage) (map[string]string, bool) {
	if m, ok := jsonedit.PlainStringMap(raw); ok {
		return m, true
	}
	var items map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := make(map[string]string, len(items))
	for k, it := range items {
		s, ok := scalar(it)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// first is the first byte of raw, 0 when it is empty.
func first(raw json.RawMessage) byte {
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func kindOf(raw json.RawMessage) string { return kindOfByte(first(raw)) }

// kindOfByte names the kind of a value that starts with b (0: empty).
func kindOfByte(b byte) string {
	switch b {
	case 0:
		return "empty"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(p))
	}
	return b.String()
}

func unpointer(s string) string { return pointerUnescaper.Replace(s) }
