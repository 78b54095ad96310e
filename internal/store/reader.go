package store

import (
	"context"
	"database/sql"
)

// Reader is the read half of Querier, for helpers that only read and are
// handed whatever the caller reads through.
type Reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
