package tomledit

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// ErrUnsupportedValue is returned by Set for values TOML cannot hold (nil,
// channels, maps with non-string keys, invalid UTF-8 …), so callers can tell a
// programming error from a broken document.
var ErrUnsupportedValue = errors.New("unsupported value")

// normalize converts a Go value into the shapes go-toml produces when it
// decodes into any (string, bool, int64, float64, time values, []any,
// map[string]any). Comparing normalized values with decoded ones is what lets
// Set leave a document untouched when nothing would change.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("%w: TOML has no null", ErrUnsupportedValue)
	case string:
		if !utf8.ValidString(x) {
			return nil, fmt.Errorf("%w: string is not valid UTF-8", ErrUnsupportedValue)
		}
		return x, nil
	case bool, int64, float64, time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			n, err := normalize(s)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			n, err := normalize(s)
			if err != nil {
				return nil, err
			}
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("%w: key is not valid UTF-8", ErrUnsupportedValue)
			}
			out[k] = n
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return normalize(rv.String())
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("%w: %d overflows a TOML integer", ErrUnsupportedValue, u)
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return []any{}, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			n, err := normalize(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%w: map key type %s", ErrUnsupportedValue, rv.Type().Key())
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("%w: key is not valid UTF-8", ErrUnsupportedValue)
			}
			n, err := normalize(it.Value().Interface())
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, fmt.Errorf("%w: TOML has no null", ErrUnsupportedValue)
		}
		return normalize(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedValue, v)
}

// equalValues compares a normalized value with a decoded one. It exists
// because reflect.DeepEqual treats NaN as unequal to itself, which would make
// every Set of a NaN rewrite the file.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
		return x == y && math.Signbit(x) == math.Signbit(y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && x.Format(time.RFC3339Nano) == y.Format(time.RFC3339Nano)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalValues(xv, yv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// renderValue writes a normalized value as TOML on a single line. Only TOML
// 1.0 syntax is produced, because Codex and other readers may not accept the
// 1.1 additions (multi-line inline tables, trailing commas).
func renderValue(b *strings.Builder, v any, literal bool) {
	writeValue(b, v, literal, nil, nil)
}

// renderKeyValue renders the line `key = value` of a new table at path (the table's
// path), with the key's full path and the value as buildIndex records it, offsets counted
// from the start of the line. The paths are cut from ns's blocks.
func renderKeyValue(path []string, key string, v any, ns *names) (line string, full []string, val value) {
	var b strings.Builder
	b.Grow(len(key) + 64)
	b.WriteString(quoteKey(key))
	b.WriteString(" = ")
	full = ns.concat(path, []string{key})
	val = writeValue(&b, v, false, full, ns)
	return b.String(), full, val
}

// writeValue is renderValue. With a path (the value's full path) it also returns what
// buildIndex records for the value it wrote, offsets counted from the start of b: its
// kind and span and, for an inline table, its entries (their paths cut from ns's blocks).
// The rendering is the same either way.
func writeValue(b *strings.Builder, v any, literal bool, path []string, ns *names) value {
	val := value{start: b.Len()}
	switch x := v.(type) {
	case string:
		val.kind = unstable.String
		if literal && canBeLiteral(x) {
			b.WriteByte('\'')
			b.WriteString(x)
			b.WriteByte('\'')
			val.literal = true
			break
		}
		writeBasicString(b, x)
	case bool:
		val.kind = unstable.Bool
		b.WriteString(strconv.FormatBool(x))
	case int64:
		val.kind = unstable.Integer
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		val.kind = unstable.Float
		b.WriteString(formatFloat(x))
	case time.Time:
		val.kind = unstable.DateTime
		b.WriteString(x.Format(time.RFC3339Nano))
	case toml.LocalDate:
		val.kind = unstable.LocalDate
		b.WriteString(x.String())
	case toml.LocalTime:
		val.kind = unstable.LocalTime
		b.WriteString(x.String())
	case toml.LocalDateTime:
		val.kind = unstable.LocalDateTime
		b.WriteString(x.String())
	case []any:
		val.kind = unstable.Array
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e, false, nil, nil) // buildIndex does not index inside arrays
		}
		b.WriteByte(']')
	case map[string]any:
		val.kind = unstable.InlineTable
		var t *inlineTable
		if path != nil {
			t = &inlineTable{path: path, start: val.start}
			val.inline = t
		}
		if len(x) == 0 {
			b.WriteString("{}")
			break
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{ ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			start := b.Len()
			b.WriteString(quoteKey(k))
			b.WriteString(" = ")
			if t == nil {
				writeValue(b, x[k], false, nil, nil)
				continue
			}
			full := ns.concat(path, []string{k})
			ev := writeValue(b, x[k], false, full, ns)
			t.entries = append(t.entries, inlineEntry{path: full, start: start, end: ev.end, val: ev})
		}
		b.WriteString(" }")
	default:
		// normalize only yields the types above; reaching this is a bug.
		panic(fmt.Sprintf("tomledit: cannot render %T", v))
	}
	val.end = b.Len()
	if val.inline != nil {
		val.inline.end = val.end
	}
	return val
}

// render is renderValue into a fresh string.
func render(v any, literal bool) string {
	var b strings.Builder
	renderValue(&b, v, literal)
	return b.String()
}

// formatFloat renders a float so that it always reads back as a float: TOML
// needs a decimal point or an exponent, and spells the specials inf and nan.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	abs := math.Abs(f)
	var s string
	if abs == 0 || (abs >= 1e-5 && abs < 1e16) {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	} else {
		s = strconv.FormatFloat(f, 'e', -1, 64)
	}
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// canBeLiteral reports whether s fits in a single-line 'literal string',
// which has no escapes and so cannot hold quotes, newlines or control bytes.
func canBeLiteral(s string) bool {
	for _, r := range s {
		if r == '\'' || r == 0x7f || (r < 0x20 && r != '\t') {
			return false
		}
	}
	return true
}

// writeBasicString writes s as a "basic string", escaping only what TOML
// requires so that non-ASCII text stays readable in the file.
func writeBasicString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// isBareKey reports whether k can be written without quotes.
func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// quoteKey renders one key part, quoting it when it is not a bare key, so
// that names such as "my.server" or "名前" stay a single key.
func quoteKey(k string) string {
	if isBareKey(k) {
		return k
	}
	var b strings.Builder
	writeBasicString(&b, k)
	return b.String()
}

// joinKey renders a dotted key from its parts.
func joinKey(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = quoteKey(p)
	}
	return strings.Join(q, ".")
}
