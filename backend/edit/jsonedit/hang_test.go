package jsonedit

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHangScan(t *testing.T) {
	dir := os.Getenv("HANGDIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(dir + "/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		line := strings.Split(string(b), "\n")[1]
		line = strings.TrimSuffix(strings.TrimPrefix(line, "[]byte("), ")")
		s, err := strconv.Unquote(line)
		if err != nil {
			continue
		}
		done := make(chan bool)
		go func() {
			d, err := Parse([]byte(s))
			if err == nil {
				_ = d.Set([]string{"fuzz\x00\"<key>"}, map[string]any{"a": []any{1, "two", nil}, "b": map[string]any{}})
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(200 * time.Millisecond):
			t.Fatalf("hang on %s: %q", f, s)
		}
	}
}
