package mentoring

import (
	"context"
	"sort"
	"strings"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// SchoolCoverage is one member school's new teachers and how many have a
// mentor: paired (an active pair), pending (a pair waiting for its
// confirmations) or unpaired.
type SchoolCoverage struct {
	GroupID     int64  `json:"group_id"`
	GroupName   string `json:"group_name"`
	SchoolID    int64  `json:"school_id"`
	SchoolName  string `json:"school_name"`
	Role        string `json:"role" enum:"lead,core,member"`
	NewTeachers int    `json:"new_teachers"`
	Paired      int    `json:"paired"`
	Pending     int    `json:"pending"`
	Unpaired    int    `json:"unpaired"`
	// CrossSchool counts the paired and pending whose mentor is at another
	// school (三(二): 打破各校限制).
	CrossSchool int `json:"cross_school"`
}

// NewTeacher is one new teacher and their mentor, if any.
type NewTeacher struct {
	StaffID          int64  `json:"staff_id"`
	Name             string `json:"name"`
	Subject          string `json:"subject"`
	Years            int    `json:"years"`
	SchoolID         int64  `json:"school_id"`
	SchoolName       string `json:"school_name"`
	GroupID          int64  `json:"group_id"`
	State            string `json:"state" enum:"paired,pending,unpaired"`
	PairID           int64  `json:"pair_id,omitempty"`
	MentorName       string `json:"mentor_name,omitempty"`
	MentorSchoolName string `json:"mentor_school_name,omitempty"`
	CrossSchool      bool   `json:"cross_school"`
}

// Coverage is the new teachers of the member schools in the caller's scope.
type Coverage struct {
	Today          store.Date       `json:"today" openapi:"notnull"`
	MenteeMaxYears int              `json:"mentee_max_years"`
	Schools        []SchoolCoverage `json:"schools"`
	Teachers       []NewTeacher     `json:"teachers"`
}

// CoverageFilter narrows the coverage to a group or a school.
type CoverageFilter struct {
	GroupID  int64
	SchoolID int64
	// Unpaired keeps only the teachers without any pair.
	Unpaired bool
}

// Coverage is, per member school of each group the caller reaches with p
// (mentoring.read for the pages, mentoring.manage for the group's tasks),
// the new teachers and whether each has a mentor.
func (s *Service) Coverage(ctx context.Context, a auth.Actor, f CoverageFilter) (Coverage, error) {
	return s.coverage(ctx, a, auth.PermMentoringRead, f)
}

func (s *Service) coverage(ctx context.Context, a auth.Actor, perm auth.Permission, f CoverageFilter) (Coverage, error) {
	if !a.Has(perm) {
		return Coverage{}, errs.ForbiddenError()
	}
	m, err := s.settings(ctx)
	if err != nil {
		return Coverage{}, err
	}
	today := s.Today()
	out := Coverage{Today: today, MenteeMaxYears: m.MenteeMaxYears, Schools: []SchoolCoverage{}, Teachers: []NewTeacher{}}
	r := a.Reach(perm)
	var w store.Where
	w.Add("gm.left_on IS NULL")
	if !r.County {
		var alts []string
		if len(r.Groups) > 0 {
			alts = append(alts, "gm.group_id IN "+w.In(r.Groups))
		}
		if len(r.Schools) > 0 {
			alts = append(alts, "gm.school_id IN "+w.In(r.Schools))
		}
		if len(alts) == 0 {
			return out, nil // a teacher's own pairs are on the pairs page
		}
		w.Add("(" + strings.Join(alts, " OR ") + ")")
	}
	if f.GroupID != 0 {
		w.Add("gm.group_id = ?", f.GroupID)
	}
	if f.SchoolID != 0 {
		w.Add("gm.school_id = ?", f.SchoolID)
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT gm.group_id, g.name, gm.school_id, sc.name, gm.role FROM group_members gm
		JOIN edu_groups g ON g.id = gm.group_id JOIN schools sc ON sc.id = gm.school_id`+w.SQL()+` ORDER BY g.name, gm.group_id, gm.role DESC, sc.name`, w.Args...)
	if err != nil {
		return out, err
	}
	index := map[int64]int{}
	var ids []int64
	for rows.Next() {
		var c SchoolCoverage
		if err := rows.Scan(&c.GroupID, &c.GroupName, &c.SchoolID, &c.SchoolName, &c.Role); err != nil {
			rows.Close()
			return out, err
		}
		if _, dup := index[c.SchoolID]; dup {
			continue
		}
		index[c.SchoolID] = len(out.Schools)
		out.Schools = append(out.Schools, c)
		ids = append(ids, c.SchoolID)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return out, err
	}
	// Hired after this day: a prefilter, the years are counted exactly below.
	since := store.Date{Time: today.AddDate(-(m.MenteeMaxYears + 1), 0, 0)}
	var t store.Where
	t.Add("st.status = 'active' AND st.post = 'teacher' AND st.hire_date > ?", since)
	t.Add("st.school_id IN " + t.In(ids))
	rows, err = s.st.R.QueryContext(ctx, `SELECT st.id, st.name, st.subject, st.hire_date, st.school_id, sc.name,
		COALESCE(p.id, 0), COALESCE(p.status, ''), COALESCE(ms.name, ''), COALESCE(mh.name, ''), COALESCE(p.mentor_school_id, 0)
		FROM staff st JOIN schools sc ON sc.id = st.school_id
		LEFT JOIN mentoring_pairs p ON p.mentee_staff_id = st.id AND p.status IN ('proposed', 'active')
		LEFT JOIN staff ms ON ms.id = p.mentor_staff_id LEFT JOIN schools mh ON mh.id = p.mentor_school_id`+t.SQL()+` ORDER BY sc.name, st.name, st.id`, t.Args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var n NewTeacher
		var hire store.Date
		var status string
		var mentorSchool int64
		if err := rows.Scan(&n.StaffID, &n.Name, &n.Subject, &hire, &n.SchoolID, &n.SchoolName, &n.PairID, &status, &n.MentorName, &n.MentorSchoolName, &mentorSchool); err != nil {
			return out, err
		}
		n.Years = TeachingYears(hire, today)
		if !isNew(m, n.Years) || seen[n.StaffID] {
			continue
		}
		seen[n.StaffID] = true
		c := &out.Schools[index[n.SchoolID]]
		n.GroupID = c.GroupID
		n.CrossSchool = n.PairID != 0 && mentorSchool != n.SchoolID
		c.NewTeachers++
		switch status {
		case Active:
			n.State = "paired"
			c.Paired++
		case Proposed:
			n.State = "pending"
			c.Pending++
		default:
			n.State = "unpaired"
			c.Unpaired++
		}
		if n.CrossSchool {
			c.CrossSchool++
		}
		if !f.Unpaired || n.State == "unpaired" {
			out.Teachers = append(out.Teachers, n)
		}
	}
	sort.SliceStable(out.Teachers, func(i, j int) bool { return stateRank[out.Teachers[i].State] < stateRank[out.Teachers[j].State] })
	return out, rows.Err()
}

// stateRank lists the unpaired first: they are what the group acts on.
var stateRank = map[string]int{"unpaired": 0, "pending": 1, "paired": 2}
