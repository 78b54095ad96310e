package main

// The registry scenarios: the school, group and staff lists and details a
// bureau and a group leader page through, with random pages, sorts, filters
// and ids so that no cache and no single query plan carries the figures.
// They are meant for a province-sized registry (see run-province.sh) and are
// judged against their own target, p99 < 100 ms.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// registryP99 is the stated target of the registry scenarios.
const registryP99 = 100 * time.Millisecond

// registryScenarios run, in this order, for -scenarios registry. The -ga
// variants are the list scenarios as -group-user (one group's schools).
var registryScenarios = []string{
	"schools-list", "school-detail", "groups-list", "group-detail", "staff-list", "staff-detail",
	"schools-list-ga", "groups-list-ga", "staff-list-ga",
}

// defaultScenarios run when -scenarios is not given (or names "default").
// "bare" comes first: the other read scenarios are compared with it.
var defaultScenarios = []string{"bare", "login", "session", "schools", "school", "staff", "person", "exchanges", "exchange"}

type idItem struct {
	ID         int64 `json:"id"`
	StaffCount int   `json:"staff_count"`
}

// scopeData is what one account sees, sampled once: every school (with its
// staff count, for a school filter's page range) and group, a random sample
// of staff ids, and the staff total.
type scopeData struct {
	schools    []idItem
	groups     []int64
	staff      []int64
	staffTotal int
}

// registryState caches sessions and samples across the registry scenarios,
// so that nine scenarios do not log in 450 times. Scenarios are prepared one
// after the other; the mutex only keeps that assumption from mattering.
type registryState struct {
	mu      sync.Mutex
	cookies map[string][]*http.Cookie
	scopes  map[string]*scopeData
}

// cookiesOf logs in one session per client as user, once per run.
func (l *loader) cookiesOf(ctx context.Context, user string) ([]*http.Cookie, error) {
	rs := &l.reg
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if cks, ok := rs.cookies[user]; ok {
		return cks, nil
	}
	cks, err := l.sessions(ctx, l.cfg.clients, func(int) string { return user })
	if err != nil {
		return nil, err
	}
	if rs.cookies == nil {
		rs.cookies = map[string][]*http.Cookie{}
	}
	rs.cookies[user] = cks
	return cks, nil
}

// getJSON runs one setup request and decodes the answer.
func (l *loader) getJSON(ctx context.Context, ck *http.Cookie, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.url(path), nil)
	req.AddCookie(ck)
	resp, err := l.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	return json.Unmarshal(body, out)
}

// staffSamplePages is how many random pages of 200 staff are read to draw
// the staff-detail ids from (up to 4,000 ids).
const staffSamplePages = 20

// scopeOf samples what user sees, once per run.
func (l *loader) scopeOf(ctx context.Context, user string, ck *http.Cookie) (*scopeData, error) {
	rs := &l.reg
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if sd, ok := rs.scopes[user]; ok {
		return sd, nil
	}
	sd := &scopeData{}
	// Every school and group, 200 a page.
	for page := 1; ; page++ {
		var lp struct {
			Total int      `json:"total"`
			Items []idItem `json:"items"`
		}
		if err := l.getJSON(ctx, ck, "/api/v1/schools?page_size=200&sort=code&page="+strconv.Itoa(page), &lp); err != nil {
			return nil, fmt.Errorf("schools as %s: %w", user, err)
		}
		sd.schools = append(sd.schools, lp.Items...)
		if len(lp.Items) == 0 || len(sd.schools) >= lp.Total {
			break
		}
	}
	for page := 1; ; page++ {
		var lp struct {
			Total int      `json:"total"`
			Items []idItem `json:"items"`
		}
		if err := l.getJSON(ctx, ck, "/api/v1/groups?page_size=200&page="+strconv.Itoa(page), &lp); err != nil {
			return nil, fmt.Errorf("groups as %s: %w", user, err)
		}
		for _, it := range lp.Items {
			sd.groups = append(sd.groups, it.ID)
		}
		if len(lp.Items) == 0 || len(sd.groups) >= lp.Total {
			break
		}
	}
	// A sample of staff: random pages of 200 (all of them for a small scope).
	var first struct {
		Total int      `json:"total"`
		Items []idItem `json:"items"`
	}
	if err := l.getJSON(ctx, ck, "/api/v1/staff?page_size=200&page=1", &first); err != nil {
		return nil, fmt.Errorf("staff as %s: %w", user, err)
	}
	sd.staffTotal = first.Total
	pages := (first.Total + 199) / 200
	seen := map[int]bool{1: true}
	for _, it := range first.Items {
		sd.staff = append(sd.staff, it.ID)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for len(seen) < min(pages, staffSamplePages) {
		p := 1 + rng.IntN(pages)
		if seen[p] {
			continue
		}
		seen[p] = true
		var lp struct {
			Items []idItem `json:"items"`
		}
		if err := l.getJSON(ctx, ck, "/api/v1/staff?page_size=200&page="+strconv.Itoa(p), &lp); err != nil {
			return nil, fmt.Errorf("staff as %s: %w", user, err)
		}
		for _, it := range lp.Items {
			sd.staff = append(sd.staff, it.ID)
		}
	}
	if len(sd.schools) == 0 || len(sd.groups) == 0 || len(sd.staff) == 0 {
		return nil, fmt.Errorf("%s sees %d schools, %d groups, %d staff: nothing to measure (load a registry first)", user, len(sd.schools), len(sd.groups), len(sd.staff))
	}
	if rs.scopes == nil {
		rs.scopes = map[string]*scopeData{}
	}
	rs.scopes[user] = sd
	return sd, nil
}

var schoolListSorts = []string{"name", "code", "students"}

// The -sorts scenarios page through every sort the lists allow, ascending
// and descending. They are not part of "registry" (the nine) and run
// only when named.
var (
	schoolAllSorts = []string{"code", "name", "township", "stage", "students", "classes", "staff_count", "tier", "group_name"}
	staffAllSorts  = []string{"staff_no", "name", "school_name", "post", "title", "subject"}
)

// sortedPage is a random page of a list under a random sort and direction.
func sortedPage(rng *rand.Rand, pages int, sorts []string) url.Values {
	q := url.Values{"page_size": {"20"}, "page": {strconv.Itoa(1 + rng.IntN(pages))}, "sort": {sorts[rng.IntN(len(sorts))]}}
	if rng.IntN(2) == 0 {
		q.Set("order", "desc")
	}
	return q
}

// prepareRegistry builds the request maker of a registry scenario.
func (l *loader) prepareRegistry(ctx context.Context, name string) (requestMaker, string, error) {
	user := l.cfg.listUser
	switch name {
	case "schools-list-ga", "groups-list-ga", "staff-list-ga":
		user = l.cfg.groupUser
	}
	cookies, err := l.cookiesOf(ctx, user)
	if err != nil {
		return nil, "", err
	}
	sd, err := l.scopeOf(ctx, user, cookies[0])
	if err != nil {
		return nil, "", err
	}
	get := func(i int, path string) *http.Request {
		req, _ := http.NewRequest("GET", l.url(path), nil)
		req.AddCookie(cookies[i])
		return req
	}
	pagesOf := func(n int) int { return max(1, (n+19)/20) }
	switch name {
	case "schools-list", "schools-list-ga":
		pages := pagesOf(len(sd.schools))
		return func(i int, rng *rand.Rand) *http.Request {
			q := url.Values{"page_size": {"20"}, "page": {strconv.Itoa(1 + rng.IntN(pages))}, "sort": {schoolListSorts[rng.IntN(len(schoolListSorts))]}}
			return get(i, "/api/v1/schools?"+q.Encode())
		}, fmt.Sprintf("random page of %d, sort name/code/students, as %s", pages, user), nil
	case "school-detail":
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/schools/"+strconv.FormatInt(sd.schools[rng.IntN(len(sd.schools))].ID, 10))
		}, fmt.Sprintf("random one of %d schools, as %s", len(sd.schools), user), nil
	case "groups-list", "groups-list-ga":
		pages := pagesOf(len(sd.groups))
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/groups?page_size=20&page="+strconv.Itoa(1+rng.IntN(pages)))
		}, fmt.Sprintf("random page of %d, as %s", pages, user), nil
	case "group-detail":
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/groups/"+strconv.FormatInt(sd.groups[rng.IntN(len(sd.groups))], 10))
		}, fmt.Sprintf("random one of %d groups, as %s", len(sd.groups), user), nil
	case "staff-list", "staff-list-ga":
		pages := pagesOf(sd.staffTotal)
		return func(i int, rng *rand.Rand) *http.Request {
			if rng.IntN(2) == 0 {
				return get(i, "/api/v1/staff?page_size=20&page="+strconv.Itoa(1+rng.IntN(pages)))
			}
			s := sd.schools[rng.IntN(len(sd.schools))]
			return get(i, "/api/v1/staff?page_size=20&school_id="+strconv.FormatInt(s.ID, 10)+"&page="+strconv.Itoa(1+rng.IntN(pagesOf(s.StaffCount))))
		}, fmt.Sprintf("half a random page of %d, half a random school's random page, as %s", pages, user), nil
	case "schools-sorts":
		pages := pagesOf(len(sd.schools))
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/schools?"+sortedPage(rng, pages, schoolAllSorts).Encode())
		}, fmt.Sprintf("random page of %d, any of the %d sorts, either order, as %s", pages, len(schoolAllSorts), user), nil
	case "staff-sorts":
		pages := pagesOf(sd.staffTotal)
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/staff?"+sortedPage(rng, pages, staffAllSorts).Encode())
		}, fmt.Sprintf("random page of %d, any of the %d sorts, either order, as %s", pages, len(staffAllSorts), user), nil
	case "staff-detail":
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/staff/"+strconv.FormatInt(sd.staff[rng.IntN(len(sd.staff))], 10))
		}, fmt.Sprintf("random one of %d sampled staff, as %s", len(sd.staff), user), nil
	}
	return nil, "", fmt.Errorf("unknown scenario %q", name)
}
