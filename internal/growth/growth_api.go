package growth

import (
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the growth records' HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

var windowQuery = []web.Param{web.Q("from", "string", "window start, default the policy's window_years before to").Date(),
	web.Q("to", "string", "window end, default today").Date()}

var recommendQuery = append([]web.Param{web.Q("post", "string", "teacher (人事股) or cadre (干部股)").OneOf("teacher", "cadre"),
	web.Q("school_id", "integer", ""), web.Q("group_id", "integer", "current member schools of the group"),
	web.Q("flagged", "boolean", "only the candidates flagged for the preference"), web.Q("q", "string", "name contains")}, windowQuery...)

// Routes registers the growth endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "growth"
	rt.Handle("GET", "/api/v1/staff/{id}/growth", web.Perm(auth.PermGrowthRead), web.Doc{Summary: "A staff member's growth record (成长档案) in a window: exchanges, cross-school service, mentoring, with the figures they add up to",
		Tag: tag, Query: windowQuery, Response: Record{}}, api.record)
	rt.Handle("GET", "/api/v1/growth/recommendations", web.Perm(auth.PermGrowthRecommend), web.Doc{Summary: "Candidates for titles and awards ranked by cross-school service and mentoring under the policy's weighting (四(三)2)",
		Tag: tag, Query: recommendQuery, Response: Recommendation{}}, api.recommend)
	rt.Handle("GET", "/api/v1/growth/recommendations/export", web.Perm(auth.PermGrowthRecommend), web.Doc{Summary: "The recommendation list as Excel (audited)",
		Tag: tag, Query: recommendQuery, Produces: xlsx.ContentType}, api.export)
}

func queryDate(r *http.Request, name string) store.Date {
	d, _ := store.ParseDate(r.URL.Query().Get(name)) // the router checked the format
	return d
}

func filterOf(r *http.Request) Filter {
	q := r.URL.Query()
	school, _ := strconv.ParseInt(q.Get("school_id"), 10, 64)
	group, _ := strconv.ParseInt(q.Get("group_id"), 10, 64)
	return Filter{Post: q.Get("post"), SchoolID: school, GroupID: group, Flagged: q.Get("flagged") == "true", Q: q.Get("q"),
		From: queryDate(r, "from"), To: queryDate(r, "to")}
}

func (api *API) record(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := api.svc.Record(r.Context(), web.Actor(r), id, queryDate(r, "from"), queryDate(r, "to"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) recommend(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Recommend(r.Context(), web.Actor(r), filterOf(r))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) export(w http.ResponseWriter, r *http.Request) error {
	out := web.Attachment(w, xlsx.ContentType, "recommendations-"+time.Now().Format("20060102-150405")+".xlsx")
	return api.svc.Export(r.Context(), out, web.Actor(r), filterOf(r), web.Language(r), r.URL.RawQuery)
}
