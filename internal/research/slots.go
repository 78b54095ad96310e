package research

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Period is one weekday and period of the school week.
type Period struct {
	Weekday int `json:"weekday"`
	Period  int `json:"period"`
}

// FreePeriods is what one school keeps free for research in a term.
type FreePeriods struct {
	SchoolID      int64    `json:"school_id"`
	SchoolName    string   `json:"school_name"`
	Term          string   `json:"term"`
	PeriodsPerDay int      `json:"periods_per_day"`
	Periods       []Period `json:"periods"`
	Published     bool     `json:"published"` // a published timetable governs the school instead
	CanEdit       bool     `json:"can_edit"`
}

func (s *Service) schoolReached(ctx context.Context, q store.Reader, a auth.Actor, perm auth.Permission, school int64) (bool, error) {
	r := a.Reach(perm)
	if a.System || r.School(school) {
		return true, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE school_id = $1 AND left_on IS NULL AND group_id IN (`+inList(r.Groups)+`)`, school).Scan(&n)
	return n > 0, err
}

func inList(ids []int64) string {
	if len(ids) == 0 {
		return "0"
	}
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id64(id)
	}
	return out
}

// FreePeriods reads a school's declared research periods for a term (this
// term when empty).
func (s *Service) FreePeriods(ctx context.Context, a auth.Actor, school int64, term string) (FreePeriods, error) {
	if !a.Has(auth.PermResearchRead) {
		return FreePeriods{}, errs.ForbiddenError()
	}
	if term == "" {
		term = TermOf(s.Today())
	}
	if !validTerm(term) {
		return FreePeriods{}, errs.FieldError("term", "research.term", nil)
	}
	ok, err := s.schoolReached(ctx, s.st.R, a, auth.PermResearchRead, school)
	if err != nil {
		return FreePeriods{}, err
	}
	if !ok {
		return FreePeriods{}, errs.NotFoundError("school")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return FreePeriods{}, err
	}
	out := FreePeriods{SchoolID: school, Term: term, PeriodsPerDay: set.PeriodsPerDay, Periods: []Period{},
		CanEdit: a.Reach(auth.PermResearchSchool).School(school)}
	if err := s.st.R.QueryRowContext(ctx, `SELECT name FROM schools WHERE id = $1`, school).Scan(&out.SchoolName); err != nil {
		return out, notFound(err, "school")
	}
	out.Periods, err = declared(ctx, s.st.R, school, term)
	if err != nil {
		return out, err
	}
	if s.tt != nil {
		_, pub, err := s.tt.SlotLessons(ctx, term, []int64{school}, 1, []int{1})
		if err != nil {
			return out, err
		}
		out.Published = pub[school]
	}
	return out, nil
}

func declared(ctx context.Context, q store.Reader, school int64, term string) ([]Period, error) {
	rows, err := q.QueryContext(ctx, `SELECT weekday, period FROM research_free_periods WHERE school_id = $1 AND term = $2 ORDER BY weekday, period`, school, term)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Period{}
	for rows.Next() {
		var p Period
		if err := rows.Scan(&p.Weekday, &p.Period); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FreePeriodsInput replaces a school's declared research periods for a term.
type FreePeriodsInput struct {
	Term    string   `json:"term"`
	Periods []Period `json:"periods"`
}

// SetFreePeriods replaces the periods a school keeps free for research in a
// term; the school's office declares them.
func (s *Service) SetFreePeriods(ctx context.Context, a auth.Actor, school int64, in FreePeriodsInput) (FreePeriods, error) {
	if !a.Has(auth.PermResearchSchool) && !a.System {
		return FreePeriods{}, errs.ForbiddenError()
	}
	if in.Term == "" {
		in.Term = TermOf(s.Today())
	}
	set, err := s.settings(ctx)
	if err != nil {
		return FreePeriods{}, err
	}
	var f errs.Fields
	if !validTerm(in.Term) {
		f.Add("term", "research.term", nil)
	}
	seen := map[Period]bool{}
	var keep []Period
	for i, p := range in.Periods {
		if p.Weekday < 1 || p.Weekday > 7 {
			f.Add(fmt.Sprintf("periods[%d].weekday", i), "research.weekday", nil)
		}
		if p.Period < 1 || p.Period > set.PeriodsPerDay {
			f.Add(fmt.Sprintf("periods[%d].period", i), "research.period", errs.Args{"max": set.PeriodsPerDay})
		}
		if !seen[p] {
			seen[p] = true
			keep = append(keep, p)
		}
	}
	if err := f.Err(); err != nil {
		return FreePeriods{}, err
	}
	if !a.System && !a.Reach(auth.PermResearchSchool).School(school) {
		return FreePeriods{}, errs.NotFoundError("school")
	}
	sort.Slice(keep, func(i, j int) bool {
		if keep[i].Weekday != keep[j].Weekday {
			return keep[i].Weekday < keep[j].Weekday
		}
		return keep[i].Period < keep[j].Period
	})
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools WHERE id = $1`, school).Scan(&n); err != nil || n == 0 {
			return notFound(sql.ErrNoRows, "school")
		}
		before, err := declared(ctx, tx, school, in.Term)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM research_free_periods WHERE school_id = $1 AND term = $2`, school, in.Term); err != nil {
			return err
		}
		for _, p := range keep {
			if _, err := tx.ExecContext(ctx, `INSERT INTO research_free_periods (school_id, term, weekday, period) VALUES ($1, $2, $3, $4)`,
				school, in.Term, p.Weekday, p.Period); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.free_periods", ObjectType: "school", ObjectID: id64(school),
			Detail: map[string]any{"term": in.Term, "before": before, "after": keep}})
	})
	if err != nil {
		return FreePeriods{}, err
	}
	return s.FreePeriods(ctx, a, school, in.Term)
}

// SchoolSlot is one member school's answer for a slot.
type SchoolSlot struct {
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	// Source is where the answer comes from: the published timetable, or
	// the periods the school declared free (none declared is not free).
	Source    string       `json:"source" enum:"timetable,declared"`
	Free      bool         `json:"free"`
	Missing   []int        `json:"missing"`   // declared path: the slot's periods the school has not kept free
	Conflicts []SlotLesson `json:"conflicts"` // timetable path: the members' lessons at the slot
}

// SlotCheck is a weekly slot checked against every member school.
type SlotCheck struct {
	Term      string       `json:"term"`
	Weekday   int          `json:"weekday"`
	Periods   []int        `json:"periods"`
	Schools   []SchoolSlot `json:"schools"`
	AllFree   bool         `json:"all_free"`
	Conflicts int          `json:"conflicts"` // schools whose teachers are not free
}

// check answers, for each member school of research group g, whether the
// slot is free: a school with a published timetable by its members'
// lessons at the slot (each named), any other by the periods it declared.
func (s *Service) check(ctx context.Context, q store.Reader, g Group, term string, weekday int, periods []int) (SlotCheck, error) {
	out := SlotCheck{Term: term, Weekday: weekday, Periods: periods, Schools: []SchoolSlot{}, AllFree: true}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT m.school_id, sc.name FROM research_members m JOIN schools sc ON sc.id = m.school_id
		WHERE m.research_group_id = $1 ORDER BY sc.name`, g.ID)
	if err != nil {
		return out, err
	}
	var ids []int64
	for rows.Next() {
		var ss SchoolSlot
		if err := rows.Scan(&ss.SchoolID, &ss.SchoolName); err != nil {
			rows.Close()
			return out, err
		}
		ss.Missing, ss.Conflicts = []int{}, []SlotLesson{}
		out.Schools = append(out.Schools, ss)
		ids = append(ids, ss.SchoolID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	var lessons []SlotLesson
	published := map[int64]bool{}
	if s.tt != nil && len(ids) > 0 {
		if lessons, published, err = s.tt.SlotLessons(ctx, term, ids, weekday, periods); err != nil {
			return out, err
		}
	}
	memberSet := map[int64]bool{}
	mr, err := q.QueryContext(ctx, `SELECT staff_id FROM research_members WHERE research_group_id = $1`, g.ID)
	if err != nil {
		return out, err
	}
	for mr.Next() {
		var sid int64
		if err := mr.Scan(&sid); err != nil {
			mr.Close()
			return out, err
		}
		memberSet[sid] = true
	}
	mr.Close()
	inSlot := map[int]bool{}
	for _, p := range periods {
		inSlot[p] = true
	}
	for i := range out.Schools {
		ss := &out.Schools[i]
		if published[ss.SchoolID] {
			ss.Source = "timetable"
			for _, l := range lessons {
				if l.SchoolID == ss.SchoolID && l.Weekday == weekday && inSlot[l.Period] && memberSet[l.StaffID] {
					ss.Conflicts = append(ss.Conflicts, l)
				}
			}
			sort.SliceStable(ss.Conflicts, func(a, b int) bool {
				x, y := ss.Conflicts[a], ss.Conflicts[b]
				if x.Period != y.Period {
					return x.Period < y.Period
				}
				return x.Class < y.Class
			})
			ss.Free = len(ss.Conflicts) == 0
		} else {
			ss.Source = "declared"
			free, err := declared(ctx, q, ss.SchoolID, term)
			if err != nil {
				return out, err
			}
			kept := map[int]bool{}
			for _, p := range free {
				if p.Weekday == weekday {
					kept[p.Period] = true
				}
			}
			for _, p := range periods {
				if !kept[p] {
					ss.Missing = append(ss.Missing, p)
				}
			}
			ss.Free = len(ss.Missing) == 0
		}
		if !ss.Free {
			out.AllFree = false
			out.Conflicts++
		}
	}
	return out, nil
}

// SlotQuery is a slot to check for a research group.
type SlotQuery struct {
	Term    string
	Weekday int
	Periods []int
}

// CheckSlot checks a weekly slot (the research group's own when none is
// given) against every member school.
func (s *Service) CheckSlot(ctx context.Context, a auth.Actor, id int64, sq SlotQuery) (SlotCheck, error) {
	if !a.Has(auth.PermResearchRead) {
		return SlotCheck{}, errs.ForbiddenError()
	}
	g, err := s.getGroup(ctx, s.st.R, a, id)
	if err != nil {
		return SlotCheck{}, err
	}
	if sq.Weekday == 0 && len(sq.Periods) == 0 {
		sq.Weekday, sq.Periods = g.SlotWeekday, g.SlotPeriods
	}
	if sq.Term == "" {
		sq.Term = TermOf(s.Today())
	}
	set, err := s.settings(ctx)
	if err != nil {
		return SlotCheck{}, err
	}
	var f errs.Fields
	if !validTerm(sq.Term) {
		f.Add("term", "research.term", nil)
	}
	periods := checkPeriods(&f, sq.Weekday, sq.Periods, set.PeriodsPerDay, "weekday", "periods")
	if err := f.Err(); err != nil {
		return SlotCheck{}, err
	}
	return s.check(ctx, s.st.R, g, sq.Term, sq.Weekday, periods)
}

// SlotInput sets a research group's weekly slot.
type SlotInput struct {
	Weekday int   `json:"weekday"`
	Periods []int `json:"periods"`
	Version int   `json:"version"`
}

// SlotResult is the research group after its slot was set, with the check.
type SlotResult struct {
	Group GroupDetail `json:"group"`
	Check SlotCheck   `json:"check"`
}

// SetSlot fixes a research group's weekly slot (weekday and periods). The
// slot is saved even where a school is not free — the conflicts are named
// for its office to clear in the timetable.
func (s *Service) SetSlot(ctx context.Context, a auth.Actor, id int64, in SlotInput) (SlotResult, error) {
	if !a.Has(auth.PermResearchManage) && !a.System {
		return SlotResult{}, errs.ForbiddenError()
	}
	set, err := s.settings(ctx)
	if err != nil {
		return SlotResult{}, err
	}
	var f errs.Fields
	periods := checkPeriods(&f, in.Weekday, in.Periods, set.PeriodsPerDay, "weekday", "periods")
	if err := f.Err(); err != nil {
		return SlotResult{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.getGroup(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !manages(a, g.GroupID) {
			return errs.ForbiddenError()
		}
		if g.Version != in.Version {
			return staleVersion()
		}
		res, err := tx.ExecContext(ctx, `UPDATE research_groups SET slot_weekday = $1, slot_periods = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
			in.Weekday, formatPeriods(periods), store.Now(), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleVersion()
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.slot", ObjectType: "research_group", ObjectID: id64(id),
			Detail: map[string]any{"before": map[string]any{"weekday": g.SlotWeekday, "periods": g.SlotPeriods}, "after": map[string]any{"weekday": in.Weekday, "periods": periods}}})
	})
	if err != nil {
		return SlotResult{}, err
	}
	d, err := s.GroupDetail(ctx, a, id)
	if err != nil {
		return SlotResult{}, err
	}
	c, err := s.check(ctx, s.st.R, d.Group, TermOf(s.Today()), in.Weekday, periods)
	return SlotResult{Group: d, Check: c}, err
}

func validTerm(t string) bool {
	var y1, y2, n int
	if _, err := fmt.Sscanf(t, "%d-%d-%d", &y1, &y2, &n); err != nil {
		return false
	}
	return y2 == y1+1 && (n == 1 || n == 2) && fmt.Sprintf("%d-%d-%d", y1, y2, n) == t
}
