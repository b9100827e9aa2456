package continuedev

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
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env:              map[string]string{"PGPASSWORD": "${env:PGPASSWORD}", "PGHOST": "localhost"},
			Cwd:              "/srv/db",
			StartupTimeoutMs: 20000},
		"docs": {Transport: unified.TransportHTTP, URL: "https://mcp.example.com/mcp",
			Headers: map[string]string{"Authorization": "Bearer ${env:DOCS_TOKEN}"},
			Extras: map[string]map[string]json.RawMessage{ID: {
				"faviconUrl":     json.RawMessage(`"https://example.com/favicon.ico"`),
				"requestOptions": json.RawMessage(`{"verifySsl":false}`),
			}}},
		"legacy-sse": {Transport: unified.TransportSSE, URL: "https://old.example.com/sse"},
		"검색 🔍":       {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--이름", "🚀"}},
	},
	Rules: map[string]unified.Rule{
		"always":   {Activation: unified.ActivationAlways, Body: "Be concise."},
		"go-style": {Activation: unified.ActivationGlob, Globs: []string{"**/*.go"}, Description: "How we write Go", Body: "Run gofmt."},
		"sql":      {Activation: unified.ActivationAgent, Description: "When touching SQL", Body: "Prefer CTEs."},
		"규칙":       {Activation: unified.ActivationManual, Body: "한국어로 답하세요."},
	},
}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{
			{Match: "config.yaml", Files: map[string]string{"": mcpjsontest.Read(t, "config.yaml")},
				Keep: []string{"# Continue config — edited by hand", "name: My Assistant", "provider: anthropic",
					"apiKey: ${{ secrets.ANTHROPIC_API_KEY }}", "roles: [chat, edit, apply]", "- Always answer in English.",
					"# the team's shared hub block", "- uses: acme/github-mcp", "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}"},
				Invalid: "name: x\nmcpServers:\n  - name: db\n    args: [a, b\n"},
			{Match: ".continue/rules", Files: map[string]string{"style.md": mcpjsontest.Read(t, "style.md"), "README.txt": "not a rule\n"},
				Keep:    []string{"not a rule"},
				Invalid: "---\nglobs: [a\n---\nbody\n"},
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
		{"linux", clients.Env{GOOS: "linux", Home: "/home/u"}, "/home/u/.continue/config.yaml"},
		{"darwin", clients.Env{GOOS: "darwin", Home: "/Users/u"}, "/Users/u/.continue/config.yaml"},
		{"windows", clients.Env{GOOS: "windows", Home: `C:\Users\u`}, `C:\Users\u\.continue\config.yaml`},
		{"relocated", clients.Env{GOOS: "linux", Home: "/home/u", Vars: map[string]string{"CONTINUE_GLOBAL_DIR": "/cfg/continue"}}, "/cfg/continue/config.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eps := a.Endpoints(tc.env, clients.UserScope)
			if len(eps) != 2 || eps[0].Path != tc.want || eps[1].Format != clients.FormatRuleDir {
				t.Fatalf("endpoints = %+v, want %s and a rule folder", eps, tc.want)
			}
		})
	}
	eps := a.Endpoints(clients.Env{GOOS: "linux", Home: "/home/u"}, clients.ProjectScope("/p"))
	if len(eps) != 1 || eps[0].Path != "/p/.continue/rules" || eps[0].Pattern != "*.md" {
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
	want := unified.Config{Servers: map[string]unified.Server{
		"db": {Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@acme/db-mcp"},
			Env: map[string]string{"PGPASSWORD": "${env:PGPASSWORD}", "PGHOST": "localhost"}, StartupTimeoutMs: 20000},
		"docs": sample.Servers["docs"],
	}}
	if !cfg.Equal(want) {
		t.Errorf("decoded:\n got %s\nwant %s", cfg.Canonical(), want.Canonical())
	}
	mcpjsontest.RequireWarning(t, warns, "server:acme/github-mcp", clients.WarnUnsupportedEntry)
}

func TestDecodeOddItems(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[0]
	for _, tc := range []struct {
		name, in string
		servers  string
		warn     string // item:code of one expected warning, "" for none
	}{
		{"untyped url is http", "mcpServers:\n  - name: a\n    url: https://x\n", "a", ""},
		{"typed stdio", "mcpServers:\n  - name: a\n    type: stdio\n    command: x\n", "a", ""},
		{"websocket", "mcpServers:\n  - name: a\n    type: websocket\n    url: wss://x\n", "", "server:a:unsupported-entry"},
		{"number in args", "mcpServers:\n  - name: a\n    command: x\n    args: [--port, 8080]\n", "", "server:a:unsupported-entry"},
		{"duplicate names", "mcpServers:\n  - name: a\n    command: x\n  - name: a\n    command: y\n", "", "server:a:invalid-name"},
		{"no name", "mcpServers:\n  - command: x\n", "", ":unsupported-entry"},
		{"not a list", "mcpServers:\n  a:\n    command: x\n", "", ":unsupported-entry"},
		{"null list", "mcpServers:\n", "", ""},
		{"anchored", "mcpServers:\n  - &s\n    name: a\n    command: x\nbackup: *s\n", "", "server:a:unsupported-entry"},
		{"merge key", "base: &b\n  command: x\nmcpServers:\n  - <<: *b\n    name: a\n", "", "server:a:unsupported-entry"},
		{"connectionTimeout zero", "mcpServers:\n  - name: a\n    command: x\n    connectionTimeout: 0\n", "", "server:a:unsupported-entry"},
		{"top level list", "- a\n- b\n", "", ":unsupported-entry"},
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
			// Whatever was read, writing it back changes nothing.
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
		db.Args = append(db.Args, "--read-only")
		db.Env["PGHOST"] = "db.internal"
		c.Servers["db"] = db
		d := c.Servers["docs"]
		d.Headers["X-Team"] = "core"
		c.Servers["docs"] = d
		c.Servers["linear"] = unified.Server{Transport: unified.TransportSSE, URL: "https://mcp.linear.app/sse",
			Headers: map[string]string{"Authorization": "Bearer ${env:LINEAR_TOKEN}"}, StartupTimeoutMs: 5000}
		c.Servers["fs"] = unified.Server{Transport: unified.TransportStdio, Command: "npx",
			Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/me/src"}}
	}})
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "switch", Endpoint: ep, Change: func(c *unified.Config) {
		c.Servers["db"] = unified.Server{Transport: unified.TransportHTTP, URL: "https://db.example.com/mcp"}
		c.Servers["docs"] = unified.Server{Transport: unified.TransportStdio, Command: "docs-mcp"}
	}})
	mcpjsontest.Golden(t, a, mcpjsontest.Case{Name: "new", Endpoint: ep, Missing: true, Change: func(c *unified.Config) {
		c.Servers = map[string]unified.Server{"db": sample.Servers["db"], "docs": sample.Servers["docs"]}
	}})
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[0]
	in := mcpjsontest.Read(t, "config.yaml")
	out, warns, err := a.Encode(ep, clients.Files{ep.Path: []byte(in)}, unified.Config{Servers: map[string]unified.Server{
		"db":     {Transport: unified.TransportStdio, Command: "npx", Disabled: true},
		"docs":   {Transport: unified.TransportHTTP, URL: "https://x", Headers: map[string]string{"A": "${input:tok}"}},
		"tools":  {Transport: unified.TransportStdio, Command: "x", ToolTimeoutMs: 1000, Tools: unified.Tools{Deny: []string{"rm"}}},
		"remote": {Transport: unified.TransportHTTP, URL: "https://r", Env: map[string]string{"A": "b"}, Cwd: "/w"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:db", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:docs", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:tools", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:remote", clients.WarnDroppedField)
	body := string(out[ep.Path])
	if strings.Contains(body, "name: db") {
		t.Errorf("a disabled server must be left out:\n%s", body)
	}
	if !strings.Contains(body, "url: https://mcp.example.com/mcp") || strings.Contains(body, "input:tok") {
		t.Errorf("a server that cannot be written keeps its current entry:\n%s", body)
	}
	if !strings.Contains(body, "- uses: acme/github-mcp") {
		t.Errorf("the hub block was touched:\n%s", body)
	}
}

// A secret written ${{secrets.X}} keeps that spelling when a neighbouring value changes.
func TestSecretSpellingKept(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	ep := userEPs()[0]
	in := "mcpServers:\n  - name: db\n    command: x\n    env:\n      A: ${{secrets.A}}\n      B: one\n"
	out, _, err := a.Encode(ep, clients.Files{ep.Path: []byte(in)}, unified.Config{Servers: map[string]unified.Server{
		"db": {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"A": "${env:A}", "B": "two", "C": "${env:C}"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "mcpServers:\n  - name: db\n    command: x\n    env:\n      A: ${{secrets.A}}\n      B: two\n      C: ${{ secrets.C }}\n"
	if got := string(out[ep.Path]); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func FuzzDecode(f *testing.F) {
	a := &Adapter{}
	mcpjsontest.Fuzz(f, a, userEPs()[:1],
		mcpjsontest.Read(f, "config.yaml"),
		"mcpServers:\n  - name: a\n    url: u\n    requestOptions: {headers: {A: '${{ secrets.B }}'}, timeout: 3}\n  - {name: b, command: c, args: [x], env: {K: V}, cwd: /w, connectionTimeout: 1.5}\n",
		"mcpServers:\n  - name: a\n    type: sse\n    url: u\n    command: leftover\n    requestOptions: null\n  - uses: x/y\n  - &a {name: c, command: d}\n  - *a\n",
		"mcpServers: []\nname: n\n---\nsecond: doc\n",
	)
}
