package unified

import (
	"regexp"
	"strings"
)

// Ref is a reference inside a string: ${env:NAME} or ${secret:NAME}.
type Ref struct {
	Kind string // "env" or "secret"
	Name string
}

// String renders the reference in unified syntax.
func (r Ref) String() string { return "${" + r.Kind + ":" + r.Name + "}" }

// EnvRef and SecretRef build references in unified syntax.
func EnvRef(name string) string    { return "${env:" + name + "}" }
func SecretRef(name string) string { return "${secret:" + name + "}" }

var refPattern = regexp.MustCompile(`\$\{(env|secret):([A-Za-z_][A-Za-z0-9_.\-]*)\}`)

// Refs lists the references in s in order of appearance.
func Refs(s string) []Ref {
	var out []Ref
	for _, m := range refPattern.FindAllStringSubmatch(s, -1) {
		out = append(out, Ref{Kind: m[1], Name: m[2]})
	}
	return out
}

// HasRefs reports whether s holds any unified reference.
func HasRefs(s string) bool { return strings.Contains(s, "${") && refPattern.MatchString(s) }

// ReplaceRefs rewrites every unified reference in s with what fn returns for it.
// fn returns ok=false to leave a reference as it is.
func ReplaceRefs(s string, fn func(Ref) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return refPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := refPattern.FindStringSubmatch(m)
		if out, ok := fn(Ref{Kind: sub[1], Name: sub[2]}); ok {
			return out
		}
		return m
	})
}

// AnyString reports whether pred holds for one of the strings Strings visits, without
// changing the server.
func (s *Server) AnyString(pred func(value string) bool) bool {
	if pred(s.Command) || pred(s.Cwd) || pred(s.URL) {
		return true
	}
	for _, a := range s.Args {
		if pred(a) {
			return true
		}
	}
	for _, v := range s.Env {
		if pred(v) {
			return true
		}
	}
	for _, v := range s.Headers {
		if pred(v) {
			return true
		}
	}
	return false
}

// Strings calls fn for every string field of the server that may hold references
// (command, args, env values, cwd, url, header values) and stores what fn returns.
func (s *Server) Strings(fn func(field, value string) string) {
	s.Command = fn("command", s.Command)
	for i, a := range s.Args {
		s.Args[i] = fn("args", a)
	}
	for k, v := range s.Env {
		s.Env[k] = fn("env."+k, v)
	}
	s.Cwd = fn("cwd", s.Cwd)
	s.URL = fn("url", s.URL)
	for k, v := range s.Headers {
		s.Headers[k] = fn("headers."+k, v)
	}
}
