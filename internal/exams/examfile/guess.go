package examfile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/xlsx"
)

// Shape is the layout of the student rows.
type Shape string

// The shapes of exam files.
const (
	// ShapeWide: one row per student, one column per subject.
	ShapeWide Shape = "wide"
	// ShapeLong: one row per student and subject (科目, 成绩 columns).
	ShapeLong Shape = "long"
	// ShapeItems: one row per student, one column per question (with or
	// without subject columns beside them).
	ShapeItems Shape = "items"
)

// EnumValues lists the shapes, for the API document.
func (Shape) EnumValues() []string {
	return []string{string(ShapeWide), string(ShapeLong), string(ShapeItems)}
}

// Mapping says how to read a file: which sheets, where their header is,
// and what each column holds. Guess proposes one; a person may correct it
// (change a column's Field or Subject, a sheet's School) before Parse.
type Mapping struct {
	Shape   Shape      `json:"shape"`
	Sheets  []SheetMap `json:"sheets"`
	Columns []Column   `json:"columns"`
	// PaperSheet is the sheet with the paper structure (题号, 分值, 答案 …).
	PaperSheet string `json:"paper_sheet,omitempty"`
	// Notes explain the guess in Chinese (ignored columns, assumptions).
	Notes []string `json:"notes,omitempty"`
	// NoteKeys are the notes that have message keys, for other languages.
	NoteKeys []Note `json:"note_keys,omitempty"`
	// Stage is a person's answer to the stage question
	// (examfile.ask.stage), or their correction of the stage the reader
	// decided: 小学, 初中 or 高中. It settles the stage ("" lets the reader
	// decide from the evidence).
	Stage string `json:"stage,omitempty"`
	// Swapped answers the question examfile.ask.swapped_columns per school
	// (the name the question gives): SwapRows reads each row of the school
	// whose 姓名 cell is a class and 班级 cell is not with the two swapped,
	// SwapNone reads every row as the headers say.
	Swapped map[string]string `json:"swapped,omitempty" openapi:"nullable"`
}

// The answers Mapping.Swapped takes.
const (
	SwapRows = "rows"
	SwapNone = "none"
)

// SheetMap is one sheet of student rows.
type SheetMap struct {
	Name      string `json:"name"`
	HeaderRow int    `json:"header_row"` // 1-based
	// HeaderRows is 2 when a second header row (得分, 班级排名 … under
	// each subject) follows HeaderRow; 0 or 1 for one row.
	HeaderRows int `json:"header_rows,omitempty"`
	// School of every row of the sheet (one sheet per school), used when
	// the rows have no school column.
	School string `json:"school,omitempty"`
	// Subject of every row of a long sheet without a 科目 column: a
	// workbook with one sheet per subject (语文, 数学 …), each with 得分.
	Subject string `json:"subject,omitempty"`
}

// Column maps one column, found by its header text in every sheet (Index
// is its place in the first sheet, for display).
type Column struct {
	Index   int      `json:"index"`
	Header  string   `json:"header"`
	Field   Field    `json:"field"`
	Subject string   `json:"subject,omitempty"` // FieldScore, FieldItem
	Item    string   `json:"item,omitempty"`    // FieldItem: 题号
	Full    float64  `json:"full,omitempty"`    // full marks from the header, e.g. 语文(120)
	Reason  string   `json:"reason,omitempty"`
	Samples []string `json:"samples,omitempty"`
}

// peekRows is how many rows Guess reads from each sheet.
const peekRows = 30

type peeked struct {
	sheet int
	lines []int
	rows  [][]string
}

// peek reads the first rows of a sheet.
func (f *File) peek(sheet, n int) (peeked, error) {
	p := peeked{sheet: sheet}
	add := func(line int, cells []string) error {
		p.lines = append(p.lines, line)
		p.rows = append(p.rows, append([]string(nil), cells...))
		if len(p.rows) >= n {
			return xlsx.ErrStop
		}
		return nil
	}
	if f.Format == "csv" {
		err := f.scanText(0, len(f.text), 1, add)
		if errors.Is(err, xlsx.ErrStop) {
			err = nil
		}
		return p, err
	}
	return p, f.wb.Scan(sheet, func(line int, cells []string, _ []int) error { return add(line, cells) })
}

// headerScore rates a row as a header: how many of its cells name a field.
func headerScore(row []string) (score int, who, what bool) {
	items := 0
	for _, cell := range row {
		c := classify(cell)
		switch c.field {
		case FieldID, FieldName:
			who = true
			score++
		case FieldScore, FieldValue, FieldSubject:
			what = true
			score++
		case FieldItem:
			items++
		case FieldSchool, FieldSchoolCode, FieldClass, FieldGroup:
			score++
		}
	}
	if items >= 3 {
		what = true
		score += items
	}
	return score, who, what
}

// findHeader returns the index of the header row among peeked rows, or −1.
func findHeader(rows [][]string) int {
	for i, row := range rows {
		if s, who, what := headerScore(row); who && what && s >= 2 {
			return i
		}
	}
	return -1
}

// Guess reads the first rows of every sheet and proposes a Mapping.
func (f *File) Guess() (*Mapping, error) {
	m := &Mapping{}
	var first *peeked
	var firstHeader []string
	var other []string            // sheets with other columns
	titles := map[string]string{} // the rows above each header, joined
	for i, s := range f.Sheets {
		if isHelpSheet(s.Name) {
			continue
		}
		p, err := f.peek(i, peekRows)
		if err != nil {
			return nil, err
		}
		if isPaperSheet(s.Name) || looksLikePaper(p.rows) {
			if m.PaperSheet == "" {
				m.PaperSheet = s.Name
				m.Notes = append(m.Notes, fmt.Sprintf("工作表“%s”是试卷结构（题号、分值、答案）", s.Name))
			}
			continue
		}
		h := findHeader(p.rows)
		if h < 0 {
			if len(p.rows) > 0 {
				m.Notes = append(m.Notes, fmt.Sprintf("工作表“%s”中找不到表头，未读取", s.Name))
			}
			continue
		}
		if s.Hidden {
			m.Notes = append(m.Notes, fmt.Sprintf("工作表“%s”是隐藏的，未读取", s.Name))
			continue
		}
		header, headerRows := p.rows[h], 1
		if h+1 < len(p.rows) && isSubHeader(header, p.rows[h+1]) {
			header, headerRows = combineHeader(header, p.rows[h+1]), 2
		}
		if first == nil {
			pp := p
			first, firstHeader = &pp, header
			m.Columns = guessColumns(header, p.rows[h+headerRows:])
			if headerRows == 2 {
				m.noteKey(keyNoteTwoRowHeader, errs.Args{"sheet": s.Name, "row": p.lines[h]})
			}
		} else if !sameLayout(firstHeader, header) {
			other = append(other, "“"+s.Name+"”")
			continue
		}
		var title []string
		for _, row := range p.rows[:h] {
			for _, c := range row {
				if c = strings.TrimSpace(Norm(c)); c != "" {
					title = append(title, c)
				}
			}
		}
		titles[s.Name] = strings.Join(title, " ")
		sm := SheetMap{Name: s.Name, HeaderRow: p.lines[h]}
		if headerRows == 2 {
			sm.HeaderRows = 2
		}
		m.Sheets = append(m.Sheets, sm)
	}
	if first == nil {
		return nil, errs.New(errs.Invalid, keyNoHeader, errs.Args{"rows": peekRows})
	}
	if len(other) > 0 {
		// One note for all of them (a 学生榜单 has a sheet per subject).
		m.noteKey(keyNoteOtherLayout, errs.Args{"sheets": strings.Join(other, "、"), "first": f.Sheets[first.sheet].Name})
	}
	m.decide(f, titles)
	return m, m.check()
}

// looksLikePaper: a header with 题号 and 分值 (or 满分).
func looksLikePaper(rows [][]string) bool {
	for _, row := range rows[:min(len(rows), 5)] {
		has := map[string]bool{}
		for _, c := range row {
			has[paperField(c)] = true
		}
		if has["no"] && has["full"] {
			return true
		}
	}
	return false
}

// sameLayout: the same headers (as a set of fields), so a sheet per school
// is read with one mapping.
func sameLayout(a, b []string) bool {
	set := func(h []string) map[string]bool {
		out := map[string]bool{}
		for _, x := range h {
			if n := normHeader(x); n != "" {
				out[n] = true
			}
		}
		return out
	}
	sa, sb := set(a), set(b)
	for k := range sa {
		if classify(k).field != FieldIgnore && !sb[k] {
			return false
		}
	}
	for k := range sb {
		if classify(k).field != FieldIgnore && !sa[k] {
			return false
		}
	}
	return true
}

func guessColumns(header []string, data [][]string) []Column {
	var cols []Column
	seen := map[string]bool{}
	for i, h := range header {
		c := classify(h)
		col := Column{Index: i, Header: strings.TrimSpace(Norm(h)), Field: c.field, Subject: c.subject, Item: c.item, Full: c.full, Reason: c.reason}
		for _, row := range data {
			if i < len(row) && strings.TrimSpace(row[i]) != "" && len(col.Samples) < 3 {
				col.Samples = append(col.Samples, Norm(row[i]))
			}
		}
		// A field taken twice: the second is left out (two 语文 columns
		// are usually 语文 and its rank under a merged header).
		key := string(c.field) + "|" + c.subject + "|" + c.item
		if c.field != FieldIgnore && seen[key] {
			col.Field, col.Reason = FieldIgnore, "与前面的列重复，未读取"
		}
		seen[key] = true
		if col.Header == "" {
			col.Header = fmt.Sprintf("第%d列", i+1)
		}
		cols = append(cols, col)
	}
	return cols
}

// decide settles the shape, school codes, the items' subject and the
// school of sheets without a school column.
func (m *Mapping) decide(f *File, titles map[string]string) {
	has := map[Field]int{}
	var subjects []string
	for i := range m.Columns {
		c := &m.Columns[i]
		has[c.Field]++
		if c.Field == FieldScore {
			subjects = append(subjects, c.Subject)
		}
		// A 学校 column of digits holds codes.
		if c.Field == FieldSchool && len(c.Samples) > 0 && allCodes(c.Samples) {
			c.Field, c.Reason = FieldSchoolCode, "学校列的值是代码"
		}
	}
	switch {
	case has[FieldSubject] > 0 && has[FieldValue] > 0:
		m.Shape = ShapeLong
	case has[FieldSubject] == 0 && has[FieldValue] > 0 && has[FieldScore] == 0 && has[FieldItem] < 3 && subjectSheets(m):
		// A sheet per subject, each with its 得分 column: the long shape,
		// the subject from the sheet name.
		m.Shape = ShapeLong
		for i := range m.Sheets {
			m.Sheets[i].Subject, _ = CanonicalSubject(m.Sheets[i].Name)
		}
		m.noteKey(keyNoteSheetPerSubject, nil)
	case has[FieldItem] >= 3:
		m.Shape = ShapeItems
	default:
		m.Shape = ShapeWide
		for i := range m.Columns {
			if m.Columns[i].Field == FieldItem {
				m.Columns[i].Field, m.Columns[i].Reason = FieldIgnore, "未识别的列"
			}
		}
	}
	if m.Shape == ShapeItems {
		// Items without a subject in their header belong to the paper's
		// subject: the only subject column, else the sheet or file name.
		subject := ""
		if len(subjects) == 1 {
			subject = subjects[0]
		} else {
			subject = subjectIn(f.Name)
			for _, s := range m.Sheets {
				if x := subjectIn(s.Name); x != "" && subject == "" {
					subject = x
				}
			}
		}
		missing := false
		for i := range m.Columns {
			if c := &m.Columns[i]; c.Field == FieldItem && c.Subject == "" {
				c.Subject = subject
				missing = missing || subject == ""
			}
		}
		if missing {
			m.Notes = append(m.Notes, "小题列没有注明科目，请指定小题所属科目")
		} else if subject != "" {
			m.Notes = append(m.Notes, fmt.Sprintf("小题属于“%s”", subject))
		}
	}
	if has[FieldSchool] == 0 && has[FieldSchoolCode] == 0 {
		for i := range m.Sheets {
			name := strings.TrimSpace(Norm(m.Sheets[i].Name))
			if isReportName(name) {
				if school := schoolInTitle(titles[m.Sheets[i].Name]); school != "" {
					m.Sheets[i].School = school
					m.noteKey(keyNoteSchoolFromTitle, errs.Args{"sheet": name, "school": school})
					continue
				}
				m.Sheets[i].School = DefaultSchool
				m.noteKey(keyNoteSheetNotSchool, errs.Args{"sheet": name, "school": DefaultSchool})
				continue
			}
			m.Sheets[i].School = name
		}
		named := 0 // sheets named after their school
		for _, sm := range m.Sheets {
			if !isReportName(sm.Name) {
				named++
			}
		}
		switch {
		case named > 1:
			m.Notes = append(m.Notes, "没有学校列：每个工作表是一所学校，以工作表名为校名")
		case named == 1 && len(m.Sheets) == 1:
			m.Notes = append(m.Notes, fmt.Sprintf("没有学校列：全部学生记为“%s”，请核对", m.Sheets[0].School))
		}
	}
	if has[FieldID] == 0 {
		m.Notes = append(m.Notes, "没有考号列：以“学校+班级+姓名”识别学生，无法与其他考试匹配")
	}
	var under []string
	for _, c := range m.Columns {
		if c.Field == FieldIgnore && strings.Contains(c.Header, "·") {
			under = append(under, c.Header)
			continue
		}
		if c.Field == FieldIgnore && c.Reason != "空表头" {
			m.Notes = append(m.Notes, fmt.Sprintf("未读取“%s”列：%s", c.Header, c.Reason))
		}
	}
	if len(under) > 0 {
		// The ranks and grades under each subject of a two-row header: one
		// note for all of them.
		shown := strings.Join(under[:min(3, len(under))], "”“")
		m.noteKey(keyNoteDerivedUnder, errs.Args{"n": len(under), "examples": shown})
	}
}

// check reports a mapping that cannot be parsed.
func (m *Mapping) check() error {
	has := map[Field]int{}
	twice := map[string]bool{}
	for _, c := range m.Columns {
		has[c.Field]++
		if c.Field == FieldScore || c.Field == FieldItem {
			subject := c.Subject
			if s, ok := CanonicalSubject(subject); ok {
				subject = s
			}
			k := string(c.Field) + "|" + subject + "|" + c.Item
			if twice[k] {
				return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("“%s”列与前面的列对应同一%s", c.Header, map[Field]string{FieldScore: "科目", FieldItem: "小题"}[c.Field])})
			}
			twice[k] = true
		}
		if (c.Field == FieldScore || c.Field == FieldItem) && c.Subject == "" {
			return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("“%s”列没有指定科目", c.Header)})
		}
		if c.Field == FieldItem && c.Item == "" {
			return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("“%s”列没有题号", c.Header)})
		}
	}
	for _, f := range []Field{FieldID, FieldName, FieldSchool, FieldSchoolCode, FieldGroup, FieldClass, FieldSubject, FieldValue, FieldAbsent, FieldVoid} {
		if has[f] > 1 {
			return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("有 %d 列都对应“%s”", has[f], f)})
		}
	}
	switch m.Stage {
	case "", "小学", "初中", "高中":
	default:
		return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("学段“%s”不是小学、初中或高中", m.Stage)})
	}
	for school, v := range m.Swapped {
		if v != SwapRows && v != SwapNone {
			return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": fmt.Sprintf("“%s”的姓名、班级两列的读法“%s”无法识别", school, v)})
		}
	}
	if has[FieldID] == 0 && has[FieldName] == 0 {
		return errs.New(errs.Invalid, keyNoID, nil)
	}
	switch m.Shape {
	case ShapeLong:
		if has[FieldSubject] == 0 && !subjectSheets(m) || has[FieldValue] == 0 {
			return errs.New(errs.Invalid, keyNoScores, nil)
		}
	case ShapeWide, ShapeItems:
		if has[FieldScore] == 0 && has[FieldItem] == 0 {
			return errs.New(errs.Invalid, keyNoScores, nil)
		}
	default:
		return errs.New(errs.Invalid, keyMapping, errs.Args{"reason": "shape 须为 wide、long 或 items"})
	}
	if len(m.Sheets) == 0 {
		return errs.New(errs.Invalid, keyNoHeader, errs.Args{"rows": peekRows})
	}
	return nil
}

func allCodes(samples []string) bool {
	for _, s := range samples {
		s = NormID(s)
		if len(s) < 4 {
			return false
		}
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// subjectIn finds a subject named inside a sheet or file name (数学小题分).
func subjectIn(name string) string {
	n := normHeader(name)
	best, bestLen := "", 0
	for syn, canon := range subjectSynonyms {
		if len([]rune(syn)) >= 2 && strings.Contains(n, syn) && (len(syn) > bestLen || len(syn) == bestLen && canon < best) {
			best, bestLen = canon, len(syn)
		}
	}
	return best
}

// DefaultSchool is the school of a file without a school column whose
// sheet name is not a school's (Sheet1, 总分, 语文成绩): the user names it.
const DefaultSchool = "本校"

// reportWords mark a sheet name as a report's or a subject's, not a
// school's.
var reportWords = []string{"成绩", "分数", "榜单", "总分", "汇总", "名单", "数据", "统计", "排名", "报表", "导入", "模板",
	"考试", "期中", "期末", "月考", "联考", "得分", "小题", "原始", "学生", "年级", "班级"}

// isReportName: a sheet named Sheet1, 工作表1, after a subject (语文,
// 语数英), 总分, a class (高一1班), or a report (学生榜单, 成绩表).
func isReportName(name string) bool {
	n := normHeader(name)
	if n == "" {
		return true
	}
	if _, ok := CanonicalSubject(n); ok || totalHeaders[n] || classLike(n) {
		// A subject, 总分, or a class (one sheet per class).
		return true
	}
	for _, prefix := range []string{"SHEET", "工作表", "TABLE", "表"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	for _, suffix := range []string{"学校", "中学", "小学", "学校", "中", "小", "校", "学院", "学园", "分校", "校区"} {
		if strings.HasSuffix(n, suffix) {
			return false
		}
	}
	if subjectIn(n) != "" && len([]rune(n)) <= 8 {
		return true
	}
	for _, w := range reportWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// subjectSheets: every data sheet is named after a subject (语文, 数学成绩),
// a different one each.
func subjectSheets(m *Mapping) bool {
	seen := map[string]bool{}
	for _, sm := range m.Sheets {
		name := sm.Subject
		if name == "" {
			name, _ = CanonicalSubject(sm.Name)
		}
		if name == "" || seen[name] {
			return false
		}
		seen[name] = true
	}
	return len(seen) > 0
}

// noteKey adds a note by key (and its Chinese text to Notes).
func (m *Mapping) noteKey(key string, args errs.Args) {
	m.NoteKeys = append(m.NoteKeys, Note{Key: key, Args: args})
	m.Notes = append(m.Notes, msg(key, args))
}

// titleSchool finds a school's name in a title row: 青山市第二中学2025学年…
var (
	titleSchool = regexp.MustCompile(`\p{Han}{2,16}?(?:高级中学|实验学校|中学|小学|学校|高中|初中)`)
	hanRun      = regexp.MustCompile(`\p{Han}+`)
)

// schoolInTitle is the school a sheet's title rows name, or "". Words
// before the school that say when or what (2025学年, 第一学期) do not
// match: the name is the Chinese run just before the school word.
func schoolInTitle(title string) string {
	for _, run := range hanRun.FindAllString(title, -1) {
		m := titleSchool.FindString(run)
		// Time words before the name: 2025学年实验小学 → 实验小学.
		for _, w := range []string{"学年", "学期", "年度", "季", "年"} {
			if i := strings.LastIndex(m, w); i >= 0 {
				m = m[i+len(w):]
			}
		}
		if len([]rune(m)) >= 4 && !strings.ContainsAny(m, "期考试届级") {
			return m
		}
	}
	return ""
}
