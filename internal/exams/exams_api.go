package exams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the exams capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

type examList struct {
	Items []Exam `json:"items"`
}

func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

// decodeInput reads an exam setup onto the default settings, so the keys a
// client leaves out keep their defaults.
func decodeInput(r *http.Request) (Input, error) {
	in := Input{Spec: analysis.Exam{Settings: analysis.DefaultSettings()}}
	err := web.Decode(r, &in)
	return in, err
}

// Routes registers the exam endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "exams"
	s := api.svc
	rt.Handle("GET", "/api/v1/exams", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Exams the caller may open, newest first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", "exams of this group's schools")}, Response: examList{}},
		api.list)
	rt.Handle("POST", "/api/v1/exams", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Set up an exam: subjects, full marks, lines, settings", Tag: tag,
		Request: Input{}, Response: Detail{}, Status: http.StatusCreated},
		api.create)
	rt.Handle("GET", "/api/v1/exams/gap", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Each member school's gap to its lead school across exams (T units), oldest first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("subject", "string", "default 总分"), web.Q("limit", "integer", "exams, at most 6").Range(1, 100)}, Response: GapView{}},
		api.gap)
	rt.Handle("GET", "/api/v1/exams/{id}", web.Perm(auth.PermExamsRead), web.Doc{Summary: "One exam with its setup and the parts imported per school", Tag: tag, Response: Detail{}},
		web.ByID(s.Get))
	rt.Handle("PATCH", "/api/v1/exams/{id}", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Change an exam's setup; the analysis is recomputed", Tag: tag,
		Request: Input{}, Response: Detail{}},
		api.update)
	rt.Handle("PUT", "/api/v1/exams/{id}/teaching", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Replace the 任课表 of the schools named", Tag: tag,
		Request: TeachingInput{}, Response: TeachingResult{}}, web.ByIDBody(s.SetTeaching))
	rt.Handle("POST", "/api/v1/exams/{id}/preview", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Guess the columns of a score file (multipart field file; optional mapping) and validate it; nothing is stored",
		Tag: tag, Response: Preview{}, MaxBody: s.MaxUpload + 1<<20, Upload: "file"},
		api.preview)
	rt.Handle("POST", "/api/v1/exams/{id}/import", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Import a score file (multipart: file, optional mapping, valid_only=true to store only the valid rows); each school's part replaces its earlier one",
		Tag: tag, Response: Imported{}, MaxBody: s.MaxUpload + 1<<20, Upload: "file"},
		api.importFile)
	rt.Handle("GET", "/api/v1/exams/{id}/value-added", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Value added since an earlier exam of the same students (residual model, n and SE), in the caller's units", Tag: tag,
		Query: []web.Param{web.Q("prev", "integer", "the earlier exam")}, Response: analysis.ValueAddedReport{}},
		api.valueAdded)
	rt.Handle("GET", "/api/v1/exams/{id}/report", web.Perm(auth.PermExamsRead), web.Doc{Summary: "The analysis narrowed to the caller's units: stats per level and subject, distributions, bands, items, settings", Tag: tag,
		Query:    []web.Param{web.Q("level", "string", "exam, group, school, class or teacher"), web.Q("subject", "string", "a subject or 总分"), web.Q("school", "string", "a school code")},
		Response: ReportView{}},
		api.report)
	rt.Handle("GET", "/api/v1/exams/{id}/export", web.Perm(auth.PermExamsRead), web.Doc{Summary: "The caller's part of the report as the printable workbook, one sheet per section (audited)", Tag: tag,
		Query: []web.Param{web.Q("level", "string", ""), web.Q("subject", "string", ""), web.Q("school", "string", "a school code")}, Produces: xlsx.ContentType},
		api.export)
	rt.Handle("GET", "/api/v1/exams/{id}/students", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Students with scores, ranks (class, school, exam) and T, in the caller's units", Tag: tag,
		Query: []web.Param{web.Q("school", "string", "school code"), web.Q("class", "string", ""), web.Q("q", "string", "number or name contains"),
			web.Q("sort", "string", "subject to order by (default 总分)"), web.Q("page", "integer", ""), web.Q("page_size", "integer", "")},
		Response: web.List[StudentRow]{}},
		api.students)
	rt.Handle("GET", "/api/v1/exams/{id}/students/{number}/trend", web.Perm(auth.PermExamsRead), web.Doc{
		Summary: "One student's scores, ranks (with the number ranked), percentile and T across the caller's exams, oldest first, and each subject's percentile change (学生成绩追踪)", Tag: tag,
		Path:     []web.Param{web.Q("number", "string", "student number (考号) in exam {id}")},
		Response: StudentTrendView{}},
		api.studentTrend)
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	items, err := api.svc.List(r.Context(), web.Actor(r), queryInt(r, "group_id"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, examList{Items: items})
}

func (api *API) create(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeInput(r)
	if err != nil {
		return err
	}
	d, err := api.svc.Create(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusCreated, d)
}

func (api *API) gap(w http.ResponseWriter, r *http.Request) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	g, err := api.svc.Gap(r.Context(), web.Actor(r), GapQuery{GroupID: queryInt(r, "group_id"), Subject: r.URL.Query().Get("subject"), Limit: limit})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, g)
}

func (api *API) update(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decodeInput(r)
	if err != nil {
		return err
	}
	d, err := api.svc.Update(r.Context(), web.Actor(r), id, in)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, d)
}

func (api *API) preview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	name, data, m, _, err := upload(r, api.svc.MaxUpload)
	if err != nil {
		return err
	}
	p, err := api.svc.PreviewFile(r.Context(), web.Actor(r), id, name, data, m)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, p)
}

func (api *API) importFile(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	name, data, m, validOnly, err := upload(r, api.svc.MaxUpload)
	if err != nil {
		return err
	}
	res, err := api.svc.ImportFile(r.Context(), web.Actor(r), id, name, data, m, validOnly)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, res)
}

func (api *API) valueAdded(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	va, err := api.svc.ValueAdded(r.Context(), web.Actor(r), id, queryInt(r, "prev"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, va)
}

func reportQuery(r *http.Request) ReportQuery {
	q := r.URL.Query()
	return ReportQuery{Level: q.Get("level"), Subject: q.Get("subject"), School: q.Get("school")}
}

func (api *API) report(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := api.svc.Report(r.Context(), web.Actor(r), id, reportQuery(r))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, v)
}

func (api *API) export(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := api.svc.Export(r.Context(), &buf, web.Actor(r), id, reportQuery(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsx.ContentType)
	w.Header().Set("Content-Disposition", xlsx.AttachmentHeader(fmt.Sprintf("exam-%d-%s.xlsx", id, time.Now().Format("20060102-150405"))))
	_, err = w.Write(buf.Bytes())
	return err
}

func (api *API) students(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, size := web.Page(r)
	items, total, err := api.svc.Students(r.Context(), web.Actor(r), id, StudentQuery{School: q.Get("school"), Class: q.Get("class"), Q: q.Get("q"), Sort: q.Get("sort"), Page: page, Size: size})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[StudentRow]{Items: items, Total: total, Page: page, PageSize: size})
}

func (api *API) studentTrend(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := api.svc.StudentTrend(r.Context(), web.Actor(r), id, r.PathValue("number"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, v)
}

// upload reads the multipart form of an import: the file, and optionally
// the corrected mapping (JSON) and valid_only.
func upload(r *http.Request, limit int64) (string, []byte, *examfile.Mapping, bool, error) {
	f, h, err := web.UploadedFile(r, "file", limit)
	if err != nil {
		return "", nil, nil, false, err
	}
	defer f.Close()
	// The form spilled a big file to a temporary file; it is read once into
	// a buffer of its size (no growing copies).
	data := make([]byte, h.Size)
	if _, err := io.ReadFull(f, data); err != nil {
		return "", nil, nil, false, err
	}
	var m *examfile.Mapping
	if v := r.FormValue("mapping"); v != "" {
		m = &examfile.Mapping{}
		if err := json.Unmarshal([]byte(v), m); err != nil {
			return "", nil, nil, false, errs.FieldError("mapping", "field.json", nil)
		}
	}
	return h.Filename, data, m, r.FormValue("valid_only") == "true", nil
}
