package registry_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

type groupDetail struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	LeadID  int64 `json:"lead_school_id"`
	Members []struct {
		MembershipID int64  `json:"membership_id"`
		SchoolID     int64  `json:"school_id"`
		Role         string `json:"role"`
	} `json:"members"`
	Warnings []struct {
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"warnings"`
}

func (g groupDetail) membership(school int64) int64 {
	for _, m := range g.Members {
		if m.SchoolID == school {
			return m.MembershipID
		}
	}
	return 0
}

// freeSchool is a school in no group today.
func freeSchool(e *apptest.Env, skip ...int64) int64 {
	e.T.Helper()
	q := `SELECT id FROM schools WHERE id NOT IN (SELECT school_id FROM group_members WHERE left_on IS NULL) AND status = 'active'`
	for _, s := range skip {
		q += fmt.Sprintf(" AND id <> %d", s)
	}
	return e.One(q + ` ORDER BY id LIMIT 1`)
}

func TestJoinLeaveAndOneGroupPerDate(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga := e.Login("groupadmin")
		g := e.IDs.Group
		free := freeSchool(e)
		today := store.Today()
		path := fmt.Sprintf("/api/v1/groups/%d/members", g)

		s, b := ga.Do("POST", path, map[string]any{"school_id": free, "role": "member", "joined_on": today.String()})
		if s == 422 && strings.Contains(apptest.Rules(t, b), "scale_") {
			s, b = ga.Do("POST", path, map[string]any{"school_id": free, "role": "member", "joined_on": today.String(), "override_reason": "县局统筹安排"})
		}
		if s != 201 {
			t.Fatalf("join: %d %s", s, b)
		}
		d := apptest.Decode[groupDetail](t, b)
		mid := d.membership(free)
		if mid == 0 {
			t.Fatal("joined school not among members")
		}
		// The same school cannot join another group on or after that date.
		other := e.IDs.OtherGroup
		s, b = e.Login("jijiao").Do("POST", fmt.Sprintf("/api/v1/groups/%d/members", other), map[string]any{"school_id": free, "role": "member", "joined_on": today.AddDate(0, 1, 0).Format(time.DateOnly), "override_reason": "x"})
		if s != 422 || apptest.Rules(t, b) != "one_group_per_date" {
			t.Fatalf("second group: %d %s", s, b)
		}
		// The group admin cannot touch another group: it does not exist for them.
		if s, _ := ga.Do("POST", fmt.Sprintf("/api/v1/groups/%d/members", other), map[string]any{"school_id": free, "role": "member", "joined_on": today.String()}); s != 404 {
			t.Fatalf("other group's members: %d", s)
		}
		// Leaving: not before joining, not "graduated" by hand, never the lead.
		leave := fmt.Sprintf("/api/v1/groups/%d/members/%d/leave", g, mid)
		if s, b := ga.Do("POST", leave, map[string]any{"left_on": today.String(), "reason": "withdrawn"}); s != 422 || apptest.Rules(t, b) != "left_on" {
			t.Fatalf("leave on the joining day: %d %s", s, b)
		}
		if s, b := ga.Do("POST", leave, map[string]any{"left_on": today.AddDate(0, 0, 10).Format(time.DateOnly), "reason": "graduated"}); s != 422 || apptest.Rules(t, b) != "reason" {
			t.Fatalf("graduated by hand: %d %s", s, b)
		}
		leadMembership := d.membership(d.LeadID)
		if s, b := ga.Do("POST", fmt.Sprintf("/api/v1/groups/%d/members/%d/leave", g, leadMembership), map[string]any{"left_on": today.AddDate(0, 0, 10).Format(time.DateOnly), "reason": "withdrawn"}); s != 422 || apptest.Rules(t, b) != "lead_cannot_leave" {
			t.Fatalf("lead left: %d %s", s, b)
		}
		leftOn := today.AddDate(0, 0, 10).Format(time.DateOnly)
		if s, b := ga.Do("POST", leave, map[string]any{"left_on": leftOn, "reason": "withdrawn", "note": "划转"}); s != 200 {
			t.Fatalf("leave: %d %s", s, b)
		}
		// From the leaving date on, another group may take it; the day before, not.
		jj := e.Login("jijiao")
		dayBefore := today.AddDate(0, 0, 9).Format(time.DateOnly)
		if s, b := jj.Do("POST", fmt.Sprintf("/api/v1/groups/%d/members", other), map[string]any{"school_id": free, "role": "member", "joined_on": dayBefore, "override_reason": "x"}); s != 422 || apptest.Rules(t, b) != "one_group_per_date" {
			t.Fatalf("overlapping join: %d %s", s, b)
		}
		if s, b := jj.Do("POST", fmt.Sprintf("/api/v1/groups/%d/members", other), map[string]any{"school_id": free, "role": "member", "joined_on": leftOn, "override_reason": "x"}); s != 201 {
			t.Fatalf("join on the leaving date: %d %s", s, b)
		}
		// The timeline shows the join and the leave, newest first.
		_, b = ga.Do("GET", fmt.Sprintf("/api/v1/groups/%d/timeline", g), nil)
		tl := apptest.Decode[struct {
			Items []struct {
				Date     string `json:"date"`
				Kind     string `json:"kind"`
				SchoolID int64  `json:"school_id"`
				Reason   string `json:"reason"`
			} `json:"items"`
		}](t, b)
		var kinds []string
		for _, it := range tl.Items {
			if it.SchoolID == free {
				kinds = append(kinds, it.Kind+":"+it.Date+":"+it.Reason)
			}
		}
		want := "left:" + leftOn + ":withdrawn,joined:" + today.String() + ":"
		if strings.Join(kinds, ",") != want {
			t.Fatalf("timeline %v, want %s", kinds, want)
		}
		if n := e.AuditCount("group.member_join", ""); n < 2 {
			t.Fatalf("joins audited: %d", n)
		}
		if n := e.AuditCount("group.member_leave", ""); n != 1 {
			t.Fatalf("leaves audited: %d", n)
		}
	})
}

func TestScaleLimitsNeedAReason(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sys := e.Login("sysadmin")
		_, b := sys.Do("GET", "/api/v1/policy", nil)
		set := apptest.Decode[policy.Version](t, b).Settings
		members := int(e.One(`SELECT count(*) FROM group_members WHERE group_id = $1 AND left_on IS NULL`, e.IDs.Group))
		set.Group.MaxMembers = members
		if s, b := sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": set}); s != 201 {
			t.Fatalf("policy: %d %s", s, b)
		}
		ga := e.Login("groupadmin")
		path := fmt.Sprintf("/api/v1/groups/%d/members", e.IDs.Group)
		free := freeSchool(e)
		s, b := ga.Do("POST", path, map[string]any{"school_id": free, "role": "member", "joined_on": store.Today().String()})
		if s != 422 || !strings.Contains(apptest.Rules(t, b), "scale_members") {
			t.Fatalf("over the member limit without a reason: %d %s", s, b)
		}
		if !strings.Contains(string(b), fmt.Sprint(members+1)) {
			t.Fatalf("message does not name the numbers: %s", b)
		}
		if n := e.One(`SELECT count(*) FROM group_members WHERE school_id = $1`, free); n != 0 {
			t.Fatal("refused join was saved")
		}
		s, b = ga.Do("POST", path, map[string]any{"school_id": free, "role": "member", "joined_on": store.Today().String(), "override_reason": "县政府专题会议决定"})
		if s != 201 {
			t.Fatalf("with reason: %d %s", s, b)
		}
		d := apptest.Decode[groupDetail](t, b)
		found := false
		for _, w := range d.Warnings {
			found = found || (w.Rule == "scale_members" && strings.Contains(w.Message, fmt.Sprint(members+1)))
		}
		if !found {
			t.Fatalf("warnings %+v lack the member limit", d.Warnings)
		}
		if r := e.One(`SELECT count(*) FROM group_members WHERE school_id = $1 AND override_reason = '县政府专题会议决定'`, free); r != 1 {
			t.Fatal("override reason not kept")
		}
		_, b = e.Login("leader").Do("GET", "/api/v1/groups/over-limit", nil)
		if !strings.Contains(string(b), fmt.Sprintf(`"group_id":%d`, e.IDs.Group)) {
			t.Fatalf("county over-limit list lacks the group: %s", b)
		}
	})
}

func TestGraduationTwoSteps(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga := e.Login("groupadmin")
		school := e.IDs.SiblingSchool
		leaveOn := store.Today().AddDate(0, 1, 0).Format(time.DateOnly)
		s, b := ga.Do("POST", fmt.Sprintf("/api/v1/groups/%d/graduations", e.IDs.Group), map[string]any{"school_id": school, "evidence": "连续三年质量评估优秀", "leave_on": leaveOn})
		if s != 201 {
			t.Fatalf("propose: %d %s", s, b)
		}
		gr := apptest.Decode[struct {
			ID      int64  `json:"id"`
			Status  string `json:"status"`
			Version int    `json:"version"`
		}](t, b)
		if s, _ := ga.Do("POST", fmt.Sprintf("/api/v1/groups/%d/graduations", e.IDs.Group), map[string]any{"school_id": school, "evidence": "再次", "leave_on": leaveOn}); s != 409 {
			t.Fatalf("second open proposal: %d", s)
		}
		// The group cannot approve its own proposal; the bureau can.
		if s, _ := ga.Do("POST", fmt.Sprintf("/api/v1/graduations/%d/decision", gr.ID), map[string]any{"approve": true, "version": gr.Version}); s != 403 {
			t.Fatalf("group approved its own proposal: %d", s)
		}
		jj := e.Login("jijiao")
		if s, _ := jj.Do("POST", fmt.Sprintf("/api/v1/graduations/%d/decision", gr.ID), map[string]any{"approve": true, "version": gr.Version + 5}); s != 409 {
			t.Fatalf("stale version: %d", s)
		}
		if s, b := jj.Do("POST", fmt.Sprintf("/api/v1/graduations/%d/decision", gr.ID), map[string]any{"approve": true, "note": "同意", "version": gr.Version}); s != 200 {
			t.Fatalf("approve: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM group_members WHERE school_id = $1 AND leave_reason = 'graduated' AND left_on = $2`, school, store.MustDate(leaveOn)); n != 1 {
			t.Fatal("membership not ended as graduated")
		}
		var tier string
		_ = st.R.QueryRow(`SELECT tier FROM schools WHERE id = $1`, school).Scan(&tier)
		if tier != "quality" {
			t.Fatalf("tier %s", tier)
		}
		if s, _ := jj.Do("POST", fmt.Sprintf("/api/v1/graduations/%d/decision", gr.ID), map[string]any{"approve": false, "version": gr.Version + 1}); s != 409 {
			t.Fatalf("decided twice: %d", s)
		}
		_, b = ga.Do("GET", fmt.Sprintf("/api/v1/groups/%d/timeline", e.IDs.Group), nil)
		for _, k := range []string{"graduation_proposed", "graduation_approved", `"reason":"graduated"`} {
			if !strings.Contains(string(b), k) {
				t.Errorf("timeline lacks %s", k)
			}
		}
		if e.AuditCount("graduation.propose", "") != 1 || e.AuditCount("graduation.approve", "") != 1 {
			t.Fatal("graduation steps not audited")
		}
	})
}

func TestCreateGroupAndCoverage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		jj := e.Login("jijiao")
		lead := freeSchool(e)
		base := map[string]any{"name": "测试教育集团", "mode": "paired", "governance": "federated", "lead_school_id": lead, "founded_on": store.Today().String(), "goal": "共同发展"}
		s, b := jj.Do("POST", "/api/v1/groups", base)
		if s != 422 || apptest.Rules(t, b) != "task_force" {
			t.Fatalf("federated without task force: %d %s", s, b)
		}
		base["task_force"] = "王某、李某"
		base["lead_school_id"] = e.IDs.School
		if s, b := jj.Do("POST", "/api/v1/groups", base); s != 422 || apptest.Rules(t, b) != "one_group_per_date" {
			t.Fatalf("lead already in a group: %d %s", s, b)
		}
		if s, _ := e.Login("groupadmin").Do("POST", "/api/v1/groups", base); s != 403 {
			t.Fatalf("group admin founded a group: %d", s)
		}
		base["lead_school_id"] = lead
		s, b = jj.Do("POST", "/api/v1/groups", base)
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		d := apptest.Decode[groupDetail](t, b)
		if len(d.Members) != 1 || d.Members[0].SchoolID != lead || d.Members[0].Role != "lead" {
			t.Fatalf("lead is not the first member: %+v", d.Members)
		}

		type share struct {
			Schools  int `json:"schools"`
			Students int `json:"students"`
		}
		cov := func(date string) (share, share) {
			s, b := e.Login("leader").Do("GET", "/api/v1/coverage?date="+date, nil)
			if s != 200 {
				t.Fatalf("coverage: %d %s", s, b)
			}
			c := apptest.Decode[struct {
				Total    share `json:"total"`
				InGroups share `json:"in_groups"`
			}](t, b)
			return c.Total, c.InGroups
		}
		total, in := cov(store.Today().String())
		if total.Schools != int(e.One(`SELECT count(*) FROM schools WHERE status = 'active'`)) ||
			in.Schools != int(e.One(`SELECT count(DISTINCT school_id) FROM group_members WHERE left_on IS NULL`)) {
			t.Fatalf("coverage today %+v %+v", total, in)
		}
		// Before the new group was founded its lead school was not covered.
		_, before := cov(store.Today().AddDate(0, 0, -1).Format(time.DateOnly))
		if before.Schools != in.Schools-1 {
			t.Fatalf("coverage yesterday %d, today %d", before.Schools, in.Schools)
		}
		if s, _ := e.Login("groupadmin").Do("GET", "/api/v1/coverage", nil); s != 403 {
			t.Fatalf("group admin read county coverage: %d", s)
		}
	})
}
