package registry

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/dashboard"
	"edugroup/internal/store"
)

// Cards implements dashboard.Source: the registry's figures in scope.
func (s *Service) Cards(ctx context.Context, a auth.Actor) ([]dashboard.Card, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, nil
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []dashboard.Card
	var c store.Where
	schoolScope(&c, r)
	var schools, students int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*), COALESCE(sum(s.students), 0) FROM schools s"+c.SQL(), c.Args...).Scan(&schools, &students); err != nil {
		return nil, err
	}
	var g store.Where
	groupScope(&g, r)
	var groups int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*) FROM edu_groups g"+g.SQL(), g.Args...).Scan(&groups); err != nil {
		return nil, err
	}
	var sc store.Where
	staffScope(&sc, r)
	var staff int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*) FROM staff st"+sc.SQL(), sc.Args...).Scan(&staff); err != nil {
		return nil, err
	}
	out = append(out, dashboard.Card{Key: "schools", Value: schools}, dashboard.Card{Key: "groups", Value: groups}, dashboard.Card{Key: "staff", Value: staff}, dashboard.Card{Key: "students", Value: students})
	if r.county {
		// Coverage (三、工作目标): how much of the county the groups reach today.
		var inSchools, inStudents int64
		if err := s.st.R.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(s.students), 0) FROM schools s
			WHERE s.id IN (SELECT school_id FROM group_members WHERE left_on IS NULL)`).Scan(&inSchools, &inStudents); err != nil {
			return nil, err
		}
		out = append(out, dashboard.Card{Key: "schools_in_groups", Value: inSchools}, dashboard.Card{Key: "students_in_groups", Value: inStudents})
	}
	return out, nil
}
