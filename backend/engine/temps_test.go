package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// ruleDirAdapter is fakeAdapter with a rules folder as well.
type ruleDirAdapter struct{ fakeAdapter }

func (r ruleDirAdapter) Endpoints(env clients.Env, sc clients.Scope) []clients.Endpoint {
	eps := r.fakeAdapter.Endpoints(env, sc)
	if sc.Kind == clients.ScopeUser {
		eps = append(eps, clients.Endpoint{Client: r.id, Scope: sc, Path: filepath.Join(env.Home, "."+r.id, "rules"),
			Format: clients.FormatRuleDir, Pattern: "*.md", Sections: []unified.Section{unified.SectionRules}})
	}
	return eps
}

// A start-up pass removes the temporary files an interrupted write left next to a client's
// files and inside its rule folders, and nothing else.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "priority", "rd")
	h.eng.adapters = []clients.Adapter{ruleDirAdapter{fakeAdapter{"rd"}}}
	dir := filepath.Join(h.home, ".rd")
	if err := os.MkdirAll(filepath.Join(dir, "rules", ".keep.md.aisync-7.tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{ // path → should be removed
		filepath.Join(dir, ".servers.json.aisync-123.tmp"):      true,
		filepath.Join(dir, "rules", ".style.md.aisync-9.tmp"):   true,
		filepath.Join(dir, ".other.json.aisync-1.tmp"):          false, // no endpoint writes other.json
		filepath.Join(dir, "servers.json.tmp"):                  false,
		filepath.Join(dir, ".servers.json.aisync-.tmp.bak"):     false,
		filepath.Join(dir, "rules", "style.md"):                 false,
		filepath.Join(h.home, ".servers.json.aisync-4.tmp"):     false, // another folder
		filepath.Join(dir, "rules", ".aisync-3.tmp"):            false, // names no file
		filepath.Join(dir, "rules", "notes.md.aisync-3.tmp"):    false, // not hidden: not ours
		filepath.Join(dir, "rules", ".nested.md.aisync-3.tmpx"): false,
	}
	for p := range files {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.removeStaleTemps(context.Background())
	for p, gone := range files {
		_, err := os.Stat(p)
		if gone && err == nil {
			t.Errorf("%s is still there", p)
		}
		if !gone && err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rules", ".keep.md.aisync-7.tmp")); err != nil {
		t.Errorf("a folder named like a temporary file was removed: %v", err)
	}
}
