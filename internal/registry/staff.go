package registry

import (
	"context"
	"database/sql"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Staff is a staff member as lists show them: phone and ID number masked.
type Staff struct {
	ID         int64  `json:"id"`
	StaffNo    string `json:"staff_no"`
	Name       string `json:"name"`
	Gender     string `json:"gender"`
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Post       string `json:"post"`
	IsCadre    bool   `json:"is_cadre"`
	Subject    string `json:"subject"`
	Title      string `json:"title"`
	Honours    string `json:"honours"`
	Education  string `json:"education"`
	Phone      string `json:"phone"`
	IDCard     string `json:"id_card"`
	Status     string `json:"status" enum:"active,transferred,retired"`
}

// StaffFilter narrows the staff list.
type StaffFilter struct {
	Q          string
	SchoolID   int64
	Post       string
	Status     string
	Title      string
	Sort       string
	Desc       bool
	Page, Size int
}

var staffSorts = map[string]string{"staff_no": "st.staff_no", "name": "st.name", "school_name": "s.name", "post": "st.post", "title": "st.title", "subject": "st.subject"}

const staffFrom = ` FROM staff st JOIN schools s ON s.id = st.school_id`
const staffCols = `st.id, st.staff_no, st.name, st.gender, st.school_id, s.name, st.post, st.is_cadre, st.subject, st.title, st.honours, st.education, st.phone, st.id_card, st.status`

func scanStaff(row interface{ Scan(...any) error }) (Staff, error) {
	var x Staff
	err := row.Scan(&x.ID, &x.StaffNo, &x.Name, &x.Gender, &x.SchoolID, &x.SchoolName, &x.Post, &x.IsCadre, &x.Subject, &x.Title, &x.Honours,
		&x.Education, &x.Phone, &x.IDCard, &x.Status)
	x.Phone, x.IDCard = MaskPhone(x.Phone), MaskIDCard(x.IDCard)
	return x, err
}

func staffScope(c *store.Where, r reach) {
	if r.county {
		return
	}
	var alts []string
	if len(r.groups) > 0 {
		alts = append(alts, "st.school_id IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id IN "+c.In(r.groups)+")")
	}
	if len(r.schools) > 0 {
		alts = append(alts, "st.school_id IN "+c.In(r.schools))
	}
	if r.selfStaff != 0 {
		alts = append(alts, "st.id IN "+c.In([]int64{r.selfStaff}))
	}
	c.Add(orNone(alts))
}

// ListStaff returns a page of the staff the actor may see, masked.
func (s *Service) ListStaff(ctx context.Context, a auth.Actor, f StaffFilter) ([]Staff, int, error) {
	if !a.Has(auth.PermStaffRead) {
		return nil, 0, errs.ForbiddenError()
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	c := staffCond(r, f)
	if c.SQL() == "" && staffSorts[f.Sort] == "" && !f.Desc && s.st.Dialect == store.SQLite {
		if out, total, ok, err := s.staffByDenseID(ctx, f); err != nil || ok {
			return out, total, err
		}
	}
	// Every condition is on staff's own columns, so the count needs no join.
	total, err := s.count(ctx, "SELECT count(*) FROM staff st"+c.SQL(), c.Args)
	if err != nil {
		return nil, 0, err
	}
	// Page on staff alone (with the school only when sorting by its name),
	// then read and join the twenty rows by id (pageIDs): OFFSET walks an
	// index instead of dragging every skipped row through the join. Every sort has its index (00006);
	// the school-name sort walks schools by name and each school's staff by
	// id (staff_school).
	pageFrom := " FROM staff st"
	if f.Sort == "school_name" {
		pageFrom += " JOIN schools s ON s.id = st.school_id"
	}
	out, err := readPage(f.Page, f.Size, total, func(w window) ([]Staff, error) {
		limit, args := page(&c, w)
		ids, err := s.pageIDs(ctx, "SELECT st.id"+pageFrom+c.SQL()+orderBy(staffSorts, f.Sort, f.Desc != w.reverse, "st.id")+limit, args...)
		if err != nil || len(ids) == 0 {
			return []Staff{}, err
		}
		var in store.Where
		rows, err := s.scanStaffPage(ctx, "SELECT "+staffCols+staffFrom+" WHERE st.id IN "+in.In(ids), in.Args...)
		if err != nil {
			return nil, err
		}
		return inOrder(rows, func(x Staff) int64 { return x.ID }, ids, w.reverse), nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// staffByDenseID reads a page of the default view of the largest list, the
// county's whole staff by id, without skipping rows: when the ids run from
// the smallest to the largest without a gap (SQLite hands out max+1, and the
// registry never deletes staff), the row at offset o has id min+o. SQLite
// counts a whole table from the page headers of its narrowest index (about
// 0.1 ms for 300,000 staff), so the check uses a fresh count, which is also
// the total answered. ok is false when the ids have a gap.
func (s *Service) staffByDenseID(ctx context.Context, f StaffFilter) (out []Staff, total int, ok bool, err error) {
	var lo, hi sql.NullInt64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*) FROM staff").Scan(&total); err != nil {
		return nil, 0, false, err
	}
	// Two subqueries, so that each is one seek to an end of the index.
	if err := s.st.R.QueryRowContext(ctx, "SELECT (SELECT min(id) FROM staff), (SELECT max(id) FROM staff)").Scan(&lo, &hi); err != nil {
		return nil, 0, false, err
	}
	if !lo.Valid || hi.Int64-lo.Int64+1 != int64(total) {
		return nil, 0, false, nil
	}
	w := forwardWindow(f.Page, f.Size)
	out, err = s.scanStaffPage(ctx, "SELECT "+staffCols+staffFrom+" WHERE st.id >= $1 ORDER BY st.id LIMIT $2", lo.Int64+int64(w.offset), w.limit)
	return out, total, err == nil, err
}

// scanStaffPage runs a query for a page of staff and scans it, masked.
func (s *Service) scanStaffPage(ctx context.Context, q string, args ...any) ([]Staff, error) {
	rows, err := s.st.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Staff{}
	for rows.Next() {
		x, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// staffCond is the WHERE of the staff list: the actor's scope and f's
// filters, all on staff's own columns.
func staffCond(r reach, f StaffFilter) store.Where {
	var c store.Where
	staffScope(&c, r)
	if f.Q != "" {
		c.Add(`(st.name LIKE ? ESCAPE '\' OR st.staff_no LIKE ? ESCAPE '\')`, like(f.Q), like(f.Q))
	}
	if f.SchoolID != 0 {
		c.Add("st.school_id = ?", f.SchoolID)
	}
	if f.Post != "" {
		c.Add("st.post = ?", f.Post)
	}
	if f.Status != "" {
		c.Add("st.status = ?", f.Status)
	}
	if f.Title != "" {
		c.Add("st.title = ?", f.Title)
	}
	return c
}

// GetStaff returns one staff member, masked, or not found outside the scope.
func (s *Service) GetStaff(ctx context.Context, a auth.Actor, id int64) (Staff, error) {
	if !a.Has(auth.PermStaffRead) {
		return Staff{}, errs.ForbiddenError()
	}
	return scopedGet(ctx, s, a, "staff", id,
		func() (Staff, error) {
			return scanStaff(s.st.R.QueryRowContext(ctx, "SELECT "+staffCols+staffFrom+" WHERE st.id = $1", id))
		},
		func(r reach) (string, []any) {
			var c store.Where
			staffScope(&c, r)
			c.Add("st.id = ?", id)
			return "SELECT count(*)" + staffFrom + c.SQL(), c.Args
		})
}
