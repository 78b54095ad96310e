package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// SecuritySource gives the security numbers in force now. The policy package
// implements it; auth does not import policy, which itself needs auth.
type SecuritySource interface {
	Security(ctx context.Context) (SecurityPolicy, error)
}

// Service holds accounts, grants, sessions and tokens.
type Service struct {
	// hashing bounds concurrent argon2 work (19 MiB each): a flood of logins
	// queues here instead of exhausting memory, and past HashWait is refused.
	hashing chan struct{}
	st      *store.Store
	log     *audit.Log
	sec     SecuritySource
	// Now is the clock; tests move it to expire sessions and lockouts.
	Now func() time.Time
}

// NewService wires the account service.
func NewService(st *store.Store, log *audit.Log, sec SecuritySource) *Service {
	return &Service{st: st, log: log, sec: sec, Now: store.Now, hashing: make(chan struct{}, max(2, runtime.NumCPU()))}
}

// User is an account as the admins see it.
type User struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	Disabled           bool       `json:"disabled"`
	MustChangePassword bool       `json:"must_change_password"`
	LockedUntil        *time.Time `json:"locked_until"`
	LastLoginAt        *time.Time `json:"last_login_at"`
	StaffID            *int64     `json:"staff_id"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	CreatedAt          time.Time  `json:"created_at"`
	Version            int        `json:"version"`
	Grants             []Grant    `json:"grants"`
}

var usernameRe = regexp.MustCompile(`^[a-z][a-z0-9_.-]{2,31}$`)

// NewUser is the input of CreateUser.
type NewUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	// Password is optional: without one a random one-time password is made
	// and the user must change it at first login.
	Password string `json:"password,omitempty"`
	StaffID  *int64 `json:"staff_id,omitempty"`
	// Grants are given in the same transaction, so an account never exists
	// without the roles it was made for (the first admin, `user create
	// --role`). The API gives roles one by one instead.
	Grants []NewGrant `json:"-"`
}

// CreateUser makes an account and returns it with the one-time password when
// one was generated.
func (s *Service) CreateUser(ctx context.Context, a Actor, in NewUser) (User, string, error) {
	if !a.Has(PermUsersManage) {
		return User{}, "", errs.ForbiddenError()
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var f errs.Fields
	if !usernameRe.MatchString(in.Username) {
		f.Add("username", "user.username_format", nil)
	}
	if in.DisplayName == "" || len([]rune(in.DisplayName)) > 50 {
		f.Add("display_name", "field.required_max", errs.Args{"max": 50})
	}
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return User{}, "", err
	}
	oneTime := ""
	mustChange := false
	if in.Password == "" {
		oneTime = RandomPassword()
		in.Password = oneTime
		mustChange = true
	} else if err := CheckPasswordPolicy(sec, "password", in.Username, in.Password); err != nil {
		if e, ok := errs.As(err); ok {
			for _, d := range e.Details {
				f.Add(d.Field, d.Key, d.Args)
			}
		}
	}
	if err := f.Err(); err != nil {
		return User{}, "", err
	}
	if len(in.Grants) > 0 && !a.Has(PermRolesManage) {
		return User{}, "", errs.ForbiddenError()
	}
	for _, g := range in.Grants {
		if err := grantShape(g); err != nil {
			return User{}, "", err
		}
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, "", err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, password_hash, must_change_password, password_changed_at, staff_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, in.Username, in.DisplayName, hash, mustChange, now, in.StaffID, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Key: "user.username_taken", Details: []errs.Detail{{Field: "username", Key: "user.username_taken"}}}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, id, hash, now); err != nil {
			return err
		}
		if err := s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"username": in.Username, "display_name": in.DisplayName, "staff_id": in.StaffID, "one_time_password": oneTime != ""}}}); err != nil {
			return err
		}
		u := User{ID: id, StaffID: in.StaffID}
		for _, g := range in.Grants {
			if err := s.insertGrant(ctx, tx, a, u, g); err != nil {
				return err
			}
			u.Grants = append(u.Grants, Grant{Role: g.Role, ScopeType: g.ScopeType, ScopeID: g.ScopeID})
		}
		return nil
	})
	if err != nil {
		return User{}, "", err
	}
	u, err := s.getUser(ctx, s.st.W, id)
	return u, oneTime, err
}

// RandomPassword makes a one-time password that satisfies every class rule.
func RandomPassword() string {
	const (
		lower = "abcdefghijkmnpqrstuvwxyz"
		upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digit = "23456789"
		other = "!@#%*+=?"
	)
	sets := []string{lower, upper, digit, other, lower, upper, digit, lower, upper, digit, lower, digit, other, upper, lower, digit}
	b := make([]byte, len(sets))
	r := make([]byte, len(sets))
	if _, err := rand.Read(r); err != nil {
		panic(err)
	}
	for i, set := range sets {
		b[i] = set[int(r[i])%len(set)]
	}
	return string(b)
}

const userCols = `id, username, display_name, disabled, must_change_password, locked_until, last_login_at, staff_id, totp_enabled, created_at, version`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked, last sql.NullTime
	var staff sql.NullInt64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &u.MustChangePassword, &locked, &last, &staff, &u.TOTPEnabled, &u.CreatedAt, &u.Version)
	if locked.Valid {
		t := locked.Time.UTC()
		u.LockedUntil = &t
	}
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	if staff.Valid {
		u.StaffID = &staff.Int64
	}
	u.CreatedAt = u.CreatedAt.UTC()
	u.Grants = []Grant{}
	return u, err
}

func (s *Service) getUser(ctx context.Context, q store.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.NotFoundError("user")
	}
	if err != nil {
		return u, err
	}
	if u.LockedUntil != nil && !u.LockedUntil.After(s.Now()) {
		u.LockedUntil = nil
	}
	grants, err := s.grantsOf(ctx, q, []int64{id})
	u.Grants = append(u.Grants, grants[id]...)
	return u, err
}

// GetUser returns one account.
func (s *Service) GetUser(ctx context.Context, a Actor, id int64) (User, error) {
	if !a.Has(PermUsersRead) {
		return User{}, errs.ForbiddenError()
	}
	return s.getUser(ctx, s.st.R, id)
}

// ListUsers returns a page of accounts matching q (username or name).
func (s *Service) ListUsers(ctx context.Context, a Actor, q string, page, size int) ([]User, int, error) {
	if !a.Has(PermUsersRead) {
		return nil, 0, errs.ForbiddenError()
	}
	where := ""
	var args []any
	if q = strings.TrimSpace(q); q != "" {
		where = ` WHERE username LIKE $1 ESCAPE '\' OR display_name LIKE $1 ESCAPE '\'`
		args = append(args, store.Contains(q))
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT `+userCols+` FROM users`+where+` ORDER BY username LIMIT `+strconv.Itoa(size)+` OFFSET `+strconv.Itoa((page-1)*size), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []User{}
	var ids []int64
	now := s.Now()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		if u.LockedUntil != nil && !u.LockedUntil.After(now) {
			u.LockedUntil = nil
		}
		out = append(out, u)
		ids = append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	grants, err := s.grantsOf(ctx, s.st.R, ids)
	for i := range out {
		out[i].Grants = append(out[i].Grants, grants[out[i].ID]...)
	}
	return out, total, err
}

// grantsOf loads the grants of several users with their scopes' names.
func (s *Service) grantsOf(ctx context.Context, q store.Querier, ids []int64) (map[int64][]Grant, error) {
	out := map[int64][]Grant{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT g.user_id, g.id, g.role, g.scope_type, g.scope_id,
		COALESCE(eg.name, sc.name, st.name, '')
		FROM role_grants g
		LEFT JOIN edu_groups eg ON g.scope_type = 'group' AND eg.id = g.scope_id
		LEFT JOIN schools sc ON g.scope_type = 'school' AND sc.id = g.scope_id
		LEFT JOIN users u ON g.scope_type = 'self' AND u.id = g.user_id
		LEFT JOIN staff st ON g.scope_type = 'self' AND st.id = u.staff_id
		WHERE g.user_id IN (`+strings.Join(ph, ",")+`) ORDER BY g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var g Grant
		if err := rows.Scan(&uid, &g.ID, &g.Role, &g.ScopeType, &g.ScopeID, &g.ScopeName); err != nil {
			return nil, err
		}
		out[uid] = append(out[uid], g)
	}
	return out, rows.Err()
}

// UserPatch is the editable part of an account.
type UserPatch struct {
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
	Version     int     `json:"version"`
}

// UpdateUser changes the name or disables/enables an account. Disabling ends
// the user's sessions at once.
func (s *Service) UpdateUser(ctx context.Context, a Actor, id int64, p UserPatch) (User, error) {
	if !a.Has(PermUsersManage) {
		return User{}, errs.ForbiddenError()
	}
	if p.DisplayName != nil {
		n := strings.TrimSpace(*p.DisplayName)
		if n == "" || len([]rune(n)) > 50 {
			return User{}, errs.FieldError("display_name", "field.required_max", errs.Args{"max": 50})
		}
		p.DisplayName = &n
	}
	if p.Disabled != nil && *p.Disabled && id == a.UserID {
		return User{}, errs.RuleError("self_disable", "user.self_disable", nil)
	}
	if err := s.guardTriad(ctx, s.st.R, a, id, "user.update"); err != nil {
		return User{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != p.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		after := before
		if p.DisplayName != nil {
			after.DisplayName = *p.DisplayName
		}
		if p.Disabled != nil {
			after.Disabled = *p.Disabled
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1, disabled = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5`,
			after.DisplayName, after.Disabled, s.Now(), id, p.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if after.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		action := "user.update"
		if after.Disabled != before.Disabled {
			action = map[bool]string{true: "user.disable", false: "user.enable"}[after.Disabled]
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: action, ObjectType: "user", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{
				"before": map[string]any{"display_name": before.DisplayName, "disabled": before.Disabled},
				"after":  map[string]any{"display_name": after.DisplayName, "disabled": after.Disabled}}})
	})
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, s.st.W, id)
}

// ResetPassword gives the user a new one-time password, forces a change at
// next login and ends their sessions.
func (s *Service) ResetPassword(ctx context.Context, a Actor, id int64) (string, error) {
	if !a.Has(PermUsersManage) {
		return "", errs.ForbiddenError()
	}
	if err := s.guardTriad(ctx, s.st.R, a, id, "user.password_reset"); err != nil {
		return "", err
	}
	pw := RandomPassword()
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = TRUE, password_changed_at = $2,
			failed_count = 0, locked_until = NULL, version = version + 1, updated_at = $2 WHERE id = $3`, hash, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.NotFoundError("user")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "user.password_reset", ObjectType: "user", ObjectID: strconv.FormatInt(id, 10)})
	})
	return pw, err
}

// Unlock clears a login lockout.
func (s *Service) Unlock(ctx context.Context, a Actor, id int64) (User, error) {
	if !a.Has(PermRolesManage) {
		return User{}, errs.ForbiddenError()
	}
	if err := s.guardTriad(ctx, s.st.R, a, id, "user.unlock"); err != nil {
		return User{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, failed_window_start = NULL, locked_until = NULL, updated_at = $1 WHERE id = $2`, s.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.NotFoundError("user")
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "user.unlock", ObjectType: "user", ObjectID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, s.st.W, id)
}

// NewGrant is the input of AddGrant.
type NewGrant struct {
	Role      Role      `json:"role"`
	ScopeType ScopeType `json:"scope_type"`
	ScopeID   int64     `json:"scope_id"`
}

// AddGrant gives a user a role in a scope, enforcing separation of duties.
func (s *Service) AddGrant(ctx context.Context, a Actor, userID int64, g NewGrant) (User, error) {
	if !a.Has(PermRolesManage) {
		return User{}, errs.ForbiddenError()
	}
	if err := grantShape(g); err != nil {
		return User{}, err
	}
	if userID == a.UserID && !a.System {
		return User{}, errs.RuleError("self_grant", "grant.self", nil)
	}
	if err := s.guardTriad(ctx, s.st.R, a, userID, "grant.add"); err != nil {
		return User{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		return s.insertGrant(ctx, tx, a, u, g)
	})
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, s.st.W, userID)
}

// grantShape checks what a grant says by itself: a known role in the scope
// type it is defined for.
func grantShape(g NewGrant) error {
	info, ok := Info(g.Role)
	if !ok {
		return errs.FieldError("role", "grant.unknown_role", nil)
	}
	if g.ScopeType != info.ScopeType {
		return errs.FieldError("scope_type", "grant.scope_type", errs.Args{"want": string(info.ScopeType)})
	}
	return nil
}

// insertGrant gives u (with the grants it holds) the role g inside tx, after
// the checks that need the store: the scope exists and suits the account,
// and the duties stay separate.
func (s *Service) insertGrant(ctx context.Context, tx *sql.Tx, a Actor, u User, g NewGrant) error {
	if err := checkScope(ctx, tx, g, u); err != nil {
		return err
	}
	if err := separateDuties(g.Role, u.Grants); err != nil {
		return err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO role_grants (user_id, role, scope_type, scope_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.ID, g.Role, g.ScopeType, g.ScopeID, nullID(a.UserID), s.Now()).Scan(&id)
	if store.IsUniqueViolation(err) {
		return errs.ConflictError("grant.duplicate", nil)
	}
	if err != nil {
		return err
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "grant.add", ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10),
		Detail: map[string]any{"after": map[string]any{"grant_id": id, "role": g.Role, "scope_type": g.ScopeType, "scope_id": g.ScopeID}}})
}

// separateDuties refuses a grant that would put two of the three admin roles
// on one account, or an admin role beside a business role: an administrator
// account administers and does nothing else, so no admin can also act on the
// data whose trace or access they control.
func separateDuties(role Role, held []Grant) error {
	for _, h := range held {
		switch {
		case isAdmin(role) && isAdmin(h.Role) && h.Role != role:
			return errs.RuleError("separation_of_duties", "grant.separation", errs.Args{"held": string(h.Role)})
		case isAdmin(role) != isAdmin(h.Role):
			return errs.RuleError("admin_no_business", "grant.admin_no_business", errs.Args{"held": string(h.Role)})
		}
	}
	return nil
}

func checkScope(ctx context.Context, tx *sql.Tx, g NewGrant, u User) error {
	var q string
	switch g.ScopeType {
	case ScopeCounty:
		if g.ScopeID != 0 {
			return errs.FieldError("scope_id", "grant.county_scope", nil)
		}
		return nil
	case ScopeSelf:
		if u.StaffID == nil {
			return errs.RuleError("teacher_needs_staff", "grant.teacher_needs_staff", nil)
		}
		if g.ScopeID != 0 {
			return errs.FieldError("scope_id", "grant.county_scope", nil)
		}
		return nil
	case ScopeGroup:
		q = `SELECT count(*) FROM edu_groups WHERE id = $1`
	case ScopeSchool:
		q = `SELECT count(*) FROM schools WHERE id = $1`
	}
	var n int
	if err := tx.QueryRowContext(ctx, q, g.ScopeID).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return errs.FieldError("scope_id", "grant.scope_missing", nil)
	}
	return nil
}

// guardTriad enforces 三权分立 on every action one account takes on
// another: a holder of one of the three admin roles may not reset, rename,
// disable, enable, unlock, re-grant or remove the second factor of an account
// that holds another of them, or the three would not check each other (a
// system admin could reset the audit admin's password, sign in as them and
// erase nothing but read everything, or grant themselves a business role).
// Such accounts are recovered on the server with the command line (System),
// which is audited. The refused attempt is audited too.
func (s *Service) guardTriad(ctx context.Context, q store.Querier, a Actor, targetID int64, action string) error {
	if a.System {
		return nil
	}
	var mine []Role
	for _, g := range a.Grants {
		if isAdmin(g.Role) {
			mine = append(mine, g.Role)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	grants, err := s.grantsOf(ctx, q, []int64{targetID})
	if err != nil {
		return err
	}
	for _, g := range grants[targetID] {
		if !isAdmin(g.Role) {
			continue
		}
		for _, m := range mine {
			if m != g.Role {
				return s.refuseTriad(ctx, a, targetID, action, g.Role)
			}
		}
	}
	return nil
}

// refuseTriad records a refused account action on another admin and answers
// the rule it broke.
func (s *Service) refuseTriad(ctx context.Context, a Actor, targetID int64, action string, held Role) error {
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "access.denied", ObjectType: "user", ObjectID: strconv.FormatInt(targetID, 10),
		Outcome: audit.Denied, Detail: map[string]any{"reason": "separation_of_duties", "attempted": action, "target_role": string(held)}}); err != nil {
		return err
	}
	return errs.RuleError("separation_of_duties", "user.triad_protected", errs.Args{"role": string(held)})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RemoveGrant takes a role away; the user's sessions end so the change holds at once.
func (s *Service) RemoveGrant(ctx context.Context, a Actor, userID, grantID int64) (User, error) {
	if !a.Has(PermRolesManage) {
		return User{}, errs.ForbiddenError()
	}
	if userID == a.UserID && !a.System {
		return User{}, errs.RuleError("self_grant", "grant.self", nil)
	}
	if err := s.guardTriad(ctx, s.st.R, a, userID, "grant.remove"); err != nil {
		return User{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var g Grant
		err := tx.QueryRowContext(ctx, `SELECT id, role, scope_type, scope_id FROM role_grants WHERE id = $1 AND user_id = $2`, grantID, userID).
			Scan(&g.ID, &g.Role, &g.ScopeType, &g.ScopeID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("grant")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM role_grants WHERE id = $1`, grantID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "grant.remove", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
			Detail: map[string]any{"before": map[string]any{"grant_id": g.ID, "role": g.Role, "scope_type": g.ScopeType, "scope_id": g.ScopeID}}})
	})
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, s.st.W, userID)
}

// UserIDByName finds an account for the command line.
func (s *Service) UserIDByName(ctx context.Context, username string) (int64, error) {
	var id int64
	err := s.st.R.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, strings.ToLower(username)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.NotFoundError("user")
	}
	return id, err
}

// CountUsers tells whether the install has any account yet.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}
