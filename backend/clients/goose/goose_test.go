package goose

import (
	"encoding/json"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

var sample = unified.Config{
	Servers: map[string]unified.Server{
		"GitHub": {Transport: unified.TransportHTTP, URL: "https://api.githubcopilot.com/mcp/",
			Headers: map[string]string{"Authorization": "Bearer ghp_example"}, ToolTimeoutMs: 300000,
			Extras: map[string]map[string]json.RawMessage{ID: {"description": json.RawMessage(`"GitHub MCP"`), "bundled": json.RawMessage(`null`)}}},
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env:      map[string]string{"PGHOST": "localhost", "PGPASSWORD": "${env:PGPASSWORD}"},
			Disabled: true, ToolTimeoutMs: 300000, Tools: unified.Tools{Allow: []string{"list_tables", "query"}}},
		"검색 🔍": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--이름", "🚀"}},
	},
	Rules: map[string]unified.Rule{
		"always": {Activation: unified.ActivationAlways, Body: "Be concise."},
		"go":     {Activation: unified.ActivationGlob, Globs: []string{"**/*.go"}, Description: "Go", Body: "Run gofmt."},
		"규칙":     {Activation: unified.ActivationManual, Body: "한국어로 답하세요."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "goose/config.yaml", Files: map[string]string{"": mcpjsontest.Read(t, "config.yaml")},
				Keep: []string{"GOOSE_PROVIDER: anthropic", "GOOSE_MODE: smart_approve", "type: builtin", "display_name: Developer",
					"# my notes: keep the provider pinned", "type: sse", "uri: http://localhost:8080/sse", "type: platform"},
				Invalid: "extensions:\n  db:\n    cmd: [a\n"},
			{Match: ".goosehints", Files: map[string]string{"": mcpjsontest.Read(t, "goosehints")},
				Keep:    []string{"Use uv for Python projects.\n@CONTRIBUTING.md\n"},
				Invalid: "notes\n<!-- aisync:begin — managed by aisync -->\n<!-- aisync:rule name=\"x\" activation=\"always\" -->\nbody\n"},
		},
	})
}

func userEPs() []clients.Endpoint {
	return (&Adapter{}).Endpoints(clients.Env{GOOS: "linux", Home: "/home/me"}, clients.UserScope)
}

func TestPaths(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	for _, tc := range []struct {
		name string
		env  clients.Env
		want string
	}{
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, "/home/u/.config/goose/config.yaml"},
		{"linux-xdg", clients.Env{GOOS: "linux", Home: "/home/u", XDGConfigHome: "/xdg"}, "/xdg/goose/config.yaml"},
		{"darwin", clients.Env{GOOS: "darwin", Home: "/Users/u"}, "/Users/u/.config/goose/config.yaml"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\u`, AppData: `C:\Users\u\AppData\Roaming`}, `C:\Users\u\AppData\Roaming\Block\goose\config\config.yaml`},
		{"path-root", clients.Env{GOOS: "linux", Home: "/home/u", Vars: map[string]string{"GOOSE_PATH_ROOT": "/opt/goose"}}, "/opt/goose/config/config.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eps := a.Endpoints(tc.env, clients.UserScope)
			hints := strings.TrimSuffix(tc.want, "config.yaml") + ".goosehints"
			if len(eps) != 2 || eps[0].Path != tc.want || eps[1].Path != hints {
				t.Fatalf("endpoints = %+v, want %s and %s", eps, tc.want, hints)
			}
		})
	}
	eps := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/u"}, clients.ProjectScope("/p"))
	if len(eps) != 1 || eps[0].Path != "/p/.goosehints" || !eps[0].Has(unified.SectionRules) {
		t.Fatalf("project endpoints = %+v", eps)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	ep := userEPs()[0]
	cfg, warns, err := (&Adapter{}).Decode(ep, clients.Files{ep.Path: []byte(mcpjsontest.Read(t, "config.yaml"))})
	if err != nil {
		t.Fatal(err)
	}
	want := unified.Config{Servers: map[string]unified.Server{"GitHub": sample.Servers["GitHub"], "db": sample.Servers["db"]}}
	if !cfg.Equal(want) {
		t.Errorf("decoded:\n got %s\nwant %s", cfg.Canonical(), want.Canonical())
	}
	if len(warns) != 1 || warns[0].Item != "server:legacy" || warns[0].Code != clients.WarnUnsupportedTransport {
		t.Errorf("warnings = %v, want one for the SSE extension only (builtins are Goose's own)", warns)
	}
}

func TestDecodeOddEntries(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[0]
	for _, tc := range []struct {
		name, in string
		servers  string
		warn     string
	}{
		{"no enabled", "extensions:\n  a:\n    type: stdio\n    name: a\n    cmd: x\n    args: []\n", "", "server:a:unsupported-entry"},
		{"no args", "extensions:\n  a:\n    enabled: true\n    type: stdio\n    name: a\n    cmd: x\n", "", "server:a:unsupported-entry"},
		{"http without description", "extensions:\n  a:\n    enabled: true\n    type: streamable_http\n    name: a\n    uri: https://x\n", "", "server:a:unsupported-entry"},
		{"fractional timeout", "extensions:\n  a:\n    enabled: true\n    type: stdio\n    name: a\n    cmd: x\n    args: []\n    timeout: 1.5\n", "", "server:a:unsupported-entry"},
		{"unknown type", "extensions:\n  a:\n    enabled: true\n    type: websocket\n    name: a\n", "", "server:a:unsupported-entry"},
		{"same name twice", "extensions:\n  a:\n    enabled: true\n    type: stdio\n    name: A\n    cmd: x\n    args: []\n  b:\n    enabled: true\n    type: stdio\n    name: A\n    cmd: y\n    args: []\n", "", "server:A:invalid-name"},
		{"env key with explicit value", "extensions:\n  a:\n    enabled: true\n    type: stdio\n    name: a\n    cmd: x\n    args: []\n    envs: {K: v}\n    env_keys: [K, L]\n", "a", ""},
		{"extensions null", "extensions:\n", "", ""},
		{"extensions a list", "extensions: [a]\n", "", ":unsupported-entry"},
		{"frontend is not a server", "extensions:\n  f:\n    enabled: true\n    type: frontend\n    name: f\n    tools: []\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, warns, err := a.Decode(ep, clients.Files{ep.Path: []byte(tc.in)})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(cfg.ServerNames(), ","); got != tc.servers {
				t.Errorf("servers = %q, want %q", got, tc.servers)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.Item+":"+w.Code)
			}
			if tc.warn == "" && len(got) > 0 || tc.warn != "" && !strings.Contains(strings.Join(got, " "), tc.warn) {
				t.Errorf("warnings = %v, want %q", got, tc.warn)
			}
			out, _, err := a.Encode(ep, clients.Files{ep.Path: []byte(tc.in)}, cfg)
			if err != nil || len(out) != 0 {
				t.Errorf("no-op encode: %v %q", err, out[ep.Path])
			}
		})
	}
}

func TestGolden(t *testing.T) {
	a := &Adapter{}
	ep := userEPs()[0]
	warns := mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "config", Endpoint: ep, Change: func(c *unified.Config) {
		db := c.Servers["db"]
		db.Disabled = false
		db.Env["PGUSER"] = "app"
		db.Env["PGTOKEN"] = "${env:PGTOKEN}"
		db.Tools.Allow = append(db.Tools.Allow, "describe")
		c.Servers["db"] = db
		gh := c.Servers["GitHub"]
		gh.ToolTimeoutMs = 60000
		gh.Headers["X-Team"] = "core"
		c.Servers["GitHub"] = gh
		c.Servers["Linear Issues"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://mcp.linear.app/mcp",
			Env: map[string]string{"LINEAR_API_KEY": "${env:LINEAR_API_KEY}"}}
		c.Servers["fs"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
			Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/me/src"}}
	}})
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "new", Endpoint: ep, Missing: true, Change: func(c *unified.Config) {
		c.Servers = sample.Servers
	}})
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[0]
	in := mcpjsontest.Read(t, "config.yaml")
	out, warns, err := a.Encode(ep, clients.Files{ep.Path: []byte(in)}, unified.Config{Servers: map[string]unified.Server{
		"db":        {Transport: unified.TransportStdio, Command: "npx", Args: []string{"${env:HOME}/x"}},
		"sse":       {Transport: unified.TransportSSE, URL: "https://x/sse"},
		"renamed":   {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"A": "${env:B}"}},
		"lossy":     {Transport: unified.TransportStdio, Command: "x", Cwd: "/w", StartupTimeoutMs: 1, ToolTimeoutMs: 1500, Tools: unified.Tools{Deny: []string{"rm"}}, Env: map[string]string{"PATH": "/bin", "OK": "1"}},
		"Developer": {Transport: unified.TransportStdio, Command: "x"},
		"developer": {Transport: unified.TransportStdio, Command: "y"},
		"legacy":    {Transport: unified.TransportHTTP, URL: "https://x"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:db", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:sse", clients.WarnUnsupportedTransport)
	mcpjsontest.RequireWarning(t, warns, "server:renamed", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:lossy", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:Developer", clients.WarnInvalidName)
	mcpjsontest.RequireWarning(t, warns, "server:developer", clients.WarnUnsupportedEntry)
	mcpjsontest.RequireWarning(t, warns, "server:legacy", clients.WarnUnsupportedEntry)
	body := string(out[ep.Path])
	for _, s := range []string{"cmd: npx", "type: builtin", "type: sse", "    timeout: 2\n", "      OK: \"1\"\n"} {
		if !strings.Contains(body, s) {
			t.Errorf("missing %q:\n%s", s, body)
		}
	}
	for _, s := range []string{"PATH", "/w", "- rm", "name: sse", "name: renamed", "${env"} {
		if strings.Contains(body, s) {
			t.Errorf("%q was written:\n%s", s, body)
		}
	}
}

func TestHintsFileRemovedWhenOnlyOurs(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[1]
	out, _, err := a.Encode(ep, clients.Files{}, unified.Config{Rules: sample.Rules})
	if err != nil || out[ep.Path] == nil {
		t.Fatalf("create: %v %v", err, out)
	}
	cleared, _, err := a.Encode(ep, out, unified.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := cleared[ep.Path]; !ok || b != nil {
		t.Fatalf("a .goosehints that only held aisync's rules should be removed: %q %v", b, ok)
	}
}

func TestNameToKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"GitHub": "github", "Linear Issues": "linearissues", " a\tB\n": "ab", "검색 🔍": "검색🔍"} {
		if got := nameToKey(in); got != want {
			t.Errorf("nameToKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, userEPs(),
		mcpjsontest.Read(f, "config.yaml"), mcpjsontest.Read(f, "goosehints"),
		"extensions:\n  a:\n    enabled: true\n    type: stdio\n    name: A b\n    cmd: x\n    args: [y]\n    envs: {PATH: /x, K: v}\n    env_keys: [K, PATH, Z]\n    timeout: null\n    available_tools: [t, s, t]\n",
		"extensions:\n  h: {enabled: false, type: streamable_http, name: h, description: null, uri: u, headers: {}, extra: [1, {a: b}]}\n  s: &s {enabled: true, type: sse, name: s}\n  t: *s\n",
	)
}
