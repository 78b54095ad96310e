package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/i18n"
)

type reqKey struct{}

// reqInfo is what the middleware learns about a request.
type reqInfo struct {
	cat       *i18n.Catalog
	id        string
	lang      string
	sessionID string
	route     string
}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(reqKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{lang: i18n.Default}
}

func withInfo(ctx context.Context, ri *reqInfo) context.Context {
	return context.WithValue(ctx, reqKey{}, ri)
}

// Language is the catalog in the language the request asked for, which the
// handlers hand to services that word messages (warnings, export headers).
func Language(r *http.Request) i18n.Lang {
	ri := info(r)
	if ri.cat == nil {
		return i18n.Lang{}
	}
	return ri.cat.In(ri.lang)
}

// T renders a message key in the request's language.
func T(r *http.Request, key string, args map[string]any) string {
	return Language(r).T(key, args)
}

// writeJSON writes v with status. Handlers answer through Respond.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// maxBody bounds JSON request bodies; file uploads have their own limits.
const maxBody = 1 << 20

// Decode reads a JSON body into v. The request must say it is JSON
// (application/json, charset utf-8 if any; 415 otherwise). Unknown fields
// and wrong types are invalid input naming the field; a body that is not
// JSON is answered in our words with the byte offset, never the parser's
// text; a string (key or value) with a control character other than tab,
// line feed or carriage return is refused naming its field.
func Decode(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errs.TooLargeError("", maxBody)
		}
		return errs.New(errs.Invalid, "error.body_unreadable", nil)
	}
	if len(data) > maxBody {
		return errs.TooLargeError("", maxBody)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errs.New(errs.Invalid, "error.body_required", nil)
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, len(data))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.New(errs.Invalid, "error.bad_json", errs.Args{"offset": dec.InputOffset()})
	}
	if field, ok := controlField(data); ok {
		return errs.FieldError(field, "field.control", nil)
	}
	return nil
}

// decodeError words a decoding failure as a domain error.
func decodeError(err error, n int) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return errs.FieldError(te.Field, "field.type", errs.Args{"type": te.Type.String()})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.FieldError(clipName(name), "field.unknown", nil)
	case errors.As(err, &se):
		return errs.New(errs.Invalid, "error.bad_json", errs.Args{"offset": se.Offset})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Invalid, "error.bad_json", errs.Args{"offset": n})
	}
	if e, ok := errs.As(err); ok {
		return e
	}
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ie) {
		return err // a programming error: 500
	}
	return errs.New(errs.Invalid, "error.bad_json_value", nil)
}

// requireJSON refuses a body that does not say it is JSON: the media type
// must be application/json, with no parameter but charset=utf-8.
func requireJSON(r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && mt == "application/json" {
		ok := true
		for k, v := range params {
			if k != "charset" || !strings.EqualFold(v, "utf-8") {
				ok = false
			}
		}
		if ok {
			return nil
		}
	}
	return errs.New(errs.UnsupportedMedia, "error.json_content_type", nil)
}

// requireMultipart refuses an upload body that is not multipart/form-data.
func requireMultipart(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && mt == "multipart/form-data" {
		return nil
	}
	return errs.New(errs.UnsupportedMedia, "error.multipart_content_type", nil)
}

// hasBody reports whether a request carries a body (a length over zero, or
// unknown as with chunked encoding).
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// controlField finds the first JSON string (object key or value) of a valid
// document that holds a control character (see HasControl) and returns its
// field path, e.g. "items[2].name".
func controlField(data []byte) (string, bool) {
	type frame struct {
		obj     bool
		wantKey bool
		key     string
		idx     int
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.idx) + "]")
			}
		}
		return clipName(b.String())
	}
	afterValue := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				if HasControl(k) {
					stack[n-1].key = k
					return path(), true
				}
				stack[n-1].key, stack[n-1].wantKey = k, false
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			if HasControl(t) {
				return path(), true
			}
			afterValue()
		default:
			afterValue()
		}
	}
}

// PathID reads a numeric path parameter; anything else is not found.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundError(name)
	}
	return id, nil
}

// List is the shape of every paged list.
type List[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
}

type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code      string        `json:"code"`
	Message   string        `json:"message"`
	Details   []errorDetail `json:"details,omitempty"`
	RequestID string        `json:"request_id,omitempty"`
}

type errorDetail struct {
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

var statusOf = map[errs.Code]int{
	errs.Invalid:                http.StatusUnprocessableEntity,
	errs.Rule:                   http.StatusUnprocessableEntity,
	errs.NotFound:               http.StatusNotFound,
	errs.Conflict:               http.StatusConflict,
	errs.Forbidden:              http.StatusForbidden,
	errs.Unauthenticated:        http.StatusUnauthorized,
	errs.PasswordChangeRequired: http.StatusForbidden,
	errs.OTPRequired:            http.StatusUnauthorized,
	errs.TOTPEnrollment:         http.StatusForbidden,
	errs.Busy:                   http.StatusServiceUnavailable,
	errs.TooMany:                http.StatusTooManyRequests,
	errs.UnsupportedMedia:       http.StatusUnsupportedMediaType,
	errs.TooLarge:               http.StatusRequestEntityTooLarge,
}

// writeError is the one place domain errors become HTTP answers. Anything
// that is not a domain error is logged with the request id and answered 500
// with only that id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ri := info(r)
	e, ok := errs.As(err)
	if !ok {
		s.log.Error("internal error", "request_id", ri.id, "route", ri.route, "err", err)
		_ = writeJSON(w, http.StatusInternalServerError, errorBody{errorPayload{Code: "internal",
			Message: s.cat.T(ri.lang, "error.internal", map[string]any{"request_id": ri.id}), RequestID: ri.id}})
		return
	}
	p := errorPayload{Code: string(e.Code), Message: s.cat.T(ri.lang, e.Key, e.Args), RequestID: ri.id}
	for _, d := range e.Details {
		p.Details = append(p.Details, errorDetail{Field: d.Field, Rule: d.Rule, Message: s.cat.T(ri.lang, d.Key, d.Args)})
	}
	if e.Code == errs.TooMany {
		if secs, ok := e.Args["retry_after"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	}
	if e.Code == errs.Busy {
		w.Header().Set("Retry-After", "2")
	}
	if e.Code == errs.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="edugroup"`)
	}
	_ = writeJSON(w, statusOf[e.Code], errorBody{p})
}

func logAttrs(r *http.Request) []any {
	ri := info(r)
	return []any{slog.String("request_id", ri.id), slog.String("method", r.Method), slog.String("path", r.URL.Path)}
}
