package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

// TestCodesRoute: the code labels are served to anyone in both languages,
// cacheable, and a repeated request with the ETag answers 304.
func TestCodesRoute(t *testing.T) {
	a, err := app.New(context.Background(), storetest.SQLite(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server(web.Config{}).Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = a.Audit.StopDenials(context.Background()) })

	res, err := http.Get(srv.URL + "/api/v1/codes")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var codes web.Codes
	if err := json.NewDecoder(res.Body).Decode(&codes); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") == "no-store" || res.Header.Get("ETag") == "" {
		t.Fatalf("status %d, Cache-Control %q, ETag %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	if got := codes.Labels["zh-CN"]["exchange_status"]["underway"]; got != "进行中" {
		t.Errorf("zh-CN underway = %q", got)
	}
	if got := codes.Labels["en"]["stage"]["primary"]; got != "Primary" {
		t.Errorf("en primary = %q", got)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/codes", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("with the ETag: %d, want 304", again.StatusCode)
	}
}
