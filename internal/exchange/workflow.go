package exchange

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Input is an application (a draft, or a dry run of the rules).
type Input struct {
	Kind          string     `json:"kind"`
	StaffID       int64      `json:"staff_id"`
	HostSchoolID  int64      `json:"host_school_id"`
	MentorStaffID int64      `json:"mentor_staff_id"` // 跟岗学习 of a new teacher at the mentor's school
	StartOn       store.Date `json:"start_on"`
	EndOn         store.Date `json:"end_on"`
	Purpose       string     `json:"purpose"`
}

// DraftInput edits an application before it is submitted.
type DraftInput struct {
	Input
	Version int `json:"version"`
}

// CheckResult is the dry run of the rules for an application.
type CheckResult struct {
	OK      bool    `json:"ok"`
	GroupID int64   `json:"group_id"`
	Checks  []Check `json:"checks"`
}

// person is the registry's view of the applicant.
type person struct {
	schoolID int64
	isCadre  bool
	status   string
}

func (s *Service) person(ctx context.Context, q querier, staffID int64) (person, error) {
	var p person
	err := q.QueryRowContext(ctx, `SELECT school_id, is_cadre, status FROM staff WHERE id = $1`, staffID).Scan(&p.schoolID, &p.isCadre, &p.status)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.FieldError("staff_id", "exchange.staff_unknown", nil)
	}
	return p, err
}

// canApply: the person (self grant on their own record) or their school's
// office applies.
func canApply(a auth.Actor, staffID, schoolID int64) bool {
	return a.Reach(auth.PermExchangesApply).Person(staffID, schoolID)
}

// validate checks an application's fields and returns the subject the rules
// judge. A dry run (draft=false) does not need the purpose yet: the form
// checks the rules while it is being filled in.
func (s *Service) validate(ctx context.Context, q querier, a auth.Actor, in *Input) (subject, error) {
	return s.validateFor(ctx, q, a, in, true)
}

func (s *Service) validateFor(ctx context.Context, q querier, a auth.Actor, in *Input, needPurpose bool) (subject, error) {
	in.Purpose = strings.TrimSpace(in.Purpose)
	var f errs.Fields
	if !validKind(in.Kind) {
		f.Add("kind", "exchange.kind", nil)
	}
	if in.StaffID == 0 {
		f.Add("staff_id", "field.required", nil)
	}
	if in.HostSchoolID == 0 {
		f.Add("host_school_id", "field.required", nil)
	}
	if in.StartOn.IsZero() {
		f.Add("start_on", "field.required", nil)
	}
	if in.EndOn.IsZero() {
		f.Add("end_on", "field.required", nil)
	}
	if !in.StartOn.IsZero() && !in.EndOn.IsZero() && in.EndOn.Before(in.StartOn.Time) {
		f.Add("end_on", "exchange.end_before_start", nil)
	}
	if (needPurpose && in.Purpose == "") || len([]rune(in.Purpose)) > 2000 {
		f.Add("purpose", "field.required_max", errs.Args{"max": 2000})
	}
	if err := f.Err(); err != nil {
		return subject{}, err
	}
	p, err := s.person(ctx, q, in.StaffID)
	if err != nil {
		return subject{}, err
	}
	if !canApply(a, in.StaffID, p.schoolID) {
		// The staff record is outside what the actor may apply for; do not
		// confirm that it exists.
		return subject{}, errs.NotFoundError("staff")
	}
	if p.status != "active" {
		return subject{}, errs.FieldError("staff_id", "exchange.staff_inactive", nil)
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $1 AND status = 'active'`, in.HostSchoolID).Scan(&n); err != nil {
		return subject{}, err
	}
	if n == 0 {
		return subject{}, errs.FieldError("host_school_id", "exchange.school_unknown", nil)
	}
	if in.MentorStaffID != 0 {
		var mentorSchool int64
		err := q.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, in.MentorStaffID).Scan(&mentorSchool)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && mentorSchool != in.HostSchoolID) {
			return subject{}, errs.FieldError("mentor_staff_id", "exchange.mentor_school", nil)
		}
		if err != nil {
			return subject{}, err
		}
	}
	return subject{kind: in.Kind, staffID: in.StaffID, isCadre: p.isCadre, homeSchoolID: p.schoolID, hostSchoolID: in.HostSchoolID,
		start: in.StartOn, end: in.EndOn, applied: s.Today()}, nil
}

// Check dry-runs the rules for an application, so the form can show which
// pass and which fail before anything is submitted.
func (s *Service) Check(ctx context.Context, a auth.Actor, in Input) (CheckResult, error) {
	x, err := s.validateFor(ctx, s.st.R, a, &in, false)
	if err != nil {
		return CheckResult{}, err
	}
	v, err := s.judge(ctx, s.st.R, a, x, stageApply)
	if err != nil {
		return CheckResult{}, err
	}
	return CheckResult{OK: v.failed() == nil, GroupID: v.groupID, Checks: v.checks}, nil
}

// Create saves a draft. The rules are shown, not enforced, until it is
// submitted; only a home school in no group at all cannot be saved.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (Detail, error) {
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.validate(ctx, tx, a, &in)
		if err != nil {
			return err
		}
		group, _, err := membership(ctx, tx, x.homeSchoolID, x.start)
		if err != nil {
			return err
		}
		if group == 0 {
			return errs.RuleError(RuleSameGroup, "exchange.rule.same_group", errs.Args{"date": x.start.String()})
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO exchanges (kind, staff_id, is_cadre, group_id, home_school_id, host_school_id, mentor_staff_id,
			start_on, end_on, purpose, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
			in.Kind, in.StaffID, x.isCadre, group, x.homeSchoolID, in.HostSchoolID, nullID(in.MentorStaffID), in.StartOn, in.EndOn, in.Purpose, Draft,
			nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		if err := s.addStep(ctx, tx, a, id, "create", "", Draft, ""); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exchange.create", ObjectType: "exchange", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"kind": in.Kind, "staff_id": in.StaffID, "host_school_id": in.HostSchoolID, "start_on": in.StartOn.String(), "end_on": in.EndOn.String()}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// Update edits a draft.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, d DraftInput) (Detail, error) {
	return s.step(ctx, a, id, d.Version, "update", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Draft {
			return "", "", wrongState(x.Status)
		}
		if !can.has("update") {
			return "", "", errs.ForbiddenError()
		}
		if d.StaffID == 0 {
			d.StaffID = x.StaffID
		}
		sub, err := s.validate(ctx, tx, a, &d.Input)
		if err != nil {
			return "", "", err
		}
		group, _, err := membership(ctx, tx, sub.homeSchoolID, sub.start)
		if err != nil {
			return "", "", err
		}
		if group == 0 {
			return "", "", errs.RuleError(RuleSameGroup, "exchange.rule.same_group", errs.Args{"date": sub.start.String()})
		}
		_, err = tx.ExecContext(ctx, `UPDATE exchanges SET kind = $1, staff_id = $2, is_cadre = $3, group_id = $4, home_school_id = $5, host_school_id = $6,
			mentor_staff_id = $7, start_on = $8, end_on = $9, purpose = $10 WHERE id = $11`,
			d.Kind, d.StaffID, sub.isCadre, group, sub.homeSchoolID, d.HostSchoolID, nullID(d.MentorStaffID), d.StartOn, d.EndOn, d.Purpose, id)
		return Draft, "", err
	})
}

// Step is the body of most actions: the version read, a note or reason.
type Step struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// Submit makes the application: every rule is checked now.
func (s *Service) Submit(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "submit", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Draft {
			return "", "", wrongState(x.Status)
		}
		if !can.has("submit") {
			return "", "", errs.ForbiddenError()
		}
		sub := subjectOf(*x)
		sub.applied = s.Today()
		if err := s.enforce(ctx, tx, a, sub, stageApply); err != nil {
			return "", "", err
		}
		_, err := tx.ExecContext(ctx, `UPDATE exchanges SET submitted_on = $1 WHERE id = $2`, sub.applied, id)
		return Submitted, in.Note, err
	})
}

// Endorsement is the home school's endorsement (with the cover arrangement
// for the classes left behind) or the host's consent.
type Endorsement struct {
	Party            string `json:"party"` // home or host
	CoverArrangement string `json:"cover_arrangement"`
	Note             string `json:"note"`
	Version          int    `json:"version"`
}

// Endorse records one party's endorsement; with both, the application goes
// to 基教股.
func (s *Service) Endorse(ctx context.Context, a auth.Actor, id int64, in Endorsement) (Detail, error) {
	in.CoverArrangement = strings.TrimSpace(in.CoverArrangement)
	return s.step(ctx, a, id, in.Version, "endorse."+in.Party, func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Submitted {
			return "", "", wrongState(x.Status)
		}
		var err error
		switch in.Party {
		case "home":
			if !can.has("endorse_home") {
				return "", "", forbiddenStep(a, *x)
			}
			if in.CoverArrangement == "" || len([]rune(in.CoverArrangement)) > 2000 {
				return "", "", errs.FieldError("cover_arrangement", "field.required_max", errs.Args{"max": 2000})
			}
			_, err = tx.ExecContext(ctx, `UPDATE exchanges SET home_endorsed_by = $1, cover_arrangement = $2 WHERE id = $3`, nullID(a.UserID), in.CoverArrangement, id)
			x.HomeEndorsedBy = a.DisplayName
		case "host":
			if !can.has("endorse_host") {
				return "", "", forbiddenStep(a, *x)
			}
			_, err = tx.ExecContext(ctx, `UPDATE exchanges SET host_consent_by = $1 WHERE id = $2`, nullID(a.UserID), id)
			x.HostConsentBy = a.DisplayName
		default:
			return "", "", errs.FieldError("party", "exchange.party", nil)
		}
		if err != nil {
			return "", "", err
		}
		if err := s.enforce(ctx, tx, a, subjectOf(*x), stageApply); err != nil {
			return "", "", err
		}
		to := Submitted
		if x.HomeEndorsedBy != "" && x.HostConsentBy != "" {
			to = Endorsed
		}
		return to, in.Note, nil
	})
}

// Review is 基教股's step. An over-long 跟岗学习 needs an exception with a
// written reason here, or it is refused.
type Review struct {
	Note            string `json:"note"`
	ExceptionReason string `json:"exception_reason"`
	Version         int    `json:"version"`
}

// Review records 基教股's 审核.
func (s *Service) Review(ctx context.Context, a auth.Actor, id int64, in Review) (Detail, error) {
	in.ExceptionReason = strings.TrimSpace(in.ExceptionReason)
	return s.step(ctx, a, id, in.Version, "review", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Endorsed {
			return "", "", wrongState(x.Status)
		}
		if !can.has("review") {
			return "", "", forbiddenStep(a, *x)
		}
		if len([]rune(in.ExceptionReason)) > 1000 {
			return "", "", errs.FieldError("exception_reason", "field.max", errs.Args{"max": 1000})
		}
		sub := subjectOf(*x)
		if in.ExceptionReason != "" {
			set, err := s.settings(ctx, x.StartOn)
			if err != nil {
				return "", "", err
			}
			if x.Kind != KindStudy || x.Days <= set.StudyMaxDays {
				return "", "", errs.FieldError("exception_reason", "exchange.exception_not_needed", nil)
			}
			sub.exceptionReason = in.ExceptionReason
		}
		if err := s.enforce(ctx, tx, a, sub, stageReview); err != nil {
			return "", "", err
		}
		_, err := tx.ExecContext(ctx, `UPDATE exchanges SET exception_reason = $1 WHERE id = $2`, in.ExceptionReason, id)
		return Reviewed, in.Note, err
	})
}

// quotaLock names the advisory lock that serializes final approvals of one
// group, so two of them cannot both take the last place.
const quotaLock = 42001

// Approve is 审批 by 干部股 (cadres) or 人事股 (teachers). Every rule is
// checked again inside the transaction that approves.
func (s *Service) Approve(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "approve", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if x.Status != Reviewed {
			return "", "", wrongState(x.Status)
		}
		if !can.has("approve") {
			return "", "", forbiddenStep(a, *x)
		}
		if err := s.st.LockKey(ctx, tx, quotaLock, x.GroupID); err != nil {
			return "", "", err
		}
		if err := s.enforce(ctx, tx, a, subjectOf(*x), stageFinal); err != nil {
			return "", "", err
		}
		return Approved, in.Note, nil
	})
}

// Reject refuses the application at the step it waits at, with a reason.
func (s *Service) Reject(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.withReason(ctx, a, id, in, "reject", Rejected)
}

// Withdraw takes the application back before the final approval.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "withdraw", func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if !can.has("withdraw") {
			if before(x.Status, Approved) {
				return "", "", errs.ForbiddenError()
			}
			return "", "", wrongState(x.Status)
		}
		return Withdrawn, strings.TrimSpace(in.Note), nil
	})
}

// Cancel stops an approved exchange, with a reason (the supervising section).
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, in Step) (Detail, error) {
	return s.withReason(ctx, a, id, in, "cancel", Cancelled)
}

func (s *Service) withReason(ctx context.Context, a auth.Actor, id int64, in Step, action, to string) (Detail, error) {
	note := strings.TrimSpace(in.Note)
	return s.step(ctx, a, id, in.Version, action, func(tx *sql.Tx, x *Exchange, can actions) (string, string, error) {
		if !can.has(action) {
			if (action == "reject" && (x.Status == Submitted || x.Status == Endorsed || x.Status == Reviewed)) ||
				(action == "cancel" && (x.Status == Approved || x.Status == Underway)) {
				return "", "", forbiddenStep(a, *x)
			}
			return "", "", wrongState(x.Status)
		}
		if note == "" || len([]rune(note)) > 1000 {
			return "", "", errs.FieldError("note", "field.required_max", errs.Args{"max": 1000})
		}
		return to, note, nil
	})
}

// subjectOf is the saved application as the rules see it.
func subjectOf(x Exchange) subject {
	applied := x.SubmittedOn
	return subject{id: x.ID, kind: x.Kind, staffID: x.StaffID, isCadre: x.IsCadre, homeSchoolID: x.HomeSchoolID, hostSchoolID: x.HostSchoolID,
		start: x.StartOn, end: x.EndOn, applied: applied, exceptionReason: x.ExceptionReason}
}

// enforce refuses the step when a rule fails.
func (s *Service) enforce(ctx context.Context, q querier, a auth.Actor, x subject, stage int) error {
	v, err := s.judge(ctx, q, a, x, stage)
	if err != nil {
		return err
	}
	return v.failed()
}

// stepFunc checks and performs one action on the exchange read inside the
// transaction; it returns the new status and the note for the record.
type stepFunc func(tx *sql.Tx, x *Exchange, can actions) (to, note string, err error)

// step runs one action in one transaction: read in scope, version check,
// the action, the status change, the step record and the audit record.
func (s *Service) step(ctx context.Context, a auth.Actor, id int64, version int, action string, fn stepFunc) (Detail, error) {
	if !a.Has(auth.PermExchangesRead) {
		return Detail{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != x.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		parties, err := s.evaluatedParties(ctx, tx, id)
		if err != nil {
			return err
		}
		from := x.Status
		to, note, err := fn(tx, &x, allowed(a, x, parties, s.Today()))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE exchanges SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
			to, store.Now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if err := s.addStep(ctx, tx, a, id, action, from, to, note); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, a, x, action, from, to, note); err != nil {
			return err
		}
		detail := map[string]any{"from": from, "to": to, "staff": x.StaffName, "kind": x.Kind}
		if note != "" {
			detail["note"] = note
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exchange." + action, ObjectType: "exchange", ObjectID: strconv.FormatInt(id, 10), Detail: detail})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

func (s *Service) addStep(ctx context.Context, tx *sql.Tx, a auth.Actor, id int64, action, from, to, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exchange_steps (exchange_id, action, from_status, to_status, user_id, actor_name, actor_role, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, action, from, to, nullID(a.UserID), actorName(a), a.RoleLabel(), note, store.Now())
	return err
}

func wrongState(status string) error {
	return errs.ConflictError("exchange.wrong_state", errs.Args{"status": status})
}

// forbiddenStep explains a refusal the applicant or a wrong section meets.
func forbiddenStep(a auth.Actor, x Exchange) error {
	if isOwn(a, x) {
		return errs.New(errs.Forbidden, "exchange.own_application", nil)
	}
	if x.Status == Reviewed && (a.HasRole(auth.SectionCadre) || a.HasRole(auth.SectionPersonnel)) {
		return errs.New(errs.Forbidden, "exchange.wrong_section", nil)
	}
	return errs.ForbiddenError()
}

// order ranks the workflow states.
var order = map[string]int{Draft: 0, Submitted: 1, Endorsed: 2, Reviewed: 3, Approved: 4, Underway: 5, Returned: 6, Closed: 7}

func before(status, than string) bool {
	o, ok := order[status]
	return ok && o < order[than]
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
