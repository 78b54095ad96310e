package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The grades of a term-end review (考核等次).
const (
	GradeExcellent = "excellent" // 优秀
	GradeGood      = "good"      // 良好
	GradePass      = "pass"      // 合格
	GradeFail      = "fail"      // 不合格
)

func validGrade(g string) bool {
	return g == GradeExcellent || g == GradeGood || g == GradePass || g == GradeFail
}

// The parts of a review: the mentee's reflection (with the 汇报课), the
// mentor's assessment and proposed grade, and the mentee's school's view
// and grade, which closes the review.
const (
	PartMentee = "mentee"
	PartMentor = "mentor"
	PartSchool = "school"
)

// Review is a pair's term-end review.
type Review struct {
	Term             string     `json:"term"`
	MenteeReflection string     `json:"mentee_reflection"`
	MenteeAt         *time.Time `json:"mentee_at"`
	MentorAssessment string     `json:"mentor_assessment"`
	MentorGrade      string     `json:"mentor_grade" enum:",excellent,good,pass,fail"`
	MentorAt         *time.Time `json:"mentor_at"`
	SchoolView       string     `json:"school_view"`
	Grade            string     `json:"grade" enum:",excellent,good,pass,fail"`
	SchoolAt         *time.Time `json:"school_at"`
	SchoolName       string     `json:"school_name"` // who wrote the school's view
	Version          int        `json:"version"`
}

const selectReview = `SELECT r.term, r.mentee_reflection, r.mentee_at, r.mentor_assessment, r.mentor_grade, r.mentor_at, r.school_view, r.grade, r.school_at,
	COALESCE(u.display_name, ''), r.version FROM mentoring_reviews r LEFT JOIN users u ON u.id = r.school_by`

func scanReview(row interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var me, mo, sc sql.NullTime
	err := row.Scan(&r.Term, &r.MenteeReflection, &me, &r.MentorAssessment, &r.MentorGrade, &mo, &r.SchoolView, &r.Grade, &sc, &r.SchoolName, &r.Version)
	r.MenteeAt, r.MentorAt, r.SchoolAt = utcPtr(me), utcPtr(mo), utcPtr(sc)
	return r, err
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (s *Service) reviews(ctx context.Context, q store.Reader, pairID int64) ([]Review, error) {
	rows, err := q.QueryContext(ctx, selectReview+` WHERE r.pair_id = $1 ORDER BY r.term`, pairID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReviewInput is one part of a term's review. Version is the review's
// version as read, 0 when it has none yet.
type ReviewInput struct {
	Term    string `json:"term"`
	Part    string `json:"part"`
	Text    string `json:"text"`
	Grade   string `json:"grade"` // the mentor's proposal, or the school's grade
	Version int    `json:"version"`
}

// ReviewOpensDays is how many days before the end of a term its review may
// be written (and is a to-do).
const ReviewOpensDays = 30

// WriteReview records one part of a term's review. The mentee writes the
// reflection, the mentor the assessment with a proposed grade, the
// mentee's school (its principal) the view and the grade once both are in;
// the graded review is closed.
func (s *Service) WriteReview(ctx context.Context, a auth.Actor, pairID int64, in ReviewInput) (Detail, error) {
	if !a.Has(auth.PermMentoringConfirm) && !a.System {
		return Detail{}, errs.ForbiddenError()
	}
	in.Text, in.Term = strings.TrimSpace(in.Text), strings.TrimSpace(in.Term)
	var f errs.Fields
	if !validTerm(in.Term) {
		f.Add("term", "mentoring.term", nil)
	}
	if in.Part != PartMentee && in.Part != PartMentor && in.Part != PartSchool {
		f.Add("part", "mentoring.review_part", nil)
	}
	if in.Text == "" || len([]rune(in.Text)) > 4000 {
		f.Add("text", "field.required_max", errs.Args{"max": 4000})
	}
	if (in.Part == PartMentor || in.Part == PartSchool) && !validGrade(in.Grade) {
		f.Add("grade", "mentoring.grade", nil)
	}
	if in.Part == PartMentee && in.Grade != "" {
		f.Add("grade", "mentoring.grade", nil)
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.get(ctx, tx, a, pairID)
		if err != nil {
			return err
		}
		if p.Status != Active && p.Status != Ended {
			return wrongState(p.Status)
		}
		// Only a term of the pairing that is ending or over is reviewed.
		_, end := TermBounds(in.Term)
		if in.Term < p.StartTerm || in.Term > p.EndTerm || s.Today().Before(end.AddDate(0, 0, -ReviewOpensDays)) {
			return errs.FieldError("term", "mentoring.review_term", errs.Args{"opens": end.AddDate(0, 0, -ReviewOpensDays).Format("2006-01-02")})
		}
		may := false
		switch in.Part {
		case PartMentee, PartMentor:
			may = a.System || side(a, p) == in.Part
		case PartSchool:
			may = a.Reach(auth.PermMentoringConfirm).School(p.MenteeSchoolID)
		}
		if !may {
			return errs.New(errs.Forbidden, "mentoring.review_not_yours", errs.Args{"part": in.Part})
		}
		r, err := scanReview(tx.QueryRowContext(ctx, selectReview+` WHERE r.pair_id = $1 AND r.term = $2`, p.ID, in.Term))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if r.Version != in.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		if r.Grade != "" {
			return errs.ConflictError("mentoring.review_closed", nil)
		}
		if in.Part == PartSchool && (r.MenteeAt == nil || r.MentorAt == nil) {
			return errs.RuleError("review_order", "mentoring.review_order", nil)
		}
		before := r
		now := store.Now()
		if !exists {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mentoring_reviews (pair_id, term, created_at, updated_at, version) VALUES ($1, $2, $3, $3, 0)`, p.ID, in.Term, now); err != nil {
				return err
			}
		}
		var set string
		args := []any{in.Text, nullID(a.UserID), now}
		switch in.Part {
		case PartMentee:
			set = `mentee_reflection = $1, mentee_by = $2, mentee_at = $3`
		case PartMentor:
			set, args = `mentor_assessment = $1, mentor_by = $2, mentor_at = $3, mentor_grade = $4`, append(args, in.Grade)
		case PartSchool:
			set, args = `school_view = $1, school_by = $2, school_at = $3, grade = $4`, append(args, in.Grade)
		}
		n := len(args)
		args = append(args, p.ID, in.Term, in.Version)
		res, err := tx.ExecContext(ctx, `UPDATE mentoring_reviews SET `+set+`, updated_at = $3, version = version + 1
			WHERE pair_id = $`+strconv.Itoa(n+1)+` AND term = $`+strconv.Itoa(n+2)+` AND version = $`+strconv.Itoa(n+3), args...)
		if err != nil {
			return err
		}
		if c, _ := res.RowsAffected(); c != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if in.Part == PartSchool {
			if err := s.notifyGraded(ctx, tx, a, p, in.Term, in.Grade); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "mentoring.review", ObjectType: "mentoring_pair", ObjectID: strconv.FormatInt(p.ID, 10),
			Detail: map[string]any{"term": in.Term, "part": in.Part, "before": reviewPart(before, in.Part), "after": map[string]any{"text": in.Text, "grade": in.Grade}}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, pairID)
}

func reviewPart(r Review, part string) map[string]any {
	switch part {
	case PartMentee:
		return map[string]any{"text": r.MenteeReflection}
	case PartMentor:
		return map[string]any{"text": r.MentorAssessment, "grade": r.MentorGrade}
	}
	return map[string]any{"text": r.SchoolView, "grade": r.Grade}
}

// notifyGraded tells both people the term's grade.
func (s *Service) notifyGraded(ctx context.Context, tx *sql.Tx, a auth.Actor, p Pair, term, grade string) error {
	if s.Notices == nil {
		return nil
	}
	var users []int64
	for _, staff := range []int64{p.MentorStaffID, p.MenteeStaffID} {
		ids, err := workbench.UsersOfStaff(ctx, tx, staff)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	}
	var out []workbench.Notice
	for _, u := range users {
		if u == a.UserID {
			continue
		}
		out = append(out, workbench.Notice{UserID: u, EventKey: "mentoring:" + strconv.FormatInt(p.ID, 10) + ":review:" + term, Kind: "mentoring.reviewed",
			Subject: subject(p) + " · " + term, Link: link(p), Note: grade})
	}
	return s.Notices.Post(ctx, tx, out...)
}

// notifyActivity tells one side of the pair about an activity.
func (s *Service) notifyActivity(ctx context.Context, tx *sql.Tx, a auth.Actor, p Pair, x Activity, kind, to string) error {
	if s.Notices == nil {
		return nil
	}
	staff := p.MentorStaffID
	if to == PartyMentee {
		staff = p.MenteeStaffID
	}
	users, err := workbench.UsersOfStaff(ctx, tx, staff)
	if err != nil {
		return err
	}
	var out []workbench.Notice
	for _, u := range users {
		if u == a.UserID {
			continue
		}
		out = append(out, workbench.Notice{UserID: u, EventKey: "mentoring:activity:" + strconv.FormatInt(x.ID, 10) + ":v" + strconv.Itoa(x.Version), Kind: kind,
			Subject: subject(p) + " · " + x.Topic, Link: link(p), Note: x.Reason})
	}
	return s.Notices.Post(ctx, tx, out...)
}
