package registry

import (
	"context"
	"database/sql"
	"errors"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
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
	Status     string `json:"status"`
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

func staffScope(c *cond, r reach) {
	if r.county {
		return
	}
	var alts []string
	if len(r.groups) > 0 {
		alts = append(alts, "st.school_id IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id IN "+c.in(r.groups)+")")
	}
	if len(r.schools) > 0 {
		alts = append(alts, "st.school_id IN "+c.in(r.schools))
	}
	if r.selfStaff != 0 {
		alts = append(alts, "st.id IN "+c.in([]int64{r.selfStaff}))
	}
	c.parts = append(c.parts, orNone(alts))
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
	var c cond
	staffScope(&c, r)
	if f.Q != "" {
		c.add(`(st.name LIKE ? ESCAPE '\' OR st.staff_no LIKE ? ESCAPE '\')`, like(f.Q), like(f.Q))
	}
	if f.SchoolID != 0 {
		c.add("st.school_id = ?", f.SchoolID)
	}
	if f.Post != "" {
		c.add("st.post = ?", f.Post)
	}
	if f.Status != "" {
		c.add("st.status = ?", f.Status)
	}
	if f.Title != "" {
		c.add("st.title = ?", f.Title)
	}
	// Every condition is on staff's own columns, so the count needs no join.
	total, err := s.count(ctx, "SELECT count(*) FROM staff st"+c.where(), c.args)
	if err != nil {
		return nil, 0, err
	}
	order := orderBy(staffSorts, f.Sort, f.Desc, "st.id")
	var q string
	if f.Sort == "school_name" {
		q = "SELECT " + staffCols + staffFrom + c.where() + order + c.limit(f.Page, f.Size)
	} else {
		// Page on staff alone, then join the twenty rows: OFFSET no longer
		// drags every skipped row through the join.
		q = "SELECT " + staffCols + staffFrom + " WHERE st.id IN (SELECT st.id FROM staff st" + c.where() + order + c.limit(f.Page, f.Size) + ")" + order
	}
	rows, err := s.st.R.QueryContext(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Staff{}
	for rows.Next() {
		x, err := scanStaff(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// GetStaff returns one staff member, masked, or not found outside the scope.
func (s *Service) GetStaff(ctx context.Context, a auth.Actor, id int64) (Staff, error) {
	if !a.Has(auth.PermStaffRead) {
		return Staff{}, errs.ForbiddenError()
	}
	x, err := scanStaff(s.st.R.QueryRowContext(ctx, "SELECT "+staffCols+staffFrom+" WHERE st.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, errs.NotFoundError("staff")
	}
	if err != nil {
		return Staff{}, err
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return Staff{}, err
	}
	var c cond
	staffScope(&c, r)
	c.add("st.id = ?", id)
	var n int
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*)"+staffFrom+c.where(), c.args...).Scan(&n); err != nil {
		return Staff{}, err
	}
	if n == 0 {
		return Staff{}, s.denied(ctx, a, "staff", id)
	}
	return x, nil
}
