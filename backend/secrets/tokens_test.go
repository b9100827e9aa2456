package secrets

import (
	"encoding/base64"
	"errors"
	"testing"

	"aisync/backend/settings"
)

func TestEnsureAPIToken(t *testing.T) {
	t.Parallel()
	set := settings.Settings{APITokenKey: "api-token"}
	kr := NewMemory()
	tok, generated, err := EnsureAPIToken(kr, set)
	if err != nil || !generated {
		t.Fatalf("first call = %q, %v, %v; want a generated token", tok, generated, err)
	}
	if b, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(b) != 32 {
		t.Errorf("token %q is not 32 random bytes in base64url: %v", tok, err)
	}
	again, generated, err := EnsureAPIToken(kr, set)
	if err != nil || generated || again != tok {
		t.Errorf("second call = %q, %v, %v; want the stored token", again, generated, err)
	}
	if stored, _ := kr.Get("api-token"); stored != tok {
		t.Errorf("stored %q", stored)
	}

	set.APIToken = "from-env"
	cs := &countingStore{Memory: NewMemory()}
	if tok, generated, err := EnsureAPIToken(cs, set); tok != "from-env" || generated || err != nil {
		t.Errorf("override: %q, %v, %v", tok, generated, err)
	}
	if cs.calls() != 0 {
		t.Error("the AISYNC_API_TOKEN override must not touch the store")
	}

	if _, _, err := EnsureAPIToken(failingStore{NewMemory()}, settings.Settings{APITokenKey: "api-token"}); err == nil {
		t.Error("a store that cannot save the new token must be an error")
	}
}

func TestAdminPassword(t *testing.T) {
	t.Parallel()
	kr := NewMemory()
	set := settings.Settings{AdminPasswordKey: "admin-password"}
	if _, err := AdminPassword(kr, set); !errors.Is(err, ErrNotFound) {
		t.Errorf("no password = %v, want ErrNotFound", err)
	}
	_ = kr.Set("admin-password", "s3cret")
	if pw, err := AdminPassword(kr, set); pw != "s3cret" || err != nil {
		t.Errorf("stored = %q, %v", pw, err)
	}
	set.AdminPassword = "from-env"
	if pw, err := AdminPassword(kr, set); pw != "from-env" || err != nil {
		t.Errorf("override = %q, %v", pw, err)
	}
}

func TestTokensWithOSKeyring(t *testing.T) {
	t.Parallel()
	set := keyringSettings(t)
	kr, err := Open(set)
	if err != nil {
		t.Fatal(err)
	}
	tok, generated, err := EnsureAPIToken(kr, set)
	if err != nil || !generated {
		t.Fatalf("EnsureAPIToken = %q, %v, %v", tok, generated, err)
	}
	kr2, _ := Open(set) // another process would see the same token
	if again, generated, _ := EnsureAPIToken(kr2, set); again != tok || generated {
		t.Errorf("second open: %q, %v", again, generated)
	}
	if _, err := AdminPassword(kr, set); !errors.Is(err, ErrNotFound) {
		t.Errorf("AdminPassword = %v, want ErrNotFound", err)
	}
}
