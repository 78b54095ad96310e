package registry

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

// GroupInput creates or edits a group.
type GroupInput struct {
	Name           string     `json:"name"`
	Mode           string     `json:"mode"`
	Governance     string     `json:"governance"`
	LeadSchoolID   int64      `json:"lead_school_id"`
	FoundedOn      store.Date `json:"founded_on"`
	Goal           string     `json:"goal"`
	Philosophy     string     `json:"philosophy"`
	Motto          string     `json:"motto"`
	PartySecretary string     `json:"party_secretary"`
	PartyMembers   string     `json:"party_members"`
	TaskForce      string     `json:"task_force"`
	Status         string     `json:"status,omitempty"`
	Version        int        `json:"version,omitempty"`
}

func (s *Service) validateGroup(ctx context.Context, in *GroupInput) error {
	in.Name = strings.TrimSpace(in.Name)
	var f errs.Fields
	if in.Name == "" || len([]rune(in.Name)) > 60 {
		f.Add("name", "field.required_max", errs.Args{"max": 60})
	}
	if in.FoundedOn.IsZero() {
		f.Add("founded_on", "field.required", nil)
	}
	v, err := s.pol.InForce(ctx, in.FoundedOn)
	if err != nil {
		return err
	}
	known := false
	for _, m := range v.Settings.Group.Modes {
		known = known || m.Code == in.Mode
	}
	if !known {
		f.Add("mode", "registry.mode", nil)
	}
	switch in.Governance {
	case "unified":
	case "federated":
		// 多个法人联合管理: the lead school sets up a task force (工作专班).
		if strings.TrimSpace(in.TaskForce) == "" {
			f.Add("task_force", "registry.task_force_required", nil)
		}
	default:
		f.Add("governance", "registry.governance", nil)
	}
	if in.LeadSchoolID == 0 {
		f.Add("lead_school_id", "field.required", nil)
	}
	if in.Status == "" {
		in.Status = "active"
	}
	if in.Status != "active" && in.Status != "dissolved" {
		f.Add("status", "registry.group_status", nil)
	}
	for field, val := range map[string]string{"goal": in.Goal, "philosophy": in.Philosophy, "motto": in.Motto, "party_members": in.PartyMembers, "task_force": in.TaskForce} {
		if len([]rune(val)) > 1000 {
			f.Add(field, "field.max", errs.Args{"max": 1000})
		}
	}
	return f.Err()
}

// CreateGroup founds a group; its lead school joins as 牵头校 on the founding date.
func (s *Service) CreateGroup(ctx context.Context, a auth.Actor, in GroupInput) (GroupDetail, error) {
	if !a.Reach(auth.PermGroupsManage).County {
		return GroupDetail{}, errs.ForbiddenError()
	}
	if err := s.validateGroup(ctx, &in); err != nil {
		return GroupDetail{}, err
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertGroup(ctx, tx, a, in)
		return err
	})
	if err != nil {
		return GroupDetail{}, err
	}
	return s.GroupDetail(ctx, a, id)
}

// insertGroup founds a validated group inside tx: the lead school must be
// active and in no other group from the founding date, and joins as 牵头校.
func (s *Service) insertGroup(ctx context.Context, tx *sql.Tx, a auth.Actor, in GroupInput) (int64, error) {
	if err := s.st.LockKey(ctx, tx, lockSchool, in.LeadSchoolID); err != nil {
		return 0, err
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM schools WHERE id = $1`, in.LeadSchoolID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.FieldError("lead_school_id", "registry.school_missing", nil)
	}
	if err != nil {
		return 0, err
	}
	if status != "active" {
		return 0, errs.FieldError("lead_school_id", "registry.school_closed", nil)
	}
	if err := oneGroupPerDate(ctx, tx, in.LeadSchoolID, in.FoundedOn); err != nil {
		return 0, err
	}
	now := store.Now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO edu_groups (name, mode, governance, lead_school_id, founded_on, goal, philosophy, motto, party_secretary, party_members, task_force, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
		in.Name, in.Mode, in.Governance, in.LeadSchoolID, in.FoundedOn, in.Goal, in.Philosophy, in.Motto, in.PartySecretary, in.PartyMembers, in.TaskForce, in.Status, now).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, &errs.Error{Code: errs.Conflict, Key: "registry.group_name_taken", Details: []errs.Detail{{Field: "name", Key: "registry.group_name_taken"}}}
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, school_id, role, joined_on, created_at) VALUES ($1, $2, 'lead', $3, $4)`,
		id, in.LeadSchoolID, in.FoundedOn, now); err != nil {
		return 0, err
	}
	return id, s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "group.create", ObjectType: "group", ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"after": in}})
}

// UpdateGroup edits a group. A new lead school must already be a member; it
// becomes 牵头校 and the former lead 核心校.
func (s *Service) UpdateGroup(ctx context.Context, a auth.Actor, id int64, in GroupInput) (GroupDetail, error) {
	before, err := s.GetGroup(ctx, a, id)
	if err != nil {
		return GroupDetail{}, err
	}
	if !a.Reach(auth.PermGroupsManage).Group(id) {
		return GroupDetail{}, errs.ForbiddenError()
	}
	in.FoundedOn = before.FoundedOn // the founding date is history
	if err := s.validateGroup(ctx, &in); err != nil {
		return GroupDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if in.LeadSchoolID != before.LeadSchoolID {
			var mid int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM group_members WHERE group_id = $1 AND school_id = $2 AND left_on IS NULL`, id, in.LeadSchoolID).Scan(&mid)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.RuleError("lead_is_member", "registry.lead_is_member", nil)
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'core' WHERE group_id = $1 AND role = 'lead' AND left_on IS NULL`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'lead' WHERE id = $1`, mid); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE edu_groups SET name = $1, mode = $2, governance = $3, lead_school_id = $4, goal = $5, philosophy = $6, motto = $7,
			party_secretary = $8, party_members = $9, task_force = $10, status = $11, updated_at = $12, version = version + 1 WHERE id = $13 AND version = $14`,
			in.Name, in.Mode, in.Governance, in.LeadSchoolID, in.Goal, in.Philosophy, in.Motto, in.PartySecretary, in.PartyMembers, in.TaskForce, in.Status, store.Now(), id, in.Version)
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Key: "registry.group_name_taken", Details: []errs.Detail{{Field: "name", Key: "registry.group_name_taken"}}}
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "group.update", ObjectType: "group", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"before": before, "after": in}})
	})
	if err != nil {
		return GroupDetail{}, err
	}
	return s.GroupDetail(ctx, a, id)
}
