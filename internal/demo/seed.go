package demo

import (
	"context"
	"fmt"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// Seed is the fixed seed of the demo county, so every install shows the same one.
const Seed = 20261129

// DefaultPassword is the demo accounts' password unless one is given.
const DefaultPassword = "Demo@2026"

// Account is one demo login.
type Account struct {
	Username    string
	DisplayName string
	Grants      []auth.Grant // ScopeName filled for printing
	Note        string
	// Created says this run made the account, with the password it was given;
	// an account already there keeps the password it has.
	Created bool
}

// Result says what seeding did.
type Result struct {
	Created  bool // false when the demo county was already there
	Accounts []Account
}

// Actor is the name the demo's own writes are recorded under in the audit
// log; the workflow steps it replays are recorded under the demo account
// that takes each one, with this name as the request id.
const Actor = "演示数据"

// services are the capabilities the demo is written through.
type services struct {
	st   *store.Store
	log  *audit.Log
	pol  *policy.Service
	reg  *registry.Service
	auth *auth.Service
	sys  auth.Actor
}

func newServices(ctx context.Context, st *store.Store, log *audit.Log) (*services, error) {
	pol := policy.NewService(st, log)
	if err := pol.EnsureDefault(ctx); err != nil {
		return nil, err
	}
	sys := auth.SystemActor(Actor)
	sys.RequestID = Actor
	return &services{st: st, log: log, pol: pol, reg: registry.NewService(st, log, pol), auth: auth.NewService(st, log, pol), sys: sys}, nil
}

// Load writes the demo county and one account per role into st, through the
// services: every school, group, membership, staff member, account, grant,
// exchange step and exam is validated and audited as if people had entered
// it. It is idempotent: a second run changes nothing and returns the same
// accounts.
func Load(ctx context.Context, st *store.Store, log *audit.Log, password string) (Result, error) {
	if err := auth.CheckPasswordPolicy(auth.DefaultSecurity(), "demo-password", "", password); err != nil {
		return Result{}, fmt.Errorf("the demo password does not meet the password policy (8+ characters, 3 of 4 character classes, not a common password)")
	}
	c := Generate(Seed)
	sv, err := newServices(ctx, st, log)
	if err != nil {
		return Result{}, err
	}
	var n int
	if err := st.R.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE code = $1`, c.Schools[0].Code).Scan(&n); err != nil {
		return Result{}, err
	}
	res := Result{Created: n == 0}
	var ids ids
	if res.Created {
		v, err := sv.pol.Today(ctx)
		if err != nil {
			return Result{}, err
		}
		b, err := bulkOf(c, v.Settings.Group)
		if err != nil {
			return Result{}, err
		}
		got, err := sv.reg.BulkLoad(ctx, sv.sys, b)
		if err != nil {
			return Result{}, fmt.Errorf("demo registry: %w", err)
		}
		ids = idsOf(got)
	} else if err := lookupIDs(ctx, st.R, c, &ids); err != nil {
		return Result{}, err
	}
	if res.Accounts, err = ensureAccounts(ctx, sv, c, ids, password); err != nil {
		return Result{}, err
	}
	if !res.Created {
		return res, nil
	}
	if err := seedExchanges(ctx, sv); err != nil {
		return res, fmt.Errorf("demo exchanges: %w", err)
	}
	if err := seedExams(ctx, sv); err != nil {
		return res, fmt.Errorf("demo exams: %w", err)
	}
	if err := seedPlans(ctx, sv); err != nil {
		return res, fmt.Errorf("demo plans: %w", err)
	}
	if err := seedMentoring(ctx, sv); err != nil {
		return res, fmt.Errorf("demo mentoring: %w", err)
	}
	if err := seedCurriculum(ctx, sv); err != nil {
		return res, fmt.Errorf("demo curriculum: %w", err)
	}
	if err := seedResearch(ctx, sv); err != nil {
		return res, fmt.Errorf("demo research: %w", err)
	}
	if err := seedRules(ctx, sv); err != nil {
		return res, fmt.Errorf("demo rules: %w", err)
	}
	if err := seedMeetings(ctx, sv); err != nil {
		return res, fmt.Errorf("demo meetings: %w", err)
	}
	if err := seedReports(ctx, sv); err != nil {
		return res, fmt.Errorf("demo reports: %w", err)
	}
	return res, log.Record(ctx, sv.sys.Who(), audit.Entry{Action: "demo.seed", ObjectType: "county", ObjectID: c.Code,
		Detail: map[string]any{"schools": len(c.Schools), "groups": len(c.Groups), "staff": len(c.Staff), "accounts": len(res.Accounts)}})
}

type ids struct {
	townships, schools, groups, staff []int64
}

func idsOf(b registry.BulkIDs) ids {
	return ids{townships: b.Townships, schools: b.Schools, groups: b.Groups, staff: b.Staff}
}

// oversize is the reason the demo gives for registering a school over the
// scale limits: the county's big town schools are over them as they stand,
// which is what the limits are there to show.
const oversize = "县城学校现状超出规模上限，按实际登记（演示数据）"

// bulkOf is the county as the registry's bulk path takes it. The lead school
// of a group joins it on its founding date, as CreateGroup has it; a school
// over the scale limits lim carries the reason it is registered anyway.
func bulkOf(c *County, lim policy.Group) (registry.Bulk, error) {
	var b registry.Bulk
	for _, t := range c.Townships {
		b.Townships = append(b.Townships, registry.Township{Code: t.Code, Name: t.Name})
	}
	for _, s := range c.Schools {
		in := registry.SchoolInput{
			Code: s.Code, Name: s.Name, ShortName: s.ShortName, UrbanRural: s.UrbanRural, Stage: s.Stage, TypeCode: s.TypeCode,
			Students: s.Students, Classes: s.Classes, StaffCount: s.StaffCount, Tier: s.Tier, IsNew: s.IsNew, Principal: s.Principal, Phone: s.Phone}
		if s.Students > lim.MaxStudentsPerCampus || s.Classes > lim.MaxClassesPerCampus {
			in.OverrideReason = oversize
		}
		b.Schools = append(b.Schools, registry.BulkSchool{Township: s.Township, SchoolInput: in})
	}
	for gi, g := range c.Groups {
		// The lead school's principal is the party branch secretary; a group
		// of several legal persons has a task force of its schools' principals.
		lead := c.Schools[g.LeadSchool]
		if lead.JoinedOn != g.FoundedOn {
			return b, fmt.Errorf("group %s: the lead school joins on %s, not on the founding date %s", g.Name, lead.JoinedOn, g.FoundedOn)
		}
		principals := []string{lead.Principal}
		for si, sc := range c.Schools {
			if sc.Group == gi && si != g.LeadSchool {
				principals = append(principals, sc.Principal)
			}
		}
		taskForce := ""
		if g.Governance == "federated" {
			taskForce = lead.Principal + "（组长）、" + strings.Join(principals[1:], "、")
		}
		b.Groups = append(b.Groups, registry.BulkGroup{LeadSchool: g.LeadSchool, GroupInput: registry.GroupInput{
			Name: g.Name, Mode: g.Mode, Governance: g.Governance, FoundedOn: store.MustDate(g.FoundedOn), Goal: g.Goal, Philosophy: g.Philosophy,
			Motto: g.Motto, PartySecretary: lead.Principal, PartyMembers: strings.Join(principals, "、"), TaskForce: taskForce}})
	}
	for i, s := range c.Schools {
		if s.Group >= 0 && c.Groups[s.Group].LeadSchool != i {
			b.Members = append(b.Members, registry.BulkMember{Group: s.Group, School: i, Role: s.GroupRole, JoinedOn: store.MustDate(s.JoinedOn)})
		}
	}
	for _, p := range c.Staff {
		b.Staff = append(b.Staff, registry.BulkStaff{School: p.School, StaffInput: registry.StaffInput{
			StaffNo: p.StaffNo, Name: p.Name, Gender: p.Gender, IDCard: p.IDCard, Phone: p.Phone, Post: p.Post, Subject: p.Subject, Title: p.Title,
			Honours: strings.Join(p.Honours, "、"), Education: p.Education, HireDate: store.MustDate(p.HireDate), Status: p.Status}})
	}
	return b, nil
}

func lookupIDs(ctx context.Context, q store.Querier, c *County, ids *ids) error {
	one := func(query, key string) (int64, error) {
		var id int64
		err := q.QueryRowContext(ctx, query, key).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("demo county is incomplete (%s): %w", key, err)
		}
		return id, nil
	}
	for _, s := range c.Schools {
		id, err := one(`SELECT id FROM schools WHERE code = $1`, s.Code)
		if err != nil {
			return err
		}
		ids.schools = append(ids.schools, id)
	}
	for _, g := range c.Groups {
		id, err := one(`SELECT id FROM edu_groups WHERE name = $1`, g.Name)
		if err != nil {
			return err
		}
		ids.groups = append(ids.groups, id)
	}
	ids.staff = make([]int64, len(c.Staff))
	for _, i := range accountStaff(c) {
		id, err := one(`SELECT id FROM staff WHERE staff_no = $1`, c.Staff[i].StaffNo)
		if err != nil {
			return err
		}
		ids.staff[i] = id
	}
	return nil
}

// picks are the demo's protagonists: the first group, its lead school, a
// member school and one of that school's teachers, and a second group.
type picks struct {
	group, group2      int
	leadSchool, member int
	teacher            int
	// teacher2 is a teacher of another member school of the same group
	// (the library's walk: one uploads, the other finds and uses it).
	member3, teacher2      int
	member2                int
	principal, groupLeader int
	// peer is a lead-school teacher of the demo teacher's subject: the
	// research group's leader (教研组长) in the demo.
	peer int
}

func pick(c *County) picks {
	p := picks{group: 0, group2: 1, member: -1, teacher: -1, member2: -1, principal: -1, groupLeader: -1, peer: -1, member3: -1, teacher2: -1}
	p.leadSchool = c.Groups[0].LeadSchool
	for i, s := range c.Schools {
		if s.Group == 0 && s.GroupRole == "member" && p.member < 0 {
			p.member = i
		}
		if s.Group == 1 && s.GroupRole != "lead" && p.member2 < 0 {
			p.member2 = i
		}
	}
	for i, s := range c.Schools {
		if s.Group == 0 && s.GroupRole == "member" && i != p.member && p.member3 < 0 {
			p.member3 = i
		}
	}
	for i, st := range c.Staff {
		if st.School == p.member && st.Post == "teacher" && st.Status == "active" && p.teacher < 0 {
			p.teacher = i
		}
		if st.School == p.member3 && st.Post == "teacher" && st.Status == "active" && p.teacher2 < 0 {
			p.teacher2 = i
		}
		if st.School == p.leadSchool && st.Post == "principal" {
			p.principal = i
			p.groupLeader = i
		}
	}
	for i, st := range c.Staff {
		if st.School == p.leadSchool && st.Post == "teacher" && st.Status == "active" && st.Subject == c.Staff[p.teacher].Subject && p.peer < 0 {
			p.peer = i
		}
	}
	for i, st := range c.Staff {
		if p.peer < 0 && st.School == p.leadSchool && st.Post == "teacher" && st.Status == "active" {
			p.peer = i
		}
	}
	return p
}

func accountStaff(c *County) []int {
	p := pick(c)
	return []int{p.teacher, p.principal, p.peer, p.teacher2}
}

type accountSpec struct {
	username, name string
	staff          int // index into c.Staff, or -1
	grants         []grantSpec
	note           string
}

type grantSpec struct {
	role    auth.Role
	scope   auth.ScopeType
	groupIx int // for group scope
	school  int // for school scope
}

func specs(c *County) []accountSpec {
	p := pick(c)
	county := func(r auth.Role) []grantSpec { return []grantSpec{{role: r, scope: auth.ScopeCounty}} }
	return []accountSpec{
		{"sysadmin", "系统管理员", -1, county(auth.SystemAdmin), "系统管理员 system admin"},
		{"secadmin", "安全管理员", -1, county(auth.SecurityAdmin), "安全管理员 security admin"},
		{"auditadmin", "审计管理员", -1, county(auth.AuditAdmin), "审计管理员 audit admin"},
		{"leader", "王建国", -1, county(auth.BureauLeader), "局领导 bureau leader"},
		{"jijiao", "李红梅", -1, county(auth.SectionBasic), "基教股 basic-education section"},
		{"ganbu", "张志强", -1, county(auth.SectionCadre), "干部股 cadre section"},
		{"renshi", "刘芳", -1, county(auth.SectionPersonnel), "人事股 personnel section"},
		{"dudao", "陈卫东", -1, county(auth.Supervision), "督导办 supervision office"},
		{"groupadmin", c.Staff[p.groupLeader].Name, -1, []grantSpec{{role: auth.GroupAdmin, scope: auth.ScopeGroup, groupIx: p.group}}, "集团管理员 of " + c.Groups[p.group].Name},
		{"principal", "", -1, []grantSpec{{role: auth.SchoolAdmin, scope: auth.ScopeSchool, school: p.member}}, "学校管理员 of " + c.Schools[p.member].Name},
		{"leadadmin", "吴静", -1, []grantSpec{{role: auth.SchoolAdmin, scope: auth.ScopeSchool, school: p.leadSchool}}, "学校管理员 of " + c.Schools[p.leadSchool].Name},
		{"teacher", c.Staff[p.teacher].Name, p.teacher, []grantSpec{{role: auth.Teacher, scope: auth.ScopeSelf}}, "教师 at " + c.Schools[p.member].Name},
		{"yanzu", c.Staff[p.peer].Name, p.peer, []grantSpec{{role: auth.Teacher, scope: auth.ScopeSelf}}, "教师 at " + c.Schools[p.leadSchool].Name + ", 教研组长 of the demo teacher's subject"},
		{"teacher2", c.Staff[p.teacher2].Name, p.teacher2, []grantSpec{{role: auth.Teacher, scope: auth.ScopeSelf}}, "教师 at " + c.Schools[p.member3].Name},
		{"multi", "赵敏", -1, []grantSpec{
			{role: auth.GroupAdmin, scope: auth.ScopeGroup, groupIx: p.group2},
			{role: auth.SchoolAdmin, scope: auth.ScopeSchool, school: p.member2},
		}, "集团管理员 of " + c.Groups[p.group2].Name + " + 学校管理员 of " + c.Schools[p.member2].Name},
	}
}

// ensureAccounts creates the demo accounts and their grants that are not
// there yet, through the account service (password policy, separation of
// duties, scope checks), and lists them all.
func ensureAccounts(ctx context.Context, sv *services, c *County, ids ids, password string) ([]Account, error) {
	var out []Account
	for _, sp := range specs(c) {
		name := sp.name
		if name == "" {
			name = c.Schools[sp.grants[0].school].Principal
		}
		uid, err := sv.auth.UserIDByName(ctx, sp.username)
		created := false
		if e, ok := errs.As(err); ok && e.Code == errs.NotFound {
			created = true
		} else if err != nil {
			return nil, err
		}
		if created {
			in := auth.NewUser{Username: sp.username, DisplayName: name, Password: password}
			if sp.staff >= 0 {
				in.StaffID = &ids.staff[sp.staff]
			}
			u, _, err := sv.auth.CreateUser(ctx, sv.sys, in)
			if err != nil {
				return nil, fmt.Errorf("demo user %s: %w", sp.username, err)
			}
			uid = u.ID
		}
		u, err := sv.auth.GetUser(ctx, sv.sys, uid)
		if err != nil {
			return nil, err
		}
		acct := Account{Username: sp.username, DisplayName: name, Note: sp.note, Created: created}
		for _, g := range sp.grants {
			var scopeID int64
			scopeName := "全县"
			switch g.scope {
			case auth.ScopeGroup:
				scopeID, scopeName = ids.groups[g.groupIx], c.Groups[g.groupIx].Name
			case auth.ScopeSchool:
				scopeID, scopeName = ids.schools[g.school], c.Schools[g.school].Name
			case auth.ScopeSelf:
				scopeName = "本人"
			}
			held := false
			for _, h := range u.Grants {
				held = held || (h.Role == g.role && h.ScopeType == g.scope && h.ScopeID == scopeID)
			}
			if !held {
				if u, err = sv.auth.AddGrant(ctx, sv.sys, uid, auth.NewGrant{Role: g.role, ScopeType: g.scope, ScopeID: scopeID}); err != nil {
					return nil, fmt.Errorf("demo grant %s to %s: %w", g.role, sp.username, err)
				}
			}
			acct.Grants = append(acct.Grants, auth.Grant{Role: g.role, ScopeType: g.scope, ScopeID: scopeID, ScopeName: scopeName})
		}
		out = append(out, acct)
	}
	return out, nil
}
