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

func TestSchoolImportAllOrNothingAndIdempotent(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		jj := e.Login("jijiao")
		s, b, h := jj.DoH("GET", "/api/v1/schools/template", nil, nil)
		if s != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template: %d", s)
		}
		tf, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		header, _ := tf.GetRows(tf.GetSheetList()[0])
		var town string
		_ = st.R.QueryRow(`SELECT name FROM townships ORDER BY id LIMIT 1`).Scan(&town)
		row := func(code, name, township string) []any {
			vals := map[string]any{"学校标识码": code, "学校名称": name, "简称": "", "乡镇": township, "学段": "小学", "办学类型": "211", "城乡分类": "220",
				"在校生数": 320, "班级数": 8, "教职工数": 20, "办学质量": "薄弱", "新建学校": "否", "校长": "张三", "联系电话": "13900001111", "备注": ""}
			out := make([]any, len(header[0]))
			for i, h := range header[0] {
				out[i] = vals[h]
			}
			return out
		}
		hdr := make([]any, len(header[0]))
		for i, h := range header[0] {
			hdr[i] = h
		}
		good := apptest.Workbook(t, [][]any{hdr, row("2134777001", "测试村小学一", town), row("2134777002", "测试村小学二", town)})
		s, b = jj.Upload("/api/v1/schools/import", good, nil)
		if s != 200 || !strings.Contains(string(b), `"created":2`) {
			t.Fatalf("import: %d %s", s, b)
		}
		s, b = jj.Upload("/api/v1/schools/import", good, nil)
		if s != 200 || !strings.Contains(string(b), `"created":0,"updated":0`) {
			t.Fatalf("second import of the same file: %d %s", s, b)
		}
		before := e.One(`SELECT count(*) FROM schools`)
		bad := apptest.Workbook(t, [][]any{hdr, row("2134777003", "测试村小学三", town), row("12345", "坏代码", town), row("2134777004", "测试村小学四", "不存在镇")})
		s, b = jj.Upload("/api/v1/schools/import", bad, nil)
		if s != 422 {
			t.Fatalf("bad file: %d %s", s, b)
		}
		eb := apptest.ParseErr(t, b)
		var fields []string
		for _, d := range eb.Error.Details {
			fields = append(fields, d.Field)
		}
		got := strings.Join(fields, "|")
		if !strings.Contains(got, "第3行") || !strings.Contains(got, "学校标识码") || !strings.Contains(got, "第4行") || !strings.Contains(got, "乡镇") {
			t.Fatalf("row errors %s", got)
		}
		if e.One(`SELECT count(*) FROM schools`) != before {
			t.Fatal("a refused file wrote rows")
		}
		if s, _ := e.Login("principal").Upload("/api/v1/schools/import", good, nil); s != 403 {
			t.Fatalf("school admin imported schools: %d", s)
		}
		if s, b := jj.Upload("/api/v1/schools/import", []byte("not,an,xlsx\n1,2,3"), nil); s != 422 || !strings.Contains(string(b), "file") {
			t.Fatalf("not an xlsx: %d %s", s, b)
		}
		if e.AuditCount("school.import", "ok") != 2 || e.AuditCount("school.import", "failed") != 2 {
			t.Fatalf("imports audited: %d ok, %d failed", e.AuditCount("school.import", "ok"), e.AuditCount("school.import", "failed"))
		}
	})
}

func TestStaffImportChecksIDs(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		rs := e.Login("renshi")
		var code string
		_ = st.R.QueryRow(`SELECT code FROM schools WHERE id = $1`, e.IDs.School).Scan(&code)
		var dupID, dupName string
		_ = st.R.QueryRow(`SELECT id_card, name FROM staff WHERE school_id <> $1 ORDER BY id LIMIT 1`, e.IDs.School).Scan(&dupID, &dupName)
		hdr := []any{"工号", "姓名", "性别", "身份证号", "手机号", "学校标识码", "岗位", "任教学科", "职称", "学历", "参加工作日期"}
		good := [][]any{hdr,
			{"N0001", "钱多多", "女", "340321198001010028", "13911112222", code, "教师", "数学", "一级教师", "大学本科", "2003-09-01"},
			{"N0002", "孙少平", "女", "340321198502020021", "13911113333", code, "教师", "语文", "二级教师", "20", "2008-09-01"},
		}
		s, b := rs.Upload("/api/v1/staff/import", apptest.Workbook(t, good), nil)
		if s != 200 || !strings.Contains(string(b), `"created":2`) {
			t.Fatalf("import: %d %s", s, b)
		}
		if s, b := rs.Upload("/api/v1/staff/import", apptest.Workbook(t, good), nil); s != 200 || !strings.Contains(string(b), `"created":0`) {
			t.Fatalf("re-import: %d %s", s, b)
		}
		bad := [][]any{hdr,
			{"N0003", "错号", "女", "340321198001010027", "13911114444", code, "教师", "数学", "一级教师", "20", "2003-09-01"},
			{"N0004", "重号", "男", fmt.Sprint(dupID), "13911115555", code, "教师", "数学", "一级教师", "20", "2003-09-01"},
		}
		s, b = rs.Upload("/api/v1/staff/import", apptest.Workbook(t, bad), nil)
		if s != 422 || !strings.Contains(string(b), "校验码") || !strings.Contains(string(b), dupName) {
			t.Fatalf("bad staff file: %d %s", s, b)
		}
	})
}
