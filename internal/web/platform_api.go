package web

import (
	"context"
	"net/http"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	dash "edugroup/internal/dashboard"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// Card is one figure on the home dashboard, as the client receives it.
type Card struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
}

// DashboardSource adds the cards a capability can show to an actor.
type DashboardSource = dash.Source

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

	rt.Handle("GET", "/healthz", Public(), Doc{Summary: "Process is up", Tag: tagSys, Response: health{}}, s.healthz)
	rt.Handle("GET", "/readyz", Public(), Doc{Summary: "Store is reachable", Tag: tagSys, Response: health{}}, s.readyz)
	rt.Handle("GET", "/metrics", Perm(auth.PermMetrics), Doc{Summary: "Prometheus metrics", Tag: tagSys, Produces: "text/plain"}, s.metrics)
	rt.Handle("GET", "/api/v1/openapi.json", Public(), Doc{Summary: "This API's OpenAPI document", Tag: tagSys, Response: map[string]any{}}, s.openAPI)

	// Session.
	rt.Handle("POST", "/api/v1/session", Public(), Doc{Summary: "Log in; sets the session cookie", Tag: tagS, Request: loginRequest{}, Response: auth.Session{}},
		s.login)
	rt.Handle("GET", "/api/v1/session", duringChange, Doc{Summary: "The current user, grants and permissions", Tag: tagS, Response: auth.Session{}},
		s.writeSession)
	rt.Handle("DELETE", "/api/v1/session", duringChange, Doc{Summary: "Log out", Tag: tagS, Status: http.StatusNoContent},
		s.logout)
	rt.Handle("PUT", "/api/v1/session/password", duringChange, Doc{Summary: "Change one's own password", Tag: tagS, Request: passwordRequest{}, Response: auth.Session{}},
		s.changePassword)
	rt.Handle("POST", "/api/v1/session/totp/setup", duringChange, Doc{Summary: "Start setting up a TOTP second factor: a new secret and its QR code", Tag: tagS, Response: auth.TOTPSetup{}},
		Call(s.auth.SetupTOTP))
	rt.Handle("POST", "/api/v1/session/totp/enable", duringChange, Doc{Summary: "Confirm the TOTP secret with a code from the app", Tag: tagS, Request: totpCode{}, Response: auth.Session{}},
		s.enableTOTP)
	rt.Handle("PUT", "/api/v1/session/grant", AnyUser(), Doc{Summary: "Switch the active role and scope", Tag: tagS, Request: grantRequest{}, Response: auth.Session{}},
		s.switchGrant)
	rt.Handle("GET", "/api/v1/dashboard", Perm(auth.PermDashboard), Doc{Summary: "Figures the user may see", Tag: tagS, Response: dashboard{}},
		Call(s.dashboard))

	// Users and grants.
	rt.Handle("GET", "/api/v1/users", Perm(auth.PermUsersRead), Doc{Summary: "List accounts", Tag: tagU, Response: List[auth.User]{},
		Query: []Param{Q("q", "string", "username or name contains"), Q("page", "integer", ""), Q("page_size", "integer", "at most 200"),
			Q("sort", "string", "accepted for the web client's table; accounts are listed by username"), Q("order", "string", "asc or desc").OneOf("asc", "desc")}},
		s.listUsers)
	rt.Handle("POST", "/api/v1/users", Perm(auth.PermUsersManage), Doc{Summary: "Create an account with a one-time password", Tag: tagU, Request: auth.NewUser{}, Response: createUserResponse{}, Status: http.StatusCreated},
		Body(http.StatusCreated, s.createUser))
	rt.Handle("GET", "/api/v1/users/{id}", Perm(auth.PermUsersRead), Doc{Summary: "One account", Tag: tagU, Response: auth.User{}},
		ByID(s.auth.GetUser))
	rt.Handle("PATCH", "/api/v1/users/{id}", Perm(auth.PermUsersManage), Doc{Summary: "Rename, disable or enable an account", Tag: tagU, Request: auth.UserPatch{}, Response: auth.User{}},
		ByIDBody(s.auth.UpdateUser))
	rt.Handle("POST", "/api/v1/users/{id}/password-reset", Perm(auth.PermUsersManage), Doc{Summary: "Reset to a one-time password", Tag: tagU, Response: passwordResetResponse{}},
		ByID(s.resetPassword))
	rt.Handle("POST", "/api/v1/users/{id}/unlock", Perm(auth.PermRolesManage), Doc{Summary: "Clear a login lockout", Tag: tagU, Response: auth.User{}},
		ByID(s.auth.Unlock))
	rt.Handle("POST", "/api/v1/users/{id}/totp-reset", Perm(auth.PermRolesManage), Doc{Summary: "Remove a user's second factor (lost phone); they enrol again", Tag: tagU, Response: auth.User{}},
		ByID(s.auth.ResetTOTP))
	rt.Handle("POST", "/api/v1/users/{id}/grants", Perm(auth.PermRolesManage), Doc{Summary: "Grant a role in a scope", Tag: tagU, Request: auth.NewGrant{}, Response: auth.User{}},
		ByIDBody(s.auth.AddGrant))
	rt.Handle("DELETE", "/api/v1/users/{id}/grants/{grant}", Perm(auth.PermRolesManage), Doc{Summary: "Take a role away", Tag: tagU, Response: auth.User{}},
		ByIDs("grant", s.auth.RemoveGrant))
	rt.Handle("GET", "/api/v1/roles", Perm(auth.PermUsersRead), Doc{Summary: "Roles and the scope each takes", Tag: tagU, Response: []roleEntry{}},
		s.roles)

	// API tokens.
	rt.Handle("GET", "/api/v1/tokens", Perm(auth.PermTokensSelf), Doc{Summary: "One's own API tokens (everyone's for the security admin)", Tag: tagT, Response: tokenList{}},
		Call(s.listTokens))
	rt.Handle("POST", "/api/v1/tokens", Perm(auth.PermTokensSelf), Doc{Summary: "Create an API token; the secret is shown once", Tag: tagT, Request: tokenRequest{}, Response: tokenCreated{}, Status: http.StatusCreated},
		Body(http.StatusCreated, s.createToken))
	rt.Handle("DELETE", "/api/v1/tokens/{id}", Perm(auth.PermTokensSelf), Doc{Summary: "Revoke an API token", Tag: tagT, Status: http.StatusNoContent},
		s.revokeToken)

	// Policy settings.
	rt.Handle("GET", "/api/v1/policy", Perm(auth.PermPolicyRead), Doc{Summary: "The policy version in force on a date", Tag: tagP, Response: policy.Version{},
		Query: []Param{Q("date", "string", "YYYY-MM-DD, default today").Date()}},
		s.policyInForce)
	rt.Handle("GET", "/api/v1/policy/versions", Perm(auth.PermPolicyRead), Doc{Summary: "Every policy version, newest first", Tag: tagP, Response: versionList{}},
		Call(s.policyVersions))
	rt.Handle("POST", "/api/v1/policy/versions", AnyUser(), Doc{Summary: "Save a new policy version with an effective date (policy.edit for county sections, security.edit for security)", Tag: tagP,
		Request: policy.NewVersion{}, Response: policy.Version{}, Status: http.StatusCreated},
		Body(http.StatusCreated, s.policy.Save))

	s.auditRoutes(rt, tagA)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return Respond(w, r, http.StatusOK, health{Status: "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.Warn("readyz: store unreachable", "err", err)
		return Respond(w, r, http.StatusServiceUnavailable, health{Status: "unavailable"})
	}
	return Respond(w, r, http.StatusOK, health{Status: "ok"})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	s.MetricsHandler().ServeHTTP(w, r)
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	return Respond(w, r, http.StatusOK, s.OpenAPI())
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
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
	return Respond(w, r, http.StatusOK, sess)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.Logout(r.Context(), actor(r), info(r).sessionID); err != nil {
		return err
	}
	s.setSessionCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
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
}

func (s *Server) enableTOTP(w http.ResponseWriter, r *http.Request) error {
	var in totpCode
	if err := Decode(r, &in); err != nil {
		return err
	}
	if err := s.auth.EnableTOTP(r.Context(), actor(r), in.Code); err != nil {
		return err
	}
	return s.writeSession(w, r)
}

func (s *Server) switchGrant(w http.ResponseWriter, r *http.Request) error {
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
}

// dashboard gathers the platform's cards and every capability's.
func (s *Server) dashboard(ctx context.Context, a auth.Actor) (dashboard, error) {
	out := dashboard{Cards: []Card{}}
	for _, src := range append([]DashboardSource{platformCards{s}}, s.dashboards...) {
		cards, err := src.Cards(ctx, a)
		if err != nil {
			return dashboard{}, err
		}
		for _, c := range cards {
			out.Cards = append(out.Cards, Card{Key: c.Key, Value: c.Value})
		}
	}
	return out, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	page, size := Page(r)
	items, total, err := s.auth.ListUsers(r.Context(), actor(r), r.URL.Query().Get("q"), page, size)
	if err != nil {
		return err
	}
	return Respond(w, r, http.StatusOK, List[auth.User]{items, total, page, size})
}

func (s *Server) createUser(ctx context.Context, a auth.Actor, in auth.NewUser) (createUserResponse, error) {
	u, pw, err := s.auth.CreateUser(ctx, a, in)
	if err != nil {
		return createUserResponse{}, err
	}
	return createUserResponse{u, pw}, nil
}

func (s *Server) resetPassword(ctx context.Context, a auth.Actor, id int64) (passwordResetResponse, error) {
	pw, err := s.auth.ResetPassword(ctx, a, id)
	if err != nil {
		return passwordResetResponse{}, err
	}
	return passwordResetResponse{pw}, nil
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) error {
	out := []roleEntry{}
	for _, ri := range auth.Roles {
		out = append(out, roleEntry{ri.Role, []auth.ScopeType{ri.ScopeType}})
	}
	return Respond(w, r, http.StatusOK, out)
}

func (s *Server) listTokens(ctx context.Context, a auth.Actor) (tokenList, error) {
	items, err := s.auth.ListTokens(ctx, a)
	if err != nil {
		return tokenList{}, err
	}
	return tokenList{items}, nil
}

func (s *Server) createToken(ctx context.Context, a auth.Actor, in tokenRequest) (tokenCreated, error) {
	t, secret, err := s.auth.CreateToken(ctx, a, a.UserID, in.Name, in.ExpiresDays)
	if err != nil {
		return tokenCreated{}, err
	}
	return tokenCreated{secret, t}, nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.auth.RevokeToken(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) policyInForce(w http.ResponseWriter, r *http.Request) error {
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
	return Respond(w, r, http.StatusOK, v)
}

func (s *Server) policyVersions(ctx context.Context, _ auth.Actor) (versionList, error) {
	items, err := s.policy.Versions(ctx)
	if err != nil {
		return versionList{}, err
	}
	return versionList{items}, nil
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
			return Respond(w, r, http.StatusOK, auth.Session{User: auth.SessionUser{ID: a.UserID, Username: a.Username, DisplayName: a.DisplayName},
				Grants: a.Grants, Permissions: perms})
		}
		return err
	}
	return Respond(w, r, http.StatusOK, sess)
}

// platformCards are the figures of the platform itself: accounts for the
// administrators, audit figures for the audit admin.
type platformCards struct{ s *Server }

func (p platformCards) Cards(ctx context.Context, a auth.Actor) ([]dash.Card, error) {
	var out []dash.Card
	db := p.s.st.R
	count := func(key, q string, args ...any) error {
		var n int64
		if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		out = append(out, dash.Card{Key: key, Value: n})
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
		out = append(out, dash.Card{Key: "policy_version", Value: int64(v.Version)})
	}
	return out, nil
}

// auditWho is the actor as the audit log sees it, for handlers that record
// reads (exports).
func auditWho(r *http.Request) audit.Who { return actor(r).Who() }
