package exchange

import (
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the exchange capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

func filterOf(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := Filter{Kind: q.Get("kind"), Status: q.Get("status"), Q: q.Get("q"), Overdue: q.Get("overdue") == "true", Page: page, Size: size}
	for name, dst := range map[string]*int64{"group_id": &f.GroupID, "school_id": &f.SchoolID, "staff_id": &f.StaffID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return f, errs.FieldError(name, "field.type", errs.Args{"type": "integer"})
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*store.Date{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			d, err := store.ParseDate(v)
			if err != nil {
				return f, errs.FieldError(name, "field.date", nil)
			}
			*dst = d
		}
	}
	return f, nil
}

var listQuery = []web.Param{web.Q("kind", "string", "training, study or support"), web.Q("status", "string", ""), web.Q("group_id", "integer", ""),
	web.Q("school_id", "integer", "home or host school"), web.Q("staff_id", "integer", ""), web.Q("from", "string", "overlapping from this date").Date(),
	web.Q("to", "string", "overlapping up to this date").Date(), web.Q("overdue", "boolean", "only overdue returns"), web.Q("q", "string", "name or staff number contains"),
	web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")}

type teamList struct {
	Items []Team `json:"items"`
}

// Routes registers the exchange endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "exchanges"
	s := api.svc
	rt.Handle("GET", "/api/v1/exchanges", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "The exchange ledger (台账) in the caller's scope", Tag: tag,
		Query: listQuery, Response: web.List[Exchange]{}},
		api.list)
	rt.Handle("GET", "/api/v1/exchanges/export", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "The ledger matching the list filters as Excel, with the national exchange columns (audited)",
		Tag: tag, Query: listQuery, Produces: xlsx.ContentType},
		api.export)
	rt.Handle("GET", "/api/v1/exchanges/inbox", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "What waits for the caller (待办), with counts per task", Tag: tag, Response: Inbox{}},
		web.Call(s.Inbox))
	rt.Handle("GET", "/api/v1/exchanges/mentors", web.Perm(auth.PermExchangesApply), web.Doc{Summary: "Teachers of a school of the applicant's group, to pick a mentor", Tag: tag,
		Query: []web.Param{web.Q("school_id", "integer", "the host school")}, Response: MentorList{}},
		api.mentors)
	rt.Handle("POST", "/api/v1/exchanges/check", web.Perm(auth.PermExchangesApply), web.Doc{Summary: "Dry-run the rules for an application", Tag: tag, Request: Input{}, Response: CheckResult{}},
		web.Body(http.StatusOK, s.Check))
	rt.Handle("POST", "/api/v1/exchanges", web.Perm(auth.PermExchangesApply), web.Doc{Summary: "Start an application (a draft)", Tag: tag, Request: Input{}, Response: Detail{}, Status: http.StatusCreated},
		web.Body(http.StatusCreated, s.Create))
	rt.Handle("GET", "/api/v1/exchanges/{id}", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "One exchange with every step, check-in, evaluation and rule check", Tag: tag, Response: Detail{}},
		web.ByID(s.Detail))
	rt.Handle("PATCH", "/api/v1/exchanges/{id}", web.Perm(auth.PermExchangesApply), web.Doc{Summary: "Edit a draft", Tag: tag, Request: DraftInput{}, Response: Detail{}},
		web.ByIDBody(s.Update))

	// The workflow: one POST /api/v1/exchanges/{id}/<step> per step, each answering the Detail.
	action := func(name string, p auth.Permission, summary string, req any, fn web.HandlerFunc) {
		rt.Handle("POST", "/api/v1/exchanges/{id}/"+name, web.Perm(p), web.Doc{Summary: summary, Tag: tag, Request: req, Response: Detail{}}, fn)
	}
	action("submit", auth.PermExchangesApply, "Submit the application: every rule is checked", Step{}, web.ByIDBody(s.Submit))
	action("endorse", auth.PermExchangesEndorse, "Home school endorses with the cover arrangement (party=home), or the host school or group consents (party=host)", Endorsement{}, web.ByIDBody(s.Endorse))
	action("review", auth.PermExchangesReview, "基教股 审核; a 跟岗学习 over the limit needs exception_reason", Review{}, web.ByIDBody(s.Review))
	action("approve", auth.PermExchangesApprove, "干部股 (cadres) or 人事股 (teachers) 审批; the rules are checked again in the same transaction", Step{}, web.ByIDBody(s.Approve))
	action("reject", auth.PermExchangesRead, "Refuse at the current step, with a reason in note", Step{}, web.ByIDBody(s.Reject))
	action("withdraw", auth.PermExchangesApply, "Withdraw before the final approval", Step{}, web.ByIDBody(s.Withdraw))
	action("cancel", auth.PermExchangesApprove, "Cancel an approved exchange, with a reason in note (the supervising section)", Step{}, web.ByIDBody(s.Cancel))
	action("start", auth.PermExchangesRead, "Mark the exchange under way", Step{}, web.ByIDBody(s.Start))
	action("checkins", auth.PermExchangesRead, "Add a check-in (the person) or a supervision note or issue", CheckinInput{}, web.ByIDBody(s.AddCheckin))
	action("return", auth.PermExchangesEndorse, "The home school confirms the return to post", ReturnInput{}, web.ByIDBody(s.Return))
	action("evaluate", auth.PermExchangesRead, "Add the host school's evaluation, the person's summary or the home school's view", EvaluationInput{}, web.ByIDBody(s.Evaluate))

	rt.Handle("GET", "/api/v1/exchange-teams", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "团队进驻 teams in the caller's scope", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", "")}, Response: teamList{}},
		api.teams)
	rt.Handle("POST", "/api/v1/exchange-teams", web.Perm(auth.PermExchangesApply), web.Doc{Summary: "Send a 团队进驻: one 跟岗锻炼 per cadre, all submitted at once", Tag: tag,
		Request: TeamInput{}, Response: TeamDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.CreateTeam))
	rt.Handle("GET", "/api/v1/exchange-teams/{id}", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "One team with its members' exchanges, report and response", Tag: tag,
		Response: TeamDetail{}}, web.ByID(s.TeamDetail))
	rt.Handle("POST", "/api/v1/exchange-teams/{id}/report", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "The team's diagnosis report and suggestions (诊断报告/建议)", Tag: tag,
		Request: TeamReport{}, Response: TeamDetail{}}, web.ByIDBody(s.ReportTeam))
	rt.Handle("POST", "/api/v1/exchange-teams/{id}/response", web.Perm(auth.PermExchangesEndorse), web.Doc{Summary: "The member school's answer to the suggestions", Tag: tag,
		Request: TeamResponse{}, Response: TeamDetail{}}, web.ByIDBody(s.RespondTeam))
	rt.Handle("GET", "/api/v1/staff/{id}/service-record", web.Perm(auth.PermExchangesRead), web.Doc{Summary: "Cross-school service: exchanges, 跨校任职 and 兼课指导 with days and evaluations", Tag: tag,
		Response: ServiceRecord{}}, web.ByID(s.ServiceRecord))
	rt.Handle("POST", "/api/v1/staff/{id}/service-record", web.Perm(auth.PermServiceManage), web.Doc{Summary: "Record 跨校任职 (kind=post) or 兼课指导 (kind=teaching)", Tag: tag,
		Request: ServiceEntryInput{}, Response: ServiceRecord{}, Status: http.StatusCreated}, web.ByIDBodyStatus(http.StatusCreated, s.AddServiceEntry))
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	items, total, err := api.svc.List(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Exchange]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) export(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	out := web.Attachment(w, xlsx.ContentType, "exchanges-"+time.Now().Format("20060102-150405")+".xlsx")
	return api.svc.Export(r.Context(), out, web.Actor(r), f, web.Language(r), r.URL.RawQuery)
}

func (api *API) mentors(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("school_id"), 10, 64)
	out, err := api.svc.Mentors(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) teams(w http.ResponseWriter, r *http.Request) error {
	group, _ := strconv.ParseInt(r.URL.Query().Get("group_id"), 10, 64)
	items, err := api.svc.Teams(r.Context(), web.Actor(r), group)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, teamList{Items: items})
}
