package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
	tx    *sql.Tx
	today time.Time
	users map[string]int64 // demo username → user id
	names map[string]string
}

func (s *exSeed) day(offset int) store.Date {
	return store.Date{Time: s.today.AddDate(0, 0, offset)}
}

func (s *exSeed) at(offset int) time.Time {
	return s.today.AddDate(0, 0, offset).Add(2 * time.Hour).UTC()
}

// step is one entry of an exchange's history: who did what, and when.
type step struct {
	action, from, to, user, note string
	on                           int
}

var roleOf = map[string]string{"teacher": "teacher", "principal": "school_admin", "groupadmin": "group_admin", "jijiao": "section_basic",
	"ganbu": "section_cadre", "renshi": "section_personnel"}

// chain is the history up to (and including) status to, for an exchange
// created on day c: the standard walk of the approval chain.
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
	returned   int // day offset; used when status is returned or closed
	team       int64
	purpose    string
	extra      []step // after the approval chain
	checkins   [][3]string
	evals      [][3]string // party, rating, comment
	cadre      bool
}

func (s *exSeed) exchange(group, home int64, x exSpec) (int64, error) {
	ctx, tx := s.ctx, s.tx
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
	var submitted, endorsedHome, endorsedHost any
	if x.status != "draft" {
		submitted = s.day(created)
	}
	for _, st := range steps {
		if st.action == "endorse.home" {
			endorsedHome = s.users["principal"]
		}
		if st.action == "endorse.host" {
			endorsedHost = s.users["groupadmin"]
		}
	}
	var started, returned any
	switch x.status {
	case "underway", "returned", "closed":
		started = s.day(x.start)
	}
	if x.status == "returned" || x.status == "closed" {
		returned = s.day(x.returned)
	}
	var team any
	if x.team != 0 {
		team = x.team
	}
	last := s.at(created)
	if len(steps) > 0 {
		last = s.at(steps[len(steps)-1].on)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO exchanges (kind, staff_id, is_cadre, group_id, home_school_id, host_school_id, team_id, start_on, end_on, purpose,
		status, submitted_on, cover_arrangement, home_endorsed_by, host_consent_by, exception_reason, started_on, returned_on, created_by, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
		x.kind, x.staff, x.cadre, group, home, x.host, team, s.day(x.start), s.day(x.end), x.purpose,
		x.status, submitted, x.cover, endorsedHome, endorsedHost, x.exception, started, returned, s.users["principal"], s.at(created), last, len(steps)).Scan(&id)
	if err != nil {
		return 0, err
	}
	var person string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM staff WHERE id = $1`, x.staff).Scan(&person); err != nil {
		return 0, err
	}
	// who names the account behind a step; "" is the person themselves,
	// who has no demo account.
	who := func(user string) (any, string, string) {
		if user == "" {
			return nil, person, "teacher"
		}
		return s.users[user], s.names[user], roleOf[user]
	}
	for _, st := range steps {
		uid, name, role := who(st.user)
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_steps (exchange_id, action, from_status, to_status, user_id, actor_name, actor_role, note, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, st.action, st.from, st.to, uid, name, role, st.note, s.at(st.on)); err != nil {
			return 0, err
		}
	}
	supervisor := "renshi"
	if x.cadre {
		supervisor = "ganbu"
	}
	for i, c := range x.checkins {
		var off int
		fmt.Sscan(c[0], &off)
		user := map[string]string{"checkin": "", "note": supervisor, "issue": "groupadmin"}[c[1]]
		uid, name, _ := who(user)
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_checkins (exchange_id, kind, on_date, body, user_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, c[1], s.day(off), c[2], uid, name, s.at(off).Add(time.Duration(i)*time.Minute)); err != nil {
			return 0, err
		}
	}
	for _, e := range x.evals {
		uid, name, _ := who(map[string]string{"host": "groupadmin", "home": "principal", "self": ""}[e[0]])
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_evaluations (exchange_id, party, rating, comment, user_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, e[0], e[1], e[2], uid, name, s.at(x.returned+1)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// seedExchanges adds the demo exchanges to the principal's group and one
// other group.
func seedExchanges(ctx context.Context, tx *sql.Tx) error {
	s := &exSeed{ctx: ctx, tx: tx, today: store.Today().Time, users: map[string]int64{}, names: map[string]string{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, username, display_name FROM users`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var u, n string
		if err := rows.Scan(&id, &u, &n); err != nil {
			rows.Close()
			return err
		}
		s.users[u], s.names[u] = id, n
	}
	rows.Close()
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
	put := func(home int64, x exSpec) (int64, error) { return s.exchange(group, home, x) }
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
		// 跟岗锻炼 of a lead-school cadre at a member school, closed.
		{lead, exSpec{kind: "training", staff: leadCadres[2], host: sibling, start: -40, end: -27, status: "closed", cover: "分管工作由副校长代管", returned: -27, cadre: true,
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
	var team int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO exchange_teams (group_id, host_school_id, name, goal, report, suggestions, reported_by, reported_at, created_by, created_at)
		VALUES ($1, $2, '牵头校教学诊断团队', '诊断成员校课堂教学与教研制度，提出改进建议', $3, $4, $5, $6, $5, $7) RETURNING id`,
		group, school, "课堂以讲授为主，学生活动少；教研活动多为事务布置，缺少课例研讨。",
		"一、建立每周集体备课制度；二、开展同课异构课例研讨；三、牵头校骨干教师结对指导。", s.users["groupadmin"], s.at(-1), s.at(-20)).Scan(&team); err != nil {
		return err
	}
	for _, c := range leadCadres[:2] {
		if _, err := put(lead, exSpec{kind: "training", staff: c, host: school, start: -6, end: 7, status: "underway", cover: "分管工作由副校长代管", cadre: true, team: team,
			purpose: "诊断成员校课堂教学与教研制度，提出改进建议", extra: []step{{"start", "approved", "underway", "ganbu", "", -6}},
			checkins: [][3]string{{"-5", "checkin", "听课5节，查阅教案与教研记录"}}}); err != nil {
			return err
		}
	}
	// The one-vote veto: an ethics finding in effect, and sick leave above
	// the limit in the last 12 months.
	if _, err := tx.ExecContext(ctx, `INSERT INTO eligibility_records (staff_id, kind, occurred_on, authority, doc_no, effective_from, effective_to, note, created_by, created_at)
		VALUES ($1, 'paid_tutoring', $2, '怀远县教育体育局', '怀教体〔2026〕12号', $2, $3, '课外有偿补课，已查处', $4, $5)`,
		here[3], s.day(-60), s.day(305), s.users["jijiao"], s.at(-60)); err != nil {
		return err
	}
	for _, d := range [][2]int{{-200, 20}, {-90, 15}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO eligibility_records (staff_id, kind, occurred_on, school_year, days, note, created_by, created_at)
			VALUES ($1, 'sick_leave', $2, '2025-2026', $3, '病假', $4, $5)`, here[4], s.day(d[0]), d[1], s.users["principal"], s.at(d[0])); err != nil {
			return err
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO cross_school_service (staff_id, kind, school_id, start_on, description, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			e.staff, e.kind, e.school, s.day(e.start), e.desc, s.users["renshi"], s.at(e.start)); err != nil {
			return err
		}
	}
	return nil
}
