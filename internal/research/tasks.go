package research

import (
	"context"
	"strings"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is joint research on the workbench: the 初备 the actor owes as
// 主备人 (due on the session day), the observation sheets they have still to
// submit, the 二次备课 of a published shared plan they have not made, and
// their research groups' sessions of the coming week.
type TaskSource struct{ s *Service }

// Tasks is the research capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "research" }

// taskMax bounds the rows read for one workbench.
const taskMax = 200

// Workbench lists the actor's research items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if a.System {
		return p, nil
	}
	s := t.s
	if err := t.plans(ctx, a, &p); err != nil {
		return p, err
	}
	me := self(a)
	if me == 0 {
		return p, nil
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT p.id, p.title, p.session_on, p.current_version, p.published_version, p.lead_staff_id,
		(SELECT count(*) FROM research_adaptations ad WHERE ad.prep_id = p.id AND ad.staff_id = $1)
		FROM research_preps p WHERE p.research_group_id IN (SELECT research_group_id FROM research_members WHERE staff_id = $1)
		ORDER BY p.id DESC LIMIT `+itoa(taskMax), me)
	if err != nil {
		return p, err
	}
	weekOut := workbench.AddDays(today, 7)
	for rows.Next() {
		var id int64
		var title string
		var on store.Date
		var cur, pub, adapted int
		var lead int64
		if err := rows.Scan(&id, &title, &on, &cur, &pub, &lead, &adapted); err != nil {
			rows.Close()
			return p, err
		}
		key := "research:prep:" + id64(id)
		switch {
		case lead == me && cur == 0:
			it := workbench.Item{Key: key + ":draft", Kind: "research.draft", Subject: title, Link: prepLink(id)}
			it.DueOn = on
			p.Todo = append(p.Todo, it)
		case pub > 0 && adapted == 0:
			p.Todo = append(p.Todo, workbench.Item{Key: key + ":adapt", Kind: "research.adapt", Subject: title, Link: prepLink(id)})
		}
		if !on.IsZero() && !on.Before(today.Time) && !on.After(weekOut.Time) {
			p.Upcoming = append(p.Upcoming, workbench.Item{Key: key + ":session", Kind: "research.session", Subject: title, Link: prepLink(id), DueOn: on})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	// The activities the actor is invited to in the coming week (明天的活动
	// among them), as upcoming dates.
	rows, err = s.st.R.QueryContext(ctx, `SELECT a.id, a.title, a.starts_at FROM research_attendance x JOIN research_activities a ON a.id = x.activity_id
		WHERE x.staff_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3 ORDER BY a.starts_at LIMIT `+itoa(taskMax), me, today.Time, weekOut.Time)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var id int64
		var title string
		var at time.Time
		if err := rows.Scan(&id, &title, &at); err != nil {
			rows.Close()
			return p, err
		}
		d := store.Date{Time: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)}
		p.Upcoming = append(p.Upcoming, workbench.Item{Key: "research:act:" + id64(id), Kind: "research.activity", Subject: title, Link: activityLink(id), DueOn: d})
	}
	rows.Close()
	rows, err = s.st.R.QueryContext(ctx, `SELECT o.id, o.topic, o.observed_on FROM research_observers x JOIN research_observations o ON o.id = x.observation_id
		WHERE x.staff_id = $1 AND x.submitted_at IS NULL ORDER BY o.observed_on LIMIT `+itoa(taskMax), me)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var topic string
		var on store.Date
		if err := rows.Scan(&id, &topic, &on); err != nil {
			return p, err
		}
		due := workbench.AddDays(on, 2)
		p.Todo = append(p.Todo, workbench.Item{Key: "research:obs:" + id64(id) + ":form", Kind: "research.form", Subject: topic,
			Link: "/research/observations/" + id64(id), DueOn: due})
	}
	return p, rows.Err()
}

// plans are the term research plans on the workbench: the leader's plan to
// write and submit (due at 开学初; overdue once late), and for the group's
// teaching office the plans waiting for approval.
func (t TaskSource) plans(ctx context.Context, a auth.Actor, p *workbench.Part) error {
	s := t.s
	term := TermOf(s.Today())
	var w store.Where
	me := self(a)
	r := a.Reach(auth.PermResearchManage)
	var alts []string
	if me != 0 {
		alts = append(alts, "rg.leader_staff_id = "+w.Arg(me))
	}
	if len(r.Groups) > 0 {
		alts = append(alts, "rg.group_id IN "+w.In(r.Groups))
	}
	if len(alts) == 0 {
		return nil
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
	rows, err := s.st.R.QueryContext(ctx, selectGroup+w.SQL()+` ORDER BY rg.id LIMIT `+itoa(taskMax), w.Args...)
	if err != nil {
		return err
	}
	var groups []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return err
		}
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range groups {
		pl, err := s.plan(ctx, s.st.R, a, g, term)
		if err != nil {
			return err
		}
		key := "research:plan:" + id64(g.ID) + ":" + term
		link := "/research/groups/" + id64(g.ID)
		switch {
		case pl.CanDecide:
			p.Todo = append(p.Todo, workbench.Item{Key: key + ":review", Kind: "research.plan_review", Subject: g.Name, Link: link, DueOn: workbench.AddDays(pl.DueOn, 7)})
		case me != 0 && me == g.LeaderStaffID && pl.Status != PlanSubmitted && pl.Status != PlanApproved:
			p.Todo = append(p.Todo, workbench.Item{Key: key + ":write", Kind: "research.plan", Subject: g.Name + " " + term, Link: link, DueOn: pl.DueOn})
		}
	}
	return nil
}
