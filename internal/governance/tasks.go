package governance

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the rulebook on the workbench: a member school's admin
// confirms (or objects to) each published version by its confirmation date,
// so the usual due-soon and overdue reminders apply (kind rulebook.adopt),
// and reconsiders once the group has answered its objection; the group
// admin answers each objection and sees the confirmation dates coming.
type TaskSource struct{ s *Service }

// Tasks is the governance capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "governance" }

// Workbench lists the actor's rulebook items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if a.System || !a.Has(auth.PermRulesRead) {
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
