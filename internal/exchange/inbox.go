package exchange

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/dashboard"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Task is an exchange waiting for the viewer, and what it waits for.
type Task struct {
	Exchange
	Task string `json:"task" enum:"submit,endorse,review,approve,return,overdue,evaluate"` // submit, endorse, review, approve, return, overdue, evaluate
}

// Inbox is the viewer's to-do list (待办) with counts per task for the menu.
type Inbox struct {
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
	Items  []Task         `json:"items"`
}

// inboxMax bounds the open exchanges one inbox looks through; a county has a
// few hundred at a time.
const inboxMax = 5000

// Inbox lists what waits for the actor.
func (s *Service) Inbox(ctx context.Context, a auth.Actor) (Inbox, error) {
	box := Inbox{Counts: map[string]int{}, Items: []Task{}}
	if !a.Has(auth.PermExchangesRead) {
		return box, errs.ForbiddenError()
	}
	var w store.Where
	visible(&w, a)
	w.Add("e.status IN ('draft', 'submitted', 'endorsed', 'reviewed', 'approved', 'underway', 'returned')")
	open, err := s.query(ctx, s.st.R, selectExchange+w.SQL()+` ORDER BY e.start_on, e.id LIMIT `+w.Arg(inboxMax), w.Args...)
	if err != nil {
		return box, err
	}
	today := s.Today()
	for _, x := range open {
		var parties map[string]bool
		if x.Status == Returned {
			if parties, err = s.evaluatedParties(ctx, s.st.R, x.ID); err != nil {
				return box, err
			}
		}
		if task := taskFor(a, x, allowed(a, x, parties, today), today); task != "" {
			box.Counts[task]++
			box.Total++
			box.Items = append(box.Items, Task{Exchange: x, Task: task})
		}
	}
	return box, nil
}

// taskFor names what x waits for from the actor, or "".
func taskFor(a auth.Actor, x Exchange, c actions, today store.Date) string {
	switch {
	case c.has("submit") && isOwnOrOffice(a, x):
		return "submit"
	case c.has("endorse_home") || c.has("endorse_host"):
		return "endorse"
	case c.has("review"):
		return "review"
	case c.has("approve"):
		return "approve"
	case c.has("return") && !today.Before(x.EndOn.Time):
		return "return"
	case x.Overdue && supervisor(a, x) && !a.System:
		return "overdue"
	case c.has("evaluate_host") || c.has("evaluate_self") || c.has("evaluate_home"):
		return "evaluate"
	}
	return ""
}

// isOwnOrOffice: a draft waits for the person or the office that began it.
func isOwnOrOffice(a auth.Actor, x Exchange) bool {
	return isOwn(a, x) || a.UserID == x.createdByID
}

// Cards are the dashboard's exchange figures in the viewer's scope: people
// away on an exchange today, overdue returns, and applications being decided.
func (s *Service) Cards(ctx context.Context, a auth.Actor) ([]dashboard.Card, error) {
	if !a.Has(auth.PermExchangesRead) {
		return nil, nil
	}
	var w store.Where
	visible(&w, a)
	today := s.Today()
	var away, overdue, pending int64
	err := s.st.R.QueryRowContext(ctx, `SELECT
		COALESCE(sum(CASE WHEN e.status IN ('approved', 'underway') AND e.start_on <= `+w.Arg(today)+` AND e.end_on >= `+w.Arg(today)+` THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN e.status IN ('approved', 'underway') AND e.end_on < `+w.Arg(today)+` THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN e.status IN ('submitted', 'endorsed', 'reviewed') THEN 1 ELSE 0 END), 0)
		FROM exchanges e`+w.SQL(), w.Args...).Scan(&away, &overdue, &pending)
	if err != nil {
		return nil, err
	}
	return []dashboard.Card{{Key: "exchanges_away", Value: away}, {Key: "exchanges_overdue", Value: overdue}, {Key: "exchanges_pending", Value: pending}}, nil
}
