package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/demo"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

// TestDenialRecordedAfterResponse: an out-of-scope read is answered 404
// while the audit log cannot be written (the test holds it), so the record
// is written after the response; the shutdown drain (App.Close's
// StopDenials) then writes it, with the request's id, before returning.
func TestDenialRecordedAfterResponse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		principal := e.login("principal")
		before := e.auditCount("access.denied", "denied")

		// Hold the audit log: SQLite's only writer connection, or
		// PostgreSQL's audit append lock.
		hold, err := st.W.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Dialect == store.Postgres {
			if _, err := hold.Exec(`SELECT pg_advisory_xact_lock(727274)`); err != nil {
				t.Fatal(err)
			}
		}
		status, body, hdr := principal.doH("GET", fmt.Sprintf("/api/v1/staff/%d", e.ids.staffOther), nil, nil)
		if status != 404 {
			t.Fatalf("out of scope: %d %s", status, body)
		}
		if n := countDenied(t, st.R); n != before {
			t.Fatalf("the denial was written before the response: %d records, had %d", n, before)
		}
		drained := make(chan error, 1)
		go func() { drained <- e.app.Audit.StopDenials(context.Background()) }()
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := <-drained; err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'staff' AND object_id = $1 AND request_id = $2`,
			itoa(e.ids.staffOther), hdr.Get("X-Request-Id")).Scan(&n); err != nil || n != 1 {
			t.Fatalf("after the drain: %d records of the request (%v)", n, err)
		}
		// Once stopped, a denial is written before the answer.
		if s, _ := principal.do("GET", fmt.Sprintf("/api/v1/staff/%d", e.ids.staffOther), nil); s != 404 {
			t.Fatalf("out of scope after the stop: %d", s)
		}
		if n := countDenied(t, st.R); n != before+2 {
			t.Fatalf("after the stop: %d records, want %d", n, before+2)
		}
	})
}

func countDenied(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'access.denied'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkStaffMissingVsOutOfScope compares GET /api/v1/staff/{id} for a
// missing id and for an id outside the caller's scope (SQLite): with the
// denial recorded after the response the two take about as long.
func BenchmarkStaffMissingVsOutOfScope(b *testing.B) {
	st := storetest.SQLite(b)
	ctx := context.Background()
	a, err := app.New(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, a.Audit, demo.DefaultPassword); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Server(web.Config{}).Handler())
	b.Cleanup(srv.Close)
	b.Cleanup(func() { _ = a.Audit.StopDenials(ctx) })
	e := &env{t: b, app: a, srv: srv}
	e.ids = e.lookupIDs()
	c := e.login("principal")
	for _, x := range []struct {
		name string
		id   int64
	}{{"missing", 99999999}, {"out_of_scope", e.ids.staffOther}} {
		b.Run(x.name, func(b *testing.B) {
			path := fmt.Sprintf("/api/v1/staff/%d", x.id)
			for b.Loop() {
				if s, _ := c.do(http.MethodGet, path, nil); s != 404 {
					b.Fatalf("%s: %d", x.name, s)
				}
			}
			b.StopTimer()
			_ = a.Audit.FlushDenials(ctx) // the queued records are not the next case's cost
			b.StartTimer()
		})
	}
}
