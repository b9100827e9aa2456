package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// home is one temporary HOME with aisync's data dir beside it.
type home struct {
	Root     string // parent of Dir and Data
	Dir      string // $HOME
	Data     string // $AISYNC_DATA_DIR
	Projects []string
	Token    string
}

func newHome(c *config, name string) *home {
	root, err := os.MkdirTemp(c.Work, name+"-")
	must(err)
	h := &home{Root: root, Dir: filepath.Join(root, "home"), Data: filepath.Join(root, "data"), Token: "bench-token-0123456789abcdef"}
	must(os.MkdirAll(h.Dir, 0o755))
	return h
}

// aisyncExtraEnv are the --aisync-env settings (empty: defaults, as the targets assume).
var aisyncExtraEnv []string

// env is the whole environment of an aisync process: nothing of the caller's leaks in except
// PATH, so that no client relocation variable or .env file changes what is measured.
func (h *home) env(extra ...string) []string {
	e := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + h.Dir,
		"XDG_CONFIG_HOME=" + filepath.Join(h.Dir, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(h.Dir, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(h.Dir, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(h.Dir, ".local", "state"),
		"LANG=C.UTF-8",
		"TZ=UTC",
		"AISYNC_DATA_DIR=" + h.Data,
		"AISYNC_ENV_FILE=",
		"AISYNC_SECRETS_BACKEND=file",
		"AISYNC_API_TOKEN=" + h.Token,
	}
	if len(h.Projects) > 0 {
		e = append(e, "AISYNC_PROJECTS="+strings.Join(h.Projects, string(os.PathListSeparator)))
	}
	e = append(e, aisyncExtraEnv...)
	return append(e, extra...)
}

// command runs aisync once (bounded) and returns stdout.
func (h *home) command(ctx context.Context, bin string, timeout time.Duration, args ...string) ([]byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = h.env()
	cmd.Dir = h.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	d := time.Since(start)
	if err != nil {
		// exit status 3 (conflicts waiting) still produced a result
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
			return out, d, nil
		}
		return out, d, fmt.Errorf("aisync %s: %v: %s", strings.Join(args, " "), err, tail(stderr.String(), 600))
	}
	return out, d, nil
}

// ---- what the binary says about its clients

type clientInfo struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Detected  bool           `json:"detected"`
	Endpoints []endpointInfo `json:"endpoints"`
}

type endpointInfo struct {
	Path     string   `json:"path"`
	Format   string   `json:"format"`
	Sections []string `json:"sections"`
	Pattern  string   `json:"pattern"`
	Scope    string   `json:"scope"` // "user" or "project:/abs/path"
}

// root is the project folder of a project endpoint, "" for the user scope.
func (e endpointInfo) root() string { return strings.TrimPrefix(e.Scope, "project:") }

func (e endpointInfo) inScope(projectRoot string) bool {
	if projectRoot == "" {
		return e.Scope == "user"
	}
	return e.Scope == "project:"+projectRoot
}

func (e endpointInfo) has(section string) bool {
	for _, s := range e.Sections {
		if s == section {
			return true
		}
	}
	return false
}

// discover asks the binary which clients it knows and where their files are for this HOME
// (and its projects). It uses a throwaway data dir so the measured one stays untouched.
func (h *home) discover(ctx context.Context, bin string) []clientInfo {
	probe := *h
	probe.Data = filepath.Join(h.Root, "discover-data")
	defer os.RemoveAll(probe.Data)
	out, _, err := probe.command(ctx, bin, time.Minute, "clients", "--all", "--json")
	must(err)
	var list []clientInfo
	must(json.Unmarshal(out, &list))
	return list
}

// serversEndpoint is the client's file for MCP servers in a scope ("" = user scope).
func (c clientInfo) serversEndpoint(projectRoot string) (endpointInfo, bool) {
	for _, e := range c.Endpoints {
		if e.Format == "ruledir" || !e.has("servers") {
			continue
		}
		if e.inScope(projectRoot) {
			return e, true
		}
	}
	return endpointInfo{}, false
}

func (c clientInfo) rulesDir(projectRoot string) (endpointInfo, bool) {
	for _, e := range c.Endpoints {
		if e.Format != "ruledir" || !e.has("rules") {
			continue
		}
		if e.inScope(projectRoot) {
			return e, true
		}
	}
	return endpointInfo{}, false
}

// preferred is the order in which clients are enabled when fewer than all are wanted.
var preferred = []string{"cursor", "claude-code", "vscode", "codex", "gemini", "windsurf", "copilot-cli",
	"opencode", "cline", "kiro", "amazonq", "roo", "claude-desktop", "zed", "continue", "goose"}

func rankOf(id string) int {
	for i, p := range preferred {
		if p == id {
			return i
		}
	}
	return len(preferred)
}

// chooseClients picks up to n clients that have a user-scope servers file, cursor first.
func chooseClients(list []clientInfo, n int) []clientInfo {
	var out []clientInfo
	for _, c := range list {
		if _, ok := c.serversEndpoint(""); ok {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rankOf(out[i].ID) < rankOf(out[j].ID) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// emptyContent is a valid empty config file of a format.
func emptyContent(format string) []byte {
	switch format {
	case "json", "jsonc":
		return []byte("{}\n")
	}
	return nil // toml, yaml, markdown: an empty file
}

// createServersFile makes the client's servers file (and so its folder), which is what makes
// aisync detect it.
func createServersFile(ep endpointInfo, content []byte) {
	must(os.MkdirAll(filepath.Dir(ep.Path), 0o755))
	if content == nil {
		content = emptyContent(ep.Format)
	}
	must(os.WriteFile(ep.Path, content, 0o644))
}

// ---- content

type server struct {
	Name    string
	Command string
	Args    []string
	Env     map[string]string
}

func benchServers(prefix string, n int) []server {
	out := make([]server, n)
	for i := range out {
		out[i] = server{Name: fmt.Sprintf("%s-%04d", prefix, i), Command: "node",
			Args: []string{fmt.Sprintf("servers/%s-%d.js", prefix, i), "--port", fmt.Sprint(9000 + i)},
			Env:  map[string]string{"MODE": "bench", "INDEX": fmt.Sprint(i)}}
	}
	return out
}

// marker is what an edit puts into the probe server; the harness finds it in every file.
func marker(seq int) string { return fmt.Sprintf("bench-seq-%06d", seq) }

func probe(seq int) server {
	return server{Name: "bench-probe", Command: "node", Args: []string{"probe.js", marker(seq)}}
}

// mcpServersJSON is Cursor's (and most clients') {"mcpServers": {...}} file, in order.
func mcpServersJSON(key string, servers []server) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"" + key + "\": {")
	for i, s := range servers {
		if i > 0 {
			b.WriteString(",")
		}
		obj := struct {
			Command string            `json:"command"`
			Args    []string          `json:"args,omitempty"`
			Env     map[string]string `json:"env,omitempty"`
		}{s.Command, s.Args, s.Env}
		v, _ := json.MarshalIndent(obj, "    ", "  ")
		name, _ := json.Marshal(s.Name)
		fmt.Fprintf(&b, "\n    %s: %s", name, v)
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

// ruleFile is a rule in the plain one-rule-per-file form (Cline, Kiro, Roo: no frontmatter).
func ruleFile(i int) []byte {
	return []byte(fmt.Sprintf("# Rule %04d\n\nWhen working on module %d, prefer small functions and explicit errors.\nKeep line %d of the style guide in mind; run the tests before committing.\n", i, i, i))
}

// cursorRule is a Cursor .mdc rule that always applies.
func cursorRule(i int) []byte {
	return []byte(fmt.Sprintf("---\ndescription: Bench rule %04d\nalwaysApply: true\n---\n\n# Rule %04d\n\nWhen working on module %d, prefer small functions and explicit errors.\n", i, i, i))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
