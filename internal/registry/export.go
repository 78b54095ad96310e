package registry

import (
	"context"
	"net/http"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// exportMax bounds one export; a narrower filter gets the rest.
const exportMax = 50000

// label renders a code through the catalog ("code.stage.primary" → 小学),
// leaving it as is when the catalog has no label.
func label(r *http.Request, kind, code string) string {
	key := "code." + kind + "." + code
	if v := web.T(r, key, nil); v != key {
		return v
	}
	return code
}

func yesNo(r *http.Request, b bool) string {
	if b {
		return web.T(r, "code.bool.true", nil)
	}
	return web.T(r, "code.bool.false", nil)
}

func headers(r *http.Request, prefix string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = web.T(r, prefix+k, nil)
	}
	return out
}

var schoolExportCols = []string{"code", "name", "short_name", "township", "stage", "type_code", "urban_rural", "students", "classes", "staff_count", "tier", "is_new", "principal", "status", "group_name", "group_role"}

var staffExportCols = []string{"staff_no", "name", "gender", "school_name", "post", "subject", "title", "honours", "education", "phone", "id_card", "status"}

func (s *Service) recordExport(ctx context.Context, a auth.Actor, what string, n int, r *http.Request) error {
	return s.log.Record(ctx, a.Who(), audit.Entry{Action: what + ".export", ObjectType: what, Detail: map[string]any{"rows": n, "filter": r.URL.RawQuery}})
}

func sendWorkbook(w http.ResponseWriter, t *xlsx.Table, name string) error {
	w.Header().Set("Content-Type", xlsx.ContentType)
	w.Header().Set("Content-Disposition", xlsx.AttachmentHeader(name+"-"+time.Now().Format("20060102-150405")+".xlsx"))
	_, err := t.WriteTo(w)
	return err
}

// ExportSchools writes the schools matching f (in scope) as Excel.
func (s *Service) ExportSchools(w http.ResponseWriter, r *http.Request, a auth.Actor, f SchoolFilter) error {
	f.Page, f.Size = 1, exportMax
	items, _, err := s.ListSchools(r.Context(), a, f)
	if err != nil {
		return err
	}
	t, err := xlsx.NewTable(web.T(r, "export.schools", nil), headers(r, "col.school.", schoolExportCols))
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := t.Row(x.Code, x.Name, x.ShortName, x.Township, label(r, "stage", x.Stage), x.TypeCode, x.UrbanRural, x.Students, x.Classes, x.StaffCount,
			label(r, "tier", x.Tier), yesNo(r, x.IsNew), x.Principal, label(r, "school_status", x.Status), x.GroupName, label(r, "group_role", x.GroupRole)); err != nil {
			return err
		}
	}
	// Recorded before a byte of it leaves.
	if err := s.recordExport(r.Context(), a, "school", len(items), r); err != nil {
		return err
	}
	return sendWorkbook(w, t, "schools")
}

// ExportStaff writes the staff matching f (in scope), masked, as Excel.
func (s *Service) ExportStaff(w http.ResponseWriter, r *http.Request, a auth.Actor, f StaffFilter) error {
	f.Page, f.Size = 1, exportMax
	items, _, err := s.ListStaff(r.Context(), a, f)
	if err != nil {
		return err
	}
	t, err := xlsx.NewTable(web.T(r, "export.staff", nil), headers(r, "col.staff.", staffExportCols))
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := t.Row(x.StaffNo, x.Name, label(r, "gender", x.Gender), x.SchoolName, label(r, "post", x.Post), x.Subject, x.Title, x.Honours,
			label(r, "education", x.Education), x.Phone, x.IDCard, label(r, "staff_status", x.Status)); err != nil {
			return err
		}
	}
	if err := s.recordExport(r.Context(), a, "staff", len(items), r); err != nil {
		return err
	}
	return sendWorkbook(w, t, "staff")
}

func schoolFilterOf(r *http.Request) SchoolFilter {
	q := r.URL.Query()
	page, size := web.Page(r)
	return SchoolFilter{Q: q.Get("q"), Township: q.Get("township"), Stage: q.Get("stage"), Tier: q.Get("tier"), UrbanRural: q.Get("urban_rural"),
		GroupID: queryInt(r, "group_id"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, Size: size}
}

func staffFilterOf(r *http.Request) StaffFilter {
	q := r.URL.Query()
	page, size := web.Page(r)
	return StaffFilter{Q: q.Get("q"), SchoolID: queryInt(r, "school_id"), Post: q.Get("post"), Status: q.Get("status"), Title: q.Get("title"),
		Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, Size: size}
}
