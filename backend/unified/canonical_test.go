package unified

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// canonicalAlphabet mixes what json.Marshal copies with everything it escapes or rewrites:
// quotes, backslashes, control characters, HTML characters, non-ASCII text, U+2028 and
// invalid UTF-8.
var canonicalAlphabet = []string{"a", "Z", "0", " ", "-", "_", "/", ":", "$", "{", "}", "\"", "\\", "\n", "\t", "\x00", "\x1f", "\x7f",
	"<", ">", "&", "é", "日本", "\u2028", "\u2029", "\xff", "\xe2\x80", "🙂"}

func randomText(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return []string{"", "npx", "node", "stdio", "http://localhost:8080/mcp", "${env:TOKEN}", "${secret:github.env.GITHUB_TOKEN}"}[r.IntN(7)]
	}
	var b bytes.Buffer
	for range r.IntN(8) {
		b.WriteString(canonicalAlphabet[r.IntN(len(canonicalAlphabet))])
	}
	return b.String()
}

func randomList(r *rand.Rand) []string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, r.IntN(4)+1)
	for i := range out {
		out[i] = randomText(r)
	}
	return out
}

func randomMap(r *rand.Rand) map[string]string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return map[string]string{}
	}
	out := map[string]string{}
	for range r.IntN(4) + 1 {
		out[randomText(r)] = randomText(r)
	}
	return out
}

var rawExtras = []json.RawMessage{json.RawMessage(`true`), json.RawMessage(`{ "a" : [1, 2.50, "x<y"] }`), json.RawMessage(`"\u00e9&"`),
	json.RawMessage("null"), nil, json.RawMessage(`{"nested":{"k":"v"}}`), json.RawMessage(` 12 `)}

func randomConfig(r *rand.Rand) Config {
	var c Config
	if r.IntN(5) > 0 {
		c.Servers = map[string]Server{}
		for range r.IntN(5) {
			s := Server{Transport: Transport(randomText(r)), Command: randomText(r), Args: randomList(r), Env: randomMap(r),
				Cwd: randomText(r), URL: randomText(r), Headers: randomMap(r), Disabled: r.IntN(2) == 0,
				Tools: Tools{Allow: randomList(r), Deny: randomList(r)}}
			if r.IntN(2) == 0 {
				s.StartupTimeoutMs = r.Int64N(1e12) - 1e6
			}
			if r.IntN(2) == 0 {
				s.ToolTimeoutMs = r.Int64N(1e6)
			}
			switch r.IntN(4) {
			case 0:
				s.Extras = map[string]map[string]json.RawMessage{}
			case 1:
				s.Extras = map[string]map[string]json.RawMessage{randomText(r): nil, "zed": {"x": rawExtras[r.IntN(len(rawExtras))], randomText(r): rawExtras[r.IntN(len(rawExtras))]}}
			}
			c.Servers[randomText(r)] = s
		}
	}
	if r.IntN(3) > 0 {
		c.Rules = map[string]Rule{}
		for range r.IntN(4) {
			c.Rules[randomText(r)] = Rule{Name: randomText(r), Description: randomText(r), Activation: Activation(randomText(r)), Globs: randomList(r), Body: randomText(r)}
		}
	}
	c.Permissions = Permissions{Allow: randomList(r), Ask: randomList(r), Deny: randomList(r)}
	return c
}

// TestCanonicalMatchesEncodingJSON: the hand-written encoder gives json.Marshal's bytes
// exactly, for random configs full of characters encoding/json escapes, empty but non-nil
// collections, zero values and raw extras.
func TestCanonicalMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []Config{{}, {Servers: map[string]Server{}}, {Permissions: Permissions{Allow: []string{}}},
		{Servers: map[string]Server{"a": {}}}, {Rules: map[string]Rule{"": {}}}}
	for range 3000 {
		cases = append(cases, randomConfig(r))
	}
	for i, c := range cases {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := appendConfig(nil, c); !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
		if got, want := c.Canonical(), mustMarshal(t, c.Normalized()); !bytes.Equal(got, want) {
			t.Fatalf("case %d: Canonical\n got %s\nwant %s", i, got, want)
		}
		for name, s := range c.Servers {
			if got, want := s.AppendJSON(nil), mustMarshal(t, s); !bytes.Equal(got, want) {
				t.Fatalf("case %d: server %q\n got %s\nwant %s", i, name, got, want)
			}
		}
		for name, r := range c.Rules {
			if got, want := r.AppendJSON([]byte("x")), append([]byte("x"), mustMarshal(t, r)...); !bytes.Equal(got, want) {
				t.Fatalf("case %d: rule %q\n got %s\nwant %s", i, name, got, want)
			}
		}
	}
}

// The canonical form of any selection of a config's sections, put together from its parts,
// is the selection's own canonical form: for random configs (empty sections included) and
// every subset of sections.
func TestCanonicalPartsMatchSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []Config{{}, {Servers: map[string]Server{}}, {Permissions: Permissions{Allow: []string{}}}}
	for range 2000 {
		cases = append(cases, randomConfig(r))
	}
	for i, c := range cases {
		for mask := range 8 {
			var sections []Section
			var parts [][]byte
			for bit, s := range AllSections {
				if mask&(1<<bit) != 0 {
					sections = append(sections, s)
					parts = append(parts, c.CanonicalPart(s))
				}
			}
			want := c.Select(sections...).Canonical()
			if got := JoinCanonical(parts...); !bytes.Equal(got, want) {
				t.Fatalf("case %d, sections %v:\n got %s\nwant %s", i, sections, got, want)
			}
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzCanonicalString(f *testing.F) {
	for _, s := range canonicalAlphabet {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		c := Config{Servers: map[string]Server{a: {Transport: Transport(b), Command: a, Args: []string{b, a}, Env: map[string]string{a: b}}},
			Rules: map[string]Rule{b: {Name: a, Body: b, Globs: []string{a}}}}
		if got, want := appendConfig(nil, c), mustMarshal(t, c); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

// TestSortedJSONMatchesAMapRoundTrip: SortedJSON is the canonical JSON decoded into
// map[string]any and encoded again, for random configs without extras, huge timeouts or
// invalid UTF-8 (which the round trip turns into U+FFFD).
func TestSortedJSONMatchesAMapRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	checked := 0
	for i := range 8000 {
		c := randomConfig(r)
		for name, s := range c.Servers {
			s.Extras = nil
			c.Servers[name] = s
		}
		canon := c.Canonical()
		if bytes.Contains(canon, []byte(`\ufffd`)) {
			continue
		}
		checked++
		var m map[string]any
		if err := json.Unmarshal(canon, &m); err != nil {
			t.Fatal(err)
		}
		want := mustMarshal(t, m)
		if got := c.SortedJSON(); !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if checked < 800 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// SameCanonical never calls two configs the same when their canonical JSON differs, and
// does call a config the same as its copy and as what it decodes back from its canonical
// form (the engine's case: a file read back as the config just written).
func TestSameCanonical(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	agreed := 0
	for i := range 3000 {
		a := randomConfig(r).Normalized()
		var b Config
		switch i % 4 {
		case 0:
			b = a.Clone()
		case 1:
			// From a config that has been through JSON once (invalid UTF-8 becomes U+FFFD,
			// raw extras compact), as the engine's are.
			a = roundTrip(t, a)
			b = roundTrip(t, a)
		case 2:
			b = a.Clone()
			mutate(r, &b)
		default:
			b = randomConfig(r)
		}
		same := a.SameCanonical(b)
		equal := bytes.Equal(a.Canonical(), b.Canonical())
		if same && !equal {
			t.Fatalf("case %d: SameCanonical says the same, but\n%s\n%s", i, a.Canonical(), b.Canonical())
		}
		if same != b.SameCanonical(a) {
			t.Fatalf("case %d: SameCanonical is not symmetric", i)
		}
		if i%4 < 2 && !same && !hasNilExtra(a) {
			t.Fatalf("case %d: a config and its %s are not the same:\n%s", i, []string{"copy", "round trip"}[i%4], a.Canonical())
		}
		if same {
			agreed++
		}
	}
	t.Logf("%d of 3000 pairs the same", agreed)
}

func roundTrip(t *testing.T, c Config) Config {
	t.Helper()
	var out Config
	if err := json.Unmarshal(c.Canonical(), &out); err != nil {
		t.Fatal(err)
	}
	out.Normalize()
	return out
}

// mutate changes one field of one item, if c has any.
func mutate(r *rand.Rand, c *Config) {
	switch r.IntN(4) {
	case 0:
		c.Permissions.Deny = append(c.Permissions.Deny, "~")
		return
	case 1:
		for name, rule := range c.Rules {
			switch r.IntN(3) {
			case 0:
				rule.Globs = append(rule.Globs, "*.go")
			case 1:
				rule.Description += "."
			default:
				rule.Activation = "manual" + rule.Activation
			}
			c.Rules[name] = rule
			return
		}
	}
	for name, s := range c.Servers {
		switch r.IntN(6) {
		case 0:
			s.Args = append(s.Args, "x")
		case 1:
			s.Env = map[string]string{"K": randomText(r)}
		case 2:
			s.Disabled = !s.Disabled
		case 3:
			s.ToolTimeoutMs++
		case 4:
			s.Extras = map[string]map[string]json.RawMessage{"zed": {"x": json.RawMessage(`1`)}}
		default:
			s.URL += "/"
		}
		c.Servers[name] = s
		return
	}
	for name, rule := range c.Rules {
		rule.Body += "."
		c.Rules[name] = rule
		return
	}
	c.Permissions.Deny = append(c.Permissions.Deny, "~")
}

// hasNilExtra reports whether c has a nil raw extra, which SameCanonical never calls the
// same as anything (it would encode as null).
func hasNilExtra(c Config) bool {
	for _, s := range c.Servers {
		for _, fields := range s.Extras {
			for _, v := range fields {
				if v == nil {
					return true
				}
			}
		}
	}
	return false
}
