// Package clients defines what every AI client adapter does (locate, decode, encode) and
// keeps the registry of adapters. One sub-package per client implements Adapter and
// registers itself; backend/clients/all imports them all. Adapters are pure: they get bytes
// and return bytes, and never touch the database or the disk themselves.
package clients

import (
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"aisync/backend/unified"
)

// ScopeKind is the kind of a configuration scope.
type ScopeKind string

const (
	ScopeUser    ScopeKind = "user"
	ScopeProject ScopeKind = "project"
)

// Scope is the user's home scope or one project folder the user registered.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	Root string    `json:"root,omitempty"` // absolute project folder; empty for the user scope
}

// UserScope is the home-level scope.
var UserScope = Scope{Kind: ScopeUser}

// ProjectScope is the scope of one project folder.
func ProjectScope(root string) Scope { return Scope{Kind: ScopeProject, Root: root} }

// ID is a stable text form: "user" or "project:/abs/path".
func (s Scope) ID() string {
	if s.Kind == ScopeProject {
		return "project:" + s.Root
	}
	return "user"
}

// ParseScope is the inverse of Scope.ID.
func ParseScope(id string) (Scope, error) {
	switch {
	case id == "user" || id == "":
		return UserScope, nil
	case strings.HasPrefix(id, "project:") && len(id) > len("project:"):
		return ProjectScope(strings.TrimPrefix(id, "project:")), nil
	}
	return Scope{}, fmt.Errorf("parse scope %q: want \"user\" or \"project:<path>\"", id)
}

// Format is the file format of an endpoint.
type Format string

const (
	FormatJSON     Format = "json"
	FormatJSONC    Format = "jsonc"
	FormatTOML     Format = "toml"
	FormatYAML     Format = "yaml"
	FormatMarkdown Format = "markdown" // one file, rules in managed blocks
	FormatRuleDir  Format = "ruledir"  // a directory of rule files, one rule per file
)

// Endpoint is one place a client keeps (part of) its configuration for one scope.
type Endpoint struct {
	Client   string            `json:"client"`
	Scope    Scope             `json:"scope"`
	Path     string            `json:"path"` // a file, or a directory when Format is FormatRuleDir
	Format   Format            `json:"format"`
	Sections []unified.Section `json:"sections"`
	// Pattern selects the files of a rule directory (path.Match syntax on the base name).
	Pattern string `json:"pattern,omitempty"`
	// Key is adapter-private: where inside a shared file this endpoint lives
	// (e.g. Claude Code's projects["/abs/path"] in ~/.claude.json).
	Key string `json:"key,omitempty"`
	// ExistingOnly marks a file aisync writes only when it already exists: one whose
	// creation would change what the client reads (a new .rules would hide the AGENTS.md
	// Zed reads), or one of a tool the user may not use (Cursor's CLI settings). It is
	// still read when it exists.
	ExistingOnly bool `json:"existingOnly,omitempty"`
	// Companions are further files read and written together with Path because the client
	// keeps part of the same section there (the Copilot CLI's list of switched-off servers
	// in settings.json; a project's shared .mcp.json next to its Claude Code local scope).
	// They are passed in Files when they exist; whether one is ever created is the
	// adapter's choice (Claude Code's .mcp.json never is).
	Companions []string `json:"companions,omitempty"`
}

// ID is stable across runs and unique among all endpoints.
func (e Endpoint) ID() string {
	id := e.Client + "|" + e.Scope.ID() + "|" + e.Path
	if e.Key != "" {
		id += "#" + e.Key
	}
	return id
}

// Has reports whether the endpoint holds the section.
func (e Endpoint) Has(s unified.Section) bool {
	for _, x := range e.Sections {
		if x == s {
			return true
		}
	}
	return false
}

// Matches reports whether a file path belongs to this endpoint.
func (e Endpoint) Matches(p string) bool {
	for _, c := range e.Companions {
		if filepath.Clean(p) == filepath.Clean(c) {
			return true
		}
	}
	if e.Format != FormatRuleDir {
		return filepath.Clean(p) == filepath.Clean(e.Path)
	}
	if filepath.Dir(filepath.Clean(p)) != filepath.Clean(e.Path) {
		return false
	}
	ok, _ := path.Match(e.Pattern, filepath.Base(p))
	return ok
}

// Files maps absolute file paths to their bytes. For a single-file endpoint it holds at most
// one entry (Endpoint.Path; absent when the file does not exist). For a rule directory it holds
// one entry per matching file. In what Encode returns, a nil value means "delete this file".
type Files map[string][]byte

// Sorted returns the paths in order.
func (f Files) Sorted() []string {
	out := make([]string, 0, len(f))
	for p := range f {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Warning says that something could not be expressed (or read) faithfully. Warnings are
// logged by the engine and shown in the UI; they never abort a sync.
type Warning struct {
	Item    string `json:"item"`    // "server:github", "rule:style", "permission:shell:git", or "" for the file
	Code    string `json:"code"`    // see the Warn* constants
	Message string `json:"message"` // a full sentence for the user
}

// Warning codes.
const (
	WarnUnsupportedTransport = "unsupported-transport" // e.g. SSE into Codex
	WarnDroppedField         = "dropped-field"         // a field the client cannot hold
	WarnUnsupportedRef       = "unsupported-ref"       // e.g. ${input:x}, or an env ref where the client has no syntax
	WarnInvalidName          = "invalid-name"          // a name the client rejects
	WarnUnsupportedEntry     = "unsupported-entry"     // an entry the model cannot read; left alone
	WarnUnmappedPermission   = "unmapped-permission"   // a permission with no equivalent
)

func (w Warning) String() string {
	if w.Item == "" {
		return w.Message
	}
	return w.Item + ": " + w.Message
}

// SyntaxError is a file that does not parse. Line and Col are 1-based; 0 means unknown.
type SyntaxError struct {
	Path   string
	Line   int
	Col    int
	Msg    string // what was wrong or expected
	Format Format
}

func (e *SyntaxError) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Col)
	}
	if loc == "" {
		loc = "input"
	}
	return fmt.Sprintf("%s: invalid %s: %s", loc, e.Format, e.Msg)
}

// Capabilities says what a client can hold, for the UI and for the README table.
type Capabilities struct {
	Servers      bool                `json:"servers"`
	Rules        bool                `json:"rules"`
	Permissions  bool                `json:"permissions"`
	ProjectScope bool                `json:"projectScope"`
	Transports   []unified.Transport `json:"transports"`
	// EnvSyntax is how the client writes an environment reference, e.g. "${VAR}",
	// "${env:VAR}", "{env:VAR}"; empty when it has none.
	EnvSyntax string `json:"envSyntax"`
	// Lossy lists, in plain words, what does not survive a trip through this client.
	Lossy []string `json:"lossy"`
}

// Adapter converts one client's files to and from the unified model.
type Adapter interface {
	// ID is a short stable identifier ("claude-code", "cursor", …).
	ID() string
	// Name is the display name ("Claude Code").
	Name() string
	Capabilities() Capabilities
	// DetectPaths lists the files and directories whose existence means the client is
	// installed or configured for this user. aisync never creates them.
	DetectPaths(env Env) []string
	// Endpoints lists where the client keeps its configuration for the scope, whether or not
	// the files exist yet. A client without a project scope returns nil for project scopes.
	Endpoints(env Env, scope Scope) []Endpoint
	// Decode reads the endpoint's files into the unified model (only the endpoint's sections).
	// A file that does not parse returns a *SyntaxError.
	Decode(ep Endpoint, files Files) (unified.Config, []Warning, error)
	// Encode makes the endpoint's files hold cfg (only the endpoint's sections are looked at),
	// editing the existing bytes in place: what the adapter does not own (unknown keys,
	// comments, order, indentation, line endings, BOM) survives, and when nothing changes the
	// output is byte-identical. It returns the files to write (nil value: delete the file).
	// Secret references have been resolved by the caller; env references are in unified syntax.
	// cfg is in normal form and only read: the engine encodes the endpoints of a scope
	// concurrently from one shared config, so an adapter that needs to change it copies it.
	Encode(ep Endpoint, files Files, cfg unified.Config) (Files, []Warning, error)
}

// ReadBackEncoder is implemented by adapters whose encode can also tell what the files
// decode as once its output is written, from the documents it already parsed and edited.
// After writing an endpoint the engine records what its files read back as (so that what a
// client cannot express is not taken for a deletion later); without this it parses the
// files it just wrote all over again, which at a thousand servers was most of a read-back.
type ReadBackEncoder interface {
	// EncodeReadBack returns what Encode returns, and back: what Decode returns for files
	// with out applied (a nil value removes the file). clienttest checks both against
	// Encode and Decode for every adapter that implements it.
	EncodeReadBack(ep Endpoint, files Files, cfg unified.Config) (out Files, warns []Warning, back unified.Config, err error)
}

// ReadsBackAsIs reports whether the server s named name, written as a new entry, reads back
// exactly as s: a plain stdio server (unified.Server.PlainStdio) whose name and strings are
// valid UTF-8 and hold neither '$' nor '{', so that no variable-reference syntax of any
// client applies to them on the way out or back in. An adapter whose encode writes such a
// server as a new entry without a warning may take s as what the entry reads back as,
// instead of decoding the entry it has just written: on a first pass that decode was about
// a fifth of the pass. clienttest's read-back check and FuzzReadsBackAsIs (backend/clients/all)
// hold every adapter that does so to what its Decode gives for the written files.
func ReadsBackAsIs(name string, s unified.Server) bool {
	if !s.PlainStdio() || !plainString(name) || !plainString(s.Command) {
		return false
	}
	for _, a := range s.Args {
		if !plainString(a) {
			return false
		}
	}
	for k, v := range s.Env {
		if !plainString(k) || !plainString(v) {
			return false
		}
	}
	return true
}

// plainString reports whether s is valid UTF-8 without '$' or '{'. It is one loop over the
// bytes: the engine asks it of every string of every server, once per client.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '$' || c == '{':
			return false
		case c >= utf8.RuneSelf:
			return !strings.ContainsAny(s[i:], "${") && utf8.ValidString(s[i:])
		}
	}
	return true
}

// Coder is the encoding half of an Adapter, which the codecs of an adapter family share.
type Coder interface {
	Decode(ep Endpoint, files Files) (unified.Config, []Warning, error)
	Encode(ep Endpoint, files Files, cfg unified.Config) (Files, []Warning, error)
}

// EncodeThenDecode is EncodeReadBack for an encoding that does not keep its documents:
// Encode, then Decode of the files with its output applied.
func EncodeThenDecode(c Coder, ep Endpoint, files Files, cfg unified.Config) (Files, []Warning, unified.Config, error) {
	out, warns, err := c.Encode(ep, files, cfg)
	if err != nil {
		return out, warns, unified.Config{}, err
	}
	back, _, err := c.Decode(ep, Apply(files, out))
	if err != nil {
		return nil, warns, unified.Config{}, fmt.Errorf("read back %s: %w", ep.Path, err)
	}
	return out, warns, back, nil
}

// EditedFile is Encode's output for an endpoint of one file edited in place: the file, when
// the edit changed its bytes.
func EditedFile(path string, doc interface {
	Changed() bool
	Bytes() []byte
}) Files {
	if !doc.Changed() {
		return Files{}
	}
	return Files{path: doc.Bytes()}
}

// Apply overlays Encode's output on the files it was given, as the engine writes them: a
// nil value removes the file.
func Apply(files, out Files) Files {
	res := make(Files, len(files)+len(out))
	for p, b := range files {
		res[p] = b
	}
	for p, b := range out {
		if b == nil {
			delete(res, p)
		} else {
			res[p] = b
		}
	}
	return res
}

// Env is where the user's files are: the values of HOME and friends, and the operating
// system, so that every location can be computed for any OS in a test.
type Env struct {
	GOOS          string
	Home          string
	XDGConfigHome string
	AppData       string // Windows %APPDATA% (roaming)
	LocalAppData  string // Windows %LOCALAPPDATA%
	// Vars holds other environment variables adapters honour (CODEX_HOME, COPILOT_HOME, …).
	Vars map[string]string
}

// Getenv returns an environment variable captured in Env.
func (e Env) Getenv(name string) string { return e.Vars[name] }

// EnvFrom builds an Env from a getenv function (os.Getenv in production).
func EnvFrom(goos string, getenv func(string) string) Env {
	e := Env{
		GOOS:          goos,
		Home:          getenv("HOME"),
		XDGConfigHome: getenv("XDG_CONFIG_HOME"),
		AppData:       getenv("APPDATA"),
		LocalAppData:  getenv("LOCALAPPDATA"),
		Vars:          map[string]string{},
	}
	if goos == "windows" && e.Home == "" {
		e.Home = getenv("USERPROFILE")
	}
	for _, k := range RelocationVars {
		if v := getenv(k); v != "" {
			e.Vars[k] = v
		}
	}
	return e
}

// RelocationVars are the client variables that move a client's config directory.
var RelocationVars = []string{
	"CODEX_HOME", "COPILOT_HOME", "GEMINI_CLI_HOME", "CLAUDE_CONFIG_DIR",
	"OPENCODE_CONFIG", "OPENCODE_CONFIG_DIR", "CLINE_DIR", "CLINE_DATA_DIR",
	"CLINE_MCP_SETTINGS_PATH", "CONTINUE_GLOBAL_DIR", "XDG_DATA_HOME", "GOOSE_PATH_ROOT",
}

// CurrentGOOS is runtime.GOOS; a variable so that tests of path logic can pin it.
var CurrentGOOS = runtime.GOOS

// Join joins path elements with the separator of e.GOOS (so Windows paths can be
// computed and tested on Linux).
func (e Env) Join(elem ...string) string {
	if e.GOOS == "windows" {
		var parts []string
		for _, p := range elem {
			if p != "" {
				parts = append(parts, strings.TrimRight(strings.ReplaceAll(p, "/", `\`), `\`))
			}
		}
		return strings.Join(parts, `\`)
	}
	return path.Join(elem...)
}

// ConfigDir is the base for per-user application configuration:
// $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on macOS,
// %APPDATA% on Windows.
func (e Env) ConfigDir() string {
	switch e.GOOS {
	case "windows":
		if e.AppData != "" {
			return e.AppData
		}
		return e.Join(e.Home, "AppData", "Roaming")
	case "darwin":
		return e.Join(e.Home, "Library", "Application Support")
	default:
		if e.XDGConfigHome != "" {
			return e.XDGConfigHome
		}
		return e.Join(e.Home, ".config")
	}
}

// XDGConfig is $XDG_CONFIG_HOME or ~/.config on every OS except Windows (where it is
// %APPDATA%); several CLI tools use it on macOS too.
func (e Env) XDGConfig() string {
	if e.GOOS == "windows" {
		return e.ConfigDir()
	}
	if e.XDGConfigHome != "" {
		return e.XDGConfigHome
	}
	return e.Join(e.Home, ".config")
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Adapter{}
)

// Register adds an adapter; sub-packages call it from init. A duplicate id panics, because
// it is a programming error found at start-up.
func Register(a Adapter) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[a.ID()]; dup {
		panic("clients: duplicate adapter " + a.ID())
	}
	registry[a.ID()] = a
}

// Get returns the adapter with the id.
func Get(id string) (Adapter, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	a, ok := registry[id]
	return a, ok
}

// All returns every registered adapter in priority order (see Order), then by id.
func All() []Adapter {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Adapter, 0, len(registry))
	for _, a := range registry {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank(out[i].ID()), rank(out[j].ID())
		if ri != rj {
			return ri < rj
		}
		return out[i].ID() < out[j].ID()
	})
	return out
}

// Order is the default priority order of clients (first = highest priority).
var Order = []string{
	"claude-code", "claude-desktop", "cursor", "vscode", "codex", "gemini", "windsurf",
	"copilot-cli", "opencode", "cline", "zed", "roo", "continue", "kiro", "goose", "amazonq",
}

func rank(id string) int {
	for i, x := range Order {
		if x == id {
			return i
		}
	}
	return len(Order)
}

// DefaultPriority is the default priority of a client: higher wins conflicts.
func DefaultPriority(id string) int { return 100 - rank(id)*5 }

func (k ScopeKind) String() string { return string(k) }
