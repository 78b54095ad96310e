package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Bounds of query parameters. A route's handler only ever sees values
// inside them: checkQuery refuses the request first.
const (
	// MaxPage is the highest page number a list accepts.
	MaxPage = 1_000_000
	// MaxPageSize is the most rows one page holds.
	MaxPageSize = 200
	// DefaultPageSize is the page size when none is asked for.
	DefaultPageSize = 20
	// MaxQueryLen is the most characters of a string parameter.
	MaxQueryLen = 200
	// MaxSearchLen is the most characters of a search term (q): it becomes
	// a LIKE pattern, whose cost grows with its length.
	MaxSearchLen = 100
	// maxNameLen clips an undeclared parameter's name when it is echoed.
	maxNameLen = 64
)

// checkQuery checks a request's query against the parameters its route
// declares: every name must be declared and appear once, every value must be
// valid UTF-8 with no control characters, within its length, and of its
// type (integers in range, booleans true or false, dates, enumerations). An
// empty value counts as absent. The first problem answers 422 naming the
// parameter.
func checkQuery(raw string, declared []Param) error {
	if raw == "" {
		return nil
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return errs.FieldError(clipName(k), "field.query_encoding", nil)
		}
		p, ok := findParam(declared, name)
		if !ok || strings.Contains(k, ";") {
			return errs.FieldError(clipName(name), "field.query_unknown", nil)
		}
		if seen[name] {
			return errs.FieldError(name, "field.query_repeated", nil)
		}
		seen[name] = true
		value, err := url.QueryUnescape(v)
		if err != nil {
			return errs.FieldError(name, "field.query_encoding", nil)
		}
		if err := checkValue(p, value); err != nil {
			return err
		}
	}
	return nil
}

func findParam(ps []Param, name string) (Param, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

func clipName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxNameLen {
		return s
	}
	return string([]rune(s)[:maxNameLen]) + "…"
}

// checkValue checks one value against its declaration.
func checkValue(p Param, v string) error {
	if v == "" {
		return nil
	}
	if !utf8.ValidString(v) {
		return errs.FieldError(p.Name, "field.utf8", nil)
	}
	if HasControl(v) {
		return errs.FieldError(p.Name, "field.control", nil)
	}
	switch p.Type {
	case "integer":
		lo, hi := intRange(p)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			if hi == math.MaxInt64 {
				return errs.FieldError(p.Name, "field.int_min", errs.Args{"min": lo})
			}
			return errs.FieldError(p.Name, "field.int_range", errs.Args{"min": lo, "max": hi})
		}
	case "boolean":
		if v != "true" && v != "false" {
			return errs.FieldError(p.Name, "field.boolean", nil)
		}
	default:
		if n := maxLen(p); utf8.RuneCountInString(v) > n {
			return errs.FieldError(p.Name, "field.max", errs.Args{"max": n})
		}
		switch p.Format {
		case "date":
			if _, err := store.ParseDate(v); err != nil {
				return errs.FieldError(p.Name, "field.date", nil)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				if _, err := time.Parse(time.DateOnly, v); err != nil {
					return errs.FieldError(p.Name, "field.datetime", nil)
				}
			}
		}
		if len(p.Enum) > 0 && !oneOf(v, p.Enum) {
			return errs.FieldError(p.Name, "field.one_of", errs.Args{"values": strings.Join(p.Enum, ", ")})
		}
	}
	return nil
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// intRange is the range an integer parameter accepts.
func intRange(p Param) (lo, hi int64) {
	if p.Min != 0 || p.Max != 0 {
		return p.Min, p.Max
	}
	switch p.Name {
	case "page":
		return 1, MaxPage
	case "page_size":
		return 1, MaxPageSize
	}
	return 1, math.MaxInt64 // an id
}

func maxLen(p Param) int {
	switch {
	case p.MaxLen > 0:
		return p.MaxLen
	case p.Name == "q":
		return MaxSearchLen
	}
	return MaxQueryLen
}

// HasControl reports whether s holds a control character other than tab,
// line feed and carriage return: U+0000–U+001F and U+007F. Query values and
// JSON string fields with one are refused.
func HasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return true
		}
	}
	return false
}

// Page reads page and page_size (default DefaultPageSize). checkQuery has
// already refused values out of range; Page clamps anyway, so a caller that
// multiplies them never overflows.
func Page(r *http.Request) (page, size int) {
	q := r.URL.Query()
	page, _ = strconv.Atoi(q.Get("page"))
	size, _ = strconv.Atoi(q.Get("page_size"))
	page = min(max(page, 1), MaxPage)
	if size < 1 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	return page, size
}

// Window is the slice [from, to) of a list of total items that page (from
// 1) of size rows shows (see store.Window).
func Window(page, size, total int) (from, to int) { return store.Window(page, size, total) }
