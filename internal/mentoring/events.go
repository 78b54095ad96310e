package mentoring

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// notify tells the people a step concerns, inside the step's transaction: a
// proposed pair goes to the mentor, the mentee and both schools' admins to
// confirm; an active, declined or cancelled one to the proposer and both
// people. The event key is the pair's new version, so each notice exists
// once per transition and recipient.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, a auth.Actor, p Pair, action, from, to, note string) error {
	if s.Notices == nil || from == to {
		return nil
	}
	version := p.Version + 1
	if action == "create" {
		version = 1
	}
	key := "mentoring:" + strconv.FormatInt(p.ID, 10) + ":v" + strconv.Itoa(version)
	var users []int64
	add := func(ids []int64, err error) error {
		users = append(users, ids...)
		return err
	}
	kind := ""
	people := func() error {
		if err := add(workbench.UsersOfStaff(ctx, tx, p.MentorStaffID)); err != nil {
			return err
		}
		return add(workbench.UsersOfStaff(ctx, tx, p.MenteeStaffID))
	}
	switch to {
	case Proposed:
		kind = "mentoring.to_confirm"
		if err := people(); err != nil {
			return err
		}
		if err := add(workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, p.MentorSchoolID)); err != nil {
			return err
		}
		if p.CrossSchool {
			if err := add(workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, p.MenteeSchoolID)); err != nil {
				return err
			}
		}
	case Active, Declined, Cancelled, Ended:
		kind = "mentoring." + to
		if err := people(); err != nil {
			return err
		}
		if p.createdByID != 0 {
			users = append(users, p.createdByID)
		}
	default:
		return nil
	}
	base := workbench.Notice{Subject: subject(p), Link: link(p), Kind: kind}
	if to != Proposed {
		base.Note = note
	}
	var out []workbench.Notice
	seen := map[int64]bool{a.UserID: true} // never tell the actor of their own step
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		n := base
		n.UserID, n.EventKey = u, key
		out = append(out, n)
	}
	return s.Notices.Post(ctx, tx, out...)
}
