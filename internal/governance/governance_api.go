package governance

import (
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// API is the governance capability's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

// queryInt reads an integer query parameter the router has already checked.
func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

var ruleQuery = []web.Param{web.Q("group_id", "integer", ""), web.Q("category", "string", "a category code of the policy settings"),
	web.Q("status", "string", "pending: a school has not answered the current version; objected; adopted: every school has; draft: a draft is being written").
		OneOf(Pending, Objected, Adopted, VersionDraft),
	web.Q("q", "string", "title contains"), web.Q("sort", "string", "updated (newest first, the default), title or category").OneOf("updated", "title", "category"),
	web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")}

// Routes registers the rulebook, meeting and follow-up endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "governance"
	s := api.svc
	read, manage, adopt := web.Perm(auth.PermRulesRead), web.Perm(auth.PermRulesManage), web.Perm(auth.PermRulesAdopt)
	rt.Handle("GET", "/api/v1/rules", read, web.Doc{Summary: "The group rules (制度共建) in the caller's scope, with the answers to each current version", Tag: tag,
		Query: ruleQuery, Response: web.List[Rule]{}}, api.list)
	rt.Handle("POST", "/api/v1/rules", manage, web.Doc{Summary: "Start a rule of the group with its first draft", Tag: tag,
		Request: RuleInput{}, Response: RuleDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.Create))
	rt.Handle("GET", "/api/v1/rules/{id}", read, web.Doc{Summary: "One rule with its versions and each member school's answer to the current version", Tag: tag,
		Response: RuleDetail{}}, web.ByID(s.Detail))
	rt.Handle("PUT", "/api/v1/rules/{id}/draft", manage, web.Doc{Summary: "Save the draft of the rule's next version", Tag: tag,
		Request: DraftInput{}, Response: RuleDetail{}}, web.ByIDBody(s.SaveDraft))
	rt.Handle("POST", "/api/v1/rules/{id}/publish", manage, web.Doc{Summary: "Publish the draft: it supersedes the version in force and every member school is asked to adopt it", Tag: tag,
		Request: PublishInput{}, Response: RuleDetail{}}, web.ByIDBody(s.Publish))
	rt.Handle("POST", "/api/v1/rules/{id}/adoptions/{school}", adopt, web.Doc{Summary: "The school confirms adoption (确认执行) of the version in force, or objects with a reason", Tag: tag,
		Request: AnswerInput{}, Response: RuleDetail{}}, web.ByIDsBody("school", http.StatusOK, s.Answer))
	rt.Handle("POST", "/api/v1/rules/{id}/adoptions/{school}/reply", manage, web.Doc{Summary: "The group answers a school's objection", Tag: tag,
		Request: ReplyInput{}, Response: RuleDetail{}}, web.ByIDsBody("school", http.StatusOK, s.Reply))
	rt.Handle("GET", "/api/v1/rules/{id}/diff", read, web.Doc{Summary: "What changed, article by article, between two versions (by default the newest and the one before)", Tag: tag,
		Query:    []web.Param{web.Q("from", "integer", "version number").Range(1, 100000), web.Q("to", "integer", "version number").Range(1, 100000)},
		Response: DiffAnswer{}}, api.diff)
	rt.Handle("GET", "/api/v1/rulebook", read, web.Doc{Summary: "A group's rulebook as of a date: each rule's version in force, for printing", Tag: tag,
		Query:    []web.Param{web.Q("group_id", "integer", "the group (the caller's own when omitted)"), web.Q("as_of", "string", "today when omitted").Date()},
		Response: Book{}}, api.book)

	mread, mmanage, report := web.Perm(auth.PermMeetingsRead), web.Perm(auth.PermMeetingsManage), web.Perm(auth.PermFollowupsReport)
	rt.Handle("GET", "/api/v1/meetings", mread, web.Doc{Summary: "Work meetings of the groups and the county in the caller's scope, newest first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("kind", "string", "a meeting kind of the policy settings"), web.Q("q", "string", "title or minutes contain"),
			web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")},
		Response: web.List[Meeting]{}}, api.meetings)
	rt.Handle("POST", "/api/v1/meetings", mmanage, web.Doc{Summary: "Record a meeting with its attendees, minutes and decisions, each decision a follow-up (督办)", Tag: tag,
		Request: MeetingInput{}, Response: MeetingDetail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.CreateMeeting))
	rt.Handle("GET", "/api/v1/meetings/{id}", mread, web.Doc{Summary: "One meeting with its attendees and the follow-ups the caller sees", Tag: tag,
		Response: MeetingDetail{}}, web.ByID(s.MeetingDetail))
	rt.Handle("GET", "/api/v1/followups", mread, web.Doc{Summary: "The follow-ups board (督办): the caller's scope, overdue and soonest due first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("school_id", "integer", "owner school"), web.Q("meeting_id", "integer", ""),
			web.Q("status", "string", "open is every one not done").OneOf(NotStarted, InProgress, Done, Overdue, "open"), web.Q("q", "string", "decision or owner contains"),
			web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")},
		Response: web.List[Followup]{}}, api.followups)
	rt.Handle("GET", "/api/v1/followups/{id}", mread, web.Doc{Summary: "One follow-up with its progress reports", Tag: tag,
		Response: FollowupDetail{}}, web.ByID(s.FollowupDetail))
	rt.Handle("POST", "/api/v1/followups/{id}/reports", report, web.Doc{Summary: "The owner school reports progress with its evidence; the first report starts the follow-up", Tag: tag,
		Request: ProgressInput{}, Response: FollowupDetail{}}, web.ByIDBody(s.Report))
	rt.Handle("POST", "/api/v1/followups/{id}/close", mmanage, web.Doc{Summary: "The meeting's organiser closes the follow-up with a note", Tag: tag,
		Request: CloseInput{}, Response: FollowupDetail{}}, web.ByIDBody(s.Close))

	rread := web.Perm(auth.PermReportsRead)
	rt.Handle("GET", "/api/v1/member-reports", rread, web.Doc{Summary: "Member schools' periodic reports to their group in the caller's scope, newest first", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("school_id", "integer", ""), web.Q("kind", "string", "a report kind of the policy settings"),
			web.Q("status", "string", "").OneOf(ReportSubmitted, ReportAccepted, ReportReturned), web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")},
		Response: web.List[MemberReport]{}}, api.reports)
	rt.Handle("GET", "/api/v1/member-reports/owed", rread, web.Doc{Summary: "What each member school owes now: the latest ended period of every report kind and its state", Tag: tag,
		Response: ReportBoard{}}, web.Call(s.OwedReports))
	rt.Handle("POST", "/api/v1/member-reports", web.Perm(auth.PermReportsSubmit), web.Doc{Summary: "Submit a school's report for an ended period, or resubmit a returned one", Tag: tag,
		Request: MemberReportInput{}, Response: MemberReport{}}, web.Body(http.StatusOK, s.SubmitReport))
	rt.Handle("GET", "/api/v1/member-reports/{id}", rread, web.Doc{Summary: "One member report with the group's guidance", Tag: tag,
		Response: MemberReport{}}, web.ByID(s.ReportDetail))
	rt.Handle("POST", "/api/v1/member-reports/{id}/review", web.Perm(auth.PermReportsReview), web.Doc{Summary: "Accept a submitted report with guidance (指导意见), or return it with the reason", Tag: tag,
		Request: ReportReview{}, Response: MemberReport{}}, web.ByIDBody(s.ReviewReport))
}

func (api *API) reports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := ReportFilter{GroupID: queryInt(r, "group_id"), SchoolID: queryInt(r, "school_id"), Kind: q.Get("kind"), Status: q.Get("status"), Page: page, Size: size}
	items, total, err := api.svc.Reports(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[MemberReport]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) meetings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := MeetingFilter{GroupID: queryInt(r, "group_id"), Kind: q.Get("kind"), Q: q.Get("q"), Page: page, Size: size}
	items, total, err := api.svc.Meetings(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Meeting]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) followups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := FollowupFilter{GroupID: queryInt(r, "group_id"), SchoolID: queryInt(r, "school_id"), MeetingID: queryInt(r, "meeting_id"), Status: q.Get("status"),
		Q: q.Get("q"), Page: page, Size: size}
	items, total, err := api.svc.Followups(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Followup]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := RuleFilter{GroupID: queryInt(r, "group_id"), Category: q.Get("category"), Status: q.Get("status"), Q: q.Get("q"), Sort: q.Get("sort"), Page: page, Size: size}
	items, total, err := api.svc.List(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Rule]{Items: items, Total: total, Page: f.Page, PageSize: f.Size})
}

func (api *API) diff(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := api.svc.Diff(r.Context(), web.Actor(r), id, int(queryInt(r, "from")), int(queryInt(r, "to")))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) book(w http.ResponseWriter, r *http.Request) error {
	var on store.Date
	if v := r.URL.Query().Get("as_of"); v != "" {
		on, _ = store.ParseDate(v) // the router has checked it
	}
	out, err := api.svc.Book(r.Context(), web.Actor(r), queryInt(r, "group_id"), on)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}
