package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/demo"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

func TestLoginAnswersTheSameForEveryFailure(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		// Disable one account so all four failure kinds are covered.
		admin := e.Login("sysadmin")
		id := e.One(`SELECT id FROM users WHERE username = 'dudao'`)
		if s, b := admin.Do("PATCH", "/api/v1/users/"+apptest.Itoa(id), map[string]any{"disabled": true, "version": 1}); s != 200 {
			t.Fatalf("disable: %d %s", s, b)
		}
		var bodies []string
		for _, c := range []struct{ user, pw string }{
			{"nobody-here", "Whatever#2026"}, {"leader", "Wrong#Pass2026"}, {"dudao", demo.DefaultPassword},
		} {
			s, b := e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": c.user, "password": c.pw})
			if s != http.StatusUnauthorized {
				t.Fatalf("%s: status %d", c.user, s)
			}
			bodies = append(bodies, apptest.ParseErr(t, b).Error.Message)
		}
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Fatalf("failure messages differ: %q", bodies)
			}
		}
		if n := e.AuditCount("login", "failed"); n != 3 {
			t.Fatalf("audited %d failed logins, want 3", n)
		}
	})
}

func TestLockoutAfterFiveFailuresAndUnlock(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		for i := 0; i < 5; i++ {
			if s, _ := e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "jijiao", "password": "Wrong#Pass2026"}); s != 401 {
				t.Fatalf("attempt %d: %d", i, s)
			}
		}
		// Locked: even the right password is refused, with the same answer.
		if s, _ := e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "jijiao", "password": demo.DefaultPassword}); s != 401 {
			t.Fatalf("locked account logged in: %d", s)
		}
		if n := e.AuditCount("account.lock", ""); n != 1 {
			t.Fatalf("lockouts audited: %d", n)
		}
		// The lock expires by itself after lockout_minutes.
		e.App.Auth.Now = func() time.Time { return store.Now().Add(31 * time.Minute) }
		e.Login("jijiao")
		e.App.Auth.Now = store.Now
		for i := 0; i < 5; i++ {
			e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "jijiao", "password": "Wrong#Pass2026"})
		}
		// The security admin may unlock; the system admin may not.
		id := apptest.Itoa(e.One(`SELECT id FROM users WHERE username = 'jijiao'`))
		if s, _ := e.Login("sysadmin").Do("POST", "/api/v1/users/"+id+"/unlock", nil); s != 403 {
			t.Fatalf("sysadmin unlock: %d", s)
		}
		if s, b := e.Login("secadmin").Do("POST", "/api/v1/users/"+id+"/unlock", nil); s != 200 {
			t.Fatalf("secadmin unlock: %d %s", s, b)
		}
		e.Login("jijiao")
	})
}

func TestFailuresOutsideTheWindowDoNotLock(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	base := store.Now()
	for i := 0; i < 8; i++ {
		// One failure every 4 minutes: never 5 within 15 minutes.
		at := base.Add(time.Duration(i*4) * time.Minute)
		e.App.Auth.Now = func() time.Time { return at }
		if i%4 == 3 {
			continue
		}
		e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "renshi", "password": "Wrong#Pass2026"})
	}
	e.App.Auth.Now = func() time.Time { return base.Add(33 * time.Minute) }
	e.Login("renshi")
}

func TestSessionIdAndFixation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("leader")
		u, _ := http.NewRequest("GET", e.Srv.URL, nil)
		first := c.HC.Jar.Cookies(u.URL)
		if len(first) != 1 || len(first[0].Value) < 22 {
			t.Fatalf("session cookie %v: want one random id of at least 128 bits", first)
		}
		// Logging in again from the same browser issues a new id and ends the old one.
		c.MustLogin("leader", demo.DefaultPassword)
		second := c.HC.Jar.Cookies(u.URL)
		if second[0].Value == first[0].Value {
			t.Fatal("session id was not renewed at login")
		}
		stale := e.Anon()
		stale.HC.Jar.SetCookies(u.URL, first)
		if s, _ := stale.Do("GET", "/api/v1/session", nil); s != 401 {
			t.Fatalf("old session id still works: %d", s)
		}
		// The id is stored only as a hash.
		if n := e.One(`SELECT count(*) FROM sessions WHERE id_hash = $1`, second[0].Value); n != 0 {
			t.Fatal("session id stored in clear")
		}
	})
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	_, _, h := e.Anon().DoH("POST", "/api/v1/session", map[string]string{"username": "leader", "password": demo.DefaultPassword}, nil)
	sc := h.Get("Set-Cookie")
	for _, want := range []string{web.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("Set-Cookie %q lacks %q", sc, want)
		}
	}
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		base := store.Now()
		c := e.Login("leader")
		e.App.Auth.Now = func() time.Time { return base.Add(29 * time.Minute) }
		if s, _ := c.Do("GET", "/api/v1/session", nil); s != 200 {
			t.Fatalf("active session refused before idle timeout: %d", s)
		}
		// Activity at 29 minutes moved the idle clock; 29 more minutes is fine.
		e.App.Auth.Now = func() time.Time { return base.Add(58 * time.Minute) }
		if s, _ := c.Do("GET", "/api/v1/session", nil); s != 200 {
			t.Fatalf("session refused within idle window of last use: %d", s)
		}
		e.App.Auth.Now = func() time.Time { return base.Add(90 * time.Minute) }
		if s, _ := c.Do("GET", "/api/v1/session", nil); s != 401 {
			t.Fatalf("idle session still accepted: %d", s)
		}
		// Absolute timeout: busy all day, still out after 12 hours.
		e.App.Auth.Now = store.Now
		c = e.Login("leader")
		start := store.Now()
		for m := 20; m <= 13*60; m += 20 {
			at := start.Add(time.Duration(m) * time.Minute)
			e.App.Auth.Now = func() time.Time { return at }
			s, _ := c.Do("GET", "/api/v1/session", nil)
			if m < 12*60 && s != 200 {
				t.Fatalf("minute %d: %d", m, s)
			}
			if m >= 12*60 && s != 401 {
				t.Fatalf("session outlived the absolute timeout at minute %d: %d", m, s)
			}
		}
	})
}

func TestLogoutAndDisableEndSessionsAtOnce(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("leader")
		if s, _ := c.Do("DELETE", "/api/v1/session", nil); s != 204 {
			t.Fatalf("logout: %d", s)
		}
		if s, _ := c.Do("GET", "/api/v1/session", nil); s != 401 {
			t.Fatalf("after logout: %d", s)
		}
		victim := e.Login("ganbu")
		id := e.One(`SELECT id FROM users WHERE username = 'ganbu'`)
		if s, b := e.Login("sysadmin").Do("PATCH", "/api/v1/users/"+apptest.Itoa(id), map[string]any{"disabled": true, "version": 1}); s != 200 {
			t.Fatalf("disable: %d %s", s, b)
		}
		if s, _ := victim.Do("GET", "/api/v1/session", nil); s != 401 {
			t.Fatalf("disabled user's session survived: %d", s)
		}
		if n := e.One(`SELECT count(*) FROM sessions WHERE user_id = $1`, id); n != 0 {
			t.Fatalf("%d session rows left", n)
		}
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("sysadmin")
		body := map[string]string{"username": "csrfvictim", "display_name": "测试"}
		// No token header.
		if s, b, _ := c.DoH("POST", "/api/v1/users", body, map[string]string{"X-CSRF-Token": ""}); s != 403 || apptest.ParseErr(t, b).Error.Code != "forbidden" {
			t.Fatalf("write without CSRF token: %d %s", s, b)
		}
		// A cross-site browser request is refused before anything else.
		if s, _, _ := c.DoH("POST", "/api/v1/users", body, map[string]string{"Sec-Fetch-Site": "cross-site"}); s != 403 {
			t.Fatalf("cross-site write: %d", s)
		}
		if s, _, _ := c.DoH("POST", "/api/v1/users", body, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}); s != 403 {
			t.Fatalf("foreign-origin write: %d", s)
		}
		if n := e.One(`SELECT count(*) FROM users WHERE username = 'csrfvictim'`); n != 0 {
			t.Fatal("a forged request created a user")
		}
		if s, b := c.Do("POST", "/api/v1/users", body); s != 201 {
			t.Fatalf("same-site write with token: %d %s", s, b)
		}
		if e.AuditCount("access.denied", "denied") < 1 {
			t.Fatal("CSRF refusal not audited")
		}
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("groupadmin")
		s, b := c.Do("POST", "/api/v1/tokens", map[string]any{"name": "脚本", "expires_days": 30})
		if s != 201 {
			t.Fatalf("create token: %d %s", s, b)
		}
		created := apptest.Decode[struct {
			Token string `json:"token"`
			Item  struct {
				ID int64 `json:"id"`
			} `json:"item"`
		}](t, b)
		if n := e.One(`SELECT count(*) FROM api_tokens WHERE token_hash = $1 OR prefix = $1`, created.Token); n != 0 {
			t.Fatal("token stored in clear")
		}
		bot := e.Anon()
		bot.Token = created.Token
		// Scoped like its user: the group's schools only.
		s, b = bot.Do("GET", "/api/v1/schools?page_size=200", nil)
		if s != 200 {
			t.Fatalf("bearer read: %d %s", s, b)
		}
		list := apptest.Decode[struct {
			Items []struct {
				GroupID *int64 `json:"group_id"`
			} `json:"items"`
		}](t, b)
		for _, it := range list.Items {
			if it.GroupID == nil || *it.GroupID != e.IDs.Group {
				t.Fatalf("token saw a school outside its user's group")
			}
		}
		// Bearer requests carry no cookie, so they need no CSRF token.
		if s, b := bot.Do("POST", "/api/v1/tokens", map[string]any{"name": "second", "expires_days": 1}); s != 201 {
			t.Fatalf("bearer write: %d %s", s, b)
		}
		if s, _ := bot.Do("GET", "/api/v1/users", nil); s != 403 {
			t.Fatalf("token exceeded its user's permissions: %d", s)
		}
		// Someone else cannot revoke it (not found), its owner can.
		if s, _ := e.Login("leader").Do("DELETE", "/api/v1/tokens/"+apptest.Itoa(created.Item.ID), nil); s != 404 {
			t.Fatalf("foreign revoke: %d", s)
		}
		if s, _ := c.Do("DELETE", "/api/v1/tokens/"+apptest.Itoa(created.Item.ID), nil); s != 204 {
			t.Fatalf("revoke: %d", s)
		}
		if s, _ := bot.Do("GET", "/api/v1/schools", nil); s != 401 {
			t.Fatalf("revoked token still works: %d", s)
		}
		bot.Token = "edg_forged"
		if s, _ := bot.Do("GET", "/api/v1/session", nil); s != 401 {
			t.Fatalf("forged token: %d", s)
		}
		s, b = c.Do("POST", "/api/v1/tokens", map[string]any{"name": "long", "expires_days": 400})
		if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "expires_days" {
			t.Fatalf("token beyond max days: %d %s", s, b)
		}
	})
}

func TestForcedPasswordChangeAndPolicy(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		admin := e.Login("sysadmin")
		s, b := admin.Do("POST", "/api/v1/users", map[string]string{"username": "newbie", "display_name": "新同事"})
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		created := apptest.Decode[struct {
			User struct {
				ID int64 `json:"id"`
			} `json:"user"`
			OTP string `json:"one_time_password"`
		}](t, b)
		otp := created.OTP
		if s, b := e.Login("secadmin").Do("POST", "/api/v1/users/"+apptest.Itoa(created.User.ID)+"/grants", map[string]any{"role": "section_basic", "scope_type": "county"}); s != 200 {
			t.Fatalf("grant: %d %s", s, b)
		}
		c := e.Anon()
		c.MustLogin("newbie", otp)
		// Until the password is changed, only the session routes answer.
		if s, b := c.Do("GET", "/api/v1/dashboard", nil); s != 403 || apptest.ParseErr(t, b).Error.Code != "password_change_required" {
			t.Fatalf("before change: %d %s", s, b)
		}
		s, b = c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": otp, "new_password": "short"})
		if s != 422 {
			t.Fatalf("weak new password: %d %s", s, b)
		}
		eb := apptest.ParseErr(t, b)
		if eb.Error.Details[0].Field != "new_password" {
			t.Fatalf("detail names %q", eb.Error.Details[0].Field)
		}
		if s, _ := c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": otp, "new_password": otp}); s != 422 {
			t.Fatalf("reused one-time password accepted: %d", s)
		}
		if s, b := c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": "Wrong#2026x", "new_password": "Fresh#Start2026"}); s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "old_password" {
			t.Fatalf("wrong old password: %d %s", s, b)
		}
		if s, b := c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": otp, "new_password": "Fresh#Start2026"}); s != 200 {
			t.Fatalf("change: %d %s", s, b)
		}
		if s, _ := c.Do("GET", "/api/v1/dashboard", nil); s != 200 {
			t.Fatalf("after change: %d", s)
		}
		// The last five passwords cannot come back.
		pws := []string{"Second#Pw2026", "Third#Pw2026x", "Fourth#Pw2026", "Fifth#Pw20261"}
		prev := "Fresh#Start2026"
		for _, pw := range pws {
			if s, b := c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": prev, "new_password": pw}); s != 200 {
				t.Fatalf("change to %s: %d %s", pw, s, b)
			}
			prev = pw
		}
		s, b = c.Do("PUT", "/api/v1/session/password", map[string]string{"old_password": prev, "new_password": "Fresh#Start2026"})
		if s != 422 || !strings.Contains(apptest.ParseErr(t, b).Error.Details[0].Message, "5") {
			t.Fatalf("reuse within history: %d %s", s, b)
		}
		// Expiry: 90 days after the last change the user must change again.
		e.App.Auth.Now = func() time.Time { return store.Now().Add(91 * 24 * time.Hour) }
		c2 := e.Anon()
		c2.MustLogin("newbie", prev)
		if s, _ := c2.Do("GET", "/api/v1/dashboard", nil); s != 403 {
			t.Fatalf("expired password not forced to change: %d", s)
		}
	})
}

func TestSeparationOfDuties(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sec := e.Login("secadmin")
		sysID := apptest.Itoa(e.One(`SELECT id FROM users WHERE username = 'sysadmin'`))
		s, b := sec.Do("POST", "/api/v1/users/"+sysID+"/grants", map[string]any{"role": "audit_admin", "scope_type": "county", "scope_id": 0})
		if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Rule != "separation_of_duties" {
			t.Fatalf("sysadmin made auditor: %d %s", s, b)
		}
		secID := apptest.Itoa(e.One(`SELECT id FROM users WHERE username = 'secadmin'`))
		s, b = sec.Do("POST", "/api/v1/users/"+secID+"/grants", map[string]any{"role": "bureau_leader", "scope_type": "county", "scope_id": 0})
		if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Rule != "self_grant" {
			t.Fatalf("self grant: %d %s", s, b)
		}
		// Nobody can change the audit log, not even through the database
		// connection the application uses.
		if _, err := st.W.ExecContext(context.Background(), `UPDATE audit_log SET action = 'x'`); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		if _, err := st.W.ExecContext(context.Background(), `DELETE FROM audit_log`); err == nil {
			t.Fatal("audit_log accepted a DELETE of recent records")
		}
	})
}

func TestRoleSwitcher(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("multi")
		s, b := c.Do("GET", "/api/v1/session", nil)
		if s != 200 {
			t.Fatal(s)
		}
		sess := apptest.Decode[struct {
			Grants []struct {
				ID        int64  `json:"id"`
				Role      string `json:"role"`
				ScopeName string `json:"scope_name"`
			} `json:"grants"`
			Active int64 `json:"active_grant_id"`
		}](t, b)
		if len(sess.Grants) != 2 || sess.Active != sess.Grants[0].ID {
			t.Fatalf("grants %+v active %d", sess.Grants, sess.Active)
		}
		count := func() int {
			_, b := c.Do("GET", "/api/v1/staff?page_size=1", nil)
			return apptest.Decode[struct {
				Total int `json:"total"`
			}](t, b).Total
		}
		asGroup := count()
		if s, b := c.Do("PUT", "/api/v1/session/grant", map[string]any{"grant_id": sess.Grants[1].ID}); s != 200 {
			t.Fatalf("switch: %d %s", s, b)
		}
		asSchool := count()
		if asSchool >= asGroup || asSchool == 0 {
			t.Fatalf("staff seen as group admin %d, as school admin %d", asGroup, asSchool)
		}
		other := e.One(`SELECT id FROM role_grants WHERE user_id <> (SELECT id FROM users WHERE username = 'multi') ORDER BY id LIMIT 1`)
		if s, _ := c.Do("PUT", "/api/v1/session/grant", map[string]any{"grant_id": other}); s != 422 {
			t.Fatalf("switched to someone else's grant: %d", s)
		}
	})
}
