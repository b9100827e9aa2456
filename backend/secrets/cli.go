package secrets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"aisync/backend/settings"
)

// Exit codes of RunCLI.
const (
	exitOK     = 0
	exitFailed = 1 // a secret is missing or an operation failed
	exitUsage  = 2
)

// maxValueLen bounds a value read from stdin; keyrings handle far less than this well.
const maxValueLen = 64 << 10

const cliUsage = `Usage: aisync secrets <command>

Commands:
  set <alias>             store a secret; the value is read from stdin, or asked for
                          without echo on a terminal (never taken from an argument)
  get <alias> [--reveal]  show a secret, masked unless --reveal
  delete <alias>          remove a secret
  list                    list the stored aliases (required ones are marked)
  check                   check that the required secrets exist (exit 1 names the missing)
  help                    show this help

Store: %s
Required: %s (or AISYNC_ADMIN_PASSWORD) and %s (or AISYNC_API_TOKEN).
A server definition uses a stored secret as ${secret:<alias>}.
Exit codes: 0 ok, 1 missing or failed, 2 usage error.
`

// RunCLI runs `aisync secrets <args>` and returns the exit code: 0 ok, 1 missing or
// failed, 2 usage. Values are never taken from arguments, so they stay out of shell history
// and the process list.
func RunCLI(args []string, stdin io.Reader, stdout, stderr io.Writer, set settings.Settings) int {
	return (&cli{stdin: stdin, stdout: stdout, stderr: stderr, set: set, open: Open}).run(args)
}

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	set            settings.Settings
	open           func(settings.Settings) (Keyring, error)
}

func (c *cli) usage(w io.Writer) {
	where := fmt.Sprintf("the OS keyring, service %q", orDefault(c.set.SecretServiceName, "aisync"))
	if strings.EqualFold(c.set.SecretsBackend, BackendFile) {
		where = c.set.SecretsFile() + " (AISYNC_SECRETS_BACKEND=file, unencrypted)"
	}
	fmt.Fprintf(w, cliUsage, where, c.adminKey(), c.tokenKey())
}

func (c *cli) adminKey() string { return orDefault(c.set.AdminPasswordKey, "admin-password") }
func (c *cli) tokenKey() string { return orDefault(c.set.APITokenKey, "api-token") }

func (c *cli) fail(cmd string, code int, format string, a ...any) int {
	prefix := "aisync secrets"
	if cmd != "" {
		prefix += " " + cmd
	}
	fmt.Fprintf(c.stderr, prefix+": "+format+"\n", a...)
	if code == exitUsage {
		fmt.Fprintln(c.stderr, "Run 'aisync secrets help' for usage.")
	}
	return code
}

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help", "-help":
		c.usage(c.stdout)
		return exitOK
	case "set":
		return c.cmdSet(rest)
	case "get":
		return c.cmdGet(rest)
	case "delete":
		return c.cmdDelete(rest)
	case "list":
		return c.cmdList(rest)
	case "check":
		return c.cmdCheck(rest)
	}
	if strings.HasPrefix(cmd, "-") {
		return c.fail("", exitUsage, "unknown flag %q (the command comes first: set, get, delete, list, check, help)", cmd)
	}
	return c.fail("", exitUsage, "unknown command %q (want set, get, delete, list, check or help)", cmd)
}

// parse splits args into positionals and the flags in allowed; -h/--help asks for usage.
func (c *cli) parse(cmd string, args []string, allowed ...string) (pos []string, flags map[string]bool, help bool, code int) {
	flags = map[string]bool{}
	for i, a := range args {
		switch {
		case a == "--":
			return append(pos, args[i+1:]...), flags, false, exitOK
		case a == "-h" || a == "--help" || a == "-help":
			return nil, nil, true, exitOK
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name := strings.TrimLeft(a, "-")
			ok := false
			for _, f := range allowed {
				ok = ok || name == f
			}
			if !ok {
				return nil, nil, false, c.fail(cmd, exitUsage, "unknown flag %q", a)
			}
			flags[name] = true
		default:
			pos = append(pos, a)
		}
	}
	return pos, flags, false, exitOK
}

// alias checks the one positional argument of set/get/delete.
func (c *cli) alias(cmd string, pos []string) (string, int) {
	if len(pos) == 0 {
		return "", c.fail(cmd, exitUsage, "missing <alias>")
	}
	if len(pos) > 1 {
		return "", c.fail(cmd, exitUsage, "want one <alias>, got %d arguments", len(pos))
	}
	if err := ValidName(pos[0]); err != nil {
		return "", c.fail(cmd, exitUsage, "%v", err)
	}
	return pos[0], exitOK
}

// keyring opens the store and prints its warning (the file backend's) once.
func (c *cli) keyring(cmd string) (Keyring, int) {
	kr, err := c.open(c.set)
	if err != nil {
		return nil, c.fail(cmd, exitFailed, "%v", err)
	}
	if w, ok := kr.(interface{ Warning() string }); ok && w.Warning() != "" {
		fmt.Fprintf(c.stderr, "aisync: warning: %s\n", w.Warning())
	}
	return kr, exitOK
}

func (c *cli) where(kr Keyring) string {
	if kr.Backend() == BackendFile {
		return c.set.SecretsFile()
	}
	return fmt.Sprintf("the OS keyring (service %q)", orDefault(c.set.SecretServiceName, "aisync"))
}

func (c *cli) cmdSet(args []string) int {
	pos, _, help, code := c.parse("set", args)
	if help || code != exitOK {
		return c.helpOr(help, code)
	}
	if len(pos) > 1 || len(pos) == 1 && strings.Contains(pos[0], "=") {
		return c.fail("set", exitUsage, "refusing to take a secret value from the command line: "+
			"it would stay in your shell history and be visible to other users in the process list.\n"+
			"Type it at the prompt (aisync secrets set <alias>) or pipe it on stdin:\n"+
			"  printf '%%s' \"$VALUE\" | aisync secrets set <alias>")
	}
	alias, code := c.alias("set", pos)
	if code != exitOK {
		return code
	}
	kr, code := c.keyring("set")
	if code != exitOK {
		return code
	}
	value, err := c.readValue(alias)
	if err != nil {
		return c.fail("set", exitFailed, "%v", err)
	}
	if value == "" {
		return c.fail("set", exitFailed, "empty value: nothing stored")
	}
	if err := kr.Set(alias, value); err != nil {
		return c.fail("set", exitFailed, "%v", err)
	}
	fmt.Fprintf(c.stdout, "stored %s (%d chars) in %s\n", alias, utf8.RuneCountInString(value), c.where(kr))
	return exitOK
}

func (c *cli) helpOr(help bool, code int) int {
	if help {
		c.usage(c.stdout)
		return exitOK
	}
	return code
}

// readValue reads the secret: without echo, twice, from a terminal; else all of stdin
// minus one trailing newline.
func (c *cli) readValue(alias string) (string, error) {
	if f, ok := c.stdin.(*os.File); ok && isTerminal(f) {
		r := bufio.NewReader(f)
		v1, err := readNoEcho(f, r, c.stderr, fmt.Sprintf("Value for %s (not shown): ", alias))
		if err != nil {
			return "", err
		}
		v2, err := readNoEcho(f, r, c.stderr, "Again, to confirm: ")
		if err != nil {
			return "", err
		}
		if v1 != v2 {
			return "", errors.New("the two entries differ: nothing stored")
		}
		return v1, nil
	}
	data, err := io.ReadAll(io.LimitReader(c.stdin, maxValueLen+1))
	if err != nil {
		return "", fmt.Errorf("read value from stdin: %w", err)
	}
	if len(data) > maxValueLen {
		return "", fmt.Errorf("read value from stdin: longer than %d bytes", maxValueLen)
	}
	v := strings.TrimSuffix(string(data), "\n")
	v = strings.TrimSuffix(v, "\r")
	if !utf8.ValidString(v) {
		return "", errors.New("read value from stdin: not valid UTF-8 text")
	}
	return v, nil
}

func (c *cli) cmdGet(args []string) int {
	pos, flags, help, code := c.parse("get", args, "reveal")
	if help || code != exitOK {
		return c.helpOr(help, code)
	}
	alias, code := c.alias("get", pos)
	if code != exitOK {
		return code
	}
	kr, code := c.keyring("get")
	if code != exitOK {
		return code
	}
	v, err := kr.Get(alias)
	if errors.Is(err, ErrNotFound) {
		return c.fail("get", exitFailed, "%s is not set (store it with 'aisync secrets set %s')", alias, alias)
	}
	if err != nil {
		return c.fail("get", exitFailed, "%v", err)
	}
	if flags["reveal"] {
		fmt.Fprintln(c.stdout, v)
	} else {
		fmt.Fprintln(c.stdout, Mask(v))
	}
	return exitOK
}

// Mask shows a secret without giving it away: the first and last two characters of a
// long value and its length ("ab••••yz (32 chars)"); only the length of a short one.
func Mask(v string) string {
	r := []rune(v)
	if len(r) >= 12 {
		return fmt.Sprintf("%s%s%s (%d chars)", string(r[:2]), redacted, string(r[len(r)-2:]), len(r))
	}
	return fmt.Sprintf("%s (%d chars)", redacted, len(r))
}

func (c *cli) cmdDelete(args []string) int {
	pos, _, help, code := c.parse("delete", args)
	if help || code != exitOK {
		return c.helpOr(help, code)
	}
	alias, code := c.alias("delete", pos)
	if code != exitOK {
		return code
	}
	kr, code := c.keyring("delete")
	if code != exitOK {
		return code
	}
	err := kr.Delete(alias)
	if errors.Is(err, ErrNotFound) {
		return c.fail("delete", exitFailed, "%s is not set", alias)
	}
	if err != nil {
		return c.fail("delete", exitFailed, "%v", err)
	}
	fmt.Fprintf(c.stdout, "deleted %s\n", alias)
	return exitOK
}

func (c *cli) required() map[string]bool {
	return map[string]bool{c.adminKey(): true, c.tokenKey(): true}
}

func (c *cli) cmdList(args []string) int {
	pos, _, help, code := c.parse("list", args)
	if help || code != exitOK {
		return c.helpOr(help, code)
	}
	if len(pos) > 0 {
		return c.fail("list", exitUsage, "takes no arguments, got %q", pos[0])
	}
	kr, code := c.keyring("list")
	if code != exitOK {
		return code
	}
	names, err := kr.List()
	if err != nil {
		return c.fail("list", exitFailed, "%v", err)
	}
	if len(names) == 0 {
		fmt.Fprintf(c.stderr, "no secrets stored in %s\n", c.where(kr))
		return exitOK
	}
	req := c.required()
	for _, n := range names {
		if req[n] {
			fmt.Fprintf(c.stdout, "%s  (required)\n", n)
		} else {
			fmt.Fprintln(c.stdout, n)
		}
	}
	return exitOK
}

func (c *cli) cmdCheck(args []string) int {
	pos, _, help, code := c.parse("check", args)
	if help || code != exitOK {
		return c.helpOr(help, code)
	}
	if len(pos) > 0 {
		return c.fail("check", exitUsage, "takes no arguments, got %q", pos[0])
	}
	type need struct{ key, what, env, override, hint string }
	needs := []need{
		{c.adminKey(), "admin password", "AISYNC_ADMIN_PASSWORD", c.set.AdminPassword,
			"run 'aisync secrets set " + c.adminKey() + "' or set AISYNC_ADMIN_PASSWORD"},
		{c.tokenKey(), "API token", "AISYNC_API_TOKEN", c.set.APIToken,
			"run 'aisync secrets set " + c.tokenKey() + "', start aisync once to generate one, or set AISYNC_API_TOKEN"},
	}
	var kr Keyring
	var openErr error
	if c.set.AdminPassword == "" || c.set.APIToken == "" {
		if kr, openErr = c.open(c.set); openErr == nil {
			if w, ok := kr.(interface{ Warning() string }); ok && w.Warning() != "" {
				fmt.Fprintf(c.stderr, "aisync: warning: %s\n", w.Warning())
			}
		}
	}
	var missing, failed []string
	for _, n := range needs {
		switch {
		case n.override != "":
			fmt.Fprintf(c.stdout, "ok       %s (%s, from %s)\n", n.key, n.what, n.env)
			continue
		case openErr != nil:
			fmt.Fprintf(c.stdout, "unknown  %s (%s): the secret store cannot be opened\n", n.key, n.what)
			failed = append(failed, n.key)
			continue
		}
		v, err := kr.Get(n.key)
		switch {
		case err == nil && v != "":
			fmt.Fprintf(c.stdout, "ok       %s (%s, in %s)\n", n.key, n.what, c.where(kr))
		case err == nil || errors.Is(err, ErrNotFound):
			fmt.Fprintf(c.stdout, "missing  %s (%s): %s\n", n.key, n.what, n.hint)
			missing = append(missing, n.key)
		default:
			fmt.Fprintf(c.stdout, "error    %s (%s): %v\n", n.key, n.what, err)
			failed = append(failed, n.key)
		}
	}
	if openErr != nil {
		fmt.Fprintf(c.stderr, "aisync secrets check: %v\n", openErr)
	}
	switch {
	case len(missing) > 0:
		fmt.Fprintf(c.stderr, "aisync secrets check: missing required secret(s): %s\n", strings.Join(missing, ", "))
		return exitFailed
	case len(failed) > 0:
		fmt.Fprintf(c.stderr, "aisync secrets check: could not check: %s\n", strings.Join(failed, ", "))
		return exitFailed
	}
	return exitOK
}
