// Package merge holds the pure functions the sync engine uses to combine and record changes:
// three-way merges of one server, one rule (diff3 on its body) and the permission lists, and
// the diffs stored with every snapshot (an RFC 6902 patch for the structure, unified-diff text
// patches for rule bodies, a per-key summary for people). Everything here takes values and
// returns values: no disk, no clock, no goroutines, so every rule is checked by plain tests.
//
// Three-way merges take a base (the version both sides last agreed on) and two edited sides,
// a and b. A nil pointer means the item is absent on that side: never created, or deleted.
package merge

import (
	"aisync/backend/unified"
)

// ConflictDeleted is the one conflict reported when a side deleted an item the other side
// changed: no field-level answer exists, someone has to choose between the edit and the delete.
const ConflictDeleted = "<deleted>"

// ConflictBody is the conflict reported when the edits of a rule body overlap.
const ConflictBody = "body"

// Server merges one MCP server field by field, so that edits to different fields made in two
// clients both survive instead of one client's copy replacing the other.
//
// The fields are transport, command, args (the whole list is one field: reordering arguments
// changes meaning), env and headers (one field per key: "env.NAME", "headers.NAME"), cwd, url,
// disabled, startupTimeoutMs, toolTimeoutMs and extras (one field per client and name:
// "extras.CLIENT.NAME"). A field changed on one side takes that side; changed identically on
// both is fine; changed differently is a conflict, named in conflicts, and merged holds a's
// value there so it is still a complete server. tools.allow and tools.deny merge as sets
// (additions from both sides minus removals from both sides) and never conflict.
//
// Presence: absent on both sides gives nil. Added on one side only gives that side. Deleted on
// one side while the other is unchanged gives nil (the deletion wins: deletions are real
// changes). Deleted on one side while the other changed it is the conflict [ConflictDeleted],
// and merged is the changed side so a caller can offer to keep it. Added on both sides (base
// nil) is a field-level merge against an empty server: a field set on one side only is kept,
// a field set differently on both is a conflict.
//
// Inputs are normalized (see unified.Server.Normalize) on copies; they are never modified.
func Server(base, a, b *unified.Server) (merged *unified.Server, conflicts []string) {
	if s, c, done := presence(base, a, b, serversEqual, cloneServer); done {
		return s, c
	}
	var bs unified.Server // added on both sides: every field counts as new
	if base != nil {
		bs = normalServer(*base)
	}
	as, xs := normalServer(*a), normalServer(*b)
	fs, fc := merge3(serverFields(bs), serverFields(as), serverFields(xs))
	s := fs.toServer()
	s.Tools = unified.Tools{
		Allow: mergeSet(bs.Tools.Allow, as.Tools.Allow, xs.Tools.Allow),
		Deny:  mergeSet(bs.Tools.Deny, as.Tools.Deny, xs.Tools.Deny),
	}
	s.Normalize()
	return &s, fieldStrings(fc)
}

// Rule merges one rule: name, description, activation and globs (the whole list as one field)
// like Server's fields, and the body line by line with Text3. Overlapping body edits are the
// conflict [ConflictBody]; merged then keeps a's body (call Text3 for the conflict-marked text
// to show). Presence (nil) follows the same rules as Server.
func Rule(base, a, b *unified.Rule) (merged *unified.Rule, conflicts []string) {
	if r, c, done := presence(base, a, b, rulesEqual, cloneRule); done {
		return r, c
	}
	var br unified.Rule
	if base != nil {
		br = normalRule(*base)
	}
	ar, xr := normalRule(*a), normalRule(*b)
	fs, fc := merge3(ruleFields(br), ruleFields(ar), ruleFields(xr))
	conflicts = fieldStrings(fc)
	body, ok := Text3(br.Body, ar.Body, xr.Body)
	if !ok {
		body = ar.Body
		conflicts = append(conflicts, ConflictBody)
	}
	r := normalRule(fs.toRule(body))
	return &r, conflicts
}

// presence settles every case where a side is absent; done is false when both sides exist
// and a field-level merge is needed.
func presence[T any](base, a, b *T, equal func(x, y T) bool, clone func(T) *T) (merged *T, conflicts []string, done bool) {
	switch {
	case a != nil && b != nil:
		return nil, nil, false
	case a == nil && b == nil:
		return nil, nil, true
	}
	other := a
	if a == nil {
		other = b
	}
	switch {
	case base == nil: // added on one side only
		return clone(*other), nil, true
	case equal(*base, *other): // deleted on one side, untouched on the other
		return nil, nil, true
	}
	return clone(*other), []string{ConflictDeleted}, true
}

func serversEqual(x, y unified.Server) bool {
	nx, ny := normalServer(x), normalServer(y)
	return len(changedFields(serverFields(nx), serverFields(ny))) == 0 &&
		sameSet(nx.Tools.Allow, ny.Tools.Allow) && sameSet(nx.Tools.Deny, ny.Tools.Deny)
}

func rulesEqual(x, y unified.Rule) bool {
	nx, ny := normalRule(x), normalRule(y)
	return nx.Body == ny.Body && len(changedFields(ruleFields(nx), ruleFields(ny))) == 0
}

func cloneServer(s unified.Server) *unified.Server {
	n := normalServer(s)
	return &n
}

func cloneRule(r unified.Rule) *unified.Rule {
	n := normalRule(r)
	return &n
}

// normalServer returns a normalized deep copy: Normalize alone would sort the caller's slices
// in place and share its maps with the result.
func normalServer(s unified.Server) unified.Server {
	s = s.Clone()
	s.Normalize()
	return s
}

// normalRule is the rule part of unified.Config.Normalize on a deep copy: activation defaults
// to always and an empty glob list is nil. The name is kept; a Config's keys are the names.
func normalRule(r unified.Rule) unified.Rule {
	if r.Activation == "" {
		r.Activation = unified.ActivationAlways
	}
	r.Globs = cloneStrings(r.Globs)
	return r
}
