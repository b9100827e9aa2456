package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func source(m map[string]string) Source {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s, err := Load(source(map[string]string{"HOME": "/home/u", "AISYNC_ENV_FILE": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 8765 || s.Bind != "127.0.0.1" || s.ConflictPolicy != PolicyMerge || s.Debounce != 20*time.Millisecond {
		t.Fatalf("defaults: %+v", s)
	}
	if s.SecretServiceName != "aisync" || s.APITokenKey != "api-token" || s.AdminPasswordKey != "admin-password" {
		t.Fatalf("secret keys: %+v", s)
	}
}

func TestInvalidValuesNameKeyAndAllowedValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, key, value, want string
	}{
		{"port", "AISYNC_PORT", "http", "AISYNC_PORT=\"http\": want an integer from 0 to 65535"},
		{"policy", "AISYNC_CONFLICT_POLICY", "coinflip", "want one of priority, newest, merge, manual"},
		{"level", "AISYNC_LOG_LEVEL", "loud", "AISYNC_LOG_LEVEL=\"loud\": want one of debug, info, warn, error"},
		{"bool", "AISYNC_ALLOW_REMOTE_BIND", "maybe", "want true or false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(source(map[string]string{"HOME": "/h", "AISYNC_ENV_FILE": "", c.key: c.value}))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestDotEnvFillsWhatEnvironmentLacks(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(f, []byte("# comment\nexport AISYNC_PORT=9999\nAISYNC_LOG_LEVEL='debug'\nAISYNC_CONFLICT_POLICY=\"manual\" \nAISYNC_BIND=127.0.0.1 # trailing\n"), 0o600)
	s, err := Load(source(map[string]string{"HOME": "/h", "AISYNC_ENV_FILE": f, "AISYNC_LOG_LEVEL": "warn"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 9999 || s.LogLevel != "warn" || s.ConflictPolicy != PolicyManual || s.Bind != "127.0.0.1" {
		t.Fatalf("got %+v", s)
	}
}

func TestExplicitMissingEnvFileIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := Load(source(map[string]string{"HOME": "/h", "AISYNC_ENV_FILE": "/nonexistent/.env"})); err == nil {
		t.Fatal("missing explicit env file accepted")
	}
}

func TestDefaultDataDirPerOS(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		goos, want string
		vars       map[string]string
	}{
		{"linux", "/x/data/aisync", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/x/data"}},
		{"linux", "/home/u/.local/share/aisync", map[string]string{"HOME": "/home/u"}},
		{"darwin", "/Users/u/Library/Application Support/aisync", map[string]string{"HOME": "/Users/u"}},
		{"windows", `C:\Users\u\AppData\Local\aisync`, map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`}},
	}
	for _, c := range cases {
		if got := DefaultDataDir(c.goos, env(c.vars)); got != c.want {
			t.Errorf("%s %v: got %q want %q", c.goos, c.vars, got, c.want)
		}
	}
}

func TestDataDirOverride(t *testing.T) {
	t.Parallel()
	s, err := Load(source(map[string]string{"HOME": "/h", "AISYNC_ENV_FILE": "", "AISYNC_DATA_DIR": "/srv/aisync"}))
	if err != nil || s.DataDir != "/srv/aisync" || s.DBPath() != "/srv/aisync/aisync.db" {
		t.Fatalf("%v %+v", err, s)
	}
}
