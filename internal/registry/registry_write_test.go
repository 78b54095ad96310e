package registry_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"edugroup/internal/apptest"
	"edugroup/internal/store"
)

func TestSchoolRules(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		jj := e.Login("jijiao")
		town := e.One(`SELECT id FROM townships ORDER BY id LIMIT 1`)
		school := map[string]any{"code": "2134999999", "name": "怀远县新城小学", "short_name": "新城小学", "township_id": town, "urban_rural": "121",
			"stage": "junior", "type_code": "211", "students": 900, "classes": 20, "staff_count": 50, "tier": "ordinary", "is_new": true, "principal": "周明", "phone": "0552-8012345"}
		s, b := jj.Do("POST", "/api/v1/schools", school)
		if s != 422 || !strings.Contains(apptest.Rules(t, b), "type_code") || !strings.Contains(apptest.Rules(t, b), "code") {
			t.Fatalf("junior with a primary type and code: %d %s", s, b)
		}
		school["stage"] = "primary"
		school["students"] = 3000
		s, b = jj.Do("POST", "/api/v1/schools", school)
		if s != 422 || apptest.Rules(t, b) != "scale_students_campus" {
			t.Fatalf("over the campus limit: %d %s", s, b)
		}
		school["override_reason"] = "过渡期安置"
		s, b = jj.Do("POST", "/api/v1/schools", school)
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		if s, _ := jj.Do("POST", "/api/v1/schools", school); s != 409 {
			t.Fatalf("duplicate code: %d", s)
		}
		if s, _ := e.Login("principal").Do("POST", "/api/v1/schools", school); s != 403 {
			t.Fatalf("school admin created a school: %d", s)
		}

		// A school admin edits their own school's counts and contacts, not the bureau's fields.
		p := e.Login("principal")
		_, b = p.Do("GET", fmt.Sprintf("/api/v1/schools/%d", e.IDs.School), nil)
		cur := apptest.Decode[map[string]any](t, b)
		if cur["can_manage"] != true || strings.Contains(cur["phone"].(string), "*") {
			t.Fatalf("own school: %v %v", cur["can_manage"], cur["phone"])
		}
		edit := map[string]any{}
		for _, k := range []string{"code", "name", "short_name", "township_id", "urban_rural", "stage", "type_code", "legal_person", "students", "classes", "staff_count", "tier", "is_new", "principal", "phone", "status", "notes", "version"} {
			edit[k] = cur[k]
		}
		edit["principal"] = "新校长"
		if s, b := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.School), edit); s != 200 {
			t.Fatalf("own school edit: %d %s", s, b)
		}
		edit["version"] = cur["version"].(float64) + 1
		edit["tier"] = "quality"
		if s, b := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.School), edit); s != 422 || apptest.Rules(t, b) != "tier" {
			t.Fatalf("school admin changed the tier: %d %s", s, b)
		}
		if s, _ := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.SiblingSchool), edit); s != 403 {
			t.Fatalf("school admin edited a sibling school: %d", s)
		}
		if s, _ := p.Do("PATCH", fmt.Sprintf("/api/v1/schools/%d", e.IDs.OtherSchool), edit); s != 404 {
			t.Fatalf("school admin edited another group's school: %d", s)
		}
		// The sibling's phone is masked for them.
		_, b = p.Do("GET", fmt.Sprintf("/api/v1/schools/%d", e.IDs.SiblingSchool), nil)
		if sib := apptest.Decode[map[string]any](t, b); sib["can_manage"] != false || (sib["phone"] != "" && !strings.Contains(sib["phone"].(string), "*")) {
			t.Fatalf("sibling school: %v %v", sib["can_manage"], sib["phone"])
		}
		// Campuses.
		if s, b := p.Do("POST", fmt.Sprintf("/api/v1/schools/%d/campuses", e.IDs.School), map[string]any{"name": "东校区", "address": "城关镇涂山路1号", "students": 300, "classes": 8}); s != 201 {
			t.Fatalf("campus: %d %s", s, b)
		}
		if n := e.AuditCount("campus.create", ""); n != 1 {
			t.Fatalf("campus audited %d", n)
		}
	})
}

func TestStaffRulesMaskingAndRecords(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		rs := e.Login("renshi")
		person := map[string]any{"staff_no": "T0000001", "name": "孙丽", "gender": "F", "id_card": "110105194912310021", "phone": "13912345678",
			"school_id": e.IDs.School, "post": "teacher", "subject": "语文", "title": "一级教师", "education": "20", "hire_date": "2010-09-01"}
		s, b := rs.Do("POST", "/api/v1/staff", person)
		if s != 422 || apptest.Rules(t, b) != "id_card" || !strings.Contains(string(b), "校验码") {
			t.Fatalf("bad check digit: %d %s", s, b)
		}
		// A real number of someone already on record: refused, naming them.
		var existing, existingName string
		_ = st.R.QueryRow(`SELECT id_card, name FROM staff ORDER BY id LIMIT 1`).Scan(&existing, &existingName)
		person["id_card"] = existing
		person["gender"] = map[bool]string{true: "M", false: "F"}[(existing[16]-'0')%2 == 1]
		s, b = rs.Do("POST", "/api/v1/staff", person)
		if s != 409 || !strings.Contains(string(b), existingName) {
			t.Fatalf("duplicate ID: %d %s", s, b)
		}
		person["id_card"] = "340321198001010028" // sequence 002: a woman
		person["gender"] = "M"
		if s, b := rs.Do("POST", "/api/v1/staff", person); s != 422 || apptest.Rules(t, b) != "gender" {
			t.Fatalf("gender against the ID: %d %s", s, b)
		}
		person["gender"] = "F"
		person["id_card"] = "34032119800101002X"
		if s, b := rs.Do("POST", "/api/v1/staff", person); s != 422 {
			t.Fatalf("wrong check digit accepted: %d %s", s, b)
		}
		person["id_card"] = "340321198001010028"
		s, b = rs.Do("POST", "/api/v1/staff", person)
		if s != 201 {
			t.Fatalf("create: %d %s", s, b)
		}
		created := apptest.Decode[map[string]any](t, b)
		id := int64(created["id"].(float64))
		if created["id_card"] != "3403**********0028" || created["phone"] != "139****5678" {
			t.Fatalf("detail not masked: %v %v", created["id_card"], created["phone"])
		}
		// An edit that sends back the masked ID number and phone keeps the
		// stored ones: no unmasking needed to change a title.
		edit := map[string]any{}
		for k, v := range person {
			edit[k] = v
		}
		edit["id_card"], edit["phone"], edit["title"], edit["version"] = created["id_card"], created["phone"], "高级教师", created["version"]
		if s, b := rs.Do("PATCH", fmt.Sprintf("/api/v1/staff/%d", id), edit); s != 200 || !strings.Contains(string(b), "高级教师") {
			t.Fatalf("edit with masked values: %d %s", s, b)
		}
		var card, phone string
		_ = st.R.QueryRow(`SELECT id_card, phone FROM staff WHERE id = $1`, id).Scan(&card, &phone)
		if card != "340321198001010028" || phone != "13912345678" {
			t.Fatalf("stored %s %s after an edit with masked values", card, phone)
		}
		// The principal registers staff at their own school only.
		person["staff_no"], person["id_card"] = "T0000002", "340321198502020021"
		person["school_id"] = e.IDs.SiblingSchool
		if s, b := e.Login("principal").Do("POST", "/api/v1/staff", person); s != 422 || apptest.Rules(t, b) != "school_id" {
			t.Fatalf("principal registered at a sibling school: %d %s", s, b)
		}

		// Unmasking needs the permission, scope and a reason, and is audited.
		path := fmt.Sprintf("/api/v1/staff/%d/unmask", id)
		if s, _ := e.Login("leader").Do("POST", path, map[string]string{"reason": "核对信息"}); s != 403 {
			t.Fatalf("leader unmasked: %d", s)
		}
		if s, _ := rs.Do("POST", path, map[string]string{"reason": ""}); s != 422 {
			t.Fatalf("unmask without reason: %d", s)
		}
		s, b = rs.Do("POST", path, map[string]string{"reason": "核对职称申报材料"})
		if s != 200 || !strings.Contains(string(b), "340321198001010028") || !strings.Contains(string(b), "13912345678") {
			t.Fatalf("unmask: %d %s", s, b)
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE action = 'staff.unmask' AND object_id = $1 AND detail LIKE '%核对职称申报材料%'`, apptest.Itoa(id)); n != 1 {
			t.Fatal("unmask not audited with its reason")
		}
		if n := e.One(`SELECT count(*) FROM audit_log WHERE detail LIKE '%340321198001010028%'`); n != 0 {
			t.Fatal("a full ID number reached the audit log")
		}

		// Eligibility records: the sections and the own school's leadership only.
		rec := fmt.Sprintf("/api/v1/staff/%d/records", id)
		if s, b := e.Login("jijiao").Do("POST", rec, map[string]any{"kind": "ethics", "occurred_on": "2026-03-01"}); s != 422 || !strings.Contains(apptest.Rules(t, b), "authority") {
			t.Fatalf("finding without authority: %d %s", s, b)
		}
		if s, b := e.Login("jijiao").Do("POST", rec, map[string]any{"kind": "paid_tutoring", "occurred_on": "2026-03-01", "authority": "县教体局", "doc_no": "怀教〔2026〕12号", "effective_from": "2026-03-01", "effective_to": "2028-02-28"}); s != 201 {
			t.Fatalf("add record: %d %s", s, b)
		}
		if s, b := e.Login("principal").Do("POST", rec, map[string]any{"kind": "sick_leave", "occurred_on": "2026-06-30", "school_year": "2025-2027", "days": 40}); s != 422 || apptest.Rules(t, b) != "school_year" {
			t.Fatalf("bad school year: %d %s", s, b)
		}
		for user, want := range map[string]int{"leader": 403, "groupadmin": 403, "teacher": 403, "principal": 200, "ganbu": 200, "dudao": 200} {
			if s, _ := e.Login(user).Do("GET", rec, nil); s != want {
				t.Errorf("%s reading records: %d, want %d", user, s, want)
			}
		}
		if n := e.AuditCount("records.view", ""); n != 3 {
			t.Fatalf("record views audited: %d, want 3", n)
		}

		// Transfers keep history; only the personnel section moves people.
		if s, _ := e.Login("principal").Do("POST", fmt.Sprintf("/api/v1/staff/%d/transfer", id), map[string]any{"to_school_id": e.IDs.SiblingSchool, "on": "2026-09-01"}); s != 403 {
			t.Fatalf("principal transferred: %d", s)
		}
		s, b = rs.Do("POST", fmt.Sprintf("/api/v1/staff/%d/transfer", id), map[string]any{"to_school_id": e.IDs.OtherSchool, "on": "2026-09-01", "note": "交流轮岗"})
		if s != 200 || !strings.Contains(string(b), `"transfers":[{"date":"2026-09-01"`) {
			t.Fatalf("transfer: %d %s", s, b)
		}
		// Now the principal cannot see them any more.
		if s, _ := e.Login("principal").Do("GET", fmt.Sprintf("/api/v1/staff/%d", id), nil); s != 404 {
			t.Fatalf("former school still sees the staff member: %d", s)
		}
	})
}

func TestExportsAreScopedMaskedAndAudited(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	for user, want := range map[string]int64{
		"leader":     e.One(`SELECT count(*) FROM staff`),
		"groupadmin": e.One(`SELECT count(*) FROM staff WHERE school_id IN (SELECT school_id FROM group_members WHERE group_id = $1 AND left_on IS NULL)`, e.IDs.Group),
	} {
		s, b, h := e.Login(user).DoH("GET", "/api/v1/staff/export", nil, nil)
		if s != 200 || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s export: %d %s", user, s, h)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		if int64(len(rows)-1) != want {
			t.Errorf("%s: %d rows, want %d", user, len(rows)-1, want)
		}
		if rows[0][10] != "身份证号" || !strings.Contains(rows[1][10], "**********") || !strings.Contains(rows[1][9], "****") {
			t.Errorf("%s: header %q, first row %q", user, rows[0][10], rows[1])
		}
	}
	if n := e.AuditCount("staff.export", ""); n != 2 {
		t.Fatalf("exports audited: %d", n)
	}
	s, b, _ := e.Login("leader").DoH("GET", "/api/v1/schools/export?stage=primary", nil, nil)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if s != 200 || err != nil {
		t.Fatalf("schools export: %d %v", s, err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if int64(len(rows)-1) != e.One(`SELECT count(*) FROM schools WHERE stage = 'primary'`) || rows[1][4] != "小学" {
		t.Fatalf("schools export rows %d, stage %q", len(rows)-1, rows[1][4])
	}
}
