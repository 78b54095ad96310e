package registry

import (
	"context"
	"database/sql"
	"errors"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Write access is decided per grant through auth.Reach: a permission counts
// only for the objects inside that grant's scope. A county grant reaches
// everything, a group grant its group's current members, a school grant its
// school.

// schoolCan reports whether p applies to school id: through a county grant,
// a grant on that school, or a grant on the group it belongs to now.
func (s *Service) schoolCan(ctx context.Context, a auth.Actor, p auth.Permission, schoolID int64) (bool, error) {
	r := a.Reach(p)
	if r.School(schoolID) || len(r.Groups) == 0 {
		return r.School(schoolID), nil
	}
	groups, err := CurrentGroups(ctx, s.st.R, schoolID)
	if err != nil {
		return false, err
	}
	return r.SchoolIn(schoolID, groups...), nil
}

// requireSchool answers forbidden when p does not reach the school. The
// caller has already shown the school is visible (else it answered 404).
func (s *Service) requireSchool(ctx context.Context, a auth.Actor, p auth.Permission, schoolID int64) error {
	ok, err := s.schoolCan(ctx, a, p, schoolID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.ForbiddenError()
	}
	return nil
}

// CurrentGroups lists the groups school is a member of now: an open
// membership (left_on IS NULL). This is the membership through which a
// group grant reaches a school (auth.Reach.SchoolIn).
func CurrentGroups(ctx context.Context, q store.Reader, schoolID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// MembershipOn is the group and role of a school on a date (0 and "" when in
// none). A membership covers [joined_on, left_on).
func MembershipOn(ctx context.Context, q store.Reader, schoolID int64, on store.Date) (int64, string, error) {
	var group int64
	var role string
	err := q.QueryRowContext(ctx, `SELECT group_id, role FROM group_members WHERE school_id = $1 AND joined_on <= $2 AND (left_on IS NULL OR left_on > $2)
		ORDER BY joined_on DESC LIMIT 1`, schoolID, on).Scan(&group, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return group, role, err
}
