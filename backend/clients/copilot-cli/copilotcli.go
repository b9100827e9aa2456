// Package copilotcli adapts the GitHub Copilot CLI, whose MCP servers are in
// $COPILOT_HOME/mcp-config.json (by default ~/.copilot/mcp-config.json). Its project-level
// files (.mcp.json, .vscode/mcp.json) belong to Claude Code and VS Code and are synced
// through their adapters.
package copilotcli

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "copilot-cli"

// Adapter is the Copilot CLI adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "GitHub Copilot CLI" }

// servers: every entry names its type ("local" is what /mcp add writes for a command,
// "stdio" is read too) and lists the tools it exposes ("tools": ["*"] for all of them, a
// list of names is an allow list). "args" is required for local servers. env values are
// literal unless written ${VAR}. The per-server "timeout" is in milliseconds. A
// "disabled" member is ignored by the CLI (servers are switched off with a flag or in the
// session), so disabled servers are left out.
var servers = mcpjson.Dialect{
	Client: ID, Name: "GitHub Copilot CLI", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace,
	TypeFields: []string{"type"},
	Types: map[unified.Transport]string{
		unified.TransportStdio: "local", unified.TransportHTTP: "http", unified.TransportSSE: "sse",
	},
	ReadTypes: map[string]unified.Transport{"stdio": unified.TransportStdio},
	TypeRule:  mcpjson.TypeAlways, TypeOnNew: true, URLDefault: unified.TransportHTTP,
	URLFields: []string{"url"}, Cwd: true, Headers: true, ArgsRequired: true,
	Disabled:   mcpjson.DisabledUnsupported,
	Timeout:    mcpjson.Timeout{Field: "timeout", UnitMs: 1},
	AllowField: "tools", AllowAll: "*",
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:    true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.DollarBrace.String(),
		Lossy: []string{
			"MCP servers exist only in the user scope",
			"disabled servers are left out (the CLI ignores a disabled member)",
			"tool deny lists and start-up timeouts",
			`"tools": [] (no tool at all) stays in the Copilot CLI only`,
		},
	}
}

// home is $COPILOT_HOME, or ~/.copilot.
func home(env clients.Env) string {
	if d := env.Getenv("COPILOT_HOME"); d != "" {
		return d
	}
	return env.Join(env.Home, ".copilot")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string { return []string{home(env)} }

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	if scope.Kind != clients.ScopeUser {
		return nil
	}
	return []clients.Endpoint{{Client: ID, Scope: scope, Path: env.Join(home(env), "mcp-config.json"),
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}}
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	return servers.Decode(ep, files)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	return servers.Encode(ep, files, cfg)
}
