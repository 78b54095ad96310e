package analysis

import (
	"math"

	"edugroup/internal/errs"
)

// A score column holds half-points (score×2, so 87.5 is 175) or one of
// these codes. Absence is always explicit: a score of 0 is a score.
const (
	// NoScore: blank, the student does not sit this paper (not 应考).
	NoScore int32 = -1
	// Absent: 缺考 (also 病假, 缓考 …).
	Absent int32 = -2
	// Void: 作弊/违纪, the paper is voided.
	Void int32 = -3
)

// HalfPoints converts a score in points to its half-point code; ok is false
// for a negative score or one that is not a multiple of 0.5.
func HalfPoints(points float64) (int32, bool) {
	h := points * 2
	r := math.Round(h)
	if math.IsNaN(h) || points < 0 || math.Abs(h-r) > 1e-9 || r > math.MaxInt32 {
		return NoScore, false
	}
	return int32(r), true
}

// Data is the student side of an exam in columns: one row per student, the
// units they belong to as small integers, and one half-point column per
// subject. Build it with a Builder, or fill the columns directly (the file
// importer does, to avoid work per row).
type Data struct {
	Groups  []string
	Schools []School
	Classes []Class
	ID      []string  // 考号/学号, one per student
	Name    []string  // 姓名
	Class   []int32   // index into Classes; the class gives the school
	Scores  [][]int32 // [subject][student], aligned with Exam.Subjects
	// Papers holds item-level scores, aligned with Exam.Papers (it may be
	// shorter: papers without item data are skipped).
	Papers []PaperScores
	// Teaching is the 任课表: who teaches which class in which subject.
	Teaching []Assignment
}

// School is one school of the exam.
type School struct {
	Code  string `json:"code,omitempty"`
	Name  string `json:"name"`
	Group int32  `json:"group"` // index into Data.Groups, −1 for none
}

// Class is one class; classes of different schools are different classes
// even when their names are equal.
type Class struct {
	School int32  `json:"school"`
	Name   string `json:"name"`
}

// Assignment is one line of the 任课表. School is a school's name or code;
// Class is the class name as in the data.
type Assignment struct {
	School  string `json:"school"`
	Class   string `json:"class"`
	Subject string `json:"subject"`
	Teacher string `json:"teacher"`
}

// PaperScores are the item-level scores of one paper.
type PaperScores struct {
	Subject string
	// Scores[item][student] in half-points, or NoScore. An objective item
	// may leave its column nil and be scored from Answers.
	Scores [][]int32
	// Answers[item][student] is the chosen option of an objective item
	// ("A", "BD"; "" for no answer); nil for items without answers.
	Answers [][]string
}

// Len is the number of students.
func (d *Data) Len() int { return len(d.ID) }

// SchoolOf returns the school index of student i.
func (d *Data) SchoolOf(i int) int32 { return d.Classes[d.Class[i]].School }

// Student is one student for the Builder.
type Student struct {
	ID, Name   string
	School     string // school name
	SchoolCode string // optional; schools are told apart by code when it is given
	Group      string // optional 集团
	Class      string
	// Scores in half-points or a code, aligned with Exam.Subjects; missing
	// trailing entries are NoScore.
	Scores []int32
}

// Builder collects students row by row into Data.
type Builder struct {
	nSubjects int
	d         Data
	schools   map[string]int32
	classes   map[classKey]int32
	groups    map[string]int32
}

type classKey struct {
	school int32
	name   string
}

// NewBuilder starts Data for an exam with nSubjects subjects.
func NewBuilder(nSubjects int) *Builder {
	b := &Builder{nSubjects: nSubjects, schools: map[string]int32{}, classes: map[classKey]int32{}, groups: map[string]int32{}}
	b.d.Scores = make([][]int32, nSubjects)
	return b
}

// Add appends a student and returns its index.
func (b *Builder) Add(s Student) int {
	key := s.SchoolCode
	if key == "" {
		key = s.School
	}
	si, ok := b.schools[key]
	if !ok {
		g := int32(-1)
		if s.Group != "" {
			gi, ok := b.groups[s.Group]
			if !ok {
				gi = int32(len(b.d.Groups))
				b.groups[s.Group] = gi
				b.d.Groups = append(b.d.Groups, s.Group)
			}
			g = gi
		}
		si = int32(len(b.d.Schools))
		b.schools[key] = si
		b.d.Schools = append(b.d.Schools, School{Code: s.SchoolCode, Name: s.School, Group: g})
	}
	ck := classKey{si, s.Class}
	ci, ok := b.classes[ck]
	if !ok {
		ci = int32(len(b.d.Classes))
		b.classes[ck] = ci
		b.d.Classes = append(b.d.Classes, Class{School: si, Name: s.Class})
	}
	b.d.ID = append(b.d.ID, s.ID)
	b.d.Name = append(b.d.Name, s.Name)
	b.d.Class = append(b.d.Class, ci)
	for j := range b.nSubjects {
		v := NoScore
		if j < len(s.Scores) {
			v = s.Scores[j]
		}
		b.d.Scores[j] = append(b.d.Scores[j], v)
	}
	return len(b.d.ID) - 1
}

// Teach adds a line of the 任课表.
func (b *Builder) Teach(a Assignment) { b.d.Teaching = append(b.d.Teaching, a) }

// Data returns what was added. The Builder must not be used afterwards.
func (b *Builder) Data() *Data { return &b.d }

// check makes sure the columns fit the exam before any histogram is built:
// a score past the full marks would write outside its histogram.
func (d *Data) check(e *Exam) error {
	n := len(d.ID)
	if len(d.Scores) != len(e.Subjects) || len(d.Name) != n || len(d.Class) != n || len(d.Papers) > len(e.Papers) {
		return errs.New(errs.Invalid, keyDataShape, nil)
	}
	for _, s := range d.Scores {
		if len(s) != n {
			return errs.New(errs.Invalid, keyDataShape, nil)
		}
	}
	for _, c := range d.Classes {
		if c.School < 0 || int(c.School) >= len(d.Schools) {
			return errs.New(errs.Invalid, keyDataShape, nil)
		}
	}
	for _, s := range d.Schools {
		if s.Group < -1 || int(s.Group) >= len(d.Groups) {
			return errs.New(errs.Invalid, keyDataShape, nil)
		}
	}
	nc := int32(len(d.Classes))
	for i, c := range d.Class {
		if c < 0 || c >= nc {
			return errs.New(errs.Invalid, keyDataClass, errs.Args{"row": i + 1})
		}
	}
	for j, col := range d.Scores {
		top := int32(math.Round(e.Subjects[j].Full * 2))
		for i, v := range col {
			if v > top || v < Void {
				return errs.New(errs.Invalid, keyDataScore, errs.Args{"row": i + 1, "name": d.Name[i], "score": float64(v) / 2})
			}
		}
	}
	for p, ps := range d.Papers {
		paper := e.Papers[p]
		if len(ps.Scores) != len(paper.Items) || (ps.Answers != nil && len(ps.Answers) != len(paper.Items)) {
			return errs.New(errs.Invalid, keyDataShape, nil)
		}
		for k, col := range ps.Scores {
			if col == nil {
				continue
			}
			if len(col) != n {
				return errs.New(errs.Invalid, keyDataShape, nil)
			}
			top := int32(math.Round(paper.Items[k].Full * 2))
			for i, v := range col {
				if v > top || v < Void {
					return errs.New(errs.Invalid, keyDataScore, errs.Args{"row": i + 1, "name": d.Name[i], "score": float64(v) / 2})
				}
			}
		}
		for _, col := range ps.Answers {
			if col != nil && len(col) != n {
				return errs.New(errs.Invalid, keyDataShape, nil)
			}
		}
	}
	return nil
}
