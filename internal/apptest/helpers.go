package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"edugroup/internal/store"
)

// ErrBody is the error shape every 4xx answers with.
type ErrBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field   string `json:"field"`
			Rule    string `json:"rule"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

// ParseErr decodes an error answer, failing the test when b is not one.
func ParseErr(t *testing.T, b []byte) ErrBody {
	t.Helper()
	var e ErrBody
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return e
}

// Rules lists an error answer's details as rule+field, comma-separated.
func Rules(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	for _, d := range ParseErr(t, b).Error.Details {
		out = append(out, d.Rule+d.Field)
	}
	return strings.Join(out, ",")
}

// Decode decodes a JSON answer, failing the test when it does not decode.
func Decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// Column reads one column of a query's rows.
func Column[T any](t testing.TB, st *store.Store, q string, args ...any) []T {
	t.Helper()
	rows, err := st.R.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// SchoolInput is a school's editable fields as its detail shows them to c,
// ready to be changed and sent back with PATCH.
func SchoolInput(t testing.TB, c *Client, id int64) map[string]any {
	t.Helper()
	s, b := c.Do("GET", "/api/v1/schools/"+Itoa(id), nil)
	if s != 200 {
		t.Fatalf("school %d: %d %s", id, s, b)
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{}
	for _, k := range []string{"code", "name", "short_name", "township_id", "urban_rural", "stage", "type_code", "legal_person", "parent_school_id",
		"students", "classes", "staff_count", "tier", "is_new", "principal", "phone", "status", "notes", "version"} {
		in[k] = full[k]
	}
	return in
}

// Workbook builds an .xlsx in memory: the first row is the header.
func Workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// DemoStudent is the k-th pupil of a school in the demo exams (the demo
// numbers its cohort by the last five digits of the school code).
func DemoStudent(code string, k int) string {
	return fmt.Sprintf("%s%03d", code[len(code)-5:], k)
}

// Itoa is n in decimal.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }
