package xlsx

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+1": "'+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)",
		"张三": "张三", "": "", "1-2": "1-2", "\tx": "'\tx",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableWritesNeutralizedCells(t *testing.T) {
	tb, err := NewTable("审计日志", []string{"编号", "内容"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Row(1, "=cmd|' /C calc'!A0"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := tb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.GetCellValue("审计日志", "B2")
	formula, _ := f.GetCellFormula("审计日志", "B2")
	if v != "'=cmd|' /C calc'!A0" || formula != "" {
		t.Fatalf("cell B2 = %q formula %q", v, formula)
	}
	if h, _ := f.GetCellValue("审计日志", "A1"); h != "编号" {
		t.Fatalf("header %q", h)
	}
}

func TestAttachmentHeader(t *testing.T) {
	got := AttachmentHeader("审计.xlsx")
	want := `attachment; filename="__.xlsx"; filename*=UTF-8''%E5%AE%A1%E8%AE%A1.xlsx`
	if got != want {
		t.Fatalf("%s", got)
	}
}
