package demo_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"edugroup/internal/audit"
	"edugroup/internal/demo"
	"edugroup/internal/registry"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var smallProvince = demo.ProvinceSize{Townships: 30, Groups: 40, Schools: 200, Staff: 3000}

// categoryOf is the 学校标识码 category each stage's schools carry.
var categoryOf = map[string]string{"preschool": "11", "primary": "21", "junior": "31", "nine_year": "31", "senior": "34"}

func TestGenerateProvince(t *testing.T) {
	c, err := demo.GenerateProvince(demo.ProvinceSeed, smallProvince)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := demo.GenerateProvince(demo.ProvinceSeed, smallProvince)
	if !reflect.DeepEqual(c, again) {
		t.Errorf("two calls with the same seed differ")
	}
	if len(c.Townships) != 30 || len(c.Groups) != 40 || len(c.Schools) != 200 || len(c.Staff) != 3000 {
		t.Fatalf("sizes %d/%d/%d/%d, want 30/40/200/3000", len(c.Townships), len(c.Groups), len(c.Schools), len(c.Staff))
	}
	regions := map[string]bool{}
	twCodes := map[string]bool{}
	for _, tw := range c.Townships {
		if len(tw.Code) != 9 || !strings.HasPrefix(tw.Code, "34") || twCodes[tw.Code] {
			t.Errorf("township %s: code %q is not a unique 9-digit Anhui code", tw.Name, tw.Code)
		}
		twCodes[tw.Code] = true
	}
	codes, names, phones := map[string]bool{}, map[string]bool{}, map[string]bool{}
	staffOf := make([]int, len(c.Schools))
	for _, p := range c.Staff {
		staffOf[p.School]++
		regions[p.IDCard[:6]] = true
		if phones[p.Phone] {
			t.Errorf("phone %s twice", p.Phone)
		}
		phones[p.Phone] = true
	}
	if len(regions) < 20 {
		t.Errorf("ID numbers use %d region codes, want many", len(regions))
	}
	members := make([]int, len(c.Groups))
	ungrouped := 0
	for i, s := range c.Schools {
		if !demo.ValidSchoolCode(s.Code) || s.Code[:2] != categoryOf[s.Stage] || codes[s.Code] {
			t.Errorf("school %s: code %s is not a unique code of category %s", s.Name, s.Code, categoryOf[s.Stage])
		}
		codes[s.Code] = true
		if names[s.Name] {
			t.Errorf("school name %s twice", s.Name)
		}
		names[s.Name] = true
		if s.StaffCount != staffOf[i] || s.StaffCount < 5 {
			t.Errorf("school %s: staff_count %d, roster %d", s.Name, s.StaffCount, staffOf[i])
		}
		if s.Group < 0 {
			ungrouped++
			continue
		}
		if s.GroupRole != "lead" {
			members[s.Group]++
		}
	}
	for gi, n := range members {
		if n < 3 || n > 8 {
			t.Errorf("group %s has %d members besides the lead, want 3–8", c.Groups[gi].Name, n)
		}
		if lead := c.Schools[c.Groups[gi].LeadSchool]; lead.Group != gi || lead.GroupRole != "lead" {
			t.Errorf("group %s: its lead school is not its lead member", c.Groups[gi].Name)
		}
	}
	if share := float64(ungrouped) / float64(len(c.Schools)); share < 0.1 || share > 0.2 {
		t.Errorf("%.0f%% of schools are in no group, want about 15%%", share*100)
	}
	if _, err := demo.GenerateProvince(1, demo.ProvinceSize{Townships: 10, Groups: 40, Schools: 100, Staff: 1000}); err == nil {
		t.Errorf("40 groups of four out of 100 schools: want an error")
	}
}

func TestLoadProvince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := audit.New(st)
		res, err := demo.LoadProvince(ctx, st, log, demo.DefaultPassword, smallProvince)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || len(res.Accounts) != 15 {
			t.Fatalf("created %v with %d accounts, want 15", res.Created, len(res.Accounts))
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := st.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		for q, want := range map[string]int{
			`SELECT count(*) FROM townships`:                                     30,
			`SELECT count(*) FROM edu_groups`:                                    40,
			`SELECT count(*) FROM schools`:                                       200,
			`SELECT count(*) FROM staff`:                                         3000,
			`SELECT count(*) FROM users`:                                         15,
			`SELECT count(*) FROM audit_log WHERE action = 'demo.seed_province'`: 1,
			`SELECT count(*) FROM (SELECT group_id FROM group_members WHERE role = 'lead' GROUP BY group_id HAVING count(*) = 1) x`:              40,
			`SELECT count(*) FROM group_members WHERE role = 'lead'`:                                                                             40,
			`SELECT count(*) FROM (SELECT school_id FROM group_members GROUP BY school_id HAVING count(*) > 1) x`:                                0,
			`SELECT count(*) FROM edu_groups g JOIN group_members m ON m.group_id = g.id AND m.school_id = g.lead_school_id AND m.role = 'lead'`: 40,
			`SELECT count(*) FROM schools s WHERE s.staff_count <> (SELECT count(*) FROM staff st WHERE st.school_id = s.id)`:                    0,
			`SELECT count(*) FROM edu_groups WHERE party_secretary = '' OR party_members = ''`:                                                   0,
			`SELECT count(*) FROM edu_groups WHERE governance = 'federated' AND task_force = ''`:                                                 0,
		} {
			if got := count(q); got != want {
				t.Errorf("%s = %d, want %d", q, got, want)
			}
		}
		if n := count(`SELECT count(*) FROM group_members`); n < 160 || n > 200 {
			t.Errorf("%d memberships, want a lead and 3–8 members in each of 40 groups", n)
		}

		rows, err := st.R.QueryContext(ctx, `SELECT id_card, birth_date, gender FROM staff`)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		regions := map[string]bool{}
		for rows.Next() {
			var id, gender string
			var birth store.Date
			if err := rows.Scan(&id, &birth, &gender); err != nil {
				t.Fatal(err)
			}
			if !registry.ValidIDCard(id) {
				t.Errorf("invalid ID number %s", id)
			}
			if id[6:14] != birth.Format("20060102") {
				t.Errorf("ID number %s does not carry birth date %s", id, birth)
			}
			if male := (id[16]-'0')%2 == 1; male != (gender == "M") {
				t.Errorf("ID number %s does not agree with gender %s", id, gender)
			}
			if seen[id] {
				t.Errorf("ID number %s twice", id)
			}
			seen[id] = true
			regions[id[:6]] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(seen) != 3000 {
			t.Errorf("read %d ID numbers back, want 3000", len(seen))
		}
		if len(regions) < 20 {
			t.Errorf("ID numbers use %d region codes, want many", len(regions))
		}

		// The accounts sit where the county demo puts them.
		var teacherSchool, principalSchool int64
		if err := st.R.QueryRowContext(ctx, `SELECT st.school_id FROM users u JOIN staff st ON st.id = u.staff_id WHERE u.username = 'teacher'`).Scan(&teacherSchool); err != nil {
			t.Fatalf("teacher account: %v", err)
		}
		if err := st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal'`).Scan(&principalSchool); err != nil {
			t.Fatalf("principal account: %v", err)
		}
		if teacherSchool != principalSchool {
			t.Errorf("the teacher works at school %d, the principal account runs school %d", teacherSchool, principalSchool)
		}
		if n := count(`SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id JOIN group_members m ON m.group_id = g.scope_id
			WHERE u.username = 'groupadmin' AND g.scope_type = 'group' AND m.school_id = $1 AND m.role = 'member'`, principalSchool); n != 1 {
			t.Errorf("the principal's school is not a member of the groupadmin's group")
		}
		if n := count(`SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id JOIN group_members m ON m.school_id = g.scope_id
			JOIN role_grants ga ON ga.scope_id = m.group_id AND ga.scope_type = 'group' JOIN users gu ON gu.id = ga.user_id
			WHERE u.username = 'leadadmin' AND g.scope_type = 'school' AND m.role = 'lead' AND gu.username = 'groupadmin'`); n != 1 {
			t.Errorf("the leadadmin account does not run the lead school of the groupadmin's group")
		}

		if _, err := demo.LoadProvince(ctx, st, log, demo.DefaultPassword, smallProvince); !errors.Is(err, demo.ErrNotEmpty) {
			t.Errorf("second load: %v, want ErrNotEmpty", err)
		}
		if n := count(`SELECT count(*) FROM schools`); n != 200 {
			t.Errorf("after the refused load %d schools, want 200", n)
		}
	})
}
