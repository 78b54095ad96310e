package analysis

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// PaperStats is the item analysis of one paper.
type PaperStats struct {
	Subject string  `json:"subject"`
	Full    float64 `json:"full"` // sum of item full marks
	// N students with every item scored; Incomplete were left out (absent
	// from the subject, or an item score missing).
	N          int        `json:"n"`
	Incomplete int        `json:"incomplete"`
	Mean       float64    `json:"mean"`
	SD         float64    `json:"sd"`
	Alpha      float64    `json:"alpha"` // Cronbach's α
	Items      []ItemStat `json:"items"`
}

// ItemStat is one question.
type ItemStat struct {
	No        string  `json:"no"`
	Type      string  `json:"type"`
	Knowledge string  `json:"knowledge"`
	Full      float64 `json:"full"`
	Key       string  `json:"key"`
	Mean      float64 `json:"mean"`
	SD        float64 `json:"sd"`
	// Difficulty P = mean / full (for objective items: the correct share).
	Difficulty float64 `json:"difficulty"`
	// Discrimination D = (mean of the top share − mean of the bottom share
	// by paper total) / full; Verdict reads it.
	Discrimination float64 `json:"discrimination"`
	Verdict        string  `json:"verdict"`
	// ItemRest is the correlation of the item with the rest of the paper
	// (point-biserial for 0/1 items).
	ItemRest float64 `json:"item_rest"`
	// Options are the shares choosing each option (objective items).
	Options []OptionShare `json:"options"`
}

// OptionShare is how many chose one option.
type OptionShare struct {
	Option  string  `json:"option"` // "未作答" for a blank answer
	Count   int     `json:"count"`
	Share   float64 `json:"share"`
	Correct bool    `json:"correct"`
}

// Verdict reads a discrimination index the usual way: ≥ 0.40 very good,
// 0.30–0.39 good, 0.20–0.29 needs revision, below 0.20 poor.
func Verdict(d float64) string {
	switch {
	case math.IsNaN(d):
		return ""
	case d >= 0.40:
		return "很好"
	case d >= 0.30:
		return "良好"
	case d >= 0.20:
		return "尚可，需修改"
	}
	return "较差，应淘汰或修改"
}

// ScoreAnswer scores an objective answer against its key: the full marks
// for the key (option order ignored), Partial for a proper non-empty subset
// of a multiple-choice key, else 0. Returns half-points.
func ScoreAnswer(it Item, answer string) int32 {
	full, _ := HalfPoints(it.Full)
	a, k := normOptions(answer), normOptions(it.Key)
	switch {
	case a == "" || k == "":
		return 0
	case a == k:
		return full
	case it.Partial > 0 && len(k) > 1 && len(a) < len(k) && subset(a, k):
		p, _ := HalfPoints(it.Partial)
		return p
	}
	return 0
}

func normOptions(s string) string {
	b := []byte(strings.ToUpper(strings.TrimSpace(s)))
	slices.Sort(b)
	return string(slices.Compact(b))
}

func subset(a, k string) bool {
	for i := range len(a) {
		if strings.IndexByte(k, a[i]) < 0 {
			return false
		}
	}
	return true
}

func (a *analyzer) papers() []PaperStats {
	out := []PaperStats{}
	subj := map[string]int{}
	for s, sub := range a.e.Subjects {
		subj[sub.Name] = s
	}
	for p, ps := range a.d.Papers {
		paper := a.e.Papers[p]
		out = append(out, paperStats(paper, ps, a.cols[subj[paper.Subject]], a.set))
	}
	return out
}

// paperStats analyses one paper over the students who sat the subject and
// have every item scored.
func paperStats(paper Paper, ps PaperScores, subjectCol []int32, set Settings) PaperStats {
	k := len(paper.Items)
	st := PaperStats{Subject: paper.Subject, Mean: math.NaN(), SD: math.NaN(), Alpha: math.NaN()}
	for _, it := range paper.Items {
		st.Full += it.Full
	}
	// Columns of item scores for the students kept, in half-points.
	var keep []int32
	n := len(subjectCol)
	item := func(j, i int) int32 {
		if ps.Scores[j] != nil {
			return ps.Scores[j][i]
		}
		if ps.Answers != nil && ps.Answers[j] != nil {
			return ScoreAnswer(paper.Items[j], ps.Answers[j][i])
		}
		return NoScore
	}
	for i := range n {
		if subjectCol[i] < 0 {
			if subjectCol[i] != NoScore {
				st.Incomplete++
			}
			continue
		}
		ok := true
		for j := range k {
			if item(j, i) < 0 {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, int32(i))
		} else {
			st.Incomplete++
		}
	}
	m := len(keep)
	st.N = m
	x := make([][]float64, k) // points
	tot := make([]float64, m)
	for j := range k {
		x[j] = make([]float64, m)
		for r, i := range keep {
			v := float64(item(j, int(i))) / 2
			x[j][r] = v
			tot[r] += v
		}
	}
	sample := set.SD == "sample"
	tMean, tVar := meanVar(tot, true)
	st.Mean = tMean
	if sample {
		st.SD = math.Sqrt(tVar)
	} else if m > 0 {
		st.SD = math.Sqrt(tVar * float64(m-1) / float64(m))
	}
	// Top and bottom groups by paper total; ties keep the input order.
	order := make([]int, m)
	for r := range order {
		order[r] = r
	}
	slices.SortStableFunc(order, func(p, q int) int { return cmp.Compare(tot[q], tot[p]) })
	g := 0
	if m > 0 {
		g = max(1, int(math.Round(set.DiscriminationShare*float64(m))))
	}
	var sumVar float64
	st.Items = make([]ItemStat, k)
	for j, it := range paper.Items {
		is := ItemStat{No: it.No, Type: it.Type, Knowledge: it.Knowledge, Full: it.Full, Key: it.Key,
			Mean: math.NaN(), SD: math.NaN(), Difficulty: math.NaN(), Discrimination: math.NaN(), ItemRest: math.NaN(), Options: []OptionShare{}}
		mean, v := meanVar(x[j], true)
		sumVar += v
		if m > 0 {
			is.Mean = mean
			is.Difficulty = mean / it.Full
			if sample {
				is.SD = math.Sqrt(v)
			} else {
				is.SD = math.Sqrt(v * float64(m-1) / float64(m))
			}
			var hi, lo float64
			for r := range g {
				hi += x[j][order[r]]
				lo += x[j][order[m-1-r]]
			}
			is.Discrimination = (hi - lo) / float64(g) / it.Full
			rest := make([]float64, m)
			for r := range m {
				rest[r] = tot[r] - x[j][r]
			}
			is.ItemRest = correlation(x[j], rest)
		}
		is.Verdict = Verdict(is.Discrimination)
		if ps.Answers != nil && ps.Answers[j] != nil {
			is.Options = options(it, ps.Answers[j], keep)
		}
		st.Items[j] = is
	}
	if k > 1 && tVar > 0 {
		st.Alpha = float64(k) / float64(k-1) * (1 - sumVar/tVar)
	}
	return st
}

// meanVar returns the mean and the sample variance (NaN below two values).
func meanVar(xs []float64, sample bool) (float64, float64) {
	n := float64(len(xs))
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	var sum float64
	for _, v := range xs {
		sum += v
	}
	mean := sum / n
	var ss float64
	for _, v := range xs {
		ss += (v - mean) * (v - mean)
	}
	if sample {
		if n < 2 {
			return mean, math.NaN()
		}
		return mean, ss / (n - 1)
	}
	return mean, ss / n
}

// correlation is Pearson's r; NaN when either side does not vary.
func correlation(x, y []float64) float64 {
	mx, _ := meanVar(x, false)
	my, _ := meanVar(y, false)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

func options(it Item, answers []string, keep []int32) []OptionShare {
	counts := map[string]int{}
	for _, i := range keep {
		counts[normOptions(answers[i])]++
	}
	key := normOptions(it.Key)
	out := make([]OptionShare, 0, len(counts))
	for opt, c := range counts {
		name := opt
		if name == "" {
			name = "未作答"
		}
		out = append(out, OptionShare{Option: name, Count: c, Share: rate(c, len(keep)), Correct: opt != "" && opt == key})
	}
	slices.SortFunc(out, func(a, b OptionShare) int {
		if (a.Option == "未作答") != (b.Option == "未作答") {
			if a.Option == "未作答" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Option, b.Option)
	})
	return out
}
