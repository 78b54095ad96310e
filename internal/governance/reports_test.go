package governance_test

import (
	"fmt"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/governance"
	"edugroup/internal/store"
)

func TestLatestPeriod(t *testing.T) {
	d := func(s string) store.Date {
		x, err := store.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, c := range []struct{ cadence, today, want string }{
		{"month", "2026-12-08", "2026-11"}, {"month", "2027-01-01", "2026-12"},
		{"term", "2026-12-08", "2025-2026-2"}, {"term", "2027-01-31", "2025-2026-2"}, {"term", "2027-02-01", "2026-2027-1"}, {"term", "2027-07-31", "2026-2027-1"},
	} {
		if got := governance.LatestPeriod(c.cadence, d(c.today)); got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.cadence, c.today, got, c.want)
		}
	}
}

// TestMemberReports: the demo's reports in their states on the owed board
// and the workbench; a school submits last month's report (an open period,
// the lead school, another school refused), the group returns it with a
// reason, the school resubmits, the group accepts with guidance.
func TestMemberReports(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga, pr := e.Login("groupadmin"), e.Login("principal")
		d := e.IDs
		last := governance.LatestPeriod("month", store.Today())

		s, b := pr.Do("GET", "/api/v1/member-reports/owed", nil)
		owed := apptest.Decode[governance.ReportBoard](t, b).Items
		var mine *governance.Owed
		for i := range owed {
			if owed[i].Kind == "monthly" {
				mine = &owed[i]
			}
			if owed[i].SchoolID != d.School {
				t.Errorf("the school sees another school's row: %+v", owed[i])
			}
		}
		if s != 200 || mine == nil || mine.Period != last || mine.Status != "none" {
			t.Fatalf("owed: %d %s", s, b)
		}
		if want := store.Today().After(mine.DueOn.Time); mine.Late != want {
			t.Errorf("owed report due %s late=%v, want %v", mine.DueOn, mine.Late, want)
		}
		if !hasTodo(t, e, "principal", "report.submit", "", "") || !hasTodo(t, e, "groupadmin", "report.review", "", "") {
			t.Error("the demo's report to-dos are missing")
		}
		s, b = ga.Do("GET", "/api/v1/member-reports/owed", nil)
		members := int(e.One(`SELECT count(*) FROM group_members WHERE group_id = $1 AND left_on IS NULL`, d.Group))
		if n := len(apptest.Decode[governance.ReportBoard](t, b).Items); s != 200 || n != 2*(members-1) {
			t.Fatalf("group's owed board: %d rows for %d members", n, members)
		}

		in := map[string]any{"group_id": d.Group, "school_id": d.School, "kind": "monthly", "period": store.Today().Format("2006-01"), "done": ""}
		if s, b := pr.Do("POST", "/api/v1/member-reports", in); s != 422 || fields(t, b) != "period,done" {
			t.Fatalf("open period, empty: %d %s", s, b)
		}
		in["period"], in["done"] = last, "完成月度工作"
		if s, _ := pr.Do("POST", "/api/v1/member-reports", map[string]any{"group_id": d.Group, "school_id": d.SiblingSchool, "kind": "monthly", "period": last, "done": "x"}); s != 404 {
			t.Fatalf("reporting for another school: %d", s)
		}
		if s, b := e.Login("leadadmin").Do("POST", "/api/v1/member-reports", map[string]any{"group_id": d.Group, "school_id": d.LeadSchool, "kind": "monthly", "period": last, "done": "x"}); s != 422 {
			t.Fatalf("the lead school reports to itself: %d %s", s, b)
		}
		s, b = pr.Do("POST", "/api/v1/member-reports", in)
		r := apptest.Decode[governance.MemberReport](t, b)
		if s != 200 || r.Status != "submitted" || r.Period != last {
			t.Fatalf("submit: %d %s", s, b)
		}
		if s, _ := pr.Do("POST", "/api/v1/member-reports", in); s != 409 {
			t.Fatalf("submitted twice: %d", s)
		}
		path := fmt.Sprintf("/api/v1/member-reports/%d", r.ID)
		if s, b := ga.Do("POST", path+"/review", map[string]any{"version": r.Version, "decision": "return"}); s != 422 || fields(t, b) != "guidance" {
			t.Fatalf("return without a reason: %d %s", s, b)
		}
		s, b = ga.Do("POST", path+"/review", map[string]any{"version": r.Version, "decision": "return", "guidance": "请补充数据"})
		r = apptest.Decode[governance.MemberReport](t, b)
		if s != 200 || r.Status != "returned" {
			t.Fatalf("return: %d %s", s, b)
		}
		if !hasTodo(t, e, "principal", "report.resubmit", fmt.Sprintf("/member-reports/%d", r.ID), "") {
			t.Error("no resubmit to-do")
		}
		in["version"], in["done"] = r.Version, "完成月度工作：听课 12 节"
		s, b = pr.Do("POST", "/api/v1/member-reports", in)
		r = apptest.Decode[governance.MemberReport](t, b)
		if s != 200 || r.Status != "submitted" {
			t.Fatalf("resubmit: %d %s", s, b)
		}
		s, b = ga.Do("POST", path+"/review", map[string]any{"version": r.Version, "decision": "accept", "guidance": "下月请牵头学校派员指导"})
		r = apptest.Decode[governance.MemberReport](t, b)
		if s != 200 || r.Status != "accepted" || r.Guidance != "下月请牵头学校派员指导" || r.ReviewedBy == "" {
			t.Fatalf("accept: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'principal' AND n.kind = 'report.accepted'`); n < 2 {
			t.Errorf("principal told of acceptance %d times (the demo's and this one)", n)
		}
		s, b = e.Login("dudao").Do("GET", "/api/v1/member-reports?status=accepted", nil)
		if got := apptest.Decode[struct{ Total int }](t, b); s != 200 || got.Total != 2 {
			t.Fatalf("county list: %d %s", s, b)
		}
		if s, _ := e.Login("leadadmin").Do("GET", path, nil); s != 404 {
			t.Fatalf("another school reads the report: %d", s)
		}
	})
}
