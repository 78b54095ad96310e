// Package web is the HTTP side of EduGroup: the router every capability
// registers on, middleware (request ids, security headers, sessions, bearer
// tokens, CSRF, deny-by-default access), error mapping, the OpenAPI document,
// the embedded web client, and the platform's own endpoints.
package web

import (
	"fmt"
	"net/http"

	"edugroup/internal/auth"
)

// AccessKind says who may call a route. There is no default: a route
// registered without one panics at start-up, so nothing is open by accident.
type AccessKind int

// The kinds of access.
const (
	accessUnset AccessKind = iota
	// AccessPublic routes need no login (health checks, the login itself).
	AccessPublic
	// AccessUser routes need any signed-in user; the use case checks the rest.
	AccessUser
	// AccessPerm routes need a permission of the active grant.
	AccessPerm
)

// Access is the policy of one route.
type Access struct {
	Kind AccessKind
	Perm auth.Permission
	// DuringPasswordChange lets a user who must change their password or set
	// up a second factor reach the route (reading the session, changing the
	// password, enrolling TOTP, logging out).
	DuringPasswordChange bool
}

// Public is for routes anyone may call.
func Public() Access { return Access{Kind: AccessPublic} }

// AnyUser is for routes any signed-in user may call.
func AnyUser() Access { return Access{Kind: AccessUser} }

// Perm is for routes that need permission p.
func Perm(p auth.Permission) Access { return Access{Kind: AccessPerm, Perm: p} }

// Doc describes a route for the OpenAPI document.
type Doc struct {
	Summary string
	Tag     string
	// Path describes path parameters that are not numeric ids (those are
	// integers unless named here).
	Path     []Param
	Query    []Param
	Request  any // a value of the request body type, or nil
	Response any // a value of the 2xx body type, or nil for 204
	Status   int // success status; 200 when zero
	// Produces overrides the response media type (file downloads).
	Produces string
	// MaxBody raises the request body limit for uploads (default 1 MiB).
	MaxBody int64
	// Upload names the multipart file field of an upload route.
	Upload string
}

// Param is one query (or path) parameter. Every request's query is checked
// against its route's declared parameters before the handler runs (see
// checkQuery): an undeclared, repeated or malformed parameter answers 422
// naming it.
type Param struct {
	// Type is "string", "integer" or "boolean".
	Name, Type, Description string
	// Format narrows a string: "date" (YYYY-MM-DD) or "date-time" (RFC 3339
	// or YYYY-MM-DD).
	Format string
	// Enum lists the only values a string may take.
	Enum []string
	// Min and Max bound an integer; both zero means the range its name
	// implies (page 1..MaxPage, page_size 1..MaxPageSize, anything else an
	// id: 1 or more).
	Min, Max int64
	// MaxLen bounds a string in characters; zero means MaxQueryLen
	// (MaxSearchLen for q).
	MaxLen int
}

// Date marks a string parameter as a date (YYYY-MM-DD).
func (p Param) Date() Param { p.Format = "date"; return p }

// DateTime marks a string parameter as an RFC 3339 time or a date.
func (p Param) DateTime() Param { p.Format = "date-time"; return p }

// OneOf limits a string parameter to the values given.
func (p Param) OneOf(values ...string) Param { p.Enum = values; return p }

// Range bounds an integer parameter.
func (p Param) Range(lo, hi int64) Param { p.Min, p.Max = lo, hi; return p }

// HandlerFunc handles a request and returns a domain error, or nil once it
// has written the response.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one registered endpoint.
type Route struct {
	Method, Pattern string
	Access          Access
	Doc             Doc
	handler         HandlerFunc
}

// Router collects the routes of the platform and of every capability.
type Router struct {
	routes []*Route
}

// Handle registers a route. Capabilities call it from their Routes method.
func (rt *Router) Handle(method, pattern string, access Access, doc Doc, h HandlerFunc) {
	if access.Kind == accessUnset {
		panic(fmt.Sprintf("route %s %s has no access policy", method, pattern))
	}
	if access.Kind == AccessPerm && access.Perm == "" {
		panic(fmt.Sprintf("route %s %s needs a permission", method, pattern))
	}
	rt.routes = append(rt.routes, &Route{Method: method, Pattern: pattern, Access: access, Doc: doc, handler: h})
}

// Routes lists every registered route, for the OpenAPI document and tests.
func (rt *Router) Routes() []*Route { return rt.routes }

// Module is a capability that adds routes.
type Module interface {
	Routes(rt *Router)
}

// Q describes a query parameter.
func Q(name, typ, description string) Param {
	return Param{Name: name, Type: typ, Description: description}
}
