// Package httpapi is aisync's local HTTP face: the /api/v1 route table (OpenAPI 3.1 through
// huma over the Go 1.22 ServeMux), the Server-Sent Events stream, /healthz, /metrics and the
// embedded web UI. Every handler only translates HTTP to a service call and back, so the API,
// the desktop window and the CLI behave alike.
//
// The API listens on 127.0.0.1, but any web page the user visits can reach 127.0.0.1 too, so
// every request passes a loopback Host check (DNS rebinding), an Origin check (cross-site
// requests), authentication (bearer token or session cookie) and, for cookie sessions, a CSRF
// token. No CORS header is ever sent.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"aisync/backend/service"
)

// Limits and defaults; Options may override the tunable ones.
const (
	maxJSONBody       = 1 << 20   // 1 MiB for every JSON request body
	maxRestoreBody    = 512 << 20 // 512 MiB for a backup archive
	defaultInFlight   = 64
	defaultStreams    = 32
	defaultHeartbeat  = 15 * time.Second
	shutdownGrace     = 10 * time.Second
	healthPingTimeout = 2 * time.Second
)

// Options tune the server. The zero value is the production configuration.
type Options struct {
	// Logger receives request logs (debug) and recovered panics (error).
	Logger *slog.Logger
	// MaxInFlight caps concurrent API requests; more get 429 (default 64).
	MaxInFlight int
	// MaxRestoreBytes caps the size of a restore archive (default 512 MiB).
	MaxRestoreBytes int64
	// MaxStreams caps concurrent SSE streams; more get 429 (default 32).
	MaxStreams int
	// Heartbeat is the SSE keep-alive interval (default 15 s).
	Heartbeat time.Duration
	// AllowedHosts are extra Host names accepted besides the loopback names (only for a
	// deliberately remote bind).
	AllowedHosts []string
	// Login throttling: after LoginFailures failed logins within LoginWindow, a client must
	// wait LoginBackoff, doubling with every further failure up to LoginMaxBackoff.
	LoginFailures   int
	LoginWindow     time.Duration
	LoginBackoff    time.Duration
	LoginMaxBackoff time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = defaultInFlight
	}
	if o.MaxRestoreBytes <= 0 {
		o.MaxRestoreBytes = maxRestoreBody
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = defaultStreams
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = defaultHeartbeat
	}
	if o.LoginFailures <= 0 {
		o.LoginFailures = 5
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = 15 * time.Minute
	}
	if o.LoginBackoff <= 0 {
		o.LoginBackoff = time.Second
	}
	if o.LoginMaxBackoff <= 0 {
		o.LoginMaxBackoff = 5 * time.Minute
	}
}

// Server is the HTTP API over one service.
type Server struct {
	svc      *service.Service
	opt      Options
	log      *slog.Logger
	api      huma.API
	handler  http.Handler
	sessions *sessions
	logins   *loginGuard
	inFlight chan struct{}
	streams  chan struct{}
	hosts    map[string]bool

	stopOnce sync.Once
	stop     chan struct{} // closed when Serve's context ends: SSE streams finish
}

// New builds the route table. Nothing listens until Serve.
func New(svc *service.Service, o Options) *Server {
	o.defaults()
	s := &Server{
		svc:      svc,
		opt:      o,
		log:      o.Logger,
		sessions: newSessions(),
		logins:   newLoginGuard(o.LoginFailures, o.LoginWindow, o.LoginBackoff, o.LoginMaxBackoff, time.Now),
		inFlight: make(chan struct{}, o.MaxInFlight),
		streams:  make(chan struct{}, o.MaxStreams),
		hosts:    allowedHosts(svc, o.AllowedHosts),
		stop:     make(chan struct{}),
	}
	mux := http.NewServeMux()
	s.api = humago.New(mux, apiConfig(svc.Version().Version))
	s.routes(mux)
	s.handler = s.middleware(mux)
	return s
}

// Handler is the complete handler, middleware included (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.handler }

// OpenAPI is the generated API description.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// Serve answers on ln until ctx ends, then shuts down gracefully: open event streams are told
// to finish, and in-flight requests get shutdownGrace to complete.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.closeStreams()
		return err
	case <-ctx.Done():
	}
	s.closeStreams()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = hs.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// schemaNamer names schemas like huma's default (the Go type name), except that a type whose
// name is already taken by a type of another package (service.SnapshotDiff and
// store.SnapshotDiff) is prefixed with its package name.
type schemaNamer struct {
	mu     sync.Mutex
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}

func (n *schemaNamer) name(t reflect.Type, hint string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byName == nil {
		n.byName, n.byType = map[string]reflect.Type{}, map[reflect.Type]string{}
	}
	if t.Name() != "" {
		if name, ok := n.byType[t]; ok {
			return name
		}
	}
	name := huma.DefaultSchemaNamer(t, hint)
	if other, taken := n.byName[name]; taken && other != t && t.Name() != "" {
		pkg := path.Base(t.PkgPath())
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	n.byName[name] = t
	if t.Name() != "" {
		n.byType[t] = name
	}
	return name
}

func (s *Server) closeStreams() { s.stopOnce.Do(func() { close(s.stop) }) }

// apiConfig is huma's configuration: OpenAPI 3.1 at /api/v1/openapi.json, docs at
// /api/v1/docs, strict query parameters, and no `$schema` links in the responses (the
// bodies are exactly the service's types).
func apiConfig(version string) huma.Config {
	cfg := huma.DefaultConfig("aisync API", version)
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", (&schemaNamer{}).name)
	cfg.Info.Description = "Local API of aisync: keep the MCP servers, rules and permissions of your AI clients in sync. " +
		"Every route except /healthz, the OpenAPI document and the docs page needs `Authorization: Bearer <token>` " +
		"(the API token from `aisync token`, or an access token from POST /api/v1/auth/token) or the session cookie " +
		"set by POST /api/v1/auth/token together with an X-CSRF-Token header on unsafe methods."
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = "/api/v1/docs"
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil
	cfg.RejectUnknownQueryParameters = true
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "The API token (aisync token) or an access token from POST /api/v1/auth/token."},
		"cookie": {Type: "apiKey", In: "cookie", Name: sessionCookie, Description: "Browser session from POST /api/v1/auth/token; unsafe methods also need the X-CSRF-Token header."},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
	return cfg
}
