package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// DB is a *sql.DB that keeps a prepared statement per query text. SQLite
// spends a large share of a short read parsing the SQL; database/sql's
// prepared statements are safe for concurrent use and re-prepare themselves
// on each pooled connection, so reusing them skips the parse. PostgreSQL's
// driver already caches statements per connection, so there the cache is off.
//
// The cache holds the maxCached most recently used texts (texts with IN (…)
// lists vary, so an unbounded cache would grow with them). An evicted
// statement is closed once no call is using it; rows already returned keep
// it open until they are closed (database/sql's own dependency tracking).
type DB struct {
	*sql.DB
	enabled bool
	mu      sync.Mutex
	stmts   map[string]*list.Element // of *cachedStmt
	lru     list.List                // front: most recently used
}

type cachedStmt struct {
	q       string
	st      *sql.Stmt
	users   int  // calls between stmt and done
	evicted bool // out of the cache: the last user closes it
}

// maxCached bounds the cache.
const maxCached = 512

func newDB(db *sql.DB, cache bool) *DB {
	return &DB{DB: db, enabled: cache, stmts: map[string]*list.Element{}}
}

// stmt is the cached statement of q, prepared on first use, with a use
// taken: the caller gives it back with done. Nil when the cache is off or
// the text does not prepare (the unprepared call then reports the error).
func (d *DB) stmt(ctx context.Context, q string) *cachedStmt {
	if !d.enabled {
		return nil
	}
	d.mu.Lock()
	if el, ok := d.stmts[q]; ok {
		d.lru.MoveToFront(el)
		c := el.Value.(*cachedStmt)
		c.users++
		d.mu.Unlock()
		return c
	}
	d.mu.Unlock()
	st, err := d.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.stmts[q]; ok { // prepared at the same time by another call
		st.Close()
		d.lru.MoveToFront(el)
		c := el.Value.(*cachedStmt)
		c.users++
		return c
	}
	c := &cachedStmt{q: q, st: st, users: 1}
	d.stmts[q] = d.lru.PushFront(c)
	for d.lru.Len() > maxCached {
		old := d.lru.Back()
		d.lru.Remove(old)
		oc := old.Value.(*cachedStmt)
		delete(d.stmts, oc.q)
		oc.evicted = true
		if oc.users == 0 {
			oc.st.Close()
		}
	}
	return c
}

// done gives back a use taken by stmt, closing an evicted statement when it
// was the last.
func (d *DB) done(c *cachedStmt) {
	d.mu.Lock()
	c.users--
	closeIt := c.evicted && c.users == 0
	d.mu.Unlock()
	if closeIt {
		c.st.Close()
	}
}

// QueryContext runs a query through its cached statement.
func (d *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if c := d.stmt(ctx, q); c != nil {
		defer d.done(c)
		return c.st.QueryContext(ctx, args...)
	}
	return d.DB.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query through its cached statement.
func (d *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if c := d.stmt(ctx, q); c != nil {
		defer d.done(c)
		return c.st.QueryRowContext(ctx, args...)
	}
	return d.DB.QueryRowContext(ctx, q, args...)
}

// ExecContext runs a statement through its cached statement.
func (d *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if c := d.stmt(ctx, q); c != nil {
		defer d.done(c)
		return c.st.ExecContext(ctx, args...)
	}
	return d.DB.ExecContext(ctx, q, args...)
}

// Close closes the cached statements and the pool.
func (d *DB) Close() error {
	d.mu.Lock()
	for el := d.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*cachedStmt).st.Close()
	}
	d.stmts = map[string]*list.Element{}
	d.lru.Init()
	d.mu.Unlock()
	return d.DB.Close()
}
