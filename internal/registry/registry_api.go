package registry

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the registry's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

type unmaskRequest struct {
	Reason string `json:"reason"`
}

type recordList struct {
	Items []Record `json:"items"`
}

type eventList struct {
	Items []Event `json:"items"`
}

type overLimitList struct {
	Items []GroupLimits `json:"items"`
}

// Localize words each group's limits.
func (o overLimitList) Localize(l i18n.Lang) {
	for i := range o.Items {
		WordLimits(l, o.Items[i].Limits)
	}
}

type graduationList struct {
	Items []Graduation `json:"items"`
}

type townshipList struct {
	Items []Township `json:"items"`
}

func queryDate(r *http.Request, name string, def store.Date) (store.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := store.ParseDate(v)
	if err != nil {
		return d, errs.FieldError(name, "field.date", nil)
	}
	return d, nil
}

type scopeList struct {
	Items []ScopeOption `json:"items"`
}

func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

var listParams = []web.Param{web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200"), web.Q("sort", "string", "column"),
	web.Q("order", "string", "asc or desc").OneOf("asc", "desc")}

// sortParams are the ordering of a list, which its export follows too.
var sortParams = listParams[2:]

// Routes registers the registry's endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "registry"
	s := api.svc
	rt.Handle("GET", "/api/v1/schools", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Schools in the caller's scope", Tag: tag, Response: web.List[School]{},
		Query: append([]web.Param{web.Q("q", "string", "name or code contains"), web.Q("township", "string", ""), web.Q("stage", "string", ""), web.Q("tier", "string", ""),
			web.Q("urban_rural", "string", ""), web.Q("group_id", "integer", "")}, listParams...)},
		api.listSchools)
	rt.Handle("GET", "/api/v1/schools/{id}", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "One school with campuses, group history and staff summary", Tag: tag, Response: SchoolDetail{}},
		web.ByID(s.SchoolDetail))
	rt.Handle("POST", "/api/v1/schools", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Add a school (the bureau); over a per-campus limit needs override_reason", Tag: tag,
		Request: SchoolInput{}, Response: SchoolDetail{}, Status: http.StatusCreated},
		web.Body(http.StatusCreated, s.CreateSchool))
	rt.Handle("PATCH", "/api/v1/schools/{id}", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Edit a school (a school admin: counts, principal, phone, notes of their own)", Tag: tag,
		Request: SchoolInput{}, Response: SchoolDetail{}},
		web.ByIDBody(s.UpdateSchool))
	rt.Handle("POST", "/api/v1/schools/{id}/campuses", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Add a campus", Tag: tag,
		Request: CampusInput{}, Response: SchoolDetail{}, Status: http.StatusCreated},
		web.ByIDBodyStatus(http.StatusCreated, api.addCampus))
	rt.Handle("PATCH", "/api/v1/schools/{id}/campuses/{campus}", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Edit a campus", Tag: tag,
		Request: CampusInput{}, Response: SchoolDetail{}},
		web.ByIDsBody("campus", http.StatusOK, s.SaveCampus))
	rt.Handle("DELETE", "/api/v1/schools/{id}/campuses/{campus}", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Remove a campus", Tag: tag, Response: SchoolDetail{}},
		web.ByIDs("campus", s.DeleteCampus))
	rt.Handle("GET", "/api/v1/groups", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Education groups in the caller's scope", Tag: tag, Response: web.List[Group]{},
		Query: append([]web.Param{web.Q("q", "string", "name contains"), web.Q("mode", "string", "")}, listParams...)},
		api.listGroups)
	rt.Handle("GET", "/api/v1/groups/{id}", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "One education group with its members and the scale limits it is over", Tag: tag, Response: GroupDetail{}},
		web.ByID(s.GroupDetail))
	rt.Handle("POST", "/api/v1/groups", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "Found a group; its lead school joins as 牵头校 on the founding date", Tag: tag,
		Request: GroupInput{}, Response: GroupDetail{}, Status: http.StatusCreated},
		web.Body(http.StatusCreated, s.CreateGroup))
	rt.Handle("PATCH", "/api/v1/groups/{id}", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "Edit a group (culture, party branch, task force, lead school among its members)", Tag: tag,
		Request: GroupInput{}, Response: GroupDetail{}},
		web.ByIDBody(s.UpdateGroup))
	rt.Handle("POST", "/api/v1/groups/{id}/members", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "A school joins the group on a date (one group per date; over a scale limit needs override_reason)", Tag: tag,
		Request: JoinInput{}, Response: GroupDetail{}, Status: http.StatusCreated},
		web.ByIDBodyStatus(http.StatusCreated, s.Join))
	rt.Handle("POST", "/api/v1/groups/{id}/members/{membership}/leave", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "A school leaves the group on a date: withdrawn, merged or transferred (to_group_id)", Tag: tag,
		Request: LeaveInput{}, Response: GroupDetail{}},
		web.ByIDsBody("membership", http.StatusOK, s.Leave))
	rt.Handle("GET", "/api/v1/groups/{id}/candidates", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "Schools in no group from a date on, that could join this group", Tag: tag,
		Response: web.List[School]{}, Query: []web.Param{web.Q("q", "string", "name or code contains"), web.Q("date", "string", "YYYY-MM-DD, default today").Date(),
			web.Q("page", "integer", "accepted for the school picker; every candidate is listed"), web.Q("page_size", "integer", "accepted for the school picker")}},
		api.candidates)
	rt.Handle("GET", "/api/v1/groups/{id}/timeline", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "The group's history, newest first", Tag: tag, Response: eventList{}},
		web.ByID(api.timeline))
	rt.Handle("GET", "/api/v1/moves", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Every membership change in scope between two dates", Tag: tag, Response: eventList{},
		Query: []web.Param{web.Q("from", "string", "YYYY-MM-DD").Date(), web.Q("to", "string", "YYYY-MM-DD").Date()}},
		api.moves)
	rt.Handle("GET", "/api/v1/groups/over-limit", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Groups in scope over a scale limit of the policy in force today", Tag: tag, Response: overLimitList{}},
		web.Call(api.overLimit))
	rt.Handle("POST", "/api/v1/groups/{id}/graduations", web.Perm(auth.PermGroupsManage), web.Doc{Summary: "Propose that a member graduate (动态孵化), with evidence", Tag: tag,
		Request: GraduationInput{}, Response: Graduation{}, Status: http.StatusCreated},
		web.ByIDBodyStatus(http.StatusCreated, s.ProposeGraduation))
	rt.Handle("GET", "/api/v1/graduations", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Graduation proposals in scope", Tag: tag, Response: graduationList{},
		Query: []web.Param{web.Q("status", "string", "proposed, approved or rejected").OneOf("proposed", "approved", "rejected")}},
		api.graduations)
	rt.Handle("POST", "/api/v1/graduations/{id}/decision", web.Perm(auth.PermGroupsApprove), web.Doc{Summary: "The bureau approves or rejects a graduation", Tag: tag,
		Request: Decision{}, Response: Graduation{}},
		web.ByIDBody(s.DecideGraduation))
	rt.Handle("GET", "/api/v1/coverage", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Share of schools and students in groups on a date, by town/country and stage (county roles)", Tag: tag,
		Response: Coverage{}, Query: []web.Param{web.Q("date", "string", "YYYY-MM-DD, default today").Date()}},
		api.coverage)
	rt.Handle("GET", "/api/v1/townships", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "The county's townships", Tag: tag, Response: townshipList{}},
		web.Call(api.townships))
	rt.Handle("GET", "/api/v1/staff", web.Perm(auth.PermStaffRead), web.Doc{Summary: "Staff in the caller's scope (phone and ID number masked)", Tag: tag, Response: web.List[Staff]{},
		Query: append([]web.Param{web.Q("q", "string", "name or staff number contains"), web.Q("school_id", "integer", ""), web.Q("post", "string", ""), web.Q("status", "string", ""), web.Q("title", "string", "")}, listParams...)},
		api.listStaff)
	rt.Handle("GET", "/api/v1/staff/{id}", web.Perm(auth.PermStaffRead), web.Doc{Summary: "One staff member (masked) with transfers", Tag: tag, Response: StaffDetail{}},
		web.ByID(s.StaffDetail))
	rt.Handle("POST", "/api/v1/staff", web.Perm(auth.PermStaffManage), web.Doc{Summary: "Add a staff member (ID number checked; a duplicate names the existing record)", Tag: tag,
		Request: StaffInput{}, Response: StaffDetail{}, Status: http.StatusCreated},
		web.Body(http.StatusCreated, s.CreateStaff))
	rt.Handle("PATCH", "/api/v1/staff/{id}", web.Perm(auth.PermStaffManage), web.Doc{Summary: "Edit a staff member (the school changes only by transfer)", Tag: tag,
		Request: StaffInput{}, Response: StaffDetail{}},
		web.ByIDBody(s.UpdateStaff))
	rt.Handle("POST", "/api/v1/staff/{id}/transfer", web.Perm(auth.PermStaffManage), web.Doc{Summary: "Move a staff member to another school (personnel section), keeping history", Tag: tag,
		Request: TransferInput{}, Response: StaffDetail{}},
		web.ByIDBody(s.TransferStaff))
	rt.Handle("POST", "/api/v1/staff/{id}/unmask", web.Perm(auth.PermStaffUnmask), web.Doc{Summary: "Full ID number and phone, for a stated reason (audited)", Tag: tag,
		Request: unmaskRequest{}, Response: Unmasked{}},
		web.ByIDBody(api.unmask))
	rt.Handle("GET", "/api/v1/staff/{id}/records", web.Perm(auth.PermRecordsRead), web.Doc{Summary: "Eligibility records (一票否决依据); every view is audited", Tag: tag, Response: recordList{}},
		web.ByID(api.records))
	rt.Handle("POST", "/api/v1/staff/{id}/records", web.Perm(auth.PermRecordsManage), web.Doc{Summary: "Record a finding, a refusal of assignment or sick leave", Tag: tag,
		Request: RecordInput{}, Response: Record{}, Status: http.StatusCreated},
		web.ByIDBodyStatus(http.StatusCreated, s.AddRecord))
	rt.Handle("GET", "/api/v1/schools/export", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Schools matching the list filters as Excel (audited)", Tag: tag,
		Query: append([]web.Param{web.Q("q", "string", ""), web.Q("township", "string", ""), web.Q("stage", "string", ""), web.Q("tier", "string", ""),
			web.Q("urban_rural", "string", ""), web.Q("group_id", "integer", "")}, sortParams...), Produces: xlsx.ContentType},
		api.exportSchools)
	rt.Handle("GET", "/api/v1/staff/export", web.Perm(auth.PermStaffRead), web.Doc{Summary: "Staff matching the list filters as Excel, masked (audited)", Tag: tag,
		Query: append([]web.Param{web.Q("q", "string", ""), web.Q("school_id", "integer", ""), web.Q("post", "string", ""), web.Q("status", "string", ""),
			web.Q("title", "string", "")}, sortParams...), Produces: xlsx.ContentType},
		api.exportStaff)
	rt.Handle("GET", "/api/v1/schools/template", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Excel template for the schools import", Tag: tag, Produces: xlsx.ContentType},
		api.schoolsTemplate)
	rt.Handle("GET", "/api/v1/staff/template", web.Perm(auth.PermStaffManage), web.Doc{Summary: "Excel template for the staff import", Tag: tag, Produces: xlsx.ContentType},
		api.staffTemplate)
	rt.Handle("POST", "/api/v1/schools/import", web.Perm(auth.PermSchoolsManage), web.Doc{Summary: "Import schools from Excel (multipart field file): all rows or none, keyed by school code", Tag: tag,
		Response: ImportResult{}, MaxBody: importLimits.MaxBytes + 1<<20, Upload: "file"},
		api.importSchools)
	rt.Handle("POST", "/api/v1/staff/import", web.Perm(auth.PermStaffManage), web.Doc{Summary: "Import staff from Excel (multipart field file): all rows or none, keyed by ID number", Tag: tag,
		Response: ImportResult{}, MaxBody: importLimits.MaxBytes + 1<<20, Upload: "file"},
		api.importStaff)
	rt.Handle("GET", "/api/v1/scopes", web.Perm(auth.PermRolesManage), web.Doc{Summary: "Groups or schools to pick as a grant's scope", Tag: "users", Response: scopeList{},
		Query: []web.Param{web.Q("type", "string", "group or school").OneOf("group", "school"), web.Q("q", "string", "name contains")}},
		api.scopes)
}

func (api *API) listSchools(w http.ResponseWriter, r *http.Request) error {
	f := schoolFilterOf(r)
	items, total, err := api.svc.ListSchools(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[School]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

// addCampus is SaveCampus of a new campus.
func (api *API) addCampus(ctx context.Context, a auth.Actor, schoolID int64, in CampusInput) (SchoolDetail, error) {
	return api.svc.SaveCampus(ctx, a, schoolID, 0, in)
}

func (api *API) listGroups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	items, total, err := api.svc.ListGroups(r.Context(), web.Actor(r), GroupFilter{Q: q.Get("q"), Mode: q.Get("mode"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, Size: size})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Group]{Items: items, Total: total, Page: page, PageSize: size})
}

func (api *API) candidates(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := queryDate(r, "date", store.Today())
	if err != nil {
		return err
	}
	items, err := api.svc.Candidates(r.Context(), web.Actor(r), id, r.URL.Query().Get("q"), d)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[School]{Items: items, Total: len(items), Page: 1, PageSize: len(items)})
}

func (api *API) timeline(ctx context.Context, a auth.Actor, id int64) (eventList, error) {
	items, err := api.svc.Timeline(ctx, a, id)
	return eventList{items}, err
}

func (api *API) moves(w http.ResponseWriter, r *http.Request) error {
	from, err := queryDate(r, "from", store.Date{})
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to", store.Date{})
	if err != nil {
		return err
	}
	items, err := api.svc.Moves(r.Context(), web.Actor(r), from, to)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, eventList{items})
}

func (api *API) overLimit(ctx context.Context, a auth.Actor) (overLimitList, error) {
	items, err := api.svc.OverLimit(ctx, a)
	return overLimitList{items}, err
}

func (api *API) graduations(w http.ResponseWriter, r *http.Request) error {
	items, err := api.svc.Graduations(r.Context(), web.Actor(r), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, graduationList{items})
}

func (api *API) coverage(w http.ResponseWriter, r *http.Request) error {
	d, err := queryDate(r, "date", store.Today())
	if err != nil {
		return err
	}
	c, err := api.svc.Coverage(r.Context(), web.Actor(r), d)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, c)
}

func (api *API) townships(ctx context.Context, _ auth.Actor) (townshipList, error) {
	items, err := api.svc.Townships(ctx)
	return townshipList{items}, err
}

func (api *API) listStaff(w http.ResponseWriter, r *http.Request) error {
	f := staffFilterOf(r)
	items, total, err := api.svc.ListStaff(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Staff]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) unmask(ctx context.Context, a auth.Actor, id int64, in unmaskRequest) (Unmasked, error) {
	return api.svc.Unmask(ctx, a, id, in.Reason)
}

func (api *API) records(ctx context.Context, a auth.Actor, id int64) (recordList, error) {
	items, err := api.svc.Records(ctx, a, id)
	return recordList{items}, err
}

func (api *API) exportSchools(w http.ResponseWriter, r *http.Request) error {
	out := web.Attachment(w, xlsx.ContentType, "schools-"+time.Now().Format("20060102-150405")+".xlsx")
	return api.svc.ExportSchools(r.Context(), out, web.Actor(r), schoolFilterOf(r), web.Language(r), r.URL.RawQuery)
}

func (api *API) exportStaff(w http.ResponseWriter, r *http.Request) error {
	out := web.Attachment(w, xlsx.ContentType, "staff-"+time.Now().Format("20060102-150405")+".xlsx")
	return api.svc.ExportStaff(r.Context(), out, web.Actor(r), staffFilterOf(r), web.Language(r), r.URL.RawQuery)
}

func (api *API) schoolsTemplate(w http.ResponseWriter, r *http.Request) error {
	return sendTemplate(w, r, "schools", SchoolColumns(tr(r)))
}

func (api *API) staffTemplate(w http.ResponseWriter, r *http.Request) error {
	return sendTemplate(w, r, "staff", StaffColumns(tr(r)))
}

func (api *API) importSchools(w http.ResponseWriter, r *http.Request) error {
	if err := api.svc.ImportAllowed(web.Actor(r), "schools"); err != nil {
		return err
	}
	f, err := uploadedFile(r)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := api.svc.ImportSchools(r.Context(), web.Actor(r), f, tr(r), r.FormValue("override_reason"))
	if err != nil {
		return importError(r, err, SchoolColumns(tr(r)))
	}
	return web.Respond(w, r, http.StatusOK, res)
}

func (api *API) importStaff(w http.ResponseWriter, r *http.Request) error {
	if err := api.svc.ImportAllowed(web.Actor(r), "staff"); err != nil {
		return err
	}
	f, err := uploadedFile(r)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := api.svc.ImportStaff(r.Context(), web.Actor(r), f, tr(r))
	if err != nil {
		return importError(r, err, StaffColumns(tr(r)))
	}
	return web.Respond(w, r, http.StatusOK, res)
}

func (api *API) scopes(w http.ResponseWriter, r *http.Request) error {
	items, err := api.svc.ScopeOptions(r.Context(), web.Actor(r), r.URL.Query().Get("type"), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, scopeList{items})
}

// tr renders catalog keys in the request's language.
func tr(r *http.Request) func(string) string {
	return func(k string) string { return web.T(r, k, nil) }
}

// uploadedFile is the multipart field "file" of an import.
func uploadedFile(r *http.Request) (multipart.File, error) {
	f, _, err := web.UploadedFile(r, "file", importLimits.MaxBytes)
	return f, err
}

func sendTemplate(w http.ResponseWriter, r *http.Request, name string, cols []xlsx.Column) error {
	var buf bytes.Buffer
	if err := xlsx.Template(&buf, web.T(r, "export."+name, nil), cols); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsx.ContentType)
	w.Header().Set("Content-Disposition", xlsx.AttachmentHeader(name+"-template.xlsx"))
	_, err := w.Write(buf.Bytes())
	return err
}

// importError turns a refused file's row problems into one 422 whose
// details name "第5行 · 学校标识码" and say what is wrong there.
func importError(r *http.Request, err error, cols []xlsx.Column) error {
	var ie *ImportError
	if !errors.As(err, &ie) {
		return err
	}
	header := map[string]string{}
	for _, c := range cols {
		header[c.Key] = c.Header
	}
	e := &errs.Error{Code: errs.Invalid, Key: "import.refused", Args: errs.Args{"count": len(ie.Rows)}}
	for _, p := range ie.Rows {
		name := header[p.Field]
		if name == "" {
			name = p.Field
		}
		field := name
		if p.Line > 0 {
			field = web.T(r, "import.row", map[string]any{"line": p.Line}) + " · " + name
		}
		e.Details = append(e.Details, errs.Detail{Field: field, Key: p.Key, Args: p.Args})
	}
	return e
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
