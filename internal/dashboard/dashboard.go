// Package dashboard is what a capability gives the home dashboard: named
// figures for the acting user. It holds no HTTP, so services can fill it and
// the web layer can show it.
package dashboard

import (
	"context"

	"edugroup/internal/auth"
)

// Card is one figure on the home dashboard; Key names it for the client's
// labels.
type Card struct {
	Key   string
	Value int64
}

// Source gives the cards a capability can show to an actor (none for an
// actor who may not read it).
type Source interface {
	Cards(ctx context.Context, a auth.Actor) ([]Card, error)
}
