package zed

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

// toolsPath is where Zed (v0.224 and later) keeps per-tool permission rules. An MCP tool's
// rule is named mcp:<server>:<tool>, which is exactly the unified spelling, and only its
// "default" decision applies to MCP tools; the regex lists (always_allow, …) are for Zed's
// built-in tools and are never touched.
var toolsPath = []string{"agent", "tool_permissions", "tools"}

// Zed's decisions and the unified lists they stand for.
const (
	decisionAllow   = "allow"
	decisionConfirm = "confirm"
	decisionDeny    = "deny"
)

// mcpRule reports whether a rule name (or a unified permission) is one MCP tool: mcp:<server>:<tool>
// with both parts present and no wildcard, which Zed would take literally.
func mcpRule(name string) bool {
	rest, ok := strings.CutPrefix(name, "mcp:")
	if !ok || strings.ContainsAny(rest, "*?") {
		return false
	}
	server, tool, ok := strings.Cut(rest, ":")
	return ok && server != "" && tool != "" && strings.TrimSpace(name) == name
}

// permShape checks that the objects on the way to the rules are objects (or absent; or null
// when nothing is to be written below them). It returns a warning naming the first one that
// is not.
func permShape(doc *jsonedit.Doc, nullOK bool) *clients.Warning {
	for i := range toolsPath {
		raw, ok := doc.Get(toolsPath[:i+1]...)
		if ok && (string(raw) != "null" || !nullOK) && (len(raw) == 0 || raw[0] != '{') {
			return &clients.Warning{Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("%s in Zed's settings is not an object, so no tool permission can be read or written there; it is left as it is.", strings.Join(toolsPath[:i+1], "."))}
		}
	}
	return nil
}

// readRules returns the MCP tool rules the model can hold, name → decision.
func readRules(doc *jsonedit.Doc) map[string]string {
	out := map[string]string{}
	for _, name := range doc.Keys(toolsPath...) {
		if !mcpRule(name) {
			continue
		}
		raw, _ := doc.Get(append(append([]string(nil), toolsPath...), name, "default")...)
		var d string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &d) == nil {
			switch d {
			case decisionAllow, decisionConfirm, decisionDeny:
				out[name] = d
			}
		}
	}
	return out
}

func decodePermissions(doc *jsonedit.Doc) (unified.Permissions, []clients.Warning) {
	var p unified.Permissions
	if w := permShape(doc, true); w != nil {
		return p, []clients.Warning{*w}
	}
	for name, d := range readRules(doc) {
		switch d {
		case decisionAllow:
			p.Allow = append(p.Allow, name)
		case decisionConfirm:
			p.Ask = append(p.Ask, name)
		case decisionDeny:
			p.Deny = append(p.Deny, name)
		}
	}
	sort.Strings(p.Allow)
	sort.Strings(p.Ask)
	sort.Strings(p.Deny)
	return p, nil
}

// wantedRules turns unified permissions into Zed rules. Zed keeps one decision per tool, so
// a tool in two lists keeps the strictest (deny, then confirm, then allow), with a warning.
func wantedRules(p unified.Permissions) (map[string]string, []clients.Warning) {
	out := map[string]string{}
	var warns []clients.Warning
	for _, l := range []struct {
		list     []string
		decision string
	}{{p.Deny, decisionDeny}, {p.Ask, decisionConfirm}, {p.Allow, decisionAllow}} {
		for _, u := range l.list {
			if !mcpRule(u) {
				warns = append(warns, clients.Warning{Item: "permission:" + u, Code: clients.WarnUnmappedPermission,
					Message: fmt.Sprintf("Zed's tool permissions only name single MCP tools (mcp:<server>:<tool>); %q is not written.", u)})
				continue
			}
			if prev, dup := out[u]; dup {
				if prev != l.decision {
					warns = append(warns, clients.Warning{Item: "permission:" + u, Code: clients.WarnUnmappedPermission,
						Message: fmt.Sprintf("Zed keeps one decision per tool; %q is written as %q, not %q.", u, prev, l.decision)})
				}
				continue
			}
			out[u] = l.decision
		}
	}
	return out, warns
}

// encodePermissions makes agent.tool_permissions.tools hold the wanted MCP rules. Rules for
// other tools, and every other member of an MCP rule, stay as they are; a rule that only held
// its decision goes when the decision does, and so do the objects around it when aisync
// emptied them.
func encodePermissions(doc *jsonedit.Doc, p unified.Permissions) ([]clients.Warning, error) {
	want, warns := wantedRules(p)
	if w := permShape(doc, len(want) == 0); w != nil {
		if len(want) > 0 {
			warns = append(warns, *w)
		}
		return warns, nil
	}
	cur := readRules(doc)
	path := func(elem ...string) []string { return append(append([]string(nil), toolsPath...), elem...) }
	removed := false
	for _, name := range doc.Keys(toolsPath...) {
		if _, had := cur[name]; !had {
			continue
		}
		if _, keep := want[name]; keep {
			continue
		}
		target := path(name, "default")
		if keys := doc.Keys(path(name)...); len(keys) == 1 {
			target = path(name)
		}
		if err := doc.Delete(target...); err != nil {
			return warns, fmt.Errorf("remove tool permission %s: %w", name, err)
		}
		removed = true
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := want[name]
		raw, exists := doc.Get(path(name)...)
		switch {
		case !exists || string(raw) == "null":
			if err := doc.Set(path(name), map[string]string{"default": d}); err != nil {
				return warns, fmt.Errorf("write tool permission %s: %w", name, err)
			}
		case raw[0] != '{':
			warns = append(warns, clients.Warning{Item: "permission:" + name, Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("Zed's rule for %q is not an object; it is left as it is.", name)})
		case cur[name] != d:
			if err := doc.Set(path(name, "default"), d); err != nil {
				return warns, fmt.Errorf("write tool permission %s: %w", name, err)
			}
		}
	}
	if removed {
		for i := len(toolsPath); i > 0; i-- {
			if keys := doc.Keys(toolsPath[:i]...); keys == nil || len(keys) > 0 {
				break
			}
			if err := doc.Delete(toolsPath[:i]...); err != nil {
				return warns, fmt.Errorf("remove empty %s: %w", strings.Join(toolsPath[:i], "."), err)
			}
		}
	}
	return warns, nil
}
