package secrets

import (
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/engine"
	"aisync/backend/unified"
)

var _ engine.Secrets = (*ConfigSecrets)(nil)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// countingStore counts the calls that reach the store underneath.
type countingStore struct {
	*Memory
	mu                sync.Mutex
	gets, sets, lists int
}

func (c *countingStore) Get(k string) (string, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Memory.Get(k)
}

func (c *countingStore) Set(k, v string) error {
	c.mu.Lock()
	c.sets++
	c.mu.Unlock()
	return c.Memory.Set(k, v)
}

func (c *countingStore) List() ([]string, error) {
	c.mu.Lock()
	c.lists++
	c.mu.Unlock()
	return c.Memory.List()
}

func (c *countingStore) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets + c.sets + c.lists
}

// realistic is a config the way clients write them: API keys in env, bearer headers,
// keys in args and URLs, and plenty of values that are not secrets.
func realistic() unified.Config {
	return unified.Config{Servers: map[string]unified.Server{
		"github": {
			Transport: unified.TransportStdio, Command: "npx",
			Args: []string{"-y", "@modelcontextprotocol/server-github"},
			Env: map[string]string{
				"GITHUB_PERSONAL_ACCESS_TOKEN": fakeGitHub,
				"LOG_LEVEL":                    "info",
				"GITHUB_API_URL":               "https://api.github.com",
				"CACHE_DIR":                    "/home/me/.cache/gh",
				"NODE_VERSION":                 "v20.11.1",
			},
		},
		"linear": {
			Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
			Headers: map[string]string{"Authorization": "Bearer " + fakeLinear, "Accept": "application/json"},
		},
		"brave": {
			Command: "npx",
			Args:    []string{"-y", "@brave/brave-search-mcp-server", "--brave-api-key", fakeBrave, "--transport", "stdio"},
			Env:     map[string]string{"BRAVE_API_KEY": "${env:BRAVE_API_KEY}", "DEBUG": "true"},
		},
		"github-docker": {
			Command: "docker",
			Args:    []string{"run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN=" + fakeGitHub, "ghcr.io/github/github-mcp-server:v0.5.0"},
		},
		"remote": {
			Command: "npx",
			Args:    []string{"mcp-remote", "https://api.example.com/mcp?region=eu&api_key=" + fakeOpenAI, "--header", "X-Api-Key: " + fakeBrave},
		},
		"postgres": {
			Command: "npx",
			Args:    []string{"-y", "@modelcontextprotocol/server-postgres", "postgresql://app:s3cr3t-P4ss@db.internal:5432/app"},
		},
		"misc": {
			Command: "uvx", Args: []string{"mcp-server-misc"}, Cwd: "/srv/misc",
			Env: map[string]string{
				"OPENAI_API_KEY":  fakeOpenAI,
				"SESSION_SEED":    fakeRandom, // nothing in the name: found by entropy
				"AWS_SECRET_KEY":  fakeAWSSecret,
				"DB_PASSWORD":     "hunter2",
				"AUTH_TYPE":       "oauth",
				"PROJECT_ID":      "123e4567-e89b-12d3-a456-426614174000",
				"TOKEN_ENV_VAR":   "MY_TOKEN",
				"CLAUDE_TOKEN":    "${secret:claude}",
				"MIXED":           "prefix-${env:HOME}-" + fakeRandom,
				"ENDPOINT":        "https://example.com/api?format=json",
				"ENABLE_FEATURES": "search,fetch",
			},
			Headers: map[string]string{"Cookie": "session=abc123; theme=dark", "X-Trace": "on"},
		},
	}}
}

func TestExtractResolveRealistic(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	if err := kr.Set("claude", "pre-existing-claude-key"); err != nil {
		t.Fatal(err)
	}
	cs := NewConfigSecrets(kr, quietLog())
	orig := realistic()
	cfg := orig.Clone()
	if err := cs.Extract(&cfg); err != nil {
		t.Fatalf("Extract: %v", err)
	}

	ref := unified.SecretRef
	want := map[string]map[string]string{
		"github": {
			"env.GITHUB_PERSONAL_ACCESS_TOKEN": ref("github.env.GITHUB_PERSONAL_ACCESS_TOKEN"),
			"env.LOG_LEVEL":                    "info",
			"env.GITHUB_API_URL":               "https://api.github.com",
			"env.CACHE_DIR":                    "/home/me/.cache/gh",
			"env.NODE_VERSION":                 "v20.11.1",
		},
		"linear": {
			"headers.Authorization": "Bearer " + ref("linear.headers.Authorization"),
			"headers.Accept":        "application/json",
			"url":                   "https://mcp.linear.app/mcp",
		},
		"brave": {
			"args.3":            ref("brave.args.brave-api-key"),
			"env.BRAVE_API_KEY": "${env:BRAVE_API_KEY}",
			"env.DEBUG":         "true",
		},
		"github-docker": {
			// the same token as the github server: one secret, reused
			"args.4": "GITHUB_PERSONAL_ACCESS_TOKEN=" + ref("github.env.GITHUB_PERSONAL_ACCESS_TOKEN"),
			"args.5": "ghcr.io/github/github-mcp-server:v0.5.0",
		},
		"remote": {
			"args.1": "https://api.example.com/mcp?region=eu&api_key=" + ref("misc.env.OPENAI_API_KEY"),
			"args.3": "X-Api-Key: " + ref("brave.args.brave-api-key"),
		},
		"postgres": {
			"args.2": "postgresql://app:" + ref("postgres.args.url.password") + "@db.internal:5432/app",
		},
		"misc": {
			"env.OPENAI_API_KEY":  ref("misc.env.OPENAI_API_KEY"),
			"env.SESSION_SEED":    ref("misc.env.SESSION_SEED"),
			"env.AWS_SECRET_KEY":  ref("misc.env.AWS_SECRET_KEY"),
			"env.DB_PASSWORD":     ref("misc.env.DB_PASSWORD"),
			"env.AUTH_TYPE":       "oauth",
			"env.PROJECT_ID":      "123e4567-e89b-12d3-a456-426614174000",
			"env.TOKEN_ENV_VAR":   "MY_TOKEN",
			"env.CLAUDE_TOKEN":    "${secret:claude}",
			"env.MIXED":           "prefix-${env:HOME}-" + fakeRandom,
			"env.ENDPOINT":        "https://example.com/api?format=json",
			"env.ENABLE_FEATURES": "search,fetch",
			"headers.Cookie":      ref("misc.headers.Cookie"),
			"headers.X-Trace":     "on",
			"cwd":                 "/srv/misc",
		},
	}
	for server, fields := range want {
		s := cfg.Servers[server]
		got := fieldMap(s)
		for f, w := range fields {
			if got[f] != w {
				t.Errorf("%s %s = %q, want %q", server, f, got[f], w)
			}
		}
	}
	// The remote server's OpenAI key and X-Api-Key reused names from other servers, which
	// shows reuse works in any order of servers; nothing else is stored.
	names, _ := kr.List()
	wantNames := []string{
		"brave.args.brave-api-key", "claude", "github.env.GITHUB_PERSONAL_ACCESS_TOKEN",
		"linear.headers.Authorization", "misc.env.AWS_SECRET_KEY", "misc.env.DB_PASSWORD",
		"misc.env.OPENAI_API_KEY", "misc.env.SESSION_SEED", "misc.headers.Cookie", "postgres.args.url.password",
	}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("stored names:\n got %v\nwant %v", names, wantNames)
	}
	if v, _ := kr.Get("linear.headers.Authorization"); v != fakeLinear {
		t.Errorf("the Bearer token is stored as %q, want only the token", v)
	}
	// No literal secret remains anywhere in the extracted config.
	canon := string(cfg.Canonical())
	for _, secret := range []string{fakeGitHub, fakeLinear, fakeBrave, fakeOpenAI, fakeAWSSecret, "s3cr3t-P4ss", "hunter2"} {
		if strings.Contains(canon, secret) {
			t.Errorf("extracted config still holds %q", secret)
		}
	}

	res := cfg.Clone()
	if err := cs.Resolve(&res); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	// Resolve also resolves the reference that was there before.
	orig.Servers["misc"].Env["CLAUDE_TOKEN"] = "pre-existing-claude-key"
	if !res.Equal(orig) {
		t.Errorf("Resolve(Extract(x)) != x\n got %s\nwant %s", res.Canonical(), orig.Canonical())
	}
}

func fieldMap(s unified.Server) map[string]string {
	m := map[string]string{}
	for i, a := range s.Args {
		m["args."+itoa(i)] = a
	}
	for k, v := range s.Env {
		m["env."+k] = v
	}
	for k, v := range s.Headers {
		m["headers."+k] = v
	}
	m["url"], m["cwd"], m["command"] = s.URL, s.Cwd, s.Command
	return m
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestExtractStableAcrossClientsAndRuns(t *testing.T) {
	t.Parallel()
	kr := &countingStore{Memory: NewMemory()}
	server := func(tok string) unified.Config {
		return unified.Config{Servers: map[string]unified.Server{"github": {
			Command: "npx", Env: map[string]string{"GITHUB_TOKEN": tok},
		}}}
	}
	// Two clients hold the same server with the same key: one secret, one name.
	cs := NewConfigSecrets(kr, quietLog())
	a, b := server(fakeGitHub), server(fakeGitHub)
	if err := cs.Extract(&a); err != nil {
		t.Fatal(err)
	}
	if err := cs.Extract(&b); err != nil {
		t.Fatal(err)
	}
	wantRef := unified.SecretRef("github.env.GITHUB_TOKEN")
	if a.Servers["github"].Env["GITHUB_TOKEN"] != wantRef || !a.Equal(b) {
		t.Fatalf("clients got %v and %v, want %s in both", a.Servers["github"].Env, b.Servers["github"].Env, wantRef)
	}
	if kr.sets != 1 {
		t.Errorf("stored %d times, want once", kr.sets)
	}

	// Nothing changed: further passes cost no keyring call at all.
	before := kr.calls()
	for range 50 {
		c := server(fakeGitHub)
		if err := cs.Extract(&c); err != nil {
			t.Fatal(err)
		}
		if err := cs.Resolve(&c); err != nil {
			t.Fatal(err)
		}
	}
	if n := kr.calls() - before; n != 0 {
		t.Errorf("50 unchanged passes made %d keyring calls, want 0", n)
	}

	// A new process (empty cache) finds the same name for the same value.
	cs2 := NewConfigSecrets(kr, quietLog())
	c := server(fakeGitHub)
	if err := cs2.Extract(&c); err != nil {
		t.Fatal(err)
	}
	if c.Servers["github"].Env["GITHUB_TOKEN"] != wantRef {
		t.Errorf("after restart: %q, want %q", c.Servers["github"].Env["GITHUB_TOKEN"], wantRef)
	}
	if kr.sets != 1 {
		t.Errorf("restart stored again (%d sets)", kr.sets)
	}
}

func TestExtractRotation(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	cs := NewConfigSecrets(kr, quietLog())
	cfg := unified.Config{Servers: map[string]unified.Server{"openai": {Env: map[string]string{"OPENAI_API_KEY": fakeOpenAI}}}}
	if err := cs.Extract(&cfg); err != nil {
		t.Fatal(err)
	}
	// The user pastes a new key into one client.
	rotated := "sk-proj-TESTnew9Zq8Wx7Vc6Bn5Ml4Kj3Hg2Fd1"
	cfg2 := unified.Config{Servers: map[string]unified.Server{"openai": {Env: map[string]string{"OPENAI_API_KEY": rotated}}}}
	if err := cs.Extract(&cfg2); err != nil {
		t.Fatal(err)
	}
	if got, want := cfg2.Servers["openai"].Env["OPENAI_API_KEY"], unified.SecretRef("openai.env.OPENAI_API_KEY"); got != want {
		t.Fatalf("after rotation %q, want the same reference %q", got, want)
	}
	if v, _ := kr.Get("openai.env.OPENAI_API_KEY"); v != rotated {
		t.Errorf("stored %q, want the rotated key", v)
	}
	if names, _ := kr.List(); len(names) != 1 {
		t.Errorf("rotation left %v, want one name", names)
	}
	// Every client now gets the new key.
	res := cfg.Clone()
	if err := cs.Resolve(&res); err != nil {
		t.Fatal(err)
	}
	if got := res.Servers["openai"].Env["OPENAI_API_KEY"]; got != rotated {
		t.Errorf("resolved %q, want the rotated key", got)
	}
	// The old value is no longer a known secret that new configs would be pointed at.
	if _, ok := cs.Values()["openai.env.OPENAI_API_KEY"]; !ok || cs.byValue[fakeOpenAI] != "" {
		t.Errorf("cache still maps the old value: %v", cs.byValue)
	}
}

func TestExtractSameNameTwoValuesInOnePass(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	cs := NewConfigSecrets(kr, quietLog())
	orig := unified.Config{Servers: map[string]unified.Server{"proxy": {
		Args: []string{"--header", "Authorization: Bearer " + fakeLinear, "--header", "Authorization: Bearer " + fakeJWT},
	}}}
	cfg := orig.Clone()
	if err := cs.Extract(&cfg); err != nil {
		t.Fatal(err)
	}
	args := cfg.Servers["proxy"].Args
	if args[1] != "Authorization: Bearer "+unified.SecretRef("proxy.args.Authorization") ||
		args[3] != "Authorization: Bearer "+unified.SecretRef("proxy.args.Authorization-2") {
		t.Errorf("args = %q", args)
	}
	if err := cs.Resolve(&cfg); err != nil || !cfg.Equal(orig) {
		t.Errorf("round trip: %v %q", err, cfg.Servers["proxy"].Args)
	}
}

func TestResolveMissingSecret(t *testing.T) {
	t.Parallel()
	cs := NewConfigSecrets(NewMemory(), quietLog())
	cfg := unified.Config{Servers: map[string]unified.Server{"github": {
		Env: map[string]string{"GITHUB_TOKEN": "${secret:gone}", "HOME": "${env:HOME}"},
	}}}
	err := cs.Resolve(&cfg)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve = %v, want ErrNotFound", err)
	}
	for _, s := range []string{`"gone"`, `"github"`, "env.GITHUB_TOKEN", "aisync secrets set gone"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if got := cfg.Servers["github"].Env["HOME"]; got != "${env:HOME}" {
		t.Errorf("env reference changed to %q", got)
	}
}

// failingStore fails every write, like a locked or missing keyring.
type failingStore struct{ *Memory }

func (failingStore) Set(string, string) error { return errors.New("keyring is locked") }

func TestExtractStoreFailureKeepsLiteralAndErrors(t *testing.T) {
	t.Parallel()
	cs := NewConfigSecrets(failingStore{NewMemory()}, quietLog())
	cfg := unified.Config{Servers: map[string]unified.Server{"github": {Env: map[string]string{"GITHUB_TOKEN": fakeGitHub}}}}
	err := cs.Extract(&cfg)
	if err == nil || !strings.Contains(err.Error(), "keyring is locked") || !strings.Contains(err.Error(), `"github"`) {
		t.Fatalf("Extract = %v, want the store's error naming the server", err)
	}
	if got := cfg.Servers["github"].Env["GITHUB_TOKEN"]; got != fakeGitHub {
		t.Errorf("value = %q, want the literal left in place", got)
	}
}

func TestCacheRefreshesAfterMaxAge(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	cs := NewConfigSecrets(kr, quietLog())
	now := time.Unix(1_700_000_000, 0)
	cs.now = func() time.Time { return now }
	_ = kr.Set("shared", "first-value-1234")
	cfg := unified.Config{Servers: map[string]unified.Server{"x": {Env: map[string]string{"T": "${secret:shared}"}}}}
	c := cfg.Clone()
	if err := cs.Resolve(&c); err != nil || c.Servers["x"].Env["T"] != "first-value-1234" {
		t.Fatalf("Resolve = %v, %q", err, c.Servers["x"].Env["T"])
	}
	_ = cs.Values()                           // full load
	_ = kr.Set("shared", "second-value-5678") // `aisync secrets set` in another process
	c = cfg.Clone()
	_ = cs.Resolve(&c)
	if got := c.Servers["x"].Env["T"]; got != "first-value-1234" {
		t.Fatalf("within max age: %q, want the cached value", got)
	}
	now = now.Add(cacheMaxAge)
	c = cfg.Clone()
	_ = cs.Resolve(&c)
	if got := c.Servers["x"].Env["T"]; got != "second-value-5678" {
		t.Errorf("after max age: %q, want the new value", got)
	}
	_ = kr.Set("shared", "third-value-9012")
	if err := cs.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := cs.Values()["shared"]; got != "third-value-9012" {
		t.Errorf("after Reload: %q", got)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	_ = kr.Set("github", fakeGitHub)
	_ = kr.Set("quote", `pa"ss\word<1>`)
	_ = kr.Set("short", "abc")
	_ = kr.Set("prefix", "ghp_TESTxK9") // a prefix of another value
	cs := NewConfigSecrets(kr, quietLog())
	in := `token=` + fakeGitHub + ` json={"pw":"pa\"ss\\word\u003c1\u003e"} raw=pa"ss\word<1> short=abc p=ghp_TESTxK9!`
	got := string(cs.Redact([]byte(in)))
	want := `token=•••• json={"pw":"••••"} raw=•••• short=abc p=••••!`
	if got != want {
		t.Errorf("Redact:\n got %s\nwant %s", got, want)
	}
	if out := cs.Redact([]byte("nothing secret here")); string(out) != "nothing secret here" {
		t.Errorf("Redact changed clean text: %s", out)
	}
	// A secret stored by Extract is redacted right away.
	cfg := unified.Config{Servers: map[string]unified.Server{"o": {Env: map[string]string{"OPENAI_API_KEY": fakeOpenAI}}}}
	_ = cs.Extract(&cfg)
	if got := string(cs.Redact([]byte("key " + fakeOpenAI))); got != "key ••••" {
		t.Errorf("Redact after Extract: %s", got)
	}
	if v := cs.Values(); v["o.env.OPENAI_API_KEY"] != fakeOpenAI || v["github"] != fakeGitHub {
		t.Errorf("Values = %v", v)
	}
}

func TestConcurrentExtractResolve(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	_ = kr.Set("claude", "pre-existing-claude-key")
	cs := NewConfigSecrets(kr, quietLog())
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				orig := realistic()
				cfg := orig.Clone()
				orig.Servers["misc"].Env["CLAUDE_TOKEN"] = "pre-existing-claude-key"
				if err := cs.Extract(&cfg); err != nil {
					t.Error(err)
					return
				}
				_ = cs.Redact([]byte("x" + fakeGitHub))
				if err := cs.Resolve(&cfg); err != nil || !cfg.Equal(orig) {
					t.Errorf("goroutine %d: round trip failed: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
