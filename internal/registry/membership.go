package registry

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
	"edugroup/internal/i18n"
	"edugroup/internal/store"
)

// A membership is the interval [joined_on, left_on) of a school in a group:
// left_on is the first day the school is no longer a member, so a school may
// leave one group and join another on the same day. A school is in at most
// one group on any date.

// Member is a school in a group now.
type Member struct {
	MembershipID int64      `json:"membership_id"`
	SchoolID     int64      `json:"school_id"`
	SchoolName   string     `json:"school_name"`
	Role         string     `json:"role"`
	JoinedOn     store.Date `json:"joined_on"`
	Students     int        `json:"students"`
	Tier         string     `json:"tier"`
}

// Limit is a scale limit a group or one of its schools is over.
type Limit struct {
	Rule     string `json:"rule"`
	Limit    int    `json:"limit"`
	Value    int    `json:"value"`
	SchoolID int64  `json:"school_id,omitempty"`
	Message  string `json:"message"`
}

// GroupDetail is a group with its members and the limits it is over.
type GroupDetail struct {
	Group
	Members  []Member `json:"members"`
	Warnings []Limit  `json:"warnings" openapi:"nullable"`
}

// Localize words the scale warnings in l.
func (d GroupDetail) Localize(l i18n.Lang) { WordLimits(l, d.Warnings) }

// WordLimits fills each limit's message in l.
func WordLimits(l i18n.Lang, ls []Limit) {
	for i := range ls {
		ls[i].Message = l.T("registry."+ls[i].Rule, map[string]any{"limit": ls[i].Limit, "value": ls[i].Value})
	}
}

// Leave reasons; "graduated" only comes from an approved graduation.
const (
	LeaveGraduated   = "graduated"
	LeaveWithdrawn   = "withdrawn"
	LeaveMerged      = "merged"
	LeaveTransferred = "transferred"
)

// lock namespaces for store.LockKey.
const (
	lockSchool int32 = 101
	lockGroup  int32 = 102
)

func (s *Service) members(ctx context.Context, q store.Querier, groupID int64) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, s.id, s.name, m.role, m.joined_on, s.students, s.tier
		FROM group_members m JOIN schools s ON s.id = m.school_id
		WHERE m.group_id = $1 AND m.left_on IS NULL
		ORDER BY CASE m.role WHEN 'lead' THEN 0 WHEN 'core' THEN 1 ELSE 2 END, s.name`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.MembershipID, &m.SchoolID, &m.SchoolName, &m.Role, &m.JoinedOn, &m.Students, &m.Tier); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GroupDetail returns a group with its members and current limit warnings.
func (s *Service) GroupDetail(ctx context.Context, a auth.Actor, id int64) (GroupDetail, error) {
	g, err := s.GetGroup(ctx, a, id)
	if err != nil {
		return GroupDetail{}, err
	}
	return s.detail(ctx, s.st.R, g)
}

func (s *Service) detail(ctx context.Context, q store.Querier, g Group) (GroupDetail, error) {
	d := GroupDetail{Group: g}
	var err error
	if d.Members, err = s.members(ctx, q, g.ID); err != nil {
		return d, err
	}
	d.Warnings, err = s.limitsOf(ctx, g.ID, d.Members)
	return d, err
}

// limitsOf lists the scale limits (policy in force today) the group is over.
func (s *Service) limitsOf(ctx context.Context, groupID int64, members []Member) ([]Limit, error) {
	v, err := s.pol.Today(ctx)
	if err != nil {
		return nil, err
	}
	lim := v.Settings.Group
	out := []Limit{}
	students := 0
	for _, m := range members {
		students += m.Students
		if m.Students > lim.MaxStudentsPerCampus {
			out = append(out, Limit{Rule: "scale_students_campus", Limit: lim.MaxStudentsPerCampus, Value: m.Students, SchoolID: m.SchoolID})
		}
	}
	if len(members) > lim.MaxMembers {
		out = append(out, Limit{Rule: "scale_members", Limit: lim.MaxMembers, Value: len(members)})
	}
	if students > lim.MaxStudentsPerGroup {
		out = append(out, Limit{Rule: "scale_students_group", Limit: lim.MaxStudentsPerGroup, Value: students})
	}
	return out, nil
}

// overrideOrRefuse turns limit breaches into a 422 that names each rule,
// unless the caller gave a reason to proceed.
func overrideOrRefuse(breaches []Limit, reason string) error {
	if len(breaches) == 0 || strings.TrimSpace(reason) != "" {
		return nil
	}
	e := &errs.Error{Code: errs.Rule, Key: "registry.scale_reason_needed"}
	for _, b := range breaches {
		e.Details = append(e.Details, errs.Detail{Rule: b.Rule, Key: "registry." + b.Rule, Args: errs.Args{"limit": b.Limit, "value": b.Value}})
	}
	return e
}

// JoinInput adds a school to a group.
type JoinInput struct {
	SchoolID       int64      `json:"school_id"`
	Role           string     `json:"role"`
	JoinedOn       store.Date `json:"joined_on"`
	OverrideReason string     `json:"override_reason"`
}

// Join adds a school to a group, checking one group per date and the scale
// limits of the policy in force on the joining date.
func (s *Service) Join(ctx context.Context, a auth.Actor, groupID int64, in JoinInput) (GroupDetail, error) {
	g, err := s.GetGroup(ctx, a, groupID)
	if err != nil {
		return GroupDetail{}, err
	}
	if !a.Reach(auth.PermGroupsManage).Group(groupID) {
		return GroupDetail{}, errs.ForbiddenError()
	}
	var f errs.Fields
	if in.SchoolID == 0 {
		f.Add("school_id", "field.required", nil)
	}
	if in.Role != "core" && in.Role != "member" {
		f.Add("role", "registry.member_role", nil)
	}
	if in.JoinedOn.IsZero() {
		f.Add("joined_on", "field.required", nil)
	} else if in.JoinedOn.Before(g.FoundedOn.Time) {
		f.Add("joined_on", "registry.join_before_founding", errs.Args{"date": g.FoundedOn.String()})
	}
	if err := f.Err(); err != nil {
		return GroupDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		return s.join(ctx, tx, a, g, in)
	})
	if err != nil {
		return GroupDetail{}, err
	}
	g, err = s.GetGroup(ctx, a, groupID)
	if err != nil {
		return GroupDetail{}, err
	}
	return s.detail(ctx, s.st.W, g)
}

func (s *Service) join(ctx context.Context, tx *sql.Tx, a auth.Actor, g Group, in JoinInput) error {
	if err := s.st.LockKey(ctx, tx, lockSchool, in.SchoolID); err != nil {
		return err
	}
	if err := s.st.LockKey(ctx, tx, lockGroup, g.ID); err != nil {
		return err
	}
	var name, status string
	var students int
	err := tx.QueryRowContext(ctx, `SELECT name, status, students FROM schools WHERE id = $1`, in.SchoolID).Scan(&name, &status, &students)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.FieldError("school_id", "registry.school_missing", nil)
	}
	if err != nil {
		return err
	}
	if status != "active" {
		return errs.FieldError("school_id", "registry.school_closed", nil)
	}
	if err := oneGroupPerDate(ctx, tx, in.SchoolID, in.JoinedOn); err != nil {
		return err
	}
	v, err := s.pol.InForce(ctx, in.JoinedOn)
	if err != nil {
		return err
	}
	lim := v.Settings.Group
	var count, total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(s.students), 0) FROM group_members m JOIN schools s ON s.id = m.school_id
		WHERE m.group_id = $1 AND m.left_on IS NULL`, g.ID).Scan(&count, &total); err != nil {
		return err
	}
	var breaches []Limit
	if count+1 > lim.MaxMembers {
		breaches = append(breaches, Limit{Rule: "scale_members", Limit: lim.MaxMembers, Value: count + 1})
	}
	if total+students > lim.MaxStudentsPerGroup {
		breaches = append(breaches, Limit{Rule: "scale_students_group", Limit: lim.MaxStudentsPerGroup, Value: total + students})
	}
	if err := overrideOrRefuse(breaches, in.OverrideReason); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO group_members (group_id, school_id, role, joined_on, override_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		g.ID, in.SchoolID, in.Role, in.JoinedOn, strings.TrimSpace(in.OverrideReason), store.Now()).Scan(&id); err != nil {
		return err
	}
	detail := map[string]any{"group_id": g.ID, "group": g.Name, "school_id": in.SchoolID, "school": name, "role": in.Role, "joined_on": in.JoinedOn.String()}
	if len(breaches) > 0 {
		detail["over_limits"] = breaches
		detail["override_reason"] = in.OverrideReason
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "group.member_join", ObjectType: "group", ObjectID: strconv.FormatInt(g.ID, 10), Detail: detail})
}

// oneGroupPerDate refuses a membership from date on (open-ended) when the
// school is in a group on that date or joins one later.
func oneGroupPerDate(ctx context.Context, tx *sql.Tx, schoolID int64, from store.Date) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT g.name FROM group_members m JOIN edu_groups g ON g.id = m.group_id
		WHERE m.school_id = $1 AND (m.left_on IS NULL OR m.left_on > $2) ORDER BY m.joined_on LIMIT 1`, schoolID, from).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return errs.RuleError("one_group_per_date", "registry.one_group_per_date", errs.Args{"group": other, "date": from.String()})
}

// LeaveInput ends a membership.
type LeaveInput struct {
	LeftOn         store.Date `json:"left_on"`
	Reason         string     `json:"reason"`
	Note           string     `json:"note"`
	ToGroupID      int64      `json:"to_group_id"`
	OverrideReason string     `json:"override_reason"`
}

// Leave ends a membership on a date with a reason. A transfer also joins the
// school to the other group on the same date.
func (s *Service) Leave(ctx context.Context, a auth.Actor, groupID, membershipID int64, in LeaveInput) (GroupDetail, error) {
	g, err := s.GetGroup(ctx, a, groupID)
	if err != nil {
		return GroupDetail{}, err
	}
	if !a.Reach(auth.PermGroupsManage).Group(groupID) {
		return GroupDetail{}, errs.ForbiddenError()
	}
	var f errs.Fields
	switch in.Reason {
	case LeaveWithdrawn, LeaveMerged:
	case LeaveTransferred:
		if in.ToGroupID == 0 || in.ToGroupID == groupID {
			f.Add("to_group_id", "registry.transfer_target", nil)
		}
	case LeaveGraduated:
		f.Add("reason", "registry.graduation_needs_approval", nil)
	default:
		f.Add("reason", "registry.leave_reason", nil)
	}
	if in.LeftOn.IsZero() {
		f.Add("left_on", "field.required", nil)
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "field.max", errs.Args{"max": 500})
	}
	if err := f.Err(); err != nil {
		return GroupDetail{}, err
	}
	var target Group
	if in.Reason == LeaveTransferred {
		if target, err = s.GetGroup(ctx, a, in.ToGroupID); err != nil {
			return GroupDetail{}, errs.FieldError("to_group_id", "registry.transfer_target", nil)
		}
		if !a.Reach(auth.PermGroupsManage).Group(in.ToGroupID) {
			return GroupDetail{}, errs.RuleError("transfer_scope", "registry.transfer_scope", nil)
		}
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var schoolID int64
		var role string
		var joined store.Date
		err := tx.QueryRowContext(ctx, `SELECT school_id, role, joined_on FROM group_members WHERE id = $1 AND group_id = $2 AND left_on IS NULL`, membershipID, groupID).
			Scan(&schoolID, &role, &joined)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("membership")
		}
		if err != nil {
			return err
		}
		if role == "lead" {
			return errs.RuleError("lead_cannot_leave", "registry.lead_cannot_leave", nil)
		}
		if !in.LeftOn.After(joined.Time) {
			return errs.FieldError("left_on", "registry.leave_after_join", errs.Args{"date": joined.String()})
		}
		if err := s.endMembership(ctx, tx, a, g, membershipID, schoolID, in.LeftOn, in.Reason, in.Note, in.ToGroupID); err != nil {
			return err
		}
		if in.Reason == LeaveTransferred {
			return s.join(ctx, tx, a, target, JoinInput{SchoolID: schoolID, Role: "member", JoinedOn: in.LeftOn, OverrideReason: in.OverrideReason})
		}
		return nil
	})
	if err != nil {
		return GroupDetail{}, err
	}
	g, err = s.GetGroup(ctx, a, groupID)
	if err != nil {
		return GroupDetail{}, err
	}
	return s.detail(ctx, s.st.W, g)
}

func (s *Service) endMembership(ctx context.Context, tx *sql.Tx, a auth.Actor, g Group, membershipID, schoolID int64, leftOn store.Date, reason, note string, toGroup int64) error {
	var to any
	if toGroup != 0 {
		to = toGroup
	}
	if _, err := tx.ExecContext(ctx, `UPDATE group_members SET left_on = $1, leave_reason = $2, leave_note = $3, to_group_id = $4 WHERE id = $5`,
		leftOn, reason, strings.TrimSpace(note), to, membershipID); err != nil {
		return err
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "group.member_leave", ObjectType: "group", ObjectID: strconv.FormatInt(g.ID, 10),
		Detail: map[string]any{"group": g.Name, "school_id": schoolID, "membership_id": membershipID, "left_on": leftOn.String(), "reason": reason, "note": note, "to_group_id": toGroup}})
}

// Event is one thing in a group's history.
type Event struct {
	Date        store.Date `json:"date"`
	Kind        string     `json:"kind" enum:"founded,joined,left,graduation_proposed,graduation_approved,graduation_rejected"`
	GroupID     int64      `json:"group_id"`
	GroupName   string     `json:"group_name"`
	SchoolID    int64      `json:"school_id"`
	SchoolName  string     `json:"school_name"`
	Role        string     `json:"role,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Note        string     `json:"note,omitempty"`
	ToGroupName string     `json:"to_group_name,omitempty"`
}

// events lists membership and graduation events of the groups matching
// cond c (on alias g), between from and to (zero: unbounded).
func (s *Service) events(ctx context.Context, c store.Where, from, to store.Date) ([]Event, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT g.id, g.name, s.id, s.name, m.role, m.joined_on, m.left_on, COALESCE(m.leave_reason, ''), m.leave_note, COALESCE(tg.name, '')
		FROM group_members m JOIN edu_groups g ON g.id = m.group_id JOIN schools s ON s.id = m.school_id
		LEFT JOIN edu_groups tg ON tg.id = m.to_group_id`+c.SQL(), c.Args...)
	if err != nil {
		return nil, err
	}
	var out []Event
	in := func(d store.Date) bool {
		return (from.IsZero() || !d.Before(from.Time)) && (to.IsZero() || !d.After(to.Time))
	}
	founded := map[int64]bool{}
	for rows.Next() {
		var e Event
		var joined store.Date
		var left store.Date
		var reason, note, toName string
		if err := rows.Scan(&e.GroupID, &e.GroupName, &e.SchoolID, &e.SchoolName, &e.Role, &joined, &left, &reason, &note, &toName); err != nil {
			rows.Close()
			return nil, err
		}
		join := e
		join.Date, join.Kind = joined, "joined"
		if e.Role == "lead" && !founded[e.GroupID] {
			founded[e.GroupID] = true
			join.Kind = "founded"
		}
		if in(joined) {
			out = append(out, join)
		}
		if !left.IsZero() && in(left) {
			l := e
			l.Date, l.Kind, l.Reason, l.Note, l.ToGroupName = left, "left", reason, note, toName
			out = append(out, l)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	grows, err := s.st.R.QueryContext(ctx, `SELECT g.id, g.name, s.id, s.name, gr.status, gr.proposed_at, gr.decided_at, gr.leave_on, gr.decision_note
		FROM graduations gr JOIN edu_groups g ON g.id = gr.group_id JOIN schools s ON s.id = gr.school_id`+c.SQL(), c.Args...)
	if err != nil {
		return nil, err
	}
	defer grows.Close()
	for grows.Next() {
		var e Event
		var status, note string
		var proposed time.Time
		var decided sql.NullTime
		var leave store.Date
		if err := grows.Scan(&e.GroupID, &e.GroupName, &e.SchoolID, &e.SchoolName, &status, &proposed, &decided, &leave, &note); err != nil {
			return nil, err
		}
		p := e
		p.Date, p.Kind = dateOf(proposed), "graduation_proposed"
		if in(p.Date) {
			out = append(out, p)
		}
		if decided.Valid && status != "proposed" {
			d := e
			d.Date, d.Kind, d.Note = dateOf(decided.Time), "graduation_"+status, note
			if in(d.Date) {
				out = append(out, d)
			}
		}
	}
	if err := grows.Err(); err != nil {
		return nil, err
	}
	// Newest first; on one day, leaving before joining reads as a transfer.
	order := map[string]int{"left": 0, "graduation_approved": 1, "graduation_rejected": 1, "graduation_proposed": 2, "joined": 3, "founded": 4}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date.Time) {
			return out[i].Date.After(out[j].Date.Time)
		}
		return order[out[i].Kind] < order[out[j].Kind]
	})
	if out == nil {
		out = []Event{}
	}
	return out, nil
}

func dateOf(t time.Time) store.Date {
	c := t.In(time.FixedZone("CST", 8*3600))
	return store.Date{Time: time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)}
}

// Timeline is a group's history, newest first.
func (s *Service) Timeline(ctx context.Context, a auth.Actor, groupID int64) ([]Event, error) {
	if _, err := s.GetGroup(ctx, a, groupID); err != nil {
		return nil, err
	}
	var c store.Where
	c.Add("g.id = ?", groupID)
	return s.events(ctx, c, store.Date{}, store.Date{})
}

// Moves is every membership change the actor may see between two dates.
func (s *Service) Moves(ctx context.Context, a auth.Actor, from, to store.Date) ([]Event, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, err
	}
	var c store.Where
	groupScope(&c, r)
	return s.events(ctx, c, from, to)
}

// OverLimit lists the groups in scope over any scale limit today, in one
// aggregate query rather than one per group.
func (s *Service) OverLimit(ctx context.Context, a auth.Actor) ([]GroupLimits, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, err
	}
	v, err := s.pol.Today(ctx)
	if err != nil {
		return nil, err
	}
	lim := v.Settings.Group
	var c store.Where
	groupScope(&c, r)
	c.Add("m.left_on IS NULL")
	rows, err := s.st.R.QueryContext(ctx, `SELECT g.id, g.name, count(*), COALESCE(sum(s.students), 0),
		COALESCE(sum(CASE WHEN s.students > `+strconv.Itoa(lim.MaxStudentsPerCampus)+` THEN 1 ELSE 0 END), 0)
		FROM edu_groups g JOIN group_members m ON m.group_id = g.id JOIN schools s ON s.id = m.school_id`+c.SQL()+` GROUP BY g.id, g.name ORDER BY g.name`, c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []GroupLimits{}
	var bigCampus []int64
	for rows.Next() {
		var gl GroupLimits
		var members, students, big int
		if err := rows.Scan(&gl.GroupID, &gl.GroupName, &members, &students, &big); err != nil {
			return nil, err
		}
		if members > lim.MaxMembers {
			gl.Limits = append(gl.Limits, Limit{Rule: "scale_members", Limit: lim.MaxMembers, Value: members})
		}
		if students > lim.MaxStudentsPerGroup {
			gl.Limits = append(gl.Limits, Limit{Rule: "scale_students_group", Limit: lim.MaxStudentsPerGroup, Value: students})
		}
		if big > 0 {
			bigCampus = append(bigCampus, gl.GroupID)
		}
		if len(gl.Limits) > 0 || big > 0 {
			out = append(out, gl)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(bigCampus) > 0 {
		var bc store.Where
		q := `SELECT m.group_id, s.id, s.students FROM group_members m JOIN schools s ON s.id = m.school_id
			WHERE m.left_on IS NULL AND m.group_id IN ` + bc.In(bigCampus) + ` AND s.students > ` + strconv.Itoa(lim.MaxStudentsPerCampus)
		brows, err := s.st.R.QueryContext(ctx, q, bc.Args...)
		if err != nil {
			return nil, err
		}
		defer brows.Close()
		idx := map[int64]int{}
		for i, gl := range out {
			idx[gl.GroupID] = i
		}
		for brows.Next() {
			var gid, sid int64
			var n int
			if err := brows.Scan(&gid, &sid, &n); err != nil {
				return nil, err
			}
			i := idx[gid]
			out[i].Limits = append(out[i].Limits, Limit{Rule: "scale_students_campus", Limit: lim.MaxStudentsPerCampus, Value: n, SchoolID: sid})
		}
	}
	return out, nil
}

// GroupLimits is one group over its limits.
type GroupLimits struct {
	GroupID   int64   `json:"group_id"`
	GroupName string  `json:"group_name"`
	Limits    []Limit `json:"limits"`
}

// Candidates lists schools that could join the group on date: active and in
// no group from that date on. A group leader needs them to add a member,
// though such schools lie outside their scope; only public facts are shown.
func (s *Service) Candidates(ctx context.Context, a auth.Actor, groupID int64, q string, date store.Date) ([]School, error) {
	if _, err := s.GetGroup(ctx, a, groupID); err != nil {
		return nil, err
	}
	if !a.Reach(auth.PermGroupsManage).Group(groupID) {
		return nil, errs.ForbiddenError()
	}
	var c store.Where
	c.Add("s.status = 'active'")
	c.Add("NOT EXISTS (SELECT 1 FROM group_members x WHERE x.school_id = s.id AND (x.left_on IS NULL OR x.left_on > ?))", date)
	if q != "" {
		c.Add(`(s.name LIKE ? ESCAPE '\' OR s.code LIKE ? ESCAPE '\')`, like(q), like(q))
	}
	rows, err := s.st.R.QueryContext(ctx, "SELECT "+schoolCols+schoolFrom+c.SQL()+" ORDER BY s.name LIMIT 50", c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []School{}
	for rows.Next() {
		x, err := scanSchool(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
