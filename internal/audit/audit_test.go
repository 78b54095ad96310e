package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func appendN(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := l.Record(context.Background(), audit.Who{UserID: 1, Username: "u", Role: "system_admin", IP: "127.0.0.1", RequestID: fmt.Sprint(i)},
			audit.Entry{Action: "user.update", ObjectType: "user", ObjectID: fmt.Sprint(i), Detail: map[string]any{"after": map[string]any{"display_name": fmt.Sprint("名", i)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// disableGuards drops the append-only guard the way an attacker with
// database access would, so the chain's own tamper detection can be tested.
func disableGuards(t *testing.T, st *store.Store) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if st.Dialect == store.Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`}
	}
	for _, q := range stmts {
		if _, err := st.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifiesAndDetectsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, outer *store.Store) {
		ctx := context.Background()
		for _, tc := range []struct {
			name, sql string
			badID     int64
		}{
			{"edited detail", `UPDATE audit_log SET detail = '{"after":{"display_name":"改"}}' WHERE id = 5`, 5},
			{"edited user", `UPDATE audit_log SET username = 'other' WHERE id = 3`, 3},
			{"removed record", `DELETE FROM audit_log WHERE id = 4`, 5},
			{"recomputed hash", `UPDATE audit_log SET outcome = 'denied', hash = 'x' WHERE id = 6`, 6},
		} {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				// Each case tampers, so each gets a fresh store of the same engine.
				st := storetest.SQLite(t)
				if outer.Dialect == store.Postgres {
					st = storetest.Postgres(t)
				}
				l := audit.New(st)
				appendN(t, l, 8)
				res, err := l.Verify(ctx)
				if err != nil || !res.OK || res.Checked != 8 {
					t.Fatalf("clean log: %+v %v", res, err)
				}
				disableGuards(t, st)
				if _, err := st.W.Exec(tc.sql); err != nil {
					t.Fatal(err)
				}
				res, err = l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.FirstBadID == nil || *res.FirstBadID != tc.badID {
					t.Fatalf("tampering not found at %d: %+v", tc.badID, res)
				}
			})
		}
	})
}

func TestAppendOnlyGuards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := audit.New(st)
		appendN(t, l, 3)
		for _, q := range []string{`UPDATE audit_log SET action = 'x' WHERE id = 1`, `DELETE FROM audit_log WHERE id = 2`, `DELETE FROM audit_log`} {
			if _, err := st.W.Exec(q); err == nil {
				t.Fatalf("%s succeeded", q)
			}
		}
		var n int
		if err := st.R.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("count %d %v", n, err)
		}
	})
}

func TestRetentionPurgeKeepsChainVerifiable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := audit.New(st)
		old := time.Now().AddDate(0, 0, -400)
		l.Now = func() time.Time { return old }
		appendN(t, l, 5)
		middle := time.Now().AddDate(0, 0, -200)
		l.Now = func() time.Time { return middle }
		appendN(t, l, 3)
		l.Now = store.Now
		appendN(t, l, 2)
		if _, err := l.Purge(ctx, audit.Who{Username: "retention"}, 100); err == nil {
			t.Fatal("a retention below 184 days was accepted")
		}
		n, err := l.Purge(ctx, audit.Who{Username: "retention"}, 365)
		if err != nil || n != 5 {
			t.Fatalf("purged %d, %v; want 5", n, err)
		}
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Checked != 6 {
			t.Fatalf("after purge: %+v %v (want 3+2 kept plus the purge record)", res, err)
		}
		// The 200-day-old records are past the legal floor but inside the
		// retention setting: they stay.
		if n, err := l.Purge(ctx, audit.Who{Username: "retention"}, 365); err != nil || n != 0 {
			t.Fatalf("second purge removed %d, %v", n, err)
		}
		// Removing the first kept record is still detected.
		disableGuards(t, st)
		var first int64
		_ = st.R.QueryRow(`SELECT min(id) FROM audit_log`).Scan(&first)
		if _, err := st.W.Exec(`DELETE FROM audit_log WHERE id = $1`, first); err != nil {
			t.Fatal(err)
		}
		if res, _ := l.Verify(ctx); res.OK {
			t.Fatal("deleting the record after the anchor went unnoticed")
		}
	})
}

func TestSecretsAreMaskedAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := audit.New(st)
		err := l.Record(ctx, audit.Who{Username: "alice"}, audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: "9",
			Detail: map[string]any{"password": "Secret#2026", "after": map[string]any{"id_card": "11010519491231002X", "name": "张三"}}})
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, l, 3)
		var raw string
		if err := st.R.QueryRow(`SELECT detail FROM audit_log WHERE object_id = '9' AND username = 'alice'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "Secret") || strings.Contains(raw, "11010519491231002X") || !strings.Contains(raw, "张三") {
			t.Fatalf("detail stored as %s", raw)
		}
		recs, total, err := l.List(ctx, audit.Filter{Username: "alice"})
		if err != nil || total != 1 || len(recs) != 1 || recs[0].Action != "user.create" {
			t.Fatalf("filter by user: %d %v %v", total, recs, err)
		}
		_, total, _ = l.List(ctx, audit.Filter{Action: "user."})
		if total != 4 {
			t.Fatalf("filter by action prefix: %d", total)
		}
		_, total, _ = l.List(ctx, audit.Filter{From: time.Now().Add(time.Hour)})
		if total != 0 {
			t.Fatalf("filter by time: %d", total)
		}
	})
}

// TestConcurrentAppendersKeepOneChain: on PostgreSQL several connections
// append at once; the chain must not fork.
func TestConcurrentAppendersKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := audit.New(st)
		errc := make(chan error, 8)
		for w := 0; w < 8; w++ {
			go func(w int) {
				for i := 0; i < 10; i++ {
					if err := st.Tx(context.Background(), func(tx *sql.Tx) error {
						return l.Append(context.Background(), tx, audit.Who{Username: fmt.Sprint("w", w)}, audit.Entry{Action: "x"})
					}); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}(w)
		}
		for w := 0; w < 8; w++ {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		res, err := l.Verify(context.Background())
		if err != nil || !res.OK || res.Checked != 80 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

// TestPersonalDataIsMaskedInStructsAndLists: a struct or a list put into a
// detail (a school's before/after) is masked field by field like a map, so
// no phone, ID number or birth date is stored in clear whatever the caller
// passes.
func TestPersonalDataIsMaskedInStructsAndLists(t *testing.T) {
	type school struct {
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		Principal string `json:"principal"`
	}
	type person struct {
		IDCard    string `json:"id_card"`
		BirthDate string `json:"birth_date"`
		Mobile    string `json:"mobile"`
		Token     int    `json:"api_token"`
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := audit.New(st)
		err := l.Record(ctx, audit.Who{Username: "bob"}, audit.Entry{Action: "school.update", ObjectType: "school", ObjectID: "7",
			Detail: map[string]any{
				"before": school{Name: "城关小学", Phone: "0552-8012345", Principal: "李四"},
				"after":  &school{Name: "城关小学", Phone: "13855556789", Principal: "李四"},
				"people": []person{{IDCard: "11010519491231002X", BirthDate: "1949-12-31", Mobile: "13912345678", Token: 42}},
				"count":  12345678901,
			}})
		if err != nil {
			t.Fatal(err)
		}
		var raw string
		if err := st.R.QueryRow(`SELECT detail FROM audit_log WHERE object_id = '7' AND username = 'bob'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{"8012345", "13855556789", "11010519491231002X", "1949-12-31", "1231", "13912345678", "42"} {
			if strings.Contains(raw, clear) {
				t.Errorf("detail holds %q in clear: %s", clear, raw)
			}
		}
		for _, kept := range []string{"城关小学", "李四", "138****6789", "1101**********002X", `"birth_date":"1949"`, "139****5678", "12345678901"} {
			if !strings.Contains(raw, kept) {
				t.Errorf("detail lost %q: %s", kept, raw)
			}
		}
		if v, err := l.Verify(ctx); err != nil || !v.OK {
			t.Fatalf("chain after a masked record: %+v %v", v, err)
		}
	})
}
