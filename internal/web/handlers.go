package web

import (
	"context"
	"net/http"

	"edugroup/internal/auth"
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
// and puts them into the request's language before it is sent.
type Localizer interface {
	Localize(r *http.Request)
}

// Respond localizes out when it can and writes it as JSON.
func Respond(w http.ResponseWriter, r *http.Request, status int, out any) error {
	if l, ok := out.(Localizer); ok {
		l.Localize(r)
	}
	return JSON(w, status, out)
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
