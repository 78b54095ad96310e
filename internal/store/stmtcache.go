package store

import (
	"context"
	"database/sql"
	"sync"
)

// DB is a *sql.DB that keeps a prepared statement per query text. SQLite
// spends a large share of a short read parsing the SQL; database/sql's
// prepared statements are safe for concurrent use and re-prepare themselves
// on each pooled connection, so reusing them skips the parse. PostgreSQL's
// driver already caches statements per connection, so there the cache is off.
type DB struct {
	*sql.DB
	enabled bool
	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
}

// maxCached bounds the cache; queries past it simply run unprepared.
const maxCached = 512

func newDB(db *sql.DB, cache bool) *DB {
	return &DB{DB: db, enabled: cache, stmts: map[string]*sql.Stmt{}}
}

func (d *DB) stmt(ctx context.Context, q string) *sql.Stmt {
	if !d.enabled {
		return nil
	}
	d.mu.RLock()
	st := d.stmts[q]
	d.mu.RUnlock()
	if st != nil {
		return st
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if st = d.stmts[q]; st != nil || len(d.stmts) >= maxCached {
		return st
	}
	st, err := d.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil // the unprepared call below reports the error
	}
	d.stmts[q] = st
	return st
}

// QueryContext runs a query through its cached statement.
func (d *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.DB.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query through its cached statement.
func (d *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := d.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.DB.QueryRowContext(ctx, q, args...)
}

// ExecContext runs a statement through its cached statement.
func (d *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := d.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.DB.ExecContext(ctx, q, args...)
}

// Close closes the cached statements and the pool.
func (d *DB) Close() error {
	d.mu.Lock()
	for _, st := range d.stmts {
		st.Close()
	}
	d.stmts = map[string]*sql.Stmt{}
	d.mu.Unlock()
	return d.DB.Close()
}
