package app_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// extremeValues are query values every parameter of every list is sent.
var extremeValues = []string{
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999999", "-1", "0", "1e9", "0x10", " 1", "1.5",
	strings.Repeat("a", 60000), strings.Repeat("%", 60000), strings.Repeat("学", 101),
	"\x00", "a\x00b", "\x1b[31m", "\xff\xfe", "%", "_", `\`, `%_\`, "'; DROP TABLE staff; --", "2024-02-30", "true", "TRUE", "null", "😀",
}

// fuzzRole picks a role that may call the route, preferring county-wide
// ones so the handler reaches real data.
func fuzzRole(spec []string) string {
	for _, r := range []string{"bureau_leader", "section_basic", "audit_admin", "security_admin", "system_admin"} {
		if contains(spec, r) {
			return r
		}
	}
	return spec[0]
}

// TestQueryParamsFuzz walks the route table and sends every declared query
// parameter of every GET route extreme and random values (huge and negative
// integers, 60,000-character strings, NUL and control bytes, invalid UTF-8,
// LIKE metacharacters) as a role that may call it: no answer is a 5xx, an
// invalid integer or an over-long string is a 422 naming the parameter, and
// undeclared, repeated or badly encoded parameters are 422 too.
func TestQueryParamsFuzz(t *testing.T) {
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		srv := e.App.Server(web.Config{})
		exam := e.One(`SELECT id FROM exams ORDER BY id LIMIT 1`)
		student := apptest.DemoStudent(e.Str(`SELECT code FROM schools WHERE id = $1`, e.IDs.School), 1)
		subst := strings.NewReplacer(
			"/schools/{id}", fmt.Sprintf("/schools/%d", e.IDs.School), "/groups/{id}", fmt.Sprintf("/groups/%d", e.IDs.Group),
			"/staff/{id}", fmt.Sprintf("/staff/%d", e.IDs.StaffOwn), "/exams/{id}", fmt.Sprintf("/exams/%d", exam), "{number}", student,
		)
		clients := map[string]*apptest.Client{}
		rnd := rand.New(rand.NewPCG(1, 2))
		deadline := time.Now().Add(20 * time.Second) // a guard; the walk takes a few seconds
		requests := 0
		send := func(c *apptest.Client, key, path, raw string) (int, apptest.ErrBody) {
			t.Helper()
			requests++
			s, b := c.Do("GET", path+"?"+raw, nil)
			if s >= 500 {
				t.Fatalf("%s ?%.200s: %d %s", key, raw, s, b)
			}
			var eb apptest.ErrBody
			if s >= 400 {
				if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code == "" {
					t.Fatalf("%s ?%.200s: %d without the error shape: %.300s", key, raw, s, b)
				}
			}
			return s, eb
		}
		wantField := func(key, raw string, s int, eb apptest.ErrBody, field string) {
			t.Helper()
			if s != 422 || len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != field {
				t.Errorf("%s ?%.100s: %d %+v, want 422 naming %s", key, raw, s, eb.Error, field)
			}
		}
		routes := 0
		for _, rt := range srv.Router().Routes() {
			if rt.Method != "GET" || len(rt.Doc.Query) == 0 {
				continue
			}
			key := rt.Method + " " + rt.Pattern
			spec := allowed[key]
			if spec == nil {
				t.Fatalf("%s: a public list? pick a role for it", key)
			}
			role := fuzzRole(spec)
			if clients[role] == nil {
				clients[role] = e.Login(roleUsers[role])
			}
			c := clients[role]
			path := subst.Replace(rt.Pattern)
			routes++
			for _, p := range rt.Doc.Query {
				values := append([]string{}, extremeValues...)
				for range 3 {
					values = append(values, randomValue(rnd))
				}
				for _, v := range values {
					raw := url.QueryEscape(p.Name) + "=" + url.QueryEscape(v)
					s, eb := send(c, key, path, raw)
					switch {
					case p.Type == "integer" && (v == "-1" || v == "0x10" || v == "99999999999999999999999"):
						wantField(key, raw, s, eb, p.Name)
					case p.Type != "integer" && len(v) > 1000:
						wantField(key, raw, s, eb, p.Name)
					case strings.ContainsRune(v, 0) || v == "\xff\xfe":
						wantField(key, raw, s, eb, p.Name)
					}
				}
				// The same parameter twice.
				raw := p.Name + "=1&" + p.Name + "=2"
				s, eb := send(c, key, path, raw)
				wantField(key, raw, s, eb, p.Name)
				// Bad percent-encoding.
				raw = p.Name + "=%zz"
				s, eb = send(c, key, path, raw)
				wantField(key, raw, s, eb, p.Name)
			}
			// Everything at once, randomly.
			for range 5 {
				var parts []string
				for _, p := range rt.Doc.Query {
					if rnd.IntN(2) == 0 {
						parts = append(parts, url.QueryEscape(p.Name)+"="+url.QueryEscape(extremeValues[rnd.IntN(len(extremeValues))]))
					}
				}
				send(c, key, path, strings.Join(parts, "&"))
			}
			// A parameter the route does not declare, and a huge name.
			s, eb := send(c, key, path, "no_such_param=1")
			wantField(key, "no_such_param=1", s, eb, "no_such_param")
			send(c, key, path, strings.Repeat("x", 60000)+"=1")
			if time.Now().After(deadline) {
				t.Fatalf("the walk is too slow: %d requests in 20s", requests)
			}
		}
		if routes < 20 {
			t.Fatalf("only %d GET routes declare query parameters", routes)
		}
		t.Logf("%d routes, %d requests", routes, requests)
	})
}

// randomValue is a short string of awkward characters.
func randomValue(rnd *rand.Rand) string {
	alphabet := []rune("0123456789-+%_\\'\"; \t\n\x00\x7f\u00e9学😀&=?#")
	n := rnd.IntN(40)
	out := make([]rune, n)
	for i := range out {
		out[i] = alphabet[rnd.IntN(len(alphabet))]
	}
	if rnd.IntN(4) == 0 {
		return string(out) + "\xc3" // a cut-off UTF-8 sequence
	}
	return string(out)
}
