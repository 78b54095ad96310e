package planning

import (
	"context"
	"database/sql"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/workbench"
)

// The notifications of the plan steps, posted inside each step's
// transaction: the schools are told a round opened, that their plan was
// accepted or returned (with the comment) and that the group plan is
// published; the group is told a plan was submitted. Each event key holds
// the version the step wrote, so a notice exists once per step and person.

func roundLink(r Round) string { return "/plans/" + strconv.FormatInt(r.ID, 10) }

func planLink(r Round, school int64) string {
	return roundLink(r) + "/schools/" + strconv.FormatInt(school, 10)
}

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

func (s *Service) notifyOpened(ctx context.Context, tx *sql.Tx, a auth.Actor, r Round) error {
	schools, err := required(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	users, err := schoolAdmins(ctx, tx, schools)
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "planning:round:" + strconv.FormatInt(r.ID, 10) + ":open", Kind: "planning.opened",
		Subject: r.Title, Link: roundLink(r)})
}

func (s *Service) notifySubmitted(ctx context.Context, tx *sql.Tx, a auth.Actor, r Round, p Plan) error {
	users, err := workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, r.GroupID)
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "planning:plan:" + strconv.FormatInt(p.ID, 10) + ":v" + strconv.Itoa(p.Version+1),
		Kind: "planning.submitted", Subject: p.SchoolName + " · " + r.Title, Link: planLink(r, p.SchoolID)})
}

func (s *Service) notifyReviewed(ctx context.Context, tx *sql.Tx, a auth.Actor, r Round, p Plan, to string) error {
	users, err := schoolAdmins(ctx, tx, []int64{p.SchoolID})
	if err != nil {
		return err
	}
	n := workbench.Notice{EventKey: "planning:plan:" + strconv.FormatInt(p.ID, 10) + ":v" + strconv.Itoa(p.Version+1), Kind: "planning." + to,
		Subject: r.Title, Link: planLink(r, p.SchoolID)}
	if to == Returned {
		n.Note = p.ReviewComment
	}
	return s.post(ctx, tx, a, users, n)
}

func (s *Service) notifyPublished(ctx context.Context, tx *sql.Tx, a auth.Actor, r Round) error {
	ms, err := members(ctx, tx, r.GroupID)
	if err != nil {
		return err
	}
	var schools []int64
	for _, m := range ms {
		schools = append(schools, m.ID)
	}
	users, err := schoolAdmins(ctx, tx, schools)
	if err != nil {
		return err
	}
	return s.post(ctx, tx, a, users, workbench.Notice{EventKey: "planning:round:" + strconv.FormatInt(r.ID, 10) + ":published:v" + strconv.Itoa(r.Version),
		Kind: "planning.published", Subject: r.Title, Link: roundLink(r) + "/group-plan"})
}
