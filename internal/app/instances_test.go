package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"edugroup/internal/app"
	"edugroup/internal/apptest"
	"edugroup/internal/exams"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

// openPostgres opens and migrates n stores on the PostgreSQL database dsn:
// the pools of n instances. They migrate at once, as instances starting
// together do.
func openPostgres(t *testing.T, dsn string, n int) []*store.Store {
	t.Helper()
	ctx := context.Background()
	sts := make([]*store.Store, n)
	for i := range sts {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts[i] = st
	}
	errc := make(chan error, n)
	for _, st := range sts {
		go func() { errc <- st.Migrate(ctx) }()
	}
	for range sts {
		if err := <-errc; err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	return sts
}

// instance is another `edugroup serve` on the store of first's database:
// its own app (caches, listener) and HTTP server, the same demo objects.
func instance(t *testing.T, first *apptest.Env, st *store.Store) *apptest.Env {
	t.Helper()
	a, err := app.New(context.Background(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server(web.Config{}).Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		a.Policy.Stop()
		_ = a.Audit.StopDenials(context.Background())
	})
	return &apptest.Env{T: t, App: a, Srv: srv, IDs: first.IDs}
}

// postFile posts a score file from any goroutine: errors are returned, not
// fatal.
func postFile(c *apptest.Client, base, path, name string, file []byte) (int, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest("POST", base+path, &body)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	resp, err := c.HC.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestInstancesConcurrentReimport: one school's file imported 20 times at
// once across two instances: every import answers 200 (each replaces the
// part in turn) and the exam holds exactly one copy of it.
func TestInstancesConcurrentReimport(t *testing.T) {
	t.Parallel()
	sts := openPostgres(t, apptest.PostgresDSN(t), 2)
	a := apptest.NewEnv(t, sts[0])
	b := instance(t, a, sts[1])
	x := a.ExamSchools()
	school := a.Str(`SELECT name FROM schools WHERE code = $1`, x.Codes[0])
	jijiao := a.Login("jijiao")
	s, body := jijiao.Do("POST", "/api/v1/exams", map[string]any{"name": "并发导入", "term": "2026-2027学年第一学期", "held_on": "2026-12-20", "stage": "小学",
		"spec": map[string]any{"subjects": []map[string]any{{"name": "语文", "full": 100}, {"name": "数学", "full": 100}}}})
	if s != 201 {
		t.Fatalf("create: %d %s", s, body)
	}
	d := apptest.Decode[exams.Detail](t, body)
	var file strings.Builder
	file.WriteString("考号,姓名,学校,班级,语文,数学\n")
	const students = 12
	for i := 0; i < students; i++ {
		fmt.Fprintf(&file, "4000%02d,学生%d,%s,三(%d)班,%d,%d\n", i, i, school, i%2+1, 60+i, 70+i)
	}
	path := fmt.Sprintf("/api/v1/exams/%d/import", d.ID)
	// The session lives in the database: the same client works on both.
	start := make(chan struct{})
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make(chan answer, 20)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		base := a.Srv.URL
		if i%2 == 1 {
			base = b.Srv.URL
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s, body, err := postFile(jijiao, base, path, "scores.csv", []byte(file.String()))
			answers <- answer{s, body, err}
		}()
	}
	close(start)
	wg.Wait()
	close(answers)
	for ans := range answers {
		if ans.err != nil || ans.status != 200 {
			t.Errorf("import: %d %v %.300s", ans.status, ans.err, ans.body)
		}
	}
	if n := a.One(`SELECT count(*) FROM exam_parts WHERE exam_id = $1`, d.ID); n != 1 {
		t.Fatalf("%d parts stored, want 1", n)
	}
	if n := a.One(`SELECT students FROM exams WHERE id = $1`, d.ID); n != students {
		t.Fatalf("exam counts %d students, want %d", n, students)
	}
	if n := a.One(`SELECT count(*) FROM audit_log WHERE action = 'exam.import' AND object_id = $1`, apptest.Itoa(d.ID)); n != 20 {
		t.Fatalf("%d imports audited, want 20", n)
	}
}

// TestInstancesBootstrapOnce: two instances starting together on a fresh,
// migrated, empty database: exactly one creates the administrator and gets
// a one-time password; the other starts normally and finds it.
func TestInstancesBootstrapOnce(t *testing.T) {
	t.Parallel()
	for round := 0; round < 3; round++ {
		sts := openPostgres(t, storetest.PostgresDSN(t), 2)
		ctx := context.Background()
		start := make(chan struct{})
		type result struct {
			pw  string
			err error
		}
		results := make(chan result, len(sts))
		for _, st := range sts {
			go func() {
				<-start
				a, err := app.New(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
				if err != nil {
					results <- result{err: fmt.Errorf("new: %w", err)}
					return
				}
				pw, err := a.Bootstrap(ctx)
				results <- result{pw, err}
			}()
		}
		close(start)
		var passwords int
		for range sts {
			r := <-results
			if r.err != nil {
				t.Fatalf("round %d: %v", round, r.err)
			}
			if r.pw != "" {
				passwords++
			}
		}
		if passwords != 1 {
			t.Fatalf("round %d: %d one-time passwords issued, want 1", round, passwords)
		}
		var users, admins, versions int
		q := sts[0].R
		if err := q.QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if err := q.QueryRow(`SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'admin' AND g.role = 'system_admin'`).Scan(&admins); err != nil {
			t.Fatal(err)
		}
		if err := q.QueryRow(`SELECT count(*) FROM policy_versions`).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if users != 1 || admins != 1 || versions != 1 {
			t.Fatalf("round %d: %d users, %d admin grants, %d policy versions; want one of each", round, users, admins, versions)
		}
	}
}

// TestInstancesPolicyWithinOneSecond: a security number saved on one
// instance is in force on the other within a second, also after the other's
// listening connection was cut (it reconnects and meanwhile caches briefly).
func TestInstancesPolicyWithinOneSecond(t *testing.T) {
	sts := openPostgres(t, apptest.PostgresDSN(t), 2)
	a := apptest.NewEnv(t, sts[0])
	b := instance(t, a, sts[1])
	ctx := t.Context()
	waitFollowing := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !b.App.Policy.Following() {
			if time.Now().After(deadline) {
				t.Fatal("instance B does not follow policy saves")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	sec := a.Login("secadmin")
	save := func(threshold int) {
		t.Helper()
		s, body := sec.Do("GET", "/api/v1/policy", nil)
		if s != 200 {
			t.Fatalf("policy: %d %s", s, body)
		}
		next := apptest.Decode[policy.Version](t, body).Settings
		next.Security.LockoutThreshold = threshold
		if s, body := sec.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": next}); s != 201 {
			t.Fatalf("save: %d %s", s, body)
		}
	}
	// B reads within the second of the save, not after its cache lifetime.
	seen := func(threshold int) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for {
			p, err := b.App.Policy.Security(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p.LockoutThreshold == threshold {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance B still has lockout_threshold %d a second after %d was saved", p.LockoutThreshold, threshold)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFollowing()
	if p, err := b.App.Policy.Security(ctx); err != nil || p.LockoutThreshold != 5 {
		t.Fatalf("B before: %+v %v", p, err)
	}
	save(3)
	seen(3)

	// Cut the listening connections: B hears again once it has
	// reconnected, and a save in between is in force within the second all
	// the same.
	var cut int
	if err := sts[0].W.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, store.ListenerName).Scan(&cut); err != nil || cut < 1 {
		t.Fatalf("cut %d listening connections: %v", cut, err)
	}
	save(4)
	seen(4)
	waitFollowing()
	if p, _ := b.App.Policy.Security(ctx); p.LockoutThreshold != 4 {
		t.Fatalf("B after reconnecting: %d", p.LockoutThreshold)
	}
	save(6)
	seen(6)
}

// TestInstancesSeeARenameInTheReport: a school renamed through instance A
// shows under its new name in the exam report of both instances at once,
// though both had the report cached and the exam's data did not change.
func TestInstancesSeeARenameInTheReport(t *testing.T) {
	t.Parallel()
	sts := openPostgres(t, apptest.PostgresDSN(t), 2)
	a := apptest.NewEnv(t, sts[0])
	b := instance(t, a, sts[1])
	id := a.One(`SELECT max(id) FROM exams`)
	path := fmt.Sprintf("/api/v1/exams/%d/report?level=school", id)
	old := a.Str(`SELECT name FROM schools WHERE id = $1`, a.IDs.School)
	for _, e := range []*apptest.Env{a, b} {
		if s, body := e.Login("leader").Do("GET", path, nil); s != 200 || !strings.Contains(string(body), old) {
			t.Fatalf("report before: %d %.300s", s, body)
		}
	}
	jj := a.Login("jijiao")
	in := apptest.SchoolInput(t, jj, a.IDs.School)
	in["name"] = old + "（更名）"
	if s, body := jj.Do("PATCH", "/api/v1/schools/"+apptest.Itoa(a.IDs.School), in); s != 200 {
		t.Fatalf("rename: %d %s", s, body)
	}
	for i, e := range []*apptest.Env{a, b} {
		s, body := e.Login("leader").Do("GET", path, nil)
		if s != 200 || !strings.Contains(string(body), old+"（更名）") {
			t.Fatalf("instance %d's report after the rename: %d %.300s", i, s, body)
		}
	}
}
