package demo

import (
	"context"
	"fmt"

	"edugroup/internal/auth"
	"edugroup/internal/mentoring"
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
	leftHere, leftLead, waiting := false, false, false
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
	}
	return nil
}
