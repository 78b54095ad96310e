package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/governance"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The demo's rulebook (制度共建): the demo group's 学生安全管理制度 was first
// published two months ago and adopted by every member school; its second
// version, published five days ago, supersedes it. The lead school has
// confirmed the second version, the next member objected with a reason
// (the group admin's to-do), the principal's school has not answered yet
// (its to-do, due in nine days) and the rest have confirmed. A 教师考勤管理制度
// is still a draft.

func safetyArticles(extra bool) []governance.Article {
	out := []governance.Article{
		{Heading: "总则", Text: "为加强集团各校学生安全管理，保障师生生命财产安全，结合集团实际，制定本制度。"},
		{Heading: "责任", Text: "各校校长为本校安全工作第一责任人，分管副校长具体负责，班主任负责本班学生日常安全教育。"},
		{Heading: "排查", Text: "各校每月开展一次校园安全隐患排查，发现问题当日整改，不能当日整改的报集团备案。"},
		{Heading: "演练", Text: "各校每学期至少组织两次应急疏散演练，并做好记录。"},
	}
	if extra {
		out[3].Text = "各校每学期至少组织两次应急疏散演练和一次防溺水专项教育，并做好记录。"
		out = append(out[:3], append([]governance.Article{{Heading: "上下学", Text: "各校在上学、放学时段安排教师值守校门，落实学生接送交接。"}}, out[3:]...)...)
	}
	return out
}

// demoActor is a demo account as the actor taking a step.
func demoActor(ctx context.Context, sv *services, name string) (auth.Actor, error) {
	id, err := sv.auth.UserIDByName(ctx, name)
	if err != nil {
		return auth.Actor{}, fmt.Errorf("demo account %s: %w", name, err)
	}
	acct, err := sv.auth.GetUser(ctx, sv.sys, id)
	if err != nil {
		return auth.Actor{}, err
	}
	return auth.Actor{UserID: acct.ID, Username: acct.Username, DisplayName: acct.DisplayName, Grants: acct.Grants, RequestID: Actor}, nil
}

func scopeOf(a auth.Actor, t auth.ScopeType) int64 {
	for _, g := range a.Grants {
		if g.ScopeType == t {
			return g.ScopeID
		}
	}
	return 0
}

// seedRules writes the demo rulebook through the governance service, each
// step by the account that takes it, the calendar set to each step's day.
func seedRules(ctx context.Context, sv *services) error {
	gov := governance.NewService(sv.st, sv.log, sv.pol)
	gov.Notices = workbench.NewService(sv.st)
	ga, err := demoActor(ctx, sv, "groupadmin")
	if err != nil {
		return err
	}
	pr, err := demoActor(ctx, sv, "principal")
	if err != nil {
		return err
	}
	lead, err := demoActor(ctx, sv, "leadadmin")
	if err != nil {
		return err
	}
	group, principal, leadSchool := scopeOf(ga, auth.ScopeGroup), scopeOf(pr, auth.ScopeSchool), scopeOf(lead, auth.ScopeSchool)
	actor := func(school int64) auth.Actor {
		switch school {
		case principal:
			return pr
		case leadSchool:
			return lead
		}
		return sv.sys
	}
	today := store.Today()
	on := func(days int) func() store.Date {
		return func() store.Date { return store.Date{Time: today.AddDate(0, 0, days)} }
	}
	gov.Today = on(-60)
	d, err := gov.Create(ctx, ga, governance.RuleInput{GroupID: group, Title: "集团学生安全管理制度", Category: "safety", Articles: safetyArticles(false)})
	if err != nil {
		return fmt.Errorf("rule: %w", err)
	}
	if d, err = gov.Publish(ctx, ga, d.Rule.ID, governance.PublishInput{Version: d.Rule.Version}); err != nil {
		return fmt.Errorf("publish v1: %w", err)
	}
	for _, b := range d.Board {
		if _, err := gov.Answer(ctx, actor(b.SchoolID), d.Rule.ID, b.SchoolID, governance.AnswerInput{VersionNo: 1, Decision: "adopt"}); err != nil {
			return fmt.Errorf("adopt v1 (%s): %w", b.SchoolName, err)
		}
	}
	gov.Today = on(-5)
	if d, err = gov.Detail(ctx, ga, d.Rule.ID); err != nil {
		return err
	}
	if d, err = gov.SaveDraft(ctx, ga, d.Rule.ID, governance.DraftInput{Version: d.Rule.Version, Title: d.Rule.Title, Category: "safety",
		Articles: safetyArticles(true), Note: "增加上下学值守条款，演练条款增加防溺水专项教育"}); err != nil {
		return fmt.Errorf("draft v2: %w", err)
	}
	if d, err = gov.Publish(ctx, ga, d.Rule.ID, governance.PublishInput{Version: d.Rule.Version}); err != nil {
		return fmt.Errorf("publish v2: %w", err)
	}
	objected := false
	for _, b := range d.Board {
		in := governance.AnswerInput{VersionNo: 2, Decision: "adopt"}
		switch {
		case b.SchoolID == principal:
			continue // pending
		case b.SchoolID != leadSchool && !objected:
			objected = true
			in = governance.AnswerInput{VersionNo: 2, Decision: "object", Reason: "本校为寄宿制学校，放学时段学生不离校，上下学值守条款请允许按住校生管理执行。"}
		}
		if _, err := gov.Answer(ctx, actor(b.SchoolID), d.Rule.ID, b.SchoolID, in); err != nil {
			return fmt.Errorf("answer v2 (%s): %w", b.SchoolName, err)
		}
	}
	gov.Today = store.Today
	if _, err := gov.Create(ctx, ga, governance.RuleInput{GroupID: group, Title: "集团教师考勤管理制度", Category: "attendance", Articles: []governance.Article{
		{Heading: "总则", Text: "为规范集团教师考勤管理，维护正常教育教学秩序，制定本制度。"},
		{Heading: "请假", Text: "教师请假一天以内由学校分管领导批准，三天以上报校长批准并报集团备案。"},
	}}); err != nil {
		return fmt.Errorf("draft rule: %w", err)
	}
	return nil
}
