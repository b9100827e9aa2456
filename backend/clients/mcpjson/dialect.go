// Package mcpjson is the codec of the "mcpServers" family of client files: Claude Code,
// Claude Desktop, Cursor, Windsurf, Copilot CLI, Kiro, Amazon Q, Cline, Roo Code and every
// other client that keeps a JSON object of named server entries. The clients agree on the
// shape and disagree on the details (what the transport is called, whether it is inferred,
// how a server is switched off, what unit a timeout is in, what the tool lists are called,
// how an environment variable is written), so one tested codec takes a Dialect that spells
// those details out, and every adapter of the family shares it.
//
// The codec edits files in place through jsonedit. Decoding keeps every member of an entry
// that the model does not name in Server.Extras[client], so a round trip through the same
// client never drops it; encoding touches only the members the model owns, never replaces
// a whole entry, leaves alone the entries it could not read, appends new servers at the end
// and, when nothing changes, gives back the input byte for byte.
//
// The same files often hold a client's permission lists too (Claude Code's settings.json,
// Cursor's cli-config.json); PermissionLists maps those to the unified grammar with the same
// in-place discipline. Dialect, PermissionLists, RuleDir and RuleBlocks are all Codecs, so an
// adapter picks one per endpoint and hands Decode and Encode to it.
//
// A new client of the family is mostly a Dialect value. For example, VS Code is
// Root ["servers"], TypeAlways with "stdio"/"http"/"sse", EnvColon; Gemini CLI is
// URLFields ["httpUrl", "url"] with URLDefaults {"httpUrl": http}, BareVars, Cwd,
// includeTools/excludeTools and DisabledListed at ["mcp", "excluded"]; opencode is Root
// ["mcp"], Types {stdio: "local", http: "remote"}, EnvField "environment", CommandArgv and
// EnabledFlag "enabled"; Zed is Root ["context_servers"], EnabledFlag "enabled" and a
// timeout in seconds.
package mcpjson

import (
	"aisync/backend/clients/envref"
	"aisync/backend/unified"
)

// TypeRule says when a client needs an entry to name its transport.
type TypeRule int

const (
	// TypeInferred: the client works the transport out from the entry (a command means
	// stdio, a URL means Dialect.URLDefault); a type member is only kept where one exists.
	TypeInferred TypeRule = iota
	// TypeRemote: entries with a URL must name their transport; stdio entries may omit it
	// (Claude Code rejects a url without a type; Cline reads an untyped url as SSE).
	TypeRemote
	// TypeAlways: every entry names its transport (Copilot CLI).
	TypeAlways
)

// DisabledStyle is how a client marks a server that is configured but switched off.
type DisabledStyle int

const (
	// DisabledUnsupported: the file has no way to say it. A disabled server is left out of
	// the file (with a warning) rather than written as if it were on, and comes back when it
	// is enabled again.
	DisabledUnsupported DisabledStyle = iota
	// DisabledFlag: DisabledKey set to true ("disabled": true). The member is only written
	// when true; an existing false is kept.
	DisabledFlag
	// EnabledFlag: DisabledKey set to false ("enabled": false).
	EnabledFlag
	// DisabledList: the names of disabled servers are listed in the array at DisabledList
	// (a path from the document root), e.g. Claude Code's projects[p].disabledMcpServers.
	DisabledListed
	// DisabledElsewhere: this file has no marker, but the client keeps the switch in another
	// endpoint that aisync also writes (Claude Code's .mcp.json, whose servers are switched
	// off through ~/.claude.json). Disabled servers are written as they are, silently.
	DisabledElsewhere
)

// Timeout maps the client's per-server timeout member to Server.ToolTimeoutMs. Every client
// of the family that has a per-server "timeout" uses it for tool calls (requests), not for
// start-up, so StartupTimeoutMs has no member in this family.
type Timeout struct {
	Field string // member name; "" when the client has none
	// UnitMs is how many milliseconds one unit of the member is: 1 for milliseconds, 1000
	// for seconds.
	UnitMs int64
	// Min and Max bound what the client accepts, in its unit (0 = no bound). A value outside
	// is written clamped, with a warning.
	Min, Max float64
}

// Dialect spells out one client's flavour of the mcpServers object.
type Dialect struct {
	// Client is the client id: the key of Server.Extras, and what warnings are about.
	Client string
	// Name is the client's display name, for messages.
	Name string
	// Root is the member path of the servers object: ["mcpServers"], or Claude Code's
	// ["projects", "/abs/path", "mcpServers"].
	Root []string
	// Syntax is how the client writes environment references.
	Syntax envref.Syntax
	// BareVars also reads $VAR as a reference (Gemini CLI expands it in every string).
	BareVars bool

	// TypeFields are the members that may name the transport, in the order the client reads
	// them (Cline: "type", then the legacy "transportType"). The first one present is the one
	// read and edited; new entries get the first. Empty: the client has no such member.
	TypeFields []string
	// Types are the transports the client runs, each with the value its type member takes.
	// A transport spelled "" is written without a type member and read back by inference,
	// which for a URL gives URLDefault (Cursor, Windsurf and Kiro work out SSE versus
	// streamable HTTP themselves, so an SSE server reads back as HTTP there).
	Types map[unified.Transport]string
	// ReadTypes are other type values accepted when reading ("local" for stdio in Copilot
	// CLI, the legacy "http" in Cline).
	ReadTypes map[string]unified.Transport
	// TypeRule says when a type member is required.
	TypeRule TypeRule
	// TypeOnNew writes a type member on every new entry even where it could be inferred
	// (what the client's own "add" command writes).
	TypeOnNew bool
	// URLDefault is the transport of an entry with a URL and no type member.
	URLDefault unified.Transport
	// URLDefaults overrides URLDefault per URL member (Gemini CLI: "httpUrl" is streamable
	// HTTP whatever the type says is missing).
	URLDefaults map[string]unified.Transport
	// URLFields are the members that may hold a remote server's URL, in the order the
	// client reads them (Windsurf: "serverUrl", then "url"); new entries get the first.
	// Empty: the client runs no remote servers.
	URLFields []string
	// Nested is the member that holds the transport members in the alternative nested form
	// some tools write (Cline CLI: "transport": {type, command, url, …}). Such entries are
	// read and edited in that form; new entries are always flat. "" = no nested form.
	Nested string

	// EnvField is the member of the environment map; "" means "env" (opencode: "environment").
	EnvField string
	// CommandArgv says "command" holds the whole argv, program first, and there is no "args"
	// member (opencode: "command": ["npx", "-y", "pkg"]).
	CommandArgv bool

	// Cwd says the client has a "cwd" member for stdio servers.
	Cwd bool
	// Headers says the client has a "headers" member for remote servers.
	Headers bool
	// RemoteEnv says remote entries may carry "env" too (Kiro lists it for both kinds).
	RemoteEnv bool
	// ArgsRequired writes "args": [] for a stdio server without arguments, for clients whose
	// schema requires the member (Kiro, Copilot CLI).
	ArgsRequired bool

	// Disabled is how a switched-off server is marked; DisabledKey and DisabledList go with
	// the styles that need them.
	Disabled     DisabledStyle
	DisabledKey  string
	DisabledList []string

	// Timeout is the per-server tool-call timeout member.
	Timeout Timeout

	// AllowField holds Server.Tools.Allow and DenyField Server.Tools.Deny ("" = none).
	AllowField, DenyField string
	// AllowAll is the element that means "every tool" in AllowField ("*" in Copilot CLI's
	// tools). When set, the member is required and an empty allow list is written as
	// [AllowAll].
	AllowAll string

	// ValidName returns why the client rejects a server name, or "" when it accepts it.
	// An empty name is always rejected.
	ValidName func(name string) string
}

// Supports reports whether the client can run the transport.
func (d Dialect) Supports(t unified.Transport) bool {
	_, ok := d.Types[t]
	return ok
}

// Transports lists what the client runs, in a stable order, for Capabilities.
func (d Dialect) Transports() []unified.Transport {
	var out []unified.Transport
	for _, t := range []unified.Transport{unified.TransportStdio, unified.TransportHTTP, unified.TransportSSE} {
		if d.Supports(t) {
			out = append(out, t)
		}
	}
	return out
}

// WithRoot returns a copy of the dialect for another servers object in the same kind of
// file (Claude Code's user and local scopes differ only in where the object lives).
func (d Dialect) WithRoot(root ...string) Dialect {
	d.Root = append([]string(nil), root...)
	return d
}

// owned reports whether a member of an entry (at the entry's top level) belongs to the model.
func (d Dialect) owned(key string) bool {
	if d.transportKey(key) || (d.Nested != "" && key == d.Nested) {
		return true
	}
	switch key {
	case "":
		return false
	case d.Timeout.Field, d.AllowField, d.DenyField:
		return true
	}
	return (d.Disabled == DisabledFlag || d.Disabled == EnabledFlag) && key == d.DisabledKey
}

// transportKey reports whether a member describes how to reach the server: these are the
// members a nested entry keeps inside its Nested object.
func (d Dialect) transportKey(key string) bool {
	switch key {
	case "command", d.envKey():
		return true
	case "args":
		return !d.CommandArgv
	case "cwd":
		return d.Cwd
	case "headers":
		return d.Headers
	}
	return contains(d.TypeFields, key) || contains(d.URLFields, key)
}

// readType maps a type value to a transport. ReadTypes come first, then the spellings in
// a fixed order, so a value two transports share (opencode's "remote") reads the same way
// every time.
func (d Dialect) readType(v string) (unified.Transport, bool) {
	if t, ok := d.ReadTypes[v]; ok {
		return t, true
	}
	for _, t := range []unified.Transport{unified.TransportStdio, unified.TransportHTTP, unified.TransportSSE} {
		if s, ok := d.Types[t]; ok && s != "" && s == v {
			return t, true
		}
	}
	return "", false
}

// urlDefault is the transport of an entry whose URL is in member k and that has no type.
func (d Dialect) urlDefault(k string) unified.Transport {
	if t, ok := d.URLDefaults[k]; ok {
		return t
	}
	return d.URLDefault
}

func (d Dialect) envKey() string {
	if d.EnvField != "" {
		return d.EnvField
	}
	return "env"
}

// typeRequired reports whether an entry of transport t must carry a type member.
func (d Dialect) typeRequired(t unified.Transport) bool {
	switch d.TypeRule {
	case TypeAlways:
		return true
	case TypeRemote:
		return t != unified.TransportStdio
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
