package claudecode

import (
	"strings"

	"aisync/backend/clients/mcpjson"
)

// permissions maps settings.json permissions.{allow,ask,deny} to the unified grammar:
//
//	mcp__srv__tool  ↔ mcp:srv:tool       Bash(npm run test:*) ↔ shell:npm run test
//	mcp__srv        ↔ mcp:srv:*          Read(./src/**)       ↔ read:./src/**
//	mcp__srv__*     → mcp:srv:*          Edit(x), Write(x)    → write:x (written as Edit(x))
//	Bash(git diff *) → shell:git diff    WebFetch(domain:x)   ↔ fetch:x
//
// Everything else (bare tool names, exact Bash commands, wildcards elsewhere, …) has no
// unified form: it is not read, and it is never removed.
var permissions = mcpjson.PermissionLists{
	Client: ID, Name: "Claude Code",
	Allow:   []string{"permissions", "allow"},
	Ask:     []string{"permissions", "ask"},
	Deny:    []string{"permissions", "deny"},
	Grammar: mcpjson.Grammar{Decode: fromClaude, Encode: toClaude},
}

// fromClaude reads one Claude Code permission rule.
func fromClaude(rule string) (string, bool) {
	if rest, ok := strings.CutPrefix(rule, "mcp__"); ok {
		server, tool, hasTool := strings.Cut(rest, "__")
		if !mcpName(server) {
			return "", false
		}
		if !hasTool {
			return "mcp:" + server + ":*", true
		}
		if tool == "" || strings.ContainsAny(tool, "()") {
			return "", false
		}
		return "mcp:" + server + ":" + tool, true
	}
	tool, spec, ok := call(rule)
	if !ok {
		return "", false
	}
	switch tool {
	case "Bash":
		prefix, ok := strings.CutSuffix(spec, ":*")
		if !ok {
			prefix, ok = strings.CutSuffix(spec, " *")
		}
		prefix = strings.TrimSpace(prefix)
		if !ok || prefix == "" || strings.Contains(prefix, "*") {
			return "", false
		}
		return "shell:" + prefix, true
	case "Read":
		return "read:" + spec, true
	case "Edit", "Write":
		return "write:" + spec, true
	case "WebFetch":
		if d, ok := strings.CutPrefix(spec, "domain:"); ok && d != "" {
			return "fetch:" + d, true
		}
	}
	return "", false
}

// toClaude writes one unified permission as a Claude Code rule.
func toClaude(p string) (string, bool) {
	kind, rest, ok := strings.Cut(p, ":")
	if !ok || rest == "" {
		return "", false
	}
	switch kind {
	case "mcp":
		server, tool, ok := strings.Cut(rest, ":")
		if !ok || !mcpName(server) || tool == "" {
			return "", false
		}
		if tool == "*" {
			return "mcp__" + server, true
		}
		if strings.ContainsAny(tool, "()") {
			return "", false
		}
		return "mcp__" + server + "__" + tool, true
	case "shell":
		if strings.TrimSpace(rest) != rest || strings.Contains(rest, "*") {
			return "", false
		}
		return "Bash(" + rest + ":*)", true
	case "read":
		if !plainSpec(rest) {
			return "", false
		}
		return "Read(" + rest + ")", true
	case "write":
		if !plainSpec(rest) {
			return "", false
		}
		return "Edit(" + rest + ")", true
	case "fetch":
		if !plainSpec(rest) {
			return "", false
		}
		return "WebFetch(domain:" + rest + ")", true
	}
	return "", false
}

// call splits "Tool(spec)".
func call(rule string) (tool, spec string, ok bool) {
	open := strings.IndexByte(rule, '(')
	if open <= 0 || !strings.HasSuffix(rule, ")") {
		return "", "", false
	}
	tool, spec = rule[:open], rule[open+1:len(rule)-1]
	if spec == "" || strings.ContainsAny(tool, " ()") {
		return "", "", false
	}
	return tool, spec, true
}

// mcpName reports whether a server name can appear in an mcp__ rule unambiguously: Claude
// Code rewrites other characters in tool names, and "__" (or a trailing "_" next to the
// separator) would split the rule elsewhere.
func mcpName(s string) bool {
	if s == "" || strings.Contains(s, "__") || strings.HasSuffix(s, "_") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// plainSpec reports whether a specifier survives being put between parentheses.
func plainSpec(s string) bool {
	return s != "" && !strings.ContainsAny(s, "\n\r")
}
