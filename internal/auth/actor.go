package auth

import (
	"context"

	"edugroup/internal/audit"
)

// Grant is one role a user holds, with its scope.
type Grant struct {
	ID        int64     `json:"id"`
	Role      Role      `json:"role"`
	ScopeType ScopeType `json:"scope_type"`
	ScopeID   int64     `json:"scope_id"`
	ScopeName string    `json:"scope_name"`
}

// Actor is who is acting, carried through every use case. For a browser
// session it holds the one grant the user has switched to; for an API token,
// every grant of the token's user.
type Actor struct {
	UserID             int64
	Username           string
	DisplayName        string
	StaffID            int64 // the user's own staff record, for the teacher's "self" scope
	Grants             []Grant
	IP                 string
	RequestID          string
	MustChangePassword bool
	// MustEnrollTOTP: the user holds a role that needs a second factor and
	// has not set one up; like a pending password change, it closes every
	// route but the session's own.
	MustEnrollTOTP bool
	// System marks the CLI and start-up tasks, which act outside any session.
	System bool
}

// SystemActor acts for the command line and start-up tasks.
func SystemActor(name string) Actor {
	return Actor{Username: name, System: true}
}

// Has reports whether this grant's role carries p.
func (g Grant) Has(p Permission) bool {
	info, ok := Info(g.Role)
	if !ok {
		return false
	}
	for _, q := range info.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// GrantsWith lists the actor's grants that carry p; the data layer reads
// their scopes to decide which objects p applies to.
func (a Actor) GrantsWith(p Permission) []Grant {
	var out []Grant
	for _, g := range a.Grants {
		if g.Has(p) {
			out = append(out, g)
		}
	}
	return out
}

// Has reports whether any of the actor's grants carries p.
func (a Actor) Has(p Permission) bool {
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		info, ok := Info(g.Role)
		if !ok {
			continue
		}
		for _, q := range info.Permissions {
			if q == p {
				return true
			}
		}
	}
	return false
}

// HasRole reports whether the actor acts in role r.
func (a Actor) HasRole(r Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Permissions lists everything the actor may do, for the UI's menus.
func (a Actor) Permissions() []Permission {
	seen := map[Permission]bool{}
	var out []Permission
	for _, g := range a.Grants {
		info, _ := Info(g.Role)
		for _, p := range info.Permissions {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// RoleLabel names the roles acted in, for the audit log.
func (a Actor) RoleLabel() string {
	if a.System {
		return "system"
	}
	s := ""
	for i, g := range a.Grants {
		if i > 0 {
			s += ","
		}
		s += string(g.Role)
	}
	return s
}

// Who is the actor as the audit log records it.
func (a Actor) Who() audit.Who {
	return audit.Who{UserID: a.UserID, Username: a.Username, Role: a.RoleLabel(), IP: a.IP, RequestID: a.RequestID}
}

type ctxKey struct{}

// WithActor stores the actor in ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor stored by WithActor.
func FromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(Actor)
	return a, ok
}
