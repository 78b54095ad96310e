package resources

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// notify tells the people a step concerns, inside the step's transaction:
// the reviewers of the level a resource now waits at (the school's admins,
// the group's admins; the county's reviewers find it on their workbench),
// and its author of every decision. The event key is the resource's new
// version, so each notice exists once per step and recipient.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, a auth.Actor, r Resource, decision, status, level, note string) error {
	if s.Notices == nil {
		return nil
	}
	key := "resources:" + idStr(r.ID) + ":v" + strconv.Itoa(r.Version+1)
	type to struct {
		user int64
		kind string
	}
	var out []to
	if status == Pending && (decision == "submit" || level != r.ReviewLevel) {
		var ids []int64
		var err error
		switch level {
		case LevelSchool:
			ids, err = workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, r.SchoolID)
		case LevelGroup:
			ids, err = workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, r.GroupID)
		}
		if err != nil {
			return err
		}
		for _, id := range ids {
			out = append(out, to{id, "resources.to_review"})
		}
	}
	if decision != "submit" && r.createdByID != 0 {
		kind := "resources." + decision + "ed"
		if decision == "accept" && status == Pending && level == r.ReviewLevel {
			kind = "" // one of two reviewers: the author hears when the level passes
		}
		if decision == "reject" {
			kind = "resources.rejected"
		}
		if decision == "return" {
			kind = "resources.returned"
		}
		if kind != "" {
			out = append(out, to{r.createdByID, kind})
		}
	}
	var notices []workbench.Notice
	seen := map[int64]bool{a.UserID: true}
	for _, t := range out {
		if seen[t.user] {
			continue
		}
		seen[t.user] = true
		n := workbench.Notice{UserID: t.user, EventKey: key, Kind: t.kind, Subject: r.Title, Link: link(r.ID)}
		if decision == "return" || decision == "reject" {
			n.Note = note
		}
		notices = append(notices, n)
	}
	return s.Notices.Post(ctx, tx, notices...)
}
