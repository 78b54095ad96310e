package governance

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The states of a member report; "none" is a report owed and not yet made.
const (
	ReportNone      = "none"
	ReportSubmitted = "submitted"
	ReportAccepted  = "accepted"
	ReportReturned  = "returned"
)

// MemberReport is a member school's periodic report to its group.
type MemberReport struct {
	ID          int64      `json:"id"`
	GroupID     int64      `json:"group_id"`
	SchoolID    int64      `json:"school_id"`
	SchoolName  string     `json:"school_name"`
	Kind        string     `json:"kind"`
	Period      string     `json:"period"` // 2026-11 (a month) or 2026-2027-1 (a term)
	DueOn       store.Date `json:"due_on" openapi:"notnull"`
	Status      string     `json:"status" enum:"submitted,accepted,returned"`
	Done        string     `json:"done"`     // 本期完成工作
	Problems    string     `json:"problems"` // 存在问题
	NextPlan    string     `json:"next_plan"`
	Help        string     `json:"help"` // 需协调事项
	SubmittedOn store.Date `json:"submitted_on" openapi:"notnull"`
	SubmittedBy string     `json:"submitted_by"`
	Late        bool       `json:"late"`
	Guidance    string     `json:"guidance"` // the group's 指导意见, or the reason for returning
	ReviewedBy  string     `json:"reviewed_by"`
	ReviewedAt  *time.Time `json:"reviewed_at"`
	Version     int        `json:"version"`
}

// MemberReportInput submits (or, after a return, resubmits) a school's report of
// kind for period; version 0 for the first submission.
type MemberReportInput struct {
	GroupID  int64  `json:"group_id"`
	SchoolID int64  `json:"school_id"`
	Kind     string `json:"kind"`
	Period   string `json:"period"`
	Version  int    `json:"version"`
	Done     string `json:"done"`
	Problems string `json:"problems"`
	NextPlan string `json:"next_plan"`
	Help     string `json:"help"`
}

// ReportReview is the group's decision on a submitted report.
type ReportReview struct {
	Version  int    `json:"version"`
	Decision string `json:"decision" enum:"accept,return"`
	Guidance string `json:"guidance"`
}

// Owed is one report a member school owes for the latest ended period of
// a kind, with what it has made of it.
type Owed struct {
	GroupID    int64      `json:"group_id"`
	SchoolID   int64      `json:"school_id"`
	SchoolName string     `json:"school_name"`
	Kind       string     `json:"kind"`
	Label      string     `json:"label"`
	Period     string     `json:"period"`
	DueOn      store.Date `json:"due_on" openapi:"notnull"`
	Status     string     `json:"status" enum:"none,submitted,accepted,returned"`
	Late       bool       `json:"late"`
	ReportID   int64      `json:"report_id"`
}

// ReportBoard is the reports owed now: per member school (not the lead
// school, which they report to) and kind, the latest ended period.
type ReportBoard struct {
	Items []Owed `json:"items"`
}

// ReportFilter narrows the reports list.
type ReportFilter struct {
	GroupID, SchoolID int64
	Kind, Status      string
	Page, Size        int
}

var monthPattern = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
var termPeriod = regexp.MustCompile(`^(\d{4})-(\d{4})-([12])$`)

// periodEnd is the last day of a period of cadence, and whether it reads
// right: a month YYYY-MM, a term YYYY-YYYY-1 (August to January) or -2
// (February to July).
func periodEnd(cadence, period string) (store.Date, bool) {
	switch cadence {
	case "month":
		m := monthPattern.FindStringSubmatch(period)
		if m == nil {
			return store.Date{}, false
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		return store.Date{Time: time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC)}, true
	case "term":
		m := termPeriod.FindStringSubmatch(period)
		if m == nil {
			return store.Date{}, false
		}
		y1, _ := strconv.Atoi(m[1])
		y2, _ := strconv.Atoi(m[2])
		if y2 != y1+1 {
			return store.Date{}, false
		}
		if m[3] == "1" {
			return store.Date{Time: time.Date(y2, time.February, 0, 0, 0, 0, 0, time.UTC)}, true
		}
		return store.Date{Time: time.Date(y2, time.August, 0, 0, 0, 0, 0, time.UTC)}, true
	}
	return store.Date{}, false
}

// LatestPeriod is the latest period of cadence that has ended before today.
func LatestPeriod(cadence string, today store.Date) string {
	y, m := today.Year(), int(today.Month())
	if cadence == "month" {
		prev := time.Date(y, time.Month(m)-1, 1, 0, 0, 0, 0, time.UTC)
		return prev.Format("2006-01")
	}
	switch {
	case m >= 8: // the second term of the school year just past ended in July
		return fmt.Sprintf("%d-%d-2", y-1, y)
	case m >= 2: // the first term ended in January
		return fmt.Sprintf("%d-%d-1", y-1, y)
	}
	return fmt.Sprintf("%d-%d-2", y-2, y-1) // January: the term that ended last July
}

func (s *Service) reportKinds(ctx context.Context) ([]policy.ReportKind, error) {
	v, err := s.pol.Today(ctx)
	return v.Settings.Reports.Kinds, err
}

func kindOf(kinds []policy.ReportKind, code string) (policy.ReportKind, bool) {
	for _, k := range kinds {
		if k.Code == code {
			return k, true
		}
	}
	return policy.ReportKind{}, false
}

// visibleReports narrows a query on member_reports mr: the county all; a
// group its members'; a school its own.
func visibleReports(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermReportsRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "mr.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "mr.school_id IN "+w.In(r.Schools))
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

const selectReport = `SELECT mr.id, mr.group_id, mr.school_id, sc.name, mr.kind, mr.period, mr.due_on, mr.status, mr.done, mr.problems, mr.next_plan, mr.help,
	mr.submitted_on, mr.submitted_by, mr.guidance, mr.reviewed_by, mr.reviewed_at, mr.version FROM member_reports mr JOIN schools sc ON sc.id = mr.school_id`

func scanReport(row interface{ Scan(...any) error }) (MemberReport, error) {
	var r MemberReport
	var at sql.NullTime
	err := row.Scan(&r.ID, &r.GroupID, &r.SchoolID, &r.SchoolName, &r.Kind, &r.Period, &r.DueOn, &r.Status, &r.Done, &r.Problems, &r.NextPlan, &r.Help,
		&r.SubmittedOn, &r.SubmittedBy, &r.Guidance, &r.ReviewedBy, &at, &r.Version)
	r.ReviewedAt = timePtr(at)
	r.Late = r.SubmittedOn.After(r.DueOn.Time)
	return r, err
}

// leadOf is a group's lead school.
func leadOf(ctx context.Context, q store.Reader, group int64) (int64, error) {
	var lead sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT lead_school_id FROM edu_groups WHERE id = $1`, group).Scan(&lead)
	return lead.Int64, notFound(err, "group")
}

// SubmitReport submits a member school's report (the school admin), or
// resubmits one the group returned.
func (s *Service) SubmitReport(ctx context.Context, a auth.Actor, in MemberReportInput) (MemberReport, error) {
	if !a.Has(auth.PermReportsSubmit) || !a.Reach(auth.PermReportsSubmit).School(in.SchoolID) {
		return MemberReport{}, errs.NotFoundError("school")
	}
	kinds, err := s.reportKinds(ctx)
	if err != nil {
		return MemberReport{}, err
	}
	in.Done, in.Problems, in.NextPlan, in.Help = trim(in.Done), trim(in.Problems), trim(in.NextPlan), trim(in.Help)
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var f errs.Fields
		k, ok := kindOf(kinds, in.Kind)
		if !ok {
			var codes []string
			for _, k := range kinds {
				codes = append(codes, k.Code)
			}
			f.Add("kind", "field.one_of", errs.Args{"values": strings.Join(codes, ", ")})
		}
		end, okp := periodEnd(k.Cadence, in.Period)
		today := s.Today()
		switch {
		case ok && !okp:
			f.Add("period", "reports.period_"+k.Cadence, nil)
		case ok && !end.Before(today.Time):
			f.Add("period", "reports.period_open", errs.Args{"end": end.String()})
		}
		if in.Done == "" || len([]rune(in.Done)) > maxMinutes {
			f.Add("done", "field.required_max", errs.Args{"max": maxMinutes})
		}
		for name, v := range map[string]string{"problems": in.Problems, "next_plan": in.NextPlan, "help": in.Help} {
			if len([]rune(v)) > maxMinutes {
				f.Add(name, "field.max", errs.Args{"max": maxMinutes})
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		ok, err := isMember(ctx, tx, in.SchoolID, in.GroupID)
		if err != nil {
			return err
		}
		lead, err := leadOf(ctx, tx, in.GroupID)
		if err != nil {
			return err
		}
		if !ok || lead == in.SchoolID {
			return errs.RuleError("reports.member", "reports.not_member", nil)
		}
		due := store.Date{Time: end.AddDate(0, 0, k.DueDays)}
		now := store.Now()
		var old MemberReport
		err = tx.QueryRowContext(ctx, `SELECT id, status, version FROM member_reports WHERE group_id = $1 AND school_id = $2 AND kind = $3 AND period = $4`,
			in.GroupID, in.SchoolID, in.Kind, in.Period).Scan(&old.ID, &old.Status, &old.Version)
		switch {
		case err == sql.ErrNoRows:
			if in.Version != 0 {
				return stale()
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO member_reports (group_id, school_id, kind, period, due_on, status, done, problems, next_plan, help,
				submitted_on, submitted_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
				in.GroupID, in.SchoolID, in.Kind, in.Period, due, in.Done, in.Problems, in.NextPlan, in.Help, today, actorName(a), now).Scan(&id); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if in.Version != old.Version {
				return stale()
			}
			if old.Status != ReportReturned {
				return errs.ConflictError("reports.wrong_state", errs.Args{"status": old.Status})
			}
			id = old.ID
			if _, err := tx.ExecContext(ctx, `UPDATE member_reports SET status = 'submitted', done = $1, problems = $2, next_plan = $3, help = $4, submitted_on = $5,
				submitted_by = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9`,
				in.Done, in.Problems, in.NextPlan, in.Help, today, actorName(a), now, id, old.Version); err != nil {
				return err
			}
		}
		if err := s.notifyReport(ctx, tx, a, id, in.GroupID, 0, "submitted", in.Period+" · "+k.Label, ""); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "reports.submit", ObjectType: "member_report", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"before": map[string]any{"status": old.Status}, "after": map[string]any{"group_id": in.GroupID, "school_id": in.SchoolID, "kind": in.Kind,
				"period": in.Period, "status": ReportSubmitted, "done": in.Done, "problems": in.Problems, "next_plan": in.NextPlan, "help": in.Help}}})
	})
	if err != nil {
		return MemberReport{}, err
	}
	return s.ReportDetail(ctx, a, id)
}

// ReviewReport accepts a submitted report with the group's guidance, or
// returns it with the reason (the group admin).
func (s *Service) ReviewReport(ctx context.Context, a auth.Actor, id int64, in ReportReview) (MemberReport, error) {
	in.Guidance = trim(in.Guidance)
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.memberReport(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.Has(auth.PermReportsReview) || !a.Reach(auth.PermReportsReview).Group(r.GroupID) {
			return errs.ForbiddenError()
		}
		if in.Version != r.Version {
			return stale()
		}
		if r.Status != ReportSubmitted {
			return errs.ConflictError("reports.wrong_state", errs.Args{"status": r.Status})
		}
		to := ReportAccepted
		switch in.Decision {
		case "accept":
		case "return":
			to = ReportReturned
			if in.Guidance == "" {
				return errs.FieldError("guidance", "field.required", nil)
			}
		default:
			return errs.FieldError("decision", "field.one_of", errs.Args{"values": "accept, return"})
		}
		if len([]rune(in.Guidance)) > maxMinutes {
			return errs.FieldError("guidance", "field.max", errs.Args{"max": maxMinutes})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE member_reports SET status = $1, guidance = $2, reviewed_by = $3, reviewed_at = $4, updated_at = $4, version = version + 1
			WHERE id = $5 AND version = $6`, to, in.Guidance, actorName(a), store.Now(), id, r.Version); err != nil {
			return err
		}
		if err := s.notifyReport(ctx, tx, a, id, r.GroupID, r.SchoolID, to, r.Period, in.Guidance); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "reports.review", ObjectType: "member_report", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"before": map[string]any{"status": r.Status}, "after": map[string]any{"status": to, "guidance": in.Guidance}}})
	})
	if err != nil {
		return MemberReport{}, err
	}
	return s.ReportDetail(ctx, a, id)
}

func (s *Service) memberReport(ctx context.Context, q store.Reader, a auth.Actor, id int64) (MemberReport, error) {
	var w store.Where
	w.Add("mr.id = ?", id)
	visibleReports(&w, a)
	r, err := scanReport(q.QueryRowContext(ctx, selectReport+w.SQL(), w.Args...))
	return r, notFound(err, "member_report")
}

// ReportDetail is one report in the actor's scope.
func (s *Service) ReportDetail(ctx context.Context, a auth.Actor, id int64) (MemberReport, error) {
	if !a.Has(auth.PermReportsRead) {
		return MemberReport{}, errs.ForbiddenError()
	}
	return s.memberReport(ctx, s.st.R, a, id)
}

// Reports lists the reports in the actor's scope, newest period first.
func (s *Service) Reports(ctx context.Context, a auth.Actor, f ReportFilter) ([]MemberReport, int, error) {
	if !a.Has(auth.PermReportsRead) {
		return nil, 0, errs.ForbiddenError()
	}
	var w store.Where
	visibleReports(&w, a)
	if f.GroupID != 0 {
		w.Add("mr.group_id = ?", f.GroupID)
	}
	if f.SchoolID != 0 {
		w.Add("mr.school_id = ?", f.SchoolID)
	}
	if f.Kind != "" {
		w.Add("mr.kind = ?", f.Kind)
	}
	if f.Status != "" {
		w.Add("mr.status = ?", f.Status)
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM member_reports mr`+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	from, _ := store.Window(f.Page, f.Size, total)
	rows, err := s.st.R.QueryContext(ctx, selectReport+w.SQL()+` ORDER BY mr.due_on DESC, mr.id DESC LIMIT `+w.Arg(f.Size)+` OFFSET `+w.Arg(from), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []MemberReport{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// OwedReports is what the member schools owe now: for each group in scope, each
// member school but the lead and each report kind, the latest ended period
// and its state; late when not submitted by the due date.
func (s *Service) OwedReports(ctx context.Context, a auth.Actor) (ReportBoard, error) {
	if !a.Has(auth.PermReportsRead) {
		return ReportBoard{}, errs.ForbiddenError()
	}
	r := a.Reach(auth.PermReportsRead)
	return s.owedReports(ctx, r, s.Today())
}

func (s *Service) owedReports(ctx context.Context, r auth.Reach, today store.Date) (ReportBoard, error) {
	kinds, err := s.reportKinds(ctx)
	if err != nil {
		return ReportBoard{}, err
	}
	var w store.Where
	w.Add("m.left_on IS NULL")
	w.Add("m.school_id <> COALESCE(g.lead_school_id, 0)")
	if !r.County {
		var alts []string
		if len(r.Groups) > 0 {
			alts = append(alts, "m.group_id IN "+w.In(r.Groups))
		}
		if len(r.Schools) > 0 {
			alts = append(alts, "m.school_id IN "+w.In(r.Schools))
		}
		if len(alts) == 0 {
			return ReportBoard{Items: []Owed{}}, nil
		}
		w.Add("(" + strings.Join(alts, " OR ") + ")")
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT m.group_id, m.school_id, sc.name FROM group_members m JOIN edu_groups g ON g.id = m.group_id JOIN schools sc ON sc.id = m.school_id`+
		w.SQL()+` ORDER BY m.group_id, m.school_id`, w.Args...)
	if err != nil {
		return ReportBoard{}, err
	}
	var owed []Owed
	for rows.Next() {
		var o Owed
		if err := rows.Scan(&o.GroupID, &o.SchoolID, &o.SchoolName); err != nil {
			rows.Close()
			return ReportBoard{}, err
		}
		for _, k := range kinds {
			x := o
			x.Kind, x.Label, x.Period = k.Code, k.Label, LatestPeriod(k.Cadence, today)
			end, _ := periodEnd(k.Cadence, x.Period)
			x.DueOn = store.Date{Time: end.AddDate(0, 0, k.DueDays)}
			owed = append(owed, x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ReportBoard{}, err
	}
	for i := range owed {
		o := &owed[i]
		var submitted store.Date
		err := s.st.R.QueryRowContext(ctx, `SELECT id, status, submitted_on FROM member_reports WHERE group_id = $1 AND school_id = $2 AND kind = $3 AND period = $4`,
			o.GroupID, o.SchoolID, o.Kind, o.Period).Scan(&o.ReportID, &o.Status, &submitted)
		switch {
		case err == sql.ErrNoRows:
			o.Status = ReportNone
			o.Late = today.After(o.DueOn.Time)
		case err != nil:
			return ReportBoard{}, err
		default:
			o.Late = submitted.After(o.DueOn.Time) || (o.Status == ReportReturned && today.After(o.DueOn.Time))
		}
	}
	if owed == nil {
		owed = []Owed{}
	}
	return ReportBoard{Items: owed}, nil
}
