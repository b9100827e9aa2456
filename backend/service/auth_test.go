package service

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/secrets"
	"aisync/backend/settings"
)

func TestLoginTakesPasswordOrAPIToken(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	set := settings.Settings{DataDir: t.TempDir(), ConflictPolicy: settings.PolicyMerge, TokenTTL: time.Hour,
		APITokenKey: "api-token", AdminPasswordKey: "admin-password", AdminPassword: "pw", APIToken: "the-api-token"}
	env := clients.Env{GOOS: runtime.GOOS, Home: home}
	svc, err := Open(context.Background(), set, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Env: &env, Keyring: secrets.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	for _, good := range []string{"pw", "the-api-token"} {
		tok, err := svc.Login(good)
		if err != nil || !svc.Authenticate(tok.Token) {
			t.Fatalf("login with %q: %v", good, err)
		}
	}
	if _, err := svc.Login("nope"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
}
