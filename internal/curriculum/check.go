package curriculum

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// The named rules of the 开齐开足 checks.
const (
	RuleNotOffered  = "curriculum.check.not_offered"    // 开齐: a subject of the grade not on the timetable (0)
	RuleShort       = "curriculum.check.short"          // 开足: fewer weekly lessons than the plan (−x)
	RuleOutside     = "curriculum.check.outside_grades" // taught in a grade it does not open in
	RuleMinimum     = "curriculum.check.minimum"        // under a fixed weekly minimum (劳动, 体育, 地方课程, 信息科技)
	RuleUnqualified = "curriculum.check.unqualified"    // 跨学科兼课: the teacher's subject is another
)

// Cell is one class's line for one subject: planned and actual weekly
// lessons, the county form's mark (√, +x, −x, 0; empty when neither plan
// nor timetable has the subject there) and the lessons taught by a teacher
// of another subject.
type Cell struct {
	Planned     int    `json:"planned"`
	Actual      int    `json:"actual"`
	Mark        string `json:"mark"`
	Unqualified int    `json:"unqualified"`
}

// RegisterRow is one subject of the register across the school's classes.
type RegisterRow struct {
	Subject     string `json:"subject"`
	Group       string `json:"group"`
	Cells       []Cell `json:"cells"`
	Specialists int    `json:"specialists"`
	Failures    int    `json:"failures"`
}

// ClassInfo is one class of the timetable.
type ClassInfo struct {
	Name  string `json:"name"`
	Grade int    `json:"grade"`
}

// Finding is one failed rule with its numbers.
type Finding struct {
	Rule     string   `json:"rule"`
	Class    string   `json:"class"`
	Grade    int      `json:"grade"`
	Subject  string   `json:"subject"`
	Planned  int      `json:"planned"`
	Actual   int      `json:"actual"`
	Minimum  int      `json:"minimum"`
	Lessons  int      `json:"lessons"`
	Teachers []string `json:"teachers"`
}

// Counts are the findings by rule.
type Counts struct {
	NotOffered  int `json:"not_offered"`
	Short       int `json:"short"`
	Outside     int `json:"outside"`
	Minimum     int `json:"minimum"`
	Unqualified int `json:"unqualified"`
}

func (c *Counts) add(rule string, n int) {
	switch rule {
	case RuleNotOffered:
		c.NotOffered += n
	case RuleShort:
		c.Short += n
	case RuleOutside:
		c.Outside += n
	case RuleMinimum:
		c.Minimum += n
	case RuleUnqualified:
		c.Unqualified += n
	}
}

// Total is the number of findings.
func (c Counts) Total() int { return c.NotOffered + c.Short + c.Outside + c.Minimum + c.Unqualified }

// Register is the county form 课程开设情况督导检查登记表 of one school and
// term, computed from the timetable version in force, with the inspector's
// responsibility field.
type Register struct {
	SchoolID       int64         `json:"school_id"`
	SchoolName     string        `json:"school_name"`
	Township       string        `json:"township"`
	Stage          string        `json:"stage"`
	Students       int           `json:"students"`
	StaffCount     int           `json:"staff_count"`
	Term           string        `json:"term"`
	On             store.Date    `json:"on"`
	Version        *Version      `json:"version"`
	Classes        []ClassInfo   `json:"classes"`
	Rows           []RegisterRow `json:"rows"`
	Findings       []Finding     `json:"findings"`
	Counts         Counts        `json:"counts"`
	Responsibility string        `json:"responsibility"` // county_government, bureau, principal or empty
	Note           string        `json:"note"`
	Inspector      string        `json:"inspector"`
	UpdatedAt      *time.Time    `json:"updated_at"`
	RecordVersion  int           `json:"record_version"`
	CanInspect     bool          `json:"can_inspect"`
}

// staffSubjects is the registry's subject of each active staff member of a
// school, and the number qualified for each plan subject.
func staffSubjects(ctx context.Context, q store.Reader, schoolID int64) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, subject FROM staff WHERE school_id = $1 AND status = 'active'`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var sub string
		if err := rows.Scan(&id, &sub); err != nil {
			return nil, err
		}
		out[id] = sub
	}
	return out, rows.Err()
}

// evaluate checks lessons against the plan: the rows of the register and
// the findings. subjects is each lesson teacher's registry subject.
func evaluate(plan Plan, lessons []Lesson, subjects map[int64]string) ([]ClassInfo, []RegisterRow, []Finding, Counts) {
	grade := map[string]int{}
	for _, l := range lessons {
		grade[l.Class] = l.Grade
	}
	classes := make([]ClassInfo, 0, len(grade))
	for c, g := range grade {
		classes = append(classes, ClassInfo{c, g})
	}
	sort.Slice(classes, func(i, j int) bool {
		if classes[i].Grade != classes[j].Grade {
			return classes[i].Grade < classes[j].Grade
		}
		return classes[i].Name < classes[j].Name
	})
	idx := map[string]int{}
	for i, c := range classes {
		idx[c.Name] = i
	}
	type key struct {
		subject string
		class   int
	}
	actual := map[key]int{}
	unq := map[key]map[string]int{}
	for _, l := range lessons {
		k := key{l.Subject, idx[l.Class]}
		actual[k]++
		sub, _ := plan.SubjectByName(l.Subject)
		if !sub.QualifiedBy(subjects[l.StaffID]) {
			if unq[k] == nil {
				unq[k] = map[string]int{}
			}
			unq[k][l.Teacher]++
		}
	}
	var rows []RegisterRow
	findings := []Finding{}
	var counts Counts
	for _, sub := range plan.Subjects {
		row := RegisterRow{Subject: sub.Name, Group: sub.Group, Cells: make([]Cell, len(classes))}
		for _, st := range subjects {
			if !sub.AnyTeacher && sub.QualifiedBy(st) {
				row.Specialists++
			}
		}
		for ci, c := range classes {
			k := key{sub.Name, ci}
			planned, got := sub.Weekly[c.Grade-1], actual[k]
			cell := Cell{Planned: planned, Actual: got}
			if !sub.Opens(c.Grade) {
				planned = 0
				cell.Planned = 0
			}
			switch {
			case planned == 0 && got == 0:
			case got == planned:
				cell.Mark = "√"
			case got == 0:
				cell.Mark = "0"
			case got > planned:
				cell.Mark = "+" + strconv.Itoa(got-planned)
			default:
				cell.Mark = "−" + strconv.Itoa(planned-got)
			}
			f := Finding{Class: c.Name, Grade: c.Grade, Subject: sub.Name, Planned: planned, Actual: got, Teachers: []string{}}
			fail := func(rule string, g Finding) {
				g.Rule = rule
				findings = append(findings, g)
				counts.add(rule, 1)
				row.Failures++
			}
			switch {
			case planned > 0 && got == 0 && !sub.OptionalIn(c.Grade):
				fail(RuleNotOffered, f)
			case got > 0 && got < planned:
				fail(RuleShort, f)
			}
			if got > 0 && !sub.Opens(c.Grade) && !sub.OptionalIn(c.Grade) {
				fail(RuleOutside, f)
			}
			if m := sub.Minimum[c.Grade-1]; m > 0 && got < m && sub.Opens(c.Grade) {
				g := f
				g.Minimum = m
				fail(RuleMinimum, g)
			}
			if u := unq[k]; len(u) > 0 {
				g := f
				for name, n := range u {
					g.Lessons += n
					g.Teachers = append(g.Teachers, name)
				}
				sort.Strings(g.Teachers)
				cell.Unqualified = g.Lessons
				fail(RuleUnqualified, g)
			}
			row.Cells[ci] = cell
		}
		rows = append(rows, row)
	}
	return classes, rows, findings, counts
}

// RegisterQuery picks the term and the day whose version is checked.
type RegisterQuery struct {
	Term string
	On   store.Date
}

// Register checks a school's timetable in force for the term.
func (s *Service) Register(ctx context.Context, a auth.Actor, schoolID int64, rq RegisterQuery) (Register, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return Register{}, errs.ForbiddenError()
	}
	ok, err := reaches(ctx, s.st.R, a, auth.PermCurriculumRead, schoolID)
	if err != nil {
		return Register{}, err
	}
	if !ok {
		return Register{}, errs.NotFoundError("school")
	}
	plan, err := s.planInForce(ctx, s.st.R)
	if err != nil {
		return Register{}, err
	}
	r, err := s.register(ctx, s.st.R, plan, schoolID, rq)
	if err != nil {
		return r, err
	}
	r.CanInspect = a.Reach(auth.PermCurriculumInspect).County
	return r, nil
}

func (s *Service) register(ctx context.Context, q store.Reader, plan Plan, schoolID int64, rq RegisterQuery) (Register, error) {
	if rq.Term == "" {
		rq.Term = TermOf(s.Today())
	}
	if !ValidTerm(rq.Term) {
		return Register{}, errs.FieldError("term", "curriculum.term", nil)
	}
	if rq.On.IsZero() {
		rq.On = s.Today()
	}
	r := Register{SchoolID: schoolID, Term: rq.Term, On: rq.On, Classes: []ClassInfo{}, Rows: []RegisterRow{}, Findings: []Finding{}}
	err := q.QueryRowContext(ctx, `SELECT s.name, t.name, s.stage, s.students, s.staff_count FROM schools s JOIN townships t ON t.id = s.township_id WHERE s.id = $1`,
		schoolID).Scan(&r.SchoolName, &r.Township, &r.Stage, &r.Students, &r.StaffCount)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.NotFoundError("school")
	}
	if err != nil {
		return r, err
	}
	var upd time.Time
	err = q.QueryRowContext(ctx, `SELECT responsibility, note, inspector, updated_at, version FROM curriculum_registers WHERE school_id = $1 AND term = $2`,
		schoolID, rq.Term).Scan(&r.Responsibility, &r.Note, &r.Inspector, &upd, &r.RecordVersion)
	if err == nil {
		upd = upd.UTC()
		r.UpdatedAt = &upd
	} else if !errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	id, err := inForce(ctx, q, schoolID, rq.Term, rq.On)
	if err != nil || id == 0 {
		return r, err
	}
	vs, err := queryVersions(ctx, q, selectVersion+` WHERE t.id = $1`, id)
	if err != nil || len(vs) == 0 {
		return r, err
	}
	r.Version = &vs[0]
	lessons, err := lessonsOf(ctx, q, id)
	if err != nil {
		return r, err
	}
	subjects, err := staffSubjects(ctx, q, schoolID)
	if err != nil {
		return r, err
	}
	r.Classes, r.Rows, r.Findings, r.Counts = evaluate(plan, lessons, subjects)
	return r, nil
}

// Responsibilities of the county form.
var responsibilities = map[string]bool{"": true, "county_government": true, "bureau": true, "principal": true}

// RecordInput is the inspector's part of the register: who is responsible
// for the findings, a note and the inspector's name; Version is the record
// read (0 for none yet).
type RecordInput struct {
	Term           string `json:"term"`
	Responsibility string `json:"responsibility"`
	Note           string `json:"note"`
	Inspector      string `json:"inspector"`
	Version        int    `json:"version"`
}

// SaveRecord writes the inspector's part of a school's register.
func (s *Service) SaveRecord(ctx context.Context, a auth.Actor, schoolID int64, in RecordInput) (Register, error) {
	if !a.Reach(auth.PermCurriculumInspect).County {
		return Register{}, errs.ForbiddenError()
	}
	in.Note, in.Inspector = strings.TrimSpace(in.Note), strings.TrimSpace(in.Inspector)
	var f errs.Fields
	if !ValidTerm(in.Term) {
		f.Add("term", "curriculum.term", nil)
	}
	if !responsibilities[in.Responsibility] {
		f.Add("responsibility", "curriculum.responsibility", nil)
	}
	if len([]rune(in.Note)) > 2000 {
		f.Add("note", "field.max", errs.Args{"max": 2000})
	}
	if len([]rune(in.Inspector)) > 60 {
		f.Add("inspector", "field.max", errs.Args{"max": 60})
	}
	if err := f.Err(); err != nil {
		return Register{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := schoolName(ctx, tx, schoolID); err != nil {
			return err
		}
		var cur int
		err := tx.QueryRowContext(ctx, `SELECT version FROM curriculum_registers WHERE school_id = $1 AND term = $2`, schoolID, in.Term).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if cur != in.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		now := store.Now()
		if cur == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO curriculum_registers (school_id, term, responsibility, note, inspector, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, schoolID, in.Term, in.Responsibility, in.Note, in.Inspector, nullID(a.UserID), now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE curriculum_registers SET responsibility = $1, note = $2, inspector = $3, updated_by = $4, updated_at = $5,
				version = version + 1 WHERE school_id = $6 AND term = $7`, in.Responsibility, in.Note, in.Inspector, nullID(a.UserID), now, schoolID, in.Term)
		}
		if err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "curriculum.register", ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
			Detail: map[string]any{"term": in.Term, "after": map[string]any{"responsibility": in.Responsibility, "note": in.Note, "inspector": in.Inspector}}})
	})
	if err != nil {
		return Register{}, err
	}
	return s.Register(ctx, a, schoolID, RegisterQuery{Term: in.Term})
}

// SummaryRow is one township, stage or group of the county summary.
type SummaryRow struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	Schools   int    `json:"schools"`
	Published int    `json:"published"`
	Failing   int    `json:"failing"`
	Counts    Counts `json:"counts"`
}

// Summary is the county's (or a group's) register findings rolled up.
type Summary struct {
	Term string        `json:"term"`
	By   string        `json:"by" enum:"township,stage,group,school"`
	Rows []SummaryRow  `json:"rows"`
	All  SummaryRow    `json:"all"`
	Top  []SchoolCheck `json:"schools"`
}

// SchoolCheck is one school's findings in the summary.
type SchoolCheck struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Township   string `json:"township"`
	Stage      string `json:"stage"`
	Group      string `json:"group"`
	Published  bool   `json:"published"`
	Counts     Counts `json:"counts"`
	Failures   int    `json:"failures"`
}

// Summary rolls up the registers of the schools in scope by township,
// stage or group.
func (s *Service) Summary(ctx context.Context, a auth.Actor, term, by string) (Summary, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return Summary{}, errs.ForbiddenError()
	}
	if term == "" {
		term = TermOf(s.Today())
	}
	if by == "" {
		by = "township"
	}
	if by != "township" && by != "stage" && by != "group" && by != "school" {
		return Summary{}, errs.FieldError("by", "curriculum.by", nil)
	}
	if !ValidTerm(term) {
		return Summary{}, errs.FieldError("term", "curriculum.term", nil)
	}
	plan, err := s.planInForce(ctx, s.st.R)
	if err != nil {
		return Summary{}, err
	}
	var w store.Where
	w.Add("s.status = 'active'")
	w.Add("s.stage <> 'preschool'")
	schoolScope(&w, a, auth.PermCurriculumRead, "s.id")
	rows, err := s.st.R.QueryContext(ctx, `SELECT s.id, s.name, t.name, s.stage, COALESCE((SELECT g.name FROM group_members m JOIN edu_groups g ON g.id = m.group_id
		WHERE m.school_id = s.id AND m.left_on IS NULL ORDER BY g.id LIMIT 1), '') FROM schools s JOIN townships t ON t.id = s.township_id`+w.SQL()+` ORDER BY s.name`, w.Args...)
	if err != nil {
		return Summary{}, err
	}
	var list []SchoolCheck
	for rows.Next() {
		var c SchoolCheck
		if err := rows.Scan(&c.SchoolID, &c.SchoolName, &c.Township, &c.Stage, &c.Group); err != nil {
			rows.Close()
			return Summary{}, err
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Summary{}, err
	}
	out := Summary{Term: term, By: by, Rows: []SummaryRow{}, Top: []SchoolCheck{}}
	groups := map[string]*SummaryRow{}
	var order []string
	for _, c := range list {
		r, err := s.register(ctx, s.st.R, plan, c.SchoolID, RegisterQuery{Term: term})
		if err != nil {
			return out, err
		}
		c.Published, c.Counts, c.Failures = r.Version != nil, r.Counts, r.Counts.Total()
		key := map[string]string{"township": c.Township, "stage": c.Stage, "group": c.Group, "school": c.SchoolName}[by]
		g := groups[key]
		if g == nil {
			g = &SummaryRow{Key: key, Label: key}
			groups[key] = g
			order = append(order, key)
		}
		for _, x := range []*SummaryRow{g, &out.All} {
			x.Schools++
			if c.Published {
				x.Published++
			}
			if c.Failures > 0 {
				x.Failing++
			}
			x.Counts.NotOffered += c.Counts.NotOffered
			x.Counts.Short += c.Counts.Short
			x.Counts.Outside += c.Counts.Outside
			x.Counts.Minimum += c.Counts.Minimum
			x.Counts.Unqualified += c.Counts.Unqualified
		}
		out.Top = append(out.Top, c)
	}
	sort.Strings(order)
	for _, k := range order {
		out.Rows = append(out.Rows, *groups[k])
	}
	sort.SliceStable(out.Top, func(i, j int) bool { return out.Top[i].Failures > out.Top[j].Failures })
	return out, nil
}
