package exchange

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// Mentor is a teacher of another school of the group whom a new teacher may
// follow (跟岗学习 at the mentor's school): names and what they teach, no
// personal data.
type Mentor struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Title   string `json:"title"`
	Honours string `json:"honours"`
}

// MentorList is the answer of Mentors.
type MentorList struct {
	Items []Mentor `json:"items"`
}

// Mentors lists the active teaching staff of a school that shares a group
// with a school the actor applies for, honoured teachers first.
func (s *Service) Mentors(ctx context.Context, a auth.Actor, schoolID int64) (MentorList, error) {
	out := MentorList{Items: []Mentor{}}
	r := a.Reach(auth.PermExchangesApply)
	own := append([]int64{}, r.Schools...)
	if r.Self != 0 {
		var sc int64
		if err := s.st.R.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, r.Self).Scan(&sc); err != nil {
			return out, err
		}
		own = append(own, sc)
	}
	shared := r.County
	for _, sc := range own {
		var n int
		if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM group_members m1 JOIN group_members m2 ON m2.group_id = m1.group_id AND m2.left_on IS NULL
			WHERE m1.school_id = $1 AND m1.left_on IS NULL AND m2.school_id = $2`, sc, schoolID).Scan(&n); err != nil {
			return out, err
		}
		shared = shared || n > 0
	}
	if !shared {
		return out, errs.NotFoundError("school")
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, name, subject, title, honours FROM staff WHERE school_id = $1 AND status = 'active' AND subject <> ''
		ORDER BY CASE WHEN honours <> '' THEN 0 ELSE 1 END, name LIMIT 500`, schoolID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Mentor
		if err := rows.Scan(&m.ID, &m.Name, &m.Subject, &m.Title, &m.Honours); err != nil {
			return out, err
		}
		out.Items = append(out.Items, m)
	}
	return out, rows.Err()
}
