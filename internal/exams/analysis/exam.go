// Package analysis computes the exam reports Chinese schools expect (三率一分,
// 一分一段, ranks, standard scores, 临界生, item analysis, value added and the
// gap to the lead school) from an exam definition and its score columns. It is
// pure computation: no database, no files, no clock.
//
// Every convention that vendors and schools define differently is a Setting
// (see the shared reference exam-metrics.md and docs/exams.md); the report
// echoes the settings it used.
//
// Scores are held as fixed-point half-points (score×2) in one int32 column
// per subject, so every statistic, rank and distribution comes from counting
// histograms bounded by the full marks instead of from sorting.
package analysis

import (
	"fmt"
	"math"
	"slices"

	"edugroup/internal/errs"
)

// TotalName is the subject name of the total-score rows.
const TotalName = "总分"

// Exam describes one exam: its subjects, lines and settings. It is what an
// exam.json file holds.
type Exam struct {
	Name  string `json:"name"`
	Stage string `json:"stage,omitempty"` // 小学, 初中 or 高中; informational
	// Subjects in report order; Data.Scores[i] holds Subjects[i].
	Subjects []Subject `json:"subjects"`
	// TotalLines are absolute lines for the total (line_mode "absolute", or
	// to override the percent or rank lines of the total).
	TotalLines *Lines   `json:"total_lines,omitempty"`
	Settings   Settings `json:"settings"`
	// Groups names each group's lead school (by school name or code). A
	// group in the data without an entry gets its highest-T school as an
	// inferred lead, flagged in the report.
	Groups []GroupLead `json:"groups,omitempty"`
	// Papers describe the items of subjects that have item-level scores.
	Papers []Paper `json:"papers,omitempty"`
}

// Subject is one paper of the exam.
type Subject struct {
	Name string  `json:"name"`
	Full float64 `json:"full"` // full marks, a multiple of 0.5
	// InTotal says whether the subject counts for 总分; nil means yes.
	InTotal *bool `json:"in_total,omitempty"`
	// Lines overrides the lines of this subject (points, not percent).
	Lines *Lines `json:"lines,omitempty"`
}

// CountsForTotal reports whether the subject is one of the total-score subjects.
func (s Subject) CountsForTotal() bool { return s.InTotal == nil || *s.InTotal }

// Lines are absolute score lines in points. Excellent, Good and Pass count
// scores at or above the line; Low counts scores below it. A zero Good line
// leaves 良好 out when the good line is disabled.
type Lines struct {
	Excellent float64 `json:"excellent"`
	Good      float64 `json:"good,omitempty"`
	Pass      float64 `json:"pass"`
	Low       float64 `json:"low"`
}

// GroupLead names the lead school of a group (教育集团的核心校).
type GroupLead struct {
	Name string `json:"name"`
	Lead string `json:"lead"` // the lead school's name or code
	// LeadName names the lead school in messages when Lead is a code.
	LeadName string `json:"lead_name,omitempty"`
}

// Paper is the item structure (试卷结构/双向细目表) of one subject.
type Paper struct {
	Subject string `json:"subject"`
	Items   []Item `json:"items"`
}

// Item is one question of a paper.
type Item struct {
	No        string  `json:"no"`             // 题号
	Type      string  `json:"type,omitempty"` // 题型: 单选, 多选, 填空, 解答 …
	Full      float64 `json:"full"`           // 分值
	Knowledge string  `json:"knowledge,omitempty"`
	// Key is the correct option of an objective item ("A", or "ABD" for a
	// multiple choice). Answers are scored against it when a student has an
	// answer but no item score.
	Key string `json:"key,omitempty"`
	// Partial is the score for a multiple-choice answer that is a proper,
	// non-empty subset of Key (often half the marks); 0 gives nothing.
	Partial float64 `json:"partial,omitempty"`
}

// Settings are the conventions every report states. Decode exam.json onto
// DefaultSettings() so that keys it leaves out keep their defaults.
type Settings struct {
	// AbsentAsZero counts 缺考 students as a score of 0 (some township
	// exams do); by default they are left out of means, rates and ranks.
	AbsentAsZero bool `json:"absent_as_zero"`
	// VoidAsZero does the same for 作弊/违纪 (voided) papers.
	VoidAsZero bool `json:"void_as_zero"`
	// Blank says what a student of the exam without an entry in a subject
	// (a blank cell, a placeholder such as "-" or "/", no row of a long
	// file) is: "not_sat" (default: not 应考, absence is never inferred)
	// or "absent" (缺考, for exports that write "-" for an absent paper).
	Blank string `json:"blank" enum:"not_sat,absent"`
	// TotalMissing: "exclude" leaves a student missing any total-score
	// subject out of the total statistics; "partial" adds what they have.
	TotalMissing string `json:"total_missing" enum:"exclude,partial"`
	// SD: "sample" (n−1) or "population" (n).
	SD string `json:"sd" enum:"sample,population"`
	// Quartile: "inc" (Excel QUARTILE.INC) or "exc" (QUARTILE.EXC).
	Quartile string `json:"quartile" enum:"inc,exc"`
	// LineMode: "percent" (of full marks), "absolute" (every subject and
	// the total need Lines) or "rank" (shares of the exam population).
	LineMode string `json:"line_mode" enum:"percent,absolute,rank"`
	// Percent lines, in percent of full marks.
	ExcellentPct float64 `json:"excellent_pct"`
	GoodPct      float64 `json:"good_pct"`
	PassPct      float64 `json:"pass_pct"`
	LowPct       float64 `json:"low_pct"`
	// GoodEnabled reports 良好 (the optional rate).
	GoodEnabled bool `json:"good_enabled"`
	// Rank lines: excellent = top RankExcellentPct %, good = top
	// RankGoodPct %, pass = top RankPassPct %, low = bottom RankLowPct %.
	RankExcellentPct float64 `json:"rank_excellent_pct"`
	RankGoodPct      float64 `json:"rank_good_pct"`
	RankPassPct      float64 `json:"rank_pass_pct"`
	RankLowPct       float64 `json:"rank_low_pct"`
	// Rank: "competition" (1,2,2,4; RANK.EQ) or "dense" (1,2,2,3; 中国式排名).
	Rank string `json:"rank" enum:"competition,dense"`
	// TMean and TSD scale standard scores: T = TMean + TSD·Z (50/10, or
	// 500/100 for "标准分").
	TMean float64 `json:"t_mean"`
	TSD   float64 `json:"t_sd"`
	// BinWidth is the 分数段 width of subjects, TotalBinWidth of the total.
	BinWidth      float64 `json:"bin_width"`
	TotalBinWidth float64 `json:"total_bin_width"`
	// Tiers are the 分档上线 shares of the total in percent (一档, 二档 …).
	Tiers []float64 `json:"tiers"`
	// CriticalMode: "below" (within CriticalPoints under a line), "band"
	// (within CriticalPoints either side) or "rank" (under the line but
	// within CriticalRanks places of it in the exam).
	CriticalMode   string  `json:"critical_mode" enum:"below,band,rank"`
	CriticalPoints float64 `json:"critical_points"`
	CriticalRanks  int     `json:"critical_ranks"`
	// Composite weighs 两率一分: 得分率, 优秀率 and 及格率, each on 0–100.
	Composite Weights `json:"composite"`
	// DiscriminationShare is the top/bottom share for 区分度 (0.27).
	DiscriminationShare float64 `json:"discrimination_share"`
	// MinN: units with fewer students carry a small-n caution.
	MinN int `json:"min_n"`
	// GapUnit: the gap to the lead school in "T" or "Z" units.
	GapUnit string `json:"gap_unit" enum:"T,Z"`
	// ValueAdded: "residual" (regress this Z on the last Z) or "z_change".
	ValueAdded string `json:"value_added" enum:"residual,z_change"`
}

// Weights of the 两率一分 composite.
type Weights struct {
	Mean      float64 `json:"mean"`
	Excellent float64 `json:"excellent"`
	Pass      float64 `json:"pass"`
}

// DefaultSettings are the conventions of exam-metrics.md.
func DefaultSettings() Settings {
	return Settings{
		TotalMissing: "exclude",
		Blank:        "not_sat",
		SD:           "sample",
		Quartile:     "inc",
		LineMode:     "percent",
		ExcellentPct: 85, GoodPct: 70, PassPct: 60, LowPct: 40,
		GoodEnabled:      true,
		RankExcellentPct: 20, RankGoodPct: 35, RankPassPct: 50, RankLowPct: 20,
		Rank:  "competition",
		TMean: 50, TSD: 10,
		BinWidth: 10, TotalBinWidth: 50,
		Tiers:               []float64{15, 25, 60},
		CriticalMode:        "below",
		CriticalPoints:      10,
		CriticalRanks:       50,
		Composite:           Weights{Mean: 0.4, Excellent: 0.3, Pass: 0.3},
		DiscriminationShare: 0.27,
		MinN:                30,
		GapUnit:             "T",
		ValueAdded:          "residual",
	}
}

// maxFull bounds full marks so histograms stay small (a total of 20 papers
// of 150 is 3000).
const maxFull = 5000

// Validate checks the exam and its settings; every problem is one detail.
func (e *Exam) Validate() error {
	var f errs.Fields
	if len(e.Subjects) == 0 {
		f.Add("subjects", keyNoSubjects, nil)
	}
	seen := map[string]bool{}
	total := 0.0
	for i, s := range e.Subjects {
		field := fmt.Sprintf("subjects[%d]", i)
		switch {
		case s.Name == "" || s.Name == TotalName:
			f.Add(field+".name", keySubjectName, errs.Args{"name": s.Name})
		case seen[s.Name]:
			f.Add(field+".name", keySubjectTwice, errs.Args{"name": s.Name})
		}
		seen[s.Name] = true
		if !halfMultiple(s.Full) || s.Full <= 0 || s.Full > maxFull {
			f.Add(field+".full", keyFullMarks, errs.Args{"name": s.Name, "full": s.Full})
		}
		if s.CountsForTotal() {
			total += s.Full
		}
		if s.Lines != nil {
			checkLines(&f, field+".lines", *s.Lines, s.Full, e.Settings.GoodEnabled)
		} else if e.Settings.LineMode == "absolute" {
			f.Add(field+".lines", keyLinesRequired, errs.Args{"name": s.Name})
		}
	}
	if total > maxFull {
		f.Add("subjects", keyTotalTooLarge, errs.Args{"total": total})
	}
	if e.TotalLines != nil {
		checkLines(&f, "total_lines", *e.TotalLines, total, e.Settings.GoodEnabled)
	} else if e.Settings.LineMode == "absolute" && total > 0 {
		f.Add("total_lines", keyLinesRequired, errs.Args{"name": TotalName})
	}
	for i, p := range e.Papers {
		field := fmt.Sprintf("papers[%d]", i)
		if !seen[p.Subject] {
			f.Add(field+".subject", keyPaperSubject, errs.Args{"name": p.Subject})
		}
		if len(p.Items) == 0 {
			f.Add(field+".items", keyPaperItems, nil)
		}
		for j, it := range p.Items {
			if !halfMultiple(it.Full) || it.Full <= 0 || it.Full > maxFull {
				f.Add(fmt.Sprintf("%s.items[%d].full", field, j), keyFullMarks, errs.Args{"name": it.No, "full": it.Full})
			}
			if it.Partial < 0 || it.Partial > it.Full || !halfMultiple(it.Partial) {
				f.Add(fmt.Sprintf("%s.items[%d].partial", field, j), keyItemPartial, errs.Args{"name": it.No})
			}
		}
	}
	e.Settings.validate(&f)
	return f.Err()
}

func checkLines(f *errs.Fields, field string, l Lines, full float64, good bool) {
	ok := func(v float64) bool { return v >= 0 && v <= full && !math.IsNaN(v) }
	if !ok(l.Excellent) || !ok(l.Pass) || !ok(l.Low) || !ok(l.Good) || l.Pass > l.Excellent ||
		(good && l.Good != 0 && (l.Good > l.Excellent || l.Good < l.Pass)) {
		f.Add(field, keyLinesOrder, errs.Args{"full": full})
	}
}

func (s *Settings) validate(f *errs.Fields) {
	oneOf := func(field, v string, allowed ...string) {
		if !slices.Contains(allowed, v) {
			f.Add("settings."+field, keySettingValue, errs.Args{"value": v, "allowed": allowed})
		}
	}
	pct := func(field string, v float64) {
		if !(v >= 0 && v <= 100) {
			f.Add("settings."+field, keySettingPercent, errs.Args{"value": v})
		}
	}
	oneOf("total_missing", s.TotalMissing, "exclude", "partial")
	if s.Blank == "" {
		s.Blank = "not_sat" // settings stored before the key existed
	}
	oneOf("blank", s.Blank, "not_sat", "absent")
	oneOf("sd", s.SD, "sample", "population")
	oneOf("quartile", s.Quartile, "inc", "exc")
	oneOf("line_mode", s.LineMode, "percent", "absolute", "rank")
	oneOf("rank", s.Rank, "competition", "dense")
	oneOf("critical_mode", s.CriticalMode, "below", "band", "rank")
	oneOf("gap_unit", s.GapUnit, "T", "Z")
	oneOf("value_added", s.ValueAdded, "residual", "z_change")
	pct("excellent_pct", s.ExcellentPct)
	pct("good_pct", s.GoodPct)
	pct("pass_pct", s.PassPct)
	pct("low_pct", s.LowPct)
	pct("rank_excellent_pct", s.RankExcellentPct)
	pct("rank_good_pct", s.RankGoodPct)
	pct("rank_pass_pct", s.RankPassPct)
	pct("rank_low_pct", s.RankLowPct)
	if s.PassPct > s.ExcellentPct || (s.GoodEnabled && (s.GoodPct > s.ExcellentPct || s.GoodPct < s.PassPct)) {
		f.Add("settings.pass_pct", keyLinesOrder, nil)
	}
	if s.RankPassPct < s.RankExcellentPct || (s.GoodEnabled && (s.RankGoodPct < s.RankExcellentPct || s.RankGoodPct > s.RankPassPct)) {
		f.Add("settings.rank_pass_pct", keyLinesOrder, nil)
	}
	if !(s.TSD > 0) || math.IsInf(s.TSD, 0) || math.IsNaN(s.TMean) || math.IsInf(s.TMean, 0) {
		f.Add("settings.t_sd", keySettingPositive, nil)
	}
	if !(s.BinWidth >= 0.5) || !halfMultiple(s.BinWidth) {
		f.Add("settings.bin_width", keySettingPositive, nil)
	}
	if !(s.TotalBinWidth >= 0.5) || !halfMultiple(s.TotalBinWidth) {
		f.Add("settings.total_bin_width", keySettingPositive, nil)
	}
	if len(s.Tiers) > 10 {
		f.Add("settings.tiers", keySettingTiers, nil)
	}
	for i, t := range s.Tiers {
		if !(t > 0 && t <= 100) || (i > 0 && t <= s.Tiers[i-1]) {
			f.Add("settings.tiers", keySettingTiers, nil)
			break
		}
	}
	if !(s.CriticalPoints >= 0) || math.IsInf(s.CriticalPoints, 0) {
		f.Add("settings.critical_points", keySettingPositive, nil)
	}
	if s.CriticalRanks < 0 {
		f.Add("settings.critical_ranks", keySettingPositive, nil)
	}
	if !(s.DiscriminationShare > 0 && s.DiscriminationShare <= 0.5) {
		f.Add("settings.discrimination_share", keySettingShare, nil)
	}
	w := s.Composite
	if w.Mean < 0 || w.Excellent < 0 || w.Pass < 0 || math.IsNaN(w.Mean+w.Excellent+w.Pass) || math.IsInf(w.Mean+w.Excellent+w.Pass, 0) {
		f.Add("settings.composite", keySettingPositive, nil)
	}
	if s.MinN < 0 {
		f.Add("settings.min_n", keySettingPositive, nil)
	}
}

// halfMultiple reports whether v is a whole number of half points.
func halfMultiple(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v*2-math.Round(v*2)) < 1e-9
}

// TierName is the Chinese name of tier i (0 → 一档).
func TierName(i int) string {
	names := []string{"一档", "二档", "三档", "四档", "五档", "六档", "七档", "八档", "九档", "十档"}
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%d档", i+1)
}
