package analysis

import (
	"math"
	"math/bits"
)

// A histogram h counts students per half-point bin: h[i] is the number with
// bin off+i (score (off+i)/2). Everything a unit reports comes from one.

// summary is what a unit's histogram says about location and spread, in
// points.
type summary struct {
	n              int
	mean, sd       float64
	min, max, mode float64
	q1, median, q3 float64
	minBin, maxBin int
	hasHalf        bool // some score ends in .5
}

// summarize reads n, mean, SD, min, max, mode and quartiles from h in two
// passes. The SD comes from exact integer sums (n·Σb² − (Σb)² in 128 bits),
// so it neither cancels nor depends on the order of the data.
func summarize(h []int32, off int, sample, quartInc bool) summary {
	s := summary{mean: math.NaN(), sd: math.NaN(), min: math.NaN(), max: math.NaN(), mode: math.NaN(),
		q1: math.NaN(), median: math.NaN(), q3: math.NaN(), minBin: -1, maxBin: -1}
	var n, sum, sum2 uint64
	var best int32
	first := -1
	last := -1
	for i, c := range h {
		if c == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		b := uint64(off + i)
		n += uint64(c)
		sum += uint64(c) * b
		sum2 += uint64(c) * b * b
		// Ties for the mode go to the higher score.
		if c >= best {
			best = c
			s.mode = float64(off+i) / 2
		}
		if b&1 == 1 {
			s.hasHalf = true
		}
	}
	s.n = int(n)
	if n == 0 {
		return s
	}
	s.minBin, s.maxBin = off+first, off+last
	s.finish(n, sum, sum2, sample)
	pos, want := quartilePositions(int64(n), quartInc)
	// Walk up once, answering the wanted positions in increasing order.
	order := [6]int{0, 1, 2, 3, 4, 5}
	for i := 1; i < 6; i++ {
		for j := i; j > 0 && want[order[j]] < want[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	var got [6]int
	var cum int64
	w := 0
	for w < 6 && want[order[w]] < 0 {
		w++
	}
	for i := s.minBin - off; i <= s.maxBin-off && w < 6; i++ {
		cum += int64(h[i])
		for w < 6 && cum > want[order[w]] {
			got[order[w]] = off + i
			w++
		}
	}
	s.setQuartiles(int64(n), quartInc, pos, got)
	return s
}

// summarizeSorted is summarize for the bins of a few students, sorted
// ascending: a class of 45 spans hundreds of bins, so its list is shorter
// than its histogram.
func summarizeSorted(v []int32, sample, quartInc bool) summary {
	s := summary{mean: math.NaN(), sd: math.NaN(), min: math.NaN(), max: math.NaN(), mode: math.NaN(),
		q1: math.NaN(), median: math.NaN(), q3: math.NaN(), minBin: -1, maxBin: -1}
	n := len(v)
	s.n = n
	if n == 0 {
		return s
	}
	var sum, sum2 uint64
	run, best := 0, 0
	for j, x := range v {
		b := uint64(x)
		sum += b
		sum2 += b * b
		if x&1 == 1 {
			s.hasHalf = true
		}
		if j > 0 && x == v[j-1] {
			run++
		} else {
			run = 1
		}
		if run >= best {
			best = run
			s.mode = float64(x) / 2
		}
	}
	s.minBin, s.maxBin = int(v[0]), int(v[n-1])
	s.finish(uint64(n), sum, sum2, sample)
	pos, want := quartilePositions(int64(n), quartInc)
	var got [6]int
	for k, w := range want {
		if w >= 0 {
			got[k] = int(v[w])
		}
	}
	s.setQuartiles(int64(n), quartInc, pos, got)
	return s
}

// finish sets min, max, mean and SD from n, Σb and Σb² (bins).
func (s *summary) finish(n, sum, sum2 uint64, sample bool) {
	s.min, s.max = float64(s.minBin)/2, float64(s.maxBin)/2
	s.mean = float64(sum) / float64(n) / 2
	// n·Σb² − (Σb)², exactly.
	h1, l1 := bits.Mul64(n, sum2)
	h2, l2 := bits.Mul64(sum, sum)
	lo, borrow := bits.Sub64(l1, l2, 0)
	hi, _ := bits.Sub64(h1, h2, borrow)
	num := float64(hi)*(1<<64) + float64(lo) // n²·variance, in half-points²
	switch {
	case !sample:
		s.sd = math.Sqrt(num/float64(n)/float64(n)) / 2
	case n > 1:
		s.sd = math.Sqrt(num/float64(n)/float64(n-1)) / 2
	}
}

// quartilePositions: Excel's QUARTILE.INC puts quartile p at 0-based
// position p·(n−1), QUARTILE.EXC at p·(n+1)−1 (with no value outside
// 0…n−1). want lists the order statistics each needs, below and above.
func quartilePositions(n int64, inc bool) (pos [3]float64, want [6]int64) {
	for j, p := range [3]float64{0.25, 0.5, 0.75} {
		pos[j] = p * float64(n-1)
		if !inc {
			pos[j] = p*float64(n+1) - 1
		}
		k := int64(math.Floor(pos[j]))
		want[2*j], want[2*j+1] = min(k, n-1), min(k+1, n-1)
	}
	return pos, want
}

// setQuartiles interpolates linearly between the order statistics got
// (bins), as Excel does.
func (s *summary) setQuartiles(n int64, inc bool, pos [3]float64, got [6]int) {
	out := [3]*float64{&s.q1, &s.median, &s.q3}
	for j := range pos {
		if !inc && (pos[j] < 0 || pos[j] > float64(n-1)) {
			*out[j] = math.NaN()
			continue
		}
		frac := pos[j] - math.Floor(pos[j])
		lo, hi := float64(got[2*j]), float64(got[2*j+1])
		*out[j] = (lo + frac*(hi-lo)) / 2
	}
}

// suffix turns h into inclusive suffix counts in place: afterwards h[i] is
// the number of students with bin ≥ off+i.
func suffix(h []int32) {
	var cum int32
	for i := len(h) - 1; i >= 0; i-- {
		cum += h[i]
		h[i] = cum
	}
}

// denseSuffix turns inclusive suffix counts into the number of distinct
// occupied bins ≥ off+i, for dense ranks.
func denseSuffix(cum []int32) {
	var d, next int32
	for i := len(cum) - 1; i >= 0; i-- {
		if cum[i] > next {
			d++
		}
		next = cum[i]
		cum[i] = d
	}
}

// atLeast reads "students with bin ≥ b" from suffix counts of n students.
func atLeast(cum []int32, off, b, n int) int {
	i := b - off
	switch {
	case i <= 0:
		return n
	case i >= len(cum):
		return 0
	}
	return int(cum[i])
}

// rankOf is the rank of bin b: 1 + students (or distinct scores, for dense
// suffixes) strictly above it.
func rankOf(cum []int32, off, b int) int32 {
	i := b + 1 - off
	if i >= len(cum) || i < 0 {
		return 1
	}
	return 1 + cum[i]
}

// topBin is the bin of the k-th best student (1-based) from a histogram of
// n students; −1 when there are none.
func topBin(h []int32, off int, k int) int {
	if k < 1 {
		k = 1
	}
	cum := 0
	for i := len(h) - 1; i >= 0; i-- {
		cum += int(h[i])
		if cum >= k {
			return off + i
		}
	}
	return -1
}

// bottomBin is the bin of the k-th worst student (1-based); −1 when none.
func bottomBin(h []int32, off int, k int) int {
	if k < 1 {
		k = 1
	}
	cum := 0
	for i, c := range h {
		cum += int(c)
		if cum >= k {
			return off + i
		}
	}
	return -1
}

// shareCount is how many of n students a top share pct% names: at least one
// when there is anyone.
func shareCount(n int, pct float64) int {
	k := int(math.Ceil(float64(n)*pct/100 - 1e-9))
	if k < 1 && n > 0 {
		k = 1
	}
	return k
}

// ceilBin is the first bin at or above a line in points.
func ceilBin(points float64) int {
	if math.IsNaN(points) {
		return math.MaxInt32
	}
	return int(math.Ceil(points*2 - 1e-9))
}
