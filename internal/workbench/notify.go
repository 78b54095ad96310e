package workbench

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Notice is an event addressed to one person, as a capability posts it.
type Notice struct {
	UserID int64
	// EventKey names the event; with the recipient it is unique, so the
	// same event posted twice (a retry, a second instance) is stored once.
	EventKey string
	// Kind says what happened ("exchange.approved"); the client words it.
	Kind string
	// Subject is what it is about, as the recipient may see it.
	Subject string
	// Note is the reason given (a return, a refusal), shown in the app only;
	// outward messages never carry it.
	Note string
	// Link is the page of the object.
	Link string
}

// Notification is a stored notice as its recipient reads it.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Note      string     `json:"note"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// NotificationList is one page of a person's notifications.
type NotificationList struct {
	Items  []Notification `json:"items"`
	Unread int            `json:"unread"`
}

// Poster stores notices in the transaction of the change that caused them,
// so a notice exists exactly when its change committed.
type Poster interface {
	Post(ctx context.Context, tx *sql.Tx, notices ...Notice) error
}

// Post stores each notice once per event and recipient, and queues the
// outward deliveries the recipient chose for its kind. It runs inside the
// caller's transaction and never sends anything itself: the delivery job
// does, after the commit, so a slow mail server never holds a request.
func (s *Service) Post(ctx context.Context, tx *sql.Tx, notices ...Notice) error {
	now := s.Now().UTC().Truncate(time.Microsecond)
	for _, n := range notices {
		if n.UserID == 0 || n.EventKey == "" {
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO notifications (user_id, event_key, kind, subject, note, link, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, event_key) DO NOTHING RETURNING id`,
			n.UserID, n.EventKey, n.Kind, n.Subject, n.Note, n.Link, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already delivered
		}
		if err != nil {
			return err
		}
		if err := s.queue(ctx, tx, id, n.UserID, n.Kind, now); err != nil {
			return err
		}
	}
	return nil
}

// PostNow stores notices in a transaction of their own (reminders).
func (s *Service) PostNow(ctx context.Context, notices ...Notice) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error { return s.Post(ctx, tx, notices...) })
}

// notificationsMax bounds the list the bell shows.
const notificationsMax = 50

// Notifications lists the actor's newest notifications and the unread count.
func (s *Service) Notifications(ctx context.Context, a auth.Actor) (NotificationList, error) {
	out := NotificationList{Items: []Notification{}}
	if a.UserID == 0 {
		return out, errs.ForbiddenError()
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, kind, subject, note, link, created_at, read_at FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, a.UserID, notificationsMax)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Kind, &n.Subject, &n.Note, &n.Link, &n.CreatedAt, &read); err != nil {
			return out, err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			n.ReadAt = &t
		}
		out.Items = append(out.Items, n)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.Unread, err = s.Unread(ctx, a)
	return out, err
}

// Unread counts the actor's unread notifications.
func (s *Service) Unread(ctx context.Context, a auth.Actor) (int, error) {
	var n int
	err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, a.UserID).Scan(&n)
	return n, err
}

// MarkRead marks one of the actor's notifications read; another person's
// answers not found.
func (s *Service) MarkRead(ctx context.Context, a auth.Actor, id int64) (NotificationList, error) {
	if a.UserID == 0 {
		return NotificationList{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var read sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2`, id, a.UserID).Scan(&read)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("notification")
		}
		if err != nil || read.Valid {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3`, s.Now().UTC(), id, a.UserID)
		return err
	})
	if err != nil {
		return NotificationList{}, err
	}
	return s.Notifications(ctx, a)
}

// MarkAllRead marks every notification of the actor read.
func (s *Service) MarkAllRead(ctx context.Context, a auth.Actor) (NotificationList, error) {
	if a.UserID == 0 {
		return NotificationList{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, s.Now().UTC(), a.UserID)
		return err
	})
	if err != nil {
		return NotificationList{}, err
	}
	return s.Notifications(ctx, a)
}

// UsersWithGrant lists the enabled accounts holding role in the scope given
// (scopeID 0 for county roles), for capabilities addressing a notice to "the
// home school" or "人事股".
func UsersWithGrant(ctx context.Context, q store.Querier, role auth.Role, scope auth.ScopeType, scopeID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role = $1 AND g.scope_type = $2 AND g.scope_id = $3 AND u.disabled = FALSE ORDER BY g.user_id`, string(role), string(scope), scopeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// UsersOfStaff lists the enabled accounts of a staff record (the person an
// exchange is about).
func UsersOfStaff(ctx context.Context, q store.Querier, staffID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM users WHERE staff_id = $1 AND disabled = FALSE ORDER BY id`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
