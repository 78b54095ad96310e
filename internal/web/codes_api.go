package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// Codes are the labels of every code list in every language, from the
// server's message catalog: Labels["zh-CN"]["stage"]["primary"] is "小学".
// The web client shows codes with these, so a code reads the same on a
// page and in an export.
type Codes struct {
	Languages []string                                `json:"languages"`
	Labels    map[string]map[string]map[string]string `json:"labels"`
}

// codesMaxAge is how long a browser may use the labels without asking; they
// change only with a new release, and the ETag makes asking cheap.
const codesMaxAge = "public, max-age=300"

func (s *Server) codeRoutes(rt *Router) {
	codes := Codes{Languages: []string{}, Labels: map[string]map[string]map[string]string{}}
	if s.cat != nil {
		codes.Languages = s.cat.Languages()
		for _, l := range codes.Languages {
			codes.Labels[l] = s.cat.Codes(l)
		}
	}
	body, err := json.Marshal(codes)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	rt.Handle("GET", "/api/v1/codes", Public(), Doc{Summary: "The code lists and their labels in every language (cacheable)", Tag: "system", Response: Codes{}},
		func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Cache-Control", codesMaxAge)
			w.Header().Set("ETag", etag)
			if etagMatches(r.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return nil
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, err := w.Write(body)
			return err
		})
}

// etagMatches compares If-None-Match with etag weakly (RFC 9110 13.1.2): a
// compressed answer carries the tag as W/"…", and the browser sends that back.
func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == etag || p == "*" {
			return true
		}
	}
	return false
}
