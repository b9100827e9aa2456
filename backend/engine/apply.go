package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/merge"
	"aisync/backend/unified"
)

// FileDiff is how one file would change.
type FileDiff struct {
	Client string           `json:"client"`
	Path   string           `json:"path"`
	Action string           `json:"action"` // create, update, delete
	Lines  []merge.DiffLine `json:"lines"`
}

// ApplyResult is the outcome (or, for a dry run, the preview) of applying a snapshot.
type ApplyResult struct {
	SnapshotID string     `json:"snapshotId"`
	Scope      string     `json:"scope"`
	DryRun     bool       `json:"dryRun"`
	Diffs      []FileDiff `json:"diffs"`
	Warnings   []string   `json:"warnings,omitempty"`
	Sync       *Result    `json:"sync,omitempty"`
}

// Apply makes a snapshot the current state of its scope again (a rollback) and writes it to
// the target clients (all enabled clients when targets is empty). With dryRun nothing is
// written: the result lists per file what would change. Secret values are never shown in a
// dry run: references stay references in the preview.
func (e *Engine) Apply(ctx context.Context, snapshotID string, targets []string, dryRun bool) (ApplyResult, error) {
	snap, err := e.st.GetSnapshot(ctx, snapshotID)
	if err != nil {
		return ApplyResult{}, err
	}
	var cfg unified.Config
	if err := json.Unmarshal(snap.Payload, &cfg); err != nil {
		return ApplyResult{}, fmt.Errorf("decode snapshot %s: %w", snapshotID, err)
	}
	sc, err := clients.ParseScope(snap.Scope)
	if err != nil {
		return ApplyResult{}, err
	}
	res := ApplyResult{SnapshotID: snapshotID, Scope: snap.Scope, DryRun: dryRun}
	cls, err := e.Clients(ctx)
	if err != nil {
		return res, err
	}
	want := map[string]bool{}
	for _, t := range targets {
		want[t] = true
	}
	known := map[string]bool{}
	var active []Client
	for _, c := range cls {
		known[c.Adapter.ID()] = true
		if len(want) > 0 && !want[c.Adapter.ID()] {
			continue
		}
		if c.Row.Enabled && c.Detected {
			active = append(active, c)
		}
	}
	for _, id := range targets {
		if !known[id] {
			return res, fmt.Errorf("%w: unknown client %q", ErrBadResolution, id)
		}
	}
	for _, t := range e.endpointsFor(sc, active) {
		files, err := readEndpoint(t.ep)
		if err != nil {
			res.Warnings = append(res.Warnings, err.Error())
			continue
		}
		if len(files) == 0 && !canCreate(t.ep) {
			continue
		}
		out, warns, err := t.client.Adapter.Encode(t.ep, files, cfg.Only(t.ep.Sections...))
		if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v", t.ep.Path, err))
			continue
		}
		for _, w := range warns {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %s", t.client.Adapter.Name(), w.String()))
		}
		for _, p := range out.Sorted() {
			old, existed := files[p]
			nw := out[p]
			if existed && nw != nil && bytes.Equal(old, nw) || !existed && nw == nil {
				continue
			}
			action := "update"
			switch {
			case !existed:
				action = "create"
			case nw == nil:
				action = "delete"
			}
			res.Diffs = append(res.Diffs, FileDiff{Client: t.client.Adapter.ID(), Path: p, Action: action, Lines: merge.LineDiff(string(old), string(nw))})
		}
	}
	if dryRun {
		return res, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	hub, parent, err := e.hub(ctx, snap.Scope)
	if err != nil {
		return res, err
	}
	if !hub.Equal(cfg) {
		if _, err := e.recordSnapshot(ctx, snap.Scope, parent, hub, cfg, "user", ""); err != nil {
			return res, err
		}
	}
	sync, err := e.syncLocked(ctx, TriggerRollback, passScope{write: setOf(targets), scopes: map[string]bool{snap.Scope: true}})
	res.Sync = &sync
	return res, err
}
