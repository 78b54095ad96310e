package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

// A built client as the build leaves it: each text file with its .br and .gz
// copies. The copies' bytes are markers; the server never decodes them.
var testDist = fstest.MapFS{
	"dist/index.html":                 {Data: []byte("fallback")},
	"dist/app/index.html":             {Data: []byte("<!doctype html><title>app</title>")},
	"dist/app/favicon.svg":            {Data: []byte("<svg/>")},
	"dist/app/assets/index-abc.js":    {Data: []byte(strings.Repeat("console.log('plain');", 100))},
	"dist/app/assets/index-abc.js.br": {Data: []byte("BROTLI-COPY")},
	"dist/app/assets/index-abc.js.gz": {Data: []byte("GZIP-COPY")},
	"dist/app/assets/only-gz.css":     {Data: []byte(strings.Repeat("a{b:c}", 300))},
	"dist/app/assets/only-gz.css.gz":  {Data: []byte("GZIP-CSS")},
}

func getWith(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestStaticPrecompressed(t *testing.T) {
	h := loadClient(testDist).handler()
	plain := testDist["dist/app/assets/index-abc.js"].Data
	cases := []struct {
		accept, encoding, body string
	}{
		{"gzip, deflate, br, zstd", "br", "BROTLI-COPY"},
		{"br;q=1.0, gzip;q=0.8", "br", "BROTLI-COPY"},
		{"gzip", "gzip", "GZIP-COPY"},
		{"br;q=0, gzip", "gzip", "GZIP-COPY"},
		{"*", "br", "BROTLI-COPY"},
		{"", "", string(plain)},
		{"identity", "", string(plain)},
		{"gzip;q=0, br;q=0", "", string(plain)},
	}
	etags := map[string]string{}
	for _, c := range cases {
		rec := getWith(t, h, "/assets/index-abc.js", "Accept-Encoding", c.accept)
		res := rec.Result()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("Accept-Encoding %q: status %d", c.accept, res.StatusCode)
		}
		if got := res.Header.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.encoding)
		}
		if got := rec.Body.String(); got != c.body {
			t.Errorf("Accept-Encoding %q: body %.40q, want %.40q", c.accept, got, c.body)
		}
		if got := res.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", c.accept, got)
		}
		if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
			t.Errorf("Accept-Encoding %q: Content-Type %q (of the copy, not the script?)", c.accept, got)
		}
		if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(c.body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s for %d bytes", c.accept, got, len(c.body))
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("Accept-Encoding %q: Cache-Control %q", c.accept, res.Header.Get("Cache-Control"))
		}
		etags[c.encoding] = res.Header.Get("Etag")
	}
	if len(etags) != 3 || etags["br"] == etags[""] || etags["gzip"] == etags[""] || etags["br"] == etags["gzip"] {
		t.Errorf("each encoding needs its own ETag: %v", etags)
	}

	// A revalidation gets 304 for the copy it holds.
	rec := getWith(t, h, "/assets/index-abc.js", "Accept-Encoding", "br", "If-None-Match", etags["br"])
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match of the brotli copy: %d %q", rec.Code, rec.Body.String())
	}
	// The plain file's tag does not validate the brotli copy.
	if rec := getWith(t, h, "/assets/index-abc.js", "Accept-Encoding", "br", "If-None-Match", etags[""]); rec.Code != http.StatusOK {
		t.Errorf("plain ETag against the brotli copy: %d", rec.Code)
	}

	// Range is answered from the uncompressed file whatever the client accepts.
	rec = getWith(t, h, "/assets/index-abc.js", "Accept-Encoding", "br, gzip", "Range", "bytes=0-6")
	if rec.Code != http.StatusPartialContent || rec.Body.String() != string(plain[:7]) || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("Range: %d %q Content-Encoding %q", rec.Code, rec.Body.String(), rec.Header().Get("Content-Encoding"))
	}
	if got := rec.Header().Get("Content-Range"); got != "bytes 0-6/"+strconv.Itoa(len(plain)) {
		t.Errorf("Content-Range %q", got)
	}

	// A file with only a gzip copy: brotli clients get gzip.
	rec = getWith(t, h, "/assets/only-gz.css", "Accept-Encoding", "br, gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Body.String() != "GZIP-CSS" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("gzip-only file: %q %q %q", rec.Header().Get("Content-Encoding"), rec.Body.String(), rec.Header().Get("Content-Type"))
	}

	// A small file without copies: as it is, no Vary.
	rec = getWith(t, h, "/favicon.svg", "Accept-Encoding", "br, gzip")
	if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "" || rec.Body.String() != "<svg/>" || rec.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %q %q %q %q", rec.Header().Get("Content-Encoding"), rec.Header().Get("Vary"), rec.Body.String(), rec.Header().Get("Content-Type"))
	}

	// The copies are not files of their own, and client routes get index.html.
	for _, p := range []string{"/schools/12", "/assets/index-abc.js.br", "/index.html"} {
		rec = getWith(t, h, p, "Accept-Encoding", "br")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>app</title>") || rec.Header().Get("Cache-Control") != "no-cache" ||
			!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %q %q", p, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"))
		}
	}

	// HEAD: the headers of the copy and no body.
	req := httptest.NewRequest(http.MethodHead, "/assets/index-abc.js", nil)
	req.Header.Set("Accept-Encoding", "br")
	hr := httptest.NewRecorder()
	h.ServeHTTP(hr, req)
	if hr.Code != http.StatusOK || hr.Body.Len() != 0 || hr.Header().Get("Content-Encoding") != "br" || hr.Header().Get("Content-Length") != "11" {
		t.Errorf("HEAD: %d body %d bytes, %q, length %s", hr.Code, hr.Body.Len(), hr.Header().Get("Content-Encoding"), hr.Header().Get("Content-Length"))
	}

	// No build: the fallback page.
	fb := loadClient(fstest.MapFS{"dist/index.html": {Data: []byte("fallback")}}).handler()
	if rec := getWith(t, fb, "/anything", "Accept-Encoding", "br"); rec.Body.String() != "fallback" {
		t.Errorf("fallback: %q", rec.Body.String())
	}
}

// compressModule answers JSON of two sizes, a workbook and a streamed text.
type compressModule struct{ release chan struct{} }

type bigList struct {
	Items []map[string]any `json:"items"`
}

func bigJSON() bigList {
	var l bigList
	for i := range 300 {
		l.Items = append(l.Items, map[string]any{"id": i, "name": "学校 " + strconv.Itoa(i), "note": strings.Repeat("x", i%17)})
	}
	return l
}

// A zip (an .xlsx is one) does not shrink: the bytes must pass as they are.
var workbook = bytes.Repeat([]byte("PK\x03\x04\x14\x00\x08\x00"), 512)

func (m compressModule) Routes(rt *Router) {
	rt.Handle("GET", "/api/v1/t/big", Public(), Doc{}, func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, bigJSON())
	})
	rt.Handle("GET", "/api/v1/t/small", Public(), Doc{}, func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
	})
	rt.Handle("GET", "/api/v1/t/book", Public(), Doc{}, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", xlsx.ContentType)
		w.Header().Set("Content-Disposition", xlsx.AttachmentHeader("t.xlsx"))
		_, err := w.Write(workbook)
		return err
	})
	rt.Handle("GET", "/api/v1/t/stream", Public(), Doc{}, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if _, err := io.WriteString(w, "first line\n"); err != nil {
			return err
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			return err
		}
		select {
		case <-m.release:
		case <-time.After(10 * time.Second):
		}
		_, err := io.WriteString(w, strings.Repeat("more,lines\n", 500))
		return err
	})
}

func compressServer(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	s := New(Config{}, Deps{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Modules: []Module{compressModule{release}}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, release
}

// fetch sends Accept-Encoding itself, so the client's transport hands back
// the body exactly as it came over the wire.
func fetch(t *testing.T, srv *httptest.Server, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAPIGzip(t *testing.T) {
	srv, _ := compressServer(t)
	want, _ := json.Marshal(bigJSON())

	res, plain := fetch(t, srv, "/api/v1/t/big", "")
	if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("no Accept-Encoding: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	if len(plain) < 4*gzipMin {
		t.Fatalf("the big answer is only %d bytes", len(plain))
	}

	res, zipped := fetch(t, srv, "/api/v1/t/big", "gzip, deflate, br")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip accepted: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers changed: %q %q", res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if len(zipped) >= len(plain)/3 {
		t.Errorf("gzip gave %d bytes of %d", len(zipped), len(plain))
	}
	var a, b any
	if err := json.Unmarshal(gunzip(t, zipped), &a); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(want, &b)
	if !jsonEqual(a, b) {
		t.Error("the gzipped answer decodes to other JSON")
	}
	if !bytes.Equal(gunzip(t, zipped), plain) {
		t.Error("the gzipped answer is not the plain one byte for byte")
	}

	if res, _ := fetch(t, srv, "/api/v1/t/big", "gzip;q=0, br"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}

	res, small := fetch(t, srv, "/api/v1/t/small", "gzip")
	if res.Header.Get("Content-Encoding") != "" || !json.Valid(small) || res.Header.Get("Content-Length") != strconv.Itoa(len(small)) {
		t.Errorf("small answer: Content-Encoding %q, %q, length %s", res.Header.Get("Content-Encoding"), small, res.Header.Get("Content-Length"))
	}

	// Errors are JSON answers too; a 404 is small and stays plain.
	res, body := fetch(t, srv, "/api/v1/no-such-route", "gzip")
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Encoding") != "" || !json.Valid(body) {
		t.Errorf("404: %d %q %q", res.StatusCode, res.Header.Get("Content-Encoding"), body)
	}

	res, book := fetch(t, srv, "/api/v1/t/book", "gzip, br")
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(book, workbook) || res.Header.Get("Content-Type") != xlsx.ContentType {
		t.Errorf("workbook: Content-Encoding %q, %d bytes, %q", res.Header.Get("Content-Encoding"), len(book), res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.Header.Get("Content-Disposition"), "t.xlsx") {
		t.Errorf("workbook lost its Content-Disposition: %q", res.Header.Get("Content-Disposition"))
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestAPIGzipStreams: what a handler flushed reaches the client before the
// handler has finished, compressed.
func TestAPIGzipStreams(t *testing.T) {
	srv, release := compressServer(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/t/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stream: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		line := make([]byte, len("first line\n"))
		_, _ = io.ReadFull(zr, line)
		got <- string(line)
	}()
	select {
	case s := <-got:
		if s != "first line\n" {
			t.Fatalf("first flushed part: %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the flushed part did not arrive while the handler was still writing")
	}
	close(release)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != strings.Repeat("more,lines\n", 500) {
		t.Fatalf("the rest: %v, %d bytes", err, len(rest))
	}
}

func TestAcceptsEncoding(t *testing.T) {
	for _, c := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.000", "gzip", false},
		{"*", "br", true},
		{"*;q=0, gzip", "br", false},
		{"br;q=0, *", "br", false},
		{"", "gzip", false},
		{"identity", "gzip", false},
		{"gzipx", "gzip", false},
	} {
		if got := acceptsEncoding(c.header, c.coding); got != c.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v", c.header, c.coding, got)
		}
	}
}
