package planning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// RoundInput opens a plan round. Sections left empty take the group's own
// template (its latest round's) or else the county default; schools left
// empty are the group's current members; a deadline left empty falls the
// policy's number of days after today.
type RoundInput struct {
	GroupID   int64         `json:"group_id"`
	Term      string        `json:"term"`
	Title     string        `json:"title"`
	Deadline  store.Date    `json:"deadline"`
	Sections  []policy.Code `json:"sections" openapi:"nullable"`
	SchoolIDs []int64       `json:"school_ids" openapi:"nullable"`
}

// RoundList is the rounds in the caller's scope, newest first.
type RoundList struct {
	Items []Round `json:"items"`
}

// BoardRow is one required school on the status board of a round.
type BoardRow struct {
	SchoolID    int64      `json:"school_id"`
	SchoolName  string     `json:"school_name"`
	Status      string     `json:"status" enum:"none,draft,submitted,returned,accepted"`
	SubmittedOn store.Date `json:"submitted_on"`
	// Late: submitted after the deadline, or not submitted and the deadline
	// has passed.
	Late     bool `json:"late"`
	Versions int  `json:"versions"`
}

// RoundDetail is a round with its status board (every required school for
// the group and the county, the own school for a school) and what the
// caller may do.
type RoundDetail struct {
	Round   Round      `json:"round"`
	Board   []BoardRow `json:"board"`
	Actions []string   `json:"actions"`
}

// TemplateAnswer is the template a new round of a group starts from.
type TemplateAnswer struct {
	Sections []policy.Code `json:"sections"`
	// Source says where it comes from: the group's latest round or the
	// county's policy settings.
	Source   string     `json:"source" enum:"group,county"`
	Deadline store.Date `json:"deadline" openapi:"notnull"`
	Term     string     `json:"term"`
	Schools  []School   `json:"schools"`
}

// School is a school as a round names it.
type School struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

var termPattern = regexp.MustCompile(`^(\d{4})-(\d{4})-([12])$`)

// TermMonths is the first and last month of a term, and whether the term
// reads right.
func TermMonths(term string) (string, string, bool) { return termMonths(term) }

// termMonths is the first and last month (YYYY-MM) of a term: the first
// term runs from August to January, the second from February to July.
func termMonths(term string) (string, string, bool) {
	m := termPattern.FindStringSubmatch(term)
	if m == nil {
		return "", "", false
	}
	y1, _ := strconv.Atoi(m[1])
	y2, _ := strconv.Atoi(m[2])
	if y2 != y1+1 {
		return "", "", false
	}
	if m[3] == "1" {
		return fmt.Sprintf("%04d-08", y1), fmt.Sprintf("%04d-01", y2), true
	}
	return fmt.Sprintf("%04d-02", y2), fmt.Sprintf("%04d-07", y2), true
}

// TermOf is the term a date falls in.
func TermOf(d store.Date) string {
	y, m := d.Year(), int(d.Month())
	switch {
	case m >= 8:
		return fmt.Sprintf("%d-%d-1", y, y+1)
	case m == 1:
		return fmt.Sprintf("%d-%d-1", y-1, y)
	}
	return fmt.Sprintf("%d-%d-2", y-1, y)
}

func (s *Service) settings(ctx context.Context) (policy.Planning, error) {
	v, err := s.pol.Today(ctx)
	return v.Settings.Planning, err
}

// members lists a group's current member schools.
func members(ctx context.Context, q store.Reader, group int64) ([]School, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name FROM group_members m JOIN schools s ON s.id = m.school_id
		WHERE m.group_id = $1 AND m.left_on IS NULL ORDER BY CASE m.role WHEN 'lead' THEN 0 ELSE 1 END, s.id`, group)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []School{}
	for rows.Next() {
		var sc School
		if err := rows.Scan(&sc.ID, &sc.Name); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// template is the group's own template (its latest round's sections), or
// the county default.
func (s *Service) template(ctx context.Context, q store.Reader, group int64) ([]policy.Code, string, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT sections FROM plan_rounds WHERE group_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, group).Scan(&raw)
	if err == nil {
		var out []policy.Code
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			return nil, "", err
		}
		return out, "group", nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	set, err := s.settings(ctx)
	return set.Sections, "county", err
}

// Template is what the form to open a round of group starts from.
func (s *Service) Template(ctx context.Context, a auth.Actor, group int64) (TemplateAnswer, error) {
	if !a.Reach(auth.PermPlansManage).Group(group) || !a.Has(auth.PermPlansManage) {
		return TemplateAnswer{}, errs.NotFoundError("group")
	}
	sections, src, err := s.template(ctx, s.st.R, group)
	if err != nil {
		return TemplateAnswer{}, err
	}
	set, err := s.settings(ctx)
	if err != nil {
		return TemplateAnswer{}, err
	}
	schools, err := members(ctx, s.st.R, group)
	if err != nil {
		return TemplateAnswer{}, err
	}
	today := s.Today()
	return TemplateAnswer{Sections: sections, Source: src, Deadline: store.Date{Time: today.AddDate(0, 0, set.DeadlineDays)}, Term: TermOf(today), Schools: schools}, nil
}

// Open opens a plan round for a group (the group admin).
func (s *Service) Open(ctx context.Context, a auth.Actor, in RoundInput) (RoundDetail, error) {
	in.Term, in.Title = strings.TrimSpace(in.Term), strings.TrimSpace(in.Title)
	if in.GroupID == 0 {
		return RoundDetail{}, errs.FieldError("group_id", "field.required", nil)
	}
	if !a.Has(auth.PermPlansManage) || !a.Reach(auth.PermPlansManage).Group(in.GroupID) {
		return RoundDetail{}, errs.NotFoundError("group")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return RoundDetail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var f errs.Fields
		if _, _, ok := termMonths(in.Term); !ok {
			f.Add("term", "planning.term", nil)
		}
		if in.Title == "" || len([]rune(in.Title)) > 100 {
			f.Add("title", "field.required_max", errs.Args{"max": 100})
		}
		today := s.Today()
		if in.Deadline.IsZero() {
			in.Deadline = store.Date{Time: today.AddDate(0, 0, set.DeadlineDays)}
		} else if in.Deadline.Before(today.Time) {
			f.Add("deadline", "planning.deadline_past", nil)
		}
		if len(in.Sections) == 0 {
			sec, _, err := s.template(ctx, tx, in.GroupID)
			if err != nil {
				return err
			}
			in.Sections = sec
		}
		seen := map[string]bool{}
		if len(in.Sections) > 20 {
			f.Add("sections", "planning.sections_max", errs.Args{"max": 20})
		}
		for i, c := range in.Sections {
			c.Code, c.Label = strings.TrimSpace(c.Code), strings.TrimSpace(c.Label)
			in.Sections[i] = c
			if c.Code == "" || len(c.Code) > 40 {
				f.Add(fmt.Sprintf("sections[%d].code", i), "field.required_max", errs.Args{"max": 40})
			} else if seen[c.Code] {
				f.Add(fmt.Sprintf("sections[%d].code", i), "planning.section_duplicate", nil)
			}
			seen[c.Code] = true
			if c.Label == "" || len([]rune(c.Label)) > 100 {
				f.Add(fmt.Sprintf("sections[%d].label", i), "field.required_max", errs.Args{"max": 100})
			}
		}
		current, err := members(ctx, tx, in.GroupID)
		if err != nil {
			return err
		}
		if len(in.SchoolIDs) == 0 {
			for _, sc := range current {
				in.SchoolIDs = append(in.SchoolIDs, sc.ID)
			}
			if len(in.SchoolIDs) == 0 {
				f.Add("school_ids", "planning.no_members", nil)
			}
		}
		// Only a current member school can be asked for its plan.
		picked := map[int64]bool{}
		for i, id := range in.SchoolIDs {
			if !slices.ContainsFunc(current, func(sc School) bool { return sc.ID == id }) {
				f.Add(fmt.Sprintf("school_ids[%d]", i), "planning.not_member", nil)
			}
			picked[id] = true
		}
		if err := f.Err(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_rounds WHERE group_id = $1 AND term = $2`, in.GroupID, in.Term).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "planning.round_exists", errs.Args{"term": in.Term})
		}
		sections, _ := json.Marshal(in.Sections)
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO plan_rounds (group_id, term, title, sections, deadline, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, in.GroupID, in.Term, in.Title, string(sections), in.Deadline, RoundOpen, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		for sc := range picked {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_round_schools (round_id, school_id) VALUES ($1, $2)`, id, sc); err != nil {
				return err
			}
		}
		r, err := scanRound(tx.QueryRowContext(ctx, selectRound+` WHERE r.id = $1`, id))
		if err != nil {
			return err
		}
		if err := s.notifyOpened(ctx, tx, a, r); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "planning.round.open", ObjectType: "plan_round", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"group_id": in.GroupID, "term": in.Term, "title": in.Title, "deadline": in.Deadline.String(),
				"sections": in.Sections, "school_ids": in.SchoolIDs}}})
	})
	if err != nil {
		return RoundDetail{}, err
	}
	return s.RoundDetail(ctx, a, id)
}

// Rounds lists the rounds in the actor's scope, newest first.
func (s *Service) Rounds(ctx context.Context, a auth.Actor) (RoundList, error) {
	if !a.Has(auth.PermPlansRead) {
		return RoundList{}, errs.ForbiddenError()
	}
	var w store.Where
	visibleRounds(&w, a)
	list, err := s.queryRounds(ctx, s.st.R, selectRound+w.SQL()+` ORDER BY r.term DESC, r.id DESC`, w.Args...)
	return RoundList{Items: list}, err
}

func (s *Service) queryRounds(ctx context.Context, q store.Reader, text string, args ...any) ([]Round, error) {
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Round{}
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// board is the status board of round r, narrowed to the schools the actor
// may see the plans of.
func (s *Service) board(ctx context.Context, q store.Reader, a auth.Actor, r Round) ([]BoardRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT rs.school_id, sc.name, COALESCE(p.status, 'none'), p.submitted_on,
		(SELECT count(*) FROM school_plan_versions v WHERE v.plan_id = p.id)
		FROM plan_round_schools rs JOIN schools sc ON sc.id = rs.school_id LEFT JOIN school_plans p ON p.round_id = rs.round_id AND p.school_id = rs.school_id
		WHERE rs.round_id = $1 ORDER BY CASE WHEN sc.id = (SELECT lead_school_id FROM edu_groups WHERE id = $2) THEN 0 ELSE 1 END, sc.id`, r.ID, r.GroupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	whole := wholeRound(a, r)
	reach := a.Reach(auth.PermPlansRead)
	today := s.Today()
	out := []BoardRow{}
	for rows.Next() {
		var b BoardRow
		if err := rows.Scan(&b.SchoolID, &b.SchoolName, &b.Status, &b.SubmittedOn, &b.Versions); err != nil {
			return nil, err
		}
		if !whole && !reach.School(b.SchoolID) {
			continue
		}
		b.Late = late(b.Status, b.SubmittedOn, r.Deadline, today)
		out = append(out, b)
	}
	return out, rows.Err()
}

// late: submitted after the deadline, or still owed after it.
func late(status string, submitted, deadline, today store.Date) bool {
	switch status {
	case None, Draft, Returned:
		return today.After(deadline.Time)
	}
	return !submitted.IsZero() && submitted.After(deadline.Time)
}

// RoundDetail is one round with its board.
func (s *Service) RoundDetail(ctx context.Context, a auth.Actor, id int64) (RoundDetail, error) {
	if !a.Has(auth.PermPlansRead) {
		return RoundDetail{}, errs.ForbiddenError()
	}
	r, err := s.getRound(ctx, s.st.R, a, id)
	if err != nil {
		return RoundDetail{}, err
	}
	b, err := s.board(ctx, s.st.R, a, r)
	if err != nil {
		return RoundDetail{}, err
	}
	acts := []string{}
	if manages(a, r) {
		acts = append(acts, "review", "compile", "publish")
	}
	return RoundDetail{Round: r, Board: b, Actions: acts}, nil
}

// ensureMember refuses a school that is not a current member of the group
// (it left, or never belonged): it no longer makes the group's plans.
func ensureMember(ctx context.Context, q store.Reader, school, group int64) error {
	groups, err := registry.CurrentGroups(ctx, q, school)
	if err != nil {
		return err
	}
	if !slices.Contains(groups, group) {
		return errs.RuleError("planning.member", "planning.not_member", nil)
	}
	return nil
}
