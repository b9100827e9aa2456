package secrets

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"aisync/backend/unified"
)

// copyConfig deep-copies the server strings without a JSON round trip (which would alter
// invalid UTF-8 and so hide bugs).
func copyConfig(c unified.Config) unified.Config {
	out := unified.Config{Servers: map[string]unified.Server{}}
	for n, s := range c.Servers {
		s.Args = slices.Clone(s.Args)
		s.Env = maps.Clone(s.Env)
		s.Headers = maps.Clone(s.Headers)
		out.Servers[n] = s
	}
	return out
}

// FuzzExtractResolve checks, for any server strings, that Resolve(Extract(x)) == x, that
// Extract always produces valid names that are stored, and that a second Extract changes
// nothing.
func FuzzExtractResolve(f *testing.F) {
	f.Add("github", "GITHUB_TOKEN", fakeGitHub, "Authorization", "Bearer "+fakeLinear, "--api-key="+fakeBrave, fakeRandom, "https://x.example/mcp?api_key="+fakeOpenAI)
	f.Add("pg", "DATABASE_URL", "postgres://u:p%40ss@h/db", "Cookie", "a=b; c=d", "--token", fakeJWT, "https://u:pw@host")
	f.Add("1 weird.name", "", "${env:HOME}", "X-Api-Key", "Basic "+fakeAWSSecret, "-e", "PASSWORD=hunter2", "")
	f.Add("s", "LOG_LEVEL", "info", "Accept", "text/plain", "--header", "Authorization: token abc"+fakeRandom, "sse://h?x=&=y&&k=v#frag?api_key=z")
	f.Add("__", "AUTH", "Bearer ", "x-token", "\xff\xfe"+fakeRandom, "--password=", "KEY=", "://?")
	f.Fuzz(func(t *testing.T, server, envKey, envVal, hdrKey, hdrVal, arg1, arg2, url string) {
		for _, s := range []string{server, envKey, envVal, hdrKey, hdrVal, arg1, arg2, url} {
			if strings.Contains(s, "${secret:") {
				t.Skip("a pre-existing secret reference needs a stored secret to resolve")
			}
		}
		srv := unified.Server{
			Command: "cmd", Args: []string{arg1, arg2, arg1 + "=" + arg2},
			Env: map[string]string{envKey: envVal, "API_KEY": envVal}, Headers: map[string]string{hdrKey: hdrVal, "Authorization": hdrVal},
			URL: url,
		}
		orig := unified.Config{Servers: map[string]unified.Server{server: srv, server + "2": srv}}
		kr := NewMemory()
		cs := NewConfigSecrets(kr, quietLog())

		cfg := copyConfig(orig)
		if err := cs.Extract(&cfg); err != nil {
			t.Fatalf("Extract: %v", err)
		}
		for _, s := range cfg.Servers {
			s.Strings(func(field, v string) string {
				for _, r := range unified.Refs(v) {
					if r.Kind == "secret" {
						if err := ValidName(r.Name); err != nil {
							t.Errorf("%s: %v", field, err)
						} else if _, err := kr.Get(r.Name); err != nil {
							t.Errorf("%s refers to %q, which is not stored: %v", field, r.Name, err)
						}
					}
				}
				return v
			})
		}

		again := copyConfig(cfg)
		if err := cs.Extract(&again); err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("second Extract changed the config (%v):\n got %#v\nwant %#v", err, again, cfg)
		}

		if err := cs.Resolve(&cfg); err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if !reflect.DeepEqual(cfg, orig) {
			t.Fatalf("Resolve(Extract(x)) != x\n got %#v\nwant %#v", cfg, orig)
		}
	})
}
