package analysis

import (
	"bufio"
	"io"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// The report's JSON is written by a small reflection encoder rather than
// encoding/json because figures without a value are NaN, which
// encoding/json refuses; here they print as null, and every other float is
// rounded to four decimals so a report of a million students stays readable.

// fieldPlan is how one struct field is written.
type fieldPlan struct {
	index []int
	name  string // with quotes and colon
}

var plans sync.Map // reflect.Type → []fieldPlan; a cache like encoding/json's

func planOf(t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldPlan)
	}
	var out []fieldPlan
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("json"); tag != "" {
			tag, _, _ = strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		out = append(out, fieldPlan{index: f.Index, name: strconv.Quote(name) + ":"})
	}
	plans.Store(t, out)
	return out
}

// appendValue writes v as JSON.
func appendValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return appendString(b, v.String())
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, v.Float())
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "[]"...)
		}
		fallthrough
	case reflect.Array:
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, v.Index(i))
		}
		return append(b, ']')
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return appendValue(b, v.Elem())
	case reflect.Struct:
		b = append(b, '{')
		for i, f := range planOf(v.Type()) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, f.name...)
			b = appendValue(b, v.FieldByIndex(f.index))
		}
		return append(b, '}')
	case reflect.Map:
		// Only string-keyed maps appear (none in the report types today).
		b = append(b, '{')
		for i, k := range v.MapKeys() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k.String())
			b = append(b, ':')
			b = appendValue(b, v.MapIndex(k))
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

// appendFloat writes NaN and infinities as null, others rounded to four
// decimals.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	r := math.Round(f * 1e4)
	if math.Abs(r) < 1e15 { // 15 digits: the decimal round-trips exactly
		// Fixed point in ten-thousandths: the digits of r with the point
		// put back, trailing zeros dropped — what the shortest form of
		// r/1e4 prints, without the float-to-decimal search.
		n := int64(r)
		if n == 0 {
			return append(b, '0')
		}
		if n < 0 {
			b = append(b, '-')
			n = -n
		}
		b = strconv.AppendInt(b, n/10000, 10)
		if frac := n % 10000; frac != 0 {
			digits := 4
			for frac%10 == 0 {
				frac /= 10
				digits--
			}
			b = append(b, '.')
			var tmp [4]byte
			for i := digits - 1; i >= 0; i-- {
				tmp[i] = byte('0' + frac%10)
				frac /= 10
			}
			b = append(b, tmp[:digits]...)
		}
		return b
	}
	if !math.IsInf(r, 0) {
		f = r / 1e4
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString quotes s for JSON; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case utf8.RuneError:
				b = append(b, `\ufffd`...)
			case '\u2028':
				b = append(b, `\u2028`...)
			default:
				b = append(b, `\u2029`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func marshal(v any) ([]byte, error) { return appendValue(nil, reflect.ValueOf(v)), nil }

// MarshalJSON writes NaN figures as null.
func (s Stat) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s SubjectInfo) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s CriticalLine) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s TierLine) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s Band) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s BandRow) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s Balance) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s PaperStats) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s ItemStat) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s VASubject) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s VAUnit) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes NaN figures as null.
func (s GapSeries) MarshalJSON() ([]byte, error) { return marshal(s) }

// MarshalJSON writes the report without the student rows (see WriteJSON).
func (r *Report) MarshalJSON() ([]byte, error) { return marshal(*r) }

// Extra is a further top-level section for WriteJSON (value added, the
// gap trend); Value is written with the report's encoder.
type Extra struct {
	Key   string
	Value any
}

// WriteJSON streams the report as one JSON object: exam, settings,
// subjects, tier_lines, groups, stats, balance, papers, warnings,
// distributions and bands, then the extras, then (with students) one row
// per student with scores, ranks, Z and T.
func (r *Report) WriteJSON(w io.Writer, students bool, extras ...Extra) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := make([]byte, 0, 4096)
	buf = append(buf, '{')
	v := reflect.ValueOf(*r)
	for i, f := range planOf(v.Type()) {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, f.name...)
		fv := v.FieldByIndex(f.index)
		if fv.Kind() != reflect.Slice {
			buf = appendValue(buf, fv)
			continue
		}
		// Big arrays go out in chunks encoded on every core.
		buf = append(buf, '[')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		err := writeOrdered(bw, fv.Len(), func(b []byte, j int) []byte {
			if j > 0 {
				b = append(b, ',')
			}
			return appendValue(b, fv.Index(j))
		})
		if err != nil {
			return err
		}
		buf = append(buf, ']')
	}
	for _, x := range extras {
		buf = append(buf, ',')
		buf = appendString(buf, x.Key)
		buf = append(buf, ':')
		buf = appendValue(buf, reflect.ValueOf(x.Value))
	}
	if students {
		buf = append(buf, `,"students":[`...)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		err := writeOrdered(bw, r.data.Len(), func(b []byte, i int) []byte {
			if i > 0 {
				b = append(b, ',')
			}
			return r.appendStudent(b, i)
		})
		if err != nil {
			return err
		}
		buf = append(buf, ']')
	}
	buf = append(buf, '}', '\n')
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// chunkRows is how many array elements one encoding task writes.
const chunkRows = 1024

// writeOrdered writes the encodings of elements 0..n-1 to w in order,
// encoding chunks of them on every core. A worker takes a free buffer
// before it takes the next chunk, so the chunk the writer waits for is
// always held by someone, and at most two chunks per core are in memory.
func writeOrdered(w io.Writer, n int, enc func(b []byte, i int) []byte) error {
	chunks := (n + chunkRows - 1) / chunkRows
	encode := func(b []byte, c int) []byte {
		for i := c * chunkRows; i < min(n, (c+1)*chunkRows); i++ {
			b = enc(b, i)
		}
		return b
	}
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		var b []byte
		for c := range chunks {
			b = encode(b[:0], c)
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	ready := make([]chan []byte, chunks)
	for c := range ready {
		ready[c] = make(chan []byte, 1)
	}
	free := make(chan []byte, 2*workers)
	for range cap(free) {
		free <- make([]byte, 0, 1<<20)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				b := <-free
				c := int(next.Add(1)) - 1
				if c >= chunks {
					free <- b
					return
				}
				ready[c] <- encode(b[:0], c)
			}
		})
	}
	var err error
	for c := range chunks {
		b := <-ready[c]
		if err == nil {
			_, err = w.Write(b)
		}
		free <- b
	}
	wg.Wait()
	return err
}

// StatusText names a score code: 缺考, 作弊/违纪, or "" for a score or blank.
func StatusText(v int32) string {
	switch v {
	case Absent:
		return "缺考"
	case Void:
		return "作弊/违纪"
	}
	return ""
}

// appendStudent writes one student row.
func (r *Report) appendStudent(b []byte, i int) []byte {
	d := r.data
	c := d.Classes[d.Class[i]]
	school := d.Schools[c.School]
	b = append(b, `{"id":`...)
	b = appendString(b, d.ID[i])
	b = append(b, `,"name":`...)
	b = appendString(b, d.Name[i])
	b = append(b, `,"group":`...)
	if school.Group >= 0 {
		b = appendString(b, d.Groups[school.Group])
	} else {
		b = append(b, `""`...)
	}
	b = append(b, `,"school":`...)
	b = appendString(b, school.Name)
	b = append(b, `,"class":`...)
	b = appendString(b, c.Name)
	b = append(b, `,"subjects":[`...)
	for s := range r.Subjects {
		if s > 0 {
			b = append(b, ',')
		}
		v := r.Score(s, i)
		b = append(b, `{"subject":`...)
		b = appendString(b, r.Subjects[s].Name)
		b = append(b, `,"score":`...)
		if c := r.Counted(s, i); c >= 0 {
			b = appendFloat(b, float64(c)/2)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"status":`...)
		if s == len(r.Subjects)-1 && v == Absent {
			b = append(b, `"缺科"`...)
		} else {
			b = appendString(b, StatusText(v))
		}
		for _, rk := range [3]struct {
			key string
			v   int
		}{{`,"class_rank":`, r.ClassRank(s, i)}, {`,"school_rank":`, r.SchoolRank(s, i)}, {`,"exam_rank":`, r.ExamRank(s, i)}} {
			b = append(b, rk.key...)
			if rk.v > 0 {
				b = strconv.AppendInt(b, int64(rk.v), 10)
			} else {
				b = append(b, "null"...)
			}
		}
		z := r.Z(s, i)
		b = append(b, `,"z":`...)
		b = appendFloat(b, z)
		b = append(b, `,"t":`...)
		b = appendFloat(b, r.Settings.TMean+r.Settings.TSD*z)
		b = append(b, '}')
	}
	return append(b, ']', '}')
}
