package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/settings"
	"aisync/backend/unified"
)

// folderAdapter keeps each server in its own file, <home>/.<id>/servers.d/<name>.json, like
// the clients that keep one rule per file: an endpoint of many files.
type folderAdapter struct{ fakeAdapter }

func (f folderAdapter) dir(env clients.Env) string {
	return filepath.Join(env.Home, "."+f.id, "servers.d")
}

func (f folderAdapter) Endpoints(env clients.Env, sc clients.Scope) []clients.Endpoint {
	if sc.Kind != clients.ScopeUser {
		return nil
	}
	return []clients.Endpoint{{Client: f.id, Scope: sc, Path: f.dir(env), Pattern: "*.json", Format: clients.FormatRuleDir, Sections: []unified.Section{unified.SectionServers}}}
}

func (f folderAdapter) Decode(ep clients.Endpoint, files clients.Files) (unified.Config, []clients.Warning, error) {
	var c unified.Config
	for p, data := range files {
		var s unified.Server
		if err := json.Unmarshal(data, &s); err != nil {
			return c, nil, &clients.SyntaxError{Path: p, Line: 1, Col: 1, Msg: err.Error(), Format: clients.FormatJSON}
		}
		if c.Servers == nil {
			c.Servers = map[string]unified.Server{}
		}
		c.Servers[strings.TrimSuffix(filepath.Base(p), ".json")] = s
	}
	return c, nil, nil
}

func (f folderAdapter) Encode(ep clients.Endpoint, files clients.Files, cfg unified.Config) (clients.Files, []clients.Warning, error) {
	out := clients.Files{}
	for name, s := range cfg.Servers {
		b, _ := json.MarshalIndent(s, "", "  ")
		p := filepath.Join(ep.Path, name+".json")
		if string(files[p]) != string(b) {
			out[p] = b
		}
	}
	for p := range files {
		if _, ok := cfg.Servers[strings.TrimSuffix(filepath.Base(p), ".json")]; !ok {
			out[p] = nil
		}
	}
	return out, nil, nil
}

// An endpoint's files are written independently (several at a time): one that cannot be
// written does not keep the others from being written, and is written once it can be.
func TestFolderFilesAreWrittenIndependently(t *testing.T) {
	t.Parallel()
	h := newHarness(t, settings.PolicyMerge, "alpha")
	many := folderAdapter{fakeAdapter{"many"}}
	h.eng.adapters = append(h.eng.adapters, many)
	dir := many.dir(h.eng.env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var list []string
	for i := range 30 {
		list = append(list, fmt.Sprintf(`"s%02d": {"transport": "stdio", "command": "srv", "args": ["%d"]}`, i, i))
	}
	h.write("alpha", `{"servers": {`+strings.Join(list, ", ")+`}}`)
	// Something in the way of one file: a folder by its name.
	blocked := filepath.Join(dir, "s07.json")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n := 0
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				n++
			}
		}
		return n
	}
	h.sync(TriggerCLI)
	if n := count(); n != 29 {
		t.Fatalf("with one file blocked, %d of the 29 others were written", n)
	}
	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	h.sync(TriggerRescan)
	if n := count(); n != 30 {
		t.Fatalf("after the way was cleared, the folder holds %d files, want 30", n)
	}
	var s unified.Server
	if data, err := os.ReadFile(blocked); err != nil || json.Unmarshal(data, &s) != nil || s.Args[0] != "7" {
		t.Fatalf("s07.json: %s (%v)", data, err)
	}
	if res := h.sync(TriggerRescan); res.FilesWritten != 0 {
		t.Fatalf("a pass with nothing to do wrote %d files", res.FilesWritten)
	}
}
