// Package goose adapts Block's Goose. Goose keeps its extensions (MCP servers among them) in
// the extensions map of ~/.config/goose/config.yaml (%APPDATA%\Block\goose\config on
// Windows; GOOSE_PATH_ROOT moves it to <root>/config), next to its provider settings, and
// reads instructions from .goosehints in its config folder and in the project. Only stdio
// and streamable_http extensions are MCP servers aisync syncs; Goose's own builtin, platform
// and frontend extensions are left alone.
package goose

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "goose"

// Adapter converts Goose's config.yaml and .goosehints to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Goose" }

// Capabilities implements clients.Adapter. Goose expands no references in strings (it takes
// secrets by name through env_keys), so EnvSyntax is empty.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: []unified.Transport{unified.TransportStdio, unified.TransportHTTP},
		Lossy: []string{
			"SSE servers are not written (Goose no longer runs them); sse, builtin, platform and frontend extensions are left alone.",
			"Goose expands no ${…} in strings: an environment reference survives only as env_keys (an env value that is exactly ${env:X} under the key X; Goose looks X up in its secret store and the environment); a server with any other reference is not written.",
			"Entries are keyed by the name lowercased without spaces; a server whose key is taken by another extension is not written.",
			"Timeouts are whole seconds (timeout, for tool calls); start-up timeouts, working directories and tool deny lists are dropped; available_tools is the allow list.",
			"Goose refuses env values for PATH, LD_*, DYLD_*, NODE_OPTIONS and similar variables; they are dropped.",
			"description, display_name and bundled stay in Goose only; tool permissions (permission.yaml, GOOSE_MODE) are not synced.",
			"Goose rewrites config.yaml without comments whenever it saves it; aisync's own edits keep them.",
			"Rules go to managed blocks in .goosehints as plain text: Goose applies every rule always and reads a line starting with @ as a file to include. Goose also reads AGENTS.md by default, so rules another client keeps there reach it twice.",
		},
	}
}

// configDir is Goose's configuration folder. Goose picks it with etcetera's app strategy:
// XDG everywhere but Windows (so ~/.config/goose on macOS too), %APPDATA%\Block\goose\config
// on Windows, and <GOOSE_PATH_ROOT>/config when that variable is set.
func configDir(env clients.Env) string {
	if root := env.Getenv("GOOSE_PATH_ROOT"); root != "" {
		return env.Join(root, "config")
	}
	if env.GOOS == "windows" {
		return env.Join(env.ConfigDir(), "Block", "goose", "config")
	}
	return env.Join(env.XDGConfig(), "goose")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	d := configDir(env)
	return []string{d, env.Join(d, "config.yaml")}
}

// Endpoints implements clients.Adapter. Goose has no project MCP configuration, so a project
// only has its .goosehints.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	hints := func(p string) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: p, Format: clients.FormatMarkdown, Sections: []unified.Section{unified.SectionRules}}
	}
	switch scope.Kind {
	case clients.ScopeUser:
		d := configDir(env)
		return []clients.Endpoint{
			{Client: ID, Scope: scope, Path: env.Join(d, "config.yaml"), Format: clients.FormatYAML, Sections: []unified.Section{unified.SectionServers}},
			hints(env.Join(d, ".goosehints")),
		}
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		return []clients.Endpoint{hints(env.Join(scope.Root, ".goosehints"))}
	}
	return nil
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	data, ok := files[ep.Path]
	if !ok || data == nil {
		return unified.Config{}, nil, nil
	}
	switch ep.Format {
	case clients.FormatYAML:
		servers, warns, err := decodeConfig(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode goose config: %w", err)
		}
		return unified.Config{Servers: servers}, warns, nil
	case clients.FormatMarkdown:
		rules, warns, err := rulefiles.DecodeBlocks(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode goose hints: %w", err)
		}
		if len(rules) == 0 {
			rules = nil
		}
		return unified.Config{Rules: rules}, warns, nil
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a goose endpoint (format %s)", ep.Path, ep.Format)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	data, existed := files[ep.Path]
	existed = existed && data != nil
	switch ep.Format {
	case clients.FormatYAML:
		out, warns, err := encodeConfig(ep.Path, data, cfg.Servers)
		if err != nil {
			return nil, warns, fmt.Errorf("encode goose config: %w", err)
		}
		if out == nil || existed && string(out) == string(data) {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatMarkdown:
		out, err := rulefiles.EncodeBlocks(ep.Path, data, cfg.Rules)
		if err != nil {
			return nil, nil, fmt.Errorf("encode goose hints: %w", err)
		}
		return hintsResult(ep.Path, data, existed, out), nil, nil
	}
	return nil, nil, fmt.Errorf("encode %s: not a goose endpoint (format %s)", ep.Path, ep.Format)
}

// hintsResult turns EncodeBlocks' output into what to write. A .goosehints that held nothing
// but the managed region is removed once its last rule goes, so aisync leaves no empty file
// behind; a file the user had written to is never removed.
func hintsResult(path string, before []byte, existed bool, after []byte) clients.Files {
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
