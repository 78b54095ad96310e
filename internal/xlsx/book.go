package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Book streams a workbook of several sheets, written one after another:
// reports with one sheet per section. Text is neutralized, numbers stay
// numbers; a NaN or infinite float is written as an empty cell.
//
// It writes the sheet XML itself, compressed as the rows come, and puts the
// parts in the zip at the end: a 1,000,000-student report sheet costs its
// compressed size in memory, not the workbook's cells.
type Book struct {
	sheets []*bookSheet
	cur    *bookSheet
	names  map[string]bool
	buf    []byte        // one row's XML
	sem    chan struct{} // bounds the chunks being compressed at once
}

type bookSheet struct {
	name   string
	data   bytes.Buffer // the deflated sheet XML, once the sheet is finished
	raw    []byte       // XML not yet handed to a compressor
	chunks []*chunk     // in order
	crc    uint32
	size   uint64
	rows   int
	cells  []byte // column letters of the row being written, reused
	num    [24]byte
}

// A chunk is about a megabyte of a sheet's XML compressed on its own, ended
// with a sync flush: the chunks of a sheet, one after another and closed by
// an empty final block, are one deflate stream (as pigz makes them).
type chunk struct {
	out  bytes.Buffer
	done chan struct{}
}

const chunkBytes = 1 << 20

// finalBlock is an empty stored block with the final bit: it ends a deflate
// stream that stands at a byte boundary, as it does after a sync flush.
var finalBlock = []byte{0x01, 0x00, 0x00, 0xff, 0xff}

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// NewBook starts an empty workbook.
func NewBook() (*Book, error) {
	return &Book{names: map[string]bool{}, sem: make(chan struct{}, runtime.GOMAXPROCS(0))}, nil
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
	for i := 2; b.names[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf("(%d)", i)
		name = cut(s, 31-len(suffix)) + suffix
	}
	return name
}

// Sheet finishes the current sheet and starts the next one with a bold,
// frozen header row. widths (in characters) are optional per column; the
// default fits the header. It returns the name used (see SheetName).
func (b *Book) Sheet(name string, headers []string, widths ...float64) (string, error) {
	if err := b.finish(); err != nil {
		return "", err
	}
	name = b.SheetName(name)
	b.names[strings.ToLower(name)] = true
	sh := &bookSheet{name: name}
	b.sheets = append(b.sheets, sh)
	b.cur = sh

	x := b.buf[:0]
	x = append(x, xmlHeader...)
	x = append(x, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	x = append(x, `<sheetViews><sheetView workbookViewId="0"`...)
	if len(b.sheets) == 1 {
		x = append(x, ` tabSelected="1"`...)
	}
	if len(headers) > 0 {
		x = append(x, `><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>`...)
	} else {
		x = append(x, `/>`...)
	}
	x = append(x, `</sheetViews><sheetFormatPr defaultRowHeight="15"/>`...)
	if len(headers) > 0 {
		x = append(x, `<cols>`...)
		for i, h := range headers {
			w := colWidth(h, 8)
			if i < len(widths) && widths[i] > 0 {
				w = widths[i]
			}
			n := strconv.Itoa(i + 1)
			x = append(x, `<col min="`+n+`" max="`+n+`" width="`...)
			x = strconv.AppendFloat(x, w, 'f', -1, 64)
			x = append(x, `" customWidth="1"/>`...)
		}
		x = append(x, `</cols>`...)
	}
	x = append(x, `<sheetData>`...)
	b.buf = x
	if len(headers) == 0 {
		return name, b.emit()
	}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = h
	}
	return name, b.row(cells, true)
}

// Row appends a row to the current sheet.
func (b *Book) Row(values ...any) error {
	if b.cur == nil {
		return fmt.Errorf("xlsx: Row before Sheet")
	}
	b.buf = b.buf[:0]
	return b.row(values, false)
}

// row appends <row> with one cell per value that is not nil (header: bold).
func (b *Book) row(values []any, header bool) error {
	sh := b.cur
	sh.rows++
	r := strconv.Itoa(sh.rows)
	x := b.buf
	x = append(x, `<row r="`+r+`">`...)
	for i, v := range values {
		if s, ok := v.(fmt.Stringer); ok {
			v = s.String()
		}
		ref := append(colName(sh.cells[:0], i), r...)
		sh.cells = ref
		switch t := v.(type) {
		case nil:
			continue
		case string:
			x = appendText(x, ref, Neutralize(t), header)
		case float64:
			x = appendNumber(x, ref, t)
		case float32:
			x = appendNumber(x, ref, float64(t))
		case int, int8, int16, int32, int64:
			x = appendDigits(x, ref, strconv.AppendInt(sh.num[:0], reflect.ValueOf(t).Int(), 10))
		case uint, uint8, uint16, uint32, uint64, uintptr:
			x = appendDigits(x, ref, strconv.AppendUint(sh.num[:0], reflect.ValueOf(t).Uint(), 10))
		case bool:
			x = append(x, `<c r="`...)
			x = append(x, ref...)
			if t {
				x = append(x, `" t="b"><v>1</v></c>`...)
			} else {
				x = append(x, `" t="b"><v>0</v></c>`...)
			}
		case time.Time:
			x = appendText(x, ref, t.Format("2006-01-02 15:04:05"), header)
		default:
			x = appendText(x, ref, Neutralize(fmt.Sprint(t)), header)
		}
	}
	x = append(x, `</row>`...)
	b.buf = x
	return b.emit()
}

// emit adds the XML gathered in buf to the current sheet, and hands every
// full megabyte to a compressor on another core.
func (b *Book) emit() error {
	sh := b.cur
	sh.crc = crc32.Update(sh.crc, crc32.IEEETable, b.buf)
	sh.size += uint64(len(b.buf))
	sh.raw = append(sh.raw, b.buf...)
	b.buf = b.buf[:0]
	if len(sh.raw) >= chunkBytes {
		b.compress(sh)
	}
	return nil
}

// compress starts compressing the sheet's pending XML as its next chunk.
func (b *Book) compress(sh *bookSheet) {
	if len(sh.raw) == 0 {
		return
	}
	raw := sh.raw
	sh.raw = make([]byte, 0, chunkBytes+chunkBytes/8)
	c := &chunk{done: make(chan struct{})}
	sh.chunks = append(sh.chunks, c)
	b.sem <- struct{}{}
	go func() {
		defer func() { <-b.sem; close(c.done) }()
		zw := deflaters.Get().(*flate.Writer)
		zw.Reset(&c.out)
		_, _ = zw.Write(raw) // a bytes.Buffer does not fail
		_ = zw.Flush()
		deflaters.Put(zw)
	}()
}

// finish closes the current sheet's XML and joins its compressed chunks.
func (b *Book) finish() error {
	sh := b.cur
	if sh == nil {
		return nil
	}
	b.buf = append(b.buf[:0], `</sheetData></worksheet>`...)
	_ = b.emit()
	b.compress(sh)
	for _, c := range sh.chunks {
		<-c.done
		sh.data.Write(c.out.Bytes())
	}
	sh.data.Write(finalBlock)
	sh.chunks, sh.raw = nil, nil
	b.cur = nil
	return nil
}

func appendText(x, ref []byte, s string, header bool) []byte {
	x = append(x, `<c r="`...)
	x = append(x, ref...)
	if header {
		x = append(x, `" s="1`...)
	}
	x = append(x, `" t="inlineStr"><is><t`...)
	if s != strings.TrimSpace(s) {
		x = append(x, ` xml:space="preserve"`...)
	}
	x = append(x, '>')
	x = escapeText(x, s)
	return append(x, `</t></is></c>`...)
}

func appendNumber(x, ref []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return x
	}
	x = append(x, `<c r="`...)
	x = append(x, ref...)
	x = append(x, `"><v>`...)
	if f == 0 {
		f = 0 // a negative zero (a rounded -0.00004) is written as 0, not "-0"
	}
	x = strconv.AppendFloat(x, f, 'g', -1, 64)
	return append(x, `</v></c>`...)
}

func appendDigits(x, ref, digits []byte) []byte {
	x = append(x, `<c r="`...)
	x = append(x, ref...)
	x = append(x, `"><v>`...)
	x = append(x, digits...)
	return append(x, `</v></c>`...)
}

// escapeText writes s as XML character data. Characters XML 1.0 cannot
// carry (most control characters, invalid UTF-8) are dropped.
func escapeText(x []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				x = append(x, s[start:i]...)
				start = i + size
			}
			i += size
			continue
		}
		x = append(x, s[start:i]...)
		switch c {
		case '&':
			x = append(x, "&amp;"...)
		case '<':
			x = append(x, "&lt;"...)
		case '>':
			x = append(x, "&gt;"...)
		case '\t', '\n':
			x = append(x, c)
		case '\r':
			x = append(x, "&#13;"...)
		}
		i++
		start = i
	}
	return append(x, s[start:]...)
}

// colName appends the column letters of 0-based column i (A, …, Z, AA, …).
func colName(dst []byte, i int) []byte {
	var tmp [4]byte
	k := len(tmp)
	for i++; i > 0; i = (i - 1) / 26 {
		k--
		tmp[k] = byte('A' + (i-1)%26)
	}
	return append(dst, tmp[k:]...)
}

// WriteTo finishes the workbook and writes it; the Book is spent after.
func (b *Book) WriteTo(w io.Writer) (int64, error) {
	if len(b.sheets) == 0 {
		if _, err := b.Sheet("Sheet1", nil); err != nil {
			return 0, err
		}
	}
	if err := b.finish(); err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	modified := time.Now()
	part := func(name, body string) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, body)
		return err
	}
	var types, sheets, rels strings.Builder
	for i, sh := range b.sheets {
		n := strconv.Itoa(i + 1)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		sheets.WriteString(`<sheet name="` + string(escapeAttr(nil, sh.name)) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
	}
	styles := strconv.Itoa(len(b.sheets) + 1)
	rels.WriteString(`<Relationship Id="rId` + styles + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	parts := [][2]string{
		{"[Content_Types].xml", xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			types.String() + `</Types>`},
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", xmlHeader + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<bookViews><workbookView/></bookViews><sheets>` + sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`},
		{"xl/styles.xml", xmlHeader + stylesXML},
	}
	for _, p := range parts {
		if err := part(p[0], p[1]); err != nil {
			return cw.n, err
		}
	}
	for i, sh := range b.sheets {
		f, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml", Method: zip.Deflate, Modified: modified,
			CRC32: sh.crc, CompressedSize64: uint64(sh.data.Len()), UncompressedSize64: sh.size})
		if err != nil {
			return cw.n, err
		}
		if _, err := f.Write(sh.data.Bytes()); err != nil {
			return cw.n, err
		}
		sh.data = bytes.Buffer{}
	}
	err := zw.Close()
	return cw.n, err
}

// stylesXML: style 0 is the default, style 1 the header (bold on light blue).
const stylesXML = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
	`<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// escapeAttr writes s as an XML attribute value.
func escapeAttr(x []byte, s string) []byte {
	for _, r := range s {
		switch r {
		case '"':
			x = append(x, "&quot;"...)
		case '\'':
			x = append(x, "&apos;"...)
		default:
			x = escapeText(x, string(r))
		}
	}
	return x
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Close discards the workbook (after an error).
func (b *Book) Close() error {
	b.sheets, b.cur = nil, nil
	return nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
