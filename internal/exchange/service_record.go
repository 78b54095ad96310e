package exchange

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// ServiceRecord is a staff member's cross-school service: the exchanges that
// took place, and the 跨校任职 and 兼课指导 the school or a section recorded,
// with days and evaluations. 人事股 and 干部股 read it for title and award
// recommendations (四(三)2: 向跨校任职、兼课指导的干部教师适当倾斜).
type ServiceRecord struct {
	StaffID      int64             `json:"staff_id"`
	StaffName    string            `json:"staff_name"`
	SchoolName   string            `json:"school_name"`
	Exchanges    []ServiceExchange `json:"exchanges"`
	Entries      []ServiceEntry    `json:"entries"`
	ExchangeDays int               `json:"exchange_days"`
	EntryDays    int               `json:"entry_days"`
}

// ServiceExchange is an exchange as the service record shows it.
type ServiceExchange struct {
	ID             int64        `json:"id"`
	Kind           string       `json:"kind" enum:"training,study,support"`
	HostSchoolName string       `json:"host_school_name"`
	StartOn        store.Date   `json:"start_on"`
	EndOn          store.Date   `json:"end_on"`
	ReturnedOn     store.Date   `json:"returned_on"`
	Days           int          `json:"days"`
	Status         string       `json:"status" enum:"draft,submitted,endorsed,reviewed,approved,underway,returned,closed,rejected,withdrawn,cancelled"`
	Evaluations    []Evaluation `json:"evaluations"`
}

// ServiceEntry is one 跨校任职 (post) or 兼课指导 (teaching) at another school.
type ServiceEntry struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind" enum:"post,teaching"`
	SchoolID    int64      `json:"school_id"`
	SchoolName  string     `json:"school_name"`
	StartOn     store.Date `json:"start_on"`
	EndOn       store.Date `json:"end_on"`
	Days        int        `json:"days"`
	Description string     `json:"description"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// ServiceEntryInput records 跨校任职 or 兼课指导.
type ServiceEntryInput struct {
	Kind        string     `json:"kind"` // post, teaching
	SchoolID    int64      `json:"school_id"`
	StartOn     store.Date `json:"start_on"`
	EndOn       store.Date `json:"end_on"` // empty while it lasts
	Description string     `json:"description"`
}

// staffOf answers not found for a staff member outside the actor's scope.
func (s *Service) staffOf(ctx context.Context, a auth.Actor, staffID int64) (name string, schoolID int64, schoolName string, err error) {
	st, err := s.reg.GetStaff(ctx, a, staffID)
	if err != nil {
		return "", 0, "", err
	}
	return st.Name, st.SchoolID, st.SchoolName, nil
}

// ServiceRecord reads a staff member's cross-school service.
func (s *Service) ServiceRecord(ctx context.Context, a auth.Actor, staffID int64) (ServiceRecord, error) {
	if !a.Has(auth.PermExchangesRead) {
		return ServiceRecord{}, errs.ForbiddenError()
	}
	name, _, school, err := s.staffOf(ctx, a, staffID)
	if err != nil {
		return ServiceRecord{}, err
	}
	rec := ServiceRecord{StaffID: staffID, StaffName: name, SchoolName: school, Exchanges: []ServiceExchange{}, Entries: []ServiceEntry{}}
	var w store.Where
	w.Add("e.staff_id = ?", staffID)
	w.Add("e.status IN ('approved', 'underway', 'returned', 'closed')")
	xs, err := s.query(ctx, s.st.R, selectExchange+w.SQL()+` ORDER BY e.start_on`, w.Args...)
	if err != nil {
		return rec, err
	}
	today := s.Today()
	for _, x := range xs {
		se := ServiceExchange{ID: x.ID, Kind: x.Kind, HostSchoolName: x.HostSchoolName, StartOn: x.StartOn, EndOn: x.EndOn, ReturnedOn: x.ReturnedOn, Status: x.Status, Evaluations: []Evaluation{}}
		// Days served: to the return, or to today while still away.
		end := servedTo(x, today)
		if !end.Before(x.StartOn.Time) {
			se.Days = Days(x.StartOn, end)
		}
		rows, err := s.st.R.QueryContext(ctx, `SELECT party, rating, comment, actor_name, at FROM exchange_evaluations WHERE exchange_id = $1 ORDER BY id`, x.ID)
		if err != nil {
			return rec, err
		}
		for rows.Next() {
			var e Evaluation
			if err := rows.Scan(&e.Party, &e.Rating, &e.Comment, &e.By, &e.At); err != nil {
				rows.Close()
				return rec, err
			}
			e.At = e.At.UTC()
			se.Evaluations = append(se.Evaluations, e)
		}
		rows.Close()
		rec.ExchangeDays += se.Days
		rec.Exchanges = append(rec.Exchanges, se)
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT c.id, c.kind, c.school_id, s.name, c.start_on, c.end_on, c.description, COALESCE(u.display_name, ''), c.created_at
		FROM cross_school_service c JOIN schools s ON s.id = c.school_id LEFT JOIN users u ON u.id = c.created_by WHERE c.staff_id = $1 ORDER BY c.start_on, c.id`, staffID)
	if err != nil {
		return rec, err
	}
	defer rows.Close()
	for rows.Next() {
		var e ServiceEntry
		if err := rows.Scan(&e.ID, &e.Kind, &e.SchoolID, &e.SchoolName, &e.StartOn, &e.EndOn, &e.Description, &e.CreatedBy, &e.CreatedAt); err != nil {
			return rec, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		end := e.EndOn
		if end.IsZero() || today.Before(end.Time) {
			end = today
		}
		if !end.Before(e.StartOn.Time) {
			e.Days = Days(e.StartOn, end)
		}
		rec.EntryDays += e.Days
		rec.Entries = append(rec.Entries, e)
	}
	return rec, rows.Err()
}

// AddServiceEntry records 跨校任职 or 兼课指导 for a staff member of a school
// the actor manages (or any, for 人事股 and 干部股).
func (s *Service) AddServiceEntry(ctx context.Context, a auth.Actor, staffID int64, in ServiceEntryInput) (ServiceRecord, error) {
	_, schoolID, _, err := s.staffOf(ctx, a, staffID)
	if err != nil {
		return ServiceRecord{}, err
	}
	if !a.Reach(auth.PermServiceManage).School(schoolID) {
		return ServiceRecord{}, errs.ForbiddenError()
	}
	in.Description = strings.TrimSpace(in.Description)
	var f errs.Fields
	if in.Kind != "post" && in.Kind != "teaching" {
		f.Add("kind", "exchange.service_kind", nil)
	}
	if in.SchoolID == 0 {
		f.Add("school_id", "field.required", nil)
	} else if in.SchoolID == schoolID {
		f.Add("school_id", "exchange.service_same_school", nil)
	}
	if in.StartOn.IsZero() {
		f.Add("start_on", "field.required", nil)
	}
	if !in.EndOn.IsZero() && in.EndOn.Before(in.StartOn.Time) {
		f.Add("end_on", "exchange.end_before_start", nil)
	}
	if in.Description == "" || len([]rune(in.Description)) > 1000 {
		f.Add("description", "field.required_max", errs.Args{"max": 1000})
	}
	if err := f.Err(); err != nil {
		return ServiceRecord{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $1`, in.SchoolID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.FieldError("school_id", "exchange.school_unknown", nil)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO cross_school_service (staff_id, kind, school_id, start_on, end_on, description, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, staffID, in.Kind, in.SchoolID, in.StartOn, in.EndOn, in.Description, nullID(a.UserID), store.Now()).Scan(&id)
		if err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "service.create", ObjectType: "staff", ObjectID: strconv.FormatInt(staffID, 10),
			Detail: map[string]any{"entry_id": id, "kind": in.Kind, "school_id": in.SchoolID, "start_on": in.StartOn.String()}})
	})
	if err != nil {
		return ServiceRecord{}, err
	}
	return s.ServiceRecord(ctx, a, staffID)
}
