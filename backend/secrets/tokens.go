package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"aisync/backend/settings"
)

// EnsureAPIToken returns the token for the local HTTP API: AISYNC_API_TOKEN when set,
// else the one stored under set.APITokenKey, else a new one (32 random bytes, base64url)
// that is stored there first; generated reports the last case, so the caller can tell the
// user where to find it.
func EnsureAPIToken(kr Store, set settings.Settings) (token string, generated bool, err error) {
	if set.APIToken != "" {
		return set.APIToken, false, nil
	}
	key := orDefault(set.APITokenKey, "api-token")
	tok, err := kr.Get(key)
	if err == nil && tok != "" {
		return tok, false, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", false, fmt.Errorf("read API token: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate API token: %w", err)
	}
	tok = base64.RawURLEncoding.EncodeToString(b)
	if err := kr.Set(key, tok); err != nil {
		return "", false, fmt.Errorf("store API token: %w", err)
	}
	return tok, true, nil
}

// AdminPassword returns the admin password: AISYNC_ADMIN_PASSWORD when set, else the one
// stored under set.AdminPasswordKey. None at all is ErrNotFound (password login is off).
func AdminPassword(kr Store, set settings.Settings) (string, error) {
	if set.AdminPassword != "" {
		return set.AdminPassword, nil
	}
	key := orDefault(set.AdminPasswordKey, "admin-password")
	pw, err := kr.Get(key)
	switch {
	case errors.Is(err, ErrNotFound) || err == nil && pw == "":
		return "", fmt.Errorf("admin password (%s): %w", key, ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("read admin password: %w", err)
	}
	return pw, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
