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
		if !res.Created || len(res.Accounts) != 13 {
			t.Fatalf("created %v with %d accounts, want 13", res.Created, len(res.Accounts))
		}
		again, err := demo.Load(ctx, st, log, demo.DefaultPassword)
		if err != nil || again.Created || len(again.Accounts) != 13 {
			t.Fatalf("second load: created %v, %d accounts, %v", again.Created, len(again.Accounts), err)
		}
		v, err := log.Verify(ctx)
		if err != nil || !v.OK {
			t.Fatalf("audit chain: %+v %v", v, err)
		}
	})
}
