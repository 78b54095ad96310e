package web

import (
	"context"
	"io"
	"net/http"

	"edugroup/internal/auth"
	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

// The helpers below are the shape most capability handlers share: read the
// path id and the JSON body, call a use case with the acting user, answer
// JSON. A handler that needs more (query filters, files) is written out.

// Actor is the user acting in this request (the zero Actor on public routes).
func Actor(r *http.Request) auth.Actor {
	a, _ := auth.FromContext(r.Context())
	return a
}

// Localizer is an answer that holds message keys (rule checks, warnings)
// and puts them into the caller's language before it is sent.
type Localizer interface {
	Localize(l i18n.Lang)
}

// Respond is the one way a handler answers with a body: it localizes out
// when out is a Localizer and writes it as JSON, so no handler can send a
// type's message keys unworded.
func Respond(w http.ResponseWriter, r *http.Request, status int, out any) error {
	if l, ok := out.(Localizer); ok {
		l.Localize(Language(r))
	}
	return writeJSON(w, status, out)
}

// Call answers fn(actor) with 200.
func Call[Out any](fn func(ctx context.Context, a auth.Actor) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		out, err := fn(r.Context(), Actor(r))
		if err != nil {
			return err
		}
		return Respond(w, r, http.StatusOK, out)
	}
}

// ByID answers fn(actor, {id}) with 200.
func ByID[Out any](fn func(ctx context.Context, a auth.Actor, id int64) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		out, err := fn(r.Context(), Actor(r), id)
		if err != nil {
			return err
		}
		return Respond(w, r, http.StatusOK, out)
	}
}

// ByIDBody decodes the body into In and answers fn(actor, {id}, in) with 200.
func ByIDBody[In, Out any](fn func(ctx context.Context, a auth.Actor, id int64, in In) (Out, error)) HandlerFunc {
	return ByIDBodyStatus(http.StatusOK, fn)
}

// ByIDBodyStatus is ByIDBody answering with status (201 for what it creates).
func ByIDBodyStatus[In, Out any](status int, fn func(ctx context.Context, a auth.Actor, id int64, in In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := Decode(r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), Actor(r), id, in)
		if err != nil {
			return err
		}
		return Respond(w, r, status, out)
	}
}

// ByIDs answers fn(actor, {id}, {second}) with 200, for a thing inside
// another (a campus of a school, a grant of a user).
func ByIDs[Out any](second string, fn func(ctx context.Context, a auth.Actor, id, sub int64) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, sub, err := pathIDs(r, second)
		if err != nil {
			return err
		}
		out, err := fn(r.Context(), Actor(r), id, sub)
		if err != nil {
			return err
		}
		return Respond(w, r, http.StatusOK, out)
	}
}

// ByIDsBody decodes the body into In and answers fn(actor, {id}, {second},
// in) with status.
func ByIDsBody[In, Out any](second string, status int, fn func(ctx context.Context, a auth.Actor, id, sub int64, in In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, sub, err := pathIDs(r, second)
		if err != nil {
			return err
		}
		var in In
		if err := Decode(r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), Actor(r), id, sub, in)
		if err != nil {
			return err
		}
		return Respond(w, r, status, out)
	}
}

// pathIDs reads {id} and then {second}.
func pathIDs(r *http.Request, second string) (id, sub int64, err error) {
	if id, err = PathID(r, "id"); err != nil {
		return 0, 0, err
	}
	if sub, err = PathID(r, second); err != nil {
		return 0, 0, err
	}
	return id, sub, nil
}

// Body decodes the body into In and answers fn(actor, in) with status.
func Body[In, Out any](status int, fn func(ctx context.Context, a auth.Actor, in In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := Decode(r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), Actor(r), in)
		if err != nil {
			return err
		}
		return Respond(w, r, status, out)
	}
}

// Attachment is a writer for a file download: the first byte written sets
// the Content-Type and an attachment Content-Disposition naming the file, so
// a service that fails before writing (out of scope, an audit insert that
// failed) still answers with an ordinary error.
func Attachment(w http.ResponseWriter, contentType, filename string) io.Writer {
	return &attachment{w: w, contentType: contentType, filename: filename}
}

type attachment struct {
	w                     http.ResponseWriter
	contentType, filename string
	started               bool
}

func (a *attachment) Write(p []byte) (int, error) {
	if !a.started {
		a.started = true
		a.w.Header().Set("Content-Type", a.contentType)
		a.w.Header().Set("Content-Disposition", xlsx.AttachmentHeader(a.filename))
	}
	return a.w.Write(p)
}
