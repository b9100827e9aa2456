// Package amazonq adapts the Amazon Q Developer CLI's MCP files, ~/.aws/amazonq/mcp.json and
// <project>/.amazonq/mcp.json (read by agents with useLegacyMcpJson), and the project rules
// in .amazonq/rules/*.md.
package amazonq

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "amazonq"

// Adapter is the Amazon Q adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Amazon Q Developer" }

// servers: "type" is stdio (the default) or http; there is no SSE. The per-server "timeout"
// is in milliseconds (default 120000) and bounds tool calls.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Amazon Q", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
	TypeFields: []string{"type"},
	Types:      map[unified.Transport]string{unified.TransportStdio: "stdio", unified.TransportHTTP: "http"},
	TypeRule:   mcpjson.TypeRemote, URLDefault: unified.TransportHTTP,
	URLFields: []string{"url"}, Headers: true,
	Disabled: mcpjson.DisabledFlag, DisabledKey: "disabled",
	Timeout: mcpjson.Timeout{Field: "timeout", UnitMs: 1},
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.EnvColon.String(),
		Lossy: []string{
			"SSE servers are not written (Amazon Q has no SSE transport)",
			"working directory, start-up timeouts and tool allow/deny lists (those live in agent files)",
			"rules are plain files: always on, no description or globs",
			"oauth and oauthScopes stay in Amazon Q only",
		},
	}
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{env.Join(env.Home, ".aws", "amazonq")}
}

// Endpoints implements clients.Adapter. Amazon Q has no user-level rule folder.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	if scope.Kind == clients.ScopeProject {
		return []clients.Endpoint{
			{Client: ID, Scope: scope, Path: env.Join(scope.Root, ".amazonq", "mcp.json"), Format: clients.FormatJSON,
				Sections: []unified.Section{unified.SectionServers}},
			{Client: ID, Scope: scope, Path: env.Join(scope.Root, ".amazonq", "rules"), Format: clients.FormatRuleDir,
				Sections: []unified.Section{unified.SectionRules}, Pattern: "*" + rulefiles.Plain.Ext},
		}
	}
	return []clients.Endpoint{{Client: ID, Scope: scope, Path: env.Join(env.Home, ".aws", "amazonq", "mcp.json"),
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}}
}

func codec(ep clients.Endpoint) mcpjson.Codec {
	if ep.Format == clients.FormatRuleDir {
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Plain}
	}
	return servers
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	return codec(ep).Decode(ep, files)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	return codec(ep).Encode(ep, files, cfg)
}

// EncodeReadBack implements clients.ReadBackEncoder.
func (*Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	return mcpjson.EncodeReadBack(codec(ep), ep, files, cfg)
}
