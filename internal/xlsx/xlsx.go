// Package xlsx writes the Excel files people take away (exports, templates)
// and reads the ones they bring (read.go). Every text cell is neutralized so a
// value such as "=HYPERLINK(...)" stays text in Excel (CSV/formula injection).
package xlsx

import (
	"fmt"
	"io"
	"strings"
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

// Table streams one sheet with a header row: a Book of one sheet whose
// columns are 18 characters wide.
type Table struct {
	b *Book
}

// NewTable starts a workbook whose first sheet is named sheet.
func NewTable(sheet string, headers []string) (*Table, error) {
	b, err := NewBook()
	if err != nil {
		return nil, err
	}
	widths := make([]float64, len(headers))
	for i := range widths {
		widths[i] = 18
	}
	if _, err := b.Sheet(sheet, headers, widths...); err != nil {
		return nil, err
	}
	return &Table{b: b}, nil
}

// Row appends one row; strings are neutralized, numbers stay numbers.
func (t *Table) Row(values ...any) error { return t.b.Row(values...) }

// WriteTo finishes the workbook and writes it.
func (t *Table) WriteTo(w io.Writer) (int64, error) { return t.b.WriteTo(w) }

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
