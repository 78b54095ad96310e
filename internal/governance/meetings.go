package governance

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The stored states of a follow-up (督办); overdue is derived: not done and
// past its due date.
const (
	NotStarted = "not_started"
	InProgress = "in_progress"
	Done       = "done"
	Overdue    = "overdue"
)

// Attendee is one school at a meeting with the names of who came.
type Attendee struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Names      string `json:"names"`
}

// Meeting is a group's (or the county's) work meeting.
type Meeting struct {
	ID        int64      `json:"id"`
	GroupID   int64      `json:"group_id"` // 0: a county meeting
	GroupName string     `json:"group_name"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	HeldOn    store.Date `json:"held_on" openapi:"notnull"`
	Place     string     `json:"place"`
	Minutes   string     `json:"minutes"`
	// The follow-ups of the meeting the caller sees: how many, how many
	// open and how many overdue.
	Followups int       `json:"followups"`
	Open      int       `json:"open"`
	Late      int       `json:"late"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// Followup is one decision of a meeting followed to its closing (督办).
type Followup struct {
	ID            int64      `json:"id"`
	MeetingID     int64      `json:"meeting_id"`
	MeetingTitle  string     `json:"meeting_title"`
	GroupID       int64      `json:"group_id"`
	Decision      string     `json:"decision"`
	OwnerSchoolID int64      `json:"owner_school_id"`
	OwnerSchool   string     `json:"owner_school"`
	OwnerPerson   string     `json:"owner_person"`
	DueOn         store.Date `json:"due_on" openapi:"notnull"`
	// Status is not_started, in_progress, done, or overdue (not done and
	// past the due date); DueSoon flags an open one within the policy's
	// days of its due date.
	Status      string     `json:"status" enum:"not_started,in_progress,done,overdue"`
	DueSoon     bool       `json:"due_soon"`
	Reports     int        `json:"reports"`
	ClosingNote string     `json:"closing_note"`
	ClosedBy    string     `json:"closed_by"`
	ClosedOn    store.Date `json:"closed_on"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int        `json:"version"`
}

// Report is one progress report on a follow-up.
type Report struct {
	Progress   string    `json:"progress"`
	Evidence   string    `json:"evidence"`
	ReportedBy string    `json:"reported_by"`
	ReportedAt time.Time `json:"reported_at"`
}

// DecisionInput is one decision of a meeting that becomes a follow-up.
type DecisionInput struct {
	Decision      string     `json:"decision"`
	OwnerSchoolID int64      `json:"owner_school_id"`
	OwnerPerson   string     `json:"owner_person"`
	DueOn         store.Date `json:"due_on"`
}

// AttendeeInput is a school at the meeting and who came.
type AttendeeInput struct {
	SchoolID int64  `json:"school_id"`
	Names    string `json:"names"`
}

// MeetingInput records a meeting with its decisions. GroupID 0 is a county
// meeting (the county's grant only).
type MeetingInput struct {
	GroupID   int64           `json:"group_id"`
	Kind      string          `json:"kind"`
	Title     string          `json:"title"`
	HeldOn    store.Date      `json:"held_on"`
	Place     string          `json:"place"`
	Minutes   string          `json:"minutes"`
	Attendees []AttendeeInput `json:"attendees" openapi:"nullable"`
	Decisions []DecisionInput `json:"decisions" openapi:"nullable"`
}

// ProgressInput is a progress report; version is the follow-up's version read.
type ProgressInput struct {
	Version  int    `json:"version"`
	Progress string `json:"progress"`
	Evidence string `json:"evidence"`
}

// CloseInput closes a follow-up with the organiser's note.
type CloseInput struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// MeetingDetail is a meeting with its attendees, the follow-ups the caller
// sees and what it may do.
type MeetingDetail struct {
	Meeting   Meeting    `json:"meeting"`
	Attendees []Attendee `json:"attendees"`
	Followups []Followup `json:"followups"`
	Actions   []string   `json:"actions"`
}

// FollowupDetail is a follow-up with its reports and what the caller may do.
type FollowupDetail struct {
	Followup Followup `json:"followup"`
	Reports  []Report `json:"reports"`
	Actions  []string `json:"actions"`
}

// MeetingFilter narrows the meetings list.
type MeetingFilter struct {
	GroupID    int64
	Kind       string
	Q          string
	Page, Size int
}

// FollowupFilter narrows the follow-ups board.
type FollowupFilter struct {
	GroupID    int64
	SchoolID   int64
	MeetingID  int64
	Status     string // not_started, in_progress, done, overdue, open (not done)
	Q          string
	Page, Size int
}

const (
	maxMinutes  = 20000
	maxDecision = 1000
	maxProgress = 2000
)

func (s *Service) meetingSettings(ctx context.Context) (policy.Meetings, error) {
	v, err := s.pol.Today(ctx)
	return v.Settings.Meetings, err
}

// organises: the actor runs meeting m (its group's admin; the county for a
// county meeting).
func organises(a auth.Actor, group int64) bool {
	if !a.Has(auth.PermMeetingsManage) {
		return false
	}
	r := a.Reach(auth.PermMeetingsManage)
	if group == 0 {
		return r.County
	}
	return r.Group(group)
}

// visibleMeetings narrows a query on meetings m: the county all; a group
// its own; a school its groups' meetings, and those it attended or owns a
// follow-up of.
func visibleMeetings(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermMeetingsRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "m.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "m.group_id IN (SELECT group_id FROM group_members WHERE left_on IS NULL AND school_id IN "+w.In(r.Schools)+")",
			"m.id IN (SELECT meeting_id FROM meeting_attendees WHERE school_id IN "+w.In(r.Schools)+")",
			"m.id IN (SELECT meeting_id FROM followups WHERE owner_school_id IN "+w.In(r.Schools)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// visibleFollowups narrows a query on followups f joined to meetings m:
// the county all; a group its meetings'; a school its own.
func visibleFollowups(w *store.Where, a auth.Actor) { w.Add(followupScope(w, a)) }

// followupScope is the condition on followups f (joined to meetings m)
// that keeps the follow-ups the actor sees; each call writes fresh
// placeholders, as each subquery needs its own arguments.
func followupScope(w *store.Where, a auth.Actor) string {
	r := a.Reach(auth.PermMeetingsRead)
	if r.County {
		return "1 = 1"
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "m.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "f.owner_school_id IN "+w.In(r.Schools))
	}
	if len(alts) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// followupCounts are the counts of a meeting's follow-ups the actor sees:
// all, open, overdue.
func followupCounts(w *store.Where, a auth.Actor, today store.Date) string {
	return `(SELECT count(*) FROM followups f WHERE f.meeting_id = m.id AND ` + followupScope(w, a) + `),
		(SELECT count(*) FROM followups f WHERE f.meeting_id = m.id AND f.status <> 'done' AND ` + followupScope(w, a) + `),
		(SELECT count(*) FROM followups f WHERE f.meeting_id = m.id AND f.status <> 'done' AND f.due_on < ` + w.Arg(today) + ` AND ` + followupScope(w, a) + `)`
}

func selectMeeting(w *store.Where, a auth.Actor, today store.Date) string {
	return `SELECT m.id, COALESCE(m.group_id, 0), COALESCE(g.name, ''), m.kind, m.title, m.held_on, m.place, m.minutes, m.updated_at, m.version, ` +
		followupCounts(w, a, today) + ` FROM meetings m LEFT JOIN edu_groups g ON g.id = m.group_id`
}

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.GroupID, &m.GroupName, &m.Kind, &m.Title, &m.HeldOn, &m.Place, &m.Minutes, &m.UpdatedAt, &m.Version, &m.Followups, &m.Open, &m.Late)
	m.UpdatedAt = m.UpdatedAt.UTC()
	return m, err
}

const selectFollowup = `SELECT f.id, f.meeting_id, m.title, COALESCE(m.group_id, 0), f.decision, f.owner_school_id, sc.name, f.owner_person, f.due_on, f.status,
	(SELECT count(*) FROM followup_reports r WHERE r.followup_id = f.id), f.closing_note, f.closed_by, f.closed_on, f.updated_at, f.version
	FROM followups f JOIN meetings m ON m.id = f.meeting_id JOIN schools sc ON sc.id = f.owner_school_id`

func (s *Service) scanFollowup(row interface{ Scan(...any) error }, today store.Date, soon int) (Followup, error) {
	var f Followup
	err := row.Scan(&f.ID, &f.MeetingID, &f.MeetingTitle, &f.GroupID, &f.Decision, &f.OwnerSchoolID, &f.OwnerSchool, &f.OwnerPerson, &f.DueOn, &f.Status,
		&f.Reports, &f.ClosingNote, &f.ClosedBy, &f.ClosedOn, &f.UpdatedAt, &f.Version)
	f.UpdatedAt = f.UpdatedAt.UTC()
	if f.Status != Done {
		if today.After(f.DueOn.Time) {
			f.Status = Overdue
		} else if !f.DueOn.After(today.AddDate(0, 0, soon)) {
			f.DueSoon = true
		}
	}
	return f, err
}

// CreateMeeting records a meeting, its attendees and its decisions as
// follow-ups (the group admin; 基教股 for a county meeting).
func (s *Service) CreateMeeting(ctx context.Context, a auth.Actor, in MeetingInput) (MeetingDetail, error) {
	if !organises(a, in.GroupID) {
		if in.GroupID == 0 {
			return MeetingDetail{}, errs.FieldError("group_id", "field.required", nil)
		}
		return MeetingDetail{}, errs.NotFoundError("group")
	}
	set, err := s.meetingSettings(ctx)
	if err != nil {
		return MeetingDetail{}, err
	}
	in.Kind, in.Title, in.Place, in.Minutes = trim(in.Kind), trim(in.Title), trim(in.Place), trim(in.Minutes)
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var f errs.Fields
		if !slices.ContainsFunc(set.Kinds, func(c policy.Code) bool { return c.Code == in.Kind }) {
			var codes []string
			for _, c := range set.Kinds {
				codes = append(codes, c.Code)
			}
			f.Add("kind", "field.one_of", errs.Args{"values": strings.Join(codes, ", ")})
		}
		if in.Title == "" || len([]rune(in.Title)) > maxTitle {
			f.Add("title", "field.required_max", errs.Args{"max": maxTitle})
		}
		today := s.Today()
		if in.HeldOn.IsZero() {
			f.Add("held_on", "field.required", nil)
		} else if in.HeldOn.After(today.Time) {
			f.Add("held_on", "meetings.held_future", nil)
		}
		if len([]rune(in.Place)) > maxTitle {
			f.Add("place", "field.max", errs.Args{"max": maxTitle})
		}
		if len([]rune(in.Minutes)) > maxMinutes {
			f.Add("minutes", "field.max", errs.Args{"max": maxMinutes})
		}
		if len(in.Decisions) > set.MaxDecisions {
			f.Add("decisions", "meetings.decisions_max", errs.Args{"max": set.MaxDecisions})
		}
		// The schools a group meeting names are its current members; a
		// county meeting may name any school.
		var allowed map[int64]bool
		if in.GroupID != 0 {
			ms, err := members(ctx, tx, in.GroupID)
			if err != nil {
				return err
			}
			allowed = map[int64]bool{}
			for _, m := range ms {
				allowed[m.ID] = true
			}
		}
		known := func(school int64) (bool, error) {
			if allowed != nil {
				return allowed[school], nil
			}
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $1`, school).Scan(&n)
			return n > 0, err
		}
		seen := map[int64]bool{}
		for i, at := range in.Attendees {
			ok, err := known(at.SchoolID)
			if err != nil {
				return err
			}
			if !ok {
				f.Add(fmt.Sprintf("attendees[%d].school_id", i), "meetings.school", nil)
			} else if seen[at.SchoolID] {
				f.Add(fmt.Sprintf("attendees[%d].school_id", i), "meetings.school_twice", nil)
			}
			seen[at.SchoolID] = true
			in.Attendees[i].Names = trim(at.Names)
			if len([]rune(in.Attendees[i].Names)) > maxReason {
				f.Add(fmt.Sprintf("attendees[%d].names", i), "field.max", errs.Args{"max": maxReason})
			}
		}
		for i, d := range in.Decisions {
			d.Decision, d.OwnerPerson = trim(d.Decision), trim(d.OwnerPerson)
			in.Decisions[i] = d
			at := func(f string) string { return fmt.Sprintf("decisions[%d].%s", i, f) }
			if d.Decision == "" || len([]rune(d.Decision)) > maxDecision {
				f.Add(at("decision"), "field.required_max", errs.Args{"max": maxDecision})
			}
			if ok, err := known(d.OwnerSchoolID); err != nil {
				return err
			} else if !ok {
				f.Add(at("owner_school_id"), "meetings.school", nil)
			}
			if d.OwnerPerson == "" || len([]rune(d.OwnerPerson)) > maxHeading {
				f.Add(at("owner_person"), "field.required_max", errs.Args{"max": maxHeading})
			}
			if d.DueOn.IsZero() {
				f.Add(at("due_on"), "field.required", nil)
			} else if !in.HeldOn.IsZero() && d.DueOn.Before(in.HeldOn.Time) {
				f.Add(at("due_on"), "meetings.due_before_held", nil)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO meetings (group_id, kind, title, held_on, place, minutes, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, nullID(in.GroupID), in.Kind, in.Title, in.HeldOn, in.Place, in.Minutes, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		for _, at := range in.Attendees {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_attendees (meeting_id, school_id, names) VALUES ($1, $2, $3)`, id, at.SchoolID, at.Names); err != nil {
				return err
			}
		}
		var fids []int64
		for _, d := range in.Decisions {
			var fid int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO followups (meeting_id, decision, owner_school_id, owner_person, due_on, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, id, d.Decision, d.OwnerSchoolID, d.OwnerPerson, d.DueOn, now).Scan(&fid); err != nil {
				return err
			}
			fids = append(fids, fid)
			if err := s.notifyFollowup(ctx, tx, a, fid, d.OwnerSchoolID, "assigned", in.Title+" · "+short(d.Decision), ""); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "meetings.create", ObjectType: "meeting", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"group_id": in.GroupID, "kind": in.Kind, "title": in.Title, "held_on": in.HeldOn.String(), "place": in.Place,
				"attendees": in.Attendees, "decisions": in.Decisions, "followup_ids": fids}}})
	})
	if err != nil {
		return MeetingDetail{}, err
	}
	return s.MeetingDetail(ctx, a, id)
}

// short is the first 40 characters of a decision, for a notice's subject.
func short(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// MeetingDetail is one meeting in the actor's scope.
func (s *Service) MeetingDetail(ctx context.Context, a auth.Actor, id int64) (MeetingDetail, error) {
	if !a.Has(auth.PermMeetingsRead) {
		return MeetingDetail{}, errs.ForbiddenError()
	}
	today := s.Today()
	var w store.Where
	text := selectMeeting(&w, a, today)
	w.Add("m.id = ?", id)
	visibleMeetings(&w, a)
	m, err := scanMeeting(s.st.R.QueryRowContext(ctx, text+w.SQL(), w.Args...))
	if err != nil {
		return MeetingDetail{}, notFound(err, "meeting")
	}
	d := MeetingDetail{Meeting: m, Attendees: []Attendee{}, Actions: []string{}}
	rows, err := s.st.R.QueryContext(ctx, `SELECT ma.school_id, sc.name, ma.names FROM meeting_attendees ma JOIN schools sc ON sc.id = ma.school_id
		WHERE ma.meeting_id = $1 ORDER BY sc.id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var at Attendee
		if err := rows.Scan(&at.SchoolID, &at.SchoolName, &at.Names); err != nil {
			return d, err
		}
		d.Attendees = append(d.Attendees, at)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	fs, _, err := s.Followups(ctx, a, FollowupFilter{MeetingID: id, Page: 1, Size: 10000})
	if err != nil {
		return d, err
	}
	d.Followups = fs
	if organises(a, m.GroupID) {
		d.Actions = append(d.Actions, "close")
	}
	return d, nil
}

// Meetings lists the meetings in the actor's scope, newest first.
func (s *Service) Meetings(ctx context.Context, a auth.Actor, f MeetingFilter) ([]Meeting, int, error) {
	if !a.Has(auth.PermMeetingsRead) {
		return nil, 0, errs.ForbiddenError()
	}
	var w store.Where
	text := selectMeeting(&w, a, s.Today())
	visibleMeetings(&w, a)
	if f.GroupID != 0 {
		w.Add("m.group_id = ?", f.GroupID)
	}
	if f.Kind != "" {
		w.Add("m.kind = ?", f.Kind)
	}
	if f.Q = trim(f.Q); f.Q != "" {
		w.Add("(m.title LIKE ? ESCAPE '\\' OR m.minutes LIKE ? ESCAPE '\\')", store.Contains(f.Q), store.Contains(f.Q))
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM (`+text+w.SQL()+`) x`, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	from, _ := store.Window(f.Page, f.Size, total)
	q := text + w.SQL() + ` ORDER BY m.held_on DESC, m.id DESC LIMIT ` + w.Arg(f.Size) + ` OFFSET ` + w.Arg(from)
	rows, err := s.st.R.QueryContext(ctx, q, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// Followups is the board of follow-ups in the actor's scope, the most
// pressing first (overdue, then by due date).
func (s *Service) Followups(ctx context.Context, a auth.Actor, f FollowupFilter) ([]Followup, int, error) {
	if !a.Has(auth.PermMeetingsRead) {
		return nil, 0, errs.ForbiddenError()
	}
	set, err := s.meetingSettings(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := s.Today()
	var w store.Where
	visibleFollowups(&w, a)
	if f.GroupID != 0 {
		w.Add("m.group_id = ?", f.GroupID)
	}
	if f.SchoolID != 0 {
		w.Add("f.owner_school_id = ?", f.SchoolID)
	}
	if f.MeetingID != 0 {
		w.Add("f.meeting_id = ?", f.MeetingID)
	}
	switch f.Status {
	case Overdue:
		w.Add("f.status <> 'done' AND f.due_on < ?", today)
	case NotStarted, InProgress:
		w.Add("f.status = ? AND f.due_on >= ?", f.Status, today)
	case Done:
		w.Add("f.status = 'done'")
	case "open":
		w.Add("f.status <> 'done'")
	}
	if f.Q = trim(f.Q); f.Q != "" {
		w.Add("(f.decision LIKE ? ESCAPE '\\' OR f.owner_person LIKE ? ESCAPE '\\')", store.Contains(f.Q), store.Contains(f.Q))
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM followups f JOIN meetings m ON m.id = f.meeting_id`+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	from, _ := store.Window(f.Page, f.Size, total)
	q := selectFollowup + w.SQL() + ` ORDER BY CASE WHEN f.status = 'done' THEN 1 ELSE 0 END, f.due_on, f.id LIMIT ` + w.Arg(f.Size) + ` OFFSET ` + w.Arg(from)
	rows, err := s.st.R.QueryContext(ctx, q, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Followup{}
	for rows.Next() {
		x, err := s.scanFollowup(rows, today, set.DueSoonDays)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

func (s *Service) getFollowup(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Followup, error) {
	set, err := s.meetingSettings(ctx)
	if err != nil {
		return Followup{}, err
	}
	var w store.Where
	w.Add("f.id = ?", id)
	visibleFollowups(&w, a)
	f, err := s.scanFollowup(q.QueryRowContext(ctx, selectFollowup+w.SQL(), w.Args...), s.Today(), set.DueSoonDays)
	return f, notFound(err, "followup")
}

// reportsOf owns the follow-up's owner school.
func reportsOf(a auth.Actor, school int64) bool {
	return a.Has(auth.PermFollowupsReport) && a.Reach(auth.PermFollowupsReport).School(school)
}

// FollowupDetail is one follow-up with its reports.
func (s *Service) FollowupDetail(ctx context.Context, a auth.Actor, id int64) (FollowupDetail, error) {
	if !a.Has(auth.PermMeetingsRead) {
		return FollowupDetail{}, errs.ForbiddenError()
	}
	return s.followupDetail(ctx, s.st.R, a, id)
}

func (s *Service) followupDetail(ctx context.Context, q store.Reader, a auth.Actor, id int64) (FollowupDetail, error) {
	f, err := s.getFollowup(ctx, q, a, id)
	if err != nil {
		return FollowupDetail{}, err
	}
	d := FollowupDetail{Followup: f, Reports: []Report{}, Actions: []string{}}
	rows, err := q.QueryContext(ctx, `SELECT progress, evidence, reported_by, reported_at FROM followup_reports WHERE followup_id = $1 ORDER BY reported_at DESC, id DESC`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Report
		if err := rows.Scan(&r.Progress, &r.Evidence, &r.ReportedBy, &r.ReportedAt); err != nil {
			return d, err
		}
		r.ReportedAt = r.ReportedAt.UTC()
		d.Reports = append(d.Reports, r)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	if f.Status != Done {
		if reportsOf(a, f.OwnerSchoolID) {
			d.Actions = append(d.Actions, "report")
		}
		if organises(a, f.GroupID) {
			d.Actions = append(d.Actions, "close")
		}
	}
	return d, nil
}

// followupStep runs one write on a follow-up in one transaction with its
// audit record.
func (s *Service) followupStep(ctx context.Context, a auth.Actor, id int64, version int, action string,
	fn func(tx *sql.Tx, f Followup) (map[string]any, error)) (FollowupDetail, error) {
	if !a.Has(auth.PermMeetingsRead) {
		return FollowupDetail{}, errs.ForbiddenError()
	}
	var out FollowupDetail
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		f, err := s.getFollowup(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != f.Version {
			return stale()
		}
		if f.Status == Done {
			return errs.ConflictError("meetings.closed", nil)
		}
		after, err := fn(tx, f)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE followups SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3`, store.Now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		if out, err = s.followupDetail(ctx, tx, a, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "meetings.followup." + action, ObjectType: "followup", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"meeting_id": f.MeetingID, "before": map[string]any{"status": f.Status}, "after": after}})
	})
	return out, err
}

// Report records the owner school's progress on a follow-up; the first
// report starts it.
func (s *Service) Report(ctx context.Context, a auth.Actor, id int64, in ProgressInput) (FollowupDetail, error) {
	in.Progress, in.Evidence = trim(in.Progress), trim(in.Evidence)
	return s.followupStep(ctx, a, id, in.Version, "report", func(tx *sql.Tx, f Followup) (map[string]any, error) {
		if !reportsOf(a, f.OwnerSchoolID) {
			return nil, errs.ForbiddenError()
		}
		var fe errs.Fields
		if in.Progress == "" || len([]rune(in.Progress)) > maxProgress {
			fe.Add("progress", "field.required_max", errs.Args{"max": maxProgress})
		}
		if len([]rune(in.Evidence)) > maxProgress {
			fe.Add("evidence", "field.max", errs.Args{"max": maxProgress})
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO followup_reports (followup_id, progress, evidence, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5)`,
			id, in.Progress, in.Evidence, actorName(a), store.Now()); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE followups SET status = 'in_progress' WHERE id = $1 AND status = 'not_started'`, id); err != nil {
			return nil, err
		}
		if err := s.notifyOrganiser(ctx, tx, a, f, "reported"); err != nil {
			return nil, err
		}
		return map[string]any{"status": InProgress, "progress": in.Progress, "evidence": in.Evidence}, nil
	})
}

// Close closes a follow-up with the organiser's note (the evidence judged).
func (s *Service) Close(ctx context.Context, a auth.Actor, id int64, in CloseInput) (FollowupDetail, error) {
	in.Note = trim(in.Note)
	return s.followupStep(ctx, a, id, in.Version, "close", func(tx *sql.Tx, f Followup) (map[string]any, error) {
		if !organises(a, f.GroupID) {
			return nil, errs.ForbiddenError()
		}
		if in.Note == "" || len([]rune(in.Note)) > maxReason {
			return nil, errs.FieldError("note", "field.required_max", errs.Args{"max": maxReason})
		}
		today := s.Today()
		if _, err := tx.ExecContext(ctx, `UPDATE followups SET status = 'done', closing_note = $1, closed_by = $2, closed_on = $3 WHERE id = $4`,
			in.Note, actorName(a), today, id); err != nil {
			return nil, err
		}
		if err := s.notifyFollowup(ctx, tx, a, id, f.OwnerSchoolID, "closed", f.MeetingTitle+" · "+short(f.Decision), in.Note); err != nil {
			return nil, err
		}
		return map[string]any{"status": Done, "note": in.Note, "closed_on": today.String(), "late": today.After(f.DueOn.Time)}, nil
	})
}
