package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipMin is the smallest API response worth compressing: below it the
// gzip header and the CPU cost more than the bytes saved.
const gzipMin = 1024

// gzipPool holds klauspost/compress writers (the same gzip format as the
// standard library's, several times faster) at BestSpeed: with the standard
// library's default level, compressing took a fifth of the server's CPU on
// list pages. BenchmarkGzipPage compares the two on a 20-row page.
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// acceptsEncoding reports whether an Accept-Encoding header allows coding
// (named, or through "*", with a q-value above zero).
func acceptsEncoding(header, coding string) bool {
	q, star := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		v := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					v = f
				}
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			q = v
		case name == "*":
			star = v
		}
	}
	if q < 0 {
		q = star
	}
	return q > 0
}

// compressible is a media type that gzip shrinks: text, JSON, XML, YAML.
// Workbooks (.xlsx are zip files), images and archives are left alone.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/x-ndjson", "application/javascript", "application/xml", "application/yaml", "application/x-yaml":
		return true
	}
	return false
}

// compressAPI gzips the API's answers of gzipMin bytes or more when the
// client accepts gzip and the handler has not compressed them itself.
// Static files are not its business: spa serves their precompressed copies.
func compressAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !acceptsEncoding(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{rw: w}
		next.ServeHTTP(gw, r)
		gw.finish()
	})
}

// gzipWriter holds back the status and the first gzipMin bytes, then decides
// once: compress (the rest streams through the gzip writer, flushed when the
// handler flushes) or pass everything through untouched. Nothing beyond the
// first gzipMin bytes is buffered, so streamed exports stay streamed.
type gzipWriter struct {
	rw      http.ResponseWriter
	code    int
	buf     []byte
	decided bool
	gz      *gzip.Writer
}

func (g *gzipWriter) Header() http.Header { return g.rw.Header() }

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.rw }

func (g *gzipWriter) WriteHeader(code int) {
	if code < 200 {
		g.rw.WriteHeader(code)
		return
	}
	if g.code == 0 {
		g.code = code
	}
	if g.decided {
		g.rw.WriteHeader(code)
	}
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if g.code == 0 {
		g.code = http.StatusOK
	}
	if g.decided {
		if g.gz != nil {
			return g.gz.Write(p)
		}
		return g.rw.Write(p)
	}
	g.buf = append(g.buf, p...)
	if len(g.buf) >= gzipMin {
		if err := g.decide(false); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush sends what the handler wrote so far; a response still undecided is
// taken to be streaming and compressed if its type allows.
func (g *gzipWriter) Flush() {
	if !g.decided {
		if g.code == 0 {
			g.code = http.StatusOK
		}
		_ = g.decide(false)
	}
	if g.gz != nil {
		_ = g.gz.Flush()
	}
	_ = http.NewResponseController(g.rw).Flush()
}

// decide writes the held status and bytes, compressed or not. final says
// the handler is done, so a short buffer is the whole body.
func (g *gzipWriter) decide(final bool) error {
	g.decided = true
	h := g.rw.Header()
	if _, set := h["Content-Type"]; !set && len(g.buf) > 0 {
		// What net/http would sniff from the plain bytes.
		h.Set("Content-Type", http.DetectContentType(g.buf))
	}
	zip := !(final && len(g.buf) < gzipMin) &&
		g.code != http.StatusNoContent && g.code != http.StatusNotModified && g.code != http.StatusPartialContent &&
		h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" && compressible(h.Get("Content-Type"))
	if cl := h.Get("Content-Length"); zip && cl != "" {
		if n, err := strconv.Atoi(cl); err == nil && n < gzipMin {
			zip = false
		}
	}
	buf := g.buf
	g.buf = nil
	if !zip {
		g.rw.WriteHeader(g.code)
		if len(buf) == 0 {
			return nil
		}
		_, err := g.rw.Write(buf)
		return err
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("Etag", "W/"+et)
	}
	g.rw.WriteHeader(g.code)
	g.gz = gzipPool.Get().(*gzip.Writer)
	g.gz.Reset(g.rw)
	_, err := g.gz.Write(buf)
	return err
}

// finish ends the response once the handler has returned.
func (g *gzipWriter) finish() {
	if !g.decided {
		if g.code == 0 {
			// The handler wrote nothing at all: net/http sends its 200.
			return
		}
		_ = g.decide(true)
	}
	if g.gz != nil {
		_ = g.gz.Close()
		g.gz.Reset(io.Discard)
		gzipPool.Put(g.gz)
		g.gz = nil
	}
}
