package planning

import (
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/web"
)

// API is the planning capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

// Routes registers the term plan endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "planning"
	s := api.svc
	read, manage, submit := web.Perm(auth.PermPlansRead), web.Perm(auth.PermPlansManage), web.Perm(auth.PermPlansSubmit)
	rt.Handle("GET", "/api/v1/plan-rounds", read, web.Doc{Summary: "Plan rounds (计划共融) in the caller's scope, newest term first", Tag: tag, Response: RoundList{}},
		web.Call(s.Rounds))
	rt.Handle("GET", "/api/v1/plan-rounds/template", manage, web.Doc{Summary: "What a new round of a group starts from: its template, term, deadline and member schools", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", "the group")}, Response: TemplateAnswer{}}, api.template)
	rt.Handle("POST", "/api/v1/plan-rounds", manage, web.Doc{Summary: "Open a plan round for a term: template, deadline and the schools that must submit", Tag: tag,
		Request: RoundInput{}, Response: RoundDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.Open))
	rt.Handle("GET", "/api/v1/plan-rounds/{id}", read, web.Doc{Summary: "One round with its status board (the own school only, for a school)", Tag: tag,
		Response: RoundDetail{}}, web.ByID(s.RoundDetail))
	rt.Handle("GET", "/api/v1/plan-rounds/{id}/plans/{school}", read, web.Doc{Summary: "A school's plan with its versions and what changed since the previous one", Tag: tag,
		Response: PlanDetail{}}, web.ByIDs("school", s.PlanDetail))
	rt.Handle("PUT", "/api/v1/plan-rounds/{id}/plans/{school}", submit, web.Doc{Summary: "Save the school's draft (version 0 for the first save)", Tag: tag,
		Request: PlanInput{}, Response: PlanDetail{}}, web.ByIDsBody("school", http.StatusOK, s.SavePlan))
	rt.Handle("POST", "/api/v1/plan-rounds/{id}/plans/{school}/submit", submit, web.Doc{Summary: "Submit the saved plan to the group; the version is kept", Tag: tag,
		Request: Step{}, Response: PlanDetail{}}, web.ByIDsBody("school", http.StatusOK, s.SubmitPlan))
	rt.Handle("POST", "/api/v1/plan-rounds/{id}/plans/{school}/review", manage, web.Doc{Summary: "Accept a submitted plan, or return it with a comment", Tag: tag,
		Request: ReviewInput{}, Response: PlanDetail{}}, web.ByIDsBody("school", http.StatusOK, s.ReviewPlan))
	rt.Handle("GET", "/api/v1/plan-rounds/{id}/group-plan", read, web.Doc{Summary: "The group plan: the live compilation for the group, the published plan for a member school", Tag: tag,
		Response: GroupPlan{}}, web.ByID(s.GroupPlan))
	rt.Handle("PUT", "/api/v1/plan-rounds/{id}/group-plan", manage, web.Doc{Summary: "Save the group's own items and the edited text", Tag: tag,
		Request: GroupPlanInput{}, Response: GroupPlan{}}, web.ByIDBody(s.SaveGroupPlan))
	rt.Handle("POST", "/api/v1/plan-rounds/{id}/group-plan/compile", manage, web.Doc{Summary: "Replace the text with the draft compiled from the accepted plans and the group's items", Tag: tag,
		Request: Step{}, Response: GroupPlan{}}, api.compile)
	rt.Handle("POST", "/api/v1/plan-rounds/{id}/group-plan/publish", manage, web.Doc{Summary: "Publish the group plan to every member school", Tag: tag,
		Request: Step{}, Response: GroupPlan{}}, web.ByIDBody(s.Publish))
}

func (api *API) template(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.URL.Query().Get("group_id"), 10, 64)
	if err != nil {
		return errs.FieldError("group_id", "field.required", nil)
	}
	out, err := api.svc.Template(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) compile(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Step
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	out, err := api.svc.Compile(r.Context(), web.Actor(r), id, in, web.Language(r))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}
