package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"edugroup/internal/auth"
	"edugroup/internal/exams"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/store"
)

// The demo's exams are three county joint exams of one primary cohort over
// three terms (五年级上, 五年级下, 六年级上), so the reports, value added and
// the gap-to-lead trend have something to show: most member schools close
// their gap to the lead school, one falls back.

type demoSchool struct {
	id         int64
	code, name string
	tier       string
	lead       bool
	group      int64
	students   int
}

var demoExams = []struct{ name, term, held string }{
	{"全县五年级上学期期末质量检测", "2025-2026学年第一学期", "2026-01-15"},
	{"全县五年级下学期期末质量检测", "2025-2026学年第二学期", "2026-06-28"},
	{"全县六年级上学期期中质量检测", "2026-2027学年第一学期", "2026-11-10"},
}

var demoSubjects = []string{"语文", "数学", "英语"}

// seedExams creates and imports the demo exams.
func seedExams(ctx context.Context, sv *services) error {
	st := sv.st
	rows, err := st.R.QueryContext(ctx, `SELECT s.id, s.code, s.name, s.tier, s.students, COALESCE(m.group_id, 0), COALESCE(m.role, '')
		FROM schools s LEFT JOIN group_members m ON m.school_id = s.id AND m.left_on IS NULL
		WHERE s.stage IN ('primary', 'nine_year') AND s.status = 'active' ORDER BY s.code`)
	if err != nil {
		return err
	}
	var schools []demoSchool
	for rows.Next() {
		var s demoSchool
		var role string
		if err := rows.Scan(&s.id, &s.code, &s.name, &s.tier, &s.students, &s.group, &role); err != nil {
			rows.Close()
			return err
		}
		s.lead = role == "lead"
		schools = append(schools, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The principal's school is among those that close the gap; the first
	// member school of another group falls back.
	var principalSchool int64
	if err := st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal' AND g.role = 'school_admin'`).Scan(&principalSchool); err != nil {
		return err
	}
	falls := int64(0)
	for _, s := range schools {
		if s.group != 0 && !s.lead && s.id != principalSchool {
			var sameGroup int
			if err := st.R.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE school_id = $1 AND group_id = (SELECT group_id FROM group_members WHERE school_id = $2 AND left_on IS NULL) AND left_on IS NULL`,
				s.id, principalSchool).Scan(&sameGroup); err != nil {
				return err
			}
			if sameGroup == 0 {
				falls = s.id
				break
			}
		}
	}
	svc := exams.NewService(st, sv.log)
	sys := sv.sys
	r := rand.New(rand.NewPCG(Seed, 2026))
	// One cohort: the same students sit all three exams.
	type student struct {
		id, name, class string
		ability         float64
		subj            [3]float64
	}
	cohort := map[int64][]student{}
	classes := map[int64]int{}
	for _, s := range schools {
		n := min(max(s.students/6, 24), 160)
		k := max(1, (n+44)/45)
		classes[s.id] = k
		for i := range n {
			c := i%k + 1
			cohort[s.id] = append(cohort[s.id], student{
				id:      fmt.Sprintf("%s%03d", s.code[len(s.code)-5:], i+1),
				name:    fullName(r),
				class:   fmt.Sprintf("%d班", c),
				ability: r.NormFloat64() * 9,
				subj:    [3]float64{r.NormFloat64() * 4, r.NormFloat64() * 4, r.NormFloat64() * 4},
			})
		}
	}
	spec := analysis.Exam{Settings: analysis.DefaultSettings(), Stage: "小学"}
	for _, sub := range demoSubjects {
		spec.Subjects = append(spec.Subjects, analysis.Subject{Name: sub, Full: 100})
	}
	for e, ex := range demoExams {
		d, err := svc.Create(ctx, sys, exams.Input{Name: ex.name, Term: ex.term, HeldOn: store.MustDate(ex.held), Stage: "小学", Spec: spec})
		if err != nil {
			return err
		}
		b := analysis.NewBuilder(len(demoSubjects))
		for _, s := range schools {
			effect := map[string]float64{"quality": 6, "ordinary": 0, "weak": -7}[s.tier]
			switch {
			case s.lead:
				effect += 5
			case s.id == falls:
				effect -= 2.5 * float64(e) // falls back
			case s.group != 0:
				effect += 2.2 * float64(e) // closes the gap
			}
			for i, p := range cohort[s.id] {
				scores := make([]int32, len(demoSubjects))
				for j := range demoSubjects {
					v := 74 + effect + p.ability + p.subj[j] + r.NormFloat64()*5
					v = math.Max(0, math.Min(100, math.Round(v)))
					scores[j] = int32(v * 2)
					if (i*7+j*3+e)%97 == 0 {
						scores[j] = analysis.Absent
					}
				}
				b.Add(analysis.Student{ID: p.id, Name: p.name, SchoolCode: s.code, School: s.name, Class: p.class, Scores: scores})
			}
		}
		if _, err := svc.ImportData(ctx, sys, d.ID, b.Data(), "demo.xlsx", 0); err != nil {
			return err
		}
		if err := seedTeaching(ctx, st, svc, sys, d.ID, schools, classes); err != nil {
			return err
		}
	}
	return nil
}

// seedTeaching writes a 任课表 from each school's staff: the teachers of the
// subject where the school has them. The demo teacher teaches 1班 语文.
func seedTeaching(ctx context.Context, st *store.Store, svc *exams.Service, sys auth.Actor, examID int64, schools []demoSchool, classes map[int64]int) error {
	var own string
	var ownSchool int64
	if err := st.R.QueryRowContext(ctx, `SELECT st.name, st.school_id FROM users u JOIN staff st ON st.id = u.staff_id WHERE u.username = 'teacher'`).Scan(&own, &ownSchool); err != nil {
		return err
	}
	var rows []exams.TeachingRow
	for _, s := range schools {
		names := map[string][]string{}
		q, err := st.R.QueryContext(ctx, `SELECT name, subject FROM staff WHERE school_id = $1 AND status = 'active' AND is_cadre = FALSE AND name <> $2 ORDER BY id`, s.id, own)
		if err != nil {
			return err
		}
		var any []string
		for q.Next() {
			var n, sub string
			if err := q.Scan(&n, &sub); err != nil {
				q.Close()
				return err
			}
			names[sub] = append(names[sub], n)
			any = append(any, n)
		}
		q.Close()
		if len(any) == 0 {
			continue
		}
		for c := 1; c <= classes[s.id]; c++ {
			for j, sub := range demoSubjects {
				pool := names[sub]
				if len(pool) == 0 {
					pool = any
				}
				t := pool[(c-1+j)%len(pool)]
				if s.id == ownSchool && c == 1 && sub == "语文" {
					t = own
				}
				rows = append(rows, exams.TeachingRow{SchoolCode: s.code, Class: fmt.Sprintf("%d班", c), Subject: sub, Teacher: t})
			}
		}
	}
	_, err := svc.SetTeaching(ctx, sys, examID, exams.TeachingInput{Rows: rows})
	return err
}

// fullName draws a pupil's name the way gen.name draws a teacher's.
func fullName(r *rand.Rand) string {
	g := &gen{r: r}
	for _, s := range surnames {
		g.surnameT += s.weight
	}
	return g.name(r.IntN(2) == 0)
}
