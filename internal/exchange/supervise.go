package exchange

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Start marks an approved exchange as under way, on or after its start date.
func (s *Service) Start(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "start", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Approved {
			return "", "", wrongState(x.Status)
		}
		if !can.has("start") {
			if s.Today().Before(x.StartOn.Time) {
				return "", "", errs.RuleError("not_started", "exchange.not_started", errs.Args{"date": x.StartOn.String()})
			}
			return "", "", errs.ForbiddenError()
		}
		_, err := tx.ExecContext(ctx, `UPDATE exchanges SET started_on = $1 WHERE id = $2`, s.Today(), id)
		return Underway, strings.TrimSpace(in.Note), err
	})
}

// Checkin is one supervision entry while the exchange is under way: the
// person's check-in (签到, what was done), or the supervisor's or a school's
// note or issue (督查记录、问题).
type Checkin struct {
	ID     int64      `json:"id"`
	Kind   string     `json:"kind" enum:"checkin,note,issue"` // checkin, note, issue
	OnDate store.Date `json:"on_date"`
	Body   string     `json:"body"`
	By     string     `json:"by"`
	At     time.Time  `json:"at"`
}

// CheckinInput adds a supervision entry.
type CheckinInput struct {
	Kind   string     `json:"kind"`
	OnDate store.Date `json:"on_date"`
	Body   string     `json:"body"`
}

// AddCheckin records a check-in, note or issue. It does not change the
// exchange, so it needs no version.
func (s *Service) AddCheckin(ctx context.Context, a auth.Actor, id int64, in CheckinInput) (Detail, error) {
	in.Body = strings.TrimSpace(in.Body)
	if in.OnDate.IsZero() {
		in.OnDate = s.Today()
	}
	var f errs.Fields
	if in.Kind != "checkin" && in.Kind != "note" && in.Kind != "issue" {
		f.Add("kind", "exchange.checkin_kind", nil)
	}
	if in.Body == "" || len([]rune(in.Body)) > 2000 {
		f.Add("body", "field.required_max", errs.Args{"max": 2000})
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		can := allowed(a, x, nil, s.Today())
		need := "note"
		if in.Kind == "checkin" {
			need = "checkin"
		}
		if x.Status != Underway {
			return wrongState(x.Status)
		}
		if !can.has(need) {
			return errs.ForbiddenError()
		}
		if in.OnDate.Before(x.StartOn.Time) || in.OnDate.After(s.Today().Time) {
			return errs.FieldError("on_date", "exchange.checkin_date", errs.Args{"from": x.StartOn.String()})
		}
		var cid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO exchange_checkins (exchange_id, kind, on_date, body, user_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			id, in.Kind, in.OnDate, in.Body, nullID(a.UserID), actorName(a), store.Now()).Scan(&cid); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exchange.checkin", ObjectType: "exchange", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"checkin_id": cid, "kind": in.Kind, "on": in.OnDate.String()}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// ReturnInput is the home school's confirmation that the person is back at
// their post (须及时回到原学校上岗).
type ReturnInput struct {
	ReturnedOn store.Date `json:"returned_on"`
	Note       string     `json:"note"`
	Version    int        `json:"version"`
}

// Return confirms the return. A return after the end date is recorded with
// how late it was.
func (s *Service) Return(ctx context.Context, a auth.Actor, id int64, in ReturnInput) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "return", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Approved && x.Status != Underway {
			return "", "", wrongState(x.Status)
		}
		if !can.has("return") {
			return "", "", errs.ForbiddenError()
		}
		if in.ReturnedOn.IsZero() {
			return "", "", errs.FieldError("returned_on", "field.required", nil)
		}
		if in.ReturnedOn.Before(x.StartOn.Time) || in.ReturnedOn.After(s.Today().Time) {
			return "", "", errs.FieldError("returned_on", "exchange.returned_on", errs.Args{"from": x.StartOn.String()})
		}
		note := strings.TrimSpace(in.Note)
		if late := Days(x.EndOn, in.ReturnedOn) - 1; late > 0 {
			note = strings.TrimSpace("[late:" + strconv.Itoa(late) + "] " + note)
		}
		_, err := tx.ExecContext(ctx, `UPDATE exchanges SET returned_on = $1, started_on = COALESCE(started_on, start_on) WHERE id = $2`, in.ReturnedOn, id)
		return Returned, note, err
	})
}

// Evaluation is one of the three views that keep the exchange from being a
// formality (建立教师交流评价机制): the host school's evaluation, the person's
// summary, and the home school's view.
type Evaluation struct {
	Party   string    `json:"party" enum:"host,self,home"`             // host, self, home
	Rating  string    `json:"rating" enum:"excellent,good,pass,fail,"` // excellent, good, pass, fail; the summary may leave it empty
	Comment string    `json:"comment"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// EvaluationInput adds one evaluation.
type EvaluationInput struct {
	Party   string `json:"party"`
	Rating  string `json:"rating"`
	Comment string `json:"comment"`
	Version int    `json:"version"`
}

var ratings = map[string]bool{"excellent": true, "good": true, "pass": true, "fail": true}

// Evaluate records an evaluation; with all three the exchange is closed.
func (s *Service) Evaluate(ctx context.Context, a auth.Actor, id int64, in EvaluationInput) (Detail, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	var f errs.Fields
	if in.Party != "host" && in.Party != "self" && in.Party != "home" {
		f.Add("party", "exchange.party", nil)
	}
	if (in.Rating != "" || in.Party != "self") && !ratings[in.Rating] {
		f.Add("rating", "exchange.rating", nil)
	}
	if in.Comment == "" || len([]rune(in.Comment)) > 4000 {
		f.Add("comment", "field.required_max", errs.Args{"max": 4000})
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	return s.step(ctx, a, id, in.Version, "evaluate."+in.Party, func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Returned {
			return "", "", wrongState(x.Status)
		}
		if !can.has("evaluate_" + in.Party) {
			return "", "", errs.ForbiddenError()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_evaluations (exchange_id, party, rating, comment, user_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, in.Party, in.Rating, in.Comment, nullID(a.UserID), actorName(a), store.Now()); err != nil {
			if store.IsUniqueViolation(err) {
				return "", "", errs.ConflictError("exchange.evaluated", nil)
			}
			return "", "", err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM exchange_evaluations WHERE exchange_id = $1`, id).Scan(&n); err != nil {
			return "", "", err
		}
		if n == 3 {
			return Closed, in.Rating, nil
		}
		return Returned, in.Rating, nil
	})
}

func (s *Service) evaluatedParties(ctx context.Context, q querier, id int64) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT party FROM exchange_evaluations WHERE exchange_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

func actorName(a auth.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}
