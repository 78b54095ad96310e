package exchange

import (
	"context"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// History is one step of the approval chain as the form prints it.
type History struct {
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	By     string    `json:"by"`
	Role   string    `json:"role"`
	Note   string    `json:"note"`
	At     time.Time `json:"at"`
}

// Detail is an exchange with its whole record: every step, the supervision
// entries, the evaluations, the rule checks while it is being decided, and
// what the viewer may do now.
type Detail struct {
	Exchange
	Steps       []History    `json:"steps"`
	Checkins    []Checkin    `json:"checkins"`
	Evaluations []Evaluation `json:"evaluations"`
	Checks      []Check      `json:"checks"`
	Actions     []string     `json:"actions"`
}

// Detail reads one exchange in the actor's scope.
func (s *Service) Detail(ctx context.Context, a auth.Actor, id int64) (Detail, error) {
	if !a.Has(auth.PermExchangesRead) {
		return Detail{}, errs.ForbiddenError()
	}
	x, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Exchange: x, Steps: []History{}, Checkins: []Checkin{}, Evaluations: []Evaluation{}, Checks: []Check{}}
	rows, err := s.st.R.QueryContext(ctx, `SELECT action, from_status, to_status, actor_name, actor_role, note, at FROM exchange_steps WHERE exchange_id = $1 ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var h History
		if err := rows.Scan(&h.Action, &h.From, &h.To, &h.By, &h.Role, &h.Note, &h.At); err != nil {
			rows.Close()
			return d, err
		}
		h.At = h.At.UTC()
		d.Steps = append(d.Steps, h)
	}
	rows.Close()
	rows, err = s.st.R.QueryContext(ctx, `SELECT id, kind, on_date, body, actor_name, at FROM exchange_checkins WHERE exchange_id = $1 ORDER BY on_date, id`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var c Checkin
		if err := rows.Scan(&c.ID, &c.Kind, &c.OnDate, &c.Body, &c.By, &c.At); err != nil {
			rows.Close()
			return d, err
		}
		c.At = c.At.UTC()
		d.Checkins = append(d.Checkins, c)
	}
	rows.Close()
	rows, err = s.st.R.QueryContext(ctx, `SELECT party, rating, comment, actor_name, at FROM exchange_evaluations WHERE exchange_id = $1
		ORDER BY CASE party WHEN 'host' THEN 0 WHEN 'self' THEN 1 ELSE 2 END`, id)
	if err != nil {
		return d, err
	}
	parties := map[string]bool{}
	for rows.Next() {
		var e Evaluation
		if err := rows.Scan(&e.Party, &e.Rating, &e.Comment, &e.By, &e.At); err != nil {
			rows.Close()
			return d, err
		}
		e.At = e.At.UTC()
		parties[e.Party] = true
		d.Evaluations = append(d.Evaluations, e)
	}
	rows.Close()
	if before(x.Status, Approved) {
		// Until 基教股 has reviewed it, an over-long 跟岗学习 still waits for
		// the exception (pending); after the review only a recorded one passes.
		stage := stageApply
		if x.Status == Reviewed {
			stage = stageFinal
		}
		v, err := s.judge(ctx, s.st.R, a, subjectOf(x), stage)
		if err != nil {
			return d, err
		}
		d.Checks = v.checks
	}
	d.Actions = allowed(a, x, parties, s.Today()).list()
	return d, nil
}
