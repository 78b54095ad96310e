package analysis

import (
	"math"
)

// ValueAddedReport compares two exams of the same students.
type ValueAddedReport struct {
	Previous string `json:"previous"`
	Current  string `json:"current"`
	// Model: "residual" (the unit value is the mean residual of regressing
	// this exam's Z on the previous one's over the whole population) or
	// "z_change" (the mean change of Z).
	Model    string      `json:"model"`
	Subjects []VASubject `json:"subjects"`
	Units    []VAUnit    `json:"units"`
	Warnings []string    `json:"warnings"`
	// Students are per-student figures in columns, aligned with the
	// current exam's students and with Subjects.
	Students *VAStudents `json:"-"`
}

// VASubject is the regression of one subject.
type VASubject struct {
	Subject   string  `json:"subject"`
	Matched   int     `json:"matched"` // students with a Z in both exams
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
	R2        float64 `json:"r2"`
}

// VAUnit is the value added of one unit in one subject, in Z units (and
// in T units beside it), with its standard error and n.
type VAUnit struct {
	Level   string `json:"level" enum:"exam,group,school,class,teacher"`
	Group   string `json:"group"`
	School  string `json:"school"`
	Class   string `json:"class"`
	Teacher string `json:"teacher"`
	Subject string `json:"subject"`
	N       int    `json:"n"`
	// Value is the mean residual (or mean Z change) in Z units; ValueT the
	// same times the T scale; SE its standard error (sd/√n).
	Value  float64 `json:"value"`
	ValueT float64 `json:"value_t"`
	SE     float64 `json:"se"`
	// MeanZChange and MeanRankChange are the simple views (进退步): rank
	// change is the previous exam rank minus this one (up is positive).
	MeanZChange    float64 `json:"mean_z_change"`
	MeanRankChange float64 `json:"mean_rank_change"`
	// SmallN: n below Settings.MinN (30 by default); read with caution.
	SmallN bool `json:"small_n"`
}

// VAStudents: [subject][student] of the current exam; NaN (or 0 for ranks
// changes of unmatched students) where the student is not in both exams.
type VAStudents struct {
	Matched    []bool
	Residual   [][]float64
	ZChange    [][]float64
	RankChange [][]int32
	Subjects   []string
}

// ValueAdded matches the students of two exams by student number and
// computes value added per subject the two exams share (and 总分).
func ValueAdded(prev, cur *Report) *ValueAddedReport {
	va := &ValueAddedReport{Previous: prev.Exam, Current: cur.Exam, Model: cur.Settings.ValueAdded,
		Subjects: []VASubject{}, Units: []VAUnit{}, Warnings: []string{}}
	pd, cd := prev.data, cur.data
	byID := make(map[string]int32, pd.Len())
	for i, id := range pd.ID {
		if id != "" {
			byID[id] = int32(i)
		}
	}
	n := cd.Len()
	match := make([]int32, n)
	st := &VAStudents{Matched: make([]bool, n)}
	matched := 0
	for i, id := range cd.ID {
		match[i] = -1
		if j, ok := byID[id]; ok && id != "" {
			match[i] = j
			st.Matched[i] = true
			matched++
		}
	}
	if matched == 0 {
		va.Warnings = append(va.Warnings, "两次考试没有考号相同的学生，无法计算增值")
	}
	va.Students = st
	prevSub := map[string]int{}
	for s, info := range prev.Subjects {
		prevSub[info.Name] = s
	}
	for s, info := range cur.Subjects {
		ps, ok := prevSub[info.Name]
		if !ok {
			continue
		}
		res := make([]float64, n)
		zc := make([]float64, n)
		rc := make([]int32, n)
		var xs, ys []float64
		var idx []int32
		for i := range n {
			res[i], zc[i] = math.NaN(), math.NaN()
			j := match[i]
			if j < 0 {
				continue
			}
			x, y := prev.Z(ps, int(j)), cur.Z(s, i)
			if math.IsNaN(x) || math.IsNaN(y) {
				continue
			}
			xs, ys, idx = append(xs, x), append(ys, y), append(idx, int32(i))
			zc[i] = y - x
			if pr, cr := prev.ExamRank(ps, int(j)), cur.ExamRank(s, i); pr > 0 && cr > 0 {
				rc[i] = int32(pr - cr)
			}
		}
		reg := VASubject{Subject: info.Name, Matched: len(xs), Slope: math.NaN(), Intercept: math.NaN(), R2: math.NaN()}
		if len(xs) >= 2 {
			mx, vx := meanVar(xs, false)
			my, vy := meanVar(ys, false)
			var cov float64
			for k := range xs {
				cov += (xs[k] - mx) * (ys[k] - my)
			}
			cov /= float64(len(xs))
			if vx > 0 {
				reg.Slope = cov / vx
				reg.Intercept = my - reg.Slope*mx
				if vy > 0 {
					reg.R2 = cov * cov / (vx * vy)
				}
				for k, i := range idx {
					res[i] = ys[k] - (reg.Intercept + reg.Slope*xs[k])
				}
			}
		}
		va.Subjects = append(va.Subjects, reg)
		st.Subjects = append(st.Subjects, info.Name)
		st.Residual = append(st.Residual, res)
		st.ZChange = append(st.ZChange, zc)
		st.RankChange = append(st.RankChange, rc)
		value := res
		if va.Model == "z_change" {
			value = zc
		}
		va.Units = append(va.Units, cur.vaUnits(s, info.Name, idx, value, zc, rc)...)
	}
	return va
}

// vaUnits aggregates one subject's student values over the exam, groups,
// schools, classes and teachers of the current exam.
func (r *Report) vaUnits(s int, subject string, idx []int32, value, zc []float64, rc []int32) []VAUnit {
	d := r.data
	// Sums in float64; the SE takes a second pass over the unit's
	// deviations from its mean instead of Σv² − (Σv)²/n, which cancels.
	type acc struct {
		n                 int
		sum, ss, z, rk, m float64
	}
	exam := acc{}
	groups := make([]acc, len(d.Groups))
	schools := make([]acc, len(d.Schools))
	classes := make([]acc, len(d.Classes))
	var teachers []acc
	var tm *teachMap
	if s < len(r.teach) && len(r.teach[s].names) > 0 {
		tm = &r.teach[s]
		teachers = make([]acc, len(tm.names))
	}
	add := func(a *acc, v, z float64, rk int32) {
		a.n++
		a.sum += v
		a.z += z
		a.rk += float64(rk)
	}
	dev := func(a *acc, v float64) {
		d := v - a.m
		a.ss += d * d
	}
	each := func(fn func(a *acc, i int32)) {
		for _, i := range idx {
			if math.IsNaN(value[i]) {
				continue
			}
			c := d.Class[i]
			sc := d.Classes[c].School
			fn(&exam, i)
			fn(&classes[c], i)
			fn(&schools[sc], i)
			if g := d.Schools[sc].Group; g >= 0 {
				fn(&groups[g], i)
			}
			if tm != nil {
				if t := tm.of[c]; t >= 0 {
					fn(&teachers[t], i)
				}
			}
		}
	}
	each(func(a *acc, i int32) { add(a, value[i], zc[i], rc[i]) })
	mean := func(a *acc) {
		if a.n > 0 {
			a.m = a.sum / float64(a.n)
		}
	}
	mean(&exam)
	for _, as := range [][]acc{groups, schools, classes, teachers} {
		for k := range as {
			mean(&as[k])
		}
	}
	each(func(a *acc, i int32) { dev(a, value[i]) })
	var out []VAUnit
	emit := func(u VAUnit, a acc) {
		u.Subject, u.N = subject, a.n
		u.Value, u.ValueT, u.SE, u.MeanZChange, u.MeanRankChange = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if a.n > 0 {
			nf := float64(a.n)
			u.Value = a.sum / nf
			u.ValueT = u.Value * r.Settings.TSD
			u.MeanZChange = a.z / nf
			u.MeanRankChange = a.rk / nf
			if a.n > 1 {
				u.SE = math.Sqrt(a.ss / (nf - 1) / nf)
			}
		}
		u.SmallN = a.n < r.Settings.MinN
		out = append(out, u)
	}
	emit(VAUnit{Level: LevelExam}, exam)
	for g, name := range d.Groups {
		emit(VAUnit{Level: LevelGroup, Group: name}, groups[g])
	}
	groupOf := func(sc int32) string {
		if g := d.Schools[sc].Group; g >= 0 {
			return d.Groups[g]
		}
		return ""
	}
	for sc, school := range d.Schools {
		emit(VAUnit{Level: LevelSchool, Group: groupOf(int32(sc)), School: school.Name}, schools[sc])
	}
	for c, cl := range d.Classes {
		emit(VAUnit{Level: LevelClass, Group: groupOf(cl.School), School: d.Schools[cl.School].Name, Class: cl.Name}, classes[c])
	}
	for t := range teachers {
		emit(VAUnit{Level: LevelTeacher, Teacher: tm.names[t], School: tm.school[t], Class: tm.classes[t]}, teachers[t])
	}
	return out
}

// GapSeries is one member school's gap to its lead school across exams.
type GapSeries struct {
	Group   string    `json:"group"`
	Lead    string    `json:"lead"` // the lead in the latest exam
	School  string    `json:"school"`
	Subject string    `json:"subject"`
	Exams   []string  `json:"exams"`
	Gaps    []float64 `json:"gaps"` // T_lead − T_school per exam (Z units with gap_unit Z); NaN when absent
	// Slope is the least-squares trend of the gap per exam; negative means
	// the school is closing the gap. NaN with fewer than two exams.
	Slope   float64 `json:"slope"`
	Change  float64 `json:"change"` // last gap − first gap
	Closing bool    `json:"closing"`
}

// GapTrend follows every member school's gap to its group's lead school in
// one subject (TotalName for the total) over reports given oldest first.
// Schools are matched by code when they have one, else by name.
func GapTrend(reports []*Report, subject string) []GapSeries {
	type key struct{ group, school string }
	var order []key
	series := map[key]*GapSeries{}
	names := make([]string, len(reports))
	for e, r := range reports {
		names[e] = r.Exam
		leads := map[string]string{}
		for _, g := range r.Groups {
			leads[g.Name] = g.Lead
		}
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Level != LevelSchool || st.Subject != subject || st.Group == "" || leads[st.Group] == st.School {
				continue
			}
			id := st.SchoolCode
			if id == "" {
				id = st.School
			}
			k := key{st.Group, id}
			g, ok := series[k]
			if !ok {
				g = &GapSeries{Group: st.Group, School: st.School, Subject: subject, Gaps: make([]float64, len(reports))}
				for j := range g.Gaps {
					g.Gaps[j] = math.NaN()
				}
				series[k] = g
				order = append(order, k)
			}
			g.Gaps[e] = st.GapToLead
			g.Lead = leads[st.Group]
		}
	}
	out := make([]GapSeries, 0, len(order))
	for _, k := range order {
		g := series[k]
		g.Exams = names
		g.Slope, g.Change = trend(g.Gaps)
		g.Closing = g.Slope < 0
		out = append(out, *g)
	}
	return out
}

// trend is the least-squares slope of ys over their positions, and the
// change from the first value present to the last.
func trend(ys []float64) (slope, change float64) {
	var xs, vs []float64
	for i, y := range ys {
		if !math.IsNaN(y) {
			xs, vs = append(xs, float64(i)), append(vs, y)
		}
	}
	if len(xs) < 2 {
		return math.NaN(), math.NaN()
	}
	mx, vx := meanVar(xs, false)
	my, _ := meanVar(vs, false)
	var cov float64
	for i := range xs {
		cov += (xs[i] - mx) * (vs[i] - my)
	}
	return cov / float64(len(xs)) / vx, vs[len(vs)-1] - vs[0]
}
