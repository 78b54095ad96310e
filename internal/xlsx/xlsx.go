// Package xlsx writes the Excel files people take away (exports, templates)
// and reads the ones they bring (read.go). Every text cell is neutralized so a
// value such as "=HYPERLINK(...)" stays text in Excel (CSV/formula injection).
package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Neutralize prefixes a quote to text that Excel would read as a formula.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Table streams one sheet with a header row to w.
type Table struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

// NewTable starts a workbook whose first sheet is named sheet.
func NewTable(sheet string, headers []string) (*Table, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for i := range headers {
		if err := sw.SetColWidth(i+1, i+1, 18); err != nil {
			return nil, err
		}
	}
	t := &Table{f: f, sw: sw}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	return t, t.write(cells)
}

func (t *Table) write(cells []any) error {
	t.row++
	cell, _ := excelize.CoordinatesToCellName(1, t.row)
	return t.sw.SetRow(cell, cells)
}

// Row appends one row; strings are neutralized, numbers stay numbers.
func (t *Table) Row(values ...any) error {
	cells := make([]any, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case string:
			cells[i] = Neutralize(x)
		case fmt.Stringer:
			cells[i] = Neutralize(x.String())
		default:
			cells[i] = v
		}
	}
	return t.write(cells)
}

// WriteTo finishes the workbook and writes it.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	if err := t.sw.Flush(); err != nil {
		return 0, err
	}
	defer t.f.Close()
	return t.f.WriteTo(w)
}

// ContentType is the media type of .xlsx files.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// AttachmentHeader is a Content-Disposition for name, safe for Chinese names.
func AttachmentHeader(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 128 && r != '"' && r != '\\' {
			return r
		}
		return '_'
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, urlEscape(name))
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
