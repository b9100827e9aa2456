package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file decides which parts of a server's strings are secrets. It is pure: strings in,
// byte ranges out. A false positive only costs a needless keyring entry (the value comes
// back unchanged on Resolve); a false negative puts a credential into the database, so the
// rules lean towards extracting, and exclude what is plainly not a credential (paths, URLs
// without credentials, versions, package names, flags, booleans, short words).

// strength says how sure a field's name makes us that its value is a secret.
type strength int

const (
	nameNone   strength = iota // only a high-entropy, token-like value counts
	nameWeak                   // *_KEY, *_TOKEN, AUTH*, PAT…: a token-like value counts
	nameStrong                 // passwords, secrets, Authorization…: any literal counts
)

// span is a secret literal inside a string: bytes [start, end), found in field (the part of
// the secret's name after the server, e.g. "env.GITHUB_TOKEN" or "url.api_key").
type span struct {
	start, end int
	field      string
}

// notSecretSuffixes are name endings that describe where or how, not the secret itself.
var notSecretSuffixes = []string{
	"_FILE", "_PATH", "_DIR", "_URL", "_URI", "_HOST", "_PORT", "_TYPE", "_MODE", "_ENABLED",
	"_ID", "_NAME", "_TTL", "_TIMEOUT", "_EXPIRY", "_EXPIRES", "_LENGTH", "_SIZE", "_PREFIX",
	"_ENV", "_VAR", "_CMD", "_COMMAND", "_SCOPE", "_SCOPES", "_REGION",
}

var strongWords = []string{"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE_KEY", "COOKIE"}

// nameStrength classifies an env var, flag or query parameter name.
func nameStrength(name string) strength {
	n := normalizeName(name)
	if n == "" {
		return nameNone
	}
	for _, s := range notSecretSuffixes {
		if strings.HasSuffix(n, s) {
			return nameNone
		}
	}
	for _, w := range strongWords {
		if strings.Contains(n, w) {
			return nameStrong
		}
	}
	switch {
	case n == "KEY", strings.HasSuffix(n, "_KEY"), strings.HasSuffix(n, "APIKEY"),
		n == "TOKEN", strings.HasSuffix(n, "_TOKEN"),
		strings.HasPrefix(n, "AUTH"), strings.HasSuffix(n, "_AUTH"),
		n == "PAT", strings.HasSuffix(n, "_PAT"):
		return nameWeak
	}
	return nameNone
}

var strongHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "x-api-key": true, "api-key": true,
	"apikey": true, "cookie": true, "x-goog-api-key": true, "x-subscription-token": true,
}

// headerStrength classifies an HTTP header name.
func headerStrength(h string) strength {
	l := strings.ToLower(strings.TrimSpace(h))
	if strongHeaders[l] || strings.HasSuffix(l, "-token") {
		return nameStrong
	}
	return nameStrength(h)
}

// normalizeName upper-cases a name and turns camelCase humps and every non-alphanumeric
// run into one '_': "accessToken", "access-token" and "ACCESS_TOKEN" all become ACCESS_TOKEN.
func normalizeName(s string) string {
	b := make([]byte, 0, len(s)+4)
	prevLower := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
			prevLower = true
		case c >= '0' && c <= '9':
			b = append(b, c)
			prevLower = true
		case c >= 'A' && c <= 'Z':
			if prevLower {
				b = append(b, '_')
			}
			b = append(b, c)
			prevLower = false
		default:
			if len(b) > 0 && b[len(b)-1] != '_' {
				b = append(b, '_')
			}
			prevLower = false
		}
	}
	return strings.Trim(string(b), "_")
}

var (
	urlRe       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*://`)
	schemeRe    = regexp.MustCompile(`^(?i:bearer|basic|token|bot)[ \t]+`)
	versionRe   = regexp.MustCompile(`^[vV]?\d+(\.\d+)+([-+][0-9A-Za-z.\-+]*)?$`)
	uuidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	varOnlyRe   = regexp.MustCompile(`^(\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$`)
	envArgRe    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)
	headerArgRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]):[ \t]*`)
	flagNameRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]*$`)
	lastLabelRe = regexp.MustCompile(`\.[A-Za-z]{1,6}$`)
	wordRe      = regexp.MustCompile(`^([a-z]+|[A-Z][a-z]+|[A-Z]+|[0-9]+|v[0-9]+)$`)
)

// readable reports whether every piece of s between separators is a word, a number or a
// "v2": the shape of package, image and file names (mcp-server-kubernetes-2024), not of a
// generated token.
func readable(s string) bool {
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("-_./+=~", r) }) {
		if !wordRe.MatchString(p) {
			return false
		}
	}
	return true
}

// templated reports whether s holds a reference or placeholder of any syntax (unified
// ${env:X}/${secret:X}, a client's ${X} or ${input:x}, {env:X}, {{x}}, $X, %X%): such a
// string is left exactly as it is.
func templated(s string) bool {
	return strings.Contains(s, "${") || strings.Contains(s, "{env:") || strings.Contains(s, "{{") ||
		varOnlyRe.MatchString(s)
}

func isURL(s string) bool { return urlRe.MatchString(s) }

func isPath(s string) bool {
	switch {
	case strings.HasPrefix(s, "/"), strings.HasPrefix(s, "~/"), strings.HasPrefix(s, `~\`),
		strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"), strings.HasPrefix(s, `.\`),
		strings.HasPrefix(s, `..\`), strings.Contains(s, `\`):
		return true
	}
	return len(s) >= 3 && (s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') && s[1] == ':' && (s[2] == '/' || s[2] == '\\')
}

func isBoolWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "enabled", "disabled", "0", "1":
		return true
	}
	return false
}

func hasSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// strongLiteral: under a password-like name any real value is a secret.
func strongLiteral(tok string) bool {
	return strings.TrimSpace(tok) != "" && !isPath(tok) && !isBoolWord(tok)
}

// weakLiteral: under a token-like name, a value that looks like a token.
func weakLiteral(tok string) bool {
	return len(tok) >= 8 && !hasSpace(tok) && !isPath(tok) && !isURL(tok) && !isBoolWord(tok) &&
		!versionRe.MatchString(tok) && !readable(tok)
}

// tokenChars is what API keys, JWTs and base64 / base64url / hex tokens are made of.
func tokenChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}

// highEntropy: with no hint from the name, a value is a secret when it looks like a
// generated token: at least 20 token characters, letters and digits, Shannon entropy of at
// least 3.5 bits per character, and not a path, version, UUID, host or file name.
func highEntropy(tok string) bool {
	if len(tok) < 20 {
		return false
	}
	var upper, lower, digit, slash bool
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !tokenChar(c) {
			return false
		}
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		case c == '/':
			slash = true
		}
	}
	switch {
	case !digit || !upper && !lower,
		strings.IndexByte("-./~", tok[0]) >= 0,
		versionRe.MatchString(tok), uuidRe.MatchString(tok),
		lastLabelRe.MatchString(tok), // example.com, server-2024.js
		readable(tok),
		slash && (len(tok) < 32 || !upper || !lower):
		return false
	}
	return shannon(tok) >= 3.5
}

// shannon is the entropy of s in bits per byte.
func shannon(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// scanValue finds the secret in v[off:], the value of field whose name has strength st. A
// URL is searched for a password and secret query parameters; an auth scheme ("Bearer ")
// stays in place and only the token after it is the secret.
func scanValue(v string, off int, field string, st strength) []span {
	val := v[off:]
	if val == "" {
		return nil
	}
	if isURL(val) {
		return scanURL(v, off, field)
	}
	start := off
	if m := schemeRe.FindStringIndex(val); m != nil {
		start = off + m[1]
	}
	tok := v[start:]
	if !utf8.ValidString(tok) {
		return nil
	}
	var ok bool
	switch {
	case strings.Contains(tok, "PRIVATE KEY-----"): // a PEM private key, whatever its name
		ok = true
	case st == nameStrong:
		ok = strongLiteral(tok)
	case st == nameWeak:
		ok = weakLiteral(tok)
	default:
		ok = highEntropy(tok)
	}
	if !ok {
		return nil
	}
	return []span{{start, len(v), field}}
}

// scanURL finds the password in a URL's user info and secret query parameter values of the
// URL at v[off:]. Nothing is decoded, so the stored secret is the exact text that was there.
func scanURL(v string, off int, field string) []span {
	u := v[off:]
	i := strings.Index(u, "://") + 3
	authEnd := strings.IndexAny(u[i:], "/?#")
	if authEnd < 0 {
		authEnd = len(u) - i
	}
	auth := u[i : i+authEnd]
	var out []span
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		if c := strings.IndexByte(auth[:at], ':'); c >= 0 && c+1 < at && utf8.ValidString(auth[c+1:at]) {
			out = append(out, span{off + i + c + 1, off + i + at, field + ".password"})
		}
	}
	rest := i + authEnd
	q := strings.IndexByte(u[rest:], '?')
	if q < 0 {
		return out
	}
	qs := rest + q + 1
	qe := len(u)
	if h := strings.IndexByte(u[qs:], '#'); h >= 0 {
		qe = qs + h
	}
	pos := qs
	for _, pair := range strings.Split(u[qs:qe], "&") {
		k, val, found := strings.Cut(pair, "=")
		if found && k != "" && val != "" && utf8.ValidString(val) {
			var ok bool
			switch nameStrength(k) {
			case nameStrong:
				ok = strongLiteral(val)
			case nameWeak:
				ok = weakLiteral(val)
			default:
				ok = highEntropy(val)
			}
			if ok {
				vs := off + pos + len(k) + 1
				out = append(out, span{vs, vs + len(val), field + "." + namePart(k)})
			}
		}
		pos += len(pair) + 1
	}
	return out
}

// splitFlag recognises "-x", "--name" and "--name=value".
func splitFlag(a string) (name, value string, isFlag, hasValue bool) {
	if !strings.HasPrefix(a, "-") {
		return "", "", false, false
	}
	rest := strings.TrimLeft(a, "-")
	if len(a)-len(rest) > 2 {
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(rest, "=")
	if !flagNameRe.MatchString(name) {
		return "", "", false, false
	}
	return name, value, true, hasValue
}

// scanArgs finds the secrets in a command line: "--api-key=V", "--token V", "KEY=V" (as in
// docker -e), "Header: V" (as in mcp-remote --header), URLs, and bare high-entropy tokens.
// It returns the spans of each argument.
func scanArgs(args []string) [][]span {
	out := make([][]span, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if templated(a) {
			continue
		}
		if flag, value, isFlag, hasValue := splitFlag(a); isFlag {
			st := nameStrength(flag)
			field := "args." + namePart(flag)
			switch {
			case hasValue && st == nameNone:
				out[i] = scanArg(a, len(a)-len(value), field)
			case hasValue:
				out[i] = scanValue(a, len(a)-len(value), field, st)
			case st != nameNone && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !templated(args[i+1]):
				out[i+1] = scanValue(args[i+1], 0, field, st)
				i++
			}
			continue
		}
		field := "args." + strconv.Itoa(i)
		if i > 0 {
			if flag, _, isFlag, hasValue := splitFlag(args[i-1]); isFlag && !hasValue {
				field = "args." + namePart(flag)
			}
		}
		out[i] = scanArg(a, 0, field)
	}
	return out
}

// scanArg looks at one positional argument (or a flag's value) from off on.
func scanArg(a string, off int, field string) []span {
	val := a[off:]
	if m := envArgRe.FindStringSubmatchIndex(val); m != nil {
		name := val[m[2]:m[3]]
		return scanValue(a, off+m[1], "args."+namePart(name), nameStrength(name))
	}
	if m := headerArgRe.FindStringSubmatchIndex(val); m != nil && !isURL(val) {
		name := val[m[2]:m[3]]
		if st := headerStrength(name); st != nameNone {
			return scanValue(a, off+m[1], "args."+namePart(name), st)
		}
	}
	if isURL(val) {
		return scanURL(a, off, "args.url")
	}
	return scanValue(a, off, field, nameNone)
}

// maxPart bounds one component of a derived name.
const maxPart = 64

// namePart turns s into a piece of a secret name: [A-Za-z0-9_.-] only. Anything changed
// (replaced characters, truncation) adds a short hash of the original, so two different
// originals never share a name.
func namePart(s string) string {
	b := []byte(s)
	changed := false
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '_'
			changed = true
		}
	}
	if len(b) > maxPart {
		b = b[:maxPart]
		changed = true
	}
	if len(b) == 0 {
		b = []byte("x")
		changed = true
	}
	if changed {
		return string(b) + "-" + shortHash(s)
	}
	return string(b)
}

// serverPart is namePart for the first component, which must start with a letter so that
// the whole name is a valid reference and never collides with the reserved "__" names.
func serverPart(s string) string {
	p := namePart(s)
	if c := p[0]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
		p = "s" + p
		if !strings.HasSuffix(p, shortHash(s)) {
			p += "-" + shortHash(s)
		}
	}
	return p
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:3])
}
