package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/events"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// Resolution choices.
const (
	ChooseClient  = "client"  // keep the value one client holds (Client names it)
	ChooseBase    = "base"    // go back to the common ancestor
	ChooseValue   = "value"   // a merged or edited value (Value)
	ChooseConfirm = "confirm" // a suspicious file: its entries really were deleted
	ChooseRestore = "restore" // a suspicious file: write the synced state back into it
)

// Resolution is the user's decision on a conflict.
type Resolution struct {
	Choice string          `json:"choice"`
	Client string          `json:"client,omitempty"`
	Value  json.RawMessage `json:"value,omitempty"`
}

// ErrBadResolution means the decision does not fit the conflict.
var ErrBadResolution = errors.New("invalid resolution")

// ResolveConflict applies the user's decision and re-runs the sync for the conflict's scope,
// so that every client converges on the chosen value.
func (e *Engine) ResolveConflict(ctx context.Context, id string, r Resolution, by string) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.st.GetConflict(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if c.Status != store.ConflictPending {
		return Result{}, store.ErrConflictResolved
	}
	if c.Kind == kindSuspicious {
		if err := e.resolveSuspicious(ctx, c, r); err != nil {
			return Result{}, err
		}
	} else {
		value, err := chosenValue(c, r)
		if err != nil {
			return Result{}, err
		}
		hub, parent, err := e.hub(ctx, c.Scope)
		if err != nil {
			return Result{}, err
		}
		it := toItems(hub, unified.AllSections)
		if value == nil {
			delete(it, c.ItemKey)
			_ = e.st.PutTombstone(ctx, store.Tombstone{Scope: c.Scope, ItemKey: c.ItemKey, DeletedBy: by})
		} else {
			it[c.ItemKey] = renormalize(c.ItemKey, value)
		}
		next := fromItems(it)
		if !next.Equal(hub) {
			if _, err := e.recordSnapshot(ctx, c.Scope, parent, hub, next, "user", ""); err != nil {
				return Result{}, err
			}
		}
		origins := e.origins(ctx, c.Scope)
		origins[c.ItemKey] = Origin{Client: "user", Priority: 1 << 20, Time: e.now().UTC()}
		_ = e.saveOrigins(ctx, c.Scope, origins)
	}
	resolution, _ := json.Marshal(r)
	if _, err := e.st.ResolveConflict(ctx, id, resolution, by); err != nil {
		return Result{}, err
	}
	msg := fmt.Sprintf("conflict on %s resolved (%s)", c.ItemKey, describe(r))
	e.logEntry(ctx, store.LogEntry{Event: events.ConflictResolved, Level: store.LevelInfo, Message: msg, Context: canonical(map[string]any{"conflictId": id, "key": c.ItemKey, "scope": c.Scope, "by": by})})
	e.bus.Publish(events.Event{Type: events.ConflictResolved, Scope: c.Scope, Msg: msg, Data: map[string]any{"conflictId": id, "key": c.ItemKey}})
	return e.syncLocked(ctx, TriggerResolve, passScope{scopes: map[string]bool{c.Scope: true}})
}

func describe(r Resolution) string {
	if r.Choice == ChooseClient {
		return "kept " + r.Client + "'s version"
	}
	return r.Choice
}

// chosenValue validates the decision and returns the item value (nil = delete the item).
func chosenValue(c store.Conflict, r Resolution) (json.RawMessage, error) {
	var v json.RawMessage
	switch r.Choice {
	case ChooseClient:
		found := false
		for _, s := range c.Sides {
			if s.ClientID == r.Client {
				v, found = s.Value, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: %q is not a side of this conflict", ErrBadResolution, r.Client)
		}
	case ChooseBase:
		v = c.Base
	case ChooseValue:
		if len(r.Value) == 0 {
			return nil, fmt.Errorf("%w: choice \"value\" needs a value", ErrBadResolution)
		}
		v = r.Value
	default:
		return nil, fmt.Errorf("%w: choice must be client, base or value (got %q)", ErrBadResolution, r.Choice)
	}
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	sec, name := splitKey(c.ItemKey)
	switch sec {
	case unified.SectionServers:
		var s unified.Server
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("%w: value is not a server: %v", ErrBadResolution, err)
		}
		if s.Command == "" && s.URL == "" {
			return nil, fmt.Errorf("%w: server %q needs a command or a url", ErrBadResolution, name)
		}
	case unified.SectionRules:
		var rl unified.Rule
		if err := json.Unmarshal(v, &rl); err != nil {
			return nil, fmt.Errorf("%w: value is not a rule: %v", ErrBadResolution, err)
		}
	case unified.SectionPermissions:
		var list string
		if err := json.Unmarshal(v, &list); err != nil || (list != "allow" && list != "ask" && list != "deny") {
			return nil, fmt.Errorf("%w: a permission value is \"allow\", \"ask\" or \"deny\"", ErrBadResolution)
		}
	}
	return v, nil
}

// resolveSuspicious confirms or undoes a file that suddenly lost all of its entries.
func (e *Engine) resolveSuspicious(ctx context.Context, c store.Conflict, r Resolution) error {
	ep, ok := e.findEndpoint(ctx, c.ItemKey)
	if !ok {
		return fmt.Errorf("%w: endpoint %s is no longer configured", ErrBadResolution, c.ItemKey)
	}
	files, err := readEndpoint(ep)
	if err != nil {
		return err
	}
	switch r.Choice {
	case ChooseConfirm:
		return e.st.PutSetting(ctx, confirmedKey+ep.ID(), stateHash(filesHash(files)))
	case ChooseRestore:
		// Forget the base: the empty file then has no local changes, and the next pass writes
		// the synced state back into it.
		st, err := e.st.GetEndpointState(ctx, ep.ID())
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st.EndpointID, st.ClientID, st.Scope, st.Path = ep.ID(), ep.Client, ep.Scope.ID(), ep.Path
		st.Base = unified.Config{}.Canonical()
		st.Hash = filesHash(files)
		return e.st.PutEndpointState(ctx, st)
	}
	return fmt.Errorf("%w: a file that lost its entries takes \"confirm\" or \"restore\"", ErrBadResolution)
}

func (e *Engine) findEndpoint(ctx context.Context, id string) (clients.Endpoint, bool) {
	scopes, _ := e.Scopes(ctx)
	for _, a := range e.adapters {
		for _, sc := range scopes {
			for _, ep := range a.Endpoints(e.env, sc) {
				if ep.ID() == id {
					return ep, true
				}
			}
		}
	}
	return clients.Endpoint{}, false
}
