package exchange

import (
	"context"
	"database/sql"
	"errors"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// The rule ids of 五(四), as they appear in details[].rule of a refusal.
const (
	RuleDurationMax   = "duration_max"
	RuleDurationMin   = "duration_min" // 支教: its own minimum term
	RuleSameGroup     = "same_group"
	RuleCadreOnly     = "cadre_only"
	RuleQuotaCadre    = "quota_cadre"
	RuleQuotaTeacher  = "quota_teacher"
	RuleCooldown      = "cooldown"
	RuleVetoEthics    = "veto_ethics"
	RuleVetoRefusal   = "veto_insubordination"
	RuleVetoSickLeave = "veto_sick_leave"
	RuleOverlap       = "overlap"
	// RuleVeto is the one-vote veto as a viewer who may not read the
	// person's eligibility records sees it: that a veto applies, not which.
	RuleVeto = "veto"
)

// The verdicts of a check.
const (
	Pass    = "pass"
	Fail    = "fail"
	Pending = "pending" // 跟岗学习 over the limit: needs the 基教股 reviewer's written exception
	Granted = "granted" // over the limit with the reviewer's exception on record
)

// Check is one rule's verdict on an exchange, with the numbers involved.
type Check struct {
	Rule    string    `json:"rule"`
	Result  string    `json:"result" enum:"pass,fail,pending,granted"`
	Message string    `json:"message"`
	Key     string    `json:"-"`
	Args    errs.Args `json:"args,omitempty"`
}

// word fills each check's message in l.
func word(l i18n.Lang, cs []Check) {
	for i := range cs {
		cs[i].Message = l.T(cs[i].Key, cs[i].Args)
	}
}

// Localize words the rule checks in l.
func (d Detail) Localize(l i18n.Lang) { word(l, d.Checks) }

// Localize words the rule checks in l.
func (c CheckResult) Localize(l i18n.Lang) { word(l, c.Checks) }

// Stages at which rules run: what a pending exception means depends on it.
const (
	stageApply  = iota // check, create, submit, endorse: an exception may still come
	stageReview        // the reviewer must grant it now or refuse
	stageFinal         // approval: only a recorded exception passes
)

// subject is what the rules judge.
type subject struct {
	id              int64 // 0 for a draft not yet saved
	kind            string
	staffID         int64
	isCadre         bool
	homeSchoolID    int64
	hostSchoolID    int64
	start, end      store.Date
	applied         store.Date // the application date, from which the cooldown counts
	exceptionReason string
}

// verdict is the outcome of every rule for a subject.
type verdict struct {
	checks  []Check
	groupID int64 // the home school's group on the start date (0: none)
}

// failed turns the failing checks into one 422 naming each rule.
func (v verdict) failed() error {
	e := &errs.Error{Code: errs.Rule, Key: "error.rule"}
	for _, c := range v.checks {
		if c.Result == Fail {
			e.Details = append(e.Details, errs.Detail{Rule: c.Rule, Key: c.Key, Args: c.Args})
		}
	}
	if len(e.Details) == 0 {
		return nil
	}
	return e
}

func pass(rule string, args errs.Args) Check {
	return Check{Rule: rule, Result: Pass, Key: "exchange.ok." + rule, Args: args}
}

func fail(rule string, args errs.Args) Check {
	return Check{Rule: rule, Result: Fail, Key: "exchange.rule." + rule, Args: args}
}

func verdictOf(ok bool, rule string, args errs.Args) Check {
	if ok {
		return pass(rule, args)
	}
	return fail(rule, args)
}

// judge runs every rule of the policy version in force on the start date,
// as viewer a may see the verdict. q is the transaction when the verdict
// decides a step, so the quota and overlap counts are the ones the step
// commits against.
//
// Every rule result that leaves the package comes from here (details, dry
// runs, refusals), so this is where the one-vote veto is narrowed: which
// clause applies is an ethics finding or sick leave (PIPL art. 28), for the
// person and those who may read their eligibility records only.
func (s *Service) judge(ctx context.Context, q querier, a auth.Actor, x subject, stage int) (verdict, error) {
	v, err := s.judgeAll(ctx, q, x, stage)
	if err != nil {
		return v, err
	}
	sees, err := seesVetoes(ctx, q, a, x.staffID)
	if err != nil {
		return v, err
	}
	if !sees {
		v.checks = neutralVeto(v.checks)
	}
	return v, nil
}

func isVeto(rule string) bool {
	return rule == RuleVetoEthics || rule == RuleVetoRefusal || rule == RuleVetoSickLeave
}

// neutralVeto folds the veto checks into one RuleVeto check, in the place of
// the first, that fails when any of them fails. It carries no clause and no
// numbers; the other rules are kept as they are.
func neutralVeto(checks []Check) []Check {
	out := make([]Check, 0, len(checks))
	at, failed := -1, false
	for _, c := range checks {
		if !isVeto(c.Rule) {
			out = append(out, c)
			continue
		}
		failed = failed || c.Result != Pass
		if at < 0 {
			at = len(out)
			out = append(out, Check{})
		}
	}
	if at >= 0 {
		out[at] = verdictOf(!failed, RuleVeto, nil)
	}
	return out
}

// seesVetoes: who may learn which veto applies to a person — the person
// themselves, and whoever holds records.read over the person's school (as
// registry.Records decides it: a county grant, a grant on the school, or on
// the group it belongs to now).
func seesVetoes(ctx context.Context, q querier, a auth.Actor, staffID int64) (bool, error) {
	if a.System || (a.StaffID != 0 && a.StaffID == staffID) {
		return true, nil
	}
	r := a.Reach(auth.PermRecordsRead)
	if r.None() {
		return false, nil
	}
	var school int64
	err := q.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, staffID).Scan(&school)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if r.School(school) || len(r.Groups) == 0 {
		return r.School(school), nil
	}
	groups, err := registry.CurrentGroups(ctx, q, school)
	if err != nil {
		return false, err
	}
	return r.SchoolIn(school, groups...), nil
}

// judgeAll runs every rule with nothing narrowed; only judge calls it.
func (s *Service) judgeAll(ctx context.Context, q querier, x subject, stage int) (verdict, error) {
	var v verdict
	if x.applied.IsZero() {
		x.applied = s.Today() // a draft: judged as if applied today
	}
	pv, err := s.pol.InForce(ctx, x.start)
	if err != nil {
		return v, err
	}
	set := pv.Settings.Exchange
	days := Days(x.start, x.end)
	add := func(c Check) { v.checks = append(v.checks, c) }

	// duration_max / duration_min
	switch x.kind {
	case KindTraining:
		add(verdictOf(days <= set.TrainingMaxDays, RuleDurationMax, errs.Args{"days": days, "limit": set.TrainingMaxDays}))
	case KindStudy:
		args := errs.Args{"days": days, "limit": set.StudyMaxDays}
		switch {
		case days <= set.StudyMaxDays:
			add(pass(RuleDurationMax, args))
		case x.exceptionReason != "":
			args["reason"] = x.exceptionReason
			add(Check{Rule: RuleDurationMax, Result: Granted, Key: "exchange.granted.duration_max", Args: args})
		case stage == stageApply:
			add(Check{Rule: RuleDurationMax, Result: Pending, Key: "exchange.pending.duration_max", Args: args})
		default:
			add(fail(RuleDurationMax, args))
		}
	case KindSupport:
		add(verdictOf(days >= set.SupportMinDays, RuleDurationMin, errs.Args{"days": days, "limit": set.SupportMinDays}))
	}

	// same_group: both schools in one group on the start date; 跟岗锻炼 goes
	// from the lead/core school to a member school.
	homeGroup, homeRole, err := membership(ctx, q, x.homeSchoolID, x.start)
	if err != nil {
		return v, err
	}
	hostGroup, hostRole, err := membership(ctx, q, x.hostSchoolID, x.start)
	if err != nil {
		return v, err
	}
	v.groupID = homeGroup
	args := errs.Args{"date": x.start.String()}
	switch {
	case homeGroup == 0 || hostGroup != homeGroup:
		add(fail(RuleSameGroup, args))
	case x.homeSchoolID == x.hostSchoolID:
		add(Check{Rule: RuleSameGroup, Result: Fail, Key: "exchange.rule.same_school", Args: args})
	case x.kind == KindTraining && (homeRole == "member" || hostRole != "member"):
		add(Check{Rule: RuleSameGroup, Result: Fail, Key: "exchange.rule.training_direction", Args: args})
	default:
		add(pass(RuleSameGroup, args))
	}

	// cadre_only
	if x.kind == KindTraining {
		add(verdictOf(x.isCadre, RuleCadreOnly, nil))
	}

	// quota_cadre / quota_teacher: 跟岗学习 of one group, approved or under
	// way, on any single day of this exchange.
	if x.kind == KindStudy && homeGroup != 0 {
		rule, limit := RuleQuotaTeacher, set.QuotaTeacher
		if x.isCadre {
			rule, limit = RuleQuotaCadre, set.QuotaCadre
		}
		peak, day, err := peakLoad(ctx, q, homeGroup, x)
		if err != nil {
			return v, err
		}
		args := errs.Args{"limit": limit, "count": peak}
		if peak >= limit {
			args["date"] = day.String()
		}
		add(verdictOf(peak < limit, rule, args))
	}

	// cooldown: no new application within N years after the previous ended.
	if x.kind == KindTraining || x.kind == KindStudy {
		var last store.Date
		err := q.QueryRowContext(ctx, `SELECT max(end_on) FROM exchanges WHERE staff_id = $1 AND kind IN ('training', 'study')
			AND status IN ('approved', 'underway', 'returned', 'closed') AND id <> $2`, x.staffID, x.id).Scan(&last)
		if err != nil {
			return v, err
		}
		args := errs.Args{"years": set.CooldownYears}
		ok := true
		if !last.IsZero() {
			until := store.Date{Time: last.AddDate(set.CooldownYears, 0, 0)}
			args["ended"], args["until"] = last.String(), until.String()
			ok = !x.applied.Before(until.Time)
		}
		add(verdictOf(ok, RuleCooldown, args))
	}

	// The one-vote veto: the clause, never the record behind it (judge
	// narrows it further to the viewers who may read the records).
	if x.kind == KindTraining || x.kind == KindStudy {
		clause := func(code string) errs.Args {
			for _, r := range set.VetoReasons {
				if r.Code == code {
					return errs.Args{"clause": r.Label}
				}
			}
			return errs.Args{"clause": code}
		}
		today := s.Today()
		since := store.Date{Time: today.AddDate(0, -set.VetoLookbackMonths, 0)}
		var ethics, refusals, sick int
		err := q.QueryRowContext(ctx, `SELECT
			COALESCE(sum(CASE WHEN kind IN ('ethics', 'paid_tutoring') AND effective_from <= $2 AND (effective_to IS NULL OR effective_to >= $2) THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN kind = 'refusal' AND occurred_on > $3 THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN kind = 'sick_leave' AND occurred_on > $3 THEN days ELSE 0 END), 0)
			FROM eligibility_records WHERE staff_id = $1`, x.staffID, today, since).Scan(&ethics, &refusals, &sick)
		if err != nil {
			return v, err
		}
		add(verdictOf(ethics == 0, RuleVetoEthics, clause("ethics")))
		add(verdictOf(refusals == 0, RuleVetoRefusal, clause("insubordination")))
		a := clause("sick_leave")
		a["limit"], a["months"] = set.SickLeaveVetoDays, set.VetoLookbackMonths
		add(verdictOf(sick <= set.SickLeaveVetoDays, RuleVetoSickLeave, a))
	}

	// overlap: one person, one exchange at a time.
	var other int64
	err = q.QueryRowContext(ctx, `SELECT id FROM exchanges WHERE staff_id = $1 AND id <> $2
		AND status IN ('submitted', 'endorsed', 'reviewed', 'approved', 'underway') AND start_on <= $3 AND end_on >= $4 ORDER BY id LIMIT 1`,
		x.staffID, x.id, x.end, x.start).Scan(&other)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return v, err
	}
	add(verdictOf(other == 0, RuleOverlap, errs.Args{"id": other}))
	return v, nil
}

// membership is the group and role of a school on a date (0 when in none),
// as the registry keeps it.
func membership(ctx context.Context, q querier, schoolID int64, on store.Date) (int64, string, error) {
	return registry.MembershipOn(ctx, q, schoolID, on)
}

// peakLoad is the most exchanges of the subject's kind of person (cadre or
// teacher) of the group in 跟岗学习 on one day of the subject's period, and
// the first day it is reached.
func peakLoad(ctx context.Context, q querier, groupID int64, x subject) (int, store.Date, error) {
	rows, err := q.QueryContext(ctx, `SELECT start_on, end_on FROM exchanges WHERE group_id = $1 AND kind = 'study' AND is_cadre = $2
		AND status IN ('approved', 'underway') AND start_on <= $3 AND end_on >= $4 AND id <> $5`, groupID, x.isCadre, x.end, x.start, x.id)
	if err != nil {
		return 0, store.Date{}, err
	}
	defer rows.Close()
	type span struct{ a, b store.Date }
	var spans []span
	for rows.Next() {
		var sp span
		if err := rows.Scan(&sp.a, &sp.b); err != nil {
			return 0, store.Date{}, err
		}
		spans = append(spans, sp)
	}
	if err := rows.Err(); err != nil {
		return 0, store.Date{}, err
	}
	peak, at := 0, x.start
	for d := x.start; !d.After(x.end.Time); d = (store.Date{Time: d.AddDate(0, 0, 1)}) {
		n := 0
		for _, sp := range spans {
			if !d.Before(sp.a.Time) && !d.After(sp.b.Time) {
				n++
			}
		}
		if n > peak {
			peak, at = n, d
		}
	}
	return peak, at, nil
}

// settings reads the exchange settings in force on a date.
func (s *Service) settings(ctx context.Context, on store.Date) (policy.Exchange, error) {
	v, err := s.pol.InForce(ctx, on)
	return v.Settings.Exchange, err
}
