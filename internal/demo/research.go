package demo

import (
	"context"
	"fmt"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/research"
	"edugroup/internal/store"
)

// seedResearch proposes the research groups of the first two groups from
// the registry; every member school of the demo group keeps Tuesday to
// Thursday periods 5–6 free for research except the principal's school,
// which keeps Thursday taught, so the demo teacher's research group (led by
// yanzu at the lead school, slot Thursday 5–6) names that school. It runs
// one 集体备课 through the whole flow (初备 by the demo teacher, a comment,
// the shared plan published as version 2, an adaptation with a reflection)
// and schedules the next one, whose 初备 is the demo teacher's to-do; and
// it records a term of scored observations of lead-school and member-school
// teachers whose gap narrows month by month.
func seedResearch(ctx context.Context, sv *services) error {
	svc := research.NewService(sv.st, sv.log, sv.pol)
	sys := sv.sys
	actor := func(username string) (auth.Actor, error) {
		id, err := sv.auth.UserIDByName(ctx, username)
		if err != nil {
			return auth.Actor{}, err
		}
		u, err := sv.auth.GetUser(ctx, sys, id)
		if err != nil {
			return auth.Actor{}, err
		}
		a := auth.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: u.Grants, RequestID: Actor}
		if u.StaffID != nil {
			a.StaffID = *u.StaffID
		}
		return a, nil
	}
	ga, err := actor("groupadmin")
	if err != nil {
		return err
	}
	teacher, err := actor("teacher")
	if err != nil {
		return err
	}
	yanzu, err := actor("yanzu")
	if err != nil {
		return err
	}
	var group, group2, lead, school int64
	if err := sv.st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal' AND g.role = 'school_admin'`).Scan(&school); err != nil {
		return err
	}
	if err := sv.st.R.QueryRowContext(ctx, `SELECT m.group_id, g.lead_school_id FROM group_members m JOIN edu_groups g ON g.id = m.group_id
		WHERE m.school_id = $1 AND m.left_on IS NULL`, school).Scan(&group, &lead); err != nil {
		return err
	}
	if err := sv.st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'multi' AND g.role = 'group_admin'`).Scan(&group2); err != nil {
		return err
	}
	if _, err := svc.Propose(ctx, ga, research.ProposeInput{GroupID: group}); err != nil {
		return fmt.Errorf("propose: %w", err)
	}
	if _, err := svc.Propose(ctx, sys, research.ProposeInput{GroupID: group2}); err != nil {
		return fmt.Errorf("propose group 2: %w", err)
	}
	term := research.TermOf(svc.Today())
	rows, err := sv.st.R.QueryContext(ctx, `SELECT school_id FROM group_members WHERE group_id IN ($1, $2) AND left_on IS NULL ORDER BY school_id`, group, group2)
	if err != nil {
		return err
	}
	var schools []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		schools = append(schools, id)
	}
	rows.Close()
	for _, sc := range schools {
		var ps []research.Period
		for wd := 2; wd <= 4; wd++ {
			if sc == school && wd == 4 {
				continue
			}
			ps = append(ps, research.Period{Weekday: wd, Period: 5}, research.Period{Weekday: wd, Period: 6})
		}
		if _, err := svc.SetFreePeriods(ctx, sys, sc, research.FreePeriodsInput{Term: term, Periods: ps}); err != nil {
			return fmt.Errorf("free periods of %d: %w", sc, err)
		}
	}
	// Every research group gets a slot: the demo teacher's Thursday, the
	// others Tuesday or Wednesday by turns.
	groups, err := svc.Groups(ctx, sys, research.GroupFilter{})
	if err != nil {
		return err
	}
	var mine research.Group
	for i, g := range groups {
		wd := 2 + i%2
		isMine := false
		if g.GroupID == group {
			d, err := svc.GroupDetail(ctx, sys, g.ID)
			if err != nil {
				return err
			}
			for _, m := range d.MemberList {
				isMine = isMine || m.StaffID == teacher.StaffID
			}
			if isMine {
				ids := []int64{}
				for _, m := range d.MemberList {
					ids = append(ids, m.StaffID)
				}
				if _, err := svc.Update(ctx, ga, g.ID, research.GroupInput{Name: g.Name, LeaderStaffID: yanzu.StaffID, StaffIDs: ids, Version: g.Version}); err != nil {
					return fmt.Errorf("leader of %s: %w", g.Name, err)
				}
				wd = 4
			}
		}
		cur, err := svc.GroupDetail(ctx, sys, g.ID)
		if err != nil {
			return err
		}
		res, err := svc.SetSlot(ctx, sys, g.ID, research.SlotInput{Weekday: wd, Periods: []int{5, 6}, Version: cur.Version})
		if err != nil {
			return fmt.Errorf("slot of %s: %w", g.Name, err)
		}
		if isMine {
			mine = res.Group.Group
		}
	}
	if mine.ID == 0 {
		return fmt.Errorf("the demo teacher is in no research group")
	}
	// The last Thursday and the next.
	today := svc.Today()
	last := today.AddDate(0, 0, -((isoWd(today.Time) - 4 + 7) % 7))
	if !last.Before(today.Time) {
		last = last.AddDate(0, 0, -7)
	}
	next := last.AddDate(0, 0, 7)
	if !next.After(today.Time) {
		next = next.AddDate(0, 0, 7)
	}
	lastD, nextD := store.Date{Time: last}, store.Date{Time: next}
	p, err := svc.CreatePrep(ctx, yanzu, research.PrepInput{ResearchGroupID: mine.ID, Title: "第三单元 集体备课（第1课时）", LeadStaffID: teacher.StaffID, SessionOn: &lastD, SessionPeriods: []int{5, 6}})
	if err != nil {
		return fmt.Errorf("prep: %w", err)
	}
	draft := []research.Section{
		{Title: "教学目标", Body: "1. 正确、流利地朗读课文；2. 理解重点词句的含义；3. 体会作者表达的情感。"},
		{Title: "重点难点", Body: "重点：理解课文内容。难点：体会关键词句表达的情感。"},
		{Title: "教学过程", Body: "一、情境导入（5分钟）\n二、初读感知（10分钟）\n三、精读品悟（15分钟）\n四、拓展练习（10分钟）"},
		{Title: "作业设计", Body: "基础题：抄写生字词。提高题：仿写一段话。"},
	}
	if _, err := svc.Lease(ctx, teacher, p.ID); err != nil {
		return err
	}
	if _, err := svc.SaveVersion(ctx, teacher, p.ID, research.VersionInput{Base: 0, Sections: draft, Note: "初备"}); err != nil {
		return fmt.Errorf("初备: %w", err)
	}
	if _, err := svc.AddComment(ctx, yanzu, p.ID, research.CommentInput{Section: 2, Body: "精读环节建议增加小组合作，给学生留出交流时间；拓展练习可分层。"}); err != nil {
		return err
	}
	if _, err := svc.AddComment(ctx, yanzu, p.ID, research.CommentInput{Section: 3, Body: "作业量偏少，可加一道选做的实践作业。"}); err != nil {
		return err
	}
	shared := append([]research.Section{}, draft...)
	shared[2].Body = "一、情境导入（5分钟）\n二、初读感知（8分钟）\n三、精读品悟：小组合作交流（17分钟）\n四、分层拓展练习（10分钟）"
	shared[3].Body = "基础题：抄写生字词。提高题：仿写一段话。选做：观察身边的一处景物并记录。"
	if _, err := svc.Lease(ctx, yanzu, p.ID); err != nil {
		return err
	}
	if _, err := svc.SaveVersion(ctx, yanzu, p.ID, research.VersionInput{Base: 1, Sections: shared, Note: "集体研讨后定稿", Publish: true}); err != nil {
		return fmt.Errorf("共案: %w", err)
	}
	mineSecs := append([]research.Section{}, shared...)
	mineSecs[2].Body += "\n（本班：精读环节增加朗读指导，基础较弱的学生先读后说）"
	if _, err := svc.SaveAdaptation(ctx, teacher, p.ID, research.AdaptationInput{Sections: mineSecs,
		Reflection: "小组合作效果较好，但时间偏紧，拓展练习只完成了基础部分，下次压缩导入环节。"}); err != nil {
		return fmt.Errorf("二次备课: %w", err)
	}
	if _, err := svc.CreatePrep(ctx, yanzu, research.PrepInput{ResearchGroupID: mine.ID, Title: "第四单元 集体备课（第1课时）", LeadStaffID: teacher.StaffID, SessionOn: &nextD, SessionPeriods: []int{5, 6}}); err != nil {
		return fmt.Errorf("next prep: %w", err)
	}
	if err := seedObservations(ctx, svc, sys, ga, yanzu, teacher.StaffID, lead, school, mine); err != nil {
		return err
	}
	if err := seedResearchActivities(ctx, svc, ga, school, lead, mine, p.ID); err != nil {
		return err
	}
	return seedResearchPlans(ctx, svc, ga, yanzu, teacher.StaffID, mine, groups)
}

// seedResearchPlans: the demo research group's term plan was written by
// yanzu and approved in the first week of term; one other research group of
// the demo group submitted its plan only now, past the 开学初 deadline; the
// rest have none yet (late, on their leaders' workbenches).
func seedResearchPlans(ctx context.Context, svc *research.Service, ga, yanzu auth.Actor, teacher int64, mine research.Group, groups []research.Group) error {
	term := research.TermOf(svc.Today())
	var y1, y2, n int
	fmt.Sscanf(term, "%d-%d-%d", &y1, &y2, &n)
	early := time.Date(y1, 9, 8, 9, 0, 0, 0, time.UTC)
	if n == 2 {
		early = time.Date(y2, 3, 8, 9, 0, 0, 0, time.UTC)
	}
	in := research.PlanInput{Term: term, Themes: "单元整体教学与情境、问题导向的课堂；分层作业设计", Outputs: "共案 8 份、研讨课 4 节、课题阶段报告 1 份",
		Items: []research.PlanItem{{Week: 2, Kind: "prep", Title: "第一单元集体备课", LeadStaffID: teacher}, {Week: 4, Kind: "observe", Title: "研讨课听评", LeadStaffID: yanzu.StaffID},
			{Week: 6, Kind: "seminar", Title: "专题研讨：作业设计"}, {Week: 8, Kind: "prep", Title: "第三单元集体备课", LeadStaffID: teacher}, {Week: 10, Kind: "lecture", Title: "专家讲座"}}}
	now, today := svc.Now, svc.Today
	svc.Now = func() time.Time { return early }
	svc.Today = func() store.Date {
		return store.Date{Time: time.Date(early.Year(), early.Month(), early.Day(), 0, 0, 0, 0, time.UTC)}
	}
	defer func() { svc.Now, svc.Today = now, today }()
	p, err := svc.SavePlan(ctx, yanzu, mine.ID, in)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if p, err = svc.StepPlan(ctx, yanzu, mine.ID, "submit", research.PlanStep{Term: term, Version: p.Version}); err != nil {
		return fmt.Errorf("submit plan: %w", err)
	}
	if _, err = svc.StepPlan(ctx, ga, mine.ID, "decide", research.PlanStep{Term: term, Approve: true, Version: p.Version}); err != nil {
		return fmt.Errorf("approve plan: %w", err)
	}
	svc.Now, svc.Today = now, today
	for _, g := range groups {
		if g.GroupID != mine.GroupID || g.ID == mine.ID {
			continue
		}
		late := research.PlanInput{Term: term, Themes: "课堂教学常规与集体备课", Items: []research.PlanItem{{Week: 12, Kind: "prep", Title: "集体备课"}}}
		p, err := svc.SavePlan(ctx, ga, g.ID, late)
		if err != nil {
			return fmt.Errorf("late plan: %w", err)
		}
		_, err = svc.StepPlan(ctx, ga, g.ID, "submit", research.PlanStep{Term: term, Version: p.Version})
		return err
	}
	return nil
}

// seedResearchActivities runs the demo research group's term: an activity every
// Thursday afternoon since term began, at the lead school or online, its
// members invited and ticked, the principal's school missing more often
// early in term (课务冲突) than later; tomorrow's 专题研讨 is still ahead.
func seedResearchActivities(ctx context.Context, svc *research.Service, ga auth.Actor, school, lead int64, mine research.Group, prep int64) error {
	cst := time.FixedZone("CST", 8*3600)
	today := svc.Today()
	start := time.Date(today.Year(), 9, 4, 14, 0, 0, 0, cst)
	if today.Month() < 9 {
		start = time.Date(today.Year(), 3, 5, 14, 0, 0, 0, cst)
	}
	for start.Weekday() != time.Thursday {
		start = start.AddDate(0, 0, 1)
	}
	kinds := []string{"prep", "observe", "seminar", "lecture", "prep", "project"}
	titles := map[string]string{"prep": "集体备课", "observe": "听评课", "seminar": "专题研讨：情境与问题导向的课堂", "lecture": "专家讲座：新课标下的单元整体教学", "project": "课题研究推进会"}
	week := 0
	for at := start; at.Before(today.Time); at = at.AddDate(0, 0, 7) {
		kind := kinds[week%len(kinds)]
		in := research.ActivityInput{ResearchGroupID: mine.ID, Kind: kind, Title: fmt.Sprintf("第%d周 %s", week+1, titles[kind]), StartsAt: at, EndsAt: at.Add(90 * time.Minute),
			Mode: "onsite", SchoolID: lead, Room: "录播教室", InviteMembers: true}
		if week%3 == 2 {
			in.Mode, in.SchoolID, in.Room, in.Link = "online", 0, "", "https://meeting.example.org/hy-research"
		}
		d, err := svc.CreateActivity(ctx, ga, in)
		if err != nil {
			return fmt.Errorf("activity %s: %w", in.Title, err)
		}
		var marks []research.Mark
		for i, x := range d.Attendees {
			m := research.Mark{StaffID: x.StaffID, Status: research.AttPresent}
			switch {
			case x.SchoolID == school && week < 6 && (i+week)%2 == 0:
				m.Status, m.Reason = research.AttAbsent, "本校课务冲突"
			case (i+week)%11 == 0:
				m.Status, m.Reason = research.AttLeave, "外出培训"
			}
			marks = append(marks, m)
		}
		if _, err := svc.MarkAttendance(ctx, ga, d.ID, research.AttendanceInput{Marks: marks}); err != nil {
			return fmt.Errorf("attendance of %s: %w", in.Title, err)
		}
		if _, err := svc.Record(ctx, ga, d.ID, research.RecordInput{Minutes: "主持人介绍活动安排；主备人说课；分组研讨；形成修改意见。", Outputs: "研讨记录 1 份", Version: d.Version}); err != nil {
			return err
		}
		week++
	}
	tomorrow := time.Date(today.Year(), today.Month(), today.Day(), 14, 0, 0, 0, cst).AddDate(0, 0, 1)
	_, err := svc.CreateActivity(ctx, ga, research.ActivityInput{ResearchGroupID: mine.ID, Kind: "seminar", Title: "专题研讨：作业设计与分层", StartsAt: tomorrow, EndsAt: tomorrow.Add(90 * time.Minute),
		Mode: "onsite", SchoolID: lead, Room: "会议室", InviteMembers: true, PrepID: prep})
	return err
}

// seedObservations records, in each of the last five months, a scored
// lesson of a lead-school teacher and one of the principal's school, both
// observed by yanzu and a second lead-school teacher: the member school's
// mean climbs from about 70 towards the lead school's steady 88. The last
// lesson, of the demo teacher, waits for yanzu's sheet.
func seedObservations(ctx context.Context, svc *research.Service, sys, ga, yanzu auth.Actor, teacherStaff, lead, school int64, mine research.Group) error {
	rubrics, err := svc.Rubrics(ctx, sys)
	if err != nil {
		return err
	}
	var scored research.Rubric
	for _, r := range rubrics {
		if r.Kind == research.RubricScored {
			scored = r
		}
	}
	d, err := svc.GroupDetail(ctx, sys, mine.ID)
	if err != nil {
		return err
	}
	var leadTeachers, memberTeachers []int64
	for _, m := range d.MemberList {
		switch {
		case m.SchoolID == lead && m.StaffID != yanzu.StaffID:
			leadTeachers = append(leadTeachers, m.StaffID)
		case m.SchoolID == school && m.StaffID != yanzu.StaffID:
			memberTeachers = append(memberTeachers, m.StaffID)
		}
	}
	if len(leadTeachers) < 2 || len(memberTeachers) == 0 {
		return nil
	}
	second := leadTeachers[0]
	today := svc.Today()
	sheet := func(pct float64) []research.Answer {
		var out []research.Answer
		for _, dim := range scored.Tree.Dimensions {
			for _, it := range dim.Items {
				v := int(float64(it.Max)*pct + 0.5)
				if v > it.Max {
					v = it.Max
				}
				out = append(out, research.Answer{Item: it.Code, Score: &v})
			}
		}
		return out
	}
	for k := 5; k >= 1; k-- {
		on := store.Date{Time: today.AddDate(0, -k, 0)}
		for wd := isoWd(on.Time); wd > 5; wd = isoWd(on.Time) {
			on = store.Date{Time: on.AddDate(0, 0, -1)}
		}
		lessons := []struct {
			teacher int64
			pct     float64
			class   string
		}{
			{leadTeachers[1%len(leadTeachers)], 0.88, "五(1)班"},
			{memberTeachers[(5-k)%len(memberTeachers)], 0.70 + 0.03*float64(5-k), "五(2)班"},
		}
		for _, l := range lessons {
			kind := research.ObsScheduled
			if k == 3 {
				kind = research.ObsUnannounced
			}
			o, err := svc.CreateObservation(ctx, ga, research.ObsInput{TeacherStaffID: l.teacher, ResearchGroupID: mine.ID, ClassName: l.class,
				Subject: mine.Subject, Topic: fmt.Sprintf("%s 第%d单元 研讨课", mine.Subject, 6-k), ObservedOn: on, Period: 3, Kind: kind,
				RubricID: scored.ID, Observers: []int64{yanzu.StaffID, second}})
			if err != nil {
				return fmt.Errorf("observation: %w", err)
			}
			for i, obs := range []int64{yanzu.StaffID, second} {
				if _, err := svc.SaveForm(ctx, sys, o.ID, research.FormInput{Answers: sheet(l.pct - 0.02*float64(i)), Submit: true, ObserverID: obs}); err != nil {
					return fmt.Errorf("sheet: %w", err)
				}
			}
			if _, err := svc.Feedback(ctx, ga, o.ID, research.FeedbackInput{Text: "目标清楚，环节完整；建议增加学生展示与交流的时间，关注后进生。", Version: o.Version}); err != nil {
				return fmt.Errorf("feedback: %w", err)
			}
		}
	}
	_, err = svc.CreateObservation(ctx, ga, research.ObsInput{TeacherStaffID: teacherStaff, ResearchGroupID: mine.ID, ClassName: "五(2)班",
		Subject: mine.Subject, Topic: mine.Subject + " 第三单元 汇报课", ObservedOn: today, Period: 2, Kind: research.ObsScheduled,
		RubricID: scored.ID, Observers: []int64{yanzu.StaffID, second}})
	return err
}

func isoWd(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}
