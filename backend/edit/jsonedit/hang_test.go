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
	var worst time.Duration
	var worstF string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
		var args []string
		for _, l := range lines {
			i := strings.IndexByte(l, '(')
			v := l[i+1 : len(l)-1]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			args = append(args, v)
		}
		start := time.Now()
		if len(args) == 1 {
			fuzzParse(t, []byte(args[0]))
		} else {
			fuzzEdit(t, []byte(args[0]), args[1], args[2], args[3] == "true")
		}
		if el := time.Since(start); el > worst {
			worst, worstF = el, f
		}
	}
	t.Logf("%d files, worst %v %s", len(files), worst, worstF)
}
