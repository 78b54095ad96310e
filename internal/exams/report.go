package exams

import (
	"context"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/xlsxreport"
	"edugroup/internal/store"
)

// reach is what rows of one exam's report the actor sees: the exam-level
// rows always (they are what every unit is compared with); a group's rows,
// its schools and their classes and teachers; a school's; a teacher's own
// classes and own teacher row.
type reach struct {
	all      bool
	groups   map[string]bool // group names
	schools  map[string]bool // school codes
	classes  map[[2]string]bool
	teacher  string // the teacher's name, for their own teacher rows
	teachSch string // the teacher's school code
	scope    string // county, group, school, teacher
}

func (s *Service) reachOf(ctx context.Context, v view, x Exam) (reach, error) {
	r := reach{all: v.all, groups: map[string]bool{}, schools: map[string]bool{}, classes: map[[2]string]bool{}, scope: "teacher"}
	if v.all {
		r.scope = "county"
		return r, nil
	}
	for g := range v.groups {
		r.scope = "group"
		var name string
		if err := s.st.R.QueryRowContext(ctx, `SELECT name FROM edu_groups WHERE id = $1`, g).Scan(&name); err != nil {
			return r, err
		}
		r.groups[name] = true
		rows, err := s.st.R.QueryContext(ctx, `SELECT s.code FROM group_members m JOIN schools s ON s.id = m.school_id
			WHERE m.group_id = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)`, g, x.HeldOn)
		if err != nil {
			return r, err
		}
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				rows.Close()
				return r, err
			}
			r.schools[code] = true
		}
		rows.Close()
	}
	for sc := range v.schools {
		if r.scope == "teacher" {
			r.scope = "school"
		}
		var code string
		if err := s.st.R.QueryRowContext(ctx, `SELECT code FROM schools WHERE id = $1`, sc).Scan(&code); err != nil {
			return r, err
		}
		r.schools[code] = true
	}
	if v.staffID != 0 {
		if err := s.st.R.QueryRowContext(ctx, `SELECT st.name, s.code FROM staff st JOIN schools s ON s.id = st.school_id WHERE st.id = $1`, v.staffID).Scan(&r.teacher, &r.teachSch); err != nil {
			return r, err
		}
		rows, err := s.st.R.QueryContext(ctx, `SELECT DISTINCT t.class_name FROM exam_teaching t WHERE t.exam_id = $1 AND (t.staff_id = $2 OR (t.school_id = $3 AND t.teacher = $4))`,
			x.ID, v.staffID, v.schoolOf, r.teacher)
		if err != nil {
			return r, err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return r, err
			}
			r.classes[[2]string{r.teachSch, c}] = true
		}
		if err := rows.Err(); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (r reach) school(code string) bool { return r.all || r.schools[code] }

func (r reach) class(code, class string) bool {
	return r.school(code) || r.classes[[2]string{code, class}]
}

func (r reach) stat(st analysis.Stat) bool {
	switch st.Level {
	case analysis.LevelExam:
		return true
	case analysis.LevelGroup:
		return r.all || r.groups[st.Group]
	case analysis.LevelSchool:
		return r.school(st.SchoolCode)
	case analysis.LevelClass:
		return r.class(st.SchoolCode, st.Class)
	case analysis.LevelTeacher:
		return r.school(st.SchoolCode) || (r.teacher != "" && st.Teacher == r.teacher && st.SchoolCode == r.teachSch)
	}
	return false
}

// ReportQuery narrows the rows of a report.
type ReportQuery struct {
	Level   string // exam, group, school, class, teacher; "" for all
	Subject string // a subject or 总分; "" for all
	School  string // a school code; "" for all
}

// ReportView is the part of an exam's analysis a viewer may see.
type ReportView struct {
	Exam          Exam                    `json:"exam"`
	Scope         string                  `json:"scope"`
	Settings      analysis.Settings       `json:"settings"`
	Subjects      []analysis.SubjectInfo  `json:"subjects"`
	TierLines     []analysis.TierLine     `json:"tier_lines"`
	Groups        []analysis.GroupInfo    `json:"groups"`
	Stats         []analysis.Stat         `json:"stats"`
	Balance       []analysis.Balance      `json:"balance"`
	Distributions []analysis.Distribution `json:"distributions"`
	Bands         []analysis.Band         `json:"bands"`
	Papers        []analysis.PaperStats   `json:"papers"`
	Warnings      []string                `json:"warnings"`
	// Imports are the viewer's schools' parts: the file each came from and
	// what the reader decided reading it.
	Imports []PartImport `json:"imports"`
}

// Report is the analysis of an exam narrowed to the viewer and the query.
func (s *Service) Report(ctx context.Context, a auth.Actor, id int64, q ReportQuery) (ReportView, error) {
	v, _, err := s.report(ctx, a, id, q)
	return v, err
}

// Export writes the viewer's part of the analysis as the printable workbook
// (one sheet per section), and records the export.
func (s *Service) Export(ctx context.Context, w io.Writer, a auth.Actor, id int64, q ReportQuery) error {
	v, c, err := s.report(ctx, a, id, q)
	if err != nil {
		return err
	}
	r := *c.report
	r.Stats, r.Bands, r.Balance, r.Distributions = v.Stats, v.Bands, v.Balance, v.Distributions
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "exam.export", ObjectType: "exam", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"level": q.Level, "subject": q.Subject, "school": q.School, "rows": len(v.Stats)}}); err != nil {
		return err
	}
	return xlsxreport.Write(w, &r, nil, nil, nil, false)
}

func (s *Service) report(ctx context.Context, a auth.Actor, id int64, q ReportQuery) (ReportView, *cached, error) {
	x, v, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return ReportView{}, nil, err
	}
	rc, err := s.reachOf(ctx, v, x)
	if err != nil {
		return ReportView{}, nil, err
	}
	if q.School != "" && !rc.school(q.School) && !rc.teacherSchool(q.School) {
		return ReportView{}, nil, errs.NotFoundError("school")
	}
	c, err := s.analysed(ctx, x)
	if err != nil {
		return ReportView{}, nil, err
	}
	r := c.report
	out := ReportView{Exam: x, Scope: rc.scope, Settings: r.Settings, Subjects: r.Subjects, TierLines: r.TierLines, Groups: r.Groups,
		Stats: []analysis.Stat{}, Balance: []analysis.Balance{}, Distributions: r.Distributions, Bands: []analysis.Band{}, Papers: r.Papers, Warnings: r.Warnings,
		Imports: []PartImport{}}
	for _, pi := range c.imports {
		if rc.school(pi.SchoolCode) && (q.School == "" || q.School == pi.SchoolCode) {
			out.Imports = append(out.Imports, pi)
		}
	}
	for _, st := range r.Stats {
		if !rc.stat(st) || (q.Level != "" && st.Level != q.Level) || (q.Subject != "" && st.Subject != q.Subject) {
			continue
		}
		if q.School != "" && st.Level != analysis.LevelExam && st.SchoolCode != q.School && !(st.Level == analysis.LevelGroup && rc.groupOf(r, q.School) == st.Group) {
			continue
		}
		out.Stats = append(out.Stats, st)
	}
	for _, b := range r.Balance {
		if rc.all || (b.Group != "" && rc.groups[b.Group]) {
			out.Balance = append(out.Balance, b)
		}
	}
	codes := map[string]string{} // school name → code, for the bands
	for _, sc := range c.data.Schools {
		codes[sc.Name] = sc.Code
	}
	for _, b := range r.Bands {
		ok := b.Level == analysis.LevelExam || (b.Level == analysis.LevelGroup && (rc.all || rc.groups[b.Group])) || (b.Level == analysis.LevelSchool && rc.school(codes[b.School]))
		if ok && (q.Subject == "" || b.Subject == q.Subject) && (q.School == "" || b.Level != analysis.LevelSchool || codes[b.School] == q.School) {
			out.Bands = append(out.Bands, b)
		}
	}
	if q.Subject != "" {
		var ds []analysis.Distribution
		for _, d := range out.Distributions {
			if d.Subject == q.Subject {
				ds = append(ds, d)
			}
		}
		out.Distributions = ds
	}
	if out.Distributions == nil {
		out.Distributions = []analysis.Distribution{}
	}
	if out.Papers == nil {
		out.Papers = []analysis.PaperStats{}
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return out, c, nil
}

func (r reach) teacherSchool(code string) bool { return r.teachSch == code && len(r.classes) > 0 }

// groupOf names the group of a school in the report.
func (r reach) groupOf(rep *analysis.Report, code string) string {
	for _, st := range rep.Stats {
		if st.Level == analysis.LevelSchool && st.SchoolCode == code {
			return st.Group
		}
	}
	return ""
}

// StudentRow is one student's scores and ranks.
type StudentRow struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	School string         `json:"school"`
	Code   string         `json:"school_code"`
	Class  string         `json:"class"`
	Scores []StudentScore `json:"scores"` // the exam's subjects, then 总分
}

// StudentScore is one subject of a student.
type StudentScore struct {
	Subject    string   `json:"subject"`
	Score      *float64 `json:"score"`                           // the counted score; nil when absent, voided or not sat and not counted as 0
	Status     string   `json:"status" enum:",absent,void,none"` // "", absent, void, none
	ExamRank   int      `json:"exam_rank"`
	SchoolRank int      `json:"school_rank"`
	ClassRank  int      `json:"class_rank"`
	T          *float64 `json:"t"`
	// Percentile is the share of the exam's ranked students scoring lower,
	// those tied counted half, in percent (higher is better); nil unranked.
	Percentile *float64 `json:"percentile"`
}

// StudentQuery narrows the student list.
type StudentQuery struct {
	School string // code
	Class  string
	Q      string // student number or name contains
	Sort   string // a subject (or 总分) to order by exam rank; default the total
	Page   int
	Size   int
}

// Students lists the students the viewer may see, with ranks.
func (s *Service) Students(ctx context.Context, a auth.Actor, id int64, q StudentQuery) ([]StudentRow, int, error) {
	x, v, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return nil, 0, err
	}
	rc, err := s.reachOf(ctx, v, x)
	if err != nil {
		return nil, 0, err
	}
	c, err := s.analysed(ctx, x)
	if err != nil {
		return nil, 0, err
	}
	d, r := c.data, c.report
	sortBy := len(d.Scores)
	for j, sub := range x.Spec.Subjects {
		if sub.Name == q.Sort {
			sortBy = j
		}
	}
	var idx []int
	needle := strings.TrimSpace(q.Q)
	for i := range d.ID {
		cl := d.Classes[d.Class[i]]
		sc := d.Schools[cl.School]
		if !rc.class(sc.Code, cl.Name) || (q.School != "" && sc.Code != q.School) || (q.Class != "" && cl.Name != q.Class) {
			continue
		}
		if needle != "" && !strings.Contains(d.ID[i], needle) && !strings.Contains(d.Name[i], needle) {
			continue
		}
		idx = append(idx, i)
	}
	rank := func(i int) int32 {
		if k := r.ExamRank(sortBy, i); k > 0 {
			return int32(k)
		}
		return math.MaxInt32
	}
	sort.SliceStable(idx, func(a, b int) bool { return rank(idx[a]) < rank(idx[b]) })
	total := len(idx)
	from, to := store.Window(q.Page, q.Size, total)
	out := make([]StudentRow, 0, to-from)
	for _, i := range idx[from:to] {
		out = append(out, studentRow(x, c, i))
	}
	return out, total, nil
}

// studentRow is student i of an analysed exam: who and where, then per
// subject and 总分 the score (or why there is none), the exam, school and
// class ranks and T.
func studentRow(x Exam, c *cached, i int) StudentRow {
	d, r := c.data, c.report
	cl := d.Classes[d.Class[i]]
	sc := d.Schools[cl.School]
	nsub := len(d.Scores)
	row := StudentRow{ID: d.ID[i], Name: d.Name[i], School: sc.Name, Code: sc.Code, Class: cl.Name, Scores: make([]StudentScore, 0, nsub+1)}
	for j := 0; j <= nsub; j++ {
		name := analysis.TotalName
		if j < nsub {
			name = x.Spec.Subjects[j].Name
		}
		ss := StudentScore{Subject: name, ExamRank: r.ExamRank(j, i), SchoolRank: r.SchoolRank(j, i), ClassRank: r.ClassRank(j, i)}
		// The score it counts with (0 for absent counted as 0), the
		// status why it is not a plain score.
		if c := r.Counted(j, i); c >= 0 {
			p := float64(c) / 2
			ss.Score = &p
		}
		switch v := r.Score(j, i); {
		case v >= 0:
		case v == analysis.Absent:
			ss.Status = "absent"
		case v == analysis.Void:
			ss.Status = "void"
		default:
			ss.Status = "none"
		}
		if t := r.T(j, i); !math.IsNaN(t) {
			t = math.Round(t*10) / 10
			ss.T = &t
		}
		if ss.ExamRank > 0 {
			ss.Percentile = percentile(r, j, r.Counted(j, i))
		}
		row.Scores = append(row.Scores, ss)
	}
	return row
}

// GapQuery picks the exams and subject of a gap-to-lead trend.
type GapQuery struct {
	GroupID int64
	Subject string
	Limit   int
}

// GapView is each member school's gap to its lead school across the
// group's exams, oldest first.
type GapView struct {
	Exams   []Exam               `json:"exams"`
	Subject string               `json:"subject"`
	Unit    string               `json:"unit"`
	Series  []analysis.GapSeries `json:"series"`
}

// Gap follows the gap to the lead school over the exams the viewer may open
// that include the group's schools.
func (s *Service) Gap(ctx context.Context, a auth.Actor, q GapQuery) (GapView, error) {
	if q.Subject == "" {
		q.Subject = analysis.TotalName
	}
	if q.Limit <= 0 || q.Limit > cacheSize {
		q.Limit = cacheSize
	}
	list, err := s.List(ctx, a, q.GroupID)
	if err != nil {
		return GapView{}, err
	}
	var exams []Exam
	for _, x := range list {
		if x.Students > 0 {
			exams = append(exams, x)
		}
	}
	if len(exams) > q.Limit {
		exams = exams[:q.Limit]
	}
	// Oldest first.
	for i, j := 0, len(exams)-1; i < j; i, j = i+1, j-1 {
		exams[i], exams[j] = exams[j], exams[i]
	}
	out := GapView{Exams: exams, Subject: q.Subject, Unit: "T", Series: []analysis.GapSeries{}}
	if len(exams) == 0 {
		return out, nil
	}
	v, err := s.viewOf(ctx, a)
	if err != nil {
		return out, err
	}
	var reports []*analysis.Report
	var rc reach
	for i, x := range exams {
		c, err := s.analysed(ctx, x)
		if err != nil {
			return out, err
		}
		reports = append(reports, c.report)
		if i == len(exams)-1 {
			if rc, err = s.reachOf(ctx, v, x); err != nil {
				return out, err
			}
			out.Unit = c.report.Settings.GapUnit
		}
	}
	var groupName string
	if q.GroupID != 0 {
		if err := s.st.R.QueryRowContext(ctx, `SELECT name FROM edu_groups WHERE id = $1`, q.GroupID).Scan(&groupName); err != nil {
			return out, err
		}
	}
	for _, g := range analysis.GapTrend(reports, q.Subject) {
		if groupName != "" && g.Group != groupName {
			continue
		}
		if rc.all || rc.groups[g.Group] || rc.schoolNamed(reports[len(reports)-1], g.School) {
			out.Series = append(out.Series, g)
		}
	}
	return out, nil
}

// schoolNamed: the viewer's school, by the name the report gives it.
func (r reach) schoolNamed(rep *analysis.Report, name string) bool {
	for _, st := range rep.Stats {
		if st.Level == analysis.LevelSchool && st.School == name {
			return r.school(st.SchoolCode)
		}
	}
	return false
}

// ValueAdded compares an exam with an earlier one of the same students: per
// unit the mean residual (or Z change) with n and SE, narrowed to the
// viewer's units.
func (s *Service) ValueAdded(ctx context.Context, a auth.Actor, id, prevID int64) (*analysis.ValueAddedReport, error) {
	x, v, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return nil, err
	}
	prev, _, err := s.get(ctx, s.st.R, a, prevID)
	if err != nil {
		return nil, err
	}
	if !prev.HeldOn.Before(x.HeldOn.Time) {
		return nil, errs.FieldError("prev", "exams.prev_not_earlier", nil)
	}
	cur, err := s.analysed(ctx, x)
	if err != nil {
		return nil, err
	}
	old, err := s.analysed(ctx, prev)
	if err != nil {
		return nil, err
	}
	rc, err := s.reachOf(ctx, v, x)
	if err != nil {
		return nil, err
	}
	va := analysis.ValueAdded(old.report, cur.report)
	codes := map[string]string{}
	for _, sc := range cur.data.Schools {
		codes[sc.Name] = sc.Code
	}
	units := va.Units[:0:0]
	for _, u := range va.Units {
		code := codes[u.School]
		ok := u.Level == analysis.LevelExam ||
			(u.Level == analysis.LevelGroup && (rc.all || rc.groups[u.Group])) ||
			(u.Level == analysis.LevelSchool && rc.school(code)) ||
			(u.Level == analysis.LevelClass && rc.class(code, u.Class)) ||
			(u.Level == analysis.LevelTeacher && (rc.school(code) || (u.Teacher == rc.teacher && code == rc.teachSch)))
		if ok {
			units = append(units, u)
		}
	}
	va.Units = units
	return va, nil
}
