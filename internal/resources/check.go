package resources

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"edugroup/internal/blob"
	"edugroup/internal/errs"
)

// The classes of file the library takes, each with its own size limit.
const (
	classDocument = "document"
	classImage    = "image"
	classVideo    = "video"
)

// Limits on what an office file (a zip) may unpack to: a zip bomb declares
// or hides far more than this.
const (
	maxZipEntries = 5000
	maxZipTotal   = 512 << 20
	maxZipRatio   = 200 // uncompressed : compressed, for entries over 1 MiB
	maxTextBytes  = 64 << 10
)

// sniffed is what the content of an upload turned out to be.
type sniffed struct {
	mediaType string
	class     string
	ext       string
	text      string // extracted for search
}

func fileError(key string, args errs.Args) error { return errs.FieldError("file", key, args) }

// errBomb is an entry that unpacks to more than its header declares.
var errBomb = errors.New("zip entry larger than declared")

var (
	scriptRE = regexp.MustCompile(`(?i)<\s*script|\bon[a-z]+\s*=|javascript\s*:|<\s*iframe|<\s*object|<\s*embed|<\s*foreignobject|<\s*meta[^>]+http-equiv|xlink:href\s*=\s*["']?\s*data:`)
	svgRE    = regexp.MustCompile(`(?is)^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype[^>]*>\s*)?<svg[\s>]`)
	htmlRE   = regexp.MustCompile(`(?is)^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])`)
)

// sniff decides the type of a staged upload from its bytes, never its name,
// and rejects what the library does not keep: unknown types, office files
// that are not well-formed or unpack to too much (zip bombs), SVG or HTML
// carrying scripts.
func sniff(ctx context.Context, st *blob.Staged) (sniffed, error) {
	head := make([]byte, 4096)
	n, err := st.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return sniffed{}, err
	}
	head = head[:n]
	if n == 0 {
		return sniffed{}, fileError("resources.file.empty", nil)
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return sniffed{mediaType: "application/pdf", class: classDocument, ext: ".pdf", text: pdfText(ctx, st)}, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return office(st)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return sniffed{mediaType: "application/x-ole-storage", class: classDocument, ext: ".doc"}, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return sniffed{mediaType: "image/png", class: classImage, ext: ".png"}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return sniffed{mediaType: "image/jpeg", class: classImage, ext: ".jpg"}, nil
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return sniffed{mediaType: "image/gif", class: classImage, ext: ".gif"}, nil
	case len(head) > 12 && string(head[4:8]) == "ftyp":
		if string(head[8:10]) == "qt" {
			return sniffed{mediaType: "video/quicktime", class: classVideo, ext: ".mov"}, nil
		}
		return sniffed{mediaType: "video/mp4", class: classVideo, ext: ".mp4"}, nil
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return sniffed{mediaType: "video/webm", class: classVideo, ext: ".webm"}, nil
	}
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimPartialRune(head)) {
		return sniffed{}, fileError("resources.file.type", nil)
	}
	// Text: SVG and HTML are read whole (they are small) for scripts.
	body, err := io.ReadAll(io.LimitReader(st.Reader(), 8<<20))
	if err != nil {
		return sniffed{}, err
	}
	isSVG, isHTML := svgRE.Match(head), htmlRE.Match(head)
	if isSVG || isHTML {
		if scriptRE.Match(body) {
			return sniffed{}, fileError("resources.file.script", nil)
		}
		if isSVG {
			return sniffed{mediaType: "image/svg+xml", class: classImage, ext: ".svg"}, nil
		}
		return sniffed{mediaType: "text/html", class: classDocument, ext: ".html", text: xmlText(bytes.NewReader(body))}, nil
	}
	if bytes.Contains(bytes.ToLower(head), []byte("<script")) {
		return sniffed{}, fileError("resources.file.script", nil)
	}
	return sniffed{mediaType: "text/plain; charset=utf-8", class: classDocument, ext: ".txt", text: clip(string(body))}, nil
}

// trimPartialRune drops a rune cut by the end of the sniffing window.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// The parts that make a zip a Word, PowerPoint or Excel file, and the parts
// whose text is read for search.
var officeKinds = []struct {
	main, mediaType, ext string
	text                 *regexp.Regexp
}{
	{"word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", regexp.MustCompile(`^word/document\.xml$`)},
	{"ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", regexp.MustCompile(`^ppt/slides/slide\d+\.xml$`)},
	{"xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", regexp.MustCompile(`^xl/sharedStrings\.xml$`)},
}

// office checks a zip: it must be a well-formed Word, PowerPoint or Excel
// file that unpacks to a sane size, and its text is read from its XML.
func office(st *blob.Staged) (sniffed, error) {
	zr, err := zip.NewReader(st, st.Size)
	if err != nil {
		return sniffed{}, fileError("resources.file.malformed", nil)
	}
	if len(zr.File) > maxZipEntries {
		return sniffed{}, fileError("resources.file.bomb", nil)
	}
	names := map[string]*zip.File{}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxZipTotal {
			return sniffed{}, fileError("resources.file.bomb", nil)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxZipRatio*max(f.CompressedSize64, 1) {
			return sniffed{}, fileError("resources.file.bomb", nil)
		}
		names[f.Name] = f
	}
	for _, k := range officeKinds {
		main := names[k.main]
		if main == nil {
			continue
		}
		if names["[Content_Types].xml"] == nil {
			return sniffed{}, fileError("resources.file.malformed", nil)
		}
		// The main part must parse as XML; a truncated or corrupt file fails here.
		if err := readXML(main, io.Discard); err != nil {
			return sniffed{}, zipError(err)
		}
		var text strings.Builder
		for _, f := range zr.File {
			if text.Len() >= maxTextBytes || !k.text.MatchString(f.Name) {
				continue
			}
			if err := readXML(f, &text); err != nil {
				return sniffed{}, zipError(err)
			}
			text.WriteByte('\n')
		}
		return sniffed{mediaType: k.mediaType, class: classDocument, ext: k.ext, text: clip(text.String())}, nil
	}
	return sniffed{}, fileError("resources.file.type", nil)
}

func zipError(err error) error {
	if errors.Is(err, errBomb) {
		return fileError("resources.file.bomb", nil)
	}
	return fileError("resources.file.malformed", nil)
}

// readXML writes the character data of one zip entry to w, reading no more
// than the entry declares (a lying header is a bomb too).
func readXML(f *zip.File, w io.Writer) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: int64(f.UncompressedSize64) + 1}
	d := xml.NewDecoder(lr)
	written := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if cd, ok := tok.(xml.CharData); ok && written < maxTextBytes {
			t := bytes.TrimSpace(cd)
			if len(t) > 0 {
				n, _ := w.Write(t)
				_, _ = w.Write([]byte{' '})
				written += n + 1
			}
		}
	}
	if lr.N <= 0 {
		return errBomb
	}
	return nil
}

// xmlText is the character data of an HTML or XML text (best effort).
func xmlText(r io.Reader) string {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var b strings.Builder
	for b.Len() < maxTextBytes {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(bytes.TrimSpace(cd))
			b.WriteByte(' ')
		}
	}
	return clip(b.String())
}

// pdfText runs pdftotext (poppler-utils) over the first pages when it is
// installed; without it a PDF is stored and found by its metadata only.
func pdfText(ctx context.Context, st *blob.Staged) string {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-l", "30", "-enc", "UTF-8", "-q", st.Path(), "-")
	var out bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: maxTextBytes}
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		return ""
	}
	return clip(out.String())
}

type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	_, err := l.w.Write(q)
	return len(p), err
}

// clip bounds extracted text and keeps it valid UTF-8.
func clip(s string) string {
	if len(s) > maxTextBytes {
		s = s[:maxTextBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.Join(strings.Fields(s), " ")
}
