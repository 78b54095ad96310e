package curriculum

import (
	"context"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the curriculum on the workbench: a school's timetable for
// the term still to publish (due PublishDays after the term starts), the
// staffing matches waiting on the actor's acceptance, those the actor
// proposed that wait on others, and for the county and groups the number
// of schools without a published timetable.
type TaskSource struct{ s *Service }

// Tasks is the curriculum capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "curriculum" }

// Workbench lists the actor's curriculum items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	s := t.s
	if a.System || !a.Has(auth.PermCurriculumRead) {
		return p, nil
	}
	cfg, err := s.settings(ctx)
	if err != nil {
		return p, err
	}
	term := TermOf(today)
	due := workbench.AddDays(TermStart(cfg, term), cfg.PublishDays)
	for _, sid := range a.Reach(auth.PermTimetableManage).Schools {
		id, err := inForce(ctx, s.st.R, sid, term, today)
		if err != nil {
			return p, err
		}
		if id != 0 {
			continue
		}
		name, err := schoolName(ctx, s.st.R, sid)
		if err != nil {
			return p, err
		}
		p.Todo = append(p.Todo, workbench.Item{Key: "curriculum:timetable:" + strconv.FormatInt(sid, 10) + ":" + term, Kind: "curriculum.timetable",
			Subject: name + " · " + term, Link: "/curriculum/timetables/" + strconv.FormatInt(sid, 10), DueOn: due})
	}
	if a.Has(auth.PermStaffingMatch) {
		var w store.Where
		w.Add("m.status = 'proposed'")
		matchVisible(&w, a)
		ms, err := queryMatches(ctx, s.st.R, a, selectMatch+w.SQL()+` ORDER BY m.id LIMIT 200`, w.Args...)
		if err != nil {
			return p, err
		}
		for _, m := range ms {
			subject := m.StaffName + " → " + m.NeedSchoolName + " · " + m.Subject
			link := "/curriculum/staffing?group_id=" + strconv.FormatInt(m.GroupID, 10)
			accept := false
			for _, x := range m.Actions {
				accept = accept || x == "accept_group" || x == "accept_need" || x == "accept_provider"
			}
			since := m.CreatedAt
			switch {
			case accept:
				p.Todo = append(p.Todo, workbench.Item{Key: "staffing:" + strconv.FormatInt(m.ID, 10) + ":accept", Kind: "staffing.accept", Subject: subject, Link: link,
					DueOn: workbench.AddDays(store.Date{Time: m.CreatedAt.Truncate(24 * 3600e9)}, 7)})
			case m.createdByID == a.UserID:
				p.Waiting = append(p.Waiting, workbench.Item{Key: "staffing:" + strconv.FormatInt(m.ID, 10) + ":wait", Kind: "staffing.waiting", Subject: subject, Link: link, Since: &since})
			}
		}
	}
	county, groups := a.Reach(auth.PermCurriculumRead).County, len(a.Reach(auth.PermCurriculumRead).Groups) > 0
	if county || groups {
		rows, _, err := s.List(ctx, a, ListFilter{Term: term, Status: "unpublished"})
		if err != nil {
			return p, err
		}
		p.Figures = append(p.Figures, workbench.Figure{Key: "curriculum_unpublished", Value: int64(len(rows)), Link: "/curriculum/timetables?status=unpublished"})
	}
	return p, nil
}
