package research_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/research"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// mine is the demo teacher's research group (led by yanzu, slot Thursday
// 5–6), as the teacher lists it.
func mine(t *testing.T, e *apptest.Env) research.GroupDetail {
	t.Helper()
	s, b := e.Login("teacher").Do("GET", "/api/v1/research/groups?mine=true", nil)
	if s != 200 {
		t.Fatalf("my groups: %d %s", s, b)
	}
	gs := apptest.Decode[[]research.Group](t, b)
	if len(gs) != 1 {
		t.Fatalf("the demo teacher is in %d research groups, want 1", len(gs))
	}
	s, b = e.Login("groupadmin").Do("GET", fmt.Sprintf("/api/v1/research/groups/%d", gs[0].ID), nil)
	if s != 200 {
		t.Fatalf("group: %d %s", s, b)
	}
	return apptest.Decode[research.GroupDetail](t, b)
}

func schoolSlot(t *testing.T, c research.SlotCheck, school int64) research.SchoolSlot {
	t.Helper()
	for _, s := range c.Schools {
		if s.SchoolID == school {
			return s
		}
	}
	t.Fatalf("school %d not in the check %+v", school, c)
	return research.SchoolSlot{}
}

func TestGroupsProposedAndDeclaredSlot(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga := e.Login("groupadmin")
		s, b := ga.Do("GET", fmt.Sprintf("/api/v1/research/groups?group_id=%d", e.IDs.Group), nil)
		gs := apptest.Decode[[]research.Group](t, b)
		if s != 200 || len(gs) < 5 {
			t.Fatalf("research groups of the demo group: %d, %d groups", s, len(gs))
		}
		// One research group per stage and subject; every subject taught.
		seen := map[string]bool{}
		for _, g := range gs {
			k := g.Stage + "/" + g.Subject
			if seen[k] || g.LeaderStaffID == 0 || g.Members == 0 {
				t.Fatalf("research group %+v: duplicate or without leader/members", g)
			}
			seen[k] = true
		}
		taught := e.One(`SELECT count(DISTINCT st.subject) FROM staff st JOIN group_members m ON m.school_id = st.school_id AND m.left_on IS NULL
			WHERE m.group_id = $1 AND st.post = 'teacher' AND st.status = 'active' AND st.subject <> ''`, e.IDs.Group)
		subjects := map[string]bool{}
		for _, g := range gs {
			subjects[g.Subject] = true
		}
		if int64(len(subjects)) != taught {
			t.Fatalf("%d subjects in research groups, %d taught", len(subjects), taught)
		}
		// A second proposal keeps them all.
		s, b = ga.Do("POST", "/api/v1/research/groups/propose", map[string]any{"group_id": e.IDs.Group})
		if res := apptest.Decode[research.ProposeResult](t, b); s != 200 || len(res.Created) != 0 || res.Kept != len(gs) {
			t.Fatalf("second proposal: %d %s", s, b)
		}
		// Another group's office cannot propose here; a teacher not at all.
		if s, _ := e.Login("multi").Do("POST", "/api/v1/research/groups/propose", map[string]any{"group_id": e.IDs.Group}); s != 404 {
			t.Fatalf("multi proposes for the demo group: %d", s)
		}

		d := mine(t, e)
		if d.SlotWeekday != 4 || fmt.Sprint(d.SlotPeriods) != "[5 6]" || d.LeaderName == "" {
			t.Fatalf("demo research group: %+v", d.Group)
		}
		// The demo schools' published timetables keep the slot free: the
		// check reads them, not what the schools declared.
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check", d.ID), nil)
		c := apptest.Decode[research.SlotCheck](t, b)
		if s != 200 || len(c.Schools) == 0 || !schoolSlot(t, c, e.IDs.LeadSchool).Free {
			t.Fatalf("Thursday against the published timetables: %d %s", s, b)
		}
		for _, ss := range c.Schools {
			if ss.Source != "timetable" {
				t.Fatalf("school %d checked from %q, not its timetable", ss.SchoolID, ss.Source)
			}
			// Every named conflict is a lesson of a published timetable.
			for _, l := range ss.Conflicts {
				if n := e.One(`SELECT count(*) FROM timetable_lessons l JOIN timetables t ON t.id = l.timetable_id
					WHERE t.school_id = $1 AND l.staff_id = $2 AND l.weekday = $3 AND l.period = $4`,
					ss.SchoolID, l.StaffID, l.Weekday, l.Period); n == 0 {
					t.Fatalf("conflict %+v is no published lesson", l)
				}
			}
		}
		// Without timetables each school's declared free periods decide.
		e.App.Research.SetTimetables(nil)
		// Thursday 5–6: the principal's school declared Thursday taught.
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check", d.ID), nil)
		c = apptest.Decode[research.SlotCheck](t, b)
		if s != 200 || c.AllFree || c.Conflicts != 1 {
			t.Fatalf("Thursday check: %d %s", s, b)
		}
		if ss := schoolSlot(t, c, e.IDs.School); ss.Free || ss.Source != "declared" || fmt.Sprint(ss.Missing) != "[5 6]" {
			t.Fatalf("principal's school on Thursday: %+v", ss)
		}
		if ss := schoolSlot(t, c, e.IDs.LeadSchool); !ss.Free {
			t.Fatalf("lead school on Thursday: %+v", ss)
		}
		// Tuesday 5 is free everywhere; period 9 is past the day.
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check?weekday=2&periods=5", d.ID), nil)
		if c := apptest.Decode[research.SlotCheck](t, b); s != 200 || !c.AllFree {
			t.Fatalf("Tuesday check: %d %s", s, b)
		}
		if s, b := ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check?weekday=2&periods=9", d.ID), nil); s != 422 || apptest.Rules(t, b) != "periods[0]" {
			t.Fatalf("period 9: %d %s", s, b)
		}
		// The principal keeps Thursday 5–6 free too: now every school is.
		pr := e.Login("principal")
		s, b = pr.Do("GET", fmt.Sprintf("/api/v1/research/schools/%d/free-periods", e.IDs.School), nil)
		fp := apptest.Decode[research.FreePeriods](t, b)
		if s != 200 || !fp.CanEdit || len(fp.Periods) != 4 {
			t.Fatalf("free periods: %d %s", s, b)
		}
		ps := append(fp.Periods, research.Period{Weekday: 4, Period: 5}, research.Period{Weekday: 4, Period: 6})
		if s, b := pr.Do("PUT", fmt.Sprintf("/api/v1/research/schools/%d/free-periods", e.IDs.School), map[string]any{"term": fp.Term, "periods": ps}); s != 200 {
			t.Fatalf("declare: %d %s", s, b)
		}
		if s, b := pr.Do("PUT", fmt.Sprintf("/api/v1/research/schools/%d/free-periods", e.IDs.School), map[string]any{"periods": []research.Period{{Weekday: 8, Period: 1}}}); s != 422 || apptest.Rules(t, b) != "periods[0].weekday" {
			t.Fatalf("bad weekday: %d %s", s, b)
		}
		if s, _ := pr.Do("PUT", fmt.Sprintf("/api/v1/research/schools/%d/free-periods", e.IDs.LeadSchool), map[string]any{"periods": ps}); s != 404 {
			t.Fatalf("principal declares for the lead school: %d", s)
		}
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check", d.ID), nil)
		if c := apptest.Decode[research.SlotCheck](t, b); s != 200 || !c.AllFree {
			t.Fatalf("after declaring: %d %s", s, b)
		}
		if n := e.AuditCount("research.free_periods", ""); n == 0 {
			t.Fatal("free periods not audited")
		}

		// Setting the slot: the office, with the version read.
		if s, _ := e.Login("teacher").Do("PUT", fmt.Sprintf("/api/v1/research/groups/%d/slot", d.ID), map[string]any{"weekday": 2, "periods": []int{5}, "version": d.Version}); s != 403 {
			t.Fatalf("teacher sets the slot: %d", s)
		}
		if s, _ := ga.Do("PUT", fmt.Sprintf("/api/v1/research/groups/%d/slot", d.ID), map[string]any{"weekday": 2, "periods": []int{5}, "version": d.Version - 1}); s != 409 {
			t.Fatalf("stale slot: %d", s)
		}
		s, b = ga.Do("PUT", fmt.Sprintf("/api/v1/research/groups/%d/slot", d.ID), map[string]any{"weekday": 2, "periods": []int{6, 5}, "version": d.Version})
		if r := apptest.Decode[research.SlotResult](t, b); s != 200 || r.Group.SlotWeekday != 2 || !r.Check.AllFree || fmt.Sprint(r.Check.Periods) != "[5 6]" {
			t.Fatalf("set slot: %d %s", s, b)
		}

		// Members: the leader must be one; a teacher of another group is refused.
		other := e.One(`SELECT id FROM staff WHERE school_id = $1 AND status = 'active' LIMIT 1`, e.IDs.OtherSchool)
		cur := mine(t, e)
		ids := []int64{}
		for _, m := range cur.MemberList {
			ids = append(ids, m.StaffID)
		}
		bad := append(append([]int64{}, ids...), other)
		if s, b := ga.Do("PUT", fmt.Sprintf("/api/v1/research/groups/%d", cur.ID), map[string]any{"name": cur.Name, "leader_staff_id": cur.LeaderStaffID, "staff_ids": bad, "version": cur.Version}); s != 422 || apptest.Rules(t, b) != fmt.Sprintf("staff_ids[%d]", len(ids)) {
			t.Fatalf("outsider as member: %d %s", s, b)
		}
		var without []int64
		for _, id := range ids {
			if id != cur.LeaderStaffID {
				without = append(without, id)
			}
		}
		if s, b := ga.Do("PUT", fmt.Sprintf("/api/v1/research/groups/%d", cur.ID), map[string]any{"name": cur.Name, "leader_staff_id": cur.LeaderStaffID, "staff_ids": without, "version": cur.Version}); s != 422 || apptest.Rules(t, b) != "leader_staff_id" {
			t.Fatalf("leader not a member: %d %s", s, b)
		}
		// Scope: another group's office does not see it; the county reads it.
		if s, _ := e.Login("multi").Do("GET", fmt.Sprintf("/api/v1/research/groups/%d", cur.ID), nil); s != 404 {
			t.Fatalf("multi reads the demo research group: %d", s)
		}
		if s, _ := e.Login("leader").Do("GET", fmt.Sprintf("/api/v1/research/groups/%d", cur.ID), nil); s != 200 {
			t.Fatalf("county reads: %d", s)
		}
	})
}

// timetables is a published timetable for one school, as the curriculum
// capability will give it.
type timetables struct {
	school  int64
	lessons []research.SlotLesson
}

func (f timetables) SlotLessons(_ context.Context, _ string, schools []int64, weekday int, periods []int) ([]research.SlotLesson, map[int64]bool, error) {
	pub := map[int64]bool{}
	var out []research.SlotLesson
	for _, s := range schools {
		if s == f.school {
			pub[s] = true
		}
	}
	in := map[int]bool{}
	for _, p := range periods {
		in[p] = true
	}
	for _, l := range f.lessons {
		if pub[l.SchoolID] && l.Weekday == weekday && in[l.Period] {
			out = append(out, l)
		}
	}
	return out, pub, nil
}

func TestSlotAgainstPublishedTimetable(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	d := mine(t, e)
	var member, outsider int64
	for _, m := range d.MemberList {
		if m.SchoolID == e.IDs.LeadSchool && member == 0 {
			member = m.StaffID
		}
	}
	outsider = e.One(`SELECT id FROM staff WHERE school_id = $1 AND id NOT IN (SELECT staff_id FROM research_members WHERE research_group_id = $2) LIMIT 1`, e.IDs.LeadSchool, d.ID)
	// The lead school publishes its timetable: a member teaches on Thursday
	// period 5 (a conflict), a non-member at 5, the member again at period 7.
	e.App.Research.SetTimetables(timetables{school: e.IDs.LeadSchool, lessons: []research.SlotLesson{
		{SchoolID: e.IDs.LeadSchool, Class: "五(3)班", StaffID: member, Teacher: "甲", Subject: d.Subject, Weekday: 4, Period: 5},
		{SchoolID: e.IDs.LeadSchool, Class: "四(1)班", StaffID: outsider, Teacher: "乙", Subject: "数学", Weekday: 4, Period: 5},
		{SchoolID: e.IDs.LeadSchool, Class: "五(3)班", StaffID: member, Teacher: "甲", Subject: d.Subject, Weekday: 4, Period: 7},
	}})
	s, b := e.Login("yanzu").Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check", d.ID), nil)
	c := apptest.Decode[research.SlotCheck](t, b)
	if s != 200 || c.Conflicts != 2 {
		t.Fatalf("check: %d %s", s, b)
	}
	ls := schoolSlot(t, c, e.IDs.LeadSchool)
	if ls.Source != "timetable" || ls.Free || len(ls.Conflicts) != 1 || ls.Conflicts[0].Class != "五(3)班" || ls.Conflicts[0].Period != 5 || ls.Conflicts[0].StaffID != member {
		t.Fatalf("lead school by its timetable: %+v", ls)
	}
	// The declared periods no longer count for a school with a timetable.
	if ps := schoolSlot(t, c, e.IDs.School); ps.Source != "declared" || ps.Free {
		t.Fatalf("principal's school: %+v", ps)
	}
	// Period 6 alone: the lead school is free by its timetable.
	s, b = e.Login("yanzu").Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/slot-check?weekday=4&periods=6", d.ID), nil)
	if ls := schoolSlot(t, apptest.Decode[research.SlotCheck](t, b), e.IDs.LeadSchool); s != 200 || !ls.Free || ls.Source != "timetable" {
		t.Fatalf("period 6: %d %+v", s, ls)
	}
	s, b = e.Login("groupadmin").Do("GET", fmt.Sprintf("/api/v1/research/schools/%d/free-periods", e.IDs.LeadSchool), nil)
	if s != 200 || !apptest.Decode[research.FreePeriods](t, b).Published {
		t.Fatalf("lead school's page says published: %d %s", s, b)
	}
}

var plan = []research.Section{{Title: "教学目标", Body: "目标"}, {Title: "教学过程", Body: "过程"}}

func TestPrepOneEditorVersionsAndAdaptations(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		d := mine(t, e)
		yz, tc := e.Login("yanzu"), e.Login("teacher")
		// The schools' declared free periods decide here (the published
		// timetables are TestSlotAgainstPublishedTimetable's).
		e.App.Research.SetTimetables(nil)
		// Next Thursday in the slot: the principal's school is named.
		on := store.Today().AddDate(0, 0, (4-int(store.Today().Weekday())+7)%7+7)
		body := map[string]any{"research_group_id": d.ID, "title": "第五单元", "lead_staff_id": e.IDs.StaffOwn, "session_on": on.Format("2006-01-02"), "session_periods": []int{5, 6}}
		if s, _ := tc.Do("POST", "/api/v1/research/preps", body); s != 403 {
			t.Fatalf("a member who is not the leader schedules: %d", s)
		}
		s, b := yz.Do("POST", "/api/v1/research/preps", body)
		p := apptest.Decode[research.PrepDetail](t, b)
		if s != 201 || p.Check == nil || p.Check.AllFree || schoolSlot(t, *p.Check, e.IDs.School).Free {
			t.Fatalf("schedule: %d %s", s, b)
		}
		url := fmt.Sprintf("/api/v1/research/preps/%d", p.ID)
		// 初备 is the 主备人's: the leader may not edit yet.
		if s, _ := yz.Do("POST", url+"/lease", nil); s != 403 {
			t.Fatalf("leader leases a draft: %d", s)
		}
		if s, b := tc.Do("POST", url+"/versions", map[string]any{"base": 0, "sections": plan}); s != 409 || !strings.Contains(string(b), "research.lease_needed") && !strings.Contains(apptest.ParseErr(t, b).Error.Code, "conflict") {
			t.Fatalf("save without the lease: %d %s", s, b)
		}
		if s, b := tc.Do("POST", url+"/lease", nil); s != 200 || !apptest.Decode[research.PrepDetail](t, b).LeaseMine {
			t.Fatalf("lease: %d %s", s, b)
		}
		if s, b := tc.Do("POST", url+"/versions", map[string]any{"base": 0, "sections": []research.Section{{Title: ""}}}); s != 422 || apptest.Rules(t, b) != "sections[0].title" {
			t.Fatalf("untitled section: %d %s", s, b)
		}
		s, b = tc.Do("POST", url+"/versions", map[string]any{"base": 0, "sections": plan, "link": "https://example.org/plan.docx"})
		p = apptest.Decode[research.PrepDetail](t, b)
		if s != 200 || p.CurrentVersion != 1 || p.Status != research.PrepDiscussing || p.LeaseName != "" || p.Versions[0].Link == "" {
			t.Fatalf("初备: %d %s", s, b)
		}
		// A comment anchored to section 1 tells the 主备人.
		if s, b := yz.Do("POST", url+"/comments", map[string]any{"section": 5, "body": "x"}); s != 422 || apptest.Rules(t, b) != "section" {
			t.Fatalf("comment on a missing section: %d %s", s, b)
		}
		s, b = yz.Do("POST", url+"/comments", map[string]any{"section": 1, "body": "增加小组合作"})
		if p = apptest.Decode[research.PrepDetail](t, b); s != 200 || len(p.Comments) != 1 || p.Comments[0].Section != 1 || p.Comments[0].Version != 1 {
			t.Fatalf("comment: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'teacher' AND n.kind = 'research.comment'`); n != 1 {
			t.Fatalf("teacher told of %d comments", n)
		}
		// One editor at a time: the leader holds the lease, the 主备人 is told who.
		if s, b := yz.Do("POST", url+"/lease", nil); s != 200 {
			t.Fatalf("leader leases: %d %s", s, b)
		}
		s, b = tc.Do("POST", url+"/lease", nil)
		yname := e.Str(`SELECT display_name FROM users WHERE username = 'yanzu'`)
		if s != 409 || !strings.Contains(apptest.ParseErr(t, b).Error.Message, yname) {
			t.Fatalf("second editor: %d %s (want %s named)", s, b, yname)
		}
		// Version check: saving on a version that is not the current one.
		if s, _ := yz.Do("POST", url+"/versions", map[string]any{"base": 0, "sections": plan, "keep": true}); s != 409 {
			t.Fatalf("stale base: %d", s)
		}
		if s, _ := tc.Do("PUT", url+"/adaptation", map[string]any{"sections": plan}); s != 422 {
			t.Fatalf("adaptation before publishing: %d", s)
		}
		v2 := []research.Section{{Title: "教学目标", Body: "目标（修订）"}, {Title: "教学过程", Body: "过程（小组合作）"}}
		s, b = yz.Do("POST", url+"/versions", map[string]any{"base": 1, "sections": v2, "publish": true, "note": "定稿"})
		if p = apptest.Decode[research.PrepDetail](t, b); s != 200 || p.PublishedVersion != 2 || p.Status != research.PrepPublished || len(p.Versions) != 2 || !p.Versions[0].Published {
			t.Fatalf("publish v2: %d %s", s, b)
		}
		// The lease expires: after its minutes another editor may take it.
		if s, _ := yz.Do("POST", url+"/lease", nil); s != 200 {
			t.Fatalf("re-lease: %d", s)
		}
		e.App.Research.Now = func() time.Time { return store.Now().Add(31 * time.Minute) }
		if s, b := tc.Do("POST", url+"/lease", nil); s != 200 {
			t.Fatalf("lease after expiry: %d %s", s, b)
		}
		e.App.Research.Now = store.Now
		// 二次备课 on version 2, then the reflection; a stale version is refused.
		mineSecs := []research.Section{{Title: "教学目标", Body: "本班目标"}, {Title: "教学过程", Body: "本班过程"}}
		s, b = tc.Do("PUT", url+"/adaptation", map[string]any{"sections": mineSecs, "version": 0})
		p = apptest.Decode[research.PrepDetail](t, b)
		if s != 200 || len(p.Adaptations) != 1 || p.Adaptations[0].BasedOn != 2 || p.Adaptations[0].StaffID != e.IDs.StaffOwn {
			t.Fatalf("二次备课: %d %s", s, b)
		}
		if s, _ := tc.Do("PUT", url+"/adaptation", map[string]any{"sections": mineSecs, "version": 0}); s != 409 {
			t.Fatalf("stale adaptation: %d", s)
		}
		s, b = tc.Do("PUT", url+"/adaptation", map[string]any{"sections": mineSecs, "reflection": "时间偏紧", "version": p.Adaptations[0].Version})
		if p = apptest.Decode[research.PrepDetail](t, b); s != 200 || p.Adaptations[0].Reflection != "时间偏紧" || p.Adaptations[0].ReflectedAt == nil {
			t.Fatalf("reflection: %d %s", s, b)
		}
		// Scope: another group's office does not see it.
		if s, _ := e.Login("multi").Do("GET", url, nil); s != 404 {
			t.Fatalf("multi reads the prep: %d", s)
		}
		if n := e.AuditCount("research.prep_version", ""); n < 2 {
			t.Fatalf("versions audited %d times", n)
		}
	})
}

func TestObservationScoring(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga, yz, tc := e.Login("groupadmin"), e.Login("yanzu"), e.Login("teacher")
		s, b := ga.Do("GET", "/api/v1/research/rubrics", nil)
		rubrics := apptest.Decode[[]research.Rubric](t, b)
		if s != 200 || len(rubrics) != 2 {
			t.Fatalf("rubrics: %d %s", s, b)
		}
		var scored, licc research.Rubric
		for _, r := range rubrics {
			if r.Kind == research.RubricScored {
				scored = r
			} else {
				licc = r
			}
		}
		max, items := 0, 0
		for _, d := range scored.Tree.Dimensions {
			for _, it := range d.Items {
				max += it.Max
				items++
			}
		}
		if max != 100 || scored.Tree.Max != 100 {
			t.Fatalf("the 100-point table adds up to %d", max)
		}
		yzStaff := e.One(`SELECT staff_id FROM users WHERE username = 'yanzu'`)
		second := e.One(`SELECT id FROM staff WHERE school_id = $1 AND post = 'teacher' AND id <> $2 LIMIT 1`, e.IDs.LeadSchool, yzStaff)
		body := map[string]any{"teacher_staff_id": e.IDs.StaffOwn, "topic": "汇报课", "observed_on": store.Today().Format("2006-01-02"), "period": 2,
			"kind": "unannounced", "rubric_id": scored.ID, "observers": []int64{yzStaff, second}, "class_name": "五(2)班"}
		if s, b := ga.Do("POST", "/api/v1/research/observations", map[string]any{"kind": "x"}); s != 422 || apptest.Rules(t, b) != "teacher_staff_id,topic,observed_on,kind,rubric_id,observers" {
			t.Fatalf("empty observation: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/research/observations", body)
		o := apptest.Decode[research.ObsDetail](t, b)
		if s != 201 || o.Kind != research.ObsUnannounced || o.Observers != 2 {
			t.Fatalf("observation: %d %s", s, b)
		}
		url := fmt.Sprintf("/api/v1/research/observations/%d", o.ID)
		sheet := func(each func(max int) int) []research.Answer {
			var out []research.Answer
			for _, d := range scored.Tree.Dimensions {
				for _, it := range d.Items {
					v := each(it.Max)
					out = append(out, research.Answer{Item: it.Code, Score: &v})
				}
			}
			return out
		}
		// Points beyond an item's weight, and a sheet missing items, are refused.
		over := sheet(func(m int) int { return m + 1 })
		if s, b := yz.Do("PUT", url+"/form", map[string]any{"answers": over[:1], "submit": false}); s != 422 || apptest.Rules(t, b) != "answers[0].score" {
			t.Fatalf("over the weight: %d %s", s, b)
		}
		if s, b := yz.Do("PUT", url+"/form", map[string]any{"answers": sheet(func(m int) int { return m })[:2], "submit": true}); s != 422 || len(apptest.ParseErr(t, b).Error.Details) != items-2 {
			t.Fatalf("incomplete sheet: %d %s", s, b)
		}
		if s, _ := tc.Do("PUT", url+"/form", map[string]any{"answers": []research.Answer{}}); s != 403 {
			t.Fatalf("the observed teacher fills a sheet: %d", s)
		}
		// yanzu gives full marks (100), the second observer 80% of each (80).
		if s, b := yz.Do("PUT", url+"/form", map[string]any{"answers": sheet(func(m int) int { return m }), "submit": true}); s != 200 {
			t.Fatalf("sheet: %d %s", s, b)
		}
		if _, err := e.App.Research.SaveForm(context.Background(), systemActor(), o.ID, research.FormInput{Answers: sheet(func(m int) int { return m * 8 / 10 }), Submit: true, ObserverID: second}); err != nil {
			t.Fatal(err)
		}
		s, b = ga.Do("GET", url, nil)
		o = apptest.Decode[research.ObsDetail](t, b)
		if s != 200 || o.Score == nil || *o.Score != 90 || o.Band != "excellent" || o.Submitted != 2 || len(o.Forms) != 2 {
			t.Fatalf("combined: %d %s", s, b)
		}
		for _, it := range o.Items {
			if it.Mean == nil || *it.Mean != float64(it.Max)*0.9 {
				t.Fatalf("item %s mean %v of %d", it.Item, it.Mean, it.Max)
			}
		}
		// The teacher sees the result and, after it is written, the feedback,
		// but not the observers' sheets.
		s, b = tc.Do("GET", url, nil)
		if to := apptest.Decode[research.ObsDetail](t, b); s != 200 || len(to.Forms) != 0 || to.Score == nil {
			t.Fatalf("teacher's view: %d %s", s, b)
		}
		if s, _ := tc.Do("POST", url+"/feedback", map[string]any{"text": "自评", "version": o.Version}); s != 403 {
			t.Fatalf("teacher writes feedback: %d", s)
		}
		if s, b := yz.Do("POST", url+"/feedback", map[string]any{"text": "目标清楚，建议多留交流时间", "version": o.Version}); s != 200 {
			t.Fatalf("feedback: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'teacher' AND n.kind = 'research.feedback' AND n.link = $1`, fmt.Sprintf("/research/observations/%d", o.ID)); n != 1 {
			t.Fatalf("teacher told of feedback %d times", n)
		}
		s, b = tc.Do("GET", url, nil)
		to := apptest.Decode[research.ObsDetail](t, b)
		if s != 200 || to.Feedback == "" {
			t.Fatalf("teacher reads feedback: %d %s", s, b)
		}
		if s, b := tc.Do("POST", url+"/reflection", map[string]any{"text": "下次压缩导入", "version": to.Version}); s != 200 || apptest.Decode[research.ObsDetail](t, b).Reflection == "" {
			t.Fatalf("reflection: %d %s", s, b)
		}
		if s, _ := e.Login("multi").Do("GET", url, nil); s != 404 {
			t.Fatalf("another group reads the observation: %d", s)
		}

		// LICC: counts and notes, no score.
		body["rubric_id"], body["kind"] = licc.ID, "scheduled"
		s, b = ga.Do("POST", "/api/v1/research/observations", body)
		if s != 201 {
			t.Fatalf("licc observation: %d %s", s, b)
		}
		lo := apptest.Decode[research.ObsDetail](t, b)
		lurl := fmt.Sprintf("/api/v1/research/observations/%d", lo.ID)
		point := licc.Tree.Dimensions[0].Items[1].Code
		three, neg := 3, -1
		if s, b := yz.Do("PUT", lurl+"/form", map[string]any{"answers": []research.Answer{{Item: point, Count: &neg}}}); s != 422 || apptest.Rules(t, b) != "answers[0].count" {
			t.Fatalf("negative count: %d %s", s, b)
		}
		if s, b := yz.Do("PUT", lurl+"/form", map[string]any{"answers": []research.Answer{{Item: point, Count: &three, Note: "后排3人走神"}}, "submit": true}); s != 200 {
			t.Fatalf("licc sheet: %d %s", s, b)
		}
		five := 5
		if _, err := e.App.Research.SaveForm(context.Background(), systemActor(), lo.ID, research.FormInput{Answers: []research.Answer{{Item: point, Count: &five}}, Submit: true, ObserverID: second}); err != nil {
			t.Fatal(err)
		}
		s, b = ga.Do("GET", lurl, nil)
		lo = apptest.Decode[research.ObsDetail](t, b)
		if s != 200 || lo.Score != nil {
			t.Fatalf("licc has no score: %d %s", s, b)
		}
		for _, it := range lo.Items {
			if it.Item == point && (it.Count != 8 || len(it.Notes) != 1) {
				t.Fatalf("licc point: %+v", it)
			}
		}
	})
}

func TestBands(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	v, err := e.App.Policy.Today(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for score, want := range map[float64]string{85: "excellent", 84.9: "good", 75: "good", 60: "fair", 59.5: "fail", 0: "fail"} {
		if got := research.BandOf(v.Settings.Research.Bands, score, 100); got != want {
			t.Errorf("band of %v: %s, want %s", score, got, want)
		}
	}
	if got := research.BandOf(v.Settings.Research.Bands, 45, 50); got != "excellent" {
		t.Errorf("45 of 50: %s", got)
	}
}

func systemActor() auth.Actor { return auth.SystemActor("test") }

// The demo's observations: the principal's school climbs towards the lead
// school month by month, and the export holds the same figures.
func TestDiagnosisGapNarrows(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga := e.Login("groupadmin")
		if s, _ := ga.Do("GET", "/api/v1/research/diagnosis", nil); s != 422 {
			t.Fatalf("without group: %d", s)
		}
		s, b := ga.Do("GET", fmt.Sprintf("/api/v1/research/diagnosis?group_id=%d", e.IDs.Group), nil)
		d := apptest.Decode[research.Diagnosis](t, b)
		if s != 200 || len(d.Months) != 5 || len(d.Schools) != 2 || !d.Schools[0].IsLead {
			t.Fatalf("diagnosis: %d %s", s, b)
		}
		m := d.Schools[1]
		if m.ID != e.IDs.School || len(m.Weakest) != 3 {
			t.Fatalf("member school: %+v", m)
		}
		first, last := m.Months[0].Gap, m.Months[len(m.Months)-1].Gap
		if first == nil || last == nil || !(*first < *last && *last < 0) {
			t.Fatalf("gap does not narrow: %v → %v", first, last)
		}
		// The observed teacher reads their own lessons only.
		s, b = e.Login("teacher").Do("GET", fmt.Sprintf("/api/v1/research/diagnosis?group_id=%d", e.IDs.Group), nil)
		td := apptest.Decode[research.Diagnosis](t, b)
		for _, tr := range td.Teachers {
			if s != 200 || tr.ID != e.IDs.StaffOwn {
				t.Fatalf("teacher sees %+v", tr)
			}
		}
		if s, _ := e.Login("multi").Do("GET", fmt.Sprintf("/api/v1/research/diagnosis?group_id=%d", e.IDs.Group), nil); s != 200 {
			t.Fatalf("multi: %d", s)
		}
		s, b, h := ga.DoH("GET", fmt.Sprintf("/api/v1/research/diagnosis/export?group_id=%d", e.IDs.Group), nil, nil)
		if s != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheet") || len(b) < 1000 {
			t.Fatalf("export: %d %s %d bytes", s, h.Get("Content-Type"), len(b))
		}
		if n := e.AuditCount("research.diagnosis_export", ""); n != 1 {
			t.Fatalf("export audited %d times", n)
		}
	})
}

func TestActivityAttendanceAndSignIn(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		d := mine(t, e)
		yz, tc := e.Login("yanzu"), e.Login("teacher")
		// The demo's term: weekly activities, the principal's school missing some.
		s, b := yz.Do("GET", fmt.Sprintf("/api/v1/research/activities?research_group_id=%d", d.ID), nil)
		acts := apptest.Decode[[]research.Activity](t, b)
		if s != 200 || len(acts) < 5 {
			t.Fatalf("the demo term: %d, %d activities", s, len(acts))
		}
		s, b = yz.Do("GET", fmt.Sprintf("/api/v1/research/activities/%d", acts[0].ID), nil)
		first := apptest.Decode[research.ActivityDetail](t, b)
		absent := 0
		for _, sa := range first.Schools {
			if sa.SchoolID == e.IDs.School {
				absent = sa.Absent
			}
		}
		if s != 200 || absent == 0 || first.Minutes == "" {
			t.Fatalf("first activity: %d, principal's school absent %d", s, absent)
		}

		at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		body := map[string]any{"research_group_id": d.ID, "kind": "seminar", "title": "专题研讨", "starts_at": at, "ends_at": at.Add(time.Hour),
			"mode": "onsite", "school_id": e.IDs.LeadSchool, "room": "301", "invite_members": true}
		if s, _ := tc.Do("POST", "/api/v1/research/activities", body); s != 403 {
			t.Fatalf("a member schedules: %d", s)
		}
		if s, b := yz.Do("POST", "/api/v1/research/activities", map[string]any{"research_group_id": d.ID, "kind": "party", "mode": "online"}); s != 422 || apptest.Rules(t, b) != "kind,title,starts_at,ends_at,link" {
			t.Fatalf("bad activity: %d %s", s, b)
		}
		s, b = yz.Do("POST", "/api/v1/research/activities", body)
		a := apptest.Decode[research.ActivityDetail](t, b)
		if s != 201 || a.Invited != len(d.MemberList) || len(a.Schools) != d.Schools {
			t.Fatalf("create: %d %s", s, b)
		}
		url := fmt.Sprintf("/api/v1/research/activities/%d", a.ID)
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'teacher' AND n.kind = 'research.invited' AND n.link = $1`, fmt.Sprintf("/research/activities/%d", a.ID)); n != 1 {
			t.Fatalf("teacher told %d times", n)
		}
		// The principal sees the counts of every school, the names of their own.
		s, b = e.Login("principal").Do("GET", url, nil)
		pa := apptest.Decode[research.ActivityDetail](t, b)
		for _, x := range pa.Attendees {
			if x.SchoolID != e.IDs.School {
				t.Fatalf("principal sees %s of another school", x.Name)
			}
		}
		if s != 200 || len(pa.Schools) != d.Schools || len(pa.Attendees) == 0 {
			t.Fatalf("principal: %d %s", s, b)
		}
		// Sign-in by the code on the screen.
		s, b = yz.Do("GET", url+"/sign-in-code", nil)
		code := apptest.Decode[research.SignInCode](t, b)
		if s != 200 || !strings.HasPrefix(code.QRCode, "data:image/png;base64,") {
			t.Fatalf("code: %d %s", s, b)
		}
		var exp int64
		var sig string
		if _, err := fmt.Sscanf(code.Path[strings.Index(code.Path, "?"):], "?exp=%d&sig=%s", &exp, &sig); err != nil {
			t.Fatalf("path %s: %v", code.Path, err)
		}
		if s, _ := tc.Do("GET", url+"/sign-in-code", nil); s != 403 {
			t.Fatalf("a member gets the code: %d", s)
		}
		if s, b := tc.Do("POST", url+"/sign-in", map[string]any{"exp": exp, "sig": sig[:len(sig)-1] + "x"}); s != 422 || apptest.Rules(t, b) != "research.signin_bad" {
			t.Fatalf("forged code: %d %s", s, b)
		}
		e.App.Research.Now = func() time.Time { return store.Now().Add(4 * time.Minute) }
		if s, b := tc.Do("POST", url+"/sign-in", map[string]any{"exp": exp, "sig": sig}); s != 422 || apptest.Rules(t, b) != "research.signin_expired" {
			t.Fatalf("expired code: %d %s", s, b)
		}
		e.App.Research.Now = store.Now
		s, b = tc.Do("POST", url+"/sign-in", map[string]any{"exp": exp, "sig": sig})
		if a = apptest.Decode[research.ActivityDetail](t, b); s != 200 || a.Mine == nil || a.Mine.Status != research.AttPresent || a.Mine.Method != "qr" {
			t.Fatalf("sign in: %d %s", s, b)
		}
		// The organizer ticks the rest: one absent with a reason.
		_, b = yz.Do("GET", url, nil)
		var other int64
		for _, x := range apptest.Decode[research.ActivityDetail](t, b).Attendees {
			if x.StaffID != e.IDs.StaffOwn {
				other = x.StaffID
				break
			}
		}
		if s, b := yz.Do("PUT", url+"/attendance", map[string]any{"marks": []map[string]any{{"staff_id": other, "status": "gone"}}}); s != 422 || apptest.Rules(t, b) != "marks[0].status" {
			t.Fatalf("bad status: %d %s", s, b)
		}
		s, b = yz.Do("PUT", url+"/attendance", map[string]any{"marks": []map[string]any{{"staff_id": other, "status": "absent", "reason": "病假"}}})
		if a = apptest.Decode[research.ActivityDetail](t, b); s != 200 || a.Present != 1 {
			t.Fatalf("tick: %d %s", s, b)
		}
		if s, _ := e.Login("multi").Do("GET", url, nil); s != 404 {
			t.Fatalf("another group reads the activity: %d", s)
		}
		// Tomorrow's activity is on the teacher's workbench.
		s, b = tc.Do("GET", "/api/v1/workbench", nil)
		if s != 200 || !strings.Contains(string(b), `"research.activity"`) || !strings.Contains(string(b), `"research.draft"`) {
			t.Fatalf("workbench: %d %s", s, b)
		}
	})
}

func TestTermPlan(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	d := mine(t, e)
	ga, yz, tc := e.Login("groupadmin"), e.Login("yanzu"), e.Login("teacher")
	url := fmt.Sprintf("/api/v1/research/groups/%d/plan", d.ID)
	s, b := yz.Do("GET", url, nil)
	p := apptest.Decode[research.TermPlan](t, b)
	if s != 200 || p.Status != research.PlanApproved || p.Late || p.CanEdit {
		t.Fatalf("the demo's approved plan: %d %s", s, b)
	}
	// Another research group's plan came in late and waits for the office.
	var late research.Group
	_, b = ga.Do("GET", fmt.Sprintf("/api/v1/research/groups?group_id=%d", e.IDs.Group), nil)
	for _, g := range apptest.Decode[[]research.Group](t, b) {
		_, pb := ga.Do("GET", fmt.Sprintf("/api/v1/research/groups/%d/plan", g.ID), nil)
		if x := apptest.Decode[research.TermPlan](t, pb); x.Status == research.PlanSubmitted {
			late, p = g, x
		}
	}
	if late.ID == 0 || !p.Late || !p.CanDecide {
		t.Fatalf("late plan: %+v", p)
	}
	lurl := fmt.Sprintf("/api/v1/research/groups/%d/plan", late.ID)
	if s, _ := tc.Do("POST", lurl+"/decide", map[string]any{"approve": true, "version": p.Version}); s != 403 {
		t.Fatalf("teacher decides: %d", s)
	}
	if s, b := ga.Do("POST", lurl+"/decide", map[string]any{"approve": false, "version": p.Version}); s != 422 || apptest.Rules(t, b) != "note" {
		t.Fatalf("return without note: %d %s", s, b)
	}
	s, b = ga.Do("POST", lurl+"/decide", map[string]any{"approve": false, "note": "补充每周主备人", "version": p.Version})
	if p = apptest.Decode[research.TermPlan](t, b); s != 200 || p.Status != research.PlanReturned || !p.CanEdit {
		t.Fatalf("return: %d %s", s, b)
	}
	// A member who is not the leader cannot write it; bad rows are named.
	if s, _ := tc.Do("PUT", lurl, map[string]any{"themes": "x", "version": p.Version}); s != 404 && s != 403 {
		t.Fatalf("teacher writes: %d", s)
	}
	if s, b := ga.Do("PUT", lurl, map[string]any{"themes": "主题", "items": []map[string]any{{"week": 40, "kind": "prep", "title": "a"}}, "version": p.Version}); s != 422 || apptest.Rules(t, b) != "items[0].week" {
		t.Fatalf("bad week: %d %s", s, b)
	}
	if s, _ := ga.Do("PUT", lurl, map[string]any{"themes": "主题", "version": p.Version - 1}); s != 409 {
		t.Fatalf("stale: %d", s)
	}
	// The leaders without a plan have it as an overdue to-do; yanzu's is done.
	s, b = yz.Do("GET", "/api/v1/workbench", nil)
	if s != 200 || strings.Contains(string(b), `"research.plan"`) {
		t.Fatalf("yanzu's workbench: %d", s)
	}
}
