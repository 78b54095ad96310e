package mentoring

import (
	"context"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is mentoring on the workbench: the pair confirmations waiting
// on the actor (as mentor, mentee or principal), the new teachers of the
// group without a mentor (for whoever makes the group's pairs), the
// proposals the actor made that wait on others, and the coverage figures.
type TaskSource struct{ s *Service }

// Tasks is the mentoring capability's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "mentoring" }

// confirmWithinDays is how long after the proposal the confirmations are due.
const confirmWithinDays = 7

// openMax bounds the open pairs read for one workbench.
const openMax = 500

// Workbench lists the actor's mentoring items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	s := t.s
	if !a.Has(auth.PermMentoringRead) || a.System {
		return p, nil
	}
	var w store.Where
	visible(&w, a)
	w.Add("p.status = 'proposed'")
	open, err := queryPairs(ctx, s.st.R, selectPair+w.SQL()+` ORDER BY p.id LIMIT `+w.Arg(openMax), w.Args...)
	if err != nil {
		return p, err
	}
	for _, x := range open {
		can := allowed(a, x)
		due := workbench.AddDays(store.Date{Time: x.CreatedAt.Truncate(24 * 3600e9)}, confirmWithinDays)
		if can["decline"] {
			p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:" + strconv.FormatInt(x.ID, 10) + ":confirm", Kind: "mentoring.confirm",
				Subject: subject(x), Link: link(x), DueOn: due})
		} else if x.createdByID != 0 && x.createdByID == a.UserID {
			since := x.CreatedAt
			p.Waiting = append(p.Waiting, workbench.Item{Key: "mentoring:" + strconv.FormatInt(x.ID, 10) + ":wait", Kind: "mentoring.waiting",
				Subject: subject(x), Link: link(x), DueOn: due, Since: &since})
		}
	}
	// The group's new teachers without a mentor are the group's to pair
	// (a school admin pairs inside the school from the coverage page).
	if len(a.Reach(auth.PermMentoringManage).Groups) > 0 {
		cov, err := s.coverage(ctx, groupOnly(a), auth.PermMentoringManage, CoverageFilter{Unpaired: true})
		if err != nil {
			return p, err
		}
		for _, n := range cov.Teachers {
			p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:unpaired:" + strconv.FormatInt(n.StaffID, 10), Kind: "mentoring.unpaired",
				Subject: n.Name + " · " + n.SchoolName, Link: "/mentoring/pairs/new?mentee=" + strconv.FormatInt(n.StaffID, 10) + "&school=" + strconv.FormatInt(n.SchoolID, 10)})
		}
	}
	// Figures for the roles that oversee others' pairs.
	if overseer(a) {
		cov, err := s.Coverage(ctx, a, CoverageFilter{})
		if err != nil {
			return p, err
		}
		var total, unpaired int64
		for _, c := range cov.Schools {
			total += int64(c.NewTeachers)
			unpaired += int64(c.Unpaired)
		}
		p.Figures = append(p.Figures, workbench.Figure{Key: "mentoring_new_teachers", Value: total, Link: "/mentoring/coverage"},
			workbench.Figure{Key: "mentoring_unpaired", Value: unpaired, Link: "/mentoring/coverage"})
	}
	return p, nil
}

// groupOnly keeps the actor's group grants, so the unpaired tasks are those
// of the groups the actor pairs for and not of a school they also run.
func groupOnly(a auth.Actor) auth.Actor {
	b := a
	b.Grants = nil
	for _, g := range a.Grants {
		if g.ScopeType == auth.ScopeGroup {
			b.Grants = append(b.Grants, g)
		}
	}
	return b
}

// overseer: the actor reads pairs beyond their own.
func overseer(a auth.Actor) bool {
	for _, g := range a.GrantsWith(auth.PermMentoringRead) {
		if g.ScopeType != auth.ScopeSelf {
			return true
		}
	}
	return false
}
