// Package curriculum is 五(一) 课程规范化 and 五(四) 学科师资: the curriculum
// plan as versioned data (the national frame, Anhui's provincial default,
// the county's overlay), each school's timetable per term as published
// versions, the 开齐开足 checks of those timetables against the plan (the
// county register with √ / +x / −x / 0), spot checks against the version in
// force on the day, and the staffing balance of each school with the
// group's matches of one school's shortage to another's surplus.
package curriculum

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
	"edugroup/internal/exchange"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// Service keeps the plan, the timetables, the checks and the matches.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	ex  *exchange.Service
	// Today is the calendar date terms and versions are judged on; tests
	// set it.
	Today func() store.Date
	// Notices receives the notifications of each step, in its transaction;
	// nil sends none.
	Notices workbench.Poster
}

// NewService wires the curriculum capability; accepted 支教 and 走教
// matches go through the exchange service.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service, ex *exchange.Service) *Service {
	return &Service{st: st, log: log, pol: pol, ex: ex, Today: store.Today}
}

func (s *Service) settings(ctx context.Context) (policy.Curriculum, error) {
	v, err := s.pol.InForce(ctx, s.Today())
	return v.Settings.Curriculum, err
}

var termPattern = regexp.MustCompile(`^(\d{4})-(\d{4})-([12])$`)

// ValidTerm: "2026-2027-1" is the autumn term of school year 2026–2027,
// "-2" the spring term.
func ValidTerm(t string) bool {
	m := termPattern.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return b == a+1
}

// TermOf is the term a date falls in: September to January the first
// term, February to August the second.
func TermOf(d store.Date) string {
	y, m := d.Year(), int(d.Month())
	switch {
	case m >= 9:
		return fmt.Sprintf("%d-%d-1", y, y+1)
	case m == 1:
		return fmt.Sprintf("%d-%d-1", y-1, y)
	default:
		return fmt.Sprintf("%d-%d-2", y-1, y)
	}
}

// TermStart is the first day of a term under the settings.
func TermStart(c policy.Curriculum, term string) store.Date {
	m := termPattern.FindStringSubmatch(term)
	if m == nil {
		return store.Date{}
	}
	y, _ := strconv.Atoi(m[1])
	md := c.FirstTermStart
	if m[3] == "2" {
		y++
		md = c.SecondTermStart
	}
	var mo, d int
	if _, err := fmt.Sscanf(md, "%02d-%02d", &mo, &d); err != nil {
		mo, d = 9, 1
	}
	return store.Date{Time: time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)}
}

// TermEnd is the last day of a term: the day before the next one starts.
func TermEnd(c policy.Curriculum, term string) store.Date {
	m := termPattern.FindStringSubmatch(term)
	if m == nil {
		return store.Date{}
	}
	a, _ := strconv.Atoi(m[1])
	next := fmt.Sprintf("%d-%d-2", a, a+1)
	if m[3] == "2" {
		next = fmt.Sprintf("%d-%d-1", a+1, a+2)
	}
	return store.Date{Time: TermStart(c, next).AddDate(0, 0, -1)}
}

// schoolScope narrows a query on a schools column to the actor's reach:
// the county, the schools granted, the member schools of the groups granted.
func schoolScope(w *store.Where, a auth.Actor, p auth.Permission, col string) {
	r := a.Reach(p)
	if r.County {
		return
	}
	var alts []string
	if len(r.Schools) > 0 {
		alts = append(alts, col+" IN "+w.In(r.Schools))
	}
	if len(r.Groups) > 0 {
		alts = append(alts, col+" IN (SELECT school_id FROM group_members WHERE left_on IS NULL AND group_id IN "+w.In(r.Groups)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// reaches reports whether the actor reaches the school with p.
func reaches(ctx context.Context, q store.Reader, a auth.Actor, p auth.Permission, schoolID int64) (bool, error) {
	var w store.Where
	w.Add("s.id = ?", schoolID)
	schoolScope(&w, a, p, "s.id")
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM schools s`+w.SQL(), w.Args...).Scan(&n)
	return n > 0, err
}

// PlanView is the plan in force with its overlay versions.
type PlanView struct {
	Plan     Plan             `json:"plan"`
	Overlay  Overlay          `json:"overlay"`
	Versions []OverlayVersion `json:"versions"`
	CanEdit  bool             `json:"can_edit"`
}

// OverlayVersion is one saved county overlay.
type OverlayVersion struct {
	Seq       int       `json:"seq"`
	Note      string    `json:"note"`
	Overrides int       `json:"overrides"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// latestOverlay reads the county's newest overlay (seq 0 when none).
func latestOverlay(ctx context.Context, q store.Reader) (Overlay, int, error) {
	var body string
	var seq int
	err := q.QueryRowContext(ctx, `SELECT seq, body FROM curriculum_overlays ORDER BY seq DESC LIMIT 1`).Scan(&seq, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Overlay{Overrides: []Override{}}, 0, nil
	}
	if err != nil {
		return Overlay{}, 0, err
	}
	var o Overlay
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		return Overlay{}, 0, err
	}
	if o.Overrides == nil {
		o.Overrides = []Override{}
	}
	return o, seq, nil
}

// planInForce is Anhui's default with the county's newest overlay.
func (s *Service) planInForce(ctx context.Context, q store.Reader) (Plan, error) {
	o, seq, err := latestOverlay(ctx, q)
	if err != nil {
		return Plan{}, err
	}
	return Apply(Anhui(), o, seq)
}

// Plan is the curriculum plan in force, its layers and the overlay versions.
func (s *Service) Plan(ctx context.Context, a auth.Actor) (PlanView, error) {
	if !a.Has(auth.PermCurriculumRead) && !a.Has(auth.PermCurriculumPlan) {
		return PlanView{}, errs.ForbiddenError()
	}
	o, seq, err := latestOverlay(ctx, s.st.R)
	if err != nil {
		return PlanView{}, err
	}
	p, err := Apply(Anhui(), o, seq)
	if err != nil {
		return PlanView{}, err
	}
	v := PlanView{Plan: p, Overlay: o, Versions: []OverlayVersion{}, CanEdit: a.Reach(auth.PermCurriculumPlan).County}
	rows, err := s.st.R.QueryContext(ctx, `SELECT o.seq, o.note, o.body, COALESCE(u.display_name, ''), o.created_at FROM curriculum_overlays o
		LEFT JOIN users u ON u.id = o.created_by ORDER BY o.seq DESC`)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var ov OverlayVersion
		var body string
		if err := rows.Scan(&ov.Seq, &ov.Note, &body, &ov.CreatedBy, &ov.CreatedAt); err != nil {
			return v, err
		}
		var x Overlay
		_ = json.Unmarshal([]byte(body), &x)
		ov.Overrides, ov.CreatedAt = len(x.Overrides), ov.CreatedAt.UTC()
		v.Versions = append(v.Versions, ov)
	}
	return v, rows.Err()
}

// OverlayInput is a new version of the county overlay; Seq is the version
// the editor read (409 when another was saved since).
type OverlayInput struct {
	Overlay
	Seq int `json:"seq"`
}

// SaveOverlay saves a new version of the county's overlay, after checking
// that the merged plan still adds up.
func (s *Service) SaveOverlay(ctx context.Context, a auth.Actor, in OverlayInput) (PlanView, error) {
	if !a.Reach(auth.PermCurriculumPlan).County {
		return PlanView{}, errs.ForbiddenError()
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 500 {
		return PlanView{}, errs.FieldError("note", "field.max", errs.Args{"max": 500})
	}
	if in.Overrides == nil {
		in.Overrides = []Override{}
	}
	if _, err := Apply(Anhui(), in.Overlay, 1); err != nil {
		return PlanView{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, seq, err := latestOverlay(ctx, tx)
		if err != nil {
			return err
		}
		if seq != in.Seq {
			return errs.ConflictError("error.stale_version", nil)
		}
		body, _ := json.Marshal(in.Overlay)
		if _, err := tx.ExecContext(ctx, `INSERT INTO curriculum_overlays (seq, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			seq+1, string(body), in.Note, nullID(a.UserID), store.Now()); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "curriculum.overlay", ObjectType: "curriculum_plan", ObjectID: strconv.Itoa(seq + 1),
			Detail: map[string]any{"after": in.Overlay}})
	})
	if err != nil {
		return PlanView{}, err
	}
	return s.Plan(ctx, a)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
