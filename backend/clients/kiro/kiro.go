// Package kiro adapts Kiro (IDE and CLI): MCP servers in ~/.kiro/settings/mcp.json and
// <project>/.kiro/settings/mcp.json, and steering files in ~/.kiro/steering/*.md and
// <project>/.kiro/steering/*.md.
package kiro

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "kiro"

// Adapter is the Kiro adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Kiro" }

// servers: no type member (a command is local, a url remote); "args" is required for local
// servers and "env" is allowed on both kinds. autoApprove (tools run without asking) is
// mapped to the allow list and disabledTools to the deny list.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Kiro", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace,
	Types: map[unified.Transport]string{
		unified.TransportStdio: "", unified.TransportHTTP: "", unified.TransportSSE: "",
	},
	TypeRule: mcpjson.TypeInferred, URLDefault: unified.TransportHTTP,
	URLFields: []string{"url"}, Headers: true, RemoteEnv: true, ArgsRequired: true,
	Disabled: mcpjson.DisabledFlag, DisabledKey: "disabled",
	AllowField: "autoApprove", DenyField: "disabledTools",
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.DollarBrace.String(),
		Lossy: []string{
			"SSE servers are written as a plain url and read back as HTTP",
			"working directory and timeouts",
			"the allow list is autoApprove: tools that run without asking, not a filter of which tools exist",
			"oauth and oauthScopes stay in Kiro only",
		},
	}
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{env.Join(env.Home, ".kiro")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	base := env.Join(env.Home, ".kiro")
	if scope.Kind == clients.ScopeProject {
		base = env.Join(scope.Root, ".kiro")
	}
	steering := clients.Endpoint{Client: ID, Scope: scope, Path: env.Join(base, "steering"), Format: clients.FormatRuleDir,
		Sections: []unified.Section{unified.SectionRules}, Pattern: "*" + rulefiles.Kiro.Ext}
	return []clients.Endpoint{
		{Client: ID, Scope: scope, Path: env.Join(base, "settings", "mcp.json"), Format: clients.FormatJSON,
			Sections: []unified.Section{unified.SectionServers}},
		steering,
	}
}

func codec(ep clients.Endpoint) mcpjson.Codec {
	if ep.Format == clients.FormatRuleDir {
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Kiro}
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
