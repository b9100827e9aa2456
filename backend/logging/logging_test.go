package logging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONFileRotates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log, c, err := New(Options{Level: "info", Format: "json", Dir: dir, MaxBytes: 400, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		log.Info("sync finished", "client", "cursor", "i", i)
	}
	log.Debug("hidden")
	c.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "aisync.log*"))
	if len(files) != 3 {
		t.Fatalf("files = %v, want aisync.log + 2 rotated", files)
	}
	cur, _ := os.ReadFile(filepath.Join(dir, "aisync.log"))
	if !strings.Contains(string(cur), `"msg":"sync finished"`) || strings.Contains(string(cur), "hidden") {
		t.Fatalf("log content: %s", cur)
	}
}
