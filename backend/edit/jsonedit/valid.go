package jsonedit

// StrictValid reports whether data is exactly one JSON value (RFC 8259) with only whitespace
// around it, giving the answer encoding/json.Valid gives (FuzzValid holds them to it:
// strict JSON, no comments or trailing commas, bytes in strings not checked as UTF-8,
// nesting up to 10,000 deep) about three times as fast. The store checks every snapshot,
// diff and base it writes with it: at 1,000 servers nearly a megabyte per first pass.
func StrictValid(data []byte) bool {
	v := validator{data: data}
	v.space()
	if !v.value(0) {
		return false
	}
	v.space()
	return v.pos == len(data)
}

type validator struct {
	data []byte
	pos  int
}

func (v *validator) space() {
	for v.pos < len(v.data) {
		switch v.data[v.pos] {
		case ' ', '\t', '\n', '\r':
			v.pos++
		default:
			return
		}
	}
}

func (v *validator) value(depth int) bool {
	if v.pos >= len(v.data) {
		return false
	}
	switch c := v.data[v.pos]; {
	case c == '{':
		return v.container(depth+1, '}')
	case c == '[':
		return v.container(depth+1, ']')
	case c == '"':
		return v.string()
	case c == '-' || c >= '0' && c <= '9':
		return v.number()
	case c == 't':
		return v.literal("true")
	case c == 'f':
		return v.literal("false")
	case c == 'n':
		return v.literal("null")
	}
	return false
}

func (v *validator) literal(word string) bool {
	if len(v.data)-v.pos < len(word) || string(v.data[v.pos:v.pos+len(word)]) != word {
		return false
	}
	v.pos += len(word)
	return true
}

// container reads an object or an array from its opening bracket to close: items separated
// by commas, each an object member ("name": value) or an array element.
func (v *validator) container(depth int, close byte) bool {
	if depth > maxDepth {
		return false
	}
	v.pos++ // { or [
	v.space()
	if v.at(close) {
		v.pos++
		return true
	}
	for {
		if close == '}' && !v.name() {
			return false
		}
		if !v.value(depth) {
			return false
		}
		v.space()
		switch {
		case v.at(','):
			v.pos++
			v.space()
		case v.at(close):
			v.pos++
			return true
		default:
			return false
		}
	}
}

// name reads a member's name and its colon, with the whitespace after them.
func (v *validator) name() bool {
	if !v.at('"') || !v.string() {
		return false
	}
	v.space()
	if !v.at(':') {
		return false
	}
	v.pos++
	v.space()
	return true
}

func (v *validator) at(c byte) bool { return v.pos < len(v.data) && v.data[v.pos] == c }

// stringStop marks the bytes a string cannot simply pass over: its end, an escape, and
// the control characters JSON does not allow in it.
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// string reads a string from its opening quote.
func (v *validator) string() bool {
	d, i := v.data, v.pos+1
	for {
		for i < len(d) && !stringStop[d[i]] {
			i++
		}
		if i >= len(d) {
			return false
		}
		switch d[i] {
		case '"':
			v.pos = i + 1
			return true
		case '\\':
			if i+1 >= len(d) {
				return false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		default: // a control character
			return false
		}
	}
}

func (v *validator) number() bool {
	d, i := v.data, v.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	v.pos = i
	return true
}
