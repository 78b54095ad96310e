package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/store"
)

// TestDenialRecordedAfterResponse: an out-of-scope read is answered 404
// while the audit log cannot be written (the test holds it), so the record
// is written after the response; the shutdown drain (App.Close's
// StopDenials) then writes it, with the request's id, before returning.
func TestDenialRecordedAfterResponse(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		principal := e.Login("principal")
		before := e.AuditCount("access.denied", "denied")

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
		status, body, hdr := principal.DoH("GET", fmt.Sprintf("/api/v1/staff/%d", e.IDs.StaffOther), nil, nil)
		if status != 404 {
			t.Fatalf("out of scope: %d %s", status, body)
		}
		if n := countDenied(t, st.R); n != before {
			t.Fatalf("the denial was written before the response: %d records, had %d", n, before)
		}
		drained := make(chan error, 1)
		go func() { drained <- e.App.Audit.StopDenials(context.Background()) }()
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := <-drained; err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'staff' AND object_id = $1 AND request_id = $2`,
			apptest.Itoa(e.IDs.StaffOther), hdr.Get("X-Request-Id")).Scan(&n); err != nil || n != 1 {
			t.Fatalf("after the drain: %d records of the request (%v)", n, err)
		}
		// Once stopped, a denial is written before the answer.
		if s, _ := principal.Do("GET", fmt.Sprintf("/api/v1/staff/%d", e.IDs.StaffOther), nil); s != 404 {
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
	ctx := context.Background()
	e := apptest.NewEnv(b, apptest.SQLite(b))
	a := e.App
	c := e.Login("principal")
	for _, x := range []struct {
		name string
		id   int64
	}{{"missing", 99999999}, {"out_of_scope", e.IDs.StaffOther}} {
		b.Run(x.name, func(b *testing.B) {
			path := fmt.Sprintf("/api/v1/staff/%d", x.id)
			for b.Loop() {
				if s, _ := c.Do(http.MethodGet, path, nil); s != 404 {
					b.Fatalf("%s: %d", x.name, s)
				}
			}
			b.StopTimer()
			_ = a.Audit.FlushDenials(ctx) // the queued records are not the next case's cost
			b.StartTimer()
		})
	}
}
