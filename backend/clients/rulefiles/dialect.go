package rulefiles

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"aisync/backend/clients"
	"aisync/backend/unified"
)

// Dialect maps one client's rule-file frontmatter to unified.Rule and back. Each client
// spells "when does this rule apply" differently (Cursor's alwaysApply/globs/description,
// Windsurf's trigger, Copilot's applyTo, Kiro's inclusion, …); a Dialect holds that mapping
// and nothing else, so every adapter with a rule directory shares one tested codec.
type Dialect struct {
	Name string // "cursor", "windsurf", "copilot", "claude", "kiro", "continue", "cline", "plain"
	Ext  string // the rule file extension: ".mdc", ".md", ".instructions.md"

	// frontmatter is false for clients that read a rule file as plain text: there, a YAML
	// header is part of the rule and must not be parsed away.
	frontmatter bool
	// owned are the keys this dialect reads and writes, in the order a new file gets them.
	owned []string
	// lenient are the keys whose unquoted single-line values are read as literal text even
	// where YAML would not (Cursor writes "globs: *.ts" unquoted).
	lenient []string
	read    func(name string, f *mdFile) (meta, []clients.Warning, error)
	write   func(r unified.Rule) (map[string]value, meta, []clients.Warning)
}

// meta is the part of a rule a frontmatter holds.
type meta struct {
	activation  unified.Activation
	description string
	globs       []string
}

// The dialects of the clients that keep one rule per file. See CLIENTS.md table 0.6 for the
// sources. Globs are only kept for glob-activated rules: every client ignores them (or reads
// them as a different activation) otherwise.
var (
	// Cursor .cursor/rules/*.mdc: alwaysApply: true is always; globs (comma-separated, or a
	// list) is glob; a description alone is agent-requested; nothing is manual. Globs are
	// written unquoted, as Cursor itself writes them.
	Cursor = Dialect{Name: "cursor", Ext: ".mdc", frontmatter: true,
		owned: []string{"description", "globs", "alwaysApply"}, lenient: []string{"description", "globs"},
		read: readCursor, write: writeCursor}
	// Windsurf .windsurf/rules/*.md: trigger always_on | glob | model_decision | manual.
	Windsurf = Dialect{Name: "windsurf", Ext: ".md", frontmatter: true,
		owned: []string{"trigger", "description", "globs"}, lenient: []string{"description", "globs"},
		read: readWindsurf, write: writeWindsurf}
	// Copilot .github/instructions/*.instructions.md: applyTo "**" is always, other globs are
	// glob; without applyTo VS Code does not attach the file by itself but matches its
	// description to the task (agent), or, with no description, only when attached (manual).
	Copilot = Dialect{Name: "copilot", Ext: ".instructions.md", frontmatter: true,
		owned: []string{"description", "applyTo"}, lenient: []string{"description", "applyTo"},
		read: readCopilot, write: writeCopilot}
	// ClaudeRules .claude/rules/*.md: paths (a string or a list) is glob, no paths is always.
	// There is no agent-requested or manual rule; those become always-on, with a warning.
	ClaudeRules = Dialect{Name: "claude", Ext: ".md", frontmatter: true,
		owned: []string{"description", "paths"}, lenient: []string{"description", "paths"},
		read: readPathsDialect, write: writePathsDialect("Claude Code")}
	// Kiro .kiro/steering/*.md: inclusion always (the default) | fileMatch (+ fileMatchPattern)
	// | manual | auto (+ description, and a name) for agent-requested.
	Kiro = Dialect{Name: "kiro", Ext: ".md", frontmatter: true,
		owned: []string{"name", "inclusion", "fileMatchPattern", "description"}, lenient: []string{"name", "description", "fileMatchPattern"},
		read: readKiro, write: writeKiro}
	// Continue .continue/rules/*.md: alwaysApply true is always; globs is glob; alwaysApply
	// false without globs leaves it to the model (agent, or manual without a description);
	// neither key is always. A glob string is one pattern (Continue does not split it).
	Continue = Dialect{Name: "continue", Ext: ".md", frontmatter: true,
		owned: []string{"name", "description", "globs", "alwaysApply"}, lenient: []string{"name", "description", "globs"},
		read: readContinue, write: writeContinue}
	// Cline .clinerules/*.md: paths is glob, no paths is always.
	Cline = Dialect{Name: "cline", Ext: ".md", frontmatter: true,
		owned: []string{"description", "paths"}, lenient: []string{"description", "paths"},
		read: readPathsDialect, write: writePathsDialect("Cline")}
	// Plain is for clients that read every file as an always-on rule (Roo Code .roo/rules/):
	// no frontmatter at all, so nothing but the body survives.
	Plain = Dialect{Name: "plain", Ext: ".md",
		read: readPlain, write: writePlain}
)

// DecodeDir reads one rule per file. The rule name is the file name without Ext (with the
// %XX escapes of unsafe characters undone). Files that do not end with Ext are not rules of
// this dialect and are skipped with a warning; nil entries are absent files. A file whose
// frontmatter does not parse is a *clients.SyntaxError with its path, line and column.
func (d Dialect) DecodeDir(files clients.Files) (map[string]unified.Rule, []clients.Warning, error) {
	rules := map[string]unified.Rule{}
	var warns []clients.Warning
	from := map[string]string{}
	for _, p := range files.Sorted() {
		data := files[p]
		if data == nil {
			continue
		}
		name, ok, w := d.nameOf(p)
		if w != nil {
			warns = append(warns, *w)
		}
		if !ok {
			continue
		}
		if prev, dup := from[name]; dup {
			warns = append(warns, clients.Warning{Item: ruleItem(name), Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("%s and %s both name the rule %q; %s is ignored.", prev, p, name, p)})
			continue
		}
		r, _, w2, err := d.decodeFile(p, name, data)
		if err != nil {
			return nil, warns, fmt.Errorf("decode %s rules: %w", d.Name, err)
		}
		warns = append(warns, w2...)
		from[name] = p
		rules[name] = r
	}
	return rules, warns, nil
}

// EncodeDir makes dir hold exactly rules. It returns only what changes: new bytes for files
// to create or rewrite, nil for files to delete. A file that already holds its rule is not
// returned; an existing file is edited in place, so unknown frontmatter keys, their order
// and comments, the body's line endings and a BOM survive, and only the keys this dialect
// owns are rewritten, and only when their meaning changes. Files that are not rules of this
// dialect are never touched.
func (d Dialect) EncodeDir(dir string, files clients.Files, rules map[string]unified.Rule) (clients.Files, []clients.Warning, error) {
	type existing struct {
		path string
		file *mdFile
		rule unified.Rule
	}
	var (
		out    = clients.Files{}
		warns  []clients.Warning
		byName = map[string]existing{}
		taken  = map[string]string{} // folded base name → path: the case-insensitive file systems
	)
	for _, p := range files.Sorted() {
		data := files[p]
		if data == nil {
			continue
		}
		taken[strings.ToLower(baseName(p))] = p
		name, ok, _ := d.nameOf(p)
		if !ok {
			continue
		}
		if _, dup := byName[name]; dup {
			continue // DecodeDir warned; the second file is left alone
		}
		r, f, _, err := d.decodeFile(p, name, data)
		if err != nil {
			return nil, nil, fmt.Errorf("encode %s rules: %w", d.Name, err)
		}
		byName[name] = existing{path: p, file: f, rule: r}
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, keep := rules[name]; !keep {
			out[byName[name].path] = nil
		}
	}
	for _, name := range sortedNames(rules) {
		if name == "" {
			warns = append(warns, clients.Warning{Item: ruleItem(name), Code: clients.WarnInvalidName, Message: "A rule without a name cannot be written to a file; it is skipped."})
			continue
		}
		r, err := normalizeRule(name, rules[name])
		if err != nil {
			return nil, nil, fmt.Errorf("encode %s rules: %w", d.Name, err)
		}
		if ex, ok := byName[name]; ok {
			data, w, err := d.edit(ex.path, ex.file, ex.rule, r)
			if err != nil {
				return nil, nil, fmt.Errorf("encode %s rules: %w", d.Name, err)
			}
			warns = append(warns, w...)
			if data != nil && !bytes.Equal(data, files[ex.path]) {
				out[ex.path] = data
			}
			continue
		}
		stem, _ := stemFor(name)
		file := stem + d.Ext
		if len(file) > maxFileName {
			warns = append(warns, clients.Warning{Item: ruleItem(name), Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("The rule name is too long for a file name (%d bytes, at most %d); the rule is not written.", len(file), maxFileName)})
			continue
		}
		if other, clash := taken[strings.ToLower(file)]; clash {
			warns = append(warns, clients.Warning{Item: ruleItem(name), Code: clients.WarnInvalidName,
				Message: fmt.Sprintf("The file %s would differ from %s only in letter case, which many file systems treat as the same file; the rule is not written.", file, other)})
			continue
		}
		p := joinPath(dir, file)
		taken[strings.ToLower(file)] = p
		data, w, err := d.create(p, r)
		if err != nil {
			return nil, nil, fmt.Errorf("encode %s rules: %w", d.Name, err)
		}
		warns = append(warns, w...)
		out[p] = data
	}
	return out, warns, nil
}

// nameOf maps a file to its rule name; ok is false for files that are not rules of d.
func (d Dialect) nameOf(p string) (name string, ok bool, w *clients.Warning) {
	base := baseName(p)
	if len(base) < len(d.Ext) || !strings.EqualFold(base[len(base)-len(d.Ext):], d.Ext) {
		return "", false, &clients.Warning{Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s does not end with %s, so it is not read as a %s rule.", p, d.Ext, d.Name)}
	}
	stem := base[:len(base)-len(d.Ext)]
	if stem == "" {
		return "", false, &clients.Warning{Code: clients.WarnInvalidName,
			Message: fmt.Sprintf("%s has no name before %s; it is skipped.", p, d.Ext)}
	}
	return nameFor(stem), true, nil
}

func (d Dialect) decodeFile(p, name string, data []byte) (unified.Rule, *mdFile, []clients.Warning, error) {
	f, err := parseFile(p, data, d.frontmatter, d.lenient)
	if err != nil {
		return unified.Rule{}, nil, nil, err
	}
	m, warns, err := d.read(name, f)
	if err != nil {
		return unified.Rule{}, nil, nil, err
	}
	r := unified.Rule{Name: name, Description: m.description, Activation: m.activation, Globs: normalizeGlobs(m.globs), Body: NormalizeBody(f.body)}
	return r, f, warns, nil
}

// project is what r becomes in this dialect: the key values to write, the rule that will be
// read back, and a warning for everything that does not survive.
func (d Dialect) project(r unified.Rule) (map[string]value, unified.Rule, []clients.Warning) {
	var warns []clients.Warning
	if d.frontmatter {
		// YAML cannot hold bytes that are not UTF-8, even escaped.
		if !utf8.ValidString(r.Description) {
			r.Description = strings.ToValidUTF8(r.Description, "\uFFFD")
			warns = append(warns, lost(r, "Its description is not valid UTF-8; invalid bytes are written as U+FFFD."))
		}
		for i, g := range r.Globs {
			if !utf8.ValidString(g) {
				r.Globs[i] = strings.ToValidUTF8(g, "\uFFFD")
				warns = append(warns, lost(r, "A glob is not valid UTF-8; invalid bytes are written as U+FFFD."))
			}
		}
		r.Globs = normalizeGlobs(r.Globs)
	}
	vals, m, w := d.write(r)
	expect := unified.Rule{Name: r.Name, Description: m.description, Activation: m.activation, Globs: normalizeGlobs(m.globs), Body: r.Body}
	return vals, expect, append(warns, w...)
}

// edit rewrites an existing file so that it holds r. It returns nil when the file already
// does (as this dialect reads it).
func (d Dialect) edit(p string, f *mdFile, old, r unified.Rule) ([]byte, []clients.Warning, error) {
	r.Globs = append([]string(nil), r.Globs...)
	vals, expect, warns := d.project(r)
	if sameRule(old, expect) {
		return nil, warns, nil
	}
	var (
		fmLines   []string
		fmChanged bool
	)
	if d.frontmatter && !sameMeta(old, expect) {
		var err error
		if fmLines, fmChanged, err = f.rewrite(d.owned, vals); err != nil {
			return nil, warns, fmt.Errorf("edit %s: %w", p, err)
		}
	}
	body := f.body
	if NormalizeBody(body) != expect.Body {
		body = replaceBody(body, expect.Body, f.eol)
	}
	data := d.assemble(f, fmLines, fmChanged, body)
	return data, warns, d.verify(p, data, expect)
}

// create writes a new file for r: the dialect's keys in its order, then the body.
func (d Dialect) create(p string, r unified.Rule) ([]byte, []clients.Warning, error) {
	r.Globs = append([]string(nil), r.Globs...)
	vals, expect, warns := d.project(r)
	f := &mdFile{path: p, eol: "\n"}
	var (
		fmLines   []string
		fmChanged bool
		err       error
	)
	if d.frontmatter {
		if fmLines, fmChanged, err = f.rewrite(d.owned, vals); err != nil {
			return nil, warns, fmt.Errorf("create %s: %w", p, err)
		}
	}
	body := ""
	if expect.Body != "" {
		body = expect.Body + "\n"
	}
	data := d.assemble(f, fmLines, fmChanged, body)
	return data, warns, d.verify(p, data, expect)
}

// verify reads back what was written. It guards the promise that a sync writes what it
// means to: if the two disagree, nothing is written and the caller gets an error.
func (d Dialect) verify(p string, data []byte, expect unified.Rule) error {
	got, _, _, err := d.decodeFile(p, expect.Name, data)
	if err != nil {
		return fmt.Errorf("check %s after editing it: %w", p, err)
	}
	if !sameRule(got, expect) {
		return fmt.Errorf("check %s after editing it: it reads back as %+v, not %+v", p, got, expect)
	}
	return nil
}

// assemble joins BOM, frontmatter and body. A frontmatter that lost its last key is dropped;
// a body whose first line is "---" always gets a frontmatter in front of it, or it would be
// read as one.
func (d Dialect) assemble(f *mdFile, fmLines []string, fmChanged bool, body string) []byte {
	var b strings.Builder
	b.WriteString(f.bom)
	open, fm, closing, hasFM := f.open, f.fmText, f.close, f.hasFM
	if fmChanged {
		fm = strings.Join(fmLines, "")
		if !hasFM {
			open, closing, hasFM = "---"+f.eol, "---"+f.eol, true
		}
		if strings.TrimSpace(fm) == "" {
			hasFM = false
		}
	}
	if !hasFM && d.frontmatter && startsWithDelimiter(body) {
		open, fm, closing, hasFM = "---"+f.eol, "", "---"+f.eol, true
	}
	if hasFM {
		if body != "" && !strings.HasSuffix(closing, "\n") {
			closing += f.eol
		}
		b.WriteString(open + fm + closing)
	}
	b.WriteString(body)
	return []byte(b.String())
}

func startsWithDelimiter(body string) bool {
	first, _, _ := strings.Cut(body, "\n")
	return strings.TrimRight(first, " \t\r") == "---"
}

// replaceBody puts a new body in place of the old one, keeping the blank lines the file had
// before and after it and writing it with the file's line ending.
func replaceBody(old, body, eol string) string {
	if body == "" {
		return ""
	}
	if NormalizeBody(old) == "" {
		return withEOL(body, eol) + eol
	}
	lead := 0
	for {
		nl := strings.IndexByte(old[lead:], '\n')
		if nl < 0 || strings.TrimRight(old[lead:lead+nl], "\r") != "" {
			break
		}
		lead += nl + 1
	}
	trail := len(strings.TrimRight(old, "\r\n"))
	return old[:lead] + withEOL(body, eol) + old[trail:]
}

func sameMeta(a, b unified.Rule) bool {
	return a.Activation == b.Activation && a.Description == b.Description && sameGlobs(a.Globs, b.Globs)
}

func lost(r unified.Rule, msg string) clients.Warning {
	return clients.Warning{Item: ruleItem(r.Name), Code: clients.WarnDroppedField, Message: msg}
}

// fallbackActivation is the closest form of a rule whose activation a client cannot hold:
// a rule the model may pull in by its description, or else one only the user attaches.
func fallbackActivation(desc string) unified.Activation {
	if desc != "" {
		return unified.ActivationAgent
	}
	return unified.ActivationManual
}

// adjust applies the limits every "description decides" client shares (Cursor, Copilot,
// Continue): a glob rule needs globs, an agent rule needs a description, and a manual rule
// cannot have one (it would read as agent).
func adjust(r unified.Rule, client string) (act unified.Activation, desc string, warns []clients.Warning) {
	act, desc = r.Activation, r.Description
	if act == unified.ActivationGlob && len(r.Globs) == 0 {
		act = fallbackActivation(desc)
		warns = append(warns, lost(r, fmt.Sprintf("The rule applies to matching files but has no globs; %s reads it as %s.", client, act)))
	}
	if act == unified.ActivationAgent && desc == "" {
		act = unified.ActivationManual
		warns = append(warns, lost(r, fmt.Sprintf("The rule is for the model to pick by its description but has none; %s reads it as manual.", client)))
	}
	if act == unified.ActivationManual && desc != "" {
		desc = ""
		warns = append(warns, lost(r, fmt.Sprintf("%s reads a rule with a description as one for the model to pick, so the description of this manual rule is not written.", client)))
	}
	return act, desc, append(warns, dropGlobs(r, act)...)
}

func dropGlobs(r unified.Rule, act unified.Activation) []clients.Warning {
	if act != unified.ActivationGlob && len(r.Globs) > 0 {
		return []clients.Warning{lost(r, fmt.Sprintf("The rule is %s, so its globs (%s) are not written.", act, strings.Join(r.Globs, ", ")))}
	}
	return nil
}

func readCursor(_ string, f *mdFile) (meta, []clients.Warning, error) {
	always, hasAlways, err := f.readBool("alwaysApply")
	if err != nil {
		return meta{}, nil, err
	}
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("globs", true)
	if err != nil {
		return meta{}, nil, err
	}
	switch {
	case hasAlways && always:
		return meta{activation: unified.ActivationAlways, description: desc}, nil, nil
	case len(globs) > 0:
		return meta{activation: unified.ActivationGlob, description: desc, globs: globs}, nil, nil
	}
	return meta{activation: fallbackActivation(desc), description: desc}, nil, nil
}

func writeCursor(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	act, desc, warns := adjust(r, "Cursor")
	vals := map[string]value{
		"description": setOrDelete(desc, quotePlain),
		"globs":       deleteKey(),
		"alwaysApply": setBool(act == unified.ActivationAlways),
	}
	m := meta{activation: act, description: desc}
	if act == unified.ActivationGlob {
		g := value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quoteBare, form: formJoined, split: true, listFallback: true}
		vals["globs"], m.globs = g, g.readsAs()
	}
	return vals, m, warns
}

func readWindsurf(_ string, f *mdFile) (meta, []clients.Warning, error) {
	trigger, hasTrigger, err := f.readEnum("trigger", "always_on", "glob", "model_decision", "manual")
	if err != nil {
		return meta{}, nil, err
	}
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("globs", true)
	if err != nil {
		return meta{}, nil, err
	}
	m := meta{description: desc}
	switch {
	case trigger == "glob" || !hasTrigger && len(globs) > 0:
		m.activation, m.globs = unified.ActivationGlob, globs
	case trigger == "model_decision":
		m.activation = unified.ActivationAgent
	case trigger == "manual":
		m.activation = unified.ActivationManual
	default:
		m.activation = unified.ActivationAlways
	}
	return m, nil, nil
}

func writeWindsurf(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	triggers := map[unified.Activation]string{
		unified.ActivationAlways: "always_on", unified.ActivationGlob: "glob",
		unified.ActivationAgent: "model_decision", unified.ActivationManual: "manual",
	}
	vals := map[string]value{
		"trigger":     setString(triggers[r.Activation], quotePlain),
		"description": setOrDelete(r.Description, quotePlain),
		"globs":       deleteKey(),
	}
	m := meta{activation: r.Activation, description: r.Description}
	warns := dropGlobs(r, r.Activation)
	if r.Activation == unified.ActivationGlob && len(r.Globs) > 0 {
		g := value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quotePlain, form: formJoined, split: true}
		vals["globs"], m.globs = g, g.readsAs()
		if !sameGlobs(m.globs, r.Globs) {
			warns = append(warns, lost(r, fmt.Sprintf("Windsurf keeps globs in one comma-separated string, which reads back as %q.", m.globs)))
		}
	}
	return vals, m, warns
}

func readCopilot(_ string, f *mdFile) (meta, []clients.Warning, error) {
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("applyTo", true)
	if err != nil {
		return meta{}, nil, err
	}
	switch {
	case len(globs) == 1 && globs[0] == "**":
		return meta{activation: unified.ActivationAlways, description: desc}, nil, nil
	case len(globs) > 0:
		return meta{activation: unified.ActivationGlob, description: desc, globs: globs}, nil, nil
	}
	return meta{activation: fallbackActivation(desc), description: desc}, nil, nil
}

func writeCopilot(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	act, desc, warns := adjust(r, "VS Code")
	vals := map[string]value{
		"description": setOrDelete(desc, quotePlain),
		"applyTo":     deleteKey(),
	}
	m := meta{activation: act, description: desc}
	switch act {
	case unified.ActivationAlways:
		vals["applyTo"] = value{op: opSet, kind: kindGlobs, globs: []string{"**"}, quote: quoteDouble, form: formJoined, split: true}
	case unified.ActivationGlob:
		g := value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quoteDouble, form: formJoined, split: true}
		vals["applyTo"], m.globs = g, g.readsAs()
		if !sameGlobs(m.globs, r.Globs) {
			warns = append(warns, lost(r, fmt.Sprintf("applyTo is one comma-separated string, which reads back as %q.", m.globs)))
		}
		if len(m.globs) == 1 && m.globs[0] == "**" {
			m.activation, m.globs = unified.ActivationAlways, nil
		}
	}
	return vals, m, warns
}

// readPathsDialect reads Claude Code and Cline rules: paths makes a rule conditional.
func readPathsDialect(_ string, f *mdFile) (meta, []clients.Warning, error) {
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("paths", true)
	if err != nil {
		return meta{}, nil, err
	}
	if len(globs) > 0 {
		return meta{activation: unified.ActivationGlob, description: desc, globs: globs}, nil, nil
	}
	return meta{activation: unified.ActivationAlways, description: desc}, nil, nil
}

func writePathsDialect(client string) func(unified.Rule) (map[string]value, meta, []clients.Warning) {
	return func(r unified.Rule) (map[string]value, meta, []clients.Warning) {
		act := r.Activation
		var warns []clients.Warning
		switch {
		case act == unified.ActivationGlob && len(r.Globs) == 0:
			act = unified.ActivationAlways
			warns = append(warns, lost(r, fmt.Sprintf("The rule applies to matching files but has no globs; %s reads it as always-on.", client)))
		case act == unified.ActivationAgent || act == unified.ActivationManual:
			warns = append(warns, lost(r, fmt.Sprintf("%s has no %s rules; the rule is written as always-on.", client, act)))
			act = unified.ActivationAlways
		}
		warns = append(warns, dropGlobs(r, act)...)
		vals := map[string]value{
			"description": setOrDelete(r.Description, quotePlain),
			"paths":       deleteKey(),
		}
		m := meta{activation: act, description: r.Description}
		if act == unified.ActivationGlob {
			vals["paths"] = value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quoteDouble, form: formListOnly, split: true}
			m.globs = r.Globs
		}
		return vals, m, warns
	}
}

func readKiro(_ string, f *mdFile) (meta, []clients.Warning, error) {
	inclusion, _, err := f.readEnum("inclusion", "always", "fileMatch", "manual", "auto")
	if err != nil {
		return meta{}, nil, err
	}
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("fileMatchPattern", false)
	if err != nil {
		return meta{}, nil, err
	}
	m := meta{activation: unified.ActivationAlways, description: desc}
	switch inclusion {
	case "fileMatch":
		m.activation, m.globs = unified.ActivationGlob, globs
	case "manual":
		m.activation = unified.ActivationManual
	case "auto":
		m.activation = unified.ActivationAgent
	}
	return m, nil, nil
}

func writeKiro(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	inclusion := map[unified.Activation]string{
		unified.ActivationAlways: "always", unified.ActivationGlob: "fileMatch",
		unified.ActivationAgent: "auto", unified.ActivationManual: "manual",
	}
	vals := map[string]value{
		"inclusion":        setString(inclusion[r.Activation], quotePlain),
		"fileMatchPattern": deleteKey(),
		"description":      setOrDelete(r.Description, quotePlain),
	}
	m := meta{activation: r.Activation, description: r.Description}
	switch r.Activation {
	case unified.ActivationGlob:
		if len(r.Globs) > 0 {
			vals["fileMatchPattern"] = value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quoteDouble, form: formSingle}
			m.globs = r.Globs
		}
	case unified.ActivationAgent:
		// Kiro shows auto-included steering by name.
		vals["name"] = value{op: opSetIfMissing, kind: kindString, s: r.Name, quote: quotePlain}
	}
	return vals, m, dropGlobs(r, r.Activation)
}

func readContinue(name string, f *mdFile) (meta, []clients.Warning, error) {
	always, hasAlways, err := f.readBool("alwaysApply")
	if err != nil {
		return meta{}, nil, err
	}
	desc, _, err := f.readString("description")
	if err != nil {
		return meta{}, nil, err
	}
	globs, err := f.readGlobs("globs", false)
	if err != nil {
		return meta{}, nil, err
	}
	var warns []clients.Warning
	if e, _ := f.lookup("regex"); e != nil && present(e) {
		warns = append(warns, clients.Warning{Item: ruleItem(name), Code: clients.WarnUnsupportedEntry,
			Message: fmt.Sprintf("%s limits the rule with a regex, which other clients cannot express; the regex stays in this file and is not synced.", f.path)})
	}
	m := meta{activation: unified.ActivationAlways, description: desc}
	switch {
	case hasAlways && always:
	case len(globs) > 0:
		m.activation, m.globs = unified.ActivationGlob, globs
	case hasAlways:
		m.activation = fallbackActivation(desc)
	}
	return m, warns, nil
}

func writeContinue(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	act, desc, warns := adjust(r, "Continue")
	vals := map[string]value{
		// Continue shows the name; a new file gets the rule name.
		"name":        {op: opSetIfMissing, kind: kindString, s: r.Name, quote: quotePlain},
		"description": setOrDelete(desc, quotePlain),
		"globs":       deleteKey(),
		"alwaysApply": setBool(act == unified.ActivationAlways),
	}
	m := meta{activation: act, description: desc}
	if act == unified.ActivationGlob {
		vals["globs"] = value{op: opSet, kind: kindGlobs, globs: r.Globs, quote: quoteDouble, form: formSingle}
		m.globs = r.Globs
	}
	return vals, m, warns
}

func readPlain(string, *mdFile) (meta, []clients.Warning, error) {
	return meta{activation: unified.ActivationAlways}, nil, nil
}

func writePlain(r unified.Rule) (map[string]value, meta, []clients.Warning) {
	var warns []clients.Warning
	if r.Activation != unified.ActivationAlways {
		warns = append(warns, lost(r, fmt.Sprintf("Plain rule files are always on; the %s rule is written as always-on.", r.Activation)))
	}
	if r.Description != "" {
		warns = append(warns, lost(r, "Plain rule files have no description; it is not written."))
	}
	if len(r.Globs) > 0 {
		warns = append(warns, lost(r, fmt.Sprintf("Plain rule files have no globs; %s are not written.", strings.Join(r.Globs, ", "))))
	}
	return nil, meta{activation: unified.ActivationAlways}, warns
}
