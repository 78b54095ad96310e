package planning_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/planning"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// A term the demo has no round for, so a test can open one.
const term = "2030-2031-1"

func items(months ...string) []map[string]any {
	out := []map[string]any{}
	for i, m := range months {
		out = append(out, map[string]any{"goal": fmt.Sprintf("目标%d", i+1), "measures": "措施", "owner": "教务处", "month": m})
	}
	return out
}

func fields(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	for _, d := range apptest.ParseErr(t, b).Error.Details {
		out = append(out, d.Field)
	}
	return strings.Join(out, ",")
}

type detail = planning.PlanDetail

// TestPlanRound walks the main path: the group opens a round, the school
// drafts (bad input named by field, a stale version refused), submits, is
// returned with a comment, resubmits and sees what changed, is accepted;
// the group compiles (each entry traced to its school) and publishes, and
// the member school reads the published plan.
func TestPlanRound(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga, pr := e.Login("groupadmin"), e.Login("principal")
		d := e.IDs

		s, b := ga.Do("POST", "/api/v1/plan-rounds", map[string]any{"group_id": d.Group, "term": "2030", "title": ""})
		if s != 422 || fields(t, b) != "term,title" {
			t.Fatalf("bad round: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/plan-rounds", map[string]any{"group_id": d.Group, "term": term, "title": "x", "school_ids": []int64{d.OtherSchool}})
		if s != 422 || fields(t, b) != "school_ids[0]" {
			t.Fatalf("a school of another group: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/plan-rounds", map[string]any{"group_id": d.OtherGroup, "term": term, "title": "x"})
		if s != 404 {
			t.Fatalf("another group's round: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/plan-rounds", map[string]any{"group_id": d.Group, "term": term, "title": "学期计划"})
		if s != 201 {
			t.Fatalf("open: %d %s", s, b)
		}
		rd := apptest.Decode[planning.RoundDetail](t, b)
		members := int(e.One(`SELECT count(*) FROM group_members WHERE group_id = $1 AND left_on IS NULL`, d.Group))
		if rd.Round.Required != members || len(rd.Board) != members || len(rd.Round.Sections) != 6 {
			t.Fatalf("round: %+v", rd)
		}
		if s, b := ga.Do("POST", "/api/v1/plan-rounds", map[string]any{"group_id": d.Group, "term": term, "title": "again"}); s != 409 {
			t.Fatalf("second round of the term: %d %s", s, b)
		}
		id := rd.Round.ID
		plan := fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d", id, d.School)

		// The school sees its own plan and the board row of its own school only.
		s, b = pr.Do("GET", fmt.Sprintf("/api/v1/plan-rounds/%d", id), nil)
		if s != 200 || len(apptest.Decode[planning.RoundDetail](t, b).Board) != 1 {
			t.Fatalf("school's board: %d %s", s, b)
		}
		if s, b := pr.Do("GET", fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d", id, d.SiblingSchool), nil); s != 404 {
			t.Fatalf("a sibling's plan: %d %s", s, b)
		}
		if s, b := pr.Do("PUT", fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d", id, d.SiblingSchool), map[string]any{"version": 0}); s != 404 {
			t.Fatalf("writing a sibling's plan: %d %s", s, b)
		}
		s, b = pr.Do("GET", plan, nil)
		if p := apptest.Decode[detail](t, b); s != 200 || p.Plan.Status != "none" || p.Plan.Version != 0 || len(p.Plan.Sections) != 6 {
			t.Fatalf("empty plan: %d %s", s, b)
		}
		// Bad input names the field.
		s, b = pr.Do("PUT", plan, map[string]any{"version": 0, "sections": []map[string]any{
			{"code": "moral", "items": items("2030-09")},
			{"code": "teaching", "items": append(items("2030-10"), map[string]any{"goal": "", "month": "2031-03"})},
			{"code": "nope", "items": items("2030-13")},
		}})
		if s != 422 || fields(t, b) != "sections[1].items[1].goal,sections[1].items[1].month,sections[2].code,sections[2].items[0].month" {
			t.Fatalf("bad plan: %d %s", s, b)
		}
		good := []map[string]any{{"code": "moral", "items": items("2030-09", "2030-10")}, {"code": "safety", "items": items("2030-11")}}
		s, b = pr.Do("PUT", plan, map[string]any{"version": 0, "sections": good})
		if s != 200 || apptest.Decode[detail](t, b).Plan.Version != 1 {
			t.Fatalf("save: %d %s", s, b)
		}
		if s, b := pr.Do("PUT", plan, map[string]any{"version": 0, "sections": good}); s != 409 {
			t.Fatalf("stale save: %d %s", s, b)
		}
		if s, b := ga.Do("POST", plan+"/review", map[string]any{"version": 1, "decision": "accept"}); s != 409 {
			t.Fatalf("review of a draft: %d %s", s, b)
		}
		s, b = pr.Do("POST", plan+"/submit", map[string]any{"version": 1})
		if p := apptest.Decode[detail](t, b); s != 200 || p.Plan.Status != "submitted" || len(p.Versions) != 1 {
			t.Fatalf("submit: %d %s", s, b)
		}
		if s, b := pr.Do("PUT", plan, map[string]any{"version": 2, "sections": good}); s != 409 {
			t.Fatalf("editing a submitted plan: %d %s", s, b)
		}
		if s, b := pr.Do("POST", plan+"/review", map[string]any{"version": 2, "decision": "accept"}); s != 403 {
			t.Fatalf("the school reviews itself: %d %s", s, b)
		}
		if s, b := ga.Do("POST", plan+"/review", map[string]any{"version": 2, "decision": "return"}); s != 422 || fields(t, b) != "comment" {
			t.Fatalf("return without a comment: %d %s", s, b)
		}
		s, b = ga.Do("POST", plan+"/review", map[string]any{"version": 2, "decision": "return", "comment": "请补充安全工作"})
		if p := apptest.Decode[detail](t, b); s != 200 || p.Plan.Status != "returned" || p.Versions[0].Decision != "returned" {
			t.Fatalf("return: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'principal' AND n.kind = 'planning.returned' AND n.note = '请补充安全工作'`); n != 1 {
			t.Fatalf("returned notices: %d", n)
		}
		// The school revises: one item changed, one added; the diff shows both.
		revised := []map[string]any{{"code": "moral", "items": items("2030-09", "2030-12")},
			{"code": "safety", "items": append(items("2030-11"), map[string]any{"goal": "防溺水教育", "owner": "德育处", "month": "2030-10"})}}
		s, b = pr.Do("PUT", plan, map[string]any{"version": 3, "sections": revised})
		if s != 200 {
			t.Fatalf("revise: %d %s", s, b)
		}
		s, b = pr.Do("POST", plan+"/submit", map[string]any{"version": 4})
		if s != 200 {
			t.Fatalf("resubmit: %d %s", s, b)
		}
		s, b = ga.Do("GET", plan, nil)
		p := apptest.Decode[detail](t, b)
		if s != 200 || len(p.Versions) != 2 || len(p.Changes) != 2 || p.Changes[0].Kind != "changed" || p.Changes[0].Fields[0] != "month" ||
			p.Changes[1].Kind != "added" || p.Changes[1].Goal != "防溺水教育" {
			t.Fatalf("diff: %+v", p.Changes)
		}
		if s, b := ga.Do("POST", plan+"/review", map[string]any{"version": 5, "decision": "accept"}); s != 200 {
			t.Fatalf("accept: %d %s", s, b)
		}

		// The group plan: the member school reads nothing before it is published.
		gp := fmt.Sprintf("/api/v1/plan-rounds/%d/group-plan", id)
		if s, b := pr.Do("GET", gp, nil); s != 404 {
			t.Fatalf("unpublished group plan as a school: %d %s", s, b)
		}
		s, b = ga.Do("GET", gp, nil)
		g := apptest.Decode[planning.GroupPlan](t, b)
		if s != 200 || len(g.Entries) != 4 || len(g.Pending) != members-1 {
			t.Fatalf("group plan: %d %s", s, b)
		}
		school := e.Str(`SELECT name FROM schools WHERE id = $1`, d.School)
		for _, en := range g.Entries {
			if en.SchoolID != d.School || en.SchoolName != school || en.SectionLabel == "" {
				t.Fatalf("untraced entry: %+v", en)
			}
		}
		if s, b := ga.Do("POST", gp+"/publish", map[string]any{"version": g.Version}); s != 422 || fields(t, b) != "text" {
			t.Fatalf("publish without text: %d %s", s, b)
		}
		s, b = ga.Do("PUT", gp, map[string]any{"version": g.Version, "text": "", "group_items": []map[string]any{{"code": "research", "items": items("2030-09", "2029-01")}}})
		if s != 422 || fields(t, b) != "group_items[0].items[1].month" {
			t.Fatalf("bad group item: %d %s", s, b)
		}
		s, b = ga.Do("PUT", gp, map[string]any{"version": g.Version, "text": "", "group_items": []map[string]any{{"code": "research", "items": items("2030-09")}}})
		g = apptest.Decode[planning.GroupPlan](t, b)
		if s != 200 || len(g.Entries) != 5 || g.Entries[2].SchoolID != 0 || g.Entries[2].SchoolName != g.Round.GroupName {
			t.Fatalf("group items: %d %s", s, b)
		}
		s, b = ga.Do("POST", gp+"/compile", map[string]any{"version": g.Version})
		g = apptest.Decode[planning.GroupPlan](t, b)
		if s != 200 || !strings.Contains(g.Text, school) || !strings.Contains(g.Text, "防溺水教育") {
			t.Fatalf("compile: %d %s", s, b)
		}
		if s, b := ga.Do("POST", gp+"/publish", map[string]any{"version": g.Version - 1}); s != 409 {
			t.Fatalf("stale publish: %d %s", s, b)
		}
		s, b = ga.Do("PUT", gp, map[string]any{"version": g.Version, "text": g.Text + "\n（集团校长室审定）", "group_items": g.GroupItems})
		if s != 200 {
			t.Fatalf("save the text: %d %s", s, b)
		}
		g = apptest.Decode[planning.GroupPlan](t, b)
		if s, b := ga.Do("POST", gp+"/publish", map[string]any{"version": g.Version}); s != 200 {
			t.Fatalf("publish: %d %s", s, b)
		}
		s, b = pr.Do("GET", gp, nil)
		g = apptest.Decode[planning.GroupPlan](t, b)
		if s != 200 || !g.Published || len(g.Entries) != 5 || !strings.HasSuffix(g.Text, "（集团校长室审定）") || len(g.Actions) != 0 {
			t.Fatalf("published plan as the school: %d %s", s, b)
		}
		if n := e.AuditCount("planning.group_plan.publish", ""); n != 1 {
			t.Fatalf("publish audited %d times", n)
		}
	})
}

// TestScope: a school of another group sees neither the rounds nor the
// drafts of this group, and cannot write a plan into its round; the county
// reads every plan.
func TestScope(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ctx := context.Background()
		svc := e.App.Planning
		other := auth.Actor{UserID: 0, Username: "other", Grants: []auth.Grant{{Role: auth.SchoolAdmin, ScopeType: auth.ScopeSchool, ScopeID: e.IDs.OtherSchool}}}
		list, err := svc.Rounds(ctx, other)
		if err != nil || len(list.Items) != 0 {
			t.Fatalf("another group's school lists %v %v", list.Items, err)
		}
		mine, err := svc.Rounds(ctx, auth.Actor{Grants: []auth.Grant{{Role: auth.SchoolAdmin, ScopeType: auth.ScopeSchool, ScopeID: e.IDs.School}}})
		if err != nil || len(mine.Items) != 1 {
			t.Fatalf("own school's rounds %v %v", mine.Items, err)
		}
		id := mine.Items[0].ID
		if _, err := svc.PlanDetail(ctx, other, id, e.IDs.School); err == nil || !strings.Contains(err.Error(), "not_found") {
			t.Fatalf("another group's draft: %v", err)
		}
		if _, err := svc.SavePlan(ctx, other, id, e.IDs.OtherSchool, planning.PlanInput{}); err == nil || !strings.Contains(err.Error(), "not_found") {
			t.Fatalf("a non-member school writes: %v", err)
		}
		// The county reads the whole board and every plan.
		s, b := e.Login("jijiao").Do("GET", fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d", id, e.IDs.School), nil)
		if s != 200 || apptest.Decode[detail](t, b).Plan.Status != "returned" {
			t.Fatalf("county reads the plan: %d %s", s, b)
		}
		if s, b := e.Login("jijiao").Do("POST", fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d/review", id, e.IDs.School), map[string]any{}); s != 403 {
			t.Fatalf("county reviews: %d %s", s, b)
		}
		// A school that leaves the group can no longer write its plan.
		if _, err := st.W.Exec(`UPDATE group_members SET left_on = '2020-01-01' WHERE school_id = $1 AND left_on IS NULL`, e.IDs.School); err != nil {
			t.Fatal(err)
		}
		p, err := svc.PlanDetail(ctx, auth.SystemActor("t"), id, e.IDs.School)
		if err != nil {
			t.Fatal(err)
		}
		sys := auth.SystemActor("t")
		if _, err := svc.SavePlan(ctx, sys, id, e.IDs.School, planning.PlanInput{Version: p.Plan.Version}); err == nil || !strings.Contains(err.Error(), "planning.not_member") {
			t.Fatalf("a school that left writes: %v", err)
		}
	})
}

// TestWorkbench: the demo's plan to-dos, counted as listed: the principal
// resubmits the returned plan by the deadline, the group admin reviews the
// submitted plans (as many as the board shows).
func TestWorkbench(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		type wb struct {
			Todo []struct {
				Source, Kind, Subject, Urgency string
				DueOn                          *string `json:"due_on"`
			} `json:"todo"`
			Counts struct {
				BySource map[string]int `json:"by_source"`
			} `json:"counts"`
		}
		get := func(user string) wb {
			s, b := e.Login(user).Do("GET", "/api/v1/workbench", nil)
			if s != 200 {
				t.Fatalf("%s workbench: %d %s", user, s, b)
			}
			return apptest.Decode[wb](t, b)
		}
		_, b := e.Login("groupadmin").Do("GET", "/api/v1/plan-rounds", nil)
		rounds := apptest.Decode[planning.RoundList](t, b).Items
		if len(rounds) != 1 || rounds[0].Submitted < 1 || rounds[0].Returned != 1 || rounds[0].Accepted != 1 {
			t.Fatalf("demo round: %+v", rounds)
		}
		for user, want := range map[string]string{"principal": "planning.resubmit", "groupadmin": "planning.review"} {
			w := get(user)
			n := 0
			for _, it := range w.Todo {
				if it.Source != "planning" {
					continue
				}
				n++
				if it.Kind != want {
					t.Errorf("%s: %s", user, it.Kind)
				}
				if want == "planning.review" && !strings.HasSuffix(it.Subject, fmt.Sprintf(" · %d", rounds[0].Submitted)) {
					t.Errorf("review subject %q", it.Subject)
				}
				if want == "planning.resubmit" && (it.DueOn == nil || *it.DueOn != rounds[0].Deadline.String()) {
					t.Errorf("resubmit due %v", it.DueOn)
				}
			}
			if n != 1 || w.Counts.BySource["planning"] != n {
				t.Errorf("%s: %d planning to-dos, counted %d", user, n, w.Counts.BySource["planning"])
			}
		}
		// The lead school's accepted plan: this month's items are upcoming,
		// due at the month's end.
		s, b := e.Login("leadadmin").Do("GET", fmt.Sprintf("/api/v1/plan-rounds/%d/plans/%d", rounds[0].ID, e.IDs.LeadSchool), nil)
		lead := apptest.Decode[detail](t, b)
		if s != 200 || lead.Plan.Status != "accepted" {
			t.Fatalf("lead school's plan: %d %s", s, b)
		}
		month := store.Today().Format("2006-01")
		want := 0
		for _, sec := range lead.Plan.Sections {
			for _, it := range sec.Items {
				if it.Month == month {
					want++
				}
			}
		}
		s, b = e.Login("leadadmin").Do("GET", "/api/v1/workbench", nil)
		up := apptest.Decode[struct {
			Upcoming []struct {
				Kind  string `json:"kind"`
				DueOn string `json:"due_on"`
			} `json:"upcoming"`
		}](t, b).Upcoming
		got := 0
		for _, it := range up {
			if it.Kind == "planning.item" {
				got++
				if it.DueOn[:7] != month {
					t.Errorf("item due %s", it.DueOn)
				}
			}
		}
		if s != 200 || want == 0 || got != want {
			t.Errorf("lead school's upcoming plan items: %d, want %d (%d)", got, want, s)
		}
		// The county and the teacher have no plan to-dos.
		for _, user := range []string{"jijiao", "teacher"} {
			if n := get(user).Counts.BySource["planning"]; n != 0 {
				t.Errorf("%s has %d plan to-dos", user, n)
			}
		}
	})
}
