package research

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// ActivityKinds are the kinds of research activity.
var ActivityKinds = []string{"prep", "observe", "seminar", "contest", "lecture", "project"}

// The attendance states of an invitee.
const (
	AttInvited = "invited"
	AttPresent = "present"
	AttAbsent  = "absent"
	AttLeave   = "leave"
)

// signInMinutes is how long a sign-in code shown on the screen stays good.
const signInMinutes = 3

// Activity is one research activity (集体备课, 听评课, 专题研讨, 教学竞赛, 专家讲座,
// 课题研究), on site or online.
type Activity struct {
	ID              int64     `json:"id"`
	GroupID         int64     `json:"group_id"`
	ResearchGroupID int64     `json:"research_group_id"`
	ResearchGroup   string    `json:"research_group"`
	Kind            string    `json:"kind" enum:"prep,observe,seminar,contest,lecture,project"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	Mode            string    `json:"mode" enum:"onsite,online"`
	SchoolID        int64     `json:"school_id"`
	SchoolName      string    `json:"school_name"`
	Room            string    `json:"room"`
	Link            string    `json:"link"`
	PrepID          int64     `json:"prep_id"`
	Minutes         string    `json:"minutes"`
	Outputs         string    `json:"outputs"`
	Invited         int       `json:"invited"`
	Present         int       `json:"present"`
	UpdatedAt       time.Time `json:"updated_at"`
	Version         int       `json:"version"`
	secret          string
	createdBy       int64
}

const selectActivity = `SELECT a.id, a.group_id, COALESCE(a.research_group_id, 0), COALESCE(rg.name, ''), a.kind, a.title, a.starts_at, a.ends_at, a.mode,
	COALESCE(a.school_id, 0), COALESCE(sc.name, ''), a.room, a.link, COALESCE(a.prep_id, 0), a.minutes, a.outputs,
	(SELECT count(*) FROM research_attendance x WHERE x.activity_id = a.id),
	(SELECT count(*) FROM research_attendance x WHERE x.activity_id = a.id AND x.status = 'present'),
	a.updated_at, a.version, a.signin_secret, COALESCE(a.created_by, 0)
	FROM research_activities a LEFT JOIN research_groups rg ON rg.id = a.research_group_id LEFT JOIN schools sc ON sc.id = a.school_id`

func scanActivity(row interface{ Scan(...any) error }) (Activity, error) {
	var x Activity
	err := row.Scan(&x.ID, &x.GroupID, &x.ResearchGroupID, &x.ResearchGroup, &x.Kind, &x.Title, &x.StartsAt, &x.EndsAt, &x.Mode,
		&x.SchoolID, &x.SchoolName, &x.Room, &x.Link, &x.PrepID, &x.Minutes, &x.Outputs, &x.Invited, &x.Present, &x.UpdatedAt, &x.Version, &x.secret, &x.createdBy)
	x.StartsAt, x.EndsAt, x.UpdatedAt = x.StartsAt.UTC(), x.EndsAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

// actReach narrows activities a to the actor's scope: the county all; a
// group its own; a school those its teachers are invited to; a person those
// they are invited to.
func actReach(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermResearchRead)
	if r.County || a.System {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "a.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "a.id IN (SELECT activity_id FROM research_attendance WHERE school_id IN "+w.In(r.Schools)+")")
	}
	if r.Self != 0 {
		alts = append(alts, "a.id IN (SELECT activity_id FROM research_attendance WHERE staff_id = "+w.Arg(r.Self)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

func (s *Service) getActivity(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Activity, error) {
	var w store.Where
	w.Add("a.id = ?", id)
	actReach(&w, a)
	x, err := scanActivity(q.QueryRowContext(ctx, selectActivity+w.SQL(), w.Args...))
	return x, notFound(err, "activity")
}

// ActivityFilter narrows the activities (a calendar's range).
type ActivityFilter struct {
	GroupID         int64
	ResearchGroupID int64
	From, To        store.Date
}

// Activities lists the activities in scope by start, for the calendar.
func (s *Service) Activities(ctx context.Context, a auth.Actor, f ActivityFilter) ([]Activity, error) {
	if !a.Has(auth.PermResearchRead) {
		return nil, errs.ForbiddenError()
	}
	var w store.Where
	actReach(&w, a)
	if f.GroupID != 0 {
		w.Add("a.group_id = ?", f.GroupID)
	}
	if f.ResearchGroupID != 0 {
		w.Add("a.research_group_id = ?", f.ResearchGroupID)
	}
	if !f.From.IsZero() {
		w.Add("a.starts_at >= ?", f.From.Time)
	}
	if !f.To.IsZero() {
		w.Add("a.starts_at < ?", f.To.AddDate(0, 0, 1))
	}
	rows, err := s.st.R.QueryContext(ctx, selectActivity+w.SQL()+` ORDER BY a.starts_at, a.id LIMIT 1000`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		x, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Attendee is one invitee and whether they came.
type Attendee struct {
	StaffID    int64      `json:"staff_id"`
	Name       string     `json:"name"`
	SchoolID   int64      `json:"school_id"`
	SchoolName string     `json:"school_name"`
	Status     string     `json:"status" enum:"invited,present,absent,leave"`
	Reason     string     `json:"reason"`
	Method     string     `json:"method"`
	SignedAt   *time.Time `json:"signed_at"`
}

// SchoolAttendance is one school's count of its invitees.
type SchoolAttendance struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Invited    int    `json:"invited"`
	Present    int    `json:"present"`
	Absent     int    `json:"absent"`
	Leave      int    `json:"leave"`
}

// ActivityDetail is an activity with its attendance, per person and per
// school, and what the caller may do.
type ActivityDetail struct {
	Activity
	Attendees []Attendee         `json:"attendees"`
	Schools   []SchoolAttendance `json:"schools"`
	CanManage bool               `json:"can_manage"`
	Mine      *Attendee          `json:"mine"`
}

// organizes: the group office, or the leader of the activity's research group.
func (s *Service) organizes(ctx context.Context, q store.Reader, a auth.Actor, x Activity) (bool, error) {
	if manages(a, x.GroupID) {
		return true, nil
	}
	me := self(a)
	if me == 0 || x.ResearchGroupID == 0 {
		return false, nil
	}
	var leader int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(leader_staff_id, 0) FROM research_groups WHERE id = $1`, x.ResearchGroupID).Scan(&leader)
	return leader == me, err
}

// ActivityDetail reads one activity.
func (s *Service) ActivityDetail(ctx context.Context, a auth.Actor, id int64) (ActivityDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ActivityDetail{}, errs.ForbiddenError()
	}
	x, err := s.getActivity(ctx, s.st.R, a, id)
	if err != nil {
		return ActivityDetail{}, err
	}
	d := ActivityDetail{Activity: x, Attendees: []Attendee{}, Schools: []SchoolAttendance{}}
	if d.CanManage, err = s.organizes(ctx, s.st.R, a, x); err != nil {
		return d, err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT x.staff_id, st.name, x.school_id, sc.name, x.status, x.reason, x.method, x.signed_at
		FROM research_attendance x JOIN staff st ON st.id = x.staff_id JOIN schools sc ON sc.id = x.school_id WHERE x.activity_id = $1 ORDER BY sc.name, st.name, st.id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	by := map[int64]*SchoolAttendance{}
	var order []int64
	me := self(a)
	r := a.Reach(auth.PermResearchRead)
	for rows.Next() {
		var at Attendee
		var signed sql.NullTime
		if err := rows.Scan(&at.StaffID, &at.Name, &at.SchoolID, &at.SchoolName, &at.Status, &at.Reason, &at.Method, &signed); err != nil {
			return d, err
		}
		if signed.Valid {
			t := signed.Time.UTC()
			at.SignedAt = &t
		}
		sa, ok := by[at.SchoolID]
		if !ok {
			sa = &SchoolAttendance{SchoolID: at.SchoolID, SchoolName: at.SchoolName}
			by[at.SchoolID] = sa
			order = append(order, at.SchoolID)
		}
		sa.Invited++
		switch at.Status {
		case AttPresent:
			sa.Present++
		case AttAbsent:
			sa.Absent++
		case AttLeave:
			sa.Leave++
		}
		if me != 0 && at.StaffID == me {
			m := at
			d.Mine = &m
		}
		// Names: the organizers, the group and county, and a school for its own.
		if d.CanManage || r.County || r.Group(x.GroupID) || r.School(at.SchoolID) || (me != 0 && at.StaffID == me) {
			d.Attendees = append(d.Attendees, at)
		}
	}
	for _, id := range order {
		d.Schools = append(d.Schools, *by[id])
	}
	return d, rows.Err()
}

// ActivityInput is a new activity and who is invited: the research group's
// members, whole schools' teachers of the research group's subject (or all
// their teachers when there is none), and named staff.
type ActivityInput struct {
	GroupID         int64     `json:"group_id"`
	ResearchGroupID int64     `json:"research_group_id"`
	Kind            string    `json:"kind"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	Mode            string    `json:"mode"`
	SchoolID        int64     `json:"school_id"`
	Room            string    `json:"room"`
	Link            string    `json:"link"`
	PrepID          int64     `json:"prep_id"`
	InviteMembers   bool      `json:"invite_members"`
	InviteSchools   []int64   `json:"invite_schools" openapi:"nullable"`
	InviteStaff     []int64   `json:"invite_staff" openapi:"nullable"`
}

func validKind(k string) bool {
	for _, x := range ActivityKinds {
		if x == k {
			return true
		}
	}
	return false
}

// CreateActivity schedules an activity and invites its people, who are told.
func (s *Service) CreateActivity(ctx context.Context, a auth.Actor, in ActivityInput) (ActivityDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ActivityDetail{}, errs.ForbiddenError()
	}
	in.Title, in.Room, in.Link = strings.TrimSpace(in.Title), strings.TrimSpace(in.Room), strings.TrimSpace(in.Link)
	var f errs.Fields
	if !validKind(in.Kind) {
		f.Add("kind", "research.activity_kind", nil)
	}
	textMax(&f, "title", in.Title, 120, true)
	if in.StartsAt.IsZero() {
		f.Add("starts_at", "field.required", nil)
	}
	if in.EndsAt.IsZero() || !in.EndsAt.After(in.StartsAt) {
		f.Add("ends_at", "research.ends_after", nil)
	}
	switch in.Mode {
	case "onsite":
		if in.SchoolID == 0 {
			f.Add("school_id", "field.required", nil)
		}
	case "online":
		textMax(&f, "link", in.Link, 500, true)
	default:
		f.Add("mode", "research.mode", nil)
	}
	textMax(&f, "room", in.Room, 60, false)
	if in.GroupID == 0 && in.ResearchGroupID == 0 {
		f.Add("group_id", "field.required", nil)
	}
	if err := f.Err(); err != nil {
		return ActivityDetail{}, err
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		subject := ""
		if in.ResearchGroupID != 0 {
			g, err := s.getGroup(ctx, tx, a, in.ResearchGroupID)
			if err != nil {
				return err
			}
			in.GroupID, subject = g.GroupID, g.Subject
		}
		x := Activity{GroupID: in.GroupID, ResearchGroupID: in.ResearchGroupID}
		ok, err := s.organizes(ctx, tx, a, x)
		if err != nil {
			return err
		}
		if !ok {
			return errs.ForbiddenError()
		}
		member := `school_id IN (SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL)`
		if in.SchoolID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $2 AND id IN (SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL)`, in.GroupID, in.SchoolID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.FieldError("school_id", "research.school_not_member", nil)
			}
		}
		buf := make([]byte, 16)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO research_activities (group_id, research_group_id, kind, title, starts_at, ends_at, mode, school_id, room, link, prep_id, signin_secret, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`, in.GroupID, nullID(in.ResearchGroupID), in.Kind, in.Title,
			in.StartsAt.UTC(), in.EndsAt.UTC(), in.Mode, nullID(in.SchoolID), in.Room, in.Link, nullID(in.PrepID), hex.EncodeToString(buf), nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		invite := map[int64]int64{} // staff → school
		add := func(q string, args ...any) error {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var st, sc int64
				if err := rows.Scan(&st, &sc); err != nil {
					return err
				}
				invite[st] = sc
			}
			return rows.Err()
		}
		if in.InviteMembers && in.ResearchGroupID != 0 {
			if err := add(`SELECT staff_id, school_id FROM research_members WHERE research_group_id = $1`, in.ResearchGroupID); err != nil {
				return err
			}
		}
		for _, sc := range in.InviteSchools {
			q := `SELECT id, school_id FROM staff WHERE status = 'active' AND post = 'teacher' AND school_id = $2 AND ` + member
			args := []any{in.GroupID, sc}
			if subject != "" {
				q += ` AND subject = $3`
				args = append(args, subject)
			}
			if err := add(q, args...); err != nil {
				return err
			}
		}
		for i, st := range in.InviteStaff {
			n := len(invite)
			if err := add(`SELECT id, school_id FROM staff WHERE status = 'active' AND id = $2 AND `+member, in.GroupID, st); err != nil {
				return err
			}
			if len(invite) == n {
				if _, dup := invite[st]; !dup {
					return errs.FieldError("invite_staff["+strconv.Itoa(i)+"]", "research.member_not_in_group", nil)
				}
			}
		}
		if len(invite) == 0 {
			return errs.FieldError("invite_members", "research.no_invitees", nil)
		}
		var staff []int64
		for st, sc := range invite {
			if _, err := tx.ExecContext(ctx, `INSERT INTO research_attendance (activity_id, staff_id, school_id, status) VALUES ($1, $2, $3, $4)`, id, st, sc, AttInvited); err != nil {
				return err
			}
			staff = append(staff, st)
		}
		sort.Slice(staff, func(i, j int) bool { return staff[i] < staff[j] })
		if err := s.notifyStaff(ctx, tx, a, staff, "research.invited", in.Title, activityLink(id), "act:"+id64(id)+":invite", ""); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.activity_create", ObjectType: "research_activity", ObjectID: id64(id),
			Detail: map[string]any{"after": map[string]any{"group_id": in.GroupID, "research_group_id": in.ResearchGroupID, "kind": in.Kind, "title": in.Title,
				"starts_at": in.StartsAt.UTC(), "mode": in.Mode, "school_id": in.SchoolID, "invited": len(invite)}}})
	})
	if err != nil {
		return ActivityDetail{}, err
	}
	return s.ActivityDetail(ctx, a, id)
}

func activityLink(id int64) string { return "/research/activities/" + id64(id) }

// Mark is the organizer's tick for one invitee.
type Mark struct {
	StaffID int64  `json:"staff_id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
}

// AttendanceInput is the organizer's ticks.
type AttendanceInput struct {
	Marks []Mark `json:"marks"`
}

// MarkAttendance records the organizer's ticks: present, absent or on leave
// (an absence or leave with its reason).
func (s *Service) MarkAttendance(ctx context.Context, a auth.Actor, id int64, in AttendanceInput) (ActivityDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ActivityDetail{}, errs.ForbiddenError()
	}
	var f errs.Fields
	for i := range in.Marks {
		m := &in.Marks[i]
		m.Reason = strings.TrimSpace(m.Reason)
		switch m.Status {
		case AttPresent, AttInvited:
		case AttAbsent, AttLeave:
			textMax(&f, fmt.Sprintf("marks[%d].reason", i), m.Reason, 200, false)
		default:
			f.Add(fmt.Sprintf("marks[%d].status", i), "research.attendance_status", nil)
		}
	}
	if err := f.Err(); err != nil {
		return ActivityDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.getActivity(ctx, tx, a, id)
		if err != nil {
			return err
		}
		ok, err := s.organizes(ctx, tx, a, x)
		if err != nil {
			return err
		}
		if !ok {
			return errs.ForbiddenError()
		}
		now := store.Now()
		var changed []map[string]any
		for i, m := range in.Marks {
			var signed any
			method := ""
			if m.Status == AttPresent {
				signed, method = now, "tick"
			}
			if m.Status == AttPresent || m.Status == AttInvited {
				m.Reason = ""
			}
			r, err := tx.ExecContext(ctx, `UPDATE research_attendance SET status = $1, reason = $2, method = CASE WHEN $3 = '' THEN method ELSE $3 END, signed_at = COALESCE(signed_at, $4)
				WHERE activity_id = $5 AND staff_id = $6`, m.Status, m.Reason, method, signed, id, m.StaffID)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return errs.FieldError(fmt.Sprintf("marks[%d].staff_id", i), "research.not_invited", nil)
			}
			changed = append(changed, map[string]any{"staff_id": m.StaffID, "status": m.Status, "reason": m.Reason})
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.attendance", ObjectType: "research_activity", ObjectID: id64(id), Detail: map[string]any{"after": changed}})
	})
	if err != nil {
		return ActivityDetail{}, err
	}
	return s.ActivityDetail(ctx, a, id)
}

// SignInCode is what the organizer's screen shows: a short-lived signed URL
// and its QR code, which a member opens on the phone while signed in.
type SignInCode struct {
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
	QRCode    string    `json:"qr_code"` // data:image/png;base64,…, encoding base + path
}

func signature(secret string, id, exp int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d:%d", id, exp)
	return hex.EncodeToString(m.Sum(nil))[:24]
}

// SignInCode makes a fresh sign-in code for an activity; base is the
// address the phone opens (the server's own origin).
func (s *Service) SignInCode(ctx context.Context, a auth.Actor, id int64, base string) (SignInCode, error) {
	if !a.Has(auth.PermResearchRead) {
		return SignInCode{}, errs.ForbiddenError()
	}
	x, err := s.getActivity(ctx, s.st.R, a, id)
	if err != nil {
		return SignInCode{}, err
	}
	ok, err := s.organizes(ctx, s.st.R, a, x)
	if err != nil {
		return SignInCode{}, err
	}
	if !ok {
		return SignInCode{}, errs.ForbiddenError()
	}
	exp := s.Now().Add(signInMinutes * time.Minute).Unix()
	path := fmt.Sprintf("/research/activities/%d/sign-in?exp=%d&sig=%s", id, exp, signature(x.secret, id, exp))
	code, err := qr.Encode(base+path, qr.M, qr.Auto)
	if err != nil {
		return SignInCode{}, err
	}
	img, err := barcode.Scale(code, 256, 256)
	if err != nil {
		return SignInCode{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return SignInCode{}, err
	}
	return SignInCode{Path: path, ExpiresAt: time.Unix(exp, 0).UTC(), QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// SignInInput is the code read from the screen.
type SignInInput struct {
	Exp int64  `json:"exp"`
	Sig string `json:"sig"`
}

// SignIn marks the caller present from a code shown on the organizer's
// screen: the signature must match and the code must not have expired.
func (s *Service) SignIn(ctx context.Context, a auth.Actor, id int64, in SignInInput) (ActivityDetail, error) {
	if !a.Has(auth.PermResearchTakePart) {
		return ActivityDetail{}, errs.ForbiddenError()
	}
	me := self(a)
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.getActivity(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !hmac.Equal([]byte(in.Sig), []byte(signature(x.secret, id, in.Exp))) {
			return errs.RuleError("research.signin_bad", "research.signin_bad", nil)
		}
		if s.Now().Unix() > in.Exp {
			return errs.RuleError("research.signin_expired", "research.signin_expired", nil)
		}
		r, err := tx.ExecContext(ctx, `UPDATE research_attendance SET status = 'present', reason = '', method = 'qr', signed_at = $1 WHERE activity_id = $2 AND staff_id = $3`, store.Now(), id, me)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.New(errs.Forbidden, "research.not_invited", nil)
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.sign_in", ObjectType: "research_activity", ObjectID: id64(id), Detail: map[string]any{"after": map[string]any{"staff_id": me, "method": "qr"}}})
	})
	if err != nil {
		return ActivityDetail{}, err
	}
	return s.ActivityDetail(ctx, a, id)
}

// RecordInput is the activity's minutes and outputs.
type RecordInput struct {
	Minutes string `json:"minutes"`
	Outputs string `json:"outputs"`
	Version int    `json:"version"`
}

// Record writes the activity's minutes (记录) and outputs (成果).
func (s *Service) Record(ctx context.Context, a auth.Actor, id int64, in RecordInput) (ActivityDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ActivityDetail{}, errs.ForbiddenError()
	}
	in.Minutes, in.Outputs = strings.TrimSpace(in.Minutes), strings.TrimSpace(in.Outputs)
	var f errs.Fields
	textMax(&f, "minutes", in.Minutes, 20000, false)
	textMax(&f, "outputs", in.Outputs, 5000, false)
	if err := f.Err(); err != nil {
		return ActivityDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := s.getActivity(ctx, tx, a, id)
		if err != nil {
			return err
		}
		ok, err := s.organizes(ctx, tx, a, x)
		if err != nil {
			return err
		}
		if !ok {
			return errs.ForbiddenError()
		}
		if x.Version != in.Version {
			return staleVersion()
		}
		r, err := tx.ExecContext(ctx, `UPDATE research_activities SET minutes = $1, outputs = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
			in.Minutes, in.Outputs, store.Now(), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.record", ObjectType: "research_activity", ObjectID: id64(id),
			Detail: map[string]any{"before": map[string]any{"minutes": len(x.Minutes), "outputs": x.Outputs}, "after": map[string]any{"minutes": len(in.Minutes), "outputs": in.Outputs}}})
	})
	if err != nil {
		return ActivityDetail{}, err
	}
	return s.ActivityDetail(ctx, a, id)
}
