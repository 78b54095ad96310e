// Command load measures how EduGroup answers under concurrent clients: log in,
// check the session, list schools, page through staff; with -scenarios
// registry, the school, group and staff lists and details of a
// province-sized registry. Each scenario runs for a fixed time with a fixed
// number of clients and reports throughput and latency percentiles. It talks
// only to a server on this machine.
//
//	go run ./tools/load -url http://127.0.0.1:8080 -c 50 -d 20s -password Demo@2026
//	go run ./tools/load -url http://127.0.0.1:8080 -scenarios registry
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
)

const sessionCookie = "edugroup_session"

// demoUsers are the demo county's accounts, logged in round-robin.
const demoUsers = "sysadmin,secadmin,auditadmin,leader,jijiao,ganbu,renshi,dudao,groupadmin,principal,leadadmin,teacher,multi"

// The stated target for the read scenarios; the registry scenarios have
// their own (registryP99).
const (
	targetClients = 50
	targetP99     = 50 * time.Millisecond
)

// scenario says whether a scenario is judged, and against what p99.
type scenario struct {
	read   bool // a read scenario, judged against target
	target time.Duration
}

var scenarioInfo = map[string]scenario{
	"login": {}, "session": {true, targetP99}, "schools": {true, targetP99}, "staff": {true, targetP99},
	"schools-list": {true, registryP99}, "school-detail": {true, registryP99}, "groups-list": {true, registryP99},
	"school": {true, targetP99}, "person": {true, targetP99}, "exchanges": {true, targetP99}, "exchange": {true, targetP99},
	"bare":         {},
	"group-detail": {true, registryP99}, "staff-list": {true, registryP99}, "staff-detail": {true, registryP99},
	"schools-list-ga": {true, registryP99}, "groups-list-ga": {true, registryP99}, "staff-list-ga": {true, registryP99},
	"schools-sorts": {true, registryP99}, "staff-sorts": {true, registryP99},
}

type config struct {
	base      *url.URL
	clients   int
	duration  time.Duration
	maxReqs   int64
	timeout   time.Duration
	password  string
	users     []string
	listUser  string
	groupUser string
	scenarios []string
	strict    bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "EduGroup base URL; only loopback hosts are accepted")
	clients := fs.Int("c", 50, "concurrent clients per scenario")
	duration := fs.Duration("d", 20*time.Second, "duration of each scenario")
	maxReqs := fs.Int64("max", 1_000_000, "at most this many requests per scenario")
	timeout := fs.Duration("timeout", 10*time.Second, "timeout of one request")
	defPw := os.Getenv("EDUGROUP_DEMO_PASSWORD")
	if defPw == "" {
		defPw = "Demo@2026"
	}
	password := fs.String("password", defPw, "password of the demo accounts (default $EDUGROUP_DEMO_PASSWORD, else the demo default)")
	users := fs.String("users", demoUsers, "accounts for the login and session scenarios, round-robin")
	listUser := fs.String("list-user", "leader", "account for the list scenarios (needs registry.read and staff.read county-wide)")
	groupUser := fs.String("group-user", "groupadmin", "account for the -ga registry scenarios (a group's scope)")
	scen := fs.String("scenarios", "default", "scenarios to run, in order; \"default\" is login,session,schools,staff and \"registry\" the school, group and staff lists and details")
	strict := fs.Bool("strict", false, "exit 1 when a read scenario misses the target")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	base, err := loopbackURL(*rawURL)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 2
	}
	cfg := config{base: base, clients: *clients, duration: *duration, maxReqs: *maxReqs, timeout: *timeout, password: *password,
		users: splitList(*users), listUser: *listUser, groupUser: *groupUser, scenarios: expandScenarios(splitList(*scen)), strict: *strict}
	switch {
	case cfg.clients < 1 || cfg.clients > 1000:
		err = errors.New("-c must be between 1 and 1000")
	case cfg.duration <= 0 || cfg.duration > 10*time.Minute:
		err = errors.New("-d must be between 0 and 10m")
	case cfg.maxReqs < 1 || cfg.maxReqs > 10_000_000:
		err = errors.New("-max must be between 1 and 10000000")
	case cfg.timeout <= 0 || cfg.timeout > time.Minute:
		err = errors.New("-timeout must be between 0 and 1m")
	case len(cfg.users) == 0:
		err = errors.New("-users is empty")
	}
	for _, s := range cfg.scenarios {
		if _, ok := scenarioInfo[s]; !ok {
			err = fmt.Errorf("unknown scenario %q (known: default = %s; registry = %s; and schools-sorts, staff-sorts)", s, strings.Join(defaultScenarios, ","), strings.Join(registryScenarios, ","))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 2
	}

	// Ctrl-C stops issuing requests; the figures so far are still printed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l := &loader{cfg: cfg, hc: newClient(cfg)}
	defer l.hc.CloseIdleConnections()
	defer func() {
		for _, c := range l.closers {
			c()
		}
	}()
	results, err := l.runAll(ctx, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 1
	}
	if !report(stdout, cfg, results) && cfg.strict {
		return 1
	}
	return 0
}

// expandScenarios replaces the names "default" and "registry" by their
// scenarios.
func expandScenarios(names []string) []string {
	var out []string
	for _, n := range names {
		switch n {
		case "default":
			out = append(out, defaultScenarios...)
		case "registry":
			out = append(out, registryScenarios...)
		default:
			out = append(out, n)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// loopbackURL accepts only http(s) URLs whose host is localhost, 127.0.0.0/8
// or ::1: this tool is for one's own machine, never someone's server.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("-url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("-url %q: scheme must be http or https", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("-url %q: refusing a host that is not loopback (localhost, 127.0.0.0/8, ::1)", raw)
	}
	u.Path, u.RawQuery, u.Fragment = strings.TrimSuffix(u.Path, "/"), "", ""
	return u, nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// newClient is one client for every simulated user: enough idle connections
// per host that c clients keep theirs, no proxy, no redirects, and a dialer
// that refuses any address that is not loopback, whatever "localhost"
// resolves to.
func newClient(cfg config) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("refusing to connect to non-loopback address %s", address)
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         d.DialContext,
		MaxIdleConns:        2 * cfg.clients,
		MaxIdleConnsPerHost: cfg.clients + 8,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type loader struct {
	cfg config
	hc  *http.Client
	reg registryState // sessions and samples of the registry scenarios
	// closers stop what scenarios started (the bare handler).
	closers []func()
}

func (l *loader) url(path string) string { return l.cfg.base.String() + path }

// result is one scenario's measurements.
type result struct {
	name     string
	note     string
	read     bool
	target   time.Duration
	clients  int
	elapsed  time.Duration
	lat      []time.Duration // every request, answered or not, sorted
	errors   int64
	statuses map[string]int64 // what the errors were
}

func (l *loader) runAll(ctx context.Context, progress io.Writer) ([]result, error) {
	if err := l.health(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "EduGroup load test: %s, %d clients, %s per scenario\n", l.cfg.base, l.cfg.clients, l.cfg.duration)
	var out []result
	for _, name := range l.cfg.scenarios {
		if ctx.Err() != nil {
			break
		}
		mk, note, err := l.prepare(ctx, name)
		if err != nil {
			return out, fmt.Errorf("prepare %s: %w", name, err)
		}
		fmt.Fprintf(progress, "  running %-15s ...", name)
		r := l.measure(ctx, mk)
		r.name, r.note, r.read, r.target = name, note, scenarioInfo[name].read, scenarioInfo[name].target
		fmt.Fprintf(progress, " %d requests\n", len(r.lat))
		out = append(out, r)
	}
	return out, nil
}

func (l *loader) health(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.url("/healthz"), nil)
	resp, err := l.hc.Do(req)
	if err != nil {
		return fmt.Errorf("no EduGroup at %s (%v); start one with: edugroup serve --demo --data DIR --addr %s", l.cfg.base, err, l.cfg.base.Host)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/healthz answered %d", l.cfg.base, resp.StatusCode)
	}
	return nil
}

// requestMaker builds the next request of client i.
type requestMaker func(i int, rng *rand.Rand) *http.Request

func (l *loader) prepare(ctx context.Context, name string) (requestMaker, string, error) {
	c := l.cfg.clients
	switch name {
	case "login":
		bodies := make([][]byte, len(l.cfg.users))
		for i, u := range l.cfg.users {
			bodies[i], _ = json.Marshal(map[string]string{"username": u, "password": l.cfg.password})
		}
		// Check the password once, so a wrong one is a clear error and not a
		// scenario full of 401s (and locked accounts).
		if _, err := l.login(ctx, l.cfg.users[0]); err != nil {
			return nil, "", err
		}
		var n atomic.Uint64
		return func(int, *rand.Rand) *http.Request {
			b := bodies[int(n.Add(1)-1)%len(bodies)]
			req, _ := http.NewRequest("POST", l.url("/api/v1/session"), bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			return req
		}, fmt.Sprintf("%d accounts round-robin", len(bodies)), nil
	case "session":
		cookies, err := l.sessions(ctx, c, func(i int) string { return l.cfg.users[i%len(l.cfg.users)] })
		if err != nil {
			return nil, "", err
		}
		return func(i int, _ *rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", l.url("/api/v1/session"), nil)
			req.AddCookie(cookies[i])
			return req
		}, "one session per client", nil
	case "schools":
		cookies, err := l.sessions(ctx, c, func(int) string { return l.cfg.listUser })
		if err != nil {
			return nil, "", err
		}
		return func(i int, _ *rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", l.url("/api/v1/schools?page=1&page_size=20"), nil)
			req.AddCookie(cookies[i])
			return req
		}, "page 1 as " + l.cfg.listUser, nil
	case "staff":
		cookies, err := l.sessions(ctx, c, func(int) string { return l.cfg.listUser })
		if err != nil {
			return nil, "", err
		}
		total, err := l.staffTotal(ctx, cookies[0])
		if err != nil {
			return nil, "", err
		}
		pages := max(1, (total+19)/20)
		return func(i int, rng *rand.Rand) *http.Request {
			req, _ := http.NewRequest("GET", l.url("/api/v1/staff?page_size=20&page="+strconv.Itoa(1+rng.IntN(pages))), nil)
			req.AddCookie(cookies[i])
			return req
		}, fmt.Sprintf("random page of %d as %s", pages, l.cfg.listUser), nil
	}
	if mk, note, ok, err := l.prepareReads(ctx, name); ok {
		return mk, note, err
	}
	return l.prepareRegistry(ctx, name)
}

// login opens one session and returns its cookie.
func (l *loader) login(ctx context.Context, user string) (*http.Cookie, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": l.cfg.password})
	req, _ := http.NewRequestWithContext(ctx, "POST", l.url("/api/v1/session"), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("log in as %s: %d %s (is -password right?)", user, resp.StatusCode, bytes.TrimSpace(body))
	}
	var s struct {
		User struct {
			MustChange bool `json:"must_change_password"`
		} `json:"user"`
	}
	if err := json.Unmarshal(body, &s); err == nil && s.User.MustChange {
		return nil, fmt.Errorf("%s must change the password first; every other request would be refused", user)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}, nil
		}
	}
	return nil, fmt.Errorf("log in as %s: no %s cookie", user, sessionCookie)
}

// sessions logs in n clients, a few at a time (each login costs the server a
// deliberately slow password hash).
func (l *loader) sessions(ctx context.Context, n int, user func(i int) string) ([]*http.Cookie, error) {
	out := make([]*http.Cookie, n)
	errc := make(chan error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ck, err := l.login(ctx, user(i))
			if err != nil {
				errc <- err
				return
			}
			out[i] = ck
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	return out, nil
}

func (l *loader) staffTotal(ctx context.Context, ck *http.Cookie) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.url("/api/v1/staff?page=1&page_size=20"), nil)
	req.AddCookie(ck)
	resp, err := l.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("staff list as %s: %d %s", l.cfg.listUser, resp.StatusCode, bytes.TrimSpace(body))
	}
	var list struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, err
	}
	return list.Total, nil
}

// measure runs c clients until the duration is up or the request budget is
// spent. A request that has started is allowed to finish (bounded by the
// request timeout), so the last ones are measured like the others.
func (l *loader) measure(ctx context.Context, mk requestMaker) result {
	c := l.cfg.clients
	var budget atomic.Int64
	budget.Store(l.cfg.maxReqs)
	type worker struct {
		lat      []time.Duration
		errors   int64
		statuses map[string]int64
	}
	ws := make([]worker, c)
	start := time.Now()
	deadline := start.Add(l.cfg.duration)
	seed := uint64(start.UnixNano())
	var wg sync.WaitGroup
	for i := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &ws[i]
			w.statuses = map[string]int64{}
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for ctx.Err() == nil && time.Now().Before(deadline) && budget.Add(-1) >= 0 {
				req := mk(i, rng)
				t0 := time.Now()
				resp, err := l.hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				w.lat = append(w.lat, time.Since(t0))
				switch {
				case err != nil:
					w.errors++
					w.statuses["transport"]++
				case resp.StatusCode < 200 || resp.StatusCode > 299:
					w.errors++
					w.statuses[strconv.Itoa(resp.StatusCode)]++
				}
			}
		}()
	}
	wg.Wait()
	r := result{clients: c, elapsed: time.Since(start), statuses: map[string]int64{}}
	for _, w := range ws {
		r.lat = append(r.lat, w.lat...)
		r.errors += w.errors
		for k, v := range w.statuses {
			r.statuses[k] += v
		}
	}
	sort.Slice(r.lat, func(a, b int) bool { return r.lat[a] < r.lat[b] })
	return r
}

// rps is the scenario's throughput in requests per second.
func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.elapsed.Seconds()
}

// percentile is the nearest-rank percentile of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// report prints the table and the verdicts; it returns false when a read
// scenario missed the target.
func report(w io.Writer, cfg config, results []result) bool {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	bare := 0.0
	for _, r := range results {
		if r.name == "bare" {
			bare = r.rps()
		}
	}
	fmt.Fprintln(tw, "scenario\tclients\trequests\terrors\treq/s\t× bare\tp50\tp90\tp99\tmax\t")
	for _, r := range results {
		n := len(r.lat)
		rps := r.rps()
		ratio := "-"
		if bare > 0 {
			ratio = strconv.FormatFloat(rps/bare, 'f', 3, 64)
		}
		var top time.Duration
		if n > 0 {
			top = r.lat[n-1]
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t\n", r.name, r.clients, n, r.errors, rps, ratio,
			ms(percentile(r.lat, 50)), ms(percentile(r.lat, 90)), ms(percentile(r.lat, 99)), ms(top))
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, r := range results {
		line := "  " + r.name + ": " + r.note
		if r.errors > 0 {
			var parts []string
			for k, v := range r.statuses {
				parts = append(parts, fmt.Sprintf("%s×%d", k, v))
			}
			sort.Strings(parts)
			line += "; errors " + strings.Join(parts, ", ")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
	var targets []time.Duration
	byTarget := map[time.Duration][]string{}
	for _, r := range results {
		if !r.read {
			continue
		}
		if byTarget[r.target] == nil {
			targets = append(targets, r.target)
		}
		byTarget[r.target] = append(byTarget[r.target], r.name)
	}
	for _, t := range targets {
		fmt.Fprintf(w, "Target: p99 < %s at %d concurrent clients (%s; latency over every request, errors included)\n", ms(t), targetClients, strings.Join(byTarget[t], ", "))
	}
	ok := true
	for _, r := range results {
		if !r.read {
			continue
		}
		p99 := percentile(r.lat, 99)
		verdict := "PASS"
		why := fmt.Sprintf("p99 %s", ms(p99))
		switch {
		case len(r.lat) == 0:
			verdict, why = "FAIL", "no requests"
		case r.errors > 0:
			verdict, why = "FAIL", why+fmt.Sprintf(", %d errors", r.errors)
		case p99 >= r.target:
			verdict = "FAIL"
		}
		if cfg.clients != targetClients {
			why += fmt.Sprintf(" (measured at %d clients, not %d)", cfg.clients, targetClients)
		}
		if verdict != "PASS" {
			ok = false
		}
		fmt.Fprintf(w, "  %-15s %s  %s\n", r.name, verdict, why)
	}
	return ok
}
