package auth

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/errs"
)

// The login throttle counts failed logins per source address and per address
// and username in login_throttle, so the limit holds across instances. The
// per-account lockout stops guessing one account's password; the throttle
// stops one address from spraying many accounts. It refuses only the address
// that sent the failures, with 429 and Retry-After, and never touches
// another address's logins.

// throttleBuckets names the buckets a login from ip for username counts in.
func throttleBuckets(ip, username string) (addr, pair string) {
	if len(username) > 64 {
		username = username[:64]
	}
	return "a:" + ip, "p:" + ip + "|" + username
}

// throttleWait is how long the address (or the address and username) must
// wait before it may try again; zero when it is not blocked.
func (s *Service) throttleWait(ctx context.Context, ip, username string, now time.Time) (time.Duration, error) {
	if ip == "" {
		return 0, nil
	}
	addr, pair := throttleBuckets(ip, username)
	var until time.Time
	err := s.st.R.QueryRowContext(ctx, `SELECT blocked_until FROM login_throttle WHERE bucket IN ($1, $2) AND blocked_until > $3
		ORDER BY blocked_until DESC LIMIT 1`, addr, pair, now).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return until.Sub(now), nil
}

// throttled answers a login refused by the throttle, audited.
func (s *Service) throttled(ctx context.Context, who audit.Who, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	if err := s.log.Record(ctx, who, audit.Entry{Action: "login", ObjectType: "user", Outcome: audit.Denied,
		Detail: map[string]any{"reason": "throttled", "retry_after_seconds": secs}}); err != nil {
		return err
	}
	return errs.New(errs.TooMany, "login.throttled", errs.Args{"minutes": (secs + 59) / 60, "retry_after": secs})
}

// countThrottle counts one failed login from ip for username in both buckets
// and blocks a bucket that reaches its limit, in one transaction (concurrent
// failures all count: the upsert increments in place).
func (s *Service) countThrottle(ctx context.Context, who audit.Who, sec SecurityPolicy, ip, username string, now time.Time) error {
	if ip == "" {
		return nil
	}
	addr, pair := throttleBuckets(ip, username)
	windowStart := now.Add(-time.Duration(sec.ThrottleWindowMinutes) * time.Minute)
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		for _, b := range []struct {
			bucket string
			limit  int
		}{{addr, sec.ThrottleAddressFailures}, {pair, sec.ThrottlePairFailures}} {
			if b.limit <= 0 {
				continue
			}
			var failures int
			err := tx.QueryRowContext(ctx, `INSERT INTO login_throttle (bucket, window_start, failures) VALUES ($1, $2, 1)
				ON CONFLICT (bucket) DO UPDATE SET
					failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END,
					window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END
				RETURNING failures`, b.bucket, now, windowStart).Scan(&failures)
			if err != nil {
				return err
			}
			if failures < b.limit {
				continue
			}
			until := now.Add(time.Duration(sec.ThrottleBlockMinutes) * time.Minute)
			if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = 0, window_start = $1, blocked_until = $2 WHERE bucket = $3`, now, until, b.bucket); err != nil {
				return err
			}
			kind := "address"
			if strings.HasPrefix(b.bucket, "p:") {
				kind = "address_username"
			}
			if err := s.log.Append(ctx, tx, who, audit.Entry{Action: "login.throttle", ObjectType: "address", ObjectID: ip, Outcome: audit.OK,
				Detail: map[string]any{"bucket": kind, "failures": failures, "window_minutes": sec.ThrottleWindowMinutes, "blocked_until": until}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeLoginThrottle removes buckets whose window and block have both
// passed, for the hourly job.
func (s *Service) PurgeLoginThrottle(ctx context.Context) (int64, error) {
	sec, err := s.sec.Security(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	var n int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2)`,
			now.Add(-time.Duration(sec.ThrottleWindowMinutes)*time.Minute), now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
