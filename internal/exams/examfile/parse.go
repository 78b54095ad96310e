package examfile

import (
	"edugroup/internal/hugemem"
	"fmt"
	"hash/maphash"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// Problem is one finding of the row-by-row validation.
type Problem struct {
	Sheet string `json:"sheet,omitempty"`
	Line  int    `json:"line"`  // the row number the file shows; 0 for the whole file
	Field string `json:"field"` // the column's header
	Code  string `json:"code"`  // one of the Problem… codes
	Value string `json:"value,omitempty"`
	// Message says it in Chinese, for people.
	Message string `json:"message"`
}

// Problem codes.
const (
	ProblemBadToken       = "bad_token"         // neither a score nor a known mark
	ProblemNotHalf        = "not_half"          // not a multiple of 0.5
	ProblemNegative       = "negative"          // below zero
	ProblemAboveFull      = "above_full"        // above the subject's full marks
	ProblemUnknownSchool  = "unknown_school"    // not in the registry (with a SchoolMatcher)
	ProblemMissingSchool  = "missing_school"    // school cell blank
	ProblemDuplicate      = "duplicate_student" // the student number again
	ProblemMissingID      = "missing_id"        // student number blank
	ProblemFormula        = "formula"           // a formula in a read column
	ProblemDuplicateScore = "duplicate_score"   // long shape: a subject twice for a student
	ProblemUnknownSubject = "unknown_subject"   // long shape: a subject the exam does not have
	ProblemInconsistent   = "inconsistent"      // long shape: a student's school or class differs between rows
)

// SchoolMatcher finds a school of the registry by code or name; ok is
// false for an unknown school.
type SchoolMatcher func(codeOrName string) (code, name string, ok bool)

// Options for Parse.
type Options struct {
	// Exam gives the subjects and full marks (scores above them are
	// problems). Nil: subjects come from the file and full marks are
	// inferred (see InferExam).
	Exam *analysis.Exam
	// Stage (小学, 初中, 高中) helps the inference; "" guesses it from the
	// class names and scores.
	Stage string
	// Schools, when set, matches every school; unknown ones are problems.
	Schools SchoolMatcher
	// SchoolStage, when set, gives the registry's stage of a matched
	// school by its code (小学, 初中, 高中, or primary, junior, senior;
	// anything else says nothing): evidence for the stage when Stage is "".
	SchoolStage func(code string) string
	// School is the school (name or code) of rows the mapping puts in
	// DefaultSchool (no school column, a sheet named 总分 or Sheet1): an
	// uploader's own school. "" keeps DefaultSchool.
	School string
	// MaxProblems caps the list (default 1000); ProblemCount counts all.
	MaxProblems int
	// Workers parse a big CSV in parallel (default GOMAXPROCS).
	Workers int
}

// Result is a parsed file.
type Result struct {
	// Exam is Options.Exam, or the exam inferred from the file.
	Exam *analysis.Exam
	Data *analysis.Data
	// Rows says where each student came from.
	Rows []RowRef
	// Invalid marks students with a problem; ValidData leaves them out.
	Invalid      []bool
	InvalidCount int
	Problems     []Problem
	ProblemCount int
	// Assumptions lists, in Chinese, what was inferred or left out.
	Assumptions []string
	// Notes are the reader's findings by message key (rows left out,
	// columns read differently, the stage decided), for other languages.
	Notes []Note
	// Excluded counts the students the file itself marks as not counted
	// (是否参与统计 = 不参与); they are not in Data.
	Excluded int
	Sheets   []string
	// Stage is the stage the class codes were read with (小学, 初中, 高中,
	// or "" when unknown), StageSource where it came from (StageFromAnswer
	// …) and StageEvidence, in Chinese, what the file shows of it: for a
	// preview to show for confirmation.
	Stage         string
	StageSource   string
	StageEvidence string
}

// RowRef is a student's sheet (index into Result.Sheets) and row number.
type RowRef struct {
	Sheet int32
	Line  int32
}

// ReadFile is Open, Guess and Parse in one go, for callers without a person
// to confirm the mapping.
func ReadFile(name string, data []byte, opts Options) (*Result, *Mapping, error) {
	f, err := Open(name, data)
	if err != nil {
		return nil, nil, err
	}
	m, err := f.Guess()
	if err != nil {
		return nil, nil, err
	}
	res, err := f.Parse(m, opts)
	return res, m, err
}

// parser holds what every worker shares (read only while they run).
type parser struct {
	f        *File
	m        *Mapping
	opts     Options
	subjects []string
	subjIdx  map[string]int
	full     []int32   // half-points per subject; −1 when unknown
	fullHint []float64 // from headers
	papers   []*paperCols
	notes    []string
	keyed    []Note
	excluded int
	sheets   []string
	seed     maphash.Seed
	global   *columns // the final columns, when workers write into them
	missing  []int32  // rows without a 考号 (merged)
	// wordedGrade: classes like 一(1)班 written with the grade in words
	// (一年级1班, 一(1)班), not as a code (101): a 小学's names.
	wordedGrade map[string]bool
	hash        []uint64 // of the merged student numbers
}

// columns are the per-student columns workers fill.
type columns struct {
	ids, names []string
	class      []int32
	rows       []RowRef
	invalid    []bool
	hash       []uint64
	scores     [][]int32
}

// paperCols gathers the item columns of one subject.
type paperCols struct {
	subject  int
	items    []analysis.Item
	byNo     map[string]int
	fromExam bool
}

// mcol is a mapped column of one sheet.
type mcol struct {
	col    int
	field  Field
	subj   int
	paper  int
	item   int
	header string
}

type sheetRoles struct {
	index    int // into parser.sheets
	school   string
	subject  string // of every row (a sheet per subject), "" for none
	cols     []mcol // every mapped column
	meta     []mcol // the student's own columns (考号, 姓名, 学校 …)
	values   []mcol // score and item columns
	unmapped []int  // subjects this sheet has no column for
	noID     bool
}

// Parse reads every row with the mapping and checks it.
func (f *File) Parse(m *Mapping, opts Options) (*Result, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Exam != nil {
		if err := opts.Exam.Validate(); err != nil {
			return nil, err
		}
	}
	p := &parser{f: f, m: m, opts: opts, subjIdx: map[string]int{}, seed: maphash.MakeSeed()}
	p.setSubjects()
	if err := p.setPapers(); err != nil {
		return nil, err
	}
	sheetIdx := map[string]int{}
	for i, s := range f.Sheets {
		sheetIdx[s.Name] = i
	}
	var ws []*worker
	if m.Shape == ShapeLong {
		lw := newLongWorker(p)
		for k, sm := range m.Sheets {
			i, ok := sheetIdx[sm.Name]
			if !ok {
				return nil, errs.New(errs.Invalid, keyNoSheet, errs.Args{"name": sm.Name})
			}
			p.sheets = append(p.sheets, sm.Name)
			if err := p.scanSheet(i, k, lw.w, lw.row); err != nil {
				return nil, err
			}
		}
		ws = []*worker{lw.finish()}
	} else {
		for k, sm := range m.Sheets {
			i, ok := sheetIdx[sm.Name]
			if !ok {
				return nil, errs.New(errs.Invalid, keyNoSheet, errs.Args{"name": sm.Name})
			}
			p.sheets = append(p.sheets, sm.Name)
			if f.Format == "csv" && len(f.text) > 4<<20 && opts.Workers > 1 {
				more, err := p.parallelText(k)
				if err != nil {
					return nil, err
				}
				ws = append(ws, more...)
				continue
			}
			w := newWorker(p)
			if err := p.scanSheet(i, k, w, w.row); err != nil {
				return nil, err
			}
			ws = append(ws, w)
		}
	}
	p.formulaNotes(ws)
	p.skipNotes(ws)
	res := p.merge(ws)
	res.Excluded = p.excluded
	if err := p.settle(res); err != nil {
		return nil, err
	}
	if res.Data.Len() == 0 {
		return nil, errs.New(errs.Invalid, keyNoStudent, nil)
	}
	p.itemTotals(res)
	if err := p.exam(res); err != nil {
		return nil, err
	}
	res.Notes = append(append([]Note{}, p.m.NoteKeys...), p.keyed...)
	return res, nil
}

// setSubjects fixes the subject list: the exam's, or the file's in column
// order.
func (p *parser) setSubjects() {
	add := func(name string, full float64) int {
		if i, ok := p.subjIdx[name]; ok {
			return i
		}
		p.subjIdx[name] = len(p.subjects)
		p.subjects = append(p.subjects, name)
		h := int32(-1)
		if full > 0 {
			if v, ok := analysis.HalfPoints(full); ok {
				h = v
			}
		}
		p.full = append(p.full, h)
		p.fullHint = append(p.fullHint, full)
		return len(p.subjects) - 1
	}
	if e := p.opts.Exam; e != nil {
		for _, s := range e.Subjects {
			add(s.Name, s.Full)
			if c, ok := CanonicalSubject(s.Name); ok {
				if _, taken := p.subjIdx[c]; !taken {
					p.subjIdx[c] = p.subjIdx[s.Name]
				}
			}
		}
		return
	}
	for _, c := range p.m.Columns {
		if c.Field == FieldScore || c.Field == FieldItem {
			i := add(c.Subject, 0)
			if c.Field == FieldScore && c.Full > 0 && p.fullHint[i] == 0 {
				p.fullHint[i] = c.Full
				if v, ok := analysis.HalfPoints(c.Full); ok {
					p.full[i] = v
				}
			}
		}
	}
}

// subject finds a column's subject; −1 when the exam does not have it.
func (p *parser) subject(name string) int {
	if i, ok := p.subjIdx[name]; ok {
		return i
	}
	if c, ok := CanonicalSubject(name); ok {
		if i, ok := p.subjIdx[c]; ok {
			return i
		}
	}
	return -1
}

// roles maps the columns of one sheet from its header row.
func (p *parser) roles(sheetPos int, header []string) sheetRoles {
	sm := p.m.Sheets[sheetPos]
	r := sheetRoles{index: sheetPos, school: sm.School, subject: sm.Subject, noID: true}
	if r.school == DefaultSchool && p.opts.School != "" {
		r.school = p.opts.School
	}
	byHeader := map[string]int{}
	for i, c := range p.m.Columns {
		if _, dup := byHeader[normHeader(c.Header)]; !dup {
			byHeader[normHeader(c.Header)] = i
		}
	}
	used := map[int]bool{}
	for col, h := range header {
		k, ok := byHeader[normHeader(h)]
		if !ok || used[k] {
			// An unnamed column matches by position in the first sheet.
			k = -1
			for i, c := range p.m.Columns {
				if c.Index == col && !used[i] && strings.HasPrefix(c.Header, "第") && strings.HasSuffix(c.Header, "列") && normHeader(h) == "" {
					k = i
				}
			}
			if k < 0 {
				continue
			}
		}
		used[k] = true
		c := p.m.Columns[k]
		mc := mcol{col: col, field: c.Field, subj: -1, paper: -1, item: -1, header: c.Header}
		switch c.Field {
		case FieldIgnore:
			continue
		case FieldID:
			r.noID = false
		case FieldScore:
			mc.subj = p.subject(c.Subject)
			if mc.subj < 0 {
				p.note(fmt.Sprintf("“%s”不是本次考试的科目，未读取", c.Header))
				continue
			}
		case FieldItem:
			mc.subj = p.subject(c.Subject)
			pi := p.paperOf(mc.subj)
			if mc.subj < 0 || pi < 0 {
				continue
			}
			it, ok := p.papers[pi].byNo[c.Item]
			if !ok {
				p.note(fmt.Sprintf("“%s”不在“%s”的试卷结构中，未读取", c.Header, c.Subject))
				continue
			}
			mc.paper, mc.item = pi, it
		}
		r.cols = append(r.cols, mc)
		if mc.field == FieldScore || mc.field == FieldItem {
			r.values = append(r.values, mc)
		} else {
			r.meta = append(r.meta, mc)
		}
	}
	for s := range p.subjects {
		found := false
		for _, mc := range r.values {
			found = found || mc.field == FieldScore && mc.subj == s
		}
		if !found {
			r.unmapped = append(r.unmapped, s)
		}
	}
	return r
}

func (p *parser) note(s string) {
	if !slices.Contains(p.notes, s) {
		p.notes = append(p.notes, s)
	}
}

func (p *parser) paperOf(subj int) int {
	for i, pc := range p.papers {
		if pc.subject == subj {
			return i
		}
	}
	return -1
}

// scanSheet finds the header row of sheet i, maps its columns and feeds
// the rows after it to row.
func (p *parser) scanSheet(i, sheetPos int, w *worker, row func(*sheetRoles, int, []string, []int)) error {
	headerRow := p.m.Sheets[sheetPos].HeaderRow
	two := p.m.Sheets[sheetPos].HeaderRows == 2
	var roles *sheetRoles
	var top []string
	fn := func(line int, cells []string, formulas []int) error {
		if roles == nil {
			if line < headerRow {
				return nil
			}
			if two && top == nil {
				top = append([]string{}, cells...)
				return nil
			}
			header := cells
			if two {
				header = combineHeader(top, cells)
			}
			r := p.roles(sheetPos, header)
			roles = &r
			return nil
		}
		row(roles, line, cells, formulas)
		return nil
	}
	if p.f.Format == "csv" {
		return p.f.scanText(0, len(p.f.text), 1, func(line int, cells []string) error { return fn(line, cells, nil) })
	}
	return p.f.wb.Scan(i, fn)
}

// parallelText splits a big CSV after its header among workers.
func (p *parser) parallelText(sheetPos int) ([]*worker, error) {
	f := p.f
	headerRow := p.m.Sheets[sheetPos].HeaderRow
	pos, line := 0, 1
	var cells []string
	var roles sheetRoles
	var top []string
	found := false
	for pos < len(f.text) {
		var n int
		start := line
		cells, pos, n = record(f.text, pos, f.delim, cells)
		line += n
		if start >= headerRow && !(len(cells) == 1 && strings.TrimSpace(cells[0]) == "") {
			if p.m.Sheets[sheetPos].HeaderRows == 2 && top == nil {
				top = append([]string{}, cells...)
				continue
			}
			header := cells
			if top != nil {
				header = combineHeader(top, cells)
			}
			roles = p.roles(sheetPos, header)
			found = true
			break
		}
	}
	if !found {
		return nil, errs.New(errs.Invalid, keyNoHeader, errs.Args{"rows": headerRow})
	}
	// Size each worker's stretch from the average line of the start.
	sample := f.text[pos:min(len(f.text), pos+256<<10)]
	avg := max(1, len(sample)/max(1, strings.Count(sample, "\n")))
	for safe := false; ; safe = true {
		parts := f.chunks(pos, p.opts.Workers*2, safe)
		caps := make([]int, len(parts))
		total := 0
		for k, c := range parts {
			caps[k] = (c.to-c.from)/avg*11/10 + 64
			total += caps[k]
		}
		// Every worker appends into its own stretch of the final columns,
		// so the rows are written once; merge only closes the gaps. Line
		// numbers are counted from the chunk's start and fixed up after.
		g := newColumns(total, len(p.subjects))
		ws := make([]*worker, len(parts))
		var wg sync.WaitGroup
		sem := make(chan struct{}, p.opts.Workers)
		base := 0
		overrun := false
		var mu sync.Mutex
		for k, c := range parts {
			w := newWorker(p)
			w.bind(g, base, caps[k])
			base += caps[k]
			ws[k] = w
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				r := roles
				end, lines, _ := f.scanRange(c.from, c.to, 0, func(line int, cells []string) error {
					w.row(&r, line, cells, nil)
					return nil
				})
				w.lines = lines
				if end > c.to {
					mu.Lock()
					overrun = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if overrun && !safe {
			// A quoted field ran over a cut: read again, cutting between
			// records.
			continue
		}
		p.global = g
		start := line
		for _, w := range ws {
			for i := range w.rows {
				w.rows[i].Line += int32(start)
			}
			for i := range w.problems {
				w.problems[i].Line += start
			}
			start += w.lines
		}
		return ws, nil
	}
}

func newColumns(n, subjects int) *columns {
	g := &columns{ids: hugemem.Make[string](n), names: hugemem.Make[string](n), class: hugemem.Make[int32](n),
		rows: hugemem.Make[RowRef](n), invalid: make([]bool, n), hash: hugemem.Make[uint64](n), scores: make([][]int32, subjects)}
	for s := range g.scores {
		g.scores[s] = hugemem.Make[int32](n)
	}
	return g
}

// worker turns rows into columns with its own dictionaries; merge joins
// the workers' parts in order.
type worker struct {
	p        *parser
	ids      []string
	names    []string
	class    []int32
	rows     []RowRef
	invalid  []bool
	hash     []uint64
	lines    int // lines read, for a chunk of a big CSV
	scores   [][]int32
	items    [][][]int32  // [paper][item][row]
	answers  [][][]string // [paper][item][row], nil until an answer is seen
	maxSeen  []int32
	problems []Problem
	nProb    int
	// formula cells read from their saved values, for the notes
	formulas     map[formulaKey]*formulaNote
	formulaOrder []formulaKey
	skipped      []skipped
	missing      []int32 // rows without a 考号 in a sheet that has the column

	schools   []schoolRec
	schoolIdx map[string]int32
	classes   []analysis.Class
	classIdx  map[classKey]int32
	canon     map[string]string

	lastSchoolKey   string
	lastSchool      int32
	lastClassRaw    string
	lastClassSchool int32
	lastClass       int32
}

type schoolRec struct {
	key, code, name, group string
}

type classKey struct {
	school int32
	name   string
}

func newWorker(p *parser) *worker {
	w := &worker{p: p, schoolIdx: map[string]int32{}, classIdx: map[classKey]int32{}, canon: map[string]string{},
		lastSchool: -1, lastClass: -1, maxSeen: make([]int32, len(p.subjects))}
	w.scores = make([][]int32, len(p.subjects))
	w.items = make([][][]int32, len(p.papers))
	w.answers = make([][][]string, len(p.papers))
	for i, pc := range p.papers {
		w.items[i] = make([][]int32, len(pc.items))
		w.answers[i] = make([][]string, len(pc.items))
	}
	for i := range w.maxSeen {
		w.maxSeen[i] = -1
	}
	return w
}

// bind makes the worker append into g[base : base+n] (and past it, into
// its own arrays, should the estimate be short).
func (w *worker) bind(g *columns, base, n int) {
	end := base + n
	w.ids, w.names, w.class = g.ids[base:base:end], g.names[base:base:end], g.class[base:base:end]
	w.rows, w.invalid, w.hash = g.rows[base:base:end], g.invalid[base:base:end], g.hash[base:base:end]
	for s := range w.scores {
		w.scores[s] = g.scores[s][base:base:end]
	}
}

func (w *worker) problem(roles *sheetRoles, line int, field, code, value, msg string) {
	w.nProb++
	if len(w.problems) < w.p.opts.MaxProblems {
		w.problems = append(w.problems, Problem{Sheet: w.p.sheets[roles.index], Line: line, Field: field, Code: code, Value: value, Message: msg})
	}
}

// row reads one student of a wide or item sheet.
func (w *worker) row(r *sheetRoles, line int, cells []string, formulas []int) {
	var m studentCells
	empty := true
	for _, mc := range r.cols {
		if mc.col < len(cells) && cells[mc.col] != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	for _, mc := range r.meta {
		if mc.col < len(cells) {
			m.take(mc.field, cells[mc.col])
		}
	}
	id := NormID(m.id)
	name := clean(m.name)
	switch {
	case headerAgain(r, cells):
		w.skip(r, line, skipHeader, "")
		return
	case summaryRow(r, &m, cells):
		w.skip(r, line, skipSummary, "")
		return
	case id == "" && name == "":
		w.skip(r, line, skipNoIdentity, "")
		return
	case m.include != "" && excluded(m.include):
		w.skip(r, line, skipExcluded, Norm(m.include))
		return
	}
	bad := w.formulaProblems(r, line, cells, formulas)
	n := len(w.ids)
	for _, s := range r.unmapped {
		w.scores[s] = append(w.scores[s], analysis.NoScore)
	}
	for pi := range w.items {
		for k := range w.items[pi] {
			w.items[pi][k] = append(w.items[pi][k], analysis.NoScore)
			if w.answers[pi][k] != nil {
				w.answers[pi][k] = append(w.answers[pi][k], "")
			}
		}
	}
	for _, mc := range r.values {
		cell := ""
		if mc.col < len(cells) {
			cell = cells[mc.col]
		}
		if mc.field == FieldItem {
			if !w.item(r, line, mc, cell, n) {
				bad = true
			}
			continue
		}
		v, ok := w.score(r, line, mc.header, mc.subj, w.p.full[mc.subj], cell)
		if !ok {
			bad = true
		}
		w.scores[mc.subj] = append(w.scores[mc.subj], v)
	}
	if m.remark != "" {
		w.remark(r, line, m.remark, n)
	}
	school, ok := w.school(r, line, m.school, m.code, m.group)
	if !ok {
		bad = true
		school = w.unknownSchool()
	}
	if id == "" {
		if r.noID {
			id = w.schools[school].name + "|" + CanonicalClass(m.class) + "|" + name
		} else {
			// Whether the school has no 考号 at all is known after
			// every row is read (missingIDs).
			w.missing = append(w.missing, int32(n))
		}
	}
	w.ids = append(w.ids, id)
	w.hash = append(w.hash, maphash.String(w.p.seed, id))
	w.names = append(w.names, name)
	w.class = append(w.class, w.classOf(school, m.class))
	w.rows = append(w.rows, RowRef{Sheet: int32(r.index), Line: int32(line)})
	w.invalid = append(w.invalid, bad)
}

// studentCells are the texts of a row's student columns, as they stand.
type studentCells struct{ id, name, school, code, group, class, include, remark string }

// take keeps cell when field is a student column and says whether it was.
func (m *studentCells) take(field Field, cell string) bool {
	switch field {
	case FieldID:
		m.id = cell
	case FieldName:
		m.name = cell
	case FieldSchool:
		m.school = cell
	case FieldSchoolCode:
		m.code = cell
	case FieldGroup:
		m.group = cell
	case FieldClass:
		m.class = cell
	case FieldInclude:
		m.include = cell
	case FieldRemark:
		m.remark = cell
	default:
		return false
	}
	return true
}

// formulaProblems handles the formula cells of the mapped columns: the
// value Excel saved with the formula is read (never evaluated) and the cell
// noted (formulaNotes); a formula without a saved value is a problem. It
// says whether there was one.
func (w *worker) formulaProblems(r *sheetRoles, line int, cells []string, formulas []int) bool {
	bad := false
	for _, col := range formulas {
		for _, mc := range r.cols {
			if mc.col != col {
				continue
			}
			if col >= len(cells) || cells[col] == "" {
				w.problem(r, line, mc.header, ProblemFormula, "", fmt.Sprintf("“%s”单元格是公式，文件中没有保存计算结果：请在 Excel 中打开并保存，或粘贴为数值后再导入", mc.header))
				bad = true
				continue
			}
			if w.formulas == nil {
				w.formulas = map[formulaKey]*formulaNote{}
			}
			k := formulaKey{r.index, mc.header}
			fn := w.formulas[k]
			if fn == nil {
				fn = &formulaNote{}
				w.formulas[k] = fn
				w.formulaOrder = append(w.formulaOrder, k)
			}
			fn.n++
			if len(fn.lines) < 5 {
				fn.lines = append(fn.lines, line)
			}
		}
	}
	return bad
}

// formulaKey and formulaNote gather the formula cells read, per sheet and
// column, for one note each.
type formulaKey struct {
	sheet  int
	header string
}

type formulaNote struct {
	n     int
	lines []int
}

// formulaNotes words the formula cells of the workers: one note per sheet
// and column, with the first rows.
func (p *parser) formulaNotes(ws []*worker) {
	for _, w := range ws {
		for _, k := range w.formulaOrder {
			fn := w.formulas[k]
			rows := make([]string, len(fn.lines))
			for i, l := range fn.lines {
				rows[i] = strconv.Itoa(l)
			}
			more := ""
			if fn.n > len(fn.lines) {
				more = "等"
			}
			where := ""
			if len(p.sheets) > 1 {
				where = "“" + p.sheets[k.sheet] + "”表"
			}
			p.note(fmt.Sprintf("%s“%s”列有 %d 个单元格是公式（第%s行%s），已读取 Excel 保存的计算结果，未重新计算，请核对",
				where, k.header, fn.n, strings.Join(rows, "、"), more))
		}
	}
}

// clean is Norm, and squeeze for Chinese names ("张  三"); Latin names
// keep their spaces. Norm has already replaced invalid UTF-8.
func clean(s string) string {
	s = Norm(s)
	if strings.IndexByte(s, ' ') >= 0 && isCJK(s) {
		return squeeze(s)
	}
	return s
}

// score reads one score cell and reports whether it is acceptable.
func (w *worker) score(r *sheetRoles, line int, header string, subj int, full int32, cell string) (int32, bool) {
	v, k := parseScore(cell)
	switch k {
	case scoreOK:
		if full >= 0 && v > full {
			w.problem(r, line, header, ProblemAboveFull, Norm(cell),
				fmt.Sprintf("“%s”的分数 %s 超过满分 %s", header, Norm(cell), fmtPoints(full)))
			return analysis.NoScore, false
		}
		if subj >= 0 && v > w.maxSeen[subj] {
			w.maxSeen[subj] = v
		}
		return v, true
	case scoreBlank, scoreAbsent, scoreVoid:
		return v, true
	case scoreNotHalf:
		w.problem(r, line, header, ProblemNotHalf, Norm(cell), fmt.Sprintf("“%s”的分数 %s 不是 0.5 的整数倍", header, Norm(cell)))
	case scoreNegative:
		w.problem(r, line, header, ProblemNegative, Norm(cell), fmt.Sprintf("“%s”的分数 %s 是负数", header, Norm(cell)))
	default:
		w.problem(r, line, header, ProblemBadToken, Norm(cell),
			fmt.Sprintf("“%s”的值“%s”无法识别：应为分数，或缺考、作弊等标记", header, Norm(cell)))
	}
	return analysis.NoScore, false
}

func fmtPoints(h int32) string {
	if h%2 == 0 {
		return fmt.Sprint(h / 2)
	}
	return fmt.Sprintf("%d.5", h/2)
}

// item reads an item cell: a score, or an objective answer (letters).
func (w *worker) item(r *sheetRoles, line int, mc mcol, cell string, n int) bool {
	pc := w.p.papers[mc.paper]
	if ans, ok := answer(cell); ok {
		col := w.answers[mc.paper][mc.item]
		if col == nil {
			col = make([]string, n+1)
		}
		col[n] = ans
		w.answers[mc.paper][mc.item] = col
		return true
	}
	full, _ := analysis.HalfPoints(pc.items[mc.item].Full)
	if pc.items[mc.item].Full == 0 {
		full = -1
	}
	v, ok := w.score(r, line, mc.header, -1, full, cell)
	w.items[mc.paper][mc.item][n] = v
	return ok
}

var answerSeparators = strings.NewReplacer(",", "", "、", "", "/", "", "，", "")

// answer reads an objective answer: option letters A–H, in any case and
// with separators ("A", "bd", "A,C").
func answer(cell string) (string, bool) {
	s := strings.ToUpper(squeeze(Norm(cell)))
	s = answerSeparators.Replace(s)
	if s == "" || len(s) > 8 {
		return "", false
	}
	for _, c := range []byte(s) {
		if c < 'A' || c > 'H' {
			return "", false
		}
	}
	return s, true
}

// school resolves the school of a row: its code and name cells, else the
// sheet's school; with a SchoolMatcher, through the registry.
func (w *worker) school(r *sheetRoles, line int, nameText, codeText, group string) (int32, bool) {
	key := codeText
	if key == "" {
		key = nameText
	}
	if key == "" {
		key = r.school
	}
	if key == w.lastSchoolKey && w.lastSchool >= 0 {
		return w.lastSchool, true
	}
	code, name := NormID(codeText), clean(nameText)
	if name == "" && code == "" {
		name = clean(r.school)
	}
	if name == "" && code == "" {
		w.problem(r, line, "学校", ProblemMissingSchool, "", "缺少学校")
		return -1, false
	}
	if m := w.p.opts.Schools; m != nil {
		c, n, ok := "", "", false
		if code != "" {
			c, n, ok = m(code)
		}
		if !ok && name != "" {
			c, n, ok = m(name)
		}
		if !ok {
			shown := name
			if shown == "" {
				shown = code
			}
			w.problem(r, line, "学校", ProblemUnknownSchool, shown, fmt.Sprintf("学校“%s”不在学校名录中", shown))
			return -1, false
		}
		code, name = c, n
	}
	if name == "" {
		name = code
	}
	k := code
	if k == "" {
		k = name
	}
	i, ok := w.schoolIdx[k]
	if !ok {
		i = int32(len(w.schools))
		w.schoolIdx[k] = i
		w.schools = append(w.schools, schoolRec{key: k, code: code, name: name, group: clean(group)})
	} else if g := clean(group); g != "" && w.schools[i].group == "" {
		w.schools[i].group = g
	}
	w.lastSchoolKey, w.lastSchool = key, i
	return i, true
}

// unknownSchool is where rows whose school could not be settled go (they
// are invalid, and ValidData drops them with it).
func (w *worker) unknownSchool() int32 {
	const key = "\x00unknown"
	if i, ok := w.schoolIdx[key]; ok {
		return i
	}
	i := int32(len(w.schools))
	w.schoolIdx[key] = i
	w.schools = append(w.schools, schoolRec{key: key, name: "（学校有误）"})
	return i
}

func (w *worker) classOf(school int32, raw string) int32 {
	if school == w.lastClassSchool && raw == w.lastClassRaw && w.lastClass >= 0 {
		return w.lastClass
	}
	name, ok := w.canon[raw]
	if !ok {
		name = CanonicalClass(raw)
		w.canon[raw] = name
	}
	k := classKey{school, name}
	i, ok := w.classIdx[k]
	if !ok {
		i = int32(len(w.classes))
		w.classIdx[k] = i
		w.classes = append(w.classes, analysis.Class{School: school, Name: name})
	}
	w.lastClassSchool, w.lastClassRaw, w.lastClass = school, raw, i
	return i
}

// merge joins the workers' parts, in order, into one Result, and checks
// for duplicate students across all of them.
func (p *parser) merge(ws []*worker) *Result {
	res := &Result{Sheets: p.sheets, Data: &analysis.Data{}}
	d := res.Data
	n := 0
	for _, w := range ws {
		for raw, name := range w.canon {
			if bareGrade.MatchString(name) && !codeOnly(raw) {
				if p.wordedGrade == nil {
					p.wordedGrade = map[string]bool{}
				}
				p.wordedGrade[name] = true
			}
		}
		for _, i := range w.missing {
			p.missing = append(p.missing, int32(n)+i)
		}
		n += len(w.ids)
	}
	groupIdx := map[string]int32{}
	schoolIdx := map[string]int32{}
	classIdx := map[classKey]int32{}
	schoolMap := make([][]int32, len(ws))
	classMap := make([][]int32, len(ws))
	for k, w := range ws {
		schoolMap[k] = make([]int32, len(w.schools))
		for i, s := range w.schools {
			g, ok := schoolIdx[s.key]
			if !ok {
				g = int32(len(d.Schools))
				schoolIdx[s.key] = g
				gi := int32(-1)
				if s.group != "" {
					if gi, ok = groupIdx[s.group]; !ok {
						gi = int32(len(d.Groups))
						groupIdx[s.group] = gi
						d.Groups = append(d.Groups, s.group)
					}
				}
				d.Schools = append(d.Schools, analysis.School{Code: s.code, Name: s.name, Group: gi})
			}
			schoolMap[k][i] = g
		}
		classMap[k] = make([]int32, len(w.classes))
		for i, c := range w.classes {
			sc := schoolMap[k][c.School]
			ck := classKey{sc, c.Name}
			g, ok := classIdx[ck]
			if !ok {
				g = int32(len(d.Classes))
				classIdx[ck] = g
				d.Classes = append(d.Classes, analysis.Class{School: sc, Name: c.Name})
			}
			classMap[k][i] = g
		}
	}
	var g *columns
	if len(ws) == 1 && p.global == nil {
		w := ws[0]
		g = &columns{ids: w.ids, names: w.names, class: w.class, rows: w.rows, invalid: w.invalid, hash: w.hash, scores: w.scores}
		for i, c := range g.class {
			g.class[i] = classMap[0][c]
		}
	} else {
		g = p.global
		if g == nil {
			g = newColumns(n, len(p.subjects))
		}
		// Close the gaps between the workers' stretches, in place.
		pos := 0
		for k, w := range ws {
			copy(g.ids[pos:], w.ids)
			copy(g.names[pos:], w.names)
			copy(g.rows[pos:], w.rows)
			copy(g.invalid[pos:], w.invalid)
			copy(g.hash[pos:], w.hash)
			for s := range g.scores {
				copy(g.scores[s][pos:], w.scores[s])
			}
			for i, c := range w.class {
				g.class[pos+i] = classMap[k][c]
			}
			pos += len(w.ids)
			ws[k].ids, ws[k].names, ws[k].class, ws[k].scores = nil, nil, nil, nil
		}
		g.ids, g.names, g.class, g.rows, g.invalid, g.hash = g.ids[:n], g.names[:n], g.class[:n], g.rows[:n], g.invalid[:n], g.hash[:n]
		for s := range g.scores {
			g.scores[s] = g.scores[s][:n]
		}
	}
	d.ID, d.Name, d.Class, d.Scores = g.ids, g.names, g.class, g.scores
	res.Rows, res.Invalid = g.rows, g.invalid
	// Item columns (small files: concatenated plainly).
	d.Papers = make([]analysis.PaperScores, len(p.papers))
	for pi, pc := range p.papers {
		ps := analysis.PaperScores{Subject: p.subjects[pc.subject], Scores: make([][]int32, len(pc.items)), Answers: make([][]string, len(pc.items))}
		hasAnswers := false
		for k := range pc.items {
			for _, w := range ws {
				ps.Scores[k] = append(ps.Scores[k], w.items[pi][k]...)
				if w.answers[pi][k] != nil {
					hasAnswers = true
				}
			}
			if hasAnswers {
				for _, w := range ws {
					if a := w.answers[pi][k]; a != nil {
						ps.Answers[k] = append(ps.Answers[k], a...)
					} else {
						ps.Answers[k] = append(ps.Answers[k], make([]string, len(w.items[pi][k]))...)
					}
				}
			}
			hasAnswers = false
		}
		d.Papers[pi] = ps
	}
	for _, w := range ws {
		res.Problems = append(res.Problems, w.problems...)
		res.ProblemCount += w.nProb
	}
	p.hash = g.hash
	return res
}

// settle runs the checks that need every row: swapped columns, schools
// without 考号, repeated sheets, then repeated 考号.
func (p *parser) settle(res *Result) error {
	if err := p.swappedColumns(res); err != nil {
		return err
	}
	p.missingIDs(res)
	p.repeatedSheets(res)
	p.duplicates(res, p.hash)
	if len(res.Problems) > p.opts.MaxProblems {
		res.Problems = res.Problems[:p.opts.MaxProblems]
	}
	res.InvalidCount = 0
	for _, bad := range res.Invalid {
		if bad {
			res.InvalidCount++
		}
	}
	return nil
}

// duplicates flags every repeat of a student number and leaves out every
// row with it, the first too: which row is the student's is unknown (the
// long shape's rule for a subject given twice, so all shapes agree).
// The table is split by hash among the workers; each keeps the rows of its
// share in order, so "first" is the earliest row.
func (p *parser) duplicates(res *Result, hash []uint64) {
	ids := res.Data.ID
	shards := max(1, min(p.opts.Workers, len(ids)/65536))
	type dup struct{ i, first int32 }
	found := make([][]dup, shards)
	var wg sync.WaitGroup
	for sh := range shards {
		wg.Go(func() {
			size := 1 << bits.Len(uint(2*len(ids)/shards+1))
			mask := uint64(size - 1)
			table := hugemem.Make[int32](size)
			for i, h := range hash {
				// A blank 考号 is missing_id already, not a repeat.
				if int(h>>40)%shards != sh || ids[i] == "" {
					continue
				}
				j := h & mask
				for {
					k := table[j]
					if k == 0 {
						table[j] = int32(i + 1)
						break
					}
					if hash[k-1] == h && ids[k-1] == ids[i] {
						found[sh] = append(found[sh], dup{int32(i), k - 1})
						break
					}
					j = (j + 1) & mask
				}
			}
		})
	}
	wg.Wait()
	var all []dup
	for _, f := range found {
		all = append(all, f...)
	}
	if len(all) == 0 {
		return
	}
	slices.SortFunc(all, func(a, b dup) int { return int(a.i - b.i) })
	for _, d := range all {
		i, first := res.Rows[d.i], res.Rows[d.first]
		where := fmt.Sprintf("第%d行", first.Line)
		if first.Sheet != i.Sheet {
			where = fmt.Sprintf("“%s”表第%d行", p.sheets[first.Sheet], first.Line)
		}
		res.Invalid[d.i] = true
		res.Invalid[d.first] = true
		res.ProblemCount++
		id := ids[d.i]
		res.Problems = append(res.Problems, Problem{Sheet: p.sheets[i.Sheet], Line: int(i.Line), Field: "考号",
			Code: ProblemDuplicate, Value: id, Message: fmt.Sprintf("考号“%s”与%s重复，这些行都不计", id, where)})
	}
	p.sortProblems(res)
}

// sortProblems orders the problems by sheet and row.
func (p *parser) sortProblems(res *Result) {
	slices.SortStableFunc(res.Problems, func(a, b Problem) int {
		ai, bi := slices.Index(p.sheets, a.Sheet), slices.Index(p.sheets, b.Sheet)
		if ai != bi {
			return ai - bi
		}
		return a.Line - b.Line
	})
}

// ValidData returns the data without the invalid students (and without
// schools, classes and groups left empty by that).
func (r *Result) ValidData() *analysis.Data {
	if r.InvalidCount == 0 {
		return r.Data
	}
	keep := make([]int, 0, len(r.Data.ID)-r.InvalidCount)
	for i, bad := range r.Invalid {
		if !bad {
			keep = append(keep, i)
		}
	}
	return subset(r.Data, keep)
}

// subset is d with only the students keep lists (in order), and without
// the schools, classes and groups left empty.
func subset(d *analysis.Data, keep []int) *analysis.Data {
	out := &analysis.Data{Teaching: d.Teaching,
		ID: make([]string, len(keep)), Name: make([]string, len(keep)), Class: make([]int32, len(keep)),
		Scores: make([][]int32, len(d.Scores)), Papers: make([]analysis.PaperScores, len(d.Papers))}
	classMap := make([]int32, len(d.Classes))
	schoolMap := make([]int32, len(d.Schools))
	groupMap := make([]int32, len(d.Groups))
	for _, m := range [][]int32{classMap, schoolMap, groupMap} {
		for i := range m {
			m[i] = -1
		}
	}
	for _, i := range keep {
		c := d.Class[i]
		if classMap[c] >= 0 {
			continue
		}
		sc := d.Classes[c].School
		if schoolMap[sc] < 0 {
			g := d.Schools[sc].Group
			if g >= 0 && groupMap[g] < 0 {
				groupMap[g] = int32(len(out.Groups))
				out.Groups = append(out.Groups, d.Groups[g])
			}
			school := d.Schools[sc]
			if g >= 0 {
				school.Group = groupMap[g]
			}
			schoolMap[sc] = int32(len(out.Schools))
			out.Schools = append(out.Schools, school)
		}
		classMap[c] = int32(len(out.Classes))
		out.Classes = append(out.Classes, analysis.Class{School: schoolMap[sc], Name: d.Classes[c].Name})
	}
	for s := range d.Scores {
		out.Scores[s] = make([]int32, len(keep))
	}
	for k, i := range keep {
		out.ID[k], out.Name[k], out.Class[k] = d.ID[i], d.Name[i], classMap[d.Class[i]]
		for s := range d.Scores {
			out.Scores[s][k] = d.Scores[s][i]
		}
	}
	for pi, ps := range d.Papers {
		np := analysis.PaperScores{Subject: ps.Subject, Scores: make([][]int32, len(ps.Scores)), Answers: make([][]string, len(ps.Answers))}
		for k, col := range ps.Scores {
			if col != nil {
				np.Scores[k] = make([]int32, len(keep))
				for j, i := range keep {
					np.Scores[k][j] = col[i]
				}
			}
		}
		for k, col := range ps.Answers {
			if col != nil {
				np.Answers[k] = make([]string, len(keep))
				for j, i := range keep {
					np.Answers[k][j] = col[i]
				}
			}
		}
		out.Papers[pi] = np
	}
	return out
}
