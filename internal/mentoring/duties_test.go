package mentoring_test

import (
	"context"
	"fmt"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/mentoring"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// activePair makes the demo teacher (an account) the mentor of a new
// teacher of the lead school (no account, so the system acts for her) and
// confirms it on all four sides.
func activePair(t *testing.T, e *apptest.Env, f fixture) mentoring.Detail {
	t.Helper()
	s, b := e.Login("groupadmin").Do("POST", "/api/v1/mentoring/pairs", pairBody(e.IDs.StaffOwn, f.newLead3))
	if s != 201 {
		t.Fatalf("create: %d %s", s, b)
	}
	p := apptest.Decode[mentoring.Detail](t, b)
	sys := auth.SystemActor("test")
	for _, party := range []string{mentoring.PartyMentor, mentoring.PartyMentee, mentoring.PartyMentorSchool, mentoring.PartyMenteeSchool} {
		d, err := e.App.Mentoring.Confirm(context.Background(), sys, p.ID, mentoring.Confirmation{Party: party, Version: p.Version})
		if err != nil {
			t.Fatalf("confirm %s: %v", party, err)
		}
		p = d
	}
	if p.Status != mentoring.Active {
		t.Fatalf("pair not active: %s", p.Status)
	}
	return p
}

func todoKeys(t *testing.T, c *apptest.Client) map[string]workbench.Item {
	t.Helper()
	_, b := c.Do("GET", "/api/v1/workbench", nil)
	out := map[string]workbench.Item{}
	for _, it := range apptest.Decode[workbench.Workbench](t, b).Todo {
		out[it.Key] = it
	}
	return out
}

func count(d mentoring.Detail, term, kind string) mentoring.Count {
	for _, g := range d.Progress {
		if g.Term == term {
			for _, c := range g.Counts {
				if c.Kind == kind {
					return c
				}
			}
		}
	}
	return mentoring.Count{}
}

func TestActivitiesProgressAndBehind(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		f := setup(t, e)
		ctx := context.Background()
		// Mid-term of the first term of 2026–2027 is 16 November.
		today := store.MustDate("2026-11-20")
		e.App.Mentoring.Today = func() store.Date { return today }
		e.App.Workbench.Today = func() store.Date { return today }
		p := activePair(t, e, f)
		teacher := e.Login("teacher")
		path := fmt.Sprintf("/api/v1/mentoring/pairs/%d", p.ID)
		logged := e.AuditCount("mentoring.activity", "")

		// Bad input names each field; a date ahead of today or outside the
		// pairing is refused.
		if s, b := teacher.Do("POST", path+"/activities", map[string]any{"kind": "chat", "observation_link": "https://elsewhere.example/x"}); s != 422 ||
			apptest.Rules(t, b) != "kind,held_on,topic,observation_link" {
			t.Fatalf("empty activity: %d %s", s, b)
		}
		for _, day := range []string{"2026-11-21", "2026-08-31"} {
			if s, b := teacher.Do("POST", path+"/activities", map[string]any{"kind": "demo_lesson", "held_on": day, "topic": "示范课"}); s != 422 || apptest.Rules(t, b) != "held_on" {
				t.Fatalf("activity on %s: %d %s", day, s, b)
			}
		}
		// The mentor logs a 示范课; the mentor cannot confirm it, the mentee
		// (the system for her) can.
		s, b := teacher.Do("POST", path+"/activities", map[string]any{"kind": "demo_lesson", "held_on": "2026-10-12", "topic": "《背影》示范课"})
		if s != 201 {
			t.Fatalf("log: %d %s", s, b)
		}
		demo := apptest.Decode[mentoring.Activity](t, b)
		if demo.Status != mentoring.ActPending || demo.EnteredBy != mentoring.PartyMentor || demo.Term != "2026-2027-1" {
			t.Fatalf("logged: %+v", demo)
		}
		decide := fmt.Sprintf("%s/activities/%d/decide", path, demo.ID)
		if s, b := teacher.Do("POST", decide, map[string]any{"confirm": true, "version": demo.Version}); s != 403 {
			t.Fatalf("confirming one's own entry: %d %s", s, b)
		}
		if s, b := e.Login("principal").Do("POST", path+"/activities", map[string]any{"kind": "seminar", "held_on": "2026-10-12", "topic": "研讨"}); s != 403 {
			t.Fatalf("a principal logs for the pair: %d %s", s, b)
		}
		if _, err := e.App.Mentoring.DecideActivity(ctx, auth.SystemActor("test"), p.ID, demo.ID, mentoring.Decision{Confirm: true, Version: demo.Version}); err != nil {
			t.Fatalf("mentee confirms: %v", err)
		}
		// The mentee logs eight observations of the mentor's lessons; the
		// mentor confirms them from the workbench, rejecting one with a reason.
		var obs []mentoring.Activity
		for i := 0; i < 8; i++ {
			x, err := e.App.Mentoring.LogActivity(ctx, auth.SystemActor("test"), p.ID, mentoring.ActivityInput{Kind: mentoring.ActMenteeObserves,
				HeldOn: store.MustDate(fmt.Sprintf("2026-10-%02d", 10+i)), Topic: fmt.Sprintf("听课 %d", i+1), Party: mentoring.PartyMentee})
			if err != nil {
				t.Fatalf("mentee logs: %v", err)
			}
			obs = append(obs, x)
		}
		todo := todoKeys(t, teacher)
		for _, x := range obs {
			if _, ok := todo[fmt.Sprintf("mentoring:activity:%d", x.ID)]; !ok {
				t.Fatalf("activity %d is not the mentor's to-do", x.ID)
			}
		}
		if s, b := teacher.Do("POST", fmt.Sprintf("%s/activities/%d/decide", path, obs[0].ID), map[string]any{"confirm": false, "version": obs[0].Version}); s != 422 ||
			apptest.Rules(t, b) != "reason" {
			t.Fatalf("reject without a reason: %d %s", s, b)
		}
		if s, b := teacher.Do("POST", fmt.Sprintf("%s/activities/%d/decide", path, obs[0].ID), map[string]any{"confirm": false, "reason": "当天未听课", "version": obs[0].Version}); s != 200 {
			t.Fatalf("reject: %d %s", s, b)
		}
		for _, x := range obs[1:4] {
			if s, b := teacher.Do("POST", fmt.Sprintf("%s/activities/%d/decide", path, x.ID), map[string]any{"confirm": true, "version": x.Version}); s != 200 {
				t.Fatalf("confirm: %d %s", s, b)
			}
		}
		if s, b := teacher.Do("POST", fmt.Sprintf("%s/activities/%d/decide", path, obs[1].ID), map[string]any{"confirm": true, "version": obs[1].Version + 1}); s != 409 {
			t.Fatalf("deciding twice: %d %s", s, b)
		}
		if e.AuditCount("mentoring.activity", "")-logged != 9 {
			t.Fatal("activities not audited")
		}
		// Progress: 3 of 8 observations confirmed, 4 pending, 1 rejected;
		// the 示范课 done. Past mid-term, under half is behind plan.
		_, b = teacher.Do("GET", path, nil)
		d := apptest.Decode[mentoring.Detail](t, b)
		if c := count(d, "2026-2027-1", mentoring.ActMenteeObserves); c.Target != 8 || c.Confirmed != 3 || c.Pending != 4 {
			t.Fatalf("observations: %+v", c)
		}
		if c := count(d, "2026-2027-1", mentoring.ActDemoLesson); c.Confirmed != 1 || c.Target != 1 {
			t.Fatalf("demo lessons: %+v", c)
		}
		// A target of one (the 汇报课 at the end of term) is not due at mid-term.
		if len(d.Progress) != 1 || fmt.Sprint(d.Progress[0].Behind) != "[mentee_observes mentor_observes plan_review]" || d.Progress[0].MidTerm.String() != "2026-11-16" {
			t.Fatalf("progress: %+v", d.Progress)
		}
		behindKey := fmt.Sprintf("mentoring:%d:behind:2026-2027-1", p.ID)
		if _, ok := todoKeys(t, teacher)[behindKey]; !ok {
			t.Fatal("the mentor has no behind-plan to-do")
		}
		// Before mid-term nobody is behind yet.
		today = store.MustDate("2026-11-10")
		if _, ok := todoKeys(t, teacher)[behindKey]; ok {
			t.Fatal("behind plan before mid-term")
		}
		today = store.MustDate("2026-11-20")
		// The group's figure counts the pair.
		ga := e.Login("groupadmin")
		_, b = ga.Do("GET", "/api/v1/workbench", nil)
		var behind int64 = -1
		for _, fg := range apptest.Decode[workbench.Workbench](t, b).Figures {
			if fg.Key == "mentoring_behind" {
				behind = fg.Value
			}
		}
		if behind < 1 {
			t.Fatalf("behind figure: %d", behind)
		}
		// Scope: another group's admin cannot log or see the activity.
		if s, _ := e.Login("multi").Do("GET", path, nil); s != 404 {
			t.Fatalf("another group reads the pair: %d", s)
		}
	})
}

func TestTermReview(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		f := setup(t, e)
		ctx := context.Background()
		today := store.MustDate("2026-12-20")
		e.App.Mentoring.Today = func() store.Date { return today }
		e.App.Workbench.Today = func() store.Date { return today }
		p := activePair(t, e, f)
		teacher, lead := e.Login("teacher"), e.Login("leadadmin")
		path := fmt.Sprintf("/api/v1/mentoring/pairs/%d/review", p.ID)
		// Before the last month of the term the review is not open.
		if s, b := teacher.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "mentor", "text": "进步明显", "grade": "good"}); s != 422 || apptest.Rules(t, b) != "term" {
			t.Fatalf("early review: %d %s", s, b)
		}
		today = store.MustDate("2027-01-10")
		_, b := teacher.Do("GET", fmt.Sprintf("/api/v1/mentoring/pairs/%d", p.ID), nil)
		if d := apptest.Decode[mentoring.Detail](t, b); d.ReviewTerm != "2026-2027-1" {
			t.Fatalf("review term: %q", d.ReviewTerm)
		}
		if _, ok := todoKeys(t, teacher)[fmt.Sprintf("mentoring:%d:review:2026-2027-1", p.ID)]; !ok {
			t.Fatal("the mentor has no review to-do")
		}
		// Each writes only their part; the school grades last.
		if s, b := teacher.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "mentee", "text": "反思"}); s != 403 {
			t.Fatalf("mentor writes the mentee's part: %d %s", s, b)
		}
		if s, b := teacher.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "mentor", "text": "进步明显", "grade": "best"}); s != 422 || apptest.Rules(t, b) != "grade" {
			t.Fatalf("bad grade: %d %s", s, b)
		}
		if s, b := lead.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "school", "text": "同意", "grade": "good"}); s != 422 || apptest.Rules(t, b) != "review_order" {
			t.Fatalf("school before the people: %d %s", s, b)
		}
		s, b := teacher.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "mentor", "text": "课堂常规扎实，进步明显", "grade": "good"})
		if s != 200 {
			t.Fatalf("mentor part: %d %s", s, b)
		}
		d := apptest.Decode[mentoring.Detail](t, b)
		if _, err := e.App.Mentoring.WriteReview(ctx, auth.SystemActor("test"), p.ID, mentoring.ReviewInput{Term: "2026-2027-1", Part: "mentee",
			Text: "汇报课《背影》，反思：提问设计仍需打磨", Version: d.Reviews[0].Version}); err != nil {
			t.Fatalf("mentee part: %v", err)
		}
		// The principal of the mentor's school is not the mentee's school.
		if s, b := e.Login("principal").Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "school", "text": "同意", "grade": "good", "version": 2}); s != 403 {
			t.Fatalf("mentor's school grades: %d %s", s, b)
		}
		if _, ok := todoKeys(t, lead)[fmt.Sprintf("mentoring:%d:grade:2026-2027-1", p.ID)]; !ok {
			t.Fatal("the mentee's school has no grading to-do")
		}
		s, b = lead.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "school", "text": "考核良好", "grade": "good", "version": 2})
		if s != 200 {
			t.Fatalf("school grades: %d %s", s, b)
		}
		d = apptest.Decode[mentoring.Detail](t, b)
		if len(d.Reviews) != 1 || d.Reviews[0].Grade != "good" || d.Reviews[0].MentorGrade != "good" || d.ReviewTerm != "" {
			t.Fatalf("graded: %+v %q", d.Reviews, d.ReviewTerm)
		}
		if s, b := teacher.Do("POST", path, map[string]any{"term": "2026-2027-1", "part": "mentor", "text": "改", "grade": "excellent", "version": 3}); s != 409 {
			t.Fatalf("rewriting a graded review: %d %s", s, b)
		}
		teacherUser := e.One(`SELECT id FROM users WHERE username = 'teacher'`)
		if n := e.One(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'mentoring.reviewed'`, teacherUser); n != 1 {
			t.Fatalf("mentor told of the grade %d times", n)
		}
		if n := e.AuditCount("mentoring.review", ""); n != 3 {
			t.Fatalf("review parts audited: %d", n)
		}
	})
}
