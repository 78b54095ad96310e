package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// Config is what the server needs beyond its services.
type Config struct {
	// TrustProxy takes the client address from X-Forwarded-For's last hop,
	// for installs behind a reverse proxy.
	TrustProxy bool
	// SecureCookies marks the session cookie Secure even when this process
	// itself speaks plain HTTP behind a TLS-terminating proxy.
	SecureCookies bool
	Version       string
}

// Deps are the services the platform's own endpoints use.
type Deps struct {
	Store   *store.Store
	Auth    *auth.Service
	Policy  *policy.Service
	Audit   *audit.Log
	Catalog *i18n.Catalog
	Log     *slog.Logger
	// Modules are the capabilities; each adds its routes.
	Modules []Module
	// Dashboards add cards to the home page.
	Dashboards []DashboardSource
}

// Server is the HTTP handler of EduGroup.
type Server struct {
	cfg        Config
	st         *store.Store
	auth       *auth.Service
	policy     *policy.Service
	audit      *audit.Log
	cat        *i18n.Catalog
	log        *slog.Logger
	router     *Router
	dashboards []DashboardSource
	handler    http.Handler
	metricsReg *prometheus.Registry
	requests   *prometheus.CounterVec
	durations  *prometheus.HistogramVec
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "edugroup_session"

// New builds the server and registers every route.
func New(cfg Config, d Deps) *Server {
	s := &Server{cfg: cfg, st: d.Store, auth: d.Auth, policy: d.Policy, audit: d.Audit, cat: d.Catalog, log: d.Log,
		router: &Router{}, dashboards: d.Dashboards}
	s.metricsReg = prometheus.NewRegistry()
	s.metricsReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edugroup_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	s.durations = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "edugroup_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"})
	s.metricsReg.MustRegister(s.requests, s.durations)

	s.platformRoutes(s.router)
	s.codeRoutes(s.router)
	for _, m := range d.Modules {
		m.Routes(s.router)
	}
	mux := http.NewServeMux()
	for _, rt := range s.router.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errs.NotFoundError("route"))
	})
	mux.Handle("/", s.spa())
	cop := http.NewCrossOriginProtection()
	// Outside outer, so the 500 it writes for a panic is compressed like any answer.
	s.handler = compressAPI(s.outer(cop.Handler(mux)))
	return s
}

// Handler is the whole HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Router exposes the route table, for the OpenAPI test.
func (s *Server) Router() *Router { return s.router }

// MetricsHandler serves Prometheus metrics with no login, for a separate
// admin listener bound to a private address.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metricsReg, promhttp.HandlerOpts{})
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// outer sets the request id, language and security headers, and turns panics
// into a logged 500 with no stack trace in the response.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &reqInfo{cat: s.cat, id: newRequestID(), lang: i18n.Pick(r.Header.Get("Accept-Language"))}
		r = r.WithContext(withInfo(r.Context(), ri))
		h := w.Header()
		h.Set("X-Request-Id", ri.id)
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", append(logAttrs(r), "panic", p)...)
				s.writeError(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap applies a route's access policy around its handler.
func (s *Server) wrap(rt *Route) http.Handler {
	label := rt.Method + " " + rt.Pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		ri := info(r)
		ri.route = label
		defer func() {
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			s.requests.WithLabelValues(label, http.StatusText(code)).Inc()
			s.durations.WithLabelValues(label).Observe(time.Since(start).Seconds())
		}()
		limit := int64(maxBody + 1)
		if rt.Doc.MaxBody > 0 {
			limit = rt.Doc.MaxBody
		}
		r.Body = http.MaxBytesReader(sw, r.Body, limit)
		if rt.Access.Kind != AccessPublic {
			a, err := s.authenticate(r, rt)
			if err != nil {
				s.writeError(sw, r, err)
				return
			}
			r = r.WithContext(auth.WithActor(r.Context(), a))
		}
		if err := checkRequest(r, rt); err != nil {
			s.writeError(sw, r, err)
			return
		}
		if err := rt.handler(sw, r); err != nil {
			if errs.Is(err, errs.Forbidden) {
				s.recordDenied(r, label)
			}
			s.writeError(sw, r, err)
		}
	})
}

// authenticate finds the actor of a request (bearer token or session cookie),
// checks CSRF for cookie sessions, the forced password change and the route's
// permission.
func (s *Server) authenticate(r *http.Request, rt *Route) (auth.Actor, error) {
	ctx := r.Context()
	ri := info(r)
	c := auth.Client{IP: s.clientIP(r), UserAgent: r.UserAgent(), RequestID: ri.id}
	var a auth.Actor
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return a, errs.New(errs.Unauthenticated, "error.token_invalid", nil)
		}
		var err error
		if a, err = s.auth.AuthenticateToken(ctx, strings.TrimSpace(tok), c); err != nil {
			return a, err
		}
	} else {
		ck, err := r.Cookie(SessionCookie)
		if err != nil {
			return a, errs.New(errs.Unauthenticated, "error.unauthenticated", nil)
		}
		sess, act, err := s.auth.Authenticate(ctx, ck.Value, c)
		if err != nil {
			return a, err
		}
		a = act
		ri.sessionID = ck.Value
		// Cookies ride along on cross-site requests; a state change must also
		// carry the token only our own page can read.
		if !safeMethod(r.Method) && !auth.CheckCSRF(sess, r.Header.Get("X-CSRF-Token")) {
			s.recordDeniedAs(r, a, rt.Method+" "+rt.Pattern, "csrf")
			return a, errs.New(errs.Forbidden, "error.csrf", nil)
		}
	}
	if a.MustChangePassword && !rt.Access.DuringPasswordChange {
		return a, errs.New(errs.PasswordChangeRequired, "error.password_change_required", nil)
	}
	if a.MustEnrollTOTP && !rt.Access.DuringPasswordChange {
		return a, errs.New(errs.TOTPEnrollment, "error.totp_enrollment_required", nil)
	}
	if rt.Access.Kind == AccessPerm && !a.Has(rt.Access.Perm) {
		s.recordDeniedAs(r, a, rt.Method+" "+rt.Pattern, "permission")
		return a, errs.ForbiddenError()
	}
	return a, nil
}

// checkRequest holds every request to its route's declaration before the
// handler runs: the query against Doc.Query, and a body's media type
// (application/json, so a cross-site form or text/plain post cannot pass as
// one). Upload routes check for multipart/form-data in UploadedFile, after
// the use case has decided the caller may import at all.
func checkRequest(r *http.Request, rt *Route) error {
	if err := checkQuery(r.URL.RawQuery, rt.Doc.Query); err != nil {
		return err
	}
	if safeMethod(r.Method) || !hasBody(r) || rt.Doc.Upload != "" {
		return nil
	}
	return requireJSON(r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (s *Server) recordDenied(r *http.Request, route string) {
	if a, ok := auth.FromContext(r.Context()); ok {
		s.recordDeniedAs(r, a, route, "permission")
	}
}

// recordDeniedAs queues a denied access for the audit log; it is written
// after the response (audit.Log.Deny). A failure to record it is logged; the
// request is refused either way.
func (s *Server) recordDeniedAs(r *http.Request, a auth.Actor, route, reason string) {
	if err := s.audit.Deny(context.WithoutCancel(r.Context()), a.Who(), audit.Entry{Action: "access.denied", ObjectType: "route", ObjectID: route,
		Outcome: audit.Denied, Detail: map[string]any{"reason": reason}}); err != nil {
		s.log.Error("audit denied access", append(logAttrs(r), "err", err)...)
	}
}

// clientIP is the peer address, or the last X-Forwarded-For hop when the
// install says a trusted proxy sits in front.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
