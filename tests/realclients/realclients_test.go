// Package realclients checks our client adapters against the real AI clients: what an adapter
// writes must be what the client lists, and what the client's own `mcp add` writes must
// decode into the server it was told to add.
//
// The clients are npm packages pinned in package.json and installed by scripts/realclients.sh.
// The tests skip when AISYNC_REALCLIENTS_DIR (their node_modules/.bin) is unset and fail when
// it is set but a client is missing. Every client runs offline, without login, in a temporary
// HOME, with a 60 s limit per command. Clients that connect to what they list (Claude Code,
// Gemini CLI, opencode) get real servers: @modelcontextprotocol/server-everything over stdio,
// streamable HTTP and SSE on 127.0.0.1.
package realclients

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "aisync/backend/clients/all"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// Server names mix dashes and underscores on purpose.
const (
	nStdio = "local-stdio_1"
	nHTTP  = "remote-http_2"
	nSSE   = "remote-sse_3"
	nOff   = "off-stdio_4"
)

// A stdio command that does not exist, for the clients that only read their file.
const probeCmd = "aisync-probe-server"

var probeArgs = []string{"--port", "0", "two words"}

// nAdded is the server our adapter adds to a file the client wrote.
const nAdded = "added-by_aisync"

var added = unified.Server{Transport: unified.TransportStdio, Command: probeCmd, Args: []string{"added"}}

// unreachable is a URL no server answers (port 9, discard), for clients that do not connect.
const unreachable = "http://127.0.0.1:9"

// envRefServers are servers whose command, URL, env and headers hold environment references
// (unified ${env:NAME}); the client connects to both only if it expands them as we wrote them.
// It sets the variables in the sandbox.
func envRefServers(t *testing.T, sb *sandbox, httpURL string, timeoutMs int64) map[string]unified.Server {
	t.Helper()
	u, err := url.Parse(httpURL)
	if err != nil {
		t.Fatal(err)
	}
	sb.set("AISYNC_PORT", u.Port(), "AISYNC_TOKEN", "s3cret", "AISYNC_BIN_DIR", binDir)
	return map[string]unified.Server{
		nEnvHTTP: {Transport: unified.TransportHTTP, URL: "http://127.0.0.1:" + unified.EnvRef("AISYNC_PORT") + u.Path,
			Headers: map[string]string{"Authorization": "Bearer " + unified.EnvRef("AISYNC_TOKEN")}, ToolTimeoutMs: timeoutMs},
		nEnvStdio: {Transport: unified.TransportStdio, Command: unified.EnvRef("AISYNC_BIN_DIR") + "/mcp-server-everything",
			Args: []string{"stdio"}, Env: map[string]string{"AISYNC_TOKEN": unified.EnvRef("AISYNC_TOKEN")}, ToolTimeoutMs: timeoutMs},
	}
}

const (
	nEnvHTTP  = "env-http_8"
	nEnvStdio = "env-stdio_9"
)

// checkConnected checks that the client connected to each server.
func checkConnected(t *testing.T, client string, got map[string]listed, want string, names ...string) {
	t.Helper()
	for _, n := range names {
		if g, ok := got[n]; !ok {
			t.Errorf("%s does not list %q", client, n)
		} else if g.Status != want {
			t.Errorf("%s: %q is %q, want %q: the client did not expand the environment references our adapter wrote (%s)",
				client, n, g.Status, want, js(g))
		}
	}
}

// ---------------------------------------------------------------- Codex

func codexSandbox(t *testing.T) *sandbox {
	sb := newSandbox(t)
	sb.set("CODEX_HOME", filepath.Join(sb.home, ".codex"), "RUST_LOG", "error")
	sb.mkdir(sb.vars["CODEX_HOME"])
	return sb
}

type codexServer struct {
	Name          string   `json:"name"`
	Enabled       bool     `json:"enabled"`
	StartupSec    float64  `json:"startup_timeout_sec"`
	ToolSec       float64  `json:"tool_timeout_sec"`
	EnabledTools  []string `json:"enabled_tools"` // mcp get only
	DisabledTools []string `json:"disabled_tools"`
	Transport     struct {
		Type       string            `json:"type"`
		Command    string            `json:"command"`
		Args       []string          `json:"args"`
		Env        map[string]string `json:"env"`
		EnvVars    []any             `json:"env_vars"`
		Cwd        string            `json:"cwd"`
		URL        string            `json:"url"`
		BearerEnv  string            `json:"bearer_token_env_var"`
		Headers    map[string]string `json:"http_headers"`
		EnvHeaders map[string]string `json:"env_http_headers"`
	} `json:"transport"`
}

func (c codexServer) listed() listed {
	tr := c.Transport
	l := listed{Command: tr.Command, Args: tr.Args, Env: tr.Env, Cwd: tr.Cwd, URL: tr.URL,
		Headers: tr.Headers, BearerEnv: tr.BearerEnv, Enabled: c.Enabled, Transport: tr.Type,
		StartupMs: int64(c.StartupSec * 1000), ToolMs: int64(c.ToolSec * 1000), Allow: c.EnabledTools, Deny: c.DisabledTools}
	if tr.Type == "streamable_http" {
		l.Transport = "http"
	}
	for _, v := range tr.EnvVars { // "NAME" or {name, source}
		name, _ := v.(string)
		if m, ok := v.(map[string]any); ok {
			name, _ = m["name"].(string)
		}
		if l.Env == nil {
			l.Env = map[string]string{}
		}
		l.Env[name] = "env_vars"
	}
	for k, v := range tr.EnvHeaders {
		if l.Headers == nil {
			l.Headers = map[string]string{}
		}
		l.Headers[k] = "env:" + v
	}
	return l
}

func TestCodex(t *testing.T) {
	t.Parallel()
	codex := need(t, "codex")
	a := adapter(t, "codex")

	t.Run("lists-what-we-write", func(t *testing.T) {
		t.Parallel()
		sb := codexSandbox(t)
		ep := sb.endpoint(a, clients.UserScope, nil)
		warns := sb.encode(a, ep, unified.Config{Servers: map[string]unified.Server{
			// Codex expands no ${…}: an env value that is a whole reference becomes env_vars
			// (forwarded from Codex's own environment), a bearer header bearer_token_env_var.
			// A header that is a whole reference becomes env_http_headers.
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on", "AISYNC_SECRET": unified.EnvRef("AISYNC_SECRET")}, Cwd: sb.work,
				StartupTimeoutMs: 15000, ToolTimeoutMs: 45000},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp", Headers: map[string]string{
				"X-Aisync-Probe": "yes", "X-Api-Key": unified.EnvRef("AISYNC_KEY"),
				"Authorization": "Bearer " + unified.EnvRef("AISYNC_TOKEN")},
				Tools: unified.Tools{Allow: []string{"echo", "get-sum"}, Deny: []string{"add"}}},
			nSSE: {Transport: unified.TransportSSE, URL: unreachable + "/sse"},
			nOff: {Transport: unified.TransportStdio, Command: probeCmd, Disabled: true},
		}})
		if !hasWarning(warns, clients.WarnUnsupportedTransport, nSSE) {
			t.Errorf("the codex adapter should warn that %s (SSE) cannot be written; warnings: %v", nSSE, warns)
		}

		var list []codexServer
		mustJSON(t, "codex mcp list --json", sb.mustRun(codex, "mcp", "list", "--json"), &list)
		got := map[string]listed{}
		for _, s := range list {
			got[s.Name] = s.listed()
		}
		want := map[string]listed{
			nStdio: {Transport: "stdio", Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on", "AISYNC_SECRET": "env_vars"}, Cwd: sb.work, Enabled: true,
				StartupMs: 15000, ToolMs: 45000},
			nHTTP: {Transport: "http", URL: unreachable + "/mcp",
				Headers:   map[string]string{"X-Aisync-Probe": "yes", "X-Api-Key": "env:AISYNC_KEY"},
				BearerEnv: "AISYNC_TOKEN", Enabled: true},
			nOff: {Transport: "stdio", Command: probeCmd, Enabled: false},
		}
		checkListed(t, "codex mcp list", got, want)

		// mcp get also prints the tool filters.
		var one codexServer
		mustJSON(t, "codex mcp get --json", sb.mustRun(codex, "mcp", "get", nHTTP, "--json"), &one)
		wantGet := want[nHTTP]
		wantGet.Allow, wantGet.Deny = []string{"echo", "get-sum"}, []string{"add"}
		checkListed(t, "codex mcp get", map[string]listed{one.Name: one.listed()}, map[string]listed{nHTTP: wantGet})
	})

	t.Run("project-scope", func(t *testing.T) {
		t.Parallel()
		sb := codexSandbox(t)
		sb.encode(a, sb.endpoint(a, clients.ProjectScope(sb.work), nil), unified.Config{Servers: map[string]unified.Server{
			"project-stdio_5": {Transport: unified.TransportStdio, Command: probeCmd, Args: []string{"p"}},
		}})
		list := func() map[string]listed {
			var list []codexServer
			mustJSON(t, "codex mcp list --json", sb.mustRun(codex, "mcp", "list", "--json"), &list)
			got := map[string]listed{}
			for _, s := range list {
				got[s.Name] = s.listed()
			}
			return got
		}
		// Codex reads <project>/.codex/config.toml only once the user trusts the project.
		checkNames(t, "codex mcp list (untrusted project)", list())
		trust := fmt.Sprintf("[projects.%q]\ntrust_level = \"trusted\"\n", sb.work)
		if err := os.WriteFile(filepath.Join(sb.vars["CODEX_HOME"], "config.toml"), []byte(trust), 0o600); err != nil {
			t.Fatal(err)
		}
		checkListed(t, "codex mcp list (trusted project)", list(), map[string]listed{
			"project-stdio_5": {Transport: "stdio", Command: probeCmd, Args: []string{"p"}, Enabled: true},
		})
	})

	t.Run("decodes-what-it-writes", func(t *testing.T) {
		t.Parallel()
		sb := codexSandbox(t)
		sb.mustRun(codex, append([]string{"mcp", "add", nStdio, "--env", "AISYNC_PROBE=on", "--", probeCmd}, probeArgs...)...)
		sb.mustRun(codex, "mcp", "add", nHTTP, "--url", unreachable+"/mcp", "--bearer-token-env-var", "AISYNC_TOKEN")
		ep := sb.endpoint(a, clients.UserScope, nil)
		got := sb.decode(a, ep)
		checkDecoded(t, "codex mcp add", got, map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp",
				Headers: map[string]string{"Authorization": "Bearer " + unified.EnvRef("AISYNC_TOKEN")}},
		})
		sb.checkNoop(a, ep, got)
		sb.addServer(a, ep, got, nAdded, added)
		var list []codexServer
		mustJSON(t, "codex mcp list --json", sb.mustRun(codex, "mcp", "list", "--json"), &list)
		names := map[string]listed{}
		for _, s := range list {
			names[s.Name] = s.listed()
		}
		checkNames(t, "codex mcp list (after our edit)", names, nStdio, nHTTP, nAdded)
	})
}

// ---------------------------------------------------------------- GitHub Copilot CLI

func copilotSandbox(t *testing.T) *sandbox {
	sb := newSandbox(t)
	// The CLI unpacks itself (~235 MB) into its package cache on first run;
	// scripts/realclients.sh fills this one once.
	sb.set("COPILOT_AUTO_UPDATE", "false",
		"COPILOT_PKG_CACHE_HOME", filepath.Join(filepath.Dir(binDir), ".cache", "copilot-pkg"))
	sb.mkdir(filepath.Join(sb.home, ".copilot"))
	return sb
}

type copilotServer struct {
	Type    string            `json:"type"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env"`
	Cwd     string            `json:"cwd"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Enabled bool              `json:"enabled"`
	Tools   []string          `json:"tools"`
	Timeout int64             `json:"timeout"`
}

func copilotList(t *testing.T, sb *sandbox, prog string) map[string]listed {
	t.Helper()
	var out struct {
		MCPServers map[string]copilotServer `json:"mcpServers"`
	}
	mustJSON(t, "copilot mcp list --json", sb.mustRun(prog, "mcp", "list", "--json"), &out)
	got := map[string]listed{}
	for name, s := range out.MCPServers {
		tr := s.Type
		if tr == "local" || tr == "" && s.Command != "" {
			tr = "stdio"
		}
		e := listed{Transport: tr, Command: s.Command, Args: s.Args, Env: s.Env, Cwd: s.Cwd,
			URL: s.URL, Headers: s.Headers, Enabled: s.Enabled, ToolMs: s.Timeout}
		if len(s.Tools) != 1 || s.Tools[0] != "*" {
			e.Allow = s.Tools
		}
		got[name] = e
	}
	return got
}

func TestCopilotCLI(t *testing.T) {
	t.Parallel()
	copilot := need(t, "copilot")
	a := adapter(t, "copilot-cli")

	t.Run("lists-what-we-write", func(t *testing.T) {
		t.Parallel()
		sb := copilotSandbox(t)
		sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on", "AISYNC_SECRET": unified.EnvRef("AISYNC_SECRET")}, Cwd: sb.work},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp", Headers: map[string]string{"X-Aisync-Probe": "yes"},
				ToolTimeoutMs: 12000, Tools: unified.Tools{Allow: []string{"echo"}}},
			nSSE: {Transport: unified.TransportSSE, URL: unreachable + "/sse", Headers: map[string]string{"X-Aisync-Probe": "yes"}},
			nOff: {Transport: unified.TransportStdio, Command: probeCmd, Disabled: true},
		}})
		checkListed(t, "copilot mcp list", copilotList(t, sb, copilot), map[string]listed{
			nStdio: {Transport: "stdio", Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on", "AISYNC_SECRET": "${AISYNC_SECRET}"}, Cwd: sb.work, Enabled: true},
			nHTTP: {Transport: "http", URL: unreachable + "/mcp", Headers: map[string]string{"X-Aisync-Probe": "yes"}, Enabled: true,
				ToolMs: 12000, Allow: []string{"echo"}},
			nSSE: {Transport: "sse", URL: unreachable + "/sse", Headers: map[string]string{"X-Aisync-Probe": "yes"}, Enabled: true},
			// Copilot CLI 1.0.x can hold a switched-off server: `copilot mcp disable` lists it in
			// ~/.copilot/settings.json "disabledMcpServers", and `mcp list` shows it with
			// "enabled": false. Leaving it out of the file loses it.
			nOff: {Transport: "stdio", Command: probeCmd, Enabled: false},
		})
	})

	t.Run("decodes-what-it-writes", func(t *testing.T) {
		t.Parallel()
		sb := copilotSandbox(t)
		sb.mustRun(copilot, append([]string{"mcp", "add", "--env", "AISYNC_PROBE=on", nStdio, "--", probeCmd}, probeArgs...)...)
		sb.mustRun(copilot, "mcp", "add", "--transport", "http", "--header", "X-Aisync-Probe: yes", "--timeout", "12000",
			nHTTP, unreachable+"/mcp")
		sb.mustRun(copilot, "mcp", "add", "--transport", "sse", nSSE, unreachable+"/sse")
		ep := sb.endpoint(a, clients.UserScope, nil)
		got := sb.decode(a, ep)
		checkDecoded(t, "copilot mcp add", got, map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp",
				Headers: map[string]string{"X-Aisync-Probe": "yes"}, ToolTimeoutMs: 12000},
			nSSE: {Transport: unified.TransportSSE, URL: unreachable + "/sse"},
		})
		sb.checkNoop(a, ep, got)
		sb.addServer(a, ep, got, nAdded, added)
		checkNames(t, "copilot mcp list (after our edit)", copilotList(t, sb, copilot), nStdio, nHTTP, nSSE, nAdded)
	})

	t.Run("decodes-disabled", func(t *testing.T) {
		t.Parallel()
		sb := copilotSandbox(t)
		sb.mustRun(copilot, "mcp", "add", nOff, "--", probeCmd)
		sb.mustRun(copilot, "mcp", "disable", nOff)
		settings := filepath.Join(sb.home, ".copilot", "settings.json")
		got := sb.decode(a, sb.endpoint(a, clients.UserScope, nil), settings)
		checkDecoded(t, "copilot mcp add + disable", got, map[string]unified.Server{
			// `copilot mcp disable` wrote {"disabledMcpServers": ["off-stdio_4"]} to
			// ~/.copilot/settings.json (the adapter is given that file too).
			nOff: {Transport: unified.TransportStdio, Command: probeCmd, Disabled: true},
		})
	})
}

// ---------------------------------------------------------------- Gemini CLI

func geminiSandbox(t *testing.T, trusted bool) *sandbox {
	sb := newSandbox(t)
	trust := "false"
	if trusted {
		trust = "true"
	}
	sb.set("GEMINI_CLI_NO_RELAUNCH", "true", "GEMINI_CLI_TRUST_WORKSPACE", trust)
	sb.mkdir(filepath.Join(sb.home, ".gemini"))
	return sb
}

// "✓ name: command args (stdio) - Connected", "⛔ name: url (http) - Blocked"
var geminiLine = regexp.MustCompile(`^\S+\s+(.+?): (.*) \((stdio|http|sse)\) - (\S.*)$`)

// geminiList parses `gemini mcp list`, which prints on stderr (stdout is read too).
func geminiList(t *testing.T, r result) map[string]listed {
	t.Helper()
	t.Logf("gemini mcp list:\n%s%s", r.stderr, r.stdout)
	got := map[string]listed{}
	for _, l := range lines(r.stderr + "\n" + r.stdout) {
		m := geminiLine.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		e := listed{Transport: m[3], Status: m[4]}
		if e.Transport == "stdio" {
			e.CmdLine = strings.TrimSpace(m[2])
		} else {
			e.URL = m[2]
		}
		switch m[4] {
		case "Blocked", "Disabled":
			e.Status = "" // switched off; which word depends on how (mcp.excluded or enablement)
		default:
			e.Enabled = true
		}
		got[m[1]] = e
	}
	if len(got) == 0 {
		t.Fatalf("gemini mcp list printed no server:\n%s", r)
	}
	return got
}

func TestGeminiCLI(t *testing.T) {
	t.Parallel()
	gemini := need(t, "gemini")
	everythingBin := need(t, "mcp-server-everything")
	a := adapter(t, "gemini")

	t.Run("lists-what-we-write", func(t *testing.T) {
		t.Parallel()
		httpURL, sseURL := everythingURL(t, "streamableHttp"), everythingURL(t, "sse")
		// A trusted folder, so that Gemini connects to each server it lists and "Connected"
		// proves it read transport, command and URL right. The per-server timeout (ms) also
		// bounds that connection (default 5 s, short on a loaded machine).
		sb := geminiSandbox(t, true)
		const timeout = 30000
		sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"},
				Env: map[string]string{"AISYNC_PROBE": "on"}, ToolTimeoutMs: timeout},
			nHTTP: {Transport: unified.TransportHTTP, URL: httpURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, ToolTimeoutMs: timeout},
			nSSE:  {Transport: unified.TransportSSE, URL: sseURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, ToolTimeoutMs: timeout},
			nOff:  {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"}, Disabled: true},
		}})
		got := geminiList(t, sb.mustRun(gemini, "mcp", "list"))
		checkListed(t, "gemini mcp list", got, map[string]listed{
			nStdio: {Transport: "stdio", CmdLine: everythingBin + " stdio", Enabled: true, Status: "Connected"},
			nHTTP:  {Transport: "http", URL: httpURL, Enabled: true, Status: "Connected"},
			nSSE:   {Transport: "sse", URL: sseURL, Enabled: true, Status: "Connected"},
			nOff:   {Transport: "stdio", CmdLine: everythingBin + " stdio", Enabled: false},
		})
	})

	t.Run("expands-env-refs", func(t *testing.T) {
		t.Parallel()
		httpURL := everythingURL(t, "streamableHttp")
		sb := geminiSandbox(t, true)
		sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: envRefServers(t, sb, httpURL, 30000)})
		checkConnected(t, "gemini mcp list", geminiList(t, sb.mustRun(gemini, "mcp", "list")), "Connected", nEnvHTTP, nEnvStdio)
	})

	t.Run("decodes-what-it-writes", func(t *testing.T) {
		t.Parallel()
		sb := geminiSandbox(t, false)
		// -e, -H and the tool lists take several values: each is followed by another option.
		sb.mustRun(gemini, append([]string{"mcp", "add", "-e", "AISYNC_PROBE=on", "-s", "user", nStdio, probeCmd}, probeArgs...)...)
		sb.mustRun(gemini, "mcp", "add", "--include-tools", "echo", "--exclude-tools", "add", "-H", "X-Aisync-Probe: yes",
			"--timeout", "12000", "-s", "user", "-t", "http", nHTTP, unreachable+"/mcp")
		sb.mustRun(gemini, "mcp", "add", "-H", "X-Aisync-Probe: yes", "-s", "user", "-t", "sse", nSSE, unreachable+"/sse")
		enablement := filepath.Join(sb.home, ".gemini", "mcp-server-enablement.json")
		ep := sb.endpoint(a, clients.UserScope, nil)
		got := sb.decode(a, ep, enablement)
		checkDecoded(t, "gemini mcp add -s user", got, map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp", Headers: map[string]string{"X-Aisync-Probe": "yes"},
				ToolTimeoutMs: 12000, Tools: unified.Tools{Allow: []string{"echo"}, Deny: []string{"add"}}},
			nSSE: {Transport: unified.TransportSSE, URL: unreachable + "/sse", Headers: map[string]string{"X-Aisync-Probe": "yes"}},
		})
		sb.checkNoop(a, ep, got)
		sb.addServer(a, ep, got, nAdded, added)
		// Untrusted folder (PLATFORM.md's setting): every server is listed, none is started.
		checkNames(t, "gemini mcp list (after our edit)", geminiList(t, sb.mustRun(gemini, "mcp", "list")),
			nStdio, nHTTP, nSSE, nAdded)
	})

	t.Run("decodes-project-scope", func(t *testing.T) {
		t.Parallel()
		sb := geminiSandbox(t, false)
		sb.mustRun(gemini, "mcp", "add", "project-stdio_5", probeCmd) // default scope: the project
		ep := sb.endpoint(a, clients.ProjectScope(sb.work), nil)
		got := sb.decode(a, ep)
		checkDecoded(t, "gemini mcp add (project)", got, map[string]unified.Server{
			"project-stdio_5": {Transport: unified.TransportStdio, Command: probeCmd},
		})
		sb.checkNoop(a, ep, got)
	})
}

// ---------------------------------------------------------------- Claude Code

func claudeSandbox(t *testing.T) *sandbox {
	sb := newSandbox(t)
	// MCP_TIMEOUT bounds each health check's connection; 5 s is short for starting a Node
	// server on a loaded machine, and refused connections fail at once anyway.
	sb.set("MCP_TIMEOUT", "20000", "DISABLE_AUTOUPDATER", "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1",
		"DISABLE_TELEMETRY", "1", "DISABLE_ERROR_REPORTING", "1")
	sb.mkdir(filepath.Join(sb.home, ".claude"))
	return sb
}

// "name: command args - ✔ Connected", "name: url (HTTP) - ✘ Failed to connect"
var claudeLine = regexp.MustCompile(`^(.+?): (.*) - (\S.*)$`)

func claudeList(t *testing.T, r result) map[string]listed {
	t.Helper()
	t.Logf("claude mcp list:\n%s", r.stdout)
	got := map[string]listed{}
	for _, l := range lines(r.stdout) {
		m := claudeLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		e := listed{Status: claudeStatus(m[3])}
		switch rest := m[2]; {
		case strings.HasSuffix(rest, " (HTTP)"):
			e.Transport, e.URL = "http", strings.TrimSuffix(rest, " (HTTP)")
		case strings.HasSuffix(rest, " (SSE)"):
			e.Transport, e.URL = "sse", strings.TrimSuffix(rest, " (SSE)")
		default:
			e.Transport, e.CmdLine = "stdio", strings.TrimSpace(rest)
		}
		got[m[1]] = e
	}
	if len(got) == 0 {
		t.Fatalf("claude mcp list printed no server:\n%s", r)
	}
	return got
}

// claudeStatus drops the status icon: "✔ Connected" → "Connected".
func claudeStatus(s string) string {
	if f := strings.Fields(s); len(f) > 1 && !strings.ContainsAny(f[0], "abcdefghijklmnopqrstuvwxyz") {
		return strings.Join(f[1:], " ")
	}
	return s
}

// claudeGet parses `claude mcp get NAME`: "  Type: http", "  Headers:" + "    K: V", …
func claudeGet(t *testing.T, r result) (listed, string) {
	t.Helper()
	var e listed
	var scope, block, args string
	for _, l := range lines(r.stdout) {
		if strings.HasPrefix(l, "    ") && block != "" {
			kv := strings.TrimSpace(l)
			switch block {
			case "Headers":
				if k, v, ok := strings.Cut(kv, ": "); ok {
					if e.Headers == nil {
						e.Headers = map[string]string{}
					}
					e.Headers[k] = v
				}
			case "Environment":
				if k, v, ok := strings.Cut(kv, "="); ok {
					if e.Env == nil {
						e.Env = map[string]string{}
					}
					e.Env[k] = v
				}
			}
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok || !strings.HasPrefix(l, "  ") {
			continue
		}
		v = strings.TrimSpace(v)
		block = ""
		switch k {
		case "Scope":
			scope = v
		case "Status":
			e.Status = claudeStatus(v)
		case "Type":
			e.Transport = v
		case "URL":
			e.URL = v
		case "Command":
			e.Command = v
		case "Args":
			args = v
		case "Headers", "Environment":
			block = k
		}
	}
	if e.Transport == "stdio" {
		e.CmdLine = strings.TrimSpace(e.Command + " " + args)
	}
	if e.Transport == "" {
		t.Fatalf("claude mcp get printed no server:\n%s", r)
	}
	return e, scope
}

func TestClaudeCode(t *testing.T) {
	t.Parallel()
	claude := need(t, "claude")
	everythingBin := need(t, "mcp-server-everything")
	a := adapter(t, "claude-code")

	t.Run("lists-what-we-write", func(t *testing.T) {
		t.Parallel()
		httpURL, sseURL := everythingURL(t, "streamableHttp"), everythingURL(t, "sse")
		sb := claudeSandbox(t)
		warns := sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"},
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: httpURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}},
			nSSE:  {Transport: unified.TransportSSE, URL: sseURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}},
			// ~/.claude.json can switch a server off only per project, so the user scope
			// leaves it out (with a warning); the local scope below keeps it.
			nOff: {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"}, Disabled: true},
		}})
		if !hasWarning(warns, clients.WarnDroppedField, nOff) {
			t.Errorf("the claude-code adapter should warn that the disabled %s is left out of the user scope; warnings: %v", nOff, warns)
		}
		cmdLine := everythingBin + " stdio"
		checkListed(t, "claude mcp list", claudeList(t, sb.mustRun(claude, "mcp", "list")), map[string]listed{
			nStdio: {Transport: "stdio", CmdLine: cmdLine, Status: "Connected"},
			nHTTP:  {Transport: "http", URL: httpURL, Status: "Connected"},
			nSSE:   {Transport: "sse", URL: sseURL, Status: "Connected"},
		})
		want := map[string]listed{
			nStdio: {Transport: "stdio", Command: everythingBin, CmdLine: cmdLine, Env: map[string]string{"AISYNC_PROBE": "on"}, Status: "Connected"},
			nHTTP:  {Transport: "http", URL: httpURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, Status: "Connected"},
			nSSE:   {Transport: "sse", URL: sseURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, Status: "Connected"},
		}
		for _, name := range []string{nStdio, nHTTP} {
			e, scope := claudeGet(t, sb.mustRun(claude, "mcp", "get", name))
			if !strings.HasPrefix(scope, "User config") {
				t.Errorf("claude mcp get %s: scope %q, want User config", name, scope)
			}
			checkListed(t, "claude mcp get", map[string]listed{name: e}, map[string]listed{name: want[name]})
		}
	})

	t.Run("expands-env-refs", func(t *testing.T) {
		t.Parallel()
		httpURL := everythingURL(t, "streamableHttp")
		sb := claudeSandbox(t)
		sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: envRefServers(t, sb, httpURL, 0)})
		checkConnected(t, "claude mcp list", claudeList(t, sb.mustRun(claude, "mcp", "list")), "Connected", nEnvHTTP, nEnvStdio)
	})

	t.Run("project-scope", func(t *testing.T) {
		t.Parallel()
		sb := claudeSandbox(t)
		// The team's .mcp.json, as `claude mcp add --scope project` writes it.
		sb.mustRun(claude, "mcp", "add", "--scope", "project", "shared-stdio_7", "--", probeCmd, "x")
		scope := clients.ProjectScope(sb.work)
		ep := sb.endpoint(a, scope, nil)
		got := sb.decode(a, ep)
		checkDecoded(t, "claude mcp add --scope project", got, map[string]unified.Server{
			"shared-stdio_7": {Transport: unified.TransportStdio, Command: probeCmd, Args: []string{"x"}},
		})
		sb.checkNoop(a, ep, got)
		next := got.Clone()
		next.Servers["local-only_5"] = unified.Server{Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"}}
		next.Servers["local-off_6"] = unified.Server{Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"}, Disabled: true}
		sb.encode(a, ep, next)
		// New servers go to the local scope: .mcp.json keeps only the team's server, and the
		// team's server is not copied into the local scope (which would skip its approval).
		shared, err := os.ReadFile(filepath.Join(sb.work, ".mcp.json"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(shared), "local-") || !strings.Contains(string(shared), "shared-stdio_7") {
			t.Errorf(".mcp.json should hold only the team's server:\n%s", shared)
		}
		// Claude Code 2.1.x `mcp list` health-checks every server, switched off or not, and
		// prints no enabled state: the disabled one is only seen to be read from the project.
		shown := claudeList(t, sb.mustRun(claude, "mcp", "list"))
		cmdLine := everythingBin + " stdio"
		if e, ok := shown["shared-stdio_7"]; ok && strings.HasPrefix(e.Status, "Pending approval") {
			e.Status = "" // .mcp.json servers wait for the user's consent; not started
			shown["shared-stdio_7"] = e
		}
		checkListed(t, "claude mcp list (project)", shown, map[string]listed{
			"local-only_5":   {Transport: "stdio", CmdLine: cmdLine, Status: "Connected"},
			"local-off_6":    {Transport: "stdio", CmdLine: cmdLine, Status: "Connected"},
			"shared-stdio_7": {Transport: "stdio", CmdLine: probeCmd + " x"},
		})
		for name, want := range map[string]string{"local-only_5": "Local config", "local-off_6": "Local config", "shared-stdio_7": "Project config"} {
			if _, scope := claudeGet(t, sb.mustRun(claude, "mcp", "get", name)); !strings.HasPrefix(scope, want) {
				t.Errorf("claude mcp get %s: scope %q, want %s", name, scope, want)
			}
		}
		// What Claude Code's own commands left behind reads back as what was written.
		checkDecoded(t, "the project after our edit", sb.decode(a, ep), next.Servers)
	})

	t.Run("decodes-what-it-writes", func(t *testing.T) {
		t.Parallel()
		sb := claudeSandbox(t)
		// -e and -H take several values: each is followed by another option.
		sb.mustRun(claude, append([]string{"mcp", "add", "-e", "AISYNC_PROBE=on", "--scope", "user", nStdio, "--", probeCmd}, probeArgs...)...)
		sb.mustRun(claude, "mcp", "add", "-H", "X-Aisync-Probe: yes", "--scope", "user", "--transport", "http", nHTTP, unreachable+"/mcp")
		sb.mustRun(claude, "mcp", "add", "-H", "X-Aisync-Probe: yes", "--scope", "user", "--transport", "sse", nSSE, unreachable+"/sse")
		ep := sb.endpoint(a, clients.UserScope, nil)
		got := sb.decode(a, ep)
		checkDecoded(t, "claude mcp add --scope user", got, map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: probeArgs,
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp", Headers: map[string]string{"X-Aisync-Probe": "yes"}},
			nSSE:  {Transport: unified.TransportSSE, URL: unreachable + "/sse", Headers: map[string]string{"X-Aisync-Probe": "yes"}},
		})
		sb.checkNoop(a, ep, got)
		sb.addServer(a, ep, got, nAdded, added)
		checkNames(t, "claude mcp list (after our edit)", claudeList(t, sb.mustRun(claude, "mcp", "list")),
			nStdio, nHTTP, nSSE, nAdded)
	})

	t.Run("decodes-local-scope", func(t *testing.T) {
		t.Parallel()
		sb := claudeSandbox(t)
		sb.mustRun(claude, "mcp", "add", "local-only_5", "--", probeCmd) // default scope: local (this project)
		ep := sb.endpoint(a, clients.ProjectScope(sb.work), func(ep clients.Endpoint) bool { return ep.Key != "" })
		got := sb.decode(a, ep)
		checkDecoded(t, "claude mcp add (local)", got, map[string]unified.Server{
			"local-only_5": {Transport: unified.TransportStdio, Command: probeCmd},
		})
		sb.checkNoop(a, ep, got)
	})
}

// ---------------------------------------------------------------- opencode

func opencodeSandbox(t *testing.T) *sandbox {
	sb := newSandbox(t)
	sb.set("OPENCODE_DISABLE_AUTOUPDATE", "1", "OPENCODE_DISABLE_MODELS_FETCH", "1",
		"OPENCODE_DISABLE_LSP_DOWNLOAD", "1", "OPENCODE_DISABLE_SHARE", "1")
	sb.mkdir(filepath.Join(sb.vars["XDG_CONFIG_HOME"], "opencode"))
	return sb
}

// opencodeList parses `opencode mcp list`:
//
//	●  ✓ name connected
//	│      (an error line, when there is one)
//	│      command args | url
var opencodeHead = regexp.MustCompile(`^\S+\s+(\S+)\s+(\S+)\s+(\S.*)$`)

func opencodeList(t *testing.T, r result) map[string]listed {
	t.Helper()
	t.Logf("opencode mcp list:\n%s", ansi.ReplaceAllString(r.stdout, ""))
	got := map[string]listed{}
	var name string
	var e listed
	flush := func() {
		if name != "" {
			got[name] = e
		}
		name, e = "", listed{}
	}
	for _, l := range lines(r.stdout) {
		switch {
		case strings.HasPrefix(l, "│"):
			if d := strings.TrimSpace(strings.TrimPrefix(l, "│")); d != "" && name != "" {
				e.CmdLine = d // the last detail line is the command or the URL
			}
		case strings.HasPrefix(l, "┌"), strings.HasPrefix(l, "└"), strings.TrimSpace(l) == "":
			flush()
		default:
			flush()
			if m := opencodeHead.FindStringSubmatch(l); m != nil {
				name = m[2]
				e = listed{Status: m[3], Enabled: m[3] != "disabled"}
			}
		}
	}
	flush()
	for n, e := range got {
		if strings.HasPrefix(e.CmdLine, "http://") || strings.HasPrefix(e.CmdLine, "https://") {
			e.URL, e.CmdLine = e.CmdLine, ""
		}
		got[n] = e
	}
	if len(got) == 0 {
		t.Fatalf("opencode mcp list printed no server:\n%s", r)
	}
	return got
}

// opencodeConfig is `opencode debug config`: the merged configuration opencode resolved.
func opencodeConfig(t *testing.T, sb *sandbox, prog string) map[string]listed {
	t.Helper()
	var cfg struct {
		MCP map[string]struct {
			Type        string            `json:"type"`
			Command     []string          `json:"command"`
			Environment map[string]string `json:"environment"`
			Cwd         string            `json:"cwd"`
			URL         string            `json:"url"`
			Headers     map[string]string `json:"headers"`
			Enabled     *bool             `json:"enabled"`
			Timeout     int64             `json:"timeout"`
		} `json:"mcp"`
	}
	mustJSON(t, "opencode debug config", sb.mustRun(prog, "debug", "config", "--pure"), &cfg)
	got := map[string]listed{}
	for name, s := range cfg.MCP {
		e := listed{Env: s.Environment, Cwd: s.Cwd, URL: s.URL, Headers: s.Headers, Enabled: s.Enabled == nil || *s.Enabled,
			ToolMs: s.Timeout}
		switch s.Type {
		case "local":
			e.Transport = "stdio"
		case "remote":
			e.Transport = "http"
		default:
			e.Transport = s.Type
		}
		if len(s.Command) > 0 {
			e.Command, e.Args = s.Command[0], s.Command[1:]
		}
		got[name] = e
	}
	return got
}

// unmask puts back header values that the client printed masked ("***").
func unmask(got, want map[string]listed) {
	for name, g := range got {
		for k, v := range g.Headers {
			if strings.Trim(v, "*") == "" && want[name].Headers[k] != "" {
				g.Headers[k] = want[name].Headers[k]
			}
		}
	}
}

func TestOpencode(t *testing.T) {
	t.Parallel()
	opencode := need(t, "opencode")
	everythingBin := need(t, "mcp-server-everything")
	a := adapter(t, "opencode")

	t.Run("lists-what-we-write", func(t *testing.T) {
		t.Parallel()
		httpURL, sseURL := everythingURL(t, "streamableHttp"), everythingURL(t, "sse")
		sb := opencodeSandbox(t)
		// timeout (ms) also bounds opencode's connection while listing (default 5 s).
		const timeout = 30000
		warns := sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"},
				Env: map[string]string{"AISYNC_PROBE": "on"}, Cwd: sb.work, ToolTimeoutMs: timeout},
			nHTTP: {Transport: unified.TransportHTTP, URL: httpURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, ToolTimeoutMs: timeout},
			nSSE:  {Transport: unified.TransportSSE, URL: sseURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, ToolTimeoutMs: timeout},
			nOff:  {Transport: unified.TransportStdio, Command: everythingBin, Args: []string{"stdio"}, Disabled: true},
		}})
		if !hasWarning(warns, clients.WarnUnsupportedTransport, nSSE) {
			t.Errorf("the opencode adapter should warn that %s (SSE) becomes a plain remote server; warnings: %v", nSSE, warns)
		}
		cmdLine := everythingBin + " stdio"
		checkListed(t, "opencode mcp list", opencodeList(t, sb.mustRun(opencode, "mcp", "list", "--pure")), map[string]listed{
			nStdio: {CmdLine: cmdLine, Enabled: true, Status: "connected"},
			nHTTP:  {URL: httpURL, Enabled: true, Status: "connected"},
			nSSE:   {URL: sseURL, Enabled: true, Status: "connected"}, // opencode falls back to SSE itself
			nOff:   {CmdLine: cmdLine, Enabled: false, Status: "disabled"},
		})
		want := map[string]listed{
			nStdio: {Transport: "stdio", Command: everythingBin, Args: []string{"stdio"},
				Env: map[string]string{"AISYNC_PROBE": "on"}, Cwd: sb.work, Enabled: true, ToolMs: timeout},
			nHTTP: {Transport: "http", URL: httpURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, Enabled: true, ToolMs: timeout},
			nSSE:  {Transport: "http", URL: sseURL, Headers: map[string]string{"X-Aisync-Probe": "yes"}, Enabled: true, ToolMs: timeout},
			nOff:  {Transport: "stdio", Command: everythingBin, Args: []string{"stdio"}, Enabled: false},
		}
		got := opencodeConfig(t, sb, opencode)
		unmask(got, want)
		checkListed(t, "opencode debug config", got, want)
	})

	t.Run("expands-env-refs", func(t *testing.T) {
		t.Parallel()
		httpURL := everythingURL(t, "streamableHttp")
		sb := opencodeSandbox(t)
		sb.encode(a, sb.endpoint(a, clients.UserScope, nil), unified.Config{Servers: envRefServers(t, sb, httpURL, 30000)})
		checkConnected(t, "opencode mcp list", opencodeList(t, sb.mustRun(opencode, "mcp", "list", "--pure")), "connected", nEnvHTTP, nEnvStdio)
	})

	t.Run("decodes-what-it-writes", func(t *testing.T) {
		t.Parallel()
		sb := opencodeSandbox(t)
		// opencode 1.18's `mcp add` stores an argument that looks like a number as a JSON
		// number ("command": ["x", "--port", 0]) and then rejects its own file ("Expected
		// string, got 0 mcp.<name>.command.2"), so no numeric argument here.
		args := []string{"--port", "auto", "two words"}
		sb.mustRun(opencode, append([]string{"mcp", "add", nStdio, "--env", "AISYNC_PROBE=on", "--", probeCmd}, args...)...)
		sb.mustRun(opencode, "mcp", "add", nHTTP, "--url", unreachable+"/mcp", "--header", "X-Aisync-Probe=yes")
		// opencode writes ~/.config/opencode/opencode.jsonc when there is no config yet.
		ep := sb.endpoint(a, clients.UserScope, nil)
		if filepath.Base(ep.Path) != "opencode.jsonc" {
			t.Errorf("the opencode adapter's user endpoint is %s, but opencode wrote opencode.jsonc", ep.Path)
		}
		got := sb.decode(a, ep)
		checkDecoded(t, "opencode mcp add", got, map[string]unified.Server{
			nStdio: {Transport: unified.TransportStdio, Command: probeCmd, Args: args,
				Env: map[string]string{"AISYNC_PROBE": "on"}},
			nHTTP: {Transport: unified.TransportHTTP, URL: unreachable + "/mcp", Headers: map[string]string{"X-Aisync-Probe": "yes"}},
		})
		sb.checkNoop(a, ep, got)
		sb.addServer(a, ep, got, nAdded, added)
		checkNames(t, "opencode mcp list (after our edit)", opencodeList(t, sb.mustRun(opencode, "mcp", "list", "--pure")),
			nStdio, nHTTP, nAdded)
	})
}
