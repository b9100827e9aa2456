// Package copilotcli adapts the GitHub Copilot CLI, whose MCP servers are in
// $COPILOT_HOME/mcp-config.json (by default ~/.copilot/mcp-config.json). Its project-level
// files (.mcp.json, .vscode/mcp.json) belong to Claude Code and VS Code and are synced
// through their adapters.
package copilotcli

import (
	"encoding/json"
	"fmt"
	"slices"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/edit/jsonedit"
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
// "disabled" member is ignored by the CLI: `copilot mcp disable NAME` records the name in
// $COPILOT_HOME/settings.json under "disabledMcpServers", which this adapter reads and
// writes as a companion file of mcp-config.json.
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
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers},
		Companions: []string{env.Join(home(env), "settings.json")}}}
}

// disabledKey is where `copilot mcp disable` keeps switched-off servers in settings.json.
const disabledKey = "disabledMcpServers"

func settingsPath(ep clients.Endpoint) string {
	if len(ep.Companions) > 0 {
		return ep.Companions[0]
	}
	return ""
}

// disabledList reads the names in settings.json's disabledMcpServers.
func disabledList(ep clients.Endpoint, files clients.Files) (*jsonedit.Doc, []string, error) {
	p := settingsPath(ep)
	data, ok := files[p]
	if p == "" || !ok {
		return nil, nil, nil
	}
	doc, err := jsonedit.Parse(data)
	if se, ok := err.(*jsonedit.SyntaxError); ok {
		return nil, nil, &clients.SyntaxError{Path: p, Line: se.Line, Col: se.Col, Msg: se.Msg, Format: clients.FormatJSON}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", p, err)
	}
	var names []string
	if raw, ok := doc.Get(disabledKey); ok {
		_ = json.Unmarshal(raw, &names) // a wrong type is treated as an empty list
	}
	return doc, names, nil
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	cfg, warns, err := servers.Decode(ep, only(files, ep.Path))
	if err != nil {
		return cfg, warns, err
	}
	_, off, err := disabledList(ep, files)
	if err != nil {
		return cfg, warns, err
	}
	for _, name := range off {
		if s, ok := cfg.Servers[name]; ok {
			s.Disabled = true
			cfg.Servers[name] = s
		}
	}
	return cfg, warns, nil
}

// Encode implements clients.Adapter: every server goes into mcp-config.json, and the names
// of the disabled ones into settings.json's disabledMcpServers (names the user listed for
// servers aisync does not write are kept).
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	on := cfg.Clone()
	var disabled []string
	for name, s := range on.Servers {
		if s.Disabled {
			disabled = append(disabled, name)
			s.Disabled = false
			on.Servers[name] = s
		}
	}
	out, warns, err := servers.Encode(ep, only(files, ep.Path), on)
	if err != nil {
		return out, warns, err
	}
	doc, old, err := disabledList(ep, files)
	if err != nil {
		return out, warns, err
	}
	var want []string
	for _, n := range old {
		if _, ours := cfg.Servers[n]; !ours || slices.Contains(disabled, n) {
			want = append(want, n)
		}
	}
	slices.Sort(disabled)
	for _, n := range disabled {
		if !slices.Contains(want, n) {
			want = append(want, n)
		}
	}
	if slices.Equal(want, old) {
		return out, warns, nil
	}
	if doc == nil {
		doc, _ = jsonedit.Parse(nil)
	}
	if want == nil {
		want = []string{}
	}
	if err := doc.Set([]string{disabledKey}, want); err != nil {
		return out, warns, fmt.Errorf("encode %s: %w", settingsPath(ep), err)
	}
	if out == nil {
		out = clients.Files{}
	}
	out[settingsPath(ep)] = doc.Bytes()
	return out, warns, nil
}

// only keeps the file at path (if present) so the shared codec sees just mcp-config.json.
func only(files clients.Files, path string) clients.Files {
	out := clients.Files{}
	if b, ok := files[path]; ok {
		out[path] = b
	}
	return out
}
