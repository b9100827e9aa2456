// Package secrets keeps aisync's credentials out of its database, logs and events: the
// admin password, the API token, and every API key or token found in a client's MCP server
// definitions. Values live in the OS keyring (Secret Service, macOS Keychain, Windows
// Credential Manager) or, when the user asks for it, in a 0600 file in the data dir; the
// unified model only ever holds ${secret:NAME} references to them.
package secrets

import (
	"errors"
	"fmt"
	"strings"

	"aisync/backend/settings"
)

// Backends a Keyring can report.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
	BackendMemory  = "memory"
)

// ErrNotFound means no secret is stored under the name.
var ErrNotFound = errors.New("secret not found")

// ErrNoSecretService means the OS keyring cannot be reached (typically headless Linux with
// no D-Bus session or no unlocked keyring). The wrapping error says how to fix it.
var ErrNoSecretService = errors.New("no Secret Service available")

// ErrInvalidName means a secret name that aisync cannot store or reference.
var ErrInvalidName = errors.New("invalid secret name")

// Store reads and writes one secret at a time. The helpers that only need single secrets
// (EnsureAPIToken, AdminPassword, NewConfigSecrets) ask for no more than this, so a
// caller's narrower keyring or a test fake fits them.
type Store interface {
	Get(key string) (string, error) // ErrNotFound when missing
	Set(key, value string) error
	Delete(key string) error // ErrNotFound when missing
}

// Keyring stores aisync's secrets.
type Keyring interface {
	Store
	// List returns the names stored through aisync, sorted. The OS keyrings cannot
	// enumerate, so backends that need it keep an index next to the secrets.
	List() ([]string, error)
	// Backend is "keyring" or "file" ("memory" for the in-process fake).
	Backend() string
}

// lister is the optional part of a Store that ConfigSecrets uses to learn every stored
// value (for reuse across servers and for redaction).
type lister interface {
	List() ([]string, error)
}

// reservedPrefix marks names aisync uses for its own bookkeeping (the keyring index).
const reservedPrefix = "__"

// maxNameLen keeps names well inside every keyring's limits.
const maxNameLen = 200

// ValidName reports whether name can be stored and referenced as ${secret:NAME}: it starts
// with a letter or underscore, holds only letters, digits, '_', '.', '-', and does not start
// with the reserved "__".
func ValidName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case len(name) > maxNameLen:
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidName, maxNameLen)
	case strings.HasPrefix(name, reservedPrefix):
		return fmt.Errorf("%w %q: names starting with %q are reserved", ErrInvalidName, name, reservedPrefix)
	}
	for i, r := range name {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' ||
			i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '-')
		if !ok {
			return fmt.Errorf("%w %q: use letters, digits, '_', '.' and '-', starting with a letter or '_'", ErrInvalidName, name)
		}
	}
	return nil
}

// Open opens the secret store the settings choose: the OS keyring (default) or the file
// fallback. The keyring is probed first, so a headless machine without a Secret Service
// gets ErrNoSecretService with the ways out, in milliseconds, instead of a hang later.
func Open(set settings.Settings) (Keyring, error) {
	return open(set, probeSecretService)
}

func open(set settings.Settings, probe func(service string) error) (Keyring, error) {
	switch strings.ToLower(set.SecretsBackend) {
	case "", BackendKeyring:
		service := set.SecretServiceName
		if service == "" {
			service = "aisync"
		}
		if err := probe(service); err != nil {
			return nil, noServiceError(set, err)
		}
		return &osKeyring{service: service}, nil
	case BackendFile:
		return openFile(set.SecretsFile())
	default:
		return nil, fmt.Errorf("open secret store: AISYNC_SECRETS_BACKEND=%q: want keyring or file", set.SecretsBackend)
	}
}

// noServiceError wraps ErrNoSecretService with the cause and the three ways out.
func noServiceError(set settings.Settings, cause error) error {
	if errors.Is(cause, ErrNoSecretService) {
		cause = errors.Unwrap(cause)
	}
	return fmt.Errorf("open OS keyring: %w: %v\n"+
		"aisync keeps its admin password, API token and the API keys found in client configs there. To fix it, either:\n"+
		"  - %s\n"+
		"  - set AISYNC_SECRETS_BACKEND=file to keep them in %s instead (mode 0600, NOT encrypted), or\n"+
		"  - pass AISYNC_ADMIN_PASSWORD and AISYNC_API_TOKEN in the environment (client configs whose API keys need storing then fail to sync)",
		ErrNoSecretService, cause, startKeyringHint, set.SecretsFile())
}
