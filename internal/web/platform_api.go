package web

import (
	"context"
	"net/http"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// Card is one figure on the home dashboard.
type Card struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
}

// DashboardSource adds the cards a capability can show to an actor.
type DashboardSource interface {
	Cards(ctx context.Context, a auth.Actor) ([]Card, error)
}

type dashboard struct {
	Cards []Card `json:"cards"`
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// OTP is the authenticator code, for roles the policy protects with a
	// second factor; a login without it answers 401 otp_required.
	OTP string `json:"otp,omitempty"`
}

type totpCode struct {
	Code string `json:"code"`
}

type passwordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

type grantRequest struct {
	GrantID int64 `json:"grant_id"`
}

type createUserResponse struct {
	User            auth.User `json:"user"`
	OneTimePassword string    `json:"one_time_password"`
}

type passwordResetResponse struct {
	OneTimePassword string `json:"one_time_password"`
}

type tokenRequest struct {
	Name        string `json:"name"`
	ExpiresDays int    `json:"expires_days"`
}

type tokenCreated struct {
	Token string     `json:"token"`
	Item  auth.Token `json:"item"`
}

type tokenList struct {
	Items []auth.Token `json:"items"`
}

type roleEntry struct {
	Role       auth.Role        `json:"role"`
	ScopeTypes []auth.ScopeType `json:"scope_types"`
}

type versionList struct {
	Items []policy.Version `json:"items"`
}

type health struct {
	Status  string `json:"status" enum:"ok,unavailable"`
	Version string `json:"version,omitempty"`
}

func actor(r *http.Request) auth.Actor {
	a, _ := auth.FromContext(r.Context())
	return a
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
}

func (s *Server) platformRoutes(rt *Router) {
	const tagS, tagU, tagP, tagA, tagT, tagSys = "session", "users", "policy", "audit", "tokens", "system"
	duringChange := AnyUser()
	duringChange.DuringPasswordChange = true

	rt.Handle("GET", "/healthz", Public(), Doc{Summary: "Process is up", Tag: tagSys, Response: health{}}, func(w http.ResponseWriter, r *http.Request) error {
		return JSON(w, http.StatusOK, health{Status: "ok"})
	})
	rt.Handle("GET", "/readyz", Public(), Doc{Summary: "Store is reachable", Tag: tagSys, Response: health{}}, func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.st.Ping(ctx); err != nil {
			s.log.Warn("readyz: store unreachable", "err", err)
			return JSON(w, http.StatusServiceUnavailable, health{Status: "unavailable"})
		}
		return JSON(w, http.StatusOK, health{Status: "ok"})
	})
	rt.Handle("GET", "/metrics", Perm(auth.PermMetrics), Doc{Summary: "Prometheus metrics", Tag: tagSys, Produces: "text/plain"}, func(w http.ResponseWriter, r *http.Request) error {
		s.MetricsHandler().ServeHTTP(w, r)
		return nil
	})
	rt.Handle("GET", "/api/v1/openapi.json", Public(), Doc{Summary: "This API's OpenAPI document", Tag: tagSys, Response: map[string]any{}}, func(w http.ResponseWriter, r *http.Request) error {
		return JSON(w, http.StatusOK, s.OpenAPI())
	})

	// Session.
	rt.Handle("POST", "/api/v1/session", Public(), Doc{Summary: "Log in; sets the session cookie", Tag: tagS, Request: loginRequest{}, Response: auth.Session{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in loginRequest
			if err := Decode(r, &in); err != nil {
				return err
			}
			old := ""
			if ck, err := r.Cookie(SessionCookie); err == nil {
				old = ck.Value
			}
			sess, id, err := s.auth.Login(r.Context(), in.Username, in.Password, in.OTP, old, auth.Client{IP: s.clientIP(r), UserAgent: r.UserAgent(), RequestID: info(r).id})
			if err != nil {
				return err
			}
			s.setSessionCookie(w, r, id, 0)
			return JSON(w, http.StatusOK, sess)
		})
	rt.Handle("GET", "/api/v1/session", duringChange, Doc{Summary: "The current user, grants and permissions", Tag: tagS, Response: auth.Session{}},
		func(w http.ResponseWriter, r *http.Request) error { return s.writeSession(w, r) })
	rt.Handle("DELETE", "/api/v1/session", duringChange, Doc{Summary: "Log out", Tag: tagS, Status: http.StatusNoContent},
		func(w http.ResponseWriter, r *http.Request) error {
			if err := s.auth.Logout(r.Context(), actor(r), info(r).sessionID); err != nil {
				return err
			}
			s.setSessionCookie(w, r, "", -1)
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	rt.Handle("PUT", "/api/v1/session/password", duringChange, Doc{Summary: "Change one's own password", Tag: tagS, Request: passwordRequest{}, Response: auth.Session{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in passwordRequest
			if err := Decode(r, &in); err != nil {
				return err
			}
			if info(r).sessionID == "" {
				return errs.RuleError("session_only", "password.session_only", nil)
			}
			if err := s.auth.ChangePassword(r.Context(), actor(r), info(r).sessionID, in.OldPassword, in.NewPassword); err != nil {
				return err
			}
			return s.writeSession(w, r)
		})
	rt.Handle("POST", "/api/v1/session/totp/setup", duringChange, Doc{Summary: "Start setting up a TOTP second factor: a new secret and its QR code", Tag: tagS, Response: auth.TOTPSetup{}},
		func(w http.ResponseWriter, r *http.Request) error {
			setup, err := s.auth.SetupTOTP(r.Context(), actor(r))
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, setup)
		})
	rt.Handle("POST", "/api/v1/session/totp/enable", duringChange, Doc{Summary: "Confirm the TOTP secret with a code from the app", Tag: tagS, Request: totpCode{}, Response: auth.Session{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in totpCode
			if err := Decode(r, &in); err != nil {
				return err
			}
			if err := s.auth.EnableTOTP(r.Context(), actor(r), in.Code); err != nil {
				return err
			}
			return s.writeSession(w, r)
		})
	rt.Handle("PUT", "/api/v1/session/grant", AnyUser(), Doc{Summary: "Switch the active role and scope", Tag: tagS, Request: grantRequest{}, Response: auth.Session{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in grantRequest
			if err := Decode(r, &in); err != nil {
				return err
			}
			if info(r).sessionID == "" {
				return errs.RuleError("session_only", "password.session_only", nil)
			}
			if err := s.auth.SwitchGrant(r.Context(), actor(r), info(r).sessionID, in.GrantID); err != nil {
				return err
			}
			return s.writeSession(w, r)
		})
	rt.Handle("GET", "/api/v1/dashboard", Perm(auth.PermDashboard), Doc{Summary: "Figures the user may see", Tag: tagS, Response: dashboard{}},
		func(w http.ResponseWriter, r *http.Request) error {
			out := dashboard{Cards: []Card{}}
			for _, src := range append([]DashboardSource{platformCards{s}}, s.dashboards...) {
				cards, err := src.Cards(r.Context(), actor(r))
				if err != nil {
					return err
				}
				out.Cards = append(out.Cards, cards...)
			}
			return JSON(w, http.StatusOK, out)
		})

	// Users and grants.
	rt.Handle("GET", "/api/v1/users", Perm(auth.PermUsersRead), Doc{Summary: "List accounts", Tag: tagU, Response: List[auth.User]{},
		Query: []Param{Q("q", "string", "username or name contains"), Q("page", "integer", ""), Q("page_size", "integer", "at most 200"),
			Q("sort", "string", "accepted for the web client's table; accounts are listed by username"), Q("order", "string", "asc or desc").OneOf("asc", "desc")}},
		func(w http.ResponseWriter, r *http.Request) error {
			page, size := Page(r)
			items, total, err := s.auth.ListUsers(r.Context(), actor(r), r.URL.Query().Get("q"), page, size)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, List[auth.User]{items, total, page, size})
		})
	rt.Handle("POST", "/api/v1/users", Perm(auth.PermUsersManage), Doc{Summary: "Create an account with a one-time password", Tag: tagU, Request: auth.NewUser{}, Response: createUserResponse{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in auth.NewUser
			if err := Decode(r, &in); err != nil {
				return err
			}
			u, pw, err := s.auth.CreateUser(r.Context(), actor(r), in)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusCreated, createUserResponse{u, pw})
		})
	rt.Handle("GET", "/api/v1/users/{id}", Perm(auth.PermUsersRead), Doc{Summary: "One account", Tag: tagU, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			u, err := s.auth.GetUser(r.Context(), actor(r), id)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("PATCH", "/api/v1/users/{id}", Perm(auth.PermUsersManage), Doc{Summary: "Rename, disable or enable an account", Tag: tagU, Request: auth.UserPatch{}, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			var in auth.UserPatch
			if err := Decode(r, &in); err != nil {
				return err
			}
			u, err := s.auth.UpdateUser(r.Context(), actor(r), id, in)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("POST", "/api/v1/users/{id}/password-reset", Perm(auth.PermUsersManage), Doc{Summary: "Reset to a one-time password", Tag: tagU, Response: passwordResetResponse{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			pw, err := s.auth.ResetPassword(r.Context(), actor(r), id)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, passwordResetResponse{pw})
		})
	rt.Handle("POST", "/api/v1/users/{id}/unlock", Perm(auth.PermRolesManage), Doc{Summary: "Clear a login lockout", Tag: tagU, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			u, err := s.auth.Unlock(r.Context(), actor(r), id)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("POST", "/api/v1/users/{id}/totp-reset", Perm(auth.PermRolesManage), Doc{Summary: "Remove a user's second factor (lost phone); they enrol again", Tag: tagU, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			u, err := s.auth.ResetTOTP(r.Context(), actor(r), id)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("POST", "/api/v1/users/{id}/grants", Perm(auth.PermRolesManage), Doc{Summary: "Grant a role in a scope", Tag: tagU, Request: auth.NewGrant{}, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			var in auth.NewGrant
			if err := Decode(r, &in); err != nil {
				return err
			}
			u, err := s.auth.AddGrant(r.Context(), actor(r), id, in)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("DELETE", "/api/v1/users/{id}/grants/{grant}", Perm(auth.PermRolesManage), Doc{Summary: "Take a role away", Tag: tagU, Response: auth.User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			gid, err := PathID(r, "grant")
			if err != nil {
				return err
			}
			u, err := s.auth.RemoveGrant(r.Context(), actor(r), id, gid)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, u)
		})
	rt.Handle("GET", "/api/v1/roles", Perm(auth.PermUsersRead), Doc{Summary: "Roles and the scope each takes", Tag: tagU, Response: []roleEntry{}},
		func(w http.ResponseWriter, r *http.Request) error {
			out := []roleEntry{}
			for _, ri := range auth.Roles {
				out = append(out, roleEntry{ri.Role, []auth.ScopeType{ri.ScopeType}})
			}
			return JSON(w, http.StatusOK, out)
		})

	// API tokens.
	rt.Handle("GET", "/api/v1/tokens", Perm(auth.PermTokensSelf), Doc{Summary: "One's own API tokens (everyone's for the security admin)", Tag: tagT, Response: tokenList{}},
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := s.auth.ListTokens(r.Context(), actor(r))
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, tokenList{items})
		})
	rt.Handle("POST", "/api/v1/tokens", Perm(auth.PermTokensSelf), Doc{Summary: "Create an API token; the secret is shown once", Tag: tagT, Request: tokenRequest{}, Response: tokenCreated{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in tokenRequest
			if err := Decode(r, &in); err != nil {
				return err
			}
			a := actor(r)
			t, secret, err := s.auth.CreateToken(r.Context(), a, a.UserID, in.Name, in.ExpiresDays)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusCreated, tokenCreated{secret, t})
		})
	rt.Handle("DELETE", "/api/v1/tokens/{id}", Perm(auth.PermTokensSelf), Doc{Summary: "Revoke an API token", Tag: tagT, Status: http.StatusNoContent},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathID(r, "id")
			if err != nil {
				return err
			}
			if err := s.auth.RevokeToken(r.Context(), actor(r), id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})

	// Policy settings.
	rt.Handle("GET", "/api/v1/policy", Perm(auth.PermPolicyRead), Doc{Summary: "The policy version in force on a date", Tag: tagP, Response: policy.Version{},
		Query: []Param{Q("date", "string", "YYYY-MM-DD, default today").Date()}},
		func(w http.ResponseWriter, r *http.Request) error {
			d := store.Today()
			if q := r.URL.Query().Get("date"); q != "" {
				var err error
				if d, err = store.ParseDate(q); err != nil {
					return errs.FieldError("date", "field.date", nil)
				}
			}
			v, err := s.policy.InForce(r.Context(), d)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, v)
		})
	rt.Handle("GET", "/api/v1/policy/versions", Perm(auth.PermPolicyRead), Doc{Summary: "Every policy version, newest first", Tag: tagP, Response: versionList{}},
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := s.policy.Versions(r.Context())
			if err != nil {
				return err
			}
			return JSON(w, http.StatusOK, versionList{items})
		})
	rt.Handle("POST", "/api/v1/policy/versions", AnyUser(), Doc{Summary: "Save a new policy version with an effective date (policy.edit for county sections, security.edit for security)", Tag: tagP,
		Request: policy.NewVersion{}, Response: policy.Version{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in policy.NewVersion
			if err := Decode(r, &in); err != nil {
				return err
			}
			v, err := s.policy.Save(r.Context(), actor(r), in)
			if err != nil {
				return err
			}
			return JSON(w, http.StatusCreated, v)
		})

	s.auditRoutes(rt, tagA)
}

func (s *Server) writeSession(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.auth.Authenticate(r.Context(), info(r).sessionID, auth.Client{IP: s.clientIP(r), RequestID: info(r).id})
	if err != nil {
		if info(r).sessionID == "" {
			// A bearer token has no session; describe the token's user instead.
			a := actor(r)
			perms := []string{}
			for _, p := range a.Permissions() {
				perms = append(perms, string(p))
			}
			return JSON(w, http.StatusOK, auth.Session{User: auth.SessionUser{ID: a.UserID, Username: a.Username, DisplayName: a.DisplayName},
				Grants: a.Grants, Permissions: perms})
		}
		return err
	}
	return JSON(w, http.StatusOK, sess)
}

// platformCards are the figures of the platform itself: accounts for the
// administrators, audit figures for the audit admin.
type platformCards struct{ s *Server }

func (p platformCards) Cards(ctx context.Context, a auth.Actor) ([]Card, error) {
	var out []Card
	db := p.s.st.R
	count := func(key, q string, args ...any) error {
		var n int64
		if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		out = append(out, Card{key, n})
		return nil
	}
	now := store.Now()
	if a.Has(auth.PermUsersRead) {
		if err := count("users", `SELECT count(*) FROM users WHERE disabled = FALSE`); err != nil {
			return nil, err
		}
		if err := count("users_locked", `SELECT count(*) FROM users WHERE locked_until > $1`, now); err != nil {
			return nil, err
		}
		if err := count("sessions_active", `SELECT count(*) FROM sessions WHERE expires_at > $1`, now); err != nil {
			return nil, err
		}
	}
	if a.Has(auth.PermAuditRead) {
		day := time.Now().Add(-24 * time.Hour)
		for _, c := range []struct{ key, cond string }{
			{"audit_today", ""}, {"audit_denied_today", " AND outcome = 'denied'"}, {"login_failures_today", " AND action = 'login' AND outcome = 'failed'"},
		} {
			if err := count(c.key, `SELECT count(*) FROM audit_log WHERE at >= $1`+c.cond, day.UTC()); err != nil {
				return nil, err
			}
		}
	}
	if a.Has(auth.PermPolicyRead) {
		v, err := p.s.policy.Today(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, Card{"policy_version", int64(v.Version)})
	}
	return out, nil
}

// auditWho is the actor as the audit log sees it, for handlers that record
// reads (exports).
func auditWho(r *http.Request) audit.Who { return actor(r).Who() }
