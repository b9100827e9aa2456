package engine

import (
	"encoding/json"
	"sort"
	"time"

	"aisync/backend/clients"
	"aisync/backend/merge"
	"aisync/backend/settings"
	"aisync/backend/unified"
)

// Observation is what one endpoint holds right now.
type Observation struct {
	Endpoint clients.Endpoint
	Priority int
	Policy   string // the client's own conflict policy; "" inherits the scope's
	Hash     string // hash of the endpoint's files as read
	MTime    time.Time
	Local    *unified.Config // nil when the files did not decode, or were not decoded because unchanged since the base
	Missing  bool            // no file exists yet
}

// Base is what the engine remembers of an endpoint.
type Base struct {
	Config *unified.Config // nil: never seen (first sight)
	Hash   string
	// ConfirmedHash is a file state the user confirmed after it was held as suspicious.
	ConfirmedHash string
}

// Origin records who set an item of the hub last, and when, for the priority and newest
// policies.
type Origin struct {
	Client   string    `json:"client"`
	Priority int       `json:"priority"`
	Time     time.Time `json:"time"`
}

// Pending is a conflict waiting for the user: nothing is written for its key until then.
type Pending struct {
	ID  string
	Key string
}

// Input is everything Reconcile needs; it does no I/O.
type Input struct {
	Hub        unified.Config
	Origins    map[string]Origin
	Obs        []Observation
	Bases      map[string]Base // by endpoint id
	Tombstones map[string]bool
	Pending    map[string]Pending // by item key
	Policy     string
	Now        time.Time
}

// Side is one version of a conflicting item.
type Side struct {
	Client     string          `json:"client_id"`
	EndpointID string          `json:"endpointId,omitempty"`
	Value      json.RawMessage `json:"value"`
	MTime      time.Time       `json:"mtime"`
}

// NewConflict is a conflict Reconcile found that needs the user.
type NewConflict struct {
	Key    string
	Kind   string // server, rule, permission, or "suspicious" for a file that lost everything
	Base   json.RawMessage
	Sides  []Side
	Fields []string // the fields that conflict
}

// Decision explains how an automatic policy settled a conflict, for the log.
type Decision struct {
	Key    string
	Policy string
	Winner string
	Loser  string
	Fields []string
}

// Output is the new state.
type Output struct {
	Hub         unified.Config
	Origins     map[string]Origin
	Changed     bool
	ChangedBy   []string // clients whose changes reached the hub
	Conflicts   []NewConflict
	Decisions   []Decision
	Tombstoned  map[string]string // key → client that deleted it
	Untombstone []string
	Resurrected []string // first-sight items blocked by a tombstone
	Suspicious  []string // endpoint ids held because they suddenly lost every entry
	Held        map[string]bool
}

// suspiciousMin is how many entries a file must have had before losing all of them at once
// makes it suspicious (a truncated or foreign-written file) rather than a normal edit.
const suspiciousMin = 2

type change struct {
	obs   *Observation
	base  json.RawMessage
	local json.RawMessage
}

// Reconcile applies every endpoint's local changes (relative to its base) onto the hub,
// three-way and item by item, and settles conflicts by policy. It is a pure function.
func Reconcile(in Input) Output {
	// Maps sized for the largest config: at scale, growing them was a third of a first pass's
	// reconcile.
	size := itemCount(in.Hub, unified.AllSections)
	for _, o := range in.Obs {
		if o.Local != nil {
			size = max(size, itemCount(*o.Local, o.Endpoint.Sections))
		}
	}
	seen := make(decoded, size)
	hub := toItemsNoting(in.Hub, unified.AllSections, seen, size)
	out := Output{Origins: make(map[string]Origin, max(len(in.Origins), size)), Tombstoned: map[string]string{}, Held: map[string]bool{}}
	for k, o := range in.Origins {
		out.Origins[k] = o
	}

	// Highest priority first, so that within one pass the stronger client's change is the
	// one weaker clients' changes are compared against.
	obs := make([]*Observation, 0, len(in.Obs))
	for i := range in.Obs {
		if in.Obs[i].Local != nil {
			obs = append(obs, &in.Obs[i])
		}
	}
	sort.SliceStable(obs, func(i, j int) bool { return obs[i].Priority > obs[j].Priority })

	changes := make(map[string][]change, size)
	// Most keys change in one endpoint: their one-change lists are cut from one block,
	// capacity one each, so that a second change for a key copies its list instead.
	var block []change
	note := func(k string, c change) {
		if cs, ok := changes[k]; ok {
			changes[k] = append(cs, c)
			return
		}
		if len(block) == cap(block) {
			block = make([]change, 0, max(size, 64))
		}
		block = append(block, c)
		changes[k] = block[len(block)-1 : len(block) : len(block)]
	}
	for _, o := range obs {
		ep := o.Endpoint
		local := toItemsNoting(*o.Local, ep.Sections, seen, 0)
		b := in.Bases[ep.ID()]
		if b.Config == nil {
			// First sight: every item is an addition unless the hub already has it as is.
			for k, v := range local {
				if in.Pending[k].ID != "" {
					continue
				}
				if sameValue(hub[k], v) {
					continue
				}
				if hub[k] == nil && in.Tombstones[k] {
					out.Resurrected = append(out.Resurrected, k)
					continue
				}
				note(k, change{obs: o, base: nil, local: v})
			}
			continue
		}
		base := toItems(*b.Config, ep.Sections)
		if len(local) == 0 && (len(base) >= suspiciousMin || (o.Missing && len(base) > 0)) && !confirmedState(o, b) {
			out.Suspicious = append(out.Suspicious, ep.ID())
			out.Held[ep.ID()] = true
			continue
		}
		for _, k := range unionKeys(base, local) {
			if sameValue(base[k], local[k]) || in.Pending[k].ID != "" {
				continue
			}
			if base[k] == nil && local[k] != nil && in.Tombstones[k] {
				out.Untombstone = append(out.Untombstone, k) // re-added on purpose
			}
			note(k, change{obs: o, base: base[k], local: local[k]})
		}
	}

	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	changedBy := map[string]bool{}
	for _, k := range keys {
		cur := hub[k]
		curOrigin, hasOrigin := in.Origins[k]
		curFrom := "" // client of a change applied in this pass
		for _, ch := range changes[k] {
			merged, conflictFields := merge3(k, ch.base, cur, ch.local)
			if len(conflictFields) == 0 {
				if !sameValue(merged, cur) {
					cur = merged
					curFrom = ch.obs.Endpoint.Client
					curOrigin = Origin{Client: ch.obs.Endpoint.Client, Priority: ch.obs.Priority, Time: ch.obs.MTime}
					hasOrigin = true
				}
				continue
			}
			if hasOrigin && curFrom == "" && curOrigin.Client == ch.obs.Endpoint.Client {
				// The client is overriding its own earlier value: no one else is involved.
				cur = preferB(k, ch.base, cur, ch.local)
				curFrom = ch.obs.Endpoint.Client
				curOrigin = Origin{Client: ch.obs.Endpoint.Client, Priority: ch.obs.Priority, Time: ch.obs.MTime}
				continue
			}
			policy := ch.obs.Policy
			if policy == "" {
				policy = in.Policy
			}
			other := curOrigin.Client
			if !hasOrigin {
				other = "aisync"
			}
			switch policy {
			case settings.PolicyPriority, settings.PolicyNewest:
				challengerWins := false
				if policy == settings.PolicyPriority {
					challengerWins = !hasOrigin || ch.obs.Priority > curOrigin.Priority
				} else {
					challengerWins = !hasOrigin || ch.obs.MTime.After(curOrigin.Time)
				}
				if challengerWins {
					cur = preferB(k, ch.base, cur, ch.local)
					out.Decisions = append(out.Decisions, Decision{Key: k, Policy: policy, Winner: ch.obs.Endpoint.Client, Loser: other, Fields: conflictFields})
					curFrom = ch.obs.Endpoint.Client
					curOrigin = Origin{Client: ch.obs.Endpoint.Client, Priority: ch.obs.Priority, Time: ch.obs.MTime}
					hasOrigin = true
				} else {
					cur = preferB(k, ch.base, ch.local, cur)
					out.Decisions = append(out.Decisions, Decision{Key: k, Policy: policy, Winner: other, Loser: ch.obs.Endpoint.Client, Fields: conflictFields})
				}
			default: // merge (whose overlaps fall back to manual) and manual
				sides := []Side{{Client: other, Value: cur, MTime: curOrigin.Time}}
				if curFrom != "" {
					sides[0].Client = curFrom
				}
				for _, c2 := range changes[k] {
					sides = append(sides, Side{Client: c2.obs.Endpoint.Client, EndpointID: c2.obs.Endpoint.ID(), Value: c2.local, MTime: c2.obs.MTime})
				}
				out.Conflicts = append(out.Conflicts, NewConflict{Key: k, Kind: kindOf(k), Base: ch.base, Sides: dedupeSides(sides), Fields: conflictFields})
				cur = hub[k] // nothing changes for this key until the user decides
				curFrom = ""
				curOrigin, hasOrigin = in.Origins[k]
			}
			if policy != settings.PolicyPriority && policy != settings.PolicyNewest {
				break
			}
		}
		if !sameValue(cur, hub[k]) {
			if cur == nil {
				delete(hub, k)
				out.Tombstoned[k] = curOrigin.Client
				delete(out.Origins, k)
			} else {
				hub[k] = cur
				out.Origins[k] = curOrigin
			}
			out.Changed = true
			changedBy[curOrigin.Client] = true
		}
	}
	for c := range changedBy {
		if c != "" {
			out.ChangedBy = append(out.ChangedBy, c)
		}
	}
	sort.Strings(out.ChangedBy)
	out.Hub = fromItemsWith(hub, seen)
	return out
}

func unionKeys(a, b items) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []items{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func dedupeSides(in []Side) []Side {
	var out []Side
	for _, s := range in {
		dup := false
		for _, o := range out {
			if o.Client == s.Client && sameValue(o.Value, s.Value) {
				dup = true
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// merge3 merges item versions field by field: base is the endpoint's last known value,
// a the hub's current value and b the endpoint's new value. It returns the merged value
// (nil = deleted) and the fields both sides changed differently.
func merge3(key string, base, a, b json.RawMessage) (json.RawMessage, []string) {
	switch {
	case sameValue(a, b):
		return a, nil
	case sameValue(base, a):
		return b, nil
	case sameValue(base, b):
		return a, nil
	case a == nil || b == nil:
		// One side deleted the item, the other changed it.
		return a, []string{"<deleted>"}
	}
	fb, fa, fbb := fields(base), fields(a), fields(b)
	out := map[string]json.RawMessage{}
	var conflicts []string
	for _, f := range unionFieldKeys(fb, fa, fbb) {
		vb, va, vbb := fb[f], fa[f], fbb[f]
		switch {
		case sameValue(va, vbb):
			if va != nil {
				out[f] = va
			}
		case sameValue(vb, va):
			if vbb != nil {
				out[f] = vbb
			}
		case sameValue(vb, vbb):
			if va != nil {
				out[f] = va
			}
		case f == "body" && sectionOf(key) == unified.SectionRules && va != nil && vbb != nil:
			var sb, sa, sbb string
			_ = json.Unmarshal(vb, &sb)
			_ = json.Unmarshal(va, &sa)
			_ = json.Unmarshal(vbb, &sbb)
			if m, ok := merge.Text3(sb, sa, sbb); ok {
				out[f] = canonical(m)
				continue
			}
			conflicts = append(conflicts, fieldName(f))
			out[f] = va
		default:
			conflicts = append(conflicts, fieldName(f))
			if va != nil {
				out[f] = va
			}
		}
	}
	return renormalize(key, unfields(out)), conflicts
}

// preferB is merge3 with every conflict settled in b's favour.
func preferB(key string, base, a, b json.RawMessage) json.RawMessage {
	if b == nil || a == nil || base == nil {
		return b
	}
	fb, fa, fbb := fields(base), fields(a), fields(b)
	out := map[string]json.RawMessage{}
	for _, f := range unionFieldKeys(fb, fa, fbb) {
		v := fbb[f]
		if sameValue(fb[f], fbb[f]) {
			v = fa[f] // b did not touch it: keep a's value (e.g. a field b cannot express)
		}
		if v != nil {
			out[f] = v
		}
	}
	return renormalize(key, unfields(out))
}

func unionFieldKeys(ms ...map[string]json.RawMessage) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// renormalize puts a merged value back into canonical form.
func renormalize(key string, v json.RawMessage) json.RawMessage {
	switch sectionOf(key) {
	case unified.SectionServers:
		var s unified.Server
		if json.Unmarshal(v, &s) == nil {
			s.Normalize()
			return s.AppendJSON(nil)
		}
	case unified.SectionRules:
		var r unified.Rule
		if json.Unmarshal(v, &r) == nil {
			return r.AppendJSON(nil)
		}
	}
	return v
}

// absentHash stands for "no file" in a confirmation, so that confirming the deletion of a
// whole file is possible while an unconfirmed endpoint never matches by accident.
const absentHash = "absent"

// stateHash is the hash used to confirm a file state.
func stateHash(hash string) string {
	if hash == "" {
		return absentHash
	}
	return hash
}

func confirmedState(o *Observation, b Base) bool {
	return b.ConfirmedHash != "" && stateHash(o.Hash) == b.ConfirmedHash
}
