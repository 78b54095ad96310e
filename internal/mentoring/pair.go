package mentoring

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// Input is a new pair as the group (across its schools) or a school (inside
// itself) proposes it.
type Input struct {
	MentorStaffID int64  `json:"mentor_staff_id"`
	MenteeStaffID int64  `json:"mentee_staff_id"`
	Kind          string `json:"kind"`
	Subject       string `json:"subject"` // the mentee's subject when empty
	Stage         string `json:"stage"`   // the mentee's school's stage when empty
	StartTerm     string `json:"start_term"`
	EndTerm       string `json:"end_term"`
	Goals         string `json:"goals"`
	// NamedReason is why the school names a mentee who is not a new
	// teacher (协作式, 提高式); required then.
	NamedReason string `json:"named_reason"`
}

var stages = map[string]bool{"preschool": true, "primary": true, "junior": true, "senior": true, "nine_year": true}

func (in *Input) check() error {
	in.Subject, in.Stage, in.Goals, in.NamedReason = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Stage), strings.TrimSpace(in.Goals), strings.TrimSpace(in.NamedReason)
	in.StartTerm, in.EndTerm = strings.TrimSpace(in.StartTerm), strings.TrimSpace(in.EndTerm)
	var f errs.Fields
	if in.MentorStaffID == 0 {
		f.Add("mentor_staff_id", "field.required", nil)
	}
	if in.MenteeStaffID == 0 {
		f.Add("mentee_staff_id", "field.required", nil)
	}
	if in.MentorStaffID != 0 && in.MentorStaffID == in.MenteeStaffID {
		f.Add("mentee_staff_id", "mentoring.rule.not_self", nil)
	}
	if !validKind(in.Kind) {
		f.Add("kind", "mentoring.kind", nil)
	}
	if in.Stage != "" && !stages[in.Stage] {
		f.Add("stage", "mentoring.stage", nil)
	}
	if len([]rune(in.Subject)) > 40 {
		f.Add("subject", "field.max", errs.Args{"max": 40})
	}
	if !validTerm(in.StartTerm) {
		f.Add("start_term", "mentoring.term", nil)
	}
	if !validTerm(in.EndTerm) {
		f.Add("end_term", "mentoring.term", nil)
	} else if validTerm(in.StartTerm) && in.EndTerm < in.StartTerm {
		f.Add("end_term", "mentoring.term_order", nil)
	}
	if in.Goals == "" || len([]rune(in.Goals)) > 2000 {
		f.Add("goals", "field.required_max", errs.Args{"max": 2000})
	}
	if len([]rune(in.NamedReason)) > 500 {
		f.Add("named_reason", "field.max", errs.Args{"max": 500})
	}
	return f.Err()
}

// placement decides the pair's group and whether the actor may propose it:
// a cross-school pair belongs to the group both schools are members of now
// and is proposed by that group; a pair inside one school by the school (or
// its group).
func placement(ctx context.Context, q store.Reader, a auth.Actor, mentorSchool, menteeSchool int64) (int64, error) {
	r := a.Reach(auth.PermMentoringManage)
	mg, err := registry.CurrentGroups(ctx, q, mentorSchool)
	if err != nil {
		return 0, err
	}
	eg, err := registry.CurrentGroups(ctx, q, menteeSchool)
	if err != nil {
		return 0, err
	}
	if !r.SchoolIn(mentorSchool, mg...) {
		return 0, errs.NotFoundError("staff")
	}
	if !r.SchoolIn(menteeSchool, eg...) {
		return 0, errs.NotFoundError("staff")
	}
	if mentorSchool == menteeSchool {
		if len(eg) > 0 {
			return eg[0], nil
		}
		return 0, nil
	}
	for _, g := range mg {
		for _, h := range eg {
			if g == h {
				if !r.Group(g) {
					// Both schools are reached (a school admin of each, say),
					// but a pair across schools is the group's to make.
					return 0, errs.New(errs.Forbidden, "mentoring.cross_school_by_group", nil)
				}
				return g, nil
			}
		}
	}
	return 0, errs.RuleError(RuleSameGroup, "mentoring.rule.same_group", nil)
}

// Create proposes a pair. The rules are checked now and again when the last
// confirmation makes it active.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (Detail, error) {
	if !a.Has(auth.PermMentoringManage) {
		return Detail{}, errs.ForbiddenError()
	}
	if err := in.check(); err != nil {
		return Detail{}, err
	}
	m, err := s.settings(ctx)
	if err != nil {
		return Detail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		mentor, err := s.person(ctx, tx, in.MentorStaffID, "mentor_staff_id")
		if err != nil {
			return err
		}
		mentee, err := s.person(ctx, tx, in.MenteeStaffID, "mentee_staff_id")
		if err != nil {
			return err
		}
		group, err := placement(ctx, tx, a, mentor.schoolID, mentee.schoolID)
		if err != nil {
			return err
		}
		if err := checkMentor(ctx, tx, m, mentor, 0); err != nil {
			return err
		}
		if err := checkMentee(ctx, tx, m, mentee, in.NamedReason, 0); err != nil {
			return err
		}
		if in.Subject == "" {
			in.Subject = mentee.subject
		}
		if in.Stage == "" {
			in.Stage = mentee.stage
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO mentoring_pairs (group_id, mentor_staff_id, mentee_staff_id, mentor_school_id, mentee_school_id,
			subject, stage, kind, start_term, end_term, goals, named_reason, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
			nullID(group), mentor.id, mentee.id, mentor.schoolID, mentee.schoolID, in.Subject, in.Stage, in.Kind, in.StartTerm, in.EndTerm,
			in.Goals, in.NamedReason, Proposed, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		if err := addStep(ctx, tx, a, id, "create", "", Proposed, ""); err != nil {
			return err
		}
		p, err := s.get(ctx, tx, auth.SystemActor("mentoring"), id)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, a, p, "create", "", Proposed, ""); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "mentoring.create", ObjectType: "mentoring_pair", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"mentor_staff_id": mentor.id, "mentee_staff_id": mentee.id, "mentor_school_id": mentor.schoolID,
				"mentee_school_id": mentee.schoolID, "group_id": group, "kind": in.Kind, "subject": in.Subject, "stage": in.Stage,
				"start_term": in.StartTerm, "end_term": in.EndTerm, "named_reason": in.NamedReason, "mentor_basis": mentorBasis(m, mentor)}}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// actions is what the actor may do to a pair now.
type actions map[string]bool

var actionOrder = []string{"confirm_mentor", "confirm_mentee", "confirm_mentor_school", "confirm_mentee_school", "decline", "cancel", "end"}

func (c actions) list() []string {
	out := []string{}
	for _, name := range actionOrder {
		if c[name] {
			out = append(out, name)
		}
	}
	return out
}

// manages: the actor may cancel or end the pair — its group, or for a pair
// inside one school, that school.
func manages(a auth.Actor, p Pair) bool {
	r := a.Reach(auth.PermMentoringManage)
	if r.Group(p.GroupID) {
		return true
	}
	return !p.CrossSchool && r.School(p.MenteeSchoolID)
}

// allowed decides the actions from the state and the actor's grants. A
// person confirms their own side; a principal (school admin) their school's;
// the System actor (the demo, imports) any side it names.
func allowed(a auth.Actor, p Pair) actions {
	c := actions{}
	switch p.Status {
	case Proposed:
		r := a.Reach(auth.PermMentoringConfirm)
		c["confirm_mentor"] = !p.MentorConfirmed && (a.System || (r.Self != 0 && r.Self == p.MentorStaffID))
		c["confirm_mentee"] = !p.MenteeConfirmed && (a.System || (r.Self != 0 && r.Self == p.MenteeStaffID))
		c["confirm_mentor_school"] = !p.MentorSchoolConfirmed && r.School(p.MentorSchoolID)
		c["confirm_mentee_school"] = !p.MenteeSchoolConfirmed && r.School(p.MenteeSchoolID)
		c["decline"] = c["confirm_mentor"] || c["confirm_mentee"] || c["confirm_mentor_school"] || c["confirm_mentee_school"]
		c["cancel"] = manages(a, p)
	case Active:
		c["end"] = manages(a, p)
	}
	return c
}

// Confirmation is one party's (or, with party empty, every party the caller
// may confirm for) agreement to a pair.
type Confirmation struct {
	Party   string `json:"party"`
	Version int    `json:"version"`
}

// Step is the body of decline, cancel and end: the version read and a
// reason.
type StepInput struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

type stepFunc func(tx *sql.Tx, p *Pair, can actions) (to, note string, err error)

// step runs one action on a pair in one transaction with the version check,
// the step record, the notices and the audit record.
func (s *Service) step(ctx context.Context, a auth.Actor, id int64, version int, action string, fn stepFunc) (Detail, error) {
	if !a.Has(auth.PermMentoringRead) && !a.System {
		return Detail{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != p.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		before := p
		from := p.Status
		to, note, err := fn(tx, &p, allowed(a, p))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE mentoring_pairs SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
			to, store.Now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if err := addStep(ctx, tx, a, id, action, from, to, note); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, a, p, action, from, to, note); err != nil {
			return err
		}
		detail := map[string]any{"before": confirmState(before, from), "after": confirmState(p, to), "mentor": p.MentorName, "mentee": p.MenteeName}
		if note != "" {
			detail["note"] = note
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "mentoring." + action, ObjectType: "mentoring_pair", ObjectID: strconv.FormatInt(id, 10), Detail: detail})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

func confirmState(p Pair, status string) map[string]any {
	return map[string]any{"status": status, "mentor_confirmed": p.MentorConfirmed, "mentee_confirmed": p.MenteeConfirmed,
		"mentor_school_confirmed": p.MentorSchoolConfirmed, "mentee_school_confirmed": p.MenteeSchoolConfirmed}
}

func addStep(ctx context.Context, tx *sql.Tx, a auth.Actor, id int64, action, from, to, note string) error {
	name := a.DisplayName
	if name == "" {
		name = a.Username
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mentoring_steps (pair_id, action, from_status, to_status, note, actor, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, action, from, to, note, name, nullID(a.UserID), store.Now())
	return err
}

func wrongState(status string) error {
	return errs.ConflictError("mentoring.wrong_state", errs.Args{"status": status})
}

// partyColumns are each party's confirmation columns.
var partyColumns = map[string][2]string{
	PartyMentor:       {"mentor_confirmed", "mentor_confirmed_by"},
	PartyMentee:       {"mentee_confirmed", "mentee_confirmed_by"},
	PartyMentorSchool: {"mentor_school_confirmed", "mentor_school_confirmed_by"},
	PartyMenteeSchool: {"mentee_school_confirmed", "mentee_school_confirmed_by"},
}

var parties = []string{PartyMentor, PartyMentee, PartyMentorSchool, PartyMenteeSchool}

// Confirm records the caller's confirmation: one party, or every party the
// caller may confirm for when none is named (a principal of an in-school
// pair confirms for both sides at once). With all four the pair is active,
// after the mentor's limit is checked again.
func (s *Service) Confirm(ctx context.Context, a auth.Actor, id int64, in Confirmation) (Detail, error) {
	if in.Party != "" && partyColumns[in.Party][0] == "" {
		return Detail{}, errs.FieldError("party", "mentoring.party", nil)
	}
	return s.step(ctx, a, id, in.Version, "confirm", func(tx *sql.Tx, p *Pair, can actions) (string, string, error) {
		if p.Status != Proposed {
			return "", "", wrongState(p.Status)
		}
		var mine []string
		for _, party := range parties {
			if can["confirm_"+party] && (in.Party == "" || in.Party == party) {
				mine = append(mine, party)
			}
		}
		// The System actor names the side it confirms for.
		if a.System && in.Party == "" {
			return "", "", errs.FieldError("party", "mentoring.party", nil)
		}
		if len(mine) == 0 {
			return "", "", errs.New(errs.Forbidden, "mentoring.not_a_party", nil)
		}
		for _, party := range mine {
			col := partyColumns[party]
			if _, err := tx.ExecContext(ctx, `UPDATE mentoring_pairs SET `+col[0]+` = TRUE, `+col[1]+` = $1 WHERE id = $2`, nullID(a.UserID), p.ID); err != nil {
				return "", "", err
			}
			switch party {
			case PartyMentor:
				p.MentorConfirmed = true
			case PartyMentee:
				p.MenteeConfirmed = true
			case PartyMentorSchool:
				p.MentorSchoolConfirmed = true
			case PartyMenteeSchool:
				p.MenteeSchoolConfirmed = true
			}
		}
		note := strings.Join(mine, ",")
		if !(p.MentorConfirmed && p.MenteeConfirmed && p.MentorSchoolConfirmed && p.MenteeSchoolConfirmed) {
			return Proposed, note, nil
		}
		m, err := s.settings(ctx)
		if err != nil {
			return "", "", err
		}
		var active int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mentoring_pairs WHERE mentor_staff_id = $1 AND status = 'active' AND id <> $2`,
			p.MentorStaffID, p.ID).Scan(&active); err != nil {
			return "", "", err
		}
		if active >= m.MaxMentees {
			return "", "", errs.RuleError(RuleMaxMentees, "mentoring.rule.max_mentees", errs.Args{"count": active, "limit": m.MaxMentees})
		}
		return Active, note, nil
	})
}

func reason(note string) (string, error) {
	note = strings.TrimSpace(note)
	if note == "" || len([]rune(note)) > 500 {
		return "", errs.FieldError("note", "field.required_max", errs.Args{"max": 500})
	}
	return note, nil
}

// Decline refuses a proposed pair, with a reason; any party may.
func (s *Service) Decline(ctx context.Context, a auth.Actor, id int64, in StepInput) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "decline", func(tx *sql.Tx, p *Pair, can actions) (string, string, error) {
		if p.Status != Proposed {
			return "", "", wrongState(p.Status)
		}
		if !can["decline"] {
			return "", "", errs.New(errs.Forbidden, "mentoring.not_a_party", nil)
		}
		note, err := reason(in.Note)
		return Declined, note, err
	})
}

// Cancel withdraws a proposed pair (the group, or the school of an
// in-school pair), with a reason.
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, in StepInput) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "cancel", func(tx *sql.Tx, p *Pair, can actions) (string, string, error) {
		if p.Status != Proposed {
			return "", "", wrongState(p.Status)
		}
		if !can["cancel"] {
			return "", "", errs.ForbiddenError()
		}
		note, err := reason(in.Note)
		return Cancelled, note, err
	})
}

// End closes an active pair (出师, or a pairing cut short), with a note.
func (s *Service) End(ctx context.Context, a auth.Actor, id int64, in StepInput) (Detail, error) {
	return s.step(ctx, a, id, in.Version, "end", func(tx *sql.Tx, p *Pair, can actions) (string, string, error) {
		if p.Status != Active {
			return "", "", wrongState(p.Status)
		}
		if !can["end"] {
			return "", "", errs.ForbiddenError()
		}
		note, err := reason(in.Note)
		return Ended, note, err
	})
}

// Candidates lists the active teachers of one school as mentors or mentees
// under the policy in force, for the pair form. Only a school the actor may
// make pairs in is listed.
func (s *Service) Candidates(ctx context.Context, a auth.Actor, role string, schoolID int64) (CandidateList, error) {
	if !a.Has(auth.PermMentoringManage) {
		return CandidateList{}, errs.ForbiddenError()
	}
	if role != PartyMentor && role != PartyMentee {
		return CandidateList{}, errs.FieldError("role", "mentoring.candidate_role", nil)
	}
	if schoolID == 0 {
		return CandidateList{}, errs.FieldError("school_id", "field.required", nil)
	}
	groups, err := registry.CurrentGroups(ctx, s.st.R, schoolID)
	if err != nil {
		return CandidateList{}, err
	}
	if !a.Reach(auth.PermMentoringManage).SchoolIn(schoolID, groups...) {
		return CandidateList{}, errs.NotFoundError("school")
	}
	m, err := s.settings(ctx)
	if err != nil {
		return CandidateList{}, err
	}
	open := `(SELECT count(*) FROM mentoring_pairs p WHERE p.mentor_staff_id = st.id AND p.status IN ('proposed', 'active'))`
	if role == PartyMentee {
		open = `(SELECT count(*) FROM mentoring_pairs p WHERE p.mentee_staff_id = st.id AND p.status IN ('proposed', 'active'))`
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT st.id, st.name, st.school_id, sc.name, st.subject, st.title, st.honours, st.hire_date, `+open+`
		FROM staff st JOIN schools sc ON sc.id = st.school_id WHERE st.school_id = $1 AND st.status = 'active' AND st.post = 'teacher' ORDER BY st.name, st.id`, schoolID)
	if err != nil {
		return CandidateList{}, err
	}
	defer rows.Close()
	out := CandidateList{Items: []Candidate{}, MaxMentees: m.MaxMentees, MaxYears: m.MenteeMaxYears}
	today := s.Today()
	for rows.Next() {
		var c Candidate
		var hire store.Date
		if err := rows.Scan(&c.StaffID, &c.Name, &c.SchoolID, &c.SchoolName, &c.Subject, &c.Title, &c.Honours, &hire, &c.Open); err != nil {
			return out, err
		}
		c.Years = TeachingYears(hire, today)
		if role == PartyMentor {
			c.Basis = mentorBasis(m, person{title: c.Title, honours: c.Honours, years: c.Years})
			if c.Basis == "" {
				continue
			}
			c.Eligible = c.Open < m.MaxMentees
		} else {
			// A teacher who is not new may still be named, with a reason.
			c.IsNew = isNew(m, c.Years)
			c.Eligible = c.Open == 0 && c.IsNew
		}
		out.Items = append(out.Items, c)
	}
	return out, rows.Err()
}
