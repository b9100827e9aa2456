package secrets

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"aisync/backend/settings"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, set settings.Settings, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errOut strings.Builder
	code := RunCLI(args, strings.NewReader(stdin), &out, &errOut, set)
	return cliResult{code, out.String(), errOut.String()}
}

func (r cliResult) want(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q;\nwant exit %d, stdout containing %q, stderr containing %q",
			r.code, r.stdout, r.stderr, code, stdout, stderr)
	}
}

// backends runs a test against the OS keyring and the file fallback.
func backends(t *testing.T, test func(t *testing.T, set settings.Settings)) {
	t.Run("keyring", func(t *testing.T) {
		t.Parallel()
		test(t, keyringSettings(t))
	})
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		test(t, fileSettings(t))
	})
}

func TestCLIRoundTrip(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, set settings.Settings) {
		runCLI(t, set, fakeGitHub+"\n", "set", "github").want(t, 0, "stored github (40 chars) in", "")
		runCLI(t, set, "", "get", "github").want(t, 0, "gh••••aE (40 chars)\n", "")
		if r := runCLI(t, set, "", "get", "github"); strings.Contains(r.stdout, fakeGitHub) {
			t.Errorf("get without --reveal printed the value")
		}
		runCLI(t, set, "", "get", "github", "--reveal").want(t, 0, fakeGitHub+"\n", "")
		runCLI(t, set, "", "get", "--reveal", "github").want(t, 0, fakeGitHub+"\n", "")
		// Only one trailing newline is dropped; a CRLF too; inner newlines stay.
		runCLI(t, set, "line one\nline two\r\n", "set", "multi").want(t, 0, "stored multi", "")
		runCLI(t, set, "", "get", "multi", "--reveal").want(t, 0, "line one\nline two\n", "")
		runCLI(t, set, "short", "set", "admin-password").want(t, 0, "stored admin-password (5 chars)", "")
		runCLI(t, set, "", "get", "admin-password").want(t, 0, "•••• (5 chars)", "")

		r := runCLI(t, set, "", "list")
		r.want(t, 0, "admin-password  (required)\ngithub\nmulti\n", "")
		if strings.Contains(r.stdout, "__index__") {
			t.Errorf("list shows the index: %q", r.stdout)
		}

		runCLI(t, set, "", "delete", "multi").want(t, 0, "deleted multi", "")
		runCLI(t, set, "", "delete", "multi").want(t, 1, "", "multi is not set")
		runCLI(t, set, "", "get", "multi").want(t, 1, "", "multi is not set")
		runCLI(t, set, "", "list").want(t, 0, "admin-password  (required)\ngithub\n", "")
		if set.SecretsBackend == BackendFile {
			runCLI(t, set, "", "list").want(t, 0, "", "UNENCRYPTED")
		}
	})
}

func TestCLISetRefusesValueArgument(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	for _, args := range [][]string{
		{"set", "github", fakeGitHub},
		{"set", "github=" + fakeGitHub},
		{"set", "github", "--", fakeGitHub},
	} {
		r := runCLI(t, set, "from-stdin", args...)
		r.want(t, 2, "", "refusing to take a secret value from the command line")
		if strings.Contains(r.stderr, fakeGitHub) || strings.Contains(r.stdout, fakeGitHub) {
			t.Errorf("%v: the refused value is echoed back", args)
		}
	}
	if _, err := os.Stat(set.SecretsFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused set stored something: %v", err)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "Usage: aisync secrets"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"--reveal"}, 2, `unknown flag "--reveal"`},
		{[]string{"get", "x", "--bogus"}, 2, `unknown flag "--bogus"`},
		{[]string{"set", "x", "--reveal"}, 2, `unknown flag "--reveal"`},
		{[]string{"set"}, 2, "missing <alias>"},
		{[]string{"get"}, 2, "missing <alias>"},
		{[]string{"delete", "a", "b"}, 2, "want one <alias>"},
		{[]string{"get", "bad name"}, 2, "invalid secret name"},
		{[]string{"set", "__index__"}, 2, "reserved"},
		{[]string{"list", "extra"}, 2, "takes no arguments"},
		{[]string{"check", "extra"}, 2, "takes no arguments"},
	}
	for _, tt := range tests {
		r := runCLI(t, set, "v", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tt.args, r.code, r.stderr, tt.code, tt.stderr)
		}
	}
	runCLI(t, set, "", "help").want(t, 0, "Usage: aisync secrets", "")
	runCLI(t, set, "", "get", "--help").want(t, 0, "set <alias>", "")
	runCLI(t, set, "", "set", "empty").want(t, 1, "", "empty value")
	runCLI(t, set, "\n", "set", "empty").want(t, 1, "", "empty value")
	runCLI(t, set, "\xff\xfe", "set", "binary").want(t, 1, "", "not valid UTF-8")
	runCLI(t, set, strings.Repeat("x", maxValueLen+1), "set", "huge").want(t, 1, "", "longer than")
}

func TestCLICheck(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, set settings.Settings) {
		r := runCLI(t, set, "", "check")
		r.want(t, 1, "missing  admin-password (admin password): run 'aisync secrets set admin-password' or set AISYNC_ADMIN_PASSWORD", "admin-password, api-token")
		r.want(t, 1, "missing  api-token (API token)", "missing required secret(s)")

		runCLI(t, set, "pw-123456", "set", "admin-password").want(t, 0, "stored", "")
		r = runCLI(t, set, "", "check")
		r.want(t, 1, "ok       admin-password (admin password, in ", "missing required secret(s): api-token\n")

		withEnv := set
		withEnv.APIToken = "from-env"
		runCLI(t, withEnv, "", "check").want(t, 0, "ok       api-token (API token, from AISYNC_API_TOKEN)", "")

		runCLI(t, set, "tok-abcdef", "set", "api-token").want(t, 0, "stored", "")
		r = runCLI(t, set, "", "check")
		r.want(t, 0, "ok       admin-password", "")
		r.want(t, 0, "ok       api-token", "")
		runCLI(t, set, "", "list").want(t, 0, "admin-password  (required)\napi-token  (required)\n", "")
	})
}

func TestCLICheckWithoutStore(t *testing.T) {
	t.Parallel()
	set := fileSettings(t)
	c := &cli{stdin: strings.NewReader(""), set: set,
		open: func(settings.Settings) (Keyring, error) { return nil, noServiceError(set, errors.New("no bus")) }}
	var out, errOut strings.Builder
	c.stdout, c.stderr = &out, &errOut
	if code := c.run([]string{"check"}); code != 1 || !strings.Contains(errOut.String(), "no Secret Service available") {
		t.Errorf("no store, no overrides: exit %d, stderr %q", code, errOut.String())
	}
	set.AdminPassword, set.APIToken = "a", "b"
	c.set = set
	out.Reset()
	if code := c.run([]string{"check"}); code != 0 || !strings.Contains(out.String(), "from AISYNC_ADMIN_PASSWORD") {
		t.Errorf("overrides only: exit %d, stdout %q", code, out.String())
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                 "•••• (0 chars)",
		"hunter2":          "•••• (7 chars)",
		"abcdefghijkl":     "ab••••kl (12 chars)",
		"ключ-ключ-ключ-1": "кл••••-1 (16 chars)",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCLIPromptsWithoutEcho runs `aisync secrets set` on a real terminal (script(1) gives
// it a pty): the value is asked for twice, never echoed, and stored.
func TestCLIPromptsWithoutEcho(t *testing.T) {
	t.Parallel()
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed")
	}
	set := fileSettings(t)
	self := os.Args[0]
	cmd := exec.Command(scriptBin, "-q", "-e", "-c", self+" -test.run=^TestHelperProcess$ -test.count=1", "/dev/null")
	cmd.Env = append(os.Environ(), "AISYNC_SECRETS_HELPER=cli-file", "AISYNC_DATA_DIR="+set.DataDir,
		"AISYNC_SECRETS_ARGS=set typed")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	waitFor := func(s string) {
		t.Helper()
		buf := make([]byte, 256)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(seen.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q on the terminal; got %q", s, seen.String())
			}
			n, err := stdout.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				break
			}
		}
	}
	// The prompt appears only once echo is off, so typing right after it is safe.
	waitFor("Value for typed (not shown): ")
	io.WriteString(stdin, "typed-secret-42\n")
	waitFor("Again, to confirm: ")
	io.WriteString(stdin, "typed-secret-42\n")
	rest, _ := io.ReadAll(stdout)
	seen.Write(rest)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; terminal: %q", err, seen.String())
	}
	if strings.Contains(seen.String(), "typed-secret-42") {
		t.Errorf("the value was echoed: %q", seen.String())
	}
	if !strings.Contains(seen.String(), "stored typed (15 chars)") {
		t.Errorf("terminal: %q", seen.String())
	}
	kr, _ := Open(set)
	if v, err := kr.Get("typed"); v != "typed-secret-42" || err != nil {
		t.Errorf("stored %q, %v", v, err)
	}
}
