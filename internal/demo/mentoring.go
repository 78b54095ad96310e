package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/mentoring"
	"edugroup/internal/store"
)

// seedMentoring pairs the new teachers of the demo group (三(二)): those of
// the member schools with mentors of the lead school, the lead school's own
// inside it, all proposed by the group admin and confirmed by every party;
// one pair with the demo teacher as mentor still waits for its
// confirmations, and two new teachers are left without a mentor, so the
// teacher's, the principal's and the group admin's workbenches show
// mentoring to-dos.
func seedMentoring(ctx context.Context, sv *services) error {
	svc := mentoring.NewService(sv.st, sv.log, sv.pol)
	sys := sv.sys
	id, err := sv.auth.UserIDByName(ctx, "groupadmin")
	if err != nil {
		return err
	}
	acct, err := sv.auth.GetUser(ctx, sys, id)
	if err != nil {
		return err
	}
	ga := auth.Actor{UserID: acct.ID, Username: acct.Username, DisplayName: acct.DisplayName, Grants: acct.Grants, RequestID: Actor}
	var group, lead, school, teacher int64
	if err := sv.st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'principal' AND g.role = 'school_admin'`).Scan(&school); err != nil {
		return err
	}
	if err := sv.st.R.QueryRowContext(ctx, `SELECT staff_id FROM users WHERE username = 'teacher'`).Scan(&teacher); err != nil {
		return err
	}
	if err := sv.st.R.QueryRowContext(ctx, `SELECT m.group_id, g.lead_school_id FROM group_members m JOIN edu_groups g ON g.id = m.group_id
		WHERE m.school_id = $1 AND m.left_on IS NULL`, school).Scan(&group, &lead); err != nil {
		return err
	}
	cov, err := svc.Coverage(ctx, sys, mentoring.CoverageFilter{GroupID: group})
	if err != nil {
		return err
	}
	mentors, err := svc.Candidates(ctx, sys, mentoring.PartyMentor, lead)
	if err != nil {
		return err
	}
	var pool []int64 // each lead-school mentor as many times as the limit allows
	for _, c := range mentors.Items {
		for i := c.Open; i < mentors.MaxMentees; i++ {
			pool = append(pool, c.StaffID)
		}
	}
	term := mentoring.TermOf(svc.Today())
	leftHere, leftLead, waiting, taught := false, false, false, false
	var teachers []int64 // the active pairs the demo teacher mentors
	for _, n := range cov.Teachers {
		if n.State != "unpaired" {
			continue
		}
		in := mentoring.Input{MenteeStaffID: n.StaffID, Kind: mentoring.KindIntro, StartTerm: term, EndTerm: term,
			Goals: "站稳讲台：教学常规、课堂管理、教案与听评课，学期末上汇报课"}
		confirm := true
		switch {
		case n.SchoolID == school && !leftHere:
			leftHere = true // unpaired: the group's to-do
			continue
		case n.SchoolID == lead && !leftLead:
			leftLead = true
			continue
		case n.SchoolID != school && n.SchoolID != lead && !waiting:
			// The demo teacher (at the principal's school) is asked to mentor.
			waiting, confirm = true, false
			in.MentorStaffID, in.Kind = teacher, mentoring.KindCollab
		case n.SchoolID != school && n.SchoolID != lead && !taught:
			// And mentors one already: its log waits on the teacher.
			taught = true
			in.MentorStaffID = teacher
		default:
			if len(pool) == 0 {
				continue
			}
			in.MentorStaffID, pool = pool[0], pool[1:]
		}
		d, err := svc.Create(ctx, ga, in)
		if err != nil {
			return fmt.Errorf("pair for %s: %w", n.Name, err)
		}
		if !confirm {
			continue
		}
		for _, party := range []string{mentoring.PartyMentor, mentoring.PartyMentee, mentoring.PartyMentorSchool, mentoring.PartyMenteeSchool} {
			if d, err = svc.Confirm(ctx, sys, d.ID, mentoring.Confirmation{Party: party, Version: d.Version}); err != nil {
				return fmt.Errorf("confirm pair %d (%s): %w", d.ID, party, err)
			}
		}
		if in.MentorStaffID == teacher {
			teachers = append(teachers, d.ID)
		}
	}
	return seedActivities(ctx, svc, group, teachers)
}

// seedActivities logs this term's work of the group's active pairs up to
// today, each confirmed by the other side: most pairs keep pace with the
// duties, the first is behind plan, and the demo teacher's pair has the
// mentee's latest observation waiting for the teacher to confirm.
func seedActivities(ctx context.Context, svc *mentoring.Service, group int64, teachers []int64) error {
	sys := auth.SystemActor(Actor)
	pairs, _, err := svc.List(ctx, sys, mentoring.Filter{GroupID: group, Status: mentoring.Active})
	if err != nil {
		return err
	}
	today := svc.Today()
	from, _ := mentoring.TermBounds(mentoring.TermOf(today))
	weeks := int(today.Sub(from.Time).Hours() / 24 / 7)
	topics := []string{"新授课", "复习课", "习题讲评课", "单元起始课", "实验探究课", "阅读指导课", "作文指导课", "公开课"}
	mine := map[int64]bool{}
	for _, id := range teachers {
		mine[id] = true
	}
	for i, p := range pairs {
		// A pace of one of each observation a fortnight; the first pair
		// fell behind after the first month.
		n := weeks / 2
		if i == 0 {
			n = min(n, 2)
		}
		var plan []mentoring.ActivityInput
		for k := 0; k < n; k++ {
			day := store.Date{Time: from.AddDate(0, 0, 9+14*k)}
			if day.After(today.Time) {
				break
			}
			topic := p.Subject + "·" + topics[(i+k)%len(topics)]
			plan = append(plan,
				mentoring.ActivityInput{Kind: mentoring.ActMenteeObserves, HeldOn: day, Topic: topic, Party: mentoring.PartyMentee, Notes: "听课记录与反思：导入简洁，问题链设计层层递进"},
				mentoring.ActivityInput{Kind: mentoring.ActMentorObserves, HeldOn: store.Date{Time: day.AddDate(0, 0, 2)}, Topic: topic, Party: mentoring.PartyMentor,
					Notes: "课后评课：目标达成较好，学生活动时间偏少"})
			if k%3 == 0 {
				plan = append(plan, mentoring.ActivityInput{Kind: mentoring.ActPlanReview, HeldOn: store.Date{Time: day.AddDate(0, 0, 1)}, Topic: topic + "教案", Party: mentoring.PartyMentee})
			}
			if k == 2 {
				plan = append(plan, mentoring.ActivityInput{Kind: mentoring.ActDemoLesson, HeldOn: store.Date{Time: day.AddDate(0, 0, 3)}, Topic: topic + "示范课", Party: mentoring.PartyMentor})
			}
		}
		// The teacher's pair: the mentee's latest entry waits on the teacher.
		waitsOn := -1
		for k, in := range plan {
			if mine[p.ID] && in.Party == mentoring.PartyMentee && !in.HeldOn.After(today.Time) {
				waitsOn = k
			}
		}
		for k, in := range plan {
			if in.HeldOn.After(today.Time) {
				continue
			}
			x, err := svc.LogActivity(ctx, sys, p.ID, in)
			if err != nil {
				return fmt.Errorf("activity of pair %d: %w", p.ID, err)
			}
			if k == waitsOn {
				continue
			}
			if _, err := svc.DecideActivity(ctx, sys, p.ID, x.ID, mentoring.Decision{Confirm: true, Version: x.Version}); err != nil {
				return err
			}
		}
	}
	return nil
}
