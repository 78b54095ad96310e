package growth_test

import (
	"context"
	"fmt"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/growth"
	"edugroup/internal/mentoring"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// A teacher of the principal's school with nothing on record is given a
// closed 跟岗学习 of 122 days (March–June 2025), 100 days of 兼课指导 at
// the lead school up to today, and a cross-school pair as mentor whose
// first term is graded 良好. With the default weighting (1 a month, 2 a
// pair, 1 more across schools, 1 a good term) that is 222 days → 7 + 2 +
// 1 + 1 = 11.
func TestRecordFiguresAndRecommendation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ctx := context.Background()
		d := e.IDs
		today := store.MustDate("2027-01-10")
		e.App.Growth.Today = func() store.Date { return today }
		e.App.Mentoring.Today = func() store.Date { return today }
		e.App.Exchange.Today = func() store.Date { return today }
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := e.App.Store.W.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		free := `SELECT id FROM staff WHERE school_id = $1 AND post = 'teacher' AND status = 'active' AND is_cadre = FALSE AND id <> $2
			AND id NOT IN (SELECT staff_id FROM exchanges) AND id NOT IN (SELECT staff_id FROM cross_school_service)
			AND id NOT IN (SELECT mentor_staff_id FROM mentoring_pairs) AND id NOT IN (SELECT mentee_staff_id FROM mentoring_pairs) ORDER BY id LIMIT 1 OFFSET $3`
		me := e.One(free, d.School, d.StaffOwn, 0)
		mentee := e.One(free, d.LeadSchool, 0, 0)
		exec(`UPDATE staff SET honours = '骨干教师', hire_date = '2001-08-20' WHERE id = $1`, me)
		exec(`UPDATE staff SET honours = '', hire_date = '2026-08-20' WHERE id = $1`, mentee)
		now := store.Now()
		exec(`INSERT INTO exchanges (kind, staff_id, is_cadre, group_id, home_school_id, host_school_id, start_on, end_on, purpose, status, created_at, updated_at)
			VALUES ('study', $1, FALSE, $2, $3, $4, '2025-03-01', '2025-06-30', '跟岗学习', 'closed', $5, $5)`, me, d.Group, d.School, d.LeadSchool, now)

		renshi := e.Login("renshi")
		s, b := renshi.Do("POST", fmt.Sprintf("/api/v1/staff/%d/service-record", me), map[string]any{"kind": "teaching", "school_id": d.LeadSchool,
			"start_on": today.AddDate(0, 0, -99).Format("2006-01-02"), "description": "兼课指导 初一数学"})
		if s != 200 && s != 201 {
			t.Fatalf("service entry: %d %s", s, b)
		}
		s, b = e.Login("groupadmin").Do("POST", "/api/v1/mentoring/pairs", map[string]any{"mentor_staff_id": me, "mentee_staff_id": mentee, "kind": "intro",
			"start_term": "2026-2027-1", "end_term": "2026-2027-2", "goals": "站稳讲台"})
		if s != 201 {
			t.Fatalf("pair: %d %s", s, b)
		}
		p := apptest.Decode[mentoring.Detail](t, b)
		sys := auth.SystemActor("test")
		for _, party := range []string{mentoring.PartyMentor, mentoring.PartyMentee, mentoring.PartyMentorSchool, mentoring.PartyMenteeSchool} {
			var err error
			if p, err = e.App.Mentoring.Confirm(ctx, sys, p.ID, mentoring.Confirmation{Party: party, Version: p.Version}); err != nil {
				t.Fatal(err)
			}
		}
		version := 0
		for _, part := range []mentoring.ReviewInput{{Part: "mentor", Text: "进步明显", Grade: "good"}, {Part: "mentee", Text: "反思"}, {Part: "school", Text: "良好", Grade: "good"}} {
			part.Term, part.Version = "2026-2027-1", version
			r, err := e.App.Mentoring.WriteReview(ctx, sys, p.ID, part)
			if err != nil {
				t.Fatalf("review %s: %v", part.Part, err)
			}
			version = r.Reviews[0].Version
		}

		path := fmt.Sprintf("/api/v1/staff/%d/growth", me)
		s, b = renshi.Do("GET", path, nil)
		if s != 200 {
			t.Fatalf("record: %d %s", s, b)
		}
		rec := apptest.Decode[growth.Record](t, b)
		if rec.Window.From.String() != "2024-01-11" || rec.Window.To.String() != "2027-01-10" {
			t.Fatalf("window: %+v", rec.Window)
		}
		kinds := map[string]growth.Entry{}
		for _, x := range rec.Entries {
			kinds[x.Kind] = x
		}
		if x := kinds["exchange.study"]; x.Days != 122 || !x.CrossSchool {
			t.Fatalf("exchange entry: %+v", x)
		}
		if x := kinds["service.teaching"]; x.Days != 100 || !x.CrossSchool {
			t.Fatalf("service entry: %+v", x)
		}
		if x := kinds["mentoring.mentor"]; !x.Mentor || !x.CrossSchoolPair || x.GoodReviews != 1 || x.Outcome != "good" {
			t.Fatalf("mentor entry: %+v", x)
		}
		want := growth.Figures{CrossSchoolDays: 222, MentorPairs: 1, CrossSchoolPairs: 1, GoodReviews: 1, Score: 11}
		if f := rec.Figures; f.CrossSchoolDays != want.CrossSchoolDays || f.MentorPairs != 1 || f.CrossSchoolPairs != 1 || f.GoodReviews != 1 || f.Score != 11 ||
			fmt.Sprint(f.Flags) != "[mentor]" {
			t.Fatalf("figures: %+v, want %+v", f, want)
		}
		// The mentee's record has the pair, counting for nothing.
		_, b = renshi.Do("GET", fmt.Sprintf("/api/v1/staff/%d/growth", mentee), nil)
		if r := apptest.Decode[growth.Record](t, b); len(r.Entries) != 1 || r.Entries[0].Kind != "mentoring.mentee" || r.Figures.Score != 0 {
			t.Fatalf("mentee record: %+v", r)
		}
		// A narrower window drops the exchange.
		_, b = renshi.Do("GET", path+"?from=2026-01-01", nil)
		if r := apptest.Decode[growth.Record](t, b); r.Figures.CrossSchoolDays != 100 || r.Figures.Score != 3+2+1+1 {
			t.Fatalf("narrow window: %+v", r.Figures)
		}
		if s, b := renshi.Do("GET", path+"?from=2026-01-01&to=2025-01-01", nil); s != 422 || apptest.Rules(t, b) != "to" {
			t.Fatalf("reversed window: %d %s", s, b)
		}

		// Scope: the school and the county read it; the person's colleague,
		// another group's admin do not.
		for user, want := range map[string]int{"principal": 200, "groupadmin": 200, "leader": 200, "teacher": 404, "multi": 404} {
			if s, _ := e.Login(user).Do("GET", path, nil); s != want {
				t.Errorf("%s reads the record: %d, want %d", user, s, want)
			}
		}
		if s, _ := e.Login("teacher").Do("GET", fmt.Sprintf("/api/v1/staff/%d/growth", d.StaffOwn), nil); s != 200 {
			t.Errorf("the teacher reads their own record: %d", s)
		}

		// The recommendation list: the same figures, ranked.
		s, b = renshi.Do("GET", "/api/v1/growth/recommendations?post=teacher", nil)
		if s != 200 {
			t.Fatalf("recommendations: %d %s", s, b)
		}
		list := apptest.Decode[growth.Recommendation](t, b)
		var row *growth.Row
		for i, r := range list.Items {
			if i > 0 && r.Figures.Score > list.Items[i-1].Figures.Score {
				t.Fatalf("not ranked: %d after %d", r.Figures.Score, list.Items[i-1].Figures.Score)
			}
			if r.IsCadre {
				t.Fatalf("a cadre on the teachers' list: %+v", r.Person)
			}
			if r.StaffID == me {
				row = &list.Items[i]
			}
		}
		if row == nil || row.Figures.Score != rec.Figures.Score || row.Figures.CrossSchoolDays != rec.Figures.CrossSchoolDays {
			t.Fatalf("the candidate's row: %+v", row)
		}
		_, b = renshi.Do("GET", "/api/v1/growth/recommendations?post=cadre", nil)
		for _, r := range apptest.Decode[growth.Recommendation](t, b).Items {
			if r.StaffID == me || !r.IsCadre {
				t.Fatalf("the cadres' list has %+v", r.Person)
			}
		}
		if s, _ := e.Login("principal").Do("GET", "/api/v1/growth/recommendations", nil); s != 403 {
			t.Fatalf("a school reads the county's list: %d", s)
		}
		exported := e.AuditCount("growth.export", "")
		if s, b := e.Login("ganbu").Do("GET", "/api/v1/growth/recommendations/export?flagged=true", nil); s != 200 || string(b[:2]) != "PK" {
			t.Fatalf("export: %d", s)
		}
		if e.AuditCount("growth.export", "") != exported+1 {
			t.Fatal("the export is not audited")
		}

		// The weighting is policy: validated, naming the field, and used.
		sys2 := e.Login("sysadmin")
		_, b = sys2.Do("GET", "/api/v1/policy", nil)
		set := apptest.Decode[policy.Version](t, b).Settings
		set.Recognition.WindowYears = 0
		if s, b := sys2.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": set}); s != 422 ||
			apptest.Rules(t, b) != "settings.recognition.window_years" {
			t.Fatalf("bad weighting: %d %s", s, b)
		}
	})
}
