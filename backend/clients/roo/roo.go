// Package roo adapts Roo Code: MCP servers in the extension's global mcp_settings.json (VS
// Code globalStorage) and in <project>/.roo/mcp.json, and rules in ~/.roo/rules/*.md and
// <project>/.roo/rules/*.md.
package roo

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "roo"

// Adapter is the Roo Code adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Roo Code" }

// extensionID is the folder of Roo Code's global storage.
const extensionID = "rooveterinaryinc.roo-cline"

// servers: "type" is stdio, sse or streamable-http (hyphen); a url without a type is SSE.
// Roo rejects an entry that mixes local and remote members, which the codec never writes.
// "timeout" is in seconds, 1 to 3600. alwaysAllow (tools that run without asking; "*" for
// all) is the allow list and disabledTools the deny list.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Roo Code", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
	TypeFields: []string{"type"},
	Types: map[unified.Transport]string{
		unified.TransportStdio: "stdio", unified.TransportHTTP: "streamable-http", unified.TransportSSE: "sse",
	},
	TypeRule: mcpjson.TypeRemote, TypeOnNew: true, URLDefault: unified.TransportSSE,
	URLFields: []string{"url"}, Cwd: true, Headers: true,
	Disabled: mcpjson.DisabledFlag, DisabledKey: "disabled",
	Timeout:    mcpjson.Timeout{Field: "timeout", UnitMs: 1000, Min: 1, Max: 3600},
	AllowField: "alwaysAllow", DenyField: "disabledTools",
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.EnvColon.String(),
		Lossy: []string{
			"start-up timeouts; timeouts are seconds between 1 and 3600 (others are clamped)",
			"the allow list is alwaysAllow: tools that run without asking, not a filter of which tools exist",
			"watchPaths stay in Roo Code only",
			"rules are plain files: always on, no description or globs; mode-specific rules are not synced",
		},
	}
}

func globalStorage(env clients.Env) string {
	return env.Join(env.ConfigDir(), "Code", "User", "globalStorage", extensionID)
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{globalStorage(env), env.Join(env.Home, ".roo")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	rules := func(dir string) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: dir, Format: clients.FormatRuleDir,
			Sections: []unified.Section{unified.SectionRules}, Pattern: "*" + rulefiles.Plain.Ext}
	}
	file := env.Join(globalStorage(env), "settings", "mcp_settings.json")
	dir := env.Join(env.Home, ".roo")
	if scope.Kind == clients.ScopeProject {
		file = env.Join(scope.Root, ".roo", "mcp.json")
		dir = env.Join(scope.Root, ".roo")
	}
	return []clients.Endpoint{
		{Client: ID, Scope: scope, Path: file, Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}},
		rules(env.Join(dir, "rules")),
	}
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
