package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

type label string

func (l label) String() string { return "标签:" + string(l) }

// The Book writes the sheet XML itself: excelize (another implementation)
// and our own reader must both read back every value, type, the header's
// style, the frozen row and the widths.
func TestBookReadsBack(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Row("x"); err == nil {
		t.Fatal("Row before Sheet accepted")
	}
	first, err := b.Sheet("总分 [汇总]", []string{"学校", "平均分", "=公式头"}, 24)
	if err != nil || first != "总分 _汇总_" {
		t.Fatalf("sheet %q %v", first, err)
	}
	wide := make([]any, 30)
	for i := range wide {
		wide[i] = i
	}
	rows := [][]any{
		{"一中 & <二中>", 87.5, int64(-3)},
		{"=1+1", math.NaN(), nil},
		{"  前后空格  ", math.Inf(1), true},
		{"换行\n制表\t回车\r控制\x01符\xff号", float32(0.25), uint16(7)},
		{label("甲"), 1e-7, 1234567890123},
		{"+86 139", math.Copysign(0, -1), false},
		wide,
	}
	for _, r := range rows {
		if err := b.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	second, _ := b.Sheet("总分 [汇总]", nil)
	if second != "总分 _汇总_(2)" {
		t.Fatalf("second sheet %q", second)
	}
	if err := b.Row("only"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo: %d of %d, %v", n, buf.Len(), err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := fmt.Sprint(f.GetSheetList()); got != "[总分 _汇总_ 总分 _汇总_(2)]" {
		t.Fatalf("sheets %s", got)
	}
	got, err := f.GetRows(first)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"学校", "平均分", "'=公式头"},
		{"一中 & <二中>", "87.5", "-3"},
		{"'=1+1"},
		{"  前后空格  ", "", "TRUE"},
		{"换行\n制表\t回车\r控制符号", "0.25", "7"},
		{"标签:甲", "0.0000001", "1234567890123"},
		{"'+86 139", "0", "FALSE"},
	}
	for i, w := range want {
		if fmt.Sprintf("%q", got[i]) != fmt.Sprintf("%q", w) {
			t.Errorf("row %d: %q, want %q", i+1, got[i], w)
		}
	}
	if len(got[7]) != 30 || got[7][29] != "29" {
		t.Errorf("wide row %q", got[7])
	}
	if v, _ := f.GetCellValue(first, "AD8"); v != "29" {
		t.Errorf("AD8 = %q", v)
	}
	for cell, typ := range map[string]excelize.CellType{"B2": excelize.CellTypeUnset, "A2": excelize.CellTypeInlineString, "C4": excelize.CellTypeBool} {
		if ct, _ := f.GetCellType(first, cell); ct != typ {
			t.Errorf("%s type %v, want %v", cell, ct, typ)
		}
	}
	// The header: bold on light blue, frozen; widths as given or fitted.
	sid, _ := f.GetCellStyle(first, "B1")
	st, err := f.GetStyle(sid)
	if err != nil || st.Font == nil || !st.Font.Bold || st.Fill.Type != "pattern" || st.Fill.Pattern != 1 {
		t.Errorf("header style %+v %v", st, err)
	}
	// excelize reports fill colours only with a theme part; read the colour
	// from the styles part itself.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == "xl/styles.xml" {
			r, _ := zf.Open()
			body, _ := io.ReadAll(r)
			if !strings.Contains(string(body), `<fgColor rgb="FFDDEBF7"/>`) {
				t.Errorf("header fill colour missing: %s", body)
			}
		}
	}
	if sid, _ := f.GetCellStyle(first, "B2"); sid != 0 {
		t.Errorf("body style %d", sid)
	}
	panes, err := f.GetPanes(first)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(first, "A"); w != 24 {
		t.Errorf("width A %v", w)
	}
	if w, _ := f.GetColWidth(first, "B"); w != colWidth("平均分", 8) {
		t.Errorf("width B %v", w)
	}
	if rows, _ := f.GetRows(second); len(rows) != 1 || rows[0][0] != "only" {
		t.Errorf("second sheet rows %q", rows)
	}

	// Our own reader agrees.
	w, err := OpenWorkbook(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	own := scanAll(t, w, 0)
	if len(own) != 8 || own[1].cells[0] != "一中 & <二中>" || own[4].cells[0] != "换行\n制表\t回车\r控制符号" || own[7].cells[29] != "29" {
		t.Errorf("own reader: %+v", own)
	}
}

func TestBookEmptyAndTable(t *testing.T) {
	b, _ := NewBook()
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil || fmt.Sprint(f.GetSheetList()) != "[Sheet1]" {
		t.Fatalf("empty book: %v %v", f.GetSheetList(), err)
	}
	f.Close()

	tb, err := NewTable("名单", []string{"姓名", "电话"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20000 {
		if err := tb.Row(fmt.Sprintf("学生%05d", i), fmt.Sprintf("-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	buf.Reset()
	if _, err := tb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	// The sheet spans several compressed chunks, joined into one stream.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" && zf.UncompressedSize64 < 2*chunkBytes {
			t.Fatalf("sheet of %d bytes: one chunk only", zf.UncompressedSize64)
		}
	}
	if f, err = excelize.OpenReader(&buf); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("名单")
	if len(rows) != 20001 || rows[20000][0] != "学生19999" || rows[20000][1] != "'-19999" {
		t.Fatalf("table: %d rows, last %q", len(rows), rows[len(rows)-1])
	}
	if w, _ := f.GetColWidth("名单", "B"); w != 18 {
		t.Errorf("table width %v", w)
	}
}

func TestColName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := string(colName(nil, i)); got != want {
			t.Errorf("colName(%d) = %s, want %s", i, got, want)
		}
	}
}

func BenchmarkBookRows(b *testing.B) {
	row := []any{"20260001", "张三", "一中", "1班", 87.5, 92.0, 78.5, 101.0, 66.0, 3, 12, 345}
	for b.Loop() {
		book, _ := NewBook()
		book.Sheet("成绩", []string{"考号", "姓名", "学校", "班级", "语文", "数学", "英语", "物理", "化学", "班次", "校次", "联考名次"})
		for range 100000 {
			book.Row(row...)
		}
		var buf bytes.Buffer
		book.WriteTo(&buf)
	}
}
