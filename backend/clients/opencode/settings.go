package opencode

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"aisync/backend/clients"
	"aisync/backend/edit/jsonedit"
	"aisync/backend/unified"
)

const permissionKey = "permission"

// toolName is how opencode names an MCP tool: server and tool with every character outside
// [A-Za-z0-9_-] replaced by "_", joined by "_". A server whose name needs replacing cannot
// be named exactly in a permission pattern, so its permissions are not mapped.
var toolName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func decodeConfig(path string, data []byte) (unified.Config, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return unified.Config{}, nil, err
	}
	entries, order, _, warns := readEntries(path, doc)
	var cfg unified.Config
	for _, name := range order {
		if e := entries[name]; e.ok {
			if cfg.Servers == nil {
				cfg.Servers = map[string]unified.Server{}
			}
			cfg.Servers[name] = e.srv
		}
	}
	perms, w := readPermissions(path, doc, order)
	cfg.Permissions = perms.config()
	return cfg, append(warns, w...), nil
}

func encodeConfig(path string, data []byte, cfg unified.Config) ([]byte, bool, []clients.Warning, error) {
	doc, err := parse(path, data)
	if err != nil {
		return nil, false, nil, err
	}
	// What readEntries finds wrong, Decode has already reported.
	entries, order, usable, _ := readEntries(path, doc)
	var warns []clients.Warning
	if !usable && len(cfg.Servers) > 0 {
		return nil, false, warns, fmt.Errorf("%s: %s is not an object, so no server can be written into it", path, serversKey)
	}
	for _, name := range order {
		if _, keep := cfg.Servers[name]; keep || !entries[name].ok {
			continue
		}
		if err := doc.Delete(serversKey, name); err != nil {
			return nil, false, warns, fmt.Errorf("remove server %s: %w", name, err)
		}
	}
	var added []jsonedit.Member // new servers, added in one edit after the loop
	for _, name := range jsonedit.SortedKeys(cfg.Servers) {
		want := cfg.Servers[name].Clone()
		want.Normalize()
		p, w, ok := planServer(name, want)
		warns = append(warns, w...)
		if !ok {
			continue
		}
		e, exists := entries[name]
		switch {
		case exists && e.raw == nil:
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "The existing entry is not an object, so the server cannot be written there; it is left as it is."})
			continue
		case exists && isToggle(e.raw):
			warns = append(warns, clients.Warning{Item: item(name), Code: clients.WarnUnsupportedEntry,
				Message: "This file only switches the server (defined in another opencode config) on or off; aisync leaves that switch alone rather than replace it with a definition."})
			continue
		case exists:
			err = writeEntry(doc, name, e, p)
		default:
			var obj json.RawMessage
			if obj, err = newEntry(p); err == nil {
				added = append(added, jsonedit.Member{Key: name, Val: obj})
			}
		}
		if err != nil {
			return nil, false, warns, fmt.Errorf("write server %s: %w", name, err)
		}
	}
	if err := doc.AddMembers([]string{serversKey}, added); err != nil {
		return nil, false, warns, fmt.Errorf("add servers: %w", err)
	}
	w, err := writePermissions(path, doc, cfg.Permissions)
	warns = append(warns, w...)
	if err != nil {
		return nil, false, warns, err
	}
	return doc.Bytes(), doc.Changed(), warns, nil
}

// isToggle reports whether an entry only holds "enabled", opencode's way of switching a server
// of another config file (a global one, say) on or off for this project.
func isToggle(m map[string]json.RawMessage) bool {
	_, ok := m["enabled"]
	return ok && len(m) == 1
}

// A rule is one member of the permission object that aisync maps: a whole MCP server,
// "<server>_*": action, or a shell command prefix in the bash object, "<prefix> *": action
// (opencode reads a trailing " *" as "this command, with or without arguments").
type rule struct {
	path   []string // where the member is: [permission, key] or [permission, bash, key]
	perm   string   // the unified permission
	action string   // allow, ask or deny
}

// perms is what the permission object holds, as rules, plus the shape facts an edit needs.
type perms struct {
	rules     []rule
	top       string // permission is a string: the action for everything
	bash      string // permission.bash is a string
	topOK     bool   // absent, a string or an object
	bashOK    bool   // absent, a string or an object
	topExists bool
}

func (p perms) config() unified.Permissions {
	var out unified.Permissions
	for _, r := range p.rules {
		switch r.action {
		case "allow":
			out.Allow = append(out.Allow, r.perm)
		case "ask":
			out.Ask = append(out.Ask, r.perm)
		case "deny":
			out.Deny = append(out.Deny, r.perm)
		}
	}
	return out
}

func isAction(s string) bool { return s == "allow" || s == "ask" || s == "deny" }

// shellKey maps a bash pattern to a command prefix: "git *" is shell:git. Patterns with other
// wildcards are globs the unified grammar does not have.
func shellKey(k string) (string, bool) {
	prefix, ok := strings.CutSuffix(k, " *")
	if !ok || strings.TrimSpace(prefix) == "" || strings.ContainsAny(prefix, "*?") {
		return "", false
	}
	return prefix, true
}

// serverKey maps "<server>_*" to the server, when it is one of the file's servers.
func serverKey(k string, servers []string) (string, bool) {
	s, ok := strings.CutSuffix(k, "_*")
	if !ok || s == "" || !toolName.MatchString(s) {
		return "", false
	}
	for _, name := range servers {
		if name == s {
			return s, true
		}
	}
	return "", false
}

func actionOf(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil || jsonedit.IsNull(raw) {
		return "", false
	}
	return s, true
}

// readPermissions finds the rules aisync maps. Everything else in the permission object
// (edit, webfetch, "*", per-agent rules, other globs) is opencode's own and left alone.
func readPermissions(path string, doc *jsonedit.Doc, servers []string) (perms, []clients.Warning) {
	p := perms{topOK: true, bashOK: true}
	raw, ok := doc.Get(permissionKey)
	if !ok {
		return p, nil
	}
	p.topExists = true
	if s, isStr := actionOf(raw); isStr {
		p.top = s
		return p, nil
	}
	members, _, isObj := jsonedit.LookupMembers(doc, permissionKey)
	if !isObj {
		p.topOK, p.bashOK = false, false
		return p, []clients.Warning{{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s in %s is neither an action nor an object; it is left as it is.", permissionKey, path)}}
	}
	for _, k := range doc.Keys(permissionKey) {
		if k == "bash" {
			if s, isStr := actionOf(members[k]); isStr {
				p.bash = s
				continue
			}
			if _, _, isObj := jsonedit.LookupMembers(doc, permissionKey, "bash"); !isObj {
				p.bashOK = false
				continue
			}
			bash, _, _ := jsonedit.LookupMembers(doc, permissionKey, "bash")
			for _, bk := range doc.Keys(permissionKey, "bash") {
				prefix, ok := shellKey(bk)
				action, isStr := actionOf(bash[bk])
				if ok && isStr && isAction(action) {
					p.rules = append(p.rules, rule{path: []string{permissionKey, "bash", bk}, perm: "shell:" + prefix, action: action})
				}
			}
			continue
		}
		server, ok := serverKey(k, servers)
		action, isStr := actionOf(members[k])
		if ok && isStr && isAction(action) {
			p.rules = append(p.rules, rule{path: []string{permissionKey, k}, perm: "mcp:" + server + ":*", action: action})
		}
	}
	return p, nil
}

// strength orders actions the way the unified lists are meant: deny beats ask beats allow.
var strength = map[string]int{"allow": 1, "ask": 2, "deny": 3}

// writePermissions makes the permission object hold the unified permissions opencode can
// express, editing member by member. opencode applies the last matching pattern, so new
// rules are appended in allow, ask, deny order (a deny written by aisync wins over an allow
// written by aisync); rules already in the file keep their place.
func writePermissions(path string, doc *jsonedit.Doc, want unified.Permissions) ([]clients.Warning, error) {
	servers := doc.Keys(serversKey)
	var warns []clients.Warning
	unmapped := func(p, why string) {
		warns = append(warns, clients.Warning{Item: "permission:" + p, Code: clients.WarnUnmappedPermission, Message: why})
	}
	desired := map[string]string{}
	for _, list := range []struct {
		action string
		perms  []string
	}{{"allow", want.Allow}, {"ask", want.Ask}, {"deny", want.Deny}} {
		for _, p := range list.perms {
			if old, dup := desired[p]; dup && old != list.action {
				unmapped(p, fmt.Sprintf("It is in both the %s and the %s list; opencode keeps one action per pattern, so the stricter one is written.", old, list.action))
				if strength[list.action] < strength[old] {
					continue
				}
			}
			desired[p] = list.action
		}
	}
	type target struct {
		path []string
		key  string
	}
	targets := map[string]target{}
	for _, p := range jsonedit.SortedKeys(desired) {
		switch {
		case strings.HasPrefix(p, "shell:"):
			key := strings.TrimPrefix(p, "shell:") + " *"
			if back, ok := shellKey(key); !ok || "shell:"+back != p {
				unmapped(p, "opencode's bash patterns cannot say exactly this command prefix; the entry is not written.")
				delete(desired, p)
				continue
			}
			targets[p] = target{[]string{permissionKey, "bash", key}, key}
		case strings.HasPrefix(p, "mcp:") && strings.HasSuffix(p, ":*"):
			server := strings.TrimSuffix(strings.TrimPrefix(p, "mcp:"), ":*")
			if s, ok := serverKey(server+"_*", servers); !ok || s != server {
				unmapped(p, "opencode names MCP tools <server>_<tool>; only a server of this file whose name needs no escaping can be written as <server>_*. The entry is not written.")
				delete(desired, p)
				continue
			}
			targets[p] = target{[]string{permissionKey, server + "_*"}, server + "_*"}
		default:
			unmapped(p, "opencode's permission object has no exact counterpart (aisync maps shell:<prefix> and mcp:<server>:*); the entry is not written.")
			delete(desired, p)
		}
	}
	have, _ := readPermissions(path, doc, servers)
	current := map[string]rule{}
	var removeRules []rule
	for _, r := range have.rules {
		action, keep := desired[r.perm]
		switch {
		case !keep:
			removeRules = append(removeRules, r)
		case action != r.action:
			if err := doc.Set(r.path, action); err != nil {
				return warns, fmt.Errorf("write %s: %w", strings.Join(r.path, "."), err)
			}
			current[r.perm] = r
		default:
			current[r.perm] = r
		}
	}
	var add []string
	for p := range desired {
		if _, ok := current[p]; !ok {
			add = append(add, p)
		}
	}
	sort.Slice(add, func(i, j int) bool {
		si, sj := strength[desired[add[i]]], strength[desired[add[j]]]
		if si != sj {
			return si < sj
		}
		return add[i] < add[j]
	})
	if len(add) > 0 {
		switch {
		case !have.topOK:
			warns = append(warns, clients.Warning{Code: clients.WarnUnsupportedEntry,
				Message: fmt.Sprintf("%s in %s is neither an action nor an object, so no permission is written.", permissionKey, path)})
			add = nil
		case have.top != "":
			// "permission": "ask" means {"*": "ask"}; the object form keeps that and can hold more.
			if err := doc.Set([]string{permissionKey}, json.RawMessage(`{"*":`+quote(have.top)+`}`)); err != nil {
				return warns, fmt.Errorf("write %s: %w", permissionKey, err)
			}
		}
	}
	bashReady := have.bash == ""
	for _, p := range add {
		t := targets[p]
		if u, action, ok := shadowed(doc, have, t.path, desired[p]); ok {
			unmapped(p, fmt.Sprintf("opencode applies the last matching pattern, so a new %q: %q after your own %q: %q would loosen it; the entry is not written.", t.key, desired[p], u, action))
			continue
		}
		if len(t.path) == 3 && !bashReady {
			if !have.bashOK {
				unmapped(p, "permission.bash is neither an action nor an object; the entry is not written.")
				continue
			}
			if err := doc.Set([]string{permissionKey, "bash"}, json.RawMessage(`{"*":`+quote(have.bash)+`}`)); err != nil {
				return warns, fmt.Errorf("write %s.bash: %w", permissionKey, err)
			}
			bashReady = true
		}
		if err := doc.Set(t.path, desired[p]); err != nil {
			return warns, fmt.Errorf("write %s: %w", strings.Join(t.path, "."), err)
		}
	}
	for _, r := range removeRules {
		if err := doc.Delete(r.path...); err != nil {
			return warns, fmt.Errorf("remove %s: %w", strings.Join(r.path, "."), err)
		}
		// An object that only held what aisync removed goes too, so nothing of ours is left.
		for parent := r.path[:len(r.path)-1]; len(parent) > 0; parent = parent[:len(parent)-1] {
			if keys := doc.Keys(parent...); keys == nil || len(keys) > 0 {
				break
			}
			if err := doc.Delete(parent...); err != nil {
				return warns, fmt.Errorf("remove %s: %w", strings.Join(parent, "."), err)
			}
		}
	}
	return warns, nil
}

// shadowed finds a rule of the user's, in the object a new rule would be appended to, that the
// new rule would override with a weaker action: appending "github_*": "allow" after
// "github_delete_*": "deny" would allow the deletes. The catch-all "*" is exempt, since a
// specific rule is meant to override it, and so are the rules aisync itself maps.
func shadowed(doc *jsonedit.Doc, have perms, path []string, action string) (string, string, bool) {
	obj, key := path[:len(path)-1], path[len(path)-1]
	literal := strings.TrimSuffix(strings.TrimSuffix(key, "*"), " ")
	mine := map[string]bool{}
	for _, r := range have.rules {
		mine[strings.Join(r.path, "\x00")] = true
	}
	members, _, _ := jsonedit.LookupMembers(doc, obj...)
	for _, k := range doc.Keys(obj...) {
		if k == "*" || mine[strings.Join(append(append([]string{}, obj...), k), "\x00")] {
			continue
		}
		theirs, isStr := actionOf(members[k])
		if !isStr || !isAction(theirs) || strength[theirs] <= strength[action] {
			continue
		}
		lit := k
		if i := strings.IndexAny(k, "*?"); i >= 0 {
			lit = k[:i]
		}
		if strings.HasPrefix(lit, literal) || strings.HasPrefix(literal, lit) {
			return k, theirs, true
		}
	}
	return "", "", false
}

func quote(s string) string {
	b, _ := jsonedit.Marshal(s)
	return string(b)
}
