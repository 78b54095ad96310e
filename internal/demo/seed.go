package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
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

// Load writes the demo county and one account per role into st. It is
// idempotent: a second run changes nothing and returns the same accounts.
func Load(ctx context.Context, st *store.Store, log *audit.Log, password string) (Result, error) {
	if err := auth.CheckPasswordPolicy(auth.DefaultSecurity(), "demo-password", "", password); err != nil {
		return Result{}, fmt.Errorf("the demo password does not meet the password policy (8+ characters, 3 of 4 character classes, not a common password)")
	}
	c := Generate(Seed)
	res := Result{}
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE code = $1`, c.Schools[0].Code).Scan(&n); err != nil {
			return err
		}
		ids := ids{}
		if n == 0 {
			res.Created = true
			if err := insertCounty(ctx, tx, c, &ids); err != nil {
				return err
			}
		} else if err := lookupIDs(ctx, tx, c, &ids); err != nil {
			return err
		}
		accts, err := ensureAccounts(ctx, tx, c, ids, password)
		if err != nil {
			return err
		}
		res.Accounts = accts
		if !res.Created {
			return nil
		}
		if err := seedExchanges(ctx, tx); err != nil {
			return err
		}
		return log.Append(ctx, tx, auth.SystemActor("demo").Who(), audit.Entry{Action: "demo.seed", ObjectType: "county", ObjectID: c.Code,
			Detail: map[string]any{"schools": len(c.Schools), "groups": len(c.Groups), "staff": len(c.Staff), "accounts": len(accts)}})
	})
	if err != nil || !res.Created {
		return res, err
	}
	return res, seedExams(ctx, st, log)
}

type ids struct {
	townships, schools, groups, staff []int64
}

func insertCounty(ctx context.Context, tx *sql.Tx, c *County, ids *ids) error {
	now := store.Now()
	for _, t := range c.Townships {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO townships (code, name) VALUES ($1, $2) RETURNING id`, t.Code, t.Name).Scan(&id); err != nil {
			return fmt.Errorf("township %s: %w", t.Name, err)
		}
		ids.townships = append(ids.townships, id)
	}
	for _, s := range c.Schools {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO schools (code, name, short_name, township_id, urban_rural, stage, type_code, students, classes, staff_count, tier, is_new, principal, phone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
			s.Code, s.Name, s.ShortName, ids.townships[s.Township], s.UrbanRural, s.Stage, s.TypeCode, s.Students, s.Classes, s.StaffCount,
			s.Tier, s.IsNew, s.Principal, s.Phone, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("school %s: %w", s.Name, err)
		}
		ids.schools = append(ids.schools, id)
	}
	for gi, g := range c.Groups {
		// The lead school's principal is the party branch secretary; a group
		// of several legal persons has a task force of its schools' principals.
		lead := c.Schools[g.LeadSchool].Principal
		principals := []string{lead}
		for si, sc := range c.Schools {
			if sc.Group == gi && si != g.LeadSchool {
				principals = append(principals, sc.Principal)
			}
		}
		taskForce := ""
		if g.Governance == "federated" {
			taskForce = lead + "（组长）、" + strings.Join(principals[1:], "、")
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO edu_groups (name, mode, governance, lead_school_id, founded_on, goal, philosophy, motto, party_secretary, party_members, task_force, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			g.Name, g.Mode, g.Governance, ids.schools[g.LeadSchool], store.MustDate(g.FoundedOn), g.Goal, g.Philosophy, g.Motto,
			lead, strings.Join(principals, "、"), taskForce, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
		ids.groups = append(ids.groups, id)
	}
	for i, s := range c.Schools {
		if s.Group < 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, school_id, role, joined_on, created_at) VALUES ($1, $2, $3, $4, $5)`,
			ids.groups[s.Group], ids.schools[i], s.GroupRole, store.MustDate(s.JoinedOn), now); err != nil {
			return fmt.Errorf("membership of %s: %w", s.Name, err)
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO staff (staff_no, name, gender, id_card, phone, school_id, post, is_cadre, subject, title, honours, education, birth_date, hire_date, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, p := range c.Staff {
		var id int64
		err := stmt.QueryRowContext(ctx, p.StaffNo, p.Name, p.Gender, p.IDCard, p.Phone, ids.schools[p.School], p.Post, p.Post != "teacher",
			p.Subject, p.Title, strings.Join(p.Honours, "、"), p.Education, store.MustDate(p.BirthDate), store.MustDate(p.HireDate), p.Status, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("staff %s: %w", p.StaffNo, err)
		}
		ids.staff = append(ids.staff, id)
	}
	return nil
}

func lookupIDs(ctx context.Context, tx *sql.Tx, c *County, ids *ids) error {
	one := func(q, key string) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, q, key).Scan(&id)
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
	group, group2          int
	leadSchool, member     int
	teacher                int
	member2                int
	principal, groupLeader int
}

func pick(c *County) picks {
	p := picks{group: 0, group2: 1, member: -1, teacher: -1, member2: -1, principal: -1, groupLeader: -1}
	p.leadSchool = c.Groups[0].LeadSchool
	for i, s := range c.Schools {
		if s.Group == 0 && s.GroupRole == "member" && p.member < 0 {
			p.member = i
		}
		if s.Group == 1 && s.GroupRole != "lead" && p.member2 < 0 {
			p.member2 = i
		}
	}
	for i, st := range c.Staff {
		if st.School == p.member && st.Post == "teacher" && st.Status == "active" && p.teacher < 0 {
			p.teacher = i
		}
		if st.School == p.leadSchool && st.Post == "principal" {
			p.principal = i
			p.groupLeader = i
		}
	}
	return p
}

func accountStaff(c *County) []int {
	p := pick(c)
	return []int{p.teacher, p.principal}
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
		{"multi", "赵敏", -1, []grantSpec{
			{role: auth.GroupAdmin, scope: auth.ScopeGroup, groupIx: p.group2},
			{role: auth.SchoolAdmin, scope: auth.ScopeSchool, school: p.member2},
		}, "集团管理员 of " + c.Groups[p.group2].Name + " + 学校管理员 of " + c.Schools[p.member2].Name},
	}
}

func ensureAccounts(ctx context.Context, tx *sql.Tx, c *County, ids ids, password string) ([]Account, error) {
	now := store.Now()
	var out []Account
	for _, sp := range specs(c) {
		name := sp.name
		if name == "" {
			name = c.Schools[sp.grants[0].school].Principal
		}
		var uid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, sp.username).Scan(&uid)
		created := err == sql.ErrNoRows
		if created {
			hash, err := auth.HashPassword(password)
			if err != nil {
				return nil, err
			}
			var staff any
			if sp.staff >= 0 {
				staff = ids.staff[sp.staff]
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, password_hash, password_changed_at, staff_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $4, $4) RETURNING id`, sp.username, name, hash, now, staff).Scan(&uid); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", sp.username, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, uid, hash, now); err != nil {
				return nil, err
			}
		} else if err != nil {
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
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM role_grants WHERE user_id = $1 AND role = $2 AND scope_type = $3 AND scope_id = $4`,
				uid, g.role, g.scope, scopeID).Scan(&n); err != nil {
				return nil, err
			}
			if n == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO role_grants (user_id, role, scope_type, scope_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
					uid, g.role, g.scope, scopeID, now); err != nil {
					return nil, err
				}
			}
			acct.Grants = append(acct.Grants, auth.Grant{Role: g.role, ScopeType: g.scope, ScopeID: scopeID, ScopeName: scopeName})
		}
		out = append(out, acct)
	}
	return out, nil
}
