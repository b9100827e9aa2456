// Package envref converts environment-variable references between the unified syntax
// (${env:NAME}) and each client's own interpolation syntax. A reference a target cannot
// express, or a client-specific variable such as VS Code's ${input:id}, is reported instead
// of being written where the target would take it literally.
package envref

import (
	"regexp"
	"strings"

	"aisync/backend/unified"
)

// Syntax is how a client writes an environment reference.
type Syntax int

const (
	// None: the client expands nothing (Claude Desktop, Zed, Codex strings).
	None Syntax = iota
	// DollarBrace: ${VAR} and ${VAR:-default} (Claude Code, Gemini CLI, Kiro).
	DollarBrace
	// EnvColon: ${env:VAR} (VS Code, Cursor, Windsurf, Cline, Roo Code, Amazon Q).
	EnvColon
	// BraceEnv: {env:VAR} (opencode).
	BraceEnv
	// ContinueSecrets: ${{ secrets.VAR }} (Continue).
	ContinueSecrets
)

// String is the syntax as users write it, for capabilities and messages.
func (s Syntax) String() string {
	switch s {
	case DollarBrace:
		return "${VAR}"
	case EnvColon:
		return "${env:VAR}"
	case BraceEnv:
		return "{env:VAR}"
	case ContinueSecrets:
		return "${{ secrets.VAR }}"
	}
	return ""
}

var (
	dollarBrace = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	dollarBare  = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)
	envColon    = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)
	braceEnv    = regexp.MustCompile(`(^|[^$])\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)
	contSecret  = regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	// clientOnly are variables that only mean something inside one client.
	clientOnly = regexp.MustCompile(`\$\{(input:[^}]*|workspaceFolder[^}]*|userHome|pathSeparator|/|file:[^}]*|command:[^}]*|config:[^}]*)\}|\$\{\{\s*inputs\.[^}]*\}\}|\{file:[^}]*\}`)
)

// Decode turns a client string into unified syntax.
func Decode(s string, syn Syntax) string {
	if !mayDecode(s) {
		return s
	}
	switch syn {
	case DollarBrace:
		// ${VAR} becomes ${env:VAR}; ${VAR:-default} is kept as written (the model has no
		// defaults), which DollarBrace targets can still read and others are warned about.
		return dollarBrace.ReplaceAllString(s, "$${env:$1}")
	case EnvColon:
		return s // same as the unified syntax
	case BraceEnv:
		return braceEnv.ReplaceAllString(s, "$1$${env:$2}")
	case ContinueSecrets:
		return contSecret.ReplaceAllString(s, "$${env:$1}")
	}
	return s
}

// DecodeBare also accepts $VAR (Gemini CLI expands it in every string).
func DecodeBare(s string) string {
	if !strings.Contains(s, "$") {
		return s // no reference: most strings, and the regexps are slow
	}
	s = Decode(s, DollarBrace)
	return dollarBare.ReplaceAllStringFunc(s, func(m string) string {
		return "${env:" + m[1:] + "}"
	})
}

// mayDecode reports whether Decode may change s: it holds a '$' or a '{'. A loop, since
// strings.ContainsAny builds a set of its characters on every call, and a large file's
// every string passes here.
func mayDecode(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '$' || s[i] == '{' {
			return true
		}
	}
	return false
}

// MayHoldRef reports whether s may hold a reference of some syntax that Encode has to look
// at; Encode returns every other string as it is.
func MayHoldRef(s string) bool { return strings.Contains(s, "{") }

// Problem explains why a string cannot be written for a client.
type Problem struct{ Msg string }

// Encode turns a unified string into the client's syntax. ok is false when the string holds
// something the client would take literally (a reference with no syntax in that client, or
// another client's own variable); msg says what.
func Encode(s string, syn Syntax) (out string, ok bool, msg string) {
	if !MayHoldRef(s) {
		return s, true, "" // no reference of any syntax: most strings, and the regexps are slow
	}
	if m := clientOnly.FindString(s); m != "" && syn != EnvColon {
		return s, false, m + " only means something inside the client it came from"
	}
	if m := clientOnly.FindString(s); m != "" && strings.HasPrefix(m, "${input:") {
		return s, false, m + " is a VS Code input prompt; other clients cannot ask for it"
	}
	if strings.Contains(s, "${") && dollarDefault.MatchString(s) && syn != DollarBrace {
		return s, false, "a ${VAR:-default} reference has no equivalent in this client"
	}
	if !strings.Contains(s, "${env:") {
		return s, true, ""
	}
	switch syn {
	case DollarBrace:
		return envColon.ReplaceAllString(s, "$${$1}"), true, ""
	case EnvColon:
		return s, true, ""
	case BraceEnv:
		return envColon.ReplaceAllString(s, "{env:$1}"), true, ""
	case ContinueSecrets:
		return envColon.ReplaceAllString(s, "$${{ secrets.$1 }}"), true, ""
	}
	names := EnvNames(s)
	return s, false, "this client cannot expand environment variables (" + strings.Join(names, ", ") + ")"
}

var dollarDefault = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*:-[^}]*\}`)

// EnvNames lists the environment variables a unified string refers to.
func EnvNames(s string) []string {
	var out []string
	for _, r := range unified.Refs(s) {
		if r.Kind == "env" {
			out = append(out, r.Name)
		}
	}
	return out
}

// IsWholeRef reports whether s is exactly one ${env:NAME} reference, and returns NAME.
// Codex's env_vars and bearer_token_env_var take names, not strings.
func IsWholeRef(s string) (string, bool) {
	m := envColon.FindStringSubmatch(s)
	if m == nil || m[0] != s {
		return "", false
	}
	return m[1], true
}

// EncodeServer converts every string of a server (command, args, env, cwd, url, headers)
// to the client's syntax. It returns the problems found, one per field; a caller usually
// skips the server and warns when there are any.
func EncodeServer(s *unified.Server, syn Syntax) []string {
	var problems []string
	s.Strings(func(field, v string) string {
		out, ok, msg := Encode(v, syn)
		if !ok {
			problems = append(problems, field+": "+msg)
			return v
		}
		return out
	})
	return problems
}

// DecodeServer converts every string of a server from the client's syntax.
func DecodeServer(s *unified.Server, syn Syntax) {
	if !s.AnyString(mayDecode) {
		return // nothing Decode would change (most servers)
	}
	s.Strings(func(_, v string) string { return Decode(v, syn) })
}
