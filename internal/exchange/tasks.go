package exchange

import (
	"context"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the exchange capability on the workbench: the inbox (待办) as
// to-dos, the applications the actor filed that wait on someone else, the
// exchanges about to start or end, and the exchange figures of a role that
// oversees others.
type TaskSource struct{ s *Service }

// Tasks is the exchange capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "exchange" }

// evaluateWithinDays is how long after the return the evaluations are due.
const evaluateWithinDays = 14

// upcomingDays is how far ahead starts and ends are shown.
const upcomingDays = 30

func link(x Exchange) string { return "/exchanges/" + strconv.FormatInt(x.ID, 10) }

// subjectOfTask names the exchange as anyone who may see it may: the person,
// the kind and the host school.
func subjectOfTask(x Exchange) string {
	return x.StaffName + " · " + x.HostSchoolName
}

// Workbench lists the actor's exchange items. The inbox decides the to-dos,
// so the workbench and the exchange menu count the same things.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	s := t.s
	if !a.Has(auth.PermExchangesRead) {
		return p, nil
	}
	box, err := s.Inbox(ctx, a)
	if err != nil {
		return p, err
	}
	for _, it := range box.Items {
		item := workbench.Item{Key: "exchange:" + strconv.FormatInt(it.ID, 10) + ":" + it.Task, Kind: "exchange." + it.Task,
			Subject: subjectOfTask(it.Exchange), Link: link(it.Exchange)}
		switch it.Task {
		case "submit", "endorse", "review", "approve":
			item.DueOn = it.StartOn // decided before it starts
		case "return":
			item.DueOn = it.EndOn
		case "overdue":
			item.DueOn, item.Urgency = it.EndOn, workbench.Overdue
		case "evaluate":
			if !it.ReturnedOn.IsZero() {
				item.DueOn = workbench.AddDays(it.ReturnedOn, evaluateWithinDays)
			}
		}
		p.Todo = append(p.Todo, item)
	}

	var w store.Where
	visible(&w, a)
	w.Add("e.status IN ('submitted', 'endorsed', 'reviewed', 'approved', 'underway')")
	open, err := s.query(ctx, s.st.R, selectExchange+w.SQL()+` ORDER BY e.start_on, e.id LIMIT `+w.Arg(inboxMax), w.Args...)
	if err != nil {
		return p, err
	}
	horizon := workbench.AddDays(today, upcomingDays)
	endorse := a.Reach(auth.PermExchangesEndorse)
	for _, x := range open {
		mine := isOwnOrOffice(a, x)
		home := endorse.School(x.HomeSchoolID) && !a.System
		host := (endorse.School(x.HostSchoolID) || endorse.Group(x.GroupID)) && !a.System
		switch x.Status {
		case Submitted, Endorsed, Reviewed:
			// Filed by the actor, or endorsed by the actor's school and now
			// with the bureau.
			if mine || (home && x.Status != Submitted) {
				since := x.UpdatedAt
				p.Waiting = append(p.Waiting, workbench.Item{Key: "exchange:" + strconv.FormatInt(x.ID, 10) + ":wait", Kind: "exchange.waiting." + x.Status,
					Subject: subjectOfTask(x), Link: link(x), DueOn: x.StartOn, Since: &since})
			}
		case Approved:
			if (mine || home || host) && !x.StartOn.Before(today.Time) && !x.StartOn.After(horizon.Time) {
				p.Upcoming = append(p.Upcoming, workbench.Item{Key: "exchange:" + strconv.FormatInt(x.ID, 10) + ":starts", Kind: "exchange.starts",
					Subject: subjectOfTask(x), Link: link(x), DueOn: x.StartOn})
			}
		case Underway:
			if (mine || home) && !x.EndOn.Before(today.Time) && !x.EndOn.After(horizon.Time) {
				p.Upcoming = append(p.Upcoming, workbench.Item{Key: "exchange:" + strconv.FormatInt(x.ID, 10) + ":ends", Kind: "exchange.ends",
					Subject: subjectOfTask(x), Link: link(x), DueOn: x.EndOn})
			}
		}
	}

	// A teacher's own exchanges are already in the lists above; figures are
	// for the roles that oversee other people's.
	if overseer(a) {
		cards, err := s.Cards(ctx, a)
		if err != nil {
			return p, err
		}
		links := map[string]string{"exchanges_away": "/exchanges?status=underway", "exchanges_overdue": "/exchanges?overdue=true", "exchanges_pending": "/exchanges"}
		for _, c := range cards {
			p.Figures = append(p.Figures, workbench.Figure{Key: c.Key, Value: c.Value, Link: links[c.Key]})
		}
	}
	return p, nil
}

// overseer: the actor reads exchanges beyond their own.
func overseer(a auth.Actor) bool {
	for _, g := range a.GrantsWith(auth.PermExchangesRead) {
		if g.ScopeType != auth.ScopeSelf {
			return true
		}
	}
	return false
}
