package curriculum

import (
	"encoding/json"
	"math"
	"strconv"

	"edugroup/internal/errs"
)

// Grades of compulsory education: 1–6 primary, 7–9 junior.
const Grades = 9

// Weeks is one grade's school year: new teaching, review and exams, and the
// weeks the school uses as it likes. 9522 counts only the teaching weeks.
type Weeks struct {
	Teaching int `json:"teaching"`
	Review   int `json:"review"`
	Flexible int `json:"flexible"`
}

// GradeSpec is one grade's frame: weeks, weekly lessons, lesson length.
type GradeSpec struct {
	Grade         int   `json:"grade"`
	Weeks         Weeks `json:"weeks"`
	WeeklyLessons int   `json:"weekly_lessons"`
	LessonMinutes int   `json:"lesson_minutes"`
}

// Subject is one line of the plan: its share group, the grades it opens in,
// the grades where it is optional (英语 1–2), the reference weekly lessons
// per grade (index 0 = grade 1), the fixed weekly minimum per grade, and
// the subjects whose teachers are qualified for it besides its own.
type Subject struct {
	Name       string   `json:"name"`
	Group      string   `json:"group"`
	OpenFrom   int      `json:"open_from"`
	OpenTo     int      `json:"open_to"`
	Optional   []int    `json:"optional" openapi:"nullable"`
	Weekly     []int    `json:"weekly"`
	Minimum    []int    `json:"minimum"`
	Qualified  []string `json:"qualified" openapi:"nullable"`
	AnyTeacher bool     `json:"any_teacher"` // 地方课程, 校本课程: no specialist exists
	Layer      string   `json:"layer" enum:"national,province,county"`
}

// Share is the range a subject group takes of the nine-year total, in
// tenths of a percent (60 = 6 %).
type Share struct {
	Group string `json:"group"`
	Min   int    `json:"min"`
	Max   int    `json:"max"`
}

// Kindergarten is the daily-schedule rules of 《幼儿园工作规程》.
type Kindergarten struct {
	OutdoorMinutes         int   `json:"outdoor_minutes"`
	BoardingOutdoorMinutes int   `json:"boarding_outdoor_minutes"`
	PhysicalMinutes        int   `json:"physical_minutes"`
	ActivityMinutes        []int `json:"activity_minutes"` // 小班, 中班, 大班
}

// Layer names one level of the plan and its document.
type Layer struct {
	Level string `json:"level" enum:"national,province,county"`
	Name  string `json:"name"`
	DocNo string `json:"doc_no"`
	Notes string `json:"notes"`
}

// Plan is the curriculum plan in force: the national frame, the province's
// additions and the county's overlay, merged.
type Plan struct {
	Layers       []Layer      `json:"layers"`
	Grades       []GradeSpec  `json:"grades"`
	Total        int          `json:"total"`    // 9522
	Rounding     string       `json:"rounding"` // nearest, strict
	Shares       []Share      `json:"shares"`
	Subjects     []Subject    `json:"subjects"`
	Kindergarten Kindergarten `json:"kindergarten"`
	OverlaySeq   int          `json:"overlay_seq"`
}

// The share groups (the ten rows of the national table).
const (
	GroupMoral    = "moral"    // 道德与法治
	GroupChinese  = "chinese"  // 语文
	GroupMaths    = "maths"    // 数学
	GroupForeign  = "foreign"  // 外语
	GroupHistGeo  = "hist_geo" // 历史、地理
	GroupScience  = "science"  // 科学、物理、化学、生物学
	GroupIT       = "it"       // 信息科技
	GroupPE       = "pe"       // 体育与健康
	GroupArts     = "arts"     // 艺术
	GroupPractice = "practice" // 劳动、综合实践活动、地方课程、校本课程
)

func grades(v ...int) []int { return v }

// National is 义务教育课程方案（2022年版）(教材〔2022〕2号): the weeks, the
// weekly lessons, the lesson lengths, the 9522 total and the share ranges,
// with the subjects and their opening grades.
func National() Plan {
	p := Plan{
		Layers: []Layer{{Level: "national", Name: "义务教育课程方案（2022年版）", DocNo: "教材〔2022〕2号",
			Notes: "九年总课时9522；1–8年级35周新授课、2周复习考试、2周机动；9年级33周新授课、第一学期1周与毕业复习3周、2周机动"}},
		Total: 9522, Rounding: "nearest",
		Shares: []Share{
			{GroupMoral, 60, 80}, {GroupChinese, 200, 220}, {GroupMaths, 130, 150}, {GroupForeign, 60, 80},
			{GroupHistGeo, 30, 40}, {GroupScience, 80, 100}, {GroupIT, 10, 30}, {GroupPE, 100, 110},
			{GroupArts, 90, 110}, {GroupPractice, 140, 180},
		},
		Kindergarten: Kindergarten{OutdoorMinutes: 120, BoardingOutdoorMinutes: 180, PhysicalMinutes: 60, ActivityMinutes: []int{15, 20, 25}},
	}
	for g := 1; g <= Grades; g++ {
		gs := GradeSpec{Grade: g, Weeks: Weeks{Teaching: 35, Review: 2, Flexible: 2}, WeeklyLessons: 26, LessonMinutes: 40}
		switch {
		case g >= 7:
			gs.WeeklyLessons, gs.LessonMinutes = 34, 45
		case g >= 3:
			gs.WeeklyLessons = 30
		}
		if g == 9 {
			gs.Weeks = Weeks{Teaching: 33, Review: 1 + 3, Flexible: 2}
		}
		p.Grades = append(p.Grades, gs)
	}
	sub := func(name, group string, from, to int) Subject {
		return Subject{Name: name, Group: group, OpenFrom: from, OpenTo: to, Weekly: make([]int, Grades), Minimum: make([]int, Grades), Layer: "national"}
	}
	p.Subjects = []Subject{
		sub("道德与法治", GroupMoral, 1, 9), sub("语文", GroupChinese, 1, 9), sub("数学", GroupMaths, 1, 9),
		sub("英语", GroupForeign, 3, 9), sub("历史", GroupHistGeo, 7, 9), sub("地理", GroupHistGeo, 7, 9),
		sub("科学", GroupScience, 1, 6), sub("物理", GroupScience, 7, 9), sub("化学", GroupScience, 7, 9), sub("生物学", GroupScience, 7, 9),
		sub("信息科技", GroupIT, 3, 8), sub("体育与健康", GroupPE, 1, 9), sub("音乐", GroupArts, 1, 9), sub("美术", GroupArts, 1, 9),
		sub("劳动", GroupPractice, 1, 9), sub("综合实践活动", GroupPractice, 1, 9), sub("校本课程", GroupPractice, 1, 9),
	}
	for i := range p.Subjects {
		s := &p.Subjects[i]
		switch s.Name {
		case "英语":
			s.Optional = grades(1, 2) // 1–2: optional, oral only; a 0 there is no gap
		case "体育与健康":
			for g := 1; g <= Grades; g++ { // 1–2: 4 a week; 3–9: 3
				s.Minimum[g-1] = 3
				if g <= 2 {
					s.Minimum[g-1] = 4
				}
			}
		case "信息科技":
			for g := 3; g <= 8; g++ {
				s.Minimum[g-1] = 1
			}
		case "校本课程":
			s.AnyTeacher = true
		case "劳动":
			s.Qualified = []string{"综合实践活动"}
		case "综合实践活动":
			s.Qualified = []string{"劳动"}
		case "生物学":
			s.Qualified = []string{"生物"}
		}
	}
	return p
}

// weeklyDefault is Anhui's reference weekly table by grade 1–9, each row
// summing to the grade's 26 / 30 / 34 with every subject group inside its
// share of 9522 (see the test).
var weeklyDefault = map[string][]int{
	"道德与法治":  {2, 2, 2, 2, 2, 2, 2, 2, 2},
	"语文":     {8, 8, 7, 7, 6, 6, 6, 5, 5},
	"数学":     {4, 4, 5, 5, 5, 5, 4, 4, 4},
	"英语":     {0, 0, 2, 2, 2, 2, 4, 4, 4},
	"历史":     {0, 0, 0, 0, 0, 0, 2, 2, 2},
	"地理":     {0, 0, 0, 0, 0, 0, 2, 2, 0},
	"科学":     {1, 1, 2, 2, 2, 2, 0, 0, 0},
	"物理":     {0, 0, 0, 0, 0, 0, 0, 3, 3},
	"化学":     {0, 0, 0, 0, 0, 0, 0, 0, 3},
	"生物学":    {0, 0, 0, 0, 0, 0, 2, 2, 0},
	"信息科技":   {0, 0, 1, 1, 1, 1, 1, 1, 0},
	"体育与健康":  {4, 4, 3, 3, 3, 3, 3, 3, 3},
	"音乐":     {2, 2, 2, 2, 2, 2, 1, 1, 1},
	"美术":     {2, 2, 2, 2, 2, 2, 1, 1, 1},
	"劳动":     {1, 1, 1, 1, 1, 1, 1, 1, 1},
	"综合实践活动": {1, 1, 1, 1, 1, 1, 1, 1, 1},
	"地方课程":   {0, 0, 1, 1, 1, 1, 1, 1, 0},
	"校本课程":   {1, 1, 1, 1, 2, 2, 3, 1, 4},
}

// Anhui is the provincial default: 皖教基〔2023〕5号 adds 地方课程 (grades
// 3–8, 1–2 a week), 劳动 at least 1 lesson a week, and a reference weekly
// table; lessons may move between grades of one 学段.
func Anhui() Plan {
	p := National()
	p.Layers = append(p.Layers, Layer{Level: "province", Name: "安徽省义务教育课程实施办法", DocNo: "皖教基〔2023〕5号",
		Notes: "地方课程（生活教育、热爱家乡、科技创新、学段衔接）3–8年级每周1–2课时；劳动每周不少于1课时；1年级、7年级第一学期为入学适应期；学段内可调整各年级课时"})
	local := Subject{Name: "地方课程", Group: GroupPractice, OpenFrom: 3, OpenTo: 8, Weekly: make([]int, Grades), Minimum: make([]int, Grades), AnyTeacher: true, Layer: "province"}
	for g := 3; g <= 8; g++ {
		local.Minimum[g-1] = 1
	}
	// 地方课程 goes before 校本课程, as the province lists it.
	n := len(p.Subjects)
	p.Subjects = append(p.Subjects[:n-1], local, p.Subjects[n-1])
	for i := range p.Subjects {
		s := &p.Subjects[i]
		copy(s.Weekly, weeklyDefault[s.Name])
		if s.Name == "劳动" {
			for g := 1; g <= Grades; g++ {
				s.Minimum[g-1] = 1
			}
		}
	}
	return p
}

// Override is one change the county makes to the provincial default: a
// subject's reference weekly lessons or fixed minimum in one grade.
type Override struct {
	Subject string `json:"subject"`
	Grade   int    `json:"grade"`
	Weekly  *int   `json:"weekly,omitempty"`
	Minimum *int   `json:"minimum,omitempty"`
}

// Overlay is the county's layer, saved as a version.
type Overlay struct {
	Rounding  string     `json:"rounding"`
	Overrides []Override `json:"overrides"`
	Note      string     `json:"note"`
}

// Apply merges an overlay onto the provincial plan and checks the result:
// every grade's weekly lessons still add up and every share group stays in
// its range. Problems name the override or rule.
func Apply(base Plan, o Overlay, seq int) (Plan, error) {
	p := clonePlan(base)
	var f errs.Fields
	if o.Rounding != "" {
		if o.Rounding != "nearest" && o.Rounding != "strict" {
			f.Add("rounding", "curriculum.rounding", nil)
		}
		p.Rounding = o.Rounding
	}
	for i, ov := range o.Overrides {
		field := "overrides[" + strconv.Itoa(i) + "]"
		si := p.subjectIndex(ov.Subject)
		if si < 0 {
			f.Add(field+".subject", "curriculum.subject_unknown", errs.Args{"subject": ov.Subject})
			continue
		}
		if ov.Grade < 1 || ov.Grade > Grades {
			f.Add(field+".grade", "curriculum.grade_range", errs.Args{"max": Grades})
			continue
		}
		s := &p.Subjects[si]
		if ov.Weekly != nil {
			if *ov.Weekly < 0 || *ov.Weekly > 12 {
				f.Add(field+".weekly", "policy.range", errs.Args{"min": 0, "max": 12})
			} else {
				s.Weekly[ov.Grade-1] = *ov.Weekly
				s.Layer = "county"
			}
		}
		if ov.Minimum != nil {
			if *ov.Minimum < 0 || *ov.Minimum > 12 {
				f.Add(field+".minimum", "policy.range", errs.Args{"min": 0, "max": 12})
			} else {
				s.Minimum[ov.Grade-1] = *ov.Minimum
				s.Layer = "county"
			}
		}
	}
	if err := f.Err(); err != nil {
		return p, err
	}
	if seq > 0 {
		p.OverlaySeq = seq
		p.Layers = append(p.Layers, Layer{Level: "county", Name: "县级课程实施方案", Notes: o.Note})
	}
	return p, p.Validate()
}

func clonePlan(p Plan) Plan {
	b, _ := json.Marshal(p)
	var out Plan
	_ = json.Unmarshal(b, &out)
	return out
}

func (p Plan) subjectIndex(name string) int {
	for i, s := range p.Subjects {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// SubjectByName finds a subject of the plan.
func (p Plan) SubjectByName(name string) (Subject, bool) {
	if i := p.subjectIndex(name); i >= 0 {
		return p.Subjects[i], true
	}
	return Subject{}, false
}

// TeachingTotal is Σ over grades of weekly lessons × teaching weeks: 9522
// for the national frame (35 weeks in grades 1–8, 33 in grade 9).
func (p Plan) TeachingTotal() int {
	n := 0
	for _, g := range p.Grades {
		n += g.WeeklyLessons * g.Weeks.Teaching
	}
	return n
}

// Bounds is a share range in whole lessons under the plan's rounding:
// nearest rounds both ends (6 % of 9522 = 571.32 → 571), strict takes the
// lessons that lie inside the range (572).
func (p Plan) Bounds(sh Share) (lo, hi int) {
	a := float64(sh.Min) * float64(p.Total) / 1000
	b := float64(sh.Max) * float64(p.Total) / 1000
	if p.Rounding == "strict" {
		return int(math.Ceil(a - 1e-9)), int(math.Floor(b + 1e-9))
	}
	return int(math.Round(a)), int(math.Round(b))
}

// GroupLessons is a share group's nine-year lessons under the reference
// weekly table.
func (p Plan) GroupLessons(group string) int {
	n := 0
	for _, s := range p.Subjects {
		if s.Group != group {
			continue
		}
		for gi, w := range s.Weekly {
			n += w * p.Grades[gi].Weeks.Teaching
		}
	}
	return n
}

// Rules the plan's own checks name.
const (
	RuleGradeTotal = "curriculum.plan.grade_total"
	RuleShare      = "curriculum.plan.share"
	RuleTotal      = "curriculum.plan.total"
)

// Validate checks the plan's arithmetic: the grades' weekly lessons times
// teaching weeks give the total, each grade's weekly table adds up to its
// weekly lessons, and each share group lies in its range. The shares are
// ranges, not a partition: their minima add to 90 % and maxima to 110 %.
func (p Plan) Validate() error {
	var f errs.Fields
	if got := p.TeachingTotal(); got != p.Total {
		f.Add("total", RuleTotal, errs.Args{"total": p.Total, "got": got})
	}
	for gi, g := range p.Grades {
		sum := 0
		for _, s := range p.Subjects {
			sum += s.Weekly[gi]
		}
		if sum != g.WeeklyLessons {
			f.Add("grades["+strconv.Itoa(gi)+"]", RuleGradeTotal, errs.Args{"grade": g.Grade, "weekly": g.WeeklyLessons, "got": sum})
		}
	}
	for _, sh := range p.Shares {
		lo, hi := p.Bounds(sh)
		if n := p.GroupLessons(sh.Group); n < lo || n > hi {
			f.Add("shares."+sh.Group, RuleShare, errs.Args{"group": sh.Group, "lessons": n, "min": lo, "max": hi})
		}
	}
	return f.Err()
}

// Opens reports whether the subject is taught in the grade.
func (s Subject) Opens(grade int) bool { return grade >= s.OpenFrom && grade <= s.OpenTo }

// OptionalIn reports whether the subject is optional in the grade.
func (s Subject) OptionalIn(grade int) bool {
	for _, g := range s.Optional {
		if g == grade {
			return true
		}
	}
	return false
}

// QualifiedBy reports whether a teacher of staffSubject is qualified to
// teach the subject.
func (s Subject) QualifiedBy(staffSubject string) bool {
	if s.AnyTeacher || staffSubject == s.Name {
		return true
	}
	for _, q := range s.Qualified {
		if q == staffSubject {
			return true
		}
	}
	return false
}
