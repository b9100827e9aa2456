package rulefiles

import "strings"

// splitGlobs reads a comma-separated glob list the way clients write one ("*.ts,*.tsx",
// "src/**, tests/**"). Commas inside braces belong to the pattern ("**/*.{ts,tsx}" is one
// glob), because splitting there would turn one intended pattern into two broken ones.
// Surrounding spaces are dropped: they are never meant as part of a path.
func splitGlobs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = appendGlob(out, s[start:i])
				start = i + 1
			}
		}
	}
	return appendGlob(out, s[start:])
}

func appendGlob(out []string, g string) []string {
	if g = strings.TrimSpace(g); g != "" {
		out = append(out, g)
	}
	return out
}

// joinGlobs is the inverse of splitGlobs where one exists; joinExact says whether it does.
func joinGlobs(globs []string) string { return strings.Join(globs, ",") }

// joinExact reports whether the globs survive being written as one comma-separated string.
func joinExact(globs []string) bool { return sameGlobs(splitGlobs(joinGlobs(globs)), globs) }

// normalizeGlobs trims every glob and drops empty ones; no globs at all is nil.
func normalizeGlobs(in []string) []string {
	var out []string
	for _, g := range in {
		out = appendGlob(out, g)
	}
	return out
}

// bracesBalanced reports whether every '}' closes an earlier '{' and all are closed, which is
// what lets a comma-separated list be split by brace depth.
func bracesBalanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
