package mentoring_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/mentoring"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// fixture picks staff of the demo group and shapes them for the rules: a
// new teacher at the principal's school and two at the lead school, a
// 学科带头人 at the lead school, an untitled teacher there (not a mentor),
// and a veteran at the principal's school.
type fixture struct {
	e                  *apptest.Env
	newHere, newLead   int64 // new teachers: principal's school, lead school
	newLead2, newLead3 int64
	mentor, notMentor  int64 // lead school
	veteran            int64 // principal's school, not new, not a mentor
}

func setup(t *testing.T, e *apptest.Env) fixture {
	t.Helper()
	d := e.IDs
	exec := func(q string, args ...any) {
		if _, err := e.App.Store.W.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Teachers in no pair, at a school, the n-th.
	free := func(school int64, n int) int64 {
		return e.One(`SELECT id FROM staff WHERE school_id = $1 AND post = 'teacher' AND status = 'active' AND id <> $2
			AND id NOT IN (SELECT mentee_staff_id FROM mentoring_pairs) AND id NOT IN (SELECT mentor_staff_id FROM mentoring_pairs)
			ORDER BY id LIMIT 1 OFFSET $3`, school, d.StaffOwn, n)
	}
	f := fixture{e: e, newHere: free(d.School, 0), veteran: free(d.School, 1),
		newLead: free(d.LeadSchool, 0), newLead2: free(d.LeadSchool, 1), newLead3: free(d.LeadSchool, 2),
		mentor: free(d.LeadSchool, 3), notMentor: free(d.LeadSchool, 4)}
	recent := store.Date{Time: store.Today().AddDate(-1, 0, 0)}
	for _, id := range []int64{f.newHere, f.newLead, f.newLead2, f.newLead3} {
		exec(`UPDATE staff SET hire_date = $1, honours = '', title = '二级教师' WHERE id = $2`, recent, id)
	}
	exec(`UPDATE staff SET hire_date = '2000-08-20', honours = '学科带头人', title = '一级教师' WHERE id = $1`, f.mentor)
	exec(`UPDATE staff SET hire_date = '2015-08-20', honours = '', title = '二级教师' WHERE id = $1`, f.notMentor)
	exec(`UPDATE staff SET hire_date = '2005-08-20', honours = '', title = '二级教师' WHERE id = $1`, f.veteran)
	// The demo teacher's active pair ends, leaving the one waiting for
	// confirmation: the tests pair the teacher once more, within the limit.
	exec(`UPDATE mentoring_pairs SET status = 'ended' WHERE mentor_staff_id = $1 AND status = 'active'`, d.StaffOwn)
	return f
}

func pairBody(mentor, mentee int64) map[string]any {
	return map[string]any{"mentor_staff_id": mentor, "mentee_staff_id": mentee, "kind": "intro", "start_term": "2026-2027-1",
		"end_term": "2027-2028-2", "goals": "站稳讲台：教学常规、课堂管理"}
}

func TestPairRulesAndScope(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		f := setup(t, e)
		ga := e.Login("groupadmin")
		created := e.AuditCount("mentoring.create", "")

		// Bad input names every field.
		s, b := ga.Do("POST", "/api/v1/mentoring/pairs", map[string]any{"start_term": "2026-1"})
		if got := apptest.Rules(t, b); s != 422 || got != "mentor_staff_id,mentee_staff_id,kind,start_term,end_term,goals" {
			t.Fatalf("empty pair: %d %s", s, got)
		}
		bad := pairBody(f.mentor, f.newHere)
		bad["end_term"] = "2025-2026-2"
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", bad); s != 422 || apptest.Rules(t, b) != "end_term" {
			t.Fatalf("end before start: %d %s", s, b)
		}
		// The rules, each named.
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.notMentor, f.newHere)); s != 422 || apptest.Rules(t, b) != mentoring.RuleMentorEligible {
			t.Fatalf("untitled mentor: %d %s", s, b)
		}
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.veteran)); s != 422 || apptest.Rules(t, b) != mentoring.RuleMenteeNew {
			t.Fatalf("veteran mentee: %d %s", s, b)
		}
		// A school makes pairs only inside itself.
		if s, b := e.Login("principal").Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newHere)); s != 404 {
			t.Fatalf("school admin across schools: %d %s", s, b)
		}
		// The group pairs across its schools, up to K = 2 per mentor.
		s, b = ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newHere))
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		p := apptest.Decode[mentoring.Detail](t, b)
		if p.Status != mentoring.Proposed || !p.CrossSchool || p.GroupID != e.IDs.Group || p.Duties.MenteeObserves != 8 {
			t.Fatalf("created: %+v", p.Pair)
		}
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newHere)); s != 422 || apptest.Rules(t, b) != mentoring.RuleMenteePaired {
			t.Fatalf("second pair of a mentee: %d %s", s, b)
		}
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newLead)); s != 201 {
			t.Fatalf("second mentee: %d %s", s, b)
		}
		if s, b := ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newLead2)); s != 422 || apptest.Rules(t, b) != mentoring.RuleMaxMentees {
			t.Fatalf("third mentee over K: %d %s", s, b)
		}
		// The principal's school: confirmations are notified.
		principal := e.One(`SELECT id FROM users WHERE username = 'principal'`)
		if n := e.One(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'mentoring.to_confirm'`, principal); n != 1 {
			t.Fatalf("principal notified %d times", n)
		}
		if e.AuditCount("mentoring.create", "") != created+2 {
			t.Fatal("pairs not audited")
		}

		// Scope: the county, the group and both schools see the pair; another
		// group and an unrelated teacher do not.
		path := fmt.Sprintf("/api/v1/mentoring/pairs/%d", p.ID)
		for user, want := range map[string]int{"leader": 200, "renshi": 200, "groupadmin": 200, "principal": 200, "leadadmin": 200, "multi": 404, "teacher": 404} {
			if s, b := e.Login(user).Do("GET", path, nil); s != want {
				t.Errorf("%s reads the pair: %d %s, want %d", user, s, b, want)
			}
		}
		_, b = e.Login("multi").Do("GET", "/api/v1/mentoring/pairs", nil)
		for _, x := range apptest.Decode[struct{ Items []mentoring.Pair }](t, b).Items {
			if x.GroupID == e.IDs.Group {
				t.Errorf("another group's admin lists pair %d", x.ID)
			}
		}
		// Policy: the mentoring section is validated, naming the field.
		sys := e.Login("sysadmin")
		_, b = sys.Do("GET", "/api/v1/policy", nil)
		set := apptest.Decode[policy.Version](t, b).Settings
		set.Mentoring.MaxMentees = 0
		if s, b := sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": set}); s != 422 ||
			apptest.Rules(t, b) != "settings.mentoring.max_mentees" {
			t.Fatalf("bad policy: %d %s", s, b)
		}
	})
}

func TestConfirmationChainCoverageAndTasks(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		f := setup(t, e)
		ga, teacher, principal, lead := e.Login("groupadmin"), e.Login("teacher"), e.Login("principal"), e.Login("leadadmin")
		confirmed := e.AuditCount("mentoring.confirm", "")
		// The demo teacher (高级教师 of 25 years) mentors a new teacher of
		// the lead school; the other side has no account.
		body := pairBody(e.IDs.StaffOwn, f.newLead3)
		body["kind"] = "collab"
		s, b := ga.Do("POST", "/api/v1/mentoring/pairs", body)
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		p := apptest.Decode[mentoring.Detail](t, b)

		hasTask := func(c *apptest.Client, key string) bool {
			_, b := c.Do("GET", "/api/v1/workbench", nil)
			for _, it := range apptest.Decode[workbench.Workbench](t, b).Todo {
				if it.Key == key {
					return true
				}
			}
			return false
		}
		confirmKey := fmt.Sprintf("mentoring:%d:confirm", p.ID)
		for name, c := range map[string]*apptest.Client{"teacher": teacher, "principal": principal, "leadadmin": lead} {
			if !hasTask(c, confirmKey) {
				t.Errorf("%s has no confirmation to-do", name)
			}
		}
		if hasTask(ga, confirmKey) {
			t.Error("the group admin is asked to confirm")
		}
		path := fmt.Sprintf("/api/v1/mentoring/pairs/%d", p.ID)
		// The group admin is no party; a stale version is refused.
		if s, b := teacher.Do("POST", path+"/confirm", map[string]any{"version": p.Version + 1}); s != 409 {
			t.Fatalf("stale: %d %s", s, b)
		}
		s, b = teacher.Do("POST", path+"/confirm", map[string]any{"version": p.Version})
		if p = apptest.Decode[mentoring.Detail](t, b); s != 200 || !p.MentorConfirmed || p.Status != mentoring.Proposed {
			t.Fatalf("mentor confirms: %d %s", s, b)
		}
		if hasTask(teacher, confirmKey) {
			t.Error("the mentor still has the to-do after confirming")
		}
		if s, b := teacher.Do("POST", path+"/confirm", map[string]any{"version": p.Version}); s != 403 {
			t.Fatalf("confirming twice: %d %s", s, b)
		}
		s, b = principal.Do("POST", path+"/confirm", map[string]any{"version": p.Version})
		if p = apptest.Decode[mentoring.Detail](t, b); s != 200 || !p.MentorSchoolConfirmed {
			t.Fatalf("mentor's school confirms: %d %s", s, b)
		}
		s, b = lead.Do("POST", path+"/confirm", map[string]any{"version": p.Version})
		if p = apptest.Decode[mentoring.Detail](t, b); s != 200 || !p.MenteeSchoolConfirmed || p.Status != mentoring.Proposed {
			t.Fatalf("mentee's school confirms: %d %s", s, b)
		}
		// The mentee, without an account, through the service as the system.
		d, err := e.App.Mentoring.Confirm(context.Background(), auth.SystemActor("test"), p.ID, mentoring.Confirmation{Party: mentoring.PartyMentee, Version: p.Version})
		if err != nil || d.Status != mentoring.Active {
			t.Fatalf("mentee confirms: %v %+v", err, d.Pair)
		}
		ganbu := e.One(`SELECT id FROM users WHERE username = 'groupadmin'`)
		if n := e.One(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'mentoring.active'`, ganbu); n != 1 {
			t.Fatalf("proposer told of the active pair %d times", n)
		}
		if n := e.AuditCount("mentoring.confirm", "") - confirmed; n != 4 {
			t.Fatalf("confirmations audited: %d", n)
		}

		// Decline needs a reason.
		s, b = ga.Do("POST", "/api/v1/mentoring/pairs", pairBody(f.mentor, f.newHere))
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		q := apptest.Decode[mentoring.Detail](t, b)
		qpath := fmt.Sprintf("/api/v1/mentoring/pairs/%d", q.ID)
		if s, b := principal.Do("POST", qpath+"/decline", map[string]any{"version": q.Version}); s != 422 || apptest.Rules(t, b) != "note" {
			t.Fatalf("decline without a reason: %d %s", s, b)
		}
		if s, b := principal.Do("POST", qpath+"/decline", map[string]any{"version": q.Version, "note": "本学期已安排校内导师"}); s != 200 ||
			apptest.Decode[mentoring.Detail](t, b).Status != mentoring.Declined {
			t.Fatalf("decline: %d %s", s, b)
		}

		// Coverage of the lead school: the new teachers add up, the pair
		// shows as paired across schools, an unpaired one is the group's task.
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/mentoring/coverage?school_id=%d", e.IDs.LeadSchool), nil)
		if s != 200 {
			t.Fatalf("coverage: %d %s", s, b)
		}
		cov := apptest.Decode[mentoring.Coverage](t, b)
		if len(cov.Schools) != 1 {
			t.Fatalf("coverage schools: %+v", cov.Schools)
		}
		c := cov.Schools[0]
		if c.NewTeachers != c.Paired+c.Pending+c.Unpaired || c.NewTeachers != len(cov.Teachers) || c.Paired < 1 || c.Unpaired < 2 {
			t.Fatalf("coverage counts: %+v (%d teachers)", c, len(cov.Teachers))
		}
		state := map[int64]mentoring.NewTeacher{}
		for _, n := range cov.Teachers {
			state[n.StaffID] = n
		}
		if n := state[f.newLead3]; n.State != "paired" || !n.CrossSchool || n.PairID != p.ID {
			t.Fatalf("paired teacher: %+v", n)
		}
		if n := state[f.newLead]; n.State != "unpaired" {
			t.Fatalf("unpaired teacher: %+v", n)
		}
		unpaired := fmt.Sprintf("mentoring:unpaired:%d", f.newLead)
		if !hasTask(ga, unpaired) {
			t.Fatal("the unpaired new teacher is not the group admin's task")
		}
		if hasTask(e.Login("multi"), unpaired) || hasTask(principal, unpaired) {
			t.Fatal("another group's admin or a school admin gets the group's unpaired task")
		}
		// The task count is the number of unpaired new teachers of the group.
		_, b = ga.Do("GET", "/api/v1/mentoring/coverage?unpaired=true", nil)
		all := apptest.Decode[mentoring.Coverage](t, b)
		_, b = ga.Do("GET", "/api/v1/workbench", nil)
		wb := apptest.Decode[workbench.Workbench](t, b)
		n := 0
		for _, it := range wb.Todo {
			if strings.HasPrefix(it.Key, "mentoring:unpaired:") {
				n++
			}
		}
		if n != len(all.Teachers) || n == 0 {
			t.Fatalf("unpaired tasks %d, coverage says %d", n, len(all.Teachers))
		}
		// The county sees the group; a teacher sees no coverage.
		_, b = e.Login("leader").Do("GET", fmt.Sprintf("/api/v1/mentoring/coverage?group_id=%d", e.IDs.Group), nil)
		if len(apptest.Decode[mentoring.Coverage](t, b).Schools) < 2 {
			t.Fatal("the county does not see the group's schools")
		}
		_, b = teacher.Do("GET", "/api/v1/mentoring/coverage", nil)
		if len(apptest.Decode[mentoring.Coverage](t, b).Schools) != 0 {
			t.Fatal("a teacher sees coverage")
		}
	})
}
