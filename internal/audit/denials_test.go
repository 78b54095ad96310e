package audit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func deniedCount(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'access.denied'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDenyQueuesAndDrains: with the recorder running, Deny returns before
// the record is written (the recorder's goroutine is held back here, so
// nothing can have been written), the record keeps the time of the denial,
// and stopping drains the queue into the chained log. After the stop, and
// with the queue full, Deny writes at once.
func TestDenyQueuesAndDrains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := New(st)
		clock := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		l.Now = func() time.Time { return clock }
		// A recorder whose goroutine has not started yet.
		d := &denials{l: l, lg: nil, q: make(chan Denial, 2), stopped: make(chan struct{}), abort: make(chan struct{})}
		l.denials.Store(d)
		who := Who{UserID: 1, Username: "u", Role: "teacher", IP: "127.0.0.1", RequestID: "r1"}
		e := Entry{Action: "access.denied", ObjectType: "staff", ObjectID: "7", Detail: map[string]any{"reason": "out_of_scope"}}
		for range 2 {
			if err := l.Deny(context.Background(), who, e); err != nil {
				t.Fatal(err)
			}
		}
		if n := deniedCount(t, st); n != 0 {
			t.Fatalf("%d records written before the recorder ran", n)
		}
		// The queue (of two) is full: the third is written at once.
		if err := l.Deny(context.Background(), who, e); err != nil {
			t.Fatal(err)
		}
		if n := deniedCount(t, st); n != 1 {
			t.Fatalf("a denial that found the queue full: %d records", n)
		}
		clock = clock.Add(time.Hour) // written an hour later, stamped when denied
		d.lg = discardLogger()
		go d.run()
		if err := l.FlushDenials(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := l.StopDenials(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := deniedCount(t, st); n != 3 {
			t.Fatalf("after the drain: %d records, want 3", n)
		}
		var at time.Time
		var outcome string
		if err := st.R.QueryRow(`SELECT at, outcome FROM audit_log WHERE action = 'access.denied' ORDER BY id DESC LIMIT 1`).Scan(&at, &outcome); err != nil {
			t.Fatal(err)
		}
		if !at.Equal(clock.Add(-time.Hour)) || outcome != Denied {
			t.Errorf("queued record: at %v outcome %q, want the time of the denial", at, outcome)
		}
		if err := l.Deny(context.Background(), who, e); err != nil {
			t.Fatal(err)
		}
		if n := deniedCount(t, st); n != 4 {
			t.Fatalf("after the stop Deny writes at once: %d records", n)
		}
		if res, err := l.Verify(context.Background()); err != nil || !res.OK {
			t.Fatalf("chain: %+v %v", res, err)
		}
	})
}

// TestDenyRetries: a write that fails is retried until it succeeds. The
// log table is renamed away so the first attempt fails; once the recorder
// reports the failure it is put back, and the record arrives.
func TestDenyRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := New(st)
		h := &signalHandler{warned: make(chan struct{}, 100)}
		if _, err := st.W.Exec(`ALTER TABLE audit_log RENAME TO audit_log_away`); err != nil {
			t.Fatal(err)
		}
		l.StartDenials(slog.New(h))
		t.Cleanup(func() { _ = l.StopDenials(context.Background()) })
		if err := l.Deny(context.Background(), Who{Username: "u"}, Entry{Action: "access.denied"}); err != nil {
			t.Fatal(err)
		}
		<-h.warned // the first attempt failed and will be retried
		if _, err := st.W.Exec(`ALTER TABLE audit_log_away RENAME TO audit_log`); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.FlushDenials(ctx); err != nil {
			t.Fatal(err)
		}
		if n := deniedCount(t, st); n != 1 {
			t.Fatalf("after the retry: %d records", n)
		}
	})
}

// signalHandler reports each warning on a channel.
type signalHandler struct{ warned chan struct{} }

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		select {
		case h.warned <- struct{}{}:
		default:
		}
	}
	return nil
}
func (h *signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *signalHandler) WithGroup(string) slog.Handler      { return h }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
