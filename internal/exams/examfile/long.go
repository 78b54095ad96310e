package examfile

import (
	"fmt"
	"hash/maphash"
	"strings"

	"edugroup/internal/exams/analysis"
)

// longWorker reads the long shape: one row per student and subject. Rows
// of one student are gathered by student number; subjects appear as they
// come (or must be the exam's).
type longWorker struct {
	w     *worker
	byID  map[string]int32
	set   [][]bool // [subject][student]: a row already gave this score
	where []schoolClass
}

type schoolClass struct {
	school, class int32
}

// maxSubjects bounds the subjects a long file may introduce: each one is a
// column as long as the file.
const maxSubjects = 64

func newLongWorker(p *parser) *longWorker {
	return &longWorker{w: newWorker(p), byID: map[string]int32{}, set: make([][]bool, len(p.subjects))}
}

// truthy reads a flag column: 是, Y, 1, √, 缺考 … mean yes.
func truthy(s string) bool {
	switch strings.ToUpper(squeeze(Norm(s))) {
	case "", "否", "N", "NO", "0", "FALSE", "F", "×", "无":
		return false
	}
	return true
}

func (lw *longWorker) addSubject(name string) int {
	p, w := lw.w.p, lw.w
	i := len(p.subjects)
	p.subjIdx[name] = i
	p.subjects = append(p.subjects, name)
	p.full = append(p.full, -1)
	p.fullHint = append(p.fullHint, 0)
	col := make([]int32, len(w.ids))
	for k := range col {
		col[k] = analysis.NoScore
	}
	w.scores = append(w.scores, col)
	w.maxSeen = append(w.maxSeen, -1)
	lw.set = append(lw.set, make([]bool, len(w.ids)))
	return i
}

func (lw *longWorker) row(r *sheetRoles, line int, cells []string, formulas []int) {
	w, p := lw.w, lw.w.p
	var m studentCells
	var subject, value string
	absent, void := false, false
	for _, mc := range r.cols {
		cell := ""
		if mc.col < len(cells) {
			cell = cells[mc.col]
		}
		if m.take(mc.field, cell) {
			continue
		}
		switch mc.field {
		case FieldSubject:
			subject = cell
		case FieldValue:
			value = cell
		case FieldAbsent:
			absent = truthy(cell)
		case FieldVoid:
			void = truthy(cell)
		}
	}
	if strings.TrimSpace(subject) == "" && r.subject != "" {
		if strings.TrimSpace(value) == "" && m.id == "" && m.name == "" {
			return
		}
		subject = r.subject
	}
	id, name := NormID(m.id), clean(m.name)
	if id == "" && name == "" && strings.TrimSpace(subject) == "" {
		return
	}
	switch {
	case headerAgain(r, cells):
		w.skip(r, line, skipHeader, "")
		return
	case summaryRow(r, &m, cells):
		w.skip(r, line, skipSummary, "")
		return
	case m.include != "" && excluded(m.include):
		// Counted once per student (a student's rows are one per subject).
		w.skip(r, line, skipExcluded, Norm(m.include))
		w.skipped[len(w.skipped)-1].id = id + "\x00" + name
		return
	}
	if !absent && !void && m.remark != "" {
		_, k := parseScore(m.remark)
		absent, void = k == scoreAbsent, k == scoreVoid
	}
	bad := w.formulaProblems(r, line, cells, formulas)
	// The subject.
	canon, ok := CanonicalSubject(subject)
	if !ok {
		canon = clean(subject)
	}
	subj := p.subject(canon)
	if subj < 0 && canon != "" && p.opts.Exam == nil && len(p.subjects) < maxSubjects {
		subj = lw.addSubject(canon)
	}
	if subj < 0 {
		w.problem(r, line, "科目", ProblemUnknownSubject, canon, fmt.Sprintf("科目“%s”不是本次考试的科目", canon))
		bad = true
	}
	// The student: the first row of a student number sets school and class.
	school, schoolOK := w.school(r, line, m.school, m.code, m.group)
	if !schoolOK {
		bad = true
		school = w.unknownSchool()
	}
	class := w.classOf(school, m.class)
	if id == "" {
		if r.noID {
			id = w.schools[school].name + "|" + w.classes[class].Name + "|" + name
		} else {
			w.problem(r, line, "考号", ProblemMissingID, "", "缺少考号")
			return
		}
	}
	k, seen := lw.byID[id]
	if !seen {
		k = int32(len(w.ids))
		lw.byID[id] = k
		w.ids = append(w.ids, id)
		w.hash = append(w.hash, maphash.String(p.seed, id))
		w.names = append(w.names, name)
		w.class = append(w.class, class)
		w.rows = append(w.rows, RowRef{Sheet: int32(r.index), Line: int32(line)})
		w.invalid = append(w.invalid, false)
		lw.where = append(lw.where, schoolClass{school, class})
		for s := range w.scores {
			w.scores[s] = append(w.scores[s], analysis.NoScore)
			lw.set[s] = append(lw.set[s], false)
		}
	} else if lw.where[k] != (schoolClass{school, class}) || name != w.names[k] {
		w.problem(r, line, "考号", ProblemInconsistent, id,
			fmt.Sprintf("考号“%s”在第%d行是 %s %s %s，这里不同", id, w.rows[k].Line, w.schools[lw.where[k].school].name, w.classes[lw.where[k].class].Name, w.names[k]))
		bad = true
	}
	if subj >= 0 {
		var v int32
		switch {
		case void:
			v = analysis.Void
		case absent:
			v = analysis.Absent
		default:
			var ok bool
			if v, ok = w.score(r, line, p.subjects[subj], subj, p.full[subj], value); !ok {
				bad = true
			}
		}
		if lw.set[subj][k] {
			// As a repeated 考号 in the wide shape: which row is right is
			// unknown, so the student is left out (both rows).
			w.problem(r, line, "科目", ProblemDuplicateScore, p.subjects[subj], fmt.Sprintf("考号“%s”的“%s”成绩出现了两次（第%d行起），该生不计", id, p.subjects[subj], w.rows[k].Line))
			bad = true
		} else {
			w.scores[subj][k] = v
			lw.set[subj][k] = true
		}
	}
	if bad {
		w.invalid[k] = true
	}
}

func (lw *longWorker) finish() *worker { return lw.w }
