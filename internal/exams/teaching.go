package exams

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// TeachingRow is one line of the 任课表: who teaches a class a subject.
type TeachingRow struct {
	SchoolCode string `json:"school_code"`
	Class      string `json:"class"`
	Subject    string `json:"subject"`
	Teacher    string `json:"teacher"`
}

// TeachingInput replaces the 任课表 of the schools it names.
type TeachingInput struct {
	Rows []TeachingRow `json:"rows"`
}

// TeachingResult says how many lines were stored and how many teachers were
// found in the registry by name at their school.
type TeachingResult struct {
	Rows    int `json:"rows"`
	Matched int `json:"matched"`
}

// SetTeaching replaces the 任课表 of every school named in the input. A
// teacher's name is matched to the school's staff, so a teacher account
// sees the classes it teaches.
func (s *Service) SetTeaching(ctx context.Context, a auth.Actor, id int64, in TeachingInput) (TeachingResult, error) {
	x, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return TeachingResult{}, err
	}
	var f errs.Fields
	subjects := map[string]bool{}
	for _, sub := range x.Spec.Subjects {
		subjects[sub.Name] = true
	}
	for i := range in.Rows {
		r := &in.Rows[i]
		r.SchoolCode, r.Class, r.Subject, r.Teacher = strings.TrimSpace(r.SchoolCode), strings.TrimSpace(r.Class), strings.TrimSpace(r.Subject), strings.TrimSpace(r.Teacher)
		at := "rows[" + strconv.Itoa(i) + "]."
		if r.Class == "" {
			f.Add(at+"class", "field.required", nil)
		}
		if !subjects[r.Subject] {
			f.Add(at+"subject", "exams.subject_unknown", errs.Args{"subject": r.Subject})
		}
		if r.Teacher == "" || len([]rune(r.Teacher)) > 50 {
			f.Add(at+"teacher", "field.required_max", errs.Args{"max": 50})
		}
	}
	if len(in.Rows) == 0 || len(in.Rows) > 100000 {
		f.Add("rows", "exams.rows_count", errs.Args{"max": 100000})
	}
	if err := f.Err(); err != nil {
		return TeachingResult{}, err
	}
	var res TeachingResult
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lock(ctx, tx, x); err != nil {
			return err
		}
		schools := map[string]int64{}
		for i, r := range in.Rows {
			sid, ok := schools[r.SchoolCode]
			if !ok {
				if err := tx.QueryRowContext(ctx, `SELECT id FROM schools WHERE code = $1`, r.SchoolCode).Scan(&sid); err != nil {
					if err == sql.ErrNoRows {
						return errs.FieldError("rows["+strconv.Itoa(i)+"].school_code", "exams.school_unknown", errs.Args{"school": r.SchoolCode})
					}
					return err
				}
				if !canManage(a, x) && !schoolGrant(a, sid) {
					return errs.FieldError("rows["+strconv.Itoa(i)+"].school_code", "exams.school_not_yours", errs.Args{"school": r.SchoolCode})
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM exam_teaching WHERE exam_id = $1 AND school_id = $2`, id, sid); err != nil {
					return err
				}
				schools[r.SchoolCode] = sid
			}
			var staff sql.NullInt64
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*), min(id) FROM staff WHERE school_id = $1 AND name = $2 AND status = 'active'`, sid, r.Teacher).Scan(&n, &staff); err != nil {
				return err
			}
			var staffID any
			if n == 1 {
				staffID = staff.Int64
				res.Matched++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO exam_teaching (exam_id, school_id, class_name, subject, teacher, staff_id) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (exam_id, school_id, class_name, subject) DO UPDATE SET teacher = excluded.teacher, staff_id = excluded.staff_id`,
				id, sid, r.Class, r.Subject, r.Teacher, staffID); err != nil {
				return err
			}
			res.Rows++
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET data_version = data_version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exam.teaching", ObjectType: "exam", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"rows": res.Rows, "matched": res.Matched, "schools": len(schools)}})
	})
	return res, err
}

// schoolGrant: the actor manages exams for this school (its own part).
func schoolGrant(a auth.Actor, schoolID int64) bool {
	return a.Reach(auth.PermExamsManage).School(schoolID)
}
