package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fuzzLimits are small so the fuzzer reaches every limit quickly.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 5, MaxCellLen: 20, MaxErrors: 8}

// checkRead runs ReadTable on data and checks what must hold for any input:
// no panic (the fuzzer reports one), no rows past MaxRows, rows in sheet order
// with real line numbers, every column present in every row, file errors
// always one of the documented kinds.
func checkRead(t *testing.T, data []byte) {
	rows, errs, err := ReadTable(bytes.NewReader(data), schoolCols, fuzzLimits)
	if err != nil {
		if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrNotXLSX) && !errors.Is(err, ErrTooManyRows) {
			t.Fatalf("undocumented error %v", err)
		}
		if rows != nil || errs != nil {
			t.Fatalf("rows or row errors with error %v", err)
		}
		return
	}
	if len(rows) > fuzzLimits.MaxRows {
		t.Fatalf("%d rows, limit %d", len(rows), fuzzLimits.MaxRows)
	}
	if len(errs) > fuzzLimits.MaxErrors+1 {
		t.Fatalf("%d errors, limit %d", len(errs), fuzzLimits.MaxErrors)
	}
	last := 0
	for _, r := range rows {
		if r.Line <= last || r.Line > excelMaxRows {
			t.Fatalf("line %d after %d", r.Line, last)
		}
		last = r.Line
		if len(r.Values) != len(schoolCols) {
			t.Fatalf("row %d has %d values", r.Line, len(r.Values))
		}
		for _, v := range r.Values {
			if len([]rune(v)) > fuzzLimits.MaxCellLen {
				t.Fatalf("row %d: value of %d characters", r.Line, len([]rune(v)))
			}
		}
	}
}

func fuzzSeeds(f testing.TB) [][]byte {
	good := book(f, map[string]any{
		"A1": "备注", "B1": "学校名称", "C1": "学校标识码", "D1": "建校日期",
		"B2": "城关第一小学", "C2": 3403001234, "D2": "2024/9/1",
		"B3": "城关第二小学", "C3": formula("1+1"), "D3": 45536,
		"A4": "x",
	})
	raw := rawBook(f, `<row r="1">`+inline("A1", "学校标识码")+inline("B1", "学校名称")+`<c r="C1" t="s"><v>0</v></c></row>`+
		`<row r="2"><c r="A2"><v>3.403001234E9</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>45536</v></c></row>`+
		`<row r="3"><c r="A3"><f>A2</f><v>1</v></c><c r="B3" t="inlineStr"><is><r><t>a_x000D_</t></r></is></c></row>`,
		`<si><t>建校日期</t></si><si><r><t>城关</t></r><rPh><t>x</t></rPh></si>`, true)
	var tmpl bytes.Buffer
	if err := Template(&tmpl, "学校", schoolCols); err != nil {
		f.Fatal(err)
	}
	return [][]byte{good, raw, tmpl.Bytes(), stored(f, good), stored(f, raw), {}, []byte("PK\x03\x04"), []byte("a,b\n1,2\n")}
}

// stored rewrites a zip with its entries uncompressed, so byte mutations
// land in the XML itself; archive/zip checks the CRC only at an entry's
// end, after the reader has parsed what came before.
func stored(t testing.TB, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzReadTable feeds whole uploads. Most mutations break the zip layer
// (checksums, deflate), which is what an attacker's bytes look like too.
func FuzzReadTable(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
	})
}

// FuzzReadTableXML fuzzes the parts inside a well-formed zip, which random
// bytes rarely get past: the worksheet, shared strings and workbook XML.
func FuzzReadTableXML(f *testing.F) {
	f.Add(`<row r="1">`+inline("A1", "学校标识码")+inline("B1", "学校名称")+`<c r="C1" t="s"><v>0</v></c></row>`+
		`<row r="2"><c r="A2"><v>3.403001234E9</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>45536</v></c></row>`+
		`<row r="3"><c r="A3"><f>A2</f><v>1</v></c><c r="B3" t="inlineStr"><is><r><t>a_x000D_</t></r></is></c></row>`,
		`<si><t>建校日期</t></si><si><r><t>城关</t></r><rPh><t>x</t></rPh></si>`, true)
	f.Add(`<row>`+inline("A1", "school code")+inline("B1", "name")+`</row><row><c t="b"><v>1</v></c><c t="str"><v>=x</v></c></row>`, "", false)
	f.Fuzz(func(t *testing.T, sheetData, sst string, date1904 bool) {
		checkRead(t, rawBook(t, sheetData, sst, date1904))
	})
}

// TestReadTableSpeedOnLargeSheet: the worst a file inside every limit can
// ask is one sheet of UnzipSizeLimit bytes, every byte parsed. It must stay
// a matter of seconds, with memory bounded by the row, not the sheet.
func TestReadTableSpeedOnLargeSheet(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 60 MiB")
	}
	// Rows of cells in columns nobody asked for: parsed, never kept.
	row := `<row>` + strings.Repeat(`<c t="inlineStr"><is><t>x</t></is></c>`, 7) + `</row>`
	start := time.Now()
	data := bomb(t, `<row>`+inline("H1", "学校标识码")+inline("I1", "学校名称")+`</row>`, row, UnzipSizeLimit>>20-1, 0)
	built := time.Since(start)
	start = time.Now()
	rows, errs, err := ReadTable(bytes.NewReader(data), schoolCols, Limits{})
	took := time.Since(start)
	t.Logf("%d-byte upload, built in %v, read in %v: %d rows, %d errors, %v", len(data), built, took, len(rows), len(errs), err)
	if err != nil || len(rows) != 0 || len(errs) != 0 || took > 10*time.Second {
		t.Fatalf("err %v, %d rows, %d errors, %v", err, len(rows), len(errs), took)
	}
}
