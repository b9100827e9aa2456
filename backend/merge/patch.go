package merge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/wI2L/jsondiff"

	"aisync/backend/unified"
)

// ErrMalformedPatch means a body patch is not in the format BodyPatches writes.
var ErrMalformedPatch = errors.New("malformed patch")

// ErrPatchMismatch means a body patch does not fit the text it is applied to: a context or
// removed line differs. Patches are applied exactly, never fuzzily, because a rule body
// patched in the wrong place is worse than a refused rollback.
var ErrPatchMismatch = errors.New("patch does not match text")

// bodyHashPrefix marks a rule body replaced by its hash in the structural document.
const bodyHashPrefix = "sha256:"

// patchContext is the number of unchanged lines around each hunk of a body patch, as in diff -u.
const patchContext = 3

// StructurePatch is the RFC 6902 JSON Patch from before to after, computed with wI2L/jsondiff
// over the canonical JSON of both configs in which every rule body is replaced by
// "sha256:<hex>". Bodies are stored separately as text patches (BodyPatches), which stay
// small and readable where a JSON "replace" of a whole body would repeat it in full. Equal
// configs give the empty patch "[]".
func StructurePatch(before, after unified.Config) (json.RawMessage, error) {
	return structurePatch(withoutCommon(before, after))
}

// structurePatch is StructurePatch over the whole of both configs.
func structurePatch(before, after unified.Config) (json.RawMessage, error) {
	if patch, ok := addAll(before, after); ok {
		return patch, nil
	}
	return jsondiffPatch(before, after)
}

// jsondiffPatch is the patch jsondiff computes between the structures of both configs.
func jsondiffPatch(before, after unified.Config) (json.RawMessage, error) {
	src, err := structureJSON(before)
	if err != nil {
		return nil, fmt.Errorf("encode config before: %w", err)
	}
	tgt, err := structureJSON(after)
	if err != nil {
		return nil, fmt.Errorf("encode config after: %w", err)
	}
	patch, err := jsondiff.CompareJSON(src, tgt, jsondiff.LCS())
	if err != nil {
		return nil, fmt.Errorf("diff config structure: %w", err)
	}
	if len(patch) == 0 {
		return json.RawMessage("[]"), nil
	}
	out, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode structure patch: %w", err)
	}
	return out, nil
}

// ApplyStructurePatch applies a StructurePatch to before (with evanphx/json-patch) and returns
// the patched config, normalized. It exists to check a stored patch and to replay history.
//
// The patch carries only hashes of rule bodies. A body whose hash matches a body of before is
// restored from it (an unchanged or renamed rule); any other body stays the placeholder
// "sha256:<hex>" and must be filled in with ApplyBodyPatch from BodyPatches. An empty patch
// (no bytes) changes nothing.
func ApplyStructurePatch(before unified.Config, patch json.RawMessage) (unified.Config, error) {
	if len(bytes.TrimSpace(patch)) == 0 {
		c := before.Clone()
		c.Normalize()
		return c, nil
	}
	src, err := structureJSON(before)
	if err != nil {
		return unified.Config{}, fmt.Errorf("encode config before: %w", err)
	}
	p, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		return unified.Config{}, fmt.Errorf("decode structure patch: %w", err)
	}
	doc, err := p.Apply(src)
	if err != nil {
		return unified.Config{}, fmt.Errorf("apply structure patch: %w", err)
	}
	var out unified.Config
	if err := json.Unmarshal(doc, &out); err != nil {
		return unified.Config{}, fmt.Errorf("decode patched config: %w", err)
	}
	known := make(map[string]string, len(before.Rules))
	for _, r := range before.Rules {
		known[bodyHash(r.Body)] = r.Body
	}
	for name, r := range out.Rules {
		if body, ok := known[r.Body]; ok {
			r.Body = body
			out.Rules[name] = r
		}
	}
	out.Normalize()
	return out, nil
}

// structureJSON is the canonical JSON of c with each rule body replaced by its hash.
// addAll is the patch from an empty config (a scope's first snapshot): one "add" per
// section, as jsondiff writes it, without jsondiff decoding the whole new structure into
// interface values and encoding it again, which at a thousand servers was most of a first
// snapshot. ok is false where that round trip could change more than the order of members:
// raw extras (whose numbers it rewrites), timeouts beyond 2^53 (rounded) and text that was
// not valid UTF-8. TestStructurePatchWithoutCommonItems compares it with jsondiff.
func addAll(before, after unified.Config) (json.RawMessage, bool) {
	if !before.IsEmpty() || after.IsEmpty() {
		return nil, false
	}
	const exact = 1 << 53 // integers a float64 holds exactly
	for _, s := range after.Servers {
		if len(s.Extras) > 0 || s.StartupTimeoutMs > exact || s.ToolTimeoutMs > exact || s.StartupTimeoutMs < -exact || s.ToolTimeoutMs < -exact {
			return nil, false
		}
	}
	n := structure(after)
	// jsondiff lists the new members of an object in key order, as SortedJSON writes them.
	type part struct {
		section string
		json    []byte // {"<section>":<value>}
	}
	var parts []part
	size := 2
	add := func(section string, c unified.Config) {
		p := part{section, c.SortedJSON()}
		parts = append(parts, p)
		size += len(p.json) + len(section) + 32
	}
	if !n.Permissions.IsZero() {
		add("permissions", unified.Config{Permissions: n.Permissions})
	}
	if len(n.Rules) > 0 {
		add("rules", unified.Config{Rules: n.Rules})
	}
	if len(n.Servers) > 0 {
		add("servers", unified.Config{Servers: n.Servers})
	}
	var b bytes.Buffer
	b.Grow(size) // one buffer: a thousand servers grew it a dozen times
	b.WriteByte('[')
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"value":`)
		b.Write(p.json[len(p.section)+4 : len(p.json)-1])
		b.WriteString(`,"op":"add","path":"/` + p.section + `"}`)
	}
	b.WriteByte(']')
	if bytes.Contains(b.Bytes(), []byte(`\ufffd`)) {
		return nil, false
	}
	return b.Bytes(), true
}

// withoutCommon leaves out the servers and rules that are the same on both sides: they give
// no operation, and a pass that changes one server of a thousand spent most of its snapshot
// encoding, parsing and comparing the others. One shared item stays where leaving them all
// out would empty a side that was not empty, since an emptied map reads as removed as a
// whole. TestStructurePatchWithoutCommonItems checks the patch is the same as the full one.
func withoutCommon(before, after unified.Config) (unified.Config, unified.Config) {
	before.Servers, after.Servers = dropCommon(before.Servers, after.Servers)
	before.Rules, after.Rules = dropCommon(before.Rules, after.Rules)
	return before, after
}

func dropCommon[V any](a, b map[string]V) (map[string]V, map[string]V) {
	common := 0
	keep := ""
	for k, av := range a {
		if bv, ok := b[k]; ok && reflect.DeepEqual(av, bv) {
			common++
			if keep == "" || k < keep {
				keep = k
			}
		}
	}
	if common == 0 {
		return a, b
	}
	ra, rb := make(map[string]V, len(a)-common+1), make(map[string]V, len(b)-common+1)
	for k, v := range a {
		if bv, ok := b[k]; !ok || !reflect.DeepEqual(v, bv) {
			ra[k] = v
		}
	}
	for k, v := range b {
		if av, ok := a[k]; !ok || !reflect.DeepEqual(av, v) {
			rb[k] = v
		}
	}
	if len(ra) == 0 || len(rb) == 0 {
		ra[keep], rb[keep] = a[keep], b[keep]
	}
	return ra, rb
}

func structureJSON(c unified.Config) ([]byte, error) {
	return structure(c).Canonical(), nil // json.Marshal's bytes, written without reflection
}

// structure is c normalized, with every rule body replaced by its hash. It may share c's
// maps: only the rules are replaced, in a map of its own.
func structure(c unified.Config) unified.Config {
	n := c.Normalized()
	if len(n.Rules) > 0 {
		rules := make(map[string]unified.Rule, len(n.Rules))
		for name, r := range n.Rules {
			r.Body = bodyHash(r.Body)
			rules[name] = r
		}
		n.Rules = rules
	}
	return n
}

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return bodyHashPrefix + hex.EncodeToString(sum[:])
}

// BodyPatches returns, for every rule whose body differs between before and after, a text
// patch from the old body to the new one; an added rule is patched from "" and a removed one
// to "". Rules with the same body on both sides have no entry; the map is never nil.
//
// The format is a unified diff without file headers: "@@ -l,n +l,n @@" hunks with three lines
// of context, lines prefixed by ' ', '-' or '+', and "\ No newline at end of file" after a
// last line without one, so it reads like `diff -u` and ApplyBodyPatch can apply it exactly.
// A line's own terminator ("\n" or "\r\n") is kept, so CRLF bodies round-trip.
func BodyPatches(before, after unified.Config) map[string]string {
	out := make(map[string]string)
	for name, a := range after.Rules {
		b, ok := before.Rules[name]
		if ok && a.Body == b.Body {
			continue
		}
		out[name] = unifiedDiff(b.Body, a.Body)
	}
	for name, b := range before.Rules {
		if _, ok := after.Rules[name]; !ok {
			out[name] = unifiedDiff(b.Body, "")
		}
	}
	return out
}

// unifiedDiff writes the line diff from old to new in the format BodyPatches documents.
func unifiedDiff(old, new string) string {
	ops := flatten(diffLines(old, new))
	var out strings.Builder
	for i := 0; i < len(ops); {
		if ops[i].op == ' ' {
			i++
			continue
		}
		// A hunk starts patchContext lines before the change and absorbs the next change
		// while the unchanged gap between them is at most twice the context.
		start := max(i-patchContext, 0)
		end := i
		for end < len(ops) {
			for end < len(ops) && ops[end].op != ' ' {
				end++
			}
			gap := end
			for gap < len(ops) && ops[gap].op == ' ' {
				gap++
			}
			if gap == len(ops) || gap-end > 2*patchContext {
				end = min(end+patchContext, len(ops))
				break
			}
			end = gap
		}
		writeHunk(&out, ops, start, end)
		i = end
	}
	return out.String()
}

// lineOp is one line of a line diff.
type lineOp struct {
	op   byte
	text string // with its terminator, if it has one
}

func flatten(runs []lineRun) []lineOp {
	var ops []lineOp
	for _, r := range runs {
		for _, l := range r.lines {
			ops = append(ops, lineOp{r.op, l})
		}
	}
	return ops
}

func writeHunk(out *strings.Builder, ops []lineOp, start, end int) {
	oldStart, newStart := 0, 0
	for _, o := range ops[:start] {
		if o.op != '+' {
			oldStart++
		}
		if o.op != '-' {
			newStart++
		}
	}
	oldCount, newCount := 0, 0
	for _, o := range ops[start:end] {
		if o.op != '+' {
			oldCount++
		}
		if o.op != '-' {
			newCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount))
	for _, o := range ops[start:end] {
		out.WriteByte(o.op)
		out.WriteString(o.text)
		if !strings.HasSuffix(o.text, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange follows diff -u: a range is "first,count" with first 1-based, except that an empty
// range names the line after which it sits.
func hunkRange(before, count int) string {
	if count == 0 {
		return strconv.Itoa(before) + ",0"
	}
	return strconv.Itoa(before+1) + "," + strconv.Itoa(count)
}

// ApplyBodyPatch applies a patch written by BodyPatches to before. It checks every context and
// removed line and fails with ErrPatchMismatch rather than guess; a patch it cannot read fails
// with ErrMalformedPatch. The empty patch returns before unchanged.
func ApplyBodyPatch(before, patch string) (string, error) {
	hunks, err := parseHunks(patch)
	if err != nil {
		return "", fmt.Errorf("apply body patch: %w", err)
	}
	lines := splitLines(before)
	var out strings.Builder
	out.Grow(len(before) + len(patch))
	pos := 0
	for n, h := range hunks {
		if h.oldStart < pos || h.oldStart > len(lines) {
			return "", fmt.Errorf("apply body patch: hunk %d starts at line %d of %d: %w", n+1, h.oldStart+1, len(lines), ErrPatchMismatch)
		}
		writeLines(&out, lines[pos:h.oldStart])
		pos = h.oldStart
		for _, o := range h.ops {
			if o.op == '+' {
				out.WriteString(o.text)
				continue
			}
			if pos >= len(lines) || lines[pos] != o.text {
				return "", fmt.Errorf("apply body patch: hunk %d, line %d: %w", n+1, pos+1, ErrPatchMismatch)
			}
			if o.op == ' ' {
				out.WriteString(o.text)
			}
			pos++
		}
	}
	writeLines(&out, lines[pos:])
	return out.String(), nil
}

type patchHunk struct {
	oldStart int // 0-based index of the first old line the hunk covers
	ops      []lineOp
}

func parseHunks(patch string) ([]patchHunk, error) {
	var hunks []patchHunk
	lines := splitLines(patch)
	for i := 0; i < len(lines); {
		header := trimNewline(lines[i])
		i++
		oldStart, oldCount, newCount, err := parseHunkHeader(header)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		h := patchHunk{oldStart: oldStart}
		if oldCount > 0 {
			h.oldStart--
		}
		gotOld, gotNew := 0, 0
		for i < len(lines) && (gotOld < oldCount || gotNew < newCount) {
			l := lines[i]
			i++
			op, text := l[0], l[1:]
			if l == "\n" || l == "\r\n" { // an empty context line whose space an editor dropped
				op, text = ' ', l
			}
			switch op {
			case ' ':
				gotOld++
				gotNew++
			case '-':
				gotOld++
			case '+':
				gotNew++
			default:
				return nil, fmt.Errorf("line %d: unexpected %q in hunk: %w", i, trimNewline(l), ErrMalformedPatch)
			}
			if i < len(lines) && strings.HasPrefix(lines[i], "\\") {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			h.ops = append(h.ops, lineOp{op, text})
		}
		if gotOld != oldCount || gotNew != newCount {
			return nil, fmt.Errorf("hunk %q: has %d old and %d new lines: %w", header, gotOld, gotNew, ErrMalformedPatch)
		}
		hunks = append(hunks, h)
	}
	return hunks, nil
}

// parseHunkHeader reads "@@ -l[,n] +l[,n] @@[ anything]".
func parseHunkHeader(h string) (oldStart, oldCount, newCount int, err error) {
	rest, ok := strings.CutPrefix(h, "@@ -")
	if !ok {
		return 0, 0, 0, fmt.Errorf("want a hunk header, got %q: %w", h, ErrMalformedPatch)
	}
	oldRange, rest, ok1 := strings.Cut(rest, " +")
	newRange, _, ok2 := strings.Cut(rest, " @@")
	if !ok1 || !ok2 {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: %w", h, ErrMalformedPatch)
	}
	oldStart, oldCount, err1 := parseRange(oldRange)
	_, newCount, err2 := parseRange(newRange)
	if err1 != nil || err2 != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: %w", h, ErrMalformedPatch)
	}
	return oldStart, oldCount, newCount, nil
}

func parseRange(r string) (start, count int, err error) {
	s, c, hasCount := strings.Cut(r, ",")
	if start, err = strconv.Atoi(s); err != nil || start < 0 {
		return 0, 0, errors.Join(err, ErrMalformedPatch)
	}
	count = 1
	if hasCount {
		if count, err = strconv.Atoi(c); err != nil || count < 0 {
			return 0, 0, errors.Join(err, ErrMalformedPatch)
		}
	}
	return start, count, nil
}
