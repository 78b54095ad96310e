package examfile

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"edugroup/internal/exams/analysis"
)

// Norm cleans a cell the way people's files need: full-width letters,
// digits and punctuation become ASCII, the ideographic space, no-break
// space, BOM and zero-width characters go, and the ends are trimmed. ASCII
// input without spaces comes back as it is, without allocating.
func Norm(s string) string {
	clean := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				clean = false
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 || r == 0x00A0 || r >= 0x2000 && r <= 0x200D ||
			r == 0x2060 || r == 0xFEFF {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			b.WriteRune(r - 0xFEE0)
		case r == 0x3000 || r == 0x00A0 || r >= 0x2000 && r <= 0x200A:
			b.WriteByte(' ')
		case r == 0xFEFF || r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0x7f:
		case r == utf8.RuneError:
			b.WriteRune(r)
		case r < ' ' && r != '\t' && r != '\n':
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// squeeze removes every space: Chinese names and school names are often
// padded to line up ("张  三").
func squeeze(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// Score cells.

type scoreKind uint8

const (
	scoreOK scoreKind = iota
	scoreBlank
	scoreAbsent
	scoreVoid
	scoreBad      // not a number nor a known token
	scoreNotHalf  // a number that is not a multiple of 0.5
	scoreNegative // below zero
)

// absentTokens and voidTokens are the marks marking systems and teachers
// write in a score cell (upper-cased). A 0 is always a score.
var absentTokens = map[string]bool{
	"缺": true, "缺考": true, "缺席": true, "缺测": true, "缺试": true, "未考": true, "未参考": true, "未参加": true,
	"ABS": true, "ABSENT": true, "Q": true, "QK": true, "X": true,
	"病假": true, "事假": true, "请假": true, "缓考": true, "休学": true, "病": true, "假": true,
}

var voidTokens = map[string]bool{
	"作弊": true, "违纪": true, "舞弊": true, "雷同": true, "雷同卷": true, "取消": true, "取消成绩": true, "无效": true, "违规": true,
}

// blankTokens mean "no entry": placeholders, or the student does not sit
// this paper (免考).
var blankTokens = map[string]bool{
	"-": true, "--": true, "—": true, "——": true, "/": true, "\\": true, "无": true, "免考": true, "免": true,
	"NA": true, "N/A": true, "#N/A": true, "NULL": true, "空": true,
}

// ParseScore reads a score cell: half-points, or a code (analysis.NoScore,
// Absent, Void), and whether the cell was understood. "87", "87.5",
// "８７．５", " 87.50 ", "87分" are scores; 缺考, 缺, ABS, Q, 病假, 缓考 …
// are absent; 作弊, 违纪 … void; "", "-", "/", 免考 … blank.
func ParseScore(s string) (int32, bool) {
	v, k := parseScore(s)
	return v, k == scoreOK || k == scoreBlank || k == scoreAbsent || k == scoreVoid
}

func parseScore(s string) (int32, scoreKind) {
	// The fast path: plain ASCII digits with an optional .0 or .5.
	n, i := 0, 0
	for i < len(s) && s[i]-'0' <= 9 && n < 1e7 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i > 0 && n < 1e7 {
		if i == len(s) {
			return int32(2 * n), scoreOK
		}
		if s[i] == '.' {
			j := i + 1
			half := 0
			if j < len(s) && s[j] == '5' {
				half, j = 1, j+1
			}
			for j < len(s) && s[j] == '0' {
				j++
			}
			if j == len(s) && (half == 1 || j > i+1) {
				return int32(2*n + half), scoreOK
			}
		}
	}
	return slowScore(s)
}

func slowScore(s string) (int32, scoreKind) {
	t := strings.ToUpper(squeeze(Norm(s)))
	if t == "" || blankTokens[t] {
		return analysis.NoScore, scoreBlank
	}
	if absentTokens[t] {
		return analysis.Absent, scoreAbsent
	}
	if voidTokens[t] {
		return analysis.Void, scoreVoid
	}
	// Excel's ="87" and '87, and a trailing 分.
	t = strings.TrimSuffix(strings.TrimPrefix(t, "'"), "分")
	if strings.HasPrefix(t, `="`) && strings.HasSuffix(t, `"`) {
		t = t[2 : len(t)-1]
	}
	if t == "" {
		return analysis.NoScore, scoreBad
	}
	for _, c := range []byte(t) {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+') {
			return analysis.NoScore, scoreBad
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return analysis.NoScore, scoreBad
	}
	if f < 0 {
		return analysis.NoScore, scoreNegative
	}
	if f > 1e6 {
		return analysis.NoScore, scoreBad
	}
	h, ok := analysis.HalfPoints(f)
	if !ok {
		return analysis.NoScore, scoreNotHalf
	}
	return h, scoreOK
}

// NormID cleans a student number: Norm, no spaces, and Excel's ="0012" or
// '0012 (written to keep leading zeros) unwrapped.
func NormID(s string) string {
	s = squeeze(Norm(s))
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	return strings.TrimPrefix(s, "'")
}

// Class names.

var cnDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

const gradeNumerals = "一二三四五六七八九"

// CanonicalClass writes the many spellings of one class the same way. With
// a grade: 三(2)班 for 三(2)班, 三年级2班, 3.2, 3-2, 3_2, 302, 3年级2班;
// 初三(7)班, 高一(1)班, 七(3)班 keep their stage prefix and grade word. Without
// one: 2班 for 2, 02, 2班, (2)班, 二班. Anything else (实验班, 火箭1班) is kept,
// cleaned of full-width characters and spaces.
func CanonicalClass(raw string) string {
	s := squeeze(Norm(raw))
	if s == "" {
		return ""
	}
	s = classBrackets.Replace(s)
	rs := []rune(s)
	grade, rest, ok := readGrade(rs)
	if !ok {
		// A number-only form: 302, 1203, 3.2, 3-2.
		if g, c, ok := numericClass(s); ok {
			return gradeWord(g) + "(" + strconv.Itoa(c) + ")班"
		}
		if c, ok := classNumber(rs); ok {
			return strconv.Itoa(c) + "班"
		}
		return s
	}
	if c, ok := classNumber(rest); ok {
		return grade + "(" + strconv.Itoa(c) + ")班"
	}
	return s
}

var classBrackets = strings.NewReplacer("（", "(", "）", ")", "【", "(", "】", ")", "[", "(", "]", ")")

// readGrade reads a grade at the start of a class name: 初三, 高一, 七年级,
// 三年级, 三 (before "(" or a digit). It returns the grade as it will be
// written and the rest.
func readGrade(rs []rune) (string, []rune, bool) {
	prefix := ""
	if len(rs) > 0 && (rs[0] == '初' || rs[0] == '高' || rs[0] == '小') {
		prefix, rs = string(rs[0]), rs[1:]
	}
	g := 0
	n := 0
	switch {
	case len(rs) > 0 && strings.ContainsRune(gradeNumerals, rs[0]):
		g, n = cnDigits[rs[0]], 1
	case len(rs) > 0 && rs[0] >= '1' && rs[0] <= '9':
		g, n = int(rs[0]-'0'), 1
		if len(rs) > 1 && rs[0] == '1' && rs[1] >= '0' && rs[1] <= '2' && len(rs) > 2 && rs[2] == '年' {
			g, n = 10+int(rs[1]-'0'), 2
		}
	default:
		return "", nil, false
	}
	rest := rs[n:]
	hasWord := false
	if len(rest) >= 2 && rest[0] == '年' && rest[1] == '级' {
		rest, hasWord = rest[2:], true
	} else if len(rest) >= 1 && rest[0] == '年' {
		rest, hasWord = rest[1:], true
	}
	// A bare digit grade needs 年级 or a prefix: "3班" is class 3, not grade 3.
	if !hasWord && prefix == "" && !(len(rest) > 0 && rest[0] == '(') {
		if rs[0] >= '1' && rs[0] <= '9' {
			return "", nil, false
		}
		if len(rest) == 0 || rest[0] == '班' {
			return "", nil, false // 三班 is class 3
		}
	}
	if g < 1 || g > 12 {
		return "", nil, false
	}
	if prefix == "小" {
		prefix = ""
	}
	if prefix != "" && g <= 3 {
		return prefix + string([]rune(gradeNumerals)[g-1]), rest, true
	}
	return gradeWord(g), rest, true
}

// gradeWord writes grade g: 一 … 九, and 高一 … 高三 for 10 … 12.
func gradeWord(g int) string {
	if g >= 10 {
		return "高" + string([]rune(gradeNumerals)[g-10])
	}
	return string([]rune(gradeNumerals)[g-1])
}

// classNumber reads the class part: 2, (2), 2班, (2)班, 02, 二班, 十二班.
func classNumber(rs []rune) (int, bool) {
	s := string(rs)
	s = strings.TrimSuffix(s, "班")
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = s[1 : len(s)-1]
	}
	if s == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 1000 && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "-") {
		return n, true
	}
	// Chinese numerals up to 99: 二, 十, 十二, 二十, 二十三.
	n, cur := 0, 0
	for _, r := range s {
		d, ok := cnDigits[r]
		if !ok {
			return 0, false
		}
		if d == 10 {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
		} else {
			cur = d
		}
	}
	n += cur
	return n, n > 0
}

// numericClass reads 3.2, 3-2, 3_2, 3/2, 302 and 1203 as grade and class.
func numericClass(s string) (int, int, bool) {
	s = strings.TrimSuffix(s, "班")
	for _, sep := range []string{".", "-", "_", "/", "·"} {
		if a, b, ok := strings.Cut(s, sep); ok {
			g, e1 := strconv.Atoi(a)
			c, e2 := strconv.Atoi(b)
			if e1 == nil && e2 == nil && g >= 1 && g <= 12 && c >= 1 && c < 100 && len(a) <= 2 && len(b) <= 2 {
				return g, c, true
			}
			return 0, 0, false
		}
	}
	if len(s) < 3 || len(s) > 4 {
		return 0, 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	g, _ := strconv.Atoi(s[:len(s)-2])
	c, _ := strconv.Atoi(s[len(s)-2:])
	if g >= 1 && g <= 12 && c >= 1 {
		return g, c, true
	}
	return 0, 0, false
}

// stageOfClass guesses 小学, 初中 or 高中 from a canonical class name.
func stageOfClass(c string) string {
	switch {
	case strings.HasPrefix(c, "高"):
		return "高中"
	case strings.HasPrefix(c, "初"), strings.HasPrefix(c, "七"), strings.HasPrefix(c, "八"), strings.HasPrefix(c, "九"):
		return "初中"
	}
	for _, g := range []string{"一(", "二(", "三(", "四(", "五(", "六("} {
		if strings.HasPrefix(c, g) {
			return "小学"
		}
	}
	return ""
}

// isCJK reports whether s has a Han character (a name, not a code).
func isCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
