package demo

import (
	"context"
	"fmt"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/exchange"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// The demo's exchanges put one application in every state of the workflow,
// around today's date, so every approver finds something in the inbox: a
// return that is overdue, a 跟岗学习 over 14 days waiting for 基教股's
// exception, drafts of vetoed staff whose checks show the veto clause, a
// 团队进驻 with its diagnosis report, 支教, and cross-school service. The
// demo teacher account's own record is left free, so it can apply.

type exSeed struct {
	ctx   context.Context
	sv    *services
	ex    *exchange.Service
	today time.Time
	on    store.Date            // the day the service is told it is
	users map[string]auth.Actor // demo username → the account acting; "" the demo's system actor
	// principals names the principal of each school of the group, who acts
	// for a school that has no demo account.
	principals map[int64]string
	accounts   map[int64]string // school id → the demo account running it
}

func (s *exSeed) day(offset int) store.Date {
	return store.Date{Time: s.today.AddDate(0, 0, offset)}
}

// as sets the service's calendar to day offset and returns the actor.
func (s *exSeed) as(a auth.Actor, offset int) auth.Actor {
	s.on = s.day(offset)
	return a
}

// school is who acts for a school: its demo account, or else its principal
// under the demo's system actor (the school has no account of its own).
func (s *exSeed) school(id int64) auth.Actor {
	if u, ok := s.accounts[id]; ok {
		return s.users[u]
	}
	a := s.users[""]
	a.DisplayName = s.principals[id]
	return a
}

// person is the member of staff acting on their own exchange: the teacher's
// self grant on their record, without an account (only the demo teacher
// has one).
func (s *exSeed) person(staffID int64, name string) auth.Actor {
	return auth.Actor{Username: Actor, DisplayName: name, StaffID: staffID, RequestID: Actor,
		Grants: []auth.Grant{{Role: auth.Teacher, ScopeType: auth.ScopeSelf}}}
}

// step is one entry of an exchange's history: who did what, and when.
type step struct {
	action, from, to, user, note string
	on                           int
}

// chain is the history up to (and including) status to, for an exchange
// created on day c: the standard walk of the approval chain. "principal"
// stands for the home school, whichever account runs it.
func chain(to string, cadre bool, c int) []step {
	approver := "renshi"
	if cadre {
		approver = "ganbu"
	}
	all := []step{
		{"create", "", "draft", "principal", "", c},
		{"submit", "draft", "submitted", "principal", "", c},
		{"endorse.home", "submitted", "submitted", "principal", "", c + 1},
		{"endorse.host", "submitted", "endorsed", "groupadmin", "同意接收", c + 2},
		{"review", "endorsed", "reviewed", "jijiao", "符合集团化办学交流规定", c + 3},
		{"approve", "reviewed", "approved", approver, "同意", c + 4},
	}
	n := map[string]int{"draft": 1, "submitted": 2, "endorsed": 4, "reviewed": 5, "approved": 6}[to]
	return all[:n]
}

type exSpec struct {
	kind       string
	staff      int64
	host       int64
	start, end int // day offsets from today
	status     string
	cover      string
	exception  string
	returned   int   // day offset; used when status is returned or closed
	id         int64 // already created and submitted (a team member's), or 0
	purpose    string
	extra      []step // after the approval chain
	checkins   [][3]string
	evals      [][3]string // party, rating, comment
	cadre      bool
}

// exchange replays x's history through the workflow, each step on its day
// by the account that takes it, and returns the exchange's id.
func (s *exSeed) exchange(home int64, x exSpec) (int64, error) {
	ctx, ex := s.ctx, s.ex
	created := x.start - 20
	if x.start > 0 {
		created = -10
	}
	var steps []step
	switch x.status {
	case "draft", "submitted", "endorsed", "reviewed", "approved":
		steps = chain(x.status, x.cadre, created)
	case "rejected", "withdrawn":
		steps = append(chain("endorsed", x.cadre, created), x.extra...)
	default:
		steps = append(chain("approved", x.cadre, created), x.extra...)
	}
	if _, ok := s.accounts[home]; !ok {
		// A school without an account endorses through the system actor,
		// which leaves no account in home_endorsed_by: it signs after the
		// host's consent, so its signature completes the endorsement.
		for i := range steps {
			if steps[i].action == "endorse.home" && i+1 < len(steps) && steps[i+1].action == "endorse.host" {
				steps[i], steps[i+1] = steps[i+1], steps[i]
				steps[i].on, steps[i+1].on = steps[i+1].on, steps[i].on
			}
		}
	}
	var person string
	if err := s.sv.st.R.QueryRowContext(ctx, `SELECT name FROM staff WHERE id = $1`, x.staff).Scan(&person); err != nil {
		return 0, err
	}
	own := s.person(x.staff, person)
	// who is the account behind a step: "principal" stands for the home
	// school, "" for the person themselves.
	who := func(user string) auth.Actor {
		switch user {
		case "":
			return own
		case "principal":
			return s.school(home)
		}
		return s.users[user]
	}
	comment := map[string]string{}
	for _, e := range x.evals {
		comment[e[0]] = e[2]
	}
	var d exchange.Detail
	var err error
	if x.id != 0 {
		if d, err = ex.Detail(ctx, s.users[""], x.id); err != nil {
			return 0, err
		}
	}
	for _, st := range steps {
		if x.id != 0 && (st.action == "create" || st.action == "submit") {
			continue // the team was sent as a whole, submitted
		}
		a := s.as(who(st.user), st.on)
		switch st.action {
		case "create":
			d, err = ex.Create(ctx, a, exchange.Input{Kind: x.kind, StaffID: x.staff, HostSchoolID: x.host, StartOn: s.day(x.start), EndOn: s.day(x.end), Purpose: x.purpose})
		case "submit":
			d, err = ex.Submit(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note})
		case "endorse.home":
			d, err = ex.Endorse(ctx, a, d.ID, exchange.Endorsement{Party: "home", CoverArrangement: x.cover, Note: st.note, Version: d.Version})
		case "endorse.host":
			d, err = ex.Endorse(ctx, a, d.ID, exchange.Endorsement{Party: "host", Note: st.note, Version: d.Version})
		case "review":
			d, err = ex.Review(ctx, a, d.ID, exchange.Review{Note: st.note, ExceptionReason: x.exception, Version: d.Version})
		case "approve":
			d, err = ex.Approve(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note})
		case "start":
			if d, err = ex.Start(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note}); err == nil {
				d, err = s.checkins(d, x, own)
			}
		case "return":
			d, err = ex.Return(ctx, a, d.ID, exchange.ReturnInput{ReturnedOn: s.day(x.returned), Note: st.note, Version: d.Version})
		case "evaluate.host", "evaluate.self", "evaluate.home":
			party := st.action[len("evaluate."):]
			d, err = ex.Evaluate(ctx, a, d.ID, exchange.EvaluationInput{Party: party, Rating: st.note, Comment: comment[party], Version: d.Version})
		case "reject":
			d, err = ex.Reject(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note})
		case "withdraw":
			d, err = ex.Withdraw(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note})
		case "cancel":
			d, err = ex.Cancel(ctx, a, d.ID, exchange.Step{Version: d.Version, Note: st.note})
		default:
			err = fmt.Errorf("unknown step %s", st.action)
		}
		if err != nil {
			return 0, fmt.Errorf("%s of %s's %s (%s): %w", st.action, person, x.kind, x.status, err)
		}
	}
	if d.Status != x.status {
		return 0, fmt.Errorf("%s's %s ended %s, want %s", person, x.kind, d.Status, x.status)
	}
	return d.ID, nil
}

// checkins adds x's supervision entries, each on its day, once the exchange
// is under way: the person's check-ins, the supervising section's notes, the
// host's issues.
func (s *exSeed) checkins(d exchange.Detail, x exSpec, own auth.Actor) (exchange.Detail, error) {
	supervisor := "renshi"
	if x.cadre {
		supervisor = "ganbu"
	}
	for _, c := range x.checkins {
		var off int
		fmt.Sscan(c[0], &off)
		a := own
		switch c[1] {
		case "note":
			a = s.users[supervisor]
		case "issue":
			a = s.users["groupadmin"]
		}
		var err error
		if d, err = s.ex.AddCheckin(s.ctx, s.as(a, off), d.ID, exchange.CheckinInput{Kind: c[1], OnDate: s.day(off), Body: c[2]}); err != nil {
			return d, fmt.Errorf("%s on %d: %w", c[1], off, err)
		}
	}
	return d, nil
}

// seedExchanges adds the demo exchanges to the principal's group, each
// replayed through the workflow on the days of its history, so every one
// passed the rules of its steps.
func seedExchanges(ctx context.Context, sv *services) error {
	s := &exSeed{ctx: ctx, sv: sv, today: store.Today().Time, users: map[string]auth.Actor{}, principals: map[int64]string{}, accounts: map[int64]string{}}
	s.ex = exchange.NewService(sv.st, sv.log, sv.pol, sv.reg)
	s.ex.Today = func() store.Date { return s.on }
	s.on = s.day(0)
	sys := sv.sys
	s.users[""] = sys
	for _, u := range []string{"principal", "leadadmin", "groupadmin", "jijiao", "ganbu", "renshi"} {
		id, err := sv.auth.UserIDByName(ctx, u)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", u, err)
		}
		acct, err := sv.auth.GetUser(ctx, sys, id)
		if err != nil {
			return err
		}
		a := auth.Actor{UserID: acct.ID, Username: acct.Username, DisplayName: acct.DisplayName, Grants: acct.Grants, RequestID: Actor}
		if acct.StaffID != nil {
			a.StaffID = *acct.StaffID
		}
		s.users[u] = a
		for _, g := range acct.Grants {
			if g.ScopeType == auth.ScopeSchool {
				s.accounts[g.ScopeID] = u
			}
		}
	}
	tx := sv.st.R
	one := func(q string, args ...any) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, q, args...).Scan(&id)
		return id, err
	}
	list := func(q string, args ...any) ([]int64, error) {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	school, err := one(`SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal' AND g.role = 'school_admin'`)
	if err != nil {
		return err
	}
	group, err := one(`SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, school)
	if err != nil {
		return err
	}
	lead, err := one(`SELECT lead_school_id FROM edu_groups WHERE id = $1`, group)
	if err != nil {
		return err
	}
	sibling, err := one(`SELECT school_id FROM group_members WHERE group_id = $1 AND school_id NOT IN ($2, $3) AND left_on IS NULL ORDER BY school_id LIMIT 1`, group, school, lead)
	if err != nil {
		return err
	}
	own, err := one(`SELECT COALESCE(staff_id, 0) FROM users WHERE username = 'teacher'`)
	if err != nil {
		return err
	}
	staffQ := `SELECT id FROM staff WHERE school_id = $1 AND is_cadre = $2 AND status = 'active' AND id <> $3 ORDER BY id LIMIT 12`
	here, err := list(staffQ, school, false, own) // the principal's teachers
	if err != nil {
		return err
	}
	sib, err := list(staffQ, sibling, false, own)
	if err != nil {
		return err
	}
	sibCadres, err := list(staffQ, sibling, true, own)
	if err != nil {
		return err
	}
	leadCadres, err := list(staffQ, lead, true, own)
	if err != nil {
		return err
	}
	leadTeachers, err := list(staffQ, lead, false, own)
	if err != nil {
		return err
	}
	if len(here) < 8 || len(sib) < 6 || len(sibCadres) < 2 || len(leadCadres) < 4 || len(leadTeachers) < 1 {
		return fmt.Errorf("demo exchanges: the group has too few staff")
	}
	for _, id := range []int64{school, sibling, lead} {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT principal FROM schools WHERE id = $1`, id).Scan(&name); err != nil {
			return err
		}
		s.principals[id] = name
	}
	put := s.exchange
	cover := "所任班级课程由同年级组教师代课，已排入课表"
	study := "跟岗学习：随堂听课、参加集体备课和教研活动，学习课堂教学与班级管理经验"
	specs := []struct {
		home int64
		x    exSpec
	}{
		// Closed: all three evaluations in.
		{sibling, exSpec{kind: "study", staff: sib[0], host: lead, start: -200, end: -187, status: "closed", cover: cover, returned: -186, purpose: study,
			extra:    []step{{"start", "approved", "underway", "renshi", "", -200}, {"return", "underway", "returned", "principal", "", -186}, {"evaluate.host", "returned", "returned", "groupadmin", "good", -185}, {"evaluate.self", "returned", "returned", "", "", -185}, {"evaluate.home", "returned", "closed", "principal", "excellent", -184}},
			checkins: [][3]string{{"-199", "checkin", "听课4节，参加语文组集体备课"}, {"-192", "note", "人事股电话回访：学习安排充实"}},
			evals:    [][3]string{{"host", "good", "学习态度认真，积极参与教研活动"}, {"self", "", "学到了分层作业设计方法，回校后在班级试行"}, {"home", "excellent", "返岗后上了汇报课，带动了教研组"}}}},
		// Returned, waiting for the evaluations (the host's is in).
		{sibling, exSpec{kind: "study", staff: sib[1], host: lead, start: -20, end: -8, status: "returned", cover: cover, returned: -7, purpose: study,
			extra: []step{{"start", "approved", "underway", "renshi", "", -20}, {"return", "underway", "returned", "principal", "", -7}, {"evaluate.host", "returned", "returned", "groupadmin", "good", -6}},
			evals: [][3]string{{"host", "good", "按计划完成跟岗学习任务"}}}},
		// Overdue: ended three days ago, return not confirmed by the principal's school.
		{school, exSpec{kind: "study", staff: here[0], host: lead, start: -16, end: -3, status: "underway", cover: cover, purpose: study,
			extra:    []step{{"start", "approved", "underway", "principal", "", -16}},
			checkins: [][3]string{{"-15", "checkin", "到岗，参加数学组教研"}, {"-9", "checkin", "上了一节研讨课"}, {"-5", "issue", "接收学校反映：请假一天未提前报备"}}}},
		// A cadre of a member school learning at the lead school, under way.
		{sibling, exSpec{kind: "study", staff: sibCadres[0], host: lead, start: -5, end: 5, status: "underway", cover: "分管工作由副校长代管", cadre: true,
			purpose:  "跟岗学习：学习牵头校教学常规管理和教研制度",
			extra:    []step{{"start", "approved", "underway", "ganbu", "", -5}},
			checkins: [][3]string{{"-4", "checkin", "参加牵头校行政例会"}, {"-1", "note", "干部股到校督查：在岗"}}}},
		// Approved, starting in ten days.
		{sibling, exSpec{kind: "study", staff: sib[2], host: lead, start: 10, end: 20, status: "approved", cover: cover, purpose: study}},
		// Waiting for 人事股 (a teacher) and for 干部股 (a cadre).
		{school, exSpec{kind: "study", staff: here[1], host: sibling, start: 15, end: 24, status: "reviewed", cover: cover, purpose: "跟岗学习：学习英语听说课教学"}},
		{sibling, exSpec{kind: "study", staff: sibCadres[1], host: lead, start: 15, end: 21, status: "reviewed", cover: "分管工作由教导主任代管", cadre: true, purpose: "跟岗学习：学习德育工作和家校共育"}},
		// Waiting for 基教股: 21 days, over the 14 of the policy in principle.
		{sibling, exSpec{kind: "study", staff: sib[3], host: lead, start: 30, end: 50, status: "endorsed", cover: cover, purpose: "跟岗学习：新教师到导师所在学校跟岗，完整参与一个单元的教学"}},
		// Waiting for the schools: the principal's endorsement, the group's consent.
		{school, exSpec{kind: "study", staff: here[2], host: lead, start: 25, end: 34, status: "submitted", purpose: study}},
		// Drafts of vetoed staff (their checks show the clause).
		{school, exSpec{kind: "study", staff: here[3], host: lead, start: 40, end: 49, status: "draft", purpose: study}},
		{school, exSpec{kind: "study", staff: here[4], host: lead, start: 40, end: 49, status: "draft", purpose: study}},
		// Rejected by 基教股, withdrawn by the school, cancelled by 人事股.
		{sibling, exSpec{kind: "study", staff: sib[4], host: lead, start: 60, end: 69, status: "rejected", cover: cover, purpose: study,
			extra: []step{{"reject", "endorsed", "rejected", "jijiao", "学期末考试期间不宜外出跟岗，请调整到下学期", -5}}}},
		{school, exSpec{kind: "study", staff: here[5], host: lead, start: 60, end: 66, status: "withdrawn", cover: cover, purpose: study,
			extra: []step{{"withdraw", "endorsed", "withdrawn", "principal", "本人工作调整", -4}}}},
		{sibling, exSpec{kind: "study", staff: sib[5], host: lead, start: 5, end: 12, status: "cancelled", cover: cover, purpose: study,
			extra: []step{{"cancel", "approved", "cancelled", "renshi", "接收学校临时承担县级公开课任务，另行安排", -2}}}},
		// 支教 of a lead-school teacher at a member school, for a school year.
		{lead, exSpec{kind: "support", staff: leadTeachers[0], host: sibling, start: -100, end: 264, status: "underway", cover: "原任课程由学科组统筹安排", purpose: "支教：承担成员校七年级数学教学并指导青年教师",
			extra: []step{{"start", "approved", "underway", "renshi", "", -100}}}},
		// 跟岗锻炼 of a lead-school cadre at a member school, closed. It goes
		// to the principal's school: the sibling is a 核心校, and 跟岗锻炼
		// goes from the lead and core schools to the member schools.
		{lead, exSpec{kind: "training", staff: leadCadres[2], host: school, start: -40, end: -27, status: "closed", cover: "分管工作由副校长代管", returned: -27, cadre: true,
			purpose: "跟岗锻炼：协助成员校梳理教学常规，提出改进建议",
			extra: []step{{"start", "approved", "underway", "ganbu", "", -40}, {"return", "underway", "returned", "principal", "", -27}, {"evaluate.host", "returned", "returned", "groupadmin", "excellent", -26},
				{"evaluate.self", "returned", "returned", "", "", -26}, {"evaluate.home", "returned", "closed", "principal", "good", -25}},
			evals: [][3]string{{"host", "excellent", "帮助我校建立了听评课制度"}, {"self", "", "成员校教研基础薄弱，需持续跟进"}, {"home", "good", "按期返岗"}}}},
	}
	for _, sp := range specs {
		if _, err := put(sp.home, sp.x); err != nil {
			return err
		}
	}
	// 团队进驻: two lead-school cadres in the principal's school, under way,
	// with the diagnosis report written and the school's answer pending.
	goal := "诊断成员校课堂教学与教研制度，提出改进建议"
	team, err := s.ex.CreateTeam(ctx, s.as(s.school(lead), -26), exchange.TeamInput{HostSchoolID: school, Name: "牵头校教学诊断团队", Goal: goal,
		StartOn: s.day(-6), EndOn: s.day(7), StaffIDs: leadCadres[:2]})
	if err != nil {
		return fmt.Errorf("team: %w", err)
	}
	for _, m := range team.MemberExchanges {
		if _, err := put(lead, exSpec{id: m.ID, kind: "training", staff: m.StaffID, host: school, start: -6, end: 7, status: "underway", cover: "分管工作由副校长代管", cadre: true,
			purpose: goal, extra: []step{{"start", "approved", "underway", "ganbu", "", -6}},
			checkins: [][3]string{{"-5", "checkin", "听课5节，查阅教案与教研记录"}}}); err != nil {
			return err
		}
	}
	if team, err = s.ex.TeamDetail(ctx, sys, team.ID); err != nil {
		return err
	}
	if _, err := s.ex.ReportTeam(ctx, s.as(s.users["groupadmin"], -1), team.ID, exchange.TeamReport{Version: team.Version,
		Report:      "课堂以讲授为主，学生活动少；教研活动多为事务布置，缺少课例研讨。",
		Suggestions: "一、建立每周集体备课制度；二、开展同课异构课例研讨；三、牵头校骨干教师结对指导。"}); err != nil {
		return fmt.Errorf("team report: %w", err)
	}
	// The one-vote veto: an ethics finding in effect, and sick leave above
	// the limit in the last 12 months.
	if _, err := sv.reg.AddRecord(ctx, s.users["jijiao"], here[3], registry.RecordInput{Kind: "paid_tutoring", OccurredOn: s.day(-60),
		Authority: "怀远县教育体育局", DocNo: "怀教体〔2026〕12号", EffectiveFrom: s.day(-60), EffectiveTo: s.day(305), Note: "课外有偿补课，已查处"}); err != nil {
		return fmt.Errorf("ethics record: %w", err)
	}
	for _, d := range [][2]int{{-200, 20}, {-90, 15}} {
		if _, err := sv.reg.AddRecord(ctx, s.users["principal"], here[4], registry.RecordInput{Kind: "sick_leave", OccurredOn: s.day(d[0]),
			SchoolYear: "2025-2026", Days: d[1], Note: "病假"}); err != nil {
			return fmt.Errorf("sick leave record: %w", err)
		}
	}
	// Cross-school service: a lead-school cadre holding a post in a member
	// school, and a teacher guiding lessons there.
	for _, e := range []struct {
		staff, school int64
		kind          string
		start         int
		desc          string
	}{
		{leadCadres[3], school, "post", -400, "兼任成员校副校长，分管教学"},
		{leadTeachers[0], sibling, "teaching", -300, "每周到成员校指导数学教研组一次"},
	} {
		if _, err := s.ex.AddServiceEntry(ctx, s.users["renshi"], e.staff, exchange.ServiceEntryInput{Kind: e.kind, SchoolID: e.school,
			StartOn: s.day(e.start), Description: e.desc}); err != nil {
			return fmt.Errorf("service record: %w", err)
		}
	}
	return nil
}
