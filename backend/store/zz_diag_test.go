package store

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestZZDiag(t *testing.T) {
	path := os.Getenv("AISYNC_BENCH_DB")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range []LogFilter{
		{Limit: 100},
		{Levels: []string{LevelError}, Limit: 100},
		{Levels: []string{LevelError, LevelWarn}, ClientID: "cursor", Limit: 100},
		{Levels: []string{LevelError, LevelWarn}, ClientID: "cursor", Query: "github", Limit: 100},
		{Levels: []string{LevelError}, ClientID: "zed", Query: "stripe", Limit: 100},
		{Query: "sync", Limit: 100},
		{Query: "confl*", Limit: 100},
		{Query: "legacy", Limit: 100},
		{Levels: []string{LevelError}, Query: "legacy", Limit: 100},
	} {
		if f.Query == "" {
			continue
		}
		for _, mode := range []textMode{textDrive, textFilter} {
			w, _ := logWhere(f, true, mode)
			w.args = append(w.args, 101)
			q := `SELECT ` + logSelect + ` FROM event_log` + w.sql() + ` ORDER BY timestamp DESC, seq DESC LIMIT ?`
			rows, err := s.read.Query(`EXPLAIN QUERY PLAN `+q, w.args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan string
			for rows.Next() {
				var a, b, c int
				var d string
				rows.Scan(&a, &b, &c, &d)
				plan += " | " + d
			}
			rows.Close()
			start := time.Now()
			rows, err = s.read.Query(q, w.args...)
			if err != nil {
				t.Fatal(err)
			}
			items, err := collect(rows, scanLogRow)
			t.Logf("%v %q mode=%d -> %d rows in %v err=%v\n    plan%s", f.Levels, f.ClientID+"/"+f.Query, mode, len(items), time.Since(start), err, plan)
		}
		var n int
		start := time.Now()
		s.read.QueryRow(`SELECT COUNT(*) FROM event_log_fts WHERE event_log_fts MATCH ?`, ftsQuery(f.Query)).Scan(&n)
		t.Logf("   matches %d counted in %v", n, time.Since(start))
	}
}
