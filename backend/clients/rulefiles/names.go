package rulefiles

import (
	"fmt"
	"strings"
)

// maxFileName is the longest file name (in bytes) the common file systems accept.
const maxFileName = 255

// stemFor maps a rule name to the file name stem (the part before the dialect's extension).
// A rule name is free text in the unified model (it may come from a managed block in
// CLAUDE.md), but a file name is not: path separators, the characters Windows forbids,
// control characters and a leading dot (a hidden file) are written as %XX, and so is '%'
// itself, which makes the mapping reversible. Windows device names (CON, NUL, COM1, …) get
// their first letter escaped for the same reason. ok is false when no file can hold the name.
func stemFor(name string) (stem string, ok bool) {
	if name == "" {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c < 0x20, c == 0x7f, strings.IndexByte(`/\:*?"<>|%`, c) >= 0, i == 0 && c == '.':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	stem = b.String()
	if reservedOnWindows(stem) {
		stem = fmt.Sprintf("%%%02X", stem[0]) + stem[1:]
	}
	return stem, true
}

// nameFor is the inverse of stemFor. A '%' that does not start a valid escape is kept as
// it is, so a file the user named "100%.md" is still read (as the rule "100%").
func nameFor(stem string) string {
	if !strings.Contains(stem, "%") {
		return stem
	}
	var b strings.Builder
	for i := 0; i < len(stem); i++ {
		if stem[i] == '%' && i+2 < len(stem) && isHex(stem[i+1]) && isHex(stem[i+2]) {
			b.WriteByte(unhex(stem[i+1])<<4 | unhex(stem[i+2]))
			i += 2
			continue
		}
		b.WriteByte(stem[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// reservedOnWindows reports whether Windows would treat the file as a device ("con.md" is
// the console, whatever its extension).
func reservedOnWindows(stem string) bool {
	base := stem
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return true
	}
	return false
}

// baseName is the last element of a path written with either separator, because endpoint
// paths may be Windows paths computed (and tested) on another OS.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// joinPath puts a file name into dir using the separator dir already uses.
func joinPath(dir, file string) string {
	if dir == "" {
		return file
	}
	if strings.HasSuffix(dir, "/") || strings.HasSuffix(dir, `\`) {
		return dir + file
	}
	if strings.Contains(dir, `\`) && !strings.Contains(dir, "/") {
		return dir + `\` + file
	}
	return dir + "/" + file
}
