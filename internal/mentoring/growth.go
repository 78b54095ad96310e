package mentoring

import (
	"context"
	"strconv"
	"time"

	"edugroup/internal/growth"
	"edugroup/internal/store"
)

// GrowthSource is mentoring's part of the growth records: each active or
// ended pair, for the mentor (a pair led, with the term reviews graded
// 优秀 or 良好) and for the mentee, with its confirmed activities and its
// latest grade. A pair counts when its terms meet the window; a review when
// it was graded inside it.
type GrowthSource struct{ s *Service }

// Growth is the mentoring capability's growth source.
func (s *Service) Growth() GrowthSource { return GrowthSource{s: s} }

// Name is the source's name.
func (GrowthSource) Name() string { return "mentoring" }

// growthIn bounds the ids named in one query; more are read whole.
const growthIn = 500

// Entries reads the pairs of the staff (as mentor or mentee) meeting w.
func (g GrowthSource) Entries(ctx context.Context, staff []int64, w growth.Window) (map[int64][]growth.Entry, error) {
	s := g.s
	var q store.Where
	q.Add("p.status IN ('active', 'ended')")
	if staff != nil && len(staff) <= growthIn {
		in := q.In(staff)
		q.Add("(p.mentor_staff_id IN " + in + " OR p.mentee_staff_id IN " + in + ")")
	}
	pairs, err := queryPairs(ctx, s.st.R, selectPair+q.SQL()+` ORDER BY p.id`, q.Args...)
	if err != nil {
		return nil, err
	}
	type tally struct {
		confirmed, good int
		grade, term     string
	}
	tallies := map[int64]*tally{}
	for _, p := range pairs {
		tallies[p.ID] = &tally{}
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT pair_id, count(*) FROM mentoring_activities WHERE status = 'confirmed' GROUP BY pair_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if t := tallies[id]; t != nil {
			t.confirmed = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.st.R.QueryContext(ctx, `SELECT pair_id, term, grade, school_at FROM mentoring_reviews WHERE grade <> '' ORDER BY pair_id, term`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var term, grade string
		var at time.Time
		if err := rows.Scan(&id, &term, &grade, &at); err != nil {
			return nil, err
		}
		t := tallies[id]
		if t == nil {
			continue
		}
		t.grade, t.term = grade, term
		if on := (store.Date{Time: at.UTC().Truncate(24 * time.Hour)}); (grade == GradeExcellent || grade == GradeGood) && w.Overlaps(on, on) {
			t.good++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64][]growth.Entry{}
	for _, p := range pairs {
		from, _ := TermBounds(p.StartTerm)
		_, to := TermBounds(p.EndTerm)
		if !w.Overlaps(from, to) {
			continue
		}
		t := tallies[p.ID]
		base := growth.Entry{Source: "mentoring", StartOn: from, EndOn: to, Status: p.Status, Outcome: t.grade, Count: t.confirmed,
			Link: "/mentoring/pairs/" + strconv.FormatInt(p.ID, 10)}
		mentor := base
		mentor.Kind, mentor.Title, mentor.Mentor, mentor.CrossSchoolPair, mentor.GoodReviews = "mentoring.mentor", p.MenteeName+" · "+p.MenteeSchoolName, true, p.CrossSchool, t.good
		out[p.MentorStaffID] = append(out[p.MentorStaffID], mentor)
		mentee := base
		mentee.Kind, mentee.Title = "mentoring.mentee", p.MentorName+" · "+p.MentorSchoolName
		out[p.MenteeStaffID] = append(out[p.MenteeStaffID], mentee)
	}
	return out, nil
}
