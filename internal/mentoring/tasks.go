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
	if err := t.duties(ctx, a, today, &p); err != nil {
		return p, err
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
		behind, err := t.behindCount(ctx, a, today)
		if err != nil {
			return p, err
		}
		p.Figures = append(p.Figures, workbench.Figure{Key: "mentoring_new_teachers", Value: total, Link: "/mentoring/coverage"},
			workbench.Figure{Key: "mentoring_unpaired", Value: unpaired, Link: "/mentoring/coverage"},
			workbench.Figure{Key: "mentoring_behind", Value: behind, Link: "/mentoring/pairs?status=active"})
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

// duties are the to-dos of the pairs' work: the activities the other person
// logged, waiting for the actor's confirmation; the actor's own active
// pairs behind plan from mid-term; the parts of the open term-end review
// the actor is to write (the mentee's school grades once both people have).
func (t TaskSource) duties(ctx context.Context, a auth.Actor, today store.Date, p *workbench.Part) error {
	s := t.s
	if self := a.Reach(auth.PermMentoringConfirm).Self; self != 0 {
		acts, err := queryActivities(ctx, s.st.R, selectActivity+` JOIN mentoring_pairs p ON p.id = a.pair_id
			WHERE a.status = 'pending' AND p.status = 'active'
			AND ((p.mentor_staff_id = $1 AND a.entered_party = 'mentee') OR (p.mentee_staff_id = $1 AND a.entered_party = 'mentor'))
			ORDER BY a.id LIMIT $2`, self, openMax)
		if err != nil {
			return err
		}
		for _, x := range acts {
			p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:activity:" + strconv.FormatInt(x.ID, 10), Kind: "mentoring.activity_confirm",
				Subject: x.EnteredName + " · " + x.Topic, Link: "/mentoring/pairs/" + strconv.FormatInt(x.PairID, 10),
				DueOn: workbench.AddDays(store.Date{Time: x.CreatedAt.Truncate(24 * 3600e9)}, confirmWithinDays)})
		}
		mine, err := queryPairs(ctx, s.st.R, selectPair+` WHERE p.status = 'active' AND (p.mentor_staff_id = $1 OR p.mentee_staff_id = $1) ORDER BY p.id LIMIT $2`, self, openMax)
		if err != nil {
			return err
		}
		m, err := s.settings(ctx)
		if err != nil {
			return err
		}
		for _, x := range mine {
			all, err := s.activities(ctx, s.st.R, x.ID)
			if err != nil {
				return err
			}
			id := strconv.FormatInt(x.ID, 10)
			for _, g := range progress(m.Duties, x, all, today) {
				if g.Term == TermOf(today) && len(g.Behind) > 0 {
					p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:" + id + ":behind:" + g.Term, Kind: "mentoring.behind",
						Subject: subject(x), Link: link(x), DueOn: g.To})
				}
			}
			reviews, err := s.reviews(ctx, s.st.R, x.ID)
			if err != nil {
				return err
			}
			term := reviewTerm(x, reviews, today)
			if term == "" {
				continue
			}
			var r Review
			for _, y := range reviews {
				if y.Term == term {
					r = y
				}
			}
			if (self == x.MentorStaffID && r.MentorAt == nil) || (self == x.MenteeStaffID && r.MenteeAt == nil) {
				_, end := TermBounds(term)
				p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:" + id + ":review:" + term, Kind: "mentoring.review",
					Subject: subject(x) + " · " + term, Link: link(x), DueOn: end})
			}
		}
	}
	schools := a.Reach(auth.PermMentoringConfirm).Schools
	if len(schools) == 0 {
		return nil
	}
	var w store.Where
	w.Add("p.status IN ('active', 'ended') AND p.mentee_school_id IN " + w.In(schools))
	w.Add("p.id IN (SELECT pair_id FROM mentoring_reviews WHERE grade = '' AND mentee_at IS NOT NULL AND mentor_at IS NOT NULL)")
	graded, err := queryPairs(ctx, s.st.R, selectPair+w.SQL()+` ORDER BY p.id LIMIT `+w.Arg(openMax), w.Args...)
	if err != nil {
		return err
	}
	for _, x := range graded {
		reviews, err := s.reviews(ctx, s.st.R, x.ID)
		if err != nil {
			return err
		}
		for _, r := range reviews {
			if r.Grade == "" && r.MenteeAt != nil && r.MentorAt != nil {
				_, end := TermBounds(r.Term)
				p.Todo = append(p.Todo, workbench.Item{Key: "mentoring:" + strconv.FormatInt(x.ID, 10) + ":grade:" + r.Term, Kind: "mentoring.grade",
					Subject: subject(x) + " · " + r.Term, Link: link(x), DueOn: end})
			}
		}
	}
	return nil
}

// behindCount is how many of the active pairs the actor oversees are behind
// plan in the current term.
func (t TaskSource) behindCount(ctx context.Context, a auth.Actor, today store.Date) (int64, error) {
	s := t.s
	term := TermOf(today)
	if today.Before(MidTerm(term).Time) {
		return 0, nil
	}
	m, err := s.settings(ctx)
	if err != nil {
		return 0, err
	}
	var w store.Where
	visible(&w, a)
	w.Add("p.status = 'active' AND p.start_term <= ? AND p.end_term >= ?", term, term)
	counts := map[int64]map[string]int{}
	rows, err := s.st.R.QueryContext(ctx, `SELECT p.id, COALESCE(x.kind, ''), count(x.id) FROM mentoring_pairs p
		LEFT JOIN mentoring_activities x ON x.pair_id = p.id AND x.status = 'confirmed' AND x.term = `+w.Arg(term)+w.SQL()+` GROUP BY p.id, x.kind`, w.Args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		var n int
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return 0, err
		}
		if counts[id] == nil {
			counts[id] = map[string]int{}
		}
		counts[id][kind] = n
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var behind int64
	for _, c := range counts {
		for _, k := range ActivityKinds {
			if n := target(m.Duties, k); n > 0 && c[k] < n/2 {
				behind++
				break
			}
		}
	}
	return behind, nil
}
