package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"edugroup/internal/app"
	"edugroup/internal/demo"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a running EduGroup with the demo county on one store.
type env struct {
	t   testing.TB
	app *app.App
	srv *httptest.Server
	ids demoIDs
}

// demoIDs are the objects the scope tests point at: own, sibling (same
// group) and other (another group).
type demoIDs struct {
	group, otherGroup                  int64
	school, siblingSchool, otherSchool int64 // school = the principal's school, a member of group
	staffOwn, staffSibling, staffOther int64 // staffOwn = the demo teacher
	leadSchool                         int64
}

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, a.Audit, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server(web.Config{}).Handler())
	t.Cleanup(srv.Close)
	// Denied accesses are written after the response; drain them before
	// the store closes.
	t.Cleanup(func() { _ = a.Audit.StopDenials(context.Background()) })
	e := &env{t: t, app: a, srv: srv}
	e.ids = e.lookupIDs()
	return e
}

func (e *env) one(q string, args ...any) int64 {
	e.t.Helper()
	if strings.Contains(q, "audit_log") {
		e.flushAudit()
	}
	var id int64
	if err := e.app.Store.R.QueryRow(q, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// schoolInput is a school's editable fields as its detail shows them to c,
// ready to be changed and sent back with PATCH.
func schoolInput(t testing.TB, c *client, id int64) map[string]any {
	t.Helper()
	s, b := c.do("GET", "/api/v1/schools/"+itoa(id), nil)
	if s != 200 {
		t.Fatalf("school %d: %d %s", id, s, b)
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{}
	for _, k := range []string{"code", "name", "short_name", "township_id", "urban_rural", "stage", "type_code", "legal_person", "parent_school_id",
		"students", "classes", "staff_count", "tier", "is_new", "principal", "phone", "status", "notes", "version"} {
		in[k] = full[k]
	}
	return in
}

// column reads one column of a query's rows.
func column[T any](t testing.TB, st *store.Store, q string, args ...any) []T {
	t.Helper()
	rows, err := st.R.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func (e *env) lookupIDs() demoIDs {
	var d demoIDs
	d.school = e.one(`SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal'`)
	d.group = e.one(`SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, d.school)
	d.leadSchool = e.one(`SELECT lead_school_id FROM edu_groups WHERE id = $1`, d.group)
	d.siblingSchool = e.one(`SELECT school_id FROM group_members WHERE group_id = $1 AND school_id <> $2 AND role <> 'lead' AND left_on IS NULL ORDER BY school_id LIMIT 1`, d.group, d.school)
	d.otherGroup = e.one(`SELECT id FROM edu_groups WHERE id <> $1 ORDER BY id LIMIT 1`, d.group)
	d.otherSchool = e.one(`SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL ORDER BY school_id LIMIT 1`, d.otherGroup)
	d.staffOwn = e.one(`SELECT staff_id FROM users WHERE username = 'teacher'`)
	d.staffSibling = e.one(`SELECT id FROM staff WHERE school_id = $1 ORDER BY id LIMIT 1`, d.siblingSchool)
	d.staffOther = e.one(`SELECT id FROM staff WHERE school_id = $1 ORDER BY id LIMIT 1`, d.otherSchool)
	return d
}

// client is a browser: a cookie jar and the CSRF token of its session.
type client struct {
	e     *env
	hc    *http.Client
	csrf  string
	token string // bearer token instead of the cookie, when set
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

func (e *env) login(username string) *client {
	e.t.Helper()
	c := e.anon()
	c.mustLogin(username, demo.DefaultPassword)
	return c
}

func (c *client) mustLogin(username, password string) {
	c.e.t.Helper()
	status, body := c.do("POST", "/api/v1/session", map[string]string{"username": username, "password": password})
	if status != 200 {
		c.e.t.Fatalf("login %s: %d %s", username, status, body)
	}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &s)
	c.csrf = s.CSRF
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.e.t.Helper()
	status, b, _ := c.doH(method, path, body, nil)
	return status, b
}

func (c *client) doH(method, path string, body any, hdr map[string]string) (int, []byte, http.Header) {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = bytes.NewBufferString(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// errBody is the error shape every 4xx answers with.
type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field   string `json:"field"`
			Rule    string `json:"rule"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

func parseErr(t *testing.T, b []byte) errBody {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return e
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// auditCount counts audit records of an action (and outcome, when given).
func (e *env) auditCount(action, outcome string) int {
	e.t.Helper()
	q := `SELECT count(*) FROM audit_log WHERE action = $1`
	args := []any{action}
	if outcome != "" {
		q += ` AND outcome = $2`
		args = append(args, outcome)
	}
	return int(e.one(q, args...))
}

// flushAudit waits until the denied accesses queued so far are written, so
// a test can look for them right after the request that was refused.
func (e *env) flushAudit() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Audit.FlushDenials(ctx); err != nil {
		e.t.Fatalf("flush denied accesses: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
