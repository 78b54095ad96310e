package curriculum

import (
	"context"
	"io"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

// ExportRegister writes a school's register as Excel in the county form's
// layout: one row per subject with each class's mark, the specialists, then
// the findings and the responsibility field.
func (s *Service) ExportRegister(ctx context.Context, w io.Writer, a auth.Actor, schoolID int64, rq RegisterQuery, l i18n.Lang) error {
	r, err := s.Register(ctx, a, schoolID, rq)
	if err != nil {
		return err
	}
	heads := []string{l.T("curriculum.col.subject", nil)}
	for _, c := range r.Classes {
		heads = append(heads, c.Name)
	}
	heads = append(heads, l.T("curriculum.col.specialists", nil))
	t, err := xlsx.NewTable(l.T("export.curriculum_register", nil), heads)
	if err != nil {
		return err
	}
	for _, row := range r.Rows {
		vals := []any{row.Subject}
		for _, c := range row.Cells {
			m := c.Mark
			if c.Unqualified > 0 {
				m += " (" + l.T("curriculum.unqualified_short", map[string]any{"n": c.Unqualified}) + ")"
			}
			vals = append(vals, m)
		}
		vals = append(vals, row.Specialists)
		if err := t.Row(vals...); err != nil {
			return err
		}
	}
	if err := t.Row(); err != nil {
		return err
	}
	for _, f := range r.Findings {
		args := map[string]any{"class": f.Class, "grade": f.Grade, "subject": f.Subject, "planned": f.Planned, "actual": f.Actual,
			"minimum": f.Minimum, "lessons": f.Lessons, "teachers": strings.Join(f.Teachers, "、")}
		if err := t.Row(l.T(f.Rule, args)); err != nil {
			return err
		}
	}
	resp := ""
	if r.Responsibility != "" {
		resp = l.T("code.curriculum_responsibility."+r.Responsibility, nil)
	}
	if err := t.Row(l.T("curriculum.col.responsibility", nil), resp, l.T("curriculum.col.inspector", nil), r.Inspector, r.Note); err != nil {
		return err
	}
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "curriculum.register_export", ObjectType: "school", ObjectID: strconv.FormatInt(schoolID, 10),
		Detail: map[string]any{"term": r.Term}}); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}
