package auth

import "testing"

// TestReach is the one table of what a grant reaches: the System actor, a
// county grant, a group grant, a school grant and a self grant, each against
// the group, a member school, another school and a person.
func TestReach(t *testing.T) {
	const (
		group, otherGroup   = 10, 11
		school, otherSchool = 100, 101
		staff, otherStaff   = 1000, 1001
	)
	grant := func(r Role, st ScopeType, id int64) Grant { return Grant{Role: r, ScopeType: st, ScopeID: id} }
	type want struct {
		none, county                       bool
		group, otherGroup                  bool
		school, otherSchool                bool
		member, otherMember, memberOfOther bool // SchoolIn(otherSchool, group), SchoolIn(otherSchool, otherGroup), SchoolIn(otherSchool) with no group
		self, otherPerson, personAtSchool  bool // Person(staff, 0), Person(otherStaff, otherSchool), Person(otherStaff, school)
	}
	cases := []struct {
		name  string
		actor Actor
		perm  Permission
		want  want
	}{
		{"system actor", SystemActor("cli"), PermExamsManage,
			want{county: true, group: true, otherGroup: true, school: true, otherSchool: true, member: true, otherMember: true, memberOfOther: true, self: true, otherPerson: true, personAtSchool: true}},
		{"county grant", Actor{Grants: []Grant{grant(SectionBasic, ScopeCounty, 0)}}, PermExamsManage,
			want{county: true, group: true, otherGroup: true, school: true, otherSchool: true, member: true, otherMember: true, memberOfOther: true, self: true, otherPerson: true, personAtSchool: true}},
		{"county grant without the permission", Actor{Grants: []Grant{grant(BureauLeader, ScopeCounty, 0)}}, PermExamsManage,
			want{none: true}},
		{"group grant", Actor{Grants: []Grant{grant(GroupAdmin, ScopeGroup, group)}}, PermExamsManage,
			want{group: true, member: true}},
		{"school grant", Actor{Grants: []Grant{grant(SchoolAdmin, ScopeSchool, school)}}, PermExamsManage,
			want{school: true, personAtSchool: true}},
		{"self grant", Actor{StaffID: staff, Grants: []Grant{grant(Teacher, ScopeSelf, 0)}}, PermExchangesApply,
			want{self: true}},
		{"self grant without a staff record", Actor{Grants: []Grant{grant(Teacher, ScopeSelf, 0)}}, PermExchangesApply,
			want{none: true}},
		{"two grants, one carrying the permission", Actor{StaffID: staff, Grants: []Grant{grant(Teacher, ScopeSelf, 0), grant(GroupAdmin, ScopeGroup, group)}}, PermGroupsManage,
			want{group: true, member: true}},
		{"no grant", Actor{}, PermExamsRead, want{none: true}},
	}
	for _, c := range cases {
		r := c.actor.Reach(c.perm)
		got := want{
			none: r.None(), county: r.County,
			group: r.Group(group), otherGroup: r.Group(otherGroup),
			school: r.School(school), otherSchool: r.School(otherSchool),
			member: r.SchoolIn(otherSchool, group), otherMember: r.SchoolIn(otherSchool, otherGroup), memberOfOther: r.SchoolIn(otherSchool),
			self: r.Person(staff, 0), otherPerson: r.Person(otherStaff, otherSchool), personAtSchool: r.Person(otherStaff, school),
		}
		if got != c.want {
			t.Errorf("%s: got %+v\nwant %+v", c.name, got, c.want)
		}
		if r.Group(0) && !r.County {
			t.Errorf("%s: group 0 (none) is reached without a county grant", c.name)
		}
	}
}
