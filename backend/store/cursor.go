package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A cursor is the sort key, (time, id), of the last row of a page, so the next page starts
// strictly after it whatever was inserted in between: keyset pagination, with no OFFSET to
// shift. It is base64 of JSON to keep it opaque to callers and safe in a URL.
type cursor struct {
	T string `json:"t"`
	I string `json:"i"`
}

func encodeCursor(t, id string) string {
	b, _ := json.Marshal(cursor{T: t, I: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && c.I == "" {
		err = fmt.Errorf("missing id")
	}
	if err == nil {
		_, err = time.Parse(timeLayout, c.T)
	}
	if err != nil {
		return cursor{}, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	return c, nil
}

// where accumulates the conditions and arguments of a filtered query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// timeRange adds Since (inclusive) and Until (exclusive) on column.
func (w *where) timeRange(column string, since, until time.Time) {
	if !since.IsZero() {
		w.add(column+" >= ?", formatTime(since))
	}
	if !until.IsZero() {
		w.add(column+" < ?", formatTime(until))
	}
}

// after adds the keyset condition for a newest-first page after cursor.
func (w *where) after(timeColumn, idColumn, cur string) error {
	if cur == "" {
		return nil
	}
	c, err := decodeCursor(cur)
	if err != nil {
		return err
	}
	w.add("("+timeColumn+", "+idColumn+") < (?, ?)", c.T, c.I)
	return nil
}

// afterSeq is after for lists whose tie-break is an integer rowid.
func (w *where) afterSeq(timeColumn, seqColumn, cur string) error {
	if cur == "" {
		return nil
	}
	c, err := decodeCursor(cur)
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(c.I, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	w.add("("+timeColumn+", "+seqColumn+") < (?, ?)", c.T, seq)
	return nil
}
