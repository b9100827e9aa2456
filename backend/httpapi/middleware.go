package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aisync/backend/service"
)

// Content-Security-Policy values. The UI is a Vite build: scripts and styles come from the
// same origin only (Svelte sets some inline style attributes). API responses are data and
// may not be rendered as documents at all.
const (
	cspUI  = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cspAPI = "default-src 'none'; frame-ancestors 'none'"
)

// middleware wraps the route table, outermost first: request log, panic recovery, security
// headers, Host check, Origin check, concurrency limit, authentication and CSRF.
func (s *Server) middleware(next http.Handler) http.Handler {
	h := s.authenticate(next)
	h = s.limit(h)
	h = s.checkOrigin(h)
	h = s.checkHost(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	return s.logRequests(h)
}

// recorder remembers the status and size of a response for the request log and for panic
// recovery. It passes Flush through (SSE) and unwraps for http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if !s.log.Enabled(r.Context(), slog.LevelDebug) {
				return
			}
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "http request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverPanics turns a panic into a 500 problem (when nothing was sent yet) and logs the
// stack; http.ErrAbortHandler keeps its meaning.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("http handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				panic(http.ErrAbortHandler) // the response is half written: drop the connection
			}
			writeProblem(w, http.StatusInternalServerError, "internal error; the details are in the aisync log")
		}()
		next.ServeHTTP(w, r)
	})
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") || path == "/metrics" }

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if isAPI(r.URL.Path) || r.URL.Path == "/healthz" {
			h.Set("Cache-Control", "no-store")
			h.Set("Content-Security-Policy", cspAPI)
		} else {
			h.Set("Content-Security-Policy", cspUI)
		}
		next.ServeHTTP(w, r)
	})
}

var loopbackHosts = map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}

func allowedHosts(svc *service.Service, extra []string) map[string]bool {
	m := map[string]bool{}
	for h := range loopbackHosts {
		m[h] = true
	}
	for _, h := range extra {
		m[normalizeHost(h)] = true
	}
	if set := svc.Settings(); set.AllowRemoteBind && set.Bind != "" {
		m[normalizeHost(set.Bind)] = true // the user deliberately serves on another address
	}
	return m
}

// normalizeHost drops the port and the IPv6 brackets and lowercases.
func normalizeHost(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
}

// checkHost is the DNS rebinding defence: a page on evil.example whose name was rebound to
// 127.0.0.1 still sends "Host: evil.example", which is refused.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts[normalizeHost(r.Host)] {
			writeProblem(w, http.StatusForbidden, "host "+quoteHost(r.Host)+" is not allowed: use http://127.0.0.1 or http://localhost")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100]
	}
	return fmt.Sprintf("%q", h)
}

// wailsOrigin reports whether origin is the desktop window's.
func wailsOrigin(u *url.URL) bool {
	switch u.Scheme {
	case "wails":
		return u.Hostname() == "wails" || u.Hostname() == "wails.localhost"
	case "http", "https":
		return u.Hostname() == "wails.localhost"
	}
	return false
}

// checkOrigin refuses cross-origin browser requests. A browser names the page that made a
// request in Origin (always for unsafe methods and CORS); it must be this server itself or
// the desktop window. Without Origin, Fetch Metadata tells a cross-site subresource load
// (an <img> or <script> pointed at the API) from a navigation or a same-origin fetch.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			u, err := url.Parse(origin)
			same := err == nil && u.Scheme == "http" && strings.EqualFold(u.Host, r.Host) && u.Path == ""
			if !same && (err != nil || !wailsOrigin(u)) {
				writeProblem(w, http.StatusForbidden, "cross-origin request from "+quoteHost(origin)+" refused")
				return
			}
		} else if isAPI(r.URL.Path) {
			switch r.Header.Get("Sec-Fetch-Site") {
			case "cross-site", "same-site":
				writeProblem(w, http.StatusForbidden, "cross-site request refused")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limit keeps the API responsive under load: at most MaxInFlight requests run at once and
// the rest are told to come back. Event streams are long-lived and have their own cap;
// /healthz is never refused.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == eventsPath {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.inFlight <- struct{}{}:
			defer func() { <-s.inFlight }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusTooManyRequests, "too many requests in flight; retry shortly")
		}
	})
}

// reqInfo is what the middleware learned about the caller.
type reqInfo struct {
	remote    string // client IP
	token     string // the bearer or session token that authenticated the request
	viaCookie bool
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(infoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// public reports routes that need no authentication: the health check, login, the API
// description and the static UI (which itself holds no data).
func public(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/healthz":
		return true
	case p == loginPath && r.Method == http.MethodPost:
		return true
	case strings.HasPrefix(p, "/api/v1/openapi") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return true
	case p == "/api/v1/docs" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return true
	}
	return !isAPI(p)
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// authenticate accepts the API token or an access token as a bearer token, or the session
// cookie; cookie-authenticated unsafe requests must also echo the session's CSRF token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &reqInfo{remote: normalizeHost(r.RemoteAddr)}
		pub := public(r)
		deny := func(msg string) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aisync"`)
			writeProblem(w, http.StatusUnauthorized, msg)
		}
		if tok, present := bearerToken(r); present {
			if s.svc.Authenticate(tok) {
				info.token = tok
			} else if !pub {
				deny("invalid or expired token")
				return
			}
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if s.svc.Authenticate(c.Value) {
				info.token, info.viaCookie = c.Value, true
			} else if !pub {
				deny("the session has expired; log in again")
				return
			}
			if info.viaCookie && !pub && unsafeMethod(r.Method) {
				want := s.sessions.csrf(c.Value)
				got := r.Header.Get(csrfHeader)
				if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
					writeProblem(w, http.StatusForbidden, "missing or wrong "+csrfHeader+" header for a cookie session")
					return
				}
			}
		} else if !pub {
			deny("authentication required: send Authorization: Bearer <token> (see 'aisync token')")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// writeProblem writes an RFC 9457 problem for the middleware (huma writes the handlers' own).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail})
}

var errTooLarge = errors.New("request body too large")
