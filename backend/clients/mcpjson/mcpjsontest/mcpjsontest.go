// Package mcpjsontest holds the test helpers the adapters of the mcpServers family share:
// golden before/after files for an endpoint (regenerated with -update) and the fuzz target
// body every decoder runs.
package mcpjsontest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Case is one golden test: an existing file (testdata/golden/<Name>.before<ext>, absent for a
// missing file), a change made to what it decodes to, and the expected file after encoding
// (testdata/golden/<Name>.after<ext>).
type Case struct {
	Name     string
	Endpoint clients.Endpoint
	// Missing says the file does not exist before.
	Missing bool
	// Change edits the decoded config; nil keeps it (a no-op round trip).
	Change func(c *unified.Config)
}

// Golden runs the case and returns the warnings of the encode. Besides comparing with the
// golden file it checks that the result reads back as the changed config (restricted to what
// the client can hold is the caller's business: pass a change it can hold) and that encoding
// it again changes nothing.
func Golden(t *testing.T, a clients.Adapter, c Case) []clients.Warning {
	t.Helper()
	ep := c.Endpoint
	ext := filepath.Ext(ep.Path)
	dir := filepath.Join("testdata", "golden")
	files := clients.Files{}
	if !c.Missing {
		before, err := os.ReadFile(filepath.Join(dir, c.Name+".before"+ext))
		if err != nil {
			t.Fatal(err)
		}
		files[ep.Path] = before
	}
	cfg, _, err := a.Decode(ep, files)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	cfg = cfg.Only(ep.Sections...)
	cfg.Normalize()
	if c.Change != nil {
		c.Change(&cfg)
		cfg.Normalize()
	}
	out, warns, err := a.Encode(ep, files, cfg)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	got, ok := out[ep.Path]
	if !ok {
		got = files[ep.Path]
	}
	golden := filepath.Join(dir, c.Name+".after"+ext)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encode result differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
	back, _, err := a.Decode(ep, clients.Files{ep.Path: got})
	if err != nil {
		t.Fatalf("decode the result: %v", err)
	}
	back = back.Only(ep.Sections...)
	back.Normalize()
	if !back.Equal(cfg) {
		t.Errorf("the result reads back differently:\n got %s\nwant %s", back.Canonical(), cfg.Canonical())
	}
	again, _, err := a.Encode(ep, clients.Files{ep.Path: got}, back)
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := again[ep.Path]; ok && !bytes.Equal(b, got) {
		t.Errorf("encoding the result again changed it:\n%s", b)
	}
	return warns
}

// HasWarning reports whether a warning with the code is about the item.
func HasWarning(warns []clients.Warning, item, code string) bool {
	for _, w := range warns {
		if w.Item == item && w.Code == code {
			return true
		}
	}
	return false
}

// RequireWarning fails the test unless the warning is there.
func RequireWarning(t *testing.T, warns []clients.Warning, item, code string) {
	t.Helper()
	if !HasWarning(warns, item, code) {
		var b strings.Builder
		for _, w := range warns {
			b.WriteString("\n  " + w.Item + " [" + w.Code + "] " + w.Message)
		}
		t.Errorf("no %s warning for %s; got:%s", code, item, b.String())
	}
}

// Fuzz is the body of every FuzzDecode: whatever the bytes, Decode never panics, and when
// they decode, encoding what they decode to into the same bytes changes nothing.
func Fuzz(f *testing.F, a clients.Adapter, eps []clients.Endpoint, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ep := range eps {
			files := clients.Files{ep.Path: data}
			cfg, _, err := a.Decode(ep, files)
			if err != nil {
				continue
			}
			cfg = cfg.Only(ep.Sections...)
			cfg.Normalize()
			out, _, err := a.Encode(ep, files, cfg)
			if err != nil {
				t.Fatalf("%s: encode what decoded: %v\ninput: %q", ep.ID(), err, data)
			}
			for p, b := range out {
				if !bytes.Equal(b, files[p]) {
					t.Fatalf("%s: encoding what %q decodes to changed it to %q", ep.ID(), data, b)
				}
			}
		}
	})
}

// Read returns a testdata file, failing the test when it is missing.
func Read(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
