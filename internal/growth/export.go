package growth

import (
	"context"
	"io"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

var exportCols = []string{"rank", "name", "staff_no", "school", "post", "title", "honours", "cross_school_days", "mentor_pairs",
	"cross_school_pairs", "good_reviews", "score", "flags"}

// Export writes the recommendation list matching f to w as Excel in
// language l (audited, with the caller's query as written).
func (s *Service) Export(ctx context.Context, w io.Writer, a auth.Actor, f Filter, l i18n.Lang, filter string) error {
	rec, err := s.Recommend(ctx, a, f)
	if err != nil {
		return err
	}
	heads := make([]string, len(exportCols))
	for i, c := range exportCols {
		heads[i] = l.T("col.growth."+c, nil)
	}
	t, err := xlsx.NewTable(l.T("export.growth", nil), heads)
	if err != nil {
		return err
	}
	for i, r := range rec.Items {
		flags := make([]string, len(r.Figures.Flags))
		for k, fl := range r.Figures.Flags {
			flags[k] = l.T("code.growth_flag."+fl, nil)
		}
		if err := t.Row(i+1, r.Name, r.StaffNo, r.SchoolName, l.T("code.post."+r.Post, nil), r.Title, r.Honours, r.Figures.CrossSchoolDays,
			r.Figures.MentorPairs, r.Figures.CrossSchoolPairs, r.Figures.GoodReviews, r.Figures.Score, strings.Join(flags, "、")); err != nil {
			return err
		}
	}
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "growth.export", ObjectType: "staff", Detail: map[string]any{"rows": len(rec.Items), "filter": filter}}); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}
