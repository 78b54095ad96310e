package registry

import (
	"context"
	"io"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

// exportMax bounds one export; a narrower filter gets the rest.
const exportMax = 50000

// label renders a code through the catalog ("code.stage.primary" → 小学),
// leaving it as is when the catalog has no label.
func label(l i18n.Lang, kind, code string) string {
	key := "code." + kind + "." + code
	if v := l.T(key, nil); v != key {
		return v
	}
	return code
}

func yesNo(l i18n.Lang, b bool) string {
	if b {
		return l.T("code.bool.true", nil)
	}
	return l.T("code.bool.false", nil)
}

func headers(l i18n.Lang, prefix string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = l.T(prefix+k, nil)
	}
	return out
}

var schoolExportCols = []string{"code", "name", "short_name", "township", "stage", "type_code", "urban_rural", "students", "classes", "staff_count", "tier", "is_new", "principal", "status", "group_name", "group_role"}

var staffExportCols = []string{"staff_no", "name", "gender", "school_name", "post", "subject", "title", "honours", "education", "phone", "id_card", "status"}

// recordExport audits an export; filter is the caller's query as written.
func (s *Service) recordExport(ctx context.Context, a auth.Actor, what string, n int, filter string) error {
	return s.log.Record(ctx, a.Who(), audit.Entry{Action: what + ".export", ObjectType: what, Detail: map[string]any{"rows": n, "filter": filter}})
}

// ExportSchools writes the schools matching f (in scope) to w as Excel in
// language l; filter is the caller's query as written, for the audit record.
func (s *Service) ExportSchools(ctx context.Context, w io.Writer, a auth.Actor, f SchoolFilter, l i18n.Lang, filter string) error {
	f.Page, f.Size = 1, exportMax
	items, _, err := s.ListSchools(ctx, a, f)
	if err != nil {
		return err
	}
	t, err := xlsx.NewTable(l.T("export.schools", nil), headers(l, "col.school.", schoolExportCols))
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := t.Row(x.Code, x.Name, x.ShortName, x.Township, label(l, "stage", x.Stage), x.TypeCode, x.UrbanRural, x.Students, x.Classes, x.StaffCount,
			label(l, "tier", x.Tier), yesNo(l, x.IsNew), x.Principal, label(l, "school_status", x.Status), x.GroupName, label(l, "group_role", x.GroupRole)); err != nil {
			return err
		}
	}
	// Recorded before a byte of it leaves.
	if err := s.recordExport(ctx, a, "school", len(items), filter); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}

// ExportStaff writes the staff matching f (in scope), masked, to w as Excel
// in language l; filter is the caller's query as written, for the audit record.
func (s *Service) ExportStaff(ctx context.Context, w io.Writer, a auth.Actor, f StaffFilter, l i18n.Lang, filter string) error {
	f.Page, f.Size = 1, exportMax
	items, _, err := s.ListStaff(ctx, a, f)
	if err != nil {
		return err
	}
	t, err := xlsx.NewTable(l.T("export.staff", nil), headers(l, "col.staff.", staffExportCols))
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := t.Row(x.StaffNo, x.Name, label(l, "gender", x.Gender), x.SchoolName, label(l, "post", x.Post), x.Subject, x.Title, x.Honours,
			label(l, "education", x.Education), x.Phone, x.IDCard, label(l, "staff_status", x.Status)); err != nil {
			return err
		}
	}
	if err := s.recordExport(ctx, a, "staff", len(items), filter); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}
