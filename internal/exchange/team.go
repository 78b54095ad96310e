package exchange

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
)

// Team is a 团队进驻: several cadres of the lead/core school sent together to
// one member school with a shared goal. It ends with a diagnosis report and
// suggestions (诊断报告/建议) that the member school answers.
type Team struct {
	ID             int64      `json:"id"`
	GroupID        int64      `json:"group_id"`
	GroupName      string     `json:"group_name"`
	HostSchoolID   int64      `json:"host_school_id"`
	HostSchoolName string     `json:"host_school_name"`
	Name           string     `json:"name"`
	Goal           string     `json:"goal"`
	StartOn        store.Date `json:"start_on"`
	EndOn          store.Date `json:"end_on"`
	Members        int        `json:"member_count"`
	// Stage is where the team stands: approval (审批中), approved (待进驻),
	// working (进驻中), returned (待诊断报告), reported (待成员校回应),
	// responded (已回应), or ended (every member's exchange refused,
	// withdrawn or cancelled).
	Stage       string     `json:"stage" enum:"approval,approved,working,returned,reported,responded,ended"`
	Report      string     `json:"report"`
	Suggestions string     `json:"suggestions"`
	ReportedBy  string     `json:"reported_by"`
	ReportedAt  *time.Time `json:"reported_at"`
	Response    string     `json:"response"`
	RespondedBy string     `json:"responded_by"`
	RespondedAt *time.Time `json:"responded_at"`
	Version     int        `json:"version"`
}

// TeamDetail is a team with its members' exchanges and what the viewer may do.
type TeamDetail struct {
	Team
	MemberExchanges []Exchange `json:"members"`
	Actions         []string   `json:"actions"`
}

// TeamInput sends a team: one 跟岗锻炼 per cadre, all submitted at once.
type TeamInput struct {
	HostSchoolID int64      `json:"host_school_id"`
	Name         string     `json:"name"`
	Goal         string     `json:"goal"`
	StartOn      store.Date `json:"start_on"`
	EndOn        store.Date `json:"end_on"`
	StaffIDs     []int64    `json:"staff_ids"`
}

// TeamReport is the team's diagnosis report and suggestions.
type TeamReport struct {
	Report      string `json:"report"`
	Suggestions string `json:"suggestions"`
	Version     int    `json:"version"`
}

// TeamResponse is the member school's answer to the suggestions.
type TeamResponse struct {
	Response string `json:"response"`
	Version  int    `json:"version"`
}

const selectTeam = `SELECT t.id, t.group_id, g.name, t.host_school_id, s.name, t.name, t.goal,
	(SELECT min(start_on) FROM exchanges WHERE team_id = t.id), (SELECT max(end_on) FROM exchanges WHERE team_id = t.id),
	(SELECT count(*) FROM exchanges WHERE team_id = t.id),
	(SELECT count(*) FROM exchanges WHERE team_id = t.id AND status IN ('draft', 'submitted', 'endorsed', 'reviewed')),
	(SELECT count(*) FROM exchanges WHERE team_id = t.id AND status = 'approved'),
	(SELECT count(*) FROM exchanges WHERE team_id = t.id AND status = 'underway'),
	(SELECT count(*) FROM exchanges WHERE team_id = t.id AND status IN ('returned', 'closed')), t.report, t.suggestions, COALESCE(ru.display_name, ''), t.reported_at,
	t.response, COALESCE(pu.display_name, ''), t.responded_at, t.version
	FROM exchange_teams t JOIN edu_groups g ON g.id = t.group_id JOIN schools s ON s.id = t.host_school_id
	LEFT JOIN users ru ON ru.id = t.reported_by LEFT JOIN users pu ON pu.id = t.responded_by`

func scanTeam(row interface{ Scan(...any) error }) (Team, error) {
	var t Team
	var reported, responded sql.NullTime
	var inApproval, approved, underway, back int
	err := row.Scan(&t.ID, &t.GroupID, &t.GroupName, &t.HostSchoolID, &t.HostSchoolName, &t.Name, &t.Goal, &t.StartOn, &t.EndOn, &t.Members,
		&inApproval, &approved, &underway, &back,
		&t.Report, &t.Suggestions, &t.ReportedBy, &reported, &t.Response, &t.RespondedBy, &responded, &t.Version)
	switch {
	case responded.Valid:
		t.Stage = "responded"
	case reported.Valid:
		t.Stage = "reported"
	case underway > 0:
		t.Stage = "working"
	case inApproval > 0:
		t.Stage = "approval"
	case approved > 0:
		t.Stage = "approved"
	case back > 0:
		t.Stage = "returned"
	default:
		t.Stage = "ended"
	}
	if reported.Valid {
		at := reported.Time.UTC()
		t.ReportedAt = &at
	}
	if responded.Valid {
		at := responded.Time.UTC()
		t.RespondedAt = &at
	}
	return t, err
}

// teamVisible narrows teams to the actor's scope: the county, the group, or
// the host school and the schools its members come from.
func teamVisible(w *store.Where, a auth.Actor) {
	var e store.Where
	visible(&e, a)
	if e.SQL() == "" {
		return
	}
	// A team is visible when one of its exchanges is, or when the actor's
	// school hosts it.
	var alts []string
	r := a.Reach(auth.PermExchangesRead)
	for _, g := range r.Groups {
		alts = append(alts, "t.group_id = "+w.Arg(g))
	}
	for _, sc := range r.Schools {
		alts = append(alts, "t.host_school_id = "+w.Arg(sc))
	}
	var sub store.Where
	sub.Args = w.Args
	visible(&sub, a)
	w.Args = sub.Args
	alts = append(alts, "EXISTS (SELECT 1 FROM exchanges e"+sub.SQL()+" AND e.team_id = t.id)")
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// Teams lists the teams in the actor's scope, newest first.
func (s *Service) Teams(ctx context.Context, a auth.Actor, groupID int64) ([]Team, error) {
	if !a.Has(auth.PermExchangesRead) {
		return nil, errs.ForbiddenError()
	}
	var w store.Where
	teamVisible(&w, a)
	if groupID != 0 {
		w.Add("t.group_id = ?", groupID)
	}
	rows, err := s.st.R.QueryContext(ctx, selectTeam+w.SQL()+` ORDER BY t.id DESC LIMIT 500`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TeamDetail reads one team in scope.
func (s *Service) TeamDetail(ctx context.Context, a auth.Actor, id int64) (TeamDetail, error) {
	return s.teamDetail(ctx, s.st.R, a, id)
}

func (s *Service) teamDetail(ctx context.Context, q querier, a auth.Actor, id int64) (TeamDetail, error) {
	if !a.Has(auth.PermExchangesRead) {
		return TeamDetail{}, errs.ForbiddenError()
	}
	var w store.Where
	w.Add("t.id = ?", id)
	teamVisible(&w, a)
	t, err := scanTeam(q.QueryRowContext(ctx, selectTeam+w.SQL(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return TeamDetail{}, errs.NotFoundError("team")
	}
	if err != nil {
		return TeamDetail{}, err
	}
	members, err := s.query(ctx, q, selectExchange+` WHERE e.team_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return TeamDetail{}, err
	}
	d := TeamDetail{Team: t, MemberExchanges: members, Actions: []string{}}
	can := s.teamActions(a, d)
	for _, name := range []string{"report", "respond"} {
		if can[name] {
			d.Actions = append(d.Actions, name)
		}
	}
	return d, nil
}

// teamActions: the sending school (or the group) writes the report once the
// team is at work; the host school answers it.
func (s *Service) teamActions(a auth.Actor, d TeamDetail) map[string]bool {
	working := false
	endorse := a.Reach(auth.PermExchangesEndorse)
	sender := endorse.Group(d.GroupID)
	for _, x := range d.MemberExchanges {
		if x.Status == Underway || x.Status == Returned || x.Status == Closed {
			working = true
		}
		if canApply(a, x.StaffID, x.HomeSchoolID) && !isOwn(a, x) {
			sender = true
		}
		if isOwn(a, x) {
			sender = true // a team member may write the team's report
		}
	}
	return map[string]bool{
		"report":  working && sender,
		"respond": d.Report != "" && endorse.School(d.HostSchoolID),
	}
}

// CreateTeam sends a team: it saves the team and one 跟岗锻炼 per cadre, and
// submits them all; any rule failing for any member refuses the whole team.
func (s *Service) CreateTeam(ctx context.Context, a auth.Actor, in TeamInput) (TeamDetail, error) {
	in.Name, in.Goal = strings.TrimSpace(in.Name), strings.TrimSpace(in.Goal)
	var f errs.Fields
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.Add("name", "field.required_max", errs.Args{"max": 100})
	}
	if in.Goal == "" || len([]rune(in.Goal)) > 2000 {
		f.Add("goal", "field.required_max", errs.Args{"max": 2000})
	}
	if len(in.StaffIDs) < 2 || len(in.StaffIDs) > 20 {
		f.Add("staff_ids", "exchange.team_size", errs.Args{"min": 2, "max": 20})
	}
	seen := map[int64]bool{}
	for _, id := range in.StaffIDs {
		if seen[id] {
			f.Add("staff_ids", "exchange.team_duplicate", nil)
			break
		}
		seen[id] = true
	}
	if err := f.Err(); err != nil {
		return TeamDetail{}, err
	}
	var teamID int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var group int64
		now := store.Now()
		var ids []int64
		for i, staffID := range in.StaffIDs {
			x := Input{Kind: KindTraining, StaffID: staffID, HostSchoolID: in.HostSchoolID, StartOn: in.StartOn, EndOn: in.EndOn, Purpose: in.Goal}
			sub, err := s.validate(ctx, tx, a, &x)
			if err != nil {
				return prefixed(err, i)
			}
			v, err := s.judge(ctx, tx, a, sub, stageApply)
			if err != nil {
				return err
			}
			if err := v.failed(); err != nil {
				return prefixed(err, i)
			}
			if group == 0 {
				group = v.groupID
				if err := tx.QueryRowContext(ctx, `INSERT INTO exchange_teams (group_id, host_school_id, name, goal, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
					group, in.HostSchoolID, in.Name, in.Goal, nullID(a.UserID), now).Scan(&teamID); err != nil {
					return err
				}
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO exchanges (kind, staff_id, is_cadre, group_id, home_school_id, host_school_id, team_id,
				start_on, end_on, purpose, status, submitted_on, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
				KindTraining, staffID, sub.isCadre, group, sub.homeSchoolID, in.HostSchoolID, teamID, in.StartOn, in.EndOn, in.Goal, Submitted, sub.applied,
				nullID(a.UserID), now).Scan(&id); err != nil {
				return err
			}
			if err := s.addStep(ctx, tx, a, id, "create", "", Draft, ""); err != nil {
				return err
			}
			if err := s.addStep(ctx, tx, a, id, "submit", Draft, Submitted, in.Name); err != nil {
				return err
			}
			// Those who must endorse are told, as for an application submitted
			// alone; the event is the exchange's first version.
			sent, err := s.get(ctx, tx, a, id)
			if err != nil {
				return err
			}
			sent.Version--
			if err := s.notify(ctx, tx, a, sent, "submit", Draft, Submitted, ""); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exchange.team_create", ObjectType: "exchange_team", ObjectID: strconv.FormatInt(teamID, 10),
			Detail: map[string]any{"name": in.Name, "host_school_id": in.HostSchoolID, "exchanges": ids}})
	})
	if err != nil {
		return TeamDetail{}, err
	}
	return s.TeamDetail(ctx, a, teamID)
}

// prefixed names the team member an error is about: staff_ids[i].field.
func prefixed(err error, i int) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	out := *e
	out.Details = make([]errs.Detail, len(e.Details))
	for j, d := range e.Details {
		if d.Field != "" {
			d.Field = "staff_ids[" + strconv.Itoa(i) + "]." + d.Field
		} else {
			d.Field = "staff_ids[" + strconv.Itoa(i) + "]" // a rule: which member broke it
		}
		if d.Args == nil {
			d.Args = errs.Args{}
		} else {
			args := errs.Args{}
			for k, v := range d.Args {
				args[k] = v
			}
			d.Args = args
		}
		d.Args["member"] = i + 1
		out.Details[j] = d
	}
	return &out
}

// ReportTeam records the diagnosis report and suggestions.
func (s *Service) ReportTeam(ctx context.Context, a auth.Actor, id int64, in TeamReport) (TeamDetail, error) {
	in.Report, in.Suggestions = strings.TrimSpace(in.Report), strings.TrimSpace(in.Suggestions)
	var f errs.Fields
	if in.Report == "" || len([]rune(in.Report)) > 20000 {
		f.Add("report", "field.required_max", errs.Args{"max": 20000})
	}
	if in.Suggestions == "" || len([]rune(in.Suggestions)) > 20000 {
		f.Add("suggestions", "field.required_max", errs.Args{"max": 20000})
	}
	if err := f.Err(); err != nil {
		return TeamDetail{}, err
	}
	return s.teamStep(ctx, a, id, in.Version, "report", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE exchange_teams SET report = $1, suggestions = $2, reported_by = $3, reported_at = $4 WHERE id = $5`,
			in.Report, in.Suggestions, nullID(a.UserID), store.Now(), id)
		return err
	})
}

// RespondTeam records the member school's answer to the suggestions.
func (s *Service) RespondTeam(ctx context.Context, a auth.Actor, id int64, in TeamResponse) (TeamDetail, error) {
	in.Response = strings.TrimSpace(in.Response)
	if in.Response == "" || len([]rune(in.Response)) > 20000 {
		return TeamDetail{}, errs.FieldError("response", "field.required_max", errs.Args{"max": 20000})
	}
	return s.teamStep(ctx, a, id, in.Version, "respond", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE exchange_teams SET response = $1, responded_by = $2, responded_at = $3 WHERE id = $4`,
			in.Response, nullID(a.UserID), store.Now(), id)
		return err
	})
}

func (s *Service) teamStep(ctx context.Context, a auth.Actor, id int64, version int, action string, fn func(tx *sql.Tx) error) (TeamDetail, error) {
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.teamDetail(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if d.Version != version {
			return errs.ConflictError("error.stale_version", nil)
		}
		if !s.teamActions(a, d)[action] {
			return errs.ForbiddenError()
		}
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exchange_teams SET version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exchange.team_" + action, ObjectType: "exchange_team", ObjectID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return TeamDetail{}, err
	}
	return s.TeamDetail(ctx, a, id)
}
