package reliability

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/httpapi"
	"aisync/backend/secrets"
	"aisync/backend/service"
	"aisync/backend/settings"
)

// apiRig is the real service and HTTP API in this process, listening on 127.0.0.1, over a
// temporary HOME with the given clients.
type apiRig struct {
	t    testing.TB
	home string
	svc  *service.Service
	srv  *httpapi.Server
	url  string
	set  settings.Settings
}

// newAPIRig starts the API; with watch the engine's live loop runs too.
func newAPIRig(t testing.TB, ids []string, watch bool, opt httpapi.Options) *apiRig {
	t.Helper()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	data := filepath.Join(root, "data")
	must(t, os.MkdirAll(home, 0o755))
	for _, id := range ids {
		for rel, content := range seeds[id] {
			writeFile(t, filepath.Join(home, rel), content)
		}
	}
	vars := map[string]string{
		"HOME": home, "AISYNC_DATA_DIR": data, "AISYNC_ENV_FILE": "", "AISYNC_RETRY_MAX": "2", "AISYNC_RETRY_BASE_MS": "5",
		"AISYNC_DEBOUNCE_MS": "20", "AISYNC_RESCAN_SECONDS": "0", "AISYNC_API_TOKEN": apiToken, "AISYNC_CLIENTS": strings.Join(ids, ","),
	}
	set, err := settings.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	must(t, err)
	env := clients.Env{GOOS: "linux", Home: home, XDGConfigHome: filepath.Join(home, ".config"), Vars: map[string]string{}}
	logger := slog.New(slog.DiscardHandler)
	svc, err := service.Open(context.Background(), set, logger, service.Options{Env: &env, Keyring: secrets.NewMemory(), Quiet: true})
	must(t, err)
	if opt.Logger == nil {
		opt.Logger = logger
	}
	srv := httpapi.New(svc, opt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	ran := make(chan error, 1)
	if watch {
		go func() { ran <- svc.Run(ctx) }()
	} else {
		ran <- nil
	}
	t.Cleanup(func() {
		cancel()
		for _, c := range []chan error{served, ran} {
			select {
			case <-c:
			case <-time.After(30 * time.Second):
				t.Errorf("API or engine did not stop within 30s")
			}
		}
		svc.Close()
	})
	return &apiRig{t: t, home: home, svc: svc, srv: srv, url: "http://" + ln.Addr().String(), set: set}
}

func (a *apiRig) do(method, path string, body []byte) (int, []byte) {
	a.t.Helper()
	return doRequest(a.t, http.DefaultClient, method, a.url+path, apiToken, body)
}
