package engine

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"aisync/backend/clients"
	"aisync/backend/events"
	"aisync/backend/fsx"
	"aisync/backend/store"
	"aisync/backend/unified"
)

// desiredFor is what an endpoint should hold: the hub's sections, except that items with a
// pending conflict keep whatever the endpoint has now (nothing is written for them until the
// user decides). It is in normal form and shares memory with hub unless a pending item
// changed it: the endpoints of a scope are written concurrently from the same hub, so it is
// only read. A copy per endpoint was most of what a pass held at once at scale.
func desiredFor(hub unified.Config, t *target, pending map[string]Pending) (want unified.Config, shared bool) {
	want = hub.Select(t.ep.Sections...)
	var own bool
	for k := range pending {
		sec, name := splitKey(k)
		if !t.ep.Has(sec) {
			continue
		}
		if !own {
			want, own = want.Clone(), true
		}
		var local unified.Config
		if l := t.local(); l != nil {
			local = *l
		}
		copyItem(&want, local, sec, name)
	}
	if own {
		want.Normalize()
		return want, false
	}
	return want.Normalized(), true
}

// hubCanon is, for one pass of a scope, the canonical form of the hub's sections per set of
// sections: the endpoints holding the same sections and no pending item (most of them) share
// one, put together from the canonical parts of the hub's sections, which are encoded once
// for all of them and for the snapshot (all sections).
type hubCanon struct {
	hub   unified.Config
	parts [3]canonOnce // by the index of the section in unified.AllSections
	mu    sync.Mutex
	m     map[string]*canonOnce
}

type canonOnce struct {
	once sync.Once
	b    []byte
}

func newHubCanon(hub unified.Config) *hubCanon { return &hubCanon{hub: hub} }

// of returns the canonical form of the hub's given sections: hub.Select(sections...), as
// desiredFor shares it, encoded.
func (h *hubCanon) of(sections []unified.Section) []byte {
	key := sectionsKey(sections)
	h.mu.Lock()
	if h.m == nil {
		h.m = map[string]*canonOnce{}
	}
	c := h.m[key]
	if c == nil {
		c = &canonOnce{}
		h.m[key] = c
	}
	h.mu.Unlock()
	c.once.Do(func() {
		var parts [][]byte
		for i, s := range unified.AllSections {
			if slices.Contains(sections, s) {
				p := &h.parts[i]
				p.once.Do(func() { p.b = h.hub.CanonicalPart(s) })
				parts = append(parts, p.b)
			}
		}
		c.b = unified.JoinCanonical(parts...)
	})
	return c.b
}

// copyItem makes the item sec/name of dst what it is in src: the same value, or absent.
func copyItem(dst *unified.Config, src unified.Config, sec unified.Section, name string) {
	switch sec {
	case unified.SectionServers:
		delete(dst.Servers, name)
		if s, ok := src.Servers[name]; ok {
			if dst.Servers == nil {
				dst.Servers = map[string]unified.Server{}
			}
			dst.Servers[name] = s.Clone()
		}
	case unified.SectionRules:
		delete(dst.Rules, name)
		if r, ok := src.Rules[name]; ok {
			if dst.Rules == nil {
				dst.Rules = map[string]unified.Rule{}
			}
			r.Globs = slices.Clone(r.Globs)
			dst.Rules[name] = r
		}
	case unified.SectionPermissions:
		p, from := &dst.Permissions, src.Permissions
		for _, list := range []struct {
			dst  *[]string
			from []string
		}{{&p.Allow, from.Allow}, {&p.Ask, from.Ask}, {&p.Deny, from.Deny}} {
			*list.dst = slices.DeleteFunc(*list.dst, func(e string) bool { return e == name })
			if slices.Contains(list.from, name) {
				*list.dst = append(*list.dst, name)
			}
		}
	}
}

// dispatch renders the hub into every endpoint of the scope, concurrently per file so that a
// slow or failing client never holds up the others. It returns the number of files written.
// held are the endpoints not to write (a pending hold included). The endpoints are encoded
// at once, but no file is written before stored is open; when it opens with an error
// nothing is written and no state is recorded.
// canons holds the hub's canonical forms, shared with the snapshot.
func (e *Engine) dispatch(ctx context.Context, sc clients.Scope, targets []target, hub unified.Config, canons *hubCanon, pending map[string]Pending, held map[string]bool, res *Result, stored *gate) int {
	byPath := map[string][]*target{}
	work := map[string]int{}
	var order []string
	for i := range targets {
		t := &targets[i]
		p := t.ep.Path
		if _, ok := byPath[p]; !ok {
			order = append(order, p)
		}
		byPath[p] = append(byPath[p], t)
		work[p] = max(work[p], encodeWork(t.ep, hub))
	}
	// The files that take longest to encode start first, so that they are the first to ask
	// for a CPU slot (see slots, which serve the waiting ones largest first).
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(work[b], work[a]) })
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		written int
	)
	for _, p := range order {
		group := byPath[p]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, t := range group {
				if t.err != nil {
					continue // unreadable or unparsable: never overwrite what we cannot read
				}
				if held[t.ep.ID()] {
					mu.Lock()
					cr := res.client(t.client.Adapter.ID())
					cr.Warnings = append(cr.Warnings, t.ep.Path+": held until you confirm or restore it")
					if cr.State == "ok" {
						cr.State = "held"
					}
					mu.Unlock()
					continue
				}
				n, err := e.writeEndpoint(ctx, t, hub, canons, pending, res, &mu, stored)
				mu.Lock()
				written += n
				res.FilesWritten += n
				cr := res.client(t.client.Adapter.ID())
				cr.Written += n
				if err != nil {
					cr.Errors = append(cr.Errors, err.Error())
					cr.State = "error"
				}
				mu.Unlock()
			}
		}()
		runtime.Gosched() // it asks for its slot before the next one starts, as a rule
	}
	wg.Wait()
	if stored.wait() != nil {
		for i := range targets {
			targets[i].put = nil // the pass failed before writing: nothing it noted holds
		}
		return 0
	}
	res.states = append(res.states, takeStates(targets)...)
	now := e.now().UTC()
	for _, t := range targets {
		cr := res.Clients[t.client.Adapter.ID()]
		if cr == nil {
			continue
		}
		state := cr.State
		if state == "ok" && len(cr.Warnings) > 0 {
			state = "warning"
		}
		id := t.client.Adapter.ID()
		e.setStatus(id, func(s *ClientStatus) {
			s.State = state
			s.LastSync = now
			s.Servers, s.Rules, s.Permissions = cr.Servers, cr.Rules, cr.Permissions
			s.Warnings = cr.Warnings
			if len(cr.Errors) > 0 {
				s.LastError = cr.Errors[len(cr.Errors)-1]
			} else {
				s.LastError = ""
			}
		})
	}
	return written
}

// writeEndpoint encodes and writes one endpoint, then records its new base. It writes
// nothing until ready is open, and nothing at all when ready opens with an error.
func (e *Engine) writeEndpoint(ctx context.Context, t *target, hub unified.Config, canons *hubCanon, pending map[string]Pending, res *Result, mu *sync.Mutex, ready *gate) (int, error) {
	id := t.client.Adapter.ID()
	enc, done, err := e.encode(ctx, t, hub, canons, pending, res, mu)
	if done || err != nil {
		return 0, err
	}
	if ready.wait() != nil {
		return 0, nil // dispatch returns the pass's error; this endpoint is left as it is
	}
	canon, out, warns := enc.canon, enc.out, enc.warns
	final := clients.Files{}
	for p, b := range t.files {
		final[p] = b
	}
	var writes []fileWrite
	for _, p := range out.Sorted() {
		data := out[p]
		old, existed := t.files[p]
		if data == nil {
			if !existed {
				continue
			}
		} else if existed && bytes.Equal(old, data) {
			continue
		}
		writes = append(writes, fileWrite{path: p, old: old, existed: existed, data: data})
	}
	e.writeFiles(ctx, t, writes)
	n := 0
	var failed *fileWrite
	for i := range writes {
		w := &writes[i]
		if w.err != nil {
			// The first failure in path order, one that is not another program's save
			// first: that one is merged in the next pass and is not worth an error.
			if failed == nil || (errors.Is(failed.err, fsx.ErrChangedUnderneath) && !errors.Is(w.err, fsx.ErrChangedUnderneath)) {
				failed = w
			}
			continue
		}
		n++
		if w.data == nil {
			delete(final, w.path)
		} else {
			final[w.path] = w.data
		}
	}
	if failed != nil {
		e.setRetry(t.ep.ID(), true)
		// What the files held when we read them has been merged into the hub already, so it
		// becomes the base even though our writes did not land: otherwise the next pass
		// would see the same edit again and take it for a conflict with itself.
		if n == 0 && t.obs.Local != nil {
			e.putState(t, t.files, t.localCanonical())
		}
		if errors.Is(failed.err, fsx.ErrChangedUnderneath) {
			// Another program is writing the file right now; its change arrives as a new
			// watch event and is merged then. Not an error worth alarming the user.
			e.log.Debug("file changed while writing; will sync again", "path", failed.path)
			return n, nil
		}
		return n, e.fail(ctx, t, failed.err)
	}
	e.setRetry(t.ep.ID(), false)
	e.forgetReports(t.ep, "error:")
	// The new base is what the files now hold, read back through the adapter, so that
	// what the client cannot express is not mistaken for a deletion next time.
	var known *unified.Config
	if n == 0 {
		known = t.local() // nothing written: the files hold what they held
	}
	var base []byte
	switch {
	case known != nil && known == t.obs.Local:
		base = t.localCanonical()
	case known != nil:
		base = known.Canonical()
	case enc.base != nil:
		base = enc.base // what the adapter's encode read back from the documents it edited
	default:
		release := e.slot()
		cfg, _, err := t.client.Adapter.Decode(t.ep, final)
		release()
		if err != nil {
			return n, e.fail(ctx, t, fmt.Errorf("re-read %s after writing: %w", t.ep.Path, err))
		}
		base = e.baseOf(t, cfg, nil, canon)
	}
	hash, stored := e.putState(t, final, base)
	e.remember(t, hash, stored, canon, warns)
	if n > 0 {
		e.bus.Publish(events.Event{Type: events.FileWritten, Client: id, Scope: t.ep.Scope.ID(), Msg: fmt.Sprintf("updated %s", t.ep.Path), Data: map[string]any{"path": t.ep.Path, "files": n}})
	}
	return n, nil
}

// baseOf is the base recorded for files that decode as cfg, encoded from want (canon): the
// endpoint's sections, with the secrets' values the files hold back to references. Extract
// changes cfg's servers in place; a read-back may share them with the config it was encoded
// from, which is then the copy encode resolved the references into, never the hub. Without
// references in want, what was written came from configs already extracted on the way in.
// When the files read back as want itself (the usual case), the base is canon, shared with
// the other endpoints written from the same hub, and nothing is encoded again.
func (e *Engine) baseOf(t *target, cfg unified.Config, want *unified.Config, canon []byte) []byte {
	if bytes.Contains(canon, []byte("${secret:")) {
		_ = e.secrets.Extract(&cfg)
	}
	back := cfg.Select(t.ep.Sections...)
	if want != nil && back.SameCanonical(*want) {
		return canon
	}
	return back.Canonical()
}

// fileWrite is one file of an endpoint to replace (data nil: delete it), and how it went.
type fileWrite struct {
	path    string
	old     []byte
	existed bool
	data    []byte
	err     error
}

// encodeWork is about how long encoding hub into ep takes, in microseconds on the machine
// the README's figures come from, for the order in which the CPU slots take the endpoints
// of a pass (see slots): per server about 12 in JSON and YAML and twice that in TOML, whose
// new tables are each read again by go-toml; per rule about 15. Only the order matters.
func encodeWork(ep clients.Endpoint, hub unified.Config) int {
	work := 0
	for _, s := range ep.Sections {
		switch s {
		case unified.SectionServers:
			per := 12
			if ep.Format == clients.FormatTOML {
				per = 24
			}
			work += per * len(hub.Servers)
		case unified.SectionRules:
			work += 15 * len(hub.Rules)
		case unified.SectionPermissions:
			work += len(hub.Permissions.Allow) + len(hub.Permissions.Ask) + len(hub.Permissions.Deny)
		}
	}
	return work
}

// fileWriters is how many files of one endpoint are written at once. A rule folder can
// take hundreds of files on a first pass, each replaced atomically with two fsyncs; written
// one after another they were most of that pass, while the disk could take several at once.
const fileWriters = 8

// writeFiles writes an endpoint's files, several at a time, each with writeWithRetry, and
// records each one's error in it.
func (e *Engine) writeFiles(ctx context.Context, t *target, writes []fileWrite) {
	next := make(chan *fileWrite)
	var wg sync.WaitGroup
	for range min(fileWriters, len(writes)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range next {
				w.err = e.writeWithRetry(ctx, t, w.path, w.old, w.existed, w.data)
			}
		}()
	}
	for i := range writes {
		next <- &writes[i]
	}
	close(next)
	wg.Wait()
}

// encoded is what an endpoint's encode produced: the canonical form of the config it should
// hold, and the files to write.
type encoded struct {
	canon []byte
	out   clients.Files
	warns []clients.Warning
	// base is the base to record once out is written (see baseOf), when the adapter's encode
	// could read it back from the documents it edited (clients.ReadBackEncoder). It is kept
	// in canonical form: the endpoints of a scope wait for their writes at the same time.
	base []byte
}

// encode works out what an endpoint should hold and, unless its files already hold it, the
// bytes to write; done reports that there is nothing to write. It runs in one of the
// engine's CPU slots (see Engine.slot).
func (e *Engine) encode(ctx context.Context, t *target, hub unified.Config, canons *hubCanon, pending map[string]Pending, res *Result, mu *sync.Mutex) (enc encoded, done bool, err error) {
	defer e.slotFor(encodeWork(t.ep, hub))()
	id := t.client.Adapter.ID()
	want, shared := desiredFor(hub, t, pending)
	mu.Lock()
	cr := res.client(id)
	cr.Servers += len(want.Servers)
	cr.Rules += len(want.Rules)
	cr.Permissions += len(want.Permissions.Allow) + len(want.Permissions.Ask) + len(want.Permissions.Deny)
	mu.Unlock()

	if t.obs.Missing && !canCreate(t.ep) {
		return enc, true, nil // the client keeps no file here and we never create its folder
	}
	var canon []byte
	if shared {
		canon = canons.of(t.ep.Sections)
	} else {
		canon = want.Canonical()
	}
	if ok, warns := e.holds(t, canon); ok {
		// The warnings of the encode that produced these files still hold; the client's
		// status keeps them.
		mu.Lock()
		cr.Warnings = append(cr.Warnings, warns...)
		mu.Unlock()
		return enc, true, nil
	}
	if t.obs.Missing && want.IsEmpty() {
		e.putState(t, t.files, want.Canonical())
		return enc, true, nil
	}
	secretRefs := bytes.Contains(canon, []byte("${secret:"))
	if t.obs.Local != nil && !secretRefs && bytes.Equal(t.localCanonical(), canon) {
		// The files were just decoded as want (typically the file whose change this pass
		// carries): an encode would give back the same bytes, as every adapter's is
		// byte-identical when nothing changes, and would lose nothing to warn about.
		return encoded{canon: canon, out: clients.Files{}}, false, nil
	}
	render := want
	if secretRefs {
		// Resolve writes the secrets' values into its copy; want stays as the hub has it.
		render = want.Clone()
		if err := e.secrets.Resolve(&render); err != nil {
			return enc, false, e.fail(ctx, t, fmt.Errorf("resolve secrets for %s: %w", t.ep.Path, err))
		}
	}
	var (
		out   clients.Files
		warns []clients.Warning
		base  []byte
	)
	if rb, ok := t.client.Adapter.(clients.ReadBackEncoder); ok {
		var back unified.Config
		if out, warns, back, err = rb.EncodeReadBack(t.ep, t.files, render); err == nil {
			base = e.baseOf(t, back, &want, canon)
		}
	} else {
		out, warns, err = t.client.Adapter.Encode(t.ep, t.files, render)
	}
	if err != nil {
		return enc, false, e.fail(ctx, t, fmt.Errorf("encode %s: %w", t.ep.Path, err))
	}
	for _, w := range warns {
		e.reportOnce(ctx, t.ep, "warn:"+w.String(), store.LevelWarn, fmt.Sprintf("%s (%s): %s", t.client.Adapter.Name(), t.ep.Path, w.String()), id)
		mu.Lock()
		cr.Warnings = append(cr.Warnings, w.String())
		mu.Unlock()
	}
	return encoded{canon: canon, out: out, warns: warns, base: base}, false, nil
}

// rendering is what a pass left in an endpoint's files: their hash, the base recorded
// for them and the desired config they were rendered from.
type rendering struct {
	hash       string
	base, want digest
	warns      []string // what the encode warned about
}

// digest identifies bytes within this process: two 64-bit maphashes with independent
// random seeds. rendering keeps digests of canonical configs that are compared at every
// pass and never stored, for which SHA-256 took four times as long (a pass of a thousand
// servers compared and recorded megabytes of them).
type digest [2]uint64

var digestSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func digestOf(b []byte) digest {
	return digest{maphash.Bytes(digestSeeds[0], b), maphash.Bytes(digestSeeds[1], b)}
}

// holds reports whether the endpoint's files already hold want, so that the pass can leave
// them alone without encoding anything: they are unchanged since the last pass recorded
// them (same hash, same base in the store), and either they read back as want or the last
// pass rendered this same want into them (a client that cannot express everything reads
// back as less). Most passes of a large setup touch one client, and encoding every other
// client's file only to find the same bytes was most of their cost. Nothing is skipped
// while a write is being retried, or when want holds secret references, whose values
// live in the keyring and may have changed since.
//
// It also returns the warnings of the encode that produced the files, when this process
// did; files that read back as want lost nothing, so their encode had nothing to warn about.
func (e *Engine) holds(t *target, canon []byte) (bool, []string) {
	if !t.unchanged || bytes.Contains(canon, []byte("${secret:")) {
		return false, nil
	}
	e.statusMu.RLock()
	retrying, last := e.retry[t.ep.ID()], e.rendered[t.ep.ID()]
	e.statusMu.RUnlock()
	if retrying {
		return false, nil
	}
	same := last.hash == t.obs.Hash && last.base == digestOf(t.state.Base) && last.want == digestOf(canon)
	if same {
		return true, last.warns
	}
	return bytes.Equal(canon, t.state.Base), nil
}

// remember records, for holds, what writeEndpoint left in the endpoint's files: the hash
// and base putState stored, the want they were rendered from and the encode's warnings.
func (e *Engine) remember(t *target, hash string, base, want []byte, warns []clients.Warning) {
	r := rendering{hash: hash, base: digestOf(base), want: digestOf(want)}
	for _, w := range warns {
		r.warns = append(r.warns, w.String())
	}
	e.statusMu.Lock()
	e.rendered[t.ep.ID()] = r
	e.statusMu.Unlock()
}

// canCreate reports whether a missing endpoint file may be created: its folder must exist
// (for a rule folder, the folder that holds it), because the client's own folder is never
// created by aisync.
func canCreate(ep clients.Endpoint) bool {
	if ep.ExistingOnly {
		return false
	}
	dir := filepath.Dir(ep.Path)
	if ep.Format == clients.FormatRuleDir {
		if fi, err := os.Stat(ep.Path); err == nil && fi.IsDir() {
			return true
		}
	}
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// putState notes the endpoint's files (by hash) and the base they read back as (its
// canonical JSON), which the pass stores with the other endpoints' when it ends (see
// Result.states), and returns both as they will be stored.
func (e *Engine) putState(t *target, final clients.Files, base []byte) (hash string, canon []byte) {
	h := filesHash(final)
	now := e.now().UTC()
	w := store.StateWrite{State: store.EndpointState{EndpointID: t.ep.ID(), ClientID: t.client.Adapter.ID(), Scope: t.ep.Scope.ID(), Path: t.ep.Path,
		Base: base, Hash: h, WrittenHash: h, UpdatedAt: now}}
	if !t.hasSt || t.state.Hash != h {
		w.Endpoint = &store.Endpoint{ClientID: t.client.Adapter.ID(), Path: t.ep.Path + keySuffix(t.ep), ConfigType: sectionsLabel(t.ep), Hash: h, LastSeen: now}
	}
	t.put = &w
	return h, base
}

// takeStates returns the states putState noted for targets (see Result.states).
func takeStates(targets []target) []store.StateWrite {
	var ws []store.StateWrite
	for i := range targets {
		if w := targets[i].put; w != nil {
			ws = append(ws, *w)
			targets[i].put = nil
		}
	}
	return ws
}

// saveStates stores endpoint states in one transaction.
func (e *Engine) saveStates(ctx context.Context, ws []store.StateWrite) {
	if err := e.st.PutEndpointStates(ctx, ws); err != nil {
		e.log.Error("save endpoint states", "endpoints", len(ws), "err", err)
	}
}

func keySuffix(ep clients.Endpoint) string {
	if ep.Key != "" {
		return "#" + ep.Key
	}
	return ""
}

func sectionsLabel(ep clients.Endpoint) string { return sectionsKey(ep.Sections) }

func sectionsKey(sections []unified.Section) string {
	s := ""
	for i, x := range sections {
		if i > 0 {
			s += "+"
		}
		s += string(x)
	}
	return s
}

// fail records a failed endpoint: an Error log entry (once per distinct error) and status.
func (e *Engine) fail(ctx context.Context, t *target, err error) error {
	id := t.client.Adapter.ID()
	e.reportOnce(ctx, t.ep, "error:"+err.Error(), store.LevelError, err.Error(), id)
	e.setStatus(id, func(s *ClientStatus) { s.State = "error"; s.LastError = err.Error() })
	return err
}

// writeWithRetry backs up the old bytes and replaces the file atomically, retrying with
// exponential backoff and jitter. Every attempt is recorded in the log at debug level and
// counted in the metrics. A file that another program changed meanwhile is not retried:
// its new content will be synced in the next pass instead of being overwritten.
func (e *Engine) writeWithRetry(ctx context.Context, t *target, path string, old []byte, existed bool, data []byte) error {
	if ep := t.ep; ep.Format == clients.FormatRuleDir {
		if err := os.MkdirAll(ep.Path, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", ep.Path, err)
		}
	}
	var lastErr error
	delay := e.set.RetryBase
	if delay <= 0 {
		delay = 100 * time.Millisecond
	}
	for attempt := 0; attempt <= e.set.RetryMax; attempt++ {
		if attempt > 0 {
			e.metrics.retries.Add(1)
			e.metrics.clientRetry(t.client.Adapter.ID())
			e.log.Debug("retrying write", "path", path, "attempt", attempt, "err", lastErr)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(jitter(delay)):
			}
			delay *= 2
		}
		lastErr = e.writeOnce(path, old, existed, data)
		if lastErr == nil {
			return nil
		}
		if errors.Is(lastErr, fsx.ErrChangedUnderneath) {
			return lastErr
		}
	}
	return fmt.Errorf("write %s: gave up after %d attempts: %w", path, e.set.RetryMax+1, unwrapPath(lastErr))
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (e *Engine) writeOnce(path string, old []byte, existed bool, data []byte) error {
	unlock := fsx.Lock(path)
	defer unlock()
	if data == nil {
		if existed {
			if _, err := e.backups.Save(path, old); err != nil {
				return err
			}
		}
		return fsx.Remove(path)
	}
	opt := fsx.WriteOptions{ExpectHash: fsx.Hash(oldOrNil(old, existed)), ExpectAbsent: !existed}
	var saved chan error
	waited := false
	if existed && !e.wroteBytes(path, opt.ExpectHash) {
		// The backup is written while the new bytes are (each waits on its own fsync), and
		// the replace waits for it.
		saved = make(chan error, 1)
		go func() {
			_, err := e.backups.Save(path, old)
			saved <- err
		}()
		opt.BeforeReplace = func() error { waited = true; return <-saved }
	}
	err := fsx.WriteAtomic(path, data, opt)
	if saved != nil && !waited {
		<-saved // the write failed early; the backup still finishes under the file's lock
	}
	e.noteWritten(path, data, err)
	return err
}

// wroteBytes reports whether the file's bytes (by hash) are the ones this process last
// wrote there. Replacing them needs no backup: they hold nothing the user wrote that the
// backup taken before aisync's first write of the file does not, and backing up every
// intermediate file of a burst of syncs would rotate the user's own last version out of
// the kept backups (and cost two more fsyncs per write on the path of every change).
func (e *Engine) wroteBytes(path, hash string) bool {
	e.statusMu.RLock()
	defer e.statusMu.RUnlock()
	return hash != "" && e.written[path] == hash
}

// noteWritten records what a write left in path, for wroteBytes.
func (e *Engine) noteWritten(path string, data []byte, err error) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	if err == nil {
		e.written[path] = fsx.Hash(data)
	} else {
		delete(e.written, path) // what the file holds now is not known
	}
}

func oldOrNil(old []byte, existed bool) []byte {
	if !existed {
		return nil
	}
	if old == nil {
		return []byte{}
	}
	return old
}
