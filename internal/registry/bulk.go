package registry

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Bulk is a whole registry written at once: a county's townships, schools,
// groups with their members, and staff. Rows refer to each other by their
// index in the same Bulk, since none of them has an id yet.
type Bulk struct {
	Townships []Township // ID is ignored
	Schools   []BulkSchool
	Groups    []BulkGroup
	Members   []BulkMember // schools joining a group after its lead school
	Staff     []BulkStaff
}

// BulkSchool is a school whose township is Townships[Township].
type BulkSchool struct {
	SchoolInput
	Township int
}

// BulkGroup is a group whose lead school is Schools[LeadSchool].
type BulkGroup struct {
	GroupInput
	LeadSchool int
}

// BulkMember is Schools[School] joining Groups[Group].
type BulkMember struct {
	Group, School  int
	Role           string // core or member
	JoinedOn       store.Date
	OverrideReason string
}

// BulkStaff is a staff member of Schools[School].
type BulkStaff struct {
	StaffInput
	School int
}

// BulkIDs are the ids the rows of a Bulk were given, index for index.
type BulkIDs struct {
	Townships, Schools, Groups, Staff []int64
}

var townshipCodeRe = regexp.MustCompile(`^\d{9}$`)

// BulkLoad writes b in one transaction, all or nothing, through the checks
// the one-at-a-time paths make: each school as CreateSchool validates it
// (scale limits included), each group as CreateGroup, each membership as
// Join (one group per date, the limits in force on the joining date), and
// each staff member as CreateStaff (fields, ID number, duplicates). Schools,
// groups and memberships are audited one by one as those paths audit them;
// townships and staff, which come by the thousand, get one record each.
// The bureau only. An error names the row it is about.
func (s *Service) BulkLoad(ctx context.Context, a auth.Actor, b Bulk) (BulkIDs, error) {
	if !a.Reach(auth.PermSchoolsManage).County || !a.Reach(auth.PermGroupsManage).County || !a.Reach(auth.PermStaffManage).County {
		return BulkIDs{}, errs.ForbiddenError()
	}
	var ids BulkIDs
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		ids = BulkIDs{}
		if err := s.bulkTownships(ctx, tx, a, b.Townships, &ids); err != nil {
			return err
		}
		for i, sc := range b.Schools {
			if sc.Township < 0 || sc.Township >= len(ids.Townships) {
				return bulkRow("schools", i, errs.FieldError("township_id", "field.required", nil))
			}
			sc.TownshipID = ids.Townships[sc.Township]
			id, err := s.insertSchool(ctx, tx, a, sc.SchoolInput)
			if err != nil {
				return bulkRow("schools", i, err)
			}
			ids.Schools = append(ids.Schools, id)
		}
		for i, g := range b.Groups {
			if g.LeadSchool < 0 || g.LeadSchool >= len(ids.Schools) {
				return bulkRow("groups", i, errs.FieldError("lead_school_id", "field.required", nil))
			}
			g.LeadSchoolID = ids.Schools[g.LeadSchool]
			if err := s.validateGroup(ctx, &g.GroupInput); err != nil {
				return bulkRow("groups", i, err)
			}
			id, err := s.insertGroup(ctx, tx, a, g.GroupInput)
			if err != nil {
				return bulkRow("groups", i, err)
			}
			ids.Groups = append(ids.Groups, id)
		}
		for i, m := range b.Members {
			if err := s.bulkJoin(ctx, tx, a, b, ids, m); err != nil {
				return bulkRow("members", i, err)
			}
		}
		return s.bulkStaff(ctx, tx, a, b.Staff, &ids)
	})
	if err != nil {
		return BulkIDs{}, err
	}
	s.countMu.Lock()
	s.counts = map[string]cachedCount{}
	s.countMu.Unlock()
	return ids, nil
}

func (s *Service) bulkTownships(ctx context.Context, tx *sql.Tx, a auth.Actor, ts []Township, ids *BulkIDs) error {
	if len(ts) == 0 {
		return nil
	}
	for i, t := range ts {
		t.Code, t.Name = strings.TrimSpace(t.Code), strings.TrimSpace(t.Name)
		var f errs.Fields
		if !townshipCodeRe.MatchString(t.Code) {
			f.Add("code", "field.required", nil)
		}
		if t.Name == "" || len([]rune(t.Name)) > 30 {
			f.Add("name", "field.required_max", errs.Args{"max": 30})
		}
		if err := f.Err(); err != nil {
			return bulkRow("townships", i, err)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO townships (code, name) VALUES ($1, $2) RETURNING id`, t.Code, t.Name).Scan(&id)
		if store.IsUniqueViolation(err) {
			return bulkRow("townships", i, errs.ConflictError("import.duplicate_row", nil))
		}
		if err != nil {
			return err
		}
		ids.Townships = append(ids.Townships, id)
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "township.bulk_create", ObjectType: "township",
		Detail: map[string]any{"count": len(ts), "first_id": ids.Townships[0]}})
}

func (s *Service) bulkJoin(ctx context.Context, tx *sql.Tx, a auth.Actor, b Bulk, ids BulkIDs, m BulkMember) error {
	if m.Group < 0 || m.Group >= len(ids.Groups) || m.School < 0 || m.School >= len(ids.Schools) {
		return errs.FieldError("school_id", "field.required", nil)
	}
	in := JoinInput{SchoolID: ids.Schools[m.School], Role: m.Role, JoinedOn: m.JoinedOn, OverrideReason: m.OverrideReason}
	founded := b.Groups[m.Group].FoundedOn
	var f errs.Fields
	if in.Role != "core" && in.Role != "member" {
		f.Add("role", "registry.member_role", nil)
	}
	if in.JoinedOn.IsZero() {
		f.Add("joined_on", "field.required", nil)
	} else if in.JoinedOn.Before(founded.Time) {
		f.Add("joined_on", "registry.join_before_founding", errs.Args{"date": founded.String()})
	}
	if err := f.Err(); err != nil {
		return err
	}
	g := Group{ID: ids.Groups[m.Group], Name: b.Groups[m.Group].Name, FoundedOn: founded}
	return s.join(ctx, tx, a, g, in)
}

// bulkStaff validates and writes the staff: every row is checked before the
// first is written, so a bad row costs no inserts.
func (s *Service) bulkStaff(ctx context.Context, tx *sql.Tx, a auth.Actor, staff []BulkStaff, ids *BulkIDs) error {
	if len(staff) == 0 {
		return nil
	}
	rows := make([]StaffInput, len(staff))
	seenID, seenNo := map[string]int{}, map[string]int{}
	for i, p := range staff {
		if p.School < 0 || p.School >= len(ids.Schools) {
			return bulkRow("staff", i, errs.FieldError("school_id", "field.required", nil))
		}
		p.SchoolID = ids.Schools[p.School]
		if err := validateStaff(&p.StaffInput); err != nil {
			return bulkRow("staff", i, err)
		}
		if prev, dup := seenID[p.IDCard]; dup {
			return bulkRow("staff", i, errs.FieldError("id_card", "import.duplicate_row", errs.Args{"line": prev + 1}))
		}
		if prev, dup := seenNo[p.StaffNo]; dup {
			return bulkRow("staff", i, errs.FieldError("staff_no", "import.duplicate_row", errs.Args{"line": prev + 1}))
		}
		seenID[p.IDCard], seenNo[p.StaffNo] = i, i
		rows[i] = p.StaffInput
	}
	if err := s.bulkDuplicates(ctx, tx, a, rows); err != nil {
		return err
	}
	// One statement for every row: inside a transaction nothing caches it.
	stmt, err := tx.PrepareContext(ctx, insertStaffSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := store.Now()
	schools := map[int64]bool{}
	for i, in := range rows {
		var id int64
		if err := staffNoTaken(stmt.QueryRowContext(ctx, staffArgs(in, now)...).Scan(&id)); err != nil {
			return bulkRow("staff", i, err)
		}
		ids.Staff = append(ids.Staff, id)
		schools[in.SchoolID] = true
	}
	return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staff.bulk_create", ObjectType: "staff",
		Detail: map[string]any{"count": len(rows), "schools": len(schools), "first_id": ids.Staff[0], "last_id": ids.Staff[len(ids.Staff)-1]}})
}

// bulkDuplicates refuses rows whose ID numbers are already on record,
// looking them up a few hundred at a time; a hit is refused as CreateStaff
// refuses it (naming the record only to an actor who may read it).
func (s *Service) bulkDuplicates(ctx context.Context, tx *sql.Tx, a auth.Actor, rows []StaffInput) error {
	const chunk = 400
	for from := 0; from < len(rows); from += chunk {
		part := rows[from:min(from+chunk, len(rows))]
		var w store.Where
		ph := make([]string, len(part))
		for i, in := range part {
			ph[i] = w.Arg(in.IDCard)
		}
		q, err := tx.QueryContext(ctx, `SELECT id_card FROM staff WHERE id_card IN (`+strings.Join(ph, ",")+`)`, w.Args...)
		if err != nil {
			return err
		}
		taken := map[string]bool{}
		for q.Next() {
			var card string
			if err := q.Scan(&card); err != nil {
				q.Close()
				return err
			}
			taken[card] = true
		}
		if err := q.Close(); err != nil {
			return err
		}
		for i, in := range part {
			if taken[in.IDCard] {
				if err := s.duplicateID(ctx, tx, a, in.IDCard, 0); err != nil {
					return bulkRow("staff", from+i, err)
				}
			}
		}
	}
	return nil
}

// bulkRow names the row of a Bulk an error is about, keeping the domain
// error (errors.As still finds it).
func bulkRow(what string, i int, err error) error {
	return fmt.Errorf("%s[%s]: %w", what, strconv.Itoa(i), err)
}
