package examfile

// Crafted files, each the smallest that shows one shape of the real exports
// of issue 12 (items 1–4) that used to be read wrongly.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"edugroup/internal/errs"
	"edugroup/internal/i18n"
)

// hasNote: the result carries a note with this key.
func hasNote(res *Result, key string) (Note, bool) {
	for _, n := range res.Notes {
		if n.Key == key {
			return n, true
		}
	}
	return Note{}, false
}

// classesOf counts the classes of each school.
func classesOf(res *Result) map[string]int {
	out := map[string]int{}
	for _, c := range res.Data.Classes {
		out[res.Data.Schools[c.School].Name]++
	}
	return out
}

// refusedWith reads a file that must stop with a question; it returns the
// question's arguments.
func refusedWith(t *testing.T, name string, data []byte, opts Options, key string) errs.Args {
	t.Helper()
	_, _, err := ReadFile(name, data, opts)
	de, ok := errs.As(err)
	if !ok || de.Key != key {
		t.Fatalf("%s: got %v, want the question %s", name, err, key)
	}
	return de.Args
}

// Item 1: a school whose 姓名 column holds class codes and whose 班级
// column holds names is read swapped (one note naming it); a school whose
// rows are swapped only here and there is a question naming it.
func TestCraftedSwappedNameAndClass(t *testing.T) {
	names := []string{"甲一", "乙二", "丙三", "丁四", "戊五", "己六"}
	rows := [][]any{{"学校", "考号", "姓名", "班级", "语文", "数学"}}
	for i, n := range names {
		rows = append(rows, []any{"一中", fmt.Sprint(100 + i), n, fmt.Sprint(1 + i%2), 90, 80})
	}
	for i, n := range names {
		rows = append(rows, []any{"二中", fmt.Sprint(200 + i), fmt.Sprintf("0%d", 1+i%3), n + "明", 90, 80})
	}
	data := book(t, []string{"分数"}, map[string][][]any{"分数": rows}, nil)
	res, _ := parse(t, "league.xlsx", data, Options{})
	if got := classesOf(res); got["一中"] != 2 || got["二中"] != 3 {
		t.Errorf("classes per school %v, want 一中 2 and 二中 3", got)
	}
	name, school, class := student(t, res, "201")
	if name != "乙二明" || school != "二中" || class != "2班" {
		t.Errorf("swapped row read as %s %s %s", name, school, class)
	}
	n, ok := hasNote(res, keyNoteSwapped)
	if !ok || !strings.Contains(fmt.Sprint(n.Args["schools"]), "二中") || strings.Contains(fmt.Sprint(n.Args["schools"]), "一中") || n.Args["n"] != 6 {
		t.Errorf("swap note %+v", n)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %v", codes(res))
	}

	// The same league sorted by score, the schools interleaved: the same.
	inter := [][]any{rows[0]}
	for i := range names {
		inter = append(inter, rows[1+i], rows[1+len(names)+i])
	}
	res, _ = parse(t, "sorted.xlsx", book(t, []string{"分数"}, map[string][][]any{"分数": inter}, nil), Options{})
	if got := classesOf(res); got["一中"] != 2 || got["二中"] != 3 {
		t.Errorf("interleaved: classes per school %v", got)
	}

	// Swapped and plain rows mixed within one school: ask.
	mixed := [][]any{{"学校", "考号", "姓名", "班级", "语文"}}
	for i, n := range names {
		if i%2 == 0 {
			mixed = append(mixed, []any{"三中", fmt.Sprint(300 + i), n, "1", 90})
		} else {
			mixed = append(mixed, []any{"三中", fmt.Sprint(300 + i), "2", n, 90})
		}
	}
	mixed = append(mixed, []any{"一中", "400", "庚七", "1", 90})
	args := refusedWith(t, "mixed.xlsx", book(t, []string{"分数"}, map[string][][]any{"分数": mixed}, nil), Options{}, keyAskSwapped)
	if s := fmt.Sprint(args["schools"]); !strings.Contains(s, "三中") || strings.Contains(s, "一中") {
		t.Errorf("question names %s", s)
	}
}

// Item 2: the stage, and with it the full marks, comes from evidence:
// class codes 101… with 政治, 物理 and 语数英 above 100 are a 高中 (150,
// classes 高一(1)班), not a 小学; class names of two stages ask.
func TestCraftedStageFromEvidence(t *testing.T) {
	var b strings.Builder
	b.WriteString("学校,考号,姓名,班级,语文,数学,英语,物理,政治\n")
	for i := range 40 {
		fmt.Fprintf(&b, "一中,%d,学生%c,10%d,%d,%d,%d,70,60\n", 1000+i, rune('甲'+i), 1+i%3, 80+i, 90+i, 85+i)
	}
	res, _ := parse(t, "high.csv", []byte(b.String()), Options{})
	if res.Exam.Stage != "高中" {
		t.Errorf("stage %q, want 高中", res.Exam.Stage)
	}
	for _, s := range res.Exam.Subjects {
		if want := map[string]float64{"语文": 150, "数学": 150, "英语": 150}[s.Name]; want > 0 && s.Full != want {
			t.Errorf("%s full %v, want %v", s.Name, s.Full, want)
		}
	}
	if _, _, class := student(t, res, "1000"); class != "高一(1)班" {
		t.Errorf("class 101 → %s, want 高一(1)班", class)
	}
	if n, ok := hasNote(res, keyNoteStage); !ok || n.Args["stage"] != "高中" || !strings.Contains(fmt.Sprint(n.Args["evidence"]), "政治") {
		t.Errorf("stage note %+v", n)
	}

	// 一(1)班 with 语数英 within 100 and no secondary subject: 小学, 100.
	b.Reset()
	b.WriteString("学校,考号,姓名,班级,语文,数学,英语\n")
	for i := range 20 {
		fmt.Fprintf(&b, "一小,%d,学生%c,一(%d)班,%d,%d,%d\n", 1000+i, rune('甲'+i), 1+i%2, 70+i, 75+i, 60+i)
	}
	res, _ = parse(t, "primary.csv", []byte(b.String()), Options{})
	if res.Exam.Stage != "小学" || res.Exam.Subjects[0].Full != 100 {
		t.Errorf("primary: stage %q full %v", res.Exam.Stage, res.Exam.Subjects[0].Full)
	}

	// Class names of a 高中 and of a 初中 in equal numbers: ask; a stage
	// given settles it.
	b.Reset()
	b.WriteString("学校,考号,姓名,班级,语文\n")
	for i := range 8 {
		cls := "高一(1)班"
		if i%2 == 1 {
			cls = "初一(1)班"
		}
		fmt.Fprintf(&b, "一中,%d,学生%c,%s,%d\n", 1000+i, rune('甲'+i), cls, 90+i)
	}
	refusedWith(t, "two.csv", []byte(b.String()), Options{}, keyAskStage)
	if res, _ := parse(t, "two.csv", []byte(b.String()), Options{Stage: "高中"}); res.Exam.Stage != "高中" {
		t.Errorf("given stage %q", res.Exam.Stage)
	}
}

// Item 2: a school none of whose rows has a 考号 is kept, its students
// keyed by school + class + name (and a note names it); a blank 考号 in a
// school that has them is still a problem.
func TestCraftedSchoolWithoutIDs(t *testing.T) {
	csv := "学校,考号,姓名,班级,语文\n" +
		"一中,1,甲一,1班,90\n一中,2,乙二,1班,80\n一中,,丙三,1班,70\n" +
		"外国语,,丁四,1班,88\n外国语,,戊五,2班,77\n外国语,,己六,2班,66\n"
	res, _ := parse(t, "noid.csv", []byte(csv), Options{})
	if got := codes(res); len(got) != 1 || got[0] != "4:missing_id" {
		t.Errorf("problems %v, want only row 4 missing_id", got)
	}
	if res.Data.Len()-res.InvalidCount != 5 {
		t.Errorf("valid students %d, want 5", res.Data.Len()-res.InvalidCount)
	}
	if _, school, class := student(t, res, "外国语|2班|戊五"); school != "外国语" || class != "2班" {
		t.Errorf("generated key → %s %s", school, class)
	}
	if n, ok := hasNote(res, keyNoteGeneratedIDs); !ok || !strings.Contains(fmt.Sprint(n.Args["schools"]), "外国语") || n.Args["n"] != 3 {
		t.Errorf("note %+v", n)
	}
}

// Item 3: a 学生榜单 export: title row, two header rows, 是否参与统计, 备注
// and statistics rows at the bottom with their label in the 学籍号 column,
// in a sheet named 总分.
func TestCraftedRankingExport(t *testing.T) {
	rows := [][]any{
		{"某某联考高一-总分-学生榜单"},
		{"学籍号", "考号", "姓名", "班级", "总分", "班级排名", "语文", nil, nil, "数学", nil, nil, "是否参与统计", "备注"},
		{nil, nil, nil, nil, nil, nil, "得分", "班级排名", "年级排名", "得分", "班级排名", "年级排名"},
		{"s1", "s1", "甲一", "高一(01)班", 230, 1, 120, 1, 1, 110, 1, 1, "参与"},
		{"s2", "s2", "乙二", "高一(01)班", 200, 2, 100, 2, 2, 100, 2, 2, "参与"},
		{"s3", "s3", "丙三", "高一(02)班", 90, 1, 90, 1, 3, nil, "-", "-", "参与", "缺考"},
		{"s4", "s4", "丁四", "高一(02)班", 150, 2, 80, 2, 4, 70, 3, 3, "不参与"},
		{"s5", "s5", "戊五", "高一(02)班", nil, "-", "-", "-", "-", "-", "-", "-", "不参与"},
		{"年级平均分", nil, nil, nil, 167.5, nil, 97.5, nil, nil, 93.33},
		{"学校在联考排名", nil, nil, nil, 9, nil, 7, nil, nil, 8},
	}
	data := book(t, []string{"总分"}, map[string][][]any{"总分": rows}, nil)
	res, m := parse(t, "榜单.xlsx", data, Options{})
	if m.Sheets[0].HeaderRow != 2 || m.Sheets[0].HeaderRows != 2 {
		t.Errorf("header at %d over %d rows", m.Sheets[0].HeaderRow, m.Sheets[0].HeaderRows)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %v", codes(res))
	}
	if res.Data.Len() != 3 || res.Excluded != 2 {
		t.Fatalf("students %d excluded %d, want 3 and 2", res.Data.Len(), res.Excluded)
	}
	if got := score(t, res, "s1", "语文"); got != "120" {
		t.Errorf("语文 read from %q, want the 得分 column", got)
	}
	if got := score(t, res, "s3", "数学"); got != "缺考" {
		t.Errorf("备注 缺考: 数学 %q", got)
	}
	if got := res.Data.Schools[0].Name; got != DefaultSchool {
		t.Errorf("school %q: a sheet named 总分 is not a school", got)
	}
	for _, k := range []string{keyNoteSummaryRows, keyNoteExcluded, keyNoteRemark} {
		if _, ok := hasNote(res, k); !ok {
			t.Errorf("no note %s", k)
		}
	}
	if n, _ := hasNote(res, keyNoteSummaryRows); n.Args["n"] != 2 {
		t.Errorf("summary rows %v, want 2", n.Args["n"])
	}
	if !strings.Contains(strings.Join(m.Notes, "\n"), "总分") {
		t.Errorf("no note on the sheet name: %q", m.Notes)
	}
}

// Item 4: a school sheet and one sheet per class repeating its students,
// under two header rows: each student read once, no problem, one note.
func TestCraftedRepeatedClassSheets(t *testing.T) {
	head := [][]any{
		{"学校", "班级", "姓名", "学号", "总分", nil, "语文", nil, "数学", nil},
		{nil, nil, nil, nil, "总分", "校名", "分数", "班名", "分数", "班名"},
	}
	students := [][]any{
		{"科技中学", "高一1班", "甲一", "1001", 200, 1, 110, 1, 90, 1},
		{"科技中学", "高一1班", "乙二", "1002", 180, 2, 90, 2, 90, 1},
		{"科技中学", "高一2班", "丙三", "2001", 170, 3, 100, 1, 70, 1},
	}
	sheet := func(rows ...[]any) [][]any { return append(append([][]any{}, head...), rows...) }
	data := book(t, []string{"科技中学", "高一1班", "高一2班"}, map[string][][]any{
		"科技中学": sheet(students...),
		"高一1班": sheet(students[0], students[1]),
		"高一2班": sheet(students[2]),
	}, nil)
	res, m := parse(t, "school.xlsx", data, Options{})
	if len(m.Sheets) != 3 {
		t.Fatalf("sheets %d", len(m.Sheets))
	}
	if res.ProblemCount != 0 || res.InvalidCount != 0 {
		t.Errorf("problems %v invalid %d", codes(res), res.InvalidCount)
	}
	if res.Data.Len() != 3 || len(res.Data.Classes) != 2 {
		t.Errorf("students %d classes %d, want 3 and 2", res.Data.Len(), len(res.Data.Classes))
	}
	notes := 0
	for _, n := range res.Notes {
		if n.Key == keyNoteRepeated {
			notes++
			if n.Args["n"] != 3 {
				t.Errorf("repeated %v, want 3", n.Args["n"])
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d notes on repeated sheets, want 1", notes)
	}
	if got := score(t, res, "1001", "语文"); got != "110" {
		t.Errorf("语文 %q", got)
	}

	// A repeat with other scores is no repeat: both rows are duplicates.
	changed := append([]any{}, students[2]...)
	changed[6] = 99
	data = book(t, []string{"科技中学", "高一2班"}, map[string][][]any{"科技中学": sheet(students...), "高一2班": sheet(changed)}, nil)
	res, _ = parse(t, "school.xlsx", data, Options{})
	if got := codes(res); len(got) != 1 || !strings.HasSuffix(got[0], "duplicate_student") {
		t.Errorf("problems %v", got)
	}
}

// The notes and questions of the reader are in both catalogs, with the
// Chinese text of Messages.
func TestReaderMessagesInCatalogs(t *testing.T) {
	cat := i18n.MustLoad()
	ph := regexp.MustCompile(`\{(\w+)\}`)
	for key, zh := range Messages {
		args := errs.Args{}
		for _, m := range ph.FindAllStringSubmatch(zh, -1) {
			args[m[1]] = "x"
		}
		if got := cat.T("zh-CN", key, args); got != msg(key, args) {
			t.Errorf("%s: catalog %q, Messages %q", key, got, msg(key, args))
		}
		if !strings.HasPrefix(key, "examfile.note.") && !strings.HasPrefix(key, "examfile.ask.") {
			continue
		}
		if got := cat.T("en", key, args); got == key || got == msg(key, args) {
			t.Errorf("%s: no English text", key)
		}
	}
}

// Item 3 in the long shape: 不参与 leaves the student out (counted once,
// not once per subject row); 备注 缺考 marks the row's score.
func TestCraftedLongInclusionFlags(t *testing.T) {
	csv := "考号,姓名,学校,班级,科目,成绩,是否参与统计,备注\n" +
		"1,甲一,一中,1班,语文,90,参与,\n1,甲一,一中,1班,数学,80,参与,\n" +
		"2,乙二,一中,1班,语文,70,不参与,\n2,乙二,一中,1班,数学,60,不参与,\n" +
		"3,丙三,一中,1班,语文,,参与,缺考\n3,丙三,一中,1班,数学,75,参与,\n" +
		"平均分,,,,语文,80,,\n"
	res, m := parse(t, "long.csv", []byte(csv), Options{})
	if m.Shape != ShapeLong {
		t.Fatalf("shape %s", m.Shape)
	}
	if res.Data.Len() != 2 || res.Excluded != 1 {
		t.Errorf("students %d excluded %d, want 2 and 1", res.Data.Len(), res.Excluded)
	}
	if got := score(t, res, "3", "语文"); got != "缺考" {
		t.Errorf("备注 缺考 → %q", got)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %v", codes(res))
	}
}

// Item 2: the registry's stage of the matched schools is evidence; it
// decides class codes alone, and a contradiction asks.
func TestCraftedStageFromRegistry(t *testing.T) {
	csv := "学校,考号,姓名,班级,语文,数学\n一中,1,甲一,101,90,80\n一中,2,乙二,102,95,85\n"
	match := func(v string) (string, string, bool) { return "3301", "一中", v == "一中" }
	stageOf := func(st string) func(string) string { return func(string) string { return st } }
	res, _ := parse(t, "r.csv", []byte(csv), Options{Schools: match, SchoolStage: stageOf("senior")})
	if res.Exam.Stage != "高中" || res.Exam.Subjects[0].Full != 150 {
		t.Errorf("registry 高中: stage %q full %v", res.Exam.Stage, res.Exam.Subjects[0].Full)
	}
	if _, _, class := student(t, res, "1"); class != "高一(1)班" {
		t.Errorf("class %s", class)
	}
	res, _ = parse(t, "r.csv", []byte(csv), Options{Schools: match, SchoolStage: stageOf("primary")})
	if res.Exam.Stage != "小学" || res.Exam.Subjects[0].Full != 100 {
		t.Errorf("registry 小学: stage %q full %v", res.Exam.Stage, res.Exam.Subjects[0].Full)
	}
	high := "学校,考号,姓名,班级,语文\n一中,1,甲一,高一(1)班,90\n"
	refusedWith(t, "r.csv", []byte(high), Options{Schools: match, SchoolStage: stageOf("junior")}, keyAskStage)
}

// Item 2: class names worded as a 小学's (一年级1班) beside 物理 and scores
// above 100 contradict each other: ask; a class code (101) does not.
func TestCraftedStageConflictAsks(t *testing.T) {
	var b strings.Builder
	b.WriteString("学校,考号,姓名,班级,语文,物理\n")
	for i := range 20 {
		fmt.Fprintf(&b, "一中,%d,学生%c,一年级%d班,%d,70\n", 1000+i, rune('甲'+i), 1+i%2, 110+i)
	}
	args := refusedWith(t, "c.csv", []byte(b.String()), Options{}, keyAskStage)
	if e := fmt.Sprint(args["evidence"]); !strings.Contains(e, "物理") {
		t.Errorf("evidence %q", e)
	}
	res, _ := parse(t, "c.csv", []byte(strings.ReplaceAll(b.String(), "一年级", "10")), Options{})
	if res.Exam.Stage == "小学" || res.Exam.Subjects[0].Full != 150 {
		t.Errorf("codes: stage %q 语文 full %v", res.Exam.Stage, res.Exam.Subjects[0].Full)
	}
}

// Item 3: labels in any column of a row without a student number, and a
// header repeated above each class block, are not students.
func TestCraftedLabelsAnywhereAndRepeatedHeader(t *testing.T) {
	csv := "序号,姓名,班级,语文,是否统计\n" +
		"1,甲一,1班,90,统计\n2,乙二,1班,80,统计\n" +
		",,,85,平均分\n" + // the label in a flag column does not count, but…
		"合计,,,170,\n" +
		"序号,姓名,班级,语文,是否统计\n" +
		"3,丙三,2班,70,统计\n4,丁四,2班,60,不统计\n" +
		",,本班最高分,70,\n"
	res, _ := parse(t, "blocks.csv", []byte(csv), Options{})
	if res.Data.Len() != 3 || res.Excluded != 1 {
		t.Errorf("students %d excluded %d, want 3 and 1", res.Data.Len(), res.Excluded)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %v", codes(res))
	}
	// A dash in the 考号 column is no student number.
	if res, _ := parse(t, "dash.csv", []byte("考号,姓名,班级,语文\n1,甲一,1班,90\n-,平均分,,90\n"), Options{}); res.Data.Len() != 1 {
		t.Errorf("dash row read as a student: %d students", res.Data.Len())
	}
	for _, k := range []string{keyNoteSummaryRows, keyNoteHeaderAgain, keyNoteNoIdentity} {
		if _, ok := hasNote(res, k); !ok {
			t.Errorf("no note %s: %q", k, res.Assumptions)
		}
	}
}

// Item 3: a workbook with one sheet per subject (the subject sheets of a
// 学生榜单 export): each sheet's 得分 is its subject, the sheet names are
// not schools, 备注 缺考 and 不参与 hold per sheet.
func TestCraftedSheetPerSubject(t *testing.T) {
	head := []any{"考号", "姓名", "班级", "得分", "班级排名", "是否参与统计", "备注"}
	data := book(t, []string{"语文", "数学"}, map[string][][]any{
		"语文": {head, {"1", "甲一", "1班", 90, 1, "参与"}, {"2", "乙二", "1班", 80, 2, "参与"}, {"3", "丙三", "1班", nil, "-", "不参与", "缺考"},
			{"平均分", nil, nil, 85}},
		"数学": {head, {"1", "甲一", "1班", 70, 2, "参与"}, {"2", "乙二", "1班", nil, "-", "参与", "缺考"}, {"3", "丙三", "1班", nil, "-", "不参与", "缺考"}},
	}, nil)
	res, m := parse(t, "榜单.xlsx", data, Options{})
	if m.Shape != ShapeLong || m.Sheets[0].Subject != "语文" || m.Sheets[1].Subject != "数学" {
		t.Fatalf("shape %s sheets %+v", m.Shape, m.Sheets)
	}
	if res.Data.Len() != 2 || res.Excluded != 1 || len(res.Problems) != 0 {
		t.Errorf("students %d excluded %d problems %v", res.Data.Len(), res.Excluded, codes(res))
	}
	if got := score(t, res, "2", "数学"); got != "缺考" {
		t.Errorf("数学 of 2: %q", got)
	}
	if got := score(t, res, "1", "语文"); got != "90" {
		t.Errorf("语文 of 1: %q", got)
	}
	if res.Data.Schools[0].Name != DefaultSchool || len(res.Data.Schools) != 1 {
		t.Errorf("schools %+v", res.Data.Schools)
	}
}

// Item 3: a report-named sheet under a title that names the school takes
// the school from the title; the words of the term before it do not.
func TestCraftedSchoolFromTitle(t *testing.T) {
	for title, want := range map[string]string{
		"青山市第二中学2025学年第一学期期中考试成绩": "青山市第二中学",
		"2025学年实验小学三年级期末成绩":       "实验小学",
		"十校联合体高一期中考试-总分-学生榜单":     DefaultSchool,
	} {
		data := book(t, []string{"总分"}, map[string][][]any{"总分": {{title}, {"考号", "姓名", "班级", "语文"}, {"1", "甲一", "1班", 90}}}, nil)
		res, _ := parse(t, "t.xlsx", data, Options{})
		if got := res.Data.Schools[0].Name; got != want {
			t.Errorf("%s: school %q, want %q", title, got, want)
		}
	}
	if got := schoolInTitle(""); got != "" {
		t.Errorf("empty title → %q", got)
	}
}

// A caller who knows the school (a principal's upload) names the rows the
// mapping put in 本校.
func TestCraftedDefaultSchoolGiven(t *testing.T) {
	data := book(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": {{"考号", "姓名", "班级", "语文"}, {"1", "甲一", "1班", 90}}}, nil)
	res, _ := parse(t, "s.xlsx", data, Options{})
	if got := res.Data.Schools[0].Name; got != DefaultSchool {
		t.Errorf("school %q, want %s", got, DefaultSchool)
	}
	res, _ = parse(t, "s.xlsx", data, Options{School: "实验中学"})
	if got := res.Data.Schools[0].Name; got != "实验中学" {
		t.Errorf("school %q, want the given one", got)
	}
}

// Sheet names that are subjects or reports are not schools; schools'
// names are.
func TestReportSheetNames(t *testing.T) {
	for name, report := range map[string]bool{
		"Sheet1": true, "工作表2": true, "总分": true, "语文": true, "数学成绩": true, "学生榜单": true, "成绩表": true,
		"期中考试": true, "一中": false, "实验小学": false, "城关二小": false, "育才学校": false, "东区": false, "高一1班": true,
	} {
		if got := isReportName(name); got != report {
			t.Errorf("isReportName(%q) = %v, want %v", name, got, report)
		}
	}
}
