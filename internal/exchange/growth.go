package exchange

import (
	"context"
	"strconv"

	"edugroup/internal/growth"
	"edugroup/internal/store"
)

// GrowthSource is the exchanges' part of the growth records: each exchange
// that took place (approved on) and each 跨校任职 or 兼课指导, with its
// days of cross-school service inside the window counted as the service
// record counts them (to the return, or to today while still away).
type GrowthSource struct{ s *Service }

// Growth is the exchange capability's growth source.
func (s *Service) Growth() GrowthSource { return GrowthSource{s: s} }

// Name is the source's name.
func (GrowthSource) Name() string { return "exchange" }

// growthIn bounds the ids named in one query; more are read whole.
const growthIn = 500

// Entries reads the staff's exchanges and service entries overlapping w.
func (g GrowthSource) Entries(ctx context.Context, staff []int64, w growth.Window) (map[int64][]growth.Entry, error) {
	s := g.s
	today := s.Today()
	out := map[int64][]growth.Entry{}
	var q store.Where
	q.Add("e.status IN ('approved', 'underway', 'returned', 'closed')")
	q.Add("e.start_on <= ? AND e.end_on >= ?", w.To, w.From)
	if staff != nil && len(staff) <= growthIn {
		q.Add("e.staff_id IN " + q.In(staff))
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT e.staff_id, e.id, e.kind, h.name, e.start_on, e.end_on, e.returned_on, e.status,
		COALESCE((SELECT rating FROM exchange_evaluations v WHERE v.exchange_id = e.id AND v.rating <> '' ORDER BY v.id DESC LIMIT 1), '')
		FROM exchanges e JOIN schools h ON h.id = e.host_school_id`+q.SQL()+` ORDER BY e.start_on, e.id`, q.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x Exchange
		var staffID int64
		var rating string
		if err := rows.Scan(&staffID, &x.ID, &x.Kind, &x.HostSchoolName, &x.StartOn, &x.EndOn, &x.ReturnedOn, &x.Status, &rating); err != nil {
			return nil, err
		}
		end := servedTo(x, today)
		days := 0
		if !end.Before(x.StartOn.Time) {
			days = w.Clip(x.StartOn, end)
		}
		out[staffID] = append(out[staffID], growth.Entry{Source: "exchange", Kind: "exchange." + x.Kind, Title: x.HostSchoolName, StartOn: x.StartOn,
			EndOn: x.EndOn, Days: days, Status: x.Status, Outcome: rating, Link: "/exchanges/" + strconv.FormatInt(x.ID, 10), CrossSchool: true})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var c store.Where
	c.Add("c.start_on <= ?", w.To)
	c.Add("(c.end_on IS NULL OR c.end_on >= ?)", w.From)
	if staff != nil && len(staff) <= growthIn {
		c.Add("c.staff_id IN " + c.In(staff))
	}
	rows2, err := s.st.R.QueryContext(ctx, `SELECT c.staff_id, c.id, c.kind, s.name, c.start_on, c.end_on, c.description
		FROM cross_school_service c JOIN schools s ON s.id = c.school_id`+c.SQL()+` ORDER BY c.start_on, c.id`, c.Args...)
	if err != nil {
		return nil, err
	}
	defer rows2.Close()
	for rows2.Next() {
		var e ServiceEntry
		var staffID int64
		if err := rows2.Scan(&staffID, &e.ID, &e.Kind, &e.SchoolName, &e.StartOn, &e.EndOn, &e.Description); err != nil {
			return nil, err
		}
		end := e.EndOn
		if end.IsZero() || today.Before(end.Time) {
			end = today
		}
		days := 0
		if !end.Before(e.StartOn.Time) {
			days = w.Clip(e.StartOn, end)
		}
		out[staffID] = append(out[staffID], growth.Entry{Source: "service", Kind: "service." + e.Kind, Title: e.SchoolName, StartOn: e.StartOn, EndOn: e.EndOn,
			Days: days, Outcome: e.Description, Link: "/staff/" + strconv.FormatInt(staffID, 10), CrossSchool: true})
	}
	return out, rows2.Err()
}

// servedTo is the last day an exchange counts: its end, or the return if
// earlier, or today while it is still on.
func servedTo(x Exchange, today store.Date) store.Date {
	end := x.EndOn
	if !x.ReturnedOn.IsZero() && x.ReturnedOn.Before(end.Time) {
		end = x.ReturnedOn
	}
	if (x.Status == Approved || x.Status == Underway) && today.Before(end.Time) {
		end = today
	}
	return end
}
