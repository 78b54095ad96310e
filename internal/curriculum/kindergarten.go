package curriculum

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Kindergartens have no subject-hour plan: what is checked is the posted
// 一日活动安排 of each age group against 《幼儿园工作规程》 (教育部令第39号):
// outdoor activity of at least 2 h a day (3 h for boarders), outdoor
// physical activity of at least 1 h, and group activities of about 15 / 20 /
// 25 minutes for 小班 / 中班 / 大班.

// The age groups.
var kgLevels = map[string]int{"small": 0, "middle": 1, "large": 2}

// The kinds of a day's activity. Outdoor physical activity counts toward
// the outdoor time as well.
var kgKinds = map[string]bool{"outdoor": true, "physical": true, "group": true, "meal": true, "nap": true, "free": true, "other": true}

// DayItem is one activity of the day.
type DayItem struct {
	Start string `json:"start"` // HH:MM
	End   string `json:"end"`
	Kind  string `json:"kind" enum:"outdoor,physical,group,meal,nap,free,other"`
	Name  string `json:"name"`
}

// DayInput is an age group's day as the kindergarten posts it; BaseSeq is
// the version read (409 when another was saved since).
type DayInput struct {
	Term     string    `json:"term"`
	Level    string    `json:"level"`
	Boarding bool      `json:"boarding"`
	BaseSeq  int       `json:"base_seq"`
	Items    []DayItem `json:"items"`
}

// DayCheck is one age group's posted day and its findings.
type DayCheck struct {
	Level           string     `json:"level" enum:"small,middle,large"`
	Seq             int        `json:"seq"`
	Boarding        bool       `json:"boarding"`
	PublishedOn     store.Date `json:"published_on"`
	Items           []DayItem  `json:"items"`
	OutdoorMinutes  int        `json:"outdoor_minutes"`
	PhysicalMinutes int        `json:"physical_minutes"`
	Findings        []Finding  `json:"findings"`
}

// KindergartenDay is a kindergarten's days for a term.
type KindergartenDay struct {
	SchoolID   int64        `json:"school_id"`
	SchoolName string       `json:"school_name"`
	Term       string       `json:"term"`
	Rules      Kindergarten `json:"rules"`
	Days       []DayCheck   `json:"days"`
	CanEdit    bool         `json:"can_edit"`
}

// The rules of the kindergarten day.
const (
	RuleKGOutdoor  = "curriculum.kg.outdoor"
	RuleKGPhysical = "curriculum.kg.physical"
	RuleKGActivity = "curriculum.kg.activity"
)

func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// checkDay validates the items (times in order, no overlap) and checks the
// rules: outdoor and physical minutes, the length of each group activity.
func checkDay(rules Kindergarten, level string, boarding bool, items []DayItem) (DayCheck, error) {
	var f errs.Fields
	d := DayCheck{Level: level, Boarding: boarding, Items: items, Findings: []Finding{}}
	li, ok := kgLevels[level]
	if !ok {
		f.Add("level", "curriculum.kg.level", nil)
	}
	if len(items) == 0 || len(items) > 60 {
		f.Add("items", "curriculum.kg.items", errs.Args{"max": 60})
	}
	last := -1
	for i, it := range items {
		field := "items[" + strconv.Itoa(i) + "]"
		a, okA := clock(it.Start)
		b, okB := clock(it.End)
		switch {
		case !okA:
			f.Add(field+".start", "curriculum.kg.time", nil)
		case !okB:
			f.Add(field+".end", "curriculum.kg.time", nil)
		case b <= a:
			f.Add(field+".end", "curriculum.kg.end_before_start", nil)
		case a < last:
			f.Add(field+".start", "curriculum.kg.overlap", nil)
		}
		if !kgKinds[it.Kind] {
			f.Add(field+".kind", "curriculum.kg.kind", nil)
		}
		if len([]rune(it.Name)) > 40 {
			f.Add(field+".name", "field.max", errs.Args{"max": 40})
		}
		if okA && okB && b > a {
			last = b
			n := b - a
			switch it.Kind {
			case "outdoor":
				d.OutdoorMinutes += n
			case "physical":
				d.OutdoorMinutes += n
				d.PhysicalMinutes += n
			case "group":
				if ok && li < len(rules.ActivityMinutes) && n > rules.ActivityMinutes[li] {
					d.Findings = append(d.Findings, Finding{Rule: RuleKGActivity, Class: level, Subject: it.Name, Actual: n, Planned: rules.ActivityMinutes[li], Teachers: []string{}})
				}
			}
		}
	}
	if err := f.Err(); err != nil {
		return d, err
	}
	need := rules.OutdoorMinutes
	if boarding {
		need = rules.BoardingOutdoorMinutes
	}
	if d.OutdoorMinutes < need {
		d.Findings = append(d.Findings, Finding{Rule: RuleKGOutdoor, Class: level, Actual: d.OutdoorMinutes, Minimum: need, Teachers: []string{}})
	}
	if d.PhysicalMinutes < rules.PhysicalMinutes {
		d.Findings = append(d.Findings, Finding{Rule: RuleKGPhysical, Class: level, Actual: d.PhysicalMinutes, Minimum: rules.PhysicalMinutes, Teachers: []string{}})
	}
	return d, nil
}

// Kindergarten reads a kindergarten's posted days for a term, each checked.
func (s *Service) Kindergarten(ctx context.Context, a auth.Actor, schoolID int64, term string) (KindergartenDay, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return KindergartenDay{}, errs.ForbiddenError()
	}
	if term == "" {
		term = TermOf(s.Today())
	}
	if !ValidTerm(term) {
		return KindergartenDay{}, errs.FieldError("term", "curriculum.term", nil)
	}
	ok, err := reaches(ctx, s.st.R, a, auth.PermCurriculumRead, schoolID)
	if err != nil {
		return KindergartenDay{}, err
	}
	if !ok {
		return KindergartenDay{}, errs.NotFoundError("school")
	}
	plan, err := s.planInForce(ctx, s.st.R)
	if err != nil {
		return KindergartenDay{}, err
	}
	out := KindergartenDay{SchoolID: schoolID, Term: term, Rules: plan.Kindergarten, Days: []DayCheck{}}
	if out.SchoolName, err = schoolName(ctx, s.st.R, schoolID); err != nil {
		return out, err
	}
	if out.CanEdit, err = reaches(ctx, s.st.R, a, auth.PermTimetableManage, schoolID); err != nil {
		return out, err
	}
	for _, level := range []string{"small", "middle", "large"} {
		var body string
		var d DayCheck
		err := s.st.R.QueryRowContext(ctx, `SELECT seq, boarding, body, published_on FROM kindergarten_days WHERE school_id = $1 AND term = $2 AND level = $3
			AND published_on <= $4 ORDER BY seq DESC LIMIT 1`, schoolID, term, level, s.Today()).Scan(&d.Seq, &d.Boarding, &body, &d.PublishedOn)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return out, err
		}
		var items []DayItem
		if err := json.Unmarshal([]byte(body), &items); err != nil {
			return out, err
		}
		c, err := checkDay(plan.Kindergarten, level, d.Boarding, items)
		if err != nil {
			return out, err
		}
		c.Seq, c.PublishedOn = d.Seq, d.PublishedOn
		out.Days = append(out.Days, c)
	}
	return out, nil
}

// PostDay publishes an age group's day as the kindergarten's next version.
func (s *Service) PostDay(ctx context.Context, a auth.Actor, schoolID int64, in DayInput) (KindergartenDay, error) {
	if !a.Has(auth.PermTimetableManage) {
		return KindergartenDay{}, errs.ForbiddenError()
	}
	if !ValidTerm(in.Term) {
		return KindergartenDay{}, errs.FieldError("term", "curriculum.term", nil)
	}
	plan := Anhui()
	if _, err := checkDay(plan.Kindergarten, in.Level, in.Boarding, in.Items); err != nil {
		return KindergartenDay{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := reaches(ctx, tx, a, auth.PermTimetableManage, schoolID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFoundError("school")
		}
		var stage string
		if err := tx.QueryRowContext(ctx, `SELECT stage FROM schools WHERE id = $1`, schoolID).Scan(&stage); err != nil {
			return err
		}
		if stage != "preschool" {
			return errs.FieldError("school_id", "curriculum.kg.not_kindergarten", nil)
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM kindergarten_days WHERE school_id = $1 AND term = $2 AND level = $3`,
			schoolID, in.Term, in.Level).Scan(&seq); err != nil {
			return err
		}
		if seq != in.BaseSeq {
			return errs.ConflictError("error.stale_version", nil)
		}
		body, _ := json.Marshal(in.Items)
		if _, err := tx.ExecContext(ctx, `INSERT INTO kindergarten_days (school_id, term, level, seq, boarding, body, published_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, schoolID, in.Term, in.Level, seq+1, in.Boarding, string(body), s.Today(), nullID(a.UserID), store.Now()); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "kindergarten.day", ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
			Detail: map[string]any{"term": in.Term, "level": in.Level, "seq": seq + 1, "boarding": in.Boarding, "items": len(in.Items)}})
	})
	if err != nil {
		return KindergartenDay{}, err
	}
	return s.Kindergarten(ctx, a, schoolID, in.Term)
}
