package analysis

import "math"

// A histogram h counts students per half-point bin: h[i] is the number with
// bin off+i (score (off+i)/2). Everything a unit reports comes from one.

// summary is what a unit's histogram says about location and spread, in
// points.
type summary struct {
	n              int
	mean, sd       float64
	min, max, mode float64
	q1, median, q3 float64
	sumHalf        int64
	minBin, maxBin int
	hasHalf        bool // some score ends in .5
}

// summarize reads n, mean, SD, min, max, mode and quartiles from h. The mean
// comes from exact integer sums; the SD from a second pass about the mean,
// which keeps it accurate where the textbook formula cancels.
func summarize(h []int32, off int, sample, quartInc bool) summary {
	s := summary{mean: math.NaN(), sd: math.NaN(), min: math.NaN(), max: math.NaN(), mode: math.NaN(),
		q1: math.NaN(), median: math.NaN(), q3: math.NaN(), minBin: -1, maxBin: -1}
	var n, sum int64
	var best int32
	for i, c := range h {
		if c == 0 {
			continue
		}
		b := off + i
		if s.minBin < 0 {
			s.minBin = b
		}
		s.maxBin = b
		n += int64(c)
		sum += int64(c) * int64(b)
		// Ties for the mode go to the higher score.
		if c >= best {
			best = c
			s.mode = float64(b) / 2
		}
		if b&1 == 1 {
			s.hasHalf = true
		}
	}
	s.n, s.sumHalf = int(n), sum
	if n == 0 {
		return s
	}
	s.min, s.max = float64(s.minBin)/2, float64(s.maxBin)/2
	meanHalf := float64(sum) / float64(n)
	s.mean = meanHalf / 2
	var ss float64
	for i := s.minBin - off; i <= s.maxBin-off; i++ {
		if c := h[i]; c != 0 {
			d := float64(off+i) - meanHalf
			ss += float64(c) * d * d
		}
	}
	switch {
	case !sample:
		s.sd = math.Sqrt(ss/float64(n)) / 2
	case n > 1:
		s.sd = math.Sqrt(ss/float64(n-1)) / 2
	}
	s.q1 = quantile(h, off, s, n, 0.25, quartInc)
	s.median = quantile(h, off, s, n, 0.5, quartInc)
	s.q3 = quantile(h, off, s, n, 0.75, quartInc)
	return s
}

// quantile interpolates linearly between order statistics like Excel:
// QUARTILE.INC puts quartile p at 0-based position p·(n−1), QUARTILE.EXC at
// p·(n+1)−1 and has no value outside 0…n−1.
func quantile(h []int32, off int, s summary, n int64, p float64, inc bool) float64 {
	pos := p * float64(n-1)
	if !inc {
		pos = p*float64(n+1) - 1
		if pos < 0 || pos > float64(n-1) {
			return math.NaN()
		}
	}
	k := int64(math.Floor(pos))
	frac := pos - float64(k)
	lo := orderStat(h, off, s, k)
	if frac == 0 || k+1 >= n {
		return float64(lo) / 2
	}
	hi := orderStat(h, off, s, k+1)
	return (float64(lo) + frac*float64(hi-lo)) / 2
}

// orderStat is the bin of the k-th smallest (0-based) student.
func orderStat(h []int32, off int, s summary, k int64) int {
	var cum int64
	for i := s.minBin - off; i <= s.maxBin-off; i++ {
		cum += int64(h[i])
		if cum > k {
			return off + i
		}
	}
	return s.maxBin
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
