// Package clienttest is the conformance suite every client adapter runs: round trip,
// idempotence, byte-identical no-op on real files, preservation of what the user wrote
// (unknown keys, comments, CRLF, BOM), empty and missing files, and clear syntax errors.
package clienttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// Fixture is a realistic existing file for one endpoint.
type Fixture struct {
	// Match selects the endpoint by a suffix of its path (e.g. ".cursor/mcp.json").
	Match string
	// Files are the existing files (paths relative to the endpoint: "" for a single-file
	// endpoint, a base name for a rule directory).
	Files map[string]string
	// Keep are substrings the user wrote that must survive any encode (comments, unknown keys).
	Keep []string
	// Invalid is content that does not parse, for the syntax-error check ("" = skip).
	Invalid string
}

// Options describe the adapter under test.
type Options struct {
	// Sample is a config the client can hold without loss in every endpoint section it has:
	// decode(encode(Sample)) must equal Sample (restricted to the endpoint's sections).
	Sample unified.Config
	// Fixtures are realistic files, one per endpoint worth checking.
	Fixtures []Fixture
	// Scopes to test; default: the user scope and one project.
	Scopes []clients.Scope
}

// Env returns a Linux environment rooted at a temporary home.
func Env(t testing.TB) clients.Env {
	home := t.TempDir()
	return clients.Env{GOOS: "linux", Home: home, XDGConfigHome: filepath.Join(home, ".config"), Vars: map[string]string{}}
}

// Run runs the whole suite against a.
func Run(t *testing.T, a clients.Adapter, o Options) {
	t.Helper()
	env := Env(t)
	scopes := o.Scopes
	if scopes == nil {
		scopes = []clients.Scope{clients.UserScope, clients.ProjectScope(filepath.Join(env.Home, "work", "proj"))}
	}
	t.Run("identity", func(t *testing.T) {
		if a.ID() == "" || a.Name() == "" {
			t.Fatal("adapter needs an id and a name")
		}
		if got, ok := clients.Get(a.ID()); !ok || got.ID() != a.ID() {
			t.Fatalf("adapter %q is not registered", a.ID())
		}
		if len(a.DetectPaths(env)) == 0 {
			t.Fatal("no detect paths")
		}
	})
	t.Run("paths-per-os", func(t *testing.T) {
		for _, goos := range []string{"linux", "darwin", "windows"} {
			e := clients.Env{GOOS: goos, Home: "/home/u", XDGConfigHome: "", AppData: `C:\Users\u\AppData\Roaming`, LocalAppData: `C:\Users\u\AppData\Local`}
			if goos == "windows" {
				e.Home = `C:\Users\u`
			}
			if goos == "darwin" {
				e.Home = "/Users/u"
			}
			seen := map[string]bool{}
			for _, ep := range a.Endpoints(e, clients.UserScope) {
				if ep.Client != a.ID() {
					t.Errorf("%s: endpoint client = %q", goos, ep.Client)
				}
				if goos == "windows" && !strings.HasPrefix(ep.Path, `C:\`) {
					t.Errorf("windows path not absolute: %s", ep.Path)
				}
				if goos != "windows" && !strings.HasPrefix(ep.Path, "/") {
					t.Errorf("%s path not absolute: %s", goos, ep.Path)
				}
				if goos != "windows" && strings.Contains(ep.Path, `\`) {
					t.Errorf("%s path has a backslash: %s", goos, ep.Path)
				}
				if seen[ep.ID()] {
					t.Errorf("%s: duplicate endpoint %s", goos, ep.ID())
				}
				seen[ep.ID()] = true
				if len(ep.Sections) == 0 {
					t.Errorf("%s: endpoint %s holds no section", goos, ep.Path)
				}
			}
		}
	})
	for _, sc := range scopes {
		for _, ep := range a.Endpoints(env, sc) {
			ep := ep
			t.Run(sc.Kind.String()+"/"+filepath.Base(ep.Path), func(t *testing.T) {
				runEndpoint(t, a, ep, o)
			})
		}
	}
}

func fixtureFor(ep clients.Endpoint, o Options) *Fixture {
	for i := range o.Fixtures {
		if strings.HasSuffix(filepath.ToSlash(ep.Path), o.Fixtures[i].Match) {
			return &o.Fixtures[i]
		}
	}
	return nil
}

func filesOf(ep clients.Endpoint, fx map[string]string) clients.Files {
	f := clients.Files{}
	for rel, content := range fx {
		p := ep.Path
		if rel != "" {
			p = filepath.Join(ep.Path, rel)
		}
		f[p] = []byte(content)
	}
	return f
}

// apply overlays Encode's output on the existing files, as the engine would write them.
func apply(in, out clients.Files) clients.Files { return clients.Apply(in, out) }

func expected(ep clients.Endpoint, c unified.Config) unified.Config {
	x := c.Only(ep.Sections...)
	x.Normalize()
	return x
}

func decode(t *testing.T, a clients.Adapter, ep clients.Endpoint, f clients.Files) unified.Config {
	t.Helper()
	c, _, err := a.Decode(ep, f)
	if err != nil {
		t.Fatalf("decode %s: %v", ep.Path, err)
	}
	c = c.Only(ep.Sections...)
	c.Normalize()
	return c
}

func encode(t *testing.T, a clients.Adapter, ep clients.Endpoint, f clients.Files, c unified.Config) clients.Files {
	t.Helper()
	out, _, err := a.Encode(ep, f, c.Only(ep.Sections...))
	if err != nil {
		t.Fatalf("encode %s: %v", ep.Path, err)
	}
	return apply(f, out)
}

func runEndpoint(t *testing.T, a clients.Adapter, ep clients.Endpoint, o Options) {
	want := expected(ep, o.Sample)

	t.Run("missing-file", func(t *testing.T) {
		got := decode(t, a, ep, clients.Files{})
		if !got.Equal(unified.Config{}) {
			t.Fatalf("missing file decoded to %s", got.Canonical())
		}
		out, _, err := a.Encode(ep, clients.Files{}, unified.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range out {
			if b != nil {
				t.Fatalf("encoding nothing into a missing file created %s", p)
			}
		}
	})
	t.Run("empty-file", func(t *testing.T) {
		if ep.Format == clients.FormatRuleDir {
			t.Skip("rule directory")
		}
		f := clients.Files{ep.Path: {}}
		if got := decode(t, a, ep, f); !got.Equal(unified.Config{}) {
			t.Fatalf("empty file decoded to %s", got.Canonical())
		}
		files := encode(t, a, ep, f, o.Sample)
		if got := decode(t, a, ep, files); !got.Equal(want) {
			t.Fatalf("round trip from an empty file:\n got %s\nwant %s", got.Canonical(), want.Canonical())
		}
	})
	t.Run("round-trip-and-idempotence", func(t *testing.T) {
		files := encode(t, a, ep, clients.Files{}, o.Sample)
		got := decode(t, a, ep, files)
		if !got.Equal(want) {
			t.Fatalf("round trip:\n got %s\nwant %s", got.Canonical(), want.Canonical())
		}
		out, _, err := a.Encode(ep, files, got)
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range out {
			if !bytes.Equal(b, files[p]) {
				t.Fatalf("encoding the same config again changed %s:\n%s\n---\n%s", p, files[p], b)
			}
		}
		// Removing everything again leaves nothing of ours behind.
		cleared := encode(t, a, ep, files, unified.Config{})
		if got := decode(t, a, ep, cleared); !got.Equal(unified.Config{}) {
			t.Fatalf("after clearing: %s", got.Canonical())
		}
	})
	t.Run("encode-only-reads-the-config", func(t *testing.T) {
		// The engine encodes every endpoint of a scope at once from one shared config, so
		// Encode must not change it, not even by writing the same values back (concurrent
		// map writes crash the process). Two concurrent encodes let the race detector see
		// any write; the comparison catches changes without it.
		cfg := o.Sample.Only(ep.Sections...).Normalized()
		before := cfg.Clone()
		var existing clients.Files
		if fx := fixtureFor(ep, o); fx != nil {
			existing = filesOf(ep, fx.Files)
		}
		var wg sync.WaitGroup
		for _, f := range []clients.Files{existing, {}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, _ = a.Encode(ep, f, cfg)
			}()
		}
		wg.Wait()
		if !reflect.DeepEqual(cfg, before) {
			t.Fatalf("Encode changed the config it was given:\n got %#v\nwant %#v", cfg, before)
		}
	})
	if rb, ok := a.(clients.ReadBackEncoder); ok {
		t.Run("read-back-encode-matches-encode-then-decode", func(t *testing.T) {
			readBackMatches(t, a, rb, ep, o)
		})
	}
	fx := fixtureFor(ep, o)
	if fx == nil {
		return
	}
	orig := filesOf(ep, fx.Files)
	t.Run("fixture-noop-is-byte-identical", func(t *testing.T) {
		cur := decode(t, a, ep, orig)
		out, _, err := a.Encode(ep, orig, cur)
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range out {
			if !bytes.Equal(b, orig[p]) {
				t.Fatalf("no-op encode changed %s:\n--- before\n%s\n--- after\n%s", p, orig[p], b)
			}
		}
	})
	t.Run("fixture-preserves-user-content", func(t *testing.T) {
		files := encode(t, a, ep, orig, o.Sample)
		all := joined(files)
		for _, k := range fx.Keep {
			if !strings.Contains(all, k) {
				t.Errorf("lost %q after encoding:\n%s", k, all)
			}
		}
		if got := decode(t, a, ep, files); !got.Equal(want) {
			t.Fatalf("round trip through fixture:\n got %s\nwant %s", got.Canonical(), want.Canonical())
		}
		cleared := encode(t, a, ep, files, unified.Config{})
		all = joined(cleared)
		for _, k := range fx.Keep {
			if !strings.Contains(all, k) {
				t.Errorf("lost %q after removing every item:\n%s", k, all)
			}
		}
	})
	t.Run("crlf-and-bom-survive", func(t *testing.T) {
		crlf := crlfBOM(orig)
		files := encode(t, a, ep, crlf, o.Sample)
		for p, b := range files {
			if _, existed := crlf[p]; !existed {
				continue
			}
			if !bytes.HasPrefix(b, []byte("\ufeff")) {
				t.Errorf("%s lost its BOM", p)
			}
			if bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) {
				t.Errorf("%s has lone LF line endings after editing a CRLF file:\n%q", p, b)
			}
		}
		if got := decode(t, a, ep, files); !got.Equal(want) {
			t.Fatalf("round trip through CRLF+BOM:\n got %s\nwant %s", got.Canonical(), want.Canonical())
		}
	})
	if fx.Invalid != "" {
		t.Run("invalid-file-gives-line-and-column", func(t *testing.T) {
			f := clients.Files{}
			p := ep.Path
			if ep.Format == clients.FormatRuleDir {
				p = filepath.Join(ep.Path, "broken"+strings.TrimPrefix(ep.Pattern, "*"))
			}
			f[p] = []byte(fx.Invalid)
			_, _, err := a.Decode(ep, f)
			var se *clients.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v (%T), want *clients.SyntaxError", err, err)
			}
			if se.Line <= 0 || se.Path == "" || se.Msg == "" {
				t.Fatalf("syntax error lacks path/line/message: %+v", se)
			}
			if _, _, err := a.Encode(ep, f, o.Sample.Only(ep.Sections...)); err == nil {
				t.Fatal("encoding into a file that does not parse succeeded; it must refuse")
			}
		})
	}
}

// crlfBOM is files with CRLF line endings and a byte order mark.
func crlfBOM(files clients.Files) clients.Files {
	out := clients.Files{}
	for p, b := range files {
		s := strings.ReplaceAll(string(b), "\r\n", "\n")
		out[p] = []byte("\ufeff" + strings.ReplaceAll(s, "\n", "\r\n"))
	}
	return out
}

// readBackMatches checks EncodeReadBack against Encode and Decode: the same files and
// warnings as Encode, and a read-back that is what Decode gives for the written files, for
// a missing, an empty and a fixture file (also with CRLF and a BOM), and for configs that
// add, keep and remove everything.
func readBackMatches(t *testing.T, a clients.Adapter, rb clients.ReadBackEncoder, ep clients.Endpoint, o Options) {
	sample := o.Sample.Only(ep.Sections...).Normalized()
	inputs := []clients.Files{{}}
	if ep.Format != clients.FormatRuleDir {
		inputs = append(inputs, clients.Files{ep.Path: {}})
	}
	configs := []unified.Config{sample, {}}
	if ep.Has(unified.SectionServers) {
		plain := unified.Config{Servers: PlainServers()}
		// Servers that look plain and are not: the same servers with what no client reads
		// back from another's file (fields of another client, kept in Extras), and strings
		// that a client's variable syntax may rewrite or that are not UTF-8. Written without
		// a warning, some read back otherwise than they were written.
		other := unified.Config{Servers: map[string]unified.Server{
			"dollar":         {Transport: unified.TransportStdio, Command: "sh", Args: []string{"-c", "echo $HOME"}, Env: map[string]string{"P": "$PATH:/opt/bin"}},
			"braces":         {Transport: unified.TransportStdio, Command: "node", Args: []string{"${HOME}/s.js", "{json}"}, Env: map[string]string{"T": "${env:TOKEN}"}},
			"not-utf8":       {Transport: unified.TransportStdio, Command: "node", Args: []string{"caf\xe9"}, Env: map[string]string{"B": "\xff\xfe"}},
			"disabled-plain": {Transport: unified.TransportStdio, Command: "node", Disabled: true},
			"with-cwd":       {Transport: unified.TransportStdio, Command: "node", Cwd: "/srv"},
		}}
		for name, s := range plain.Servers {
			s.Extras = map[string]map[string]json.RawMessage{"another-client": {"note": json.RawMessage(`"kept for another client"`)}}
			other.Servers["elsewhere-"+strings.Map(func(r rune) rune {
				if r < 'a' || r > 'z' {
					return '-'
				}
				return r
			}, name)] = s
		}
		configs = append(configs, plain.Normalized(), mergeServers(sample, plain), mergeServers(plain, other))
	}
	if fx := fixtureFor(ep, o); fx != nil {
		orig := filesOf(ep, fx.Files)
		inputs = append(inputs, orig, crlfBOM(orig))
		configs = append(configs, decode(t, a, ep, orig))
	}
	inputs = append(inputs, encode(t, a, ep, clients.Files{}, o.Sample))
	checked := 0
	for i, files := range inputs {
		for j, cfg := range configs {
			out, warns, back, err := rb.EncodeReadBack(ep, files, cfg)
			wantOut, wantWarns, wantErr := a.Encode(ep, files, cfg)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("input %d, config %d: EncodeReadBack error %v, Encode error %v", i, j, err, wantErr)
			}
			if err != nil {
				continue
			}
			if !reflect.DeepEqual(out, wantOut) {
				t.Fatalf("input %d, config %d: EncodeReadBack wrote\n%s\nEncode writes\n%s", i, j, joined(out), joined(wantOut))
			}
			if !reflect.DeepEqual(warns, wantWarns) {
				t.Fatalf("input %d, config %d: EncodeReadBack warned %v, Encode warns %v", i, j, warns, wantWarns)
			}
			want, _, err := a.Decode(ep, apply(files, out))
			if err != nil {
				t.Fatalf("input %d, config %d: decode the written files: %v", i, j, err)
			}
			if got, want := back.Select(ep.Sections...).Canonical(), want.Select(ep.Sections...).Canonical(); !bytes.Equal(got, want) {
				t.Fatalf("input %d, config %d: read-back\n got %s\nDecode gives %s", i, j, got, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no case checked")
	}
}

// PlainServers are stdio servers of a command, arguments and environment only, whose
// strings are the ones a writer most easily gets wrong: quotes, backslashes, Windows paths,
// non-ASCII text, control characters, TOML and JSON punctuation, empty strings. They are the
// servers an adapter may take as their own read-back instead of decoding the entries it has
// just written (clients.ReadsBackAsIs), which readBackMatches holds to Decode.
func PlainServers() map[string]unified.Server {
	return map[string]unified.Server{
		"plain": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/tmp"}},
		"windows-path": {Transport: unified.TransportStdio, Command: `C:\Program Files\nodejs\node.exe`,
			Args: []string{`C:\Users\me\mcp\index.js`, `\\server\share`, ""}, Env: map[string]string{"APPDATA": `C:\Users\me\AppData\Roaming`}},
		"quotes_and_punctuation": {Transport: unified.TransportStdio, Command: "python3",
			Args: []string{`-c`, `print("hello", 'world')`, "a = b", "[section]", "# not a comment", "// nor this", "key: value"},
			Env:  map[string]string{"QUOTED": `"double" and 'single'`, "lower_case": "x", "WITH-DASH": "y", "1DIGIT": "z"}},
		"unicode-strings": {Transport: unified.TransportStdio, Command: "/opt/ツール/bin/run",
			Args: []string{"émoji 🚀", "tab\there", "line\nbreak", "nul\x00byte", "\u2028separator"},
			Env:  map[string]string{"GREETING": "héllo wörld", "EMPTY": "", "CONTROL": "\x01\x1f\x7f"}},
		"no-args": {Transport: unified.TransportStdio, Command: "uvx"},
		// Names some clients refuse (Codex takes letters, digits, '-' and '_' only).
		"name with spaces.and.dots": {Transport: unified.TransportStdio, Command: "node", Args: []string{"server.js"}},
		"ünïcode 名前":                {Transport: unified.TransportStdio, Command: "node", Args: []string{"サーバー.js"}},
	}
}

// mergeServers is a with the servers of b added.
func mergeServers(a, b unified.Config) unified.Config {
	out := a.Clone()
	if out.Servers == nil {
		out.Servers = map[string]unified.Server{}
	}
	for name, s := range b.Servers {
		out.Servers[name] = s
	}
	return out.Normalized()
}

func joined(f clients.Files) string {
	var b strings.Builder
	for _, p := range f.Sorted() {
		b.Write(f[p])
		b.WriteByte('\n')
	}
	return b.String()
}
