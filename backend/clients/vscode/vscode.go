// Package vscode is the adapter for VS Code with GitHub Copilot. MCP servers live in mcp.json
// (the user profile's, and <project>/.vscode/mcp.json): JSONC under "servers", with "inputs"
// that VS Code prompts for. Rules live in <project>/.github/copilot-instructions.md (always
// on) and <project>/.github/instructions/*.instructions.md (applyTo globs).
package vscode

import (
	"aisync/backend/edit/jsonedit"
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

const clientID = "vscode"

// Adapter converts VS Code's mcp.json and Copilot instruction files to and from the unified
// model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return clientID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "VS Code (Copilot)" }

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:      true,
		Rules:        true,
		ProjectScope: true,
		Transports:   []unified.Transport{unified.TransportStdio, unified.TransportHTTP, unified.TransportSSE},
		EnvSyntax:    envref.EnvColon.String(),
		Lossy: []string{
			"mcp.json cannot mark a server disabled: a disabled server is left out of the file until it is enabled again.",
			"No timeouts and no per-server tool allow/deny lists in mcp.json; they are dropped.",
			"${input:…} prompts stay in VS Code; other clients refuse such a server, and aisync writes one into mcp.json only if that file declares the input (it never writes inputs).",
			"envFile, dev, sandboxEnabled and sandbox are kept for VS Code only.",
			"Rules are project-only: always-on rules live in .github/copilot-instructions.md, glob, agent and manual rules in .github/instructions/*.instructions.md (applyTo, description); a rule whose activation changes moves between the two, and an instructions file with applyTo \"**\" moves into copilot-instructions.md.",
			"User-profile instructions (prompts/*.instructions.md) are not synced.",
		},
	}
}

// userDir is the default profile's folder: ~/.config/Code/User ($XDG_CONFIG_HOME on Linux),
// ~/Library/Application Support/Code/User, %APPDATA%\Code\User.
func userDir(env clients.Env) string { return env.Join(env.ConfigDir(), "Code", "User") }

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{userDir(env), env.Join(userDir(env), "mcp.json")}
}

const instructionsPattern = "*" + ".instructions.md"

// Endpoints implements clients.Adapter. Only the default profile is synced; other profiles
// keep their mcp.json under User/profiles/<id>/.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	servers := []unified.Section{unified.SectionServers}
	rules := []unified.Section{unified.SectionRules}
	switch scope.Kind {
	case clients.ScopeUser:
		return []clients.Endpoint{{Client: clientID, Scope: scope, Path: env.Join(userDir(env), "mcp.json"), Format: clients.FormatJSONC, Sections: servers}}
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		return []clients.Endpoint{
			{Client: clientID, Scope: scope, Path: env.Join(scope.Root, ".vscode", "mcp.json"), Format: clients.FormatJSONC, Sections: servers},
			{Client: clientID, Scope: scope, Path: env.Join(scope.Root, ".github", "copilot-instructions.md"), Format: clients.FormatMarkdown, Sections: rules},
			{Client: clientID, Scope: scope, Path: env.Join(scope.Root, ".github", "instructions"), Format: clients.FormatRuleDir, Sections: rules, Pattern: instructionsPattern},
		}
	}
	return nil
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	switch ep.Format {
	case clients.FormatJSONC:
		servers, warns, err := decodeConfig(ep.Path, files[ep.Path])
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode vscode mcp.json: %w", err)
		}
		return unified.Config{Servers: servers}, warns, nil
	case clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, files[ep.Path])
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode copilot instructions: %w", err)
		}
		return unified.Config{Rules: rules}, warns, nil
	case clients.FormatRuleDir:
		rules, warns, err := rulefiles.Copilot.DecodeDir(files)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode copilot instruction files: %w", err)
		}
		if len(rules) == 0 {
			rules = nil
		}
		return unified.Config{Rules: rules}, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a vscode endpoint (format %s)", ep.Path, ep.Format)
}

// EncodeReadBack implements clients.ReadBackEncoder: mcp.json is read back from the edited
// document, the instruction files are encoded and decoded again.
func (a *Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	if ep.Format != clients.FormatJSONC {
		return clients.EncodeThenDecode(a, ep, files, cfg)
	}
	doc, known, warns, err := editConfig(ep.Path, files[ep.Path], cfg.Servers)
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("encode vscode mcp.json: %w", err)
	}
	servers, _ := decodeDoc(ep.Path, doc, known)
	return clients.EditedFile(ep.Path, doc), warns, unified.Config{Servers: servers}, nil
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	switch ep.Format {
	case clients.FormatJSONC:
		out, changed, warns, err := encodeConfig(ep.Path, files[ep.Path], cfg.Servers)
		if err != nil {
			return nil, warns, fmt.Errorf("encode vscode mcp.json: %w", err)
		}
		if !changed {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		data, existed := files[ep.Path]
		out, err := rulefiles.EncodeBlocks(ep.Path, data, alwaysRules(cfg.Rules))
		if err != nil {
			return nil, nil, fmt.Errorf("encode copilot instructions: %w", err)
		}
		return ruleFileResult(ep.Path, data, existed, out), nil, nil
	case clients.FormatRuleDir:
		have, _, err := rulefiles.Copilot.DecodeDir(files)
		if err != nil {
			return nil, nil, fmt.Errorf("encode copilot instruction files: %w", err)
		}
		want, warns := scopedRules(cfg.Rules, have)
		out, w, err := rulefiles.Copilot.EncodeDir(ep.Path, files, want)
		if err != nil {
			return nil, append(warns, w...), fmt.Errorf("encode copilot instruction files: %w", err)
		}
		return out, append(warns, w...), nil
	}
	return nil, nil, fmt.Errorf("encode %s: not a vscode endpoint (format %s)", ep.Path, ep.Format)
}

// alwaysRules are the rules copilot-instructions.md holds: Copilot reads the whole file into
// every request, so it only suits rules that always apply.
func alwaysRules(rules map[string]unified.Rule) map[string]unified.Rule {
	out := map[string]unified.Rule{}
	for name, r := range rules {
		if isAlways(r) {
			out[name] = r
		}
	}
	return out
}

func isAlways(r unified.Rule) bool {
	return r.Activation == unified.ActivationAlways || r.Activation == ""
}

// scopedRules are the rules .github/instructions holds: the ones that do not always apply,
// whose activation only an instructions file (applyTo, or a description alone) can express.
// Each rule has one home, so Copilot never reads it twice: an always-on rule that has a file
// here (one the user made, or one whose activation changed) moves to copilot-instructions.md.
func scopedRules(rules, have map[string]unified.Rule) (map[string]unified.Rule, []clients.Warning) {
	out := map[string]unified.Rule{}
	var warns []clients.Warning
	for _, name := range jsonedit.SortedKeys(rules) {
		r := rules[name]
		if !isAlways(r) {
			out[name] = r
			continue
		}
		if _, ok := have[name]; ok {
			warns = append(warns, clients.Warning{Item: "rule:" + name, Code: clients.WarnDroppedField,
				Message: "The rule applies always, so it moves from its .github/instructions file into .github/copilot-instructions.md, where aisync keeps always-on rules; frontmatter keys aisync does not know stay behind."})
		}
	}
	return out, warns
}

// ruleFileResult turns EncodeBlocks' output into what to write. A file that held nothing but
// the managed region is removed once its last rule goes; a file the user had written to is
// never removed.
func ruleFileResult(path string, before []byte, existed bool, after []byte) clients.Files {
	switch {
	case after == nil, existed && string(after) == string(before):
		return clients.Files{}
	case existed && len(before) > 0 && len(after) == 0:
		return clients.Files{path: nil}
	case !existed && len(after) == 0:
		return clients.Files{}
	}
	return clients.Files{path: after}
}
