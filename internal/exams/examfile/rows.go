package examfile

import (
	"slices"
	"strconv"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// Rows that are not students, and students the file leaves out.

// summaryMarks are the labels of statistics rows (a sheet's last rows, or
// a league's summary block): 平均分, 最高分, 学校在联考排名 … in any column.
var summaryMarks = []string{"平均分", "平均", "均分", "最高分", "最低分", "排名", "名次", "人数", "标准差", "合计", "总计", "小计",
	"统计", "及格率", "优秀率", "优良率", "低分率", "高分率", "分数段", "中位数", "众数", "方差", "差异系数", "得分率", "参考率"}

// summaryWords are whole cells that label a statistics row.
var summaryWords = map[string]bool{"全校": true, "全年级": true, "全体": true, "总体": true, "整体": true, "汇总": true, "全区": true,
	"全县": true, "全市": true, "联考": true}

// isSummaryLabel: a cell that labels a statistics row rather than names a
// student, class or school.
func isSummaryLabel(cell string) bool {
	// Labels are Chinese: a number, a code or a blank is answered without
	// allocating (this runs on the cells of rows without a 考号).
	ascii := true
	for i := 0; i < len(cell) && ascii; i++ {
		ascii = cell[i] < 0x80
	}
	if ascii || !isCJK(cell) {
		return false
	}
	s := strings.TrimSpace(cell)
	if summaryWords[s] {
		return true
	}
	for _, m := range summaryMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// summaryRow: one of the student's cells, or another cell of the row
// (not a flag column), is a statistics label. A row with a student number
// (digits or letters, no Chinese) is a student's, whatever else it holds:
// the common case costs little.
func summaryRow(r *sheetRoles, m *studentCells, cells []string) bool {
	if m.id != "" && !isCJK(m.id) && strings.ContainsAny(m.id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
		return false
	}
	for _, c := range []string{m.id, m.name, m.class, m.school} {
		if isSummaryLabel(c) {
			return true
		}
	}
	for col, c := range cells {
		if c != "" && !r.flagCol(col) && isSummaryLabel(c) {
			return true
		}
	}
	return false
}

// flagCol: column col is an inclusion or remark column (统计, 不统计 are
// values there, not labels).
func (r *sheetRoles) flagCol(col int) bool {
	for _, mc := range r.meta {
		if mc.col == col && (mc.field == FieldInclude || mc.field == FieldRemark) {
			return true
		}
	}
	return false
}

// headerAgain: the row repeats the header (a sheet of class blocks, each
// under its own header): its 考号 or 姓名 cell is the column's header.
func headerAgain(r *sheetRoles, cells []string) bool {
	for _, mc := range r.meta {
		if (mc.field == FieldID || mc.field == FieldName) && mc.col < len(cells) {
			// The header text again, as written or spaced differently
			// (a test that allocates nothing: it runs on every name).
			c := cells[mc.col]
			if c == mc.header || strings.ReplaceAll(c, " ", "") == mc.header {
				return true
			}
		}
	}
	return false
}

// excluded reads an inclusion flag (是否参与统计): 不参与, 否, 不统计, N, 0,
// × … leave the student out.
func excluded(flag string) bool {
	s := strings.ToUpper(squeeze(Norm(flag)))
	switch s {
	case "否", "N", "NO", "0", "FALSE", "F", "×", "X", "排除", "剔除":
		return true
	}
	return strings.HasPrefix(s, "不") || strings.HasPrefix(s, "未")
}

// remark applies a 备注 of 缺考 (or 作弊) to the blank score cells of the
// student just read (row n).
func (w *worker) remark(r *sheetRoles, line int, cell string, n int) {
	_, k := parseScore(cell)
	code := analysis.Absent
	switch k {
	case scoreAbsent:
	case scoreVoid:
		code = analysis.Void
	default:
		return
	}
	marked := false
	for _, mc := range r.values {
		if mc.field != FieldScore || w.scores[mc.subj][n] != analysis.NoScore {
			continue
		}
		w.scores[mc.subj][n] = code
		marked = true
	}
	if marked {
		w.skip(r, line, skipRemark, Norm(cell))
	}
}

// What a row was left out (or read differently) for.
const (
	skipSummary = iota
	skipHeader
	skipNoIdentity
	skipExcluded
	skipRemark
)

// skipped is one such row.
type skipped struct {
	sheet, line, kind int
	value             string
	id                string // the long shape's student, whose rows are several
}

func (w *worker) skip(r *sheetRoles, line, kind int, value string) {
	w.skipped = append(w.skipped, skipped{sheet: r.index, line: line, kind: kind, value: value})
}

// skipNotes words the rows left out, one note per sheet and reason, with
// their first rows.
func (p *parser) skipNotes(ws []*worker) {
	type key struct{ sheet, kind int }
	type agg struct {
		lines  []int
		n      int
		values []string
		ids    map[string]bool
	}
	by := map[key]*agg{}
	var order []key
	// Students left out by their flag, once each across sheets (a sheet
	// per subject repeats them).
	excludedIDs := map[string]bool{}
	for _, w := range ws {
		for _, s := range w.skipped {
			if s.kind == skipExcluded {
				if s.id == "" {
					p.excluded++
				} else if !excludedIDs[s.id] {
					excludedIDs[s.id] = true
					p.excluded++
				}
			}
			k := key{s.sheet, s.kind}
			a := by[k]
			if a == nil {
				a = &agg{}
				by[k] = a
				order = append(order, k)
			}
			if s.id != "" {
				if a.ids == nil {
					a.ids = map[string]bool{}
				}
				if a.ids[s.id] {
					continue
				}
				a.ids[s.id] = true
			}
			a.n++
			if len(a.lines) < 6 {
				a.lines = append(a.lines, s.line)
			}
			if s.value != "" && !slices.Contains(a.values, s.value) && len(a.values) < 3 {
				a.values = append(a.values, s.value)
			}
		}
	}
	for _, k := range order {
		a := by[k]
		rows := make([]string, len(a.lines))
		for i, l := range a.lines {
			rows[i] = strconv.Itoa(l)
		}
		lines := strings.Join(rows, "、")
		if a.n > len(a.lines) {
			lines += "等"
		}
		args := errs.Args{"sheet": p.sheets[k.sheet], "rows": lines, "n": a.n, "value": strings.Join(a.values, "、"),
			"header": p.headerOf(k.kind)}
		switch k.kind {
		case skipSummary:
			p.noteKey(keyNoteSummaryRows, args)
		case skipNoIdentity:
			p.noteKey(keyNoteNoIdentity, args)
		case skipHeader:
			p.noteKey(keyNoteHeaderAgain, args)
		case skipExcluded:
			p.noteKey(keyNoteExcluded, args)
		case skipRemark:
			p.noteKey(keyNoteRemark, args)
		}
	}
}

// headerOf is the header of the column behind a kind of skipped row.
func (p *parser) headerOf(kind int) string {
	want := map[int]Field{skipExcluded: FieldInclude, skipRemark: FieldRemark}[kind]
	for _, c := range p.m.Columns {
		if want != "" && c.Field == want {
			return c.Header
		}
	}
	return ""
}
