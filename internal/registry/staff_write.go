package registry

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

// StaffInput creates or edits a staff member. The school changes only by a
// transfer, which keeps the history.
type StaffInput struct {
	StaffNo   string     `json:"staff_no"`
	Name      string     `json:"name"`
	Gender    string     `json:"gender"`
	IDCard    string     `json:"id_card"`
	Phone     string     `json:"phone"`
	SchoolID  int64      `json:"school_id"`
	Post      string     `json:"post"`
	Subject   string     `json:"subject"`
	Stage     string     `json:"stage"`
	Title     string     `json:"title"`
	Honours   string     `json:"honours"`
	Education string     `json:"education"`
	HireDate  store.Date `json:"hire_date"`
	Status    string     `json:"status"`
	Version   int        `json:"version,omitempty"`
}

// Transfer is one move of a staff member between schools.
type Transfer struct {
	Date           store.Date `json:"date"`
	FromSchoolName string     `json:"from_school_name"`
	ToSchoolName   string     `json:"to_school_name"`
	Note           string     `json:"note"`
}

// StaffDetail is a staff member's page (phone and ID masked). It carries the
// birth year and age, never the birth date: the masked ID number hides
// exactly the county code and the birth date, so a date beside it would
// rebuild the whole number. The date comes only with the unmasked fields.
type StaffDetail struct {
	Staff
	Stage          string     `json:"stage"`
	BirthYear      int        `json:"birth_year"`
	Age            int        `json:"age"`
	HireDate       store.Date `json:"hire_date"`
	TeachingYears  int        `json:"teaching_years"`
	Version        int        `json:"version"`
	Transfers      []Transfer `json:"transfers"`
	CanManage      bool       `json:"can_manage"`
	CanUnmask      bool       `json:"can_unmask"`
	CanViewRecords bool       `json:"can_view_records"`
}

var (
	posts      = []string{"principal", "vice_principal", "director", "vice_director", "teacher"}
	titles     = []string{"正高级教师", "高级教师", "一级教师", "二级教师", "三级教师", "未评"}
	educations = []string{"10", "20", "30", "40", "60", "70", "80", "90"}
	honours    = []string{"学科带头人", "骨干教师", "名师", "名班主任", "特级教师"}
	staffStats = []string{"active", "transferred", "retired"}
)

// validateStaff checks every field and names each one that is wrong.
func validateStaff(in *StaffInput) error {
	in.StaffNo, in.Name = strings.TrimSpace(in.StaffNo), strings.TrimSpace(in.Name)
	in.IDCard, in.Phone = strings.ToUpper(strings.TrimSpace(in.IDCard)), strings.TrimSpace(in.Phone)
	if in.Status == "" {
		in.Status = "active"
	}
	if in.Title == "" {
		in.Title = "未评"
	}
	var f errs.Fields
	if in.StaffNo == "" || len(in.StaffNo) > 20 {
		f.Add("staff_no", "field.required_max", errs.Args{"max": 20})
	}
	if in.Name == "" || len([]rune(in.Name)) > 30 {
		f.Add("name", "field.required_max", errs.Args{"max": 30})
	}
	if p := IDProblem(in.IDCard); p != "" {
		f.Add("id_card", "registry.id_"+p, nil)
	} else {
		if in.Gender != "M" && in.Gender != "F" {
			f.Add("gender", "registry.gender", nil)
		} else if IDMale(in.IDCard) != (in.Gender == "M") {
			f.Add("gender", "registry.gender_id", nil)
		}
		birth := IDBirthDate(in.IDCard)
		if age := time.Since(birth).Hours() / 24 / 365.25; age < 18 || age > 75 {
			f.Add("id_card", "registry.id_age", nil)
		}
		if !in.HireDate.IsZero() && in.HireDate.Before(birth.AddDate(16, 0, 0)) {
			f.Add("hire_date", "registry.hire_before_16", nil)
		}
	}
	if in.Phone != "" && !mobileRe.MatchString(in.Phone) {
		f.Add("phone", "registry.mobile", nil)
	}
	if in.SchoolID == 0 {
		f.Add("school_id", "field.required", nil)
	}
	if !oneOf(posts, in.Post) {
		f.Add("post", "registry.post", nil)
	}
	if !oneOf(titles, in.Title) {
		f.Add("title", "registry.title", nil)
	}
	if in.Education != "" && !oneOf(educations, in.Education) {
		f.Add("education", "registry.education", nil)
	}
	if in.Stage != "" && stageRules[in.Stage].types == nil {
		f.Add("stage", "registry.stage", nil)
	}
	if in.Honours != "" {
		for _, h := range strings.Split(in.Honours, "、") {
			if !oneOf(honours, h) {
				f.Add("honours", "registry.honour", errs.Args{"honour": h})
				break
			}
		}
	}
	if len([]rune(in.Subject)) > 20 {
		f.Add("subject", "field.max", errs.Args{"max": 20})
	}
	if !in.HireDate.IsZero() && in.HireDate.After(time.Now()) {
		f.Add("hire_date", "registry.future_date", nil)
	}
	if !oneOf(staffStats, in.Status) {
		f.Add("status", "registry.staff_status", nil)
	}
	return f.Err()
}

// duplicateID refuses an ID number already on record. It names the record
// only when the actor may read it (their own school's, their group's, the
// county's staff); otherwise it says the number is registered elsewhere and
// whom to ask, so an ID number never reveals who holds it or where. Such a
// refusal is an idElsewhere, which the caller audits once its transaction
// has rolled back.
func (s *Service) duplicateID(ctx context.Context, q store.Querier, a auth.Actor, idCard string, except int64) error {
	var staffID, schoolID int64
	var name, no, school string
	err := q.QueryRowContext(ctx, `SELECT st.id, st.school_id, st.name, st.staff_no, s.name FROM staff st JOIN schools s ON s.id = st.school_id
		WHERE st.id_card = $1 AND st.id <> $2`, idCard, except).Scan(&staffID, &schoolID, &name, &no, &school)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	visible, err := s.schoolCan(ctx, a, auth.PermStaffRead, schoolID)
	if err != nil {
		return err
	}
	if visible {
		args := errs.Args{"name": name, "staff_no": no, "school": school}
		return &errs.Error{Code: errs.Conflict, Key: "registry.id_duplicate", Args: args,
			Details: []errs.Detail{{Field: "id_card", Key: "registry.id_duplicate", Args: args}}}
	}
	return &idElsewhere{staffID: staffID, err: &errs.Error{Code: errs.Conflict, Key: "registry.id_elsewhere",
		Details: []errs.Detail{{Field: "id_card", Key: "registry.id_elsewhere"}}}}
}

// idElsewhere is a duplicate ID number held by a record outside the actor's
// scope. It reads as the domain error; staffID is for the audit record only.
type idElsewhere struct {
	staffID int64
	err     *errs.Error
}

func (e *idElsewhere) Error() string { return e.err.Error() }
func (e *idElsewhere) Unwrap() error { return e.err }

// auditElsewhere records attempts to register ID numbers held outside the
// actor's scope: who tried, which records they hit (the ID number masked).
func (s *Service) auditElsewhere(ctx context.Context, a auth.Actor, via string, hits []int64) error {
	if len(hits) == 0 {
		return nil
	}
	return s.log.Record(ctx, a.Who(), audit.Entry{Action: "staff.id_duplicate", ObjectType: "staff", ObjectID: strconv.FormatInt(hits[0], 10),
		Outcome: audit.Denied, Detail: map[string]any{"via": via, "existing_staff_ids": hits}})
}

// elsewhereHits is the record an idElsewhere refusal hit, if err is one.
func elsewhereHits(err error) []int64 {
	var ie *idElsewhere
	if errors.As(err, &ie) {
		return []int64{ie.staffID}
	}
	return nil
}

// CreateStaff adds a staff member to a school the actor manages.
func (s *Service) CreateStaff(ctx context.Context, a auth.Actor, in StaffInput) (StaffDetail, error) {
	if !a.Has(auth.PermStaffManage) {
		return StaffDetail{}, errs.ForbiddenError()
	}
	if err := validateStaff(&in); err != nil {
		return StaffDetail{}, err
	}
	if ok, err := s.schoolCan(ctx, a, auth.PermStaffManage, in.SchoolID); err != nil || !ok {
		if err != nil {
			return StaffDetail{}, err
		}
		return StaffDetail{}, errs.FieldError("school_id", "registry.school_not_managed", nil)
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertStaff(ctx, tx, a, in)
		return err
	})
	if err != nil {
		if aerr := s.auditElsewhere(ctx, a, "create", elsewhereHits(err)); aerr != nil {
			return StaffDetail{}, aerr
		}
		return StaffDetail{}, err
	}
	return s.StaffDetail(ctx, a, id)
}

func (s *Service) insertStaff(ctx context.Context, tx *sql.Tx, a auth.Actor, in StaffInput) (int64, error) {
	id, err := s.addStaff(ctx, tx, a, in)
	if err != nil {
		return 0, err
	}
	return id, s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staff.create", ObjectType: "staff", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"after": maskedStaff(in)}})
}

// addStaff writes a validated staff member inside tx, refusing an ID number
// or staff number already on record; the caller writes the audit record.
func (s *Service) addStaff(ctx context.Context, tx *sql.Tx, a auth.Actor, in StaffInput) (int64, error) {
	if err := s.duplicateID(ctx, tx, a, in.IDCard, 0); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, insertStaffSQL, staffArgs(in, store.Now())...).Scan(&id)
	return id, staffNoTaken(err)
}

// insertStaffSQL writes one staff member; staffArgs are its arguments.
const insertStaffSQL = `INSERT INTO staff (staff_no, name, gender, id_card, phone, school_id, post, is_cadre, subject, stage, title, honours, education,
	birth_date, hire_date, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`

func staffArgs(in StaffInput, now time.Time) []any {
	return []any{in.StaffNo, in.Name, in.Gender, in.IDCard, in.Phone, in.SchoolID, in.Post, in.Post != "teacher", in.Subject, in.Stage, in.Title, in.Honours, in.Education,
		store.Date{Time: IDBirthDate(in.IDCard)}, in.HireDate, in.Status, now}
}

// staffNoTaken names a unique violation of an insert: the staff number.
func staffNoTaken(err error) error {
	if store.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.Conflict, Key: "registry.staff_no_taken", Details: []errs.Detail{{Field: "staff_no", Key: "registry.staff_no_taken"}}}
	}
	return err
}

// maskedStaff is a staff input fit for the audit log: no full ID or phone.
func maskedStaff(in StaffInput) StaffInput {
	in.IDCard, in.Phone = MaskIDCard(in.IDCard), MaskPhone(in.Phone)
	return in
}

// UpdateStaff edits a staff member with a version check.
func (s *Service) UpdateStaff(ctx context.Context, a auth.Actor, id int64, in StaffInput) (StaffDetail, error) {
	cur, err := s.GetStaff(ctx, a, id)
	if err != nil {
		return StaffDetail{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermStaffManage, cur.SchoolID); err != nil {
		return StaffDetail{}, err
	}
	if in.SchoolID != 0 && in.SchoolID != cur.SchoolID {
		return StaffDetail{}, errs.FieldError("school_id", "registry.use_transfer", nil)
	}
	in.SchoolID = cur.SchoolID
	// The masked values the edit form shows stand for the stored ones, so an
	// edit that leaves them alone needs no unmasking.
	if in.IDCard == cur.IDCard || in.Phone == cur.Phone {
		var card, phone string
		if err := s.st.R.QueryRowContext(ctx, `SELECT id_card, phone FROM staff WHERE id = $1`, id).Scan(&card, &phone); err != nil {
			return StaffDetail{}, err
		}
		if in.IDCard == cur.IDCard {
			in.IDCard = card
		}
		if in.Phone == cur.Phone {
			in.Phone = phone
		}
	}
	if err := validateStaff(&in); err != nil {
		return StaffDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.duplicateID(ctx, tx, a, in.IDCard, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE staff SET staff_no = $1, name = $2, gender = $3, id_card = $4, phone = $5, post = $6, is_cadre = $7, subject = $8, stage = $9,
			title = $10, honours = $11, education = $12, birth_date = $13, hire_date = $14, status = $15, updated_at = $16, version = version + 1 WHERE id = $17 AND version = $18`,
			in.StaffNo, in.Name, in.Gender, in.IDCard, in.Phone, in.Post, in.Post != "teacher", in.Subject, in.Stage, in.Title, in.Honours, in.Education,
			store.Date{Time: IDBirthDate(in.IDCard)}, in.HireDate, in.Status, store.Now(), id, in.Version)
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.Conflict, Key: "registry.staff_no_taken", Details: []errs.Detail{{Field: "staff_no", Key: "registry.staff_no_taken"}}}
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staff.update", ObjectType: "staff", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"before": cur, "after": maskedStaff(in)}})
	})
	if err != nil {
		if aerr := s.auditElsewhere(ctx, a, "update", elsewhereHits(err)); aerr != nil {
			return StaffDetail{}, aerr
		}
		return StaffDetail{}, err
	}
	return s.StaffDetail(ctx, a, id)
}

// TransferInput moves a staff member to another school.
type TransferInput struct {
	ToSchoolID int64      `json:"to_school_id"`
	On         store.Date `json:"on"`
	Note       string     `json:"note"`
}

// TransferStaff moves a staff member between schools (the personnel
// section), keeping the history.
func (s *Service) TransferStaff(ctx context.Context, a auth.Actor, id int64, in TransferInput) (StaffDetail, error) {
	cur, err := s.GetStaff(ctx, a, id)
	if err != nil {
		return StaffDetail{}, err
	}
	if !a.Reach(auth.PermStaffManage).County {
		return StaffDetail{}, errs.ForbiddenError()
	}
	var f errs.Fields
	if in.ToSchoolID == 0 || in.ToSchoolID == cur.SchoolID {
		f.Add("to_school_id", "registry.transfer_school", nil)
	}
	if in.On.IsZero() {
		f.Add("on", "field.required", nil)
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "field.max", errs.Args{"max": 500})
	}
	if err := f.Err(); err != nil {
		return StaffDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM schools WHERE id = $1`, in.ToSchoolID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || status != "active" {
			return errs.FieldError("to_school_id", "registry.school_missing", nil)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_transfers (staff_id, from_school_id, to_school_id, on_date, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, cur.SchoolID, in.ToSchoolID, in.On, strings.TrimSpace(in.Note), nullable(a.UserID), store.Now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET school_id = $1, updated_at = $2, version = version + 1 WHERE id = $3`, in.ToSchoolID, store.Now(), id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staff.transfer", ObjectType: "staff", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"from_school_id": cur.SchoolID, "to_school_id": in.ToSchoolID, "on": in.On.String(), "note": in.Note}})
	})
	if err != nil {
		return StaffDetail{}, err
	}
	return s.StaffDetail(ctx, a, id)
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// StaffDetail returns a staff member's page.
func (s *Service) StaffDetail(ctx context.Context, a auth.Actor, id int64) (StaffDetail, error) {
	base, err := s.GetStaff(ctx, a, id)
	if err != nil {
		return StaffDetail{}, err
	}
	d := StaffDetail{Staff: base}
	var birth store.Date
	if err := s.st.R.QueryRowContext(ctx, `SELECT stage, birth_date, hire_date, version FROM staff WHERE id = $1`, id).Scan(&d.Stage, &birth, &d.HireDate, &d.Version); err != nil {
		return d, err
	}
	if !birth.IsZero() {
		d.BirthYear, d.Age = birth.Year(), ageOn(birth.Time, time.Now())
	}
	if !d.HireDate.IsZero() {
		d.TeachingYears = int(time.Since(d.HireDate.Time).Hours() / 24 / 365.25)
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT t.on_date, f.name, tt.name, t.note FROM staff_transfers t JOIN schools f ON f.id = t.from_school_id
		JOIN schools tt ON tt.id = t.to_school_id WHERE t.staff_id = $1 ORDER BY t.on_date DESC, t.id DESC`, id)
	if err != nil {
		return d, err
	}
	d.Transfers = []Transfer{}
	for rows.Next() {
		var t Transfer
		if err := rows.Scan(&t.Date, &t.FromSchoolName, &t.ToSchoolName, &t.Note); err != nil {
			rows.Close()
			return d, err
		}
		d.Transfers = append(d.Transfers, t)
	}
	if err := rows.Close(); err != nil {
		return d, err
	}
	if d.CanManage, err = s.schoolCan(ctx, a, auth.PermStaffManage, d.SchoolID); err != nil {
		return d, err
	}
	if d.CanUnmask, err = s.schoolCan(ctx, a, auth.PermStaffUnmask, d.SchoolID); err != nil {
		return d, err
	}
	d.CanViewRecords, err = s.schoolCan(ctx, a, auth.PermRecordsRead, d.SchoolID)
	return d, err
}

// Unmasked is a staff member's full ID number, phone and birth date.
type Unmasked struct {
	IDCard    string     `json:"id_card"`
	Phone     string     `json:"phone"`
	BirthDate store.Date `json:"birth_date"`
}

// ageOn is the age in whole years on day now.
func ageOn(birth, now time.Time) int {
	age := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		age--
	}
	return age
}

// Unmask shows the full ID number and phone to a role allowed to see them,
// for a stated reason, and records who saw what and why.
func (s *Service) Unmask(ctx context.Context, a auth.Actor, id int64, reason string) (Unmasked, error) {
	cur, err := s.GetStaff(ctx, a, id)
	if err != nil {
		return Unmasked{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermStaffUnmask, cur.SchoolID); err != nil {
		return Unmasked{}, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 || len([]rune(reason)) > 200 {
		return Unmasked{}, errs.FieldError("reason", "registry.unmask_reason", nil)
	}
	var u Unmasked
	if err := s.st.R.QueryRowContext(ctx, `SELECT id_card, phone, birth_date FROM staff WHERE id = $1`, id).Scan(&u.IDCard, &u.Phone, &u.BirthDate); err != nil {
		return u, err
	}
	// Recorded before anything is shown: no record, no data.
	err = s.log.Record(ctx, a.Who(), audit.Entry{Action: "staff.unmask", ObjectType: "staff", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"reason": reason, "fields": []string{"id_card", "phone", "birth_date"}}})
	return u, err
}

// Record is an entry of the eligibility records of 五(四).
type Record struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind" enum:"ethics,paid_tutoring,refusal,sick_leave"`
	OccurredOn    store.Date `json:"occurred_on"`
	Authority     string     `json:"authority"`
	DocNo         string     `json:"doc_no"`
	EffectiveFrom store.Date `json:"effective_from"`
	EffectiveTo   store.Date `json:"effective_to"`
	SchoolYear    string     `json:"school_year"`
	Days          int        `json:"days"`
	Note          string     `json:"note"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Records lists a staff member's eligibility records. Every view is audited.
func (s *Service) Records(ctx context.Context, a auth.Actor, staffID int64) ([]Record, error) {
	cur, err := s.GetStaff(ctx, a, staffID)
	if err != nil {
		return nil, err
	}
	if err := s.requireSchool(ctx, a, auth.PermRecordsRead, cur.SchoolID); err != nil {
		return nil, err
	}
	out, err := s.records(ctx, staffID, 0)
	if err != nil {
		return nil, err
	}
	err = s.log.Record(ctx, a.Who(), audit.Entry{Action: "records.view", ObjectType: "staff", ObjectID: strconv.FormatInt(staffID, 10),
		Detail: map[string]any{"count": len(out)}})
	return out, err
}

// records reads a staff member's records (one when recordID is set) with no
// audit: callers record the view themselves.
func (s *Service) records(ctx context.Context, staffID, recordID int64) ([]Record, error) {
	q := `SELECT r.id, r.kind, r.occurred_on, r.authority, r.doc_no, r.effective_from, r.effective_to, r.school_year, r.days, r.note,
		COALESCE(u.username, ''), r.created_at FROM eligibility_records r LEFT JOIN users u ON u.id = r.created_by WHERE r.staff_id = $1 AND ($2 = 0 OR r.id = $2)
		ORDER BY r.occurred_on DESC, r.id DESC`
	rows, err := s.st.R.QueryContext(ctx, q, staffID, recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.Kind, &r.OccurredOn, &r.Authority, &r.DocNo, &r.EffectiveFrom, &r.EffectiveTo, &r.SchoolYear, &r.Days, &r.Note, &r.CreatedBy, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordInput adds an eligibility record.
type RecordInput struct {
	Kind          string     `json:"kind"`
	OccurredOn    store.Date `json:"occurred_on"`
	Authority     string     `json:"authority"`
	DocNo         string     `json:"doc_no"`
	EffectiveFrom store.Date `json:"effective_from"`
	EffectiveTo   store.Date `json:"effective_to"`
	SchoolYear    string     `json:"school_year"`
	Days          int        `json:"days"`
	Note          string     `json:"note"`
}

// AddRecord records a finding, a refusal of assignment or sick leave.
func (s *Service) AddRecord(ctx context.Context, a auth.Actor, staffID int64, in RecordInput) (Record, error) {
	cur, err := s.GetStaff(ctx, a, staffID)
	if err != nil {
		return Record{}, err
	}
	if err := s.requireSchool(ctx, a, auth.PermRecordsManage, cur.SchoolID); err != nil {
		return Record{}, err
	}
	var f errs.Fields
	if in.OccurredOn.IsZero() {
		f.Add("occurred_on", "field.required", nil)
	}
	switch in.Kind {
	case "ethics", "paid_tutoring":
		// A finding by an authority, in effect for a period (查处).
		if strings.TrimSpace(in.Authority) == "" {
			f.Add("authority", "field.required", nil)
		}
		if strings.TrimSpace(in.DocNo) == "" {
			f.Add("doc_no", "field.required", nil)
		}
		if in.EffectiveFrom.IsZero() {
			f.Add("effective_from", "field.required", nil)
		}
		if !in.EffectiveTo.IsZero() && in.EffectiveTo.Before(in.EffectiveFrom.Time) {
			f.Add("effective_to", "registry.period_order", nil)
		}
	case "refusal":
		if strings.TrimSpace(in.Note) == "" {
			f.Add("note", "field.required", nil)
		}
	case "sick_leave":
		if !schoolYearRe.MatchString(in.SchoolYear) || !consecutiveYears(in.SchoolYear) {
			f.Add("school_year", "registry.school_year", nil)
		}
		if in.Days < 1 || in.Days > 366 {
			f.Add("days", "policy.range", errs.Args{"min": 1, "max": 366})
		}
	default:
		f.Add("kind", "registry.record_kind", nil)
	}
	for field, v := range map[string]string{"authority": in.Authority, "doc_no": in.DocNo, "note": in.Note} {
		if len([]rune(v)) > 500 {
			f.Add(field, "field.max", errs.Args{"max": 500})
		}
	}
	if err := f.Err(); err != nil {
		return Record{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO eligibility_records (staff_id, kind, occurred_on, authority, doc_no, effective_from, effective_to, school_year, days, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			staffID, in.Kind, in.OccurredOn, strings.TrimSpace(in.Authority), strings.TrimSpace(in.DocNo), in.EffectiveFrom, in.EffectiveTo, in.SchoolYear, in.Days,
			strings.TrimSpace(in.Note), nullable(a.UserID), store.Now()).Scan(&id); err != nil {
			return err
		}
		// The audit keeps that a record was made, not its sensitive content.
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "records.create", ObjectType: "staff", ObjectID: strconv.FormatInt(staffID, 10),
			Detail: map[string]any{"record_id": id, "kind": in.Kind}})
	})
	if err != nil {
		return Record{}, err
	}
	recs, err := s.records(ctx, staffID, id)
	if err != nil || len(recs) != 1 {
		return Record{}, err
	}
	return recs[0], nil
}
