package examfile

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/simplifiedchinese"

	"edugroup/internal/errs"
	"edugroup/internal/xlsx"
)

// File is an opened exam file: a CSV/TSV text (UTF-8, UTF-16 or GBK) or an
// .xlsx workbook, read as sheets of text rows.
type File struct {
	Name   string `json:"name"`
	Format string `json:"format"` // "csv" or "xlsx"
	Sheets []SheetInfo

	text  string // CSV, decoded
	delim byte
	wb    *xlsx.Workbook
}

// SheetInfo names a sheet (a CSV file is one sheet named after the file).
type SheetInfo struct {
	Name   string `json:"name"`
	Hidden bool   `json:"hidden"`
}

// MaxFileBytes bounds what Open accepts.
const MaxFileBytes = 1 << 30

// Open reads an exam file held in memory. The format comes from the
// content, not the name: a zip is an .xlsx, anything else is text. Open
// keeps data (student numbers and names point into it), so the caller
// must not modify it afterwards.
func Open(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	switch {
	case len(data) > MaxFileBytes:
		return nil, errs.New(errs.Invalid, keyTooLarge, errs.Args{"mb": MaxFileBytes >> 20})
	case len(bytes.TrimSpace(data)) == 0:
		return nil, errs.New(errs.Invalid, keyEmpty, nil)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		wb, err := xlsx.OpenWorkbook(data, 0)
		switch {
		case errors.Is(err, xlsx.ErrTooLarge):
			return nil, errs.New(errs.Invalid, keyTooLarge, errs.Args{"mb": xlsx.MaxInflate >> 20})
		case err != nil:
			return nil, errs.New(errs.Invalid, keyNotTable, nil)
		}
		f.Format, f.wb = "xlsx", wb
		for i, n := range wb.SheetNames() {
			f.Sheets = append(f.Sheets, SheetInfo{Name: n, Hidden: wb.Hidden(i)})
		}
		return f, nil
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	f.Format, f.text = "csv", text
	f.delim = sniffDelimiter(text)
	base := name
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	f.Sheets = []SheetInfo{{Name: base}}
	return f, nil
}

// decodeText turns the bytes of a text file into UTF-8: a UTF-8 BOM is
// dropped, UTF-16 (Excel's "Unicode text") is decoded by its BOM, and text
// that is not UTF-8 is read as GB18030 (a superset of GBK, which Excel and
// WPS on Chinese Windows write).
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		le := data[0] == 0xFF
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if le {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		return string(utf16.Decode(u)), nil
	}
	if hasNUL(data) {
		return "", errs.New(errs.Invalid, keyNotTable, nil)
	}
	// Look at the start: a valid UTF-8 head (cut at a rune boundary) means
	// UTF-8; the rows are checked as they are read.
	if !utf8.Valid(trimPartialRune(data[:min(len(data), 64<<10)])) {
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return "", errs.New(errs.Invalid, keyEncoding, nil)
		}
		data = out
	}
	// The decoded bytes are never written again: read them as a string
	// without copying (a million-row file is 100 MB).
	return unsafe.String(unsafe.SliceData(data), len(data)), nil
}

// hasNUL reports whether data holds a zero byte (a binary file, not text).
// A big file is searched on every core: this is the first read of a mapped
// file, so the pages come in in parallel too.
func hasNUL(data []byte) bool {
	const piece = 8 << 20
	n := min(runtime.GOMAXPROCS(0), (len(data)+piece-1)/piece)
	if n <= 1 {
		return bytes.IndexByte(data, 0) >= 0
	}
	var found atomic.Bool
	var wg sync.WaitGroup
	size := (len(data) + n - 1) / n
	for lo := 0; lo < len(data); lo += size {
		part := data[lo:min(lo+size, len(data))]
		wg.Go(func() {
			if bytes.IndexByte(part, 0) >= 0 {
				found.Store(true)
			}
		})
	}
	wg.Wait()
	return found.Load()
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// sniffDelimiter picks comma, tab or semicolon from the first lines.
func sniffDelimiter(text string) byte {
	head := text[:min(len(text), 8<<10)]
	best, count := byte(','), -1
	for _, d := range []byte{',', '\t', ';', '|'} {
		if n := strings.Count(head, string(d)); n > count {
			best, count = d, n
		}
	}
	return best
}

// record reads the CSV record at pos into cells: the cells, the position
// after the record and how many lines it spans. Quoted fields may hold the
// delimiter, doubled quotes and line breaks; a stray quote inside an
// unquoted field is kept as it is.
func record(text string, pos int, delim byte, cells []string) ([]string, int, int) {
	cells = cells[:0]
	end := strings.IndexByte(text[pos:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += pos
	}
	line := text[pos:end]
	if strings.IndexByte(line, '"') < 0 {
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		// One pass over the bytes: fields are short, and a call per field
		// costs more than looking at each byte.
		start := 0
		for i := 0; i < len(line); i++ {
			if line[i] == delim {
				cells = append(cells, line[start:i])
				start = i + 1
			}
		}
		cells = append(cells, line[start:])
		return cells, min(end+1, len(text)), 1
	}
	lines := 1
	i := pos
	for {
		if i < len(text) && text[i] == '"' {
			start := i + 1
			j := start
			escaped := false
			for {
				k := strings.IndexByte(text[j:], '"')
				if k < 0 {
					j = len(text)
					break
				}
				j += k
				if j+1 < len(text) && text[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			field := text[start:j]
			lines += strings.Count(field, "\n")
			if escaped {
				field = strings.ReplaceAll(field, `""`, `"`)
			}
			i = min(j+1, len(text))
			// Anything between the closing quote and the delimiter is kept.
			k := i
			for k < len(text) && text[k] != delim && text[k] != '\n' {
				k++
			}
			if k > i {
				field += strings.TrimSuffix(text[i:k], "\r")
			}
			cells = append(cells, field)
			i = k
		} else {
			k := i
			for k < len(text) && text[k] != delim && text[k] != '\n' {
				k++
			}
			cells = append(cells, strings.TrimSuffix(text[i:k], "\r"))
			i = k
		}
		if i >= len(text) {
			return cells, len(text), lines
		}
		if text[i] == '\n' {
			return cells, i + 1, lines
		}
		i++ // the delimiter
	}
}

// scanText calls fn for each record from byte from (at line startLine) to
// byte to; blank records are skipped. cells is reused between calls.
func (f *File) scanText(from, to, startLine int, fn func(line int, cells []string) error) error {
	_, _, err := f.scanRange(from, to, startLine, fn)
	return err
}

// scanRange is scanText that also returns where it stopped (past to when
// the last record's quoted field ran on) and how many lines it read.
func (f *File) scanRange(from, to, startLine int, fn func(line int, cells []string) error) (int, int, error) {
	var cells []string
	line := startLine
	pos := from
	for pos < to {
		var n int
		cells, pos, n = record(f.text, pos, f.delim, cells)
		l := line
		line += n
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue
		}
		if err := fn(l, cells); err != nil {
			return pos, line - startLine, err
		}
	}
	return pos, line - startLine, nil
}

// chunks splits the text from byte from into about n pieces. At first it
// cuts at any line break, trusting that no quoted field spans one there
// (the parser checks, and asks again with safe set); safe walks the
// records so that no cut falls inside a field.
func (f *File) chunks(from, n int, safe bool) []chunk {
	text := f.text
	var out []chunk
	pos := from
	size := (len(text) - from) / max(1, n)
	for pos < len(text) {
		target := pos + size
		if target >= len(text) || len(out) == n-1 {
			out = append(out, chunk{from: pos, to: len(text)})
			break
		}
		var end int
		if !safe {
			nl := strings.IndexByte(text[target:], '\n')
			if nl < 0 {
				end = len(text)
			} else {
				end = target + nl + 1
			}
		} else {
			end = pos
			var cells []string
			for end < target {
				cells, end, _ = record(text, end, f.delim, cells)
			}
		}
		out = append(out, chunk{from: pos, to: end})
		pos = end
	}
	return out
}

type chunk struct{ from, to int }
