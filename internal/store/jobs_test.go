package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestClaimRunsAJobOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		steps := []struct {
			at   time.Duration
			want bool
		}{{0, true}, {0, false}, {30 * time.Minute, false}, {59 * time.Minute, false}, {60 * time.Minute, true}, {61 * time.Minute, false}, {3 * time.Hour, true}}
		for _, s := range steps {
			got, err := st.Claim(ctx, "purge", time.Hour, t0.Add(s.at))
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Fatalf("claim at +%s: %v, want %v", s.at, got, s.want)
			}
		}
		// Another job has its own period.
		if ok, err := st.Claim(ctx, "retention", time.Hour, t0.Add(61*time.Minute)); err != nil || !ok {
			t.Fatalf("a second job: %v %v", ok, err)
		}
		// Many claimants at once (on PostgreSQL, on separate connections):
		// exactly one wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		at := t0.Add(5 * time.Hour)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := st.Claim(ctx, "purge", time.Hour, at)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d of 16 concurrent claims won", wins.Load())
		}
	})
}
