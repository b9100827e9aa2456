package tomledit

import (
	"fmt"
	"testing"
)

// BenchmarkAddTables adds a thousand Codex servers to an empty config, as a first sync
// pass does.
func BenchmarkAddTables(b *testing.B) {
	tables := make([]Table, 1000)
	for i := range tables {
		tables[i] = Table{Name: fmt.Sprintf("srv-%04d", i), Keys: []KeyValue{
			{"command", "node"}, {"args", []string{fmt.Sprintf("servers/srv-%d.js", i), "--port", fmt.Sprint(9000 + i)}},
			{"env", map[string]any{"INDEX": fmt.Sprint(i)}}}}
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := Parse(nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.AddTables([]string{"mcp_servers"}, tables); err != nil {
			b.Fatal(err)
		}
	}
}
