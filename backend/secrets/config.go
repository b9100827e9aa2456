package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"aisync/backend/par"
	"aisync/backend/unified"
)

// redacted replaces a secret value in logs, diffs and exports.
const redacted = "••••"

// minRedactLen is the shortest value Redact hides; shorter ones would blank out common
// substrings everywhere.
const minRedactLen = 4

// cacheMaxAge bounds how long a value read from the keyring is trusted before it is read
// again, so a change made with `aisync secrets set` in another process is picked up.
const cacheMaxAge = 5 * time.Minute

// ConfigSecrets moves secret values between client configs and the secret store: Extract
// replaces them with ${secret:NAME} references after a client file is decoded, Resolve puts
// them back before one is encoded. It keeps name→value and value→name in memory, so a sync
// pass where nothing changed costs no keyring call. It is safe for concurrent use.
type ConfigSecrets struct {
	kr     Store
	log    *slog.Logger
	now    func() time.Time
	maxAge time.Duration

	mu       sync.Mutex
	byName   map[string]string
	byValue  map[string]string
	complete bool              // byName holds every stored name (the store could list them)
	loadedAt time.Time         // last full load; zero before the first
	replacer *strings.Replacer // for Redact; nil when it must be rebuilt
}

// NewConfigSecrets makes the engine's secret handler over kr. Nothing is read until the
// first call.
func NewConfigSecrets(kr Store, log *slog.Logger) *ConfigSecrets {
	if log == nil {
		log = slog.Default()
	}
	return &ConfigSecrets{kr: kr, log: log, now: time.Now, maxAge: cacheMaxAge}
}

// Reload forgets the cache and reads every stored secret again (after a change made
// elsewhere, such as the secrets API or CLI).
func (c *ConfigSecrets) Reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName, c.byValue, c.complete = nil, nil, false
	return c.load()
}

// ensureLoaded fills the cache on first use and after cacheMaxAge. A store that cannot list
// (or fails to) leaves a partial cache that single lookups fill in; that is logged, not
// fatal, because Extract and Resolve still work name by name.
func (c *ConfigSecrets) ensureLoaded() {
	if !c.loadedAt.IsZero() && c.now().Sub(c.loadedAt) < c.maxAge {
		return
	}
	if err := c.load(); err != nil {
		c.log.Warn("read stored secrets", "err", err)
	}
}

func (c *ConfigSecrets) load() error {
	c.byName, c.byValue, c.complete, c.replacer = map[string]string{}, map[string]string{}, false, nil
	c.loadedAt = c.now()
	l, ok := c.kr.(lister)
	if !ok {
		return nil
	}
	names, err := l.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		v, err := c.kr.Get(n)
		if errors.Is(err, ErrNotFound) {
			continue // listed but gone: deleted by another tool
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.remember(n, v)
	}
	c.complete = len(errs) == 0
	return errors.Join(errs...)
}

// remember records name=value in both directions. When several names hold one value, the
// first in sort order is the one Extract reuses, so the choice is stable.
func (c *ConfigSecrets) remember(name, value string) {
	if old, ok := c.byName[name]; ok && old != value {
		c.forgetValue(name, old)
	}
	c.byName[name] = value
	if cur, ok := c.byValue[value]; !ok || name < cur {
		c.byValue[value] = name
	}
	c.replacer = nil
}

// forgetValue drops value→name after name stopped holding value, pointing value at another
// name that still holds it, if any.
func (c *ConfigSecrets) forgetValue(name, value string) {
	if c.byValue[value] != name {
		return
	}
	delete(c.byValue, value)
	for _, n := range slices.Sorted(maps.Keys(c.byName)) {
		if n != name && c.byName[n] == value {
			c.byValue[value] = n
			return
		}
	}
}

// Extract replaces every secret literal in cfg's servers with a ${secret:NAME} reference
// and stores the value under NAME. Names are stable: server, field and key, such as
// "github.env.GITHUB_TOKEN"; a value already stored under some name reuses that name; a
// new value for an existing name (a rotated key) replaces the stored one. A value that
// cannot be stored stays a literal and the error is returned, so the caller can refuse to
// record it.
func (c *ConfigSecrets) Extract(cfg *unified.Config) error {
	if cfg == nil {
		return nil
	}
	return c.extractFound(cfg, scanConfig(*cfg))
}

// Scan does the part of Extract that takes time, finding the secrets in cfg's servers,
// without the store or the cache, so that the engine can scan the endpoints of a pass
// concurrently. The function it returns does the rest, exactly as Extract would, for the
// config Scan was given, unchanged since: it names what was found, stores it and puts the
// references in. Names are given in the order those functions run.
func (c *ConfigSecrets) Scan(cfg unified.Config) (extract func(*unified.Config) error) {
	f := scanConfig(cfg)
	return func(cfg *unified.Config) error { return c.extractFound(cfg, f) }
}

// found is where the secrets of one server are: the spans of each of its strings that holds
// any.
type found struct {
	args    [][]span // by index, as scanArgs gives them
	env     map[string][]span
	url     []span
	headers map[string][]span
}

// scanConfig finds the secrets of cfg's servers, by server name; a server without any is
// left out. A first pass scans every server of the file it starts from (a thousand servers:
// about 2 ms) before anything can be merged; many servers are scanned on two goroutines
// (par.Halves).
func scanConfig(cfg unified.Config) map[string]*found {
	names := slices.Collect(maps.Keys(cfg.Servers))
	res := make([]*found, len(names))
	par.Halves(len(names), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			res[i] = scanServer(cfg.Servers[names[i]])
		}
	})
	var out map[string]*found
	for i, f := range res {
		if f != nil {
			if out == nil {
				out = map[string]*found{}
			}
			out[names[i]] = f
		}
	}
	return out
}

// scanServer finds the secrets of one server; nil when it has none.
func scanServer(s unified.Server) *found {
	f := found{args: scanArgs(s.Args), env: scanMap(s.Env, "env.", nameStrength), headers: scanMap(s.Headers, "headers.", headerStrength)}
	if !templated(s.URL) && isURL(s.URL) {
		f.url = scanURL(s.URL, 0, fixed("url"))
	}
	if f.args == nil && f.env == nil && len(f.url) == 0 && f.headers == nil {
		return nil
	}
	return &f
}

// scanMap finds the secrets among the values of env or headers, whose keys' strength says
// how sure a name makes us; a secret's field is prefix and its key.
func scanMap(m map[string]string, prefix string, strength func(string) strength) map[string][]span {
	var out map[string][]span
	for k, v := range m {
		if templated(v) {
			continue
		}
		if spans := scanValue(v, 0, keyed(prefix, k), strength(k)); len(spans) > 0 {
			if out == nil {
				out = map[string][]span{}
			}
			out[k] = spans
		}
	}
	return out
}

// extractFound names and stores what scanConfig found in cfg, server by server in name
// order, and in each its arguments, env, URL and headers, keys in order: the order names are
// given in, so that it never depends on how a map was walked.
func (c *ConfigSecrets) extractFound(cfg *unified.Config, f map[string]*found) error {
	if len(cfg.Servers) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ensureLoaded()
	p := pass{c: c, used: map[string]string{}}
	for _, name := range slices.Sorted(maps.Keys(f)) {
		s, ok := cfg.Servers[name]
		if !ok {
			continue
		}
		fs := f[name]
		p.server = name
		p.prefix = serverPart(name)
		for i, spans := range fs.args {
			if len(spans) > 0 {
				s.Args[i] = p.rewrite(s.Args[i], spans)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(fs.env)) {
			s.Env[k] = p.rewrite(s.Env[k], fs.env[k])
		}
		if len(fs.url) > 0 {
			s.URL = p.rewrite(s.URL, fs.url)
		}
		for _, k := range slices.Sorted(maps.Keys(fs.headers)) {
			s.Headers[k] = p.rewrite(s.Headers[k], fs.headers[k])
		}
		cfg.Servers[name] = s
	}
	return errors.Join(p.errs...)
}

// pass is the state of one Extract call.
type pass struct {
	c      *ConfigSecrets
	server string
	prefix string
	used   map[string]string // names given out in this call → their values
	errs   []error
}

// rewrite replaces the spans of v (sorted, not overlapping) with references.
func (p *pass) rewrite(v string, spans []span) string {
	if len(spans) == 0 {
		return v
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		name, err := p.c.nameFor(p.prefix+"."+sp.field, v[sp.start:sp.end], p.used, p.server, sp.field)
		if err != nil {
			p.errs = append(p.errs, fmt.Errorf("store secret of server %q (%s): %w", p.server, sp.field, err))
			continue
		}
		b.WriteString(v[last:sp.start])
		b.WriteString(unified.SecretRef(name))
		last = sp.end
	}
	b.WriteString(v[last:])
	return b.String()
}

// nameFor returns the name value is stored under, storing it when it is new or changed.
func (c *ConfigSecrets) nameFor(derived, value string, used map[string]string, server, field string) (string, error) {
	if n, ok := c.byValue[value]; ok {
		used[n] = value
		return n, nil
	}
	// Two fields of one config that derive the same name (two --header Authorization
	// arguments, say) must not overwrite each other within the pass.
	name := derived
	for i := 2; ; i++ {
		if u, ok := used[name]; !ok || u == value {
			break
		}
		name = fmt.Sprintf("%s-%d", derived, i)
	}
	old, known := c.byName[name]
	if !known && !c.complete {
		v, err := c.kr.Get(name)
		switch {
		case err == nil:
			old, known = v, true
		case !errors.Is(err, ErrNotFound):
			return "", err
		}
	}
	if !known || old != value {
		if err := c.kr.Set(name, value); err != nil {
			return "", err
		}
		if known {
			c.log.Info("secret changed in a client config; the stored value is replaced", "secret", name, "server", server, "field", field)
		} else {
			c.log.Info("secret moved from a client config to the secret store", "secret", name, "server", server, "field", field)
		}
	}
	c.remember(name, value)
	used[name] = value
	return name, nil
}

// Resolve replaces every ${secret:NAME} in cfg's servers with the stored value. A secret
// that is not stored is an error naming it and the server; cfg must not be written then.
func (c *ConfigSecrets) Resolve(cfg *unified.Config) error {
	if cfg == nil || len(cfg.Servers) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loadedAt.IsZero() && c.now().Sub(c.loadedAt) >= c.maxAge {
		c.ensureLoaded() // values may have changed elsewhere; names not cached are read on demand
	}
	var errs []error
	for _, name := range cfg.ServerNames() {
		s := cfg.Servers[name]
		s.Strings(func(field, v string) string {
			if !strings.Contains(v, "${secret:") {
				return v
			}
			return unified.ReplaceRefs(v, func(r unified.Ref) (string, bool) {
				if r.Kind != "secret" {
					return "", false
				}
				val, err := c.lookup(r.Name)
				if errors.Is(err, ErrNotFound) {
					errs = append(errs, fmt.Errorf("secret %q used by server %q (%s) is not stored: run 'aisync secrets set %s': %w", r.Name, name, field, r.Name, ErrNotFound))
					return "", false
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("read secret %q used by server %q (%s): %w", r.Name, name, field, err))
					return "", false
				}
				return val, true
			})
		})
		cfg.Servers[name] = s
	}
	return errors.Join(errs...)
}

// lookup returns a secret from the cache or, on a miss, from the store.
func (c *ConfigSecrets) lookup(name string) (string, error) {
	if v, ok := c.byName[name]; ok {
		return v, nil
	}
	if c.byName == nil {
		c.byName, c.byValue = map[string]string{}, map[string]string{}
	}
	v, err := c.kr.Get(name)
	if err != nil {
		return "", err
	}
	c.remember(name, v)
	return v, nil
}

// Redact replaces every known secret value in data (also in its JSON-escaped form) with
// "••••". Values shorter than 4 bytes are left alone.
func (c *ConfigSecrets) Redact(data []byte) []byte {
	c.mu.Lock()
	c.ensureLoaded()
	r := c.replacer
	if r == nil {
		r = c.buildReplacer()
		c.replacer = r
	}
	c.mu.Unlock()
	if r == nil {
		return data
	}
	return []byte(r.Replace(string(data)))
}

func (c *ConfigSecrets) buildReplacer() *strings.Replacer {
	seen := map[string]bool{}
	var forms []string
	for v := range c.byValue {
		if len(v) < minRedactLen {
			continue
		}
		for _, f := range []string{v, jsonEscaped(v, true), jsonEscaped(v, false)} {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return nil
	}
	// Longest first, so a value that contains another is hidden whole.
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return strings.NewReplacer(pairs...)
}

// jsonEscaped is v as it appears inside a JSON string.
func jsonEscaped(v string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(v)
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1]
}

// Values returns every known secret by name. It is for in-process use (redaction by other
// components, tests) and must never be served over the API.
func (c *ConfigSecrets) Values() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ensureLoaded()
	return maps.Clone(c.byName)
}
