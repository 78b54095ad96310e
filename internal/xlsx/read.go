package xlsx

// The import side. Uploads are hostile until proven otherwise, so the reader
// does not hand them to excelize.OpenReader: that call inflates every part of
// the package and decodes styles.xml, the calc chain and the theme into
// structs up front, and a 96 KB upload whose styles.xml is 60 MiB of "<xf/>"
// made it allocate 11 GB and hold 3.4 GB for 46 s even with UnzipSizeLimit
// lowered to 64 MiB. Its row iterator also hides what an import must see
// (whether a cell holds a formula, whether it is a number or text), and
// GetCellFormula/GetCellType load the whole worksheet into memory.
//
// Instead ReadTable applies excelize's two unzip limits itself, on the sizes
// the zip's central directory declares, before anything is inflated
// (archive/zip refuses to inflate an entry past its declared size, so a
// lying header cannot get round them), and then streams only the parts it
// needs: the relationships, the workbook, the shared strings and the first
// worksheet. Nothing is evaluated: a formula is reported,
// its cached value never used. encoding/xml expands no DTD entities, so there
// is no entity bomb or external entity either.

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Errors for the whole file. Callers show them by errors.Is; the wrapped text
// is for logs only.
var (
	// ErrTooLarge: the upload is over Limits.MaxBytes, or its parts would
	// inflate to more than UnzipSizeLimit (zip bomb), or it has more than
	// maxZipEntries entries.
	ErrTooLarge = errors.New("xlsx: file too large")
	// ErrNotXLSX: not an Excel .xlsx workbook (empty, CSV, old .xls,
	// password-protected, another zip such as .docx, truncated or malformed).
	ErrNotXLSX = errors.New("xlsx: not an Excel .xlsx file")
	// ErrTooManyRows: more than Limits.MaxRows data rows; reading stopped there.
	ErrTooManyRows = errors.New("xlsx: too many rows")
)

// Unzip limits, named after the excelize options they stand in for. A full
// import (20000 rows of a few dozen columns) inflates to well under
// UnzipSizeLimit. The worksheet is streamed, so it may use all of it;
// UnzipXMLSizeLimit caps the shared-string table, the one part kept in
// memory, and the workbook and relationship parts.
const (
	UnzipSizeLimit    = 64 << 20 // all entries of the zip together, as declared
	UnzipXMLSizeLimit = 16 << 20 // shared strings, workbook, relationships
	maxZipEntries     = 10000    // an .xlsx has tens of parts, not thousands
)

// Excel's own bounds; a sheet outside them is malformed.
const (
	excelMaxRows = 1048576
	excelMaxCols = 16384
)

// Defaults for a zero Limits field.
const (
	DefaultMaxBytes   = 10 << 20
	DefaultMaxRows    = 20000
	DefaultMaxCellLen = 1000
	DefaultMaxErrors  = 1000
)

// Column describes one column of an import template.
type Column struct {
	Key      string   // field name, e.g. "code"; RowError.Field and Row.Values key
	Header   string   // the Chinese header text in the template, e.g. "学校标识码"
	Aliases  []string // other accepted header texts (English header, older names)
	Required bool
	// Date accepts a date cell or text YYYY-MM-DD, YYYY/M/D, YYYY.M.D or
	// YYYY年M月D日 and normalizes it to YYYY-MM-DD.
	Date    bool
	Example string // shown on the template's 说明 sheet
	Help    string // one line of guidance for the 说明 sheet (format, allowed values)
}

// Limits bound the work one upload can cause; zero fields take the defaults.
type Limits struct {
	MaxBytes   int64 // whole upload, default 10 MiB
	MaxRows    int   // data rows, default 20000
	MaxCellLen int   // characters per cell, default 1000
	// MaxErrors caps the row-by-row report (default 1000): past it one
	// "import.too_many_errors" entry is added and reading stops, so a file
	// that is wrong in every cell costs no more than one that is wrong in a few.
	MaxErrors int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCellLen <= 0 {
		l.MaxCellLen = DefaultMaxCellLen
	}
	if l.MaxErrors <= 0 {
		l.MaxErrors = DefaultMaxErrors
	}
	return l
}

// Row is one data row: values by Column.Key (trimmed strings), and its 1-based
// sheet row number. Every column's key is present; a cell that is missing,
// empty or in error reads as "".
type Row struct {
	Line   int
	Values map[string]string
}

// RowError names the row and column of a problem; Key is an i18n message key
// (like "import.required") with Args. Line 0 is a problem of the whole file.
type RowError struct {
	Line  int
	Field string
	Key   string
	Args  map[string]any
}

// ReadTable reads the first sheet of an .xlsx upload. The header row is the
// first non-empty row; columns are matched by header text (Header or Aliases,
// trimmed, case-insensitive for ASCII), in any order; unknown columns are
// ignored; a missing required column is one error for the file (Line 0, the
// column key). Data rows follow; rows with nothing in any recognized column
// are skipped. Rows come back in sheet order with the row numbers Excel shows.
//
// The error is for the file as a whole (ErrTooLarge, ErrNotXLSX,
// ErrTooManyRows, or the reader's own error); RowErrors are the row-by-row
// report. Import nothing unless both are empty: after too_many_errors the
// rows are incomplete.
func ReadTable(r io.Reader, cols []Column, lim Limits) ([]Row, []RowError, error) {
	lim = lim.withDefaults()
	if err := checkColumns(cols); err != nil {
		return nil, nil, err
	}
	// One byte past the limit tells "exactly at the limit" from "over it"
	// without ever holding more than that.
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	p, err := openPackage(data)
	if err != nil {
		return nil, nil, err
	}
	sheetName, date1904, sstName, err := p.workbook()
	if err != nil {
		return nil, nil, err
	}
	if sstName != "" {
		if p.sst, err = p.readSST(sstName); err != nil {
			return nil, nil, err
		}
	}
	rc, err := p.open(sheetName, UnzipSizeLimit)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	t := &tableReader{p: p, cols: cols, lim: lim, date1904: date1904, sr: newSheetReader(rc)}
	return t.read()
}

// checkColumns catches programming mistakes in a column list, which would
// otherwise show up as baffling reports to users.
func checkColumns(cols []Column) error {
	keys := map[string]bool{}
	headers := map[string]bool{}
	for _, c := range cols {
		if c.Key == "" || c.Header == "" {
			return fmt.Errorf("xlsx: column %q needs a Key and a Header", c.Key+c.Header)
		}
		if keys[c.Key] {
			return fmt.Errorf("xlsx: column key %q used twice", c.Key)
		}
		keys[c.Key] = true
		for _, h := range append([]string{c.Header}, c.Aliases...) {
			n := normHeader(h)
			if headers[n] {
				return fmt.Errorf("xlsx: header %q used twice", h)
			}
			headers[n] = true
		}
	}
	return nil
}

// normHeader folds only ASCII case: Chinese has none, and full Unicode
// folding would make distinct headers equal in surprising ways.
func normHeader(s string) string {
	s = trim(s)
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// trim removes the white space people paste along with values, including
// the ideographic space and the invisible BOM and zero-width space that text
// copied from web pages carries.
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
	})
}

// ---- the package: zip entries, relationships, workbook, shared strings ----

type xlsxPackage struct {
	parts  map[string]*zip.File // by lower-case name: OPC part names ignore case
	budget int64                // inflated bytes still allowed across all parts
	sst    *sharedStrings
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func openPackage(data []byte) (*xlsxPackage, error) {
	return openPackageLimit(data, UnzipSizeLimit)
}

// open streams one part, at most limit bytes of it and never past the
// package's inflation budget.
func (p *xlsxPackage) open(name string, limit int64) (io.ReadCloser, error) {
	f := p.parts[strings.ToLower(name)]
	if f == nil {
		return nil, fmt.Errorf("%w: missing part %s", ErrNotXLSX, name)
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, fmt.Errorf("%w: %s uses zip method %d", ErrNotXLSX, name, f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotXLSX, name, err)
	}
	return &partReader{rc: rc, name: name, p: p, left: limit}, nil
}

// partReader turns every read failure into a file error: a budget overrun is
// ErrTooLarge, anything else (bad deflate data, CRC, a size that lied) means
// the file is broken, i.e. ErrNotXLSX.
type partReader struct {
	rc   io.ReadCloser
	name string
	p    *xlsxPackage
	left int64
}

func (r *partReader) Read(b []byte) (int, error) {
	if r.left <= 0 || r.p.budget <= 0 {
		// A part exactly at the limit is fine: only a byte more is not.
		var one [1]byte
		if n, err := r.rc.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w: %s inflates past the limit", ErrTooLarge, r.name)
	}
	if int64(len(b)) > r.left {
		b = b[:r.left]
	}
	if int64(len(b)) > r.p.budget {
		b = b[:r.p.budget]
	}
	n, err := r.rc.Read(b)
	r.left -= int64(n)
	r.p.budget -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %s: %v", ErrNotXLSX, r.name, err)
	}
	return n, err
}

func (r *partReader) Close() error { return r.rc.Close() }

// fileErr reports an XML or read error met while decoding a part.
func fileErr(name string, err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotXLSX) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %s: %v", ErrNotXLSX, name, err)
}

type relationship struct{ typ, target string }

// rels reads a relationships part into Id → relationship; a missing part is
// no relationships.
func (p *xlsxPackage) rels(name string) (map[string]relationship, error) {
	out := map[string]relationship{}
	if p.parts[strings.ToLower(name)] == nil {
		return out, nil
	}
	rc, err := p.open(name, UnzipXMLSizeLimit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fileErr(name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var id string
		var rel relationship
		external := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				id = a.Value
			case "Type":
				rel.typ = a.Value
			case "Target":
				rel.target = a.Value
			case "TargetMode":
				external = a.Value == "External"
			}
		}
		if id != "" && !external {
			if _, dup := out[id]; !dup {
				out[id] = rel
			}
		}
	}
}

// resolve turns a relationship target into a part name: absolute targets
// start at the package root, others at the source part's folder.
func resolve(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join("/", dir, target)), "/")
}

// workbook finds the first sheet's part (in workbook order, hidden or not:
// the template puts the data there), the date system and the shared strings.
func (p *xlsxPackage) workbook() (sheet string, date1904 bool, sst string, err error) {
	root, err := p.rels("_rels/.rels")
	if err != nil {
		return "", false, "", err
	}
	wb := "xl/workbook.xml"
	for _, rel := range root {
		if strings.HasSuffix(rel.typ, "/officeDocument") {
			wb = resolve("", rel.target)
			break
		}
	}
	if p.parts[strings.ToLower(wb)] == nil {
		return "", false, "", fmt.Errorf("%w: no workbook", ErrNotXLSX)
	}
	dir, base := path.Split(wb)
	wbRels, err := p.rels(dir + "_rels/" + base + ".rels")
	if err != nil {
		return "", false, "", err
	}
	rc, err := p.open(wb, UnzipXMLSizeLimit)
	if err != nil {
		return "", false, "", err
	}
	defer rc.Close()
	var sheetID string
	d := xml.NewDecoder(rc)
	for sheetID == "" {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", false, "", fileErr(wb, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					date1904 = a.Value == "1" || a.Value == "true"
				}
			}
		case "sheet":
			for _, a := range se.Attr {
				// r:id: the only attribute of <sheet> in a namespace.
				if a.Name.Local == "id" && a.Name.Space != "" {
					sheetID = a.Value
				}
			}
			if sheetID == "" {
				return "", false, "", fmt.Errorf("%w: sheet without relationship", ErrNotXLSX)
			}
		}
	}
	rel, ok := wbRels[sheetID]
	if sheetID == "" || !ok {
		return "", false, "", fmt.Errorf("%w: no worksheet", ErrNotXLSX)
	}
	sheet = resolve(dir, rel.target)
	sst = "xl/sharedStrings.xml" // where Excel puts it; some writers omit the relationship
	for _, r := range wbRels {
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sst = resolve(dir, r.target)
			break
		}
	}
	if p.parts[strings.ToLower(sst)] == nil {
		sst = "" // a sheet that then refers to a shared string is malformed
	}
	return sheet, date1904, sst, nil
}

// sharedStrings keeps the table as one byte slice and end offsets, about
// four bytes per entry beyond the text itself.
type sharedStrings struct {
	buf  []byte
	ends []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return string(s.buf[start:s.ends[i]]), true
}

func (p *xlsxPackage) readSST(name string) (*sharedStrings, error) {
	rc, err := p.open(name, UnzipXMLSizeLimit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := &sharedStrings{}
	d := xml.NewDecoder(rc)
	var (
		inSI, inT bool
		rph       int // inside phonetic runs (furigana), which are not cell text
		item      []byte
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return nil, fileErr(name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, rph, item = true, 0, item[:0]
			case "rPh":
				rph++
			case "t":
				inT = inSI && rph == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if inSI {
					s.buf = append(s.buf, decodeEscapes(string(item))...)
					s.ends = append(s.ends, uint32(len(s.buf)))
				}
				inSI, inT = false, false
			case "rPh":
				rph--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				item = append(item, t...)
			}
		}
	}
}

// decodeEscapes undoes OOXML's _xHHHH_ escapes (ST_Xstring), the way Excel
// stores characters XML cannot hold; "_x005F_" is a literal underscore, which
// is how a literal "_x0041_" is written. Control characters other than tab
// and line breaks are dropped: they are invisible in Excel and PostgreSQL
// refuses NUL in text.
func decodeEscapes(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		u, ok := escapeAt(s, i)
		if !ok {
			b.WriteByte(s[i])
			i++
			continue
		}
		i += 7
		r := rune(u)
		if utf16IsHigh(u) {
			if lo, ok := escapeAt(s, i); ok && utf16IsLow(lo) {
				r = (rune(u)-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000
				i += 7
			} else {
				r = utf8.RuneError
			}
		} else if utf16IsLow(u) {
			r = utf8.RuneError
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func utf16IsHigh(u uint16) bool { return 0xD800 <= u && u < 0xDC00 }
func utf16IsLow(u uint16) bool  { return 0xDC00 <= u && u < 0xE000 }

func escapeAt(s string, i int) (uint16, bool) {
	if i+7 > len(s) || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return 0, false
	}
	u, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
	return uint16(u), err == nil
}

// ---- the worksheet, a row at a time ----

// rawCell is a cell as stored, before any interpretation.
type rawCell struct {
	col     int
	typ     string // the t attribute: s, inlineStr, str, n, b, e, d
	formula bool
	v       string
	is      string
	hasIS   bool
}

// sheetReader walks <sheetData> with a streaming decoder, so memory follows
// the longest row, not the sheet.
type sheetReader struct {
	d       *xml.Decoder
	keep    func(col int) bool // nil keeps every column
	inData  bool
	done    bool
	lastRow int
	cells   []rawCell
	v, is   []byte
}

func newSheetReader(r io.Reader) *sheetReader {
	return &sheetReader{d: xml.NewDecoder(r)}
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: worksheet: %s", ErrNotXLSX, fmt.Sprintf(format, args...))
}

// next returns the next <row>: its number and its kept, non-blank cells in
// column order. Rows and cells must go forward, as Excel writes them; a file
// that goes back could show one thing in Excel and import another.
func (s *sheetReader) next() (int, []rawCell, error) {
	if s.done {
		return 0, nil, io.EOF
	}
	s.cells = s.cells[:0]
	var (
		inRow, inCell, keepCell bool
		line, lastCol           int
		cur                     rawCell
		collect                 *[]byte
		inIS, rph               int
	)
	for {
		tok, err := s.d.RawToken()
		if err == io.EOF {
			if inRow {
				return 0, nil, malformed("unexpected end")
			}
			s.done = true
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, fileErr("worksheet", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case !s.inData:
				s.inData = t.Name.Local == "sheetData"
			case !inRow:
				if t.Name.Local != "row" {
					continue
				}
				inRow = true
				line = s.lastRow + 1
				if r, ok := attr(t, "r"); ok {
					n, err := strconv.Atoi(r)
					if err != nil {
						return 0, nil, malformed("row number %q", r)
					}
					line = n
				}
				if line <= s.lastRow || line < 1 || line > excelMaxRows {
					return 0, nil, malformed("row %d after row %d", line, s.lastRow)
				}
				s.lastRow = line
			case !inCell:
				if t.Name.Local != "c" {
					if t.Name.Local == "row" {
						return 0, nil, malformed("row inside row %d", line)
					}
					continue
				}
				inCell = true
				cur = rawCell{col: lastCol + 1}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						col, ok := colOf(a.Value)
						if !ok {
							return 0, nil, malformed("cell reference %q", a.Value)
						}
						cur.col = col
					case "t":
						cur.typ = a.Value
					}
				}
				if cur.col <= lastCol || cur.col > excelMaxCols {
					return 0, nil, malformed("row %d: column %d after %d", line, cur.col, lastCol)
				}
				lastCol = cur.col
				keepCell = s.keep == nil || s.keep(cur.col)
				s.v, s.is = s.v[:0], s.is[:0]
			default:
				switch t.Name.Local {
				case "c", "row":
					return 0, nil, malformed("%s inside a cell in row %d", t.Name.Local, line)
				case "f":
					cur.formula = true
				case "v":
					if keepCell && inIS == 0 {
						collect = &s.v
					}
				case "is":
					inIS++
					cur.hasIS = true
				case "rPh":
					rph++
				case "t":
					if keepCell && inIS > 0 && rph == 0 {
						collect = &s.is
					}
				}
			}
		case xml.EndElement:
			switch {
			case !s.inData:
			case !inRow:
				if t.Name.Local == "sheetData" {
					s.done = true
					return 0, nil, io.EOF
				}
			case !inCell:
				if t.Name.Local == "row" {
					return line, s.cells, nil
				}
			default:
				switch t.Name.Local {
				case "c":
					inCell, collect, inIS, rph = false, nil, 0, 0
					if keepCell && (cur.formula || len(s.v) > 0 || len(s.is) > 0) {
						cur.v, cur.is = string(s.v), string(s.is)
						s.cells = append(s.cells, cur)
					}
				case "v", "t":
					collect = nil
				case "is":
					inIS--
				case "rPh":
					rph--
				}
			}
		case xml.CharData:
			if collect != nil {
				*collect = append(*collect, t...)
			}
		}
	}
}

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// colOf reads the column of a cell reference such as "AB12".
func colOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // ASCII letters to lower case; digits stay digits
		if c < 'a' || c > 'z' {
			break
		}
		if col = col*26 + int(c-'a') + 1; col > excelMaxCols {
			return 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	for _, c := range []byte(ref[i:]) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return col, true
}

// ---- from cells to rows ----

type tableReader struct {
	p        *xlsxPackage
	sr       *sheetReader
	cols     []Column
	lim      Limits
	date1904 bool
	errs     []RowError
}

// addErr records a problem and reports whether the report is full.
func (t *tableReader) addErr(line int, field, key string, args map[string]any) bool {
	if len(t.errs) >= t.lim.MaxErrors {
		return true
	}
	t.errs = append(t.errs, RowError{Line: line, Field: field, Key: key, Args: args})
	if len(t.errs) == t.lim.MaxErrors {
		t.errs = append(t.errs, RowError{Line: line, Key: "import.too_many_errors", Args: map[string]any{"max": t.lim.MaxErrors}})
		return true
	}
	return false
}

func (t *tableReader) read() ([]Row, []RowError, error) {
	colIdx, err := t.header()
	if err != nil || colIdx == nil {
		return nil, t.errs, err
	}
	t.sr.keep = func(col int) bool { _, ok := colIdx[col]; return ok }
	var rows []Row
	byCol := make([]*rawCell, len(t.cols))
	texts := make([]string, len(t.cols))
	for {
		line, cells, err := t.sr.next()
		if err == io.EOF {
			return rows, t.errs, nil
		}
		if err != nil {
			return nil, nil, err
		}
		clear(byCol)
		clear(texts)
		empty := true
		for i := range cells {
			k := colIdx[cells[i].col]
			byCol[k] = &cells[i]
			if cells[i].formula {
				empty = false
				continue
			}
			if texts[k], err = t.text(&cells[i]); err != nil {
				return nil, nil, err
			}
			texts[k] = trim(texts[k])
			if texts[k] != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		if len(rows) == t.lim.MaxRows {
			return nil, nil, fmt.Errorf("%w: more than %d", ErrTooManyRows, t.lim.MaxRows)
		}
		row := Row{Line: line, Values: make(map[string]string, len(t.cols))}
		full := false
		for k, col := range t.cols {
			v, key, args := t.value(byCol[k], texts[k], col)
			row.Values[col.Key] = v
			if key != "" && t.addErr(line, col.Key, key, args) {
				full = true
			}
		}
		rows = append(rows, row)
		if full {
			return rows, t.errs, nil
		}
	}
}

// header finds the first non-empty row and maps sheet columns to t.cols.
// A nil map with no error means the report already says why not.
func (t *tableReader) header() (map[int]int, error) {
	byHeader := map[string]int{}
	for i, c := range t.cols {
		byHeader[normHeader(c.Header)] = i
		for _, a := range c.Aliases {
			byHeader[normHeader(a)] = i
		}
	}
	for {
		line, cells, err := t.sr.next()
		if err == io.EOF {
			t.addErr(0, "", "import.empty", nil)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		colIdx := map[int]int{}
		seen := make([]bool, len(t.cols))
		empty, dup := true, false
		for i := range cells {
			c := &cells[i]
			if c.formula {
				continue // a header is typed, not computed; not evaluated either way
			}
			s, err := t.text(c)
			if err != nil {
				return nil, err
			}
			if c.typ == "" || c.typ == "n" {
				if n, ok := plainNumber(s); ok {
					s = n
				}
			}
			h := normHeader(s)
			if h == "" {
				continue
			}
			empty = false
			k, ok := byHeader[h]
			if !ok {
				continue
			}
			if seen[k] {
				if !dup {
					t.addErr(line, t.cols[k].Key, "import.duplicate_column", map[string]any{"header": t.cols[k].Header})
				}
				dup = true
				continue
			}
			seen[k] = true
			colIdx[c.col] = k
		}
		if empty {
			continue
		}
		missing := false
		for k, c := range t.cols {
			if c.Required && !seen[k] {
				t.addErr(0, c.Key, "import.missing_column", map[string]any{"header": c.Header})
				missing = true
			}
		}
		if dup || missing {
			return nil, nil
		}
		return colIdx, nil
	}
}

// text is a cell's stored text, before trimming: the shared or inline
// string, or the <v> of anything else.
func (t *tableReader) text(c *rawCell) (string, error) {
	switch c.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(c.v))
		s, ok := t.p.sst.get(i)
		if err != nil || !ok {
			return "", malformed("shared string %q", c.v)
		}
		return s, nil
	case "inlineStr":
		if c.hasIS {
			return decodeEscapes(c.is), nil
		}
		return decodeEscapes(c.v), nil
	case "str", "e":
		return decodeEscapes(c.v), nil
	case "b":
		switch strings.TrimSpace(c.v) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
	}
	return c.v, nil
}

// value turns one cell of a data row into its string, or an error key.
func (t *tableReader) value(c *rawCell, text string, col Column) (string, string, map[string]any) {
	if c != nil && c.formula {
		return "", "import.formula", nil
	}
	if text == "" {
		if col.Required {
			return "", "import.required", nil
		}
		return "", "", nil
	}
	tooLong := func(s string) bool { return utf8.RuneCountInString(s) > t.lim.MaxCellLen }
	if tooLong(text) {
		return "", "import.too_long", map[string]any{"max": t.lim.MaxCellLen}
	}
	numeric := c.typ == "" || c.typ == "n"
	if col.Date {
		var d string
		var ok bool
		switch {
		case numeric:
			d, ok = serialDate(text, t.date1904)
		case c.typ == "d":
			d, ok = textDate(strings.SplitN(text, "T", 2)[0])
		default:
			d, ok = textDate(text)
		}
		if !ok {
			return "", "import.date", nil
		}
		return d, "", nil
	}
	if numeric {
		f, err := strconv.ParseFloat(text, 64)
		if err == nil && math.Abs(f) >= 1e15 && !math.IsInf(f, 0) {
			// Excel keeps 15 significant digits: an 18-digit ID number
			// typed as a number has already lost its last three.
			return "", "import.number_precision", nil
		}
		if n, ok := plainNumber(text); ok {
			// Without the exponent 1E-300 is 300 characters long.
			if tooLong(n) {
				return "", "import.too_long", map[string]any{"max": t.lim.MaxCellLen}
			}
			return n, "", nil
		}
	}
	return text, "", nil
}

// plainNumber writes a stored number the way a person typed it: no exponent,
// no trailing ".0", rounded to the 15 significant digits Excel keeps (so the
// 0.30000000000000004 some writers store reads as 0.3).
func plainNumber(s string) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0", true // not "-0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// serialDate reads an Excel date serial. In the 1900 system serial 1 is
// 1900-01-01 and 60 is the 29 February 1900 that Lotus 1-2-3 invented and
// Excel kept, so later serials count from 1899-12-30; in the 1904 system
// (old Mac workbooks) serial 0 is 1904-01-01. The time of day is dropped.
func serialDate(s string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= 2958466 { // 2958465 = 9999-12-31
		return "", false
	}
	n := int(math.Floor(f))
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case n < 1 || n == 60:
		return "", false
	case n < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	d := base.AddDate(0, 0, n)
	if d.Year() > 9999 {
		return "", false
	}
	return d.Format("2006-01-02"), true
}

// textDate accepts YYYY-M-D, YYYY/M/D, YYYY.M.D (one or two digits for month
// and day) and YYYY年M月D日, and checks the date exists.
func textDate(s string) (string, bool) {
	var parts [3]int
	digits := func(s string, min, max int) (int, string, bool) {
		i := 0
		for i < len(s) && i < max && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i < min {
			return 0, s, false
		}
		n, _ := strconv.Atoi(s[:i])
		return n, s[i:], true
	}
	var ok bool
	if parts[0], s, ok = digits(s, 4, 4); !ok {
		return "", false
	}
	sep := ""
	switch {
	case strings.HasPrefix(s, "年"):
		sep = "年"
	case s != "" && strings.ContainsRune("-/.", rune(s[0])):
		sep = s[:1]
	default:
		return "", false
	}
	s = s[len(sep):]
	if parts[1], s, ok = digits(s, 1, 2); !ok {
		return "", false
	}
	if sep == "年" {
		sep = "月"
	}
	if !strings.HasPrefix(s, sep) {
		return "", false
	}
	if parts[2], s, ok = digits(s[len(sep):], 1, 2); !ok {
		return "", false
	}
	if sep == "月" {
		s = strings.TrimPrefix(s, "日")
	}
	if s != "" {
		return "", false
	}
	y, m, d := parts[0], parts[1], parts[2]
	if y < 1 || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// HelpSheet names the template's second sheet, which explains each column.
const HelpSheet = "说明"

// Template writes an .xlsx for people to fill in: the header row (bold,
// frozen, columns wide enough; required headers in red) on the first sheet,
// named sheet, and a 说明 sheet listing each column's header, whether it is
// required, its Help and its Example. Data columns are formatted as text, so
// a school code or an ID number typed there stays text instead of becoming a
// number that loses digits; date columns are formatted as dates.
func Template(w io.Writer, sheet string, cols []Column) error {
	if err := checkColumns(cols); err != nil {
		return err
	}
	if strings.EqualFold(sheet, HelpSheet) {
		return fmt.Errorf("xlsx: sheet name %q is taken by the help sheet", sheet)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	fill := excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, NumFmt: 49})
	if err != nil {
		return err
	}
	reqHead, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: fill, NumFmt: 49})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@"
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	for i, c := range cols {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		style, hs := text, head
		if c.Date {
			style = date
		}
		if c.Required {
			hs = reqHead
		}
		cell := name + "1"
		for _, err := range []error{
			f.SetColStyle(sheet, name, style),
			f.SetColWidth(sheet, name, name, colWidth(c.Header, 12)),
			f.SetCellStr(sheet, cell, c.Header),
			f.SetCellStyle(sheet, cell, cell, hs),
		} {
			if err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := helpSheet(f, cols, head); err != nil {
		return err
	}
	return f.Write(w)
}

func helpSheet(f *excelize.File, cols []Column, head int) error {
	if _, err := f.NewSheet(HelpSheet); err != nil {
		return err
	}
	rows := [][]string{{"列名", "是否必填", "填写说明", "示例"}}
	widths := []float64{12, 10, 30, 16}
	for _, c := range cols {
		req := "选填"
		if c.Required {
			req = "必填"
		}
		help := c.Help
		if help == "" && c.Date {
			help = "日期，如 2024-09-01"
		}
		r := []string{c.Header, req, help, c.Example}
		rows = append(rows, r)
		for i, v := range r {
			widths[i] = max(widths[i], colWidth(v, 0))
		}
	}
	rows = append(rows, nil, []string{"第一行是列名，请勿修改；从第二行起每行一条记录。公式不会被计算，请填写数值或文字。"})
	for i, r := range rows {
		for j, v := range r {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(HelpSheet, cell, v); err != nil {
				return err
			}
		}
	}
	for i, wd := range widths {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(HelpSheet, name, name, wd); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(HelpSheet, "A1", "D1", head); err != nil {
		return err
	}
	return f.SetPanes(HelpSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// colWidth sizes a column for s: Chinese characters take two widths.
func colWidth(s string, least float64) float64 {
	w := 4.0
	for _, r := range s {
		if r < 0x80 {
			w++
		} else {
			w += 2
		}
	}
	return min(max(w, least), 60)
}
