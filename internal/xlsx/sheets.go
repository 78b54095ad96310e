package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Workbook reads every sheet of an upload as rows of text, for files whose
// columns are not known in advance (exam results, where a preview guesses
// the columns and one sheet may hold one school). It keeps ReadTable's
// defences: the declared sizes are checked before anything is inflated,
// parts are streamed, only the shared strings are held in memory, and
// formulas are reported, never evaluated.
type Workbook struct {
	p        *xlsxPackage
	limit    int64
	sheets   []sheetRef
	date1904 bool
}

type sheetRef struct {
	name, part string
	hidden     bool
}

// MaxInflate is the default bound on what a Workbook's parts may inflate to
// together: a 100,000-student exam sheet inflates to about 60 MiB.
const MaxInflate = 512 << 20

// OpenWorkbook checks an .xlsx file held in memory and lists its sheets.
// maxInflate bounds the inflated size of all parts together, as declared
// and as read (0 means MaxInflate). Errors are ErrNotXLSX or ErrTooLarge.
func OpenWorkbook(data []byte, maxInflate int64) (*Workbook, error) {
	if maxInflate <= 0 {
		maxInflate = MaxInflate
	}
	p, err := openPackageLimit(data, maxInflate)
	if err != nil {
		return nil, err
	}
	w := &Workbook{p: p, limit: maxInflate}
	sst, err := w.listSheets()
	if err != nil {
		return nil, err
	}
	if sst != "" {
		if p.sst, err = p.readSST(sst); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// SheetNames lists the sheets in workbook order.
func (w *Workbook) SheetNames() []string {
	out := make([]string, len(w.sheets))
	for i, s := range w.sheets {
		out[i] = s.name
	}
	return out
}

// Hidden reports whether sheet i is hidden in Excel.
func (w *Workbook) Hidden(i int) bool { return w.sheets[i].hidden }

// ErrStop ends a Scan early without an error.
var ErrStop = errors.New("xlsx: stop")

// Scan calls fn for every row of sheet i that has a cell, in order, with its
// 1-based row number, the text of each cell by 0-based column ("" where
// blank; numbers written the way a person typed them) and the columns that
// hold a formula. A formula is never evaluated: its text is the value Excel
// saved with it ("" when the file holds none). Both slices are reused
// between calls.
// Returning ErrStop from fn ends the scan with no error.
func (w *Workbook) Scan(i int, fn func(line int, cells []string, formulas []int) error) error {
	if i < 0 || i >= len(w.sheets) {
		return fmt.Errorf("xlsx: no sheet %d", i)
	}
	rows := 0
	err := w.scan(i, false, &rows, fn)
	if err == errUnsupported && rows == 0 {
		// A construct the fast reader leaves to encoding/xml (a DOCTYPE).
		err = w.scan(i, true, &rows, fn)
	}
	if err == ErrStop {
		return nil
	}
	return err
}

func (w *Workbook) scan(i int, slow bool, rows *int, fn func(line int, cells []string, formulas []int) error) error {
	// Each scan may inflate the sheet again; the bound is per scan.
	w.p.budget = w.limit
	rc, err := w.p.open(w.sheets[i].part, w.limit)
	if err != nil {
		return err
	}
	defer rc.Close()
	next := newFastSheet(rc).next
	if slow {
		next = newSheetReader(rc).next
	}
	var cells []string
	var formulas []int
	for {
		line, raw, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		cells, formulas = cells[:0], formulas[:0]
		for k := range raw {
			c := &raw[k]
			for len(cells) < c.col-1 {
				cells = append(cells, "")
			}
			if c.formula {
				formulas = append(formulas, c.col-1)
			}
			s, err := w.text(c)
			if err != nil {
				return err
			}
			cells = append(cells, s)
		}
		if len(cells) == 0 {
			continue
		}
		*rows++
		if err := fn(line, cells, formulas); err != nil {
			return err
		}
	}
}

func (w *Workbook) text(c *rawCell) (string, error) {
	t := tableReader{p: w.p}
	s, err := t.text(c)
	if err != nil {
		return "", err
	}
	if c.typ == "" || c.typ == "n" {
		if typedNumber(s) {
			return s, nil
		}
		if n, ok := plainNumber(s); ok {
			return n, nil
		}
	}
	return s, nil
}

// openPackageLimit checks the zip directory of an .xlsx and indexes its
// parts, allowing at most limit inflated bytes in all.
func openPackageLimit(data []byte, limit int64) (*xlsxPackage, error) {
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("%w: empty file", ErrNotXLSX)
	case bytes.HasPrefix(data, oleMagic):
		// Old .xls, or an .xlsx saved with a password (Office wraps those
		// in the same compound-file container).
		return nil, fmt.Errorf("%w: compound document (.xls or encrypted)", ErrNotXLSX)
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, fmt.Errorf("%w: not a zip archive", ErrNotXLSX)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotXLSX, err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("%w: %d zip entries", ErrTooLarge, len(zr.File))
	}
	p := &xlsxPackage{parts: make(map[string]*zip.File, len(zr.File)), budget: limit}
	var total uint64
	for _, f := range zr.File {
		// The declared sizes are checked before anything is inflated, the
		// same test excelize's UnzipSizeLimit makes, so a bomb costs nothing.
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(limit) || total > uint64(limit) {
			return nil, fmt.Errorf("%w: inflates to more than %d bytes", ErrTooLarge, limit)
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		if _, dup := p.parts[name]; dup {
			// Two parts of one name: which one Excel shows is not ours to guess.
			return nil, fmt.Errorf("%w: duplicate part %q", ErrNotXLSX, f.Name)
		}
		p.parts[name] = f
	}
	return p, nil
}

// listSheets reads the workbook part: every sheet's name and part, the
// date system, and where the shared strings are.
func (w *Workbook) listSheets() (sst string, err error) {
	p := w.p
	root, err := p.rels("_rels/.rels")
	if err != nil {
		return "", err
	}
	wb := "xl/workbook.xml"
	for _, rel := range root {
		if strings.HasSuffix(rel.typ, "/officeDocument") {
			wb = resolve("", rel.target)
			break
		}
	}
	if p.parts[strings.ToLower(wb)] == nil {
		return "", fmt.Errorf("%w: no workbook", ErrNotXLSX)
	}
	dir, base := path.Split(wb)
	wbRels, err := p.rels(dir + "_rels/" + base + ".rels")
	if err != nil {
		return "", err
	}
	rc, err := p.open(wb, UnzipXMLSizeLimit)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fileErr(wb, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					w.date1904 = a.Value == "1" || a.Value == "true"
				}
			}
		case "sheet":
			var ref sheetRef
			var id string
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "id" && a.Name.Space != "":
					id = a.Value
				case a.Name.Local == "name":
					ref.name = a.Value
				case a.Name.Local == "state":
					ref.hidden = a.Value != "visible"
				}
			}
			rel, ok := wbRels[id]
			if !ok {
				return "", fmt.Errorf("%w: sheet %q without relationship", ErrNotXLSX, ref.name)
			}
			// Chart sheets and dialog sheets have no cells to read.
			if !strings.HasSuffix(rel.typ, "/worksheet") {
				continue
			}
			ref.part = resolve(dir, rel.target)
			if p.parts[strings.ToLower(ref.part)] == nil {
				return "", fmt.Errorf("%w: missing part %s", ErrNotXLSX, ref.part)
			}
			w.sheets = append(w.sheets, ref)
		}
	}
	if len(w.sheets) == 0 {
		return "", fmt.Errorf("%w: no worksheet", ErrNotXLSX)
	}
	sst = "xl/sharedStrings.xml"
	for _, r := range wbRels {
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sst = resolve(dir, r.target)
			break
		}
	}
	if p.parts[strings.ToLower(sst)] == nil {
		sst = ""
	}
	return sst, nil
}

// typedNumber reports whether a stored number already reads the way
// plainNumber would write it (digits, an optional fraction not ending in 0,
// at most 15 significant digits), which is how nearly every score is stored.
func typedNumber(s string) bool {
	i, digits := 0, 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
		digits++
	}
	if digits == 0 || digits > 1 && s[start] == '0' || s == "-0" {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			digits++
		}
		if i == frac || s[i-1] == '0' {
			return false
		}
		if s[start] == '0' && digits > 15 {
			return false
		}
	}
	return i == len(s) && digits <= 15
}
