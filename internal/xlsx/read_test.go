package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var schoolCols = []Column{
	{Key: "code", Header: "学校标识码", Aliases: []string{"School Code"}, Required: true, Help: "10 位数字", Example: "3403001234"},
	{Key: "name", Header: "学校名称", Aliases: []string{"Name"}, Required: true},
	{Key: "founded", Header: "建校日期", Date: true},
	{Key: "phone", Header: "联系电话"},
}

// formula marks a cell for book to fill with a formula instead of a value.
type formula string

// book builds a real workbook with excelize: cells by reference on Sheet1.
func book(t testing.TB, cells map[string]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for ref, v := range cells {
		var err error
		if fm, ok := v.(formula); ok {
			err = f.SetCellFormula("Sheet1", ref, string(fm))
		} else {
			err = f.SetCellValue("Sheet1", ref, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipOf writes files into a zip, deflated, in name order.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// minimalParts is the smallest package Excel opens, with sheetData and
// shared strings given as XML; rawBook zips it. They give the tests control
// of what excelize would never write: cached formula values, exponents,
// rich text, the 1904 date system, malformed sheets.
func minimalParts(sheetData, sst string, date1904 bool) map[string]string {
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	wbPr := ""
	if date1904 {
		wbPr = `<workbookPr date1904="1"/>`
	}
	files := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":         `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":     `<workbook ` + ns + ` xmlns:r="` + rel + `">` + wbPr + `<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + ns + `><sheetData>` + sheetData + `</sheetData></worksheet>`,
	}
	if sst != "" {
		files["xl/sharedStrings.xml"] = `<sst ` + ns + `>` + sst + `</sst>`
	}
	return files
}

func rawBook(t testing.TB, sheetData, sst string, date1904 bool) []byte {
	t.Helper()
	return zipOf(t, minimalParts(sheetData, sst, date1904))
}

// inline is an inline-string cell.
func inline(ref, s string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>`
}

// dump prints rows and errors one a line, so a test compares one string.
func dump(rows []Row, errs []RowError) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d %v\n", r.Line, r.Values)
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "E %d %s %s %v\n", e.Line, e.Field, e.Key, e.Args)
	}
	return b.String()
}

func read(t testing.TB, data []byte, cols []Column, lim Limits) string {
	t.Helper()
	rows, errs, err := ReadTable(bytes.NewReader(data), cols, lim)
	if err != nil {
		t.Fatalf("ReadTable: %v", err)
	}
	return dump(rows, errs)
}

func TestReadTableGoodFile(t *testing.T) {
	data := book(t, map[string]any{
		// Row 1 is empty; the header is row 2, in another order, with an
		// unknown column, an alias in other case and padded text.
		"A2": "备注", "B2": " 学校名称 ", "C2": "school code", "D2": "联系电话", "E2": "建校日期",
		"A3": "旧数据", "B3": "  城关第一小学 ", "C3": 3403001234, "D3": "=1+1", "E3": "2024/9/1",
		"B4": "   ", // blank: skipped
		"B5": "城关第二小学", "C5": "3403001235", "E5": time.Date(2001, 3, 15, 0, 0, 0, 0, time.UTC),
		"A6": "只有备注", // nothing in a recognized column: skipped
		"B7": "城关第三小学", "C7": "3403001236", "D7": 13800138000, "E7": "2024.9.1",
	})
	got := read(t, data, schoolCols, Limits{})
	want := "3 map[code:3403001234 founded:2024-09-01 name:城关第一小学 phone:=1+1]\n" +
		"5 map[code:3403001235 founded:2001-03-15 name:城关第二小学 phone:]\n" +
		"7 map[code:3403001236 founded:2024-09-01 name:城关第三小学 phone:13800138000]\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReadTableRowErrors(t *testing.T) {
	data := book(t, map[string]any{
		"A1": "学校标识码", "B1": "学校名称", "C1": "建校日期", "D1": "联系电话",
		"B2": "某小学", // code missing
		"A3": "3403001235", "B3": "一个名字非常非常非常长的学校",
		"A4": formula("SUM(3403001234,1)"), "B4": "公式小学",
		"A5": "3403001236", "B5": "日期小学", "C5": "2024-02-30",
		"A6": "3403001237", "B6": "明天小学", "C6": "明天",
		"A7": "3403001238", "B7": "好小学", "C7": 45536, "D7": "  ",
	})
	got := read(t, data, schoolCols, Limits{MaxCellLen: 10})
	want := "2 map[code: founded: name:某小学 phone:]\n" +
		"3 map[code:3403001235 founded: name: phone:]\n" +
		"4 map[code: founded: name:公式小学 phone:]\n" +
		"5 map[code:3403001236 founded: name:日期小学 phone:]\n" +
		"6 map[code:3403001237 founded: name:明天小学 phone:]\n" +
		"7 map[code:3403001238 founded:2024-09-01 name:好小学 phone:]\n" +
		"E 2 code import.required map[]\n" +
		"E 3 name import.too_long map[max:10]\n" +
		"E 4 code import.formula map[]\n" +
		"E 5 founded import.date map[]\n" +
		"E 6 founded import.date map[]\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReadTableFormulaCachedValueNotTaken(t *testing.T) {
	cols := []Column{{Key: "n", Header: "数量"}, {Key: "s", Header: "文字"}}
	data := rawBook(t, `<row r="1">`+inline("A1", "数量")+inline("B1", "文字")+`</row>`+
		// A cached value from the last time Excel calculated: never data.
		`<row r="2"><c r="A2"><f>SUM(1,2)</f><v>3</v></c><c r="B2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>`+
		// A shared formula: the cell holds only a reference to it.
		`<row r="3"><c r="A3"><f t="shared" si="0"/><v>4</v></c>`+inline("B3", "=A1+1")+`</row>`+
		// A formula with no cached value still makes the row non-empty.
		`<row r="4"><c r="A4"><f>NOW()</f></c></row>`, "", false)
	got := read(t, data, cols, Limits{})
	want := "2 map[n: s:]\n3 map[n: s:=A1+1]\n4 map[n: s:]\n" +
		"E 2 n import.formula map[]\nE 2 s import.formula map[]\nE 3 n import.formula map[]\nE 4 n import.formula map[]\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReadTableMissingAndDuplicateColumns(t *testing.T) {
	missing := book(t, map[string]any{"A1": "学校名称", "B1": "联系电话", "A2": "某小学"})
	if got, want := read(t, missing, schoolCols, Limits{}), "E 0 code import.missing_column map[header:学校标识码]\n"; got != want {
		t.Fatalf("missing: got\n%s", got)
	}
	dup := book(t, map[string]any{"A1": "学校标识码", "B1": "学校名称", "C1": "School Code", "A2": "1", "B2": "x"})
	if got, want := read(t, dup, schoolCols, Limits{}), "E 1 code import.duplicate_column map[header:学校标识码]\n"; got != want {
		t.Fatalf("duplicate: got\n%s", got)
	}
	empty := book(t, map[string]any{})
	if got, want := read(t, empty, schoolCols, Limits{}), "E 0  import.empty map[]\n"; got != want {
		t.Fatalf("empty: got\n%s", got)
	}
	headerOnly := book(t, map[string]any{"A1": "学校标识码", "B1": "学校名称"})
	if got, want := read(t, headerOnly, schoolCols, Limits{}), ""; got != want {
		t.Fatalf("header only: got\n%s", got)
	}
}

func TestReadTableNumbers(t *testing.T) {
	cols := []Column{{Key: "v", Header: "值"}}
	cells := []struct{ typ, v, want string }{
		{"", "3403001234", "3403001234"},                      // a school code typed as a number
		{"", "3.403001234E9", "3403001234"},                   // the same, as some writers store it
		{"", "80", "80"},                                      // 80.0
		{"", "92.5", "92.5"},                                  // a score
		{"", "0.30000000000000004", "0.3"},                    // 17 digits from a writer, 15 kept
		{"", "1E-3", "0.001"},                                 // no exponent
		{"", "-3", "-3"},                                      //
		{"n", "12", "12"},                                     //
		{"", "340300900101123", "340300900101123"},            // a 15-digit ID number is still exact
		{"", "3.40300199001011E+17", "precision"},             // an 18-digit ID number after Excel
		{"", "340300199001011234", "precision"},               // and as another writer stores it
		{"", "1E+15", "precision"},                            // 16 digits
		{"b", "1", "TRUE"},                                    // a boolean
		{"b", "0", "FALSE"},                                   //
		{"e", "#N/A", "#N/A"},                                 // an error value typed in
		{"str", "plain", "plain"},                             // t="str" without a formula is text
		{"d", "2024-09-01T00:00:00Z", "2024-09-01T00:00:00Z"}, // not a date column: as stored
		{"", "1E-30", "long"},                                 // 0.000…1 is 32 characters, over the limit of 30
	}
	var sheet, want, werrs strings.Builder
	sheet.WriteString(`<row r="1">` + inline("A1", "值") + `</row>`)
	for i, c := range cells {
		line := i + 2
		typ := ""
		if c.typ != "" {
			typ = ` t="` + c.typ + `"`
		}
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d"%s><v>%s</v></c></row>`, line, line, typ, c.v)
		switch c.want {
		case "precision":
			fmt.Fprintf(&want, "%d map[v:]\n", line)
			fmt.Fprintf(&werrs, "E %d v import.number_precision map[]\n", line)
		case "long":
			fmt.Fprintf(&want, "%d map[v:]\n", line)
			fmt.Fprintf(&werrs, "E %d v import.too_long map[max:30]\n", line)
		default:
			fmt.Fprintf(&want, "%d map[v:%s]\n", line, c.want)
		}
	}
	got := read(t, rawBook(t, sheet.String(), "", false), cols, Limits{MaxCellLen: 30})
	if w := want.String() + werrs.String(); got != w {
		t.Fatalf("got\n%s\nwant\n%s", got, w)
	}

	// The same through excelize, the way the registry's tests will build files.
	data := book(t, map[string]any{"A1": "值", "A2": 3403001234, "A3": 80.0, "A4": int64(340300199001011234), "A5": true, "A6": "3403001234"})
	got = read(t, data, cols, Limits{})
	w := "2 map[v:3403001234]\n3 map[v:80]\n4 map[v:]\n5 map[v:TRUE]\n6 map[v:3403001234]\nE 4 v import.number_precision map[]\n"
	if got != w {
		t.Fatalf("excelize: got\n%s\nwant\n%s", got, w)
	}
}

func TestReadTableDates(t *testing.T) {
	cols := []Column{{Key: "d", Header: "日期", Date: true}}
	cells := []struct{ cell, want string }{
		{`<v>45536</v>`, "2024-09-01"},
		{`<v>45536.75</v>`, "2024-09-01"}, // the time of day is dropped
		{`<v>1</v>`, "1900-01-01"},
		{`<v>59</v>`, "1900-02-28"},
		{`<v>60</v>`, ""}, // 1900-02-29 never was
		{`<v>61</v>`, "1900-03-01"},
		{`<v>0</v>`, ""},
		{`<v>-1</v>`, ""},
		{`<v>2958465</v>`, "9999-12-31"},
		{`<v>2958466</v>`, ""},
		{`<v>1e300</v>`, ""},
		{"t", "2024-09-01"},
	}
	texts := []struct{ in, want string }{
		{"2024-09-01", "2024-09-01"}, {"2024/9/1", "2024-09-01"}, {"2024.9.1", "2024-09-01"},
		{"2024-9-1", "2024-09-01"}, {"2024年9月1日", "2024-09-01"}, {"2024年9月1", "2024-09-01"},
		{"2024-02-29", "2024-02-29"}, {"2023-02-29", ""}, {"2024-13-01", ""}, {"2024-00-10", ""},
		{"24-9-1", ""}, {"2024-9-1 08:00", ""}, {"2024/9-1", ""}, {"20240901", ""}, {"2024-001-01", ""},
		{"0000-01-01", ""}, {"abc", ""}, {"2024-", ""}, {"2024-9-", ""},
	}
	var sheet, want, werrs strings.Builder
	sheet.WriteString(`<row r="1">` + inline("A1", "日期") + `</row>`)
	line := 1
	add := func(cell, v string) {
		line++
		fmt.Fprintf(&sheet, `<row r="%d">%s</row>`, line, cell)
		fmt.Fprintf(&want, "%d map[d:%s]\n", line, v)
		if v == "" {
			fmt.Fprintf(&werrs, "E %d d import.date map[]\n", line)
		}
	}
	for _, c := range cells {
		if c.cell == "t" {
			add(fmt.Sprintf(`<c r="A%d" t="d"><v>2024-09-01T00:00:00</v></c>`, line+1), c.want)
			continue
		}
		add(fmt.Sprintf(`<c r="A%d">%s</c>`, line+1, c.cell), c.want)
	}
	for _, c := range texts {
		add(inline(fmt.Sprintf("A%d", line+1), c.in), c.want)
	}
	got := read(t, rawBook(t, sheet.String(), "", false), cols, Limits{})
	if w := want.String() + werrs.String(); got != w {
		t.Fatalf("got\n%s\nwant\n%s", got, w)
	}

	// Old Mac workbooks count from 1904-01-01 = 0.
	got = read(t, rawBook(t, `<row r="1">`+inline("A1", "日期")+`</row><row r="2"><c r="A2"><v>0</v></c></row><row r="3"><c r="A3"><v>44074</v></c></row>`, "", true), cols, Limits{})
	if w := "2 map[d:1904-01-01]\n3 map[d:2024-09-01]\n"; got != w {
		t.Fatalf("1904: got\n%s", got)
	}
}

func TestReadTableStrings(t *testing.T) {
	cols := []Column{{Key: "a", Header: "甲"}, {Key: "b", Header: "乙"}}
	sst := `<si><t>甲</t></si><si><t>乙</t></si>` +
		`<si><r><t>城关</t></r><r><rPr><b/></rPr><t xml:space="preserve">第一 </t></r><rPh sb="0" eb="1"><t>ジョウ</t></rPh></si>` +
		`<si><t>a_x000D_b_x005F_x0041_c_x0000_</t></si>`
	data := rawBook(t, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`+
		`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>`+
		`<row r="3"><c r="A3" t="inlineStr"><is><r><t>内</t></r><r><t>联</t></r></is></c><c t="inlineStr"><is><t><![CDATA[<x>]]>&amp;</t></is></c></row>`+
		// no r attributes: the next row, the next column
		`<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>`, sst, false)
	got := read(t, data, cols, Limits{})
	want := "2 map[a:城关第一 b:a\rb_x0041_c]\n3 map[a:内联 b:<x>&]\n4 map[a:x b:y]\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestReadTableMaxErrors(t *testing.T) {
	var sheet strings.Builder
	sheet.WriteString(`<row r="1">` + inline("A1", "学校标识码") + inline("B1", "学校名称") + `</row>`)
	for i := 2; i <= 100; i++ {
		fmt.Fprintf(&sheet, `<row r="%d">%s</row>`, i, inline(fmt.Sprintf("B%d", i), "x"))
	}
	rows, errs, err := ReadTable(bytes.NewReader(rawBook(t, sheet.String(), "", false)), schoolCols, Limits{MaxErrors: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(errs), 6; got != want {
		t.Fatalf("%d errors, want %d", got, want)
	}
	if got, want := errs[5].Key, "import.too_many_errors"; got != want {
		t.Fatalf("last error %s", got)
	}
	if got, want := len(rows), 5; got != want {
		t.Fatalf("%d rows", got)
	}
}

func TestReadTableTooManyRows(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"学校标识码", "学校名称"})
	for i := 2; i <= DefaultMaxRows+2; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{fmt.Sprint(3403000000 + i), "学校"})
	}
	sw.Flush()
	var b bytes.Buffer
	f.Write(&b)
	// 20001 data rows: one too many for the default.
	rows, errs, err := ReadTable(bytes.NewReader(b.Bytes()), schoolCols, Limits{})
	if !errors.Is(err, ErrTooManyRows) || rows != nil || errs != nil {
		t.Fatalf("err %v, %d rows", err, len(rows))
	}
	rows, _, err = ReadTable(bytes.NewReader(b.Bytes()), schoolCols, Limits{MaxRows: DefaultMaxRows + 1})
	if err != nil || len(rows) != DefaultMaxRows+1 || rows[len(rows)-1].Line != DefaultMaxRows+2 {
		t.Fatalf("at the limit: err %v, %d rows", err, len(rows))
	}

	// Reading stops at the first row over the limit: what follows (here
	// garbage) is never looked at.
	data := rawBook(t, `<row r="1">`+inline("A1", "学校标识码")+inline("B1", "学校名称")+`</row>`+
		`<row r="2">`+inline("A2", "1")+inline("B2", "a")+`</row>`+
		`<row r="3">`+inline("A3", "2")+inline("B3", "b")+`</row>`+
		`<row r="4">`+inline("A4", "3")+inline("B4", "c")+`</row><row r="2"><<<`, "", false)
	if _, _, err := ReadTable(bytes.NewReader(data), schoolCols, Limits{MaxRows: 2}); !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("early stop: %v", err)
	}
}

// endless is a stream with no end, counting what was taken from it.
type endless struct{ n int64 }

func (e *endless) Read(b []byte) (int, error) {
	clear(b)
	e.n += int64(len(b))
	return len(b), nil
}

func TestReadTableTooLarge(t *testing.T) {
	src := &endless{}
	_, _, err := ReadTable(src, schoolCols, Limits{MaxBytes: 1 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v", err)
	}
	if got, want := src.n, int64(1<<20+1); got != want {
		t.Fatalf("read %d bytes, want %d", got, want)
	}
	good := book(t, map[string]any{"A1": "学校标识码", "B1": "学校名称", "A2": "1", "B2": "a"})
	if _, _, err := ReadTable(bytes.NewReader(good), schoolCols, Limits{MaxBytes: int64(len(good))}); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	if _, _, err := ReadTable(bytes.NewReader(good), schoolCols, Limits{MaxBytes: int64(len(good) - 1)}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
}

// bombPart adds a deflated entry holding head, n copies of chunk and tail
// without ever holding the inflated text: chunk is compressed once and its
// flushed, byte-aligned deflate blocks repeated. declared is the size the
// zip header claims; 0 tells the truth.
func bombPart(t testing.TB, zw *zip.Writer, name, head, chunk, tail string, n int, declared uint64) {
	t.Helper()
	seg := func(s string, last bool) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestCompression)
		io.WriteString(fw, s)
		if last {
			fw.Close()
		} else {
			fw.Flush()
		}
		return b.Bytes()
	}
	body := seg(chunk, false)
	var comp bytes.Buffer
	comp.Write(seg(head, false))
	crc := crc32.ChecksumIEEE([]byte(head))
	chunkBytes := []byte(chunk)
	for range n {
		comp.Write(body)
		crc = crc32.Update(crc, crc32.IEEETable, chunkBytes)
	}
	comp.Write(seg(tail, true))
	crc = crc32.Update(crc, crc32.IEEETable, []byte(tail))
	size := uint64(len(head)) + uint64(n)*uint64(len(chunk)) + uint64(len(tail))
	if declared == 0 {
		declared = size
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
}

// bomb is a workbook whose sheet holds header and then about n MiB of
// copies of row, built without ever holding that much.
func bomb(t testing.TB, header, row string, n int, declared uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	parts := minimalParts("", "", false)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, _ := zw.Create(name)
		io.WriteString(w, parts[name])
	}
	bombPart(t, zw, "xl/worksheets/sheet1.xml",
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+header,
		strings.Repeat(row, 1<<20/len(row)), `</sheetData></worksheet>`, n, declared)
	zw.Close()
	return b.Bytes()
}

func TestReadTableZipBomb(t *testing.T) {
	// Rows of empty cells: valid for as long as possible, so nothing but
	// the size limits stops the reader.
	const emptyRow = `<row><c/><c/><c/><c/></row>`
	for _, c := range []struct {
		name     string
		data     []byte
		want     error
		declared string
	}{
		// 256 MiB of sheet XML (about 38 million cells) from a ~560 KB
		// file; the size in the zip is the truth and over UnzipSizeLimit.
		{"honest", bomb(t, "", emptyRow, 256, 0), ErrTooLarge, "true size"},
		// The same data claiming to be 1 MiB: archive/zip stops inflating
		// at the claimed size, and the lie makes the file broken.
		{"lying", bomb(t, "", emptyRow, 256, 1<<20), ErrNotXLSX, "1 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, _, err := ReadTable(bytes.NewReader(c.data), schoolCols, Limits{})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte upload, %s declared: %v in %v, %d KiB allocated", len(c.data), c.declared, err, took, alloc>>10)
			// Allocation is cumulative (XML tokens are garbage at once), so
			// the bound only shows the 1 GB was never inflated, let alone kept.
			if took > time.Second || alloc > 64<<20 {
				t.Fatalf("took %v and allocated %d bytes", took, alloc)
			}
		})
	}

	// Many parts each under the limit, together over it.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range 5 {
		bombPart(t, zw, fmt.Sprintf("xl/media/image%d.png", i), "", strings.Repeat("\x00", 1<<20), "", 15, 0)
	}
	zw.Close()
	if _, _, err := ReadTable(bytes.NewReader(b.Bytes()), schoolCols, Limits{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("many parts: %v", err)
	}
}

func TestReadTablePartAtLimit(t *testing.T) {
	for _, c := range []struct {
		extra int
		want  error
	}{{0, nil}, {1, ErrTooLarge}} {
		// Shared strings padded to exactly UnzipXMLSizeLimit (+ extra).
		head := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>学校标识码</t></si><si><t>学校名称</t></si>`
		parts := minimalParts(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`, "", false)
		parts["xl/sharedStrings.xml"] = head + strings.Repeat(" ", UnzipXMLSizeLimit-len(head)-len("</sst>")+c.extra) + "</sst>"
		_, _, err := ReadTable(bytes.NewReader(zipOf(t, parts)), schoolCols, Limits{})
		if !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%d bytes over: err %v, want %v", c.extra, err, c.want)
		}
	}
}

func TestReadTableNotXLSX(t *testing.T) {
	good := book(t, map[string]any{"A1": "学校标识码", "B1": "学校名称", "A2": "1", "B2": "a"})
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	docx := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
	noSheet := minimalParts("", "", false)
	delete(noSheet, "xl/worksheets/sheet1.xml")
	badXML := minimalParts("<row><c><v>1</v></row>", "", false)
	backwards := minimalParts(`<row r="2">`+inline("A2", "学校标识码")+inline("B2", "学校名称")+`</row><row r="1"/>`, "", false)
	badSST := minimalParts(`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`, "<si><t>a</t></si>", false)
	stored := good[:len(good)/2] // cut short
	for name, data := range map[string][]byte{
		"empty":            {},
		"random":           random,
		"csv":              []byte("学校标识码,学校名称\n3403001234,城关第一小学\n"),
		"xls":              xls,
		"docx":             docx,
		"truncated":        stored,
		"empty zip":        []byte("PK\x05\x06" + strings.Repeat("\x00", 18)),
		"no sheet":         zipOf(t, noSheet),
		"bad xml":          zipOf(t, badXML),
		"rows backwards":   zipOf(t, backwards),
		"bad shared index": zipOf(t, badSST),
		"html":             []byte("<html><body>学校</body></html>"),
	} {
		rows, errs, err := ReadTable(bytes.NewReader(data), schoolCols, Limits{})
		if !errors.Is(err, ErrNotXLSX) || rows != nil || errs != nil {
			t.Errorf("%s: err %v, rows %v, errs %v", name, err, rows, errs)
		}
	}
}

func TestReadTableBadColumns(t *testing.T) {
	good := book(t, map[string]any{"A1": "a"})
	for name, cols := range map[string][]Column{
		"no key":        {{Header: "甲"}},
		"no header":     {{Key: "a"}},
		"same key":      {{Key: "a", Header: "甲"}, {Key: "a", Header: "乙"}},
		"same header":   {{Key: "a", Header: "甲"}, {Key: "b", Header: "乙", Aliases: []string{" 甲 "}}},
		"alias by case": {{Key: "a", Header: "Code"}, {Key: "b", Header: "乙", Aliases: []string{"CODE"}}},
	} {
		if _, _, err := ReadTable(bytes.NewReader(good), cols, Limits{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := Template(&b, "学校", schoolCols); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "学校,说明"; got != want {
		t.Fatalf("sheets %s", got)
	}
	if got, want := f.GetActiveSheetIndex(), 0; got != want {
		t.Fatalf("active sheet %d", got)
	}
	rows, _ := f.GetRows("学校")
	if got, want := fmt.Sprint(rows), "[[学校标识码 学校名称 建校日期 联系电话]]"; got != want {
		t.Fatalf("header %s", got)
	}
	sid, _ := f.GetCellStyle("学校", "A1")
	st, _ := f.GetStyle(sid)
	if st.Font == nil || !st.Font.Bold {
		t.Fatalf("header not bold")
	}
	panes, _ := f.GetPanes("学校")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("panes %+v", panes)
	}
	if w, _ := f.GetColWidth("学校", "A"); w < 12 {
		t.Fatalf("width %v", w)
	}
	// Codes typed into the template stay text.
	sid, _ = f.GetColStyle("学校", "A")
	if st, _ := f.GetStyle(sid); st.NumFmt != 49 {
		t.Fatalf("column A number format %d", st.NumFmt)
	}
	help, _ := f.GetRows(HelpSheet)
	if got, want := fmt.Sprint(help[:3]), "[[列名 是否必填 填写说明 示例] [学校标识码 必填 10 位数字 3403001234] [学校名称 必填]]"; got != want {
		t.Fatalf("help %s", got)
	}
	if got, want := fmt.Sprint(help[3]), "[建校日期 选填 日期，如 2024-09-01]"; got != want {
		t.Fatalf("help %s", got)
	}

	// Filled in, it reads back.
	f.SetCellValue("学校", "A2", "3403001234")
	f.SetCellValue("学校", "B2", "城关第一小学")
	f.SetCellValue("学校", "C2", time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC))
	var filled bytes.Buffer
	f.Write(&filled)
	if got, want := read(t, filled.Bytes(), schoolCols, Limits{}), "2 map[code:3403001234 founded:2024-09-01 name:城关第一小学 phone:]\n"; got != want {
		t.Fatalf("round trip %s", got)
	}

	if err := Template(io.Discard, "说明", schoolCols); err == nil {
		t.Fatalf("sheet named like the help sheet")
	}
	if err := Template(io.Discard, "a/b", schoolCols); err == nil {
		t.Fatalf("invalid sheet name")
	}
}

func TestDecodeEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"plain":               "plain",
		"a_x000D__x000A_b":    "a\r\nb",
		"_x005F_x000D_":       "_x000D_",
		"_x0000_x":            "x",
		"_xD83D__xDE00_":      "😀",
		"_xD83D_":             "\uFFFD",
		"_x00":                "_x00",
		"_xZZZZ_":             "_xZZZZ_",
		"中_x6587_":            "中文",
		"_x0009_tab_x001F_us": "\ttabus",
	} {
		if got := decodeEscapes(in); got != want {
			t.Errorf("decodeEscapes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColOf(t *testing.T) {
	for in, want := range map[string]int{"A1": 1, "z9": 26, "AA10": 27, "XFD1": 16384, "XFE1": 0, "A": 0, "1": 0, "A1B": 0, "": 0, "AAAAAAAAAAAAAAA1": 0} {
		got, ok := colOf(in)
		if !ok {
			got = 0
		}
		if got != want {
			t.Errorf("colOf(%q) = %d, want %d", in, got, want)
		}
	}
}
