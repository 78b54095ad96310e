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
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/exams/examgen"
	"edugroup/internal/exams/xlsxreport"
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
	// No collection while the exams are analysed (their memory is all
	// live); the report writing that follows makes garbage, so it gets the
	// collector back.
	restoreGC := c.batchGC()
	defer restoreGC()
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
			fprintf(c.stderr, "任课表 %s\n", xlsxreport.ProblemLine(p))
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

	restoreGC()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if ext == ".json" {
		err = rep.WriteJSON(f, *students, extras...)
	} else {
		err = xlsxreport.Write(f, rep, imp, va, gaps, *students)
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

type loaded struct {
	exam *analysis.Exam
	data *analysis.Data
}

// loadExam reads one results file: guess the columns, parse, report the
// problems, and keep the valid rows (or refuse, with strict).
func (c *cli) loadExam(path string, ef *examFile, stage string, strict, verbose bool) (loaded, *xlsxreport.About, error) {
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
	imp := &xlsxreport.About{File: filepath.Base(path), Mapping: m, Students: res.Data.Len(), LeftOut: res.InvalidCount,
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
			fprintf(c.stderr, "  %s\n", xlsxreport.ProblemLine(p))
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
