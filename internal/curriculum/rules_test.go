package curriculum

import (
	"testing"

	"edugroup/internal/errs"
	"edugroup/internal/policy"
)

func lessonsFor(class string, grade int, subject string, n int, staff int64) []Lesson {
	out := make([]Lesson, n)
	for i := range out {
		out[i] = Lesson{Class: class, Grade: grade, Weekday: i%5 + 1, Period: i/5 + 1, Subject: subject, StaffID: staff, Teacher: "T"}
	}
	return out
}

func findings(fs []Finding, rule, subject string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule && f.Subject == subject {
			out = append(out, f)
		}
	}
	return out
}

// Each check rule at its boundary: the marks √ / +x / −x / 0, opening
// grades with 英语's optional grades 1–2, the fixed minimums and the
// qualified teacher.
func TestCheckRules(t *testing.T) {
	p := Anhui()
	subjects := map[int64]string{1: "音乐", 2: "语文", 3: "体育与健康", 4: "信息科技", 5: "劳动"}
	var ls []Lesson
	ls = append(ls, lessonsFor("三(1)", 3, "音乐", 2, 1)...)    // plan 2: √
	ls = append(ls, lessonsFor("三(2)", 3, "音乐", 3, 1)...)    // +1
	ls = append(ls, lessonsFor("三(3)", 3, "音乐", 1, 1)...)    // −1, short
	ls = append(ls, lessonsFor("三(3)", 3, "英语", 2, 2)...)    // taught by a 语文 teacher
	ls = append(ls, lessonsFor("一(1)", 1, "体育与健康", 3, 3)...) // plan and minimum 4
	ls = append(ls, lessonsFor("二(1)", 2, "信息科技", 1, 4)...)  // not opened in grade 2
	ls = append(ls, lessonsFor("二(1)", 2, "劳动", 1, 5)...)    // minimum 1: met
	classes, rows, fs, counts := evaluate(p, ls, subjects)
	if len(classes) != 5 || classes[0].Name != "一(1)" {
		t.Fatalf("classes %+v", classes)
	}
	mark := func(subject, class string) string {
		for _, r := range rows {
			if r.Subject == subject {
				for i, c := range classes {
					if c.Name == class {
						return r.Cells[i].Mark
					}
				}
			}
		}
		return "?"
	}
	for _, c := range []struct{ subject, class, want string }{
		{"音乐", "三(1)", "√"}, {"音乐", "三(2)", "+1"}, {"音乐", "三(3)", "−1"}, {"音乐", "一(1)", "0"},
		{"英语", "一(1)", ""}, {"英语", "三(3)", "√"}, {"英语", "三(1)", "0"}, {"信息科技", "二(1)", "+1"}, {"劳动", "二(1)", "√"},
	} {
		if got := mark(c.subject, c.class); got != c.want {
			t.Errorf("%s %s: mark %q, want %q", c.subject, c.class, got, c.want)
		}
	}
	if f := findings(fs, RuleShort, "音乐"); len(f) != 1 || f[0].Class != "三(3)" || f[0].Planned != 2 || f[0].Actual != 1 {
		t.Errorf("short 音乐: %+v", f)
	}
	if f := findings(fs, RuleNotOffered, "英语"); len(f) != 2 { // 三(1), 三(2); not 一(1), 二(1)
		t.Errorf("英语 not offered: %+v", f)
	}
	if f := findings(fs, RuleUnqualified, "英语"); len(f) != 1 || f[0].Lessons != 2 {
		t.Errorf("unqualified 英语: %+v", f)
	}
	if f := findings(fs, RuleUnqualified, "音乐"); len(f) != 0 {
		t.Errorf("音乐 taught by its teacher flagged: %+v", f)
	}
	if f := findings(fs, RuleMinimum, "体育与健康"); len(f) != 5 || f[0].Class != "一(1)" || f[0].Minimum != 4 || f[0].Actual != 3 || f[2].Minimum != 3 {
		t.Errorf("体育 minimum: %+v", f)
	}
	if f := findings(fs, RuleShort, "体育与健康"); len(f) != 1 {
		t.Errorf("体育 short: %+v", f)
	}
	if f := findings(fs, RuleOutside, "信息科技"); len(f) != 1 || f[0].Grade != 2 {
		t.Errorf("信息科技 in grade 2: %+v", f)
	}
	if f := findings(fs, RuleMinimum, "劳动"); len(f) != 4 { // 三(1..3), 一(1) have none; 二(1) has 1
		t.Errorf("劳动 minimum: %+v", f)
	}
	if counts.Total() != len(fs) {
		t.Errorf("counts %+v vs %d findings", counts, len(fs))
	}
}

// A bad timetable is refused cell by cell: unknown and ambiguous names, a
// teacher in two classes at once, a class twice in a slot, a period or
// weekday out of range, a subject not in the plan, a class changing grade.
func TestCheckLessons(t *testing.T) {
	cfg := policy.Defaults().Curriculum
	teachers := []Teacher{{1, "王芳", "语文"}, {2, "李强", "数学"}, {3, "张伟", "英语"}, {4, "张伟", "体育与健康"}}
	ls := []Lesson{
		{Class: "三(1)", Grade: 3, Weekday: 1, Period: 1, Subject: "语文", Teacher: "王芳"},
		{Class: "三(2)", Grade: 3, Weekday: 1, Period: 1, Subject: "语文", Teacher: "王芳"}, // double-booked
		{Class: "三(1)", Grade: 3, Weekday: 1, Period: 1, Subject: "数学", Teacher: "李强"}, // slot taken
		{Class: "三(1)", Grade: 3, Weekday: 1, Period: 9, Subject: "数学", Teacher: "李强"}, // period 9 > 8
		{Class: "三(1)", Grade: 3, Weekday: 6, Period: 2, Subject: "数学", Teacher: "李强"}, // Saturday
		{Class: "三(1)", Grade: 3, Weekday: 2, Period: 1, Subject: "书法", Teacher: "李强"}, // not in the plan
		{Class: "三(1)", Grade: 3, Weekday: 2, Period: 2, Subject: "英语", Teacher: "赵六"}, // unknown
		{Class: "三(1)", Grade: 3, Weekday: 2, Period: 3, Subject: "英语", Teacher: "张伟"}, // two of that name
		{Class: "三(1)", Grade: 4, Weekday: 2, Period: 4, Subject: "数学", Teacher: "李强"}, // grade changes
		{Class: "三(1)", Grade: 3, Weekday: 1, Period: 8, Subject: "数学", Teacher: "李强"}, // fine: the last period
		{Class: "三(1)", Grade: 3, Weekday: 5, Period: 2, Subject: "英语", StaffID: 3},    // fine: chosen by id
	}
	ps := checkLessons(ls, teachers, Anhui(), cfg)
	want := map[int]string{1: RuleTeacherDouble, 2: RuleSlotDouble, 3: RulePeriodRange, 4: RuleWeekdayRange, 5: RuleSubjectUnknown,
		6: RuleTeacherUnknown, 7: RuleTeacherAmbiguous, 8: RuleClassGrade}
	got := map[int]string{}
	for _, p := range ps {
		got[p.index] = p.key
	}
	for i, k := range want {
		if got[i] != k {
			t.Errorf("row %d: %q, want %q", i, got[i], k)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("problems %+v", ps)
	}
	if ls[0].StaffID != 1 || ls[10].Teacher != "张伟" {
		t.Errorf("teachers not resolved: %+v %+v", ls[0], ls[10])
	}
	if ps[0].args["row"] != 1 {
		t.Errorf("double booking names row %v, want 1", ps[0].args["row"])
	}
}

func TestCompareSpot(t *testing.T) {
	ls := []Lesson{{Class: "三(1)", Weekday: 2, Period: 3, Subject: "音乐", Teacher: "王芳"}}
	cases := []struct {
		in        SpotInput
		weekday   int
		published bool
		want      string
	}{
		{SpotInput{Class: "三(1)", Period: 3, ObservedSubject: "音乐", ObservedTeacher: "王芳"}, 2, true, SpotMatch},
		{SpotInput{Class: "三(1)", Period: 3, ObservedSubject: "音乐", ObservedTeacher: "李强"}, 2, true, SpotOtherTeacher},
		{SpotInput{Class: "三(1)", Period: 3, ObservedSubject: "数学"}, 2, true, SpotOtherSubject},
		{SpotInput{Class: "三(1)", Period: 3, ObservedSubject: "音乐"}, 3, true, SpotNotOnTimetable},
		{SpotInput{Class: "三(1)", Period: 3, ObservedSubject: "音乐"}, 2, false, SpotNoTimetable},
	}
	for _, c := range cases {
		if got, _, _ := compareSpot(ls, c.published, c.weekday, c.in); got != c.want {
			t.Errorf("%+v on %d: %s, want %s", c.in, c.weekday, got, c.want)
		}
	}
}

func TestTerms(t *testing.T) {
	cfg := policy.Defaults().Curriculum
	if d := TermStart(cfg, "2026-2027-1"); d.String() != "2026-09-01" {
		t.Errorf("term 1 starts %s", d)
	}
	if d := TermStart(cfg, "2026-2027-2"); d.String() != "2027-03-01" {
		t.Errorf("term 2 starts %s", d)
	}
	if d := TermEnd(cfg, "2026-2027-1"); d.String() != "2027-02-28" {
		t.Errorf("term 1 ends %s", d)
	}
	for _, s := range []string{"2026-2027-1", "2026-2027-2"} {
		if !ValidTerm(s) {
			t.Errorf("%s invalid", s)
		}
	}
	for _, s := range []string{"2026-2028-1", "2026-2027-3", "2026"} {
		if ValidTerm(s) {
			t.Errorf("%s valid", s)
		}
	}
}

// The kindergarten day: outdoor ≥ 120 min (boarders 180), outdoor physical
// ≥ 60, group activities up to 15 / 20 / 25 min by age group.
func TestKindergartenDay(t *testing.T) {
	rules := Anhui().Kindergarten
	day := []DayItem{
		{"08:00", "08:30", "meal", "早餐"},
		{"08:30", "09:30", "physical", "户外体育"},
		{"09:30", "09:50", "group", "语言"},
		{"10:00", "11:00", "outdoor", "户外游戏"},
		{"11:00", "12:00", "meal", "午餐"},
	}
	d, err := checkDay(rules, "middle", false, day)
	if err != nil || len(d.Findings) != 0 || d.OutdoorMinutes != 120 || d.PhysicalMinutes != 60 {
		t.Fatalf("a day at the limits: %v %+v", err, d)
	}
	if d, _ := checkDay(rules, "small", false, day); len(d.Findings) != 1 || d.Findings[0].Rule != RuleKGActivity || d.Findings[0].Actual != 20 {
		t.Errorf("小班 20 min: %+v", d.Findings)
	}
	if d, _ := checkDay(rules, "middle", true, day); len(d.Findings) != 1 || d.Findings[0].Rule != RuleKGOutdoor || d.Findings[0].Minimum != 180 {
		t.Errorf("boarders: %+v", d.Findings)
	}
	short := append([]DayItem{}, day...)
	short[1].End = "09:29"
	if d, _ := checkDay(rules, "middle", false, short); len(d.Findings) != 2 {
		t.Errorf("59 min of PE: %+v", d.Findings)
	}
	bad := append([]DayItem{}, day...)
	bad[2].Start = "09:00"
	if _, err := checkDay(rules, "middle", false, bad); !hasField(err, "items[2].start") {
		t.Errorf("overlap: %v", err)
	}
	if _, err := checkDay(rules, "huge", false, day); !hasField(err, "level") {
		t.Errorf("level: %v", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := errs.As(err)
	if !ok {
		return false
	}
	for _, d := range e.Details {
		if d.Field == field {
			return true
		}
	}
	return false
}
