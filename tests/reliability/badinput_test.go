package reliability

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aisync/backend/store"
	"aisync/backend/unified"
)

// inputClients cover every format: JSON (cursor, windsurf), JSONC (gemini), TOML (codex),
// YAML (continue).
var inputClients = []string{"cursor", "codex", "gemini", "windsurf", "continue"}

func init() {
	report.table("malformed", "Bad input: malformed files (must be refused with a clear error, left untouched, nothing propagated)",
		"input", "client (format)", "error shown to the user (status lastError and EVENT_LOG)", "file untouched", "others untouched")
	report.table("extreme", "Bad input: extreme but valid files (must sync faithfully or be refused clearly; never corrupt)",
		"input", "outcome", "time", "lost")
}

// nested returns n opening brackets followed by n closing ones.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

type malformedCase struct {
	name   string
	client string
	// content turns the synced file into the bad one; most cases also add a server named
	// "leak", which must not reach any other client.
	content func(synced string) string
	// known is set when the case is known to be accepted today (a documented bug).
	known string
	// warnOK accepts syncing the file when a warning naming the problem is visible
	// (the JSON adapters' documented choice for duplicate names: the last one wins).
	warnOK bool
}

// withServer inserts a server entry right after the JSON "mcpServers": { of synced.
func withServer(synced, entry string) string {
	return strings.Replace(synced, `"mcpServers": {`, `"mcpServers": {`+entry, 1)
}

func malformedCases() []malformedCase {
	leakJSON := `"leak": {"command": "leak"}, `
	leakTOML := "\n[mcp_servers.leak]\ncommand = \"leak\"\n"
	leakYAML := "  - name: leak\n    command: leak\n"
	garbage := "\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\xde\xad\xbe\xef", 64)
	return []malformedCase{
		{"invalid JSON: truncated", "cursor", func(s string) string { return withServer(s, leakJSON)[:len(s)/2] }, "", false},
		{"invalid JSON: double comma", "cursor", func(s string) string { return withServer(s, `"leak": {"command": "leak"},, `) }, "", false},
		{"invalid JSONC: unterminated comment", "gemini", func(s string) string { return withServer(s, leakJSON) + "\n/* never closed" }, "", false},
		{"invalid TOML: unclosed table header", "codex", func(s string) string { return s + "\n[mcp_servers.leak\ncommand = \"leak\"\n" }, "", false},
		{"invalid TOML: string not closed", "codex", func(s string) string { return s + leakTOML + "args = [\"never closed]\n" }, "", false},
		{"invalid YAML: bad indentation", "continue", func(s string) string { return s + leakYAML + "   args: [x\n" }, "", false},
		{"invalid YAML: tab indentation", "continue", func(s string) string { return s + leakYAML + "\targs: [x]\n" }, "", false},
		{"binary garbage (JSON)", "cursor", func(string) string { return garbage }, "", false},
		{"binary garbage (TOML)", "codex", func(string) string { return garbage }, "", false},
		{"binary garbage (YAML)", "continue", func(string) string { return garbage }, "", false},
		{"invalid UTF-8 (JSON)", "cursor", func(s string) string { return withServer(s, "\"leak\": {\"command\": \"le\xff\xfeak\"}, ") }, "invalid UTF-8 in a JSON string is silently replaced by U+FFFD and the mangled value propagates", false},
		{"invalid UTF-8 (JSONC)", "gemini", func(s string) string { return withServer(s, "\"leak\": {\"command\": \"le\xff\xfeak\"}, ") }, "invalid UTF-8 in a JSON string is silently replaced by U+FFFD and the mangled value propagates", false},
		{"invalid UTF-8 (TOML)", "codex", func(s string) string { return s + "\n[mcp_servers.leak]\ncommand = \"le\xff\xfeak\"\n" }, "", false},
		{"invalid UTF-8 (YAML)", "continue", func(s string) string { return s + "  - name: leak\n    command: \"le\xff\xfeak\"\n" }, "", false},
		{"duplicate server name (JSON)", "cursor", func(s string) string {
			return withServer(s, `"leak": {"command": "first"}, "leak": {"command": "second"}, `)
		}, "the adapter's duplicate-name warning is dropped by the engine (engine.go: decode warnings are never reported)", true},
		{"duplicate mcpServers key (JSON)", "cursor", func(s string) string {
			return strings.Replace(s, `"mcpServers": {`, `"mcpServers": {"leak": {"command": "leak"}}, "mcpServers": {`, 1)
		}, "a duplicated root key silently hides the first object (mcpjson warns only for duplicates inside mcpServers)", true},
		{"duplicate table (TOML)", "codex", func(s string) string { return s + leakTOML + leakTOML }, "", false},
		{"duplicate key (YAML)", "continue", func(s string) string { return s + leakYAML + "    command: again\n" }, "", false},
		{"nested 100k levels in a server (JSON)", "cursor", func(s string) string {
			return withServer(s, `"leak": {"command": "leak", "args": `+nested(100000)+`}, `)
		}, "", false},
		{"nested 100k levels in an unknown key (JSON)", "cursor", func(s string) string {
			i := strings.LastIndex(s, "}")
			return withServer(s[:i], leakJSON) + `, "deep": ` + nested(100000) + "\n}\n"
		}, "", false},
		{"nested 100k levels (TOML)", "codex", func(s string) string { return s + leakTOML + "args = " + nested(100000) + "\n" }, "", false},
		{"nested 100k levels (YAML)", "continue", func(s string) string { return s + leakYAML + "    args: " + nested(100000) + "\n" }, "", false},
		{"nested 100k levels (JSONC)", "gemini", func(s string) string {
			return withServer(s, `"leak": {"command": "leak", "env": {"A": `+nested(100000)+`}}, `)
		}, "", false},
	}
}

var positionRe = regexp.MustCompile(`(/\S+):(\d+):(\d+): invalid (json|jsonc|toml|yaml): (.+)`)

func TestBadInputMalformed(t *testing.T) {
	t.Parallel()
	for _, c := range malformedCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, inputClients)
			r.sync()
			target := r.serversPath(c.client)
			bad := c.content(string(readFile(t, target)))
			before := snapshotTree(t, r.home)
			writeFile(t, target, bad)
			res := r.sync()

			untouched := sameBytes(target, []byte(bad))
			if !untouched {
				t.Errorf("the malformed file was rewritten")
			}
			after := snapshotTree(t, r.home)
			rel, _ := filepath.Rel(r.home, target)
			delete(before, rel)
			delete(after, rel)
			othersUntouched := len(diffTrees(before, after)) == 0
			leaked := []string{}
			for _, id := range r.ids {
				if id == c.client {
					continue
				}
				if _, ok := r.servers(id)["leak"]; ok {
					leaked = append(leaked, id)
				}
			}
			if c.warnOK {
				// Syncing is acceptable if the user is told, in the status and the EVENT_LOG.
				warned := strings.Join(r.eng.Status()[c.client].Warnings, "\n")
				page, _ := r.st.ListLogs(context.Background(), store.LogFilter{Levels: []string{store.LevelWarn}, ClientID: c.client})
				// The warning names the hidden item, or (for a duplicated container) the
				// duplicated key whose earlier copy is ignored.
				want := "leak"
				if strings.Contains(c.known, "duplicated root key") {
					want = `"mcpServers" appears more than once`
				}
				if !strings.Contains(warned, want) || !logsContain(page.Items, want) {
					t.Errorf("BUG (%s): synced without a visible warning (status warnings %q, warn logs %v)", c.known, warned, messages(page.Items))
				}
				for _, id := range leaked {
					if got := r.servers(id)["leak"].Command; got != "second" && c.name == "duplicate server name (JSON)" {
						t.Errorf("%s got %q, want the last duplicate", id, got)
					}
				}
				outcome := "synced, last one wins; warning shown: " + yesNo(strings.Contains(warned, want))
				report.row("malformed", c.name, c.client+" (json)", outcome, yesNo(untouched), "synced (allowed with a warning)")
				return
			}
			if !othersUntouched || len(leaked) > 0 {
				msg := fmt.Sprintf("something was propagated from the malformed file: changed %v, %q reached %v", diffTrees(before, after), "leak", leaked)
				if c.known != "" {
					t.Errorf("BUG (%s): %s", c.known, msg)
				} else {
					t.Error(msg)
				}
			}
			status := r.eng.Status()[c.client].LastError
			logs := r.errorLogs(c.client)
			shown := status
			if shown == "" && len(logs) > 0 {
				shown = logs[0].Message
			}
			clear := checkClearError(t, shown, target)
			if status == "" || !logsContain(logs, status) {
				if c.known != "" && status == "" {
					t.Errorf("BUG (%s): no error shown (status %q, logs %v)", c.known, status, messages(logs))
				} else {
					t.Errorf("error not visible in both places: status %q, EVENT_LOG %v", status, messages(logs))
				}
			}
			if res.Status == "succeeded" && status != "" {
				t.Errorf("the pass reports success despite the error")
			}
			checkDB(t, r.st)
			format := string(r.endpoint(c.client, unified.SectionServers).Format)
			report.row("malformed", c.name, c.client+" ("+format+")", clear, yesNo(untouched), yesNo(othersUntouched && len(leaked) == 0))
		})
	}
}

// checkClearError asserts that msg names the file, a line and a column, and what was wrong;
// it returns the message shortened for the results table.
func checkClearError(t *testing.T, msg, path string) string {
	t.Helper()
	if msg == "" {
		return "(nothing shown)"
	}
	m := positionRe.FindStringSubmatch(msg)
	if m == nil {
		t.Errorf("unclear error (want <file>:<line>:<col>: invalid <format>: <what>): %q", msg)
		return msg
	}
	if m[1] != path {
		t.Errorf("error names %s, want %s", m[1], path)
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	if line < 1 {
		t.Errorf("error has no line: %q", msg)
	}
	short := fmt.Sprintf("`…%s:%d:%d: invalid %s: %s`", filepath.Base(path), line, col, m[4], m[5])
	if col < 1 {
		// yaml.v3 reports no column for most errors; the position is still right to the line.
		t.Logf("error has no column: %q", msg)
		short += " (no column)"
	}
	return short
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**NO**"
}

// TestBadInputExtreme feeds valid but extreme content: it must sync faithfully (exact
// values in every client, what the user wrote kept byte for byte) or be refused clearly.
func TestBadInputExtreme(t *testing.T) {
	t.Parallel()
	t.Run("server with 10,000 args", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, inputClients)
		r.sync()
		args := make([]string, 10000)
		for i := range args {
			args[i] = fmt.Sprintf("--arg-%d=%s", i, strings.Repeat("v", i%7))
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		target := r.serversPath("cursor")
		writeFile(t, target, withServer(string(readFile(t, target)), `"many": {"command": "many-mcp", "args": [`+strings.Join(quoted, ", ")+`]}, `))
		start := time.Now()
		r.sync()
		took := time.Since(start)
		lost := "nothing"
		for _, id := range r.ids {
			if got := r.servers(id)["many"].Args; !slices.Equal(got, args) {
				t.Errorf("%s has %d args, not the 10,000 exact ones", id, len(got))
				lost = id + " args"
			}
		}
		stable(t, r)
		report.row("extreme", "a server with 10,000 args", "synced exactly into every client (JSON, JSONC, TOML, YAML); second pass writes nothing", took.Round(time.Millisecond), lost)
	})
	t.Run("names with slashes, dots, quotes, unicode", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, inputClients)
		r.sync()
		odd := []string{"a/b", "a.b", "..", `q"uote`, "it's", `back\slash`, "ünï-çødé", "🚀 rocket", "tab\tname", "new\nline", "", " padded "}
		var entries []string
		for i, n := range odd {
			entries = append(entries, fmt.Sprintf("%s: {\"command\": \"odd-%d\"}, ", strconv.Quote(n), i))
		}
		target := r.serversPath("cursor")
		writeFile(t, target, withServer(string(readFile(t, target)), strings.Join(entries, "")))
		start := time.Now()
		res := r.sync()
		took := time.Since(start)
		src := r.servers("cursor")
		var outcome []string
		for _, id := range r.ids {
			got := r.servers(id) // must parse
			var missing, mangled []string
			for i, n := range odd {
				s, ok := got[n]
				switch {
				case !ok:
					missing = append(missing, strconv.Quote(n))
				case s.Command != fmt.Sprintf("odd-%d", i):
					mangled = append(mangled, strconv.Quote(n))
				}
			}
			if len(mangled) > 0 {
				t.Errorf("%s: servers mixed up: %v", id, mangled)
			}
			if len(missing) > 0 && id != "cursor" {
				warned := strings.Join(res.Clients[id].Warnings, "\n")
				for _, m := range missing {
					name, _ := strconv.Unquote(m)
					if _, inSource := src[name]; inSource && !strings.Contains(warned, name) {
						t.Errorf("%s: %s silently dropped (no warning)", id, m)
					}
				}
				outcome = append(outcome, fmt.Sprintf("%s left out %d with a warning", id, len(missing)))
			}
			if id == "cursor" && len(missing) > 0 {
				outcome = append(outcome, fmt.Sprintf("cursor's own decoder dropped %v", missing))
			}
		}
		stable(t, r)
		report.row("extreme", "server names with / . .. quotes \\ unicode emoji tab newline, empty and padded",
			"every file parses; names kept exactly where the client accepts them; "+strings.Join(outcome, "; "), took.Round(time.Millisecond), "nothing")
	})
	t.Run("huge array in an unknown key", func(t *testing.T) {
		t.Parallel()
		n := 300000
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(i))
		}
		b.WriteString("]")
		bigFile(t, fmt.Sprintf("an unknown key holding a %d-element array", n), b.String())
	})
	t.Run("big JSON file", func(t *testing.T) {
		t.Parallel()
		// 50 MB through the race-instrumented engine takes minutes; the binary case
		// (TestBadInputHugeFileBinary) runs the full 50 MB.
		size := 8 << 20
		var b strings.Builder
		b.WriteString("[")
		for i := 0; b.Len() < size; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id": %d, "text": "previous conversation line number %d"}`, i, i)
		}
		b.WriteString("]")
		bigFile(t, fmt.Sprintf("a %d MB JSON file (history in an unknown key)", size>>20), b.String())
	})
}

// bigFile puts value under an unknown key of Cursor's mcp.json together with a new server,
// syncs, then makes Cursor's file be rewritten (another client adds a server): the server
// must propagate, and the unknown key must survive the rewrite byte for byte.
func bigFile(t *testing.T, what, value string) {
	r := newRig(t, inputClients)
	r.sync()
	target := r.serversPath("cursor")
	synced := string(readFile(t, target))
	i := strings.LastIndex(synced, "}")
	content := withServer(synced[:i], `"from-big": {"command": "big-mcp"}, `) + `, "history": ` + value + "\n}\n"
	writeFile(t, target, content)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	alloc := ms.TotalAlloc
	start := time.Now()
	res := r.sync()
	addCodexServer(t, r.home, "after-big")
	res2 := r.sync()
	took := time.Since(start)
	runtime.ReadMemStats(&ms)
	lost := "nothing"
	if errs := append(res.Clients["cursor"].Errors, res2.Clients["cursor"].Errors...); len(errs) > 0 {
		// Refusing is acceptable if it is clear and nothing is touched.
		if !sameBytes(target, []byte(content)) {
			t.Errorf("refused (%v) but the file changed", errs)
		}
		report.row("extreme", what, "refused: "+quoteErr(errs[0]), took.Round(time.Millisecond), "nothing")
		return
	}
	after := readFile(t, target)
	if !bytes.Contains(after, []byte(`"history": `+value)) {
		t.Errorf("the unknown key was not kept byte for byte when the file was rewritten")
		lost = "cursor's history key"
	}
	for _, id := range r.ids {
		got := r.servers(id)
		if _, ok := got["from-big"]; !ok {
			t.Errorf("%s did not get the server from the big file", id)
			lost = id + ":from-big"
		}
		if _, ok := got["after-big"]; !ok {
			t.Errorf("%s did not get after-big", id)
			lost = id + ":after-big"
		}
	}
	stable(t, r)
	report.row("extreme", what, fmt.Sprintf("synced; rewritten in place with the %d-byte key kept byte for byte; %d MB allocated by two passes (race detector: %v)",
		len(value), (ms.TotalAlloc-alloc)>>20, raceEnabled), took.Round(time.Millisecond), lost)
}

// stable asserts that one more pass changes nothing and that the database is sound.
func stable(t *testing.T, r *rig) {
	t.Helper()
	if res := r.sync(); res.FilesWritten != 0 || res.Snapshots != 0 {
		t.Errorf("not stable: a further pass wrote %d file(s), %d snapshot(s)", res.FilesWritten, res.Snapshots)
	}
	checkDB(t, r.st)
}

// TestBadInputHugeFileBinary runs the full 50 MB file through the real (uninstrumented)
// binary.
func TestBadInputHugeFileBinary(t *testing.T) {
	t.Parallel()
	h := newBinHome(t, []string{"cursor", "codex", "gemini", "windsurf"})
	if _, code, stderr := h.syncOnce(); code != 0 {
		t.Fatalf("first sync: exit %d\n%s", code, stderr)
	}
	target := filepath.Join(h.home, ".cursor", "mcp.json")
	synced := string(readFile(t, target))
	var b strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < 50<<20; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d, "text": "previous conversation line number %d"}`, i, i)
	}
	b.WriteString("]")
	i := strings.LastIndex(synced, "}")
	content := withServer(synced[:i], `"from-big": {"command": "big-mcp"}, `) + `, "history": ` + b.String() + "\n}\n"
	writeFile(t, target, content)
	start := time.Now()
	res, code, stderr := h.syncOnce()
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, res.Errors, stderr)
	}
	addCodexServer(t, h.home, "after-big")
	if _, code, stderr = h.syncOnce(); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	took := time.Since(start)
	after := readFile(t, target)
	lost := "nothing"
	if !bytes.Contains(after, []byte(`"history": `+b.String())) {
		t.Errorf("the 50 MB unknown key was not kept byte for byte")
		lost = "cursor's history key"
	}
	env := h.clientEnv()
	for _, id := range []string{"cursor", "codex", "gemini", "windsurf"} {
		cfg, err := decodeEndpoint(id, serversEndpoint(env, id))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for _, s := range []string{"from-big", "after-big", "fetch", "git", "docs"} {
			if _, ok := cfg.Servers[s]; !ok {
				t.Errorf("%s lacks %s", id, s)
				lost = id + ":" + s
			}
		}
	}
	report.row("extreme", "a 50 MB JSON file (real binary)", "synced; rewritten in place with the 50 MB key kept byte for byte", took.Round(time.Millisecond), lost)
}
