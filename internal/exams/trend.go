package exams

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/store"
)

// StudentTrendView is one student's results across the exams the caller may
// open (学生成绩追踪), oldest first, matched by student number.
type StudentTrendView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	School string `json:"school"` // as in the exam the trend was opened from
	Code   string `json:"school_code"`
	Class  string `json:"class"`
	// Subjects are the subjects of the points in order of first appearance,
	// then 总分.
	Subjects []string      `json:"subjects"`
	Points   []TrendPoint  `json:"points"`
	Changes  []TrendChange `json:"changes"`
	// OtherName counts exams left out because the number belongs to a
	// differently named student there (a number reused by another cohort).
	OtherName int `json:"other_name"`
}

// TrendPoint is the student in one exam.
type TrendPoint struct {
	ExamID int64        `json:"exam_id"`
	Exam   string       `json:"exam"`
	Term   string       `json:"term"`
	HeldOn store.Date   `json:"held_on"`
	School string       `json:"school"`
	Code   string       `json:"school_code"`
	Class  string       `json:"class"`
	Scores []TrendScore `json:"scores"` // the exam's subjects, then 总分
}

// TrendScore is a StudentScore with the number each rank is out of.
type TrendScore struct {
	StudentScore
	ExamN   int `json:"exam_n"` // students ranked in the exam (实考)
	SchoolN int `json:"school_n"`
	ClassN  int `json:"class_n"`
}

// TrendChange is the change of a subject's percentile from the first exam in
// which the student is ranked in it to the last.
type TrendChange struct {
	Subject  string   `json:"subject"`
	Exams    int      `json:"exams"` // exams with a percentile
	FromExam int64    `json:"from_exam"`
	ToExam   int64    `json:"to_exam"`
	From     *float64 `json:"from"`
	To       *float64 `json:"to"`
	Change   *float64 `json:"change"` // percentage points; nil with fewer than two exams
}

// StudentTrend follows student number over the exams the caller may open
// that have scores: the window of at most cacheSize exams that holds exam id,
// as recent as possible, oldest first. The student must be in exam id
// within the caller's reach (else not found, like any read out of scope);
// another exam contributes a point when the number is there in a class the
// caller may see.
func (s *Service) StudentTrend(ctx context.Context, a auth.Actor, id int64, number string) (StudentTrendView, error) {
	number = strings.TrimSpace(number)
	x, v, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return StudentTrendView{}, err
	}
	if number == "" || len(number) > 64 {
		return StudentTrendView{}, errs.NotFoundError("student")
	}
	rc, err := s.reachOf(ctx, v, x)
	if err != nil {
		return StudentTrendView{}, err
	}
	c, err := s.analysed(ctx, x)
	if err != nil {
		return StudentTrendView{}, err
	}
	i, why := c.visibleStudent(number, "", rc)
	if i < 0 {
		if why == numberHidden {
			// In the exam but not the caller's: answered like a missing
			// student, and recorded after the response (as fast as a
			// missing one).
			if err := s.log.Deny(ctx, a.Who(), audit.Entry{Action: "access.denied", ObjectType: "exam", ObjectID: strconv.FormatInt(id, 10),
				Outcome: audit.Denied, Detail: map[string]any{"reason": "out_of_scope", "student": number}}); err != nil {
				return StudentTrendView{}, err
			}
		}
		return StudentTrendView{}, errs.NotFoundError("student")
	}
	who := studentRow(x, c, i)
	out := StudentTrendView{ID: who.ID, Name: who.Name, School: who.School, Code: who.Code, Class: who.Class,
		Subjects: []string{}, Points: []TrendPoint{}, Changes: []TrendChange{}}

	list, err := s.List(ctx, a, 0)
	if err != nil {
		return out, err
	}
	for _, e := range trendWindow(list, x) {
		ce, re := c, rc
		if e.ID != x.ID {
			if ce, err = s.analysed(ctx, e); err != nil {
				return out, err
			}
			if re, err = s.reachOf(ctx, v, e); err != nil {
				return out, err
			}
		}
		j, why := ce.visibleStudent(number, who.Name, re)
		if why == numberOther {
			out.OtherName++
		}
		if j < 0 {
			continue
		}
		out.Points = append(out.Points, trendPoint(e, ce, j))
	}
	out.Subjects, out.Changes = trendChanges(out.Points)
	return out, nil
}

// trendWindow picks from the exams the caller may open (newest first) those
// with scores: at most cacheSize consecutive ones holding x, as recent as
// possible, returned oldest first.
func trendWindow(list []Exam, x Exam) []Exam {
	var exams []Exam
	at := -1
	for _, e := range list {
		if e.Students == 0 {
			continue
		}
		if e.ID == x.ID {
			at = len(exams)
		}
		exams = append(exams, e)
	}
	if at < 0 { // beyond the list's 500 newest, or scored since it was read
		return []Exam{x}
	}
	from := max(0, at-cacheSize+1)
	w := slices.Clone(exams[from:min(from+cacheSize, len(exams))])
	slices.Reverse(w)
	return w
}

// trendPoint is student i of an analysed exam with the size of each ranked
// population.
func trendPoint(x Exam, c *cached, i int) TrendPoint {
	row := studentRow(x, c, i)
	r := c.report
	p := TrendPoint{ExamID: x.ID, Exam: x.Name, Term: x.Term, HeldOn: x.HeldOn, School: row.School, Code: row.Code, Class: row.Class,
		Scores: make([]TrendScore, len(row.Scores))}
	// The ranked counts are the 实考 of the exam, school and class rows.
	type unit struct{ exam, school, class int }
	n := map[string]*unit{}
	for _, sc := range row.Scores {
		n[sc.Subject] = &unit{}
	}
	for k := range r.Stats {
		st := &r.Stats[k]
		u := n[st.Subject]
		switch {
		case u == nil:
		case st.Level == analysis.LevelExam:
			u.exam = st.N
		case st.Level == analysis.LevelSchool && st.SchoolCode == row.Code:
			u.school = st.N
		case st.Level == analysis.LevelClass && st.SchoolCode == row.Code && st.Class == row.Class:
			u.class = st.N
		}
	}
	for j, sc := range row.Scores {
		u := n[sc.Subject]
		p.Scores[j] = TrendScore{StudentScore: sc, ExamN: u.exam, SchoolN: u.school, ClassN: u.class}
	}
	return p
}

// percentile places half-point score b of subject s in the exam's 一分一段
// table: (students below + half of those level) / students, in percent.
func percentile(r *analysis.Report, s int, b int32) *float64 {
	if s >= len(r.Distributions) {
		return nil
	}
	rows := r.Distributions[s].Rows
	step := int32(math.Round(r.Distributions[s].Step * 2))
	if len(rows) == 0 || step <= 0 {
		return nil
	}
	top := int32(math.Round(rows[0].Score * 2))
	k := int((top - b) / step)
	if b > top || k >= len(rows) || int32(math.Round(rows[k].Score*2)) != b {
		return nil
	}
	n := rows[len(rows)-1].Cumulative
	below := n - rows[k].Cumulative
	p := 100 * (float64(below) + float64(rows[k].Count)/2) / float64(n)
	p = math.Round(p*10) / 10
	return &p
}

// trendChanges lists the subjects of the points (总分 last) and, per
// subject, the percentile change from its first ranked exam to its last.
func trendChanges(points []TrendPoint) ([]string, []TrendChange) {
	subjects := []string{}
	seen := map[string]int{}
	for _, p := range points {
		for _, sc := range p.Scores {
			if _, ok := seen[sc.Subject]; !ok && sc.Subject != analysis.TotalName {
				seen[sc.Subject] = len(subjects)
				subjects = append(subjects, sc.Subject)
			}
		}
	}
	if len(points) > 0 {
		seen[analysis.TotalName] = len(subjects)
		subjects = append(subjects, analysis.TotalName)
	}
	changes := make([]TrendChange, len(subjects))
	for k, sub := range subjects {
		changes[k].Subject = sub
	}
	for _, p := range points {
		for _, sc := range p.Scores {
			ch := &changes[seen[sc.Subject]]
			if sc.Percentile == nil {
				continue
			}
			if ch.Exams == 0 {
				ch.FromExam, ch.From = p.ExamID, sc.Percentile
			}
			ch.Exams++
			ch.ToExam, ch.To = p.ExamID, sc.Percentile
		}
	}
	for k := range changes {
		if ch := &changes[k]; ch.Exams >= 2 {
			d := math.Round((*ch.To-*ch.From)*10) / 10
			ch.Change = &d
		}
	}
	return subjects, changes
}

// numberIndex orders an exam's students by number, so a student is found
// by binary search: 4 bytes a student, against tens for a map.
type numberIndex struct {
	once  sync.Once
	order []int32
}

// withNumber lists the students of the exam with this number (one, unless
// two schools' parts both hold it), in data order.
func (c *cached) withNumber(number string) []int {
	ids := c.data.ID
	ix := &c.numbers
	ix.once.Do(func() {
		order := make([]int32, len(ids))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int { return cmp.Or(strings.Compare(ids[a], ids[b]), cmp.Compare(a, b)) })
		ix.order = order
	})
	k, _ := slices.BinarySearchFunc(ix.order, number, func(i int32, n string) int { return strings.Compare(ids[i], n) })
	var out []int
	for ; k < len(ix.order) && ids[ix.order[k]] == number; k++ {
		out = append(out, int(ix.order[k]))
	}
	return out
}

// Why a number gave no student of an exam.
const (
	numberFound  = iota
	numberAbsent // not in the exam
	numberHidden // only in classes the caller may not see
	numberOther  // visible, but a differently named student
)

// visibleStudent finds the student with this number in a class the caller
// may see and, when name is given, of that name (a blank name on either side
// matches); −1 and the reason when there is none.
func (c *cached) visibleStudent(number, name string, rc reach) (int, int) {
	d := c.data
	why := numberAbsent
	for _, i := range c.withNumber(number) {
		cl := d.Classes[d.Class[i]]
		if !rc.class(d.Schools[cl.School].Code, cl.Name) {
			why = max(why, numberHidden)
			continue
		}
		if other := strings.TrimSpace(d.Name[i]); name == "" || other == "" || other == strings.TrimSpace(name) {
			return i, numberFound
		}
		why = numberOther
	}
	return -1, why
}
