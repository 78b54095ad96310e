package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// The demo account acting in each role.
var roleUsers = map[string]string{
	"system_admin": "sysadmin", "security_admin": "secadmin", "audit_admin": "auditadmin",
	"bureau_leader": "leader", "section_basic": "jijiao", "section_cadre": "ganbu", "section_personnel": "renshi",
	"supervision": "dudao", "group_admin": "groupadmin", "school_admin": "principal", "teacher": "teacher",
}

var (
	everyone  = []string{"system_admin", "security_admin", "audit_admin", "bureau_leader", "section_basic", "section_cadre", "section_personnel", "supervision", "group_admin", "school_admin", "teacher"}
	business  = []string{"bureau_leader", "section_basic", "section_cadre", "section_personnel", "supervision", "group_admin", "school_admin", "teacher"}
	userAdmin = []string{"system_admin", "security_admin"}
	countyBiz = []string{"bureau_leader", "section_basic", "section_cadre", "section_personnel", "supervision"}
	groupMgr  = []string{"section_basic", "group_admin"}
	schoolMgr = []string{"section_basic", "school_admin"}
	staffMgr  = []string{"section_personnel", "school_admin"}
	// exchanges: the person or their school applies; 干部股/人事股 approve
	applicants = []string{"school_admin", "teacher"}
	approvers  = []string{"section_cadre", "section_personnel"}
	examMgr    = []string{"section_basic", "group_admin", "school_admin"}
	// term plans: the county reads, the group runs the round, the school submits
	// the library: schools and teachers upload; school, group and county review
	uploaders   = []string{"school_admin", "teacher"}
	reviewers   = []string{"section_basic", "group_admin", "school_admin"}
	planReaders = []string{"bureau_leader", "section_basic", "section_cadre", "section_personnel", "supervision", "group_admin", "school_admin"}
	// curriculum: the county's leader, 基教股 and 督导办 read the county, the group its members, the school itself
	curReaders   = []string{"bureau_leader", "section_basic", "supervision", "group_admin", "school_admin"}
	inspectors   = []string{"section_basic", "supervision"}
	matchParties = []string{"group_admin", "school_admin"}
	// the rulebook: the county reads, the group writes, the school adopts
	ruleReaders = planReaders
	// meetings: the county reads (基教股 records county meetings), the group records, the school reports
	meetingReaders = planReaders
)

// allowed is the access specification, written out independently of the
// code's role table: which roles may call each route. A route missing here
// fails the test, so every new route must be placed in the matrix.
var allowed = map[string][]string{
	"GET /healthz":                                        nil, // public
	"GET /readyz":                                         nil,
	"GET /api/v1/openapi.json":                            nil,
	"GET /api/v1/codes":                                   nil,
	"POST /api/v1/session":                                nil,
	"GET /metrics":                                        userAdmin,
	"GET /api/v1/session":                                 everyone,
	"DELETE /api/v1/session":                              everyone,
	"PUT /api/v1/session/password":                        everyone,
	"PUT /api/v1/session/grant":                           everyone,
	"GET /api/v1/dashboard":                               everyone,
	"GET /api/v1/users":                                   userAdmin,
	"POST /api/v1/users":                                  {"system_admin"},
	"GET /api/v1/users/{id}":                              userAdmin,
	"PATCH /api/v1/users/{id}":                            {"system_admin"},
	"POST /api/v1/users/{id}/password-reset":              {"system_admin"},
	"POST /api/v1/users/{id}/unlock":                      {"security_admin"},
	"POST /api/v1/users/{id}/grants":                      {"security_admin"},
	"DELETE /api/v1/users/{id}/grants/{grant}":            {"security_admin"},
	"POST /api/v1/users/{id}/totp-reset":                  {"security_admin"},
	"POST /api/v1/session/totp/setup":                     everyone,
	"POST /api/v1/session/totp/enable":                    everyone,
	"GET /api/v1/roles":                                   userAdmin,
	"GET /api/v1/scopes":                                  {"security_admin"},
	"GET /api/v1/tokens":                                  everyone,
	"POST /api/v1/tokens":                                 everyone,
	"DELETE /api/v1/tokens/{id}":                          everyone,
	"GET /api/v1/policy":                                  everyone,
	"GET /api/v1/policy/versions":                         everyone,
	"POST /api/v1/policy/versions":                        userAdmin,
	"GET /api/v1/audit":                                   {"audit_admin"},
	"GET /api/v1/audit/export":                            {"audit_admin"},
	"GET /api/v1/audit/verify":                            {"audit_admin"},
	"GET /api/v1/schools":                                 business,
	"GET /api/v1/schools/{id}":                            business,
	"GET /api/v1/groups":                                  business,
	"GET /api/v1/groups/{id}":                             business,
	"POST /api/v1/groups":                                 {"section_basic"},
	"PATCH /api/v1/groups/{id}":                           groupMgr,
	"POST /api/v1/groups/{id}/members":                    groupMgr,
	"POST /api/v1/groups/{id}/members/{membership}/leave": groupMgr,
	"GET /api/v1/groups/{id}/timeline":                    business,
	"GET /api/v1/moves":                                   business,
	"GET /api/v1/groups/over-limit":                       business,
	"POST /api/v1/groups/{id}/graduations":                groupMgr,
	"GET /api/v1/graduations":                             business,
	"POST /api/v1/graduations/{id}/decision":              {"section_basic"},
	"GET /api/v1/coverage":                                countyBiz,
	"GET /api/v1/townships":                               business,
	"GET /api/v1/staff":                                   business,
	"GET /api/v1/staff/{id}":                              business,
	"GET /api/v1/schools/export":                          business,
	"GET /api/v1/staff/export":                            business,
	"GET /api/v1/schools/template":                        schoolMgr,
	"GET /api/v1/staff/template":                          staffMgr,
	"POST /api/v1/schools/import":                         {"section_basic"},
	"POST /api/v1/staff/import":                           staffMgr,
	"GET /api/v1/groups/{id}/candidates":                  groupMgr,
	"POST /api/v1/schools":                                {"section_basic"},
	"PATCH /api/v1/schools/{id}":                          schoolMgr,
	"POST /api/v1/schools/{id}/campuses":                  schoolMgr,
	"PATCH /api/v1/schools/{id}/campuses/{campus}":        schoolMgr,
	"DELETE /api/v1/schools/{id}/campuses/{campus}":       schoolMgr,
	"POST /api/v1/staff":                                  staffMgr,
	"PATCH /api/v1/staff/{id}":                            staffMgr,
	"POST /api/v1/staff/{id}/transfer":                    {"section_personnel"},
	"POST /api/v1/staff/{id}/unmask":                      {"section_cadre", "section_personnel", "school_admin"},
	"GET /api/v1/staff/{id}/records":                      {"section_basic", "section_cadre", "section_personnel", "supervision", "school_admin"},
	"POST /api/v1/staff/{id}/records":                     {"section_basic", "section_cadre", "section_personnel", "school_admin"},
	"GET /api/v1/exchanges":                               business,
	"GET /api/v1/exchanges/export":                        business,
	"GET /api/v1/exchanges/inbox":                         business,
	"POST /api/v1/exchanges/check":                        applicants,
	"GET /api/v1/exchanges/mentors":                       applicants,
	"POST /api/v1/exchanges":                              applicants,
	"GET /api/v1/exchanges/{id}":                          business,
	"PATCH /api/v1/exchanges/{id}":                        applicants,
	"POST /api/v1/exchanges/{id}/submit":                  applicants,
	"POST /api/v1/exchanges/{id}/endorse":                 {"group_admin", "school_admin"},
	"POST /api/v1/exchanges/{id}/review":                  {"section_basic"},
	"POST /api/v1/exchanges/{id}/approve":                 approvers,
	"POST /api/v1/exchanges/{id}/reject":                  business,
	"POST /api/v1/exchanges/{id}/withdraw":                applicants,
	"POST /api/v1/exchanges/{id}/cancel":                  approvers,
	"POST /api/v1/exchanges/{id}/start":                   business,
	"POST /api/v1/exchanges/{id}/checkins":                business,
	"POST /api/v1/exchanges/{id}/return":                  {"group_admin", "school_admin"},
	"POST /api/v1/exchanges/{id}/evaluate":                business,
	"GET /api/v1/exchange-teams":                          business,
	"POST /api/v1/exchange-teams":                         applicants,
	"GET /api/v1/exchange-teams/{id}":                     business,
	"POST /api/v1/exchange-teams/{id}/report":             business,
	"POST /api/v1/exchange-teams/{id}/response":           {"group_admin", "school_admin"},
	"GET /api/v1/mentoring/pairs":                         business,
	"POST /api/v1/mentoring/pairs":                        {"group_admin", "school_admin"},
	"GET /api/v1/mentoring/pairs/{id}":                    business,
	"POST /api/v1/mentoring/pairs/{id}/confirm":           applicants,
	"POST /api/v1/mentoring/pairs/{id}/decline":           applicants,
	"POST /api/v1/mentoring/pairs/{id}/cancel":            {"group_admin", "school_admin"},
	"POST /api/v1/mentoring/pairs/{id}/end":               {"group_admin", "school_admin"},

	// A pair's duties: its people log and confirm, the mentee's school grades.
	"POST /api/v1/mentoring/pairs/{id}/activities":                   applicants,
	"POST /api/v1/mentoring/pairs/{id}/activities/{activity}/decide": applicants,
	"POST /api/v1/mentoring/pairs/{id}/review":                       applicants,

	// Growth records: whoever reads staff; the recommendation list is the county's.
	"GET /api/v1/staff/{id}/growth":             business,
	"GET /api/v1/growth/recommendations":        {"bureau_leader", "section_cadre", "section_personnel"},
	"GET /api/v1/growth/recommendations/export": {"bureau_leader", "section_cadre", "section_personnel"},

	"GET /api/v1/mentoring/candidates":                      {"group_admin", "school_admin"},
	"GET /api/v1/mentoring/coverage":                        business,
	"GET /api/v1/exams":                                     business,
	"POST /api/v1/exams":                                    examMgr,
	"GET /api/v1/exams/gap":                                 business,
	"GET /api/v1/exams/{id}":                                business,
	"PATCH /api/v1/exams/{id}":                              examMgr,
	"PUT /api/v1/exams/{id}/teaching":                       examMgr,
	"POST /api/v1/exams/{id}/preview":                       examMgr,
	"POST /api/v1/exams/{id}/import":                        examMgr,
	"GET /api/v1/exams/{id}/report":                         business,
	"GET /api/v1/exams/{id}/students":                       business,
	"GET /api/v1/exams/{id}/students/{number}/trend":        business,
	"GET /api/v1/exams/{id}/value-added":                    business,
	"GET /api/v1/exams/{id}/export":                         business,
	"GET /api/v1/staff/{id}/service-record":                 business,
	"POST /api/v1/staff/{id}/service-record":                {"section_cadre", "section_personnel", "school_admin"},
	"GET /api/v1/plan-rounds":                               planReaders,
	"GET /api/v1/plan-rounds/template":                      {"group_admin"},
	"POST /api/v1/plan-rounds":                              {"group_admin"},
	"GET /api/v1/plan-rounds/{id}":                          planReaders,
	"GET /api/v1/plan-rounds/{id}/plans/{school}":           planReaders,
	"PUT /api/v1/plan-rounds/{id}/plans/{school}":           {"school_admin"},
	"POST /api/v1/plan-rounds/{id}/plans/{school}/submit":   {"school_admin"},
	"POST /api/v1/plan-rounds/{id}/plans/{school}/review":   {"group_admin"},
	"GET /api/v1/plan-rounds/{id}/group-plan":               planReaders,
	"PUT /api/v1/plan-rounds/{id}/group-plan":               {"group_admin"},
	"POST /api/v1/plan-rounds/{id}/group-plan/compile":      {"group_admin"},
	"POST /api/v1/plan-rounds/{id}/group-plan/publish":      {"group_admin"},
	"GET /api/v1/workbench":                                 everyone,
	"GET /api/v1/workbench/counts":                          everyone,
	"GET /api/v1/notifications":                             everyone,
	"POST /api/v1/notifications/read-all":                   everyone,
	"POST /api/v1/notifications/{id}/read":                  everyone,
	"GET /api/v1/notifications/prefs":                       everyone,
	"PUT /api/v1/notifications/prefs":                       everyone,
	"GET /api/v1/notifications/dead-letters":                {"system_admin"},
	"GET /api/v1/curriculum/plan":                           curReaders,
	"POST /api/v1/curriculum/plan/overlay":                  {"section_basic"},
	"GET /api/v1/curriculum/timetables":                     curReaders,
	"GET /api/v1/curriculum/timetable/template":             {"school_admin"},
	"GET /api/v1/curriculum/schools/{id}/timetable":         curReaders,
	"POST /api/v1/curriculum/schools/{id}/timetable":        {"school_admin"},
	"POST /api/v1/curriculum/schools/{id}/timetable/import": {"school_admin"},
	"GET /api/v1/curriculum/schools/{id}/register":          curReaders,
	"GET /api/v1/curriculum/schools/{id}/register/export":   curReaders,
	"POST /api/v1/curriculum/schools/{id}/register":         inspectors,
	"GET /api/v1/curriculum/schools/{id}/kindergarten":      curReaders,
	"POST /api/v1/curriculum/schools/{id}/kindergarten":     {"school_admin"},
	"GET /api/v1/curriculum/summary":                        curReaders,
	"GET /api/v1/curriculum/staffing":                       curReaders,
	"POST /api/v1/curriculum/matches":                       matchParties,
	"POST /api/v1/curriculum/matches/{id}/accept":           matchParties,
	"POST /api/v1/curriculum/matches/{id}/decline":          matchParties,
	"POST /api/v1/curriculum/matches/{id}/cancel":           matchParties,
	"GET /api/v1/curriculum/spot-checks":                    curReaders,
	"POST /api/v1/curriculum/spot-checks":                   inspectors,
	"GET /api/v1/research/groups":                           business,
	"POST /api/v1/research/groups/propose":                  {"group_admin"},
	"GET /api/v1/research/groups/{id}":                      business,
	"PUT /api/v1/research/groups/{id}":                      {"group_admin"},
	"GET /api/v1/research/groups/{id}/candidates":           {"group_admin"},
	"PUT /api/v1/research/groups/{id}/slot":                 {"group_admin"},
	"GET /api/v1/research/groups/{id}/slot-check":           business,
	"GET /api/v1/research/schools/{id}/free-periods":        business,
	"PUT /api/v1/research/schools/{id}/free-periods":        {"school_admin"},
	"GET /api/v1/research/preps":                            business,
	"POST /api/v1/research/preps":                           business,
	"GET /api/v1/research/preps/{id}":                       business,
	"POST /api/v1/research/preps/{id}/lease":                business,
	"DELETE /api/v1/research/preps/{id}/lease":              business,
	"POST /api/v1/research/preps/{id}/versions":             business,
	"POST /api/v1/research/preps/{id}/comments":             business,
	"PUT /api/v1/research/preps/{id}/adaptation":            {"teacher"},
	"GET /api/v1/research/rubrics":                          business,
	"GET /api/v1/research/observations":                     business,
	"POST /api/v1/research/observations":                    {"group_admin"},
	"GET /api/v1/research/groups/{id}/plan":                 business,
	"PUT /api/v1/research/groups/{id}/plan":                 business,
	"POST /api/v1/research/groups/{id}/plan/submit":         business,
	"POST /api/v1/research/groups/{id}/plan/decide":         {"group_admin"},
	"GET /api/v1/research/activities":                       business,
	"POST /api/v1/research/activities":                      business,
	"GET /api/v1/research/activities/{id}":                  business,
	"PUT /api/v1/research/activities/{id}/attendance":       business,
	"PUT /api/v1/research/activities/{id}/record":           business,
	"GET /api/v1/research/activities/{id}/sign-in-code":     business,
	"POST /api/v1/research/activities/{id}/sign-in":         {"teacher"},
	"GET /api/v1/research/diagnosis":                        business,
	"GET /api/v1/research/diagnosis/export":                 business,
	"GET /api/v1/research/observations/{id}":                business,
	"PUT /api/v1/research/observations/{id}/form":           {"teacher"},
	"POST /api/v1/research/observations/{id}/feedback":      business,
	"POST /api/v1/research/observations/{id}/reflection":    business,
	"GET /api/v1/resources":                                 business,
	"POST /api/v1/resources":                                uploaders,
	"GET /api/v1/resources/{id}":                            business,
	"PUT /api/v1/resources/{id}":                            uploaders,
	"POST /api/v1/resources/{id}/delete":                    uploaders,
	"POST /api/v1/resources/{id}/file":                      uploaders,
	"GET /api/v1/resources/{id}/file":                       business,
	"GET /api/v1/resources/{id}/thumbnail":                  business,
	"POST /api/v1/resources/{id}/submit":                    uploaders,
	"POST /api/v1/resources/{id}/accept":                    reviewers,
	"POST /api/v1/resources/{id}/return":                    reviewers,
	"POST /api/v1/resources/{id}/reject":                    reviewers,
	"POST /api/v1/resources/{id}/view":                      business,
	"POST /api/v1/resources/{id}/favourite":                 business,
	"GET /api/v1/resources/{id}/usage":                      business,
	"GET /api/v1/resource-nodes":                            business,
	"GET /api/v1/resource-coverage":                         business,
	"GET /api/v1/resource-reach":                            business,
	"GET /api/v1/rules":                                     ruleReaders,
	"POST /api/v1/rules":                                    {"group_admin"},
	"GET /api/v1/rules/{id}":                                ruleReaders,
	"PUT /api/v1/rules/{id}/draft":                          {"group_admin"},
	"POST /api/v1/rules/{id}/publish":                       {"group_admin"},
	"POST /api/v1/rules/{id}/adoptions/{school}":            {"school_admin"},
	"POST /api/v1/rules/{id}/adoptions/{school}/reply":      {"group_admin"},
	"GET /api/v1/rules/{id}/diff":                           ruleReaders,
	"GET /api/v1/rulebook":                                  ruleReaders,
	"GET /api/v1/meetings":                                  meetingReaders,
	"POST /api/v1/meetings":                                 groupMgr,
	"GET /api/v1/meetings/{id}":                             meetingReaders,
	"GET /api/v1/followups":                                 meetingReaders,
	"GET /api/v1/followups/{id}":                            meetingReaders,
	"POST /api/v1/followups/{id}/reports":                   {"school_admin"},
	"POST /api/v1/followups/{id}/close":                     groupMgr,
	"GET /api/v1/member-reports":                            meetingReaders,
	"GET /api/v1/member-reports/owed":                       meetingReaders,
	"POST /api/v1/member-reports":                           {"school_admin"},
	"GET /api/v1/member-reports/{id}":                       meetingReaders,
	"POST /api/v1/member-reports/{id}/review":               {"group_admin"},
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestEveryRouteHasAPolicyAndIsInTheMatrix walks the router: a route without
// an access policy cannot be registered (Handle panics), and every route must
// appear in the specification above.
func TestEveryRouteHasAPolicyAndIsInTheMatrix(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	srv := e.App.Server(web.Config{})
	seen := map[string]bool{}
	for _, rt := range srv.Router().Routes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		spec, ok := allowed[key]
		if !ok {
			t.Errorf("route %s is not in the authorization matrix", key)
			continue
		}
		public := rt.Access.Kind == web.AccessPublic
		if public != (spec == nil) {
			t.Errorf("route %s: public=%v but the matrix says %v", key, public, spec)
		}
	}
	for key := range allowed {
		if !seen[key] {
			t.Errorf("matrix lists %s, which the router lacks", key)
		}
	}
}

// TestAuthorizationMatrix calls every route as every role and as nobody.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		srv := e.App.Server(web.Config{})
		// Writes aim at an account no client below uses, so a password reset
		// does not end the sessions of the test's own clients.
		userID := e.One(`SELECT id FROM users WHERE username = 'multi'`)
		// A student of the demo exams: the first of the principal's school.
		student := apptest.DemoStudent(e.Str(`SELECT code FROM schools WHERE id = $1`, e.IDs.School), 1)
		subst := strings.NewReplacer(
			"/users/{id}", fmt.Sprintf("/users/%d", userID), "{grant}", "999999",
			"/schools/{id}", fmt.Sprintf("/schools/%d", e.IDs.School),
			"/groups/{id}", fmt.Sprintf("/groups/%d", e.IDs.Group),
			"/staff/{id}", fmt.Sprintf("/staff/%d", e.IDs.StaffOwn),
			"/tokens/{id}", "/tokens/999999", "{membership}", "999999", "/graduations/{id}", "/graduations/999999", "{campus}", "999999",
			"/exchanges/{id}", "/exchanges/999999", "/exchange-teams/{id}", "/exchange-teams/999999", "/exams/{id}", "/exams/999999", "/notifications/{id}", "/notifications/999999",
			"/plan-rounds/{id}", "/plan-rounds/999999", "{school}", fmt.Sprintf("%d", e.IDs.School),
			"/mentoring/pairs/{id}", "/mentoring/pairs/999999", "{activity}", "999999",
			"/mentoring/pairs/{id}", "/mentoring/pairs/999999", "/curriculum/matches/{id}", "/curriculum/matches/999999",
			"/mentoring/pairs/{id}", "/mentoring/pairs/999999",
			"/research/preps/{id}", "/research/preps/999999", "/research/observations/{id}", "/research/observations/999999", "/research/activities/{id}", "/research/activities/999999",
			"/mentoring/pairs/{id}", "/mentoring/pairs/999999", "/resources/{id}", "/resources/999999",
			"/mentoring/pairs/{id}", "/mentoring/pairs/999999", "/rules/{id}", "/rules/999999", "/meetings/{id}", "/meetings/999999", "/followups/{id}", "/followups/999999", "/member-reports/{id}", "/member-reports/999999",
			"{number}", student,
		)
		routes := srv.Router().Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Pattern < routes[j].Pattern })
		clients := map[string]*apptest.Client{}
		for role, user := range roleUsers {
			clients[role] = e.Login(user)
		}
		anon := e.Anon()
		for _, rt := range routes {
			key := rt.Method + " " + rt.Pattern
			path := subst.Replace(rt.Pattern)
			if strings.Contains(path, "{") {
				t.Fatalf("no value for a parameter of %s", key)
			}
			var body any
			if rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" {
				body = map[string]any{}
			}
			spec := allowed[key]
			if spec != nil {
				if s, b := anon.Do(rt.Method, path, body); s != 401 {
					t.Errorf("%s without login: %d %s", key, s, b)
				}
			}
			for _, role := range everyone {
				c := clients[role]
				s, b := c.Do(rt.Method, path, body)
				ok := spec == nil || contains(spec, role)
				switch {
				case spec == nil:
					// Public: the answer depends on the input, never on the role.
				case ok && (s == 401 || s == 403):
					t.Errorf("%s as %s: %d %s, want access", key, role, s, b)
				case !ok && s != 403:
					t.Errorf("%s as %s: %d %s, want 403", key, role, s, b)
				}
				if key == "DELETE /api/v1/session" && s == 204 {
					clients[role] = e.Login(roleUsers[role])
				}
			}
		}
		if e.AuditCount("access.denied", "denied") == 0 {
			t.Fatal("denied requests were not audited")
		}
	})
}

// TestScopeMatrix reads own, sibling-in-group and other-group objects as each
// business role: out of scope answers 404 exactly like a missing object, and
// the attempt is audited.
func TestScopeMatrix(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		d := e.IDs
		type obj struct {
			name, path string
		}
		objs := []obj{
			{"school own", fmt.Sprintf("/api/v1/schools/%d", d.School)},
			{"school sibling", fmt.Sprintf("/api/v1/schools/%d", d.SiblingSchool)},
			{"school other", fmt.Sprintf("/api/v1/schools/%d", d.OtherSchool)},
			{"group own", fmt.Sprintf("/api/v1/groups/%d", d.Group)},
			{"group other", fmt.Sprintf("/api/v1/groups/%d", d.OtherGroup)},
			{"staff own", fmt.Sprintf("/api/v1/staff/%d", d.StaffOwn)},
			{"staff sibling", fmt.Sprintf("/api/v1/staff/%d", d.StaffSibling)},
			{"staff other", fmt.Sprintf("/api/v1/staff/%d", d.StaffOther)},
		}
		all := []int{200, 200, 200, 200, 200, 200, 200, 200}
		want := map[string][]int{
			"bureau_leader": all, "section_basic": all, "section_cadre": all, "section_personnel": all, "supervision": all,
			// The group leader sees the whole group, nothing outside it.
			"group_admin": {200, 200, 404, 200, 404, 200, 200, 404},
			// The school admin sees the group's schools (public facts) but
			// only the own school's staff.
			"school_admin": {200, 200, 404, 200, 404, 200, 404, 404},
			// The teacher sees the own school and group, and only their own record.
			"teacher": {200, 404, 404, 200, 404, 200, 404, 404},
		}
		for role, codes := range want {
			c := e.Login(roleUsers[role])
			for i, o := range objs {
				s, b := c.Do("GET", o.path, nil)
				if s != codes[i] {
					t.Errorf("%s reading %s: %d %s, want %d", role, o.name, s, b, codes[i])
				}
			}
		}
		missing := e.Login("groupadmin")
		s1, b1 := missing.Do("GET", "/api/v1/schools/99999999", nil)
		s2, b2 := missing.Do("GET", fmt.Sprintf("/api/v1/schools/%d", d.OtherSchool), nil)
		if s1 != 404 || s2 != 404 || apptest.ParseErr(t, b1).Error.Message != apptest.ParseErr(t, b2).Error.Message {
			t.Fatalf("missing and out-of-scope answer differently: %s / %s", b1, b2)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'school' AND object_id = $1`, apptest.Itoa(d.OtherSchool)); n == 0 {
			t.Fatal("out-of-scope read not audited")
		}

		// Lists are narrowed the same way.
		total := func(c *apptest.Client, path string) int {
			s, b := c.Do("GET", path, nil)
			if s != 200 {
				t.Fatalf("%s: %d %s", path, s, b)
			}
			return apptest.Decode[struct {
				Total int `json:"total"`
			}](t, b).Total
		}
		members := int(e.One(`SELECT count(*) FROM group_members WHERE group_id = $1 AND left_on IS NULL`, d.Group))
		groupStaff := int(e.One(`SELECT count(*) FROM staff WHERE school_id IN (SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL)`, d.Group))
		schoolStaff := int(e.One(`SELECT count(*) FROM staff WHERE school_id = $1`, d.School))
		allSchools := int(e.One(`SELECT count(*) FROM schools`))
		for _, c := range []struct {
			user, path string
			want       int
		}{
			{"leader", "/api/v1/schools", allSchools},
			{"groupadmin", "/api/v1/schools", members},
			{"groupadmin", "/api/v1/staff", groupStaff},
			{"principal", "/api/v1/schools", members},
			{"principal", "/api/v1/staff", schoolStaff},
			{"teacher", "/api/v1/schools", 1},
			{"teacher", "/api/v1/staff", 1},
		} {
			if got := total(e.Login(c.user), c.path); got != c.want {
				t.Errorf("%s %s: total %d, want %d", c.user, c.path, got, c.want)
			}
		}
		// Phones and ID numbers are masked in lists.
		_, b := e.Login("leader").Do("GET", "/api/v1/staff?page_size=5", nil)
		list := apptest.Decode[struct {
			Items []struct {
				Phone  string `json:"phone"`
				IDCard string `json:"id_card"`
			} `json:"items"`
		}](t, b)
		for _, it := range list.Items {
			if !strings.Contains(it.Phone, "****") || !strings.Contains(it.IDCard, "**********") || len(it.IDCard) != 18 {
				t.Fatalf("unmasked: %+v", it)
			}
		}
	})
}
