package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

// TestOpenAPICoversEveryRoute fetches the published document and checks it
// against the router, both ways.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	s, b := e.Anon().Do("GET", "/api/v1/openapi.json", nil)
	if s != 200 {
		t.Fatal(s)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comp    struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	routes := e.App.Server(web.Config{}).Router().Routes()
	n := 0
	for _, rt := range routes {
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s missing from the OpenAPI document", rt.Method, rt.Pattern)
			continue
		}
		if op["summary"] == "" || op["responses"] == nil {
			t.Errorf("%s %s has no summary or responses", rt.Method, rt.Pattern)
		}
		n++
	}
	count := 0
	for _, ops := range doc.Paths {
		count += len(ops)
	}
	if count != n {
		t.Errorf("document lists %d operations, router has %d", count, n)
	}
	// Every schema reference resolves.
	for _, ref := range regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := doc.Comp.Schemas[ref[1]]; !ok {
			t.Errorf("dangling schema reference %s", ref[1])
		}
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
}

// TestMessageCatalogs: both languages have the same keys, and every message
// key the Go code names exists.
func TestMessageCatalogs(t *testing.T) {
	t.Parallel()
	cat := i18n.MustLoad()
	zh, en := map[string]bool{}, map[string]bool{}
	for _, k := range cat.Keys("zh-CN") {
		zh[k] = true
	}
	for _, k := range cat.Keys("en") {
		en[k] = true
		if !zh[k] {
			t.Errorf("%s only in en", k)
		}
	}
	for k := range zh {
		if !en[k] {
			t.Errorf("%s only in zh-CN", k)
		}
	}
	// The places a message key is named: error constructors, field lists,
	// Key: literals and catalog lookups.
	keyRes := []*regexp.Regexp{
		regexp.MustCompile(`errs\.(?:New\([^,]+,|FieldError\("[^"]*",|RuleError\("[^"]*",|ConflictError\()\s*"([a-z_]+\.[a-z_.]*[a-z])"`),
		regexp.MustCompile(`\.Add\([^,]+,\s*"([a-z_]+\.[a-z_.]*[a-z])"`),
		regexp.MustCompile(`Key:\s*"([a-z_]+\.[a-z_.]*[a-z])"`),
		regexp.MustCompile(`\.T\([^,]+,\s*"([a-z_]+\.[a-z_.]*[a-z])"`),
	}
	root := filepath.Join("..", "..", "internal")
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range keyRes {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if !cat.Has(m[1]) {
					t.Errorf("%s: message key %s is not in the catalog", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditFailsClosed: when the audit record cannot be written, the change
// it records is rolled back.
func TestAuditFailsClosed(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		c := e.Login("sysadmin")
		if _, err := st.W.Exec(`ALTER TABLE audit_log RENAME TO audit_log_gone`); err != nil {
			t.Fatal(err)
		}
		s, b := c.Do("POST", "/api/v1/users", map[string]string{"username": "ghost", "display_name": "幽灵"})
		if s != 500 {
			t.Fatalf("write without audit: %d %s", s, b)
		}
		if strings.Contains(string(b), "audit_log") || strings.Contains(strings.ToLower(string(b)), "sql") {
			t.Fatalf("internal detail leaked: %s", b)
		}
		if n := e.One(`SELECT count(*) FROM users WHERE username = 'ghost'`); n != 0 {
			t.Fatal("the change was kept although its audit record failed")
		}
	})
}

func TestDemoCounty(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		counts := map[string]int64{}
		for _, tbl := range []string{"schools", "edu_groups", "staff", "users", "role_grants", "townships"} {
			counts[tbl] = e.One(`SELECT count(*) FROM ` + tbl)
		}
		if counts["schools"] < 40 || counts["edu_groups"] < 6 || counts["staff"] < 2000 || counts["users"] != 15 {
			t.Fatalf("demo county too small: %v", counts)
		}
		if modes := e.One(`SELECT count(DISTINCT mode) FROM edu_groups`); modes < 6 {
			t.Fatalf("%d modes", modes)
		}
		// Every role has a demo account.
		for _, ri := range auth.Roles {
			if n := e.One(`SELECT count(*) FROM role_grants WHERE role = $1`, string(ri.Role)); n == 0 {
				t.Errorf("no demo account for %s", ri.Role)
			}
		}
		// The lead school of the principal's group has its own school admin,
		// who sends that group's 团队进驻.
		if n := e.One(`SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id
			WHERE u.username = 'leadadmin' AND g.role = 'school_admin' AND g.scope_type = 'school' AND g.scope_id = $1`, e.IDs.LeadSchool); n != 1 {
			t.Errorf("leadadmin is not the school admin of the lead school %d", e.IDs.LeadSchool)
		}
		// Loading again changes nothing.
		res, err := demo.Load(context.Background(), st, e.App.Audit, demo.DefaultPassword)
		if err != nil || res.Created {
			t.Fatalf("second load: created=%v err=%v", res.Created, err)
		}
		for tbl, n := range counts {
			if got := e.One(`SELECT count(*) FROM ` + tbl); got != n {
				t.Errorf("%s: %d rows after the second load, was %d", tbl, got, n)
			}
		}
		if _, err := demo.Load(context.Background(), st, e.App.Audit, "weak"); err == nil {
			t.Fatal("a weak demo password was accepted")
		}
	})
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := app.Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIBootstrapUsersTokensAndAuditVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "migrate", "--data", dir)
	if code != 0 || !strings.Contains(out, "schema is at version") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	dsn := filepath.Join(dir, "edugroup.db")
	a, err := app.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := a.Bootstrap(context.Background())
	if err != nil || len(pw) < 12 {
		t.Fatalf("bootstrap: %q %v", pw, err)
	}
	if again, _ := a.Bootstrap(context.Background()); again != "" {
		t.Fatal("bootstrap ran twice")
	}
	// The first admin must change the one-time password at first login.
	sess, _, err := a.Auth.Login(context.Background(), "admin", pw, "", "", auth.Client{})
	if err != nil || !sess.User.MustChangePassword {
		t.Fatalf("first login: %+v %v", sess.User, err)
	}
	a.Close()

	code, out, errOut = runCLI(t, "user", "create", "--data", dir, "--username", "wang", "--name", "王老师", "--role", "bureau_leader")
	if code != 0 || !strings.Contains(out, "one-time password") {
		t.Fatalf("user create: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "user", "create", "--data", dir, "--username", "wang", "--name", "重名")
	if code != 1 || !strings.Contains(errOut, "用户名已被使用") {
		t.Fatalf("duplicate user: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "token", "create", "--data", dir, "--user", "wang", "--days", "7")
	if code != 0 || !strings.HasPrefix(out, auth.TokenPrefix) {
		t.Fatalf("token create: %d %q", code, out)
	}
	code, _, errOut = runCLI(t, "user", "reset-password", "--data", dir, "--username", "wang", "--password", "weak")
	if code != 1 || !strings.Contains(errOut, "password") {
		t.Fatalf("weak reset: %d %s", code, errOut)
	}
	code, out, _ = runCLI(t, "user", "disable", "--data", dir, "--username", "wang")
	if code != 0 {
		t.Fatalf("disable: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
	// Tamper behind the application's back and verify again.
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.W.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.W.Exec(`UPDATE audit_log SET username = 'someone-else' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, errOut = runCLI(t, "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errOut, "TAMPERED at record 2") {
		t.Fatalf("tampered verify: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "no-such-command"); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
}
