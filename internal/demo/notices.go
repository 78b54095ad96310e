package demo

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// Notices gives the demo accounts the bell they would have if the demo's
// exchanges had walked the workflow on the platform: for each exchange, the
// notice its current state sent (reached the principal, 基教股, 人事股; the
// applicant approved or refused with the reason). Older ones are read. It is
// idempotent: each notice is keyed by exchange and state.
func Notices(ctx context.Context, st *store.Store) error {
	rows, err := st.R.QueryContext(ctx, `SELECT e.id, e.status, e.is_cadre, e.staff_id, COALESCE(e.created_by, 0), e.group_id, e.home_school_id, e.host_school_id,
		e.host_consent_by IS NOT NULL, st.name, xs.name, e.updated_at FROM exchanges e JOIN staff st ON st.id = e.staff_id JOIN schools xs ON xs.id = e.host_school_id
		WHERE e.team_id IS NULL ORDER BY e.id`)
	if err != nil {
		return err
	}
	type ex struct {
		id, staff, creator, group, home, host int64
		status, staff_, host_                 string
		cadre, consented                      bool
		at                                    time.Time
	}
	var all []ex
	for rows.Next() {
		var x ex
		if err := rows.Scan(&x.id, &x.status, &x.cadre, &x.staff, &x.creator, &x.group, &x.home, &x.host, &x.consented, &x.staff_, &x.host_, &x.at); err != nil {
			rows.Close()
			return err
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	wb := workbench.NewService(st)
	now := store.Now()
	for _, x := range all {
		var users []int64
		add := func(ids []int64, err error) error {
			users = append(users, ids...)
			return err
		}
		kind, note := "exchange.to_act", ""
		var err error
		switch x.status {
		case "submitted":
			err = add(workbench.UsersWithGrant(ctx, st.R, auth.SchoolAdmin, auth.ScopeSchool, x.home))
			if err == nil && !x.consented {
				if err = add(workbench.UsersWithGrant(ctx, st.R, auth.SchoolAdmin, auth.ScopeSchool, x.host)); err == nil {
					err = add(workbench.UsersWithGrant(ctx, st.R, auth.GroupAdmin, auth.ScopeGroup, x.group))
				}
			}
		case "endorsed":
			err = add(workbench.UsersWithGrant(ctx, st.R, auth.SectionBasic, auth.ScopeCounty, 0))
		case "reviewed":
			role := auth.SectionPersonnel
			if x.cadre {
				role = auth.SectionCadre
			}
			err = add(workbench.UsersWithGrant(ctx, st.R, role, auth.ScopeCounty, 0))
		case "approved", "underway", "rejected", "cancelled":
			kind = map[string]string{"approved": "exchange.approved", "underway": "exchange.approved", "rejected": "exchange.rejected", "cancelled": "exchange.cancelled"}[x.status]
			if x.status == "rejected" || x.status == "cancelled" {
				if err = st.R.QueryRowContext(ctx, `SELECT note FROM exchange_steps WHERE exchange_id = $1 ORDER BY id DESC LIMIT 1`, x.id).Scan(&note); err == sql.ErrNoRows {
					err = nil
				}
			}
			if err == nil {
				err = add(workbench.UsersOfStaff(ctx, st.R, x.staff))
			}
			if x.creator != 0 {
				users = append(users, x.creator)
			}
		default:
			continue
		}
		if err != nil {
			return err
		}
		at := x.at.UTC()
		if at.After(now) {
			at = now
		}
		wb.Now = func() time.Time { return at }
		key := "demo:exchange:" + strconv.FormatInt(x.id, 10) + ":" + x.status
		var out []workbench.Notice
		seen := map[int64]bool{}
		for _, u := range users {
			if !seen[u] {
				seen[u] = true
				out = append(out, workbench.Notice{UserID: u, EventKey: key, Kind: kind, Subject: x.staff_ + " · " + x.host_, Note: note,
					Link: "/exchanges/" + strconv.FormatInt(x.id, 10)})
			}
		}
		if err := wb.PostNow(ctx, out...); err != nil {
			return err
		}
	}
	// What happened more than three days ago has been read.
	_, err = st.W.ExecContext(ctx, `UPDATE notifications SET read_at = created_at WHERE event_key LIKE 'demo:%' AND read_at IS NULL AND created_at < $1`,
		now.Add(-72*time.Hour))
	return err
}
