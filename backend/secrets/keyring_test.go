package secrets

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"aisync/backend/settings"
)

// testService returns a keyring service name of its own for the test, and removes its
// entries afterwards. Without a Secret Service the test is skipped: run the package under
// the gnome-keyring recipe of docs/PLATFORM.md (scripts/test.sh does).
func testService(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	svc := "aisync-test-" + hex.EncodeToString(b)
	if err := probeSecretService(svc); err != nil {
		t.Skipf("no Secret Service (%v): run under dbus-run-session with an unlocked gnome-keyring (docs/PLATFORM.md)", err)
	}
	t.Cleanup(func() { _ = keyring.DeleteAll(svc) })
	return svc
}

func keyringSettings(t *testing.T) settings.Settings {
	return settings.Settings{
		SecretServiceName: testService(t), APITokenKey: "api-token", AdminPasswordKey: "admin-password",
		SecretsBackend: BackendKeyring, DataDir: t.TempDir(),
	}
}

func TestOSKeyringRoundTrip(t *testing.T) {
	t.Parallel()
	set := keyringSettings(t)
	kr, err := Open(set)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if kr.Backend() != BackendKeyring {
		t.Errorf("Backend = %q", kr.Backend())
	}
	if _, err := kr.Get("github.env.GITHUB_TOKEN"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a missing name = %v, want ErrNotFound", err)
	}
	values := map[string]string{
		"github.env.GITHUB_TOKEN": fakeGitHub,
		"admin-password":          "correct horse battery staple ✓\nsecond line",
		"api-token":               "first",
	}
	for k, v := range values {
		if err := kr.Set(k, v); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	if err := kr.Set("api-token", "second"); err != nil { // overwrite, not a second entry
		t.Fatal(err)
	}
	values["api-token"] = "second"
	for k, v := range values {
		if got, err := kr.Get(k); err != nil || got != v {
			t.Errorf("Get(%s) = %q, %v; want %q", k, got, err, v)
		}
	}
	names, err := kr.List()
	if err != nil || !slices.Equal(names, []string{"admin-password", "api-token", "github.env.GITHUB_TOKEN"}) {
		t.Errorf("List = %v, %v", names, err)
	}
	// The value really is in the Secret Service, where other tools can see it.
	if path, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command(path, "lookup", "service", set.SecretServiceName, "username", "github.env.GITHUB_TOKEN").Output()
		if err != nil || string(out) != fakeGitHub {
			t.Errorf("secret-tool lookup = %q, %v", out, err)
		}
	}
	if err := kr.Delete("api-token"); err != nil {
		t.Fatal(err)
	}
	if err := kr.Delete("api-token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
	if _, err := kr.Get("api-token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v", err)
	}
	if names, _ := kr.List(); !slices.Equal(names, []string{"admin-password", "github.env.GITHUB_TOKEN"}) {
		t.Errorf("List after Delete = %v", names)
	}
	for _, bad := range []string{indexKey, "a b", ""} {
		if err := kr.Set(bad, "x"); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Set(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
}

func TestOSKeyringIndexSpansEntries(t *testing.T) {
	t.Parallel()
	set := keyringSettings(t)
	kr, err := Open(set)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 20 {
		n := fmt.Sprintf("server-%02d.env.%s", i, strings.Repeat("A_LONG_NAME_", 8))
		want = append(want, n)
		if err := kr.Set(n, "v"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := kr.List()
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("List = %d names, %v; want %d", len(got), err, len(want))
	}
	if _, err := keyring.Get(set.SecretServiceName, indexKey+".1"); err != nil {
		t.Fatalf("a %d-name index should span two entries: %v", len(want), err)
	}
	for _, n := range want[5:] {
		if err := kr.Delete(n); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := kr.List(); !slices.Equal(got, want[:5]) {
		t.Errorf("List after deletes = %v", got)
	}
	if _, err := keyring.Get(set.SecretServiceName, indexKey+".1"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the second index entry should be gone once the index fits in one: %v", err)
	}
}

func TestOpenInjectedProbe(t *testing.T) {
	t.Parallel()
	set := settings.Settings{SecretServiceName: "aisync", SecretsBackend: "keyring", DataDir: "/data"}
	_, err := open(set, func(string) error { return errors.New("dial unix /nowhere: connect: no such file") })
	checkNoServiceError(t, err, set)
	if _, err := open(set, func(string) error { return nil }); err != nil {
		t.Errorf("open with a working probe: %v", err)
	}
	set.SecretsBackend = "vault"
	if _, err := open(set, nil); err == nil || !strings.Contains(err.Error(), "want keyring or file") {
		t.Errorf("unknown backend: %v", err)
	}
}

func checkNoServiceError(t *testing.T, err error, set settings.Settings) {
	t.Helper()
	if !errors.Is(err, ErrNoSecretService) {
		t.Fatalf("err = %v, want ErrNoSecretService", err)
	}
	checkNoServiceText(t, err.Error(), set)
}

// checkNoServiceText checks that the message says what is wrong and all three ways out.
func checkNoServiceText(t *testing.T, msg string, set settings.Settings) {
	t.Helper()
	for _, s := range []string{"no Secret Service available", "AISYNC_SECRETS_BACKEND=file", set.SecretsFile(),
		"0600", "AISYNC_ADMIN_PASSWORD", "AISYNC_API_TOKEN", startKeyringHint} {
		if !strings.Contains(msg, s) {
			t.Errorf("error does not say %q:\n%s", s, msg)
		}
	}
}

// TestHelperProcess is not a test: the tests below run the test binary again with a
// different environment (no D-Bus, a bus without a keyring, a terminal) and this function
// is what that process does.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("AISYNC_SECRETS_HELPER")
	if mode == "" {
		return
	}
	set := settings.Settings{
		SecretServiceName: os.Getenv("AISYNC_SECRET_SERVICE_NAME"), APITokenKey: "api-token",
		AdminPasswordKey: "admin-password", SecretsBackend: BackendKeyring, DataDir: os.Getenv("AISYNC_DATA_DIR"),
	}
	switch mode {
	case "open":
		start := time.Now()
		_, err := Open(set)
		fmt.Printf("took=%s\n%v", time.Since(start), err)
		os.Exit(0)
	case "cli":
		os.Exit(RunCLI(strings.Fields(os.Getenv("AISYNC_SECRETS_ARGS")), os.Stdin, os.Stdout, os.Stderr, set))
	case "cli-file":
		set.SecretsBackend = BackendFile
		os.Exit(RunCLI(strings.Fields(os.Getenv("AISYNC_SECRETS_ARGS")), os.Stdin, os.Stdout, os.Stderr, set))
	}
	os.Exit(3)
}

func helper(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AISYNC_SECRETS_HELPER="+mode, "AISYNC_DATA_DIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func TestOpenWithoutDBus(t *testing.T) {
	t.Parallel()
	cmd := helper(t, "open", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/aisync-test-bus", "AISYNC_SECRET_SERVICE_NAME=aisync")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	took, msg, _ := strings.Cut(string(out), "\n")
	set := settings.Settings{DataDir: envValue(cmd.Env, "AISYNC_DATA_DIR")}
	checkNoServiceText(t, msg, set)
	if !strings.Contains(msg, "no D-Bus session bus") {
		t.Errorf("message does not name the cause:\n%s", msg)
	}
	if d, _ := time.ParseDuration(strings.TrimPrefix(took, "took=")); d > time.Second {
		t.Errorf("detecting a missing bus took %s", d)
	}
	t.Logf("message:\n%s", msg)
}

func TestOpenBusWithoutKeyring(t *testing.T) {
	t.Parallel()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed")
	}
	// A private session bus that knows no services at all: nothing provides
	// org.freedesktop.secrets and nothing can be activated.
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	err = os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	bus := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, _ := bus.StdoutPipe()
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Process.Kill(); _ = bus.Wait() })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read bus address: %v", err)
	}
	cmd := helper(t, "open", "DBUS_SESSION_BUS_ADDRESS="+strings.TrimSpace(addr), "AISYNC_SECRET_SERVICE_NAME=aisync")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	took, msg, _ := strings.Cut(string(out), "\n")
	if !strings.Contains(msg, "no Secret Service available") || !strings.Contains(msg, "org.freedesktop.secrets") {
		t.Errorf("message:\n%s", msg)
	}
	if d, _ := time.ParseDuration(strings.TrimPrefix(took, "took=")); d > time.Second {
		t.Errorf("detecting a bus without a keyring took %s", d)
	}
}

func TestCLIWithoutDBus(t *testing.T) {
	t.Parallel()
	cmd := helper(t, "cli", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/aisync-test-bus",
		"AISYNC_SECRET_SERVICE_NAME=aisync", "AISYNC_SECRETS_ARGS=set admin-password")
	cmd.Stdin = strings.NewReader("pw\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailed {
		t.Fatalf("exit = %v, want %d", err, exitFailed)
	}
	for _, s := range []string{"no Secret Service available", "AISYNC_SECRETS_BACKEND=file", "gnome-keyring-daemon --unlock"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr does not say %q:\n%s", s, stderr.String())
		}
	}
}

func envValue(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}
