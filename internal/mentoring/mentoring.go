// Package mentoring is 三(二) 教师结对 (以老带新, 青蓝工程): a mentor — a
// 学科带头人, 骨干教师 or experienced teacher — paired with a new teacher,
// usually of another school of the same group, confirmed by both people and
// both schools; and the coverage the group and the county watch: whether
// every member school's new teachers have a mentor. Who may mentor or be
// mentored, and how many mentees a mentor takes, are policy settings.
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
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The kinds of pair (入门式, 协作式, 提高式).
const (
	KindIntro   = "intro"   // 入门: a new hire learning the job
	KindCollab  = "collab"  // 协作: working side by side
	KindAdvance = "advance" // 提高: a teacher going further
)

// The states of a pair. A pair is proposed until the mentor, the mentee and
// both schools have confirmed it; any of them may decline it instead.
const (
	Proposed  = "proposed"
	Active    = "active"
	Declined  = "declined"
	Cancelled = "cancelled"
	Ended     = "ended"
)

// The parties who confirm a pair.
const (
	PartyMentor       = "mentor"
	PartyMentee       = "mentee"
	PartyMentorSchool = "mentor_school"
	PartyMenteeSchool = "mentee_school"
)

// Service keeps the pairs.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	// Today is the calendar date teaching years and terms are judged on;
	// tests set it.
	Today func() store.Date
	// Notices receives the notifications of each step, in its transaction;
	// nil sends none.
	Notices workbench.Poster
}

// NewService wires the mentoring capability.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, Today: store.Today}
}

// settings is the mentoring section of the policy in force today.
func (s *Service) settings(ctx context.Context) (policy.Mentoring, error) {
	v, err := s.pol.InForce(ctx, s.Today())
	return v.Settings.Mentoring, err
}

// Pair is one mentor and one mentee.
type Pair struct {
	ID                    int64     `json:"id"`
	GroupID               int64     `json:"group_id"`
	GroupName             string    `json:"group_name"`
	MentorStaffID         int64     `json:"mentor_staff_id"`
	MentorName            string    `json:"mentor_name"`
	MentorTitle           string    `json:"mentor_title"`
	MentorHonours         string    `json:"mentor_honours"`
	MentorSchoolID        int64     `json:"mentor_school_id"`
	MentorSchoolName      string    `json:"mentor_school_name"`
	MenteeStaffID         int64     `json:"mentee_staff_id"`
	MenteeName            string    `json:"mentee_name"`
	MenteeSchoolID        int64     `json:"mentee_school_id"`
	MenteeSchoolName      string    `json:"mentee_school_name"`
	CrossSchool           bool      `json:"cross_school"`
	Subject               string    `json:"subject"`
	Stage                 string    `json:"stage"`
	Kind                  string    `json:"kind" enum:"intro,collab,advance"`
	StartTerm             string    `json:"start_term"`
	EndTerm               string    `json:"end_term"`
	Goals                 string    `json:"goals"`
	NamedReason           string    `json:"named_reason"`
	Status                string    `json:"status" enum:"proposed,active,declined,cancelled,ended"`
	MentorConfirmed       bool      `json:"mentor_confirmed"`
	MenteeConfirmed       bool      `json:"mentee_confirmed"`
	MentorSchoolConfirmed bool      `json:"mentor_school_confirmed"`
	MenteeSchoolConfirmed bool      `json:"mentee_school_confirmed"`
	CreatedBy             string    `json:"created_by"`
	createdByID           int64     // the account that proposed it, told when it is decided
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
	Version               int       `json:"version"`
}

const selectPair = `SELECT p.id, COALESCE(p.group_id, 0), COALESCE(g.name, ''), p.mentor_staff_id, ms.name, ms.title, ms.honours, p.mentor_school_id, mh.name,
	p.mentee_staff_id, es.name, p.mentee_school_id, eh.name, p.subject, p.stage, p.kind, p.start_term, p.end_term, p.goals, p.named_reason, p.status,
	p.mentor_confirmed, p.mentee_confirmed, p.mentor_school_confirmed, p.mentee_school_confirmed, COALESCE(cu.display_name, ''), COALESCE(p.created_by, 0),
	p.created_at, p.updated_at, p.version
	FROM mentoring_pairs p LEFT JOIN edu_groups g ON g.id = p.group_id
	JOIN staff ms ON ms.id = p.mentor_staff_id JOIN schools mh ON mh.id = p.mentor_school_id
	JOIN staff es ON es.id = p.mentee_staff_id JOIN schools eh ON eh.id = p.mentee_school_id
	LEFT JOIN users cu ON cu.id = p.created_by`

func scanPair(row interface{ Scan(...any) error }) (Pair, error) {
	var p Pair
	err := row.Scan(&p.ID, &p.GroupID, &p.GroupName, &p.MentorStaffID, &p.MentorName, &p.MentorTitle, &p.MentorHonours, &p.MentorSchoolID, &p.MentorSchoolName,
		&p.MenteeStaffID, &p.MenteeName, &p.MenteeSchoolID, &p.MenteeSchoolName, &p.Subject, &p.Stage, &p.Kind, &p.StartTerm, &p.EndTerm, &p.Goals, &p.NamedReason, &p.Status,
		&p.MentorConfirmed, &p.MenteeConfirmed, &p.MentorSchoolConfirmed, &p.MenteeSchoolConfirmed, &p.CreatedBy, &p.createdByID,
		&p.CreatedAt, &p.UpdatedAt, &p.Version)
	p.CrossSchool = p.MentorSchoolID != p.MenteeSchoolID
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// visible narrows a query on pairs p to the actor's scope: the county, the
// pairs of a group led, those with either side in the actor's school, or the
// person's own as mentor or mentee.
func visible(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermMentoringRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "p.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		in := w.In(r.Schools)
		alts = append(alts, "p.mentor_school_id IN "+in+" OR p.mentee_school_id IN "+in)
	}
	if r.Self != 0 {
		p := w.Arg(r.Self)
		alts = append(alts, "p.mentor_staff_id = "+p+" OR p.mentee_staff_id = "+p)
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// get reads one pair in the actor's scope; out of scope is not found.
func (s *Service) get(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Pair, error) {
	var w store.Where
	w.Add("p.id = ?", id)
	visible(&w, a)
	p, err := scanPair(q.QueryRowContext(ctx, selectPair+w.SQL(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.NotFoundError("pair")
	}
	return p, err
}

// Filter narrows the list of pairs.
type Filter struct {
	Status   string
	Kind     string
	GroupID  int64
	SchoolID int64 // either side
	StaffID  int64 // as mentor or mentee
	Q        string
	Page     int
	Size     int
}

func (f Filter) where(w *store.Where) error {
	var fields errs.Fields
	if f.Status != "" {
		if !validStatus(f.Status) {
			fields.Add("status", "mentoring.status", nil)
		}
		w.Add("p.status = ?", f.Status)
	}
	if f.Kind != "" {
		if !validKind(f.Kind) {
			fields.Add("kind", "mentoring.kind", nil)
		}
		w.Add("p.kind = ?", f.Kind)
	}
	if f.GroupID != 0 {
		w.Add("p.group_id = ?", f.GroupID)
	}
	if f.SchoolID != 0 {
		w.Add("(p.mentor_school_id = ? OR p.mentee_school_id = ?)", f.SchoolID, f.SchoolID)
	}
	if f.StaffID != 0 {
		w.Add("(p.mentor_staff_id = ? OR p.mentee_staff_id = ?)", f.StaffID, f.StaffID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add("(ms.name LIKE ? ESCAPE '\\' OR es.name LIKE ? ESCAPE '\\')", store.Contains(q), store.Contains(q))
	}
	return fields.Err()
}

// List is the pairs in the actor's scope, newest first.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Pair, int, error) {
	if !a.Has(auth.PermMentoringRead) {
		return nil, 0, errs.ForbiddenError()
	}
	var w store.Where
	visible(&w, a)
	if err := f.where(&w); err != nil {
		return nil, 0, err
	}
	from := ` FROM mentoring_pairs p JOIN staff ms ON ms.id = p.mentor_staff_id JOIN staff es ON es.id = p.mentee_staff_id`
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*)`+from+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := selectPair + w.SQL() + ` ORDER BY p.id DESC`
	if f.Size > 0 {
		q += ` LIMIT ` + w.Arg(f.Size) + ` OFFSET ` + w.Arg((f.Page-1)*f.Size)
	}
	out, err := queryPairs(ctx, s.st.R, q, w.Args...)
	return out, total, err
}

func queryPairs(ctx context.Context, q store.Reader, sqlText string, args ...any) ([]Pair, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Pair{}
	for rows.Next() {
		p, err := scanPair(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Step is one thing done to a pair.
type Step struct {
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Note   string    `json:"note"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// Detail is a pair with its steps, what the caller may do now, and the
// duties of the agreement (the policy in force).
type Detail struct {
	Pair
	Steps   []Step        `json:"steps"`
	Actions []string      `json:"actions"`
	Duties  policy.Duties `json:"duties"`
	// Activities are the pair's logged activities, newest first; Progress
	// counts the confirmed ones per term against the duties.
	Activities []Activity `json:"activities"`
	Progress   []Progress `json:"progress"`
	// Reviews are the term-end reviews; ReviewTerm is the term whose review
	// is open now ("" when none is).
	Reviews    []Review `json:"reviews"`
	ReviewTerm string   `json:"review_term"`
	// Studies are the mentee's 跟岗学习 at the mentor's school with this
	// mentor (the exchange capability's applications).
	Studies []Study `json:"studies"`
	// MySide is the caller's side of the pair: mentor, mentee or "".
	MySide string `json:"my_side" enum:",mentor,mentee"`
}

// Study is a 跟岗学习 of the mentee with the mentor.
type Study struct {
	ExchangeID int64      `json:"exchange_id"`
	HostSchool string     `json:"host_school"`
	StartOn    store.Date `json:"start_on"`
	EndOn      store.Date `json:"end_on"`
	Status     string     `json:"status"`
}

// Detail reads one pair.
func (s *Service) Detail(ctx context.Context, a auth.Actor, id int64) (Detail, error) {
	if !a.Has(auth.PermMentoringRead) {
		return Detail{}, errs.ForbiddenError()
	}
	p, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Pair: p, Steps: []Step{}, Actions: allowed(a, p).list()}
	rows, err := s.st.R.QueryContext(ctx, `SELECT action, from_status, to_status, note, actor, at FROM mentoring_steps WHERE pair_id = $1 ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Action, &st.From, &st.To, &st.Note, &st.Actor, &st.At); err != nil {
			return d, err
		}
		st.At = st.At.UTC()
		d.Steps = append(d.Steps, st)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	m, err := s.settings(ctx)
	if err != nil {
		return d, err
	}
	d.Duties = m.Duties
	if d.Activities, err = s.activities(ctx, s.st.R, id); err != nil {
		return d, err
	}
	today := s.Today()
	d.Progress = progress(m.Duties, p, d.Activities, today)
	if d.Reviews, err = s.reviews(ctx, s.st.R, id); err != nil {
		return d, err
	}
	d.ReviewTerm = reviewTerm(p, d.Reviews, today)
	d.MySide = side(a, p)
	d.Actions = append(d.Actions, extraActions(a, p, d.ReviewTerm, d.Reviews)...)
	d.Studies, err = s.studies(ctx, p)
	return d, err
}

// reviewTerm is the term of the pairing whose review is open today: the
// current term from a month before its end, else the one before, while it
// is not graded.
func reviewTerm(p Pair, reviews []Review, today store.Date) string {
	t := TermOf(today)
	if _, end := TermBounds(t); today.Before(end.AddDate(0, 0, -ReviewOpensDays)) {
		t = prevTerm(t)
	}
	if t < p.StartTerm {
		return ""
	}
	if t > p.EndTerm {
		t = p.EndTerm
	}
	for _, r := range reviews {
		if r.Term == t && r.Grade != "" {
			return ""
		}
	}
	return t
}

// prevTerm is the term before t.
func prevTerm(t string) string {
	m := termPattern.FindStringSubmatch(t)
	if m == nil {
		return ""
	}
	if m[3] == "2" {
		return m[1] + "-" + m[2] + "-1"
	}
	a, _ := strconv.Atoi(m[1])
	return strconv.Itoa(a-1) + "-" + m[1] + "-2"
}

// extraActions are the actions on an active pair's record: logging an
// activity (either person), writing a part of the open review, and
// starting a 跟岗学习 at the mentor's school (the mentee, across schools).
func extraActions(a auth.Actor, p Pair, term string, reviews []Review) []string {
	var out []string
	me := side(a, p)
	if p.Status == Active && me != "" {
		out = append(out, "log_activity")
	}
	if term != "" && (p.Status == Active || p.Status == Ended) {
		var r Review
		for _, x := range reviews {
			if x.Term == term {
				r = x
			}
		}
		if me == PartyMentee {
			out = append(out, "review_mentee")
		}
		if me == PartyMentor {
			out = append(out, "review_mentor")
		}
		if r.MenteeAt != nil && r.MentorAt != nil && a.Reach(auth.PermMentoringConfirm).School(p.MenteeSchoolID) {
			out = append(out, "review_school")
		}
	}
	if p.Status == Active && p.CrossSchool && me == PartyMentee {
		out = append(out, "start_study")
	}
	return out
}

// studies reads the mentee's 跟岗学习 with the mentor, newest first.
func (s *Service) studies(ctx context.Context, p Pair) ([]Study, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT x.id, h.name, x.start_on, x.end_on, x.status FROM exchanges x JOIN schools h ON h.id = x.host_school_id
		WHERE x.kind = 'study' AND x.staff_id = $1 AND x.mentor_staff_id = $2 ORDER BY x.start_on DESC, x.id DESC`, p.MenteeStaffID, p.MentorStaffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Study{}
	for rows.Next() {
		var x Study
		if err := rows.Scan(&x.ExchangeID, &x.HostSchool, &x.StartOn, &x.EndOn, &x.Status); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func validKind(k string) bool { return k == KindIntro || k == KindCollab || k == KindAdvance }

func validStatus(st string) bool {
	switch st {
	case Proposed, Active, Declined, Cancelled, Ended:
		return true
	}
	return false
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func link(p Pair) string { return "/mentoring/pairs/" + strconv.FormatInt(p.ID, 10) }

// subject names the pair as anyone who may see it may.
func subject(p Pair) string { return p.MentorName + " → " + p.MenteeName }
