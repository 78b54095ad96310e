// Package growth is each teacher's growth record (成长档案): one page per
// staff member gathering, with days and outcomes, what the capabilities
// know of them — exchanges and cross-school service, mentoring as mentor or
// mentee with its reviews — and, for 人事股 and 干部股, the recommendation
// list for titles and awards (评优评先, 职称评聘) that ranks and flags
// candidates by cross-school service and mentoring (四(三)2: 评优评先时向
// 跨校任职、兼课指导的干部教师适当倾斜). The weighting is a policy setting;
// every figure is the sum of entries the record lists.
//
// The capabilities feed it through Source, as they feed the workbench:
// growth imports none of them.
package growth

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// Entry is one thing in a staff member's record.
type Entry struct {
	Source string `json:"source"`
	// Kind is what it is: exchange.training|study|support, service.post|
	// teaching, mentoring.mentor|mentee.
	Kind    string     `json:"kind"`
	Title   string     `json:"title"` // the school served at; the other person of a pair
	StartOn store.Date `json:"start_on"`
	EndOn   store.Date `json:"end_on"` // empty while it lasts
	// Days are the days of cross-school service inside the window.
	Days    int    `json:"days"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"` // the evaluation, or the latest review grade
	Count   int    `json:"count"`   // a pair's confirmed activities
	Link    string `json:"link"`
	// What the entry counts for in the figures.
	CrossSchool     bool `json:"cross_school"`      // its days are cross-school service
	Mentor          bool `json:"mentor"`            // a pair led as mentor
	CrossSchoolPair bool `json:"cross_school_pair"` // … with a mentee of another school
	GoodReviews     int  `json:"good_reviews"`      // its term reviews graded 优秀 or 良好, ending in the window
}

// Window is the period the figures count: entries overlapping it, days
// inside it.
type Window struct {
	From store.Date `json:"from"`
	To   store.Date `json:"to"`
}

// Clip is the days of [start, end] inside the window (end zero: to To).
func (w Window) Clip(start, end store.Date) int {
	if end.IsZero() || end.After(w.To.Time) {
		end = w.To
	}
	if start.Before(w.From.Time) {
		start = w.From
	}
	if end.Before(start.Time) {
		return 0
	}
	return int(end.Sub(start.Time).Hours()/24) + 1
}

// Overlaps: [start, end] meets the window (end zero: still open).
func (w Window) Overlaps(start, end store.Date) bool {
	return !start.After(w.To.Time) && (end.IsZero() || !end.Before(w.From.Time))
}

// Source is a capability's part of the records. Entries answers for the
// staff named, or every staff member when staff is nil, inside the window.
type Source interface {
	Name() string
	Entries(ctx context.Context, staff []int64, w Window) (map[int64][]Entry, error)
}

// Figures are a record's totals in the window and the score the policy's
// weighting gives them.
type Figures struct {
	CrossSchoolDays  int      `json:"cross_school_days"`
	MentorPairs      int      `json:"mentor_pairs"`
	CrossSchoolPairs int      `json:"cross_school_pairs"`
	GoodReviews      int      `json:"good_reviews"`
	Score            int      `json:"score"`
	Flags            []string `json:"flags" enum:"long_service,mentor"`
}

func figures(r policy.Recognition, entries []Entry) Figures {
	f := Figures{Flags: []string{}}
	for _, e := range entries {
		if e.CrossSchool {
			f.CrossSchoolDays += e.Days
		}
		if e.Mentor {
			f.MentorPairs++
			if e.CrossSchoolPair {
				f.CrossSchoolPairs++
			}
			f.GoodReviews += e.GoodReviews
		}
	}
	f.Score = f.CrossSchoolDays/30*r.PointsPerMonth + f.MentorPairs*r.PointsPerPair + f.CrossSchoolPairs*r.PointsCrossPair + f.GoodReviews*r.PointsGoodReview
	if r.FlagDays > 0 && f.CrossSchoolDays >= r.FlagDays {
		f.Flags = append(f.Flags, "long_service")
	}
	if f.MentorPairs > 0 && f.GoodReviews > 0 {
		f.Flags = append(f.Flags, "mentor")
	}
	return f
}

// Service gathers the records.
type Service struct {
	st      *store.Store
	pol     *policy.Service
	log     *audit.Log
	sources []Source
	// Today ends the default window; tests set it.
	Today func() store.Date
}

// NewService wires the growth records over the capabilities' sources.
func NewService(st *store.Store, pol *policy.Service, log *audit.Log, sources ...Source) *Service {
	return &Service{st: st, pol: pol, log: log, sources: sources, Today: store.Today}
}

// window is from..to, each defaulting from the policy: the last
// WindowYears years up to today.
func (s *Service) window(ctx context.Context, from, to store.Date) (Window, policy.Recognition, error) {
	v, err := s.pol.InForce(ctx, s.Today())
	r := v.Settings.Recognition
	if err != nil {
		return Window{}, r, err
	}
	if to.IsZero() {
		to = s.Today()
	}
	if from.IsZero() {
		from = store.Date{Time: to.AddDate(-r.WindowYears, 0, 1)}
	}
	if to.Before(from.Time) {
		return Window{}, r, errs.FieldError("to", "growth.window", nil)
	}
	return Window{From: from, To: to}, r, nil
}

func (s *Service) gather(ctx context.Context, staff []int64, w Window) (map[int64][]Entry, error) {
	out := map[int64][]Entry{}
	for _, src := range s.sources {
		part, err := src.Entries(ctx, staff, w)
		if err != nil {
			return nil, err
		}
		for id, es := range part {
			out[id] = append(out[id], es...)
		}
	}
	for id := range out {
		es := out[id]
		sort.SliceStable(es, func(i, j int) bool { return es[i].StartOn.Before(es[j].StartOn.Time) })
	}
	return out, nil
}

// Person is the staff member a record or a row is about.
type Person struct {
	StaffID    int64  `json:"staff_id"`
	Name       string `json:"name"`
	StaffNo    string `json:"staff_no"`
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Post       string `json:"post"`
	IsCadre    bool   `json:"is_cadre"`
	Title      string `json:"title"`
	Honours    string `json:"honours"`
}

const selectPerson = `SELECT st.id, st.name, st.staff_no, st.school_id, sc.name, st.post, st.is_cadre, st.title, st.honours
	FROM staff st JOIN schools sc ON sc.id = st.school_id`

func scanPerson(row interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := row.Scan(&p.StaffID, &p.Name, &p.StaffNo, &p.SchoolID, &p.SchoolName, &p.Post, &p.IsCadre, &p.Title, &p.Honours)
	return p, err
}

// Record is one staff member's growth record in a window.
type Record struct {
	Person
	Window    Window             `json:"window"`
	Entries   []Entry            `json:"entries"`
	Figures   Figures            `json:"figures"`
	Weighting policy.Recognition `json:"weighting"`
}

// Record reads a staff member's record: the person themself, their school,
// its groups and the county's sections may.
func (s *Service) Record(ctx context.Context, a auth.Actor, staffID int64, from, to store.Date) (Record, error) {
	if !a.Has(auth.PermGrowthRead) {
		return Record{}, errs.ForbiddenError()
	}
	p, err := scanPerson(s.st.R.QueryRowContext(ctx, selectPerson+` WHERE st.id = $1`, staffID))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, errs.NotFoundError("staff")
	} else if err != nil {
		return Record{}, err
	}
	r := a.Reach(auth.PermGrowthRead)
	groups, err := registry.CurrentGroups(ctx, s.st.R, p.SchoolID)
	if err != nil {
		return Record{}, err
	}
	if r.Self != staffID && !r.SchoolIn(p.SchoolID, groups...) {
		return Record{}, errs.NotFoundError("staff")
	}
	w, rec, err := s.window(ctx, from, to)
	if err != nil {
		return Record{}, err
	}
	all, err := s.gather(ctx, []int64{staffID}, w)
	if err != nil {
		return Record{}, err
	}
	out := Record{Person: p, Window: w, Entries: all[staffID], Weighting: rec}
	if out.Entries == nil {
		out.Entries = []Entry{}
	}
	out.Figures = figures(rec, out.Entries)
	return out, nil
}

// Filter narrows the recommendation list.
type Filter struct {
	Post     string // teacher (人事股) or cadre (干部股); "" for all
	SchoolID int64
	GroupID  int64
	From, To store.Date
	// Flagged keeps only the flagged candidates.
	Flagged bool
	Q       string
}

// Row is one candidate with their figures.
type Row struct {
	Person
	Figures Figures `json:"figures"`
}

// Recommendation is the ranked list.
type Recommendation struct {
	Window    Window             `json:"window"`
	Weighting policy.Recognition `json:"weighting"`
	Items     []Row              `json:"items"`
}

// recommendMax bounds one list.
const recommendMax = 20000

// Recommend ranks the active staff of the county (narrowed by the filter)
// with any cross-school service or mentoring in the window, highest score
// first.
func (s *Service) Recommend(ctx context.Context, a auth.Actor, f Filter) (Recommendation, error) {
	if !a.Reach(auth.PermGrowthRecommend).County {
		return Recommendation{}, errs.ForbiddenError()
	}
	var fields errs.Fields
	var w store.Where
	w.Add("st.status = 'active'")
	switch f.Post {
	case "":
	case "cadre":
		w.Add("st.is_cadre = TRUE")
	case "teacher":
		w.Add("st.is_cadre = FALSE")
	default:
		fields.Add("post", "growth.post", nil)
	}
	if err := fields.Err(); err != nil {
		return Recommendation{}, err
	}
	if f.SchoolID != 0 {
		w.Add("st.school_id = ?", f.SchoolID)
	}
	if f.GroupID != 0 {
		w.Add("st.school_id IN (SELECT school_id FROM group_members WHERE group_id = ? AND left_on IS NULL)", f.GroupID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add("st.name LIKE ? ESCAPE '\\'", store.Contains(q))
	}
	win, rec, err := s.window(ctx, f.From, f.To)
	if err != nil {
		return Recommendation{}, err
	}
	rows, err := s.st.R.QueryContext(ctx, selectPerson+w.SQL()+` ORDER BY st.id LIMIT `+w.Arg(recommendMax), w.Args...)
	if err != nil {
		return Recommendation{}, err
	}
	var people []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return Recommendation{}, err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Recommendation{}, err
	}
	all, err := s.gather(ctx, nil, win)
	if err != nil {
		return Recommendation{}, err
	}
	out := Recommendation{Window: win, Weighting: rec, Items: []Row{}}
	for _, p := range people {
		es := all[p.StaffID]
		if len(es) == 0 {
			continue
		}
		fg := figures(rec, es)
		if fg.Score == 0 && len(fg.Flags) == 0 {
			continue
		}
		if f.Flagged && len(fg.Flags) == 0 {
			continue
		}
		out.Items = append(out.Items, Row{Person: p, Figures: fg})
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		x, y := out.Items[i].Figures, out.Items[j].Figures
		if x.Score != y.Score {
			return x.Score > y.Score
		}
		if x.CrossSchoolDays != y.CrossSchoolDays {
			return x.CrossSchoolDays > y.CrossSchoolDays
		}
		return out.Items[i].StaffID < out.Items[j].StaffID
	})
	return out, nil
}
