package research

import (
	"context"
	"database/sql"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// notifyStaff tells the accounts of the given staff of one event, inside the
// step's transaction; the actor is never told of their own step. The event
// key with the recipient is unique, so a retried step tells nobody twice.
func (s *Service) notifyStaff(ctx context.Context, tx *sql.Tx, a auth.Actor, staff []int64, kind, subject, link, key, note string) error {
	if s.Notices == nil {
		return nil
	}
	seen := map[int64]bool{a.UserID: true}
	var out []workbench.Notice
	for _, sid := range staff {
		users, err := workbench.UsersOfStaff(ctx, tx, sid)
		if err != nil {
			return err
		}
		for _, u := range users {
			if seen[u] {
				continue
			}
			seen[u] = true
			out = append(out, workbench.Notice{UserID: u, EventKey: "research:" + key, Kind: kind, Subject: subject, Link: link, Note: note})
		}
	}
	return s.Notices.Post(ctx, tx, out...)
}
