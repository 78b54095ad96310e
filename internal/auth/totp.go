package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"image/png"
	"strconv"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"edugroup/internal/audit"
	"edugroup/internal/errs"
)

// TOTP is the second factor the 等保 level-3 profile asks of chosen roles
// (SecurityPolicy.TOTPRoles). Codes are RFC 6238: 6 digits, 30-second steps,
// one step of clock skew either way, and never the same step twice.

// TOTPSetup is what an authenticator app needs to enrol.
type TOTPSetup struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	QRCode     string `json:"qr_code"` // data:image/png;base64,…
}

const totpPeriod = 30

// totpRequired reports whether any of the roles is one the policy protects
// with a second factor.
func totpRequired(sec SecurityPolicy, grants []Grant) bool {
	for _, g := range grants {
		for _, r := range sec.TOTPRoles {
			if string(g.Role) == r {
				return true
			}
		}
	}
	return false
}

// checkTOTP validates code against secret and returns the time step it
// matched, refusing steps at or before lastStep (replays).
func checkTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step - 1, step, step + 1} {
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && want == code {
			return s, true
		}
	}
	return 0, false
}

// SetupTOTP makes a new (not yet confirmed) secret for the actor.
func (s *Service) SetupTOTP(ctx context.Context, a Actor) (TOTPSetup, error) {
	var enabled bool
	if err := s.st.R.QueryRowContext(ctx, `SELECT totp_enabled FROM users WHERE id = $1`, a.UserID).Scan(&enabled); err != nil {
		return TOTPSetup{}, err
	}
	if enabled {
		return TOTPSetup{}, errs.RuleError("totp_enabled", "totp.already_enabled", nil)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "EduGroup", AccountName: a.Username, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPSetup{}, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPSetup{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPSetup{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = FALSE, updated_at = $2 WHERE id = $3`, key.Secret(), s.Now(), a.UserID); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "totp.setup", ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10)})
	})
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), OTPAuthURL: key.URL(), QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// EnableTOTP confirms the pending secret with a code from the app.
func (s *Service) EnableTOTP(ctx context.Context, a Actor, code string) error {
	var secret string
	var enabled bool
	var last int64
	if err := s.st.R.QueryRowContext(ctx, `SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = $1`, a.UserID).Scan(&secret, &enabled, &last); err != nil {
		return err
	}
	if enabled {
		return errs.RuleError("totp_enabled", "totp.already_enabled", nil)
	}
	if secret == "" {
		return errs.RuleError("totp_setup_first", "totp.setup_first", nil)
	}
	step, ok := checkTOTP(secret, code, s.Now(), last)
	if !ok {
		return errs.FieldError("code", "totp.wrong_code", nil)
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = TRUE, totp_last_step = $1, updated_at = $2 WHERE id = $3`, step, s.Now(), a.UserID); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "totp.enable", ObjectType: "user", ObjectID: strconv.FormatInt(a.UserID, 10)})
	})
}

// ResetTOTP removes a user's second factor (a lost phone); they enrol again
// at their next login. Their sessions end.
func (s *Service) ResetTOTP(ctx context.Context, a Actor, userID int64) (User, error) {
	if !a.Has(PermRolesManage) {
		return User{}, errs.ForbiddenError()
	}
	if err := s.guardTriad(ctx, s.st.R, a, userID, "totp.reset"); err != nil {
		return User{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_enabled = FALSE, totp_last_step = 0, updated_at = $1 WHERE id = $2`, s.Now(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.NotFoundError("user")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "totp.reset", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10)})
	})
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, s.st.W, userID)
}
