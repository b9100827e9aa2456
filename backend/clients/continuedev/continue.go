// Package continuedev adapts Continue (the IDE extension and the cn CLI), whose adapter id is
// "continue" (the package has another name because continue is a Go keyword).
//
// Continue keeps its MCP servers in the mcpServers list of ~/.continue/config.yaml
// (CONTINUE_GLOBAL_DIR moves the folder), a YAML file people annotate and that also holds
// their models, so it is edited in place with yamledit. Rules are Markdown files with
// frontmatter in ~/.continue/rules/ and <project>/.continue/rules/.
//
// A project's MCP servers are not synced: Continue reads them from block files in
// <project>/.continue/mcpServers/, each a small assistant of its own that people name and
// version; writing an aisync block there would define every server a second time next to
// the user's own blocks. Those files are left alone.
package continuedev

import (
	"fmt"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/clients/mcpjson"
	"aisync/backend/clients/rulefiles"
	"aisync/backend/unified"
)

// ID is the client id.
const ID = "continue"

// Adapter converts Continue's config.yaml and rule files to and from the unified model.
type Adapter struct{}

var _ clients.Adapter = (*Adapter)(nil)

func init() { clients.Register(&Adapter{}) }

// ID implements clients.Adapter.
func (*Adapter) ID() string { return ID }

// Name implements clients.Adapter.
func (*Adapter) Name() string { return "Continue" }

// Capabilities implements clients.Adapter.
func (*Adapter) Capabilities() clients.Capabilities {
	return clients.Capabilities{
		Servers: true, Rules: true, ProjectScope: true,
		Transports: []unified.Transport{unified.TransportStdio, unified.TransportHTTP, unified.TransportSSE},
		EnvSyntax:  envref.ContinueSecrets.String(),
		Lossy: []string{
			"Only the user's config.yaml is synced; a project's MCP block files (.continue/mcpServers/) are left alone.",
			"Continue has no off switch: a disabled server is left out of config.yaml and comes back when it is enabled again.",
			"Hub blocks (- uses: …), inline rules and everything else in config.yaml are left alone.",
			"${env:X} is written as ${{ secrets.X }}, which Continue looks up in .env files before the environment; ${{ inputs.… }} and other client-specific variables are not written.",
			"connectionTimeout (ms) is the start-up timeout; tool timeouts, tool allow/deny lists and permissions are dropped.",
			"Remote headers live in requestOptions.headers; the other request options stay in Continue only.",
			"Rules are .md files named after the rule; alwaysApply, globs and description give always, glob, agent and manual rules; a regex and the display name stay in Continue only.",
		},
	}
}

// globalDir is Continue's own folder: CONTINUE_GLOBAL_DIR, else ~/.continue (which on
// Windows is %USERPROFILE%\.continue, what Env.Home holds there).
func globalDir(env clients.Env) string {
	if d := env.Getenv("CONTINUE_GLOBAL_DIR"); d != "" {
		return d
	}
	return env.Join(env.Home, ".continue")
}

// DetectPaths implements clients.Adapter.
func (*Adapter) DetectPaths(env clients.Env) []string {
	d := globalDir(env)
	return []string{d, env.Join(d, "config.yaml")}
}

// Endpoints implements clients.Adapter.
func (*Adapter) Endpoints(env clients.Env, scope clients.Scope) []clients.Endpoint {
	rules := func(dir string) clients.Endpoint {
		return clients.Endpoint{Client: ID, Scope: scope, Path: dir, Format: clients.FormatRuleDir,
			Sections: []unified.Section{unified.SectionRules}, Pattern: "*" + rulefiles.Continue.Ext}
	}
	switch scope.Kind {
	case clients.ScopeUser:
		d := globalDir(env)
		return []clients.Endpoint{
			{Client: ID, Scope: scope, Path: env.Join(d, "config.yaml"), Format: clients.FormatYAML,
				Sections: []unified.Section{unified.SectionServers}},
			rules(env.Join(d, "rules")),
		}
	case clients.ScopeProject:
		if scope.Root == "" {
			return nil
		}
		return []clients.Endpoint{rules(env.Join(scope.Root, ".continue", "rules"))}
	}
	return nil
}

var ruleDir = mcpjson.RuleDir{Client: ID, Dialect: rulefiles.Continue}

// Decode implements clients.Adapter.
func (*Adapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	switch ep.Format {
	case clients.FormatYAML:
		data, ok := files[ep.Path]
		if !ok || data == nil {
			return unified.Config{}, nil, nil
		}
		servers, warns, err := decodeConfig(ep.Path, data)
		if err != nil {
			return unified.Config{}, warns, fmt.Errorf("decode continue config: %w", err)
		}
		return unified.Config{Servers: servers}, warns, nil
	case clients.FormatRuleDir:
		return ruleDir.Decode(ep, files)
	}
	return unified.Config{}, nil, fmt.Errorf("decode %s: not a continue endpoint (format %s)", ep.Path, ep.Format)
}

// Encode implements clients.Adapter.
func (*Adapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	switch ep.Format {
	case clients.FormatYAML:
		data := files[ep.Path]
		out, warns, err := encodeConfig(ep.Path, data, cfg.Servers)
		if err != nil {
			return nil, warns, fmt.Errorf("encode continue config: %w", err)
		}
		if out == nil || data != nil && string(out) == string(data) {
			return clients.Files{}, warns, nil
		}
		return clients.Files{ep.Path: out}, warns, nil
	case clients.FormatRuleDir:
		return ruleDir.Encode(ep, files, cfg)
	}
	return nil, nil, fmt.Errorf("encode %s: not a continue endpoint (format %s)", ep.Path, ep.Format)
}
