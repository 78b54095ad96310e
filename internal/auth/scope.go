package auth

import "slices"

// Reach is the part of the county that an actor's grants carrying one
// permission open. It is the one meaning of "this grant reaches that
// object" that every capability uses: a county grant (and the System
// actor) reaches everything; a group grant its group and the group's
// member schools; a school grant its school; a self grant the actor's own
// staff record. A permission counts only within the scope of a grant that
// carries it.
//
// Which schools belong to a group (now, or on a date) is the registry's
// knowledge, so the methods that need it take the school's groups as the
// caller read them.
type Reach struct {
	County  bool
	Groups  []int64
	Schools []int64
	// Self is the actor's own staff record when a self grant carries the
	// permission (0 when none does, or the account has no staff record).
	Self int64
}

// Reach is what the actor's grants carrying p open.
func (a Actor) Reach(p Permission) Reach {
	if a.System {
		return Reach{County: true}
	}
	var r Reach
	for _, g := range a.GrantsWith(p) {
		switch g.ScopeType {
		case ScopeCounty:
			r.County = true
		case ScopeGroup:
			r.Groups = append(r.Groups, g.ScopeID)
		case ScopeSchool:
			r.Schools = append(r.Schools, g.ScopeID)
		case ScopeSelf:
			if a.StaffID != 0 {
				r.Self = a.StaffID
			}
		}
	}
	return r
}

// None reports whether the reach opens nothing at all.
func (r Reach) None() bool {
	return !r.County && len(r.Groups) == 0 && len(r.Schools) == 0 && r.Self == 0
}

// Group reports whether the reach takes in group id itself (its record,
// its members, its own exchanges and exams).
func (r Reach) Group(id int64) bool {
	return r.County || (id != 0 && slices.Contains(r.Groups, id))
}

// School reports whether a county grant or a grant on school id reaches it.
// A group grant reaches a school only through its membership: see SchoolIn.
func (r Reach) School(id int64) bool {
	return r.County || (id != 0 && slices.Contains(r.Schools, id))
}

// SchoolIn reports whether the reach takes in school id, a member of
// groups: through a county grant, a grant on the school, or a grant on one
// of those groups.
func (r Reach) SchoolIn(id int64, groups ...int64) bool {
	if r.School(id) {
		return true
	}
	for _, g := range groups {
		if g != 0 && slices.Contains(r.Groups, g) {
			return true
		}
	}
	return false
}

// Person reports whether the reach takes in staff member staffID: the
// actor's own record through a self grant, or the school through a grant
// on it or the county (schoolID may be 0 when only the self grant
// matters).
func (r Reach) Person(staffID, schoolID int64) bool {
	return (staffID != 0 && r.Self == staffID) || r.School(schoolID)
}
