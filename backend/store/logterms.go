package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The words of the log, for spelling out prefix searches (spellPrefixes in logsearch.go):
// event_log_terms (migration 0008) holds every word the search index holds for the message
// and context columns (but those that start with tagMark, which no search word can match),
// and appendLogs adds a batch's words in the batch's transaction.
//
// The list must be exact: a word missing from it is a prefix search that misses entries.
// So the words come from the search index's own tokenizer (unicode61, remove_diacritics 2),
// in one of two ways:
//   - For ASCII text, that tokenizer's work is plain: runs of ASCII letters and digits make
//     words, everything else separates them, and letters fold to lower case. asciiWords
//     does the same in Go, which costs a batch of one entry a statement, not five.
//   - Any other text goes through FTS5 itself: the batch's rows are put into a temporary
//     contentless FTS5 table with the same tokenizer, and its vocabulary is what is added.
//
// TestTermsMatchTheSearchIndex holds both to the index's own vocabulary.

// termsVersion is the migration that adds event_log_terms.
const termsVersion = 8

// searchTokenizer is the search index's tokenizer (migrations 0003, 0004 and 0008); the
// temporary table must split text the same way.
const searchTokenizer = `unicode61 remove_diacritics 2`

const (
	addASCIITermsSQL = `INSERT OR IGNORE INTO event_log_terms (term) SELECT value FROM json_each(?)`

	lastLogSQL    = `SELECT coalesce(max(seq), 0) FROM event_log`
	wordsTableSQL = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.event_log_words USING fts5(message, context, content = '', tokenize = '` + searchTokenizer + `')`
	wordsVocabSQL = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.event_log_words_vocab USING fts5vocab(temp, event_log_words, row)`
	addWordsSQL   = `INSERT INTO temp.event_log_words (rowid, message, context) SELECT seq, message, context FROM event_log WHERE seq > ?`
	addTermsSQL   = `INSERT OR IGNORE INTO event_log_terms (term) SELECT term FROM temp.event_log_words_vocab WHERE substr(term, 1, 1) <> char(57344)`
	clearWordsSQL = `INSERT INTO temp.event_log_words (event_log_words) VALUES ('delete-all')`
)

// asciiWords returns the distinct words of the entries' messages and contexts as the
// search index splits them, and true, if all of that text is ASCII; otherwise false.
func asciiWords(entries []LogEntry) ([]string, bool) {
	var words []string
	for _, e := range entries {
		var ok bool
		if words, ok = appendASCIIWords(words, e.Message); !ok {
			return nil, false
		}
		if words, ok = appendASCIIWords(words, string(e.Context)); !ok {
			return nil, false
		}
	}
	slices.Sort(words)
	return slices.Compact(words), true
}

// appendASCIIWords appends the words of text to words as the search index's tokenizer
// splits ASCII text: runs of ASCII letters and digits, in lower case. It returns false if
// text is not ASCII.
func appendASCIIWords(words []string, text string) ([]string, bool) {
	start := -1
	for i := 0; i <= len(text); i++ {
		var c byte
		if i < len(text) {
			if c = text[i]; c >= 0x80 {
				return nil, false
			}
		}
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			words = append(words, strings.ToLower(text[start:i]))
			start = -1
		}
	}
	return words, true
}

// noteTerms adds the batch's words to event_log_terms: words, if the batch is ASCII, or
// else the words FTS5 finds in the rows above rowid last. The temporary tables belong to
// the writer's connection and are made here if missing, so that a new connection has them.
func noteTerms(ctx context.Context, st *txStmts, words []string, ascii bool, last int64) error {
	if ascii {
		if len(words) == 0 {
			return nil
		}
		list, err := json.Marshal(words)
		if err == nil {
			_, err = st.ExecContext(ctx, addASCIITermsSQL, string(list))
		}
		if err != nil {
			return fmt.Errorf("note search words: %w", err)
		}
		return nil
	}
	for _, q := range []string{wordsTableSQL, wordsVocabSQL, addWordsSQL, addTermsSQL, clearWordsSQL} {
		var args []any
		if q == addWordsSQL {
			args = []any{last}
		}
		if _, err := st.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("note search words: %w", err)
		}
	}
	return nil
}
