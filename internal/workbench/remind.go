package workbench

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The reminder policy lives in the policy settings (policy.Reminders): a
// due-soon reminder N days before a to-do's due date, an overdue notice
// after it, and an escalation to a county role some days later, per task
// kind.

func (s *Service) reminders(ctx context.Context) (policy.Reminders, error) {
	if s.Policy == nil {
		return policy.Defaults().Reminders, nil
	}
	return s.Policy(ctx)
}

// remindLock is the advisory lock key under which one instance at a time
// runs the reminders; the sent-reminders table makes a second run a no-op.
const remindLock int64 = 727319

// The offsets a sent reminder is recorded under, beside the due-soon days.
const (
	offsetOverdue   = -1
	offsetEscalated = -2
)

// RemindOnce sends the reminders due today: for every account and grant, each
// open to-do with a due date gets its due-soon reminder, its overdue notice
// and its escalation once, whatever the number of runs or instances.
func (s *Service) RemindOnce(ctx context.Context) (sent int, err error) {
	err = s.st.WithLock(ctx, remindLock, func() error {
		rem, err := s.reminders(ctx)
		if err != nil {
			return err
		}
		actors, err := s.allActors(ctx)
		if err != nil {
			return err
		}
		today := s.Today()
		for _, a := range actors {
			w, err := s.gather(ctx, a, today, rem)
			if err != nil {
				return err
			}
			for _, it := range w.Todo {
				if it.DueOn.IsZero() {
					continue
				}
				n, err := s.remindItem(ctx, a, it, rem.For(it.Kind), today)
				if err != nil {
					return err
				}
				sent += n
			}
		}
		return nil
	})
	return sent, err
}

func (s *Service) remindItem(ctx context.Context, a auth.Actor, it Item, rule policy.ReminderRule, today store.Date) (int, error) {
	sent := 0
	once := func(userID int64, offset int, kind string) error {
		return s.st.Tx(ctx, func(tx *sql.Tx) error {
			var k string
			err := tx.QueryRowContext(ctx, `INSERT INTO sent_reminders (task_key, offset_days, user_id, sent_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (task_key, offset_days, user_id) DO NOTHING RETURNING task_key`, it.Key, offset, userID, s.Now().UTC()).Scan(&k)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // sent before
			}
			if err != nil {
				return err
			}
			sent++
			return s.Post(ctx, tx, Notice{UserID: userID, EventKey: "remind:" + it.Key + ":" + strconv.Itoa(offset), Kind: kind, Subject: it.Subject, Link: it.Link})
		})
	}
	due := it.DueOn
	if rule.DueSoonDays > 0 && !today.After(due.Time) && !today.Before(AddDays(due, -rule.DueSoonDays).Time) {
		if err := once(a.UserID, rule.DueSoonDays, "reminder.due_soon"); err != nil {
			return sent, err
		}
	}
	if rule.OverdueNotice && today.After(due.Time) {
		if err := once(a.UserID, offsetOverdue, "reminder.overdue"); err != nil {
			return sent, err
		}
	}
	if rule.EscalateAfterDays > 0 && rule.EscalateTo != "" && !today.Before(AddDays(due, rule.EscalateAfterDays).Time) {
		to, err := UsersWithGrant(ctx, s.st.R, auth.Role(rule.EscalateTo), auth.ScopeCounty, 0)
		if err != nil {
			return sent, err
		}
		for _, u := range to {
			if u == a.UserID {
				continue
			}
			if err := once(u, offsetEscalated, "reminder.escalated"); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// allActors is every enabled account once per grant, acting as it would in
// a session switched to that grant.
func (s *Service) allActors(ctx context.Context) ([]auth.Actor, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, COALESCE(u.staff_id, 0), g.id, g.role, g.scope_type, g.scope_id
		FROM users u JOIN role_grants g ON g.user_id = u.id WHERE u.disabled = FALSE ORDER BY u.id, g.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.Actor
	for rows.Next() {
		var a auth.Actor
		var g auth.Grant
		if err := rows.Scan(&a.UserID, &a.Username, &a.DisplayName, &a.StaffID, &g.ID, &g.Role, &g.ScopeType, &g.ScopeID); err != nil {
			return nil, err
		}
		a.Grants = []auth.Grant{g}
		out = append(out, a)
	}
	return out, rows.Err()
}
