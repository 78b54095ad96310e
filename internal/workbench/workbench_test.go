package workbench_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/exchange"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/workbench"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is the demo county on one store, with actors signed in as the demo
// accounts would be.
type env struct {
	t   *testing.T
	app *app.App
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	a, err := app.New(context.Background(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), st, a.Audit, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Audit.StopDenials(context.Background()) })
	return &env{t: t, app: a}
}

// actor signs username in and returns the actor of its session (its first
// grant active).
func (e *env) actor(username string) auth.Actor {
	e.t.Helper()
	ctx := context.Background()
	_, id, err := e.app.Auth.Login(ctx, username, demo.DefaultPassword, "", "", auth.Client{IP: "127.0.0.1"})
	if err != nil {
		e.t.Fatalf("login %s: %v", username, err)
	}
	_, a, err := e.app.Auth.Authenticate(ctx, id, auth.Client{IP: "127.0.0.1"})
	if err != nil {
		e.t.Fatalf("authenticate %s: %v", username, err)
	}
	return a
}

var demoUsers = []string{"teacher", "principal", "leadadmin", "groupadmin", "jijiao", "ganbu", "renshi", "dudao", "leader", "sysadmin", "auditadmin", "multi"}

func exchangeID(t *testing.T, link string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(link, "/exchanges/"), 10, 64)
	if err != nil || !strings.HasPrefix(link, "/exchanges/") {
		t.Fatalf("link %q is not an exchange", link)
	}
	return id
}

// TestTaskSourceContract: every item on anyone's workbench is an object they
// may open; the teacher's are about the teacher; the counts equal the list
// lengths and the exchange inbox.
func TestTaskSourceContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		for _, u := range demoUsers {
			a := e.actor(u)
			w, err := e.app.Workbench.Get(ctx, a)
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			if w.Counts.Total != len(w.Todo) {
				t.Errorf("%s: total %d, %d to-dos", u, w.Counts.Total, len(w.Todo))
			}
			sum, overdue, soon := 0, 0, 0
			for _, n := range w.Counts.BySource {
				sum += n
			}
			for _, it := range w.Todo {
				switch it.Urgency {
				case workbench.Overdue:
					overdue++
				case workbench.DueSoon:
					soon++
				}
			}
			if sum != len(w.Todo) || overdue != w.Counts.Overdue || soon != w.Counts.DueSoon {
				t.Errorf("%s: by source %v, overdue %d/%d, due soon %d/%d, %d to-dos", u, w.Counts.BySource, w.Counts.Overdue, overdue, w.Counts.DueSoon, soon, len(w.Todo))
			}
			c, err := e.app.Workbench.CountsFor(ctx, a)
			if err != nil || c.Total != w.Counts.Total {
				t.Errorf("%s: counts %+v (%v), workbench %+v", u, c, err, w.Counts)
			}
			if a.Has(auth.PermExchangesRead) {
				box, err := e.app.Exchange.Inbox(ctx, a)
				if err != nil || box.Total != w.Counts.BySource["exchange"] {
					t.Errorf("%s: inbox %d (%v), workbench %d", u, box.Total, err, w.Counts.BySource["exchange"])
				}
			}
			// Sorted: overdue, then due soon, then the rest.
			rank := map[workbench.Urgency]int{workbench.Overdue: 0, workbench.DueSoon: 1, workbench.Normal: 2}
			for i := 1; i < len(w.Todo); i++ {
				if rank[w.Todo[i-1].Urgency] > rank[w.Todo[i].Urgency] {
					t.Errorf("%s: to-dos not sorted by urgency at %d", u, i)
				}
			}
			lists := append(append(append([]workbench.Item{}, w.Todo...), w.Waiting...), w.Upcoming...)
			for _, it := range lists {
				if it.Source != "exchange" {
					continue
				}
				d, err := e.app.Exchange.Detail(ctx, a, exchangeID(t, it.Link))
				if err != nil {
					t.Errorf("%s sees %s (%s) but may not open it: %v", u, it.Key, it.Kind, err)
					continue
				}
				if u == "teacher" && d.StaffID != a.StaffID {
					t.Errorf("the teacher sees %s about staff %d", it.Key, d.StaffID)
				}
			}
			if u == "teacher" {
				// No registry counts (学校数 1 …) for a teacher: only their exams.
				for _, f := range w.Figures {
					if f.Key != "exams_year" {
						t.Errorf("the teacher sees figure %s", f.Key)
					}
				}
			}
		}
	})
}

// walk takes a new application of the demo teacher through the chain to the
// approval, and returns it.
func walk(t *testing.T, e *env) exchange.Detail {
	t.Helper()
	ctx := context.Background()
	teacher, principal, group, jijiao, renshi := e.actor("teacher"), e.actor("principal"), e.actor("groupadmin"), e.actor("jijiao"), e.actor("renshi")
	var lead int64
	if err := e.app.Store.R.QueryRow(`SELECT m.school_id FROM group_members m JOIN group_members mine ON mine.group_id = m.group_id AND mine.left_on IS NULL
		JOIN staff st ON st.school_id = mine.school_id WHERE st.id = $1 AND m.role = 'lead' AND m.left_on IS NULL`, teacher.StaffID).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	today := store.Today()
	d, err := e.app.Exchange.Create(ctx, teacher, exchange.Input{Kind: exchange.KindStudy, StaffID: teacher.StaffID, HostSchoolID: lead,
		StartOn: workbench.AddDays(today, -10), EndOn: workbench.AddDays(today, -1), Purpose: "跟岗学习：语文课堂教学"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(x exchange.Detail, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		d = x
	}
	must(e.app.Exchange.Submit(ctx, teacher, d.ID, exchange.Step{Version: d.Version}))
	must(e.app.Exchange.Endorse(ctx, principal, d.ID, exchange.Endorsement{Party: "home", CoverArrangement: "由同年级王老师代课", Version: d.Version}))
	must(e.app.Exchange.Endorse(ctx, group, d.ID, exchange.Endorsement{Party: "host", Version: d.Version}))
	must(e.app.Exchange.Review(ctx, jijiao, d.ID, exchange.Review{Version: d.Version}))
	must(e.app.Exchange.Approve(ctx, renshi, d.ID, exchange.Step{Version: d.Version}))
	return d
}

func notices(t *testing.T, st *store.Store, username, kind, link string) int {
	t.Helper()
	var n int
	if err := st.R.QueryRow(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = $1 AND n.kind = $2 AND n.link = $3`,
		username, kind, link).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNotificationsFollowTheWorkflow: each step tells whom it reaches, once;
// the applicant hears of the approval; the bell's reads are the reader's own.
func TestNotificationsFollowTheWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		d := walk(t, e)
		link := "/exchanges/" + strconv.FormatInt(d.ID, 10)
		for _, c := range []struct{ user, kind string }{
			{"principal", "exchange.to_act"}, {"groupadmin", "exchange.to_act"}, {"jijiao", "exchange.to_act"}, {"renshi", "exchange.to_act"},
			{"teacher", "exchange.approved"},
		} {
			if n := notices(t, st, c.user, c.kind, link); n != 1 {
				t.Errorf("%s has %d %s notices, want 1", c.user, n, c.kind)
			}
		}
		if n := notices(t, st, "ganbu", "exchange.to_act", link); n != 0 {
			t.Errorf("干部股 was told of a teacher's application (%d)", n)
		}
		if n := notices(t, st, "renshi", "exchange.approved", link); n != 0 {
			t.Errorf("the approver was told of their own approval")
		}
		// The same event posted again (a retry) is still one notice.
		var uid int64
		if err := st.R.QueryRow(`SELECT id FROM users WHERE username = 'teacher'`).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		var key string
		if err := st.R.QueryRow(`SELECT event_key FROM notifications WHERE user_id = $1 AND kind = 'exchange.approved'`, uid).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if err := e.app.Workbench.PostNow(ctx, workbench.Notice{UserID: uid, EventKey: key, Kind: "exchange.approved", Link: link}); err != nil {
			t.Fatal(err)
		}
		if n := notices(t, st, "teacher", "exchange.approved", link); n != 1 {
			t.Fatalf("re-posted event stored %d times", n)
		}

		teacher, principal := e.actor("teacher"), e.actor("principal")
		list, err := e.app.Workbench.Notifications(ctx, teacher)
		if err != nil || list.Unread < 1 || len(list.Items) < 1 {
			t.Fatalf("teacher's bell: %+v %v", list, err)
		}
		var approved workbench.Notification
		for _, n := range list.Items {
			if n.Kind == "exchange.approved" && n.Link == link {
				approved = n
			}
		}
		if approved.ID == 0 || approved.Subject == "" {
			t.Fatalf("no approval notice in %+v", list.Items)
		}
		// Another person cannot mark it read: not found.
		if _, err := e.app.Workbench.MarkRead(ctx, principal, approved.ID); err == nil {
			t.Fatal("the principal marked the teacher's notice read")
		}
		after, err := e.app.Workbench.MarkRead(ctx, teacher, approved.ID)
		if err != nil || after.Unread != list.Unread-1 {
			t.Fatalf("mark read: %d → %d (%v)", list.Unread, after.Unread, err)
		}
		all, err := e.app.Workbench.MarkAllRead(ctx, teacher)
		if err != nil || all.Unread != 0 {
			t.Fatalf("mark all read: %d (%v)", all.Unread, err)
		}
		w, err := e.app.Workbench.Get(ctx, teacher)
		if err != nil || w.Counts.Unread != 0 {
			t.Fatalf("workbench unread %d (%v)", w.Counts.Unread, err)
		}
	})
}

// TestWorkbenchShowsTheChain: the teacher's application waits at the
// principal's, and the principal's to-do opens it.
func TestWorkbenchShowsTheChain(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	teacher, principal := e.actor("teacher"), e.actor("principal")
	var lead int64
	if err := e.app.Store.R.QueryRow(`SELECT m.school_id FROM group_members m JOIN group_members mine ON mine.group_id = m.group_id AND mine.left_on IS NULL
		JOIN staff st ON st.school_id = mine.school_id WHERE st.id = $1 AND m.role = 'lead' AND m.left_on IS NULL`, teacher.StaffID).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	today := store.Today()
	d, err := e.app.Exchange.Create(ctx, teacher, exchange.Input{Kind: exchange.KindStudy, StaffID: teacher.StaffID, HostSchoolID: lead,
		StartOn: workbench.AddDays(today, -10), EndOn: workbench.AddDays(today, -1), Purpose: "跟岗学习"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Exchange.Submit(ctx, teacher, d.ID, exchange.Step{Version: d.Version}); err != nil {
		t.Fatal(err)
	}
	link := "/exchanges/" + strconv.FormatInt(d.ID, 10)
	has := func(items []workbench.Item, kind string) bool {
		for _, it := range items {
			if it.Link == link && it.Kind == kind {
				return true
			}
		}
		return false
	}
	tw, err := e.app.Workbench.Get(ctx, teacher)
	if err != nil || !has(tw.Waiting, "exchange.waiting.submitted") {
		t.Fatalf("teacher's waiting list lacks the application: %+v %v", tw.Waiting, err)
	}
	pw, err := e.app.Workbench.Get(ctx, principal)
	if err != nil || !has(pw.Todo, "exchange.endorse") {
		t.Fatalf("principal's to-dos lack the endorsement: %+v %v", pw.Todo, err)
	}
	for _, it := range pw.Todo {
		if it.Link == link && it.Urgency != workbench.Overdue {
			t.Errorf("an endorsement after the start date is %s, want overdue", it.Urgency)
		}
	}
}

// TestNoticeOnceAcrossInstances: two instances on one PostgreSQL database
// race to approve the same application; one wins, and the applicant is told
// once.
func TestNoticeOnceAcrossInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *store.Store {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	st1 := open()
	e1 := newEnv(t, st1)
	st2 := open()
	a2, err := app.New(ctx, st2, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e2 := &env{t: t, app: a2}
	// Walk to the review on the first instance.
	teacher, principal, group, jijiao := e1.actor("teacher"), e1.actor("principal"), e1.actor("groupadmin"), e1.actor("jijiao")
	var lead int64
	if err := st1.R.QueryRow(`SELECT m.school_id FROM group_members m JOIN group_members mine ON mine.group_id = m.group_id AND mine.left_on IS NULL
		JOIN staff st ON st.school_id = mine.school_id WHERE st.id = $1 AND m.role = 'lead' AND m.left_on IS NULL`, teacher.StaffID).Scan(&lead); err != nil {
		t.Fatal(err)
	}
	today := store.Today()
	d, err := e1.app.Exchange.Create(ctx, teacher, exchange.Input{Kind: exchange.KindStudy, StaffID: teacher.StaffID, HostSchoolID: lead,
		StartOn: workbench.AddDays(today, -10), EndOn: workbench.AddDays(today, -1), Purpose: "跟岗学习"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func(exchange.Detail) (exchange.Detail, error){
		func(d exchange.Detail) (exchange.Detail, error) {
			return e1.app.Exchange.Submit(ctx, teacher, d.ID, exchange.Step{Version: d.Version})
		},
		func(d exchange.Detail) (exchange.Detail, error) {
			return e1.app.Exchange.Endorse(ctx, principal, d.ID, exchange.Endorsement{Party: "home", CoverArrangement: "代课", Version: d.Version})
		},
		func(d exchange.Detail) (exchange.Detail, error) {
			return e1.app.Exchange.Endorse(ctx, group, d.ID, exchange.Endorsement{Party: "host", Version: d.Version})
		},
		func(d exchange.Detail) (exchange.Detail, error) {
			return e1.app.Exchange.Review(ctx, jijiao, d.ID, exchange.Review{Version: d.Version})
		},
	}
	for _, step := range steps {
		if d, err = step(d); err != nil {
			t.Fatal(err)
		}
	}
	// 人事股 on both instances at once, several times over.
	r1, r2 := e1.actor("renshi"), e2.actor("renshi")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		for _, inst := range []struct {
			e *env
			a auth.Actor
		}{{e1, r1}, {e2, r2}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := inst.e.app.Exchange.Approve(ctx, inst.a, d.ID, exchange.Step{Version: d.Version}); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d approvals won", wins)
	}
	link := "/exchanges/" + strconv.FormatInt(d.ID, 10)
	if n := notices(t, st1, "teacher", "exchange.approved", link); n != 1 {
		t.Fatalf("the teacher was told %d times", n)
	}
	// The same notice posted by both instances at once is stored once.
	var uid int64
	if err := st1.R.QueryRow(`SELECT id FROM users WHERE username = 'principal'`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		for _, wb := range []*workbench.Service{e1.app.Workbench, e2.app.Workbench} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = wb.PostNow(ctx, workbench.Notice{UserID: uid, EventKey: "test:race", Kind: "reminder.due_soon", Link: link})
			}()
		}
	}
	wg.Wait()
	var n int
	if err := st1.R.QueryRow(`SELECT count(*) FROM notifications WHERE event_key = 'test:race'`).Scan(&n); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("raced notice stored %d times", n)
	}
}

// TestDemoNotices: the demo's bell is lived-in, and seeding it twice changes
// nothing.
func TestDemoNotices(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := demo.Notices(ctx, e.app.Store); err != nil {
			t.Fatal(err)
		}
	}
	var total int
	if err := e.app.Store.R.QueryRow(`SELECT count(*) FROM notifications`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if err := demo.Notices(ctx, e.app.Store); err != nil {
		t.Fatal(err)
	}
	var again int
	if err := e.app.Store.R.QueryRow(`SELECT count(*) FROM notifications`).Scan(&again); err != nil || again != total {
		t.Fatalf("seeded again: %d → %d (%v)", total, again, err)
	}
	for _, u := range []string{"principal", "groupadmin", "jijiao", "renshi"} {
		list, err := e.app.Workbench.Notifications(ctx, e.actor(u))
		if err != nil || len(list.Items) == 0 {
			t.Errorf("%s has an empty bell (%v)", u, err)
		}
	}
}
