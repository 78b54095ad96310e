package registry

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
	"edugroup/internal/xlsx"
)

// Imports are all-or-nothing: every row is checked, every problem is
// reported with its row and column, and only a file without any problem is
// written, in one transaction. Rows are keyed by their natural key (the
// school code; the staff ID number), so importing the same file twice
// changes nothing the second time.

// ImportResult counts what an import wrote.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ImportError lists every problem of a refused file.
type ImportError struct {
	Rows []xlsx.RowError
}

func (e *ImportError) Error() string {
	return "import refused: " + strconv.Itoa(len(e.Rows)) + " problems"
}

// importing admits two imports at a time: reading a hostile-but-legal file
// costs seconds of CPU, so a burst of uploads must queue, not pile up.
var importing = make(chan struct{}, 2)

func admitImport(ctx context.Context) (func(), error) {
	select {
	case importing <- struct{}{}:
		return func() { <-importing }, nil
	case <-time.After(10 * time.Second):
		return nil, errs.New(errs.Busy, "import.busy", nil)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// restoreExported undoes the export's formula neutralization: a value that
// went out as '=x comes back as =x (and is neutralized again on export).
func restoreExported(v map[string]string) {
	for k, s := range v {
		if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
			v[k] = s[1:]
		}
	}
}

// importLimits bound an upload: 10 MiB and 20,000 rows.
var importLimits = xlsx.Limits{MaxBytes: 10 << 20, MaxRows: 20000, MaxCellLen: 500}

// SchoolColumns are the template's columns, in order.
func SchoolColumns(t func(string) string) []xlsx.Column {
	col := func(key string, required bool, help string) xlsx.Column {
		return xlsx.Column{Key: key, Header: t("col.school." + key), Aliases: []string{key}, Required: required, Help: t(help)}
	}
	return []xlsx.Column{
		col("code", true, "import.help.school_code"), col("name", true, "import.help.text"), col("short_name", false, "import.help.text"),
		col("township", true, "import.help.township"), col("stage", true, "import.help.stage"), col("type_code", true, "import.help.type_code"),
		col("urban_rural", true, "import.help.urban_rural"), col("students", true, "import.help.number"), col("classes", true, "import.help.number"),
		col("staff_count", false, "import.help.number"), col("tier", true, "import.help.tier"), col("is_new", false, "import.help.bool"),
		col("principal", false, "import.help.text"), col("phone", false, "import.help.phone"), col("notes", false, "import.help.text"),
	}
}

// StaffColumns are the staff template's columns, in order.
func StaffColumns(t func(string) string) []xlsx.Column {
	col := func(key string, required bool, help string) xlsx.Column {
		return xlsx.Column{Key: key, Header: t("col.staff." + key), Aliases: []string{key}, Required: required, Help: t(help)}
	}
	hire := col("hire_date", false, "import.help.date")
	hire.Date = true
	return []xlsx.Column{
		col("staff_no", true, "import.help.text"), col("name", true, "import.help.text"), col("gender", true, "import.help.gender"),
		col("id_card", true, "import.help.id_card"), col("phone", false, "import.help.mobile"), col("school_code", true, "import.help.school_code"),
		col("post", true, "import.help.post"), col("subject", false, "import.help.text"), col("stage", false, "import.help.stage"),
		col("title", false, "import.help.title"), col("honours", false, "import.help.honours"), col("education", false, "import.help.education"),
		hire, col("status", false, "import.help.staff_status"),
	}
}

// codeOf accepts a code or its label in either language ("小学" or "primary").
func codeOf(labels map[string][]string, v string) string {
	v = strings.TrimSpace(v)
	for code, ls := range labels {
		if strings.EqualFold(v, code) {
			return code
		}
		for _, l := range ls {
			if v == l {
				return code
			}
		}
	}
	return v
}

var (
	stageLabels  = map[string][]string{"preschool": {"学前", "幼儿园"}, "primary": {"小学"}, "junior": {"初中"}, "nine_year": {"九年一贯制"}, "senior": {"高中"}}
	tierLabels   = map[string][]string{"quality": {"优质"}, "ordinary": {"一般"}, "weak": {"薄弱"}}
	genderLabels = map[string][]string{"M": {"男"}, "F": {"女"}}
	postLabels   = map[string][]string{"principal": {"校长"}, "vice_principal": {"副校长"}, "director": {"主任", "中层正职"}, "vice_director": {"副主任", "中层副职"}, "teacher": {"教师"}}
	eduLabels    = map[string][]string{"10": {"研究生"}, "20": {"大学本科", "本科"}, "30": {"大学专科", "专科"}, "40": {"中等职业"}, "60": {"普通高中", "高中"}, "70": {"初中"}, "80": {"小学"}, "90": {"其他"}}
	statusLabels = map[string][]string{"active": {"在岗", "正常"}, "transferred": {"调离"}, "retired": {"退休"}, "closed": {"撤销"}}
	boolLabels   = map[string][]string{"true": {"是", "yes", "1"}, "false": {"否", "no", "0", ""}}
)

// importFieldColumn maps a validation field to the template column it came from.
var importFieldColumn = map[string]string{"township_id": "township", "school_id": "school_code"}

// ImportAllowed answers before an upload is read whether the actor may import.
func (s *Service) ImportAllowed(a auth.Actor, what string) error {
	ok := (what == "schools" && a.Reach(auth.PermSchoolsManage).County) || (what == "staff" && a.Has(auth.PermStaffManage))
	if !ok {
		return errs.ForbiddenError()
	}
	return nil
}

// rowProblems turns a validation error into row errors for one line.
func rowProblems(line int, err error) ([]xlsx.RowError, error) {
	e, ok := errs.As(err)
	if !ok {
		return nil, err
	}
	var out []xlsx.RowError
	for _, d := range e.Details {
		field := d.Field
		if field == "" {
			field = d.Rule
		}
		if col, ok := importFieldColumn[field]; ok {
			field = col
		}
		out = append(out, xlsx.RowError{Line: line, Field: field, Key: d.Key, Args: d.Args})
	}
	if len(e.Details) == 0 {
		out = append(out, xlsx.RowError{Line: line, Key: e.Key, Args: e.Args})
	}
	return out, nil
}

func atoi(field string, v string, line int, problems *[]xlsx.RowError) int {
	if strings.TrimSpace(v) == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		*problems = append(*problems, xlsx.RowError{Line: line, Field: field, Key: "import.integer"})
	}
	return n
}

// ImportSchools reads a schools workbook and writes it all or nothing.
func (s *Service) ImportSchools(ctx context.Context, a auth.Actor, r io.Reader, t func(string) string, overrideReason string) (ImportResult, error) {
	if !a.Reach(auth.PermSchoolsManage).County {
		return ImportResult{}, errs.ForbiddenError()
	}
	release, err := admitImport(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	defer release()
	rows, problems, err := xlsx.ReadTable(r, SchoolColumns(t), importLimits)
	if err != nil {
		return ImportResult{}, s.refused(ctx, a, "school", importFileError(err))
	}
	for _, row := range rows {
		restoreExported(row.Values)
	}
	townships := map[string]int64{}
	trs, err := s.Townships(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	for _, tw := range trs {
		townships[tw.Name] = tw.ID
	}
	var res ImportResult
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		seen := map[string]int{}
		for _, row := range rows {
			v := row.Values
			in := SchoolInput{Code: v["code"], Name: v["name"], ShortName: v["short_name"], UrbanRural: v["urban_rural"], Stage: codeOf(stageLabels, v["stage"]),
				TypeCode: v["type_code"], Tier: codeOf(tierLabels, v["tier"]), IsNew: codeOf(boolLabels, v["is_new"]) == "true",
				Principal: v["principal"], Phone: v["phone"], Notes: v["notes"]}
			in.Students = atoi("students", v["students"], row.Line, &problems)
			in.Classes = atoi("classes", v["classes"], row.Line, &problems)
			in.StaffCount = atoi("staff_count", v["staff_count"], row.Line, &problems)
			in.TownshipID = townships[strings.TrimSpace(v["township"])]
			if prev, dup := seen[in.Code]; dup {
				problems = append(problems, xlsx.RowError{Line: row.Line, Field: "code", Key: "import.duplicate_row", Args: map[string]any{"line": prev}})
				continue
			}
			seen[in.Code] = row.Line
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM schools WHERE code = $1`, in.Code).Scan(&id)
			switch {
			case err == sql.ErrNoRows:
				in.OverrideReason = overrideReason
				if _, err := s.insertSchool(ctx, tx, a, in); err != nil {
					p, err := rowProblems(row.Line, err)
					if err != nil {
						return err
					}
					problems = append(problems, p...)
					continue
				}
				res.Created++
			case err != nil:
				return err
			default:
				cur, err := s.rawSchool(ctx, tx, id)
				if err != nil {
					return err
				}
				in.LegalPerson, in.ParentSchoolID, in.Status, in.Version = cur.LegalPerson, cur.ParentSchoolID, cur.Status, cur.Version
				if in == cur {
					continue // unchanged: importing the same file twice writes nothing
				}
				in.OverrideReason = overrideReason
				if err := s.updateSchool(ctx, tx, a, id, in, true); err != nil {
					p, err := rowProblems(row.Line, err)
					if err != nil {
						return err
					}
					problems = append(problems, p...)
					continue
				}
				res.Updated++
			}
		}
		if len(problems) > 0 {
			return &ImportError{Rows: problems}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "school.import", ObjectType: "school", Detail: map[string]any{"rows": len(rows), "created": res.Created, "updated": res.Updated}})
	})
	if err == nil {
		s.analyzeAfter(ctx, res, "schools")
	}
	return res, s.refused(ctx, a, "school", err)
}

// bulkRows is the number of imported rows from which the planner's
// statistics of the table are refreshed at once rather than by autovacuum
// a minute later: a county's first workbook of thousands of staff must not
// be planned as an empty table meanwhile.
const bulkRows = 200

// analyzeAfter refreshes the statistics of table after a large import. The
// import has committed; a failure here only costs speed until autovacuum, so
// it is not the caller's error.
func (s *Service) analyzeAfter(ctx context.Context, res ImportResult, table string) {
	if res.Created+res.Updated < bulkRows {
		return
	}
	_ = s.st.Analyze(ctx, table)
}

// ImportStaff reads a staff workbook and writes it all or nothing. A row
// whose ID number is already on record with the same staff number and school
// is an update; with another, it is refused naming the record.
func (s *Service) ImportStaff(ctx context.Context, a auth.Actor, r io.Reader, t func(string) string) (ImportResult, error) {
	if !a.Has(auth.PermStaffManage) {
		return ImportResult{}, errs.ForbiddenError()
	}
	release, err := admitImport(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	defer release()
	rows, problems, err := xlsx.ReadTable(r, StaffColumns(t), importLimits)
	if err != nil {
		return ImportResult{}, s.refused(ctx, a, "staff", importFileError(err))
	}
	for _, row := range rows {
		restoreExported(row.Values)
	}
	schools := map[string]int64{}
	canManage := map[int64]bool{}
	var res ImportResult
	var elsewhere []int64 // records outside the actor's scope whose ID numbers the file repeats
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		seen := map[string]int{}
		elsewhere = elsewhere[:0]
		for _, row := range rows {
			v := row.Values
			in := StaffInput{StaffNo: v["staff_no"], Name: v["name"], Gender: codeOf(genderLabels, v["gender"]), IDCard: strings.ToUpper(strings.TrimSpace(v["id_card"])),
				Phone: v["phone"], Post: codeOf(postLabels, v["post"]), Subject: v["subject"], Stage: codeOf(stageLabels, v["stage"]), Title: v["title"],
				Honours: v["honours"], Education: codeOf(eduLabels, v["education"]), Status: codeOf(statusLabels, v["status"])}
			if d := v["hire_date"]; d != "" {
				hd, err := store.ParseDate(d)
				if err != nil {
					problems = append(problems, xlsx.RowError{Line: row.Line, Field: "hire_date", Key: "import.date"})
				}
				in.HireDate = hd
			}
			code := strings.TrimSpace(v["school_code"])
			if _, ok := schools[code]; !ok {
				var id int64
				if err := tx.QueryRowContext(ctx, `SELECT id FROM schools WHERE code = $1`, code).Scan(&id); err != nil && err != sql.ErrNoRows {
					return err
				}
				schools[code] = id
				if id != 0 {
					ok, err := s.schoolCan(ctx, a, auth.PermStaffManage, id)
					if err != nil {
						return err
					}
					canManage[id] = ok
				}
			}
			in.SchoolID = schools[code]
			if in.SchoolID == 0 || !canManage[in.SchoolID] {
				problems = append(problems, xlsx.RowError{Line: row.Line, Field: "school_code", Key: "registry.school_not_managed"})
				continue
			}
			if prev, dup := seen[in.IDCard]; dup && in.IDCard != "" {
				problems = append(problems, xlsx.RowError{Line: row.Line, Field: "id_card", Key: "import.duplicate_row", Args: map[string]any{"line": prev}})
				continue
			}
			seen[in.IDCard] = row.Line
			if err := validateStaff(&in); err != nil {
				p, err := rowProblems(row.Line, err)
				if err != nil {
					return err
				}
				problems = append(problems, p...)
				continue
			}
			var id int64
			var no string
			var school int64
			err := tx.QueryRowContext(ctx, `SELECT id, staff_no, school_id FROM staff WHERE id_card = $1`, in.IDCard).Scan(&id, &no, &school)
			switch {
			case err == sql.ErrNoRows:
				if _, err := s.insertStaff(ctx, tx, a, in); err != nil {
					elsewhere = append(elsewhere, elsewhereHits(err)...)
					p, err := rowProblems(row.Line, err)
					if err != nil {
						return err
					}
					problems = append(problems, p...)
					continue
				}
				res.Created++
			case err != nil:
				return err
			case no == in.StaffNo && school == in.SchoolID:
				// The same person again: idempotent, nothing to write.
			default:
				dup := s.duplicateID(ctx, tx, a, in.IDCard, 0)
				elsewhere = append(elsewhere, elsewhereHits(dup)...)
				p, err := rowProblems(row.Line, dup)
				if err != nil {
					return err
				}
				problems = append(problems, p...)
			}
		}
		if len(problems) > 0 {
			return &ImportError{Rows: problems}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staff.import", ObjectType: "staff", Detail: map[string]any{"rows": len(rows), "created": res.Created}})
	})
	if aerr := s.auditElsewhere(ctx, a, "import", elsewhere); aerr != nil {
		return res, aerr
	}
	if err == nil {
		s.analyzeAfter(ctx, res, "staff")
	}
	return res, s.refused(ctx, a, "staff", err)
}

// refused records a refused import (the rolled-back transaction took its
// audit record with it) and passes the error on.
func (s *Service) refused(ctx context.Context, a auth.Actor, what string, err error) error {
	if err == nil {
		return nil
	}
	var ie *ImportError
	problems := 0
	if errors.As(err, &ie) {
		problems = len(ie.Rows)
	} else if _, ok := errs.As(err); !ok {
		return err
	}
	if rerr := s.log.Record(ctx, a.Who(), audit.Entry{Action: what + ".import", ObjectType: what, Outcome: audit.Failed,
		Detail: map[string]any{"problems": problems}}); rerr != nil {
		return rerr
	}
	return err
}

// importFileError names what is wrong with the file as a whole.
func importFileError(err error) error {
	switch {
	case errors.Is(err, xlsx.ErrNotXLSX):
		return errs.FieldError("file", "import.not_xlsx", nil)
	case errors.Is(err, xlsx.ErrTooLarge):
		return errs.FieldError("file", "import.too_large", errs.Args{"mb": importLimits.MaxBytes >> 20})
	case errors.Is(err, xlsx.ErrTooManyRows):
		return errs.FieldError("file", "import.too_many_rows", errs.Args{"max": importLimits.MaxRows})
	}
	return err
}
