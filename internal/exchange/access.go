package exchange

import (
	"edugroup/internal/auth"
	"edugroup/internal/store"
)

// Who may act on an exchange is decided per grant through auth.Reach, like
// the registry: a permission counts only for the schools, group or person
// its scope names.

// supervisor: the section that approves and then supervises the exchange —
// 干部股 for cadres, 人事股 for teachers (五(四)).
func supervisor(a auth.Actor, x Exchange) bool {
	if a.System {
		return true
	}
	want := auth.SectionPersonnel
	if x.IsCadre {
		want = auth.SectionCadre
	}
	for _, g := range a.GrantsWith(auth.PermExchangesApprove) {
		if g.Role == want && g.ScopeType == auth.ScopeCounty {
			return true
		}
	}
	return false
}

// isOwn: the actor is the person the exchange is about.
func isOwn(a auth.Actor, x Exchange) bool { return a.StaffID != 0 && a.StaffID == x.StaffID }

// decidesOwn: deciding steps are never taken by the person or by the
// account that filed the application.
func decidesOwn(a auth.Actor, x Exchange) bool {
	return isOwn(a, x) || (a.UserID != 0 && a.UserID == x.createdByID)
}

// actions is what the actor may do to an exchange now.
type actions map[string]bool

func (c actions) has(name string) bool { return c[name] }

// actionOrder lists every action in the order the form shows its buttons.
var actionOrder = []string{"update", "submit", "endorse_home", "endorse_host", "review", "approve", "start", "checkin", "note",
	"return", "evaluate_host", "evaluate_self", "evaluate_home", "reject", "withdraw", "cancel"}

func (c actions) list() []string {
	out := []string{}
	for _, name := range actionOrder {
		if c[name] {
			out = append(out, name)
		}
	}
	return out
}

// allowed decides the actions from the state, the actor's grants and which
// evaluations exist.
func allowed(a auth.Actor, x Exchange, evaluated map[string]bool, today store.Date) actions {
	c := actions{}
	own := isOwn(a, x)
	applicant := canApply(a, x.StaffID, x.HomeSchoolID)
	endorse := a.Reach(auth.PermExchangesEndorse)
	home := endorse.School(x.HomeSchoolID)
	host := endorse.School(x.HostSchoolID) || endorse.Group(x.GroupID)
	sup := supervisor(a, x)
	switch x.Status {
	case Draft:
		c["update"], c["submit"], c["withdraw"] = applicant, applicant, applicant
	case Submitted:
		c["endorse_home"] = home && !own && x.HomeEndorsedBy == ""
		c["endorse_host"] = host && !own && x.HostConsentBy == ""
		c["reject"] = (home || host) && !own
		c["withdraw"] = applicant
	case Endorsed:
		c["review"] = a.Reach(auth.PermExchangesReview).County && !decidesOwn(a, x)
		c["reject"], c["withdraw"] = c["review"], applicant
	case Reviewed:
		c["approve"] = sup && !decidesOwn(a, x)
		c["reject"], c["withdraw"] = c["approve"], applicant
	case Approved, Underway:
		started := !today.Before(x.StartOn.Time)
		c["start"] = x.Status == Approved && started && (home || host || sup || own)
		c["checkin"] = x.Status == Underway && own
		c["note"] = x.Status == Underway && (host || sup || home)
		c["return"] = home && !own && (x.Status == Underway || started)
		c["cancel"] = sup
	case Returned:
		c["evaluate_host"] = host && !own && !evaluated["host"]
		c["evaluate_self"] = (own || (a.System && !evaluated["self"])) && !evaluated["self"]
		c["evaluate_home"] = home && !own && !evaluated["home"]
	}
	return c
}
