package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/i18n"
	"edugroup/internal/store/storetest"
	"edugroup/internal/web"
)

// openAPIFile is the committed copy of the document the web client's types
// are generated from (npm run gen:api in ui/).
var openAPIFile = filepath.Join("..", "..", "ui", "src", "api", "openapi.json")

// TestOpenAPIFile fails when the committed document differs from the one the
// route table builds, so the client's generated types cannot drift from the
// server. UPDATE_OPENAPI=1 rewrites the file (make api does that and then
// regenerates the types).
func TestOpenAPIFile(t *testing.T) {
	ctx := context.Background()
	a, err := app.New(ctx, storetest.SQLite(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := a.Server(web.Config{})
	t.Cleanup(func() { _ = a.Audit.StopDenials(context.Background()) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the server writes it: "<API token>", not "\u003cAPI token\u003e"
	enc.SetIndent("", "  ")
	if err := enc.Encode(srv.OpenAPI()); err != nil {
		t.Fatal(err)
	}
	want := buf.Bytes()
	if os.Getenv("UPDATE_OPENAPI") != "" {
		if err := os.WriteFile(openAPIFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("%v (make api writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the document the routes build: run make api and commit the result", openAPIFile)
	}
}

// TestStatusEnumsMatchCodeLists: a status field whose values are a code list
// declares exactly the codes the catalog labels, so a new status cannot be
// added to one and forgotten in the other.
func TestStatusEnumsMatchCodeLists(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	codes := i18n.MustLoad().Codes(i18n.Default)
	for _, c := range []struct{ schema, field, list string }{
		{"Exchange.Exchange", "status", "exchange_status"},
		{"Exchange.Exchange", "kind", "exchange_kind"},
		{"Exchange.ServiceExchange", "status", "exchange_status"},
		{"Registry.School", "status", "school_status"},
		{"Registry.Group", "status", "group_status"},
		{"Registry.Staff", "status", "staff_status"},
	} {
		got := slices.Sorted(slices.Values(doc.Components.Schemas[c.schema].Properties[c.field].Enum))
		var want []string
		for code := range codes[c.list] {
			want = append(want, code)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s enum %v, code list %s has %v", c.schema, c.field, got, c.list, want)
		}
	}
}
