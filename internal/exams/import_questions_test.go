package exams_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/exams"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// newExam sets up an exam as 基教股 and returns its path.
func newExam(t *testing.T, e *apptest.Env, stage string, subjects map[string]float64, order ...string) string {
	t.Helper()
	var subs []map[string]any
	for _, s := range order {
		subs = append(subs, map[string]any{"name": s, "full": subjects[s]})
	}
	s, b := e.Login("jijiao").Do("POST", "/api/v1/exams", map[string]any{"name": "期中联考", "term": "2026-2027学年第一学期", "held_on": "2026-11-20", "stage": stage,
		"spec": map[string]any{"subjects": subs}})
	var d exams.Detail
	if s != 201 || json.Unmarshal(b, &d) != nil {
		t.Fatalf("create: %d %s", s, b)
	}
	return fmt.Sprintf("/api/v1/exams/%d", d.ID)
}

// previewWith sends a file and, when m is set, the mapping with the answers.
func previewWith(t *testing.T, c *apptest.Client, path, name string, file []byte, m *examfile.Mapping, extra map[string]string) (int, exams.Preview, []byte) {
	t.Helper()
	fields := map[string]string{}
	for k, v := range extra {
		fields[k] = v
	}
	if m != nil {
		b, _ := json.Marshal(m)
		fields["mapping"] = string(b)
	}
	s, b := c.UploadAs(path, name, file, fields)
	var p exams.Preview
	if s == 200 {
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
	}
	return s, p, b
}

func classesOf(t *testing.T, c *apptest.Client, path string) map[string]int {
	t.Helper()
	s, b := c.Do("GET", path+"/students?page_size=200", nil)
	var l web.List[exams.StudentRow]
	if s != 200 || json.Unmarshal(b, &l) != nil {
		t.Fatalf("students: %d %s", s, b)
	}
	out := map[string]int{}
	for _, r := range l.Items {
		out[r.Class]++
	}
	return out
}

// TestImportAnswersSwappedColumns: a school whose 姓名 and 班级 are swapped
// in short runs among plain rows is asked about, by name, in the preview
// (not refused); the principal's answer in the mapping settles it, and the
// report has the school's real classes.
func TestImportAnswersSwappedColumns(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		school := e.Str(`SELECT name FROM schools WHERE id = $1`, e.IDs.School)
		path := newExam(t, e, "小学", map[string]float64{"语文": 100, "数学": 100}, "语文", "数学")
		var f strings.Builder
		f.WriteString("考号,姓名,学校,班级,语文,数学\n")
		for i := 0; i < 12; i++ {
			name, class := fmt.Sprintf("学生%c", '甲'+rune(i)), fmt.Sprintf("%d班", i%2+1)
			if i%4 == 0 { // every fourth row swapped: runs of one
				name, class = class, name
			}
			fmt.Fprintf(&f, "2026%04d,%s,%s,%s,%d,%d\n", i, name, school, class, 70+i, 80+i)
		}
		file := []byte(f.String())
		principal := e.Login("principal")
		// Before the school's part is there, the principal opens the exam
		// (to import into it); its report holds none of another school's rows.
		other := e.Str(`SELECT name FROM schools WHERE id = $1`, e.IDs.OtherSchool)
		theirs := fmt.Sprintf("考号,姓名,学校,班级,语文,数学\n88880001,外校生,%s,1班,60,70\n", other)
		if s, b := e.Login("jijiao").UploadAs(path+"/import", "other.csv", []byte(theirs), nil); s != 200 {
			t.Fatalf("another school's part: %d %s", s, b)
		}
		if s, b := principal.Do("GET", path, nil); s != 200 {
			t.Fatalf("the principal opening the exam before importing: %d %s", s, b)
		}
		s, b := principal.Do("GET", path+"/report?level=school", nil)
		var rv struct {
			Stats []struct {
				Level  string `json:"level"`
				School string `json:"school"`
			} `json:"stats"`
		}
		if s != 200 || json.Unmarshal(b, &rv) != nil {
			t.Fatalf("the principal's report before importing: %d %s", s, b)
		}
		for _, st := range rv.Stats {
			if st.Level != "exam" {
				t.Fatalf("the principal sees a %s row of %s before importing", st.Level, st.School)
			}
		}
		if s, b := principal.Do("GET", path+"/students", nil); s != 200 || strings.Contains(string(b), "外校生") {
			t.Fatalf("the principal's students before importing: %d %s", s, b)
		}
		s, p, b := previewWith(t, principal, path+"/preview", "scores.csv", file, nil, nil)
		if s != 200 || p.Question == nil || p.Question.Key != "examfile.ask.swapped_columns" || len(p.Question.Schools) != 1 || p.Question.Schools[0] != school ||
			!strings.Contains(p.Question.Message, school) || p.Mapping == nil {
			t.Fatalf("preview of a file with swapped rows: %d %s", s, b)
		}
		// Unanswered, the import refuses the file with the question.
		if s, b := principal.UploadAs(path+"/import", "scores.csv", file, nil); s != 422 || !strings.Contains(string(b), school) {
			t.Fatalf("import without an answer: %d %s", s, b)
		}
		// An answer the reader does not know is a mapping error.
		m := *p.Mapping
		m.Swapped = map[string]string{school: "maybe"}
		if s, _, b := previewWith(t, principal, path+"/preview", "scores.csv", file, &m, nil); s != 422 || !strings.Contains(string(b), "maybe") {
			t.Fatalf("unknown answer: %d %s", s, b)
		}
		m.Swapped = map[string]string{school: examfile.SwapRows}
		s, p, b = previewWith(t, principal, path+"/preview", "scores.csv", file, &m, nil)
		if s != 200 || p.Question != nil || p.Students != 12 || p.Invalid != 0 || p.Mapping.Swapped[school] != examfile.SwapRows {
			t.Fatalf("preview with the answer: %d %s", s, b)
		}
		s, b = principal.UploadAs(path+"/import", "scores.csv", file, map[string]string{"mapping": mustJSON(m)})
		if s != 200 {
			t.Fatalf("import with the answer: %d %s", s, b)
		}
		if got := classesOf(t, principal, path); len(got) != 2 || got["1班"] != 6 || got["2班"] != 6 {
			t.Fatalf("classes after the answer: %v", got)
		}
		// The report's data-quality tab lists the principal's part with the
		// answer given; the other school's part is not theirs to see.
		imports := func(c *apptest.Client) []exams.PartImport {
			s, b := c.Do("GET", path+"/report", nil)
			var rv exams.ReportView
			if s != 200 || json.Unmarshal(b, &rv) != nil {
				t.Fatalf("report: %d %s", s, b)
			}
			return rv.Imports
		}
		mine := imports(principal)
		if len(mine) != 1 || mine[0].School != school || mine[0].FileName != "scores.csv" || !strings.Contains(strings.Join(mine[0].Decisions, "\n"), "导入时指定") {
			t.Fatalf("the principal's imports: %+v", mine)
		}
		if all := imports(e.Login("jijiao")); len(all) != 2 {
			t.Fatalf("the county sees %d imports", len(all))
		}
		// "As the headers say" keeps the swapped rows' cells where they are.
		m.Swapped = map[string]string{school: examfile.SwapNone}
		if s, p, b = previewWith(t, principal, path+"/preview", "scores.csv", file, &m, nil); s != 200 || p.Question != nil || p.Students != 12 {
			t.Fatalf("preview read as the headers say: %d %s", s, b)
		}
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestImportStageConfirmedOrAsked: the preview shows the stage the file is
// read with (the exam's, with what the file shows of it) beside each
// subject's full marks and best score; class codes of a 高中 are read as
// 高一(1)班; a file whose classes are another stage's than the exam's is
// a question, and the answer settles it.
func TestImportStageConfirmedOrAsked(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		if _, err := st.W.Exec(`UPDATE schools SET stage = 'senior' WHERE id = $1`, e.IDs.School); err != nil {
			t.Fatal(err)
		}
		school := e.Str(`SELECT name FROM schools WHERE id = $1`, e.IDs.School)
		path := newExam(t, e, "高中", map[string]float64{"语文": 150, "数学": 150, "物理": 100}, "语文", "数学", "物理")
		rows := func(class func(i int) string) []byte {
			var f strings.Builder
			f.WriteString("考号,姓名,班级,语文,数学,物理\n")
			for i := 0; i < 20; i++ {
				fmt.Fprintf(&f, "2026%04d,学生%d,%s,%d,%d,%d\n", i, i, class(i), 90+i*2, 100+i, 60+i)
			}
			return []byte(f.String())
		}
		codes := rows(func(i int) string { return fmt.Sprintf("10%d", i%2+1) })
		principal := e.Login("principal")
		// A sheet without a school column (the CSV is named 总分, a report
		// name): the principal's own school.
		s, p, b := previewWith(t, principal, path+"/preview", "总分.csv", codes, nil, nil)
		if s != 200 || p.Question != nil || p.Stage != "高中" || p.StageSource != examfile.StageFromExam || p.StageEvidence == "" ||
			len(p.Schools) != 1 || p.Schools[0] != school || len(p.Subjects) != 3 || p.Subjects[0].Full != 150 || p.Subjects[0].Best == nil || *p.Subjects[0].Best != 128 {
			t.Fatalf("preview: %d %s", s, b)
		}
		if s, b := principal.UploadAs(path+"/import", "总分.csv", codes, nil); s != 200 {
			t.Fatalf("import: %d %s", s, b)
		}
		if got := classesOf(t, principal, path); got["高一(1)班"] != 10 || got["高一(2)班"] != 10 {
			t.Fatalf("class codes of a 高中: %v", got)
		}
		s, b = principal.Do("GET", path+"/report", nil)
		var rv exams.ReportView
		if s != 200 || json.Unmarshal(b, &rv) != nil || len(rv.Imports) != 1 || len(rv.Imports[0].Decisions) == 0 ||
			!strings.HasPrefix(rv.Imports[0].Decisions[0], "学段：高中（考试设置）") {
			t.Fatalf("the stage decision in the report: %d %+v", s, rv.Imports)
		}

		// Classes of a 初中 in a 高中 exam of a 高中 school: asked.
		junior := rows(func(i int) string { return fmt.Sprintf("初一(%d)班", i%2+1) })
		s, p, b = previewWith(t, principal, path+"/preview", "总分.csv", junior, nil, nil)
		if s != 200 || p.Question == nil || p.Question.Key != "examfile.ask.stage" || p.Students != 0 {
			t.Fatalf("conflicting stage: %d %s", s, b)
		}
		if s, b := principal.UploadAs(path+"/import", "总分.csv", junior, nil); s != 422 {
			t.Fatalf("import of a conflicting stage: %d %s", s, b)
		}
		m := *p.Mapping
		m.Stage = "高中"
		s, p, b = previewWith(t, principal, path+"/preview", "总分.csv", junior, &m, nil)
		if s != 200 || p.Question != nil || p.Stage != "高中" || p.StageSource != examfile.StageFromAnswer || p.Students != 20 {
			t.Fatalf("answered stage: %d %s", s, b)
		}
		m.Stage = "大学"
		if s, _, b := previewWith(t, principal, path+"/preview", "总分.csv", junior, &m, nil); s != 422 {
			t.Fatalf("a stage that is none: %d %s", s, b)
		}

		// 基教股 has no school of its own: the same file names none, and
		// the rows' school 本校 is unknown to the registry.
		s, b = e.Login("jijiao").UploadAs(path+"/import", "总分.csv", codes, nil)
		if s != 422 || !strings.Contains(string(b), examfile.DefaultSchool) {
			t.Fatalf("a county importer's file without a school: %d %s", s, b)
		}
	})
}

// realFile reads a file of the shared real-file corpus (beside a parent
// folder of the repository), or skips; under CI a missing corpus fails.
func realFile(t *testing.T, name string) []byte {
	t.Helper()
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "shared", "realfiles", name)); err == nil {
			return b
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("real file %s missing under CI", name)
	}
	t.Skipf("real-file corpus not present: skipped")
	return nil
}

// TestPrincipalUploadsOwnSchoolExport: a principal drops the marking
// system's 学生榜单 export of their school (sheet 总分, no school column,
// 是否参与统计, statistics rows at the bottom) into an exam: it is stored
// as their school's part only, without the statistics rows and the
// students the system left out. Nothing of the file is printed.
func TestPrincipalUploadsOwnSchoolExport(t *testing.T) {
	t.Parallel()
	data := realFile(t, "linmiaoyan_school_20260105_105223_-.xlsx")
	const name = "学生榜单.xlsx"
	f, err := examfile.Open(name, data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.Guess()
	if err != nil {
		t.Fatal(err)
	}
	full := map[string]float64{}
	var order []string
	for _, c := range m.Columns {
		if c.Field == examfile.FieldScore && full[c.Subject] == 0 {
			full[c.Subject] = 100
			if c.Subject == "语文" || c.Subject == "数学" || c.Subject == "英语" {
				full[c.Subject] = 150
			}
			order = append(order, c.Subject)
		}
	}
	if len(order) < 3 {
		t.Fatalf("subjects guessed: %d", len(order))
	}
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		if _, err := st.W.Exec(`UPDATE schools SET stage = 'senior' WHERE id = $1`, e.IDs.School); err != nil {
			t.Fatal(err)
		}
		path := newExam(t, e, "高中", full, order...)
		principal := e.Login("principal")
		s, p, b := previewWith(t, principal, path+"/preview", name, data, nil, nil)
		if s != 200 || p.Question != nil || len(p.Schools) != 1 || p.Excluded == 0 || p.Students < 100 {
			t.Fatalf("preview: %d (%d bytes)", s, len(b))
		}
		own := e.Str(`SELECT name FROM schools WHERE id = $1`, e.IDs.School)
		if p.Schools[0] != own {
			t.Fatal("the rows are not in the principal's school")
		}
		s, b = principal.UploadAs(path+"/import", name, data, map[string]string{"valid_only": "true"})
		var res exams.Imported
		if s != 200 || json.Unmarshal(b, &res) != nil {
			t.Fatalf("import: %d", s)
		}
		if res.Stored.Schools != 1 || res.Stored.Students != p.Students-p.Invalid {
			t.Fatalf("stored %d students in %d schools; preview %d, invalid %d", res.Stored.Students, res.Stored.Schools, p.Students, p.Invalid)
		}
		if n := e.One(`SELECT count(*) FROM exam_parts p JOIN exams x ON x.id = p.exam_id WHERE x.name = '期中联考' AND p.school_id <> $1`, e.IDs.School); n != 0 {
			t.Fatalf("%d parts of other schools", n)
		}
		// Every stored student has a name and a class: no statistics row.
		s, b = principal.Do("GET", path+"/students?page_size=200", nil)
		var l web.List[exams.StudentRow]
		if s != 200 || json.Unmarshal(b, &l) != nil || l.Total != res.Stored.Students {
			t.Fatalf("students: %d", s)
		}
		for _, r := range l.Items {
			if r.Name == "" || r.Class == "" || r.ID == "" {
				t.Fatal("a stored student without number, name or class")
			}
		}
	})
}
