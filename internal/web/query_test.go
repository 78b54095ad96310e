package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"edugroup/internal/i18n"
)

// testModule is a few public routes exercising the request checks, so the
// tests need no store.
type testModule struct{}

type testBody struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Items []struct {
		Note string `json:"note"`
	} `json:"items"`
	Extra map[string]any `json:"extra"`
}

func (testModule) Routes(rt *Router) {
	rt.Handle("GET", "/api/v1/t/list", Public(), Doc{Query: []Param{Q("q", "string", ""), Q("name", "string", ""), Q("page", "integer", ""),
		Q("page_size", "integer", ""), Q("school_id", "integer", ""), Q("overdue", "boolean", ""), Q("date", "string", "").Date(),
		Q("from", "string", "").DateTime(), Q("order", "string", "").OneOf("asc", "desc"), Q("limit", "integer", "").Range(1, 6)}},
		func(w http.ResponseWriter, r *http.Request) error {
			page, size := Page(r)
			from, to := Window(page, size, 1000)
			return writeJSON(w, http.StatusOK, map[string]int{"page": page, "size": size, "from": from, "to": to})
		})
	rt.Handle("POST", "/api/v1/t/body", Public(), Doc{Request: testBody{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in testBody
			if err := Decode(r, &in); err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, in)
		})
	rt.Handle("POST", "/api/v1/t/upload", Public(), Doc{MaxBody: 2 << 20, Upload: "file"},
		func(w http.ResponseWriter, r *http.Request) error {
			f, h, err := UploadedFile(r, "file", 1<<20)
			if err != nil {
				return err
			}
			defer f.Close()
			return writeJSON(w, http.StatusOK, map[string]int64{"size": h.Size})
		})
}

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := New(Config{}, Deps{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Modules: []Module{testModule{}}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	body   []byte
	err    errorBody
}

func (a answer) field() string {
	if len(a.err.Error.Details) == 0 {
		return ""
	}
	return a.err.Error.Details[0].Field
}

func send(t *testing.T, srv *httptest.Server, method, path, contentType string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: b}
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &a.err); err != nil || a.err.Error.Code == "" {
			t.Fatalf("%s %s: %d is not the error shape: %s", method, path, resp.StatusCode, b)
		}
	}
	return a
}

// TestQueryChecked: the router holds every query to the route's declared
// parameters and answers 422 naming the parameter.
func TestQueryChecked(t *testing.T) {
	srv := testServer(t)
	for _, c := range []struct {
		query string
		want  int
		field string
	}{
		{"", 200, ""},
		{"page=2&page_size=50&q=%25_%5C&school_id=7&overdue=true&date=2024-09-01&from=2024-09-01T08:00:00%2B08:00&order=desc&limit=6", 200, ""},
		{"page=", 200, ""}, // empty counts as absent
		{"page=9223372036854775807", 422, "page"},
		{"page=1000001", 422, "page"},
		{"page=0", 422, "page"},
		{"page=-1", 422, "page"},
		{"page=1.5", 422, "page"},
		{"page=%201", 422, "page"},
		{"page_size=201", 422, "page_size"},
		{"page_size=0", 422, "page_size"},
		{"school_id=0", 422, "school_id"},
		{"school_id=99999999999999999999", 422, "school_id"},
		{"limit=7", 422, "limit"},
		{"overdue=1", 422, "overdue"},
		{"overdue=TRUE", 422, "overdue"},
		{"date=2024-02-30", 422, "date"},
		{"from=yesterday", 422, "from"},
		{"order=sideways", 422, "order"},
		{"q=" + strings.Repeat("a", MaxSearchLen), 200, ""},
		{"q=" + strings.Repeat("a", MaxSearchLen+1), 422, "q"},
		{"q=" + strings.Repeat("学", MaxSearchLen), 200, ""}, // characters, not bytes
		{"q=" + strings.Repeat("a", 60000), 422, "q"},
		{"name=" + strings.Repeat("a", MaxQueryLen), 200, ""},
		{"name=" + strings.Repeat("a", MaxQueryLen+1), 422, "name"},
		{"q=a%00b", 422, "q"},
		{"q=%1B%5B31m", 422, "q"},
		{"q=tab%09and%0Anewline", 200, ""},
		{"q=%FF%FE", 422, "q"},
		{"q=%zz", 422, "q"},
		{"q=a&q=b", 422, "q"},
		{"sort=name", 422, "sort"}, // not declared
		{"page;x=1", 422, "page;x"},
		{strings.Repeat("x", 500) + "=1", 422, strings.Repeat("x", maxNameLen) + "…"},
	} {
		a := send(t, srv, "GET", "/api/v1/t/list?"+c.query, "", nil)
		if a.status != c.want || a.field() != c.field {
			t.Errorf("?%.80s: %d field %q, want %d %q: %.200s", c.query, a.status, a.field(), c.want, c.field, a.body)
		}
	}
}

// TestPageWindowNoOverflow: Page clamps whatever it is given and Window
// never overflows or leaves the list, whatever page and size.
func TestPageWindowNoOverflow(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?page=9223372036854775807&page_size=9223372036854775807", nil)
	if p, s := Page(r); p != MaxPage || s != MaxPageSize {
		t.Errorf("Page = %d, %d", p, s)
	}
	r = httptest.NewRequest("GET", "/x?page=-5&page_size=-5", nil)
	if p, s := Page(r); p != 1 || s != DefaultPageSize {
		t.Errorf("Page = %d, %d", p, s)
	}
	for _, c := range []struct{ page, size, total, from, to int }{
		{1, 20, 45, 0, 20}, {3, 20, 45, 40, 45}, {4, 20, 45, 45, 45}, {math.MaxInt, 20, 45, 45, 45}, {math.MaxInt, math.MaxInt, 45, 45, 45},
		{2, math.MaxInt, 45, 45, 45}, {math.MinInt, 20, 45, 0, 20}, {1, 0, 45, 0, 0}, {1, 20, 0, 0, 0}, {3, 20, 41, 40, 41},
	} {
		if from, to := Window(c.page, c.size, c.total); from != c.from || to != c.to {
			t.Errorf("Window(%d, %d, %d) = %d, %d, want %d, %d", c.page, c.size, c.total, from, to, c.from, c.to)
		}
	}
}

// TestJSONBodyRules: a JSON body must say it is JSON (415 otherwise), parse
// errors are answered in our words with the byte offset, and a string with a
// control character is refused naming its field.
func TestJSONBodyRules(t *testing.T) {
	srv := testServer(t)
	const ok = `{"name":"a\tb\nc\r","items":[{"note":"x"}]}`
	for _, c := range []struct {
		name, ctype, body string
		want              int
		field             string
	}{
		{"json", "application/json", ok, 200, ""},
		{"json utf-8", "application/json; charset=UTF-8", ok, 200, ""},
		{"no type", "", ok, 415, ""},
		{"text/plain", "text/plain", ok, 415, ""},
		{"form", "application/x-www-form-urlencoded", ok, 415, ""},
		{"multipart", "multipart/form-data; boundary=x", ok, 415, ""},
		{"latin1", "application/json; charset=latin1", ok, 415, ""},
		{"json+extra param", "application/json; foo=bar", ok, 415, ""},
		{"empty", "application/json", "", 422, ""},
		{"syntax", "application/json", `{"name": tru}`, 422, ""},
		{"truncated", "application/json", `{"name": "a`, 422, ""},
		{"trailing", "application/json", `{}{}`, 422, ""},
		{"type", "application/json", `{"count":"x"}`, 422, "count"},
		{"unknown", "application/json", `{"nope":1}`, 422, "nope"},
		{"NUL", "application/json", `{"name":"a\u0000b"}`, 422, "name"},
		{"escape", "application/json", `{"name":"\u001b[2J"}`, 422, "name"},
		{"DEL", "application/json", "{\"name\":\"a\x7f\"}", 422, "name"},
		{"nested", "application/json", `{"items":[{"note":"ok"},{"note":"\u0007"}]}`, 422, "items[1].note"},
		{"map value", "application/json", `{"extra":{"k":["\u0001"]}}`, 422, "extra.k[0]"},
		{"map key", "application/json", `{"extra":{"k\u0000":1}}`, 422, "extra.k\x00"},
	} {
		a := send(t, srv, "POST", "/api/v1/t/body", c.ctype, strings.NewReader(c.body))
		if a.status != c.want || a.field() != c.field {
			t.Errorf("%s: %d field %q, want %d %q: %s", c.name, a.status, a.field(), c.want, c.field, a.body)
		}
		for _, leak := range []string{"invalid character", "json:", "unexpected end", "literal"} {
			if bytes.Contains(a.body, []byte(leak)) {
				t.Errorf("%s: the parser's own words %q leak: %s", c.name, leak, a.body)
			}
		}
	}
	a := send(t, srv, "POST", "/api/v1/t/body", "application/json", strings.NewReader(`{"name": tru}`))
	if !strings.Contains(a.err.Error.Message, "第 13 字节") {
		t.Errorf("syntax error message: %q", a.err.Error.Message)
	}
	big := `{"name":"` + strings.Repeat("a", maxBody) + `"}`
	if a := send(t, srv, "POST", "/api/v1/t/body", "application/json", strings.NewReader(big)); a.status != 413 || !strings.Contains(a.err.Error.Message, "1 MB") {
		t.Errorf("oversized body: %d %s", a.status, a.body)
	}
}

func multipartBody(t *testing.T, field string, size int) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "a.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(bytes.Repeat([]byte("x"), size))
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

// TestUploadTooLarge: an upload over the route's body limit, or a file over
// its own limit, answers 413 with the limit in MB naming the field; a form
// without the field answers 422 naming it; a JSON body answers 415.
func TestUploadTooLarge(t *testing.T) {
	srv := testServer(t)
	for _, c := range []struct {
		name  string
		field string
		size  int
		want  int
	}{
		{"fits", "file", 1000, 200},
		{"file over its limit", "file", 1<<20 + 1000, 413},
		{"body over the route limit", "file", 3 << 20, 413},
		{"wrong field", "other", 1000, 422},
	} {
		body, ctype := multipartBody(t, c.field, c.size)
		a := send(t, srv, "POST", "/api/v1/t/upload", ctype, body)
		if a.status != c.want {
			t.Errorf("%s: %d %s", c.name, a.status, a.body)
			continue
		}
		if c.want >= 400 && a.field() != "file" {
			t.Errorf("%s: field %q: %s", c.name, a.field(), a.body)
		}
		if c.want == 413 && (!strings.Contains(a.err.Error.Message, "1 MB") || !strings.Contains(a.err.Error.Details[0].Message, "1 MB")) {
			t.Errorf("%s: the limit is not named: %s", c.name, a.body)
		}
	}
	if a := send(t, srv, "POST", "/api/v1/t/upload", "application/json", strings.NewReader(`{}`)); a.status != 415 {
		t.Errorf("JSON to an upload route: %d %s", a.status, a.body)
	}
}
