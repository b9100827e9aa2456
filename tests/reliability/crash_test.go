package reliability

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"aisync/backend/clients"
)

// crashClients are every client the binary registers that has a seed here.
var crashClients = []string{"claude-code", "claude-desktop", "cursor", "vscode", "codex", "gemini", "windsurf", "copilot-cli", "opencode", "kiro", "amazonq"}

func init() {
	report.table("crash", "Crashes: SIGKILL at random moments of a sync (real binary)",
		"loop", "runs killed", "killed mid-dispatch (some files new, some old)", "killed before any write", "finished before the kill", "temp files left by a kill", "torn or unparsable files", "DB checks failed", "converged next run", "lost")
}

// TestCrashSIGKILLDuringSync kills the real binary at random moments while it has
// something to write into every client (quick: 20 runs, soak: 100), and after each kill
// checks that every client file parses and holds either its old or its new bytes, that the
// database passes its integrity check with no half-recorded snapshot, and that the next run
// converges on exactly what an uninterrupted run produces.
func TestCrashSIGKILLDuringSync(t *testing.T) {
	h := newBinHome(t, crashClients)
	if _, code, stderr := h.syncOnce(); code != 0 {
		t.Fatalf("first sync: exit %d\n%s", code, stderr)
	}
	runs := pick(20, 100)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	t.Logf("seed-free random kill points; %d runs", runs)
	env := h.clientEnv()
	var (
		killed, mixed, none, finished, temps, torn, dbFailed, converged int
		lostItems                                                       []string
	)
	scratch := t.TempDir()
	for i := range runs {
		// Something to write everywhere: two clients gain a server, a third changes one.
		mutate(t, h.home, i, rng)

		// The uninterrupted outcome, for comparison.
		pre := filepath.Join(scratch, "pre")
		os.RemoveAll(pre)
		copyTree(t, h.root, pre)
		oldTree := snapshotTree(t, h.home)
		preTemps := map[string]bool{}
		for _, p := range oldTree.tempFiles() {
			preTemps[p] = true
		}
		old := stripTemps(oldTree)
		start := time.Now()
		if _, code, stderr := h.syncOnce(); code != 0 {
			t.Fatalf("run %d: reference sync exit %d\n%s", i, code, stderr)
		}
		refDur := time.Since(start)
		want := stripTemps(snapshotTree(t, h.home))
		restoreTree(t, pre, h.root)

		// The killed run: sync --once, or serve (its start-up pass) one time in four.
		delay := time.Duration(rng.Int64N(int64(refDur) + 1))
		args := []string{"sync", "--once", "--json"}
		if i%4 == 3 {
			args = []string{"serve", "--port", "0"}
			delay += refDur / 3
		}
		cmd := h.command(t.Context(), args...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		must(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		wasRunning := true
		select {
		case <-done:
			wasRunning = false
		case <-time.After(delay):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if wasRunning {
			killed++
		} else {
			finished++
		}

		got := snapshotTree(t, h.home)
		for _, p := range got.tempFiles() {
			if !preTemps[p] {
				temps++ // left by this kill
			}
		}
		got = stripTemps(got)
		nOld, nNew := 0, 0
		for _, p := range unionKeys(old, want, got) {
			o, inOld := old[p]
			w, inWant := want[p]
			g, inGot := got[p]
			isOld := inOld == inGot && o == g
			isNew := inWant == inGot && w == g
			switch {
			case isOld && isNew:
			case isOld:
				nOld++
			case isNew:
				nNew++
			default:
				torn++
				t.Errorf("run %d (killed after %s, %v): %s is neither its old nor its new content:\n%s", i, delay, args[0], p, g)
			}
		}
		switch {
		case nNew > 0 && nOld > 0:
			mixed++
		case nNew == 0 && wasRunning:
			none++
		}
		for _, id := range crashClients {
			a, _ := clients.Get(id)
			for _, ep := range a.Endpoints(env, clients.UserScope) {
				if _, err := decodeEndpoint(id, ep); err != nil {
					torn++
					t.Errorf("run %d: %s does not parse after the kill: %v", i, ep.Path, err)
				}
			}
		}
		st := h.openStore()
		failedBefore := t.Failed()
		checkDB(t, st)
		st.Close()
		if t.Failed() && !failedBefore {
			dbFailed++
		}

		// The next run converges on what the uninterrupted run produced.
		if _, code, stderr := h.syncOnce(); code != 0 {
			t.Errorf("run %d: the run after the kill exited %d\n%s", i, code, stderr)
		}
		after := stripTemps(snapshotTree(t, h.home))
		if d := diffTrees(want, after); len(d) > 0 {
			t.Errorf("run %d (killed after %s): the next run did not converge on the uninterrupted result: %v", i, delay, d)
			lostItems = append(lostItems, d...)
		} else {
			converged++
		}
		if res, _, _ := h.syncOnce(); res.FilesWritten != 0 || res.Snapshots != 0 {
			t.Errorf("run %d: not stable: a further run wrote %d file(s)", i, res.FilesWritten)
		}
		if t.Failed() && i >= 2 {
			break // one broken run is enough to see; keep the output readable
		}
	}
	t.Logf("%d runs: %d killed (%d mid-dispatch, %d before any write), %d finished first; %d temp files left", runs, killed, mixed, none, finished, temps)
	if temps > 0 {
		t.Logf("note: a kill during fsx.WriteAtomic leaves its temporary file (.<name>.aisync-*.tmp) in the client's folder; the next start-up or sync --once removes it")
	}
	lost := "nothing"
	if len(lostItems) > 0 {
		lost = strings.Join(lostItems, ", ")
	}
	report.row("crash", fmt.Sprintf("%d runs × %d clients (sync --once; serve every 4th)", runs, len(crashClients)),
		killed, mixed, none, finished, temps, torn, dbFailed, fmt.Sprintf("%d/%d", converged, runs), lost)
}

// mutate makes run i's edits: two clients gain a server, one changes a server they all have.
func mutate(t *testing.T, home string, i int, rng *rand.Rand) {
	t.Helper()
	jsonFiles := []string{".cursor/mcp.json", ".codeium/windsurf/mcp_config.json", ".copilot/mcp-config.json", ".kiro/settings/mcp.json",
		".aws/amazonq/mcp.json", ".config/Claude/claude_desktop_config.json", ".claude.json"}
	a := jsonFiles[rng.IntN(len(jsonFiles))]
	p := filepath.Join(home, a)
	s := string(readFile(t, p))
	s = strings.Replace(s, `"mcpServers": {`, fmt.Sprintf(`"mcpServers": {"run-%d-a": {"command": "cmd-%d", "args": ["--run", "%d"]}, `, i, i, i), 1)
	must(t, os.WriteFile(p, []byte(s), 0o644))
	addCodexServer(t, home, fmt.Sprintf("run-%d-b", i))
	if i > 0 {
		b := jsonFiles[rng.IntN(len(jsonFiles))]
		p := filepath.Join(home, b)
		s := string(readFile(t, p))
		s2 := strings.Replace(s, fmt.Sprintf(`"cmd-%d"`, i-1), fmt.Sprintf(`"cmd-%d-changed"`, i-1), 1)
		if s2 != s {
			must(t, os.WriteFile(p, []byte(s2), 0o644))
		}
	}
}

func stripTemps(tr tree) tree {
	for p := range tr {
		if isTempFile(p) {
			delete(tr, p)
		}
	}
	return tr
}

func unionKeys(ts ...tree) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		for k := range t {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// copyTree copies src to dst keeping modes, modification times and symlinks.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case info.IsDir():
			return os.MkdirAll(to, info.Mode().Perm())
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(to, b, info.Mode().Perm()); err != nil {
				return err
			}
			return os.Chtimes(to, info.ModTime(), info.ModTime())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// restoreTree makes dst's content exactly src's again.
func restoreTree(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(dst)
	must(t, err)
	for _, e := range entries {
		must(t, os.RemoveAll(filepath.Join(dst, e.Name())))
	}
	entries, err = os.ReadDir(src)
	must(t, err)
	for _, e := range entries {
		copyTree(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
}
