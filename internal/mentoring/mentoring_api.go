package mentoring

import (
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/web"
)

// API is the mentoring capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

// queryID reads an integer query parameter the router has already checked.
func queryID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

var listQuery = []web.Param{web.Q("status", "string", "").OneOf(Proposed, Active, Declined, Cancelled, Ended),
	web.Q("kind", "string", "").OneOf(KindIntro, KindCollab, KindAdvance), web.Q("group_id", "integer", ""),
	web.Q("school_id", "integer", "mentor's or mentee's school"), web.Q("staff_id", "integer", "as mentor or mentee"),
	web.Q("q", "string", "mentor's or mentee's name contains"), web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")}

// Routes registers the mentoring endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "mentoring"
	s := api.svc
	rt.Handle("GET", "/api/v1/mentoring/pairs", web.Perm(auth.PermMentoringRead), web.Doc{Summary: "Mentoring pairs (结对) in the caller's scope", Tag: tag,
		Query: listQuery, Response: web.List[Pair]{}}, api.list)
	rt.Handle("POST", "/api/v1/mentoring/pairs", web.Perm(auth.PermMentoringManage), web.Doc{Summary: "Propose a pair: the group across its schools, a school inside itself; the eligibility rules are checked",
		Tag: tag, Request: Input{}, Response: Detail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.Create))
	rt.Handle("GET", "/api/v1/mentoring/pairs/{id}", web.Perm(auth.PermMentoringRead), web.Doc{Summary: "One pair with its steps, the caller's actions and the duties of the agreement",
		Tag: tag, Response: Detail{}}, web.ByID(s.Detail))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/confirm", web.Perm(auth.PermMentoringConfirm), web.Doc{Summary: "Confirm the pair as mentor, mentee or a school's principal; the fourth confirmation makes it active",
		Tag: tag, Request: Confirmation{}, Response: Detail{}}, web.ByIDBody(s.Confirm))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/decline", web.Perm(auth.PermMentoringConfirm), web.Doc{Summary: "Decline a proposed pair, with a reason in note",
		Tag: tag, Request: StepInput{}, Response: Detail{}}, web.ByIDBody(s.Decline))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/cancel", web.Perm(auth.PermMentoringManage), web.Doc{Summary: "Withdraw a proposed pair, with a reason in note",
		Tag: tag, Request: StepInput{}, Response: Detail{}}, web.ByIDBody(s.Cancel))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/end", web.Perm(auth.PermMentoringManage), web.Doc{Summary: "End an active pair (出师 or cut short), with a note",
		Tag: tag, Request: StepInput{}, Response: Detail{}}, web.ByIDBody(s.End))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/activities", web.Perm(auth.PermMentoringConfirm), web.Doc{Summary: "Log an activity of an active pair (听课, 示范课, 汇报课, 教案指导 …) as its mentor or mentee; the other confirms it",
		Tag: tag, Request: ActivityInput{}, Response: Activity{}, Status: http.StatusCreated}, web.ByIDBodyStatus(http.StatusCreated, s.LogActivity))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/activities/{activity}/decide", web.Perm(auth.PermMentoringConfirm), web.Doc{Summary: "Confirm, or reject with a reason, an activity the other person of the pair logged",
		Tag: tag, Request: Decision{}, Response: Activity{}}, web.ByIDsBody("activity", http.StatusOK, s.DecideActivity))
	rt.Handle("POST", "/api/v1/mentoring/pairs/{id}/review", web.Perm(auth.PermMentoringConfirm), web.Doc{Summary: "Write one part of the term-end review: the mentee's reflection, the mentor's assessment, or the mentee's school's view and grade",
		Tag: tag, Request: ReviewInput{}, Response: Detail{}}, web.ByIDBody(s.WriteReview))
	rt.Handle("GET", "/api/v1/mentoring/candidates", web.Perm(auth.PermMentoringManage), web.Doc{Summary: "A school's teachers as mentors (those who qualify) or mentees, with the rules' verdict",
		Tag: tag, Query: []web.Param{web.Q("role", "string", "mentor or mentee").OneOf(PartyMentor, PartyMentee), web.Q("school_id", "integer", "")},
		Response: CandidateList{}}, api.candidates)
	rt.Handle("GET", "/api/v1/mentoring/coverage", web.Perm(auth.PermMentoringRead), web.Doc{Summary: "Per member school, the new teachers and whether each has a mentor",
		Tag: tag, Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("school_id", "integer", ""), web.Q("unpaired", "boolean", "only the teachers without a pair")},
		Response: Coverage{}}, api.coverage)
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := Filter{Status: q.Get("status"), Kind: q.Get("kind"), GroupID: queryID(r, "group_id"), SchoolID: queryID(r, "school_id"),
		StaffID: queryID(r, "staff_id"), Q: q.Get("q"), Page: page, Size: size}
	items, total, err := api.svc.List(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Pair]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) candidates(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Candidates(r.Context(), web.Actor(r), r.URL.Query().Get("role"), queryID(r, "school_id"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) coverage(w http.ResponseWriter, r *http.Request) error {
	f := CoverageFilter{GroupID: queryID(r, "group_id"), SchoolID: queryID(r, "school_id"), Unpaired: r.URL.Query().Get("unpaired") == "true"}
	out, err := api.svc.Coverage(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}
