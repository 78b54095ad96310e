package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Session is a signed-in browser, as the client sees it.
type Session struct {
	User          SessionUser `json:"user"`
	Grants        []Grant     `json:"grants"`
	ActiveGrantID int64       `json:"active_grant_id"`
	Permissions   []string    `json:"permissions"`
	CSRFToken     string      `json:"csrf_token"`
	IdleTimeout   int         `json:"idle_timeout_seconds"`
	// PasswordRules let the forced password-change page state the rules it
	// cannot read from /policy while the change is pending.
	PasswordRules PasswordRules `json:"password_rules"`
}

// PasswordRules are the password numbers in force.
type PasswordRules struct {
	MinLength  int `json:"min_length"`
	MinClasses int `json:"min_classes"`
	History    int `json:"history"`
	ExpiryDays int `json:"expiry_days"`
}

// SessionUser is the signed-in user.
type SessionUser struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	StaffID            int64      `json:"staff_id,omitempty"` // the user's own staff record
	MustChangePassword bool       `json:"must_change_password"`
	MustEnrollTOTP     bool       `json:"must_enroll_totp"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	PasswordExpiresAt  *time.Time `json:"password_expires_at"`
}

// Client is where a request came from.
type Client struct {
	IP        string
	UserAgent string
	RequestID string
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken stores session ids and API tokens only as hashes, so a copy of
// the database does not let anyone in.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

var errLoginFailed = errs.New(errs.Unauthenticated, "login.failed", nil)

type loginRow struct {
	id             int64
	username, name string
	hash           string
	disabled       bool
	mustChange     bool
	pwChanged      time.Time
	failed         int
	windowStart    sql.NullTime
	lockedUntil    sql.NullTime
	staffID        sql.NullInt64
	totpSecret     string
	totpEnabled    bool
	totpLast       int64
}

// Login checks a password (and, for roles the policy protects, a TOTP code)
// and opens a new session. Every failure answers the
// same, whether the user is unknown, disabled, locked or mistyped. oldSession
// (the cookie the browser sent, if any) is deleted: a new id at every login.
func (s *Service) Login(ctx context.Context, username, password, otpCode, oldSession string, c Client) (Session, string, error) {
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return Session{}, "", err
	}
	username = strings.ToLower(strings.TrimSpace(username))
	who := audit.Who{Username: username, IP: c.IP, RequestID: c.RequestID}
	if len(who.Username) > 64 {
		who.Username = who.Username[:64]
	}
	// The throttle is asked before any password work: a blocked address
	// spends no argon2 time.
	if wait, err := s.throttleWait(ctx, c.IP, username, s.Now()); err != nil {
		return Session{}, "", err
	} else if wait > 0 {
		return Session{}, "", s.throttled(ctx, who, wait)
	}
	release, err := s.slot(ctx)
	if err != nil {
		return Session{}, "", err
	}
	defer release()
	// Every failed login below counts in the address's throttle buckets.
	failed := func(err error) (Session, string, error) {
		if e, ok := errs.As(err); ok && e == errLoginFailed {
			if terr := s.countThrottle(ctx, who, sec, c.IP, username, s.Now()); terr != nil {
				return Session{}, "", terr
			}
		}
		return Session{}, "", err
	}
	var r loginRow
	err = s.st.R.QueryRowContext(ctx, `SELECT id, username, display_name, password_hash, disabled, must_change_password, password_changed_at,
		failed_count, failed_window_start, locked_until, staff_id, totp_secret, totp_enabled, totp_last_step FROM users WHERE username = $1`, username).
		Scan(&r.id, &r.username, &r.name, &r.hash, &r.disabled, &r.mustChange, &r.pwChanged, &r.failed, &r.windowStart, &r.lockedUntil, &r.staffID,
			&r.totpSecret, &r.totpEnabled, &r.totpLast)
	if errors.Is(err, sql.ErrNoRows) {
		burnPasswordCheck(password)
		if err := s.log.Record(ctx, who, audit.Entry{Action: "login", ObjectType: "user", Outcome: audit.Failed, Detail: map[string]any{"reason": "unknown_user"}}); err != nil {
			return Session{}, "", err
		}
		return failed(errLoginFailed)
	}
	if err != nil {
		return Session{}, "", err
	}
	who.UserID = r.id
	now := s.Now()
	fail := func(reason string) (Session, string, error) {
		if err := s.log.Record(ctx, who, audit.Entry{Action: "login", ObjectType: "user", ObjectID: strconv.FormatInt(r.id, 10), Outcome: audit.Failed, Detail: map[string]any{"reason": reason}}); err != nil {
			return Session{}, "", err
		}
		return failed(errLoginFailed)
	}
	if r.lockedUntil.Valid && r.lockedUntil.Time.After(now) {
		burnPasswordCheck(password)
		return fail("locked")
	}
	ok := CheckPassword(password, r.hash)
	if !ok {
		if err := s.recordFailure(ctx, who, r, sec, now); err != nil {
			return Session{}, "", err
		}
		return failed(errLoginFailed)
	}
	if r.disabled {
		return fail("disabled")
	}
	// A second factor, once enabled, is asked for at every login, whether the
	// policy requires it of the user's roles or the user chose it.
	var totpStep int64
	if r.totpEnabled {
		if otpCode == "" {
			return Session{}, "", errs.New(errs.OTPRequired, "login.otp_required", nil)
		}
		step, ok := checkTOTP(r.totpSecret, otpCode, now, r.totpLast)
		if !ok {
			// A wrong code counts toward the lockout like a wrong password.
			if err := s.recordFailure(ctx, who, r, sec, now); err != nil {
				return Session{}, "", err
			}
			return failed(errLoginFailed)
		}
		totpStep = step
	}
	id := randomToken(32)
	csrf := randomToken(32)
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if oldSession != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashToken(oldSession)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, failed_window_start = NULL, locked_until = NULL, last_login_at = $1 WHERE id = $2`, now, r.id); err != nil {
			return err
		}
		if totpStep > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2`, totpStep, r.id); err != nil {
				return err
			}
		}
		// A login that succeeds clears its own address-and-username bucket
		// (not the address's: one good account must not launder a spray).
		if c.IP != "" {
			_, pair := throttleBuckets(c.IP, username)
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE bucket = $1`, pair); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`, hashToken(id), r.id, csrf, c.IP, truncate(c.UserAgent, 300), now,
			now.Add(time.Duration(sec.SessionAbsoluteHours)*time.Hour)); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, who, audit.Entry{Action: "login", ObjectType: "user", ObjectID: strconv.FormatInt(r.id, 10)})
	})
	if err != nil {
		return Session{}, "", err
	}
	sess, _, err := s.Authenticate(ctx, id, c)
	return sess, id, err
}

// recordFailure counts a wrong password and locks the account when the count
// within the window reaches the threshold. The counter lives in the database
// so the limit holds across instances.
func (s *Service) recordFailure(ctx context.Context, who audit.Who, r loginRow, sec SecurityPolicy, now time.Time) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		// Re-read under the write lock: concurrent failures must all count.
		var failed int
		var start sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT failed_count, failed_window_start FROM users WHERE id = $1`+forUpdate(s.st), r.id).Scan(&failed, &start); err != nil {
			return err
		}
		window := time.Duration(sec.LockoutWindowMinutes) * time.Minute
		if !start.Valid || now.Sub(start.Time) > window {
			failed, start = 0, sql.NullTime{Time: now, Valid: true}
		}
		failed++
		var locked any
		if failed >= sec.LockoutThreshold {
			locked = now.Add(time.Duration(sec.LockoutMinutes) * time.Minute)
		}
		if locked != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, failed_window_start = NULL, locked_until = $1 WHERE id = $2`, locked, r.id); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = $1, failed_window_start = $2 WHERE id = $3`, failed, start.Time, r.id); err != nil {
			return err
		}
		if err := s.log.Append(ctx, tx, who, audit.Entry{Action: "login", ObjectType: "user", ObjectID: strconv.FormatInt(r.id, 10), Outcome: audit.Failed,
			Detail: map[string]any{"reason": "bad_password", "failures_in_window": failed}}); err != nil {
			return err
		}
		if locked != nil {
			return s.log.Append(ctx, tx, who, audit.Entry{Action: "account.lock", ObjectType: "user", ObjectID: strconv.FormatInt(r.id, 10), Outcome: audit.OK,
				Detail: map[string]any{"locked_until": locked, "threshold": sec.LockoutThreshold}})
		}
		return nil
	})
}

func forUpdate(st *store.Store) string {
	if st.Dialect == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate resolves a session id into the session and its actor. It
// enforces the idle and absolute timeouts and touches last_seen_at at most
// once a minute, so reads stay reads.
func (s *Service) Authenticate(ctx context.Context, id string, c Client) (Session, Actor, error) {
	if id == "" {
		return Session{}, Actor{}, errs.New(errs.Unauthenticated, "error.unauthenticated", nil)
	}
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return Session{}, Actor{}, err
	}
	h := hashToken(id)
	var (
		sess              Session
		active            sql.NullInt64
		lastSeen, expires time.Time
		pwChanged         time.Time
		disabled          bool
		staffID           sql.NullInt64
	)
	// One query reads the session, its user and every grant with its scope's
	// name: this runs on every request, so it is one round trip, not two.
	rows, err := s.st.R.QueryContext(ctx, `SELECT s.active_grant_id, s.csrf_token, s.last_seen_at, s.expires_at,
		u.id, u.username, u.display_name, u.must_change_password, u.password_changed_at, u.disabled, u.staff_id, u.totp_enabled,
		g.id, g.role, g.scope_type, g.scope_id, COALESCE(eg.name, sc.name, st.name, '')
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN role_grants g ON g.user_id = u.id
		LEFT JOIN edu_groups eg ON g.scope_type = 'group' AND eg.id = g.scope_id
		LEFT JOIN schools sc ON g.scope_type = 'school' AND sc.id = g.scope_id
		LEFT JOIN staff st ON g.scope_type = 'self' AND st.id = u.staff_id
		WHERE s.id_hash = $1 ORDER BY g.id`, h)
	if err != nil {
		return Session{}, Actor{}, err
	}
	found := false
	sess.Grants = []Grant{}
	for rows.Next() {
		var gid, scopeID sql.NullInt64
		var role, scopeType, scopeName sql.NullString
		if err := rows.Scan(&active, &sess.CSRFToken, &lastSeen, &expires, &sess.User.ID, &sess.User.Username, &sess.User.DisplayName,
			&sess.User.MustChangePassword, &pwChanged, &disabled, &staffID, &sess.User.TOTPEnabled,
			&gid, &role, &scopeType, &scopeID, &scopeName); err != nil {
			rows.Close()
			return Session{}, Actor{}, err
		}
		found = true
		if gid.Valid {
			sess.Grants = append(sess.Grants, Grant{ID: gid.Int64, Role: Role(role.String), ScopeType: ScopeType(scopeType.String), ScopeID: scopeID.Int64, ScopeName: scopeName.String})
		}
	}
	if err := rows.Close(); err != nil {
		return Session{}, Actor{}, err
	}
	if !found {
		return Session{}, Actor{}, errs.New(errs.Unauthenticated, "error.session_ended", nil)
	}
	now := s.Now()
	idle := time.Duration(sec.SessionIdleMinutes) * time.Minute
	if disabled || !now.Before(expires) || now.Sub(lastSeen) > idle {
		_, _ = s.st.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h)
		return Session{}, Actor{}, errs.New(errs.Unauthenticated, "error.session_ended", nil)
	}
	if now.Sub(lastSeen) > time.Minute {
		if _, err := s.st.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, now, h); err != nil {
			return Session{}, Actor{}, err
		}
	}
	var chosen []Grant
	for _, g := range sess.Grants {
		if active.Valid && g.ID == active.Int64 {
			chosen = []Grant{g}
		}
	}
	if chosen == nil && len(sess.Grants) > 0 {
		chosen = sess.Grants[:1]
	}
	if len(chosen) == 1 {
		sess.ActiveGrantID = chosen[0].ID
	}
	if sec.PasswordExpiryDays > 0 {
		exp := pwChanged.UTC().AddDate(0, 0, sec.PasswordExpiryDays)
		sess.User.PasswordExpiresAt = &exp
		if !now.Before(exp) {
			sess.User.MustChangePassword = true
		}
	}
	sess.User.MustEnrollTOTP = !sess.User.TOTPEnabled && totpRequired(sec, sess.Grants)
	sess.IdleTimeout = int(idle.Seconds())
	sess.User.StaffID = staffID.Int64
	sess.PasswordRules = PasswordRules{MinLength: sec.PasswordMinLength, MinClasses: sec.PasswordMinClasses, History: sec.PasswordHistory, ExpiryDays: sec.PasswordExpiryDays}
	a := Actor{UserID: sess.User.ID, Username: sess.User.Username, DisplayName: sess.User.DisplayName, StaffID: staffID.Int64,
		Grants: chosen, IP: c.IP, RequestID: c.RequestID, MustChangePassword: sess.User.MustChangePassword, MustEnrollTOTP: sess.User.MustEnrollTOTP}
	sess.Permissions = []string{}
	if !a.MustChangePassword && !a.MustEnrollTOTP {
		for _, p := range a.Permissions() {
			sess.Permissions = append(sess.Permissions, string(p))
		}
	}
	return sess, a, nil
}

// CheckCSRF compares the request's token with the session's in constant time.
func CheckCSRF(sess Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRFToken), []byte(token)) == 1
}

// Logout deletes the session row at once.
func (s *Service) Logout(ctx context.Context, a Actor, id string) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashToken(id)); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "logout", ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10)})
	})
}

// SwitchGrant makes another of the user's grants the active one.
func (s *Service) SwitchGrant(ctx context.Context, a Actor, id string, grantID int64) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM role_grants WHERE id = $1 AND user_id = $2`, grantID, a.UserID).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return errs.FieldError("grant_id", "grant.not_yours", nil)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET active_grant_id = $1 WHERE id_hash = $2`, grantID, hashToken(id)); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "session.switch_role", ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10),
			Detail: map[string]any{"grant_id": grantID}})
	})
}

// ChangePassword sets a new password after checking the old one, the policy
// and the history. Other sessions of the user end; this one stays.
func (s *Service) ChangePassword(ctx context.Context, a Actor, sessionID, oldPw, newPw string) error {
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return err
	}
	var hash string
	if err := s.st.R.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, a.UserID).Scan(&hash); err != nil {
		return err
	}
	if !CheckPassword(oldPw, hash) {
		return errs.FieldError("old_password", "password.old_wrong", nil)
	}
	if err := CheckPasswordPolicy(sec, "new_password", a.Username, newPw); err != nil {
		return err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT `+strconv.Itoa(max(sec.PasswordHistory, 1)), a.UserID)
	if err != nil {
		return err
	}
	var history []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		history = append(history, h)
	}
	rows.Close()
	for _, h := range history {
		if CheckPassword(newPw, h) {
			return errs.FieldError("new_password", "password.reused", errs.Args{"n": sec.PasswordHistory})
		}
	}
	newHash, err := HashPassword(newPw)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = FALSE, password_changed_at = $2, updated_at = $2, version = version + 1 WHERE id = $3`,
			newHash, now, a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, a.UserID, newHash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, a.UserID, hashToken(sessionID)); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "user.password_change", ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10)})
	})
}

// PurgeExpiredSessions deletes sessions past their absolute expiry.
func (s *Service) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.st.W.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, s.Now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetPassword is the command line's reset: a given password, checked against
// the policy, or a random one-time password when pw is empty.
func (s *Service) SetPassword(ctx context.Context, a Actor, userID int64, pw string) (string, error) {
	if pw == "" {
		return s.ResetPassword(ctx, a, userID)
	}
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return "", err
	}
	var username string
	if err := s.st.R.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, userID).Scan(&username); err != nil {
		return "", errs.NotFoundError("user")
	}
	if err := CheckPasswordPolicy(sec, "password", username, pw); err != nil {
		return "", err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	return "", s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = FALSE, password_changed_at = $2, failed_count = 0, locked_until = NULL, updated_at = $2, version = version + 1 WHERE id = $3`, hash, now, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, userID, hash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "user.password_set", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10)})
	})
}
