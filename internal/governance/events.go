package governance

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// The notifications of the rulebook, posted inside each step's transaction:
// the member schools are told a version is published and asked to adopt it,
// and a school is told the group answered its objection; the group is told
// a school adopted or objected. Each event key names the version, so a
// notice exists once per step and person.

func ruleLink(id int64) string { return "/rules/" + strconv.FormatInt(id, 10) }

// post sends one notice to each user once, never to the actor.
func (s *Service) post(ctx context.Context, tx *sql.Tx, a auth.Actor, users []int64, n workbench.Notice) error {
	if s.Notices == nil {
		return nil
	}
	var out []workbench.Notice
	seen := map[int64]bool{a.UserID: true}
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		x := n
		x.UserID = u
		out = append(out, x)
	}
	return s.Notices.Post(ctx, tx, out...)
}

func schoolAdmins(ctx context.Context, tx *sql.Tx, schools []int64) ([]int64, error) {
	var users []int64
	for _, sc := range schools {
		ids, err := workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, sc)
		if err != nil {
			return nil, err
		}
		users = append(users, ids...)
	}
	return users, nil
}

func ruleKey(r Rule, no int) string {
	return "rulebook:" + strconv.FormatInt(r.ID, 10) + ":v" + strconv.Itoa(no)
}

func (s *Service) notifyPublished(ctx context.Context, tx *sql.Tx, a auth.Actor, r Rule, no int, schools []int64) error {
	users, err := schoolAdmins(ctx, tx, schools)
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: ruleKey(r, no) + ":published", Kind: "rulebook.published",
		Subject: r.GroupName + " · " + r.Title, Link: ruleLink(r.ID)})
}

func (s *Service) notifyAnswered(ctx context.Context, tx *sql.Tx, a auth.Actor, r Rule, school int64, to, reason string) error {
	users, err := workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, r.GroupID)
	if err != nil {
		return err
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM schools WHERE id = $1`, school).Scan(&name); err != nil {
		return err
	}
	n := workbench.Notice{EventKey: ruleKey(r, r.Current) + ":" + strconv.FormatInt(school, 10) + ":" + to, Kind: "rulebook." + to,
		Subject: name + " · " + r.Title, Link: ruleLink(r.ID)}
	if to == Objected {
		n.Note = reason
	}
	return s.post(ctx, tx, a, users, n)
}

func (s *Service) notifyReplied(ctx context.Context, tx *sql.Tx, a auth.Actor, r Rule, school int64, reply string) error {
	users, err := schoolAdmins(ctx, tx, []int64{school})
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: ruleKey(r, r.Current) + ":" + strconv.FormatInt(school, 10) + ":replied", Kind: "rulebook.replied",
		Subject: r.Title, Link: ruleLink(r.ID), Note: reply})
}

func followupLink(id int64) string { return "/followups/" + strconv.FormatInt(id, 10) }

// notifyFollowup tells the owner school's admins of a follow-up step
// (assigned, closed).
func (s *Service) notifyFollowup(ctx context.Context, tx *sql.Tx, a auth.Actor, id, school int64, step, subject, note string) error {
	users, err := schoolAdmins(ctx, tx, []int64{school})
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "followup:" + strconv.FormatInt(id, 10) + ":" + step, Kind: "followup." + step,
		Subject: subject, Link: followupLink(id), Note: note})
}

// notifyOrganiser tells the meeting's organisers (the group's admins; 基教股
// for a county meeting) that the owner reported progress.
func (s *Service) notifyOrganiser(ctx context.Context, tx *sql.Tx, a auth.Actor, f Followup, step string) error {
	var users []int64
	var err error
	if f.GroupID != 0 {
		users, err = workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, f.GroupID)
	} else {
		users, err = workbench.UsersWithGrant(ctx, tx, auth.SectionBasic, auth.ScopeCounty, 0)
	}
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "followup:" + strconv.FormatInt(f.ID, 10) + ":" + step + ":v" + strconv.Itoa(f.Version+1),
		Kind: "followup." + step, Subject: f.OwnerSchool + " · " + short(f.Decision), Link: followupLink(f.ID)})
}

func reportLink(id int64) string { return "/member-reports/" + strconv.FormatInt(id, 10) }

// notifyReport tells the group's admins a report was submitted, or the
// school's admins it was accepted or returned.
func (s *Service) notifyReport(ctx context.Context, tx *sql.Tx, a auth.Actor, id, group, school int64, step, subject, note string) error {
	var users []int64
	var err error
	if step == ReportSubmitted {
		users, err = workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, group)
	} else {
		users, err = schoolAdmins(ctx, tx, []int64{school})
	}
	if err != nil {
		return err
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM member_reports WHERE id = $1`, id).Scan(&v); err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "report:" + strconv.FormatInt(id, 10) + ":v" + strconv.Itoa(v) + ":" + step, Kind: "report." + step,
		Subject: subject, Link: reportLink(id), Note: note})
}
