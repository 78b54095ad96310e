package examfile

// Crafted files, each the smallest that shows one defect of issue 12.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"edugroup/internal/exams/analysis"
)

// Item 6: a blank ("" or "-") objective answer or a 缺 in one item of a
// paper the student sat is 未作答: 0, kept in the item analysis and counted
// as 未作答 among the options; 缺 in every item is 缺考.
func TestCraftedBlankAnswersAreUnanswered(t *testing.T) {
	data := book(t, []string{"小题分", "试卷结构"}, map[string][][]any{
		"小题分": {
			{"考号", "姓名", "学校", "班级", "第1题", "第2题", "第3题"},
			{"1", "甲", "一中", "1班", "A", "A", 4},
			{"2", "乙", "一中", "1班", nil, "B", 3},
			{"3", "丙", "一中", "1班", "-", "A", "缺"},
			{"4", "丁", "一中", "1班", "缺", "缺", "缺"},
		},
		"试卷结构": {{"题号", "题型", "分值", "答案"}, {"1", "单选", 3, "A"}, {"2", "单选", 3, "A"}, {"3", "解答", 4, nil}},
	}, nil)
	res, _ := parse(t, "数学小题分.xlsx", data, Options{})
	if len(res.Problems) != 0 {
		t.Fatalf("problems %+v", res.Problems)
	}
	for id, want := range map[string]string{"1": "10", "2": "3", "3": "3", "4": "缺考"} {
		if got := score(t, res, id, "数学"); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	r, err := analysis.Analyze(res.Exam, res.Data)
	if err != nil {
		t.Fatal(analysis.Describe(err))
	}
	p := r.Papers[0]
	if p.N != 3 || p.Incomplete != 1 {
		t.Errorf("n %d incomplete %d, want 3 and 1 (丁 缺考)", p.N, p.Incomplete)
	}
	opts := map[string]int{}
	for _, o := range p.Items[0].Options {
		opts[o.Option] = o.Count
	}
	if !reflect.DeepEqual(opts, map[string]int{"A": 1, "未作答": 2}) {
		t.Errorf("item 1 options %v", opts)
	}
}

// Item 7: rows with a blank 考号 are each missing_id, not duplicates of
// one another.
func TestCraftedBlankIDsAreMissingNotDuplicate(t *testing.T) {
	csv := "考号,姓名,学校,班级,语文\n1,甲,一中,1班,90\n,乙,一中,1班,80\n,丙,一中,1班,70\n"
	res, _ := parse(t, "s.csv", []byte(csv), Options{})
	if got := codes(res); !reflect.DeepEqual(got, []string{"3:missing_id", "4:missing_id"}) {
		t.Errorf("problems %v", got)
	}
	if res.InvalidCount != 2 {
		t.Errorf("invalid %d", res.InvalidCount)
	}
}

// Item 8: one rule for a repeated 考号 in every shape: every row with it is
// left out (which one is the student's is unknown), with a problem.
func TestCraftedDuplicateSameInWideAndLong(t *testing.T) {
	wide := "考号,姓名,学校,班级,语文\n1,甲,一中,1班,90\n2,乙,一中,1班,80\n1,甲,一中,1班,70\n"
	long := "考号,姓名,学校,班级,科目,成绩\n1,甲,一中,1班,语文,90\n2,乙,一中,1班,语文,80\n1,甲,一中,1班,语文,70\n"
	for name, csv := range map[string]string{"wide": wide, "long": long} {
		res, m := parse(t, name+".csv", []byte(csv), Options{})
		if want := map[string]Shape{"wide": ShapeWide, "long": ShapeLong}[name]; m.Shape != want {
			t.Fatalf("%s: shape %v", name, m.Shape)
		}
		if len(res.Problems) != 1 || res.Problems[0].Line != 4 {
			t.Errorf("%s: problems %v", name, codes(res))
		}
		v := res.ValidData()
		if !reflect.DeepEqual(v.ID, []string{"2"}) {
			t.Errorf("%s: valid students %v, want only 2", name, v.ID)
		}
	}
}

// Item 9: without an exam file, one typo does not raise the full marks, it
// is a problem; 语数英 of an unknown stage get one full mark.
func TestCraftedFullMarkInference(t *testing.T) {
	var b strings.Builder
	b.WriteString("考号,姓名,学校,班级,语文,数学,英语\n")
	for i := range 40 {
		chinese := 80 + i%60 // up to 139: a 150-mark paper
		if i == 7 {
			chinese = 155 // the typo
		}
		fmt.Fprintf(&b, "%d,学生,一中,实验班,%d,%d,%d\n", i+1, chinese, 50+i, 40+i)
	}
	res, _ := parse(t, "s.csv", []byte(b.String()), Options{})
	full := map[string]float64{}
	for _, s := range res.Exam.Subjects {
		full[s.Name] = s.Full
	}
	if !reflect.DeepEqual(full, map[string]float64{"语文": 150, "数学": 150, "英语": 150}) {
		t.Errorf("full marks %v (assumptions %q)", full, res.Assumptions)
	}
	if got := codes(res); !reflect.DeepEqual(got, []string{"9:above_full"}) {
		t.Errorf("problems %v", got)
	}
	if _, err := analysis.Analyze(res.Exam, res.ValidData()); err != nil {
		t.Errorf("valid data refused: %v", analysis.Describe(err))
	}
	// Enough students above the standard: a paper with more marks.
	csv := "考号,姓名,学校,班级,体育\n1,甲,一中,1班,105\n2,乙,一中,1班,112\n3,丙,一中,1班,90\n"
	res, _ = parse(t, "p.csv", []byte(csv), Options{})
	if res.Exam.Subjects[0].Full != 120 || len(res.Problems) != 0 {
		t.Errorf("体育 %v problems %v", res.Exam.Subjects[0].Full, codes(res))
	}
	// An unknown stage with small scores only: 语数英 all 100.
	csv = "考号,姓名,学校,班级,语文,英语\n1,甲,一中,实验班,88,95\n2,乙,一中,实验班,70,60\n"
	res, _ = parse(t, "q.csv", []byte(csv), Options{})
	if res.Exam.Subjects[0].Full != 100 || res.Exam.Subjects[1].Full != 100 {
		t.Errorf("unknown stage %+v", res.Exam.Subjects)
	}
}

// rawXLSX is a minimal workbook written by hand: sheet1 holds the rows as
// given, so a cell can carry a formula with a saved value.
func rawXLSX(t *testing.T, sheetData string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="成绩" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			sheetData + `</sheetData></worksheet>`,
	} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Item 10: a score cell holding a formula is read from the value Excel
// saved with it (never evaluated) and noted; one without a saved value is
// still a problem.
func TestCraftedFormulaCachedValue(t *testing.T) {
	is := func(ref, s string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>` }
	row := func(n int, cells ...string) string {
		return fmt.Sprintf(`<row r="%d">%s</row>`, n, strings.Join(cells, ""))
	}
	sheet := row(1, is("A1", "考号"), is("B1", "姓名"), is("C1", "学校"), is("D1", "班级"), is("E1", "语文")) +
		row(2, is("A2", "1"), is("B2", "甲"), is("C2", "一中"), is("D2", "1班"), `<c r="E2"><f>60+27.5</f><v>87.5</v></c>`) +
		row(3, is("A3", "2"), is("B3", "乙"), is("C3", "一中"), is("D3", "1班"), `<c r="E3"><v>70</v></c>`) +
		row(4, is("A4", "3"), is("B4", "丙"), is("C4", "一中"), is("D4", "1班"), `<c r="E4"><f>E3+1</f></c>`)
	res, _ := parse(t, "公式.xlsx", rawXLSX(t, sheet), Options{})
	if got := score(t, res, "1", "语文"); got != "87.5" {
		t.Errorf("formula cell read as %q, want its saved 87.5", got)
	}
	if got := codes(res); !reflect.DeepEqual(got, []string{"4:formula"}) {
		t.Errorf("problems %v", got)
	}
	if !slices.ContainsFunc(res.Assumptions, func(a string) bool {
		return strings.Contains(a, "“语文”列有 1 个单元格是公式（第2行）") && strings.Contains(a, "未重新计算")
	}) {
		t.Errorf("no note for the formula cell: %q", res.Assumptions)
	}
}
