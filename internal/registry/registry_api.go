package registry

import (
	"context"
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/web"
)

// API is the registry's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

type scopeList struct {
	Items []ScopeOption `json:"items"`
}

func actorOf(r *http.Request) auth.Actor {
	a, _ := auth.FromContext(r.Context())
	return a
}

func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

var listParams = []web.Param{web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200"), web.Q("sort", "string", "column"), web.Q("order", "string", "asc or desc")}

// Routes registers the registry's endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "registry"
	rt.Handle("GET", "/api/v1/schools", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Schools in the caller's scope", Tag: tag, Response: web.List[School]{},
		Query: append([]web.Param{web.Q("q", "string", "name or code contains"), web.Q("township", "string", ""), web.Q("stage", "string", ""), web.Q("tier", "string", ""),
			web.Q("urban_rural", "string", ""), web.Q("group_id", "integer", "")}, listParams...)},
		func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			page, size := web.Page(r)
			f := SchoolFilter{Q: q.Get("q"), Township: q.Get("township"), Stage: q.Get("stage"), Tier: q.Get("tier"), UrbanRural: q.Get("urban_rural"),
				GroupID: queryInt(r, "group_id"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, Size: size}
			items, total, err := api.svc.ListSchools(r.Context(), actorOf(r), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.List[School]{Items: items, Total: total, Page: page, PageSize: size})
		})
	rt.Handle("GET", "/api/v1/schools/{id}", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "One school", Tag: tag, Response: School{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			x, err := api.svc.GetSchool(r.Context(), actorOf(r), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, x)
		})
	rt.Handle("GET", "/api/v1/groups", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "Education groups in the caller's scope (all on one page: a county has tens)", Tag: tag, Response: web.List[Group]{},
		Query: []web.Param{web.Q("q", "string", "name contains")}},
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := api.svc.ListGroups(r.Context(), actorOf(r), r.URL.Query().Get("q"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.List[Group]{Items: items, Total: len(items), Page: 1, PageSize: len(items)})
		})
	rt.Handle("GET", "/api/v1/groups/{id}", web.Perm(auth.PermRegistryRead), web.Doc{Summary: "One education group", Tag: tag, Response: Group{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			g, err := api.svc.GetGroup(r.Context(), actorOf(r), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, g)
		})
	rt.Handle("GET", "/api/v1/staff", web.Perm(auth.PermStaffRead), web.Doc{Summary: "Staff in the caller's scope (phone and ID number masked)", Tag: tag, Response: web.List[Staff]{},
		Query: append([]web.Param{web.Q("q", "string", "name or staff number contains"), web.Q("school_id", "integer", ""), web.Q("post", "string", "")}, listParams...)},
		func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			page, size := web.Page(r)
			f := StaffFilter{Q: q.Get("q"), SchoolID: queryInt(r, "school_id"), Post: q.Get("post"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, Size: size}
			items, total, err := api.svc.ListStaff(r.Context(), actorOf(r), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.List[Staff]{Items: items, Total: total, Page: page, PageSize: size})
		})
	rt.Handle("GET", "/api/v1/staff/{id}", web.Perm(auth.PermStaffRead), web.Doc{Summary: "One staff member (masked)", Tag: tag, Response: Staff{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			x, err := api.svc.GetStaff(r.Context(), actorOf(r), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, x)
		})
	rt.Handle("GET", "/api/v1/scopes", web.Perm(auth.PermRolesManage), web.Doc{Summary: "Groups or schools to pick as a grant's scope", Tag: "users", Response: scopeList{},
		Query: []web.Param{web.Q("type", "string", "group or school"), web.Q("q", "string", "name contains")}},
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := api.svc.ScopeOptions(r.Context(), actorOf(r), r.URL.Query().Get("type"), r.URL.Query().Get("q"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, scopeList{items})
		})
}

// Cards implements web.DashboardSource: the registry's figures in scope.
func (s *Service) Cards(ctx context.Context, a auth.Actor) ([]web.Card, error) {
	if !a.Has(auth.PermRegistryRead) {
		return nil, nil
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []web.Card
	var c cond
	schoolScope(&c, r)
	var schools, students int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*), COALESCE(sum(s.students), 0) FROM schools s"+c.where(), c.args...).Scan(&schools, &students); err != nil {
		return nil, err
	}
	var g cond
	groupScope(&g, r)
	var groups int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*) FROM edu_groups g"+g.where(), g.args...).Scan(&groups); err != nil {
		return nil, err
	}
	var sc cond
	staffScope(&sc, r)
	var staff int64
	if err := s.st.R.QueryRowContext(ctx, "SELECT count(*) FROM staff st"+sc.where(), sc.args...).Scan(&staff); err != nil {
		return nil, err
	}
	out = append(out, web.Card{Key: "schools", Value: schools}, web.Card{Key: "groups", Value: groups}, web.Card{Key: "staff", Value: staff}, web.Card{Key: "students", Value: students})
	if r.county {
		// Coverage (三、工作目标): how much of the county the groups reach today.
		var inSchools, inStudents int64
		if err := s.st.R.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(s.students), 0) FROM schools s
			WHERE s.id IN (SELECT school_id FROM group_members WHERE left_on IS NULL)`).Scan(&inSchools, &inStudents); err != nil {
			return nil, err
		}
		out = append(out, web.Card{Key: "schools_in_groups", Value: inSchools}, web.Card{Key: "students_in_groups", Value: inStudents})
	}
	return out, nil
}
