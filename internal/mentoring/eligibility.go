package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// The rules a pair is checked against, named in the errors.
const (
	RuleMentorEligible = "mentor_eligible" // honours, or title and teaching years
	RuleMenteeNew      = "mentee_new"      // teaching years ≤ N, or named by the school with a reason
	RuleMaxMentees     = "max_mentees"     // at most K open pairs per mentor
	RuleMenteePaired   = "mentee_paired"   // one open pair per mentee
	RuleSameGroup      = "same_group"      // a cross-school pair is inside one group
)

// TeachingYears is the whole years from hire to on; -1 when the hire date is
// not known.
func TeachingYears(hire, on store.Date) int {
	if hire.IsZero() {
		return -1
	}
	y := on.Year() - hire.Year()
	if on.YearDay() < hire.YearDay() {
		y--
	}
	if y < 0 {
		return 0
	}
	return y
}

var termPattern = regexp.MustCompile(`^(\d{4})-(\d{4})-([12])$`)

// validTerm: "2026-2027-1" is the first term (autumn) of school year
// 2026–2027, "-2" the spring term.
func validTerm(t string) bool {
	m := termPattern.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return b == a+1
}

// TermOf is the term a date falls in: September to January the first term
// of the school year, February to August the second.
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

// person is the registry's view of a mentor or mentee.
type person struct {
	id       int64
	name     string
	schoolID int64
	stage    string
	subject  string
	post     string
	title    string
	honours  string
	hire     store.Date
	status   string
	years    int
}

func (s *Service) person(ctx context.Context, q store.Reader, id int64, field string) (person, error) {
	var p person
	err := q.QueryRowContext(ctx, `SELECT st.id, st.name, st.school_id, sc.stage, st.subject, st.post, st.title, st.honours, st.hire_date, st.status
		FROM staff st JOIN schools sc ON sc.id = st.school_id WHERE st.id = $1`, id).
		Scan(&p.id, &p.name, &p.schoolID, &p.stage, &p.subject, &p.post, &p.title, &p.honours, &p.hire, &p.status)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.FieldError(field, "mentoring.staff_unknown", nil)
	}
	if err != nil {
		return p, err
	}
	p.years = TeachingYears(p.hire, s.Today())
	return p, nil
}

// honourList splits the registry's honours ("学科带头人、骨干教师").
func honourList(h string) []string {
	return strings.FieldsFunc(h, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' })
}

// mentorBasis says why a teacher may mentor under m: the first honour of
// the list they hold, or their title with enough years; "" when none.
func mentorBasis(m policy.Mentoring, p person) string {
	for _, h := range honourList(p.honours) {
		for _, want := range m.MentorHonours {
			if h == want {
				return h
			}
		}
	}
	if p.years >= m.MentorMinYears {
		for _, t := range m.MentorTitles {
			if p.title == t {
				return p.title
			}
		}
	}
	return ""
}

// isNew: a new teacher under m (teaching years known and at most N).
func isNew(m policy.Mentoring, years int) bool { return years >= 0 && years <= m.MenteeMaxYears }

// Candidate is a teacher offered in the pair form, with what the rules say
// about them.
type Candidate struct {
	StaffID    int64  `json:"staff_id"`
	Name       string `json:"name"`
	SchoolID   int64  `json:"school_id"`
	SchoolName string `json:"school_name"`
	Subject    string `json:"subject"`
	Title      string `json:"title"`
	Honours    string `json:"honours"`
	Years      int    `json:"years"`
	// Basis is why a mentor qualifies (an honour or a title), "" when not.
	Basis string `json:"basis"`
	// Eligible: as a mentor, qualifies and has room; as a mentee, is new and
	// has no open pair.
	Eligible bool `json:"eligible"`
	// IsNew: a new teacher (teaching years within the setting).
	IsNew bool `json:"is_new"`
	// Open is the mentor's open pairs, or the mentee's (0 or 1).
	Open int `json:"open"`
}

// CandidateList is the teachers of one school as mentors or mentees.
type CandidateList struct {
	Items      []Candidate `json:"items"`
	MaxMentees int         `json:"max_mentees"`
	MaxYears   int         `json:"mentee_max_years"`
}

// openAsMentor counts the mentor's proposed and active pairs.
func openAsMentor(ctx context.Context, q store.Reader, staffID, except int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM mentoring_pairs WHERE mentor_staff_id = $1 AND status IN ('proposed', 'active') AND id <> $2`,
		staffID, except).Scan(&n)
	return n, err
}

// openAsMentee is the mentee's proposed or active pair, or 0.
func openAsMentee(ctx context.Context, q store.Reader, staffID, except int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM mentoring_pairs WHERE mentee_staff_id = $1 AND status IN ('proposed', 'active') AND id <> $2
		ORDER BY id LIMIT 1`, staffID, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// checkMentor applies the mentor rules to p.
func checkMentor(ctx context.Context, q store.Reader, m policy.Mentoring, p person, except int64) error {
	if p.status != "active" {
		return errs.FieldError("mentor_staff_id", "mentoring.staff_inactive", nil)
	}
	if mentorBasis(m, p) == "" {
		return errs.RuleError(RuleMentorEligible, "mentoring.rule.mentor_eligible", errs.Args{
			"honours": strings.Join(m.MentorHonours, "、"), "titles": strings.Join(m.MentorTitles, "、"), "years": m.MentorMinYears})
	}
	n, err := openAsMentor(ctx, q, p.id, except)
	if err != nil {
		return err
	}
	if n >= m.MaxMentees {
		return errs.RuleError(RuleMaxMentees, "mentoring.rule.max_mentees", errs.Args{"count": n, "limit": m.MaxMentees})
	}
	return nil
}

// checkMentee applies the mentee rules to p; a teacher who is not new may
// be named by the school with a reason.
func checkMentee(ctx context.Context, q store.Reader, m policy.Mentoring, p person, reason string, except int64) error {
	if p.status != "active" {
		return errs.FieldError("mentee_staff_id", "mentoring.staff_inactive", nil)
	}
	if !isNew(m, p.years) && reason == "" {
		return errs.RuleError(RuleMenteeNew, "mentoring.rule.mentee_new", errs.Args{"years": p.years, "limit": m.MenteeMaxYears})
	}
	id, err := openAsMentee(ctx, q, p.id, except)
	if err != nil {
		return err
	}
	if id != 0 {
		return errs.RuleError(RuleMenteePaired, "mentoring.rule.mentee_paired", errs.Args{"id": id})
	}
	return nil
}
