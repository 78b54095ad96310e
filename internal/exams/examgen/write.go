package examgen

import (
	"bufio"
	"io"
	"math"
	"strconv"

	"edugroup/internal/xlsx"
)

// Header is the first row of the files: what marking systems export.
func (p *Plan) Header() []string {
	h := []string{"考号", "姓名", "学校代码", "学校", "集团", "班级"}
	for _, s := range p.Subjects {
		h = append(h, s.Name)
	}
	return h
}

// WriteCSV writes the exam as a wide UTF-8 CSV, one row per student.
func WriteCSV(w io.Writer, p *Plan) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	for i, h := range p.Header() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	err := p.Each(func(r *Row) error {
		b = append(b, r.ID...)
		b = append(b, ',')
		b = append(b, r.Name...)
		b = append(b, ',')
		b = append(b, r.SchoolCode...)
		b = append(b, ',')
		b = append(b, r.School...)
		b = append(b, ',')
		b = append(b, r.Group...)
		b = append(b, ',')
		b = append(b, r.Class...)
		for s, v := range r.Scores {
			b = append(b, ',')
			if r.Tokens[s] != "" {
				b = append(b, r.Tokens[s]...)
			} else {
				b = strconv.AppendFloat(b, v, 'f', -1, 64)
			}
		}
		b = append(b, '\n')
		if len(b) > 64<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes the exam as an .xlsx: one sheet 成绩, or with perSchool
// one sheet per school named after it (and no school columns).
func WriteXLSX(w io.Writer, p *Plan, perSchool bool) error {
	book, err := xlsx.NewBook()
	if err != nil {
		return err
	}
	header := p.Header()
	if perSchool {
		header = append([]string{header[0], header[1], header[4], header[5]}, header[6:]...)
	}
	current := ""
	vals := make([]any, len(header))
	err = p.Each(func(r *Row) error {
		if perSchool && r.School != current || current == "" {
			current = r.School
			name := "成绩"
			if perSchool {
				name = r.School
			}
			if _, err := book.Sheet(name, header); err != nil {
				return err
			}
		}
		vals = vals[:0]
		if perSchool {
			vals = append(vals, r.ID, r.Name, r.Group, r.Class)
		} else {
			vals = append(vals, r.ID, r.Name, r.SchoolCode, r.School, r.Group, r.Class)
		}
		for s, v := range r.Scores {
			if r.Tokens[s] != "" || math.IsNaN(v) {
				vals = append(vals, r.Tokens[s])
			} else {
				vals = append(vals, v)
			}
		}
		return book.Row(vals...)
	})
	if err != nil {
		book.Close()
		return err
	}
	_, err = book.WriteTo(w)
	return err
}
