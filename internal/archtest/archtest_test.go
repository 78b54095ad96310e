package archtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServicesHoldNoHTTP is the rule itself, on this code base.
func TestServicesHoldNoHTTP(t *testing.T) {
	vs, err := Check(filepath.Join("..", ".."), Services, Transport)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("%s: a service takes an io.Writer and an i18n.Lang; HTTP belongs in the package's *_api.go", v)
	}
}

// TestCheckFindsANewOffendingFile shows the checker fails on a service file
// that imports the transport, in a package and below a "..." package, and
// lets the adapter and the tests import it.
func TestCheckFindsANewOffendingFile(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("internal/cap/service.go", "package cap\n\nimport \"io\"\n\nvar _ io.Writer\n")
	write("internal/cap/cap_api.go", "package cap\n\nimport (\n\t\"net/http\"\n\n\t\"edugroup/internal/web\"\n)\n\nvar _ http.Handler\nvar _ web.Router\n")
	write("internal/cap/cap_test.go", "package cap\n\nimport \"net/http/httptest\"\n\nvar _ = httptest.NewRecorder\n")
	write("internal/deep/sub/ok.go", "package sub\n")
	write("internal/web/router.go", "package web\n\nimport \"net/http\"\n\nvar _ http.Handler\n")

	pkgs := []string{"internal/cap", "internal/deep/..."}
	vs, err := Check(root, pkgs, Transport)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Fatalf("clean tree: got %v", vs)
	}

	write("internal/cap/export.go", "package cap\n\nimport (\n\t\"io\"\n\t\"net/http\"\n)\n\nvar _ io.Writer\nvar _ http.ResponseWriter\n")
	write("internal/deep/sub/cards.go", "package sub\n\nimport w \"edugroup/internal/web\"\n\nvar _ w.Card\n")
	write("internal/deep/sub/cookie.go", "package sub\n\nimport \"net/http/cookiejar\"\n\nvar _ = cookiejar.New\n")
	vs, err = Check(root, pkgs, Transport)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	want := []string{
		`internal/cap/export.go imports "net/http"`,
		`internal/deep/sub/cards.go imports "edugroup/internal/web"`,
		`internal/deep/sub/cookie.go imports "net/http/cookiejar"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if _, err := Check(root, []string{"internal/missing"}, Transport); err == nil {
		t.Fatal("a package that is not there must fail the check, not pass it")
	}
}
