// Package zed adapts the Zed editor. Zed keeps its MCP servers ("context servers") and the
// agent's tool permissions in settings.json, a JSONC file people fill with themes, key maps
// and comments: ~/.config/zed/settings.json for the user (%APPDATA%\Zed on Windows) and
// <project>/.zed/settings.json for a project, which holds servers only (project settings have
// no agent section). Zed reads a project's instructions from the first of .rules,
// .cursorrules, …, AGENTS.md at its root; aisync writes a managed block into .rules only when
// the project already has one (the endpoint is ExistingOnly), because creating it would hide
// the AGENTS.md or CLAUDE.md that the other clients' adapters keep.
package zed

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "zed"

// Adapter converts Zed's settings.json and .rules to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Zed" }

// Capabilities implements clients.Adapter. Zed expands no environment references, so
// EnvSyntax is empty.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, Permissions: true, ProjectScope: true,
		Transports: servers.Transports(),
		Lossy: []string{
			"SSE servers are not written: Zed speaks stdio and streamable HTTP only.",
			"Zed expands no ${…} references; a server whose strings hold one is not written (its current entry is left as it is).",
			"Servers provided by Zed extensions (entries with only settings) are left alone and not synced.",
			"Timeouts are whole seconds (timeout, for tool calls); a start-up timeout, a working directory and tool allow/deny lists are dropped.",
			"Permissions: only per-tool decisions for MCP tools (agent.tool_permissions.tools[\"mcp:<server>:<tool>\"].default, user settings only) are synced; shell, file and fetch rules, wildcards and regex patterns are not. A tool in two lists keeps the strictest decision.",
			"Rules go to a managed block in the project's .rules only when that file already exists (creating it would hide AGENTS.md and CLAUDE.md from Zed); Zed applies every rule always, and its Rules Library is not synced.",
		},
	}
}

// configDir is Zed's configuration folder: %APPDATA%\Zed on Windows, ~/.config/zed on macOS
// (Zed ignores XDG there), $XDG_CONFIG_HOME/zed or ~/.config/zed elsewhere.
func configDir(env clients.Env) string {
	switch env.GOOS {
	case "windows":
		return env.Join(env.ConfigDir(), "Zed")
	case "darwin":
		return env.Join(env.Home, ".config", "zed")
	}
	return env.Join(env.XDGConfig(), "zed")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	d := configDir(env)
	return []string{d, env.Join(d, "settings.json")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	switch scope.Kind {
	case clients.ScopeUser:
		return []clients.Endpoint{{Client: ID, Scope: scope, Path: env.Join(configDir(env), "settings.json"), Format: clients.FormatJSONC,
			Sections: []unified.Section{unified.SectionServers, unified.SectionPermissions}}}
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		return []clients.Endpoint{
			{Client: ID, Scope: scope, Path: env.Join(scope.Root, ".zed", "settings.json"), Format: clients.FormatJSONC,
				Sections: []unified.Section{unified.SectionServers}},
			// Zed reads only the first rules file it finds, and .rules comes first: creating
			// one would silently replace the AGENTS.md or CLAUDE.md Zed reads today.
			{Client: ID, Scope: scope, Path: env.Join(scope.Root, ".rules"), Format: clients.FormatMarkdown,
				Sections: []unified.Section{unified.SectionRules}, ExistingOnly: true},
		}
	}
	return nil
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	switch ep.Format {
	case clients.FormatJSONC:
		cfg, warns, err := decodeSettings(ep, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode zed settings: %w", err)
		}
		return cfg, warns, nil
	case clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode zed rules: %w", err)
		}
		if len(rules) == 0 {
			rules = nil
		}
		return unified.Config{Rules: rules}, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a zed endpoint (format %s)", ep.Path, ep.Format)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data, existed := files[ep.Path]
	existed = existed && data != nil
	switch ep.Format {
	case clients.FormatJSONC:
		out, warns, err := encodeSettings(ep, data, cfg)
		if err != nil {
			return nil, warns, fmt.Errorf("encode zed settings: %w", err)
		}
		if out == nil || existed && string(out) == string(data) {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		return encodeRules(ep, data, existed, cfg.Rules)
	}
	return nil, nil, fmt.Errorf("encode %s: not a zed endpoint (format %s)", ep.Path, ep.Format)
}

// encodeRules writes the managed block of .rules. The engine only calls it for a .rules that
// exists (the endpoint is ExistingOnly); a .rules that ends up empty is kept, since it was
// there before aisync and removing it would end the sync.
func encodeRules(ep clients.Endpoint, data []byte, existed bool, rules map[string]unified.Rule) (clients.Files, []clients.Warning, error) {
	out, err := rulefiles.EncodeBlocks(ep.Path, data, rules)
	if err != nil {
		return nil, nil, fmt.Errorf("encode zed rules: %w", err)
	}
	if out == nil || existed && string(out) == string(data) || !existed && len(out) == 0 {
		return clients.Files{}, nil, nil
	}
	return clients.Files{ep.Path: out}, nil, nil
}
