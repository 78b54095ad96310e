package registry

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// Write access is decided per grant: a permission counts only for the
// objects inside that grant's scope. A county grant reaches everything, a
// group grant its group's current members, a school grant its school.

// countyCan reports whether a county-wide grant carries p.
func countyCan(a auth.Actor, p auth.Permission) bool {
	if a.System {
		return true
	}
	for _, g := range a.GrantsWith(p) {
		if g.ScopeType == auth.ScopeCounty {
			return true
		}
	}
	return false
}

// schoolCan reports whether p applies to school id: through a county grant,
// a grant on that school, or a grant on the group it belongs to now.
func (s *Service) schoolCan(ctx context.Context, a auth.Actor, p auth.Permission, schoolID int64) (bool, error) {
	if countyCan(a, p) {
		return true, nil
	}
	for _, g := range a.GrantsWith(p) {
		switch g.ScopeType {
		case auth.ScopeSchool:
			if g.ScopeID == schoolID {
				return true, nil
			}
		case auth.ScopeGroup:
			var n int
			if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE group_id = $1 AND school_id = $2 AND left_on IS NULL`, g.ScopeID, schoolID).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// groupCan reports whether p applies to group id.
func groupCan(a auth.Actor, p auth.Permission, groupID int64) bool {
	if countyCan(a, p) {
		return true
	}
	for _, g := range a.GrantsWith(p) {
		if g.ScopeType == auth.ScopeGroup && g.ScopeID == groupID {
			return true
		}
	}
	return false
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
