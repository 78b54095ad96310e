package workbench

import (
	"edugroup/internal/auth"
	"edugroup/internal/web"
)

// API is the workbench's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

// Routes registers the workbench and notification endpoints. Notifications
// are the caller's own (any signed-in user); the workbench needs the home
// page's permission, which every role has.
func (api *API) Routes(rt *web.Router) {
	const tag = "workbench"
	s := api.svc
	rt.Handle("GET", "/api/v1/workbench", web.Perm(auth.PermDashboard), web.Doc{Summary: "The caller's workbench (工作台): to-dos by urgency, waiting on others, upcoming dates, figures",
		Tag: tag, Response: Workbench{}}, web.Call(s.Get))
	rt.Handle("GET", "/api/v1/workbench/counts", web.Perm(auth.PermDashboard), web.Doc{Summary: "The menu's to-do counts, from the same sources as the workbench",
		Tag: tag, Response: Counts{}}, web.Call(s.CountsFor))
	rt.Handle("GET", "/api/v1/notifications", web.AnyUser(), web.Doc{Summary: "The caller's newest notifications and the unread count", Tag: tag,
		Response: NotificationList{}}, web.Call(s.Notifications))
	rt.Handle("POST", "/api/v1/notifications/read-all", web.AnyUser(), web.Doc{Summary: "Mark all of the caller's notifications read", Tag: tag,
		Response: NotificationList{}}, web.Call(s.MarkAllRead))
	rt.Handle("POST", "/api/v1/notifications/{id}/read", web.AnyUser(), web.Doc{Summary: "Mark one of the caller's notifications read", Tag: tag,
		Response: NotificationList{}}, web.ByID(s.MarkRead))
	rt.Handle("GET", "/api/v1/notifications/prefs", web.AnyUser(), web.Doc{Summary: "Which kinds the caller receives outward (e-mail, 企业微信/钉钉 robot), and where", Tag: tag,
		Response: Prefs{}}, web.Call(s.Prefs))
	rt.Handle("PUT", "/api/v1/notifications/prefs", web.AnyUser(), web.Doc{Summary: "Set the caller's outward delivery preferences", Tag: tag,
		Request: Prefs{}, Response: Prefs{}}, web.Body(200, s.SavePrefs))
	rt.Handle("GET", "/api/v1/notifications/dead-letters", web.Perm(auth.PermUsersManage), web.Doc{Summary: "Outward deliveries that failed every attempt (dead letters)", Tag: tag,
		Response: DeadLetters{}}, web.Call(s.DeadLetters))
}
