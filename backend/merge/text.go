package merge

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxDiffLines bounds the lines one line diff may see. diffmatchpatch encodes every distinct
// line as one rune, and runs out of runes a little above a million lines; past this bound a
// text is treated as replaced wholesale instead of panicking. Rule bodies are far smaller.
const maxDiffLines = 1 << 20

// Conflict markers written into a conflicted Text3 result. They are git's diff3 style, which
// most people who will read them already know.
const (
	markerA    = "<<<<<<< a"
	markerBase = "||||||| base"
	markerSep  = "======="
	markerB    = ">>>>>>> b"
)

// Text3 merges two edits of a text line by line (diff3). Each side is diffed against base with
// sergi/go-diff in line mode; the edits become hunks over base line ranges, and hunks that do
// not overlap are applied from both sides. Edits that touch (one ends where the other starts)
// are not an overlap, but two insertions at the same base position are, because nothing says
// which should come first. Overlapping edits that produce the same lines are applied once.
//
// When any edits overlap and differ, ok is false and merged is the whole text with git-style
// conflict markers (<<<<<<< a, ||||||| base, =======, >>>>>>> b) around each conflicting
// region, for showing to a person; it must not be written to a client as is.
//
// Line endings: when each text uses one line-ending style throughout (LF or CRLF), the merge
// compares lines without their endings and writes the result in the style of the side that
// changed it, so a client that rewrites a file with CRLF does not conflict with a content edit
// made elsewhere. Texts with mixed endings are merged byte for byte. A missing final newline
// is part of the last line, so adding one is an edit of that line.
func Text3(base, a, b string) (merged string, ok bool) {
	switch {
	case a == b:
		return a, true
	case a == base:
		return b, true
	case b == base:
		return a, true
	}
	return text3(base, a, b)
}

// text3 is Text3 without the shortcuts for unchanged sides, so tests can check that the
// line-level machinery alone keeps the identities the shortcuts promise.
func text3(base, a, b string) (string, bool) {
	eb, ea, ebb := eolOf(base), eolOf(a), eolOf(b)
	if eb == eolMixed || ea == eolMixed || ebb == eolMixed {
		return diff3(base, a, b)
	}
	merged, ok := diff3(toLF(base), toLF(a), toLF(b))
	if resultEOL(eb, ea, ebb) == eolCRLF {
		merged = strings.ReplaceAll(merged, "\n", "\r\n")
	}
	return merged, ok
}

type eol int

const (
	eolNone  eol = iota // no line break at all: compatible with either style
	eolLF               // every line break is "\n"
	eolCRLF             // every line break is "\r\n"
	eolMixed            // both kinds
)

func eolOf(s string) eol {
	n := strings.Count(s, "\n")
	if n == 0 {
		return eolNone
	}
	switch strings.Count(s, "\r\n") {
	case 0:
		return eolLF
	case n:
		return eolCRLF
	}
	return eolMixed
}

// toLF is exactly reversible for a text whose style is eolCRLF: every "\n" there follows a
// "\r", and only those "\r" are removed.
func toLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// resultEOL picks the style of the merged text: the base's, unless a side switched styles.
// If both switched, to different styles (possible only from a base without line breaks), LF
// wins so the result does not depend on which side is called a.
func resultEOL(base, a, b eol) eol {
	aChanged := a != eolNone && a != base
	bChanged := b != eolNone && b != base
	switch {
	case aChanged && bChanged && a != b:
		return eolLF
	case aChanged:
		return a
	case bChanged:
		return b
	}
	return base
}

// splitLines cuts s after every "\n"; each line keeps its terminator, and only the last one
// may lack it. This is how diffmatchpatch tokenizes lines, so hunks index the same lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lineRun is a run of lines that a line diff keeps (' '), removes ('-') or adds ('+').
type lineRun struct {
	op    byte
	lines []string
}

// newDiffer returns a diffmatchpatch with no time limit: a timeout would make results depend
// on the machine's speed, and merges must be reproducible.
func newDiffer() *diffmatchpatch.DiffMatchPatch {
	d := diffmatchpatch.New()
	d.DiffTimeout = 0
	return d
}

// diffLines is a line-mode diff from old to new.
func diffLines(old, new string) []lineRun {
	if old == new {
		if old == "" {
			return nil
		}
		return []lineRun{{op: ' ', lines: splitLines(old)}}
	}
	oldLines, newLines := splitLines(old), splitLines(new)
	if len(oldLines)+len(newLines) > maxDiffLines {
		var runs []lineRun
		if len(oldLines) > 0 {
			runs = append(runs, lineRun{op: '-', lines: oldLines})
		}
		if len(newLines) > 0 {
			runs = append(runs, lineRun{op: '+', lines: newLines})
		}
		return runs
	}
	d := newDiffer()
	c1, c2, table := d.DiffLinesToChars(old, new)
	diffs := d.DiffCharsToLines(d.DiffMain(c1, c2, false), table)
	runs := make([]lineRun, 0, len(diffs))
	for _, df := range diffs {
		if df.Text == "" {
			continue
		}
		r := lineRun{lines: splitLines(df.Text)}
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			r.op = ' '
		case diffmatchpatch.DiffDelete:
			r.op = '-'
		case diffmatchpatch.DiffInsert:
			r.op = '+'
		}
		runs = append(runs, r)
	}
	return runs
}

// side says which edit a hunk belongs to.
type side int

const (
	sideA side = iota
	sideB
)

// hunk replaces base lines [start, end) with lines; start == end is a pure insertion.
type hunk struct {
	start, end int
	lines      []string
	side       side
}

// hunks turns the diff from base to other into maximal hunks over base line ranges. Two hunks
// of one side are always separated by at least one unchanged line.
func hunks(base, other string, s side) []hunk {
	var out []hunk
	pos := 0
	open := false
	for _, r := range diffLines(base, other) {
		switch r.op {
		case ' ':
			pos += len(r.lines)
			open = false
			continue
		}
		if !open {
			out = append(out, hunk{start: pos, end: pos, side: s})
			open = true
		}
		h := &out[len(out)-1]
		if r.op == '-' {
			pos += len(r.lines)
			h.end = pos
		} else {
			h.lines = append(h.lines, r.lines...)
		}
	}
	return out
}

// diff3 merges the hunks of both sides over base. It walks the hunks in base order and gathers
// each run of mutually overlapping hunks into a group: a group from one side is applied as it
// is; a group with both sides is applied if both produce the same lines and is a conflict
// otherwise.
func diff3(base, a, b string) (string, bool) {
	baseLines := splitLines(base)
	ha, hb := hunks(base, a, sideA), hunks(base, b, sideB)
	all := mergeOrdered(ha, hb)

	var out strings.Builder
	out.Grow(max(len(a), len(b)) + 64)
	ok := true
	pos := 0
	for i := 0; i < len(all); {
		gs, ge := all[i].start, all[i].end
		j := i + 1
		for j < len(all) && overlaps(gs, ge, all[j]) {
			ge = max(ge, all[j].end)
			j++
		}
		group := all[i:j]
		i = j

		writeLines(&out, baseLines[pos:gs])
		pos = ge
		textA := applyGroup(baseLines, gs, ge, group, sideA)
		if !hasBothSides(group) {
			if group[0].side == sideB {
				textA = applyGroup(baseLines, gs, ge, group, sideB)
			}
			writeLines(&out, textA)
			continue
		}
		textB := applyGroup(baseLines, gs, ge, group, sideB)
		if equalLines(textA, textB) {
			writeLines(&out, textA)
			continue
		}
		ok = false
		writeConflict(&out, textA, baseLines[gs:ge], textB)
	}
	writeLines(&out, baseLines[pos:])
	return out.String(), ok
}

// mergeOrdered merges two hunk lists, each already in base order, into one ordered by start,
// then end, then side. Equal (start, end) pairs from both sides always overlap, so the side
// tie-break never decides the order of text in a successful merge.
func mergeOrdered(ha, hb []hunk) []hunk {
	out := make([]hunk, 0, len(ha)+len(hb))
	i, j := 0, 0
	for i < len(ha) && j < len(hb) {
		x, y := ha[i], hb[j]
		if x.start < y.start || (x.start == y.start && x.end <= y.end) {
			out = append(out, x)
			i++
		} else {
			out = append(out, y)
			j++
		}
	}
	out = append(out, ha[i:]...)
	return append(out, hb[j:]...)
}

// overlaps reports whether h must be merged together with the group spanning base lines
// [gs, ge). Ranges that share a line overlap; so do two insertions at the same position.
// An insertion right before or after a changed range only touches it and is applied in order.
func overlaps(gs, ge int, h hunk) bool {
	if h.start < ge {
		return true
	}
	return gs == ge && h.start == ge && h.end == h.start
}

func hasBothSides(group []hunk) bool {
	for _, h := range group[1:] {
		if h.side != group[0].side {
			return true
		}
	}
	return false
}

// applyGroup returns base lines [gs, ge) with the group's hunks from one side applied.
func applyGroup(baseLines []string, gs, ge int, group []hunk, s side) []string {
	var out []string
	pos := gs
	for _, h := range group {
		if h.side != s {
			continue
		}
		out = append(out, baseLines[pos:h.start]...)
		out = append(out, h.lines...)
		pos = h.end
	}
	return append(out, baseLines[pos:ge]...)
}

func equalLines(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func writeLines(out *strings.Builder, lines []string) {
	for _, l := range lines {
		out.WriteString(l)
	}
}

// writeConflict writes one conflict region. A side whose last line lacks a newline (the end
// of the file) gets one, so every marker starts a line.
func writeConflict(out *strings.Builder, a, base, b []string) {
	section := func(marker string, lines []string) {
		out.WriteString(marker)
		out.WriteByte('\n')
		writeLines(out, lines)
		if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
			out.WriteByte('\n')
		}
	}
	section(markerA, a)
	section(markerBase, base)
	section(markerSep, b)
	out.WriteString(markerB)
	out.WriteByte('\n')
}
