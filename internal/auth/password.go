package auth

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/alexedwards/argon2id"

	"edugroup/internal/errs"
)

// SecurityPolicy holds the security numbers of the policy settings. Every
// number is a setting; the defaults are the 等保 level-2 profile.
type SecurityPolicy struct {
	PasswordMinLength    int `json:"password_min_length"`
	PasswordMinClasses   int `json:"password_min_classes"`
	PasswordExpiryDays   int `json:"password_expiry_days"`
	PasswordHistory      int `json:"password_history"`
	LockoutThreshold     int `json:"lockout_threshold"`
	LockoutWindowMinutes int `json:"lockout_window_minutes"`
	LockoutMinutes       int `json:"lockout_minutes"`
	// The login throttle per source address: at most ThrottleAddressFailures
	// failed logins from one address, and ThrottlePairFailures for one
	// address and username, within ThrottleWindowMinutes; past that the
	// address (or the pair) is refused with 429 for ThrottleBlockMinutes. It
	// stops password spraying over many usernames, which the per-account
	// lockout cannot see, and blocks only the sending address.
	ThrottleAddressFailures int `json:"throttle_address_failures"`
	ThrottlePairFailures    int `json:"throttle_pair_failures"`
	ThrottleWindowMinutes   int `json:"throttle_window_minutes"`
	ThrottleBlockMinutes    int `json:"throttle_block_minutes"`
	SessionIdleMinutes      int `json:"session_idle_minutes"`
	SessionAbsoluteHours    int `json:"session_absolute_hours"`
	AuditRetentionDays      int `json:"audit_retention_days"`
	TokenMaxDays            int `json:"token_max_days"`
	// TOTPRoles are the roles that must sign in with a second factor (the
	// 等保 level-3 switch). Empty by default: level 2.
	TOTPRoles []string `json:"totp_roles"`
}

// DefaultSecurity is the shipped "dengbao" profile of SECURITY.md.
func DefaultSecurity() SecurityPolicy {
	return SecurityPolicy{
		PasswordMinLength: 8, PasswordMinClasses: 3, PasswordExpiryDays: 90, PasswordHistory: 5,
		LockoutThreshold: 5, LockoutWindowMinutes: 15, LockoutMinutes: 30,
		ThrottleAddressFailures: 30, ThrottlePairFailures: 10, ThrottleWindowMinutes: 10, ThrottleBlockMinutes: 15,
		SessionIdleMinutes: 30, SessionAbsoluteHours: 12, AuditRetentionDays: 365, TokenMaxDays: 365,
		TOTPRoles: []string{},
	}
}

// Argon2id parameters: m=19 MiB, t=2, p=1 (OWASP's minimum for argon2id).
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id hash in PHC format.
func HashPassword(pw string) (string, error) { return argon2id.CreateHash(pw, hashParams) }

// CheckPassword compares pw with a stored hash in constant time.
func CheckPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// HashWait is how long a password check may queue for a hashing slot.
const HashWait = 5 * time.Second

// slot takes one of the hashing slots, or gives up after HashWait.
func (s *Service) slot(ctx context.Context) (func(), error) {
	t := time.NewTimer(HashWait)
	defer t.Stop()
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-t.C:
		return nil, errs.New(errs.Busy, "error.busy", nil)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// burnPasswordCheck spends the time of one password check, so an unknown
// username answers as slowly as a wrong password.
func burnPasswordCheck(pw string) {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword("unused-dummy-password") })
	CheckPassword(pw, dummyHash)
}

//go:embed weak_passwords.txt
var weakList string

var weakSet = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(weakList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// CheckPasswordPolicy reports every way pw breaks the policy, naming field.
func CheckPasswordPolicy(p SecurityPolicy, field, username, pw string) error {
	var f errs.Fields
	if len([]rune(pw)) < p.PasswordMinLength {
		f.Add(field, "password.too_short", errs.Args{"min": p.PasswordMinLength})
	}
	if len(pw) > 128 {
		f.Add(field, "password.too_long", errs.Args{"max": 128})
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < p.PasswordMinClasses {
		f.Add(field, "password.classes", errs.Args{"min": p.PasswordMinClasses})
	}
	lpw := strings.ToLower(pw)
	if weakSet[lpw] {
		f.Add(field, "password.weak", nil)
	}
	if username != "" && strings.Contains(lpw, strings.ToLower(username)) {
		f.Add(field, "password.contains_username", nil)
	}
	return f.Err()
}
