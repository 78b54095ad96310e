package demo_test

import (
	"context"
	"testing"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/demo"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

// TestLoad loads the demo county on each engine, logs how long it took, and
// checks that a second load changes nothing and the audit chain verifies.
func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := audit.New(st)
		if err := policy.NewService(st, log).EnsureDefault(ctx); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res, err := demo.Load(ctx, st, log, demo.DefaultPassword)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("demo.Load took %v", time.Since(start))
		if !res.Created || len(res.Accounts) != 15 {
			t.Fatalf("created %v with %d accounts, want 15", res.Created, len(res.Accounts))
		}
		again, err := demo.Load(ctx, st, log, demo.DefaultPassword)
		if err != nil || again.Created || len(again.Accounts) != 15 {
			t.Fatalf("second load: created %v, %d accounts, %v", again.Created, len(again.Accounts), err)
		}
		v, err := log.Verify(ctx)
		if err != nil || !v.OK {
			t.Fatalf("audit chain: %+v %v", v, err)
		}
		// Every write went through a service, so each table has its audit
		// records, the demo's own under the demo's system actor.
		c := demo.Generate(demo.Seed)
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := st.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		for q, want := range map[string]int{
			`SELECT count(*) FROM schools`:    len(c.Schools),
			`SELECT count(*) FROM edu_groups`: len(c.Groups),
			`SELECT count(*) FROM staff`:      len(c.Staff),
			`SELECT count(*) FROM users`:      15,
			`SELECT count(*) FROM audit_log WHERE action = 'school.create' AND username = '` + demo.Actor + `'`:                                                   len(c.Schools),
			`SELECT count(*) FROM audit_log WHERE action = 'group.create' AND username = '` + demo.Actor + `'`:                                                    len(c.Groups),
			`SELECT count(*) FROM audit_log WHERE action = 'staff.bulk_create'`:                                                                                   1,
			`SELECT count(*) FROM audit_log WHERE action = 'user.create'`:                                                                                         15,
			`SELECT count(*) FROM audit_log WHERE action = 'demo.seed'`:                                                                                           1,
			`SELECT count(*) FROM exchanges e WHERE (SELECT count(*) FROM audit_log a WHERE a.object_type = 'exchange' AND a.object_id = CAST(e.id AS TEXT)) = 0`: 0,
		} {
			if got := count(q); got != want {
				t.Errorf("%s = %d, want %d", q, got, want)
			}
		}
		for _, status := range []string{"draft", "submitted", "endorsed", "reviewed", "approved", "underway", "returned", "closed", "rejected", "withdrawn", "cancelled"} {
			if count(`SELECT count(*) FROM exchanges WHERE status = $1`, status) == 0 {
				t.Errorf("no demo exchange is %s", status)
			}
		}
	})
}
