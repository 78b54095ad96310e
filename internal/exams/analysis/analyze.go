package analysis

import (
	"cmp"
	"edugroup/internal/hugemem"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"edugroup/internal/errs"
)

// Analyze computes the report of one exam. It checks the exam and the data
// first (an error names what is wrong), then works subject by subject on
// every core: each subject's histograms, lines, unit rows and student ranks
// are independent of the others'.
func Analyze(e *Exam, d *Data) (*Report, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if err := d.check(e); err != nil {
		return nil, err
	}
	a := newAnalyzer(e, d)
	// Every subject keeps a histogram per school, group and teacher; a
	// file with absurdly many of them is refused rather than allowed to
	// exhaust memory (32,000 schools with a 1,050-point total still fit).
	units := int64(len(d.Schools) + len(d.Groups) + len(d.Teaching))
	if units*int64(slices.Max(a.bins)) > maxHistogramCells {
		return nil, errs.New(errs.Invalid, keyDataTooMany, errs.Args{"schools": len(d.Schools)})
	}
	return a.run(), nil
}

// maxHistogramCells bounds one subject's unit histograms (4 bytes a cell).
const maxHistogramCells = 1 << 26

type analyzer struct {
	e    *Exam
	d    *Data
	set  Settings
	n    int
	nS   int // exam subjects; index nS is 总分
	nSub int // nS + 1

	full []float64 // per subject and total
	bins []int     // 2·full + 1
	cols [][]int32 // per subject and total

	nGroups, nSchools, nClasses int
	schoolOf                    []int32 // per student
	classStart, classOrder      []int32 // students by class
	schoolClassStart            []int32 // classes by school
	schoolClasses               []int32
	classPos                    []int32 // class → its row position (school order)

	teach    []teachMap // per subject
	bigClass bool       // a class too big for uint16 ranks
	class16  []uint16   // all subjects' class ranks, subject by subject
	class32  []int32    // the same when a class is too big for uint16

	rep      *Report
	stats    []Stat
	baseG    int
	baseS    int
	baseC    int
	baseT    int
	tOff     []int // per subject, offset of its teacher rows
	lines    []lineSet
	warnings []string
	// warningKeys are the warnings by message key, beside their text.
	warningKeys []Warning
	mu          sync.Mutex
}

// teachMap says who teaches each class in one subject.
type teachMap struct {
	of      []int32 // class → teacher, −1 for none
	names   []string
	school  []string // the teacher's school, "" when several
	classes []string // the teacher's classes, joined
}

// lineSet is a subject's lines, in points and as the first bin that meets
// them.
type lineSet struct {
	mode                     string
	exc, good, pass, low     float64
	excB, goodB, passB, lowB int
	crit                     []critRange
	tiers                    []TierLine
	tierB                    []int
}

type critRange struct {
	name     string
	line     float64
	from, to int // bins, from ≤ b < to
}

func newAnalyzer(e *Exam, d *Data) *analyzer {
	a := &analyzer{e: e, d: d, set: e.Settings, n: d.Len(), nS: len(e.Subjects)}
	a.nSub = a.nS + 1
	a.nGroups, a.nSchools, a.nClasses = len(d.Groups), len(d.Schools), len(d.Classes)
	total := 0.0
	for _, s := range e.Subjects {
		a.full = append(a.full, s.Full)
		if s.CountsForTotal() {
			total += s.Full
		}
	}
	a.full = append(a.full, total)
	for _, f := range a.full {
		a.bins = append(a.bins, int(math.Round(f*2))+1)
	}
	a.cols = append(append([][]int32{}, d.Scores...), hugemem.Make[int32](a.n))
	if e.Settings.Blank == "absent" {
		// Setting blank: absent reads every blank as 缺考, in copies of
		// the columns (the data stays as imported).
		for s := range a.nS {
			col := d.Scores[s]
			if !slices.Contains(col, NoScore) {
				continue
			}
			c := hugemem.Make[int32](a.n)
			parallel(a.n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					v := col[i]
					if v == NoScore {
						v = Absent
					}
					c[i] = v
				}
			})
			a.cols[s] = c
		}
	}
	return a
}

// parallel runs fn over [0,n) in one chunk per core.
func parallel(n int, fn func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), max(1, n/4096))
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := n*k/w, n*(k+1)/w
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// warnKey adds a warning: its Chinese text to Report.Warnings, its key
// and arguments to Report.WarningKeys (for other languages).
func (a *analyzer) warnKey(key string, args errs.Args) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.warnings = append(a.warnings, fill(key, args))
	a.warningKeys = append(a.warningKeys, Warning{Key: key, Args: args})
}

// eff is the value a score counts as: its bin, or −1 when it is left out.
func (a *analyzer) eff(s int, v int32) int32 {
	if v >= 0 {
		return v
	}
	if s < a.nS && (v == Absent && a.set.AbsentAsZero || v == Void && a.set.VoidAsZero) {
		return 0
	}
	return -1
}

func (a *analyzer) run() *Report {
	d := a.d
	a.rep = &Report{Exam: a.e.Name, Settings: a.set, data: d, Warnings: []string{}}
	a.rep.Settings.Tiers = slices.Clone(a.set.Tiers)
	a.layoutUnits()
	a.totals()
	a.teaching()
	a.rep.teach = a.teach

	// Rows: exam, groups, schools, classes (school by school), teachers.
	a.baseG = a.nSub
	a.baseS = a.baseG + a.nGroups*a.nSub
	a.baseC = a.baseS + a.nSchools*a.nSub
	a.baseT = a.baseC + a.nClasses*a.nSub
	a.tOff = make([]int, a.nSub+1)
	for s := range a.nSub {
		a.tOff[s+1] = a.tOff[s] + len(a.teach[s].names)
	}
	a.stats = hugemem.Make[Stat](a.baseT + a.tOff[a.nSub])
	a.lines = make([]lineSet, a.nSub)
	a.rep.Subjects = make([]SubjectInfo, a.nSub)
	a.rep.total = a.cols[a.nS]
	a.rep.cols = a.cols[:a.nS]
	a.rep.ranks = make([]rankTables, a.nSub)
	for c := range a.nClasses {
		a.bigClass = a.bigClass || a.classStart[c+1]-a.classStart[c] >= math.MaxUint16
	}
	// Every subject's class ranks in one slab, so that it is big enough
	// for huge pages.
	if a.bigClass {
		a.class32 = hugemem.Make[int32](a.n * a.nSub)
	} else {
		a.class16 = hugemem.Make[uint16](a.n * a.nSub)
	}
	dists := make([]Distribution, a.nSub)
	bands := make([][]Band, a.nSub)
	balance := make([][]Balance, a.nSub)

	// The total has the widest histograms: start it first.
	order := make([]int, a.nSub)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(a.bins[y], a.bins[x]) })
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), a.nSub) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(order) {
					return
				}
				s := order[k]
				t := &task{a: a, s: s}
				t.run()
				dists[s], bands[s], balance[s] = t.dist, t.bands, t.balance
			}
		})
	}
	wg.Wait()

	a.emptySubjects()
	a.allSubjects()
	a.contribution()
	a.leads()
	a.rep.Stats = a.stats
	a.rep.Distributions = dists
	for _, b := range bands {
		a.rep.Bands = append(a.rep.Bands, b...)
	}
	for _, b := range balance {
		a.rep.Balance = append(a.rep.Balance, b...)
	}
	a.rep.TierLines = a.lines[a.nS].tiers
	a.rep.Papers = a.papers()
	a.rep.Warnings = append(a.rep.Warnings, a.warnings...)
	a.rep.WarningKeys = append(a.rep.WarningKeys, a.warningKeys...)
	return a.rep
}

// emptySubjects warns of a subject nobody has a counted score in: with
// total_missing exclude it leaves every 总分 figure empty.
func (a *analyzer) emptySubjects() {
	if a.n == 0 {
		return
	}
	for s, sub := range a.e.Subjects {
		if a.stats[s].N > 0 {
			continue
		}
		switch {
		case sub.CountsForTotal() && a.set.TotalMissing == "exclude":
			a.warnKey(keyWarnSubjectEmptyTotals, errs.Args{"subject": sub.Name})
		case sub.CountsForTotal():
			a.warnKey(keyWarnSubjectEmptyRest, errs.Args{"subject": sub.Name})
		default:
			a.warnKey(keyWarnSubjectEmpty, errs.Args{"subject": sub.Name})
		}
	}
}

// layoutUnits indexes students by class and classes by school.
func (a *analyzer) layoutUnits() {
	d := a.d
	a.schoolOf = hugemem.Make[int32](a.n)
	parallel(a.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a.schoolOf[i] = d.Classes[d.Class[i]].School
		}
	})
	a.classStart = make([]int32, a.nClasses+1)
	for _, c := range d.Class {
		a.classStart[c+1]++
	}
	for c := range a.nClasses {
		a.classStart[c+1] += a.classStart[c]
	}
	a.classOrder = hugemem.Make[int32](a.n)
	fillPos := slices.Clone(a.classStart[:a.nClasses])
	for i, c := range d.Class {
		a.classOrder[fillPos[c]] = int32(i)
		fillPos[c]++
	}
	a.schoolClassStart = make([]int32, a.nSchools+1)
	for _, c := range d.Classes {
		a.schoolClassStart[c.School+1]++
	}
	for s := range a.nSchools {
		a.schoolClassStart[s+1] += a.schoolClassStart[s]
	}
	a.schoolClasses = make([]int32, a.nClasses)
	a.classPos = make([]int32, a.nClasses)
	pos := slices.Clone(a.schoolClassStart[:a.nSchools])
	for c, cl := range d.Classes {
		a.schoolClasses[pos[cl.School]] = int32(c)
		a.classPos[c] = pos[cl.School]
		pos[cl.School]++
	}
}

// totals fills the 总分 column: the sum over the total-score subjects, or
// Absent for a student left out (setting total_missing), or NoScore for a
// student who sits none of them.
func (a *analyzer) totals() {
	var in []int
	for s, sub := range a.e.Subjects {
		if sub.CountsForTotal() {
			in = append(in, s)
		}
	}
	tot := a.cols[a.nS]
	partial := a.set.TotalMissing == "partial"
	parallel(a.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var sum int32
			counted, missing, entered := 0, false, false
			for _, s := range in {
				v := a.cols[s][i]
				if v != NoScore {
					entered = true
				}
				if e := a.eff(s, v); e >= 0 {
					sum += e
					counted++
				} else {
					missing = true
				}
			}
			switch {
			case !entered:
				tot[i] = NoScore
			case counted == 0 || missing && !partial:
				tot[i] = Absent
			default:
				tot[i] = sum
			}
		}
	})
}

// teaching resolves the 任课表 into per-subject class → teacher maps.
func (a *analyzer) teaching() {
	d := a.d
	a.teach = make([]teachMap, a.nSub)
	for s := range a.nSub {
		a.teach[s].of = slices.Repeat([]int32{-1}, a.nClasses)
	}
	if len(d.Teaching) == 0 {
		return
	}
	subj := map[string]int{}
	for s, sub := range a.e.Subjects {
		subj[sub.Name] = s
	}
	school := map[string]int32{}
	for i, sc := range d.Schools {
		school[sc.Name] = int32(i)
		if sc.Code != "" {
			school[sc.Code] = int32(i)
		}
	}
	class := map[classKey]int32{}
	for c, cl := range d.Classes {
		class[classKey{cl.School, cl.Name}] = int32(c)
	}
	ids := make([]map[string]int32, a.nS)
	var unknown []string
	for _, t := range d.Teaching {
		s, ok := subj[t.Subject]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("科目“%s”", t.Subject))
			continue
		}
		sc, ok := school[t.School]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("学校“%s”", t.School))
			continue
		}
		c, ok := class[classKey{sc, t.Class}]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%s %s", t.School, t.Class))
			continue
		}
		if t.Teacher == "" {
			continue
		}
		if ids[s] == nil {
			ids[s] = map[string]int32{}
		}
		tm := &a.teach[s]
		id, ok := ids[s][t.Teacher]
		if !ok {
			id = int32(len(tm.names))
			ids[s][t.Teacher] = id
			tm.names = append(tm.names, t.Teacher)
		}
		if prev := tm.of[c]; prev >= 0 && prev != id {
			a.warnKey(keyWarnTeacherTwice, errs.Args{"school": t.School, "class": t.Class, "subject": t.Subject, "first": tm.names[prev], "second": t.Teacher})
		}
		tm.of[c] = id
	}
	if len(unknown) > 0 {
		shown := unknown[:min(len(unknown), 10)]
		a.warnKey(keyWarnTeachingUnknown, errs.Args{"list": strings.Join(shown, "、"), "n": len(unknown)})
	}
	for s := range a.nS {
		tm := &a.teach[s]
		schools := make([]int32, len(tm.names))
		for i := range schools {
			schools[i] = -2
		}
		classes := make([][]string, len(tm.names))
		// School order, so a teacher's classes list in the order of the rows.
		for _, c := range a.schoolClasses {
			t := tm.of[c]
			if t < 0 {
				continue
			}
			sc := d.Classes[c].School
			switch schools[t] {
			case -2:
				schools[t] = sc
			case sc:
			default:
				schools[t] = -1
			}
			classes[t] = append(classes[t], d.Classes[c].Name)
		}
		tm.school = make([]string, len(tm.names))
		tm.classes = make([]string, len(tm.names))
		for t := range tm.names {
			if schools[t] >= 0 {
				tm.school[t] = d.Schools[schools[t]].Name
			}
			tm.classes[t] = strings.Join(classes[t], "、")
		}
	}
}

// row returns the Stat of a unit and subject.
func (a *analyzer) examRow(s int) *Stat       { return &a.stats[s] }
func (a *analyzer) groupRow(g, s int) *Stat   { return &a.stats[a.baseG+g*a.nSub+s] }
func (a *analyzer) schoolRow(sc, s int) *Stat { return &a.stats[a.baseS+sc*a.nSub+s] }
func (a *analyzer) classRow(c, s int) *Stat   { return &a.stats[a.baseC+int(a.classPos[c])*a.nSub+s] }
func (a *analyzer) teacherRow(t, s int) *Stat { return &a.stats[a.baseT+a.tOff[s]+t] }
func (a *analyzer) subjectName(s int) string {
	if s == a.nS {
		return TotalName
	}
	return a.e.Subjects[s].Name
}

// allSubjects counts 全科及格 and 全科优秀 on the 总分 rows: students with
// a total who meet the line in every total-score subject.
func (a *analyzer) allSubjects() {
	var in []int
	for s, sub := range a.e.Subjects {
		if sub.CountsForTotal() {
			in = append(in, s)
		}
	}
	pass := make([]int32, a.nClasses)
	exc := make([]int32, a.nClasses)
	tot := a.cols[a.nS]
	parallel(a.nClasses, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var p, x int32
			for _, i := range a.classOrder[a.classStart[c]:a.classStart[c+1]] {
				if tot[i] < 0 {
					continue
				}
				allP, allX := true, true
				for _, s := range in {
					v := int(a.eff(s, a.cols[s][i]))
					if v < a.lines[s].passB {
						allP = false
					}
					if v < a.lines[s].excB {
						allX = false
					}
				}
				if allP {
					p++
				}
				if allX {
					x++
				}
			}
			pass[c], exc[c] = p, x
		}
	})
	set := func(st *Stat, p, x int) {
		st.AllPassCount, st.AllExcellentCount = p, x
		st.AllPassRate, st.AllExcellentRate = rate(p, st.N), rate(x, st.N)
	}
	sp := make([]int, a.nSchools)
	sx := make([]int, a.nSchools)
	for c, cl := range a.d.Classes {
		set(a.classRow(c, a.nS), int(pass[c]), int(exc[c]))
		sp[cl.School] += int(pass[c])
		sx[cl.School] += int(exc[c])
	}
	gp := make([]int, a.nGroups)
	gx := make([]int, a.nGroups)
	ep, ex := 0, 0
	for sc, school := range a.d.Schools {
		set(a.schoolRow(sc, a.nS), sp[sc], sx[sc])
		if school.Group >= 0 {
			gp[school.Group] += sp[sc]
			gx[school.Group] += sx[sc]
		}
		ep += sp[sc]
		ex += sx[sc]
	}
	for g := range a.nGroups {
		set(a.groupRow(g, a.nS), gp[g], gx[g])
	}
	set(a.examRow(a.nS), ep, ex)
}

// contribution fills 学科贡献率 of groups, schools and classes against the
// exam: (unit 得分率 − exam 得分率) in the subject minus the same in the total.
func (a *analyzer) contribution() {
	units := a.baseT - a.baseG
	for r := 0; r < units; r += a.nSub {
		total := &a.stats[a.baseG+r+a.nS]
		dt := total.ScoreRate - a.stats[a.nS].ScoreRate
		for s := range a.nS {
			st := &a.stats[a.baseG+r+s]
			st.Contribution = st.ScoreRate - a.stats[s].ScoreRate - dt
		}
	}
}

// leads settles each group's lead school (named in the exam, else the
// school with the best total T) and every member's gap to it.
func (a *analyzer) leads() {
	d := a.d
	named := map[string]string{}
	leadName := map[string]string{}
	for _, g := range a.e.Groups {
		named[g.Name] = g.Lead
		if g.LeadName != "" && g.LeadName != g.Lead {
			leadName[g.Name] = g.LeadName + "（" + g.Lead + "）"
		}
	}
	a.rep.Groups = make([]GroupInfo, a.nGroups)
	lead := make([]int32, a.nGroups)
	for g := range a.nGroups {
		lead[g] = -1
		info := &a.rep.Groups[g]
		info.Name = d.Groups[g]
		want, hasName := named[info.Name]
		best := math.Inf(-1)
		bestSchool := int32(-1)
		for sc, school := range d.Schools {
			if school.Group != int32(g) {
				continue
			}
			info.Schools++
			if hasName && (school.Name == want || school.Code != "" && school.Code == want) {
				lead[g] = int32(sc)
			}
			if t := a.schoolRow(sc, a.nS).TScore; t > best {
				best, bestSchool = t, int32(sc)
			}
		}
		if hasName && lead[g] < 0 {
			shown := want
			if n, ok := leadName[info.Name]; ok {
				shown = n
			}
			a.warnKey(keyWarnLeadAbsent, errs.Args{"group": info.Name, "lead": shown})
		}
		if lead[g] < 0 {
			lead[g] = bestSchool
			info.LeadInferred = true
		}
		if lead[g] >= 0 {
			info.Lead = d.Schools[lead[g]].Name
		}
	}
	for sc, school := range d.Schools {
		for s := range a.nSub {
			st := a.schoolRow(sc, s)
			st.GapToLead = math.NaN()
			if school.Group < 0 || lead[school.Group] < 0 {
				continue
			}
			gap := a.schoolRow(int(lead[school.Group]), s).TScore - st.TScore
			if a.set.GapUnit == "Z" {
				gap /= a.set.TSD
			}
			st.GapToLead = gap
		}
	}
}

func rate(count, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return float64(count) / float64(n)
}
