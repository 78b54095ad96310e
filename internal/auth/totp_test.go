package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

func TestTOTPForChosenRoles(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sec := e.Login("secadmin")
		_, b := sec.Do("GET", "/api/v1/policy", nil)
		s3 := apptest.Decode[policy.Version](t, b).Settings
		s3.Security.TOTPRoles = []string{"system_admin", "no_such_role"}
		s, b := sec.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": s3})
		if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "settings.security.totp_roles[1]" {
			t.Fatalf("unknown role accepted: %d %s", s, b)
		}
		s3.Security.TOTPRoles = []string{"system_admin"}
		if s, b := sec.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "note": "三级", "settings": s3}); s != 201 {
			t.Fatalf("switch on: %d %s", s, b)
		}

		// Not enrolled yet: the session is open only for enrolment.
		c := e.Login("sysadmin")
		if s, b := c.Do("GET", "/api/v1/users", nil); s != 403 || apptest.ParseErr(t, b).Error.Code != "totp_enrollment_required" {
			t.Fatalf("before enrolment: %d %s", s, b)
		}
		s, b = c.Do("POST", "/api/v1/session/totp/setup", nil)
		if s != 200 {
			t.Fatalf("setup: %d %s", s, b)
		}
		setup := apptest.Decode[struct {
			Secret string `json:"secret"`
			URL    string `json:"otpauth_url"`
			QR     string `json:"qr_code"`
		}](t, b)
		if setup.Secret == "" || len(setup.QR) < 100 || setup.URL == "" {
			t.Fatalf("setup: %+v", setup)
		}
		if s, _ := c.Do("POST", "/api/v1/session/totp/enable", map[string]string{"code": "000000"}); s != 422 {
			t.Fatalf("wrong code enabled TOTP: %d", s)
		}
		now := time.Now()
		code, _ := totp.GenerateCode(setup.Secret, now)
		if s, b := c.Do("POST", "/api/v1/session/totp/enable", map[string]string{"code": code}); s != 200 {
			t.Fatalf("enable: %d %s", s, b)
		}
		if s, _ := c.Do("GET", "/api/v1/users", nil); s != 200 {
			t.Fatalf("after enrolment: %d", s)
		}

		login := func(otp string) (int, apptest.ErrBody) {
			s, b := e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "sysadmin", "password": demo.DefaultPassword, "otp": otp})
			if s == 200 {
				return s, apptest.ErrBody{}
			}
			return s, apptest.ParseErr(t, b)
		}
		if s, eb := login(""); s != 401 || eb.Error.Code != "otp_required" {
			t.Fatalf("no code: %d %+v", s, eb)
		}
		// The code used to enable cannot be replayed.
		if s, eb := login(code); s != 401 || eb.Error.Code != "unauthenticated" {
			t.Fatalf("replayed code: %d %+v", s, eb)
		}
		later := now.Add(30 * time.Second)
		e.App.Auth.Now = func() time.Time { return later }
		next, _ := totp.GenerateCode(setup.Secret, later)
		if s, eb := login(next); s != 200 {
			t.Fatalf("right code: %d %+v", s, eb)
		}
		e.App.Auth.Now = store.Now

		// Roles outside the list are not asked.
		e.Login("leader")

		// Lost phone: the security admin may not strip another admin's factor
		// (三权分立); the command line on the server resets it, and the user
		// enrols again. A business account's factor the security admin resets.
		uid := e.One(`SELECT id FROM users WHERE username = 'sysadmin'`)
		id := apptest.Itoa(uid)
		if s, b := sec.Do("POST", "/api/v1/users/"+id+"/totp-reset", nil); s != 422 || !strings.Contains(apptest.Rules(t, b), "separation_of_duties") {
			t.Fatalf("security admin reset the system admin's factor: %d %s", s, b)
		}
		if _, err := e.App.Auth.ResetTOTP(context.Background(), auth.SystemActor("cli:root"), uid); err != nil {
			t.Fatalf("command-line reset: %v", err)
		}
		if s, b := sec.Do("POST", "/api/v1/users/"+apptest.Itoa(e.One(`SELECT id FROM users WHERE username = 'leader'`))+"/totp-reset", nil); s != 200 {
			t.Fatalf("reset a business account's factor: %d %s", s, b)
		}
		if s, b := e.Login("sysadmin").Do("GET", "/api/v1/users", nil); s != 403 || apptest.ParseErr(t, b).Error.Code != "totp_enrollment_required" {
			t.Fatalf("after reset: %d %s", s, b)
		}
		for _, a := range []string{"totp.setup", "totp.enable", "totp.reset"} {
			if e.AuditCount(a, "") == 0 {
				t.Errorf("%s not audited", a)
			}
		}
	})
}
