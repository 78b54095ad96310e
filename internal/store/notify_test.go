package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

// TestNotifyReachesListenersAtCommit: a notification sent in a transaction
// reaches a listener when the transaction commits and never when it rolls
// back; Close stops the listener. SQLite listeners are always live.
func TestNotifyReachesListenersAtCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		heard := make(chan struct{}, 16)
		l := st.Listen("edugroup_test", func() { heard <- struct{}{} })
		select {
		case <-l.Connected():
		case <-time.After(10 * time.Second):
			t.Fatal("listener did not connect")
		}
		if !l.Live() {
			t.Fatal("connected listener is not live")
		}
		if st.Dialect != store.Postgres {
			if err := st.Tx(ctx, func(tx *sql.Tx) error { return st.Notify(ctx, tx, "edugroup_test") }); err != nil {
				t.Fatal(err)
			}
			l.Stop()
			return
		}
		// Connecting calls fn once: what was missed before is dropped. Wait
		// for that call (a loaded machine may be slow to make it), then for
		// any straggler.
		select {
		case <-heard:
		case <-time.After(10 * time.Second):
			t.Fatal("connecting did not call fn")
		}
		drain := func() {
			for {
				select {
				case <-heard:
				case <-time.After(200 * time.Millisecond):
					return
				}
			}
		}
		drain()
		errRollback := errors.New("roll back")
		if err := st.Tx(ctx, func(tx *sql.Tx) error {
			if err := st.Notify(ctx, tx, "edugroup_test"); err != nil {
				return err
			}
			return errRollback
		}); !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		select {
		case <-heard:
			t.Fatal("a rolled-back notification was delivered")
		case <-time.After(300 * time.Millisecond):
		}
		if err := st.Tx(ctx, func(tx *sql.Tx) error { return st.Notify(ctx, tx, "edugroup_test") }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-heard:
		case <-time.After(2 * time.Second):
			t.Fatal("a committed notification was not delivered")
		}
		st.Close()
		if l.Live() {
			t.Fatal("listener live after the store closed")
		}
	})
}

// TestWithLockTakesTurns: holders of one advisory lock never overlap.
func TestWithLockTakesTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var inside, overlaps atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := st.WithLock(context.Background(), 4242, func() error {
					if inside.Add(1) > 1 {
						overlaps.Add(1)
					}
					time.Sleep(20 * time.Millisecond)
					inside.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		// On SQLite the lock file makes one process the only one; goroutines
		// of that process are not serialized by WithLock.
		if st.Dialect == store.Postgres && overlaps.Load() != 0 {
			t.Fatalf("%d overlapping holders", overlaps.Load())
		}
	})
}
