package merge

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"aisync/backend/unified"
)

// fieldKind orders the fields of a server or rule the way a person reads them, so conflict
// lists and change summaries come out in a stable, natural order.
type fieldKind int

const (
	fieldName fieldKind = iota
	fieldDescription
	fieldActivation
	fieldGlobs
	fieldTransport
	fieldCommand
	fieldArgs
	fieldEnv
	fieldCwd
	fieldURL
	fieldHeaders
	fieldDisabled
	fieldStartupTimeout
	fieldToolTimeout
	fieldExtras
)

var fieldNames = map[fieldKind]string{
	fieldName:           "name",
	fieldDescription:    "description",
	fieldActivation:     "activation",
	fieldGlobs:          "globs",
	fieldTransport:      "transport",
	fieldCommand:        "command",
	fieldArgs:           "args",
	fieldEnv:            "env",
	fieldCwd:            "cwd",
	fieldURL:            "url",
	fieldHeaders:        "headers",
	fieldDisabled:       "disabled",
	fieldStartupTimeout: "startupTimeoutMs",
	fieldToolTimeout:    "toolTimeoutMs",
	fieldExtras:         "extras",
}

// field is one independently mergeable unit: a scalar field, one key of a map field
// (env.NAME, headers.NAME) or one client's extra field (extras.CLIENT.FIELD). Keys are kept
// apart rather than joined into one string, so a name containing a dot cannot collide.
type field struct {
	kind       fieldKind
	key, inner string
}

// String is the name used in conflict lists and change summaries, e.g. "env.API_KEY".
func (f field) String() string {
	name := fieldNames[f.kind]
	switch f.kind {
	case fieldEnv, fieldHeaders:
		return name + "." + f.key
	case fieldExtras:
		return name + "." + f.key + "." + f.inner
	}
	return name
}

func (f field) less(g field) bool {
	if f.kind != g.kind {
		return f.kind < g.kind
	}
	if f.key != g.key {
		return f.key < g.key
	}
	return f.inner < g.inner
}

// value is a field's content. cmp is what equality looks at; raw is what gets written back.
// They differ only for extras, whose JSON is compared in canonical form (sorted keys, no
// spacing) so that a client re-indenting its file is not a change.
type value struct{ cmp, raw string }

// fields maps each present field to its value; an absent field (empty string, zero number,
// empty list or map) is not in the map, so "absent" and "removed" are the same thing.
type fields map[field]value

func (fs fields) setString(k fieldKind, s string) {
	if s != "" {
		fs[field{kind: k}] = value{s, s}
	}
}

func (fs fields) setList(k fieldKind, list []string) {
	if len(list) > 0 {
		b, _ := json.Marshal(list) // a []string always marshals
		fs[field{kind: k}] = value{string(b), string(b)}
	}
}

func (fs fields) setInt(k fieldKind, n int64) {
	if n != 0 {
		s := strconv.FormatInt(n, 10)
		fs[field{kind: k}] = value{s, s}
	}
}

func (fs fields) setMap(k fieldKind, m map[string]string) {
	for key, v := range m {
		fs[field{kind: k, key: key}] = value{v, v}
	}
}

func (fs fields) string(k fieldKind) string { return fs[field{kind: k}].raw }

func (fs fields) list(k fieldKind) []string {
	v, ok := fs[field{kind: k}]
	if !ok {
		return nil
	}
	var out []string
	_ = json.Unmarshal([]byte(v.raw), &out) // written by setList
	return out
}

func (fs fields) int(k fieldKind) int64 {
	n, _ := strconv.ParseInt(fs[field{kind: k}].raw, 10, 64) // written by setInt
	return n
}

func (fs fields) stringMap(k fieldKind) map[string]string {
	var out map[string]string
	for f, v := range fs {
		if f.kind == k {
			if out == nil {
				out = make(map[string]string)
			}
			out[f.key] = v.raw
		}
	}
	return out
}

func serverFields(s unified.Server) fields {
	fs := make(fields, 8+len(s.Env)+len(s.Headers))
	fs.setString(fieldTransport, string(s.Transport))
	fs.setString(fieldCommand, s.Command)
	fs.setList(fieldArgs, s.Args)
	fs.setMap(fieldEnv, s.Env)
	fs.setString(fieldCwd, s.Cwd)
	fs.setString(fieldURL, s.URL)
	fs.setMap(fieldHeaders, s.Headers)
	if s.Disabled {
		fs[field{kind: fieldDisabled}] = value{"true", "true"}
	}
	fs.setInt(fieldStartupTimeout, s.StartupTimeoutMs)
	fs.setInt(fieldToolTimeout, s.ToolTimeoutMs)
	for client, extra := range s.Extras {
		for name, raw := range extra {
			fs[field{kind: fieldExtras, key: client, inner: name}] = value{canonicalJSON(raw), compactJSON(raw)}
		}
	}
	return fs
}

// toServer builds a server from merged fields; Tools are merged separately, as sets.
func (fs fields) toServer() unified.Server {
	s := unified.Server{
		Transport:        unified.Transport(fs.string(fieldTransport)),
		Command:          fs.string(fieldCommand),
		Args:             fs.list(fieldArgs),
		Env:              fs.stringMap(fieldEnv),
		Cwd:              fs.string(fieldCwd),
		URL:              fs.string(fieldURL),
		Headers:          fs.stringMap(fieldHeaders),
		StartupTimeoutMs: fs.int(fieldStartupTimeout),
		ToolTimeoutMs:    fs.int(fieldToolTimeout),
	}
	_, s.Disabled = fs[field{kind: fieldDisabled}]
	for f, v := range fs {
		if f.kind != fieldExtras {
			continue
		}
		if s.Extras == nil {
			s.Extras = make(map[string]map[string]json.RawMessage)
		}
		if s.Extras[f.key] == nil {
			s.Extras[f.key] = make(map[string]json.RawMessage)
		}
		s.Extras[f.key][f.inner] = json.RawMessage(v.raw)
	}
	return s
}

// ruleFields holds a rule's fields except the body, which is merged as text.
func ruleFields(r unified.Rule) fields {
	fs := make(fields, 4)
	fs.setString(fieldName, r.Name)
	fs.setString(fieldDescription, r.Description)
	fs.setString(fieldActivation, string(r.Activation))
	fs.setList(fieldGlobs, r.Globs)
	return fs
}

func (fs fields) toRule(body string) unified.Rule {
	return unified.Rule{
		Name:        fs.string(fieldName),
		Description: fs.string(fieldDescription),
		Activation:  unified.Activation(fs.string(fieldActivation)),
		Globs:       fs.list(fieldGlobs),
		Body:        body,
	}
}

// merge3 merges field by field: a field changed on one side only takes that side, a field
// changed the same way on both is fine, and one changed differently on both is a conflict
// that keeps a's value, so the result is still a complete item a caller may use.
func merge3(base, a, b fields) (fields, []field) {
	out := make(fields, max(len(a), len(b)))
	var conflicts []field
	for _, f := range unionKeys(base, a, b) {
		bv, bok := base[f]
		av, aok := a[f]
		xv, xok := b[f]
		switch {
		case same(av, aok, xv, xok), same(xv, xok, bv, bok):
			// Both agree, or b did not touch it: a's value.
		case same(av, aok, bv, bok):
			av, aok = xv, xok
		default:
			conflicts = append(conflicts, f)
		}
		if aok {
			out[f] = av
		}
	}
	return out, conflicts
}

func same(x value, xok bool, y value, yok bool) bool {
	return xok == yok && (!xok || x.cmp == y.cmp)
}

// changedFields lists the fields that differ between two versions, in reading order.
func changedFields(before, after fields) []field {
	var out []field
	for _, f := range unionKeys(before, after) {
		bv, bok := before[f]
		av, aok := after[f]
		if !same(bv, bok, av, aok) {
			out = append(out, f)
		}
	}
	return out
}

func unionKeys(maps ...fields) []field {
	n := 0
	for _, m := range maps {
		n = max(n, len(m))
	}
	keys := make([]field, 0, n)
	seen := make(map[field]bool, n)
	for _, m := range maps {
		for f := range m {
			if !seen[f] {
				seen[f] = true
				keys = append(keys, f)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	return keys
}

func fieldStrings(fs []field) []string {
	if len(fs) == 0 {
		return nil
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// mergeSet merges three versions of a set: result = base + added(a) + added(b) − removed(a)
// − removed(b). An entry survives if it is new on either side, or if it was in base and
// neither side removed it. Such merges never conflict. The result is sorted and nil if empty.
func mergeSet(base, a, b []string) []string {
	inBase, inA, inB := toSet(base), toSet(a), toSet(b)
	var out []string
	done := make(map[string]bool, len(inA)+len(inB))
	add := func(list []string) {
		for _, v := range list {
			keep := inA[v] && inB[v]
			if !inBase[v] {
				keep = inA[v] || inB[v]
			}
			if keep && !done[v] {
				done[v] = true
				out = append(out, v)
			}
		}
	}
	add(a)
	add(b)
	sort.Strings(out)
	return out
}

func toSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

func sameSet(a, b []string) bool {
	sa, sb := toSet(a), toSet(b)
	if len(sa) != len(sb) {
		return false
	}
	for v := range sa {
		if !sb[v] {
			return false
		}
	}
	return true
}

// canonicalJSON renders raw with sorted object keys and no spacing, keeping numbers exactly as
// written. Text that is not JSON is compared as it is.
func canonicalJSON(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return string(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return string(raw)
	}
	return string(b)
}

func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// cloneStrings copies a list so a merged result never aliases an input.
func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// trimNewline drops a line's terminator, "\n" or "\r\n".
func trimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		return strings.TrimSuffix(t, "\r")
	}
	return s
}
