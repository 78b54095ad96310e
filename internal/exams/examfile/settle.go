package examfile

import (
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// Checks that need every row of the file: the content of a column against
// its header, schools without 考号 and sheets that repeat other sheets.

// classLike: a cell that reads as a class (2, 02, 101, 高一(5), 3班, 实验班),
// not a person's name.
func classLike(s string) bool {
	// A name has no digit, bracket or 班: most cells are answered here,
	// without the work of CanonicalClass.
	if !strings.ContainsAny(s, "0123456789０１２３４５６７８９()（）班") {
		return false
	}
	c := CanonicalClass(s)
	return c != "" && strings.HasSuffix(c, "班")
}

// minSwappedRun is the fewest consecutive rows of a school with 姓名 and
// 班级 swapped that are read as a block: a shorter run beside rows that are
// not swapped leaves the reader unsure, and it asks.
const minSwappedRun = 5

// swappedColumns finds the schools (or blocks of a school's rows) whose
// 姓名 column holds class codes and whose 班级 column holds names, and
// reads them swapped, with a note; when swapped and plain rows are mixed
// in short runs it stops with a question naming the schools.
func (p *parser) swappedColumns(res *Result) error {
	d := res.Data
	hasName, hasClass := "", ""
	for _, c := range p.m.Columns {
		switch c.Field {
		case FieldName:
			hasName = c.Header
		case FieldClass:
			hasClass = c.Header
		}
	}
	if hasName == "" || hasClass == "" || p.m.Shape == ShapeLong || len(d.ID) == 0 {
		return nil
	}
	// swapped[i]: the row's name is a class and its class is not.
	classIsLike := make([]bool, len(d.Classes))
	for c, cl := range d.Classes {
		classIsLike[c] = classLike(cl.Name)
	}
	swapped := make([]bool, len(d.ID))
	any := false
	for i, name := range d.Name {
		if name != "" && !classIsLike[d.Class[i]] && classLike(name) {
			swapped[i] = true
			any = true
		}
	}
	if !any {
		return nil
	}
	// Runs of swapped rows among each school's own rows, in file order (a
	// league sorted by score interleaves the schools).
	type state struct {
		rows, fixed int
		unsure      bool
	}
	schools := make([]state, len(d.Schools))
	bySchool := make([][]int32, len(d.Schools))
	for i := range d.ID {
		sc := d.Classes[d.Class[i]].School
		bySchool[sc] = append(bySchool[sc], int32(i))
		schools[sc].rows++
	}
	fix := make([]bool, len(d.ID))
	for sc, rows := range bySchool {
		// A person's answer for the school settles it.
		switch p.m.Swapped[d.Schools[sc].Name] {
		case SwapNone:
			for _, i := range rows {
				swapped[i] = false
			}
			continue
		case SwapRows:
			for _, i := range rows {
				fix[i] = swapped[i]
			}
			continue
		}
		for k := 0; k < len(rows); {
			if !swapped[rows[k]] {
				k++
				continue
			}
			end := k
			for end < len(rows) && swapped[rows[end]] {
				end++
			}
			if end-k >= minSwappedRun || end-k == len(rows) {
				for _, i := range rows[k:end] {
					fix[i] = true
				}
			}
			k = end
		}
	}
	var unsure, list []string
	for i := range d.ID {
		if swapped[i] && !fix[i] {
			sc := d.Classes[d.Class[i]].School
			if !schools[sc].unsure {
				schools[sc].unsure = true
				unsure = append(unsure, "“"+d.Schools[sc].Name+"”")
				list = append(list, d.Schools[sc].Name)
			}
		}
	}
	if len(unsure) > 0 {
		// list names the schools one by one, for a page to take an
		// answer per school (Mapping.Swapped).
		return errs.New(errs.Invalid, keyAskSwapped, errs.Args{"schools": strings.Join(unsure, "、"), "list": list})
	}
	if !slices.Contains(fix, true) {
		return nil
	}
	// Swap: the class cell (read as a class name, which keeps a name as it
	// is) is the name, the name cell the class.
	classIdx := map[classKey]int32{}
	for c, cl := range d.Classes {
		classIdx[classKey{cl.School, cl.Name}] = int32(c)
	}
	var names []string
	n := 0
	for i := range d.ID {
		if !fix[i] {
			continue
		}
		n++
		old := d.Classes[d.Class[i]]
		cls := CanonicalClass(d.Name[i])
		k := classKey{old.School, cls}
		c, ok := classIdx[k]
		if !ok {
			c = int32(len(d.Classes))
			classIdx[k] = c
			d.Classes = append(d.Classes, analysis.Class{School: old.School, Name: cls})
		}
		d.Name[i] = old.Name
		d.Class[i] = c
		schools[old.School].fixed++
	}
	for sc, s := range schools {
		if s.fixed > 0 {
			names = append(names, "“"+d.Schools[sc].Name+"”")
		}
	}
	p.noteKey(keyNoteSwapped, errs.Args{"schools": strings.Join(names, "、"), "name": hasName, "class": hasClass, "n": n})
	keep := make([]bool, len(d.ID))
	for i := range keep {
		keep[i] = true
	}
	p.dropRows(res, keep)
	return nil
}

// missingIDs settles the rows without a 考号: a school none of whose rows
// has one keeps its students under a key made of school, class and name
// (with a note naming it); elsewhere a blank 考号 is a problem.
func (p *parser) missingIDs(res *Result) {
	if len(p.missing) == 0 {
		return
	}
	d := res.Data
	rows := make([]int, len(d.Schools))
	blank := make([]int, len(d.Schools))
	for i := range d.ID {
		rows[d.Classes[d.Class[i]].School]++
	}
	for _, i := range p.missing {
		blank[d.Classes[d.Class[i]].School]++
	}
	var named []string
	kept := 0
	added := false
	for _, i := range p.missing {
		sc := d.Classes[d.Class[i]].School
		if blank[sc] == rows[sc] && d.Name[i] != "" {
			d.ID[i] = d.Schools[sc].Name + "|" + d.Classes[d.Class[i]].Name + "|" + d.Name[i]
			p.hash[i] = maphash.String(p.seed, d.ID[i])
			kept++
			if n := "“" + d.Schools[sc].Name + "”"; !slices.Contains(named, n) {
				named = append(named, n)
			}
			continue
		}
		res.Invalid[i] = true
		res.ProblemCount++
		added = true
		if len(res.Problems) < p.opts.MaxProblems {
			ref := res.Rows[i]
			res.Problems = append(res.Problems, Problem{Sheet: p.sheets[ref.Sheet], Line: int(ref.Line), Field: "考号",
				Code: ProblemMissingID, Message: "缺少考号"})
		}
	}
	if kept > 0 {
		p.noteKey(keyNoteGeneratedIDs, errs.Args{"schools": strings.Join(named, "、"), "n": kept})
	}
	if added {
		p.sortProblems(res)
	}
}

// repeatedSheets leaves out the rows of a sheet that repeat a student of a
// bigger sheet (a school's sheet, then one sheet per class with the same
// students): the same 考号, name and scores. One note says so; a student
// repeated with other scores stays, and is a duplicate.
func (p *parser) repeatedSheets(res *Result) {
	if len(p.sheets) < 2 {
		return
	}
	d := res.Data
	size := make([]int, len(p.sheets))
	for _, r := range res.Rows {
		size[r.Sheet]++
	}
	order := make([]int, len(p.sheets))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return size[b] - size[a] })
	bySheet := make([][]int, len(p.sheets))
	for i, r := range res.Rows {
		bySheet[r.Sheet] = append(bySheet[r.Sheet], i)
	}
	// Keyed by the hash of the 考号 (the same 考号 has the same hash; two
	// that share a hash by chance are simply not taken as a repeat).
	first := make(map[uint64]int32, len(d.ID))
	drop := make([]bool, len(d.ID))
	dropped := 0
	var sheets []string
	same := func(a, b int) bool {
		if d.Name[a] != d.Name[b] {
			return false
		}
		for s := range d.Scores {
			if d.Scores[s][a] != d.Scores[s][b] {
				return false
			}
		}
		return true
	}
	for _, sh := range order {
		n := 0
		for _, i := range bySheet[sh] {
			if d.ID[i] == "" {
				continue
			}
			h := p.hash[i]
			j, ok := first[h]
			if ok && d.ID[j] == d.ID[i] && int(res.Rows[j].Sheet) != sh && same(i, int(j)) {
				drop[i] = true
				n++
				continue
			}
			if !ok {
				first[h] = int32(i)
			}
		}
		if n > 0 {
			dropped += n
			sheets = append(sheets, "“"+p.sheets[sh]+"”")
		}
	}
	if dropped == 0 {
		return
	}
	// The sheets in file order.
	slices.SortFunc(sheets, func(a, b string) int {
		return slices.Index(p.sheets, strings.Trim(a, "“”")) - slices.Index(p.sheets, strings.Trim(b, "“”"))
	})
	shown := sheets
	if len(shown) > 4 {
		shown = append(append([]string{}, shown[:3]...), "…", shown[len(shown)-1])
	}
	list := strings.Join(shown, "、")
	if len(sheets) > 1 {
		list += "（共 " + strconv.Itoa(len(sheets)) + " 张）"
	}
	p.noteKey(keyNoteRepeated, errs.Args{"sheets": list, "n": dropped})
	keep := make([]bool, len(drop))
	for i, x := range drop {
		keep[i] = !x
	}
	p.dropRows(res, keep)
}

// dropRows keeps the rows keep marks (all of them to only tidy away empty
// classes), with their problems; the rest go from the data, the row
// references, the validity marks, the hashes and the problems.
func (p *parser) dropRows(res *Result, keep []bool) {
	var idx []int
	type at struct{ sheet, line int }
	gone := map[at]bool{}
	for i, k := range keep {
		if k {
			idx = append(idx, i)
		} else {
			gone[at{int(res.Rows[i].Sheet), int(res.Rows[i].Line)}] = true
		}
	}
	res.Data = subset(res.Data, idx)
	rows := make([]RowRef, len(idx))
	invalid := make([]bool, len(idx))
	hash := make([]uint64, len(idx))
	for k, i := range idx {
		rows[k], invalid[k], hash[k] = res.Rows[i], res.Invalid[i], p.hash[i]
	}
	res.Rows, res.Invalid, p.hash = rows, invalid, hash
	if len(gone) == 0 {
		return
	}
	out := res.Problems[:0]
	for _, pr := range res.Problems {
		if gone[at{slices.Index(p.sheets, pr.Sheet), pr.Line}] {
			res.ProblemCount--
			continue
		}
		out = append(out, pr)
	}
	res.Problems = out
}
