package research

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// The states of a term research plan.
const (
	PlanNone      = "none"
	PlanDraft     = "draft"
	PlanSubmitted = "submitted"
	PlanApproved  = "approved"
	PlanReturned  = "returned"
)

// PlanItem is one week's activity of a term research plan and its 主备人.
type PlanItem struct {
	Week        int    `json:"week"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	LeadStaffID int64  `json:"lead_staff_id"`
}

// TermPlan is a research group's plan for one term (开学初): themes, the
// activities by week with the 主备人 rota, the expected outputs; approved by
// the group's teaching office.
type TermPlan struct {
	ResearchGroupID int64      `json:"research_group_id"`
	Term            string     `json:"term"`
	Themes          string     `json:"themes"`
	Items           []PlanItem `json:"items"`
	Outputs         string     `json:"outputs"`
	Status          string     `json:"status" enum:"none,draft,submitted,approved,returned"`
	Note            string     `json:"note"`
	DueOn           store.Date `json:"due_on" openapi:"notnull"`
	Late            bool       `json:"late"`
	SubmittedAt     *time.Time `json:"submitted_at"`
	DecidedBy       string     `json:"decided_by"`
	DecidedAt       *time.Time `json:"decided_at"`
	CanEdit         bool       `json:"can_edit"`
	CanDecide       bool       `json:"can_decide"`
	Version         int        `json:"version"`
}

// termStart is the first day of a term: 1 September for the first, 1 March
// for the second.
func termStart(term string) store.Date {
	var y1, y2, n int
	fmt.Sscanf(term, "%d-%d-%d", &y1, &y2, &n)
	if n == 2 {
		return store.Date{Time: time.Date(y2, 3, 1, 0, 0, 0, 0, time.UTC)}
	}
	return store.Date{Time: time.Date(y1, 9, 1, 0, 0, 0, 0, time.UTC)}
}

func (s *Service) plan(ctx context.Context, q store.Reader, a auth.Actor, g Group, term string) (TermPlan, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return TermPlan{}, err
	}
	p := TermPlan{ResearchGroupID: g.ID, Term: term, Items: []PlanItem{}, Status: PlanNone}
	p.DueOn = store.Date{Time: termStart(term).AddDate(0, 0, set.PlanDeadlineDays)}
	var raw string
	var sub, dec sql.NullTime
	err = q.QueryRowContext(ctx, `SELECT themes, items, outputs, status, note, submitted_at, decided_by, decided_at, version FROM research_plans WHERE research_group_id = $1 AND term = $2`,
		g.ID, term).Scan(&p.Themes, &raw, &p.Outputs, &p.Status, &p.Note, &sub, &p.DecidedBy, &dec, &p.Version)
	if err != nil && err != sql.ErrNoRows {
		return p, err
	}
	if err == nil {
		if err := json.Unmarshal([]byte(raw), &p.Items); err != nil {
			return p, err
		}
	}
	if sub.Valid {
		t := sub.Time.UTC()
		p.SubmittedAt = &t
	}
	if dec.Valid {
		t := dec.Time.UTC()
		p.DecidedAt = &t
	}
	me := self(a)
	office := manages(a, g.GroupID)
	p.CanEdit = (office || (me != 0 && me == g.LeaderStaffID)) && p.Status != PlanApproved && p.Status != PlanSubmitted
	p.CanDecide = office && p.Status == PlanSubmitted
	if p.SubmittedAt != nil {
		p.Late = p.SubmittedAt.After(p.DueOn.AddDate(0, 0, 1))
	} else {
		p.Late = s.Today().After(p.DueOn.Time)
	}
	return p, nil
}

// Plan reads a research group's term plan (this term when none is named).
func (s *Service) Plan(ctx context.Context, a auth.Actor, id int64, term string) (TermPlan, error) {
	if !a.Has(auth.PermResearchRead) {
		return TermPlan{}, errs.ForbiddenError()
	}
	if term == "" {
		term = TermOf(s.Today())
	}
	if !validTerm(term) {
		return TermPlan{}, errs.FieldError("term", "research.term", nil)
	}
	g, err := s.getGroup(ctx, s.st.R, a, id)
	if err != nil {
		return TermPlan{}, err
	}
	return s.plan(ctx, s.st.R, a, g, term)
}

// PlanInput is the plan as the leader writes it.
type PlanInput struct {
	Term    string     `json:"term"`
	Themes  string     `json:"themes"`
	Items   []PlanItem `json:"items"`
	Outputs string     `json:"outputs"`
	Version int        `json:"version"` // 0 for a new plan
}

// PlanStep submits the plan (the leader) or decides on it (the office).
type PlanStep struct {
	Term    string `json:"term"`
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

// SavePlan writes the term plan's draft; the leader or the office does,
// until it is submitted.
func (s *Service) SavePlan(ctx context.Context, a auth.Actor, id int64, in PlanInput) (TermPlan, error) {
	if !a.Has(auth.PermResearchRead) {
		return TermPlan{}, errs.ForbiddenError()
	}
	in.Themes, in.Outputs = strings.TrimSpace(in.Themes), strings.TrimSpace(in.Outputs)
	if in.Term == "" {
		in.Term = TermOf(s.Today())
	}
	var f errs.Fields
	if !validTerm(in.Term) {
		f.Add("term", "research.term", nil)
	}
	textMax(&f, "themes", in.Themes, 2000, true)
	textMax(&f, "outputs", in.Outputs, 2000, false)
	if len(in.Items) > 30 {
		f.Add("items", "research.sections", errs.Args{"max": 30})
	}
	for i := range in.Items {
		it := &in.Items[i]
		it.Title = strings.TrimSpace(it.Title)
		if it.Week < 1 || it.Week > 25 {
			f.Add(fmt.Sprintf("items[%d].week", i), "research.week", nil)
		}
		if !validKind(it.Kind) {
			f.Add(fmt.Sprintf("items[%d].kind", i), "research.activity_kind", nil)
		}
		textMax(&f, fmt.Sprintf("items[%d].title", i), it.Title, 120, true)
	}
	if err := f.Err(); err != nil {
		return TermPlan{}, err
	}
	var out TermPlan
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.getGroup(ctx, tx, a, id)
		if err != nil {
			return err
		}
		p, err := s.plan(ctx, tx, a, g, in.Term)
		if err != nil {
			return err
		}
		if !p.CanEdit {
			if p.Status == PlanSubmitted || p.Status == PlanApproved {
				return errs.ConflictError("research.plan_locked", nil)
			}
			return errs.ForbiddenError()
		}
		if p.Version != in.Version {
			return staleVersion()
		}
		for i, it := range in.Items {
			if it.LeadStaffID == 0 {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM research_members WHERE research_group_id = $1 AND staff_id = $2`, id, it.LeadStaffID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.FieldError(fmt.Sprintf("items[%d].lead_staff_id", i), "research.leader_not_member", nil)
			}
		}
		raw, _ := json.Marshal(in.Items)
		now := store.Now()
		if p.Status == PlanNone {
			_, err = tx.ExecContext(ctx, `INSERT INTO research_plans (research_group_id, term, themes, items, outputs, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
				id, in.Term, in.Themes, string(raw), in.Outputs, PlanDraft, now)
		} else {
			var r sql.Result
			r, err = tx.ExecContext(ctx, `UPDATE research_plans SET themes = $1, items = $2, outputs = $3, status = $4, updated_at = $5, version = version + 1
				WHERE research_group_id = $6 AND term = $7 AND version = $8`, in.Themes, string(raw), in.Outputs, PlanDraft, now, id, in.Term, in.Version)
			if err == nil {
				if n, _ := r.RowsAffected(); n != 1 {
					return staleVersion()
				}
			}
		}
		if err != nil {
			return err
		}
		if err := s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.plan_save", ObjectType: "research_group", ObjectID: id64(id),
			Detail: map[string]any{"term": in.Term, "before": map[string]any{"status": p.Status, "items": len(p.Items)}, "after": map[string]any{"status": PlanDraft, "items": len(in.Items)}}}); err != nil {
			return err
		}
		out, err = s.plan(ctx, tx, a, g, in.Term)
		return err
	})
	return out, err
}

// StepPlan submits the plan (the leader or the office, from a draft) or
// approves or returns it (the office, with a note when returning).
func (s *Service) StepPlan(ctx context.Context, a auth.Actor, id int64, action string, in PlanStep) (TermPlan, error) {
	if !a.Has(auth.PermResearchRead) {
		return TermPlan{}, errs.ForbiddenError()
	}
	if in.Term == "" {
		in.Term = TermOf(s.Today())
	}
	in.Note = strings.TrimSpace(in.Note)
	var out TermPlan
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.getGroup(ctx, tx, a, id)
		if err != nil {
			return err
		}
		p, err := s.plan(ctx, tx, a, g, in.Term)
		if err != nil {
			return err
		}
		if p.Version != in.Version {
			return staleVersion()
		}
		now := s.Now().UTC().Truncate(time.Microsecond)
		var to, q string
		var args []any
		switch action {
		case "submit":
			if p.Status != PlanDraft && p.Status != PlanReturned {
				return errs.ConflictError("research.plan_state", errs.Args{"status": p.Status})
			}
			if !p.CanEdit {
				return errs.ForbiddenError()
			}
			to = PlanSubmitted
			q, args = `UPDATE research_plans SET status = $1, submitted_at = $2, updated_at = $2, version = version + 1 WHERE research_group_id = $3 AND term = $4 AND version = $5`,
				[]any{to, now, id, in.Term, in.Version}
		default:
			if !p.CanDecide {
				if p.Status != PlanSubmitted {
					return errs.ConflictError("research.plan_state", errs.Args{"status": p.Status})
				}
				return errs.ForbiddenError()
			}
			to = PlanApproved
			if !in.Approve {
				to = PlanReturned
				if in.Note == "" {
					return errs.FieldError("note", "field.required", nil)
				}
			}
			q, args = `UPDATE research_plans SET status = $1, note = $2, decided_by = $3, decided_at = $4, updated_at = $4, version = version + 1 WHERE research_group_id = $5 AND term = $6 AND version = $7`,
				[]any{to, in.Note, whoName(a), now, id, in.Term, in.Version}
		}
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		if to != PlanSubmitted && g.LeaderStaffID != 0 {
			if err := s.notifyStaff(ctx, tx, a, []int64{g.LeaderStaffID}, "research.plan_"+to, g.Name+" "+in.Term, "/research/groups/"+id64(id),
				fmt.Sprintf("plan:%d:%s:v%d", id, in.Term, in.Version+1), in.Note); err != nil {
				return err
			}
		}
		if err := s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.plan_" + action, ObjectType: "research_group", ObjectID: id64(id),
			Detail: map[string]any{"term": in.Term, "before": p.Status, "after": to, "note": in.Note, "late": p.Late}}); err != nil {
			return err
		}
		out, err = s.plan(ctx, tx, a, g, in.Term)
		return err
	})
	return out, err
}
