package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aisync/backend/clients"
	"aisync/backend/watch"
)

type triggerReq struct{}

// Serve runs the long-lived loop: start-up reconciliation of every endpoint, then live
// watching with debouncing, and a periodic rescan as the safety net. It returns when ctx ends.
func (e *Engine) Serve(ctx context.Context) error {
	quiet := e.set.Debounce
	maxDelay := 10 * quiet
	if maxDelay < 200*time.Millisecond {
		maxDelay = 200 * time.Millisecond
	}
	w, err := watch.New(quiet, maxDelay, e.log)
	if err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() { werr <- w.Serve(ctx) }()

	e.rewatchMu.Lock()
	e.rewatch = func() { w.Watch(e.watchDirs(ctx)) }
	e.rewatchMu.Unlock()
	// Watch first, then reconcile, so that nothing written during start-up is missed.
	w.Watch(e.watchDirs(ctx))
	if _, err := e.SyncAll(ctx, TriggerStartup, nil); err != nil && ctx.Err() == nil {
		e.log.Error("start-up sync", "err", err)
	}
	w.Watch(e.watchDirs(ctx))

	var rescan <-chan time.Time
	if e.set.Rescan > 0 {
		t := time.NewTicker(e.set.Rescan)
		defer t.Stop()
		rescan = t.C
	}
	for {
		select {
		case <-ctx.Done():
			<-werr
			return nil
		case err := <-werr:
			return err
		case paths := <-w.C():
			if e.Paused() {
				continue
			}
			scopes, full := e.scopesFor(ctx, paths)
			if !full && len(scopes) == 0 {
				continue
			}
			e.mu.Lock()
			var filter map[string]bool
			if !full {
				filter = scopes
			}
			if _, err := e.syncLocked(ctx, TriggerWatch, passScope{scopes: filter}); err != nil && ctx.Err() == nil {
				e.log.Error("sync after change", "err", err)
			}
			e.mu.Unlock()
			w.Watch(e.watchDirs(ctx))
		case <-rescan:
			if e.Paused() {
				continue
			}
			if _, err := e.SyncAll(ctx, TriggerRescan, nil); err != nil && ctx.Err() == nil {
				e.log.Error("rescan", "err", err)
			}
			w.Watch(e.watchDirs(ctx))
		}
	}
}

// Rewatch refreshes the watched directories (after a client or project was added).
func (e *Engine) Rewatch() {
	e.rewatchMu.Lock()
	f := e.rewatch
	e.rewatchMu.Unlock()
	if f != nil {
		f()
	}
}

// watchDirs are the directories whose changes matter: the folder of every endpoint file,
// every rule folder and its parent, and the parents of the paths that reveal a client.
func (e *Engine) watchDirs(ctx context.Context) []string {
	set := map[string]bool{}
	add := func(p string) {
		// Watch the nearest existing ancestor so that a folder created later is noticed.
		for d := p; d != "" && d != filepath.Dir(d); d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				set[d] = true
				return
			}
			if d == e.env.Home {
				return
			}
		}
	}
	scopes, _ := e.Scopes(ctx)
	for _, a := range e.adapters {
		for _, p := range a.DetectPaths(e.env) {
			add(filepath.Dir(p))
		}
		for _, sc := range scopes {
			for _, ep := range a.Endpoints(e.env, sc) {
				add(filepath.Dir(ep.Path))
				for _, c := range ep.Companions {
					add(filepath.Dir(c))
				}
				if ep.Format == clients.FormatRuleDir {
					add(ep.Path)
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	return out
}

// scopesFor maps changed paths to the scopes whose endpoints they belong to. full is true
// when a path reveals a client appearing or disappearing, which needs a full pass.
func (e *Engine) scopesFor(ctx context.Context, paths []string) (map[string]bool, bool) {
	out := map[string]bool{}
	scopes, _ := e.Scopes(ctx)
	for _, p := range paths {
		for _, a := range e.adapters {
			for _, d := range a.DetectPaths(e.env) {
				if filepath.Clean(d) == filepath.Clean(p) {
					return nil, true
				}
			}
			for _, sc := range scopes {
				for _, ep := range a.Endpoints(e.env, sc) {
					if ep.Matches(p) || (ep.Format == clients.FormatRuleDir && filepath.Clean(p) == filepath.Clean(ep.Path)) {
						out[sc.ID()] = true
					}
				}
			}
		}
	}
	return out, false
}

// removeStaleTemps deletes temporary files a killed aisync left next to client files
// (".<name>.aisync-*.tmp", see fsx.WriteAtomic), and inside rule folders: they were never
// renamed into place, so they hold nothing the client uses. Each folder is read once,
// however many endpoints live in it.
func (e *Engine) removeStaleTemps(ctx context.Context) {
	scopes, _ := e.Scopes(ctx)
	dirs := map[string]map[string]bool{} // folder → names whose temporary files go; "" for any
	add := func(dir, name string) {
		if dirs[dir] == nil {
			dirs[dir] = map[string]bool{}
		}
		dirs[dir][name] = true
	}
	for _, a := range e.adapters {
		for _, sc := range scopes {
			for _, ep := range a.Endpoints(e.env, sc) {
				for _, p := range append([]string{ep.Path}, ep.Companions...) {
					add(filepath.Dir(p), filepath.Base(p))
				}
				if ep.Format == clients.FormatRuleDir {
					add(ep.Path, "")
				}
			}
		}
	}
	for dir, names := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // most clients' folders do not exist
		}
		for _, de := range entries {
			name, ok := tempFor(de.Name())
			if !ok || !de.Type().IsRegular() || !(names[name] || names[""]) {
				continue
			}
			if m := filepath.Join(dir, de.Name()); os.Remove(m) == nil {
				e.log.Info("removed a temporary file left by an interrupted write", "path", m)
			}
		}
	}
}

// tempFor returns the name of the file a temporary file of fsx.WriteAtomic was to replace:
// ".<name>.aisync-<random>.tmp".
func tempFor(file string) (string, bool) {
	if !strings.HasPrefix(file, ".") || !strings.HasSuffix(file, ".tmp") {
		return "", false
	}
	i := strings.LastIndex(file, ".aisync-")
	if i < 1 || i+len(".aisync-") > len(file)-len(".tmp") {
		return "", false
	}
	return file[1:i], true
}
