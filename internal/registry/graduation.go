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
	"edugroup/internal/store"
)

// Graduation is the two-step 动态孵化 decision: the group proposes that a
// member that has become a quality brand leave the group; the bureau approves
// or rejects.
type Graduation struct {
	ID           int64      `json:"id"`
	GroupID      int64      `json:"group_id"`
	GroupName    string     `json:"group_name"`
	SchoolID     int64      `json:"school_id"`
	SchoolName   string     `json:"school_name"`
	Evidence     string     `json:"evidence"`
	LeaveOn      store.Date `json:"leave_on"`
	Status       string     `json:"status" enum:"proposed,approved,rejected"`
	ProposedBy   string     `json:"proposed_by"`
	ProposedAt   time.Time  `json:"proposed_at"`
	DecidedBy    string     `json:"decided_by"`
	DecidedAt    *time.Time `json:"decided_at"`
	DecisionNote string     `json:"decision_note"`
	Version      int        `json:"version"`
}

// GraduationInput proposes a graduation.
type GraduationInput struct {
	SchoolID int64      `json:"school_id"`
	Evidence string     `json:"evidence"`
	LeaveOn  store.Date `json:"leave_on"`
}

// Decision approves or rejects a proposal.
type Decision struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

const graduationSelect = `SELECT gr.id, g.id, g.name, s.id, s.name, gr.evidence, gr.leave_on, gr.status, pu.username, gr.proposed_at,
	COALESCE(du.username, ''), gr.decided_at, gr.decision_note, gr.version
	FROM graduations gr JOIN edu_groups g ON g.id = gr.group_id JOIN schools s ON s.id = gr.school_id
	JOIN users pu ON pu.id = gr.proposed_by LEFT JOIN users du ON du.id = gr.decided_by`

func scanGraduation(row interface{ Scan(...any) error }) (Graduation, error) {
	var x Graduation
	var decided sql.NullTime
	err := row.Scan(&x.ID, &x.GroupID, &x.GroupName, &x.SchoolID, &x.SchoolName, &x.Evidence, &x.LeaveOn, &x.Status, &x.ProposedBy, &x.ProposedAt,
		&x.DecidedBy, &decided, &x.DecisionNote, &x.Version)
	x.ProposedAt = x.ProposedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		x.DecidedAt = &t
	}
	return x, err
}

// ProposeGraduation records the group's proposal with its evidence.
func (s *Service) ProposeGraduation(ctx context.Context, a auth.Actor, groupID int64, in GraduationInput) (Graduation, error) {
	g, err := s.GetGroup(ctx, a, groupID)
	if err != nil {
		return Graduation{}, err
	}
	if !a.Reach(auth.PermGroupsManage).Group(groupID) {
		return Graduation{}, errs.ForbiddenError()
	}
	in.Evidence = strings.TrimSpace(in.Evidence)
	var f errs.Fields
	if in.Evidence == "" || len([]rune(in.Evidence)) > 4000 {
		f.Add("evidence", "field.required_max", errs.Args{"max": 4000})
	}
	if in.LeaveOn.IsZero() {
		f.Add("leave_on", "field.required", nil)
	}
	if err := f.Err(); err != nil {
		return Graduation{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var role string
		var joined store.Date
		err := tx.QueryRowContext(ctx, `SELECT role, joined_on FROM group_members WHERE group_id = $1 AND school_id = $2 AND left_on IS NULL`, groupID, in.SchoolID).Scan(&role, &joined)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.FieldError("school_id", "registry.not_a_member", nil)
		}
		if err != nil {
			return err
		}
		if role == "lead" {
			return errs.RuleError("lead_cannot_leave", "registry.lead_cannot_leave", nil)
		}
		if !in.LeaveOn.After(joined.Time) {
			return errs.FieldError("leave_on", "registry.leave_after_join", errs.Args{"date": joined.String()})
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM graduations WHERE school_id = $1 AND status = 'proposed'`, in.SchoolID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return errs.ConflictError("registry.graduation_open", nil)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO graduations (group_id, school_id, evidence, leave_on, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			groupID, in.SchoolID, in.Evidence, in.LeaveOn, a.UserID, store.Now()).Scan(&id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "graduation.propose", ObjectType: "graduation", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"group": g.Name, "school_id": in.SchoolID, "leave_on": in.LeaveOn.String(), "evidence": in.Evidence}})
	})
	if err != nil {
		return Graduation{}, err
	}
	return scanGraduation(s.st.W.QueryRowContext(ctx, graduationSelect+` WHERE gr.id = $1`, id))
}

// Graduations lists proposals in the actor's scope, newest first.
func (s *Service) Graduations(ctx context.Context, a auth.Actor, status string) ([]Graduation, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, err
	}
	var c store.Where
	groupScope(&c, r)
	if status != "" {
		c.Add("gr.status = ?", status)
	}
	rows, err := s.st.R.QueryContext(ctx, graduationSelect+c.SQL()+` ORDER BY gr.id DESC`, c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Graduation{}
	for rows.Next() {
		x, err := scanGraduation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// DecideGraduation is the bureau's step. Approval ends the membership on the
// proposed date with reason "graduated" and marks the school 优质.
func (s *Service) DecideGraduation(ctx context.Context, a auth.Actor, id int64, d Decision) (Graduation, error) {
	if !a.Reach(auth.PermGroupsApprove).County {
		return Graduation{}, errs.ForbiddenError()
	}
	if len([]rune(d.Note)) > 1000 {
		return Graduation{}, errs.FieldError("note", "field.max", errs.Args{"max": 1000})
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		x, err := scanGraduation(tx.QueryRowContext(ctx, graduationSelect+` WHERE gr.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("graduation")
		}
		if err != nil {
			return err
		}
		if x.Status != "proposed" {
			return errs.ConflictError("registry.graduation_decided", nil)
		}
		status := "rejected"
		if d.Approve {
			status = "approved"
		}
		res, err := tx.ExecContext(ctx, `UPDATE graduations SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, version = version + 1
			WHERE id = $5 AND version = $6 AND status = 'proposed'`, status, a.UserID, store.Now(), strings.TrimSpace(d.Note), id, d.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if d.Approve {
			var mid int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM group_members WHERE group_id = $1 AND school_id = $2 AND left_on IS NULL`, x.GroupID, x.SchoolID).Scan(&mid)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.RuleError("not_a_member", "registry.not_a_member", nil)
			}
			if err != nil {
				return err
			}
			g := Group{ID: x.GroupID, Name: x.GroupName}
			if err := s.endMembership(ctx, tx, a, g, mid, x.SchoolID, x.LeaveOn, LeaveGraduated, d.Note, 0); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE schools SET tier = 'quality', updated_at = $1, version = version + 1 WHERE id = $2`, store.Now(), x.SchoolID); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "graduation." + status[:len(status)-1], ObjectType: "graduation", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"group": x.GroupName, "school": x.SchoolName, "leave_on": x.LeaveOn.String(), "note": d.Note}})
	})
	if err != nil {
		return Graduation{}, err
	}
	return scanGraduation(s.st.W.QueryRowContext(ctx, graduationSelect+` WHERE gr.id = $1`, id))
}

// Share is a count of schools and students, in groups and in all.
type Share struct {
	Schools          int `json:"schools"`
	SchoolsInGroups  int `json:"schools_in_groups"`
	Students         int `json:"students"`
	StudentsInGroups int `json:"students_in_groups"`
}

// AreaShare is the share for town (城镇) or country (乡村) schools.
type AreaShare struct {
	Area string `json:"area"`
	Share
}

// StageShare is the share for one stage.
type StageShare struct {
	Stage string `json:"stage"`
	Share
}

// Count is a number of schools and of their students.
type Count struct {
	Schools  int `json:"schools"`
	Students int `json:"students"`
}

// Coverage is 工作目标's measure: how much of the county the groups reach.
type Coverage struct {
	Date     store.Date   `json:"date"`
	Total    Count        `json:"total"`
	InGroups Count        `json:"in_groups"`
	ByArea   []AreaShare  `json:"by_area"`
	ByStage  []StageShare `json:"by_stage"`
}

// Coverage computes the share of active schools and students in a group on date.
// Urban-rural codes starting with 1 (城区、镇区) count as town, 2 (乡村) as country.
func (s *Service) Coverage(ctx context.Context, a auth.Actor, date store.Date) (Coverage, error) {
	if !a.Has(auth.PermRegistryRead) {
		return Coverage{}, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return Coverage{}, err
	}
	if !r.county {
		return Coverage{}, errs.ForbiddenError()
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT s.stage, s.urban_rural, s.students,
		EXISTS (SELECT 1 FROM group_members m WHERE m.school_id = s.id AND m.joined_on <= $1 AND (m.left_on IS NULL OR m.left_on > $1))
		FROM schools s WHERE s.status = 'active'`, date)
	if err != nil {
		return Coverage{}, err
	}
	defer rows.Close()
	cov := Coverage{Date: date}
	var all Share
	areas := map[string]*Share{"town": {}, "country": {}}
	stages := map[string]*Share{}
	var stageOrder []string
	for rows.Next() {
		var stage, ur string
		var students int
		var in bool
		if err := rows.Scan(&stage, &ur, &students, &in); err != nil {
			return Coverage{}, err
		}
		area := "country"
		if strings.HasPrefix(ur, "1") {
			area = "town"
		}
		if stages[stage] == nil {
			stages[stage] = &Share{}
			stageOrder = append(stageOrder, stage)
		}
		for _, sh := range []*Share{&all, areas[area], stages[stage]} {
			sh.Schools++
			sh.Students += students
			if in {
				sh.SchoolsInGroups++
				sh.StudentsInGroups += students
			}
		}
	}
	if err := rows.Err(); err != nil {
		return Coverage{}, err
	}
	cov.Total = Count{all.Schools, all.Students}
	cov.InGroups = Count{all.SchoolsInGroups, all.StudentsInGroups}
	cov.ByArea = []AreaShare{{"town", *areas["town"]}, {"country", *areas["country"]}}
	rank := map[string]int{"preschool": 0, "primary": 1, "junior": 2, "nine_year": 3, "senior": 4}
	sort.Slice(stageOrder, func(i, j int) bool { return rank[stageOrder[i]] < rank[stageOrder[j]] })
	for _, st := range stageOrder {
		cov.ByStage = append(cov.ByStage, StageShare{st, *stages[st]})
	}
	return cov, nil
}
