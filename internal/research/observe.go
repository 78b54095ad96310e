package research

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The kinds of rubric: scored items (weights as points), or LICC-style
// observation points answered with counts and notes.
const (
	RubricScored = "scored"
	RubricLICC   = "licc"
)

// The kinds of observation: announced (公开课, 研讨课) or 推门听课.
const (
	ObsScheduled   = "scheduled"
	ObsUnannounced = "unannounced"
)

// RubricItem is a leaf of a rubric: a scored item with its points (Max), or
// an observation point (Point) answered with a count and a note.
type RubricItem struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Max   int    `json:"max,omitempty"`
	Hint  string `json:"hint,omitempty"`
	Point string `json:"point,omitempty"`
}

// Dimension is a branch of a rubric.
type Dimension struct {
	Code  string       `json:"code"`
	Name  string       `json:"name"`
	Items []RubricItem `json:"items"`
}

// Tree is a rubric's content.
type Tree struct {
	Max        int         `json:"max,omitempty"`
	Dimensions []Dimension `json:"dimensions"`
}

// Rubric is one version of a rubric.
type Rubric struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Number int    `json:"number"`
	Name   string `json:"name"`
	Kind   string `json:"kind" enum:"scored,licc"`
	Tree   Tree   `json:"tree"`
}

func (s *Service) rubric(ctx context.Context, q store.Reader, id int64) (Rubric, error) {
	var r Rubric
	var raw string
	err := q.QueryRowContext(ctx, `SELECT id, code, number, name, kind, tree FROM research_rubrics WHERE id = $1`, id).Scan(&r.ID, &r.Code, &r.Number, &r.Name, &r.Kind, &raw)
	if err != nil {
		return r, notFound(err, "rubric")
	}
	return r, json.Unmarshal([]byte(raw), &r.Tree)
}

// Rubrics lists the newest version of every rubric.
func (s *Service) Rubrics(ctx context.Context, a auth.Actor) ([]Rubric, error) {
	if !a.Has(auth.PermResearchRead) {
		return nil, errs.ForbiddenError()
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT r.id FROM research_rubrics r WHERE r.number = (SELECT max(number) FROM research_rubrics x WHERE x.code = r.code) ORDER BY r.id`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Rubric{}
	for _, id := range ids {
		r, err := s.rubric(ctx, s.st.R, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Observation is one observed lesson.
type Observation struct {
	ID              int64      `json:"id"`
	GroupID         int64      `json:"group_id"`
	ResearchGroupID int64      `json:"research_group_id"`
	TeacherStaffID  int64      `json:"teacher_staff_id"`
	TeacherName     string     `json:"teacher_name"`
	SchoolID        int64      `json:"school_id"`
	SchoolName      string     `json:"school_name"`
	IsLeadSchool    bool       `json:"is_lead_school"`
	ClassName       string     `json:"class_name"`
	Subject         string     `json:"subject"`
	Topic           string     `json:"topic"`
	ObservedOn      store.Date `json:"observed_on" openapi:"notnull"`
	Period          int        `json:"period"`
	Kind            string     `json:"kind" enum:"scheduled,unannounced"`
	RubricID        int64      `json:"rubric_id"`
	RubricName      string     `json:"rubric_name"`
	RubricKind      string     `json:"rubric_kind" enum:"scored,licc"`
	Observers       int        `json:"observers"`
	Submitted       int        `json:"submitted"`
	Score           *float64   `json:"score"` // the mean of the observers' totals
	Band            string     `json:"band"`
	Feedback        string     `json:"feedback"`
	FeedbackBy      string     `json:"feedback_by"`
	FeedbackAt      *time.Time `json:"feedback_at"`
	Reflection      string     `json:"reflection"`
	Version         int        `json:"version"`
}

const selectObs = `SELECT o.id, o.group_id, COALESCE(o.research_group_id, 0), o.teacher_staff_id, st.name, o.school_id, sc.name, g.lead_school_id,
	o.class_name, o.subject, o.topic, o.observed_on, o.period, o.kind, o.rubric_id, r.name, r.kind,
	(SELECT count(*) FROM research_observers x WHERE x.observation_id = o.id),
	(SELECT count(*) FROM research_observers x WHERE x.observation_id = o.id AND x.submitted_at IS NOT NULL),
	(SELECT sum(x.total) FROM research_observers x WHERE x.observation_id = o.id AND x.submitted_at IS NOT NULL),
	o.feedback, o.feedback_by, o.feedback_at, o.reflection, o.version
	FROM research_observations o JOIN staff st ON st.id = o.teacher_staff_id JOIN schools sc ON sc.id = o.school_id
	JOIN edu_groups g ON g.id = o.group_id JOIN research_rubrics r ON r.id = o.rubric_id`

func scanObs(row interface{ Scan(...any) error }, bands []policy.Band, max int) (Observation, error) {
	var o Observation
	var lead int64
	var sum sql.NullInt64
	var fat sql.NullTime
	err := row.Scan(&o.ID, &o.GroupID, &o.ResearchGroupID, &o.TeacherStaffID, &o.TeacherName, &o.SchoolID, &o.SchoolName, &lead,
		&o.ClassName, &o.Subject, &o.Topic, &o.ObservedOn, &o.Period, &o.Kind, &o.RubricID, &o.RubricName, &o.RubricKind,
		&o.Observers, &o.Submitted, &sum, &o.Feedback, &o.FeedbackBy, &fat, &o.Reflection, &o.Version)
	o.IsLeadSchool = lead == o.SchoolID
	if fat.Valid {
		t := fat.Time.UTC()
		o.FeedbackAt = &t
	}
	if o.RubricKind == RubricScored && o.Submitted > 0 && sum.Valid {
		m := math.Round(float64(sum.Int64)/float64(o.Submitted)*10) / 10
		o.Score = &m
		o.Band = BandOf(bands, m, max)
	}
	return o, err
}

// BandOf names the band of a score out of max: the highest band whose
// minimum percentage the score reaches.
func BandOf(bands []policy.Band, score float64, max int) string {
	if max <= 0 {
		max = 100
	}
	pct := score * 100 / float64(max)
	best, bestMin := "", -1
	for _, b := range bands {
		if pct >= float64(b.Min) && b.Min > bestMin {
			best, bestMin = b.Code, b.Min
		}
	}
	return best
}

// obsReach narrows observations o to the actor's scope: the county all; a
// group its schools' lessons; a school its teachers'; a person the lessons
// they taught or observe.
func obsReach(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermResearchRead)
	if r.County || a.System {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "o.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "o.school_id IN "+w.In(r.Schools))
	}
	if r.Self != 0 {
		p := w.Arg(r.Self)
		alts = append(alts, "(o.teacher_staff_id = "+p+" OR o.id IN (SELECT observation_id FROM research_observers WHERE staff_id = "+p+"))")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

func (s *Service) getObs(ctx context.Context, q store.Reader, a auth.Actor, id int64, set policy.Research) (Observation, error) {
	var w store.Where
	w.Add("o.id = ?", id)
	obsReach(&w, a)
	o, err := scanObs(q.QueryRowContext(ctx, selectObs+w.SQL(), w.Args...), set.Bands, 100)
	return o, notFound(err, "observation")
}

// ObsFilter narrows the observations.
type ObsFilter struct {
	GroupID  int64
	SchoolID int64
	StaffID  int64 // taught or observed
}

// Observations lists the observed lessons in scope, newest first.
func (s *Service) Observations(ctx context.Context, a auth.Actor, f ObsFilter) ([]Observation, error) {
	if !a.Has(auth.PermResearchRead) {
		return nil, errs.ForbiddenError()
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	var w store.Where
	obsReach(&w, a)
	if f.GroupID != 0 {
		w.Add("o.group_id = ?", f.GroupID)
	}
	if f.SchoolID != 0 {
		w.Add("o.school_id = ?", f.SchoolID)
	}
	if f.StaffID != 0 {
		w.Add("(o.teacher_staff_id = ? OR o.id IN (SELECT observation_id FROM research_observers WHERE staff_id = ?))", f.StaffID, f.StaffID)
	}
	rows, err := s.st.R.QueryContext(ctx, selectObs+w.SQL()+` ORDER BY o.observed_on DESC, o.id DESC`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Observation{}
	for rows.Next() {
		o, err := scanObs(rows, set.Bands, 100)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Answer is one observer's answer to one rubric item: points for a scored
// item, a count for an observation point, and a note.
type Answer struct {
	Item  string `json:"item"`
	Score *int   `json:"score"`
	Count *int   `json:"count"`
	Note  string `json:"note"`
}

// Form is one observer's sheet.
type Form struct {
	StaffID     int64      `json:"staff_id"`
	Name        string     `json:"name"`
	SchoolName  string     `json:"school_name"`
	Answers     []Answer   `json:"answers"`
	Total       *int       `json:"total"`
	SubmittedAt *time.Time `json:"submitted_at"`
}

// ItemResult is the observers' mean on one scored item, or the counts of an
// observation point.
type ItemResult struct {
	Item  string   `json:"item"`
	Name  string   `json:"name"`
	Max   int      `json:"max"`
	Mean  *float64 `json:"mean"`
	Count int      `json:"count"` // LICC: the observers' counts summed
	Notes []string `json:"notes"`
}

// ObsDetail is an observation with its rubric, the forms the caller may
// see, the combined result and what the caller may do.
type ObsDetail struct {
	Observation
	Rubric  Rubric       `json:"rubric"`
	Forms   []Form       `json:"forms"`
	Items   []ItemResult `json:"items"`
	Actions []string     `json:"actions"`
}

// ObsDetail reads one observation.
func (s *Service) ObsDetail(ctx context.Context, a auth.Actor, id int64) (ObsDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ObsDetail{}, errs.ForbiddenError()
	}
	return s.obsDetail(ctx, s.st.R, a, id)
}

func (s *Service) obsDetail(ctx context.Context, q store.Reader, a auth.Actor, id int64) (ObsDetail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return ObsDetail{}, err
	}
	o, err := s.getObs(ctx, q, a, id, set)
	if err != nil {
		return ObsDetail{}, err
	}
	d := ObsDetail{Observation: o, Forms: []Form{}, Items: []ItemResult{}, Actions: []string{}}
	if d.Rubric, err = s.rubric(ctx, q, o.RubricID); err != nil {
		return d, err
	}
	if d.Rubric.Kind == RubricScored {
		o.Band = BandOf(set.Bands, derefF(o.Score), d.Rubric.Tree.Max)
		d.Band = o.Band
	}
	me := self(a)
	rows, err := q.QueryContext(ctx, `SELECT x.staff_id, st.name, sc.name, x.answers, x.total, x.submitted_at FROM research_observers x
		JOIN staff st ON st.id = x.staff_id JOIN schools sc ON sc.id = st.school_id WHERE x.observation_id = $1 ORDER BY st.name, x.staff_id`, id)
	if err != nil {
		return d, err
	}
	isObserver := false
	var all []Form
	for rows.Next() {
		var f Form
		var raw string
		var total sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&f.StaffID, &f.Name, &f.SchoolName, &raw, &total, &at); err != nil {
			rows.Close()
			return d, err
		}
		f.Answers = []Answer{}
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &f.Answers); err != nil {
				rows.Close()
				return d, err
			}
		}
		if total.Valid {
			n := int(total.Int64)
			f.Total = &n
		}
		if at.Valid {
			t := at.Time.UTC()
			f.SubmittedAt = &t
		}
		if me != 0 && f.StaffID == me {
			isObserver = true
		}
		all = append(all, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	office := manages(a, o.GroupID) || a.Reach(auth.PermResearchRead).School(o.SchoolID)
	isTeacher := me != 0 && me == o.TeacherStaffID
	// The teacher sees the combined result and the feedback, not each
	// observer's sheet; an observer their own sheet; the office all.
	for _, f := range all {
		if office || (me != 0 && f.StaffID == me) {
			d.Forms = append(d.Forms, f)
		}
	}
	d.Items = combine(d.Rubric, all)
	if isObserver {
		d.Actions = append(d.Actions, "fill")
	}
	if manages(a, o.GroupID) || isObserver {
		d.Actions = append(d.Actions, "feedback")
	}
	if isTeacher {
		d.Actions = append(d.Actions, "reflect")
	}
	return d, nil
}

func derefF(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// combine is the observers' result per item: the mean of the submitted
// scores (as practice does: the mean, not the sum), or the counts summed and
// the notes gathered.
func combine(r Rubric, forms []Form) []ItemResult {
	out := []ItemResult{}
	for _, dim := range r.Tree.Dimensions {
		for _, it := range dim.Items {
			res := ItemResult{Item: it.Code, Name: dim.Name + " · " + it.Name, Max: it.Max, Notes: []string{}}
			sum, n := 0, 0
			for _, f := range forms {
				if f.SubmittedAt == nil {
					continue
				}
				for _, ans := range f.Answers {
					if ans.Item != it.Code {
						continue
					}
					if ans.Score != nil {
						sum += *ans.Score
						n++
					}
					if ans.Count != nil {
						res.Count += *ans.Count
					}
					if ans.Note != "" {
						res.Notes = append(res.Notes, ans.Note)
					}
				}
			}
			if r.Kind == RubricScored && n > 0 {
				m := math.Round(float64(sum)/float64(n)*10) / 10
				res.Mean = &m
			}
			out = append(out, res)
		}
	}
	return out
}

// ObsInput is a lesson to observe and who observes it.
type ObsInput struct {
	TeacherStaffID  int64      `json:"teacher_staff_id"`
	ResearchGroupID int64      `json:"research_group_id"`
	ClassName       string     `json:"class_name"`
	Subject         string     `json:"subject"`
	Topic           string     `json:"topic"`
	ObservedOn      store.Date `json:"observed_on"`
	Period          int        `json:"period"`
	Kind            string     `json:"kind"`
	RubricID        int64      `json:"rubric_id"`
	Observers       []int64    `json:"observers"`
}

// CreateObservation records a lesson to observe (or an unannounced 推门听课)
// with its observers; the group's teaching office does, for a teacher of one
// of its member schools.
func (s *Service) CreateObservation(ctx context.Context, a auth.Actor, in ObsInput) (ObsDetail, error) {
	if !a.Has(auth.PermResearchManage) && !a.System {
		return ObsDetail{}, errs.ForbiddenError()
	}
	in.ClassName, in.Subject, in.Topic = strings.TrimSpace(in.ClassName), strings.TrimSpace(in.Subject), strings.TrimSpace(in.Topic)
	set, err := s.settings(ctx)
	if err != nil {
		return ObsDetail{}, err
	}
	var f errs.Fields
	if in.TeacherStaffID == 0 {
		f.Add("teacher_staff_id", "field.required", nil)
	}
	textMax(&f, "topic", in.Topic, 120, true)
	textMax(&f, "class_name", in.ClassName, 40, false)
	textMax(&f, "subject", in.Subject, 40, false)
	if in.ObservedOn.IsZero() {
		f.Add("observed_on", "field.required", nil)
	}
	if in.Period < 0 || in.Period > set.PeriodsPerDay {
		f.Add("period", "research.period", errs.Args{"max": set.PeriodsPerDay})
	}
	if in.Kind != ObsScheduled && in.Kind != ObsUnannounced {
		f.Add("kind", "research.obs_kind", nil)
	}
	if in.RubricID == 0 {
		f.Add("rubric_id", "field.required", nil)
	}
	if len(in.Observers) == 0 {
		f.Add("observers", "field.required", nil)
	}
	if err := f.Err(); err != nil {
		return ObsDetail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var school int64
		var subject string
		if err := tx.QueryRowContext(ctx, `SELECT school_id, subject FROM staff WHERE id = $1 AND status = 'active'`, in.TeacherStaffID).Scan(&school, &subject); err != nil {
			if err == sql.ErrNoRows {
				return errs.FieldError("teacher_staff_id", "research.member_not_in_group", nil)
			}
			return err
		}
		var group int64
		r := a.Reach(auth.PermResearchManage)
		gr, err := tx.QueryContext(ctx, `SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, school)
		if err != nil {
			return err
		}
		for gr.Next() {
			var g int64
			if err := gr.Scan(&g); err != nil {
				gr.Close()
				return err
			}
			if group == 0 && (a.System || r.Group(g)) {
				group = g
			}
		}
		gr.Close()
		if group == 0 {
			return errs.FieldError("teacher_staff_id", "research.member_not_in_group", nil)
		}
		if _, err := s.rubric(ctx, tx, in.RubricID); err != nil {
			return errs.FieldError("rubric_id", "research.rubric", nil)
		}
		if in.Subject == "" {
			in.Subject = subject
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO research_observations (group_id, research_group_id, teacher_staff_id, school_id, class_name, subject, topic, observed_on, period, kind, rubric_id, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`, group, nullID(in.ResearchGroupID), in.TeacherStaffID, school,
			in.ClassName, in.Subject, in.Topic, in.ObservedOn, in.Period, in.Kind, in.RubricID, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for i, sid := range in.Observers {
			if seen[sid] {
				continue
			}
			seen[sid] = true
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE id = $1 AND status = 'active' AND school_id IN (SELECT school_id FROM group_members WHERE group_id = $2 AND left_on IS NULL)`, sid, group).Scan(&n); err != nil {
				return err
			}
			if n == 0 || sid == in.TeacherStaffID {
				return errs.FieldError(fmt.Sprintf("observers[%d]", i), "research.observer", nil)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO research_observers (observation_id, staff_id) VALUES ($1, $2)`, id, sid); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.observation_create", ObjectType: "research_observation", ObjectID: id64(id),
			Detail: map[string]any{"after": map[string]any{"teacher_staff_id": in.TeacherStaffID, "school_id": school, "topic": in.Topic, "observed_on": in.ObservedOn, "kind": in.Kind, "rubric_id": in.RubricID, "observers": in.Observers}}})
	})
	if err != nil {
		return ObsDetail{}, err
	}
	return s.ObsDetail(ctx, a, id)
}

// FormInput is an observer's answers; Submit makes them count.
type FormInput struct {
	Answers []Answer `json:"answers"`
	Submit  bool     `json:"submit"`
	// ObserverID names the observer when the System actor (the demo, an
	// import of paper sheets) enters a sheet; a person always fills their own.
	ObserverID int64 `json:"observer_id,omitempty"`
}

// SaveForm writes the caller's sheet for an observation. A scored item's
// points run from 0 to its maximum; a submitted scored sheet answers every
// item. An LICC sheet holds counts (≥ 0) and notes.
func (s *Service) SaveForm(ctx context.Context, a auth.Actor, id int64, in FormInput) (ObsDetail, error) {
	if !a.Has(auth.PermResearchTakePart) && !a.System {
		return ObsDetail{}, errs.ForbiddenError()
	}
	set, err := s.settings(ctx)
	if err != nil {
		return ObsDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		o, err := s.getObs(ctx, tx, a, id, set)
		if err != nil {
			return err
		}
		me := self(a)
		if a.System {
			me = in.ObserverID
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM research_observers WHERE observation_id = $1 AND staff_id = $2`, id, me).Scan(&n); err != nil {
			return err
		}
		if me == 0 || n == 0 {
			return errs.New(errs.Forbidden, "research.not_observer", nil)
		}
		r, err := s.rubric(ctx, tx, o.RubricID)
		if err != nil {
			return err
		}
		items := map[string]RubricItem{}
		var order []string
		for _, dim := range r.Tree.Dimensions {
			for _, it := range dim.Items {
				items[it.Code] = it
				order = append(order, it.Code)
			}
		}
		var f errs.Fields
		got := map[string]bool{}
		total := 0
		var keep []Answer
		for i, ans := range in.Answers {
			it, ok := items[ans.Item]
			if !ok || got[ans.Item] {
				f.Add(fmt.Sprintf("answers[%d].item", i), "research.item", nil)
				continue
			}
			got[ans.Item] = true
			ans.Note = strings.TrimSpace(ans.Note)
			textMax(&f, fmt.Sprintf("answers[%d].note", i), ans.Note, 1000, false)
			if r.Kind == RubricScored {
				ans.Count = nil
				if ans.Score != nil && (*ans.Score < 0 || *ans.Score > it.Max) {
					f.Add(fmt.Sprintf("answers[%d].score", i), "research.score", errs.Args{"max": it.Max})
				} else if ans.Score != nil {
					total += *ans.Score
				}
			} else {
				ans.Score = nil
				if ans.Count != nil && *ans.Count < 0 {
					f.Add(fmt.Sprintf("answers[%d].count", i), "research.count", nil)
				}
			}
			keep = append(keep, ans)
		}
		if in.Submit && r.Kind == RubricScored {
			for _, code := range order {
				answered := false
				for _, ans := range keep {
					answered = answered || (ans.Item == code && ans.Score != nil)
				}
				if !answered {
					f.Add("answers."+code, "research.score_missing", errs.Args{"item": items[code].Name})
				}
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		raw, _ := json.Marshal(keep)
		var tot, at any
		if in.Submit {
			at = store.Now()
			if r.Kind == RubricScored {
				tot = total
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE research_observers SET answers = $1, total = $2, submitted_at = $3 WHERE observation_id = $4 AND staff_id = $5`,
			string(raw), tot, at, id, me); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.form", ObjectType: "research_observation", ObjectID: id64(id),
			Detail: map[string]any{"after": map[string]any{"answers": len(keep), "total": tot, "submitted": in.Submit}}})
	})
	if err != nil {
		return ObsDetail{}, err
	}
	return s.ObsDetail(ctx, a, id)
}

// FeedbackInput is the written feedback to the teacher, or the teacher's
// reflection.
type FeedbackInput struct {
	Text    string `json:"text"`
	Version int    `json:"version"`
}

// Feedback writes the observers' feedback to the teacher, who is told.
func (s *Service) Feedback(ctx context.Context, a auth.Actor, id int64, in FeedbackInput) (ObsDetail, error) {
	return s.obsText(ctx, a, id, in, "feedback")
}

// Reflect writes the observed teacher's reflection.
func (s *Service) Reflect(ctx context.Context, a auth.Actor, id int64, in FeedbackInput) (ObsDetail, error) {
	return s.obsText(ctx, a, id, in, "reflect")
}

func (s *Service) obsText(ctx context.Context, a auth.Actor, id int64, in FeedbackInput, action string) (ObsDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return ObsDetail{}, errs.ForbiddenError()
	}
	in.Text = strings.TrimSpace(in.Text)
	var f errs.Fields
	textMax(&f, "text", in.Text, 5000, true)
	if err := f.Err(); err != nil {
		return ObsDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.obsDetail(ctx, tx, a, id)
		if err != nil {
			return err
		}
		allowed := false
		for _, x := range d.Actions {
			allowed = allowed || x == action
		}
		if !allowed {
			return errs.ForbiddenError()
		}
		if d.Version != in.Version {
			return staleVersion()
		}
		now := store.Now()
		var q string
		var args []any
		before := d.Feedback
		if action == "feedback" {
			q, args = `UPDATE research_observations SET feedback = $1, feedback_by = $2, feedback_at = $3, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
				[]any{in.Text, whoName(a), now, id, in.Version}
		} else {
			before = d.Reflection
			q, args = `UPDATE research_observations SET reflection = $1, reflected_at = $2, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4`,
				[]any{in.Text, now, id, in.Version}
		}
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		if action == "feedback" {
			if err := s.notifyStaff(ctx, tx, a, []int64{d.TeacherStaffID}, "research.feedback", d.Topic, "/research/observations/"+id64(id), fmt.Sprintf("obs:%d:v%d", id, d.Version+1), ""); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research." + action, ObjectType: "research_observation", ObjectID: id64(id),
			Detail: map[string]any{"before": before, "after": in.Text}})
	})
	if err != nil {
		return ObsDetail{}, err
	}
	return s.ObsDetail(ctx, a, id)
}
