package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The small exam every test starts from, worked by hand (see the comments
// at each expected value). Scores in points; "A" absent, "V" void, "" blank.
//
//	student school group class 语文 数学
//	s1      甲校  一集团 1班   9    8
//	s2      甲校  一集团 1班   8    8
//	s3      甲校  一集团 1班   8    A
//	s4      甲校  一集团 1班   6.5  4
//	s5      甲校  一集团 2班   5    10     (a one-student class)
//	s6      乙校  一集团 1班   V    6
//	s7      乙校  一集团 1班   3    0
//	s8      乙校  一集团 1班   ""   7
//	s9      丙校  —      1班   A    A      (a class with no score at all)
type row struct {
	id, school, group, class string
	yw, sx                   string
}

var small = []row{
	{"s1", "甲校", "一集团", "1班", "9", "8"},
	{"s2", "甲校", "一集团", "1班", "8", "8"},
	{"s3", "甲校", "一集团", "1班", "8", "A"},
	{"s4", "甲校", "一集团", "1班", "6.5", "4"},
	{"s5", "甲校", "一集团", "2班", "5", "10"},
	{"s6", "乙校", "一集团", "1班", "V", "6"},
	{"s7", "乙校", "一集团", "1班", "3", "0"},
	{"s8", "乙校", "一集团", "1班", "", "7"},
	{"s9", "丙校", "", "1班", "A", "A"},
}

func code(t testing.TB, s string) int32 {
	switch s {
	case "":
		return NoScore
	case "A":
		return Absent
	case "V":
		return Void
	}
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatal(err)
	}
	h, ok := HalfPoints(f)
	if !ok {
		t.Fatalf("bad score %s", s)
	}
	return h
}

func smallExam(mod func(*Settings)) *Exam {
	e := &Exam{Name: "小测", Subjects: []Subject{{Name: "语文", Full: 10}, {Name: "数学", Full: 10}}, Settings: DefaultSettings()}
	if mod != nil {
		mod(&e.Settings)
	}
	return e
}

func smallData(t testing.TB, rows []row) *Data {
	b := NewBuilder(2)
	for _, r := range rows {
		b.Add(Student{ID: r.id, Name: "学生" + r.id, School: r.school, Group: r.group, Class: r.class,
			Scores: []int32{code(t, r.yw), code(t, r.sx)}})
	}
	return b.Data()
}

func analyze(t testing.TB, e *Exam, d *Data) *Report {
	t.Helper()
	r, err := Analyze(e, d)
	if err != nil {
		t.Fatalf("Analyze: %s", Describe(err))
	}
	return r
}

// find returns the row of a unit and subject.
func find(t testing.TB, r *Report, level, unit, class, subject string) *Stat {
	t.Helper()
	for i := range r.Stats {
		st := &r.Stats[i]
		if st.Level != level || st.Subject != subject {
			continue
		}
		name := map[string]string{LevelExam: "", LevelGroup: st.Group, LevelSchool: st.School, LevelClass: st.School, LevelTeacher: st.Teacher}[level]
		if name == unit && (level != LevelClass || st.Class == class) {
			return st
		}
	}
	t.Fatalf("no row %s %s %s %s", level, unit, class, subject)
	return nil
}

func near(t testing.TB, what string, got, want float64) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want NaN", what, got)
		}
		return
	}
	if math.IsNaN(got) || math.Abs(got-want) > 1e-4 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eq[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestExamLevelFigures(t *testing.T) {
	r := analyze(t, smallExam(nil), smallData(t, small))
	yw := find(t, r, LevelExam, "", "", "语文")
	// 语文 scores 9, 8, 8, 6.5, 5, 3 (s6 void, s8 blank, s9 absent).
	eq(t, "enrolled", yw.Enrolled, 8) // everyone but the blank s8
	eq(t, "n", yw.N, 6)
	eq(t, "absent", yw.Absent, 1)
	eq(t, "void", yw.Void, 1)
	near(t, "take rate", yw.TakeRate, 6.0/8)
	near(t, "mean", yw.Mean, 39.5/6)
	near(t, "score rate", yw.ScoreRate, 39.5/60)
	near(t, "sd (sample)", yw.SD, 2.2453656)
	near(t, "cv", yw.CV, 2.2453656/(39.5/6))
	near(t, "min", yw.Min, 3)
	near(t, "max", yw.Max, 9)
	// Sorted 3 5 6.5 8 8 9; QUARTILE.INC positions 1.25, 2.5, 3.75.
	near(t, "q1", yw.Q1, 5.375)
	near(t, "median", yw.Median, 7.25)
	near(t, "q3", yw.Q3, 8)
	near(t, "mode", yw.Mode, 8)
	// Lines 8.5 / 7 / 6 / 4.
	eq(t, "excellent", yw.ExcellentCount, 1)
	eq(t, "good", yw.GoodCount, 3)
	eq(t, "pass", yw.PassCount, 4)
	eq(t, "low", yw.LowCount, 1)
	near(t, "pass rate", yw.PassRate, 4.0/6)
	near(t, "excellent rate", yw.ExcellentRate, 1.0/6)
	near(t, "low rate", yw.LowRate, 1.0/6)
	near(t, "exam T", yw.TScore, 50)
	near(t, "exam diff", yw.Diff, math.NaN())
	// 两率一分: 0.4·得分率 + 0.3·优秀率 + 0.3·及格率, on 0–100.
	near(t, "composite", yw.Composite, 100*(0.4*39.5/60+0.3/6+0.3*4/6))

	sx := find(t, r, LevelExam, "", "", "数学")
	eq(t, "数学 n", sx.N, 7)
	eq(t, "数学 absent", sx.Absent, 2)
	near(t, "数学 mean", sx.Mean, 43.0/7)
	near(t, "数学 sd", sx.SD, 3.2877840)

	// 总分: only s1 17, s2 16, s4 10.5, s5 15, s7 3 have both subjects.
	tot := find(t, r, LevelExam, "", "", TotalName)
	eq(t, "total enrolled", tot.Enrolled, 9)
	eq(t, "total n", tot.N, 5)
	eq(t, "total absent", tot.Absent, 4)
	near(t, "total mean", tot.Mean, 12.3)
	near(t, "total sd", tot.SD, 5.7619441)
	eq(t, "total excellent (≥17)", tot.ExcellentCount, 1)
	eq(t, "total pass (≥12)", tot.PassCount, 3)
	eq(t, "total low (<8)", tot.LowCount, 1)
	// 全科及格 (≥6 in both): s1 and s2; 全科优秀 (≥8.5 in both): nobody.
	eq(t, "all pass", tot.AllPassCount, 2)
	near(t, "all pass rate", tot.AllPassRate, 0.4)
	eq(t, "all excellent", tot.AllExcellentCount, 0)
	near(t, "subject row has no all-pass rate", yw.AllPassRate, math.NaN())
	// 分档 15/25/60% of 5 → the 1st, 2nd and 3rd best totals: 17, 16, 15.
	if len(r.TierLines) != 3 {
		t.Fatalf("tiers %v", r.TierLines)
	}
	for i, want := range []struct {
		score float64
		count int
	}{{17, 1}, {16, 2}, {15, 3}} {
		near(t, "tier line", r.TierLines[i].Score, want.score)
		eq(t, "tier count", r.TierLines[i].Count, want.count)
		eq(t, "tier row count", tot.Tiers[i], want.count)
	}
	eq(t, "tier name", r.TierLines[0].Name, "一档")
}

func TestUnitsAndComparisons(t *testing.T) {
	e := smallExam(nil)
	e.Groups = []GroupLead{{Name: "一集团", Lead: "甲校"}}
	d := smallData(t, small)
	r := analyze(t, e, d)
	a := find(t, r, LevelSchool, "甲校", "", "语文")
	eq(t, "甲校 n", a.N, 5)
	near(t, "甲校 mean", a.Mean, 7.3)
	near(t, "甲校 ref", a.RefMean, 39.5/6)
	near(t, "甲校 离均差", a.Diff, 7.3-39.5/6)
	near(t, "甲校 均分比", a.Ratio, 7.3/(39.5/6))
	near(t, "甲校 超均率", a.AboveMeanRate, 0.1088608)
	near(t, "甲校 T", a.TScore, 53.1917594)
	// 学科贡献率: (0.73 − 0.658333) − (甲校 total rate 14.625/20 − 0.615).
	near(t, "甲校 贡献率", a.Contribution, -0.0445833)
	eq(t, "甲校 rank", a.Rank, 1)
	near(t, "甲校 gap to itself", a.GapToLead, 0)

	b := find(t, r, LevelSchool, "乙校", "", "语文")
	eq(t, "乙校 n", b.N, 1)
	eq(t, "乙校 enrolled", b.Enrolled, 2)
	near(t, "乙校 sd of one", b.SD, math.NaN())
	near(t, "乙校 T", b.TScore, 34.0412032)
	near(t, "乙校 gap", b.GapToLead, 19.1505562)
	eq(t, "乙校 rank", b.Rank, 2)
	eq(t, "乙校 small n", b.SmallN, true)

	c := find(t, r, LevelSchool, "丙校", "", "语文")
	eq(t, "丙校 n", c.N, 0)
	eq(t, "丙校 absent", c.Absent, 1)
	near(t, "丙校 mean", c.Mean, math.NaN())
	near(t, "丙校 pass rate", c.PassRate, math.NaN())
	eq(t, "丙校 unranked", c.Rank, 0)
	near(t, "丙校 has no group", c.GapToLead, math.NaN())

	// Group 一集团 = 甲校 + 乙校.
	g := find(t, r, LevelGroup, "一集团", "", "语文")
	eq(t, "group n", g.N, 6)
	near(t, "group mean", g.Mean, 39.5/6)
	if len(r.Groups) != 1 || r.Groups[0].Lead != "甲校" || r.Groups[0].LeadInferred || r.Groups[0].Schools != 2 {
		t.Errorf("groups %+v", r.Groups)
	}

	// Classes compare with their school.
	c1 := find(t, r, LevelClass, "甲校", "1班", "语文")
	eq(t, "class n", c1.N, 4)
	near(t, "class mean", c1.Mean, 31.5/4)
	near(t, "class ref is the school", c1.RefMean, 7.3)
	near(t, "class 超均率", c1.AboveMeanRate, (31.5/4-7.3)/7.3)
	eq(t, "class rank in school", c1.RankInSchool, 1)
	one := find(t, r, LevelClass, "甲校", "2班", "语文")
	eq(t, "one-student class n", one.N, 1)
	near(t, "one-student median", one.Median, 5)
	near(t, "one-student q1", one.Q1, 5)
	near(t, "one-student sd", one.SD, math.NaN())
	eq(t, "one-student rank in school", one.RankInSchool, 2)
	empty := find(t, r, LevelClass, "丙校", "1班", "语文")
	eq(t, "empty class n", empty.N, 0)
	near(t, "empty class median", empty.Median, math.NaN())
	near(t, "empty class composite", empty.Composite, math.NaN())

	// Balance over schools with students: 甲校 (5, 7.3) and 乙校 (1, 3).
	for _, bl := range r.Balance {
		if bl.Group == "" && bl.Subject == "语文" {
			mean := 39.5 / 6
			cv := math.Sqrt(5.0/6*(7.3-mean)*(7.3-mean)+1.0/6*(3-mean)*(3-mean)) / mean
			near(t, "balance cv", bl.CV, cv)
			eq(t, "balance schools", bl.Schools, 2)
		}
	}
}

func TestStudentRanks(t *testing.T) {
	d := smallData(t, small)
	r := analyze(t, smallExam(nil), d)
	// 语文 9 8 8 6.5 5 V 3 "" A: competition ranks 1 2 2 4 5 – 6 – –.
	wantExam := []int32{1, 2, 2, 4, 5, 0, 6, 0, 0}
	wantSchool := []int32{1, 2, 2, 4, 5, 0, 1, 0, 0}
	wantClass := []int32{1, 2, 2, 4, 1, 0, 1, 0, 0}
	for i := range wantExam {
		eq(t, "exam rank "+d.ID[i], r.ExamRank(0, i), int(wantExam[i]))
		eq(t, "school rank "+d.ID[i], r.SchoolRank(0, i), int(wantSchool[i]))
		eq(t, "class rank "+d.ID[i], r.ClassRank(0, i), int(wantClass[i]))
	}
	// 总分 17 16 – 10.5 15 – 3 – –.
	for i, want := range []int32{1, 2, 0, 4, 3, 0, 5, 0, 0} {
		eq(t, "total rank "+d.ID[i], r.ExamRank(2, i), int(want))
	}
	eq(t, "total of s4", r.Score(2, 3), int32(21))
	eq(t, "total of s3 (absent in 数学)", r.Score(2, 2), Absent)
	// Z against the whole exam.
	near(t, "z of s1", r.Z(0, 0), (9-39.5/6)/2.2453656)
	near(t, "t of s1", r.T(0, 0), 50+10*(9-39.5/6)/2.2453656)
	near(t, "z of the absent", r.Z(0, 8), math.NaN())

	dense := analyze(t, smallExam(func(s *Settings) { s.Rank = "dense" }), d)
	for i, want := range []int32{1, 2, 2, 3, 4, 0, 5, 0, 0} {
		eq(t, "dense exam rank "+d.ID[i], dense.ExamRank(0, i), int(want))
	}
	for i, want := range []int32{1, 2, 2, 3, 1, 0, 1, 0, 0} {
		eq(t, "dense class rank "+d.ID[i], dense.ClassRank(0, i), int(want))
	}
}

func TestSettingAlternatives(t *testing.T) {
	d := smallData(t, small)
	t.Run("population sd", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.SD = "population" }), d)
		near(t, "sd", find(t, r, LevelExam, "", "", "语文").SD, 2.0497290)
		near(t, "sd of one", find(t, r, LevelSchool, "乙校", "", "语文").SD, 0)
	})
	t.Run("quartile exc", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.Quartile = "exc" }), d)
		yw := find(t, r, LevelExam, "", "", "语文")
		// Positions p·(n+1)−1 = 0.75, 2.5, 4.25.
		near(t, "q1", yw.Q1, 4.5)
		near(t, "median", yw.Median, 7.25)
		near(t, "q3", yw.Q3, 8.25)
		near(t, "q1 of one", find(t, r, LevelClass, "甲校", "2班", "语文").Q1, math.NaN())
	})
	t.Run("absent as zero", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.AbsentAsZero = true }), d)
		sx := find(t, r, LevelExam, "", "", "数学")
		eq(t, "n counts the absent", sx.N, 9)
		eq(t, "absent still shown", sx.Absent, 2)
		near(t, "mean", sx.Mean, 43.0/9)
		near(t, "take rate is still attendance", sx.TakeRate, 7.0/9)
		// s3 now has 8 + 0; s9 0 + 0 (absent both); s6 void stays out.
		tot := find(t, r, LevelExam, "", "", TotalName)
		eq(t, "total n", tot.N, 7)
		// 10 8 8 7 6 4 then three zeros: rank 7.
		eq(t, "rank of an absent zero", r.ExamRank(1, 2), 7)
	})
	t.Run("void as zero", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.VoidAsZero = true }), d)
		eq(t, "语文 n", find(t, r, LevelExam, "", "", "语文").N, 7)
	})
	t.Run("partial total", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.TotalMissing = "partial" }), d)
		tot := find(t, r, LevelExam, "", "", TotalName)
		// s3 8, s6 6, s8 7 join; s9 has nothing.
		eq(t, "n", tot.N, 8)
		near(t, "mean", tot.Mean, (61.5+8+6+7)/8)
	})
	t.Run("percent lines", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.ExcellentPct, s.GoodEnabled = 90, false }), d)
		yw := find(t, r, LevelExam, "", "", "语文")
		eq(t, "excellent ≥ 9", yw.ExcellentCount, 1)
		near(t, "good rate off", yw.GoodRate, math.NaN())
		near(t, "good line off", r.Subjects[0].Good, math.NaN())
	})
	t.Run("absolute lines", func(t *testing.T) {
		e := smallExam(func(s *Settings) { s.LineMode = "absolute" })
		e.Subjects[0].Lines = &Lines{Excellent: 8, Good: 6.5, Pass: 5, Low: 5}
		e.Subjects[1].Lines = &Lines{Excellent: 9, Pass: 6, Low: 1}
		e.TotalLines = &Lines{Excellent: 16, Pass: 10, Low: 5}
		r := analyze(t, e, d)
		yw := find(t, r, LevelExam, "", "", "语文")
		eq(t, "excellent ≥ 8", yw.ExcellentCount, 3)
		eq(t, "good ≥ 6.5", yw.GoodCount, 4)
		eq(t, "pass ≥ 5", yw.PassCount, 5)
		eq(t, "low < 5", yw.LowCount, 1)
		near(t, "数学 good off (0)", find(t, r, LevelExam, "", "", "数学").GoodRate, math.NaN())
		eq(t, "total excellent ≥ 16", find(t, r, LevelExam, "", "", TotalName).ExcellentCount, 2)
		eq(t, "mode", r.Subjects[0].LineMode, "absolute")
		// Absolute mode without lines is refused.
		e.Subjects[1].Lines = nil
		if _, err := Analyze(e, d); err == nil {
			t.Errorf("absolute lines missing: no error")
		}
	})
	t.Run("rank lines", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.LineMode = "rank" }), d)
		yw := find(t, r, LevelExam, "", "", "语文")
		// Top 20% of 6 → the 2nd best, 8 (ties count: 3 students).
		near(t, "excellent line", r.Subjects[0].Excellent, 8)
		eq(t, "excellent", yw.ExcellentCount, 3)
		// Top 50% → the 3rd best, 8.
		eq(t, "pass", yw.PassCount, 3)
		// Bottom 20% → the 2nd worst is 5, so "below 5.5".
		near(t, "low line", r.Subjects[0].Low, 5.5)
		eq(t, "low", yw.LowCount, 2)
	})
	t.Run("T scale 500/100", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.TMean, s.TSD = 500, 100 }), d)
		near(t, "school T", find(t, r, LevelSchool, "甲校", "", "语文").TScore, 531.917594)
	})
	t.Run("gap in Z", func(t *testing.T) {
		e := smallExam(func(s *Settings) { s.GapUnit = "Z" })
		e.Groups = []GroupLead{{Name: "一集团", Lead: "甲校"}}
		r := analyze(t, e, d)
		near(t, "gap", find(t, r, LevelSchool, "乙校", "", "语文").GapToLead, 1.91505562)
	})
	t.Run("composite weights", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.Composite = Weights{Mean: 1} }), d)
		near(t, "composite = 得分率", find(t, r, LevelExam, "", "", "语文").Composite, 100*39.5/60)
	})
	t.Run("tiers", func(t *testing.T) {
		r := analyze(t, smallExam(func(s *Settings) { s.Tiers = []float64{50} }), d)
		// 50% of 5 → the 3rd best total, 15.
		if len(r.TierLines) != 1 || r.TierLines[0].Score != 15 || r.TierLines[0].Count != 3 {
			t.Errorf("tiers %+v", r.TierLines)
		}
	})
}

func TestCritical(t *testing.T) {
	d := smallData(t, small)
	crit := func(r *Report, name string) int {
		st := find(t, r, LevelExam, "", "", "语文")
		for i, c := range r.Subjects[0].Critical {
			if c.Name == name {
				return st.Critical[i]
			}
		}
		t.Fatalf("no critical line %s", name)
		return 0
	}
	below := analyze(t, smallExam(func(s *Settings) { s.CriticalPoints = 1 }), d)
	eq(t, "below 优秀 [7.5,8.5)", crit(below, "优秀"), 2)
	eq(t, "below 及格 [5,6)", crit(below, "及格"), 1)
	near(t, "from", below.Subjects[0].Critical[1].From, 5)
	near(t, "to", below.Subjects[0].Critical[1].To, 6)
	band := analyze(t, smallExam(func(s *Settings) { s.CriticalPoints, s.CriticalMode = 1, "band" }), d)
	eq(t, "band 及格 [5,7]", crit(band, "及格"), 2)
	rank := analyze(t, smallExam(func(s *Settings) { s.CriticalRanks, s.CriticalMode = 1, "rank" }), d)
	// 4 students pass; within 1 place below: the 5 (rank 5).
	eq(t, "rank 1", crit(rank, "及格"), 1)
	rank2 := analyze(t, smallExam(func(s *Settings) { s.CriticalRanks, s.CriticalMode = 2, "rank" }), d)
	eq(t, "rank 2", crit(rank2, "及格"), 2)
	// The list behind a count: 8, 8 (s2, s3) under the 优秀 line.
	if got := below.CriticalStudents(0, 0); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("critical students %v", got)
	}
	// The class rows count the same lines.
	c1 := find(t, below, LevelClass, "甲校", "1班", "语文")
	eq(t, "class 优秀 critical", c1.Critical[0], 2)
	// The total's critical lines start with the tiers.
	if got := below.Subjects[2].Critical[0].Name; got != "一档" {
		t.Errorf("total critical lines start with %s", got)
	}
}

func TestDistributionsAndBands(t *testing.T) {
	r := analyze(t, smallExam(func(s *Settings) { s.BinWidth = 5 }), smallData(t, small))
	yw := r.Distributions[0]
	// A half-point paper: 0.5 steps from 9 down to 3.
	eq(t, "step", yw.Step, 0.5)
	eq(t, "rows", len(yw.Rows), 13)
	eq(t, "first", yw.Rows[0], DistRow{Score: 9, Count: 1, Cumulative: 1})
	eq(t, "8", yw.Rows[2], DistRow{Score: 8, Count: 2, Cumulative: 3})
	eq(t, "7.5 (empty)", yw.Rows[3], DistRow{Score: 7.5, Count: 0, Cumulative: 3})
	eq(t, "last", yw.Rows[12], DistRow{Score: 3, Count: 1, Cumulative: 6})
	sx := r.Distributions[1]
	eq(t, "whole-point step", sx.Step, 1.0)
	eq(t, "数学 rows 10…0", len(sx.Rows), 11)
	eq(t, "数学 0", sx.Rows[10], DistRow{Score: 0, Count: 1, Cumulative: 7})
	eq(t, "subject step", r.Subjects[1].Step, 1.0)

	var band *Band
	for i := range r.Bands {
		if r.Bands[i].Level == LevelExam && r.Bands[i].Subject == "语文" {
			band = &r.Bands[i]
		}
	}
	// Bands of 5: [5,10] and [0,5).
	if band == nil || len(band.Rows) != 2 {
		t.Fatalf("band %+v", band)
	}
	eq(t, "top band", band.Rows[0], BandRow{From: 5, To: 10, Count: 5, Cumulative: 5, Share: 5.0 / 6, CumShare: 5.0 / 6})
	eq(t, "bottom band count", band.Rows[1].Count, 1)
	near(t, "cum share", band.Rows[1].CumShare, 1)
}

func TestTeachers(t *testing.T) {
	b := NewBuilder(2)
	for _, r := range small {
		b.Add(Student{ID: r.id, Name: "学生" + r.id, School: r.school, Group: r.group, Class: r.class,
			Scores: []int32{code(t, r.yw), code(t, r.sx)}})
	}
	for _, a := range []Assignment{
		{School: "甲校", Class: "1班", Subject: "语文", Teacher: "张老师"},
		{School: "甲校", Class: "2班", Subject: "语文", Teacher: "张老师"},
		{School: "乙校", Class: "1班", Subject: "语文", Teacher: "李老师"},
		{School: "甲校", Class: "1班", Subject: "数学", Teacher: "王老师"},
		{School: "丁校", Class: "1班", Subject: "语文", Teacher: "赵老师"},
	} {
		b.Teach(a)
	}
	r := analyze(t, smallExam(nil), b.Data())
	z := find(t, r, LevelTeacher, "张老师", "", "语文")
	eq(t, "n", z.N, 5)
	near(t, "mean", z.Mean, 7.3)
	near(t, "贡献值 (vs exam)", z.Diff, 7.3-39.5/6)
	eq(t, "school", z.School, "甲校")
	eq(t, "classes", z.Class, "1班、2班")
	eq(t, "rank among 语文 teachers", z.Rank, 1)
	l := find(t, r, LevelTeacher, "李老师", "", "语文")
	eq(t, "rank", l.Rank, 2)
	eq(t, "small n", l.SmallN, true)
	w := find(t, r, LevelTeacher, "王老师", "", "数学")
	eq(t, "数学 n (s3 absent)", w.N, 3)
	eq(t, "数学 absent", w.Absent, 1)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "丁校") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

func TestInferredLead(t *testing.T) {
	r := analyze(t, smallExam(nil), smallData(t, small))
	if r.Groups[0].Lead != "甲校" || !r.Groups[0].LeadInferred {
		t.Errorf("groups %+v", r.Groups)
	}
	e := smallExam(nil)
	e.Groups = []GroupLead{{Name: "一集团", Lead: "不存在的学校"}}
	r = analyze(t, e, smallData(t, small))
	if !r.Groups[0].LeadInferred || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "“不存在的学校”") {
		t.Errorf("a lead not in the exam: %+v %q", r.Groups, r.Warnings)
	}
	// A lead given by code is named in the warning by its name too.
	e.Groups = []GroupLead{{Name: "一集团", Lead: "3134036912", LeadName: "榴城中学"}}
	r = analyze(t, e, smallData(t, small))
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "“榴城中学（3134036912）”") {
		t.Errorf("warning %q", r.Warnings)
	}
}

func TestItems(t *testing.T) {
	e := &Exam{Name: "小题", Subjects: []Subject{{Name: "数学", Full: 6}}, Settings: DefaultSettings()}
	e.Settings.DiscriminationShare = 0.4
	e.Papers = []Paper{{Subject: "数学", Items: []Item{
		{No: "1", Full: 2}, {No: "2", Full: 3}, {No: "3", Type: "单选", Full: 1, Key: "A"},
	}}}
	b := NewBuilder(1)
	// item1 item2 answer → total 6 5 3 2 0, plus an absent student.
	rows := []struct {
		i1, i2 float64
		ans    string
	}{{2, 3, "A"}, {2, 2, "A"}, {1, 2, "B"}, {0, 1, "a"}, {0, 0, ""}}
	ps := PaperScores{Subject: "数学", Scores: make([][]int32, 3), Answers: make([][]string, 3)}
	for k, r := range rows {
		tot, _ := HalfPoints(r.i1 + r.i2 + float64(ScoreAnswer(e.Papers[0].Items[2], r.ans))/2)
		b.Add(Student{ID: string(rune('a' + k)), School: "甲校", Class: "1班", Scores: []int32{tot}})
		h1, _ := HalfPoints(r.i1)
		h2, _ := HalfPoints(r.i2)
		ps.Scores[0] = append(ps.Scores[0], h1)
		ps.Scores[1] = append(ps.Scores[1], h2)
		ps.Answers[2] = append(ps.Answers[2], r.ans)
	}
	b.Add(Student{ID: "absent", School: "甲校", Class: "1班", Scores: []int32{Absent}})
	ps.Scores[0] = append(ps.Scores[0], NoScore)
	ps.Scores[1] = append(ps.Scores[1], NoScore)
	ps.Answers[2] = append(ps.Answers[2], "")
	ps.Scores[2] = nil // scored from the answers
	ps.Answers[0], ps.Answers[1] = nil, nil
	d := b.Data()
	d.Papers = []PaperScores{ps}
	r := analyze(t, e, d)
	p := r.Papers[0]
	eq(t, "n", p.N, 5)
	eq(t, "incomplete", p.Incomplete, 1)
	near(t, "mean", p.Mean, 3.2)
	// α = 3/2·(1 − (1 + 1.3 + 0.3)/5.7).
	near(t, "alpha", p.Alpha, 0.8157895)
	near(t, "P1", p.Items[0].Difficulty, 0.5)
	near(t, "P2", p.Items[1].Difficulty, 1.6/3)
	near(t, "P3", p.Items[2].Difficulty, 0.6)
	// Top 2 (totals 6, 5) against bottom 2 (2, 0).
	near(t, "D1", p.Items[0].Discrimination, 1)
	near(t, "D2", p.Items[1].Discrimination, 2.0/3)
	near(t, "D3", p.Items[2].Discrimination, 0.5)
	eq(t, "verdict", p.Items[2].Verdict, "很好")
	near(t, "item-rest 3", p.Items[2].ItemRest, 0.4842517)
	opts := p.Items[2].Options
	if len(opts) != 3 || opts[0].Option != "A" || opts[0].Count != 3 || !opts[0].Correct ||
		opts[1].Option != "B" || opts[1].Count != 1 || opts[2].Option != "未作答" {
		t.Errorf("options %+v", opts)
	}
	near(t, "share A", opts[0].Share, 0.6)
}

func TestScoreAnswerAndVerdict(t *testing.T) {
	it := Item{Full: 4, Key: "ACD", Partial: 2}
	for ans, want := range map[string]int32{"ACD": 8, "dca": 8, "AC": 4, "A": 4, "AB": 0, "ABCD": 0, "": 0} {
		eq(t, "score "+ans, ScoreAnswer(it, ans), want)
	}
	for d, want := range map[float64]string{0.45: "很好", 0.4: "很好", 0.35: "良好", 0.25: "尚可，需修改", 0.1: "较差，应淘汰或修改"} {
		eq(t, "verdict", Verdict(d), want)
	}
}

func TestValueAddedAndGap(t *testing.T) {
	e := &Exam{Name: "期中", Subjects: []Subject{{Name: "语文", Full: 10}}, Settings: DefaultSettings()}
	build := func(scores []float64) *Data {
		b := NewBuilder(1)
		for i, s := range scores {
			h, _ := HalfPoints(s)
			class := "1班"
			if i >= 2 {
				class = "2班"
			}
			b.Add(Student{ID: []string{"a", "b", "c", "d"}[i], School: "甲校", Class: class, Scores: []int32{h}})
		}
		return b.Data()
	}
	prev := analyze(t, e, build([]float64{2, 4, 6, 8}))
	e2 := *e
	e2.Name = "期末"
	cur := analyze(t, &e2, build([]float64{3, 5, 5, 9}))
	va := ValueAdded(prev, cur)
	var sub VASubject
	for _, s := range va.Subjects {
		if s.Subject == "语文" {
			sub = s
		}
	}
	eq(t, "matched", sub.Matched, 4)
	// Both sides are Z scores, so the slope is the correlation 18/√380.
	near(t, "slope", sub.Slope, 0.9233805)
	near(t, "intercept", sub.Intercept, 0)
	res := va.Students.Residual[0]
	for i, want := range []float64{0.0794719, 0.1589439, -0.5563036, 0.3178878} {
		near(t, "residual", float64(res[i]), want)
	}
	unit := func(level, class string) VAUnit {
		for _, u := range va.Units {
			if u.Level == level && u.Class == class && u.Subject == "语文" {
				return u
			}
		}
		t.Fatalf("no unit %s %s", level, class)
		return VAUnit{}
	}
	c1 := unit(LevelClass, "1班")
	eq(t, "class n", c1.N, 2)
	near(t, "class value", c1.Value, 0.1192079)
	near(t, "class value in T", c1.ValueT, 1.192079)
	near(t, "class se", c1.SE, 0.0397360)
	eq(t, "small n", c1.SmallN, true)
	near(t, "exam value", unit(LevelExam, "").Value, 0)
	// Rank change: a 4→4, b 3→2 (5 ties with c), c 2→2, d 1→1.
	rc := va.Students.RankChange[0]
	for i, want := range []int32{0, 1, 0, 0} {
		eq(t, "rank change", rc[i], want)
	}
	near(t, "z change of c", float64(va.Students.ZChange[0][2]), -0.5859782)

	zc := *cur
	zc.Settings.ValueAdded = "z_change"
	va2 := ValueAdded(prev, &zc)
	for _, u := range va2.Units {
		if u.Level == LevelClass && u.Class == "1班" && u.Subject == "语文" {
			near(t, "z_change model", u.Value, (0.1684957+0.1886185)/2)
		}
	}

	slope, change := trend([]float64{10, 8, math.NaN(), 4})
	// Points (0,10) (1,8) (3,4): slope −2, change −6.
	near(t, "trend slope", slope, -2)
	near(t, "trend change", change, -6)
	near(t, "one point", func() float64 { s, _ := trend([]float64{3}); return s }(), math.NaN())
}

func TestGapTrend(t *testing.T) {
	mk := func(name string, b float64) *Report {
		e := smallExam(nil)
		e.Name = name
		e.Groups = []GroupLead{{Name: "一集团", Lead: "甲校"}}
		rows := append([]row{}, small...)
		rows[6].yw = jsonNum(b)
		return analyze(t, e, smallData(t, rows))
	}
	rs := []*Report{mk("一", 3), mk("二", 5), mk("三", 7)}
	gs := GapTrend(rs, "语文")
	var b *GapSeries
	for i := range gs {
		if gs[i].School == "乙校" {
			b = &gs[i]
		}
	}
	if b == nil || b.Lead != "甲校" || len(b.Gaps) != 3 {
		t.Fatalf("series %+v", gs)
	}
	for i, r := range rs {
		near(t, "gap", b.Gaps[i], find(t, r, LevelSchool, "乙校", "", "语文").GapToLead)
	}
	if !(b.Gaps[0] > b.Gaps[1] && b.Gaps[1] > b.Gaps[2]) || !b.Closing || !(b.Slope < 0) {
		t.Errorf("乙校 catches up: %+v", b)
	}
	for _, g := range gs {
		if g.School == "甲校" {
			t.Errorf("the lead has no gap series")
		}
	}
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestValidate(t *testing.T) {
	bad := []func(*Exam){
		func(e *Exam) { e.Subjects = nil },
		func(e *Exam) { e.Subjects[0].Full = 0 },
		func(e *Exam) { e.Subjects[0].Full = 10.3 },
		func(e *Exam) { e.Subjects[1].Name = "语文" },
		func(e *Exam) { e.Subjects[1].Name = TotalName },
		func(e *Exam) { e.Settings.SD = "both" },
		func(e *Exam) { e.Settings.Rank = "olympic" },
		func(e *Exam) { e.Settings.LineMode = "guess" },
		func(e *Exam) { e.Settings.ExcellentPct = 120 },
		func(e *Exam) { e.Settings.PassPct = 90 },
		func(e *Exam) { e.Settings.Tiers = []float64{25, 15} },
		func(e *Exam) { e.Settings.TSD = 0 },
		func(e *Exam) { e.Settings.BinWidth = 0 },
		func(e *Exam) { e.Settings.DiscriminationShare = 0.8 },
		func(e *Exam) { e.Subjects[0].Lines = &Lines{Excellent: 5, Pass: 8} },
		func(e *Exam) { e.Papers = []Paper{{Subject: "物理", Items: []Item{{No: "1", Full: 1}}}} },
	}
	for i, mod := range bad {
		e := smallExam(nil)
		mod(e)
		err := e.Validate()
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if msg := Describe(err); strings.Contains(msg, "exam.") {
			t.Errorf("case %d: message without text: %s", i, msg)
		}
	}
	if err := smallExam(nil).Validate(); err != nil {
		t.Errorf("the default exam: %v", err)
	}
	// Data that does not fit the exam is refused before any histogram.
	d := smallData(t, small)
	d.Scores[0][0] = 21 // 10.5 of 10
	if _, err := Analyze(smallExam(nil), d); err == nil {
		t.Errorf("score above full marks accepted")
	}
	d = smallData(t, small)
	d.Scores = d.Scores[:1]
	if _, err := Analyze(smallExam(nil), d); err == nil {
		t.Errorf("missing score column accepted")
	}
}

func TestJSON(t *testing.T) {
	d := smallData(t, small)
	r := analyze(t, smallExam(nil), d)
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf, true, Extra{Key: "gap_trend", Value: GapTrend([]*Report{r}, TotalName)}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Settings map[string]any   `json:"settings"`
		Stats    []map[string]any `json:"stats"`
		Dist     []struct {
			Subject string
			Rows    []map[string]float64
		} `json:"distributions"`
		Students []struct {
			ID       string `json:"id"`
			Subjects []map[string]any
		} `json:"students"`
		GapTrend []any `json:"gap_trend"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, buf.String()[:min(buf.Len(), 2000)])
	}
	if out.Settings["rank"] != "competition" || out.Settings["sd"] != "sample" {
		t.Errorf("settings %v", out.Settings)
	}
	for _, k := range []string{"level", "group", "school", "class", "teacher", "subject", "n", "absent", "mean", "sd", "min", "max",
		"median", "excellent_rate", "good_rate", "pass_rate", "low_rate", "t_score"} {
		if _, ok := out.Stats[0][k]; !ok {
			t.Errorf("stats row without %s", k)
		}
	}
	if out.Stats[0]["subject"] != "语文" || out.Stats[0]["mean"] != 6.5833 {
		t.Errorf("first row %v", out.Stats[0])
	}
	// The empty class prints null, not NaN.
	for _, st := range out.Stats {
		if st["level"] == "class" && st["school"] == "丙校" && st["mean"] != nil {
			t.Errorf("empty class mean %v", st["mean"])
		}
	}
	if len(out.Students) != 9 || out.Students[0].Subjects[0]["exam_rank"] != 1.0 || out.Students[8].Subjects[0]["status"] != "缺考" {
		t.Errorf("students %+v", out.Students)
	}
	if len(out.Dist) != 3 || out.Dist[0].Rows[0]["cumulative"] != 1 {
		t.Errorf("distributions %+v", out.Dist)
	}
	// Report.MarshalJSON (for callers that use encoding/json) agrees, and
	// the parts marshal alone with null for NaN.
	b, err := json.Marshal(r)
	if err != nil || !json.Valid(b) {
		t.Fatalf("json.Marshal: %v", err)
	}
	parts := []any{r.Stats, r.Subjects, r.TierLines, r.Bands, r.Balance, r.Papers, GapTrend([]*Report{r}, "语文")}
	for _, p := range parts {
		if b, err := json.Marshal(p); err != nil || !json.Valid(b) {
			t.Errorf("json.Marshal(%T): %v", p, err)
		}
	}
	if b, _ := json.Marshal(find(t, r, LevelClass, "丙校", "1班", "语文")); !strings.Contains(string(b), `"mean":null`) {
		t.Errorf("NaN mean: %s", b)
	}
	if s := string(appendString(nil, "a\"b\\\n\x01\xff")); s != `"a\"b\\\n\u0001\ufffd"` {
		t.Errorf("appendString = %s", s)
	}
}

// failAfter accepts k writes, then fails.
type failAfter struct{ k int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.k == 0 {
		return 0, errors.New("disk full")
	}
	f.k--
	return len(p), nil
}

func TestWriteOrdered(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	enc := func(b []byte, i int) []byte { return strconv.AppendInt(append(b, ' '), int64(i), 10) }
	var want []byte
	const n = 10*chunkRows + 17
	for i := range n {
		want = enc(want, i)
	}
	var buf bytes.Buffer
	if err := writeOrdered(&buf, n, enc); err != nil || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("out of order or lost: err %v, %d bytes of %d", err, buf.Len(), len(want))
	}
	// A failing writer: the error comes back and no worker is left waiting.
	if err := writeOrdered(&failAfter{k: 3}, n, enc); err == nil || err.Error() != "disk full" {
		t.Errorf("write error: %v", err)
	}
	buf.Reset()
	if err := writeOrdered(&buf, 0, enc); err != nil || buf.Len() != 0 {
		t.Errorf("empty: %v %q", err, buf.String())
	}
}

// The parallel JSON writer gives byte for byte what one core gives, for a
// report with many chunks of stat rows and students.
func TestJSONParallelSameAsSerial(t *testing.T) {
	e := &Exam{Name: "多班", Subjects: []Subject{{Name: "语文", Full: 100}, {Name: "数学", Full: 100}}, Settings: DefaultSettings()}
	b := NewBuilder(2)
	for i := range 6000 {
		b.Add(Student{ID: fmt.Sprintf("S%05d", i), Name: "学生", School: fmt.Sprint("校", i%40), Class: fmt.Sprint(i%37, "班"),
			Scores: []int32{int32(i * 7 % 201), int32(i * 13 % 201)}})
	}
	r := analyze(t, e, b.Data())
	if len(r.Stats) < 3*chunkRows {
		t.Fatalf("only %d stat rows", len(r.Stats))
	}
	write := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf, true); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	one, four := write(1), write(4)
	if !bytes.Equal(one, four) {
		t.Fatalf("parallel output differs: %d vs %d bytes", len(one), len(four))
	}
	var out struct {
		Stats    []map[string]any `json:"stats"`
		Students []struct {
			ID string `json:"id"`
		} `json:"students"`
	}
	if err := json.Unmarshal(four, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Stats) != len(r.Stats) || len(out.Students) != 6000 || out.Students[5999].ID != "S05999" {
		t.Errorf("stats %d of %d, students %d", len(out.Stats), len(r.Stats), len(out.Students))
	}
}

// appendFloat's fixed-point path prints what the shortest form of the
// value rounded to four decimals prints.
func TestAppendFloat(t *testing.T) {
	ref := func(f float64) string {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "null"
		}
		if r := math.Round(f * 1e4); !math.IsInf(r, 0) {
			f = r / 1e4
		}
		if f == 0 {
			return "0"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	cases := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 6.58333, -6.58333, 0.00004, 0.00005, -0.00005, 0.1, 0.0001, 12.3, 100, 1e14, 123456789.12345,
		-0.99995, 59.99995, 1e17, 5e17, 1e20, 1e300, math.NaN(), math.Inf(1), math.Inf(-1), 1.0 / 3, 2.0 / 3, 99.995, 0.30000000000000004}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200000 {
		cases = append(cases, (rng.Float64()-0.5)*math.Pow(10, float64(rng.IntN(16))))
	}
	for _, f := range cases {
		if got, want := string(appendFloat(nil, f)), ref(f); got != want {
			t.Fatalf("appendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}
