package exams

import (
	"fmt"
	"testing"
)

// TestTrendWindow: at most cacheSize exams with scores, holding the exam the
// trend starts from, as recent as possible, oldest first.
func TestTrendWindow(t *testing.T) {
	var list []Exam // newest first, as List answers: ids 10 … 1
	for id := int64(10); id >= 1; id-- {
		students := 100
		if id == 8 {
			students = 0 // no scores yet
		}
		list = append(list, Exam{ID: id, Students: students})
	}
	ids := func(xs []Exam) string {
		var out []int64
		for _, x := range xs {
			out = append(out, x.ID)
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct {
		from int64
		want string
	}{
		{10, "[4 5 6 7 9 10]"},
		{4, "[4 5 6 7 9 10]"},
		{3, "[3 4 5 6 7 9]"},
		{1, "[1 2 3 4 5 6]"},
		{11, "[11]"}, // not in the list
	} {
		if got := ids(trendWindow(list, Exam{ID: c.from})); got != c.want {
			t.Errorf("from exam %d: %s, want %s", c.from, got, c.want)
		}
	}
}

// TestTrendChanges: subjects in order of first appearance with 总分 last;
// a subject's change runs from its first ranked exam to its last.
func TestTrendChanges(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	point := func(id int64, scores ...TrendScore) TrendPoint { return TrendPoint{ExamID: id, Scores: scores} }
	sc := func(subject string, pct *float64) TrendScore {
		return TrendScore{StudentScore: StudentScore{Subject: subject, Percentile: pct}}
	}
	subjects, changes := trendChanges([]TrendPoint{
		point(1, sc("语文", nil), sc("数学", p(40)), sc("总分", p(50))),
		point(2, sc("语文", p(60)), sc("数学", p(45.5)), sc("物理", p(70)), sc("总分", p(55))),
		point(3, sc("语文", p(72.25)), sc("数学", nil), sc("总分", p(52))),
	})
	if got := fmt.Sprint(subjects); got != "[语文 数学 物理 总分]" {
		t.Fatalf("subjects %s", got)
	}
	want := []struct {
		exams    int
		from, to int64
		change   string
	}{{2, 2, 3, "12.3"}, {2, 1, 2, "5.5"}, {1, 2, 2, "<nil>"}, {3, 1, 3, "2"}}
	for k, w := range want {
		c := changes[k]
		got := "<nil>"
		if c.Change != nil {
			got = fmt.Sprint(*c.Change)
		}
		if c.Exams != w.exams || c.FromExam != w.from || c.ToExam != w.to || got != w.change {
			t.Errorf("%s: %d exams %d→%d change %s, want %+v", c.Subject, c.Exams, c.FromExam, c.ToExam, got, w)
		}
	}
	if s, c := trendChanges(nil); len(s) != 0 || len(c) != 0 {
		t.Fatalf("no points: %v %v", s, c)
	}
}
