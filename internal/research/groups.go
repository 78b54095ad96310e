package research

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Group is a research group (教研组 / 备课组): one school group's teachers of
// one stage and subject across its member schools.
type Group struct {
	ID            int64     `json:"id"`
	GroupID       int64     `json:"group_id"`
	GroupName     string    `json:"group_name"`
	Stage         string    `json:"stage"`
	Subject       string    `json:"subject"`
	Name          string    `json:"name"`
	LeaderStaffID int64     `json:"leader_staff_id"`
	LeaderName    string    `json:"leader_name"`
	LeaderSchool  string    `json:"leader_school"`
	SlotWeekday   int       `json:"slot_weekday"`
	SlotPeriods   []int     `json:"slot_periods"`
	Members       int       `json:"members"`
	Schools       int       `json:"schools"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`
}

const selectGroup = `SELECT rg.id, rg.group_id, g.name, rg.stage, rg.subject, rg.name, COALESCE(rg.leader_staff_id, 0), COALESCE(ls.name, ''), COALESCE(lh.name, ''),
	rg.slot_weekday, rg.slot_periods,
	(SELECT count(*) FROM research_members m WHERE m.research_group_id = rg.id),
	(SELECT count(DISTINCT m.school_id) FROM research_members m WHERE m.research_group_id = rg.id),
	rg.updated_at, rg.version
	FROM research_groups rg JOIN edu_groups g ON g.id = rg.group_id
	LEFT JOIN staff ls ON ls.id = rg.leader_staff_id LEFT JOIN schools lh ON lh.id = ls.school_id`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var periods string
	err := row.Scan(&g.ID, &g.GroupID, &g.GroupName, &g.Stage, &g.Subject, &g.Name, &g.LeaderStaffID, &g.LeaderName, &g.LeaderSchool,
		&g.SlotWeekday, &periods, &g.Members, &g.Schools, &g.UpdatedAt, &g.Version)
	g.SlotPeriods = parsePeriods(periods)
	g.UpdatedAt = g.UpdatedAt.UTC()
	return g, err
}

func (s *Service) getGroup(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Group, error) {
	var w store.Where
	w.Add("rg.id = ?", id)
	reachClause(&w, a, auth.PermResearchRead, "rg")
	g, err := scanGroup(q.QueryRowContext(ctx, selectGroup+w.SQL(), w.Args...))
	return g, notFound(err, "research_group")
}

// GroupFilter narrows the list of research groups.
type GroupFilter struct {
	GroupID int64
	Stage   string
	Subject string
	Mine    bool // only those the actor is a member of
}

// Groups lists the research groups in the actor's scope.
func (s *Service) Groups(ctx context.Context, a auth.Actor, f GroupFilter) ([]Group, error) {
	if !a.Has(auth.PermResearchRead) {
		return nil, errs.ForbiddenError()
	}
	var w store.Where
	reachClause(&w, a, auth.PermResearchRead, "rg")
	if f.GroupID != 0 {
		w.Add("rg.group_id = ?", f.GroupID)
	}
	if f.Stage != "" {
		w.Add("rg.stage = ?", f.Stage)
	}
	if f.Subject != "" {
		w.Add("rg.subject = ?", f.Subject)
	}
	if f.Mine {
		w.Add("rg.id IN (SELECT research_group_id FROM research_members WHERE staff_id = ?)", a.StaffID)
	}
	rows, err := s.st.R.QueryContext(ctx, selectGroup+w.SQL()+` ORDER BY g.name, rg.stage, rg.subject, rg.id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Member is one teacher of a research group.
type Member struct {
	StaffID    int64  `json:"staff_id"`
	Name       string `json:"name"`
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	IsLead     bool   `json:"is_lead"` // of the lead school
	Title      string `json:"title"`
	Honours    string `json:"honours"`
}

// GroupDetail is a research group with its members and what the caller may
// do.
type GroupDetail struct {
	Group
	LeadSchoolID int64    `json:"lead_school_id"`
	MemberList   []Member `json:"member_list"`
	CanManage    bool     `json:"can_manage"`
	IsLeader     bool     `json:"is_leader"`
	IsMember     bool     `json:"is_member"`
}

// GroupDetail reads one research group.
func (s *Service) GroupDetail(ctx context.Context, a auth.Actor, id int64) (GroupDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return GroupDetail{}, errs.ForbiddenError()
	}
	return s.groupDetail(ctx, s.st.R, a, id)
}

func (s *Service) groupDetail(ctx context.Context, q store.Reader, a auth.Actor, id int64) (GroupDetail, error) {
	g, err := s.getGroup(ctx, q, a, id)
	if err != nil {
		return GroupDetail{}, err
	}
	d := GroupDetail{Group: g, CanManage: manages(a, g.GroupID), MemberList: []Member{}}
	if err := q.QueryRowContext(ctx, `SELECT lead_school_id FROM edu_groups WHERE id = $1`, g.GroupID).Scan(&d.LeadSchoolID); err != nil {
		return d, err
	}
	d.MemberList, err = members(ctx, q, id, d.LeadSchoolID)
	me := self(a)
	d.IsLeader = me != 0 && me == g.LeaderStaffID
	for _, m := range d.MemberList {
		if me != 0 && m.StaffID == me {
			d.IsMember = true
		}
	}
	return d, err
}

func members(ctx context.Context, q store.Reader, id, lead int64) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.staff_id, st.name, m.school_id, sc.name, st.title, st.honours FROM research_members m
		JOIN staff st ON st.id = m.staff_id JOIN schools sc ON sc.id = m.school_id WHERE m.research_group_id = $1 ORDER BY sc.name, st.name, st.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.StaffID, &m.Name, &m.SchoolID, &m.SchoolName, &m.Title, &m.Honours); err != nil {
			return nil, err
		}
		m.IsLead = m.SchoolID == lead
		out = append(out, m)
	}
	return out, rows.Err()
}

// teacherStage is the stage a teacher teaches: the staff record's 任教学段,
// else the school's (a 九年一贯制 school's teachers count as junior unless
// their record says primary).
const teacherStage = `COALESCE(NULLIF(st.stage, ''), CASE sc.stage WHEN 'nine_year' THEN 'junior' ELSE sc.stage END)`

// ProposeInput names the school group whose research groups are proposed.
type ProposeInput struct {
	GroupID int64 `json:"group_id"`
}

// ProposeResult is what a proposal created.
type ProposeResult struct {
	Created []Group `json:"created"`
	Kept    int     `json:"kept"` // research groups that existed already, left as they are
}

// Propose creates, from the registry, a research group for every stage and
// subject the school group's member schools teach, with every active teacher
// of it as a member and as leader the lead school's teacher with the
// highest honour (学科带头人, then 骨干教师), else its first. Existing
// research groups are left as they are (their members are edited by hand).
func (s *Service) Propose(ctx context.Context, a auth.Actor, in ProposeInput) (ProposeResult, error) {
	out := ProposeResult{Created: []Group{}}
	if !a.Has(auth.PermResearchManage) && !a.System {
		return out, errs.ForbiddenError()
	}
	if in.GroupID == 0 {
		return out, errs.FieldError("group_id", "field.required", nil)
	}
	if !manages(a, in.GroupID) {
		return out, errs.NotFoundError("group")
	}
	var created []int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var lead int64
		if err := tx.QueryRowContext(ctx, `SELECT lead_school_id FROM edu_groups WHERE id = $1`, in.GroupID).Scan(&lead); err != nil {
			return notFound(err, "group")
		}
		rows, err := tx.QueryContext(ctx, `SELECT st.id, st.school_id, `+teacherStage+`, st.subject, st.honours FROM staff st JOIN schools sc ON sc.id = st.school_id
			WHERE st.status = 'active' AND st.post = 'teacher' AND st.subject <> ''
			AND st.school_id IN (SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL)
			ORDER BY st.id`, in.GroupID)
		if err != nil {
			return err
		}
		type teacher struct {
			id, school int64
			honours    string
		}
		type key struct{ stage, subject string }
		by := map[key][]teacher{}
		var keys []key
		for rows.Next() {
			var t teacher
			var k key
			if err := rows.Scan(&t.id, &t.school, &k.stage, &k.subject, &t.honours); err != nil {
				rows.Close()
				return err
			}
			if _, ok := by[k]; !ok {
				keys = append(keys, k)
			}
			by[k] = append(by[k], t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := store.Now()
		for _, k := range keys {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM research_groups WHERE group_id = $1 AND stage = $2 AND subject = $3`,
				in.GroupID, k.stage, k.subject).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				out.Kept++
				continue
			}
			ts := by[k]
			var leader int64
			best := -1
			for _, t := range ts {
				if t.school != lead {
					continue
				}
				rank := 0
				switch {
				case strings.Contains(t.honours, "学科带头人"), strings.Contains(t.honours, "名师"):
					rank = 2
				case strings.Contains(t.honours, "骨干"):
					rank = 1
				}
				if rank > best {
					best, leader = rank, t.id
				}
			}
			if leader == 0 {
				leader = ts[0].id
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO research_groups (group_id, stage, subject, name, leader_staff_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, in.GroupID, k.stage, k.subject, stageName(k.stage)+k.subject+"教研组", leader, now).Scan(&id); err != nil {
				return err
			}
			for _, t := range ts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO research_members (research_group_id, staff_id, school_id) VALUES ($1, $2, $3)`, id, t.id, t.school); err != nil {
					return err
				}
			}
			created = append(created, id)
			if err := s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.group_create", ObjectType: "research_group", ObjectID: id64(id),
				Detail: map[string]any{"after": map[string]any{"group_id": in.GroupID, "stage": k.stage, "subject": k.subject, "leader_staff_id": leader, "members": len(ts)}, "proposed": true}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	for _, id := range created {
		g, err := s.getGroup(ctx, s.st.R, a, id)
		if err != nil {
			return out, err
		}
		out.Created = append(out.Created, g)
	}
	return out, nil
}

func stageName(stage string) string {
	switch stage {
	case "preschool":
		return "学前"
	case "primary":
		return "小学"
	case "junior":
		return "初中"
	case "senior":
		return "高中"
	}
	return ""
}

// GroupInput edits a research group's name, leader and members.
type GroupInput struct {
	Name          string  `json:"name"`
	LeaderStaffID int64   `json:"leader_staff_id"`
	StaffIDs      []int64 `json:"staff_ids" openapi:"nullable"` // the members; nil keeps them
	Version       int     `json:"version"`
}

// Update edits a research group: its name, its leader (a member) and its
// members, each an active teacher of a current member school of the group.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in GroupInput) (GroupDetail, error) {
	if !a.Has(auth.PermResearchManage) && !a.System {
		return GroupDetail{}, errs.ForbiddenError()
	}
	in.Name = strings.TrimSpace(in.Name)
	var f errs.Fields
	textMax(&f, "name", in.Name, 60, true)
	if in.LeaderStaffID == 0 {
		f.Add("leader_staff_id", "field.required", nil)
	}
	if err := f.Err(); err != nil {
		return GroupDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.getGroup(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !manages(a, g.GroupID) {
			return errs.ForbiddenError()
		}
		if g.Version != in.Version {
			return staleVersion()
		}
		var before []int64
		rows, err := tx.QueryContext(ctx, `SELECT staff_id FROM research_members WHERE research_group_id = $1 ORDER BY staff_id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sid int64
			if err := rows.Scan(&sid); err != nil {
				rows.Close()
				return err
			}
			before = append(before, sid)
		}
		rows.Close()
		after := before
		if in.StaffIDs != nil {
			after = nil
			seen := map[int64]bool{}
			var f errs.Fields
			type row struct{ staff, school int64 }
			var add []row
			for i, sid := range in.StaffIDs {
				if seen[sid] {
					continue
				}
				seen[sid] = true
				var school int64
				err := tx.QueryRowContext(ctx, `SELECT st.school_id FROM staff st WHERE st.id = $1 AND st.status = 'active'
					AND st.school_id IN (SELECT school_id FROM group_members WHERE group_id = $2 AND left_on IS NULL)`, sid, g.GroupID).Scan(&school)
				if err == sql.ErrNoRows {
					f.Add("staff_ids["+itoa(i)+"]", "research.member_not_in_group", nil)
					continue
				} else if err != nil {
					return err
				}
				add = append(add, row{sid, school})
				after = append(after, sid)
			}
			if err := f.Err(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM research_members WHERE research_group_id = $1`, id); err != nil {
				return err
			}
			for _, r := range add {
				if _, err := tx.ExecContext(ctx, `INSERT INTO research_members (research_group_id, staff_id, school_id) VALUES ($1, $2, $3)`, id, r.staff, r.school); err != nil {
					return err
				}
			}
		}
		isMember := false
		for _, sid := range after {
			isMember = isMember || sid == in.LeaderStaffID
		}
		if !isMember {
			return errs.FieldError("leader_staff_id", "research.leader_not_member", nil)
		}
		res, err := tx.ExecContext(ctx, `UPDATE research_groups SET name = $1, leader_staff_id = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
			in.Name, in.LeaderStaffID, store.Now(), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleVersion()
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.group_update", ObjectType: "research_group", ObjectID: id64(id),
			Detail: map[string]any{"before": map[string]any{"name": g.Name, "leader_staff_id": g.LeaderStaffID, "members": before},
				"after": map[string]any{"name": in.Name, "leader_staff_id": in.LeaderStaffID, "members": after}}})
	})
	if err != nil {
		return GroupDetail{}, err
	}
	return s.GroupDetail(ctx, a, id)
}

// Candidates are the active teachers of the group's member schools who may
// join a research group: those of its subject first.
func (s *Service) Candidates(ctx context.Context, a auth.Actor, id int64) ([]Member, error) {
	if !a.Has(auth.PermResearchManage) {
		return nil, errs.ForbiddenError()
	}
	g, err := s.getGroup(ctx, s.st.R, a, id)
	if err != nil {
		return nil, err
	}
	if !manages(a, g.GroupID) {
		return nil, errs.ForbiddenError()
	}
	var lead int64
	if err := s.st.R.QueryRowContext(ctx, `SELECT lead_school_id FROM edu_groups WHERE id = $1`, g.GroupID).Scan(&lead); err != nil {
		return nil, err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT st.id, st.name, st.school_id, sc.name, st.title, st.honours FROM staff st JOIN schools sc ON sc.id = st.school_id
		WHERE st.status = 'active' AND st.post = 'teacher' AND st.subject = $1
		AND st.school_id IN (SELECT school_id FROM group_members WHERE group_id = $2 AND left_on IS NULL) ORDER BY sc.name, st.name, st.id`, g.Subject, g.GroupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.StaffID, &m.Name, &m.SchoolID, &m.SchoolName, &m.Title, &m.Honours); err != nil {
			return nil, err
		}
		m.IsLead = m.SchoolID == lead
		out = append(out, m)
	}
	return out, rows.Err()
}

func itoa(i int) string { return id64(int64(i)) }
