package curriculum

import (
	"testing"

	"edugroup/internal/errs"
)

// The 9522 total needs two week counts: 35 teaching weeks in grades 1–8 and
// 33 in grade 9; 35 throughout would give 9590.
func TestPlanTotal(t *testing.T) {
	p := National()
	if got := p.TeachingTotal(); got != 9522 {
		t.Fatalf("total %d, want 9522", got)
	}
	wrong := clonePlan(p)
	wrong.Grades[8].Weeks.Teaching = 35
	if got := wrong.TeachingTotal(); got != 9590 {
		t.Fatalf("35 weeks throughout: %d, want 9590", got)
	}
	for _, g := range p.Grades {
		if n := g.Weeks.Teaching + g.Weeks.Review + g.Weeks.Flexible; n != 39 {
			t.Errorf("grade %d: %d weeks a year, want 39", g.Grade, n)
		}
	}
	if err := Anhui().Validate(); err != nil {
		t.Fatalf("the provincial default does not add up: %v", err)
	}
	if err := wrong.Validate(); !hasRule(err, RuleTotal) {
		t.Fatalf("a 35-week grade 9 should break the total: %v", err)
	}
}

// Each share group is checked against its own range (not "sums to 100 %"),
// with the rounding deciding the edges.
func TestPlanShares(t *testing.T) {
	p := Anhui()
	want := map[string][2]int{GroupMoral: {571, 762}, GroupChinese: {1904, 2095}, GroupMaths: {1238, 1428}, GroupForeign: {571, 762},
		GroupHistGeo: {286, 381}, GroupScience: {762, 952}, GroupIT: {95, 286}, GroupPE: {952, 1047}, GroupArts: {857, 1047}, GroupPractice: {1333, 1714}}
	minSum, maxSum := 0, 0
	for _, sh := range p.Shares {
		lo, hi := p.Bounds(sh)
		if w := want[sh.Group]; lo != w[0] || hi != w[1] {
			t.Errorf("%s: %d–%d, want %d–%d", sh.Group, lo, hi, w[0], w[1])
		}
		n := p.GroupLessons(sh.Group)
		if n < lo || n > hi {
			t.Errorf("%s: %d lessons outside %d–%d", sh.Group, n, lo, hi)
		}
		minSum += sh.Min
		maxSum += sh.Max
	}
	if minSum != 900 || maxSum != 1100 {
		t.Errorf("share minima %d‰ maxima %d‰, want 900 and 1100", minSum, maxSum)
	}
	strict := clonePlan(p)
	strict.Rounding = "strict"
	if lo, _ := strict.Bounds(Share{Min: 60, Max: 80}); lo != 572 {
		t.Errorf("strict 6%% of 9522 = %d, want 572", lo)
	}
	// One more 艺术 lesson in grade 7 (and one 校本 fewer) takes 艺术 to
	// 1081 > 1047: named with its numbers.
	one, minus := 2, 2
	_, err := Apply(p, Overlay{Overrides: []Override{{Subject: "音乐", Grade: 7, Weekly: &one}, {Subject: "校本课程", Grade: 7, Weekly: &minus}}}, 1)
	if !hasRule(err, RuleShare) {
		t.Fatalf("艺术 over its share: %v", err)
	}
	// A grade that no longer adds up.
	three := 3
	if _, err := Apply(p, Overlay{Overrides: []Override{{Subject: "劳动", Grade: 1, Weekly: &three}}}, 1); !hasRule(err, RuleGradeTotal) {
		t.Fatalf("grade 1 at 28: %v", err)
	}
	// A legal overlay: 劳动 2 and 校本 0 in grade 2.
	two, zero := 2, 0
	q, err := Apply(p, Overlay{Overrides: []Override{{Subject: "劳动", Grade: 2, Weekly: &two}, {Subject: "校本课程", Grade: 2, Weekly: &zero}}}, 3)
	if err != nil || q.OverlaySeq != 3 || len(q.Layers) != 3 {
		t.Fatalf("legal overlay: %v %+v", err, q.Layers)
	}
	if s, _ := q.SubjectByName("劳动"); s.Weekly[1] != 2 || s.Layer != "county" {
		t.Fatalf("劳动 grade 2 = %d (%s)", s.Weekly[1], s.Layer)
	}
}

func TestOpeningGrades(t *testing.T) {
	p := Anhui()
	cases := []struct {
		subject string
		grade   int
		opens   bool
	}{{"英语", 2, false}, {"英语", 3, true}, {"信息科技", 2, false}, {"信息科技", 3, true}, {"信息科技", 9, false},
		{"地方课程", 3, true}, {"地方课程", 9, false}, {"历史", 6, false}, {"历史", 7, true}, {"科学", 7, false}}
	for _, c := range cases {
		s, _ := p.SubjectByName(c.subject)
		if s.Opens(c.grade) != c.opens {
			t.Errorf("%s grade %d opens=%v", c.subject, c.grade, !c.opens)
		}
	}
	if e, _ := p.SubjectByName("英语"); !e.OptionalIn(1) || e.OptionalIn(3) {
		t.Error("英语 optional in grades 1–2 only")
	}
	if pe, _ := p.SubjectByName("体育与健康"); pe.Minimum[0] != 4 || pe.Minimum[2] != 3 {
		t.Errorf("体育 minimum %v", pe.Minimum)
	}
}

func hasRule(err error, rule string) bool {
	e, ok := errs.As(err)
	if !ok {
		return false
	}
	for _, d := range e.Details {
		if d.Key == rule {
			return true
		}
	}
	return false
}
