package research

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"sort"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
	"edugroup/internal/xlsx"
)

// MonthPoint is one month's mean of the observed lessons' scores.
type MonthPoint struct {
	Month   string   `json:"month"`
	Mean    *float64 `json:"mean"`
	Lessons int      `json:"lessons"`
	Gap     *float64 `json:"gap"` // to the lead school's mean that month (negative: behind)
}

// ItemMean is a school's or teacher's mean on one rubric item, as a
// percentage of the item's points.
type ItemMean struct {
	Item string  `json:"item"`
	Name string  `json:"name"`
	Pct  float64 `json:"pct"`
}

// Trend is one school's or teacher's observation scores over time.
type Trend struct {
	ID      int64        `json:"id"`
	Name    string       `json:"name"`
	School  string       `json:"school"`
	IsLead  bool         `json:"is_lead"`
	Lessons int          `json:"lessons"`
	Mean    *float64     `json:"mean"`
	Months  []MonthPoint `json:"months"`
	Items   []ItemMean   `json:"items"`   // every item, weakest first
	Weakest []ItemMean   `json:"weakest"` // the three weakest
}

// Diagnosis is 课堂教学诊断 across a group: each member school's scored
// observations by month against the lead school's, each teacher's, and the
// items where each school is weakest.
type Diagnosis struct {
	GroupID  int64    `json:"group_id"`
	Subject  string   `json:"subject"`
	Months   []string `json:"months"`
	Schools  []Trend  `json:"schools"`
	Teachers []Trend  `json:"teachers"`
}

// DiagnosisFilter narrows the diagnosis.
type DiagnosisFilter struct {
	GroupID int64
	Subject string
}

type sheet struct {
	obs, school, teacher  int64
	schoolName, name, mon string
	lead                  bool
	total                 int
	answers               []Answer
}

// Diagnosis reads the scored observations in scope of one group.
func (s *Service) Diagnosis(ctx context.Context, a auth.Actor, f DiagnosisFilter) (Diagnosis, error) {
	out := Diagnosis{GroupID: f.GroupID, Subject: f.Subject, Months: []string{}, Schools: []Trend{}, Teachers: []Trend{}}
	if !a.Has(auth.PermResearchRead) {
		return out, errs.ForbiddenError()
	}
	if f.GroupID == 0 {
		return out, errs.FieldError("group_id", "field.required", nil)
	}
	var w store.Where
	obsReach(&w, a)
	w.Add("o.group_id = ?", f.GroupID)
	w.Add("x.submitted_at IS NOT NULL")
	w.Add("r.kind = 'scored'")
	if f.Subject != "" {
		w.Add("o.subject = ?", f.Subject)
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT o.id, o.school_id, sc.name, o.teacher_staff_id, st.name, o.observed_on, g.lead_school_id, x.total, x.answers, o.rubric_id
		FROM research_observers x JOIN research_observations o ON o.id = x.observation_id JOIN research_rubrics r ON r.id = o.rubric_id
		JOIN schools sc ON sc.id = o.school_id JOIN staff st ON st.id = o.teacher_staff_id JOIN edu_groups g ON g.id = o.group_id`+w.SQL()+` ORDER BY o.observed_on, o.id`, w.Args...)
	if err != nil {
		return out, err
	}
	var sheets []sheet
	rubrics := map[int64]bool{}
	var rubricIDs []int64
	for rows.Next() {
		var sh sheet
		var on store.Date
		var lead, rid int64
		var raw string
		if err := rows.Scan(&sh.obs, &sh.school, &sh.schoolName, &sh.teacher, &sh.name, &on, &lead, &sh.total, &raw, &rid); err != nil {
			rows.Close()
			return out, err
		}
		sh.lead = lead == sh.school
		sh.mon = on.Format("2006-01")
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &sh.answers); err != nil {
				rows.Close()
				return out, err
			}
		}
		if !rubrics[rid] {
			rubrics[rid] = true
			rubricIDs = append(rubricIDs, rid)
		}
		sheets = append(sheets, sh)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	items := map[string]RubricItem{}
	names := map[string]string{}
	for _, id := range rubricIDs {
		r, err := s.rubric(ctx, s.st.R, id)
		if err != nil {
			return out, err
		}
		for _, d := range r.Tree.Dimensions {
			for _, it := range d.Items {
				items[it.Code] = it
				names[it.Code] = d.Name + " · " + it.Name
			}
		}
	}
	months := map[string]bool{}
	for _, sh := range sheets {
		if !months[sh.mon] {
			months[sh.mon] = true
			out.Months = append(out.Months, sh.mon)
		}
	}
	sort.Strings(out.Months)
	build := func(key func(sheet) int64) []Trend {
		by := map[int64][]sheet{}
		var order []int64
		for _, sh := range sheets {
			k := key(sh)
			if _, ok := by[k]; !ok {
				order = append(order, k)
			}
			by[k] = append(by[k], sh)
		}
		var trends []Trend
		for _, k := range order {
			ss := by[k]
			t := Trend{ID: k, School: ss[0].schoolName, IsLead: ss[0].lead, Months: []MonthPoint{}, Items: []ItemMean{}, Weakest: []ItemMean{}}
			t.Mean, t.Lessons = lessonMean(ss)
			for _, m := range out.Months {
				var in []sheet
				for _, sh := range ss {
					if sh.mon == m {
						in = append(in, sh)
					}
				}
				mean, n := lessonMean(in)
				t.Months = append(t.Months, MonthPoint{Month: m, Mean: mean, Lessons: n})
			}
			sum, cnt := map[string]float64{}, map[string]int{}
			for _, sh := range ss {
				for _, ans := range sh.answers {
					if it, ok := items[ans.Item]; ok && ans.Score != nil && it.Max > 0 {
						sum[ans.Item] += float64(*ans.Score) * 100 / float64(it.Max)
						cnt[ans.Item]++
					}
				}
			}
			for code, n := range cnt {
				t.Items = append(t.Items, ItemMean{Item: code, Name: names[code], Pct: round1(sum[code] / float64(n))})
			}
			sort.Slice(t.Items, func(i, j int) bool {
				if t.Items[i].Pct != t.Items[j].Pct {
					return t.Items[i].Pct < t.Items[j].Pct
				}
				return t.Items[i].Item < t.Items[j].Item
			})
			for i := 0; i < len(t.Items) && i < 3; i++ {
				t.Weakest = append(t.Weakest, t.Items[i])
			}
			trends = append(trends, t)
		}
		return trends
	}
	out.Schools = build(func(sh sheet) int64 { return sh.school })
	for i := range out.Schools {
		for _, sh := range sheets {
			if sh.school == out.Schools[i].ID {
				out.Schools[i].Name = sh.schoolName
				break
			}
		}
	}
	// The gap to the lead school, month by month.
	var lead *Trend
	for i := range out.Schools {
		if out.Schools[i].IsLead {
			lead = &out.Schools[i]
		}
	}
	if lead != nil {
		for i := range out.Schools {
			for m := range out.Schools[i].Months {
				mp, lp := out.Schools[i].Months[m], lead.Months[m]
				if mp.Mean != nil && lp.Mean != nil {
					g := round1(*mp.Mean - *lp.Mean)
					out.Schools[i].Months[m].Gap = &g
				}
			}
		}
	}
	sort.SliceStable(out.Schools, func(i, j int) bool { return out.Schools[i].IsLead && !out.Schools[j].IsLead })
	out.Teachers = build(func(sh sheet) int64 { return sh.teacher })
	for i := range out.Teachers {
		for _, sh := range sheets {
			if sh.teacher == out.Teachers[i].ID {
				out.Teachers[i].Name = sh.name
				break
			}
		}
	}
	if out.Teachers == nil {
		out.Teachers = []Trend{}
	}
	if out.Schools == nil {
		out.Schools = []Trend{}
	}
	return out, nil
}

// lessonMean is the mean over lessons of each lesson's mean of its
// observers' totals.
func lessonMean(ss []sheet) (*float64, int) {
	by := map[int64][]int{}
	for _, sh := range ss {
		by[sh.obs] = append(by[sh.obs], sh.total)
	}
	if len(by) == 0 {
		return nil, 0
	}
	var sum float64
	for _, totals := range by {
		t := 0
		for _, v := range totals {
			t += v
		}
		sum += float64(t) / float64(len(totals))
	}
	m := round1(sum / float64(len(by)))
	return &m, len(by)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// ExportDiagnosis writes the diagnosis as a workbook: the schools by month
// with the gap to the lead school, then the teachers, then each school's
// items, weakest first.
func (s *Service) ExportDiagnosis(ctx context.Context, w io.Writer, a auth.Actor, f DiagnosisFilter, l i18n.Lang) error {
	d, err := s.Diagnosis(ctx, a, f)
	if err != nil {
		return err
	}
	b, err := xlsx.NewBook()
	if err != nil {
		return err
	}
	heads := []string{l.T("research.col.school", nil), l.T("research.col.lead", nil), l.T("research.col.lessons", nil), l.T("research.col.mean", nil)}
	for _, m := range d.Months {
		heads = append(heads, m, m+" "+l.T("research.col.gap", nil))
	}
	if _, err := b.Sheet(l.T("research.sheet.schools", nil), heads); err != nil {
		return err
	}
	num := func(p *float64) any {
		if p == nil {
			return ""
		}
		return *p
	}
	yes := func(v bool) string { return l.T("code.bool."+map[bool]string{true: "true", false: "false"}[v], nil) }
	for _, t := range d.Schools {
		row := []any{t.Name, yes(t.IsLead), t.Lessons, num(t.Mean)}
		for _, m := range t.Months {
			row = append(row, num(m.Mean), num(m.Gap))
		}
		if err := b.Row(row...); err != nil {
			return err
		}
	}
	theads := []string{l.T("research.col.teacher", nil), l.T("research.col.school", nil), l.T("research.col.lessons", nil), l.T("research.col.mean", nil)}
	theads = append(theads, d.Months...)
	if _, err := b.Sheet(l.T("research.sheet.teachers", nil), theads); err != nil {
		return err
	}
	for _, t := range d.Teachers {
		row := []any{t.Name, t.School, t.Lessons, num(t.Mean)}
		for _, m := range t.Months {
			row = append(row, num(m.Mean))
		}
		if err := b.Row(row...); err != nil {
			return err
		}
	}
	if _, err := b.Sheet(l.T("research.sheet.items", nil), []string{l.T("research.col.school", nil), l.T("research.col.item", nil), l.T("research.col.pct", nil)}); err != nil {
		return err
	}
	for _, t := range d.Schools {
		for _, it := range t.Items {
			if err := b.Row(t.Name, it.Name, it.Pct); err != nil {
				return err
			}
		}
	}
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "research.diagnosis_export", ObjectType: "edu_group", ObjectID: id64(f.GroupID),
		Detail: map[string]any{"schools": len(d.Schools), "teachers": len(d.Teachers), "subject": f.Subject}}); err != nil {
		return err
	}
	_, err = b.WriteTo(w)
	return err
}
