package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The kinds of activity a pair logs (听课, 评课, 示范课, 汇报课, 教案指导,
// 交流研讨). The first five count toward the duties of the agreement.
const (
	ActMenteeObserves = "mentee_observes" // 徒弟听导师的课
	ActMentorObserves = "mentor_observes" // 导师听徒弟的课
	ActPlanReview     = "plan_review"     // 教案指导
	ActDemoLesson     = "demo_lesson"     // 导师示范课
	ActReportLesson   = "report_lesson"   // 徒弟汇报课
	ActCritique       = "critique"        // 评课
	ActSeminar        = "seminar"         // 交流研讨
)

// ActivityKinds are the kinds in the order pages show them.
var ActivityKinds = []string{ActMenteeObserves, ActMentorObserves, ActPlanReview, ActDemoLesson, ActReportLesson, ActCritique, ActSeminar}

// The states of a logged activity: entered by one side, confirmed (or
// rejected, with a reason) by the other. Only confirmed ones count.
const (
	ActPending   = "pending"
	ActConfirmed = "confirmed"
	ActRejected  = "rejected"
)

// target is the duty a kind counts toward; 0 for kinds without a target.
func target(d policy.Duties, kind string) int {
	switch kind {
	case ActMenteeObserves:
		return d.MenteeObserves
	case ActMentorObserves:
		return d.MentorObserves
	case ActPlanReview:
		return d.PlansReviewed
	case ActDemoLesson:
		return d.DemoLessons
	case ActReportLesson:
		return d.ReportLessons
	}
	return 0
}

func validActivityKind(k string) bool {
	for _, x := range ActivityKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Activity is one thing a pair did together.
type Activity struct {
	ID     int64      `json:"id"`
	PairID int64      `json:"pair_id"`
	Term   string     `json:"term"`
	Kind   string     `json:"kind" enum:"mentee_observes,mentor_observes,plan_review,demo_lesson,report_lesson,critique,seminar"`
	HeldOn store.Date `json:"held_on"`
	Topic  string     `json:"topic"`
	Notes  string     `json:"notes"`
	// ObservationLink points at the lesson's observation form, when one
	// was filled (the teaching-research capability's 听评课 record).
	ObservationLink string     `json:"observation_link"`
	EnteredBy       string     `json:"entered_by" enum:"mentor,mentee"`
	EnteredName     string     `json:"entered_name"`
	Status          string     `json:"status" enum:"pending,confirmed,rejected"`
	DecidedName     string     `json:"decided_name"`
	DecidedAt       *time.Time `json:"decided_at"`
	Reason          string     `json:"reason"`
	CreatedAt       time.Time  `json:"created_at"`
	Version         int        `json:"version"`
	enteredUser     int64
}

const selectActivity = `SELECT a.id, a.pair_id, a.term, a.kind, a.held_on, a.topic, a.notes, a.observation_link, a.entered_party,
	COALESCE(eu.display_name, ''), a.status, COALESCE(du.display_name, ''), a.decided_at, a.reason, a.created_at, a.version, COALESCE(a.entered_by, 0)
	FROM mentoring_activities a LEFT JOIN users eu ON eu.id = a.entered_by LEFT JOIN users du ON du.id = a.decided_by`

func scanActivity(row interface{ Scan(...any) error }) (Activity, error) {
	var x Activity
	var decided sql.NullTime
	err := row.Scan(&x.ID, &x.PairID, &x.Term, &x.Kind, &x.HeldOn, &x.Topic, &x.Notes, &x.ObservationLink, &x.EnteredBy,
		&x.EnteredName, &x.Status, &x.DecidedName, &decided, &x.Reason, &x.CreatedAt, &x.Version, &x.enteredUser)
	if decided.Valid {
		t := decided.Time.UTC()
		x.DecidedAt = &t
	}
	x.CreatedAt = x.CreatedAt.UTC()
	return x, err
}

func queryActivities(ctx context.Context, q store.Reader, sqlText string, args ...any) ([]Activity, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		x, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ActivityInput is an activity as the mentor or the mentee logs it. Party
// is the side the caller logs for; it may be left empty when the caller is
// one of the two (the System actor, loading the demo, names it).
type ActivityInput struct {
	Kind            string     `json:"kind"`
	HeldOn          store.Date `json:"held_on"`
	Topic           string     `json:"topic"`
	Notes           string     `json:"notes"`
	ObservationLink string     `json:"observation_link"`
	Party           string     `json:"party"`
}

// side is which person of the pair the actor is: mentor, mentee, or "".
func side(a auth.Actor, p Pair) string {
	r := a.Reach(auth.PermMentoringConfirm)
	switch {
	case r.Self == 0:
		return ""
	case r.Self == p.MentorStaffID:
		return PartyMentor
	case r.Self == p.MenteeStaffID:
		return PartyMentee
	}
	return ""
}

// TermBounds is the first and last day of a term: September to January for
// the first term, February to July for the second.
func TermBounds(term string) (store.Date, store.Date) {
	m := termPattern.FindStringSubmatch(term)
	if m == nil {
		return store.Date{}, store.Date{}
	}
	y, _ := strconv.Atoi(m[1])
	if m[3] == "1" {
		return store.Date{Time: time.Date(y, 9, 1, 0, 0, 0, 0, time.UTC)}, store.Date{Time: time.Date(y+1, 1, 31, 0, 0, 0, 0, time.UTC)}
	}
	return store.Date{Time: time.Date(y+1, 2, 1, 0, 0, 0, 0, time.UTC)}, store.Date{Time: time.Date(y+1, 7, 31, 0, 0, 0, 0, time.UTC)}
}

// MidTerm is the day from which a pair short of half its targets is
// behind plan: halfway through the term.
func MidTerm(term string) store.Date {
	from, to := TermBounds(term)
	return store.Date{Time: from.Add(to.Sub(from.Time) / 2).Truncate(24 * time.Hour)}
}

func (in *ActivityInput) check(p Pair, today store.Date) error {
	in.Topic, in.Notes, in.ObservationLink = strings.TrimSpace(in.Topic), strings.TrimSpace(in.Notes), strings.TrimSpace(in.ObservationLink)
	var f errs.Fields
	if !validActivityKind(in.Kind) {
		f.Add("kind", "mentoring.activity_kind", nil)
	}
	if in.HeldOn.IsZero() {
		f.Add("held_on", "field.required", nil)
	} else {
		from, _ := TermBounds(p.StartTerm)
		_, to := TermBounds(p.EndTerm)
		switch {
		case in.HeldOn.After(today.Time):
			f.Add("held_on", "mentoring.activity_future", nil)
		case in.HeldOn.Before(from.Time) || in.HeldOn.After(to.Time):
			f.Add("held_on", "mentoring.activity_outside", errs.Args{"from": from.String(), "to": to.String()})
		}
	}
	if in.Topic == "" || len([]rune(in.Topic)) > 200 {
		f.Add("topic", "field.required_max", errs.Args{"max": 200})
	}
	if len([]rune(in.Notes)) > 4000 {
		f.Add("notes", "field.max", errs.Args{"max": 4000})
	}
	if l := in.ObservationLink; l != "" && (len(l) > 300 || !strings.HasPrefix(l, "/") || strings.HasPrefix(l, "//")) {
		// Only a page of this system: a link elsewhere is not an
		// observation record.
		f.Add("observation_link", "mentoring.observation_link", nil)
	}
	if in.Party != "" && in.Party != PartyMentor && in.Party != PartyMentee {
		f.Add("party", "mentoring.party", nil)
	}
	return f.Err()
}

// LogActivity records an activity of an active pair, entered by the mentor
// or the mentee; the other side confirms it.
func (s *Service) LogActivity(ctx context.Context, a auth.Actor, pairID int64, in ActivityInput) (Activity, error) {
	if !a.Has(auth.PermMentoringConfirm) && !a.System {
		return Activity{}, errs.ForbiddenError()
	}
	var out Activity
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.get(ctx, tx, a, pairID)
		if err != nil {
			return err
		}
		party := side(a, p)
		if a.System {
			party = in.Party
		}
		if party == "" || (in.Party != "" && in.Party != party) {
			return errs.New(errs.Forbidden, "mentoring.not_a_party", nil)
		}
		if p.Status != Active {
			return wrongState(p.Status)
		}
		if err := in.check(p, s.Today()); err != nil {
			return err
		}
		now := store.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO mentoring_activities (pair_id, term, kind, held_on, topic, notes, observation_link, entered_party,
			entered_by, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			p.ID, TermOf(in.HeldOn), in.Kind, in.HeldOn, in.Topic, in.Notes, in.ObservationLink, party, nullID(a.UserID), ActPending, now).Scan(&id); err != nil {
			return err
		}
		out, err = scanActivity(tx.QueryRowContext(ctx, selectActivity+` WHERE a.id = $1`, id))
		if err != nil {
			return err
		}
		if err := s.notifyActivity(ctx, tx, a, p, out, "mentoring.activity_to_confirm", other(party)); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "mentoring.activity", ObjectType: "mentoring_pair", ObjectID: strconv.FormatInt(p.ID, 10),
			Detail: map[string]any{"after": map[string]any{"activity_id": id, "kind": in.Kind, "held_on": in.HeldOn.String(), "topic": in.Topic, "party": party}}})
	})
	return out, err
}

func other(party string) string {
	if party == PartyMentor {
		return PartyMentee
	}
	return PartyMentor
}

// Decision confirms or rejects an activity the other side logged; a
// rejection carries its reason.
type Decision struct {
	Confirm bool   `json:"confirm"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// DecideActivity is the other side's confirmation or rejection.
func (s *Service) DecideActivity(ctx context.Context, a auth.Actor, pairID, activityID int64, in Decision) (Activity, error) {
	if !a.Has(auth.PermMentoringConfirm) && !a.System {
		return Activity{}, errs.ForbiddenError()
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if !in.Confirm && (in.Reason == "" || len([]rune(in.Reason)) > 500) {
		return Activity{}, errs.FieldError("reason", "field.required_max", errs.Args{"max": 500})
	}
	var out Activity
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.get(ctx, tx, a, pairID)
		if err != nil {
			return err
		}
		x, err := scanActivity(tx.QueryRowContext(ctx, selectActivity+` WHERE a.id = $1 AND a.pair_id = $2`, activityID, pairID))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("activity")
		} else if err != nil {
			return err
		}
		if x.Version != in.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		if x.Status != ActPending {
			return errs.ConflictError("mentoring.activity_decided", errs.Args{"status": x.Status})
		}
		if !a.System && side(a, p) != other(x.EnteredBy) {
			// Only the other person confirms: one's own entry is not evidence.
			return errs.New(errs.Forbidden, "mentoring.activity_other_side", nil)
		}
		to := ActConfirmed
		if !in.Confirm {
			to = ActRejected
		}
		res, err := tx.ExecContext(ctx, `UPDATE mentoring_activities SET status = $1, decided_by = $2, decided_at = $3, reason = $4, version = version + 1, updated_at = $3
			WHERE id = $5 AND version = $6`, to, nullID(a.UserID), store.Now(), in.Reason, x.ID, x.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		out, err = scanActivity(tx.QueryRowContext(ctx, selectActivity+` WHERE a.id = $1`, x.ID))
		if err != nil {
			return err
		}
		if err := s.notifyActivity(ctx, tx, a, p, out, "mentoring.activity_"+to, x.EnteredBy); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "mentoring.activity_" + to, ObjectType: "mentoring_pair", ObjectID: strconv.FormatInt(p.ID, 10),
			Detail: map[string]any{"activity_id": x.ID, "before": map[string]any{"status": x.Status}, "after": map[string]any{"status": to, "reason": in.Reason}}})
	})
	return out, err
}

// activities are a pair's logged activities, newest first.
func (s *Service) activities(ctx context.Context, q store.Reader, pairID int64) ([]Activity, error) {
	return queryActivities(ctx, q, selectActivity+` WHERE a.pair_id = $1 ORDER BY a.held_on DESC, a.id DESC`, pairID)
}

// Count is one duty's progress in a term.
type Count struct {
	Kind      string `json:"kind"`
	Target    int    `json:"target"`
	Confirmed int    `json:"confirmed"`
	Pending   int    `json:"pending"`
}

// Progress is a pair's duties in one term against the agreement's targets.
// Behind is set from mid-term on, when a duty with a target has fewer than
// half of it (rounded down) confirmed.
type Progress struct {
	Term    string     `json:"term"`
	From    store.Date `json:"from"`
	To      store.Date `json:"to"`
	MidTerm store.Date `json:"mid_term"`
	Counts  []Count    `json:"counts"`
	Behind  []string   `json:"behind"`
	Done    bool       `json:"done"` // every target met
}

// progress counts a pair's activities per term, for the terms of the
// pairing up to today's.
func progress(d policy.Duties, p Pair, acts []Activity, today store.Date) []Progress {
	current := TermOf(today)
	var out []Progress
	for term := p.StartTerm; term <= p.EndTerm && term <= current; term = nextTerm(term) {
		from, to := TermBounds(term)
		g := Progress{Term: term, From: from, To: to, MidTerm: MidTerm(term), Behind: []string{}, Done: true}
		for _, k := range ActivityKinds {
			c := Count{Kind: k, Target: target(d, k)}
			for _, x := range acts {
				if x.Term != term || x.Kind != k {
					continue
				}
				switch x.Status {
				case ActConfirmed:
					c.Confirmed++
				case ActPending:
					c.Pending++
				}
			}
			if c.Target > 0 && c.Confirmed < c.Target {
				g.Done = false
				// Halfway through the term, half the target (rounded down)
				// is due: a single 汇报课 at the end of term is on plan.
				if !today.Before(g.MidTerm.Time) && c.Confirmed < c.Target/2 {
					g.Behind = append(g.Behind, k)
				}
			}
			g.Counts = append(g.Counts, c)
		}
		out = append(out, g)
	}
	return out
}

// nextTerm is the term after t.
func nextTerm(t string) string {
	m := termPattern.FindStringSubmatch(t)
	if m == nil {
		return "~" // past every term: ends a loop
	}
	if m[3] == "1" {
		return m[1] + "-" + m[2] + "-2"
	}
	a, _ := strconv.Atoi(m[2])
	return m[2] + "-" + strconv.Itoa(a+1) + "-1"
}
