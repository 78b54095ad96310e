package storetest_test

import (
	"context"
	"database/sql"
	"testing"

	"edugroup/internal/audit"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// addTownship inserts a township with an audit record in one transaction,
// as a service would, and returns its id.
func addTownship(ctx context.Context, st *store.Store, code string) (int64, error) {
	var id int64
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO townships (code, name) VALUES ($1, $1) RETURNING id`, code).Scan(&id); err != nil {
			return err
		}
		return audit.New(st).Append(ctx, tx, audit.Who{Username: "test"}, audit.Entry{Action: "township.create", ObjectType: "township", ObjectID: code})
	})
	return id, err
}

var (
	oneTownship = storetest.NewTemplate("one_township", func(ctx context.Context, st *store.Store) error {
		_, err := addTownship(ctx, st, "340321100")
		return err
	})
	twoTownships = oneTownship.Derive("two_townships", func(ctx context.Context, st *store.Store) error {
		_, err := addTownship(ctx, st, "340321101")
		return err
	})
)

// TestTemplateCopies: each copy holds the seed, is independent of the
// others, continues the id sequence after the seeded rows and the audit
// chain after the seeded records; a derived template holds both seeds.
func TestTemplateCopies(t *testing.T) {
	ctx := context.Background()
	oneTownship.Each(t, func(t *testing.T, st *store.Store) {
		var other *store.Store
		if st.Dialect == store.SQLite {
			other = oneTownship.SQLite(t)
		} else {
			other = oneTownship.Postgres(t)
		}
		id, err := addTownship(ctx, st, "340321102")
		if err != nil || id != 2 {
			t.Fatalf("insert on a copy: id %d, %v; want 2", id, err)
		}
		count := func(s *store.Store) int {
			var n int
			if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM townships`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if a, b := count(st), count(other); a != 2 || b != 1 {
			t.Fatalf("townships: %d on the written copy, %d on the other; want 2 and 1", a, b)
		}
		if res, err := audit.New(st).Verify(ctx); err != nil || !res.OK || res.Checked != 2 {
			t.Fatalf("audit chain on a copy: %+v %v", res, err)
		}
		var derived *store.Store
		if st.Dialect == store.SQLite {
			derived = twoTownships.SQLite(t)
		} else {
			derived = twoTownships.Postgres(t)
		}
		if n := count(derived); n != 2 {
			t.Fatalf("derived template: %d townships, want 2", n)
		}
		if id, err := addTownship(ctx, derived, "340321103"); err != nil || id != 3 {
			t.Fatalf("insert on a derived copy: id %d, %v; want 3", id, err)
		}
	})
}
