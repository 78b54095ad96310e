package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/planning"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The demo's term plans: the demo group admin's group has this term's plan
// round open with its deadline ten days away. The lead school's plan is
// accepted, the principal's school's plan was returned with a comment (a
// to-do on its workbench), the next member's waits for review (the group
// admin's to-do), and the rest have not submitted yet.

// planItems is a school's plan in the demo: two items in each of the first
// sections, in the term's first months.
func planItems(r planning.Round, school string, first string) []planning.Section {
	goals := map[string][2]string{
		"moral":    {"开展“文明礼仪月”主题教育", "落实家校共育，召开家长会"},
		"teaching": {"规范课堂教学常规，开展推门听课", "组织期中质量检测与分析"},
		"research": {"参加集团同学科集体备课", "开展青年教师汇报课"},
		"staff":    {"落实青蓝结对，新教师每周听课两节", "组织班主任经验交流"},
		"safety":   {"开展消防疏散演练", "排查校舍与上下学交通安全隐患"},
		"feature":  {"建设校园阅读角，开展读书节", "开设课后服务社团课程"},
	}
	months := []string{first, nextMonth(first)}
	if _, last, _ := planning.TermMonths(r.Term); months[1] > last {
		months[1] = first
	}
	var out []planning.Section
	for _, c := range r.Sections {
		g, ok := goals[c.Code]
		sec := planning.Section{Code: c.Code, Items: []planning.Item{}}
		if ok {
			for i, goal := range g {
				it := planning.Item{Goal: goal, Measures: school + "按集团部署制定方案并组织实施", Owner: "分管副校长", Month: months[i]}
				if c.Code == "research" && i == 0 {
					it.Activity = "集团语文学科集体备课"
				}
				sec.Items = append(sec.Items, it)
			}
		}
		out = append(out, sec)
	}
	return out
}

func nextMonth(m string) string {
	var y, mo int
	_, _ = fmt.Sscanf(m, "%d-%d", &y, &mo)
	mo++
	if mo > 12 {
		y, mo = y+1, 1
	}
	return fmt.Sprintf("%04d-%02d", y, mo)
}

// seedPlans opens the round and walks the schools' plans through the
// planning service, each step by the account that takes it.
func seedPlans(ctx context.Context, sv *services) error {
	pl := planning.NewService(sv.st, sv.log, sv.pol)
	pl.Notices = workbench.NewService(sv.st)
	users := map[string]auth.Actor{}
	for _, u := range []string{"groupadmin", "principal", "leadadmin"} {
		id, err := sv.auth.UserIDByName(ctx, u)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", u, err)
		}
		acct, err := sv.auth.GetUser(ctx, sv.sys, id)
		if err != nil {
			return err
		}
		users[u] = auth.Actor{UserID: acct.ID, Username: acct.Username, DisplayName: acct.DisplayName, Grants: acct.Grants, RequestID: Actor}
	}
	ga := users["groupadmin"]
	var group int64
	for _, g := range ga.Grants {
		if g.ScopeType == auth.ScopeGroup {
			group = g.ScopeID
		}
	}
	schoolOf := func(a auth.Actor) int64 {
		for _, g := range a.Grants {
			if g.ScopeType == auth.ScopeSchool {
				return g.ScopeID
			}
		}
		return 0
	}
	today := store.Today()
	term := planning.TermOf(today)
	d, err := pl.Open(ctx, ga, planning.RoundInput{GroupID: group, Term: term, Title: term + " 学期学校工作计划", Deadline: store.Date{Time: today.AddDate(0, 0, 10)}})
	if err != nil {
		return fmt.Errorf("open round: %w", err)
	}
	r := d.Round
	first := today.Format("2006-01")
	// actor is who acts for a school: its demo account, or the demo's
	// system actor for a school without one.
	actor := func(school int64) auth.Actor {
		for _, u := range []string{"principal", "leadadmin"} {
			if schoolOf(users[u]) == school {
				return users[u]
			}
		}
		return sv.sys
	}
	submit := func(school int64, name string) (planning.PlanDetail, error) {
		a := actor(school)
		p, err := pl.SavePlan(ctx, a, r.ID, school, planning.PlanInput{Sections: planItems(r, name, first)})
		if err != nil {
			return p, fmt.Errorf("save plan of %s: %w", name, err)
		}
		p, err = pl.SubmitPlan(ctx, a, r.ID, school, planning.Step{Version: p.Plan.Version})
		if err != nil {
			return p, fmt.Errorf("submit plan of %s: %w", name, err)
		}
		return p, nil
	}
	principal := schoolOf(users["principal"])
	waiting := false
	for i, b := range d.Board {
		switch {
		case i == 0: // the lead school: accepted
			p, err := submit(b.SchoolID, b.SchoolName)
			if err != nil {
				return err
			}
			if _, err := pl.ReviewPlan(ctx, ga, r.ID, b.SchoolID, planning.ReviewInput{Version: p.Plan.Version, Decision: "accept"}); err != nil {
				return err
			}
		case b.SchoolID == principal: // returned with a comment
			p, err := submit(b.SchoolID, b.SchoolName)
			if err != nil {
				return err
			}
			if _, err := pl.ReviewPlan(ctx, ga, r.ID, b.SchoolID, planning.ReviewInput{Version: p.Plan.Version, Decision: "return",
				Comment: "安全工作请补充防溺水专项教育的具体月份和负责人。"}); err != nil {
				return err
			}
		case !waiting: // waits for the group's review
			waiting = true
			if _, err := submit(b.SchoolID, b.SchoolName); err != nil {
				return err
			}
		}
	}
	return nil
}
