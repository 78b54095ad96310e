// Package exams keeps joint exams (联考) and serves their analysis: the exam
// and its setup, the scores in one part per school, the 任课表, and the
// reports of exams/analysis narrowed to what each viewer may see.
package exams

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/store"
)

// Service keeps exams and caches their analysis.
type Service struct {
	st  *store.Store
	log *audit.Log
	// MaxUpload bounds one uploaded score file (DefaultMaxUpload); set it
	// before the routes are registered.
	MaxUpload int64

	mu     sync.Mutex
	cache  map[int64]*cached // exam id → analysis of one data version
	order  []int64           // least recently used first
	flight map[flightKey]*flight
}

// cacheSize bounds the analyses kept in memory; a county compares three or
// four exams at a time.
const cacheSize = 6

// NewService wires the exams capability.
func NewService(st *store.Store, log *audit.Log) *Service {
	return &Service{st: st, log: log, MaxUpload: DefaultMaxUpload, cache: map[int64]*cached{}, flight: map[flightKey]*flight{}}
}

// Exam is a joint exam and its setup.
type Exam struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Term        string        `json:"term"` // 学期, e.g. 2025-2026-1
	HeldOn      store.Date    `json:"held_on" openapi:"notnull"`
	Stage       string        `json:"stage"`
	GroupID     int64         `json:"group_id"` // 0: a county exam
	GroupName   string        `json:"group_name"`
	Spec        analysis.Exam `json:"spec"` // subjects, full marks, lines, settings
	Students    int           `json:"students"`
	Schools     int           `json:"schools"`
	DataVersion int           `json:"data_version"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Version     int           `json:"version"`
}

// Part is one school's share of the scores.
type Part struct {
	SchoolID   int64     `json:"school_id"`
	SchoolCode string    `json:"school_code"`
	SchoolName string    `json:"school_name"`
	Students   int       `json:"students"`
	FileName   string    `json:"file_name"`
	ImportedBy string    `json:"imported_by"`
	ImportedAt time.Time `json:"imported_at"`
}

// Detail is an exam with its parts and what the viewer may do.
type Detail struct {
	Exam
	Parts     []Part `json:"parts"`
	CanManage bool   `json:"can_manage"`
}

// Input sets up an exam.
type Input struct {
	Name    string        `json:"name"`
	Term    string        `json:"term"`
	HeldOn  store.Date    `json:"held_on"`
	Stage   string        `json:"stage"`
	GroupID int64         `json:"group_id"`
	Spec    analysis.Exam `json:"spec"`
	Version int           `json:"version"`
}

const selectExam = `SELECT x.id, x.name, x.term, x.held_on, x.stage, COALESCE(x.group_id, 0), COALESCE(g.name, ''), x.spec, x.students, x.schools,
	x.data_version, COALESCE(u.display_name, ''), x.created_at, x.updated_at, x.version
	FROM exams x LEFT JOIN edu_groups g ON g.id = x.group_id LEFT JOIN users u ON u.id = x.created_by`

func scanExam(row interface{ Scan(...any) error }) (Exam, error) {
	var x Exam
	var spec string
	err := row.Scan(&x.ID, &x.Name, &x.Term, &x.HeldOn, &x.Stage, &x.GroupID, &x.GroupName, &spec, &x.Students, &x.Schools,
		&x.DataVersion, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt, &x.Version)
	if err != nil {
		return x, err
	}
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	x.Spec.Settings = analysis.DefaultSettings()
	if err := json.Unmarshal([]byte(spec), &x.Spec); err != nil {
		return x, err
	}
	x.Spec.Name = x.Name
	return x, nil
}

// view is what part of an exam's results an actor sees.
type view struct {
	all      bool
	groups   map[int64]bool // group grants: the group's schools and its group row
	schools  map[int64]bool // school grants: the school
	staffID  int64          // a teacher: the classes they teach
	schoolOf int64          // the teacher's school
	// Importers below the county also open the exams they may import their
	// part into before it is there: county exams, and a school's the exams
	// of the groups it belongs to (importSchools).
	importer      bool
	importSchools []int64
}

func (s *Service) viewOf(ctx context.Context, a auth.Actor) (view, error) {
	v := view{groups: map[int64]bool{}, schools: map[int64]bool{}}
	r := a.Reach(auth.PermExamsRead)
	if r.County {
		v.all = true
		return v, nil
	}
	for _, g := range r.Groups {
		v.groups[g] = true
	}
	for _, sc := range r.Schools {
		v.schools[sc] = true
	}
	if m := a.Reach(auth.PermExamsManage); len(m.Groups) > 0 || len(m.Schools) > 0 {
		v.importer = true
		v.importSchools = m.Schools
	}
	if r.Self != 0 {
		v.staffID = r.Self
		if err := s.st.R.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, r.Self).Scan(&v.schoolOf); err != nil {
			return v, err
		}
	}
	return v, nil
}

// visible narrows exams x to those the actor may open: every exam for the
// county; a group's own exams and those with a part from its schools; the
// exams with a part from the actor's school (or the teacher's school); and
// to an importer below the county the exams it may bring its part to.
func (v view) visible(w *store.Where) {
	if v.all {
		return
	}
	var alts []string
	for g := range v.groups {
		p := w.Arg(g)
		alts = append(alts, "x.group_id = "+p, "EXISTS (SELECT 1 FROM exam_parts p JOIN group_members m ON m.school_id = p.school_id AND m.left_on IS NULL WHERE p.exam_id = x.id AND m.group_id = "+p+")")
	}
	for sc := range v.schools {
		alts = append(alts, "EXISTS (SELECT 1 FROM exam_parts p WHERE p.exam_id = x.id AND p.school_id = "+w.Arg(sc)+")")
	}
	if v.importer {
		alts = append(alts, "x.group_id IS NULL")
	}
	for _, sc := range v.importSchools {
		alts = append(alts, "x.group_id IN (SELECT m.group_id FROM group_members m WHERE m.school_id = "+w.Arg(sc)+" AND m.left_on IS NULL)")
	}
	if v.schoolOf != 0 {
		alts = append(alts, "EXISTS (SELECT 1 FROM exam_parts p WHERE p.exam_id = x.id AND p.school_id = "+w.Arg(v.schoolOf)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// List is the exams the actor may open, newest first.
func (s *Service) List(ctx context.Context, a auth.Actor, groupID int64) ([]Exam, error) {
	if !a.Has(auth.PermExamsRead) {
		return nil, errs.ForbiddenError()
	}
	v, err := s.viewOf(ctx, a)
	if err != nil {
		return nil, err
	}
	var w store.Where
	v.visible(&w)
	if groupID != 0 {
		w.Add("(x.group_id = ? OR EXISTS (SELECT 1 FROM exam_parts p JOIN group_members m ON m.school_id = p.school_id AND m.left_on IS NULL WHERE p.exam_id = x.id AND m.group_id = ?))", groupID, groupID)
	}
	rows, err := s.st.R.QueryContext(ctx, selectExam+w.SQL()+` ORDER BY x.held_on DESC, x.id DESC LIMIT 500`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Exam{}
	for rows.Next() {
		x, err := scanExam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func (s *Service) get(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, a auth.Actor, id int64) (Exam, view, error) {
	if !a.Has(auth.PermExamsRead) {
		return Exam{}, view{}, errs.ForbiddenError()
	}
	v, err := s.viewOf(ctx, a)
	if err != nil {
		return Exam{}, v, err
	}
	var w store.Where
	w.Add("x.id = ?", id)
	v.visible(&w)
	x, err := scanExam(q.QueryRowContext(ctx, selectExam+w.SQL(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return x, v, errs.NotFoundError("exam")
	}
	return x, v, err
}

// Get reads one exam with its parts.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Detail, error) {
	x, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Exam: x, Parts: []Part{}, CanManage: canManage(a, x)}
	rows, err := s.st.R.QueryContext(ctx, `SELECT p.school_id, s.code, s.name, p.students, p.file_name, COALESCE(u.display_name, ''), p.imported_at
		FROM exam_parts p JOIN schools s ON s.id = p.school_id LEFT JOIN users u ON u.id = p.imported_by WHERE p.exam_id = $1 ORDER BY s.code`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Part
		if err := rows.Scan(&p.SchoolID, &p.SchoolCode, &p.SchoolName, &p.Students, &p.FileName, &p.ImportedBy, &p.ImportedAt); err != nil {
			return d, err
		}
		p.ImportedAt = p.ImportedAt.UTC()
		d.Parts = append(d.Parts, p)
	}
	return d, rows.Err()
}

// canManage: the county (基教股) manages every exam, a group leader the
// group's own exams. Schools import their own part (see Import).
func canManage(a auth.Actor, x Exam) bool {
	return a.Reach(auth.PermExamsManage).Group(x.GroupID)
}

func (s *Service) validate(ctx context.Context, a auth.Actor, in *Input) error {
	in.Name, in.Term, in.Stage = strings.TrimSpace(in.Name), strings.TrimSpace(in.Term), strings.TrimSpace(in.Stage)
	var f errs.Fields
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.Add("name", "field.required_max", errs.Args{"max": 100})
	}
	if in.Term == "" || len([]rune(in.Term)) > 40 {
		f.Add("term", "field.required_max", errs.Args{"max": 40})
	}
	if in.HeldOn.IsZero() {
		f.Add("held_on", "field.required", nil)
	}
	if err := f.Err(); err != nil {
		return err
	}
	in.Spec.Name = in.Name
	if err := in.Spec.Validate(); err != nil {
		if e, ok := errs.As(err); ok {
			for i := range e.Details {
				if e.Details[i].Field != "" {
					e.Details[i].Field = "spec." + e.Details[i].Field
				}
			}
		}
		return err
	}
	if in.GroupID != 0 {
		var n int
		if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM edu_groups WHERE id = $1`, in.GroupID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.FieldError("group_id", "exams.group_unknown", nil)
		}
	}
	if !canManage(a, Exam{GroupID: in.GroupID}) {
		return errs.ForbiddenError()
	}
	return nil
}

// Create sets up an exam.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (Detail, error) {
	if in.Spec.Settings.SD == "" {
		in.Spec.Settings = analysis.DefaultSettings() // settings left out: the defaults
	}
	if err := s.validate(ctx, a, &in); err != nil {
		return Detail{}, err
	}
	spec, err := json.Marshal(in.Spec)
	if err != nil {
		return Detail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := store.Now()
		var group any
		if in.GroupID != 0 {
			group = in.GroupID
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO exams (name, term, held_on, stage, group_id, spec, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			in.Name, in.Term, in.HeldOn, in.Stage, group, string(spec), nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exam.create", ObjectType: "exam", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"name": in.Name, "term": in.Term, "subjects": len(in.Spec.Subjects)}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, a, id)
}

// Update changes an exam's setup; the analysis is recomputed on next read.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in Input) (Detail, error) {
	cur, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	if !canManage(a, cur) {
		return Detail{}, errs.ForbiddenError()
	}
	if in.Spec.Settings.SD == "" {
		in.Spec.Settings = analysis.DefaultSettings()
	}
	if err := s.validate(ctx, a, &in); err != nil {
		return Detail{}, err
	}
	spec, err := json.Marshal(in.Spec)
	if err != nil {
		return Detail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var group any
		if in.GroupID != 0 {
			group = in.GroupID
		}
		res, err := tx.ExecContext(ctx, `UPDATE exams SET name = $1, term = $2, held_on = $3, stage = $4, group_id = $5, spec = $6, data_version = data_version + 1,
			updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9`, in.Name, in.Term, in.HeldOn, in.Stage, group, string(spec), store.Now(), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exam.update", ObjectType: "exam", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"name": in.Name}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, a, id)
}

// lock takes the exam's row until tx ends, so the writes that replace a
// school's rows of one exam (an import, a 任课表) take turns across
// instances instead of deleting and inserting the same rows at once. A
// setup changed since x was read is a conflict: data checked against the
// old subjects must not be stored under new ones.
func (s *Service) lock(ctx context.Context, tx *sql.Tx, x Exam) error {
	var version int
	err := tx.QueryRowContext(ctx, `SELECT version FROM exams WHERE id = $1`+s.st.ForUpdate(), x.ID).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundError("exam")
	}
	if err != nil {
		return err
	}
	if version != x.Version {
		return errs.ConflictError("error.stale_version", nil)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
