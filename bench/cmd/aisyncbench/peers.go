package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/tailscale/hujson"
)

// The side-by-side phase: the same N servers and M rules, in each tool's own input format,
// turned into the files of Claude Code, Cursor, Codex, Gemini CLI and VS Code/Copilot.

var peerTargets = []string{"Claude Code", "Cursor", "Codex", "Gemini CLI", "VS Code/Copilot"}

// peerTool describes how one tool is prepared, run and checked.
type peerTool struct {
	name    string
	version string
	prepare func(dir string, servers []server, rules int) // writes the input into dir (a project)
	args    []string                                      // command line, run in dir
	env     func(dir string) []string
	// outputs maps each target to the file holding its servers and the key of the server
	// map ("" for TOML mcp_servers); missing means the tool cannot target it.
	outputs map[string]peerOutput
	note    string
}

type peerOutput struct {
	rel, key, comment string
	// inProject: the servers map is under projects["<absolute project path>"] (Claude Code's
	// local scope in ~/.claude.json).
	inProject bool
}

type peerRun struct {
	Tool    string             `json:"tool"`
	N       int                `json:"servers"`
	M       int                `json:"rules"`
	Fresh   []float64          `json:"freshMs"`
	Rerun   []float64          `json:"rerunMs"`
	Checks  map[string]string  `json:"checks"`
	Errors  []string           `json:"errors,omitempty"`
	Medians map[string]float64 `json:"medians"`
}

func peerVersion(dir, pkg string) string {
	var p struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil || json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Version
}

func runPeers(ctx context.Context, c *config) section {
	sec := section{Name: "peers"}
	rsBin := filepath.Join(c.PeersDir, "node_modules", ".bin", "rulesync")
	ruBin := filepath.Join(c.PeersDir, "node_modules", ".bin", "ruler")
	tools := []peerTool{aisyncTool(c)}
	for _, t := range []struct {
		bin string
		mk  func(string, string) peerTool
		pkg string
	}{{rsBin, rulesyncTool, "rulesync"}, {ruBin, rulerTool, "@intellectronica/ruler"}} {
		if _, err := os.Stat(t.bin); err != nil {
			sec.note("%s is not installed in %s (run `npm ci` there, or scripts/bench.sh does it); skipped.", t.pkg, c.PeersDir)
			continue
		}
		tools = append(tools, t.mk(t.bin, peerVersion(c.PeersDir, t.pkg)))
	}
	var runs []peerRun
	speed := table{Title: fmt.Sprintf("Median wall time of one run (ms; fresh output tree each run, %d runs each, tools alternating)", c.PeerRuns),
		Header: []string{"servers / rules"}}
	for _, t := range tools {
		speed.Header = append(speed.Header, strings.TrimSpace(t.name+" "+t.version))
	}
	for _, t := range tools[1:] {
		speed.Header = append(speed.Header, t.name+" ÷ aisync")
	}
	rerun := table{Title: "Median wall time of a second run on the output it just produced (no change; ms)", Header: []string{"servers / rules"}}
	for _, t := range tools {
		rerun.Header = append(rerun.Header, t.name)
	}
	correct := table{Title: "Correctness: server names in each produced file vs the input (✓ = same set)", Header: append([]string{"tool", "servers"}, peerTargets...)}

	for _, n := range c.PeerSizes {
		if ctx.Err() != nil {
			break
		}
		m := max(2, n/5)
		servers := benchServers("srv", n)
		want := map[string]bool{}
		for _, s := range servers {
			want[s.Name] = true
		}
		base := filepath.Join(c.Work, fmt.Sprintf("peers-%d", n))
		res := make([]peerRun, len(tools))
		for i, t := range tools {
			res[i] = peerRun{Tool: t.name, N: n, M: m, Checks: map[string]string{}}
			t.prepare(filepath.Join(base, t.name, "template"), servers, m)
		}
		logf("peers: %d servers, %d rules, %d runs × %d tools", n, m, c.PeerRuns, len(tools))
		for r := 0; r < c.PeerRuns && ctx.Err() == nil; r++ {
			for k := range tools {
				i := (k + r) % len(tools) // alternate the order
				t := tools[i]
				runDir := filepath.Join(base, t.name, fmt.Sprintf("run-%d", r))
				copyTree(filepath.Join(base, t.name, "template"), runDir)
				proj := filepath.Join(runDir, "project")
				d, err := timeCmd(ctx, t, proj)
				if err != nil {
					res[i].Errors = append(res[i].Errors, err.Error())
					continue
				}
				res[i].Fresh = append(res[i].Fresh, d)
				if r == 0 {
					for _, target := range peerTargets {
						res[i].Checks[target] = checkOutput(t, proj, target, want)
					}
				}
				if d2, err := timeCmd(ctx, t, proj); err == nil {
					res[i].Rerun = append(res[i].Rerun, d2)
				}
				if r > 0 {
					os.RemoveAll(runDir)
				}
			}
		}
		label := fmt.Sprintf("%d / %d", n, m)
		srow, rrow := []string{label}, []string{label}
		for i := range res {
			res[i].Medians = map[string]float64{"fresh": median(res[i].Fresh), "rerun": median(res[i].Rerun)}
			srow = append(srow, f1(res[i].Medians["fresh"]))
			rrow = append(rrow, f1(res[i].Medians["rerun"]))
		}
		a := res[0].Medians["fresh"]
		for i := 1; i < len(res); i++ {
			ratio := res[i].Medians["fresh"] / a
			srow = append(srow, ratioText(ratio))
			sec.add(fmt.Sprintf("%d servers / %d rules: %s time ÷ aisync time", n, m, tools[i].name), fmt.Sprintf("%s (%s vs %s ms)", ratioText(ratio), f1(res[i].Medians["fresh"]), f1(a)), "≥ 10×", atLeast(ratio, 10))
		}
		speed.Rows = append(speed.Rows, srow)
		rerun.Rows = append(rerun.Rows, rrow)
		for i, t := range tools {
			row := []string{t.name, fmt.Sprint(n)}
			for _, target := range peerTargets {
				row = append(row, res[i].Checks[target])
			}
			correct.Rows = append(correct.Rows, row)
			for _, e := range res[i].Errors {
				sec.note("%s at %d servers: %s", t.name, n, e)
			}
		}
		runs = append(runs, res...)
	}
	sec.Tables = append(sec.Tables, speed, rerun, correct)
	for _, t := range tools {
		if t.note != "" {
			sec.note("%s: %s", t.name, t.note)
		}
	}
	sec.note("aisync ran as %s.", filepath.Base(tools[0].args[0]))
	for i, bin := range []string{c.Bin, c.HeadlessBin} {
		if bin != "" && (i == 0 || bin != c.Bin) {
			sec.note("Start-up of `%s version` (median of 20 runs, the floor under every aisync run above): %.1f ms.", filepath.Base(bin), versionStart(ctx, bin))
		}
	}
	sec.note("Rules: M = max(2, N/5). Every run includes process start-up (Go binary for aisync; Node %s for the others). aisync's \"fresh\" run starts from an empty database, as a first `aisync sync --once` would.", strings.TrimPrefix(describeNode(), "v"))
	sec.Data = runs
	return sec
}

func describeNode() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func timeCmd(ctx context.Context, t peerTool, proj string) (float64, error) {
	wall, _, err := timeCmdCPU(ctx, t, proj)
	return wall, err
}

// timeCmdCPU is timeCmd that also returns the CPU time (user + system) the command used.
func timeCmdCPU(ctx context.Context, t peerTool, proj string) (wall, cpu float64, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, t.args[0], t.args[1:]...)
	cmd.Dir = proj
	cmd.Env = t.env(proj)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if cmd.ProcessState != nil {
		cpu = ms(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime())
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 && strings.HasPrefix(t.name, "aisync") {
			return ms(d), cpu, nil // conflicts waiting: still a completed pass
		}
		return 0, 0, fmt.Errorf("%s: %v: %s", strings.Join(t.args, " "), err, tail(out.String(), 400))
	}
	return ms(d), cpu, nil
}

// ---- the three tools

func peerEnv(proj string, extra ...string) []string {
	h := filepath.Join(filepath.Dir(proj), "home")
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + h, "XDG_CONFIG_HOME=" + filepath.Join(h, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(h, ".local", "share"), "XDG_CACHE_HOME=" + filepath.Join(h, ".cache"),
		"LANG=C.UTF-8", "NO_COLOR=1"}, extra...)
}

// aisyncTool runs `aisync sync --once` from the headless build when there is one: the CLI
// build for scripts and servers, which loads no GUI library at start-up (the desktop build
// spends some 40 ms of every run loading GTK and WebKitGTK; runPeers reports both start-ups).
func aisyncTool(c *config) peerTool {
	bin := c.Bin
	if c.HeadlessBin != "" {
		bin = c.HeadlessBin
	}
	return peerTool{
		name: "aisync", version: "",
		args: []string{bin, "sync", "--once"},
		env: func(proj string) []string {
			return append(peerEnv(proj, "AISYNC_DATA_DIR="+filepath.Join(filepath.Dir(proj), "data"), "AISYNC_PROJECTS="+proj,
				"AISYNC_ENV_FILE=", "AISYNC_SECRETS_BACKEND=file"), aisyncExtraEnv...)
		},
		prepare: func(dir string, servers []server, rules int) {
			h, proj := filepath.Join(dir, "home"), filepath.Join(dir, "project")
			// the five clients are installed (user-level folders) and used in the project
			for _, d := range []string{".cursor", ".config/Code/User", ".codex", ".gemini"} {
				must(os.MkdirAll(filepath.Join(h, d), 0o755))
			}
			must(os.WriteFile(filepath.Join(h, ".claude.json"), []byte("{}\n"), 0o644))
			for _, d := range []string{".cursor/rules", ".vscode", ".codex", ".gemini"} {
				must(os.MkdirAll(filepath.Join(proj, d), 0o755))
			}
			must(os.WriteFile(filepath.Join(proj, ".cursor", "mcp.json"), mcpServersJSON("mcpServers", servers), 0o644))
			for i := range rules {
				must(os.WriteFile(filepath.Join(proj, ".cursor", "rules", fmt.Sprintf("rule-%04d.mdc", i)), cursorRule(i), 0o644))
			}
		},
		outputs: map[string]peerOutput{
			"Claude Code": {rel: "../home/.claude.json", key: "mcpServers", comment: "local scope", inProject: true},
			"Cursor":      {rel: ".cursor/mcp.json", key: "mcpServers", comment: "source"},
			"Codex":       {rel: ".codex/config.toml"}, "Gemini CLI": {rel: ".gemini/settings.json", key: "mcpServers"},
			"VS Code/Copilot": {rel: ".vscode/mcp.json", key: "servers"},
		},
		note: "input is the project's Cursor files (.cursor/mcp.json and .cursor/rules/*.mdc); the four other clients' project folders exist, " +
			"and their user-level folders exist so that they are detected. aisync puts a project's new servers into Claude Code's local scope " +
			"(the project's entry in ~/.claude.json, where `claude mcp add` puts them), not into the shared .mcp.json, so the Claude Code check reads them there.",
	}
}

func rulesyncTool(bin, version string) peerTool {
	return peerTool{
		name: "rulesync", version: version,
		args: []string{bin, "generate", "--targets", "claudecode,cursor,codexcli,copilot", "--features", "rules,mcp"},
		env:  func(proj string) []string { return peerEnv(proj) },
		prepare: func(dir string, servers []server, rules int) {
			proj := filepath.Join(dir, "project")
			must(os.MkdirAll(filepath.Join(proj, ".rulesync", "rules"), 0o755))
			must(os.MkdirAll(filepath.Join(dir, "home"), 0o755))
			doc := map[string]any{}
			for _, s := range servers {
				doc[s.Name] = map[string]any{"type": "stdio", "command": s.Command, "args": s.Args, "env": s.Env}
			}
			b, _ := json.MarshalIndent(map[string]any{"mcpServers": doc}, "", "  ")
			must(os.WriteFile(filepath.Join(proj, ".rulesync", "mcp.jsonc"), b, 0o644))
			for i := range rules {
				root := "false"
				name := fmt.Sprintf("rule-%04d.md", i)
				if i == 0 {
					root, name = "true", "overview.md"
				}
				body := fmt.Sprintf("---\nroot: %s\ntargets: [\"*\"]\ndescription: \"Bench rule %04d\"\nglobs: [\"**/*\"]\n---\n\n%s", root, i, bytes.TrimSpace(ruleFile(i)))
				must(os.WriteFile(filepath.Join(proj, ".rulesync", "rules", name), []byte(body+"\n"), 0o644))
			}
		},
		outputs: map[string]peerOutput{
			"Claude Code": {rel: ".mcp.json", key: "mcpServers"}, "Cursor": {rel: ".cursor/mcp.json", key: "mcpServers"},
			"Codex": {rel: ".codex/config.toml"}, "VS Code/Copilot": {rel: ".vscode/mcp.json", key: "servers"},
		},
		note: "targets claudecode,cursor,codexcli,copilot with --features rules,mcp; rulesync " + version + " has no Gemini CLI target " +
			"(`--targets geminicli` answers \"does not support the feature\"), so Gemini CLI is not supported.",
	}
}

func rulerTool(bin, version string) peerTool {
	return peerTool{
		name: "ruler", version: version,
		args: []string{bin, "apply", "--agents", "claude,cursor,codex,gemini-cli,copilot"},
		env:  func(proj string) []string { return peerEnv(proj) },
		prepare: func(dir string, servers []server, rules int) {
			proj := filepath.Join(dir, "project")
			must(os.MkdirAll(filepath.Join(proj, ".ruler"), 0o755))
			must(os.MkdirAll(filepath.Join(dir, "home"), 0o755))
			var b bytes.Buffer
			for _, s := range servers {
				fmt.Fprintf(&b, "[mcp_servers.%q]\ncommand = %q\nargs = [", s.Name, s.Command)
				for i, a := range s.Args {
					if i > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "%q", a)
				}
				b.WriteString("]\n")
				if len(s.Env) > 0 {
					keys := make([]string, 0, len(s.Env))
					for k := range s.Env {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					fmt.Fprintf(&b, "[mcp_servers.%q.env]\n", s.Name)
					for _, k := range keys {
						fmt.Fprintf(&b, "%s = %q\n", k, s.Env[k])
					}
				}
				b.WriteString("\n")
			}
			must(os.WriteFile(filepath.Join(proj, ".ruler", "ruler.toml"), b.Bytes(), 0o644))
			for i := range rules {
				name := fmt.Sprintf("rule-%04d.md", i)
				if i == 0 {
					name = "AGENTS.md"
				}
				must(os.WriteFile(filepath.Join(proj, ".ruler", name), ruleFile(i), 0o644))
			}
		},
		outputs: map[string]peerOutput{
			"Claude Code": {rel: ".mcp.json", key: "mcpServers"}, "Cursor": {rel: ".cursor/mcp.json", key: "mcpServers"},
			"Codex": {rel: ".codex/config.toml"}, "Gemini CLI": {rel: ".gemini/settings.json", key: "mcpServers"},
			"VS Code/Copilot": {rel: ".vscode/mcp.json", key: "servers"},
		},
		note: "agents claude,cursor,codex,gemini-cli,copilot with default options (it also updates .gitignore); for Copilot it writes MCP servers " +
			"to the shared .mcp.json, not VS Code's .vscode/mcp.json, so the check falls back to .mcp.json and says so.",
	}
}

// checkOutput compares the server names in one target file with the input.
func checkOutput(t peerTool, proj, target string, want map[string]bool) string {
	o, ok := t.outputs[target]
	if !ok {
		return "not supported"
	}
	path := filepath.Join(proj, o.rel)
	suffix := ""
	if o.comment != "" {
		suffix = " (" + o.comment + ")"
	}
	if _, err := os.Stat(path); err != nil && t.name == "ruler" && target == "VS Code/Copilot" {
		path, o.key, suffix = filepath.Join(proj, ".mcp.json"), "mcpServers", " (in .mcp.json)"
	}
	project := ""
	if o.inProject {
		project = proj
	}
	got, err := serverNames(path, o.key, project)
	if err != nil {
		return "✗ " + err.Error()
	}
	missing, extra := 0, 0
	for n := range want {
		if !got[n] {
			missing++
		}
	}
	for n := range got {
		if !want[n] {
			extra++
		}
	}
	if missing == 0 && extra == 0 {
		return fmt.Sprintf("✓ %d%s", len(got), suffix)
	}
	return fmt.Sprintf("✗ %d of %d, %d extra%s", len(want)-missing, len(want), extra, suffix)
}

// serverNames reads the names in the servers map at key (under projects[project] when project
// is set), or in TOML's mcp_servers when key is "".
func serverNames(path, key, project string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("no %s", filepath.Base(path))
	}
	out := map[string]bool{}
	if key == "" {
		var doc struct {
			Servers map[string]any `toml:"mcp_servers"`
		}
		if err := toml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("bad TOML: %v", err)
		}
		for n := range doc.Servers {
			out[n] = true
		}
		return out, nil
	}
	std, err := hujson.Standardize(b)
	if err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(std, &doc); err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if project != "" {
		var projects map[string]map[string]json.RawMessage
		if err := json.Unmarshal(doc["projects"], &projects); err != nil {
			return nil, fmt.Errorf("bad projects: %v", err)
		}
		doc = projects[project]
	}
	var m map[string]json.RawMessage
	if raw, ok := doc[key]; ok {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("bad %s: %v", key, err)
		}
	}
	for n := range m {
		out[n] = true
	}
	return out, nil
}

// copyTree copies a folder of small files.
func copyTree(src, dst string) {
	must(filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	}))
}

func ratioText(r float64) string {
	if r < 1 {
		return fmt.Sprintf("%.2f×", r)
	}
	return fmt.Sprintf("%.1f×", r)
}

// versionStart is the median wall time of `bin version`: process start-up and nothing else.
func versionStart(ctx context.Context, bin string) float64 {
	var d []float64
	for range 20 {
		start := time.Now()
		if exec.CommandContext(ctx, bin, "version").Run() != nil {
			return 0
		}
		d = append(d, ms(time.Since(start)))
	}
	sort.Float64s(d)
	return d[len(d)/2]
}
