package exams

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/exams/analysis"
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
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := s.List(r.Context(), web.Actor(r), queryInt(r, "group_id"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, examList{Items: items})
		})
	rt.Handle("POST", "/api/v1/exams", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Set up an exam: subjects, full marks, lines, settings", Tag: tag,
		Request: Input{}, Response: Detail{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			in, err := decodeInput(r)
			if err != nil {
				return err
			}
			d, err := s.Create(r.Context(), web.Actor(r), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, d)
		})
	rt.Handle("GET", "/api/v1/exams/gap", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Each member school's gap to its lead school across exams (T units), oldest first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("subject", "string", "default 总分"), web.Q("limit", "integer", "exams, at most 6").Range(1, 100)}, Response: GapView{}},
		func(w http.ResponseWriter, r *http.Request) error {
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			g, err := s.Gap(r.Context(), web.Actor(r), GapQuery{GroupID: queryInt(r, "group_id"), Subject: r.URL.Query().Get("subject"), Limit: limit})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, g)
		})
	rt.Handle("GET", "/api/v1/exams/{id}", web.Perm(auth.PermExamsRead), web.Doc{Summary: "One exam with its setup and the parts imported per school", Tag: tag, Response: Detail{}},
		web.ByID(s.Get))
	rt.Handle("PATCH", "/api/v1/exams/{id}", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Change an exam's setup; the analysis is recomputed", Tag: tag,
		Request: Input{}, Response: Detail{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			in, err := decodeInput(r)
			if err != nil {
				return err
			}
			d, err := s.Update(r.Context(), web.Actor(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, d)
		})
	rt.Handle("PUT", "/api/v1/exams/{id}/teaching", web.Perm(auth.PermExamsManage), web.Doc{Summary: "Replace the 任课表 of the schools named", Tag: tag,
		Request: TeachingInput{}, Response: TeachingResult{}}, web.ByIDBody(s.SetTeaching))
	api.importRoutes(rt, tag)
	rt.Handle("GET", "/api/v1/exams/{id}/value-added", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Value added since an earlier exam of the same students (residual model, n and SE), in the caller's units", Tag: tag,
		Query: []web.Param{web.Q("prev", "integer", "the earlier exam")}, Response: analysis.ValueAddedReport{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			va, err := s.ValueAdded(r.Context(), web.Actor(r), id, queryInt(r, "prev"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, va)
		})
	rt.Handle("GET", "/api/v1/exams/{id}/report", web.Perm(auth.PermExamsRead), web.Doc{Summary: "The analysis narrowed to the caller's units: stats per level and subject, distributions, bands, items, settings", Tag: tag,
		Query:    []web.Param{web.Q("level", "string", "exam, group, school, class or teacher"), web.Q("subject", "string", "a subject or 总分"), web.Q("school", "string", "a school code")},
		Response: ReportView{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			q := r.URL.Query()
			v, err := s.Report(r.Context(), web.Actor(r), id, ReportQuery{Level: q.Get("level"), Subject: q.Get("subject"), School: q.Get("school")})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
	rt.Handle("GET", "/api/v1/exams/{id}/export", web.Perm(auth.PermExamsRead), web.Doc{Summary: "The caller's part of the report as the printable workbook, one sheet per section (audited)", Tag: tag,
		Query: []web.Param{web.Q("level", "string", ""), web.Q("subject", "string", ""), web.Q("school", "string", "a school code")}, Produces: xlsx.ContentType},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			q := r.URL.Query()
			var buf bytes.Buffer
			if err := s.Export(r.Context(), &buf, web.Actor(r), id, ReportQuery{Level: q.Get("level"), Subject: q.Get("subject"), School: q.Get("school")}); err != nil {
				return err
			}
			w.Header().Set("Content-Type", xlsx.ContentType)
			w.Header().Set("Content-Disposition", xlsx.AttachmentHeader(fmt.Sprintf("exam-%d-%s.xlsx", id, time.Now().Format("20060102-150405"))))
			_, err = w.Write(buf.Bytes())
			return err
		})
	rt.Handle("GET", "/api/v1/exams/{id}/students", web.Perm(auth.PermExamsRead), web.Doc{Summary: "Students with scores, ranks (class, school, exam) and T, in the caller's units", Tag: tag,
		Query: []web.Param{web.Q("school", "string", "school code"), web.Q("class", "string", ""), web.Q("q", "string", "number or name contains"),
			web.Q("sort", "string", "subject to order by (default 总分)"), web.Q("page", "integer", ""), web.Q("page_size", "integer", "")},
		Response: web.List[StudentRow]{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			q := r.URL.Query()
			page, size := web.Page(r)
			items, total, err := s.Students(r.Context(), web.Actor(r), id, StudentQuery{School: q.Get("school"), Class: q.Get("class"), Q: q.Get("q"), Sort: q.Get("sort"), Page: page, Size: size})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.List[StudentRow]{Items: items, Total: total, Page: page, PageSize: size})
		})
	rt.Handle("GET", "/api/v1/exams/{id}/students/{number}/trend", web.Perm(auth.PermExamsRead), web.Doc{
		Summary: "One student's scores, ranks (with the number ranked), percentile and T across the caller's exams, oldest first, and each subject's percentile change (学生成绩追踪)", Tag: tag,
		Path:     []web.Param{web.Q("number", "string", "student number (考号) in exam {id}")},
		Response: StudentTrendView{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			v, err := s.StudentTrend(r.Context(), web.Actor(r), id, r.PathValue("number"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
}
