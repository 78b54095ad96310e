package exchange_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/errs"
	"edugroup/internal/exchange"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

// exFixture is the group of rulesCounty with the staff the exchange tests
// move around, and the service on a fixed date.
type exFixture struct {
	e                *apptest.Env
	svc              *exchange.Service
	today            store.Date
	group, lead      int64
	member, member2  int64 // member schools of the group
	otherSchool      int64 // a school of another group
	teachers, cadres []int64
	leadCadres       []int64
	sys              auth.Actor
	creator          int64
}

// rulesCounty is a county built for the rules, with no exchanges and no
// eligibility records: the rules start from a clean slate (the demo's sit
// around the real today). One group of a lead school (three cadres, two
// teachers) and two member schools (35 teachers and 10 cadres between them),
// a second group of two schools, and the accounts the tests sign in as. It
// is built once per test binary and engine.
var rulesCounty = storetest.NewTemplate("exchange_rules", seedRulesCounty)

func seedRulesCounty(ctx context.Context, st *store.Store) error {
	now := store.Now()
	founded := store.MustDate("2020-09-01")
	hash, err := argon2id.CreateHash(demo.DefaultPassword, &argon2id.Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		return err
	}
	return st.Tx(ctx, func(tx *sql.Tx) error {
		insert := func(q string, args ...any) (int64, error) {
			var id int64
			err := tx.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id)
			return id, err
		}
		town, err := insert(`INSERT INTO townships (code, name) VALUES ('340321100', '城关镇')`)
		if err != nil {
			return err
		}
		// lead, member (the principal's), sibling member; lead and member of the other group.
		var schools []int64
		for i, name := range []string{"城关第一小学", "城关第二小学", "城关第三小学", "双桥中心小学", "双桥第二小学"} {
			id, err := insert(`INSERT INTO schools (code, name, township_id, urban_rural, stage, type_code, tier, created_at, updated_at)
				VALUES ($1, $2, $3, '111', 'primary', '211', 'good', $4, $4)`, fmt.Sprintf("21340%05d", i+1), name, town, now)
			if err != nil {
				return err
			}
			schools = append(schools, id)
		}
		for g, members := range [][]int64{schools[:3], schools[3:]} {
			gid, err := insert(`INSERT INTO edu_groups (name, mode, governance, lead_school_id, founded_on, created_at, updated_at)
				VALUES ($1, '紧密型', 'single', $2, $3, $4, $4)`, []string{"城关教育集团", "双桥教育集团"}[g], members[0], founded, now)
			if err != nil {
				return err
			}
			for k, school := range members {
				role := map[bool]string{true: "lead", false: "member"}[k == 0]
				if _, err := insert(`INSERT INTO group_members (group_id, school_id, role, joined_on, created_at) VALUES ($1, $2, $3, $4, $5)`, gid, school, role, founded, now); err != nil {
					return err
				}
			}
		}
		n := 0
		person := func(school int64, cadre bool) (int64, error) {
			n++
			post := map[bool]string{true: "director", false: "teacher"}[cadre]
			return insert(`INSERT INTO staff (staff_no, name, gender, id_card, school_id, post, is_cadre, subject, title, status, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, '语文', '一级教师', 'active', $8, $8)`,
				fmt.Sprintf("T%04d", n), fmt.Sprintf("教师%d", n), []string{"1", "2"}[n%2], fmt.Sprintf("34032119800101%04d", n), school, post, cadre, now)
		}
		for _, c := range []struct {
			school           int64
			teachers, cadres int
		}{{schools[0], 2, 3}, {schools[1], 17, 5}, {schools[2], 17, 5}, {schools[3], 1, 1}, {schools[4], 1, 1}} {
			for k := 0; k < c.teachers+c.cadres; k++ {
				if _, err := person(c.school, k >= c.teachers); err != nil {
					return err
				}
			}
		}
		// The teacher account's own record comes last, after the staff the
		// tests move around.
		own, err := person(schools[1], false)
		if err != nil {
			return err
		}
		for _, u := range []struct {
			username string
			staff    any
			role     auth.Role
			scope    auth.ScopeType
			scopeID  int64
		}{
			{"sysadmin", nil, auth.SystemAdmin, auth.ScopeCounty, 0}, {"leader", nil, auth.BureauLeader, auth.ScopeCounty, 0},
			{"renshi", nil, auth.SectionPersonnel, auth.ScopeCounty, 0}, {"principal", nil, auth.SchoolAdmin, auth.ScopeSchool, schools[1]},
			{"teacher", own, auth.Teacher, auth.ScopeSelf, 0},
		} {
			uid, err := insert(`INSERT INTO users (username, display_name, password_hash, password_changed_at, staff_id, created_at, updated_at)
				VALUES ($1, $1, $2, $3, $4, $3, $3)`, u.username, hash, now, u.staff)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO role_grants (user_id, role, scope_type, scope_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
				uid, u.role, u.scope, u.scopeID, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// newExFixture starts the app on st, a copy of rulesCounty.
func newExFixture(t *testing.T, st *store.Store) *exFixture {
	e := apptest.NewEnv(t, st)
	f := &exFixture{e: e, svc: e.App.Exchange, today: store.MustDate("2026-03-02"), group: e.IDs.Group, lead: e.IDs.LeadSchool,
		member: e.IDs.School, member2: e.IDs.SiblingSchool, otherSchool: e.IDs.OtherSchool, sys: auth.SystemActor("test")}
	f.svc.Today = func() store.Date { return f.today }
	f.creator = e.One(`SELECT id FROM users WHERE username = 'sysadmin'`)
	ids := func(q string, args ...any) []int64 {
		rows, err := st.R.QueryContext(context.Background(), q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	// Teachers and cadres of the group's member schools (not the lead).
	f.teachers = ids(`SELECT st.id FROM staff st JOIN group_members m ON m.school_id = st.school_id AND m.left_on IS NULL
		WHERE m.group_id = $1 AND m.role <> 'lead' AND st.is_cadre = FALSE AND st.status = 'active' ORDER BY st.id`, f.group)
	f.cadres = ids(`SELECT st.id FROM staff st JOIN group_members m ON m.school_id = st.school_id AND m.left_on IS NULL
		WHERE m.group_id = $1 AND m.role <> 'lead' AND st.is_cadre = TRUE AND st.status = 'active' ORDER BY st.id`, f.group)
	f.leadCadres = ids(`SELECT id FROM staff WHERE school_id = $1 AND is_cadre = TRUE AND status = 'active' ORDER BY id`, f.lead)
	if len(f.teachers) < 30 || len(f.cadres) < 8 || len(f.leadCadres) < 2 {
		t.Fatalf("demo group too small: %d teachers, %d cadres, %d lead cadres", len(f.teachers), len(f.cadres), len(f.leadCadres))
	}
	return f
}

// put inserts an exchange in a given state, for the counts the rules make.
func (f *exFixture) put(kind string, staff int64, host int64, start, end, status string) int64 {
	f.e.T.Helper()
	var school int64
	var cadre bool
	if err := f.e.App.Store.R.QueryRow(`SELECT school_id, is_cadre FROM staff WHERE id = $1`, staff).Scan(&school, &cadre); err != nil {
		f.e.T.Fatal(err)
	}
	var id int64
	now := store.Now()
	err := f.e.App.Store.W.QueryRow(`INSERT INTO exchanges (kind, staff_id, is_cadre, group_id, home_school_id, host_school_id, start_on, end_on, purpose, status,
		submitted_on, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '测试', $9, $10, $11, $12, $12) RETURNING id`,
		kind, staff, cadre, f.group, school, host, store.MustDate(start), store.MustDate(end), status, f.today, f.creator, now).Scan(&id)
	if err != nil {
		f.e.T.Fatal(err)
	}
	return id
}

func (f *exFixture) check(in exchange.Input) map[string]exchange.Check {
	f.e.T.Helper()
	res, err := f.svc.Check(context.Background(), f.sys, in)
	if err != nil {
		f.e.T.Fatalf("check %+v: %v", in, err)
	}
	out := map[string]exchange.Check{}
	for _, c := range res.Checks {
		out[c.Rule] = c
	}
	return out
}

func study(staff, host int64, start, end string) exchange.Input {
	return exchange.Input{Kind: exchange.KindStudy, StaffID: staff, HostSchoolID: host, StartOn: store.MustDate(start), EndOn: store.MustDate(end), Purpose: "跟岗学习课堂教学"}
}

func expect(t *testing.T, got map[string]exchange.Check, rule, result string) {
	t.Helper()
	c, ok := got[rule]
	if !ok {
		t.Fatalf("rule %s not checked (have %v)", rule, got)
	}
	if c.Result != result {
		t.Fatalf("rule %s: %s (%v), want %s", rule, c.Result, c.Args, result)
	}
}

// TestExchangeRules checks each rule of 五(四) at its boundary.
func TestExchangeRules(t *testing.T) {
	t.Parallel()
	rulesCounty.Each(t, func(t *testing.T, st *store.Store) {
		f := newExFixture(t, st)
		ctx := context.Background()
		tch := f.teachers

		t.Run("duration_max", func(t *testing.T) {
			// 跟岗学习: 14 days pass; 15 need the reviewer's exception.
			expect(t, f.check(study(tch[0], f.lead, "2026-04-01", "2026-04-14")), exchange.RuleDurationMax, exchange.Pass)
			expect(t, f.check(study(tch[0], f.lead, "2026-04-01", "2026-04-15")), exchange.RuleDurationMax, exchange.Pending)
			// 跟岗锻炼: 14 pass, 15 fail (hard).
			tr := exchange.Input{Kind: exchange.KindTraining, StaffID: f.leadCadres[0], HostSchoolID: f.member, StartOn: store.MustDate("2026-04-01"), EndOn: store.MustDate("2026-04-14"), Purpose: "诊断"}
			expect(t, f.check(tr), exchange.RuleDurationMax, exchange.Pass)
			tr.EndOn = store.MustDate("2026-04-15")
			expect(t, f.check(tr), exchange.RuleDurationMax, exchange.Fail)
		})

		t.Run("same_group and cadre_only", func(t *testing.T) {
			expect(t, f.check(study(tch[0], f.otherSchool, "2026-04-01", "2026-04-10")), exchange.RuleSameGroup, exchange.Fail)
			// Another school of the same group (the lead is one).
			expect(t, f.check(study(tch[0], f.lead, "2026-04-01", "2026-04-10")), exchange.RuleSameGroup, exchange.Pass)
			home := f.e.One(`SELECT school_id FROM staff WHERE id = $1`, tch[0])
			expect(t, f.check(study(tch[0], home, "2026-04-01", "2026-04-10")), exchange.RuleSameGroup, exchange.Fail)
			// 跟岗锻炼 from a member school to the lead is the wrong way round.
			tr := exchange.Input{Kind: exchange.KindTraining, StaffID: f.cadres[0], HostSchoolID: f.lead, StartOn: store.MustDate("2026-04-01"), EndOn: store.MustDate("2026-04-10"), Purpose: "诊断"}
			expect(t, f.check(tr), exchange.RuleSameGroup, exchange.Fail)
			// A teacher cannot go on 跟岗锻炼.
			leadTeacher := f.e.One(`SELECT id FROM staff WHERE school_id = $1 AND is_cadre = FALSE AND status = 'active' ORDER BY id LIMIT 1`, f.lead)
			tr = exchange.Input{Kind: exchange.KindTraining, StaffID: leadTeacher, HostSchoolID: f.member, StartOn: store.MustDate("2026-04-01"), EndOn: store.MustDate("2026-04-10"), Purpose: "诊断"}
			expect(t, f.check(tr), exchange.RuleCadreOnly, exchange.Fail)
		})

		t.Run("quota_teacher", func(t *testing.T) {
			// Six teachers already placed over overlapping dates: the 7th fits.
			for i := 1; i <= 6; i++ {
				f.put(exchange.KindStudy, tch[i], f.lead, "2026-05-0"+fmt.Sprint(i), "2026-05-14", exchange.Approved)
			}
			// One that ended before the period does not count.
			f.put(exchange.KindStudy, tch[20], f.lead, "2026-04-20", "2026-05-05", exchange.Underway)
			got := f.check(study(tch[7], f.lead, "2026-05-06", "2026-05-12"))
			expect(t, got, exchange.RuleQuotaTeacher, exchange.Pass)
			f.put(exchange.KindStudy, tch[7], f.lead, "2026-05-06", "2026-05-12", exchange.Underway)
			// Now seven on 2026-05-06: the 8th is refused, naming the day.
			got = f.check(study(tch[8], f.lead, "2026-05-06", "2026-05-20"))
			expect(t, got, exchange.RuleQuotaTeacher, exchange.Fail)
			if got[exchange.RuleQuotaTeacher].Args["date"] != "2026-05-06" || got[exchange.RuleQuotaTeacher].Args["count"] != 7 {
				t.Fatalf("quota args %v", got[exchange.RuleQuotaTeacher].Args)
			}
			// A period that starts after the busy days fits again.
			expect(t, f.check(study(tch[8], f.lead, "2026-05-15", "2026-05-20")), exchange.RuleQuotaTeacher, exchange.Pass)
		})

		t.Run("quota_cadre", func(t *testing.T) {
			for i := 0; i < 4; i++ {
				f.put(exchange.KindStudy, f.cadres[i], f.lead, "2026-06-01", "2026-06-10", exchange.Approved)
			}
			expect(t, f.check(study(f.cadres[4], f.lead, "2026-06-05", "2026-06-12")), exchange.RuleQuotaCadre, exchange.Pass)
			f.put(exchange.KindStudy, f.cadres[4], f.lead, "2026-06-05", "2026-06-12", exchange.Approved)
			expect(t, f.check(study(f.cadres[5], f.lead, "2026-06-10", "2026-06-12")), exchange.RuleQuotaCadre, exchange.Fail)
			// Teachers do not take cadre places.
			expect(t, f.check(study(tch[9], f.lead, "2026-06-10", "2026-06-12")), exchange.RuleQuotaTeacher, exchange.Pass)
		})

		t.Run("cooldown", func(t *testing.T) {
			f.put(exchange.KindStudy, tch[10], f.lead, "2024-03-01", "2024-03-02", exchange.Closed)
			// Applying on 2026-03-01 is one day short of two years.
			f.today = store.MustDate("2026-03-01")
			expect(t, f.check(study(tch[10], f.lead, "2026-04-01", "2026-04-05")), exchange.RuleCooldown, exchange.Fail)
			f.today = store.MustDate("2026-03-02")
			expect(t, f.check(study(tch[10], f.lead, "2026-04-01", "2026-04-05")), exchange.RuleCooldown, exchange.Pass)
			// 支教 is not bound by it.
			sup := study(tch[10], f.lead, "2026-04-01", "2027-04-01")
			sup.Kind = exchange.KindSupport
			if _, ok := f.check(sup)[exchange.RuleCooldown]; ok {
				t.Fatal("cooldown applied to 支教")
			}
		})

		t.Run("vetoes", func(t *testing.T) {
			staff := tch[11]
			rec := func(kind, occurred, from, to string, days int) {
				var eff, effTo any
				if from != "" {
					eff = store.MustDate(from)
				}
				if to != "" {
					effTo = store.MustDate(to)
				}
				if _, err := st.W.Exec(`INSERT INTO eligibility_records (staff_id, kind, occurred_on, authority, doc_no, effective_from, effective_to, school_year, days, note, created_at)
					VALUES ($1, $2, $3, '县教体局', '怀教〔2025〕1号', $4, $5, '2025-2026', $6, '', $7)`, staff, kind, store.MustDate(occurred), eff, effTo, days, store.Now()); err != nil {
					t.Fatal(err)
				}
			}
			in := study(staff, f.lead, "2026-04-01", "2026-04-05")
			// A finding whose effect ended yesterday no longer vetoes; one in effect today does.
			rec("paid_tutoring", "2025-01-10", "2025-01-10", "2026-03-01", 0)
			expect(t, f.check(in), exchange.RuleVetoEthics, exchange.Pass)
			rec("ethics", "2025-03-10", "2025-03-10", "2026-03-02", 0)
			got := f.check(in)
			expect(t, got, exchange.RuleVetoEthics, exchange.Fail)
			if c := got[exchange.RuleVetoEthics]; !strings.Contains(fmt.Sprint(c.Args["clause"]), "有偿家教") || c.Args["doc_no"] != nil {
				t.Fatalf("veto shows %v", c.Args)
			}
			// Sick leave: 30 days in 12 months pass, 31 veto; older leave does not count.
			staff = tch[12]
			in = study(staff, f.lead, "2026-04-01", "2026-04-05")
			rec("sick_leave", "2025-01-05", "", "", 40)
			rec("sick_leave", "2025-09-01", "", "", 20)
			rec("sick_leave", "2026-01-10", "", "", 10)
			expect(t, f.check(in), exchange.RuleVetoSickLeave, exchange.Pass)
			rec("sick_leave", "2026-02-10", "", "", 1)
			expect(t, f.check(in), exchange.RuleVetoSickLeave, exchange.Fail)
			// Refusal of assignment within the look-back.
			staff = tch[13]
			in = study(staff, f.lead, "2026-04-01", "2026-04-05")
			rec("refusal", "2025-03-02", "", "", 0)
			expect(t, f.check(in), exchange.RuleVetoRefusal, exchange.Pass)
			rec("refusal", "2025-12-01", "", "", 0)
			expect(t, f.check(in), exchange.RuleVetoRefusal, exchange.Fail)
		})

		t.Run("overlap", func(t *testing.T) {
			f.put(exchange.KindStudy, tch[14], f.member2, "2026-04-01", "2026-04-10", exchange.Submitted)
			expect(t, f.check(study(tch[14], f.lead, "2026-04-10", "2026-04-12")), exchange.RuleOverlap, exchange.Fail)
			expect(t, f.check(study(tch[14], f.lead, "2026-04-11", "2026-04-12")), exchange.RuleOverlap, exchange.Pass)
		})

		t.Run("submit refuses with every failing rule", func(t *testing.T) {
			in := study(tch[11], f.otherSchool, "2026-04-01", "2026-04-05")
			// The home school is in a group, so the draft saves; submitting names both rules.
			d, err := f.svc.Create(ctx, f.sys, in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.Submit(ctx, f.sys, d.ID, exchange.Step{Version: d.Version})
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Rule {
				t.Fatalf("submit: %v", err)
			}
			rules := map[string]bool{}
			for _, d := range e.Details {
				rules[d.Rule] = true
			}
			if !rules[exchange.RuleSameGroup] || !rules[exchange.RuleVetoEthics] {
				t.Fatalf("rules %v", rules)
			}
		})
	})
}

// TestExchangeQuotaRace: 20 final approvals race for the last 2 teacher
// places; exactly 2 win and the rest are refused with quota_teacher.
func TestExchangeQuotaRace(t *testing.T) {
	t.Parallel()
	rulesCounty.Each(t, func(t *testing.T, st *store.Store) {
		f := newExFixture(t, st)
		for i := 0; i < 5; i++ {
			f.put(exchange.KindStudy, f.teachers[i], f.lead, "2026-04-01", "2026-04-10", exchange.Approved)
		}
		var ids []int64
		for i := 5; i < 25; i++ {
			ids = append(ids, f.put(exchange.KindStudy, f.teachers[i], f.lead, "2026-04-03", "2026-04-08", exchange.Reviewed))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, quota := 0, 0
		var other []error
		for _, id := range ids {
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				_, err := f.svc.Approve(context.Background(), f.sys, id, exchange.Step{Version: 1})
				mu.Lock()
				defer mu.Unlock()
				e, _ := errs.As(err)
				switch {
				case err == nil:
					won++
				case e != nil && e.Code == errs.Rule && len(e.Details) == 1 && e.Details[0].Rule == exchange.RuleQuotaTeacher:
					quota++
				default:
					other = append(other, err)
				}
			}(id)
		}
		wg.Wait()
		if won != 2 || quota != 18 || len(other) > 0 {
			t.Fatalf("won %d, refused by quota %d, other errors %v", won, quota, other)
		}
		if n := f.e.One(`SELECT count(*) FROM exchanges WHERE status = 'approved' AND kind = 'study' AND is_cadre = FALSE AND group_id = $1`, f.group); n != 7 {
			t.Fatalf("%d approved", n)
		}
	})
}

// exDetail decodes an exchange answer.
func exDetail(t *testing.T, status int, body []byte, want int) exchange.Detail {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d: %s", status, want, body)
	}
	var d exchange.Detail
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestExchangeWorkflow walks a teacher's 跟岗学习 through every step over
// HTTP: order enforced, the wrong section and self-approval refused, out of
// scope 404, every step audited, and the overdue return flagged.
func TestExchangeWorkflow(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		today := store.Today()
		start := store.Date{Time: today.AddDate(0, 0, -10)}
		end := store.Date{Time: today.AddDate(0, 0, -1)}
		teacher, principal, group, jijiao, renshi, ganbu := e.Login("teacher"), e.Login("principal"), e.Login("groupadmin"), e.Login("jijiao"), e.Login("renshi"), e.Login("ganbu")
		body := map[string]any{"kind": "study", "staff_id": e.IDs.StaffOwn, "host_school_id": e.IDs.LeadSchool, "start_on": start.String(), "end_on": end.String(), "purpose": "跟岗学习：语文课堂教学"}

		// The teacher can pick a mentor at the lead school, not in another group.
		s, b := teacher.Do("GET", fmt.Sprintf("/api/v1/exchanges/mentors?school_id=%d", e.IDs.LeadSchool), nil)
		if s != 200 || !strings.Contains(string(b), `"subject"`) || strings.Contains(string(b), "id_card") {
			t.Fatalf("mentors: %d %.200s", s, b)
		}
		if s, _ := teacher.Do("GET", fmt.Sprintf("/api/v1/exchanges/mentors?school_id=%d", e.IDs.OtherSchool), nil); s != 404 {
			t.Fatalf("mentors of another group: %d", s)
		}
		// The session names the teacher's staff record.
		if s, b := teacher.Do("GET", "/api/v1/session", nil); s != 200 || !strings.Contains(string(b), fmt.Sprintf(`"staff_id":%d`, e.IDs.StaffOwn)) {
			t.Fatalf("session: %d %s", s, b)
		}
		// The dry run lists every rule, before the purpose is written.
		dry := map[string]any{}
		for k, v := range body {
			dry[k] = v
		}
		delete(dry, "purpose")
		if s, b := teacher.Do("POST", "/api/v1/exchanges/check", dry); s != 200 {
			t.Fatalf("dry run without purpose: %d %s", s, b)
		}
		s, b = teacher.Do("POST", "/api/v1/exchanges/check", body)
		var res exchange.CheckResult
		if s != 200 || json.Unmarshal(b, &res) != nil || !res.OK || len(res.Checks) < 8 || res.Checks[0].Message == "" {
			t.Fatalf("check: %d %s", s, b)
		}
		s, b = teacher.Do("POST", "/api/v1/exchanges", body)
		d := exDetail(t, s, b, 201)
		path := fmt.Sprintf("/api/v1/exchanges/%d", d.ID)
		act := func(c *apptest.Client, action string, in map[string]any, want int) {
			t.Helper()
			in["version"] = d.Version
			s, b := c.Do("POST", path+"/"+action, in)
			if want != 200 {
				if s != want {
					t.Fatalf("%s: %d %s, want %d", action, s, b, want)
				}
				return
			}
			d = exDetail(t, s, b, 200)
		}
		// Review before the schools have signed: refused, nothing changes.
		act(jijiao, "review", map[string]any{}, 409)
		act(teacher, "submit", map[string]any{}, 200)
		act(teacher, "endorse", map[string]any{"party": "home", "cover_arrangement": "x"}, 403)
		act(principal, "endorse", map[string]any{"party": "home"}, 422) // cover arrangement required
		act(principal, "endorse", map[string]any{"party": "home", "cover_arrangement": "由同年级王老师代课"}, 200)
		if d.Status != exchange.Submitted {
			t.Fatalf("after home endorsement: %s", d.Status)
		}
		act(principal, "endorse", map[string]any{"party": "host"}, 403)
		act(group, "endorse", map[string]any{"party": "host", "note": "同意接收"}, 200)
		if d.Status != exchange.Endorsed {
			t.Fatalf("after both: %s", d.Status)
		}
		act(renshi, "approve", map[string]any{}, 409) // not reviewed yet
		act(jijiao, "review", map[string]any{"note": "符合规定"}, 200)
		act(ganbu, "approve", map[string]any{}, 403) // a teacher's exchange is 人事股's
		act(renshi, "approve", map[string]any{"note": "同意"}, 200)
		if d.Status != exchange.Approved || !d.Overdue {
			t.Fatalf("approved: %s overdue=%v", d.Status, d.Overdue)
		}
		// Overdue: in the ledger filter and in the supervising section's inbox.
		s, b = renshi.Do("GET", "/api/v1/exchanges/inbox", nil)
		var box exchange.Inbox
		if s != 200 || json.Unmarshal(b, &box) != nil || box.Counts["overdue"] < 1 {
			t.Fatalf("renshi inbox: %d %s", s, b)
		}
		s, b = renshi.Do("GET", "/api/v1/exchanges?overdue=true", nil)
		if s != 200 || !strings.Contains(string(b), fmt.Sprintf(`"id":%d,`, d.ID)) {
			t.Fatalf("overdue list: %d %s", s, b)
		}
		s, b = principal.Do("GET", "/api/v1/exchanges/inbox", nil)
		if s != 200 || json.Unmarshal(b, &box) != nil || box.Counts["return"] < 1 {
			t.Fatalf("principal inbox: %d %s", s, b)
		}
		act(teacher, "start", map[string]any{}, 200)
		s, b = teacher.Do("POST", path+"/checkins", map[string]any{"kind": "checkin", "body": "听课三节，参加教研活动"})
		d = exDetail(t, s, b, 200)
		s, _ = teacher.Do("POST", path+"/checkins", map[string]any{"kind": "issue", "body": "x"})
		if s != 403 {
			t.Fatalf("teacher filing an issue: %d", s)
		}
		s, b = renshi.Do("POST", path+"/checkins", map[string]any{"kind": "note", "body": "电话回访，情况正常"})
		d = exDetail(t, s, b, 200)
		act(principal, "return", map[string]any{"returned_on": today.String()}, 200)
		if d.Status != exchange.Returned || d.Overdue {
			t.Fatalf("returned: %s overdue=%v", d.Status, d.Overdue)
		}
		act(teacher, "evaluate", map[string]any{"party": "host", "rating": "good", "comment": "x"}, 403)
		act(group, "evaluate", map[string]any{"party": "host", "rating": "good", "comment": "学习认真，积极参与教研"}, 200)
		act(teacher, "evaluate", map[string]any{"party": "self", "comment": "收获很大"}, 200)
		act(principal, "evaluate", map[string]any{"party": "home", "rating": "excellent", "comment": "返岗后上了汇报课"}, 200)
		if d.Status != exchange.Closed || len(d.Evaluations) != 3 {
			t.Fatalf("closed: %s %d evaluations", d.Status, len(d.Evaluations))
		}
		// Every step is on the form and in the audit log.
		wantSteps := []string{"create", "submit", "endorse.home", "endorse.host", "review", "approve", "start", "return", "evaluate.host", "evaluate.self", "evaluate.home"}
		if len(d.Steps) != len(wantSteps) {
			t.Fatalf("steps %+v", d.Steps)
		}
		for i, s := range d.Steps {
			if s.Action != wantSteps[i] {
				t.Fatalf("step %d: %s, want %s", i, s.Action, wantSteps[i])
			}
			if n := e.One(`SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`, "exchange."+s.Action, fmt.Sprint(d.ID)); n != 1 {
				t.Fatalf("audit of %s: %d", s.Action, n)
			}
		}
		// The service record counts the days and shows the evaluations.
		s, b = renshi.Do("GET", fmt.Sprintf("/api/v1/staff/%d/service-record", e.IDs.StaffOwn), nil)
		var rec exchange.ServiceRecord
		if s != 200 || json.Unmarshal(b, &rec) != nil || len(rec.Exchanges) != 1 || rec.ExchangeDays != 10 || len(rec.Exchanges[0].Evaluations) != 3 {
			t.Fatalf("service record: %d %s", s, b)
		}
		// The ledger exports.
		s, b = renshi.Do("GET", "/api/v1/exchanges/export?kind=study", nil)
		if s != 200 || len(b) < 100 || string(b[:2]) != "PK" {
			t.Fatalf("export: %d", s)
		}
	})
}

// TestExchangeSelfApprovalAndScope: a section member never decides their own
// application, and an exchange outside the viewer's scope is not found.
func TestExchangeSelfApprovalAndScope(t *testing.T) {
	t.Parallel()
	rulesCounty.Each(t, func(t *testing.T, st *store.Store) {
		f := newExFixture(t, st)
		// renshi's account is linked to the teacher whose exchange waits for approval.
		staff := f.teachers[3]
		if _, err := st.W.Exec(`UPDATE users SET staff_id = $1 WHERE username = 'renshi'`, staff); err != nil {
			t.Fatal(err)
		}
		id := f.put(exchange.KindStudy, staff, f.lead, "2026-04-01", "2026-04-05", exchange.Reviewed)
		renshi := f.e.Login("renshi")
		s, b := renshi.Do("POST", fmt.Sprintf("/api/v1/exchanges/%d/approve", id), map[string]any{"version": 1})
		if s != 403 || !strings.Contains(string(b), "本人") {
			t.Fatalf("self-approval: %d %s", s, b)
		}
		// The demo teacher sees only their own exchanges.
		teacher := f.e.Login("teacher")
		if s, _ := teacher.Do("GET", fmt.Sprintf("/api/v1/exchanges/%d", id), nil); s != 404 {
			t.Fatalf("teacher reading another's exchange: %d", s)
		}
		s, b = teacher.Do("GET", "/api/v1/exchanges", nil)
		if s != 200 || strings.Contains(string(b), fmt.Sprintf(`"id":%d,`, id)) {
			t.Fatalf("teacher list: %d %s", s, b)
		}
		if s, _ := f.e.Login("leader").Do("GET", fmt.Sprintf("/api/v1/exchanges/%d", id), nil); s != 200 {
			t.Fatalf("leader: %d", s)
		}
	})
}

// TestExchangeTeam: a 团队进驻 submits one 跟岗锻炼 per cadre at once (or
// none), and ends with the report the member school answers.
func TestExchangeTeam(t *testing.T) {
	t.Parallel()
	rulesCounty.Each(t, func(t *testing.T, st *store.Store) {
		f := newExFixture(t, st)
		ctx := context.Background()
		in := exchange.TeamInput{HostSchoolID: f.member, Name: "教学诊断团队", Goal: "诊断课堂教学与教研制度", StartOn: store.MustDate("2026-04-01"), EndOn: store.MustDate("2026-04-14"),
			StaffIDs: []int64{f.leadCadres[0], f.leadCadres[1]}}
		// 15 days for one and all: refused, nothing saved.
		bad := in
		bad.EndOn = store.MustDate("2026-04-15")
		_, err := f.svc.CreateTeam(ctx, f.sys, bad)
		if e, ok := errs.As(err); !ok || e.Code != errs.Rule || e.Details[0].Rule != exchange.RuleDurationMax || e.Details[0].Args["member"] != 1 {
			t.Fatalf("over-long team: %v", err)
		}
		if n := f.e.One(`SELECT count(*) FROM exchange_teams`); n != 0 {
			t.Fatalf("%d teams saved", n)
		}
		d, err := f.svc.CreateTeam(ctx, f.sys, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.MemberExchanges) != 2 || d.MemberExchanges[0].Status != exchange.Submitted || d.Members != 2 || d.Stage != "approval" {
			t.Fatalf("team %+v", d)
		}
		// Those who must endorse each member's exchange are told, as for one
		// application submitted alone: the member school's principal here.
		for _, m := range d.MemberExchanges {
			n := f.e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
				WHERE u.username = 'principal' AND n.kind = 'exchange.to_act' AND n.link = $1`, fmt.Sprintf("/exchanges/%d", m.ID))
			if n != 1 {
				t.Errorf("principal has %d notices of team member exchange %d, want 1", n, m.ID)
			}
		}
		// The stage follows the members' exchanges until the report.
		for _, c := range []struct{ statuses, stage string }{
			{"'approved', 'reviewed'", "approval"}, {"'approved', 'approved'", "approved"}, {"'underway', 'approved'", "working"},
			{"'returned', 'closed'", "returned"}, {"'rejected', 'withdrawn'", "ended"}, {"'returned', 'cancelled'", "returned"},
		} {
			st2 := strings.Split(c.statuses, ", ")
			for i, m := range d.MemberExchanges {
				if _, err := st.W.Exec(`UPDATE exchanges SET status = `+st2[i]+` WHERE id = $1`, m.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := f.svc.TeamDetail(ctx, f.sys, d.ID)
			if err != nil || got.Stage != c.stage {
				t.Errorf("members %s: stage %q, want %s (%v)", c.statuses, got.Stage, c.stage, err)
			}
		}
		if _, err := st.W.Exec(`UPDATE exchanges SET status = 'submitted' WHERE team_id = $1`, d.ID); err != nil {
			t.Fatal(err)
		}
		// The report waits until the team is at work.
		if _, err := f.svc.ReportTeam(ctx, f.sys, d.ID, exchange.TeamReport{Report: "r", Suggestions: "s", Version: d.Version}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("early report: %v", err)
		}
		if _, err := st.W.Exec(`UPDATE exchanges SET status = 'underway' WHERE team_id = $1`, d.ID); err != nil {
			t.Fatal(err)
		}
		d, err = f.svc.ReportTeam(ctx, f.sys, d.ID, exchange.TeamReport{Report: "课堂提问层次单一", Suggestions: "建立集体备课制度", Version: d.Version})
		if err != nil || d.Report == "" || d.Stage != "reported" {
			t.Fatalf("report: %v", err)
		}
		// The member school's principal sees the team and answers it.
		principal := f.e.Login("principal")
		s, b := principal.Do("GET", "/api/v1/exchange-teams", nil)
		if s != 200 || !strings.Contains(string(b), "教学诊断团队") {
			t.Fatalf("teams: %d %s", s, b)
		}
		s, b = principal.Do("POST", fmt.Sprintf("/api/v1/exchange-teams/%d/response", d.ID), map[string]any{"response": "已制定整改计划", "version": d.Version})
		if s != 200 || !strings.Contains(string(b), "已制定整改计划") || !strings.Contains(string(b), `"stage":"responded"`) {
			t.Fatalf("response: %d %s", s, b)
		}
		// Another group's view: not found.
		if s, _ := f.e.Login("teacher").Do("GET", fmt.Sprintf("/api/v1/exchange-teams/%d", d.ID), nil); s != 404 {
			t.Fatalf("teacher: %d", s)
		}
	})
}

// TestDemoExchanges: the demo county has an exchange in every state, an
// overdue return, and vetoed drafts whose checks name the clause.
func TestDemoExchanges(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	for _, status := range []string{"draft", "submitted", "endorsed", "reviewed", "approved", "underway", "returned", "closed", "rejected", "withdrawn", "cancelled"} {
		if n := e.One(`SELECT count(*) FROM exchanges WHERE status = $1`, status); n == 0 {
			t.Errorf("no demo exchange is %s", status)
		}
	}
	principal := e.Login("principal")
	s, b := principal.Do("GET", "/api/v1/exchanges?overdue=true", nil)
	if s != 200 || !strings.Contains(string(b), `"overdue":true`) {
		t.Fatalf("overdue: %d %s", s, b)
	}
	s, b = principal.Do("GET", "/api/v1/exchanges?status=draft", nil)
	var list struct{ Items []exchange.Exchange }
	if s != 200 || json.Unmarshal(b, &list) != nil || len(list.Items) < 2 {
		t.Fatalf("drafts: %d %s", s, b)
	}
	vetoes := map[string]bool{}
	for _, x := range list.Items {
		s, b := principal.Do("GET", fmt.Sprintf("/api/v1/exchanges/%d", x.ID), nil)
		d := exDetail(t, s, b, 200)
		for _, c := range d.Checks {
			if c.Result == exchange.Fail {
				vetoes[c.Rule] = true
				if !strings.Contains(c.Message, "一票否决") {
					t.Errorf("veto message %q", c.Message)
				}
			}
		}
	}
	if !vetoes[exchange.RuleVetoEthics] || !vetoes[exchange.RuleVetoSickLeave] {
		t.Fatalf("vetoes shown: %v", vetoes)
	}
	// The dashboard counts them.
	s, b = e.Login("leader").Do("GET", "/api/v1/dashboard", nil)
	if s != 200 || !strings.Contains(string(b), `"key":"exchanges_overdue","value":1`) || !strings.Contains(string(b), `"exchanges_away"`) {
		t.Fatalf("dashboard: %d %s", s, b)
	}
	// Every approver has something waiting.
	for user, task := range map[string]string{"principal": "endorse", "jijiao": "review", "renshi": "approve", "ganbu": "approve", "groupadmin": "endorse"} {
		s, b := e.Login(user).Do("GET", "/api/v1/exchanges/inbox", nil)
		var box exchange.Inbox
		if s != 200 || json.Unmarshal(b, &box) != nil || box.Counts[task] == 0 {
			t.Errorf("%s inbox: %d %s", user, s, b)
		}
	}
}

// TestExchangeVetoOnlyForRecordReaders: which one-vote veto applies to a
// person (an ethics finding, a refusal of assignment, sick leave) is shown
// only to the person and to those who may read their eligibility records
// (records.read over their school); the host school, the group and the
// bureau leader see one neutral "veto" result. Every endpoint that shows an
// exchange is called as every demo role: detail (which the print form reads
// too), ledger, inbox, dry run, Excel export, dashboard, teams, and the 422
// of a step refused by the veto; the neutral answers carry neither the rule
// ids nor the clauses nor their messages, in either language.
func TestExchangeVetoOnlyForRecordReaders(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ctx := context.Background()
		today := store.Today()
		pv, err := e.App.Policy.InForce(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		set := pv.Settings.Exchange
		vetoRules := []string{exchange.RuleVetoEthics, exchange.RuleVetoRefusal, exchange.RuleVetoSickLeave}
		forbidden := append([]string{}, vetoRules...)
		for _, r := range set.VetoReasons {
			forbidden = append(forbidden, r.Label)
		}
		for _, lang := range []string{"zh-CN", "en"} {
			for _, rule := range vetoRules {
				for _, r := range set.VetoReasons {
					forbidden = append(forbidden, e.App.Catalog.T(lang, "exchange.rule."+rule, map[string]any{"clause": r.Label}))
				}
				forbidden = append(forbidden, e.App.Catalog.T(lang, "exchange.ok."+rule,
					map[string]any{"limit": set.SickLeaveVetoDays, "months": set.VetoLookbackMonths}))
			}
		}
		clean := func(t *testing.T, what string, b []byte) {
			t.Helper()
			for _, f := range forbidden {
				if bytes.Contains(b, []byte(f)) {
					t.Errorf("%s: the answer names %q: %.300s", what, f, b)
				}
			}
		}
		record := func(staff int64, kind string) {
			t.Helper()
			if _, err := st.W.Exec(`INSERT INTO eligibility_records (staff_id, kind, occurred_on, effective_from, effective_to, days, note, created_at)
				VALUES ($1, $2, $3, $3, $4, 40, '测试记录', $5)`, staff, kind, store.Date{Time: today.AddDate(0, 0, -30)}, store.Date{Time: today.AddDate(1, 0, 0)}, store.Now()); err != nil {
				t.Fatal(err)
			}
		}
		users := []string{"teacher", "principal", "leadadmin", "groupadmin", "leader", "jijiao", "ganbu", "renshi", "dudao"}
		clients := map[string]*apptest.Client{}
		for _, u := range users {
			clients[u] = e.Login(u)
		}

		// The vetoed drafts: the demo's two (an ethics finding, sick leave)
		// and the demo teacher's own application after a refusal of
		// assignment is put on record.
		record(e.IDs.StaffOwn, "refusal")
		s, b := clients["teacher"].Do("POST", "/api/v1/exchanges", map[string]any{"kind": "study", "staff_id": e.IDs.StaffOwn, "host_school_id": e.IDs.LeadSchool,
			"start_on": store.Date{Time: today.AddDate(0, 0, 70)}.String(), "end_on": store.Date{Time: today.AddDate(0, 0, 79)}.String(), "purpose": "跟岗学习课堂教学"})
		own := exDetail(t, s, b, 201)
		vetoed := map[int64]string{own.ID: exchange.RuleVetoRefusal}
		for _, kind := range []string{"paid_tutoring", "sick_leave"} {
			id := e.One(`SELECT e.id FROM exchanges e WHERE e.status = 'draft' AND e.home_school_id = $1
				AND EXISTS (SELECT 1 FROM eligibility_records r WHERE r.staff_id = e.staff_id AND r.kind = $2) ORDER BY e.id LIMIT 1`, e.IDs.School, kind)
			vetoed[id] = map[string]string{"paid_tutoring": exchange.RuleVetoEthics, "sick_leave": exchange.RuleVetoSickLeave}[kind]
		}
		// Who may learn the clause of each: the person, the home school's
		// office, and the county sections holding records.read.
		readers := map[string]bool{"principal": true, "jijiao": true, "ganbu": true, "renshi": true, "dudao": true}
		langs := map[string]map[string]string{"zh-CN": {"Accept-Language": "zh-CN"}, "en": {"Accept-Language": "en"}}

		for id, rule := range vetoed {
			x := apptest.Decode[exchange.Detail](t, mustGet(t, clients["principal"], fmt.Sprintf("/api/v1/exchanges/%d", id)))
			in := map[string]any{"kind": x.Kind, "staff_id": x.StaffID, "host_school_id": x.HostSchoolID, "start_on": x.StartOn.String(), "end_on": x.EndOn.String()}
			for _, u := range users {
				sees := readers[u] || (u == "teacher" && id == own.ID)
				for lang, hdr := range langs {
					c := clients[u]
					s, b, _ := c.DoH("GET", fmt.Sprintf("/api/v1/exchanges/%d", id), nil, hdr)
					if u == "teacher" && id != own.ID {
						if s != 404 {
							t.Errorf("teacher reads exchange %d: %d", id, s)
						}
						clean(t, "teacher detail", b)
						continue
					}
					d := exDetail(t, s, b, 200)
					got := map[string]exchange.Check{}
					for _, ch := range d.Checks {
						got[ch.Rule] = ch
					}
					if sees {
						if got[rule].Result != exchange.Fail || got[exchange.RuleVeto].Rule != "" {
							t.Errorf("%s (%s) on exchange %d: want %s failing, got %+v", u, lang, id, rule, d.Checks)
						}
						continue
					}
					neutral := got[exchange.RuleVeto]
					if neutral.Result != exchange.Fail || neutral.Message != e.App.Catalog.T(lang, "exchange.rule.veto", nil) || len(neutral.Args) != 0 {
						t.Errorf("%s (%s) on exchange %d: want the neutral veto, got %+v", u, lang, id, d.Checks)
					}
					for _, r := range vetoRules {
						if _, ok := got[r]; ok {
							t.Errorf("%s (%s) sees %s on exchange %d", u, lang, r, id)
						}
					}
					clean(t, u+" detail "+lang, b)
				}
				// The dry run of the same application: the applicants see the
				// clause; nobody else may run it.
				s, b := clients[u].Do("POST", "/api/v1/exchanges/check", in)
				switch {
				case u == "principal" || (u == "teacher" && id == own.ID):
					if s != 200 || !strings.Contains(string(b), `"rule":"`+rule+`","result":"fail"`) {
						t.Errorf("%s dry run of %d: %d %s", u, id, s, b)
					}
				case s == 200:
					t.Errorf("%s may dry-run exchange %d: %s", u, id, b)
				default:
					clean(t, u+" check", b)
				}
			}
		}

		// Everything else that shows exchanges carries no veto at all: the
		// ledger, the inbox, the export, the dashboard and the teams.
		for _, u := range users {
			if readers[u] {
				continue
			}
			c := clients[u]
			for _, path := range []string{"/api/v1/exchanges?page_size=200", "/api/v1/exchanges?status=draft", "/api/v1/exchanges/inbox", "/api/v1/dashboard", "/api/v1/exchange-teams"} {
				s, b := c.Do("GET", path, nil)
				if s != 200 {
					t.Errorf("%s %s: %d %s", u, path, s, b)
				}
				clean(t, u+" "+path, b)
			}
			s, b := c.Do("GET", "/api/v1/exchanges/export", nil)
			if s != 200 {
				t.Fatalf("%s export: %d %.200s", u, s, b)
			}
			clean(t, u+" export", xlsxText(t, b))
			var teams struct{ Items []exchange.Team }
			_ = json.Unmarshal(mustGet(t, c, "/api/v1/exchange-teams"), &teams)
			for _, tm := range teams.Items {
				s, b := c.Do("GET", fmt.Sprintf("/api/v1/exchange-teams/%d", tm.ID), nil)
				if s != 200 {
					t.Errorf("%s team %d: %d", u, tm.ID, s)
				}
				clean(t, u+" team", b)
			}
		}

		// A step refused by the veto: the host side (the lead school, the
		// group) is told that a veto applies, the home school which one.
		sub := e.One(`SELECT id FROM exchanges WHERE status = 'submitted' AND home_school_id = $1 AND host_school_id = $2 AND team_id IS NULL ORDER BY id LIMIT 1`,
			e.IDs.School, e.IDs.LeadSchool)
		x := apptest.Decode[exchange.Detail](t, mustGet(t, clients["principal"], fmt.Sprintf("/api/v1/exchanges/%d", sub)))
		record(x.StaffID, "ethics")
		for _, u := range []string{"groupadmin", "leadadmin"} {
			for lang, hdr := range langs {
				s, b, _ := clients[u].DoH("POST", fmt.Sprintf("/api/v1/exchanges/%d/endorse", sub), map[string]any{"party": "host", "version": x.Version}, hdr)
				eb := apptest.ParseErr(t, b)
				if s != 422 || len(eb.Error.Details) != 1 || eb.Error.Details[0].Rule != exchange.RuleVeto ||
					eb.Error.Details[0].Message != e.App.Catalog.T(lang, "exchange.rule.veto", nil) {
					t.Errorf("%s (%s) consents to a vetoed application: %d %s", u, lang, s, b)
				}
				clean(t, u+" refusal "+lang, b)
			}
		}
		s, b = clients["principal"].Do("POST", fmt.Sprintf("/api/v1/exchanges/%d/endorse", sub), map[string]any{"party": "home", "cover_arrangement": "由同组教师代课", "version": x.Version})
		if eb := apptest.ParseErr(t, b); s != 422 || len(eb.Error.Details) != 1 || eb.Error.Details[0].Rule != exchange.RuleVetoEthics {
			t.Errorf("principal endorses a vetoed application: %d %s", s, b)
		}

		// 团队进驻 goes through the same rules: the sending school's office
		// (which holds records.read over its cadres) is told which member and
		// which clause.
		cadres := apptest.Column[int64](t, st, `SELECT id FROM staff WHERE school_id = $1 AND is_cadre = TRUE AND status = 'active'
			AND id NOT IN (SELECT staff_id FROM exchanges) ORDER BY id LIMIT 2`, e.IDs.LeadSchool)
		if len(cadres) != 2 {
			t.Fatalf("lead cadres: %v", cadres)
		}
		record(cadres[1], "ethics")
		s, b = clients["leadadmin"].Do("POST", "/api/v1/exchange-teams", map[string]any{"host_school_id": e.IDs.School, "name": "测试团队", "goal": "诊断课堂教学",
			"start_on": store.Date{Time: today.AddDate(0, 0, 60)}.String(), "end_on": store.Date{Time: today.AddDate(0, 0, 66)}.String(), "staff_ids": cadres})
		if eb := apptest.ParseErr(t, b); s != 422 || !strings.Contains(string(b), `"field":"staff_ids[1]","rule":"`+exchange.RuleVetoEthics+`"`) {
			t.Errorf("team with a vetoed member: %d %s (%+v)", s, b, eb)
		}

		// The audit records the exchange package wrote carry no clause.
		for _, rule := range vetoRules {
			if n := e.One(`SELECT count(*) FROM audit_log WHERE detail LIKE $1`, "%"+rule+"%"); n != 0 {
				t.Errorf("%d audit records name %s", n, rule)
			}
		}
	})
}

func mustGet(t *testing.T, c *apptest.Client, path string) []byte {
	t.Helper()
	s, b := c.Do("GET", path, nil)
	if s != 200 {
		t.Fatalf("GET %s: %d %s", path, s, b)
	}
	return b
}

// xlsxText is every part of a workbook, unzipped, one after the other.
func xlsxText(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&out, r)
		r.Close()
	}
	if !bytes.Contains(out.Bytes(), []byte("sheet")) {
		t.Fatalf("empty workbook")
	}
	return out.Bytes()
}
