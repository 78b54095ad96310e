// Package audit is the append-only, hash-chained audit log. Every write,
// login outcome, permission change, export, unmask and denied access is
// appended inside the transaction of the change it records, so a change whose
// audit record cannot be written rolls back (fails closed).
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"edugroup/internal/mask"
	"edugroup/internal/store"
)

// Outcomes of an audited action.
const (
	OK     = "ok"
	Denied = "denied"
	Failed = "failed"
)

// Who is the acting person and request, as the audit log records them.
type Who struct {
	UserID    int64
	Username  string
	Role      string
	IP        string
	RequestID string
}

// Entry is one thing that happened.
type Entry struct {
	Action     string
	ObjectType string
	ObjectID   string
	Outcome    string
	// Detail holds before/after values and reasons. Keys that name secrets
	// (passwords, tokens, ID numbers) are masked before the record is written.
	Detail map[string]any
	// at is when it happened, when that is before it is written (a queued
	// denial); zero means now.
	at time.Time
}

// Record is an entry as stored.
type Record struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	UserID     *int64         `json:"user_id"`
	Username   string         `json:"username"`
	Role       string         `json:"role"`
	IP         string         `json:"ip"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	Outcome    string         `json:"outcome" enum:"ok,denied,failed"`
	RequestID  string         `json:"request_id"`
	Detail     map[string]any `json:"detail"`
	detailRaw  string
	prevHash   string
	hash       string
}

// Log appends to and reads the audit log of one store.
type Log struct {
	st *store.Store
	// Now is the clock; tests move it to make records old enough to purge.
	Now func() time.Time
	// denials is the background recorder of denied accesses, when started.
	denials atomic.Pointer[denials]
}

// New returns the audit log of st.
func New(st *store.Store) *Log { return &Log{st: st, Now: store.Now} }

// Append writes e inside tx. The caller's change and its audit record commit
// or roll back together.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, who Who, e Entry) error {
	if e.Outcome == "" {
		e.Outcome = OK
	}
	if l.st.Dialect == store.Postgres {
		// Serialize appenders so two transactions never chain onto the same
		// predecessor. SQLite's single writer already does this.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727274)`); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit head: %w", err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if err := tx.QueryRowContext(ctx, `SELECT prev_hash FROM audit_anchor ORDER BY id DESC LIMIT 1`).Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit anchor: %w", err)
		}
	}
	detail, err := scrubDetail(e.Detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	at := e.at
	if at.IsZero() {
		at = l.Now()
	}
	r := Record{
		At: at.UTC().Truncate(time.Microsecond), Username: who.Username, Role: who.Role, IP: who.IP,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: e.Outcome,
		RequestID: who.RequestID, detailRaw: string(detail), prevHash: prev,
	}
	var uid any
	if who.UserID != 0 {
		id := who.UserID
		r.UserID = &id
		uid = id
	}
	r.hash = r.computeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, username, role, ip, action, object_type, object_id, outcome, request_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.At, uid, r.Username, r.Role, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Outcome, r.RequestID, r.detailRaw, r.prevHash, r.hash)
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// Record writes e in a transaction of its own, for events with no other
// change (a failed login, a denied access, an export).
func (l *Log) Record(ctx context.Context, who Who, e Entry) error {
	return l.st.Tx(ctx, func(tx *sql.Tx) error { return l.Append(ctx, tx, who, e) })
}

func (r *Record) computeHash() string {
	uid := ""
	if r.UserID != nil {
		uid = strconv.FormatInt(*r.UserID, 10)
	}
	fields := []string{
		r.prevHash, r.At.UTC().Format("2006-01-02T15:04:05.000000Z"), uid, r.Username, r.Role, r.IP,
		r.Action, r.ObjectType, r.ObjectID, r.Outcome, r.RequestID, r.detailRaw,
	}
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(sum[:])
}

var (
	// secretKeys name values that never enter the log at all.
	secretKeys = []string{"password", "token", "secret"}
	// idKeys name ID numbers, kept as the usual mask (3403**********123X).
	idKeys = []string{"id_card", "idcard", "id_number"}
	// phoneKeys name phone numbers, kept as the usual mask (138****5678).
	phoneKeys = []string{"phone", "mobile", "tel"}
	// birthKeys name birth dates, which with a masked ID number rebuild it:
	// only the year is kept.
	birthKeys = []string{"birth"}
)

func keyIn(k string, names []string) bool {
	lk := strings.ToLower(k)
	for _, n := range names {
		if strings.Contains(lk, n) {
			return true
		}
	}
	return false
}

// scrubDetail puts a detail into the form it is stored in and masks personal
// data by the key it is under, at any depth, inside lists too. The detail is
// first turned into plain JSON values, so a struct put into it (a school's
// before/after, say) is masked field by field like a map: a careless caller
// cannot put a password, a full ID number or a phone into the permanent log.
func scrubDetail(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.Marshal(scrubValue("", v))
	return string(out), err
}

func scrubValue(key string, v any) any {
	if key != "" && keyIn(key, secretKeys) {
		return "***"
	}
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			x[k] = scrubValue(k, sub)
		}
		return x
	case []any:
		for i, sub := range x {
			x[i] = scrubValue(key, sub)
		}
		return x
	case string:
		switch {
		case key == "":
			return x
		case keyIn(key, idKeys):
			return mask.IDCard(x)
		case keyIn(key, phoneKeys):
			return mask.Phone(x)
		case keyIn(key, birthKeys) && len(x) >= 4:
			return x[:4]
		}
		return x
	}
	return v
}

// VerifyResult says whether the chain is intact.
type VerifyResult struct {
	OK         bool   `json:"ok"`
	Checked    int64  `json:"checked"`
	FirstBadID *int64 `json:"first_bad_id"`
	Problem    string `json:"problem,omitempty"`
}

// Verify recomputes every hash and link of the chain, from the newest purge
// anchor (or the beginning) to the end.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	prev := ""
	firstID := int64(0)
	err := l.st.R.QueryRowContext(ctx, `SELECT first_id, prev_hash FROM audit_anchor ORDER BY id DESC LIMIT 1`).Scan(&firstID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	rows, err := l.st.R.QueryContext(ctx, `SELECT id, at, user_id, username, role, ip, action, object_type, object_id, outcome, request_id, detail, prev_hash, hash
		FROM audit_log ORDER BY id`)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	first := true
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return res, err
		}
		bad := func(problem string) (VerifyResult, error) {
			id := r.ID
			res.FirstBadID = &id
			res.Problem = problem
			return res, nil
		}
		if first && firstID != 0 && r.ID != firstID {
			return bad("records missing after the retention anchor")
		}
		first = false
		if r.prevHash != prev {
			return bad("chain broken: a record before this one was changed or removed")
		}
		if r.computeHash() != r.hash {
			return bad("record content does not match its hash")
		}
		prev = r.hash
		res.Checked++
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.OK = true
	return res, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (Record, error) {
	var r Record
	var uid sql.NullInt64
	if err := s.Scan(&r.ID, &r.At, &uid, &r.Username, &r.Role, &r.IP, &r.Action, &r.ObjectType, &r.ObjectID, &r.Outcome, &r.RequestID, &r.detailRaw, &r.prevHash, &r.hash); err != nil {
		return r, err
	}
	r.At = r.At.UTC()
	if uid.Valid {
		id := uid.Int64
		r.UserID = &id
	}
	return r, nil
}

// Purge removes records older than the retention period (never fewer than
// 184 days), leaves an anchor so the remaining chain still verifies, and
// records the purge itself.
func (l *Log) Purge(ctx context.Context, who Who, retentionDays int) (int64, error) {
	if retentionDays < MinRetentionDays {
		return 0, fmt.Errorf("audit retention must be at least %d days", MinRetentionDays)
	}
	cutoff := l.Now().AddDate(0, 0, -retentionDays)
	var purged int64
	err := l.st.Tx(ctx, func(tx *sql.Tx) error {
		var firstKept int64
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT id, prev_hash FROM audit_log WHERE at >= $1 ORDER BY id LIMIT 1`, cutoff).Scan(&firstKept, &prev)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // everything is younger or the log is empty; keep the tail anyway
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id < $1`, firstKept)
		if err != nil {
			return err
		}
		purged, _ = res.RowsAffected()
		if purged == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_anchor (first_id, prev_hash, purged_count, purged_at) VALUES ($1, $2, $3, $4)`,
			firstKept, prev, purged, store.Now()); err != nil {
			return err
		}
		return l.Append(ctx, tx, who, Entry{Action: "audit.purge", ObjectType: "audit_log", Outcome: OK,
			Detail: map[string]any{"retention_days": retentionDays, "purged": purged, "first_kept_id": firstKept}})
	})
	return purged, err
}

// MinRetentionDays is the legal floor: six months (网络安全法 第二十一条).
const MinRetentionDays = 184
