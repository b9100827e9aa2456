package jsonedit

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"
)

// bigClaudeJSON builds a document shaped like a long-used ~/.claude.json: many projects keyed
// by path, each with history and state, pretty-printed by JSON.stringify.
func bigClaudeJSON(size int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"numStartups\": 1234,\n  \"projects\": {\n")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `    "/home/me/src/project-%d": {
      "allowedTools": ["Bash(npm run test:*)", "mcp__github__create_issue"],
      "history": [
        {"display": "refactor the \"store\" package, keep \\ paths", "pastedContents": {}},
        {"display": "add tests for café ünïcode", "pastedContents": {}}
      ],
      "mcpServers": {},
      "hasTrustDialogAccepted": true,
      "lastCost": 0.%d,
      "lastSessionId": "0f6e3c1a-6a3e-4f7b-9a55-%012d"
    }`, i, i, i)
	}
	b.WriteString("\n  },\n  \"mcpServers\": {}\n}\n")
	return b.Bytes()
}

var benchServer = map[string]any{
	"type":    "stdio",
	"command": "npx",
	"args":    []string{"-y", "@acme/mcp"},
	"env":     map[string]string{"TOKEN": "${TOKEN}"},
}

func BenchmarkParse1MB(b *testing.B) {
	data := bigClaudeJSON(1 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEdit1MB is the adapter's hot path on a big file: read, set one server, write.
func BenchmarkEdit1MB(b *testing.B) {
	data := bigClaudeJSON(1 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Set([]string{"projects", "/home/me/src/project-100", "mcpServers", "acme"}, benchServer); err != nil {
			b.Fatal(err)
		}
		if err := d.Set([]string{"mcpServers", "acme"}, benchServer); err != nil {
			b.Fatal(err)
		}
		if len(d.Bytes()) <= len(data) {
			b.Fatal("nothing was added")
		}
	}
}

// TestEditScalesLinearly guards against quadratic behaviour: per byte, editing a 1 MiB
// document must cost about what editing a 128 KiB one does. Each size does the same amount
// of total work and the best of several rounds counts, to keep a busy machine from failing
// the test; quadratic code would be 8 times slower per byte.
func TestEditScalesLinearly(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: skipped with -short and -race")
	}
	perByte := func(size int) float64 {
		data := bigClaudeJSON(size)
		reps := (4 << 20) / len(data)
		best := time.Duration(math.MaxInt64)
		for round := 0; round < 5; round++ {
			start := time.Now()
			for i := 0; i < reps+1; i++ {
				d, err := Parse(data)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Set([]string{"projects", "/home/me/src/project-3", "mcpServers", "acme"}, benchServer); err != nil {
					t.Fatal(err)
				}
				if err := d.Delete("projects", "/home/me/src/project-5"); err != nil {
					t.Fatal(err)
				}
				_ = d.Bytes()
			}
			best = min(best, time.Since(start))
		}
		return float64(best) / float64((reps+1)*len(data))
	}
	small, big := perByte(128<<10), perByte(1<<20)
	if big > 3*small {
		t.Fatalf("time per byte grows with size: %.2f ns/B at 128 KiB, %.2f ns/B at 1 MiB", small, big)
	}
}
