package exams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/exams"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
)

// examData builds students of the four schools: two classes each, the lead
// strongest; shift moves the member school's scores.
func examData(x apptest.ExamSchools, shift float64) *analysis.Data {
	b := analysis.NewBuilder(2)
	strength := []float64{60 + shift, 80, 55, 50}
	for si, code := range x.Codes {
		for c := 1; c <= 2; c++ {
			for k := 0; k < 15; k++ {
				base := strength[si] + float64((k*7)%20) - 10 + float64(c)
				yw, _ := analysis.HalfPoints(base)
				sx, _ := analysis.HalfPoints(base - 5)
				if k == 3 && c == 1 {
					sx = analysis.Absent
				}
				b.Add(analysis.Student{ID: fmt.Sprintf("%s%d%02d", code[len(code)-4:], c, k), Name: fmt.Sprintf("学生%d%d%d", si, c, k), SchoolCode: code, Class: fmt.Sprintf("%d班", c), Scores: []int32{yw, sx}})
			}
		}
	}
	return b.Data()
}

func TestExamsScopeAndImport(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		x := e.ExamSchools()
		ctx := context.Background()
		// Without the demo's exams: this test counts its own.
		for _, table := range []string{"exam_teaching", "exam_parts", "exams"} {
			if _, err := st.W.Exec(`DELETE FROM ` + table); err != nil {
				t.Fatal(err)
			}
		}
		jijiao := e.Login("jijiao")
		spec := map[string]any{"subjects": []map[string]any{{"name": "语文", "full": 100}, {"name": "数学", "full": 100}}}
		var ids []int64
		for i, held := range []string{"2026-01-10", "2026-06-20"} {
			s, b := jijiao.Do("POST", "/api/v1/exams", map[string]any{"name": fmt.Sprintf("联考%d", i+1), "term": "2025-2026", "held_on": held, "stage": "初中", "spec": spec})
			var d exams.Detail
			if s != 201 || json.Unmarshal(b, &d) != nil || d.Spec.Settings.SD != "sample" {
				t.Fatalf("create: %d %s", s, b)
			}
			res, err := e.App.Exams.ImportData(ctx, auth.SystemActor("test"), d.ID, examData(x, float64(i)*10), "scores.xlsx", 0)
			if err != nil || res.Students != 120 || res.Schools != 4 {
				t.Fatalf("import: %+v %v", res, err)
			}
			ids = append(ids, d.ID)
		}
		// A bad setup names the field.
		s, b := jijiao.Do("POST", "/api/v1/exams", map[string]any{"name": "x", "term": "t", "held_on": "2026-01-01", "spec": map[string]any{"subjects": []any{}}})
		if s != 422 || !strings.Contains(string(b), "subjects") {
			t.Fatalf("bad setup: %d %s", s, b)
		}
		// The 任课表: the demo teacher teaches 1班 语文 at the principal's school.
		s, b = jijiao.Do("PUT", fmt.Sprintf("/api/v1/exams/%d/teaching", ids[1]), map[string]any{"rows": []map[string]any{
			{"school_code": x.Codes[0], "class": "1班", "subject": "语文", "teacher": x.Teacher},
			{"school_code": x.Codes[0], "class": "2班", "subject": "语文", "teacher": "另一位老师"},
		}})
		if s != 200 || !strings.Contains(string(b), `"matched":1`) {
			t.Fatalf("teaching: %d %s", s, b)
		}
		report := func(c *apptest.Client, q string) exams.ReportView {
			t.Helper()
			s, b := c.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report%s", ids[1], q), nil)
			var v exams.ReportView
			if s != 200 || json.Unmarshal(b, &v) != nil {
				t.Fatalf("report %s: %d %s", q, s, b)
			}
			return v
		}
		schoolsIn := func(v exams.ReportView) map[string]bool {
			out := map[string]bool{}
			for _, st := range v.Stats {
				if st.Level == "school" {
					out[st.SchoolCode] = true
				}
			}
			return out
		}
		if got := schoolsIn(report(e.Login("leader"), "")); len(got) != 4 {
			t.Fatalf("leader sees %v", got)
		}
		if got := schoolsIn(report(e.Login("groupadmin"), "")); len(got) != 3 || got[x.Codes[3]] {
			t.Fatalf("group leader sees %v", got)
		}
		principal := e.Login("principal")
		if got := schoolsIn(report(principal, "")); len(got) != 1 || !got[x.Codes[0]] {
			t.Fatalf("principal sees %v", got)
		}
		teacher := e.Login("teacher")
		v := report(teacher, "?level=class")
		if len(v.Stats) == 0 {
			t.Fatal("teacher sees no class")
		}
		for _, st := range v.Stats {
			if st.Class != "1班" || st.SchoolCode != x.Codes[0] {
				t.Fatalf("teacher sees %s %s", st.SchoolCode, st.Class)
			}
		}
		// Another school's class report: not found.
		if s, _ := teacher.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report?school=%s", ids[1], x.Codes[3]), nil); s != 404 {
			t.Fatalf("teacher reading another school: %d", s)
		}
		s, b = teacher.Do("GET", fmt.Sprintf("/api/v1/exams/%d/students?page_size=200", ids[1]), nil)
		var studs struct {
			Items []exams.StudentRow
			Total int
		}
		if s != 200 || json.Unmarshal(b, &studs) != nil || studs.Total != 15 {
			t.Fatalf("teacher students: %d %s", s, b)
		}
		for _, r := range studs.Items {
			if r.Class != "1班" {
				t.Fatalf("teacher sees student of %s", r.Class)
			}
		}
		// The gap to the lead school: the member school closes it by 10 points.
		s, b = e.Login("groupadmin").Do("GET", fmt.Sprintf("/api/v1/exams/gap?group_id=%d", e.IDs.Group), nil)
		var gap exams.GapView
		if s != 200 || json.Unmarshal(b, &gap) != nil || len(gap.Exams) != 2 {
			t.Fatalf("gap: %d %s", s, b)
		}
		closing := false
		for _, g := range gap.Series {
			if g.Closing && len(g.Gaps) == 2 {
				closing = true
			}
		}
		if !closing {
			t.Fatalf("no school closing the gap: %s", b)
		}
		// Re-importing one school's part replaces only that part.
		one := examData(x, 0)
		keep := &analysis.Data{Groups: one.Groups, Schools: one.Schools[:1], Scores: make([][]int32, 2)}
		for i := range one.ID {
			if one.Classes[one.Class[i]].School == 0 && len(keep.ID) < 10 {
				c := one.Classes[one.Class[i]]
				ci := int32(len(keep.Classes))
				keep.Classes = append(keep.Classes, c)
				keep.ID, keep.Name, keep.Class = append(keep.ID, one.ID[i]), append(keep.Name, one.Name[i]), append(keep.Class, ci)
				for j := range keep.Scores {
					keep.Scores[j] = append(keep.Scores[j], one.Scores[j][i])
				}
			}
		}
		res, err := e.App.Exams.ImportData(ctx, auth.SystemActor("test"), ids[1], keep, "one-school.xlsx", 0)
		if err != nil || len(res.Replaced) != 1 {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		if n := e.One(`SELECT students FROM exams WHERE id = $1`, ids[1]); n != 100 {
			t.Fatalf("students after re-import: %d", n)
		}
		if v := report(e.Login("leader"), "?level=exam&subject=语文"); len(v.Stats) != 1 || v.Stats[0].N != 100 {
			t.Fatalf("exam row after re-import: %+v", v.Stats)
		}
		// The principal may import only their own school.
		principalActor := auth.Actor{UserID: 1, Username: "p", Grants: []auth.Grant{{Role: auth.SchoolAdmin, ScopeType: auth.ScopeSchool, ScopeID: e.IDs.School}}}
		if _, err := e.App.Exams.ImportData(ctx, principalActor, ids[1], examData(x, 0), "all.xlsx", 0); err == nil || !strings.Contains(err.Error(), "exams.school_not_yours") {
			t.Fatalf("principal importing other schools: %v", err)
		}
	})
}

// TestDemoExams: three joint exams over three terms in which member schools
// close the gap to their lead school and one falls back.
func TestDemoExams(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	s, b := e.Login("leader").Do("GET", "/api/v1/exams/gap", nil)
	var gap exams.GapView
	if s != 200 || json.Unmarshal(b, &gap) != nil || len(gap.Exams) != 3 {
		t.Fatalf("gap: %d %.300s", s, b)
	}
	closing, falling := 0, 0
	for _, g := range gap.Series {
		if g.Closing {
			closing++
		} else if g.Change > 0 {
			falling++
		}
	}
	if closing < 3 || falling < 1 {
		t.Fatalf("closing %d, falling back %d", closing, falling)
	}
	// Value added from the first exam to the last.
	s, b = e.Login("principal").Do("GET", fmt.Sprintf("/api/v1/exams/%d/value-added?prev=%d", gap.Exams[2].ID, gap.Exams[0].ID), nil)
	if s != 200 || !strings.Contains(string(b), `"level":"school"`) || !strings.Contains(string(b), `"se"`) {
		t.Fatalf("value added: %d %.300s", s, b)
	}
	// The report exports as a workbook, narrowed like the page.
	s, b = e.Login("principal").Do("GET", fmt.Sprintf("/api/v1/exams/%d/export", gap.Exams[2].ID), nil)
	if s != 200 || string(b[:2]) != "PK" {
		t.Fatalf("export: %d", s)
	}
	if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'exam.export'`); n != 1 {
		t.Fatalf("export audited %d times", n)
	}
	// The teacher sees their class's report.
	id := gap.Exams[2].ID
	s, b = e.Login("teacher").Do("GET", fmt.Sprintf("/api/v1/exams/%d/report?level=class&subject=语文", id), nil)
	var v exams.ReportView
	if s != 200 || json.Unmarshal(b, &v) != nil || len(v.Stats) != 1 || v.Stats[0].Class != "1班" {
		t.Fatalf("teacher's class: %d %.300s", s, b)
	}
}

// TestExamFileImport: a score file is previewed with its guessed mapping,
// refused with its problems row by row, imported with only its valid rows
// when asked, and a school's re-import replaces only that school.
func TestExamFileImport(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		x := e.ExamSchools()
		names := []string{}
		for _, code := range x.Codes {
			names = append(names, e.Str(`SELECT name FROM schools WHERE code = $1`, code))
		}
		jijiao := e.Login("jijiao")
		s, b := jijiao.Do("POST", "/api/v1/exams", map[string]any{"name": "期末联考", "term": "2026-2027学年第一学期", "held_on": "2026-12-20", "stage": "小学",
			"spec": map[string]any{"subjects": []map[string]any{{"name": "语文", "full": 100}, {"name": "数学", "full": 100}}}})
		var d exams.Detail
		if s != 201 || json.Unmarshal(b, &d) != nil {
			t.Fatalf("create: %d %s", s, b)
		}
		var good strings.Builder
		good.WriteString("考号,姓名,学校,班级,语文,数学\n")
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&good, "2026%04d,学生%d,%s,三(%d)班,%d,%d\n", i, i, names[i%3], i%2+1, 60+i%35, 55+i%40)
		}
		// A repeated 考号 leaves out both rows (20260001 and its repeat).
		bad := good.String() + "20269991,张三,不存在的学校,三(1)班,80,90\n20269992,李四," + names[0] + ",三(1)班,108,缺考\n20260001,重复," + names[1] + ",三(2)班,70,70\n"
		path := fmt.Sprintf("/api/v1/exams/%d", d.ID)
		s, b = jijiao.UploadAs(path+"/preview", "scores.csv", []byte(bad), nil)
		var p exams.Preview
		if s != 200 || json.Unmarshal(b, &p) != nil || p.Mapping == nil || p.Invalid != 4 || p.Students != 43 {
			t.Fatalf("preview: %d %s", s, b)
		}
		s, b = jijiao.UploadAs(path+"/import", "scores.csv", []byte(bad), nil)
		if s != 422 || !strings.Contains(string(b), "第42行") || !strings.Contains(string(b), "不存在的学校") {
			t.Fatalf("bad file: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM exam_parts WHERE exam_id = $1`, d.ID); n != 0 {
			t.Fatalf("a refused file stored %d parts", n)
		}
		s, b = jijiao.UploadAs(path+"/import", "scores.csv", []byte(bad), map[string]string{"valid_only": "true"})
		var res exams.Imported
		if s != 200 || json.Unmarshal(b, &res) != nil || res.Stored.Students != 39 || res.Stored.Skipped != 4 || res.Stored.Schools != 3 {
			t.Fatalf("valid rows: %d %s", s, b)
		}
		// The principal re-imports their own school's part only.
		var mine strings.Builder
		mine.WriteString("考号,姓名,学校,班级,语文,数学\n")
		for i := 0; i < 5; i++ {
			fmt.Fprintf(&mine, "3000%02d,新生%d,%s,三(1)班,%d,%d\n", i, i, names[0], 70+i, 71+i)
		}
		principal := e.Login("principal")
		s, b = principal.UploadAs(path+"/import", "mine.csv", []byte(mine.String()), nil)
		if s != 200 || json.Unmarshal(b, &res) != nil || len(res.Stored.Replaced) != 1 {
			t.Fatalf("principal re-import: %d %s", s, b)
		}
		if n := e.One(`SELECT students FROM exams WHERE id = $1`, d.ID); n != 5+39-14 { // 20260001 was left out with its repeat
			t.Fatalf("students after the school's re-import: %d", n)
		}
		// Another school's rows are refused to the principal, naming the school.
		s, b = principal.UploadAs(path+"/import", "all.csv", []byte(good.String()), nil)
		if s != 422 || !strings.Contains(string(b), names[1]) {
			t.Fatalf("principal importing other schools: %d %s", s, b)
		}
	})
}

// TestExamMessagesInCatalog: the engine's and the importer's message keys,
// which reach people through the API, are in both catalogs.
func TestExamMessagesInCatalog(t *testing.T) {
	t.Parallel()
	cat := i18n.MustLoad()
	for _, m := range []map[string]string{analysis.Messages, examfile.Messages} {
		for k := range m {
			if !cat.Has(k) {
				t.Errorf("message key %s is not in the catalog", k)
			}
		}
	}
}
