// Package opencode is the adapter for opencode (sst/opencode, now anomalyco/opencode). MCP
// servers and permissions live in opencode.json or opencode.jsonc (~/.config/opencode on
// every OS, moved by XDG_CONFIG_HOME, or the file OPENCODE_CONFIG names; and the project's
// own file), under "mcp" and "permission"; instructions in AGENTS.md. Strings may hold
// {env:VAR} and {file:path}.
package opencode

import (
	"fmt"
	"os"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

const clientID = "opencode"

// Adapter converts opencode's config file and AGENTS.md to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return clientID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "opencode" }

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:      true,
		Rules:        true,
		Permissions:  true,
		ProjectScope: true,
		Transports:   []unified.Transport{unified.TransportStdio, unified.TransportHTTP},
		EnvSyntax:    envref.BraceEnv.String(),
		Lossy: []string{
			"SSE and streamable HTTP are both \"remote\" (opencode picks the transport), so an SSE server reads back as streamable HTTP.",
			"One timeout, per MCP request (timeout, ms): a startup timeout is dropped.",
			"No per-server tool allow/deny list; it is dropped.",
			"Permissions: only \"<server>_*\" (mcp:<server>:*, for a server of the same file) and bash \"<prefix> *\" (shell:<prefix>) are synced; other patterns, per-tool MCP rules and per-agent permissions stay opencode's. opencode applies the last matching pattern; aisync appends its rules in allow, ask, deny order.",
			"{file:…} references stay opencode's; other clients refuse such a server.",
			"cwd is written for local servers (older opencode releases reject it).",
			"Rules go to AGENTS.md as plain text: opencode applies every rule always; glob, agent and manual activations are kept in the managed block only for the other clients.",
		},
	}
}

// configDir is opencode's global folder: $XDG_CONFIG_HOME/opencode, else ~/.config/opencode,
// on every OS (opencode uses the XDG layout on macOS and Windows too).
func configDir(env clients.Env) string {
	base := env.XDGConfigHome
	if base == "" {
		base = env.Join(env.Home, ".config")
	}
	return env.Join(base, "opencode")
}

// exists tells Endpoints whether a config file is there. It is the adapter's only look at the
// disk: opencode reads opencode.jsonc as well as opencode.json, and aisync must edit the one
// the user has rather than create the other.
var exists = func(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// configFile picks opencode.jsonc when it exists in dir, else opencode.json.
func configFile(env clients.Env, dir string) string {
	if p := env.Join(dir, "opencode.jsonc"); exists(p) {
		return p
	}
	return env.Join(dir, "opencode.json")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	out := []string{configDir(env)}
	if p := env.Getenv("OPENCODE_CONFIG"); p != "" {
		out = append(out, p)
	}
	return out
}

// Endpoints implements clients.Adapter. OPENCODE_CONFIG names the user's config file when it
// is set. A project's opencode.json is merged by opencode with every ancestor's; aisync
// writes the project folder's own.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	var cfg, rules string
	switch scope.Kind {
	case clients.ScopeUser:
		dir := configDir(env)
		cfg = configFile(env, dir)
		if p := env.Getenv("OPENCODE_CONFIG"); p != "" {
			cfg = p
		}
		rules = env.Join(dir, "AGENTS.md")
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		cfg, rules = configFile(env, scope.Root), env.Join(scope.Root, "AGENTS.md")
	default:
		return nil
	}
	return []clients.Endpoint{
		{Client: clientID, Scope: scope, Path: cfg, Format: clients.FormatJSONC,
			Sections: []unified.Section{unified.SectionServers, unified.SectionPermissions}},
		{Client: clientID, Scope: scope, Path: rules, Format: clients.FormatMarkdown, Sections: []unified.Section{unified.SectionRules}},
	}
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data := files[ep.Path]
	switch ep.Format {
	case clients.FormatJSONC:
		cfg, warns, err := decodeConfig(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode opencode config: %w", err)
		}
		return cfg, warns, nil
	case clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode opencode rules: %w", err)
		}
		return unified.Config{Rules: rules}, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not an opencode endpoint (format %s)", ep.Path, ep.Format)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data, existed := files[ep.Path]
	switch ep.Format {
	case clients.FormatJSONC:
		out, changed, warns, err := encodeConfig(ep.Path, data, cfg)
		if err != nil {
			return nil, warns, fmt.Errorf("encode opencode config: %w", err)
		}
		if !changed {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		out, err := rulefiles.EncodeBlocks(ep.Path, data, cfg.Rules)
		if err != nil {
			return nil, nil, fmt.Errorf("encode opencode rules: %w", err)
		}
		return ruleFileResult(ep.Path, data, existed, out), nil, nil
	}
	return nil, nil, fmt.Errorf("encode %s: not an opencode endpoint (format %s)", ep.Path, ep.Format)
}

// ruleFileResult turns EncodeBlocks' output into what to write. A file that held nothing but
// the managed region is removed once its last rule goes, so that aisync leaves no empty
// AGENTS.md behind; a file the user had written to is never removed. Codex's adapter does the
// same with the same project AGENTS.md, so the two always agree on its bytes.
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
