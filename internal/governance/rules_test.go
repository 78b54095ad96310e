package governance_test

import (
	"fmt"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/governance"
	"edugroup/internal/store"
)

type detail = governance.RuleDetail

func fields(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	for _, d := range apptest.ParseErr(t, b).Error.Details {
		out = append(out, d.Field)
	}
	return strings.Join(out, ",")
}

func arts(texts ...string) []map[string]any {
	out := []map[string]any{}
	for _, x := range texts {
		out = append(out, map[string]any{"heading": "", "text": x})
	}
	return out
}

func row(d detail, school int64) *governance.Adoption {
	for i := range d.Board {
		if d.Board[i].SchoolID == school {
			return &d.Board[i]
		}
	}
	return nil
}

// TestRuleVersions walks the main path: the group drafts a rule (bad input
// named by field), publishes it; a school never sees a draft, confirms the
// version it read (a stale one refused), cannot answer twice; another
// objects with a reason and is answered; a second version supersedes the
// first and asks every school again, with the diff article by article and
// the rulebook as of a date keeping the version then in force.
func TestRuleVersions(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		ga, pr, lead := e.Login("groupadmin"), e.Login("principal"), e.Login("leadadmin")
		d := e.IDs

		s, b := ga.Do("POST", "/api/v1/rules", map[string]any{"group_id": d.Group, "title": "", "category": "nope", "articles": arts("ok", " ")})
		if s != 422 || fields(t, b) != "title,category,articles[1].text" {
			t.Fatalf("bad rule: %d %s", s, b)
		}
		if s, b := ga.Do("POST", "/api/v1/rules", map[string]any{"group_id": d.OtherGroup, "title": "x", "category": "safety", "articles": arts("a")}); s != 404 {
			t.Fatalf("another group's rule: %d %s", s, b)
		}
		s, b = ga.Do("POST", "/api/v1/rules", map[string]any{"group_id": d.Group, "title": "集团卫生制度", "category": "hygiene", "articles": arts("第一条", "第二条", "第三条")})
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		r := apptest.Decode[detail](t, b)
		id := r.Rule.ID
		path := fmt.Sprintf("/api/v1/rules/%d", id)
		if r.Rule.Draft != 1 || r.Rule.Current != 0 || len(r.Versions) != 1 || r.Versions[0].Status != "draft" {
			t.Fatalf("draft: %+v", r)
		}
		// A school does not see a rule before its first publication.
		if s, _ := pr.Do("GET", path, nil); s != 404 {
			t.Fatalf("the school reads a draft: %d", s)
		}
		if s, b := ga.Do("POST", path+"/publish", map[string]any{"version": r.Rule.Version + 1}); s != 409 {
			t.Fatalf("stale publish: %d %s", s, b)
		}
		if s, b := ga.Do("POST", path+"/publish", map[string]any{"version": r.Rule.Version, "confirm_by": "2001-01-01"}); s != 422 || fields(t, b) != "confirm_by" {
			t.Fatalf("past date: %d %s", s, b)
		}
		s, b = ga.Do("POST", path+"/publish", map[string]any{"version": r.Rule.Version})
		r = apptest.Decode[detail](t, b)
		members := int(e.One(`SELECT count(*) FROM group_members WHERE group_id = $1 AND left_on IS NULL`, d.Group))
		if s != 200 || r.Rule.Current != 1 || r.Rule.Draft != 0 || len(r.Board) != members || r.Rule.Pending != members {
			t.Fatalf("publish: %d %s", s, b)
		}
		want := store.Date{Time: store.Today().AddDate(0, 0, 14)}
		if r.Rule.ConfirmBy.String() != want.String() {
			t.Errorf("confirm by %s, want %s (the policy's 14 days)", r.Rule.ConfirmBy, want)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'principal' AND n.kind = 'rulebook.published' AND n.subject LIKE '%集团卫生制度'`); n != 1 {
			t.Errorf("principal told of the publication %d times", n)
		}

		// The school sees the published version and only its own row.
		s, b = pr.Do("GET", path, nil)
		pv := apptest.Decode[detail](t, b)
		if s != 200 || len(pv.Board) != 1 || pv.Board[0].SchoolID != d.School || pv.Board[0].Status != "pending" || pv.Actions[0] != "answer" {
			t.Fatalf("school's view: %d %s", s, b)
		}
		answer := fmt.Sprintf("%s/adoptions/%d", path, d.School)
		if s, b := pr.Do("POST", fmt.Sprintf("%s/adoptions/%d", path, d.SiblingSchool), map[string]any{"version_no": 1, "decision": "adopt"}); s != 404 {
			t.Fatalf("answering for another school: %d %s", s, b)
		}
		if s, b := pr.Do("POST", answer, map[string]any{"version_no": 1, "decision": "object"}); s != 422 || fields(t, b) != "reason" {
			t.Fatalf("objection without a reason: %d %s", s, b)
		}
		if s, b := pr.Do("POST", answer, map[string]any{"version_no": 2, "decision": "adopt"}); s != 409 {
			t.Fatalf("a version not in force: %d %s", s, b)
		}
		s, b = pr.Do("POST", answer, map[string]any{"version_no": 1, "decision": "adopt"})
		if s != 200 || apptest.Decode[detail](t, b).Board[0].Status != "adopted" || apptest.Decode[detail](t, b).Board[0].AnsweredBy == "" {
			t.Fatalf("adopt: %d %s", s, b)
		}
		if s, b := pr.Do("POST", answer, map[string]any{"version_no": 1, "decision": "adopt"}); s != 409 {
			t.Fatalf("adopted twice: %d %s", s, b)
		}
		leadAnswer := fmt.Sprintf("%s/adoptions/%d", path, d.LeadSchool)
		if s, b := lead.Do("POST", leadAnswer, map[string]any{"version_no": 1, "decision": "object", "reason": "第三条与本校实际不符"}); s != 200 {
			t.Fatalf("object: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'groupadmin' AND n.kind = 'rulebook.objected' AND n.note = '第三条与本校实际不符'`); n != 1 {
			t.Errorf("group told of the objection %d times", n)
		}
		s, b = ga.Do("POST", leadAnswer+"/reply", map[string]any{"version_no": 1, "reply": "下一版修改第三条"})
		g := apptest.Decode[detail](t, b)
		if s != 200 || row(g, d.LeadSchool).Status != "objected" || row(g, d.LeadSchool).Reply != "下一版修改第三条" || row(g, d.School).Status != "adopted" {
			t.Fatalf("reply: %d %s", s, b)
		}
		if s, b := ga.Do("POST", answer+"/reply", map[string]any{"version_no": 1, "reply": "x"}); s != 409 {
			t.Fatalf("reply to no objection: %d %s", s, b)
		}

		// A second version supersedes the first and asks every school again.
		s, b = ga.Do("PUT", path+"/draft", map[string]any{"version": g.Rule.Version, "title": "集团卫生管理制度", "category": "hygiene",
			"articles": arts("第一条", "新增一条", "第二条", "第三条（修订）"), "note": "修订第三条"})
		g = apptest.Decode[detail](t, b)
		if s != 200 || g.Rule.Draft != 2 || g.Rule.Current != 1 {
			t.Fatalf("draft v2: %d %s", s, b)
		}
		s, b = ga.Do("GET", path+"/diff", nil)
		df := apptest.Decode[governance.DiffAnswer](t, b)
		var kinds []string
		for _, c := range df.Changes {
			kinds = append(kinds, fmt.Sprintf("%s:%d:%d", c.Kind, c.FromNo, c.ToNo))
		}
		if s != 200 || df.From.No != 1 || df.To.No != 2 || strings.Join(kinds, ",") != "added:0:2,changed:3:4" {
			t.Fatalf("diff: %d %v %s", s, kinds, b)
		}
		// The school cannot diff against a draft it cannot see.
		if s, b := pr.Do("GET", path+"/diff?from=1&to=2", nil); s != 422 || fields(t, b) != "to" {
			t.Fatalf("school diff with the draft: %d %s", s, b)
		}
		s, b = ga.Do("POST", path+"/publish", map[string]any{"version": g.Rule.Version})
		g = apptest.Decode[detail](t, b)
		if s != 200 || g.Rule.Current != 2 || g.Rule.Title != "集团卫生管理制度" || g.Rule.Pending != members || row(g, d.School).AdoptedNo != 1 {
			t.Fatalf("publish v2: %d %s", s, b)
		}
		if g.Versions[1].Status != "superseded" || g.Versions[1].SupersededAt == nil || g.Versions[0].Status != "published" {
			t.Fatalf("history: %+v", g.Versions)
		}
		// An answer to the superseded version is refused.
		if s, b := pr.Do("POST", answer, map[string]any{"version_no": 1, "decision": "adopt"}); s != 409 {
			t.Fatalf("answer to a superseded version: %d %s", s, b)
		}
		if s, b := pr.Do("POST", answer, map[string]any{"version_no": 2, "decision": "adopt"}); s != 200 {
			t.Fatalf("adopt v2: %d %s", s, b)
		}

		// The rulebook as of today holds version 2, as of 2001 nothing.
		s, b = pr.Do("GET", "/api/v1/rulebook", nil)
		bk := apptest.Decode[governance.Book](t, b)
		found := false
		for _, br := range bk.Rules {
			if br.RuleID == id {
				found = br.No == 2 && len(br.Articles) == 4
			}
		}
		if s != 200 || bk.GroupID != d.Group || !found {
			t.Fatalf("rulebook: %d %s", s, b)
		}
		s, b = ga.Do("GET", fmt.Sprintf("/api/v1/rulebook?group_id=%d&as_of=2001-01-01", d.Group), nil)
		if s != 200 || len(apptest.Decode[governance.Book](t, b).Rules) != 0 {
			t.Fatalf("rulebook in 2001: %d %s", s, b)
		}
		if s, _ := pr.Do("GET", fmt.Sprintf("/api/v1/rulebook?group_id=%d", d.OtherGroup), nil); s != 404 {
			t.Fatalf("another group's rulebook: %d", s)
		}
		if e.AuditCount("rulebook.publish", "ok") < 2 || e.AuditCount("rulebook.answer", "ok") < 3 {
			t.Error("steps not audited")
		}
	})
}

// TestScopeAndList: the county reads every rule, the group its own with the
// drafts, a school the published rules of its group; lists filter, sort
// and page; the demo rulebook has a superseded version, an objection and a
// school that has not confirmed, which are workbench to-dos.
func TestScopeAndList(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		list := func(user, q string) web {
			s, b := e.Login(user).Do("GET", "/api/v1/rules"+q, nil)
			if s != 200 {
				t.Fatalf("%s list %s: %d %s", user, q, s, b)
			}
			return apptest.Decode[web](t, b)
		}
		all := list("jijiao", "")
		if all.Total != 2 {
			t.Fatalf("county sees %d rules", all.Total)
		}
		if got := list("groupadmin", "?status=draft"); got.Total != 1 || got.Items[0].Category != "attendance" {
			t.Fatalf("drafts: %+v", got)
		}
		school := list("principal", "")
		if school.Total != 1 || school.Items[0].Current != 2 || school.Items[0].Pending != 1 || school.Items[0].Adopted != 0 {
			t.Fatalf("school list: %+v", school)
		}
		if got := list("groupadmin", "?status=objected&q=安全"); got.Total != 1 || got.Items[0].Objected != 1 {
			t.Fatalf("objected: %+v", got)
		}
		if got := list("groupadmin", "?sort=title&page=2&page_size=1"); got.Total != 2 || len(got.Items) != 1 || got.Items[0].Title != "集团教师考勤管理制度" {
			t.Fatalf("paging: %+v", got)
		}
		if s, _ := e.Login("teacher").Do("GET", "/api/v1/rules", nil); s != 403 {
			t.Fatalf("teacher: %d", s)
		}
		rule := school.Items[0]
		s, b := e.Login("groupadmin").Do("GET", fmt.Sprintf("/api/v1/rules/%d", rule.ID), nil)
		g := apptest.Decode[detail](t, b)
		if s != 200 || len(g.Versions) != 2 || g.Versions[1].Status != "superseded" || g.Rule.Pending != 1 || g.Rule.Objected != 1 {
			t.Fatalf("demo rule: %d %s", s, b)
		}
		if row(g, e.IDs.School).Status != "pending" || row(g, e.IDs.School).AdoptedNo != 1 {
			t.Fatalf("principal's school: %+v", row(g, e.IDs.School))
		}

		type wb struct {
			Todo []struct {
				Source, Kind string
				DueOn        *string `json:"due_on"`
			} `json:"todo"`
			Upcoming []struct{ Source, Kind string } `json:"upcoming"`
		}
		get := func(user string) wb {
			s, b := e.Login(user).Do("GET", "/api/v1/workbench", nil)
			if s != 200 {
				t.Fatalf("%s workbench: %d %s", user, s, b)
			}
			return apptest.Decode[wb](t, b)
		}
		kinds := func(w wb) string {
			var out []string
			for _, it := range w.Todo {
				if it.Source == "governance" && strings.HasPrefix(it.Kind, "rulebook.") {
					out = append(out, it.Kind)
				}
			}
			return strings.Join(out, ",")
		}
		p := get("principal")
		if kinds(p) != "rulebook.adopt" {
			t.Errorf("principal's to-dos: %s", kinds(p))
		}
		for _, it := range p.Todo {
			if it.Kind == "rulebook.adopt" && (it.DueOn == nil || *it.DueOn != g.Rule.ConfirmBy.String()) {
				t.Errorf("adopt due %v, want %s", it.DueOn, g.Rule.ConfirmBy)
			}
		}
		if k := kinds(get("groupadmin")); k != "rulebook.objection" {
			t.Errorf("group's to-dos: %s", k)
		}
		if k := kinds(get("leadadmin")); k != "" {
			t.Errorf("lead school's to-dos: %s", k)
		}
		// Confirming clears the school's to-do.
		if s, b := e.Login("principal").Do("POST", fmt.Sprintf("/api/v1/rules/%d/adoptions/%d", rule.ID, e.IDs.School), map[string]any{"version_no": 2, "decision": "adopt"}); s != 200 {
			t.Fatalf("adopt: %d %s", s, b)
		}
		if k := kinds(get("principal")); k != "" {
			t.Errorf("principal's to-dos after adopting: %s", k)
		}
	})
}

type web = struct {
	Items []governance.Rule `json:"items"`
	Total int               `json:"total"`
}

func TestDiffArticles(t *testing.T) {
	a := func(s ...string) []governance.Article {
		var out []governance.Article
		for _, x := range s {
			out = append(out, governance.Article{Text: x})
		}
		return out
	}
	for _, c := range []struct {
		before, after []governance.Article
		want          string
	}{
		{a("1", "2", "3"), a("1", "2", "3"), ""},
		{a("1", "2", "3"), a("1", "3"), "removed:2:0"},
		{a("1", "2"), a("0", "1", "2", "4"), "added:0:1,added:0:4"},
		{a("1", "2", "3"), a("1", "x", "3"), "changed:2:2"},
		{nil, a("1"), "added:0:1"},
	} {
		var got []string
		for _, ch := range governance.DiffArticles(c.before, c.after) {
			got = append(got, fmt.Sprintf("%s:%d:%d", ch.Kind, ch.FromNo, ch.ToNo))
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%v → %v: %v, want %s", c.before, c.after, got, c.want)
		}
	}
}
