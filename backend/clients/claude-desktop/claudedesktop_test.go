package claudedesktop

import (
	"encoding/json"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/clients/clienttest"
	"aisync/backend/clients/mcpjson/mcpjsontest"
	"aisync/backend/unified"
)

// sample: stdio servers with literal values only (the file expands nothing).
var sample = unified.Config{Servers: map[string]unified.Server{
	"filesystem": {Transport: unified.TransportStdio, Command: "npx",
		Args: []string{"-y", "@modelcontextprotocol/server-filesystem", `C:\Users\me\Desktop`}, Env: map[string]string{"LOG_LEVEL": "info"}},
	"검색 🔍": {Transport: unified.TransportStdio, Command: `C:\Users\me\mcp\server.exe`, Args: []string{"--이름", "값"},
		Extras: map[string]map[string]json.RawMessage{ID: {"type": json.RawMessage(`"stdio"`)}}},
}}

func TestConformance(t *testing.T) {
	clienttest.Run(t, &Adapter{}, clienttest.Options{
		Sample: sample,
		Fixtures: []clienttest.Fixture{{
			Match:   "claude_desktop_config.json",
			Files:   map[string]string{"": mcpjsontest.Read(t, "claude_desktop_config.json")},
			Keep:    []string{`"globalShortcut": "Ctrl+Space"`, `"menuBarEnabled": false`, `"remote-only": {`},
			Invalid: "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\", \"args\": [\"1\" \"2\"]}\n  }\n}\n",
		}},
	})
}

func TestPaths(t *testing.T) {
	a := &Adapter{}
	path := func(env clients.Env) string {
		eps := a.Endpoints(env, clients.UserScope)
		if len(eps) != 1 {
			t.Fatalf("%d endpoints", len(eps))
		}
		return eps[0].Path
	}
	if got := path(clients.Env{GOOS: "darwin", Home: "/Users/me"}); got != "/Users/me/Library/Application Support/Claude/claude_desktop_config.json" {
		t.Errorf("darwin: %s", got)
	}
	if got := path(clients.Env{GOOS: "linux", Home: "/home/me", XDGConfigHome: "/xdg"}); got != "/xdg/Claude/claude_desktop_config.json" {
		t.Errorf("linux: %s", got)
	}
	win := clients.Env{GOOS: "windows", Home: `C:\Users\me`, AppData: `C:\Users\me\AppData\Roaming`, LocalAppData: `C:\Users\me\AppData\Local`}
	if got := path(win); got != `C:\Users\me\AppData\Roaming\Claude\claude_desktop_config.json` {
		t.Errorf("windows: %s", got)
	}
	if eps := a.Endpoints(win, clients.ProjectScope(`C:\src\app`)); eps != nil {
		t.Errorf("project endpoints: %v", eps)
	}

	// A Microsoft Store install wins: the packaged app reads its own copy of %APPDATA%.
	old := globPackages
	t.Cleanup(func() { globPackages = old })
	var pattern string
	globPackages = func(p string) []string {
		pattern = p
		return []string{`C:\Users\me\AppData\Local\Packages\Claude_pzs8sxrjxfjjc`}
	}
	if got := path(win); got != `C:\Users\me\AppData\Local\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude\claude_desktop_config.json` {
		t.Errorf("msix: %s", got)
	}
	if pattern != `C:\Users\me\AppData\Local\Packages\Claude_*` {
		t.Errorf("glob pattern %s", pattern)
	}
	detect := strings.Join(a.DetectPaths(win), "\n")
	for _, want := range []string{`Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude`, `C:\Users\me\AppData\Roaming\Claude`} {
		if !strings.Contains(detect, want) {
			t.Errorf("detect paths lack %s:\n%s", want, detect)
		}
	}
}

func endpoint() clients.Endpoint {
	return clients.Endpoint{Client: ID, Scope: clients.UserScope, Path: "/Users/me/Library/Application Support/Claude/claude_desktop_config.json",
		Format: clients.FormatJSON, Sections: []unified.Section{unified.SectionServers}}
}

func TestGolden(t *testing.T) {
	mcpjsontest.Golden(t, &Adapter{}, mcpjsontest.Case{Name: "desktop", Endpoint: endpoint(), Change: func(c *unified.Config) {
		fs := c.Servers["filesystem"]
		fs.Args = append(fs.Args, "/Users/me/Downloads")
		c.Servers["filesystem"] = fs
		delete(c.Servers, "sqlite")
		c.Servers["memory"] = unified.Server{Transport: unified.TransportStdio, Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-memory"}}
	}})
}

func TestLossyCasesWarn(t *testing.T) {
	t.Parallel()
	ep := endpoint()
	cfg := unified.Config{Servers: map[string]unified.Server{
		"sse":     {Transport: unified.TransportSSE, URL: "https://x/sse"},
		"http":    {Transport: unified.TransportHTTP, URL: "https://x/mcp"},
		"env":     {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"TOKEN": "${env:TOKEN}"}},
		"input":   {Transport: unified.TransportStdio, Command: "x", Args: []string{"${input:pick}"}},
		"off":     {Transport: unified.TransportStdio, Command: "x", Disabled: true},
		"cwd":     {Transport: unified.TransportStdio, Command: "x", Cwd: "/w", ToolTimeoutMs: 1000},
		"fine":    {Transport: unified.TransportStdio, Command: "x", Env: map[string]string{"TOKEN": "resolved-secret-value"}},
		"":        {Transport: unified.TransportStdio, Command: "x"},
		"검색 ok 🔍": {Transport: unified.TransportStdio, Command: "x"},
	}}
	out, warns, err := (&Adapter{}).Encode(ep, clients.Files{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mcpjsontest.RequireWarning(t, warns, "server:sse", clients.WarnUnsupportedTransport)
	mcpjsontest.RequireWarning(t, warns, "server:http", clients.WarnUnsupportedTransport)
	mcpjsontest.RequireWarning(t, warns, "server:env", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:input", clients.WarnUnsupportedRef)
	mcpjsontest.RequireWarning(t, warns, "server:off", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:cwd", clients.WarnDroppedField)
	mcpjsontest.RequireWarning(t, warns, "server:", clients.WarnInvalidName)
	got, _, err := (&Adapter{}).Decode(ep, out)
	if err != nil {
		t.Fatal(err)
	}
	if names := strings.Join(got.ServerNames(), ","); names != "cwd,fine,검색 ok 🔍" {
		t.Errorf("written: %s\n%s", names, out[ep.Path])
	}
}

func FuzzDecode(f *testing.F) {
	mcpjsontest.Fuzz(f, &Adapter{}, []clients.Endpoint{endpoint()},
		mcpjsontest.Read(f, "golden/desktop.before.json"),
		`{"mcpServers":{"a":{"command":"x","type":"stdio"},"b":{"url":"u"},"c":{"command":"${env:X}"}}}`)
}
