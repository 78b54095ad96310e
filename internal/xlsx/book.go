package xlsx

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Book streams a workbook of several sheets, written one after another:
// reports with one sheet per section. Like Table, text is neutralized and
// numbers stay numbers; a NaN or infinite float is written as an empty cell.
type Book struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	bold   int
	row    int
	sheets map[string]bool
}

// NewBook starts an empty workbook.
func NewBook() (*Book, error) {
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Book{f: f, bold: bold, sheets: map[string]bool{}}, nil
}

// SheetName makes s a valid, unused sheet name: no []:*?/\, at most 31
// characters, and a numeric suffix when the name is taken.
func (b *Book) SheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.Trim(s, "' "))
	if s == "" {
		s = "Sheet"
	}
	cut := func(s string, n int) string {
		for utf8.RuneCountInString(s) > n {
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
		return s
	}
	s = cut(s, 31)
	name := s
	for i := 2; b.sheets[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf("(%d)", i)
		name = cut(s, 31-len(suffix)) + suffix
	}
	return name
}

// Sheet finishes the current sheet and starts the next one with a bold,
// frozen header row. widths (in characters) are optional per column; the
// default fits the header. It returns the name used (see SheetName).
func (b *Book) Sheet(name string, headers []string, widths ...float64) (string, error) {
	if err := b.flush(); err != nil {
		return "", err
	}
	name = b.SheetName(name)
	if len(b.sheets) == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return "", err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return "", err
	}
	b.sheets[strings.ToLower(name)] = true
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return "", err
	}
	b.sw, b.row = sw, 0
	if len(headers) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return "", err
		}
	}
	for i, h := range headers {
		w := colWidth(h, 8)
		if i < len(widths) && widths[i] > 0 {
			w = widths[i]
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return "", err
		}
	}
	if len(headers) == 0 {
		return name, nil
	}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: b.bold, Value: Neutralize(h)}
	}
	return name, b.write(cells)
}

func (b *Book) write(cells []any) error {
	b.row++
	cell, err := excelize.CoordinatesToCellName(1, b.row)
	if err != nil {
		return err
	}
	return b.sw.SetRow(cell, cells)
}

// Row appends a row to the current sheet.
func (b *Book) Row(values ...any) error {
	if b.sw == nil {
		return fmt.Errorf("xlsx: Row before Sheet")
	}
	cells := make([]any, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case string:
			cells[i] = Neutralize(x)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				cells[i] = nil
			} else {
				cells[i] = x
			}
		case fmt.Stringer:
			cells[i] = Neutralize(x.String())
		default:
			cells[i] = v
		}
	}
	return b.write(cells)
}

func (b *Book) flush() error {
	if b.sw == nil {
		return nil
	}
	err := b.sw.Flush()
	b.sw = nil
	return err
}

// WriteTo finishes the workbook and writes it; the Book is closed after.
func (b *Book) WriteTo(w io.Writer) (int64, error) {
	defer b.f.Close()
	if err := b.flush(); err != nil {
		return 0, err
	}
	if len(b.sheets) == 0 {
		if _, err := b.Sheet("Sheet1", nil); err != nil {
			return 0, err
		}
		if err := b.flush(); err != nil {
			return 0, err
		}
	}
	return b.f.WriteTo(w)
}

// Close discards the workbook (after an error).
func (b *Book) Close() error { return b.f.Close() }
