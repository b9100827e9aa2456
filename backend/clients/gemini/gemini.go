// Package gemini is the adapter for Google's Gemini CLI. Gemini keeps MCP servers and tool
// permissions in settings.json (~/.gemini, moved by GEMINI_CLI_HOME, and <project>/.gemini),
// a JSON file with comments that Gemini itself rewrites preserving format, and reads its
// instructions from GEMINI.md. Strings may hold $VAR and ${VAR}.
package gemini

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

const clientID = "gemini"

// Adapter converts Gemini CLI's settings.json and GEMINI.md to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return clientID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Gemini CLI" }

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:      true,
		Rules:        true,
		Permissions:  true,
		ProjectScope: true,
		Transports:   []unified.Transport{unified.TransportStdio, unified.TransportHTTP, unified.TransportSSE},
		EnvSyntax:    envref.DollarBrace.String(),
		Lossy: []string{
			"Gemini has one timeout, per tool call (timeout, ms); a startup timeout is dropped.",
			"A disabled server is listed in mcp.excluded. One turned off with `gemini mcp disable` (mcp-server-enablement.json) reads as disabled, but only Gemini can turn it on again.",
			"Permissions: only allow rules for shell command prefixes (run_shell_command(…)) and MCP tools (mcp_<server>_<tool>) are synced; tools.allowed has no ask or deny.",
			"An MCP permission is read only when its server is in the same file and its name is unambiguous (server names containing _ can clash).",
			"$VAR and ${VAR} are read alike and written as ${VAR}; a server whose strings hold another client's variable (${input:…}, ${workspaceFolder}) or a literal $ is not written.",
			"httpUrl entries are read as streamable HTTP and keep httpUrl; new servers get url with type.",
			"Rules go to GEMINI.md as plain text: Gemini applies every rule always; glob, agent and manual activations are kept in the managed block only for the other clients.",
		},
	}
}

// dir is Gemini's own folder. GEMINI_CLI_HOME replaces the home directory, so it is the
// parent of .gemini, not .gemini itself.
func dir(env clients.Env) string {
	if h := env.Getenv("GEMINI_CLI_HOME"); h != "" {
		return env.Join(h, ".gemini")
	}
	return env.Join(env.Home, ".gemini")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	d := dir(env)
	return []string{d, env.Join(d, "settings.json")}
}

// Endpoints implements clients.Adapter. Project settings are ignored by Gemini in an
// untrusted folder when folder trust is on; aisync writes them either way.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	var settings, rules string
	switch scope.Kind {
	case clients.ScopeUser:
		d := dir(env)
		settings, rules = env.Join(d, "settings.json"), env.Join(d, "GEMINI.md")
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		settings, rules = env.Join(scope.Root, ".gemini", "settings.json"), env.Join(scope.Root, "GEMINI.md")
	default:
		return nil
	}
	return []clients.Endpoint{
		{Client: clientID, Scope: scope, Path: settings, Format: clients.FormatJSONC,
			Sections: []unified.Section{unified.SectionServers, unified.SectionPermissions}},
		{Client: clientID, Scope: scope, Path: rules, Format: clients.FormatMarkdown, Sections: []unified.Section{unified.SectionRules}},
	}
}

// Decode implements clients.Adapter. If the engine passes ~/.gemini/mcp-server-enablement.json
// among the files, servers disabled there read as disabled.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data := files[ep.Path]
	switch ep.Format {
	case clients.FormatJSONC:
		cfg, warns, err := decodeSettings(ep.Path, data, enablementOf(files))
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode gemini settings: %w", err)
		}
		return cfg, warns, nil
	case clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode gemini rules: %w", err)
		}
		return unified.Config{Rules: rules}, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a gemini endpoint (format %s)", ep.Path, ep.Format)
}

// EncodeReadBack implements clients.ReadBackEncoder: settings.json is read back from the
// edited document, GEMINI.md is encoded and decoded again.
func (a *Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	if ep.Format != clients.FormatJSONC {
		return clients.EncodeThenDecode(a, ep, files, cfg)
	}
	data := files[ep.Path]
	doc, known, warns, err := editSettings(ep.Path, data, enablementOf(files), cfg)
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("encode gemini settings: %w", err)
	}
	out := clients.EditedFile(ep.Path, doc)
	if b, ok := out[ep.Path]; ok {
		data = b
	}
	back, _ := decodeDoc(ep.Path, doc, data, enablementOf(clients.Apply(files, out)), known)
	return out, warns, back, nil
}

// Encode implements clients.Adapter. It only ever returns the endpoint's own file.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data, existed := files[ep.Path]
	switch ep.Format {
	case clients.FormatJSONC:
		out, changed, warns, err := encodeSettings(ep.Path, data, enablementOf(files), cfg)
		if err != nil {
			return nil, warns, fmt.Errorf("encode gemini settings: %w", err)
		}
		if !changed {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		out, err := rulefiles.EncodeBlocks(ep.Path, data, cfg.Rules)
		if err != nil {
			return nil, nil, fmt.Errorf("encode gemini rules: %w", err)
		}
		return ruleFileResult(ep.Path, data, existed, out), nil, nil
	}
	return nil, nil, fmt.Errorf("encode %s: not a gemini endpoint (format %s)", ep.Path, ep.Format)
}

// ruleFileResult turns EncodeBlocks' output into what to write. A file that held nothing but
// the managed region is removed once its last rule goes, so that aisync leaves no empty
// GEMINI.md behind; a file the user had written to is never removed.
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
