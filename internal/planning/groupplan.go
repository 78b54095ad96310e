package planning

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
)

// Entry is one item of the group plan, traced to the school whose accepted
// plan it comes from (school 0: the group's own item).
type Entry struct {
	Section      string `json:"section"`
	SectionLabel string `json:"section_label"`
	Month        string `json:"month"`
	SchoolID     int64  `json:"school_id"`
	SchoolName   string `json:"school_name"`
	Goal         string `json:"goal"`
	Measures     string `json:"measures"`
	Owner        string `json:"owner"`
	Activity     string `json:"activity"`
}

// GroupPlan is the group's plan of a round. For the group it is the live
// compilation of the accepted plans and the group's own items with the text
// being edited; for a member school it is what was last published.
type GroupPlan struct {
	Round      Round     `json:"round"`
	Entries    []Entry   `json:"entries"`
	GroupItems []Section `json:"group_items"`
	Text       string    `json:"text"`
	// Pending names the required schools whose plans are not accepted yet.
	Pending     []string   `json:"pending"`
	Published   bool       `json:"published"`
	PublishedAt *time.Time `json:"published_at"`
	PublishedBy string     `json:"published_by"`
	Actions     []string   `json:"actions"`
	Version     int        `json:"version"` // the round's
}

// GroupPlanInput saves the group's own items and the edited text.
type GroupPlanInput struct {
	Version    int       `json:"version"`
	GroupItems []Section `json:"group_items"`
	Text       string    `json:"text"`
}

// maxText bounds the group plan's text.
const maxText = 100000

// GroupPlan is the group plan of round id: the working compilation for the
// group and the county, the published plan for a member school (not found
// before it is published).
func (s *Service) GroupPlan(ctx context.Context, a auth.Actor, id int64) (GroupPlan, error) {
	if !a.Has(auth.PermPlansRead) {
		return GroupPlan{}, errs.ForbiddenError()
	}
	return s.groupPlan(ctx, s.st.R, a, id)
}

func (s *Service) groupPlan(ctx context.Context, q store.Reader, a auth.Actor, id int64) (GroupPlan, error) {
	r, err := s.getRound(ctx, q, a, id)
	if err != nil {
		return GroupPlan{}, err
	}
	var items, text, pubEntries, pubText, pubBy string
	if err := q.QueryRowContext(ctx, `SELECT r.group_items, r.plan_text, r.published_entries, r.published_text, COALESCE(u.display_name, '')
		FROM plan_rounds r LEFT JOIN users u ON u.id = r.published_by WHERE r.id = $1`, id).Scan(&items, &text, &pubEntries, &pubText, &pubBy); err != nil {
		return GroupPlan{}, err
	}
	g := GroupPlan{Round: r, Published: r.PublishedAt != nil, PublishedAt: r.PublishedAt, PublishedBy: pubBy, Version: r.Version,
		Pending: []string{}, Actions: []string{}, GroupItems: []Section{}}
	if !wholeRound(a, r) {
		// A member school reads the published plan only.
		if !g.Published {
			return GroupPlan{}, errs.NotFoundError("group_plan")
		}
		if err := json.Unmarshal([]byte(pubEntries), &g.Entries); err != nil {
			return g, err
		}
		g.Text = pubText
		return g, nil
	}
	if err := json.Unmarshal([]byte(items), &g.GroupItems); err != nil {
		return g, err
	}
	g.Text = text
	if g.Entries, err = s.compile(ctx, q, r, g.GroupItems); err != nil {
		return g, err
	}
	rows, err := q.QueryContext(ctx, `SELECT sc.name FROM plan_round_schools rs JOIN schools sc ON sc.id = rs.school_id
		LEFT JOIN school_plans p ON p.round_id = rs.round_id AND p.school_id = rs.school_id
		WHERE rs.round_id = $1 AND (p.status IS NULL OR p.status <> 'accepted') ORDER BY sc.id`, id)
	if err != nil {
		return g, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return g, err
		}
		g.Pending = append(g.Pending, n)
	}
	if manages(a, r) {
		g.Actions = append(g.Actions, "save", "compile", "publish")
	}
	return g, rows.Err()
}

// compile gathers the accepted plans of round r and the group's own items
// into entries: by section in the template's order, then month, the group's
// items first, then the schools (the lead school first).
func (s *Service) compile(ctx context.Context, q store.Reader, r Round, own []Section) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.school_id, sc.name, p.content, CASE WHEN sc.id = g.lead_school_id THEN 0 ELSE 1 END
		FROM school_plans p JOIN schools sc ON sc.id = p.school_id JOIN plan_rounds r ON r.id = p.round_id JOIN edu_groups g ON g.id = r.group_id
		JOIN plan_round_schools rs ON rs.round_id = p.round_id AND rs.school_id = p.school_id
		WHERE p.round_id = $1 AND p.status = 'accepted'`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rank := map[int64]int{0: -1}
	type src struct {
		id   int64
		name string
		secs []Section
	}
	srcs := []src{{id: 0, name: r.GroupName, secs: own}}
	for rows.Next() {
		var x src
		var content string
		var lead int
		if err := rows.Scan(&x.id, &x.name, &content, &lead); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(content), &x.secs); err != nil {
			return nil, err
		}
		rank[x.id] = lead
		srcs = append(srcs, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	order, labels := map[string]int{}, map[string]string{}
	for i, c := range r.Sections {
		order[c.Code], labels[c.Code] = i, c.Label
	}
	out := []Entry{}
	for _, x := range srcs {
		for _, sec := range x.secs {
			for _, it := range sec.Items {
				out = append(out, Entry{Section: sec.Code, SectionLabel: labels[sec.Code], Month: it.Month, SchoolID: x.id, SchoolName: x.name,
					Goal: it.Goal, Measures: it.Measures, Owner: it.Owner, Activity: it.Activity})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if order[a.Section] != order[b.Section] {
			return order[a.Section] < order[b.Section]
		}
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if rank[a.SchoolID] != rank[b.SchoolID] {
			return rank[a.SchoolID] < rank[b.SchoolID]
		}
		return a.SchoolID < b.SchoolID
	})
	return out, nil
}

// Text words the entries as the group plan's draft: a heading, then per
// section and month each item with its owner and school.
func Text(r Round, entries []Entry, lang i18n.Lang) string {
	var b strings.Builder
	b.WriteString(lang.T("planning.text.title", map[string]any{"group": r.GroupName, "term": r.Term}))
	b.WriteString("\n")
	sec, month := "", ""
	n := 0
	for _, e := range entries {
		if e.Section != sec {
			n++
			sec, month = e.Section, ""
			b.WriteString("\n" + lang.T("planning.text.section", map[string]any{"n": n, "label": e.SectionLabel}) + "\n")
		}
		if e.Month != month {
			month = e.Month
			b.WriteString(lang.T("planning.text.month", map[string]any{"month": e.Month}) + "\n")
		}
		line := "  · " + e.Goal
		if e.Measures != "" {
			line += lang.T("planning.text.measures", map[string]any{"measures": e.Measures})
		}
		line += lang.T("planning.text.source", map[string]any{"owner": e.Owner, "school": e.SchoolName})
		if e.Activity != "" {
			line += lang.T("planning.text.activity", map[string]any{"activity": e.Activity})
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// groupStep runs one write on the group plan of round id in one transaction,
// with the version check and the audit record.
func (s *Service) groupStep(ctx context.Context, a auth.Actor, id int64, version int, action string, fn func(tx *sql.Tx, g *GroupPlan) (map[string]any, error)) (GroupPlan, error) {
	if !a.Has(auth.PermPlansManage) {
		return GroupPlan{}, errs.ForbiddenError()
	}
	var out GroupPlan
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.groupPlan(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !manages(a, g.Round) {
			return errs.ForbiddenError()
		}
		if version != g.Version {
			return stale()
		}
		before := map[string]any{"text": g.Text, "group_items": g.GroupItems, "status": g.Round.Status}
		set, err := fn(tx, &g)
		if err != nil {
			return err
		}
		q := `UPDATE plan_rounds SET version = version + 1, updated_at = $1`
		args := []any{store.Now()}
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			args = append(args, set[k])
			q += ", " + k + " = $" + strconv.Itoa(len(args))
		}
		args = append(args, id, version)
		res, err := tx.ExecContext(ctx, q+" WHERE id = $"+strconv.Itoa(len(args)-1)+" AND version = $"+strconv.Itoa(len(args)), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		if out, err = s.groupPlan(ctx, tx, a, id); err != nil {
			return err
		}
		if action == "publish" {
			if err := s.notifyPublished(ctx, tx, a, out.Round); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "planning.group_plan." + action, ObjectType: "plan_round", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"before": before, "after": map[string]any{"text": out.Text, "group_items": out.GroupItems, "status": out.Round.Status}}})
	})
	return out, err
}

// SaveGroupPlan saves the group's own items and the edited text.
func (s *Service) SaveGroupPlan(ctx context.Context, a auth.Actor, id int64, in GroupPlanInput) (GroupPlan, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return GroupPlan{}, err
	}
	return s.groupStep(ctx, a, id, in.Version, "save", func(_ *sql.Tx, g *GroupPlan) (map[string]any, error) {
		clean, err := validate(g.Round, in.GroupItems, set.MaxItems)
		if err != nil {
			if e, ok := errs.As(err); ok {
				for i := range e.Details {
					e.Details[i].Field = "group_items" + strings.TrimPrefix(e.Details[i].Field, "sections")
				}
			}
			return nil, err
		}
		if len([]rune(in.Text)) > maxText {
			return nil, errs.FieldError("text", "field.max", errs.Args{"max": maxText})
		}
		items, _ := json.Marshal(clean)
		return map[string]any{"group_items": string(items), "plan_text": in.Text}, nil
	})
}

// Compile replaces the text being edited with the compiled draft, worded in
// lang.
func (s *Service) Compile(ctx context.Context, a auth.Actor, id int64, in Step, lang i18n.Lang) (GroupPlan, error) {
	return s.groupStep(ctx, a, id, in.Version, "compile", func(_ *sql.Tx, g *GroupPlan) (map[string]any, error) {
		return map[string]any{"plan_text": Text(g.Round, g.Entries, lang)}, nil
	})
}

// Publish makes the group plan what every member school reads: the entries
// compiled now and the text as edited. It needs a text and at least one
// accepted plan.
func (s *Service) Publish(ctx context.Context, a auth.Actor, id int64, in Step) (GroupPlan, error) {
	return s.groupStep(ctx, a, id, in.Version, "publish", func(_ *sql.Tx, g *GroupPlan) (map[string]any, error) {
		if strings.TrimSpace(g.Text) == "" {
			return nil, errs.FieldError("text", "planning.text_empty", nil)
		}
		if g.Round.Accepted == 0 {
			return nil, errs.RuleError("planning.accepted", "planning.none_accepted", nil)
		}
		entries, _ := json.Marshal(g.Entries)
		return map[string]any{"published_entries": string(entries), "published_text": g.Text, "published_at": store.Now(),
			"published_by": nullID(a.UserID), "status": RoundPublished}, nil
	})
}
