package resources

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// actorSchool is the school a user's use counts for: their staff record's
// school, else the school of their only school grant; 0 for county and group
// staff.
func actorSchool(ctx context.Context, q store.Reader, a auth.Actor) (int64, error) {
	if a.StaffID != 0 {
		var id int64
		err := q.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, a.StaffID).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	var school int64
	for _, g := range a.Grants {
		if g.ScopeType == auth.ScopeSchool {
			if school != 0 && school != g.ScopeID {
				return 0, nil
			}
			school = g.ScopeID
		}
	}
	return school, nil
}

var counter = map[string]string{"view": "views", "download": "downloads", "favourite": "favourites"}

// record counts one use of a resource by the actor's school, in the month
// of the service's clock.
func (s *Service) record(ctx context.Context, tx *sql.Tx, a auth.Actor, r Resource, action string) error {
	school, err := actorSchool(ctx, tx, a)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO resource_usage (resource_id, user_id, school_id, action, month, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, nullID(a.UserID), nullID(school), action, now.Format("2006-01"), now.Truncate(time.Microsecond)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE resources SET `+counter[action]+` = `+counter[action]+` + 1 WHERE id = $1`, r.ID)
	return err
}

// View records that the actor opened a resource's page.
func (s *Service) View(ctx context.Context, a auth.Actor, id int64) (Usage, error) {
	if !a.Has(auth.PermResourcesRead) {
		return Usage{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, r, "view")
	})
	if err != nil {
		return Usage{}, err
	}
	return s.UsageOf(ctx, a, id)
}

// FavouriteInput marks or unmarks a resource as the actor's favourite.
type FavouriteInput struct {
	On bool `json:"on"`
}

// Favourite marks (on) or unmarks a resource for the actor.
func (s *Service) Favourite(ctx context.Context, a auth.Actor, id int64, in FavouriteInput) (Usage, error) {
	if !a.Has(auth.PermResourcesRead) || a.UserID == 0 {
		return Usage{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM resource_usage WHERE resource_id = $1 AND user_id = $2 AND action = 'favourite'`, id, a.UserID).Scan(&n); err != nil {
			return err
		}
		switch {
		case in.On && n == 0:
			if err := s.record(ctx, tx, a, r, "favourite"); err != nil {
				return err
			}
		case !in.On && n > 0:
			if _, err := tx.ExecContext(ctx, `DELETE FROM resource_usage WHERE resource_id = $1 AND user_id = $2 AND action = 'favourite'`, id, a.UserID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE resources SET favourites = favourites - 1 WHERE id = $1`, id); err != nil {
				return err
			}
		default:
			return nil
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.favourite", ObjectType: "resource", ObjectID: idStr(id), Detail: map[string]any{"on": in.On}})
	})
	if err != nil {
		return Usage{}, err
	}
	return s.UsageOf(ctx, a, id)
}

// SchoolUse is one school's use of a resource.
type SchoolUse struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Views      int    `json:"views"`
	Downloads  int    `json:"downloads"`
	Favourites int    `json:"favourites"`
}

// Usage is a resource's use, in total and by the users' schools (use by
// county and group staff is under school 0).
type Usage struct {
	Views      int         `json:"views"`
	Downloads  int         `json:"downloads"`
	Favourites int         `json:"favourites"`
	Schools    []SchoolUse `json:"schools"`
}

// UsageOf reads a resource's use by school.
func (s *Service) UsageOf(ctx context.Context, a auth.Actor, id int64) (Usage, error) {
	if !a.Has(auth.PermResourcesRead) {
		return Usage{}, errs.ForbiddenError()
	}
	r, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{Views: r.Views, Downloads: r.Downloads, Favourites: r.Favourites, Schools: []SchoolUse{}}
	rows, err := s.st.R.QueryContext(ctx, `SELECT COALESCE(u.school_id, 0), COALESCE(s.name, ''),
		SUM(CASE WHEN u.action = 'view' THEN 1 ELSE 0 END), SUM(CASE WHEN u.action = 'download' THEN 1 ELSE 0 END), SUM(CASE WHEN u.action = 'favourite' THEN 1 ELSE 0 END)
		FROM resource_usage u LEFT JOIN schools s ON s.id = u.school_id WHERE u.resource_id = $1
		GROUP BY COALESCE(u.school_id, 0), COALESCE(s.name, '') ORDER BY 3 DESC, 1`, id)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		var su SchoolUse
		if err := rows.Scan(&su.SchoolID, &su.SchoolName, &su.Views, &su.Downloads, &su.Favourites); err != nil {
			return u, err
		}
		u.Schools = append(u.Schools, su)
	}
	return u, rows.Err()
}

// groupFor decides the group a coverage or reach view is about: the one
// named (when the actor sees it: the county, its group grant, or a member
// school of it), else the actor's first.
func (s *Service) groupFor(ctx context.Context, a auth.Actor, named int64) (int64, string, error) {
	if !a.Has(auth.PermResourcesRead) {
		return 0, "", errs.ForbiddenError()
	}
	v, err := s.viewer(ctx, s.st.R, a)
	if err != nil {
		return 0, "", err
	}
	g := named
	if g == 0 {
		if len(v.groups) == 0 {
			if v.county {
				if err := s.st.R.QueryRowContext(ctx, `SELECT id FROM edu_groups ORDER BY id LIMIT 1`).Scan(&g); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return 0, "", err
				}
			}
			if g == 0 {
				return 0, "", errs.NotFoundError("group")
			}
		} else {
			g = v.groups[0]
		}
	} else if !v.county {
		ok := false
		for _, x := range v.groups {
			ok = ok || x == g
		}
		if !ok {
			return 0, "", errs.NotFoundError("group")
		}
	}
	var name string
	err = s.st.R.QueryRowContext(ctx, `SELECT name FROM edu_groups WHERE id = $1`, g).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", errs.NotFoundError("group")
	}
	return g, name, err
}

// CoverageRow is one textbook lesson and how many of the group's accepted
// resources of each kind are keyed to it.
type CoverageRow struct {
	NodeID int64          `json:"node_id"`
	Path   string         `json:"path"`
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// Coverage is which textbook nodes the group's accepted resources cover.
type Coverage struct {
	GroupID   int64         `json:"group_id"`
	GroupName string        `json:"group_name"`
	Kinds     []string      `json:"kinds"`
	Rows      []CoverageRow `json:"rows"`
	Nodes     int           `json:"nodes"`
	Covered   int           `json:"covered"`
}

// CoverageFilter narrows the coverage to a part of the tree.
type CoverageFilter struct {
	GroupID int64
	Stage   string
	Subject string
}

// Coverage reads the group's coverage of the textbook lessons (the leaves of
// the tree) under the stage and subject named: a row per lesson, a column
// per kind, zeros showing the gaps.
func (s *Service) Coverage(ctx context.Context, a auth.Actor, f CoverageFilter) (Coverage, error) {
	g, name, err := s.groupFor(ctx, a, f.GroupID)
	if err != nil {
		return Coverage{}, err
	}
	c := Coverage{GroupID: g, GroupName: name, Kinds: Kinds, Rows: []CoverageRow{}}
	var w store.Where
	w.Add("n.level = 'lesson'")
	if f.Stage != "" {
		w.Add("n.path LIKE ?", f.Stage+"/%")
	}
	if f.Subject != "" {
		w.Add("n.path LIKE ?", "%/"+f.Subject+"/%")
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT n.id, n.path FROM textbook_nodes n`+w.SQL()+` ORDER BY n.path LIMIT 2000`, w.Args...)
	if err != nil {
		return c, err
	}
	index := map[int64]int{}
	for rows.Next() {
		var r CoverageRow
		if err := rows.Scan(&r.NodeID, &r.Path); err != nil {
			rows.Close()
			return c, err
		}
		r.Counts = map[string]int{}
		index[r.NodeID] = len(c.Rows)
		c.Rows = append(c.Rows, r)
	}
	rows.Close()
	counts, err := s.st.R.QueryContext(ctx, `SELECT node_id, kind, count(*) FROM resources WHERE group_id = $1 AND label <> '' AND deleted = FALSE AND node_id IS NOT NULL GROUP BY node_id, kind`, g)
	if err != nil {
		return c, err
	}
	defer counts.Close()
	for counts.Next() {
		var node int64
		var kind string
		var n int
		if err := counts.Scan(&node, &kind, &n); err != nil {
			return c, err
		}
		if i, ok := index[node]; ok {
			c.Rows[i].Counts[kind] += n
			c.Rows[i].Total += n
		}
	}
	c.Nodes = len(c.Rows)
	for _, r := range c.Rows {
		if r.Total > 0 {
			c.Covered++
		}
	}
	return c, counts.Err()
}

// ReachRow is one member school's use of the group's shared resources, by
// month.
type ReachRow struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Role       string `json:"role"`
	Months     []int  `json:"months"`
	Total      int    `json:"total"`
	Shared     int    `json:"shared"` // accepted resources the school itself shares
}

// Reach is how much each member school uses what the group shares.
type Reach struct {
	GroupID   int64      `json:"group_id"`
	GroupName string     `json:"group_name"`
	Months    []string   `json:"months"`
	Rows      []ReachRow `json:"rows"`
}

// Reach reads the last months (1–24) of use of the group's accepted shared
// resources by the users of each member school: views, downloads and
// favourites together.
func (s *Service) Reach(ctx context.Context, a auth.Actor, groupID int64, months int) (Reach, error) {
	g, name, err := s.groupFor(ctx, a, groupID)
	if err != nil {
		return Reach{}, err
	}
	if months < 1 || months > 24 {
		months = 6
	}
	now := s.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(months - 1), 0)
	out := Reach{GroupID: g, GroupName: name, Rows: []ReachRow{}}
	col := map[string]int{}
	for i := 0; i < months; i++ {
		m := first.AddDate(0, i, 0).Format("2006-01")
		col[m] = i
		out.Months = append(out.Months, m)
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT m.school_id, s.name, m.role,
		(SELECT count(*) FROM resources r WHERE r.school_id = m.school_id AND r.group_id = m.group_id AND r.label <> '' AND r.share_scope <> 'school' AND r.deleted = FALSE)
		FROM group_members m JOIN schools s ON s.id = m.school_id WHERE m.group_id = $1 AND m.left_on IS NULL ORDER BY m.role, s.name`, g)
	if err != nil {
		return out, err
	}
	index := map[int64]int{}
	for rows.Next() {
		r := ReachRow{Months: make([]int, months)}
		if err := rows.Scan(&r.SchoolID, &r.SchoolName, &r.Role, &r.Shared); err != nil {
			rows.Close()
			return out, err
		}
		index[r.SchoolID] = len(out.Rows)
		out.Rows = append(out.Rows, r)
	}
	rows.Close()
	use, err := s.st.R.QueryContext(ctx, `SELECT u.school_id, u.month, count(*) FROM resource_usage u JOIN resources r ON r.id = u.resource_id
		WHERE r.group_id = $1 AND r.label <> '' AND r.share_scope <> 'school' AND u.month >= $2 AND u.school_id IS NOT NULL
		GROUP BY u.school_id, u.month`, g, out.Months[0])
	if err != nil {
		return out, err
	}
	defer use.Close()
	for use.Next() {
		var school int64
		var month string
		var n int
		if err := use.Scan(&school, &month, &n); err != nil {
			return out, err
		}
		i, ok := index[school]
		c, ok2 := col[month]
		if ok && ok2 {
			out.Rows[i].Months[c] += n
			out.Rows[i].Total += n
		}
	}
	return out, use.Err()
}
