package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

// Lang is the language the request asked for.
func Lang(r *http.Request) string { return info(r).lang }

// T renders a message key in the request's language, for capabilities that
// put messages into data (warnings, export headers).
func T(r *http.Request, key string, args map[string]any) string {
	ri := info(r)
	if ri.cat == nil {
		return key
	}
	return ri.cat.T(ri.lang, key, args)
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// maxBody bounds JSON request bodies; file uploads have their own limits.
const maxBody = 1 << 20

// Decode reads a JSON body into v. Unknown fields and wrong types are invalid
// input naming the field.
func Decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return errs.FieldError(te.Field, "field.type", errs.Args{"type": te.Type.String()})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errs.FieldError(name, "field.unknown", nil)
		case errors.Is(err, io.EOF):
			return errs.New(errs.Invalid, "error.body_required", nil)
		default:
			return errs.New(errs.Invalid, "error.bad_json", errs.Args{"reason": err.Error()})
		}
	}
	return nil
}

// PathID reads a numeric path parameter; anything else is not found.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundError(name)
	}
	return id, nil
}

// Page reads page and page_size (default 20, at most 200).
func Page(r *http.Request) (page, size int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	size, _ = strconv.Atoi(r.URL.Query().Get("page_size"))
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 20
	}
	if size > 200 {
		size = 200
	}
	return page, size
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
}

// writeError is the one place domain errors become HTTP answers. Anything
// that is not a domain error is logged with the request id and answered 500
// with only that id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ri := info(r)
	e, ok := errs.As(err)
	if !ok {
		s.log.Error("internal error", "request_id", ri.id, "route", ri.route, "err", err)
		_ = JSON(w, http.StatusInternalServerError, errorBody{errorPayload{Code: "internal",
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
	_ = JSON(w, statusOf[e.Code], errorBody{p})
}

func logAttrs(r *http.Request) []any {
	ri := info(r)
	return []any{slog.String("request_id", ri.id), slog.String("method", r.Method), slog.String("path", r.URL.Path)}
}
