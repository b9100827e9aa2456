// Package claudecode adapts Claude Code: MCP servers in ~/.claude.json (user scope, and the
// "local" scope of each project under projects["/abs/path"]) and in <project>/.mcp.json,
// permissions in the settings.json files, and rules in ~/.claude/CLAUDE.md (managed blocks)
// and <project>/.claude/rules/*.md.
//
// ~/.claude.json is Claude Code's own state file (start-up counters, OAuth account, every
// project's history); it is edited in place and nothing outside the members this adapter
// owns changes, byte for byte.
package claudecode

import (
	"fmt"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "claude-code"

// Adapter is the Claude Code adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Claude Code" }

// servers is the entry dialect of every Claude Code servers object. A url entry must name
// its transport ("url but no type" is an error); `claude mcp add` writes "type" on stdio
// entries too. The per-server "timeout" is in milliseconds and bounds tool calls.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Claude Code", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace,
	TypeFields: []string{"type"},
	Types: map[unified.Transport]string{
		unified.TransportStdio: "stdio", unified.TransportHTTP: "http", unified.TransportSSE: "sse",
	},
	TypeRule: mcpjson.TypeRemote, TypeOnNew: true, URLDefault: unified.TransportHTTP,
	URLFields: []string{"url"}, Headers: true,
	Disabled:  mcpjson.DisabledUnsupported,
	Timeout:   mcpjson.Timeout{Field: "timeout", UnitMs: 1},
	ValidName: validName,
}

// validName rejects the names Claude Code reserves for its own built-in servers.
func validName(name string) string {
	switch strings.ToLower(name) {
	case "workspace", "claude preview", "claude browser":
		return "Claude Code reserves it for a built-in server"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "it holds a control character"
		}
	}
	return ""
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, Permissions: true, ProjectScope: true,
		Transports: servers.Transports(),
		EnvSyntax:  envref.DollarBrace.String(),
		Lossy: []string{
			"per-server tool allow and deny lists (Claude Code filters tools through permissions instead)",
			"start-up timeouts (only the per-server tool-call timeout exists)",
			"disabled user-scope servers are left out of ~/.claude.json (Claude Code can only switch servers off per project)",
			"agent-requested and manual rules become always-on in .claude/rules; rules in ~/.claude/CLAUDE.md keep their activation in aisync but Claude Code reads them all, always",
			"permission entries other than mcp__…, Bash(prefix:*), Read(…), Edit(…)/Write(…) and WebFetch(domain:…) stay in Claude Code only; exact Bash(cmd) rules are not widened to prefixes",
			"headersHelper, oauth, alwaysLoad and type \"ws\" servers stay in Claude Code only",
			"a project's new servers go to its local scope in ~/.claude.json; the team's .mcp.json keeps only the servers it already lists (never copied into the local scope, so Claude Code still asks before starting them)",
		},
	}
}

// configDir is ~/.claude, or CLAUDE_CONFIG_DIR when it is set.
func configDir(env clients.Env) string {
	if d := env.Getenv("CLAUDE_CONFIG_DIR"); d != "" {
		return d
	}
	return env.Join(env.Home, ".claude")
}

// stateFile is ~/.claude.json. CLAUDE_CONFIG_DIR moves it into that directory too.
func stateFile(env clients.Env) string {
	if d := env.Getenv("CLAUDE_CONFIG_DIR"); d != "" {
		return env.Join(d, ".claude.json")
	}
	return env.Join(env.Home, ".claude.json")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	return []string{stateFile(env), configDir(env)}
}

// localKey marks the endpoint of a project's local scope inside ~/.claude.json.
const localKey = "projects/"

// Endpoints implements clients.Adapter. A project's servers are one endpoint over the two
// places Claude Code reads them from: the project's local entry in ~/.claude.json, and the
// shared .mcp.json as its companion (see localScope for which server goes where). Project
// rules go to .claude/rules/*.md, where a glob rule keeps its paths: frontmatter; they are
// not also written into the project's CLAUDE.md, because Claude Code reads both and would
// load every rule twice.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	ep := func(path string, f clients.Format, s unified.Section) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: path, Format: f, Sections: []unified.Section{s}}
	}
	if scope.Kind == clients.ScopeProject {
		servers := ep(stateFile(env), clients.FormatJSON, unified.SectionServers)
		servers.Key = localKey + scope.Root
		servers.Companions = []string{env.Join(scope.Root, ".mcp.json")}
		rules := ep(env.Join(scope.Root, ".claude", "rules"), clients.FormatRuleDir, unified.SectionRules)
		rules.Pattern = "*" + rulefiles.ClaudeRules.Ext
		return []clients.Endpoint{
			servers,
			ep(env.Join(scope.Root, ".claude", "settings.json"), clients.FormatJSON, unified.SectionPermissions),
			rules,
		}
	}
	return []clients.Endpoint{
		ep(stateFile(env), clients.FormatJSON, unified.SectionServers),
		ep(env.Join(configDir(env), "settings.json"), clients.FormatJSON, unified.SectionPermissions),
		ep(env.Join(configDir(env), "CLAUDE.md"), clients.FormatMarkdown, unified.SectionRules),
	}
}

// codec picks how an endpoint is read and written.
func codec(ep clients.Endpoint) (mcpjson.Codec, error) {
	switch {
	case ep.Format == clients.FormatRuleDir:
		return mcpjson.RuleDir{Client: ID, Dialect: rulefiles.ClaudeRules}, nil
	case ep.Format == clients.FormatMarkdown:
		return mcpjson.RuleBlocks{Client: ID}, nil
	case ep.Has(unified.SectionPermissions):
		return permissions, nil
	case strings.HasPrefix(ep.Key, localKey):
		l := localScope{project: strings.TrimPrefix(ep.Key, localKey)}
		if len(ep.Companions) > 0 {
			l.shared = ep.Companions[0]
		}
		return l, nil
	case ep.Key != "":
		return nil, fmt.Errorf("claude code endpoint %s has an unknown key %q", ep.Path, ep.Key)
	}
	return servers, nil
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	c, err := codec(ep)
	if err != nil {
		return unified.Config{}, nil, err
	}
	return c.Decode(ep, files)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	c, err := codec(ep)
	if err != nil {
		return nil, nil, err
	}
	return c.Encode(ep, files, cfg)
}

// EncodeReadBack implements clients.ReadBackEncoder.
func (*Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	c, err := codec(ep)
	if err != nil {
		return nil, nil, unified.Config{}, err
	}
	return mcpjson.EncodeReadBack(c, ep, files, cfg)
}
