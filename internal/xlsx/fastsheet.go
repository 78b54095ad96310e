package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// fastSheet walks a worksheet like sheetReader, with the same rules (rows
// and cells go forward, formulas are flagged, phonetic runs are skipped),
// but tokenizes the bytes itself: encoding/xml spends about 250 ns a token
// allocating names, attributes and text, which is 1.8 s for a 100,000-row
// exam sheet. Anything outside what a worksheet uses (a DOCTYPE) stops it
// with errUnsupported before any row, and Scan falls back to sheetReader.
type fastSheet struct {
	r       io.Reader
	buf     []byte
	pos     int
	eof     bool
	inData  bool
	done    bool
	lastRow int
	cells   []rawCell
	v, is   []byte
	attrBuf []byte
}

var errUnsupported = errors.New("xlsx: construct not handled by the fast reader")

// maxToken bounds one tag or text run held at once.
const maxToken = 32 << 20

func newFastSheet(r io.Reader) *fastSheet {
	return &fastSheet{r: r, buf: make([]byte, 0, 256<<10)}
}

// fill reads more input, keeping buf[pos:]; false at the end of input.
func (s *fastSheet) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf = s.buf[:n]
		s.pos = 0
	}
	if len(s.buf) == cap(s.buf) {
		if cap(s.buf) >= maxToken {
			return false, malformed("token longer than %d bytes", maxToken)
		}
		nb := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err == io.EOF {
		s.eof = true
		err = nil
	}
	if err != nil {
		return false, fileErr("worksheet", err)
	}
	return n > 0 || !s.eof, nil
}

type tokKind int

const (
	tokStart tokKind = iota
	tokEnd
	tokText
	tokEOF
)

type token struct {
	kind      tokKind
	name      []byte // local name
	attrs     []byte // raw attribute text of a start tag
	selfClose bool
	text      []byte // raw text (entities not yet decoded)
	cdata     bool
}

// next returns the next token; its slices point into buf and are valid
// until the following call.
func (s *fastSheet) token() (token, error) {
	for {
		rest := s.buf[s.pos:]
		if len(rest) == 0 {
			more, err := s.fill()
			if err != nil {
				return token{}, err
			}
			if !more {
				return token{kind: tokEOF}, nil
			}
			continue
		}
		if rest[0] != '<' {
			i := bytes.IndexByte(rest, '<')
			if i < 0 {
				if !s.eof {
					if _, err := s.fill(); err != nil {
						return token{}, err
					}
					continue
				}
				i = len(rest)
			}
			s.pos += i
			return token{kind: tokText, text: rest[:i]}, nil
		}
		end, ok, err := s.tagEnd(rest)
		if err != nil {
			return token{}, err
		}
		if !ok {
			more, err := s.fill()
			if err != nil {
				return token{}, err
			}
			if !more {
				return token{}, malformed("unexpected end")
			}
			continue
		}
		tag := rest[:end]
		s.pos += end
		switch tag[1] {
		case '/':
			name := trimSpaceRight(tag[2 : len(tag)-1])
			if len(name) == 0 {
				return token{}, malformed("empty end tag")
			}
			if !validName(name) {
				return token{}, malformed("name %q", name)
			}
			return token{kind: tokEnd, name: localName(name)}, nil
		case '?':
			continue
		case '!':
			switch {
			case bytes.HasPrefix(tag, []byte("<!--")):
				continue
			case bytes.HasPrefix(tag, []byte("<![CDATA[")):
				return token{kind: tokText, text: tag[9 : len(tag)-3], cdata: true}, nil
			}
			return token{}, errUnsupported
		}
		body := tag[1 : len(tag)-1]
		t := token{kind: tokStart}
		if len(body) > 0 && body[len(body)-1] == '/' {
			t.selfClose = true
			body = body[:len(body)-1]
		}
		i := 0
		for i < len(body) && !isSpace(body[i]) {
			i++
		}
		if i == 0 {
			return token{}, malformed("tag without a name")
		}
		if !validName(body[:i]) {
			return token{}, malformed("name %q", body[:i])
		}
		t.name, t.attrs = localName(body[:i]), body[i:]
		return t, nil
	}
}

func trimSpaceRight(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// tagEnd finds the end of the markup starting at rest[0] == '<': past the
// '>' that closes it (outside quotes), "-->", "?>" or "]]>".
func (s *fastSheet) tagEnd(rest []byte) (int, bool, error) {
	var open, close string
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		open, close = "<!--", "-->"
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		open, close = "<![CDATA[", "]]>"
	case bytes.HasPrefix(rest, []byte("<?")):
		open, close = "<?", "?>"
	case len(rest) < 9 && !s.eof && (bytes.HasPrefix([]byte("<![CDATA["), rest) || bytes.HasPrefix([]byte("<!--"), rest)):
		return 0, false, nil // too short to tell yet
	case len(rest) > 1 && rest[1] == '!':
		return 0, false, errUnsupported // a DOCTYPE or other declaration
	}
	if close != "" {
		i := bytes.Index(rest[len(open):], []byte(close))
		if i < 0 {
			return 0, false, nil
		}
		return len(open) + i + len(close), true, nil
	}
	var quote byte
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, true, nil
		case c == '<':
			return 0, false, malformed("'<' inside a tag")
		}
	}
	return 0, false, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// localName is the local part of a qualified name, split the way
// encoding/xml splits it: at the one colon, when both sides are non-empty.
func localName(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i > 0 && i < len(b)-1 && bytes.IndexByte(b[i+1:], ':') < 0 {
		return b[i+1:]
	}
	return b
}

// validName rejects the names encoding/xml refuses: more than one colon.
func validName(b []byte) bool { return bytes.Count(b, []byte(":")) <= 1 }

// nextAttr splits the first attribute off raw: its qualified name and its
// value, still with entities (see attrValue). ok is false at the end.
func nextAttr(raw []byte) (name, value, rest []byte, ok bool, err error) {
	for len(raw) > 0 && isSpace(raw[0]) {
		raw = raw[1:]
	}
	if len(raw) == 0 {
		return nil, nil, nil, false, nil
	}
	eq := bytes.IndexByte(raw, '=')
	if eq <= 0 {
		return nil, nil, nil, false, malformed("attribute without value")
	}
	name = trimSpaceRight(raw[:eq])
	raw = raw[eq+1:]
	for len(raw) > 0 && isSpace(raw[0]) {
		raw = raw[1:]
	}
	if len(raw) == 0 || raw[0] != '"' && raw[0] != '\'' {
		return nil, nil, nil, false, malformed("unquoted attribute")
	}
	end := bytes.IndexByte(raw[1:], raw[0])
	if end < 0 {
		return nil, nil, nil, false, malformed("unterminated attribute")
	}
	if !validName(name) {
		return nil, nil, nil, false, malformed("name %q", name)
	}
	return name, raw[1 : 1+end], raw[end+2:], true, nil
}

// attrValue decodes an attribute value the way encoding/xml does:
// entities replaced, white space characters turned into spaces.
func (s *fastSheet) attrValue(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 && !bytes.ContainsAny(raw, "\t\r\n") {
		return raw, nil
	}
	var err error
	if s.attrBuf, err = decodeText(s.attrBuf[:0], raw, false); err != nil {
		return nil, err
	}
	for i, c := range s.attrBuf {
		if c == '\t' || c == '\n' || c == '\r' {
			s.attrBuf[i] = ' '
		}
	}
	return s.attrBuf, nil
}

// cellType returns the t attribute as a string without allocating for the
// values Excel writes.
func cellType(v []byte) string {
	for _, t := range [...]string{"s", "n", "str", "inlineStr", "b", "e", "d"} {
		if string(v) == t {
			return t
		}
	}
	return string(v)
}

// decodeText appends raw XML text with its entities replaced and line ends
// normalized, as encoding/xml does; it refuses what XML forbids.
func decodeText(dst, raw []byte, cdata bool) ([]byte, error) {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&' && !cdata:
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 {
				return nil, malformed("unterminated entity")
			}
			ent := raw[i+1 : i+end]
			i += end + 1
			switch string(ent) {
			case "lt":
				dst = append(dst, '<')
			case "gt":
				dst = append(dst, '>')
			case "amp":
				dst = append(dst, '&')
			case "quot":
				dst = append(dst, '"')
			case "apos":
				dst = append(dst, '\'')
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return nil, malformed("entity %q", ent)
				}
				var n uint64
				var err error
				if ent[1] == 'x' {
					n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
				} else {
					n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
				}
				if err != nil || !xmlChar(rune(n)) {
					return nil, malformed("character reference %q", ent)
				}
				dst = utf8.AppendRune(dst, rune(n))
			}
		case c == '\r':
			dst = append(dst, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c < 0x20 && c != '\t' && c != '\n':
			return nil, malformed("illegal character %#x", c)
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 || !xmlChar(r) {
				return nil, malformed("invalid UTF-8")
			}
			dst = append(dst, raw[i:i+size]...)
			i += size
		}
	}
	return dst, nil
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// next is sheetReader.next over the fast tokens.
func (s *fastSheet) next() (int, []rawCell, error) {
	if s.done {
		return 0, nil, io.EOF
	}
	s.cells = s.cells[:0]
	var (
		inRow, inCell bool
		line, lastCol int
		cur           rawCell
		collect       *[]byte
		inIS, rph     int
	)
	for {
		t, err := s.token()
		if err != nil {
			return 0, nil, err
		}
		switch t.kind {
		case tokEOF:
			if inRow {
				return 0, nil, malformed("unexpected end")
			}
			s.done = true
			return 0, nil, io.EOF
		case tokStart:
			name := t.name
			switch {
			case !s.inData:
				s.inData = string(name) == "sheetData" && !t.selfClose
				if string(name) == "sheetData" && t.selfClose {
					s.done = true
					return 0, nil, io.EOF
				}
			case !inRow:
				if string(name) != "row" {
					continue
				}
				line = s.lastRow + 1
				for raw := t.attrs; ; {
					n, v, rest, ok, err := nextAttr(raw)
					if err != nil {
						return 0, nil, err
					}
					if !ok {
						break
					}
					raw = rest
					if string(n) == "r" { // sheetReader's attr: no namespace
						if v, err = s.attrValue(v); err != nil {
							return 0, nil, err
						}
						x, err := strconv.Atoi(string(v))
						if err != nil {
							return 0, nil, malformed("row number %q", v)
						}
						line = x
					}
				}
				if line <= s.lastRow || line < 1 || line > excelMaxRows {
					return 0, nil, malformed("row %d after row %d", line, s.lastRow)
				}
				s.lastRow = line
				if t.selfClose {
					return line, s.cells, nil
				}
				inRow = true
			case !inCell:
				if string(name) != "c" {
					if string(name) == "row" {
						return 0, nil, malformed("row inside row %d", line)
					}
					continue
				}
				cur = rawCell{col: lastCol + 1}
				for raw := t.attrs; ; {
					n, v, rest, ok, err := nextAttr(raw)
					if err != nil {
						return 0, nil, err
					}
					if !ok {
						break
					}
					raw = rest
					switch string(localName(n)) {
					case "r":
						if v, err = s.attrValue(v); err != nil {
							return 0, nil, err
						}
						col, ok := colOf(string(v))
						if !ok {
							return 0, nil, malformed("cell reference %q", v)
						}
						cur.col = col
					case "t":
						if v, err = s.attrValue(v); err != nil {
							return 0, nil, err
						}
						cur.typ = cellType(v)
					}
				}
				if cur.col <= lastCol || cur.col > excelMaxCols {
					return 0, nil, malformed("row %d: column %d after %d", line, cur.col, lastCol)
				}
				lastCol = cur.col
				if t.selfClose {
					continue // an empty (styled) cell
				}
				inCell = true
				s.v, s.is = s.v[:0], s.is[:0]
			default:
				switch string(name) {
				case "c", "row":
					return 0, nil, malformed("%s inside a cell in row %d", string(name), line)
				case "f":
					cur.formula = true
				case "v":
					if inIS == 0 && !t.selfClose {
						collect = &s.v
					}
				case "is":
					if !t.selfClose {
						inIS++
					}
					cur.hasIS = true
				case "rPh":
					if !t.selfClose {
						rph++
					}
				case "t":
					if inIS > 0 && rph == 0 && !t.selfClose {
						collect = &s.is
					}
				}
			}
		case tokEnd:
			name := t.name
			switch {
			case !s.inData:
			case !inRow:
				if string(name) == "sheetData" {
					s.done = true
					return 0, nil, io.EOF
				}
			case !inCell:
				if string(name) == "row" {
					return line, s.cells, nil
				}
			default:
				switch string(name) {
				case "c":
					inCell, collect, inIS, rph = false, nil, 0, 0
					if cur.formula || len(s.v) > 0 || len(s.is) > 0 {
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
		case tokText:
			if collect != nil {
				if *collect, err = decodeText(*collect, t.text, t.cdata); err != nil {
					return 0, nil, err
				}
			} else if _, err := decodeText(s.attrBuf[:0], t.text, t.cdata); err != nil {
				// Text outside values is still checked, as encoding/xml does.
				return 0, nil, err
			}
		}
	}
}
