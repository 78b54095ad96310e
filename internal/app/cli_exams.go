package app

// The exam commands need no database: an analyst runs them on a file.
//
//	edugroup analyze --in FILE [--exam exam.json] [--teachers FILE] [--prev FILE]… [--students] --out report.json|report.xlsx
//	edugroup demo exam --students N --schools S --seed K --out FILE(.csv|.xlsx)

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/exams/examgen"
	"edugroup/internal/xlsx"
)

// examFile is exam.json: the analysis.Exam fields, plus an optional 任课表.
type examFile struct {
	analysis.Exam
	Teaching []analysis.Assignment `json:"teaching,omitempty"`
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (c *cli) examFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
}

// describeExamErr renders errors of the exam packages in Chinese (their
// keys may not be in the server catalog).
func describeExamErr(err error) error {
	if _, ok := errs.As(err); ok {
		return errors.New(examfile.Describe(err))
	}
	return err
}

// batchGC turns the collector off for a batch run, with a memory limit as
// the backstop: the report's data is live until the end, so collecting
// early only costs time. GOGC and GOMEMLIMIT in the environment win.
func (c *cli) batchGC() func() {
	gc, limit := -2, int64(-1)
	if c.getenv("GOGC") == "" {
		gc = debug.SetGCPercent(-1)
	}
	if c.getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(900 << 20)
	}
	return func() {
		if gc != -2 {
			debug.SetGCPercent(gc)
		}
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
	}
}

func (c *cli) analyze(args []string) error {
	fs := c.examFlags("analyze")
	in := fs.String("in", "", "exam results: .xlsx or .csv (wide, long or item-level)")
	examPath := fs.String("exam", "", "exam.json: subjects, full marks, lines, settings, lead schools (default: inferred from the file)")
	teachers := fs.String("teachers", "", "任课表 (.csv or .xlsx): 学校, 班级, 科目, 教师 — or a column per subject")
	out := fs.String("out", "", "report file: .json or .xlsx")
	students := fs.Bool("students", false, "include one row per student with ranks, Z and T")
	strict := fs.Bool("strict", false, "refuse a file with any problem instead of leaving those rows out")
	stage := fs.String("stage", "", "小学, 初中 or 高中, for inferring full marks")
	var prev stringList
	fs.Var(&prev, "prev", "an earlier exam of the same students (repeat, oldest first): value added and the gap trend")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *in == "" || *out == "" {
		return usageError("analyze needs --in FILE and --out report.json|report.xlsx")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if ext != ".json" && ext != ".xlsx" {
		return usageError("--out must end in .json or .xlsx")
	}
	defer c.batchGC()()
	start := time.Now()

	var ef *examFile
	if *examPath != "" {
		b, err := os.ReadFile(*examPath)
		if err != nil {
			return err
		}
		ef = &examFile{Exam: analysis.Exam{Settings: analysis.DefaultSettings()}}
		if err := json.Unmarshal(b, ef); err != nil {
			return fmt.Errorf("%s: %w", *examPath, err)
		}
		if err := ef.Exam.Validate(); err != nil {
			return fmt.Errorf("%s:\n%s", *examPath, analysis.Describe(err))
		}
	}
	cur, imp, err := c.loadExam(*in, ef, *stage, *strict, true)
	if err != nil {
		return err
	}
	if ef != nil {
		cur.data.Teaching = append(cur.data.Teaching, ef.Teaching...)
	}
	if *teachers != "" {
		b, err := os.ReadFile(*teachers)
		if err != nil {
			return err
		}
		ts, problems, err := examfile.ParseTeaching(filepath.Base(*teachers), b)
		if err != nil {
			return describeExamErr(err)
		}
		for _, p := range problems {
			fprintf(c.stderr, "任课表 %s\n", problemLine(p))
		}
		cur.data.Teaching = append(cur.data.Teaching, ts...)
		fprintf(c.stdout, "任课表：%d 条\n", len(ts))
	}
	rep, err := analysis.Analyze(cur.exam, cur.data)
	if err != nil {
		return describeExamErr(err)
	}
	elapsed := time.Since(start)
	extras := []analysis.Extra{{Key: "import", Value: imp}}
	var earlier []*analysis.Report
	for _, p := range prev {
		pe, _, err := c.loadExam(p, ef, *stage, *strict, false)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		pr, err := analysis.Analyze(pe.exam, pe.data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, describeExamErr(err))
		}
		earlier = append(earlier, pr)
	}
	var va *analysis.ValueAddedReport
	var gaps []analysis.GapSeries
	if len(earlier) > 0 {
		va = analysis.ValueAdded(earlier[len(earlier)-1], rep)
		extras = append(extras, analysis.Extra{Key: "value_added", Value: va})
	}
	if len(rep.Groups) > 0 {
		all := append(earlier, rep)
		for _, s := range rep.Subjects {
			gaps = append(gaps, analysis.GapTrend(all, s.Name)...)
		}
		extras = append(extras, analysis.Extra{Key: "gap_trend", Value: gaps})
	}

	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if ext == ".json" {
		err = rep.WriteJSON(f, *students, extras...)
	} else {
		err = writeReportXLSX(f, rep, imp, va, gaps, *students)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	d := rep.Data()
	fprintf(c.stdout, "%s：%d 名学生，%d 所学校，%d 个班级，%d 个科目；计算用时 %s\n", rep.Exam, d.Len(), len(d.Schools), len(d.Classes),
		len(cur.exam.Subjects), elapsed.Round(time.Millisecond))
	for _, w := range rep.Warnings {
		fprintf(c.stderr, "注意：%s\n", w)
	}
	fprintf(c.stdout, "报告已写入 %s\n", *out)
	return nil
}

// importSummary is what the report says about reading the file.
type importSummary struct {
	File         string             `json:"file"`
	Mapping      *examfile.Mapping  `json:"mapping"`
	Students     int                `json:"students"`
	LeftOut      int                `json:"left_out"`
	ProblemCount int                `json:"problem_count"`
	Problems     []examfile.Problem `json:"problems"`
	Assumptions  []string           `json:"assumptions"`
	ExamInferred bool               `json:"exam_inferred"`
}

type loaded struct {
	exam *analysis.Exam
	data *analysis.Data
}

// loadExam reads one results file: guess the columns, parse, report the
// problems, and keep the valid rows (or refuse, with strict).
func (c *cli) loadExam(path string, ef *examFile, stage string, strict, verbose bool) (loaded, *importSummary, error) {
	// The file stays mapped until the process ends: the report's student
	// numbers and names point into it.
	data, _, err := examfile.ReadPath(path)
	if err != nil {
		return loaded{}, nil, err
	}
	f, err := examfile.Open(filepath.Base(path), data)
	if err != nil {
		return loaded{}, nil, describeExamErr(err)
	}
	m, err := f.Guess()
	if err != nil {
		return loaded{}, nil, describeExamErr(err)
	}
	opts := examfile.Options{Stage: stage}
	if ef != nil {
		e := ef.Exam
		opts.Exam = &e
	}
	res, err := f.Parse(m, opts)
	if err != nil {
		return loaded{}, nil, describeExamErr(err)
	}
	imp := &importSummary{File: filepath.Base(path), Mapping: m, Students: res.Data.Len(), LeftOut: res.InvalidCount,
		ProblemCount: res.ProblemCount, Problems: res.Problems, Assumptions: res.Assumptions, ExamInferred: ef == nil}
	if imp.Problems == nil {
		imp.Problems = []examfile.Problem{}
	}
	if verbose {
		fprintf(c.stdout, "读取 %s（%s，%s）：%s\n", filepath.Base(path), f.Format, shapeName(m.Shape), mappingLine(m))
		for _, a := range res.Assumptions {
			fprintf(c.stdout, "  假定：%s\n", a)
		}
	}
	if res.ProblemCount > 0 {
		fprintf(c.stderr, "%s 有 %d 处问题，涉及 %d 名学生：\n", filepath.Base(path), res.ProblemCount, res.InvalidCount)
		for i, p := range res.Problems {
			if i == 20 {
				fprintf(c.stderr, "  ……（其余见报告的 import.problems）\n")
				break
			}
			fprintf(c.stderr, "  %s\n", problemLine(p))
		}
		if strict {
			return loaded{}, nil, fmt.Errorf("%s 有 %d 处问题，未分析（去掉 --strict 则跳过有问题的行）", filepath.Base(path), res.ProblemCount)
		}
		if res.InvalidCount > 0 {
			fprintf(c.stderr, "已跳过这 %d 名学生，用其余 %d 名学生分析\n", res.InvalidCount, res.Data.Len()-res.InvalidCount)
		}
	}
	d := res.ValidData()
	if d.Len() == 0 {
		return loaded{}, nil, errors.New("没有可分析的学生")
	}
	return loaded{exam: res.Exam, data: d}, imp, nil
}

func shapeName(s examfile.Shape) string {
	switch s {
	case examfile.ShapeLong:
		return "长表：每行一名学生的一科"
	case examfile.ShapeItems:
		return "小题分"
	}
	return "宽表：每行一名学生"
}

func mappingLine(m *examfile.Mapping) string {
	var parts []string
	names := map[examfile.Field]string{examfile.FieldID: "考号", examfile.FieldName: "姓名", examfile.FieldSchool: "学校",
		examfile.FieldSchoolCode: "学校代码", examfile.FieldGroup: "集团", examfile.FieldClass: "班级", examfile.FieldSubject: "科目",
		examfile.FieldValue: "成绩", examfile.FieldAbsent: "缺考标记", examfile.FieldVoid: "作弊标记"}
	items := 0
	for _, col := range m.Columns {
		switch col.Field {
		case examfile.FieldIgnore:
		case examfile.FieldScore:
			if col.Header != col.Subject {
				parts = append(parts, col.Header+"→"+col.Subject)
			} else {
				parts = append(parts, col.Subject)
			}
		case examfile.FieldItem:
			items++
		default:
			if names[col.Field] != col.Header {
				parts = append(parts, col.Header+"→"+names[col.Field])
			} else {
				parts = append(parts, col.Header)
			}
		}
	}
	if items > 0 {
		parts = append(parts, fmt.Sprintf("%d 道小题", items))
	}
	return strings.Join(parts, "、")
}

func problemLine(p examfile.Problem) string {
	where := fmt.Sprintf("第%d行", p.Line)
	if p.Sheet != "" {
		where = fmt.Sprintf("“%s”第%d行", p.Sheet, p.Line)
	}
	return where + "：" + p.Message
}

// demoExam writes a synthetic joint exam.
func (c *cli) demoExam(args []string) error {
	fs := c.examFlags("demo exam")
	n := fs.Int("students", 2000, "number of students")
	schools := fs.Int("schools", 8, "number of schools")
	seed := fs.Int64("seed", 1, "random seed (the same seed gives the same file)")
	term := fs.Int("term", 0, "term of a series: 0, 1, 2 … (the same students, schools moving by their trends)")
	stage := fs.String("stage", "初中", "小学, 初中 or 高中")
	half := fs.Bool("half", false, "语文 and 英语 in half points")
	perSchool := fs.Bool("per-school", false, ".xlsx with one sheet per school")
	out := fs.String("out", "", "file to write: .csv or .xlsx")
	examOut := fs.String("exam-out", "", "also write the exam definition (exam.json) here")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	ext := strings.ToLower(filepath.Ext(*out))
	switch {
	case *out == "":
		return usageError("demo exam needs --out FILE.csv|FILE.xlsx")
	case ext != ".csv" && ext != ".xlsx":
		return usageError("--out must end in .csv or .xlsx")
	case *n < 1 || *schools < 1:
		return usageError("--students and --schools must be positive")
	case *stage != "小学" && *stage != "初中" && *stage != "高中":
		return usageError("--stage is 小学, 初中 or 高中")
	}
	plan := examgen.NewPlan(examgen.Config{Students: *n, Schools: *schools, Seed: *seed, Term: *term, Stage: *stage, HalfPoints: *half})
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if ext == ".csv" {
		err = examgen.WriteCSV(w, plan)
	} else {
		err = examgen.WriteXLSX(w, plan, *perSchool)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if *examOut != "" {
		b, err := json.MarshalIndent(examFile{Exam: *plan.Exam()}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*examOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	fprintf(c.stdout, "%s：%d 名学生，%d 所学校，%d 个集团 → %s\n", plan.Exam().Name, plan.Config.Students, len(plan.Schools), len(plan.Groups), *out)
	return nil
}

// ---- the printable report ----

// pct shows a rate as a percentage with two decimals; NaN stays empty.
func pct(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*10000) / 100
}

// num rounds a figure to two decimals for the sheet; NaN stays empty.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*100) / 100
}

func rank(r int) any {
	if r <= 0 {
		return nil
	}
	return r
}

var statHeaders = []string{"科目", "应考", "实考", "缺考", "作弊/违纪", "参考率(%)", "平均分", "得分率(%)", "标准差", "差异系数",
	"最高分", "最低分", "中位数", "下四分位", "上四分位", "众数", "优秀人数", "优秀率(%)", "良好人数", "良好率(%)",
	"及格人数", "及格率(%)", "低分人数", "低分率(%)", "全科及格率(%)", "全科优秀率(%)", "两率一分"}

func statCells(st *analysis.Stat) []any {
	return []any{st.Subject, st.Enrolled, st.N, st.Absent, st.Void, pct(st.TakeRate), num(st.Mean), pct(st.ScoreRate), num(st.SD), num(st.CV),
		num(st.Max), num(st.Min), num(st.Median), num(st.Q1), num(st.Q3), num(st.Mode), st.ExcellentCount, pct(st.ExcellentRate),
		st.GoodCount, pct(st.GoodRate), st.PassCount, pct(st.PassRate), st.LowCount, pct(st.LowRate),
		pct(st.AllPassRate), pct(st.AllExcellentRate), num(st.Composite)}
}

var compareHeaders = []string{"对比均分", "离均差", "均分比", "超均率(%)", "T值", "学科贡献率(%)", "名次"}

func compareCells(st *analysis.Stat) []any {
	return []any{num(st.RefMean), num(st.Diff), num(st.Ratio), pct(st.AboveMeanRate), num(st.TScore), pct(st.Contribution), rank(st.Rank)}
}

// writeReportXLSX writes the report a school prints: one sheet per section.
func writeReportXLSX(w io.Writer, r *analysis.Report, imp *importSummary, va *analysis.ValueAddedReport, gaps []analysis.GapSeries, students bool) error {
	b, err := xlsx.NewBook()
	if err != nil {
		return err
	}
	fail := func(err error) error { b.Close(); return err }
	rows := func(name string, headers []string, fill func(row func(...any) error) error) error {
		if _, err := b.Sheet(name, headers); err != nil {
			return err
		}
		return fill(b.Row)
	}
	sections := []func() error{
		func() error { return sheetAbout(rows, r, imp) },
		func() error {
			return rows("科目与分数线", []string{"科目", "满分", "计入总分", "划线方式", "优秀线", "良好线", "及格线", "低分线(低于)", "全体平均分", "全体标准差", "一分一段步长"},
				func(row func(...any) error) error {
					for _, s := range r.Subjects {
						in := "是"
						if !s.InTotal {
							in = "否"
						}
						mode := map[string]string{"percent": "按满分百分比", "absolute": "按分数线", "rank": "按名次比例"}[s.LineMode]
						if err := row(s.Name, s.Full, in, mode, num(s.Excellent), num(s.Good), num(s.Pass), num(s.Low), num(s.Mean), num(s.SD), s.Step); err != nil {
							return err
						}
					}
					return nil
				})
		},
		func() error { return sheetStats(rows, "总体", r, analysis.LevelExam, nil, nil) },
		func() error {
			if len(r.Groups) == 0 {
				return nil
			}
			return sheetStats(rows, "集团", r, analysis.LevelGroup, []string{"集团"}, func(st *analysis.Stat) []any { return []any{st.Group} })
		},
		func() error {
			return sheetStats(rows, "学校", r, analysis.LevelSchool, []string{"集团", "学校", "学校代码", "与核心校差距"},
				func(st *analysis.Stat) []any { return []any{st.Group, st.School, st.SchoolCode, num(st.GapToLead)} })
		},
		func() error {
			return sheetStats(rows, "班级", r, analysis.LevelClass, []string{"集团", "学校", "班级", "校内名次"},
				func(st *analysis.Stat) []any { return []any{st.Group, st.School, st.Class, rank(st.RankInSchool)} })
		},
		func() error {
			for i := range r.Stats {
				if r.Stats[i].Level == analysis.LevelTeacher {
					return sheetStats(rows, "教师", r, analysis.LevelTeacher, []string{"教师", "学校", "任教班级", "小样本"},
						func(st *analysis.Stat) []any {
							small := ""
							if st.SmallN {
								small = "人数少，慎用"
							}
							return []any{st.Teacher, st.School, st.Class, small}
						})
				}
			}
			return nil
		},
		func() error { return sheetTiers(rows, r) },
		func() error { return sheetCritical(rows, r) },
		func() error {
			return rows("一分一段", []string{"科目", "分数", "本段人数", "累计人数(位次)"}, func(row func(...any) error) error {
				for _, d := range r.Distributions {
					for _, x := range d.Rows {
						if err := row(d.Subject, x.Score, x.Count, x.Cumulative); err != nil {
							return err
						}
					}
				}
				return nil
			})
		},
		func() error {
			return rows("分数段", []string{"范围", "集团", "学校", "科目", "分数段", "人数", "累计人数", "占比(%)", "累计占比(%)"}, func(row func(...any) error) error {
				for _, bd := range r.Bands {
					scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校"}[bd.Level]
					for k, x := range bd.Rows {
						label := fmt.Sprintf("[%s, %s)", fmtNum(x.From), fmtNum(x.To))
						if k == 0 {
							label = fmt.Sprintf("[%s, %s]", fmtNum(x.From), fmtNum(x.To))
						}
						if err := row(scope, bd.Group, bd.School, bd.Subject, label, x.Count, x.Cumulative, pct(x.Share), pct(x.CumShare)); err != nil {
							return err
						}
					}
				}
				return nil
			})
		},
		func() error {
			return rows("均衡度", []string{"范围", "科目", "学校数", "加权平均分", "校际差异系数"}, func(row func(...any) error) error {
				for _, bl := range r.Balance {
					scope := bl.Group
					if scope == "" {
						scope = "全体"
					}
					if err := row(scope, bl.Subject, bl.Schools, num(bl.Mean), num(bl.CV)); err != nil {
						return err
					}
				}
				return nil
			})
		},
		func() error { return sheetPapers(rows, r) },
		func() error { return sheetValueAdded(rows, va) },
		func() error { return sheetGaps(rows, gaps) },
		func() error {
			if !students {
				return nil
			}
			return sheetStudents(rows, r)
		},
	}
	for _, s := range sections {
		if err := s(); err != nil {
			return fail(err)
		}
	}
	_, err = b.WriteTo(w)
	return err
}

type rowsFunc func(name string, headers []string, fill func(row func(...any) error) error) error

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func sheetAbout(rows rowsFunc, r *analysis.Report, imp *importSummary) error {
	return rows("说明", []string{"项目", "内容"}, func(row func(...any) error) error {
		s := r.Settings
		onOff := func(b bool) string {
			if b {
				return "是"
			}
			return "否"
		}
		tiers := make([]string, len(s.Tiers))
		for i, t := range s.Tiers {
			tiers[i] = fmt.Sprintf("%s %s%%", analysis.TierName(i), fmtNum(t))
		}
		lines := [][2]string{
			{"考试", r.Exam},
			{"学生数", strconv.Itoa(r.Data().Len())},
			{"统计口径：缺考", map[bool]string{false: "不计入（只统计实考）", true: "按 0 分计入"}[s.AbsentAsZero]},
			{"统计口径：作弊/违纪", map[bool]string{false: "不计入", true: "按 0 分计入"}[s.VoidAsZero]},
			{"统计口径：总分", map[string]string{"exclude": "缺任一总分科目者不计总分", "partial": "按已考科目合计"}[s.TotalMissing]},
			{"标准差", map[string]string{"sample": "样本标准差（n−1）", "population": "总体标准差（n）"}[s.SD]},
			{"四分位数", map[string]string{"inc": "QUARTILE.INC", "exc": "QUARTILE.EXC"}[s.Quartile]},
			{"划线方式", map[string]string{"percent": "按满分百分比", "absolute": "按分数线", "rank": "按名次比例"}[s.LineMode]},
			{"优秀/良好/及格/低分（满分%）", fmt.Sprintf("%s / %s / %s / %s", fmtNum(s.ExcellentPct), fmtNum(s.GoodPct), fmtNum(s.PassPct), fmtNum(s.LowPct))},
			{"统计良好率", onOff(s.GoodEnabled)},
			{"按名次：优秀前/良好前/及格前/低分后（%）", fmt.Sprintf("%s / %s / %s / %s", fmtNum(s.RankExcellentPct), fmtNum(s.RankGoodPct), fmtNum(s.RankPassPct), fmtNum(s.RankLowPct))},
			{"名次", map[string]string{"competition": "竞争排名（1,2,2,4）", "dense": "中国式排名（1,2,2,3）"}[s.Rank]},
			{"标准分", fmt.Sprintf("T = %s + %s·Z（Z 以全体为参照）", fmtNum(s.TMean), fmtNum(s.TSD))},
			{"分数段宽度（单科/总分）", fmtNum(s.BinWidth) + " / " + fmtNum(s.TotalBinWidth)},
			{"分档上线", strings.Join(tiers, "，")},
			{"临界生", map[string]string{"below": fmt.Sprintf("线下 %s 分以内", fmtNum(s.CriticalPoints)),
				"band": fmt.Sprintf("线上下 %s 分以内", fmtNum(s.CriticalPoints)), "rank": fmt.Sprintf("线下 %d 名以内", s.CriticalRanks)}[s.CriticalMode]},
			{"两率一分权重（得分率/优秀率/及格率）", fmt.Sprintf("%s / %s / %s", fmtNum(s.Composite.Mean), fmtNum(s.Composite.Excellent), fmtNum(s.Composite.Pass))},
			{"区分度分组比例", fmtNum(s.DiscriminationShare)},
			{"小样本提示（人数少于）", strconv.Itoa(s.MinN)},
			{"与核心校差距单位", s.GapUnit},
			{"增值模型", map[string]string{"residual": "残差模型（本次Z对上次Z回归）", "z_change": "Z值变化"}[s.ValueAdded]},
		}
		for _, g := range r.Groups {
			lead := g.Lead
			if g.LeadInferred {
				lead += "（未指定，按总分T值最高推定）"
			}
			lines = append(lines, [2]string{"集团“" + g.Name + "”核心校", lead})
		}
		if imp != nil {
			lines = append(lines, [2]string{"数据文件", imp.File},
				[2]string{"数据问题", fmt.Sprintf("%d 处，跳过 %d 名学生", imp.ProblemCount, imp.LeftOut)})
			for _, a := range imp.Assumptions {
				lines = append(lines, [2]string{"假定", a})
			}
			for _, p := range imp.Problems {
				lines = append(lines, [2]string{"问题", problemLine(p)})
			}
		}
		for _, w := range r.Warnings {
			lines = append(lines, [2]string{"注意", w})
		}
		for _, l := range lines {
			if err := row(l[0], l[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetStats(rows rowsFunc, name string, r *analysis.Report, level string, lead []string, leadCells func(*analysis.Stat) []any) error {
	headers := append(append(append([]string{}, lead...), statHeaders...), compareHeaders...)
	if level == analysis.LevelExam {
		headers = statHeaders
	}
	return rows(name, headers, func(row func(...any) error) error {
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Level != level {
				continue
			}
			var cells []any
			if leadCells != nil {
				cells = leadCells(st)
			}
			cells = append(cells, statCells(st)...)
			if level != analysis.LevelExam {
				cells = append(cells, compareCells(st)...)
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetTiers(rows rowsFunc, r *analysis.Report) error {
	if len(r.TierLines) == 0 {
		return nil
	}
	headers := []string{"范围", "集团", "学校", "班级", "总分实考"}
	for _, t := range r.TierLines {
		headers = append(headers, fmt.Sprintf("%s(前%s%%，%s分)上线", t.Name, fmtNum(t.Share), fmtNum(t.Score)))
	}
	return rows("分档上线", headers, func(row func(...any) error) error {
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Subject != analysis.TotalName || st.Level == analysis.LevelTeacher {
				continue
			}
			scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校", analysis.LevelClass: "班级"}[st.Level]
			cells := []any{scope, st.Group, st.School, st.Class, st.N}
			for _, c := range st.Tiers {
				cells = append(cells, c)
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetCritical(rows rowsFunc, r *analysis.Report) error {
	return rows("临界生", []string{"范围", "集团", "学校", "班级", "科目", "分数线", "线值", "临界区间", "临界人数"}, func(row func(...any) error) error {
		subj := map[string]analysis.SubjectInfo{}
		for _, s := range r.Subjects {
			subj[s.Name] = s
		}
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Level == analysis.LevelTeacher || st.Level == analysis.LevelGroup {
				continue
			}
			scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelSchool: "学校", analysis.LevelClass: "班级"}[st.Level]
			for k, cl := range subj[st.Subject].Critical {
				span := ""
				if !math.IsNaN(cl.From) {
					span = fmt.Sprintf("[%s, %s)", fmtNum(cl.From), fmtNum(cl.To))
				}
				if err := row(scope, st.Group, st.School, st.Class, st.Subject, cl.Name, num(cl.Line), span, st.Critical[k]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func sheetPapers(rows rowsFunc, r *analysis.Report) error {
	if len(r.Papers) == 0 {
		return nil
	}
	return rows("小题分析", []string{"科目", "题号", "题型", "知识点", "分值", "答案", "平均分", "难度", "区分度", "评价", "题总相关", "选项分布", "信度α"},
		func(row func(...any) error) error {
			for _, p := range r.Papers {
				for k, it := range p.Items {
					var opts []string
					for _, o := range it.Options {
						opts = append(opts, fmt.Sprintf("%s %.1f%%", o.Option, o.Share*100))
					}
					alpha := any(nil)
					if k == 0 {
						alpha = num(p.Alpha)
					}
					if err := row(p.Subject, it.No, it.Type, it.Knowledge, it.Full, it.Key, num(it.Mean), num(it.Difficulty),
						num(it.Discrimination), it.Verdict, num(it.ItemRest), strings.Join(opts, "；"), alpha); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

func sheetValueAdded(rows rowsFunc, va *analysis.ValueAddedReport) error {
	if va == nil {
		return nil
	}
	return rows("增值评价", []string{"层级", "集团", "学校", "班级", "教师", "科目", "匹配人数", "增值(Z)", "增值(T)", "标准误", "平均Z变化", "平均名次变化", "提示"},
		func(row func(...any) error) error {
			level := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校", analysis.LevelClass: "班级", analysis.LevelTeacher: "教师"}
			for _, u := range va.Units {
				note := ""
				if u.SmallN {
					note = "人数少于30，慎用"
				}
				if err := row(level[u.Level], u.Group, u.School, u.Class, u.Teacher, u.Subject, u.N, num(u.Value), num(u.ValueT),
					num(u.SE), num(u.MeanZChange), num(u.MeanRankChange), note); err != nil {
					return err
				}
			}
			return nil
		})
}

func sheetGaps(rows rowsFunc, gaps []analysis.GapSeries) error {
	if len(gaps) == 0 {
		return nil
	}
	headers := []string{"集团", "核心校", "学校", "科目"}
	for _, e := range gaps[0].Exams {
		headers = append(headers, e)
	}
	headers = append(headers, "趋势(每次)", "变化", "判断")
	return rows("与核心校差距", headers, func(row func(...any) error) error {
		for _, g := range gaps {
			cells := []any{g.Group, g.Lead, g.School, g.Subject}
			for _, v := range g.Gaps {
				cells = append(cells, num(v))
			}
			verdict := ""
			switch {
			case math.IsNaN(g.Slope):
			case g.Closing:
				verdict = "差距缩小"
			case g.Slope > 0:
				verdict = "差距扩大"
			default:
				verdict = "持平"
			}
			cells = append(cells, num(g.Slope), num(g.Change), verdict)
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxSheetRows is Excel's row limit, less the header.
const maxSheetRows = 1048575

func sheetStudents(rows rowsFunc, r *analysis.Report) error {
	headers := []string{"考号", "姓名", "集团", "学校", "班级"}
	for _, s := range r.Subjects {
		headers = append(headers, s.Name, s.Name+"班次", s.Name+"校次", s.Name+"联考名次", s.Name+"T")
	}
	d := r.Data()
	return rows("学生", headers, func(row func(...any) error) error {
		for i := range min(d.Len(), maxSheetRows) {
			c := d.Classes[d.Class[i]]
			school := d.Schools[c.School]
			group := ""
			if school.Group >= 0 {
				group = d.Groups[school.Group]
			}
			cells := []any{d.ID[i], d.Name[i], group, school.Name, c.Name}
			for s := range r.Subjects {
				v := r.Score(s, i)
				var score any = analysis.StatusText(v)
				if v >= 0 {
					score = float64(v) / 2
				} else if s == len(r.Subjects)-1 && v == analysis.Absent {
					score = "缺科"
				}
				cells = append(cells, score, rank(r.ClassRank(s, i)), rank(r.SchoolRank(s, i)), rank(r.ExamRank(s, i)), num(r.T(s, i)))
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}
