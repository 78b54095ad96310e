package app_test

// The exam commands through app.Run, as an analyst runs them: make a
// synthetic joint exam, analyse it, read the report.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/xlsx"
)

func examRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := app.Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

type reportJSON struct {
	Settings map[string]any   `json:"settings"`
	Subjects []map[string]any `json:"subjects"`
	Stats    []map[string]any `json:"stats"`
	Groups   []struct {
		Name, Lead string
	} `json:"groups"`
	Distributions []struct {
		Subject string
		Rows    []struct{ Score, Count, Cumulative float64 }
	} `json:"distributions"`
	Students []struct {
		ID       string           `json:"id"`
		Subjects []map[string]any `json:"subjects"`
	} `json:"students"`
	Import struct {
		Students    int      `json:"students"`
		Assumptions []string `json:"assumptions"`
	} `json:"import"`
	ValueAdded *struct {
		Subjects []struct{ Matched int } `json:"subjects"`
	} `json:"value_added"`
	GapTrend []struct {
		School string
		Gaps   []*float64
	} `json:"gap_trend"`
}

func TestAnalyzeDemoExam(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := filepath.Join(dir, "exam.csv")
	examJSON := filepath.Join(dir, "exam.json")
	code, out, stderr := examRun(t, "demo", "exam", "--students", "3000", "--schools", "7", "--seed", "11", "--half", "--out", csv, "--exam-out", examJSON)
	if code != 0 {
		t.Fatalf("demo exam: %d %s", code, stderr)
	}
	if !strings.Contains(out, "3000 名学生") {
		t.Errorf("demo output %q", out)
	}
	report := filepath.Join(dir, "report.json")
	code, out, stderr = examRun(t, "analyze", "--in", csv, "--students", "--out", report)
	if code != 0 {
		t.Fatalf("analyze: %d %s", code, stderr)
	}
	// Without --exam it says what it assumed.
	if !strings.Contains(out, "语文满分按 150 分计") || !strings.Contains(out, "报告已写入") {
		t.Errorf("analyze output %q", out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r reportJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Settings["sd"] != "sample" || r.Settings["rank"] != "competition" || r.Settings["excellent_pct"] != 85.0 {
		t.Errorf("settings %v", r.Settings)
	}
	levels := map[string]int{}
	for _, st := range r.Stats {
		levels[st["level"].(string)]++
		for _, k := range []string{"level", "group", "school", "class", "teacher", "subject", "n", "absent", "mean", "sd", "min", "max",
			"median", "excellent_rate", "good_rate", "pass_rate", "low_rate", "t_score"} {
			if _, ok := st[k]; !ok {
				t.Fatalf("row without %q: %v", k, st)
			}
		}
	}
	// 9 subjects and 总分 at every level; groups of 5 schools: 2 groups.
	if levels["exam"] != 10 || levels["group"] != 20 || levels["school"] != 70 || levels["class"] < 10*50 {
		t.Errorf("rows per level %v", levels)
	}
	exam := r.Stats[0]
	if exam["subject"] != "语文" || exam["n"].(float64) < 2900 || exam["t_score"] != 50.0 {
		t.Errorf("first row %v", exam)
	}
	if len(r.Distributions) != 10 || r.Distributions[0].Subject != "语文" {
		t.Fatalf("distributions %d", len(r.Distributions))
	}
	// 一分一段 of a half-point paper: 0.5 steps, cumulative counts.
	d := r.Distributions[0].Rows
	if d[1].Score != d[0].Score-0.5 || d[1].Cumulative != d[0].Cumulative+d[1].Count {
		t.Errorf("一分一段 %v", d[:2])
	}
	if len(r.Students) != 3000 || r.Students[0].Subjects[0]["exam_rank"] == nil || len(r.Students[0].Subjects) != 10 {
		t.Errorf("students %d %v", len(r.Students), r.Students[0])
	}
	if r.Import.Students != 3000 || len(r.Groups) != 2 || len(r.GapTrend) == 0 {
		t.Errorf("import %+v groups %+v gaps %d", r.Import, r.Groups, len(r.GapTrend))
	}

	// With exam.json, a 任课表, a previous term and the .xlsx report.
	prev := filepath.Join(dir, "prev.csv")
	if code, _, stderr := examRun(t, "demo", "exam", "--students", "3000", "--schools", "7", "--seed", "11", "--term", "1", "--out", prev); code != 0 {
		t.Fatalf("demo exam term 1: %s", stderr)
	}
	teachers := filepath.Join(dir, "teachers.csv")
	if err := os.WriteFile(teachers, []byte("学校,班级,语文,数学\n怀远县实验中学,9.1,张老师,李老师\n怀远县实验中学,9.2,张老师,王老师\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report2 := filepath.Join(dir, "report2.json")
	code, out, stderr = examRun(t, "analyze", "--in", csv, "--exam", examJSON, "--prev", prev, "--teachers", teachers, "--out", report2)
	if code != 0 {
		t.Fatalf("analyze with exam.json: %d %s", code, stderr)
	}
	if strings.Contains(out, "满分按") || !strings.Contains(out, "任课表：4 条") {
		t.Errorf("with exam.json nothing is assumed: %q", out)
	}
	b, _ = os.ReadFile(report2)
	var r2 reportJSON
	if err := json.Unmarshal(b, &r2); err != nil {
		t.Fatal(err)
	}
	if r2.ValueAdded == nil || r2.ValueAdded.Subjects[0].Matched < 2900 {
		t.Errorf("value added %+v", r2.ValueAdded)
	}
	if len(r2.GapTrend) == 0 || len(r2.GapTrend[0].Gaps) != 2 {
		t.Errorf("gap trend %+v", r2.GapTrend)
	}
	teacherRows := 0
	for _, st := range r2.Stats {
		if st["level"] == "teacher" {
			teacherRows++
		}
	}
	if teacherRows != 3 { // 张 (语文), 李 and 王 (数学)
		t.Errorf("teacher rows %d", teacherRows)
	}

	xl := filepath.Join(dir, "report.xlsx")
	if code, _, stderr := examRun(t, "analyze", "--in", csv, "--exam", examJSON, "--out", xl); code != 0 {
		t.Fatalf("analyze to xlsx: %s", stderr)
	}
	xb, err := os.ReadFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := xlsx.OpenWorkbook(xb, 0)
	if err != nil {
		t.Fatal(err)
	}
	sheets := strings.Join(wb.SheetNames(), ",")
	for _, want := range []string{"说明", "总体", "学校", "班级", "一分一段", "分数段", "分档上线", "临界生"} {
		if !strings.Contains(sheets, want) {
			t.Errorf("no sheet %s in %s", want, sheets)
		}
	}
}

func TestAnalyzeProblemsAndUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("考号,姓名,学校,班级,语文\n1,甲,一中,1班,90\n1,乙,一中,1班,80\n2,丙,一中,1班,abc\n3,丁,一中,2班,70\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	code, _, stderr := examRun(t, "analyze", "--in", bad, "--out", out)
	if code != 0 || !strings.Contains(stderr, "2 处问题") || !strings.Contains(stderr, "第3行：考号“1”与第2行重复") || !strings.Contains(stderr, "跳过这 3 名学生") {
		t.Errorf("problems: %d %s", code, stderr)
	}
	code, _, stderr = examRun(t, "analyze", "--in", bad, "--strict", "--out", out)
	if code != 1 || !strings.Contains(stderr, "未分析") {
		t.Errorf("strict: %d %s", code, stderr)
	}
	for _, args := range [][]string{
		{"analyze", "--in", bad},
		{"analyze", "--in", bad, "--out", "r.txt"},
		{"demo", "exam", "--out", "x.pdf"},
		{"demo", "exam", "--students", "0", "--out", "x.csv"},
	} {
		if code, _, _ := examRun(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	badExam := filepath.Join(dir, "exam.json")
	if err := os.WriteFile(badExam, []byte(`{"name":"x","subjects":[{"name":"语文","full":0}],"settings":{"sd":"both"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = examRun(t, "analyze", "--in", bad, "--exam", badExam, "--out", out)
	if code != 1 || !strings.Contains(stderr, "满分") || !strings.Contains(stderr, "both") {
		t.Errorf("bad exam.json: %d %s", code, stderr)
	}
	if code, _, stderr := examRun(t, "analyze", "--in", filepath.Join(dir, "none.csv"), "--out", out); code != 1 || stderr == "" {
		t.Errorf("missing file: %d %s", code, stderr)
	}
}
