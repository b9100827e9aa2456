// Package settings loads aisync's typed Settings from the environment and an optional .env
// file. Every key is documented in .env.example; an invalid value stops start-up with a
// message that names the key and the values it accepts.
package settings

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Conflict policies, per scope and overridable per client.
const (
	PolicyPriority = "priority" // the client with the higher priority wins
	PolicyNewest   = "newest"   // the change with the newest file time wins
	PolicyMerge    = "merge"    // three-way merge; overlapping edits fall back to manual
	PolicyManual   = "manual"   // the user chooses in the UI or a native dialog
)

// Policies lists the valid conflict policies.
var Policies = []string{PolicyPriority, PolicyNewest, PolicyMerge, PolicyManual}

// Settings is the whole configuration of one aisync process.
type Settings struct {
	Port            int           // AISYNC_PORT
	Bind            string        // AISYNC_BIND
	AllowRemoteBind bool          // AISYNC_ALLOW_REMOTE_BIND
	DataDir         string        // AISYNC_DATA_DIR
	LogLevel        string        // AISYNC_LOG_LEVEL
	LogFormat       string        // AISYNC_LOG_FORMAT: text (stderr) or json (rotating file)
	Debounce        time.Duration // AISYNC_DEBOUNCE_MS
	Rescan          time.Duration // AISYNC_RESCAN_SECONDS
	ConflictPolicy  string        // AISYNC_CONFLICT_POLICY
	RetryMax        int           // AISYNC_RETRY_MAX
	RetryBase       time.Duration // AISYNC_RETRY_BASE_MS
	BackupKeep      int           // AISYNC_BACKUP_KEEP
	Projects        []string      // AISYNC_PROJECTS (os.PathListSeparator-separated)
	Clients         []string      // AISYNC_CLIENTS: only these client ids (empty = all detected)

	SecretServiceName string // AISYNC_SECRET_SERVICE_NAME
	APITokenKey       string // AISYNC_API_TOKEN_KEY
	AdminPasswordKey  string // AISYNC_ADMIN_PASSWORD_KEY
	SecretsBackend    string // AISYNC_SECRETS_BACKEND: keyring or file
	AdminPassword     string // AISYNC_ADMIN_PASSWORD (headless override of the keyring)
	APIToken          string // AISYNC_API_TOKEN (headless override of the keyring)
	TokenTTL          time.Duration

	OTLPEndpoint string // OTEL_EXPORTER_OTLP_ENDPOINT
}

// Source supplies raw values; os.LookupEnv in production.
type Source func(key string) (string, bool)

// Load reads settings from the environment, falling back to the .env file named by
// AISYNC_ENV_FILE (default ".env" in the working directory) for keys the environment lacks.
func Load(env Source) (Settings, error) {
	dotenv := map[string]string{}
	name, explicit := env("AISYNC_ENV_FILE")
	if !explicit {
		name = ".env"
	}
	if name != "" {
		m, err := ReadDotEnv(name)
		if err != nil && (explicit || !errors.Is(err, fs.ErrNotExist)) {
			return Settings{}, err
		}
		dotenv = m
	}
	get := func(k string) (string, bool) {
		if v, ok := env(k); ok {
			return v, true
		}
		v, ok := dotenv[k]
		return v, ok
	}
	return parse(get, env)
}

type errs []string

func (e *errs) add(format string, a ...any) { *e = append(*e, fmt.Sprintf(format, a...)) }

func parse(get Source, rawEnv Source) (Settings, error) {
	var problems errs
	str := func(k, def string) string {
		if v, ok := get(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	integer := func(k string, def, lo, hi int) int {
		v, ok := get(k)
		if !ok || strings.TrimSpace(v) == "" {
			return def
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			problems.add("%s=%q: want an integer from %d to %d", k, v, lo, hi)
			return def
		}
		return n
	}
	boolean := func(k string, def bool) bool {
		v, ok := get(k)
		if !ok || strings.TrimSpace(v) == "" {
			return def
		}
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			problems.add("%s=%q: want true or false", k, v)
			return def
		}
		return b
	}
	oneOf := func(k, def string, allowed ...string) string {
		v := strings.ToLower(str(k, def))
		for _, a := range allowed {
			if v == a {
				return v
			}
		}
		problems.add("%s=%q: want one of %s", k, v, strings.Join(allowed, ", "))
		return def
	}
	list := func(k string, sep string) []string {
		v := str(k, "")
		if v == "" {
			return nil
		}
		var out []string
		for _, p := range strings.Split(v, sep) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}

	s := Settings{
		Port:              integer("AISYNC_PORT", 8765, 0, 65535),
		Bind:              str("AISYNC_BIND", "127.0.0.1"),
		AllowRemoteBind:   boolean("AISYNC_ALLOW_REMOTE_BIND", false),
		LogLevel:          oneOf("AISYNC_LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		LogFormat:         oneOf("AISYNC_LOG_FORMAT", "auto", "auto", "text", "json"),
		Debounce:          time.Duration(integer("AISYNC_DEBOUNCE_MS", 20, 0, 60000)) * time.Millisecond,
		Rescan:            time.Duration(integer("AISYNC_RESCAN_SECONDS", 300, 0, 86400)) * time.Second,
		ConflictPolicy:    oneOf("AISYNC_CONFLICT_POLICY", PolicyMerge, Policies...),
		RetryMax:          integer("AISYNC_RETRY_MAX", 5, 0, 20),
		RetryBase:         time.Duration(integer("AISYNC_RETRY_BASE_MS", 100, 1, 60000)) * time.Millisecond,
		BackupKeep:        integer("AISYNC_BACKUP_KEEP", 20, 1, 1000),
		Projects:          list("AISYNC_PROJECTS", string(os.PathListSeparator)),
		Clients:           list("AISYNC_CLIENTS", ","),
		SecretServiceName: str("AISYNC_SECRET_SERVICE_NAME", "aisync"),
		APITokenKey:       str("AISYNC_API_TOKEN_KEY", "api-token"),
		AdminPasswordKey:  str("AISYNC_ADMIN_PASSWORD_KEY", "admin-password"),
		SecretsBackend:    oneOf("AISYNC_SECRETS_BACKEND", "keyring", "keyring", "file"),
		AdminPassword:     str("AISYNC_ADMIN_PASSWORD", ""),
		APIToken:          str("AISYNC_API_TOKEN", ""),
		TokenTTL:          time.Duration(integer("AISYNC_TOKEN_TTL_MINUTES", 720, 1, 525600)) * time.Minute,
		OTLPEndpoint:      str("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
	}
	s.DataDir = str("AISYNC_DATA_DIR", "")
	if s.DataDir == "" {
		s.DataDir = DefaultDataDir(runtime.GOOS, func(k string) string { v, _ := rawEnv(k); return v })
	}
	if s.DataDir == "" {
		problems.add("AISYNC_DATA_DIR: not set and no home directory to derive it from (set HOME or AISYNC_DATA_DIR)")
	} else if abs, err := filepath.Abs(s.DataDir); err == nil {
		s.DataDir = abs
	}
	if len(problems) > 0 {
		return s, fmt.Errorf("invalid settings:\n  %s", strings.Join(problems, "\n  "))
	}
	return s, nil
}

// DefaultDataDir is the OS's per-user data directory for aisync:
// $XDG_DATA_HOME/aisync (or ~/.local/share/aisync) on Linux,
// ~/Library/Application Support/aisync on macOS, %LOCALAPPDATA%\aisync on Windows.
func DefaultDataDir(goos string, getenv func(string) string) string {
	home := getenv("HOME")
	switch goos {
	case "windows":
		if v := getenv("LOCALAPPDATA"); v != "" {
			return v + `\aisync`
		}
		if p := getenv("USERPROFILE"); p != "" {
			return p + `\AppData\Local\aisync`
		}
		return ""
	case "darwin":
		if home == "" {
			return ""
		}
		return filepath.Join(home, "Library", "Application Support", "aisync")
	default:
		if v := getenv("XDG_DATA_HOME"); v != "" {
			return filepath.Join(v, "aisync")
		}
		if home == "" {
			return ""
		}
		return filepath.Join(home, ".local", "share", "aisync")
	}
}

// ReadDotEnv parses a .env file: KEY=VALUE lines, # comments, optional "export ",
// single or double quotes around values.
func ReadDotEnv(name string) (map[string]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("read env file %s:%d: want KEY=VALUE", name, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			if v[0] == '"' {
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				} else {
					v = v[1 : len(v)-1]
				}
			} else {
				v = v[1 : len(v)-1]
			}
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	return out, sc.Err()
}

// Paths under the data dir.
func (s Settings) DBPath() string      { return filepath.Join(s.DataDir, "aisync.db") }
func (s Settings) BackupDir() string   { return filepath.Join(s.DataDir, "backups") }
func (s Settings) ExportDir() string   { return filepath.Join(s.DataDir, "exports") }
func (s Settings) LogDir() string      { return filepath.Join(s.DataDir, "logs") }
func (s Settings) SecretsFile() string { return filepath.Join(s.DataDir, "secrets.json") }
