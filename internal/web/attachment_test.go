package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
)

// TestAttachmentHeadersOnFirstByte: a download names its file only once
// the service writes, so one that fails first answers a plain error.
func TestAttachmentHeadersOnFirstByte(t *testing.T) {
	w := httptest.NewRecorder()
	out := Attachment(w, "application/x-test", "名单.xlsx")
	if got := w.Header().Get("Content-Disposition"); got != "" {
		t.Fatalf("before any byte: Content-Disposition %q", got)
	}
	if _, err := io.WriteString(out, "PK"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(out, "rest"); err != nil {
		t.Fatal(err)
	}
	if got := w.Header().Get("Content-Type"); got != "application/x-test" {
		t.Errorf("Content-Type %q", got)
	}
	if got := w.Header().Get("Content-Disposition"); !strings.HasPrefix(got, "attachment;") || !strings.Contains(got, "UTF-8''") {
		t.Errorf("Content-Disposition %q", got)
	}
	if w.Body.String() != "PKrest" {
		t.Errorf("body %q", w.Body.String())
	}
}

type worded struct {
	Key     string `json:"-"`
	Message string `json:"message"`
}

func (x *worded) Localize(l i18n.Lang) { x.Message = l.T(x.Key, nil) }

// TestByIDsReadsBothIDsAndLocalizes: the two-id helper refuses a bad id of
// either name as not found, and its answer goes through Respond.
func TestByIDsReadsBothIDsAndLocalizes(t *testing.T) {
	h := ByIDs("campus", func(_ context.Context, _ auth.Actor, id, sub int64) (*worded, error) {
		if id != 7 || sub != 9 {
			t.Errorf("ids %d, %d", id, sub)
		}
		return &worded{Key: "error.internal"}, nil
	})
	mux := http.NewServeMux()
	var got error
	mux.HandleFunc("GET /s/{id}/c/{campus}", func(w http.ResponseWriter, r *http.Request) { got = h(w, r) })
	for path, want := range map[string]string{"/s/x/c/9": "id", "/s/7/c/0": "campus"} {
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		if e, ok := errs.As(got); !ok || e.Code != errs.NotFound || e.Args["what"] != want {
			t.Errorf("%s: %v", path, got)
		}
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/s/7/c/9", nil))
	if got != nil || w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"message":"error.internal"`) {
		t.Errorf("answer %v %d %s", got, w.Code, w.Body.String())
	}
}
