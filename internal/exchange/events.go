package exchange

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// notify tells the people a step concerns, inside the step's transaction:
// those who must act next that the application reached them, and the
// applicant that it was approved, refused or cancelled (with the reason).
// The event key is the exchange's new version, so the notice exists once per
// transition and recipient however many instances or retries there are.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, a auth.Actor, x Exchange, action, from, to, note string) error {
	if s.Notices == nil || from == to {
		return nil
	}
	key := "exchange:" + strconv.FormatInt(x.ID, 10) + ":v" + strconv.Itoa(x.Version+1)
	base := workbench.Notice{Subject: subjectOfTask(x), Link: link(x)}
	var users []int64
	add := func(ids []int64, err error) error {
		users = append(users, ids...)
		return err
	}
	kind := "exchange.to_act"
	switch to {
	case Submitted:
		if action != "submit" {
			return nil
		}
		if err := add(workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, x.HomeSchoolID)); err != nil {
			return err
		}
		if x.HostSchoolID != x.HomeSchoolID {
			if err := add(workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, x.HostSchoolID)); err != nil {
				return err
			}
		}
		if err := add(workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, x.GroupID)); err != nil {
			return err
		}
	case Endorsed:
		if err := add(workbench.UsersWithGrant(ctx, tx, auth.SectionBasic, auth.ScopeCounty, 0)); err != nil {
			return err
		}
	case Reviewed:
		role := auth.SectionPersonnel
		if x.IsCadre {
			role = auth.SectionCadre
		}
		if err := add(workbench.UsersWithGrant(ctx, tx, role, auth.ScopeCounty, 0)); err != nil {
			return err
		}
	case Approved, Rejected, Cancelled:
		kind = map[string]string{Approved: "exchange.approved", Rejected: "exchange.rejected", Cancelled: "exchange.cancelled"}[to]
		base.Note = note
		if err := add(workbench.UsersOfStaff(ctx, tx, x.StaffID)); err != nil {
			return err
		}
		if x.createdByID != 0 {
			users = append(users, x.createdByID)
		}
	default:
		return nil
	}
	var out []workbench.Notice
	seen := map[int64]bool{a.UserID: true} // never tell the actor of their own step
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		n := base
		n.UserID, n.EventKey, n.Kind = u, key, kind
		out = append(out, n)
	}
	return s.Notices.Post(ctx, tx, out...)
}
