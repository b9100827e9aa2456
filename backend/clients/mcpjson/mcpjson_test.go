package mcpjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/clients/envref"
	"aisync/backend/unified"
)

// Dialects shaped like real clients, so the codec is tested on the variations it exists for.
var (
	claudeLike = Dialect{
		Client: "cc", Name: "CC", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace,
		TypeFields: []string{"type"},
		Types:      map[unified.Transport]string{"stdio": "stdio", "http": "http", "sse": "sse"},
		TypeRule:   TypeRemote, TypeOnNew: true, URLDefault: "http", URLFields: []string{"url"}, Headers: true,
		Timeout: Timeout{Field: "timeout", UnitMs: 1},
	}
	cursorLike = Dialect{
		Client: "cur", Name: "Cur", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
		TypeFields: []string{"type"},
		Types:      map[unified.Transport]string{"stdio": "", "http": "", "sse": ""},
		ReadTypes:  map[string]unified.Transport{"stdio": "stdio", "http": "http", "sse": "sse"},
		URLDefault: "http", URLFields: []string{"url"}, Headers: true,
	}
	clineLike = Dialect{
		Client: "cl", Name: "Cl", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
		TypeFields: []string{"type", "transportType"},
		Types:      map[unified.Transport]string{"stdio": "stdio", "http": "streamableHttp", "sse": "sse"},
		ReadTypes:  map[string]unified.Transport{"http": "http"},
		TypeRule:   TypeRemote, URLDefault: "sse", URLFields: []string{"url"}, Nested: "transport", Cwd: true, Headers: true,
		Disabled: DisabledFlag, DisabledKey: "disabled",
		Timeout:    Timeout{Field: "timeout", UnitMs: 1000, Min: 1, Max: 3600},
		AllowField: "autoApprove",
	}
	windsurfLike = Dialect{
		Client: "ws", Name: "WS", Root: []string{"mcpServers"}, Syntax: envref.EnvColon,
		Types:      map[unified.Transport]string{"stdio": "", "http": "", "sse": ""},
		URLDefault: "http", URLFields: []string{"serverUrl", "url"}, Headers: true,
		Disabled: DisabledFlag, DisabledKey: "disabled", DenyField: "disabledTools",
	}
	copilotLike = Dialect{
		Client: "cp", Name: "Cp", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace,
		TypeFields: []string{"type"},
		Types:      map[unified.Transport]string{"stdio": "local", "http": "http", "sse": "sse"},
		ReadTypes:  map[string]unified.Transport{"stdio": "stdio"},
		TypeRule:   TypeAlways, TypeOnNew: true, URLDefault: "http", URLFields: []string{"url"},
		Cwd: true, Headers: true, ArgsRequired: true, AllowField: "tools", AllowAll: "*",
	}
	desktopLike = Dialect{
		Client: "cd", Name: "CD", Root: []string{"mcpServers"}, Syntax: envref.None,
		Types: map[unified.Transport]string{"stdio": ""},
	}
	zedLike = Dialect{
		Client: "z", Name: "Z", Root: []string{"context_servers"}, Syntax: envref.None,
		Types:      map[unified.Transport]string{"stdio": "", "http": ""},
		URLDefault: "http", URLFields: []string{"url"}, Headers: true,
		Disabled: EnabledFlag, DisabledKey: "enabled",
		Timeout: Timeout{Field: "timeout", UnitMs: 1000},
	}
)

// opencodeLike and geminiLike are the shapes other adapters reuse the codec for.
var (
	opencodeLike = Dialect{
		Client: "oc", Name: "OC", Root: []string{"mcp"}, Syntax: envref.BraceEnv,
		TypeFields: []string{"type"},
		Types:      map[unified.Transport]string{"stdio": "local", "http": "remote", "sse": "remote"},
		TypeRule:   TypeAlways, TypeOnNew: true, URLDefault: "http", URLFields: []string{"url"}, Headers: true,
		EnvField: "environment", CommandArgv: true,
		Disabled: EnabledFlag, DisabledKey: "enabled", Timeout: Timeout{Field: "timeout", UnitMs: 1},
	}
	geminiLike = Dialect{
		Client: "gm", Name: "GM", Root: []string{"mcpServers"}, Syntax: envref.DollarBrace, BareVars: true,
		TypeFields: []string{"type"},
		Types:      map[unified.Transport]string{"stdio": "", "http": "http", "sse": "sse"},
		URLDefault: "sse", URLDefaults: map[string]unified.Transport{"httpUrl": "http"}, URLFields: []string{"httpUrl", "url"},
		Cwd: true, Headers: true, Disabled: DisabledListed, DisabledList: []string{"mcp", "excluded"},
		Timeout: Timeout{Field: "timeout", UnitMs: 1}, AllowField: "includeTools", DenyField: "excludeTools",
	}
)

func TestOtherShapes(t *testing.T) {
	t.Parallel()
	in := `{"mcp":{"db":{"type":"local","command":["npx","-y","@acme/db"],"environment":{"P":"{env:P}"},"enabled":false},` +
		`"gh":{"type":"remote","url":"https://x","oauth":false}}}`
	got := mustDecode(t, opencodeLike, in)
	want := unified.Server{Transport: "stdio", Command: "npx", Args: []string{"-y", "@acme/db"}, Env: map[string]string{"P": "${env:P}"}, Disabled: true}
	want.Normalize()
	if canon(got["db"]) != canon(want) || got["gh"].Transport != "http" || string(got["gh"].Extras["oc"]["oauth"]) != "false" {
		t.Fatalf("opencode: %s", canon(got))
	}
	db := got["db"]
	db.Args = append(db.Args, "--ro")
	got["db"] = db
	got["new"] = unified.Server{Transport: "stdio", Command: "uvx", Args: []string{"fetch"}, Env: map[string]string{"K": "${env:K}"}}
	out, _ := encode(t, opencodeLike, in, got)
	wantOut := `{"mcp":{"db":{"type":"local","command":["npx","-y","@acme/db","--ro"],"environment":{"P":"{env:P}"},"enabled":false},` +
		`"gh":{"type":"remote","url":"https://x","oauth":false},"new":{"type":"local","command":["uvx","fetch"],"environment":{"K":"{env:K}"}}}}`
	if squash(out) != wantOut {
		t.Errorf("opencode encode:\n got %s\nwant %s", squash(out), wantOut)
	}

	in = `{"mcpServers":{"a":{"httpUrl":"https://x","headers":{"A":"$TOKEN"},"trust":true},"b":{"url":"https://y"},"c":{"command":"x","cwd":"./tools"}},"mcp":{"excluded":["a"]}}`
	got = mustDecode(t, geminiLike, in)
	if got["a"].Transport != "http" || got["a"].Headers["A"] != "${env:TOKEN}" || !got["a"].Disabled || got["b"].Transport != "sse" || got["c"].Cwd != "./tools" {
		t.Fatalf("gemini: %s", canon(got))
	}
	if out, _ := encode(t, geminiLike, in, got); out != in {
		t.Errorf("gemini no-op: %s", out)
	}
	b := got["b"]
	b.Transport = "http"
	got["b"] = b
	out, _ = encode(t, geminiLike, in, got)
	if !strings.Contains(out, `"b":{"url":"https://y","type":"http"}`) {
		t.Errorf("gemini type for url: %s", out)
	}
}

func decode(t *testing.T, d Dialect, in string) (map[string]unified.Server, []clients.Warning) {
	t.Helper()
	s, w, err := d.DecodeFile("f.json", []byte(in), clients.FormatJSON)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	for k, v := range s {
		v.Normalize()
		s[k] = v
	}
	return s, w
}

func encode(t *testing.T, d Dialect, in string, servers map[string]unified.Server) (string, []clients.Warning) {
	t.Helper()
	var data []byte
	if in != "\x00" {
		data = []byte(in)
	}
	out, w, err := d.EncodeFile("f.json", data, clients.FormatJSON, servers)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return string(out), w
}

func canon(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func codes(ws []clients.Warning) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Item+"="+w.Code)
	}
	return strings.Join(out, " ")
}

func TestDecodeEntries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		d     Dialect
		in    string
		want  map[string]unified.Server
		warns string
	}{
		{"stdio inferred", cursorLike, `{"mcpServers":{"a":{"command":"npx","args":["-y","x"],"env":{"T":"${env:T}"}}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "npx", Args: []string{"-y", "x"}, Env: map[string]string{"T": "${env:T}"}}}, ""},
		{"url default http", cursorLike, `{"mcpServers":{"a":{"url":"https://x"}}}`,
			map[string]unified.Server{"a": {Transport: "http", URL: "https://x"}}, ""},
		{"explicit sse kept", cursorLike, `{"mcpServers":{"a":{"type":"sse","url":"https://x"}}}`,
			map[string]unified.Server{"a": {Transport: "sse", URL: "https://x"}}, ""},
		{"cline untyped url is sse", clineLike, `{"mcpServers":{"a":{"url":"https://x"}}}`,
			map[string]unified.Server{"a": {Transport: "sse", URL: "https://x"}}, ""},
		{"cline legacy transportType http", clineLike, `{"mcpServers":{"a":{"transportType":"http","url":"https://x"}}}`,
			map[string]unified.Server{"a": {Transport: "http", URL: "https://x"}}, ""},
		{"cline type wins over transportType", clineLike, `{"mcpServers":{"a":{"type":"sse","transportType":"http","url":"https://x"}}}`,
			map[string]unified.Server{"a": {Transport: "sse", URL: "https://x"}}, ""},
		{"cline nested", clineLike, `{"mcpServers":{"a":{"transport":{"type":"stdio","command":"x","cwd":"/w"},"disabled":true,"timeout":30,"oauth":{"k":1}}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Cwd: "/w", Disabled: true, ToolTimeoutMs: 30000,
				Extras: map[string]map[string]json.RawMessage{"cl": {"oauth": json.RawMessage(`{"k":1}`)}}}}, ""},
		{"windsurf serverUrl", windsurfLike, `{"mcpServers":{"a":{"serverUrl":"https://x","disabledTools":["rm"]}}}`,
			map[string]unified.Server{"a": {Transport: "http", URL: "https://x", Tools: unified.Tools{Deny: []string{"rm"}}}}, ""},
		{"dollar brace refs", claudeLike, `{"mcpServers":{"a":{"command":"x","args":["${HOME}/y","${D:-z}"],"env":{"K":"${K}"}}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Args: []string{"${env:HOME}/y", "${D:-z}"}, Env: map[string]string{"K": "${env:K}"}}}, ""},
		{"numbers and booleans in env and args are text", cursorLike, `{"mcpServers":{"a":{"command":"x","args":["--port",8080],"env":{"DEBUG":true,"N":1.50}}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Args: []string{"--port", "8080"}, Env: map[string]string{"DEBUG": "true", "N": "1.50"}}}, ""},
		{"copilot all tools", copilotLike, `{"mcpServers":{"a":{"type":"local","command":"x","args":[],"tools":["*"]}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x"}}, ""},
		{"copilot no tool is kept as an extra", copilotLike, `{"mcpServers":{"a":{"type":"stdio","command":"x","tools":[]}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Extras: map[string]map[string]json.RawMessage{"cp": {"tools": json.RawMessage(`[]`)}}}}, ""},
		{"zed enabled false", zedLike, `{"context_servers":{"a":{"command":"x","enabled":false,"timeout":60}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Disabled: true, ToolTimeoutMs: 60000}}, ""},
		{"desktop url entry is unreadable", desktopLike, `{"mcpServers":{"a":{"url":"https://x"},"b":{"command":"y"}}}`,
			map[string]unified.Server{"b": {Transport: "stdio", Command: "y"}}, "server:a=unsupported-entry"},
		{"unknown type", claudeLike, `{"mcpServers":{"a":{"type":"ws","url":"wss://x"}}}`,
			map[string]unified.Server{}, "server:a=unsupported-entry"},
		{"not an object", claudeLike, `{"mcpServers":{"a":"npx x","b":null,"c":[]}}`,
			map[string]unified.Server{}, "server:a=unsupported-entry server:b=unsupported-entry server:c=unsupported-entry"},
		{"badly typed member kept as extra", claudeLike, `{"mcpServers":{"a":{"command":"x","args":"-y x","timeout":"soon"}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "x",
				Extras: map[string]map[string]json.RawMessage{"cc": {"args": json.RawMessage(`"-y x"`), "timeout": json.RawMessage(`"soon"`)}}}}, ""},
		{"null root", claudeLike, `{"mcpServers":null}`, map[string]unified.Server{}, ""},
		{"duplicate names", claudeLike, `{"mcpServers":{"a":{"command":"x"},"a":{"command":"y"}}}`,
			map[string]unified.Server{"a": {Transport: "stdio", Command: "y"}}, "server:a=invalid-name"},
		{"unicode and windows paths", claudeLike, `{"mcpServers":{"검색 🔍":{"command":"C:\\Users\\me\\mcp\\server.exe","args":["--이름","🚀"]}}}`,
			map[string]unified.Server{"검색 🔍": {Transport: "stdio", Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--이름", "🚀"}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, warns := decode(t, tc.d, tc.in)
			for k, v := range tc.want {
				v.Normalize()
				tc.want[k] = v
			}
			if canon(got) != canon(tc.want) {
				t.Errorf("got  %s\nwant %s", canon(got), canon(tc.want))
			}
			if codes(warns) != tc.warns {
				t.Errorf("warnings %q, want %q", codes(warns), tc.warns)
			}
		})
	}
}

func TestDecodeRejectsShapesItCannotEdit(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"mcpServers":[]}`, `{"mcpServers":"x"}`, `[1,2]`} {
		if _, _, err := claudeLike.DecodeFile("f", []byte(in), clients.FormatJSON); err == nil {
			t.Errorf("%s: decoded without an error", in)
		}
		if _, _, err := claudeLike.EncodeFile("f", []byte(in), clients.FormatJSON, map[string]unified.Server{"a": {Command: "x"}}); err == nil {
			t.Errorf("%s: encoded without an error", in)
		}
	}
	_, _, err := claudeLike.DecodeFile("/x/f.json", []byte("{\n  \"mcpServers\": {,}\n}"), clients.FormatJSON)
	var se *clients.SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.Path != "/x/f.json" {
		t.Fatalf("error = %#v", err)
	}
}

// An edit touches only the members that change: comments, unknown members, the order and
// the other entries stay byte for byte.
func TestEncodeEditsMemberByMember(t *testing.T) {
	t.Parallel()
	in := `{
  // personal servers
  "mcpServers": {
    "db": {
      "command": "npx", // launcher
      "args": [
        "-y", // yes
        "@acme/db"
      ],
      "envFile": ".env",
      "env": {"A": "1", /* keep */ "B": "2"}
    },
    "odd": "not an object",
    "docs": {"url": "https://docs", "auth": {"CLIENT_ID": "x"}}
  },
  "other": true
}
`
	servers, _ := decode(t, cursorLike, in)
	db := servers["db"]
	db.Args = []string{"-y", "@acme/db@2"}
	db.Env["C"] = "${env:C}"
	servers["db"] = db
	delete(servers, "docs")
	servers["new"] = unified.Server{Transport: "sse", URL: "https://sse"}
	out, warns := encode(t, cursorLike, in, servers)
	want := `{
  // personal servers
  "mcpServers": {
    "db": {
      "command": "npx", // launcher
      "args": [
        "-y", // yes
        "@acme/db@2"
      ],
      "envFile": ".env",
      "env": {"A": "1", /* keep */ "B": "2", "C": "${env:C}"}
    },
    "odd": "not an object",
    "new": {
      "url": "https://sse"
    }
  },
  "other": true
}
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %s", codes(warns))
	}
	if again, _ := encode(t, cursorLike, out, mustDecode(t, cursorLike, out)); again != out {
		t.Errorf("no-op encode changed the file:\n%s", again)
	}
}

func mustDecode(t *testing.T, d Dialect, in string) map[string]unified.Server {
	s, _ := decode(t, d, in)
	return s
}

func TestEncodeTypes(t *testing.T) {
	t.Parallel()
	stdio := unified.Server{Transport: "stdio", Command: "x"}
	httpS := unified.Server{Transport: "http", URL: "https://h"}
	sse := unified.Server{Transport: "sse", URL: "https://s"}
	tests := []struct {
		name string
		d    Dialect
		s    unified.Server
		want string
	}{
		{"claude stdio gets a type", claudeLike, stdio, `{"type":"stdio","command":"x"}`},
		{"claude http needs a type", claudeLike, httpS, `{"type":"http","url":"https://h"}`},
		{"cursor infers", cursorLike, httpS, `{"url":"https://h"}`},
		{"cursor sse is a plain url", cursorLike, sse, `{"url":"https://s"}`},
		{"cline stdio untyped", clineLike, stdio, `{"command":"x"}`},
		{"cline http spelled", clineLike, httpS, `{"type":"streamableHttp","url":"https://h"}`},
		{"cline sse always typed", clineLike, sse, `{"type":"sse","url":"https://s"}`},
		{"copilot local with args and tools", copilotLike, stdio, `{"type":"local","command":"x","args":[],"tools":["*"]}`},
		{"windsurf serverUrl", windsurfLike, httpS, `{"serverUrl":"https://h"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _ := encode(t, tc.d, `{}`, map[string]unified.Server{"a": tc.s})
			if squash(out) != `{"mcpServers":{"a":`+tc.want+`}}` {
				t.Errorf("got %s, want %s", out, tc.want)
			}
		})
	}
}

// squash removes the layout, to compare member order only.
func squash(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }

func TestEncodeTransportSwitchRemovesTheOtherKind(t *testing.T) {
	t.Parallel()
	in := `{"mcpServers":{"a":{"type":"stdio","command":"x","args":["1"],"env":{"K":"v"},"cwd":"/w","keep":1}}}`
	keep := mustDecode(t, clineLike, in)["a"].Extras
	out, _ := encode(t, clineLike, in, map[string]unified.Server{"a": {Transport: "http", URL: "https://h", Headers: map[string]string{"A": "b"}, Extras: keep}})
	if want := `{"mcpServers":{"a":{"type":"streamableHttp","keep":1,"url":"https://h","headers":{"A":"b"}}}}`; out != want {
		t.Errorf("to http:\n got %s\nwant %s", out, want)
	}
	back, _ := encode(t, clineLike, out, map[string]unified.Server{"a": {Transport: "stdio", Command: "y", Extras: keep}})
	if want := `{"mcpServers":{"a":{"type":"stdio","keep":1,"command":"y"}}}`; back != want {
		t.Errorf("to stdio:\n got %s\nwant %s", back, want)
	}
}

func TestEncodeNestedEntriesStayNested(t *testing.T) {
	t.Parallel()
	in := `{"mcpServers":{"a":{"transport":{"type":"stdio","command":"x","extra":1},"disabled":false,"metadata":{"m":1}}}}`
	s := mustDecode(t, clineLike, in)
	a := s["a"]
	a.Args = []string{"--v"}
	a.Disabled = true
	a.Tools.Allow = []string{"read"}
	s["a"] = a
	out, _ := encode(t, clineLike, in, s)
	want := `{"mcpServers":{"a":{"transport":{"type":"stdio","command":"x","extra":1,"args":["--v"]},"disabled":true,"metadata":{"m":1},"autoApprove":["read"]}}}`
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if got := mustDecode(t, clineLike, out)["a"]; canon(got) != canon(func() unified.Server { a.Normalize(); return a }()) {
		t.Errorf("reads back as %s", canon(got))
	}
}

func TestDisabledStyles(t *testing.T) {
	t.Parallel()
	off := map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Disabled: true}}
	on := map[string]unified.Server{"a": {Transport: "stdio", Command: "x"}}

	out, _ := encode(t, clineLike, `{}`, off)
	if !strings.Contains(out, `"disabled": true`) {
		t.Errorf("flag: %s", out)
	}
	out, _ = encode(t, clineLike, out, on)
	if !strings.Contains(out, `"disabled": false`) {
		t.Errorf("flag off again: %s", out)
	}

	out, _ = encode(t, zedLike, `{}`, off)
	if !strings.Contains(out, `"enabled": false`) {
		t.Errorf("enabled flag: %s", out)
	}

	in := `{"mcpServers":{"a":{"command":"x"},"b":{"command":"y"}}}`
	out, warns := encode(t, cursorLike, in, map[string]unified.Server{"a": off["a"], "b": {Transport: "stdio", Command: "y"}})
	if strings.Contains(out, `"a"`) || !strings.Contains(out, `"b"`) {
		t.Errorf("unsupported: a disabled server must be left out: %s", out)
	}
	if codes(warns) != "server:a=dropped-field" {
		t.Errorf("warnings: %s", codes(warns))
	}

	elsewhere := cursorLike
	elsewhere.Disabled = DisabledElsewhere
	out, warns = encode(t, elsewhere, in, map[string]unified.Server{"a": off["a"], "b": {Transport: "stdio", Command: "y"}})
	if out != in || len(warns) != 0 {
		t.Errorf("elsewhere: %s %s", out, codes(warns))
	}

	listed := claudeLike.WithRoot("projects", "/p", "mcpServers")
	listed.Disabled = DisabledListed
	listed.DisabledList = []string{"projects", "/p", "disabledMcpServers"}
	in = `{"projects":{"/p":{"mcpServers":{"a":{"command":"x"}},"disabledMcpServers":["github"]}}}`
	out, _ = encode(t, listed, in, off)
	if want := `{"projects":{"/p":{"mcpServers":{"a":{"command":"x"}},"disabledMcpServers":["github","a"]}}}`; out != want {
		t.Errorf("listed:\n got %s\nwant %s", out, want)
	}
	if got := mustDecode(t, listed, out)["a"]; !got.Disabled {
		t.Error("listed: not read back as disabled")
	}
	out, _ = encode(t, listed, out, on)
	if want := `{"projects":{"/p":{"mcpServers":{"a":{"command":"x"}},"disabledMcpServers":["github"]}}}`; out != want {
		t.Errorf("listed on again:\n got %s\nwant %s", out, want)
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    Dialect
		ms   int64
		want string
		warn bool
	}{
		{clineLike, 30000, `"timeout": 30`, false},
		{clineLike, 1500, `"timeout": 1.5`, false},
		{clineLike, 200, `"timeout": 1`, true},
		{clineLike, 7200000, `"timeout": 3600`, true},
		{claudeLike, 45000, `"timeout": 45000`, false},
	} {
		out, warns := encode(t, tc.d, `{}`, map[string]unified.Server{"a": {Transport: "stdio", Command: "x", ToolTimeoutMs: tc.ms}})
		if !strings.Contains(out, tc.want) {
			t.Errorf("%s %d ms: %s", tc.d.Name, tc.ms, out)
		}
		if got := len(warns) > 0; got != tc.warn {
			t.Errorf("%s %d ms: warnings %s", tc.d.Name, tc.ms, codes(warns))
		}
		if !tc.warn {
			if got := mustDecode(t, tc.d, out)["a"].ToolTimeoutMs; got != tc.ms {
				t.Errorf("%s: read back %d ms, want %d", tc.d.Name, got, tc.ms)
			}
		}
	}
	// A value that means the same is not rewritten.
	in := `{"mcpServers":{"a":{"command":"x","timeout":60.0}}}`
	if out, _ := encode(t, clineLike, in, mustDecode(t, clineLike, in)); out != in {
		t.Errorf("rewrote 60.0: %s", out)
	}
}

func TestEnvReferences(t *testing.T) {
	t.Parallel()
	s := map[string]unified.Server{
		"ref":   {Transport: "stdio", Command: "x", Env: map[string]string{"T": "${env:TOKEN}"}},
		"input": {Transport: "http", URL: "https://h", Headers: map[string]string{"A": "Bearer ${input:tok}"}},
		"plain": {Transport: "stdio", Command: "y", Env: map[string]string{"T": "literal"}},
	}
	out, warns := encode(t, claudeLike, `{}`, s)
	if !strings.Contains(out, `"T": "${TOKEN}"`) || strings.Contains(out, "input") {
		t.Errorf("claude-like: %s", out)
	}
	if codes(warns) != "server:input=unsupported-ref" {
		t.Errorf("claude-like warnings: %s", codes(warns))
	}
	out, warns = encode(t, desktopLike, `{}`, s)
	if strings.Contains(out, "TOKEN") || !strings.Contains(out, "literal") {
		t.Errorf("desktop-like: %s", out)
	}
	if codes(warns) != "server:input=unsupported-transport server:ref=unsupported-ref" {
		t.Errorf("desktop-like warnings: %s", codes(warns))
	}
	// A server that cannot be written keeps the entry the file already has.
	in := `{"mcpServers":{"ref":{"command":"x","env":{"T":"old-literal"}}}}`
	out, _ = encode(t, desktopLike, in, map[string]unified.Server{"ref": s["ref"]})
	if out != in {
		t.Errorf("the old entry was not left alone: %s", out)
	}
}

func TestExtrasOfThisClientOnly(t *testing.T) {
	t.Parallel()
	s := map[string]unified.Server{"a": {Transport: "stdio", Command: "x", Extras: map[string]map[string]json.RawMessage{
		"cur":   {"envFile": json.RawMessage(`".env"`), "command": json.RawMessage(`"stale"`)},
		"other": {"alwaysAllow": json.RawMessage(`["*"]`)},
	}}}
	out, _ := encode(t, cursorLike, `{}`, s)
	if !strings.Contains(out, `"envFile": ".env"`) || strings.Contains(out, "alwaysAllow") || strings.Contains(out, "stale") {
		t.Errorf("extras: %s", out)
	}
}

// Extras are the entry's other members: kept while they are there, removed when the
// model drops them (for instance after the user deleted one in aisync).
func TestExtrasRemovedFromTheModelAreRemoved(t *testing.T) {
	t.Parallel()
	in := `{"mcpServers":{"a":{"command":"x","envFile":".env","auth":{"id":1}}}}`
	s := mustDecode(t, cursorLike, in)
	delete(s["a"].Extras["cur"], "auth")
	if out, _ := encode(t, cursorLike, in, s); out != `{"mcpServers":{"a":{"command":"x","envFile":".env"}}}` {
		t.Errorf("got %s", out)
	}
}

func TestUnreadableEntriesAreNeverTouched(t *testing.T) {
	t.Parallel()
	in := `{"mcpServers":{"ws":{"type":"ws","url":"wss://x"},"str":"npx"}}`
	out, warns := encode(t, claudeLike, in, map[string]unified.Server{"ws": {Transport: "http", URL: "https://y"}})
	if out != in {
		t.Errorf("changed: %s", out)
	}
	if codes(warns) != "server:ws=unsupported-entry" {
		t.Errorf("warnings: %s", codes(warns))
	}
	if out, _ := encode(t, claudeLike, in, nil); out != in {
		t.Errorf("removing every server removed unreadable entries: %s", out)
	}
}

func TestInvalidNames(t *testing.T) {
	t.Parallel()
	d := claudeLike
	d.ValidName = func(n string) string {
		if n == "workspace" {
			return "reserved"
		}
		return ""
	}
	out, warns := encode(t, d, "\x00", map[string]unified.Server{"workspace": {Command: "x"}, "": {Command: "y"}})
	if out != "" {
		t.Errorf("wrote a file for servers that cannot be written: %q", out)
	}
	if codes(warns) != "server:=invalid-name server:workspace=invalid-name" {
		t.Errorf("warnings: %s", codes(warns))
	}
}

func TestDroppedFields(t *testing.T) {
	t.Parallel()
	s := unified.Server{Transport: "stdio", Command: "x", Cwd: "/w", StartupTimeoutMs: 5, ToolTimeoutMs: 9,
		Tools: unified.Tools{Allow: []string{"a"}, Deny: []string{"b"}}}
	_, warns := encode(t, cursorLike, `{}`, map[string]unified.Server{"a": s})
	if n := strings.Count(codes(warns), "dropped-field"); n != 5 {
		t.Errorf("want 5 dropped fields (cwd, start-up, tool timeout, allow, deny), got %s", codes(warns))
	}
}

func TestManyServers(t *testing.T) {
	t.Parallel()
	servers := map[string]unified.Server{}
	for i := range 150 {
		name := fmt.Sprintf("server-%03d", i)
		if i%10 == 0 {
			name = fmt.Sprintf("검색-%d-🔍", i)
		}
		servers[name] = unified.Server{Transport: "stdio", Command: `C:\Users\me\mcp\server.exe`,
			Args: []string{"--id", fmt.Sprint(i)}, Env: map[string]string{"TOKEN": "${env:TOKEN_" + fmt.Sprint(i) + "}"}}
	}
	start := time.Now()
	out, warns := encode(t, claudeLike, "\x00", servers)
	if len(warns) != 0 {
		t.Fatal(codes(warns))
	}
	got := mustDecode(t, claudeLike, out)
	for k, v := range servers {
		v.Normalize()
		servers[k] = v
	}
	if canon(got) != canon(servers) {
		t.Fatal("150 servers do not round-trip")
	}
	delete(got, "server-077")
	again, _ := encode(t, claudeLike, out, got)
	if strings.Contains(again, "server-077") || len(again) >= len(out) {
		t.Error("removing one of 150 servers")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("150 servers took %v", d)
	}
}

func TestPermissionLists(t *testing.T) {
	t.Parallel()
	p := PermissionLists{Client: "x", Name: "X", Allow: []string{"permissions", "allow"}, Deny: []string{"permissions", "deny"},
		Grammar: Grammar{
			Decode: func(s string) (string, bool) {
				v, ok := strings.CutPrefix(s, "Shell(")
				return "shell:" + strings.TrimSuffix(v, ")"), ok && strings.HasSuffix(v, ")")
			},
			Encode: func(s string) (string, bool) {
				v, ok := strings.CutPrefix(s, "shell:")
				return "Shell(" + v + ")", ok
			},
		}}
	in := []byte(`{"permissions": {"allow": ["Shell(git)", "Custom", "Shell(rm)"]}, "x": 1}`)
	doc, err := Parse("f", in, clients.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	perms, err := p.DecodeDoc(doc)
	if err != nil || canon(perms) != `{"allow":["shell:git","shell:rm"]}` {
		t.Fatalf("decode: %s %v", canon(perms), err)
	}
	warns, err := p.EncodeDoc(doc, unified.Permissions{Allow: []string{"shell:git", "shell:npm"}, Ask: []string{"shell:push"}, Deny: []string{"read:x"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"permissions": {"allow": ["Shell(git)", "Custom", "Shell(npm)"]}, "x": 1}`
	if string(doc.Bytes()) != want {
		t.Errorf("got  %s\nwant %s", doc.Bytes(), want)
	}
	if codes(warns) != "permission:shell:push=unmapped-permission permission:read:x=unmapped-permission" {
		t.Errorf("warnings: %s", codes(warns))
	}
}
