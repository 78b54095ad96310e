package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/errs"
)

// Token is an API token as its owner sees it; the secret is shown only once,
// at creation, and stored only as a hash.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenPrefix starts every API token, so leaked tokens are easy to spot.
const TokenPrefix = "edg_"

// CreateToken makes a bearer token for userID, valid for days. A user makes
// tokens for themselves; the system (command line) for anyone.
func (s *Service) CreateToken(ctx context.Context, a Actor, userID int64, name string, days int) (Token, string, error) {
	if !a.System && (userID != a.UserID || !a.Has(PermTokensSelf)) {
		return Token{}, "", errs.ForbiddenError()
	}
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return Token{}, "", err
	}
	name = strings.TrimSpace(name)
	var f errs.Fields
	if name == "" || len([]rune(name)) > 60 {
		f.Add("name", "field.required_max", errs.Args{"max": 60})
	}
	if days <= 0 || days > sec.TokenMaxDays {
		f.Add("expires_days", "token.days", errs.Args{"max": sec.TokenMaxDays})
	}
	if err := f.Err(); err != nil {
		return Token{}, "", err
	}
	secret := TokenPrefix + randomToken(30)
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			userID, name, secret[:10], hashToken(secret), now, now.AddDate(0, 0, days)).Scan(&id)
		if err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "token.create", ObjectType: "api_token", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"user_id": userID, "name": name, "days": days}})
	})
	if err != nil {
		return Token{}, "", err
	}
	t, err := s.getToken(ctx, id)
	return t, secret, err
}

const tokenCols = `t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &t.Prefix, &t.CreatedAt, &t.ExpiresAt, &used, &revoked)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if used.Valid {
		u := used.Time.UTC()
		t.LastUsedAt = &u
	}
	if revoked.Valid {
		r := revoked.Time.UTC()
		t.RevokedAt = &r
	}
	return t, err
}

func (s *Service) getToken(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(s.st.W.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.NotFoundError("token")
	}
	return t, err
}

// ListTokens lists the actor's own tokens, or everyone's for a holder of
// tokens.admin.
func (s *Service) ListTokens(ctx context.Context, a Actor) ([]Token, error) {
	q := `SELECT ` + tokenCols + ` FROM api_tokens t JOIN users u ON u.id = t.user_id`
	var args []any
	if !a.Has(PermTokensAdmin) {
		q += ` WHERE t.user_id = $1`
		args = append(args, a.UserID)
	}
	rows, err := s.st.R.QueryContext(ctx, q+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token at once. Someone else's token answers not found
// unless the actor holds tokens.admin.
func (s *Service) RevokeToken(ctx context.Context, a Actor, id int64) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var owner int64
		var revoked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT user_id, revoked_at FROM api_tokens WHERE id = $1`, id).Scan(&owner, &revoked)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != a.UserID && !a.Has(PermTokensAdmin) && !a.System) {
			return errs.NotFoundError("token")
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, s.Now(), id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "token.revoke", ObjectType: "api_token", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"user_id": owner}})
	})
}

// AuthenticateToken resolves a bearer token into an actor holding every grant
// of the token's user.
func (s *Service) AuthenticateToken(ctx context.Context, secret string, c Client) (Actor, error) {
	fail := errs.New(errs.Unauthenticated, "error.token_invalid", nil)
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Actor{}, fail
	}
	var (
		id, uid    int64
		expires    time.Time
		revoked    sql.NullTime
		used       sql.NullTime
		a          Actor
		disabled   bool
		mustChange bool
		staff      sql.NullInt64
	)
	err := s.st.R.QueryRowContext(ctx, `SELECT t.id, t.user_id, t.expires_at, t.revoked_at, t.last_used_at, u.username, u.display_name, u.disabled, u.must_change_password, u.staff_id
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, hashToken(secret)).
		Scan(&id, &uid, &expires, &revoked, &used, &a.Username, &a.DisplayName, &disabled, &mustChange, &staff)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Actor{}, fail
		}
		return Actor{}, err
	}
	now := s.Now()
	if revoked.Valid || !now.Before(expires) || disabled {
		return Actor{}, fail
	}
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		if _, err := s.st.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id); err != nil {
			return Actor{}, err
		}
	}
	grants, err := s.grantsOf(ctx, s.st.R, []int64{uid})
	if err != nil {
		return Actor{}, err
	}
	a.UserID, a.StaffID, a.Grants, a.IP, a.RequestID = uid, staff.Int64, grants[uid], c.IP, c.RequestID
	a.MustChangePassword = mustChange
	return a, nil
}
