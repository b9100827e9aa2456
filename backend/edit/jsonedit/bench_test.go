package jsonedit

import (
	"bytes"
	"fmt"
	"testing"
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

// TestEditScalesLinearly guards against quadratic behaviour: editing a document 8 times as
// big must not take much more than 8 times as long.
func TestEditScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	run := func(size int) float64 {
		data := bigClaudeJSON(size)
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				d, _ := Parse(data)
				_ = d.Set([]string{"projects", "/home/me/src/project-3", "mcpServers", "acme"}, benchServer)
				_ = d.Delete("projects", "/home/me/src/project-5")
				_ = d.Bytes()
			}
		})
		return float64(r.NsPerOp()) / float64(len(data))
	}
	small, big := run(128<<10), run(1<<20)
	if big > 4*small {
		t.Fatalf("time per byte grows with size: %.2f ns/B at 128 KiB, %.2f ns/B at 1 MiB", small, big)
	}
}
