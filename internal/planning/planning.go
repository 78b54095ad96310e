// Package planning is 计划共融 (三(三)): each school of a group makes its term
// plan, the group reviews it, and the accepted plans are compiled with the
// group's own items into the group's plan that every member school reads.
// A plan round names the term, the template of sections, the deadline and
// the schools that must submit; each submitted version of a school's plan is
// kept with the group's decision on it.
package planning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The states of a round.
const (
	RoundOpen      = "open"      // school plans are being made and reviewed
	RoundPublished = "published" // the group plan is published (it may be edited and published again)
)

// The states of a school's plan; "none" is a required school that has not
// saved anything yet.
const (
	None      = "none"
	Draft     = "draft"
	Submitted = "submitted"
	Returned  = "returned"
	Accepted  = "accepted"
)

// Service keeps plan rounds, school plans and group plans.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	// Today is the calendar date deadlines are judged on; tests set it.
	Today func() store.Date
	// Notices receives the notifications of each step, in its transaction;
	// nil sends none.
	Notices workbench.Poster
}

// NewService wires the planning capability.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, Today: store.Today}
}

// Item is one line of a plan: what is to be achieved, how, by whom, in which
// month, and the group activity it belongs to, if any.
type Item struct {
	Goal     string `json:"goal"`
	Measures string `json:"measures"`
	Owner    string `json:"owner"`
	Month    string `json:"month"` // YYYY-MM, inside the round's term
	Activity string `json:"activity"`
}

// Section is one section of a plan (德育、教学 …) with its items.
type Section struct {
	Code  string `json:"code"`
	Items []Item `json:"items"`
}

// Round is a group's plan round for one term.
type Round struct {
	ID        int64         `json:"id"`
	GroupID   int64         `json:"group_id"`
	GroupName string        `json:"group_name"`
	Term      string        `json:"term"` // 学年学期: 2026-2027-1
	Title     string        `json:"title"`
	Sections  []policy.Code `json:"sections"`
	Deadline  store.Date    `json:"deadline" openapi:"notnull"`
	Status    string        `json:"status" enum:"open,published"`
	// The counts of the required schools' plans by state.
	Required    int        `json:"required"`
	Submitted   int        `json:"submitted"`
	Returned    int        `json:"returned"`
	Accepted    int        `json:"accepted"`
	PublishedAt *time.Time `json:"published_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int        `json:"version"`
}

const selectRound = `SELECT r.id, r.group_id, g.name, r.term, r.title, r.sections, r.deadline, r.status, r.published_at, r.created_at, r.updated_at, r.version,
	(SELECT count(*) FROM plan_round_schools rs WHERE rs.round_id = r.id),
	(SELECT count(*) FROM school_plans p JOIN plan_round_schools rs ON rs.round_id = p.round_id AND rs.school_id = p.school_id WHERE p.round_id = r.id AND p.status = 'submitted'),
	(SELECT count(*) FROM school_plans p JOIN plan_round_schools rs ON rs.round_id = p.round_id AND rs.school_id = p.school_id WHERE p.round_id = r.id AND p.status = 'returned'),
	(SELECT count(*) FROM school_plans p JOIN plan_round_schools rs ON rs.round_id = p.round_id AND rs.school_id = p.school_id WHERE p.round_id = r.id AND p.status = 'accepted')
	FROM plan_rounds r JOIN edu_groups g ON g.id = r.group_id`

func scanRound(row interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var sections string
	var published sql.NullTime
	err := row.Scan(&r.ID, &r.GroupID, &r.GroupName, &r.Term, &r.Title, &sections, &r.Deadline, &r.Status, &published, &r.CreatedAt, &r.UpdatedAt, &r.Version,
		&r.Required, &r.Submitted, &r.Returned, &r.Accepted)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(sections), &r.Sections); err != nil {
		return r, err
	}
	if published.Valid {
		t := published.Time.UTC()
		r.PublishedAt = &t
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// visibleRounds narrows a query on plan_rounds r to the actor's scope: the
// county, the groups led, and for a school the rounds it must submit to or
// of a group it is a member of now (it reads the published group plan).
func visibleRounds(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermPlansRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "r.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		in := w.In(r.Schools)
		alts = append(alts, "r.id IN (SELECT round_id FROM plan_round_schools WHERE school_id IN "+in+")",
			"r.group_id IN (SELECT group_id FROM group_members WHERE left_on IS NULL AND school_id IN "+in+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// getRound reads one round in the actor's scope; out of scope is not found.
func (s *Service) getRound(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Round, error) {
	var w store.Where
	w.Add("r.id = ?", id)
	visibleRounds(&w, a)
	r, err := scanRound(q.QueryRowContext(ctx, selectRound+w.SQL(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.NotFoundError("plan_round")
	}
	return r, err
}

// wholeRound: the actor reads every school's plan of the round (the county,
// the group that runs it).
func wholeRound(a auth.Actor, r Round) bool { return a.Reach(auth.PermPlansRead).Group(r.GroupID) }

// manages: the actor runs the round for the group.
func manages(a auth.Actor, r Round) bool {
	return a.Reach(auth.PermPlansManage).Group(r.GroupID) && a.Has(auth.PermPlansManage)
}

// required lists the schools that must submit to round id.
func required(ctx context.Context, q store.Reader, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT school_id FROM plan_round_schools WHERE round_id = $1 ORDER BY school_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var sc int64
		if err := rows.Scan(&sc); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// isRequired reports whether school must submit to round id.
func isRequired(ctx context.Context, q store.Reader, id, school int64) (bool, error) {
	list, err := required(ctx, q, id)
	return slices.Contains(list, school), err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func actorName(a auth.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

func wrongState(status string) error {
	return errs.ConflictError("planning.wrong_state", errs.Args{"status": status})
}

func stale() error { return errs.ConflictError("error.stale_version", nil) }
