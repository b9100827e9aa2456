package reliability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"aisync/backend/engine"
	"aisync/backend/store"
)

// faultClients are the clients of the fault cases: JSON, JSONC with comments, TOML.
// The fault is always injected into Gemini's settings.json (JSONC with a comment).
var faultClients = []string{"cursor", "codex", "gemini", "windsurf"}

const faultTarget = "gemini"

func init() {
	report.table("faults", "Faults injected", "fault", "how it was injected", "what aisync did", "lost")
}

func isRoot() bool { return os.Geteuid() == 0 }

// sh runs a command and returns its combined output on error.
func sh(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// immutable makes path immutable (chattr +i), which stops root too; the returned func undoes it.
func immutable(t *testing.T, path string) func() {
	t.Helper()
	if err := sh("chattr", "+i", path); err != nil {
		t.Skipf("cannot make %s immutable (needs root and a filesystem with attributes): %v", path, err)
	}
	undone := false
	undo := func() {
		if !undone {
			undone = true
			if err := sh("chattr", "-i", path); err != nil {
				t.Errorf("undo immutable: %v", err)
			}
		}
	}
	t.Cleanup(undo)
	return undo
}

// readOnlyBind remounts dir read-only onto itself (EROFS for everyone, root included).
func readOnlyBind(t *testing.T, dir string) func() {
	t.Helper()
	if err := sh("mount", "--bind", dir, dir); err != nil {
		t.Skipf("cannot bind-mount (needs root with mount privileges): %v", err)
	}
	if err := sh("mount", "-o", "remount,bind,ro", dir); err != nil {
		_ = sh("umount", "-l", dir)
		t.Skipf("cannot remount read-only: %v", err)
	}
	return unmounter(t, dir)
}

// mountTmpfs mounts a small tmpfs on dir (which must exist).
func mountTmpfs(t *testing.T, dir, size string) func() {
	t.Helper()
	if err := sh("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir); err != nil {
		t.Skipf("cannot mount a %s tmpfs (needs root with mount privileges): %v", size, err)
	}
	return unmounter(t, dir)
}

func unmounter(t *testing.T, dir string) func() {
	done := false
	undo := func() {
		if !done {
			done = true
			if err := sh("umount", dir); err != nil {
				if err2 := sh("umount", "-l", dir); err2 != nil {
					t.Errorf("unmount %s: %v", dir, err2)
				}
			}
		}
	}
	t.Cleanup(undo)
	return undo
}

// fill writes a filler file into dir until the filesystem is full; it returns the path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "zz-filler")
	f, err := os.Create(p)
	must(t, err)
	defer f.Close()
	chunk := make([]byte, 4096)
	for range 1 << 20 { // bounded: 4 GiB at most
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			t.Fatalf("fill %s: %v", dir, err)
		}
	}
	_ = f.Sync()
	// Metadata blocks may still be free: take the last bytes one by one.
	one := []byte{0}
	for range 4096 {
		if _, err := f.Write(one); err != nil {
			break
		}
	}
	return p
}

// addCodexServer appends a server to Codex's config.toml, as a user editing it would.
func addCodexServer(t testing.TB, home, name string) {
	t.Helper()
	p := filepath.Join(home, ".codex", "config.toml")
	b := readFile(t, p)
	b = append(b, fmt.Sprintf("\n[mcp_servers.%s]\ncommand = \"npx\"\nargs = [\"-y\", \"%s-mcp\"]\n", name, name)...)
	must(t, os.WriteFile(p, b, 0o644))
}

// writeFault runs the standard write-fault scenario: everything synced, a fault makes the
// target unwritable, another client adds a server. Then the target must be untouched, the
// others must have the server, the failure must be visible (result, status, EVENT_LOG,
// retries), no temporary file may be left; after the fault is removed everything converges.
func writeFault(t *testing.T, r *rig, fault, how, wantErr string, inject func(target string) (undo func())) {
	t.Helper()
	r.sync()
	target := r.serversPath(faultTarget)
	before := readFile(t, target)
	undo := inject(target)
	server := "added-" + slug(fault)
	addCodexServer(t, r.home, server)
	retries := r.eng.Metrics().Counts().Retries
	res := r.sync()

	if !sameBytes(target, before) {
		t.Errorf("%s: the unwritable file changed", fault)
	}
	for _, id := range []string{"cursor", "windsurf"} {
		if _, ok := r.servers(id)[server]; !ok {
			t.Errorf("%s: %s did not get %s while %s failed", fault, id, server, faultTarget)
		}
	}
	errs := strings.Join(res.Clients[faultTarget].Errors, "; ")
	if !strings.Contains(errs, wantErr) {
		t.Errorf("%s: result errors for %s = %q, want %q", fault, faultTarget, errs, wantErr)
	}
	status := r.eng.Status()[faultTarget]
	if !strings.Contains(status.LastError, wantErr) || !strings.Contains(status.LastError, filepath.Dir(target)) {
		t.Errorf("%s: status lastError = %q, want the path and %q", fault, status.LastError, wantErr)
	}
	if !logsContain(r.errorLogs(faultTarget), wantErr) {
		t.Errorf("%s: no EVENT_LOG error with %q: %v", fault, wantErr, messages(r.errorLogs(faultTarget)))
	}
	if got := r.eng.Metrics().Counts().Retries - retries; got < int64(r.set.RetryMax) {
		t.Errorf("%s: %d retries counted, want %d", fault, got, r.set.RetryMax)
	}
	if tmp := snapshotTree(t, r.home).tempFiles(); len(tmp) > 0 {
		t.Errorf("%s: temporary files left behind: %v", fault, tmp)
	}
	checkDB(t, r.st)

	undo()
	res = r.sync()
	got := r.servers(faultTarget)
	if _, ok := got[server]; !ok {
		t.Errorf("%s: after the fault was removed %s still lacks %s: %v", fault, faultTarget, server, names(got))
	}
	if b := readFile(t, target); !strings.Contains(string(b), "// Gemini settings") || !strings.Contains(string(b), `"theme": "GitHub"`) {
		t.Errorf("%s: what the user wrote in %s was lost:\n%s", fault, target, b)
	}
	if le := r.eng.Status()[faultTarget].LastError; le != "" {
		t.Errorf("%s: lastError not cleared after recovery: %q", fault, le)
	}
	if res := r.sync(); res.FilesWritten != 0 || res.Snapshots != 0 {
		t.Errorf("%s: not converged: a further pass wrote %d file(s)", fault, res.FilesWritten)
	}
	lost := assertNothingLost(t, r, "fetch", "git", "docs", server)
	report.row("faults", fault, how, "write failed with "+quoteErr(errs)+"; others synced; retried "+fmt.Sprint(r.set.RetryMax)+"x; converged once fixed", lost)
}

// assertNothingLost checks that every client has every named server; it returns "nothing"
// or what is missing.
func assertNothingLost(t *testing.T, r *rig, want ...string) string {
	t.Helper()
	var missing []string
	for _, id := range r.ids {
		got := r.servers(id)
		for _, s := range want {
			if _, ok := got[s]; !ok {
				missing = append(missing, id+":"+s)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("lost: %v", missing)
		return strings.Join(missing, ", ")
	}
	return "nothing"
}

// slug turns a description into a name every client accepts (letters, digits, -).
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func logsContain(logs []store.LogEntry, s string) bool {
	for _, l := range logs {
		if strings.Contains(l.Message, s) {
			return true
		}
	}
	return false
}

func messages(logs []store.LogEntry) []string {
	var out []string
	for _, l := range logs {
		out = append(out, l.Message)
	}
	return out
}

func quoteErr(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s) > 90 {
		return "…" + s[i:]
	}
	return s
}

func TestFaultWriteDenied(t *testing.T) {
	t.Parallel()
	t.Run("immutable file (chattr +i, stops root)", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		writeFault(t, r, "write denied: immutable file", "chattr +i on the file", "operation not permitted", func(p string) func() { return immutable(t, p) })
	})
	t.Run("immutable folder (chattr +i, stops root)", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		writeFault(t, r, "write denied: immutable folder", "chattr +i on the client's folder", "operation not permitted", func(p string) func() { return immutable(t, filepath.Dir(p)) })
	})
	t.Run("read-only filesystem", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		writeFault(t, r, "write denied: read-only filesystem", "read-only bind mount of the client's folder", "read-only file system", func(p string) func() { return readOnlyBind(t, filepath.Dir(p)) })
	})
	t.Run("folder without write permission", func(t *testing.T) {
		t.Parallel()
		if isRoot() {
			t.Skip("chmod does not stop root; covered as an unprivileged user by TestFaultPermissionDeniedUnprivileged")
		}
		r := newRig(t, faultClients)
		writeFault(t, r, "write denied: chmod 0555 folder", "chmod 0555 on the client's folder", "permission denied", func(p string) func() {
			must(t, os.Chmod(filepath.Dir(p), 0o555))
			return func() { os.Chmod(filepath.Dir(p), 0o755) }
		})
	})
}

// readFault: everything synced, the target cannot be read, another client adds a server.
func readFault(t *testing.T, r *rig, fault, how, wantErr string, inject func(target string) (undo func())) {
	t.Helper()
	r.sync()
	target := r.serversPath(faultTarget)
	before := readFile(t, target)
	undo := inject(target)
	addCodexServer(t, r.home, "added-on-read-fault")
	res := r.sync()
	undo()
	if !sameBytes(target, before) {
		t.Errorf("%s: the unreadable file was overwritten", fault)
	}
	for _, id := range []string{"cursor", "windsurf"} {
		if _, ok := r.servers(id)["added-on-read-fault"]; !ok {
			t.Errorf("%s: %s did not sync while %s was unreadable", fault, id, faultTarget)
		}
	}
	errs := strings.Join(res.Clients[faultTarget].Errors, "; ")
	if !strings.Contains(errs, wantErr) || !strings.Contains(r.eng.Status()[faultTarget].LastError, wantErr) || !logsContain(r.errorLogs(faultTarget), wantErr) {
		t.Errorf("%s: failure not visible: result %q, status %q, logs %v", fault, errs, r.eng.Status()[faultTarget].LastError, messages(r.errorLogs(faultTarget)))
	}
	r.sync()
	lost := assertNothingLost(t, r, "fetch", "git", "docs", "added-on-read-fault")
	report.row("faults", fault, how, "not propagated, not overwritten; "+quoteErr(errs)+"; converged once readable", lost)
}

func TestFaultReadDenied(t *testing.T) {
	t.Parallel()
	if isRoot() {
		t.Skip("root reads any file; covered as an unprivileged user by TestFaultPermissionDeniedUnprivileged")
	}
	r := newRig(t, faultClients)
	readFault(t, r, "read denied: chmod 000", "chmod 000 on the file", "permission denied", func(p string) func() {
		must(t, os.Chmod(p, 0))
		return func() { os.Chmod(p, 0o644) }
	})
}

// TestFaultPermissionDeniedUnprivileged runs the real binary as an unprivileged user (uid
// 65534), for which chmod really denies reading and writing.
func TestFaultPermissionDeniedUnprivileged(t *testing.T) {
	t.Parallel()
	if !isRoot() {
		t.Skip("needs root to switch to an unprivileged user; the in-process chmod cases cover this when not root")
	}
	const uid, gid = 65534, 65534
	for _, mode := range []string{"read", "write"} {
		t.Run(mode, func(t *testing.T) {
			h := newBinHome(t, faultClients)
			// The checkout (and so AISYNC_BIN) may sit in a folder only root can enter, e.g.
			// a clone in a mktemp -d directory: run a copy from the test's own 0755 root.
			exe, err := os.ReadFile(h.bin)
			must(t, err)
			h.bin = filepath.Join(h.root, "aisync")
			must(t, os.WriteFile(h.bin, exe, 0o755))
			chownTree(t, h.root, uid, gid)
			h.cred = &syscall.Credential{Uid: uid, Gid: gid}
			if _, code, stderr := h.syncOnce(); code != 0 {
				t.Skipf("the binary does not run as uid %d here (exit %d): %s", uid, code, stderr)
			}
			env := h.clientEnv()
			target := filepath.Join(h.home, ".gemini", "settings.json")
			before := readFile(t, target)
			var how, wantErr string
			if mode == "read" {
				must(t, os.Chmod(target, 0))
				how, wantErr = "chmod 000 on the file, binary run as uid 65534", "permission denied"
			} else {
				must(t, os.Chmod(filepath.Dir(target), 0o555))
				how, wantErr = "chmod 0555 on the client's folder, binary run as uid 65534", "permission denied"
			}
			addCodexServer(t, h.home, "added-unprivileged")
			res, code, stderr := h.syncOnce()
			if code != 1 {
				t.Errorf("BUG: `aisync sync --once` exited %d although %s's file could not be %s (run status %q, client errors %q): "+
					"the README promises exit 1 on errors, but cmdSync only looks at the scope-level res.Errors\n%s",
					code, faultTarget, map[string]string{"read": "read", "write": "written"}[mode], res.Status, res.Clients[faultTarget].Errors, stderr)
			}
			errs := strings.Join(res.Clients[faultTarget].Errors, "; ")
			if !strings.Contains(errs, wantErr) {
				t.Errorf("result errors for %s = %q, want %q", faultTarget, errs, wantErr)
			}
			if !sameBytes(target, before) {
				t.Errorf("the %s-denied file changed", mode)
			}
			for _, id := range []string{"cursor", "windsurf"} {
				cfg, err := decodeEndpoint(id, serversEndpoint(env, id))
				if err != nil {
					t.Fatalf("%s does not parse: %v", id, err)
				}
				if _, ok := cfg.Servers["added-unprivileged"]; !ok {
					t.Errorf("%s did not sync while %s was denied", id, faultTarget)
				}
			}
			st := h.openStore()
			if !logsContain(errorLogs(t, st, faultTarget), wantErr) {
				t.Errorf("no EVENT_LOG error with %q", wantErr)
			}
			checkDB(t, st)
			st.Close()
			chownTree(t, h.root, uid, gid)
			os.Chmod(target, 0o644)
			os.Chmod(filepath.Dir(target), 0o755)
			if _, code, stderr := h.syncOnce(); code != 0 {
				t.Errorf("after the fault: exit %d\n%s", code, stderr)
			}
			cfg, err := decodeEndpoint(faultTarget, serversEndpoint(env, faultTarget))
			if err != nil {
				t.Fatal(err)
			}
			lost := "nothing"
			for _, s := range []string{"fetch", "git", "docs", "added-unprivileged"} {
				if _, ok := cfg.Servers[s]; !ok {
					t.Errorf("%s lacks %s after the fault was removed", faultTarget, s)
					lost = "gemini:" + s
				}
			}
			report.row("faults", mode+" denied: unprivileged user", how, fmt.Sprintf("exit %d%s; %s; others synced; converged once fixed", code,
				map[bool]string{true: "", false: " (BUG: want 1)"}[code == 1], quoteErr(errs)), lost)
		})
	}
}

func TestFaultFileReplacedByDirectory(t *testing.T) {
	t.Parallel()
	r := newRig(t, faultClients)
	readFault(t, r, "file replaced by a directory", "rm settings.json; mkdir settings.json", "not a regular file", func(p string) func() {
		saved := string(readFile(t, p))
		must(t, os.Remove(p))
		must(t, os.Mkdir(p, 0o755))
		return func() {
			if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
				t.Errorf("the directory that replaced the file was touched: %v", err)
			}
			os.Remove(p)
			// The user puts the file back as it was.
			writeFile(t, p, saved)
		}
	})
}

func TestFaultFileDeletedWhileWatched(t *testing.T) {
	t.Parallel()
	r := newRig(t, faultClients)
	r.sync()
	r.serve()
	target := r.serversPath(faultTarget)
	time.Sleep(200 * time.Millisecond) // let the watcher settle
	before := snapshotTree(t, r.home)
	must(t, os.Remove(target))
	held, ok := waitConflictOrLoss(t, r, "suspicious", "fetch", "git", "docs")
	if !ok {
		t.Fatalf("BUG: deleting %s's file made aisync delete every server in every client instead of holding the file as suspicious "+
			"(a missing file hashes to \"\", which equals the empty ConfirmedHash of an endpoint nobody confirmed): now %v",
			faultTarget, r.allNames())
	}
	time.Sleep(300 * time.Millisecond) // further passes must not change anything either
	after := snapshotTree(t, r.home)
	delete(before, filepath.Join(".gemini", "settings.json"))
	if d := diffTrees(before, after); len(d) > 0 {
		t.Errorf("deleting one file changed others: %v", d)
	}
	if _, err := os.Stat(target); err == nil {
		t.Errorf("the deleted file was recreated behind the user's back")
	}
	st := r.statusOf(faultTarget)
	// The user chooses "restore": the synced state is written back into the file.
	if _, err := r.eng.ResolveConflict(context.Background(), held.ID, engine.Resolution{Choice: engine.ChooseRestore}, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the restored file", func() bool { _, err := os.Stat(target); return err == nil })
	lost := assertNothingLost(t, r, "fetch", "git", "docs")
	report.row("faults", "file deleted while watched", "rm settings.json under a running engine",
		fmt.Sprintf("held as suspicious (conflict %s, status %q), nothing propagated; restored on request", held.Kind, st.State), lost)
}

func TestFaultParentDirectoryDeletedAndRecreated(t *testing.T) {
	t.Parallel()
	r := newRig(t, faultClients)
	r.sync()
	r.serve()
	dir := filepath.Dir(r.serversPath(faultTarget))
	time.Sleep(200 * time.Millisecond)
	saved := readFile(t, r.serversPath(faultTarget))
	before := snapshotTree(t, r.home)
	must(t, os.RemoveAll(dir))
	waitFor(t, 10*time.Second, "gemini to be reported as not detected", func() bool { return r.statusOf(faultTarget).State == "not-detected" })
	time.Sleep(300 * time.Millisecond)
	after := snapshotTree(t, r.home)
	for p := range before {
		if strings.HasPrefix(p, ".gemini") {
			delete(before, p)
		}
	}
	if d := diffTrees(before, after); len(d) > 0 {
		t.Errorf("deleting gemini's folder changed other files: %v", d)
	}

	// The folder comes back with the file as it was (restored from a backup or dotfiles).
	must(t, os.Mkdir(dir, 0o755))
	writeFile(t, filepath.Join(dir, "settings.json"), string(saved))
	addCodexServer(t, r.home, "after-recreate")
	waitFor(t, 10*time.Second, "every client to get the new server", func() bool {
		for _, id := range r.ids {
			if _, ok := r.serversSafe(id)["after-recreate"]; !ok {
				return false
			}
		}
		return true
	})
	lost := assertNothingLost(t, r, "fetch", "git", "docs", "after-recreate")
	report.row("faults", "parent folder deleted, then recreated with its file", "rm -rf ~/.gemini under a running engine; mkdir; restore the file",
		"client reported not-detected, other files untouched; synced again when it came back", lost)
}

// A client reinstalled from scratch: its folder disappears and comes back with a fresh file
// holding one new server. The servers the user has in every other client must survive:
// the fresh file does not know them, which is not the same as the user deleting them.
func TestFaultParentDirectoryRecreatedWithFreshFile(t *testing.T) {
	t.Parallel()
	r := newRig(t, faultClients)
	r.sync()
	r.serve()
	dir := filepath.Dir(r.serversPath(faultTarget))
	time.Sleep(200 * time.Millisecond)
	must(t, os.RemoveAll(dir))
	waitFor(t, 10*time.Second, "gemini to be reported as not detected", func() bool { return r.statusOf(faultTarget).State == "not-detected" })
	must(t, os.Mkdir(dir, 0o755))
	writeFile(t, filepath.Join(dir, "settings.json"), `{"mcpServers": {"fresh": {"command": "fresh-mcp"}}}`+"\n")
	waitFor(t, 10*time.Second, "cursor to get gemini's fresh server", func() bool {
		_, ok := r.serversSafe("cursor")["fresh"]
		return ok
	})
	time.Sleep(300 * time.Millisecond)
	lost := "nothing"
	var missing []string
	for _, id := range []string{"cursor", "codex", "windsurf"} {
		got := r.serversSafe(id)
		for _, s := range []string{"fetch", "git", "docs"} {
			if _, ok := got[s]; !ok {
				missing = append(missing, id+":"+s)
			}
		}
	}
	if len(missing) > 0 {
		lost = strings.Join(missing, ", ")
		t.Errorf("BUG: a client folder deleted and recreated with a fresh file made aisync delete every server the fresh file lacks, "+
			"in every client (its stale base from before the deletion was diffed against the fresh file): lost %s", lost)
	}
	report.row("faults", "parent folder deleted, recreated with a fresh file", "rm -rf ~/.gemini; mkdir; new settings.json with one other server",
		map[bool]string{true: "fresh server propagated, others kept", false: "BUG: the fresh file was read as deleting every other server"}[len(missing) == 0], lost)
}

func TestFaultSymlinks(t *testing.T) {
	t.Parallel()
	t.Run("link to a dotfiles file", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		r.sync()
		target := r.serversPath(faultTarget)
		real := filepath.Join(r.root, "dotfiles", "gemini-settings.json")
		writeFile(t, real, string(readFile(t, target)))
		must(t, os.Remove(target))
		rel, _ := filepath.Rel(filepath.Dir(target), real)
		must(t, os.Symlink(rel, target))
		addCodexServer(t, r.home, "via-link")
		res := r.sync()
		fi, err := os.Lstat(target)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the symlink was replaced by a file (%v)", err)
		}
		if got, _ := os.Readlink(target); got != rel {
			t.Errorf("the symlink now points to %q, want %q", got, rel)
		}
		b := readFile(t, real)
		if !strings.Contains(string(b), "via-link") || !strings.Contains(string(b), "// Gemini settings") {
			t.Errorf("the link's target was not updated in place:\n%s", b)
		}
		if len(res.Clients[faultTarget].Errors) > 0 {
			t.Errorf("errors: %v", res.Clients[faultTarget].Errors)
		}
		lost := assertNothingLost(t, r, "fetch", "git", "docs", "via-link")
		report.row("faults", "file replaced by a symlink", "settings.json → ../dotfiles/gemini-settings.json",
			"written through the link (fsx.WriteAtomic resolves it): the link stays a link, its target is updated in place", lost)
	})
	t.Run("dangling link", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		r.sync()
		target := r.serversPath(faultTarget)
		must(t, os.Remove(target))
		must(t, os.Symlink("does-not-exist.json", target))
		before := snapshotTree(t, r.home)
		addCodexServer(t, r.home, "dangling")
		res := r.sync()
		if got, _ := os.Readlink(target); got != "does-not-exist.json" {
			t.Errorf("the dangling link was changed to %q", got)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(target), "does-not-exist.json")); err == nil {
			t.Errorf("a file was created at the dangling link's target")
		}
		after := snapshotTree(t, r.home)
		for _, p := range diffTrees(before, after) {
			if strings.Contains(p, ".gemini") {
				t.Errorf("gemini's folder changed: %s", p)
			}
		}
		cr := res.Clients[faultTarget]
		if res.Conflicts == 0 && len(r.serversSafe("cursor")) < 3 {
			t.Errorf("BUG: a dangling symlink reads as a missing file, and a missing file is not held as suspicious (see TestFaultFileDeletedWhileWatched): "+
				"every server was deleted everywhere: %v", r.allNames())
		}
		report.row("faults", "file replaced by a dangling symlink", "settings.json → does-not-exist.json",
			fmt.Sprintf("link left alone (state %s, %d conflict(s) held, errors %q)", cr.State, res.Conflicts, strings.Join(cr.Errors, "; ")), assertNothingLost(t, r.without(faultTarget), "fetch", "git", "docs", "dangling"))
	})
	t.Run("link loop", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		readFault(t, r, "file replaced by a symlink loop", "settings.json → loop → settings.json", "too many levels of symbolic links", func(p string) func() {
			saved := readFile(t, p)
			must(t, os.Remove(p))
			loop := filepath.Join(filepath.Dir(p), "loop")
			must(t, os.Symlink("settings.json", loop))
			must(t, os.Symlink("loop", p))
			return func() {
				if got, _ := os.Readlink(p); got != "loop" {
					t.Errorf("the looping link was changed to %q", got)
				}
				os.Remove(p)
				os.Remove(loop)
				must(t, os.WriteFile(p, saved, 0o644))
			}
		})
	})
}

func TestFaultDiskFull(t *testing.T) {
	t.Parallel()
	if !isRoot() {
		t.Skip("mounting a small tmpfs needs root")
	}
	t.Run("client folder full", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, faultClients)
		target := r.serversPath(faultTarget)
		content := readFile(t, target)
		dir := filepath.Dir(target)
		mountTmpfs(t, dir, "64k")
		must(t, os.WriteFile(target, content, 0o644))
		var filler string
		writeFault(t, r, "disk full (client's folder)", "64 KiB tmpfs on ~/.gemini, filled up", "no space left on device", func(string) func() {
			filler = fill(t, dir)
			return func() { os.Remove(filler) }
		})
	})
	t.Run("data folder full", func(t *testing.T) {
		t.Parallel()
		data := filepath.Join(t.TempDir(), "data")
		must(t, os.MkdirAll(data, 0o700))
		mountTmpfs(t, data, "4m")
		r := newRig(t, faultClients, withDataDir(data))
		r.sync()
		filler := fill(t, data)
		addCodexServer(t, r.home, "on-full-disk")
		before := snapshotTree(t, r.home)
		res := r.sync()
		after := snapshotTree(t, r.home)
		// Whatever happened, every file parses and is either as before or fully updated.
		for _, id := range r.ids {
			r.servers(id)
		}
		changed := diffTrees(before, after)
		var visible []string
		if res.Status != "succeeded" {
			visible = append(visible, "result "+res.Status)
		}
		for id, s := range r.eng.Status() {
			if s.LastError != "" {
				visible = append(visible, id+" lastError")
			}
		}
		if len(visible) == 0 {
			t.Errorf("a full data disk went unnoticed: status %s, no client error (changed %v)", res.Status, changed)
		}
		clientErr := false
		for _, s := range r.eng.Status() {
			clientErr = clientErr || s.LastError != ""
		}
		if !clientErr {
			t.Errorf("BUG: the pass failed (%s: %v) but no client's lastError says so, so the UI warning banner stays empty", res.Status, res.Errors)
		}
		must(t, os.Remove(filler))
		r.sync()
		r.sync()
		checkDB(t, r.st)
		lost := assertNothingLost(t, r, "fetch", "git", "docs", "on-full-disk")
		report.row("faults", "disk full (aisync's data folder: database and backups)", "4 MiB tmpfs as AISYNC_DATA_DIR, filled up",
			fmt.Sprintf("pass %s (%s); client files changed: %d; database intact; converged once space was freed", res.Status, quoteErr(strings.Join(res.Errors, "; ")), len(changed)), lost)
	})
}

// statusOf is one client's live status.
func (r *rig) statusOf(id string) engine.ClientStatus { return r.eng.Status()[id] }

// serversSafe decodes a client's servers, returning nil while the file is missing or broken
// (for polling while another goroutine changes files).
func (r *rig) serversSafe(id string) map[string]struct{} {
	cfg, err := decodeEndpoint(id, r.endpoint(id, "servers"))
	if err != nil {
		return nil
	}
	out := map[string]struct{}{}
	for k := range cfg.Servers {
		out[k] = struct{}{}
	}
	return out
}

// without is the rig restricted to the other clients (for assertions).
func (r *rig) without(id string) *rig {
	c := *r
	c.ids = slices.DeleteFunc(slices.Clone(r.ids), func(x string) bool { return x == id })
	return &c
}

// waitConflictOrLoss waits for a pending conflict of the kind; it gives up early (false)
// when a client has lost one of the named servers meanwhile.
func waitConflictOrLoss(t *testing.T, r *rig, kind string, keep ...string) (store.Conflict, bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		list, err := r.st.ListConflicts(context.Background(), store.ConflictPending)
		if err == nil {
			for _, c := range list {
				if c.Kind == kind {
					return c, true
				}
			}
		}
		for _, id := range r.ids {
			if id == faultTarget {
				continue
			}
			got := r.serversSafe(id)
			for _, s := range keep {
				if _, ok := got[s]; !ok && got != nil {
					time.Sleep(200 * time.Millisecond)
					return store.Conflict{}, false
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for a pending %s conflict", kind)
	return store.Conflict{}, false
}

// allNames lists every client's servers (for messages).
func (r *rig) allNames() map[string][]string {
	out := map[string][]string{}
	for _, id := range r.ids {
		out[id] = names(r.serversSafeMap(id))
	}
	return out
}
