// Package windsurf adapts Windsurf (Codeium; "Devin Desktop" since mid-2026): MCP servers in
// ~/.codeium/windsurf/mcp_config.json (user scope only), global rules in a managed region of
// ~/.codeium/windsurf/memories/global_rules.md, and project rules in .windsurf/rules/*.md.
package windsurf

import (
	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "windsurf"

// Adapter is the Windsurf adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Windsurf" }

// servers: the transport is inferred (Windsurf negotiates streamable HTTP or SSE for a URL);
// a remote server's URL is in "serverUrl" (what Windsurf writes) or "url". Per-tool toggles
// are saved as "disabledTools".
var servers = mcpjson.Dialect{
	Client: ID, Name: "Windsurf", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
	Types: map[unified.Transport]string{
		unified.TransportStdio: "", unified.TransportHTTP: "", unified.TransportSSE: "",
	},
	TypeRule: mcpjson.TypeInferred, URLDefault: unified.TransportHTTP,
	URLFields: []string{"serverUrl", "url"}, Headers: true,
	Disabled: mcpjson.DisabledFlag, DisabledKey: "disabled",
	DenyField: "disabledTools",
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.EnvColon.String(),
		Lossy: []string{
			"MCP servers exist only in the user scope",
			"SSE servers are written as a plain URL (Windsurf picks the protocol) and read back as HTTP",
			"working directory, timeouts and tool allow lists (only disabledTools exists)",
			"global rules live in one file, where they are always on",
		},
	}
}

func base(env clients.Env) string { return env.Join(env.Home, ".codeium", "windsurf") }

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{base(env)}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	ep := func(path string, f clients.Format, s unified.Section) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: path, Format: f, Sections: []unified.Section{s}}
	}
	if scope.Kind == clients.ScopeProject {
		rules := ep(env.Join(scope.Root, ".windsurf", "rules"), clients.FormatRuleDir, unified.SectionRules)
		rules.Pattern = "*" + rulefiles.Windsurf.Ext
		return []clients.Endpoint{rules}
	}
	return []clients.Endpoint{
		ep(env.Join(base(env), "mcp_config.json"), clients.FormatJSON, unified.SectionServers),
		ep(env.Join(base(env), "memories", "global_rules.md"), clients.FormatMarkdown, unified.SectionRules),
	}
}

func codec(ep clients.Endpoint) mcpjson.Codec {
	switch ep.Format {
	case clients.FormatRuleDir:
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Windsurf}
	case clients.FormatMarkdown:
		return mcpjson.RuleBlocks{Client: ID}
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
