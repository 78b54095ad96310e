package planning

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the term plans on the workbench: a school admin submits (or
// resubmits a returned plan) by the round's deadline and waits while the
// group reviews; the group admin reviews the submitted plans and publishes
// the group plan once every required plan is accepted.
type TaskSource struct{ s *Service }

// Tasks is the planning capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "planning" }

// Workbench lists the actor's plan items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if a.System || !a.Has(auth.PermPlansRead) {
		return p, nil
	}
	if sub := a.Reach(auth.PermPlansSubmit); a.Has(auth.PermPlansSubmit) && len(sub.Schools) > 0 {
		var w store.Where
		w.Add("rs.school_id IN " + w.In(sub.Schools))
		// A school that has left the group owes it no plan.
		w.Add("rs.school_id IN (SELECT school_id FROM group_members WHERE group_id = r.group_id AND left_on IS NULL)")
		rows, err := t.s.st.R.QueryContext(ctx, `SELECT r.id, r.title, r.deadline, rs.school_id, sc.name, COALESCE(p.status, 'none'), p.updated_at
			FROM plan_round_schools rs JOIN plan_rounds r ON r.id = rs.round_id JOIN schools sc ON sc.id = rs.school_id
			LEFT JOIN school_plans p ON p.round_id = rs.round_id AND p.school_id = rs.school_id`+w.SQL()+` ORDER BY r.deadline, r.id, rs.school_id`, w.Args...)
		if err != nil {
			return p, err
		}
		defer rows.Close()
		for rows.Next() {
			var r Round
			var school int64
			var name, status string
			var since sql.NullTime
			if err := rows.Scan(&r.ID, &r.Title, &r.Deadline, &school, &name, &status, &since); err != nil {
				return p, err
			}
			key := "planning:" + strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(school, 10)
			it := workbench.Item{Subject: r.Title + " · " + name, Link: planLink(r, school), DueOn: r.Deadline}
			switch status {
			case None, Draft:
				it.Key, it.Kind = key+":submit", "planning.submit"
				p.Todo = append(p.Todo, it)
			case Returned:
				it.Key, it.Kind = key+":resubmit", "planning.resubmit"
				p.Todo = append(p.Todo, it)
			case Submitted:
				it.Key, it.Kind = key+":wait", "planning.waiting"
				if since.Valid {
					s := since.Time.UTC()
					it.Since = &s
				}
				p.Waiting = append(p.Waiting, it)
			}
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
		items, err := t.monthItems(ctx, sub.Schools, today)
		if err != nil {
			return p, err
		}
		p.Upcoming = append(p.Upcoming, items...)
	}
	if man := a.Reach(auth.PermPlansManage); a.Has(auth.PermPlansManage) && len(man.Groups) > 0 {
		var w store.Where
		w.Add("r.group_id IN " + w.In(man.Groups))
		rounds, err := t.s.queryRounds(ctx, t.s.st.R, selectRound+w.SQL()+` ORDER BY r.deadline, r.id`, w.Args...)
		if err != nil {
			return p, err
		}
		for _, r := range rounds {
			key := "planning:" + strconv.FormatInt(r.ID, 10)
			if r.Submitted > 0 {
				p.Todo = append(p.Todo, workbench.Item{Key: key + ":review", Kind: "planning.review",
					Subject: r.Title + " · " + strconv.Itoa(r.Submitted), Link: roundLink(r)})
			}
			if r.Status == RoundOpen && r.Required > 0 && r.Accepted == r.Required {
				p.Todo = append(p.Todo, workbench.Item{Key: key + ":publish", Kind: "planning.publish", Subject: r.Title, Link: roundLink(r) + "/group-plan"})
			}
			if r.Status == RoundOpen && !r.Deadline.Before(today.Time) && !r.Deadline.After(workbench.AddDays(today, 30).Time) {
				p.Upcoming = append(p.Upcoming, workbench.Item{Key: key + ":deadline", Kind: "planning.deadline", Subject: r.Title, Link: roundLink(r), DueOn: r.Deadline})
			}
		}
	}
	return p, nil
}

// monthItems are this month's items of the schools' accepted plans, each
// an upcoming entry due at the month's end (an item is planned by month,
// not by day).
func (t TaskSource) monthItems(ctx context.Context, schools []int64, today store.Date) ([]workbench.Item, error) {
	var w store.Where
	w.Add("p.status = 'accepted'")
	w.Add("p.school_id IN " + w.In(schools))
	rows, err := t.s.st.R.QueryContext(ctx, `SELECT p.round_id, p.school_id, p.content FROM school_plans p`+w.SQL()+` ORDER BY p.round_id, p.school_id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	month := today.Format("2006-01")
	end := store.Date{Time: today.AddDate(0, 1, -today.Day())}
	var out []workbench.Item
	for rows.Next() {
		var r Round
		var school int64
		var content string
		if err := rows.Scan(&r.ID, &school, &content); err != nil {
			return nil, err
		}
		var secs []Section
		if err := json.Unmarshal([]byte(content), &secs); err != nil {
			return nil, err
		}
		for _, sec := range secs {
			for i, it := range sec.Items {
				if it.Month != month {
					continue
				}
				out = append(out, workbench.Item{Key: "planning:" + strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(school, 10) + ":item:" + sec.Code + ":" + strconv.Itoa(i),
					Kind: "planning.item", Subject: it.Goal, Link: planLink(r, school), DueOn: end})
			}
		}
	}
	return out, rows.Err()
}
