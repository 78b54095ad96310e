package planning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Plan is one school's plan in a round: the working copy, which is the last
// submitted version while it waits for the group.
type Plan struct {
	ID            int64      `json:"id"` // 0 before the school saved anything
	RoundID       int64      `json:"round_id"`
	SchoolID      int64      `json:"school_id"`
	SchoolName    string     `json:"school_name"`
	Status        string     `json:"status" enum:"none,draft,submitted,returned,accepted"`
	Sections      []Section  `json:"sections"`
	SubmittedOn   store.Date `json:"submitted_on"`
	Late          bool       `json:"late"`
	ReviewComment string     `json:"review_comment"`
	UpdatedAt     *time.Time `json:"updated_at"`
	Version       int        `json:"version"` // 0 before the first save
}

// PlanVersion is one submitted version and the group's decision on it.
type PlanVersion struct {
	No          int        `json:"no"`
	SubmittedBy string     `json:"submitted_by"`
	SubmittedAt time.Time  `json:"submitted_at"`
	Decision    string     `json:"decision" enum:"pending,accepted,returned"`
	Comment     string     `json:"comment"`
	ReviewedBy  string     `json:"reviewed_by"`
	ReviewedAt  *time.Time `json:"reviewed_at"`
}

// Change is one item that differs between two submitted versions. Items are
// matched within a section by their goal.
type Change struct {
	Section string   `json:"section"`
	Kind    string   `json:"kind" enum:"added,removed,changed"`
	Goal    string   `json:"goal"`
	Fields  []string `json:"fields"`
	Before  *Item    `json:"before"`
	After   *Item    `json:"after"`
}

// PlanDetail is a school's plan with its round, its versions, what changed
// since the version before the latest, and what the caller may do.
type PlanDetail struct {
	Plan     Plan          `json:"plan"`
	Round    Round         `json:"round"`
	Versions []PlanVersion `json:"versions"`
	// Changes compares the latest submitted version with the one before
	// (empty with fewer than two).
	Changes []Change `json:"changes"`
	Actions []string `json:"actions"`
}

// PlanInput saves the school's draft; version is the one read (0 for the
// first save).
type PlanInput struct {
	Version  int       `json:"version"`
	Sections []Section `json:"sections"`
}

// Step is the body of submit: the version read.
type Step struct {
	Version int `json:"version"`
}

// ReviewInput is the group's decision on a submitted plan.
type ReviewInput struct {
	Version  int    `json:"version"`
	Decision string `json:"decision" enum:"accept,return"`
	Comment  string `json:"comment"`
}

// visiblePlan: the actor reads school's plan in round r (the whole round,
// or its own school).
func visiblePlan(a auth.Actor, r Round, school int64) bool {
	return wholeRound(a, r) || a.Reach(auth.PermPlansRead).School(school)
}

// submits: the actor writes school's plan.
func submits(a auth.Actor, school int64) bool {
	return a.Has(auth.PermPlansSubmit) && a.Reach(auth.PermPlansSubmit).School(school)
}

// loadPlan reads school's plan of round r; a required school without one
// gets an empty plan with the round's sections.
func (s *Service) loadPlan(ctx context.Context, q store.Reader, r Round, school int64) (Plan, error) {
	p := Plan{RoundID: r.ID, SchoolID: school, Status: None}
	var content string
	var updated time.Time
	err := q.QueryRowContext(ctx, `SELECT p.id, sc.name, p.status, p.content, p.submitted_on, p.review_comment, p.updated_at, p.version
		FROM school_plans p JOIN schools sc ON sc.id = p.school_id WHERE p.round_id = $1 AND p.school_id = $2`, r.ID, school).
		Scan(&p.ID, &p.SchoolName, &p.Status, &content, &p.SubmittedOn, &p.ReviewComment, &updated, &p.Version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ok, err := isRequired(ctx, q, r.ID, school)
		if err != nil {
			return p, err
		}
		if !ok {
			return p, errs.NotFoundError("plan")
		}
		if err := q.QueryRowContext(ctx, `SELECT name FROM schools WHERE id = $1`, school).Scan(&p.SchoolName); err != nil {
			return p, err
		}
		p.Sections = []Section{}
		for _, c := range r.Sections {
			p.Sections = append(p.Sections, Section{Code: c.Code, Items: []Item{}})
		}
	case err != nil:
		return p, err
	default:
		if err := json.Unmarshal([]byte(content), &p.Sections); err != nil {
			return p, err
		}
		u := updated.UTC()
		p.UpdatedAt = &u
	}
	p.Late = late(p.Status, p.SubmittedOn, r.Deadline, s.Today())
	return p, nil
}

func (s *Service) versions(ctx context.Context, q store.Reader, plan int64) ([]PlanVersion, []string, error) {
	out := []PlanVersion{}
	var contents []string
	if plan == 0 {
		return out, nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT no, submitted_by, submitted_at, decision, comment, reviewed_by, reviewed_at, content
		FROM school_plan_versions WHERE plan_id = $1 ORDER BY no`, plan)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v PlanVersion
		var reviewed sql.NullTime
		var content string
		if err := rows.Scan(&v.No, &v.SubmittedBy, &v.SubmittedAt, &v.Decision, &v.Comment, &v.ReviewedBy, &reviewed, &content); err != nil {
			return nil, nil, err
		}
		v.SubmittedAt = v.SubmittedAt.UTC()
		if reviewed.Valid {
			t := reviewed.Time.UTC()
			v.ReviewedAt = &t
		}
		if v.Decision == "" {
			v.Decision = "pending"
		}
		out = append(out, v)
		contents = append(contents, content)
	}
	return out, contents, rows.Err()
}

// PlanDetail is school's plan in round id.
func (s *Service) PlanDetail(ctx context.Context, a auth.Actor, id, school int64) (PlanDetail, error) {
	if !a.Has(auth.PermPlansRead) {
		return PlanDetail{}, errs.ForbiddenError()
	}
	return s.planDetail(ctx, s.st.R, a, id, school)
}

func (s *Service) planDetail(ctx context.Context, q store.Reader, a auth.Actor, id, school int64) (PlanDetail, error) {
	r, err := s.getRound(ctx, q, a, id)
	if err != nil {
		return PlanDetail{}, err
	}
	if !visiblePlan(a, r, school) {
		return PlanDetail{}, errs.NotFoundError("plan")
	}
	p, err := s.loadPlan(ctx, q, r, school)
	if err != nil {
		return PlanDetail{}, err
	}
	vs, contents, err := s.versions(ctx, q, p.ID)
	if err != nil {
		return PlanDetail{}, err
	}
	d := PlanDetail{Plan: p, Round: r, Versions: vs, Changes: []Change{}, Actions: []string{}}
	if n := len(contents); n >= 2 {
		var before, after []Section
		if err := json.Unmarshal([]byte(contents[n-2]), &before); err != nil {
			return d, err
		}
		if err := json.Unmarshal([]byte(contents[n-1]), &after); err != nil {
			return d, err
		}
		d.Changes = Diff(before, after)
	}
	if submits(a, school) {
		switch p.Status {
		case None, Draft, Returned:
			d.Actions = append(d.Actions, "save", "submit")
		}
	}
	if manages(a, r) && p.Status == Submitted {
		d.Actions = append(d.Actions, "accept", "return")
	}
	return d, nil
}

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// validate checks a plan's sections against round r, naming each field
// (sections[2].items[0].month).
func validate(r Round, sections []Section, maxItems int) ([]Section, error) {
	var f errs.Fields
	known := map[string]bool{}
	for _, c := range r.Sections {
		known[c.Code] = true
	}
	first, last, _ := termMonths(r.Term)
	seen := map[string]bool{}
	out := make([]Section, 0, len(sections))
	for i, sec := range sections {
		at := fmt.Sprintf("sections[%d]", i)
		if !known[sec.Code] {
			f.Add(at+".code", "planning.section_unknown", errs.Args{"code": sec.Code})
		} else if seen[sec.Code] {
			f.Add(at+".code", "planning.section_duplicate", nil)
		}
		seen[sec.Code] = true
		if len(sec.Items) > maxItems {
			f.Add(at+".items", "planning.items_max", errs.Args{"max": maxItems})
		}
		clean := Section{Code: sec.Code, Items: []Item{}}
		for j, it := range sec.Items {
			ia := fmt.Sprintf("%s.items[%d]", at, j)
			it = Item{Goal: strings.TrimSpace(it.Goal), Measures: strings.TrimSpace(it.Measures), Owner: strings.TrimSpace(it.Owner),
				Month: strings.TrimSpace(it.Month), Activity: strings.TrimSpace(it.Activity)}
			if it.Goal == "" || len([]rune(it.Goal)) > 500 {
				f.Add(ia+".goal", "field.required_max", errs.Args{"max": 500})
			}
			if len([]rune(it.Measures)) > 2000 {
				f.Add(ia+".measures", "field.max", errs.Args{"max": 2000})
			}
			if len([]rune(it.Owner)) > 100 {
				f.Add(ia+".owner", "field.max", errs.Args{"max": 100})
			}
			if len([]rune(it.Activity)) > 200 {
				f.Add(ia+".activity", "field.max", errs.Args{"max": 200})
			}
			switch {
			case !monthPattern.MatchString(it.Month):
				f.Add(ia+".month", "planning.month", nil)
			case it.Month < first || it.Month > last:
				f.Add(ia+".month", "planning.month_term", errs.Args{"from": first, "to": last})
			}
			clean.Items = append(clean.Items, it)
		}
		out = append(out, clean)
	}
	return out, f.Err()
}

// planStep runs one write on school's plan in round id in one transaction:
// the round and plan read in scope, the version check, the change, the
// audit record with before and after.
func (s *Service) planStep(ctx context.Context, a auth.Actor, id, school int64, version int, action string,
	fn func(tx *sql.Tx, r Round, p *Plan) error) (PlanDetail, error) {
	if !a.Has(auth.PermPlansRead) {
		return PlanDetail{}, errs.ForbiddenError()
	}
	var out PlanDetail
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.getRound(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !visiblePlan(a, r, school) {
			return errs.NotFoundError("plan")
		}
		p, err := s.loadPlan(ctx, tx, r, school)
		if err != nil {
			return err
		}
		if version != p.Version {
			return stale()
		}
		before := map[string]any{"status": p.Status, "sections": p.Sections}
		if err := fn(tx, r, &p); err != nil {
			return err
		}
		if out, err = s.planDetail(ctx, tx, a, id, school); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "planning.plan." + action, ObjectType: "school_plan", ObjectID: strconv.FormatInt(out.Plan.ID, 10),
			Detail: map[string]any{"round_id": id, "school_id": school, "before": before, "after": map[string]any{"status": out.Plan.Status, "sections": out.Plan.Sections,
				"review_comment": out.Plan.ReviewComment}}})
	})
	return out, err
}

// write stores the plan's working copy: inserts it on the first save, else
// updates it under the version read.
func write(ctx context.Context, tx *sql.Tx, a auth.Actor, p *Plan, status string, sections []Section, extra string, args ...any) error {
	content, _ := json.Marshal(sections)
	now := store.Now()
	if p.ID == 0 {
		return tx.QueryRowContext(ctx, `INSERT INTO school_plans (round_id, school_id, status, content, updated_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, p.RoundID, p.SchoolID, status, string(content), nullID(a.UserID), now).Scan(&p.ID)
	}
	q := `UPDATE school_plans SET status = $1, content = $2, updated_by = $3, updated_at = $4, version = version + 1` + extra + ` WHERE id = $5 AND version = $6`
	res, err := tx.ExecContext(ctx, q, append([]any{status, string(content), nullID(a.UserID), now, p.ID, p.Version}, args...)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return stale()
	}
	return nil
}

// SavePlan saves the school's draft (the school admin).
func (s *Service) SavePlan(ctx context.Context, a auth.Actor, id, school int64, in PlanInput) (PlanDetail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return PlanDetail{}, err
	}
	return s.planStep(ctx, a, id, school, in.Version, "save", func(tx *sql.Tx, r Round, p *Plan) error {
		if !submits(a, school) {
			return errs.ForbiddenError()
		}
		if p.Status == Submitted || p.Status == Accepted {
			return wrongState(p.Status)
		}
		if err := ensureMember(ctx, tx, school, r.GroupID); err != nil {
			return err
		}
		clean, err := validate(r, in.Sections, set.MaxItems)
		if err != nil {
			return err
		}
		status := p.Status
		if status == None {
			status = Draft
		}
		return write(ctx, tx, a, p, status, clean, "")
	})
}

// SubmitPlan submits the saved plan to the group; the version is kept.
func (s *Service) SubmitPlan(ctx context.Context, a auth.Actor, id, school int64, in Step) (PlanDetail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return PlanDetail{}, err
	}
	return s.planStep(ctx, a, id, school, in.Version, "submit", func(tx *sql.Tx, r Round, p *Plan) error {
		if !submits(a, school) {
			return errs.ForbiddenError()
		}
		if p.Status != Draft && p.Status != Returned {
			return wrongState(p.Status)
		}
		if err := ensureMember(ctx, tx, school, r.GroupID); err != nil {
			return err
		}
		clean, err := validate(r, p.Sections, set.MaxItems)
		if err != nil {
			return err
		}
		n := 0
		for _, sec := range clean {
			n += len(sec.Items)
		}
		if n == 0 {
			return errs.FieldError("sections", "planning.empty", nil)
		}
		today := s.Today()
		if err := write(ctx, tx, a, p, Submitted, clean, ", submitted_on = $7", today); err != nil {
			return err
		}
		content, _ := json.Marshal(clean)
		if _, err := tx.ExecContext(ctx, `INSERT INTO school_plan_versions (plan_id, no, content, submitted_by, submitted_at)
			VALUES ($1, (SELECT COALESCE(max(no), 0) + 1 FROM school_plan_versions WHERE plan_id = $1), $2, $3, $4)`,
			p.ID, string(content), actorName(a), store.Now()); err != nil {
			return err
		}
		return s.notifySubmitted(ctx, tx, a, r, *p)
	})
}

// ReviewPlan is the group's decision on a submitted plan: accept it, or
// return it with a comment for the school to revise.
func (s *Service) ReviewPlan(ctx context.Context, a auth.Actor, id, school int64, in ReviewInput) (PlanDetail, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	return s.planStep(ctx, a, id, school, in.Version, "review", func(tx *sql.Tx, r Round, p *Plan) error {
		if !manages(a, r) {
			return errs.ForbiddenError()
		}
		if p.Status != Submitted {
			return wrongState(p.Status)
		}
		var to, decision string
		switch in.Decision {
		case "accept":
			to, decision = Accepted, "accepted"
			if len([]rune(in.Comment)) > 2000 {
				return errs.FieldError("comment", "field.max", errs.Args{"max": 2000})
			}
		case "return":
			to, decision = Returned, "returned"
			if in.Comment == "" || len([]rune(in.Comment)) > 2000 {
				return errs.FieldError("comment", "field.required_max", errs.Args{"max": 2000})
			}
		default:
			return errs.FieldError("decision", "planning.decision", nil)
		}
		if err := write(ctx, tx, a, p, to, p.Sections, ", review_comment = $7", in.Comment); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE school_plan_versions SET decision = $1, comment = $2, reviewed_by = $3, reviewed_at = $4
			WHERE plan_id = $5 AND no = (SELECT max(no) FROM school_plan_versions WHERE plan_id = $5)`, decision, in.Comment, actorName(a), store.Now(), p.ID); err != nil {
			return err
		}
		p.ReviewComment = in.Comment
		return s.notifyReviewed(ctx, tx, a, r, *p, to)
	})
}

// Diff lists the items that differ between two versions of a plan: per
// section, items matched by goal are changed when another field differs;
// the rest are added or removed.
func Diff(before, after []Section) []Change {
	out := []Change{}
	index := func(secs []Section) (map[string]map[string]Item, []string) {
		m := map[string]map[string]Item{}
		var order []string
		for _, s := range secs {
			if m[s.Code] == nil {
				m[s.Code] = map[string]Item{}
				order = append(order, s.Code)
			}
			for _, it := range s.Items {
				m[s.Code][it.Goal] = it
			}
		}
		return m, order
	}
	old, oldOrder := index(before)
	cur, _ := index(after)
	for _, sec := range after {
		for _, it := range sec.Items {
			was, ok := old[sec.Code][it.Goal]
			if !ok {
				a := it
				out = append(out, Change{Section: sec.Code, Kind: "added", Goal: it.Goal, Fields: []string{}, After: &a})
				continue
			}
			var fields []string
			if was.Measures != it.Measures {
				fields = append(fields, "measures")
			}
			if was.Owner != it.Owner {
				fields = append(fields, "owner")
			}
			if was.Month != it.Month {
				fields = append(fields, "month")
			}
			if was.Activity != it.Activity {
				fields = append(fields, "activity")
			}
			if len(fields) > 0 {
				b, a := was, it
				out = append(out, Change{Section: sec.Code, Kind: "changed", Goal: it.Goal, Fields: fields, Before: &b, After: &a})
			}
		}
	}
	for _, code := range oldOrder {
		for _, sec := range before {
			if sec.Code != code {
				continue
			}
			for _, it := range sec.Items {
				if _, ok := cur[code][it.Goal]; !ok {
					b := it
					out = append(out, Change{Section: code, Kind: "removed", Goal: it.Goal, Fields: []string{}, Before: &b})
				}
			}
		}
	}
	return out
}
