package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"edugroup/internal/app"
	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/registry"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// TestTriadAccountsCannotTakeEachOtherOver: no holder of one of the three
// admin roles may reset, rename, disable, unlock, re-grant or strip the
// second factor of an account holding another of them, and admin accounts
// hold no business role. Each refusal is audited; the command line (the
// recovery path) still may.
func TestTriadAccountsCannotTakeEachOtherOver(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sys, sec := e.Login("sysadmin"), e.Login("secadmin")
		uid := func(name string) string { return apptest.Itoa(e.One(`SELECT id FROM users WHERE username = $1`, name)) }
		version := func(name string) int64 { return e.One(`SELECT version FROM users WHERE username = $1`, name) }
		refused := func(what string, s int, b []byte) {
			t.Helper()
			if s != 422 || !strings.Contains(apptest.Rules(t, b), "separation_of_duties") && !strings.Contains(apptest.Rules(t, b), "admin_no_business") {
				t.Errorf("%s: %d %s, want the separation-of-duties rule", what, s, b)
			}
		}
		for _, target := range []string{"secadmin", "auditadmin"} {
			s, b := sys.Do("POST", "/api/v1/users/"+uid(target)+"/password-reset", nil)
			refused("system admin resets "+target, s, b)
			yes := true
			s, b = sys.Do("PATCH", "/api/v1/users/"+uid(target), map[string]any{"disabled": yes, "version": version(target)})
			refused("system admin disables "+target, s, b)
			s, b = sys.Do("PATCH", "/api/v1/users/"+uid(target), map[string]any{"display_name": "改名", "version": version(target)})
			refused("system admin renames "+target, s, b)
		}
		for _, target := range []string{"sysadmin", "auditadmin"} {
			s, b := sec.Do("POST", "/api/v1/users/"+uid(target)+"/grants", map[string]any{"role": "section_personnel", "scope_type": "county", "scope_id": 0})
			refused("security admin grants 人事股 to "+target, s, b)
			s, b = sec.Do("POST", "/api/v1/users/"+uid(target)+"/unlock", nil)
			refused("security admin unlocks "+target, s, b)
			s, b = sec.Do("POST", "/api/v1/users/"+uid(target)+"/totp-reset", nil)
			refused("security admin removes the factor of "+target, s, b)
			grant := e.One(`SELECT id FROM role_grants WHERE user_id = $1`, uid(target))
			s, b = sec.Do("DELETE", fmt.Sprintf("/api/v1/users/%s/grants/%d", uid(target), grant), nil)
			refused("security admin removes the role of "+target, s, b)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND detail LIKE '%separation_of_duties%'`); n != 14 {
			t.Errorf("refused triad actions audited %d times, want 14", n)
		}
		// Nothing changed: the audit admin still signs in with the demo password.
		e.Login("auditadmin")

		// A fresh account: a business role, then an admin role beside it, is refused; and the other way round.
		s, b := sys.Do("POST", "/api/v1/users", map[string]any{"username": "newclerk", "display_name": "新职员"})
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		s, b = sys.Do("POST", "/api/v1/users", map[string]any{"username": "newaudit", "display_name": "新审计员"})
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		if s, b := sec.Do("POST", "/api/v1/users/"+uid("newclerk")+"/grants", map[string]any{"role": "section_basic", "scope_type": "county"}); s != 200 {
			t.Fatalf("business grant: %d %s", s, b)
		}
		s, b = sec.Do("POST", "/api/v1/users/"+uid("newclerk")+"/grants", map[string]any{"role": "audit_admin", "scope_type": "county"})
		refused("admin role beside a business role", s, b)
		if s, b := sec.Do("POST", "/api/v1/users/"+uid("newaudit")+"/grants", map[string]any{"role": "audit_admin", "scope_type": "county"}); s != 200 {
			t.Fatalf("admin grant: %d %s", s, b)
		}
		s, b = sec.Do("POST", "/api/v1/users/"+uid("newaudit")+"/grants", map[string]any{"role": "bureau_leader", "scope_type": "county"})
		refused("business role beside an admin role", s, b)
		// Accounts of the same admin role are not protected from each other's admin:
		// the system admin resets an account that holds no admin role.
		if s, b := sys.Do("POST", "/api/v1/users/"+uid("newclerk")+"/password-reset", nil); s != 200 {
			t.Fatalf("reset a business account: %d %s", s, b)
		}
		// The command line on the server recovers an admin account, audited.
		id := e.One(`SELECT id FROM users WHERE username = 'auditadmin'`)
		if _, err := e.App.Auth.ResetPassword(context.Background(), auth.SystemActor("cli:root"), id); err != nil {
			t.Fatalf("command-line recovery: %v", err)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'user.password_reset' AND username = 'cli:root' AND object_id = $1`, apptest.Itoa(id)); n != 1 {
			t.Fatalf("command-line recovery audited %d times", n)
		}
	})
}

// TestVoluntaryTOTPIsAlwaysRequired: a user who enabled a second factor
// gives a code at every login, though no policy lists their role.
func TestVoluntaryTOTPIsAlwaysRequired(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("leader")
		s, b := c.Do("POST", "/api/v1/session/totp/setup", nil)
		if s != 200 {
			t.Fatalf("setup: %d %s", s, b)
		}
		secret := apptest.Decode[struct {
			Secret string `json:"secret"`
		}](t, b).Secret
		now := time.Now()
		code, _ := totp.GenerateCode(secret, now)
		if s, b := c.Do("POST", "/api/v1/session/totp/enable", map[string]string{"code": code}); s != 200 {
			t.Fatalf("enable: %d %s", s, b)
		}
		s, b = e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "leader", "password": demo.DefaultPassword})
		if s != 401 || apptest.ParseErr(t, b).Error.Code != "otp_required" {
			t.Fatalf("voluntary factor skipped: %d %s", s, b)
		}
		later := now.Add(30 * time.Second)
		e.App.Auth.Now = func() time.Time { return later }
		defer func() { e.App.Auth.Now = store.Now }()
		next, _ := totp.GenerateCode(secret, later)
		if s, b := e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "leader", "password": demo.DefaultPassword, "otp": next}); s != 200 {
			t.Fatalf("with the code: %d %s", s, b)
		}
	})
}

// TestLoginThrottlePerAddress: password spraying from one address (many
// usernames, each below the account lockout) is refused with 429 and
// Retry-After once the address's limit is reached, audited; another address
// still signs in; and a second instance on the same database refuses the
// address too (the counters are in the database).
func TestLoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		srv := httptest.NewServer(e.App.Server(web.Config{TrustProxy: true}).Handler())
		defer srv.Close()
		login := func(url, addr, user, pw string) (int, http.Header, []byte) {
			body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
			req, _ := http.NewRequest("POST", url+"/api/v1/session", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", addr)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header, b
		}
		sec, err := e.App.Policy.Security(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		const spray = "203.0.113.7"
		for i := 0; i < sec.ThrottleAddressFailures; i++ {
			if s, _, b := login(srv.URL, spray, fmt.Sprintf("guess%02d", i), "Wrong#2026x"); s != 401 {
				t.Fatalf("failure %d: %d %s", i, s, b)
			}
		}
		// The address is refused now, even with a right password, before any password work.
		s, h, b := login(srv.URL, spray, "teacher", demo.DefaultPassword)
		if s != 429 || h.Get("Retry-After") == "" || apptest.ParseErr(t, b).Error.Code != "too_many_requests" || !strings.Contains(apptest.ParseErr(t, b).Error.Message, "分钟") {
			t.Fatalf("after %d failures: %d %q %s", sec.ThrottleAddressFailures, s, h.Get("Retry-After"), b)
		}
		// Another address is not affected.
		if s, _, b := login(srv.URL, "198.51.100.9", "teacher", demo.DefaultPassword); s != 200 {
			t.Fatalf("another address: %d %s", s, b)
		}
		// A second instance on the same database refuses the address too.
		a2, err := app.New(context.Background(), st, e.App.Log)
		if err != nil {
			t.Fatal(err)
		}
		srv2 := httptest.NewServer(a2.Server(web.Config{TrustProxy: true}).Handler())
		defer srv2.Close()
		if s, _, b := login(srv2.URL, spray, "teacher", demo.DefaultPassword); s != 429 {
			t.Fatalf("second instance: %d %s", s, b)
		}
		if n := e.AuditCount("login.throttle", ""); n != 1 {
			t.Errorf("throttle blocks audited %d times, want 1", n)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome = 'denied' AND detail LIKE '%throttled%'`); n != 2 {
			t.Errorf("throttled logins audited %d times, want 2", n)
		}
		// The block ends: the address signs in again after the block time.
		later := time.Now().Add(time.Duration(sec.ThrottleBlockMinutes)*time.Minute + time.Second)
		e.App.Auth.Now = func() time.Time { return later }
		defer func() { e.App.Auth.Now = store.Now }()
		if s, _, b := login(srv.URL, spray, "teacher", demo.DefaultPassword); s != 200 {
			t.Fatalf("after the block: %d %s", s, b)
		}
		if n, err := e.App.Auth.PurgeLoginThrottle(context.Background()); err != nil || n == 0 {
			t.Fatalf("purge spent buckets: %d %v", n, err)
		}
	})
}

// TestDuplicateIDNamesNobodyOutsideScope: registering an ID number held at
// a school outside the caller's scope is refused without naming the person
// or the school (by form and by import), and the attempt is audited; inside
// the scope the refusal names the record so the user can find it.
func TestDuplicateIDNamesNobodyOutsideScope(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		p := e.Login("principal")
		var otherID, otherName, otherNo, otherSchool string
		_ = st.R.QueryRow(`SELECT st.id_card, st.name, st.staff_no, s.name FROM staff st JOIN schools s ON s.id = st.school_id WHERE st.id = $1`, e.IDs.StaffOther).
			Scan(&otherID, &otherName, &otherNo, &otherSchool)
		var ownID, ownName string
		_ = st.R.QueryRow(`SELECT id_card, name FROM staff WHERE school_id = $1 AND id <> $2 ORDER BY id LIMIT 1`, e.IDs.School, e.IDs.StaffOwn).Scan(&ownID, &ownName)
		gender := map[bool]string{true: "M", false: "F"}
		person := func(no, card string) map[string]any {
			return map[string]any{"staff_no": no, "name": "新同事", "gender": gender[registry.IDMale(card)], "id_card": card, "school_id": e.IDs.School,
				"post": "teacher", "subject": "数学", "title": "二级教师", "hire_date": "2015-09-01"}
		}
		s, b := p.Do("POST", "/api/v1/staff", person("X0001", otherID))
		if s != 409 {
			t.Fatalf("duplicate from another group: %d %s", s, b)
		}
		for _, leak := range []string{otherName, otherNo, otherSchool} {
			if strings.Contains(string(b), leak) {
				t.Fatalf("the refusal names %q: %s", leak, b)
			}
		}
		if !strings.Contains(string(b), "人事股") {
			t.Fatalf("the refusal does not say whom to ask: %s", b)
		}
		s, b = p.Do("POST", "/api/v1/staff", person("X0002", ownID))
		if s != 409 || !strings.Contains(string(b), ownName) {
			t.Fatalf("duplicate in the own school should name the record: %d %s", s, b)
		}
		var code string
		_ = st.R.QueryRow(`SELECT code FROM schools WHERE id = $1`, e.IDs.School).Scan(&code)
		hdr := []any{"工号", "姓名", "性别", "身份证号", "手机号", "学校标识码", "岗位", "任教学科", "职称", "学历", "参加工作日期"}
		g := map[bool]string{true: "男", false: "女"}[registry.IDMale(otherID)]
		file := apptest.Workbook(t, [][]any{hdr, {"X0003", "新同事", g, otherID, "13911114444", code, "教师", "数学", "一级教师", "20", "2003-09-01"}})
		s, b = p.Upload("/api/v1/staff/import", file, nil)
		if s != 422 || strings.Contains(string(b), otherName) || strings.Contains(string(b), otherSchool) || !strings.Contains(string(b), "人事股") {
			t.Fatalf("import of a number held elsewhere: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'staff.id_duplicate' AND outcome = 'denied' AND object_id = $1`, apptest.Itoa(e.IDs.StaffOther)); n != 2 {
			t.Fatalf("attempts audited %d times, want 2 (form and import)", n)
		}
		var detail string
		_ = st.R.QueryRow(`SELECT detail FROM audit_log WHERE action = 'staff.id_duplicate' ORDER BY id LIMIT 1`).Scan(&detail)
		if strings.Contains(detail, otherID) {
			t.Fatalf("the audit record holds the full ID number: %s", detail)
		}
	})
}

// TestSchoolAdminCannotChangeBureauFieldsBySendingThemEmpty: the bureau-only
// check compares the record that would be stored, so an empty legal_person
// (which validation turns into "independent") is a change like any other.
func TestSchoolAdminCannotChangeBureauFieldsBySendingThemEmpty(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		if _, err := st.W.Exec(`UPDATE schools SET legal_person = 'campus', parent_school_id = $1 WHERE id = $2`, e.IDs.LeadSchool, e.IDs.School); err != nil {
			t.Fatal(err)
		}
		p := e.Login("principal")
		in := apptest.SchoolInput(t, p, e.IDs.School)
		in["phone"] = "0552-8012345"
		for _, blank := range []map[string]any{{"legal_person": ""}, {"legal_person": "", "parent_school_id": nil}, {"legal_person": "independent", "parent_school_id": nil}} {
			try := map[string]any{}
			for k, v := range in {
				try[k] = v
			}
			for k, v := range blank {
				try[k] = v
			}
			s, b := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.School), try)
			if s != 422 || !strings.Contains(string(b), "bureau") && !strings.Contains(string(b), "教育局") {
				t.Errorf("school admin sent %v: %d %s", blank, s, b)
			}
		}
		if lp := e.Str(`SELECT legal_person FROM schools WHERE id = $1`, e.IDs.School); lp != "campus" {
			t.Fatalf("legal person changed to %s", lp)
		}
		// The fields a school admin owns still save; the audit record masks the phone.
		if s, b := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.School), in); s != 200 {
			t.Fatalf("own fields: %d %s", s, b)
		}
		detail := e.Str(`SELECT detail FROM audit_log WHERE action = 'school.update' ORDER BY id DESC LIMIT 1`)
		if strings.Contains(detail, "8012345") || !strings.Contains(detail, "****") {
			t.Fatalf("school.update holds the phone in clear: %s", detail)
		}
	})
}

// TestNoResponseRebuildsAnIDNumber walks every GET route (JSON and Excel)
// as every role, and the audit log as the audit admin: no full ID number or
// staff phone appears, a school's phone only to those who edit the school,
// and no object that shows a masked ID number
// carries that person's birth date (the hidden ten characters are the
// county code, which the school gives away, and the birth date). Only the
// unmask endpoint, with a reason and an audit record, gives the date.
func TestNoResponseRebuildsAnIDNumber(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		type person struct{ card, birth string }
		people := map[int64]person{}
		rows, err := st.R.Query(`SELECT id, id_card, birth_date FROM staff`)
		if err != nil {
			t.Fatal(err)
		}
		var cards []string
		for rows.Next() {
			var id int64
			var card string
			var birth store.Date
			if err := rows.Scan(&id, &card, &birth); err != nil {
				t.Fatal(err)
			}
			people[id] = person{card, birth.String()}
			cards = append(cards, card)
		}
		rows.Close()
		// Writes that leave audit records about staff.
		p := e.Login("principal")
		_, b := p.Do("GET", fmt.Sprintf("/api/v1/staff/%d", e.IDs.StaffOwn), nil)
		d := apptest.Decode[map[string]any](t, b)
		if _, has := d["birth_date"]; has || d["birth_year"] == nil || d["age"] == nil {
			t.Fatalf("staff detail: %s", b)
		}
		in := map[string]any{}
		for _, k := range []string{"staff_no", "name", "gender", "id_card", "phone", "post", "subject", "stage", "title", "honours", "education", "hire_date", "status", "version"} {
			in[k] = d[k]
		}
		in["title"] = "一级教师"
		if s, b := p.Do("PATCH", fmt.Sprintf("/api/v1/staff/%d", e.IDs.StaffOwn), in); s != 200 {
			t.Fatalf("edit: %d %s", s, b)
		}

		// Staff phones are shown to nobody in full without unmasking; the
		// principal's school's phone only to those who manage the school (a
		// staff phone that is also a school's office number counts as the
		// school's).
		phones := apptest.Column[string](t, st, `SELECT phone FROM staff WHERE phone <> '' AND phone NOT IN (SELECT phone FROM schools)`)
		schoolPhone := e.Str(`SELECT phone FROM schools WHERE id = $1`, e.IDs.School)
		if len(phones) == 0 || schoolPhone == "" {
			t.Fatal("the demo has no phones to look for")
		}
		phoneSet := newAnyOf(phones)
		cardSet := newAnyOf(cards)
		fullCard := cardSet.find
		var walk func(path string, v any)
		checkObject := func(path string, o map[string]any) {
			card, _ := o["id_card"].(string)
			id, _ := o["id"].(float64)
			if !strings.Contains(card, "*") {
				return
			}
			pp, ok := people[int64(id)]
			if !ok {
				return
			}
			raw, _ := json.Marshal(o)
			compact := strings.ReplaceAll(pp.birth, "-", "")
			if bytes.Contains(raw, []byte(pp.birth)) || bytes.Contains(raw, []byte(compact)) {
				t.Errorf("%s: staff %d's masked ID number comes with the birth date: %s", path, int64(id), raw)
			}
		}
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				checkObject(path, x)
				for _, sub := range x {
					walk(path, sub)
				}
			case []any:
				for _, sub := range x {
					walk(path, sub)
				}
			}
		}
		srv := e.App.Server(web.Config{})
		student := apptest.DemoStudent(e.Str(`SELECT code FROM schools WHERE id = $1`, e.IDs.School), 1)
		exchange := e.One(`SELECT min(id) FROM exchanges`)
		team := e.One(`SELECT COALESCE(min(id), 0) FROM exchange_teams`)
		exam := e.One(`SELECT min(id) FROM exams`)
		subst := strings.NewReplacer("/users/{id}", "/users/"+apptest.Itoa(e.One(`SELECT id FROM users WHERE username = 'multi'`)),
			"/schools/{id}", fmt.Sprintf("/schools/%d", e.IDs.School), "/groups/{id}", fmt.Sprintf("/groups/%d", e.IDs.Group),
			"/staff/{id}", fmt.Sprintf("/staff/%d", e.IDs.StaffOwn), "/exchanges/{id}", "/exchanges/"+apptest.Itoa(exchange),
			"/exchange-teams/{id}", "/exchange-teams/"+apptest.Itoa(team), "/exams/{id}", "/exams/"+apptest.Itoa(exam), "{number}", student)
		routes := srv.Router().Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Pattern < routes[j].Pattern })
		checked := 0
		for _, role := range everyone {
			c := e.Login(roleUsers[role])
			for _, rt := range routes {
				if rt.Method != "GET" || rt.Pattern == "/metrics" {
					continue
				}
				path := subst.Replace(rt.Pattern)
				if strings.Contains(path, "{") {
					continue
				}
				s, body := c.Do("GET", path, nil)
				if s != 200 {
					continue
				}
				checked++
				if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil {
					var all bytes.Buffer
					for _, f := range zr.File {
						rc, _ := f.Open()
						io.Copy(&all, rc)
						rc.Close()
					}
					body = all.Bytes()
				}
				if card := fullCard(body); card != "" {
					t.Errorf("GET %s as %s holds a full ID number", rt.Pattern, role)
				}
				if phoneSet.find(body) != "" {
					t.Errorf("GET %s as %s holds a staff phone in full", rt.Pattern, role)
				}
				if role != "section_basic" && role != "school_admin" && bytes.Contains(body, []byte(schoolPhone)) {
					t.Errorf("GET %s as %s holds the school's phone, which it may not edit", rt.Pattern, role)
				}
				var v any
				if json.Unmarshal(body, &v) == nil {
					walk("GET "+rt.Pattern+" as "+role, v)
				}
			}
		}
		if checked < 100 {
			t.Fatalf("only %d answers checked", checked)
		}
		// The audit log, read by the audit admin.
		_, body := e.Login("auditadmin").Do("GET", "/api/v1/audit?page_size=200&action=staff.", nil)
		if card := fullCard(body); card != "" {
			t.Fatalf("the audit log holds a full ID number")
		}
		if !strings.Contains(string(body), "staff.update") {
			t.Fatalf("no staff.update record to check: %s", body)
		}
		// The unmask endpoint gives the full number and the date, audited.
		s, b := p.Do("POST", fmt.Sprintf("/api/v1/staff/%d/unmask", e.IDs.StaffOwn), map[string]string{"reason": "核对交流审批表"})
		u := apptest.Decode[map[string]any](t, b)
		if s != 200 || u["id_card"] != people[e.IDs.StaffOwn].card || u["birth_date"] != people[e.IDs.StaffOwn].birth {
			t.Fatalf("unmask: %d %s", s, b)
		}
	})
}

// anyOf finds which of many strings a body holds, as a bytes.Contains per
// string would, in one pass over the body per distinct length: every window
// is looked up in a set. The sweep above checks thousands of ID numbers and
// phones against every answer of every role.
type anyOf struct {
	first [256]bool
	sets  map[int]map[string]bool
}

func newAnyOf(ss []string) *anyOf {
	a := &anyOf{sets: map[int]map[string]bool{}}
	for _, s := range ss {
		if s == "" {
			continue // holding "" says nothing
		}
		if a.sets[len(s)] == nil {
			a.sets[len(s)] = map[string]bool{}
		}
		a.sets[len(s)][s] = true
		a.first[s[0]] = true
	}
	return a
}

// find returns one of the strings that b contains, or "".
func (a *anyOf) find(b []byte) string {
	for i := range b {
		if !a.first[b[i]] {
			continue
		}
		for n, set := range a.sets {
			if i+n <= len(b) && set[string(b[i:i+n])] {
				return string(b[i : i+n])
			}
		}
	}
	return ""
}

func TestAnyOfAgreesWithContains(t *testing.T) {
	t.Parallel()
	needles := []string{"", "110101199003071234", "11010119900307123X", "13800001111", "0551-1234567", "ab"}
	for _, body := range []string{"", "x", "…110101199003071234…", "11010119900307123", "电话13800001111", "0551-123456", "cab", "a", "b11010119900307123X"} {
		want := false
		for _, n := range needles {
			if n != "" && strings.Contains(body, n) {
				want = true
			}
		}
		got := newAnyOf(needles).find([]byte(body))
		if (got != "") != want || (got != "" && !strings.Contains(body, got)) {
			t.Errorf("%q: found %q, want a match %v", body, got, want)
		}
	}
}
