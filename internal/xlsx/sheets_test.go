package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

type scanned struct {
	line     int
	cells    []string
	formulas []int
}

func scanAll(t testing.TB, w *Workbook, i int) []scanned {
	t.Helper()
	var out []scanned
	err := w.Scan(i, func(line int, cells []string, formulas []int) error {
		out = append(out, scanned{line, append([]string(nil), cells...), append([]int(nil), formulas...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWorkbookSheets(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "一中"))
	_, err := f.NewSheet("二中")
	must(err)
	_, err = f.NewSheet("隐藏")
	must(err)
	must(f.SetSheetVisible("隐藏", false))
	must(f.SetCellValue("一中", "A1", "考号"))
	must(f.SetCellValue("一中", "B1", "语文"))
	must(f.SetCellValue("一中", "A2", "001"))
	must(f.SetCellValue("一中", "B2", 87.5))
	must(f.SetCellValue("一中", "D2", 0.1+0.2))
	must(f.SetCellFormula("一中", "C2", "B2*2"))
	must(f.SetCellValue("一中", "B4", true))
	must(f.SetCellValue("二中", "A1", "=1+1 as text"))
	var buf bytes.Buffer
	must(f.Write(&buf))

	w, err := OpenWorkbook(buf.Bytes(), 0)
	must(err)
	if got := w.SheetNames(); !reflect.DeepEqual(got, []string{"一中", "二中", "隐藏"}) {
		t.Errorf("sheets %v", got)
	}
	if w.Hidden(0) || !w.Hidden(2) {
		t.Errorf("hidden flags")
	}
	got := scanAll(t, w, 0)
	want := []scanned{
		{1, []string{"考号", "语文"}, nil},
		{2, []string{"001", "87.5", "", "0.3"}, []int{2}},
		{4, []string{"", "TRUE"}, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scan\n got %+v\nwant %+v", got, want)
	}
	if got := scanAll(t, w, 1); len(got) != 1 || got[0].cells[0] != "=1+1 as text" {
		t.Errorf("second sheet %+v", got)
	}
	// ErrStop ends early without an error.
	n := 0
	if err := w.Scan(0, func(int, []string, []int) error { n++; return ErrStop }); err != nil || n != 1 {
		t.Errorf("stop: %v after %d", err, n)
	}
	if _, err := OpenWorkbook([]byte("学号,姓名\n"), 0); !errors.Is(err, ErrNotXLSX) {
		t.Errorf("csv: %v", err)
	}
	if _, err := OpenWorkbook(buf.Bytes(), 1000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

// slowRows reads a worksheet part with the encoding/xml reader.
func readRows(next func() (int, []rawCell, error)) ([]string, error) {
	var out []string
	for {
		line, cells, err := next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%d:%+v", line, cells))
	}
}

// checkSameRows: whatever encoding/xml reads, the fast reader reads the
// same (or hands over to it before any row).
func checkSameRows(t *testing.T, xml string) {
	slow, slowErr := readRows(newSheetReader(strings.NewReader(xml)).next)
	fast, fastErr := readRows(newFastSheet(strings.NewReader(xml)).next)
	if slowErr != nil {
		return // the fast reader may be more lenient with broken markup
	}
	if errors.Is(fastErr, errUnsupported) && len(fast) == 0 {
		return
	}
	if fastErr != nil {
		t.Fatalf("fast reader failed where encoding/xml did not: %v\n%q", fastErr, xml)
	}
	if !reflect.DeepEqual(slow, fast) {
		t.Fatalf("readers differ on %q\nslow %q\nfast %q", xml, slow, fast)
	}
}

var sheetSamples = []string{
	`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r"><dimension ref="A1:C3"/><sheetData>
<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> 语 文 </t></is></c></row>
<row r="3"><c r="A3" s="2"/><c r="B3"><f>SUM(A1:A2)</f><v>3</v></c><c r="C3" t="str"><v>a&amp;b&lt;&#x4E2D;&#20013;</v></c></row>
</sheetData></worksheet>`,
	`<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:r><x:t>a</x:t></x:r><x:rPh><x:t>ignored</x:t></x:rPh><x:r><x:t>b</x:t></x:r></x:is></x:c><x:c><x:v>1.5</x:v></x:c></x:row><x:row/></x:sheetData></x:worksheet>`,
	`<worksheet><sheetData/></worksheet>`,
	`<worksheet><!-- a comment --><sheetData><row r='2'><c r='B2' t='str'><v><![CDATA[<raw> & text]]></v></c></row></sheetData></worksheet>`,
	"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"str\"><v>line1\r\nline2\rline3</v></c></row></sheetData></worksheet>",
	`<worksheet><sheetData><row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v><row></row></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>&bogus;</v></c></row></sheetData></worksheet>`,
	`<!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1" t="str" a=">"><v>x</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>`,
	// Found by FuzzFastSheet: a comment whose text starts with '>', and a
	// name that encoding/xml does not split at its colon.
	`<!-->&0-->`,
	`<:sheetData><row>`,
	`<worksheet><a:b:c/><sheetData><row x:r="5"><c x:r="B5"><v>1</v></c></row></sheetData></worksheet>`,
}

func TestFastSheetMatchesEncodingXML(t *testing.T) {
	for _, s := range sheetSamples {
		checkSameRows(t, s)
	}
	// A DOCTYPE is handed over to encoding/xml, which ignores it.
	rows, err := readRows(newFastSheet(strings.NewReader(sheetSamples[9])).next)
	if !errors.Is(err, errUnsupported) || len(rows) != 0 {
		t.Errorf("doctype: %v %q", err, rows)
	}
}

func FuzzFastSheet(f *testing.F) {
	for _, s := range sheetSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSameRows(t, s)
	})
}

func TestTypedNumber(t *testing.T) {
	for _, s := range []string{"0", "1", "87.5", "-3", "0.25", "123456789012345"} {
		if !typedNumber(s) {
			t.Errorf("%s should pass as typed", s)
		}
		if n, _ := plainNumber(s); n != s {
			t.Errorf("plainNumber(%s) = %s: typedNumber would be wrong", s, n)
		}
	}
	for _, s := range []string{"", "-", "-0", "01", "1.", "1.50", "1E3", "0.30000000000000004", "1234567890123456", ".5", "1.5.5"} {
		if typedNumber(s) {
			t.Errorf("%s should take the slow path", s)
		}
	}
}

func TestBook(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	n1, err := b.Sheet("总体/情况", []string{"科目", "平均分"})
	if err != nil || n1 != "总体_情况" {
		t.Fatalf("sheet %q %v", n1, err)
	}
	if err := b.Row("=cmd", 87.25); err != nil {
		t.Fatal(err)
	}
	n2, _ := b.Sheet("总体_情况", []string{"x"})
	long, _ := b.Sheet(strings.Repeat("很长", 20), nil)
	if n2 != "总体_情况(2)" || len([]rune(long)) != 31 {
		t.Errorf("names %q %q", n2, long)
	}
	var nan float64
	nan = nan / nan
	if err := b.Row(nan, int64(3)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWorkbook(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.SheetNames()) != 3 {
		t.Fatalf("sheets %v", w.SheetNames())
	}
	got := scanAll(t, w, 0)
	if len(got) != 2 || got[1].cells[0] != "'=cmd" || got[1].cells[1] != "87.25" {
		t.Errorf("rows %+v", got)
	}
	if rows := scanAll(t, w, 2); len(rows) != 1 || rows[0].cells[0] != "" || rows[0].cells[1] != "3" {
		t.Errorf("NaN row %+v", rows)
	}
}
