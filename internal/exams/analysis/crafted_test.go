package analysis_test

// Crafted files through the importer into the engine: each test is one
// defect of a real-looking file, at the smallest size that shows it.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
)

func readCSV(t *testing.T, csv string, e *analysis.Exam) *analysis.Report {
	t.Helper()
	res, _, err := examfile.ReadFile("成绩.csv", []byte(csv), examfile.Options{Exam: e})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if res.ProblemCount > 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	if e == nil {
		e = res.Exam
	}
	r, err := analysis.Analyze(e, res.Data)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	return r
}

func exam2(mod func(*analysis.Settings)) *analysis.Exam {
	e := &analysis.Exam{Name: "期中", Subjects: []analysis.Subject{{Name: "语文", Full: 100}, {Name: "数学", Full: 100}},
		Settings: analysis.DefaultSettings()}
	if mod != nil {
		mod(&e.Settings)
	}
	return e
}

type jsonStudent struct {
	ID       string `json:"id"`
	Subjects []struct {
		Subject  string   `json:"subject"`
		Score    *float64 `json:"score"`
		Status   string   `json:"status"`
		ExamRank *int     `json:"exam_rank"`
	} `json:"subjects"`
}

func studentsJSON(t *testing.T, r *analysis.Report) map[string]jsonStudent {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf, true); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Students []jsonStudent `json:"students"`
		Settings map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	m := map[string]jsonStudent{}
	for _, s := range out.Students {
		m[s.ID] = s
	}
	return m
}

func statOf(t *testing.T, r *analysis.Report, subject string) analysis.Stat {
	t.Helper()
	for _, st := range r.Stats {
		if st.Level == analysis.LevelExam && st.Subject == subject {
			return st
		}
	}
	t.Fatalf("no exam row for %s", subject)
	return analysis.Stat{}
}

// Issue 12 item 5: with absent_as_zero (and void_as_zero) a counted absent
// student shows the score it counts with in every output, beside its rank.
func TestCraftedAbsentAsZeroOneTruth(t *testing.T) {
	csv := "考号,姓名,学校,班级,语文,数学\n" +
		"1,甲,一中,1班,80,70\n" +
		"2,乙,一中,1班,缺考,60\n" +
		"3,丙,一中,1班,作弊,50\n"
	for _, tc := range []struct {
		absent, void bool
	}{{false, false}, {true, false}, {true, true}} {
		r := readCSV(t, csv, exam2(func(s *analysis.Settings) { s.AbsentAsZero, s.VoidAsZero = tc.absent, tc.void }))
		st := studentsJSON(t, r)
		check := func(id, status string, counted bool) {
			t.Helper()
			s := st[id].Subjects[0]
			if s.Status != status {
				t.Errorf("%v: %s status %q, want %q", tc, id, s.Status, status)
			}
			switch {
			case counted && (s.Score == nil || *s.Score != 0 || s.ExamRank == nil):
				t.Errorf("%v: %s counted as 0 but score %v rank %v", tc, id, s.Score, s.ExamRank)
			case !counted && (s.Score != nil || s.ExamRank != nil):
				t.Errorf("%v: %s not counted but score %v rank %v", tc, id, s.Score, s.ExamRank)
			}
			// The engine's accessors say the same.
			i := map[string]int{"1": 0, "2": 1, "3": 2}[id]
			if got := r.Counted(0, i) >= 0; got != counted || (r.ExamRank(0, i) > 0) != counted {
				t.Errorf("%v: %s Counted %d ExamRank %d", tc, id, r.Counted(0, i), r.ExamRank(0, i))
			}
		}
		check("2", "缺考", tc.absent)
		check("3", "作弊/违纪", tc.void)
		n := 1
		if tc.absent {
			n++
		}
		if tc.void {
			n++
		}
		if got := statOf(t, r, "语文").N; got != n {
			t.Errorf("%v: 实考 %d, want %d", tc, got, n)
		}
		// The total counts the 0 too.
		if tot := st["2"].Subjects[2]; tc.absent != (tot.Score != nil && *tot.Score == 60) {
			t.Errorf("%v: total of 乙 %v", tc, tot.Score)
		}
	}
}

// Issue 12 item 11: "-" and blank are not sitting by default; setting
// blank "absent" counts them as 缺考, and the report echoes the setting.
func TestCraftedBlankSetting(t *testing.T) {
	csv := "考号,姓名,学校,班级,语文,数学\n" +
		"1,甲,一中,1班,80,70\n" +
		"2,乙,一中,1班,-,60\n" +
		"3,丙,一中,1班,,50\n" +
		"4,丁,一中,1班,缺,40\n"
	def := readCSV(t, csv, exam2(nil))
	st := statOf(t, def, "语文")
	if st.Enrolled != 2 || st.Absent != 1 || st.N != 1 || st.TakeRate != 0.5 {
		t.Errorf("default: 应考 %d 缺考 %d 实考 %d 参考率 %v", st.Enrolled, st.Absent, st.N, st.TakeRate)
	}
	abs := readCSV(t, csv, exam2(func(s *analysis.Settings) { s.Blank = "absent" }))
	st = statOf(t, abs, "语文")
	if st.Enrolled != 4 || st.Absent != 3 || st.N != 1 || st.TakeRate != 0.25 {
		t.Errorf("blank absent: 应考 %d 缺考 %d 实考 %d 参考率 %v", st.Enrolled, st.Absent, st.N, st.TakeRate)
	}
	if s := studentsJSON(t, abs)["2"].Subjects[0]; s.Status != "缺考" || s.Score != nil {
		t.Errorf("乙 under blank absent: %+v", s)
	}
	var buf bytes.Buffer
	if err := abs.WriteJSON(&buf, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"blank":"absent"`) {
		t.Errorf("settings echo lacks blank: %.300s", buf.String())
	}
	bad := exam2(func(s *analysis.Settings) { s.Blank = "zero" })
	if err := bad.Validate(); err == nil {
		t.Errorf("blank zero accepted")
	}
}

// Issue 12 item 13: a subject every student missed names itself in a
// warning instead of silently emptying every 总分 figure.
func TestCraftedEmptySubjectWarns(t *testing.T) {
	csv := "考号,姓名,学校,班级,语文,数学\n" +
		"1,甲,一中,1班,80,缺考\n" +
		"2,乙,一中,1班,70,缺考\n"
	r := readCSV(t, csv, exam2(nil))
	if n := statOf(t, r, analysis.TotalName).N; n != 0 {
		t.Fatalf("总分 n %d", n)
	}
	found := false
	for _, w := range r.Warnings {
		found = found || strings.Contains(w, "数学") && strings.Contains(w, "总分")
		if strings.Contains(w, "语文") {
			t.Errorf("warning names a subject with scores: %s", w)
		}
	}
	if !found {
		t.Errorf("no warning naming 数学: %q", r.Warnings)
	}
	// The same warning by message key, for other languages.
	if len(r.WarningKeys) != len(r.Warnings) || r.WarningKeys[0].Key != "exam.warn.subject_empty_totals" ||
		r.WarningKeys[0].Args["subject"] != "数学" {
		t.Errorf("warning keys %+v", r.WarningKeys)
	}
	if _, ok := analysis.Messages[r.WarningKeys[0].Key]; !ok {
		t.Errorf("warning key %s has no text", r.WarningKeys[0].Key)
	}
}

// Issue 12 item 12: value added is float64 from the regression to the
// unit means and their SE: it equals a straightforward float64 reference
// to 1e-12, so a figure at a 4-decimal rounding boundary prints the same.
func TestCraftedValueAddedFloat64(t *testing.T) {
	// 40 students in 4 classes; scores chosen so Z values have long
	// binary expansions.
	var prev, cur strings.Builder
	prev.WriteString("考号,姓名,学校,班级,语文\n")
	cur.WriteString("考号,姓名,学校,班级,语文\n")
	for i := range 40 {
		id := strconv.Itoa(1000 + i)
		class := strconv.Itoa(i%4+1) + "班"
		p := (i*37)%97 + 1
		c := (i*53+p*3)%99 + 1
		prev.WriteString(id + ",学生,一中," + class + "," + strconv.Itoa(p) + "\n")
		cur.WriteString(id + ",学生,一中," + class + "," + strconv.Itoa(c) + "\n")
	}
	e := &analysis.Exam{Name: "期中", Subjects: []analysis.Subject{{Name: "语文", Full: 100}}, Settings: analysis.DefaultSettings()}
	rp := readCSV(t, prev.String(), e)
	e2 := *e
	e2.Name = "期末"
	rc := readCSV(t, cur.String(), &e2)
	va := analysis.ValueAdded(rp, rc)

	// The reference: Z from scratch, least squares, mean residual per class.
	z := func(r *analysis.Report) []float64 {
		n := r.Data().Len()
		xs := make([]float64, n)
		var sum float64
		for i := range n {
			xs[i] = float64(r.Score(0, i)) / 2
			sum += xs[i]
		}
		mean := sum / float64(n)
		var ss float64
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		sd := math.Sqrt(ss / float64(n-1))
		for i := range xs {
			xs[i] = (xs[i] - mean) / sd
		}
		return xs
	}
	x, y := z(rp), z(rc)
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	slope := sxy / sxx
	icpt := my - slope*mx
	res := make([]float64, len(x))
	for i := range x {
		res[i] = y[i] - (icpt + slope*x[i])
	}
	close := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: %.17g, reference %.17g (diff %.3g)", what, got, want, got-want)
		}
		// The printed figure (4 decimals) agrees as well.
		if a, b := strconv.FormatFloat(got, 'f', 4, 64), strconv.FormatFloat(want, 'f', 4, 64); a != b {
			t.Errorf("%s prints %s, reference %s", what, a, b)
		}
	}
	for i, want := range res {
		close("residual "+strconv.Itoa(i), va.Students.Residual[0][i], want)
		close("z change "+strconv.Itoa(i), va.Students.ZChange[0][i], y[i]-x[i])
	}
	for _, u := range va.Units {
		if u.Level != analysis.LevelClass || u.Subject != "语文" {
			continue
		}
		var vals []float64
		for i := range res {
			if strconv.Itoa(i%4+1)+"班" == u.Class {
				vals = append(vals, res[i])
			}
		}
		var s float64
		for _, v := range vals {
			s += v
		}
		m := s / float64(len(vals))
		var ss float64
		for _, v := range vals {
			ss += (v - m) * (v - m)
		}
		se := math.Sqrt(ss / float64(len(vals)-1) / float64(len(vals)))
		close(u.Class+" value", u.Value, m)
		close(u.Class+" se", u.SE, se)
	}
}
