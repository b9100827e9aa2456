package service

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"aisync/backend/engine"
	"aisync/backend/secrets"
	"aisync/backend/settings"
)

// ErrUnauthorized means a wrong password or token.
var ErrUnauthorized = errors.New("unauthorized")

// ErrNoAdminPassword means no admin password is configured, so password login is off.
var ErrNoAdminPassword = errors.New("no admin password is set: run 'aisync secrets set admin-password' or set AISYNC_ADMIN_PASSWORD")

// failedKeyring is used when the configured secret store cannot be opened: every call
// returns the reason, so the features that need secrets fail with a clear message.
type failedKeyring struct{ err error }

func (f failedKeyring) Get(string) (string, error) { return "", f.err }
func (f failedKeyring) Set(string, string) error   { return f.err }
func (f failedKeyring) Delete(string) error        { return f.err }
func (f failedKeyring) List() ([]string, error)    { return nil, f.err }
func (f failedKeyring) Backend() string            { return "unavailable" }

func newKeyring(set settings.Settings, log *slog.Logger) Keyring {
	kr, err := secrets.Open(set)
	if err != nil {
		log.Error("secret store unavailable", "err", err)
		return failedKeyring{err: err}
	}
	if w, ok := kr.(interface{ Warning() string }); ok && w.Warning() != "" {
		log.Warn(w.Warning())
	}
	return kr
}

func newConfigSecrets(_ settings.Settings, kr Keyring, log *slog.Logger) engine.Secrets {
	return secrets.NewConfigSecrets(kr, log)
}

// redact hides known secret values in text (logs, exports, diffs).
func (s *Service) redact(b []byte) []byte {
	if r, ok := s.eng.Secrets().(interface{ Redact([]byte) []byte }); ok {
		return r.Redact(b)
	}
	return b
}

// TokenInfo says where the API token came from.
type TokenInfo struct {
	Generated bool   `json:"generated"`
	Where     string `json:"where"`
}

// EnsureAPIToken makes sure an API token exists (generating and storing one on first start).
func (s *Service) EnsureAPIToken() (TokenInfo, error) {
	_, generated, err := secrets.EnsureAPIToken(s.keyring, s.set)
	if err != nil {
		return TokenInfo{}, err
	}
	where := "the OS keyring (" + s.set.SecretServiceName + "/" + s.set.APITokenKey + ")"
	if s.set.APIToken != "" {
		where = "AISYNC_API_TOKEN"
	} else if s.keyring.Backend() == "file" {
		where = s.set.SecretsFile()
	}
	return TokenInfo{Generated: generated, Where: where}, nil
}

// APIToken returns the API token (for `aisync token`).
func (s *Service) APIToken() (string, error) {
	tok, _, err := secrets.EnsureAPIToken(s.keyring, s.set)
	return tok, err
}

// AccessToken is a bearer token issued for the admin password.
type AccessToken struct {
	Token     string    `json:"access_token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
	ExpiresIn int64     `json:"expires_in"`
}

type sessions struct {
	mu     sync.Mutex
	tokens map[string]time.Time
}

var issued = &sessions{tokens: map[string]time.Time{}}

// Login exchanges the admin password (or the API token, which only the user can read with
// `aisync token`) for an access token with an expiry.
func (s *Service) Login(password string) (AccessToken, error) {
	want, err := secrets.AdminPassword(s.keyring, s.set)
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return AccessToken{}, err
	}
	api, _ := s.cachedAPIToken()
	okPassword := want != "" && subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
	okToken := api != "" && subtle.ConstantTimeCompare([]byte(password), []byte(api)) == 1
	if !okPassword && !okToken {
		if want == "" && api == "" {
			return AccessToken{}, ErrNoAdminPassword
		}
		return AccessToken{}, ErrUnauthorized
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return AccessToken{}, fmt.Errorf("issue token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	exp := time.Now().Add(s.set.TokenTTL).UTC()
	issued.mu.Lock()
	now := time.Now()
	for t, e := range issued.tokens {
		if now.After(e) {
			delete(issued.tokens, t)
		}
	}
	issued.tokens[tok] = exp
	issued.mu.Unlock()
	return AccessToken{Token: tok, TokenType: "Bearer", ExpiresAt: exp, ExpiresIn: int64(s.set.TokenTTL.Seconds())}, nil
}

// Authenticate reports whether tok is the API token or a live access token.
func (s *Service) Authenticate(tok string) bool {
	if tok == "" {
		return false
	}
	issued.mu.Lock()
	exp, ok := issued.tokens[tok]
	issued.mu.Unlock()
	if ok && time.Now().Before(exp) {
		return true
	}
	api, err := s.cachedAPIToken()
	return err == nil && subtle.ConstantTimeCompare([]byte(tok), []byte(api)) == 1
}

// cachedAPIToken avoids a keyring round trip (a D-Bus call) on every API request; a token
// changed with `aisync secrets set` is picked up within apiTokenTTL.
func (s *Service) cachedAPIToken() (string, error) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if s.tok != "" && time.Since(s.tokAt) < apiTokenTTL {
		return s.tok, nil
	}
	tok, _, err := secrets.EnsureAPIToken(s.keyring, s.set)
	if err != nil {
		return "", err
	}
	s.tok, s.tokAt = tok, time.Now()
	return tok, nil
}

const apiTokenTTL = 30 * time.Second

// Logout revokes an access token.
func (s *Service) Logout(tok string) {
	issued.mu.Lock()
	delete(issued.tokens, tok)
	issued.mu.Unlock()
}
