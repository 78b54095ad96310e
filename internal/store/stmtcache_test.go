package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestStatementCacheEvicts: texts past maxCached evict the least recently
// used statement instead of running unprepared forever, a statement evicted
// while calls use it (and rows are open on it) keeps working, and every
// answer is right throughout.
func TestStatementCacheEvicts(t *testing.T) {
	raw, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := newDB(raw, true)
	defer d.Close()
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, `CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	// Rows held open on a statement that is about to be evicted.
	held, err := d.QueryContext(ctx, `SELECT 7 AS held`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 3*maxCached; i++ {
				k := (i*7 + w) % (2 * maxCached)
				var got int
				if err := d.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + ? AS v%d", k, k), 1).Scan(&got); err != nil || got != k+1 {
					errc <- fmt.Errorf("query %d: %d %v", k, got, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if n := d.cachedLen(); n != maxCached {
		t.Fatalf("cache holds %d statements, want %d", n, maxCached)
	}
	// The text used last is kept, the one used first is gone (a cache that
	// stops at its bound would hold only the first ones).
	var one int
	if err := d.QueryRowContext(ctx, `SELECT 1 AS newest`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("newest: %d %v", one, err)
	}
	d.mu.Lock()
	_, kept := d.stmts[`SELECT 1 AS newest`]
	_, first := d.stmts[`CREATE TABLE t (n INTEGER)`]
	d.mu.Unlock()
	if !kept || first {
		t.Fatalf("least recently used not evicted: newest kept %v, first kept %v", kept, first)
	}
	if !held.Next() {
		t.Fatalf("rows of an evicted statement: %v", held.Err())
	}
	var v int
	if err := held.Scan(&v); err != nil || v != 7 {
		t.Fatalf("rows of an evicted statement: %d %v", v, err)
	}
	held.Close()
}

// cachedLen is how many statements the cache holds.
func (d *DB) cachedLen() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lru.Len()
}
