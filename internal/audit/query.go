package audit

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/store"
)

// Filter narrows a listing of the audit log.
type Filter struct {
	Username   string
	Action     string // prefix match: "user." finds every user action
	ObjectType string
	ObjectID   string
	Outcome    string
	From, To   time.Time // To is exclusive
	Page       int
	PageSize   int
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Username != "" {
		add("username = ?", f.Username)
	}
	if f.Action != "" {
		add(`action LIKE ? ESCAPE '\'`, store.Prefix(f.Action))
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List returns one page of records, newest first, and the total that match.
func (l *Log) List(ctx context.Context, f Filter) ([]Record, int, error) {
	where, args := f.where()
	var total int
	if err := l.st.R.QueryRowContext(ctx, "SELECT count(*) FROM audit_log"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	q := "SELECT id, at, user_id, username, role, ip, action, object_type, object_id, outcome, request_id, detail, prev_hash, hash FROM audit_log" +
		where + " ORDER BY id DESC LIMIT " + strconv.Itoa(f.PageSize) + " OFFSET " + strconv.Itoa((f.Page-1)*f.PageSize)
	recs, err := l.query(ctx, q, args)
	return recs, total, err
}

// Each calls fn for every matching record, oldest first, for exports that
// must not hold the whole log in memory.
func (l *Log) Each(ctx context.Context, f Filter, limit int, fn func(Record) error) error {
	where, args := f.where()
	rows, err := l.st.R.QueryContext(ctx, "SELECT id, at, user_id, username, role, ip, action, object_type, object_id, outcome, request_id, detail, prev_hash, hash FROM audit_log"+
		where+" ORDER BY id LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		_ = json.Unmarshal([]byte(r.detailRaw), &r.Detail)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (l *Log) query(ctx context.Context, q string, args []any) ([]Record, error) {
	rows, err := l.st.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(r.detailRaw), &r.Detail)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Count counts records matching f, for dashboards.
func (l *Log) Count(ctx context.Context, f Filter) (int, error) {
	where, args := f.where()
	var n int
	err := l.st.R.QueryRowContext(ctx, "SELECT count(*) FROM audit_log"+where, args...).Scan(&n)
	return n, err
}
