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

// field names where a secret may be: the part of its name after the server, such as
// "env.GITHUB_TOKEN". It is a prefix and a key that namePart makes fit for a name, or an
// argument's index (index >= 0), and becomes a string only where a secret is found, so that
// looking through thousands of strings builds no names.
type field struct {
	prefix, key string
	index       int
}

// fixed is a field that is its prefix alone ("url").
func fixed(name string) field { return field{prefix: name, index: -1} }

// keyed is a field named by a prefix and a key ("env." and "GITHUB_TOKEN").
func keyed(prefix, key string) field { return field{prefix: prefix, key: key, index: -1} }

func (f field) String() string {
	switch {
	case f.index >= 0:
		return f.prefix + strconv.Itoa(f.index)
	case f.key != "":
		return f.prefix + namePart(f.key)
	}
	return f.prefix
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
	versionRe   = regexp.MustCompile(`^[vV]?\d+(\.\d+)+([-+][0-9A-Za-z.\-+]*)?$`)
	uuidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	lastLabelRe = regexp.MustCompile(`\.[A-Za-z]{1,6}$`)
	wordRe      = regexp.MustCompile(`^([a-z]+|[A-Z][a-z]+|[A-Z]+|[0-9]+|v[0-9]+)$`)
)

// The patterns every string of every server is checked against are matched by hand below:
// with regexp they were most of what looking for secrets cost (3 ms for 1,000 servers).
// Each names the expression it matches exactly; detect_test.go holds the expressions and
// checks the two agree.

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isAlnum(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' }

// runOf returns the end of the run of bytes from start on that ok accepts.
func runOf(s string, start int, ok func(byte) bool) int {
	i := start
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}

// isURL matches ^[A-Za-z][A-Za-z0-9+.\-]*:// (a scheme, then "://").
func isURL(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	i := runOf(s, 1, func(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' })
	return strings.HasPrefix(s[i:], "://")
}

// schemeEnd matches ^(?i:bearer|basic|token|bot)[ \t]+ and returns the end of the match,
// or -1: an auth scheme and the blanks after it.
func schemeEnd(s string) int {
	for _, w := range [...]string{"bearer", "basic", "token", "bot"} {
		n := foldedPrefix(s, w)
		if n < 0 {
			continue
		}
		if end := runOf(s, n, func(c byte) bool { return c == ' ' || c == '\t' }); end > n {
			return end
		}
		return -1 // the words do not start one another, so no other can match
	}
	return -1
}

// foldedPrefix returns the length in bytes of the prefix of s that equals the lower-case
// ASCII word w under Unicode simple case folding, as (?i) matches it, or -1. Besides the
// other case of a letter, that folding takes the Kelvin sign for k and the long s for s.
func foldedPrefix(s, w string) int {
	i := 0
	for j := 0; j < len(w); j++ {
		switch c := w[j]; {
		case i < len(s) && s[i]|0x20 == c:
			i++
		case c == 'k' && strings.HasPrefix(s[i:], "\u212a"):
			i += len("\u212a")
		case c == 's' && strings.HasPrefix(s[i:], "\u017f"):
			i += len("\u017f")
		default:
			return -1
		}
	}
	return i
}

// isVarOnly matches ^(\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$: a string that is
// nothing but a shell ($X) or Windows (%X%) variable.
func isVarOnly(s string) bool {
	if len(s) < 2 || s[0] != '$' && s[0] != '%' || !isIdentStart(s[1]) {
		return false
	}
	end := runOf(s, 2, isIdentChar)
	if s[0] == '$' {
		return end == len(s)
	}
	return end == len(s)-1 && s[end] == '%'
}

func isIdentStart(c byte) bool { return isLetter(c) || c == '_' }

func isIdentChar(c byte) bool { return isAlnum(c) || c == '_' }

// envArg matches ^([A-Za-z_][A-Za-z0-9_]*)= ("KEY=V", as in docker -e) and returns the
// length of the name, or -1; the value starts after the '='.
func envArg(s string) int {
	if s == "" || !isIdentStart(s[0]) {
		return -1
	}
	if end := runOf(s, 1, isIdentChar); end < len(s) && s[end] == '=' {
		return end
	}
	return -1
}

// headerArg matches ^([A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]):[ \t]* ("Header: V", as in
// mcp-remote --header) and returns the length of the name and where the value starts, or
// -1, -1.
func headerArg(s string) (nameEnd, valueStart int) {
	if s == "" || !isLetter(s[0]) {
		return -1, -1
	}
	end := runOf(s, 1, func(c byte) bool { return isAlnum(c) || c == '-' })
	if end < 2 || s[end-1] == '-' || end == len(s) || s[end] != ':' {
		return -1, -1
	}
	return end, runOf(s, end+1, func(c byte) bool { return c == ' ' || c == '\t' })
}

// isFlagName matches ^[A-Za-z][A-Za-z0-9_.\-]*$.
func isFlagName(s string) bool {
	return s != "" && isLetter(s[0]) && runOf(s, 1, func(c byte) bool { return isIdentChar(c) || c == '.' || c == '-' }) == len(s)
}

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
		isVarOnly(s)
}

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
func scanValue(v string, off int, f field, st strength) []span {
	val := v[off:]
	if val == "" {
		return nil
	}
	if isURL(val) {
		return scanURL(v, off, f)
	}
	start := off
	if end := schemeEnd(val); end >= 0 {
		start = off + end
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
	return []span{{start, len(v), f.String()}}
}

// scanURL finds the password in a URL's user info and secret query parameter values of the
// URL at v[off:]. Nothing is decoded, so the stored secret is the exact text that was there.
func scanURL(v string, off int, f field) []span {
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
			out = append(out, span{off + i + c + 1, off + i + at, f.String() + ".password"})
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
				out = append(out, span{vs, vs + len(val), f.String() + "." + namePart(k)})
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
	if !isFlagName(name) {
		return "", "", false, false
	}
	return name, value, true, hasValue
}

// scanArgs finds the secrets in a command line: "--api-key=V", "--token V", "KEY=V" (as in
// docker -e), "Header: V" (as in mcp-remote --header), URLs, and bare high-entropy tokens.
// It returns the spans of each argument, or nil when there are none.
func scanArgs(args []string) [][]span {
	var out [][]span
	put := func(i int, spans []span) {
		if len(spans) == 0 {
			return
		}
		if out == nil {
			out = make([][]span, len(args))
		}
		out[i] = spans
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if templated(a) {
			continue
		}
		if flag, value, isFlag, hasValue := splitFlag(a); isFlag {
			st := nameStrength(flag)
			f := keyed("args.", flag)
			switch {
			case hasValue && st == nameNone:
				put(i, scanArg(a, len(a)-len(value), f))
			case hasValue:
				put(i, scanValue(a, len(a)-len(value), f, st))
			case st != nameNone && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !templated(args[i+1]):
				put(i+1, scanValue(args[i+1], 0, f, st))
				i++
			}
			continue
		}
		f := field{prefix: "args.", index: i}
		if i > 0 {
			if flag, _, isFlag, hasValue := splitFlag(args[i-1]); isFlag && !hasValue {
				f = keyed("args.", flag)
			}
		}
		put(i, scanArg(a, 0, f))
	}
	return out
}

// scanArg looks at one positional argument (or a flag's value) from off on.
func scanArg(a string, off int, f field) []span {
	val := a[off:]
	if n := envArg(val); n >= 0 {
		name := val[:n]
		return scanValue(a, off+n+1, keyed("args.", name), nameStrength(name))
	}
	if n, v := headerArg(val); n >= 0 && !isURL(val) {
		name := val[:n]
		if st := headerStrength(name); st != nameNone {
			return scanValue(a, off+v, keyed("args.", name), st)
		}
	}
	if isURL(val) {
		return scanURL(a, off, fixed("args.url"))
	}
	return scanValue(a, off, f, nameNone)
}

// maxPart bounds one component of a derived name.
const maxPart = 64

// namePart turns s into a piece of a secret name: [A-Za-z0-9_.-] only. Anything changed
// (replaced characters, truncation) adds a short hash of the original, so two different
// originals never share a name.
func namePart(s string) string {
	if s != "" && len(s) <= maxPart && runOf(s, 0, func(c byte) bool { return isIdentChar(c) || c == '.' || c == '-' }) == len(s) {
		return s // the common case: nothing to change
	}
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
