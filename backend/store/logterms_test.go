package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// termsTestTexts are messages that put the tokenizer to work: ASCII punctuation of every
// kind, digits inside words, case, and text that is not ASCII (accents that fold away,
// letters without a plain form, CJK, emoji, combining marks, ligatures, full-width letters,
// the private-use character that starts the tags terms).
var termsTestTexts = []string{
	`wrote ~/.cursor/mcp.json (12 ms)`, `Write.Failed: EACCES on C:\Users\Ana\AppData\Roaming\Claude\claude_desktop_config.json`,
	`server "github-mcp" v1.2.3_rc4 skipped; see https://example.invalid/a?b=c&d#e`,
	`tabs	and
newlines, a\x00b, 0x1F, under_score, dash-ed, dot.ted, at@sign, 100%`,
	`Écrire résumé naïve Ærø ÅNGSTRÖM`, `straße İstanbul ǅemal`, `设置 服务器 同步完成`, `🚀 launch ✓ done`,
	"e\u0301tude co\u0308operate", `ﬁle ﬂow`, `ＡＢＣ　ｆｕｌｌ`, "tag\uE000lerror \uE000cABC word\uE001", `Ünïcödé-only`,
}

// randomASCII is a text of n random bytes below 0x80, control characters included.
func randomASCII(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(0x80))
	}
	return string(b)
}

// indexTerms is the search index's own vocabulary, without its tags terms: what
// event_log_terms must hold.
func indexTerms(t *testing.T, db *sql.DB) []string {
	t.Helper()
	conn, err := db.Conn(context.Background())
	mustNoErr(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), `CREATE VIRTUAL TABLE IF NOT EXISTS temp.check_vocab USING fts5vocab(main, event_log_fts, row)`)
	mustNoErr(t, err)
	rows, err := conn.QueryContext(context.Background(), `SELECT term FROM temp.check_vocab WHERE substr(term, 1, 1) <> char(57344) ORDER BY term`)
	mustNoErr(t, err)
	terms, err := collect(rows, scanString)
	mustNoErr(t, err)
	return terms
}

func storedTerms(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT term FROM event_log_terms ORDER BY term`)
	mustNoErr(t, err)
	terms, err := collect(rows, scanString)
	mustNoErr(t, err)
	return terms
}

func checkTermsMatchIndex(t *testing.T, s *SQLite) {
	t.Helper()
	want, got := indexTerms(t, s.write), storedTerms(t, s.write)
	if !slices.Equal(got, want) {
		var missing, extra []string
		for _, w := range want {
			if _, found := slices.BinarySearch(got, w); !found {
				missing = append(missing, w)
			}
		}
		for _, g := range got {
			if _, found := slices.BinarySearch(want, g); !found {
				extra = append(extra, g)
			}
		}
		t.Fatalf("event_log_terms differs from the search index's words: missing %q, extra %q", missing, extra)
	}
	if len(want) < 20 {
		t.Fatalf("only %d words in the index: the log did not get written", len(want))
	}
}

// TestTermsMatchTheSearchIndex holds event_log_terms to the search index's vocabulary, for
// both ways appendLogs finds words (ASCII batches in Go, others through FTS5), single
// entries and batches, text in the message and in the context, and for the list migration
// 0008 starts from an existing log.
func TestTermsMatchTheSearchIndex(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	entries := func(n int, ascii bool) []LogEntry {
		var out []LogEntry
		for range n {
			msg := randomASCII(r, 1+r.IntN(60))
			if !ascii || r.IntN(3) == 0 {
				msg = termsTestTexts[r.IntN(len(termsTestTexts))]
				if ascii {
					msg = termsTestTexts[r.IntN(4)] // the ASCII ones
				}
			}
			e := LogEntry{Level: LevelInfo, ClientID: "cursor", Message: msg}
			if r.IntN(2) == 0 {
				ctxText := randomASCII(r, 10)
				if !ascii {
					ctxText = termsTestTexts[r.IntN(len(termsTestTexts))]
				}
				b, err := json.Marshal(map[string]string{"path": ctxText, "Key_" + fmt.Sprint(r.IntN(99)): "v"})
				mustNoErr(t, err)
				e.Context = b
			}
			out = append(out, e)
		}
		return out
	}

	t.Run("appended", func(t *testing.T) {
		s := openTest(t)
		for i := range 40 {
			mustNoErr(t, s.AppendLogs(ctx, entries(1, i%2 == 0)...))
		}
		for i := range 6 {
			mustNoErr(t, s.AppendLogs(ctx, entries(150, i%3 != 0)...))
		}
		if words, ascii := asciiWords(entries(5, true)); !ascii || len(words) == 0 {
			t.Fatalf("an ASCII batch was not read as ASCII (%v, %d words)", ascii, len(words))
		}
		if _, ascii := asciiWords(entries(5, false)); ascii {
			t.Fatal("a batch with text that is not ASCII was read as ASCII")
		}
		checkTermsMatchIndex(t, s)
	})

	t.Run("migrated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "v7.db")
		old, err := open(ctx, path, 7, false, false)
		mustNoErr(t, err)
		mustNoErr(t, old.AppendLogs(ctx, entries(300, false)...))
		mustNoErr(t, old.AppendLogs(ctx, entries(300, true)...))
		mustNoErr(t, old.Close())
		s, err := Open(ctx, path)
		mustNoErr(t, err)
		defer s.Close()
		checkTermsMatchIndex(t, s)
		mustNoErr(t, s.IntegrityCheck(ctx))
	})
}

// TestSpelledPrefixesFindWhatFTS5Finds checks pages of prefix searches, which spell a
// prefix out as the log's words, against FTS5's own prefix search over the same log, and
// that the spelling is used where it should be and not elsewhere.
func TestSpelledPrefixesFindWhatFTS5Finds(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := rand.New(rand.NewPCG(13, 14))
	words := []string{"write", "writes", "written", "writer", "Writing", "wrote", "file", "files", "profile",
		"sync", "synced", "Écrire", "ecrit", "naïve", "naive", "设置", "设置完成", "w1", "w2x"}
	for i := range 60 {
		words = append(words, fmt.Sprintf("many%02d", i)) // more words than maxSpelled share "many"
	}
	var batch []LogEntry
	for i := range 1500 {
		var msg []string
		for range 2 + r.IntN(4) {
			msg = append(msg, words[r.IntN(len(words))])
		}
		sep := []string{" ", ".", "/", ": "}[r.IntN(4)]
		batch = append(batch, LogEntry{ID: fmt.Sprintf("e%04d", i), Level: []string{LevelInfo, LevelError}[r.IntN(2)],
			ClientID: []string{"cursor", "codex"}[r.IntN(2)], Message: strings.Join(msg, sep), Timestamp: t0.Add(time.Duration(i) * time.Second)})
		if len(batch) == 100 {
			mustNoErr(t, s.AppendLogs(ctx, batch...))
			batch = batch[:0]
		}
	}

	for _, tc := range []struct {
		query   string
		spelled bool // whether the page's query spells the prefix out
	}{
		{"writ*", true}, {"WRITE*", true}, {"wr*", true}, {"w*", true}, {"file.writ*", true}, {"pro*", true},
		{"sync* files*", true}, {"ecr*", true}, {"nai*", true}, {"zzz*", false}, {"many*", false}, {"many1*", true},
		{"écr*", false}, {"设置*", false}, {"write", false}, {"written*", true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			tx, err := s.read.BeginTx(ctx, nil)
			mustNoErr(t, err)
			expr, err := spellPrefixes(ctx, tx, searchWords(tc.query))
			mustNoErr(t, err)
			mustNoErr(t, tx.Rollback())
			if spelled := !strings.Contains(expr, "*") && strings.Contains(tc.query, "*"); spelled != tc.spelled {
				t.Errorf("%q became %s: spelled out %v, want %v", tc.query, expr, spelled, tc.spelled)
			}

			for _, f := range []LogFilter{
				{Query: tc.query, Limit: 100},
				{Query: tc.query, Levels: []string{LevelError}, ClientID: "codex", Limit: 25},
			} {
				match := logMatch(f, true, ftsQuery(f.Query))
				rows, err := s.read.Query(`SELECT e.id FROM event_log_fts JOIN event_log AS e ON e.seq = event_log_fts.rowid
					WHERE event_log_fts MATCH ? AND (? = '' OR e.client_id = ?) AND (? = '' OR e.level = ?)
					ORDER BY event_log_fts.rowid DESC`,
					match, f.ClientID, f.ClientID, strings.Join(f.Levels, ""), strings.Join(f.Levels, ""))
				mustNoErr(t, err)
				want, err := collect(rows, scanString)
				mustNoErr(t, err)
				got := slices.DeleteFunc(allPages(t, f, func(f LogFilter) (Page[LogEntry], error) { return s.ListLogs(ctx, f) }),
					func(id string) bool { return id == "|" })
				if !slices.Equal(got, want) {
					t.Errorf("%+v: pages list %d entries, FTS5's prefix search %d\ngot  %v\nwant %v", f, len(got), len(want), got, want)
				}
				if tc.query != "zzz*" && f.ClientID == "" && len(want) == 0 {
					t.Errorf("%+v: FTS5 finds nothing, so the check says nothing", f)
				}
			}
		})
	}
}
