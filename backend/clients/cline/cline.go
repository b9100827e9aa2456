// Package cline adapts Cline (VS Code, JetBrains and the Cline CLI share one file): MCP
// servers in ~/.cline/data/settings/cline_mcp_settings.json (moved by CLINE_MCP_SETTINGS_PATH,
// CLINE_DATA_DIR or CLINE_DIR), and rules in ~/.cline/rules/*.md and <project>/.clinerules/*.md.
package cline

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "cline"

// Adapter is the Cline adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Cline" }

// servers: "type" is stdio, streamableHttp or sse (the legacy "transportType" is read too,
// where "http" meant streamable HTTP). A url entry without a type is SSE, for old configs,
// so the type is always written on url entries. The Cline CLI writes the transport nested
// ("transport": {type, command, …}); such entries are edited in that form. "timeout" is in
// seconds, 1 to 3600. autoApprove (tools that run without asking) is the allow list.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Cline", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
	TypeFields: []string{"type", "transportType"},
	Types: map[unified.Transport]string{
		unified.TransportStdio: "stdio", unified.TransportHTTP: "streamableHttp", unified.TransportSSE: "sse",
	},
	ReadTypes: map[string]unified.Transport{"http": unified.TransportHTTP},
	TypeRule:  mcpjson.TypeRemote, URLDefault: unified.TransportSSE,
	URLFields: []string{"url"}, Nested: "transport", Cwd: true, Headers: true,
	Disabled: mcpjson.DisabledFlag, DisabledKey: "disabled",
	Timeout:    mcpjson.Timeout{Field: "timeout", UnitMs: 1000, Min: 1, Max: 3600},
	AllowField: "autoApprove",
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.EnvColon.String(),
		Lossy: []string{
			"MCP servers exist only in the user scope",
			"tool deny lists and start-up timeouts",
			"the allow list is autoApprove: tools that run without asking, not a filter of which tools exist",
			"timeouts are seconds between 1 and 3600 (others are clamped)",
			"agent-requested and manual rules become always-on",
		},
	}
}

// clineDir is $CLINE_DIR or ~/.cline.
func clineDir(env clients.Env) string {
	if d := env.Getenv("CLINE_DIR"); d != "" {
		return d
	}
	return env.Join(env.Home, ".cline")
}

// settingsFile follows Cline's own resolution: CLINE_MCP_SETTINGS_PATH, else
// $CLINE_DATA_DIR/settings, else $CLINE_DIR/data/settings.
func settingsFile(env clients.Env) string {
	if p := env.Getenv("CLINE_MCP_SETTINGS_PATH"); p != "" {
		return p
	}
	data := env.Getenv("CLINE_DATA_DIR")
	if data == "" {
		data = env.Join(clineDir(env), "data")
	}
	return env.Join(data, "settings", "cline_mcp_settings.json")
}

// DetectPaths implements clients.Adapter. The VS Code extension's old settings folder counts
// too: Cline moves it to the shared file when it starts.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{clineDir(env), settingsFile(env),
		env.Join(env.ConfigDir(), "Code", "User", "globalStorage", "saoudrizwan.claude-dev")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	rules := func(dir string) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: dir, Format: clients.FormatRuleDir,
			Sections: []unified.Section{unified.SectionRules}, Pattern: "*" + rulefiles.Cline.Ext}
	}
	if scope.Kind == clients.ScopeProject {
		return []clients.Endpoint{rules(env.Join(scope.Root, ".clinerules"))}
	}
	return []clients.Endpoint{
		{Client: ID, Scope: scope, Path: settingsFile(env), Format: clients.FormatJSON,
			Sections: []unified.Section{unified.SectionServers}},
		rules(env.Join(clineDir(env), "rules")),
	}
}

func codec(ep clients.Endpoint) mcpjson.Codec {
	if ep.Format == clients.FormatRuleDir {
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Cline}
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
