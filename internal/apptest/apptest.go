// Package apptest is the harness of the tests that drive EduGroup over HTTP:
// a running app on a copy of the demo county, clients that sign in as the
// demo accounts, the demo objects the scope tests point at, and the small
// helpers those tests share. The demo county is loaded once per test binary
// and engine (see storetest.Template) and each test gets its own copy, so a
// test may change anything.
//
// A capability's tests live in its package as an external test package:
//
//	package exchange_test
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		apptest.Each(t, func(t *testing.T, st *store.Store) {
//			e := apptest.NewEnv(t, st)
//			s, b := e.Login("principal").Do("GET", "/api/v1/exchanges", nil)
//			…
//		})
//	}
package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"edugroup/internal/app"
	"edugroup/internal/blob"
	"edugroup/internal/demo"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

// Demo is the demo county with one account per role (password
// demo.DefaultPassword), as `edugroup demo` writes it, except that the
// accounts' password hashes are remade at argon2id's lowest cost: signing in
// still checks the password, in 2 ms instead of 50 (the tests sign in
// thousands of times). Derive a template from it for a fixture that needs
// the same county changed.
var Demo = storetest.NewTemplate("demo", func(ctx context.Context, st *store.Store) error {
	a, err := app.New(ctx, st, discard())
	if err != nil {
		return err
	}
	res, err := demo.Load(ctx, st, a.Audit, demo.DefaultPassword)
	if err != nil {
		return err
	}
	for _, acct := range res.Accounts {
		if err := cheapHash(ctx, st, acct.Username, demo.DefaultPassword); err != nil {
			return err
		}
	}
	return nil
})

// cheapParams is the lowest cost argon2id accepts.
var cheapParams = &argon2id.Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// cheapHash rehashes a user's password pw at cheapParams, in the account and
// in its password history.
func cheapHash(ctx context.Context, st *store.Store, username, pw string) error {
	cheap, err := argon2id.CreateHash(pw, cheapParams)
	if err != nil {
		return err
	}
	return st.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE username = $1`, username).Scan(&id, &old); err != nil {
			return fmt.Errorf("account %s: %w", username, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, cheap, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE password_history SET password_hash = $1 WHERE user_id = $2 AND password_hash = $3`, cheap, id, old)
		return err
	})
}

// Each runs fn on a copy of the demo county on each engine, as subtests
// named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	Demo.Each(t, fn)
}

// SQLite is a copy of the demo county on SQLite.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return Demo.SQLite(t)
}

// Postgres is a copy of the demo county on PostgreSQL.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return Demo.Postgres(t)
}

// PostgresDSN is the URL of a new PostgreSQL database holding a copy of the
// demo county, for tests that open several instances on one database.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return Demo.PostgresDSN(t)
}

// Env is a running EduGroup on one store holding the demo county.
type Env struct {
	T   testing.TB
	App *app.App
	Srv *httptest.Server
	IDs IDs
}

// IDs are the objects the scope tests point at: own, sibling (same group)
// and other (another group).
type IDs struct {
	Group, OtherGroup                  int64
	School, SiblingSchool, OtherSchool int64 // School = the principal's school, a member of Group
	StaffOwn, StaffSibling, StaffOther int64 // StaffOwn = the demo teacher
	LeadSchool                         int64
}

// NewEnv starts the app and an HTTP server on st, which holds the demo
// county (a copy from Each, SQLite or Postgres). Both stop when the test ends.
func NewEnv(t testing.TB, st *store.Store) *Env {
	t.Helper()
	a, err := app.New(context.Background(), st, discard())
	if err != nil {
		t.Fatal(err)
	}
	// The library's files on a local store of the test's own.
	if a.Resources.Blobs, err = blob.NewLocal(filepath.Join(t.TempDir(), "files")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server(web.Config{}).Handler())
	t.Cleanup(srv.Close)
	// Denied accesses are written after the response; drain them before
	// the store closes.
	t.Cleanup(func() { _ = a.Audit.StopDenials(context.Background()) })
	e := &Env{T: t, App: a, Srv: srv}
	e.IDs = e.LookupIDs()
	return e
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// One runs a query answering one integer. A query of the audit log first
// waits for the denied accesses queued so far.
func (e *Env) One(q string, args ...any) int64 {
	e.T.Helper()
	if strings.Contains(q, "audit_log") {
		e.FlushAudit()
	}
	var id int64
	if err := e.App.Store.R.QueryRow(q, args...).Scan(&id); err != nil {
		e.T.Fatalf("%s: %v", q, err)
	}
	return id
}

// Str runs a query answering one string.
func (e *Env) Str(q string, args ...any) string {
	e.T.Helper()
	var s string
	if err := e.App.Store.R.QueryRow(q, args...).Scan(&s); err != nil {
		e.T.Fatalf("%s: %v", q, err)
	}
	return s
}

// LookupIDs finds the demo objects of IDs in the store.
func (e *Env) LookupIDs() IDs {
	var d IDs
	d.School = e.One(`SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal'`)
	d.Group = e.One(`SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, d.School)
	d.LeadSchool = e.One(`SELECT lead_school_id FROM edu_groups WHERE id = $1`, d.Group)
	d.SiblingSchool = e.One(`SELECT school_id FROM group_members WHERE group_id = $1 AND school_id <> $2 AND role <> 'lead' AND left_on IS NULL ORDER BY school_id LIMIT 1`, d.Group, d.School)
	d.OtherGroup = e.One(`SELECT id FROM edu_groups WHERE id <> $1 ORDER BY id LIMIT 1`, d.Group)
	d.OtherSchool = e.One(`SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL ORDER BY school_id LIMIT 1`, d.OtherGroup)
	d.StaffOwn = e.One(`SELECT staff_id FROM users WHERE username = 'teacher'`)
	d.StaffSibling = e.One(`SELECT id FROM staff WHERE school_id = $1 ORDER BY id LIMIT 1`, d.SiblingSchool)
	d.StaffOther = e.One(`SELECT id FROM staff WHERE school_id = $1 ORDER BY id LIMIT 1`, d.OtherSchool)
	return d
}

// AuditCount counts audit records of an action (and outcome, when given).
func (e *Env) AuditCount(action, outcome string) int {
	e.T.Helper()
	q := `SELECT count(*) FROM audit_log WHERE action = $1`
	args := []any{action}
	if outcome != "" {
		q += ` AND outcome = $2`
		args = append(args, outcome)
	}
	return int(e.One(q, args...))
}

// FlushAudit waits until the denied accesses queued so far are written, so
// a test can look for them right after the request that was refused.
func (e *Env) FlushAudit() {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.App.Audit.FlushDenials(ctx); err != nil {
		e.T.Fatalf("flush denied accesses: %v", err)
	}
}

// ExamSchools are four schools of the demo: the principal's member school,
// its group's lead and a sibling, and a school of another group.
type ExamSchools struct {
	Codes   []string
	Teacher string // the demo teacher's name
}

// ExamSchools reads the codes of the four schools and the teacher's name.
func (e *Env) ExamSchools() ExamSchools {
	var x ExamSchools
	for _, id := range []int64{e.IDs.School, e.IDs.LeadSchool, e.IDs.SiblingSchool, e.IDs.OtherSchool} {
		x.Codes = append(x.Codes, e.Str(`SELECT code FROM schools WHERE id = $1`, id))
	}
	x.Teacher = e.Str(`SELECT name FROM staff WHERE id = $1`, e.IDs.StaffOwn)
	return x
}
