// Package cursor adapts Cursor: MCP servers in ~/.cursor/mcp.json and
// <project>/.cursor/mcp.json, rules in <project>/.cursor/rules/*.mdc, and the permissions of
// Cursor's command-line agent in ~/.cursor/cli-config.json and <project>/.cursor/cli.json.
package cursor

import (
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "cursor"

// Adapter is the Cursor adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Cursor" }

// servers: Cursor works the transport out itself (a command is stdio; for a URL it tries
// streamable HTTP and falls back to SSE), so no type is written; one the user wrote is kept
// and read. There is no disabled flag (the switch is in the app) and no cwd.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Cursor", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
	TypeFields: []string{"type"},
	Types: map[unified.Transport]string{
		unified.TransportStdio: "", unified.TransportHTTP: "", unified.TransportSSE: "",
	},
	ReadTypes: map[string]unified.Transport{
		"stdio": unified.TransportStdio, "http": unified.TransportHTTP, "streamableHttp": unified.TransportHTTP,
		"streamable-http": unified.TransportHTTP, "sse": unified.TransportSSE,
	},
	TypeRule: mcpjson.TypeInferred, URLDefault: unified.TransportHTTP,
	URLFields: []string{"url"}, Headers: true,
	Disabled: mcpjson.DisabledUnsupported,
}

// permissions are the lists of Cursor's CLI agent: Shell(cmd), Read(glob), Write(glob),
// Mcp(server:tool), WebFetch(domain). There is no ask list.
var permissions = mcpjson.PermissionLists{
	Client: ID, Name: "Cursor",
	Allow:   []string{"permissions", "allow"},
	Deny:    []string{"permissions", "deny"},
	Grammar: mcpjson.Grammar{Decode: fromCursor, Encode: toCursor},
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, Permissions: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.EnvColon.String(),
		Lossy: []string{
			"SSE servers are written as a plain url (Cursor picks the protocol) and read back as HTTP",
			"disabled servers are left out of mcp.json (Cursor keeps the switch in the app)",
			"working directory, timeouts and tool allow/deny lists",
			"envFile and auth stay in Cursor only",
			"permissions go to the CLI agent's lists only, which have no ask list",
		},
	}
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{env.Join(env.Home, ".cursor")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	ep := func(path string, f clients.Format, s unified.Section) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: path, Format: f, Sections: []unified.Section{s}}
	}
	if scope.Kind == clients.ScopeProject {
		rules := ep(env.Join(scope.Root, ".cursor", "rules"), clients.FormatRuleDir, unified.SectionRules)
		rules.Pattern = "*" + rulefiles.Cursor.Ext
		return []clients.Endpoint{
			ep(env.Join(scope.Root, ".cursor", "mcp.json"), clients.FormatJSON, unified.SectionServers),
			rules,
			cli(ep(env.Join(scope.Root, ".cursor", "cli.json"), clients.FormatJSON, unified.SectionPermissions)),
		}
	}
	return []clients.Endpoint{
		ep(env.Join(env.Home, ".cursor", "mcp.json"), clients.FormatJSON, unified.SectionServers),
		cli(ep(env.Join(env.Home, ".cursor", "cli-config.json"), clients.FormatJSON, unified.SectionPermissions)),
	}
}

// cli marks the Cursor CLI's settings as written only when they exist: many Cursor users
// never run the CLI, and aisync should not create its files for them.
func cli(e clients.Endpoint) clients.Endpoint {
	e.ExistingOnly = true
	return e
}

func codec(ep clients.Endpoint) mcpjson.Codec {
	switch {
	case ep.Format == clients.FormatRuleDir:
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Cursor}
	case ep.Has(unified.SectionPermissions):
		return permissions
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

// fromCursor reads one CLI permission entry.
func fromCursor(rule string) (string, bool) {
	open := strings.IndexByte(rule, '(')
	if open <= 0 || !strings.HasSuffix(rule, ")") {
		return "", false
	}
	tool, spec := rule[:open], rule[open+1:len(rule)-1]
	if spec == "" {
		return "", false
	}
	switch tool {
	case "Shell":
		if strings.TrimSpace(spec) != spec || strings.Contains(spec, "*") {
			return "", false
		}
		return "shell:" + spec, true
	case "Read":
		return "read:" + spec, true
	case "Write":
		return "write:" + spec, true
	case "WebFetch":
		return "fetch:" + spec, true
	case "Mcp":
		server, t, ok := strings.Cut(spec, ":")
		if !ok || server == "" || server == "*" || t == "" || strings.Contains(t, ":") {
			return "", false
		}
		return "mcp:" + server + ":" + t, true
	}
	return "", false
}

// toCursor writes one unified permission as a CLI permission entry.
func toCursor(p string) (string, bool) {
	kind, rest, ok := strings.Cut(p, ":")
	if !ok || rest == "" || strings.ContainsAny(rest, "\r\n") {
		return "", false
	}
	switch kind {
	case "shell":
		if strings.TrimSpace(rest) != rest || strings.Contains(rest, "*") {
			return "", false
		}
		return "Shell(" + rest + ")", true
	case "read":
		return "Read(" + rest + ")", true
	case "write":
		return "Write(" + rest + ")", true
	case "fetch":
		return "WebFetch(" + rest + ")", true
	case "mcp":
		server, t, ok := strings.Cut(rest, ":")
		if !ok || server == "" || server == "*" || t == "" || strings.Contains(t, ":") {
			return "", false
		}
		return "Mcp(" + server + ":" + t + ")", true
	}
	return "", false
}
