package analysis

import (
	"math"
	"slices"
)

// Levels of Stat rows.
const (
	LevelExam    = "exam"
	LevelGroup   = "group"
	LevelSchool  = "school"
	LevelClass   = "class"
	LevelTeacher = "teacher"
)

// Report is everything Analyze computes. Figures that have no value (the
// SD of one student, a rate of nobody) are NaN and print as null.
type Report struct {
	Exam     string   `json:"exam"`
	Settings Settings `json:"settings"`
	// Subjects are the exam's subjects followed by 总分, with the lines
	// and exam mean/SD every other figure refers to.
	Subjects []SubjectInfo `json:"subjects"`
	// TierLines are the 分档上线 lines of the total.
	TierLines []TierLine   `json:"tier_lines"`
	Groups    []GroupInfo  `json:"groups"`
	Stats     []Stat       `json:"stats"`
	Balance   []Balance    `json:"balance"`
	Papers    []PaperStats `json:"papers"`
	Warnings  []string     `json:"warnings"`
	// WarningKeys are the same warnings as message keys and arguments
	// (Messages, the server's catalogs), for a reader in another language.
	WarningKeys []Warning `json:"warning_keys,omitempty"`
	// Distributions are the 一分一段 tables of the exam, per subject.
	Distributions []Distribution `json:"distributions"`
	// Bands are the 分数段 tables of the exam, each group and each school.
	Bands []Band `json:"bands"`

	data  *Data
	cols  [][]int32 // the subject columns as analysed (setting blank applied)
	teach []teachMap
	total []int32      // the 总分 column
	ranks []rankTables // per subject and total
}

// rankTables answer a student's ranks from the score: exam and school
// ranks from rank-by-bin tables (a few KB each), class ranks stored.
type rankTables struct {
	bins    int
	exam    []int32 // bin → rank − 1 (students, or distinct scores, above)
	school  []int32 // school·bins + bin → the same within the school
	class16 []uint16
	class32 []int32 // instead of class16 when a class has 65,535 or more students
}

// SubjectInfo describes a subject (or 总分) as the report used it.
type SubjectInfo struct {
	Name    string  `json:"name"`
	Full    float64 `json:"full"`
	InTotal bool    `json:"in_total"`
	// LineMode says where the lines came from: percent, absolute or rank.
	LineMode  string  `json:"line_mode"`
	Excellent float64 `json:"excellent_line"`
	Good      float64 `json:"good_line"` // NaN when 良好 is off
	Pass      float64 `json:"pass_line"`
	Low       float64 `json:"low_line"`
	// Step of the 一分一段 rows: 0.5 when any score ends in .5, else 1.
	Step float64 `json:"step"`
	// Mean and SD of the whole exam: the reference of Z and T.
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// Critical names the lines Stat.Critical counts, in that order.
	Critical []CriticalLine `json:"critical"`
}

// CriticalLine is one line of 临界生: students with From ≤ score < To.
type CriticalLine struct {
	Name string  `json:"name"`
	Line float64 `json:"line"`
	From float64 `json:"from"`
	To   float64 `json:"to"`
}

// TierLine is one 分档 line: the total at which Share % of the exam is reached.
type TierLine struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
	Score float64 `json:"score"`
	Count int     `json:"count"`
}

// GroupInfo is a group of schools and its lead school.
type GroupInfo struct {
	Name         string `json:"name"`
	Lead         string `json:"lead"`
	LeadInferred bool   `json:"lead_inferred"`
	Schools      int    `json:"schools"`
}

// Stat is one row of the report: one unit, one subject.
type Stat struct {
	Level      string `json:"level" enum:"exam,group,school,class,teacher"`
	Group      string `json:"group"`
	School     string `json:"school"`
	SchoolCode string `json:"school_code"`
	Class      string `json:"class"`
	Teacher    string `json:"teacher"`
	Subject    string `json:"subject"`

	Enrolled int     `json:"enrolled"` // 应考
	N        int     `json:"n"`        // 实考
	Absent   int     `json:"absent"`   // 缺考 (总分: left out for a missing subject)
	Void     int     `json:"void"`     // 作弊/违纪
	TakeRate float64 `json:"take_rate"`

	Mean      float64 `json:"mean"`
	ScoreRate float64 `json:"score_rate"` // 得分率
	SD        float64 `json:"sd"`
	CV        float64 `json:"cv"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Median    float64 `json:"median"`
	Q1        float64 `json:"q1"`
	Q3        float64 `json:"q3"`
	Mode      float64 `json:"mode"`

	ExcellentCount int     `json:"excellent_count"`
	ExcellentRate  float64 `json:"excellent_rate"`
	GoodCount      int     `json:"good_count"`
	GoodRate       float64 `json:"good_rate"`
	PassCount      int     `json:"pass_count"`
	PassRate       float64 `json:"pass_rate"`
	LowCount       int     `json:"low_count"`
	LowRate        float64 `json:"low_rate"`
	// 全科及格/优秀, on 总分 rows: every total-score subject at the line.
	AllPassCount      int     `json:"all_pass_count"`
	AllPassRate       float64 `json:"all_pass_rate"`
	AllExcellentCount int     `json:"all_excellent_count"`
	AllExcellentRate  float64 `json:"all_excellent_rate"`

	// RefMean is the mean compared with: the exam's for groups, schools and
	// teachers, the school's for classes.
	RefMean       float64 `json:"ref_mean"`
	Diff          float64 `json:"diff"`            // 离均差
	Ratio         float64 `json:"ratio"`           // 均分比
	AboveMeanRate float64 `json:"above_mean_rate"` // 超均率
	TScore        float64 `json:"t_score"`         // unit T against the exam
	Contribution  float64 `json:"contribution"`    // 学科贡献率, vs the exam
	Composite     float64 `json:"composite"`       // 两率一分
	// Rank among units of the same level in the subject (by mean);
	// RankInSchool for classes within their school. 0 when not ranked.
	Rank         int `json:"rank"`
	RankInSchool int `json:"rank_in_school"`
	// GapToLead is the lead school's T (or Z) minus this school's.
	GapToLead float64 `json:"gap_to_lead"`
	// Tiers counts students at or above each TierLines entry (总分 rows).
	Tiers []int `json:"tiers"`
	// Critical counts 临界生 per SubjectInfo.Critical line.
	Critical []int `json:"critical"`
	// SmallN: fewer than Settings.MinN students; read with caution.
	SmallN bool `json:"small_n"`
}

// Distribution is the 一分一段 table of one subject, best score first.
type Distribution struct {
	Subject string    `json:"subject"`
	Step    float64   `json:"step"`
	Rows    []DistRow `json:"rows"`
}

// DistRow: Count students have exactly Score (本段人数), Cumulative have it
// or more (累计人数, the 位次 of the score).
type DistRow struct {
	Score      float64 `json:"score"`
	Count      int     `json:"count"`
	Cumulative int     `json:"cumulative"`
}

// Band is a 分数段 table of one unit and subject, best band first.
type Band struct {
	Level   string    `json:"level" enum:"exam,group,school,class,teacher"`
	Group   string    `json:"group"`
	School  string    `json:"school"`
	Subject string    `json:"subject"`
	Width   float64   `json:"width"`
	Rows    []BandRow `json:"rows"`
}

// BandRow counts From ≤ score < To (the top band includes the full marks).
type BandRow struct {
	From       float64 `json:"from"`
	To         float64 `json:"to"`
	Count      int     `json:"count"`
	Cumulative int     `json:"cumulative"`
	Share      float64 `json:"share"`
	CumShare   float64 `json:"cum_share"`
}

// Balance is the between-school balance of a subject: the enrolment-weighted
// coefficient of variation of school means, over the exam (Group "") or
// within one group.
type Balance struct {
	Group   string  `json:"group"`
	Subject string  `json:"subject"`
	Schools int     `json:"schools"`
	Mean    float64 `json:"mean"`
	CV      float64 `json:"cv"`
}

// Score returns student i's entry in subject s (len(Exam.Subjects) for
// 总分) in half-points or a code, as the analysis read it (with setting
// blank "absent" a blank is Absent). The total is Absent for a student left
// out of it (see Settings.TotalMissing).
func (r *Report) Score(s, i int) int32 {
	if s == len(r.cols) {
		return r.total[i]
	}
	return r.cols[s][i]
}

// Counted returns the score student i counts with in subject s: the
// half-points of Score, 0 for an absent or voided paper counted as 0
// (absent_as_zero, void_as_zero), else the code. Every output that prints
// a score beside ranks and statistics prints this one, so they agree; the
// code of Score still says why (缺考, counted as 0).
func (r *Report) Counted(s, i int) int32 {
	v := r.Score(s, i)
	if v < 0 && s < len(r.cols) && (v == Absent && r.Settings.AbsentAsZero || v == Void && r.Settings.VoidAsZero) {
		return 0
	}
	return v
}

// counted is the bin a score counts in, or −1 when it is left out.
func (r *Report) counted(s, i int) int {
	if v := r.Counted(s, i); v >= 0 {
		return int(v)
	}
	return -1
}

// ExamRank is student i's rank in subject s over the whole exam (setting
// rank: competition or dense); 0 when the student has no counted score.
func (r *Report) ExamRank(s, i int) int {
	b := r.counted(s, i)
	if b < 0 {
		return 0
	}
	return int(rankOf(r.ranks[s].exam, 0, b))
}

// SchoolRank is student i's rank within their school; 0 when unranked.
func (r *Report) SchoolRank(s, i int) int {
	b := r.counted(s, i)
	if b < 0 {
		return 0
	}
	t := &r.ranks[s]
	sc := int(r.data.SchoolOf(i))
	return int(rankOf(t.school[sc*t.bins:(sc+1)*t.bins], 0, b))
}

// ClassRank is student i's rank within their class; 0 when unranked.
func (r *Report) ClassRank(s, i int) int {
	t := &r.ranks[s]
	if t.class32 != nil {
		return int(t.class32[i])
	}
	return int(t.class16[i])
}

// Z is student i's standard score in subject s against the whole exam; NaN
// without a counted score.
func (r *Report) Z(s, i int) float64 {
	b := r.counted(s, i)
	info := r.Subjects[s]
	if b < 0 || !(info.SD > 0) {
		return math.NaN()
	}
	return (float64(b)/2 - info.Mean) / info.SD
}

// T is TMean + TSD·Z.
func (r *Report) T(s, i int) float64 {
	return r.Settings.TMean + r.Settings.TSD*r.Z(s, i)
}

// CriticalStudents lists the 临界生 of subject s for its k-th critical line
// (Subjects[s].Critical[k]): the students whose counted score lies in the
// line's range, best first, as indices into the data.
func (r *Report) CriticalStudents(s, k int) []int {
	cl := r.Subjects[s].Critical[k]
	var out []int
	if math.IsNaN(cl.From) {
		return out
	}
	from, to := int(math.Round(cl.From*2)), int(math.Round(cl.To*2))
	for i := range r.data.Len() {
		if b := r.counted(s, i); b >= from && b < to {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return r.counted(s, b) - r.counted(s, a) })
	return out
}

// Data returns the input the report was computed from.
func (r *Report) Data() *Data { return r.data }
