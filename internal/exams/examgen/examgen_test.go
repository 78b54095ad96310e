package examgen

import (
	"bytes"
	"strings"
	"testing"

	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
)

func csvOf(t *testing.T, cfg Config) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, NewPlan(cfg)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a := csvOf(t, Config{Students: 3000, Schools: 7, Seed: 9, HalfPoints: true})
	b := csvOf(t, Config{Students: 3000, Schools: 7, Seed: 9, HalfPoints: true})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave two files")
	}
	if bytes.Equal(a, csvOf(t, Config{Students: 3000, Schools: 7, Seed: 10, HalfPoints: true})) {
		t.Fatal("two seeds gave the same file")
	}
	if n := bytes.Count(a, []byte("\n")); n != 3001 {
		t.Errorf("lines %d", n)
	}
	for _, tok := range []string{"缺考", ".5,"} {
		if !bytes.Contains(a, []byte(tok)) {
			t.Errorf("no %q in the file", tok)
		}
	}
}

// analyze reads a generated file back the way users will.
func analyze(t *testing.T, cfg Config) *analysis.Report {
	t.Helper()
	plan := NewPlan(cfg)
	var b bytes.Buffer
	if err := WriteCSV(&b, plan); err != nil {
		t.Fatal(err)
	}
	res, _, err := examfile.ReadFile("x.csv", b.Bytes(), examfile.Options{Exam: plan.Exam()})
	if err != nil {
		t.Fatal(examfile.Describe(err))
	}
	if res.ProblemCount != 0 {
		t.Fatalf("generated file has problems: %+v", res.Problems[:min(3, len(res.Problems))])
	}
	e := res.Exam
	e.Name = plan.Exam().Name
	r, err := analysis.Analyze(e, res.Data)
	if err != nil {
		t.Fatal(analysis.Describe(err))
	}
	return r
}

func TestRealisticShape(t *testing.T) {
	cfg := Config{Students: 6000, Schools: 10, Seed: 4}
	r := analyze(t, cfg)
	plan := NewPlan(cfg)
	if len(r.Groups) != 2 || r.Groups[0].Lead != plan.Schools[0].Name || r.Groups[0].LeadInferred {
		t.Errorf("groups %+v", r.Groups)
	}
	for _, st := range r.Stats {
		if st.Level != analysis.LevelExam {
			continue
		}
		// Every paper is neither trivial nor impossible, and a few are absent.
		if st.ScoreRate < 0.45 || st.ScoreRate > 0.8 || st.Absent == 0 || st.SD < 0.08*st.Max {
			t.Errorf("%s: 得分率 %.2f absent %d sd %.1f", st.Subject, st.ScoreRate, st.Absent, st.SD)
		}
	}
	// Leads are the strongest schools of their groups.
	for _, st := range r.Stats {
		if st.Level == analysis.LevelSchool && st.Subject == analysis.TotalName && st.GapToLead < 0 {
			t.Errorf("%s is ahead of its lead by %.1f T", st.School, -st.GapToLead)
		}
	}
	if !strings.HasPrefix(r.Exam, "九年级联考") {
		t.Errorf("exam name %q", r.Exam)
	}
}

// TestTermsMoveSchools: over three terms most members close the gap to
// their lead and the last member of each group falls back; the students
// are the same, so value added matches them all.
func TestTermsMoveSchools(t *testing.T) {
	var reps []*analysis.Report
	for term := range 3 {
		reps = append(reps, analyze(t, Config{Students: 8000, Schools: 10, Seed: 6, Term: term}))
	}
	gaps := analysis.GapTrend(reps, analysis.TotalName)
	closing := 0
	plan := NewPlan(Config{Students: 8000, Schools: 10, Seed: 6})
	for _, g := range gaps {
		if g.Closing {
			closing++
		}
		if g.School == plan.Schools[4].Name && g.Closing {
			t.Errorf("%s should fall back: %+v", g.School, g)
		}
	}
	if closing < len(gaps)/2 {
		t.Errorf("only %d of %d members close the gap", closing, len(gaps))
	}
	va := analysis.ValueAdded(reps[1], reps[2])
	if va.Subjects[0].Matched < 7800 {
		t.Errorf("matched %d of 8000", va.Subjects[0].Matched)
	}
}

func TestXLSX(t *testing.T) {
	plan := NewPlan(Config{Students: 300, Schools: 3, Seed: 2})
	for _, per := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteXLSX(&b, plan, per); err != nil {
			t.Fatal(err)
		}
		res, m, err := examfile.ReadFile("x.xlsx", b.Bytes(), examfile.Options{})
		if err != nil {
			t.Fatal(examfile.Describe(err))
		}
		if res.Data.Len() != 300 || len(res.Data.Schools) != 3 || res.ProblemCount != 0 {
			t.Errorf("per school %v: %d students, %d schools, %d problems", per, res.Data.Len(), len(res.Data.Schools), res.ProblemCount)
		}
		if per && len(m.Sheets) != 3 {
			t.Errorf("sheets %+v", m.Sheets)
		}
	}
}

func TestStages(t *testing.T) {
	for stage, first := range map[string]float64{"小学": 100, "初中": 150, "高中": 150} {
		p := NewPlan(Config{Students: 100, Schools: 2, Stage: stage})
		if p.Subjects[0].Full != first || len(p.Schools) != 2 {
			t.Errorf("%s: %+v", stage, p.Subjects)
		}
	}
}
