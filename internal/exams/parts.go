package exams

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/store"
)

// partData is one school's students in columns, as stored. Scores are in
// half-points or the codes of analysis (absent, void, no score), one column
// per subject named in Subjects, so a later change of the exam's subjects
// still finds each column by name.
type partData struct {
	Subjects []string
	Class    []string
	ID       []string
	Name     []string
	Scores   [][]int32
	// Decisions are what the file reader decided or was told when the
	// part was imported (stage, columns read, rows left out, answers), in
	// Chinese; none for data stored without a file.
	Decisions []string
}

func (p *partData) encode() ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(p)
	return b.Bytes(), err
}

func decodePart(b []byte) (*partData, error) {
	var p partData
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&p)
	return &p, err
}

// splitBySchool cuts parsed data into one part per school of the data.
func splitBySchool(e *analysis.Exam, d *analysis.Data) []*partData {
	subjects := make([]string, len(e.Subjects))
	for i, s := range e.Subjects {
		subjects[i] = s.Name
	}
	parts := make([]*partData, len(d.Schools))
	for i := range parts {
		parts[i] = &partData{Subjects: subjects, Scores: make([][]int32, len(subjects))}
	}
	for i := range d.ID {
		c := d.Classes[d.Class[i]]
		p := parts[c.School]
		p.Class = append(p.Class, c.Name)
		p.ID = append(p.ID, d.ID[i])
		p.Name = append(p.Name, d.Name[i])
		for j := range subjects {
			p.Scores[j] = append(p.Scores[j], d.Scores[j][i])
		}
	}
	return parts
}

// ImportResult says what an import stored.
type ImportResult struct {
	Students int     `json:"students"`
	Schools  int     `json:"schools"`
	Replaced []int64 `json:"replaced"` // schools whose earlier part was replaced
	Skipped  int     `json:"skipped"`  // rows left out (import of the valid rows only)
}

// store saves parsed data, one part per school (schoolIDs[i] is the registry
// school of d.Schools[i]), replacing those schools' earlier parts, in one
// transaction. Parts of other schools stay as they were.
func (s *Service) storeData(ctx context.Context, a auth.Actor, x Exam, d *analysis.Data, schoolIDs []int64, fileName string, skipped int, decisions []string) (ImportResult, error) {
	res := ImportResult{Students: d.Len(), Skipped: skipped, Replaced: []int64{}}
	parts := splitBySchool(&x.Spec, d)
	payloads := make([][]byte, len(parts))
	for i, p := range parts {
		p.Decisions = decisions
		b, err := p.encode()
		if err != nil {
			return res, err
		}
		payloads[i] = b
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lock(ctx, tx, x); err != nil {
			return err
		}
		now := store.Now()
		for i, p := range parts {
			if len(p.ID) == 0 {
				continue
			}
			r, err := tx.ExecContext(ctx, `DELETE FROM exam_parts WHERE exam_id = $1 AND school_id = $2`, x.ID, schoolIDs[i])
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Replaced = append(res.Replaced, schoolIDs[i])
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO exam_parts (exam_id, school_id, students, payload, file_name, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				x.ID, schoolIDs[i], len(p.ID), payloads[i], fileName, nullID(a.UserID), now); err != nil {
				return err
			}
			res.Schools++
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET students = (SELECT COALESCE(sum(students), 0) FROM exam_parts WHERE exam_id = $1),
			schools = (SELECT count(*) FROM exam_parts WHERE exam_id = $1), data_version = data_version + 1, updated_at = $2 WHERE id = $1`, x.ID, now); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "exam.import", ObjectType: "exam", ObjectID: strconv.FormatInt(x.ID, 10),
			Detail: map[string]any{"file": fileName, "students": res.Students, "schools": res.Schools, "replaced": res.Replaced, "skipped": skipped, "decisions": decisions}})
	})
	return res, err
}

// schoolInfo is a registry school as the analysis names it.
type schoolInfo struct {
	id         int64
	code, name string
	group      int64
	groupName  string
	lead       string // the group's lead school code
	leadName   string
}

// load reads every part of the exam into analysis data, schools in code
// order, with each school's group on the exam date and the groups' lead
// schools from the registry.
// The registry facts an exam's analysis names, for each stored part: the
// school's code and name as they are now, the group it belonged to on the
// exam date, and that group's name and lead school as they are now.
const (
	partRegistryCols = `s.code, s.name, COALESCE(m.group_id, 0), COALESCE(g.name, ''), COALESCE(ls.code, ''), COALESCE(ls.name, '')`
	partRegistryFrom = ` FROM exam_parts p JOIN schools s ON s.id = p.school_id
		LEFT JOIN group_members m ON m.school_id = p.school_id AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)
		LEFT JOIN edu_groups g ON g.id = m.group_id LEFT JOIN schools ls ON ls.id = g.lead_school_id
		WHERE p.exam_id = $1 ORDER BY s.code`
)

// registryKey fingerprints the registry facts of partRegistryCols for exam
// x: a cached analysis is reused only while they are unchanged. One small
// query (a row per school of the exam, no payload).
func (s *Service) registryKey(ctx context.Context, x Exam) (uint64, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT `+partRegistryCols+partRegistryFrom, x.ID, x.HeldOn)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	h := fnv.New64a()
	for rows.Next() {
		var code, name, groupName, leadCode, leadName string
		var group int64
		if err := rows.Scan(&code, &name, &group, &groupName, &leadCode, &leadName); err != nil {
			return 0, err
		}
		fmt.Fprintf(h, "%s\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s\x1e", code, name, group, groupName, leadCode, leadName)
	}
	return h.Sum64(), rows.Err()
}

// PartImport is how one school's part was read: its file and the reader's
// decisions (the report's data-quality tab lists them).
type PartImport struct {
	School     string    `json:"school"`
	SchoolCode string    `json:"school_code"`
	FileName   string    `json:"file_name"`
	ImportedAt time.Time `json:"imported_at"`
	Decisions  []string  `json:"decisions"`
}

func (s *Service) load(ctx context.Context, x Exam) (*analysis.Exam, *analysis.Data, []PartImport, error) {
	e := x.Spec
	rows, err := s.st.R.QueryContext(ctx, `SELECT p.school_id, `+partRegistryCols+`, p.payload, p.file_name, p.imported_at`+partRegistryFrom, x.ID, x.HeldOn)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	// The exam row counts the students: the columns are sized once.
	n := x.Students
	d := &analysis.Data{Scores: make([][]int32, len(e.Subjects)), ID: make([]string, 0, n), Name: make([]string, 0, n), Class: make([]int32, 0, n)}
	for j := range d.Scores {
		d.Scores[j] = make([]int32, 0, n)
	}
	groupIx := map[string]int32{}
	leads := map[string]schoolInfo{}
	var imports []PartImport
	for rows.Next() {
		var si schoolInfo
		var payload []byte
		var pi PartImport
		if err := rows.Scan(&si.id, &si.code, &si.name, &si.group, &si.groupName, &si.lead, &si.leadName, &payload, &pi.FileName, &pi.ImportedAt); err != nil {
			return nil, nil, nil, err
		}
		p, err := decodePart(payload)
		if err != nil {
			return nil, nil, nil, err
		}
		pi.School, pi.SchoolCode, pi.ImportedAt, pi.Decisions = si.name, si.code, pi.ImportedAt.UTC(), p.Decisions
		if pi.Decisions == nil {
			pi.Decisions = []string{}
		}
		imports = append(imports, pi)
		g := int32(-1)
		if si.groupName != "" {
			gi, ok := groupIx[si.groupName]
			if !ok {
				gi = int32(len(d.Groups))
				groupIx[si.groupName] = gi
				d.Groups = append(d.Groups, si.groupName)
				leads[si.groupName] = si
			}
			g = gi
		}
		school := int32(len(d.Schools))
		d.Schools = append(d.Schools, analysis.School{Code: si.code, Name: si.name, Group: g})
		classIx := map[string]int32{}
		for i := range p.ID {
			ci, ok := classIx[p.Class[i]]
			if !ok {
				ci = int32(len(d.Classes))
				classIx[p.Class[i]] = ci
				d.Classes = append(d.Classes, analysis.Class{School: school, Name: p.Class[i]})
			}
			d.Class = append(d.Class, ci)
		}
		d.ID = append(d.ID, p.ID...)
		d.Name = append(d.Name, p.Name...)
		col := map[string]int{}
		for j, name := range p.Subjects {
			col[name] = j
		}
		for j, sub := range e.Subjects {
			if k, ok := col[sub.Name]; ok {
				d.Scores[j] = append(d.Scores[j], p.Scores[k]...)
				continue
			}
			for range p.ID {
				d.Scores[j] = append(d.Scores[j], analysis.NoScore)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	// The registry knows each group's lead school; an exam may still name
	// its own.
	named := map[string]bool{}
	for _, gl := range e.Groups {
		named[gl.Name] = true
	}
	names := make([]string, 0, len(leads))
	for g := range leads {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		if l := leads[g]; !named[g] && l.lead != "" {
			e.Groups = append(e.Groups, analysis.GroupLead{Name: g, Lead: l.lead, LeadName: l.leadName})
		}
	}
	teach, err := s.st.R.QueryContext(ctx, `SELECT s.code, t.class_name, t.subject, t.teacher FROM exam_teaching t JOIN schools s ON s.id = t.school_id WHERE t.exam_id = $1`, x.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	defer teach.Close()
	for teach.Next() {
		var t analysis.Assignment
		if err := teach.Scan(&t.School, &t.Class, &t.Subject, &t.Teacher); err != nil {
			return nil, nil, nil, err
		}
		d.Teaching = append(d.Teaching, t)
	}
	return &e, d, imports, teach.Err()
}

// cached is the analysis of one data version of an exam, read with one
// state of the registry facts it names (regKey).
type cached struct {
	version int
	regKey  uint64
	report  *analysis.Report
	data    *analysis.Data
	imports []PartImport // how each school's part was read
	at      time.Time
	numbers numberIndex // the students by number, built on first lookup (trend.go)
}

// analysed returns the analysis of the exam's current data, computing it
// when the cache holds none, an older data version, or one read with other
// registry facts (a school renamed, a membership or lead school changed —
// registryKey). Both are read from the store on every call, so a change made
// through any instance is seen by every instance at its next report. Callers
// asking for the same state at once share one computation.
func (s *Service) analysed(ctx context.Context, x Exam) (*cached, error) {
	reg, err := s.registryKey(ctx, x)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if c, ok := s.cache[x.ID]; ok && c.version == x.DataVersion && c.regKey == reg {
		s.mu.Unlock()
		s.touch(x.ID)
		return c, nil
	}
	key := flightKey{x.ID, x.DataVersion, reg}
	if f, ok := s.flight[key]; ok {
		s.mu.Unlock()
		<-f.done
		return f.c, f.err
	}
	f := &flight{done: make(chan struct{})}
	s.flight[key] = f
	s.mu.Unlock()

	f.c, f.err = s.compute(ctx, x, reg)
	s.mu.Lock()
	delete(s.flight, key)
	if f.err == nil {
		s.cache[x.ID] = f.c
	}
	s.mu.Unlock()
	close(f.done)
	if f.err == nil {
		s.touch(x.ID)
	}
	return f.c, f.err
}

type flightKey struct {
	id      int64
	version int
	reg     uint64
}

// flight is one computation others may wait for.
type flight struct {
	done chan struct{}
	c    *cached
	err  error
}

func (s *Service) compute(ctx context.Context, x Exam, reg uint64) (*cached, error) {
	e, d, imports, err := s.load(ctx, x)
	if err != nil {
		return nil, err
	}
	if d.Len() == 0 {
		return nil, errs.New(errs.Conflict, "exams.no_data", nil)
	}
	r, err := analysis.Analyze(e, d)
	if err != nil {
		return nil, err
	}
	return &cached{version: x.DataVersion, regKey: reg, report: r, data: d, imports: imports, at: time.Now()}, nil
}

func (s *Service) touch(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, v := range s.order {
		if v == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.order = append(s.order, id)
	for len(s.order) > cacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
}

// ImportData stores parsed students. Each school of the data is matched to
// the registry by code, else by name or short name; a school the registry
// lacks, or one the actor may not import for (a school admin imports only
// its own part), refuses the whole import, naming the school.
func (s *Service) ImportData(ctx context.Context, a auth.Actor, id int64, d *analysis.Data, fileName string, skipped int) (ImportResult, error) {
	return s.importData(ctx, a, id, d, fileName, skipped, nil)
}

// importData is ImportData recording the reader's decisions with each part.
func (s *Service) importData(ctx context.Context, a auth.Actor, id int64, d *analysis.Data, fileName string, skipped int, decisions []string) (ImportResult, error) {
	x, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return ImportResult{}, err
	}
	if d.Len() == 0 {
		return ImportResult{}, errs.New(errs.Invalid, "exams.no_rows", nil)
	}
	ids := make([]int64, len(d.Schools))
	var f errs.Fields
	for i, sc := range d.Schools {
		sid, err := s.matchSchool(ctx, sc)
		if err != nil {
			return ImportResult{}, err
		}
		label := sc.Name
		if label == "" {
			label = sc.Code
		}
		switch {
		case sid == 0:
			f.Add("school", "exams.school_unknown", errs.Args{"school": label})
		case !canManage(a, x) && !schoolGrant(a, sid):
			f.Add("school", "exams.school_not_yours", errs.Args{"school": label})
		}
		ids[i] = sid
	}
	if err := f.Err(); err != nil {
		return ImportResult{}, err
	}
	res, err := s.storeData(ctx, a, x, d, ids, fileName, skipped, decisions)
	if err == nil {
		// Analyse the new data now, so the first report page after an
		// import is served from the cache.
		go s.warm(x.ID)
	}
	return res, err
}

// warm computes the analysis of an exam's current data into the cache.
func (s *Service) warm(id int64) {
	ctx := context.Background()
	x, err := scanExam(s.st.R.QueryRowContext(ctx, selectExam+` WHERE x.id = $1`, id))
	if err == nil && x.Students > 0 {
		_, _ = s.analysed(ctx, x)
	}
}

// matchSchool finds a school of the registry by code, else by name or short
// name (0 when none or when a name is ambiguous).
func (s *Service) matchSchool(ctx context.Context, sc analysis.School) (int64, error) {
	var id int64
	if sc.Code != "" {
		err := s.st.R.QueryRowContext(ctx, `SELECT id FROM schools WHERE code = $1`, sc.Code).Scan(&id)
		if err == nil || err != sql.ErrNoRows {
			return id, err
		}
	}
	if sc.Name == "" {
		return 0, nil
	}
	var n int
	var min sql.NullInt64
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*), min(id) FROM schools WHERE name = $1 OR short_name = $1`, sc.Name).Scan(&n, &min); err != nil {
		return 0, err
	}
	if n != 1 {
		return 0, nil
	}
	return min.Int64, nil
}
