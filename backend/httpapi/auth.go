package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aisync/backend/service"
)

const (
	loginPath     = "/api/v1/auth/token"
	sessionCookie = "aisync_session"
	// csrfCookie repeats the session's CSRF token where the web UI's script can read it
	// after a reload; the server still compares against its own copy.
	csrfCookie = "aisync_csrf"
	csrfHeader = "X-CSRF-Token"
)

// sessions maps browser session tokens to their CSRF tokens. The session token itself is
// an access token issued (and checked) by the service.
type sessions struct {
	mu sync.Mutex
	m  map[string]csrfEntry
}

type csrfEntry struct {
	token   string
	expires time.Time
}

func newSessions() *sessions { return &sessions{m: map[string]csrfEntry{}} }

func (s *sessions) add(session, csrf string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for k, e := range s.m {
		if now.After(e.expires) {
			delete(s.m, k)
		}
	}
	s.m[session] = csrfEntry{token: csrf, expires: expires}
}

func (s *sessions) csrf(session string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[session]
	if !ok || time.Now().After(e.expires) {
		return ""
	}
	return e.token
}

func (s *sessions) remove(session string) {
	s.mu.Lock()
	delete(s.m, session)
	s.mu.Unlock()
}

// loginGuard slows down password guessing: after max failures from one client within
// window, that client is refused (429 with Retry-After) for a delay that doubles with
// every further failure, up to maxDelay. A success clears the client's record.
type loginGuard struct {
	mu       sync.Mutex
	m        map[string]*failures
	max      int
	window   time.Duration
	base     time.Duration
	maxDelay time.Duration
	now      func() time.Time
}

type failures struct {
	count int
	first time.Time
	until time.Time
}

func newLoginGuard(max int, window, base, maxDelay time.Duration, now func() time.Time) *loginGuard {
	return &loginGuard{m: map[string]*failures{}, max: max, window: window, base: base, maxDelay: maxDelay, now: now}
}

// wait reports how long client must still wait before trying again (0: go ahead).
func (g *loginGuard) wait(client string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.m[client]
	if !ok {
		return 0
	}
	now := g.now()
	if now.Sub(f.first) > g.window && !now.Before(f.until) {
		delete(g.m, client)
		return 0
	}
	if now.Before(f.until) {
		return f.until.Sub(now)
	}
	return 0
}

// fail records a failed attempt and returns the delay it imposes (0 below the threshold).
func (g *loginGuard) fail(client string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if len(g.m) > 4096 { // keep the table small whatever the traffic
		for k, f := range g.m {
			if now.Sub(f.first) > g.window && !now.Before(f.until) {
				delete(g.m, k)
			}
		}
	}
	f, ok := g.m[client]
	if !ok || (now.Sub(f.first) > g.window && !now.Before(f.until)) {
		f = &failures{first: now}
		g.m[client] = f
	}
	f.count++
	if f.count < g.max {
		return 0
	}
	shift := min(f.count-g.max, 30)
	d := time.Duration(math.Min(float64(g.base)*math.Pow(2, float64(shift)), float64(g.maxDelay)))
	f.until = now.Add(d)
	return d
}

func (g *loginGuard) succeed(client string) {
	g.mu.Lock()
	delete(g.m, client)
	g.mu.Unlock()
}

func retryAfter(d time.Duration) http.Header {
	secs := int64(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

type loginInput struct {
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"4096" doc:"The admin password (aisync secrets set admin-password, or AISYNC_ADMIN_PASSWORD)."`
	}
}

// TokenResponse is an issued access token; csrf_token goes with the session cookie.
type TokenResponse struct {
	service.AccessToken
	CSRFToken string `json:"csrf_token" doc:"Send as X-CSRF-Token on POST/PATCH/PUT/DELETE when authenticating with the session cookie."`
}

type loginOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      TokenResponse
}

func (s *Server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	client := infoFrom(ctx).remote
	if d := s.logins.wait(client); d > 0 {
		return nil, huma.ErrorWithHeaders(huma.Error429TooManyRequests("too many failed logins; try again later"), retryAfter(d))
	}
	tok, err := s.svc.Login(in.Body.Password)
	if errors.Is(err, service.ErrUnauthorized) {
		if d := s.logins.fail(client); d > 0 {
			s.log.Warn("repeated failed logins on the local API", "client", client, "retryAfter", d)
			return nil, huma.ErrorWithHeaders(huma.Error429TooManyRequests("wrong password; too many failed logins, try again later"), retryAfter(d))
		}
		return nil, huma.ErrorWithHeaders(huma.Error401Unauthorized("wrong password"), http.Header{"WWW-Authenticate": {`Bearer realm="aisync"`}})
	}
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	s.logins.succeed(client)
	csrf, err := randomToken()
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	s.sessions.add(tok.Token, csrf, tok.ExpiresAt)
	maxAge := int(time.Until(tok.ExpiresAt).Seconds())
	return &loginOutput{
		SetCookie: []http.Cookie{
			{Name: sessionCookie, Value: tok.Token, Path: "/", MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteStrictMode},
			{Name: csrfCookie, Value: csrf, Path: "/", MaxAge: maxAge, SameSite: http.SameSiteStrictMode},
		},
		Body: TokenResponse{AccessToken: tok, CSRFToken: csrf},
	}, nil
}

type logoutOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

func (s *Server) logout(ctx context.Context, _ *struct{}) (*logoutOutput, error) {
	info := infoFrom(ctx)
	s.svc.Logout(info.token) // the API token itself cannot be revoked here; this is a no-op for it
	s.sessions.remove(info.token)
	return &logoutOutput{SetCookie: []http.Cookie{
		{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode},
		{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1, SameSite: http.SameSiteStrictMode},
	}}, nil
}

// SessionInfo tells the web UI how it is authenticated.
type SessionInfo struct {
	Authenticated bool   `json:"authenticated"`
	Method        string `json:"method" enum:"bearer,cookie"`
	CSRFToken     string `json:"csrf_token,omitempty" doc:"The CSRF token of a cookie session."`
}

type sessionOutput struct{ Body SessionInfo }

func (s *Server) session(ctx context.Context, _ *struct{}) (*sessionOutput, error) {
	info := infoFrom(ctx)
	out := &sessionOutput{Body: SessionInfo{Authenticated: true, Method: "bearer"}}
	if info.viaCookie {
		out.Body.Method = "cookie"
		out.Body.CSRFToken = s.sessions.csrf(info.token)
	}
	return out, nil
}
