package curriculum

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// The outcomes of a spot check against the timetable in force that day.
const (
	SpotMatch          = "match"            // subject and teacher as published
	SpotOtherTeacher   = "other_teacher"    // the subject as published, another teacher
	SpotOtherSubject   = "other_subject"    // another subject than published (阴阳课表)
	SpotNotOnTimetable = "not_on_timetable" // the class has no lesson at that period
	SpotNoTimetable    = "no_timetable"     // nothing published for the term by that day
)

// SpotCheck is an inspector's unannounced visit: what was taught in a
// class at a period, compared with the published version of that day.
type SpotCheck struct {
	ID              int64      `json:"id"`
	SchoolID        int64      `json:"school_id"`
	SchoolName      string     `json:"school_name"`
	VisitedOn       store.Date `json:"visited_on"`
	Class           string     `json:"class"`
	Period          int        `json:"period"`
	ObservedSubject string     `json:"observed_subject"`
	ObservedTeacher string     `json:"observed_teacher"`
	ExpectedSubject string     `json:"expected_subject"`
	ExpectedTeacher string     `json:"expected_teacher"`
	TimetableSeq    int        `json:"timetable_seq"`
	Outcome         string     `json:"outcome" enum:"match,other_teacher,other_subject,not_on_timetable,no_timetable"`
	Note            string     `json:"note"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
}

// SpotInput is one visit as recorded.
type SpotInput struct {
	SchoolID        int64      `json:"school_id"`
	VisitedOn       store.Date `json:"visited_on"`
	Class           string     `json:"class"`
	Period          int        `json:"period"`
	ObservedSubject string     `json:"observed_subject"`
	ObservedTeacher string     `json:"observed_teacher"`
	Note            string     `json:"note"`
}

// compareSpot decides the outcome of a visit against the lessons of the
// version in force (nil when none).
func compareSpot(lessons []Lesson, published bool, weekday int, in SpotInput) (outcome, subject, teacher string) {
	if !published {
		return SpotNoTimetable, "", ""
	}
	for _, l := range lessons {
		if l.Class == in.Class && l.Weekday == weekday && l.Period == in.Period {
			switch {
			case l.Subject != in.ObservedSubject:
				return SpotOtherSubject, l.Subject, l.Teacher
			case in.ObservedTeacher != "" && l.Teacher != in.ObservedTeacher:
				return SpotOtherTeacher, l.Subject, l.Teacher
			}
			return SpotMatch, l.Subject, l.Teacher
		}
	}
	return SpotNotOnTimetable, "", ""
}

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(d store.Date) int {
	w := int(d.Weekday())
	if w == 0 {
		return 7
	}
	return w
}

// RecordSpot records a visit and its comparison with the timetable version
// in force that day.
func (s *Service) RecordSpot(ctx context.Context, a auth.Actor, in SpotInput) (SpotCheck, error) {
	if !a.Reach(auth.PermCurriculumInspect).County {
		return SpotCheck{}, errs.ForbiddenError()
	}
	in.Class, in.ObservedSubject, in.ObservedTeacher, in.Note = strings.TrimSpace(in.Class), strings.TrimSpace(in.ObservedSubject), strings.TrimSpace(in.ObservedTeacher), strings.TrimSpace(in.Note)
	cfg, err := s.settings(ctx)
	if err != nil {
		return SpotCheck{}, err
	}
	var f errs.Fields
	if in.SchoolID == 0 {
		f.Add("school_id", "field.required", nil)
	}
	if in.VisitedOn.IsZero() {
		f.Add("visited_on", "field.required", nil)
	} else if in.VisitedOn.After(s.Today().Time) {
		f.Add("visited_on", "curriculum.future", nil)
	}
	if in.Class == "" || len([]rune(in.Class)) > 40 {
		f.Add("class", "field.required_max", errs.Args{"max": 40})
	}
	if in.Period < 1 || in.Period > cfg.MaxPeriods {
		f.Add("period", RulePeriodRange, errs.Args{"period": in.Period, "max": cfg.MaxPeriods})
	}
	if in.ObservedSubject == "" || len([]rune(in.ObservedSubject)) > 40 {
		f.Add("observed_subject", "field.required_max", errs.Args{"max": 40})
	}
	if len([]rune(in.ObservedTeacher)) > 40 {
		f.Add("observed_teacher", "field.max", errs.Args{"max": 40})
	}
	if len([]rune(in.Note)) > 1000 {
		f.Add("note", "field.max", errs.Args{"max": 1000})
	}
	if err := f.Err(); err != nil {
		return SpotCheck{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := schoolName(ctx, tx, in.SchoolID); err != nil {
			return err
		}
		tid, err := inForce(ctx, tx, in.SchoolID, TermOf(in.VisitedOn), in.VisitedOn)
		if err != nil {
			return err
		}
		var lessons []Lesson
		if tid != 0 {
			if lessons, err = lessonsOf(ctx, tx, tid); err != nil {
				return err
			}
		}
		outcome, subj, teacher := compareSpot(lessons, tid != 0, isoWeekday(in.VisitedOn), in)
		if err := tx.QueryRowContext(ctx, `INSERT INTO curriculum_spot_checks (school_id, visited_on, class_name, period, observed_subject, observed_teacher,
			expected_subject, expected_teacher, timetable_id, outcome, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			in.SchoolID, in.VisitedOn, in.Class, in.Period, in.ObservedSubject, in.ObservedTeacher, subj, teacher, nullID(tid), outcome, in.Note,
			nullID(a.UserID), store.Now()).Scan(&id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "curriculum.spot_check", ObjectType: "school", ObjectID: strconv.FormatInt(in.SchoolID, 10),
			Detail: map[string]any{"spot_check_id": id, "visited_on": in.VisitedOn.String(), "class": in.Class, "period": in.Period, "outcome": outcome}})
	})
	if err != nil {
		return SpotCheck{}, err
	}
	list, _, err := s.Spots(ctx, a, SpotFilter{ID: id})
	if err != nil {
		return SpotCheck{}, err
	}
	if len(list) == 0 {
		return SpotCheck{}, errs.NotFoundError("spot_check")
	}
	return list[0], nil
}

// SpotFilter narrows the spot checks.
type SpotFilter struct {
	ID       int64
	SchoolID int64
	Outcome  string
	Page     int
	Size     int
}

// Spots lists the spot checks of the schools in scope, newest first.
func (s *Service) Spots(ctx context.Context, a auth.Actor, f SpotFilter) ([]SpotCheck, int, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return nil, 0, errs.ForbiddenError()
	}
	var w store.Where
	schoolScope(&w, a, auth.PermCurriculumRead, "c.school_id")
	if f.ID != 0 {
		w.Add("c.id = ?", f.ID)
	}
	if f.SchoolID != 0 {
		w.Add("c.school_id = ?", f.SchoolID)
	}
	if f.Outcome != "" {
		w.Add("c.outcome = ?", f.Outcome)
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM curriculum_spot_checks c`+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT c.id, c.school_id, s.name, c.visited_on, c.class_name, c.period, c.observed_subject, c.observed_teacher, c.expected_subject, c.expected_teacher,
		COALESCE(t.seq, 0), c.outcome, c.note, COALESCE(u.display_name, ''), c.created_at FROM curriculum_spot_checks c JOIN schools s ON s.id = c.school_id
		LEFT JOIN timetables t ON t.id = c.timetable_id LEFT JOIN users u ON u.id = c.created_by` + w.SQL() + ` ORDER BY c.visited_on DESC, c.id DESC`
	if f.Size > 0 {
		q += ` LIMIT ` + w.Arg(f.Size) + ` OFFSET ` + w.Arg((f.Page-1)*f.Size)
	}
	rows, err := s.st.R.QueryContext(ctx, q, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []SpotCheck{}
	for rows.Next() {
		var c SpotCheck
		if err := rows.Scan(&c.ID, &c.SchoolID, &c.SchoolName, &c.VisitedOn, &c.Class, &c.Period, &c.ObservedSubject, &c.ObservedTeacher, &c.ExpectedSubject,
			&c.ExpectedTeacher, &c.TimetableSeq, &c.Outcome, &c.Note, &c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, 0, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, total, rows.Err()
}
