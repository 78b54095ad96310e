package demo

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/curriculum"
	"edugroup/internal/exchange"
	"edugroup/internal/store"
)

// The demo's timetables (五(一), 五(四)): every school of the two demo
// groups (the group admin's and multi's) publishes this term's timetable a
// week after the term starts, built from the provincial plan with the
// school's real classes and teachers, and with the typical rural gaps: a
// subject without a qualified teacher at the school is taught by another
// teacher (跨学科兼课: 音体美 and, at the village school without an 英语
// teacher, 英语), and one small village school has no 信息科技 at all.
// The last school of multi's group has not published yet (its to-do).
// In the group admin's group two shortages are matched to teachers with
// spare lessons at other member schools, accepted by all three parties, so
// the staffing page shows shortages before and after.

// demoLesson is one lesson to place: a class and a subject.
type demoLesson struct {
	class   string
	grade   int
	subject string
}

type demoTeacher struct {
	id      int64
	subject string
	load    int
}

func seedCurriculum(ctx context.Context, sv *services) error {
	ex := exchange.NewService(sv.st, sv.log, sv.pol, sv.reg)
	svc := curriculum.NewService(sv.st, sv.log, sv.pol, ex)
	v, err := sv.pol.Today(ctx)
	if err != nil {
		return err
	}
	cfg := v.Settings.Curriculum
	today := svc.Today()
	term := curriculum.TermOf(today)
	publishOn := store.Date{Time: curriculum.TermStart(cfg, term).AddDate(0, 0, 7)}
	if publishOn.After(today.Time) {
		publishOn = today
	}
	svc.Today = func() store.Date { return publishOn }
	ex.Today = func() store.Date { return today }
	plan := curriculum.Anhui()
	groups, err := demoGroups(ctx, sv)
	if err != nil {
		return err
	}
	for gi, g := range groups {
		rows, err := sv.st.R.QueryContext(ctx, `SELECT s.id, s.stage, s.classes FROM group_members m JOIN schools s ON s.id = m.school_id
			WHERE m.group_id = $1 AND m.left_on IS NULL AND s.stage IN ('primary', 'junior', 'nine_year') ORDER BY s.id`, g)
		if err != nil {
			return err
		}
		type school struct {
			id      int64
			stage   string
			classes int
		}
		var schools []school
		for rows.Next() {
			var s school
			if err := rows.Scan(&s.id, &s.stage, &s.classes); err != nil {
				rows.Close()
				return err
			}
			schools = append(schools, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The smallest school of the first group has no 信息科技; the last
		// school of the second has not published.
		smallest := 0
		for i, s := range schools {
			if s.classes < schools[smallest].classes {
				smallest = i
			}
		}
		for i, s := range schools {
			if gi == 1 && i == len(schools)-1 {
				continue
			}
			lessons, err := demoTimetable(ctx, sv, plan, cfg.MaxPeriods, s.id, s.stage, s.classes, gi == 0 && i == smallest)
			if err != nil {
				return fmt.Errorf("school %d: %w", s.id, err)
			}
			if _, err := svc.Publish(ctx, sv.sys, s.id, curriculum.GridInput{Term: term, BaseSeq: 0, Note: "开学课表", Lessons: lessons}); err != nil {
				return fmt.Errorf("timetable of school %d: %w", s.id, err)
			}
		}
	}
	svc.Today = func() store.Date { return today }
	if len(groups) == 0 {
		return nil
	}
	// The two matches go between the principal's school and the lead
	// school, whose admins are demo accounts: the group proposes, the
	// school that is short accepts, the school that gives the teacher
	// accepts last and so writes the teacher's 兼课指导 entry.
	actors := map[string]auth.Actor{}
	for _, u := range []string{"groupadmin", "principal", "leadadmin"} {
		id, err := sv.auth.UserIDByName(ctx, u)
		if err != nil {
			return err
		}
		acct, err := sv.auth.GetUser(ctx, sv.sys, id)
		if err != nil {
			return err
		}
		actors[u] = auth.Actor{UserID: acct.ID, Username: acct.Username, DisplayName: acct.DisplayName, Grants: acct.Grants, RequestID: Actor}
	}
	school := func(u string) int64 {
		for _, g := range actors[u].Grants {
			if g.Role == auth.SchoolAdmin {
				return g.ScopeID
			}
		}
		return 0
	}
	accounts := map[int64]string{school("principal"): "principal", school("leadadmin"): "leadadmin"}
	st, err := svc.Staffing(ctx, actors["groupadmin"], curriculum.StaffingQuery{Term: term, GroupID: groups[0]})
	if err != nil {
		return err
	}
	matched := 0
	used := map[int64]bool{}
	for _, sh := range st.Shortages {
		if matched == 2 || accounts[sh.SchoolID] == "" {
			continue
		}
		for _, c := range sh.Candidates {
			if used[c.StaffID] || accounts[c.SchoolID] == "" {
				continue
			}
			m, err := svc.Propose(ctx, actors["groupadmin"], curriculum.MatchInput{Term: term, NeedSchoolID: sh.SchoolID, StaffID: c.StaffID, Subject: sh.Subject,
				Lessons: c.Lessons, Mode: curriculum.ModeWalk, Note: "集团统筹：" + c.SchoolName + "学科富余教师走教"})
			if err != nil {
				return fmt.Errorf("demo match: %w", err)
			}
			for _, u := range []string{accounts[sh.SchoolID], accounts[c.SchoolID]} {
				if m, err = svc.Accept(ctx, actors[u], m.ID, curriculum.MatchStep{Version: m.Version}); err != nil {
					return fmt.Errorf("demo match accepted by %s: %w", u, err)
				}
			}
			used[c.StaffID] = true
			matched++
			break
		}
	}
	return nil
}

// demoGroups is the group admin's group, then multi's.
func demoGroups(ctx context.Context, sv *services) ([]int64, error) {
	var out []int64
	for _, u := range []string{"groupadmin", "multi"} {
		var g int64
		err := sv.st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = $1 AND g.role = 'group_admin'`, u).Scan(&g)
		if err != nil {
			return nil, fmt.Errorf("demo group of %s: %w", u, err)
		}
		out = append(out, g)
	}
	return out, nil
}

var gradeNames = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九"}

// demoTimetable builds a school's timetable: its classes spread over its
// grades, each class the plan's weekly lessons, each lesson the qualified
// teacher with the fewest lessons so far (another teacher when the school
// has none), placed in the first free period of the week that neither
// class nor teacher has taken.
func demoTimetable(ctx context.Context, sv *services, plan curriculum.Plan, maxPeriods int, schoolID int64, stage string, classes int, noIT bool) ([]curriculum.Lesson, error) {
	rows, err := sv.st.R.QueryContext(ctx, `SELECT id, name, subject FROM staff WHERE school_id = $1 AND status = 'active' AND post = 'teacher' ORDER BY id`, schoolID)
	if err != nil {
		return nil, err
	}
	var teachers []*demoTeacher
	names := map[int64]string{}
	for rows.Next() {
		t := &demoTeacher{}
		var name string
		if err := rows.Scan(&t.id, &name, &t.subject); err != nil {
			rows.Close()
			return nil, err
		}
		names[t.id] = name
		teachers = append(teachers, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(teachers) == 0 {
		return nil, fmt.Errorf("no teachers")
	}
	from, to := 1, 6
	switch stage {
	case "junior":
		from, to = 7, 9
	case "nine_year":
		to = 9
	}
	grades := to - from + 1
	perGrade := max(1, (classes+grades/2)/grades)
	var want []demoLesson
	for g := from; g <= to; g++ {
		for c := 1; c <= perGrade; c++ {
			class := gradeNames[g-1] + "年级(" + strconv.Itoa(c) + ")班"
			for _, sub := range plan.Subjects {
				n := sub.Weekly[g-1]
				if n == 0 || (noIT && sub.Name == "信息科技") {
					continue
				}
				for range n {
					want = append(want, demoLesson{class: class, grade: g, subject: sub.Name})
				}
			}
		}
	}
	type slot struct{ d, p int }
	classBusy := map[string]map[slot]bool{}
	teacherBusy := map[int64]map[slot]bool{}
	// The demo research groups meet Tuesday to Thursday in periods 5 and 6
	// (research.go): those periods come last, as a school keeping its
	// research time free would leave them, so only a full week uses them.
	var order, research []slot
	for p := 1; p <= maxPeriods; p++ {
		for d := 1; d <= 5; d++ {
			if d >= 2 && d <= 4 && (p == 5 || p == 6) {
				research = append(research, slot{d, p})
				continue
			}
			order = append(order, slot{d, p})
		}
	}
	order = append(order, research...)
	// Each lesson goes to the qualified teacher with the fewest lessons so
	// far (under a full load) who is free in a period the class is free,
	// else to the least loaded teacher free then (跨学科兼课).
	const maxLoad = 18
	out := make([]curriculum.Lesson, 0, len(want))
	for _, l := range want {
		sub, _ := plan.SubjectByName(l.subject)
		if classBusy[l.class] == nil {
			classBusy[l.class] = map[slot]bool{}
		}
		byLoad := append([]*demoTeacher{}, teachers...)
		sort.SliceStable(byLoad, func(i, j int) bool { return byLoad[i].load < byLoad[j].load })
		var pool []*demoTeacher
		for _, t := range byLoad {
			if t.load < maxLoad && !sub.AnyTeacher && sub.QualifiedBy(t.subject) {
				pool = append(pool, t)
			}
		}
		pool = append(pool, byLoad...)
		placed := false
		for _, t := range pool {
			if teacherBusy[t.id] == nil {
				teacherBusy[t.id] = map[slot]bool{}
			}
			for _, sl := range order {
				if !classBusy[l.class][sl] && !teacherBusy[t.id][sl] {
					classBusy[l.class][sl], teacherBusy[t.id][sl] = true, true
					t.load++
					out = append(out, curriculum.Lesson{Class: l.class, Grade: l.grade, Weekday: sl.d, Period: sl.p, Subject: l.subject, StaffID: t.id, Teacher: names[t.id]})
					placed = true
					break
				}
			}
			if placed {
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("no free period for %s %s", l.class, l.subject)
		}
	}
	return out, nil
}
