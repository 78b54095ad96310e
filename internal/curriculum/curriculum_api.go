package curriculum

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the curriculum capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

func pathID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return n
}

func queryDate(r *http.Request, name string) (store.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return store.Date{}, nil
	}
	d, err := store.ParseDate(v)
	if err != nil {
		return d, errs.FieldError(name, "field.date", nil)
	}
	return d, nil
}

var termQ = web.Q("term", "string", "e.g. 2026-2027-1; the current term when empty")

// Routes registers the curriculum endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "curriculum"
	s := api.svc
	rt.Handle("GET", "/api/v1/curriculum/plan", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "The curriculum plan in force: national frame, Anhui default, county overlay",
		Tag: tag, Response: PlanView{}}, web.Call(s.Plan))
	rt.Handle("POST", "/api/v1/curriculum/plan/overlay", web.Perm(auth.PermCurriculumPlan), web.Doc{Summary: "Save a new version of the county overlay (基教股); the merged plan must still add up",
		Tag: tag, Request: OverlayInput{}, Response: PlanView{}}, web.Body(http.StatusOK, s.SaveOverlay))
	rt.Handle("GET", "/api/v1/curriculum/timetables", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "Schools in scope with their timetables for a term",
		Tag: tag, Query: []web.Param{termQ, web.Q("group_id", "integer", ""), web.Q("q", "string", "school name contains"),
			web.Q("status", "string", "").OneOf("published", "unpublished", "late"), web.Q("sort", "string", "").OneOf("name", "versions", "last_on"),
			web.Q("order", "string", "").OneOf("asc", "desc"), web.Q("kindergartens", "boolean", "the kindergartens and their daily schedules instead"),
			web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")},
		Response: web.List[TimetableRow]{}}, api.list)
	rt.Handle("GET", "/api/v1/curriculum/timetable/template", web.Perm(auth.PermTimetableManage), web.Doc{Summary: "Excel template of the timetable import (one row per lesson)",
		Tag: tag, Produces: xlsx.ContentType}, api.template)
	rt.Handle("GET", "/api/v1/curriculum/schools/{id}/timetable", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "A school's timetable for a term: the version in force (or seq, or on a day), every version",
		Tag: tag, Query: []web.Param{termQ, web.Q("seq", "integer", "a version"), web.Q("on", "string", "YYYY-MM-DD: the version in force that day")},
		Response: Timetable{}}, api.timetable)
	rt.Handle("POST", "/api/v1/curriculum/schools/{id}/timetable", web.Perm(auth.PermTimetableManage), web.Doc{Summary: "Publish the timetable edited in the grid as the next version",
		Tag: tag, Request: GridInput{}, Response: Timetable{}}, web.ByIDBody(s.Publish))
	rt.Handle("POST", "/api/v1/curriculum/schools/{id}/timetable/import", web.Perm(auth.PermTimetableManage), web.Doc{Summary: "Import and publish a timetable from Excel (multipart field file): all rows or none, errors by cell",
		Tag: tag, Query: []web.Param{termQ}, Response: Version{}, MaxBody: 6 << 20, Upload: "file"}, api.importTimetable)
	rt.Handle("GET", "/api/v1/curriculum/schools/{id}/register", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "The 开齐开足 register of a school: marks √ / +x / −x / 0, findings by rule, responsibility",
		Tag: tag, Query: []web.Param{termQ, web.Q("on", "string", "YYYY-MM-DD: check the version in force that day")}, Response: Register{}}, api.register)
	rt.Handle("GET", "/api/v1/curriculum/schools/{id}/register/export", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "The register as Excel",
		Tag: tag, Query: []web.Param{termQ}, Produces: xlsx.ContentType}, api.exportRegister)
	rt.Handle("POST", "/api/v1/curriculum/schools/{id}/register", web.Perm(auth.PermCurriculumInspect), web.Doc{Summary: "The inspector's responsibility field and note of a register",
		Tag: tag, Request: RecordInput{}, Response: Register{}}, web.ByIDBody(s.SaveRecord))
	rt.Handle("GET", "/api/v1/curriculum/summary", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "The registers rolled up by township, stage, group or school",
		Tag: tag, Query: []web.Param{termQ, web.Q("by", "string", "").OneOf("township", "stage", "group", "school")}, Response: Summary{}}, api.summary)
	rt.Handle("GET", "/api/v1/curriculum/staffing", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "Staffing balance of a group's schools, shortages with candidates, matches, before and after",
		Tag: tag, Query: []web.Param{termQ, web.Q("group_id", "integer", ""), web.Q("school_id", "integer", "")}, Response: Staffing{}}, api.staffing)
	rt.Handle("POST", "/api/v1/curriculum/matches", web.Perm(auth.PermStaffingMatch), web.Doc{Summary: "Propose a teacher with spare lessons for another member school's shortage (走教, 支教, online)",
		Tag: tag, Request: MatchInput{}, Response: Match{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.Propose))
	rt.Handle("POST", "/api/v1/curriculum/matches/{id}/accept", web.Perm(auth.PermStaffingMatch), web.Doc{Summary: "Accept a match for the group or a school; the last acceptance makes the 支教 exchange or the 兼课指导 entry",
		Tag: tag, Request: MatchStep{}, Response: Match{}}, web.ByIDBody(s.Accept))
	rt.Handle("POST", "/api/v1/curriculum/matches/{id}/decline", web.Perm(auth.PermStaffingMatch), web.Doc{Summary: "Decline a match as one of its parties",
		Tag: tag, Request: MatchStep{}, Response: Match{}}, web.ByIDBody(s.Decline))
	rt.Handle("POST", "/api/v1/curriculum/matches/{id}/cancel", web.Perm(auth.PermStaffingMatch), web.Doc{Summary: "Withdraw a match (the group or the proposer)",
		Tag: tag, Request: MatchStep{}, Response: Match{}}, web.ByIDBody(s.Cancel))
	rt.Handle("GET", "/api/v1/curriculum/schools/{id}/kindergarten", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "A kindergarten's posted 一日活动安排 per age group, checked (outdoor, physical, activity length)",
		Tag: tag, Query: []web.Param{termQ}, Response: KindergartenDay{}}, api.kindergarten)
	rt.Handle("POST", "/api/v1/curriculum/schools/{id}/kindergarten", web.Perm(auth.PermTimetableManage), web.Doc{Summary: "Post an age group's daily schedule as the next version",
		Tag: tag, Request: DayInput{}, Response: KindergartenDay{}}, web.ByIDBody(s.PostDay))
	rt.Handle("GET", "/api/v1/curriculum/spot-checks", web.Perm(auth.PermCurriculumRead), web.Doc{Summary: "Spot checks of the schools in scope, newest first",
		Tag: tag, Query: []web.Param{web.Q("school_id", "integer", ""), web.Q("outcome", "string", "").OneOf(SpotMatch, SpotOtherTeacher, SpotOtherSubject, SpotNotOnTimetable, SpotNoTimetable),
			web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")}, Response: web.List[SpotCheck]{}}, api.spots)
	rt.Handle("POST", "/api/v1/curriculum/spot-checks", web.Perm(auth.PermCurriculumInspect), web.Doc{Summary: "Record an unannounced visit; compared with the timetable version in force that day",
		Tag: tag, Request: SpotInput{}, Response: SpotCheck{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.RecordSpot))
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := ListFilter{Term: q.Get("term"), GroupID: queryInt(r, "group_id"), Q: q.Get("q"), Status: q.Get("status"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc",
		Kindergartens: q.Get("kindergartens") == "true", Page: page, Size: size}
	items, total, err := api.svc.List(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[TimetableRow]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func tr(r *http.Request) func(string) string {
	return func(k string) string { return web.T(r, k, nil) }
}

func (api *API) template(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := xlsx.Template(&buf, web.T(r, "export.timetable", nil), TemplateColumns(tr(r))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsx.ContentType)
	w.Header().Set("Content-Disposition", xlsx.AttachmentHeader("timetable-template.xlsx"))
	_, err := w.Write(buf.Bytes())
	return err
}

func (api *API) timetable(w http.ResponseWriter, r *http.Request) error {
	on, err := queryDate(r, "on")
	if err != nil {
		return err
	}
	out, err := api.svc.Timetable(r.Context(), web.Actor(r), pathID(r), TimetableQuery{Term: r.URL.Query().Get("term"), Seq: int(queryInt(r, "seq")), On: on})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) importTimetable(w http.ResponseWriter, r *http.Request) error {
	f, _, err := web.UploadedFile(r, "file", 5<<20)
	if err != nil {
		return err
	}
	defer f.Close()
	term := r.URL.Query().Get("term")
	if term == "" {
		term = TermOf(api.svc.Today())
	}
	v, err := api.svc.Import(r.Context(), web.Actor(r), pathID(r), term, f, tr(r))
	var ie *ImportError
	if errors.As(err, &ie) {
		header := map[string]string{}
		for _, c := range TemplateColumns(tr(r)) {
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
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, v)
}

func (api *API) register(w http.ResponseWriter, r *http.Request) error {
	on, err := queryDate(r, "on")
	if err != nil {
		return err
	}
	out, err := api.svc.Register(r.Context(), web.Actor(r), pathID(r), RegisterQuery{Term: r.URL.Query().Get("term"), On: on})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) exportRegister(w http.ResponseWriter, r *http.Request) error {
	out := web.Attachment(w, xlsx.ContentType, "register-"+strconv.FormatInt(pathID(r), 10)+".xlsx")
	return api.svc.ExportRegister(r.Context(), out, web.Actor(r), pathID(r), RegisterQuery{Term: r.URL.Query().Get("term")}, web.Language(r))
}

func (api *API) summary(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Summary(r.Context(), web.Actor(r), r.URL.Query().Get("term"), r.URL.Query().Get("by"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) staffing(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Staffing(r.Context(), web.Actor(r), StaffingQuery{Term: r.URL.Query().Get("term"), GroupID: queryInt(r, "group_id"), SchoolID: queryInt(r, "school_id")})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) kindergarten(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Kindergarten(r.Context(), web.Actor(r), pathID(r), r.URL.Query().Get("term"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) spots(w http.ResponseWriter, r *http.Request) error {
	page, size := web.Page(r)
	f := SpotFilter{SchoolID: queryInt(r, "school_id"), Outcome: r.URL.Query().Get("outcome"), Page: page, Size: size}
	items, total, err := api.svc.Spots(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[SpotCheck]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}
