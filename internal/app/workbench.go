package app

import (
	"context"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/curriculum"
	"edugroup/internal/exams"
	"edugroup/internal/exchange"
	"edugroup/internal/governance"
	"edugroup/internal/mentoring"
	"edugroup/internal/planning"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/research"
	"edugroup/internal/resources"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// newWorkbench builds the workbench and registers each capability's task
// source; every capability posts its notifications through it.
func newWorkbench(st *store.Store, pol *policy.Service, reg *registry.Service, ex *exchange.Service, exm *exams.Service, pl *planning.Service, men *mentoring.Service,
	cur *curriculum.Service, rs *research.Service, res *resources.Service, gov *governance.Service) *workbench.Service {
	wb := workbench.NewService(st)
	wb.Policy = func(ctx context.Context) (policy.Reminders, error) {
		v, err := pol.Today(ctx)
		return v.Settings.Reminders, err
	}
	wb.Register(ex.Tasks(), pl.Tasks(), men.Tasks(), cur.Tasks(), rs.Tasks(), res.Tasks(), gov.Tasks(), registryFigures{reg}, examFigures{exm}, platformFigures{st})
	ex.Notices = wb
	pl.Notices = wb
	men.Notices = wb
	cur.Notices = wb
	rs.Notices = wb
	res.Notices = wb
	gov.Notices = wb
	return wb
}

// registryFigures are the registry's numbers, only where they mean something
// for the role: the county's for county roles, the group's for a group
// admin, the school's staff for a school admin, none for a teacher.
type registryFigures struct{ reg *registry.Service }

func (registryFigures) Name() string { return "registry" }

func (r registryFigures) Workbench(ctx context.Context, a auth.Actor, _ store.Date) (workbench.Part, error) {
	var p workbench.Part
	widest := auth.ScopeSelf
	for _, g := range a.GrantsWith(auth.PermRegistryRead) {
		switch {
		case g.ScopeType == auth.ScopeCounty:
			widest = auth.ScopeCounty
		case g.ScopeType == auth.ScopeGroup && widest != auth.ScopeCounty:
			widest = auth.ScopeGroup
		case g.ScopeType == auth.ScopeSchool && widest == auth.ScopeSelf:
			widest = auth.ScopeSchool
		}
	}
	keep := map[auth.ScopeType][]string{
		auth.ScopeCounty: {"schools", "groups", "schools_in_groups", "staff"},
		auth.ScopeGroup:  {"schools", "staff", "students"},
		auth.ScopeSchool: {"staff", "students"},
	}[widest]
	if len(keep) == 0 || a.System {
		return p, nil
	}
	cards, err := r.reg.Cards(ctx, a)
	if err != nil {
		return p, err
	}
	links := map[string]string{"schools": "/schools", "groups": "/groups", "schools_in_groups": "/groups", "staff": "/staff", "students": "/schools"}
	byKey := map[string]int64{}
	for _, c := range cards {
		byKey[c.Key] = c.Value
	}
	for _, k := range keep {
		if v, ok := byKey[k]; ok {
			p.Figures = append(p.Figures, workbench.Figure{Key: k, Value: v, Link: links[k]})
		}
	}
	return p, nil
}

// platformFigures are the administrators' numbers: locked accounts for the
// account admins, today's denied accesses and failed logins for the auditor.
type platformFigures struct{ st *store.Store }

func (platformFigures) Name() string { return "platform" }

func (f platformFigures) Workbench(ctx context.Context, a auth.Actor, _ store.Date) (workbench.Part, error) {
	var p workbench.Part
	count := func(key, link, q string, args ...any) error {
		var n int64
		if err := f.st.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		p.Figures = append(p.Figures, workbench.Figure{Key: key, Value: n, Link: link})
		return nil
	}
	if a.Has(auth.PermUsersRead) && !a.System {
		if err := count("users_locked", "/admin/users", `SELECT count(*) FROM users WHERE locked_until > $1`, store.Now()); err != nil {
			return p, err
		}
		if err := count("users", "/admin/users", `SELECT count(*) FROM users WHERE disabled = FALSE`); err != nil {
			return p, err
		}
	}
	if a.Has(auth.PermAuditRead) && !a.System {
		day := store.Now().Add(-24 * time.Hour)
		if err := count("audit_denied_today", "/admin/audit", `SELECT count(*) FROM audit_log WHERE at >= $1 AND outcome = 'denied'`, day); err != nil {
			return p, err
		}
		if err := count("login_failures_today", "/admin/audit", `SELECT count(*) FROM audit_log WHERE at >= $1 AND action = 'login' AND outcome = 'failed'`, day); err != nil {
			return p, err
		}
	}
	return p, nil
}

// examFigures is the number of this year's exams the actor may open: for a
// teacher, the reports of their own classes; for a school or group, theirs.
type examFigures struct{ ex *exams.Service }

func (examFigures) Name() string { return "exams" }

func (f examFigures) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if !a.Has(auth.PermExamsRead) || a.System {
		return p, nil
	}
	list, err := f.ex.List(ctx, a, 0)
	if err != nil {
		return p, err
	}
	since := workbench.AddDays(today, -365)
	var n int64
	for _, x := range list {
		if !x.HeldOn.Before(since.Time) {
			n++
		}
	}
	p.Figures = append(p.Figures, workbench.Figure{Key: "exams_year", Value: n, Link: "/exams"})
	return p, nil
}
