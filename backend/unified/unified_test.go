package unified

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

func richConfig() Config {
	return Config{
		Servers: map[string]Server{
			"gh": {Transport: TransportStdio, Command: "npx", Args: []string{"-y", "gh"}, Env: map[string]string{"TOKEN": "${secret:GH}"},
				Tools: Tools{Allow: []string{"a"}, Deny: []string{"b"}}, StartupTimeoutMs: 5000,
				Extras: map[string]map[string]json.RawMessage{"codex": {"x": json.RawMessage(`{"k":[1,2]}`)}, "zed": nil}},
			"web":   {Transport: TransportHTTP, URL: "https://example.test/mcp", Headers: map[string]string{"A": "b"}, Args: []string{}},
			"plain": {},
		},
		Rules:       map[string]Rule{"style": {Name: "style", Activation: ActivationGlob, Globs: []string{"*.go"}, Body: "be brief"}},
		Permissions: Permissions{Allow: []string{"shell:git"}, Deny: []string{"read:.env"}},
	}
}

// TestCloneIsADeepCopyLikeAJSONRoundTrip checks that Clone gives what the JSON round trip it
// replaced gave, and that changing the copy leaves the original alone.
func TestCloneIsADeepCopyLikeAJSONRoundTrip(t *testing.T) {
	orig := richConfig()
	var viaJSON Config
	b, _ := json.Marshal(orig)
	if err := json.Unmarshal(b, &viaJSON); err != nil {
		t.Fatal(err)
	}
	got := orig.Clone()
	if !reflect.DeepEqual(got, viaJSON) {
		t.Fatalf("Clone = %+v\nJSON round trip = %+v", got, viaJSON)
	}
	s := got.Servers["gh"]
	s.Args[0], s.Env["TOKEN"], s.Tools.Allow[0] = "changed", "changed", "changed"
	s.Extras["codex"]["x"][2] = 'X'
	got.Rules["style"].Globs[0] = "changed"
	got.Permissions.Allow[0] = "changed"
	if !reflect.DeepEqual(orig, richConfig()) {
		t.Fatalf("changing the clone changed the original: %+v", orig)
	}
}

func TestOnlyKeepsTheGivenSections(t *testing.T) {
	c := richConfig()
	only := c.Only(SectionServers, SectionPermissions)
	if len(only.Rules) != 0 || len(only.Servers) != 3 || len(only.Permissions.Allow) != 1 {
		t.Fatalf("Only(servers, permissions) = %+v", only)
	}
	only.Servers["gh"].Args[0] = "changed"
	if c.Servers["gh"].Args[0] != "-y" {
		t.Fatal("Only shares memory with the config it was taken from")
	}
	if r := c.Only(SectionRules); len(r.Servers) != 0 || len(r.Rules) != 1 || !r.Permissions.IsZero() {
		t.Fatalf("Only(rules) = %+v", r)
	}
}

// TestCanonicalIsTheNormalizedEncoding checks that Canonical, which skips the copy for a
// config already in normal form, encodes every config as its normalized copy does.
func TestCanonicalIsTheNormalizedEncoding(t *testing.T) {
	messy := richConfig()
	messy.Servers["plain"] = Server{Command: "x", Tools: Tools{Allow: []string{"b", "a", "b"}}}
	messy.Servers["extras"] = Server{Transport: TransportStdio, Command: "y", Extras: map[string]map[string]json.RawMessage{"zed": {}}}
	messy.Rules["other"] = Rule{Body: "no name, no activation"}
	messy.Permissions.Ask = []string{"z", "a"}
	clean := messy.Clone()
	clean.Normalize()
	for name, c := range map[string]Config{"messy": messy, "normalized": clean, "empty": {}} {
		n := c.Clone()
		n.Normalize()
		want, _ := json.Marshal(n)
		if got := c.Canonical(); string(got) != string(want) {
			t.Errorf("%s: Canonical = %s\nwant %s", name, got, want)
		}
	}
	if !clean.normalForm() || messy.normalForm() {
		t.Errorf("normalForm: normalized %v (want true), messy %v (want false)", clean.normalForm(), messy.normalForm())
	}
	if before := messy.Servers["plain"].Transport; before != "" {
		t.Fatal("test setup: plain should have no transport")
	}
	messy.Canonical()
	if messy.Servers["plain"].Transport != "" || len(messy.Servers["plain"].Tools.Allow) != 3 {
		t.Fatal("Canonical changed the config it was called on")
	}
}

// Normalized leaves the server it is given as it was, even where Normalize deletes (an
// empty client entry in Extras), and gives what Normalize gives.
func TestServerNormalizedLeavesTheOriginal(t *testing.T) {
	t.Parallel()
	mk := func() Server {
		return Server{URL: "https://example.test", Args: []string{}, Env: map[string]string{},
			Extras: map[string]map[string]json.RawMessage{"cursor": {}, "zed": {"k": json.RawMessage(`1`)}},
			Tools:  Tools{Allow: []string{"b", "a", "b"}}}
	}
	s := mk()
	got := s.Normalized()
	want := mk()
	want.Normalize()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Normalized() = %+v, want %+v", got, want)
	}
	if !reflect.DeepEqual(s, mk()) {
		t.Fatalf("Normalized changed the server: %+v", s)
	}
}

// TestPlainStdioLooksAtEveryField sets each field of a plain server in turn: only the
// command, arguments and environment may vary, so that a field added to Server later is not
// taken for one every client writes and reads back unchanged until PlainStdio says so.
func TestPlainStdioLooksAtEveryField(t *testing.T) {
	plain := Server{Transport: TransportStdio, Command: "node", Args: []string{"s.js"}, Env: map[string]string{"K": "v"}}
	if !plain.PlainStdio() {
		t.Fatal("a stdio server of a command, arguments and environment is not plain")
	}
	if !(Server{Command: "node"}).PlainStdio() {
		t.Error("a server with a command and no transport (stdio once normalized) is not plain")
	}
	if (Server{Transport: TransportStdio}).PlainStdio() {
		t.Error("a stdio server without a command is plain")
	}
	varies := map[string]bool{"Command": true, "Args": true, "Env": true}
	checked := 0
	var walk func(typ reflect.Type, index []int, name string)
	walk = func(typ reflect.Type, index []int, name string) {
		for i := range typ.NumField() {
			sf := typ.Field(i)
			idx, fname := append(slices.Clone(index), i), name+sf.Name
			if varies[fname] {
				continue
			}
			if sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, idx, fname+".")
				continue
			}
			s := plain
			field := reflect.ValueOf(&s).Elem().FieldByIndex(idx)
			switch field.Kind() {
			case reflect.String:
				field.SetString("x")
			case reflect.Bool:
				field.SetBool(true)
			case reflect.Int64:
				field.SetInt(1)
			case reflect.Slice:
				field.Set(reflect.Append(reflect.MakeSlice(field.Type(), 0, 1), reflect.Zero(field.Type().Elem())))
			case reflect.Map:
				m := reflect.MakeMap(field.Type())
				m.SetMapIndex(reflect.Zero(field.Type().Key()), reflect.Zero(field.Type().Elem()))
				field.Set(m)
			default:
				t.Fatalf("field %s has kind %s, which this test does not set", fname, field.Kind())
			}
			checked++
			if s.PlainStdio() {
				t.Errorf("a stdio server with %s set is plain", fname)
			}
		}
	}
	walk(reflect.TypeOf(plain), nil, "")
	if checked < 10 {
		t.Fatalf("checked %d fields", checked)
	}
}
