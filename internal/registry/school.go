package registry

import (
	"context"
	"database/sql"
	"edugroup/internal/store"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// School is a school or kindergarten as lists show it.
type School struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	ShortName  string `json:"short_name"`
	Township   string `json:"township"`
	Stage      string `json:"stage"`
	UrbanRural string `json:"urban_rural"`
	TypeCode   string `json:"type_code"`
	Students   int    `json:"students"`
	Classes    int    `json:"classes"`
	StaffCount int    `json:"staff_count"`
	Tier       string `json:"tier"`
	IsNew      bool   `json:"is_new"`
	Principal  string `json:"principal"`
	Status     string `json:"status" enum:"active,closed"`
	GroupID    *int64 `json:"group_id"`
	GroupName  string `json:"group_name"`
	GroupRole  string `json:"group_role"`
}

// SchoolFilter narrows the school list.
type SchoolFilter struct {
	Q          string
	Township   string
	Stage      string
	Tier       string
	UrbanRural string
	GroupID    int64
	Sort       string
	Desc       bool
	Page, Size int
}

var schoolSorts = map[string]string{
	"code": "s.code", "name": "s.name", "township": "t.name", "stage": "s.stage", "students": "s.students",
	"classes": "s.classes", "staff_count": "s.staff_count", "tier": "s.tier", "group_name": "g.name",
}

const schoolFrom = ` FROM schools s JOIN townships t ON t.id = s.township_id
	LEFT JOIN group_members m ON m.school_id = s.id AND m.left_on IS NULL
	LEFT JOIN edu_groups g ON g.id = m.group_id`

const schoolCols = `s.id, s.code, s.name, s.short_name, t.name, s.stage, s.urban_rural, s.type_code, s.students, s.classes, s.staff_count,
	s.tier, s.is_new, s.principal, s.status, g.id, COALESCE(g.name, ''), COALESCE(m.role, '')`

func scanSchool(row interface{ Scan(...any) error }) (School, error) {
	var x School
	var gid sql.NullInt64
	err := row.Scan(&x.ID, &x.Code, &x.Name, &x.ShortName, &x.Township, &x.Stage, &x.UrbanRural, &x.TypeCode, &x.Students, &x.Classes,
		&x.StaffCount, &x.Tier, &x.IsNew, &x.Principal, &x.Status, &gid, &x.GroupName, &x.GroupRole)
	if gid.Valid {
		x.GroupID = &gid.Int64
	}
	return x, err
}

// schoolScope narrows c to the schools the actor may see.
func schoolScope(c *store.Where, r reach) {
	if r.county {
		return
	}
	var alts []string
	if len(r.groups) > 0 {
		alts = append(alts, "s.id IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id IN "+c.In(r.groups)+")")
	}
	if len(r.peerGroups) > 0 {
		alts = append(alts, "s.id IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id IN "+c.In(r.peerGroups)+")")
	}
	if len(r.schools) > 0 {
		alts = append(alts, "s.id IN "+c.In(r.schools))
	}
	if r.selfSchool != 0 {
		alts = append(alts, "s.id IN "+c.In([]int64{r.selfSchool}))
	}
	c.Add(orNone(alts))
}

// ListSchools returns a page of the schools the actor may see.
func (s *Service) ListSchools(ctx context.Context, a auth.Actor, f SchoolFilter) ([]School, int, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, 0, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	c := schoolCond(r, f)
	// The count joins only what the filters use; the page of ids also what
	// the sort needs. With the indexes of migrations 00005 and 00006 every
	// sort but the group name reads its page of ids from an index (for the
	// township sort: townships by name, then schools by township and code),
	// and only the page's rows are joined for the answer.
	countFrom := schoolJoins(f.Township != "", f.GroupID != 0)
	total, err := s.count(ctx, "SELECT count(*)"+countFrom+c.SQL(), c.Args)
	if err != nil {
		return nil, 0, err
	}
	pageFrom := schoolJoins(f.Township != "" || f.Sort == "township", f.GroupID != 0 || f.Sort == "group_name")
	out, err := readPage(f.Page, f.Size, total, func(w window) ([]School, error) {
		limit, args := page(&c, w)
		ids, err := s.pageIDs(ctx, "SELECT s.id"+pageFrom+c.SQL()+orderBy(schoolSorts, f.Sort, f.Desc != w.reverse, "s.code")+limit, args...)
		if err != nil || len(ids) == 0 {
			return []School{}, err
		}
		var in store.Where
		rows, err := s.st.R.QueryContext(ctx, "SELECT "+schoolCols+schoolFrom+" WHERE s.id IN "+in.In(ids), in.Args...)
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
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return inOrder(out, func(x School) int64 { return x.ID }, ids, w.reverse), nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// schoolCond is the WHERE of the schools list: the actor's scope and f's
// filters (on s, t for the township and g for the group).
func schoolCond(r reach, f SchoolFilter) store.Where {
	var c store.Where
	schoolScope(&c, r)
	if f.Q != "" {
		c.Add(`(s.name LIKE ? ESCAPE '\' OR s.short_name LIKE ? ESCAPE '\' OR s.code LIKE ? ESCAPE '\')`, like(f.Q), like(f.Q), like(f.Q))
	}
	if f.Township != "" {
		c.Add("t.name = ?", f.Township)
	}
	if f.Stage != "" {
		c.Add("s.stage = ?", f.Stage)
	}
	if f.Tier != "" {
		c.Add("s.tier = ?", f.Tier)
	}
	if f.UrbanRural != "" {
		c.Add("s.urban_rural = ?", f.UrbanRural)
	}
	if f.GroupID != 0 {
		c.Add("g.id = ?", f.GroupID)
	}
	return c
}

// schoolJoins is the FROM clause of the schools list with the township and
// the current group joined only when asked for.
func schoolJoins(township, group bool) string {
	from := " FROM schools s"
	if township {
		from += " JOIN townships t ON t.id = s.township_id"
	}
	if group {
		from += " LEFT JOIN group_members m ON m.school_id = s.id AND m.left_on IS NULL LEFT JOIN edu_groups g ON g.id = m.group_id"
	}
	return from
}

// GetSchool returns one school, or not found when it is outside the scope.
func (s *Service) GetSchool(ctx context.Context, a auth.Actor, id int64) (School, error) {
	if !a.Has(auth.PermRegistryRead) {
		return School{}, errs.ForbiddenError()
	}
	return scopedGet(ctx, s, a, "school", id,
		func() (School, error) {
			return scanSchool(s.st.R.QueryRowContext(ctx, "SELECT "+schoolCols+schoolFrom+" WHERE s.id = $1", id))
		},
		func(r reach) (string, []any) {
			var c store.Where
			schoolScope(&c, r)
			c.Add("s.id = ?", id)
			return "SELECT count(*)" + schoolFrom + c.SQL(), c.Args
		})
}

func orderBy(allowed map[string]string, sort string, desc bool, def string) string {
	col, ok := allowed[sort]
	if !ok {
		col = def
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if col == def {
		// Said twice, SQLite no longer sees that an index on (filter
		// column, def) gives the order, and sorts.
		return " ORDER BY " + col + dir
	}
	// The unique default breaks ties so paging never repeats or skips a row.
	return " ORDER BY " + col + dir + ", " + def + dir
}
