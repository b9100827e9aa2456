// Package claudedesktop adapts Claude Desktop, whose claude_desktop_config.json holds local
// (stdio) MCP servers only: remote servers are "connectors" kept in the app, and nothing in
// the file is expanded, so a server that needs an environment variable cannot be written.
package claudedesktop

import (
	"path/filepath"
	"runtime"
	"sort"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "claude-desktop"

// fileName is the config file in the app's folder.
const fileName = "claude_desktop_config.json"

// msixPackage is the package family name of the Microsoft Store (MSIX) build; its publisher
// hash is fixed, but the folder is globbed as Claude_* in case another build appears.
const msixPackage = "Claude_pzs8sxrjxfjjc"

// Adapter is the Claude Desktop adapter.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Claude Desktop" }

// servers: command, args and env, nothing else. There is no disabled flag and no
// interpolation; a "type" or "url" member some users add is kept as it is.
var servers = mcpjson.Dialect{
	Client: ID, Name: "Claude Desktop", Root: []string{"mcpServers"}, Syntax: envref.None,
	Types:    map[unified.Transport]string{unified.TransportStdio: ""},
	Disabled: mcpjson.DisabledUnsupported,
}

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers:    true,
		Transports: servers.Transports(),
		Lossy: []string{
			"remote (HTTP and SSE) servers: Claude Desktop adds them as connectors in the app, not in its file",
			"servers that use environment variables (${env:…}) are not written: the file is not expanded",
			"disabled servers are left out of the file",
			"working directory, headers, timeouts and tool allow/deny lists",
		},
	}
}

// globPackages lists the folders matching a pattern under %LOCALAPPDATA%\Packages. It only
// looks on Windows itself: a Windows path computed on another system names no real folder.
var globPackages = func(pattern string) []string {
	if runtime.GOOS != "windows" {
		return nil
	}
	m, _ := filepath.Glob(pattern)
	sort.Strings(m)
	return m
}

// msixDirs are the app folders of Microsoft Store installs: the packaged app reads its
// config from its private copy of %APPDATA%, LocalCache\Roaming\Claude.
func msixDirs(env clients.Env) []string {
	if env.GOOS != "windows" || env.LocalAppData == "" {
		return nil
	}
	var out []string
	for _, pkg := range globPackages(env.Join(env.LocalAppData, "Packages", "Claude_*")) {
		out = append(out, env.Join(pkg, "LocalCache", "Roaming", "Claude"))
	}
	return out
}

// configDir is the app's folder: the Store build's when one is installed (a write to the
// plain %APPDATA%\Claude would not be seen by it), else the usual one.
func configDir(env clients.Env) string {
	if dirs := msixDirs(env); len(dirs) > 0 {
		return dirs[0]
	}
	if env.GOOS == "darwin" || env.GOOS == "windows" {
		return env.Join(env.ConfigDir(), "Claude")
	}
	// No official Linux build; community builds use $XDG_CONFIG_HOME/Claude.
	return env.Join(env.XDGConfig(), "Claude")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	out := []string{configDir(env)}
	if env.GOOS == "windows" {
		out = append(out, env.Join(env.ConfigDir(), "Claude"))
		if env.LocalAppData != "" {
			out = append(out, env.Join(env.LocalAppData, "Packages", msixPackage))
		}
	}
	return dedupe(out)
}

// Endpoints implements clients.Adapter. Claude Desktop has no project scope.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	if scope.Kind != clients.ScopeUser {
		return nil
	}
	return []clients.Endpoint{{Client: ID, Scope: scope, Path: env.Join(configDir(env), fileName),
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}}
}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	return servers.Decode(ep, files)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	return servers.Encode(ep, files, cfg)
}

// EncodeReadBack implements clients.ReadBackEncoder.
func (*Adapter) EncodeReadBack(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, unified.Config, error) {
	return mcpjson.EncodeReadBack(servers, ep, files, cfg)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range in {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
