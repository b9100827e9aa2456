package merge

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"

	"aisync/backend/unified"
)

// Operations a Change reports.
const (
	OpAdded   = "added"
	OpRemoved = "removed"
	OpChanged = "changed"
)

// Change is one line of a readable summary: a server, rule or permission entry that was
// added, removed or changed.
//
// Fields says what changed. For a server, the field names of Server's merge ("command",
// "env.API_KEY", "tools.allow", "extras.cursor.type", …); for a rule, "description",
// "activation", "globs" and "body". For a permission entry (Key is the entry itself) it names
// the lists the entry left and joined, "-allow" and "+deny" for a move, so the same shape
// serves every section. Added and removed servers and rules have no Fields.
type Change struct {
	Section unified.Section `json:"section"`
	Key     string          `json:"key"`
	Op      string          `json:"op"`
	Fields  []string        `json:"fields,omitempty"`
}

// Summarize lists what changed from before to after, key by key, ordered by section (servers,
// rules, permissions, as in unified.AllSections) and then by key. Both configs are compared
// in normalized form, so differences of representation alone (nil against empty, order of
// permission entries) are not changes.
func Summarize(before, after unified.Config) []Change {
	b, a := before.Normalized(), after.Normalized() // only read
	var out []Change
	for _, name := range unionNames(b.ServerNames(), a.ServerNames()) {
		bs, inB := b.Servers[name]
		as, inA := a.Servers[name]
		if c, ok := keyChange(unified.SectionServers, name, inB, inA, func() []string { return serverChanges(bs, as) }); ok {
			out = append(out, c)
		}
	}
	for _, name := range unionNames(b.RuleNames(), a.RuleNames()) {
		br, inB := b.Rules[name]
		ar, inA := a.Rules[name]
		if c, ok := keyChange(unified.SectionRules, name, inB, inA, func() []string { return ruleChanges(br, ar) }); ok {
			out = append(out, c)
		}
	}
	return append(out, permissionChanges(b.Permissions, a.Permissions)...)
}

func keyChange(section unified.Section, key string, inBefore, inAfter bool, fields func() []string) (Change, bool) {
	switch {
	case !inBefore:
		return Change{Section: section, Key: key, Op: OpAdded}, true
	case !inAfter:
		return Change{Section: section, Key: key, Op: OpRemoved}, true
	}
	f := fields()
	return Change{Section: section, Key: key, Op: OpChanged, Fields: f}, len(f) > 0
}

func serverChanges(before, after unified.Server) []string {
	out := fieldStrings(changedFields(serverFields(before), serverFields(after)))
	if !sameSet(before.Tools.Allow, after.Tools.Allow) {
		out = append(out, "tools.allow")
	}
	if !sameSet(before.Tools.Deny, after.Tools.Deny) {
		out = append(out, "tools.deny")
	}
	return out
}

func ruleChanges(before, after unified.Rule) []string {
	out := fieldStrings(changedFields(ruleFields(before), ruleFields(after)))
	if before.Body != after.Body {
		out = append(out, ConflictBody)
	}
	return out
}

// permissionChanges compares list membership entry by entry.
func permissionChanges(before, after unified.Permissions) []Change {
	lists := []struct {
		name          string
		before, after map[string]bool
	}{
		{"allow", toSet(before.Allow), toSet(after.Allow)},
		{"ask", toSet(before.Ask), toSet(after.Ask)},
		{"deny", toSet(before.Deny), toSet(after.Deny)},
	}
	var entries []string
	for _, l := range lists {
		entries = slices.AppendSeq(entries, maps.Keys(l.before))
		entries = slices.AppendSeq(entries, maps.Keys(l.after))
	}
	sort.Strings(entries)
	entries = slices.Compact(entries)

	var out []Change
	for _, e := range entries {
		var left, joined []string
		wasIn, isIn := false, false
		for _, l := range lists {
			wasIn = wasIn || l.before[e]
			isIn = isIn || l.after[e]
			switch {
			case l.before[e] && !l.after[e]:
				left = append(left, "-"+l.name)
			case !l.before[e] && l.after[e]:
				joined = append(joined, "+"+l.name)
			}
		}
		if len(left)+len(joined) == 0 {
			continue
		}
		op := OpChanged
		switch {
		case !wasIn:
			op = OpAdded
		case !isIn:
			op = OpRemoved
		}
		out = append(out, Change{Section: unified.SectionPermissions, Key: e, Op: op, Fields: append(left, joined...)})
	}
	return out
}

func unionNames(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	sort.Strings(out)
	return slices.Compact(out)
}

// DiffLine is one line of a line diff for display.
type DiffLine struct {
	// Op is ' ' for a line both texts share, '-' for a line only the old text has and '+' for
	// one only the new text has.
	Op byte `json:"op"`
	// Text is the line without its terminator ("\n" or "\r\n").
	Text string `json:"text"`
	// OldLine and NewLine are 1-based line numbers in each text; 0 where the line is absent.
	OldLine int `json:"oldLine,omitempty"`
	NewLine int `json:"newLine,omitempty"`
	// NoNewline marks the last line of a text that does not end with a line break, so a
	// change of only the final newline is visible.
	NoNewline bool `json:"noNewline,omitempty"`
}

// LineDiff is the line diff from a to b for showing to a person, e.g. a snapshot's rule body
// against the current one. Removed lines come before the added lines that replace them.
func LineDiff(a, b string) []DiffLine {
	ops := flatten(diffLines(a, b))
	out := make([]DiffLine, 0, len(ops))
	oldLine, newLine := 0, 0
	for _, o := range ops {
		d := DiffLine{Op: o.op, Text: trimNewline(o.text), NoNewline: !strings.HasSuffix(o.text, "\n")}
		if o.op != '+' {
			oldLine++
			d.OldLine = oldLine
		}
		if o.op != '-' {
			newLine++
			d.NewLine = newLine
		}
		out = append(out, d)
	}
	return out
}

// MarshalJSON writes Op as a one-character string (" ", "-", "+") so the UI can show it.
func (l DiffLine) MarshalJSON() ([]byte, error) {
	type plain DiffLine
	return json.Marshal(struct {
		Op string `json:"op"`
		plain
	}{string(l.Op), plain(l)})
}
