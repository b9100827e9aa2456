package mcpjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// EncodeFile makes the file hold servers and returns its new bytes. data nil means the file does
// not exist; the result is then nil when there is nothing to write, so a missing file is not
// created for nothing. When nothing changes the result is data itself.
func (d Dialect) EncodeFile(path string, data []byte, format clients.Format, servers map[string]unified.Server) ([]byte, []clients.Warning, error) {
	doc, warns, _, err := d.editFile(path, data, format, servers)
	if err != nil {
		return nil, warns, err
	}
	if !doc.Changed() {
		return data, warns, nil
	}
	return doc.Bytes(), warns, nil
}

// editFile parses a file and makes it hold servers, returning the edited document and what
// the edit touched (see encodeDoc).
func (d Dialect) editFile(path string, data []byte, format clients.Format, servers map[string]unified.Server) (*jsonedit.Doc, []clients.Warning, *touched, error) {
	doc, err := Parse(path, data, format)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("encode %s config: %w", d.Client, err)
	}
	warns, t, err := d.encodeDoc(doc, servers)
	if err != nil {
		return nil, warns, nil, fmt.Errorf("encode %s config %s: %w", d.Client, path, err)
	}
	return doc, warns, t, nil
}

// EncodeDoc edits a parsed document so that its servers object holds servers.
//
// The edit is made member by member, never by replacing an entry: a member that already
// reads as the wanted value keeps its bytes, whatever its spelling; a member that changes is
// rewritten in place; the members the model does not name come from Extras of this client
// (Decode put them there, so a round trip keeps them, and one removed from Extras is removed
// from the file); members Decode leaves alone (a legacy type or URL member the client
// ignores, unknown members of a nested transport object) are never touched. Entries that could not be read are never touched,
// new servers are appended in name order, and servers no longer wanted are removed. A server
// the client cannot express is skipped with a warning and its current entry, if any, is left
// as it is; a field it cannot hold is dropped with WarnDroppedField.
func (d Dialect) EncodeDoc(doc *jsonedit.Doc, servers map[string]unified.Server) ([]clients.Warning, error) {
	warns, _, err := d.encodeDoc(doc, servers)
	return warns, err
}

// touched is what EncodeDoc did to the servers object, so that readBack knows what the
// edited entries read as without reading them all again. When it edited an existing object
// entry by entry (or left it alone), every other entry still has the bytes st read; when it
// set the object as a whole, root is what it set (nil otherwise). Either way, the new
// entries of known were written from servers that read back as they are
// (clients.ReadsBackAsIs).
type touched struct {
	st                 *state
	removed, rewritten []string
	root               *object
	known              map[string]unified.Server
}

// Edit is what EncodeDocEdit did to a document, to read it back with.
type Edit struct {
	d Dialect
	t *touched
}

// EncodeDocEdit is EncodeDoc, remembering what it touched so that ReadBack can read the
// edited document without reading every entry again.
func (d Dialect) EncodeDocEdit(doc *jsonedit.Doc, servers map[string]unified.Server) ([]clients.Warning, *Edit, error) {
	warns, t, err := d.encodeDoc(doc, servers)
	return warns, &Edit{d: d, t: t}, err
}

// ReadBack is what DecodeDoc reads from the edited document (see readBack), as long as the
// servers object is still where the edit's dialect put it.
func (e *Edit) ReadBack(doc *jsonedit.Doc) (map[string]unified.Server, error) {
	return e.d.readBack(doc, e.t)
}

// encodeDoc is EncodeDoc; it also returns what it touched.
func (d Dialect) encodeDoc(doc *jsonedit.Doc, servers map[string]unified.Server) ([]clients.Warning, *touched, error) {
	st, err := d.read(doc, true)
	if err != nil {
		return nil, nil, err
	}
	var warns []clients.Warning
	before := st.root.raw()
	orig, origKeys := maps.Clone(st.root.vals), slices.Clone(st.root.keys)
	root := st.root
	for _, e := range st.entries {
		if _, keep := servers[e.name]; e.ok && !keep {
			root.del(e.name)
		}
	}
	root.reserve(len(servers) - len(root.keys))
	t := &touched{st: st}
	// Into a servers object with no entry (or none yet), every entry is new: they go to
	// jsonedit's builder as values, instead of as one JSON text that Set reads again (a
	// third of writing a thousand servers).
	var fresh []jsonedit.Member
	if exists, isObject := doc.Lookup(d.Root...); len(origKeys) == 0 && (!exists || isObject) {
		fresh = make([]jsonedit.Member, 0, len(servers))
	}
	written := make(map[string]bool, len(servers)) // servers whose entry now says what the model says
	names := make([]string, 0, len(servers))
	for name := range servers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := servers[name]
		want.Normalize()
		old := st.byName[name]
		item := "server:" + name
		if why := d.nameProblem(name); why != "" {
			warns = append(warns, clients.Warning{Item: item, Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("%s does not accept the server name %q (%s); the server is not written.", d.Name, name, why)})
			continue
		}
		if old != nil && !old.ok {
			warns = append(warns, clients.Warning{Item: item, Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("%s already has an entry %q that aisync cannot read (%s); it is left as it is.", d.Name, name, old.why)})
			continue
		}
		if !d.Supports(want.Transport) {
			warns = append(warns, clients.Warning{Item: item, Code: clients.WarnUnsupportedTransport,
				Message: fmt.Sprintf("%s cannot run %s servers; %q is not written%s.", d.Name, transportName(want.Transport), name, leftAsIs(old))})
			continue
		}
		if want.Disabled && d.Disabled == DisabledUnsupported {
			warns = append(warns, clients.Warning{Item: item, Code: clients.WarnDroppedField,
				Message: fmt.Sprintf("%q is disabled, and %s has no way to keep a server switched off in its file; it is left out until it is enabled again.", name, d.Name)})
			if old != nil {
				root.del(name)
			}
			continue
		}
		enc := want
		if want.AnyString(envref.MayHoldRef) {
			// EncodeServer rewrites the strings in place: a copy, so that want stays as the
			// hub has it. Most servers hold no reference and are not copied.
			enc = want.Clone()
			if problems := envref.EncodeServer(&enc, d.Syntax); len(problems) > 0 {
				warns = append(warns, clients.Warning{Item: item, Code: clients.WarnUnsupportedRef,
					Message: fmt.Sprintf("%s cannot express %s; %q is not written%s.", d.Name, strings.Join(problems, "; "), name, leftAsIs(old))})
				continue
			}
		}
		drops := d.dropped(name, want)
		warns = append(warns, drops...)
		var ord *jsonedit.Ordered
		if fresh != nil {
			ord = new(jsonedit.Ordered)
		}
		raw, w := d.buildEntry(name, want, enc, old, ord)
		warns = append(warns, w...)
		if ord != nil {
			fresh = append(fresh, jsonedit.Member{Key: name, Val: *ord})
		} else {
			root.set(name, raw)
		}
		written[name] = true
		if old == nil && len(drops) == 0 && len(w) == 0 && clients.ReadsBackAsIs(name, want) {
			if t.known == nil {
				t.known = make(map[string]unified.Server, len(names))
			}
			t.known[name] = want
		}
	}
	if fresh != nil {
		if len(fresh) > 0 {
			if err := doc.AddMembers(d.Root, fresh); err != nil {
				return warns, nil, fmt.Errorf("write %s: %w", strings.Join(d.Root, "."), err)
			}
			t.root = &object{keys: make([]string, len(fresh))} // set as a whole
			for i, m := range fresh {
				t.root.keys[i] = m.Key
			}
		}
	} else if after := root.raw(); string(after) != string(before) && (st.exists || len(root.keys) > 0) {
		if t.removed, t.rewritten, err = d.writeRoot(doc, st.exists, origKeys, orig, root, after); err != nil {
			return warns, nil, fmt.Errorf("write %s: %w", strings.Join(d.Root, "."), err)
		}
		if t.removed == nil && t.rewritten == nil {
			t.root = root // set as a whole
		}
	}
	if d.Disabled == DisabledListed {
		if err := d.writeDisabledList(doc, servers, written); err != nil {
			return warns, nil, err
		}
	}
	return warns, t, nil
}

// readBack is what DecodeDoc reads from doc after encodeDoc touched it as t: the entries it
// did not touch as st read them, the ones it wrote read again (or taken from t.known), and
// for a dialect that switches servers off in a list of its own, the list as it is now. When
// the object was set as a whole, its entries are those of t.root. TestEntryEditsMatchWholeObject
// and clienttest's read-back check hold it to DecodeDoc.
func (d Dialect) readBack(doc *jsonedit.Doc, t *touched) (map[string]unified.Server, error) {
	var out map[string]unified.Server
	if t.root != nil {
		out = make(map[string]unified.Server, len(t.root.keys))
		for _, name := range t.root.keys {
			if s, ok := t.known[name]; ok {
				out[name] = s
			} else if v, ok := doc.Value(append(slices.Clone(d.Root), name)...); !ok {
				continue
			} else if e := d.readEntry(name, v); e.ok {
				out[name] = e.server
			}
		}
	} else {
		skip := map[string]bool{}
		for _, name := range append(slices.Clone(t.removed), t.rewritten...) {
			skip[name] = true
		}
		out = make(map[string]unified.Server, len(t.st.entries))
		for _, e := range t.st.entries {
			if e.ok && !skip[e.name] {
				out[e.name] = e.server
			}
		}
		for _, name := range t.rewritten {
			if s, ok := t.known[name]; ok {
				out[name] = s
				continue
			}
			v, ok := doc.Value(append(slices.Clone(d.Root), name)...)
			if !ok {
				continue
			}
			if e := d.readEntry(name, v); e.ok {
				out[name] = e.server
			}
		}
	}
	if d.Disabled == DisabledListed {
		disabled := d.disabledSet(doc)
		for name, s := range out {
			s.Disabled = disabled[name]
			out[name] = s
		}
	}
	return out, nil
}

// entryEdits is the most entries EncodeDoc edits one by one in an existing servers object;
// with more, it sets the whole object at once. Setting one entry re-reads the file once,
// setting the whole object about three times (the new object, a copy of the old one, the
// file): a pass carrying one server's change edits one entry in every other client's file.
var entryEdits = 2

// writeRoot makes the servers object hold root. origKeys and orig are what it held, as
// read. The edits are the same either way, in the same order (a merge deletes, then edits in
// place in document order, then appends); TestEntryEditsMatchWholeObject checks that the
// bytes are.
//
// It returns the entries it removed and rewrote one by one; both are nil when it set the
// object as a whole.
func (d Dialect) writeRoot(doc *jsonedit.Doc, exists bool, origKeys []string, orig map[string]json.RawMessage, root *object, after json.RawMessage) (removed, rewritten []string, err error) {
	var edited []string
	if exists {
		for _, name := range origKeys {
			if !root.has(name) {
				removed = append(removed, name)
			}
		}
		for _, name := range root.keys {
			if old, ok := orig[name]; !ok || !bytes.Equal(old, root.vals[name]) {
				edited = append(edited, name)
			}
		}
	}
	if !exists || len(removed)+len(edited) > entryEdits {
		return nil, nil, doc.Set(d.Root, after)
	}
	for _, name := range removed {
		if err := doc.Delete(append(slices.Clone(d.Root), name)...); err != nil {
			return nil, nil, err
		}
	}
	for _, name := range edited {
		if err := doc.Set(append(slices.Clone(d.Root), name), root.vals[name]); err != nil {
			return nil, nil, err
		}
	}
	return append([]string{}, removed...), append([]string{}, edited...), nil
}

func leftAsIs(old *entry) string {
	if old != nil {
		return ", and its current entry is left as it is"
	}
	return ""
}

func transportName(t unified.Transport) string {
	switch t {
	case unified.TransportHTTP:
		return "streamable HTTP"
	case unified.TransportSSE:
		return "SSE"
	case unified.TransportStdio:
		return "stdio"
	}
	return fmt.Sprintf("%q", string(t))
}

func (d Dialect) nameProblem(name string) string {
	if name == "" {
		return "it is empty"
	}
	if !utf8.ValidString(name) {
		// JSON would write it with U+FFFD in place of the bad bytes: another name.
		return "it is not valid UTF-8"
	}
	if d.ValidName != nil {
		return d.ValidName(name)
	}
	return ""
}

// dropped lists the fields of want that the client has no member for.
func (d Dialect) dropped(name string, s unified.Server) []clients.Warning {
	var out []clients.Warning
	drop := func(field, why string) {
		out = append(out, clients.Warning{Item: "server:" + name, Code: clients.WarnDroppedField,
			Message: fmt.Sprintf("%s %s; the %s of %q is not written.", d.Name, why, field, name)})
	}
	stdio := s.Transport == unified.TransportStdio
	if s.Cwd != "" && (!d.Cwd || !stdio) {
		drop("working directory", "has no working directory for "+transportName(s.Transport)+" servers")
	}
	if len(s.Headers) > 0 && (!d.Headers || stdio) {
		drop("headers", "has no headers for "+transportName(s.Transport)+" servers")
	}
	if len(s.Env) > 0 && !stdio && !d.RemoteEnv {
		drop("environment", "has no environment for remote servers")
	}
	if !stdio && (s.Command != "" || len(s.Args) > 0) {
		drop("command", "runs no command for a remote server")
	}
	if stdio && s.URL != "" {
		drop("URL", "has no URL for a stdio server")
	}
	if s.StartupTimeoutMs > 0 {
		drop("start-up timeout", "has no start-up timeout")
	}
	if s.ToolTimeoutMs > 0 && d.Timeout.Field == "" {
		drop("tool timeout", "has no per-server timeout")
	}
	if len(s.Tools.Allow) > 0 && d.AllowField == "" {
		drop("tool allow list", "has no per-server tool allow list")
	}
	if len(s.Tools.Deny) > 0 && d.DenyField == "" {
		drop("tool deny list", "has no per-server tool deny list")
	}
	return out
}

// buildEntry returns the entry for want: the existing entry edited member by member, or a
// new one. want is in unified syntax (compared with what the file says); enc is the same
// server with references in the client's syntax (what is written). With ord, for a new entry,
// it puts the members into ord, as values for jsonedit's builder, and returns no JSON.
func (d Dialect) buildEntry(name string, want, enc unified.Server, old *entry, ord *jsonedit.Ordered) (json.RawMessage, []clients.Warning) {
	var warns []clients.Warning
	isNew := old == nil
	var cur unified.Server
	top, src := newObject(), (*object)(nil)
	if !isNew {
		cur = old.server
		top = cloneObject(old.obj)
		src = top
		if old.inner != nil {
			src = cloneObject(old.inner)
		}
	} else {
		src = top
	}
	extras := want.Extras[d.Client]
	byModel := map[string]bool{}
	stdio := want.Transport == unified.TransportStdio
	// put sets a member the model fills; into ord, as a value, for a new entry written by
	// jsonedit's builder.
	put := func(o *object, k string, v any) {
		if ord != nil {
			setMember(ord, k, v)
		} else if raw, isRaw := v.(json.RawMessage); isRaw {
			o.set(k, raw)
		} else {
			o.set(k, marshal(v))
		}
		byModel[k] = true
	}
	// drop removes a member the model no longer fills, unless Extras carries it.
	drop := func(o *object, k string) {
		if _, ok := extras[k]; !ok || o == old.innerOrNil() {
			o.del(k)
		}
	}

	// The type member comes first in a new entry, as the clients' own writers put it.
	spelling := d.Types[want.Transport]
	urlKey := "url"
	if len(d.URLFields) > 0 {
		urlKey = d.URLFields[0]
	}
	if !isNew && old.urlKey != "" {
		urlKey = old.urlKey
	}
	inferred := d.urlDefault(urlKey)
	if stdio {
		inferred = unified.TransportStdio
	}
	// An existing entry gets a type member only when its transport changes: a file that
	// already works (or that its client reads leniently) is not "repaired" by a no-op.
	needType := (isNew || cur.Transport != want.Transport) &&
		(d.typeRequired(want.Transport) || (inferred != want.Transport && spelling != "") || (isNew && d.TypeOnNew))
	switch {
	case !isNew && old.typeKey != "":
		if cur.Transport != want.Transport {
			if spelling != "" {
				put(src, old.typeKey, spelling)
			} else {
				src.del(old.typeKey)
			}
		}
	case needType && spelling != "" && len(d.TypeFields) > 0:
		put(src, d.TypeFields[0], spelling)
	}

	if stdio && d.CommandArgv {
		if !isNew && cur.Transport == unified.TransportStdio && cur.Command == want.Command && equalStrings(cur.Args, want.Args) && src.has("command") {
			byModel["command"] = true
		} else {
			put(src, "command", append([]string{enc.Command}, enc.Args...))
		}
	}
	if stdio && !d.CommandArgv {
		if !isNew && cur.Transport == unified.TransportStdio && cur.Command == want.Command && src.has("command") {
			byModel["command"] = true
		} else {
			put(src, "command", enc.Command)
		}
	}
	if stdio {
		switch {
		case d.CommandArgv:
		case len(want.Args) > 0:
			if isNew || !equalStrings(cur.Args, want.Args) || !src.has("args") {
				put(src, "args", enc.Args)
			}
			byModel["args"] = true
		case d.ArgsRequired && (isNew || len(cur.Args) > 0):
			put(src, "args", json.RawMessage("[]"))
		case len(cur.Args) > 0:
			drop(src, "args")
		}
		for _, f := range d.URLFields {
			drop(src, f)
		}
		if d.Headers {
			drop(src, "headers")
		}
	} else {
		drop(src, "command")
		if !d.CommandArgv {
			drop(src, "args")
		}
		if d.Cwd {
			drop(src, "cwd")
		}
		key := urlKey
		if isNew || cur.URL != want.URL || !src.has(key) {
			put(src, key, enc.URL)
		}
		byModel[key] = true
	}
	if stdio || d.RemoteEnv {
		d.putMap(src, d.envKey(), want.Env, enc.Env, cur.Env, isNew, put, drop, byModel)
	} else {
		drop(src, d.envKey())
	}
	if d.Cwd && stdio {
		if want.Cwd != "" {
			if isNew || cur.Cwd != want.Cwd || !src.has("cwd") {
				put(src, "cwd", enc.Cwd)
			}
			byModel["cwd"] = true
		} else if cur.Cwd != "" {
			drop(src, "cwd")
		}
	}
	if d.Headers && !stdio {
		d.putMap(src, "headers", want.Headers, enc.Headers, cur.Headers, isNew, put, drop, byModel)
	}
	if old != nil && old.inner != nil {
		top.set(d.Nested, src.raw())
	}

	switch d.Disabled {
	case DisabledFlag, EnabledFlag:
		k := d.DisabledKey
		on := d.Disabled == EnabledFlag // the value that means "running"
		switch {
		case want.Disabled && (isNew || !cur.Disabled || !top.has(k)):
			put(top, k, !on)
		case want.Disabled:
			byModel[k] = true
		case !isNew && cur.Disabled:
			put(top, k, on)
		case top.has(k):
			if v, ok := asBool(top.vals[k]); ok && v == on {
				byModel[k] = true // an explicit "running" the user wrote stays
			}
		}
	}
	if f := d.Timeout.Field; f != "" {
		if want.ToolTimeoutMs > 0 {
			if isNew || cur.ToolTimeoutMs != want.ToolTimeoutMs || !top.has(f) {
				v, w := d.timeoutValue(name, want.ToolTimeoutMs)
				warns = append(warns, w...)
				put(top, f, v)
			}
			byModel[f] = true
		} else {
			drop(top, f)
		}
	}
	if f := d.AllowField; f != "" {
		switch {
		case len(want.Tools.Allow) > 0:
			if isNew || !sameSet(cur.Tools.Allow, want.Tools.Allow) || !top.has(f) {
				put(top, f, want.Tools.Allow)
			}
			byModel[f] = true
		case d.AllowAll != "":
			if _, kept := extras[f]; !kept && (isNew || len(cur.Tools.Allow) > 0) {
				put(top, f, []string{d.AllowAll})
			}
			if _, kept := extras[f]; !kept {
				byModel[f] = true
			}
		case len(cur.Tools.Allow) > 0:
			drop(top, f)
		}
	}
	if f := d.DenyField; f != "" {
		if len(want.Tools.Deny) > 0 {
			if isNew || !sameSet(cur.Tools.Deny, want.Tools.Deny) || !top.has(f) {
				put(top, f, want.Tools.Deny)
			}
			byModel[f] = true
		} else if len(cur.Tools.Deny) > 0 {
			drop(top, f)
		}
	}

	// Every member the model does not name was read into Extras, so Extras of this client
	// say what those members are now: they go back as they were, and one that is gone from
	// Extras was removed on purpose. A model value wins over a stale extra.
	if !isNew {
		for _, k := range append([]string(nil), top.keys...) {
			if _, kept := extras[k]; !kept && !d.owned(k) {
				top.del(k)
			}
		}
	}
	keys := make([]string, 0, len(extras))
	for k := range extras {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if byModel[k] || (old != nil && old.inner != nil && d.transportKey(k)) || (d.Nested != "" && k == d.Nested) {
			continue
		}
		if v := extras[k]; json.Valid(v) {
			if ord != nil {
				setMember(ord, k, v)
			} else {
				top.set(k, v)
			}
		}
	}
	if ord != nil {
		return nil, warns
	}
	return top.raw(), warns
}

// setMember sets k in ord to v, where k is or at the end.
func setMember(ord *jsonedit.Ordered, k string, v any) {
	for i := range *ord {
		if (*ord)[i].Key == k {
			(*ord)[i].Val = v
			return
		}
	}
	*ord = append(*ord, jsonedit.Member{Key: k, Val: v})
}

func (e *entry) innerOrNil() *object {
	if e == nil {
		return nil
	}
	return e.inner
}

// putMap writes env or headers. The member is rewritten only when the map changes, and
// then jsonedit merges it entry by entry, so the user's comments next to unchanged
// variables stay.
func (d Dialect) putMap(o *object, k string, want, enc, cur map[string]string, isNew bool,
	put func(*object, string, any), drop func(*object, string), byModel map[string]bool) {
	if len(want) == 0 {
		if len(cur) > 0 || !o.has(k) {
			drop(o, k)
		} else if v, ok := o.get(k); ok {
			if m, isMap := asStringMap(v); isMap && len(m) == 0 {
				byModel[k] = true // an empty "env": {} the user wrote stays
			}
		}
		return
	}
	if isNew || !equalMaps(cur, want) || !o.has(k) {
		put(o, k, enc)
	}
	byModel[k] = true
}

// timeoutValue converts milliseconds to the client's unit, clamped to what it accepts.
func (d Dialect) timeoutValue(name string, ms int64) (json.RawMessage, []clients.Warning) {
	t := d.Timeout
	v := float64(ms) / float64(t.UnitMs)
	var warns []clients.Warning
	clamped := v
	if t.Min > 0 && clamped < t.Min {
		clamped = t.Min
	}
	if t.Max > 0 && clamped > t.Max {
		clamped = t.Max
	}
	if clamped != v {
		warns = append(warns, clients.Warning{Item: "server:" + name, Code: clients.WarnDroppedField,
			Message: fmt.Sprintf("%s accepts a timeout of %s to %s %s; the timeout of %q (%s ms) is written as %s.",
				d.Name, fmtNum(t.Min), fmtNum(t.Max), unitName(t.UnitMs), name, strconv.FormatInt(ms, 10), fmtNum(clamped))})
	}
	return json.RawMessage(fmtNum(clamped)), warns
}

func unitName(ms int64) string {
	if ms == 1000 {
		return "seconds"
	}
	return "milliseconds"
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// WriteDisabledList keeps the names of servers in the dialect's disabled list exactly when
// they are disabled, for servers whose entries another file holds (Claude Code lists a
// project's .mcp.json servers it has switched off in ~/.claude.json). Other names in the
// list stay as they are.
func (d Dialect) WriteDisabledList(doc *jsonedit.Doc, servers map[string]unified.Server) error {
	names := make(map[string]bool, len(servers))
	for n := range servers {
		names[n] = true
	}
	return d.writeDisabledList(doc, servers, names)
}

// writeDisabledList keeps the names of the written servers in the disabled list exactly when
// they are disabled. Names of other servers (other scopes, connectors) are the user's.
func (d Dialect) writeDisabledList(doc *jsonedit.Doc, servers map[string]unified.Server, written map[string]bool) error {
	var list []json.RawMessage
	raw, exists := doc.Get(d.DisabledList...)
	if exists && string(raw) != "null" {
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("read %s: it is %s, not a list of names", strings.Join(d.DisabledList, "."), kindOf(raw))
		}
	}
	present := map[string]bool{}
	var out []json.RawMessage
	changed := false
	for _, it := range list {
		s, isStr := asString(it)
		if isStr && written[s] && !servers[s].Disabled {
			changed = true
			continue
		}
		if isStr {
			present[s] = true
		}
		out = append(out, it)
	}
	names := make([]string, 0, len(written))
	for n := range written {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if servers[n].Disabled && !present[n] {
			out = append(out, marshal(n))
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if out == nil {
		out = []json.RawMessage{}
	}
	if err := doc.Set(d.DisabledList, out); err != nil {
		return fmt.Errorf("write %s: %w", strings.Join(d.DisabledList, "."), err)
	}
	return nil
}

func cloneObject(o *object) *object {
	c := newObject()
	for _, k := range o.keys {
		c.set(k, o.vals[k])
	}
	return c
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

func sameSet(a, b []string) bool {
	set := func(l []string) map[string]bool {
		m := make(map[string]bool, len(l))
		for _, x := range l {
			m[x] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for k := range sa {
		if !sb[k] {
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
