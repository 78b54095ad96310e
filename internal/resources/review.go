package resources

import (
	"context"
	"database/sql"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The rules a step can break.
const (
	RuleNoFile   = "resources.no_file"
	RuleDuration = "resources.duration"
	RuleVoted    = "resources.already_voted"
)

// actions is what the actor may do to a resource now.
type actions map[string]bool

var actionOrder = []string{"edit", "upload", "submit", "accept", "return", "reject", "delete"}

func (c actions) list() []string {
	out := []string{}
	for _, n := range actionOrder {
		if c[n] {
			out = append(out, n)
		}
	}
	return out
}

// reviewsAt: the actor reviews at the resource's current level — its
// school's reviewer (a school grant), its group's (a group grant), the
// county's (a county grant).
func reviewsAt(a auth.Actor, r Resource) bool {
	if r.Status != Pending {
		return false
	}
	rv := a.Reach(auth.PermResourcesReview)
	switch r.ReviewLevel {
	case LevelSchool:
		return rv.School(r.SchoolID) || a.System
	case LevelGroup:
		return (r.GroupID != 0 && rv.Group(r.GroupID)) || a.System
	case LevelCounty:
		return rv.County
	}
	return false
}

func (s *Service) allowed(ctx context.Context, q store.Reader, a auth.Actor, r Resource) (actions, error) {
	c := actions{}
	ed := editable(a, r)
	c["edit"] = ed
	c["upload"] = ed && fileKind(r.Kind)
	c["submit"] = ed
	c["delete"] = ed || (r.Status == Rejected && editable(a, Resource{Status: Draft, SchoolID: r.SchoolID, createdByID: r.createdByID}))
	if reviewsAt(a, r) {
		voted, err := hasVoted(ctx, q, r, a.UserID)
		if err != nil {
			return c, err
		}
		c["accept"] = !voted
		c["return"] = true
		c["reject"] = true
	}
	return c, nil
}

// round is the number of the resource's current submission: each submit
// starts a new one, so a vote before a return does not count after it.
func round(ctx context.Context, q store.Reader, id int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM resource_reviews WHERE resource_id = $1 AND decision = 'submit'`, id).Scan(&n)
	return n, err
}

func hasVoted(ctx context.Context, q store.Reader, r Resource, user int64) (bool, error) {
	rd, err := round(ctx, q, r.ID)
	if err != nil {
		return false, err
	}
	var n int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM resource_reviews WHERE resource_id = $1 AND level = $2 AND round = $3 AND decision = 'accept' AND user_id = $4`,
		r.ID, r.ReviewLevel, rd, user).Scan(&n)
	return n > 0, err
}

// durationProblem: a video longer than its kind's limit.
func durationProblem(set policy.Resources, r Resource) (Warning, bool) {
	max := 0
	switch r.Kind {
	case KindMicro:
		max = set.MaxMicroMinutes
	case KindRecording:
		max = set.MaxRecordingMinutes
	}
	if max > 0 && r.DurationMS > int64(max)*60000 {
		return Warning{Key: "resources.rule.duration", Args: errs.Args{"max": max, "minutes": (r.DurationMS + 59999) / 60000}}, true
	}
	return Warning{}, false
}

// Decision is a reviewer's answer, or the author's submission.
type Decision struct {
	Version int    `json:"version"`
	Comment string `json:"comment"`
}

type stepFunc func(tx *sql.Tx, r Resource, can actions) (status, level, label, decision string, err error)

// step runs one action on a resource in one transaction with the version
// check, the review record, the notices and the audit record.
func (s *Service) step(ctx context.Context, a auth.Actor, id int64, in Decision, action string, fn stepFunc) (Detail, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	if len([]rune(in.Comment)) > 2000 {
		return Detail{}, errs.FieldError("comment", "field.max", errs.Args{"max": 2000})
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if in.Version != r.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		can, err := s.allowed(ctx, tx, a, r)
		if err != nil {
			return err
		}
		status, level, label, decision, err := fn(tx, r, can)
		if err != nil {
			return err
		}
		rd, err := round(ctx, tx, id)
		if err != nil {
			return err
		}
		reviewLevel := r.ReviewLevel
		if decision == "submit" {
			rd++
			reviewLevel = LevelSchool
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_reviews (resource_id, level, round, decision, comment, user_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, reviewLevel, rd, decision, in.Comment, nullID(a.UserID), a.DisplayName, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE resources SET status = $1, review_level = $2, label = $3, updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6`,
			status, level, label, now, id, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if err := s.notify(ctx, tx, a, r, decision, status, level, in.Comment); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources." + action, ObjectType: "resource", ObjectID: idStr(id),
			Detail: map[string]any{"before": map[string]any{"status": r.Status, "review_level": r.ReviewLevel, "label": r.Label},
				"after": map[string]any{"status": status, "review_level": level, "label": label}, "comment": in.Comment}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// Submit sends a draft (or a returned resource) to its school's review.
func (s *Service) Submit(ctx context.Context, a auth.Actor, id int64, in Decision) (Detail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Detail{}, err
	}
	return s.step(ctx, a, id, in, "submit", func(tx *sql.Tx, r Resource, can actions) (string, string, string, string, error) {
		if !can["submit"] {
			return "", "", "", "", errs.ForbiddenError()
		}
		if fileKind(r.Kind) && r.FileID == 0 {
			return "", "", "", "", errs.RuleError(RuleNoFile, "resources.rule.no_file", nil)
		}
		if w, bad := durationProblem(set, r); bad {
			return "", "", "", "", errs.RuleError(RuleDuration, w.Key, w.Args)
		}
		return Pending, LevelSchool, r.Label, "submit", nil
	})
}

// next is the level after l for r, or "" when l is the last it goes to: a
// school-scoped resource stops at its school, a group-scoped one at its
// group (a school in no group stops at the school), a county one goes on
// to the county.
func next(r Resource, l string) string {
	switch l {
	case LevelSchool:
		if r.ShareScope != ScopeSchool && r.GroupID != 0 {
			return LevelGroup
		}
		if r.ShareScope == ScopeCounty {
			return LevelCounty
		}
	case LevelGroup:
		if r.ShareScope == ScopeCounty {
			return LevelCounty
		}
	}
	return ""
}

// Accept passes the resource at its current level with that level's label
// (校级优质, 集团优质, 县级精品), sending it on to the next level its sharing
// scope reaches. With two reviewers per level (a setting) the first accept
// is recorded and the second, by another reviewer, passes it.
func (s *Service) Accept(ctx context.Context, a auth.Actor, id int64, in Decision) (Detail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Detail{}, err
	}
	return s.step(ctx, a, id, in, "accept", func(tx *sql.Tx, r Resource, can actions) (string, string, string, string, error) {
		if !reviewsAt(a, r) {
			return "", "", "", "", errs.ForbiddenError()
		}
		if !can["accept"] {
			return "", "", "", "", errs.RuleError(RuleVoted, "resources.rule.already_voted", nil)
		}
		need := max(set.ReviewersPerLevel, 1)
		if need > 1 {
			rd, err := round(ctx, tx, r.ID)
			if err != nil {
				return "", "", "", "", err
			}
			var votes int
			if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT user_id) FROM resource_reviews WHERE resource_id = $1 AND level = $2 AND round = $3 AND decision = 'accept'`,
				r.ID, r.ReviewLevel, rd).Scan(&votes); err != nil {
				return "", "", "", "", err
			}
			if votes+1 < need {
				return Pending, r.ReviewLevel, r.Label, "accept", nil
			}
		}
		label := r.ReviewLevel
		if n := next(r, r.ReviewLevel); n != "" {
			return Pending, n, label, "accept", nil
		}
		return Accepted, "", label, "accept", nil
	})
}

// Return sends the resource back to its author with comments; the author
// edits and submits it again, from its school.
func (s *Service) Return(ctx context.Context, a auth.Actor, id int64, in Decision) (Detail, error) {
	if strings.TrimSpace(in.Comment) == "" {
		return Detail{}, errs.FieldError("comment", "field.required", nil)
	}
	return s.step(ctx, a, id, in, "return", func(tx *sql.Tx, r Resource, can actions) (string, string, string, string, error) {
		if !reviewsAt(a, r) {
			return "", "", "", "", errs.ForbiddenError()
		}
		return Returned, r.ReviewLevel, r.Label, "return", nil
	})
}

// Reject ends the review: the resource keeps the label it had earned below
// this level (a 校级优质 the group rejects stays 校级优质, shared as before).
func (s *Service) Reject(ctx context.Context, a auth.Actor, id int64, in Decision) (Detail, error) {
	if strings.TrimSpace(in.Comment) == "" {
		return Detail{}, errs.FieldError("comment", "field.required", nil)
	}
	return s.step(ctx, a, id, in, "reject", func(tx *sql.Tx, r Resource, can actions) (string, string, string, string, error) {
		if !reviewsAt(a, r) {
			return "", "", "", "", errs.ForbiddenError()
		}
		if r.Label != "" {
			return Accepted, "", r.Label, "reject", nil
		}
		return Rejected, r.ReviewLevel, "", "reject", nil
	})
}
