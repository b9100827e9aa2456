// Package codex is the adapter for OpenAI Codex (the CLI, the IDE extension and the app share
// one configuration). Codex keeps its MCP servers in TOML, [mcp_servers.<name>] tables of
// $CODEX_HOME/config.toml and, for trusted projects, <project>/.codex/config.toml, and reads
// its instructions from AGENTS.md. The TOML is edited in place with tomledit, because people
// keep comments, profiles and per-project trust settings in the same file.
package codex

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

const clientID = "codex"

// Adapter converts Codex's config.toml and AGENTS.md to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return clientID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Codex" }

// Capabilities implements clients.Adapter. Codex has no string interpolation at all, so
// EnvSyntax is empty: references survive only where Codex has a field that names a variable.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:      true,
		Rules:        true,
		ProjectScope: true,
		Transports:   []unified.Transport{unified.TransportStdio, unified.TransportHTTP},
		Lossy: []string{
			"SSE servers are not written: Codex only speaks stdio and streamable HTTP.",
			"Codex expands no ${…} in strings. An environment reference survives only as env_vars (an env value ${env:X} under the key X), env_http_headers (a header that is exactly ${env:Y}) or bearer_token_env_var (Authorization: Bearer ${env:X}); a server with any other reference is not written.",
			"Server names may only use letters, digits, - and _; other servers are not written.",
			"Timeouts are kept in seconds (startup_timeout_sec, tool_timeout_sec); the legacy startup_timeout_ms is rewritten as seconds when the timeout changes.",
			"cwd, args and env of a remote server, and headers of a stdio server, are dropped.",
			"enabled_tools = [] (no tool at all) cannot be expressed, so such a server is not synced.",
			"Rules go to AGENTS.md as plain text: Codex applies every rule always; glob, agent and manual activations are kept in the managed block only for the other clients.",
		},
	}
}

// home is Codex's own folder: $CODEX_HOME, else ~/.codex (%USERPROFILE%\.codex on Windows,
// which is what Env.Home holds there).
func home(env clients.Env) string {
	if h := env.Getenv("CODEX_HOME"); h != "" {
		return h
	}
	return env.Join(env.Home, ".codex")
}

// DetectPaths implements clients.Adapter: Codex creates its home folder on first run.
func (*Adapter) DetectPaths(env clients.Env) []string {
	h := home(env)
	return []string{h, env.Join(h, "config.toml")}
}

// Endpoints implements clients.Adapter. A project's .codex/config.toml is read by Codex only
// when the project is trusted ([projects."<path>"] trust_level = "trusted"); aisync writes it
// either way, so that trusting the project later brings the servers along.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	var cfg, rules string
	switch scope.Kind {
	case clients.ScopeUser:
		h := home(env)
		cfg, rules = env.Join(h, "config.toml"), env.Join(h, "AGENTS.md")
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		cfg, rules = env.Join(scope.Root, ".codex", "config.toml"), env.Join(scope.Root, "AGENTS.md")
	default:
		return nil
	}
	return []clients.Endpoint{
		{Client: clientID, Scope: scope, Path: cfg, Format: clients.FormatTOML, Sections: []unified.Section{unified.SectionServers}},
		{Client: clientID, Scope: scope, Path: rules, Format: clients.FormatMarkdown, Sections: []unified.Section{unified.SectionRules}},
	}
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	var cfg unified.Config
	data := files[ep.Path]
	switch {
	case ep.Format == clients.FormatTOML:
		servers, warns, err := decodeConfig(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode codex config: %w", err)
		}
		cfg.Servers = servers
		return cfg, warns, nil
	case ep.Format == clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode codex rules: %w", err)
		}
		cfg.Rules = rules
		return cfg, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a codex endpoint (format %s)", ep.Path, ep.Format)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data, existed := files[ep.Path]
	switch ep.Format {
	case clients.FormatTOML:
		out, changed, warns, err := encodeConfig(ep.Path, data, cfg.Servers)
		if err != nil {
			return nil, warns, fmt.Errorf("encode codex config: %w", err)
		}
		if !changed {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		out, err := rulefiles.EncodeBlocks(ep.Path, data, cfg.Rules)
		if err != nil {
			return nil, nil, fmt.Errorf("encode codex rules: %w", err)
		}
		return ruleFileResult(ep.Path, data, existed, out), nil, nil
	}
	return nil, nil, fmt.Errorf("encode %s: not a codex endpoint (format %s)", ep.Path, ep.Format)
}

// EncodeReadBack implements clients.ReadBackEncoder. For config.toml the servers are read
// from the edited document, which a write would otherwise make the engine parse again (a
// full validation by go-toml, the most expensive part of reading a large config); the rule
// file is encoded and decoded again.
func (a *Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	if ep.Format != clients.FormatTOML {
		return clients.EncodeThenDecode(a, ep, files, cfg)
	}
	doc, known, warns, err := editConfig(ep.Path, files[ep.Path], cfg.Servers)
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("encode codex config: %w", err)
	}
	return clients.EditedFile(ep.Path, doc), warns, unified.Config{Servers: readServers(doc, known)}, nil
}

// ruleFileResult turns EncodeBlocks' output into what to write. A file that held nothing but
// the managed region is removed once its last rule goes, so that aisync leaves no empty
// AGENTS.md behind in a project; a file the user had written to is never removed.
func ruleFileResult(path string, before []byte, existed bool, after []byte) clients.Files {
	switch {
	case after == nil, existed && string(after) == string(before):
		return clients.Files{}
	case existed && len(before) > 0 && len(after) == 0:
		return clients.Files{path: nil}
	case !existed && len(after) == 0:
		return clients.Files{}
	}
	return clients.Files{path: after}
}
