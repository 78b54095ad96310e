package governance

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the rulebook and the follow-ups on the workbench. The rulebook: a member school's admin
// confirms (or objects to) each published version by its confirmation date,
// so the usual due-soon and overdue reminders apply (kind rulebook.adopt),
// and reconsiders once the group has answered its objection; the group
// admin answers each objection and sees the confirmation dates coming.
type TaskSource struct{ s *Service }

// Tasks is the governance capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// followups are the follow-ups on the workbench: each open one is a to-do
// of its owner school's admin due on its date (the reminders then warn and
// flag it overdue); an overdue one is a to-do of the meeting's organiser
// (escalated to the group leader) and a 督办 item of 督导 county-wide.
func (t TaskSource) followups(ctx context.Context, a auth.Actor, today store.Date, p *workbench.Part) error {
	add := func(w *store.Where, fn func(f Followup)) error {
		rows, err := t.s.st.R.QueryContext(ctx, selectFollowup+w.SQL()+` ORDER BY f.due_on, f.id`, w.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := t.s.scanFollowup(rows, today, 0)
			if err != nil {
				return err
			}
			fn(f)
		}
		return rows.Err()
	}
	item := func(f Followup, kind string) workbench.Item {
		return workbench.Item{Key: "followup:" + strconv.FormatInt(f.ID, 10) + ":" + kind, Kind: "followup." + kind,
			Subject: f.OwnerSchool + " · " + short(f.Decision), Link: followupLink(f.ID), DueOn: f.DueOn}
	}
	if r := a.Reach(auth.PermFollowupsReport); a.Has(auth.PermFollowupsReport) && len(r.Schools) > 0 {
		var w store.Where
		w.Add("f.status <> 'done'")
		w.Add("f.owner_school_id IN " + w.In(r.Schools))
		if err := add(&w, func(f Followup) { p.Todo = append(p.Todo, item(f, "report")) }); err != nil {
			return err
		}
	}
	if r := a.Reach(auth.PermMeetingsManage); a.Has(auth.PermMeetingsManage) && (len(r.Groups) > 0 || r.County) {
		var w store.Where
		w.Add("f.status <> 'done'")
		w.Add("f.due_on < ?", today)
		if r.County {
			w.Add("m.group_id IS NULL")
		} else {
			w.Add("m.group_id IN " + w.In(r.Groups))
		}
		if err := add(&w, func(f Followup) { p.Todo = append(p.Todo, item(f, "overdue")) }); err != nil {
			return err
		}
	}
	if a.Has(auth.PermFollowupsWatch) && a.Reach(auth.PermFollowupsWatch).County {
		var w store.Where
		w.Add("f.status <> 'done'")
		w.Add("f.due_on < ?", today)
		if err := add(&w, func(f Followup) { p.Todo = append(p.Todo, item(f, "supervise")) }); err != nil {
			return err
		}
	}
	return nil
}

// reports are the member reports on the workbench: a member school's admin
// makes each report owed for the latest ended period (or resubmits a
// returned one) by its due date; the group admin reviews each submitted.
func (t TaskSource) reports(ctx context.Context, a auth.Actor, today store.Date, p *workbench.Part) error {
	if r := a.Reach(auth.PermReportsSubmit); a.Has(auth.PermReportsSubmit) && len(r.Schools) > 0 {
		b, err := t.s.owedReports(ctx, auth.Reach{Schools: r.Schools}, today)
		if err != nil {
			return err
		}
		for _, o := range b.Items {
			if o.Status != ReportNone && o.Status != ReportReturned {
				continue
			}
			kind := "report.submit"
			link := "/member-reports/new?kind=" + o.Kind + "&period=" + o.Period + "&group_id=" + strconv.FormatInt(o.GroupID, 10) + "&school_id=" + strconv.FormatInt(o.SchoolID, 10)
			if o.Status == ReportReturned {
				kind, link = "report.resubmit", reportLink(o.ReportID)
			}
			p.Todo = append(p.Todo, workbench.Item{Key: "report:" + strconv.FormatInt(o.GroupID, 10) + ":" + strconv.FormatInt(o.SchoolID, 10) + ":" + o.Kind + ":" + o.Period,
				Kind: kind, Subject: o.Period + " · " + o.Label, Link: link, DueOn: o.DueOn})
		}
	}
	if r := a.Reach(auth.PermReportsReview); a.Has(auth.PermReportsReview) && len(r.Groups) > 0 {
		var w store.Where
		w.Add("mr.status = 'submitted'")
		w.Add("mr.group_id IN " + w.In(r.Groups))
		rows, err := t.s.st.R.QueryContext(ctx, selectReport+w.SQL()+` ORDER BY mr.due_on, mr.id`, w.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanReport(rows)
			if err != nil {
				return err
			}
			p.Todo = append(p.Todo, workbench.Item{Key: "report:" + strconv.FormatInt(m.ID, 10) + ":review", Kind: "report.review",
				Subject: m.SchoolName + " · " + m.Period, Link: reportLink(m.ID)})
		}
		return rows.Err()
	}
	return nil
}

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "governance" }

// Workbench lists the actor's rulebook items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if a.System {
		return p, nil
	}
	if err := t.followups(ctx, a, today, &p); err != nil {
		return p, err
	}
	if err := t.reports(ctx, a, today, &p); err != nil {
		return p, err
	}
	if !a.Has(auth.PermRulesRead) {
		return p, nil
	}
	if sub := a.Reach(auth.PermRulesAdopt); a.Has(auth.PermRulesAdopt) && len(sub.Schools) > 0 {
		var w store.Where
		w.Add("v.status = 'published'")
		w.Add("ad.status <> 'adopted'")
		w.Add("ad.school_id IN " + w.In(sub.Schools))
		// A school that has left the group owes it nothing.
		w.Add("ad.school_id IN (SELECT school_id FROM group_members WHERE group_id = r.group_id AND left_on IS NULL)")
		rows, err := t.s.st.R.QueryContext(ctx, `SELECT r.id, r.title, v.no, v.confirm_by, ad.school_id, sc.name, ad.status, ad.reply, ad.answered_at
			FROM rule_adoptions ad JOIN rule_versions v ON v.id = ad.rule_version_id JOIN rules r ON r.id = v.rule_id JOIN schools sc ON sc.id = ad.school_id`+
			w.SQL()+` ORDER BY v.confirm_by, r.id, ad.school_id`, w.Args...)
		if err != nil {
			return p, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, school int64
			var title, name, status, reply string
			var no int
			var by store.Date
			var at sql.NullTime
			if err := rows.Scan(&id, &title, &no, &by, &school, &name, &status, &reply, &at); err != nil {
				return p, err
			}
			key := "rulebook:" + strconv.FormatInt(id, 10) + ":v" + strconv.Itoa(no) + ":" + strconv.FormatInt(school, 10)
			it := workbench.Item{Subject: title + " · " + name, Link: ruleLink(id), DueOn: by}
			switch {
			case status == Pending:
				it.Key, it.Kind = key+":adopt", "rulebook.adopt"
				p.Todo = append(p.Todo, it)
			case reply != "":
				it.Key, it.Kind = key+":reconsider", "rulebook.reconsider"
				p.Todo = append(p.Todo, it)
			default:
				it.Key, it.Kind, it.DueOn, it.Since = key+":objected", "rulebook.objected", store.Date{}, timePtr(at)
				p.Waiting = append(p.Waiting, it)
			}
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
	}
	if man := a.Reach(auth.PermRulesManage); a.Has(auth.PermRulesManage) && len(man.Groups) > 0 {
		var w store.Where
		w.Add("v.status = 'published'")
		w.Add("r.group_id IN " + w.In(man.Groups))
		rows, err := t.s.st.R.QueryContext(ctx, `SELECT r.id, r.title, v.no, v.confirm_by, ad.school_id, sc.name, ad.status, ad.reply
			FROM rule_adoptions ad JOIN rule_versions v ON v.id = ad.rule_version_id JOIN rules r ON r.id = v.rule_id JOIN schools sc ON sc.id = ad.school_id`+
			w.SQL()+` AND ad.status <> 'adopted' ORDER BY v.confirm_by, r.id, ad.school_id`, w.Args...)
		if err != nil {
			return p, err
		}
		defer rows.Close()
		pendingBy := map[int64]workbench.Item{}
		var order []int64
		for rows.Next() {
			var id, school int64
			var title, name, status, reply string
			var no int
			var by store.Date
			if err := rows.Scan(&id, &title, &no, &by, &school, &name, &status, &reply); err != nil {
				return p, err
			}
			key := "rulebook:" + strconv.FormatInt(id, 10) + ":v" + strconv.Itoa(no)
			switch {
			case status == Objected && reply == "":
				p.Todo = append(p.Todo, workbench.Item{Key: key + ":" + strconv.FormatInt(school, 10) + ":objection", Kind: "rulebook.objection",
					Subject: title + " · " + name, Link: ruleLink(id)})
			case status == Pending:
				if _, ok := pendingBy[id]; !ok {
					order = append(order, id)
					pendingBy[id] = workbench.Item{Key: key + ":confirm_by", Kind: "rulebook.confirm_by", Subject: title, Link: ruleLink(id), DueOn: by}
				}
			}
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
		// The confirmation dates of the next 30 days (and those passed with
		// schools still pending) as upcoming dates.
		for _, id := range order {
			it := pendingBy[id]
			if !it.DueOn.After(workbench.AddDays(today, 30).Time) {
				p.Upcoming = append(p.Upcoming, it)
			}
		}
	}
	return p, nil
}
