package analysis

import (
	"cmp"
	"math"
	"slices"
)

// task computes everything of one subject (or the total): histograms per
// school, the exam and groups summed from them, lines, unit rows, bands,
// the 一分一段 table, and every student's three ranks.
type task struct {
	a    *analyzer
	s    int
	name string
	full float64
	B    int
	col  []int32
	ls   *lineSet

	examMean, examSD float64
	critSlab         []int
	tierSlab         []int

	dist    Distribution
	bands   []Band
	balance []Balance
}

type unitCount struct{ enrolled, absent, void int32 }

func (u *unitCount) add(o unitCount) {
	u.enrolled += o.enrolled
	u.absent += o.absent
	u.void += o.void
}

func (t *task) run() {
	a, s := t.a, t.s
	d := a.d
	t.name, t.full, t.B, t.col = a.subjectName(s), a.full[s], a.bins[s], a.cols[s]
	B := t.B
	sample, inc := a.set.SD == "sample", a.set.Quartile == "inc"
	dense := a.set.Rank == "dense"

	// One pass over the column: every school's histogram and head counts.
	sh := make([]int32, a.nSchools*B)
	scount := make([]unitCount, a.nSchools)
	for i, v := range t.col {
		k := a.schoolOf[i]
		if v != NoScore {
			u := &scount[k]
			u.enrolled++
			switch v {
			case Absent:
				u.absent++
			case Void:
				u.void++
			}
		}
		if e := a.eff(s, v); e >= 0 {
			sh[int(k)*B+int(e)]++
		}
	}
	eh := make([]int32, B)
	var ecount unitCount
	for k := range a.nSchools {
		for b, c := range sh[k*B : (k+1)*B] {
			eh[b] += c
		}
		ecount.add(scount[k])
	}
	em := summarize(eh, 0, sample, inc)
	t.examMean, t.examSD = em.mean, em.sd
	ls := t.computeLines(eh, em.n)
	a.lines[s] = ls
	t.ls = &a.lines[s]
	ecum := slices.Clone(eh)
	suffix(ecum)
	t.critical(ecum, em.n)
	for i := range t.ls.tiers {
		t.ls.tiers[i].Count = atLeast(ecum, 0, t.ls.tierB[i], em.n)
	}
	erank := ecum
	if dense {
		erank = slices.Clone(ecum)
		denseSuffix(erank)
	}

	nT := len(a.teach[s].names)
	rows := 1 + a.nGroups + a.nSchools + a.nClasses + nT
	t.critSlab = make([]int, rows*len(t.ls.crit))
	if s == a.nS {
		t.tierSlab = make([]int, rows*len(t.ls.tiers))
	}

	a.rep.Subjects[s] = t.info(em)

	ex := a.examRow(s)
	ex.Level = LevelExam
	t.fill(ex, em, ecount, func(b int) int { return atLeast(ecum, 0, b, em.n) }, math.NaN())
	t.dist = t.distribution(eh, em)
	t.bands = append(t.bands, t.band(LevelExam, "", "", eh, em.n))

	// Groups: the sum of their schools.
	if a.nGroups > 0 {
		gh := make([]int32, a.nGroups*B)
		gcount := make([]unitCount, a.nGroups)
		for k, school := range d.Schools {
			if g := school.Group; g >= 0 {
				dst := gh[int(g)*B : int(g+1)*B]
				for b, c := range sh[k*B : (k+1)*B] {
					dst[b] += c
				}
				gcount[g].add(scount[k])
			}
		}
		var grows []*Stat
		for g := range a.nGroups {
			h := gh[g*B : (g+1)*B]
			sm := summarize(h, 0, sample, inc)
			t.bands = append(t.bands, t.band(LevelGroup, d.Groups[g], "", h, sm.n))
			suffix(h)
			st := a.groupRow(g, s)
			st.Level, st.Group = LevelGroup, d.Groups[g]
			t.fill(st, sm, gcount[g], func(b int) int { return atLeast(h, 0, b, sm.n) }, em.mean)
			grows = append(grows, st)
		}
		t.rankUnits(grows, func(st *Stat, r int) { st.Rank = r })
	}

	// Schools; afterwards each school histogram becomes its rank table.
	srows := make([]*Stat, a.nSchools)
	for k, school := range d.Schools {
		h := sh[k*B : (k+1)*B]
		sm := summarize(h, 0, sample, inc)
		group := ""
		if school.Group >= 0 {
			group = d.Groups[school.Group]
		}
		t.bands = append(t.bands, t.band(LevelSchool, group, school.Name, h, sm.n))
		suffix(h)
		st := a.schoolRow(k, s)
		st.Level, st.Group, st.School, st.SchoolCode = LevelSchool, group, school.Name, school.Code
		t.fill(st, sm, scount[k], func(b int) int { return atLeast(h, 0, b, sm.n) }, em.mean)
		if dense {
			denseSuffix(h)
		}
		srows[k] = st
	}
	t.rankUnits(srows, func(st *Stat, r int) { st.Rank = r })
	t.balances(srows)

	// Classes, one at a time through a scratch histogram; the members get
	// their class, school and exam ranks on the way.
	tm := &a.teach[s]
	var th []int32
	var tcount []unitCount
	if nT > 0 {
		th = make([]int32, nT*B)
		tcount = make([]unitCount, nT)
	}
	rt := &a.rep.ranks[s]
	rt.bins, rt.exam, rt.school = B, erank, sh
	if a.bigClass {
		rt.class32 = a.class32[s*a.n : (s+1)*a.n : (s+1)*a.n]
	} else {
		rt.class16 = a.class16[s*a.n : (s+1)*a.n : (s+1)*a.n]
	}
	ch := make([]int32, B)
	var vals []int32
	var denseAt []int32
	crows := make([]*Stat, a.nClasses)
	for c, cl := range d.Classes {
		members := a.classOrder[a.classStart[c]:a.classStart[c+1]]
		var u unitCount
		vals = vals[:0]
		for _, i := range members {
			v := t.col[i]
			if v != NoScore {
				u.enrolled++
				switch v {
				case Absent:
					u.absent++
				case Void:
					u.void++
				}
			}
			if e := a.eff(s, v); e >= 0 {
				vals = append(vals, e)
			}
		}
		school := d.Schools[cl.School]
		st := a.classRow(c, s)
		st.Level, st.School, st.SchoolCode, st.Class = LevelClass, school.Name, school.Code, cl.Name
		if school.Group >= 0 {
			st.Group = d.Groups[school.Group]
		}
		crows[c] = st
		ref := a.schoolRow(int(cl.School), s).Mean
		tid := tm.of[c]
		if tid >= 0 {
			tcount[tid].add(u)
			dst := th[int(tid)*B : int(tid+1)*B]
			for _, e := range vals {
				dst[e]++
			}
		}
		setRank := func(i int32, r int32) {
			if rt.class32 != nil {
				rt.class32[i] = r
			} else {
				rt.class16[i] = uint16(r)
			}
		}
		lo, hi := B, -1
		for _, e := range vals {
			lo, hi = min(lo, int(e)), max(hi, int(e))
		}
		if len(vals)*8 < hi-lo+1 {
			// Few students over a wide range: work from the sorted list.
			slices.Sort(vals)
			sm := summarizeSorted(vals, sample, inc)
			n := len(vals)
			t.fill(st, sm, u, func(b int) int {
				j, _ := slices.BinarySearch(vals, int32(min(b, math.MaxInt32)))
				return n - j
			}, ref)
			if dense {
				denseAt = slices.Grow(denseAt[:0], n)[:n]
				k := int32(0)
				for j := n - 1; j >= 0; j-- {
					if j < n-1 && vals[j] != vals[j+1] {
						k++
					}
					denseAt[j] = k
				}
			}
			for _, i := range members {
				if e := a.eff(s, t.col[i]); e >= 0 {
					j, _ := slices.BinarySearch(vals, e) // first of e
					if dense {
						setRank(i, 1+denseAt[j])
					} else {
						above, _ := slices.BinarySearch(vals, e+1)
						setRank(i, int32(1+n-above))
					}
				}
			}
			continue
		}
		if hi < 0 {
			lo, hi = 0, -1
		}
		for _, e := range vals {
			ch[e]++
		}
		seg := ch[lo : hi+1]
		sm := summarize(seg, lo, sample, inc)
		suffix(seg)
		t.fill(st, sm, u, func(b int) int { return atLeast(seg, lo, b, sm.n) }, ref)
		if dense {
			denseSuffix(seg)
		}
		for _, i := range members {
			if e := int(a.eff(s, t.col[i])); e >= 0 {
				setRank(i, rankOf(seg, lo, e))
			}
		}
		clear(seg)
	}
	t.rankUnits(crows, func(st *Stat, r int) { st.Rank = r })
	for k := range a.nSchools {
		cs := a.schoolClasses[a.schoolClassStart[k]:a.schoolClassStart[k+1]]
		in := make([]*Stat, len(cs))
		for j, c := range cs {
			in[j] = crows[c]
		}
		t.rankUnits(in, func(st *Stat, r int) { st.RankInSchool = r })
	}

	// Teachers: the sum of their classes.
	trows := make([]*Stat, nT)
	for tid := range nT {
		h := th[tid*B : (tid+1)*B]
		sm := summarize(h, 0, sample, inc)
		suffix(h)
		st := a.teacherRow(tid, s)
		st.Level, st.Teacher, st.School, st.Class = LevelTeacher, tm.names[tid], tm.school[tid], tm.classes[tid]
		t.fill(st, sm, tcount[tid], func(b int) int { return atLeast(h, 0, b, sm.n) }, em.mean)
		trows[tid] = st
	}
	t.rankUnits(trows, func(st *Stat, r int) { st.Rank = r })
}

// computeLines settles the subject's lines: explicit lines when the exam
// gives them, else percent of full marks or shares of the exam population.
func (t *task) computeLines(eh []int32, n int) lineSet {
	a, s, set := t.a, t.s, t.a.set
	var explicit *Lines
	if s < a.nS {
		explicit = a.e.Subjects[s].Lines
	} else {
		explicit = a.e.TotalLines
	}
	nan := math.NaN()
	ls := lineSet{mode: set.LineMode}
	switch {
	case explicit != nil:
		ls.mode = "absolute"
		ls.exc, ls.good, ls.pass, ls.low = explicit.Excellent, explicit.Good, explicit.Pass, explicit.Low
		if explicit.Good == 0 {
			ls.good = nan
		}
	case set.LineMode == "rank":
		ls.exc, ls.good, ls.pass, ls.low = nan, nan, nan, nan
		if n > 0 {
			ls.exc = float64(topBin(eh, 0, shareCount(n, set.RankExcellentPct))) / 2
			ls.good = float64(topBin(eh, 0, shareCount(n, set.RankGoodPct))) / 2
			ls.pass = float64(topBin(eh, 0, shareCount(n, set.RankPassPct))) / 2
			// Low is "below the line": the line sits one half-point above
			// the score of the last student in the bottom share.
			if set.RankLowPct > 0 {
				ls.low = float64(bottomBin(eh, 0, shareCount(n, set.RankLowPct))+1) / 2
			} else {
				ls.low = 0
			}
		}
	default:
		ls.mode = "percent"
		ls.exc = t.full * set.ExcellentPct / 100
		ls.good = t.full * set.GoodPct / 100
		ls.pass = t.full * set.PassPct / 100
		ls.low = t.full * set.LowPct / 100
	}
	if !set.GoodEnabled {
		ls.good = nan
	}
	ls.excB, ls.goodB, ls.passB, ls.lowB = ceilBin(ls.exc), ceilBin(ls.good), ceilBin(ls.pass), ceilBin(ls.low)
	if s == a.nS {
		for i, share := range set.Tiers {
			tl := TierLine{Name: TierName(i), Share: share, Score: nan}
			b := math.MaxInt32
			if n > 0 {
				b = topBin(eh, 0, shareCount(n, share))
				tl.Score = float64(b) / 2
			}
			ls.tiers = append(ls.tiers, tl)
			ls.tierB = append(ls.tierB, b)
		}
	}
	return ls
}

// critical sets the score ranges of 临界生 for each line of the subject:
// the tiers (for the total), 优秀 and 及格.
func (t *task) critical(ecum []int32, n int) {
	ls, set := t.ls, t.a.set
	type line struct {
		name string
		v    float64
		b    int
	}
	var lines []line
	for i, tl := range ls.tiers {
		lines = append(lines, line{tl.Name, tl.Score, ls.tierB[i]})
	}
	lines = append(lines, line{"优秀", ls.exc, ls.excB}, line{"及格", ls.pass, ls.passB})
	k := set.CriticalPoints
	for _, l := range lines {
		r := critRange{name: l.name, line: l.v, from: math.MaxInt32, to: math.MaxInt32}
		if !math.IsNaN(l.v) {
			switch set.CriticalMode {
			case "below":
				r.from, r.to = max(0, ceilBin(l.v-k)), l.b
			case "band":
				r.from, r.to = max(0, ceilBin(l.v-k)), int(math.Floor((l.v+k)*2+1e-9))+1
			case "rank":
				// Under the line, but ranked within CriticalRanks places of
				// the last student on it.
				limit := atLeast(ecum, 0, l.b, n) + set.CriticalRanks
				r.from, r.to = l.b, l.b
				for b := min(l.b, t.B) - 1; b >= 0 && int(rankOf(ecum, 0, b)) <= limit; b-- {
					r.from = b
				}
			}
		}
		ls.crit = append(ls.crit, r)
	}
}

func (t *task) info(em summary) SubjectInfo {
	a, s, ls := t.a, t.s, t.ls
	info := SubjectInfo{Name: t.name, Full: t.full, InTotal: s == a.nS || a.e.Subjects[s].CountsForTotal(), LineMode: ls.mode,
		Excellent: ls.exc, Good: ls.good, Pass: ls.pass, Low: ls.low, Step: 1, Mean: em.mean, SD: em.sd}
	if em.hasHalf {
		info.Step = 0.5
	}
	for _, r := range ls.crit {
		cl := CriticalLine{Name: r.name, Line: r.line, From: math.NaN(), To: math.NaN()}
		if r.from != math.MaxInt32 {
			cl.From, cl.To = float64(r.from)/2, float64(r.to)/2
		}
		info.Critical = append(info.Critical, cl)
	}
	return info
}

// fill writes a unit's row from its summary and count(b), the number of
// its students at bin b or above.
func (t *task) fill(st *Stat, sm summary, u unitCount, count func(b int) int, ref float64) {
	a, ls, set := t.a, t.ls, t.a.set
	n := sm.n
	st.Subject = t.name
	st.Enrolled, st.Absent, st.Void = int(u.enrolled), int(u.absent), int(u.void)
	st.N = n
	st.TakeRate = rate(int(u.enrolled-u.absent-u.void), int(u.enrolled))
	st.Mean, st.SD = sm.mean, sm.sd
	st.ScoreRate = math.NaN()
	if t.full > 0 {
		st.ScoreRate = sm.mean / t.full
	}
	st.CV = math.NaN()
	if sm.mean != 0 {
		st.CV = sm.sd / sm.mean
	}
	st.Min, st.Max, st.Median, st.Q1, st.Q3, st.Mode = sm.min, sm.max, sm.median, sm.q1, sm.q3, sm.mode
	st.ExcellentCount, st.PassCount = count(ls.excB), count(ls.passB)
	st.ExcellentRate, st.PassRate = rate(st.ExcellentCount, n), rate(st.PassCount, n)
	st.GoodRate = math.NaN()
	if !math.IsNaN(ls.good) {
		st.GoodCount = count(ls.goodB)
		st.GoodRate = rate(st.GoodCount, n)
	}
	st.LowCount = n - count(ls.lowB)
	st.LowRate = rate(st.LowCount, n)
	st.AllPassRate, st.AllExcellentRate = math.NaN(), math.NaN()
	st.RefMean = ref
	st.Diff = sm.mean - ref
	st.Ratio = sm.mean / ref
	st.AboveMeanRate = (sm.mean - ref) / ref
	if ref == 0 {
		st.Ratio, st.AboveMeanRate = math.NaN(), math.NaN()
	}
	st.TScore = math.NaN()
	if t.examSD > 0 {
		st.TScore = set.TMean + set.TSD*(sm.mean-t.examMean)/t.examSD
	}
	st.Contribution, st.GapToLead = math.NaN(), math.NaN()
	w := set.Composite
	st.Composite = 100 * (w.Mean*st.ScoreRate + w.Excellent*st.ExcellentRate + w.Pass*st.PassRate)
	k := len(ls.crit)
	st.Critical, t.critSlab = t.critSlab[:k:k], t.critSlab[k:]
	for i, r := range ls.crit {
		st.Critical[i] = count(r.from) - count(r.to)
	}
	if t.s == a.nS {
		k := len(ls.tiers)
		st.Tiers, t.tierSlab = t.tierSlab[:k:k], t.tierSlab[k:]
		for i, b := range ls.tierB {
			st.Tiers[i] = count(b)
		}
	}
	st.SmallN = n < set.MinN
}

// rankUnits ranks units of one level by mean, best first; units without
// students get no rank.
func (t *task) rankUnits(rows []*Stat, set func(*Stat, int)) {
	type unit struct {
		mean float64
		i    int32
	}
	in := make([]unit, 0, len(rows))
	for i, st := range rows {
		if st.N > 0 && !math.IsNaN(st.Mean) {
			in = append(in, unit{st.Mean, int32(i)})
		}
	}
	slices.SortFunc(in, func(x, y unit) int {
		if c := cmp.Compare(y.mean, x.mean); c != 0 {
			return c
		}
		return cmp.Compare(x.i, y.i)
	})
	dense := t.a.set.Rank == "dense"
	r := 0
	for i, u := range in {
		switch {
		case i > 0 && u.mean == in[i-1].mean:
		case dense:
			r++
		default:
			r = i + 1
		}
		set(rows[u.i], r)
	}
}

// distribution is the 一分一段 table: every score step from the best score
// down to the worst, with 本段人数 and 累计人数.
func (t *task) distribution(eh []int32, em summary) Distribution {
	dist := Distribution{Subject: t.name, Step: 1, Rows: []DistRow{}}
	if em.n == 0 {
		return dist
	}
	step := 2
	if em.hasHalf {
		dist.Step, step = 0.5, 1
	}
	cum := 0
	for b := em.maxBin; b >= em.minBin; b -= step {
		c := int(eh[b])
		cum += c
		dist.Rows = append(dist.Rows, DistRow{Score: float64(b) / 2, Count: c, Cumulative: cum})
	}
	return dist
}

// band is a 分数段 table: bands of the set width from 0 upward, the top one
// closed at the full marks; rows best first.
func (t *task) band(level, group, school string, h []int32, n int) Band {
	width := t.a.set.BinWidth
	if t.s == t.a.nS {
		width = t.a.set.TotalBinWidth
	}
	w := int(math.Round(width * 2))
	top := t.B - 1
	k := max(1, (top+w-1)/w)
	bd := Band{Level: level, Group: group, School: school, Subject: t.name, Width: width, Rows: make([]BandRow, 0, k)}
	cum := 0
	for j := k - 1; j >= 0; j-- {
		lo, hi := j*w, min((j+1)*w, top+1)
		if j == k-1 {
			hi = top + 1
		}
		c := 0
		for _, x := range h[lo:hi] {
			c += int(x)
		}
		cum += c
		to := float64((j+1)*w) / 2
		if j == k-1 {
			to = t.full
		}
		bd.Rows = append(bd.Rows, BandRow{From: float64(lo) / 2, To: to, Count: c, Cumulative: cum, Share: rate(c, n), CumShare: rate(cum, n)})
	}
	return bd
}

// balances: the enrolment-weighted CV of school means, over the exam and
// within each group.
func (t *task) balances(srows []*Stat) {
	d := t.a.d
	one := func(group string, in func(k int) bool) {
		var N, sum float64
		k := 0
		for i, st := range srows {
			if in(i) && st.N > 0 {
				N += float64(st.N)
				sum += float64(st.N) * st.Mean
				k++
			}
		}
		b := Balance{Group: group, Subject: t.name, Schools: k, Mean: math.NaN(), CV: math.NaN()}
		if k > 0 {
			b.Mean = sum / N
			var v float64
			for i, st := range srows {
				if in(i) && st.N > 0 {
					v += float64(st.N) / N * (st.Mean - b.Mean) * (st.Mean - b.Mean)
				}
			}
			if b.Mean != 0 {
				b.CV = math.Sqrt(v) / b.Mean
			}
		}
		t.balance = append(t.balance, b)
	}
	one("", func(int) bool { return true })
	for g, name := range d.Groups {
		one(name, func(k int) bool { return d.Schools[k].Group == int32(g) })
	}
}
