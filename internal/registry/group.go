package registry

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Group is an education group with its current size.
type Group struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Mode           string     `json:"mode"`
	Governance     string     `json:"governance"`
	LeadSchoolID   int64      `json:"lead_school_id"`
	LeadSchoolName string     `json:"lead_school_name"`
	MemberCount    int        `json:"member_count"`
	Students       int        `json:"students"`
	FoundedOn      store.Date `json:"founded_on"`
	Goal           string     `json:"goal"`
	Philosophy     string     `json:"philosophy"`
	Motto          string     `json:"motto"`
	PartySecretary string     `json:"party_secretary"`
	PartyMembers   string     `json:"party_members"`
	TaskForce      string     `json:"task_force"`
	Status         string     `json:"status" enum:"active,dissolved"`
	Version        int        `json:"version"`
}

const groupSelect = `SELECT g.id, g.name, g.mode, g.governance, g.lead_school_id, ls.name,
	(SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.left_on IS NULL),
	(SELECT COALESCE(sum(s.students), 0) FROM group_members m JOIN schools s ON s.id = m.school_id WHERE m.group_id = g.id AND m.left_on IS NULL),
	g.founded_on, g.goal, g.philosophy, g.motto, g.party_secretary, g.party_members, g.task_force, g.status, g.version
	FROM edu_groups g JOIN schools ls ON ls.id = g.lead_school_id`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	err := row.Scan(&g.ID, &g.Name, &g.Mode, &g.Governance, &g.LeadSchoolID, &g.LeadSchoolName, &g.MemberCount, &g.Students,
		&g.FoundedOn, &g.Goal, &g.Philosophy, &g.Motto, &g.PartySecretary, &g.PartyMembers, &g.TaskForce, &g.Status, &g.Version)
	return g, err
}

func groupScope(c *store.Where, r reach) {
	if r.county {
		return
	}
	var alts []string
	if ids := append(append([]int64{}, r.groups...), r.peerGroups...); len(ids) > 0 {
		alts = append(alts, "g.id IN "+c.In(ids))
	}
	if r.selfSchool != 0 {
		alts = append(alts, "g.id IN (SELECT group_id FROM group_members WHERE left_on IS NULL AND school_id IN "+c.In([]int64{r.selfSchool})+")")
	}
	c.Add(orNone(alts))
}

// GroupFilter narrows the group list.
type GroupFilter struct {
	Q          string
	Mode       string
	Sort       string
	Desc       bool
	Page, Size int
}

var groupSorts = map[string]string{"name": "g.name", "founded_on": "g.founded_on", "mode": "g.mode"}

// ListGroups returns a page of the groups the actor may see.
func (s *Service) ListGroups(ctx context.Context, a auth.Actor, f GroupFilter) ([]Group, int, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, 0, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	c := groupCond(r, f)
	total, err := s.count(ctx, "SELECT count(*) FROM edu_groups g"+c.SQL(), c.Args)
	if err != nil {
		return nil, 0, err
	}
	// Page on the groups table alone; the member counts are computed for the
	// twenty groups shown, not for every skipped one.
	order := orderBy(groupSorts, f.Sort, f.Desc, "g.id")
	out, err := readPage(f.Page, f.Size, total, func(w window) ([]Group, error) {
		limit, args := page(&c, w)
		q := groupSelect + " WHERE g.id IN (SELECT g.id FROM edu_groups g" + c.SQL() +
			orderBy(groupSorts, f.Sort, f.Desc != w.reverse, "g.id") + limit + ")" + order
		rows, err := s.st.R.QueryContext(ctx, q, args...)
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
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// groupCond is the WHERE of the groups list: the actor's scope and f's filters.
func groupCond(r reach, f GroupFilter) store.Where {
	var c store.Where
	groupScope(&c, r)
	if f.Q != "" {
		c.Add(`g.name LIKE ? ESCAPE '\'`, like(f.Q))
	}
	if f.Mode != "" {
		c.Add("g.mode = ?", f.Mode)
	}
	return c
}

// GetGroup returns one group, or not found when outside the scope.
func (s *Service) GetGroup(ctx context.Context, a auth.Actor, id int64) (Group, error) {
	if !a.Has(auth.PermRegistryRead) {
		return Group{}, errs.ForbiddenError()
	}
	return scopedGet(ctx, s, a, "group", id,
		func() (Group, error) {
			return scanGroup(s.st.R.QueryRowContext(ctx, groupSelect+" WHERE g.id = $1", id))
		},
		func(r reach) (string, []any) {
			var c store.Where
			groupScope(&c, r)
			c.Add("g.id = ?", id)
			return "SELECT count(*) FROM edu_groups g" + c.SQL(), c.Args
		})
}

// ScopeOption is a group or school to pick when granting a role.
type ScopeOption struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ScopeOptions lists groups or schools by name for the grant dialog.
func (s *Service) ScopeOptions(ctx context.Context, a auth.Actor, typ, q string) ([]ScopeOption, error) {
	if !a.Has(auth.PermRolesManage) {
		return nil, errs.ForbiddenError()
	}
	table := map[string]string{"group": "edu_groups", "school": "schools"}[typ]
	if table == "" {
		return nil, errs.FieldError("type", "registry.scope_type", nil)
	}
	rows, err := s.st.R.QueryContext(ctx, "SELECT id, name FROM "+table+` WHERE name LIKE $1 ESCAPE '\' ORDER BY name LIMIT 200`, like(q))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ScopeOption{}
	for rows.Next() {
		var o ScopeOption
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
