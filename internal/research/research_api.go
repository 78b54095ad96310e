package research

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the research capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

func queryID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

// Routes registers the research endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "research"
	s := api.svc
	read, manage := web.Perm(auth.PermResearchRead), web.Perm(auth.PermResearchManage)
	rt.Handle("GET", "/api/v1/research/groups", read, web.Doc{Summary: "Research groups (教研组 / 备课组) in the caller's scope", Tag: tag,
		Query:    []web.Param{web.Q("group_id", "integer", ""), web.Q("stage", "string", ""), web.Q("subject", "string", ""), web.Q("mine", "boolean", "only those the caller is a member of")},
		Response: []Group{}}, api.groups)
	rt.Handle("POST", "/api/v1/research/groups/propose", manage, web.Doc{Summary: "Create the research groups of a school group from the registry: one per stage and subject its member schools teach",
		Tag: tag, Request: ProposeInput{}, Response: ProposeResult{}}, web.Body(http.StatusOK, s.Propose))
	rt.Handle("GET", "/api/v1/research/groups/{id}", read, web.Doc{Summary: "One research group with its members", Tag: tag, Response: GroupDetail{}}, web.ByID(s.GroupDetail))
	rt.Handle("PUT", "/api/v1/research/groups/{id}", manage, web.Doc{Summary: "Edit a research group's name, leader and members", Tag: tag,
		Request: GroupInput{}, Response: GroupDetail{}}, web.ByIDBody(s.Update))
	rt.Handle("GET", "/api/v1/research/groups/{id}/candidates", manage, web.Doc{Summary: "The member schools' teachers of the research group's subject", Tag: tag,
		Response: []Member{}}, web.ByID(s.Candidates))
	rt.Handle("PUT", "/api/v1/research/groups/{id}/slot", manage, web.Doc{Summary: "Fix the research group's weekly slot; the answer checks it against every member school", Tag: tag,
		Request: SlotInput{}, Response: SlotResult{}}, web.ByIDBody(s.SetSlot))
	rt.Handle("GET", "/api/v1/research/groups/{id}/slot-check", read, web.Doc{Summary: "Check a weekly slot (the group's own by default) against every member school's timetable or declared free periods",
		Tag: tag, Query: []web.Param{web.Q("term", "string", "2026-2027-1; this term by default"), web.Q("weekday", "integer", "1 Monday … 7 Sunday"), web.Q("periods", "string", "comma-separated, e.g. 5,6")},
		Response: SlotCheck{}}, api.slotCheck)
	rt.Handle("GET", "/api/v1/research/schools/{id}/free-periods", read, web.Doc{Summary: "The periods a school keeps free for research in a term", Tag: tag,
		Query: []web.Param{web.Q("term", "string", "this term by default")}, Response: FreePeriods{}}, api.freePeriods)
	rt.Handle("PUT", "/api/v1/research/schools/{id}/free-periods", web.Perm(auth.PermResearchSchool), web.Doc{Summary: "Declare the periods the school keeps free for research in a term", Tag: tag,
		Request: FreePeriodsInput{}, Response: FreePeriods{}}, web.ByIDBody(s.SetFreePeriods))

	rt.Handle("GET", "/api/v1/research/preps", read, web.Doc{Summary: "集体备课 of the research groups in scope", Tag: tag,
		Query: []web.Param{web.Q("research_group_id", "integer", "")}, Response: []Prep{}}, api.preps)
	rt.Handle("POST", "/api/v1/research/preps", read, web.Doc{Summary: "Schedule a 集体备课 (the research group's leader or the group office); the answer checks the session against every member school",
		Tag: tag, Request: PrepInput{}, Response: PrepDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.CreatePrep))
	rt.Handle("GET", "/api/v1/research/preps/{id}", read, web.Doc{Summary: "One 集体备课 with every version, comments, 二次备课 and the session's slot check", Tag: tag,
		Response: PrepDetail{}}, web.ByID(s.PrepDetail))
	rt.Handle("POST", "/api/v1/research/preps/{id}/lease", read, web.Doc{Summary: "Take the one edit lease of the shared plan; 409 names who holds it", Tag: tag,
		Response: PrepDetail{}}, web.ByID(s.Lease))
	rt.Handle("DELETE", "/api/v1/research/preps/{id}/lease", read, web.Doc{Summary: "Give the edit lease back", Tag: tag, Response: PrepDetail{}}, web.ByID(s.Release))
	rt.Handle("POST", "/api/v1/research/preps/{id}/versions", read, web.Doc{Summary: "Save a version of the shared plan (the lease holder, on the current version); publish makes it the 共案",
		Tag: tag, Request: VersionInput{}, Response: PrepDetail{}}, web.ByIDBody(s.SaveVersion))
	rt.Handle("POST", "/api/v1/research/preps/{id}/comments", read, web.Doc{Summary: "Comment on a section of the current version; the 主备人 is told", Tag: tag,
		Request: CommentInput{}, Response: PrepDetail{}}, web.ByIDBody(s.AddComment))
	rt.Handle("PUT", "/api/v1/research/preps/{id}/adaptation", web.Perm(auth.PermResearchTakePart), web.Doc{Summary: "The caller's 二次备课 on the published shared plan, and the 教后反思",
		Tag: tag, Request: AdaptationInput{}, Response: PrepDetail{}}, web.ByIDBody(s.SaveAdaptation))

	rt.Handle("GET", "/api/v1/research/rubrics", read, web.Doc{Summary: "The newest version of each observation rubric", Tag: tag, Response: []Rubric{}}, web.Call(s.Rubrics))
	rt.Handle("GET", "/api/v1/research/observations", read, web.Doc{Summary: "Observed lessons in scope, with the observers' mean", Tag: tag,
		Query:    []web.Param{web.Q("group_id", "integer", ""), web.Q("school_id", "integer", ""), web.Q("staff_id", "integer", "taught or observed")},
		Response: []Observation{}}, api.observations)
	rt.Handle("POST", "/api/v1/research/observations", manage, web.Doc{Summary: "Record a lesson to observe (or a 推门听课) and its observers", Tag: tag,
		Request: ObsInput{}, Response: ObsDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.CreateObservation))
	rt.Handle("GET", "/api/v1/research/observations/{id}", read, web.Doc{Summary: "One observation: rubric, the sheets the caller may see, the combined result", Tag: tag,
		Response: ObsDetail{}}, web.ByID(s.ObsDetail))
	rt.Handle("PUT", "/api/v1/research/observations/{id}/form", web.Perm(auth.PermResearchTakePart), web.Doc{Summary: "The caller's observation sheet; submit makes it count", Tag: tag,
		Request: FormInput{}, Response: ObsDetail{}}, web.ByIDBody(s.SaveForm))
	rt.Handle("POST", "/api/v1/research/observations/{id}/feedback", read, web.Doc{Summary: "Written feedback to the observed teacher, who is told", Tag: tag,
		Request: FeedbackInput{}, Response: ObsDetail{}}, web.ByIDBody(s.Feedback))
	rt.Handle("GET", "/api/v1/research/groups/{id}/plan", read, web.Doc{Summary: "The research group's term research plan (开学初), with its due date", Tag: tag,
		Query: []web.Param{web.Q("term", "string", "this term by default")}, Response: TermPlan{}}, api.plan)
	rt.Handle("PUT", "/api/v1/research/groups/{id}/plan", read, web.Doc{Summary: "Write the term plan's draft (the leader or the office)", Tag: tag,
		Request: PlanInput{}, Response: TermPlan{}}, web.ByIDBody(s.SavePlan))
	rt.Handle("POST", "/api/v1/research/groups/{id}/plan/submit", read, web.Doc{Summary: "Submit the term plan to the group's teaching office", Tag: tag,
		Request: PlanStep{}, Response: TermPlan{}}, web.ByIDBody(func(ctx context.Context, a auth.Actor, id int64, in PlanStep) (TermPlan, error) {
		return s.StepPlan(ctx, a, id, "submit", in)
	}))
	rt.Handle("POST", "/api/v1/research/groups/{id}/plan/decide", manage, web.Doc{Summary: "Approve or return (with a note) a submitted term plan", Tag: tag,
		Request: PlanStep{}, Response: TermPlan{}}, web.ByIDBody(func(ctx context.Context, a auth.Actor, id int64, in PlanStep) (TermPlan, error) {
		return s.StepPlan(ctx, a, id, "decide", in)
	}))
	rt.Handle("GET", "/api/v1/research/activities", read, web.Doc{Summary: "Research activities in scope by start, for the calendar", Tag: tag,
		Query:    []web.Param{web.Q("group_id", "integer", ""), web.Q("research_group_id", "integer", ""), web.Q("from", "string", "YYYY-MM-DD"), web.Q("to", "string", "YYYY-MM-DD")},
		Response: []Activity{}}, api.activities)
	rt.Handle("POST", "/api/v1/research/activities", read, web.Doc{Summary: "Schedule a research activity and invite its people (the group office or the research group's leader)", Tag: tag,
		Request: ActivityInput{}, Response: ActivityDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.CreateActivity))
	rt.Handle("GET", "/api/v1/research/activities/{id}", read, web.Doc{Summary: "One activity with its attendance per person and per school", Tag: tag,
		Response: ActivityDetail{}}, web.ByID(s.ActivityDetail))
	rt.Handle("PUT", "/api/v1/research/activities/{id}/attendance", read, web.Doc{Summary: "The organizer ticks who came, who was absent or on leave, with reasons", Tag: tag,
		Request: AttendanceInput{}, Response: ActivityDetail{}}, web.ByIDBody(s.MarkAttendance))
	rt.Handle("PUT", "/api/v1/research/activities/{id}/record", read, web.Doc{Summary: "The activity's minutes and outputs", Tag: tag,
		Request: RecordInput{}, Response: ActivityDetail{}}, web.ByIDBody(s.Record))
	rt.Handle("GET", "/api/v1/research/activities/{id}/sign-in-code", read, web.Doc{Summary: "A short-lived signed sign-in address and its QR code for the organizer's screen", Tag: tag,
		Response: SignInCode{}}, api.signInCode)
	rt.Handle("POST", "/api/v1/research/activities/{id}/sign-in", web.Perm(auth.PermResearchTakePart), web.Doc{Summary: "Sign in with the code from the organizer's screen", Tag: tag,
		Request: SignInInput{}, Response: ActivityDetail{}}, web.ByIDBody(s.SignIn))
	diagQuery := []web.Param{web.Q("group_id", "integer", ""), web.Q("subject", "string", "")}
	rt.Handle("GET", "/api/v1/research/diagnosis", read, web.Doc{Summary: "课堂教学诊断: each school's and teacher's scored observations by month, the gap to the lead school, the weakest items",
		Tag: tag, Query: diagQuery, Response: Diagnosis{}}, api.diagnosis)
	rt.Handle("GET", "/api/v1/research/diagnosis/export", read, web.Doc{Summary: "The diagnosis as Excel (audited)", Tag: tag, Query: diagQuery, Produces: xlsx.ContentType}, api.exportDiagnosis)
	rt.Handle("POST", "/api/v1/research/observations/{id}/reflection", read, web.Doc{Summary: "The observed teacher's reflection", Tag: tag,
		Request: FeedbackInput{}, Response: ObsDetail{}}, web.ByIDBody(s.Reflect))
}

func (api *API) groups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	out, err := api.svc.Groups(r.Context(), web.Actor(r), GroupFilter{GroupID: queryID(r, "group_id"), Stage: q.Get("stage"), Subject: q.Get("subject"), Mine: q.Get("mine") == "true"})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) slotCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	wd, _ := strconv.Atoi(q.Get("weekday"))
	sq := SlotQuery{Term: q.Get("term"), Weekday: wd}
	if p := q.Get("periods"); p != "" {
		sq.Periods = parsePeriods(p)
	}
	out, err := api.svc.CheckSlot(r.Context(), web.Actor(r), id, sq)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) freePeriods(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := api.svc.FreePeriods(r.Context(), web.Actor(r), id, r.URL.Query().Get("term"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) preps(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Preps(r.Context(), web.Actor(r), queryID(r, "research_group_id"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) observations(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Observations(r.Context(), web.Actor(r), ObsFilter{GroupID: queryID(r, "group_id"), SchoolID: queryID(r, "school_id"), StaffID: queryID(r, "staff_id")})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) diagnosis(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Diagnosis(r.Context(), web.Actor(r), DiagnosisFilter{GroupID: queryID(r, "group_id"), Subject: r.URL.Query().Get("subject")})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) exportDiagnosis(w http.ResponseWriter, r *http.Request) error {
	f := DiagnosisFilter{GroupID: queryID(r, "group_id"), Subject: r.URL.Query().Get("subject")}
	// Checked before the download starts, so a bad filter answers as JSON.
	if _, err := api.svc.Diagnosis(r.Context(), web.Actor(r), f); err != nil {
		return err
	}
	out := web.Attachment(w, xlsx.ContentType, "diagnosis-"+time.Now().Format("20060102-150405")+".xlsx")
	return api.svc.ExportDiagnosis(r.Context(), out, web.Actor(r), f, web.Language(r))
}

func (api *API) activities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := ActivityFilter{GroupID: queryID(r, "group_id"), ResearchGroupID: queryID(r, "research_group_id")}
	for name, d := range map[string]*store.Date{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			p, err := store.ParseDate(v)
			if err != nil {
				return errs.FieldError(name, "field.date", nil)
			}
			*d = p
		}
	}
	out, err := api.svc.Activities(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) signInCode(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	base := "http://" + r.Host
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		base = "https://" + r.Host
	}
	out, err := api.svc.SignInCode(r.Context(), web.Actor(r), id, base)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) plan(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := api.svc.Plan(r.Context(), web.Actor(r), id, r.URL.Query().Get("term"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}
