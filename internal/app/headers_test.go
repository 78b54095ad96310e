package app_test

import (
	"strings"
	"testing"

	"edugroup/internal/apptest"
)

func TestSecurityHeadersAndErrors(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	for _, p := range []string{"/", "/api/v1/session", "/healthz", "/nowhere/in/the/app"} {
		_, _, h := e.Anon().DoH("GET", p, nil, nil)
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
		} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q", p, k, h.Get(k))
			}
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
	}
	_, _, h := e.Login("leader").DoH("GET", "/api/v1/staff", nil, nil)
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("personal data cacheable: %q", h.Get("Cache-Control"))
	}
	s, b := e.Anon().Do("GET", "/api/v1/no-such-thing", nil)
	if s != 404 || apptest.ParseErr(t, b).Error.Code != "not_found" {
		t.Fatalf("unknown API path: %d %s", s, b)
	}
	s, b = e.Login("sysadmin").Do("POST", "/api/v1/users", `{"username": 5}`)
	if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "username" {
		t.Fatalf("wrong type: %d %s", s, b)
	}
	s, b = e.Login("sysadmin").Do("POST", "/api/v1/users", `{"username":"abc","display_name":"x","isAdmin":true}`)
	if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "isAdmin" {
		t.Fatalf("unknown field: %d %s", s, b)
	}
	s, b, _ = e.Anon().DoH("POST", "/api/v1/session", map[string]string{"username": "x", "password": "y"}, map[string]string{"Accept-Language": "en-US,en;q=0.9"})
	if s != 401 || !strings.Contains(apptest.ParseErr(t, b).Error.Message, "Wrong username or password") {
		t.Fatalf("English error: %s", b)
	}
	if s, _ := e.Anon().Do("GET", "/readyz", nil); s != 200 {
		t.Fatalf("readyz: %d", s)
	}
}
