package curriculum

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/xlsx"
)

// Lesson is one cell of a timetable: a class's subject and teacher at a
// weekday (1 = Monday) and period.
type Lesson struct {
	Class   string `json:"class"`
	Grade   int    `json:"grade"`
	Weekday int    `json:"weekday"`
	Period  int    `json:"period"`
	Subject string `json:"subject"`
	StaffID int64  `json:"staff_id"`
	Teacher string `json:"teacher"`
}

// Version is one published timetable of a school for a term. Each publish
// is a new version; the one in force on a day is the newest published on
// or before it, so a timetable changed mid-term (a 阴阳课表) stays visible.
type Version struct {
	ID          int64      `json:"id"`
	SchoolID    int64      `json:"school_id"`
	SchoolName  string     `json:"school_name"`
	Term        string     `json:"term"`
	Seq         int        `json:"seq"`
	Source      string     `json:"source" enum:"import,grid"`
	Note        string     `json:"note"`
	Lessons     int        `json:"lessons"`
	PublishedOn store.Date `json:"published_on"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Timetable is a school's timetable for a term: the version shown (in
// force today unless another was asked for), its lessons, every version,
// the deadline and what the caller may do.
type Timetable struct {
	SchoolID   int64      `json:"school_id"`
	SchoolName string     `json:"school_name"`
	Term       string     `json:"term"`
	Version    *Version   `json:"version"`
	Items      []Lesson   `json:"items"`
	Versions   []Version  `json:"versions"`
	DueOn      store.Date `json:"due_on"`
	Late       bool       `json:"late"`
	MaxPeriods int        `json:"max_periods"`
	Weekdays   int        `json:"weekdays"`
	Subjects   []string   `json:"subjects"`
	Teachers   []Teacher  `json:"teachers"`
	CanEdit    bool       `json:"can_edit"`
}

// Teacher is a registry staff member of the school a timetable may name.
type Teacher struct {
	StaffID int64  `json:"staff_id"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
}

const selectVersion = `SELECT t.id, t.school_id, s.name, t.term, t.seq, t.source, t.note, t.lessons, t.published_on, COALESCE(u.display_name, ''), t.created_at
	FROM timetables t JOIN schools s ON s.id = t.school_id LEFT JOIN users u ON u.id = t.created_by`

func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	err := row.Scan(&v.ID, &v.SchoolID, &v.SchoolName, &v.Term, &v.Seq, &v.Source, &v.Note, &v.Lessons, &v.PublishedOn, &v.CreatedBy, &v.CreatedAt)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, err
}

func queryVersions(ctx context.Context, q store.Reader, sqlText string, args ...any) ([]Version, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inForce is the id of the version of a school's timetable for the term in
// force on a day (0 when none was published by then).
func inForce(ctx context.Context, q store.Reader, schoolID int64, term string, on store.Date) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM timetables WHERE school_id = $1 AND term = $2 AND published_on <= $3 ORDER BY seq DESC LIMIT 1`,
		schoolID, term, on).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func lessonsOf(ctx context.Context, q store.Reader, timetableID int64) ([]Lesson, error) {
	rows, err := q.QueryContext(ctx, `SELECT class_name, grade, weekday, period, subject, COALESCE(staff_id, 0), teacher FROM timetable_lessons
		WHERE timetable_id = $1 ORDER BY grade, class_name, weekday, period`, timetableID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Lesson{}
	for rows.Next() {
		var l Lesson
		if err := rows.Scan(&l.Class, &l.Grade, &l.Weekday, &l.Period, &l.Subject, &l.StaffID, &l.Teacher); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func schoolName(ctx context.Context, q store.Reader, id int64) (string, error) {
	var n string
	err := q.QueryRowContext(ctx, `SELECT name FROM schools WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.NotFoundError("school")
	}
	return n, err
}

// TimetableQuery picks the version: seq, or the one in force on a day
// (today when both are empty).
type TimetableQuery struct {
	Term string
	Seq  int
	On   store.Date
}

// Timetable reads a school's timetable for a term.
func (s *Service) Timetable(ctx context.Context, a auth.Actor, schoolID int64, tq TimetableQuery) (Timetable, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return Timetable{}, errs.ForbiddenError()
	}
	if tq.Term == "" {
		tq.Term = TermOf(s.Today())
	}
	if !ValidTerm(tq.Term) {
		return Timetable{}, errs.FieldError("term", "curriculum.term", nil)
	}
	ok, err := reaches(ctx, s.st.R, a, auth.PermCurriculumRead, schoolID)
	if err != nil {
		return Timetable{}, err
	}
	if !ok {
		return Timetable{}, errs.NotFoundError("school")
	}
	cfg, err := s.settings(ctx)
	if err != nil {
		return Timetable{}, err
	}
	plan, err := s.planInForce(ctx, s.st.R)
	if err != nil {
		return Timetable{}, err
	}
	t := Timetable{SchoolID: schoolID, Term: tq.Term, Items: []Lesson{}, MaxPeriods: cfg.MaxPeriods, Weekdays: cfg.Weekdays,
		DueOn: store.Date{Time: TermStart(cfg, tq.Term).AddDate(0, 0, cfg.PublishDays)}}
	for _, sub := range plan.Subjects {
		t.Subjects = append(t.Subjects, sub.Name)
	}
	if t.SchoolName, err = schoolName(ctx, s.st.R, schoolID); err != nil {
		return t, err
	}
	t.CanEdit, err = reaches(ctx, s.st.R, a, auth.PermTimetableManage, schoolID)
	if err != nil {
		return t, err
	}
	if t.Teachers, err = teachersOf(ctx, s.st.R, schoolID); err != nil {
		return t, err
	}
	if t.Versions, err = queryVersions(ctx, s.st.R, selectVersion+` WHERE t.school_id = $1 AND t.term = $2 ORDER BY t.seq DESC`, schoolID, tq.Term); err != nil {
		return t, err
	}
	var id int64
	if tq.Seq > 0 {
		for _, v := range t.Versions {
			if v.Seq == tq.Seq {
				id = v.ID
			}
		}
		if id == 0 {
			return t, errs.NotFoundError("timetable")
		}
	} else {
		on := tq.On
		if on.IsZero() {
			on = s.Today()
		}
		if id, err = inForce(ctx, s.st.R, schoolID, tq.Term, on); err != nil {
			return t, err
		}
	}
	for i := range t.Versions {
		if t.Versions[i].ID == id {
			v := t.Versions[i]
			t.Version = &v
		}
	}
	if len(t.Versions) > 0 {
		first := t.Versions[len(t.Versions)-1]
		t.Late = first.PublishedOn.After(t.DueOn.Time)
	} else {
		t.Late = s.Today().After(t.DueOn.Time)
	}
	if id != 0 {
		t.Items, err = lessonsOf(ctx, s.st.R, id)
	}
	return t, err
}

func teachersOf(ctx context.Context, q store.Reader, schoolID int64) ([]Teacher, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, subject FROM staff WHERE school_id = $1 AND status = 'active' ORDER BY name, id`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Teacher{}
	for rows.Next() {
		var t Teacher
		if err := rows.Scan(&t.StaffID, &t.Name, &t.Subject); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// problem is one bad lesson: its index, the field and the message.
type problem struct {
	index int
	field string
	key   string
	args  errs.Args
}

// The rules a timetable is refused by.
const (
	RuleTeacherUnknown   = "curriculum.teacher_unknown"
	RuleTeacherAmbiguous = "curriculum.teacher_ambiguous"
	RuleTeacherDouble    = "curriculum.teacher_double"
	RuleSlotDouble       = "curriculum.slot_double"
	RulePeriodRange      = "curriculum.period_range"
	RuleWeekdayRange     = "curriculum.weekday_range"
	RuleGradeRange       = "curriculum.grade_range"
	RuleClassGrade       = "curriculum.class_grade"
	RuleSubjectUnknown   = "curriculum.subject_unknown"
)

// checkLessons validates lessons for a school and resolves the teachers'
// names to the registry's staff of that school: unknown or ambiguous
// names, a teacher in two classes at once, a class twice in one slot, a
// weekday or period out of range, a grade outside 1–9 or changing within a
// class, a subject not in the plan.
func checkLessons(ls []Lesson, teachers []Teacher, plan Plan, cfg policy.Curriculum) []problem {
	var out []problem
	byName := map[string][]Teacher{}
	byID := map[int64]Teacher{}
	for _, t := range teachers {
		byName[t.Name] = append(byName[t.Name], t)
		byID[t.StaffID] = t
	}
	type slot struct {
		a     string
		d, pe int
	}
	type tslot struct {
		id    int64
		d, pe int
	}
	classSlots := map[slot]int{}
	teacherSlots := map[tslot]int{}
	classGrade := map[string]int{}
	for i := range ls {
		l := &ls[i]
		l.Class, l.Subject, l.Teacher = strings.TrimSpace(l.Class), strings.TrimSpace(l.Subject), strings.TrimSpace(l.Teacher)
		bad := false
		add := func(field, key string, args errs.Args) {
			out = append(out, problem{i, field, key, args})
			bad = true
		}
		if l.Class == "" || len([]rune(l.Class)) > 40 {
			add("class", "field.required_max", errs.Args{"max": 40})
		}
		if l.Grade < 1 || l.Grade > Grades {
			add("grade", RuleGradeRange, errs.Args{"max": Grades})
		} else if g, ok := classGrade[l.Class]; ok && g != l.Grade {
			add("grade", RuleClassGrade, errs.Args{"class": l.Class, "grade": g})
		} else {
			classGrade[l.Class] = l.Grade
		}
		if l.Weekday < 1 || l.Weekday > cfg.Weekdays {
			add("weekday", RuleWeekdayRange, errs.Args{"max": cfg.Weekdays})
		}
		if l.Period < 1 || l.Period > cfg.MaxPeriods {
			add("period", RulePeriodRange, errs.Args{"period": l.Period, "max": cfg.MaxPeriods})
		}
		if _, ok := plan.SubjectByName(l.Subject); !ok {
			add("subject", RuleSubjectUnknown, errs.Args{"subject": l.Subject})
		}
		switch {
		case l.StaffID != 0:
			t, ok := byID[l.StaffID]
			if !ok {
				add("teacher", RuleTeacherUnknown, errs.Args{"name": l.Teacher})
			} else {
				l.Teacher = t.Name
			}
		case l.Teacher == "":
			add("teacher", "field.required", nil)
		default:
			switch c := byName[l.Teacher]; len(c) {
			case 0:
				add("teacher", RuleTeacherUnknown, errs.Args{"name": l.Teacher})
			case 1:
				l.StaffID = c[0].StaffID
			default:
				add("teacher", RuleTeacherAmbiguous, errs.Args{"name": l.Teacher, "count": len(c)})
			}
		}
		if bad {
			continue
		}
		k := slot{l.Class, l.Weekday, l.Period}
		if j, dup := classSlots[k]; dup {
			out = append(out, problem{i, "period", RuleSlotDouble, errs.Args{"class": l.Class, "row": j + 1}})
			continue
		}
		classSlots[k] = i
		tk := tslot{l.StaffID, l.Weekday, l.Period}
		if j, dup := teacherSlots[tk]; dup {
			out = append(out, problem{i, "teacher", RuleTeacherDouble, errs.Args{"name": l.Teacher, "class": ls[j].Class, "weekday": l.Weekday, "period": l.Period, "row": j + 1}})
			continue
		}
		teacherSlots[tk] = i
	}
	return out
}

// GridInput is a timetable edited in the grid and published; BaseSeq is the
// version the editor started from (409 when another was published since).
type GridInput struct {
	Term    string   `json:"term"`
	BaseSeq int      `json:"base_seq"`
	Note    string   `json:"note"`
	Lessons []Lesson `json:"lessons"`
}

// Publish publishes a timetable edited in the grid as the school's next
// version for the term.
func (s *Service) Publish(ctx context.Context, a auth.Actor, schoolID int64, in GridInput) (Timetable, error) {
	err := s.publish(ctx, a, schoolID, in, "grid", func(ps []problem) error {
		var f errs.Fields
		for _, p := range ps {
			f.Add("lessons["+strconv.Itoa(p.index)+"]."+p.field, p.key, p.args)
		}
		return f.Err()
	})
	if err != nil {
		return Timetable{}, err
	}
	return s.Timetable(ctx, a, schoolID, TimetableQuery{Term: in.Term})
}

func (s *Service) publish(ctx context.Context, a auth.Actor, schoolID int64, in GridInput, source string, refuse func([]problem) error) error {
	if !a.Has(auth.PermTimetableManage) {
		return errs.ForbiddenError()
	}
	in.Term, in.Note = strings.TrimSpace(in.Term), strings.TrimSpace(in.Note)
	if !ValidTerm(in.Term) {
		return errs.FieldError("term", "curriculum.term", nil)
	}
	if len([]rune(in.Note)) > 500 {
		return errs.FieldError("note", "field.max", errs.Args{"max": 500})
	}
	if len(in.Lessons) == 0 {
		return errs.FieldError("lessons", "curriculum.no_lessons", nil)
	}
	if len(in.Lessons) > 5000 {
		return errs.FieldError("lessons", "field.max", errs.Args{"max": 5000})
	}
	cfg, err := s.settings(ctx)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := reaches(ctx, tx, a, auth.PermTimetableManage, schoolID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFoundError("school")
		}
		plan, err := s.planInForce(ctx, tx)
		if err != nil {
			return err
		}
		teachers, err := teachersOf(ctx, tx, schoolID)
		if err != nil {
			return err
		}
		if ps := checkLessons(in.Lessons, teachers, plan, cfg); len(ps) > 0 {
			return refuse(ps)
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM timetables WHERE school_id = $1 AND term = $2`, schoolID, in.Term).Scan(&seq); err != nil {
			return err
		}
		if source == "grid" && seq != in.BaseSeq {
			return errs.ConflictError("error.stale_version", nil)
		}
		var id int64
		today := s.Today()
		if err := tx.QueryRowContext(ctx, `INSERT INTO timetables (school_id, term, seq, source, note, lessons, published_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, schoolID, in.Term, seq+1, source, in.Note, len(in.Lessons), today,
			nullID(a.UserID), store.Now()).Scan(&id); err != nil {
			return err
		}
		for _, l := range in.Lessons {
			if _, err := tx.ExecContext(ctx, `INSERT INTO timetable_lessons (timetable_id, class_name, grade, weekday, period, subject, staff_id, teacher)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, l.Class, l.Grade, l.Weekday, l.Period, l.Subject, nullID(l.StaffID), l.Teacher); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "timetable.publish", ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
			Detail: map[string]any{"term": in.Term, "seq": seq + 1, "source": source, "lessons": len(in.Lessons), "published_on": today.String()}})
	})
}

// TemplateColumns are the timetable import's columns: one row per lesson.
func TemplateColumns(t func(string) string) []xlsx.Column {
	return []xlsx.Column{
		{Key: "class", Header: t("curriculum.col.class"), Aliases: []string{"class"}, Required: true, Example: "三年级(1)班", Help: t("curriculum.help.class")},
		{Key: "grade", Header: t("curriculum.col.grade"), Aliases: []string{"grade"}, Required: true, Example: "3", Help: t("curriculum.help.grade")},
		{Key: "weekday", Header: t("curriculum.col.weekday"), Aliases: []string{"weekday"}, Required: true, Example: "1", Help: t("curriculum.help.weekday")},
		{Key: "period", Header: t("curriculum.col.period"), Aliases: []string{"period"}, Required: true, Example: "1", Help: t("curriculum.help.period")},
		{Key: "subject", Header: t("curriculum.col.subject"), Aliases: []string{"subject"}, Required: true, Example: "语文", Help: t("curriculum.help.subject")},
		{Key: "teacher", Header: t("curriculum.col.teacher"), Aliases: []string{"teacher"}, Required: true, Example: "张老师", Help: t("curriculum.help.teacher")},
	}
}

// ImportError lists every problem of a refused timetable file by row and
// column.
type ImportError struct{ Rows []xlsx.RowError }

func (e *ImportError) Error() string {
	return "timetable refused: " + strconv.Itoa(len(e.Rows)) + " problems"
}

// weekdayNames reads 星期 as a number, 一…日 or 周一 / 星期一.
var weekdayNames = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}

func parseWeekday(v string) (int, bool) {
	v = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "星期"), "周")
	if n, ok := weekdayNames[v]; ok {
		return n, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// Import publishes a timetable from an Excel file (one row per lesson: 班级,
// 年级, 星期, 节次, 学科, 教师; .xlsx, or the same columns saved as CSV): every row is checked, and only a file
// without any problem becomes the school's next version.
func (s *Service) Import(ctx context.Context, a auth.Actor, schoolID int64, term string, r io.Reader, t func(string) string) (Version, error) {
	if !a.Has(auth.PermTimetableManage) {
		return Version{}, errs.ForbiddenError()
	}
	data, err := io.ReadAll(io.LimitReader(r, 5<<20+1))
	if err != nil {
		return Version{}, err
	}
	var rows []xlsx.Row
	var problems []xlsx.RowError
	if bytes.HasPrefix(data, []byte("PK")) {
		rows, problems, err = xlsx.ReadTable(bytes.NewReader(data), TemplateColumns(t), xlsx.Limits{MaxBytes: 5 << 20, MaxRows: 5000})
	} else {
		rows, problems, err = readCSV(data, TemplateColumns(t))
	}
	if err != nil {
		return Version{}, errs.FieldError("file", "curriculum.file", errs.Args{"error": err.Error()})
	}
	in := GridInput{Term: term, Note: ""}
	lines := make([]int, 0, len(rows))
	for _, row := range rows {
		v := row.Values
		l := Lesson{Class: v["class"], Subject: v["subject"], Teacher: v["teacher"]}
		num := func(field string) int {
			n, err := strconv.Atoi(strings.TrimSpace(v[field]))
			if err != nil {
				problems = append(problems, xlsx.RowError{Line: row.Line, Field: field, Key: "import.integer"})
			}
			return n
		}
		l.Grade, l.Period = num("grade"), num("period")
		wd, ok := parseWeekday(v["weekday"])
		if !ok {
			problems = append(problems, xlsx.RowError{Line: row.Line, Field: "weekday", Key: RuleWeekdayRange, Args: map[string]any{"max": 5}})
		}
		l.Weekday = wd
		in.Lessons = append(in.Lessons, l)
		lines = append(lines, row.Line)
	}
	if len(problems) > 0 {
		return Version{}, &ImportError{Rows: problems}
	}
	if len(in.Lessons) == 0 {
		return Version{}, errs.FieldError("file", "curriculum.no_lessons", nil)
	}
	err = s.publish(ctx, a, schoolID, in, "import", func(ps []problem) error {
		out := make([]xlsx.RowError, 0, len(ps))
		for _, p := range ps {
			args := map[string]any(p.args)
			if j, ok := args["row"].(int); ok {
				args["row"] = lines[j-1]
			}
			out = append(out, xlsx.RowError{Line: lines[p.index], Field: p.field, Key: p.key, Args: args})
		}
		return &ImportError{Rows: out}
	})
	if err != nil {
		return Version{}, err
	}
	vs, err := queryVersions(ctx, s.st.R, selectVersion+` WHERE t.school_id = $1 AND t.term = $2 ORDER BY t.seq DESC LIMIT 1`, schoolID, term)
	if err != nil || len(vs) == 0 {
		return Version{}, err
	}
	return vs[0], nil
}

// readCSV reads a timetable saved as CSV (UTF-8, with or without a BOM):
// the header row names the columns as the template does, in any order.
func readCSV(data []byte, cols []xlsx.Column) ([]xlsx.Row, []xlsx.RowError, error) {
	if len(data) > 5<<20 {
		return nil, nil, xlsx.ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, nil
	}
	at := map[string]int{}
	for i, h := range recs[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, c := range cols {
			if h == strings.ToLower(c.Header) || slices.ContainsFunc(c.Aliases, func(a string) bool { return strings.ToLower(a) == h }) {
				at[c.Key] = i
			}
		}
	}
	var problems []xlsx.RowError
	for _, c := range cols {
		if _, ok := at[c.Key]; !ok && c.Required {
			problems = append(problems, xlsx.RowError{Line: 0, Field: c.Key, Key: "import.missing_column", Args: map[string]any{"header": c.Header}})
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	var out []xlsx.Row
	for n, rec := range recs[1:] {
		v := map[string]string{}
		empty := true
		for _, c := range cols {
			if i := at[c.Key]; i < len(rec) {
				v[c.Key] = strings.TrimSpace(rec[i])
				empty = empty && v[c.Key] == ""
			}
		}
		if !empty {
			out = append(out, xlsx.Row{Line: n + 2, Values: v})
		}
	}
	if len(out) > 5000 {
		return nil, nil, xlsx.ErrTooManyRows
	}
	return out, nil, nil
}

// TimetableRow is one school in the list of timetables for a term.
type TimetableRow struct {
	SchoolID    int64       `json:"school_id"`
	SchoolName  string      `json:"school_name"`
	Township    string      `json:"township"`
	Stage       string      `json:"stage"`
	Versions    int         `json:"versions"`
	Lessons     int         `json:"lessons"`
	FirstOn     *store.Date `json:"first_on"`
	LastOn      *store.Date `json:"last_on"`
	Late        bool        `json:"late"`
	Unpublished bool        `json:"unpublished"`
}

// ListFilter narrows the list of schools' timetables.
type ListFilter struct {
	Term    string
	GroupID int64
	Q       string
	Status  string // published, unpublished, late
	Sort    string // name, versions, last_on
	// Kindergartens lists the kindergartens (their daily schedules) instead
	// of the schools with timetables.
	Kindergartens bool
	Desc          bool
	Page          int
	Size          int
	schoolIn      []int64
}

// List is the schools in scope with their timetables for the term.
func (s *Service) List(ctx context.Context, a auth.Actor, f ListFilter) ([]TimetableRow, int, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return nil, 0, errs.ForbiddenError()
	}
	if f.Term == "" {
		f.Term = TermOf(s.Today())
	}
	if !ValidTerm(f.Term) {
		return nil, 0, errs.FieldError("term", "curriculum.term", nil)
	}
	cfg, err := s.settings(ctx)
	if err != nil {
		return nil, 0, err
	}
	due := store.Date{Time: TermStart(cfg, f.Term).AddDate(0, 0, cfg.PublishDays)}
	var w store.Where
	w.Add("s.status = 'active'")
	if f.Kindergartens {
		w.Add("s.stage = 'preschool'")
	} else {
		w.Add("s.stage <> 'preschool'")
	}
	schoolScope(&w, a, auth.PermCurriculumRead, "s.id")
	if f.GroupID != 0 {
		w.Add("s.id IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id = ?)", f.GroupID)
	}
	if len(f.schoolIn) > 0 {
		w.Add("s.id IN " + w.In(f.schoolIn))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add("s.name LIKE ? ESCAPE '\\'", store.Contains(q))
	}
	term := w.Arg(f.Term)
	versions := `SELECT t.school_id, t.id, t.lessons, t.published_on FROM timetables t WHERE t.term = ` + term
	if f.Kindergartens {
		versions = `SELECT k.school_id, k.id, 0 AS lessons, k.published_on FROM kindergarten_days k WHERE k.term = ` + term
	}
	q := `SELECT s.id, s.name, tw.name, s.stage, COUNT(t.id), COALESCE(MAX(t.lessons), 0), MIN(t.published_on), MAX(t.published_on)
		FROM schools s JOIN townships tw ON tw.id = s.township_id LEFT JOIN (` + versions + `) t ON t.school_id = s.id` +
		w.SQL() + ` GROUP BY s.id, s.name, tw.name, s.stage`
	rows, err := s.st.R.QueryContext(ctx, q, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	all := []TimetableRow{}
	for rows.Next() {
		var r TimetableRow
		var first, last store.Date
		if err := rows.Scan(&r.SchoolID, &r.SchoolName, &r.Township, &r.Stage, &r.Versions, &r.Lessons, &first, &last); err != nil {
			return nil, 0, err
		}
		if !first.IsZero() {
			r.FirstOn, r.LastOn = &first, &last
			r.Late = first.After(due.Time)
		}
		r.Unpublished = r.Versions == 0
		if r.Unpublished && s.Today().After(due.Time) {
			r.Late = true
		}
		switch f.Status {
		case "published":
			if r.Unpublished {
				continue
			}
		case "unpublished":
			if !r.Unpublished {
				continue
			}
		case "late":
			if !r.Late {
				continue
			}
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		x, y := all[i], all[j]
		less := x.SchoolName < y.SchoolName
		switch f.Sort {
		case "versions":
			less = x.Versions < y.Versions
		case "last_on":
			less = x.LastOn != nil && (y.LastOn == nil || x.LastOn.Before(y.LastOn.Time))
		}
		if f.Desc {
			return !less
		}
		return less
	})
	total := len(all)
	if f.Size > 0 {
		from := min((f.Page-1)*f.Size, total)
		all = all[from:min(from+f.Size, total)]
	}
	return all, total, nil
}

// SlotLesson is one lesson a published timetable holds at a weekday and period.
type SlotLesson struct {
	SchoolID int64  `json:"school_id"`
	Class    string `json:"class"`
	StaffID  int64  `json:"staff_id"`
	Teacher  string `json:"teacher"`
	Subject  string `json:"subject"`
	Weekday  int    `json:"weekday"` // 1 = Monday
	Period   int    `json:"period"`
}

// SlotLessons returns the lessons the timetables in force (published, for the term) of these schools
// hold at the weekday and periods, and the set of those schools that have a published timetable for the term.
func (s *Service) SlotLessons(ctx context.Context, term string, schoolIDs []int64, weekday int, periods []int) ([]SlotLesson, map[int64]bool, error) {
	out := []SlotLesson{}
	have := map[int64]bool{}
	want := map[int]bool{}
	for _, p := range periods {
		want[p] = true
	}
	today := s.Today()
	for _, sid := range schoolIDs {
		id, err := inForce(ctx, s.st.R, sid, term, today)
		if err != nil {
			return nil, nil, err
		}
		if id == 0 {
			continue
		}
		have[sid] = true
		rows, err := s.st.R.QueryContext(ctx, `SELECT class_name, COALESCE(staff_id, 0), teacher, subject, weekday, period FROM timetable_lessons
			WHERE timetable_id = $1 AND weekday = $2 ORDER BY period, class_name`, id, weekday)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			l := SlotLesson{SchoolID: sid}
			if err := rows.Scan(&l.Class, &l.StaffID, &l.Teacher, &l.Subject, &l.Weekday, &l.Period); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if want[l.Period] {
				out = append(out, l)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return out, have, nil
}
