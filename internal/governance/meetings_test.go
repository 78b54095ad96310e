package governance_test

import (
	"fmt"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/governance"
	"edugroup/internal/store"
)

type followups = struct {
	Items []governance.Followup `json:"items"`
	Total int                   `json:"total"`
}

// TestMeetingFollowups walks a meeting to its closed follow-ups: bad input
// named by field, the decisions become follow-ups owned by member schools;
// the owner sees only its own, reports progress (which starts it; a stale
// version is refused), it turns overdue when the calendar passes its date,
// the organiser closes it, and a closed one takes no more reports.
func TestMeetingFollowups(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga, pr, lead := e.Login("groupadmin"), e.Login("principal"), e.Login("leadadmin")
		d := e.IDs
		today := store.Today()
		day := func(n int) string { return store.Date{Time: today.AddDate(0, 0, n)}.String() }

		s, b := ga.Do("POST", "/api/v1/meetings", map[string]any{"group_id": d.Group, "kind": "x", "title": "", "held_on": day(1),
			"decisions": []map[string]any{{"decision": "", "owner_school_id": d.OtherSchool, "owner_person": "", "due_on": day(0)}}})
		if s != 422 || fields(t, b) != "kind,title,held_on,decisions[0].decision,decisions[0].owner_school_id,decisions[0].owner_person,decisions[0].due_on" {
			t.Fatalf("bad meeting: %d %s", s, b)
		}
		if s, b := ga.Do("POST", "/api/v1/meetings", map[string]any{"group_id": d.OtherGroup, "kind": "joint", "title": "x", "held_on": day(0)}); s != 404 {
			t.Fatalf("another group's meeting: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/meetings", map[string]any{"group_id": d.Group, "kind": "joint", "title": "校长联席会议", "held_on": day(-1), "place": "会议室",
			"minutes": "研究期末工作", "attendees": []map[string]any{{"school_id": d.School, "names": "校长"}},
			"decisions": []map[string]any{
				{"decision": "完成期末质量分析", "owner_school_id": d.School, "owner_person": "教务主任", "due_on": day(5)},
				{"decision": "组织集团教研活动", "owner_school_id": d.LeadSchool, "owner_person": "教研组长", "due_on": day(7)},
			}})
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		m := apptest.Decode[governance.MeetingDetail](t, b)
		if len(m.Followups) != 2 || m.Meeting.Open != 2 || m.Followups[0].Status != "not_started" || len(m.Attendees) != 1 {
			t.Fatalf("meeting: %s", b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'principal' AND n.kind = 'followup.assigned' AND n.subject LIKE '校长联席会议%'`); n != 1 {
			t.Errorf("principal told of the assignment %d times", n)
		}
		var mine, theirs governance.Followup
		for _, f := range m.Followups {
			if f.OwnerSchoolID == d.School {
				mine = f
			} else {
				theirs = f
			}
		}
		// The school sees its own follow-up of the meeting, not the lead school's.
		s, b = pr.Do("GET", fmt.Sprintf("/api/v1/meetings/%d", m.Meeting.ID), nil)
		if pm := apptest.Decode[governance.MeetingDetail](t, b); s != 200 || len(pm.Followups) != 1 || pm.Followups[0].ID != mine.ID {
			t.Fatalf("school's meeting: %d %s", s, b)
		}
		if s, _ := pr.Do("GET", fmt.Sprintf("/api/v1/followups/%d", theirs.ID), nil); s != 404 {
			t.Fatalf("another school's follow-up: %d", s)
		}
		if s, _ := lead.Do("POST", fmt.Sprintf("/api/v1/followups/%d/reports", mine.ID), map[string]any{"version": mine.Version, "progress": "x"}); s != 404 {
			t.Fatalf("reporting another school's follow-up: %d", s)
		}
		path := fmt.Sprintf("/api/v1/followups/%d", mine.ID)
		if s, b := pr.Do("POST", path+"/reports", map[string]any{"version": mine.Version, "progress": " "}); s != 422 || fields(t, b) != "progress" {
			t.Fatalf("empty report: %d %s", s, b)
		}
		if s, _ := pr.Do("POST", path+"/reports", map[string]any{"version": mine.Version + 1, "progress": "x"}); s != 409 {
			t.Fatalf("stale report: %d", s)
		}
		s, b = pr.Do("POST", path+"/reports", map[string]any{"version": mine.Version, "progress": "已完成三个年级", "evidence": "分析报告"})
		fd := apptest.Decode[governance.FollowupDetail](t, b)
		if s != 200 || fd.Followup.Status != "in_progress" || len(fd.Reports) != 1 || fd.Reports[0].Evidence != "分析报告" {
			t.Fatalf("report: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'groupadmin' AND n.kind = 'followup.reported'`); n < 1 {
			t.Error("the organiser was not told of the report")
		}
		// A week on, it is overdue: the owner's to-do, the organiser's and 督导's.
		later := store.Date{Time: today.AddDate(0, 0, 6)}
		e.App.Governance.Today = func() store.Date { return later }
		e.App.Workbench.Today = func() store.Date { return later }
		s, b = e.Login("dudao").Do("GET", "/api/v1/followups?status=overdue", nil)
		board := apptest.Decode[followups](t, b)
		found := false
		for _, f := range board.Items {
			found = found || (f.ID == mine.ID && f.Status == "overdue")
		}
		if s != 200 || !found {
			t.Fatalf("督导's overdue board: %d %s", s, b)
		}
		for user, kind := range map[string]string{"principal": "followup.report", "groupadmin": "followup.overdue", "dudao": "followup.supervise"} {
			if !hasTodo(t, e, user, kind, fmt.Sprintf("/followups/%d", mine.ID), "overdue") {
				t.Errorf("%s has no overdue %s to-do", user, kind)
			}
		}
		// The organiser closes it; no more reports.
		if s, b := pr.Do("POST", path+"/close", map[string]any{"version": fd.Followup.Version, "note": "x"}); s != 403 {
			t.Fatalf("the school closes: %d %s", s, b)
		}
		s, b = ga.Do("POST", path+"/close", map[string]any{"version": fd.Followup.Version, "note": "按要求完成，逾期一天"})
		fd = apptest.Decode[governance.FollowupDetail](t, b)
		if s != 200 || fd.Followup.Status != "done" || fd.Followup.ClosedOn.String() != later.String() || len(fd.Actions) != 0 {
			t.Fatalf("close: %d %s", s, b)
		}
		if s, _ := pr.Do("POST", path+"/reports", map[string]any{"version": fd.Followup.Version, "progress": "x"}); s != 409 {
			t.Fatalf("report on a closed follow-up: %d", s)
		}
		if hasTodo(t, e, "principal", "followup.report", fmt.Sprintf("/followups/%d", mine.ID), "") {
			t.Error("the closed follow-up is still a to-do")
		}
		if e.AuditCount("meetings.create", "ok") < 1 || e.AuditCount("meetings.followup.close", "ok") < 1 {
			t.Error("steps not audited")
		}
	})
}

func hasTodo(t *testing.T, e *apptest.Env, user, kind, link, urgency string) bool {
	t.Helper()
	s, b := e.Login(user).Do("GET", "/api/v1/workbench", nil)
	if s != 200 {
		t.Fatalf("%s workbench: %d %s", user, s, b)
	}
	w := apptest.Decode[struct {
		Todo []struct{ Kind, Link, Urgency string } `json:"todo"`
	}](t, b)
	for _, it := range w.Todo {
		if it.Kind == kind && (link == "" || it.Link == link) && (urgency == "" || it.Urgency == urgency) {
			return true
		}
	}
	return false
}

// TestDemoMeeting: the demo council's follow-ups in their states, the
// board filtered and scoped, the overdue one a 督办 item of 督导.
func TestDemoMeeting(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		get := func(user, q string) followups {
			s, b := e.Login(user).Do("GET", "/api/v1/followups"+q, nil)
			if s != 200 {
				t.Fatalf("%s %s: %d %s", user, q, s, b)
			}
			return apptest.Decode[followups](t, b)
		}
		all := get("jijiao", "")
		var states []string
		for _, f := range all.Items {
			states = append(states, f.Status)
		}
		if all.Total != 3 || strings.Join(states, ",") != "overdue,in_progress,done" {
			t.Fatalf("demo follow-ups: %v", states)
		}
		if got := get("principal", ""); got.Total != 1 || got.Items[0].Status != "overdue" || got.Items[0].Reports != 1 {
			t.Fatalf("principal's follow-ups: %+v", got)
		}
		if got := get("groupadmin", "?status=open&page_size=1&page=2"); got.Total != 2 || len(got.Items) != 1 || got.Items[0].Status != "in_progress" {
			t.Fatalf("open, paged: %+v", got)
		}
		if got := get("dudao", "?q=防溺水"); got.Total != 1 {
			t.Fatalf("search: %+v", got)
		}
		if s, _ := e.Login("teacher").Do("GET", "/api/v1/followups", nil); s != 403 {
			t.Fatalf("teacher: %d", s)
		}
		link := fmt.Sprintf("/followups/%d", all.Items[0].ID)
		if !hasTodo(t, e, "dudao", "followup.supervise", link, "overdue") {
			t.Error("督导 has no 督办 item")
		}
		s, b := e.Login("leader").Do("GET", "/api/v1/meetings", nil)
		ms := apptest.Decode[struct {
			Items []governance.Meeting `json:"items"`
		}](t, b)
		if s != 200 || len(ms.Items) != 1 || ms.Items[0].Followups != 3 || ms.Items[0].Open != 2 || ms.Items[0].Late != 1 {
			t.Fatalf("meetings: %d %s", s, b)
		}
	})
}
