package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/governance"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The demo's meetings (五(三)): the demo group's council met twenty days
// ago and decided three things. The principal's school was to finish its
// 防溺水 education three days ago and has reported progress but is overdue
// (its to-do, the group admin's escalation and a 督办 item of 督导); the
// lead school's open day is in progress, due in ten days; the next member's
// hazard ledger was delivered and closed by the group.
func seedMeetings(ctx context.Context, sv *services) error {
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
	var other int64
	if err := sv.st.R.QueryRowContext(ctx, `SELECT min(school_id) FROM group_members WHERE group_id = $1 AND left_on IS NULL AND school_id NOT IN ($2, $3)`,
		group, principal, leadSchool).Scan(&other); err != nil {
		return fmt.Errorf("a third member school: %w", err)
	}
	today := store.Today()
	day := func(n int) store.Date { return store.Date{Time: today.AddDate(0, 0, n)} }
	gov.Today = func() store.Date { return day(-20) }
	var attendees []governance.AttendeeInput
	for _, sc := range []int64{leadSchool, principal, other} {
		attendees = append(attendees, governance.AttendeeInput{SchoolID: sc, Names: "校长、分管副校长"})
	}
	m, err := gov.CreateMeeting(ctx, ga, governance.MeetingInput{GroupID: group, Kind: "council", Title: "集团理事会第二次会议", HeldOn: day(-20), Place: "牵头学校会议室",
		Minutes: "一、通报上月集团工作；二、研究安全工作和教研开放日安排；三、布置防溺水专项教育。", Attendees: attendees,
		Decisions: []governance.DecisionInput{
			{Decision: "完成防溺水专项教育并报送活动材料", OwnerSchoolID: principal, OwnerPerson: "分管副校长", DueOn: day(-3)},
			{Decision: "牵头组织集团教研开放日", OwnerSchoolID: leadSchool, OwnerPerson: "教务主任", DueOn: day(10)},
			{Decision: "报送校园安全隐患排查台账", OwnerSchoolID: other, OwnerPerson: "安全办主任", DueOn: day(-5)},
		}})
	if err != nil {
		return fmt.Errorf("meeting: %w", err)
	}
	report := func(a auth.Actor, f governance.Followup, progress, evidence string) (governance.FollowupDetail, error) {
		d, err := gov.Report(ctx, a, f.ID, governance.ProgressInput{Version: f.Version, Progress: progress, Evidence: evidence})
		if err != nil {
			return d, fmt.Errorf("report on %q: %w", f.Decision, err)
		}
		return d, nil
	}
	for _, f := range m.Followups {
		switch f.OwnerSchoolID {
		case principal:
			gov.Today = func() store.Date { return day(-10) }
			if _, err := report(pr, f, "已完成四至六年级的专题班会，一至三年级尚未开展", "班会照片与记录 12 份"); err != nil {
				return err
			}
		case leadSchool:
			gov.Today = func() store.Date { return day(-2) }
			if _, err := report(lead, f, "已确定开放日时间和展示课目录，正在征集各校听课名单", ""); err != nil {
				return err
			}
		case other:
			gov.Today = func() store.Date { return day(-6) }
			d, err := report(sv.sys, f, "台账已报送集团办公室", "隐患排查台账（10 月）")
			if err != nil {
				return err
			}
			if _, err := gov.Close(ctx, ga, f.ID, governance.CloseInput{Version: d.Followup.Version, Note: "台账完整，按期办结"}); err != nil {
				return fmt.Errorf("close: %w", err)
			}
		}
	}
	return nil
}
