package exams_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/exams"
	"edugroup/internal/store"
)

// TestStudentTrend follows one pupil over the three demo county exams: one
// point per exam, oldest first, each agreeing with that exam's student list;
// the ranks come with the numbers ranked and a percentile; a teacher sees a
// pupil of their class only, a principal their school's, and anything else
// is not found.
func TestStudentTrend(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		leader := e.Login("leader")
		s, b := leader.Do("GET", "/api/v1/exams", nil)
		var list struct{ Items []exams.Exam }
		if s != 200 || json.Unmarshal(b, &list) != nil || len(list.Items) != 3 {
			t.Fatalf("exams: %d %.300s", s, b)
		}
		latest := list.Items[0].ID // newest first
		code := e.Str(`SELECT code FROM schools WHERE id = $1`, e.IDs.School)
		// Pupil 001 is in 1班 (the demo teacher's class) and was absent
		// from 语文 in the first exam; pupil 002 sat everything.
		first, second := apptest.DemoStudent(code, 1), apptest.DemoStudent(code, 2)

		trend := func(c *apptest.Client, exam int64, number string) (int, exams.StudentTrendView, []byte) {
			t.Helper()
			s, b := c.Do("GET", fmt.Sprintf("/api/v1/exams/%d/students/%s/trend", exam, url.PathEscape(number)), nil)
			var v exams.StudentTrendView
			if s == 200 {
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("trend: %v %s", err, b)
				}
			}
			return s, v, b
		}
		// The exam's own student list, as the trend must repeat it.
		listed := func(exam int64, number string) exams.StudentRow {
			t.Helper()
			s, b := leader.Do("GET", fmt.Sprintf("/api/v1/exams/%d/students?q=%s", exam, number), nil)
			var l struct {
				Items []exams.StudentRow
				Total int
			}
			if s != 200 || json.Unmarshal(b, &l) != nil || l.Total != 1 {
				t.Fatalf("students of %d, %s: %d %.300s", exam, number, s, b)
			}
			return l.Items[0]
		}
		type dist struct {
			Subject string
			Rows    []struct{ Score, Count, Cumulative float64 }
		}
		examRows := func(exam int64) (map[string]int, map[string]dist) {
			t.Helper()
			s, b := leader.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report?level=exam", exam), nil)
			var v struct {
				Stats []struct {
					Subject string
					N       int
				}
				Distributions []dist
			}
			if s != 200 || json.Unmarshal(b, &v) != nil {
				t.Fatalf("report: %d %.300s", s, b)
			}
			n, d := map[string]int{}, map[string]dist{}
			for _, st := range v.Stats {
				n[st.Subject] = st.N
			}
			for _, x := range v.Distributions {
				d[x.Subject] = x
			}
			return n, d
		}

		for _, number := range []string{first, second} {
			s, v, b := trend(leader, latest, number)
			if s != 200 || len(v.Points) != 3 || v.ID != number || v.Code != code || v.OtherName != 0 {
				t.Fatalf("leader's trend of %s: %d %.500s", number, s, b)
			}
			if got := fmt.Sprint(v.Subjects); got != "[语文 数学 英语 总分]" {
				t.Fatalf("subjects %s", got)
			}
			for k, p := range v.Points {
				if want := list.Items[2-k]; p.ExamID != want.ID || p.Exam != want.Name || p.HeldOn != want.HeldOn || p.Term != want.Term {
					t.Fatalf("point %d is exam %d %s, want %d %s (oldest first)", k, p.ExamID, p.HeldOn, want.ID, want.HeldOn)
				}
				row := listed(p.ExamID, number)
				if p.School != row.School || p.Class != row.Class || len(p.Scores) != len(row.Scores) {
					t.Fatalf("point %d: %s %s, listed %s %s", k, p.School, p.Class, row.School, row.Class)
				}
				n, dists := examRows(p.ExamID)
				for j, sc := range p.Scores {
					ls := row.Scores[j]
					if sc.Subject != ls.Subject || sc.Status != ls.Status || sc.ExamRank != ls.ExamRank || sc.SchoolRank != ls.SchoolRank ||
						sc.ClassRank != ls.ClassRank || fmt.Sprint(deref(sc.Score)) != fmt.Sprint(deref(ls.Score)) || fmt.Sprint(deref(sc.T)) != fmt.Sprint(deref(ls.T)) ||
						fmt.Sprint(deref(sc.Percentile)) != fmt.Sprint(deref(ls.Percentile)) {
						t.Fatalf("exam %d %s: trend %+v, student list %+v", p.ExamID, sc.Subject, sc, ls)
					}
					if sc.ExamN != n[sc.Subject] || sc.SchoolN == 0 || sc.ClassN == 0 || sc.ClassN > sc.SchoolN || sc.SchoolN > sc.ExamN {
						t.Fatalf("exam %d %s: ranked %d / %d / %d, exam row n %d", p.ExamID, sc.Subject, sc.ClassN, sc.SchoolN, sc.ExamN, n[sc.Subject])
					}
					if sc.Status != "" {
						if sc.ExamRank != 0 || sc.Percentile != nil {
							t.Fatalf("exam %d %s: %s but ranked %d, percentile %v", p.ExamID, sc.Subject, sc.Status, sc.ExamRank, sc.Percentile)
						}
						continue
					}
					if sc.ExamRank > sc.ExamN || sc.SchoolRank > sc.SchoolN || sc.ClassRank > sc.ClassN || sc.ClassRank < 1 {
						t.Fatalf("exam %d %s: ranks %d/%d %d/%d %d/%d", p.ExamID, sc.Subject, sc.ClassRank, sc.ClassN, sc.SchoolRank, sc.SchoolN, sc.ExamRank, sc.ExamN)
					}
					// Competition ranks: rank − 1 students above, so those
					// below are n − (rank − 1) − the students level with it.
					var level float64
					for _, r := range dists[sc.Subject].Rows {
						if r.Score == *sc.Score {
							level = r.Count
						}
					}
					want := math.Round(100*(float64(sc.ExamN-(sc.ExamRank-1))-level/2)/float64(sc.ExamN)*10) / 10
					if level == 0 || sc.Percentile == nil || *sc.Percentile != want {
						t.Fatalf("exam %d %s: rank %d/%d, %v level, percentile %v, want %v", p.ExamID, sc.Subject, sc.ExamRank, sc.ExamN, level, deref(sc.Percentile), want)
					}
				}
			}
			// Each subject's change runs from its first ranked exam to its last.
			for k, ch := range v.Changes {
				var ps []*float64
				var from int64
				for _, p := range v.Points {
					if pc := p.Scores[k].Percentile; pc != nil {
						if ps = append(ps, pc); len(ps) == 1 {
							from = p.ExamID
						}
					}
				}
				if ch.Subject != v.Subjects[k] || ch.Exams != len(ps) || ch.FromExam != from || ch.ToExam != v.Points[2].ExamID || ch.Change == nil ||
					*ch.Change != math.Round((*ps[len(ps)-1]-*ps[0])*10)/10 {
					t.Fatalf("%s: change %+v from %v", number, ch, ps)
				}
			}
		}
		// Pupil 001's 语文 starts at the second exam: absent from the first.
		_, v, _ := trend(leader, latest, first)
		if v.Points[0].Scores[0].Status != "absent" || v.Changes[0].Exams != 2 || v.Changes[0].FromExam != v.Points[1].ExamID {
			t.Fatalf("absent first: %+v, change %+v", v.Points[0].Scores[0], v.Changes[0])
		}
		// Opened from the oldest exam, the trend is the same.
		if s, v2, b := trend(leader, v.Points[0].ExamID, first); s != 200 || len(v2.Points) != 3 || v2.Points[2].ExamID != latest {
			t.Fatalf("from the first exam: %d %.300s", s, b)
		}

		// Someone of another school, and someone of the own school outside 1班.
		s, b = leader.Do("GET", fmt.Sprintf("/api/v1/exams/%d/students?page_size=200", latest), nil)
		var all struct{ Items []exams.StudentRow }
		if s != 200 || json.Unmarshal(b, &all) != nil {
			t.Fatalf("students: %d", s)
		}
		var elsewhere, ownOtherClass string
		for _, r := range all.Items {
			if r.Code != code && elsewhere == "" {
				elsewhere = r.ID
			}
			if r.Code == code && r.Class != "1班" && ownOtherClass == "" {
				ownOtherClass = r.ID
			}
		}
		if elsewhere == "" || ownOtherClass == "" {
			t.Fatalf("no pupil of another school (%q) or of another class of the school (%q)", elsewhere, ownOtherClass)
		}

		teacher := e.Login("teacher")
		if s, v, b := trend(teacher, latest, first); s != 200 || len(v.Points) != 3 || v.Class != "1班" {
			t.Fatalf("teacher's own pupil: %d %.300s", s, b)
		}
		denied := e.AuditCount("access.denied", "denied")
		if s, _, b := trend(teacher, latest, elsewhere); s != 404 {
			t.Fatalf("teacher, another school's pupil: %d %.300s", s, b)
		}
		if e.AuditCount("access.denied", "denied") != denied+1 {
			t.Fatal("the out-of-scope read was not audited")
		}
		if s, _, _ := trend(teacher, latest, ownOtherClass); s != 404 {
			t.Fatalf("teacher, a pupil of another class: %d", s)
		}

		principal := e.Login("principal")
		if s, v, b := trend(principal, latest, second); s != 200 || len(v.Points) != 3 {
			t.Fatalf("principal's own pupil: %d %.300s", s, b)
		}
		s1, _, b1 := trend(principal, latest, elsewhere)
		s2, _, b2 := trend(principal, latest, "99999999")
		if s1 != 404 || s2 != 404 || apptest.ParseErr(t, b1).Error.Message != apptest.ParseErr(t, b2).Error.Message {
			t.Fatalf("principal, another school's pupil %d %s / an unknown number %d %s", s1, b1, s2, b2)
		}
		if s, _, _ := trend(leader, latest, "no-such-pupil"); s != 404 {
			t.Fatalf("unknown number: %d", s)
		}
		if s, _, _ := trend(leader, 999999, first); s != 404 {
			t.Fatalf("unknown exam: %d", s)
		}
	})
}

// TestStudentTrendOpenAPI: the student number is a string path parameter,
// and a trend score's schema carries the promoted student-score fields.
func TestStudentTrendOpenAPI(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	s, b := e.Anon().Do("GET", "/api/v1/openapi.json", nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string
				Schema struct{ Type string }
			}
		}
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any
			}
		}
	}
	if s != 200 || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("openapi: %d", s)
	}
	types := map[string]string{}
	for _, p := range doc.Paths["/api/v1/exams/{id}/students/{number}/trend"]["get"].Parameters {
		types[p.Name] = p.Schema.Type
	}
	if types["id"] != "integer" || types["number"] != "string" {
		t.Fatalf("path parameters %v", types)
	}
	props := doc.Components.Schemas["Exams.TrendScore"].Properties
	for _, k := range []string{"subject", "score", "exam_rank", "class_rank", "t", "exam_n", "percentile"} {
		if props[k] == nil {
			t.Errorf("TrendScore has no %s: %v", k, props)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
