package mcpjson

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// RuleDir is a Codec for a folder of rule files (.cursor/rules, .kiro/steering, …), for the
// adapters of this family whose rules live next to their JSON files.
type RuleDir struct {
	Client  string
	Dialect rulefiles.Dialect
}

// Decode reads one rule per file of the folder.
func (r RuleDir) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	rules, warns, err := r.Dialect.DecodeDir(r.own(ep, files))
	if err != nil {
		return unified.Config{}, warns, fmt.Errorf("decode %s rules: %w", r.Client, err)
	}
	if len(rules) == 0 {
		rules = nil
	}
	return unified.Config{Rules: rules}, warns, nil
}

// Encode makes the folder hold cfg.Rules; files that are not rules are left alone.
func (r RuleDir) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	out, warns, err := r.Dialect.EncodeDir(ep.Path, r.own(ep, files), cfg.Rules)
	if err != nil {
		return nil, warns, fmt.Errorf("encode %s rules: %w", r.Client, err)
	}
	return out, warns, nil
}

// own keeps the files that belong to the endpoint's folder.
func (r RuleDir) own(ep clients.Endpoint, files clients.Files) clients.Files {
	in := clients.Files{}
	for p, b := range files {
		if ep.Matches(p) {
			in[p] = b
		}
	}
	return in
}

// RuleBlocks is a Codec for one Markdown file whose rules sit in an aisync-managed region
// (CLAUDE.md, Windsurf's global_rules.md); the rest of the file is the user's.
type RuleBlocks struct{ Client string }

// Decode reads the rules of the managed region.
func (r RuleBlocks) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
	if err != nil {
		return unified.Config{}, warns, fmt.Errorf("decode %s rules: %w", r.Client, err)
	}
	if len(rules) == 0 {
		rules = nil
	}
	return unified.Config{Rules: rules}, warns, nil
}

// Encode makes the managed region hold cfg.Rules.
func (r RuleBlocks) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data := files[ep.Path]
	out, err := rulefiles.EncodeBlocks(ep.Path, data, cfg.Rules)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s rules: %w", r.Client, err)
	}
	return changed(ep.Path, data, out), nil, nil
}
