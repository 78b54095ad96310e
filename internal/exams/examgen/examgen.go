// Package examgen writes realistic synthetic joint exams for tests, demos
// and benchmarks: schools of different strength with a strong lead school
// in each group, class effects, correlated subjects, a few absent and voided
// papers written as the tokens marking systems use, optional half points,
// Chinese names and school codes. The same seed gives the same file; the
// same seed with another Term gives the same students a term later, with
// each school's strength moved by its trend (most members close the gap to
// their lead, one falls back), so value added and the gap trend have
// something to find.
package examgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"edugroup/internal/exams/analysis"
)

// Config describes the exam to generate.
type Config struct {
	Students int    // default 2000
	Schools  int    // default 8
	Seed     int64  // default 1
	Stage    string // 小学, 初中 (default) or 高中
	Term     int    // 0 for the first exam of a series, 1 a term later …
	// HalfPoints gives 语文 and 英语 scores in half points.
	HalfPoints bool
	// AbsentRate is the share of absent papers per subject (default 0.004);
	// a tenth as many are voided.
	AbsentRate float64
	// GroupSize is how many schools form a group (default 5); each group's
	// first school is its lead.
	GroupSize int
	// ClassSize is the usual class size (default 48 for 初中).
	ClassSize int
}

func (c Config) withDefaults() Config {
	if c.Students <= 0 {
		c.Students = 2000
	}
	if c.Schools <= 0 {
		c.Schools = 8
	}
	if c.Schools > c.Students {
		c.Schools = c.Students
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Stage == "" {
		c.Stage = "初中"
	}
	if c.AbsentRate <= 0 {
		c.AbsentRate = 0.004
	}
	if c.GroupSize <= 0 {
		c.GroupSize = 5
	}
	if c.ClassSize <= 0 {
		c.ClassSize = map[string]int{"小学": 45, "初中": 48, "高中": 52}[c.Stage]
		if c.ClassSize == 0 {
			c.ClassSize = 48
		}
	}
	return c
}

// School is one generated school.
type School struct {
	Code     string
	Name     string
	Group    string
	Lead     bool
	Students int
	Classes  int
	// Strength is the school's mean ability in SD units at term 0; Trend
	// moves it each term.
	Strength float64
	Trend    float64
}

// Plan is a generated exam before its rows: the subjects, schools and
// groups, all fixed by the seed.
type Plan struct {
	Config   Config
	Subjects []analysis.Subject
	Schools  []School
	Groups   []analysis.GroupLead
	grade    string // 九, 三 …
}

// Subjects returns the standard subjects and full marks of a stage: 语数英
// 150 in 初中 and 高中, 100 in 小学, others 100.
func Subjects(stage string) []analysis.Subject {
	var names []string
	main := 150.0
	switch stage {
	case "小学":
		names, main = []string{"语文", "数学", "英语", "科学", "道德与法治"}, 100
	case "高中":
		names = []string{"语文", "数学", "英语", "物理", "化学", "生物", "政治", "历史", "地理"}
	default:
		names = []string{"语文", "数学", "英语", "物理", "化学", "道德与法治", "历史", "地理", "生物"}
	}
	out := make([]analysis.Subject, len(names))
	for i, n := range names {
		full := 100.0
		if i < 3 {
			full = main
		}
		out[i] = analysis.Subject{Name: n, Full: full}
	}
	return out
}

// NewPlan draws the schools of an exam.
func NewPlan(cfg Config) *Plan {
	cfg = cfg.withDefaults()
	p := &Plan{Config: cfg, Subjects: Subjects(cfg.Stage), grade: map[string]string{"小学": "六", "高中": "高三"}[cfg.Stage]}
	if p.grade == "" {
		p.grade = "九"
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5c4001))
	names := schoolNames(cfg.Schools, cfg.Stage, rng)
	// Sizes: leads are large town schools, rural schools small.
	weights := make([]float64, cfg.Schools)
	total := 0.0
	for i := range weights {
		w := 0.5 + rng.Float64()
		if i%cfg.GroupSize == 0 {
			w *= 2.2
		}
		weights[i] = w
		total += w
	}
	left := cfg.Students
	for i := range cfg.Schools {
		n := int(float64(cfg.Students) * weights[i] / total)
		if i == cfg.Schools-1 || n > left {
			n = left
		}
		n = max(n, min(1, left))
		left -= n
		s := School{Code: fmt.Sprintf("3403%06d", 210000+i*37+int(rng.IntN(30))), Name: names[i], Students: n}
		s.Classes = max(1, (n+cfg.ClassSize-1)/cfg.ClassSize)
		g := i / cfg.GroupSize
		if i%cfg.GroupSize == 0 {
			s.Lead = true
			s.Strength = 0.55 + 0.2*rng.Float64()
			s.Trend = 0.01 * rng.NormFloat64()
			p.Groups = append(p.Groups, analysis.GroupLead{Name: groupName(names[i]), Lead: names[i]})
		} else {
			s.Strength = -0.45 + 0.5*rng.Float64()
			// Most members close the gap a little each term.
			s.Trend = 0.04 + 0.08*rng.Float64()
		}
		s.Group = p.Groups[g].Name
		p.Schools = append(p.Schools, s)
	}
	// In every group of three or more, the last member falls back.
	for g := 0; g*cfg.GroupSize < cfg.Schools; g++ {
		last := min(cfg.Schools, (g+1)*cfg.GroupSize) - 1
		if last-g*cfg.GroupSize >= 2 {
			p.Schools[last].Trend = -0.12
		}
	}
	return p
}

func groupName(lead string) string { return lead + "教育集团" }

// Exam is the exam definition of the plan, with its lead schools.
func (p *Plan) Exam() *analysis.Exam {
	label := p.grade + "年级"
	if p.Config.Stage == "高中" {
		label = p.grade
	}
	e := &analysis.Exam{
		Name:     fmt.Sprintf("%s联考（第%d次）", label, p.Config.Term+1),
		Stage:    p.Config.Stage,
		Subjects: append([]analysis.Subject(nil), p.Subjects...),
		Settings: analysis.DefaultSettings(),
		Groups:   append([]analysis.GroupLead(nil), p.Groups...),
	}
	return e
}

// Row is one generated student. Scores hold the cell text of each subject
// (a number, an absent token, or "" never: every student sits every paper).
type Row struct {
	ID, Name   string
	SchoolCode string
	School     string
	Group      string
	Class      string
	Scores     []float64 // NaN where Tokens has the cell
	Tokens     []string  // "" or an absent/void token
}

// ClassName is the name of class k (0-based) of a grade: 九(3)班.
func (p *Plan) ClassName(k int) string { return p.grade + "(" + strconv.Itoa(k+1) + ")班" }

// Each generates the rows school by school and calls fn with each; the Row
// is reused between calls.
func (p *Plan) Each(fn func(*Row) error) error {
	cfg := p.Config
	nSub := len(p.Subjects)
	row := &Row{Scores: make([]float64, nSub), Tokens: make([]string, nSub)}
	lang := map[string]bool{"语文": true, "英语": true, "道德与法治": true, "政治": true, "历史": true, "地理": true}
	ease := make([]float64, nSub)
	for s := range p.Subjects {
		// Papers differ in difficulty (mean 得分率 55–72%).
		r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(1000+s)))
		ease[s] = 0.55 + 0.17*r.Float64()
	}
	for k, sc := range p.Schools {
		// Students (who they are, their ability) depend on the seed and
		// school only; their scores also on the term.
		who := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(k)<<20|1))
		day := rand.New(rand.NewPCG(uint64(cfg.Seed)^uint64(cfg.Term+1)*0x9e3779b97f4a7c15, uint64(k)<<20|2))
		strength := sc.Strength + float64(cfg.Term)*sc.Trend
		classEffect := make([]float64, sc.Classes)
		for c := range classEffect {
			classEffect[c] = 0.18*who.NormFloat64() + 0.05*day.NormFloat64()
		}
		row.School, row.SchoolCode, row.Group = sc.Name, sc.Code, sc.Group
		for i := range sc.Students {
			c := i * sc.Classes / sc.Students
			row.Class = p.ClassName(c)
			row.ID = fmt.Sprintf("%02d%04d%05d", 25, k+1, i+1)
			row.Name = chineseName(who)
			ability := who.NormFloat64()
			verbal := who.NormFloat64()
			science := who.NormFloat64()
			growth := 0.25 * day.NormFloat64() // this term's form
			base := strength + classEffect[c] + ability + growth
			for s, sub := range p.Subjects {
				row.Tokens[s] = ""
				if u := day.Float64(); u < cfg.AbsentRate {
					row.Scores[s] = math.NaN()
					row.Tokens[s] = absentToken(day)
					continue
				} else if u < cfg.AbsentRate*1.1 {
					row.Scores[s] = math.NaN()
					row.Tokens[s] = []string{"作弊", "违纪"}[day.IntN(2)]
					continue
				}
				side := science
				if lang[sub.Name] {
					side = verbal
				}
				z := 0.75*base + 0.35*side + 0.45*day.NormFloat64()
				v := sub.Full * soften(ease[s]+0.17*z)
				step := 1.0
				if cfg.HalfPoints && (sub.Name == "语文" || sub.Name == "英语") {
					step = 0.5
				}
				v = math.Round(v/step) * step
				row.Scores[s] = math.Max(0, math.Min(sub.Full, v))
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// soften bends a share of full marks into (0, 1) smoothly: papers have a
// ceiling and a floor that few students reach, not a pile at each end.
func soften(p float64) float64 {
	const edge = 0.25
	switch {
	case p > 1-edge:
		return 1 - edge + edge*math.Tanh((p-1+edge)/edge)
	case p < edge:
		return edge - edge*math.Tanh((edge-p)/edge)
	}
	return p
}

// absentToken draws the way a marking system or a teacher writes absence.
func absentToken(r *rand.Rand) string {
	switch x := r.IntN(100); {
	case x < 70:
		return "缺考"
	case x < 80:
		return "缺"
	case x < 88:
		return "Q"
	case x < 94:
		return "病假"
	case x < 97:
		return "ABS"
	}
	return "缓考"
}

// FormatScore writes a score the way marking systems export it.
func FormatScore(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
