// Package research is 四(四)2 and 五(二) joint teaching research: the
// group's cross-school research groups (教研组 / 备课组) per stage and
// subject with a leader and members from every member school that teaches
// the subject; each research group's weekly slot (时间尽量一致) checked
// against every member school's timetable or, where none is published, the
// periods the school declares free for research; 集体备课 as a flow (初备 by
// the 主备人, comments anchored to sections, a shared plan revised under a
// one-editor lease and versioned, each teacher's 二次备课 on the shared
// version and the 教后反思); and classroom observation against rubrics kept
// as data, with each observer's form and the observers' mean.
package research

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// SlotLesson is one lesson of a published timetable at a weekday and period.
type SlotLesson struct {
	SchoolID int64  `json:"school_id"`
	Class    string `json:"class"`
	StaffID  int64  `json:"staff_id"`
	Teacher  string `json:"teacher"`
	Subject  string `json:"subject"`
	Weekday  int    `json:"weekday"`
	Period   int    `json:"period"`
}

// TimetableSource gives the lessons of published timetables (the curriculum
// capability's, wired in by internal/app; nil leaves every school on its
// declared periods). The map says which of the schools have a published
// timetable for the term.
type TimetableSource interface {
	SlotLessons(ctx context.Context, term string, schoolIDs []int64, weekday int, periods []int) ([]SlotLesson, map[int64]bool, error)
}

// Service keeps the research groups, slots, 集体备课 and observations.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	tt  TimetableSource
	// Today is the calendar date terms are judged on; tests set it.
	Today func() store.Date
	// Now is the clock the edit leases run on; tests set it.
	Now func() time.Time
	// Notices receives the notifications of each step, in its transaction;
	// nil sends none.
	Notices workbench.Poster
}

// NewService wires the research capability.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, Today: store.Today, Now: store.Now}
}

// SetTimetables wires the published timetables the slot check reads; nil
// leaves every school on its declared free periods.
func (s *Service) SetTimetables(tt TimetableSource) { s.tt = tt }

func (s *Service) settings(ctx context.Context) (policy.Research, error) {
	v, err := s.pol.InForce(ctx, s.Today())
	return v.Settings.Research, err
}

// TermOf names the school term a date falls in: 2026-2027-1 from
// September to January, 2026-2027-2 from February to August.
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

// reachClause narrows rows of research group rg (alias) to the actor's
// scope under perm: the county all; a group its own research groups; a
// school those with one of its teachers as member; a person those they are a
// member of.
func reachClause(w *store.Where, a auth.Actor, perm auth.Permission, rg string) {
	r := a.Reach(perm)
	if r.County || a.System {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, rg+".group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, rg+".id IN (SELECT research_group_id FROM research_members WHERE school_id IN "+w.In(r.Schools)+")")
	}
	if r.Self != 0 {
		alts = append(alts, rg+".id IN (SELECT research_group_id FROM research_members WHERE staff_id = "+w.Arg(r.Self)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// manages: the actor runs the research group's school group.
func manages(a auth.Actor, groupID int64) bool {
	return a.System || a.Reach(auth.PermResearchManage).Group(groupID)
}

// self is the actor's staff record as a taking-part member (0 when none).
func self(a auth.Actor) int64 { return a.Reach(auth.PermResearchTakePart).Self }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func id64(id int64) string { return strconv.FormatInt(id, 10) }

// parsePeriods reads "3,4" into sorted, distinct periods 1..maxPeriod.
func parsePeriods(s string) []int {
	out := []int{}
	seen := map[int]bool{}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err == nil && n > 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

func formatPeriods(ps []int) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ",")
}

// checkPeriods validates a weekday and periods for field names prefix.
func checkPeriods(f *errs.Fields, weekday int, periods []int, maxPeriod int, wdField, pField string) []int {
	if weekday < 1 || weekday > 7 {
		f.Add(wdField, "research.weekday", nil)
	}
	if len(periods) == 0 {
		f.Add(pField, "field.required", nil)
	}
	seen := map[int]bool{}
	out := []int{}
	for i, p := range periods {
		if p < 1 || p > maxPeriod {
			f.Add(fmt.Sprintf("%s[%d]", pField, i), "research.period", errs.Args{"max": maxPeriod})
			continue
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Ints(out)
	return out
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundError(what)
	}
	return err
}

func staleVersion() error { return errs.ConflictError("error.stale_version", nil) }

func whoName(a auth.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

func textMax(f *errs.Fields, field, v string, max int, required bool) {
	n := len([]rune(v))
	switch {
	case required && n == 0:
		f.Add(field, "field.required_max", errs.Args{"max": max})
	case n > max:
		f.Add(field, "field.max", errs.Args{"max": max})
	}
}
