package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// The property test checks every unit figure and every rank of random
// exams against a plain computation over sorted lists, under random
// settings. Classes come in all sizes, so both the histogram path and the
// sorted-list path for classes are exercised.

func excelQuartile(sorted []float64, p float64, inc bool) float64 {
	n := float64(len(sorted))
	pos := p * (n - 1)
	if !inc {
		pos = p*(n+1) - 1
		if pos < 0 || pos > n-1 {
			return math.NaN()
		}
	}
	k := math.Floor(pos)
	lo := sorted[int(k)]
	if int(k)+1 >= len(sorted) {
		return lo
	}
	return lo + (pos-k)*(sorted[int(k)+1]-lo)
}

func refRank(all []float64, v float64, dense bool) int {
	above := map[float64]bool{}
	n := 0
	for _, x := range all {
		if x > v {
			n++
			above[x] = true
		}
	}
	if dense {
		return 1 + len(above)
	}
	return 1 + n
}

func TestPropertyAgainstPlainComputation(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkRandomExam(t, seed) })
	}
}

func checkRandomExam(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	e := &Exam{Name: "随机", Subjects: []Subject{{Name: "甲", Full: 10}, {Name: "乙", Full: 7.5}}, Settings: DefaultSettings()}
	set := &e.Settings
	set.SD = []string{"sample", "population"}[r.IntN(2)]
	set.Quartile = []string{"inc", "exc"}[r.IntN(2)]
	set.Rank = []string{"competition", "dense"}[r.IntN(2)]
	set.AbsentAsZero = r.IntN(3) == 0
	set.TotalMissing = []string{"exclude", "partial"}[r.IntN(2)]
	b := NewBuilder(2)
	n := 50 + r.IntN(300)
	for i := range n {
		school := fmt.Sprintf("校%d", r.IntN(4))
		// Class sizes from 1 up; some classes spread over the whole range.
		class := fmt.Sprintf("%d班", r.IntN(1+r.IntN(12)))
		sc := make([]int32, 2)
		for s, full := range []int32{20, 15} {
			switch x := r.IntN(20); {
			case x == 0:
				sc[s] = Absent
			case x == 1:
				sc[s] = Void
			case x == 2:
				sc[s] = NoScore
			default:
				sc[s] = int32(r.IntN(int(full) + 1))
				if seed%3 == 0 {
					sc[s] &^= 1 // whole points only
				}
			}
		}
		b.Add(Student{ID: fmt.Sprint(i), School: school, Class: class, Scores: sc})
	}
	d := b.Data()
	rep, err := Analyze(e, d)
	if err != nil {
		t.Fatal(Describe(err))
	}
	// The plain computation.
	var value func(s, i int) (float64, bool)
	value = func(s, i int) (float64, bool) {
		if s < 2 {
			v := d.Scores[s][i]
			if v >= 0 {
				return float64(v) / 2, true
			}
			if v == Absent && set.AbsentAsZero || v == Void && set.VoidAsZero {
				return 0, true
			}
			return 0, false
		}
		sum, counted, missing := 0.0, 0, false
		for k := range 2 {
			if v, ok := value(k, i); ok {
				sum += v
				counted++
			} else {
				missing = true
			}
		}
		if counted == 0 || missing && set.TotalMissing == "exclude" {
			return 0, false
		}
		return sum, true
	}
	fulls := []float64{10, 7.5, 17.5}
	type key struct {
		level, school, class string
		s                    int
	}
	units := map[key][]float64{}
	members := map[key][]int{}
	for i := range n {
		c := d.Classes[d.Class[i]]
		school := d.Schools[c.School].Name
		for s := range 3 {
			v, ok := value(s, i)
			if !ok {
				continue
			}
			for _, k := range []key{{LevelExam, "", "", s}, {LevelSchool, school, "", s}, {LevelClass, school, c.Name, s}} {
				units[k] = append(units[k], v)
				members[k] = append(members[k], i)
			}
		}
	}
	names := []string{"甲", "乙", TotalName}
	for i := range rep.Stats {
		st := &rep.Stats[i]
		s := slices.Index(names, st.Subject)
		vals := slices.Clone(units[key{st.Level, st.School, st.Class, s}])
		sort.Float64s(vals)
		what := fmt.Sprintf("%s %s %s %s", st.Level, st.School, st.Class, st.Subject)
		if st.N != len(vals) {
			t.Fatalf("%s: n %d, want %d", what, st.N, len(vals))
		}
		if len(vals) == 0 {
			near(t, what+" mean", st.Mean, math.NaN())
			continue
		}
		sum := 0.0
		for _, v := range vals {
			sum += v
		}
		mean := sum / float64(len(vals))
		ss := 0.0
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(ss / float64(len(vals)))
		if set.SD == "sample" {
			sd = math.NaN()
			if len(vals) > 1 {
				sd = math.Sqrt(ss / float64(len(vals)-1))
			}
		}
		mode, best := 0.0, 0
		for j := 0; j < len(vals); {
			k := j
			for k < len(vals) && vals[k] == vals[j] {
				k++
			}
			if k-j >= best {
				mode, best = vals[j], k-j
			}
			j = k
		}
		near(t, what+" mean", st.Mean, mean)
		near(t, what+" sd", st.SD, sd)
		near(t, what+" min", st.Min, vals[0])
		near(t, what+" max", st.Max, vals[len(vals)-1])
		near(t, what+" mode", st.Mode, mode)
		inc := set.Quartile == "inc"
		near(t, what+" q1", st.Q1, excelQuartile(vals, 0.25, inc))
		near(t, what+" median", st.Median, excelQuartile(vals, 0.5, inc))
		near(t, what+" q3", st.Q3, excelQuartile(vals, 0.75, inc))
		full := fulls[s]
		count := func(line float64) int {
			c := 0
			for _, v := range vals {
				if v >= line-1e-9 {
					c++
				}
			}
			return c
		}
		eq(t, what+" excellent", st.ExcellentCount, count(full*0.85))
		eq(t, what+" good", st.GoodCount, count(full*0.70))
		eq(t, what+" pass", st.PassCount, count(full*0.60))
		eq(t, what+" low", st.LowCount, len(vals)-count(full*0.40))
	}
	dense := set.Rank == "dense"
	for i := range n {
		c := d.Classes[d.Class[i]]
		school := d.Schools[c.School].Name
		for s := range 3 {
			v, ok := value(s, i)
			wantE, wantS, wantC := 0, 0, 0
			if ok {
				wantE = refRank(units[key{LevelExam, "", "", s}], v, dense)
				wantS = refRank(units[key{LevelSchool, school, "", s}], v, dense)
				wantC = refRank(units[key{LevelClass, school, c.Name, s}], v, dense)
			}
			what := fmt.Sprintf("student %d subject %d", i, s)
			eq(t, what+" exam rank", rep.ExamRank(s, i), wantE)
			eq(t, what+" school rank", rep.SchoolRank(s, i), wantS)
			eq(t, what+" class rank", rep.ClassRank(s, i), wantC)
		}
	}
}

// TestBigClass: a class of 70,000 keeps exact ranks (past uint16).
func TestBigClass(t *testing.T) {
	e := &Exam{Name: "大班", Subjects: []Subject{{Name: "语文", Full: 100}}, Settings: DefaultSettings()}
	b := NewBuilder(1)
	const n = 70000
	for i := range n {
		b.Add(Student{ID: fmt.Sprint(i), School: "一中", Class: "1班", Scores: []int32{int32(i % 201)}})
	}
	rep := analyze(t, e, b.Data())
	// Score 0 (bin 0) is the lowest: 70000 − 349 students (the zeros:
	// i%201 == 0 for 349 values of i) are above it.
	zeros := (n + 200) / 201
	eq(t, "rank of a zero", rep.ClassRank(0, 0), n-zeros+1)
	eq(t, "school rank agrees", rep.SchoolRank(0, 0), n-zeros+1)
}

func TestTooManySchools(t *testing.T) {
	e := &Exam{Name: "多", Subjects: []Subject{{Name: "语文", Full: 5000}}, Settings: DefaultSettings()}
	b := NewBuilder(1)
	for i := range 7000 {
		b.Add(Student{ID: fmt.Sprint(i), School: fmt.Sprint("校", i), Class: "1班", Scores: []int32{1}})
	}
	if _, err := Analyze(e, b.Data()); err == nil {
		t.Errorf("7,000 schools × 10,001 bins accepted")
	}
}
