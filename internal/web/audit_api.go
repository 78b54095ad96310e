package web

import (
	"context"
	"net/http"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/xlsx"
)

var auditQuery = []Param{
	Q("user", "string", "username"), Q("action", "string", "action prefix, e.g. user."), Q("object_type", "string", ""),
	Q("object_id", "string", ""), Q("outcome", "string", "ok, denied or failed").OneOf(audit.OK, audit.Denied, audit.Failed),
	Q("from", "string", "RFC 3339 time or YYYY-MM-DD (inclusive)").DateTime(), Q("to", "string", "RFC 3339 time or YYYY-MM-DD (exclusive)").DateTime(),
	Q("page", "integer", ""), Q("page_size", "integer", "at most 200"),
	Q("sort", "string", "accepted for the web client's table; the log is always newest first"), Q("order", "string", "asc or desc").OneOf("asc", "desc"),
}

func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, time.FixedZone("CST", 8*3600)); err == nil {
		return t, nil
	}
	return time.Time{}, errs.FieldError(field, "field.datetime", nil)
}

func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Username: q.Get("user"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Outcome: q.Get("outcome")}
	var err error
	if f.From, err = parseTime("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseTime("to", q.Get("to")); err != nil {
		return f, err
	}
	f.Page, f.PageSize = Page(r)
	return f, nil
}

func (s *Server) auditRoutes(rt *Router, tag string) {
	rt.Handle("GET", "/api/v1/audit", Perm(auth.PermAuditRead), Doc{Summary: "Search the audit log, newest first", Tag: tag, Query: auditQuery, Response: List[audit.Record]{}},
		s.listAudit)
	rt.Handle("GET", "/api/v1/audit/export", Perm(auth.PermAuditRead), Doc{Summary: "Export matching audit records as Excel (audited)", Tag: tag, Query: auditQuery, Produces: xlsx.ContentType},
		s.exportAudit)
	rt.Handle("GET", "/api/v1/audit/verify", Perm(auth.PermAuditRead), Doc{Summary: "Verify the hash chain of the audit log", Tag: tag, Response: audit.VerifyResult{}},
		Call(s.verifyAudit))
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	return Respond(w, r, http.StatusOK, List[audit.Record]{items, total, f.Page, f.PageSize})
}

func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	out := Attachment(w, xlsx.ContentType, "audit-"+time.Now().Format("20060102-150405")+".xlsx")
	return s.audit.Export(r.Context(), out, auditWho(r), f, Language(r), r.URL.RawQuery)
}

func (s *Server) verifyAudit(ctx context.Context, _ auth.Actor) (audit.VerifyResult, error) {
	return s.audit.Verify(ctx)
}
