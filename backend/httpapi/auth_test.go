package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAuthRequired(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	for _, tc := range []struct {
		name string
		opts []reqOpt
	}{
		{"missing token", []reqOpt{noAuthHeader()}},
		{"wrong token", []reqOpt{withHeader("Authorization", "Bearer nope")}},
		{"wrong scheme", []reqOpt{withHeader("Authorization", "Basic dG9rOg==")}},
		{"stale cookie", []reqOpt{withCookies([]*http.Cookie{{Name: sessionCookie, Value: "stale"}})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/version", "/api/v1/clients", "/metrics", eventsPath, "/api/v1/no-such-route"} {
				r := a.do(http.MethodGet, path, nil, tc.opts...)
				if r.status != http.StatusUnauthorized {
					t.Fatalf("GET %s: status %d, want 401; %s", path, r.status, r.body)
				}
				r.problem(t)
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("GET %s: no WWW-Authenticate challenge", path)
				}
			}
		})
	}
	t.Run("API token", func(t *testing.T) {
		r := a.do(http.MethodGet, "/api/v1/version", nil)
		a.mustStatus(r, http.StatusOK)
		var v struct{ Version, GoVersion string }
		r.json(t, &v)
		if v.Version == "" || v.GoVersion == "" {
			t.Fatalf("version body %s", r.body)
		}
	})
	t.Run("public routes", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/api/v1/openapi.json", "/api/v1/docs", "/", "/some/spa/route"} {
			r := a.do(http.MethodGet, path, nil, noAuthHeader())
			if r.status != http.StatusOK {
				t.Fatalf("GET %s without auth: %d; %s", path, r.status, r.body)
			}
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})

	t.Run("wrong password", func(t *testing.T) {
		r := a.do(http.MethodPost, loginPath, map[string]string{"password": "nope"}, noAuthHeader())
		a.mustStatus(r, http.StatusUnauthorized)
		r.problem(t)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		r := a.do(http.MethodPost, loginPath, `{"password":`, noAuthHeader())
		a.mustStatus(r, http.StatusBadRequest)
		r.problem(t)
	})
	t.Run("missing password", func(t *testing.T) {
		a.do(http.MethodPost, loginPath, `{}`, noAuthHeader()).wantField(t, "body.password")
	})
	t.Run("unknown field", func(t *testing.T) {
		a.do(http.MethodPost, loginPath, `{"password":"pw","user":"x"}`, noAuthHeader()).wantField(t, "body.user")
	})
	t.Run("success, use, logout", func(t *testing.T) {
		r := a.do(http.MethodPost, loginPath, map[string]string{"password": testPassword}, noAuthHeader())
		a.mustStatus(r, http.StatusOK)
		var tok struct {
			AccessToken string    `json:"access_token"`
			TokenType   string    `json:"token_type"`
			ExpiresAt   time.Time `json:"expires_at"`
			ExpiresIn   int64     `json:"expires_in"`
			CSRFToken   string    `json:"csrf_token"`
		}
		r.json(t, &tok)
		if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.CSRFToken == "" || time.Until(tok.ExpiresAt) < 59*time.Minute {
			t.Fatalf("token response %s", r.body)
		}
		var session *http.Cookie
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			if c.Name == sessionCookie {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value != tok.AccessToken {
			t.Fatalf("session cookie %+v", session)
		}
		bearer := withHeader("Authorization", "Bearer "+tok.AccessToken)
		a.mustStatus(a.do(http.MethodGet, "/api/v1/sync/status", nil, bearer), http.StatusOK)
		a.mustStatus(a.do(http.MethodPost, "/api/v1/auth/logout", nil, bearer), http.StatusNoContent)
		a.mustStatus(a.do(http.MethodGet, "/api/v1/sync/status", nil, bearer), http.StatusUnauthorized)
	})
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{LoginFailures: 3, LoginBackoff: time.Second, LoginWindow: time.Minute})
	wrong := map[string]string{"password": "nope"}
	a.mustStatus(a.do(http.MethodPost, loginPath, wrong, noAuthHeader()), http.StatusUnauthorized)
	a.mustStatus(a.do(http.MethodPost, loginPath, wrong, noAuthHeader()), http.StatusUnauthorized)
	r := a.do(http.MethodPost, loginPath, wrong, noAuthHeader())
	a.mustStatus(r, http.StatusTooManyRequests)
	r.problem(t)
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s != 1 {
		t.Fatalf("Retry-After = %q, want 1", r.header.Get("Retry-After"))
	}
	// Even the right password is refused while the client waits.
	a.mustStatus(a.do(http.MethodPost, loginPath, map[string]string{"password": testPassword}, noAuthHeader()), http.StatusTooManyRequests)
	// Another failure after the wait doubles it.
	waitFor(t, 3*time.Second, "the first backoff to pass", func() bool { return a.srv.logins.wait("127.0.0.1") == 0 })
	r = a.do(http.MethodPost, loginPath, wrong, noAuthHeader())
	a.mustStatus(r, http.StatusTooManyRequests)
	if got := r.header.Get("Retry-After"); got != "2" {
		t.Fatalf("Retry-After after 4 failures = %q, want 2", got)
	}
	waitFor(t, 5*time.Second, "the second backoff to pass", func() bool { return a.srv.logins.wait("127.0.0.1") == 0 })
	a.mustStatus(a.do(http.MethodPost, loginPath, map[string]string{"password": testPassword}, noAuthHeader()), http.StatusOK)
	// A success clears the record: the next failure is a plain 401 again.
	a.mustStatus(a.do(http.MethodPost, loginPath, wrong, noAuthHeader()), http.StatusUnauthorized)
}

func TestLoginGuardWindow(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	g := newLoginGuard(2, time.Minute, time.Second, 4*time.Second, func() time.Time { return now })
	if d := g.fail("a"); d != 0 {
		t.Fatalf("first failure delay %s", d)
	}
	now = now.Add(2 * time.Minute) // outside the window: counting starts over
	if d := g.fail("a"); d != 0 {
		t.Fatalf("failure after the window delay %s", d)
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		if d := g.fail("a"); d != want {
			t.Fatalf("failure %d: delay %s, want %s", i+2, d, want)
		}
	}
	if g.wait("b") != 0 {
		t.Fatal("another client must not wait")
	}
}

func TestCookieSessionCSRF(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	r := a.do(http.MethodPost, loginPath, map[string]string{"password": testPassword}, noAuthHeader())
	a.mustStatus(r, http.StatusOK)
	cookies := (&http.Response{Header: r.header}).Cookies()
	var tok struct {
		CSRF string `json:"csrf_token"`
	}
	r.json(t, &tok)
	jar := withCookies(cookies)

	a.mustStatus(a.do(http.MethodGet, "/api/v1/clients", nil, jar), http.StatusOK)
	r = a.do(http.MethodGet, "/api/v1/auth/session", nil, jar)
	a.mustStatus(r, http.StatusOK)
	var sess SessionInfo
	r.json(t, &sess)
	if sess.Method != "cookie" || sess.CSRFToken != tok.CSRF {
		t.Fatalf("session %+v", sess)
	}

	pause := map[string]bool{"paused": false}
	for name, opts := range map[string][]reqOpt{
		"no CSRF header":    {jar},
		"wrong CSRF header": {jar, withHeader(csrfHeader, "wrong")},
	} {
		r := a.do(http.MethodPost, "/api/v1/sync/pause", pause, opts...)
		if r.status != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403; %s", name, r.status, r.body)
		}
		r.problem(t)
	}
	a.mustStatus(a.do(http.MethodPost, "/api/v1/sync/pause", pause, jar, withHeader(csrfHeader, tok.CSRF)), http.StatusOK)
	// A bearer token needs no CSRF token: browsers never attach one on their own.
	a.mustStatus(a.do(http.MethodPost, "/api/v1/sync/pause", pause), http.StatusOK)

	a.mustStatus(a.do(http.MethodPost, "/api/v1/auth/logout", nil, jar), http.StatusForbidden)
	r = a.do(http.MethodPost, "/api/v1/auth/logout", nil, jar, withHeader(csrfHeader, tok.CSRF))
	a.mustStatus(r, http.StatusNoContent)
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.MaxAge >= 0 {
			t.Fatalf("logout must expire cookie %s", c.Name)
		}
	}
	a.mustStatus(a.do(http.MethodGet, "/api/v1/clients", nil, jar), http.StatusUnauthorized)
}

func TestHostAndOrigin(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	port := a.ts.URL[strings.LastIndex(a.ts.URL, ":")+1:]
	self := "http://127.0.0.1:" + port
	for _, tc := range []struct {
		name   string
		method string
		path   string
		opts   []reqOpt
		want   int
	}{
		{"rebound host", "GET", "/api/v1/version", []reqOpt{withHost("evil.example:" + port)}, 403},
		{"rebound host, static", "GET", "/", []reqOpt{withHost("evil.example")}, 403},
		{"rebound host, healthz", "GET", "/healthz", []reqOpt{withHost("evil.example")}, 403},
		{"LAN address", "GET", "/api/v1/version", []reqOpt{withHost("192.168.1.5:" + port)}, 403},
		{"localhost", "GET", "/api/v1/version", []reqOpt{withHost("localhost:" + port)}, 200},
		{"localhost, no port", "GET", "/api/v1/version", []reqOpt{withHost("localhost")}, 200},
		{"IPv6 loopback", "GET", "/api/v1/version", []reqOpt{withHost("[::1]:" + port)}, 200},
		{"foreign origin", "POST", "/api/v1/sync/pause", []reqOpt{withHeader("Origin", "http://evil.example")}, 403},
		{"foreign origin, GET", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "https://evil.example")}, 403},
		{"other local port", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "http://127.0.0.1:1")}, 403},
		{"localhost page on 127.0.0.1", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "http://localhost:"+port)}, 403},
		{"null origin", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "null")}, 403},
		{"same origin", "POST", "/api/v1/sync/pause", []reqOpt{withHeader("Origin", self)}, 200},
		{"same origin via localhost", "GET", "/api/v1/version", []reqOpt{withHost("localhost:" + port), withHeader("Origin", "http://localhost:"+port)}, 200},
		{"wails window", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "wails://wails")}, 200},
		{"wails dev window", "GET", "/api/v1/version", []reqOpt{withHeader("Origin", "http://wails.localhost:34115")}, 200},
		{"cross-site subresource", "GET", "/api/v1/version", []reqOpt{withHeader("Sec-Fetch-Site", "cross-site")}, 403},
		{"same-site other port", "GET", "/api/v1/version", []reqOpt{withHeader("Sec-Fetch-Site", "same-site")}, 403},
		{"same-origin fetch", "GET", "/api/v1/version", []reqOpt{withHeader("Sec-Fetch-Site", "same-origin")}, 200},
		{"navigation to the UI from a link", "GET", "/", []reqOpt{withHeader("Sec-Fetch-Site", "cross-site")}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(tc.method, tc.path, map[string]bool{"paused": false}, tc.opts...)
			if tc.method == "GET" {
				r = a.do(tc.method, tc.path, nil, tc.opts...)
			}
			if r.status != tc.want {
				t.Fatalf("status %d, want %d; %s", r.status, tc.want, r.body)
			}
			if tc.want == 403 {
				r.problem(t)
			}
			for k := range r.header {
				if strings.HasPrefix(strings.ToLower(k), "access-control-") {
					t.Fatalf("CORS header %s sent", k)
				}
			}
		})
	}
}

func TestNoCORSPreflight(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	r := a.do(http.MethodOptions, "/api/v1/sync/pause", nil, noAuthHeader(),
		withHeader("Origin", "http://evil.example"), withHeader("Access-Control-Request-Method", "POST"))
	if r.status < 400 {
		t.Fatalf("preflight answered %d", r.status)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS header sent")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	api := a.do(http.MethodGet, "/api/v1/version", nil)
	ui := a.do(http.MethodGet, "/", nil, noAuthHeader())
	for name, r := range map[string]response{"api": api, "ui": ui} {
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no CSP", name)
		}
	}
	if got := api.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("api Cache-Control = %q", got)
	}
	if got := ui.header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") || !strings.Contains(got, "frame-ancestors 'none'") {
		t.Errorf("ui CSP = %q", got)
	}
}

func TestNormalizeHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"127.0.0.1:8765": "127.0.0.1", "LOCALHOST:1": "localhost", "[::1]:80": "::1", "[::1]": "::1", "localhost": "localhost",
		"127.0.0.1": "127.0.0.1",
	} {
		if got := normalizeHost(in); got != want {
			t.Errorf("normalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
	u, _ := url.Parse("wails://wails")
	if !wailsOrigin(u) {
		t.Error("wails://wails refused")
	}
}
