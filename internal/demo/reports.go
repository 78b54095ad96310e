package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/governance"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The demo's member reports (五(三) 各校要定期汇报): the monthly reports of
// the demo group's members for the month before last are in — the
// principal's school's accepted with the group's guidance, the next
// member's returned — and for last month the principal's school has not
// reported yet (its to-do) while the next member's waits for review.
func seedReports(ctx context.Context, sv *services) error {
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
	last := governance.LatestPeriod("month", today)
	before := governance.LatestPeriod("month", store.Date{Time: today.AddDate(0, -1, 0)})
	// The month before last, reported on the 3rd of last month.
	gov.Today = func() store.Date { return store.Date{Time: today.AddDate(0, -1, 3-today.Day())} }
	submit := func(a auth.Actor, school int64, period, done string) (governance.MemberReport, error) {
		r, err := gov.SubmitReport(ctx, a, governance.MemberReportInput{GroupID: group, SchoolID: school, Kind: "monthly", Period: period, Done: done,
			Problems: "青年教师课堂教学经验不足", NextPlan: "参加集团教研开放日，开展青年教师汇报课", Help: "请牵头学校派骨干教师指导"})
		if err != nil {
			return r, fmt.Errorf("report %s: %w", period, err)
		}
		return r, nil
	}
	r, err := submit(pr, principal, before, "完成期中质量分析；开展防溺水专题教育；组织青年教师汇报课 3 节。")
	if err != nil {
		return err
	}
	if _, err := gov.ReviewReport(ctx, ga, r.ID, governance.ReportReview{Version: r.Version, Decision: "accept",
		Guidance: "质量分析扎实；下月请牵头学校语文骨干教师到校指导青年教师备课。"}); err != nil {
		return err
	}
	r, err = submit(sv.sys, other, before, "完成月度工作。")
	if err != nil {
		return err
	}
	if _, err := gov.ReviewReport(ctx, ga, r.ID, governance.ReportReview{Version: r.Version, Decision: "return", Guidance: "请写明本月完成的具体工作和数据。"}); err != nil {
		return err
	}
	gov.Today = store.Today
	if _, err := submit(sv.sys, other, last, "组织集团联片教研 1 次，完成安全隐患排查并报送台账。"); err != nil {
		return err
	}
	return nil
}
