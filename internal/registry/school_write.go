package registry

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// SchoolInput creates or edits a school.
type SchoolInput struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	ShortName      string `json:"short_name"`
	TownshipID     int64  `json:"township_id"`
	UrbanRural     string `json:"urban_rural"`
	Stage          string `json:"stage"`
	TypeCode       string `json:"type_code"`
	LegalPerson    string `json:"legal_person"`
	ParentSchoolID *int64 `json:"parent_school_id"`
	Students       int    `json:"students"`
	Classes        int    `json:"classes"`
	StaffCount     int    `json:"staff_count"`
	Tier           string `json:"tier"`
	IsNew          bool   `json:"is_new"`
	Principal      string `json:"principal"`
	Phone          string `json:"phone"`
	Status         string `json:"status"`
	Notes          string `json:"notes"`
	Version        int    `json:"version,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`
}

// Campus is a 校区 of a school.
type Campus struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	Students   int    `json:"students"`
	Classes    int    `json:"classes"`
	StaffCount int    `json:"staff_count"`
	Version    int    `json:"version"`
}

// MembershipRecord is one stay of a school in a group.
type MembershipRecord struct {
	ID          int64      `json:"id"`
	GroupID     int64      `json:"group_id"`
	GroupName   string     `json:"group_name"`
	Role        string     `json:"role"`
	JoinedOn    store.Date `json:"joined_on"`
	LeftOn      store.Date `json:"left_on"`
	LeaveReason string     `json:"leave_reason"`
	LeaveNote   string     `json:"leave_note"`
}

// StaffSummary counts a school's staff.
type StaffSummary struct {
	Total    int          `json:"total"`
	Active   int          `json:"active"`
	Cadres   int          `json:"cadres"`
	Teachers int          `json:"teachers"`
	ByTitle  []TitleCount `json:"by_title"`
}

// TitleCount is the number of active staff holding a title.
type TitleCount struct {
	Title string `json:"title"`
	Count int    `json:"count"`
}

// SchoolDetail is a school with everything its page shows.
type SchoolDetail struct {
	School
	TownshipID       int64              `json:"township_id"`
	LegalPerson      string             `json:"legal_person"`
	ParentSchoolID   *int64             `json:"parent_school_id"`
	ParentSchoolName string             `json:"parent_school_name"`
	Phone            string             `json:"phone"`
	Notes            string             `json:"notes"`
	Version          int                `json:"version"`
	CanManage        bool               `json:"can_manage"`
	Campuses         []Campus           `json:"campuses"`
	Memberships      []MembershipRecord `json:"memberships"`
	StaffSummary     StaffSummary       `json:"staff_summary"`
}

var (
	mobileRe   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlineRe = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}$`)
	digits10   = regexp.MustCompile(`^\d{10}$`)
)

// Provinces are the GB/T 2260 province-level codes.
var provinces = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"

// stageRules ties a stage to the 办学类型 codes and 标识码 categories it allows.
var stageRules = map[string]struct{ types, categories []string }{
	"preschool": {[]string{"111"}, []string{"11"}},
	"primary":   {[]string{"211"}, []string{"21"}},
	"junior":    {[]string{"311"}, []string{"31"}},
	"nine_year": {[]string{"312"}, []string{"21", "31"}},
	"senior":    {[]string{"341", "342", "345"}, []string{"34"}},
}

var urbanRural = map[string]bool{"111": true, "112": true, "121": true, "122": true, "123": true, "210": true, "220": true}

func oneOf(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ValidSchoolCode checks a 学校标识码: 10 digits, a known category and a
// province code. Categories beyond the common five exist; 51 is 特殊教育.
func ValidSchoolCode(code string) bool {
	if !digits10.MatchString(code) {
		return false
	}
	return oneOf([]string{"11", "21", "31", "34", "51"}, code[:2]) && strings.Contains(provinces, code[2:4])
}

// ValidPhone accepts a mobile number or a landline with area code.
func ValidPhone(p string) bool { return mobileRe.MatchString(p) || landlineRe.MatchString(p) }

func (s *Service) validateSchool(ctx context.Context, q store.Querier, in *SchoolInput, id int64) error {
	in.Code, in.Name, in.ShortName = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.ShortName)
	in.Principal, in.Phone = strings.TrimSpace(in.Principal), strings.TrimSpace(in.Phone)
	if in.LegalPerson == "" {
		in.LegalPerson = "independent"
	}
	if in.Status == "" {
		in.Status = "active"
	}
	var f errs.Fields
	if !ValidSchoolCode(in.Code) {
		f.Add("code", "registry.school_code", nil)
	}
	if in.Name == "" || len([]rune(in.Name)) > 60 {
		f.Add("name", "field.required_max", errs.Args{"max": 60})
	}
	if len([]rune(in.ShortName)) > 20 {
		f.Add("short_name", "field.max", errs.Args{"max": 20})
	}
	if !urbanRural[in.UrbanRural] {
		f.Add("urban_rural", "registry.urban_rural", nil)
	}
	rule, ok := stageRules[in.Stage]
	if !ok {
		f.Add("stage", "registry.stage", nil)
	} else {
		if !oneOf(rule.types, in.TypeCode) {
			f.Add("type_code", "registry.type_for_stage", errs.Args{"allowed": strings.Join(rule.types, "/")})
		}
		if digits10.MatchString(in.Code) && !oneOf(rule.categories, in.Code[:2]) {
			f.Add("code", "registry.code_for_stage", errs.Args{"allowed": strings.Join(rule.categories, "/")})
		}
	}
	for field, v := range map[string]int{"students": in.Students, "classes": in.Classes, "staff_count": in.StaffCount} {
		if v < 0 || v > 50000 {
			f.Add(field, "policy.range", errs.Args{"min": 0, "max": 50000})
		}
	}
	if !oneOf([]string{"quality", "ordinary", "weak"}, in.Tier) {
		f.Add("tier", "registry.tier", nil)
	}
	switch in.LegalPerson {
	case "independent":
		in.ParentSchoolID = nil
	case "campus":
		if in.ParentSchoolID == nil || *in.ParentSchoolID == id {
			f.Add("parent_school_id", "registry.parent_required", nil)
		}
	default:
		f.Add("legal_person", "registry.legal_person", nil)
	}
	if in.Phone != "" && !ValidPhone(in.Phone) {
		f.Add("phone", "registry.phone", nil)
	}
	if in.Status != "active" && in.Status != "closed" {
		f.Add("status", "registry.school_status", nil)
	}
	if len([]rune(in.Notes)) > 2000 {
		f.Add("notes", "field.max", errs.Args{"max": 2000})
	}
	if len([]rune(in.Principal)) > 30 {
		f.Add("principal", "field.max", errs.Args{"max": 30})
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM townships WHERE id = $1`, in.TownshipID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		f.Add("township_id", "registry.township", nil)
	}
	if in.ParentSchoolID != nil {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $1`, *in.ParentSchoolID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			f.Add("parent_school_id", "registry.school_missing", nil)
		}
	}
	return f.Err()
}

// schoolBreaches are the scale limits a school's counts go over (policy in
// force today), including its group's total.
func (s *Service) schoolBreaches(ctx context.Context, q store.Querier, id int64, students, classes int) ([]Limit, error) {
	v, err := s.pol.Today(ctx)
	if err != nil {
		return nil, err
	}
	lim := v.Settings.Group
	var out []Limit
	if students > lim.MaxStudentsPerCampus {
		out = append(out, Limit{Rule: "scale_students_campus", Limit: lim.MaxStudentsPerCampus, Value: students})
	}
	if classes > lim.MaxClassesPerCampus {
		out = append(out, Limit{Rule: "scale_classes_campus", Limit: lim.MaxClassesPerCampus, Value: classes})
	}
	if id != 0 {
		var others int
		err := q.QueryRowContext(ctx, `SELECT COALESCE(sum(s.students), 0) FROM group_members m JOIN schools s ON s.id = m.school_id
			WHERE m.left_on IS NULL AND s.id <> $1 AND m.group_id = (SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL)`, id).Scan(&others)
		if err != nil {
			return nil, err
		}
		var inGroup int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE school_id = $1 AND left_on IS NULL`, id).Scan(&inGroup); err != nil {
			return nil, err
		}
		if inGroup > 0 && others+students > lim.MaxStudentsPerGroup {
			out = append(out, Limit{Rule: "scale_students_group", Limit: lim.MaxStudentsPerGroup, Value: others + students})
		}
	}
	return out, nil
}

// CreateSchool adds a school to the registry (the bureau only).
func (s *Service) CreateSchool(ctx context.Context, a auth.Actor, in SchoolInput) (SchoolDetail, error) {
	if !a.Reach(auth.PermSchoolsManage).County {
		return SchoolDetail{}, errs.ForbiddenError()
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertSchool(ctx, tx, a, in)
		return err
	})
	if err != nil {
		return SchoolDetail{}, err
	}
	return s.SchoolDetail(ctx, a, id)
}

func (s *Service) insertSchool(ctx context.Context, tx *sql.Tx, a auth.Actor, in SchoolInput) (int64, error) {
	if err := s.validateSchool(ctx, tx, &in, 0); err != nil {
		return 0, err
	}
	breaches, err := s.schoolBreaches(ctx, tx, 0, in.Students, in.Classes)
	if err != nil {
		return 0, err
	}
	if err := overrideOrRefuse(breaches, in.OverrideReason); err != nil {
		return 0, err
	}
	now := store.Now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO schools (code, name, short_name, township_id, urban_rural, stage, type_code, legal_person, parent_school_id,
		students, classes, staff_count, tier, is_new, principal, phone, status, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id`,
		in.Code, in.Name, in.ShortName, in.TownshipID, in.UrbanRural, in.Stage, in.TypeCode, in.LegalPerson, in.ParentSchoolID,
		in.Students, in.Classes, in.StaffCount, in.Tier, in.IsNew, in.Principal, in.Phone, in.Status, in.Notes, now).Scan(&id)
	if err := schoolUnique(err); err != nil {
		return 0, err
	}
	return id, s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "school.create", ObjectType: "school", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"after": in, "over_limits": breaches}})
}

func schoolUnique(err error) error {
	if store.IsUniqueViolation(err) {
		field := "name"
		if strings.Contains(err.Error(), "code") {
			field = "code"
		}
		return &errs.Error{Code: errs.Conflict, Key: "registry.school_taken", Details: []errs.Detail{{Field: field, Key: "registry.school_taken"}}}
	}
	return err
}

// bureauFields are what only the bureau may change; a school admin edits
// the rest of their own school.
var bureauFields = []string{"code", "name", "township_id", "urban_rural", "stage", "type_code", "legal_person", "parent_school_id", "tier", "is_new", "status"}

// UpdateSchool edits a school with a version check.
func (s *Service) UpdateSchool(ctx context.Context, a auth.Actor, id int64, in SchoolInput) (SchoolDetail, error) {
	if _, err := s.GetSchool(ctx, a, id); err != nil {
		return SchoolDetail{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermSchoolsManage, id); err != nil {
		return SchoolDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		return s.updateSchool(ctx, tx, a, id, in, a.Reach(auth.PermSchoolsManage).County)
	})
	if err != nil {
		return SchoolDetail{}, err
	}
	return s.SchoolDetail(ctx, a, id)
}

func (s *Service) updateSchool(ctx context.Context, tx *sql.Tx, a auth.Actor, id int64, in SchoolInput, bureau bool) error {
	cur, err := s.rawSchool(ctx, tx, id)
	if err != nil {
		return err
	}
	// Validation fills defaults (an empty legal_person means independent), so
	// the bureau-only check compares the record that would be stored with the
	// stored one, field by field: leaving a field out or sending it empty is a
	// change like any other.
	if err := s.validateSchool(ctx, tx, &in, id); err != nil {
		return err
	}
	if !bureau {
		var f errs.Fields
		for _, k := range bureauFields {
			if bureauFieldChanged(k, in, cur) {
				f.Add(k, "registry.bureau_field", nil)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
	}
	if in.Status == "closed" && cur.Status != "closed" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE school_id = $1 AND left_on IS NULL`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.RuleError("school_in_group", "registry.close_in_group", nil)
		}
	}
	var breaches []Limit
	if in.Students != cur.Students || in.Classes != cur.Classes {
		if breaches, err = s.schoolBreaches(ctx, tx, id, in.Students, in.Classes); err != nil {
			return err
		}
		if err := overrideOrRefuse(breaches, in.OverrideReason); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE schools SET code = $1, name = $2, short_name = $3, township_id = $4, urban_rural = $5, stage = $6, type_code = $7,
		legal_person = $8, parent_school_id = $9, students = $10, classes = $11, staff_count = $12, tier = $13, is_new = $14, principal = $15, phone = $16,
		status = $17, notes = $18, updated_at = $19, version = version + 1 WHERE id = $20 AND version = $21`,
		in.Code, in.Name, in.ShortName, in.TownshipID, in.UrbanRural, in.Stage, in.TypeCode, in.LegalPerson, in.ParentSchoolID,
		in.Students, in.Classes, in.StaffCount, in.Tier, in.IsNew, in.Principal, in.Phone, in.Status, in.Notes, store.Now(), id, in.Version)
	if err := schoolUnique(err); err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.ConflictError("error.stale_version", nil)
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "school.update", ObjectType: "school", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"before": cur, "after": in, "over_limits": breaches}})
}

// bureauFieldChanged reports whether the bureau-only field k differs between
// the record to store and the stored one.
func bureauFieldChanged(k string, in, cur SchoolInput) bool {
	switch k {
	case "code":
		return in.Code != cur.Code
	case "name":
		return in.Name != cur.Name
	case "township_id":
		return in.TownshipID != cur.TownshipID
	case "urban_rural":
		return in.UrbanRural != cur.UrbanRural
	case "stage":
		return in.Stage != cur.Stage
	case "type_code":
		return in.TypeCode != cur.TypeCode
	case "legal_person":
		return in.LegalPerson != cur.LegalPerson
	case "parent_school_id":
		return !sameID(in.ParentSchoolID, cur.ParentSchoolID)
	case "tier":
		return in.Tier != cur.Tier
	case "is_new":
		return in.IsNew != cur.IsNew
	case "status":
		return in.Status != cur.Status
	}
	// A field named in bureauFields but not compared here is a programming
	// error; treat it as changed so it can never slip through.
	return true
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// rawSchool reads the editable columns of a school.
func (s *Service) rawSchool(ctx context.Context, q store.Querier, id int64) (SchoolInput, error) {
	var x SchoolInput
	var parent sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT code, name, short_name, township_id, urban_rural, stage, type_code, legal_person, parent_school_id,
		students, classes, staff_count, tier, is_new, principal, phone, status, notes, version FROM schools WHERE id = $1`, id).
		Scan(&x.Code, &x.Name, &x.ShortName, &x.TownshipID, &x.UrbanRural, &x.Stage, &x.TypeCode, &x.LegalPerson, &parent,
			&x.Students, &x.Classes, &x.StaffCount, &x.Tier, &x.IsNew, &x.Principal, &x.Phone, &x.Status, &x.Notes, &x.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return x, errs.NotFoundError("school")
	}
	if parent.Valid {
		x.ParentSchoolID = &parent.Int64
	}
	return x, err
}

// SchoolDetail returns a school's page: campuses, group history, staff summary.
func (s *Service) SchoolDetail(ctx context.Context, a auth.Actor, id int64) (SchoolDetail, error) {
	base, err := s.GetSchool(ctx, a, id)
	if err != nil {
		return SchoolDetail{}, err
	}
	d := SchoolDetail{School: base}
	raw, err := s.rawSchool(ctx, s.st.R, id)
	if err != nil {
		return d, err
	}
	d.TownshipID, d.LegalPerson, d.ParentSchoolID, d.Phone, d.Notes, d.Version = raw.TownshipID, raw.LegalPerson, raw.ParentSchoolID, raw.Phone, raw.Notes, raw.Version
	if d.ParentSchoolID != nil {
		_ = s.st.R.QueryRowContext(ctx, `SELECT name FROM schools WHERE id = $1`, *d.ParentSchoolID).Scan(&d.ParentSchoolName)
	}
	if d.CanManage, err = s.schoolCan(ctx, a, auth.PermSchoolsManage, id); err != nil {
		return d, err
	}
	if !d.CanManage {
		d.Phone = MaskPhone(d.Phone)
	}
	if d.Campuses, err = s.campuses(ctx, id); err != nil {
		return d, err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT m.id, g.id, g.name, m.role, m.joined_on, m.left_on, COALESCE(m.leave_reason, ''), m.leave_note
		FROM group_members m JOIN edu_groups g ON g.id = m.group_id WHERE m.school_id = $1 ORDER BY m.joined_on DESC`, id)
	if err != nil {
		return d, err
	}
	d.Memberships = []MembershipRecord{}
	for rows.Next() {
		var m MembershipRecord
		if err := rows.Scan(&m.ID, &m.GroupID, &m.GroupName, &m.Role, &m.JoinedOn, &m.LeftOn, &m.LeaveReason, &m.LeaveNote); err != nil {
			rows.Close()
			return d, err
		}
		d.Memberships = append(d.Memberships, m)
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	err = s.st.R.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN status = 'active' AND is_cadre THEN 1 ELSE 0 END), 0), COALESCE(sum(CASE WHEN status = 'active' AND NOT is_cadre THEN 1 ELSE 0 END), 0)
		FROM staff WHERE school_id = $1`, id).Scan(&d.StaffSummary.Total, &d.StaffSummary.Active, &d.StaffSummary.Cadres, &d.StaffSummary.Teachers)
	if err != nil {
		return d, err
	}
	trows, err := s.st.R.QueryContext(ctx, `SELECT title, count(*) FROM staff WHERE school_id = $1 AND status = 'active' GROUP BY title ORDER BY count(*) DESC, title`, id)
	if err != nil {
		return d, err
	}
	defer trows.Close()
	d.StaffSummary.ByTitle = []TitleCount{}
	for trows.Next() {
		var tc TitleCount
		if err := trows.Scan(&tc.Title, &tc.Count); err != nil {
			return d, err
		}
		d.StaffSummary.ByTitle = append(d.StaffSummary.ByTitle, tc)
	}
	return d, trows.Err()
}

func (s *Service) campuses(ctx context.Context, schoolID int64) ([]Campus, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, name, address, students, classes, staff_count, version FROM campuses WHERE school_id = $1 ORDER BY id`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Campus{}
	for rows.Next() {
		var c Campus
		if err := rows.Scan(&c.ID, &c.Name, &c.Address, &c.Students, &c.Classes, &c.StaffCount, &c.Version); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CampusInput adds or edits a campus.
type CampusInput struct {
	Name           string `json:"name"`
	Address        string `json:"address"`
	Students       int    `json:"students"`
	Classes        int    `json:"classes"`
	StaffCount     int    `json:"staff_count"`
	Version        int    `json:"version,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`
}

// SaveCampus adds (campusID 0) or edits a campus; its counts are held to the
// per-campus limits like a school's.
func (s *Service) SaveCampus(ctx context.Context, a auth.Actor, schoolID, campusID int64, in CampusInput) (SchoolDetail, error) {
	if _, err := s.GetSchool(ctx, a, schoolID); err != nil {
		return SchoolDetail{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermSchoolsManage, schoolID); err != nil {
		return SchoolDetail{}, err
	}
	in.Name, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	var f errs.Fields
	if in.Name == "" || len([]rune(in.Name)) > 40 {
		f.Add("name", "field.required_max", errs.Args{"max": 40})
	}
	if len([]rune(in.Address)) > 200 {
		f.Add("address", "field.max", errs.Args{"max": 200})
	}
	for field, v := range map[string]int{"students": in.Students, "classes": in.Classes, "staff_count": in.StaffCount} {
		if v < 0 || v > 50000 {
			f.Add(field, "policy.range", errs.Args{"min": 0, "max": 50000})
		}
	}
	if err := f.Err(); err != nil {
		return SchoolDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		breaches, err := s.schoolBreaches(ctx, tx, 0, in.Students, in.Classes)
		if err != nil {
			return err
		}
		if err := overrideOrRefuse(breaches, in.OverrideReason); err != nil {
			return err
		}
		now := store.Now()
		action := "campus.update"
		if campusID == 0 {
			action = "campus.create"
			err = tx.QueryRowContext(ctx, `INSERT INTO campuses (school_id, name, address, students, classes, staff_count, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, schoolID, in.Name, in.Address, in.Students, in.Classes, in.StaffCount, now).Scan(&campusID)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE campuses SET name = $1, address = $2, students = $3, classes = $4, staff_count = $5, updated_at = $6, version = version + 1
				WHERE id = $7 AND school_id = $8 AND version = $9`, in.Name, in.Address, in.Students, in.Classes, in.StaffCount, now, campusID, schoolID, in.Version)
			if err == nil {
				if n, _ := res.RowsAffected(); n != 1 {
					return errs.ConflictError("error.stale_version", nil)
				}
			}
		}
		if store.IsUniqueViolation(err) {
			return errs.FieldError("name", "registry.campus_taken", nil)
		}
		if err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: action, ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
			Detail: map[string]any{"campus_id": campusID, "after": in, "over_limits": breaches}})
	})
	if err != nil {
		return SchoolDetail{}, err
	}
	return s.SchoolDetail(ctx, a, schoolID)
}

// DeleteCampus removes a campus.
func (s *Service) DeleteCampus(ctx context.Context, a auth.Actor, schoolID, campusID int64) (SchoolDetail, error) {
	if _, err := s.GetSchool(ctx, a, schoolID); err != nil {
		return SchoolDetail{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermSchoolsManage, schoolID); err != nil {
		return SchoolDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM campuses WHERE id = $1 AND school_id = $2`, campusID, schoolID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.NotFoundError("campus")
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "campus.delete", ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
			Detail: map[string]any{"campus_id": campusID}})
	})
	if err != nil {
		return SchoolDetail{}, err
	}
	return s.SchoolDetail(ctx, a, schoolID)
}
