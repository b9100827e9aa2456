package engine

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"aisync/backend/unified"
)

// scanningSecrets is a Secrets with a Scan: the functions Scan returns turn every env value
// "secret-<x>" into the reference ${secret:<x>}, and it notes which configs were scanned
// and in which order their extract functions ran. Its Extract does nothing, so a decoded
// config that went through Extract instead would keep its values.
type scanningSecrets struct {
	mu      sync.Mutex
	scanned []string // the server names of each config scanned
	order   []string // the server names of each config extracted, in order
}

func (s *scanningSecrets) Extract(*unified.Config) error { return nil }

func (s *scanningSecrets) Resolve(*unified.Config) error { return nil }

func (s *scanningSecrets) Scan(cfg unified.Config) func(*unified.Config) error {
	names := strings.Join(cfg.ServerNames(), ",")
	s.mu.Lock()
	s.scanned = append(s.scanned, names)
	s.mu.Unlock()
	return func(c *unified.Config) error {
		s.mu.Lock()
		s.order = append(s.order, names)
		s.mu.Unlock()
		if got := strings.Join(c.ServerNames(), ","); got != names {
			panic("extract got " + got + ", not the config scanned: " + names)
		}
		for name, srv := range c.Servers {
			for k, v := range srv.Env {
				if x, ok := strings.CutPrefix(v, "secret-"); ok {
					srv.Env[k] = unified.SecretRef(x)
				}
			}
			c.Servers[name] = srv
		}
		return nil
	}
}

// TestSecretsAreScannedBesideTheDecodesAndStoredInOrder checks that a pass looks for an
// endpoint's secrets as it decodes it (the Secrets' Scan), takes them out in the endpoints'
// order, whatever order the decodes finished in, and propagates the references, not the
// values.
func TestSecretsAreScannedBesideTheDecodesAndStoredInOrder(t *testing.T) {
	h := newHarness(t, "merge", "a", "b", "c")
	sec := &scanningSecrets{}
	h.eng.secrets = sec
	h.write("a", `{"servers":{"from-a":{"command":"x","env":{"TOKEN":"secret-ta"}}}}`)
	h.write("b", `{"servers":{"from-b":{"command":"y"}}}`)
	h.write("c", `{"servers":{"from-c":{"command":"z","env":{"TOKEN":"secret-tc"}}}}`)
	if _, err := h.eng.SyncAll(context.Background(), TriggerManual, nil); err != nil {
		t.Fatal(err)
	}
	sec.mu.Lock()
	defer sec.mu.Unlock()
	if want := []string{"from-a", "from-b", "from-c"}; !slices.Equal(sec.order, want) {
		t.Errorf("secrets taken out in the order %v, want the endpoints' order %v", sec.order, want)
	}
	scanned := slices.Clone(sec.scanned)
	slices.Sort(scanned)
	if !slices.Equal(scanned, sec.order) {
		t.Errorf("scanned %v, extracted %v: each decoded config is scanned once", sec.scanned, sec.order)
	}
	for _, id := range []string{"a", "b", "c"} {
		srv := h.servers(id)
		if got := srv["from-a"].Env["TOKEN"]; got != unified.SecretRef("ta") {
			t.Errorf("%s holds from-a's TOKEN as %q, want the reference", id, got)
		}
		if got := srv["from-c"].Env["TOKEN"]; got != unified.SecretRef("tc") {
			t.Errorf("%s holds from-c's TOKEN as %q, want the reference", id, got)
		}
	}
}
